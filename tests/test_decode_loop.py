"""The transformers backend's own loop: the same greedy outputs as model.generate, finished rows leave, prefix cache."""

import pytest
import tiny_models
from tests_support import flores_items

from pretty_framework.backends.transformers_backend import TransformersBackend
from pretty_framework.decoding.engine import Engine
from pretty_framework.decoding.generation import GenerationSettings
from pretty_framework.plugin.manager import get_plugins


@pytest.fixture(scope="module")
def tiny_long(tmp_path_factory, sp_tokenizer):
    return tiny_models.save_tiny_llama(tmp_path_factory.mktemp("tiny-loop"), sp_tokenizer, max_positions=1024)


def _outputs(backend, task="translation", provider="none", n=7, max_new_tokens=20):
    engine = Engine(backend, get_plugins().tasks.get(task), get_plugins().providers.get(provider)(),
                    "eng_Latn", "deu_Latn", settings=GenerationSettings(max_new_tokens=max_new_tokens))
    return [(r.raw, r.stop_reason) for r in engine.decode_batch(flores_items("eng_Latn", "deu_Latn", n))]


def test_own_loop_gives_the_same_greedy_outputs_as_model_generate(tiny_long):
    own = TransformersBackend(str(tiny_long), device="cpu", dtype="float32", loop="own")
    hf = TransformersBackend(str(tiny_long), device="cpu", dtype="float32", loop="hf")
    assert _outputs(own, provider="oracle") == _outputs(hf, provider="oracle")


def test_batch_rows_shrink_when_some_stop_early(tiny_long, monkeypatch):
    from pretty_framework.decoding import generation

    backend = TransformersBackend(str(tiny_long), device="cpu", dtype="float32", loop="own")
    sizes = []
    forward = backend.model.forward
    monkeypatch.setattr(backend.model, "forward", lambda *a, **k: sizes.append(k["input_ids"].shape[0]) or forward(*a, **k))
    real_check = generation.StopWatcher._check

    def stop_row_zero_early(self, row, tokens):
        if row == 0 and len(tokens) == 2:
            return self._finish(row, "stop_string", 2)
        return real_check(self, row, tokens)

    monkeypatch.setattr(generation.StopWatcher, "_check", stop_row_zero_early)
    settings = GenerationSettings(max_new_tokens=6, repetition_guard=False)
    results = backend.generate([backend.encode("one two"), backend.encode("three four")], settings)
    assert len(results[0].token_ids) == 2 and len(results[1].token_ids) == 6
    assert sizes[:3] == [2, 2, 1] and set(sizes[2:]) == {1}  # row 0 left after its second token


def test_prefix_cache_reuses_the_one_shot_demonstration_with_identical_outputs(tiny_long):
    cached = TransformersBackend(str(tiny_long), device="cpu", dtype="float32")
    plain = TransformersBackend(str(tiny_long), device="cpu", dtype="float32", prefix_cache=False)  # model.generate
    with_cache = _outputs(cached, task="summarization", n=4, max_new_tokens=8)
    assert len(cached.prefix_cache.tokens) > 100  # the demonstration and the instruction
    assert with_cache == _outputs(plain, task="summarization", n=4, max_new_tokens=8)
    # The next batch shares the same prefix: the held cache serves it, and outputs still match.
    held = cached.prefix_cache.cache
    assert _outputs(cached, task="summarization", n=3, max_new_tokens=8) == with_cache[:3]
    assert cached.prefix_cache.cache is held


def test_auto_loop_uses_model_generate_without_a_shared_prefix(tiny_long, monkeypatch):
    from pretty_framework.backends import decode_loop

    backend = TransformersBackend(str(tiny_long), device="cpu", dtype="float32")
    calls = []
    monkeypatch.setattr(decode_loop, "generate", lambda *a, **k: calls.append(1))
    backend.generate([backend.encode("one two"), backend.encode("three")], GenerationSettings(max_new_tokens=2))
    assert calls == []  # translation-like prompts share no 16-token prefix
