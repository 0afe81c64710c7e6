"""What the guides need to know about words: which source words may be copied, which script a token is in."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_SENTENCE_END = (".", "!", "?", ":", ";", '"', "“", "”")

#: ISO 15924 code -> the first word of the Unicode character names of its letters
SCRIPT_NAMES = {
    "Latn": ("LATIN",), "Cyrl": ("CYRILLIC",), "Grek": ("GREEK",), "Arab": ("ARABIC",), "Hebr": ("HEBREW",),
    "Deva": ("DEVANAGARI",), "Beng": ("BENGALI",), "Thai": ("THAI",), "Hang": ("HANGUL",), "Kore": ("HANGUL",),
    "Hans": ("CJK",), "Hant": ("CJK",), "Jpan": ("CJK", "HIRAGANA", "KATAKANA"), "Ethi": ("ETHIOPIC",),
    "Geor": ("GEORGIAN",), "Armn": ("ARMENIAN",), "Taml": ("TAMIL",), "Telu": ("TELUGU",),
}

#: letters of a script that a language does not use (the letters of its closest neighbour written in the same
#: script): a Ukrainian answer with ы or э has drifted into Russian, a Russian one with ї into Ukrainian
FOREIGN_LETTERS = {
    "ukr_Cyrl": "ыэъёЫЭЪЁ",
    "rus_Cyrl": "іїєґІЇЄҐ",
    "bel_Cyrl": "иъщИЪЩ",
}


@lru_cache(maxsize=65536)
def char_script(char: str) -> str:
    """The first word of a letter's Unicode name (``LATIN``, ``CYRILLIC``, ``CJK``); ``""`` for a non-letter."""
    if not char.isalpha():
        return ""
    try:
        return unicodedata.name(char).split(" ", 1)[0]
    except ValueError:
        return ""


def has_script_letter(text: str, scripts: tuple[str, ...]) -> bool:
    """Whether ``text`` holds a letter of one of ``scripts`` (names as in :data:`SCRIPT_NAMES`)."""
    return any(char_script(char) in scripts for char in text if char.isalpha())


@dataclass(frozen=True)
class SourceWord:
    """A source word as the foundation model would copy it, and whether copying it is right."""

    text: str
    ids: tuple[int, ...]  # its tokens after a space
    keep: bool  # a name, a number, a symbol: an answer may copy it


def is_kept_word(word: str, sentence_initial: bool) -> bool:
    """Whether a translation may copy ``word`` unchanged: numbers, codes, symbols and names.

    A name is told by its capital letter where a sentence does not start, or by capitals inside it (iPhone, JAS);
    the sentence's first word is a name only when it has such inner capitals.
    """
    letters = _LETTER.findall(word)
    if not letters or any(char.isdigit() for char in word):
        return True
    core = word.strip("\"'“”‘’()[]{},.;:!?")
    if not core:
        return True
    if any(char.isupper() for char in core[1:]):
        return True
    return core[0].isupper() and not sentence_initial


def source_words(source: str, continuation) -> list[SourceWord]:
    """The source's words split on white space, each with its tokens (``continuation(" " + word)``)."""
    words = []
    previous = ""
    for index, word in enumerate(source.split()):
        initial = index == 0 or previous.endswith(_SENTENCE_END)
        words.append(SourceWord(word, tuple(continuation(" " + word)), is_kept_word(word, initial)))
        previous = word
    return words
