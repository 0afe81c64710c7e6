"""Drive an engine over items: length-sorted batches inside a window, written back in input order.

Sorting a window of items by source length puts sentences of similar length in
one batch: less padding in the prompt pass and rows that finish together. The
window's results are written in input order once the window is done, so the
output file is always a prefix of the input (what ``--resume`` relies on); an
interruption loses at most the unwritten window's work, never a written line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tqdm import tqdm

from pretty_framework.io.outputs import ResultSink
from pretty_framework.io.records import DecodeResult, Item

DEFAULT_SORT_WINDOW = 8  # batches per window


def length_sorted_batches(items: Sequence[Item], batch_size: int) -> list[list[int]]:
    """Positions of ``items`` grouped into batches of similar source length (longest first)."""
    order = sorted(range(len(items)), key=lambda i: -len(items[i].source))
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def run_windows(items: Sequence[Item], writer: ResultSink,
                decode_window: Callable[[list[list[Item]]], Iterable[list[DecodeResult]]], *, batch_size: int = 16,
                progress: bool | None = None, sort_window: int = DEFAULT_SORT_WINDOW, desc: str = "decoding") -> int:
    """Cut ``items`` into windows of batches, decode each window, write it in input order; return the count.

    ``decode_window`` gets a window's batches and yields their results batch by batch
    (a local engine one after the other, the Ray executor all at once on its actors).
    ``sort_window`` batches are sorted by length together (0 or 1: input order,
    each batch written as soon as it is decoded). ``progress=None`` shows a bar only on a terminal.
    """
    window = batch_size * max(1, sort_window)
    written = 0
    with tqdm(total=len(items), unit="item", file=sys.stderr, disable=None if progress is None else not progress,
              desc=desc) as bar:
        for start in range(0, len(items), window):
            chunk = items[start : start + window]
            batches = (length_sorted_batches(chunk, batch_size) if sort_window > 1
                       else [list(range(i, min(i + batch_size, len(chunk)))) for i in range(0, len(chunk), batch_size)])
            results: list[DecodeResult | None] = [None] * len(chunk)
            decoded = decode_window([[chunk[p] for p in positions] for positions in batches])
            for positions, batch_results in zip(batches, decoded):
                for position, result in zip(positions, batch_results):
                    results[position] = result
                bar.update(len(positions))
            writer.write(results)  # durable, in input order, before the next window
            written += len(results)
    return written


def run_engine(engine: Any, items: Sequence[Item], writer: ResultSink, *, batch_size: int = 16,
               progress: bool | None = None, sort_window: int = DEFAULT_SORT_WINDOW) -> int:
    """Decode ``items`` here with ``engine`` (anything with ``decode_batch``) into ``writer``; return the count."""
    return run_windows(items, writer, lambda batches: (engine.decode_batch(batch) for batch in batches),
                       batch_size=batch_size, progress=progress, sort_window=sort_window)
