"""The experiment file: a YAML matrix of models x runs (providers, k, templates) x language pairs.

Example (see examples/experiments/ for complete ones)::

    name: mt-small
    task: translation
    pairs: [en-de, en-zh]
    models: [gemma3-270m]
    data: {flores: ../shared/data/flores, split: dev, limit: 100}
    runs:
      - {label: "Base (Normal)", provider: none, template: normal}
      - {label: "+ oracle", provider: oracle, k: [1, 2, 3, 4]}
      - {label: "SFT model alone", provider: sft, direct: true, options: {max_new_tokens: 96}}
    table: {metrics: [BLEU, chrF], sft_row: "SFT model alone", baseline: "Base (Normal)"}
    title: "Prior tokens for a 270M base model"   # figures and tables (default: from task and models)

Every key is checked before anything runs; an error names the key
(``runs[2].k``) and what was expected. Names (task, providers, templates,
languages, metrics) are checked against what is installed. Paths are relative
to the experiment file, so it runs from any working directory;
:func:`check_data` says which file is missing before any model loads.
``pretty run --set key=value`` changes a key (dotted for nested ones:
``data.limit=8``, ``runs.1.k=3``) before the checks, so an override is checked
like the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pretty_framework.errors import PrettyError


class ExperimentError(PrettyError):
    """The experiment file is malformed; the message names the file, the key and what was expected."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataSpec(_Strict):
    """Where the items come from: a Flores folder, a CoNLL-U file, or JSONL (``{src}``/``{tgt}`` placeholders)."""

    flores: str | None = None
    split: str = "dev"
    conllu: str | None = None
    jsonl: str | None = None
    limit: int | None = Field(None, ge=1)


class RunSpec(_Strict):
    """One row of the table; list values (k, template, model) expand into several configurations."""

    label: str = Field(min_length=1)
    provider: str = "none"
    options: dict[str, Any] = Field(default_factory=dict)
    k: int | list[int] | None = None
    template: str | list[str] | None = None
    model: str | list[str] | None = None
    direct: bool = False  # score the provider's own answer, without the foundation model
    max_new_tokens: int | None = Field(None, ge=1)
    #: guides acting at every step: names, "default" or "none" (the paper's setting, and the default here: an
    #: experiment file is a record of what was run, so guides are named where they are used)
    guides: str | list[str] = "none"
    guide_options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: worked examples before each prompt (0 by default here, for the same reason) and their pool
    shots: int = Field(0, ge=0)
    shots_from: str = "bundled"

    @field_validator("k")
    @classmethod
    def _k_not_negative(cls, value: int | list[int] | None) -> int | list[int] | None:
        values = value if isinstance(value, list) else [value]
        if any(v is not None and v < 0 for v in values):
            raise ValueError("k must be 0 or more")
        return value


class TableSpec(_Strict):
    """Which score columns the table shows, which row is the SFT reference for %SFT, and which row the others
    are tested against (paired bootstrap, per pair and on average)."""

    metrics: list[str] | None = None
    sft_row: str | None = None
    baseline: str | None = None


class Experiment(_Strict):
    """A whole experiment file."""

    name: str = Field(min_length=1, pattern=r"^[\w.-]+$")
    title: str | None = Field(None, min_length=1)  # what figures and tables are titled (never the file's name)
    task: str = "translation"
    pairs: list[str] = Field(min_length=1)
    models: list[str] = Field(default_factory=lambda: ["gemma3-270m"], min_length=1)
    data: DataSpec
    runs: list[RunSpec] = Field(min_length=1)
    metrics: list[str] | None = None
    backend: str = "transformers"
    device: str = "auto"
    dtype: str = "auto"
    batch_size: int | None = Field(None, ge=1)  # default: 16, or what the backend asks (openai: 4 x concurrency)
    sort_window: int = Field(8, ge=0)  # batches sorted by length together (0/1: input order)
    max_new_tokens: int = Field(128, ge=1)
    backend_options: dict[str, Any] = Field(default_factory=dict)
    output: str | None = None
    table: TableSpec = Field(default_factory=TableSpec)


_UNION_MEMBER = re.compile(r"^(int|str|float|bool|none|dict\[.*\]|list\[.*\]|function-.*)$")


def _where(location: tuple[Any, ...]) -> str:
    text = ""
    for part in location:
        if isinstance(part, str) and _UNION_MEMBER.match(part):
            continue  # pydantic names the member of a union it tried: not a key of the file
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


