"""`pretty run` on a tiny model: the matrix, resume after a kill, tables and figures; errors naming the key."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FLORES

from pretty_framework.cli import cli
from pretty_framework.decoding.engine import Engine
from pretty_framework.experiments.config import ExperimentError, load_experiment
from pretty_framework.experiments.execute import ExperimentRunner, expand


def write_experiment(folder: Path, model_dir: Path, **changes) -> Path:
    if not (FLORES / "dev.eng_Latn").is_file():
        pytest.skip("real Flores data not found")
    experiment = {
        "name": "tiny", "task": "translation", "pairs": ["en-de"], "models": [str(model_dir)],
        "data": {"flores": str(FLORES), "split": "dev", "limit": 4},
        "batch_size": 2, "sort_window": 1, "max_new_tokens": 6, "metrics": ["chrf", "bleu"],
        "runs": [
            {"label": "oracle alone", "provider": "oracle", "direct": True},
            {"label": "Base", "provider": "none"},
            {"label": "+ Die", "provider": "text", "options": {"text": "Die"}},
            {"label": "+ oracle", "provider": "oracle", "k": [1, 2]},
        ],
        "table": {"metrics": ["chrF"], "sft_row": "oracle alone"},
    }
    experiment.update(changes)
    path = folder / "experiment.yaml"
    import yaml

    path.write_text(yaml.safe_dump(experiment))
    return path


def test_run_writes_outputs_table_and_figures(tmp_path, tiny_model_dir):
    path = write_experiment(tmp_path, tiny_model_dir)
    result = CliRunner().invoke(cli, ["run", str(path), "-o", str(tmp_path / "out"), "--no-progress"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    rows = json.loads((out / "results.json").read_text())["rows"]
    assert len(rows) == 5 and all(row["n"] == 4 for row in rows)
    alone = next(row for row in rows if row["label"] == "oracle alone")
    assert alone["scores"]["chrF"] == pytest.approx(100)  # the reference itself
    table = (out / "table.md").read_text()
    header = next(line for line in table.splitlines() if line.startswith("| system"))
    assert [cell.strip() for cell in header.strip("|").split("|")] == ["system", "chrF", "%SFT"]  # one pair: no Avg.
    assert "+ oracle (k=1)" in table and "+ oracle (k=2)" in table and "oracle alone" in table
    csv_lines = (out / "table.csv").read_text().splitlines()
    assert csv_lines[0] == "model,system,pair,metric,score,ci95,p_value,baseline,pct_sft" and len(csv_lines) == 6
    assert "\\toprule" in (out / "table.tex").read_text()
    for figure in ("k_sweep.png", "providers.png"):
        assert (out / "figures" / figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (out / "figures" / figure).with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"
    die = [json.loads(line) for line in (out / rows[2]["output"]).read_text().splitlines()]
    assert rows[2]["label"] == "+ Die" and all(record["output"].startswith("Die") for record in die)


def test_killed_run_resumes_without_losing_or_duplicating(tmp_path, tiny_model_dir, monkeypatch):
    path = write_experiment(tmp_path, tiny_model_dir)
    experiment = load_experiment(path)
    real_decode = Engine.decode_batch
    calls = {"n": 0}

    def dies_on_second_batch(self, items):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the process is killed mid-run
        return real_decode(self, items)

    monkeypatch.setattr(Engine, "decode_batch", dies_on_second_batch)
    runner = ExperimentRunner(experiment, tmp_path, tmp_path / "out", progress=False, echo=lambda line: None)
    with pytest.raises(KeyboardInterrupt):
        runner.run()
    cut = next(c for c in expand(experiment) if c.label == "Base").path(tmp_path / "out")
    first_batch = cut.read_text()
    assert len(first_batch.splitlines()) == 2
    with cut.open("a") as handle:
        handle.write('{"id": "3", "out')  # a line cut mid-write by the kill

    monkeypatch.setattr(Engine, "decode_batch", real_decode)
    ExperimentRunner(experiment, tmp_path, tmp_path / "out", progress=False, echo=lambda line: None).run()
    records = [json.loads(line) for line in cut.read_text().splitlines()]
    assert [r["id"] for r in records] == ["1", "2", "3", "4"]
    assert cut.read_text().startswith(first_batch)

    def must_not_decode(self, items):
        raise AssertionError("a finished configuration was decoded again")

    monkeypatch.setattr(Engine, "decode_batch", must_not_decode)
    rows = ExperimentRunner(experiment, tmp_path, tmp_path / "out", progress=False, echo=lambda line: None).run()
    assert len(rows) == 5


@pytest.mark.parametrize("first, second, field", [
    ({"runs": [{"label": "Base", "provider": "none"}]},
     {"runs": [{"label": "Base", "provider": "none"}], "max_new_tokens": 5}, "max: 6 != 5"),
    ({"runs": [{"label": "Base", "provider": "text", "options": {"text": "Die"}}]},
     {"runs": [{"label": "Base", "provider": "text", "options": {"text": "Der"}}]}, "opts: text=Die != text=Der"),
])
def test_a_changed_configuration_is_decoded_again_never_mixed(tmp_path, tiny_model_dir, first, second, field):
    runner, out = CliRunner(), tmp_path / "out"
    path = write_experiment(tmp_path, tiny_model_dir, table={"metrics": ["chrF"]}, max_new_tokens=6, **first)
    assert runner.invoke(cli, ["run", str(path), "-o", str(out)]).exit_code == 0
    output = next(out.rglob("*.jsonl"))
    old_signature = json.loads(output.read_text().splitlines()[0])["signature"]
    path = write_experiment(tmp_path, tiny_model_dir, table={"metrics": ["chrF"]}, **{"max_new_tokens": 6, **second})
    again = runner.invoke(cli, ["run", str(path), "-o", str(out)])
    assert again.exit_code == 0 and field in again.output and "decoding it again" in again.output
    signatures = {json.loads(line)["signature"] for line in output.read_text().splitlines()}
    assert len(signatures) == 1 and signatures != {old_signature}  # one configuration per file, the new one
    rows = json.loads((out / "results.json").read_text())["rows"]
    assert rows[0]["n"] == 4


@pytest.mark.parametrize(("changes", "message"), [
    ({"runs": [{"label": "x", "provider": "none", "k": "two"}]}, r"runs\[0\]\.k: .*valid integer.*'two'"),
    ({"runs": [{"label": "x", "provider": "muse"}]}, r"runs\[0\]\.provider: unknown prior provider 'muse'.*known:"),
    ({"runs": [{"label": "x", "provider": "none", "colour": 1}]}, r"runs\[0\]\.colour: extra inputs"),
    ({"pairs": ["ende"]}, r"pairs\[0\]: expected SRC-TGT"),
    ({"pairs": ["en-xx"]}, r"pairs\[0\]: unknown language"),
    ({"data": {"split": "dev"}}, r"data: give exactly one of flores, conllu, jsonl"),
    ({"task": "parsing"}, r"task: unknown task 'parsing'"),
    ({"metrics": ["meteor"]}, r"metrics: unknown metric 'meteor'"),
    ({"table": {"sft_row": "SFT"}}, r"table\.sft_row: 'SFT' is not a run label"),
    ({"runs": [{"label": "x", "provider": "none", "template": "fancy"}]}, r"runs\[0\]\.template: unknown template"),
    ({"runs": []}, r"runs: list should have at least 1 item"),
    ({"name": None}, r"name: .*valid string"),
    ({"backend": "openai", "runs": [{"label": "x", "provider": "none", "guides": "copy-guard"}]},
     r"runs\[0\]\.guides: backend 'openai' runs guides between requests only .*copy-guard cannot run there; "
     r"guides that can: reprime"),
])
def test_malformed_experiment_names_the_key(tmp_path, tiny_model_dir, changes, message):
    path = write_experiment(tmp_path, tiny_model_dir, **changes)
    with pytest.raises(ExperimentError, match=message):
        load_experiment(path)


def test_default_guides_are_those_a_server_backend_can_run():
    from pretty_framework.experiments.config import RunSpec, run_guides

    run = RunSpec(label="x", provider="none", guides="default")
    assert run_guides(run, "openai") == (("reprime", {}),)  # the script guard needs each step's logits
    assert run_guides(run, "transformers") == (("script-guard", {}), ("reprime", {}))


def test_missing_key_and_bad_yaml(tmp_path):
    (tmp_path / "a.yaml").write_text("name: x\npairs: [en-de]\n")
    with pytest.raises(ExperimentError, match=r"data: required key is missing; runs: required key is missing"):
        load_experiment(tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text("name: [unclosed\n")
    with pytest.raises(ExperimentError, match="not valid YAML"):
        load_experiment(tmp_path / "b.yaml")


def test_repository_experiments_are_valid():
    root = Path(__file__).resolve().parents[1]
    files = sorted((root / "examples" / "experiments").glob("*.yaml")) + sorted(
        (root / "benchmarks" / "experiments").glob("*.yaml"))
    assert len(files) >= 4
    for path in files:
        assert load_experiment(path).runs


def test_cached_provider_answers_each_question_once():
    from pretty_framework import Prior, PriorProvider, PriorRequest, Provenance
    from pretty_framework.priors.cache import CachedProvider

    class Counting(PriorProvider):
        name = "counting"
        calls: list[int] = []

        def priors(self, requests):
            self.calls.append(len(requests))
            return [Prior(f"p{r.item_id}", Provenance(self.name)) for r in requests]

    cached = CachedProvider(Counting())
    requests = [PriorRequest.of(str(i), f"s{i}", "eng_Latn", "deu_Latn", k=2) for i in range(3)]
    assert [p.text for p in cached.priors(requests)] == ["p0", "p1", "p2"]
    assert [p.text for p in cached.priors(requests[1:])] == ["p1", "p2"] and Counting.calls == [3]
    other_k = [PriorRequest.of("0", "s0", "eng_Latn", "deu_Latn", k=3)]
    cached.priors(other_k)
    assert Counting.calls == [3, 1]  # k may change a prior: asked again
    Counting.uses_k = False
    cached.priors([PriorRequest.of("1", "s1", "eng_Latn", "deu_Latn", k=4)])
    cached.priors([PriorRequest.of("1", "s1", "eng_Latn", "deu_Latn", k=1)])
    assert Counting.calls == [3, 1, 1] and cached.name == "counting"
