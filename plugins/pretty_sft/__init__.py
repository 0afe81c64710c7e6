"""The SFT prior: the first tokens an instruction-tuned model writes (the paper's "SFT prior")."""

from __future__ import annotations

from pretty_framework.api import Register, hookimpl
from pretty_sft.provider import SftPrior


@hookimpl
def register_prior_providers(register: Register) -> None:
    register(SftPrior)
