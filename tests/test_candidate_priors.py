"""Pseudo priors chosen by the model: candidates from a provider, scored by the backend, the best one kept."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import numpy as np
import pytest
from tests_support import flores_items

from pretty_framework import PriorRequest
from pretty_framework.priors.choice import choose_priors
from pretty_framework.priors.cutting import JoinedPrompt
from pretty_framework.priors.types import Prior, Provenance

PROMPT = [2, 10, 11, 12]  # a fake prompt's token ids


def _joined(index: int, prior: Prior) -> JoinedPrompt:
    """A fake joining: the prompt, then one token per character of the prior."""
    ids = PROMPT + [100 + index] + [ord(c) for c in prior.text]
    return JoinedPrompt(ids=ids, answer_start=len(PROMPT) + 1, prior_text=prior.text)


class FakeScorer:
    """Each answer token of a text scores that text's per-token log-probability (a table); counts its calls."""

    name = "fake"

    def __init__(self, per_token: dict[str, float]):
        self.per_token = per_token
        self.calls: list[int] = []

    def score(self, prompts, starts):
        self.calls.append(len(prompts))
        totals = []
        for ids, start in zip(prompts, starts):
            text = "".join(chr(t) for t in ids[start:])
            totals.append(self.per_token[text] * len(ids[start:]))
        return totals


def _prior(text: str, *candidates: str, detail: str | None = "x -> y") -> Prior:
    return Prior(text, Provenance("muse-dict", resource="muse", backoff_level=0, detail=detail), cut=False,
                 candidates=tuple(candidates))


def test_choose_priors_keeps_the_best_mean_log_probability_in_one_call():
    scorer = FakeScorer({"Die": -2.0, "Der": -0.5, "die": -3.0, "Montag": -0.4, "Haus": -1.0, "Am": -1.5,
                         "Ab": -0.9})
    priors = [_prior("Die", "Der", "die", "Die"), None, _prior("Haus"), _prior("Am", "Montag", "Ab")]
    chosen = choose_priors(scorer, priors, _joined)
    assert scorer.calls == [6]  # every candidate of the batch (a repeat once), in one call
    assert [p.text if p else None for p in chosen] == ["Der", None, "Haus", "Montag"]
    # "Montag" scores -2.4 in all (6 tokens) against "Ab"'s -1.8: the mean per token, not the sum, decides
    assert chosen[3].provenance.candidates == (("Am", -1.5), ("Montag", -0.4), ("Ab", -0.9))
    assert chosen[2] is priors[2]  # no candidates: untouched
    first = chosen[0]
    assert first.candidates == () and first.cut is False
    assert first.provenance.backoff_level == 0 and first.provenance.resource == "muse"
    assert first.provenance.detail == "x -> y; model chose 'Der' of 3 candidates (provider's first choice 'Die')"
    record = first.provenance.to_dict()
    assert record["candidates"] == [{"text": "Die", "score": -2.0}, {"text": "Der", "score": -0.5},
                                    {"text": "die", "score": -3.0}]
    assert "candidates" not in priors[2].provenance.to_dict()  # None fields stay out


def test_a_tie_keeps_the_providers_first_choice():
    scorer = FakeScorer({"Die": -1.0, "Der": -1.0})
    chosen = choose_priors(scorer, [_prior("Die", "Der", detail=None)], _joined)
    assert chosen[0].text == "Die" and chosen[0].provenance.detail == "model chose 'Die' of 2 candidates"


def test_no_candidates_no_call_and_a_backend_without_score_keeps_the_first_choice(caplog):
    scorer = FakeScorer({})
    priors = [_prior("Die"), None]
    assert choose_priors(scorer, priors, _joined) == priors and scorer.calls == []
    offered = [_prior("Die", "Der"), _prior("Am", "Ab")]
    with caplog.at_level(logging.WARNING):
        assert choose_priors(SimpleNamespace(name="no-score-backend"), offered, _joined) == offered
        choose_priors(SimpleNamespace(name="no-score-backend"), offered, _joined)
    assert sum("no-score-backend" in r.getMessage() for r in caplog.records) == 1  # warned once


# -- the llama.cpp backend's score(), its bookkeeping on a fake llama.cpp ---------------------------------------


