"""The decoding engine: task prompt + provider prior -> batched continuation -> parsed answer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from pretty_framework import __version__
from pretty_framework.backends import Backend
from pretty_framework.decoding.generation import GenerationSettings
from pretty_framework.errors import OptionsError
from pretty_framework.guides.base import Guide
from pretty_framework.guides.rounds import guided_generate
from pretty_framework.guides.select import runs_guide
from pretty_framework.io.records import DecodeResult, Item
from pretty_framework.io.signature import RunSignature, format_options
from pretty_framework.languages import normalize_language
from pretty_framework.priors.choice import choose_priors
from pretty_framework.priors.cutting import JoinedPrompt, decode_answer, join_prompt_and_prior
from pretty_framework.priors.fetch import check_on_error, fetch_priors
from pretty_framework.priors.provider import PriorProvider
from pretty_framework.priors.types import Prior, PriorRequest
from pretty_framework.tasks import Task
from pretty_framework.tasks.shots import DemonstrationPool

log = logging.getLogger(__name__)

PROMPT_MARGIN = 8  # tokens kept free when a long source is cut to fit the context


@dataclass
class Engine:
    """Runs one configuration (model, task, provider, k, template) over items.

    ``k=None`` uses the task's default k. With ``on_prior_error="skip"`` an item
    whose prior fails is decoded without a prior (and logged); with ``"fail"``
    the run stops with a :class:`PriorError` naming the provider and the item.
    """

    backend: Backend
    task: Task
    provider: PriorProvider
    src_lang: str
    tgt_lang: str
    k: int | None = None
    template: str | None = None
    settings: GenerationSettings = field(default_factory=GenerationSettings)
    on_prior_error: str = "fail"
    #: guides acting at every decoding step (``--guide``); empty: the paper's setting
    guides: Sequence[Guide] = ()
    #: worked examples before each prompt (``--shots``): how many, and the pool they come from
    shots: int = 0
    demonstrations: DemonstrationPool | None = None

    def __post_init__(self) -> None:
        # Any spelling the CLI accepts ("en", "eng", "eng_Latn"); providers see FLORES codes.
        self.src_lang, self.tgt_lang = normalize_language(self.src_lang), normalize_language(self.tgt_lang)
        self.k = self.task.default_k if self.k is None else self.k
        if self.k < 0:
            raise OptionsError(f"k must be 0 or more, got {self.k}")
        self.template = self.task.template(self.template).name
        check_on_error(self.on_prior_error)
        if self.shots and not self.task.supports_shots:
            raise OptionsError(f"task {self.task.name!r} takes no --shots demonstrations")
        if self.shots < 0 or (self.shots and self.demonstrations is None):
            raise OptionsError(f"--shots {self.shots} needs a pool of demonstrations (--shots-from)")
        self.provider.check_serves(self.task.name, self.src_lang, self.tgt_lang)
        unable = [guide.name for guide in self.guides if not runs_guide(self.backend, guide)]
        if unable:
            raise OptionsError(f"backend {self.backend.name!r} cannot run the guides {', '.join(unable)} (they "
                               "need each step's logits): use --guide none, or the transformers or llama.cpp "
                               "backend")
        if not self.settings.stop_strings and self.task.stop_strings:
            self.settings = replace(self.settings, stop_strings=tuple(self.task.stop_strings))

    @property
    def batch_invariant(self) -> bool:
        """Whether an output depends only on its item, never on the rows batched with it (the backend says)."""
        return bool(getattr(self.backend, "batch_invariant", False))

    # -- the run signature -----------------------------------------------------------------
    def signature(self) -> RunSignature:
        """A sacrebleu-style signature naming everything that decides the outputs."""
        resource = self.provider.resource()
        return RunSignature.of(
            model=self.backend.model_name,
            rev=getattr(self.backend, "revision", "-"),
            backend=self.backend.name,
            dtype=str(getattr(self.backend, "dtype", "-")).removeprefix("torch."),
            task=self.task.name,
            pair=f"{self.src_lang}-{self.tgt_lang}",
            provider=self.provider.name + (f"({resource})" if resource else ""),
            opts=format_options(self.provider.options.model_dump(exclude_defaults=True)),
            k=self.k,
            tmpl=self.template,
            dec=self.settings.describe(),
            max=self.settings.max_new_tokens,
            rep=self.settings.describe_repetition_guard(),
            # only when used: a run without guides keeps the signature it always had
            **({"guide": "+".join(guide.describe() for guide in self.guides)} if self.guides else {}),
            **({"shots": f"{self.shots}({self.demonstrations.origin})"} if self.shots else {}),
            version=__version__,
        )

    # -- decoding --------------------------------------------------------------------------
    def decode_batch(self, items: Sequence[Item]) -> list[DecodeResult]:
        """Decode one batch: one provider call, one backend call."""
        # Empty lines pass through as empty outputs without troubling provider or model.
        positions = [i for i, item in enumerate(items) if item.source.strip()]
        work = [items[i] for i in positions]
        priors = self.priors(work)
        # the model picks among a provider's candidate priors (a no-op when none offers any)
        priors = choose_priors(self.backend, priors, lambda index, prior: self._prompt(work[index], prior)[0])
        prompts = self.prompts(work, priors)
        joined_prompts = [joined for joined, _ in prompts]
        if self.guides:
            generations, events = guided_generate(self.backend, self.guides, work, joined_prompts, self.src_lang,
                                                  self.tgt_lang, self.settings)
        else:
            generations = self.backend.generate([joined.ids for joined in joined_prompts], self.settings)
            events = [[] for _ in work]
        results = [empty_result(item) for item in items]
        raws = self._map(lambda joined, generation: decode_answer(self.backend.decode,
                                                                   joined.ids + generation.token_ids,
                                                                   joined.answer_start),
                         joined_prompts, generations)
        for i, prior, (joined, truncated), generation, acts, raw in zip(positions, priors, prompts, generations, events,
                                                                        raws):
            parsed = self.task.parse(raw)
            provenance = prior.provenance.to_dict() if prior else None
            if acts:  # what the guides did to this answer
                provenance = {**(provenance or {}), "guides": acts}
            results[i] = DecodeResult(
                item=items[i],
                output=parsed.answer,
                raw=raw.strip(),
                prior=joined.prior_text,
                provenance=provenance,
                parsed_ok=parsed.ok,
                stop_reason=generation.stop_reason,
                truncated_input=truncated,
            )
        return results

    def priors(self, items: Sequence[Item]) -> list[Prior | None]:
        """The provider's priors for ``items`` (see :func:`fetch_priors` for failures)."""
        return fetch_priors(self.provider, self.requests(items), self.on_prior_error)

    def requests(self, items: Sequence[Item]) -> list[PriorRequest]:
        """What the provider is asked for each item."""
        return [PriorRequest(item, self.task, self.src_lang, self.tgt_lang, self.k) for item in items]

    def prompts(self, items: Sequence[Item], priors: Sequence[Prior | None]) -> list[tuple[JoinedPrompt, bool]]:
        """The token ids the backend gets for each item, and whether its source was cut to fit."""
        return self._map(self._prompt, items, priors)

    def _map(self, function: Callable[..., Any], *columns: Sequence[Any]) -> list[Any]:
        """``function`` over the rows of ``columns``, in order; on the backend's ``tokenizer_calls`` threads where
        its tokenizer is a server round trip (so the calls overlap instead of queueing)."""
        workers = min(getattr(self.backend, "tokenizer_calls", 1), len(columns[0]))
        if workers <= 1:
            return list(map(function, *columns))
        with ThreadPoolExecutor(workers, thread_name_prefix="pretty-tokenize") as pool:
            return list(pool.map(function, *columns))

    def _prompt(self, item: Item, prior: Prior | None) -> tuple[JoinedPrompt, bool]:
        joined = self._join(item, prior)
        budget = self.backend.max_context - self.settings.max_new_tokens
        if len(joined.ids) <= budget:
            return joined, False
        for shots in range(self.shots - 1, -1, -1):  # fewer demonstrations before any cut of the source
            joined = self._join(item, prior, shots)
            if len(joined.ids) <= budget:
                log.warning("item %r: the prompt with %d demonstrations exceeds the model's %d-token context; "
                            "it gets %d", item.id, self.shots, budget, shots)
                return joined, False
        source_ids = self.backend.encode(item.source)
        overhead = len(joined.ids) - len(source_ids)
        keep = max(1, budget - overhead - PROMPT_MARGIN)
        log.warning("item %r: %d prompt tokens exceed the model's %d-token context; the source is cut to %d tokens",
                    item.id, len(joined.ids), budget, keep)
        shorter = Item(item.id, self.backend.decode(source_ids[:keep]), item.reference, item.fields)
        return self._join(shorter, prior, 0), True

    def _join(self, item: Item, prior: Prior | None, shots: int | None = None) -> JoinedPrompt:
        template = self.task.template(self.template)
        shots = self.shots if shots is None else shots
        if shots:
            prompt = self.task.demonstrated_prompt(item, self.src_lang, self.tgt_lang, self.template,
                                                   self.demonstrations.choose(item, shots))
        else:
            prompt = self.task.prompt(item, self.src_lang, self.tgt_lang, self.template)
        text = self.task.frame_prior(item, prior.text) if prior else None
        k = self.k if prior is None or prior.cut else None
        return join_prompt_and_prior(self.backend.encode, self.backend.decode, prompt, text, k, template.separator)


def empty_result(item: Item) -> DecodeResult:
    """The result of an empty input line: an empty output, no prior."""
    return DecodeResult(item=item, output="", raw="", prior="", provenance=None, parsed_ok=False,
                        stop_reason="empty_input")
