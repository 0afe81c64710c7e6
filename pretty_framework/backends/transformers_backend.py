"""The transformers backend: a causal LM on CPU or CUDA, batched with left padding."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, StoppingCriteria, StoppingCriteriaList

from pretty_framework.backends import decode_loop
from pretty_framework.backends.decode_loop import PrefixCache
from pretty_framework.backends.devices import pick_device, pick_dtype
from pretty_framework.backends.hub import hub_snapshot
from pretty_framework.backends.models import resolve_model
from pretty_framework.backends.padding import left_pad
from pretty_framework.decoding.generation import Generation, GenerationSettings, StopWatcher
from pretty_framework.errors import ModelLoadError
from pretty_framework.guides.steering import Steering
from pretty_framework.options import Options, validate_options

log = logging.getLogger(__name__)

SCORE_ROWS = 16  # rows per forward pass in score()


class TransformersOptions(Options):
    """The backend's knobs (``pretty decode -B key=value``).

    ``loop``: "own" is our loop (finished rows leave, prefix cache); "hf" is ``model.generate``; "auto" uses ours
    when the batch shares a cacheable prefix, else ``model.generate`` (measured faster on CPU without one: 20.2 s
    vs 23.9 s, benchmarks/results/backends_speed.md).
    """

    loop: Literal["auto", "own", "hf"] = "auto"
    prefix_cache: bool = True


class _WatcherCriteria(StoppingCriteria):
    """Feeds each step's tokens to a :class:`StopWatcher` inside ``model.generate``."""

    def __init__(self, watcher: StopWatcher):
        self.watcher = watcher

    def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> torch.BoolTensor:
        done = self.watcher.step(input_ids[:, -1].tolist())
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)


class TransformersBackend:
    """A transformers causal LM: the framework's reference backend."""

    name: ClassVar[str] = "transformers"
    #: guides run in our own loop (``model.generate`` is never used with guides)
    supports_guides: ClassVar[bool] = True
    Options: ClassVar[type[TransformersOptions]] = TransformersOptions

    def __init__(self, model: str | None = None, device: str = "auto", dtype: str = "auto", **options: Any):
        self.options = validate_options(self.Options, options, f"backend {self.name!r}")
        self.loop = self.options.loop
        self.prefix_cache = PrefixCache() if self.options.prefix_cache and self.loop != "hf" else None
        resolved = resolve_model(model)
        self.model_name = resolved.name
        self.device = pick_device(device)
        self.dtype = pick_dtype(dtype, self.device)
        source = hub_snapshot(resolved.source) if resolved.kind == "hub" else resolved.source
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(source)
            self.model = AutoModelForCausalLM.from_pretrained(source, dtype=self.dtype)
        except OSError as error:
            raise ModelLoadError(
                f"cannot load model {resolved.source!r} ({resolved.kind}): {error}. "
                "Offline, use a packaged model (gemma3-270m), a local folder or a .gguf file."
            ) from error
        self.model.to(self.device).eval()
        # a hub snapshot's folder is named by its commit
        self.revision = resolved.revision if resolved.kind != "hub" else Path(source).name[:16]
        #: greedy outputs do not depend on which rows share a batch (measured on CPU in float32; bf16 and fp16
        #: round differently with padding): resume and batch size can then never change an output
        self.batch_invariant = self.device.type == "cpu" and self.dtype == torch.float32
        self.max_context = _max_context(self.model.config)
        self.eos_ids = _eos_ids(self.model, self.tokenizer)
        pad = self.tokenizer.pad_token_id
        self.pad_id = pad if pad is not None else (self.eos_ids[0] if self.eos_ids else 0)

    def encode(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=True)["input_ids"]

    def decode(self, ids: Sequence[int]) -> str:
        return self.tokenizer.decode(list(ids), skip_special_tokens=True)

    def token_texts(self) -> list[str]:
        """Every token of the vocabulary as it reads in mid-sentence (for guides)."""
        return token_texts(self.tokenizer)

    def generate(self, prompts: Sequence[Sequence[int]], settings: GenerationSettings,
                 steering: Steering | None = None) -> list[Generation]:
        if not prompts:
            return []
        watcher = StopWatcher(len(prompts), settings, self.decode, self.eos_ids, steering)
        if settings.seed is not None:
            torch.manual_seed(settings.seed)
        shared = self.prefix_cache.shared(prompts) if self.prefix_cache is not None else []
        if self.loop == "own" or (self.loop == "auto" and shared) or steering is not None:
            decode_loop.generate(self.model, prompts, settings, watcher, self.pad_id, self.device, self.prefix_cache,
                                 shared, steering)
        else:
            self._hf_generate(prompts, settings, watcher)
        return watcher.results()

    @torch.inference_mode()
    def score(self, prompts: Sequence[Sequence[int]], starts: Sequence[int]) -> list[float]:
        """For each token list, the sum of the log-probabilities of ``tokens[start:]`` given what precedes them.

        One forward pass per :data:`SCORE_ROWS` rows, left padded with positions counted over real tokens (as
        the decode loop does), so a row scores as it would alone. The first token has no context and is never
        scored (a start of 0 counts from 1); a row with nothing to score gets 0.0. Logits are kept only for the
        scored columns and turned into log-probabilities in float32.
        """
        if len(prompts) != len(starts):
            raise ValueError(f"score() got {len(prompts)} prompts and {len(starts)} starts")
        rows = [list(prompt) for prompt in prompts]
        firsts = [max(1, start) for start in starts]
        scores: list[float] = []
        for begin in range(0, len(rows), SCORE_ROWS):
            chunk, chunk_firsts = rows[begin : begin + SCORE_ROWS], firsts[begin : begin + SCORE_ROWS]
            scored = [max(0, len(row) - first) for row, first in zip(chunk, chunk_firsts)]
            if not any(scored):
                scores += [0.0] * len(chunk)
                continue
            ids, mask = left_pad(chunk, self.pad_id)
            positions = (mask.cumsum(-1) - 1).clamp(min=0)
            # Left padding ends every row at the last column: the scored tokens are each row's last ones, and the
            # logits predicting them are the `keep` columns before the last.
            keep = max(scored)
            outputs = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device),
                                 position_ids=positions.to(self.device), use_cache=False,
                                 **({"logits_to_keep": keep + 1} if self._keeps_logits else {}))
            logits = outputs.logits[:, -(keep + 1) : -1, :]
            logprobs = torch.log_softmax(logits.float(), dim=-1)
            targets = ids[:, -keep:].to(self.device)
            picked = logprobs.gather(-1, targets.unsqueeze(-1)).squeeze(-1)  # [rows, keep]
            for row, count in enumerate(scored):
                scores.append(float(picked[row, keep - count :].sum()) if count else 0.0)
        return scores

    @property
    def _keeps_logits(self) -> bool:
        """Whether the model's forward takes ``logits_to_keep`` (recent transformers: every causal LM)."""
        return "logits_to_keep" in inspect.signature(self.model.forward).parameters

    @torch.inference_mode()
    def _hf_generate(self, prompts: Sequence[Sequence[int]], settings: GenerationSettings,
                     watcher: StopWatcher) -> None:
        """``model.generate``: every row is computed until the last one stops (the reference path)."""
        input_ids, attention = left_pad(prompts, self.pad_id)
        self.model.generate(
            input_ids=input_ids.to(self.device),
            attention_mask=attention.to(self.device),
            max_new_tokens=settings.max_new_tokens,
            stopping_criteria=StoppingCriteriaList([_WatcherCriteria(watcher)]),
            pad_token_id=self.pad_id,
            eos_token_id=self.eos_ids,
            **_sampling_kwargs(settings),
        )

    def close(self) -> None:
        self.prefix_cache = None
        del self.model
        if self.device.type == "cuda":
            torch.cuda.empty_cache()


