"""Storage: workspaces, their uploads, lexicon edits, bundle decisions, share links,
users and sessions, notes and results, in one database (SQLite by default, PostgreSQL
when a URL is set). :class:`Store` is the one object callers use; it is assembled here
from one part per kind of record — :mod:`.users` (users, sessions), :mod:`.workspaces`
(workspaces, members, export), :mod:`.uploads` (uploads and their rows),
:mod:`.settings` (lexicon, bundle decisions, saved verticals, column mappings, app
settings), :mod:`.shares` (share links, rate limits), :mod:`.notes`, :mod:`.audits`,
:mod:`.results` (analyses kept per data version), :mod:`.changes` (the change log), :mod:`.alerts_store` (alert channels,
preferences and the sent/failed log) — over :mod:`.base`, :mod:`.engine`
(URL, engine, transactions, errors) and :mod:`.tables`. Every public name of the parts
is importable from here.

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
    is retried with backoff within the busy timeout (:func:`optimizer.store.engine.write`).

Operational failures
    A database that cannot be used — locked past the busy timeout, a full disk, a
    read-only data folder or database file, a disk error, an unreachable PostgreSQL
    server — raises :class:`StoreUnavailable` (``code``, ``message(lang)`` in Chinese
    and English from :data:`optimizer.errors.STORE_MESSAGES`), never the driver's
    ``OperationalError``: the engine's ``handle_error`` hook translates them in one
    place, and the failed transaction has rolled back. Any other database error (a
    bug) raises as itself.

One schema, versioned by Alembic
    The tables are declared once (:mod:`optimizer.store.tables`, the current schema);
    the schema's history is a chain of Alembic revisions kept in the package
    (``optimizer/store/migrations/versions``), run by :func:`migrate`
    (:mod:`optimizer.store.schema`; :meth:`Store.open` calls it) in one transaction,
    under a lock (SQLite's write lock, a PostgreSQL advisory lock) so two servers
    starting at once migrate once. A database made before Alembic (its table
    ``schema_version`` at version 1 … 8) is recognised, stamped at that revision and
    upgraded in place. A database newer than the code is refused
    (:class:`SchemaTooNew`), never downgraded.

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

from optimizer.store.alerts_store import AlertChannel, AlertLogRow, AlertsMixin
from optimizer.store.audits import AuditsMixin, WorkspaceAuditStore
from optimizer.store.base import StoreBase, clean_file_name, sha256_hex
from optimizer.store.changes import ChangesMixin, Recorded, record_download
from optimizer.store.engine import (BUSY_TIMEOUT_ENV, DATA_DIR_ENV, DATABASE_URL_ENV, DEFAULT_BUSY_TIMEOUT, SQLITE_FILE,
                                    ConfirmationMismatch, Conflict, DamagedRecord, NameTaken, NotFound, SchemaTooNew,
                                    StoreError, StoreUnavailable, busy_timeout_setting, create_engine, database_url,
                                    default_data_dir)
from optimizer.store.notes import MAX_NOTE, NotesMixin, WorkspaceNote
from optimizer.store.results import ResultsMixin
from optimizer.store.schema import head, migrate, schema_version
from optimizer.store.settings import (BundleDecision, DbMappingStore, SavedVerticalRow, SettingsMixin,
                                      WorkspaceLexiconStore)
from optimizer.store.shares import ShareLink, SharesMixin, ThrottleKey, ThrottleTicket
from optimizer.store.tables import (UTC, UTCDateTime, alert_channels_t, alert_log_t, alert_prefs_t, audits_t,
                                    bundles_t, change_log_t, lexicon_t, mappings_t, members_t, metadata,
                                    notes_t, results_t, saved_verticals_t, schema_version_t, session_codes_t,
                                    sessions_t, settings_t, shares_t, throttles_t, upload_rows_t, uploads_t, users_t,
                                    workspaces_t)
from optimizer.store.uploads import (ROWS_FORMAT, Upload, UploadResult, UploadsMixin, WorkspaceTable,
                                     table_from_parquet, table_to_parquet)
from optimizer.store.users import Session, User, UsersMixin
from optimizer.store.workspaces import MAX_WORKSPACE_NAME, Workspace, WorkspacesMixin

#: The current schema's version (the newest Alembic revision's number).
SCHEMA_VERSION = head()


class Store(UsersMixin, WorkspacesMixin, UploadsMixin, SettingsMixin, SharesMixin, NotesMixin, AuditsMixin,
            ResultsMixin, ChangesMixin, AlertsMixin, StoreBase):
    """The product's database (see the module's documentation): one object with every
    part's methods. Thread-safe: one Store (one connection pool) is meant to be shared
    by every session of a server; several servers may share a database.

    ``clock`` returns the current time (timezone-aware); tests pass a fake one.
    ``settings`` are the readers' settings used by :meth:`add_upload`.
    """


__all__ = [
    "Store", "StoreBase", "SCHEMA_VERSION", "migrate", "schema_version", "head",
    # errors
    "StoreError", "NotFound", "Conflict", "NameTaken", "ConfirmationMismatch", "DamagedRecord", "SchemaTooNew",
    "StoreUnavailable",
    # records
    "User", "Session", "Workspace", "Upload", "UploadResult", "WorkspaceTable", "ShareLink", "ThrottleKey",
    "ThrottleTicket", "SavedVerticalRow", "BundleDecision", "WorkspaceNote", "Recorded", "record_download",
    "AlertChannel", "AlertLogRow",
    # adapters
    "WorkspaceLexiconStore", "DbMappingStore", "WorkspaceAuditStore",
    # engine
    "DATABASE_URL_ENV", "BUSY_TIMEOUT_ENV", "DATA_DIR_ENV", "DEFAULT_BUSY_TIMEOUT", "SQLITE_FILE", "ROWS_FORMAT",
    "MAX_NOTE", "MAX_WORKSPACE_NAME", "UTC", "busy_timeout_setting", "create_engine", "database_url",
    "default_data_dir",
    # helpers
    "clean_file_name", "sha256_hex", "table_from_parquet", "table_to_parquet",
    # tables
    "UTCDateTime", "metadata", "schema_version_t", "users_t", "sessions_t", "session_codes_t", "workspaces_t",
    "members_t", "uploads_t", "upload_rows_t", "lexicon_t", "bundles_t", "shares_t", "throttles_t", "mappings_t",
    "audits_t", "notes_t", "settings_t", "saved_verticals_t", "results_t", "change_log_t", "alert_channels_t",
    "alert_prefs_t", "alert_log_t",
]
