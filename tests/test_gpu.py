"""The CUDA path: the same greedy outputs on the GPU as on the CPU (skipped without a GPU)."""

import pytest

torch = pytest.importorskip("torch")

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]


def test_cuda_matches_cpu_on_the_tiny_model(tiny_model_dir, tiny_backend):
    from pretty_framework.backends.transformers_backend import TransformersBackend
    from pretty_framework.decoding.generation import GenerationSettings

    gpu = TransformersBackend(model=str(tiny_model_dir), device="cuda", dtype="float32")
    assert gpu.device.type == "cuda"
    prompts = [tiny_backend.encode(text) for text in ("English: Hello.\nGerman Translation:", "Short.")]
    settings = GenerationSettings(max_new_tokens=8)
    assert gpu.generate(prompts, settings) == tiny_backend.generate(prompts, settings)


def test_auto_dtype_on_cuda_is_half_precision():
    from pretty_framework.backends.devices import pick_dtype

    assert pick_dtype("auto", torch.device("cuda")) in (torch.bfloat16, torch.float16)
