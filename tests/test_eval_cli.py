"""`pretty eval`: our JSONL (task, language and references from the records), plain text, CoNLL-U gold."""

import json

import pytest
from click.testing import CliRunner
from conftest import SHARED_DATA

from pretty_framework.cli import cli

SIGNATURE = "model:m|task:translation|pair:eng_Latn-deu_Latn|provider:none|k:2"


def test_eval_reads_task_language_and_references_from_our_records(tmp_path):
    records = [{"id": "1", "output": "Die Katze schläft auf der Matte.", "reference": "Die Katze schläft auf der Matte.",
                "parsed_ok": True, "signature": SIGNATURE},
               {"id": "2", "output": "", "reference": "Der Hund bellt laut.", "parsed_ok": False,
                "signature": SIGNATURE}]
    path = tmp_path / "out.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = CliRunner().invoke(cli, ["eval", str(path), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["task"] == "translation" and scores["target"] == "deu_Latn"
    assert scores["parse_failures"] == 1 and scores["n"] == 2
    assert scores["scores"]["target-lang%"] == pytest.approx(50.0)
    assert scores["signatures"]["BLEU"].startswith("nrefs:1|case:mixed|eff:no|tok:13a")
    text = CliRunner().invoke(cli, ["eval", str(path), "-M", "chrf"]).output
    assert text.startswith("chrF = ") and "items = 2, parse failures = 1" in text


def test_eval_plain_text_against_a_reference_file(tmp_path):
    (tmp_path / "hyp.txt").write_text("科学家宣布了\n")
    (tmp_path / "ref.txt").write_text("科学家宣布了\n")
    result = CliRunner().invoke(cli, ["eval", str(tmp_path / "hyp.txt"), "-r", str(tmp_path / "ref.txt"),
                                      "--tgt", "zh", "-M", "bleu", "-M", "rouge"])
    assert result.exit_code == 0, result.output
    assert "BLEU = 100.00" in result.output and "tok:zh" in result.output and "ROUGE-L = 100.00" in result.output


def test_eval_pos_against_conllu_gold(tmp_path):
    ud = SHARED_DATA / "ud" / "fr_gsd-ud-test.conllu"
    if not ud.is_file():
        pytest.skip("no UD data")
    from pretty_framework.io.inputs import read_conllu
    from pretty_framework.tasks.pos import format_pairs

    first = read_conllu(ud)[0]
    perfect = format_pairs(list(zip(first.fields["words"], first.fields["upos"])))
    (tmp_path / "pos.txt").write_text(perfect + "\n")
    result = CliRunner().invoke(cli, ["eval", str(tmp_path / "pos.txt"), "-r", str(ud), "--task", "pos"])
    assert result.exit_code == 0, result.output
    assert "POS-F1 = 100.00" in result.output


def test_eval_errors_are_clear(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"output": "x"}\n{"outp')
    result = CliRunner().invoke(cli, ["eval", str(tmp_path / "bad.jsonl")])
    assert result.exit_code == 1 and "bad.jsonl:2: invalid JSON" in result.output
    (tmp_path / "h.txt").write_text("a\nb\n")
    (tmp_path / "r.txt").write_text("a\n")
    result = CliRunner().invoke(cli, ["eval", str(tmp_path / "h.txt"), "-r", str(tmp_path / "r.txt"), "--tgt", "de"])
    assert result.exit_code == 1 and "has 1 entries but" in result.output
