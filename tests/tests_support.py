"""Helpers shared by test modules."""

from __future__ import annotations

from conftest import flores_lines
from pretty_framework.records import Item


def flores_items(src: str, tgt: str, n: int, start: int = 0) -> list[Item]:
    """Real Flores dev items with references."""
    sources = flores_lines(src, start + n)[start:]
    references = flores_lines(tgt, start + n)[start:]
    return [Item(str(start + i + 1), s, r) for i, (s, r) in enumerate(zip(sources, references))]
