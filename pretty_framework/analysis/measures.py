"""The measures, as small functions on logits (tested on hand-made tensors).

Conventions, documented because they change numbers:

* Agreement@K (the paper's Eq. 3): the SFT model's chosen token is in the
  foundation model's top K. A token is in the top K when fewer than K tokens
  have a strictly higher logit, so ties at the K-th place count as inside, and
  any K at least the vocabulary size agrees always.
* Divergences use the SFT distribution as P and the foundation's as Q:
  KL(P||Q), JS(P, Q) (base 2, in [0, 1]) and cross-entropy H(P, Q) in nats.
  Q (and the mixture for JS) is smoothed with ``EPSILON`` so that a token the
  foundation model rules out (probability 0 in bf16 or after masking) gives a
  large finite value instead of infinity; P's zero terms contribute 0.
"""

from __future__ import annotations

import math

import torch

EPSILON = 1e-10


def rank_of(chosen: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """How many tokens have a strictly higher logit than ``chosen`` (0 = top-1), per row."""
    chosen_logit = logits.gather(-1, chosen.unsqueeze(-1))
    return (logits > chosen_logit).sum(-1)


def agreement_at_k(chosen: torch.Tensor, logits: torch.Tensor, ks: list[int]) -> dict[int, torch.Tensor]:
    """For each K, a boolean per row: is ``chosen`` among the top K of ``logits``?"""
    ranks = rank_of(chosen, logits)
    return {k: ranks < k for k in ks}


def chosen_probability(chosen: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """The probability ``logits`` give to ``chosen``, per row."""
    return torch.softmax(logits.float(), dim=-1).gather(-1, chosen.unsqueeze(-1)).squeeze(-1)


def _smoothed_log(probabilities: torch.Tensor) -> torch.Tensor:
    size = probabilities.shape[-1]
    return torch.log(probabilities + EPSILON) - math.log1p(size * EPSILON)


def divergences(p_logits: torch.Tensor, q_logits: torch.Tensor) -> dict[str, torch.Tensor]:
    """KL(P||Q), JS(P,Q) in bits and cross-entropy H(P,Q) in nats, per row, over a shared vocabulary."""
    if p_logits.shape != q_logits.shape:
        raise ValueError(f"distributions over different vocabularies: {tuple(p_logits.shape)} vs {tuple(q_logits.shape)}")
    p = torch.softmax(p_logits.double(), dim=-1)
    q = torch.softmax(q_logits.double(), dim=-1)
    log_p = torch.log_softmax(p_logits.double(), dim=-1)
    log_q = _smoothed_log(q)
    plogp = torch.where(p > 0, p * log_p, torch.zeros_like(p))
    cross_entropy = -(p * log_q).sum(-1)
    kl = plogp.sum(-1) + cross_entropy
    mixture = _smoothed_log(0.5 * (p + q))
    qlogq = torch.where(q > 0, q * torch.log(q), torch.zeros_like(q))
    js = 0.5 * (plogp.sum(-1) - (p * mixture).sum(-1)) + 0.5 * (qlogq.sum(-1) - (q * mixture).sum(-1))
    return {"kl": kl, "js": js / math.log(2), "cross_entropy": cross_entropy}


def finite_mean(values: list[float]) -> tuple[float | None, int]:
    """The mean of the finite values and how many were not finite (reported, never averaged in)."""
    finite = [v for v in values if math.isfinite(v)]
    return (sum(finite) / len(finite) if finite else None), len(values) - len(finite)


def prefix_compatible(candidate: str, chosen: str) -> bool:
    """Text-level agreement across tokenizers: one string begins the other (leading spaces ignored).

    Whitespace-only candidates carry no content and never agree.
    """
    a, b = candidate.lstrip(), chosen.lstrip()
    if not a or not b:
        return False
    return a.startswith(b) or b.startswith(a)
