"""Which language an output is in: the paper's target-language success rate (Appendix C.3).

langdetect (seeded, so the same text always gets the same answer) with one
correction: short Han-only strings, which langdetect often calls Korean or
German, are Chinese by their script.
"""

from __future__ import annotations

from collections.abc import Sequence

from pretty_framework.errors import UnknownNameError
from pretty_framework.languages import resolve_language

UNKNOWN = "unknown"
_HAN_SHARE = 0.5


def _is_han(character: str) -> bool:
    return "\u4e00" <= character <= "\u9fff" or "\u3400" <= character <= "\u4dbf"


def detect_language(text: str) -> str:
    """The ISO 639-3 code of ``text``'s language (``zho`` for Chinese), or ``unknown``."""
    from langdetect import DetectorFactory, LangDetectException, detect

    letters = [c for c in text if c.isalpha()]
    if not letters:
        return UNKNOWN
    if sum(map(_is_han, letters)) / len(letters) > _HAN_SHARE:
        return "zho"
    DetectorFactory.seed = 0
    try:
        return resolve_language(detect(text)).iso3
    except (LangDetectException, UnknownNameError):
        return UNKNOWN


def target_language_rate(outputs: Sequence[str], target: str) -> float:
    """Share of ``outputs`` written in ``target`` (any accepted language code)."""
    if not outputs:
        raise ValueError("no outputs to identify")
    wanted = resolve_language(target).iso3
    return sum(detect_language(text) == wanted for text in outputs) / len(outputs)
