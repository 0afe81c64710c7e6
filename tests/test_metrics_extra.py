"""ROUGE for any script, POS scoring, spBLEU/COMET offline behaviour, and the scorer over run records."""

import pytest
from conftest import flores_lines

from pretty_framework.errors import InputError, UnknownNameError
from pretty_framework.evaluation.metrics import MetricUnavailable, comet, pct_sft, spbleu
from pretty_framework.evaluation.pos import score_pos
from pretty_framework.evaluation.rouge import corpus_rouge, tokenize
from pretty_framework.evaluation.scoring import MetricOptions, evaluate


def test_rouge_on_the_classic_english_example():
    # Hand-computed: R1 = R-L = 12/13, R2 = 16/22 (rouge-score gives the same on this pair).
    scores = corpus_rouge(["the cat was found under the bed"], ["the cat was under the bed"])
    assert scores.rouge1 == pytest.approx(100 * 12 / 13)
    assert scores.rouge2 == pytest.approx(100 * 16 / 22)
    assert scores.rougeL == pytest.approx(100 * 12 / 13)


def test_rouge_on_chinese_counts_characters():
    # 我爱北京 vs 我爱上海: unigrams 2/4 -> F 0.5; bigrams 1/3 -> F 1/3; LCS 2 -> F 0.5.
    scores = corpus_rouge(["我爱北京。"], ["我爱上海"])
    assert (scores.rouge1, scores.rouge2, scores.rougeL) == pytest.approx((50.0, 100 / 3, 50.0))
    assert corpus_rouge(["完全不同"], ["我爱上海"]).rouge1 == 0


def test_tokenizer_keeps_hindi_and_arabic_words_whole():
    assert tokenize("नमस्ते दुनिया") == ["नमस्ते", "दुनिया"]  # vowel signs and virama stay inside
    assert tokenize("مرحبا بالعالم!") == ["مرحبا", "بالعالم"]
    assert tokenize("Hello, WORLD 3.5") == ["hello", "world", "3", "5"]
    assert corpus_rouge(["नमस्ते दुनिया"], ["नमस्ते दोस्त"]).rouge1 == pytest.approx(50.0)


def test_rouge_corpus_is_the_mean_of_pairs():
    scores = corpus_rouge(["a b", "c d"], ["a b", "x y"])
    assert scores.rouge1 == pytest.approx(50.0)
    with pytest.raises(ValueError, match="2 hypotheses but 1"):
        corpus_rouge(["a", "b"], ["a"])


def test_pos_scores_align_words_before_comparing_tags():
    gold = [[("Le", "DET"), ("chat", "NOUN"), ("dort", "VERB"), (".", "PUNCT")], [("Oui", "INTJ")]]
    predicted = [[("Le", "DET"), ("chat", "ADJ"), ("dort", "VERB")], []]  # a word missing, an unparseable answer
    counts = score_pos(predicted, gold)
    assert (counts.correct, counts.predicted, counts.gold, counts.unparsed) == (2, 3, 5, 1)
    assert counts.precision == pytest.approx(200 / 3) and counts.recall == pytest.approx(40.0)
    assert counts.f1 == pytest.approx(50.0)
    # An inserted word does not shift the rest: "chat" and "dort" still meet their gold words.
    inserted = [[("Le", "DET"), ("gros", "ADJ"), ("chat", "NOUN"), ("dort", "VERB"), (".", "PUNCT")]]
    assert score_pos(inserted, gold[:1]).correct == 4


def test_spbleu_without_its_model_says_where_to_put_it(monkeypatch):
    monkeypatch.delenv("PRETTY_SPM_MODEL", raising=False)
    with pytest.raises(MetricUnavailable, match="--spm-model or PRETTY_SPM_MODEL") as error:
        spbleu(["a"], ["a"], model_file="/nonexistent/flores200.model")
    assert "flores200sacrebleuspm" in str(error.value)


def test_spbleu_equals_sacrebleu_flores_tokenizer_on_the_same_model(tmp_path, monkeypatch):
    import sentencepiece
    from sacrebleu.metrics import BLEU
    from sacrebleu.tokenizers import tokenizer_spm

    lines = flores_lines("deu_Latn", 200)
    (tmp_path / "train.txt").write_text("\n".join(lines))
    sentencepiece.SentencePieceTrainer.train(input=str(tmp_path / "train.txt"), model_prefix=str(tmp_path / "spm"),
                                             vocab_size=300, logstream=open("/dev/null", "w"))
    # sacrebleu looks for the model in its cache folder: put our model there under the name it expects.
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "flores200sacrebleuspm").write_bytes((tmp_path / "spm.model").read_bytes())
    monkeypatch.setattr(tokenizer_spm, "SACREBLEU_DIR", str(tmp_path))
    hypotheses = [line.replace("die", "das") for line in lines[:20]]
    expected = BLEU(tokenize="flores200").corpus_score(hypotheses, [lines[:20]]).score
    ours = spbleu(hypotheses, lines[:20], model_file=str(tmp_path / "spm.model"))
    assert ours.score == pytest.approx(expected) and 0 < ours.score < 100
    assert "tok:flores200" in ours.signature


def test_comet_without_a_local_model_is_a_clear_skip():
    with pytest.raises(MetricUnavailable, match="--comet-model"):
        comet(["a"], ["b"], ["c"], None)


def test_pct_sft():
    assert pct_sft(20.0, 25.0) == pytest.approx(80.0)
    assert pct_sft(5.0, 0.0) is None


def test_evaluate_counts_failures_and_skips_unavailable_metrics():
    records = [{"output": "Die Katze schläft.", "reference": "Die Katze schläft.", "parsed_ok": True},
               {"output": "", "reference": "Der Hund bellt.", "parsed_ok": False}]
    result = evaluate(records, "translation", "deu_Latn", ["chrf", "spbleu"],
                      MetricOptions(spm_model="/nonexistent"))
    assert result["n"] == 2 and result["parse_failures"] == 1
    assert 0 < result["scores"]["chrF"] < 100  # the failure is scored as an empty hypothesis, not dropped
    assert "spbleu" in result["skipped"]
    with pytest.raises(UnknownNameError, match="known: bleu, chrf"):
        evaluate(records, "translation", "deu_Latn", ["meteor"])
    with pytest.raises(InputError, match="no reference"):
        evaluate([{"output": "x"}], "translation", "deu_Latn", ["bleu"])


def test_evaluate_pos_records_with_gold_fields():
    fields = {"words": ["Le", "chat"], "upos": ["DET", "NOUN"]}
    records = [{"output": '[{"Le": "DET"}, {"chat": "VERB"}]', "parsed_ok": True, "fields": fields,
                "prior": '[{"Le": "DET"}, '},
               {"output": "[]", "parsed_ok": False, "fields": fields, "prior": '[{"Le": "PRON"}, '}]
    result = evaluate(records, "pos", None)
    assert result["scores"]["POS-P"] == pytest.approx(50.0) and result["scores"]["POS-R"] == pytest.approx(25.0)
    assert result["scores"]["prior-acc"] == pytest.approx(50.0)
    assert result["parse_failures"] == 1
