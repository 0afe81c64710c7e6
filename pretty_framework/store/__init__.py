"""The dictionary store: bilingual word lists merged in one database, with provenance.

Public names: :class:`DictionaryStore` (import, remove, stats, export),
:class:`Lookup` (word and sentence look-up with back-off) and the importer
base class :class:`DictionaryFormat` for plugins that add a file format.
"""

from pretty_framework.store.dictionary import DictionaryStore, ImportReport, SourceInfo
from pretty_framework.store.formats import BadLine, DictionaryFormat, Pair
from pretty_framework.store.lookup import Hit, Lookup, Translation

__all__ = ["BadLine", "DictionaryFormat", "DictionaryStore", "Hit", "ImportReport", "Lookup", "Pair", "SourceInfo",
           "Translation"]
