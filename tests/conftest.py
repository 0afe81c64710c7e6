"""Shared fixtures: real data paths, tiny models built here, an isolated plugin set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import tiny_models

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("PRETTY_SHARED_DATA", ROOT.parent / "shared" / "data"))
FLORES = SHARED_DATA / "flores"


def flores_lines(code: str, n: int, split: str = "dev") -> list[str]:
    path = FLORES / f"{split}.{code}"
    if not path.is_file():
        pytest.skip(f"real Flores data not found at {path} (set PRETTY_SHARED_DATA)")
    return path.read_text(encoding="utf-8").splitlines()[:n]


@pytest.fixture(scope="session")
def training_lines() -> list[str]:
    return flores_lines("eng_Latn", 150) + flores_lines("deu_Latn", 150) + flores_lines("zho_Hans", 60)


@pytest.fixture(scope="session")
def sp_tokenizer(training_lines):
    return tiny_models.wrap(tiny_models.sentencepiece_style(training_lines))


@pytest.fixture(scope="session")
def byte_tokenizer(training_lines):
    return tiny_models.wrap(tiny_models.byte_level(training_lines))


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, sp_tokenizer) -> Path:
    return tiny_models.save_tiny_llama(tmp_path_factory.mktemp("tiny-llama"), sp_tokenizer)


@pytest.fixture(scope="session")
def tiny_backend(tiny_model_dir):
    from pretty_framework.backends.transformers_backend import TransformersBackend

    return TransformersBackend(model=str(tiny_model_dir), device="cpu", dtype="float32")


@pytest.fixture
def plugins():
    """A fresh plugin set for one test; the process-wide one is reset afterwards."""
    from pretty_framework.plugin.manager import Plugins, reset_plugins

    reset_plugins()
    yield Plugins()
    reset_plugins()


@pytest.fixture(scope="session", autouse=True)
def isolated_dictionary_db(tmp_path_factory):
    """No test touches the user's dictionary database: the store defaults to a session file."""
    previous = os.environ.get("PRETTY_DB")
    os.environ["PRETTY_DB"] = str(tmp_path_factory.mktemp("store") / "dictionary.sqlite")
    yield
    if previous is None:
        os.environ.pop("PRETTY_DB", None)
    else:
        os.environ["PRETTY_DB"] = previous
