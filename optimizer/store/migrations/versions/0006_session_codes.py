"""One-time codes that turn a sign-in into a session cookie (kept across a refresh).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
description = "session-cookie codes"


def upgrade() -> None:
    op.create_table("session_codes",
                    sa.Column("code_hash", sa.String(64), primary_key=True),
                    sa.Column("token_hash", sa.String(64), sa.ForeignKey("sessions.token_hash", ondelete="CASCADE"),
                              nullable=False, index=True),
                    sa.Column("sealed", sa.String(128), nullable=False),
                    sa.Column("expires_at", sa.DateTime, nullable=False))


def downgrade() -> None:
    raise NotImplementedError("the store never downgrades a database")
