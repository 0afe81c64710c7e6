"""The dictionary store: import (atomic, merged, idempotent, safe with several processes), remove, inspect, export."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from pretty_framework.errors import InputError, UnknownNameError
from pretty_framework.languages import resolve_language
from pretty_framework.store.database import make_engine, resolve_url, upgrade, writing
from pretty_framework.store.failures import database_errors, guarded
from pretty_framework.store.formats import DictionaryFormat
from pretty_framework.store.importing import (
    ImportReport,
    ImportRequest,
    already_imported,
    file_checksum,
    language_id,
    read_pairs,
    write_import,
)
from pretty_framework.store.schema import Entry, EntrySource, Language, Source

__all__ = ["DictionaryStore", "ImportReport", "SourceInfo", "file_checksum"]


@dataclass(frozen=True)
class SourceInfo:
    """One imported source as ``pretty dict sources`` lists it."""

    name: str
    format: str
    resource: str
    licence: str | None
    path: str | None
    checksum: str
    imported_at: datetime
    entry_count: int


class DictionaryStore:
    """A connection to one dictionary database, migrated to head on open (once, under a lock)."""

    def __init__(self, db: str | os.PathLike[str] | None = None, engine: Engine | None = None):
        self.url = resolve_url(db) if engine is None else str(engine.url)
        with database_errors(self.url):
            self.engine = engine or make_engine(self.url)
            upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @guarded
    def language_id(self, code: str) -> int | None:
        """The row id of a language (any accepted spelling), None if the store has none of it."""
        with self.engine.connect() as conn:
            return language_id(conn, resolve_language(code).code)

    # -- import ----------------------------------------------------------------------------
    @guarded
    def import_file(self, path: Path, fmt: DictionaryFormat, src: str, tgt: str, *, name: str | None = None,
                    licence: str | None = None, skip_bad: bool = False,
                    progress: Callable[[int], None] | None = None) -> ImportReport:
        """Import ``path`` as one source; all or nothing.

        A malformed line stops the import with its file and line number, unless
        ``skip_bad``; a file with nothing to import is an error. A file already
        in the store (same name and content, or same content, format and pair
        under another name) is not imported again: the report names the source
        that holds it. Safe when other processes import at the same time.
        ``progress(n)``: called as records are read, ``n`` since the last call.
        """
        src, tgt = resolve_language(src).code, resolve_language(tgt).code
        path = Path(path)
        if not path.exists():
            raise InputError(f"dictionary file not found: {path}")
        request = ImportRequest(path, fmt, src, tgt, name or f"{fmt.name}:{path.name}:{src}-{tgt}", licence,
                                file_checksum(path))
        with self.engine.connect() as conn:  # the common case: decided without the write lock, without reading the file
            found = already_imported(conn, request)
        if found is not None:
            return found
        pairs, skipped = read_pairs(request, skip_bad, progress)
        with writing(self.engine) as conn:
            # Decided again under the lock: another process may have imported it while we read.
            return already_imported(conn, request) or write_import(conn, request, pairs, skipped)

    # -- sources ---------------------------------------------------------------------------
    @guarded
    def source(self, name: str) -> SourceInfo | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(Source).where(Source.name == name)).mappings().first()
        return _source_info(row) if row else None

    @guarded
    def sources(self) -> list[SourceInfo]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(Source).order_by(Source.name)).mappings().all()
        return [_source_info(row) for row in rows]

    @guarded
    def remove_source(self, name: str) -> int:
        """Remove a source and the entries only it contributed; return how many entries went."""
        with writing(self.engine) as conn:
            source_id = conn.scalar(select(Source.id).where(Source.name == name))
            if source_id is None:
                raise UnknownNameError("dictionary source", name, [s.name for s in self.sources()])
            conn.execute(EntrySource.__table__.delete().where(EntrySource.source_id == source_id))
            orphans = conn.execute(text(
                "DELETE FROM entries WHERE NOT EXISTS "
                "(SELECT 1 FROM entry_sources es WHERE es.entry_id = entries.id)"
            )).rowcount
            conn.execute(Source.__table__.delete().where(Source.id == source_id))
        return orphans

    # -- inspection ------------------------------------------------------------------------
    @guarded
    def stats(self) -> list[tuple[str, str, str, int]]:
        """(source language, target language, source name, entries) for every pair and source."""
        src, tgt = Language.__table__.alias("src"), Language.__table__.alias("tgt")
        query = (
            select(src.c.code, tgt.c.code, Source.name, func.count())
            .select_from(EntrySource.__table__.join(Entry, Entry.id == EntrySource.entry_id)
                         .join(Source, Source.id == EntrySource.source_id)
                         .join(src, src.c.id == Entry.src_lang_id).join(tgt, tgt.c.id == Entry.tgt_lang_id))
            .group_by(src.c.code, tgt.c.code, Source.name)
            .order_by(src.c.code, tgt.c.code, Source.name)
        )
        with self.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(query)]

    def translation_words(self, src: str, tgt: str) -> list[str]:
        """The distinct target-language words of a pair's translations, copies of the source word left out."""
        from pretty_framework.store.lookup import PairIndex

        index = PairIndex(self, src, tgt)
        return sorted({t.target_word for translations in index.by_key.values() for t in translations})

    @guarded
    def words_tagged(self, lang: str, pos: str) -> list[str]:
        """The distinct ``lang`` words that some source tags with the UPOS tag ``pos`` (as a translation's target)."""
        query = (select(Entry.target_word).distinct()
                 .join(EntrySource, EntrySource.entry_id == Entry.id)
                 .join(Language, Language.id == Entry.tgt_lang_id)
                 .where(Language.code == lang, EntrySource.pos == pos))
        with self.engine.connect() as conn:
            return sorted(conn.scalars(query))

    @guarded
    def export(self, src: str, tgt: str, source: str | None = None) -> Iterator[tuple[str, str, list[str]]]:
        """(source word, target word, its sources) for a pair, optionally only one source's entries.

        An unknown ``source`` raises :class:`UnknownNameError` listing the sources (before anything is yielded).
        """
        if source is not None and self.source(source) is None:
            raise UnknownNameError("dictionary source", source, [s.name for s in self.sources()])
        src_id, tgt_id = self.language_id(src), self.language_id(tgt)
        if src_id is None or tgt_id is None:
            return iter(())
        query = (
            select(Entry.id, Entry.source_word, Entry.target_word, Source.name)
            .join(EntrySource, EntrySource.entry_id == Entry.id).join(Source, Source.id == EntrySource.source_id)
            .where(Entry.src_lang_id == src_id, Entry.tgt_lang_id == tgt_id)
            .order_by(Entry.source_key, Entry.id, Source.name)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        grouped: dict[int, tuple[str, str, list[str]]] = {}
        for entry_id, source_word, target_word, source_name in rows:
            grouped.setdefault(entry_id, (source_word, target_word, []))[2].append(source_name)
        return iter([entry for entry in grouped.values() if source is None or source in entry[2]])


def _source_info(row) -> SourceInfo:
    return SourceInfo(row["name"], row["format"], row["resource"], row["licence"], row["path"], row["checksum"],
                      row["imported_at"], row["entry_count"])
