"""Heavy libraries stay lazy: importing the package or asking for help loads no torch."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "code",
    [
        "import pretty_framework",
        "from pretty_framework.cli import cli; cli(['--help'], standalone_mode=False)",
        "from pretty_framework.cli import cli; cli(['decode', '--help'], standalone_mode=False)",
        "from pretty_framework.cli import cli; cli(['plugins'], standalone_mode=False)",
    ],
)
def test_no_torch_or_transformers_import(code):
    check = "; import sys; heavy = [m for m in ('torch', 'transformers') if m in sys.modules]; print(heavy)"
    result = subprocess.run([sys.executable, "-c", code + check], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_core_never_imports_a_plugin():
    from pathlib import Path

    core = Path(__file__).resolve().parents[1] / "pretty_framework"
    offenders = [p.name for p in core.rglob("*.py") if "pretty_basic" in p.read_text()]
    assert offenders == []
