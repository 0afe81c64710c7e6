"""Corpus metrics through sacrebleu, each returned with its reproducibility signature."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    """A corpus score and the sacrebleu signature that makes it reproducible."""

    name: str
    score: float
    signature: str


def _streams(references: Sequence[str] | Sequence[Sequence[str]]) -> list[list[str]]:
    """One reference stream (a list of strings) or several (a list of lists), as sacrebleu wants them."""
    if references and not isinstance(references[0], str):
        return [list(stream) for stream in references]
    return [list(references)]


def _tokenizer_for(target: str | None) -> str:
    from pretty_framework.languages import resolve_language

    if target is None:
        return "13a"
    script = resolve_language(target).script
    return {"Hans": "zh", "Hant": "zh", "Jpan": "ja-mecab", "Hang": "ko-mecab"}.get(script, "13a")


def chrf(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]]) -> Score:
    """chrF (character n-gram F-score; script-independent)."""
    from sacrebleu.metrics import CHRF

    metric = CHRF()
    result = metric.corpus_score(list(hypotheses), _streams(references))
    return Score("chrF", result.score, str(metric.get_signature()))


def bleu(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]],
         target: str | None = None) -> Score:
    """BLEU with the tokenizer sacrebleu recommends for the target language (``zh`` for Chinese)."""
    from sacrebleu.metrics import BLEU

    metric = BLEU(tokenize=_tokenizer_for(target))
    result = metric.corpus_score(list(hypotheses), _streams(references))
    return Score("BLEU", result.score, str(metric.get_signature()))
