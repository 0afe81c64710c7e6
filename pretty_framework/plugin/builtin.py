"""The core's own contributions, registered through the same hooks as any plugin."""

from __future__ import annotations

from pretty_framework.plugin.hookspecs import Register, hookimpl


@hookimpl
def register_backends(register: Register) -> None:
    # Lazy: registering must not import torch.
    register("pretty_framework.backends.transformers_backend:TransformersBackend", name="transformers")


@hookimpl
def register_tasks(register: Register) -> None:
    from pretty_framework.tasks.pos import PosTask
    from pretty_framework.tasks.summarization import SummarizationTask
    from pretty_framework.tasks.translation import TranslationTask

    for task in (TranslationTask(), SummarizationTask(), PosTask()):
        register(task)


@hookimpl
def register_dictionary_formats(register: Register) -> None:
    from pretty_framework.store.formats import BUILTIN_FORMATS

    for importer in BUILTIN_FORMATS:
        register(importer)


@hookimpl
def register_metrics(register: Register) -> None:
    from pretty_framework.evaluation.builtin_metrics import BUILTIN_METRICS

    for metric in BUILTIN_METRICS:
        register(metric())


@hookimpl
def register_language_identifiers(register: Register) -> None:
    from pretty_framework.evaluation.langid import BUILTIN_IDENTIFIERS

    for identifier in BUILTIN_IDENTIFIERS:
        register(identifier())
