"""Where the dictionary database is, how to connect, and bringing its schema to head.

SQLite by default, in the user's data folder; ``--db`` or ``$PRETTY_DB`` may
name another file or any SQLAlchemy URL (a shared PostgreSQL database). SQLite
runs in WAL mode, so a reader keeps reading while an import writes.

Several processes share one store (two decodes on the default database is the
normal case), so every write goes through :func:`writing`: a transaction that
holds the store's write lock from its first statement (SQLite ``BEGIN
IMMEDIATE``, a PostgreSQL advisory lock). A second writer waits for the first
instead of failing or interleaving; the migration on open is such a write, and
is skipped without any lock when the schema is already current.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from pretty_framework.errors import PrettyError
from pretty_framework.store.resources import MIGRATIONS_PACKAGE, resource_folder

DB_ENV = "PRETTY_DB"
MIGRATIONS = resource_folder(MIGRATIONS_PACKAGE)  # the checkout's migrations/ when editable
BUSY_TIMEOUT_S = 60  # how long a writer waits for another process's write (an import writes for seconds)
# One key for every writer of a PostgreSQL store: imports are whole-file bulk writes, and queueing
# them is what SQLite does too. The number is arbitrary but fixed ("PRETTY" in ASCII).
ADVISORY_LOCK_KEY = 0x505245545459
_WRITE = "pretty_write"  # execution option that marks a write transaction


class StoreError(PrettyError):
    """The dictionary store cannot be opened, migrated or written."""


def resolve_url(db: str | os.PathLike[str] | None = None) -> str:
    """``db`` (a path or URL), else ``$PRETTY_DB``, else the default file in the user data folder."""
    value = os.fspath(db) if db is not None else os.environ.get(DB_ENV)
    if not value:
        import platformdirs

        value = str(Path(platformdirs.user_data_dir("pretty_framework")) / "dictionary.sqlite")
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    if path.is_dir():
        raise StoreError(f"cannot open the dictionary database {path}: it is a folder; "
                         f"give --db a file path such as {path / 'dictionary.sqlite'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create the folder of the dictionary database {path}: {error.strerror}; "
                         "give --db (or $PRETTY_DB) a path in a writable folder") from None
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite connections get WAL, foreign keys, a busy timeout and real transactions."""
    try:
        engine = create_engine(url)
    except NoSuchModuleError:
        raise StoreError(f"cannot open the dictionary database {display_url(url)}: unknown kind of database "
                         f"{url.partition('://')[0]!r}; use a path, sqlite:///PATH or "
                         "postgresql+psycopg://USER@HOST/DB") from None
    except (ArgumentError, ValueError) as error:  # ValueError: a port that is not a number
        raise StoreError(f"cannot open the dictionary database {display_url(url)}: not a database URL ({error}); "
                         "use a path, sqlite:///PATH or postgresql+psycopg://USER@HOST/DB") from None
    except ImportError as error:
        raise StoreError(f"cannot open the dictionary database {display_url(url)}: its driver is not installed "
                         f"({error}); install it (PostgreSQL: pip install 'psycopg[binary]') or use another "
                         "--db") from None
    if engine.dialect.name == "sqlite":
        _sqlite_transactions(engine)
    return engine


def _sqlite_transactions(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        # pysqlite's own transaction handling never BEGINs before DDL (so a migration's CREATE TABLEs
        # ran outside any transaction and raced) and cannot BEGIN IMMEDIATE: we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")  # first: switching to WAL may wait
        _ensure_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # A writer takes the write lock at BEGIN, so two writers queue (busy_timeout) instead of one
        # failing with "database is locked" when its read lock cannot be upgraded.
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _ensure_wal(cursor) -> None:
    """Put the database in WAL mode (a setting kept in the file: once set, every later open only reads it).

    Switching takes an exclusive lock, and SQLite answers "database is locked" at once, without waiting
    out busy_timeout, when two processes open a new database together: retry until one has switched it
    (measured in CI: two imports into a new database).
    """
    import sqlite3
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the store's write lock from its start; commits on success.

    Decisions that depend on what is stored ("already imported?", "does this
    language exist?") belong inside it: no other writer can change the answer
    before the commit.
    """
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            yield connection


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


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None: an empty database)."""
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to ``revision``; a no-op without any lock when it is there already."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    if current is not None and current not in {script.revision for script in scripts.walk_revisions()}:
        raise StoreError(f"the dictionary database {display_url(str(engine.url))} has schema revision {current!r}, "
                         f"newer than this pretty-framework knows ({scripts.get_current_head()!r}); "
                         "upgrade pretty-framework or use another --db")
    if revision == "head" and current == scripts.get_current_head():
        return
    _migrate("upgrade", engine, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Take the database schema down to ``revision``."""
    _migrate("downgrade", engine, revision)


def _migrate(direction: str, engine: Engine, revision: str) -> None:
    from alembic import command

    config = alembic_config(engine)
    # One write transaction: a second process opening a new store waits here, then finds the
    # schema current (Alembic re-reads the version inside the lock) and does nothing.
    with writing(engine) as connection:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)


def display_url(url: str) -> str:
    """A URL as messages show it: a SQLite path as a path, a password hidden."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.split('@', 1)[1]}" if "@" in rest else url  # unparsable: no password shown
