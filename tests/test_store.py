"""The dictionary store on the real MUSE, Wiktionary and PanLex files in shared/data."""

import gzip
import hashlib
import os
import sqlite3
import threading

import pytest
from conftest import SHARED_DATA
from sqlalchemy import func, select, text, update

from pretty_framework.errors import InputError, UnknownNameError
from pretty_framework.store import DictionaryStore, Lookup, database
from pretty_framework.store.database import StoreError
from pretty_framework.store.dictionary import file_checksum
from pretty_framework.store.formats import (
    MuseFormat,
    PanlexBliFormat,
    PanlexCsvFormat,
    TsvFormat,
    WiktionaryFormat,
)
from pretty_framework.store.schema import Entry, Source

MUSE = SHARED_DATA / "muse"
KAIKKI = SHARED_DATA / "wiktionary" / "kaikki"
PANLEX = SHARED_DATA / "panlex" / "panlex-bli"


@pytest.fixture
def store(tmp_path):
    if not MUSE.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    opened = DictionaryStore(tmp_path / "dict.sqlite")
    yield opened
    opened.close()


def _entries(store):
    with store.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Entry))


def _muse_sample(tmp_path, pair="en-de", n=3000):
    lines = (MUSE / f"{pair}.txt").read_text(encoding="utf-8").splitlines()[:n]
    path = tmp_path / f"{pair}.sample.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, lines


def test_muse_import_reads_every_line_including_hash_words(store):
    report = store.import_file(MUSE / "en-de.txt", MuseFormat(), "en", "de")
    assert report.pairs_read == 101931 and report.entries_added == 101931 and report.skipped_lines == 0
    the = Lookup(store, "eng_Latn", "deu_Latn", skip_identity=False).direct.by_key["the"]
    assert "#der" in [t.target_word for t in the]  # '#the #der' is a real MUSE line, not a comment


def test_reimport_is_a_no_op(store, tmp_path):
    path, _ = _muse_sample(tmp_path)
    first = store.import_file(path, MuseFormat(), "en", "de")
    again = store.import_file(path, MuseFormat(), "en", "de")
    assert again.already_imported and _entries(store) == first.entries_added


def test_same_pair_from_two_sources_is_one_entry_and_removal_keeps_the_other(store, tmp_path):
    path, lines = _muse_sample(tmp_path)
    tsv = tmp_path / "mine.tsv"
    tsv.write_text("# my list\n" + "\n".join(line.replace(" ", "\t") for line in lines[:100]) + "\nzzyzx\tzzyzx-de\n")
    store.import_file(path, MuseFormat(), "en", "de", name="muse")
    report = store.import_file(tsv, TsvFormat(), "eng", "deu_Latn", name="mine")
    assert report.entries_added == 1 and report.entries_linked == 101
    exported = {(s, t): names for s, t, names in store.export("en", "de")}
    first_source, first_target = lines[0].split()
    assert exported[(first_source, first_target)] == ["mine", "muse"]
    assert store.remove_source("mine") == 1  # only zzyzx was its alone
    assert _entries(store) == len(lines)
    assert store.remove_source("muse") == len(lines) and _entries(store) == 0


def test_malformed_line_names_file_and_line_and_leaves_the_store_unchanged(store, tmp_path):
    path, lines = _muse_sample(tmp_path, n=50)
    store.import_file(path, MuseFormat(), "en", "de", name="good")
    bad = tmp_path / "bad.txt"
    bad.write_text("\n".join(lines[:10] + ["onlyoneword"] + ["new neu"]) + "\n")
    with pytest.raises(InputError, match=rf"{bad}:11: expected 'source target'"):
        store.import_file(bad, MuseFormat(), "en", "de", name="bad")
    assert store.source("bad") is None and _entries(store) == 50


def test_skip_bad_imports_the_good_lines_and_counts_the_rest(store, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"house Haus\nonlyone\ntree Baum\ncaf\xe9 Kaffee\nthree words here\n")
    report = store.import_file(bad, MuseFormat(), "en", "de", skip_bad=True)
    assert report.pairs_read == 2 and report.skipped_lines == 3


def test_wrong_encoding_is_a_clear_error(store, tmp_path):
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("caf\xe9 Kaffee\n".encode("latin-1"))
    with pytest.raises(InputError, match=rf"{latin}:1: not valid UTF-8"):
        store.import_file(latin, MuseFormat(), "en", "de")


