"""Model resolution and loading: names, folders, hub ids (offline, from a cache the test builds)."""

import pytest
from tests_support import fake_hub_cache, offline_hub

from pretty_framework.backends.models import PACKAGED_MODELS, resolve_model
from pretty_framework.errors import InputError, ModelLoadError, UnknownNameError


def test_unknown_model_lists_the_valid_forms():
    with pytest.raises(UnknownNameError) as error:
        resolve_model("gemma-270m")
    message = str(error.value)
    assert "gemma3-270m" in message and "<hub org/name>" in message and "did you mean" in message


def test_folder_without_config_is_refused(tmp_path):
    with pytest.raises(ModelLoadError, match="holds no config.json"):
        resolve_model(str(tmp_path))


@pytest.mark.parametrize("name", ["./missing-folder", "/no/such/dir/x", "/no/such/model.gguf"])
def test_missing_paths_name_the_path(name):
    with pytest.raises(InputError, match="not found"):
        resolve_model(name)


def test_a_model_folder_resolves_to_itself(tiny_model_dir):
    resolved = resolve_model(str(tiny_model_dir))
    assert resolved.kind == "folder" and resolved.source == str(tiny_model_dir)


def test_packaged_models_include_the_default():
    assert "gemma3-270m" in PACKAGED_MODELS


def test_hub_id_loads_through_the_hub_code_path_offline(tmp_path, monkeypatch, tiny_model_dir, tiny_backend):
    from pretty_framework.backends.transformers_backend import TransformersBackend
    from pretty_framework.decoding.generation import GenerationSettings

    fake_hub_cache(tmp_path / "hub", "tiny-org/tiny-llama", tiny_model_dir)
    offline_hub(monkeypatch, tmp_path / "hub")
    backend = TransformersBackend(model="tiny-org/tiny-llama", device="cpu", dtype="float32")
    assert backend.model_name == "tiny-org/tiny-llama"
    prompt = [backend.encode("English: Hello.\nGerman Translation:")]
    settings = GenerationSettings(max_new_tokens=5)
    assert backend.generate(prompt, settings) == tiny_backend.generate(prompt, settings)


def test_hub_id_missing_offline_is_a_clear_error(tmp_path, monkeypatch):
    from pretty_framework.backends.transformers_backend import TransformersBackend

    offline_hub(monkeypatch, tmp_path / "empty-hub")
    with pytest.raises(ModelLoadError, match="cannot load model 'nobody/nothing': it is not in the local Hugging Face "
                                             "cache and the hub cannot be reached"):
        TransformersBackend(model="nobody/nothing", device="cpu")


def test_a_hub_model_that_cannot_be_reached_fails_fast_and_once(tmp_path, monkeypatch):
    """No network and no cache: one request is tried (and refused here), not every file of the model."""
    from pretty_framework.backends.hub import hub_snapshot
    from pretty_framework.testing import no_network

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hub"))
    import huggingface_hub.constants as hub_constants

    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(tmp_path / "empty-hub"))
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    attempts = []
    import huggingface_hub

    real_info = huggingface_hub.model_info
    monkeypatch.setattr(huggingface_hub, "model_info", lambda *a, **k: attempts.append(a) or real_info(*a, **k))
    with no_network(), pytest.raises(ModelLoadError, match="the hub cannot be reached"):
        hub_snapshot("facebook/nllb-200-distilled-600M", "translation model")
    assert len(attempts) == 1
