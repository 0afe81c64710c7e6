"""Alembic environment for the dictionary store.

Runs on the connection the store hands over (``config.attributes["connection"]``)
or, from the ``alembic`` command line, on ``sqlalchemy.url``. Batch mode lets
SQLite alter tables; the naming convention lives on the models' metadata.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from pretty_framework.store.schema import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as connection:
        run_migrations(connection)


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_online()
