"""Change log: changes downloaded from the product, per account and download day, with
the day each is deemed applied; share links get "show the changes to the client".

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None
description = "change log"


def upgrade() -> None:
    op.create_table("change_log",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
                              nullable=False),
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
                    sa.Column("downloaded_at", sa.DateTime, nullable=False),
                    sa.Column("downloaded_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"),
                              nullable=True),
                    sa.Column("applied_on", sa.Date, nullable=False),
                    sa.UniqueConstraint("workspace_id", "account_key", "change_id", "downloaded_on",
                                        name="uq_change_log_download"),
                    sqlite_autoincrement=True)
    op.create_index("ix_change_log_ws_account", "change_log", ["workspace_id", "account_key"])
    op.add_column("share_links", sa.Column("show_changes", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    raise NotImplementedError("the store never downgrades a database")
