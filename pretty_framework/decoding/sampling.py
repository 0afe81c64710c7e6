"""The next-token choice every decoding loop makes: argmax, or a sample with temperature, top-k and top-p.

One implementation for all backends that run their own loop (the transformers
loop, llama.cpp), on torch tensors; numpy logits are taken as they are.
"""

from __future__ import annotations

from typing import Any

from pretty_framework.decoding.generation import GenerationSettings


def sampling_generator(settings: GenerationSettings, device: Any = "cpu") -> Any:
    """A ``torch.Generator`` seeded from ``settings.seed`` when sampling with a seed, else ``None`` (global RNG)."""
    import torch

    if settings.do_sample and settings.seed is not None:
        return torch.Generator(device=device).manual_seed(settings.seed)
    return None


def choose_tokens(logits: Any, settings: GenerationSettings, generator: Any = None) -> Any:
    """The next token of each row of ``[rows, vocab]`` logits (a torch tensor or numpy array), as a 1-D tensor."""
    import torch

    logits = torch.as_tensor(logits)
    if not settings.do_sample:
        return logits.argmax(dim=-1)
    logits = logits.float() / settings.temperature
    if settings.top_k:
        cutoff = torch.topk(logits, min(settings.top_k, logits.shape[-1]), dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < cutoff, float("-inf"))
    probs = torch.softmax(logits, dim=-1)
    if settings.top_p < 1.0:
        sorted_probs, order = torch.sort(probs, descending=True, dim=-1)
        drop = torch.cumsum(sorted_probs, dim=-1) - sorted_probs >= settings.top_p  # keep the smallest set reaching top_p
        sorted_probs = sorted_probs.masked_fill(drop, 0.0)
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_probs)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)
