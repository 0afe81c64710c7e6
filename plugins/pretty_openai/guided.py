"""Guides between requests: a row's completion with the guides that need no per-step logits (reprime).

Before the request the tokens a guide restricts the next steps to are chosen (by their log-probabilities after
the prompt, one request per choice among several); then one completion, each of its tokens shown to the guides;
one that asks to re-thread ends the row here (stop reason ``rethread``: the rounds continue it in a new request
from the kept text, which a prefix-caching server computes once).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from pretty_framework.api import Generation, GenerationSettings, Steering

from .client import ServerError
from .logprobs import top_logprobs

log = logging.getLogger(__name__)

CHOICE_TOP_K = 20  # log-probabilities asked for when a guide lets the model choose among a few tokens


def guided_completion(backend: Any, row: int, prompt: list[int], settings: GenerationSettings,
                      steering: Steering) -> Generation:
    """Row ``row`` of ``steering`` continued after ``prompt`` with its guides acting."""
    written: list[int] = []
    while len(written) < settings.max_new_tokens and (allowed := steering.choices(row)):
        token = allowed[0] if len(allowed) == 1 else likeliest(backend, prompt + written, allowed)
        written.append(token)
        if steering.observe(row, token) is not None:
            return Generation(written, "rethread")
    if len(written) >= settings.max_new_tokens:
        return Generation(written, "length")
    rest = backend.complete(prompt + written, replace(settings, max_new_tokens=settings.max_new_tokens - len(written)))
    for i, token in enumerate(rest.token_ids):
        if steering.observe(row, token) is not None:
            return Generation(written + rest.token_ids[: i + 1], "rethread")
    return Generation(written + rest.token_ids, rest.stop_reason)


def likeliest(backend: Any, prompt: list[int], allowed: list[int]) -> int:
    """The allowed token the model rates highest after ``prompt`` (its top log-probabilities); the first allowed
    one where none of them is among the top, or where the server gives no log-probabilities (warned once)."""
    try:
        ranked = top_logprobs(backend, prompt, CHOICE_TOP_K)
    except ServerError as error:
        if not backend.warned_no_logprobs:
            backend.warned_no_logprobs = True
            log.warning("%s; guides take their first choice instead of the model's", error)
        return allowed[0]
    rank = {token: i for i, (token, _) in enumerate(ranked)}
    return min(allowed, key=lambda token: (rank.get(token, len(rank)), allowed.index(token)))
