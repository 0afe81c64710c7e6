"""Importers for the low-resource word lists in ``shared/data/lowres`` (its README describes each format).

Every list pairs one language with English, in one direction; an import in the
other direction reverses it (``--src en --tgt sw`` of a Swahili->English list).
The file name's ``<xx>-<yy>.`` prefix, where there is one, is checked against
the languages asked for, so an en-zu list cannot be imported as en-ha. Words are
kept as written (NFC, tone marks and all): matching them against text that
writes fewer marks is the look-up's job (tone folding, per language).
"""

from __future__ import annotations

import csv
import html
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from pretty_framework.api import (
    BadLine,
    DictionaryFormat,
    InputError,
    Pair,
    PrettyError,
    dictionary_lines,
    resolve_language,
)

ENGLISH = "eng_Latn"
# Tone and length marks (grave, acute, circumflex, tilde, macron, caron): spellings differ in them.
_TONE_MARKS = dict.fromkeys(map(ord, "\u0300\u0301\u0302\u0303\u0304\u030c"))
_TAG = re.compile(r"<[^>]+>")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_ARTICLE = re.compile(r"^(?:to|a|an|the)\s+", re.IGNORECASE)
_CROSS_REFERENCE = re.compile(r"^(?:see|cf\.?|alternative (?:form|spelling) of|plural of|synonym of)\b",
                              re.IGNORECASE)
_WIKTIONARY_POS = {"noun": "NOUN", "verb": "VERB", "adjective": "ADJ", "adverb": "ADV", "name": "PROPN",
                   "pronoun": "PRON", "preposition": "ADP", "conjunction": "CCONJ", "determiner": "DET",
                   "numeral": "NUM", "interjection": "INTJ", "particle": "PART"}
_IGBO_POS = {"AV": "VERB", "MV": "VERB", "PV": "VERB", "NNC": "NOUN", "NNP": "PROPN", "ADJ": "ADJ", "ADV": "ADV",
             "PRN": "PRON", "DEM": "DET", "CD": "NUM"}
MAX_GLOSS_WORDS = 3  # a longer English gloss is a definition, not a translation a prior can use


