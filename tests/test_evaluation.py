"""Metrics against known values; language identification on real Flores lines."""

import pytest
from tests_support import flores_items

from pretty_framework.evaluation.langid import detect_language, target_language_rate
from pretty_framework.evaluation.metrics import bleu, chrf


def test_bleu_matches_sacrebleu_documentation_example():
    # The example in sacrebleu's README: BLEU 48.53 against two reference sets.
    hypotheses = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]
    references = [["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
                  ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."]]
    score = bleu(hypotheses, references)
    assert score.score == pytest.approx(48.53, abs=0.01)
    assert score.signature.startswith("nrefs:2|case:mixed|eff:no|tok:13a")


def test_chrf_is_100_for_identical_and_low_for_unrelated():
    assert chrf(["Die Katze schläft."], ["Die Katze schläft."]).score == pytest.approx(100)
    assert chrf(["xyz qqq"], ["Die Katze schläft."]).score < 10


def test_chinese_bleu_uses_the_zh_tokenizer():
    assert "tok:zh" in bleu(["科学家宣布"], ["科学家宣布"], target="zh").signature


@pytest.mark.parametrize(("code", "iso3"), [("deu_Latn", "deu"), ("fra_Latn", "fra"), ("zho_Hans", "zho"),
                                            ("ukr_Cyrl", "ukr"), ("eng_Latn", "eng"), ("rus_Cyrl", "rus")])
def test_flores_lines_are_identified(code, iso3):
    lines = [item.source for item in flores_items(code, code, 10)]
    assert [detect_language(line) for line in lines].count(iso3) >= 9
    assert target_language_rate(lines, code) >= 0.9


def test_empty_output_is_unknown():
    assert detect_language("  123 !") == "unknown"
