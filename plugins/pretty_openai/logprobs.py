"""Log-probabilities from a completions server: the next token's top ones (``pretty analyze``, a guide's choice)
from a one-token completion's ``logprobs``, and a prompt's own (candidate-prior scoring) from its ``echo``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from pretty_framework.api import GenerationSettings

from .client import ServerError
from .completions import request_body

log = logging.getLogger(__name__)


def top_logprobs(backend: Any, prompt: Sequence[int], k: int) -> list[tuple[int, float]]:
    """The k most likely next tokens after ``prompt`` with their log-probabilities (``logprobs`` of a one-token
    completion)."""
    body = request_body(backend, prompt, GenerationSettings(max_new_tokens=1))
    body["logprobs"] = k
    if backend.server in ("vllm", "sglang"):
        body["return_tokens_as_token_ids"] = True
    try:
        data = backend.send(body)
    except ServerError as error:
        raise ServerError(f"the server at {backend.shown_url} gives no log-probabilities ({error})") from None
    logprobs = ((data.get("choices") or [{}])[0] or {}).get("logprobs")
    entries = _top_entries(backend, logprobs)
    if entries is None:
        raise ServerError(f"the server at {backend.shown_url} answered without log-probabilities "
                          "(llama-cpp-python's server needs --logits_all true)")
    best = sorted(entries.items(), key=lambda item: -item[1])[:k]
    return [(token, float(lp)) for token, lp in best]


def _top_entries(backend: Any, logprobs: Any) -> dict[int, float] | None:
    if not isinstance(logprobs, dict):
        return None
    if isinstance(logprobs.get("content"), list) and logprobs["content"]:  # llama.cpp: chat-style, with ids
        first = logprobs["content"][0]
        return {int(e["id"]): float(e["logprob"]) for e in first.get("top_logprobs", []) if "id" in e}
    tops = logprobs.get("top_logprobs")
    if not tops or not isinstance(tops[0], dict):
        return None
    entries: dict[int, float] = {}
    for piece, lp in tops[0].items():
        if piece.startswith("token_id:"):  # vLLM with return_tokens_as_token_ids
            entries[int(piece.removeprefix("token_id:"))] = float(lp)
            continue
        ids = backend.continuation_ids(piece)  # a piece as the server printed it: its one token
        if len(ids) == 1:
            entries.setdefault(ids[0], float(lp))
        else:
            log.debug("top_logprobs: %r is not one token here; left out", piece)
    return entries


def prompt_score(backend: Any, prompt: list[int], first: int) -> float:
    """The sum of the log-probabilities of ``prompt[first:]`` from the prompt's log-probabilities the server
    echoes (``echo`` with ``logprobs``: vLLM; llama-cpp-python's server with ``--logits_all true``; llama.cpp's own
    server echoes none: a clear error). 0.0 when there is nothing to score."""
    if len(prompt) <= first:
        return 0.0
    body = request_body(backend, prompt, GenerationSettings(max_new_tokens=1))
    body.update({"echo": True, "logprobs": 1})
    body.pop("stop", None)
    try:
        data = backend.send(body)
    except ServerError as error:
        raise ServerError(f"the server at {backend.shown_url} cannot score prompts: it does not echo their "
                          "log-probabilities (vLLM does, and llama-cpp-python's server with --logits_all true; "
                          f"llama.cpp's own server does not): {error.body or error}") from None
    choice = ((data.get("choices") or [{}])[0] or {}) if isinstance(data, dict) else {}
    values = (choice.get("logprobs") or {}).get("token_logprobs") if isinstance(choice, dict) else None
    generated = (data.get("usage") or {}).get("completion_tokens", 1)
    if not isinstance(values, list) or not isinstance(generated, int):
        raise ServerError(f"the server at {backend.shown_url} answered an echo request without the prompt's "
                          "token_logprobs: it cannot score prompts")
    echoed = values[: len(values) - generated]
    # vLLM echoes every prompt token (BOS first, with no log-probability); llama-cpp-python leaves BOS out
    offset = len(prompt) - len(echoed)
    if offset not in (0, 1):
        raise ServerError(f"the server at {backend.shown_url} echoed {len(echoed)} prompt tokens for a prompt of "
                          f"{len(prompt)}: its tokenization differs from ours (a text prompt re-tokenized); score "
                          "with -B prompt_ids=true or a local tokenizer of the served model")
    total = 0.0
    for position in range(max(first, offset + 1), len(prompt)):  # llama-cpp-python nulls its first one
        value = echoed[position - offset]
        if value is None:
            raise ServerError(f"the server at {backend.shown_url} echoed no log-probability for prompt token "
                              f"{position}")
        total += float(value)
    return total
