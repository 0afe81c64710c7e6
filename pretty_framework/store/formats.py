"""Dictionary file formats: each importer turns a file into translation pairs.

Importers are registered through the ``register_dictionary_formats`` hook, so a
plugin can add a format. An importer yields :class:`Pair` for every usable pair
and :class:`BadLine` for every malformed line; the store decides whether a bad
line stops the import (the default) or is skipped (``--skip-bad``).
"""

from __future__ import annotations

import abc
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, NamedTuple

from pretty_framework.errors import InputError, UnknownNameError
from pretty_framework.io.inputs import utf8_lines
from pretty_framework.languages import resolve_language
from pretty_framework.store.normalize import clean_word


class Pair(NamedTuple):
    """One translation pair read from a file (a tuple: imports make a hundred thousand of them)."""

    source_word: str
    target_word: str
    rank: int | None = None  # 1 = the file's first translation of this source word
    pos: str | None = None


@dataclass(frozen=True)
class BadLine:
    """A line that could not be read, and why."""

    line: int
    reason: str


Record = Pair | BadLine


class DictionaryFormat(abc.ABC):
    """Base of importers: ``name`` is the ``--format`` value, ``resource`` the source family."""

    name: ClassVar[str]
    resource: ClassVar[str]  # muse, wiktionary, panlex, user
    description: ClassVar[str] = ""

    @abc.abstractmethod
    def read(self, path: Path, src: str, tgt: str) -> Iterator[Record]:
        """Yield the pairs for ``src`` -> ``tgt`` (FLORES codes) found in ``path``."""


def text_lines(path: Path) -> Iterator[tuple[int, str | None]]:
    """(line number, text) of a UTF-8 dictionary file; text is None for a line that is not UTF-8."""
    return utf8_lines(path, what="dictionary file")


NOT_UTF8 = "not valid UTF-8 (convert the file to UTF-8)"


class _ColumnsFormat(DictionaryFormat):
    """Two columns per line; the rank is the position among lines with the same source word."""

    separator: ClassVar[str | None]  # None: any whitespace
    comments: ClassVar[bool] = False  # '#' lines are comments (MUSE has real words such as '#the')
    with_pos: ClassVar[bool] = False  # a third column holds the part of speech

    def read(self, path: Path, src: str, tgt: str) -> Iterator[Record]:
        previous, rank = None, 0
        for number, text in text_lines(path):
            if text is None:
                yield BadLine(number, NOT_UTF8)
                continue
            if not text.strip() or (self.comments and text.startswith("#")):
                continue
            fields = text.split(self.separator) if self.separator else text.split()
            fields = [field.strip() for field in fields]
            if len(fields) not in ((2, 3) if self.with_pos else (2,)) or not all(fields[:2]):
                yield BadLine(number, f"expected 'source{self._shown()}target', got {text!r}")
                continue
            source, target = clean_word(fields[0]), clean_word(fields[1])
            rank = rank + 1 if source == previous else 1
            previous = source
            yield Pair(source, target, rank, fields[2] if len(fields) == 3 else None)

    def _shown(self) -> str:
        return "<TAB>" if self.separator == "\t" else " "


class MuseFormat(_ColumnsFormat):
    name = "muse"
    resource = "muse"
    description = "MUSE bilingual dictionary: 'source target' per line, tab or space"
    separator = None


class TsvFormat(_ColumnsFormat):
    name = "tsv"
    resource = "user"
    description = "plain TSV: source<TAB>target[<TAB>UPOS], '#' comments"
    separator = "\t"
    comments = True
    with_pos = True


class PanlexBliFormat(_ColumnsFormat):
    name = "panlex-bli"
    resource = "panlex"
    description = "PanLex-BLI lexicon: source<TAB>target"
    separator = "\t"


WIKTIONARY_POS = {"noun": "NOUN", "verb": "VERB", "adj": "ADJ", "adv": "ADV", "name": "PROPN", "pron": "PRON",
                  "prep": "ADP", "conj": "CCONJ", "det": "DET", "num": "NUM", "intj": "INTJ", "particle": "PART"}


