"""Input readers on real files (shared/data) and on malformed ones: one clear InputError, never a traceback."""

from __future__ import annotations

import gzip
import io
import json
import shutil

import click
import pytest
from click.testing import CliRunner
from conftest import FLORES, SHARED_DATA, flores_lines
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pretty_framework.api import pos_item_words
from pretty_framework.cli.decode import item_source_options, load_items
from pretty_framework.errors import InputError
from pretty_framework.io.inputs import (
    Fields,
    detect_format,
    flores_files,
    read_conllu,
    read_dataset,
    read_input,
    read_jsonl,
    read_stream,
    read_text,
)

UD_FRENCH = SHARED_DATA / "ud" / "fr_gsd-ud-test.conllu"


def _real(path):
    if not path.is_file():
        pytest.skip(f"real data not found at {path}")
    return path


# -- FLORES-200 layouts ------------------------------------------------------------------------------------
def test_the_opus_layout_of_shared_data_is_found():
    _real(FLORES / "dev.eng_Latn")
    source, reference = flores_files(FLORES, "dev", "eng_Latn", "ibo_Latn")
    assert (source.name, reference.name) == ("dev.eng_Latn", "dev.ibo_Latn")


@pytest.fixture
def official_layout(tmp_path):
    """The official release's layout, flores200_dataset/dev/eng_Latn.dev, built from the real dev files."""
    root = tmp_path / "flores200_dataset"
    (root / "dev").mkdir(parents=True)
    (root / "devtest").mkdir()
    for code in ("eng_Latn", "ibo_Latn"):
        shutil.copy(_real(FLORES / f"dev.{code}"), root / "dev" / f"{code}.dev")
    with gzip.open(root / "dev" / "zul_Latn.dev.gz", "wb") as handle:
        handle.write(_real(FLORES / "dev.zul_Latn").read_bytes())
    return root


def test_the_official_layout_is_found(official_layout):
    source, reference = flores_files(official_layout, "dev", "eng_Latn", "ibo_Latn")
    assert (source.relative_to(official_layout).as_posix(), reference.name) == ("dev/eng_Latn.dev", "ibo_Latn.dev")
    _, zulu = flores_files(official_layout, "dev", "eng_Latn", "zul_Latn")
    assert [i.source for i in read_text(zulu)[:3]] == flores_lines("zul_Latn", 3)


def test_a_missing_flores_file_names_what_is_there(official_layout):
    with pytest.raises(InputError, match=r"dev.hau_Latn \(nor dev/hau_Latn.dev.*present: dev/eng_Latn.dev, "
                                         r"dev/ibo_Latn"):
        flores_files(official_layout, "dev", "eng_Latn", "hau_Latn")
    with pytest.raises(InputError, match="split folders: dev, devtest"):
        flores_files(official_layout, "test", "eng_Latn", "ibo_Latn")


def test_load_items_reads_the_official_layout_with_references(official_layout):
    items = load_items(None, "auto", None, official_layout, "dev", "eng_Latn", "ibo_Latn", 5)
    assert [i.reference for i in items] == flores_lines("ibo_Latn", 5)


# -- gzip ---------------------------------------------------------------------------------------------------
def test_gzip_is_recognised_by_content_and_suffix(tmp_path):
    lines = flores_lines("yor_Latn", 20)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    (tmp_path / "yo.txt.gz").write_bytes(gzip.compress(data))
    (tmp_path / "yo.txt").write_bytes(gzip.compress(data))  # no suffix: the magic bytes tell
    for name in ("yo.txt.gz", "yo.txt"):
        assert [i.source for i in read_input(tmp_path / name)] == lines


def test_compressed_jsonl_is_jsonl(tmp_path):
    records = [{"id": f"s{i}", "source": line} for i, line in enumerate(flores_lines("eng_Latn", 5))]
    path = tmp_path / "items.jsonl.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode()))
    assert detect_format(path) == "jsonl"
    assert [(i.id, i.source) for i in read_input(path)] == [(r["id"], r["source"]) for r in records]


