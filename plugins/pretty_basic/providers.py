"""The baseline (no prior), a user-given prior, and the oracle control."""

from __future__ import annotations

from collections.abc import Sequence

from pretty_framework.api import Item, OptionsError, Prior, PriorProvider, PriorRequest, Provenance, ProviderOptions


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

    def check_items(self, items: Sequence[Item]) -> None:
        if self.options.text is None and not any(_item_prior(item) for item in items):
            raise OptionsError("provider 'text' has no prior to give: pass --prior TEXT (or -O text=TEXT), or "
                               "give JSONL input with a 'prior' field per item")

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        return [self._one(request) for request in requests]

    def _one(self, request: PriorRequest) -> Prior | None:
        if self.options.text is not None:
            return Prior(self.options.text, Provenance(self.name, resource="option"))
        given = _item_prior(request.item)
        return Prior(given, Provenance(self.name, resource="item")) if given else None


class OraclePrior(PriorProvider):
    """The first k tokens of the known reference: the upper-bound control.

    It reads the gold answer, so its scores are a ceiling, never a result.
    """

    name = "oracle"
    description = "first k tokens of the reference (upper-bound control; needs references)"

    def check_items(self, items: Sequence[Item]) -> None:
        missing = [item.id for item in items if not (item.reference or "").strip()]
        if missing and len(missing) == len(items):
            raise OptionsError("provider 'oracle' reads the reference, and the input has none: give --reference "
                               "FILE, --flores DIR, or JSONL with a 'reference' field")
        if missing:
            raise OptionsError(f"provider 'oracle' reads the reference, and {len(missing)} of {len(items)} items "
                               f"have none (first: item {missing[0]!r})")

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        return [
            Prior(request.reference, Provenance(self.name, resource="reference")) if request.reference else None
            for request in requests
        ]


def _item_prior(item: Item) -> str | None:
    """A JSONL item's own ``prior`` field, if it holds text."""
    given = item.fields.get("prior")
    return given if isinstance(given, str) and given.strip() else None
