"""Results a paper can use: intervals, paired tests against the baseline, averages over pairs, tables in Markdown,
LaTeX and CSV, figures as PNG and PDF, the environment in results.json, and the experiment file's overrides,
data checks and stale outputs. Real outputs: the committed paper-mt run (Gemma 3 270M), rescored, no model."""

import json
import shutil
from dataclasses import asdict
from pathlib import Path

import pytest
from conftest import FLORES

from pretty_framework.evaluation.scoring import evaluate
from pretty_framework.experiments import figures
from pretty_framework.experiments.config import (
    Experiment,
    ExperimentError,
    apply_overrides,
    check_data,
    load_experiment,
)
from pretty_framework.experiments.execute import expand
from pretty_framework.experiments.report import write_results
from pretty_framework.io.outputs import read_records
from pretty_framework.languages import normalize_language
from pretty_framework.plugin.manager import get_plugins

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "benchmarks" / "results" / "paper-mt" / "outputs"


def experiment(pairs=("en-de", "en-zh"), **table) -> Experiment:
    return Experiment.model_validate({
        "name": "paper-mt", "title": "Prior tokens for a 270M base model", "pairs": list(pairs),
        "models": ["gemma3-270m"], "data": {"flores": str(FLORES), "limit": 100},
        "metrics": ["bleu", "chrf", "ter", "langid"],
        "runs": [{"label": "SFT model alone", "provider": "sft", "direct": True, "options": {"max_new_tokens": 96}},
                 {"label": "Base (Prompting)", "provider": "none", "template": "prompting"},
                 {"label": "+ oracle prior", "provider": "oracle"},
                 {"label": "+ pseudo prior (MUSE dictionary)", "provider": "muse-dict"}],
        "table": {"metrics": ["BLEU", "chrF", "TER"], "sft_row": "SFT model alone", "baseline": "Base (Prompting)",
                  **table}})


