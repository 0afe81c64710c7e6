"""Every built-in provider and the example plugin keep the provider contract (pretty_framework.testing)."""

import socket

import pytest
from tests_support import flores_items

from pretty_framework import Prior, PriorProvider, PriorRequest, Provenance
from pretty_framework.plugin.manager import get_plugins
from pretty_framework.testing import NetworkAccessError, assert_provider_contract, no_network


def _requests(tgt="fra_Latn", n=12, with_reference=True):
    return [PriorRequest.of(i.id, i.source, "eng_Latn", tgt, k=2, reference=i.reference if with_reference else None,
                         metadata={"prior": "Le"} if int(i.id) % 2 else {})
            for i in flores_items("eng_Latn", tgt, n)]


@pytest.mark.parametrize(("provider", "options", "unservable_case"), [
    ("none", {}, None),
    ("text", {"text": "Le"}, None),
    ("text", {}, "no per-item prior"),
    ("oracle", {}, "no reference"),
    ("muse-dict", {}, "unknown pair"),
    ("dict", {}, "unknown pair"),
])
def test_builtin_providers_keep_the_contract(provider, options, unservable_case):
    instance = get_plugins().providers.get(provider).from_options(options)
    unservable = []
    if unservable_case == "no per-item prior":
        unservable = [PriorRequest.of("u", "Hello.", "eng_Latn", "fra_Latn")]
    elif unservable_case == "no reference":
        unservable = [PriorRequest.of("u", "Hello.", "eng_Latn", "fra_Latn", reference=None)]
    elif unservable_case == "unknown pair":
        unservable = [PriorRequest.of("u", "Hello world.", "eng_Latn", "yor_Latn")]
    instance.priors(_requests()[:1])  # first use may import the bundled dictionary: not part of the check
    assert_provider_contract(instance, _requests(), unservable=unservable, min_served=0 if provider == "none" else 6)
    instance.close()


def test_the_kit_catches_a_provider_that_breaks_the_contract():
    class Moody(PriorProvider):
        name = "moody"

        def __init__(self):
            super().__init__()
            self.calls = 0

        def priors(self, requests):
            self.calls += 1
            return [Prior(f"call {self.calls}", Provenance(self.name)) for _ in requests]

    with pytest.raises(AssertionError, match="moody: item '1' differs batched"):
        assert_provider_contract(Moody(), _requests(n=2))


def test_the_kit_refuses_network_access():
    with no_network(), pytest.raises(NetworkAccessError):
        socket.create_connection(("127.0.0.1", 9))
