"""Saved verticals: an account's lexicon saved under a name, for every workspace.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None
description = "saved verticals"


def upgrade() -> None:
    op.create_table("saved_verticals",
                    sa.Column("code", sa.String(32), primary_key=True),
                    sa.Column("name_zh", sa.String(100), nullable=False),
                    sa.Column("name_en", sa.String(100), nullable=False),
                    sa.Column("base", sa.String(32), nullable=False),
                    sa.Column("lexicon_zh", sa.Text, nullable=False),
                    sa.Column("lexicon_en", sa.Text, nullable=False),
                    sa.Column("saved_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
                    sa.Column("saved_at", sa.DateTime, nullable=False))


def downgrade() -> None:
    raise NotImplementedError("the store never downgrades a database")
