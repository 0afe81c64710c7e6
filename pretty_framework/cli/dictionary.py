"""``pretty dict``: import, inspect, look up, export and remove dictionary sources."""

from __future__ import annotations

import sys
from pathlib import Path

import click

DB_HELP = "Dictionary database: a path or SQLAlchemy URL (default: $PRETTY_DB or the user data folder)."


def _store(ctx: click.Context):
    from pretty_framework.store import DictionaryStore

    if "store" not in ctx.obj:
        ctx.obj["store"] = DictionaryStore(ctx.obj["db"])
        ctx.call_on_close(ctx.obj["store"].close)
    return ctx.obj["store"]


@click.group("dict")
@click.option("--db", default=None, help=DB_HELP)
@click.pass_context
def dictionary(ctx: click.Context, db: str | None) -> None:
    """Manage the dictionary store (MUSE, Wiktionary, PanLex, your own lists)."""
    ctx.ensure_object(dict)["db"] = db


@dictionary.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", required=True, help="muse, wiktionary, panlex-bli, panlex-csv, tsv (or a plugin's).")
@click.option("--src", required=True, help="Source language of the entries.")
@click.option("--tgt", required=True, help="Target language of the entries.")
@click.option("--name", help="Source name (default: FORMAT:FILE:SRC-TGT).")
@click.option("--licence", help="Licence to record with the source.")
@click.option("--skip-bad", is_flag=True, help="Skip malformed lines (and report how many) instead of failing.")
@click.pass_context
def import_(ctx, path, fmt, src, tgt, name, licence, skip_bad) -> None:
    """Import a dictionary file as one source (all or nothing; re-importing is a no-op)."""
    from pretty_framework.plugin.manager import get_plugins

    importer = get_plugins().dictionary_formats.get(fmt)()
    report = _store(ctx).import_file(path, importer, src, tgt, name=name, licence=licence, skip_bad=skip_bad)
    if report.already_imported:
        click.echo(f"{report.source}: already imported ({report.entries_linked} entries); nothing to do")
        return
    click.echo(f"{report.source}: read {report.pairs_read} pairs, {report.entries_added} new entries, "
               f"{report.entries_linked} entries from this source")
    if report.skipped_lines:
        click.echo(f"skipped {report.skipped_lines} malformed lines", err=True)


@dictionary.command()
@click.pass_context
def sources(ctx) -> None:
    """List imported sources."""
    for source in _store(ctx).sources():
        click.echo(f"{source.name}\t{source.resource}\t{source.format}\t{source.entry_count} entries\t"
                   f"{source.imported_at:%Y-%m-%d %H:%M}\t{source.licence or '-'}")


@dictionary.command()
@click.option("--coverage", "coverage_file", type=click.Path(exists=True, path_type=Path),
              help="Also report how many lines/words of this text file the dictionary covers.")
@click.option("--src", help="Source language for --coverage.")
@click.option("--tgt", help="Target language for --coverage.")
@click.pass_context
def stats(ctx, coverage_file, src, tgt) -> None:
    """Entries per language pair and source; coverage of a text file."""
    store = _store(ctx)
    for source_lang, target_lang, source, count in store.stats():
        click.echo(f"{source_lang}-{target_lang}\t{source}\t{count}")
    if coverage_file is not None:
        from pretty_framework.languages import normalize_language
        from pretty_framework.store import Lookup

        if not (src and tgt):
            raise click.UsageError("--coverage needs --src and --tgt")
        lookup = Lookup(store, normalize_language(src), normalize_language(tgt))
        lines = coverage_file.read_text(encoding="utf-8").splitlines()
        words = [word for line in lines for word in lookup.words(line)]
        covered_words = sum(lookup.translate(word) is not None for word in words)
        covered_lines = sum(lookup.prior(line) is not None for line in lines)
        click.echo(f"coverage of {coverage_file}: {covered_lines}/{len(lines)} lines get a prior, "
                   f"{covered_words}/{len(words)} words have a translation")


@dictionary.command()
@click.argument("word")
@click.option("--src", required=True)
@click.option("--tgt", required=True)
@click.pass_context
def lookup(ctx, word, src, tgt) -> None:
    """Show a word's translations, best first (normalised forms and the English pivot included)."""
    from pretty_framework.languages import normalize_language
    from pretty_framework.store import Lookup
    from pretty_framework.store.normalize import word_key

    found = Lookup(_store(ctx), normalize_language(src), normalize_language(tgt))
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
@click.pass_context
def export(ctx, src, tgt, source) -> None:
    """Write a pair's entries as TSV (source, target, sources) to standard output."""
    for source_word, target_word, names in _store(ctx).export(src, tgt, source):
        sys.stdout.write(f"{source_word}\t{target_word}\t{','.join(names)}\n")


@dictionary.command()
@click.argument("name")
@click.pass_context
def remove(ctx, name) -> None:
    """Remove a source and the entries only it contributed."""
    removed = _store(ctx).remove_source(name)
    click.echo(f"removed source {name!r} and {removed} entries only it had")
