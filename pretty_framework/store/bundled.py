"""The small dictionaries shipped in ``dictionaries/``, imported into a store on first use."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

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


def ensure_bundled(store: DictionaryStore, src: str, tgt: str, resource: str | None = None) -> list[ImportReport]:
    """Import the bundled dictionaries a ``src -> tgt`` look-up needs, if not yet imported.

    The pair itself when it is shipped, else ``src -> English`` and
    ``English -> tgt`` for the pivot. Already imported files are left alone.
    """
    shipped = {(d.src, d.tgt): d for d in bundled_dictionaries() if resource in (None, d.resource)}
    wanted = [shipped[(src, tgt)]] if (src, tgt) in shipped else [
        shipped[pair] for pair in ((src, PIVOT), (PIVOT, tgt)) if pair in shipped
    ]
    # The shipped files are in the store's own formats: no plugin look-up (the store is a library layer).
    formats = {fmt.name: fmt for fmt in BUILTIN_FORMATS}
    return [
        store.import_file(d.path, formats[d.format](), d.src, d.tgt, name=d.source_name, licence=d.licence)
        for d in wanted
    ]
