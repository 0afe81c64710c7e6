"""Docs and code cannot drift apart (after datasette): every hook with its arguments, and every public name,
appears in the plugin author's guide."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from pretty_framework import api
from pretty_framework.plugin import hookspecs

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"


def _hooks() -> list[tuple[str, list[str]]]:
    hooks = []
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        if hasattr(function, f"{hookspecs.PROJECT_NAME}_spec"):
            hooks.append((name, list(inspect.signature(function).parameters)))
    return hooks


def test_there_are_hooks_to_document():
    assert {"register_prior_providers", "register_backends", "register_tasks"} <= {name for name, _ in _hooks()}


@pytest.mark.parametrize("hook, arguments", _hooks())
def test_every_hook_is_documented_with_its_arguments(hook, arguments):
    assert f"`{hook}({', '.join(arguments)})`" in GUIDE.read_text(encoding="utf-8"), (
        f"docs/plugins.md does not document `{hook}({', '.join(arguments)})`")


@pytest.mark.parametrize("hook, arguments", _hooks())
def test_every_hook_has_a_docstring_naming_its_arguments(hook, arguments):
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert doc and all(re.search(rf"\b{argument}\b", doc) for argument in arguments)


@pytest.mark.parametrize("name", api.__all__)
def test_every_public_name_is_in_the_guide(name):
    assert f"`{name}`" in GUIDE.read_text(encoding="utf-8"), f"docs/plugins.md does not mention `{name}`"
