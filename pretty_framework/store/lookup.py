"""Word look-up with back-off: the paper's pseudo prior, made better.

The paper takes the target equivalent of the first source word the dictionary
covers. Here, in addition: entries that merely copy the source word are
skipped; exact forms rank before forms matched only after normalisation;
content words, and translations that are not also source-language words
("police" is English and French), can be preferred (both off by default: on
Flores dev they did not help, see benchmarks/results/prior_quality.md); the best-ranked
translation (then the one most sources agree on) wins; words are matched on
normalised keys (case, punctuation, NFKC, stress marks); the source word's
capitalisation is kept; a pair without a dictionary pivots through English.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex
from sqlalchemy import func, select

from pretty_framework.languages import resolve_language
from pretty_framework.store.normalize import fold_tones, folds_tones, match_case, word_key, written_form
from pretty_framework.store.schema import Entry, EntrySource, Source
from pretty_framework.store.stopwords import is_function_word

if TYPE_CHECKING:  # annotations only: the store's methods import this module
    from pretty_framework.store.dictionary import DictionaryStore

PIVOT = "eng_Latn"
# Combining marks belong to their word: \w alone splits Hindi at its vowel signs (हिन्दी -> ह, न, द) and
# Yoruba at its tone marks (bẹ̀rẹ̀ -> bẹ, rẹ); the regex module knows the mark category \p{M}.
_WORD = regex.compile(r"[\w\p{M}]+(?:['’\-][\w\p{M}]+)*")
_MAX_UNSPACED_WORD = 4  # characters tried by maximum matching in unspaced scripts
_EDGE_SYMBOLS = regex.compile(r"^[^\w\p{M}]+|[^\w\p{M}.]+$")


@dataclass(frozen=True)
class Translation:
    """One dictionary translation of a source word, with where it came from."""

    source_word: str
    target_word: str
    rank: int
    sources: tuple[str, ...]
    pos: str | None = None
    pivot: str | None = None  # the pivot word when translated through English
    exact: bool = True  # False when the source matched only after normalisation


@dataclass(frozen=True)
class Hit:
    """The prior a sentence gets: the translation and the back-off level that found it."""

    translation: Translation
    word: str  # the source word as written in the sentence
    backoff_level: int  # 0: the sentence's first word; n: n words were passed over


class PairIndex:
    """All translations of one language pair (optionally of some resources), in memory."""

    def __init__(self, store: DictionaryStore, src: str, tgt: str, resources: Iterable[str] | None = None,
                 skip_identity: bool = True, fold: bool = False):
        self.src, self.tgt = src, tgt
        self.by_key: dict[str, list[Translation]] = {}
        self.by_folded: dict[str, list[Translation]] = {}  # keys without tone marks, when fold is on
        src_id, tgt_id = store.language_id(src), store.language_id(tgt)
        if src_id is None or tgt_id is None:
            return
        query = (
            select(Entry.source_key, Entry.source_word, Entry.target_word, EntrySource.rank, EntrySource.pos,
                   Source.name)
            .join(EntrySource, EntrySource.entry_id == Entry.id).join(Source, Source.id == EntrySource.source_id)
            .where(Entry.src_lang_id == src_id, Entry.tgt_lang_id == tgt_id)
        )
        if resources is not None:
            query = query.where(Source.resource.in_(list(resources)))
        if skip_identity:
            # Most copies are exact (MUSE en-fr: 73,471 of 113,286); dropping them in SQL halves
            # the rows to fetch. The exact, normalised comparison below catches the rest.
            query = query.where(func.lower(Entry.target_word) != Entry.source_key)
        grouped: dict[tuple[str, str], list] = defaultdict(list)
        with store.engine.connect() as conn:
            for key, source_word, target_word, rank, pos, source in conn.execute(query):
                if skip_identity and word_key(target_word) == key:
                    continue  # MUSE copies many words unchanged: no help as a target-language prior
                grouped[(key, target_word)].append((source_word, rank, pos, source))
        candidates: dict[str, list[Translation]] = defaultdict(list)
        for (key, target_word), rows in grouped.items():
            ranks = [rank for _, rank, _, _ in rows if rank is not None]
            # An entry found only through normalisation ("#on" for "on") ranks after exact forms.
            exact = any(source_word.casefold() == key for source_word, *_ in rows)
            candidates[key].append(Translation(
                source_word=rows[0][0], target_word=target_word, rank=min(ranks) if ranks else 99,
                sources=tuple(sorted({source for *_, source in rows})),
                pos=next((pos for _, _, pos, _ in rows if pos), None),
                exact=exact,
            ))
        for key, translations in candidates.items():
            translations.sort(key=lambda t: (not t.exact, t.rank, -len(t.sources), len(t.target_word), t.target_word))
            self.by_key[key] = translations
        if fold:
            for key, translations in self.by_key.items():
                # A match only after folding ranks like one found only after normalisation.
                self.by_folded.setdefault(fold_tones(key), []).extend(
                    t if not t.exact else Translation(t.source_word, t.target_word, t.rank, t.sources, t.pos,
                                                      t.pivot, exact=False) for t in translations)
            for translations in self.by_folded.values():
                translations.sort(key=lambda t: (t.rank, -len(t.sources), len(t.target_word), t.target_word))

    def __bool__(self) -> bool:
        return bool(self.by_key)

    def best(self, word: str) -> Translation | None:
        found = self.all(word)
        return found[0] if found else None

    def all(self, word: str) -> list[Translation]:
        """Every translation of ``word``, best first (the first is :meth:`best`)."""
        key = word_key(word)
        return self.by_key.get(key) or (self.by_folded.get(fold_tones(key)) if self.by_folded else None) or []


class Lookup:
    """Translates words and finds a sentence's prior, pivoting through English when needed."""

    def __init__(self, store: DictionaryStore, src: str, tgt: str, resources: Iterable[str] | None = None,
                 skip_identity: bool = True, prefer_content_words: bool = False, prefer_distinctive: bool = False,
                 pivot: bool = True, fold_tones: bool | None = None):
        """``fold_tones``: match source words without their tone marks (None: where the language needs it,
        :data:`~pretty_framework.store.normalize.FOLD_TONES`)."""
        self.src, self.tgt = src, tgt
        fold = folds_tones(src) if fold_tones is None else fold_tones
        self.prefer_content_words = prefer_content_words
        self.prefer_distinctive = prefer_distinctive
        resources = list(resources) if resources is not None else None
        self.direct = PairIndex(store, src, tgt, resources, skip_identity, fold)
        self.via: tuple[PairIndex, PairIndex] | None = None
        if not self.direct and pivot and PIVOT not in (src, tgt):
            first = PairIndex(store, src, PIVOT, resources, skip_identity, fold)
            second = PairIndex(store, PIVOT, tgt, resources, skip_identity)
            if first and second:
                self.via = (first, second)

    @property
    def available(self) -> bool:
        """Whether any dictionary (direct or through the pivot) serves this pair."""
        return bool(self.direct) or self.via is not None

    def translate(self, word: str) -> Translation | None:
        """The best translation of one word, direct or through English."""
        found = self.direct.best(word) if self.direct else None
        if found is not None or self.via is None:
            return found
        to_pivot = self.via[0].best(word)
        if to_pivot is None:
            return None
        onward = self.via[1].best(to_pivot.target_word)
        if onward is None:
            return None
        return Translation(word, onward.target_word, max(to_pivot.rank, onward.rank),
                           tuple(sorted(set(to_pivot.sources) | set(onward.sources))), onward.pos,
                           pivot=to_pivot.target_word)

    def translations(self, word: str, limit: int = 5) -> list[Translation]:
        """The ``limit`` best translations of one word, best first, direct or through English.

        Direct, the first is :meth:`translate`'s. Through English, each pivot word (best first) brings its
        onward translations (best first); a target reached twice is kept once. Unlike :meth:`translate`, a
        best pivot word without an onward translation does not end the search.
        """
        if limit < 1:
            return []
        if self.direct:
            return self.direct.all(word)[:limit]
        if self.via is None:
            return []
        found: dict[str, Translation] = {}
        for to_pivot in self.via[0].all(word)[:limit]:
            for onward in self.via[1].all(to_pivot.target_word)[:limit]:
                if onward.target_word not in found:
                    found[onward.target_word] = Translation(
                        word, onward.target_word, max(to_pivot.rank, onward.rank),
                        tuple(sorted(set(to_pivot.sources) | set(onward.sources))), onward.pos,
                        pivot=to_pivot.target_word)
                if len(found) == limit:
                    return list(found.values())
        return list(found.values())

    def _is_source_word(self, word: str) -> bool:
        """Whether a target word is also a source-language word ('prison' in English and French).

        Such a prior does not tell the model which language to continue in. The
        source words that have a real (non-copy) translation serve as the
        source-language word list: MUSE's copies include target-language words
        listed as English ("bei bei"), which would make every German word look English.
        """
        index = self.direct if self.direct else (self.via[0] if self.via else None)
        return index is not None and word_key(word) in index.by_key

    def words(self, sentence: str) -> list[str]:
        """The sentence's words; unspaced scripts are segmented by maximum matching."""
        if resolve_language(self.src).spaced:  # the script decides (languages.UNSPACED_SCRIPTS)
            return _WORD.findall(sentence)
        index = self.direct if self.direct else (self.via[0] if self.via else None)
        known = index.by_key if index else {}
        words, position = [], 0
        while position < len(sentence):
            for length in range(min(_MAX_UNSPACED_WORD, len(sentence) - position), 0, -1):
                piece = sentence[position : position + length]
                if length == 1 or word_key(piece) in known:
                    if piece.strip() and _WORD.fullmatch(piece):
                        words.append(piece)
                    position += length
                    break
        return words

    def prior(self, sentence: str) -> Hit | None:
        """The back-off prior of a sentence: its first covered (content) word's translation."""
        words = self.words(sentence)
        hits = [(level, word, t) for level, word in enumerate(words) if (t := self.translate(word)) is not None]
        if not hits:
            return None
        if self.prefer_content_words:
            content = [hit for hit in hits if not is_function_word(word_key(hit[1]), self.src)]
            hits = content or hits
        if self.prefer_distinctive:
            distinctive = [hit for hit in hits if not self._is_source_word(hit[2].target_word)]
            hits = distinctive or hits
        level, word, translation = hits[0]
        return self._hit(level, word, translation)

    def hits(self, sentence: str, limit: int = 5) -> list[Hit]:
        """The sentence's first ``limit`` covered words as priors, in back-off order; the first is :meth:`prior`'s.

        The preferred words (content words, distinctive translations, when asked for) come first, then the
        others, each group in sentence order.
        """
        words = self.words(sentence)
        hits = [(level, word, t) for level, word in enumerate(words) if (t := self.translate(word)) is not None]

        def passed_over(hit: tuple[int, str, Translation]) -> tuple[bool, bool]:
            return (self.prefer_content_words and is_function_word(word_key(hit[1]), self.src),
                    self.prefer_distinctive and self._is_source_word(hit[2].target_word))

        hits.sort(key=passed_over)  # stable: sentence order within each group
        return [self._hit(level, word, translation) for level, word, translation in hits[: max(0, limit)]]

    def form(self, target: str, word: str, opening: bool = True) -> str:
        """A dictionary target word as a prior writes it: symbols trimmed at its edges, no tone marks where the
        target language writes none, the case of the source ``word``; capitalised when ``opening`` the answer."""
        # Dictionary noise ("#bei", "'s") must not open the answer: trim symbols at the edges.
        target = _EDGE_SYMBOLS.sub("", target) or target
        target = written_form(target, self.tgt)  # no tone marks where the target's text writes none
        cased = match_case(target, word)
        if opening:
            cased = cased[:1].upper() + cased[1:]  # the prior opens the answer, which starts a sentence
        return cased

    def _hit(self, level: int, word: str, translation: Translation) -> Hit:
        cased = self.form(translation.target_word, word)
        return Hit(Translation(word, cased, translation.rank, translation.sources, translation.pos,
                               translation.pivot), word, level)
