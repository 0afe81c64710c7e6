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
DEFAULT_BATCH_SIZE = 16  # items per engine call when neither the user nor the backend says otherwise


def length_sorted_batches(items: Sequence[Item], batch_size: int) -> list[list[int]]:
    """Positions of ``items`` grouped into batches of similar source length (longest first)."""
    order = sorted(range(len(items)), key=lambda i: -len(items[i].source))
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def run_windows(items: Sequence[Item], writer: ResultSink,
                decode_window: Callable[[list[list[Item]]], Iterable[list[DecodeResult]]], *, done: int = 0,
                exact: bool = True, batch_size: int = DEFAULT_BATCH_SIZE, progress: bool | None = None,
                sort_window: int = DEFAULT_SORT_WINDOW, desc: str = "decoding") -> int:
    """Cut ``items`` into windows of batches, decode each window, write it in input order; return how many
    results were written.

    ``items`` is the whole input, of which the first ``done`` are already written (a resumed run).
    Windows are always cut from the input's start, so a resumed run meets the same windows as an
    uninterrupted one. With ``exact``, a window that an interruption cut is decoded whole again (only its
    missing results are written): every batch then holds the same rows as in the uninterrupted run, so
    outputs that depend on batch composition (bf16 rounding) come out the same. Without it (a backend
    whose outputs do not depend on the batch), only the missing items are decoded.

    ``decode_window`` gets a window's batches and yields their results batch by batch
    (a local engine one after the other, the Ray executor all at once on its actors).
    ``sort_window`` batches are sorted by length together (0 or 1: input order,
    each batch written as soon as it is decoded). ``progress=None`` shows a bar only on a terminal.
    """
    window = batch_size * max(1, sort_window)
    written = 0
    with tqdm(total=max(0, len(items) - done), unit="item", file=sys.stderr,
              disable=None if progress is None else not progress, desc=desc) as bar:
        for start in range(0, len(items), window):
            end = min(start + window, len(items))
            if end <= done:
                continue
            first = max(start, done)  # the first item of this window not written yet
            offset = start if exact else first
            chunk = items[offset:end]
            batches = (length_sorted_batches(chunk, batch_size) if sort_window > 1
                       else [list(range(i, min(i + batch_size, len(chunk)))) for i in range(0, len(chunk), batch_size)])
            results: list[DecodeResult | None] = [None] * len(chunk)
            decoded = decode_window([[chunk[p] for p in positions] for positions in batches])
            for positions, batch_results in zip(batches, decoded):
                for position, result in zip(positions, batch_results):
                    results[position] = result
                bar.update(sum(1 for p in positions if p + offset >= first))
            missing = results[first - offset :]
            writer.write(missing)  # durable, in input order, before the next window
            written += len(missing)
    return written


def run_engine(engine: Any, items: Sequence[Item], writer: ResultSink, *, done: int = 0,
               batch_size: int = DEFAULT_BATCH_SIZE,
               progress: bool | None = None, sort_window: int = DEFAULT_SORT_WINDOW) -> int:
    """Decode ``items[done:]`` here with ``engine`` (anything with ``decode_batch``) into ``writer``; return the
    count. A partly written window is decoded whole again unless the engine is ``batch_invariant``."""
    return run_windows(items, writer, lambda batches: (engine.decode_batch(batch) for batch in batches), done=done,
                       exact=not getattr(engine, "batch_invariant", False), batch_size=batch_size, progress=progress,
                       sort_window=sort_window)
