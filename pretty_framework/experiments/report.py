"""Tables laid out like the paper's Tables 1-3 (rows: systems; columns: pair x metric, Avg., %SFT) and figures.

A row is a run label (with ``k=``/template when the run sweeps them), one block
of rows per foundation model, provider-alone rows in a block of their own.
%SFT is the row's average over pairs and table metrics as a percentage of the
SFT row's, metric by metric, then averaged over the table metrics (the paper's
"%SFT" column).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pretty_framework.evaluation.metrics import pct_sft
from pretty_framework.experiments.config import Experiment
from pretty_framework.experiments.figures import k_sweep_figure, provider_figure
from pretty_framework.experiments.rows import row_name

if TYPE_CHECKING:
    from pretty_framework.tasks import Task

EXTRA_COLUMNS = ["target-lang%"]  # shown when computed: the paper's Appendix C.3 success rate


def table_metrics(experiment: Experiment, rows: Sequence[dict[str, Any]], task: Task) -> list[str]:
    """The score columns: the file's ``table.metrics``, else the task's ``table_metrics``, that were computed.

    A task that names no table columns shows every column its metrics produced (but the extra ones).
    """
    present = list(dict.fromkeys(name for row in rows for name in row["scores"]))
    wanted = experiment.table.metrics or task.table_metrics or [name for name in present if name not in EXTRA_COLUMNS]
    return [name for name in wanted if name in present]


def build_table(experiment: Experiment, rows: Sequence[dict[str, Any]],
                task: Task) -> tuple[list[str], list[list[Any]]]:
    """Header and body of the table (numbers as floats, ``None`` where a cell is missing)."""
    metrics = table_metrics(experiment, rows, task)
    extras = [name for name in EXTRA_COLUMNS if any(name in row["scores"] for row in rows)]
    pairs = experiment.pairs
    header = ["model", "system"] + [f"{pair} {metric}" for pair in pairs for metric in metrics]
    header += [f"Avg. {metric}" for metric in metrics] + [f"Avg. {name}" for name in extras]
    sft_label = experiment.table.sft_row
    if sft_label:
        header.append("%SFT")
    cells: dict[tuple[str, str], dict[str, dict[str, float]]] = {}
    order: list[tuple[str, str]] = []
    for row in rows:
        key = (row["model"] or "(provider alone)", row_name(row, experiment))
        if key not in cells:
            cells[key] = {}
            order.append(key)
        cells[key][row["pair"]] = row["scores"]

    def average(scores: dict[str, dict[str, float]], metric: str) -> float | None:
        values = [scores[pair].get(metric) for pair in pairs if pair in scores]
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values and len(values) == len(pairs) else None

    sft_key = next((key for key in order if key[1] == sft_label), None)
    body = []
    for key in order:
        scores = cells[key]
        line: list[Any] = list(key)
        line += [scores.get(pair, {}).get(metric) for pair in pairs for metric in metrics]
        averages = [average(scores, metric) for metric in metrics]
        line += averages + [average(scores, name) for name in extras]
        if sft_label:
            ratios = [pct_sft(value, average(cells[sft_key], metric))
                      for value, metric in zip(averages, metrics) if value is not None and sft_key]
            ratios = [r for r in ratios if r is not None]
            line.append(sum(ratios) / len(ratios) if ratios and len(ratios) == len(metrics) else None)
        body.append(line)
    return header, body


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def markdown_table(header: list[str], body: list[list[Any]]) -> str:
    """A GitHub Markdown table, one decimal."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in line) + " |" for line in body]
    return "\n".join(lines) + "\n"


def write_report(experiment: Experiment, rows: Sequence[dict[str, Any]], folder: Path, task: Task) -> None:
    """table.md, table.csv and the figures; ``task`` is the experiment's (its table columns, its k)."""
    if not rows:
        return
    header, body = build_table(experiment, rows, task)
    failures = sum(row["parse_failures"] for row in rows)
    notes = [f"# {experiment.name}", "",
             f"Task {experiment.task}; {rows[0]['n']} items per pair; models: {', '.join(experiment.models)}.",
             f"Unparseable or empty outputs (scored as empty, never dropped): {failures} in all."]
    skipped = sorted({f"{name}: {reason}" for row in rows for name, reason in row["skipped"].items()})
    notes += [f"Skipped: {reason}" for reason in skipped]
    signatures = sorted({f"{name}: {sig}" for row in rows for name, sig in row["signatures"].items()})
    notes += ["", "Metric signatures:", *[f"- {line}" for line in signatures], ""]
    (folder / "table.md").write_text("\n".join(notes) + "\n" + markdown_table(header, body), encoding="utf-8")
    with (folder / "table.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([[f"{v:.2f}" if isinstance(v, float) else ("" if v is None else v) for v in line]
                          for line in body])
    figures = folder / "figures"
    figures.mkdir(exist_ok=True)
    metric = table_metrics(experiment, rows, task)
    if metric:
        k_sweep_figure(experiment, rows, metric[-1], figures / "k_sweep.png")
        provider_figure(experiment, rows, metric[-1], figures / "providers.png", default_k=task.default_k)
