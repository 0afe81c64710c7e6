"""The experiment's figures, readable in a paper: the k-sweep of the paper's Figure 5 and a provider comparison.

One panel per table metric, 95 % intervals as error bars, titles from the
experiment's own ``title`` (never its file name), integer ticks on k, a missing
cell drawn as a hatched "n/a" placeholder (never a 0.0 bar), a zero drawn with
its value so it is seen; each figure as PNG (200 dpi) and PDF, laid out by
matplotlib's constrained layout so that nothing is cut off.
"""

from __future__ import annotations

import textwrap
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pretty_framework.experiments.config import Experiment
from pretty_framework.experiments.rows import display_title, row_name, sweeps_k

if TYPE_CHECKING:
    from pretty_framework.tasks import Task

DPI = 200
FORMATS = ("png", "pdf")
_AVERAGE = "Avg."


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    return plt


def _label(metric: str, lower_is_better: Collection[str]) -> str:
    return f"{metric} (95% CI{'; lower is better' if metric in lower_is_better else ''})"


def _interval(row: dict[str, Any], metric: str) -> float:
    interval = row.get("intervals", {}).get(metric)
    return interval["ci"] if interval else 0.0


def _save(figure: Any, stem: Path) -> list[Path]:
    plt = _pyplot()
    paths = [stem.with_suffix(f".{fmt}") for fmt in FORMATS]
    for path in paths:
        figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return paths


def _title(figure: Any, title: str, subtitle: str, width_inches: float) -> None:
    # Wrapped to the figure's width: a suptitle wider than the figure would be cut off at both ends.
    width = max(30, int(width_inches * 10))
    figure.suptitle(f"{textwrap.fill(title, width)}\n{textwrap.fill(subtitle, int(width * 1.15))}", fontsize=10)


def k_sweep_figure(experiment: Experiment, rows: Sequence[dict[str, Any]], metrics: Sequence[str], stem: Path, *,
                   task: Task | None = None, lower_is_better: Collection[str] = ()) -> list[Path]:
    """One line per (run, pair, model) over k for runs that list several k, one panel per metric; [] when none."""
    from matplotlib.ticker import MaxNLocator

    swept = [row for row in rows if sweeps_k(experiment.runs[row["run_index"]])]
    metrics = [metric for metric in metrics if any(metric in row["scores"] for row in swept)]
    if not metrics:
        return []
    plt = _pyplot()
    width = 4.2 * len(metrics) + 0.6
    figure, axes = plt.subplots(1, len(metrics), figsize=(width, 3.9), layout="constrained", squeeze=False)
    for axis, metric in zip(axes[0], metrics):
        lines: dict[tuple[str, str, str], list[tuple[int, float, float]]] = {}
        for row in swept:
            if metric in row["scores"]:
                key = (row["label"], row["pair"], row["model"] or "")
                lines.setdefault(key, []).append((row["k"], row["scores"][metric], _interval(row, metric)))
        for index, ((label, pair, model), points) in enumerate(sorted(lines.items())):
            points.sort()
            name = label + (f", {pair}" if len(experiment.pairs) > 1 else "")
            name += f" ({model})" if len(experiment.models) > 1 else ""
            dodge = (index - (len(lines) - 1) / 2) * 0.05  # lines side by side, so their error bars do not overlap
            axis.errorbar([k + dodge for k, _, _ in points], [v for _, v, _ in points],
                          yerr=[c for _, _, c in points], marker="o", capsize=3, label=name)
        axis.set_xlabel("prior tokens k")
        axis.set_ylabel(_label(metric, lower_is_better))
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.grid(alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=min(3, len(labels)), fontsize=8, frameon=False)
    title = display_title(experiment, task)
    pair = f" ({experiment.pairs[0]})" if len(experiment.pairs) == 1 and experiment.pairs[0] not in title else ""
    _title(figure, title, f"Quality against the number of prior tokens k{pair}", width)
    return _save(figure, stem)


