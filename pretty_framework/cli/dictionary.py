"""``pretty dict``: import, inspect, look up, export and remove dictionary sources.

Exit codes: 0 done; 1 a user error (bad file, unknown name, a store that cannot
be opened: one ``Error:`` line); 2 a usage error (click's own). ``--db`` works
before or after the subcommand (``pretty dict --db X lookup ...`` or
``pretty dict lookup ... --db X``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

DB_HELP = "Dictionary database: a path or SQLAlchemy URL (default: $PRETTY_DB or the user data folder)."


def _remember_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:  # after the subcommand: overrides `pretty dict --db`
        ctx.ensure_object(dict)["db"] = value


def db_option(command: Callable) -> Callable:
    """``--db`` on a subcommand, so that options may follow the subcommand as users write them."""
    return click.option("--db", default=None, expose_value=False, callback=_remember_db, help=DB_HELP)(command)


def _store(ctx: click.Context):
    from pretty_framework.store import DictionaryStore

    if "store" not in ctx.obj:
        ctx.obj["store"] = DictionaryStore(ctx.obj.get("db"))
        ctx.call_on_close(ctx.obj["store"].close)
    return ctx.obj["store"]


@contextmanager
def _progress(label: str, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A progress callback for an import: a tqdm counter on stderr, silent unless enabled and a terminal."""
    from tqdm import tqdm

    with tqdm(desc=label, unit=" records", disable=not enabled or not sys.stderr.isatty(), leave=False,
              file=sys.stderr) as bar:
        yield bar.update


@click.group("dict")
@click.option("--db", default=None, help=DB_HELP)
@click.pass_context
def dictionary(ctx: click.Context, db: str | None) -> None:
    """Manage the dictionary store (MUSE, Wiktionary, PanLex, your own lists)."""
    ctx.ensure_object(dict)["db"] = db


@dictionary.command("import")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option("--format", "fmt", help="muse, wiktionary, panlex-bli, panlex-csv, tsv (or a plugin's).")
@click.option("--src", help="Source language of the entries.")
@click.option("--tgt", help="Target language of the entries.")
@click.option("--name", help="Source name (default: FORMAT:FILE:SRC-TGT).")
@click.option("--licence", help="Licence to record with the source.")
@click.option("--skip-bad", is_flag=True, help="Skip malformed lines (and report how many) instead of failing.")
@click.option("--bundled", is_flag=True,
              help="Import the shipped MUSE dictionaries (all, or those --src/--tgt needs) instead of PATH.")
@click.option("--progress/--no-progress", default=True, help="Show progress on a terminal (default: on).")
@db_option
@click.pass_context
def import_(ctx, path, fmt, src, tgt, name, licence, skip_bad, bundled, progress) -> None:
    """Import a dictionary file as one source (all or nothing; re-importing is a no-op)."""
    if bundled:
        if path is not None or fmt or name or licence or skip_bad:
            raise click.UsageError("--bundled imports the shipped files: give no PATH, --format, --name, "
                                   "--licence or --skip-bad with it")
        _import_bundled(ctx, src, tgt, progress)
        return
    if path is None:
        raise click.UsageError("give the PATH of a dictionary file to import, or --bundled")
    missing = [option for option, value in (("--format", fmt), ("--src", src), ("--tgt", tgt)) if not value]
    if missing:
        raise click.UsageError(f"importing {path} needs {', '.join(missing)}")
    from pretty_framework.plugin.manager import get_plugins

    importer = get_plugins().dictionary_formats.get(fmt)()
    store = _store(ctx)
    with _progress(f"reading {path.name}", progress) as advance:
        report = store.import_file(path, importer, src, tgt, name=name, licence=licence, skip_bad=skip_bad,
                                   progress=advance)
    _echo_report(path, report)


def _import_bundled(ctx, src: str | None, tgt: str | None, progress: bool) -> None:
    from pretty_framework.store.bundled import bundled_selection, import_one

    wanted = bundled_selection(src, tgt)
    store = _store(ctx)
    for shipped in wanted:
        with _progress(f"reading {shipped.path.name}", progress) as advance:
            _echo_report(shipped.path, import_one(store, shipped, advance))


def _echo_report(path: Path, report) -> None:
    if report.already_imported:
        click.echo(f"{path.name}: already imported as {report.source!r} ({report.entries_linked} entries); "
                   "nothing to do")
        return
    click.echo(f"{report.source}: read {report.pairs_read} pairs, {report.entries_added} new entries, "
               f"{report.entries_linked} entries from this source")
    if report.skipped_lines:
        click.echo(f"skipped {report.skipped_lines} malformed lines", err=True)


@dictionary.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON array of sources.")
@db_option
@click.pass_context
def sources(ctx, as_json) -> None:
    """List imported sources."""
    found = _store(ctx).sources()
    if as_json:
        click.echo(json.dumps([{**source.__dict__, "imported_at": source.imported_at.isoformat()}
                               for source in found], ensure_ascii=False, indent=1))
        return
    for source in found:
        click.echo(f"{source.name}\t{source.resource}\t{source.format}\t{source.entry_count} entries\t"
                   f"{source.imported_at:%Y-%m-%d %H:%M}\t{source.licence or '-'}")