@pytest.mark.parametrize("name", ["broken.txt.gz", "broken.jsonl.gz", "broken.conllu.gz"])
def test_a_corrupt_gzip_is_one_error_naming_the_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(gzip.compress(b"hello\n" * 1000)[:40])
    with pytest.raises(InputError, match="gzip") as error:
        read_input(path)
    assert str(path) in str(error.value)


# -- JSONL with named fields ----------------------------------------------------------------------------------
def test_jsonl_fields_can_be_named(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text('{"key": "a", "en": "Hello.", "sw": "Habari."}\n{"key": "b", "en": "Bye.", "sw": "Kwaheri."}\n',
                    encoding="utf-8")
    items = read_jsonl(path, Fields(source="en", reference="sw", id="key"))
    assert [(i.id, i.source, i.reference) for i in items] == [("a", "Hello.", "Habari."), ("b", "Bye.", "Kwaheri.")]
    with pytest.raises(InputError, match=r"pairs.jsonl:1: expected an object with a string 'source' field "
                                         r"\(fields here: key, en, sw\)"):
        read_jsonl(path)


def _listing_command():
    @click.command()
    @click.option("-i", "--input", "input_path")
    @click.option("--input-format", default="auto")
    @item_source_options
    def listing(input_path, input_format):
        for item in load_items(input_path, input_format, None, None, "dev", "eng_Latn", "swh_Latn", None):
            click.echo(json.dumps([item.id, item.source, item.reference]))
    return listing


def test_the_field_options_reach_load_items(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text('{"key": "a", "en": "Hello.", "sw": "Habari."}\n', encoding="utf-8")
    result = CliRunner().invoke(_listing_command(), ["-i", str(path), "--source-field", "en", "--reference-field",
                                                     "sw", "--id-field", "key"], catch_exceptions=False)
    assert json.loads(result.output) == ["a", "Hello.", "Habari."]


def test_invalid_utf8_on_standard_input_is_one_clear_error():
    result = CliRunner().invoke(_listing_command(), [], input=b"fine\nnot \xff fine\n")
    assert result.exit_code == 1 and isinstance(result.exception, InputError)
    assert str(result.exception).startswith("<stdin>:2: not valid UTF-8 (byte 0xff at column 5)")


# -- CoNLL-U as decode input ------------------------------------------------------------------------------------
def test_conllu_is_one_item_per_sentence_with_its_words():
    path = _real(UD_FRENCH)
    assert detect_format(path) == "conllu"
    items = read_input(path)
    sentences = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# sent_id"))
    assert len(items) == sentences and len(items) < 1000
    first = items[0]
    assert pos_item_words(first) == first.fields["words"] and len(first.fields["upos"]) == len(first.fields["words"])
    assert items == read_conllu(path)


def test_a_gzip_conllu_reads_like_the_plain_one(tmp_path):
    path = tmp_path / "fr.conllu.gz"
    path.write_bytes(gzip.compress(_real(UD_FRENCH).read_bytes()))
    assert read_input(path)[:20] == read_conllu(UD_FRENCH)[:20]


# -- malformed input ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("content", "fmt", "message"), [
    (b"one\ntwo \x00 three\n", "text", r":2: a NUL byte: this is a binary file"),
    ("hello\n".encode("utf-16"), "text", "UTF-16"),
    (b'{"source": "a"}\n{"source": \n', "jsonl", r":2: invalid JSON"),
    (b'{"source": "a", "id": 1}\n{"source": "b", "id": 1}\n', "jsonl", r":2: id '1' already used by record 1"),
    (b'["a"]\n', "jsonl", r":1: expected an object with a string 'source' field, got a JSON list"),
    (b'{"source": "a", "reference": 3}\n', "jsonl", r":1: 'reference' must be a string"),
    (b"1\tLe\tle\tDET\n", "conllu", r":1: a CoNLL-U token line has 10 tab-separated columns, got 4"),
    (b"ok\n\xc3\x28\n", "conllu", r":2: not valid UTF-8"),
])
def test_malformed_files_are_one_clear_error(tmp_path, content, fmt, message):
    path = tmp_path / f"input.{fmt}"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as error:
        read_input(path, fmt)
    assert str(error.value).startswith(str(path))


