"""Where the database is and how it is used: the URL (``$OPTIMIZER_DATABASE_URL``, else
the SQLite file in the data folder), the engine with the connection settings the store
relies on (SQLite: WAL, foreign keys, ``synchronous=FULL``, a busy timeout; PostgreSQL:
pre-ping), one read or write transaction (:func:`read`, :func:`write`), and the store's
errors — among them :class:`StoreUnavailable`, which every operational failure of the
database becomes (in one place, the engine's ``handle_error`` hook)."""
from __future__ import annotations

import errno
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from optimizer.errors import STORE_MESSAGES, UserError

#: Environment variable naming the database (a SQLAlchemy URL); unset: SQLite in the data folder.
DATABASE_URL_ENV = "OPTIMIZER_DATABASE_URL"
#: Environment variable: seconds a write waits for another writer before "the database is busy".
BUSY_TIMEOUT_ENV = "OPTIMIZER_DB_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 30.0
SQLITE_FILE = "optimizer.db"
#: Environment variable naming the data folder (the SQLite file, when no URL is set).
DATA_DIR_ENV = "OPTIMIZER_DATA_DIR"


def default_data_dir() -> Path:
    """``$OPTIMIZER_DATA_DIR``, else the ``data`` folder beside the ``optimizer`` package."""
    return Path(os.environ.get(DATA_DIR_ENV) or Path(__file__).resolve().parents[2] / "data")


# ====================================================================== errors

class StoreError(Exception):
    """A request the store cannot carry out (the message says why)."""


class NotFound(StoreError, LookupError):
    """No such workspace, upload, user or link (or not in the workspace named)."""


class Conflict(StoreError):
    """A name that must be unique is taken."""


class NameTaken(UserError, Conflict):
    """A workspace or user name that is taken (``message(lang)`` says which)."""


class ConfirmationMismatch(UserError, StoreError, ValueError):
    """Deleting a workspace needs its exact name typed as confirmation."""


class DamagedRecord(UserError, StoreError, ValueError):
    """A saved record (a page audit) that cannot be read back."""


class SchemaTooNew(StoreError):
    """The database was written by a newer version of the product."""


