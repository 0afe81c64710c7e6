"""The public API: the notebook call, the names plugins may import, and a dependency graph that reads top-down."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import flores_lines

import pretty_framework
from pretty_framework import api
from pretty_framework.errors import InputError, UnknownNameError

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "pretty_framework"
PLUGINS = ROOT / "plugins"


def test_decode_takes_the_clis_language_codes_and_keeps_input_order(tiny_model_dir):
    lines = flores_lines("eng_Latn", 3)
    results = pretty_framework.decode(lines, src="en", tgt="de", provider="muse-dict", model=str(tiny_model_dir),
                                      dtype="float32", max_new_tokens=4, batch_size=2)
    assert [r.item.source for r in results] == lines
    # "en" reached the dictionary as eng_Latn: every line got a MUSE prior (it failed with IndexError before)
    assert all(r.provenance and r.provenance["provider"] == "muse-dict" for r in results)
    assert all(r.output.startswith(r.prior) for r in results)


def test_decode_passes_references_to_the_oracle(tiny_model_dir):
    results = pretty_framework.decode(["Hello there."], src="eng", tgt="fra_Latn", provider="oracle",
                                      references=["Bonjour à tous."], model=str(tiny_model_dir), dtype="float32",
                                      max_new_tokens=2, k=1)
    assert results[0].prior and "Bonjour à tous.".startswith(results[0].prior)  # one token of the tiny tokenizer
    assert results[0].provenance == {"provider": "oracle", "resource": "reference"}


@pytest.mark.parametrize("call, error, message", [
    (lambda: pretty_framework.decode("one string", src="en", tgt="de"), InputError, "a list of texts"),
    (lambda: pretty_framework.decode(["a"], src="en", tgt="xx-nowhere"), UnknownNameError, "unknown language"),
    (lambda: pretty_framework.decode(["a"], src="en", tgt="de", provider="muse-dic"), UnknownNameError,
     "did you mean 'muse-dict'"),
    (lambda: pretty_framework.decode(["a"], src="en", tgt="de", options={"nope": 1}, provider="text"),
     pretty_framework.OptionsError, "nope"),
    (lambda: pretty_framework.decode(["a", "b"], src="en", tgt="de", references=["x"]), InputError, "2 texts"),
])
def test_decode_refuses_bad_calls_before_loading_a_model(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_every_public_name_resolves():
    for name in api.__all__:
        assert getattr(api, name) is getattr(pretty_framework, name)


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, imported names, line) of every import in a file, function-level ones included
    (``if TYPE_CHECKING:`` blocks left out: they never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            node.body = []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
    return found


def test_built_in_plugins_import_only_the_public_api():
    offenders = []
    for path in sorted(PLUGINS.rglob("*.py")):
        for module, names, line in _imports(path):
            if module == "pretty_framework.api":
                continue
            if module == "pretty_framework" and set(names) <= set(api.__all__):
                continue
            if module == "pretty_framework" or module.startswith("pretty_framework."):
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert offenders == []


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_core_has_no_import_cycles():
    """Function-level imports count too: a cycle hidden in a function is still a cycle."""
    modules = {_module_name(path): path for path in CORE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for module, names, _ in _imports(path):
            for candidate in [f"{module}.{n}" for n in names] + [module]:
                if candidate in modules and candidate != name:
                    targets.add(candidate)
                    break
        # a package's __init__ re-exporting its children is not a dependency of the children on it
        graph[name] = {t for t in targets if not t.startswith(name + ".") and not name.startswith(t + ".")}
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target, stack + [target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == [], cycles
