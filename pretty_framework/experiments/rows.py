"""How a results row is named and whether its run sweeps k: shared by the tables and the figures."""

from __future__ import annotations

from typing import Any

from pretty_framework.experiments.config import Experiment, RunSpec


def sweeps_k(run: RunSpec) -> bool:
    """Whether ``run`` lists several k (then its rows differ by k and say so)."""
    return isinstance(run.k, list) and len(run.k) > 1


def row_name(row: dict[str, Any], experiment: Experiment) -> str:
    """The table's name for a row: the label, plus k and template when the run sweeps them."""
    run = experiment.runs[row["run_index"]]
    name = row["label"]
    if sweeps_k(run):
        name += f" (k={row['k']})"
    if isinstance(run.template, list) and len(run.template) > 1:
        name += f" [{row['template']}]"
    return name
