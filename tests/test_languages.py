import pytest

from pretty_framework.errors import UnknownNameError
from pretty_framework.languages import (
    flores_languages,
    language_name,
    normalize_language,
    resolve_language,
)

# The 49 languages of the hand-written table the framework started with, and the names its prompts used:
# a changed name changes every prompt, and so every committed output.
PROMPT_NAMES_BEFORE = [
    ("afr_Latn", "Afrikaans"), ("amh_Ethi", "Amharic"), ("arb_Arab", "Arabic"), ("ben_Beng", "Bengali"),
    ("bul_Cyrl", "Bulgarian"), ("cat_Latn", "Catalan"), ("ces_Latn", "Czech"), ("dan_Latn", "Danish"),
    ("deu_Latn", "German"), ("ell_Grek", "Greek"), ("eng_Latn", "English"), ("epo_Latn", "Esperanto"),
    ("est_Latn", "Estonian"), ("eus_Latn", "Basque"), ("fin_Latn", "Finnish"), ("fra_Latn", "French"),
    ("hau_Latn", "Hausa"), ("heb_Hebr", "Hebrew"), ("hin_Deva", "Hindi"), ("hrv_Latn", "Croatian"),
    ("hun_Latn", "Hungarian"), ("ind_Latn", "Indonesian"), ("isl_Latn", "Icelandic"), ("ita_Latn", "Italian"),
    ("jpn_Jpan", "Japanese"), ("kat_Geor", "Georgian"), ("kor_Hang", "Korean"), ("lit_Latn", "Lithuanian"),
    ("nld_Latn", "Dutch"), ("nob_Latn", "Norwegian Bokmål"), ("pes_Arab", "Persian"), ("pol_Latn", "Polish"),
    ("por_Latn", "Portuguese"), ("ron_Latn", "Romanian"), ("rus_Cyrl", "Russian"), ("slk_Latn", "Slovak"),
    ("spa_Latn", "Spanish"), ("swe_Latn", "Swedish"), ("swh_Latn", "Swahili"), ("tam_Taml", "Tamil"),
    ("tha_Thai", "Thai"), ("tur_Latn", "Turkish"), ("ukr_Cyrl", "Ukrainian"), ("urd_Arab", "Urdu"),
    ("vie_Latn", "Vietnamese"), ("yor_Latn", "Yoruba"), ("zho_Hans", "Chinese"), ("zho_Hant", "Traditional Chinese"),
    ("zul_Latn", "Zulu"),
]
# The extra spellings the old table accepted.
ALIASES_BEFORE = [
    ("ara", "arb_Arab"), ("cze", "ces_Latn"), ("ger", "deu_Latn"), ("gre", "ell_Grek"), ("ekk", "est_Latn"),
    ("baq", "eus_Latn"), ("fre", "fra_Latn"), ("iw", "heb_Hebr"), ("ice", "isl_Latn"), ("geo", "kat_Geor"),
    ("dut", "nld_Latn"), ("no", "nob_Latn"), ("nor", "nob_Latn"), ("fas", "pes_Arab"), ("per", "pes_Arab"),
    ("rum", "ron_Latn"), ("slo", "slk_Latn"), ("swa", "swh_Latn"), ("cmn", "zho_Hans"), ("zho", "zho_Hans"),
    ("chi", "zho_Hans"), ("cmn_Hans", "zho_Hans"), ("zh-cn", "zho_Hans"), ("zh-hans", "zho_Hans"),
    ("zh-sg", "zho_Hans"), ("cmn_Hant", "zho_Hant"), ("zh-tw", "zho_Hant"), ("zh-hant", "zho_Hant"),
    ("zh-hk", "zho_Hant"),
]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("en", "eng_Latn"),
        ("eng", "eng_Latn"),
        ("eng_Latn", "eng_Latn"),
        ("eng-000", "eng_Latn"),
        ("English", "eng_Latn"),
        ("DE", "deu_Latn"),
        ("zh", "zho_Hans"),
        ("cmn", "zho_Hans"),
        ("zh-CN", "zho_Hans"),
        ("zh-Hant", "zho_Hant"),
        ("zh-Hant-TW", "zho_Hant"),
        ("pt-BR", "por_Latn"),
        ("es-419", "spa_Latn"),
        ("uk", "ukr_Cyrl"),
        ("ara", "arb_Arab"),
        # every low-resource language of the walk-through, by any of its codes
        ("ibo_Latn", "ibo_Latn"), ("ig", "ibo_Latn"), ("ibo", "ibo_Latn"), ("Igbo", "ibo_Latn"),
        ("ibo-Latn-NG", "ibo_Latn"), ("sw", "swh_Latn"), ("swa", "swh_Latn"), ("sw-KE", "swh_Latn"),
        ("yo", "yor_Latn"), ("ha", "hau_Latn"), ("zu", "zul_Latn"),
        # macrolanguages: FLORES-200 names the individual language
        ("qu", "quy_Latn"), ("que", "quy_Latn"), ("Quechua", "quy_Latn"), ("fa", "pes_Arab"), ("ms", "zsm_Latn"),
        ("lv", "lvs_Latn"), ("sq", "als_Latn"), ("om", "gaz_Latn"), ("ne", "npi_Deva"), ("tl", "tgl_Latn"),
        ("fil", "tgl_Latn"), ("ar-EG", "arb_Arab"), ("prs", "prs_Arab"), ("yue", "yue_Hant"),
        # a language FLORES-200 has in two scripts: the bare code means the usual one
        ("kas", "kas_Arab"), ("kas_Deva", "kas_Deva"), ("ace", "ace_Latn"), ("ace_Arab", "ace_Arab"),
        # valid codes outside FLORES-200, resolved through langcodes
        ("nds", "nds_Latn"), ("Low German", "nds_Latn"), ("sr-Latn", "srp_Latn"), ("zho_Latn", "zho_Latn"),
        ("klingon", "tlh_Latn"),
    ] + ALIASES_BEFORE,
)
def test_accepted_spellings_map_to_one_code(given, expected):
    assert normalize_language(given) == expected