def rescore(exp: Experiment, folder: Path, drop: tuple[str, str] | None = None) -> list[dict]:
    """What `pretty run` does once every configuration is decoded: score each output, then write the results."""
    plugins = get_plugins()
    task = plugins.tasks.get(exp.task)
    rows = []
    for configuration in expand(exp):
        if drop == (configuration.label, configuration.pair):
            continue  # a provider without a resource for the pair: its cell stays empty
        source = configuration.path(COMMITTED.parent)
        if not source.is_file():
            pytest.skip("the committed paper-mt outputs are not here")
        target = configuration.path(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
        tgt = normalize_language(configuration.pair.split("-")[1])
        rows.append({**asdict(configuration), "provider": exp.runs[configuration.run_index].provider,
                     "output": str(target.relative_to(folder)),
                     **evaluate(read_records(target), task, tgt, exp.metrics, registry=plugins.metrics)})
    write_results(exp, rows, folder, task, plugins.metrics)
    return rows


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("paper-mt")
    rescore(experiment(), folder)
    return folder


def test_results_json_has_intervals_tests_averages_and_the_environment(written):
    results = json.loads((written / "results.json").read_text())
    rows = {(row["label"], row["pair"]): row for row in results["rows"]}
    oracle = rows["+ oracle prior", "en-de"]
    assert oracle["baseline"] == "Base (Prompting)" and oracle["p_values"]["BLEU"] < 0.01
    assert 0 < oracle["intervals"]["chrF"]["ci"] < 5
    assert "p_values" not in rows["Base (Prompting)", "en-de"]  # the baseline is not tested against itself
    averages = {entry["system"]: entry for entry in results["averages"]}
    muse = averages["+ pseudo prior (MUSE dictionary)"]
    assert muse["scores"]["BLEU"] == pytest.approx((rows["+ pseudo prior (MUSE dictionary)", "en-de"]["scores"]["BLEU"]
                                                    + rows["+ pseudo prior (MUSE dictionary)", "en-zh"]["scores"][
                                                        "BLEU"]) / 2)
    assert muse["p_values"]["chrF"] < 0.05 and 0 < muse["intervals"]["BLEU"]["ci"] < 3
    environment = results["environment"]
    assert {"pretty-framework", "sacrebleu"} <= set(environment["packages"]) and environment["python"]
    assert environment["machine"]["cores"] >= 1 and environment["date"].startswith("20")
    assert environment["git"] is None or len(environment["git"]["commit"]) == 40
    assert len(environment["run_signatures"]) == 8
    assert all("provider:" in signature for signature in environment["run_signatures"].values())
    assert results["significance"]["baseline"] == "Base (Prompting)"


def test_markdown_tables_one_per_metric_with_best_in_bold_and_marks_defined(written):
    table = (written / "table.md").read_text()
    assert table.startswith("# Prior tokens for a 270M base model")
    assert "paper-mt" not in table.splitlines()[0]
    bleu = table[table.index("— BLEU**"):table.index("— chrF**")]
    header = next(line for line in bleu.splitlines() if line.startswith("| system"))
    assert [cell.strip() for cell in header.strip("|").split("|")] == ["system", "en-de", "en-zh", "Avg.", "%SFT"]
    oracle = next(line for line in bleu.splitlines() if line.startswith("| + oracle prior"))
    assert oracle.count("**") == 6 and "†" in oracle and " ± " in oracle  # best in every column
    ter = table[table.index("— TER**"):]
    base = next(line for line in ter.splitlines() if line.startswith("| Base (Prompting)"))
    assert "**" not in base  # TER: lower is better, and the base model's is not the lowest
    assert "TER: lower is better (no %SFT)." in table
    assert "%SFT" not in next(line for line in ter.splitlines() if line.startswith("| system"))
    assert "%SFT: its Avg. as a percentage of the SFT row's ('SFT model alone')" in table
    assert "†: differs from 'Base (Prompting)'" in table and "95 % bootstrap confidence interval" in table
    assert "- BLEU (en-de): nrefs:1" in table and "tok:13a" in table
    assert "- BLEU (en-zh): nrefs:1|case:mixed|eff:no|tok:zh" in table


def test_latex_is_booktabs_with_bold_and_daggers(written):
    tex = (written / "table.tex").read_text()
    assert tex.count(r"\toprule") == 4 and r"\bottomrule" in tex  # BLEU, chrF, TER, target-lang%
    assert r"\textbf{" in tex and r"$\pm$" in tex and r"$^\dagger$" in tex
    assert r"\caption{Prior tokens for a 270M base model — BLEU}" in tex
    assert r"target-lang\%" in tex and "%SFT" not in tex.replace(r"\%SFT", "")


def test_csv_has_one_line_per_cell_with_interval_and_p_value(written):
    import csv

    lines = list(csv.DictReader((written / "table.csv").open()))
    assert len(lines) == 4 * 3 * 4  # systems x (2 pairs + Avg.) x (3 table metrics + target-lang%)
    cell = next(line for line in lines if line["system"] == "+ oracle prior" and line["pair"] == "Avg."
                and line["metric"] == "BLEU")
    assert float(cell["p_value"]) < 0.01 and float(cell["ci95"]) > 0 and float(cell["pct_sft"]) > 100


def test_one_pair_is_one_table_of_metrics_without_an_average(tmp_path):
    rescore(experiment(pairs=("en-de",)), tmp_path)
    table = (tmp_path / "table.md").read_text()
    header = next(line for line in table.splitlines() if line.startswith("| system"))
    assert [cell.strip() for cell in header.strip("|").split("|")] == ["system", "BLEU", "chrF", "TER",
                                                                      "target-lang%", "%SFT"]
    assert "Avg." not in table.split("Task translation")[0]


def test_a_missing_cell_is_missing_not_zero(tmp_path, monkeypatch):
    drawn = []
    monkeypatch.setattr(figures, "_save", lambda figure, stem: drawn.append(figure) or [stem])
    rescore(experiment(), tmp_path, drop=("+ pseudo prior (MUSE dictionary)", "en-zh"))
    table = (tmp_path / "table.md").read_text()
    muse = next(line for line in table.splitlines() if line.startswith("| + pseudo prior"))
    assert muse.count("–") == 3  # en-zh, Avg. and %SFT: missing, never 0.0
    (providers,) = drawn
    hatched = [patch for axis in providers.axes for patch in axis.patches if patch.get_hatch()]
    assert len(hatched) == 3 * 2  # three panels; en-zh and Avg. of the MUSE row
    assert any(text.get_text() == "n/a" for axis in providers.axes for text in axis.texts)


def test_figures_title_themselves_and_count_k_in_whole_numbers(tmp_path, monkeypatch):
    drawn = []
    monkeypatch.setattr(figures, "_save", lambda figure, stem: drawn.append(figure) or [stem])
    exp = experiment(pairs=("en-de",))
    rows = [{"run_index": 2, "label": "+ oracle prior", "model": "gemma3-270m", "pair": "en-de", "k": k,
             "template": None, "scores": {"BLEU": 5.0 + k}, "intervals": {"BLEU": {"mean": 5.0 + k, "ci": 1.0}}}
            for k in (1, 2, 3)]
    exp.runs[2].k = [1, 2, 3]
    assert figures.k_sweep_figure(exp, rows, ["BLEU"], tmp_path / "k_sweep")
    (figure,) = drawn
    title = figure._suptitle.get_text()
    assert title.startswith("Prior tokens for a 270M base model") and "paper-mt" not in title
    axis = figure.axes[0]
    assert [tick for tick in axis.get_xticks() if 1 <= tick <= 3] == [1, 2, 3]
    assert axis.get_ylabel() == "BLEU (95% CI)"


def test_real_figures_are_png_and_pdf(written):
    for name in ("providers.png", "providers.pdf"):
        assert (written / "figures" / name).stat().st_size > 5000
    assert (written / "figures" / "providers.pdf").read_bytes()[:5] == b"%PDF-"
    assert not (written / "figures" / "k_sweep.png").exists()  # no run sweeps k


# -- the experiment file ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("overrides, key, expected", [
    (["max_new_tokens=24"], ("max_new_tokens",), 24),
    (["data.limit=8"], ("data", "limit"), 8),
    (["runs.1.k=3"], ("runs", 1, "k"), 3),
    (["runs.1.k=[1, 2]"], ("runs", 1, "k"), [1, 2]),
    (["table.baseline=Base"], ("table", "baseline"), "Base"),
    (["title=My title: a colon"], ("title",), "My title: a colon"),
])
def test_overrides_reach_nested_keys_and_read_values_as_yaml(overrides, key, expected):
    raw = {"max_new_tokens": 96, "data": {"flores": "x", "limit": 100}, "runs": [{"label": "a"}, {"label": "b"}]}
    apply_overrides(raw, overrides)
    value = raw
    for part in key:
        value = value[part]
    assert value == expected


