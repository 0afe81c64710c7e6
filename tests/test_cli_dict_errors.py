"""Bad input to `pretty dict`: one clear line and exit code 1 (2 for click's usage errors), never a traceback.

Each case is a command line, the files it reads, the commands run before it,
the exit code and a fragment of the message. ``@name`` in a command stands for
the file ``name`` written in the test's folder, ``@db`` for its database;
``@kaikki/NAME`` for a real Wiktionary extract in shared/data.
"""

from __future__ import annotations

import gzip
import importlib.util
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SHARED_DATA

from pretty_framework.cli import cli

KAIKKI = SHARED_DATA / "wiktionary" / "kaikki"
GOOD = b"house maison\ntree arbre\n"


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    code: int
    message: str
    files: dict[str, bytes] = field(default_factory=dict)
    before: tuple[tuple[str, ...], ...] = ()


def _import(name: str, *more: str, src: str = "en", tgt: str = "fr", fmt: str = "muse") -> tuple[str, ...]:
    return ("import", name if name.startswith("@") else f"@{name}", "--format", fmt, "--src", src, "--tgt", tgt, *more)


CASES = [
    # -- an import with nothing to import
    Case("empty file", _import("empty.txt"), 1,
         "empty.txt: nothing to import for eng_Latn -> fra_Latn: the file holds no muse pairs (is it empty?)",
         {"empty.txt": b""}),
    Case("only blank lines", _import("blank.txt"), 1, "the file holds no muse pairs", {"blank.txt": b"\n \r\n\n"}),
    Case("every line bad, skipped", _import("bad.txt", "--skip-bad"), 1,
         "nothing to import for eng_Latn -> fra_Latn: every line was malformed (2 skipped with --skip-bad)",
         {"bad.txt": b"one\nthree words here\n"}),
    Case("kaikki without an entry in the language", _import("@kaikki/fr-fr-extract.jsonl", fmt="wiktionary"), 1,
         "no entry is in eng_Latn (the file's entries are in: fra_Latn (4))"),
    Case("kaikki entries without translations", _import("@kaikki/en-ru-extract.jsonl", fmt="wiktionary"), 1,
         "its 1 eng_Latn entries have no translation into fra_Latn (they have no translations at all)"),
    Case("kaikki without the target language",
         _import("@kaikki/en-de-extract.jsonl", fmt="wiktionary", tgt="fr"), 1,
         "no translation into fra_Latn (their translations are into: deu_Latn"),
    # -- files that cannot be read
    Case("missing file", ("import", "@nowhere.txt", "--format", "muse", "--src", "en", "--tgt", "fr"), 1,
         "dictionary file not found:"),
    Case("malformed line", _import("bad.txt"), 1, "bad.txt:2: expected 'source target', got 'broken'",
         {"bad.txt": b"house maison\nbroken\n"}),
    Case("latin-1 line", _import("latin.txt"), 1, "latin.txt:2: not valid UTF-8",
         {"latin.txt": b"house maison\ncaf\xe9 caf\xe9\n"}),
    Case("UTF-16 file", _import("utf16.txt"), 1, "the file is UTF-16",
         {"utf16.txt": "house maison\n".encode("utf-16")}),
    Case("not really gzip", _import("fake.txt.gz"), 1, "is it really gzip-compressed?",
         {"fake.txt.gz": GOOD}),
    Case("cut gzip", _import("cut.txt.gz"), 1, "is it really gzip-compressed?",
         {"cut.txt.gz": gzip.compress(GOOD * 100)[:-20]}),
    Case("word too long", _import("long.txt"), 1, "a word longer than 256 characters",
         {"long.txt": b"house " + b"a" * 300 + b"\n"}),
    Case("unknown part of speech", _import("pos.tsv", fmt="tsv"), 1,
         "pos.tsv:1: unknown part of speech 'noun-ish'", {"pos.tsv": b"house\tmaison\tnoun-ish\n"}),
    Case("invalid JSON", _import("bad.jsonl", fmt="wiktionary"), 1, "bad.jsonl:1: invalid JSON",
         {"bad.jsonl": b"{not json\n"}),
    Case("JSON nested too deeply", _import("deep.jsonl", fmt="wiktionary"), 1, "deep.jsonl:1: invalid JSON: nested",
         {"deep.jsonl": b"[" * 100_000 + b"\n"}),
    Case("kaikki senses not a list", _import("senses.jsonl", fmt="wiktionary"), 1,
         "senses.jsonl:1: expected 'translations' and 'senses' to be JSON arrays",
         {"senses.jsonl": b'{"word": "house", "lang_code": "en", "senses": "many"}\n'}),
    Case("panlex-csv given a file", _import("file.csv", fmt="panlex-csv"), 1, "reads a folder",
         {"file.csv": b"id,lang_code\n"}),
    Case("panlex-csv folder without its files", _import("dump/", fmt="panlex-csv"), 1,
         "PanLex CSV dump is missing langvar.csv", {"dump/readme.txt": b"x"}),
    Case("panlex-csv wrong header", _import("dump/", fmt="panlex-csv"), 1,
         "langvar.csv:1: expected the columns id, lang_code in the first line",
         {"dump/langvar.csv": b"identifier,language\n1,eng\n", "dump/expr.csv": b"id,langvar,txt\n",
          "dump/denotation.csv": b"id,meaning,expr\n"}),
    Case("same name, another file", _import("other.txt", "--name", "mine"), 1,
         "source 'mine' exists with a different file", {"good.txt": GOOD, "other.txt": b"cat chat\n"},
         before=(_import("good.txt", "--name", "mine"),)),
    # -- names and options
    Case("unknown format", _import("good.txt", fmt="muse-txt"), 1, "unknown dictionary format 'muse-txt'",
         {"good.txt": GOOD}),
    Case("unknown language", _import("good.txt", src="xx-unknown"), 1, "unknown language 'xx-unknown'",
         {"good.txt": GOOD}),
    Case("import without --format", ("import", "@good.txt", "--src", "en", "--tgt", "fr"), 2, "needs --format",
         {"good.txt": GOOD}),
    Case("import without a path", ("import", "--format", "muse"), 2, "give the PATH of a dictionary file"),
    Case("--bundled with a path", ("import", "--bundled", "@good.txt"), 2, "--bundled imports the shipped files",
         {"good.txt": GOOD}),
    Case("--bundled with one language", ("import", "--bundled", "--src", "en"), 1,
         "--bundled takes both --src and --tgt"),
    Case("--bundled for a pair nothing serves", ("import", "--bundled", "--src", "en", "--tgt", "yo"), 1,
         "no bundled dictionary serves eng_Latn -> yor_Latn"),
    Case("export of an unknown source", ("export", "--src", "en", "--tgt", "fr", "--source", "typo"), 1,
         "unknown dictionary source 'typo'; known: muse:good.txt:eng_Latn-fra_Latn", {"good.txt": GOOD},
         before=(_import("good.txt"),)),
    Case("export of a pair the store lacks", ("export", "--src", "en", "--tgt", "de"), 1,
         "the store has no eng_Latn -> deu_Latn entries; its pairs: eng_Latn-fra_Latn", {"good.txt": GOOD},
         before=(_import("good.txt"),)),
    Case("remove an unknown source", ("remove", "typo"), 1, "unknown dictionary source 'typo'"),
    Case("coverage of a latin-1 file", ("stats", "--coverage", "@text.txt", "--src", "en", "--tgt", "fr"), 1,
         "text.txt:2: not valid UTF-8", {"text.txt": b"the house\ncaf\xe9\n"}),
    Case("coverage without languages", ("stats", "--coverage", "@text.txt"), 2, "--coverage needs --src and --tgt",
         {"text.txt": b"the house\n"}),
    Case("lookup of a pair without a dictionary", ("lookup", "house", "--src", "en", "--tgt", "yo"), 1,
         "the store has no eng_Latn -> yor_Latn dictionary"),
    # -- databases that cannot be used
    Case("--db a text file", ("sources", "--db", "@notes.txt"), 1,
         "notes.txt: it is not a SQLite database", {"notes.txt": b"hello\n" * 100}),
    Case("--db a folder", ("sources", "--db", "@folder/"), 1, "folder: it is a folder; give --db a file path",
         {"folder/x": b""}),
    Case("--db under a file", ("sources", "--db", "@notes.txt/store.sqlite"), 1,
         "cannot create the folder of the dictionary database", {"notes.txt": b"hello\n"}),
    Case("--db of an unknown kind", ("sources", "--db", "foo://somewhere/db"), 1,
         "unknown kind of database 'foo'"),
    Case("--db not a URL", ("sources", "--db", "postgresql://user@host:notaport/db"), 1, "not a database URL"),
]
if importlib.util.find_spec("pg8000") is None:
    CASES.append(Case("--db whose driver is missing", ("sources", "--db", "postgresql+pg8000://u:secret@localhost/x"),
                      1, "postgresql+pg8000://u:***@localhost/x: its driver is not installed"))


