"""Which differences in an experiment's table are real: paired tests against the baseline row, and averages
over pairs with their intervals.

Each row is tested against the row named ``table.baseline`` on the same pair
(of the same foundation model; provider-alone rows against the first model's):
the metric's own paired test (sacrebleu's paired bootstrap for its metrics, the
same resampling for the others), on the same items. The ``Avg.`` column is the
mean of the pairs' corpus scores, so its interval and its test resample each
pair's items within that pair (:mod:`pretty_framework.evaluation.bootstrap`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pretty_framework.errors import MetricUnavailable
from pretty_framework.evaluation.bootstrap import DEFAULT, Bootstrap, confidence_intervals, paired_bootstrap
from pretty_framework.evaluation.metric import Metric, MetricInput
from pretty_framework.experiments.config import Experiment
from pretty_framework.experiments.rows import row_name

if TYPE_CHECKING:
    from pretty_framework.evaluation.bootstrap import Scorer
    from pretty_framework.plugin.registry import Registry
    from pretty_framework.tasks import Task


def row_key(row: dict[str, Any], experiment: Experiment) -> tuple[str, str]:
    """The table row a results row belongs to: (model, system name)."""
    return row["model"] or "(provider alone)", row_name(row, experiment)


class Comparison:
    """The rows of one experiment with their records, scored again only as far as the tests need."""

    def __init__(self, experiment: Experiment, rows: Sequence[dict[str, Any]], folder: Path, task: Task,
                 registry: Registry[Metric], bootstrap: Bootstrap = DEFAULT):
        from pretty_framework.evaluation.scoring import metric_names

        self.experiment, self.rows, self.folder, self.bootstrap = experiment, list(rows), folder, bootstrap
        self.metrics = [registry.get(name) for name in metric_names(task, experiment.metrics, registry)]
        self._inputs: dict[int, MetricInput] = {}
        self._scorers: dict[tuple[int, str], Scorer | None] = {}

    def data(self, index: int) -> MetricInput:
        """Row ``index``'s records as a metric reads them (read once)."""
        if index not in self._inputs:
            from pretty_framework.io.outputs import read_records
            from pretty_framework.languages import normalize_language

            row = self.rows[index]
            records = read_records(self.folder / row["output"])
            self._inputs[index] = MetricInput(records, normalize_language(row["pair"].split("-", 1)[1]))
        return self._inputs[index]

    def scorer(self, index: int, metric: Metric) -> Scorer | None:
        """Row ``index``'s scorer for ``metric`` (None where the metric cannot run here)."""
        key = (index, metric.name)
        if key not in self._scorers:
            try:
                self._scorers[key] = metric.scorer(self.data(index))
            except MetricUnavailable:
                self._scorers[key] = None
        return self._scorers[key]

    # -- per pair ----------------------------------------------------------------------------
    def baseline_of(self, index: int) -> int | None:
        """The index of the row that row ``index`` is tested against (None: no baseline, or it is the baseline)."""
        name = self.experiment.table.baseline
        row = self.rows[index]
        if name is None or row_name(row, self.experiment) == name:
            return None
        candidates = [i for i, other in enumerate(self.rows)
                      if row_name(other, self.experiment) == name and other["pair"] == row["pair"]]
        for model in (row["model"], self.experiment.models[0]):
            for i in candidates:
                if self.rows[i]["model"] == model:
                    return i
        return candidates[0] if candidates else None

    def test_pairs(self) -> None:
        """Add ``baseline`` and ``p_values`` (by column) to every row that has a baseline on its pair."""
        groups: dict[int, list[int]] = {}
        for index in range(len(self.rows)):
            baseline = self.baseline_of(index)
            if baseline is not None and self._same_items(index, baseline):
                groups.setdefault(baseline, []).append(index)
        for baseline, systems in groups.items():
            p_values: list[dict[str, float]] = [{} for _ in systems]
            for metric in self.metrics:
                try:
                    found = metric.paired_test(self.data(baseline), [self.data(i) for i in systems], self.bootstrap)
                except MetricUnavailable:
                    continue
                for collected, new in zip(p_values, found):
                    collected.update(new)
            for index, values in zip(systems, p_values):
                self.rows[index]["baseline"] = row_name(self.rows[baseline], self.experiment)
                self.rows[index]["p_values"] = values

    def _same_items(self, index: int, baseline: int) -> bool:
        ids = [record.get("id") for record in self.data(index).records]
        return ids == [record.get("id") for record in self.data(baseline).records]

    # -- averages over pairs -------------------------------------------------------------------
    def averages(self) -> list[dict[str, Any]]:
        """One entry per table row that has every pair: the mean over pairs, its interval, its p-value."""
        if len(self.experiment.pairs) < 2:
            return []
        by_key: dict[tuple[str, str], dict[str, int]] = {}
        for index, row in enumerate(self.rows):
            by_key.setdefault(row_key(row, self.experiment), {})[row["pair"]] = index
        complete = {key: pairs for key, pairs in by_key.items() if set(pairs) == set(self.experiment.pairs)}
        entries = []
        for key, pairs in complete.items():
            indices = [pairs[pair] for pair in self.experiment.pairs]
            scores = {}
            for column in {name for i in indices for name in self.rows[i]["scores"]}:
                values = [self.rows[i]["scores"].get(column) for i in indices]
                if all(value is not None for value in values):
                    scores[column] = sum(values) / len(values)
            entry: dict[str, Any] = {"model": key[0], "system": key[1], "pairs": list(self.experiment.pairs),
                                     "scores": scores, "intervals": {}, "p_values": {}}
            baselines = [self.baseline_of(i) for i in indices]
            tested = all(b is not None and self._same_items(i, b) for i, b in zip(indices, baselines))
            if tested:
                entry["baseline"] = row_name(self.rows[baselines[0]], self.experiment)
            sizes = [len(self.data(i).records) for i in indices]
            for metric in self.metrics:
                scorers = [self.scorer(i, metric) for i in indices]
                if any(scorer is None for scorer in scorers):
                    continue
                intervals = confidence_intervals(scorers, sizes, self.bootstrap)
                entry["intervals"].update({c: v.as_dict() for c, v in intervals.items() if c in scores})
                if tested:
                    references = [self.scorer(b, metric) for b in baselines]
                    if all(reference is not None for reference in references):
                        entry["p_values"].update(paired_bootstrap(scorers, references, sizes, self.bootstrap))
            entries.append(entry)
        return entries


def compare(experiment: Experiment, rows: Sequence[dict[str, Any]], folder: Path, task: Task,
            registry: Registry[Metric], bootstrap: Bootstrap = DEFAULT) -> list[dict[str, Any]]:
    """Test every row against the baseline (``p_values`` added to ``rows`` in place) and return the averages."""
    comparison = Comparison(experiment, rows, folder, task, registry, bootstrap)
    comparison.test_pairs()
    return comparison.averages()
