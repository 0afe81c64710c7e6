"""``mt5-crosssum``: an mT5 summarizer writes a summary in the target language; its start is the prior.

CrossSum models pick the summary's language by the decoder's start token: the
model config's ``task_specific_params["langid_map"]`` maps a language name
("german", "chinese_simplified") to that token.
"""

from __future__ import annotations

import re
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

_WHITESPACE = re.compile(r"\s+")
_NAME_EXCEPTIONS = {"zho_Hans": "chinese_simplified", "zho_Hant": "chinese_traditional", "pes_Arab": "persian",
                    "swh_Latn": "swahili", "nob_Latn": "norwegian"}


class CrossSumOptions(ProviderOptions):
    model: str = "csebuetnlp/mT5_m2m_crossSum"
    device: str = "auto"
    dtype: str = "float32"
    batch_size: int = Field(4, ge=1)
    max_new_tokens: int = Field(84, ge=1)
    num_beams: int = Field(4, ge=1)
    max_input_tokens: int = Field(512, ge=8)


def language_start_token(tokenizer: Any, config: Any, code: str) -> int:
    """The decoder start token that makes a CrossSum model write in ``code``."""
    language = resolve_language(code)
    mapping = (getattr(config, "task_specific_params", None) or {}).get("langid_map") or {}
    key = _NAME_EXCEPTIONS.get(language.code, language.name.lower().replace(" ", "_"))
    if key not in mapping:
        raise OptionsError(f"the summarizer has no language id for {code!r} (looked for {key!r}); "
                           f"it knows: {', '.join(sorted(mapping)) or 'none (no langid_map in its config)'}")
    return tokenizer.convert_tokens_to_ids(mapping[key][1])


class CrossSumPrior(PriorProvider):
    """Priors from a cross-lingual summarizer (mT5 CrossSum or any model with a langid_map)."""

    name = "mt5-crosssum"
    description = "refined summary prior: the start of an mT5 CrossSum summary in the target language"
    tasks = frozenset({"summarization"})
    Options = CrossSumOptions

    def __init__(self, options: CrossSumOptions | None = None):
        super().__init__(options)
        self._model = LazyPretrained(self.options.model, "AutoModelForSeq2SeqLM", device=self.options.device,
                                     dtype=self.options.dtype, what="summarizer")

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        answers: list[Prior | None] = [None] * len(requests)
        work = [i for i, r in enumerate(requests) if r.source.strip()]
        size = self.options.batch_size
        for start in range(0, len(work), size):
            chunk = work[start : start + size]
            # One target language per generate call: the start token is per call.
            for tgt in sorted({requests[i].tgt_lang for i in chunk}):
                same = [i for i in chunk if requests[i].tgt_lang == tgt]
                for index, text in zip(same, self._summarize([requests[i].source for i in same], tgt)):
                    if text:
                        answers[index] = Prior(text, Provenance(self.name, resource=self.options.model))
        return answers

    def _summarize(self, texts: list[str], tgt: str) -> list[str]:
        import torch

        tokenizer, model, device = self._model.get()
        batch = tokenizer([_WHITESPACE.sub(" ", t).strip() for t in texts], return_tensors="pt", padding=True,
                          truncation=True, max_length=self.options.max_input_tokens).to(device)
        with torch.inference_mode():
            output = model.generate(**batch, decoder_start_token_id=language_start_token(tokenizer, model.config, tgt),
                                    max_new_tokens=self.options.max_new_tokens, num_beams=self.options.num_beams,
                                    no_repeat_ngram_size=2, do_sample=False)
        return [text.strip() for text in tokenizer.batch_decode(output, skip_special_tokens=True)]

    def resource(self) -> str | None:
        return self.options.model

    def prepare(self) -> None:
        self._model.get()  # a missing model fails now, before the foundation model loads

    def close(self) -> None:
        self._model.close()
