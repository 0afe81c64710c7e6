"""Property-based tests of the importers: whatever the bytes, an import succeeds whole or fails with one clear error.

Random bytes, real MUSE lines mixed with garbage, any line endings, several
encodings, gzip or not, JSON of any shape: the store never raises anything but
a :class:`PrettyError`, and a failed import leaves every count as it was (no
half import). One store serves all examples of a test, so each example also
checks that earlier imports do not disturb later ones. Hypothesis runs
derandomized and without its example database: the same examples every run.
"""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pytest
from conftest import SHARED_DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from pretty_framework.errors import PrettyError
from pretty_framework.store import DictionaryStore
from pretty_framework.store.formats import MuseFormat, PanlexBliFormat, PanlexCsvFormat, TsvFormat, WiktionaryFormat
from pretty_framework.store.schema import Entry, EntrySource, Language, Source

MUSE_EN_FR = SHARED_DATA / "muse" / "en-fr.txt"
REAL_LINES = MUSE_EN_FR.read_text(encoding="utf-8").splitlines()[:300] if MUSE_EN_FR.is_file() else ["house maison"]
PROPERTIES = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                      # One store for all examples is the point: invariants are checked relative to its state.
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
COLUMN_FORMATS = [MuseFormat, TsvFormat, PanlexBliFormat]
_names = itertools.count()

endings = st.sampled_from(["\n", "\r\n", "\r"])
encodings = st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16"])
garbage = st.text(st.characters(codec="utf-8"), max_size=30)
lines = st.lists(st.one_of(st.sampled_from(REAL_LINES), st.sampled_from(REAL_LINES).map(lambda x: x.replace(" ", "\t")),
                           garbage), max_size=40)


@pytest.fixture
def store(tmp_path):
    opened = DictionaryStore(tmp_path / "properties.sqlite")
    yield opened
    opened.close()


def _counts(store: DictionaryStore) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {table.__tablename__: conn.scalar(select(func.count()).select_from(table))
                for table in (Language, Source, Entry, EntrySource)}


def _import_all_or_nothing(store: DictionaryStore, path: Path, fmt, skip_bad: bool):
    """Import ``path``; assert it either fails cleanly with nothing changed or succeeds with exact counts."""
    before = _counts(store)
    try:
        report = store.import_file(path, fmt(), "en", "fr", name=f"example-{next(_names)}", skip_bad=skip_bad)
    except PrettyError:
        assert _counts(store) == before
        return None
    after = _counts(store)
    if report.already_imported:
        assert after == before
    else:
        assert after["sources"] == before["sources"] + 1
        assert after["entries"] == before["entries"] + report.entries_added
        assert after["entry_sources"] == before["entry_sources"] + report.entries_linked
        assert report.entries_linked == report.pairs_read > 0
    return report


def _write(folder: Path, data: bytes, compress: bool = False) -> Path:
    path = folder / f"example-{next(_names)}.txt{'.gz' if compress else ''}"
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


@PROPERTIES
@given(data=st.binary(max_size=3000), fmt=st.sampled_from([*COLUMN_FORMATS, WiktionaryFormat]),
       skip_bad=st.booleans(), compress=st.booleans())
def test_random_bytes(store, tmp_path, data, fmt, skip_bad, compress):
    _import_all_or_nothing(store, _write(tmp_path, data, compress), fmt, skip_bad)


@PROPERTIES
@given(chosen=lines, ending=endings, encoding=encodings, fmt=st.sampled_from(COLUMN_FORMATS), skip_bad=st.booleans())
def test_real_lines_and_garbage_in_any_encoding(store, tmp_path, chosen, ending, encoding, fmt, skip_bad):
    data = ending.join(chosen).encode(encoding, errors="replace")
    _import_all_or_nothing(store, _write(tmp_path, data), fmt, skip_bad)


@PROPERTIES
@given(chosen=st.lists(st.sampled_from(REAL_LINES), min_size=1, max_size=40), ending=endings, last=st.booleans())
def test_line_endings_do_not_change_what_is_read(store, tmp_path, chosen, ending, last):
    unix = _import_all_or_nothing(store, _write(tmp_path, "\n".join(chosen).encode()), MuseFormat, False)
    other = "".join(line + ending for line in chosen) if last else ending.join(chosen)
    again = _import_all_or_nothing(store, _write(tmp_path, other.encode()), MuseFormat, False)
    assert again.already_imported or again.pairs_read == unix.pairs_read


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=4),
                           max_leaves=20)
translations = st.lists(st.one_of(st.fixed_dictionaries({"lang_code": st.sampled_from(["fr", "de", "xx"]),
                                                         "word": st.text(max_size=12)}), json_values), max_size=4)
# Entries that look like kaikki's (a word in the source language) with translations and senses of any shape.
kaikki_like = st.fixed_dictionaries(
    {"word": st.text(max_size=12), "lang_code": st.sampled_from(["en", "en", "fr", "zz"])},
    optional={"translations": st.one_of(translations, json_values),
              "senses": st.one_of(st.lists(st.one_of(st.fixed_dictionaries({"translations": translations}),
                                                     json_values), max_size=3), json_values),
              "pos": st.sampled_from(["noun", "verb", "name", 3])})


@PROPERTIES
@given(chosen=st.lists(kaikki_like, max_size=15), ending=endings, skip_bad=st.booleans())
def test_kaikki_entries_of_any_shape(store, tmp_path, chosen, ending, skip_bad):
    data = ending.join(json.dumps(entry) for entry in chosen).encode()
    _import_all_or_nothing(store, _write(tmp_path, data), WiktionaryFormat, skip_bad)


@PROPERTIES
@given(chosen=st.lists(st.one_of(kaikki_like, json_values), max_size=15), ending=endings, skip_bad=st.booleans())
def test_any_json_lines(store, tmp_path, chosen, ending, skip_bad):
    data = ending.join(json.dumps(entry) for entry in chosen).encode()
    _import_all_or_nothing(store, _write(tmp_path, data), WiktionaryFormat, skip_bad)


@PROPERTIES
@given(langvar=st.binary(max_size=300), expr=st.binary(max_size=300), denotation=st.binary(max_size=300),
       headers=st.booleans(), skip_bad=st.booleans())
def test_panlex_csv_dump_of_random_bytes(store, tmp_path, langvar, expr, denotation, headers, skip_bad):
    folder = tmp_path / f"dump-{next(_names)}"
    folder.mkdir()
    for name, header, data in (("langvar.csv", b"id,lang_code\n1,eng\n2,fra\n", langvar),
                               ("expr.csv", b"id,langvar,txt\n1,1,house\n2,2,maison\n", expr),
                               ("denotation.csv", b"id,meaning,expr\n1,9,1\n2,9,2\n", denotation)):
        (folder / name).write_bytes((header if headers else b"") + data)
    _import_all_or_nothing(store, folder, PanlexCsvFormat, skip_bad)
