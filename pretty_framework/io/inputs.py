"""Input readers: plain lines, JSONL, CoNLL-U, FLORES-200 folders (both layouts), Hugging Face datasets.

Every kind may be gzip-compressed (recognised by its content, or a ``.gz``
suffix). Bad input is one :class:`InputError` naming the file and the line:
not UTF-8, binary, UTF-16, a broken gzip stream, invalid JSON, a missing
field. A reader returns every item or raises; it never returns half a file.
Item ids are 1-based line numbers unless a record gives its own id.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pretty_framework.errors import InputError
from pretty_framework.io.records import Item

FORMATS = ("auto", "text", "jsonl", "conllu")
GZIP_MAGIC = b"\x1f\x8b"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Fields:
    """Which fields of a JSONL record or dataset row hold the source, the reference and the id."""

    source: str = "source"
    reference: str = "reference"
    id: str = "id"


def _is_gzip(path: Path) -> bool:
    if path.exists() and not path.is_file():
        return False  # a pipe (/dev/stdin) would lose the bytes sniffed; a folder is reported by the open
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def _open(path: Path, what: str) -> IO[bytes]:
    """The file's bytes, uncompressed when it is gzip (by content or suffix)."""
    try:
        return gzip.open(path, "rb") if path.suffix == ".gz" or _is_gzip(path) else path.open("rb")
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{what} is a folder, not a file: {path}") from None
    except PermissionError:
        raise InputError(f"{what} cannot be read (permission denied): {path}") from None