def test_wiktionary_translations_with_cmn_and_stress_marks(store):
    path = KAIKKI / "en-en-extract.jsonl"
    store.import_file(path, WiktionaryFormat(), "en", "zh")
    store.import_file(path, WiktionaryFormat(), "en", "uk")
    store.import_file(path, WiktionaryFormat(), "en", "de")
    zh = Lookup(store, "eng_Latn", "zho_Hans")
    assert zh.translate("bring").target_word == "带来"  # "帶來 /带来": the simplified form for zho_Hans
    uk = Lookup(store, "eng_Latn", "ukr_Cyrl")
    assert uk.translate("falcon").target_word == "сокіл"  # "со́кіл" without its stress mark
    de = Lookup(store, "eng_Latn", "deu_Latn").direct.by_key["bring"]
    assert [t.target_word for t in de[:2]] == ["bringen", "holen"] and de[0].pos == "VERB"


def test_panlex_bli_lexicon(store):
    report = store.import_file(PANLEX / "he-fi.test.2000.cc.trans", PanlexBliFormat(), "he", "fi")
    distinct = set((PANLEX / "he-fi.test.2000.cc.trans").read_text(encoding="utf-8").splitlines())
    assert report.pairs_read == len(distinct) == 1997 and report.skipped_lines == 0  # the file repeats 3 lines
    first_line = (PANLEX / "he-fi.test.2000.cc.trans").read_text(encoding="utf-8").splitlines()[0]
    source, target = first_line.split("\t")
    assert Lookup(store, "heb_Hebr", "fin_Latn", skip_identity=False).translate(source).target_word == target


def test_panlex_csv_dump_pairs_expressions_that_share_a_meaning(store, tmp_path):
    # A hand-made dump in PanLex's CSV export layout (no real dump is available offline).
    (tmp_path / "langvar.csv").write_text("id,lang_code,var_code,name_expr\n1,eng,0,10\n2,deu,0,11\n3,fra,0,12\n")
    (tmp_path / "expr.csv").write_text("id,langvar,txt\n1,1,house\n2,2,Haus\n3,3,maison\n4,1,tree\n5,2,Baum\n6,2,Gebäude\n")
    (tmp_path / "denotation.csv").write_text("id,meaning,expr\n1,100,1\n2,100,2\n3,100,3\n4,101,4\n5,101,5\n6,102,6\n")
    report = store.import_file(tmp_path, PanlexCsvFormat(), "eng-000", "deu-000")
    assert report.pairs_read == 2
    assert {(s, t) for s, t, _ in store.export("en", "de")} == {("house", "Haus"), ("tree", "Baum")}


@pytest.mark.parametrize("code", ["en", "eng", "eng_Latn", "eng-000", "English"])
def test_language_codes_are_normalised(store, tmp_path, code):
    path, _ = _muse_sample(tmp_path, n=20)
    store.import_file(path, MuseFormat(), code, "de")
    assert [(s, t) for s, t, _, _ in store.stats()] == [("eng_Latn", "deu_Latn")]


def test_remove_unknown_source_lists_known_ones(store, tmp_path):
    path, _ = _muse_sample(tmp_path, n=20)
    store.import_file(path, MuseFormat(), "en", "de", name="muse-sample")
    with pytest.raises(UnknownNameError, match="known: muse-sample"):
        store.remove_source("muse")


def test_reader_keeps_reading_while_an_import_writes(store, tmp_path):
    path, _ = _muse_sample(tmp_path, n=200)
    store.import_file(path, MuseFormat(), "en", "de", name="first")
    database = store.url.removeprefix("sqlite:///")
    counts, errors = [], []
    started, finish = threading.Event(), threading.Event()

    def read_during_import():
        reader = sqlite3.connect(database, timeout=0.2)  # a short timeout: a blocked reader fails
        assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        started.wait()
        try:
            while not finish.is_set():
                counts.append(reader.execute("SELECT count(*) FROM entries").fetchone()[0])
        except sqlite3.Error as error:
            errors.append(error)

    thread = threading.Thread(target=read_during_import)
    thread.start()
    started.set()
    store.import_file(MUSE / "en-fr.txt", MuseFormat(), "en", "fr", name="big")
    finish.set()
    thread.join()
    assert not errors and counts and min(counts) >= 200


@pytest.mark.skipif(not os.environ.get("PRETTY_TEST_POSTGRES_URL"),
                    reason="set PRETTY_TEST_POSTGRES_URL (a scratch PostgreSQL database) to run")
