"""Results: analyses of an account computed once per data version and kept (the
combined facts, labels, …), one blob per (workspace, account, piece, key of the inputs).

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None
description = "results"


def upgrade() -> None:
    op.create_table("results",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
                              nullable=False),
                    sa.Column("account", sa.String(400), nullable=False),
                    sa.Column("piece", sa.String(64), nullable=False),
                    sa.Column("key", sa.String(64), nullable=False),
                    sa.Column("payload", sa.LargeBinary, nullable=False),
                    sa.Column("created_at", sa.DateTime, nullable=False),
                    sa.UniqueConstraint("workspace_id", "account", "piece", "key", name="uq_results_key"),
                    sqlite_autoincrement=True)


def downgrade() -> None:
    raise NotImplementedError("the store never downgrades a database")
