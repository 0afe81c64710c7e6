"""Controls: a random target-language word as the prior, to show that a prior must be related to the answer.

Each item's word is drawn with a generator seeded by (seed, item id), so a
batch gets the same priors as the same items one by one, on every run.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import ClassVar

from pretty_framework.api import (
    DictionaryStore,
    Prior,
    PriorProvider,
    PriorRequest,
    Provenance,
    ProviderOptions,
    StoreSession,
    bundled_word_list,
)


class ControlOptions(ProviderOptions):
    seed: int = 0
    db: str | None = None  # the dictionary store (default: $PRETTY_DB or the user data folder)


class RandomWordPrior(PriorProvider):
    """A random word of the target language, drawn from the dictionary store's translations."""

    name = "random"
    description = "control: a random target-language word from the dictionary (seeded); Table 5"
    tasks = frozenset({"translation", "summarization"})
    Options = ControlOptions
    pos: ClassVar[str | None] = None  # restrict to this UPOS tag

    def __init__(self, options: ControlOptions | None = None):
        super().__init__(options)
        self._session = StoreSession(self.options.db)
        self._words: dict[tuple[str, str], tuple[list[str], str]] = {}

    def _vocabulary(self, src: str, tgt: str) -> tuple[list[str], str]:
        """The candidate words for ``tgt`` and where they came from."""
        if (src, tgt) not in self._words:
            self._words[(src, tgt)] = self._from_store(self._session.prepare(src, tgt), src, tgt)
        return self._words[(src, tgt)]

    def _from_store(self, store: DictionaryStore, src: str, tgt: str) -> tuple[list[str], str]:
        return [word for word in store.translation_words(src, tgt) if word.isalpha()], "dictionary store"

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        return [self._one(request) for request in requests]

    def _one(self, request: PriorRequest) -> Prior | None:
        words, resource = self._vocabulary(request.src_lang, request.tgt_lang)
        if not words:
            return None
        rng = random.Random(f"{self.options.seed}:{request.item_id}")
        word = rng.choice(words)
        return Prior(word[:1].upper() + word[1:], Provenance(self.name, resource=resource,
                                                            detail=f"seed {self.options.seed}"), cut=False)

    def resource(self) -> str | None:
        return f"seed={self.options.seed}"

    def close(self) -> None:
        self._session.close()


class _PartOfSpeechPrior(RandomWordPrior):
    """A random target-language word of one part of speech: the store's tagged entries, else a bundled list."""

    list_name: ClassVar[str]

    def _from_store(self, store: DictionaryStore, src: str, tgt: str) -> tuple[list[str], str]:
        tagged = store.words_tagged(tgt, self.pos)
        if tagged:
            return tagged, f"dictionary store ({self.pos})"
        return bundled_word_list(self.list_name, tgt), f"dictionaries/controls.json ({self.list_name})"


class ModalPrior(_PartOfSpeechPrior):
    name = "modal"
    description = "control: a random target-language modal verb (seeded); Table 5"
    pos = "AUX"
    list_name = "modal"


class AdverbPrior(_PartOfSpeechPrior):
    name = "adverb"
    description = "control: a random target-language adverb (seeded); Table 5"
    pos = "ADV"
    list_name = "adverb"
