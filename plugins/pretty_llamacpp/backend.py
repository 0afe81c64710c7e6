"""The llama.cpp backend: GGUF models decoded directly, several sequences per batch, a shared prompt prefix cached.

It drives llama.cpp through llama-cpp-python's low-level API, not its
``Llama.create_completion``: that path decodes one sequence at a time and, for
log-probabilities, needs ``logits_all`` (every position's logits, ~2.5 tok/s
here). Here one ``llama_decode`` call advances every live sequence of the
batch by one token, finished sequences leave the batch (and the KV cache) at
once, and logits are read through the pointer llama.cpp returns.

Prefix cache: the longest token prefix shared by all prompts of a batch (the
instruction, the one-shot demonstration) is decoded once into sequence 0 and
copied to each sequence by ``llama_memory_seq_cp`` (with the unified KV cache a
copy shares the cells: no recomputation, no extra memory). It stays there for
the next batch when that batch shares it too.

Guides: each step's logits of the live sequences go through the batch's
``Steering`` before a token is chosen. A row a guide re-threads finishes
(``rethread``) and the engine continues it in a new round.
"""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from pretty_framework.api import (
    Generation,
    GenerationSettings,
    ModelLoadError,
    Options,
    OptionsError,
    StopWatcher,
    choose_tokens,
    file_fingerprint,
    gguf_file,
    sampling_generator,
    shared_prefix,
    validate_options,
)

if TYPE_CHECKING:
    from pretty_framework.guides.base import Rethread
    from pretty_framework.guides.steering import Steering

log = logging.getLogger(__name__)

MIN_SHARED_PREFIX = 8  # tokens; below this, caching costs more bookkeeping than it saves
PREFIX_SEQ = 0  # the sequence that holds the cached prefix


class LlamaCppOptions(Options):
    """The backend's knobs (``pretty decode --backend llama.cpp -B key=value``)."""

    n_ctx: int = Field(8192, ge=256)  # KV cells shared by all sequences of a batch
    n_seq_max: int = Field(17, ge=2)  # sequences in flight, prefix holder included
    n_batch: int = Field(512, ge=32)  # tokens per llama_decode call during prompt processing
    n_threads: int | None = Field(None, ge=1)
    max_context: int = Field(2048, ge=64)  # per sequence: prompt + continuation
    prefix_cache: bool = True
    flash_attn: bool = True
    kv_f32: bool = False  # an fp32 KV cache instead of f16


def _llama() -> Any:
    try:
        import llama_cpp
    except ModuleNotFoundError:
        raise ModelLoadError("the llama.cpp backend needs llama-cpp-python: pip install 'pretty-framework[llamacpp]' "
                             "(it compiles llama.cpp, about 6 minutes on 2 cores)") from None
    return llama_cpp


