"""Demonstrations (--shots): pools, the deterministic choice, the prompt, the signature, errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import FLORES, flores_lines

from pretty_framework.errors import InputError, OptionsError
from pretty_framework.io.records import Item
from pretty_framework.tasks.shots import (
    BUNDLED,
    DEFAULT_SHOTS,
    Demonstration,
    bundled_languages,
    load_pool,
    resolve_shots,
)
from pretty_framework.tasks.translation import TranslationTask


def test_the_bundled_pool_is_flores_dev_lines_901_to_908_in_15_languages():
    pool = load_pool(BUNDLED, "eng_Latn", "deu_Latn")
    assert len(pool.examples) == 8 and len(bundled_languages()) == 15
    english, german = flores_lines("eng_Latn", 908), flores_lines("deu_Latn", 908)
    assert [e.source for e in pool.examples] == [line.strip() for line in english[900:908]]
    assert [e.target for e in pool.examples] == [line.strip() for line in german[900:908]]


def test_the_choice_is_the_first_n_and_never_the_item_itself():
    pool = load_pool(BUNDLED, "eng_Latn", "fra_Latn")
    item = Item("x", "Some other sentence.")
    assert pool.choose(item, 2) == list(pool.examples[:2])
    own = Item("901", " " + pool.examples[0].source + " ")
    assert pool.choose(own, 2) == list(pool.examples[1:3])


def test_a_language_the_bundled_pool_lacks_is_a_clear_error_and_no_default():
    with pytest.raises(OptionsError, match="no kor_Hang.*deu_Latn"):
        load_pool(BUNDLED, "eng_Latn", "kor_Hang")
    assert resolve_shots(None, BUNDLED, True, "eng_Latn", "kor_Hang") == 0
    assert resolve_shots(None, BUNDLED, True, "eng_Latn", "deu_Latn") == DEFAULT_SHOTS
    assert resolve_shots(None, BUNDLED, False, "eng_Latn", "deu_Latn") == 0  # a task without demonstrations
    assert resolve_shots(0, BUNDLED, True, "eng_Latn", "deu_Latn") == 0


def test_jsonl_and_flores_pools(tmp_path):
    path = tmp_path / "pool.jsonl"
    path.write_text(json.dumps({"source": "Hello.", "reference": "Hallo."}) + "\n\n"
                    + json.dumps({"src": "Yes.", "tgt": "Ja."}) + "\n", encoding="utf-8")
    pool = load_pool(str(path), "eng_Latn", "deu_Latn")
    assert pool.examples == (Demonstration("Hello.", "Hallo."), Demonstration("Yes.", "Ja."))
    assert pool.origin.startswith("pool.jsonl#") and len(pool.origin) == len("pool.jsonl#") + 12
    flores = load_pool(str(FLORES), "eng_Latn", "deu_Latn")
    assert len(flores.examples) == 997 and flores.origin == "flores:dev:flores"


def test_bad_pools_name_the_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"source": "a", "reference": "b"}\n{"text": "c"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:2: a demonstration needs"):
        load_pool(str(path), "eng_Latn", "deu_Latn")
    path.write_text("not json\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:1: not JSON"):
        load_pool(str(path), "eng_Latn", "deu_Latn")
    with pytest.raises(InputError, match="no such file or folder"):
        load_pool(str(tmp_path / "missing.jsonl"), "eng_Latn", "deu_Latn")


def test_the_prompt_shows_each_example_then_the_item():
    task = TranslationTask()
    examples = [Demonstration("Hello.", "Hallo."), Demonstration("Yes.", " Ja. ")]
    prompt = task.demonstrated_prompt(Item("1", "The cat."), "eng_Latn", "deu_Latn", None, examples)
    assert prompt == ("English: Hello.\nGerman Translation: Hallo.\n\n"
                      "English: Yes.\nGerman Translation: Ja.\n\n"
                      "English: The cat.\nGerman Translation:")


def test_shots_name_themselves_in_the_signature_only_when_used(tiny_backend):
    from pretty_basic.providers import NoPrior

    from pretty_framework.decoding.engine import Engine

    task = TranslationTask()
    plain = Engine(tiny_backend, task, NoPrior(), "en", "de")
    assert "shots" not in dict(plain.signature().fields)
    pool = load_pool(BUNDLED, "eng_Latn", "deu_Latn")
    shown = Engine(tiny_backend, task, NoPrior(), "en", "de", shots=2, demonstrations=pool)
    fields = dict(shown.signature().fields)
    assert fields["shots"] == "2(bundled)"
    assert [key for key, _ in shown.signature().fields][-2:] == ["shots", "version"]
    joined = shown._join(Item("1", "The cat."), None)
    assert tiny_backend.decode(joined.ids).startswith("English: " + pool.examples[0].source[:20])
    # the tiny model's context (128 tokens) has no room for them: demonstrations go before the source is cut
    fitted, cut = shown._prompt(Item("1", "The cat."), None)
    assert not cut and tiny_backend.decode(fitted.ids) == "English: The cat.\nGerman Translation:"
    with pytest.raises(OptionsError, match="needs a pool"):
        Engine(tiny_backend, task, NoPrior(), "en", "de", shots=2)


def test_a_task_without_demonstrations_refuses_shots():
    from pretty_framework.decoding.executors import EngineSpec

    with pytest.raises(OptionsError, match="takes no --shots"):
        EngineSpec(task="pos", provider="none", src_lang="eng_Latn", tgt_lang="fra_Latn", shots=1).check()


def test_decode_checks_the_pool_before_loading_a_model(tmp_path):
    from pretty_framework.cli import cli

    result = CliRunner().invoke(cli, ["decode", "--src", "en", "--tgt", "de", "-m", "/nonexistent/model",
                                      "--shots", "2", "--shots-from", str(tmp_path / "none.jsonl")],
                                input="The cat.\n")
    assert result.exit_code == 1 and "no such file or folder" in result.output, result.output
    result = CliRunner().invoke(cli, ["decode", "--src", "en", "--tgt", "ko", "-m", "/nonexistent/model",
                                      "--shots", "1"], input="The cat.\n")
    assert result.exit_code == 1 and "bundled demonstrations have no kor_Hang" in result.output, result.output
