"""Users and sessions, workspaces, uploads and their rows, lexicon settings, bundle
decisions, share links, rate-limit counters, column mappings.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
#: the description the schema_version table of older releases recorded
description = "initial schema"


def _id():
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _user_fk(name):
    return sa.Column(name, sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


def _ws_fk():
    return sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table("users", _id(),
                    sa.Column("username", sa.String(64), nullable=False, unique=True),
                    sa.Column("password_hash", sa.String(255), nullable=False),
                    sa.Column("role", sa.String(16), nullable=False),
                    sa.Column("created_at", sa.DateTime, nullable=False),
                    sa.Column("password_changed_at", sa.DateTime, nullable=False),
                    sa.Column("disabled", sa.Boolean, nullable=False),
                    sa.CheckConstraint("role in ('admin', 'optimizer', 'analyst')", name="ck_users_role"),
                    sqlite_autoincrement=True)
    op.create_table("sessions",
                    sa.Column("token_hash", sa.String(64), primary_key=True),
                    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                              index=True),
                    sa.Column("created_at", sa.DateTime, nullable=False),
                    sa.Column("expires_at", sa.DateTime, nullable=False),
                    sa.Column("last_seen", sa.DateTime, nullable=False),
                    sa.Column("source", sa.String(255), nullable=True))
    op.create_table("workspaces", _id(),
                    sa.Column("name", sa.String(200), nullable=False, unique=True),
                    sa.Column("platform", sa.String(32), nullable=True),
                    sa.Column("account", sa.String(200), nullable=True),
                    sa.Column("currency", sa.String(8), nullable=True),
                    _user_fk("created_by"),
                    sa.Column("created_at", sa.DateTime, nullable=False),
                    sqlite_autoincrement=True)
    op.create_table("uploads", _id(), _ws_fk(),
                    sa.Column("file_name", sa.String(255), nullable=False),
                    sa.Column("checksum", sa.String(64), nullable=False),
                    sa.Column("size", sa.BigInteger, nullable=False),
                    sa.Column("data", sa.LargeBinary, nullable=False),
                    _user_fk("uploaded_by"),
                    sa.Column("uploaded_at", sa.DateTime, nullable=False),
                    sa.Column("platform", sa.String(32), nullable=False),
                    sa.Column("report_type", sa.String(32), nullable=False),
                    sa.Column("rows", sa.Integer, nullable=False),
                    sa.Column("info_json", sa.Text, nullable=False),
                    sa.Column("mapping_json", sa.Text, nullable=True),
                    sa.UniqueConstraint("workspace_id", "checksum", name="uq_uploads_workspace_checksum"),
                    sqlite_autoincrement=True)
    op.create_table("upload_rows",
                    sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id", ondelete="CASCADE"),
                              primary_key=True),
                    sa.Column("format", sa.String(16), nullable=False),
                    sa.Column("row_count", sa.Integer, nullable=False),
                    sa.Column("data", sa.LargeBinary, nullable=False))
    op.create_table("lexicon_settings",
                    sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
                              primary_key=True),
                    sa.Column("account_key", sa.String(400), primary_key=True),
                    sa.Column("vertical", sa.String(32), nullable=True),
                    sa.Column("edits_json", sa.Text, nullable=False),
                    _user_fk("updated_by"),
                    sa.Column("updated_at", sa.DateTime, nullable=False))
    op.create_table("bundle_decisions", _id(), _ws_fk(),
                    sa.Column("account_key", sa.String(400), nullable=False),
                    sa.Column("file_name", sa.String(255), nullable=False),
                    sa.Column("data", sa.LargeBinary, nullable=False),
                    sa.Column("proposal_json", sa.Text, nullable=True),
                    _user_fk("decided_by"),
                    sa.Column("decided_at", sa.DateTime, nullable=False),
                    sa.Index("ix_bundle_decisions_ws_account", "workspace_id", "account_key"),
                    sqlite_autoincrement=True)
    op.create_table("share_links", _id(), _ws_fk(),
                    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
                    sa.Column("label", sa.String(200), nullable=True),
                    _user_fk("created_by"),
                    sa.Column("created_at", sa.DateTime, nullable=False),
                    sa.Column("expires_at", sa.DateTime, nullable=False),
                    sa.Column("revoked_at", sa.DateTime, nullable=True),
                    sa.Column("last_opened_at", sa.DateTime, nullable=True),
                    sa.Column("allow_download", sa.Boolean, nullable=False),
                    sa.Index("ix_share_links_workspace", "workspace_id"),
                    sqlite_autoincrement=True)
    op.create_table("throttles",
                    sa.Column("scope", sa.String(32), primary_key=True),
                    sa.Column("key", sa.String(255), primary_key=True),
                    sa.Column("failures", sa.Integer, nullable=False),
                    sa.Column("window_start", sa.DateTime, nullable=False),
                    sa.Column("locked_until", sa.DateTime, nullable=True))
    op.create_table("column_mappings",
                    sa.Column("signature", sa.String(128), primary_key=True),
                    sa.Column("mapping_json", sa.Text, nullable=False),
                    _user_fk("saved_by"),
                    sa.Column("saved_at", sa.DateTime, nullable=False))


def downgrade() -> None:
    raise NotImplementedError("the store never downgrades a database")
