"""Language codes: one canonical code per language, many accepted spellings.

The canonical code is the FLORES-200 code (``deu_Latn``): it carries the script,
which ISO 639-1 does not (Chinese in Simplified vs Traditional script). Users may
write ISO 639-1 (``de``), ISO 639-3 (``deu``), the FLORES code, a BCP-47 tag
(``zh-Hans``, ``pt-BR``) or a PanLex variety (``eng-000``); all map here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pretty_framework.errors import UnknownNameError


@dataclass(frozen=True)
class Language:
    """One language: its canonical FLORES-200 code, ISO codes and English name."""

    code: str  # FLORES-200, e.g. "deu_Latn"
    iso1: str | None  # ISO 639-1, e.g. "de"
    iso3: str  # ISO 639-3, e.g. "deu"
    name: str  # English name, as the paper's prompts use it

    @property
    def script(self) -> str:
        return self.code.split("_", 1)[1]


# (FLORES-200 code, ISO 639-1, English name, extra aliases)
_TABLE: tuple[tuple[str, str | None, str, tuple[str, ...]], ...] = (
    ("afr_Latn", "af", "Afrikaans", ()),
    ("amh_Ethi", "am", "Amharic", ()),
    ("arb_Arab", "ar", "Arabic", ("ara",)),
    ("ben_Beng", "bn", "Bengali", ()),
    ("bul_Cyrl", "bg", "Bulgarian", ()),
    ("cat_Latn", "ca", "Catalan", ()),
    ("ces_Latn", "cs", "Czech", ("cze",)),
    ("dan_Latn", "da", "Danish", ()),
    ("deu_Latn", "de", "German", ("ger",)),
    ("ell_Grek", "el", "Greek", ("gre",)),
    ("eng_Latn", "en", "English", ()),
    ("epo_Latn", "eo", "Esperanto", ()),
    ("est_Latn", "et", "Estonian", ("ekk",)),
    ("eus_Latn", "eu", "Basque", ("baq",)),
    ("fin_Latn", "fi", "Finnish", ()),
    ("fra_Latn", "fr", "French", ("fre",)),
    ("hau_Latn", "ha", "Hausa", ()),
    ("heb_Hebr", "he", "Hebrew", ("iw",)),
    ("hin_Deva", "hi", "Hindi", ()),
    ("hrv_Latn", "hr", "Croatian", ()),
    ("hun_Latn", "hu", "Hungarian", ()),
    ("ind_Latn", "id", "Indonesian", ()),
    ("isl_Latn", "is", "Icelandic", ("ice",)),
    ("ita_Latn", "it", "Italian", ()),
    ("jpn_Jpan", "ja", "Japanese", ()),
    ("kat_Geor", "ka", "Georgian", ("geo",)),
    ("kor_Hang", "ko", "Korean", ()),
    ("lit_Latn", "lt", "Lithuanian", ()),
    ("nld_Latn", "nl", "Dutch", ("dut",)),
    ("nob_Latn", "nb", "Norwegian Bokmål", ("no", "nor")),
    ("pes_Arab", "fa", "Persian", ("fas", "per")),
    ("pol_Latn", "pl", "Polish", ()),
    ("por_Latn", "pt", "Portuguese", ()),
    ("ron_Latn", "ro", "Romanian", ("rum",)),
    ("rus_Cyrl", "ru", "Russian", ()),
    ("slk_Latn", "sk", "Slovak", ("slo",)),
    ("spa_Latn", "es", "Spanish", ()),
    ("swe_Latn", "sv", "Swedish", ()),
    ("swh_Latn", "sw", "Swahili", ("swa",)),
    ("tam_Taml", "ta", "Tamil", ()),
    ("tha_Thai", "th", "Thai", ()),
    ("tur_Latn", "tr", "Turkish", ()),
    ("ukr_Cyrl", "uk", "Ukrainian", ()),
    ("urd_Arab", "ur", "Urdu", ()),
    ("vie_Latn", "vi", "Vietnamese", ()),
    ("yor_Latn", "yo", "Yoruba", ()),
    ("zho_Hans", "zh", "Chinese", ("cmn", "zho", "chi", "cmn_Hans", "zh-cn", "zh-hans", "zh-sg")),
    ("zho_Hant", None, "Traditional Chinese", ("cmn_Hant", "zh-tw", "zh-hant", "zh-hk")),
    ("zul_Latn", "zu", "Zulu", ()),
)

LANGUAGES: tuple[Language, ...] = tuple(
    Language(code=code, iso1=iso1, iso3=code.split("_")[0], name=name) for code, iso1, name, _ in _TABLE
)


@cache
def _aliases() -> dict[str, Language]:
    table: dict[str, Language] = {}
    for language, (_, _, _, extra) in zip(LANGUAGES, _TABLE):
        spellings = [language.code, language.iso3, language.name, *extra]
        if language.iso1:
            spellings.append(language.iso1)
        for spelling in spellings:
            # First entry wins: "zho" means Simplified Chinese, not Traditional.
            table.setdefault(spelling.lower(), language)
    return table


def _candidates(text: str) -> list[str]:
    """Spellings to try for a user's code, most specific first."""
    lowered = text.strip().lower().replace(" ", "")
    tried = [lowered, lowered.replace("-", "_"), lowered.replace("_", "-")]
    # PanLex varieties ("eng-000") and BCP-47 regions ("pt-br") fall back to the bare language.
    # A script suffix ("zho_Latn") is never dropped: that would change the language asked for.
    parts = re.split(r"[-_]", lowered, maxsplit=1)
    if len(parts) == 2 and not (len(parts[1]) == 4 and parts[1].isalpha()):
        tried.append(parts[0])
    return tried


def resolve_language(code: str) -> Language:
    """Return the :class:`Language` for any accepted spelling of ``code``.

    Raises :class:`UnknownNameError` listing the valid forms when nothing matches.
    """
    aliases = _aliases()
    for candidate in _candidates(code):
        if candidate in aliases:
            return aliases[candidate]
    raise UnknownNameError(
        "language", code, [lang.code for lang in LANGUAGES] + [lang.iso1 for lang in LANGUAGES if lang.iso1]
    )


def normalize_language(code: str) -> str:
    """Return the canonical FLORES-200 code for any accepted spelling of ``code``."""
    return resolve_language(code).code


def language_name(code: str) -> str:
    """Return the English name of a language, as prompts write it."""
    return resolve_language(code).name
