"""Alerts: each user's channels (e-mail, 企业微信 / 钉钉 / 飞书 robots, a JSON webhook; their
secrets sealed), the user's alert preferences, and the log of what was sent to each
channel (one row per channel and event key: sent, failed or being sent).

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None
description = "alerts"


def upgrade() -> None:
    op.create_table("alert_channels",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
                    sa.Column("kind", sa.String(16), nullable=False),
                    sa.Column("name", sa.String(100), nullable=False),
                    sa.Column("config_json", sa.Text, nullable=False),
                    sa.Column("sealed", sa.Text, nullable=False),
                    sa.Column("hint", sa.String(200), nullable=False),
                    sa.Column("enabled", sa.Boolean, nullable=False),
                    sa.Column("created_at", sa.DateTime, nullable=False),
                    sa.Column("updated_at", sa.DateTime, nullable=False),
                    sa.Index("ix_alert_channels_user", "user_id"),
                    sqlite_autoincrement=True)
    op.create_table("alert_prefs",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
                    sa.Column("prefs_json", sa.Text, nullable=False),
                    sa.Column("updated_at", sa.DateTime, nullable=False),
                    sa.Index("ix_alert_prefs_user", "user_id"),
                    sqlite_autoincrement=True)
    op.create_table("alert_log",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("channel_id", sa.Integer, sa.ForeignKey("alert_channels.id", ondelete="CASCADE"),
                              nullable=False),
                    sa.Column("event_key", sa.String(64), nullable=False),
                    sa.Column("kind", sa.String(16), nullable=False),
                    sa.Column("item_json", sa.Text, nullable=False),
                    sa.Column("status", sa.String(16), nullable=False),
                    sa.Column("attempts", sa.Integer, nullable=False),
                    sa.Column("error", sa.Text, nullable=True),
                    sa.Column("created_at", sa.DateTime, nullable=False),
                    sa.Column("last_try_at", sa.DateTime, nullable=False),
                    sa.Column("sent_at", sa.DateTime, nullable=True),
                    sa.UniqueConstraint("channel_id", "event_key", name="uq_alert_log_channel_event"),
                    sa.Index("ix_alert_log_status", "status"),
                    sqlite_autoincrement=True)


def downgrade() -> None:
    raise NotImplementedError("the store never downgrades a database")
