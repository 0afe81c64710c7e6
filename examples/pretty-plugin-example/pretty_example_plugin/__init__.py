"""An example plugin: the ``source-names`` provider.

Names (Stanford, JAS 39C Gripen) are usually written the same way in the
target language, so the source's first capitalised word after the first
position is a cheap, resource-free prior for a translation that begins with a
name. It uses only the public API of ``pretty_framework``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pretty_framework import Prior, PriorProvider, PriorRequest, Provenance, ProviderOptions, hookimpl


class SourceNamesOptions(ProviderOptions):
    """``skip_first``: ignore the sentence's first word (capitalised anyway)."""

    skip_first: bool = True


class SourceNamesPrior(PriorProvider):
    """The first capitalised word of the source sentence, copied as the prior."""

    name = "source-names"
    description = "first capitalised word of the source (a resource-free example provider)"
    tasks = frozenset({"translation"})
    Options = SourceNamesOptions

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        return [self._one(request) for request in requests]

    def _one(self, request: PriorRequest) -> Prior | None:
        words = request.source.split()[1 if self.options.skip_first else 0 :]
        for position, word in enumerate(words):
            if word[:1].isupper():
                return Prior(word.strip(",.;:!?"), Provenance(self.name, resource="source", backoff_level=position),
                             cut=False)
        return None


@hookimpl
def register_prior_providers(register):
    register(SourceNamesPrior)
