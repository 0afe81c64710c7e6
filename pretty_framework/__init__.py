"""PRETTY: training-free cross-lingual alignment by prior-guided decoding.

The public API for plugin authors: :class:`PriorProvider` and its options,
:class:`PriorRequest`, :class:`Prior`, :class:`Provenance`, :data:`hookimpl`.
Importing this package imports neither torch nor transformers.
"""

from __future__ import annotations

__version__ = "0.1.0"

from pretty_framework.plugin.hookspecs import hookimpl
from pretty_framework.priors.types import Prior, PriorRequest, Provenance

__all__ = ["Prior", "PriorProvider", "PriorRequest", "ProviderOptions", "Provenance", "__version__", "hookimpl"]


def __getattr__(name: str):  # providers import pydantic: load on demand
    if name in ("PriorProvider", "ProviderOptions"):
        from pretty_framework.priors import provider as providers

        return getattr(providers, name)
    raise AttributeError(f"module 'pretty_framework' has no attribute {name!r}")
