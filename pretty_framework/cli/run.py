"""``pretty run EXPERIMENT.yaml``: a matrix of models x runs x pairs, resumable, scored, tabled, plotted."""

from __future__ import annotations

from pathlib import Path

import click

from pretty_framework.cli.params import progress_option, resolve_progress


@click.command("run")
@click.argument("experiment_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False),
              help="Results folder (default: the file's `output`, else results/NAME beside the file).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Change a key of the file before it is checked: max_new_tokens=24, data.limit=8, "
                   "table.baseline='Base', runs.0.k=3 (values read as YAML; paths relative to here); repeat for "
                   "several.")
@click.option("--limit", type=click.IntRange(min=1), help="Items per pair (the same as --set data.limit=N).")
@click.option("--dry-run", is_flag=True, help="Check the file and its data, list the configurations and how far "
                                              "each is (stale outputs named with what changed); decode nothing.")
@click.option("--force", is_flag=True, help="Decode every configuration again, finished ones too.")
@progress_option
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="ray: decode every configuration on Ray decoder actors (pip install 'pretty-framework[ray]').")
@click.option("--ray-address", help="A running Ray cluster (default: start a local one).")
@click.option("--ray-workers", type=click.IntRange(min=1), default=2, show_default=True)
def run(experiment_file, output, overrides, limit, dry_run, force, progress, executor, ray_address,
        ray_workers) -> None:
    """Run EXPERIMENT_FILE; a re-run skips finished configurations and resumes a cut one.

    Paths in the file are relative to the file, so it runs from any directory. Every
    score comes with its 95% bootstrap interval; with `table: {baseline: LABEL}` every
    row is tested against that row (paired bootstrap), per pair and on average.

    \b
    Example:
      pretty run examples/experiments/mt-small.yaml
      pretty run examples/experiments/mt-small.yaml --dry-run --set max_new_tokens=48
    """
    from pretty_framework.experiments.config import check_data, load_experiment
    from pretty_framework.experiments.execute import ExperimentRunner, experiment_folder

    if limit is not None:
        overrides = (*overrides, f"data.limit={limit}")
    experiment = load_experiment(experiment_file, overrides)
    base = experiment_file.resolve().parent
    folder = experiment_folder(experiment, base, output)
    check_data(experiment, base)  # a missing input file fails now, not after hours of other pairs
    if dry_run:
        _dry_run(experiment, base, folder)
        return
    from pretty_framework.decoding.executors import make_executor

    pool = make_executor(executor, workers=ray_workers, address=ray_address)
    runner = ExperimentRunner(experiment, base, folder, progress=resolve_progress(progress), force=force,
                              echo=lambda line: click.echo(line, err=True), executor=pool)
    try:
        rows = runner.run()
    finally:
        pool.close()
    folder = folder.resolve()
    click.echo(f"{len(rows)} configurations scored; tables: {folder / 'table.md'} (.tex, .csv); "
               f"figures: {folder / 'figures'}")


def _dry_run(experiment, base: Path, folder: Path) -> None:
    """One line per configuration: how far it is, or what changed since its output was written."""
    from pretty_framework.experiments.execute import ExperimentRunner
    from pretty_framework.experiments.status import configuration_status

    reader = ExperimentRunner(experiment, base, folder, progress=False, echo=lambda line: None)
    items = {pair: len(reader.items(pair)) for pair in experiment.pairs}
    stale = 0
    for status in configuration_status(experiment, folder, items):
        stale += bool(status.stale)
        click.echo(f"{status.describe():40}  {status.path.relative_to(folder)}")
    click.echo(f"data: {', '.join(f'{pair} {n} items' for pair, n in items.items())}; results in {folder.resolve()}"
               + (f"; {stale} stale outputs will be decoded again" if stale else ""))
