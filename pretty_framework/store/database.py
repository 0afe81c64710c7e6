"""Where the dictionary database is, how to connect, and bringing its schema to head.

SQLite by default, in the user's data folder; ``--db`` or ``$PRETTY_DB`` may
name another file or any SQLAlchemy URL (a shared PostgreSQL database). SQLite
runs in WAL mode, so a reader keeps reading while an import writes.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event

from pretty_framework.errors import PrettyError
from pretty_framework.store.resources import MIGRATIONS_PACKAGE, resource_folder

DB_ENV = "PRETTY_DB"
MIGRATIONS = resource_folder(MIGRATIONS_PACKAGE)  # the checkout's migrations/ when editable


class StoreError(PrettyError):
    """The dictionary store cannot be opened or migrated."""


def resolve_url(db: str | os.PathLike[str] | None = None) -> str:
    """``db`` (a path or URL), else ``$PRETTY_DB``, else the default file in the user data folder."""
    value = os.fspath(db) if db is not None else os.environ.get(DB_ENV)
    if not value:
        import platformdirs

        value = str(Path(platformdirs.user_data_dir("pretty_framework")) / "dictionary.sqlite")
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite connections get WAL, foreign keys and a busy timeout."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

    return engine


def alembic_config(engine: Engine | None = None):
    """An Alembic config for the store's migrations (bound to ``engine`` if given)."""
    from alembic.config import Config

    if not (MIGRATIONS / "env.py").is_file():
        raise StoreError(f"the store's migrations are missing from {MIGRATIONS}; reinstall pretty-framework "
                         "(pip install -e . in its source tree, or its wheel)")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to ``revision``."""
    _migrate("upgrade", engine, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Take the database schema down to ``revision``."""
    _migrate("downgrade", engine, revision)


def _migrate(direction: str, engine: Engine, revision: str) -> None:
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:  # the migration runs on our connection, in one transaction
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)