def fold_tones(word: str) -> str:
    """``word`` without tone and length marks; under-dots (ẹ, ọ, ụ) are letters and stay."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", word).translate(_TONE_MARKS))


def _nfc(word: str) -> str:
    return unicodedata.normalize("NFC", word).strip()


def _whole_json(path: Path) -> object:
    """A file that is one JSON document, or one :class:`InputError` naming the file and where it breaks."""
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise InputError(f"dictionary file not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"dictionary file is a folder, not a file: {path}") from None
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not valid UTF-8 at byte {error.start}; convert the file to UTF-8") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{path}:{error.lineno}: invalid JSON at column {error.colno}: {error.msg}") from None


class _EnglishListFormat(DictionaryFormat):
    """A list that pairs one language with English; ``english_first`` says which column is English."""

    english_first: ClassVar[bool]

    def _other(self, path: Path, src: str, tgt: str) -> tuple[str, bool]:
        """The non-English language and whether the import runs from English (reverse of the file, or not)."""
        if ENGLISH not in (src, tgt) or src == tgt:
            raise InputError(f"{path}: the {self.name} format pairs a language with English; give --src en or "
                             f"--tgt en (asked for {src} -> {tgt})")
        other = tgt if src == ENGLISH else src
        prefix = re.match(r"([A-Za-z]{2,3})-([A-Za-z]{2,3})\.", path.name)
        if prefix:
            named = set()
            for code in prefix.groups():
                try:
                    named.add(resolve_language(code).code)
                except PrettyError:  # a prefix that is no language code says nothing
                    named = set()
                    break
            if named and named != {ENGLISH, other}:
                raise InputError(f"{path}: the file name says it pairs {' and '.join(sorted(named))}, not "
                                 f"{other} and English; give the languages of the file with --src/--tgt")
        return other, src == ENGLISH

    def _pair(self, foreign: str, english: str, from_english: bool, rank: int, pos: str | None = None) -> Pair:
        return Pair(english, foreign, rank, pos) if from_english else Pair(foreign, english, rank, pos)


def _english_glosses(text: str) -> list[str]:
    """Usable English translations in one gloss: no labels, no cross-references, short.

    A gloss that is a list of short synonyms ("work, job") gives each; a longer
    definition ("the orisha of motherhood, water and the sea") gives none: its
    pieces are fragments, not translations ("water" is not Yemọja).
    """
    text = _PARENTHESES.sub("", html.unescape(_TAG.sub("", text))).strip().rstrip(".")
    parts = [_ARTICLE.sub("", part.strip().rstrip(".").strip()) for part in re.split(r"[;,]", text)]
    parts = [part for part in parts if part and not _CROSS_REFERENCE.match(part)]
    if not parts or any(len(part.split()) > MAX_GLOSS_WORDS for part in parts):
        return []
    return parts


class WiktionaryBliFormat(_EnglishListFormat):
    """``<word><TAB><English word>``: the Wiktionary BLI lists (sw-en, yo-en)."""

    name = "wiktionary-bli"
    resource = "wiktionary"
    description = "word<TAB>English word, one pair per line (Wiktionary BLI lists, e.g. sw-en); either direction"
    english_first = False

    def read(self, path: Path, src: str, tgt: str) -> Iterator[Pair | BadLine]:
        other, from_english = self._other(path, src, tgt)
        ranks: dict[str, int] = {}
        for number, text in dictionary_lines(path):
            if text is None:
                yield BadLine(number, "not valid UTF-8 (convert the file to UTF-8)")
                continue
            if not text.strip():
                continue
            fields = [_nfc(field) for field in text.split("\t")]
            if len(fields) != 2 or not fields[0] and not fields[1]:
                yield BadLine(number, f"expected 'word<TAB>English word', got {text!r}")
                continue
            if not all(fields):
                continue  # a word without a translation (8 such lines in sw-en): nothing to import
            foreign, english = fields[::-1] if self.english_first else fields
            key = english if from_english else foreign
            ranks[key] = ranks.get(key, 0) + 1
            yield self._pair(foreign, english, from_english, ranks[key])


class VuizurWiktionaryFormat(_EnglishListFormat):
    """``<headword>[|form...]<TAB><HTML gloss>``: Vuizur's Wiktionary TSVs (yo-en, ha-en, zu-en)."""

    name = "vuizur-wiktionary"
    resource = "wiktionary"
    description = ("headword|forms<TAB>HTML gloss (Vuizur's Wiktionary TSVs); every form as a source word, "
                   "short English glosses as translations; either direction")
    english_first = False

    def read(self, path: Path, src: str, tgt: str) -> Iterator[Pair | BadLine]:
        other, from_english = self._other(path, src, tgt)
        ranks: dict[str, int] = {}
        for number, text in dictionary_lines(path):
            if text is None:
                yield BadLine(number, "not valid UTF-8 (convert the file to UTF-8)")
                continue
            if not text.strip():
                continue
            head, tab, gloss = text.partition("\t")
            forms = [_nfc(form) for form in head.split("|") if form.strip()]
            if tab and forms and not gloss.strip():
                continue  # a headword without a gloss (4 such lines in yo-en): nothing to import
            if not tab or not forms or "<li>" not in gloss:
                yield BadLine(number, "expected 'headword[|form...]<TAB><HTML gloss with <li> items>', "
                                      f"got {text[:80]!r}")
                continue
            found = re.match(r"\s*<i>([^<]*)</i>", gloss)
            pos = _WIKTIONARY_POS.get(found.group(1).strip().lower()) if found else None
            glosses = [english for item in gloss.split("<li>")[1:] for english in _english_glosses(item)]
            if pos == "PROPN" and from_english:
                continue  # a name's gloss describes it ("a unisex given name"); it translates no English word
            if from_english:
                # One spelling as the translation: the one that fits how the language's text is written.
                forms = [_written_form(forms, other)]
            for english in dict.fromkeys(glosses):
                for foreign in dict.fromkeys(forms):
                    key = english if from_english else foreign
                    ranks[key] = ranks.get(key, 0) + 1
                    yield self._pair(foreign, english, from_english, ranks[key], pos)


# FLORES-200 Yoruba writes tone marks (814 of 997 dev lines); Hausa and Zulu text does not.
_TONED_TEXT = {"yor_Latn"}


def _written_form(forms: list[str], language: str) -> str:
    """The spelling to write in ``language``'s text: the toned variant of the headword for Yoruba, else the headword."""
    if language in _TONED_TEXT:
        toned = [form for form in forms[1:] if form != forms[0] and fold_tones(form) == forms[0]]
        if toned:
            return toned[0]
    return forms[0]


class IgboApiFormat(_EnglishListFormat):
    """The Igbo API dictionary: one JSON object, headword -> entries with English ``definitions``."""

    name = "igbo-api"
    resource = "igbo-api"
    description = "Igbo API JSON (headword -> [{word, wordClass, definitions}]); either direction"
    english_first = False

    def read(self, path: Path, src: str, tgt: str) -> Iterator[Pair | BadLine]:
        other, from_english = self._other(path, src, tgt)
        document = _whole_json(path)
        if not isinstance(document, dict):
            raise InputError(f"{path}: expected one JSON object (headword -> list of entries), "
                             f"got a {type(document).__name__}")
        ranks: dict[str, int] = {}
        for index, (headword, entries) in enumerate(document.items(), start=1):
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                yield BadLine(index, f"headword {headword!r}: expected a list of entry objects")
                continue
            for entry in entries:
                definitions = entry.get("definitions") or []
                if not isinstance(definitions, list):
                    yield BadLine(index, f"headword {headword!r}: 'definitions' must be a list of strings")
                    continue
                # Verb entries are written as a bound stem ("-chọ okwu"): the hyphen is not part of the word.
                foreign = _nfc(str(entry.get("word") or headword).lstrip("-"))
                pos = _IGBO_POS.get(str(entry.get("wordClass") or ""))
                if not foreign or "/" in foreign or foreign.endswith("-"):
                    continue  # affixes ("a-", "-a/-e/-ọ/-o") are no words
                for english in [g for d in definitions if isinstance(d, str) for g in _english_glosses(d)]:
                    key = english if from_english else foreign
                    ranks[key] = ranks.get(key, 0) + 1
                    yield self._pair(foreign, english, from_english, ranks[key], pos)


