"""Importers for the word lists low-resource language teams have: Wiktionary TSVs, the Igbo API, DSFSI, NaijaSenti.

Each is a :class:`DictionaryFormat` (``pretty dict import --format NAME``), found
through the ``pretty_framework`` entry point like any third-party plugin.
"""

from __future__ import annotations

from pretty_framework.api import Register, hookimpl


@hookimpl
def register_dictionary_formats(register: Register) -> None:
    from pretty_lowres.formats import LOWRES_FORMATS

    for importer in LOWRES_FORMATS:
        register(importer)
