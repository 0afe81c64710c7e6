"""`pretty decode` takes every FLORES-200 language and every input shape, on the tiny model the tests build."""

from __future__ import annotations

import gzip
import json

import pytest
from click.testing import CliRunner
from conftest import FLORES, SHARED_DATA, flores_lines

from pretty_framework.cli import cli
from pretty_framework.io.records import Item
from pretty_framework.languages import flores_languages
from pretty_framework.plugin.manager import get_plugins


@pytest.fixture
def decode(tiny_model_dir):
    def run(*args, input=None):
        arguments = ["decode", "--model", str(tiny_model_dir), "--device", "cpu", "--dtype", "float32",
                     "--max-new-tokens", "3", *args]
        return CliRunner().invoke(cli, arguments, input=input)
    return run


def _records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("tgt", ["ibo_Latn", "quy_Latn", "Quechua", "yo", "zul_Latn"])
def test_decode_takes_low_resource_targets(decode, tmp_path, tgt):
    out = tmp_path / "out.jsonl"
    result = decode("--src", "en", "--tgt", tgt, "-o", str(out), input="The cat sat on the mat.\n")
    assert result.exit_code == 0, result.output
    assert len(_records(out)) == 1


def test_every_flores_language_gets_a_prompt_with_its_name():
    task = get_plugins().tasks.get("translation")
    item = Item("1", "The cat sat on the mat.")
    for language in flores_languages():
        prompt = task.prompt(item, "eng_Latn", language.code)
        assert language.name in prompt and "English" in prompt


def test_an_unknown_language_is_one_line_with_a_suggestion(decode):
    result = decode("--src", "en", "--tgt", "ibo_Ltn", input="Hello.\n")
    assert result.exit_code == 1
    assert "did you mean 'ibo_Latn'" in result.output and "Traceback" not in result.output


def test_decode_reads_the_official_flores_layout(decode, tmp_path):
    root = tmp_path / "flores200_dataset" / "dev"
    root.mkdir(parents=True)
    for code in ("eng_Latn", "hau_Latn"):
        (root / f"{code}.dev").write_bytes((FLORES / f"dev.{code}").read_bytes())
    out = tmp_path / "out.jsonl"
    result = decode("--flores", str(root.parent), "--src", "en", "--tgt", "ha", "--limit", "2", "-p", "oracle",
                    "-k", "1", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert [r["reference"] for r in _records(out)] == flores_lines("hau_Latn", 2)


def test_decode_reads_compressed_jsonl_with_named_fields(decode, tmp_path):
    path = tmp_path / "pairs.jsonl.gz"
    rows = [{"key": f"s{i}", "en": s, "sw": r} for i, (s, r) in
            enumerate(zip(flores_lines("eng_Latn", 2), flores_lines("swh_Latn", 2)))]
    path.write_bytes(gzip.compress("".join(json.dumps(row) + "\n" for row in rows).encode()))
    out = tmp_path / "out.jsonl"
    result = decode("-i", str(path), "--source-field", "en", "--reference-field", "sw", "--id-field", "key",
                    "--src", "en", "--tgt", "sw", "-p", "oracle", "-k", "1", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert [(r["id"], r["reference"]) for r in _records(out)] == [(row["key"], row["sw"]) for row in rows]


def test_decode_takes_conllu_one_item_per_sentence(decode, tmp_path):
    ud = SHARED_DATA / "ud" / "fr_gsd-ud-test.conllu"
    if not ud.is_file():
        pytest.skip("no UD data")
    sample = tmp_path / "fr.conllu"
    sample.write_text("\n\n".join(ud.read_text(encoding="utf-8").split("\n\n")[:3]) + "\n\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = decode("-i", str(sample), "--task", "pos", "--src", "fr", "--tgt", "fr", "-o", str(out))
    assert result.exit_code == 0, result.output
    records = _records(out)
    assert len(records) == 3 and all(r["fields"]["words"] for r in records)


def test_binary_standard_input_is_one_clear_error(decode):
    result = decode("--src", "en", "--tgt", "de", input=b"ok\n\x00\x01\x02binary\n")
    assert result.exit_code == 1 and "<stdin>:2: a NUL byte" in result.output
