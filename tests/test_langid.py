"""Language identification: identifiers are plugins, rates are right or marked unavailable, never a silent 0 %."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import flores_lines

from pretty_framework import hookimpl
from pretty_framework.api import LanguageIdentifier
from pretty_framework.cli import cli
from pretty_framework.errors import MetricUnavailable
from pretty_framework.evaluation.langid import (
    UNKNOWN,
    detect_language,
    get_identifier,
    target_language_hits,
    target_language_rate,
)
from pretty_framework.evaluation.scoring import evaluate
from pretty_framework.languages import flores_languages
from pretty_framework.plugin.manager import get_plugins, reset_plugins

LOW_RESOURCE = ["swh_Latn", "yor_Latn", "hau_Latn", "ibo_Latn", "zul_Latn"]


@pytest.mark.parametrize("code", LOW_RESOURCE + ["eng_Latn", "deu_Latn", "fra_Latn", "zho_Hans", "ukr_Cyrl",
                                                 "rus_Cyrl", "arb_Arab", "heb_Hebr", "hin_Deva", "por_Latn"])
def test_the_default_identifier_knows_real_flores_sentences(code):
    lines = flores_lines(code, 60)
    assert target_language_rate(lines, code) >= 0.95


@pytest.mark.parametrize("code", ["yor_Latn", "hau_Latn", "ibo_Latn", "zul_Latn"])
def test_langdetect_says_it_cannot_tell_instead_of_zero(code):
    lines = flores_lines(code, 20)
    with pytest.raises(MetricUnavailable, match=f"langdetect does not know .*{code}"):
        target_language_rate(lines, code, "langdetect")


def test_langdetect_still_scores_what_it_knows():
    assert target_language_rate(flores_lines("deu_Latn", 20), "de", "langdetect") >= 0.95


def test_english_is_never_counted_as_another_language():
    """For every FLORES-200 target, English outputs are either not the target or the rate is unavailable."""
    english = flores_lines("eng_Latn", 10)
    measured = 0
    for language in flores_languages():
        try:
            hits = target_language_hits(english, language.code)
        except MetricUnavailable as reason:
            assert language.name in str(reason)
            continue
        measured += 1
        assert sum(hits) >= 9 if language.code == "eng_Latn" else sum(hits) <= 1, language.code
    assert measured >= 100  # py3langid knows over half of FLORES-200


def test_han_script_is_chinese_and_no_letters_is_unknown():
    assert detect_language("科学家宣布") == "zho"
    assert detect_language("  123 !") == UNKNOWN
    assert get_identifier().identify(["", "Die Katze schläft auf der Matte."]) == [UNKNOWN, "deu_Latn"]


def _records(code, n=20):
    signature = f"model:m|task:translation|pair:eng_Latn-{code}|provider:none|k:2"
    return [{"id": str(i), "output": line, "reference": line, "parsed_ok": True, "signature": signature}
            for i, line in enumerate(flores_lines(code, n))]


def test_the_metric_signature_names_the_identifier_and_its_version(monkeypatch):
    from importlib.metadata import version

    result = evaluate(_records("yor_Latn"), "translation", "yor_Latn", ["langid"], bootstrap=None)
    assert result["scores"]["target-lang%"] >= 90
    assert result["signatures"]["target-lang%"] == f"langid|py3langid-{version('py3langid')}|han-rule"
    monkeypatch.setenv("PRETTY_LANGID", "langdetect")
    result = evaluate(_records("deu_Latn"), "translation", "deu_Latn", ["langid"], bootstrap=None)
    assert result["signatures"]["target-lang%"] == "langid|langdetect-1.0.9|seed:0|han-rule"


def test_an_unknown_target_is_skipped_with_the_reason(monkeypatch):
    monkeypatch.setenv("PRETTY_LANGID", "langdetect")
    result = evaluate(_records("hau_Latn"), "translation", "hau_Latn", ["langid", "chrf"], bootstrap=None)
    assert "target-lang%" not in result["scores"] and result["scores"]["chrF"] == pytest.approx(100.0)
    assert "Hausa (hau_Latn)" in result["skipped"]["langid"]


class EverythingIsEnglish(LanguageIdentifier):
    """A deliberately bad identifier: the metric must use whichever one is named."""

    name = "all-english"
    package = "pretty-framework"

    def labels(self):
        return ["en"]

    def classify(self, texts):
        return ["en" for _ in texts]


class IdentifierPlugin:
    @hookimpl
    def register_language_identifiers(self, register):
        register(EverythingIsEnglish())


@pytest.fixture
def with_plugin_identifier():
    reset_plugins()
    plugins = get_plugins()
    plugins.register(IdentifierPlugin(), name="identifier-plugin")
    yield plugins
    plugins.unregister("identifier-plugin")
    reset_plugins()


def test_a_plugin_identifier_is_registered_and_used(with_plugin_identifier, monkeypatch):
    assert with_plugin_identifier.language_identifiers.names() == ["all-english", "langdetect", "py3langid"]
    assert with_plugin_identifier.info["identifier-plugin"].registers["language_identifiers"] == ["all-english"]
    monkeypatch.setenv("PRETTY_LANGID", "all-english")
    german = evaluate(_records("deu_Latn"), "translation", "deu_Latn", ["langid"], bootstrap=None)
    assert "langid" in german["skipped"]
    english = evaluate(_records("eng_Latn"), "translation", "eng_Latn", ["langid"], bootstrap=None)
    assert english["scores"]["target-lang%"] == pytest.approx(100.0)
    assert english["signatures"]["target-lang%"].startswith("langid|all-english-")


def test_pretty_languages_lists_every_flores_language_and_what_an_identifier_knows():
    runner = CliRunner()
    result = runner.invoke(cli, ["languages"], catch_exceptions=False)
    rows = result.output.splitlines()
    assert len(rows) == 204
    assert any(row.split()[:5] == ["ibo_Latn", "ig", "ibo", "Latn", "Igbo"] for row in rows)
    result = runner.invoke(cli, ["languages", "--langid", "langdetect"], catch_exceptions=False)
    marks = {row.split()[0]: row.split()[-1] for row in result.output.splitlines()}
    assert marks["yor_Latn"] == "no" and marks["deu_Latn"] == "yes" and marks["zho_Hant"] == "yes"
    result = runner.invoke(cli, ["languages", "--langid", "py3langid"], catch_exceptions=False)
    marks = {row.split()[0]: row.split()[-1] for row in result.output.splitlines()}
    assert all(marks[code] == "yes" for code in LOW_RESOURCE)
    assert marks["arb_Latn"] == "no"  # romanized Arabic: py3langid knows Arabic in Arabic script only
