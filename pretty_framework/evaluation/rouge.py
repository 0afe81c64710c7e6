"""ROUGE-N and ROUGE-L for any script.

The usual ``rouge-score`` tokenizer keeps only ``[a-z0-9]``, so Chinese, Hindi
or Arabic text scores zero. Here a token is a run of Unicode letters, digits
and combining marks, case-folded (Python's ``\\w`` leaves combining marks out,
which would cut a Devanagari word at its vowel signs), and each character of a
script written without spaces (Han, Kana, Thai, Lao, Khmer, Myanmar, Tibetan)
is a token of its own. Scores are per-pair F-measures averaged over the
corpus, times 100, as CrossSum reports them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# Scripts written without spaces between words: one character, one token.
_UNSPACED = re.compile(
    "[\u0e00-\u0eff"  # Thai, Lao
    "\u0f00-\u0fff"  # Tibetan
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"  # Han
)


def _in_word(character: str) -> bool:
    # Letters, digits and combining marks: a Devanagari vowel sign or virama stays inside its word.
    return unicodedata.category(character)[0] in "LNM"


def tokenize(text: str) -> list[str]:
    """ROUGE tokens of ``text``: words, and single characters in unspaced scripts."""
    tokens: list[str] = []
    word: list[str] = []
    for character in unicodedata.normalize("NFKC", text).casefold():
        if _in_word(character) and not _UNSPACED.match(character):
            word.append(character)
            continue
        if word:
            tokens.append("".join(word))
            word = []
        if _UNSPACED.match(character) and _in_word(character):
            tokens.append(character)
    if word:
        tokens.append("".join(word))
    return tokens


def _f_measure(overlap: int, predicted: int, gold: int) -> float:
    if overlap == 0:
        return 0.0
    precision, recall = overlap / predicted, overlap / gold
    return 2 * precision * recall / (precision + recall)


def rouge_n(hypothesis: Sequence[str], reference: Sequence[str], n: int) -> float:
    """ROUGE-N F-measure of two token lists."""
    hyp = Counter(tuple(hypothesis[i : i + n]) for i in range(len(hypothesis) - n + 1))
    ref = Counter(tuple(reference[i : i + n]) for i in range(len(reference) - n + 1))
    return _f_measure(sum((hyp & ref).values()), sum(hyp.values()), sum(ref.values()))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (dynamic programming, one row)."""
    if len(a) < len(b):
        a, b = b, a
    row = [0] * (len(b) + 1)
    for token in a:
        diagonal = 0
        for j, other in enumerate(b, start=1):
            above = row[j]
            row[j] = diagonal + 1 if token == other else max(row[j], row[j - 1])
            diagonal = above
    return row[-1]


def rouge_l(hypothesis: Sequence[str], reference: Sequence[str]) -> float:
    """ROUGE-L (sentence-level LCS) F-measure of two token lists."""
    return _f_measure(lcs_length(hypothesis, reference), len(hypothesis), len(reference))


@dataclass(frozen=True)
class RougeScores:
    """Corpus ROUGE-1/2/L (mean of per-pair F-measures, x100)."""

    rouge1: float
    rouge2: float
    rougeL: float  # the name every ROUGE report uses
    signature: str = "rouge|tok:unicode-words+unspaced-chars|case:fold|stat:mean-f"


def pair_scores(hypothesis: str, reference: str) -> tuple[float, float, float]:
    """ROUGE-1, ROUGE-2 and ROUGE-L F-measures (x100) of one hypothesis against its reference."""
    hyp, ref = tokenize(hypothesis), tokenize(reference)
    return 100 * rouge_n(hyp, ref, 1), 100 * rouge_n(hyp, ref, 2), 100 * rouge_l(hyp, ref)


def corpus_rouge(hypotheses: Sequence[str], references: Sequence[str]) -> RougeScores:
    """ROUGE-1, ROUGE-2 and ROUGE-L over aligned hypothesis and reference lists (the mean of :func:`pair_scores`)."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    if not hypotheses:
        raise ValueError("no hypotheses to score")
    pairs = [pair_scores(hypothesis, reference) for hypothesis, reference in zip(hypotheses, references)]
    one, two, longest = (sum(column) / len(pairs) for column in zip(*pairs))
    return RougeScores(one, two, longest)
