"""The Table 5 controls: seeded random target-language words."""

import pytest
from tests_support import flores_items

from pretty_framework import PriorRequest
from pretty_framework.plugin.manager import get_plugins
from pretty_framework.store import DictionaryStore
from pretty_framework.store.formats import TsvFormat
from pretty_framework.testing import assert_provider_contract


@pytest.fixture(autouse=True)
def private_db(tmp_path, monkeypatch):
    monkeypatch.setenv("PRETTY_DB", str(tmp_path / "controls.sqlite"))


def _requests(tgt="deu_Latn", n=10):
    return [PriorRequest.of(i.id, i.source, "eng_Latn", tgt) for i in flores_items("eng_Latn", tgt, n)]


def _provider(name, **options):
    return get_plugins().providers.get(name).from_options(options)


@pytest.mark.parametrize("name", ["random", "modal", "adverb"])
def test_controls_keep_the_contract(name):
    provider = _provider(name)
    assert_provider_contract(provider, _requests(), min_served=10)
    provider.close()


def test_random_words_are_seeded_and_come_from_the_target_side():
    first, again, other = _provider("random", seed=1), _provider("random", seed=1), _provider("random", seed=2)
    words = [p.text for p in first.priors(_requests())]
    assert words == [p.text for p in again.priors(_requests())]
    assert words != [p.text for p in other.priors(_requests())]
    vocabulary, resource = first._words[("eng_Latn", "deu_Latn")]
    assert resource == "dictionary store"
    assert all(w in vocabulary or w[:1].lower() + w[1:] in vocabulary for w in words)  # capitalised on output
    assert len(set(words)) > 5  # not one word for everything
    for provider in (first, again, other):
        provider.close()


def test_modal_uses_tagged_store_entries_before_the_bundled_list(tmp_path):
    modal = _provider("modal")
    assert modal.priors(_requests(n=1))[0].provenance.resource == "dictionaries/controls.json (modal)"
    modal.close()
    tsv = tmp_path / "aux.tsv"
    tsv.write_text("can\tkönnen\tAUX\nmust\tmüssen\tAUX\nhouse\tHaus\tNOUN\n")
    store = DictionaryStore()
    store.import_file(tsv, TsvFormat(), "en", "de", name="aux-list")
    store.close()
    modal = _provider("modal")
    priors = modal.priors(_requests())
    assert {p.text for p in priors} <= {"Können", "Müssen"}
    assert priors[0].provenance.resource == "dictionary store (AUX)"
    modal.close()
