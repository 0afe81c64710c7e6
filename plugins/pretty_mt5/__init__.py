"""The refined summary prior: an mT5 cross-lingual summarizer's first tokens (CrossSum)."""

from __future__ import annotations

from pretty_framework.api import Register, hookimpl
from pretty_mt5.provider import CrossSumPrior


@hookimpl
def register_prior_providers(register: Register) -> None:
    register(CrossSumPrior)
