"""The OpenAI-compatible backend: decode through the completions API of vLLM, SGLang, llama.cpp's server, ...

Raw-prompt completions only (``/v1/completions``, never chat): the prior is
appended to the raw prompt, exactly as with the in-process backends. The
prompt goes out as the engine's token ids where the server takes them (vLLM,
SGLang, llama.cpp's server), else as their text (llama-cpp-python's server,
unknown servers; force either with ``prompt_ids=``).

This module connects (the served model, its tokenizer, its slots) and sends
requests, ``concurrency`` in flight; :mod:`.completions` builds a request and
reads its answer under the framework's stop rules; :mod:`.logprobs` asks for
log-probabilities (``top_logprobs`` for analysis, ``score`` for candidate
priors); :mod:`.guided` runs the guides that need no per-step logits.

Guides that change each step's logits (the script guard) cannot run here: a
completions request cannot call back into the client at each step
(``supports_guides`` is False). Guides that read what was written and restrict
steps only to a few choices (``between_requests``: reprime) run between
requests (``guides_between_requests``). ``--guide default`` keeps those guides and
leaves the others out with a warning; another guide named outright is refused
before any request.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import Field

from pretty_framework.api import (
    Generation,
    GenerationSettings,
    ModelLoadError,
    Options,
    OptionsError,
    Steering,
    validate_options,
)

from .client import ServerClient, ServerError, public_url
from .completions import read_completion, request_body
from .guided import guided_completion
from .logprobs import prompt_score, top_logprobs
from .texts import TokenTexts
from .tokenizer import LocalTokenizer, ServerTokenizer, Tokenizer, server_tokenizer

log = logging.getLogger(__name__)

API_KEY_VARIABLES = ("PRETTY_OPENAI_API_KEY", "OPENAI_API_KEY")
DEFAULT_CONCURRENCY = 8  # requests in flight when neither the option nor the server says
MAX_SLOTS = 64  # the most requests in flight a server's own slot count may set (an explicit option may go higher)
UNKNOWN_VOCABULARY = 2**31 - 1  # token ids below it are asked for when met (vLLM does not say its vocabulary)
DEFAULT_CONTEXT = 2048  # when neither the option nor the server says (llama-cpp-python's own default n_ctx)
CACHE_SIZE = 8192  # tokenize/detokenize answers kept: the engine asks for the same texts several times per item
ANCHORS = ("\n", ".", " ")  # text that does not merge with a continuation's first token (tried in order)
OWNERS = {"vllm": "vllm", "sglang": "sglang", "llamacpp": "llama.cpp", "me": "llama-cpp-python"}
BATCH_PER_REQUEST = 4  # the default batch per request in flight (see batch_size_for)
UNKNOWN_SLOTS_BATCH = 64  # the default batch when the server will say its slots (4x a 16-slot server's)
PROMPT_IDS = {"vllm": True, "sglang": True, "llama.cpp": True}  # servers known to take token-id prompts
T = TypeVar("T")


class OpenAIOptions(Options):
    """The backend's knobs (``pretty decode --backend openai --base-url URL -B key=value``)."""

    base_url: str = "http://127.0.0.1:8000/v1"
    # completion requests in flight; default: the server's parallel slots where it says (llama.cpp), else 8
    concurrency: int | None = Field(None, ge=1, le=512)
    tokenizer: str | None = None  # a local tokenizer (folder, hub id, .gguf) instead of the server's endpoints
    server: Literal["auto", "vllm", "sglang", "llama.cpp", "llama-cpp-python", "openai"] = "auto"
    prompt_ids: bool | None = None  # send token ids (default: where the server is known to take them)
    max_context: int | None = Field(None, ge=64)  # default: the server's max_model_len, else 2048
    timeout: float = Field(600.0, gt=0)  # seconds to wait for one answer (a queued long completion)
    connect_timeout: float = Field(10.0, gt=0)
    retries: int = Field(4, ge=0, le=10)  # more tries after the first on 429/5xx/connection errors
    backoff: float = Field(0.5, ge=0)  # first wait in seconds, doubled each retry
    api_key_env: str = "PRETTY_OPENAI_API_KEY"  # the variable holding the key (OPENAI_API_KEY as fallback)
    extra_body: dict[str, Any] = Field(default_factory=dict)  # fields added to every completion request


