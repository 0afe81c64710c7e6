"""Metrics are registered through a hook and named by tasks: a plugin's metric is scored like a built-in one."""

import json

import pytest
from click.testing import CliRunner

from pretty_framework import hookimpl
from pretty_framework.cli import cli
from pretty_framework.errors import MetricUnavailable, PluginError, PrettyError, UnknownNameError
from pretty_framework.evaluation.metric import Metric, MetricResult
from pretty_framework.evaluation.scoring import evaluate, metric_names
from pretty_framework.experiments.config import Experiment
from pretty_framework.experiments.tables import build_tables
from pretty_framework.plugin.manager import get_plugins, reset_plugins
from pretty_framework.tasks import ParsedOutput, Task, Template

SIGNATURE = "model:m|task:translation|pair:eng_Latn-deu_Latn|provider:none|k:2"
RECORDS = [{"id": "1", "output": "Die Katze schläft.", "reference": "Die Katze schläft.", "parsed_ok": True,
            "signature": SIGNATURE},
           {"id": "2", "output": "Der Hund", "reference": "Der Hund bellt.", "parsed_ok": True,
            "signature": SIGNATURE}]


class ExactMatch(Metric):
    name = "exact"
    columns = ("EM",)

    def compute(self, data):
        hits = sum(h == r for h, r in zip(data.hypotheses, data.references()))
        return MetricResult({"EM": 100 * hits / len(data.records)}, {"EM": "exact|no-normalization"})


class NeedsAModel(Metric):
    name = "needs-model"
    columns = ("NM",)

    def compute(self, data):
        raise MetricUnavailable("needs-model skipped: no model here")


class Overreaching(Metric):
    name = "overreach"
    columns = ("OR",)

    def compute(self, data):
        return MetricResult({"OR": 1.0, "BLEU": 99.0})


class MetricsPlugin:
    @hookimpl
    def register_metrics(self, register):
        for metric in (ExactMatch(), NeedsAModel(), Overreaching()):
            register(metric)


class ExactTask(Task):
    """A task that names the plugin's metric, and a table column of its own."""

    name = "exact-task"
    default_k = 1
    default_template = "plain"
    templates = {"plain": Template("plain", "{source}")}
    metrics = ("exact", "chrf")
    table_metrics = ("EM",)

    def parse(self, text):
        return ParsedOutput(text, bool(text))


class BareTask(ExactTask):
    """A task that declares nothing about metrics."""

    name = "bare-task"
    metrics = Task.metrics
    table_metrics = Task.table_metrics


@pytest.fixture
def with_plugin_metrics():
    """The process-wide plugins (what `pretty eval` uses) with MetricsPlugin registered for one test."""
    reset_plugins()
    plugins = get_plugins()
    plugins.register(MetricsPlugin(), name="metrics-plugin")
    yield plugins
    plugins.unregister("metrics-plugin")
    reset_plugins()


def test_builtin_metrics_are_registered_by_the_core_plugin(plugins):
    assert plugins.metrics.names() == ["bleu", "chrf", "chrf++", "comet", "langid", "pos", "rouge", "spbleu", "ter"]
    assert plugins.info["pretty_framework"].registers["metrics"] == ["bleu", "chrf", "chrf++", "ter", "spbleu", "comet",
                                                                     "rouge", "langid", "pos"]
    rouge = plugins.metrics.get("rouge")
    assert rouge.columns == ("ROUGE-1", "ROUGE-2", "ROUGE-L") and rouge.higher_is_better


def test_a_plugin_metric_is_computed_by_evaluate(with_plugin_metrics):
    result = evaluate(RECORDS, "translation", "deu_Latn", ["exact", "chrf"], registry=with_plugin_metrics.metrics)
    assert result["scores"]["EM"] == pytest.approx(50.0)
    assert result["signatures"]["EM"] == "exact|no-normalization"
    assert list(result["scores"]) == ["EM", "chrF"]
    assert with_plugin_metrics.metrics.plugin_of("exact") == "metrics-plugin"


def test_a_plugin_metric_is_computed_by_pretty_eval(with_plugin_metrics, tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    result = CliRunner().invoke(cli, ["eval", str(path), "-M", "exact", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["scores"] == {"EM": pytest.approx(50.0)}


def test_unregistered_plugin_metric_is_gone(with_plugin_metrics):
    with_plugin_metrics.unregister("metrics-plugin")
    assert "exact" not in with_plugin_metrics.metrics
    with_plugin_metrics.register(MetricsPlugin(), name="metrics-plugin")  # for the fixture to remove


@pytest.mark.parametrize("task_name, expected", [
    ("translation", ("bleu", "chrf", "langid")),
    ("summarization", ("rouge", "chrf", "langid")),
    ("pos", ("pos",)),
])
def test_builtin_tasks_declare_their_metrics(plugins, task_name, expected):
    task = plugins.tasks.get(task_name)
    assert task.metrics == expected
    assert metric_names(task, None, plugins.metrics) == expected
    declared = {column for name in task.metrics for column in plugins.metrics.get(name).columns}
    assert task.table_metrics and set(task.table_metrics) <= declared


def test_evaluate_computes_the_metrics_the_task_names(with_plugin_metrics):
    result = evaluate(RECORDS, ExactTask(), "deu_Latn", registry=with_plugin_metrics.metrics)
    assert list(result["scores"]) == ["EM", "chrF"]


def test_a_task_that_names_no_metrics_gets_chrf(plugins):
    result = evaluate(RECORDS, BareTask(), "deu_Latn", registry=plugins.metrics)
    assert list(result["scores"]) == ["chrF"]


@pytest.mark.parametrize("given, canonical", [("BLEU", "bleu"), ("ChrF", "chrf"), ("SPBLEU", "spbleu"),
                                              ("langid", "langid")])
def test_metric_names_are_case_insensitive(plugins, given, canonical):
    assert metric_names("translation", [given], plugins.metrics) == (canonical,)


def test_the_same_metric_in_two_cases_is_computed_once(plugins):
    assert metric_names("translation", ["bleu", "BLEU", "chrf"], plugins.metrics) == ("bleu", "chrf")


def test_pretty_eval_takes_metric_names_in_any_case(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    upper = CliRunner().invoke(cli, ["eval", str(path), "-M", "BLEU", "-M", "ChrF", "--json"])
    lower = CliRunner().invoke(cli, ["eval", str(path), "-M", "bleu", "-M", "chrf", "--json"])
    assert upper.exit_code == 0, upper.output
    assert json.loads(upper.output) == json.loads(lower.output)
    assert set(json.loads(upper.output)["scores"]) == {"BLEU", "chrF"}


def test_unknown_metric_lists_the_registry_names(with_plugin_metrics, tmp_path):
    with pytest.raises(UnknownNameError) as error:
        metric_names("translation", ["exactt"], with_plugin_metrics.metrics)
    message = str(error.value)
    assert message.startswith("unknown metric 'exactt' (did you mean 'exact'?); known: ")
    assert message.endswith("known: " + ", ".join(with_plugin_metrics.metrics.names()))
    assert "exact" in with_plugin_metrics.metrics.names()
    path = tmp_path / "out.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    result = CliRunner().invoke(cli, ["eval", str(path), "-M", "blue"])
    assert result.exit_code != 0
    assert "unknown metric 'blue' (did you mean 'bleu'" in result.output and "exact, langid" in result.output


def test_metric_unavailable_is_a_pretty_error_and_a_skip(with_plugin_metrics):
    assert issubclass(MetricUnavailable, PrettyError)
    result = evaluate(RECORDS, "translation", "deu_Latn", ["needs-model", "exact"],
                      registry=with_plugin_metrics.metrics)
    assert result["skipped"] == {"needs-model": "needs-model skipped: no model here"}
    assert list(result["scores"]) == ["EM"]


def test_a_metric_returning_undeclared_columns_names_its_plugin(with_plugin_metrics):
    with pytest.raises(PluginError, match=r"plugin 'metrics-plugin': metric 'overreach' returned columns it does "
                                          r"not declare: BLEU"):
        evaluate(RECORDS, "translation", "deu_Latn", ["overreach"], registry=with_plugin_metrics.metrics)


def _experiment(task: str, table: dict | None = None) -> Experiment:
    return Experiment.model_validate({"name": "t", "task": task, "pairs": ["en-de"], "models": ["m"],
                                      "data": {"jsonl": "x.jsonl"}, "runs": [{"label": "Base"}],
                                      "table": table or {}})


def _row(scores: dict) -> dict:
    return {"run_index": 0, "label": "Base", "model": "m", "pair": "en-de", "k": None, "template": None,
            "scores": scores}


@pytest.mark.parametrize("task, table, columns", [
    (ExactTask(), None, ["EM"]),                        # the task's table_metrics
    (ExactTask(), {"metrics": ["chrF"]}, ["chrF"]),     # the experiment's table.metrics win
    (BareTask(), None, ["EM", "chrF"]),                 # none named: every column but the extras
])
def test_tables_show_the_columns_the_task_names(task, table, columns):
    rows = [_row({"EM": 50.0, "chrF": 40.0, "target-lang%": 100.0})]
    (only,) = build_tables(_experiment("translation", table), rows, task)  # one pair: one table, metrics as columns
    assert [name for name in only.header if name not in ("system", "target-lang%")] == columns
