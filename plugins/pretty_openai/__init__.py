"""The OpenAI-compatible backend (optional extra ``openai``): decode through vLLM, SGLang, llama.cpp's server, ..."""

from __future__ import annotations

from pretty_framework.api import Register, hookimpl


@hookimpl
def register_backends(register: Register) -> None:
    # Lazy: httpx is imported when the backend is built, so importing the plugin costs nothing.
    register("pretty_openai.backend:OpenAIBackend", name="openai")
