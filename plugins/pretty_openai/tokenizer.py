"""The served model's tokenizer: the server's own tokenize/detokenize endpoints, or a local copy.

The engine works on token ids (it cuts a prior to k tokens of the foundation
model), so the ids must be the served model's. Servers that expose their
tokenizer do so under different names, none of them in the OpenAI API:

==================  =========================================  ==========================================
server              tokenize                                   detokenize
==================  =========================================  ==========================================
vLLM, SGLang        POST /tokenize {model, prompt,             POST /detokenize {model, tokens} -> prompt
                    add_special_tokens} -> tokens
llama.cpp server    POST /tokenize {content, add_special}      POST /detokenize {tokens} -> content
llama-cpp-python    POST /extras/tokenize {model, input}       POST /extras/detokenize {model, tokens} -> text
==================  =========================================  ==========================================

:func:`server_tokenizer` tries them (the detected server's first) and keeps
the first whose round trip works. Elsewhere (OpenAI itself, Ollama, TGI's
OpenAI route) pass ``tokenizer=`` a local copy: a folder or hub id that
transformers' AutoTokenizer loads, or the served .gguf file.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from pretty_framework.api import ModelLoadError

from .client import ServerClient, ServerError

log = logging.getLogger(__name__)

PROBE = "Hello world"
NOT_THERE = frozenset({400, 401, 403, 404, 405, 422})  # this server does not speak that dialect
REPLACEMENT_CHAR = "\ufffd"


class Tokenizer(Protocol):
    name: str

    def encode(self, text: str) -> list[int]: ...

    def decode(self, ids: Sequence[int]) -> str: ...


class _Endpoint:
    """One dialect of tokenize/detokenize endpoints (paths from the server's root)."""

    def __init__(self, name: str, tokenize: str, detokenize: str, text_key: str, out_key: str,
                 extra: dict[str, Any], with_model: bool):
        self.name, self.tokenize_path, self.detokenize_path = name, tokenize, detokenize
        self.text_key, self.out_key, self.extra, self.with_model = text_key, out_key, extra, with_model

    def tokenize_body(self, model: str, text: str) -> dict[str, Any]:
        return {**({"model": model} if self.with_model else {}), self.text_key: text, **self.extra}

    def detokenize_body(self, model: str, ids: Sequence[int]) -> dict[str, Any]:
        return {**({"model": model} if self.with_model else {}), "tokens": list(ids)}


ENDPOINTS = {
    "vllm": _Endpoint("vllm", "//tokenize", "//detokenize", "prompt", "prompt", {"add_special_tokens": True}, True),
    "llama.cpp": _Endpoint("llama.cpp", "//tokenize", "//detokenize", "content", "content", {"add_special": True},
                           False),
    "llama-cpp-python": _Endpoint("llama-cpp-python", "//extras/tokenize", "//extras/detokenize", "input", "text", {},
                                  True),
}
# Which endpoints to try first for each detected server (the rest follow).
FIRST = {"vllm": "vllm", "sglang": "vllm", "llama.cpp": "llama.cpp", "llama-cpp-python": "llama-cpp-python"}


class ServerTokenizer:
    """The server's tokenizer through one dialect of its tokenize/detokenize endpoints."""

    def __init__(self, client: ServerClient, model: str, endpoint: _Endpoint):
        self.client, self.model, self.endpoint = client, model, endpoint
        self.name = f"server:{endpoint.name}"

    def encode(self, text: str) -> list[int]:
        data = self.client.post(self.endpoint.tokenize_path, self.endpoint.tokenize_body(self.model, text))
        tokens = data.get("tokens") if isinstance(data, dict) else None
        if not isinstance(tokens, list):
            raise ServerError(f"{self.client.shown_url}: tokenize answered without a token list: {str(data)[:200]}")
        # llama.cpp answers [{"id", "piece"}] when asked for pieces; plain ids otherwise
        return [int(t["id"]) if isinstance(t, dict) else int(t) for t in tokens]

    def decode(self, ids: Sequence[int]) -> str:
        try:
            return self._detokenize(ids, retries=0)
        except ServerError as error:
            if error.status is None or error.status < 500 or not ids:
                return self._detokenize(ids, retries=None)  # a dropped connection: the usual retries
        # llama-cpp-python decodes strictly and answers 500 when the ids end inside a UTF-8 character
        # (a byte-fallback token of a CJK prior cut in half): decode what is whole and mark the rest,
        # as every other backend does (errors="replace").
        for cut in range(1, min(3, len(ids) - 1) + 1):
            try:
                return self._detokenize(ids[:-cut], retries=0) + REPLACEMENT_CHAR
            except ServerError as error:
                if error.status is None or error.status < 500:
                    break
        return self._detokenize(ids, retries=None)  # not that: a server in trouble, retried as any request

    def _detokenize(self, ids: Sequence[int], retries: int | None) -> str:
        if not ids:
            return ""
        data = self.client.post(self.endpoint.detokenize_path, self.endpoint.detokenize_body(self.model, ids),
                                retries=retries)
        text = data.get(self.endpoint.out_key) if isinstance(data, dict) else None
        if not isinstance(text, str):
            raise ServerError(f"{self.client.shown_url}: detokenize answered without text: {str(data)[:200]}")
        return text


def server_tokenizer(client: ServerClient, model: str, server: str) -> ServerTokenizer | None:
    """The first endpoint dialect whose round trip works on this server, or ``None`` if it has none."""
    first = FIRST.get(server)
    order = ([ENDPOINTS[first]] if first else []) + [e for name, e in ENDPOINTS.items() if name != first]
    for endpoint in order:
        candidate = ServerTokenizer(client, model, endpoint)
        try:
            ids = candidate.encode(PROBE)
            text = candidate._detokenize(ids, retries=0) if ids else ""
        except ServerError as error:
            if error.status in NOT_THERE:
                log.debug("no %s tokenize endpoint: %s", endpoint.name, error)
                continue
            raise
        if ids and PROBE in text:  # an endpoint that ignores our field would tokenize nothing
            return candidate
    return None


class LocalTokenizer:
    """A local copy of the served model's tokenizer: a .gguf file, or a folder/hub id for AutoTokenizer."""

    def __init__(self, source: str):
        self.name = f"local:{source}"
        self._llama: Any = None
        self._hf: Any = None
        if source.endswith(".gguf"):
            self._load_gguf(source)
        else:
            try:
                from transformers import AutoTokenizer

                self._hf = AutoTokenizer.from_pretrained(source)
            except (OSError, ValueError) as error:
                raise ModelLoadError(f"cannot load the tokenizer {source!r}: {str(error).splitlines()[0]}") from None

    def _load_gguf(self, path: str) -> None:
        from pathlib import Path

        if not Path(path).is_file():
            raise ModelLoadError(f"tokenizer file {path!r} does not exist")
        try:
            import llama_cpp
        except ModuleNotFoundError:  # transformers reads a GGUF's tokenizer too (slower to load)
            from transformers import AutoTokenizer

            self._hf = AutoTokenizer.from_pretrained(str(Path(path).parent), gguf_file=Path(path).name)
            return
        self._llama = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)

    def encode(self, text: str) -> list[int]:
        if self._llama is not None:  # exactly as the llama.cpp backend (and llama.cpp's server) tokenize
            return list(self._llama.tokenize(text.encode("utf-8"), add_bos=True, special=False))
        return list(self._hf(text, add_special_tokens=True)["input_ids"])

    def decode(self, ids: Sequence[int]) -> str:
        if self._llama is not None:
            return self._llama.detokenize(list(ids), special=False).decode("utf-8", errors="replace")
        return self._hf.decode(list(ids), skip_special_tokens=True)