@dictionary.command()
@click.option("--coverage", "coverage_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Also report how many lines/words of this text file the dictionary covers.")
@click.option("--src", help="Source language for --coverage.")
@click.option("--tgt", help="Target language for --coverage.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: entries per pair and source, coverage.")
@db_option
@click.pass_context
def stats(ctx, coverage_file, src, tgt, as_json) -> None:
    """Entries per language pair and source; coverage of a text file."""
    if coverage_file is not None and not (src and tgt):
        raise click.UsageError("--coverage needs --src and --tgt")
    store = _store(ctx)
    rows = store.stats()
    coverage = _coverage(store, coverage_file, src, tgt) if coverage_file is not None else None
    if as_json:
        click.echo(json.dumps({"entries": [{"src": s, "tgt": t, "source": name, "entries": n} for s, t, name, n in rows],
                               "coverage": coverage}, ensure_ascii=False, indent=1))
        return
    for source_lang, target_lang, source, count in rows:
        click.echo(f"{source_lang}-{target_lang}\t{source}\t{count}")
    if coverage is not None:
        click.echo(f"coverage of {coverage_file}: {coverage['lines_with_prior']}/{coverage['lines']} lines get a "
                   f"prior, {coverage['words_translated']}/{coverage['words']} words have a translation")


def _coverage(store, path: Path, src: str, tgt: str) -> dict:
    from pretty_framework.errors import InputError
    from pretty_framework.io.inputs import utf8_lines
    from pretty_framework.languages import normalize_language
    from pretty_framework.store import Lookup

    lookup = Lookup(store, normalize_language(src), normalize_language(tgt))
    lines = []
    for number, text in utf8_lines(path, "coverage file"):
        if text is None:
            raise InputError(f"{path}:{number}: not valid UTF-8 (convert the file to UTF-8)")
        lines.append(text)
    words = [word for line in lines for word in lookup.words(line)]
    return {"file": str(path), "lines": len(lines), "lines_with_prior": sum(lookup.prior(line) is not None
                                                                           for line in lines),
            "words": len(words), "words_translated": sum(lookup.translate(word) is not None for word in words)}


@dictionary.command()
@click.argument("word")
@click.option("--src", required=True)
@click.option("--tgt", required=True)
@click.option("--bundled/--no-bundled", default=True,
              help="Import the shipped dictionaries this pair needs first, if not yet in the store (default: on).")
@db_option
@click.pass_context
def lookup(ctx, word, src, tgt, bundled) -> None:
    """Show a word's translations, best first (normalised forms and the English pivot included)."""
    from pretty_framework.languages import normalize_language
    from pretty_framework.store import Lookup
    from pretty_framework.store.bundled import ensure_bundled
    from pretty_framework.store.normalize import word_key

    src, tgt = normalize_language(src), normalize_language(tgt)
    store = _store(ctx)
    if bundled:
        for report in ensure_bundled(store, src, tgt):
            if not report.already_imported:  # said, so that a look-up never changes the store unannounced
                click.echo(f"imported the bundled dictionary {report.source} ({report.entries_linked} entries)",
                           err=True)
    found = Lookup(store, src, tgt)
    if not found.available:
        click.echo(f"Error: the store has no {src} -> {tgt} dictionary, nor one to pivot through English; "
                   "import one with `pretty dict import`", err=True)
        ctx.exit(1)
    translations = found.direct.by_key.get(word_key(word), []) if found.direct else []
    if not translations and (pivoted := found.translate(word)) is not None:
        translations = [pivoted]
    if not translations:
        click.echo(f"no translation of {word!r}", err=True)
        ctx.exit(1)
    for t in translations:
        via = f" (via {t.pivot})" if t.pivot else ""
        click.echo(f"{t.target_word}\trank {t.rank}\t{t.pos or '-'}\t{','.join(t.sources)}{via}")


@dictionary.command()
@click.option("--src", required=True)
@click.option("--tgt", required=True)
@click.option("--source", help="Only entries of this source.")
@db_option
@click.pass_context
def export(ctx, src, tgt, source) -> None:
    """Write a pair's entries as TSV (source, target, sources) to standard output."""
    from pretty_framework.errors import InputError
    from pretty_framework.languages import normalize_language

    src, tgt = normalize_language(src), normalize_language(tgt)
    store = _store(ctx)
    entries = list(store.export(src, tgt, source))
    if not entries:
        pairs = sorted({f"{s}-{t}" for s, t, _, _ in store.stats()})
        of = f" of source {source!r}" if source else ""
        raise InputError(f"the store has no {src} -> {tgt} entries{of}; its pairs: {', '.join(pairs) or 'none'}")
    for source_word, target_word, names in entries:
        sys.stdout.write(f"{source_word}\t{target_word}\t{','.join(names)}\n")


@dictionary.command()
@click.argument("name")
@db_option
@click.pass_context
def remove(ctx, name) -> None:
    """Remove a source and the entries only it contributed."""
    removed = _store(ctx).remove_source(name)
    click.echo(f"removed source {name!r} and {removed} entries only it had")
