"""The dictionary store's tables: languages, sources, entries and their provenance.

One entry is one (source word, target word, language pair); ``entry_sources``
links it to every source that contributed it, with that source's rank and part
of speech, so merging keeps all provenance and removing a source removes only
what it alone contributed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints: Alembic can then alter and drop them (SQLite batch mode needs names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Language(Base):
    """A language, by its canonical FLORES-200 code."""

    __tablename__ = "languages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(64))


class Source(Base):
    """One imported file: what it was, where it came from, when it was imported."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    format: Mapped[str] = mapped_column(String(32))
    resource: Mapped[str] = mapped_column(String(32))  # muse, wiktionary, panlex, user
    licence: Mapped[str | None] = mapped_column(String(256))
    path: Mapped[str | None] = mapped_column(String(1024))
    checksum: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    entry_count: Mapped[int] = mapped_column(Integer, default=0)


class Entry(Base):
    """A translation pair; ``source_key`` is the normalised source word that look-ups use."""

    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("src_lang_id", "tgt_lang_id", "source_word", "target_word"),
        Index("ix_entries_lookup", "src_lang_id", "tgt_lang_id", "source_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    src_lang_id: Mapped[int] = mapped_column(ForeignKey("languages.id"))
    tgt_lang_id: Mapped[int] = mapped_column(ForeignKey("languages.id"))
    source_word: Mapped[str] = mapped_column(String(256))
    target_word: Mapped[str] = mapped_column(String(256))
    source_key: Mapped[str] = mapped_column(String(256))


class EntrySource(Base):
    """That a source contributed an entry, with the source's rank and part of speech for it."""

    __tablename__ = "entry_sources"

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True, index=True)
    rank: Mapped[int | None] = mapped_column(Integer)  # 1 = the source's first translation of the word
    pos: Mapped[str | None] = mapped_column(String(16))
