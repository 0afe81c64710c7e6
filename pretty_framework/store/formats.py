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
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, NamedTuple

from pretty_framework.errors import InputError, UnknownNameError
from pretty_framework.languages import resolve_language
from pretty_framework.store.normalize import clean_word
from pretty_framework.store.textfile import text_lines


class Pair(NamedTuple):
    """One translation pair read from a file (a tuple: imports make a hundred thousand of them)."""

    source_word: str
    target_word: str
    rank: int | None = None  # 1 = the file's first translation of this source word
    pos: str | None = None


@dataclass(frozen=True)
class BadLine:
    """A line that could not be read, and why; ``file`` names it when the source is a folder of files."""

    line: int
    reason: str
    file: str | None = None


Record = Pair | BadLine


class DictionaryFormat(abc.ABC):
    """Base of importers: ``name`` is the ``--format`` value, ``resource`` the source family."""

    name: ClassVar[str]
    resource: ClassVar[str]  # muse, wiktionary, panlex, user
    description: ClassVar[str] = ""

    @abc.abstractmethod
    def read(self, path: Path, src: str, tgt: str) -> Iterator[Record]:
        """Yield the pairs for ``src`` -> ``tgt`` (FLORES codes) found in ``path``."""

    def why_empty(self) -> str | None:
        """Why the last :meth:`read` found no pair, in words a user can act on; None: nothing to add.

        The store calls it when an import would import nothing (the file's
        entries are in other languages, say), to put it in the error message.
        """
        return None


NOT_UTF8 = "not valid UTF-8 (convert the file to UTF-8)"
# Universal Dependencies part-of-speech tags: what the store keeps (the controls look words up by them).
UPOS = frozenset({"ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN",
                  "PUNCT", "SCONJ", "SYM", "VERB", "X"})


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
            pos = fields[2].upper() if len(fields) == 3 and fields[2] else None
            if pos is not None and pos not in UPOS:
                yield BadLine(number, f"unknown part of speech {fields[2]!r} in the third column "
                                      f"(a UPOS tag: {', '.join(sorted(UPOS))})")
                continue
            source, target = clean_word(fields[0]), clean_word(fields[1])
            rank = rank + 1 if source == previous else 1
            previous = source
            yield Pair(source, target, rank, pos)

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

    def __init__(self) -> None:
        # What the last read saw, for why_empty: the languages of entries and of their translations.
        self._src, self._tgt = "", ""
        self._entry_languages: Counter[str | None] = Counter()
        self._translation_languages: Counter[str | None] = Counter()

    def read(self, path: Path, src: str, tgt: str) -> Iterator[Record]:
        self._src, self._tgt = src, tgt
        self._entry_languages.clear()
        self._translation_languages.clear()
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
            except RecursionError:
                yield BadLine(number, "invalid JSON: nested too deeply")
                continue
            if not isinstance(entry, dict) or not isinstance(entry.get("word"), str):
                yield BadLine(number, "expected a JSON object with a 'word'")
                continue
            code = _code(entry)
            self._entry_languages[code] += 1
            if code != src:
                continue
            translations = _translations(entry)
            if isinstance(translations, str):
                yield BadLine(number, translations)
                continue
            yield from self._pairs(entry, translations, tgt)

    def _pairs(self, entry: dict, translations: list, tgt: str) -> Iterator[Pair]:
        source = clean_word(entry["word"])
        pos = WIKTIONARY_POS.get(str(entry.get("pos", "")))
        rank, seen = 0, set()
        for translation in translations:
            if not isinstance(translation, dict):
                continue
            code = _code(translation)
            self._translation_languages[code] += 1
            if code != tgt:
                continue
            target = _target_form(str(translation.get("word", "")), tgt)
            if target and target not in seen:
                seen.add(target)
                rank += 1
                yield Pair(source, target, rank, pos)

    def why_empty(self) -> str | None:
        if not self._entry_languages:
            return None
        if not self._entry_languages[self._src]:
            return f"no entry is in {self._src} (the file's entries are in: {_languages(self._entry_languages)})"
        found = f"its {self._entry_languages[self._src]} {self._src} entries have no translation into {self._tgt}"
        if not self._translation_languages:
            return found + " (they have no translations at all)"
        return found + f" (their translations are into: {_languages(self._translation_languages)})"


