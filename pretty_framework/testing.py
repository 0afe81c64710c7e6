"""The provider test kit: the contract every prior provider must keep.

Built-in providers run these checks in the framework's tests; a plugin author
calls them from their own tests::

    from pretty_framework.testing import assert_provider_contract

    def test_my_provider_keeps_the_contract():
        assert_provider_contract(MyProvider(), requests, unservable=[request_it_cannot_serve])

Each check raises ``AssertionError`` with a message that names the provider
and what went wrong.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator, Sequence
from unittest import mock

from pretty_framework.priors.provider import PriorProvider
from pretty_framework.priors.types import Prior, PriorRequest


class NetworkAccessError(AssertionError):
    """A provider tried to open a network connection during a test."""


@contextlib.contextmanager
def no_network() -> Iterator[None]:
    """Fail any attempt to open a network connection inside the block (model hubs included)."""

    def refuse(*args, **kwargs):
        raise NetworkAccessError(f"network access attempted: {args[1:] if len(args) > 1 else args}")

    # getaddrinfo too: even a name look-up would leave the machine
    with mock.patch.object(socket.socket, "connect", refuse), mock.patch.object(socket, "create_connection", refuse), \
            mock.patch.object(socket, "getaddrinfo", refuse):
        yield


def assert_priors_shape(provider: PriorProvider, requests: Sequence[PriorRequest],
                        priors: Sequence[Prior | None]) -> None:
    """One answer per request, each a :class:`Prior` with text and provenance, or ``None``."""
    name = provider.name
    assert isinstance(priors, list), f"{name}: priors() must return a list, got {type(priors).__name__}"
    assert len(priors) == len(requests), f"{name}: {len(priors)} priors for {len(requests)} requests"
    for request, prior in zip(requests, priors):
        if prior is None:
            continue
        assert isinstance(prior, Prior), f"{name}: item {request.item_id!r} got {type(prior).__name__}, not Prior"
        assert isinstance(prior.text, str) and prior.text.strip(), f"{name}: item {request.item_id!r} got an empty prior"
        assert prior.provenance.provider == name, (
            f"{name}: item {request.item_id!r} names provider {prior.provenance.provider!r} in its provenance")


def assert_batch_equals_one_by_one(provider: PriorProvider, requests: Sequence[PriorRequest]) -> list[Prior | None]:
    """A batch gets the same priors as the same requests one at a time; returns the batch's priors."""
    batched = provider.priors(list(requests))
    single = [provider.priors([request])[0] for request in requests]
    for request, a, b in zip(requests, batched, single):
        assert a == b, f"{provider.name}: item {request.item_id!r} differs batched ({a}) and alone ({b})"
    return batched


def assert_provider_contract(provider: PriorProvider, requests: Sequence[PriorRequest], *,
                             unservable: Sequence[PriorRequest] = (), min_served: int = 1) -> None:
    """Every check at once, with the network refused.

    ``requests`` should be items the provider can serve (at least ``min_served``
    of them must get a prior); ``unservable`` items must get ``None``.
    """
    with no_network():
        priors = assert_batch_equals_one_by_one(provider, requests)
        assert_priors_shape(provider, requests, priors)
        served = sum(prior is not None for prior in priors)
        assert served >= min_served, f"{provider.name}: only {served} of {len(requests)} requests got a prior"
        if unservable:
            answers = provider.priors(list(unservable))
            assert_priors_shape(provider, unservable, answers)
            for request, prior in zip(unservable, answers):
                assert prior is None, f"{provider.name}: item {request.item_id!r} should get None, got {prior}"
