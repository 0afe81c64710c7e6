"""The llama.cpp backend (optional extra ``llamacpp``): GGUF models decoded directly by llama.cpp."""

from __future__ import annotations

from pretty_framework.api import Register, hookimpl


@hookimpl
def register_backends(register: Register) -> None:
    # Lazy: llama_cpp is imported when the backend is built, so a missing extra names itself there.
    register("pretty_llamacpp.backend:LlamaCppBackend", name="llama.cpp")
