"""Pseudo priors from bilingual dictionaries, with back-off (the paper's Section 3.2).

The prior is the target-language equivalent of the first source word the
dictionary covers (content words first); its provenance records the source
dictionaries and the back-off level (how many words were passed over).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from pretty_framework.api import Lookup, Prior, PriorProvider, PriorRequest, Provenance, ProviderOptions, StoreSession

if TYPE_CHECKING:
    from pretty_framework.store.lookup import Hit

log = logging.getLogger(__name__)


class DictOptions(ProviderOptions):
    """Options of every dictionary provider."""

    db: str | None = None  # a path or SQLAlchemy URL; default: $PRETTY_DB or the user data folder
    bundled: bool = True  # import the shipped MUSE dictionaries a pair needs on first use
    skip_identity: bool = True  # ignore entries whose target copies the source word
    # Off by default: on Flores dev (benchmarks/results/prior_quality.md) a content word pulled from
    # mid-sentence made a worse start than the first covered word, in every pair measured.
    content_words: bool = False  # prefer content words to function words
    distinctive: bool = False  # prefer translations that are not also source-language words (measured: no gain)
    pivot: bool = True  # translate through English when the pair has no dictionary
    # More than 1: offer up to this many words for the foundation model to choose among (the first covered
    # word's best translations, then the next covered words'), each also Capitalised; at most 3x in all.
    candidates: int = Field(1, ge=1)


class DictPrior(PriorProvider):
    """The merged dictionary store: every source together."""

    name = "dict"
    description = "pseudo prior from the merged dictionary store (MUSE + Wiktionary + PanLex + yours), with back-off"
    tasks = frozenset({"translation", "summarization"})
    Options = DictOptions
    resources: ClassVar[tuple[str, ...] | None] = None  # None: every source

    def __init__(self, options: DictOptions | None = None):
        super().__init__(options)
        self._session = StoreSession(self.options.db, bundled=self.options.bundled)
        self._warned: set[tuple[str, str]] = set()

    def _lookup(self, src: str, tgt: str) -> Lookup:
        lookup = self._session.lookup(
            src, tgt, self.resources, skip_identity=self.options.skip_identity,
            prefer_content_words=self.options.content_words, prefer_distinctive=self.options.distinctive,
            pivot=self.options.pivot,
        )
        if not lookup.available and (src, tgt) not in self._warned:
            self._warned.add((src, tgt))
            log.warning("provider %r: the store (%s) has no %s dictionary for %s -> %s, nor one to pivot "
                        "through English; items get no prior. Import one with `pretty dict import`.",
                        self.name, self._session.store.url, "/".join(self.resources or ("any",)), src, tgt)
        return lookup

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        return [self._one(request) for request in requests]

    def _one(self, request: PriorRequest) -> Prior | None:
        hit = self._lookup(request.src_lang, request.tgt_lang).prior(request.source)
        if hit is None:
            return None
        translation = hit.translation
        detail = f"{hit.word} -> {translation.target_word}"
        if translation.pivot:
            detail = f"{hit.word} -> {translation.pivot} -> {translation.target_word}"
        # A dictionary word is one unit: cutting it to k sub-word tokens would leave a fragment.
        prior = Prior(translation.target_word,
                      Provenance(self.name, resource=",".join(translation.sources), backoff_level=hit.backoff_level,
                                 detail=detail),
                      cut=False)
        if self.options.candidates > 1:
            prior = replace(prior, candidates=self._candidates(request, hit, prior.text))
        return prior

    def _candidates(self, request: PriorRequest, hit: Hit, first: str) -> tuple[str, ...]:
        """Other words the prior could be, for the foundation model to choose among (``first`` excluded).

        The first covered word's best translations, then the best translation of each next covered word
        (back-off), each as the dictionary writes it (MUSE is lower case) and Capitalised (German nouns, the
        start of a sentence); dictionary noise that is no plain word ("#bei", "'s") is left out. At most
        ``3 * candidates`` texts in all, ``first`` included.
        """
        wanted = self.options.candidates
        lookup = self._lookup(request.src_lang, request.tgt_lang)
        found = [(hit.word, t) for t in lookup.translations(hit.word, wanted)]
        for other in lookup.hits(request.source, wanted)[1:]:
            found += [(other.word, t) for t in lookup.translations(other.word, 1)]
        texts = dict.fromkeys([first])
        for word, translation in found:
            if "#" in translation.target_word or not any(c.isalpha() for c in translation.target_word):
                continue
            written = lookup.form(translation.target_word, word, opening=False)
            texts.update(dict.fromkeys([written[:1].upper() + written[1:], written]))
        return tuple(text for text in list(texts)[: 3 * wanted] if text != first)

    def resource(self) -> str | None:
        return "+".join(self.resources) if self.resources else "all"

    def close(self) -> None:
        self._session.close()


class MuseDictPrior(DictPrior):
    name = "muse-dict"
    description = "pseudo prior from MUSE dictionaries only (bundled for common pairs), with back-off"
    resources = ("muse",)


class WiktionaryDictPrior(DictPrior):
    name = "wiktionary-dict"
    description = "pseudo prior from imported Wiktionary (kaikki) entries only, with back-off"
    resources = ("wiktionary",)


class PanlexDictPrior(DictPrior):
    name = "panlex-dict"
    description = "pseudo prior from imported PanLex entries only, with back-off"
    resources = ("panlex",)
