"""Demonstrations (``--shots N``): translated examples before the item's prompt, as evaluation harnesses do.

A pool of (source, target) pairs comes from

- ``bundled``: eight FLORES-200 *dev* sentences (lines 901-908, never among the first 100 that the
  benchmarks decode; CC-BY-SA-4.0, Meta AI / NLLB Team) in the fifteen languages of ../shared/data,
  shipped as ``demonstrations.jsonl`` beside this package;
- a JSONL file: ``{"source": ..., "reference": ...}`` (or ``src``/``tgt``, or language codes as keys);
- a FLORES-200 folder: its ``dev`` split (demonstrations never come from the test split).

The choice is deterministic: the first N pairs in pool order whose source is not the item's own. The same
N lead almost every prompt, so the backends' prefix cache computes them once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pretty_framework.errors import InputError, OptionsError
from pretty_framework.io.records import Item

BUNDLED = "bundled"
#: the default of ``pretty decode``: two demonstrations when the bundled pool has the pair (measured on
#: Flores dev: benchmarks/results/guides_*.md)
DEFAULT_SHOTS = 2


@dataclass(frozen=True)
class Demonstration:
    """One translated example."""

    source: str
    target: str


@dataclass(frozen=True)
class DemonstrationPool:
    """Examples for one language pair, in a fixed order, and where they came from (for the run signature)."""

    examples: tuple[Demonstration, ...]
    origin: str

    def choose(self, item: Item, n: int) -> list[Demonstration]:
        """The first ``n`` examples whose source is not ``item``'s."""
        own = item.source.strip()
        return [example for example in self.examples if example.source.strip() != own][:n]


def bundled_languages() -> list[str]:
    """The languages of the bundled pool (FLORES-200 codes)."""
    first = _bundled_rows()[0]
    return sorted(key for key in first if key != "id")


def _bundled_rows() -> list[dict[str, str]]:
    text = resources.files("pretty_framework").joinpath("demonstrations.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def load_pool(spec: str, src: str, tgt: str) -> DemonstrationPool:
    """The pool ``spec`` names (``bundled``, a JSONL file or a FLORES folder) for ``src -> tgt``."""
    if spec == BUNDLED:
        rows = _bundled_rows()
        missing = [lang for lang in (src, tgt) if lang not in rows[0]]
        if missing:
            raise OptionsError(f"the bundled demonstrations have no {', '.join(missing)}; they cover "
                               f"{', '.join(bundled_languages())}. Give --shots-from FILE.jsonl or a FLORES "
                               "folder, or --shots 0")
        return DemonstrationPool(tuple(Demonstration(row[src], row[tgt]) for row in rows), BUNDLED)
    path = Path(spec)
    if path.is_dir():
        from pretty_framework.io.inputs import flores_files, read_input

        source_file, target_file = flores_files(path, "dev", src, tgt)
        sources = [item.source for item in read_input(source_file, "text")]
        targets = [item.source for item in read_input(target_file, "text")]
        return DemonstrationPool(tuple(Demonstration(s, t) for s, t in zip(sources, targets)),
                                 f"flores:dev:{path.name}")
    if not path.is_file():
        raise InputError(f"--shots-from {spec!r}: no such file or folder (give 'bundled', a JSONL file of "
                         "{source, reference} or a FLORES-200 folder)")
    return DemonstrationPool(_read_jsonl(path, src, tgt), f"{path.name}#{_digest(path)}")


def _read_jsonl(path: Path, src: str, tgt: str) -> tuple[Demonstration, ...]:
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"{path}:{number}: not JSON: {error.msg}") from None
        pair = next(((row[a], row[b]) for a, b in (("source", "reference"), ("src", "tgt"), (src, tgt))
                     if isinstance(row, dict) and isinstance(row.get(a), str) and isinstance(row.get(b), str)),
                    None)
        if pair is None:
            raise InputError(f"{path}:{number}: a demonstration needs 'source' and 'reference' (or 'src' and "
                             f"'tgt', or '{src}' and '{tgt}')")
        examples.append(Demonstration(*pair))
    if not examples:
        raise InputError(f"{path}: no demonstrations")
    return tuple(examples)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def resolve_shots(shots: int | None, shots_from: str, task_supports: bool, src: str, tgt: str) -> int:
    """``--shots`` with the default applied: :data:`DEFAULT_SHOTS` from the bundled pool where the task takes
    demonstrations and the pool has both languages, else none (a run in another language is never refused
    for want of examples it did not ask for)."""
    if shots is not None:
        return shots
    if not task_supports:
        return 0
    if shots_from == BUNDLED and not {src, tgt} <= set(bundled_languages()):
        return 0
    return DEFAULT_SHOTS