def provider_figure(experiment: Experiment, rows: Sequence[dict[str, Any]], metrics: Sequence[str], stem: Path, *,
                    default_k: int, task: Task | None = None, averages: Sequence[dict[str, Any]] = (),
                    lower_is_better: Collection[str] = ()) -> list[Path]:
    """Bars, one panel per metric: a bar per system of the first model (a k-sweep at the task's ``default_k``)
    and per provider-alone row, grouped by pair (and Avg.) when there are several; [] when there is nothing to
    draw, or when every run sweeps k (the k-sweep figure shows it all)."""
    if all(sweeps_k(run) for run in experiment.runs):
        return []
    first_model = experiment.models[0]
    systems: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        sweep = sweeps_k(experiment.runs[row["run_index"]])
        if row["model"] in (first_model, None) and (not sweep or row["k"] == default_k):
            label = row["label"] if sweep else row_name(row, experiment)
            systems.setdefault(label, {})[row["pair"]] = row
    for entry in averages:
        if entry["model"] in (first_model, "(provider alone)"):
            for label, bars in systems.items():
                if entry["system"] in (label, f"{label} (k={default_k})"):
                    bars[_AVERAGE] = entry
    metrics = [metric for metric in metrics if any(metric in row["scores"] for bars in systems.values()
                                                   for row in bars.values())]
    if not systems or not metrics:
        return []
    groups = list(experiment.pairs) + ([_AVERAGE] if len(experiment.pairs) > 1 and averages else [])
    draw = _single_group if len(groups) == 1 else _grouped
    figure, width = draw(systems, groups, metrics, lower_is_better)
    sweep_note = f" (k = {default_k} where a run sweeps k)" if any(sweeps_k(run) for run in experiment.runs) else ""
    title = display_title(experiment, task)
    pair = f", {groups[0]}" if len(groups) == 1 and groups[0] not in title else ""
    _title(figure, title, f"Scores by prior source{pair}{sweep_note}", width)
    return _save(figure, stem)


def _top(systems: dict[str, dict[str, dict[str, Any]]], metric: str) -> float:
    return max((row["scores"].get(metric, 0) + _interval(row, metric) for bars in systems.values()
                for row in bars.values()), default=1.0) or 1.0


def _bar(axis: Any, x: float, row: dict[str, Any] | None, metric: str, width: float, colour: str, top: float,
         label: str | None) -> None:
    """One bar with its interval; a hatched "n/a" placeholder where the cell is missing; a zero labelled."""
    if row is None or metric not in row["scores"]:
        axis.bar(x, top * 0.08, width, color="none", edgecolor="grey", hatch="///", linewidth=0.5)
        axis.text(x, top * 0.09, "n/a", ha="center", va="bottom", fontsize=6, color="grey")
        return
    value = row["scores"][metric]
    axis.bar(x, value, width, yerr=_interval(row, metric) or None, capsize=2, color=colour, label=label,
             error_kw={"linewidth": 0.8})
    if round(value, 1) == 0:
        axis.text(x, top * 0.01, "0.0", ha="center", va="bottom", fontsize=7, color=colour)


def _single_group(systems: dict[str, dict[str, dict[str, Any]]], groups: list[str], metrics: Sequence[str],
                  lower_is_better: Collection[str]) -> tuple[Any, float]:
    """One pair: panels side by side, one labelled bar per system."""
    plt = _pyplot()
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    width = min(9.0, max(4.0, (0.55 * len(systems) + 1.2) * len(metrics)))
    figure, axes = plt.subplots(1, len(metrics), figsize=(width, 3.9), layout="constrained", squeeze=False)
    names = [textwrap.fill(label, 14) for label in systems]
    for axis, metric in zip(axes[0], metrics):
        top = _top(systems, metric)
        for index, bars in enumerate(systems.values()):
            _bar(axis, index, bars.get(groups[0]), metric, 0.7, colours[index % len(colours)], top, None)
        if len(systems) > 4:  # long names side by side would overlap
            axis.set_xticks(range(len(systems)), names, fontsize=7, rotation=30, ha="right", rotation_mode="anchor")
        else:
            axis.set_xticks(range(len(systems)), names, fontsize=8)
        axis.set_ylabel(_label(metric, lower_is_better))
        axis.set_ylim(0, top * 1.12)
        axis.grid(axis="y", alpha=0.3)
    return figure, width


def _grouped(systems: dict[str, dict[str, dict[str, Any]]], groups: list[str], metrics: Sequence[str],
             lower_is_better: Collection[str]) -> tuple[Any, float]:
    """Several pairs: panels stacked, a group of bars per pair (Avg. after a dashed line), a shared legend."""
    plt = _pyplot()
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    bar_width = 0.8 / len(systems)
    # A paper's full text width is about 7 inches: wider figures would print their labels too small.
    width = min(9.0, max(6.0, 0.2 * len(groups) * len(systems) + 2.5))
    figure, axes = plt.subplots(len(metrics), 1, figsize=(width, 2.6 * len(metrics) + 1.2), layout="constrained",
                                squeeze=False)
    for axis, metric in zip(axes[:, 0], metrics):
        top = _top(systems, metric)
        for index, (label, bars) in enumerate(systems.items()):
            for group, where in enumerate(groups):
                x = group + index * bar_width - 0.4 + bar_width / 2
                _bar(axis, x, bars.get(where), metric, bar_width, colours[index % len(colours)], top,
                     label if group == 0 else None)
        if _AVERAGE in groups:
            axis.axvline(len(groups) - 1.5, color="grey", linewidth=0.6, linestyle="--")
        axis.set_xticks(range(len(groups)), groups)
        axis.set_ylabel(_label(metric, lower_is_better))
        axis.set_ylim(0, top * 1.12)
        axis.grid(axis="y", alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=min(3, len(labels)), fontsize=8, frameon=False)
    return figure, width
