"""Run the analysis over a data set: both models, both settings, batched teacher-forced passes.

Each model sees its own prompt format: the SFT model its chat template around
the instruction, the foundation model the task's plain template. Positions are
aligned on the SFT model's greedy answer: position 0 is the first answer token
(prefix = instruction only); position 1 follows one prior token (the SFT
model's own first token), and so on.

``shared`` mode (same vocabulary) compares the two distributions token for
token. ``cross`` mode (different tokenizers) is a text-level approximation:
the SFT model's next token *string* agrees when one of the foundation model's
top-K continuations is prefix-compatible with it; divergences are not defined
there and are not reported. A position there is a run of SFT tokens that ends
on a whole character (a byte-level tokenizer writes one CJK character as
several tokens); its probability is that of its first token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from pretty_framework.analysis import measures
from pretty_framework.backends.chat import chat_prompt_ids
from pretty_framework.backends.padding import left_pad
from pretty_framework.decoding.generation import GenerationSettings
from pretty_framework.errors import ModelLoadError, PrettyError
from pretty_framework.io.records import Item
from pretty_framework.priors.cutting import REPLACEMENT_CHAR, decode_answer, join_prompt_and_prior
from pretty_framework.tasks import Task

MODES = ("auto", "shared", "cross")
CROSS_TOKENS_PER_POSITION = 4  # tokens generated per compared position in cross mode
EXAMPLES = 5


class AnalysisError(PrettyError):
    """The analysis cannot run on these models or data."""


@dataclass
class PositionStats:
    """Per-item measurements at one answer position."""

    agree: dict[int, list[bool]] = field(default_factory=dict)
    sft_top1: list[float] = field(default_factory=list)  # the SFT model's probability of its chosen token
    base_top1: list[float] = field(default_factory=list)  # the foundation model's probability of its own top token
    base_of_sft: list[float] = field(default_factory=list)  # the foundation's probability of the SFT choice (shared)
    kl: list[float] = field(default_factory=list)
    js: list[float] = field(default_factory=list)
    cross_entropy: list[float] = field(default_factory=list)
    examples: list[dict[str, Any]] = field(default_factory=list)  # the first few items, for a reader to check

    def add_example(self, sft_choice: str, foundation_top: list[str]) -> None:
        if len(self.examples) < EXAMPLES:
            self.examples.append({"sft_choice": sft_choice, "foundation_top5": foundation_top[:5]})


def vocabulary_mode(foundation_tokenizer: Any, sft_tokenizer: Any, asked: str = "auto") -> str:
    """``shared`` when both tokenizers map the same strings to the same ids, else ``cross``."""
    if asked not in MODES:
        raise AnalysisError(f"unknown mode {asked!r}; known: {', '.join(MODES)}")
    same = foundation_tokenizer.get_vocab() == sft_tokenizer.get_vocab()
    if asked == "shared" and not same:
        differing = len(set(foundation_tokenizer.get_vocab().items()) ^ set(sft_tokenizer.get_vocab().items()))
        raise AnalysisError(f"the two models' vocabularies differ in content ({differing} token/id pairs differ); "
                            "token-level comparison is undefined: use --mode cross (a text-level approximation)")
    if asked == "auto":
        return "shared" if same else "cross"
    return asked


class Analysis:
    """Compares a foundation backend and an SFT backend (both transformers) on items."""

    def __init__(self, foundation: Any, sft: Any, task: Task, src: str, tgt: str, *, template: str = "normal",
                 positions: int = 2, ks: Sequence[int] = tuple(range(1, 21)), mode: str = "auto"):
        if positions < 1:
            raise AnalysisError(f"positions must be at least 1, got {positions}")
        self.foundation, self.sft, self.task = foundation, sft, task
        self.src, self.tgt, self.template = src, tgt, task.template(template).name
        self.positions, self.ks = positions, sorted(set(ks))
        self.mode = vocabulary_mode(foundation.tokenizer, sft.tokenizer, mode)
        self.stats = [PositionStats(agree={k: [] for k in self.ks}) for _ in range(positions)]

    # -- prompts ---------------------------------------------------------------------------
    def _instruction(self, item: Item) -> str:
        return self.task.prompt(item, self.src, self.tgt, self.template).strip()

    def _sft_prompt(self, item: Item) -> list[int]:
        try:
            return chat_prompt_ids(self.sft.tokenizer, self._instruction(item), f"the SFT model {self.sft.model_name!r}")
        except ModelLoadError as error:
            raise AnalysisError(str(error)) from None

    def _base_prompt(self, item: Item) -> str:
        return self.task.prompt(item, self.src, self.tgt, self.template)

    # -- running ---------------------------------------------------------------------------
    def add(self, items: Sequence[Item]) -> None:
        """Measure a batch of items and accumulate the results."""
        items = [item for item in items if item.source.strip()]
        if not items:
            return
        sft_prompts = [self._sft_prompt(item) for item in items]
        # Cross mode compares whole characters: a byte-level tokenizer spends several tokens on
        # one CJK character, so generate enough to complete the compared positions.
        budget = self.positions if self.mode == "shared" else self.positions * CROSS_TOKENS_PER_POSITION
        settings = GenerationSettings(max_new_tokens=budget, repetition_guard=False)
        answers = [g.token_ids for g in self.sft.generate(sft_prompts, settings)]
        keep = max(1, max(len(a) for a in answers))
        sft_logits = forward_last(self.sft, [p + a[:-1] for p, a in zip(sft_prompts, answers)], keep)
        if self.mode == "shared":
            base_prompts = [self.foundation.encode(self._base_prompt(item)) for item in items]
            base_logits = forward_last(self.foundation, [p + a[:-1] for p, a in zip(base_prompts, answers)], keep)
            self._add_shared(answers, sft_logits, base_logits)
        else:
            self._add_cross(items, sft_prompts, answers, sft_logits)

    def _add_shared(self, answers, sft_logits, base_logits) -> None:
        size = min(sft_logits.shape[-1], base_logits.shape[-1])  # padded embedding rows are not vocabulary
        for row, answer in enumerate(answers):
            for position in range(len(answer)):
                logit_index = sft_logits.shape[1] - len(answer) + position  # right-aligned logits
                p_logits = sft_logits[row, logit_index, :size]
                q_logits = base_logits[row, logit_index, :size]
                chosen = torch.tensor([answer[position]])
                stats = self.stats[position]
                for k, inside in measures.agreement_at_k(chosen, q_logits.unsqueeze(0), self.ks).items():
                    stats.agree[k].append(bool(inside[0]))
                # One softmax per distribution: on a 262k vocabulary each one is the costly step.
                q_probabilities = torch.softmax(q_logits.float(), -1)
                stats.sft_top1.append(float(measures.chosen_probability(chosen, p_logits.unsqueeze(0))[0]))
                stats.base_top1.append(float(q_probabilities.max()))
                stats.base_of_sft.append(float(q_probabilities[chosen[0]]))
                values = measures.divergences(p_logits.unsqueeze(0), q_logits.unsqueeze(0))
                stats.kl.append(float(values["kl"][0]))
                stats.js.append(float(values["js"][0]))
                stats.cross_entropy.append(float(values["cross_entropy"][0]))
                if len(stats.examples) < EXAMPLES:
                    decode = self.foundation.tokenizer.convert_ids_to_tokens
                    stats.add_example(decode(answer[position]), decode(q_logits.topk(5).indices.tolist()))

    def _add_cross(self, items, sft_prompts, answers, sft_logits) -> None:
        top = max(self.ks)
        groups = [character_groups(self.sft.decode, prompt, answer) for prompt, answer in zip(sft_prompts, answers)]
        for position in range(self.positions):
            rows = [row for row, group in enumerate(groups) if len(group) > position]
            if not rows:
                continue
            prefixes, chosen_strings = [], []
            for row in rows:
                start, end = groups[row][position]
                prompt, answer = sft_prompts[row], answers[row]
                so_far = decode_answer(self.sft.decode, prompt + answer[:start], len(prompt))
                chosen_strings.append(decode_answer(self.sft.decode, prompt + answer[:end], len(prompt) + start))
                joined = join_prompt_and_prior(self.foundation.encode, self.foundation.decode,
                                               self._base_prompt(items[row]), so_far, k=None, separator="")
                prefixes.append(joined.ids)
            base_logits = forward_last(self.foundation, prefixes, 1)[:, -1]
            top_ids = base_logits.topk(min(top, base_logits.shape[-1]), dim=-1).indices
            stats = self.stats[position]
            for index, row in enumerate(rows):
                candidates = [decode_answer(self.foundation.decode, prefixes[index] + [t], len(prefixes[index]))
                              for t in top_ids[index].tolist()]
                matches = [measures.prefix_compatible(c, chosen_strings[index]) for c in candidates]
                for k in self.ks:
                    stats.agree[k].append(any(matches[:k]))
                stats.add_example(chosen_strings[index], candidates)
                start = groups[row][position][0]
                logit_index = sft_logits.shape[1] - len(answers[row]) + start
                chosen = torch.tensor([answers[row][start]])
                stats.sft_top1.append(float(measures.chosen_probability(chosen, sft_logits[row, logit_index].unsqueeze(0))[0]))
                stats.base_top1.append(float(torch.softmax(base_logits[index].float(), -1).max()))

    # -- summary ---------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Every figure, per position, with counts of what could not be averaged."""
        positions = []
        for index, stats in enumerate(self.stats):
            count = len(stats.sft_top1)
            entry: dict[str, Any] = {
                "position": index,
                "setting": "instruction only" if index == 0 else f"instruction + {index} prior token(s)",
                "items": count,
                "agreement_at_k": {str(k): (sum(v) / len(v) if v else None) for k, v in stats.agree.items()},
                "sft_chosen_probability": measures.finite_mean(stats.sft_top1)[0],
                "foundation_top1_probability": measures.finite_mean(stats.base_top1)[0],
                "per_item": {"sft_chosen_probability": stats.sft_top1, "foundation_top1_probability": stats.base_top1},
                "examples": stats.examples,
            }
            if self.mode == "shared":
                entry["foundation_probability_of_sft_choice"] = measures.finite_mean(stats.base_of_sft)[0]
                for name in ("kl", "js", "cross_entropy"):
                    mean, non_finite = measures.finite_mean(getattr(stats, name))
                    entry[name] = mean
                    entry[f"{name}_non_finite"] = non_finite
            positions.append(entry)
        return {"mode": self.mode, "template": self.template, "ks": self.ks, "positions": positions,
                "epsilon": measures.EPSILON}


def character_groups(decode: Any, prompt: Sequence[int], answer: Sequence[int]) -> list[tuple[int, int]]:
    """Spans of answer tokens that each end on a whole character (byte tokens of one CJK character together)."""
    groups, start = [], 0
    for end in range(1, len(answer) + 1):
        text = decode_answer(decode, list(prompt) + list(answer[:end]), len(prompt) + start)
        if text and not text.endswith(REPLACEMENT_CHAR):
            groups.append((start, end))
            start = end
    return groups


def forward_last(backend: Any, sequences: Sequence[Sequence[int]], keep: int) -> torch.Tensor:
    """Logits of the last ``keep`` positions of each sequence, one batched pass, left padded.

    Only the kept positions are projected to the vocabulary (``logits_to_keep``):
    a 262k-token vocabulary would otherwise need prompt-length times more memory.
    """
    model = backend.model
    ids, mask = left_pad(sequences, backend.pad_id)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.inference_mode():
        output = model(input_ids=ids.to(backend.device), attention_mask=mask.to(backend.device),
                       position_ids=positions.to(backend.device), logits_to_keep=keep)
    return output.logits.float().cpu()
