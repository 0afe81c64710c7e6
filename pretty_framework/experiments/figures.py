"""The experiment's figures (matplotlib, PNG): the k-sweep of the paper's Figure 5 and a provider comparison."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pretty_framework.experiments.config import Experiment
from pretty_framework.experiments.rows import row_name, sweeps_k


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    return plt


def k_sweep_figure(experiment: Experiment, rows: Sequence[dict[str, Any]], metric: str, path: Path) -> bool:
    """One line per (run, pair, model) over k, for runs that list several k; False when none does."""
    lines: dict[tuple[str, str, str], list[tuple[int, float]]] = {}
    for row in rows:
        if sweeps_k(experiment.runs[row["run_index"]]) and metric in row["scores"]:
            key = (row["label"], row["pair"], row["model"] or "")
            lines.setdefault(key, []).append((row["k"], row["scores"][metric]))
    if not lines:
        return False
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6, 4))
    for (label, pair, model), points in sorted(lines.items()):
        points.sort()
        name = f"{label}, {pair}" + (f" ({model})" if len(experiment.models) > 1 else "")
        axes.plot([k for k, _ in points], [v for _, v in points], marker="o", label=name)
    axes.set_xlabel("number of prior tokens k")
    axes.set_ylabel(metric)
    axes.set_xticks(sorted({k for points in lines.values() for k, _ in points}))
    axes.set_title(f"{experiment.name}: {metric} against k")
    axes.legend(fontsize=8)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return True


def provider_figure(experiment: Experiment, rows: Sequence[dict[str, Any]], metric: str, path: Path, *,
                    default_k: int) -> bool:
    """Grouped bars: one group per pair, one bar per row of the first model (a k-sweep at the task's
    ``default_k``) and the provider-alone rows."""
    first_model = experiment.models[0]
    bars: dict[str, dict[str, float]] = {}
    for row in rows:
        sweep = sweeps_k(experiment.runs[row["run_index"]])
        if metric in row["scores"] and row["model"] in (first_model, None) and (not sweep or row["k"] == default_k):
            label = row["label"] if sweep else row_name(row, experiment)
            bars.setdefault(label, {})[row["pair"]] = row["scores"][metric]
    if not bars:
        return False
    plt = _pyplot()
    pairs = experiment.pairs
    width = 0.8 / len(bars)
    figure, axes = plt.subplots(figsize=(max(6.0, 1.2 * len(pairs) * max(1.0, len(bars) / 3)), 4))
    for index, (label, values) in enumerate(bars.items()):
        positions = [p + index * width - 0.4 + width / 2 for p in range(len(pairs))]
        axes.bar(positions, [values.get(pair, 0.0) for pair in pairs], width, label=label)
    axes.set_xticks(range(len(pairs)))
    axes.set_xticklabels(pairs)
    axes.set_ylabel(metric)
    axes.set_title(f"{experiment.name}: {metric} by prior source ({first_model}, k={default_k} in sweeps)")
    axes.legend(fontsize=7, ncol=2)
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return True
