"""The analysis measures on hand-computed cases, and the runner on tiny models built by the tests."""

import math

import pytest
import tiny_models
import torch

from pretty_framework.analysis import measures
from pretty_framework.analysis.compare import Analysis, AnalysisError, vocabulary_mode
from pretty_framework.io.records import Item
from pretty_framework.tasks.translation import TranslationTask


@pytest.mark.parametrize(
    ("chosen", "ks", "expected"),
    [
        (0, [1, 2], [True, True]),
        (1, [1, 2], [False, True]),
        (2, [1, 2], [False, True]),  # tied with token 1 for second place: ties count as inside
        (3, [3, 4, 10], [False, True, True]),  # K larger than the vocabulary always agrees
    ],
)
def test_agreement_at_k_with_ties(chosen, ks, expected):
    logits = torch.tensor([[2.0, 1.0, 1.0, 0.0]])
    result = measures.agreement_at_k(torch.tensor([chosen]), logits, ks)
    assert [bool(result[k][0]) for k in ks] == expected


def test_divergences_match_hand_computed_values():
    p_logits = torch.tensor([[0.0, 0.0]])  # P = (0.5, 0.5)
    q_logits = torch.tensor([[math.log(3.0), 0.0]])  # Q = (0.75, 0.25)
    values = measures.divergences(p_logits, q_logits)
    assert float(values["kl"][0]) == pytest.approx(0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(2), abs=1e-8)
    assert float(values["cross_entropy"][0]) == pytest.approx(-(0.5 * math.log(0.75) + 0.5 * math.log(0.25)), abs=1e-8)
    assert float(values["js"][0]) == pytest.approx(0.048795, abs=1e-5)


def test_identical_distributions_have_zero_divergence():
    logits = torch.tensor([[0.3, -1.0, 2.0, 0.0]])
    values = measures.divergences(logits, logits)
    assert float(values["kl"][0]) == pytest.approx(0, abs=1e-8) and float(values["js"][0]) == pytest.approx(0, abs=1e-8)


def test_a_token_the_foundation_rules_out_gives_a_large_finite_kl():
    values = measures.divergences(torch.tensor([[0.0, 0.0]]), torch.tensor([[0.0, -math.inf]]))
    assert math.isfinite(float(values["kl"][0])) and float(values["kl"][0]) > 10


def test_divergences_refuse_different_vocabularies():
    with pytest.raises(ValueError, match="different vocabularies"):
        measures.divergences(torch.zeros(1, 3), torch.zeros(1, 4))


def test_non_finite_values_are_counted_not_averaged():
    assert measures.finite_mean([1.0, math.nan, 3.0, math.inf]) == (2.0, 2)
    assert measures.finite_mean([math.nan]) == (None, 1)


@pytest.mark.parametrize(("candidate", "chosen", "expected"),
                         [(" Die", "Die", True), ("Di", " Die Katze", True), ("Der", "Die", False), (" ", "Die", False)])
def test_prefix_compatibility(candidate, chosen, expected):
    assert measures.prefix_compatible(candidate, chosen) is expected


# -- the runner on tiny models ------------------------------------------------------------------

CHAT = "{% for m in messages %}<s>{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}assistant:"


@pytest.fixture(scope="module")
def chat_models(tmp_path_factory, sp_tokenizer, byte_tokenizer):
    """Two models sharing the sp vocabulary (one with a padded embedding), and one with another vocabulary."""
    from pretty_framework.backends.transformers_backend import TransformersBackend

    def build(name, tokenizer, seed, pad_vocab=0):
        folder = tmp_path_factory.mktemp(name)
        tokenizer.chat_template = CHAT
        tiny_models.save_tiny_llama(folder, tokenizer, seed=seed, extra_vocab=pad_vocab)
        return TransformersBackend(model=str(folder), device="cpu", dtype="float32")

    return {"base": build("base", sp_tokenizer, 1), "sft": build("sft", sp_tokenizer, 2, pad_vocab=40),
            "other": build("other", byte_tokenizer, 3)}


def _items():
    return [Item("1", "The cat sleeps on the mat."), Item("2", "Scientists announced a new tool today."), Item("3", "")]


def test_empty_items_are_skipped_and_every_position_is_measured(chat_models):
    analysis = Analysis(chat_models["base"], chat_models["sft"], TranslationTask(), "eng_Latn", "deu_Latn",
                        positions=2, ks=[1, 5])
    analysis.add(_items())
    summary = analysis.summary()
    assert summary["mode"] == "shared" and [p["items"] for p in summary["positions"]] == [2, 2]
    for position in summary["positions"]:
        assert 0 <= position["agreement_at_k"]["1"] <= position["agreement_at_k"]["5"] <= 1
        assert position["kl"] >= 0 and 0 <= position["js"] <= 1


