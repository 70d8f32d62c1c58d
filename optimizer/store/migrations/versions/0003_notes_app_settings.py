"""Notes (what the optimizer changed in a workspace and why, dated, shown to the
client) and app settings (small key/value facts, e.g. which workspace is the bundled
sample).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
description = "notes, app settings"


def upgrade() -> None:
    op.create_table("notes",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
                              nullable=False),
                    sa.Column("note_date", sa.Date, nullable=False),
                    sa.Column("text", sa.Text, nullable=False),
                    sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
                    sa.Column("created_at", sa.DateTime, nullable=False),
                    sa.Index("ix_notes_workspace", "workspace_id"),
                    sqlite_autoincrement=True)
    op.create_table("app_settings",
                    sa.Column("key", sa.String(64), primary_key=True),
                    sa.Column("value", sa.Text, nullable=False))


def downgrade() -> None:
    raise NotImplementedError("the store never downgrades a database")
