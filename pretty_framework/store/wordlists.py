"""Small word lists shipped with the bundled dictionaries (``dictionaries/controls.json``): modal verbs, adverbs."""

from __future__ import annotations

import json
from functools import cache

from pretty_framework.errors import UnknownNameError
from pretty_framework.store.bundled import DICTIONARIES

WORD_LISTS_FILE = "controls.json"


@cache
def _word_lists() -> dict[str, dict[str, list[str]]]:
    return json.loads((DICTIONARIES / WORD_LISTS_FILE).read_text(encoding="utf-8"))


def bundled_word_list(name: str, lang: str) -> list[str]:
    """The shipped list ``name`` (e.g. ``modal``, ``adverb``) for ``lang`` (a FLORES code); empty if none."""
    lists = _word_lists()
    if name not in lists:
        raise UnknownNameError("bundled word list", name, lists)
    return list(lists[name].get(lang, []))