class DsfsiBilexFormat(_EnglishListFormat):
    """The DSFSI English-South African lexicon: ``{"en-zul": [{"English term": ["Zulu", ...]}, ...]}``."""

    name = "dsfsi-bilex"
    resource = "dsfsi"
    description = 'DSFSI lexicon JSON ({"en-zul": [{term: [translations]}]}); either direction'
    english_first = True

    def read(self, path: Path, src: str, tgt: str) -> Iterator[Pair | BadLine]:
        other, from_english = self._other(path, src, tgt)
        document = _whole_json(path)
        members = document if isinstance(document, dict) else {}
        wanted = [key for key in members if _member_language(key) == other]
        if not wanted:
            raise InputError(f"{path}: no member for {other}; expected a key 'en-<code>' such as 'en-zul' "
                             f"(found: {', '.join(map(str, members)) or 'none'})")
        ranks: dict[str, int] = {}
        for index, item in enumerate(members[wanted[0]], start=1):
            if not isinstance(item, dict):
                yield BadLine(index, f"entry {index} of {wanted[0]!r}: expected an object {{term: [translations]}}")
                continue
            for term, translations in item.items():
                # Annotations ("(noun)") go; a term split at a comma ("consanguineous)") is a fragment.
                english = _nfc(_PARENTHESES.sub("", term))
                if not english or "(" in english or ")" in english or not isinstance(translations, list):
                    continue
                for foreign in translations:
                    foreign = _nfc(str(foreign))
                    if not foreign or foreign.upper() == "UNK":
                        continue
                    key = english if from_english else foreign
                    ranks[key] = ranks.get(key, 0) + 1
                    yield self._pair(foreign, english, from_english, ranks[key])


def _member_language(key: str) -> str | None:
    first, _, second = str(key).partition("-")
    try:
        return resolve_language(second).code if resolve_language(first).code == ENGLISH else None
    except PrettyError:
        return None


class NaijaSentiFormat(_EnglishListFormat):
    """NaijaSenti's translated sentiment lexicons: CSV ``word,...,machine_translation_updated`` (en->ha/ig/yo)."""

    name = "naijasenti"
    resource = "naijasenti"
    description = "NaijaSenti sentiment-lexicon CSV (English word -> machine_translation_updated); either direction"
    english_first = True
    columns = ("word", "machine_translation_updated")

    def read(self, path: Path, src: str, tgt: str) -> Iterator[Pair | BadLine]:
        other, from_english = self._other(path, src, tgt)
        rows = iter(dictionary_lines(path))
        number, header = next(rows, (1, ""))
        names = (header or "").split(",")
        if header is None or any(column not in names for column in self.columns):
            raise InputError(f"{path}:{number}: expected a header naming the columns {', '.join(self.columns)}, "
                             f"got {header!r}")
        word, translation = (names.index(column) for column in self.columns)
        ranks: dict[str, int] = {}
        for number, text in rows:
            if text is None:
                yield BadLine(number, "not valid UTF-8 (convert the file to UTF-8)")
                continue
            if not text.strip():
                continue
            fields = next(csv.reader([text]))
            if len(fields) != len(names):
                yield BadLine(number, f"expected {len(names)} comma-separated fields, got {len(fields)}")
                continue
            english, foreign = _nfc(fields[word]), _nfc(_unmojibake(fields[translation]))
            if not english or not foreign or foreign == "NA":
                continue
            key = english if from_english else foreign
            ranks[key] = ranks.get(key, 0) + 1
            yield self._pair(foreign, english, from_english, ranks[key])


def _unmojibake(text: str) -> str:
    """UTF-8 read as Windows-1252 ('gbahapá»¥') back to what was meant ('gbahapụ'), word by word (the
    NaijaSenti Igbo lists mix repaired and broken words); a word that does not round-trip stays as it is."""
    return " ".join(_unmojibake_word(word) for word in text.split(" "))


def _unmojibake_word(word: str) -> str:
    if not any(marker in word for marker in ("Ã", "á»", "Æ", "â€", "Ä", "Å")):
        return word
    raw = bytearray()
    for character in word:
        try:
            raw += character.encode("cp1252")
        except UnicodeEncodeError:
            if ord(character) > 0xFF:
                return word
            raw.append(ord(character))  # bytes cp1252 leaves undefined (0x8d) came through as Latin-1
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return word


LOWRES_FORMATS = (WiktionaryBliFormat, VuizurWiktionaryFormat, IgboApiFormat, DsfsiBilexFormat, NaijaSentiFormat)