def _expand(arg: str, folder: Path) -> str:
    if arg.startswith("@kaikki/"):
        if not KAIKKI.is_dir():
            pytest.skip(f"shared data not found at {SHARED_DATA}")
        return str(KAIKKI / arg.removeprefix("@kaikki/"))
    return str(folder / arg[1:]) if arg.startswith("@") else arg


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_one_clear_line(case, tmp_path):
    for name, content in case.files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
    runner = CliRunner()
    db = ("--db", str(tmp_path / "store.sqlite"))
    for command in case.before:
        done = runner.invoke(cli, ["dict", *db, *(_expand(arg, tmp_path) for arg in command)])
        assert done.exit_code == 0, done.output
    result = runner.invoke(cli, ["dict", *db, *(_expand(arg, tmp_path) for arg in case.args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    assert result.exit_code == case.code, result.output
    assert case.message in result.stderr
    if case.code == 1:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # one line, not a wall of text


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare(1) to mount a read-only folder")
def test_a_database_on_a_read_only_file_system(tmp_path):
    """A real read-only bind mount (a private mount namespace, so nothing else sees it)."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    pretty = Path(sys.executable).with_name("pretty")
    script = (f"mount --bind -o ro '{folder}' '{folder}' || exit 77; "
              f"'{pretty}' dict --db '{folder}/store.sqlite' sources")
    done = subprocess.run(["unshare", "--mount", "sh", "-c", script], check=False, capture_output=True, text=True,
                          timeout=120)
    if done.returncode == 77 or "Operation not permitted" in done.stderr:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"its folder {folder} is on a read-only file system or not writable" in done.stderr