PATH_KEYS = ("data.flores", "data.conllu", "data.jsonl", "output")
"""Keys that hold paths: relative to the experiment file, or to the working directory when given by ``--set``."""


def apply_overrides(raw: dict[str, Any], overrides: list[str] | tuple[str, ...]) -> set[str]:
    """Set each ``key=value`` of ``overrides`` in ``raw`` (values read as YAML: ``24``, ``true``, ``[1, 2]``).

    Dotted keys reach into mappings and lists (``runs.0.k``); a relative path given for a
    path key is made absolute from the working directory, as any path on a command line.
    Returns the keys set.
    """
    import yaml

    changed = set()
    for override in overrides:
        key, sep, text = override.partition("=")
        key = key.strip()
        if not sep or not key or any(not part for part in key.split(".")):
            raise ExperimentError(f"--set {override!r}: expected KEY=VALUE, e.g. max_new_tokens=24 or data.limit=8")
        try:
            value = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError:
            value = text
        if isinstance(value, dict) and not text.lstrip().startswith("{"):
            value = text  # "a title: with a colon" is text; a mapping is written {key: value}
        if key in PATH_KEYS and isinstance(value, str) and not Path(value).is_absolute():
            value = str(Path(value).resolve())
        *parents, last = key.split(".")
        node: Any = raw
        for depth, part in enumerate(parents):
            where = ".".join(parents[: depth + 1])
            node = _child(node, part, where, create=True)
        _assign(node, last, value, key)
        changed.add(key)
    return changed


def _child(node: Any, part: str, where: str, *, create: bool) -> Any:
    if isinstance(node, list):
        index = _index(node, part, where)
        return node[index]
    if not isinstance(node, dict):
        raise ExperimentError(f"--set {where}: {where.rpartition('.')[0] or 'the file'} is not a mapping")
    if part not in node or node[part] is None:
        if not create:
            raise ExperimentError(f"--set {where}: no such key")
        node[part] = {}
    return node[part]


def _assign(node: Any, part: str, value: Any, key: str) -> None:
    if isinstance(node, list):
        node[_index(node, part, key)] = value
    elif isinstance(node, dict):
        node[part] = value
    else:
        raise ExperimentError(f"--set {key}: {key.rpartition('.')[0]} is not a mapping or a list")


def _index(node: list[Any], part: str, where: str) -> int:
    if not part.isdigit() or int(part) >= len(node):
        raise ExperimentError(f"--set {where}: expected a list index from 0 to {len(node) - 1}, got {part!r}")
    return int(part)


def load_experiment(path: Path, overrides: list[str] | tuple[str, ...] = ()) -> Experiment:
    """Read and check ``path`` with ``overrides`` (``key=value``) applied; every problem is an
    :class:`ExperimentError` naming the key."""
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExperimentError(f"experiment file not found: {path}") from None
    except yaml.YAMLError as error:
        raise ExperimentError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise ExperimentError(f"{path}: expected a mapping of keys (name, pairs, data, runs, ...) at the top level")
    overridden = apply_overrides(raw, overrides)
    try:
        experiment = Experiment.model_validate(raw)
    except ValidationError as error:
        problems: dict[str, list[str]] = {}
        got: dict[str, str] = {}
        for e in error.errors():
            key = _where(e["loc"])
            problems.setdefault(key, []).append("required key is missing" if e["type"] == "missing"
                                                else e["msg"].lower())
            got[key] = "" if e["type"] == "missing" else f" (got {e['input']!r})"
        lines = [f"{key}{' (--set)' if _dotted(key) in overridden else ''}: {', or '.join(dict.fromkeys(messages))}"
                 f"{got[key]}" for key, messages in problems.items()]
        raise ExperimentError(f"{path}: " + "; ".join(lines)) from None
    check_names(experiment, path)
    return experiment


def _dotted(key: str) -> str:
    return re.sub(r"\[(\d+)\]", r".\1", key)


def run_guides(run: RunSpec, backend: str | None = None) -> tuple:
    """The run's guides, resolved and checked (none for a provider-alone row: nothing is decoded).

    ``backend``: the experiment's backend; one that runs guides only between requests (openai) keeps the
    guides that can (``default`` -> reprime) and refuses the others named outright."""
    from pretty_framework.guides.select import build_guides, resolve_guides

    if run.direct:
        return ()
    choice = resolve_guides(run.guides, run.guide_options, backend=backend)
    for guide in build_guides(choice):  # options checked here, before any model loads
        guide.close()
    return choice


