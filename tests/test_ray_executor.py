"""`pretty decode --executor ray` on a local two-worker Ray cluster: the same outputs as a local run, resumable."""

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from conftest import FLORES
from pretty_framework.cli import cli
from pretty_framework.errors import ModelLoadError

pytestmark = pytest.mark.ray
needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="pip install 'pretty-framework[ray]'")


def test_missing_ray_names_the_extra(monkeypatch):
    from pretty_framework.executors import EngineSpec, RayExecutor

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ModelLoadError, match=r"pip install 'pretty-framework\[ray\]'"):
        RayExecutor(EngineSpec("translation", "none", "eng_Latn", "deu_Latn"))


def _decode_args(model_dir, output, *extra):
    if not (FLORES / "dev.eng_Latn").is_file():
        pytest.skip("real Flores data not found")
    return ["decode", "--flores", str(FLORES), "--src", "en", "--tgt", "de", "--limit", "24", "-p", "oracle",
            "-m", str(model_dir), "--device", "cpu", "--dtype", "float32", "-b", "2", "--max-new-tokens", "6",
            "-o", str(output), "--no-progress", *extra]


def _records(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def ray_cluster():
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@needs_ray
def test_ray_run_returns_exactly_the_local_outputs_in_order(tmp_path, tiny_model_dir, ray_cluster):
    runner = CliRunner()
    local = runner.invoke(cli, _decode_args(tiny_model_dir, tmp_path / "local.jsonl"))
    assert local.exit_code == 0, local.output
    distributed = runner.invoke(cli, _decode_args(tiny_model_dir, tmp_path / "ray.jsonl", "--executor", "ray",
                                                  "--ray-workers", "2"))
    assert distributed.exit_code == 0, distributed.output
    ours, theirs = _records(tmp_path / "local.jsonl"), _records(tmp_path / "ray.jsonl")
    assert [r["id"] for r in theirs] == [str(i) for i in range(1, 25)]
    assert [(r["id"], r["output"], r["signature"]) for r in theirs] == [(r["id"], r["output"], r["signature"])
                                                                        for r in ours]


@needs_ray
def test_killed_ray_run_resumes_without_losing_or_duplicating(tmp_path, tiny_model_dir, ray_cluster):
    output = tmp_path / "ray.jsonl"
    args = _decode_args(tiny_model_dir, output, "--executor", "ray", "--sort-window", "1")
    # A separate process with its own local cluster, interrupted once its first window is written.
    process = subprocess.Popen([sys.executable, "-m", "pretty_framework", *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env={**os.environ, "RAY_ADDRESS": ""})
    deadline = time.time() + 240
    while time.time() < deadline and process.poll() is None:
        if output.exists() and len(output.read_text().splitlines()) >= 4:
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)
    done = len(output.read_text().splitlines()) if output.exists() else 0
    assert 0 < done < 24, process.stderr.read().decode()[-2000:]
    resumed = CliRunner().invoke(cli, [*args, "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert f"resuming: {done} of 24 items already done" in resumed.output
    assert [r["id"] for r in _records(output)] == [str(i) for i in range(1, 25)]
