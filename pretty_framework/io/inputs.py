"""Input readers: plain lines, JSONL, and Flores-style aligned file pairs.

Every error names the file and the line. Item ids are 1-based line numbers
unless a JSONL record gives its own ``id``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pretty_framework.errors import InputError
from pretty_framework.io.records import Item

FORMATS = ("auto", "text", "jsonl")


def utf8_lines(path: Path, what: str = "input file") -> Iterator[tuple[int, str | None]]:
    """(line number, text) of a UTF-8 file (gzip when it ends in .gz), newline and BOM removed.

    A line that is not UTF-8 comes back as ``None``: the caller decides whether
    that stops the read (inputs) or skips the line (a dictionary import with --skip-bad).
    """
    try:
        handle = gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{what} is a folder, not a file: {path}") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                yield number, None
                continue
            yield number, text.removeprefix("\ufeff") if number == 1 else text


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) for each line of a UTF-8 input file; a non-UTF-8 line is an error."""
    for number, text in utf8_lines(path):
        if text is None:
            raise InputError(f"{path}:{number}: not valid UTF-8; convert the file to UTF-8 first")
        yield number, text


def read_text(path: Path) -> list[Item]:
    """One item per line; empty lines are kept (they decode to empty outputs)."""
    return [Item(id=str(number), source=text) for number, text in _lines(path)]


def read_stream(stream: IO[str], name: str = "<stdin>") -> list[Item]:
    """One item per line of an open text stream (standard input)."""
    return [Item(id=str(number), source=line.rstrip("\r\n")) for number, line in enumerate(stream, start=1)]


def read_jsonl(path: Path) -> list[Item]:
    """One item per JSON object with a ``source`` string; ``id``, ``reference`` optional.

    CrossSum's own files name them ``text`` and ``summary``: read as source and
    reference when ``source`` is absent. Other keys are kept as item fields (a
    ``prior`` for the ``text`` provider, say).
    """
    items: list[Item] = []
    seen: dict[str, int] = {}
    for number, text in _lines(path):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"{path}:{number}: invalid JSON: {error.msg}") from None
        if isinstance(record, dict) and "source" not in record and isinstance(record.get("text"), str):
            rest = {key: value for key, value in record.items() if key not in ("text", "summary")}
            record = {**rest, "source": record["text"], "reference": record.get("summary")}
        if not isinstance(record, dict) or not isinstance(record.get("source"), str):
            raise InputError(f"{path}:{number}: expected an object with a string 'source' field "
                             "(or CrossSum's 'text' and 'summary')")
        reference = record.get("reference")
        if reference is not None and not isinstance(reference, str):
            raise InputError(f"{path}:{number}: 'reference' must be a string")
        item_id = str(record.get("id", number))
        if item_id in seen:
            raise InputError(f"{path}:{number}: id {item_id!r} already used on line {seen[item_id]}")
        seen[item_id] = number
        fields = {key: value for key, value in record.items() if key not in ("id", "source", "reference")}
        items.append(Item(id=item_id, source=record["source"], reference=reference, fields=fields))
    return items


def read_input(path: Path, fmt: str = "auto") -> list[Item]:
    """Read ``path`` as text or JSONL (``auto``: JSONL when it ends in .jsonl)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown input format {fmt!r}; known: {', '.join(FORMATS)}")
    if fmt == "jsonl" or (fmt == "auto" and path.suffix == ".jsonl"):
        return read_jsonl(path)
    return read_text(path)


def attach_references(items: list[Item], path: Path) -> list[Item]:
    """Pair items with the lines of a reference file (a Flores-style aligned pair)."""
    references = [text for _, text in _lines(path)]
    if len(references) != len(items):
        raise InputError(f"{path} has {len(references)} lines but the input has {len(items)} items: "
                         "a Flores-style pair must be aligned line by line")
    return [Item(item.id, item.source, reference, item.fields) for item, reference in zip(items, references)]


def flores_files(folder: Path, split: str, src: str, tgt: str) -> tuple[Path, Path]:
    """The source and reference files of a FLORES-200 folder (``dev.eng_Latn``, ``dev.deu_Latn``)."""
    source, reference = folder / f"{split}.{src}", folder / f"{split}.{tgt}"
    for path in (source, reference):
        if not path.is_file():
            present = sorted(p.name for p in folder.glob(f"{split}.*")) if folder.is_dir() else []
            raise InputError(f"Flores file not found: {path}; present: {', '.join(present) or 'none'}")
    return source, reference


def read_conllu(path: Path) -> list[Item]:
    """Universal Dependencies CoNLL-U: one item per sentence, with ``words`` and gold ``upos`` fields.

    Multi-word token lines (``3-4``) and empty nodes (``5.1``) are skipped: the
    syntactic words carry the tags. HTML entities in the text (``&#39;``) are decoded.
    """
    import html

    items: list[Item] = []
    words: list[str] = []
    tags: list[str] = []
    sentence_id, text = None, None
    for number, line in _lines(path):
        if line.startswith("#"):
            key, _, value = line[1:].partition("=")
            if key.strip() == "sent_id":
                sentence_id = value.strip()
            elif key.strip() == "text":
                text = html.unescape(value.strip())
            continue
        if not line.strip():
            if words:
                items.append(Item(sentence_id or str(len(items) + 1), text or " ".join(words),
                                  fields={"words": words, "upos": tags}))
            words, tags, sentence_id, text = [], [], None, None
            continue
        columns = line.split("\t")
        if len(columns) != 10:
            raise InputError(f"{path}:{number}: a CoNLL-U token line has 10 tab-separated columns, got {len(columns)}")
        if "-" in columns[0] or "." in columns[0]:
            continue
        words.append(html.unescape(columns[1]))
        tags.append(columns[3])
    if words:
        items.append(Item(sentence_id or str(len(items) + 1), text or " ".join(words),
                          fields={"words": words, "upos": tags}))
    return items
