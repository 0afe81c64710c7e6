"""The paper's Figure 1 on the real embedded foundation model (Gemma 3 270M base) and real Flores dev lines.

The first run converts the packaged GGUF into the cache (about a minute); later runs load in seconds.
"""

import pytest
from tests_support import flores_items

pytestmark = pytest.mark.slow

N_LINES = 6


@pytest.fixture(scope="module")
def gemma():
    from pretty_framework.backends.transformers_backend import TransformersBackend

    return TransformersBackend(model="gemma3-270m")


def _languages(texts):
    from pretty_framework.evaluation.langid import detect_language

    return [detect_language(text) for text in texts]


def _decode(backend, provider, items, tgt="deu_Latn", **options):
    from pretty_framework.decoding.engine import Engine
    from pretty_framework.decoding.generation import GenerationSettings
    from pretty_framework.plugin.manager import get_plugins

    plugins = get_plugins()
    engine = Engine(backend, plugins.tasks.get("translation"), plugins.providers.get(provider).from_options(options),
                    "eng_Latn", tgt, settings=GenerationSettings(max_new_tokens=48))
    return engine.decode_batch(items)


def test_prior_die_turns_english_continuation_into_german(gemma):
    items = flores_items("eng_Latn", "deu_Latn", N_LINES)
    plain = [r.output for r in _decode(gemma, "none", items)]
    guided = [r.output for r in _decode(gemma, "text", items, text="Die")]
    plain_languages, guided_languages = _languages(plain), _languages(guided)
    assert plain_languages.count("eng") >= N_LINES - 1, list(zip(plain_languages, plain))
    assert guided_languages.count("deu") >= N_LINES - 1, list(zip(guided_languages, guided))
    assert all(text.startswith("Die") for text in guided)


def test_batched_real_model_matches_one_by_one(gemma):
    items = flores_items("eng_Latn", "deu_Latn", 3, start=10)
    batched = [r.output for r in _decode(gemma, "oracle", items)]
    single = [_decode(gemma, "oracle", [item])[0].output for item in items]
    # bf16 batching may differ in late tokens on near ties; the prior-led openings must agree.
    assert [b.split()[:3] for b in batched] == [s.split()[:3] for s in single]


def test_gemma_tokenizer_keeps_cjk_whole(gemma):
    from pretty_framework.priors.cutting import REPLACEMENT_CHAR, join_prompt_and_prior

    prompt = "English: Scientists said.\nChinese Translation:"
    for prior in ("科学家说", "魑魅魍魉", "𠀀𠀁 rare"):
        joined = join_prompt_and_prior(gemma.encode, gemma.decode, prompt, prior, k=1)
        assert joined.prior_text and REPLACEMENT_CHAR not in joined.prior_text
        assert prior.startswith(joined.prior_text)
        assert joined.ids.count(2) == 1  # Gemma's BOS, once


@pytest.mark.parametrize(("tgt", "detected"), [("deu_Latn", "deu"), ("fra_Latn", "fra"), ("zho_Hans", "zho"),
                                               ("ukr_Cyrl", "ukr")])
def test_muse_dict_prior_switches_the_output_language(gemma, tgt, detected):
    """The bundled MUSE dictionary alone (no model, no reference) makes the base model translate."""
    items = flores_items("eng_Latn", tgt, 4, start=20)
    results = _decode(gemma, "muse-dict", items, tgt=tgt)
    assert all(r.provenance and r.provenance["provider"] == "muse-dict" for r in results)
    languages = _languages([r.output for r in results])
    assert languages.count(detected) >= 3, list(zip(languages, [r.output for r in results]))


def test_the_paper_setting_keeps_the_committed_signature(gemma):
    """--guide none and no shots is the paper's setting: its signature is the one the committed outputs carry."""
    import json
    from pathlib import Path

    from pretty_framework.decoding.engine import Engine
    from pretty_framework.decoding.generation import GenerationSettings
    from pretty_framework.plugin.manager import get_plugins

    committed = (Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "paper-mt" / "outputs"
                 / "gemma3-270m" / "en-de" / "pseudo-prior-MUSE-dictionary__kdefault__default.jsonl")
    if not committed.is_file():
        pytest.skip("the committed paper-mt outputs are not here")
    plugins = get_plugins()
    engine = Engine(gemma, plugins.tasks.get("translation"), plugins.providers.get("muse-dict")(), "en", "de",
                    settings=GenerationSettings(max_new_tokens=128))
    signature = json.loads(committed.read_text(encoding="utf-8").splitlines()[0])["signature"]
    assert engine.signature().format() == signature


def test_default_guides_and_shots_hold_the_readme_line_in_german(gemma):
    """The README's first command, third line: with the prior "Die" alone the model copies the English source
    ("Die JAS 39 Gripen crashed onto a runway ..."); with the default guides and demonstrations it stays German."""
    from pretty_framework.decoding.engine import Engine
    from pretty_framework.decoding.generation import GenerationSettings
    from pretty_framework.guides.select import build_guides, resolve_guides
    from pretty_framework.plugin.manager import get_plugins
    from pretty_framework.tasks.shots import load_pool

    plugins = get_plugins()
    items = flores_items("eng_Latn", "deu_Latn", 3)[2:]
    provider = plugins.providers.get("text").from_options({"text": "Die"})
    settings = GenerationSettings(max_new_tokens=64)
    task = plugins.tasks.get("translation")
    plain = Engine(gemma, task, provider, "en", "de", settings=settings).decode_batch(items)[0]
    assert "crashed" in plain.output  # the failure the guides are for
    guided = Engine(gemma, task, provider, "en", "de", settings=settings, guides=build_guides(resolve_guides(None)),
                    shots=2, demonstrations=load_pool("bundled", "eng_Latn", "deu_Latn")).decode_batch(items)[0]
    assert guided.output.startswith("Die") and "crashed" not in guided.output
    assert _languages([guided.output]) == ["deu"]