class FakeLlama:
    """Sequences of tokens by position (the KV cache); logits depend on every token of a sequence so far."""

    VOCAB = 50

    def __init__(self) -> None:
        self.memory: dict[int, dict[int, int]] = {}
        self.calls = 0

    def llama_memory_seq_rm(self, memory, seq, start, end):
        self.memory.pop(seq, None)

    def llama_memory_seq_cp(self, memory, src, dst, start, end):
        self.memory[dst] = {pos: token for pos, token in self.memory.get(src, {}).items() if start <= pos < end}

    @classmethod
    def logits(cls, tokens) -> np.ndarray:
        return np.random.default_rng(hash(tuple(tokens)) % 2**32).normal(size=cls.VOCAB).astype(np.float32)

    def decode(self, entries):
        self.calls += 1
        out = {}
        for seq, pos, token, wants in entries:
            held = self.memory.setdefault(seq, {})
            assert pos == len(held) and all(p in held for p in range(pos)), "a position out of order"
            held[pos] = token
            if wants:
                out[seq] = self.logits([held[p] for p in range(pos + 1)])
        return out


def _expected(tokens, start) -> float:
    total = 0.0
    for position in range(max(1, start), len(tokens)):
        values = FakeLlama.logits(tokens[:position]).astype(np.float64)
        total += values[tokens[position]] - values.max() - np.log(np.exp(values - values.max()).sum())
    return total


def test_llamacpp_score_feeds_each_answer_token_and_reads_the_logits_before_it():
    from pretty_llamacpp.backend import LlamaCppBackend, LlamaCppOptions

    fake = FakeLlama()
    backend = object.__new__(LlamaCppBackend)  # no llama.cpp: its calls are the fake's
    backend.options = LlamaCppOptions(n_seq_max=3, n_batch=32, n_ctx=256)
    backend._llama_cpp, backend._memory, backend._prefix, backend._decode = fake, None, [], fake.decode
    shared = list(range(1, 11))  # a cacheable prefix (10 tokens)
    prompts = [shared + [11, 12, 13, 14], shared + [15, 16], shared + [17, 18, 19, 20, 21, 22], [5, 6, 7], [8]]
    starts = [12, 11, 13, 0, 1]
    scores = backend.score(prompts, starts)
    expected = [_expected(p, s) for p, s in zip(prompts, starts)]
    assert scores == pytest.approx(expected, abs=1e-9)
    assert scores[4] == 0.0  # nothing to score
    assert backend._prefix == shared and set(fake.memory) == {0}  # only the cached prefix stays
    assert backend.score(prompts[:1], starts[:1]) == pytest.approx(expected[:1], abs=1e-9)


# -- the transformers backend's score() on the real model ----------------------------------------------------


@pytest.fixture(scope="module")
def gemma():
    from pretty_framework.backends.transformers_backend import TransformersBackend

    backend = TransformersBackend(model="gemma3-270m", device="cpu", dtype="float32")
    yield backend
    backend.close()


@pytest.mark.slow
def test_transformers_score_is_a_forward_pass_and_padding_changes_nothing(gemma):
    import torch

    texts = [("Translate into German.\nEnglish: The house is small.\nGerman:", " Das Haus ist klein."),
             ("English: On Monday\nGerman:", " Am Montag"),
             ("A long prompt, so that the others are padded on the left: English: scientists\nGerman:",
              " Wissenschaftler")]
    prompts, starts = [], []
    for prompt, answer in texts:
        prompt_ids = gemma.encode(prompt)
        prompts.append(prompt_ids + gemma.encode(answer)[1:])  # without the second BOS
        starts.append(len(prompt_ids))
    manual = []
    with torch.inference_mode():
        for ids, start in zip(prompts, starts):
            logits = gemma.model(input_ids=torch.tensor([ids])).logits[0].float()
            logprobs = torch.log_softmax(logits, dim=-1)
            manual.append(float(sum(logprobs[i - 1, ids[i]] for i in range(start, len(ids)))))
    batched = gemma.score(prompts, starts)
    single = [gemma.score([ids], [start])[0] for ids, start in zip(prompts, starts)]
    assert batched == pytest.approx(manual, abs=1e-3)
    assert single == pytest.approx(batched, abs=1e-3)
    assert all(score < 0 for score in batched)
    assert gemma.score([prompts[0]], [len(prompts[0])]) == [0.0]  # nothing to score


