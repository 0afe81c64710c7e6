"""The refined MT prior: a small translation model's first tokens (NLLB-200 and any M2M100-style model)."""

from __future__ import annotations

from pretty_framework.api import Register, hookimpl
from pretty_nllb.provider import NllbPrior


@hookimpl
def register_prior_providers(register: Register) -> None:
    register(NllbPrior)
