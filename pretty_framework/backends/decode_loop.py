"""The transformers backend's own decoding loop: finished sequences leave the batch, a shared prefix is cached.

``model.generate`` keeps computing every row until the last one stops; with
the short, uneven answers of translation most of a batch is often finished
early. Here a finished row is dropped from the inputs and the KV cache
(``DynamicCache.batch_select_indices``) at once.

Prefix cache: when every prompt of a batch starts with the same tokens (an
instruction, the constant one-shot demonstration of summarization), that
prefix is run once at batch size 1, kept, and its cache repeated for each row;
the next batch that shares it reuses it. Rows are laid out
``[prefix][padding][own tokens]`` with the padding masked and positions
counted over real tokens only, so a row sees exactly what it would alone.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import torch

from pretty_framework.backends.padding import left_pad
from pretty_framework.decoding.generation import GenerationSettings, StopWatcher, shared_prefix
from pretty_framework.decoding.sampling import choose_tokens, sampling_generator

if TYPE_CHECKING:
    from pretty_framework.guides.steering import Steering

MIN_SHARED_PREFIX = 16  # tokens; shorter shared prefixes are not worth a cache


def cache_keyword(model: Any) -> str:
    """The forward argument that takes the KV cache (``cache`` in recent transformers, ``past_key_values`` before)."""
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


class PrefixCache:
    """One cached prefix (its tokens and KV cache at batch size 1)."""

    def __init__(self) -> None:
        self.tokens: list[int] = []
        self.cache: Any = None

    def shared(self, prompts: Sequence[Sequence[int]]) -> list[int]:
        """The prefix to use for ``prompts``: the held one when it still fits, else their common prefix."""
        return shared_prefix(prompts, self.tokens, MIN_SHARED_PREFIX)

    def get(self, model: Any, tokens: list[int], device: torch.device) -> Any:
        """A fresh copy of the cache of ``tokens`` (computed once, at batch size 1)."""
        from transformers import DynamicCache

        if tokens != self.tokens:
            cache = DynamicCache(config=model.config)
            ids = torch.tensor([tokens], device=device)
            model(input_ids=ids, attention_mask=torch.ones_like(ids), use_cache=True, **{cache_keyword(model): cache})
            self.tokens, self.cache = list(tokens), cache
        return copy.deepcopy(self.cache)


@torch.inference_mode()
def generate(model: Any, prompts: Sequence[Sequence[int]], settings: GenerationSettings, watcher: StopWatcher,
             pad_id: int, device: torch.device, prefix_cache: PrefixCache | None, shared: Sequence[int] = (),
             steering: Steering | None = None) -> None:
    """Continue ``prompts`` greedily (or by sampling), feeding each step to ``watcher`` until all rows stop.

    ``shared``: the prefix every prompt starts with that ``prefix_cache`` holds or should hold
    (``prefix_cache.shared(prompts)``); empty for none. ``steering``: guides that change each step's logits.
    """
    from transformers import DynamicCache

    shared = list(shared) if prefix_cache is not None else []
    rows = len(prompts)
    own = [list(p[len(shared) :]) for p in prompts]
    input_ids, own_mask = left_pad(own, pad_id)  # [prefix][padding][own tokens]
    mask = torch.cat([torch.ones((rows, len(shared)), dtype=torch.long), own_mask], dim=-1)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)[:, len(shared) :]
    if shared:
        cache = prefix_cache.get(model, shared, device)
        cache.batch_repeat_interleave(rows)
    else:
        cache = DynamicCache(config=model.config)
    generator = sampling_generator(settings, device)
    live = list(range(rows))  # original row of each row still in the batch
    if steering is not None:
        steering.rollback_in_loop = True
        width = input_ids.shape[1] + len(shared)
        # each row's real tokens (ids) and the mask columns that hold them, for cutting a row back in place
        ids = [list(p) for p in prompts]
        columns = [list(range(len(shared))) + list(range(width - len(o), width)) for o in own]
    mask, next_position = mask.to(device), positions[:, -1].to(device) + 1
    keyword = cache_keyword(model)
    outputs = model(input_ids=input_ids.to(device), attention_mask=mask, position_ids=positions.to(device),
                    use_cache=True, **{keyword: cache})
    while True:
        logits = outputs.logits[:, -1, :]
        if steering is not None:
            logits = steering.adjust(live, logits)
        tokens = choose_tokens(logits, settings, generator)
        step = [0] * rows
        for row, token in zip(live, tokens.tolist()):
            step[row] = token
        done = watcher.step(step)
        rollbacks = watcher.take_rollbacks() if steering is not None else {}
        keep = [i for i, row in enumerate(live) if not done[row]]
        if not keep:
            return
        if len(keep) < len(live):  # finished rows leave the batch and the cache now
            index = torch.tensor(keep, device=device)
            cache.batch_select_indices(index)
            tokens, mask, next_position = tokens[index], mask[index], next_position[index]
            live = [live[i] for i in keep]
        mask = torch.cat([mask, torch.ones((len(live), 1), dtype=mask.dtype, device=device)], dim=-1)
        if steering is not None:
            tokens, next_position = _track(live, tokens, mask, next_position, ids, columns, rollbacks)
        outputs = model(input_ids=tokens.unsqueeze(-1), attention_mask=mask, position_ids=next_position.unsqueeze(-1),
                        use_cache=True, **{keyword: cache})
        next_position = next_position + 1


def _track(live: list[int], tokens: torch.Tensor, mask: torch.Tensor, next_position: torch.Tensor,
           ids: list[list[int]], columns: list[list[int]], rollbacks: dict[int, int]
           ) -> tuple[torch.Tensor, torch.Tensor]:
    """Record the tokens about to be fed (in the mask's newest column) and cut rows back where a guide asked.

    A row cut back by ``drop`` tokens forgets the ``drop - 1`` newest ones in the cache (their columns are
    masked; the step's own token was never fed) and feeds its last kept token again, at its own position,
    in the new column (its old column is masked): the next logits then follow the kept text exactly, with
    no second pass over the prompt.
    """
    column = mask.shape[1] - 1
    tokens, next_position = tokens.clone(), next_position.clone()
    for i, row in enumerate(live):
        drop = rollbacks.get(row)
        if drop:
            forget = columns[row][len(columns[row]) - drop :]  # drop - 1 fed tokens + the last kept one
            del columns[row][len(columns[row]) - drop :]
            del ids[row][len(ids[row]) - drop + 1 :]
            mask[i, forget] = 0
            tokens[i] = ids[row].pop()
            next_position[i] = len(columns[row])
        ids[row].append(int(tokens[i]))
        columns[row].append(column)
    return tokens, next_position
