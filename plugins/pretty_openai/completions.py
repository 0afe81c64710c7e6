"""One completion: the request body from the engine's settings, and the answer read back as token ids.

Stop rules are the framework's: the server is sent the stop strings and ``max_tokens`` (so it stops early), its
answer is turned back into the served model's token ids, and a :class:`StopWatcher` walks those ids token by
token, so the repetition guard, EOS and the length limit cut where an in-process backend would. A stop string the
server removed from its text is put back (in-process backends keep the token that completes it): vLLM says which
one fired (``stop_reason``); elsewhere a completion that generated more tokens than its text holds
(``usage.completion_tokens``) ended on the first stop string, else on EOS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pretty_framework.api import Generation, GenerationSettings, StopWatcher

from .client import ServerError


def request_body(backend: Any, prompt: Sequence[int], settings: GenerationSettings) -> dict[str, Any]:
    """The completions request for ``prompt``: the settings mapped one to one, greedy as temperature 0."""
    body: dict[str, Any] = {
        "model": backend.model_name,
        "prompt": list(prompt) if backend.prompt_ids else backend.decode(prompt),
        "max_tokens": settings.max_new_tokens,
        "temperature": settings.temperature if settings.do_sample else 0.0,
        "top_p": settings.top_p if settings.do_sample else 1.0,
        "n": 1,
        "stream": False,
    }
    if settings.stop_strings:
        body["stop"] = list(settings.stop_strings)
    if settings.do_sample and settings.seed is not None:
        body["seed"] = settings.seed  # the same seed for every prompt: a prompt's sample does not depend on
        # which batch it fell in, so a resumed run samples as the first one did
    body.update(neutral_fields(backend.server, settings))
    body.update(backend.options.extra_body)
    return body


def neutral_fields(server: str, settings: GenerationSettings) -> dict[str, Any]:
    """Server-specific fields that switch off samplers the other backends do not have."""
    top_k = settings.top_k if settings.do_sample else 0
    if server in ("llama.cpp", "llama-cpp-python"):  # llama.cpp defaults: repeat_penalty 1.1, min_p 0.05
        return {"repeat_penalty": 1.0, "min_p": 0.0, "top_k": top_k}
    if server in ("vllm", "sglang"):  # vLLM applies the model's generation_config.json unless told
        return {"repetition_penalty": 1.0, "min_p": 0.0, "top_k": top_k or -1}
    return {}


def read_completion(backend: Any, data: Any, settings: GenerationSettings) -> Generation:
    """The server's answer ``data`` as the generated token ids, cut by the framework's stop rules."""
    try:
        choice = data["choices"][0]
        text = choice.get("text") or ""
    except (KeyError, IndexError, TypeError):
        raise ServerError(f"{backend.shown_url}: a completion without choices: {str(data)[:200]}") from None
    finish = choice.get("finish_reason")
    generated = (data.get("usage") or {}).get("completion_tokens")
    ids = backend.continuation_ids(text)
    stop = stop_string(choice, finish, settings, ids, generated)
    if stop:  # its own ids (asked once per run): one tokenize request per line fewer than text + stop
        ids = ids + backend.continuation_ids(stop)
    return stop_rules(ids, settings, finish, stop is not None, backend.decode)


def stop_string(choice: dict[str, Any], finish: str | None, settings: GenerationSettings, ids: list[int],
                generated: int | None) -> str | None:
    """The stop string the server cut its text at, or ``None`` (EOS, length, no stop strings)."""
    if finish != "stop" or not settings.stop_strings:
        return None
    if "stop_reason" in choice:  # vLLM: the stop string, a stop token id, or None for EOS
        reason = choice["stop_reason"]
        return reason if isinstance(reason, str) and reason in settings.stop_strings else None
    if generated is not None and generated <= len(ids):
        return None  # every generated token is in the text: the model ended with EOS
    return settings.stop_strings[0]  # the server checks its stop strings in order


def stop_rules(ids: list[int], settings: GenerationSettings, finish: str | None, stopped: bool,
               decode: Any) -> Generation:
    """Cut ``ids`` where an in-process backend would have stopped: a StopWatcher fed token by token.

    The server already stopped at the first stop string (its text never holds one before the end), so the
    watcher checks the repetition guard and the length; the token that completes the stop string ends it.
    """
    watcher = StopWatcher(1, replace(settings, stop_strings=()), decode)
    for i, token in enumerate(ids):
        if stopped and i == len(ids) - 1:
            return Generation(token_ids=ids, stop_reason="stop_string")
        if watcher.step([token])[0]:
            return watcher.results()[0]
    if stopped:  # the stop string merged into the text's last token
        return Generation(token_ids=ids, stop_reason="stop_string")
    return Generation(token_ids=ids, stop_reason="eos" if finish == "stop" else "length")