class OpenAIBackend:
    """A model behind an OpenAI-compatible completions server; the model name (``-m``) is the served name."""

    name: ClassVar[str] = "openai"
    #: guides need each step's logits; a completions server gives none (the CLI refuses them before any request)
    supports_guides: ClassVar[bool] = False
    #: guides that read what was written and restrict steps only to a few choices (reprime) run between requests
    guides_between_requests: ClassVar[bool] = True
    Options: ClassVar[type[OpenAIOptions]] = OpenAIOptions

    @classmethod
    def batch_size_for(cls, options: dict[str, Any]) -> int:
        """Items per ``generate`` when the run names none: 4x the requests in flight (at least 16), 64 when
        they are left to the server (the batch is fixed before we connect). A call waits for its slowest answer
        while the server's slots drain; measured at 16 slots, 96 Flores lines: batches of 64 took 18.1-19.0 s,
        batches of 16 20.3-23.2 s."""
        concurrency = validate_options(cls.Options, options, f"backend {cls.name!r}").concurrency
        return max(16, BATCH_PER_REQUEST * concurrency) if concurrency else UNKNOWN_SLOTS_BATCH

    def __init__(self, model: str | None = None, device: str = "auto", dtype: str = "auto", **options: Any):
        self.options = validate_options(self.Options, options, f"backend {self.name!r}")
        if device not in ("auto", "server"):
            raise OptionsError(f"the openai backend runs where the server runs; device {device!r} is not selectable")
        if dtype not in ("auto", "server"):
            raise OptionsError(f"the openai backend uses the server's weights as served; dtype {dtype!r} is not "
                               "selectable")
        self.dtype = "server"
        # Each prompt is its own request: how we group them into batches changes nothing that is sent, so a
        # resumed run may use any batch size. (A server with parallel slots co-batches whatever requests meet
        # there: its greedy outputs may differ run to run whatever we do; README "Inference servers".)
        self.batch_invariant = True
        key = next((os.environ[v] for v in (self.options.api_key_env, *API_KEY_VARIABLES) if os.environ.get(v)), None)
        opts = self.options
        self._client = ServerClient(opts.base_url, key, timeout=opts.timeout, connect_timeout=opts.connect_timeout,
                                    retries=opts.retries, backoff=opts.backoff,
                                    connections=(opts.concurrency or MAX_SLOTS) + 2)
        self._pool: ThreadPoolExecutor | None = None
        try:
            self._connect(model)
        except BaseException:
            self._client.close()
            raise

    def _connect(self, model: str | None) -> None:
        url = self.shown_url
        try:  # one retry: a server that is down fails in about a second, not after the full backoff
            listing = self._client.get("models", retries=min(1, self.options.retries))
        except ServerError as error:
            raise ModelLoadError(f"no OpenAI-compatible server answers at {url} ({error}); start one or point "
                                 "--base-url at it") from None
        entries = [m for m in (listing.get("data") or []) if isinstance(m, dict) and "id" in m]
        served = [str(m["id"]) for m in entries]
        if model is None:
            if len(served) != 1:
                raise ModelLoadError(f"the server at {url} serves {len(served)} models; name one with -m: "
                                     f"{', '.join(served) or 'none'}")
            model = served[0]
        elif model not in served:
            raise ModelLoadError(f"the server at {url} does not serve model {model!r}; it serves: "
                                 f"{', '.join(served) or 'none'}")
        entry = entries[served.index(model)]
        self.model_name = model
        self.server = self.options.server
        if self.server == "auto":
            self.server = OWNERS.get(str(entry.get("owned_by", "")).lower(), "openai")
        self.prompt_ids = self.options.prompt_ids
        if self.prompt_ids is None:
            self.prompt_ids = PROMPT_IDS.get(self.server, False)
        meta = entry.get("meta") or {}
        # vLLM: max_model_len; llama.cpp: n_ctx is one slot's context (n_ctx_train the model's, maybe far more)
        served_context = entry.get("max_model_len") or meta.get("n_ctx") or meta.get("n_ctx_train")
        self.max_context = int(self.options.max_context or served_context or DEFAULT_CONTEXT)
        self.vocab_size = int(meta.get("n_vocab") or UNKNOWN_VOCABULARY)
        self.warned_no_logprobs = False  # a guide's choice fell back to its first (said once)
        self.concurrency = self.options.concurrency or self._served_slots() or DEFAULT_CONCURRENCY
        self.tokenizer = self._tokenizer()
        # the engine overlaps our tokenize round trips on this many threads (a local tokenizer is faster alone)
        self.tokenizer_calls = self.concurrency if isinstance(self.tokenizer, ServerTokenizer) else 1
        self._cache: OrderedDict[tuple[str, Any], Any] = OrderedDict()
        self._cache_lock = threading.Lock()
        log.info("openai backend: %s at %s (%s server, tokenizer %s, prompts as %s, %d requests in flight)", model,
                 url, self.server, self.tokenizer.name, "ids" if self.prompt_ids else "text", self.concurrency)

    def _served_slots(self) -> int | None:
        """The server's parallel slots, where it says: llama.cpp's ``GET /props`` has ``total_slots``;
        llama-cpp-python's server decodes one request at a time (more in flight only queue our tokenize requests
        behind completions: 0.90x of a minimal client at 4 in flight, 1.02x at 1)."""
        if self.server == "llama-cpp-python":
            return 1
        if self.server != "llama.cpp":
            return None
        try:
            props = self._client.get("//props", retries=0)
        except ServerError as error:
            log.debug("no /props: %s", error)
            return None
        slots = props.get("total_slots") if isinstance(props, dict) else None
        return min(int(slots), MAX_SLOTS) if isinstance(slots, int) and slots > 0 else None

    def _tokenizer(self) -> Tokenizer:
        if self.options.tokenizer:
            return LocalTokenizer(self.options.tokenizer)
        found = server_tokenizer(self._client, self.model_name, self.server)
        if found is None:
            raise ModelLoadError(
                f"the server at {self.shown_url} has no tokenize/detokenize endpoints (vLLM, SGLang and "
                "llama.cpp servers have them); give the served model's tokenizer with -B tokenizer=FOLDER|HUB_ID|"
                "FILE.gguf")
        return found

    # -- tokens ----------------------------------------------------------------------------
    def encode(self, text: str) -> list[int]:
        return list(self._cached("encode", text, self.tokenizer.encode))

    def decode(self, ids: Sequence[int]) -> str:
        return self._cached("decode", tuple(ids), self.tokenizer.decode)

    def _cached(self, kind: str, key: Any, compute: Callable[[Any], Any]) -> Any:
        with self._cache_lock:
            if (kind, key) in self._cache:
                self._cache.move_to_end((kind, key))
                return self._cache[kind, key]
        value = compute(key)
        if kind == "encode":
            value = tuple(value)
        with self._cache_lock:
            self._cache[kind, key] = value
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return value

    def continuation_ids(self, text: str) -> list[int]:
        """The ids of ``text`` as it reads after a prompt: tokenized behind an anchor that does not merge with it
        (so no BOS, and a leading space stays the first token's own)."""
        if not text:
            return []
        for anchor in ANCHORS:
            head, whole = self.encode(anchor), self.encode(anchor + text)
            if whole[: len(head)] == head:
                return whole[len(head) :]
        head, whole = self.encode(""), self.encode(text)
        return whole[len(head) :]

    def token_texts(self) -> Sequence[str]:
        """Each token's text as it reads mid-sentence, asked of the tokenizer when a guide first needs it (a
        server's 262k tokens are never read up front)."""
        return TokenTexts(self)

    # -- requests --------------------------------------------------------------------------
    @property
    def shown_url(self) -> str:
        """The server's address as errors may show it (no user info, no query)."""
        return self._client.shown_url

    def send(self, body: dict[str, Any]) -> Any:
        """POST one completions request; its JSON answer."""
        return self._client.post("completions", body)

    def request_body(self, prompt: Sequence[int], settings: GenerationSettings) -> dict[str, Any]:
        """The completions request for ``prompt`` (see :func:`.completions.request_body`)."""
        return request_body(self, prompt, settings)

    def complete(self, prompt: list[int], settings: GenerationSettings) -> Generation:
        """One completion of ``prompt``, cut by the framework's stop rules."""
        return read_completion(self, self.send(self.request_body(prompt, settings)), settings)

    def _map(self, function: Callable[..., T], rows: Sequence[Any]) -> list[T]:
        """``function(*row)`` for each row, in order: ``concurrency`` in flight on one pool of threads."""
        if len(rows) <= 1 or self.concurrency == 1:
            return [function(*row) for row in rows]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="pretty-openai")
        return list(self._pool.map(lambda row: function(*row), rows))

    # -- decoding --------------------------------------------------------------------------
    def generate(self, prompts: Sequence[Sequence[int]], settings: GenerationSettings,
                 steering: Steering | None = None) -> list[Generation]:
        """One completion request per prompt, ``concurrency`` in flight; results in input order. With
        ``steering`` (guides that run between requests: :mod:`.guided`) each answer is checked token by token
        after it comes back, and a guide's choices are made before the request."""
        if steering is None:
            return self._map(lambda prompt: self.complete(list(prompt), settings), [(p,) for p in prompts])
        if steering.rollback_in_loop:
            raise ValueError("the openai backend re-threads in rounds, not in its loop")
        return self._map(lambda row, prompt: guided_completion(self, row, list(prompt), settings, steering),
                         list(enumerate(prompts)))

    # -- log-probabilities -----------------------------------------------------------------
    def score(self, prompts: Sequence[Sequence[int]], starts: Sequence[int]) -> list[float]:
        """For each token list, the sum of the log-probabilities of ``tokens[start:]`` given what precedes them
        (candidate-prior scoring), from the prompt's log-probabilities the server echoes
        (:func:`.logprobs.prompt_score`). The first token has no context and is never scored; a row with nothing
        to score gets 0.0. One request per row, ``concurrency`` in flight."""
        if len(prompts) != len(starts):
            raise ValueError(f"score() got {len(prompts)} prompts and {len(starts)} starts")
        return self._map(lambda prompt, first: prompt_score(self, list(prompt), max(1, first)),
                         list(zip(prompts, starts)))

    def top_logprobs(self, prompt: Sequence[int], k: int = 20) -> list[tuple[int, float]]:
        """The k most likely next tokens after ``prompt`` with their log-probabilities."""
        return top_logprobs(self, prompt, k)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self._client.close()

    def __repr__(self) -> str:
        return f"OpenAIBackend(model={getattr(self, 'model_name', None)!r}, base_url={public_url(self.options.base_url)!r})"
