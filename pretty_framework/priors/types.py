"""The nouns of a prior: what a provider is asked for (:class:`PriorRequest`) and what it answers (:class:`Prior`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

@dataclass(frozen=True)
class PriorRequest:
    """What a provider is asked for: one item of the task.

    ``reference`` is set only when the gold answer is known (the ``oracle``
    control uses it; honest providers must ignore it). ``metadata`` carries the
    input item's other fields (for example a per-item ``prior`` in JSONL input).
    """

    item_id: str
    source: str
    src_lang: str
    tgt_lang: str
    task: str = "translation"
    k: int = 2
    reference: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Provenance:
    """Where a prior came from: the provider, the resource it used, the back-off level.

    ``backoff_level`` is 0 when the provider used its first choice (the first
    source word for a dictionary) and grows with each fallback; ``None`` when the
    notion does not apply.
    """

    provider: str
    resource: str | None = None
    backoff_level: int | None = None
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if value is not None}


@dataclass(frozen=True)
class Prior:
    """A provider's answer: the prior text and its provenance.

    The engine cuts ``text`` to ``k`` tokens of the foundation tokenizer unless
    ``cut`` is False (a dictionary word is only useful whole). ``answer`` is
    the provider's whole answer when the prior is only its start and the whole
    one is a different text (a tagger's tags for every word): experiments score
    it as the provider-alone row. Without it, ``text`` is the whole answer.
    """

    text: str
    provenance: Provenance
    cut: bool = True
    answer: str | None = None
