"""``nllb``: a seq2seq translation model (NLLB-200, M2M100) writes the translation; its start is the prior.

The framework's FLORES codes are NLLB's own (``deu_Latn``); M2M100 models name
languages ``__de__``. The provider finds whichever form the model's vocabulary
has, builds the encoder input as ``[source language] tokens </s>`` and forces
the target language as the first decoder token (``forced_bos_token_id``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pydantic import Field

from pretty_framework.api import (
    LazyPretrained,
    OptionsError,
    Prior,
    PriorProvider,
    PriorRequest,
    Provenance,
    ProviderOptions,
    resolve_language,
)


class NllbOptions(ProviderOptions):
    """The translation model and how to run it."""

    model: str = "facebook/nllb-200-distilled-600M"  # a hub id or a local folder
    device: str = "auto"
    dtype: str = "float32"  # fp32: batched and single priors must agree
    batch_size: int = Field(8, ge=1)
    max_new_tokens: int = Field(32, ge=1)
    num_beams: int = Field(1, ge=1)


def language_token(tokenizer: Any, code: str) -> int:
    """The id of a language's tag in an NLLB (``deu_Latn``) or M2M100 (``__de__``) vocabulary."""
    language = resolve_language(code)
    candidates = [language.code, f"__{language.iso1}__" if language.iso1 else None, f"__{language.iso3}__"]
    vocabulary = tokenizer.get_vocab()
    for candidate in candidates:
        if candidate and candidate in vocabulary:
            return vocabulary[candidate]
    raise OptionsError(f"the translation model has no language tag for {code!r} "
                       f"(looked for {', '.join(c for c in candidates if c)})")


class NllbPrior(PriorProvider):
    """Priors from a multilingual seq2seq translation model."""

    name = "nllb"
    description = "refined MT prior: the first tokens of an NLLB/M2M100 translation (default NLLB-200-distilled-600M)"
    tasks = frozenset({"translation"})
    Options = NllbOptions

    def __init__(self, options: NllbOptions | None = None):
        super().__init__(options)
        self._model = LazyPretrained(self.options.model, "AutoModelForSeq2SeqLM", device=self.options.device,
                                     dtype=self.options.dtype, what="translation model")

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        answers: list[Prior | None] = [None] * len(requests)
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for index, request in enumerate(requests):
            if request.source.strip():
                groups[(request.src_lang, request.tgt_lang)].append(index)
        for (src, tgt), indices in groups.items():
            for start in range(0, len(indices), self.options.batch_size):
                chunk = indices[start : start + self.options.batch_size]
                for index, text in zip(chunk, self._translate([requests[i].source for i in chunk], src, tgt)):
                    if text:
                        answers[index] = Prior(text, Provenance(self.name, resource=self.options.model))
        return answers

    def _translate(self, sources: list[str], src: str, tgt: str) -> list[str]:
        import torch

        tokenizer, model, device = self._model.get()
        eos = tokenizer.eos_token_id
        rows = [[language_token(tokenizer, src)] + tokenizer(text, add_special_tokens=False)["input_ids"] + [eos]
                for text in sources]
        width = max(len(row) for row in rows)
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
        ids = torch.tensor([row + [pad] * (width - len(row)) for row in rows], device=device)
        mask = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in rows], device=device)
        with torch.inference_mode():
            output = model.generate(input_ids=ids, attention_mask=mask, forced_bos_token_id=language_token(tokenizer, tgt),
                                    max_new_tokens=self.options.max_new_tokens, num_beams=self.options.num_beams,
                                    do_sample=False)
        return [text.strip() for text in tokenizer.batch_decode(output, skip_special_tokens=True)]

    def resource(self) -> str | None:
        return self.options.model

    def prepare(self) -> None:
        self._model.get()  # a missing model fails now, before the foundation model loads

    def close(self) -> None:
        self._model.close()
