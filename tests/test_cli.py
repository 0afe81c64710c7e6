"""`pretty` driven through click's test runner, on the tiny model built by the tests."""

import json

import pytest
from click.testing import CliRunner
from conftest import FLORES

from pretty_framework.cli import cli


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def decode_args(tiny_model_dir):
    return ["decode", "--src", "en", "--tgt", "de", "--model", str(tiny_model_dir), "--device", "cpu",
            "--dtype", "float32", "--max-new-tokens", "6", "--batch-size", "3"]


def _records(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_decode_flores_pair_to_jsonl(run, decode_args, tmp_path):
    out = tmp_path / "out.jsonl"
    result = run(*decode_args, "--flores", str(FLORES), "--limit", "4", "--provider", "oracle", "-k", "1", "-o", str(out))
    assert result.exit_code == 0, result.output
    records = _records(out)
    assert [r["id"] for r in records] == ["1", "2", "3", "4"]
    first = records[0]
    assert first["reference"].startswith(first["prior"]) and first["output"].startswith(first["prior"])
    assert first["provenance"] == {"provider": "oracle", "resource": "reference"}
    assert "provider:oracle" in first["signature"] and "pair:eng_Latn-deu_Latn" in first["signature"]


def test_decode_stdin_to_text(run, decode_args):
    result = run(*decode_args, "--provider", "text", "--prior", "Die", input="Hello world.\n\nGood night.\n")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and lines[1] == ""
    assert lines[0].startswith("Die") and lines[2].startswith("Die")


def test_resume_after_interruption_loses_and_duplicates_nothing(run, decode_args, tmp_path):
    flores = ["--flores", str(FLORES), "--limit", "7", "--provider", "oracle"]
    clean = tmp_path / "clean.jsonl"
    assert run(*decode_args, *flores, "-o", str(clean)).exit_code == 0
    expected = clean.read_text().splitlines()
    # An interrupted run: three complete lines and half of the fourth.
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(expected[:3]) + "\n" + expected[3][:25])
    result = run(*decode_args, *flores, "-o", str(broken), "--resume")
    assert result.exit_code == 0, result.output
    assert "3 of 7 items already done" in result.stderr
    assert broken.read_text().splitlines() == expected


def test_resume_refuses_another_runs_file(run, decode_args, tmp_path):
    out = tmp_path / "out.jsonl"
    assert run(*decode_args, "--flores", str(FLORES), "--limit", "2", "-o", str(out)).exit_code == 0
    result = run(*decode_args, "--flores", str(FLORES), "--limit", "2", "-k", "1", "--provider", "oracle",
                 "-o", str(out), "--resume")
    assert result.exit_code == 1 and "written by another run" in result.stderr


def test_existing_output_is_never_overwritten_silently(run, decode_args, tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("precious\n")
    result = run(*decode_args, "-o", str(out), "--format", "text", input="Hello.\n")
    assert result.exit_code == 1 and "use --resume" in result.stderr
    assert out.read_text() == "precious\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--provider", "muse-dic"], "unknown prior provider 'muse-dic'"),
        (["--tgt", "xx"], "unknown language 'xx'"),
        (["--input", "/no/such/file.txt"], "input file not found: /no/such/file.txt"),
        (["--model", "no-such-model"], "unknown model 'no-such-model'"),
        (["--model", "/no/such/model.gguf"], "model file not found: /no/such/model.gguf"),
        (["--prior", "Die"], "--prior goes with --provider text"),
        (["--provider", "text", "-O", "colour=red"], "invalid options for provider 'text'"),
        (["--template", "fancy"], "unknown template for task 'translation' 'fancy'; known: normal, prompting"),
    ],
)
def test_bad_input_gets_a_clear_error(run, decode_args, args, message):
    result = run(*decode_args, *args, input="Hello.\n")
    assert result.exit_code == 1
    assert message in result.stderr


def test_malformed_jsonl_names_file_and_line(run, decode_args, tmp_path):
    data = tmp_path / "in.jsonl"
    data.write_text('{"source": "Hello."}\n{"source": 3}\n')
    result = run(*decode_args, "-i", str(data))
    assert result.exit_code == 1 and f"{data}:2: expected an object with a string 'source'" in result.stderr


def test_wrong_encoding_is_a_clear_error(run, decode_args, tmp_path):
    data = tmp_path / "latin1.txt"
    data.write_bytes("Hello.\nCaf\xe9 au lait.\n".encode("latin-1"))
    result = run(*decode_args, "-i", str(data))
    assert result.exit_code == 1 and f"{data}:2: not valid UTF-8" in result.stderr


def test_plugins_and_providers_commands(run):
    listing = run("plugins").stdout
    assert "basic" in listing and "providers: none, text, oracle" in listing
    providers = run("providers").stdout
    assert "oracle  [plugin basic; tasks: all]" in providers and "-O text=" in providers
    assert "deu_Latn" in run("languages").stdout
