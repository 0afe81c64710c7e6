"""Importing one file: read it outside any lock, then decide and write inside one locked transaction.

Reading and normalising a large file takes seconds and needs no lock. Whether
the file is "already imported", which languages exist, and the write itself
happen in one :func:`~pretty_framework.store.database.writing` transaction, so
two processes importing at once queue: the second finds the first's source and
reports it instead of failing on a UNIQUE constraint or storing it twice.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, exists, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from pretty_framework.errors import InputError
from pretty_framework.languages import resolve_language
from pretty_framework.store.formats import BadLine, DictionaryFormat, Pair
from pretty_framework.store.normalize import for_script, word_key
from pretty_framework.store.schema import Entry, EntrySource, Language, Source

MAX_WORD = 256  # entries.source_word/target_word are String(256): PostgreSQL enforces it, SQLite would not
MAX_POS = 16
PROGRESS_EVERY = 1000  # records read between two progress calls
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL (PostgreSQL refuses it) and lone surrogates (not UTF-8)


@dataclass(frozen=True)
class ImportReport:
    """What an import did; ``source`` names the source that holds the file (an earlier one when already imported)."""

    source: str
    pairs_read: int
    entries_added: int  # new entries (pairs no other source had)
    entries_linked: int  # entries this source now vouches for
    skipped_lines: int
    already_imported: bool = False


@dataclass(frozen=True)
class ImportRequest:
    """One file to import, as the user asked for it (languages already canonical)."""

    path: Path
    format: DictionaryFormat
    src: str
    tgt: str
    name: str
    licence: str | None
    checksum: str


def file_checksum(path: Path) -> str:
    """SHA-256 of what the importers read: a gzip file's content, a PanLex folder's CSV files.

    So the bundled ``muse-en-de.txt.gz`` and the user's ``en-de.txt`` with the
    same lines are recognised as one resource.
    """
    digest = hashlib.sha256()
    if path.is_dir():  # a PanLex CSV dump folder
        for child in sorted(path.glob("*.csv")):
            digest.update(child.name.encode())
            digest.update(child.read_bytes())
        return digest.hexdigest()
    try:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")) as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except (OSError, EOFError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        raise InputError(f"cannot read the dictionary file {path}: {error}"
                         + ("; is it really gzip-compressed?" if path.suffix == ".gz" else "")) from None
    return digest.hexdigest()


def _byte_checksum(path: Path) -> str:
    """SHA-256 of the file's bytes: what stores made before content checksums recorded for a .gz file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# What the import writes per pair: (source word, target word, source word's look-up key, rank, part of speech).
StagedPair = tuple[str, str, str, int | None, str | None]


def read_pairs(request: ImportRequest, skip_bad: bool = False,
               progress: Callable[[int], None] | None = None) -> tuple[list[StagedPair], int]:
    """The file's distinct pairs (first rank and part of speech kept), keyed, and the count of skipped lines.

    A bad line raises :class:`InputError` naming the file and line, unless
    ``skip_bad``; a file that gives no pair at all raises one saying why.
    ``progress(n)`` is called with the number of records read since its last call.
    """
    path, src, tgt = request.path, request.src, request.tgt
    staged: dict[tuple[str, str], StagedPair] = {}
    skipped = pending = 0
    convert = "zho_Hans" in (src, tgt)
    for record in request.format.read(path, src, tgt):
        pending += 1
        if progress is not None and pending == PROGRESS_EVERY:
            progress(pending)
            pending = 0
        if isinstance(record, Pair):
            if not (record.source_word and record.target_word):
                continue
            if convert:
                record = record._replace(source_word=for_script(record.source_word, src),
                                         target_word=for_script(record.target_word, tgt))
            if (record.source_word, record.target_word) in staged:
                continue  # the first rank and part of speech are kept
            key = word_key(record.source_word)
            problem = _unstorable(record, key)
            if problem is None:
                staged[(record.source_word, record.target_word)] = (record.source_word, record.target_word, key,
                                                                     record.rank, record.pos)
                continue
            record = BadLine(0, problem)
        if not skip_bad:
            where = f"{record.file or path}:{record.line}" if record.line else str(path)
            raise InputError(f"{where}: {record.reason} (use --skip-bad to skip such lines)")
        skipped += 1
    if progress is not None and pending:
        progress(pending)
    if not staged:
        raise InputError(f"{path}: nothing to import for {src} -> {tgt}: {_why_empty(request, skipped)}")
    return list(staged.values()), skipped


def _unstorable(pair: Pair, key: str) -> str | None:
    """Why the database cannot keep ``pair`` (whose source word's look-up key is ``key``) as it is, or None."""
    for word in (pair.source_word, pair.target_word):
        if len(word) > MAX_WORD:
            return f"a word longer than {MAX_WORD} characters: {word[:40]!r}..."
        if _UNSTORABLE.search(word):
            return f"a word with a NUL or an unpaired surrogate character: {word[:40]!r}"
    if len(key) > MAX_WORD:  # NFKC and case folding can lengthen a word
        return f"a word whose look-up key is longer than {MAX_WORD} characters: {pair.source_word[:40]!r}..."
    if pair.pos is not None and len(pair.pos) > MAX_POS:
        return f"a part of speech longer than {MAX_POS} characters: {pair.pos[:40]!r}"
    return None


