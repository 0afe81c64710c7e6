"""The nouns of a prior: what a provider is asked for (:class:`PriorRequest`) and what it answers (:class:`Prior`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pretty_framework.io.records import Item
from pretty_framework.tasks import Task


@dataclass(frozen=True)
class PriorRequest:
    """What a provider is asked for: one item of a task, for a language pair and a k.

    It carries the item itself and the task object, so a provider that needs
    the task's prompt (an SFT model) or the item's own fields (a tagger's UD
    words) has them without rebuilding anything or asking the plugin manager.
    ``reference`` is set only when the gold answer is known (the ``oracle``
    control uses it; honest providers must ignore it).
    """

    item: Item
    task: Task
    src_lang: str
    tgt_lang: str
    k: int = 2

    @classmethod
    def of(cls, item_id: str, source: str, src_lang: str, tgt_lang: str, *, task: Task | None = None, k: int = 2,
           reference: str | None = None, metadata: Mapping[str, Any] | None = None) -> PriorRequest:
        """A request built from plain values (tests, notebooks); the task defaults to translation."""
        if task is None:
            from pretty_framework.tasks.translation import TranslationTask

            task = TranslationTask()
        return cls(Item(item_id, source, reference, dict(metadata or {})), task, src_lang, tgt_lang, k)

    @property
    def item_id(self) -> str:
        return self.item.id

    @property
    def source(self) -> str:
        return self.item.source

    @property
    def reference(self) -> str | None:
        return self.item.reference

    @property
    def metadata(self) -> Mapping[str, Any]:
        """The input item's other fields (for example a per-item ``prior`` in JSONL input)."""
        return self.item.fields


@dataclass(frozen=True)
class Provenance:
    """Where a prior came from: the provider, the resource it used, the back-off level.

    ``backoff_level`` is 0 when the provider used its first choice (the first
    source word for a dictionary) and grows with each fallback; ``None`` when the
    notion does not apply. ``candidates``: when the foundation model chose the
    prior among several (:mod:`pretty_framework.priors.choice`), every candidate
    with its score (mean log-probability per answer token), the provider's
    first choice first; ``backoff_level`` and ``resource`` stay those of the
    provider's first choice.
    """

    provider: str
    resource: str | None = None
    backoff_level: int | None = None
    detail: str | None = None
    candidates: tuple[tuple[str, float], ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        fields = {key: value for key, value in self.__dict__.items() if value is not None}
        if self.candidates is not None:
            fields["candidates"] = [{"text": text, "score": score} for text, score in self.candidates]
        return fields


@dataclass(frozen=True)
class Prior:
    """A provider's answer: the prior text and its provenance.

    The engine cuts ``text`` to ``k`` tokens of the foundation tokenizer unless
    ``cut`` is False (a dictionary word is only useful whole). ``answer`` is
    the provider's whole answer when the prior is only its start and the whole
    one is a different text (a tagger's tags for every word): experiments score
    it as the provider-alone row. Without it, ``text`` is the whole answer.
    ``candidates``: other texts the provider would accept in place of
    ``text`` (its first choice); the engine lets the foundation model choose
    among ``text`` and them (:func:`~pretty_framework.priors.choice.choose_priors`).
    """

    text: str
    provenance: Provenance
    cut: bool = True
    answer: str | None = None
    candidates: tuple[str, ...] = ()
