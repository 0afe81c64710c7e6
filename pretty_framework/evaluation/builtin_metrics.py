"""The built-in metrics as :class:`Metric` objects, registered by the core plugin like any plugin's.

Each is a thin adapter over the module that computes it (sacrebleu in
:mod:`.metrics`, :mod:`.rouge`, :mod:`.langid`, :mod:`.pos`); those import their
libraries when a score is first computed, so registering costs nothing.
Each also has a scorer (:meth:`Metric.scorer`) that computes its per-record
statistics once, so that 1,000 bootstrap resamples cost little: sacrebleu's
sufficient statistics, ROUGE's per-pair F-measures, POS counts, language hits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pretty_framework.errors import InputError, MetricUnavailable
from pretty_framework.evaluation import metrics as sacrebleu_metrics
from pretty_framework.evaluation.metric import Metric, MetricInput, MetricResult

if TYPE_CHECKING:
    from pretty_framework.evaluation.bootstrap import Bootstrap, Interval, Scorer


def _result(score: sacrebleu_metrics.Score) -> MetricResult:
    return MetricResult({score.name: score.score}, {score.name: score.signature})


class SacrebleuMetric(Metric):
    """A sacrebleu metric: its score, interval and paired test are sacrebleu's own."""

    def corpus(self, data: MetricInput) -> sacrebleu_metrics.SacrebleuCorpus:
        """The sacrebleu corpus of ``data`` for this metric (``name`` is sacrebleu_metrics' kind)."""
        return sacrebleu_metrics.corpus(self.name, data.hypotheses, data.references(), data.target)

    def compute(self, data: MetricInput) -> MetricResult:
        return _result(self.corpus(data).score())

    def scorer(self, data: MetricInput) -> Scorer:
        return self.corpus(data).scorer()

    def confidence(self, data: MetricInput, bootstrap: Bootstrap) -> dict[str, Interval]:
        from pretty_framework.evaluation.bootstrap import Interval

        mean, ci = self.corpus(data).interval(bootstrap.samples)
        return {self.columns[0]: Interval(mean, ci)}

    def paired_test(self, baseline: MetricInput, systems: Sequence[MetricInput],
                    bootstrap: Bootstrap) -> list[dict[str, float]]:
        references = baseline.references()
        for system in systems:
            if system.references() != references:
                raise InputError(f"a paired test needs the baseline's items: {self.name} systems score other "
                                 "references than the baseline")
        different = [system for system in systems if system.hypotheses != baseline.hypotheses]
        p_values = iter(self.corpus(baseline).paired_p_values([system.hypotheses for system in different],
                                                              bootstrap.samples) if different else [])
        # The same outputs as the baseline's are no difference at all (sacrebleu's test would call them significant).
        return [{self.columns[0]: next(p_values) if system.hypotheses != baseline.hypotheses else 1.0}
                for system in systems]


class Bleu(SacrebleuMetric):
    name = "bleu"
    columns = ("BLEU",)
    description = "sacrebleu BLEU, with the tokenizer sacrebleu recommends for the target language"


class Chrf(SacrebleuMetric):
    name = "chrf"
    columns = ("chrF",)
    description = "sacrebleu chrF (character n-grams; script-independent)"


class ChrfPlusPlus(SacrebleuMetric):
    name = "chrf++"
    columns = ("chrF++",)
    description = "sacrebleu chrF++ (chrF with word unigrams and bigrams, CHRF(word_order=2))"


class Ter(SacrebleuMetric):
    name = "ter"
    columns = ("TER",)
    higher_is_better = False
    description = "sacrebleu TER, translation edit rate (lower is better; Asian-script support for CJK targets)"


class SpBleu(SacrebleuMetric):
    name = "spbleu"
    columns = ("spBLEU",)
    description = "BLEU on the Flores SentencePiece pieces (needs the model file: --spm-model)"

    def corpus(self, data: MetricInput) -> sacrebleu_metrics.SacrebleuCorpus:
        options = data.options
        return sacrebleu_metrics.spbleu_corpus(data.hypotheses, data.references(), options.spm_kind,
                                               options.spm_model)


def _mean_scorer(column: str, values: Sequence[float]) -> Scorer:
    """A scorer for a corpus score that is the mean of per-record values."""
    import numpy as np

    array = np.asarray(values, dtype=float)
    return lambda indices: {column: float(array[indices].mean())}


