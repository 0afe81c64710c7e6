"""The engine on a tiny Llama built by the tests: batching, stop strings, bad input, provider failures."""

import logging
from collections.abc import Sequence

import pytest
from tests_support import flores_items

from pretty_framework import Prior, PriorProvider, PriorRequest, Provenance
from pretty_framework.decoding.engine import Engine
from pretty_framework.decoding.generation import GenerationSettings
from pretty_framework.errors import OptionsError, PluginError, PriorError
from pretty_framework.io.records import Item
from pretty_framework.tasks.translation import TranslationTask


class FirstWordPrior(PriorProvider):
    """A real, deterministic provider: the reference's first word."""

    name = "first-word"

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        return [Prior(r.reference.split()[0], Provenance(self.name)) if r.reference else None for r in requests]


class FailingOn(PriorProvider):
    """Fails whenever a batch contains the item ``bad``."""

    name = "failing"

    def priors(self, requests):
        if any(r.item_id == "bad" for r in requests):
            raise RuntimeError("dictionary missing")
        return [Prior("Die", Provenance(self.name)) for _ in requests]


class ShortCounted(PriorProvider):
    name = "short"

    def priors(self, requests):
        return [None]


def _engine(backend, provider=None, **kwargs):
    settings = kwargs.pop("settings", GenerationSettings(max_new_tokens=12, stop_strings=()))
    return Engine(backend, TranslationTask(), provider or FirstWordPrior(), "eng_Latn", "deu_Latn",
                  settings=settings, **kwargs)


def test_batched_output_equals_one_by_one(tiny_backend):
    items = flores_items("eng_Latn", "deu_Latn", 6)
    engine = _engine(tiny_backend, k=2)
    batched = engine.decode_batch(items)
    single = [engine.decode_batch([item])[0] for item in items]
    assert [r.raw for r in batched] == [r.raw for r in single]
    assert len({len(tiny_backend.encode(item.source)) for item in items}) > 1, "prompts must differ in length"


def test_output_starts_with_the_cut_prior(tiny_backend):
    items = flores_items("eng_Latn", "deu_Latn", 3)
    for result in _engine(tiny_backend, k=1).decode_batch(items):
        assert result.prior and result.raw.startswith(result.prior)
        assert result.item.reference.startswith(result.prior)
        assert result.provenance == {"provider": "first-word"}


def test_stop_string_ends_the_output(tiny_backend):
    items = flores_items("eng_Latn", "deu_Latn", 2)
    free = _engine(tiny_backend, k=0).decode_batch(items)
    # Take a stop string from what the model really writes, then check generation ends there.
    continuation = free[0].raw
    stop = continuation[4:6]
    assert stop.strip() and len(continuation) > 8
    stopped = _engine(tiny_backend, k=0, settings=GenerationSettings(max_new_tokens=12, stop_strings=(stop,)))
    result = stopped.decode_batch(items)[0]
    assert result.stop_reason == "stop_string"
    assert stop in result.raw and continuation.startswith(result.raw)
    assert len(result.raw) < len(continuation)


def test_translation_task_adds_its_newline_stop(tiny_backend):
    engine = Engine(tiny_backend, TranslationTask(), FirstWordPrior(), "eng_Latn", "deu_Latn")
    assert engine.settings.stop_strings == ("\n",)


def test_empty_lines_pass_through(tiny_backend):
    items = [Item("1", "Hello."), Item("2", ""), Item("3", "   "), Item("4", "Bye.")]
    results = _engine(tiny_backend, k=0).decode_batch(items)
    assert [r.item.id for r in results] == ["1", "2", "3", "4"]
    assert [r.output for r in results[1:3]] == ["", ""]
    assert results[1].stop_reason == "empty_input" and results[0].stop_reason != "empty_input"


def test_long_input_is_cut_to_the_context_with_a_warning(tiny_backend, caplog):
    long_item = Item("long", " ".join(["The scientists announced a new diagnostic tool."] * 60))
    with caplog.at_level(logging.WARNING):
        result = _engine(tiny_backend, k=0).decode_batch([long_item])[0]
    assert result.truncated_input
    assert "exceed" in caplog.text and "'long'" in caplog.text


def test_failing_provider_names_itself_and_the_item(tiny_backend):
    items = [Item("ok", "Hello."), Item("bad", "Goodbye.")]
    with pytest.raises(PriorError, match="'failing' failed on item 'bad'"):
        _engine(tiny_backend, FailingOn()).decode_batch(items)


def test_skip_decodes_the_failing_item_without_a_prior(tiny_backend, caplog):
    items = [Item("ok", "Hello."), Item("bad", "Goodbye.")]
    with caplog.at_level(logging.WARNING):
        results = _engine(tiny_backend, FailingOn(), on_prior_error="skip").decode_batch(items)
    assert results[0].prior and results[0].provenance == {"provider": "failing"}
    assert results[1].prior == "" and results[1].provenance is None and results[1].raw
    assert "without a prior" in caplog.text


def test_provider_returning_too_few_priors_is_a_plugin_error(tiny_backend):
    with pytest.raises(PluginError, match="'short': priors\\(\\) returned 1 priors for 2 requests"):
        _engine(tiny_backend, ShortCounted(), on_prior_error="skip").decode_batch([Item("a", "x"), Item("b", "y")])


def test_provider_that_does_not_serve_the_task_is_refused(tiny_backend):
    class PosOnly(FirstWordPrior):
        name = "pos-only"
        tasks = frozenset({"pos"})

    with pytest.raises(OptionsError, match="does not serve task 'translation'; it serves: pos"):
        _engine(tiny_backend, PosOnly())


def test_signature_names_the_configuration(tiny_backend):
    signature = _engine(tiny_backend, k=1, template="normal").signature().format()
    for part in ("provider:first-word", "k:1", "tmpl:normal", "task:translation", "dec:greedy", "version:"):
        assert part in signature


@pytest.mark.parametrize("text, key, value", [
    ("model:gemma3-270m|backend:transformers|k:2|version:0.1.0", "k", "2"),
    ("model:/models/a:b.gguf|k:1", "model", "/models/a:b.gguf"),  # a colon inside a value
    ("model:x|provider:muse-dict(muse)|tmpl:prompting", "provider", "muse-dict(muse)"),
])
def test_run_signature_parses_what_it_formats(text, key, value):
    from pretty_framework.io.signature import RunSignature

    signature = RunSignature.parse(text)
    assert signature.get(key) == value
    assert signature.format() == text
    assert RunSignature.parse(signature.format()) == signature


def test_run_signature_names_the_fields_that_differ():
    from pretty_framework.io.signature import RunSignature

    written = RunSignature.of(model="m", provider="text", k=2)
    now = RunSignature.of(model="m", provider="oracle", k=2, tmpl="normal")
    assert written.differences(now) == ["provider: text != oracle", "tmpl: - != normal"]
    assert written.differences(written) == []