def test_an_overridden_path_is_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    raw = {"data": {"flores": "flores"}}
    apply_overrides(raw, ["data.flores=here/flores"])
    assert raw["data"]["flores"] == str(tmp_path / "here" / "flores")


@pytest.mark.parametrize("override, message", [
    ("max_new_tokens", r"--set 'max_new_tokens': expected KEY=VALUE"),
    ("max_new_tokens=many", r"max_new_tokens \(--set\): input should be a valid integer.*'many'"),
    ("runs.7.k=2", r"--set runs\.7: expected a list index from 0 to 5, got '7'"),
    ("runs.0.colour=red", r"runs\[0\]\.colour \(--set\): extra inputs are not permitted"),
    ("table.baseline=Base", r"table\.baseline: 'Base' is not one row per pair.*Base \(Prompting\)"),
])
def test_bad_overrides_are_one_clear_error(override, message):
    path = ROOT / "benchmarks" / "experiments" / "paper-mt.yaml"
    with pytest.raises(ExperimentError, match=message):
        load_experiment(path, [override])


def test_a_baseline_may_name_one_k_of_a_sweep():
    path = ROOT / "benchmarks" / "experiments" / "paper-k-sweep.yaml"
    assert load_experiment(path, ["table.baseline=+ oracle prior (k=1)"]).table.baseline == "+ oracle prior (k=1)"
    with pytest.raises(ExperimentError, match=r"choose one of: \+ SFT prior \(k=1\)"):
        load_experiment(path, ["table.baseline=+ oracle prior"])


