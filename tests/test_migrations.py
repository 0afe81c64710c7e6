"""Alembic migrations: up, down and up again; models and migrations must not drift."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from pretty_framework.store.database import downgrade, make_engine, upgrade
from pretty_framework.store.schema import Base

TABLES = {"languages", "sources", "entries", "entry_sources"}


def test_upgrade_downgrade_upgrade(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    upgrade(engine)
    assert TABLES <= set(inspect(engine).get_table_names())
    downgrade(engine, "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert TABLES <= set(inspect(engine).get_table_names())


def test_models_and_migrations_do_not_drift(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'd.sqlite'}")
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"run `alembic revision --autogenerate`: {differences}"
