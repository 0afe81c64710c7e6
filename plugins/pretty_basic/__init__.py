"""Built-in providers that need no resource: ``none``, ``text`` and ``oracle``."""

from __future__ import annotations

from pretty_basic.providers import NoPrior, OraclePrior, TextPrior
from pretty_framework.api import Register, hookimpl


@hookimpl
def register_prior_providers(register: Register) -> None:
    register(NoPrior)
    register(TextPrior)
    register(OraclePrior)
