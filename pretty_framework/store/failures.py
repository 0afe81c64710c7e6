"""Database failures as one clear :class:`StoreError` line instead of a driver's traceback.

A store that cannot be opened (not a database, a folder, a read-only file
system, a server that refuses) or written (busy past the timeout, disk full)
fails inside SQLAlchemy with a driver exception; the store's public methods
run under :func:`database_errors`, which names the database and what to do.
"""

from __future__ import annotations

import errno
import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from pretty_framework.store.database import BUSY_TIMEOUT_S, StoreError, display_url

T = TypeVar("T")

# (what the SQLite driver says, what we say); the first that matches wins.
_SQLITE_REASONS = (
    ("file is not a database", "it is not a SQLite database (is --db the right file?)"),
    ("file is encrypted or is not a database", "it is not a SQLite database (is --db the right file?)"),
    ("database is locked", (f"another process held its write lock for more than {BUSY_TIMEOUT_S} s; "
                            "try again when that import finishes")),
    ("readonly database", "it is read-only; use a writable --db"),
    ("database or disk is full", "the disk is full"),
)


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Turn a database failure inside the block into a :class:`StoreError` naming ``url``."""
    try:
        yield
    except StoreError:
        raise
    except SQLAlchemyError as error:
        raise StoreError(f"cannot use the dictionary database {display_url(url)}: {_reason(url, error)}") from error


def guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Run a store method under :func:`database_errors` for the store's ``url``."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with database_errors(self.url):
            return method(self, *args, **kwargs)

    return wrapper


def _reason(url: str, error: SQLAlchemyError) -> str:
    original = error.orig if isinstance(error, DBAPIError) else error
    said = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    if not url.startswith("sqlite:"):
        return said  # PostgreSQL and others say clearly what is wrong (refused, no such database, ...)
    for fragment, reason in _SQLITE_REASONS:
        if fragment in said:
            return reason
    path = Path(url.removeprefix("sqlite:///"))
    if "unable to open database file" in said or "disk I/O error" in said:
        folder = path.parent
        if not folder.is_dir():
            return f"its folder {folder} does not exist; create it or use another --db"
        if _read_only(folder):
            return f"its folder {folder} is on a read-only file system or not writable; use a writable --db"
    return f"{said}; check that --db names a SQLite file in a writable folder"


def _read_only(folder: Path) -> bool:
    """Whether files cannot be created in ``folder`` (read-only mount, or permissions)."""
    if not os.access(folder, os.W_OK):  # access(2) answers EROFS even for root
        return True
    try:
        probe = folder / f".pretty-write-probe-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as error:
        return error.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
    return False
