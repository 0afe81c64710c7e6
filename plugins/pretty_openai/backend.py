"""The OpenAI-compatible backend: decode through the completions API of vLLM, SGLang, llama.cpp's server, ...

Raw-prompt completions only (``/v1/completions``, never chat): the prior is
appended to the raw prompt, exactly as with the in-process backends. The
prompt goes out as the engine's token ids where the server takes them (vLLM,
SGLang, llama.cpp's server), else as their text (llama-cpp-python's server,
unknown servers; force either with ``prompt_ids=``).

Stop rules are the framework's: the server is sent the stop strings and
``max_tokens`` (so it stops early), its answer is turned back into the served
model's token ids, and a :class:`StopWatcher` walks those ids token by token,
so the repetition guard, EOS and the length limit cut where an in-process
backend would. A stop string the server removed from its text is put back
(in-process backends keep the token that completes it): vLLM says which one
fired (``stop_reason``); elsewhere a completion that generated more tokens
than its text holds (``usage.completion_tokens``) ended on the first stop
string, else on EOS.

Guides that change each step's logits (the script guard) cannot run here: a
completions request cannot call back into the client at each step
(``supports_guides`` is False). Guides that read what was written and restrict
steps only to a few choices (``between_requests``: reprime) run between
requests (``guides_between_requests``): each answer is shown to them token by
token when it comes back, a re-threading ends the row for the next round (a new
request from the kept text, which a prefix-caching server computes once), and
a guide's choices among a few tokens are made by their log-probabilities (one
``top_logprobs`` request each). ``--guide default`` keeps those guides and
leaves the others out with a warning; another guide named outright is refused
before any request. ``top_logprobs`` (analysis) uses the completions ``logprobs``
field; ``score`` (candidate priors) the prompt's log-probabilities a server
echoes (``echo``).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, ClassVar, Literal

from pydantic import Field

from pretty_framework.api import (
    Generation,
    GenerationSettings,
    ModelLoadError,
    Options,
    OptionsError,
    Steering,
    StopWatcher,
    validate_options,
)

from .client import ServerClient, ServerError, public_url
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
SERVERS = ("auto", "vllm", "sglang", "llama.cpp", "llama-cpp-python", "openai")
CHOICE_TOP_K = 20  # log-probabilities asked for when a guide lets the model choose among a few tokens
BATCH_PER_REQUEST = 4  # the default batch per request in flight (see batch_size_for)
UNKNOWN_SLOTS_BATCH = 64  # the default batch when the server will say its slots (4x a 16-slot server's)
PROMPT_IDS = {"vllm": True, "sglang": True, "llama.cpp": True}  # servers known to take token-id prompts


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
        url = self._client.shown_url
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
        self._warned_choice = False
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
                f"the server at {self._client.shown_url} has no tokenize/detokenize endpoints (vLLM, SGLang and "
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

    # -- decoding --------------------------------------------------------------------------
    def generate(self, prompts: Sequence[Sequence[int]], settings: GenerationSettings,
                 steering: Steering | None = None) -> list[Generation]:
        """One completion request per prompt, ``concurrency`` in flight; results in input order. With
        ``steering`` (guides that run between requests) each answer is checked token by token after it comes
        back, and a guide's choices are made before the request (see :meth:`_guided`)."""
        if not prompts:
            return []
        if steering is not None:
            if steering.rollback_in_loop:
                raise ValueError("the openai backend re-threads in rounds, not in its loop")
            work = [lambda j=j, p=p: self._guided(j, list(p), settings, steering) for j, p in enumerate(prompts)]
        else:
            work = [lambda p=p: self._complete(list(p), settings) for p in prompts]
        if len(prompts) == 1 or self.concurrency == 1:
            return [job() for job in work]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="pretty-openai")
        return list(self._pool.map(lambda job: job(), work))

    def _guided(self, row: int, prompt: list[int], settings: GenerationSettings, steering: Steering) -> Generation:
        """Row ``row`` with guides: the tokens a guide restricts the next steps to are chosen first (by their
        log-probabilities after the prompt, one request each), then one completion; every token is shown to
        the guides, and one that asks to re-thread ends the row here ("rethread": the rounds continue it)."""
        written: list[int] = []
        while len(written) < settings.max_new_tokens and (allowed := steering.choices(row)):
            token = allowed[0] if len(allowed) == 1 else self._likeliest(prompt + written, allowed)
            written.append(token)
            if steering.observe(row, token) is not None:
                return Generation(written, "rethread")
        if len(written) >= settings.max_new_tokens:
            return Generation(written, "length")
        left = replace(settings, max_new_tokens=settings.max_new_tokens - len(written))
        rest = self._complete(prompt + written, left)
        for i, token in enumerate(rest.token_ids):
            if steering.observe(row, token) is not None:
                return Generation(written + rest.token_ids[: i + 1], "rethread")
        return Generation(written + rest.token_ids, rest.stop_reason)

    def _likeliest(self, prompt: list[int], allowed: list[int]) -> int:
        """The allowed token the model rates highest after ``prompt`` (its top log-probabilities); the first
        allowed one where none of them is among the top, or where the server gives no log-probabilities."""
        try:
            ranked = self.top_logprobs(prompt, k=CHOICE_TOP_K)
        except ServerError as error:
            if not self._warned_choice:
                self._warned_choice = True
                log.warning("%s; guides take their first choice instead of the model's", error)
            return allowed[0]
        rank = {token: i for i, (token, _) in enumerate(ranked)}
        return min(allowed, key=lambda token: (rank.get(token, len(rank)), allowed.index(token)))

    def request_body(self, prompt: Sequence[int], settings: GenerationSettings) -> dict[str, Any]:
        """The completions request for ``prompt``: the settings mapped one to one, greedy as temperature 0."""
        body: dict[str, Any] = {
            "model": self.model_name,
            "prompt": list(prompt) if self.prompt_ids else self.decode(prompt),
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
        body.update(self._neutral(settings))
        body.update(self.options.extra_body)
        return body

    def _neutral(self, settings: GenerationSettings) -> dict[str, Any]:
        """Server-specific fields that switch off samplers the other backends do not have."""
        top_k = settings.top_k if settings.do_sample else 0
        if self.server in ("llama.cpp", "llama-cpp-python"):  # llama.cpp defaults: repeat_penalty 1.1, min_p 0.05
            return {"repeat_penalty": 1.0, "min_p": 0.0, "top_k": top_k}
        if self.server in ("vllm", "sglang"):  # vLLM applies the model's generation_config.json unless told
            return {"repetition_penalty": 1.0, "min_p": 0.0, "top_k": top_k or -1}
        return {}

    def _complete(self, prompt: list[int], settings: GenerationSettings) -> Generation:
        data = self._client.post("completions", self.request_body(prompt, settings))
        try:
            choice = data["choices"][0]
            text = choice.get("text") or ""
        except (KeyError, IndexError, TypeError):
            raise ServerError(f"{self._client.shown_url}: a completion without choices: {str(data)[:200]}") from None
        finish = choice.get("finish_reason")
        generated = (data.get("usage") or {}).get("completion_tokens")
        ids = self.continuation_ids(text)
        stop = self._stop_string(choice, finish, settings, ids, generated)
        if stop:  # its own ids (asked once per run): one tokenize request per line fewer than text + stop
            ids = ids + self.continuation_ids(stop)
        return self._stop_rules(ids, settings, finish, stop is not None)

    def _stop_string(self, choice: dict[str, Any], finish: str | None, settings: GenerationSettings,
                     ids: list[int], generated: int | None) -> str | None:
        """The stop string the server cut its text at, or ``None`` (EOS, length, no stop strings)."""
        if finish != "stop" or not settings.stop_strings:
            return None
        if "stop_reason" in choice:  # vLLM: the stop string, a stop token id, or None for EOS
            reason = choice["stop_reason"]
            return reason if isinstance(reason, str) and reason in settings.stop_strings else None
        if generated is not None and generated <= len(ids):
            return None  # every generated token is in the text: the model ended with EOS
        return settings.stop_strings[0]  # the server checks its stop strings in order

    def _stop_rules(self, ids: list[int], settings: GenerationSettings, finish: str | None,
                    stopped: bool) -> Generation:
        """Cut ``ids`` where an in-process backend would have stopped: a StopWatcher fed token by token.

        The server already stopped at the first stop string (its text never holds one before the end), so the
        watcher checks the repetition guard and the length; the token that completes the stop string ends it.
        """
        watcher = StopWatcher(1, replace(settings, stop_strings=()), self.decode)
        for i, token in enumerate(ids):
            if stopped and i == len(ids) - 1:
                return Generation(token_ids=ids, stop_reason="stop_string")
            if watcher.step([token])[0]:
                return watcher.results()[0]
        if stopped:  # the stop string merged into the text's last token
            return Generation(token_ids=ids, stop_reason="stop_string")
        return Generation(token_ids=ids, stop_reason="eos" if finish == "stop" else "length")

    # -- log-probabilities -----------------------------------------------------------------
    def score(self, prompts: Sequence[Sequence[int]], starts: Sequence[int]) -> list[float]:
        """For each token list, the sum of the log-probabilities of ``tokens[start:]`` given what precedes them
        (candidate-prior scoring), from the prompt's log-probabilities the server echoes (``echo`` with
        ``logprobs``: vLLM; llama-cpp-python's server started with ``--logits_all true``). llama.cpp's own server
        does not echo them: a clear error. The first token has no context and is never scored; a row with nothing
        to score gets 0.0. One request per row, ``concurrency`` in flight."""
        if len(prompts) != len(starts):
            raise ValueError(f"score() got {len(prompts)} prompts and {len(starts)} starts")
        rows = list(zip((list(p) for p in prompts), (max(1, s) for s in starts)))
        if self._pool is None and self.concurrency > 1 and len(rows) > 1:
            self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="pretty-openai")
        if self._pool is None or len(rows) == 1:
            return [self._score_one(prompt, first) for prompt, first in rows]
        return list(self._pool.map(lambda row: self._score_one(*row), rows))

    def _score_one(self, prompt: list[int], first: int) -> float:
        if len(prompt) <= first:
            return 0.0
        body = self.request_body(prompt, GenerationSettings(max_new_tokens=1))
        body.update({"echo": True, "logprobs": 1})
        body.pop("stop", None)
        try:
            data = self._client.post("completions", body)
        except ServerError as error:
            raise ServerError(f"the server at {self._client.shown_url} cannot score prompts: it does not echo their "
                              "log-probabilities (vLLM does, and llama-cpp-python's server with --logits_all true; "
                              f"llama.cpp's own server does not): {error.body or error}") from None
        choice = ((data.get("choices") or [{}])[0] or {}) if isinstance(data, dict) else {}
        values = (choice.get("logprobs") or {}).get("token_logprobs") if isinstance(choice, dict) else None
        generated = (data.get("usage") or {}).get("completion_tokens", 1)
        if not isinstance(values, list) or not isinstance(generated, int):
            raise ServerError(f"the server at {self._client.shown_url} answered an echo request without the "
                              "prompt's token_logprobs: it cannot score prompts")
        echoed = values[: len(values) - generated]
        # vLLM echoes every prompt token (BOS first, with no log-probability); llama-cpp-python leaves BOS out
        offset = len(prompt) - len(echoed)
        if offset not in (0, 1):
            raise ServerError(f"the server at {self._client.shown_url} echoed {len(echoed)} prompt tokens for a "
                              f"prompt of {len(prompt)}: its tokenization differs from ours (a text prompt "
                              "re-tokenized); score with -B prompt_ids=true or a local tokenizer of the served model")
        total = 0.0
        for position in range(max(first, offset + 1), len(prompt)):  # llama-cpp-python nulls its first one
            value = echoed[position - offset]
            if value is None:
                raise ServerError(f"the server at {self._client.shown_url} echoed no log-probability for prompt "
                                  f"token {position}")
            total += float(value)
        return total

    def top_logprobs(self, prompt: Sequence[int], k: int = 20) -> list[tuple[int, float]]:
        """The k most likely next tokens after ``prompt`` with their log-probabilities (``logprobs`` of a
        one-token completion)."""
        body = self.request_body(prompt, GenerationSettings(max_new_tokens=1))
        body["logprobs"] = k
        if self.server in ("vllm", "sglang"):
            body["return_tokens_as_token_ids"] = True
        try:
            data = self._client.post("completions", body)
        except ServerError as error:
            raise ServerError(f"the server at {self._client.shown_url} gives no log-probabilities ({error})") from None
        logprobs = ((data.get("choices") or [{}])[0] or {}).get("logprobs")
        entries = self._top_entries(logprobs)
        if entries is None:
            raise ServerError(f"the server at {self._client.shown_url} answered without log-probabilities "
                              "(llama-cpp-python's server needs --logits_all true)")
        best = sorted(entries.items(), key=lambda item: -item[1])[:k]
        return [(token, float(lp)) for token, lp in best]

    def _top_entries(self, logprobs: Any) -> dict[int, float] | None:
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
            ids = self.continuation_ids(piece)  # a piece as the server printed it: its one token
            if len(ids) == 1:
                entries.setdefault(ids[0], float(lp))
            else:
                log.debug("top_logprobs: %r is not one token here; left out", piece)
        return entries

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self._client.close()

    def __repr__(self) -> str:
        return f"OpenAIBackend(model={getattr(self, 'model_name', None)!r}, base_url={public_url(self.options.base_url)!r})"
