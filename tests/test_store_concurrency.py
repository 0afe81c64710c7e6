"""Several processes on one store, as two decodes sharing the default database are.

Each test releases two spawned processes at a barrier on the same database
(store_workers.py) and checks that both finish without a traceback and that
the store's counts are exactly what one run alone would leave. Small real data:
the first lines of the MUSE en-fr dictionary. Every test runs on SQLite, and
on PostgreSQL when PRETTY_TEST_POSTGRES_URL names a scratch database (emptied
by the tests).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import store_workers
from conftest import SHARED_DATA
from sqlalchemy import func, select

from pretty_framework.store import DictionaryStore
from pretty_framework.store.database import downgrade
from pretty_framework.store.schema import Entry, EntrySource, Language, Source

MUSE_EN_FR = SHARED_DATA / "muse" / "en-fr.txt"
POSTGRES_URL = os.environ.get("PRETTY_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def new_db(request, tmp_path) -> str:
    """A database without the store's schema: a new SQLite file, or the scratch PostgreSQL database emptied."""
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite")
    if not POSTGRES_URL:
        pytest.skip("set PRETTY_TEST_POSTGRES_URL (a scratch PostgreSQL database) to run")
    store = DictionaryStore(POSTGRES_URL)
    downgrade(store.engine, "base")
    store.close()
    return POSTGRES_URL


@pytest.fixture
def migrated_db(new_db) -> str:
    """The same, migrated and empty: the processes' imports overlap, not their migrations."""
    DictionaryStore(new_db).close()
    return new_db


@pytest.fixture
def muse_lines():
    if not MUSE_EN_FR.is_file():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return MUSE_EN_FR.read_text(encoding="utf-8").splitlines()[:500]


def _write(path: Path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _counts(db: str) -> dict[str, int]:
    store = DictionaryStore(db)
    with store.engine.connect() as conn:
        counts = {table.__tablename__: conn.scalar(select(func.count()).select_from(table))
                  for table in (Language, Source, Entry, EntrySource)}
    store.close()
    return counts


def _no_errors(results: list[dict]) -> None:
    for result in results:
        assert result.get("error") is None, result["error"]


def test_two_imports_into_a_new_database(tmp_path, muse_lines, new_db):
    db = new_db
    first = _write(tmp_path / "first.txt", muse_lines[:250])
    second = _write(tmp_path / "second.txt", muse_lines[250:])
    results = store_workers.run_together(store_workers.import_muse, [(db, first, "first"), (db, second, "second")])
    _no_errors(results)
    assert [r["entries_linked"] for r in results] == [250, 250]
    assert _counts(db) == {"languages": 2, "sources": 2, "entries": 500, "entry_sources": 500}


def test_two_imports_that_add_the_same_new_language(tmp_path, muse_lines, migrated_db):
    db = migrated_db  # without languages: both imports create eng_Latn and fra_Latn
    first = _write(tmp_path / "first.txt", muse_lines[:300])
    second = _write(tmp_path / "second.txt", muse_lines[200:])  # 100 pairs in both files
    results = store_workers.run_together(store_workers.import_muse,
                                         [(db, first, "first"), (db, second, "second")])
    _no_errors(results)
    assert sorted(r["entries_added"] for r in results) == [200, 300]  # whichever wrote second added 200
    assert _counts(db) == {"languages": 2, "sources": 2, "entries": 500, "entry_sources": 600}


def test_the_same_file_imported_twice_at_once(tmp_path, muse_lines, migrated_db):
    db = migrated_db
    sample = _write(tmp_path / "sample.txt", muse_lines)
    command = ("dict", "import", sample, "--format", "muse", "--src", "en", "--tgt", "fr", "--db", db)
    results = store_workers.run_together(store_workers.pretty, [command, command])
    _no_errors(results)
    assert [r["exit_code"] for r in results] == [0, 0], results
    outputs = sorted((r["stdout"] for r in results), key=lambda stdout: "already imported" in stdout)
    assert "read 500 pairs, 500 new entries" in outputs[0]
    assert "already imported as 'muse:sample.txt:eng_Latn-fra_Latn' (500 entries)" in outputs[1]
    assert _counts(db) == {"languages": 2, "sources": 1, "entries": 500, "entry_sources": 500}


def test_the_same_file_under_two_names_at_once_is_stored_once(tmp_path, muse_lines, migrated_db):
    db = migrated_db
    sample = _write(tmp_path / "sample.txt", muse_lines)
    results = store_workers.run_together(store_workers.import_muse, [(db, sample, "mine"), (db, sample, "yours")])
    _no_errors(results)
    assert sorted(r["already_imported"] for r in results) == [False, True]
    assert results[0]["source"] == results[1]["source"]  # the loser names the winner's source
    assert _counts(db)["sources"] == 1


def test_two_first_uses_of_the_bundled_dictionary(new_db):
    db = new_db
    results = store_workers.run_together(store_workers.first_bundled_use,
                                         [(db, "eng_Latn", "ukr_Cyrl"), (db, "eng_Latn", "ukr_Cyrl")])
    _no_errors(results)
    reports = [r["reports"][0] for r in results]
    assert sorted(r["already_imported"] for r in reports) == [False, True]
    assert {r["source"] for r in reports} == {"bundled:muse-en-uk.txt.gz"}
    assert _counts(db) == {"languages": 2, "sources": 1, "entries": 47912, "entry_sources": 47912}


def test_two_pretty_commands_on_a_new_database(tmp_path, muse_lines, new_db):
    """The console script itself, started twice at once (a looser race: no barrier), on a database neither made.

    Both exit 0 without a traceback on stderr; one imports, the other reports "already imported".
    """
    sample = _write(tmp_path / "sample.txt", muse_lines)
    env = {**os.environ, "PRETTY_DB": new_db}
    script = Path(sys.executable).with_name("pretty")
    command = [str(script), "dict", "import", sample, "--format", "muse", "--src", "en", "--tgt", "fr"]
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    finished = [process.communicate(timeout=180) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], finished
    assert not any("Traceback" in stderr for _, stderr in finished)
    assert sum("already imported" in stdout for stdout, _ in finished) == 1
    assert _counts(new_db)["entries"] == 500
