"""Provider-alone rows ("SFT model alone", "NLLB alone") and a prior cache shared by the rows of one experiment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pretty_framework import __version__
from pretty_framework.priors import Prior, PriorRequest
from pretty_framework.providers import PriorProvider
from pretty_framework.records import DecodeResult, Item
from pretty_framework.tasks import Task


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
        return request.item_id, request.source, request.src_lang, request.tgt_lang, request.task, k

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        missing = [r for r in requests if self._key(r) not in self._cache]
        if missing:
            fresh = self.provider.priors(missing)
            if len(fresh) == len(missing):  # a wrong count is for the engine to report
                self._cache.update(zip(map(self._key, missing), fresh))
            else:
                return fresh
        return [self._cache[self._key(r)] for r in requests]


class DirectEngine:
    """Scores a provider's own answer: no foundation model, the task parses the provider's whole answer."""

    def __init__(self, engine_requests: Any, task: Task, provider: Any, src_lang: str, tgt_lang: str):
        self.requests = engine_requests  # an object with .priors(items), e.g. a backend-less Engine
        self.task, self.provider = task, provider
        self.src_lang, self.tgt_lang = src_lang, tgt_lang

    def signature(self) -> str:
        """The run signature of a provider-alone row."""
        resource = self.provider.resource()
        return "|".join([
            "model:-", "backend:direct", f"task:{self.task.name}", f"pair:{self.src_lang}-{self.tgt_lang}",
            f"provider:{self.provider.name}" + (f"({resource})" if resource else ""), f"version:{__version__}",
        ])

    def decode_batch(self, items: Sequence[Item]) -> list[DecodeResult]:
        """The provider's answers for ``items``, parsed by the task."""
        work = [item for item in items if item.source.strip()]
        answers = dict(zip((item.id for item in work), self.requests.priors(work)))
        results = []
        for item in items:
            prior = answers.get(item.id)
            text = (prior.answer or prior.text) if prior else ""
            parsed = self.task.parse(text)
            results.append(DecodeResult(
                item=item, output=parsed.answer, raw=text, prior=text,
                provenance=prior.provenance.to_dict() if prior else None, parsed_ok=parsed.ok and bool(text),
                stop_reason="provider" if item.source.strip() else "empty_input",
            ))
        return results
