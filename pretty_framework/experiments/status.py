"""How far each configuration of an experiment is, and whether its saved output still matches it, without a model.

``pretty run --dry-run`` reports, per configuration, how many items are written
and whether the output was made with the current settings: the fields of the
records' run signature that are known before any model loads (task, pair,
provider and its options, k, template, decoding, max new tokens) are compared
with what the configuration would write. A stale output is named with its
fields ("stale: max 48 != 96"), because the real run decodes it again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pretty_framework.experiments.config import Experiment
from pretty_framework.experiments.execute import Configuration, expand


@dataclass(frozen=True)
class ConfigurationStatus:
    """What the dry run says about one configuration."""

    configuration: Configuration
    path: Path
    written: int
    items: int
    stale: tuple[str, ...] = ()  # "field written != now" for each field that changed

    def describe(self) -> str:
        if self.stale:
            return f"stale: {'; '.join(self.stale)} (decoded again)"
        if self.written >= self.items:
            return f"done ({self.written}/{self.items})"
        return f"{self.written}/{self.items} written" if self.written else f"to do (0/{self.items})"


def expected_fields(experiment: Experiment, configuration: Configuration) -> dict[str, str]:
    """The run-signature fields ``configuration`` writes that are known without loading a model."""
    from pretty_framework.decoding.generation import GenerationSettings
    from pretty_framework.io.signature import format_options
    from pretty_framework.languages import normalize_language
    from pretty_framework.plugin.manager import get_plugins

    plugins = get_plugins()
    run = experiment.runs[configuration.run_index]
    task = plugins.tasks.get(experiment.task)
    provider = plugins.providers.get(run.provider).from_options(run.options)
    src, tgt = (normalize_language(code) for code in configuration.pair.split("-", 1))
    fields = {"task": experiment.task, "pair": f"{src}-{tgt}", "provider": run.provider,
              "opts": format_options(provider.options.model_dump(exclude_defaults=True))}
    if not run.direct:
        settings = GenerationSettings(max_new_tokens=run.max_new_tokens or experiment.max_new_tokens)
        fields.update(k=str(task.default_k if configuration.k is None else configuration.k),
                      tmpl=configuration.template or task.default_template, dec=settings.describe(),
                      max=str(settings.max_new_tokens))
    return fields


def stale_fields(written_signature: str, expected: dict[str, str]) -> list[str]:
    """``field written != now`` for each expected field the written signature holds with another value."""
    from pretty_framework.io.signature import RunSignature

    written = RunSignature.parse(written_signature)
    changes = []
    for key, now in expected.items():
        value = written.get(key)
        if key == "provider" and value is not None:
            value = value.split("(", 1)[0]  # the resource in brackets is known only once the provider loads
        if value is not None and value != now:
            changes.append(f"{key} {value} != {now}")
    return changes


def _first_record(path: Path) -> dict | None:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return None  # a line cut by a kill: the run repairs it
    return None


def configuration_status(experiment: Experiment, folder: Path, items: dict[str, int]) -> Iterator[ConfigurationStatus]:
    """The status of every configuration; ``items`` is the number of input items per pair."""
    for configuration in expand(experiment):
        path = configuration.path(folder)
        if not path.exists():
            yield ConfigurationStatus(configuration, path, 0, items[configuration.pair])
            continue
        with path.open(encoding="utf-8") as handle:
            written = sum(1 for line in handle if line.endswith("\n"))
        first = _first_record(path)
        stale = stale_fields(str(first.get("signature", "")), expected_fields(experiment, configuration)) \
            if first else []
        yield ConfigurationStatus(configuration, path, written, items[configuration.pair], tuple(stale))