def check_names(experiment: Experiment, path: Path) -> None:
    """Check every name against what is installed, before any model loads."""
    from pretty_framework.evaluation.scoring import metric_names
    from pretty_framework.languages import normalize_language
    from pretty_framework.plugin.manager import get_plugins

    plugins = get_plugins()
    data = experiment.data
    sources = [name for name in ("flores", "conllu", "jsonl") if getattr(data, name)]
    if len(sources) != 1:
        raise ExperimentError(f"{path}: data: give exactly one of flores, conllu, jsonl (got {sources or 'none'})")

    def checked(key: str, check: Any) -> Any:
        try:
            return check()
        except PrettyError as error:
            raise ExperimentError(f"{path}: {key}: {error}") from None

    task = checked("task", lambda: plugins.tasks.get(experiment.task))
    checked("backend", lambda: plugins.backends.get(experiment.backend))
    checked("metrics", lambda: metric_names(experiment.task, experiment.metrics))
    for index, pair in enumerate(experiment.pairs):
        src, sep, tgt = pair.partition("-")
        if not sep:
            raise ExperimentError(f"{path}: pairs[{index}]: expected SRC-TGT such as en-de, got {pair!r}")
        checked(f"pairs[{index}]", lambda: (normalize_language(src), normalize_language(tgt)))
    labels = [run.label for run in experiment.runs]
    for index, run in enumerate(experiment.runs):
        provider = checked(f"runs[{index}].provider", lambda: plugins.providers.get(run.provider))
        instance = checked(f"runs[{index}].options", lambda: provider.from_options(run.options))
        if not instance.serves(experiment.task):
            raise ExperimentError(f"{path}: runs[{index}].provider: {run.provider!r} does not serve task "
                                  f"{experiment.task!r}")
        templates = run.template if isinstance(run.template, list) else [run.template]
        for template in templates:
            checked(f"runs[{index}].template", lambda: task.template(template))
        checked(f"runs[{index}].guides", lambda: run_guides(run, experiment.backend))
        if labels.count(run.label) > 1:
            raise ExperimentError(f"{path}: runs[{index}].label: {run.label!r} is used twice; labels name rows")
    if experiment.table.sft_row is not None and experiment.table.sft_row not in labels:
        raise ExperimentError(f"{path}: table.sft_row: {experiment.table.sft_row!r} is not a run label; "
                              f"labels: {', '.join(labels)}")
    baseline = experiment.table.baseline
    if baseline is not None:
        from pretty_framework.experiments.rows import baseline_names

        names = baseline_names(experiment)
        if baseline not in names:
            raise ExperimentError(f"{path}: table.baseline: {baseline!r} is not one row per pair of a run (a run "
                                  f"that sweeps k names one row per k: 'label (k=2)'); choose one of: "
                                  f"{', '.join(names)}")


def resolve_path(value: str, base: Path) -> Path:
    """``value`` relative to ``base`` unless absolute (``~`` expanded)."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def check_data(experiment: Experiment, base: Path) -> None:
    """An :class:`ExperimentError` naming the first input folder or file that is not there (``base``: the
    experiment file's folder, which relative paths start from)."""
    from pretty_framework.io.inputs import flores_files
    from pretty_framework.languages import normalize_language

    data = experiment.data
    key = "data.flores" if data.flores else ("data.conllu" if data.conllu else "data.jsonl")
    value = getattr(data, key.split(".")[1])
    hint = "" if Path(value).expanduser().is_absolute() else f" (relative to the experiment file's folder, {base})"
    if data.flores and not resolve_path(data.flores, base).is_dir():
        raise ExperimentError(f"data.flores: Flores folder not found: {resolve_path(data.flores, base)}{hint}")
    for pair in experiment.pairs:
        src, tgt = (normalize_language(code) for code in pair.split("-", 1))
        if data.flores:
            try:
                flores_files(resolve_path(data.flores, base), data.split, src, tgt)
            except PrettyError as error:
                raise ExperimentError(f"data.flores: {pair}: {error}") from None
            continue
        path = resolve_path(value.format(src=src, tgt=tgt), base)
        if not path.is_file():
            raise ExperimentError(f"{key}: {pair}: file not found: {path}{hint}")