def _translations(entry: dict) -> list | str:
    """The translations of a kaikki entry and of its senses; a string says why the entry is malformed."""
    translations = entry.get("translations") or []
    senses = entry.get("senses") or []
    if not isinstance(translations, list) or not isinstance(senses, list):
        return "expected 'translations' and 'senses' to be JSON arrays"
    translations = list(translations)
    for sense in senses:
        sense_translations = sense.get("translations") or [] if isinstance(sense, dict) else None
        if not isinstance(sense_translations, list):
            return "expected each sense to be an object whose 'translations' is an array"
        translations.extend(sense_translations)
    return translations


def _languages(counts: Counter[str | None], shown: int = 6) -> str:
    """'fra_Latn (120), deu_Latn (80), ...' with languages we do not know counted together."""
    known = [(code, n) for code, n in counts.most_common() if code is not None]
    listed = ", ".join(f"{code} ({n})" for code, n in known[:shown])
    if len(known) > shown:
        listed += f" and {len(known) - shown} more"
    if counts[None]:
        listed += ("; " if listed else "") + f"{counts[None]} in languages pretty does not know"
    return listed


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
        if not path.is_dir():
            raise InputError(f"{path}: the panlex-csv format reads a folder holding langvar.csv, expr.csv and "
                             "denotation.csv, not a file")
        varieties: dict[str, str] = {}
        for row in _csv_rows(path / "langvar.csv", ("id", "lang_code")):
            if isinstance(row, BadLine):
                yield row
            else:
                varieties[row["id"]] = row["lang_code"]
        wanted = {vid for vid, code in varieties.items() if _flores_or_none(code) in (src, tgt)}
        expressions: dict[str, tuple[str, str]] = {}  # expr id -> (flores code, text)
        for row in _csv_rows(path / "expr.csv", ("id", "langvar", "txt")):
            if isinstance(row, BadLine):
                yield row
            elif row["langvar"] in wanted:
                expressions[row["id"]] = (_flores_or_none(varieties[row["langvar"]]) or "", row["txt"])
        meanings: dict[str, dict[str, list[str]]] = {}
        for row in _csv_rows(path / "denotation.csv", ("meaning", "expr")):
            if isinstance(row, BadLine):
                yield row
            elif row["expr"] in expressions:
                code, text = expressions[row["expr"]]
                meanings.setdefault(row["meaning"], {}).setdefault(code, []).append(text)
        for by_language in meanings.values():
            for rank, target in enumerate(by_language.get(tgt, []), start=1):
                for source in by_language.get(src, []):
                    yield Pair(clean_word(source), clean_word(target), rank)


def _csv_rows(path: Path, columns: tuple[str, ...]) -> Iterator[dict[str, str] | BadLine]:
    """The rows of one CSV file of the dump, or a :class:`BadLine` for a row that cannot be used."""
    if not path.is_file():
        raise InputError(f"PanLex CSV dump is missing {path.name} in {path.parent}")
    # surrogateescape: a non-UTF-8 byte becomes a lone surrogate, caught per row below, so one bad
    # row is a bad line and not the end of the read.
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames
        except csv.Error as error:
            raise InputError(f"{path}:1: not a CSV header ({error})") from None
        missing = [column for column in columns if column not in (header or [])]
        if missing:
            raise InputError(f"{path}:1: expected the columns {', '.join(columns)} in the first line, "
                             f"found {header or 'nothing'!r}")
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield BadLine(reader.line_num, f"not a CSV row ({error})", str(path))
                continue
            values = [row.get(column) for column in columns]
            if any(value is None for value in values):
                yield BadLine(reader.line_num, f"expected a value in each of {', '.join(columns)}", str(path))
            elif any(_has_surrogate(value) for value in values):
                yield BadLine(reader.line_num, NOT_UTF8, str(path))
            else:
                yield row


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


def _flores_or_none(code: str) -> str | None:
    try:
        return resolve_language(code).code
    except UnknownNameError:
        return None


BUILTIN_FORMATS = (MuseFormat, WiktionaryFormat, PanlexBliFormat, PanlexCsvFormat, TsvFormat)
