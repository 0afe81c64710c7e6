"""The dictionary store: import (atomic, merged, idempotent), remove, inspect, export."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, func, insert, select, text

from pretty_framework.errors import InputError, UnknownNameError
from pretty_framework.languages import resolve_language
from pretty_framework.store.database import make_engine, resolve_url, upgrade
from pretty_framework.store.formats import BadLine, DictionaryFormat, Pair
from pretty_framework.store.normalize import for_script, word_key
from pretty_framework.store.schema import Entry, EntrySource, Language, Source


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    source: str
    pairs_read: int
    entries_added: int  # new entries (pairs no other source had)
    entries_linked: int  # entries this source now vouches for
    skipped_lines: int
    already_imported: bool = False


@dataclass(frozen=True)
class SourceInfo:
    name: str
    format: str
    resource: str
    licence: str | None
    path: str | None
    checksum: str
    imported_at: datetime
    entry_count: int


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    if path.is_dir():  # a PanLex CSV dump folder
        for child in sorted(path.glob("*.csv")):
            digest.update(child.name.encode())
            digest.update(child.read_bytes())
        return digest.hexdigest()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class DictionaryStore:
    """A connection to one dictionary database, migrated to head on open."""

    def __init__(self, db: str | os.PathLike[str] | None = None, engine: Engine | None = None):
        self.url = resolve_url(db) if engine is None else str(engine.url)
        self.engine = engine or make_engine(self.url)
        upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def language_id(self, code: str) -> int | None:
        """The row id of a language (any accepted spelling), None if the store has none of it."""
        with self.engine.connect() as conn:
            return _language_id(conn, resolve_language(code).code)

    # -- import ----------------------------------------------------------------------------
    def import_file(self, path: Path, fmt: DictionaryFormat, src: str, tgt: str, *, name: str | None = None,
                    licence: str | None = None, skip_bad: bool = False) -> ImportReport:
        """Import ``path`` as one source; all or nothing.

        A malformed line stops the import with its file and line number, unless
        ``skip_bad``. Re-importing the same file under the same name is a no-op.
        """
        src, tgt = resolve_language(src).code, resolve_language(tgt).code
        if not path.exists():
            raise InputError(f"dictionary file not found: {path}")
        name = name or f"{fmt.name}:{path.name}:{src}-{tgt}"
        checksum = file_checksum(path)
        existing = self.source(name)
        if existing is not None:
            if existing.checksum == checksum:
                return ImportReport(name, 0, 0, existing.entry_count, 0, already_imported=True)
            raise InputError(f"source {name!r} exists with a different file; remove it first "
                             f"(pretty dict remove {name!r}) or import under another --name")
        pairs, skipped = self._read(path, fmt, src, tgt, skip_bad)
        with self.engine.begin() as conn:  # one transaction: a failure leaves the store as it was
            src_id = _language_id(conn, src, create=True)
            tgt_id = _language_id(conn, tgt, create=True)
            source_id = conn.execute(insert(Source).values(
                name=name, format=fmt.name, resource=fmt.resource, licence=licence, path=str(path.resolve()),
                checksum=checksum, imported_at=datetime.now(timezone.utc).replace(tzinfo=None), entry_count=0,
            )).inserted_primary_key[0]
            before = conn.scalar(select(func.count()).select_from(Entry))
            linked = _bulk_merge(conn, pairs, src_id, tgt_id, source_id)
            added = conn.scalar(select(func.count()).select_from(Entry)) - before
            conn.execute(Source.__table__.update().where(Source.id == source_id).values(entry_count=linked))
        return ImportReport(name, len(pairs), added, linked, skipped)

    def _read(self, path: Path, fmt: DictionaryFormat, src: str, tgt: str, skip_bad: bool) -> tuple[list[Pair], int]:
        """The file's distinct pairs (first rank and part of speech kept) and the count of skipped lines."""
        pairs: dict[tuple[str, str], Pair] = {}
        skipped = 0
        convert = "zho_Hans" in (src, tgt)
        for record in fmt.read(path, src, tgt):
            if isinstance(record, BadLine):
                if not skip_bad:
                    raise InputError(f"{path}:{record.line}: {record.reason} (use --skip-bad to skip such lines)")
                skipped += 1
                continue
            if not (record.source_word and record.target_word):
                continue
            if convert:
                record = record._replace(source_word=for_script(record.source_word, src),
                                         target_word=for_script(record.target_word, tgt))
            pairs.setdefault((record.source_word, record.target_word), record)
        return list(pairs.values()), skipped

    # -- sources ---------------------------------------------------------------------------
    def source(self, name: str) -> SourceInfo | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(Source).where(Source.name == name)).mappings().first()
        return _source_info(row) if row else None

    def sources(self) -> list[SourceInfo]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(Source).order_by(Source.name)).mappings().all()
        return [_source_info(row) for row in rows]

    def remove_source(self, name: str) -> int:
        """Remove a source and the entries only it contributed; return how many entries went."""
        with self.engine.begin() as conn:
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

    def words_tagged(self, lang: str, pos: str) -> list[str]:
        """The distinct ``lang`` words that some source tags with the UPOS tag ``pos`` (as a translation's target)."""
        query = (select(Entry.target_word).distinct()
                 .join(EntrySource, EntrySource.entry_id == Entry.id)
                 .join(Language, Language.id == Entry.tgt_lang_id)
                 .where(Language.code == lang, EntrySource.pos == pos))
        with self.engine.connect() as conn:
            return sorted(conn.scalars(query))

    def export(self, src: str, tgt: str, source: str | None = None) -> Iterator[tuple[str, str, list[str]]]:
        """(source word, target word, its sources) for a pair, optionally only one source's entries."""
        src_id, tgt_id = self.language_id(src), self.language_id(tgt)
        if src_id is None or tgt_id is None:
            return
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
        for entry in grouped.values():
            if source is None or source in entry[2]:
                yield entry


