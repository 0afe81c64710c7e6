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


# Tone and length marks (grave, acute, circumflex, tilde, macron, caron) as combining characters. Under-dots
# (Yoruba ẹ ọ ṣ, Igbo ị ọ ụ) are letters, not tones: they stay.
_TONE_MARKS = dict.fromkeys(map(ord, "\u0300\u0301\u0302\u0303\u0304\u030c"))
#: Languages whose words are matched without their tone marks: dictionaries and text disagree on them
#: (Yoruba Wiktionary lists write none, 814 of 997 FLORES dev lines do; the Igbo API writes them, 58 of
#: 997 FLORES Igbo lines do; Hausa lists mark tone and vowel length, Hausa text does not).
FOLD_TONES = frozenset({"yor_Latn", "ibo_Latn", "hau_Latn"})
#: Languages whose ordinary text is written without tone marks: a prior in them is written without too.
UNTONED_TEXT = frozenset({"ibo_Latn", "hau_Latn"})


def fold_tones(word: str) -> str:
    """``word`` without tone and length marks (``ụ̀nọ̀`` -> ``ụnọ``); under-dots and other letters stay."""
    if word.isascii():
        return word
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", word).translate(_TONE_MARKS))


def folds_tones(language: str) -> bool:
    """Whether look-ups in ``language`` (a canonical code) match words without their tone marks by default."""
    return language in FOLD_TONES


def written_form(word: str, language: str) -> str:
    """``word`` as ``language``'s text writes it: without tone marks where the text has none."""
    return fold_tones(word) if language in UNTONED_TEXT else word
