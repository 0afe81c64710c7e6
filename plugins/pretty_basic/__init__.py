"""Built-in providers that need no resource: ``none``, ``text`` and ``oracle``."""

from __future__ import annotations

from pretty_framework import hookimpl
from pretty_framework.plugin.hookspecs import Register

from pretty_basic.providers import NoPrior, OraclePrior, TextPrior


@hookimpl
def register_prior_providers(register: Register) -> None:
    register(NoPrior)
    register(TextPrior)
    register(OraclePrior)
