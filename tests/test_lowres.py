"""The low-resource word-list importers (plugin pretty_lowres) on the real lists, and tone folding in look-ups."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import SHARED_DATA, flores_lines

from pretty_framework.cli import cli
from pretty_framework.errors import InputError
from pretty_framework.plugin.manager import get_plugins
from pretty_framework.store import DictionaryStore, Lookup
from pretty_framework.store.normalize import fold_tones, written_form

LOWRES = SHARED_DATA / "lowres"


def _lists():
    if not LOWRES.is_dir():
        pytest.skip(f"real low-resource lists not found at {LOWRES}")
    return LOWRES


def _read(fmt: str, name: str, src: str, tgt: str):
    importer = get_plugins().dictionary_formats.get(fmt)()
    return list(importer.read(_lists() / name, src, tgt))


@pytest.mark.parametrize(("fmt", "name", "src", "tgt", "at_least", "pair"), [
    ("wiktionary-bli", "sw-en.wiktionary_bli.tsv", "swh_Latn", "eng_Latn", 7000, ("kazi", "work")),
    ("wiktionary-bli", "sw-en.wiktionary_bli.tsv", "eng_Latn", "swh_Latn", 7000, ("work", "kazi")),  # reversed
    ("vuizur-wiktionary", "ha-en.vuizur_wiktionary.tsv", "hau_Latn", "eng_Latn", 2000, ("'ya", "daughter")),
    ("vuizur-wiktionary", "ha-en.vuizur_wiktionary.tsv", "eng_Latn", "hau_Latn", 2000, ("daughter", "'ya")),
    ("vuizur-wiktionary", "zu-en.vuizur_wiktionary.tsv", "eng_Latn", "zul_Latn", 5000, ("explain", "chaza")),
    ("igbo-api", "ig-en.igbo_api.json", "eng_Latn", "ibo_Latn", 10000, None),
    ("dsfsi-bilex", "en-zu.dsfsi_bilex.json", "eng_Latn", "zul_Latn", 18000, ("liver", "isibindi")),
    ("dsfsi-bilex", "en-zu.dsfsi_bilex.json", "zul_Latn", "eng_Latn", 18000, ("isibindi", "liver")),
    ("naijasenti", "en-ha.naijasenti_pos.csv", "eng_Latn", "hau_Latn", 3900, None),
])
def test_each_real_list_imports_in_either_direction(fmt, name, src, tgt, at_least, pair):
    records = _read(fmt, name, src, tgt)
    pairs = [(r.source_word, r.target_word) for r in records if hasattr(r, "source_word")]
    assert len(pairs) >= at_least and len(pairs) == len(records)  # no malformed line in the real files
    if pair is not None:
        assert pair in pairs
    assert all(source and target and "<" not in target + source for source, target in pairs)


def test_yoruba_translations_are_written_with_tone_marks_as_flores_writes_them():
    pairs = {r.source_word: r.target_word for r in _read("vuizur-wiktionary", "yo-en.vuizur_wiktionary.tsv",
                                                         "eng_Latn", "yor_Latn") if r.rank == 1}
    assert fold_tones(pairs["concern"]) != pairs["concern"]  # àníyàn, not aniyan


def test_igbo_mojibake_is_repaired():
    targets = {r.target_word for r in _read("naijasenti", "en-ig.naijasenti_neg.csv", "eng_Latn", "ibo_Latn")}
    assert not [t for t in targets if "á»" in t or "Ã" in t]


def test_glosses_are_short_translations_not_definitions():
    records = _read("igbo-api", "ig-en.igbo_api.json", "ibo_Latn", "eng_Latn")
    assert all(len(r.target_word.split()) <= 3 and not r.target_word.lower().startswith("see ") for r in records)
    assert not [r for r in records if r.source_word.startswith("-")]


@pytest.mark.parametrize(("fmt", "content", "message"), [
    ("dsfsi-bilex", b'{"en-zul": [', "invalid JSON"),
    ("dsfsi-bilex", b'{"en-xho": []}', "no member for zul_Latn"),
    ("igbo-api", b"[1, 2]", "expected one JSON object"),
    ("igbo-api", b'{"a": "\xff"}', "not valid UTF-8"),
    ("naijasenti", b"english,hausa\nx,y\n", "expected a header naming the columns"),
])
def test_malformed_files_are_one_clear_error(tmp_path, fmt, content, message):
    path = tmp_path / "list.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as error:
        _read_path(fmt, path, "eng_Latn", "zul_Latn")
    assert str(path) in str(error.value)


def _read_path(fmt, path, src, tgt):
    return list(get_plugins().dictionary_formats.get(fmt)().read(path, src, tgt))


def test_a_bad_line_is_named(tmp_path):
    path = tmp_path / "sw-en.tsv"
    path.write_bytes("kazi\twork\nno tab here\n\xff\xfe\twork\n".encode("utf-8", "surrogateescape")
                     .replace(b"\xc3\xbf\xc3\xbe", b"\xff\xfe"))
    bad = [r for r in _read_path("wiktionary-bli", path, "swh_Latn", "eng_Latn") if not hasattr(r, "source_word")]
    assert [(b.line, b.reason.split(" ")[0]) for b in bad] == [(2, "expected"), (3, "not")]


@pytest.mark.parametrize(("src", "tgt", "named"), [("en", "de", "pairs a language with English"),
                                                   ("en", "ha", "file name says it pairs")])
def test_the_languages_must_be_the_files(tmp_path, src, tgt, named):
    from pretty_framework.languages import normalize_language

    path = tmp_path / "sw-en.list.tsv"
    path.write_text("kazi\twork\n", encoding="utf-8")
    if src == "en" and tgt == "de":
        src, tgt = "de", "fr"
    with pytest.raises(InputError, match=named):
        _read_path("wiktionary-bli", path, normalize_language(src), normalize_language(tgt))


def test_the_walk_through_imports_and_covers_the_dev_text(tmp_path):
    lists = _lists()
    db = str(tmp_path / "lowres.sqlite")
    runner = CliRunner()
    for name, fmt in (("yo-en.wiktionary_bli.tsv", "wiktionary-bli"), ("en-yo.naijasenti_pos.csv", "naijasenti")):
        result = runner.invoke(cli, ["dict", "import", str(lists / name), "--format", fmt, "--src", "en",
                                     "--tgt", "yo", "--db", db], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    english = tmp_path / "dev.eng_Latn"
    english.write_text("\n".join(flores_lines("eng_Latn", 50)) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["dict", "stats", "--coverage", str(english), "--src", "en", "--tgt", "yo",
                                 "--json", "--db", db], catch_exceptions=False)
    coverage = json.loads(result.output)["coverage"]
    assert coverage["lines_with_prior"] >= 45 and coverage["words_translated"] > 100
    # both sources serve the pair: a word only NaijaSenti has still gets a prior (back-off across sources)
    store = DictionaryStore(db)
    lookup = Lookup(store, "eng_Latn", "yor_Latn")
    assert len(lookup.translate("abandon").sources) >= 1 and lookup.translate("work") is not None
    store.close()


def test_tone_marks_are_folded_to_match_the_text(tmp_path):
    """Yoruba lists write no tones, Flores Yoruba does: 'bẹ̀rẹ̀' in the text finds 'bẹrẹ' in the list."""
    path = tmp_path / "yo-en.tsv"
    path.write_text("bẹrẹ\tstart\nọmọ\tchild\n", encoding="utf-8")
    store = DictionaryStore(str(tmp_path / "fold.sqlite"))
    store.import_file(path, get_plugins().dictionary_formats.get("wiktionary-bli")(), "yo", "en")
    folded = Lookup(store, "yor_Latn", "eng_Latn")
    assert folded.translate("bẹ̀rẹ̀").target_word == "start"
    assert folded.translate("ọmọ").exact and not folded.translate("ọ̀mọ́").exact
    assert folded.prior("Ó bẹ̀rẹ̀ iṣẹ́ náà.").translation.target_word == "Start"
    strict = Lookup(store, "yor_Latn", "eng_Latn", fold_tones=False)
    assert strict.translate("bẹ̀rẹ̀") is None
    assert folded.translate("bere") is None  # under-dots are letters, not tones
    store.close()


@pytest.mark.parametrize(("word", "language", "written"), [
    ("ụ̀nọ̀", "ibo_Latn", "ụnọ"), ("Àlhàmîs", "hau_Latn", "Alhamis"), ("àníyàn", "yor_Latn", "àníyàn"),
    ("kazi", "swh_Latn", "kazi"), ("à", "fra_Latn", "à"),
])
def test_priors_are_written_as_the_language_writes(word, language, written):
    assert written_form(word, language) == written


def test_definitions_give_no_fragment_translations():
    """'The orisha of motherhood, water and the sea' is no translation of 'water'; names translate nothing."""
    pairs = {}
    for record in _read("vuizur-wiktionary", "yo-en.vuizur_wiktionary.tsv", "eng_Latn", "yor_Latn"):
        pairs.setdefault(record.source_word, []).append(record.target_word)
    assert "omi" in pairs["water"] and "Yemọja" not in pairs["water"]
    assert all(record.pos != "PROPN" for record in _read("vuizur-wiktionary", "ha-en.vuizur_wiktionary.tsv",
                                                           "eng_Latn", "hau_Latn"))