@pytest.mark.parametrize("bad", ["xx", "xyzzy", "", "und", "zxx", "qaa", "deu_Latm", "ibo_Ltn", "eng_Latn_x"])
def test_unknown_language_lists_valid_forms(bad):
    with pytest.raises(UnknownNameError) as error:
        normalize_language(bad)
    assert "eng_Latn" in str(error.value) and "de" in error.value.known
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(("typo", "meant"), [("deu_Latm", "deu_Latn"), ("ibo_Ltn", "ibo_Latn"), ("Yorba", "Yoruba")])
def test_unknown_language_suggests_the_close_one(typo, meant):
    with pytest.raises(UnknownNameError, match=f"did you mean '{meant}'"):
        normalize_language(typo)


def test_prompt_names_are_english_names():
    assert language_name("uk") == "Ukrainian"
    assert language_name("zho_Hans") == "Chinese"
    assert language_name("ibo_Latn") == "Igbo"
    assert language_name("nds") == "Low German"


@pytest.mark.parametrize(("code", "name"), PROMPT_NAMES_BEFORE)
def test_names_of_the_languages_known_before_are_unchanged(code, name):
    language = resolve_language(code)
    assert (language.code, language.name) == (code, name)
    if language.iso1:
        assert resolve_language(language.iso1) == language


def test_all_flores200_languages_ship_with_the_package():
    languages = flores_languages()
    assert len(languages) == 204
    codes = [language.code for language in languages]
    assert len(set(codes)) == 204
    for language in languages:
        assert resolve_language(language.code) == language
        assert language.flores200 and language.name and len(language.iso3) == 3
        assert language.script[0].isupper() and len(language.script) == 4
        if language.iso1:  # a two-letter code means one language (a second script never owns it)
            assert resolve_language(language.iso1).iso3 == language.iso3


@pytest.mark.parametrize(("code", "script", "spaced"), [
    ("zho_Hans", "Hans", False), ("jpn_Jpan", "Jpan", False), ("tha_Thai", "Thai", False), ("lao_Laoo", "Laoo", False),
    ("khm_Khmr", "Khmr", False), ("mya_Mymr", "Mymr", False), ("amh_Ethi", "Ethi", True), ("kor_Hang", "Hang", True),
    ("ibo_Latn", "Latn", True), ("sr-Latn", "Latn", True), ("yue", "Hant", False),
])
def test_the_script_says_whether_words_are_spaced(code, script, spaced):
    language = resolve_language(code)
    assert (language.script, language.spaced) == (script, spaced)


def test_outside_flores_is_marked():
    assert not resolve_language("nds").flores200
    assert resolve_language("ibo").flores200


@pytest.mark.parametrize(("target", "tokenizer"), [
    ("zho_Hant", "zh"), ("yue", "zh"), ("tha_Thai", "char"), ("lao_Laoo", "char"), ("khm_Khmr", "char"),
    ("mya_Mymr", "char"), ("amh_Ethi", "13a"), ("ibo_Latn", "13a"), ("hin_Deva", "13a"), (None, "13a"),
])
def test_the_script_chooses_the_bleu_tokenizer(target, tokenizer):
    from pretty_framework.evaluation.metrics import bleu

    score = bleu(["ตัวอย่าง ภาษา"], ["ตัวอย่างภาษา"], target=target)
    assert f"tok:{tokenizer}|" in score.signature
