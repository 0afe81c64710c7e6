"""PRETTY: training-free cross-lingual alignment by prior-guided decoding.

For notebooks: :func:`decode` (``pretty_framework.decode(["The cat ..."], src="en", tgt="de",
provider="muse-dict")``). For plugin authors: every name of :mod:`pretty_framework.api`
(:class:`PriorProvider`, :class:`PriorRequest`, :class:`Prior`, :data:`hookimpl`, ...) is
also importable from here. Importing this package imports neither torch nor transformers.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

from pretty_framework import api
from pretty_framework.plugin.hookspecs import hookimpl as hookimpl  # eager: the name every plugin imports

__all__ = sorted({*api.__all__, "__version__", "decode"})


def __getattr__(name: str) -> Any:  # names load on first use: providers import pydantic, decode torch
    if name == "decode":
        from pretty_framework.decoding.simple import decode

        return decode
    if name in api.__all__:
        return getattr(api, name)
    raise AttributeError(f"module 'pretty_framework' has no attribute {name!r}")
