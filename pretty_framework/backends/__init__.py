"""The Backend protocol: what the engine needs from a model runtime.

The transformers backend ships with the core; other runtimes (llama.cpp,
vLLM) are plugins registered through ``register_backends``.
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
