"""The pseudo summary prior: KeyBERT keywords of the passage, translated word by word through the dictionary store."""

from __future__ import annotations

from pretty_framework.api import Register, hookimpl
from pretty_keybert.provider import KeywordPrior


@hookimpl
def register_prior_providers(register: Register) -> None:
    register(KeywordPrior)
