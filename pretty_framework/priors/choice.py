"""Pseudo priors chosen by the model: a provider offers candidates, the foundation model picks one.

A provider may answer a :class:`~pretty_framework.priors.types.Prior` with
``candidates`` (other texts it would accept in place of ``text``, its first
choice). Each candidate is joined to its item's prompt exactly as the engine
joins a prior (framed, cut to k tokens), every candidate of the whole batch is
scored by the backend in one call (``backend.score``: the log-probability of
the answer tokens after the prompt), and the best one becomes the prior. The
provenance lists every candidate with its score.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from pretty_framework.priors.cutting import JoinedPrompt
from pretty_framework.priors.types import Prior

log = logging.getLogger(__name__)

_warned: set[str] = set()  # backends already warned about having no score()


def has_candidates(priors: Sequence[Prior | None]) -> bool:
    """Whether any prior offers candidates for the model to choose among."""
    return any(prior is not None and prior.candidates for prior in priors)


def choose_priors(backend: Any, priors: Sequence[Prior | None],
                  joined_for: Callable[[int, Prior], JoinedPrompt]) -> list[Prior | None]:
    """``priors`` with each one that has candidates replaced by the candidate the model scores best.

    ``joined_for(index, prior)`` is the prompt + prior the engine would give the model for ``priors[index]``
    (the engine's own joining, so a candidate is scored as the model would see it). The provider's first
    choice (``text``) is always a candidate, listed first; a repeated text counts once, and a candidate that
    leaves no answer token after joining is dropped. One ``backend.score`` call scores the whole batch.
    Priors without candidates come back as they are (no call at all when none has any). A backend without
    ``score`` keeps the first choices, with a warning (once per backend).

    The chosen prior has the winner as ``text``, no candidates, and a provenance whose ``candidates`` lists
    every candidate with its score (mean log-probability per answer token, rounded to 4 places) and whose
    ``detail`` names the choice.
    """
    if not has_candidates(priors):
        return list(priors)
    score = getattr(backend, "score", None)
    if score is None:
        name = getattr(backend, "name", type(backend).__name__)
        if name not in _warned:
            _warned.add(name)
            log.warning("backend %r cannot score candidate priors (it has no score()); each provider's first "
                        "choice is used", name)
        return list(priors)
    # Every candidate of every prior, then one scoring call for the batch.
    offered: dict[int, list[tuple[str, int]]] = {}  # prior index -> (text, row in the score call)
    rows: list[list[int]] = []
    starts: list[int] = []
    answer_tokens: list[int] = []
    for index, prior in enumerate(priors):
        if prior is None or not prior.candidates:
            continue
        texts = [text for text in dict.fromkeys((prior.text, *prior.candidates)) if text and text.strip()]
        for text in texts:
            joined = joined_for(index, replace(prior, text=text, candidates=()))
            first = max(1, joined.answer_start)  # the first token has no context: score() never counts it
            if len(joined.ids) <= first:
                continue  # nothing of the candidate would reach the model
            offered.setdefault(index, []).append((text, len(rows)))
            rows.append(list(joined.ids))
            starts.append(joined.answer_start)
            answer_tokens.append(len(joined.ids) - first)
    totals = score(rows, starts) if rows else []
    chosen = list(priors)
    for index, candidates in offered.items():
        prior = priors[index]
        assert prior is not None
        # The mean log-probability per answer token, not the sum: a sum falls with every token, so it would
        # favour the shortest candidates (one-token words, fragments) whatever they say; the mean asks how
        # natural each token of the candidate is after the prompt, whatever its length.
        means = [(text, totals[row] / answer_tokens[row]) for text, row in candidates]
        winner, best = means[0]
        for text, mean in means[1:]:
            if mean > best:  # strictly: a tie keeps the earlier candidate, the provider's first choice first
                winner, best = text, mean
        provenance = prior.provenance
        choice = f"model chose {winner!r} of {len(means)} candidates"
        if winner != prior.text:
            choice += f" (provider's first choice {prior.text!r})"
        chosen[index] = replace(prior, text=winner, candidates=(), provenance=replace(
            provenance, detail=f"{provenance.detail}; {choice}" if provenance.detail else choice,
            candidates=tuple((text, round(mean, 4)) for text, mean in means)))
    return chosen
