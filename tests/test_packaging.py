"""The wheel carries the store's migrations and the bundled dictionaries; the installed package finds them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Build outputs and environments are not part of the source tree; a stale build/ would leak into the wheel.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                    ".whl", "*.sqlite*")


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory) -> set[str]:
    """The file names in a wheel built, as pip builds it, from a clean copy of this checkout."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp / "out"), "."], cwd=source, check=True)
    (wheel,) = (tmp / "out").glob("pretty_framework-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_wheel_carries_the_migrations(wheel_files):
    versions = sorted((ROOT / "migrations" / "versions").glob("*.py"))
    assert versions
    expected = {"pretty_framework/_migrations/env.py", "pretty_framework/_migrations/script.py.mako"}
    expected |= {f"pretty_framework/_migrations/versions/{v.name}" for v in versions}
    assert expected <= wheel_files, sorted(expected - wheel_files)


def test_wheel_carries_the_bundled_dictionaries(wheel_files):
    catalog = json.loads((ROOT / "dictionaries" / "catalog.json").read_text(encoding="utf-8"))
    named = {entry["file"] for entry in catalog["bundled"]}
    assert named
    expected = {f"pretty_framework/_dictionaries/{name}" for name in named | {"catalog.json", "controls.json"}}
    assert expected <= wheel_files, sorted(expected - wheel_files)


def test_wheel_carries_every_package_and_no_tests(wheel_files):
    code = [init.relative_to(ROOT) for init in (ROOT / "pretty_framework").rglob("__init__.py")]
    plugins = [init.relative_to(ROOT / "plugins") for init in (ROOT / "plugins").glob("*/__init__.py")]
    expected = {init.as_posix() for init in code + plugins} | {"pretty_framework/demonstrations.jsonl"}
    assert len(plugins) >= 9
    assert expected <= wheel_files, f"add to [tool.setuptools] packages: {sorted(expected - wheel_files)}"
    assert not [name for name in wheel_files if name.startswith("tests/") or "/tests/" in name]


def test_installed_package_finds_its_folders():
    from pretty_framework.store.bundled import DICTIONARIES, bundled_dictionaries
    from pretty_framework.store.database import MIGRATIONS

    assert (MIGRATIONS / "env.py").is_file(), MIGRATIONS
    assert (MIGRATIONS / "script.py.mako").is_file(), MIGRATIONS
    assert (DICTIONARIES / "catalog.json").is_file(), DICTIONARIES
    assert (DICTIONARIES / "controls.json").is_file(), DICTIONARIES
    assert bundled_dictionaries() and all(d.path.is_file() for d in bundled_dictionaries())
