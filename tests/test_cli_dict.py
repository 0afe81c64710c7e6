"""`pretty dict` through click's test runner, on real MUSE and Wiktionary files."""

import pytest
from click.testing import CliRunner
from conftest import SHARED_DATA

from pretty_framework.cli import cli

MUSE = SHARED_DATA / "muse"


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "cli.sqlite")

    def invoke(*args):
        return runner.invoke(cli, ["dict", "--db", db, *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def sample(tmp_path):
    lines = (MUSE / "en-fr.txt").read_text(encoding="utf-8").splitlines()[:500]
    path = tmp_path / "en-fr.sample.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_sources_stats_lookup_export_remove(run, sample, tmp_path):
    imported = run("import", str(sample), "--format", "muse", "--src", "en", "--tgt", "fr", "--name", "muse-fr",
                   "--licence", "CC-BY-NC-4.0")
    assert imported.exit_code == 0 and "read 500 pairs, 500 new entries" in imported.stdout
    again = run("import", str(sample), "--format", "muse", "--src", "en", "--tgt", "fr", "--name", "muse-fr")
    assert "already imported" in again.stdout
    assert "muse-fr\tmuse\tmuse\t500 entries" in run("sources").stdout
    text = tmp_path / "text.txt"
    text.write_text("the house is big\nzzz qqq\n")
    stats = run("stats", "--coverage", str(text), "--src", "en", "--tgt", "fr").stdout
    assert "eng_Latn-fra_Latn\tmuse-fr\t500" in stats and "lines get a prior" in stats
    first_source, first_target = sample.read_text().splitlines()[0].split()
    looked = run("lookup", first_source, "--src", "en", "--tgt", "fr", "--no-bundled")
    assert looked.exit_code == 0 and "muse-fr" in looked.stdout
    exported = run("export", "--src", "en", "--tgt", "fr").stdout.splitlines()
    assert len(exported) == 500 and f"{first_source}\t{first_target}\tmuse-fr" in exported
    removed = run("remove", "muse-fr")
    assert "removed source 'muse-fr' and 500 entries" in removed.stdout
    assert run("sources").stdout == ""


def test_bad_line_and_skip_bad(run, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("house maison\nbroken\ntree arbre\n")
    failed = run("import", str(bad), "--format", "muse", "--src", "en", "--tgt", "fr")
    assert failed.exit_code == 1 and f"{bad}:2: expected 'source target'" in failed.stderr
    assert run("sources").stdout == ""
    skipped = run("import", str(bad), "--format", "muse", "--src", "en", "--tgt", "fr", "--skip-bad")
    assert skipped.exit_code == 0 and "skipped 1 malformed lines" in skipped.stderr


def test_unknown_format_lists_the_known_ones(run, sample):
    result = run("import", str(sample), "--format", "muse-txt", "--src", "en", "--tgt", "fr")
    assert result.exit_code == 1
    assert "unknown dictionary format 'muse-txt'" in result.stderr and "panlex-csv" in result.stderr


def test_lookup_of_an_unknown_word_fails(run, sample):
    run("import", str(sample), "--format", "muse", "--src", "en", "--tgt", "fr")
    result = run("lookup", "zzyzx", "--src", "en", "--tgt", "fr", "--no-bundled")
    assert result.exit_code == 1 and "no translation of 'zzyzx'" in result.stderr
