"""Prompts for instruction-tuned (SFT) models: the instruction wrapped in the model's chat template."""

from __future__ import annotations

from typing import Any

from pretty_framework.errors import ModelLoadError


def chat_prompt_ids(tokenizer: Any, instruction: str, model_name: str = "the model") -> list[int]:
    """Token ids of ``instruction`` as a user turn, ready for the assistant's answer."""
    if not getattr(tokenizer, "chat_template", None):
        raise ModelLoadError(f"{model_name} has no chat template: it is not an instruction-tuned (SFT) model")
    text = tokenizer.apply_chat_template([{"role": "user", "content": instruction}], add_generation_prompt=True,
                                         tokenize=False)
    # The template writes any BOS itself; letting the tokenizer add one would double it.
    return tokenizer(text, add_special_tokens=False)["input_ids"]
