"""The plugin manager: loads plugins through entry points and fills the registries.

Built-in plugins and third-party plugins are found the same way, through the
``pretty_framework`` entry-point group; the core's own contributions (the
transformers backend, the translation task) come from
:mod:`pretty_framework.plugin.builtin`. Nothing happens at import time: the
manager is built on the first call to :func:`get_plugins`.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pluggy

from pretty_framework.errors import PluginError, PrettyError
from pretty_framework.plugin import hookspecs
from pretty_framework.plugin.registry import Registry

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = hookspecs.PROJECT_NAME
DISABLE_ENV = "PRETTY_DISABLE_PLUGINS"
CORE_PLUGIN = "pretty_framework"

# hook name -> attribute of Plugins holding the registry it fills
REGISTRY_HOOKS = {
    "register_prior_providers": "providers",
    "register_backends": "backends",
    "register_tasks": "tasks",
    "register_dictionary_formats": "dictionary_formats",
    "register_metrics": "metrics",
    "register_language_identifiers": "language_identifiers",
    "register_guides": "guides",
}


@dataclass
class PluginInfo:
    """An installed plugin: its entry-point name, distribution, version and contributions."""

    name: str
    distribution: str | None
    version: str | None
    registers: dict[str, list[str]] = field(default_factory=dict)
    #: why the plugin is left out (it failed to import or to register), None when it works
    error: str | None = None


class Plugins:
    """The loaded plugins and the registries they filled.

    A plugin that fails to import or to register is left out and listed in :attr:`broken` (and by
    ``pretty plugins``), so that one broken third-party plugin never blocks the commands that do not need it;
    an unknown name then mentions it. A plugin registered by hand (:meth:`register`) fails loudly instead.
    """

    def __init__(self, *, load_entry_points: bool = True, disabled: Iterable[str] | None = None):
        self.manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.manager.add_hookspecs(hookspecs)
        self.info: dict[str, PluginInfo] = {}
        self._strict: set[str] = set()  # plugins registered by hand: their failures are raised
        from pretty_framework import __version__
        from pretty_framework.plugin import builtin as builtin_plugin

        self._add(builtin_plugin, PluginInfo(CORE_PLUGIN, "pretty-framework", __version__))
        if load_entry_points:
            blocked = set(disabled if disabled is not None else _disabled_from_env())
            for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
                if entry_point.name not in blocked and entry_point.name not in self.info:
                    self._load_entry_point(entry_point)
        self.manager.check_pending()
        self._fill_registries()

    # -- loading ---------------------------------------------------------------------------
    def _load_entry_point(self, entry_point: importlib.metadata.EntryPoint) -> None:
        dist = entry_point.dist
        info = PluginInfo(entry_point.name, dist.name if dist else None, dist.version if dist else None)
        try:
            module = entry_point.load()
            self._add(module, info)
        except Exception as error:  # any failure in third-party import code
            detail = str(error.args[0]) if isinstance(error, PluginError) else f"{type(error).__name__}: {error}"
            self._mark_broken(info, f"failed to load {entry_point.value!r}: {detail}")

    def _mark_broken(self, info: PluginInfo, reason: str) -> None:
        """Leave a plugin out, say why once, and keep the reason for ``pretty plugins`` and unknown names."""
        info.error = f"{reason} (set {DISABLE_ENV}={info.name} to skip it)"
        self.info[info.name] = info
        if self.manager.has_plugin(info.name):
            self.manager.unregister(name=info.name)
        log.warning("plugin %r is left out: %s", info.name, info.error)

    @property
    def broken(self) -> dict[str, str]:
        """Plugins left out, with the reason."""
        return {name: info.error for name, info in self.info.items() if info.error}

    def _add(self, plugin: object, info: PluginInfo) -> None:
        try:
            self.manager.register(plugin, name=info.name)
        except (ValueError, pluggy.PluginValidationError) as error:
            raise PluginError(info.name, str(error)) from error
        self.info[info.name] = info

    def register(self, plugin: object, name: str, version: str | None = None) -> None:
        """Register a plugin object by hand (tests, notebooks) and refill the registries; its failures raise."""
        self._strict.add(name)
        self._add(plugin, PluginInfo(name, None, version))
        self.manager.check_pending()
        self._fill_registries()

    def unregister(self, name: str) -> None:
        """Remove a plugin registered by hand and refill the registries."""
        self.manager.unregister(name=name)
        self.info.pop(name, None)
        self._strict.discard(name)
        self._fill_registries()

    # -- registries ------------------------------------------------------------------------
    def _fill_registries(self) -> None:
        self.providers: Registry[Any] = Registry("prior provider")
        self.backends: Registry[Any] = Registry("backend")
        self.tasks: Registry[Any] = Registry("task")
        self.dictionary_formats: Registry[Any] = Registry("dictionary format")
        self.metrics: Registry[Any] = Registry("metric")
        self.language_identifiers: Registry[Any] = Registry("language identifier")
        self.guides: Registry[Any] = Registry("guide")
        for info in self.info.values():
            info.registers = {}
        for hook_name, attribute in REGISTRY_HOOKS.items():
            registry: Registry[Any] = getattr(self, attribute)
            # Each implementation is called on its own so that every registration is
            # attributed to its plugin: collisions and failures then name the plugin.
            for impl in getattr(self.manager.hook, hook_name).get_hookimpls():
                try:
                    self._call_registry_hook(impl, registry, attribute)
                except PrettyError as error:
                    if impl.plugin_name in self._strict or impl.plugin_name == CORE_PLUGIN:
                        raise
                    self._mark_broken(self.info[impl.plugin_name], str(error))
                    # a broken plugin contributes nothing, not half of what it meant to
                    for name in REGISTRY_HOOKS.values():
                        getattr(self, name).drop_plugin(impl.plugin_name)
        note = "; ".join(f"{name}: {reason}" for name, reason in self.broken.items())
        for attribute in REGISTRY_HOOKS.values():
            getattr(self, attribute).broken_note = note

    def _call_registry_hook(self, impl: Any, registry: Registry[Any], attribute: str) -> None:
        plugin_name = impl.plugin_name
        names = self.info[plugin_name].registers.setdefault(attribute, [])

        def register(obj: Any, name: str | None = None) -> None:
            registry.add(obj, plugin=plugin_name, name=name)
            names.append(name or obj.name)

        # Only the arguments the implementation declares (pluggy has checked they are the spec's),
        # so a hook can gain arguments later without breaking plugins that take fewer.
        arguments = {"register": register}
        try:
            impl.function(**{arg: arguments[arg] for arg in impl.argnames})
        except PrettyError:
            raise
        except Exception as error:
            raise PluginError(plugin_name, f"{impl.function.__name__} failed: {type(error).__name__}: {error}") from error

    def call_commands_hook(self, cli: Any) -> None:
        """Let every plugin add its CLI commands to ``cli``; a plugin whose hook fails is left out."""
        for impl in self.manager.hook.register_commands.get_hookimpls():
            arguments = {"cli": cli}
            try:
                impl.function(**{arg: arguments[arg] for arg in impl.argnames})
            except Exception as error:
                if impl.plugin_name in self._strict:
                    raise
                self._mark_broken(self.info[impl.plugin_name],
                                  f"register_commands failed: {type(error).__name__}: {error}")


def _disabled_from_env() -> list[str]:
    return [name.strip() for name in os.environ.get(DISABLE_ENV, "").split(",") if name.strip()]


@cache
def get_plugins() -> Plugins:
    """The process-wide plugin set, built on first use."""
    from pretty_framework.evaluation.langid import set_identifier_source

    plugins = Plugins()
    # The langid metric finds registered identifiers through this (it cannot import the manager).
    set_identifier_source(lambda: get_plugins().language_identifiers)
    return plugins


def reset_plugins() -> None:
    """Forget the process-wide plugin set (tests; after installing a plugin)."""
    get_plugins.cache_clear()