class WiktionaryFormat(DictionaryFormat):
    """wiktextract/kaikki JSONL: translations on the entry or on its senses."""

    name = "wiktionary"
    resource = "wiktionary"
    description = "Wiktionary as kaikki.org/wiktextract JSONL (translations of source-language words)"

    def read(self, path: Path, src: str, tgt: str) -> Iterator[Record]:
        for number, text in text_lines(path):
            if text is None:
                yield BadLine(number, NOT_UTF8)
                continue
            if not text.strip():
                continue
            try:
                entry = json.loads(text)
            except json.JSONDecodeError as error:
                yield BadLine(number, f"invalid JSON: {error.msg}")
                continue
            if not isinstance(entry, dict) or not isinstance(entry.get("word"), str):
                yield BadLine(number, "expected a JSON object with a 'word'")
                continue
            if _code(entry) != src:
                continue
            yield from self._pairs(entry, tgt)

    def _pairs(self, entry: dict, tgt: str) -> Iterator[Pair]:
        translations = list(entry.get("translations") or [])
        for sense in entry.get("senses") or []:
            translations.extend(sense.get("translations") or [])
        source = clean_word(entry["word"])
        pos = WIKTIONARY_POS.get(str(entry.get("pos", "")))
        rank, seen = 0, set()
        for translation in translations:
            if not isinstance(translation, dict) or _code(translation) != tgt:
                continue
            target = _target_form(str(translation.get("word", "")), tgt)
            if target and target not in seen:
                seen.add(target)
                rank += 1
                yield Pair(source, target, rank, pos)


def _code(record: dict) -> str | None:
    """The FLORES code of a kaikki record's language (``lang_code`` or ``code``), None if unknown."""
    code = record.get("lang_code") or record.get("code")
    if not isinstance(code, str):
        return None
    try:
        return resolve_language(code).code  # "cmn" -> zho_Hans
    except UnknownNameError:
        return None  # Wiktionary has thousands of languages; ours are a subset


def _target_form(word: str, tgt: str) -> str:
    """'帶來 /带来' -> the simplified form for zho_Hans; 'participer (à)' -> 'participer'."""
    if " /" in word:
        traditional, _, simplified = word.partition(" /")
        word = simplified if tgt == "zho_Hans" else traditional
    if "(" in word:
        word = word.split("(", 1)[0]
    return clean_word(word)


class PanlexCsvFormat(DictionaryFormat):
    """The PanLex CSV dump: a folder with langvar.csv, expr.csv and denotation.csv.

    Two expressions that denote the same meaning are a translation pair. A
    language variety is ``lang_code-var_code`` (``eng-000``).
    """

    name = "panlex-csv"
    resource = "panlex"
    description = "PanLex CSV dump folder (langvar.csv, expr.csv, denotation.csv)"

    def read(self, path: Path, src: str, tgt: str) -> Iterator[Record]:
        varieties = {row["id"]: row["lang_code"] for row in self._rows(path / "langvar.csv")}
        wanted = {vid for vid, code in varieties.items() if _flores_or_none(code) in (src, tgt)}
        expressions: dict[str, tuple[str, str]] = {}  # expr id -> (flores code, text)
        for row in self._rows(path / "expr.csv"):
            if row["langvar"] in wanted:
                expressions[row["id"]] = (_flores_or_none(varieties[row["langvar"]]) or "", row["txt"])
        meanings: dict[str, dict[str, list[str]]] = {}
        for row in self._rows(path / "denotation.csv"):
            if row["expr"] in expressions:
                code, text = expressions[row["expr"]]
                meanings.setdefault(row["meaning"], {}).setdefault(code, []).append(text)
        for by_language in meanings.values():
            for rank, target in enumerate(by_language.get(tgt, []), start=1):
                for source in by_language.get(src, []):
                    yield Pair(clean_word(source), clean_word(target), rank)

    @staticmethod
    def _rows(path: Path) -> Iterator[dict[str, str]]:
        if not path.is_file():
            raise InputError(f"PanLex CSV dump is missing {path.name} in {path.parent}")
        with path.open(encoding="utf-8", newline="") as handle:
            yield from csv.DictReader(handle)


def _flores_or_none(code: str) -> str | None:
    try:
        return resolve_language(code).code
    except UnknownNameError:
        return None


BUILTIN_FORMATS = (MuseFormat, WiktionaryFormat, PanlexBliFormat, PanlexCsvFormat, TsvFormat)
