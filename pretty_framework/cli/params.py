"""Option types and options shared by the commands, so the same thing has the same name and help everywhere.

A registry-backed choice (``--task``, ``--backend``, ``--provider``) lists the
installed names in ``--help`` and completes them in the shell, reading the
plugin registries only when help or completion is asked for; the value itself
is checked where it is used, so an unknown name gets the registry's one-line
error ("unknown task 'parsing' (did you mean ...)") and exit code 1.
"""

from __future__ import annotations

from typing import Any

import click

REGISTRIES = {"task": "tasks", "backend": "backends", "provider": "providers", "metric": "metrics", "guide": "guides"}


def registry_names(kind: str) -> list[str]:
    """The installed names of ``kind`` (task, backend, provider, metric); loads plugins, never a model."""
    from pretty_framework.plugin.manager import get_plugins

    return list(getattr(get_plugins(), REGISTRIES[kind]).names())


class RegistryChoice(click.ParamType):
    """A name from a plugin registry, listed in help and completed in the shell, looked up when first needed."""

    def __init__(self, kind: str):
        if kind not in REGISTRIES:
            raise ValueError(f"no registry of {kind!r}; known: {', '.join(REGISTRIES)}")
        self.kind = kind
        self.name = kind

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(registry_names(self.kind)) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return value  # checked by the registry where it is used: one clear error naming the known names

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(name) for name in registry_names(self.kind) if name.startswith(incomplete)]


def silence_model_progress() -> None:
    """No progress bars from transformers and the Hugging Face hub (their "Loading weights" bar included)."""
    import os

    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    from transformers.utils import logging as transformers_logging  # no torch import (tested)

    transformers_logging.disable_progress_bar()


def _progress_callback(ctx: click.Context, param: click.Parameter, value: bool | None) -> bool | None:
    if value is False:
        silence_model_progress()
    return value


def progress_option(function: Any) -> Any:
    """``--progress/--no-progress``: progress bars on standard error (default: on a terminal); ``--no-progress``
    silences the libraries' bars too."""
    return click.option("--progress/--no-progress", default=None, callback=_progress_callback,
                        help="Progress bars (default: on a terminal); --no-progress silences every bar, "
                             "the model loaders' too.")(function)


def resolve_progress(value: bool | None) -> bool:
    """The progress setting with the default applied: on when standard error is a terminal."""
    if value is not None:
        return value
    return click.get_text_stream("stderr").isatty()
