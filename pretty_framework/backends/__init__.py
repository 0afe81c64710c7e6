"""The Backend protocol: what the engine needs from a model runtime.

The transformers backend ships with the core; other runtimes (llama.cpp,
vLLM) are plugins registered through ``register_backends``.

Optional, outside the protocol (a backend without it stays valid):

``score(prompts: Sequence[Sequence[int]], starts: Sequence[int]) -> list[float]``
    For each token list, the sum of the log-probabilities of ``tokens[start:]``
    given the tokens before them (teacher forcing, no sampling), in order. The
    engine uses it to let the model choose among a provider's candidate priors
    (:mod:`pretty_framework.priors.choice`); without it the provider's first
    choice is kept, with a warning. The transformers, llama.cpp and openai
    backends have it (openai: where the server echoes prompt log-probabilities).

``tokenizer_calls: int``
    How many ``encode``/``decode`` calls may run at once to good effect (both
    thread-safe). A backend whose tokenizer is a request to a server (openai)
    sets its concurrency: the engine then builds a batch's prompts and decodes
    its answers on that many threads instead of waiting for one round trip
    after another. Absent means 1 (in-process tokenizers are faster alone).

``batch_size_for(options: dict) -> int`` (a classmethod)
    The items per ``generate`` call a run gets when it names no batch size
    (``pretty decode`` without ``-b``, an experiment without ``batch_size``).
    A server backend asks for several times its requests in flight: each call
    waits for its slowest answer, and the server's slots drain meanwhile.
    Absent means 16.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol, runtime_checkable

from pretty_framework.decoding.generation import Generation, GenerationSettings


@runtime_checkable
class Backend(Protocol):
    """A foundation model with its tokenizer, able to continue batches of prompts."""

    name: ClassVar[str]
    #: the resolved model's name, for run signatures
    model_name: str
    #: the most tokens (prompt + continuation) the model accepts
    max_context: int

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``, with the model's BOS token (once) when it uses one."""
        ...

    def decode(self, ids: Sequence[int]) -> str:
        """Text of ``ids``, special tokens removed."""
        ...

    def generate(self, prompts: Sequence[Sequence[int]], settings: GenerationSettings) -> list[Generation]:
        """Continue each prompt; return the new tokens of each, in order."""
        ...

    def close(self) -> None:
        """Free the model."""
        ...
