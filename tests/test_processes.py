"""Real processes: a decode killed with SIGKILL resumes without loss or duplication; two decodes share a store."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import FLORES


def _decode(tiny_model_dir, out, *extra: str, db=None) -> subprocess.Popen:
    command = [sys.executable, "-m", "pretty_framework", "decode", "--flores", str(FLORES), "--src", "en",
               "--tgt", "de", "-m", str(tiny_model_dir), "--dtype", "float32", "--no-progress", "-o", str(out),
               *extra]
    env = {**os.environ, **({"PRETTY_DB": str(db)} if db else {})}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _lines(path) -> int:
    return len(path.read_bytes().splitlines()) if path.exists() else 0


@pytest.fixture
def flores():
    if not (FLORES / "dev.eng_Latn").is_file():
        pytest.skip("real Flores data not found")


def test_a_decode_killed_with_sigkill_resumes_to_the_uninterrupted_output(flores, tiny_model_dir, tmp_path):
    # Slow enough to be killed in the middle: long answers, one item per write.
    args = ["-p", "oracle", "--limit", "24", "-b", "1", "--sort-window", "0", "--max-new-tokens", "48",
            "--no-repetition-guard"]
    whole, killed = tmp_path / "whole.jsonl", tmp_path / "killed.jsonl"
    process = _decode(tiny_model_dir, killed, *args)
    deadline = time.monotonic() + 120
    while _lines(killed) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    written = _lines(killed)
    assert 3 <= written < 24, f"the kill should land mid-run ({written} lines written)"
    resumed = _decode(tiny_model_dir, killed, *args, "--resume")
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read()
    assert "already done" in resumed.stderr.read()
    assert _decode(tiny_model_dir, whole, *args).wait(timeout=300) == 0
    ids = [json.loads(line)["id"] for line in killed.read_text().splitlines()]
    assert ids == [str(i) for i in range(1, 25)]  # nothing lost, nothing twice
    assert killed.read_bytes() == whole.read_bytes()


def test_two_decodes_share_a_new_store(flores, tiny_model_dir, tmp_path):
    """Both import the bundled MUSE list on first use into the same new database, at the same time."""
    db = tmp_path / "shared.sqlite"
    runs = [_decode(tiny_model_dir, tmp_path / f"out{i}.jsonl", "-p", "muse-dict", "--limit", "4",
                    "--max-new-tokens", "4", db=db) for i in range(2)]
    for run in runs:
        assert run.wait(timeout=300) == 0, run.stderr.read()
    for i in range(2):
        records = [json.loads(line) for line in (tmp_path / f"out{i}.jsonl").read_text().splitlines()]
        assert len(records) == 4 and all(r["provenance"]["provider"] == "muse-dict" for r in records)
    sources = subprocess.run([sys.executable, "-m", "pretty_framework", "dict", "--db", str(db), "sources"],
                             capture_output=True, text=True, timeout=120)
    assert sources.stdout.count("bundled:muse-en-de.txt.gz") == 1  # imported once, not twice