def _language_id(conn, code: str, create: bool = False) -> int | None:
    found = conn.scalar(select(Language.id).where(Language.code == code))
    if found is None and create:
        found = conn.execute(insert(Language).values(code=code, name=resolve_language(code).name)).inserted_primary_key[0]
    return found


def _source_info(row) -> SourceInfo:
    return SourceInfo(row["name"], row["format"], row["resource"], row["licence"], row["path"], row["checksum"],
                      row["imported_at"], row["entry_count"])


_STAGING_METADATA = MetaData()
_STAGING = Table(
    "staging_pairs", _STAGING_METADATA,
    Column("source_word", String), Column("target_word", String), Column("source_key", String),
    Column("rank", Integer), Column("pos", String),
    prefixes=["TEMPORARY"],
)


def _bulk_merge(conn, pairs: list[Pair], src_id: int, tgt_id: int, source_id: int) -> int:
    """Insert new entries and link every pair to ``source_id``, in three set-based statements.

    ``pairs`` must be distinct (``_read`` makes them so).
    """
    _STAGING.create(conn, checkfirst=True)
    conn.execute(_STAGING.delete())
    # The driver's own executemany: SQLAlchemy's per-row parameter handling would cost
    # more than the insert itself on a 100k-line dictionary.
    marks = ", ".join(["?"] * 5) if conn.dialect.paramstyle == "qmark" else ", ".join(["%s"] * 5)
    conn.exec_driver_sql(
        f"INSERT INTO staging_pairs (source_word, target_word, source_key, rank, pos) VALUES ({marks})",
        [(p.source_word, p.target_word, word_key(p.source_word), p.rank, p.pos) for p in pairs],
    )
    # "WHERE true" lets SQLite parse ON CONFLICT after a SELECT; PostgreSQL accepts it too.
    conn.execute(text(
        "INSERT INTO entries (src_lang_id, tgt_lang_id, source_word, target_word, source_key) "
        "SELECT :src, :tgt, source_word, target_word, source_key FROM staging_pairs WHERE true "
        "ON CONFLICT DO NOTHING"
    ), {"src": src_id, "tgt": tgt_id})
    linked = conn.execute(text(
        "INSERT INTO entry_sources (entry_id, source_id, rank, pos) "
        "SELECT e.id, :source, s.rank, s.pos FROM staging_pairs s JOIN entries e "
        "ON e.src_lang_id = :src AND e.tgt_lang_id = :tgt AND e.source_word = s.source_word "
        "AND e.target_word = s.target_word WHERE true ON CONFLICT DO NOTHING"
    ), {"src": src_id, "tgt": tgt_id, "source": source_id}).rowcount
    _STAGING.drop(conn)
    return linked
