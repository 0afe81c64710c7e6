"""Helpers shared by the benchmarks: real Flores data, timing, result files."""

from __future__ import annotations

import json
import os
import platform
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


def machine() -> dict[str, Any]:
    import torch

    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }


def write_result(name: str, result: dict[str, Any], table: str) -> None:
    """Write ``results/NAME.json`` and ``results/NAME.md`` and print the table."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{name}.md").write_text(table + "\n")
    print(table)