def utf8_lines(path: Path, what: str = "input file") -> Iterator[tuple[int, str | None]]:
    """(line number, text) of a UTF-8 file (gzip by content or suffix), newline and BOM removed.

    A line that is not UTF-8 comes back as ``None``: the caller decides whether
    that stops the read (inputs) or skips the line (a dictionary import with
    --skip-bad). A broken gzip stream is an :class:`InputError` naming the file.
    """
    number = 0
    with _open(path, what) as handle:
        try:
            for number, raw in enumerate(handle, start=1):
                try:
                    text = raw.decode("utf-8").rstrip("\r\n")
                except UnicodeDecodeError:
                    yield number, None
                    continue
                yield number, text.removeprefix("\ufeff") if number == 1 else text
        except (OSError, EOFError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
            raise InputError(f"{path}: the gzip stream is broken after line {number} ({error}); "
                             "is the file complete?") from None


def _split_lines(data: bytes) -> list[bytes]:
    """Lines of ``data`` at \\n, \\r\\n or a lone \\r, without their endings (a final newline ends no extra line)."""
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    return lines[:-1] if lines and lines[-1] == b"" else lines


def decode_lines(data: bytes, name: str) -> list[tuple[int, str]]:
    """(line number, text) of UTF-8 ``data``; :class:`InputError` naming ``name`` and the line otherwise."""
    if data.startswith(_UTF16_BOMS):
        raise InputError(f"{name}: the text is UTF-16 (it starts with a UTF-16 byte order mark); convert it to UTF-8")
    lines = []
    for number, raw in enumerate(_split_lines(data.removeprefix(b"\xef\xbb\xbf")), start=1):
        if b"\x00" in raw:
            raise InputError(f"{name}:{number}: a NUL byte: this is a binary file, not text")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(f"{name}:{number}: not valid UTF-8 (byte {raw[error.start]:#04x} at column "
                             f"{error.start + 1}); convert the text to UTF-8") from None
        lines.append((number, text))
    return lines


def read_bytes(path: Path, what: str = "input file") -> bytes:
    """All of a file's bytes, uncompressed; one :class:`InputError` when it is missing or a broken gzip."""
    with _open(path, what) as handle:
        try:
            return handle.read()
        except (OSError, EOFError, zlib.error) as error:
            raise InputError(f"{path}: not a readable gzip file ({error}); is it complete and really gzip?") from None


def _lines(path: Path) -> list[tuple[int, str]]:
    return decode_lines(read_bytes(path), str(path))


def _text_items(lines: Sequence[tuple[int, str]]) -> list[Item]:
    """One item per line; empty lines are kept (they decode to empty outputs)."""
    return [Item(id=str(number), source=text) for number, text in lines]


def read_text(path: Path) -> list[Item]:
    """One item per line of a text file."""
    return _text_items(_lines(path))


def read_stream(stream: IO[bytes] | IO[str], name: str = "<stdin>", fmt: str = "text",
                fields: Fields = Fields()) -> list[Item]:
    """Items from an open stream (standard input): lines, JSONL or CoNLL-U, checked like a file."""
    data = stream.read()
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")  # a text stream: its undecodable bytes come back here
    if data.startswith(GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise InputError(f"{name}: not a readable gzip stream ({error})") from None
    lines = decode_lines(data, name)
    if fmt == "jsonl":
        return _jsonl_items(lines, name, fields)
    if fmt == "conllu":
        return _conllu_items(lines, name)
    return _text_items(lines)


def read_jsonl(path: Path, fields: Fields = Fields()) -> list[Item]:
    """One item per JSON object with a string source field (``source``, or as ``fields`` names it).

    CrossSum's own files name them ``text`` and ``summary``: read as source and
    reference when no ``source`` field is given or found. Other keys are kept as
    item fields (a ``prior`` for the ``text`` provider, say).
    """
    return _jsonl_items(_lines(path), str(path), fields)


def _jsonl_items(lines: Sequence[tuple[int, str]], name: str, fields: Fields) -> list[Item]:
    items: list[Item] = []
    seen: dict[str, int] = {}
    for number, text in lines:
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"{name}:{number}: invalid JSON: {error.msg} (column {error.colno})") from None
        except RecursionError:
            raise InputError(f"{name}:{number}: invalid JSON: nested too deeply") from None
        items.append(_record_item(record, f"{name}:{number}", str(number), fields, seen, number))
    return items


def _record_item(record: Any, where: str, default_id: str, fields: Fields, seen: dict[str, int],
                 position: int) -> Item:
    """An item from one JSON record or dataset row, the error naming ``where``."""
    if (isinstance(record, dict) and fields == Fields() and "source" not in record
            and isinstance(record.get("text"), str)):
        rest = {key: value for key, value in record.items() if key not in ("text", "summary")}
        record = {**rest, "source": record["text"], "reference": record.get("summary")}
    wanted = f"expected an object with a string {fields.source!r} field"
    if not isinstance(record, dict):
        raise InputError(f"{where}: {wanted}, got a JSON {type(record).__name__}")
    if not isinstance(record.get(fields.source), str):
        found = ", ".join(map(str, record)) or "none"
        raise InputError(f"{where}: {wanted} (fields here: {found}); name the source field with --source-field"
                         + (" (or give CrossSum's 'text' and 'summary')" if fields == Fields() else ""))
    reference = record.get(fields.reference)
    if reference is not None and not isinstance(reference, str):
        raise InputError(f"{where}: {fields.reference!r} must be a string, got {type(reference).__name__}")
    item_id = str(record.get(fields.id, default_id))
    if item_id in seen:
        raise InputError(f"{where}: id {item_id!r} already used by record {seen[item_id]}")
    seen[item_id] = position
    taken = (fields.id, fields.source, fields.reference)
    rest = {key: value for key, value in record.items() if key not in taken}
    return Item(id=item_id, source=record[fields.source], reference=reference, fields=rest)


def detect_format(path: Path) -> str:
    """``jsonl``, ``conllu`` or ``text`` from the name, a ``.gz`` suffix looked through (``x.jsonl.gz``)."""
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    last = suffixes[-1] if suffixes else ""
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".conllu": "conllu"}.get(last, "text")


def read_input(path: Path, fmt: str = "auto", fields: Fields = Fields()) -> list[Item]:
    """Read ``path`` as text, JSONL or CoNLL-U (``auto``: by its name, through ``.gz``), gzip or not."""
    if fmt not in FORMATS:
        raise InputError(f"unknown input format {fmt!r}; known: {', '.join(FORMATS)}")
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt == "jsonl":
        return read_jsonl(path, fields)
    if fmt == "conllu":
        return read_conllu(path)
    return read_text(path)


def attach_references(items: list[Item], path: Path) -> list[Item]:
    """Pair items with the lines of a reference file (a Flores-style aligned pair)."""
    references = [text for _, text in _lines(path)]
    if len(references) != len(items):
        raise InputError(f"{path} has {len(references)} lines but the input has {len(items)} items: "
                         "a Flores-style pair must be aligned line by line")
    return [Item(item.id, item.source, reference, item.fields) for item, reference in zip(items, references)]


def _flores_candidates(folder: Path, split: str, code: str) -> list[Path]:
    """Where a FLORES-200 file can be: OPUS-MT-testsets (``dev.eng_Latn``) or the official ``dev/eng_Latn.dev``."""
    names = [folder / f"{split}.{code}", folder / split / f"{code}.{split}"]
    return [candidate for name in names for candidate in (name, name.with_name(name.name + ".gz"))]


