"""Language codes: one canonical code per language, many accepted spellings, any language a team brings.

The canonical code is the FLORES-200 code (``deu_Latn``): it carries the script,
which ISO 639-1 does not (Chinese in Simplified vs Traditional script). The 204
FLORES-200 languages ship as data (``flores200.tsv`` beside this module), so they
work offline and out of the box. Users may write ISO 639-1 (``de``), ISO 639-3
(``deu``), the FLORES code, a BCP-47 tag (``zh-Hans``, ``pt-BR``), a PanLex
variety (``eng-000``) or an English name; all map here. A valid code outside
FLORES-200 (``nds``, ``sr-Latn``) is resolved with ``langcodes`` (its names come
from the ``language_data`` package, offline) into ``iso3_Script``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pretty_framework.errors import UnknownNameError

#: Scripts written without spaces between words: look-ups segment them by maximum matching.
UNSPACED_SCRIPTS = frozenset({"Hans", "Hant", "Hani", "Jpan", "Hira", "Kana", "Thai", "Laoo", "Khmr", "Mymr"})


@dataclass(frozen=True)
class Language:
    """One language: its canonical code (FLORES-200 style), ISO codes and English name."""

    code: str  # FLORES-200, e.g. "deu_Latn"; iso3_Script for a language outside FLORES-200
    iso1: str | None  # ISO 639-1, e.g. "de"
    iso3: str  # ISO 639-3, e.g. "deu" (the individual language FLORES uses: "arb", "swh")
    name: str  # English name, as the paper's prompts use it

    @property
    def script(self) -> str:
        """The ISO 15924 script code (``Latn``, ``Hans``, ``Ethi``)."""
        return self.code.split("_", 1)[1]

    @property
    def spaced(self) -> bool:
        """Whether the script separates words with spaces (not Chinese, Japanese, Thai, Lao, Khmer, Burmese)."""
        return self.script not in UNSPACED_SCRIPTS

    @property
    def flores200(self) -> bool:
        """Whether the language is one of the 204 FLORES-200 languages."""
        return self.code in _flores_codes()


# Spellings the codes, ISO 639-1 codes and names in flores200.tsv do not cover: ISO 639-2/B codes,
# macrolanguages and their ISO 639-1 codes (FLORES names the individual language: arb, swh, pes),
# and the BCP-47 tags in common use for Chinese.
_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "arb_Arab": ("ara",),
    "ces_Latn": ("cze",),
    "deu_Latn": ("ger",),
    "ell_Grek": ("gre",),
    "est_Latn": ("ekk",),
    "eus_Latn": ("baq",),
    "fra_Latn": ("fre",),
    "heb_Hebr": ("iw",),
    "isl_Latn": ("ice",),
    "kat_Geor": ("geo",),
    "nld_Latn": ("dut",),
    "nob_Latn": ("no", "nor"),
    "pes_Arab": ("fas", "per"),
    "ron_Latn": ("rum",),
    "slk_Latn": ("slo",),
    "swh_Latn": ("swa",),
    "zho_Hans": ("cmn", "zho", "chi", "cmn_Hans", "zh-cn", "zh-hans", "zh-sg"),
    "zho_Hant": ("cmn_Hant", "zh-tw", "zh-hant", "zh-hk"),
    "zsm_Latn": ("msa", "may"),
    "lvs_Latn": ("lav",),
    "als_Latn": ("sqi", "alb"),
    "uzn_Latn": ("uzb",),
    "pbt_Arab": ("pus",),
    "khk_Cyrl": ("mon",),
    "npi_Deva": ("nep",),
    "ory_Orya": ("ori",),
    "gaz_Latn": ("orm",),
    "quy_Latn": ("que",),
    "kmr_Latn": ("kur",),
    "plt_Latn": ("mlg",),
    "azj_Latn": ("aze",),
    "ydd_Hebr": ("yid",),
    "knc_Latn": ("kau",),
    "fuv_Latn": ("ful",),
    "dik_Latn": ("din",),
    "taq_Latn": ("tmh",),
    "tgl_Latn": ("fil",),  # langcodes folds tl into fil; FLORES calls it Tagalog
    "grn_Latn": ("gug",),
    "sat_Beng": ("sat_Olck",),  # FLORES-200's Santali text is in Ol Chiki, under the code sat_Beng
}

# A bare ISO 639-3 code of a language FLORES-200 has in two scripts means this one.
_DEFAULT_SCRIPT = {"ace": "ace_Latn", "arb": "arb_Arab", "bjn": "bjn_Latn", "kas": "kas_Arab", "knc": "knc_Latn",
                   "min": "min_Latn", "taq": "taq_Latn", "zho": "zho_Hans"}

# Codes that name no language ("undetermined", "multiple", "no linguistic content").
_NOT_LANGUAGES = frozenset({"und", "mis", "mul", "zxx"})


@cache
def _flores() -> tuple[Language, ...]:
    text = resources.files("pretty_framework").joinpath("flores200.tsv").read_text(encoding="utf-8")
    languages = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, iso1, name = line.split("\t")
        languages.append(Language(code=code, iso1=None if iso1 == "-" else iso1, iso3=code.split("_")[0], name=name))
    return tuple(languages)


@cache
def _flores_codes() -> frozenset[str]:
    return frozenset(language.code for language in _flores())


def __getattr__(name: str):
    # LANGUAGES is read from the data file on first use, not at import time.
    if name in ("LANGUAGES", "FLORES200"):
        return _flores()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _key(text: str) -> str:
    return text.strip().lower().replace(" ", "")


@cache
def _aliases() -> dict[str, Language]:
    by_code = {language.code: language for language in _flores()}
    table: dict[str, Language] = {}
    for language in _flores():
        table.setdefault(language.code.lower(), language)
    for iso3, code in _DEFAULT_SCRIPT.items():
        table[iso3] = by_code[code]
    for code, extra in _EXTRA_ALIASES.items():
        for spelling in extra:
            table.setdefault(_key(spelling), by_code[code])
    for language in _flores():
        # First entry wins: "zho" means Simplified Chinese, not Traditional.
        for spelling in (language.iso3, language.iso1, language.name):
            if spelling:
                table.setdefault(_key(spelling), language)
    return table


def _candidates(text: str) -> list[str]:
    """Spellings to try for a user's code, most specific first."""
    lowered = _key(text)
    tried = [lowered, lowered.replace("-", "_"), lowered.replace("_", "-")]
    # PanLex varieties ("eng-000") and BCP-47 regions ("pt-br", "es-419") fall back to the bare language.
    # Anything else is never dropped: a script ("zh-hant-tw") would change the language asked for, and
    # a misspelt one ("ibo_ltn") must not pass for the language without it.
    first, *rest = re.split(r"[-_]", lowered)
    if rest and all(re.fullmatch(r"[a-z]{2}|\d{3}", part) for part in rest):
        tried.append(first)
    return tried


