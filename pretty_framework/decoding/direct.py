"""Provider-alone rows ("SFT model alone", "NLLB alone"): the provider's own answer, scored without a foundation model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pretty_framework import __version__
from pretty_framework.priors.types import Prior, PriorRequest
from pretty_framework.priors.provider import PriorProvider
from pretty_framework.io.records import DecodeResult, Item
from pretty_framework.tasks import Task


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
