"""`pretty dict` through click's test runner, on real MUSE and Wiktionary files."""

import json
from datetime import datetime

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


def test_options_may_follow_the_subcommand(sample, tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "after.sqlite")
    imported = runner.invoke(cli, ["dict", "import", str(sample), "--format", "muse", "--src", "en", "--tgt", "fr",
                                   "--db", db, "--name", "after"])
    assert imported.exit_code == 0, imported.output
    first_source = sample.read_text().splitlines()[0].split()[0]
    after = runner.invoke(cli, ["dict", "lookup", first_source, "--src", "en", "--tgt", "fr", "--no-bundled",
                                "--db", db])
    before = runner.invoke(cli, ["dict", "--db", db, "lookup", first_source, "--src", "en", "--tgt", "fr",
                                 "--no-bundled"])
    assert after.exit_code == 0 and after.stdout == before.stdout and "after" in after.stdout
    # The subcommand's --db wins over the group's.
    assert "after" in runner.invoke(cli, ["dict", "--db", str(tmp_path / "other.sqlite"), "sources", "--db", db]).stdout


def test_sources_and_stats_as_json(run, sample):
    run("import", str(sample), "--format", "muse", "--src", "en", "--tgt", "fr", "--name", "muse-fr")
    listed = json.loads(run("sources", "--json").stdout)
    assert [(s["name"], s["resource"], s["entry_count"]) for s in listed] == [("muse-fr", "muse", 500)]
    assert datetime.fromisoformat(listed[0]["imported_at"]) and len(listed[0]["checksum"]) == 64
    stats = json.loads(run("stats", "--json").stdout)
    assert stats == {"entries": [{"src": "eng_Latn", "tgt": "fra_Latn", "source": "muse-fr", "entries": 500}],
                     "coverage": None}


def test_coverage_as_json(run, sample, tmp_path):
    run("import", str(sample), "--format", "muse", "--src", "en", "--tgt", "fr")
    text = tmp_path / "text.txt"
    text.write_text("the house is big\nzzz qqq\n")
    coverage = json.loads(run("stats", "--json", "--coverage", str(text), "--src", "en", "--tgt", "fr").stdout)
    assert coverage["coverage"]["lines"] == 2 and coverage["coverage"]["words"] == 6
    assert coverage["coverage"]["lines_with_prior"] == 1  # 'zzz qqq' has no translation


def test_lookup_on_a_fresh_database_imports_the_bundled_list(run):
    looked = run("lookup", "house", "--src", "en", "--tgt", "de")
    assert looked.exit_code == 0 and "bundled:muse-en-de.txt.gz" in looked.stdout
    assert looked.stderr == "imported the bundled dictionary bundled:muse-en-de.txt.gz (101931 entries)\n"
    assert run("lookup", "house", "--src", "en", "--tgt", "de").stderr == ""  # once
    assert run("sources").stdout.startswith("bundled:muse-en-de.txt.gz\tmuse\tmuse\t101931 entries")
    assert run("lookup", "house", "--src", "en", "--tgt", "yo").exit_code == 1  # no list serves en-yo


def test_import_bundled_without_a_decode(run):
    imported = run("import", "--bundled", "--src", "en", "--tgt", "uk")
    assert imported.exit_code == 0 and "bundled:muse-en-uk.txt.gz: read 47912 pairs" in imported.stdout
    again = run("import", "--bundled", "--src", "en", "--tgt", "uk")
    assert "already imported as 'bundled:muse-en-uk.txt.gz' (47912 entries)" in again.stdout


def test_bundled_import_reuses_the_same_file_imported_by_the_user(run):
    """The issue's case: MUSE en-uk imported by hand, then again as the bundled list (47,912 entries twice)."""
    mine = run("import", str(MUSE / "en-uk.txt"), "--format", "muse", "--src", "en", "--tgt", "uk")
    assert "read 47912 pairs, 47912 new entries" in mine.stdout
    bundled = run("import", "--bundled", "--src", "en", "--tgt", "uk")
    assert "already imported as 'muse:en-uk.txt:eng_Latn-ukr_Cyrl' (47912 entries)" in bundled.stdout
    assert len(run("sources").stdout.splitlines()) == 1
    assert run("lookup", "house", "--src", "en", "--tgt", "uk").exit_code == 0
    assert len(run("sources").stdout.splitlines()) == 1  # the look-up did not import it either


def test_import_shows_no_progress_off_a_terminal(run, sample):
    imported = run("import", str(sample), "--format", "muse", "--src", "en", "--tgt", "fr")
    assert imported.exit_code == 0 and imported.stderr == ""