def _why_empty(request: ImportRequest, skipped: int) -> str:
    if skipped:
        return f"every line was malformed ({skipped} skipped with --skip-bad)"
    reason = request.format.why_empty() or f"the file holds no {request.format.name} pairs (is it empty?)"
    return f"{reason}; check --format, --src and --tgt"


# -- deciding and writing, inside the write transaction -------------------------------------------
def already_imported(conn: Connection, request: ImportRequest) -> ImportReport | None:
    """The report of the source that already holds this file, or None; raises if the name holds another file.

    The same name with the same content is the same import; another name with
    the same content, format and pair is the same resource imported before
    (the bundled MUSE file the user also imported by hand): not stored twice.
    """
    row = conn.execute(select(Source.name, Source.checksum, Source.entry_count)
                       .where(Source.name == request.name)).first()
    if row is not None:
        if row.checksum == request.checksum or (request.path.suffix == ".gz"
                                                and row.checksum == _byte_checksum(request.path)):
            return ImportReport(row.name, 0, 0, row.entry_count, 0, already_imported=True)
        raise InputError(f"source {request.name!r} exists with a different file; remove it first "
                         f"(pretty dict remove {request.name!r}) or import under another --name")
    src_id, tgt_id = language_id(conn, request.src), language_id(conn, request.tgt)
    if src_id is None or tgt_id is None:
        return None
    of_pair = (select(EntrySource.source_id).join(Entry, Entry.id == EntrySource.entry_id)
               .where(EntrySource.source_id == Source.id, Entry.src_lang_id == src_id, Entry.tgt_lang_id == tgt_id))
    same = conn.execute(select(Source.name, Source.entry_count)
                        .where(Source.checksum == request.checksum, Source.format == request.format.name,
                               exists(of_pair))
                        .order_by(Source.id).limit(1)).first()
    return ImportReport(same.name, 0, 0, same.entry_count, 0, already_imported=True) if same else None


def write_import(conn: Connection, request: ImportRequest, pairs: list[StagedPair], skipped: int) -> ImportReport:
    """Store ``pairs`` as the new source ``request.name`` (the caller holds the write lock)."""
    src_id, tgt_id = language_id(conn, request.src, create=True), language_id(conn, request.tgt, create=True)
    try:
        with conn.begin_nested():  # a savepoint: a lost race leaves the outer transaction usable
            source_id = conn.execute(insert(Source).values(
                name=request.name, format=request.format.name, resource=request.format.resource,
                licence=request.licence, path=str(request.path.resolve()), checksum=request.checksum,
                imported_at=datetime.now(timezone.utc).replace(tzinfo=None), entry_count=0,
            )).inserted_primary_key[0]
    except IntegrityError:
        # Only where the dialect has no store lock (neither SQLite nor PostgreSQL) can another
        # writer have added the name since already_imported looked.
        found = already_imported(conn, request)
        if found is None:
            raise
        return found
    before = conn.scalar(select(func.count()).select_from(Entry))
    linked = _bulk_merge(conn, pairs, src_id, tgt_id, source_id)
    added = conn.scalar(select(func.count()).select_from(Entry)) - before
    conn.execute(Source.__table__.update().where(Source.id == source_id).values(entry_count=linked))
    return ImportReport(request.name, len(pairs), added, linked, skipped)


def language_id(conn: Connection, code: str, create: bool = False) -> int | None:
    """The row id of the language ``code`` (canonical), created if asked; safe when another writer creates it too."""
    found = conn.scalar(select(Language.id).where(Language.code == code))
    if found is None and create:
        conn.execute(text("INSERT INTO languages (code, name) VALUES (:code, :name) ON CONFLICT (code) DO NOTHING"),
                     {"code": code, "name": resolve_language(code).name})
        found = conn.scalar(select(Language.id).where(Language.code == code))
    return found


_STAGING_METADATA = MetaData()
_STAGING = Table(
    "staging_pairs", _STAGING_METADATA,
    Column("source_word", String), Column("target_word", String), Column("source_key", String),
    Column("rank", Integer), Column("pos", String),
    prefixes=["TEMPORARY"],
)


def _bulk_merge(conn: Connection, pairs: list[StagedPair], src_id: int, tgt_id: int, source_id: int) -> int:
    """Insert new entries and link every pair to ``source_id``, in three set-based statements.

    ``pairs`` must be distinct (``read_pairs`` makes them so) and not empty.
    """
    _STAGING.create(conn, checkfirst=True)
    conn.execute(_STAGING.delete())
    # The driver's own executemany: SQLAlchemy's per-row parameter handling would cost
    # more than the insert itself on a 100k-line dictionary.
    marks = ", ".join(["?"] * 5) if conn.dialect.paramstyle == "qmark" else ", ".join(["%s"] * 5)
    conn.exec_driver_sql(
        f"INSERT INTO staging_pairs (source_word, target_word, source_key, rank, pos) VALUES ({marks})",
        pairs,
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
