"""Score a run's records with the metrics of its task: one entry point for ``pretty eval`` and ``pretty run``.

A record is what ``pretty decode`` writes (``output``, ``reference``,
``parsed_ok``, ``prior``, ``fields``). Every record is scored: an empty or
unparseable output is scored as what it is (an empty hypothesis, no tags) and
counted under ``parse_failures``, never dropped. A metric that cannot run here
(spBLEU without its SentencePiece model, COMET without its checkpoint) lands
under ``skipped`` with the reason, and the other metrics still run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pretty_framework.errors import InputError, UnknownNameError
from pretty_framework.evaluation import metrics as m

DEFAULT_METRICS = {
    "translation": ("bleu", "chrf", "langid"),
    "summarization": ("rouge", "chrf", "langid"),
    "pos": ("pos",),
}
KNOWN_METRICS = ("bleu", "chrf", "spbleu", "comet", "rouge", "langid", "pos")


@dataclass(frozen=True)
class MetricOptions:
    """Where the optional metrics find their models."""

    spm_kind: str = "flores200"
    spm_model: str | None = None
    comet_model: str | None = None


def metric_names(task: str, requested: Sequence[str] | None) -> tuple[str, ...]:
    """The metrics to compute: ``requested`` (checked) or the task's defaults."""
    names = tuple(requested) if requested else DEFAULT_METRICS.get(task, ("chrf",))
    for name in names:
        if name not in KNOWN_METRICS:
            raise UnknownNameError("metric", name, KNOWN_METRICS)
    return names


def _references(records: Sequence[Mapping[str, Any]]) -> list[str]:
    missing = [str(r.get("id", i + 1)) for i, r in enumerate(records) if not isinstance(r.get("reference"), str)]
    if missing:
        raise InputError(f"{len(missing)} records have no reference (first: {missing[0]}); "
                         "give --reference or decode with references attached")
    return [r["reference"] for r in records]


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


def _pos_scores(records: Sequence[Mapping[str, Any]], scores: dict[str, Any], signatures: dict[str, str]) -> None:
    from pretty_framework.evaluation.pos import score_pos
    from pretty_framework.tasks.pos import parse_pairs

    golds = [_gold_tags(r) for r in records]
    predictions = [parse_pairs(r.get("output") or "") if r.get("parsed_ok", True) else [] for r in records]
    counts = score_pos(predictions, golds)
    scores.update({"POS-P": counts.precision, "POS-R": counts.recall, "POS-F1": counts.f1})
    signatures["POS"] = "pos|align:difflib-casefold|avg:micro|tags:upos"
    # The paper's Table 4: how often the prior (the first word's tag) is right.
    with_prior = [(r["prior"], gold[0][1]) for r, gold in zip(records, golds) if r.get("prior") and gold]
    if with_prior:
        scores["prior-acc"] = 100 * sum(_prior_tag(prior) == gold for prior, gold in with_prior) / len(with_prior)


def evaluate(records: Sequence[Mapping[str, Any]], task: str, target: str | None,
             requested: Sequence[str] | None = None, options: MetricOptions | None = None) -> dict[str, Any]:
    """Scores, signatures, skipped metrics and failure counts for ``records`` (all of them)."""
    if not records:
        raise InputError("no records to score")
    options = options or MetricOptions()
    names = metric_names(task, requested)
    hypotheses = [r.get("output") or "" for r in records]
    scores: dict[str, Any] = {}
    signatures: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for name in names:
        if name == "pos":
            _pos_scores(records, scores, signatures)
        elif name == "langid":
            from pretty_framework.evaluation.langid import target_language_rate

            if target is None:
                raise InputError("the target-language rate needs the target language (--tgt)")
            scores["target-lang%"] = 100 * target_language_rate(hypotheses, target)
            signatures["target-lang%"] = "langid|langdetect-1.0.9|seed:0|han-rule"
        elif name == "rouge":
            from pretty_framework.evaluation.rouge import corpus_rouge

            rouge = corpus_rouge(hypotheses, _references(records))
            scores.update({"ROUGE-1": rouge.rouge1, "ROUGE-2": rouge.rouge2, "ROUGE-L": rouge.rougeL})
            signatures["ROUGE"] = rouge.signature
        else:
            try:
                score = _sacrebleu_metric(name, records, hypotheses, target, options)
            except m.MetricUnavailable as reason:
                skipped[name] = str(reason)
                continue
            scores[score.name] = score.score
            signatures[score.name] = score.signature
    failures = sum(1 for r in records if not r.get("parsed_ok", bool(r.get("output"))))
    return {"n": len(records), "scores": scores, "signatures": signatures, "skipped": skipped,
            "parse_failures": failures}


def _sacrebleu_metric(name: str, records: Sequence[Mapping[str, Any]], hypotheses: list[str], target: str | None,
                      options: MetricOptions) -> m.Score:
    references = _references(records)
    if name == "bleu":
        return m.bleu(hypotheses, references, target)
    if name == "chrf":
        return m.chrf(hypotheses, references)
    if name == "spbleu":
        return m.spbleu(hypotheses, references, options.spm_kind, options.spm_model)
    sources = [r.get("source") or "" for r in records]
    return m.comet(sources, hypotheses, references, options.comet_model)
