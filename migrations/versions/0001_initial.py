"""Initial dictionary store: languages, sources, entries, entry_sources.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "languages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_languages")),
        sa.UniqueConstraint("code", name=op.f("uq_languages_code")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("licence", sa.String(length=256), nullable=True),
        sa.Column("path", sa.String(length=1024), nullable=True),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    with op.batch_alter_table("sources") as batch:
        batch.create_index(batch.f("ix_sources_checksum"), ["checksum"], unique=False)
    op.create_table(
        "entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("src_lang_id", sa.Integer(), nullable=False),
        sa.Column("tgt_lang_id", sa.Integer(), nullable=False),
        sa.Column("source_word", sa.String(length=256), nullable=False),
        sa.Column("target_word", sa.String(length=256), nullable=False),
        sa.Column("source_key", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(["src_lang_id"], ["languages.id"], name=op.f("fk_entries_src_lang_id_languages")),
        sa.ForeignKeyConstraint(["tgt_lang_id"], ["languages.id"], name=op.f("fk_entries_tgt_lang_id_languages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entries")),
        sa.UniqueConstraint("src_lang_id", "tgt_lang_id", "source_word", "target_word",
                            name=op.f("uq_entries_src_lang_id")),
    )
    with op.batch_alter_table("entries") as batch:
        batch.create_index("ix_entries_lookup", ["src_lang_id", "tgt_lang_id", "source_key"], unique=False)
    op.create_table(
        "entry_sources",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("pos", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"], name=op.f("fk_entry_sources_entry_id_entries"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name=op.f("fk_entry_sources_source_id_sources"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("entry_id", "source_id", name=op.f("pk_entry_sources")),
    )
    with op.batch_alter_table("entry_sources") as batch:
        batch.create_index(batch.f("ix_entry_sources_source_id"), ["source_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("entry_sources") as batch:
        batch.drop_index(batch.f("ix_entry_sources_source_id"))
    op.drop_table("entry_sources")
    with op.batch_alter_table("entries") as batch:
        batch.drop_index("ix_entries_lookup")
    op.drop_table("entries")
    with op.batch_alter_table("sources") as batch:
        batch.drop_index(batch.f("ix_sources_checksum"))
    op.drop_table("sources")
    op.drop_table("languages")
