"""The account an upload that names none belongs to (chosen on upload), and the
accounts a share link shows (NULL: every account of the workspace, as before).

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
description = "account of an upload, accounts of a share link"


def upgrade() -> None:
    op.add_column("uploads", sa.Column("account_name", sa.String(200), nullable=True))
    op.add_column("share_links", sa.Column("accounts_json", sa.Text, nullable=True))


def downgrade() -> None:
    raise NotImplementedError("the store never downgrades a database")
