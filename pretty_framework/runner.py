"""Drive an engine over items, writing each batch as soon as it is decoded."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tqdm import tqdm

from pretty_framework.engine import Engine
from pretty_framework.outputs import ResultWriter
from pretty_framework.records import Item


def run_engine(engine: Engine, items: Sequence[Item], writer: ResultWriter, *, batch_size: int = 16,
               progress: bool | None = None) -> int:
    """Decode ``items`` batch by batch into ``writer``; return how many were written.

    ``progress=None`` shows a bar only on a terminal.
    """
    written = 0
    with tqdm(total=len(items), unit="item", file=sys.stderr, disable=None if progress is None else not progress,
              desc="decoding") as bar:
        for start in range(0, len(items), batch_size):
            results = engine.decode_batch(items[start : start + batch_size])
            writer.write(results)  # durable before the next batch: an interruption loses no finished batch
            written += len(results)
            bar.update(len(results))
    return written
