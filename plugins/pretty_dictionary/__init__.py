"""Dictionary (pseudo-prior) providers: ``dict``, ``muse-dict``, ``wiktionary-dict``, ``panlex-dict``."""

from __future__ import annotations

from pretty_dictionary.providers import DictPrior, MuseDictPrior, PanlexDictPrior, WiktionaryDictPrior
from pretty_framework.api import Register, hookimpl


@hookimpl
def register_prior_providers(register: Register) -> None:
    for provider in (DictPrior, MuseDictPrior, WiktionaryDictPrior, PanlexDictPrior):
        register(provider)
