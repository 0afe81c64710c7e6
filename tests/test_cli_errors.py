"""Bad input over the CLI, as a table: each case is a command, its exit code and its message.

Every case runs with a model that does not exist (`-m` pointing nowhere): an error about the model would
mean the check came after the model load. None may print a traceback.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from pretty_framework.cli import cli

NO_MODEL = ["-m", "/nonexistent/model-folder"]


def _files(tmp_path):
    (tmp_path / "a-file").write_text("x\n")
    (tmp_path / "folder").mkdir()
    (tmp_path / "hyp.txt").write_text("a\nb\nc\n")
    (tmp_path / "ref.txt").write_text("a\nb\nc\nd\ne\n")
    (tmp_path / "done.jsonl").write_text('{"id": "1"}\n')
    return tmp_path


DECODE = ["decode", "--src", "en", "--tgt", "de"]
CASES = [
    # (arguments, exit code, message fragment); {tmp} is the test's folder
    (DECODE + ["-p", "oracle"], 1, "provider 'oracle' reads the reference, and the input has none"),
    (DECODE + ["-p", "text"], 1, "provider 'text' has no prior to give: pass --prior TEXT"),
    (DECODE + ["--prior", "Die"], 1, "--prior goes with --provider text, not 'none'"),
    (DECODE + ["--temperature", "0.5"], 1, "--temperature only apply when sampling: add --sample"),
    (DECODE + ["--seed", "3", "--top-k", "5"], 1, "--top-k, --seed only apply when sampling"),
    (DECODE + ["--sample", "--top-p", "2"], 1, "top_p must be in (0, 1], got 2"),
    (DECODE + ["-o", "{tmp}/a-file/out.jsonl"], 1, "a-file is a file, not a folder"),
    (DECODE + ["-o", "{tmp}/folder"], 1, "folder is a folder: give a file name"),
    (DECODE + ["-o", "{tmp}/folder", "--force"], 1, "folder is a folder: give a file name"),
    (DECODE + ["--resume"], 1, "--resume needs --output"),
    (DECODE + ["-o", "{tmp}/x.jsonl", "--resume", "--force"], 1, "give one of them"),
    (DECODE + ["-o", "{tmp}/done.jsonl"], 1, "exists: use --resume to continue it or --force"),
    (DECODE + ["-t", "bogus"], 1, "unknown template for task 'translation' 'bogus'"),
    (DECODE + ["-p", "muse-dic"], 1, "did you mean 'muse-dict'"),
    (DECODE + ["-B", "loop=fast"], 1, "invalid options for backend 'transformers': loop"),
    (DECODE + ["-p", "text", "--prior", "Die", "-O", "colour=red"], 1, "invalid options for provider 'text'"),
    (["decode", "--src", "en", "--tgt", "xx-nowhere"], 1, "unknown language 'xx-nowhere'"),
    (DECODE + ["--task", "parsing"], 1, "unknown task 'parsing'"),
    (DECODE + ["--backend", "vllm-local"], 1, "unknown backend 'vllm-local'"),
    (DECODE + ["--flores", "{tmp}/folder"], 1, "not found"),
    (DECODE + ["--executor", "slurm"], 2, "Invalid value for '--executor'"),
    (["eval", "{tmp}/hyp.txt", "-r", "{tmp}/ref.txt", "--tgt", "de", "-M", "chrf"], 0,
     "scoring against the first 3 only"),
    (["run", "{tmp}/missing.yaml"], 1, "missing.yaml"),
]


@pytest.mark.parametrize("args, code, message", CASES, ids=[" ".join(c[0][5:] or c[0][:2]) for c in CASES])
def test_bad_input_gets_one_clear_line(tmp_path, args, code, message):
    folder = _files(tmp_path)
    argv = [arg.replace("{tmp}", str(folder)) for arg in args]
    if argv[0] == "decode":
        argv += NO_MODEL
    result = CliRunner().invoke(cli, argv, input="The cat sat on the mat.\n")
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output and "model-folder" not in result.output  # checked before the model

