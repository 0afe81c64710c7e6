import pytest

from pretty_framework.errors import UnknownNameError
from pretty_framework.languages import language_name, normalize_language


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
        ("pt-BR", "por_Latn"),
        ("uk", "ukr_Cyrl"),
        ("ara", "arb_Arab"),
    ],
)
def test_accepted_spellings_map_to_one_code(given, expected):
    assert normalize_language(given) == expected


@pytest.mark.parametrize("bad", ["xx", "zho_Latn", "klingon", ""])
def test_unknown_language_lists_valid_forms(bad):
    with pytest.raises(UnknownNameError) as error:
        normalize_language(bad)
    assert "eng_Latn" in str(error.value) and "de" in error.value.known


def test_prompt_names_are_english_names():
    assert language_name("uk") == "Ukrainian"
    assert language_name("zho_Hans") == "Chinese"
