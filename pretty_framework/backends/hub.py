"""Hub models: the local cache first, then one quick try at the hub, then one clear error.

Loading a hub id straight through transformers, offline, retries every file of
the model (about 100 s and ~50 warnings) before it fails. Here the local cache
is asked first; only when the model is not there is the hub asked, once, with a
short timeout; when it cannot be reached the error says so at once.
"""

from __future__ import annotations

from pretty_framework.errors import ModelLoadError

HUB_TIMEOUT_S = 10


def hub_snapshot(repo: str, what: str = "model") -> str:
    """A local folder holding hub model ``repo``: from the cache, else downloaded now (one attempt)."""
    from huggingface_hub import model_info, snapshot_download

    try:
        return snapshot_download(repo, local_files_only=True)
    except Exception:  # not cached (the hub client raises several types for that)
        pass
    try:
        model_info(repo, timeout=HUB_TIMEOUT_S)  # one request: is the hub reachable, does the model exist?
    except Exception as error:
        raise ModelLoadError(
            f"cannot load {what} {repo!r}: it is not in the local Hugging Face cache and the hub cannot be reached "
            f"({type(error).__name__}). Download it where there is a network (huggingface-cli download {repo}) "
            "and copy the cache, or pass a local folder."
        ) from None
    try:
        return snapshot_download(repo)
    except Exception as error:
        raise ModelLoadError(f"cannot download {what} {repo!r}: {type(error).__name__}: {error}") from None
