"""POS priors: a token-classification tagger (Unicoder / XLM-R UPOS) and a spaCy pipeline."""

from __future__ import annotations

from pretty_framework.api import Register, hookimpl
from pretty_pos.providers import SpacyPosPrior, TokenClassifierPosPrior


@hookimpl
def register_prior_providers(register: Register) -> None:
    register(TokenClassifierPosPrior)
    register(SpacyPosPrior)
