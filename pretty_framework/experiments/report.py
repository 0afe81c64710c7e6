"""An experiment's results written out: results.json, the tables (Markdown, LaTeX, CSV) and the figures.

:func:`write_results` is the one call ``pretty run`` makes once every
configuration is scored: it tests each row against the baseline row and
averages over pairs (:mod:`.significance`), records where the numbers were
made (:mod:`pretty_framework.evaluation.environment`, with every row's run
signature), then lays out the tables (:mod:`.tables`) and draws the figures
(:mod:`.figures`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pretty_framework.experiments.config import Experiment
from pretty_framework.experiments.figures import k_sweep_figure, provider_figure
from pretty_framework.experiments.rows import display_title
from pretty_framework.experiments.tables import (
    build_tables,
    higher_is_better,
    latex,
    markdown,
    notes,
    table_metrics,
    write_csv,
)

if TYPE_CHECKING:
    from pretty_framework.evaluation.metric import Metric
    from pretty_framework.plugin.registry import Registry
    from pretty_framework.tasks import Task

__all__ = ["run_signatures", "table_metrics", "write_report", "write_results"]


def run_signatures(rows: Sequence[dict[str, Any]], folder: Path) -> dict[str, str]:
    """Each row's run signature, read from the first record of its output file."""
    signatures = {}
    for row in rows:
        with (folder / row["output"]).open(encoding="utf-8") as handle:
            first = handle.readline()
        if first.strip():
            signatures[row["output"]] = json.loads(first).get("signature", "")
    return signatures


def write_results(experiment: Experiment, rows: list[dict[str, Any]], folder: Path, task: Task,
                  registry: Registry[Metric]) -> None:
    """results.json (rows with p-values, averages, the environment), the tables and the figures."""
    from pretty_framework.decoding.executors import default_batch_size
    from pretty_framework.evaluation.bootstrap import ALPHA, DEFAULT
    from pretty_framework.evaluation.environment import environment
    from pretty_framework.experiments.significance import compare

    averages = compare(experiment, rows, folder, task, registry) if rows else []
    bootstrap = DEFAULT
    results = {
        # the batch size the runs used, where the file left it to the backend
        "experiment": {**experiment.model_dump(),
                       "batch_size": experiment.batch_size or default_batch_size(experiment.backend,
                                                                                  experiment.backend_options)},
        "environment": {**environment(), "run_signatures": run_signatures(rows, folder)},
        "significance": {"test": "paired bootstrap resampling", "samples": bootstrap.samples, "seed": bootstrap.seed,
                         "alpha": ALPHA, "baseline": experiment.table.baseline},
        "rows": rows,
        "averages": averages,
    }
    (folder / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_report(experiment, rows, folder, task, averages, registry)


def write_report(experiment: Experiment, rows: Sequence[dict[str, Any]], folder: Path, task: Task,
                 averages: Sequence[dict[str, Any]] = (), registry: Registry[Metric] | None = None) -> None:
    """table.md, table.tex, table.csv and figures/ (PNG and PDF); ``task`` is the experiment's (columns, k)."""
    if not rows:
        return
    tables = build_tables(experiment, rows, task, averages, registry)
    note_lines = notes(experiment, rows, task, tables, registry)
    heading = display_title(experiment, task)
    (folder / "table.md").write_text(markdown(tables, note_lines, heading), encoding="utf-8")
    (folder / "table.tex").write_text(latex(tables, note_lines), encoding="utf-8")
    write_csv(experiment, rows, averages, task, folder / "table.csv", registry)
    figures = folder / "figures"
    figures.mkdir(exist_ok=True)
    metrics = table_metrics(experiment, rows, task)
    lower = {column for column, higher in higher_is_better(registry).items() if not higher}
    drawn = []
    if metrics:
        drawn += k_sweep_figure(experiment, rows, metrics, figures / "k_sweep", task=task, lower_is_better=lower)
        drawn += provider_figure(experiment, rows, metrics, figures / "providers", default_k=task.default_k,
                                 task=task, averages=averages, lower_is_better=lower)
    for stale in (figures / f"{stem}.{fmt}" for stem in ("k_sweep", "providers") for fmt in ("png", "pdf")):
        if stale not in drawn and stale.exists():
            stale.unlink()  # a figure this experiment no longer draws would be taken for a current one