def test_postgresql_store_round_trip(tmp_path):
    """The same store on PostgreSQL: migrations, merged import, look-up, removal (needs a server and psycopg)."""
    from pretty_framework.store.database import downgrade, upgrade

    shared = DictionaryStore(os.environ["PRETTY_TEST_POSTGRES_URL"])
    downgrade(shared.engine)
    upgrade(shared.engine)
    path, _ = _muse_sample(tmp_path, pair="en-fr", n=2000)
    assert shared.import_file(path, MuseFormat(), "en", "fr", name="muse").entries_added == 2000
    assert shared.import_file(path, MuseFormat(), "en", "fr", name="muse").already_imported
    wiktionary = shared.import_file(KAIKKI / "en-en-extract.jsonl", WiktionaryFormat(), "en", "fr", name="wikt")
    assert wiktionary.entries_linked >= wiktionary.entries_added > 0
    assert Lookup(shared, "eng_Latn", "fra_Latn").translate("bring") is not None
    shared.remove_source("wikt")
    assert shared.remove_source("muse") == 2000 and _entries(shared) == 0
    downgrade(shared.engine)
    shared.close()


def test_progress_is_called_for_every_record(store, tmp_path):
    path, _ = _muse_sample(tmp_path, n=2500)
    calls = []
    store.import_file(path, MuseFormat(), "en", "de", progress=calls.append)
    assert sum(calls) == 2500 and len(calls) == 3  # every 1000 records, then the rest


def test_a_gzip_file_and_its_plain_twin_are_one_resource(store, tmp_path):
    _, lines = _muse_sample(tmp_path, n=300)
    path = tmp_path / "tabs.txt"  # tab-separated: MUSE and PanLex-BLI both read it
    path.write_text("\n".join(line.replace(" ", "\t") for line in lines) + "\n", encoding="utf-8")
    twin = tmp_path / "twin.txt.gz"
    twin.write_bytes(gzip.compress(path.read_bytes()))
    assert file_checksum(twin) == file_checksum(path)
    store.import_file(path, MuseFormat(), "en", "de", name="plain")
    again = store.import_file(twin, MuseFormat(), "en", "de", name="zipped")
    assert again.already_imported and again.source == "plain" and again.entries_linked == 300
    assert [s.name for s in store.sources()] == ["plain"]
    # The same content for another pair, or read by another format, is another resource.
    assert not store.import_file(twin, MuseFormat(), "en", "fr", name="as-en-fr").already_imported
    assert not store.import_file(twin, PanlexBliFormat(), "en", "de", name="as-bli").already_imported


def test_a_store_made_before_content_checksums_still_knows_its_bundled_files(store):
    """Stores made earlier recorded a .gz file's byte checksum: the bundled file must not look 'different'."""
    from pretty_framework.store.bundled import bundled_for, ensure_bundled

    shipped = bundled_for("eng_Latn", "ukr_Cyrl")[0]
    ensure_bundled(store, "eng_Latn", "ukr_Cyrl")
    byte_checksum = hashlib.sha256(shipped.path.read_bytes()).hexdigest()
    with store.engine.begin() as conn:
        conn.execute(update(Source).values(checksum=byte_checksum))
    assert ensure_bundled(store, "eng_Latn", "ukr_Cyrl")[0].already_imported


def test_export_of_an_unknown_source_names_the_known_ones(store, tmp_path):
    path, _ = _muse_sample(tmp_path, n=20)
    store.import_file(path, MuseFormat(), "en", "de", name="muse-sample")
    with pytest.raises(UnknownNameError, match="unknown dictionary source 'typo'; known: muse-sample"):
        store.export("en", "de", "typo")
    assert len(list(store.export("en", "de", "muse-sample"))) == 20


def test_opening_a_current_store_takes_no_write_lock(store, tmp_path, monkeypatch):
    """A decode opening the store while an import writes must not queue behind it (the migration is skipped)."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 1)  # a wait would end in 'database is locked' at once
    writer = sqlite3.connect(store.url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        reopened = DictionaryStore(store.url)
        assert reopened.sources() == []
        with pytest.raises(StoreError, match="another process held its write lock"):
            reopened.remove_source("anything")  # a write does wait, and then says why it gave up
        reopened.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_schema_newer_than_the_code_is_a_clear_error(store):
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="has schema revision '9999', newer than this pretty-framework knows"):
        DictionaryStore(store.url)


def test_a_failed_import_leaves_no_language_behind(store, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("house Haus\nbroken\n")
    with pytest.raises(InputError):
        store.import_file(bad, MuseFormat(), "en", "sw")
    assert store.language_id("sw") is None
