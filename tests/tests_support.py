"""Helpers shared by test modules."""

from __future__ import annotations

from conftest import flores_lines

from pretty_framework.io.records import Item


def flores_items(src: str, tgt: str, n: int, start: int = 0) -> list[Item]:
    """Real Flores dev items with references."""
    sources = flores_lines(src, start + n)[start:]
    references = flores_lines(tgt, start + n)[start:]
    return [Item(str(start + i + 1), s, r) for i, (s, r) in enumerate(zip(sources, references))]


def fake_hub_cache(hub, repo: str, model_dir) -> None:
    """Lay out a Hugging Face hub cache entry for ``repo``, as a download would have left it."""
    import shutil

    entry = hub / ("models--" + repo.replace("/", "--"))
    snapshot = entry / "snapshots" / ("0" * 40)
    shutil.copytree(model_dir, snapshot)
    (entry / "refs").mkdir(parents=True)
    (entry / "refs" / "main").write_text("0" * 40)


def offline_hub(monkeypatch, hub) -> None:
    """Point the hub client at ``hub`` and forbid downloads."""
    import huggingface_hub.constants as hub_constants

    monkeypatch.setenv("HF_HUB_CACHE", str(hub))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(hub))
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
