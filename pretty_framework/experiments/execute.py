"""Run an experiment: expand the matrix, decode each configuration with resume, score it, write the results.

The results folder holds ``outputs/`` (one JSONL per configuration, written
incrementally), ``results.json`` (every configuration's scores),
``table.md``/``table.csv`` and ``figures/``. A re-run skips configurations
whose output is complete and finishes a half-written one where it stopped
(the :class:`ResultWriter` drops a cut last line and checks the signature).
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pretty_framework.experiments.config import Experiment, ExperimentError, run_guides

if TYPE_CHECKING:
    from pretty_framework.decoding.executors import EngineSpec, Executor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Configuration:
    """One cell of the matrix: a run (row) for one model, pair, k and template."""

    label: str
    model: str | None  # None for a provider-alone (direct) run
    pair: str
    k: int | None
    template: str | None
    run_index: int

    def slug(self) -> str:
        """A file name that names every coordinate."""
        parts = [self.label, f"k{self.k if self.k is not None else 'default'}", self.template or "default"]
        return "__".join(re.sub(r"[^\w.-]+", "-", part).strip("-") or "x" for part in parts)

    def path(self, folder: Path) -> Path:
        return folder / "outputs" / (self.model or "direct").replace("/", "_") / self.pair / f"{self.slug()}.jsonl"


def _as_list(value: Any, default: list[Any]) -> list[Any]:
    if value is None:
        return default
    return value if isinstance(value, list) else [value]


def expand(experiment: Experiment) -> list[Configuration]:
    """Every configuration, grouped by model so each model loads once."""
    configurations = []
    for index, run in enumerate(experiment.runs):
        models = [None] if run.direct else _as_list(run.model, experiment.models)
        for model, pair, k, template in itertools.product(models, experiment.pairs, _as_list(run.k, [None]),
                                                          _as_list(run.template, [None])):
            configurations.append(Configuration(run.label, model, pair, k, template, index))
    return sorted(configurations, key=lambda c: (c.model is not None, c.model or "", c.run_index))


class ExperimentRunner:
    """Runs the configurations of one experiment into ``folder`` through one executor (local by default)."""

    def __init__(self, experiment: Experiment, base: Path, folder: Path | None = None, *,
                 progress: bool | None = None, force: bool = False, echo: Callable[[str], None] = print,
                 executor: Executor | None = None):
        from pretty_framework.decoding.executors import LocalExecutor

        self.experiment, self.base = experiment, base
        self.folder = experiment_folder(experiment, base, folder)
        self.progress, self.force, self.echo = progress, force, echo
        self._owns_executor = executor is None  # one we made is ours to close
        self.executor: Executor = executor if executor is not None else LocalExecutor()
        self._items: dict[str, list] = {}

    def _path(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else self.base / path

    # -- data ------------------------------------------------------------------------------
    def items(self, pair: str) -> list:
        """The items of ``pair`` (read once)."""
        if pair not in self._items:
            from pretty_framework.io.inputs import attach_references, flores_files, read_conllu, read_input
            from pretty_framework.languages import normalize_language

            data = self.experiment.data
            src, tgt = (normalize_language(code) for code in pair.split("-", 1))
            if data.flores:
                source, reference = flores_files(self._path(data.flores), data.split, src, tgt)
                items = attach_references(read_input(source, "text"), reference)
            elif data.conllu:
                items = read_conllu(self._path(data.conllu.format(src=src, tgt=tgt)))
            else:
                items = read_input(self._path(data.jsonl.format(src=src, tgt=tgt)), "jsonl")
            self._items[pair] = items[: data.limit] if data.limit else items
        return self._items[pair]

    def spec(self, configuration: Configuration) -> EngineSpec:
        """The picklable recipe of a configuration's engine (what the executor builds)."""
        from pretty_framework.decoding.executors import EngineSpec
        from pretty_framework.decoding.generation import GenerationSettings
        from pretty_framework.languages import normalize_language

        run = self.experiment.runs[configuration.run_index]
        src, tgt = (normalize_language(code) for code in configuration.pair.split("-", 1))
        settings = GenerationSettings(max_new_tokens=run.max_new_tokens or self.experiment.max_new_tokens)
        return EngineSpec(self.experiment.task, run.provider, src, tgt, provider_options=run.options,
                          backend=self.experiment.backend, model=configuration.model, device=self.experiment.device,
                          dtype=self.experiment.dtype, backend_options=self.experiment.backend_options,
                          k=configuration.k, template=configuration.template, settings=settings,
                          direct=run.direct, guides=run_guides(run, self.experiment.backend),
                          shots=0 if run.direct else run.shots,
                          shots_from=run.shots_from)

    # -- running ---------------------------------------------------------------------------
    def run(self, only: Callable[[Configuration], bool] | None = None) -> list[dict[str, Any]]:
        """Decode what is not done yet, score everything, write results (with the environment), tables, figures."""
        from pretty_framework.experiments.report import write_results
        from pretty_framework.plugin.manager import get_plugins

        rows = []
        try:
            for configuration in expand(self.experiment):
                if only is None or only(configuration):
                    row = self.run_one(configuration)
                    if row is not None:
                        rows.append(row)
        finally:
            self.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        plugins = get_plugins()
        write_results(self.experiment, rows, self.folder, plugins.tasks.get(self.experiment.task), plugins.metrics)
        return rows

    def run_one(self, configuration: Configuration) -> dict[str, Any] | None:
        """Decode (or finish) one configuration and score its outputs; None when its provider lacks the pair."""
        from pretty_framework.evaluation.scoring import evaluate
        from pretty_framework.io.outputs import read_records
        from pretty_framework.plugin.manager import get_plugins

        spec = self.spec(configuration)
        if not self.executor.supports(spec):
            self.echo(f"{configuration.label} | {configuration.pair}: provider {spec.provider!r} has no resource for "
                      "this pair; the cell stays empty")
            return None
        items = self.items(configuration.pair)
        path = configuration.path(self.folder)
        signature = self.executor.signature(spec)
        batch_size = self.experiment.batch_size or spec.default_batch_size()
        batching = f"{batch_size}x{self.experiment.sort_window}"
        writer = self._writer(path, signature, batching, items, self.executor.batch_invariant(spec))
        try:
            if writer.done < len(items):
                self.echo(f"{configuration.label} | {configuration.model or 'direct'} | {configuration.pair} | "
                          f"{self._describe(configuration)}: {writer.done}/{len(items)} done, "
                          f"decoding {len(items) - writer.done}")
                self.executor.run(spec, items, writer, done=writer.done, batch_size=batch_size,
                                  progress=self.progress, sort_window=self.experiment.sort_window)
        finally:
            writer.close()
        records = read_records(path)
        plugins = get_plugins()
        scores = evaluate(records, plugins.tasks.get(self.experiment.task), spec.tgt_lang, self.experiment.metrics,
                          registry=plugins.metrics)
        row = {**asdict(configuration), "provider": spec.provider, "output": str(path.relative_to(self.folder)),
               **scores}
        return row

    def _writer(self, path: Path, signature: Any, batching: str, items: list, batch_invariant: bool) -> Any:
        """The configuration's writer: its output resumed when it is this configuration's, else started again.

        An output written with other settings (another signature, other input items, other batching where
        the outputs depend on it) is decoded again, never mixed or scored under the new configuration; the
        changed fields are named. ``force`` decodes every configuration again.
        """
        from pretty_framework.errors import ResumeError
        from pretty_framework.io.outputs import ResultWriter

        if not self.force:
            try:
                writer = ResultWriter(path, "jsonl", signature, resume=True, batching=batching)
            except ResumeError as error:
                self.echo(f"{path.relative_to(self.folder)}: the configuration changed ({error}); decoding it again")
            else:
                try:
                    writer.remaining(items, batch_invariant=batch_invariant)
                    return writer
                except ResumeError as error:
                    writer.close()
                    self.echo(f"{path.relative_to(self.folder)}: {error}; decoding it again")
        return ResultWriter(path, "jsonl", signature, force=True, batching=batching)

    def _describe(self, configuration: Configuration) -> str:
        """k and template for a status line, the task's defaults named as such."""
        from pretty_framework.plugin.manager import get_plugins

        task = get_plugins().tasks.get(self.experiment.task)
        k = configuration.k if configuration.k is not None else f"{task.default_k} (task default)"
        template = configuration.template or f"{task.default_template} (task default)"
        return f"k={k} | template {template}"

    def close(self) -> None:
        """Free the executor's models, if the executor is ours."""
        if self._owns_executor:
            self.executor.close()


def configurations_done(experiment: Experiment, folder: Path) -> Iterator[tuple[Configuration, int]]:
    """(configuration, lines written) for each configuration; for ``pretty run --dry-run``."""
    for configuration in expand(experiment):
        path = configuration.path(folder)
        yield configuration, sum(1 for _ in path.open()) if path.exists() else 0


def experiment_folder(experiment: Experiment, base: Path, override: Path | None) -> Path:
    """Where the results go: ``--output``, the file's ``output`` key, or ``results/NAME`` beside the file."""
    if override is not None:
        return override
    path = Path(experiment.output or f"results/{experiment.name}")
    if not path.is_absolute():
        path = base / path
    if path.exists() and not path.is_dir():
        raise ExperimentError(f"output: {path} exists and is not a folder")
    return path