class LlamaCppBackend:
    """A GGUF model in llama.cpp (CPU build by default)."""

    name: ClassVar[str] = "llama.cpp"
    supports_guides: ClassVar[bool] = True
    Options: ClassVar[type[LlamaCppOptions]] = LlamaCppOptions

    def __init__(self, model: str | None = None, device: str = "auto", dtype: str = "auto", **options: Any):
        llama_cpp = _llama()
        from llama_cpp import _internals, _logger

        _logger.set_verbose(False)  # llama.cpp logs every tensor it allocates; keep its errors only
        if device not in ("auto", "cpu"):
            raise OptionsError(f"the llama.cpp backend runs where it was built; device {device!r} is not selectable")
        self.options = validate_options(self.Options, options, f"backend {self.name!r}")
        self.model_name, path = gguf_file(model)
        self.dtype = "gguf"  # the file's own quantization
        self.revision = file_fingerprint(path)
        self.batch_invariant = False  # measured: batched and one-by-one greedy outputs differ (README)
        llama_cpp.llama_backend_init()
        model_params = llama_cpp.llama_model_default_params()
        try:
            self._model = _internals.LlamaModel(path_model=str(path), params=model_params, verbose=False)
        except ValueError as error:
            raise ModelLoadError(f"llama.cpp cannot load {path}: {error}") from None
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = self.options.n_ctx
        params.n_batch = params.n_ubatch = self.options.n_batch
        params.n_seq_max = self.options.n_seq_max
        params.kv_unified = True  # sequences share the prefix's cells
        if not self.options.flash_attn:
            params.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
        if self.options.kv_f32:
            params.type_k = params.type_v = llama_cpp.GGML_TYPE_F32
        threads = self.options.n_threads or max(1, len(os.sched_getaffinity(0)))
        params.n_threads = params.n_threads_batch = threads
        self._context = _internals.LlamaContext(model=self._model, params=params, verbose=False)
        self._ctx = self._context.ctx
        self._memory = llama_cpp.llama_get_memory(self._ctx)
        self._llama_cpp = llama_cpp
        self.n_vocab = self._model.n_vocab()
        self.max_context = min(self.options.max_context, self._model.n_ctx_train())
        vocab = llama_cpp.llama_model_get_vocab(self._model.model)
        self.eos_ids = [t for t in range(self.n_vocab) if llama_cpp.llama_vocab_is_eog(vocab, t)]
        self._prefix: list[int] = []  # the token prefix now held in PREFIX_SEQ
        self._token_texts: list[str] | None = None

    # -- tokens ----------------------------------------------------------------------------
    def encode(self, text: str) -> list[int]:
        return list(self._model.tokenize(text.encode("utf-8"), add_bos=self._model.add_bos_token(), special=False))

    def decode(self, ids: Sequence[int]) -> str:
        return self._model.detokenize(list(ids), special=False).decode("utf-8", errors="replace")

    def token_texts(self) -> list[str]:
        """Every token id's text as it reads in mid-sentence (for guides), built once.

        llama.cpp's own pieces (``llama_token_to_piece``, no left strip): SentencePiece's ``▁`` and byte-level
        BPE's bytes come out as the text itself, so the token of " house" reads " house". A byte piece that is
        not a whole UTF-8 character reads ``""`` (an ASCII byte piece reads as its character), and so do control
        tokens (``<eos>``, ``<start_of_turn>``: not rendered without ``special``). ~0.3 s for Gemma 3's 262k
        tokens on 2 cores.
        """
        if self._token_texts is None:
            llama_cpp = self._llama_cpp
            vocab = llama_cpp.llama_model_get_vocab(self._model.model)
            size = 64
            buffer = ctypes.create_string_buffer(size)
            texts = []
            for token in range(self.n_vocab):
                length = llama_cpp.llama_token_to_piece(vocab, token, buffer, size, 0, False)
                if length < 0:  # a longer piece: -length bytes are needed
                    size = -length
                    buffer = ctypes.create_string_buffer(size)
                    length = llama_cpp.llama_token_to_piece(vocab, token, buffer, size, 0, False)
                try:
                    texts.append(buffer.raw[: max(length, 0)].decode("utf-8"))
                except UnicodeDecodeError:  # a byte of a multi-byte character
                    texts.append("")
            self._token_texts = texts
        return self._token_texts

    # -- decoding --------------------------------------------------------------------------
    def generate(self, prompts: Sequence[Sequence[int]], settings: GenerationSettings,
                 steering: Steering | None = None) -> list[Generation]:
        """Continue ``prompts`` in groups of ``n_seq_max - 1`` sequences; ``steering``: guides acting at each
        step (its rows are ``prompts``' indices, whatever group a prompt is decoded in)."""
        results: list[Generation] = []
        size = self.options.n_seq_max - 1
        for start in range(0, len(prompts), size):
            results += self._generate_group([list(p) for p in prompts[start : start + size]], settings,
                                            steering, start)
        return results

    def _generate_group(self, prompts: list[list[int]], settings: GenerationSettings,
                        steering: Steering | None = None, offset: int = 0) -> list[Generation]:
        """Decode one group; ``offset``: the index of its first prompt in ``generate``'s (the steering's rows)."""
        import numpy as np

        if not prompts:
            return []
        shared = self._shared_prefix(prompts)
        needed = len(shared) + sum(len(p) - len(shared) + settings.max_new_tokens for p in prompts)
        if needed > self.options.n_ctx and len(prompts) > 1:  # too many cells: halve the group
            half = len(prompts) // 2
            return (self._generate_group(prompts[:half], settings, steering, offset)
                    + self._generate_group(prompts[half:], settings, steering, offset + half))
        if needed > self.options.n_ctx:
            raise OptionsError(f"a prompt of {len(prompts[0])} tokens + {settings.max_new_tokens} new tokens needs "
                               f"{needed} KV cells; raise n_ctx (now {self.options.n_ctx})")
        self._hold_prefix(shared)
        sequences = self._fresh_sequences(len(prompts), len(shared))
        # Prompt processing: every sequence's own tokens; logits only at each one's last token.
        entries = [(seq, len(shared) + i, token, i == len(p) - len(shared) - 1)
                   for seq, p in zip(sequences, prompts) for i, token in enumerate(p[len(shared) :])]
        first = self._decode(entries)
        group_steering = _GroupSteering(steering, offset) if steering is not None else None
        watcher = StopWatcher(len(prompts), settings, self.decode, self.eos_ids, group_steering)
        generator = sampling_generator(settings)
        positions = [len(p) for p in prompts]
        rows = {seq: row for row, seq in enumerate(sequences)}
        logits = np.stack([first[seq] for seq in sequences])
        live = list(sequences)
        while live:
            if group_steering is not None:  # logits row i is sequence live[i]
                logits = group_steering.adjust([rows[seq] for seq in live], logits)
            tokens = choose_tokens(logits, settings, generator).tolist()
            step = [0] * len(prompts)
            for seq, token in zip(live, tokens):
                step[rows[seq]] = token
            done = watcher.step(step)
            for seq in [s for s in live if done[rows[s]]]:
                self._llama_cpp.llama_memory_seq_rm(self._memory, seq, -1, -1)  # free its cells now
            still = [(seq, token) for seq, token in zip(live, tokens) if not done[rows[seq]]]
            live = [seq for seq, _ in still]
            if not live:
                break
            out = self._decode([(seq, positions[rows[seq]], token, True) for seq, token in still])
            for seq in live:
                positions[rows[seq]] += 1
            logits = np.stack([out[seq] for seq in live])
        return watcher.results()

    def _shared_prefix(self, prompts: list[list[int]]) -> list[int]:
        if not self.options.prefix_cache:
            return []
        return shared_prefix(prompts, self._prefix, MIN_SHARED_PREFIX)

    def _fresh_sequences(self, count: int, shared: int) -> list[int]:
        """Sequences 1..count emptied, each starting with the held prefix's first ``shared`` cells (none: empty)."""
        sequences = list(range(1, count + 1))
        for seq in sequences:
            self._llama_cpp.llama_memory_seq_rm(self._memory, seq, -1, -1)
            if shared:
                self._llama_cpp.llama_memory_seq_cp(self._memory, PREFIX_SEQ, seq, 0, shared)
        return sequences

    def _hold_prefix(self, prefix: list[int]) -> None:
        if prefix == self._prefix:
            return
        self._llama_cpp.llama_memory_seq_rm(self._memory, PREFIX_SEQ, -1, -1)
        self._prefix = []
        if prefix:
            self._decode([(PREFIX_SEQ, i, token, False) for i, token in enumerate(prefix)])
            self._prefix = list(prefix)

    def _decode(self, entries: list[tuple[int, int, int, bool]]) -> dict[int, Any]:
        """Feed (seq, pos, token, wants_logits) entries in n_batch chunks; return seq -> its logits (numpy).

        Logits are read after each chunk: the next ``llama_decode`` overwrites them.
        """
        import numpy as np

        llama_cpp = self._llama_cpp
        logits: dict[int, Any] = {}
        for start in range(0, len(entries), self.options.n_batch):
            chunk = entries[start : start + self.options.n_batch]
            batch = llama_cpp.llama_batch_init(len(chunk), 0, 1)
            try:
                batch.n_tokens = len(chunk)
                for i, (seq, pos, token, wants) in enumerate(chunk):
                    batch.token[i], batch.pos[i], batch.n_seq_id[i] = token, pos, 1
                    batch.seq_id[i][0] = seq
                    batch.logits[i] = wants
                status = llama_cpp.llama_decode(self._ctx, batch)
                if status != 0:
                    raise RuntimeError(f"llama_decode failed with status {status} (KV cache full? raise n_ctx)")
                for i, (seq, _, _, wants) in enumerate(chunk):
                    if wants:
                        pointer = llama_cpp.llama_get_logits_ith(self._ctx, i)
                        view = np.ctypeslib.as_array(ctypes.cast(pointer, ctypes.POINTER(ctypes.c_float)),
                                                     (self.n_vocab,))
                        logits[seq] = view.copy()
            finally:
                llama_cpp.llama_batch_free(batch)
        return logits

    def top_logprobs(self, prompt: Sequence[int], k: int = 20) -> list[tuple[int, float]]:
        """The k most likely next tokens after ``prompt`` with their log-probabilities (no ``logits_all``)."""
        import numpy as np

        self._hold_prefix([])
        self._llama_cpp.llama_memory_seq_rm(self._memory, 1, -1, -1)
        logits = self._decode([(1, i, t, i == len(prompt) - 1) for i, t in enumerate(prompt)])[1]
        self._llama_cpp.llama_memory_seq_rm(self._memory, 1, -1, -1)
        logprobs = _log_softmax(logits)
        best = np.argsort(-logprobs)[:k]
        return [(int(t), float(logprobs[t])) for t in best]

    def score(self, prompts: Sequence[Sequence[int]], starts: Sequence[int]) -> list[float]:
        """For each token list, the sum of the log-probabilities of ``tokens[start:]`` given what precedes them.

        Teacher forcing without ``logits_all``: each row's tokens up to its first scored one are decoded with
        logits at the last of them, then the scored tokens are fed one step at a time, every sequence of a group
        advancing together as in :meth:`generate`, each step's logits scoring the next token. The first token has
        no context and is never scored (a start of 0 counts from 1); a row with nothing to score gets 0.0.
        """
        if len(prompts) != len(starts):
            raise ValueError(f"score() got {len(prompts)} prompts and {len(starts)} starts")
        rows = [(list(prompt), max(1, start)) for prompt, start in zip(prompts, starts)]
        scores = [0.0] * len(rows)
        todo = [i for i, (prompt, first) in enumerate(rows) if len(prompt) > first]
        size = self.options.n_seq_max - 1
        for begin in range(0, len(todo), size):
            self._score_group(rows, todo[begin : begin + size], scores)
        return scores

    def _score_group(self, rows: list[tuple[list[int], int]], group: list[int], scores: list[float]) -> None:
        prompts, firsts = [rows[i][0] for i in group], [rows[i][1] for i in group]
        # Each row needs its logits before its first scored token: the cached prefix ends before that.
        shared = self._shared_prefix(prompts)[: min(firsts) - 1]
        if len(shared) < MIN_SHARED_PREFIX:
            shared = []  # and the prefix held for generate() stays
        needed = len(shared) + sum(len(p) - len(shared) for p in prompts)
        if needed > self.options.n_ctx and len(group) > 1:  # too many cells: halve the group
            half = len(group) // 2
            self._score_group(rows, group[:half], scores)
            self._score_group(rows, group[half:], scores)
            return
        if needed > self.options.n_ctx:
            raise OptionsError(f"scoring a prompt of {len(prompts[0])} tokens needs {needed} KV cells; "
                               f"raise n_ctx (now {self.options.n_ctx})")
        if shared:
            self._hold_prefix(shared)
        sequences = self._fresh_sequences(len(group), len(shared))
        logits = self._decode([(seq, i, p[i], i == first - 1) for seq, p, first in zip(sequences, prompts, firsts)
                               for i in range(len(shared), first)])
        totals = [0.0] * len(group)
        live, step = list(range(len(group))), 0
        while live:
            for row in live:
                totals[row] += float(_log_softmax(logits[sequences[row]])[prompts[row][firsts[row] + step]])
            live = [row for row in live if firsts[row] + step + 1 < len(prompts[row])]
            if live:  # feed the token just scored: its logits score the next one
                logits = self._decode([(sequences[row], firsts[row] + step, prompts[row][firsts[row] + step], True)
                                       for row in live])
                step += 1
        for seq in sequences:
            self._llama_cpp.llama_memory_seq_rm(self._memory, seq, -1, -1)
        for row, index in enumerate(group):
            scores[index] = totals[row]

    def close(self) -> None:
        if getattr(self, "_context", None) is not None:
            self._context.close()
            self._model.close()
            self._context = None


class _GroupSteering:
    """A batch's :class:`Steering` as one group of it sees it: the group's row ``i`` is the batch's ``offset + i``.

    Re-threading ends a row (the engine continues it in a new round): this loop never cuts a row back in place.
    """

    rollback_in_loop = False

    def __init__(self, steering: Steering, offset: int):
        self.steering = steering
        self.offset = offset

    def adjust(self, live: Sequence[int], logits: Any) -> Any:
        return self.steering.adjust([self.offset + row for row in live], logits)

    def observe(self, row: int, token: int) -> Rethread | None:
        return self.steering.observe(self.offset + row, token)


def _log_softmax(logits: Any) -> Any:
    """log softmax(logits), in float64."""
    import numpy as np

    values = logits.astype(np.float64)
    top = values.max()
    return values - top - np.log(np.exp(values - top).sum())
