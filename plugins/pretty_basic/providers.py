"""The baseline (no prior), a user-given prior, and the oracle control."""

from __future__ import annotations

from collections.abc import Sequence

from pretty_framework.api import Prior, PriorProvider, PriorRequest, Provenance, ProviderOptions


class NoPrior(PriorProvider):
    """Plain decoding: the foundation model alone, the paper's baseline."""

    name = "none"
    description = "no prior: plain decoding (the baseline)"

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        return [None for _ in requests]


class TextOptions(ProviderOptions):
    """``text``: one prior for every item; without it, each item's own ``prior`` field."""

    text: str | None = None


class TextPrior(PriorProvider):
    """A prior the user gives: ``--prior "Die"`` for all items, or a ``prior`` field per JSONL item."""

    name = "text"
    description = "a prior the user gives (--prior, or a 'prior' field per JSONL item)"
    Options = TextOptions

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        return [self._one(request) for request in requests]

    def _one(self, request: PriorRequest) -> Prior | None:
        if self.options.text is not None:
            return Prior(self.options.text, Provenance(self.name, resource="option"))
        given = request.metadata.get("prior")
        if isinstance(given, str) and given.strip():
            return Prior(given, Provenance(self.name, resource="item"))
        return None


class OraclePrior(PriorProvider):
    """The first k tokens of the known reference: the upper-bound control.

    It reads the gold answer, so its scores are a ceiling, never a result.
    """

    name = "oracle"
    description = "first k tokens of the reference (upper-bound control; needs references)"

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        return [
            Prior(request.reference, Provenance(self.name, resource="reference")) if request.reference else None
            for request in requests
        ]
