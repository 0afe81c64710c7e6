"""What a metric is, so that a plugin can add one: a named scorer that declares its columns and direction.

Metrics are registered through the ``register_metrics`` hook, the built-in ones
(bleu, chrf, spbleu, comet, rouge, langid, pos) included. A task names the
metrics it is scored with (:attr:`pretty_framework.tasks.Task.metrics`);
``pretty eval -M`` and an experiment's ``metrics:`` choose others by name.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pretty_framework.errors import InputError

if TYPE_CHECKING:
    import numpy as np

    from pretty_framework.evaluation.bootstrap import Bootstrap, Interval, Scorer


@dataclass(frozen=True)
class MetricOptions:
    """Where the optional metrics find their models."""

    spm_kind: str = "flores200"
    spm_model: str | None = None
    comet_model: str | None = None
    progress: bool = False  # a progress bar where a metric runs a model (COMET)


@dataclass(frozen=True)
class MetricInput:
    """What a metric scores: every record of a run (none dropped), the target language and the options.

    A record is what ``pretty decode`` writes (``output``, ``reference``, ``source``,
    ``parsed_ok``, ``prior``, ``fields``); an empty or unparseable output is scored as
    what it is, an empty hypothesis.
    """

    records: Sequence[Mapping[str, Any]]
    target: str | None = None
    options: MetricOptions = field(default_factory=MetricOptions)

    @property
    def hypotheses(self) -> list[str]:
        return [record.get("output") or "" for record in self.records]

    @property
    def sources(self) -> list[str]:
        return [record.get("source") or "" for record in self.records]

    def references(self) -> list[str]:
        """One reference per record; :class:`InputError` naming the first record without one."""
        missing = [str(r.get("id", i + 1)) for i, r in enumerate(self.records) if not isinstance(r.get("reference"), str)]
        if missing:
            raise InputError(f"{len(missing)} records have no reference (first: {missing[0]}); "
                             "give --reference or decode with references attached")
        return [record["reference"] for record in self.records]

    def subset(self, indices: Sequence[int] | np.ndarray) -> MetricInput:
        """The records at ``indices`` (repeats allowed: a bootstrap resample), same target and options."""
        return MetricInput([self.records[int(i)] for i in indices], self.target, self.options)


@dataclass(frozen=True)
class MetricResult:
    """A metric's scores (some or all of its columns) and the signatures that make them reproducible."""

    scores: dict[str, float]
    signatures: dict[str, str] = field(default_factory=dict)


class Metric(abc.ABC):
    """Base class of metrics: subclasses set the class attributes and implement :meth:`compute`.

    ``name`` is the key users give (``pretty eval -M bleu``, ``metrics: [bleu]``; any
    case); ``columns`` are the score names it produces (``BLEU``; ROUGE gives three),
    which tables name in ``Task.table_metrics``.
    """

    name: str
    columns: tuple[str, ...]
    higher_is_better: bool = True
    description: str = ""

    @abc.abstractmethod
    def compute(self, data: MetricInput) -> MetricResult:
        """Score ``data`` (a corpus score, not a mean the caller takes).

        Return only columns from :attr:`columns`. Raise
        :class:`pretty_framework.errors.MetricUnavailable` when the metric cannot run
        here (a model or package is missing): the scorer reports it as skipped and
        goes on with the other metrics.
        """

    def scorer(self, data: MetricInput) -> Scorer:
        """This metric's corpus scores for a resample of ``data``'s records (indices, repeats allowed).

        The default scores each resample with :meth:`compute`, which is right for any
        metric but costs a full computation per resample (1,000 per interval): a metric
        that can, overrides this with per-record statistics computed once (the built-in
        ones do). Raise :class:`~pretty_framework.errors.MetricUnavailable` as in :meth:`compute`.
        """
        return lambda indices: self.compute(data.subset(indices)).scores

    def confidence(self, data: MetricInput, bootstrap: Bootstrap) -> dict[str, Interval]:
        """95 % bootstrap intervals of each column's corpus score over ``data``."""
        from pretty_framework.evaluation.bootstrap import confidence_intervals

        return confidence_intervals([self.scorer(data)], [len(data.records)], bootstrap)

    def paired_test(self, baseline: MetricInput, systems: Sequence[MetricInput],
                    bootstrap: Bootstrap) -> list[dict[str, float]]:
        """For each system, p-values (by column) of its difference from ``baseline`` (paired bootstrap).

        Every system scores the same items as the baseline, in the same order.
        """
        from pretty_framework.evaluation.bootstrap import paired_bootstrap

        reference = self.scorer(baseline)
        return [paired_bootstrap([self.scorer(system)], [reference], [len(baseline.records)], bootstrap)
                for system in systems]
