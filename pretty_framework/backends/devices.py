"""Device and dtype choice for torch backends and task models (torch imported when called, not before)."""

from __future__ import annotations

from typing import Any

from pretty_framework.errors import OptionsError

DTYPE_NAMES = ("float32", "bfloat16", "float16")


def pick_device(device: str) -> Any:
    """``auto`` is CUDA when a GPU is visible, else the CPU."""
    import torch

    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        chosen = torch.device(device)
    except RuntimeError as error:
        raise OptionsError(f"unknown device {device!r}: use auto, cpu, cuda or cuda:N") from error
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise OptionsError(f"device {device!r} asked for, but torch sees no CUDA GPU")
    return chosen


def pick_dtype(dtype: str, device: Any) -> Any:
    """``auto``: bf16 where the hardware computes it natively, else fp16 on GPU, fp32 on CPU."""
    import torch

    if dtype != "auto":
        if dtype not in DTYPE_NAMES:
            raise OptionsError(f"unknown dtype {dtype!r}; known: auto, {', '.join(DTYPE_NAMES)}")
        return getattr(torch, dtype)
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    # oneDNN reports native bf16 (AVX512-BF16 or AMX); emulated bf16 would be slower than fp32.
    return torch.bfloat16 if torch.ops.mkldnn._is_mkldnn_bf16_supported() else torch.float32
