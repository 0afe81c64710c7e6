"""Asking a provider for priors: one batched call, item by item only to name a failing item.

The engine and the provider-alone rows both get their priors here, so a
provider fails the same way wherever it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pretty_framework.errors import OptionsError, PluginError, PriorError
from pretty_framework.priors.provider import PriorProvider
from pretty_framework.priors.types import Prior, PriorRequest

log = logging.getLogger(__name__)

ON_PRIOR_ERROR = ("fail", "skip")


def check_on_error(on_error: str) -> str:
    """``on_error`` if it is a known policy, else an :class:`OptionsError` listing them."""
    if on_error not in ON_PRIOR_ERROR:
        raise OptionsError(f"on_prior_error must be one of {', '.join(ON_PRIOR_ERROR)}, got {on_error!r}")
    return on_error


def fetch_priors(provider: PriorProvider, requests: Sequence[PriorRequest], on_error: str = "fail") -> list[Prior | None]:
    """The provider's priors for ``requests``, in order.

    One call for the batch; when it raises, the requests are asked one by one
    so that the error names the failing item. ``on_error="skip"`` gives that
    item no prior (logged) instead of a :class:`PriorError`. A wrong number of
    priors is a bug in the provider, never skipped.
    """
    check_on_error(on_error)
    if not requests:
        return []
    try:
        priors = provider.priors(list(requests))
    except Exception:
        return [_prior_alone(provider, request, on_error) for request in requests]
    return _checked(provider, priors, requests)


def _prior_alone(provider: PriorProvider, request: PriorRequest, on_error: str) -> Prior | None:
    try:
        priors = provider.priors([request])
    except Exception as error:
        if on_error == "fail":
            raise PriorError(provider.name, request.item_id, error) from error
        log.warning("prior provider %r failed on item %r (%s); decoding it without a prior",
                    provider.name, request.item_id, error)
        return None
    return _checked(provider, priors, [request])[0]


def _checked(provider: PriorProvider, priors: Sequence[Prior | None], requests: Sequence[PriorRequest]) -> list[Prior | None]:
    if len(priors) != len(requests):
        raise PluginError(provider.name, f"priors() returned {len(priors)} priors for {len(requests)} requests")
    return list(priors)