def test_shared_mode_matches_a_direct_computation(chat_models):
    base, sft = chat_models["base"], chat_models["sft"]
    analysis = Analysis(base, sft, TranslationTask(), "eng_Latn", "deu_Latn", positions=1, ks=[1, 3])
    item = _items()[0]
    analysis.add([item])
    # Recompute position 0 by hand with plain forward passes.
    sft_prompt = analysis._sft_prompt(item)
    base_prompt = base.encode(analysis._base_prompt(item))
    with torch.inference_mode():
        sft_logits = sft.model(torch.tensor([sft_prompt])).logits[0, -1, : len(sft.tokenizer)]
        base_logits = base.model(torch.tensor([base_prompt])).logits[0, -1, : len(base.tokenizer)]
    chosen = int(sft_logits.argmax())
    rank = int((base_logits > base_logits[chosen]).sum())
    position = analysis.summary()["positions"][0]
    assert position["agreement_at_k"] == {"1": float(rank < 1), "3": float(rank < 3)}
    expected_kl = float(measures.divergences(sft_logits.unsqueeze(0), base_logits.unsqueeze(0))["kl"][0])
    assert position["kl"] == pytest.approx(expected_kl, rel=1e-4)
    assert position["kl_non_finite"] == 0


def test_different_vocabularies_are_refused_in_shared_mode(chat_models):
    with pytest.raises(AnalysisError, match="vocabularies differ in content"):
        vocabulary_mode(chat_models["base"].tokenizer, chat_models["other"].tokenizer, "shared")


def test_cross_tokenizer_mode_runs_at_text_level(chat_models):
    analysis = Analysis(chat_models["other"], chat_models["sft"], TranslationTask(), "eng_Latn", "deu_Latn",
                        positions=2, ks=[1, 20])
    analysis.add(_items())
    summary = analysis.summary()
    assert summary["mode"] == "cross" and "kl" not in summary["positions"][0]
    for position in summary["positions"]:
        assert position["items"] == 2
        assert position["agreement_at_k"]["1"] <= position["agreement_at_k"]["20"]


def test_report_files(chat_models, tmp_path):
    from pretty_framework.analysis.report import plot, text_summary

    analysis = Analysis(chat_models["base"], chat_models["sft"], TranslationTask(), "eng_Latn", "deu_Latn",
                        positions=2, ks=[1, 2, 3])
    analysis.add(_items())
    result = analysis.summary() | {"signature": "test"}
    paths = plot(result, tmp_path, "t")
    assert [p.name for p in paths] == ["t-agreement.png", "t-probability.png", "t-divergence.png"]
    assert all(p.stat().st_size > 1000 for p in paths)
    assert "agreement@1=" in text_summary(result)


def test_character_groups_keep_byte_tokens_of_one_character_together(byte_tokenizer):
    from pretty_framework.analysis.compare import character_groups

    decode = lambda ids: byte_tokenizer.decode(list(ids), skip_special_tokens=True)  # noqa: E731
    prompt = byte_tokenizer("Chinese:")["input_ids"]
    answer = byte_tokenizer("Chinese: 魑魅 ok", add_special_tokens=False)["input_ids"][len(prompt) - 1:]
    groups = character_groups(decode, prompt, answer)
    texts = [decode(prompt + answer[:e])[len(decode(prompt + answer[:s])):] for s, e in groups]
    assert "".join(texts) == decode(prompt + answer)[len(decode(prompt)):]
    assert all("\ufffd" not in text for text in texts)
    assert any(e - s > 1 for s, e in groups)  # a character that needed several byte tokens


@pytest.mark.parametrize(("args", "message"), [
    (["--flores", "/no/such/flores"], "Flores file not found: /no/such/flores/dev.eng_Latn"),
    (["--input", "EMPTY"], "the input has no non-empty items to analyse"),
    (["--input", "/no/such/file.txt"], "input file not found: /no/such/file.txt"),
    (["--input", "ONE", "--foundation", "no-such-model"], "unknown model 'no-such-model'"),
])
def test_analyze_command_errors_are_clear(tmp_path, args, message):
    from click.testing import CliRunner

    from pretty_framework.cli import cli

    (tmp_path / "empty.txt").write_text("\n  \n")
    (tmp_path / "one.txt").write_text("Hello.\n")
    args = [{"EMPTY": str(tmp_path / "empty.txt"), "ONE": str(tmp_path / "one.txt")}.get(a, a) for a in args]
    result = CliRunner().invoke(cli, ["analyze", "--src", "en", "--tgt", "de", "-o", str(tmp_path / "out"), *args])
    assert result.exit_code == 1 and message in result.stderr
