"""``pretty run EXPERIMENT.yaml``: a matrix of models x runs x pairs, resumable, scored, tabled, plotted."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("run")
@click.argument("experiment_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False),
              help="Results folder (default: the file's `output`, else results/NAME beside the file).")
@click.option("--limit", type=click.IntRange(min=1), help="Override data.limit (items per pair).")
@click.option("--dry-run", is_flag=True, help="List the configurations and how far each is, decode nothing.")
@click.option("--force", is_flag=True, help="Redo configurations whose saved output came from other settings.")
@click.option("--progress/--no-progress", default=None, help="Progress bars (default: on a terminal).")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="ray: decode every configuration on Ray decoder actors (pip install 'pretty-framework[ray]').")
@click.option("--ray-address", help="A running Ray cluster (default: start a local one).")
@click.option("--ray-workers", type=click.IntRange(min=1), default=2, show_default=True)
def run(experiment_file, output, limit, dry_run, force, progress, executor, ray_address, ray_workers) -> None:
    """Run EXPERIMENT_FILE; a re-run skips finished configurations and resumes a cut one.

    \b
    Example:
      pretty run examples/experiments/mt-small.yaml
    """
    from pretty_framework.experiments.config import load_experiment
    from pretty_framework.experiments.execute import ExperimentRunner, configurations_done, experiment_folder

    experiment = load_experiment(experiment_file)
    if limit is not None:
        experiment.data.limit = limit
    base = experiment_file.resolve().parent
    folder = experiment_folder(experiment, base, output)
    if dry_run:
        for configuration, written in configurations_done(experiment, folder):
            click.echo(f"{written:6d} written  {configuration.path(folder).relative_to(folder)}")
        return
    from pretty_framework.decoding.executors import make_executor

    pool = make_executor(executor, workers=ray_workers, address=ray_address)
    runner = ExperimentRunner(experiment, base, folder, progress=progress, force=force,
                              echo=lambda line: click.echo(line, err=True), executor=pool)
    try:
        rows = runner.run()
    finally:
        pool.close()
    click.echo(f"{len(rows)} configurations scored; table: {folder / 'table.md'}; figures: {folder / 'figures'}")
