"""The prior-provider interface every provider plugin implements.

A provider is a small class: a ``name``, the ``tasks`` it serves, a typed
``Options`` model, and one batched method, :meth:`PriorProvider.priors`.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from pretty_framework.errors import OptionsError
from pretty_framework.io.records import Item
from pretty_framework.options import Options, validate_options
from pretty_framework.priors.types import Prior, PriorRequest


class ProviderOptions(Options):
    """Base of every provider's options: typed, validated, unknown keys rejected."""


class PriorProvider(abc.ABC):
    """Turns a batch of :class:`PriorRequest` into priors.

    Subclasses set ``name``, ``description``, ``tasks`` (``None``: every task)
    and ``Options``; they implement :meth:`priors`, may override
    :meth:`supports` to decline language pairs, and :meth:`close` to free a
    model. A provider is created once per run and used for every batch.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    tasks: ClassVar[frozenset[str] | None] = None
    #: False when the prior does not depend on the request's k (the engine cuts it): lets an
    #: experiment reuse one answer for every k of a sweep
    uses_k: ClassVar[bool] = True
    Options: ClassVar[type[ProviderOptions]] = ProviderOptions

    def __init__(self, options: ProviderOptions | None = None):
        self.options = options if options is not None else self.Options()

    @classmethod
    def from_options(cls, values: Mapping[str, Any]) -> PriorProvider:
        """Create the provider from raw option values (for example from the CLI)."""
        return cls(validate_options(cls.Options, values, f"provider {cls.name!r}"))

    def serves(self, task: str) -> bool:
        """Whether this provider can make priors for ``task``."""
        return self.tasks is None or task in self.tasks

    def supports(self, src_lang: str, tgt_lang: str) -> bool:
        """Whether this provider can serve a language pair (FLORES codes). Default: all."""
        return True

    def check_items(self, items: Sequence[Item]) -> None:
        """Raise :class:`OptionsError` when these items cannot get a prior at all (a control that needs
        references given none), so that a run never decodes silently without one. Default: nothing to check."""

    def prepare(self) -> None:
        """Load what the provider needs (a model) now, before the foundation model loads: a missing model then
        fails fast. Default: nothing (load lazily)."""

    def check_serves(self, task: str, src_lang: str, tgt_lang: str) -> None:
        """Raise :class:`OptionsError` unless this provider serves ``task`` for ``src_lang -> tgt_lang``."""
        if not self.serves(task):
            raise OptionsError(f"provider {self.name!r} does not serve task {task!r}; "
                               f"it serves: {', '.join(sorted(self.tasks or ()))}")
        if not self.supports(src_lang, tgt_lang):
            raise OptionsError(f"provider {self.name!r} cannot serve {src_lang} -> {tgt_lang}")

    @abc.abstractmethod
    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        """Return one prior per request, in order; ``None`` where it has nothing to offer."""

    def resource(self) -> str | None:
        """The resource (model, dictionary revision) to name in the run signature."""
        return None

    def close(self) -> None:
        """Free models or connections; called once when the run ends."""
