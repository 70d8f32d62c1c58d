"""Workspace members (a workspace shared between optimizers), page audits, and a
revision counter on workspaces (bumped by every write to a workspace).

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
description = "workspace members, audits, workspace revision"


def upgrade() -> None:
    op.create_table("workspace_members",
                    sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
                              primary_key=True),
                    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                              primary_key=True, index=True),
                    sa.Column("added_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
                    sa.Column("added_at", sa.DateTime, nullable=False))
    op.create_table("audits",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
                              nullable=False),
                    sa.Column("account_key", sa.String(400), nullable=False),
                    sa.Column("page", sa.Text, nullable=False),
                    sa.Column("audited_at", sa.DateTime, nullable=False),
                    sa.Column("audit_json", sa.Text, nullable=False),
                    sa.Index("ix_audits_ws_account", "workspace_id", "account_key"),
                    sqlite_autoincrement=True)
    op.add_column("workspaces", sa.Column("revision", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    raise NotImplementedError("the store never downgrades a database")
