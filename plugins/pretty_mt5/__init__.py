"""The refined summary prior: an mT5 cross-lingual summarizer's first tokens (CrossSum)."""

from __future__ import annotations

from pretty_framework import hookimpl
from pretty_framework.plugin.hookspecs import Register

from pretty_mt5.provider import CrossSumPrior


@hookimpl
def register_prior_providers(register: Register) -> None:
    register(CrossSumPrior)
