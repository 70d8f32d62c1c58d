"""Attempts being checked, per rate-limit counter: each sign-in or share-link opening
reserves its place under the limit before its secret is checked.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None
description = "attempts being checked per rate-limit counter"


def upgrade() -> None:
    op.add_column("throttles", sa.Column("pending", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    raise NotImplementedError("the store never downgrades a database")
