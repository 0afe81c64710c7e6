"""The `mt5-crosssum` provider on a tiny mT5 with a CrossSum-style language map, built by the tests."""

import pytest
import tiny_models
from tests_support import fake_hub_cache, flores_items, offline_hub

from pretty_framework import PriorRequest
from pretty_framework.errors import OptionsError
from pretty_framework.plugin.manager import get_plugins
from pretty_framework.tasks.summarization import SummarizationTask
from pretty_framework.testing import assert_provider_contract

LANGIDS = {"german": "<lang_de>", "chinese_simplified": "<lang_zh>", "english": "<lang_en>"}


@pytest.fixture(scope="module")
def tiny_crosssum(tmp_path_factory, training_lines):
    tokenizer = tiny_models.wrap(tiny_models.sentencepiece_style(training_lines))
    return tiny_models.save_tiny_mt5(tmp_path_factory.mktemp("tiny-mt5"), tokenizer, LANGIDS)


def _requests(tgt, n=4):
    lines = flores_items("eng_Latn", tgt, 3 * n)
    # A passage of three sentences per item: the summarizer's input.
    return [PriorRequest.of(str(i), " ".join(x.source for x in lines[3 * i : 3 * i + 3]), "eng_Latn", tgt,
                         task=SummarizationTask()) for i in range(n)]


def _provider(model, **options):
    return get_plugins().providers.get("mt5-crosssum").from_options(
        {"model": str(model), "device": "cpu", "max_new_tokens": 6, "num_beams": 2, **options})


def test_crosssum_keeps_the_contract_and_starts_in_the_target_language(tiny_crosssum):
    provider = _provider(tiny_crosssum)
    assert_provider_contract(provider, _requests("deu_Latn"), min_served=3)
    german = [p.text if p else "" for p in provider.priors(_requests("deu_Latn"))]
    chinese = [p.text if p else "" for p in provider.priors(_requests("zho_Hans"))]
    assert german != chinese  # the start token chooses the language
    assert provider.serves("summarization") and not provider.serves("translation")


def test_language_map_lookup(tiny_crosssum):
    from pretty_mt5.provider import language_start_token
    from transformers import AutoConfig, AutoTokenizer

    tokenizer, config = AutoTokenizer.from_pretrained(tiny_crosssum), AutoConfig.from_pretrained(tiny_crosssum)
    assert language_start_token(tokenizer, config, "zh") == tokenizer.convert_tokens_to_ids("<lang_zh>")
    with pytest.raises(OptionsError, match="no language id for 'uk'.*knows: chinese_simplified, english, german"):
        language_start_token(tokenizer, config, "uk")


def test_hub_id_loads_offline_from_the_cache(tiny_crosssum, tmp_path, monkeypatch):
    expected = [p.text if p else None for p in _provider(tiny_crosssum).priors(_requests("deu_Latn", 2))]
    fake_hub_cache(tmp_path / "hub", "csebuetnlp/mT5_m2m_crossSum", tiny_crosssum)
    offline_hub(monkeypatch, tmp_path / "hub")
    provider = get_plugins().providers.get("mt5-crosssum").from_options({"device": "cpu", "max_new_tokens": 6,
                                                                         "num_beams": 2})
    assert [p.text if p else None for p in provider.priors(_requests("deu_Latn", 2))] == expected
