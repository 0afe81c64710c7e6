"""A provider's view of the dictionary store: opened once, bundled dictionaries on demand, look-ups cached."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pretty_framework.store.bundled import ensure_bundled
from pretty_framework.store.dictionary import DictionaryStore
from pretty_framework.store.lookup import Lookup


class StoreSession:
    """Opens the store on first use and keeps one :class:`Lookup` per pair and configuration.

    ``bundled``: import the shipped dictionaries a pair needs before its first look-up.
    """

    def __init__(self, db: str | None = None, bundled: bool = True):
        self.db, self.bundled = db, bundled
        self._store: DictionaryStore | None = None
        self._lookups: dict[tuple[Any, ...], Lookup] = {}

    @property
    def store(self) -> DictionaryStore:
        if self._store is None:
            self._store = DictionaryStore(self.db)
        return self._store

    def prepare(self, src: str, tgt: str, resource: str | None = None) -> DictionaryStore:
        """The store, with the bundled dictionaries for ``src -> tgt`` imported if enabled."""
        if self.bundled:
            ensure_bundled(self.store, src, tgt, resource)
        return self.store

    def lookup(self, src: str, tgt: str, resources: Iterable[str] | None = None, **options: Any) -> Lookup:
        """The cached :class:`Lookup` for a pair, restricted to ``resources``, with look-up ``options``."""
        resources = tuple(resources) if resources is not None else None
        key = (src, tgt, resources, tuple(sorted(options.items())))
        if key not in self._lookups:
            self.prepare(src, tgt, resources[0] if resources else None)
            self._lookups[key] = Lookup(self.store, src, tgt, resources, **options)
        return self._lookups[key]

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        self._lookups.clear()
