"""The paper's Table 5 controls: priors unrelated to the answer (``random``, ``modal``, ``adverb``)."""

from __future__ import annotations

from pretty_controls.providers import AdverbPrior, ModalPrior, RandomWordPrior
from pretty_framework.api import Register, hookimpl


@hookimpl
def register_prior_providers(register: Register) -> None:
    for provider in (RandomWordPrior, ModalPrior, AdverbPrior):
        register(provider)
