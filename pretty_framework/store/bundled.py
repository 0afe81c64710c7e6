"""The small dictionaries shipped in ``dictionaries/``, imported into a store on first use or on request.

A decode imports the lists its pair needs (:func:`ensure_bundled`), and so does
``pretty dict lookup``; ``pretty dict import --bundled`` imports them without
either (:func:`bundled_selection`, :func:`import_one`). A shipped file whose content the store already
holds (the user imported the same MUSE file) is not imported again: the store
reports the source that has it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pretty_framework.errors import InputError
from pretty_framework.languages import normalize_language
from pretty_framework.store.dictionary import DictionaryStore, ImportReport
from pretty_framework.store.formats import BUILTIN_FORMATS
from pretty_framework.store.lookup import PIVOT
from pretty_framework.store.resources import DICTIONARIES_PACKAGE, resource_folder

DICTIONARIES = resource_folder(DICTIONARIES_PACKAGE)  # the checkout's dictionaries/ when editable


@dataclass(frozen=True)
class BundledDictionary:
    """One shipped file: its pair, resource and format."""

    path: Path
    resource: str
    format: str
    src: str
    tgt: str
    licence: str

    @property
    def source_name(self) -> str:
        return f"bundled:{self.path.name}"


def bundled_dictionaries() -> list[BundledDictionary]:
    """Every dictionary listed in ``dictionaries/catalog.json``."""
    catalog = DICTIONARIES / "catalog.json"
    if not catalog.is_file():
        return []
    entries = json.loads(catalog.read_text(encoding="utf-8"))["bundled"]
    return [
        BundledDictionary(DICTIONARIES / e["file"], e["resource"], e["format"], normalize_language(e["src"]),
                          normalize_language(e["tgt"]), e["licence"])
        for e in entries
    ]


def bundled_for(src: str, tgt: str, resource: str | None = None) -> list[BundledDictionary]:
    """The shipped dictionaries a ``src -> tgt`` look-up needs: the pair itself, else the two pivot halves.

    Empty when neither the pair nor both halves through English are shipped.
    """
    shipped = {(d.src, d.tgt): d for d in bundled_dictionaries() if resource in (None, d.resource)}
    if (src, tgt) in shipped:
        return [shipped[(src, tgt)]]
    halves = [shipped.get((src, PIVOT)), shipped.get((PIVOT, tgt))]
    # One half alone is still imported: the store may hold the other half from the user's own imports.
    return [half for half in halves if half is not None]


def ensure_bundled(store: DictionaryStore, src: str, tgt: str, resource: str | None = None,
                   progress: Callable[[int], None] | None = None) -> list[ImportReport]:
    """Import the bundled dictionaries a ``src -> tgt`` look-up needs, if not yet in the store.

    The pair itself when it is shipped, else ``src -> English`` and
    ``English -> tgt`` for the pivot. Files already imported (by name, or the
    same content under another source) are left alone; several processes may
    call this at once on one store.
    """
    return [import_one(store, d, progress) for d in bundled_for(src, tgt, resource)]


def bundled_selection(src: str | None = None, tgt: str | None = None) -> list[BundledDictionary]:
    """What ``pretty dict import --bundled`` imports: every shipped dictionary, or those a pair needs.

    Raises :class:`InputError` listing the shipped pairs when none serves ``src -> tgt``.
    """
    if src is None and tgt is None:
        return bundled_dictionaries()
    if src is None or tgt is None:
        raise InputError("--bundled takes both --src and --tgt, or neither (then every shipped dictionary)")
    src, tgt = normalize_language(src), normalize_language(tgt)
    wanted = bundled_for(src, tgt)
    if not wanted:
        shipped = ", ".join(f"{d.src}-{d.tgt}" for d in bundled_dictionaries())
        raise InputError(f"no bundled dictionary serves {src} -> {tgt}, directly or through {PIVOT}; "
                         f"shipped: {shipped}")
    return wanted


def import_one(store: DictionaryStore, dictionary: BundledDictionary,
               progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import one shipped file under its ``bundled:`` name (a no-op when the store has its content)."""
    # The shipped files are in the store's own formats: no plugin look-up (the store is a library layer).
    formats = {fmt.name: fmt for fmt in BUILTIN_FORMATS}
    return store.import_file(dictionary.path, formats[dictionary.format](), dictionary.src, dictionary.tgt,
                             name=dictionary.source_name, licence=dictionary.licence, progress=progress)
