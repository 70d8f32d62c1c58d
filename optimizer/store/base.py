"""What every part of the store shares: :class:`StoreBase` (opening a database — and
migrating it —, the clock, one read or write transaction, bumping a workspace's
revision) and small helpers. The parts (:mod:`.users`, :mod:`.workspaces`,
:mod:`.uploads`, …) are mixins over it; :class:`optimizer.store.database.Store` is all
of them."""
from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql as pg_dialect, sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine

from optimizer.errors import safe_name
from optimizer.reading.ingest import Settings
from optimizer.store.engine import (DEFAULT_BUSY_TIMEOUT, NotFound, StoreError, busy_timeout_setting, create_engine,
                                    database_url, read, write)
from optimizer.store.schema import head, migrate, schema_version
from optimizer.store.tables import UTC, workspaces_t


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def clean_file_name(name: str) -> str:
    """A file name without folders, control characters or bidi and other invisible
    format characters (a right-to-left override would show ``report\u202evsc.exe`` as
    ``reportexe.csv``), as shown and as put in a zip."""
    base = re.split(r"[\\/]", str(name))[-1]
    return safe_name(base, 255)


class StoreBase:
    """The database and the clock every part of the store uses. Thread-safe: one Store
    (one connection pool) is meant to be shared by every session of a server; several
    servers may share a database.

    ``clock`` returns the current time (timezone-aware); tests pass a fake one.
    ``settings`` are the readers' settings used by :meth:`add_upload`.
    """

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] | None = None,
                 settings: Settings = Settings(), cache_size: int = 8,
                 busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
        self.engine = engine
        self.busy_timeout = busy_timeout
        self._clock = clock or (lambda: datetime.now(UTC))
        self.settings = settings
        self._cache: OrderedDict[int, Any] = OrderedDict()  # the uploads' merged tables (.uploads)
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()

    @classmethod
    def open(cls, url: str | None = None, data_dir: str | os.PathLike | None = None, *,
             clock: Callable[[], datetime] | None = None, settings: Settings = Settings(),
             upgrade: bool = True, busy_timeout: float | None = None) -> "Store":
        """Open (and migrate to the current schema) the database at ``url``, else
        ``$OPTIMIZER_DATABASE_URL``, else ``<data_dir>/optimizer.db``. ``busy_timeout``:
        seconds a write waits for another writer (default ``$OPTIMIZER_DB_BUSY_TIMEOUT``,
        else 30). A database that cannot be used (read-only folder, full disk, busy,
        unreachable) raises :class:`StoreUnavailable`."""
        busy = busy_timeout_setting() if busy_timeout is None else busy_timeout
        engine = create_engine(database_url(url, data_dir), busy)
        store = cls(engine, clock=clock, settings=settings, busy_timeout=busy)
        if upgrade:
            migrate(engine, now=store.now, busy_timeout=busy)
        elif schema_version(engine) != head():
            engine.dispose()
            raise StoreError(f"the database is at schema version {schema_version(engine)}, "
                             f"not {head()}")
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def describe(self) -> str:
        """Where the data is, for messages (the password hidden)."""
        return self.engine.url.render_as_string(hide_password=True)

    def now(self) -> datetime:
        t = self._clock()
        if t.tzinfo is None:
            raise ValueError("the store's clock must return timezone-aware times")
        return t.astimezone(UTC)

    def schema_version(self) -> int:
        return schema_version(self.engine)

    def _write(self):
        return write(self.engine, self.busy_timeout)

    def _insert(self):
        """The dialect's INSERT (with ON CONFLICT DO NOTHING support)."""
        return pg_dialect.insert if self.backend == "postgresql" else sqlite_dialect.insert

    def _read(self):
        return read(self.engine)

    def _bump(self, conn: Connection, workspace_id: int, values: dict | None = None) -> None:
        """Bump the workspace's revision inside a write transaction; NotFound when it
        is gone. On PostgreSQL this also locks the workspace row until commit, so
        writes to one workspace queue (and a deleted workspace takes no new rows)."""
        n = conn.execute(workspaces_t.update().where(workspaces_t.c.id == workspace_id)
                         .values(revision=workspaces_t.c.revision + 1, **(values or {}))).rowcount
        if n == 0:
            raise NotFound(f"no workspace {workspace_id}")

    def _forget(self, workspace_id: int) -> None:
        """Drop the workspace's merged table from the in-process cache (:mod:`.uploads`)."""
        with self._cache_lock:
            self._cache.pop(workspace_id, None)
