"""A named registry of plugin contributions, with collision checks and lazy entries."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pretty_framework.errors import PluginError, RegistrationConflictError, UnknownNameError

T = TypeVar("T")


@dataclass
class Entry:
    """One registered object, the plugin that registered it, and whether it is loaded."""

    name: str
    plugin: str
    target: Any  # the object, or a "module:attribute" string until first use


class Registry(Generic[T]):
    """Maps names to registered objects of one kind ("prior provider", "backend", ...)."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Entry] = {}
        #: plugins left out because they are broken, named in the unknown-name error (they may be what was meant)
        self.broken_note = ""

    def add(self, obj: T | str, *, plugin: str, name: str | None = None) -> None:
        """Register ``obj`` under ``name`` (default: its ``name`` attribute)."""
        if name is None:
            if isinstance(obj, str):
                raise PluginError(plugin, f"a lazy {self.kind} {obj!r} must be registered with name=...")
            name = getattr(obj, "name", None)
        if not isinstance(name, str) or not name:
            raise PluginError(plugin, f"registered a {self.kind} without a name: {obj!r}")
        if name in self._entries:
            raise RegistrationConflictError(self.kind, name, self._entries[name].plugin, plugin)
        self._entries[name] = Entry(name=name, plugin=plugin, target=obj)

    def get(self, name: str) -> T:
        """Return the object registered as ``name``, importing it if it was lazy."""
        try:
            entry = self._entries[name]
        except KeyError:
            error = UnknownNameError(self.kind, name, self._entries)
            if self.broken_note:
                error.args = (f"{error.args[0]}. Plugins left out because they failed: {self.broken_note}",)
            raise error from None
        if isinstance(entry.target, str):
            entry.target = _import_dotted(entry.target, entry.plugin)
        return entry.target

    def drop_plugin(self, plugin: str) -> None:
        """Remove every entry ``plugin`` registered."""
        self._entries = {name: entry for name, entry in self._entries.items() if entry.plugin != plugin}

    def plugin_of(self, name: str) -> str:
        """The name of the plugin that registered ``name``."""
        self.get(name)  # raises the helpful error for unknown names
        return self._entries[name].plugin

    def names(self) -> list[str]:
        return sorted(self._entries)

    def entries(self) -> Iterator[Entry]:
        yield from (self._entries[name] for name in self.names())

    def __contains__(self, name: object) -> bool:
        return name in self._entries


def _import_dotted(path: str, plugin: str) -> Any:
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attribute) if attribute else module
    except (ImportError, AttributeError) as error:
        raise PluginError(plugin, f"cannot import {path!r}: {error}") from error
