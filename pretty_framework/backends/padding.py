"""Left padding: every row of a batch ends at the same column, so the next token of each is the last column."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def left_pad(rows: Sequence[Sequence[int]], pad_id: int) -> tuple[Any, Any]:
    """``(ids, mask)`` as ``[len(rows), width]`` long tensors: padding first, each row's tokens last, mask 1 on them."""
    import torch

    width = max(len(row) for row in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for index, row in enumerate(rows):
        if row:
            ids[index, width - len(row) :] = torch.tensor(list(row), dtype=torch.long)
            mask[index, width - len(row) :] = 1
    return ids, mask
