"""Resume is exact or refused: the signature, the items and (where outputs depend on it) the batching must match."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import FLORES

from pretty_framework.cli import cli


@pytest.fixture
def decode(tiny_model_dir):
    if not (FLORES / "dev.eng_Latn").is_file():
        pytest.skip("real Flores data not found")

    def run(*args: str):
        base = ["decode", "--flores", str(FLORES), "--src", "en", "--tgt", "de", "-m", str(tiny_model_dir),
                "--max-new-tokens", "6", "--no-progress"]
        return CliRunner().invoke(cli, base + list(args))

    return run


def _lines(path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_a_run_cut_inside_a_window_resumes_to_exactly_the_uninterrupted_output(decode, tmp_path, dtype):
    whole, cut = tmp_path / "whole.jsonl", tmp_path / "cut.jsonl"
    args = ["--limit", "10", "-b", "3", "--sort-window", "2", "--dtype", dtype, "-p", "oracle", "-k", "1"]
    assert decode(*args, "-o", str(whole)).exit_code == 0
    # A kill inside the second window: four whole lines and half a line survive.
    lines = _lines(whole)
    cut.write_text("".join(lines[:4]) + lines[4][:30], encoding="utf-8")
    resumed = decode(*args, "-o", str(cut), "--resume")
    assert resumed.exit_code == 0 and "4 of 10 items already done" in resumed.output
    assert cut.read_bytes() == whole.read_bytes()


def test_other_batch_settings_are_refused_where_outputs_depend_on_them(decode, tmp_path):
    out = tmp_path / "out.jsonl"
    assert decode("--limit", "6", "-b", "2", "--dtype", "bfloat16", "-o", str(out)).exit_code == 0
    out.write_text("".join(_lines(out)[:3]), encoding="utf-8")
    refused = decode("--limit", "6", "-b", "4", "--dtype", "bfloat16", "-o", str(out), "--resume")
    assert refused.exit_code == 1 and "resume with -b 2 --sort-window 8" in refused.output
    # float32 outputs do not depend on the batch: any batch size may finish the run
    f32 = tmp_path / "f32.jsonl"
    assert decode("--limit", "6", "-b", "2", "--dtype", "float32", "-o", str(f32)).exit_code == 0
    f32.write_text("".join(_lines(f32)[:3]), encoding="utf-8")
    assert decode("--limit", "6", "-b", "4", "--dtype", "float32", "-o", str(f32), "--resume").exit_code == 0


@pytest.mark.parametrize("first, second, named", [
    (["-p", "text", "--prior", "Die"], ["-p", "text", "--prior", "Der"], "opts: text=Die != text=Der"),
    (["-p", "none"], ["-p", "none", "--no-repetition-guard"], "rep: on(16,3,12) != off"),
    (["-p", "none"], ["-p", "none", "--max-new-tokens", "5"], "max: 6 != 5"),
])
def test_a_resume_with_other_settings_is_refused_naming_the_fields(decode, tmp_path, first, second, named):
    out = tmp_path / "out.jsonl"
    assert decode("--limit", "4", *first, "-o", str(out)).exit_code == 0
    out.write_text("".join(_lines(out)[:2]), encoding="utf-8")
    refused = decode("--limit", "4", *second, "-o", str(out), "--resume")
    assert refused.exit_code == 1 and named in refused.output and "Traceback" not in refused.output


def test_a_resume_on_another_input_file_is_refused(tmp_path, tiny_model_dir):
    out = tmp_path / "out.jsonl"
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("The cat sat.\nA dog ran.\nBirds sing.\n", encoding="utf-8")
    second.write_text("The cat sat.\nA fox ran.\nBirds sing.\n", encoding="utf-8")  # same ids, item 2 differs
    common = ["decode", "--src", "en", "--tgt", "de", "-m", str(tiny_model_dir), "--max-new-tokens", "4",
              "--no-progress", "-o", str(out)]
    runner = CliRunner()
    assert runner.invoke(cli, common + ["-i", str(first)]).exit_code == 0
    out.write_text("".join(_lines(out)[:2]), encoding="utf-8")
    refused = runner.invoke(cli, common + ["-i", str(second), "--resume"])
    assert refused.exit_code == 1 and "another source text" in refused.output
    assert len(_lines(out)) == 2 and json.loads(_lines(out)[1])["source"] == "A dog ran."  # nothing mixed in


class _BatchEcho:
    """An engine whose every output names the rows it was batched with: what bf16 rounding depends on."""

    batch_invariant = False

    def decode_batch(self, items):
        from pretty_framework.io.records import DecodeResult

        together = ",".join(sorted(item.id for item in items))
        return [DecodeResult(item, together, together, "", None, True, "eos") for item in items]


@pytest.mark.parametrize("done", [0, 3, 8, 11])
def test_windows_stay_aligned_so_a_resumed_item_meets_the_same_batch(done):
    from pretty_framework.decoding.windows import run_engine
    from pretty_framework.io.outputs import ResultList
    from pretty_framework.io.records import Item

    items = [Item(str(i), "x" * (i * 7 % 13 + 1)) for i in range(20)]  # uneven lengths: sorting matters
    whole, resumed = ResultList(), ResultList()
    run_engine(_BatchEcho(), items, whole, batch_size=3, sort_window=3)
    run_engine(_BatchEcho(), items, resumed, done=done, batch_size=3, sort_window=3)
    assert [r.item.id for r in resumed.results] == [item.id for item in items[done:]]
    assert [r.output for r in resumed.results] == [r.output for r in whole.results[done:]]


def test_without_exactness_a_cut_window_would_batch_differently():
    """The check above can fail: decoding only the missing items of a cut window changes their batches."""
    from pretty_framework.decoding.windows import run_windows
    from pretty_framework.io.outputs import ResultList
    from pretty_framework.io.records import Item

    items = [Item(str(i), "x" * (i * 7 % 13 + 1)) for i in range(20)]
    engine, whole, resumed = _BatchEcho(), ResultList(), ResultList()
    decode = lambda batches: (engine.decode_batch(batch) for batch in batches)  # noqa: E731
    run_windows(items, whole, decode, batch_size=3, sort_window=3)
    run_windows(items, resumed, decode, done=3, exact=False, batch_size=3, sort_window=3)
    assert [r.output for r in resumed.results] != [r.output for r in whole.results[3:]]


@pytest.mark.skipif(not __import__("os").path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_is_one_clear_error_reported_once():
    from pathlib import Path

    from pretty_framework.errors import OutputError
    from pretty_framework.io.outputs import ResultWriter
    from pretty_framework.io.records import DecodeResult, Item

    writer = ResultWriter(Path("/dev/full"), "jsonl", "model:m|k:1", force=True)
    result = DecodeResult(Item("1", "The cat."), "Die Katze.", "Die Katze.", "Die", None, True, "eos")
    with pytest.raises(OutputError, match="cannot write /dev/full: No space left on device.*rerun with --resume"):
        writer.write([result])
    writer.close()  # the failure was reported once: closing does not raise it again
