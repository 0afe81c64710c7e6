"""Stop words for any language: the curated lists first, the maintained stopwords-iso collection elsewhere."""

from __future__ import annotations

import pytest

from pretty_framework.store.stopwords import STOPWORDS, is_function_word, stopwords


@pytest.mark.parametrize("language", ["eng_Latn", "deu_Latn", "fra_Latn"])
def test_curated_lists_are_kept(language):
    assert stopwords(language) == STOPWORDS[language]


@pytest.mark.parametrize(("language", "function_word", "content_word"), [
    ("swh_Latn", "na", "kazi"), ("hau_Latn", "da", "ruwa"), ("zul_Latn", "futhi", "isibindi"),
    ("yor_Latn", "gbogbo", "omi"), ("spa_Latn", "el", "gato"),
])
def test_other_languages_get_stopwords_iso(language, function_word, content_word):
    assert is_function_word(function_word, language) and not is_function_word(content_word, language)


def test_tone_marks_do_not_hide_a_yoruba_function_word():
    assert is_function_word("láti", "yor_Latn") and is_function_word("lati", "yor_Latn")


@pytest.mark.parametrize("language", ["ibo_Latn", "quy_Latn", "nds_Latn"])
def test_a_language_without_any_list_treats_every_word_as_content(language):
    assert stopwords(language) == frozenset() and not is_function_word("na", language)
