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
from typing import Any

from pretty_framework.errors import InputError


@dataclass(frozen=True)
class MetricOptions:
    """Where the optional metrics find their models."""

    spm_kind: str = "flores200"
    spm_model: str | None = None
    comet_model: str | None = None


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
