"""Every hook a plugin can implement, typed and documented.

Plugins implement hooks with :data:`hookimpl` and are found through the
``pretty_framework`` entry-point group. Registry hooks receive a ``register``
callback: the plugin calls it once per object it contributes, and the core
owns the registry, its name collisions and their error messages. Hooks are
always called with keyword arguments, so a plugin may accept a subset of the
arguments and new ones can be added without breaking it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

PROJECT_NAME = "pretty_framework"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

#: ``register(obj)`` or ``register(obj, name=...)``; ``obj`` may be a class or a
#: lazy ``"module:attribute"`` string, resolved on first use (heavy imports stay lazy).
Register = Callable[..., None]


@hookspec
def register_prior_providers(register: Register) -> None:
    """Register prior providers.

    Call ``register(ProviderClass)`` for each subclass of
    :class:`pretty_framework.priors.provider.PriorProvider`; its ``name`` attribute
    is the name users give to ``--provider``.
    """


@hookspec
def register_backends(register: Register) -> None:
    """Register decoding backends.

    Call ``register(BackendClass)`` (or ``register("pkg.module:Class",
    name="...")`` to keep a heavy import lazy) for each class implementing
    :class:`pretty_framework.backends.Backend`.
    """


@hookspec
def register_tasks(register: Register) -> None:
    """Register tasks (translation, summarization, POS tagging, ...).

    Call ``register(task)`` with an instance of
    :class:`pretty_framework.tasks.Task`; ``task.name`` is its key.
    """


@hookspec
def register_metrics(register: Register) -> None:
    """Register evaluation metrics.

    Call ``register(metric)`` with an instance of
    :class:`pretty_framework.evaluation.metric.Metric`; ``metric.name`` is the name
    users give to ``pretty eval -M`` and to an experiment's ``metrics:`` (matched
    in any case), and the name a task lists in ``Task.metrics``. The metric
    declares the score columns it produces and whether higher is better.
    """


@hookspec
def register_dictionary_formats(register: Register) -> None:
    """Register dictionary importers for the dictionary store.

    Call ``register(ImporterClass)``; the importer's ``name`` is the value
    users give to ``pretty dict import --format``.
    """


@hookspec
def register_language_identifiers(register: Register) -> None:
    """Register language identifiers (what the target-language rate asks which language an output is in).

    Call ``register(identifier)`` with an instance of
    :class:`pretty_framework.evaluation.langid.LanguageIdentifier`; ``identifier.name``
    is the name users give to ``pretty languages --langid`` and ``$PRETTY_LANGID``.
    The identifier lists the languages it knows: for any other target the rate is
    reported as unavailable, never as 0 %.
    """


@hookspec
def register_guides(register: Register) -> None:
    """Register guides (what acts on every decoding step, after the prior: copy, script and loop guards).

    Call ``register(GuideClass)`` (or ``register("pkg.module:Class", name="...")``) for each subclass of
    :class:`pretty_framework.guides.base.Guide`; its ``name`` is the name users give to ``pretty decode
    --guide`` and to an experiment's ``guides:``.
    """


@hookspec
def register_commands(cli: Any) -> None:
    """Add commands to the ``pretty`` command line.

    ``cli`` is the top-level :class:`click.Group`; add commands with
    ``cli.add_command(...)`` or the ``@cli.command()`` decorator.
    """
