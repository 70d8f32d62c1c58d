"""Storage: workspaces, their uploads, lexicon edits, bundle decisions, share links,
users and sessions, in one database (SQLite by default, PostgreSQL when a URL is set).

A *workspace* is one client account as an optimizer works on it: the export files
uploaded for it (the original bytes, their SHA-256 checksum, who uploaded them and
when, and the rows read from them), the lexicon edits of its accounts, the bundle
maps the optimizer decided on, its audits and the read-only links shared with the
client. Pages read a workspace with :meth:`Store.workspace_table`, so a refresh, a
restart of the server or a second optimizer sees the same data.

Database
    :meth:`Store.open` uses ``OPTIMIZER_DATABASE_URL`` when set (e.g.
    ``postgresql+psycopg://user:password@127.0.0.1:5432/optimizer``; ``postgres://``
    and ``postgresql://`` are read as psycopg 3 URLs) and otherwise the SQLite file
    ``<data_dir>/optimizer.db``. SQLite runs in WAL mode (readers never wait for the
    writer), with foreign keys on, ``synchronous=FULL`` and a 30 s busy timeout
    (``OPTIMIZER_DB_BUSY_TIMEOUT``); every write transaction starts with ``BEGIN
    IMMEDIATE`` so that two writers queue instead of failing half-way, and starting it
    is retried with backoff within the busy timeout (:func:`_write`).

Operational failures
    A database that cannot be used — locked past the busy timeout, a full disk, a
    read-only data folder or database file, a disk error, an unreachable PostgreSQL
    server — raises :class:`StoreUnavailable` (``code``, ``message(lang)`` in Chinese
    and English from :data:`optimizer.errors.STORE_MESSAGES`), never the driver's
    ``OperationalError``: the engine's ``handle_error`` hook translates them in one
    place, and the failed transaction has rolled back. Any other database error (a
    bug) raises as itself.

One schema, versioned
    The tables are declared once below (:data:`metadata`, the current schema). The
    table ``schema_version`` records every migration applied (version, description,
    time). :data:`MIGRATIONS` lists the migrations in order, each a function that
    takes a database at version *n-1* to version *n*; :func:`migrate` (run by
    :meth:`Store.open`) applies the missing ones, each in its own transaction together
    with its row in ``schema_version``, under a lock (SQLite's write lock, a
    PostgreSQL advisory lock) so two servers starting at once migrate once. A
    database newer than the code is refused (:class:`SchemaTooNew`), never
    downgraded. To change the schema: change the tables here, append a migration
    that brings version *n* there (``ALTER TABLE`` / new tables), and the test that
    compares a migrated database with a fresh one keeps both honest.

Transactions
    Every write is one transaction. :meth:`Store.add_upload` reads the file *before*
    the transaction (a file that cannot be read raises its
    :class:`~optimizer.errors.IngestError` and writes nothing), then stores the
    original bytes, the checksum and the parsed rows and bumps the workspace's
    revision in one transaction: an upload that fails or is interrupted leaves
    nothing behind. The same file uploaded twice to a workspace is recognised by its
    checksum (a unique constraint on (workspace, checksum) settles two uploads of it
    at the same moment): the second returns ``duplicate=True`` and writes nothing.

Parsed rows
    Each upload's parsed canonical table (``Export.table``, see
    :mod:`optimizer.reading.schema`) is kept as one Parquet document (zstd) in
    ``upload_rows``, beside the original bytes. Parquet keeps every column's type
    (categoricals, Arrow strings, ``datetime64[ns]``, float NaN, int64) so that the
    table read back equals the table read from the file bit for bit (after the
    categories' string dtype is restored, see :func:`table_from_parquet`); it is
    smaller than the file (the 7.5 MB sample keyword report, 36 838 rows, takes
    0.4 MB) and is written and read back in tens of milliseconds, where one SQL row
    per record would need 32 typed columns, a NULL/NaN convention and tens of
    thousands of INSERTs per upload. Rows are never queried one by one in SQL:
    pages take the whole table of an account. The workspace's table is rebuilt as
    :func:`optimizer.model.dataset.merge` over its uploads in upload order, which is what
    uploading them one after the other in a session gives, and is kept in a small
    in-process cache keyed by the workspace's list of uploads (a new upload merges
    one file onto the cached table; a deletion rebuilds it). The stored rows are the
    ones the user saw when uploading: a later change to the readers does not change
    an account's history silently (the original bytes are there to re-read it).

Security
    The store never sees a secret: session and share-link tokens are stored as their
    SHA-256 hashes and passwords as scrypt hashes (a session-cookie code keeps its
    session's token sealed with a key only the code gives, for at most a minute), all made in :mod:`optimizer.store.auth`,
    which also holds the permission rules. The methods here do not check
    permissions: pages use :class:`optimizer.store.auth.Access`, which does.
"""
from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import sqlite3
import threading
import time
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql as pg_dialect, sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine

from optimizer.model.dataset import Combined, MergeReport, file_accounts
from optimizer.errors import STORE_MESSAGES, InvalidInput, UserError, safe_name
from optimizer.reading.ingest import ColumnMapping, Export, Note, ReadInfo, Settings, TotalCheck, read_export
from optimizer.reading.schema import CATEGORY_COLUMNS, STR_DTYPE, empty_table

#: Environment variable naming the database (a SQLAlchemy URL); unset: SQLite in the data folder.
DATABASE_URL_ENV = "OPTIMIZER_DATABASE_URL"
#: Environment variable: seconds a write waits for another writer before "the database is busy".
BUSY_TIMEOUT_ENV = "OPTIMIZER_DB_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 30.0
SQLITE_FILE = "optimizer.db"
#: Format of ``upload_rows.data``.
ROWS_FORMAT = "parquet"

UTC = timezone.utc
#: the longest workspace name and change note (characters)
MAX_WORKSPACE_NAME = 200
MAX_NOTE = 4000


def _workspace_name(name: str | None) -> str:
    """A workspace name as stored (trimmed); :class:`InvalidInput` when empty or too long."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("workspace_name_empty")
    if len(name) > MAX_WORKSPACE_NAME:
        raise InvalidInput("workspace_name_too_long", limit=MAX_WORKSPACE_NAME, length=len(name))
    return name


# ====================================================================== schema

class UTCDateTime(sa.types.TypeDecorator):
    """A point in time, stored as naive UTC (portable across SQLite and PostgreSQL),
    returned timezone-aware in UTC. Naive datetimes are refused when written."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # SQLite text read without the type (raw SQL)
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)


def _id(name: str = "id") -> sa.Column:
    return sa.Column(name, sa.Integer, primary_key=True, autoincrement=True)


def _user_fk(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


def _ws_fk(nullable: bool = False) -> sa.Column:
    return sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
                     nullable=nullable)


# Each table is built by a function so that a migration can build the table as it
# was at its version (see _v1) while the store uses the current one.

def _t_schema_version(md: sa.MetaData) -> sa.Table:
    return sa.Table("schema_version", md,
                    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
                    sa.Column("description", sa.Text, nullable=False),
                    sa.Column("applied_at", UTCDateTime, nullable=False))


def _t_users(md: sa.MetaData) -> sa.Table:
    return sa.Table("users", md, _id(),
                    sa.Column("username", sa.String(64), nullable=False, unique=True),
                    sa.Column("password_hash", sa.String(255), nullable=False),
                    sa.Column("role", sa.String(16), nullable=False),
                    sa.Column("created_at", UTCDateTime, nullable=False),
                    sa.Column("password_changed_at", UTCDateTime, nullable=False),
                    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
                    sa.CheckConstraint("role in ('admin', 'optimizer', 'analyst')", name="ck_users_role"),
                    sqlite_autoincrement=True)


def _t_sessions(md: sa.MetaData) -> sa.Table:
    return sa.Table("sessions", md,
                    sa.Column("token_hash", sa.String(64), primary_key=True),
                    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                              nullable=False, index=True),
                    sa.Column("created_at", UTCDateTime, nullable=False),
                    sa.Column("expires_at", UTCDateTime, nullable=False),
                    sa.Column("last_seen", UTCDateTime, nullable=False),
                    sa.Column("source", sa.String(255), nullable=True))


def _t_session_codes(md: sa.MetaData) -> sa.Table:
    """One-time codes a signed-in page hands its browser to get the session cookie
    (:func:`optimizer.store.auth.issue_cookie_code`): the code's hash, the session's token
    sealed with a key derived from the code, a minute to live."""
    return sa.Table("session_codes", md,
                    sa.Column("code_hash", sa.String(64), primary_key=True),
                    sa.Column("token_hash", sa.String(64),
                              sa.ForeignKey("sessions.token_hash", ondelete="CASCADE"), nullable=False, index=True),
                    sa.Column("sealed", sa.String(128), nullable=False),
                    sa.Column("expires_at", UTCDateTime, nullable=False))


def _t_workspaces(md: sa.MetaData, version: int) -> sa.Table:
    cols = [_id(),
            sa.Column("name", sa.String(200), nullable=False, unique=True),
            sa.Column("platform", sa.String(32), nullable=True),
            sa.Column("account", sa.String(200), nullable=True),
            sa.Column("currency", sa.String(8), nullable=True),
            _user_fk("created_by"),
            sa.Column("created_at", UTCDateTime, nullable=False)]
    if version >= 2:
        cols.append(sa.Column("revision", sa.Integer, nullable=False, server_default="0"))
    return sa.Table("workspaces", md, *cols, sqlite_autoincrement=True)


def _t_workspace_members(md: sa.MetaData) -> sa.Table:
    return sa.Table("workspace_members", md,
                    sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
                              primary_key=True),
                    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                              primary_key=True, index=True),
                    _user_fk("added_by"),
                    sa.Column("added_at", UTCDateTime, nullable=False))


def _t_uploads(md: sa.MetaData, version: int = 1) -> sa.Table:
    extra = [sa.Column("account_name", sa.String(200), nullable=True)] if version >= 4 else []
    return sa.Table("uploads", md, _id(), _ws_fk(), *extra,
                    sa.Column("file_name", sa.String(255), nullable=False),
                    sa.Column("checksum", sa.String(64), nullable=False),
                    sa.Column("size", sa.BigInteger, nullable=False),
                    sa.Column("data", sa.LargeBinary, nullable=False),
                    _user_fk("uploaded_by"),
                    sa.Column("uploaded_at", UTCDateTime, nullable=False),
                    sa.Column("platform", sa.String(32), nullable=False),
                    sa.Column("report_type", sa.String(32), nullable=False),
                    sa.Column("rows", sa.Integer, nullable=False),
                    sa.Column("info_json", sa.Text, nullable=False),
                    sa.Column("mapping_json", sa.Text, nullable=True),
                    sa.UniqueConstraint("workspace_id", "checksum", name="uq_uploads_workspace_checksum"),
                    sqlite_autoincrement=True)


