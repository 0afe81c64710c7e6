"""The nouns that travel through a run: input items and decode results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Item:
    """One input: its id, the source text, the reference when known, other fields."""

    id: str
    source: str
    reference: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DecodeResult:
    """What the engine made of one item.

    ``output`` is the task's parsed answer (prior + continuation, cleaned);
    ``raw`` is prior + continuation as decoded; ``prior`` is the prior after
    cutting to k foundation tokens (empty when there was none).
    """

    item: Item
    output: str
    raw: str
    prior: str
    provenance: Mapping[str, Any] | None
    parsed_ok: bool
    stop_reason: str  # "stop_string", "repetition", "length", "eos", "empty_input"
    truncated_input: bool = False

    def to_record(self, signature: str) -> dict[str, Any]:
        """The JSONL record written for this result."""
        record: dict[str, Any] = {"id": self.item.id, "source": self.item.source}
        if self.item.reference is not None:
            record["reference"] = self.item.reference
        record.update(
            output=self.output,
            prior=self.prior,
            provenance=dict(self.provenance) if self.provenance else None,
            raw=self.raw,
            parsed_ok=self.parsed_ok,
            stop_reason=self.stop_reason,
        )
        if self.item.fields:
            record["fields"] = dict(self.item.fields)  # gold data a scorer needs (UD words and tags)
        if self.truncated_input:
            record["truncated_input"] = True
        record["signature"] = signature
        return record
