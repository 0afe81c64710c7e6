"""How a results row is named and whether its run sweeps k: shared by the tables and the figures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: config.py checks baselines with this module
    from pretty_framework.experiments.config import Experiment, RunSpec
    from pretty_framework.tasks import Task


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


def baseline_names(experiment: Experiment) -> list[str]:
    """The names a ``table.baseline`` may give: a run's label where it is one row per pair, ``label (k=N)``
    for each k of a run that sweeps k (one template, one model)."""
    names = []
    for run in experiment.runs:
        several = [isinstance(value, list) and len(value) > 1 for value in (run.template, run.model)]
        if any(several):
            continue
        names += [f"{run.label} (k={k})" for k in run.k] if sweeps_k(run) else [run.label]
    return names


def display_title(experiment: Experiment, task: Task | None = None) -> str:
    """What tables and figures are titled: the file's ``title``, else the task and the foundation models."""
    if experiment.title:
        return experiment.title
    name = getattr(task, "name", None) or experiment.task
    name = {"pos": "POS tagging"}.get(name, name)
    models = ", ".join(Path(model).name if "/" in model else model for model in experiment.models)  # no folders
    return f"{name[:1].upper()}{name[1:]}, {models}"
