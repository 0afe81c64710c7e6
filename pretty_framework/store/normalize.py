"""Word normalisation shared by import and look-up, so both sides agree on keys."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Stress marks Wiktionary writes on Russian/Ukrainian words (прино́сити). Only after a
# Cyrillic letter: the same combining accents are real letters' parts in French (à).
_CYRILLIC_STRESS = re.compile(r"(?<=[\u0400-\u04FF])[\u0300\u0301]")
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")


def strip_stress(word: str) -> str:
    """Remove Cyrillic stress marks (combining accents right after a Cyrillic letter), keeping every other accent."""
    if "\u0301" not in word and "\u0300" not in word:
        return word  # the common case, kept cheap: imports call this for every word
    return unicodedata.normalize("NFC", _CYRILLIC_STRESS.sub("", word))


def clean_word(word: str) -> str:
    """A word as stored: NFC, stress marks removed, surrounding spaces trimmed."""
    if not unicodedata.is_normalized("NFC", word):
        word = unicodedata.normalize("NFC", word)
    return strip_stress(word).strip()


def word_key(word: str) -> str:
    """The look-up key: NFKC, stress marks removed, case-folded, edge punctuation stripped."""
    if not unicodedata.is_normalized("NFKC", word):
        word = unicodedata.normalize("NFKC", word)
    folded = strip_stress(word).casefold()
    stripped = _EDGE_PUNCTUATION.sub("", folded)
    return stripped or folded.strip()


def match_case(target: str, source: str) -> str:
    """Give ``target`` the capitalisation of ``source`` (ALL CAPS, Capitalised, or as is)."""
    letters = [c for c in source if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return target.upper()
    if letters and source.lstrip()[:1].isupper():
        return target[:1].upper() + target[1:]
    return target


@cache
def _traditional_to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


def for_script(word: str, language: str) -> str:
    """A word in the script its language code names: Simplified Chinese for ``zho_Hans``.

    MUSE's "zh" lists mix traditional and simplified characters (and Wiktionary
    gives both); FLORES zho_Hans text is simplified, so look-ups need one script.
    """
    if language == "zho_Hans":
        return _traditional_to_simplified().convert(word)
    return word