def _t_upload_rows(md: sa.MetaData) -> sa.Table:
    return sa.Table("upload_rows", md,
                    sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id", ondelete="CASCADE"),
                              primary_key=True),
                    sa.Column("format", sa.String(16), nullable=False),
                    sa.Column("row_count", sa.Integer, nullable=False),
                    sa.Column("data", sa.LargeBinary, nullable=False))


def _t_lexicon_settings(md: sa.MetaData) -> sa.Table:
    return sa.Table("lexicon_settings", md,
                    sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
                              primary_key=True),
                    sa.Column("account_key", sa.String(400), primary_key=True),
                    sa.Column("vertical", sa.String(32), nullable=True),
                    sa.Column("edits_json", sa.Text, nullable=False),
                    _user_fk("updated_by"),
                    sa.Column("updated_at", UTCDateTime, nullable=False))


def _t_bundle_decisions(md: sa.MetaData) -> sa.Table:
    return sa.Table("bundle_decisions", md, _id(), _ws_fk(),
                    sa.Column("account_key", sa.String(400), nullable=False),
                    sa.Column("file_name", sa.String(255), nullable=False),
                    sa.Column("data", sa.LargeBinary, nullable=False),
                    sa.Column("proposal_json", sa.Text, nullable=True),
                    _user_fk("decided_by"),
                    sa.Column("decided_at", UTCDateTime, nullable=False),
                    sa.Index("ix_bundle_decisions_ws_account", "workspace_id", "account_key"),
                    sqlite_autoincrement=True)


def _t_share_links(md: sa.MetaData, version: int = 1) -> sa.Table:
    extra = [sa.Column("accounts_json", sa.Text, nullable=True)] if version >= 4 else []
    return sa.Table("share_links", md, _id(), _ws_fk(), *extra,
                    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
                    sa.Column("label", sa.String(200), nullable=True),
                    _user_fk("created_by"),
                    sa.Column("created_at", UTCDateTime, nullable=False),
                    sa.Column("expires_at", UTCDateTime, nullable=False),
                    sa.Column("revoked_at", UTCDateTime, nullable=True),
                    sa.Column("last_opened_at", UTCDateTime, nullable=True),
                    sa.Column("allow_download", sa.Boolean, nullable=False, default=False),
                    sa.Index("ix_share_links_workspace", "workspace_id"),
                    sqlite_autoincrement=True)


def _t_throttles(md: sa.MetaData, version: int = 1) -> sa.Table:
    # pending: attempts reserved and still being checked (see Store.throttle_reserve)
    extra = [sa.Column("pending", sa.Integer, nullable=False, server_default="0")] if version >= 5 else []
    return sa.Table("throttles", md,
                    sa.Column("scope", sa.String(32), primary_key=True),
                    sa.Column("key", sa.String(255), primary_key=True),
                    sa.Column("failures", sa.Integer, nullable=False),
                    sa.Column("window_start", UTCDateTime, nullable=False),
                    sa.Column("locked_until", UTCDateTime, nullable=True),
                    *extra)


def _t_column_mappings(md: sa.MetaData) -> sa.Table:
    return sa.Table("column_mappings", md,
                    sa.Column("signature", sa.String(128), primary_key=True),
                    sa.Column("mapping_json", sa.Text, nullable=False),
                    _user_fk("saved_by"),
                    sa.Column("saved_at", UTCDateTime, nullable=False))


def _t_audits(md: sa.MetaData) -> sa.Table:
    return sa.Table("audits", md, _id(), _ws_fk(),
                    sa.Column("account_key", sa.String(400), nullable=False),
                    sa.Column("page", sa.Text, nullable=False),
                    sa.Column("audited_at", UTCDateTime, nullable=False),
                    sa.Column("audit_json", sa.Text, nullable=False),
                    sa.Index("ix_audits_ws_account", "workspace_id", "account_key"),
                    sqlite_autoincrement=True)


def _t_notes(md: sa.MetaData, version: int = 3) -> sa.Table:
    # account_json: the (platform, account, currency) a note is about; NULL: every account
    extra = [sa.Column("account_json", sa.Text, nullable=True)] if version >= 7 else []
    return sa.Table("notes", md, _id(), _ws_fk(), *extra,
                    sa.Column("note_date", sa.Date, nullable=False),
                    sa.Column("text", sa.Text, nullable=False),
                    _user_fk("author_id"),
                    sa.Column("created_at", UTCDateTime, nullable=False),
                    sa.Index("ix_notes_workspace", "workspace_id"),
                    sqlite_autoincrement=True)


def _t_saved_verticals(md: sa.MetaData) -> sa.Table:
    """Verticals optimizers saved from an account's lexicon (:mod:`optimizer.keywords.verticals`),
    shared by every workspace: a code, its names and one lexicon file (TOML) per language."""
    return sa.Table("saved_verticals", md,
                    sa.Column("code", sa.String(32), primary_key=True),
                    sa.Column("name_zh", sa.String(100), nullable=False),
                    sa.Column("name_en", sa.String(100), nullable=False),
                    sa.Column("base", sa.String(32), nullable=False),
                    sa.Column("lexicon_zh", sa.Text, nullable=False),
                    sa.Column("lexicon_en", sa.Text, nullable=False),
                    _user_fk("saved_by"),
                    sa.Column("saved_at", UTCDateTime, nullable=False))


def _t_app_settings(md: sa.MetaData) -> sa.Table:
    return sa.Table("app_settings", md,
                    sa.Column("key", sa.String(64), primary_key=True),
                    sa.Column("value", sa.Text, nullable=False))


#: The current schema (what the store's queries use).
metadata = sa.MetaData()
schema_version_t = _t_schema_version(metadata)
users_t = _t_users(metadata)
sessions_t = _t_sessions(metadata)
session_codes_t = _t_session_codes(metadata)
workspaces_t = _t_workspaces(metadata, version=2)
members_t = _t_workspace_members(metadata)
uploads_t = _t_uploads(metadata, version=4)
upload_rows_t = _t_upload_rows(metadata)
lexicon_t = _t_lexicon_settings(metadata)
bundles_t = _t_bundle_decisions(metadata)
shares_t = _t_share_links(metadata, version=4)
throttles_t = _t_throttles(metadata, version=5)
mappings_t = _t_column_mappings(metadata)
audits_t = _t_audits(metadata)
notes_t = _t_notes(metadata, version=7)
settings_t = _t_app_settings(metadata)
saved_verticals_t = _t_saved_verticals(metadata)


# ====================================================================== migrations

def _v1(conn: Connection) -> None:
    """Users and sessions, workspaces, uploads and their rows, lexicon settings,
    bundle decisions, share links, rate-limit counters, column mappings."""
    md = sa.MetaData()
    for build in (_t_users, _t_sessions, lambda m: _t_workspaces(m, version=1), _t_uploads, _t_upload_rows,
                  _t_lexicon_settings, _t_bundle_decisions, _t_share_links, _t_throttles, _t_column_mappings):
        build(md)
    md.create_all(conn)


def _v2(conn: Connection) -> None:
    """Workspace members (a workspace shared between optimizers), page audits, and a
    revision counter on workspaces (bumped by every write to a workspace)."""
    md = sa.MetaData()
    sa.Table("users", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("workspaces", md, sa.Column("id", sa.Integer, primary_key=True))
    _t_workspace_members(md)
    _t_audits(md)
    md.create_all(conn, tables=[md.tables["workspace_members"], md.tables["audits"]])
    conn.execute(sa.text("ALTER TABLE workspaces ADD COLUMN revision INTEGER NOT NULL DEFAULT 0"))


def _v3(conn: Connection) -> None:
    """Notes (what the optimizer changed in a workspace and why, dated, shown to the
    client) and app settings (small key/value facts, e.g. which workspace is the
    bundled sample)."""
    md = sa.MetaData()
    sa.Table("users", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("workspaces", md, sa.Column("id", sa.Integer, primary_key=True))
    _t_notes(md)
    _t_app_settings(md)
    md.create_all(conn, tables=[md.tables["notes"], md.tables["app_settings"]])


def _v4(conn: Connection) -> None:
    """The account an upload that names none belongs to (chosen on upload), and the
    accounts a share link shows (NULL: every account of the workspace, as before)."""
    conn.execute(sa.text("ALTER TABLE uploads ADD COLUMN account_name VARCHAR(200)"))
    conn.execute(sa.text("ALTER TABLE share_links ADD COLUMN accounts_json TEXT"))


def _v5(conn: Connection) -> None:
    """Attempts being checked, per rate-limit counter: each sign-in or share-link
    opening reserves its place under the limit before its secret is checked."""
    conn.execute(sa.text("ALTER TABLE throttles ADD COLUMN pending INTEGER NOT NULL DEFAULT 0"))


def _v6(conn: Connection) -> None:
    """One-time codes that turn a sign-in into a session cookie (kept across a refresh)."""
    md = sa.MetaData()
    _t_sessions(md)
    sa.Table("users", md, sa.Column("id", sa.Integer, primary_key=True))
    _t_session_codes(md)
    md.create_all(conn, tables=[md.tables["session_codes"]])


def _v7(conn: Connection) -> None:
    """The account a note is about (NULL: every account of the workspace, as before), so
    that a link limited to some accounts shows only the notes about them."""
    conn.execute(sa.text("ALTER TABLE notes ADD COLUMN account_json TEXT"))


def _v8(conn: Connection) -> None:
    """Saved verticals: an account's lexicon saved under a name, for every workspace."""
    md = sa.MetaData()
    sa.Table("users", md, sa.Column("id", sa.Integer, primary_key=True))
    _t_saved_verticals(md)
    md.create_all(conn, tables=[md.tables["saved_verticals"]])


#: (version, description, migration) in order; the last version is the current schema.
MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "initial schema", _v1),
    (2, "workspace members, audits, workspace revision", _v2),
    (3, "notes, app settings", _v3),
    (4, "account of an upload, accounts of a share link", _v4),
    (5, "attempts being checked per rate-limit counter", _v5),
    (6, "session-cookie codes", _v6),
    (7, "the account a note is about", _v7),
    (8, "saved verticals", _v8),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]

