"""The account a note is about (NULL: every account of the workspace, as before), so
that a link limited to some accounts shows only the notes about them.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
description = "the account a note is about"


def upgrade() -> None:
    op.add_column("notes", sa.Column("account_json", sa.Text, nullable=True))


def downgrade() -> None:
    raise NotImplementedError("the store never downgrades a database")
