"""Folders shipped with the package: the store's Alembic migrations and the bundled dictionaries.

Both stay at the top of the source tree (``migrations/``, ``dictionaries/``) and
are mapped into the package as ``pretty_framework._migrations`` and
``pretty_framework._dictionaries`` (``[tool.setuptools.package-dir]`` in
pyproject.toml), so a wheel carries them and an editable install finds them in
the checkout. Alembic needs a real folder (``script_location``), and pip always
installs packages as files, so the folder is a file-system path.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

MIGRATIONS_PACKAGE = "pretty_framework._migrations"
DICTIONARIES_PACKAGE = "pretty_framework._dictionaries"


def resource_folder(package: str) -> Path:
    """The folder of the data package ``package``.

    When the package is not installed (an editable install made before the
    mapping existed), the place it would have in ``pretty_framework``: callers
    report the missing files there.
    """
    try:
        folder = importlib.resources.files(package)
    except ModuleNotFoundError:
        folder = importlib.resources.files("pretty_framework") / package.rpartition(".")[2]
    return folder if isinstance(folder, Path) else Path(str(folder))
