"""Look-up with back-off and the dictionary providers, on the bundled MUSE dictionaries."""

import pytest
from tests_support import flores_items

from pretty_framework import PriorRequest
from pretty_framework.store import DictionaryStore, Lookup
from pretty_framework.store.bundled import bundled_dictionaries, ensure_bundled
from pretty_framework.store.normalize import match_case, strip_stress, word_key


@pytest.fixture(autouse=True)
def private_db(tmp_path, monkeypatch):
    monkeypatch.setenv("PRETTY_DB", str(tmp_path / "dict.sqlite"))


@pytest.fixture
def store(tmp_path):
    opened = DictionaryStore(tmp_path / "dict.sqlite")
    yield opened
    opened.close()


@pytest.mark.parametrize(
    ("word", "key"),
    [("Haus", "haus"), ("«Haus»", "haus"), ("ﬁnd", "find"), ("прино́сити", "приносити"), ("Café", "café"),
     ("à", "à"), ("U.S.", "u.s")],
)
def test_word_keys(word, key):
    assert word_key(word) == key


def test_stress_marks_only_on_cyrillic():
    assert strip_stress("со́кіл") == "сокіл" and strip_stress("à la") == "à la"


@pytest.mark.parametrize(("target", "source", "expected"), [("haus", "House", "Haus"), ("nasa", "NASA", "NASA"),
                                                            ("haus", "house", "haus")])
def test_match_case(target, source, expected):
    assert match_case(target, source) == expected


def test_bundled_store_is_built_on_first_use(store):
    reports = ensure_bundled(store, "eng_Latn", "deu_Latn")
    assert [r.source for r in reports] == ["bundled:muse-en-de.txt.gz"] and reports[0].entries_added > 50000
    assert ensure_bundled(store, "eng_Latn", "deu_Latn")[0].already_imported
    assert all(d.path.is_file() for d in bundled_dictionaries())


def test_backoff_skips_identity_and_can_prefer_content_words(store):
    ensure_bundled(store, "eng_Latn", "deu_Latn")
    lookup = Lookup(store, "eng_Latn", "deu_Latn", prefer_content_words=True, prefer_distinctive=False)
    hit = lookup.prior("On Monday, scientists from the Stanford University School of Medicine announced")
    assert hit.word == "Monday" and hit.backoff_level == 1 and hit.translation.target_word == "Montag"
    # "Stanford" only maps to itself in MUSE: with identity pairs skipped it is not covered.
    assert lookup.translate("Stanford") is None
    first = Lookup(store, "eng_Latn", "deu_Latn").prior("On Monday, scientists")
    assert first.backoff_level == 0 and first.word == "On" and first.translation.target_word[0].isupper()


def test_translations_that_are_also_source_words_are_passed_over(store):
    ensure_bundled(store, "eng_Latn", "fra_Latn")
    plain_lookup = Lookup(store, "eng_Latn", "fra_Latn", prefer_distinctive=False)
    distinctive_lookup = Lookup(store, "eng_Latn", "fra_Latn", prefer_distinctive=True)
    english = plain_lookup.direct.by_key
    sentences = [item.source for item in flores_items("eng_Latn", "fra_Latn", 200)]
    plain = [plain_lookup.prior(s) for s in sentences]
    distinctive = [distinctive_lookup.prior(s) for s in sentences]
    looks_english = [i for i, hit in enumerate(plain) if hit and hit.translation.target_word.lower() in english]
    assert looks_english, "Flores dev should hold sentences whose first translation is also an English word"
    for i in looks_english:
        hit = distinctive[i]
        if hit is not None and hit.translation.target_word.lower() not in english:
            assert hit.backoff_level > plain[i].backoff_level
    changed = [i for i in looks_english if distinctive[i].translation.target_word != plain[i].translation.target_word]
    assert len(changed) >= len(looks_english) // 2


def test_pivot_through_english_when_the_pair_has_no_dictionary(store):
    ensure_bundled(store, "zho_Hans", "por_Latn")  # MUSE has no zh-pt: zh-en and en-pt are imported
    lookup = Lookup(store, "zho_Hans", "por_Latn")
    assert lookup.via is not None and not lookup.direct
    hit = lookup.prior("科学家宣布发明了一种新的诊断工具")
    assert hit is not None and hit.translation.pivot
    assert hit.translation.target_word[0].isupper()


def test_provider_batched_equals_one_by_one_with_provenance():
    from pretty_framework.plugin.manager import get_plugins

    provider = get_plugins().providers.get("muse-dict")()
    items = flores_items("eng_Latn", "fra_Latn", 20)
    requests = [PriorRequest.of(i.id, i.source, "eng_Latn", "fra_Latn", k=1) for i in items]
    batched = provider.priors(requests)
    single = [provider.priors([r])[0] for r in requests]
    assert batched == single
    served = [p for p in batched if p is not None]
    assert len(served) >= 18
    assert all(p.provenance.provider == "muse-dict" and p.provenance.backoff_level is not None for p in served)
    assert all(p.provenance.resource == "bundled:muse-en-fr.txt.gz" and not p.cut for p in served)
    provider.close()


def test_provider_restricted_to_its_source(store):
    from pretty_framework.plugin.manager import get_plugins

    provider = get_plugins().providers.get("wiktionary-dict")()
    request = PriorRequest.of("1", "On Monday, scientists announced", "eng_Latn", "deu_Latn")
    assert provider.priors([request]) == [None]  # only MUSE is bundled; no Wiktionary imported
    provider.close()
