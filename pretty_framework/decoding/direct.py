"""Provider-alone rows ("SFT model alone", "NLLB alone"): the provider's own answer, scored without a foundation model."""

from __future__ import annotations

from collections.abc import Sequence

from pretty_framework import __version__
from pretty_framework.io.records import DecodeResult, Item
from pretty_framework.io.signature import RunSignature, format_options
from pretty_framework.languages import normalize_language
from pretty_framework.priors.fetch import check_on_error, fetch_priors
from pretty_framework.priors.provider import PriorProvider
from pretty_framework.priors.types import PriorRequest
from pretty_framework.tasks import Task


class DirectEngine:
    """Scores a provider's own answer: no foundation model, the task parses the provider's whole answer."""

    def __init__(self, task: Task, provider: PriorProvider, src_lang: str, tgt_lang: str, k: int | None = None,
                 on_prior_error: str = "fail"):
        self.task, self.provider = task, provider
        self.src_lang, self.tgt_lang = normalize_language(src_lang), normalize_language(tgt_lang)
        self.k = task.default_k if k is None else k
        self.on_prior_error = check_on_error(on_prior_error)
        provider.check_serves(task.name, self.src_lang, self.tgt_lang)

    #: a provider answers each item on its own (the SFT provider decodes in float32 for this reason)
    batch_invariant = True

    def signature(self) -> RunSignature:
        """The run signature of a provider-alone row."""
        resource = self.provider.resource()
        return RunSignature.of(model="-", backend="direct", task=self.task.name,
                               pair=f"{self.src_lang}-{self.tgt_lang}",
                               provider=self.provider.name + (f"({resource})" if resource else ""),
                               opts=format_options(self.provider.options.model_dump(exclude_defaults=True)),
                               version=__version__)

    def decode_batch(self, items: Sequence[Item]) -> list[DecodeResult]:
        """The provider's answers for ``items``, parsed by the task."""
        work = [item for item in items if item.source.strip()]
        requests = [PriorRequest(item, self.task, self.src_lang, self.tgt_lang, self.k) for item in work]
        answers = dict(zip((item.id for item in work), fetch_priors(self.provider, requests, self.on_prior_error)))
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