class StoreUnavailable(StoreError):
    """The database cannot be used right now, for a reason the operator or the user can
    act on: ``code`` is a key of :data:`optimizer.errors.STORE_MESSAGES` — ``busy``
    (another writer held the lock past the busy timeout), ``disk_full``, ``read_only``
    (the data folder or database file cannot be written), ``io_error``,
    ``cannot_open``, ``unreachable`` (PostgreSQL). What was being done was not done:
    its transaction rolled back. ``str(error)`` is the English message."""

    def __init__(self, code: str, where: str = "", *, seconds: float = 0.0, detail: str = "") -> None:
        if code not in STORE_MESSAGES:
            raise KeyError(code)
        self.code, self.where, self.seconds, self.detail = code, where, seconds, detail
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` (``zh`` or ``en``)."""
        zh, en = STORE_MESSAGES[self.code]
        return (zh if lang == "zh" else en).format(where=self.where, seconds=f"{self.seconds:g}",
                                                   detail=self.detail)

    def __reduce__(self):
        return (_unavailable, (self.code, self.where, self.seconds, self.detail))


def _unavailable(code: str, where: str, seconds: float, detail: str) -> StoreUnavailable:
    return StoreUnavailable(code, where, seconds=seconds, detail=detail)


#: errno of an OSError -> StoreUnavailable code
_OS_PROBLEMS = {errno.ENOSPC: "disk_full", errno.EDQUOT: "disk_full", errno.EROFS: "read_only",
                errno.EACCES: "read_only", errno.EPERM: "read_only", errno.EIO: "io_error"}
#: PostgreSQL SQLSTATE -> StoreUnavailable code
_PG_PROBLEMS = {"53100": "disk_full", "55P03": "busy", "40P01": "busy"}


def _where(url: sa.engine.URL) -> str:
    """Where the data is, for a message: a SQLite file's folder, else the URL without its password."""
    if url.get_backend_name() == "sqlite" and url.database:
        return str(Path(url.database).parent)
    return url.render_as_string(hide_password=True)


def _writable(folder: Path) -> bool:
    db = folder / SQLITE_FILE
    return os.access(folder, os.W_OK) and (not db.exists() or os.access(db, os.W_OK))


def _problem(exc: BaseException, url: sa.engine.URL, busy_timeout: float) -> StoreUnavailable | None:
    """The :class:`StoreUnavailable` an operational failure of the database is, or None
    when ``exc`` is something else (a bug must still raise as itself)."""
    where = _where(url)
    if isinstance(exc, OSError) and exc.errno in _OS_PROBLEMS:
        return StoreUnavailable(_OS_PROBLEMS[exc.errno], where, detail=exc.strerror or "")
    state = getattr(exc, "sqlstate", None)
    if state in _PG_PROBLEMS:
        return StoreUnavailable(_PG_PROBLEMS[state], where, seconds=busy_timeout)
    if not isinstance(exc, sqlite3.OperationalError):
        if type(exc).__name__ == "OperationalError" and url.get_backend_name() == "postgresql":
            return StoreUnavailable("unreachable", where)
        return None
    text_ = str(exc).lower()
    if "locked" in text_ or "busy" in text_:
        return StoreUnavailable("busy", where, seconds=busy_timeout)
    if "disk is full" in text_:
        return StoreUnavailable("disk_full", where)
    if "readonly" in text_ or "read-only" in text_:
        return StoreUnavailable("read_only", where)
    if "unable to open database file" in text_:
        folder = Path(url.database or ".").parent
        code = "read_only" if folder.is_dir() and not _writable(folder) else "cannot_open"
        return StoreUnavailable(code, where, detail=str(exc))
    if "disk i/o error" in text_:
        return StoreUnavailable("io_error", where, detail=str(exc))
    return None

# ====================================================================== engine

def database_url(url: str | None, data_dir: str | os.PathLike | None) -> str:
    """The SQLAlchemy URL to use: ``url``, else ``$OPTIMIZER_DATABASE_URL``, else the
    SQLite file in ``data_dir`` (created if missing). ``postgres://`` and
    ``postgresql://`` become ``postgresql+psycopg://`` (psycopg 3 is the driver)."""
    url = url or os.environ.get(DATABASE_URL_ENV) or None
    if url is None:
        if data_dir is None:
            raise ValueError(f"no database: give a URL, set {DATABASE_URL_ENV} or give a data folder")
        folder = Path(data_dir)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a read-only or full disk: say so (StoreUnavailable)
            problem = _problem(exc, sa.engine.make_url(f"sqlite:///{folder.resolve() / SQLITE_FILE}"), 0)
            if problem is None:
                raise
            raise problem from exc
        return f"sqlite:///{(folder / SQLITE_FILE).resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_wal(cur, wait: float = 30.0) -> None:
    """Put the database in WAL mode. Switching a new database's journal mode needs it to
    itself, and SQLite answers "database is locked" at once, without the busy timeout,
    when another connection is doing the same (two servers starting together): retry
    for up to ``wait`` seconds. Once switched, the mode is kept in the file and the
    pragma is a no-op."""
    deadline = time.monotonic() + wait
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def busy_timeout_setting(environ: dict | None = None) -> float:
    """``$OPTIMIZER_DB_BUSY_TIMEOUT`` (seconds a write waits for another writer), else 30."""
    raw = (os.environ if environ is None else environ).get(BUSY_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_BUSY_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 3600:
        raise ValueError(f"{BUSY_TIMEOUT_ENV} must be a number of seconds between 0 and 3600, not {raw!r}")
    return value


def _translate_errors(engine: Engine, busy_timeout: float) -> None:
    """Every operational failure of the database (locked, full, read-only, unreachable)
    raised through ``engine`` becomes a :class:`StoreUnavailable`, in one place."""
    @event.listens_for(engine, "handle_error")
    def _operational(ctx):
        if ctx.is_pre_ping:  # a stale pooled connection: SQLAlchemy reconnects by itself
            return None
        return _problem(ctx.original_exception, engine.url, busy_timeout)


def create_engine(url: str, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Engine:
    """An engine for ``url`` with the connection settings the store relies on.
    ``busy_timeout``: seconds SQLite waits for another writer's lock."""
    u = sa.engine.make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database in (None, "", ":memory:"):
            raise ValueError("the store needs a SQLite file (an in-memory database is one per connection)")
        engine = sa.create_engine(u, connect_args={"check_same_thread": False, "timeout": busy_timeout},
                                  pool_size=8, max_overflow=8)
        _translate_errors(engine, busy_timeout)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
            cur = dbapi_conn.cursor()
            _sqlite_wal(cur, busy_timeout)
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    if u.get_backend_name() == "postgresql":
        engine = sa.create_engine(u, pool_pre_ping=True, pool_size=8, max_overflow=8)
        _translate_errors(engine, busy_timeout)
        return engine
    raise ValueError(f"unsupported database {u.get_backend_name()!r}: use sqlite or postgresql")


@contextmanager
def write(engine: Engine, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Iterator[Connection]:
    """One write transaction (SQLite: BEGIN IMMEDIATE, so writers queue on the
    busy timeout instead of failing when a read lock would have to be upgraded).

    Starting it is retried, with pauses doubling from 0.05 s to 1 s, while the database
    answers "busy" and ``busy_timeout`` seconds have not passed (SQLite answers "locked"
    at once, without waiting, in some cases); then :class:`StoreUnavailable` ``busy``.
    Nothing is retried once the transaction has begun: a failure inside rolls it back."""
    deadline = time.monotonic() + busy_timeout
    pause = 0.05
    while True:
        conn = None
        try:
            conn = engine.connect()
            if conn.dialect.name == "sqlite":
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            trans = conn.begin()
            break
        except StoreUnavailable as exc:
            if conn is not None:
                conn.close()
            if exc.code != "busy" or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 1.0)
        except BaseException:
            if conn is not None:
                conn.close()
            raise
    with conn, trans:
        yield conn


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    """One read transaction: a consistent snapshot of the database."""
    with engine.connect() as conn:
        with conn.begin():
            yield conn
