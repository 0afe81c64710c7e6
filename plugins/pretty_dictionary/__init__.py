"""Dictionary (pseudo-prior) providers: ``dict``, ``muse-dict``, ``wiktionary-dict``, ``panlex-dict``."""

from __future__ import annotations

from pretty_framework import hookimpl
from pretty_framework.plugin.hookspecs import Register

from pretty_dictionary.providers import DictPrior, MuseDictPrior, PanlexDictPrior, WiktionaryDictPrior


@hookimpl
def register_prior_providers(register: Register) -> None:
    for provider in (DictPrior, MuseDictPrior, WiktionaryDictPrior, PanlexDictPrior):
        register(provider)
