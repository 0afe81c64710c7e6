"""The `nllb` provider on a tiny M2M100 (NLLB architecture) built by the tests, from a folder and the hub cache."""

import pytest
import tiny_models
from tests_support import fake_hub_cache, flores_items, offline_hub

from pretty_framework import PriorRequest
from pretty_framework.errors import OptionsError
from pretty_framework.plugin.manager import get_plugins
from pretty_framework.testing import assert_provider_contract

TAGS = ["eng_Latn", "deu_Latn", "__fr__"]  # NLLB-style tags, and one M2M100-style tag


@pytest.fixture(scope="module")
def tiny_nllb(tmp_path_factory, training_lines):
    tokenizer = tiny_models.wrap(tiny_models.sentencepiece_style(training_lines))
    return tiny_models.save_tiny_m2m100(tmp_path_factory.mktemp("tiny-nllb"), tokenizer, TAGS)


def _requests(tgt, n=6):
    return [PriorRequest.of(i.id, i.source, "eng_Latn", tgt) for i in flores_items("eng_Latn", tgt, n)]


def _provider(model, **options):
    return get_plugins().providers.get("nllb").from_options({"model": str(model), "device": "cpu",
                                                             "max_new_tokens": 6, "batch_size": 4, **options})


def test_nllb_keeps_the_contract_and_forces_the_target_language(tiny_nllb):
    provider = _provider(tiny_nllb)
    assert_provider_contract(provider, _requests("deu_Latn"), min_served=6)
    german = [p.text if p else "" for p in provider.priors(_requests("deu_Latn"))]
    french = [p.text if p else "" for p in provider.priors(_requests("fra_Latn"))]  # tag __fr__: M2M100 form
    assert sum(g != f for g, f in zip(german, french)) >= 4  # the forced first token steers the output
    assert provider.priors(_requests("deu_Latn", 1))[0].provenance.resource == str(tiny_nllb)


def test_language_tags_in_both_spellings(tiny_nllb):
    from pretty_nllb.provider import language_token
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_nllb)
    assert language_token(tokenizer, "de") == tokenizer.convert_tokens_to_ids("deu_Latn")
    assert language_token(tokenizer, "fra_Latn") == tokenizer.convert_tokens_to_ids("__fr__")
    with pytest.raises(OptionsError, match="no language tag for 'uk'.*ukr_Cyrl, __uk__"):
        language_token(tokenizer, "uk")


def test_hub_id_loads_offline_from_the_cache(tiny_nllb, tmp_path, monkeypatch):
    expected = [p.text for p in _provider(tiny_nllb).priors(_requests("deu_Latn", 3))]
    fake_hub_cache(tmp_path / "hub", "facebook/nllb-200-distilled-600M", tiny_nllb)
    offline_hub(monkeypatch, tmp_path / "hub")
    provider = get_plugins().providers.get("nllb").from_options({"device": "cpu", "max_new_tokens": 6})
    assert [p.text for p in provider.priors(_requests("deu_Latn", 3))] == expected
