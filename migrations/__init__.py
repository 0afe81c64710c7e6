"""The dictionary store's Alembic environment, shipped as the package ``pretty_framework._migrations``.

This file makes the folder a regular package: setuptools' editable installs only
resolve a folder mapped into ``pretty_framework`` (pyproject ``package-dir``) when
it has an ``__init__.py``. Alembic itself ignores it.
"""
