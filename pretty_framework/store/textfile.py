"""Reading a dictionary file line by line, whatever its line endings, without ever raising a decode error.

Dictionary files come from everywhere: Unix, Windows and old Mac line endings,
gzip, a UTF-8 byte order mark, now and then a line in another encoding. The
importers get ``(line number, text)`` with ``None`` for a line that is not
UTF-8, so the store can name the line or skip it (``--skip-bad``); a file that
cannot be read at all (a broken gzip stream, UTF-16) is one :class:`InputError`.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from pretty_framework.errors import InputError

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def text_lines(path: Path) -> Iterator[tuple[int, str | None]]:
    """(line number, text) of a UTF-8 dictionary file (gzip when it ends in .gz); text is None when not UTF-8.

    A line ends at ``\\n``, ``\\r\\n`` or a lone ``\\r``; the ending and a leading BOM are removed.
    """
    number = 0
    with _open(path) as handle:
        try:
            for raw in handle:
                if number == 0 and raw.startswith(_UTF16_BOMS):
                    raise InputError(f"{path}: the file is UTF-16 (it starts with a UTF-16 byte order mark); "
                                     "convert it to UTF-8")
                for piece in _split_lines(raw):
                    number += 1
                    yield number, _decode(piece, first=number == 1)
        except (OSError, EOFError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
            raise InputError(f"{path}: cannot read it after line {number}: {error}"
                             + ("; is it really gzip-compressed?" if path.suffix == ".gz" else "")) from None


def _open(path: Path) -> BinaryIO:
    try:
        return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")
    except FileNotFoundError:
        raise InputError(f"dictionary file not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"dictionary file is a folder, not a file: {path}") from None
    except OSError as error:
        raise InputError(f"cannot read the dictionary file {path}: {error.strerror}") from None


def _split_lines(raw: bytes) -> list[bytes]:
    """One binary line (as iteration splits them, at ``\\n``) into lines, lone ``\\r`` ending lines too."""
    body = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1] if raw.endswith(b"\n") else raw
    if b"\r" not in body:
        return [body]
    pieces = body.split(b"\r")
    if body.endswith(b"\r") and not raw.endswith(b"\n"):
        pieces.pop()  # the file ends in a lone \r: it ended the last line, no empty line follows
    return pieces


def _decode(piece: bytes, first: bool) -> str | None:
    try:
        text = piece.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text.removeprefix("\ufeff") if first else text
