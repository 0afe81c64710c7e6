"""`pretty decode --executor ray` on a local two-worker Ray cluster: the same outputs as a local run, resumable."""

import importlib.util
import json
import sys

import pytest
from click.testing import CliRunner
from conftest import FLORES

from pretty_framework.cli import cli
from pretty_framework.errors import ModelLoadError

pytestmark = pytest.mark.ray
needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="pip install 'pretty-framework[ray]'")


def test_missing_ray_names_the_extra(monkeypatch):
    from pretty_framework.decoding.executors import RayExecutor

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ModelLoadError, match=r"pip install 'pretty-framework\[ray\]'"):
        RayExecutor(2)


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
def test_interrupted_ray_run_resumes_without_losing_or_duplicating(tmp_path, tiny_model_dir, ray_cluster, monkeypatch):
    from pretty_framework.io.outputs import ResultWriter

    output = tmp_path / "ray.jsonl"
    args = _decode_args(tiny_model_dir, output, "--executor", "ray", "--sort-window", "1")
    real_write = ResultWriter.write
    windows = []

    def interrupted_after_one_window(self, results):
        if windows:
            raise KeyboardInterrupt  # Ctrl-C while the second window comes back from the workers
        windows.append(len(list(results)))
        real_write(self, results)

    monkeypatch.setattr(ResultWriter, "write", interrupted_after_one_window)
    interrupted = CliRunner().invoke(cli, args)
    assert interrupted.exit_code != 0
    done = len(output.read_text().splitlines())
    assert done == windows[0] == 8  # one window: 2 workers x 2 batches x batch size 2
    with output.open("a") as handle:
        handle.write('{"id": "9", "outp')  # and the kill cut a line mid-write
    monkeypatch.setattr(ResultWriter, "write", real_write)
    resumed = CliRunner().invoke(cli, [*args, "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert f"resuming: {done} of 24 items already done" in resumed.output
    assert [r["id"] for r in _records(output)] == [str(i) for i in range(1, 25)]


@needs_ray
def test_pretty_run_on_ray_scores_like_a_local_run(tmp_path, tiny_model_dir, ray_cluster):
    from test_experiments import write_experiment

    path = write_experiment(tmp_path, tiny_model_dir)
    runner = CliRunner()
    local = runner.invoke(cli, ["run", str(path), "-o", str(tmp_path / "local"), "--no-progress"])
    assert local.exit_code == 0, local.output
    distributed = runner.invoke(cli, ["run", str(path), "-o", str(tmp_path / "ray"), "--no-progress",
                                      "--executor", "ray"])
    assert distributed.exit_code == 0, distributed.output
    rows = [json.loads((tmp_path / name / "results.json").read_text())["rows"] for name in ("local", "ray")]
    assert [(r["label"], r["k"], r["scores"]) for r in rows[0]] == [(r["label"], r["k"], r["scores"]) for r in rows[1]]
    # the tables too: every cell, interval and p-value (the bootstrap is seeded)
    assert (tmp_path / "ray" / "table.csv").read_text() == (tmp_path / "local" / "table.csv").read_text()