@pytest.mark.slow
def test_the_engine_lets_the_model_choose_the_dictionary_prior(gemma, tmp_path, monkeypatch):
    from pretty_framework.decoding.engine import Engine
    from pretty_framework.decoding.generation import GenerationSettings
    from pretty_framework.plugin.manager import get_plugins

    monkeypatch.setenv("PRETTY_DB", str(tmp_path / "dict.sqlite"))
    plugins = get_plugins()
    provider = plugins.providers.get("muse-dict").from_options({"candidates": 3})
    engine = Engine(gemma, plugins.tasks.get("translation"), provider, "eng_Latn", "deu_Latn",
                    settings=GenerationSettings(max_new_tokens=6))
    results = engine.decode_batch(flores_items("eng_Latn", "deu_Latn", 2))
    for result in results:
        listed = [c["text"] for c in result.provenance["candidates"]]
        assert len(listed) > 1 and result.prior in listed and "model chose" in result.provenance["detail"]
        best = max(result.provenance["candidates"], key=lambda c: c["score"])
        assert result.prior == best["text"]
    assert "opts:candidates=3" in str(engine.signature())


# -- the dictionary providers' candidates --------------------------------------------------------------------


@pytest.fixture
def muse(tmp_path, monkeypatch):
    from pretty_framework.plugin.manager import get_plugins

    monkeypatch.setenv("PRETTY_DB", str(tmp_path / "dict.sqlite"))
    return get_plugins().providers.get("muse-dict")


def _requests(tgt: str, n: int) -> list[PriorRequest]:
    return [PriorRequest.of(item.id, item.source, "eng_Latn", tgt) for item in flores_items("eng_Latn", tgt, n)]


def test_one_candidate_is_todays_prior(muse):
    requests = _requests("deu_Latn", 12)
    today, one = muse.from_options({}), muse.from_options({"candidates": 1})
    assert one.priors(requests) == today.priors(requests)
    assert all(prior.candidates == () for prior in one.priors(requests) if prior)
    assert one.options.model_dump(exclude_defaults=True) == {}  # the run signature is unchanged
    lookup = today._lookup("eng_Latn", "deu_Latn")
    for request, prior in zip(requests, today.priors(requests)):
        hit = lookup.prior(request.source)
        assert prior.text == hit.translation.target_word
        assert lookup.hits(request.source, 3)[0] == hit


def test_hits_put_preferred_words_first_like_prior(muse):
    from pretty_framework.store.session import StoreSession

    session = StoreSession(None, bundled=True)
    lookup = session.lookup("eng_Latn", "deu_Latn", ("muse",), prefer_content_words=True, prefer_distinctive=True)
    for request in _requests("deu_Latn", 12):
        hits = lookup.hits(request.source, 4)
        assert hits[0] == lookup.prior(request.source) and len(hits) <= 4
    assert [t.target_word for t in lookup.translations("The", 3)] == ["die", "der", "dem"]
    session.close()


@pytest.mark.parametrize("tgt", ["deu_Latn", "zho_Hans"])
def test_three_candidates_offer_several_plain_words(muse, tgt):
    requests = _requests(tgt, 4)
    firsts = muse.from_options({}).priors(requests)
    priors = muse.from_options({"candidates": 3}).priors(requests)
    for first, prior in zip(firsts, priors):
        assert prior.text == first.text and prior.provenance == first.provenance  # the first choice as today
        assert 1 <= len(prior.candidates) <= 3 * 3 - 1 and prior.text not in prior.candidates
        assert all("#" not in c and any(ch.isalpha() for ch in c) for c in prior.candidates)
    if tgt == "deu_Latn":
        # "Lead researchers say ...": Vorsprung first, then lead's other senses, then the next words, capitalised
        assert priors[1].candidates[:3] == ("Führen", "Blei", "Wissenschaftler")
        assert {"Sagen", "sagen"} <= set(priors[1].candidates)
