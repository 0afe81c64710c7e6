"""Helpers shared by the benchmarks: real Flores data, timing, result files."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("PRETTY_SHARED_DATA", ROOT.parent / "shared" / "data"))
RESULTS = ROOT / "benchmarks" / "results"


def flores_items(src: str, tgt: str, n: int, split: str = "dev"):
    """The first ``n`` aligned Flores lines as items with references."""
    from pretty_framework.io.records import Item

    folder = SHARED_DATA / "flores"
    sources = (folder / f"{split}.{src}").read_text(encoding="utf-8").splitlines()[:n]
    references = (folder / f"{split}.{tgt}").read_text(encoding="utf-8").splitlines()[:n]
    return [Item(str(i + 1), s, r) for i, (s, r) in enumerate(zip(sources, references))]


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


class Machine(dict):
    """The machine as a dict (for the JSON result) that prints as one readable line (for the tables)."""

    def __str__(self) -> str:
        from pretty_framework.evaluation.environment import describe_machine

        return f"{describe_machine(self)}; torch {self['torch']}"

    def __format__(self, spec: str) -> str:  # f"Machine: {result['machine']}" in the speed tables
        return format(str(self), spec)


def machine() -> Machine:
    """CPU model, cores, torch threads and version, GPU: what the speed numbers were measured on."""
    import torch

    from pretty_framework.evaluation.environment import machine as describe

    return Machine({**describe(), "torch": torch.__version__})


def write_result(name: str, result: dict[str, Any], table: str) -> None:
    """Write ``results/NAME.json`` and ``results/NAME.md`` and print the table."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{name}.md").write_text(table + "\n")
    print(table)
