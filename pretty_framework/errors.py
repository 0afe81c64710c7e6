"""The framework's exceptions: one hierarchy rooted at :class:`PrettyError`.

Library code raises these; only the CLI turns them into a message and an exit
code. Every message names the bad value and, where there is a finite set of
right ones, lists them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class PrettyError(Exception):
    """Base class of every error the framework raises on purpose."""


class UnknownNameError(PrettyError, KeyError):
    """A name (provider, backend, task, language, template, model) is not known."""

    def __init__(self, kind: str, name: str, known: Iterable[str]):
        self.kind = kind
        self.name = name
        self.known = sorted(set(known))
        # Case-folded, so "BLUE" still suggests "bleu"; the suggestions keep their own spelling.
        folded = {known.casefold(): known for known in self.known}
        close = [folded[c] for c in difflib.get_close_matches(str(name).casefold(), list(folded), n=3)]
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        listing = ", ".join(self.known) if self.known else "none installed"
        super().__init__(f"unknown {kind} {name!r}{hint}; known: {listing}")

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.args[0]


class PluginError(PrettyError):
    """A plugin failed to load or registered something invalid."""

    def __init__(self, plugin: str, message: str):
        self.plugin = plugin
        super().__init__(f"plugin {plugin!r}: {message}")


class RegistrationConflictError(PrettyError):
    """Two plugins registered the same name in one registry."""

    def __init__(self, kind: str, name: str, first: str, second: str):
        self.kind, self.name, self.first, self.second = kind, name, first, second
        super().__init__(
            f"{kind} {name!r} is registered twice: by plugin {first!r} and by plugin {second!r}; "
            "uninstall one of them or rename the entry"
        )


class ModelLoadError(PrettyError):
    """A model name could not be resolved or its weights could not be loaded."""


class InputError(PrettyError):
    """Input data is missing or malformed; the message names the file and line."""


class OutputError(PrettyError):
    """An output cannot be written (a full disk, a folder where a file should be); what was written is kept."""


class ResumeError(PrettyError):
    """An output file cannot be resumed (different run, or not our format)."""


class PriorError(PrettyError):
    """A prior provider failed on an item; names the provider and the item."""

    def __init__(self, provider: str, item_id: str, cause: BaseException):
        self.provider, self.item_id, self.cause = provider, item_id, cause
        super().__init__(f"prior provider {provider!r} failed on item {item_id!r}: {cause}")


class OptionsError(PrettyError):
    """Options given to a provider or backend do not validate."""


class MetricUnavailable(PrettyError):
    """A metric cannot run here (a model file or package is missing); the message says what to provide.

    The scorer records the reason under ``skipped`` and goes on with the other metrics.
    """