def flores_files(folder: Path, split: str, src: str, tgt: str) -> tuple[Path, Path]:
    """The source and reference files of a FLORES-200 folder, in either layout (found by looking).

    The official release has ``DIR/dev/eng_Latn.dev`` and ``DIR/devtest/...``; the
    OPUS-MT-testsets copy (shared/data/flores) has ``DIR/dev.eng_Latn``. Either may be gzip.
    """
    found = []
    for code in (src, tgt):
        present = [path for path in _flores_candidates(folder, split, code) if path.is_file()]
        if not present:
            raise InputError(f"Flores file not found: {folder / f'{split}.{code}'} (nor {split}/{code}.{split}, "
                             f"the official layout); present: {_flores_present(folder, split)}")
        found.append(present[0])
    return found[0], found[1]


def _flores_present(folder: Path, split: str) -> str:
    if not folder.is_dir():
        return f"none ({folder} is not a folder)"
    names = sorted(p.name for p in folder.glob(f"{split}.*")) + sorted(
        f"{split}/{p.name}" for p in (folder / split).glob("*") if (folder / split).is_dir())
    splits = sorted(p.name for p in folder.iterdir() if p.is_dir())
    shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
    return (shown or "none") + (f" (split folders: {', '.join(splits)})" if splits and not names else "")


def read_conllu(path: Path) -> list[Item]:
    """Universal Dependencies CoNLL-U: one item per sentence, with ``words`` and gold ``upos`` fields.

    Multi-word token lines (``3-4``) and empty nodes (``5.1``) are skipped: the
    syntactic words carry the tags. HTML entities in the text (``&#39;``) are decoded.
    """
    return _conllu_items(_lines(path), str(path))


def _conllu_items(lines: Sequence[tuple[int, str]], name: str) -> list[Item]:
    import html

    items: list[Item] = []
    words: list[str] = []
    tags: list[str] = []
    sentence_id, text = None, None
    for number, line in lines:
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
            raise InputError(f"{name}:{number}: a CoNLL-U token line has 10 tab-separated columns, got {len(columns)}")
        if "-" in columns[0] or "." in columns[0]:
            continue
        words.append(html.unescape(columns[1]))
        tags.append(columns[3])
    if words:
        items.append(Item(sentence_id or str(len(items) + 1), text or " ".join(words),
                          fields={"words": words, "upos": tags}))
    return items


DATASET_SUFFIXES = {".parquet": "parquet", ".arrow": "arrow", ".jsonl": "json", ".json": "json", ".csv": "csv"}


def read_dataset(source: str, split: str, fields: Fields = Fields()) -> list[Item]:
    """Items from a Hugging Face dataset: a ``save_to_disk`` folder, parquet/arrow/JSON/CSV files, or a hub name.

    Needs the ``datasets`` extra (``pip install 'pretty-framework[datasets]'``);
    a hub name needs the network (or the local hub cache). Fields map as for JSONL.
    """
    try:
        import datasets
    except ImportError:
        raise InputError(f"reading the dataset {source!r} needs the datasets extra: "
                         "pip install 'pretty-framework[datasets]'") from None
    path = Path(source)
    try:
        if path.is_dir() and any((path / name).is_file() for name in ("dataset_info.json", "dataset_dict.json")):
            loaded = datasets.load_from_disk(str(path))  # what Dataset(Dict).save_to_disk wrote
            rows = loaded[split] if isinstance(loaded, datasets.DatasetDict) else loaded
        elif path.is_file():
            rows = datasets.load_dataset(_dataset_kind(path), data_files={split: str(path)}, split=split)
        else:  # a folder of data files, or a hub name
            rows = datasets.load_dataset(source, split=split)
    except (KeyError, ValueError) as error:
        raise InputError(f"dataset {source!r}: {error}") from None
    except (FileNotFoundError, ConnectionError, OSError) as error:
        raise InputError(f"dataset {source!r} cannot be read: {error}") from None
    seen: dict[str, int] = {}
    return [_record_item(dict(row), f"{source}[{split}] row {index}", str(index), fields, seen, index)
            for index, row in enumerate(rows, start=1)]


def _dataset_kind(path: Path) -> str:
    suffix = next((s.lower() for s in reversed(path.suffixes) if s.lower() != ".gz"), "")
    if suffix not in DATASET_SUFFIXES:
        raise InputError(f"{path}: a dataset file is .parquet, .arrow, .jsonl, .json or .csv (got {suffix or 'none'})")
    return DATASET_SUFFIXES[suffix]