def token_texts(tokenizer: Any) -> list[str]:
    """Each token id's text in mid-sentence: SentencePiece's ``▁`` and byte-level BPE's ``Ġ`` read as a space,
    a byte-fallback piece (``<0xE4>``) as ``""``."""
    pieces = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    byte_level = any(piece and piece.startswith("Ġ") for piece in pieces[:5000])
    texts = []
    for piece in pieces:
        if piece is None or (piece.startswith("<0x") and piece.endswith(">") and len(piece) == 6):
            texts.append("")
        elif byte_level:
            texts.append(piece.replace("Ġ", " ").replace("Ċ", "\n"))
        else:
            texts.append(piece.replace("\u2581", " "))
    for token_id, token in getattr(tokenizer, "added_tokens_decoder", {}).items():
        if token.special and token_id < len(texts):
            texts[token_id] = ""  # control tokens (<eos>, <start_of_turn>) are no text a guide should judge
    return texts


def _sampling_kwargs(settings: GenerationSettings) -> dict[str, Any]:
    if not settings.do_sample:
        # Unset the sampling knobs a model's generation_config may carry (Gemma sets top_k/top_p).
        return {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
    return {
        "do_sample": True,
        "temperature": settings.temperature,
        "top_p": settings.top_p,
        "top_k": settings.top_k or None,
    }


def _max_context(config: Any) -> int:
    for attribute in ("max_position_embeddings", "n_positions", "max_sequence_length"):
        value = getattr(config, attribute, None)
        if isinstance(value, int) and value > 0:
            return value
    return 2048


def _eos_ids(model: Any, tokenizer: Any) -> list[int]:
    eos = model.generation_config.eos_token_id
    if eos is None:
        eos = tokenizer.eos_token_id
    if eos is None:
        return []
    return list(eos) if isinstance(eos, (list, tuple)) else [eos]
