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
    table: {metrics: [BLEU, chrF], sft_row: "SFT model alone"}

Every key is checked before anything runs; an error names the key
(``runs[2].k``) and what was expected. Names (task, providers, templates,
languages, metrics) are checked against what is installed.
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

    @field_validator("k")
    @classmethod
    def _k_not_negative(cls, value: int | list[int] | None) -> int | list[int] | None:
        values = value if isinstance(value, list) else [value]
        if any(v is not None and v < 0 for v in values):
            raise ValueError("k must be 0 or more")
        return value


class TableSpec(_Strict):
    """Which score columns the table shows and which row is the SFT reference for %SFT."""

    metrics: list[str] | None = None
    sft_row: str | None = None


class Experiment(_Strict):
    """A whole experiment file."""

    name: str = Field(min_length=1, pattern=r"^[\w.-]+$")
    task: str = "translation"
    pairs: list[str] = Field(min_length=1)
    models: list[str] = Field(default_factory=lambda: ["gemma3-270m"], min_length=1)
    data: DataSpec
    runs: list[RunSpec] = Field(min_length=1)
    metrics: list[str] | None = None
    backend: str = "transformers"
    device: str = "auto"
    dtype: str = "auto"
    batch_size: int = Field(16, ge=1)
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


def load_experiment(path: Path) -> Experiment:
    """Read and check ``path``; every problem is an :class:`ExperimentError` naming the key."""
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExperimentError(f"experiment file not found: {path}") from None
    except yaml.YAMLError as error:
        raise ExperimentError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise ExperimentError(f"{path}: expected a mapping of keys (name, pairs, data, runs, ...) at the top level")
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
        lines = [f"{key}: {', or '.join(dict.fromkeys(messages))}{got[key]}" for key, messages in problems.items()]
        raise ExperimentError(f"{path}: " + "; ".join(lines)) from None
    check_names(experiment, path)
    return experiment


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
        if labels.count(run.label) > 1:
            raise ExperimentError(f"{path}: runs[{index}].label: {run.label!r} is used twice; labels name rows")
    if experiment.table.sft_row is not None and experiment.table.sft_row not in labels:
        raise ExperimentError(f"{path}: table.sft_row: {experiment.table.sft_row!r} is not a run label; "
                              f"labels: {', '.join(labels)}")
