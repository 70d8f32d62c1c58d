"""Which schema a database is at, and bringing it to the current one with Alembic.

The schema's history is a chain of Alembic revisions kept in the package
(``optimizer/store/migrations/versions/0001_…`` … ``0009_…``); a revision's number is
the schema version (:func:`schema_version`). :func:`migrate` (run by
:meth:`optimizer.store.database.Store.open`) runs the missing revisions through
``alembic.command`` with a configuration built here (no ``alembic.ini``), on one
connection, in one write transaction: all of them or, when one fails, none. The
transaction holds the migration lock — SQLite's write lock, a PostgreSQL advisory
lock — so two servers starting at once migrate once.

Databases made before Alembic kept their version in a table ``schema_version`` (one
row per migration, 1 … 8) and have no ``alembic_version``: such a database is
recognised by that table, stamped at the matching revision (``0008`` for version 8)
and upgraded from there, its data kept. ``schema_version`` stays, and gets a row for
each revision applied since, so that an older release opening the database refuses it
(its own :class:`SchemaTooNew`) instead of misreading it. A database at a revision
this code does not know — written by a newer release — is refused
(:class:`SchemaTooNew`), never downgraded.

To change the schema: change :mod:`optimizer.store.tables`, add the next revision file
(copy the last one: ``revision`` the next number, ``down_revision`` the last, a
``description``), and the test that compares a migrated database with the declared
tables keeps both honest.
"""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from optimizer.store.engine import DEFAULT_BUSY_TIMEOUT, SchemaTooNew, write
from optimizer.store.tables import UTC, schema_version_t

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_PG_MIGRATION_LOCK = 0x6F707469  # an arbitrary advisory-lock key ("opti")
#: Alembic's commands install a process-wide proxy (``alembic.context``) while they run:
#: one at a time in a process, even for two databases (the database's own lock comes first)
_ALEMBIC_LOCK = threading.Lock()


def _config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code: the revisions in the package and, for a
    run, the connection (and so the transaction) they run on."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def _revisions() -> tuple[tuple[int, str], ...]:
    """(version, description) of every revision, oldest first."""
    script = ScriptDirectory.from_config(_config())
    revs = list(reversed(list(script.walk_revisions())))
    out = tuple((int(r.revision), getattr(r.module, "description", r.doc)) for r in revs)
    numbers = [v for v, _ in out]
    if not numbers or numbers[0] != 1 or numbers != sorted(set(numbers)):
        raise RuntimeError(f"the store's revisions must be numbered 1, 2, 3, … in the order they run, not {out}")
    return out


def versions() -> tuple[int, ...]:
    """The version of every revision, oldest first (1, 2, …; a number another change
    takes may be missing until both changes are in)."""
    return tuple(v for v, _ in _revisions())


def head() -> int:
    """The current schema's version (the newest revision)."""
    return _revisions()[-1][0]


def _rev(version: int) -> str:
    return f"{version:04d}"


def _legacy_version(conn: Connection) -> int:
    """The newest version in the ``schema_version`` table of releases before Alembic (0: none)."""
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    return int(conn.execute(sa.select(sa.func.max(schema_version_t.c.version))).scalar() or 0)


def _alembic_version(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _version(conn: Connection) -> int:
    rev = _alembic_version(conn)
    if rev is None:
        return _legacy_version(conn)
    try:
        return int(rev)
    except ValueError:  # not one of ours: newer than this code, at least
        return head() + 1


def schema_version(conn_or_engine: Connection | Engine) -> int:
    """The version a database is at: its Alembic revision's number (``0009`` → 9), for
    a database made before Alembic the newest version its ``schema_version`` table
    records, 0 when empty."""
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            return _version(conn)
    return _version(conn_or_engine)


def _too_new(current: int) -> SchemaTooNew:
    return SchemaTooNew(f"the database is at schema version {current}, newer than this code "
                        f"({head()}): upgrade the product before opening it")


def migrate(engine: Engine, target: int | None = None, *, now: Callable[[], datetime] | None = None,
            busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> int:
    """Bring the database to version ``target`` (default: the current schema, the
    newest revision) and return the version it is at. A database made before Alembic
    is stamped at its version first. Raises :class:`SchemaTooNew` for a database
    written by a newer release. Everything runs in one write transaction under the
    migration lock."""
    last = head()
    target = last if target is None else target
    if target != 0 and target not in versions():
        raise ValueError(f"no schema version {target} ({', '.join(map(str, versions()))})")
    now = now or (lambda: datetime.now(UTC))
    with write(engine, busy_timeout) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        rev, legacy = _alembic_version(conn), _legacy_version(conn)
        current = _version(conn)
        if current > last or legacy > last:
            raise _too_new(max(current, legacy))
        if rev is None and legacy:  # made before Alembic: its version is the revision of that number
            with _ALEMBIC_LOCK:
                command.stamp(_config(conn), _rev(legacy))
        if current >= target:
            return current
        with _ALEMBIC_LOCK:
            command.upgrade(_config(conn), _rev(target))
        if not sa.inspect(conn).has_table("schema_version"):
            schema_version_t.create(conn)
        descriptions = dict(_revisions())
        conn.execute(schema_version_t.insert(), [
            {"version": v, "description": descriptions[v], "applied_at": now()}
            for v in versions() if max(current, legacy) < v <= target])
        return target
