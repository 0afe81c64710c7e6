"""The built-in metrics as :class:`Metric` objects, registered by the core plugin like any plugin's.

Each is a thin adapter over the module that computes it (sacrebleu in
:mod:`.metrics`, :mod:`.rouge`, :mod:`.langid`, :mod:`.pos`); those import their
libraries when a score is first computed, so registering costs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pretty_framework.errors import InputError
from pretty_framework.evaluation import metrics as sacrebleu_metrics
from pretty_framework.evaluation.metric import Metric, MetricInput, MetricResult


def _result(score: sacrebleu_metrics.Score) -> MetricResult:
    return MetricResult({score.name: score.score}, {score.name: score.signature})


class Bleu(Metric):
    name = "bleu"
    columns = ("BLEU",)
    description = "sacrebleu BLEU, with the tokenizer sacrebleu recommends for the target language"

    def compute(self, data: MetricInput) -> MetricResult:
        return _result(sacrebleu_metrics.bleu(data.hypotheses, data.references(), data.target))


class Chrf(Metric):
    name = "chrf"
    columns = ("chrF",)
    description = "sacrebleu chrF (character n-grams; script-independent)"

    def compute(self, data: MetricInput) -> MetricResult:
        return _result(sacrebleu_metrics.chrf(data.hypotheses, data.references()))


class SpBleu(Metric):
    name = "spbleu"
    columns = ("spBLEU",)
    description = "BLEU on the Flores SentencePiece pieces (needs the model file: --spm-model)"

    def compute(self, data: MetricInput) -> MetricResult:
        options = data.options
        return _result(sacrebleu_metrics.spbleu(data.hypotheses, data.references(), options.spm_kind,
                                                options.spm_model))


class Comet(Metric):
    name = "comet"
    columns = ("COMET",)
    description = "COMET with a local checkpoint (--comet-model)"

    def compute(self, data: MetricInput) -> MetricResult:
        references = data.references()
        return _result(sacrebleu_metrics.comet(data.sources, data.hypotheses, references, data.options.comet_model))


class Rouge(Metric):
    name = "rouge"
    columns = ("ROUGE-1", "ROUGE-2", "ROUGE-L")
    description = "ROUGE-1/2/L F-scores for any script (characters where words are not spaced)"

    def compute(self, data: MetricInput) -> MetricResult:
        from pretty_framework.evaluation.rouge import corpus_rouge

        rouge = corpus_rouge(data.hypotheses, data.references())
        return MetricResult({"ROUGE-1": rouge.rouge1, "ROUGE-2": rouge.rouge2, "ROUGE-L": rouge.rougeL},
                            {"ROUGE": rouge.signature})


class TargetLanguageRate(Metric):
    name = "langid"
    columns = ("target-lang%",)
    description = "how many outputs are in the target language (the paper's Appendix C.3 success rate)"

    def compute(self, data: MetricInput) -> MetricResult:
        from pretty_framework.evaluation.langid import target_language_rate

        if data.target is None:
            raise InputError("the target-language rate needs the target language (--tgt)")
        return MetricResult({"target-lang%": 100 * target_language_rate(data.hypotheses, data.target)},
                            {"target-lang%": "langid|langdetect-1.0.9|seed:0|han-rule"})


class PosTagging(Metric):
    name = "pos"
    columns = ("POS-P", "POS-R", "POS-F1", "prior-acc")
    description = "UPOS precision/recall/F1 against gold tags, and how often the prior's tag is right"

    def compute(self, data: MetricInput) -> MetricResult:
        from pretty_framework.evaluation.pos import score_pos
        from pretty_framework.tasks.pos import parse_pairs

        records = data.records
        golds = [_gold_tags(r) for r in records]
        predictions = [parse_pairs(r.get("output") or "") if r.get("parsed_ok", True) else [] for r in records]
        counts = score_pos(predictions, golds)
        scores = {"POS-P": counts.precision, "POS-R": counts.recall, "POS-F1": counts.f1}
        # The paper's Table 4: how often the prior (the first word's tag) is right.
        with_prior = [(r["prior"], gold[0][1]) for r, gold in zip(records, golds) if r.get("prior") and gold]
        if with_prior:
            scores["prior-acc"] = 100 * sum(_prior_tag(prior) == gold for prior, gold in with_prior) / len(with_prior)
        return MetricResult(scores, {"POS": "pos|align:difflib-casefold|avg:micro|tags:upos"})


def _gold_tags(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    fields = record.get("fields") or {}
    words, tags = fields.get("words"), fields.get("upos")
    if not isinstance(words, list) or not isinstance(tags, list) or len(words) != len(tags):
        raise InputError(f"record {record.get('id')!r} has no gold 'words' and 'upos' fields; "
                         "score POS against a CoNLL-U file with --reference FILE.conllu")
    return list(zip(words, tags))


def _prior_tag(prior: str) -> str:
    """The tag a POS prior gives the first word: framed (``[{"Le": "DET"}, ``) or bare (``DET``)."""
    from pretty_framework.tasks.pos import parse_pairs

    pairs = parse_pairs(prior)
    return pairs[0][1] if pairs else prior.strip().upper()


BUILTIN_METRICS: tuple[type[Metric], ...] = (Bleu, Chrf, SpBleu, Comet, Rouge, TargetLanguageRate, PosTagging)