def test_a_missing_or_folder_input_is_named(tmp_path):
    with pytest.raises(InputError, match="input file not found"):
        read_input(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_input(tmp_path)


# -- properties: any bytes, any endings ----------------------------------------------------------------------
FORMAT_NAMES = ("text", "jsonl", "conllu")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), fmt=st.sampled_from(FORMAT_NAMES), compress=st.booleans())
def test_random_bytes_give_items_or_an_input_error(tmp_path, data, fmt, compress):
    path = tmp_path / f"random.{fmt}"
    path.write_bytes(gzip.compress(data) if compress else data)
    for read in (lambda: read_input(path, fmt), lambda: read_stream(io.BytesIO(path.read_bytes()), "<stdin>", fmt)):
        try:
            items = read()
        except InputError as error:
            assert "\n" not in str(error)
            continue
        assert isinstance(items, list)


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00\ufeff"),
                              max_size=30), max_size=20),
       ending=st.sampled_from(["\n", "\r\n", "\r"]), encoding_bom=st.booleans())
def test_text_lines_survive_any_line_ending(lines, ending, encoding_bom):
    data = ("\ufeff" if encoding_bom else "") + "".join(line + ending for line in lines)
    items = read_stream(io.BytesIO(data.encode("utf-8")))
    assert [item.source for item in items] == lines  # every line, never half the input


@settings(max_examples=100, deadline=None)
@given(lines=st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20),
                     min_size=1, max_size=10), bad=st.integers(min_value=0, max_value=9))
def test_a_bad_line_anywhere_stops_the_whole_read(lines, bad):
    bad = bad % len(lines)
    raw = [line.encode("utf-8").replace(b"\n", b" ").replace(b"\r", b" ") for line in lines]
    raw[bad] = raw[bad] + b"\xff"
    with pytest.raises(InputError, match=f"<stdin>:{bad + 1}: not valid UTF-8"):
        read_stream(io.BytesIO(b"\n".join(raw)))


# -- Hugging Face datasets (optional extra) -------------------------------------------------------------------
def test_datasets_missing_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "datasets", None)
    with pytest.raises(InputError, match=r"pip install 'pretty-framework\[datasets\]'"):
        read_dataset("some/dataset", "dev")


@pytest.fixture
def real_pairs():
    return [{"id": str(i), "en": s, "ha": r} for i, (s, r) in
            enumerate(zip(flores_lines("eng_Latn", 8), flores_lines("hau_Latn", 8)))]


def test_a_parquet_file_and_a_saved_dataset_are_read_with_field_mapping(tmp_path, real_pairs):
    datasets = pytest.importorskip("datasets")
    table = datasets.Dataset.from_list(real_pairs)
    table.to_parquet(str(tmp_path / "pairs.parquet"))
    datasets.DatasetDict({"dev": table}).save_to_disk(str(tmp_path / "saved"))
    fields = Fields(source="en", reference="ha")
    for source in (tmp_path / "pairs.parquet", tmp_path / "saved"):
        items = read_dataset(str(source), "dev", fields)
        assert [(i.id, i.source, i.reference) for i in items] == [(p["id"], p["en"], p["ha"]) for p in real_pairs]
    with pytest.raises(InputError, match="expected an object with a string 'source' field"):
        read_dataset(str(tmp_path / "pairs.parquet"), "dev")
    with pytest.raises(InputError, match="devtest"):
        read_dataset(str(tmp_path / "saved"), "devtest", fields)


@pytest.mark.parametrize(("name", "content"), [("broken.parquet", b"PAR1 not really parquet"),
                                               ("table.xlsx", b"PK\x03\x04")])
def test_a_bad_dataset_file_is_one_clear_error(tmp_path, name, content):
    pytest.importorskip("datasets")
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=name):
        read_dataset(str(path), "dev")
