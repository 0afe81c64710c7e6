"""HTTP to an OpenAI-compatible server: one pooled client, bounded retries with exponential backoff.

Inference servers answer 429 when their queue is full and 5xx while they
restart; connections drop when a server is redeployed. Those are retried (a
bounded number of times, waiting 0.5 s, 1 s, 2 s, ... or what ``Retry-After``
asks, capped), everything else fails at once with a one-line
:class:`ServerError` that names the server and the request, never the API key.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from pretty_framework.api import PrettyError

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
MAX_BACKOFF = 30.0  # seconds: no single wait is longer, whatever Retry-After says


class ServerError(PrettyError):
    """A request to the inference server failed (after its retries, where retrying made sense).

    ``status`` is the HTTP status (``None`` when no answer came: connection refused, timeout) and
    ``body`` the server's own message, for callers that recognise one.
    """

    def __init__(self, message: str, status: int | None = None, body: str = ""):
        super().__init__(message)
        self.status, self.body = status, body


def _httpx() -> Any:
    try:
        import httpx
    except ModuleNotFoundError:
        from pretty_framework.api import ModelLoadError

        raise ModelLoadError("the openai backend needs httpx: pip install 'pretty-framework[openai]'") from None
    return httpx


def public_url(url: str) -> str:
    """``url`` without user info or query (what error messages and logs may show)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}".rstrip("/")


class ServerClient:
    """JSON requests to one server, from any number of threads (httpx's pooled client is thread-safe)."""

    def __init__(self, base_url: str, api_key: str | None = None, *, timeout: float = 600.0,
                 connect_timeout: float = 10.0, retries: int = 4, backoff: float = 0.5, connections: int = 8,
                 sleep: Callable[[float], None] = time.sleep):
        httpx = _httpx()
        self.base_url = base_url.rstrip("/")
        self.shown_url = public_url(self.base_url)
        self.retries, self.backoff, self._sleep = retries, backoff, sleep
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            trust_env=False,  # a proxy from the environment must not see our localhost or our key
        )
        self._httpx = httpx

    def url(self, path: str) -> str:
        """``path`` under the base URL; a path starting with ``//`` is taken from the server's root instead
        (vLLM and llama.cpp serve /tokenize beside /v1, not under it)."""
        if path.startswith("//"):
            parts = urlsplit(self.base_url)
            return f"{parts.scheme}://{parts.netloc}{path[1:]}"
        return f"{self.base_url}/{path.lstrip('/')}"

    def get(self, path: str, *, retries: int | None = None) -> Any:
        return self.request("GET", path, None, retries=retries)

    def post(self, path: str, body: Mapping[str, Any], *, retries: int | None = None) -> Any:
        return self.request("POST", path, body, retries=retries)

    def request(self, method: str, path: str, body: Mapping[str, Any] | None, *, retries: int | None = None) -> Any:
        """The decoded JSON answer; retried on 429/5xx/connection errors/timeouts, up to ``retries`` more tries."""
        retries = self.retries if retries is None else retries
        url = self.url(path)
        shown = f"{method} {public_url(url)}"
        for attempt in range(retries + 1):
            last = attempt == retries
            try:
                response = self._http.request(method, url, json=body)
            except self._httpx.TimeoutException as error:
                problem, wait = f"timed out ({type(error).__name__})", None
            except self._httpx.TransportError as error:  # refused, reset, DNS, protocol errors
                problem, wait = f"no answer ({type(error).__name__}: {error})", None
            else:
                if response.status_code < 400:
                    try:
                        return response.json()
                    except ValueError:
                        raise ServerError(f"{shown}: the answer is not JSON: {response.text[:200]!r}") from None
                text = _message(response)
                problem = f"HTTP {response.status_code}: {text}"
                if response.status_code not in RETRY_STATUS or last:
                    raise ServerError(f"{shown} failed: {problem}" + (f" (after {attempt + 1} tries)" if attempt else ""),
                                      response.status_code, text)
                wait = _retry_after(response)
            if last:
                raise ServerError(f"{shown} failed after {attempt + 1} tries: {problem}")
            delay = min(MAX_BACKOFF, wait if wait is not None else self.backoff * 2**attempt)
            log.warning("%s: %s; retrying in %.1f s (try %d of %d)", shown, problem, delay, attempt + 2, retries + 1)
            self._sleep(delay)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._http.close()


def _message(response: Any) -> str:
    """The server's error message, short: OpenAI's ``{"error": {"message"}}``, FastAPI's ``detail``, or text."""
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", data.get("message")))
        if isinstance(error, dict):
            error = error.get("message", error)
        if error is not None:
            return str(error).strip().splitlines()[0][:300] if str(error).strip() else str(data)[:300]
    return str(data)[:300]


def _retry_after(response: Any) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff
