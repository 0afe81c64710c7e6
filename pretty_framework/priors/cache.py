"""A prior cache shared by the rows of one run: two rows asking the same questions pay once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pretty_framework.priors.provider import PriorProvider
from pretty_framework.priors.types import Prior, PriorRequest


class CachedProvider:
    """A provider whose priors are remembered per request, so two rows asking the same thing pay once.

    The SFT row and the "SFT model alone" row ask the SFT model the same
    questions; without the cache it would answer them twice. Everything else is
    the wrapped provider's.
    """

    def __init__(self, provider: PriorProvider):
        self.provider = provider
        self._cache: dict[tuple[Any, ...], Prior | None] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.provider, name)

    def _key(self, request: PriorRequest) -> tuple[Any, ...]:
        k = request.k if getattr(self.provider, "uses_k", True) else None
        return request.item_id, request.source, request.src_lang, request.tgt_lang, request.task.name, k

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        missing = [r for r in requests if self._key(r) not in self._cache]
        if missing:
            fresh = self.provider.priors(missing)
            if len(fresh) == len(missing):  # a wrong count is for the engine to report
                self._cache.update(zip(map(self._key, missing), fresh))
            else:
                return fresh
        return [self._cache[self._key(r)] for r in requests]
