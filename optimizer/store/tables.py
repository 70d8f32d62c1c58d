"""The store's tables as they are now (:data:`metadata`: what the queries use). How a
database gets there is the Alembic revisions' business (:mod:`optimizer.store.schema`,
``migrations/versions``); ``tests/test_store.py`` checks that migrating through every
revision gives exactly these tables."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

UTC = timezone.utc


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


def _ws_fk() -> sa.Column:
    return sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)


metadata = sa.MetaData()

#: The versions older releases recorded (1 … 8, one row each): kept, and given a row for
#: every revision applied since, so that an older release opening a newer database
#: refuses it (its SchemaTooNew) instead of misreading it. The version in force is
#: Alembic's (``alembic_version``, see :mod:`optimizer.store.schema`).
schema_version_t = sa.Table("schema_version", metadata,
                            sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
                            sa.Column("description", sa.Text, nullable=False),
                            sa.Column("applied_at", UTCDateTime, nullable=False))

users_t = sa.Table("users", metadata, _id(),
                   sa.Column("username", sa.String(64), nullable=False, unique=True),
                   sa.Column("password_hash", sa.String(255), nullable=False),
                   sa.Column("role", sa.String(16), nullable=False),
                   sa.Column("created_at", UTCDateTime, nullable=False),
                   sa.Column("password_changed_at", UTCDateTime, nullable=False),
                   sa.Column("disabled", sa.Boolean, nullable=False, default=False),
                   sa.CheckConstraint("role in ('admin', 'optimizer', 'analyst')", name="ck_users_role"),
                   sqlite_autoincrement=True)

sessions_t = sa.Table("sessions", metadata,
                      sa.Column("token_hash", sa.String(64), primary_key=True),
                      sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                                nullable=False, index=True),
                      sa.Column("created_at", UTCDateTime, nullable=False),
                      sa.Column("expires_at", UTCDateTime, nullable=False),
                      sa.Column("last_seen", UTCDateTime, nullable=False),
                      sa.Column("source", sa.String(255), nullable=True))

#: One-time codes a signed-in page hands its browser to get the session cookie
#: (:func:`optimizer.store.auth.issue_cookie_code`): the code's hash, the session's token
#: sealed with a key derived from the code, a minute to live.
session_codes_t = sa.Table("session_codes", metadata,
                           sa.Column("code_hash", sa.String(64), primary_key=True),
                           sa.Column("token_hash", sa.String(64),
                                     sa.ForeignKey("sessions.token_hash", ondelete="CASCADE"), nullable=False,
                                     index=True),
                           sa.Column("sealed", sa.String(128), nullable=False),
                           sa.Column("expires_at", UTCDateTime, nullable=False))

workspaces_t = sa.Table("workspaces", metadata, _id(),
                        sa.Column("name", sa.String(200), nullable=False, unique=True),
                        sa.Column("platform", sa.String(32), nullable=True),
                        sa.Column("account", sa.String(200), nullable=True),
                        sa.Column("currency", sa.String(8), nullable=True),
                        _user_fk("created_by"),
                        sa.Column("created_at", UTCDateTime, nullable=False),
                        sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
                        sqlite_autoincrement=True)

members_t = sa.Table("workspace_members", metadata,
                     sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
                               primary_key=True),
                     sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                               primary_key=True, index=True),
                     _user_fk("added_by"),
                     sa.Column("added_at", UTCDateTime, nullable=False))

uploads_t = sa.Table("uploads", metadata, _id(), _ws_fk(),
                     sa.Column("account_name", sa.String(200), nullable=True),
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

upload_rows_t = sa.Table("upload_rows", metadata,
                         sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id", ondelete="CASCADE"),
                                   primary_key=True),
                         sa.Column("format", sa.String(16), nullable=False),
                         sa.Column("row_count", sa.Integer, nullable=False),
                         sa.Column("data", sa.LargeBinary, nullable=False))

lexicon_t = sa.Table("lexicon_settings", metadata,
                     sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
                               primary_key=True),
                     sa.Column("account_key", sa.String(400), primary_key=True),
                     sa.Column("vertical", sa.String(32), nullable=True),
                     sa.Column("edits_json", sa.Text, nullable=False),
                     _user_fk("updated_by"),
                     sa.Column("updated_at", UTCDateTime, nullable=False))

bundles_t = sa.Table("bundle_decisions", metadata, _id(), _ws_fk(),
                     sa.Column("account_key", sa.String(400), nullable=False),
                     sa.Column("file_name", sa.String(255), nullable=False),
                     sa.Column("data", sa.LargeBinary, nullable=False),
                     sa.Column("proposal_json", sa.Text, nullable=True),
                     _user_fk("decided_by"),
                     sa.Column("decided_at", UTCDateTime, nullable=False),
                     sa.Index("ix_bundle_decisions_ws_account", "workspace_id", "account_key"),
                     sqlite_autoincrement=True)

shares_t = sa.Table("share_links", metadata, _id(), _ws_fk(),
                    sa.Column("accounts_json", sa.Text, nullable=True),
                    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
                    sa.Column("label", sa.String(200), nullable=True),
                    _user_fk("created_by"),
                    sa.Column("created_at", UTCDateTime, nullable=False),
                    sa.Column("expires_at", UTCDateTime, nullable=False),
                    sa.Column("revoked_at", UTCDateTime, nullable=True),
                    sa.Column("last_opened_at", UTCDateTime, nullable=True),
                    sa.Column("allow_download", sa.Boolean, nullable=False, default=False),
                    # the client view shows "what we changed and what it did" (the change log)
                    sa.Column("show_changes", sa.Boolean, nullable=False, default=False,
                              server_default=sa.false()),
                    sa.Index("ix_share_links_workspace", "workspace_id"),
                    sqlite_autoincrement=True)

throttles_t = sa.Table("throttles", metadata,
                       sa.Column("scope", sa.String(32), primary_key=True),
                       sa.Column("key", sa.String(255), primary_key=True),
                       sa.Column("failures", sa.Integer, nullable=False),
                       sa.Column("window_start", UTCDateTime, nullable=False),
                       sa.Column("locked_until", UTCDateTime, nullable=True),
                       # attempts reserved and still being checked (see Store.throttle_reserve)
                       sa.Column("pending", sa.Integer, nullable=False, server_default="0"))

mappings_t = sa.Table("column_mappings", metadata,
                      sa.Column("signature", sa.String(128), primary_key=True),
                      sa.Column("mapping_json", sa.Text, nullable=False),
                      _user_fk("saved_by"),
                      sa.Column("saved_at", UTCDateTime, nullable=False))

audits_t = sa.Table("audits", metadata, _id(), _ws_fk(),
                    sa.Column("account_key", sa.String(400), nullable=False),
                    sa.Column("page", sa.Text, nullable=False),
                    sa.Column("audited_at", UTCDateTime, nullable=False),
                    sa.Column("audit_json", sa.Text, nullable=False),
                    sa.Index("ix_audits_ws_account", "workspace_id", "account_key"),
                    sqlite_autoincrement=True)

notes_t = sa.Table("notes", metadata, _id(), _ws_fk(),
                   # the (platform, account, currency) a note is about; NULL: every account
                   sa.Column("account_json", sa.Text, nullable=True),
                   sa.Column("note_date", sa.Date, nullable=False),
                   sa.Column("text", sa.Text, nullable=False),
                   _user_fk("author_id"),
                   sa.Column("created_at", UTCDateTime, nullable=False),
                   sa.Index("ix_notes_workspace", "workspace_id"),
                   sqlite_autoincrement=True)

#: Changes downloaded from the product (:mod:`optimizer.store.changes`): one row per change of
#: the change table (``optimizer.actions.changes.CHANGE_COLUMNS``) per account and download day,
#: with the day it is deemed applied (the download day unless corrected).
change_log_t = sa.Table("change_log", metadata, _id(), _ws_fk(),
                        sa.Column("account_key", sa.String(400), nullable=False),
                        sa.Column("change_id", sa.String(40), nullable=False),
                        sa.Column("action", sa.String(16), nullable=False),
                        sa.Column("level", sa.String(16), nullable=False),
                        sa.Column("campaign", sa.Text, nullable=False),
                        sa.Column("ad_group", sa.Text, nullable=False),
                        sa.Column("keyword", sa.Text, nullable=False),
                        sa.Column("match_type", sa.String(16), nullable=False),
                        sa.Column("keyword_id", sa.Text, nullable=False),
                        sa.Column("field", sa.String(32), nullable=False),
                        sa.Column("before", sa.Text, nullable=False),
                        sa.Column("after", sa.Text, nullable=False),
                        sa.Column("reason_zh", sa.Text, nullable=False),
                        sa.Column("reason_en", sa.Text, nullable=False),
                        sa.Column("money", sa.Float, nullable=True),
                        sa.Column("money_basis", sa.String(16), nullable=False),
                        sa.Column("target", sa.String(32), nullable=False),
                        sa.Column("downloaded_on", sa.Date, nullable=False),
                        sa.Column("downloaded_at", UTCDateTime, nullable=False),
                        _user_fk("downloaded_by"),
                        sa.Column("applied_on", sa.Date, nullable=False),
                        sa.UniqueConstraint("workspace_id", "account_key", "change_id", "downloaded_on",
                                            name="uq_change_log_download"),
                        sa.Index("ix_change_log_ws_account", "workspace_id", "account_key"),
                        sqlite_autoincrement=True)

settings_t = sa.Table("app_settings", metadata,
                      sa.Column("key", sa.String(64), primary_key=True),
                      sa.Column("value", sa.Text, nullable=False))

#: Verticals optimizers saved from an account's lexicon (:mod:`optimizer.keywords.verticals`),
#: shared by every workspace: a code, its names and one lexicon file (TOML) per language.
saved_verticals_t = sa.Table("saved_verticals", metadata,
                             sa.Column("code", sa.String(32), primary_key=True),
                             sa.Column("name_zh", sa.String(100), nullable=False),
                             sa.Column("name_en", sa.String(100), nullable=False),
                             sa.Column("base", sa.String(32), nullable=False),
                             sa.Column("lexicon_zh", sa.Text, nullable=False),
                             sa.Column("lexicon_en", sa.Text, nullable=False),
                             _user_fk("saved_by"),
                             sa.Column("saved_at", UTCDateTime, nullable=False))

#: Analyses of an account computed once per data version and kept (:mod:`optimizer.store.results`):
#: one blob per (workspace, account key "platform:account:currency", piece, SHA-256 of the inputs).
results_t = sa.Table("results", metadata, _id(), _ws_fk(),
                     sa.Column("account", sa.String(400), nullable=False),
                     sa.Column("piece", sa.String(64), nullable=False),
                     sa.Column("key", sa.String(64), nullable=False),
                     sa.Column("payload", sa.LargeBinary, nullable=False),
                     sa.Column("created_at", UTCDateTime, nullable=False),
                     sa.UniqueConstraint("workspace_id", "account", "piece", "key", name="uq_results_key"),
                     sqlite_autoincrement=True)

#: Alert channels (:mod:`optimizer.store.alerts_store`, :mod:`optimizer.notify`): one per
#: channel a user set up (``user_id`` NULL: local mode, before any account exists). What
#: can be shown is in ``config_json``; the webhook URL, SMTP password and signing secret
#: are sealed (Fernet) in ``sealed``; ``hint`` is their masked form (e.g. ``••••a1b2``).
alert_channels_t = sa.Table("alert_channels", metadata, _id(),
                            sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                                      nullable=True),
                            sa.Column("kind", sa.String(16), nullable=False),
                            sa.Column("name", sa.String(100), nullable=False),
                            sa.Column("config_json", sa.Text, nullable=False),
                            sa.Column("sealed", sa.Text, nullable=False),
                            sa.Column("hint", sa.String(200), nullable=False),
                            sa.Column("enabled", sa.Boolean, nullable=False),
                            sa.Column("created_at", UTCDateTime, nullable=False),
                            sa.Column("updated_at", UTCDateTime, nullable=False),
                            sa.Index("ix_alert_channels_user", "user_id"),
                            sqlite_autoincrement=True)

#: A user's alert preferences (digest time, time zone, severities alerted at once, language), JSON.
alert_prefs_t = sa.Table("alert_prefs", metadata, _id(),
                         sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                                   nullable=True),
                         sa.Column("prefs_json", sa.Text, nullable=False),
                         sa.Column("updated_at", UTCDateTime, nullable=False),
                         sa.Index("ix_alert_prefs_user", "user_id"),
                         sqlite_autoincrement=True)

#: What was sent to each channel: one row per (channel, event key) — the key never goes
#: out twice — with its status (``pending`` being sent, ``sent``, ``failed``), attempts
#: and the last error (never a secret).
alert_log_t = sa.Table("alert_log", metadata, _id(),
                       sa.Column("channel_id", sa.Integer, sa.ForeignKey("alert_channels.id", ondelete="CASCADE"),
                                 nullable=False),
                       sa.Column("event_key", sa.String(64), nullable=False),
                       sa.Column("kind", sa.String(16), nullable=False),
                       sa.Column("item_json", sa.Text, nullable=False),
                       sa.Column("status", sa.String(16), nullable=False),
                       sa.Column("attempts", sa.Integer, nullable=False),
                       sa.Column("error", sa.Text, nullable=True),
                       sa.Column("created_at", UTCDateTime, nullable=False),
                       sa.Column("last_try_at", UTCDateTime, nullable=False),
                       sa.Column("sent_at", UTCDateTime, nullable=True),
                       sa.UniqueConstraint("channel_id", "event_key", name="uq_alert_log_channel_event"),
                       sa.Index("ix_alert_log_status", "status"),
                       sqlite_autoincrement=True)
