"""Tasks: prompt templates, the prior's place in the prompt, and parsing of answers.

A task is a plugin-registered object (``register_tasks``), so a new task needs
no change to the core.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pretty_framework.errors import UnknownNameError
from pretty_framework.io.records import Item
from pretty_framework.languages import language_name


@dataclass(frozen=True)
class Template:
    """A prompt template; ``separator`` goes between the prompt and the prior."""

    name: str
    text: str  # str.format fields: source, src_name, tgt_name (and task-specific ones)
    separator: str = " "
    description: str = ""


@dataclass(frozen=True)
class ParsedOutput:
    """A task's reading of the model's answer; ``ok`` is False for an unusable answer."""

    answer: str
    ok: bool


class Task(abc.ABC):
    """Base class of tasks: subclasses set the class attributes and implement :meth:`parse`."""

    name: str
    default_k: int
    default_template: str
    templates: Mapping[str, Template]
    stop_strings: tuple[str, ...] = ()
    #: the metrics (registry names) ``pretty eval`` and ``pretty run`` compute unless told others
    metrics: tuple[str, ...] = ("chrf",)
    #: the score columns a results table shows (empty: every column the metrics produced)
    table_metrics: tuple[str, ...] = ()
    #: whether ``--shots`` demonstrations (source -> target examples) suit the task
    supports_shots: bool = False

    def template(self, name: str | None) -> Template:
        """The template called ``name`` (the task's default when ``None``)."""
        name = name or self.default_template
        try:
            return self.templates[name]
        except KeyError:
            raise UnknownNameError(f"template for task {self.name!r}", name, self.templates) from None

    def prompt(self, item: Item, src_lang: str, tgt_lang: str, template: str | None = None) -> str:
        """The prompt for ``item``; the prior (if any) follows it after the separator."""
        values = {**item.fields, "source": item.source}
        values.update(src_name=language_name(src_lang), tgt_name=language_name(tgt_lang))
        return self.template(template).text.format(**values)

    def demonstrated_prompt(self, item: Item, src_lang: str, tgt_lang: str, template: str | None,
                            demonstrations: Sequence[Any]) -> str:
        """The prompt for ``item`` after worked examples (``--shots``): each example's prompt, the template's
        separator, its answer and a blank line; then the item's own prompt."""
        separator = self.template(template).separator
        shown = "".join(self.prompt(Item("demonstration", example.source, example.target), src_lang, tgt_lang,
                                    template) + separator + example.target.strip() + "\n\n"
                        for example in demonstrations)
        return shown + self.prompt(item, src_lang, tgt_lang, template)

    def frame_prior(self, item: Item, prior: str) -> str:
        """The prior as the start of this task's answer (a POS tag becomes the start of a JSON array)."""
        return prior

    @abc.abstractmethod
    def parse(self, text: str) -> ParsedOutput:
        """Turn prior + continuation into the task's answer."""
