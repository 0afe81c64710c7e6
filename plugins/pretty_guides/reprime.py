"""Re-priming: when an answer drifts into the source language, cut it back and tie a new knot.

At each word boundary the guide looks at the last words written after the
prior. A word has *drifted* when the dictionary knows it as a word of the
source language or of English (where base models drift whatever the pair; it
has a translation into the target) but not as a target-language word, and it is
not a name (no capital letter). After ``drift_words`` drifted words in a row the
answer is cut back to where they start, and the dictionary translation of the
first of them that has one is inserted as a new prior; the model goes on from
there. Every insertion is recorded (where, which words, what was inserted).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pretty_framework.api import Guide, GuideOptions, GuideRow, Rethread, StoreSession, resolve_language, word_key

log = logging.getLogger(__name__)

ENGLISH = "eng_Latn"  # where base models drift whatever the pair: always a drift language
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_PLAIN_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)  # no '#', digits or markup (MUSE has "#bei")


class RePrimeOptions(GuideOptions):
    """Options of the re-priming guide."""

    db: str | None = None  # the dictionary store (default: $PRETTY_DB or the user data folder)
    bundled: bool = True  # import the shipped MUSE dictionaries a pair needs on first use
    drift_words: int = 2  # drifted words in a row that make a drift
    max_insertions: int = 3  # per answer
    # the model chooses the inserted word among this many translations, each as written and Capitalised
    # (MUSE is lower case; German nouns are not)
    translations: int = 2


class DriftVocabulary:
    """The words the dictionaries know on each side: the languages an answer drifts into (the source, and
    English, where a base model drifts whatever the pair), and the target language.

    ``lookups``: one look-up per drift language, into the target (the source's first).
    """

    def __init__(self, lookups: list[Any]):
        self.lookups = lookups
        self.sources: list[set[str]] = []
        self.target: set[str] = set()
        for lookup in lookups:
            index = lookup.direct if lookup.direct else (lookup.via[0] if lookup.via else None)
            self.sources.append(set(index.by_key) if index is not None else set())
            onward = lookup.direct if lookup.direct else (lookup.via[1] if lookup.via else None)
            for translations in (onward.by_key.values() if onward is not None else ()):
                self.target.update(word_key(t.target_word) for t in translations)

    def drifted(self, word: str) -> bool:
        """A drift-language word that is not also a target-language word, and not a name."""
        return self.source_word(word) and word_key(word) not in self.target

    def source_word(self, word: str) -> bool:
        """A lower-case word the dictionaries know in a drift language (it may be a target word too)."""
        if not word or word[0].isupper():
            return False
        key = word_key(word)
        return any(key in source for source in self.sources)

    def target_word(self, word: str) -> bool:
        """A word the dictionary knows as a target-language word (a name counts as one: it breaks a drift)."""
        return bool(word) and (word[0].isupper() or word_key(word) in self.target)

    def may_precede_drift(self, word: str) -> bool:
        """A lower-case word in both languages ("was") or a short unknown one ("a", "of"): before a drift it is
        read as part of it."""
        if not word or word[0].isupper():
            return False
        key = word_key(word)
        return self.source_word(word) or (key not in self.target and len(key) <= 3)

    def translations(self, word: str, limit: int) -> list[str]:
        """Up to ``limit`` translations of ``word`` that are plain words (MUSE also lists "#bei"), best first,
        from the first drift language that knows the word."""
        key = word_key(word)
        for lookup, source in zip(self.lookups, self.sources):
            if key not in source:
                continue
            found = []
            best = lookup.translate(word)
            if best is not None:
                found.append(best.target_word)
            if lookup.direct:
                found += [t.target_word for t in lookup.direct.by_key.get(key, [])]
            plain = [text for text in dict.fromkeys(found) if _PLAIN_WORD.fullmatch(text)]
            if plain:
                return plain[:limit]
        return []


class RePrime(Guide):
    """Re-threads the yarn: a drift into the source language is cut and a dictionary word inserted."""

    name = "reprime"
    description = ("when the answer drifts into the source language (dictionary membership), cut back to the "
                   "drift and insert the dictionary translation of its first word as a new prior")
    Options = RePrimeOptions
    between_requests = True  # it reads what was written and restricts steps only through choices()

    def __init__(self, options: RePrimeOptions | None = None):
        super().__init__(options)
        self._session: StoreSession | None = None
        self._pairs: dict[tuple[str, str], DriftVocabulary | None] = {}

    def _pair(self, src: str, tgt: str) -> DriftVocabulary | None:
        if (src, tgt) not in self._pairs:
            if self._session is None:
                self._session = StoreSession(self.options.db, bundled=self.options.bundled)
            drift_languages = [src] + ([ENGLISH] if ENGLISH not in (src, tgt) else [])
            lookups = [lookup for lookup in (self._session.lookup(lang, tgt) for lang in drift_languages)
                       if lookup.available]
            self._pairs[(src, tgt)] = DriftVocabulary(lookups) if lookups else None
            if not lookups:
                log.warning("guide reprime: no dictionary for %s -> %s; it does nothing for this pair", src, tgt)
        return self._pairs[(src, tgt)]

    def applies(self, src_lang: str, tgt_lang: str) -> bool:
        return self._pair(src_lang, tgt_lang) is not None

    def start(self, row: GuideRow) -> None:
        spaced = resolve_language(row.tgt_lang).spaced
        row.state[self.name] = {"pair": self._pair(row.src_lang, row.tgt_lang), "insertions": 0,
                                "checked": len(row.prior_ids), "spaced": spaced}

    def rethread(self, row: GuideRow) -> Rethread | None:
        state = row.state[self.name]
        answer = row.answer_ids
        if state["insertions"] >= self.options.max_insertions or state.get("force") is not None:
            return None
        text = self.vocab.texts[answer[-1]] if answer[-1] < len(self.vocab) else ""
        if not (text[:1].isspace() or "\n" in text or not text):  # a word ended (a new one, the line, the answer)
            return None
        # the words completed since the last check (or the prior), by their token spans
        pair: DriftVocabulary = state["pair"]
        words = [(start, self._word(answer[start:end])) for start, end in
                 self._word_spans(answer, state["checked"], len(answer) - 1)]
        drifted: list[tuple[int, str]] = []
        for position, (start, word) in enumerate(words):
            if pair.drifted(word):
                if not drifted:
                    # words just before the drift that read as source language too ("was", "a") go with it
                    back = position
                    while back > 0 and pair.may_precede_drift(words[back - 1][1]):
                        back -= 1
                    drifted = list(words[back:position])
                drifted.append((start, word))
            elif pair.target_word(word):
                drifted = []
                state["checked"] = start  # a target-language word breaks a drift
        if sum(pair.drifted(word) for _, word in drifted) < self.options.drift_words:
            return None
        for _, word in drifted:
            translations = pair.translations(word, self.options.translations)
            if translations:
                break
        else:
            state["checked"] = len(answer) - 1  # nothing to insert: let this drift be
            return None
        cut = drifted[0][0]
        space = " " if state["spaced"] else ""
        variants = list(dict.fromkeys(v for t in translations for v in (t, t[:1].upper() + t[1:])))
        # The next round starts at the cut; its first steps may only spell one of the variants (see adjust):
        # the model picks the sense and the capitalisation that fit what it wrote before.
        state["force"] = (cut, [self.vocab.continuation(space + variant) for variant in variants])
        state["insertions"] += 1
        state["checked"] = cut
        row.note(self.name, "inserted", at=cut - len(row.prior_ids),
                 cut=self.vocab.decode(answer[cut:-1]).strip(), drifted=[word for _, word in drifted],
                 candidates=variants)
        return Rethread(cut=cut, insert=[])

    def choices(self, row: GuideRow) -> list[int] | None:
        """While a re-threading's word is being spelled: the next tokens of the variants that fit what is
        written so far (best translation first); ``None`` once a whole variant is written."""
        state = row.state[self.name]
        force = state.get("force")
        if force is None:
            return None
        cut, spellings = force
        written = row.answer_ids[cut:]
        if any(spelling == written for spelling in spellings):
            state["force"] = None  # a whole variant is written: the model goes on freely
            state["checked"] = len(row.answer_ids)
            return None
        allowed = list(dict.fromkeys(spelling[len(written)] for spelling in spellings
                                     if len(spelling) > len(written) and spelling[: len(written)] == written))
        if not allowed:
            state["force"] = None
            return None
        return allowed

    def adjust(self, row: GuideRow, logits: Any) -> None:
        allowed = self.choices(row)
        if allowed is None:
            return
        allowed = sorted(allowed)
        keep = logits[allowed].clone()
        logits.fill_(float("-inf"))
        logits[allowed] = keep

    def _word(self, ids: list[int]) -> str:
        match = _WORD.search(self.vocab.decode(ids))
        return match.group(0) if match else ""

    def _word_spans(self, answer: list[int], start: int, end: int) -> list[tuple[int, int]]:
        """Token spans ``[a, b)`` of the words that start at or after ``start`` and end by ``end``."""
        starts = [i for i in range(start, end) if self.vocab.starts_word(answer[i])]
        return [(a, b) for a, b in zip(starts, starts[1:] + [end])]

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
        self._pairs.clear()
