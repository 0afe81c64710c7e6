"""Bootstrap confidence intervals and the paired bootstrap test for any metric, by resampling records.

A *scorer* gives a metric's corpus scores for the records at some indices
(repeats allowed): the same corpus function as the score itself, so a BLEU
resample is a BLEU, not a mean of sentence BLEUs. Resampling follows sacrebleu
exactly (``numpy.random.default_rng(seed).choice(n, (samples, n))``, the 95 %
interval's half-width from the 2.5th and 97.5th percentiles, the paired test's
p-value as in ``sacrebleu.significance``), so a metric resampled here and a
sacrebleu metric resampled by sacrebleu draw the same index sets and agree
(tested).

Averages over language pairs are resampled by stratum: each pair's items are
drawn from that pair only, and the statistic is the mean of the pairs' corpus
scores, as the table's ``Avg.`` column is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: resamples for intervals and the paired test (sacrebleu's default for bootstrap)
SAMPLES = 1000
#: the seed of every resampling (sacrebleu's default, ``SACREBLEU_SEED``)
SEED = 12345
#: the significance level the tables mark
ALPHA = 0.05

Scorer = Callable[["np.ndarray"], Mapping[str, float]]
"""Corpus scores (by column) of the records at the given indices."""


@dataclass(frozen=True)
class Interval:
    """A bootstrap estimate: the mean of the resampled scores and the half-width of their 95 % interval."""

    mean: float
    ci: float

    def as_dict(self) -> dict[str, float]:
        return {"mean": self.mean, "ci": self.ci}


@dataclass(frozen=True)
class Bootstrap:
    """How to resample: how many samples, from which seed (0 samples: no intervals, no tests)."""

    samples: int = SAMPLES
    seed: int = SEED

    def describe(self) -> str:
        return f"bs:{self.samples}|seed:{self.seed}|ci:95%"


DEFAULT = Bootstrap()
"""1,000 resamples from seed 12345: what every interval and test uses unless told otherwise."""


def resamples(n_items: int, samples: int = SAMPLES, seed: int = SEED) -> np.ndarray:
    """``samples`` rows of ``n_items`` indices drawn with replacement: sacrebleu's draw for the same seed."""
    import numpy as np

    if n_items < 1:
        raise ValueError("no items to resample")
    return np.random.default_rng(seed).choice(n_items, size=(samples, n_items), replace=True)


def estimate_ci(values: Sequence[float] | np.ndarray) -> Interval:
    """Mean and 95 % half-width of resampled scores (sacrebleu's ``estimate_ci``: 1/40 cut from each end)."""
    import numpy as np

    ordered = np.sort(np.asarray(values, dtype=float))
    low = len(ordered) // 40
    return Interval(float(ordered.mean()), float(0.5 * (ordered[len(ordered) - low - 1] - ordered[low])))


def p_value(sample_differences: np.ndarray, real_difference: float) -> float:
    """The paired bootstrap p-value: how often a centred resampled |difference| exceeds the real one.

    A system that never differs from its baseline gets 1: sacrebleu's centred statistic
    would give it the smallest p-value there is.
    """
    import numpy as np

    if real_difference == 0 and not sample_differences.any():
        return 1.0
    centred = sample_differences - sample_differences.mean()
    return float((np.sum(centred > real_difference) + 1) / (len(centred) + 1))


def _strata_indices(sizes: Sequence[int], bootstrap: Bootstrap) -> list[np.ndarray]:
    # One draw per stratum, each from its own seed: a single stratum is sacrebleu's draw exactly.
    return [resamples(size, bootstrap.samples, bootstrap.seed + offset) for offset, size in enumerate(sizes)]


def _resampled(scorers: Sequence[Scorer], draws: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    """Per column, each resample's mean over strata (NaN where a stratum's resample lacks the column).

    A column that some stratum never scores is left out: its average would not cover every pair.
    """
    import numpy as np

    per_stratum = [[scorer(indices) for indices in draw] for scorer, draw in zip(scorers, draws)]
    columns = set.intersection(*({name for sample in samples for name in sample} for samples in per_stratum))
    result = {}
    for column in sorted(columns):
        matrix = np.array([[sample.get(column, np.nan) for sample in samples] for samples in per_stratum], dtype=float)
        result[column] = matrix.mean(axis=0)
    return result


def confidence_intervals(scorers: Sequence[Scorer], sizes: Sequence[int],
                         bootstrap: Bootstrap = DEFAULT) -> dict[str, Interval]:
    """95 % intervals of the mean over strata (one per language pair) of each column's corpus score."""
    import numpy as np

    if len(scorers) != len(sizes) or not scorers:
        raise ValueError("one size per scorer, at least one")
    samples = _resampled(scorers, _strata_indices(sizes, bootstrap))
    return {column: estimate_ci(values[~np.isnan(values)]) for column, values in samples.items()
            if not np.isnan(values).all()}


def paired_bootstrap(systems: Sequence[Scorer], baselines: Sequence[Scorer], sizes: Sequence[int],
                     bootstrap: Bootstrap = DEFAULT) -> dict[str, float]:
    """p-values (by column) that the system's mean over strata differs from the baseline's only by chance.

    Both are scored on the same resampled items (paired); each stratum's system and
    baseline must score the same items in the same order.
    """
    import numpy as np

    if not (len(systems) == len(baselines) == len(sizes)) or not systems:
        raise ValueError("one system scorer and one baseline scorer per size, at least one")
    everything = [np.arange(size) for size in sizes]
    real_system = _mean_scores([scorer(indices) for scorer, indices in zip(systems, everything)])
    real_baseline = _mean_scores([scorer(indices) for scorer, indices in zip(baselines, everything)])
    draws = _strata_indices(sizes, bootstrap)
    system, baseline = _resampled(systems, draws), _resampled(baselines, draws)
    p_values = {}
    for column in system.keys() & baseline.keys() & real_system.keys() & real_baseline.keys():
        differences = np.abs(system[column] - baseline[column])
        if np.isnan(differences).any():
            continue  # a column some resample cannot score (no item with a prior): no test
        p_values[column] = p_value(differences, abs(real_system[column] - real_baseline[column]))
    return dict(sorted(p_values.items()))


def _mean_scores(scores: Sequence[Mapping[str, float]]) -> dict[str, float]:
    import numpy as np

    columns = set.intersection(*(set(score) for score in scores))
    return {column: float(np.mean([score[column] for score in scores])) for column in columns}