def test_missing_data_is_named_before_anything_runs(tmp_path):
    exp = experiment()
    check_data(exp, tmp_path)  # an absolute Flores folder: fine from anywhere
    exp.data.flores = "no-such-flores"
    with pytest.raises(ExperimentError, match=r"data\.flores: Flores folder not found: .*no-such-flores \(relative"):
        check_data(exp, tmp_path)
    (tmp_path / "flores").mkdir()
    (tmp_path / "flores" / "dev.eng_Latn").write_text("x\n")
    exp.data.flores = "flores"
    with pytest.raises(ExperimentError, match=r"data\.flores: en-de: .*deu_Latn"):
        check_data(exp, tmp_path)


@pytest.mark.parametrize("name", ["mt-small.yaml", "pos-french.yaml"])
def test_example_experiments_resolve_their_data_from_any_directory(name, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from pretty_framework.cli import cli

    path = ROOT / "examples" / "experiments" / name
    if not (path.parent / "../../../shared/data").resolve().is_dir():
        pytest.skip("the examples' data path assumes this checkout lies beside shared/data")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["run", str(path), "--dry-run", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "to do (0/20)" in result.output and "20 items" in result.output


def test_dry_run_names_what_changed_in_a_stale_output(tmp_path):
    from click.testing import CliRunner

    from pretty_framework.cli import cli

    path = ROOT / "examples" / "experiments" / "mt-small.yaml"
    first = next(c for c in expand(load_experiment(path)) if c.label == "Base (Normal)")
    output = first.path(tmp_path)
    output.parent.mkdir(parents=True)
    signature = ("model:gemma3-270m|rev:x|backend:transformers|dtype:bfloat16|task:translation|"
                 "pair:eng_Latn-deu_Latn|provider:none|opts:-|k:2|tmpl:normal|dec:greedy|max:48|rep:on|version:0.1.0")
    output.write_text("".join(json.dumps({"id": str(i), "output": "x", "signature": signature}) + "\n"
                              for i in range(8)))
    data = ["--set", f"data.flores={FLORES}"]
    result = CliRunner().invoke(cli, ["run", str(path), "--dry-run", "-o", str(tmp_path), *data])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "Base-Normal" in line and "en-de" in line)
    assert line.startswith("stale: max 48 != 96") and "8 written" not in line
    current = CliRunner().invoke(cli, ["run", str(path), "--dry-run", "-o", str(tmp_path), "--set",
                                       "max_new_tokens=48", *data])
    line = next(line for line in current.output.splitlines() if "Base-Normal" in line and "en-de" in line)
    assert line.startswith("8/20 written")


def test_analysis_plots_count_k_in_whole_numbers_and_say_what_cross_mode_is(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    from pretty_framework.analysis.report import plot

    saved = []
    monkeypatch.setattr(plt, "close", lambda figure: saved.append(figure))
    entry = {"setting": "instruction only", "agreement_at_k": {"1": 0.2, "2": 0.3, "3": None},
             "per_item": {"sft_chosen_probability": [0.1, 0.4], "foundation_top1_probability": [0.5, 0.6]}}
    paths = plot({"mode": "cross", "positions": [entry]}, tmp_path, "t")
    assert [p.name for p in paths] == ["t-agreement.png", "t-probability.png"]
    assert all(p.with_suffix(".pdf").is_file() for p in paths)
    agreement = saved[0].axes[0]
    assert "(cross)" not in agreement.get_title() and "different tokenizers" in agreement.get_title()
    assert [tick for tick in agreement.get_xticks() if 1 <= tick <= 3] == [1, 2, 3]