@cache
def _from_tag(text: str) -> Language | None:
    """A valid BCP-47 / ISO 639 code (or an English name) outside our table, through langcodes; None otherwise."""
    import langcodes

    tag = text.strip().replace("_", "-")
    if not langcodes.tag_is_valid(tag) and re.fullmatch(r"[A-Za-z][A-Za-z '()-]{3,}", text.strip()):
        try:  # an English name: "Quechua", "Low German"
            tag = langcodes.find(text.strip(), language="en").to_tag()
        except LookupError:
            return None
        return resolve_language(tag)
    try:
        parsed = langcodes.Language.get(tag)
        # An extlang ('ibo-ltn' parses as one) is almost always a misspelt script: refuse it.
        if not parsed.language or parsed.language in _NOT_LANGUAGES or parsed.extlangs or not parsed.is_valid():
            return None
        iso3 = parsed.to_alpha3()
        script = parsed.script or parsed.maximize().script or "Zyyy"  # Zyyy: undetermined script
        name = parsed.language_name("en")
    except (ValueError, LookupError):  # LanguageTagError is a ValueError
        return None
    if iso3 in _NOT_LANGUAGES or iso3.startswith("q") and "qaa" <= iso3 <= "qtz" or name.startswith("Unknown"):
        return None
    code = f"{iso3}_{script}"
    if code in _flores_codes():  # "ibo-Latn-NG"
        return _aliases()[code.lower()]
    known = _aliases().get(iso3) or _aliases().get(parsed.language)
    if known is not None and known.script == script:  # a macrolanguage: "sw-KE" is swh_Latn
        return known
    return Language(code=code, iso1=parsed.language if len(parsed.language) == 2 else None, iso3=iso3, name=name)


class UnknownLanguageError(UnknownNameError):
    """A language code that names no language; the message suggests close codes and the accepted forms."""

    def __init__(self, code: str):
        super().__init__("language", code, [lang.code for lang in _flores()] + [lang.iso1 for lang in _flores()
                                                                                 if lang.iso1])
        spellings = {lang.code.casefold(): lang.code for lang in _flores()}
        spellings |= {_key(lang.name): lang.name for lang in _flores()}
        spellings |= {lang.iso1: lang.iso1 for lang in _flores() if lang.iso1}
        close = difflib.get_close_matches(_key(str(code)), list(spellings), n=3, cutoff=0.7)
        hint = f" (did you mean {', '.join(repr(spellings[c]) for c in close)}?)" if close else ""
        self.args = (f"unknown language {code!r}{hint}; give a FLORES-200 code (eng_Latn, ibo_Latn), an ISO 639-1 "
                     "or 639-3 code (en, eng) or a BCP-47 tag (pt-BR, sr-Latn); `pretty languages` lists the "
                     "FLORES-200 ones",)


def resolve_language(code: str) -> Language:
    """Return the :class:`Language` for any accepted spelling of ``code``.

    Raises :class:`UnknownNameError` (an :class:`UnknownLanguageError`) with close
    matches and the accepted forms when ``code`` names no language.
    """
    aliases = _aliases()
    for candidate in _candidates(str(code)):
        if candidate in aliases:
            return aliases[candidate]
    found = _from_tag(str(code)) if str(code).strip() else None
    if found is None:
        raise UnknownLanguageError(code)
    return found


def normalize_language(code: str) -> str:
    """Return the canonical FLORES-200 code for any accepted spelling of ``code``."""
    return resolve_language(code).code


def language_name(code: str) -> str:
    """Return the English name of a language, as prompts write it."""
    return resolve_language(code).name


def flores_languages() -> tuple[Language, ...]:
    """The 204 FLORES-200 languages, in the order of the FLORES-200 list."""
    return _flores()
