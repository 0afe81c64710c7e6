"""The run signature: everything that decides a run's outputs, written beside every output (after sacrebleu).

It is an object with :meth:`RunSignature.format` and :meth:`RunSignature.parse`,
never a hand-joined string: the engine builds it, the writer stores it, and a
resumed run or ``pretty eval`` reads it back field by field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import quote

# A field starts after "|" with a key and a colon; values may hold ":" (a model path) but not "|".
_FIELD_START = re.compile(r"\|(?=[A-Za-z_][\w.-]*:)")


@dataclass(frozen=True)
class RunSignature:
    """Ordered ``key:value`` fields, formatted ``key:value|key:value|...``."""

    fields: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, **values: object) -> RunSignature:
        """A signature from keyword arguments, in their order (values turned into text)."""
        return cls(tuple((key, str(value)) for key, value in values.items()))

    @classmethod
    def parse(cls, text: str) -> RunSignature:
        """Read a formatted signature back; a part without ``key:`` is kept under the key ``""``."""
        fields = []
        for part in _FIELD_START.split(text.strip()) if text.strip() else []:
            key, sep, value = part.partition(":")
            fields.append((key, value) if sep else ("", part))
        return cls(tuple(fields))

    def format(self) -> str:
        return "|".join(f"{key}:{value}" for key, value in self.fields)

    def __str__(self) -> str:
        return self.format()

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.fields)

    def get(self, key: str, default: str | None = None) -> str | None:
        """The value of ``key``, or ``default``."""
        return next((value for name, value in self.fields if name == key), default)

    def differences(self, other: RunSignature) -> list[str]:
        """``key: this != other`` for every field that differs (missing fields shown as ``-``)."""
        mine, theirs = dict(self.fields), dict(other.fields)
        keys = [key for key, _ in self.fields] + [key for key, _ in other.fields if key not in mine]
        return [f"{key}: {mine.get(key, '-')} != {theirs.get(key, '-')}" for key in keys
                if mine.get(key) != theirs.get(key)]


def format_options(options: Mapping[str, object]) -> str:
    """Options as one signature value: ``key=value`` sorted by key, joined by ``,``; ``-`` for none.

    Values are percent-encoded where they hold ``|``, ``,``, ``=``, ``%`` or white space, so the
    signature still parses and two different option sets never format alike.
    """
    if not options:
        return "-"
    return ",".join(f"{key}={quote(str(value), safe='')}" for key, value in sorted(options.items()))