_PG_MIGRATION_LOCK = 0x6F707469  # an arbitrary advisory-lock key ("opti")


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


def schema_version(conn_or_engine: Connection | Engine) -> int:
    """The version a database is at (0: empty)."""
    def get(conn: Connection) -> int:
        if not sa.inspect(conn).has_table("schema_version"):
            return 0
        return int(conn.execute(sa.select(sa.func.max(schema_version_t.c.version))).scalar() or 0)

    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            return get(conn)
    return get(conn_or_engine)


def migrate(engine: Engine, target: int | None = None, *, now: Callable[[], datetime] | None = None,
            busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> int:
    """Bring the database to ``target`` (default: the current schema); returns the
    version it is at. Each migration runs in its own write transaction with its
    ``schema_version`` row. Raises :class:`SchemaTooNew` for a newer database."""
    target = SCHEMA_VERSION if target is None else target
    now = now or (lambda: datetime.now(UTC))
    while True:
        with _write(engine, busy_timeout) as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            if not sa.inspect(conn).has_table("schema_version"):
                schema_version_t.create(conn)
            current = schema_version(conn)
            if current > SCHEMA_VERSION:
                raise SchemaTooNew(f"the database is at schema version {current}, newer than this code "
                                   f"({SCHEMA_VERSION}): upgrade the product before opening it")
            if current >= target:
                return current
            version, description, step = next(m for m in MIGRATIONS if m[0] == current + 1)
            step(conn)
            conn.execute(schema_version_t.insert().values(version=version, description=description,
                                                          applied_at=now()))


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
def _write(engine: Engine, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Iterator[Connection]:
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
def _read(engine: Engine) -> Iterator[Connection]:
    """One read transaction: a consistent snapshot of the database."""
    with engine.connect() as conn:
        with conn.begin():
            yield conn


# ====================================================================== records

@dataclass(frozen=True)
class User:
    """A signed-in person's account. ``role``: admin, optimizer or analyst."""

    id: int
    username: str
    role: str
    created_at: datetime
    disabled: bool = False


@dataclass(frozen=True)
class Workspace:
    """One client account's workspace. ``member_ids``: users given access besides
    its creator. ``revision``: bumped by every write to the workspace (a cache key)."""

    id: int
    name: str
    platform: str | None
    account: str | None
    currency: str | None
    created_by: int | None
    created_at: datetime
    revision: int = 0
    member_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Upload:
    """One stored file: what it is, who uploaded it when, and what was read from it."""

    id: int
    workspace_id: int
    file_name: str
    checksum: str
    size: int
    uploaded_by: int | None
    uploaded_by_name: str | None
    uploaded_at: datetime
    platform: str
    report_type: str
    rows: int
    info: ReadInfo
    mapping: ColumnMapping | None = None
    #: the account the optimizer said the file belongs to, when its rows name none
    account_name: str | None = None


@dataclass(frozen=True)
class UploadResult:
    """What :meth:`Store.add_upload` did: ``duplicate`` True when the same file
    (checksum) was already in the workspace (``upload`` is then that earlier one and
    nothing was written). ``report``: how the file merged into the workspace's table
    (None for a duplicate)."""

    upload: Upload
    duplicate: bool
    report: MergeReport | None = None


@dataclass(frozen=True)
class WorkspaceTable:
    """A workspace's data: the merged canonical table, one merge report per upload
    (same order) and the uploads, oldest first."""

    table: pd.DataFrame
    reports: tuple[MergeReport, ...]
    uploads: tuple[Upload, ...]

    def report_for(self, upload_id: int) -> MergeReport | None:
        for u, r in zip(self.uploads, self.reports):
            if u.id == upload_id:
                return r
        return None

    def file_names(self) -> dict[int, str]:
        """Each upload's name as the merge reports and their messages give it (``name
        (2).csv`` … for a second file of the same name: Google names every keyword
        download alike), by upload id."""
        return {u.id: r.file for u, r in zip(self.uploads, self.reports)}

    def file_accounts(self) -> dict[int, tuple[tuple[str, str, str], ...]]:
        """The (platform, account, currency) each upload's rows count toward
        (:func:`optimizer.model.dataset.file_accounts`), by upload id; for an upload none of
        whose rows is kept (another file holds them all), those its own rows name."""
        by_name = file_accounts(self.table)
        return {u.id: by_name.get(r.file) or r.accounts for u, r in zip(self.uploads, self.reports)}


@dataclass(frozen=True)
class ShareLink:
    """A read-only link to one workspace. Only the token's SHA-256 is stored."""

    id: int
    workspace_id: int
    token_hash: str
    label: str | None
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_opened_at: datetime | None
    allow_download: bool
    #: the accounts the link shows, as (platform, account, currency); None: every
    #: account of the workspace (links made before accounts could be chosen)
    accounts: tuple[tuple[str, str, str], ...] | None = None

    def state(self, now: datetime) -> str:
        """``active``, ``revoked`` or ``expired`` at ``now``."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if now >= self.expires_at else "active"


@dataclass(frozen=True)
class SavedVerticalRow:
    """A saved vertical as stored: code, names, base vertical, one TOML file per language."""

    code: str
    name_zh: str
    name_en: str
    base: str
    lexicon_zh: str
    lexicon_en: str
    saved_by: int | None
    saved_at: datetime


@dataclass(frozen=True)
class BundleDecision:
    """A bundle map an optimizer decided on for one account of a workspace: the CSV
    as uploaded or exported (``data``) and, when the map came from accepting a
    proposal, that proposal (any JSON value, e.g. ``bundles`` of ``--json``)."""

    id: int
    workspace_id: int
    account_key: str
    file_name: str
    data: bytes
    proposal: Any
    decided_by: int | None
    decided_at: datetime


@dataclass(frozen=True)
class WorkspaceNote:
    """A dated note in a workspace: what the optimizer changed and why (the client sees it)."""

    id: int
    workspace_id: int
    note_date: date
    text: str
    author_id: int | None
    author_name: str | None
    created_at: datetime
    #: the (platform, account, currency) the note is about; None: every account
    account: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class Session:
    """A stored sign-in (by token hash) and its user."""

    token_hash: str
    user: User
    created_at: datetime
    expires_at: datetime
    last_seen: datetime


@dataclass(frozen=True)
class ThrottleKey:
    """One rate-limit counter an attempt counts toward: ``limit`` failures within
    ``window`` lock (``scope``, ``key``) for ``lockout``. ``cleared_by_success``: a
    successful attempt clears the failures counted before it began."""

    scope: str
    key: str
    limit: int
    window: timedelta
    lockout: timedelta
    cleared_by_success: bool = False


@dataclass(frozen=True)
class ThrottleTicket:
    """An attempt reserved under its limits (:meth:`Store.throttle_reserve`), to be
    settled once its secret is checked (:meth:`Store.throttle_settle`). Per key: the
    window it was reserved in and the failures counted before it."""

    keys: tuple[ThrottleKey, ...]
    window_starts: tuple[datetime, ...]
    failures_before: tuple[int, ...]


# ====================================================================== helpers

def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def table_to_parquet(table: pd.DataFrame) -> bytes:
    """A canonical table as Parquet bytes (zstd)."""
    buf = io.BytesIO()
    table.to_parquet(buf, engine="pyarrow", compression="zstd", index=False)
    return buf.getvalue()


def table_from_parquet(data: bytes) -> pd.DataFrame:
    """The canonical table written by :func:`table_to_parquet`, with its dtypes
    exactly as :mod:`optimizer.reading.schema` makes them. (Parquet keeps the categoricals
    and their codes; an empty category list comes back with object dtype, and is
    given the schema's string dtype again.)"""
    df = pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    fix = {}
    for c in CATEGORY_COLUMNS:
        s = df[c]
        if not isinstance(s.dtype, pd.CategoricalDtype):  # a table without rows comes back without categories
            fix[c] = pd.Series(pd.Categorical(s.astype(STR_DTYPE)), index=df.index)
        elif s.cat.categories.dtype != STR_DTYPE:
            fix[c] = pd.Series(pd.Categorical.from_codes(s.cat.codes.to_numpy(),
                                                         pd.Index(s.cat.categories, dtype=STR_DTYPE)),
                               index=df.index)
    return df.assign(**fix) if fix else df


def _info_to_json(info: ReadInfo) -> str:
    return json.dumps(asdict(info), ensure_ascii=False)


def _info_from_json(text_: str) -> ReadInfo:
    d = json.loads(text_)
    d["unmapped"] = tuple(d.get("unmapped", ()))
    d["totals"] = tuple(TotalCheck(t["label"], t["matched"], {k: tuple(v) for k, v in t["differences"].items()})
                        for t in d.get("totals", ()))
    d["notes"] = tuple(Note(n["zh"], n["en"]) for n in d.get("notes", ()))
    return ReadInfo(**d)


def _user_id(by: Any) -> int | None:
    if by is None:
        return None
    if isinstance(by, User):
        return by.id
    if isinstance(by, (int, np.integer)):
        return int(by)
    raise TypeError(f"expected a User or a user id, got {type(by).__name__}")


def clean_file_name(name: str) -> str:
    """A file name without folders, control characters or bidi and other invisible
    format characters (a right-to-left override would show ``report\u202evsc.exe`` as
    ``reportexe.csv``), as shown and as put in a zip."""
    base = re.split(r"[\\/]", str(name))[-1]
    return safe_name(base, 255)


@dataclass
class _Cached:
    ids: tuple[int, ...]
    value: WorkspaceTable


# ====================================================================== store

def _combine(combined: Combined, uploads: Sequence[Upload], tables: dict[int, pd.DataFrame]) -> Combined:
    """Merge stored uploads, in order, onto ``combined`` (as :meth:`Store.workspace_table`
    does): each with the account chosen on upload; not checked for a mix-up again (that
    was done when it was stored)."""
    for u in uploads:
        exp = Export(tables[u.id], pd.DataFrame(index=tables[u.id].index), u.info)
        combined.add(exp, account=u.account_name, check=False)
    return combined


class Store:
    """The product's database. Thread-safe: one Store (one connection pool) is meant
    to be shared by every session of a server; several servers may share a database.

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
        self._cache: OrderedDict[int, _Cached] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()

    # ------------------------------------------------------------------ opening

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
        elif schema_version(engine) != SCHEMA_VERSION:
            engine.dispose()
            raise StoreError(f"the database is at schema version {schema_version(engine)}, "
                             f"not {SCHEMA_VERSION}")
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
        return _write(self.engine, self.busy_timeout)

    def _insert(self):
        """The dialect's INSERT (with ON CONFLICT DO NOTHING support)."""
        return pg_dialect.insert if self.backend == "postgresql" else sqlite_dialect.insert

    def _read(self):
        return _read(self.engine)

    # ------------------------------------------------------------------ users

    @staticmethod
    def _user(row) -> User:
        return User(row.id, row.username, row.role, row.created_at, bool(row.disabled))

    def insert_user(self, username: str, password_hash: str, role: str) -> User:
        """Add a user (hashing and validation are :func:`optimizer.store.auth.create_user`'s)."""
        now = self.now()
        try:
            with self._write() as conn:
                uid = conn.execute(users_t.insert().values(
                    username=username, password_hash=password_hash, role=role, created_at=now,
                    password_changed_at=now, disabled=False)).inserted_primary_key[0]
        except sa.exc.IntegrityError as exc:
            raise NameTaken("user_exists", name=username) from exc
        return User(int(uid), username, role, now, False)

    def get_user(self, user_id: int) -> User:
        with self._read() as conn:
            row = conn.execute(sa.select(users_t).where(users_t.c.id == user_id)).first()
        if row is None:
            raise NotFound(f"no user {user_id}")
        return self._user(row)

    def user_by_name(self, username: str) -> User | None:
        with self._read() as conn:
            row = conn.execute(sa.select(users_t).where(users_t.c.username == username)).first()
        return None if row is None else self._user(row)

    def credentials(self, username: str) -> tuple[User, str] | None:
        """(user, password hash) of ``username``, or None."""
        with self._read() as conn:
            row = conn.execute(sa.select(users_t).where(users_t.c.username == username)).first()
        return None if row is None else (self._user(row), row.password_hash)

    def list_users(self) -> list[User]:
        with self._read() as conn:
            return [self._user(r) for r in conn.execute(sa.select(users_t).order_by(users_t.c.username))]

    def update_user(self, user_id: int, *, password_hash: str | None = None, role: str | None = None,
                    disabled: bool | None = None) -> User:
        """Change a user's password hash, role or disabled flag. A new password or
        disabling the user also ends all of the user's sessions (same transaction)."""
        values: dict[str, Any] = {}
        if password_hash is not None:
            values.update(password_hash=password_hash, password_changed_at=self.now())
        if role is not None:
            values["role"] = role
        if disabled is not None:
            values["disabled"] = disabled
        with self._write() as conn:
            if values:
                n = conn.execute(users_t.update().where(users_t.c.id == user_id).values(**values)).rowcount
                if n == 0:
                    raise NotFound(f"no user {user_id}")
            if password_hash is not None or disabled:
                conn.execute(sessions_t.delete().where(sessions_t.c.user_id == user_id))
            row = conn.execute(sa.select(users_t).where(users_t.c.id == user_id)).first()
        if row is None:
            raise NotFound(f"no user {user_id}")
        return self._user(row)

    # ------------------------------------------------------------------ sessions

    def insert_session(self, token_hash: str, user_id: int, expires_at: datetime,
                       source: str | None = None) -> None:
        now = self.now()
        with self._write() as conn:
            conn.execute(sessions_t.delete().where(sessions_t.c.expires_at <= now))  # housekeeping
            conn.execute(sessions_t.insert().values(token_hash=token_hash, user_id=user_id, created_at=now,
                                                    expires_at=expires_at, last_seen=now,
                                                    source=(source or None) and source[:255]))

    def session(self, token_hash: str) -> Session | None:
        """The stored session with this token hash (expired or not), with its user."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(sessions_t.c.token_hash, sessions_t.c.created_at.label("session_created_at"),
                          sessions_t.c.expires_at, sessions_t.c.last_seen, users_t)
                .join(users_t, users_t.c.id == sessions_t.c.user_id)
                .where(sessions_t.c.token_hash == token_hash)).first()
        if row is None:
            return None
        return Session(row.token_hash, self._user(row), row.session_created_at, row.expires_at, row.last_seen)

    def insert_session_code(self, code_hash: str, token_hash: str, sealed: str, expires_at: datetime) -> None:
        """Keep a one-time session-cookie code (and drop the ones that expired)."""
        with self._write() as conn:
            conn.execute(session_codes_t.delete().where(session_codes_t.c.expires_at <= self.now()))
            conn.execute(session_codes_t.insert().values(code_hash=code_hash, token_hash=token_hash, sealed=sealed,
                                                         expires_at=expires_at))

    def take_session_code(self, code_hash: str) -> tuple[str, str, datetime] | None:
        """(token hash, sealed token, expiry) of a session-cookie code, deleted in the
        same transaction: of two requests with one code, only one gets it. A made-up
        code costs a read, not a write."""
        with self._read() as conn:
            if conn.execute(sa.select(session_codes_t.c.code_hash)
                            .where(session_codes_t.c.code_hash == code_hash)).first() is None:
                return None
        with self._write() as conn:
            row = conn.execute(sa.select(session_codes_t).where(session_codes_t.c.code_hash == code_hash)).first()
            if row is None:
                return None
            n = conn.execute(session_codes_t.delete().where(session_codes_t.c.code_hash == code_hash)).rowcount
        return (row.token_hash, row.sealed, row.expires_at) if n == 1 else None

    def touch_session(self, token_hash: str, when: datetime) -> None:
        with self._write() as conn:
            conn.execute(sessions_t.update().where(sessions_t.c.token_hash == token_hash).values(last_seen=when))

    def delete_session(self, token_hash: str) -> None:
        with self._write() as conn:
            conn.execute(sessions_t.delete().where(sessions_t.c.token_hash == token_hash))

    def delete_sessions_of(self, user_id: int) -> int:
        with self._write() as conn:
            return conn.execute(sessions_t.delete().where(sessions_t.c.user_id == user_id)).rowcount

    # ------------------------------------------------------------------ rate limits

    def throttle_locked_until(self, scope: str, key: str) -> datetime | None:
        """When the lock on (scope, key) ends, or None when it is not locked now."""
        with self._read() as conn:
            row = conn.execute(sa.select(throttles_t.c.locked_until).where(
                throttles_t.c.scope == scope, throttles_t.c.key == key[:255])).first()
        if row is None or row.locked_until is None or row.locked_until <= self.now():
            return None
        return row.locked_until

    #: How long an attempt refused because the attempts being checked hold the rest of its limit is told to wait.
    THROTTLE_BUSY = timedelta(minutes=1)

    def _throttle_rows(self, conn: Connection, keys: Sequence[ThrottleKey], now: datetime) -> list[dict]:
        """The counters of ``keys``, locked for this transaction (SQLite: the write
        transaction's lock; PostgreSQL: the rows, in one order so two attempts never
        wait on each other crosswise), as dicts; a lock that has ended or a window that
        has passed starts the counter afresh (also forgetting the attempts reserved by
        a server that died while checking them)."""
        ins = self._insert()
        rows = []
        for k in keys:
            where = (throttles_t.c.scope == k.scope, throttles_t.c.key == k.key)
            row = conn.execute(sa.select(throttles_t).where(*where).with_for_update()).first()
            while row is None:  # another transaction may delete the row in between (an admin's unlock)
                conn.execute(ins(throttles_t).values(scope=k.scope, key=k.key, failures=0, pending=0, window_start=now,
                                                     locked_until=None).on_conflict_do_nothing())
                row = conn.execute(sa.select(throttles_t).where(*where).with_for_update()).first()
            r = dict(row._mapping)
            r["_loaded"] = tuple(row._mapping.values())
            lock = r["locked_until"]
            if (lock <= now) if lock is not None else (now - r["window_start"] >= k.window):
                r.update(failures=0, pending=0, window_start=now, locked_until=None)
            rows.append(r)
        return rows

    def _throttle_save(self, conn: Connection, rows: Sequence[dict]) -> None:
        for r in rows:
            if tuple(r[c.name] for c in throttles_t.columns) == r["_loaded"]:
                continue  # unchanged: nothing written
            conn.execute(throttles_t.update().where(throttles_t.c.scope == r["scope"], throttles_t.c.key == r["key"])
                         .values(failures=r["failures"], pending=r["pending"], window_start=r["window_start"],
                                 locked_until=r["locked_until"]))

    @staticmethod
    def _throttle_fail(r: dict, k: ThrottleKey, now: datetime) -> None:
        if r["failures"] == 0:
            r["window_start"] = now  # the window runs from the first failure
        r["failures"] += 1
        if r["failures"] >= k.limit and r["locked_until"] is None:
            r["locked_until"] = now + k.lockout

    def throttle_reserve(self, keys: Sequence[ThrottleKey]) -> ThrottleTicket | datetime:
        """Reserve one attempt under every counter of ``keys`` before its secret is
        checked, atomically (one transaction, the counters locked): a ticket to pass
        to :meth:`throttle_settle` once the secret is checked, or the time to wait
        until. Refused, counting nothing, while any counter is locked (the end of its
        lock); refused when a counter's failures and the attempts still being checked
        already reach its limit — then this attempt counts as a failure (its secret
        is never checked), which locks a counter it brings to the limit (the end of
        that lock, else :attr:`THROTTLE_BUSY` from now). So however many attempts
        arrive together, on one server or several, at most ``limit`` of them are
        checked before the lock."""
        keys = tuple(sorted((replace(k, key=k.key[:255]) for k in keys), key=lambda k: (k.scope, k.key)))
        now = self.now()
        with self._write() as conn:
            rows = self._throttle_rows(conn, keys, now)
            locked = [r["locked_until"] for r in rows if r["locked_until"] is not None]
            if locked:
                return max(locked)
            if any(r["failures"] + r["pending"] >= k.limit for r, k in zip(rows, keys)):
                for r, k in zip(rows, keys):
                    self._throttle_fail(r, k, now)
                self._throttle_save(conn, rows)
                locked = [r["locked_until"] for r in rows if r["locked_until"] is not None]
                return max(locked) if locked else now + self.THROTTLE_BUSY
            ticket = ThrottleTicket(keys, tuple(r["window_start"] for r in rows), tuple(r["failures"] for r in rows))
            for r in rows:
                r["pending"] += 1
            self._throttle_save(conn, rows)
            return ticket

    def throttle_check(self, keys: Sequence[ThrottleKey],
                       check: Callable[[Connection], bool]) -> tuple[bool | None, datetime | None]:
        """A quick check of a secret (``check``, given this transaction's connection:
        e.g. looking a token up) made under the counters' lock, in one transaction, so
        that attempts arriving together are checked one after another and at most
        ``limit`` failures are checked before the lock. Returns (None, the time to
        wait until) when refused as :meth:`throttle_reserve` refuses (here nothing is
        being checked in parallel, so only a lock refuses); else (what ``check``
        said, when the lock on any counter now ends or None). A failure is counted
        (and locks a counter it brings to its limit); a success changes nothing, so
        opening a good link writes nothing."""
        keys = tuple(sorted((replace(k, key=k.key[:255]) for k in keys), key=lambda k: (k.scope, k.key)))
        now = self.now()
        with self._write() as conn:
            rows = self._throttle_rows(conn, keys, now)
            locked = [r["locked_until"] for r in rows if r["locked_until"] is not None]
            if locked:
                return None, max(locked)
            ok = bool(check(conn))
            if not ok:
                for r, k in zip(rows, keys):
                    self._throttle_fail(r, k, now)
            self._throttle_save(conn, rows)
        locked = [r["locked_until"] for r in rows if r["locked_until"] is not None]
        return ok, max(locked) if locked else None

    def throttle_settle(self, ticket: ThrottleTicket, ok: bool) -> datetime | None:
        """The checked attempt of ``ticket``: a failure (``ok`` false) is counted, and
        the counters it brings to their limit are locked; a success clears, on the
        counters ``cleared_by_success``, the failures counted before it was reserved —
        not those that arrived while it was checked (and lifts a lock only when what
        remains is below the limit). Returns when the lock on any of the counters
        ends, or None when none is locked."""
        now = self.now()
        with self._write() as conn:
            rows = self._throttle_rows(conn, ticket.keys, now)
            for r, k, start, before in zip(rows, ticket.keys, ticket.window_starts, ticket.failures_before):
                r["pending"] = max(0, r["pending"] - 1)
                if not ok:
                    self._throttle_fail(r, k, now)
                elif k.cleared_by_success and r["window_start"] == start:
                    r["failures"] = max(0, r["failures"] - before)
                    if r["failures"] < k.limit:
                        r["locked_until"] = None
            self._throttle_save(conn, rows)
        locked = [r["locked_until"] for r in rows if r["locked_until"] is not None]
        return max(locked) if locked else None

    def throttle_clear(self, scope: str, key: str) -> None:
        with self._write() as conn:
            conn.execute(throttles_t.delete().where(throttles_t.c.scope == scope, throttles_t.c.key == key[:255]))

    # ------------------------------------------------------------------ workspaces

    def _members(self, conn: Connection, ids: Sequence[int] | None = None) -> dict[int, frozenset[int]]:
        q = sa.select(members_t.c.workspace_id, members_t.c.user_id)
        if ids is not None:
            q = q.where(members_t.c.workspace_id.in_(list(ids)))
        out: dict[int, set[int]] = {}
        for w, u in conn.execute(q):
            out.setdefault(w, set()).add(u)
        return {k: frozenset(v) for k, v in out.items()}

    @staticmethod
    def _workspace(row, members: dict[int, frozenset[int]]) -> Workspace:
        return Workspace(row.id, row.name, row.platform, row.account, row.currency, row.created_by,
                         row.created_at, row.revision, members.get(row.id, frozenset()))

    def create_workspace(self, name: str, *, by: User | int | None = None, platform: str | None = None,
                         account: str | None = None, currency: str | None = None) -> Workspace:
        """A new, empty workspace. ``name`` (unique, e.g. the client's account name)
        is what must be typed to delete it."""
        name = _workspace_name(name)
        now = self.now()
        try:
            with self._write() as conn:
                wid = conn.execute(workspaces_t.insert().values(
                    name=name, platform=platform, account=account, currency=currency,
                    created_by=_user_id(by), created_at=now)).inserted_primary_key[0]
                row = conn.execute(sa.select(workspaces_t).where(workspaces_t.c.id == wid)).one()
        except sa.exc.IntegrityError as exc:
            raise NameTaken("workspace_exists", name=name) from exc
        return self._workspace(row, {})

    def get_workspace(self, workspace_id: int) -> Workspace:
        with self._read() as conn:
            row = conn.execute(sa.select(workspaces_t).where(workspaces_t.c.id == workspace_id)).first()
            if row is None:
                raise NotFound(f"no workspace {workspace_id}")
            return self._workspace(row, self._members(conn, [workspace_id]))

    def workspace_by_name(self, name: str) -> Workspace | None:
        with self._read() as conn:
            row = conn.execute(sa.select(workspaces_t).where(workspaces_t.c.name == name)).first()
            return None if row is None else self._workspace(row, self._members(conn, [row.id]))

    def list_workspaces(self) -> list[Workspace]:
        """Every workspace, by name (which of them a user may see: :meth:`optimizer.store.auth.Access.workspaces`)."""
        with self._read() as conn:
            members = self._members(conn)
            return [self._workspace(r, members)
                    for r in conn.execute(sa.select(workspaces_t).order_by(workspaces_t.c.name))]

    def rename_workspace(self, workspace_id: int, name: str) -> Workspace:
        name = _workspace_name(name)
        try:
            with self._write() as conn:
                self._bump(conn, workspace_id, values={"name": name})
        except sa.exc.IntegrityError as exc:
            raise NameTaken("workspace_exists", name=name) from exc
        return self.get_workspace(workspace_id)

    def add_member(self, workspace_id: int, user_id: int, *, by: User | int | None = None) -> None:
        """Give a user access to a workspace (see :func:`optimizer.store.auth.can`)."""
        ins = self._insert()
        with self._write() as conn:
            self._bump(conn, workspace_id)
            if conn.execute(sa.select(users_t.c.id).where(users_t.c.id == user_id)).first() is None:
                raise NotFound(f"no user {user_id}")
            conn.execute(ins(members_t).values(workspace_id=workspace_id, user_id=user_id, added_by=_user_id(by),
                                               added_at=self.now()).on_conflict_do_nothing())

    def remove_member(self, workspace_id: int, user_id: int) -> bool:
        with self._write() as conn:
            self._bump(conn, workspace_id)
            return conn.execute(members_t.delete().where(members_t.c.workspace_id == workspace_id,
                                                         members_t.c.user_id == user_id)).rowcount > 0

    def _bump(self, conn: Connection, workspace_id: int, values: dict | None = None) -> None:
        """Bump the workspace's revision inside a write transaction; NotFound when it
        is gone. On PostgreSQL this also locks the workspace row until commit, so
        writes to one workspace queue (and a deleted workspace takes no new rows)."""
        n = conn.execute(workspaces_t.update().where(workspaces_t.c.id == workspace_id)
                         .values(revision=workspaces_t.c.revision + 1, **(values or {}))).rowcount
        if n == 0:
            raise NotFound(f"no workspace {workspace_id}")

    def delete_workspace(self, workspace_id: int, confirm_name: str) -> None:
        """Delete a workspace and everything in it (uploads, rows, lexicon edits,
        bundle decisions, audits, share links) in one transaction. ``confirm_name``
        must be the workspace's exact name (ConfirmationMismatch otherwise; nothing
        is deleted). Offer :meth:`export_workspace_zip` first."""
        with self._write() as conn:
            row = conn.execute(sa.select(workspaces_t.c.name).where(workspaces_t.c.id == workspace_id)
                               .with_for_update()).first()
            if row is None:
                raise NotFound(f"no workspace {workspace_id}")
            if confirm_name != row.name:
                raise ConfirmationMismatch("workspace_confirm", name=row.name)
            up_ids = sa.select(uploads_t.c.id).where(uploads_t.c.workspace_id == workspace_id)
            conn.execute(upload_rows_t.delete().where(upload_rows_t.c.upload_id.in_(up_ids)))
            for t in (uploads_t, lexicon_t, bundles_t, shares_t, audits_t, members_t, notes_t):
                conn.execute(t.delete().where(t.c.workspace_id == workspace_id))
            conn.execute(workspaces_t.delete().where(workspaces_t.c.id == workspace_id))
        self._forget(workspace_id)

    # ------------------------------------------------------------------ uploads

    _UPLOAD_COLS = (uploads_t.c.id, uploads_t.c.workspace_id, uploads_t.c.file_name, uploads_t.c.checksum,
                    uploads_t.c.size, uploads_t.c.uploaded_by, uploads_t.c.uploaded_at, uploads_t.c.platform,
                    uploads_t.c.report_type, uploads_t.c.rows, uploads_t.c.info_json, uploads_t.c.mapping_json,
                    uploads_t.c.account_name, users_t.c.username)

    def _uploads_query(self):
        return (sa.select(*self._UPLOAD_COLS)
                .select_from(uploads_t.outerjoin(users_t, users_t.c.id == uploads_t.c.uploaded_by)))

    @staticmethod
    def _upload(row) -> Upload:
        return Upload(row.id, row.workspace_id, row.file_name, row.checksum, int(row.size), row.uploaded_by,
                      row.username, row.uploaded_at, row.platform, row.report_type, int(row.rows),
                      _info_from_json(row.info_json),
                      ColumnMapping.from_json(row.mapping_json) if row.mapping_json else None, row.account_name)

    def find_upload(self, workspace_id: int, checksum: str) -> Upload | None:
        """The upload of the file with this SHA-256 in the workspace, or None."""
        with self._read() as conn:
            row = conn.execute(self._uploads_query().where(uploads_t.c.workspace_id == workspace_id,
                                                           uploads_t.c.checksum == checksum)).first()
        return None if row is None else self._upload(row)

    def add_upload(self, workspace_id: int, name: str, data: bytes, by: User | int | None = None, *,
                   mapping: ColumnMapping | None = None, export: Export | None = None,
                   account: str | None = None) -> UploadResult:
        """Store one export file in a workspace: the original bytes, their SHA-256,
        who uploaded it when, and the rows read from it, in one transaction.

        - The same file (checksum) already in the workspace: nothing is written and
          the result has ``duplicate=True`` and the earlier upload.
        - A file that cannot be read raises its :class:`~optimizer.errors.IngestError`
          and nothing is written. ``mapping``: the column mapping to read it with
          (kept with the upload). ``export``: the file already read (e.g. by the page
          for its preview) — it must be ``read_export(data, name, mapping=mapping)``.
        - ``account``: the account the file's rows belong to when they name none (see
          :func:`optimizer.model.dataset.account_choice`); kept with the upload.
        - A file that looks like another advertiser's data beside what the workspace
          holds (:func:`optimizer.model.dataset.merge`, kind ``mixup``) raises and nothing is
          written.
        - Anything failing during the write (database error, crash, interruption)
          leaves the database as it was.
        """
        data = bytes(data)
        name = clean_file_name(name)
        checksum = sha256_hex(data)
        self.get_workspace(workspace_id)  # NotFound before any reading
        earlier = self.find_upload(workspace_id, checksum)
        if earlier is not None:
            return UploadResult(earlier, True)
        account = (account or "").strip()[:200] or None
        exp = export if export is not None else read_export(data, name, mapping=mapping, settings=self.settings)
        current = self.workspace_table(workspace_id)
        combined = Combined(current.table, current.reports)
        report = combined.add(exp, account=account)  # raises a mix-up before anything is written
        rows_blob = table_to_parquet(exp.table)
        info = exp.info
        now = self.now()
        uid = _user_id(by)
        try:
            with self._write() as conn:
                self._bump(conn, workspace_id)
                upload_id = conn.execute(uploads_t.insert().values(
                    workspace_id=workspace_id, file_name=name, checksum=checksum, size=len(data), data=data,
                    uploaded_by=uid, uploaded_at=now, platform=info.platform, report_type=info.report_type,
                    rows=len(exp.table), info_json=_info_to_json(info),
                    mapping_json=mapping.to_json() if mapping else None,
                    account_name=account)).inserted_primary_key[0]
                self._write_upload_rows(conn, int(upload_id), rows_blob, len(exp.table))
        except sa.exc.IntegrityError:
            earlier = self.find_upload(workspace_id, checksum)
            if earlier is None:  # some other constraint failed
                raise
            return UploadResult(earlier, True)
        upload = self.get_upload(workspace_id, int(upload_id))
        ids = tuple(u.id for u in current.uploads)
        with self._cache_lock:
            cached = self._cache.get(workspace_id)
            if cached is not None and cached.ids == ids:  # nobody else wrote meanwhile: keep the merge just made
                value = WorkspaceTable(combined.table, tuple(combined.reports), (*current.uploads, upload))
                self._cache[workspace_id] = _Cached((*ids, upload.id), value)
        got = self.workspace_table(workspace_id).report_for(upload.id)
        return UploadResult(upload, False, got if got is not None else report)

    def _write_upload_rows(self, conn: Connection, upload_id: int, blob: bytes, n: int) -> None:
        """The parsed rows of an upload (inside add_upload's transaction)."""
        conn.execute(upload_rows_t.insert().values(upload_id=upload_id, format=ROWS_FORMAT, row_count=n, data=blob))

    def get_upload(self, workspace_id: int, upload_id: int) -> Upload:
        with self._read() as conn:
            row = conn.execute(self._uploads_query().where(uploads_t.c.id == upload_id,
                                                           uploads_t.c.workspace_id == workspace_id)).first()
        if row is None:
            raise NotFound(f"no upload {upload_id} in workspace {workspace_id}")
        return self._upload(row)

    def list_uploads(self, workspace_id: int) -> list[Upload]:
        """The workspace's uploads, oldest first (the order they are merged in)."""
        with self._read() as conn:
            if conn.execute(sa.select(workspaces_t.c.id).where(workspaces_t.c.id == workspace_id)).first() is None:
                raise NotFound(f"no workspace {workspace_id}")
            return [self._upload(r) for r in conn.execute(
                self._uploads_query().where(uploads_t.c.workspace_id == workspace_id).order_by(uploads_t.c.id))]

    def upload_file(self, workspace_id: int, upload_id: int) -> tuple[str, bytes]:
        """(file name, original bytes) of an upload."""
        with self._read() as conn:
            row = conn.execute(sa.select(uploads_t.c.file_name, uploads_t.c.data).where(
                uploads_t.c.id == upload_id, uploads_t.c.workspace_id == workspace_id)).first()
        if row is None:
            raise NotFound(f"no upload {upload_id} in workspace {workspace_id}")
        return row.file_name, bytes(row.data)

    def upload_table(self, workspace_id: int, upload_id: int) -> pd.DataFrame:
        """The rows read from one upload (the canonical table of its file)."""
        tables = self._upload_tables(workspace_id, [upload_id])
        if upload_id not in tables:
            raise NotFound(f"no upload {upload_id} in workspace {workspace_id}")
        return tables[upload_id]

    def _upload_tables(self, workspace_id: int, ids: Sequence[int]) -> dict[int, pd.DataFrame]:
        if not ids:
            return {}
        with self._read() as conn:
            rows = conn.execute(sa.select(upload_rows_t.c.upload_id, upload_rows_t.c.format, upload_rows_t.c.data)
                                .join(uploads_t, uploads_t.c.id == upload_rows_t.c.upload_id)
                                .where(uploads_t.c.workspace_id == workspace_id,
                                       upload_rows_t.c.upload_id.in_(list(ids)))).all()
        out = {}
        for r in rows:
            if r.format != ROWS_FORMAT:
                raise StoreError(f"upload {r.upload_id}: rows stored as {r.format!r}, which this version cannot read")
            out[r.upload_id] = table_from_parquet(bytes(r.data))
        return out

    def delete_upload(self, workspace_id: int, upload_id: int) -> None:
        """Remove one file and its rows from the workspace (the table is rebuilt without it)."""
        self.delete_uploads(workspace_id, [upload_id])

    def delete_uploads(self, workspace_id: int, upload_ids: Sequence[int]) -> None:
        """Remove several files and their rows from the workspace in one transaction:
        all of them, or — when one is not in the workspace (NotFound) or the write
        fails — none."""
        ids = sorted({int(i) for i in upload_ids})
        if not ids:
            return
        with self._write() as conn:
            self._bump(conn, workspace_id)
            n = conn.execute(uploads_t.delete().where(uploads_t.c.id.in_(ids),
                                                      uploads_t.c.workspace_id == workspace_id)).rowcount
            if n != len(ids):
                raise NotFound(f"not every upload of {ids} is in workspace {workspace_id}")
            conn.execute(upload_rows_t.delete().where(upload_rows_t.c.upload_id.in_(ids)))
        self._forget(workspace_id)

    def table_without(self, workspace_id: int, upload_ids: Sequence[int]) -> pd.DataFrame:
        """The workspace's data as it would be without the uploads ``upload_ids``: the
        other uploads merged in upload order, as :meth:`workspace_table` merges them
        (nothing is changed; what deleting them would leave)."""
        gone = {int(i) for i in upload_ids}
        keep = [u for u in self.list_uploads(workspace_id) if u.id not in gone]
        tables = self._upload_tables(workspace_id, [u.id for u in keep])
        table = _combine(Combined(), [u for u in keep if u.id in tables], tables).table
        return empty_table() if table is None else table

    def account_records(self, workspace_id: int, account_key: str) -> list[str]:
        """What the workspace keeps for one account besides its rows (codes):
        ``lexicon`` (a vertical chosen or lexicon edits), ``bundle_map`` (a bundle map
        decided), ``audits`` (landing-page audits)."""
        out = []
        vertical, edits = self.lexicon_settings(workspace_id, account_key)
        if vertical or edits:
            out.append("lexicon")
        if self.bundle_decision(workspace_id, account_key) is not None:
            out.append("bundle_map")
        if self.audits(workspace_id, account_key):
            out.append("audits")
        return out

    def workspace_table(self, workspace_id: int) -> WorkspaceTable:
        """The workspace's data: its uploads merged in upload order
        (:class:`optimizer.model.dataset.Combined`: where two files hold the same rows, the
        newer download's are kept whatever the order; a file that names no account gets
        the account chosen on upload), an empty canonical table when there are none,
        with each upload's merge report. Cached per list of uploads: after a new upload
        only that file is merged."""
        for _attempt in range(5):
            uploads = tuple(self.list_uploads(workspace_id))
            ids = tuple(u.id for u in uploads)
            with self._cache_lock:
                cached = self._cache.get(workspace_id)
            if cached is not None and cached.ids == ids:
                with self._cache_lock:
                    self._cache.move_to_end(workspace_id)
                return cached.value
            start = 0
            combined = Combined()
            if cached is not None and ids[:len(cached.ids)] == cached.ids:
                start = len(cached.ids)
                combined = Combined(cached.value.table, cached.value.reports)
            todo = ids[start:]
            tables = self._upload_tables(workspace_id, todo)
            if len(tables) != len(todo):
                continue  # an upload was deleted meanwhile: read again
            table = _combine(combined, uploads[start:], tables).table
            value = WorkspaceTable(empty_table() if table is None else table, tuple(combined.reports), uploads)
            with self._cache_lock:
                self._cache[workspace_id] = _Cached(ids, value)
                self._cache.move_to_end(workspace_id)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            return value
        raise StoreError(f"workspace {workspace_id} keeps changing while it is read; try again")

    def _forget(self, workspace_id: int) -> None:
        with self._cache_lock:
            self._cache.pop(workspace_id, None)

    # ------------------------------------------------------------------ lexicon

    def lexicon_settings(self, workspace_id: int, account_key: str) -> tuple[str | None, dict[str, str]]:
        """(vertical chosen, edits per language as LexiconEdits JSON) of one account."""
        with self._read() as conn:
            row = conn.execute(sa.select(lexicon_t.c.vertical, lexicon_t.c.edits_json).where(
                lexicon_t.c.workspace_id == workspace_id, lexicon_t.c.account_key == account_key)).first()
        if row is None:
            return None, {}
        return row.vertical, json.loads(row.edits_json)

    def set_lexicon_settings(self, workspace_id: int, account_key: str, *, by: User | int | None = None,
                             vertical: Any = ..., language: str | None = None, edits_json: str | None = None) -> None:
        """Set an account's vertical (``vertical=None`` clears it; omitted: unchanged)
        and/or one language's edits, in one transaction."""
        with self._write() as conn:
            self._bump(conn, workspace_id)
            row = conn.execute(sa.select(lexicon_t.c.vertical, lexicon_t.c.edits_json).where(
                lexicon_t.c.workspace_id == workspace_id, lexicon_t.c.account_key == account_key)
                .with_for_update()).first()
            cur_vertical, edits = (row.vertical, json.loads(row.edits_json)) if row else (None, {})
            if vertical is not ...:
                cur_vertical = vertical
            if language is not None:
                if edits_json is None:
                    edits.pop(language, None)
                else:
                    edits[language] = edits_json
            values = dict(vertical=cur_vertical, edits_json=json.dumps(edits, ensure_ascii=False, sort_keys=True),
                          updated_by=_user_id(by), updated_at=self.now())
            if row is None:
                conn.execute(lexicon_t.insert().values(workspace_id=workspace_id, account_key=account_key, **values))
            else:
                conn.execute(lexicon_t.update().where(lexicon_t.c.workspace_id == workspace_id,
                                                      lexicon_t.c.account_key == account_key).values(**values))

    def all_lexicon_settings(self, workspace_id: int) -> dict[str, tuple[str | None, dict[str, str]]]:
        with self._read() as conn:
            return {r.account_key: (r.vertical, json.loads(r.edits_json)) for r in conn.execute(
                sa.select(lexicon_t).where(lexicon_t.c.workspace_id == workspace_id))}

    # ------------------------------------------------------------------ saved verticals

    def saved_verticals(self) -> list[SavedVerticalRow]:
        """Every saved vertical, by code (their files unchecked: :func:`optimizer.keywords.verticals.catalog_from_store`)."""
        with self._read() as conn:
            rows = conn.execute(sa.select(saved_verticals_t).order_by(saved_verticals_t.c.code)).all()
        return [SavedVerticalRow(**r._mapping) for r in rows]

    def save_vertical(self, code: str, name_zh: str, name_en: str, base: str, lexicon_zh: str, lexicon_en: str, *,
                      by: User | int | None = None, overwrite: bool = False) -> None:
        """Keep a saved vertical (both languages' lexicon files in one transaction). Each
        file is checked first (:func:`optimizer.keywords.lexicon.parse_lexicon`: a damaged one raises
        its :class:`~optimizer.keywords.lexicon.LexiconFileError` and nothing is stored). A code
        already saved raises :class:`Conflict` unless ``overwrite``."""
        from optimizer.keywords.lexicon import parse_lexicon
        for language, text_ in (("zh", lexicon_zh), ("en", lexicon_en)):
            parse_lexicon(text_, code, language)
        values = dict(name_zh=name_zh, name_en=name_en, base=base, lexicon_zh=lexicon_zh, lexicon_en=lexicon_en,
                      saved_by=_user_id(by), saved_at=self.now())
        with self._write() as conn:
            exists = conn.execute(sa.select(saved_verticals_t.c.code).where(
                saved_verticals_t.c.code == code).with_for_update()).first() is not None
            if exists and not overwrite:
                raise Conflict(f"a saved vertical {code!r} exists")
            if exists:
                conn.execute(saved_verticals_t.update().where(saved_verticals_t.c.code == code).values(**values))
            else:
                conn.execute(saved_verticals_t.insert().values(code=code, **values))

    def delete_vertical(self, code: str) -> None:
        """Forget a saved vertical (accounts that chose it are detected again)."""
        with self._write() as conn:
            if not conn.execute(saved_verticals_t.delete().where(saved_verticals_t.c.code == code)).rowcount:
                raise NotFound(f"no saved vertical {code!r}")

    # ------------------------------------------------------------------ bundle decisions

    def save_bundle_decision(self, workspace_id: int, account_key: str, file_name: str, data: bytes, *,
                             proposal: Any = None, by: User | int | None = None) -> BundleDecision:
        """Keep a bundle map for an account (the newest is the one in use; earlier
        ones stay as history). The CSV is checked with
        :func:`optimizer.bundles.targets.read_bundle_sheet` first: a bad file raises its
        ValueError and nothing is stored. ``proposal``: JSON-able, or None."""
        from optimizer.bundles.targets import read_bundle_sheet

        data = bytes(data)
        file_name = clean_file_name(file_name)
        read_bundle_sheet(data, file_name)
        proposal_json = None if proposal is None else json.dumps(proposal, ensure_ascii=False, default=str)
        now = self.now()
        with self._write() as conn:
            self._bump(conn, workspace_id)
            did = conn.execute(bundles_t.insert().values(
                workspace_id=workspace_id, account_key=account_key, file_name=file_name, data=data,
                proposal_json=proposal_json, decided_by=_user_id(by), decided_at=now)).inserted_primary_key[0]
        return BundleDecision(int(did), workspace_id, account_key, file_name, data,
                              None if proposal_json is None else json.loads(proposal_json), _user_id(by), now)

    @staticmethod
    def _decision(r) -> BundleDecision:
        return BundleDecision(r.id, r.workspace_id, r.account_key, r.file_name, bytes(r.data),
                              None if r.proposal_json is None else json.loads(r.proposal_json),
                              r.decided_by, r.decided_at)

    def bundle_decision(self, workspace_id: int, account_key: str) -> BundleDecision | None:
        """The bundle map in use for an account (the newest decision), or None."""
        with self._read() as conn:
            r = conn.execute(sa.select(bundles_t).where(bundles_t.c.workspace_id == workspace_id,
                                                        bundles_t.c.account_key == account_key)
                             .order_by(bundles_t.c.id.desc()).limit(1)).first()
        return None if r is None else self._decision(r)

    def bundle_decisions(self, workspace_id: int, account_key: str | None = None) -> list[BundleDecision]:
        """Every decision of the workspace (or of one account), oldest first."""
        q = sa.select(bundles_t).where(bundles_t.c.workspace_id == workspace_id)
        if account_key is not None:
            q = q.where(bundles_t.c.account_key == account_key)
        with self._read() as conn:
            return [self._decision(r) for r in conn.execute(q.order_by(bundles_t.c.id))]

    # ------------------------------------------------------------------ audits

    def add_audits(self, workspace_id: int, account_key: str, audits: Sequence[tuple[str, dict]], *,
                   keep: int = 5) -> None:
        """Keep page audits ((page key, audit dict)) of an account, the last ``keep`` per page."""
        now = self.now()
        with self._write() as conn:
            self._bump(conn, workspace_id)
            for page, audit in audits:
                conn.execute(audits_t.insert().values(workspace_id=workspace_id, account_key=account_key, page=page,
                                                      audited_at=now, audit_json=json.dumps(audit, ensure_ascii=False)))
                ids = [r.id for r in conn.execute(
                    sa.select(audits_t.c.id).where(audits_t.c.workspace_id == workspace_id,
                                                   audits_t.c.account_key == account_key, audits_t.c.page == page)
                    .order_by(audits_t.c.id.desc()))]
                if len(ids) > keep:
                    conn.execute(audits_t.delete().where(audits_t.c.id.in_(ids[keep:])))

    def audits(self, workspace_id: int, account_key: str) -> dict[str, list[dict]]:
        """Page key -> the kept audits (dicts), oldest first."""
        out: dict[str, list[dict]] = {}
        with self._read() as conn:
            for r in conn.execute(sa.select(audits_t.c.page, audits_t.c.audit_json).where(
                    audits_t.c.workspace_id == workspace_id, audits_t.c.account_key == account_key)
                    .order_by(audits_t.c.id)):
                try:
                    audit = json.loads(r.audit_json)
                except ValueError:
                    audit = None
                if not isinstance(audit, dict):
                    raise DamagedRecord("audits_damaged")
                out.setdefault(r.page, []).append(audit)
        return out

    # ------------------------------------------------------------------ column mappings

    def mapping_json(self, signature: str) -> str | None:
        with self._read() as conn:
            r = conn.execute(sa.select(mappings_t.c.mapping_json).where(mappings_t.c.signature == signature)).first()
        return None if r is None else r.mapping_json

    def save_mapping_json(self, signature: str, mapping_json: str, by: User | int | None = None) -> None:
        with self._write() as conn:
            n = conn.execute(mappings_t.update().where(mappings_t.c.signature == signature).values(
                mapping_json=mapping_json, saved_by=_user_id(by), saved_at=self.now())).rowcount
            if n == 0:
                conn.execute(mappings_t.insert().values(signature=signature, mapping_json=mapping_json,
                                                        saved_by=_user_id(by), saved_at=self.now()))

    def all_mapping_json(self) -> dict[str, str]:
        with self._read() as conn:
            return {r.signature: r.mapping_json for r in conn.execute(sa.select(mappings_t))}

    # ------------------------------------------------------------------ share links

    @staticmethod
    def _share(r) -> ShareLink:
        accts = None if r.accounts_json is None else tuple(tuple(a) for a in json.loads(r.accounts_json))
        return ShareLink(r.id, r.workspace_id, r.token_hash, r.label, r.created_by, r.created_at, r.expires_at,
                         r.revoked_at, r.last_opened_at, bool(r.allow_download), accts)

    def insert_share_link(self, workspace_id: int, token_hash: str, *, expires_at: datetime,
                          label: str | None = None, by: User | int | None = None,
                          allow_download: bool = False,
                          accounts: Sequence[tuple[str, str, str]] | None = None) -> ShareLink:
        """Store a share link by its token's hash (tokens are made in :mod:`optimizer.store.auth`).
        ``accounts``: the (platform, account, currency) it shows; None for all."""
        if not re.fullmatch(r"[0-9a-f]{64}", token_hash):
            raise ValueError("a share link is stored by the SHA-256 hex of its token, never the token")
        label = (label or "").strip()[:200] or None
        now = self.now()
        with self._write() as conn:
            self._bump(conn, workspace_id)
            lid = conn.execute(shares_t.insert().values(
                workspace_id=workspace_id, token_hash=token_hash, label=label, created_by=_user_id(by),
                created_at=now, expires_at=expires_at, allow_download=allow_download,
                accounts_json=None if accounts is None else json.dumps([list(map(str, a)) for a in accounts],
                                                                       ensure_ascii=False))).inserted_primary_key[0]
            return self._share(conn.execute(sa.select(shares_t).where(shares_t.c.id == lid)).one())

    def share_links(self, workspace_id: int) -> list[ShareLink]:
        """The workspace's links, newest first (revoked and expired ones included)."""
        with self._read() as conn:
            return [self._share(r) for r in conn.execute(sa.select(shares_t).where(
                shares_t.c.workspace_id == workspace_id).order_by(shares_t.c.id.desc()))]

    def share_link_by_hash(self, token_hash: str, conn: Connection | None = None) -> ShareLink | None:
        """The link with this token hash; ``conn``: read it in that transaction."""
        if conn is None:
            with self._read() as conn:
                return self.share_link_by_hash(token_hash, conn)
        r = conn.execute(sa.select(shares_t).where(shares_t.c.token_hash == token_hash)).first()
        return None if r is None else self._share(r)

    def revoke_share_link(self, workspace_id: int, link_id: int) -> ShareLink:
        """Revoke a link of this workspace (at once, for every open page)."""
        with self._write() as conn:
            self._bump(conn, workspace_id)
            conn.execute(shares_t.update().where(shares_t.c.id == link_id, shares_t.c.workspace_id == workspace_id,
                                                 shares_t.c.revoked_at.is_(None)).values(revoked_at=self.now()))
            r = conn.execute(sa.select(shares_t).where(shares_t.c.id == link_id,
                                                       shares_t.c.workspace_id == workspace_id)).first()
        if r is None:
            raise NotFound(f"no share link {link_id} in workspace {workspace_id}")
        return self._share(r)

    def touch_share_link(self, link_id: int, when: datetime) -> None:
        with self._write() as conn:
            conn.execute(shares_t.update().where(shares_t.c.id == link_id).values(last_opened_at=when))

    # ------------------------------------------------------------------ notes

    def add_note(self, workspace_id: int, note_date: date, text_: str, *,
                 by: User | int | None = None, account: Any = None) -> WorkspaceNote:
        """Add a dated note (what was changed and why) to a workspace. ``account``: the
        (platform, account, currency) it is about; None: every account."""
        text_ = (text_ or "").strip()
        if not text_:
            raise InvalidInput("note_empty")
        if len(text_) > MAX_NOTE:
            raise InvalidInput("note_too_long", limit=MAX_NOTE, length=len(text_))
        if isinstance(note_date, datetime) or not isinstance(note_date, date):
            raise InvalidInput("note_date")
        if account is not None:
            account = tuple(str(x) for x in account)
            if len(account) != 3:
                raise ValueError("a note's account is (platform, account, currency)")
        now = self.now()
        with self._write() as conn:
            self._bump(conn, workspace_id)
            nid = conn.execute(notes_t.insert().values(
                workspace_id=workspace_id, note_date=note_date, text=text_, author_id=_user_id(by), created_at=now,
                account_json=None if account is None else json.dumps(list(account), ensure_ascii=False),
            )).inserted_primary_key[0]
        return next(n for n in self.notes(workspace_id) if n.id == nid)

    def notes(self, workspace_id: int) -> list[WorkspaceNote]:
        """The workspace's notes, newest date first."""
        q = (sa.select(notes_t, users_t.c.username)
             .select_from(notes_t.outerjoin(users_t, users_t.c.id == notes_t.c.author_id))
             .where(notes_t.c.workspace_id == workspace_id)
             .order_by(notes_t.c.note_date.desc(), notes_t.c.id.desc()))
        with self._read() as conn:
            return [WorkspaceNote(r.id, r.workspace_id, r.note_date, r.text, r.author_id, r.username, r.created_at,
                                  None if r.account_json is None else tuple(json.loads(r.account_json)))
                    for r in conn.execute(q)]

    def delete_note(self, workspace_id: int, note_id: int) -> None:
        with self._write() as conn:
            self._bump(conn, workspace_id)
            n = conn.execute(notes_t.delete().where(notes_t.c.id == note_id,
                                                    notes_t.c.workspace_id == workspace_id)).rowcount
            if n == 0:
                raise NotFound(f"no note {note_id} in workspace {workspace_id}")

    # ------------------------------------------------------------------ app settings

    def setting(self, key: str) -> str | None:
        with self._read() as conn:
            r = conn.execute(sa.select(settings_t.c.value).where(settings_t.c.key == key)).first()
        return None if r is None else r.value

    def set_setting(self, key: str, value: str) -> None:
        with self._write() as conn:
            n = conn.execute(settings_t.update().where(settings_t.c.key == key).values(value=value)).rowcount
            if n == 0:
                conn.execute(settings_t.insert().values(key=key, value=value))

    def claim_setting(self, key: str, value: str) -> bool:
        """Set ``key`` only when it is not set yet (atomic): True when this call set it."""
        with self._write() as conn:
            r = conn.execute(self._insert()(settings_t).values(key=key, value=value).on_conflict_do_nothing()
                             .returning(settings_t.c.key))
            return r.first() is not None

    # ------------------------------------------------------------------ export

    def export_workspace_zip(self, workspace_id: int) -> bytes:
        """A zip of everything needed to keep or rebuild the workspace: the original
        files (``files/NNN_name``), the bundle maps decided (``bundle_maps/``), the
        lexicon settings (``lexicon.json``) and ``manifest.json`` (workspace, each
        file's checksum, uploader, time, platform, report type, rows)."""
        ws = self.get_workspace(workspace_id)
        uploads = self.list_uploads(workspace_id)
        users = {u.id: u.username for u in self.list_users()}
        buf = io.BytesIO()
        manifest: dict[str, Any] = {
            "workspace": {"id": ws.id, "name": ws.name, "platform": ws.platform, "account": ws.account,
                          "currency": ws.currency, "created_by": users.get(ws.created_by),
                          "created_at": ws.created_at.isoformat()},
            "exported_at": self.now().isoformat(), "schema_version": SCHEMA_VERSION,
            "files": [], "bundle_maps": []}
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for i, u in enumerate(uploads, 1):
                name, data = self.upload_file(workspace_id, u.id)
                path = f"files/{i:03d}_{name}"
                zf.writestr(path, data)
                manifest["files"].append({
                    "path": path, "file_name": name, "sha256": u.checksum, "size": u.size,
                    "uploaded_by": u.uploaded_by_name, "uploaded_at": u.uploaded_at.isoformat(),
                    "platform": u.platform, "report_type": u.report_type, "rows": u.rows,
                    "mapping": json.loads(u.mapping.to_json()) if u.mapping else None})
            for i, d in enumerate(self.bundle_decisions(workspace_id), 1):
                path = f"bundle_maps/{i:03d}_{d.file_name}"
                zf.writestr(path, d.data)
                manifest["bundle_maps"].append({"path": path, "account_key": d.account_key,
                                                "decided_by": users.get(d.decided_by),
                                                "decided_at": d.decided_at.isoformat(), "proposal": d.proposal})
            lex = {k: {"vertical": v, "edits": {lang: json.loads(e) for lang, e in edits.items()}}
                   for k, (v, edits) in self.all_lexicon_settings(workspace_id).items()}
            zf.writestr("lexicon.json", json.dumps(lex, ensure_ascii=False, indent=1, sort_keys=True))
            notes = [{"date": n.note_date.isoformat(), "text": n.text, "author": n.author_name,
                      "created_at": n.created_at.isoformat(), "account": n.account and list(n.account)}
                     for n in self.notes(workspace_id)]
            zf.writestr("notes.json", json.dumps(notes, ensure_ascii=False, indent=1))
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        return buf.getvalue()


# ====================================================================== adapters

class WorkspaceLexiconStore:
    """:class:`optimizer.keywords.lexicon.AccountLexiconStore`'s interface over one workspace
    in the store (``vertical``, ``set_vertical``, ``edits``, ``set_edits``), so that
    pages written for the JSON file work unchanged. ``by``: who edits."""

    def __init__(self, store: Store, workspace_id: int, by: User | int | None = None) -> None:
        self.store, self.workspace_id, self.by = store, workspace_id, by

    def vertical(self, account: str) -> str | None:
        return self.store.lexicon_settings(self.workspace_id, account)[0]

    def set_vertical(self, account: str, vertical: str | None) -> None:
        self.store.set_lexicon_settings(self.workspace_id, account, by=self.by, vertical=vertical)

    def edits(self, account: str):
        from optimizer.keywords.lexicon import LexiconEdits
        return {lang: LexiconEdits.from_json(t) for lang, t in
                self.store.lexicon_settings(self.workspace_id, account)[1].items()}

    def set_edits(self, account: str, language: str, edits) -> None:
        self.store.set_lexicon_settings(self.workspace_id, account, by=self.by, language=language,
                                        edits_json=edits.to_json())


class DbMappingStore:
    """:class:`optimizer.reading.mappings.MappingStore`'s interface (``get``, ``save``,
    ``all``) over the store: saved column mappings shared by every workspace."""

    def __init__(self, store: Store, by: User | int | None = None) -> None:
        self.store, self.by = store, by

    def get(self, signature: str) -> ColumnMapping | None:
        text_ = self.store.mapping_json(signature)
        return ColumnMapping.from_json(text_) if text_ else None

    def save(self, signature: str, mapping: ColumnMapping) -> None:
        self.store.save_mapping_json(signature, mapping.to_json(), by=self.by)

    def all(self) -> dict[str, ColumnMapping]:
        return {k: ColumnMapping.from_json(v) for k, v in self.store.all_mapping_json().items()}


class WorkspaceAuditStore:
    """:class:`optimizer.landing.audit.AuditStore`'s interface (``add``, ``history``,
    ``latest``, ``previous``) over one workspace in the store."""

    KEEP = 5

    def __init__(self, store: Store, workspace_id: int) -> None:
        self.store, self.workspace_id = store, workspace_id

    def add(self, account: str, audits, key=None) -> None:
        self.store.add_audits(self.workspace_id, account,
                              [(key(a) if key else a.url, a.to_dict()) for a in audits], keep=self.KEEP)

    def history(self, account: str, page: str):
        from optimizer.landing.audit import PageAudit
        return [PageAudit.from_dict(d) for d in self.store.audits(self.workspace_id, account).get(page, [])]

    def latest(self, account: str):
        from optimizer.landing.audit import PageAudit
        return {k: PageAudit.from_dict(v[-1]) for k, v in self.store.audits(self.workspace_id, account).items() if v}

    def previous(self, account: str):
        from optimizer.landing.audit import PageAudit
        return {k: PageAudit.from_dict(v[-2]) for k, v in self.store.audits(self.workspace_id, account).items()
                if len(v) >= 2}
