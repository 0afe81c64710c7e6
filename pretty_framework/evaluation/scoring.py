"""Score a run's records with registered metrics: one entry point for ``pretty eval`` and ``pretty run``.

The metrics are the task's own (``Task.metrics``) unless the user names others;
names are looked up in the metric registry (the ``register_metrics`` hook) in
any case. Every record is scored: an empty or unparseable output is scored as
what it is (an empty hypothesis, no tags) and counted under
``parse_failures``, never dropped. A metric that cannot run here (spBLEU
without its SentencePiece model, COMET without its checkpoint) lands under
``skipped`` with the reason, and the other metrics still run. Each score comes
with a 95 % bootstrap interval (``intervals``; sacrebleu's own for its metrics,
:mod:`.bootstrap` for the others) unless ``bootstrap`` is None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pretty_framework.errors import InputError, MetricUnavailable, PluginError, UnknownNameError
from pretty_framework.evaluation.bootstrap import DEFAULT, Bootstrap
from pretty_framework.evaluation.metric import Metric, MetricInput, MetricOptions

if TYPE_CHECKING:
    from pretty_framework.plugin.registry import Registry
    from pretty_framework.tasks import Task

__all__ = ["Bootstrap", "MetricOptions", "evaluate", "metric_names"]


def _metric_registry(registry: Registry[Metric] | None) -> Registry[Metric]:
    if registry is not None:
        return registry
    from pretty_framework.plugin.manager import get_plugins

    return get_plugins().metrics


def metric_names(task: Task | str, requested: Sequence[str] | None,
                 registry: Registry[Metric] | None = None) -> tuple[str, ...]:
    """The registry names of the metrics to compute: ``requested`` (any case) or those ``task`` declares.

    ``task`` may be a task's name (then it is looked up only when nothing is
    requested); ``registry`` defaults to the installed plugins' metrics.
    """
    registry = _metric_registry(registry)
    if not requested:
        if isinstance(task, str):
            from pretty_framework.plugin.manager import get_plugins

            task = get_plugins().tasks.get(task)
        requested = task.metrics
    by_folded = {name.casefold(): name for name in registry.names()}
    names = []
    for name in requested:
        found = name if name in registry else by_folded.get(name.casefold())
        if found is None:
            raise UnknownNameError("metric", name, registry.names())
        names.append(found)
    return tuple(dict.fromkeys(names))


def evaluate(records: Sequence[Mapping[str, Any]], task: Task | str, target: str | None,
             requested: Sequence[str] | None = None, options: MetricOptions | None = None, *,
             registry: Registry[Metric] | None = None, bootstrap: Bootstrap | None = DEFAULT) -> dict[str, Any]:
    """Scores, intervals, signatures, skipped metrics and failure counts for ``records`` (all of them)."""
    if not records:
        raise InputError("no records to score")
    registry = _metric_registry(registry)
    options = options or MetricOptions()
    data = MetricInput(records, target, options)
    scores: dict[str, Any] = {}
    intervals: dict[str, dict[str, float]] = {}
    signatures: dict[str, str] = {}
    skipped: dict[str, str] = {}
    names = metric_names(task, requested, registry)
    for name in _progress(names, options.progress):
        metric = registry.get(name)
        try:
            result = metric.compute(data)
            undeclared = sorted(set(result.scores) - set(metric.columns))
            if undeclared:
                raise PluginError(registry.plugin_of(name), f"metric {name!r} returned columns it does not "
                                  f"declare: {', '.join(undeclared)} (columns: {', '.join(metric.columns)})")
            if bootstrap is not None and bootstrap.samples:
                intervals.update({column: interval.as_dict() for column, interval in
                                  metric.confidence(data, bootstrap).items() if column in result.scores})
        except MetricUnavailable as reason:
            skipped[name] = str(reason)
            continue
        scores.update(result.scores)
        signatures.update(result.signatures)
    failures = sum(1 for r in records if not r.get("parsed_ok", bool(r.get("output"))))
    summary = {"n": len(records), "scores": scores, "intervals": intervals, "signatures": signatures,
               "skipped": skipped, "parse_failures": failures}
    if intervals and bootstrap is not None:
        summary["bootstrap"] = bootstrap.describe()
    return summary


def _progress(names: Sequence[str], show: bool) -> Sequence[str]:
    """The metric names, with a progress bar on standard error when asked."""
    if not show:
        return names
    from tqdm.auto import tqdm

    return tqdm(names, desc="scoring", unit="metric", leave=False)


def paired_p_values(records: Sequence[Mapping[str, Any]], baseline: Sequence[Mapping[str, Any]], task: Task | str,
                    target: str | None, requested: Sequence[str] | None = None,
                    options: MetricOptions | None = None, *, registry: Registry[Metric] | None = None,
                    bootstrap: Bootstrap = DEFAULT) -> dict[str, float]:
    """p-values (by column) of each metric's paired test of ``records`` against ``baseline`` (the same items, in
    the same order); metrics that cannot run here are left out, as :func:`evaluate` skips them."""
    if len(records) != len(baseline):
        raise InputError(f"a paired test needs the same items: {len(records)} outputs against {len(baseline)} "
                         "in the baseline")
    registry = _metric_registry(registry)
    options = options or MetricOptions()
    system, reference = MetricInput(records, target, options), MetricInput(baseline, target, options)
    p_values: dict[str, float] = {}
    for name in metric_names(task, requested, registry):
        try:
            (found,) = registry.get(name).paired_test(reference, [system], bootstrap)
        except MetricUnavailable:
            continue
        p_values.update(found)
    return p_values
