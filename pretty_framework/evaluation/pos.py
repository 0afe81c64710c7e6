"""POS precision, recall and F1 against UD gold, with predicted words aligned to gold words.

A model may skip, merge or invent words, so position i of the answer is not
gold word i. The predicted word sequence is aligned to the gold one
(``difflib`` matching blocks on case-folded words); a predicted pair is correct
when it is aligned to a gold word with the same tag. Precision is over
predicted pairs, recall over gold words (an unparseable answer predicts
nothing, so its words count against recall), F1 from the corpus totals
(micro-averaged).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PosCounts:
    """Corpus counts and the scores they give (x100)."""

    correct: int
    predicted: int
    gold: int
    sentences: int
    unparsed: int  # answers with no (word, tag) pair

    @property
    def precision(self) -> float:
        return 100 * self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return 100 * self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def aligned_correct(predicted: Sequence[tuple[str, str]], gold: Sequence[tuple[str, str]]) -> int:
    """How many predicted pairs align to a gold word with the same tag."""
    matcher = difflib.SequenceMatcher(a=[w.casefold() for w, _ in predicted], b=[w.casefold() for w, _ in gold],
                                      autojunk=False)
    correct = 0
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            correct += predicted[block.a + offset][1] == gold[block.b + offset][1]
    return correct


def sentence_counts(prediction: Sequence[tuple[str, str]], gold: Sequence[tuple[str, str]]) -> PosCounts:
    """The counts of one sentence (sum them with :func:`total`)."""
    return PosCounts(aligned_correct(prediction, gold), len(prediction), len(gold), 1, int(not prediction))


def total(counts: Sequence[PosCounts]) -> PosCounts:
    """Corpus counts: the sum of sentence counts (micro-averaging)."""
    return PosCounts(*(sum(getattr(c, name) for c in counts) for name in
                       ("correct", "predicted", "gold", "sentences", "unparsed")))


def score_pos(predictions: Sequence[Sequence[tuple[str, str]]], golds: Sequence[Sequence[tuple[str, str]]]) -> PosCounts:
    """Corpus counts for aligned lists of predicted and gold (word, tag) sentences."""
    if len(predictions) != len(golds):
        raise ValueError(f"{len(predictions)} predictions but {len(golds)} gold sentences")
    return total([sentence_counts(prediction, gold) for prediction, gold in zip(predictions, golds)])
