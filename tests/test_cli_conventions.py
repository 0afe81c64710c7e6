"""One convention across commands: the same names for the same things, choices in help, --json listings,
--no-progress that silences every bar, eval that scores what needs no language, eval against a baseline."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FLORES

from pretty_framework.cli import cli

ROOT = Path(__file__).resolve().parents[1]
MUSE = ROOT / "benchmarks" / "results" / "paper-mt" / "outputs" / "gemma3-270m" / "en-de"


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("command", ["decode", "eval"])
def test_task_choices_are_listed_in_help(command):
    text = invoke(command, "--help").output
    assert "--task [pos|summarization|translation]" in text and "-r, --reference" in text


def test_decode_lists_its_backends():
    assert "--backend [llama.cpp|openai|transformers]" in invoke("decode", "--help").output


def test_an_unknown_task_is_still_the_registry_s_one_line_error(tmp_path):
    (tmp_path / "h.txt").write_text("Hallo.\n")
    result = invoke("eval", str(tmp_path / "h.txt"), "-r", str(tmp_path / "h.txt"), "--task", "parsing")
    assert result.exit_code == 1 and "unknown task 'parsing'" in result.output and "known: pos" in result.output


@pytest.mark.parametrize("args", [["eval", "--help"], ["run", "--help"], ["analyze", "--help"]])
def test_help_loads_no_torch(args):
    code = (f"from pretty_framework.cli import cli; cli({args!r}, standalone_mode=False); import sys; "
            "print([m for m in ('torch', 'transformers') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_analyze_names_its_models_like_decode_and_keeps_the_old_names_hidden(tmp_path):
    text = invoke("analyze", "--help").output
    assert "-m, --model" in text and "--sft-model" in text
    assert "--foundation" not in text and "--sft " not in text
    flat = " ".join(text.split())
    assert "share one tokenizer" in flat and "(gemma3-270m, smollm2-135m-instruct) does not share a tokenizer" in flat
    (tmp_path / "one.txt").write_text("Hello.\n")
    for option in ("-m", "--foundation"):
        result = invoke("analyze", "--src", "en", "--tgt", "de", "-i", str(tmp_path / "one.txt"), option,
                        "no-such-model", "-o", str(tmp_path / "out"))
        assert result.exit_code == 1 and "unknown model 'no-such-model'" in result.output
    both = invoke("analyze", "--src", "en", "--tgt", "de", "-i", str(tmp_path / "one.txt"), "-m", "a",
                  "--foundation", "b", "-o", str(tmp_path / "out"))
    assert both.exit_code == 1 and "--foundation is the old name of -m/--model" in both.output


@pytest.mark.parametrize("command", ["plugins", "providers", "models", "languages"])
def test_listings_have_json(command):
    result = invoke(command, "--json")
    assert result.exit_code == 0, result.output
    listing = json.loads(result.output)
    assert listing


def test_providers_json_names_options_and_tasks():
    providers = {entry["name"]: entry for entry in json.loads(invoke("providers", "--json").output)}
    assert providers["oracle"]["tasks"] is None and providers["oracle"]["plugin"] == "basic"
    assert providers["text"]["options"]["text"]["type"] == "str | None"


def _hypotheses(tmp_path: Path, name: str) -> tuple[Path, Path]:
    path = MUSE / f"{name}.jsonl"
    if not path.is_file():
        pytest.skip("the committed paper-mt outputs are not here")
    records = [json.loads(line) for line in path.read_text().splitlines()]
    hypotheses, references = tmp_path / f"{name}.txt", tmp_path / "ref.de"
    hypotheses.write_text("".join(record["output"].replace("\n", " ") + "\n" for record in records))
    references.write_text("".join(record["reference"] + "\n" for record in records))
    return hypotheses, references


def test_eval_without_a_language_scores_what_needs_none_and_says_what_it_skipped(tmp_path):
    hypotheses, references = _hypotheses(tmp_path, "pseudo-prior-MUSE-dictionary__kdefault__default")
    result = invoke("eval", str(hypotheses), "-r", str(references))
    assert result.exit_code == 0, result.output
    assert "BLEU = " in result.stdout and "chrF = " in result.stdout and " ± " in result.stdout
    assert "langid skipped: target-lang% needs the target language: give --tgt" in result.stderr


def test_eval_against_a_baseline_gives_p_values(tmp_path):
    system, references = _hypotheses(tmp_path, "oracle-prior__kdefault__default")
    baseline, _ = _hypotheses(tmp_path, "Base-Prompting__kdefault__prompting")
    result = invoke("eval", str(system), "-r", str(references), "--tgt", "de", "--baseline", str(baseline), "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["p_values"]["BLEU"] < 0.01 and scores["p_values"]["chrF"] < 0.01
    assert set(scores["p_values"]) == {"BLEU", "chrF", "target-lang%"}
    text = invoke("eval", str(system), "-r", str(references), "--tgt", "de", "--baseline", str(baseline), "-M", "bleu")
    assert "against the baseline" in text.output


def test_eval_without_resampling_has_no_intervals(tmp_path):
    hypotheses, references = _hypotheses(tmp_path, "pseudo-prior-MUSE-dictionary__kdefault__default")
    result = invoke("eval", str(hypotheses), "-r", str(references), "--bootstrap", "0", "-M", "chrf", "--json")
    assert json.loads(result.output)["intervals"] == {}


def test_no_progress_silences_the_model_loaders_bars(tmp_path, monkeypatch):
    from transformers.utils import logging as transformers_logging

    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "0")  # restored after the test
    (tmp_path / "h.txt").write_text("Hallo Welt.\n")
    try:
        transformers_logging.enable_progress_bar()
        result = invoke("eval", str(tmp_path / "h.txt"), "-r", str(tmp_path / "h.txt"), "-M", "chrf", "--no-progress")
        assert result.exit_code == 0, result.output
        assert not transformers_logging.is_progress_bar_enabled()
    finally:
        transformers_logging.enable_progress_bar()


def test_run_limit_and_set_are_one_override(tmp_path):
    path = ROOT / "examples" / "experiments" / "mt-small.yaml"
    result = invoke("run", str(path), "--dry-run", "-o", str(tmp_path), "--limit", "3", "--set", "pairs=[en-de]",
                    "--set", f"data.flores={FLORES}")
    assert result.exit_code == 0, result.output
    assert "to do (0/3)" in result.output and "en-zh" not in result.output
    bad = invoke("run", str(path), "--dry-run", "--set", "batch_size=0")
    assert bad.exit_code == 1 and "batch_size (--set): input should be greater than or equal to 1" in bad.output


def test_a_zero_bar_is_drawn_with_its_value(tmp_path, monkeypatch):
    from pretty_framework.experiments import figures
    from pretty_framework.experiments.config import Experiment

    drawn = []
    monkeypatch.setattr(figures, "_save", lambda figure, stem: drawn.append(figure) or [stem])
    exp = Experiment.model_validate({"name": "pos", "task": "pos", "pairs": ["fr-fr"], "data": {"conllu": "x"},
                                     "runs": [{"label": "Base"}, {"label": "+ prior", "provider": "spacy-pos"}]})
    rows = [{"run_index": i, "label": label, "model": "gemma3-270m", "pair": "fr-fr", "k": None, "template": None,
             "scores": {"POS-F1": value}} for i, (label, value) in enumerate([("Base", 0.0), ("+ prior", 6.1)])]
    assert figures.provider_figure(exp, rows, ["POS-F1"], tmp_path / "p", default_k=1)
    (figure,) = drawn
    assert [text.get_text() for text in figure.axes[0].texts] == ["0.0"]
    assert [label.get_text() for label in figure.axes[0].get_xticklabels()] == ["Base", "+ prior"]