class Comet(Metric):
    name = "comet"
    columns = ("COMET",)
    description = "COMET with a local checkpoint (--comet-model)"

    def _segments(self, data: MetricInput) -> tuple[float, ...]:
        options = data.options
        return sacrebleu_metrics.comet_segments(data.sources, data.hypotheses, data.references(),
                                                options.comet_model, progress=options.progress)

    def compute(self, data: MetricInput) -> MetricResult:
        options = data.options
        return _result(sacrebleu_metrics.comet(data.sources, data.hypotheses, data.references(), options.comet_model,
                                               progress=options.progress))

    def scorer(self, data: MetricInput) -> Scorer:
        return _mean_scorer("COMET", self._segments(data))


class Rouge(Metric):
    name = "rouge"
    columns = ("ROUGE-1", "ROUGE-2", "ROUGE-L")
    description = "ROUGE-1/2/L F-scores for any script (characters where words are not spaced)"

    def compute(self, data: MetricInput) -> MetricResult:
        from pretty_framework.evaluation.rouge import corpus_rouge

        rouge = corpus_rouge(data.hypotheses, data.references())
        return MetricResult({"ROUGE-1": rouge.rouge1, "ROUGE-2": rouge.rouge2, "ROUGE-L": rouge.rougeL},
                            {"ROUGE": rouge.signature})

    def scorer(self, data: MetricInput) -> Scorer:
        import numpy as np

        from pretty_framework.evaluation.rouge import pair_scores

        pairs = np.array([pair_scores(h, r) for h, r in zip(data.hypotheses, data.references())], dtype=float)
        return lambda indices: dict(zip(self.columns, (float(v) for v in pairs[indices].mean(axis=0))))


class TargetLanguageRate(Metric):
    name = "langid"
    columns = ("target-lang%",)
    description = ("how many outputs are in the target language (the paper's Appendix C.3 success rate; "
                   "py3langid, or $PRETTY_LANGID; unavailable where the identifier does not know the language)")
    identifier: str | None = None  # a registered language identifier; None: $PRETTY_LANGID or py3langid

    def _hits(self, data: MetricInput) -> list[float]:
        from pretty_framework.evaluation.langid import target_language_hits

        if data.target is None:
            raise MetricUnavailable(f"{self.columns[0]} needs the target language: give --tgt")
        return [100.0 * hit for hit in target_language_hits(data.hypotheses, data.target, self.identifier)]

    def compute(self, data: MetricInput) -> MetricResult:
        from pretty_framework.evaluation.langid import get_identifier

        hits = self._hits(data)
        return MetricResult({self.columns[0]: sum(hits) / len(hits)},
                            {self.columns[0]: get_identifier(self.identifier).signature()})

    def scorer(self, data: MetricInput) -> Scorer:
        return _mean_scorer(self.columns[0], self._hits(data))


class PosTagging(Metric):
    name = "pos"
    columns = ("POS-P", "POS-R", "POS-F1", "prior-acc")
    description = "UPOS precision/recall/F1 against gold tags, and how often the prior's tag is right"

    def _per_record(self, data: MetricInput) -> tuple[list[Any], list[bool | None]]:
        """Each record's counts, and whether its prior's tag is right (None: no prior)."""
        from pretty_framework.evaluation.pos import sentence_counts
        from pretty_framework.tasks.pos import parse_pairs

        counts, priors = [], []
        for record in data.records:
            gold = _gold_tags(record)
            prediction = parse_pairs(record.get("output") or "") if record.get("parsed_ok", True) else []
            counts.append(sentence_counts(prediction, gold))
            # The paper's Table 4: how often the prior (the first word's tag) is right.
            priors.append(_prior_tag(record["prior"]) == gold[0][1] if record.get("prior") and gold else None)
        return counts, priors

    @staticmethod
    def _scores(counts: Sequence[Any], priors: Sequence[bool | None]) -> dict[str, float]:
        from pretty_framework.evaluation.pos import total

        summed = total(counts)
        scores = {"POS-P": summed.precision, "POS-R": summed.recall, "POS-F1": summed.f1}
        judged = [right for right in priors if right is not None]
        if judged:
            scores["prior-acc"] = 100 * sum(judged) / len(judged)
        return scores

    def compute(self, data: MetricInput) -> MetricResult:
        counts, priors = self._per_record(data)
        return MetricResult(self._scores(counts, priors), {"POS": "pos|align:difflib-casefold|avg:micro|tags:upos"})

    def scorer(self, data: MetricInput) -> Scorer:
        counts, priors = self._per_record(data)
        return lambda indices: self._scores([counts[i] for i in indices], [priors[i] for i in indices])


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


BUILTIN_METRICS: tuple[type[Metric], ...] = (Bleu, Chrf, ChrfPlusPlus, Ter, SpBleu, Comet, Rouge, TargetLanguageRate,
                                             PosTagging)
