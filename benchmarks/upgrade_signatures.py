"""Upgrade the run signatures of committed experiment outputs to the current signature format.

The signature gained fields (``rev``: the model file's fingerprint; ``opts``: the provider's options;
``rep``: the repetition guard). The committed outputs were decoded with exactly the configuration their
experiment file names, so each configuration's current signature is computed (the model loads, nothing
is decoded) and written into its records — but only where every field the old signature recorded agrees
with the new one; a disagreement is reported and the file left alone. Outputs themselves are untouched.

    python benchmarks/upgrade_signatures.py benchmarks/experiments/paper-*.yaml
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def upgrade(experiment_file: Path) -> tuple[int, int]:
    """(files upgraded, files refused) for one experiment."""
    from pretty_framework.decoding.executors import LocalExecutor
    from pretty_framework.experiments.config import load_experiment
    from pretty_framework.experiments.execute import ExperimentRunner, expand
    from pretty_framework.io.signature import RunSignature

    experiment = load_experiment(experiment_file)
    executor = LocalExecutor()
    runner = ExperimentRunner(experiment, experiment_file.resolve().parent, executor=executor)
    upgraded = refused = 0
    try:
        for configuration in expand(experiment):
            path = configuration.path(runner.folder)
            if not path.exists():
                continue
            new = executor.signature(runner.spec(configuration))
            lines = path.read_text(encoding="utf-8").splitlines()
            records = [json.loads(line) for line in lines if line.strip()]
            olds = {record["signature"] for record in records}
            problems = [difference for old in olds for difference in _disagreements(RunSignature.parse(old), new)]
            if problems:
                print(f"REFUSED {path}: {'; '.join(problems)}")
                refused += 1
                continue
            for record in records:
                record["signature"] = new.format()
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
            upgraded += 1
    finally:
        executor.close()
    return upgraded, refused


def _disagreements(old, new) -> list[str]:
    mine = dict(new.fields)
    return [f"{key}: {value} != {mine.get(key, '-')}" for key, value in old.fields if mine.get(key) != value]


if __name__ == "__main__":
    total = [0, 0]
    for name in sys.argv[1:]:
        done, refused = upgrade(Path(name))
        print(f"{name}: {done} files upgraded, {refused} refused")
        total[0] += done
        total[1] += refused
    sys.exit(1 if total[1] else 0)
