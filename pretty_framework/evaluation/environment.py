"""Where a result was made: package versions, Python, the machine, the project's git commit, the date.

``pretty run`` writes this beside its scores (``results.json``) and the speed
benchmarks print :func:`describe_machine` under their tables, so that a number
can be traced to the software and hardware that produced it.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("pretty-framework", "torch", "transformers", "accelerate", "sacrebleu", "langdetect", "py3langid",
            "numpy", "tokenizers", "sentencepiece", "gguf", "llama-cpp-python", "spacy", "matplotlib", "tabulate")
"""Distributions whose versions decide results (those not installed are left out)."""


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """Installed versions of ``names``."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux, where platform.processor() is often empty)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """The hardware: CPU model, cores, and torch's threads and GPU where torch is already loaded.

    torch is not imported here for its own sake: a run that decoded has it loaded, and a
    rescoring that did not is not described by it.
    """
    info: dict[str, Any] = {"cpu": cpu_model(), "cores": os.cpu_count(), "system": platform.platform()}
    torch = sys.modules.get("torch")
    if torch is not None:
        info["torch_threads"] = torch.get_num_threads()
        info["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return info


def describe_machine(info: dict[str, Any] | None = None) -> str:
    """The machine in one readable line: ``Intel Xeon ... (2 cores, 2 torch threads); no GPU; Linux-...``."""
    info = info or machine()
    threads = f", {info['torch_threads']} torch threads" if info.get("torch_threads") else ""
    gpu = f"GPU {info['gpu']}" if info.get("gpu") else "no GPU"
    return f"{info['cpu']} ({info['cores']} cores{threads}); {gpu}; {info['system']}"


def git_state(folder: Path) -> dict[str, Any] | None:
    """The commit of the git checkout holding ``folder`` and whether it has uncommitted changes (None outside one)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True,
                              timeout=30).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": dirty}


def environment(project: Path | None = None) -> dict[str, Any]:
    """The whole block: date (UTC), Python, packages, machine, and the git state of ``project`` (the package's
    own checkout by default)."""
    project = project or Path(__file__).resolve().parents[2]
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "packages": package_versions(),
        "machine": machine(),
        "git": git_state(project),
    }
