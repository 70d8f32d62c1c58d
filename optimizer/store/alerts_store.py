"""Alerts as stored: each user's channels (what can be shown as JSON, the secrets sealed
by :mod:`optimizer.notify.sealing`, their masked hint), each user's preferences, and the
log of what was sent to each channel — one row per (channel, event key), so that an
event goes out to a channel once: the row is claimed (``pending``) before sending, in one
statement that a second run claiming the same key finds done, and becomes ``sent`` or
``failed`` after. Failed rows (and ``pending`` ones left by a run that stopped half-way)
are taken again by the next run. ``user_id`` None is the local-mode user (no accounts
yet). The rules (who may change which channel, what a channel holds) are
:mod:`optimizer.notify`'s."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from optimizer.store.base import StoreBase
from optimizer.store.engine import NotFound
from optimizer.store.tables import alert_channels_t, alert_log_t, alert_prefs_t

#: log statuses
STATUSES = ("pending", "sent", "failed")


@dataclass(frozen=True)
class AlertChannel:
    """A channel as stored. ``config``: the fields that may be shown (no secret);
    ``sealed``: the secrets, sealed; ``hint``: their masked form."""

    id: int
    user_id: int | None
    kind: str
    name: str
    config: dict
    sealed: str
    hint: str
    enabled: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AlertLogRow:
    """One (channel, event key) of the log, with the channel's name and kind."""

    id: int
    channel_id: int
    channel_name: str
    channel_kind: str
    event_key: str
    kind: str
    item: dict
    status: str
    attempts: int
    error: str | None
    created_at: datetime
    last_try_at: datetime
    sent_at: datetime | None


def _owner(column: sa.Column, user_id: int | None):
    return column.is_(None) if user_id is None else column == int(user_id)


class AlertsMixin(StoreBase):
    """Alert channels, preferences and the sent/failed log."""

    @staticmethod
    def _channel(r) -> AlertChannel:
        return AlertChannel(r.id, r.user_id, r.kind, r.name, json.loads(r.config_json), r.sealed, r.hint,
                            bool(r.enabled), r.created_at, r.updated_at)

    def alert_channels(self, user_id: int | None = None, *, every_user: bool = False) -> list[AlertChannel]:
        """The channels of ``user_id`` (None: the local-mode user), or of every user."""
        q = sa.select(alert_channels_t).order_by(alert_channels_t.c.id)
        if not every_user:
            q = q.where(_owner(alert_channels_t.c.user_id, user_id))
        with self._read() as conn:
            return [self._channel(r) for r in conn.execute(q)]

    def alert_channel(self, channel_id: int) -> AlertChannel:
        with self._read() as conn:
            r = conn.execute(sa.select(alert_channels_t).where(alert_channels_t.c.id == int(channel_id))).first()
        if r is None:
            raise NotFound(f"no alert channel {channel_id}")
        return self._channel(r)

    def add_alert_channel(self, user_id: int | None, kind: str, name: str, config: dict, sealed: str, hint: str,
                          enabled: bool = True) -> AlertChannel:
        now = self.now()
        with self._write() as conn:
            cid = conn.execute(alert_channels_t.insert().values(
                user_id=user_id, kind=kind, name=name, config_json=json.dumps(config, ensure_ascii=False),
                sealed=sealed, hint=hint, enabled=enabled, created_at=now, updated_at=now)).inserted_primary_key[0]
        return self.alert_channel(int(cid))

    def update_alert_channel(self, channel_id: int, **values: Any) -> AlertChannel:
        """Change a channel's ``name``, ``config``, ``sealed``, ``hint`` or ``enabled``."""
        if "config" in values:
            values["config_json"] = json.dumps(values.pop("config"), ensure_ascii=False)
        with self._write() as conn:
            n = conn.execute(alert_channels_t.update().where(alert_channels_t.c.id == int(channel_id))
                             .values(updated_at=self.now(), **values)).rowcount
        if n == 0:
            raise NotFound(f"no alert channel {channel_id}")
        return self.alert_channel(channel_id)

    def delete_alert_channel(self, channel_id: int) -> None:
        """Forget a channel and its log."""
        with self._write() as conn:
            conn.execute(alert_log_t.delete().where(alert_log_t.c.channel_id == int(channel_id)))
            if not conn.execute(alert_channels_t.delete().where(alert_channels_t.c.id == int(channel_id))).rowcount:
                raise NotFound(f"no alert channel {channel_id}")

    def alert_owners(self) -> list[int | None]:
        """Every user (None: the local-mode user) with at least one enabled channel."""
        with self._read() as conn:
            rows = conn.execute(sa.select(alert_channels_t.c.user_id).where(alert_channels_t.c.enabled.is_(True))
                                .distinct()).all()
        return sorted((r.user_id for r in rows), key=lambda u: (u is not None, u or 0))

    # ------------------------------------------------------------------ preferences

    def alert_prefs(self, user_id: int | None) -> dict | None:
        """The user's preferences as saved (JSON object), or None."""
        with self._read() as conn:
            r = conn.execute(sa.select(alert_prefs_t.c.prefs_json).where(_owner(alert_prefs_t.c.user_id, user_id))
                             .order_by(alert_prefs_t.c.id.desc()).limit(1)).first()
        return None if r is None else json.loads(r.prefs_json)

    def set_alert_prefs(self, user_id: int | None, prefs: dict) -> None:
        text = json.dumps(prefs, ensure_ascii=False, sort_keys=True)
        with self._write() as conn:
            n = conn.execute(alert_prefs_t.update().where(_owner(alert_prefs_t.c.user_id, user_id))
                             .values(prefs_json=text, updated_at=self.now())).rowcount
            if n == 0:
                conn.execute(alert_prefs_t.insert().values(user_id=user_id, prefs_json=text, updated_at=self.now()))

    # ------------------------------------------------------------------ the log

    def claim_alert(self, channel_id: int, event_key: str, kind: str, item: dict) -> int | None:
        """Claim (``pending``) the event key for the channel before sending it: the new
        row's id, or None when the key is in the log already (sent, failed or being sent
        by another run) — then this run must not send it."""
        now = self.now()
        with self._write() as conn:
            r = conn.execute(self._insert()(alert_log_t).values(
                channel_id=int(channel_id), event_key=event_key, kind=kind,
                item_json=json.dumps(item, ensure_ascii=False), status="pending", attempts=0, error=None,
                created_at=now, last_try_at=now, sent_at=None).on_conflict_do_nothing()
                .returning(alert_log_t.c.id)).first()
        return None if r is None else int(r.id)

    def take_alert_retries(self, channel_id: int, stale_after: timedelta = timedelta(minutes=15),
                           kinds: tuple[str, ...] = ("digest", "alert")) -> list[AlertLogRow]:
        """The channel's rows to send again — ``failed`` ones, and ``pending`` ones older
        than ``stale_after`` (a run stopped between claiming and recording) — claimed
        for this run (``pending``, tried now) in the same transaction."""
        now = self.now()
        with self._write() as conn:
            ids = [r.id for r in conn.execute(sa.select(alert_log_t.c.id).where(
                alert_log_t.c.channel_id == int(channel_id), alert_log_t.c.kind.in_(kinds),
                sa.or_(alert_log_t.c.status == "failed",
                       sa.and_(alert_log_t.c.status == "pending", alert_log_t.c.last_try_at < now - stale_after)))
                .order_by(alert_log_t.c.id))]
            if ids:
                conn.execute(alert_log_t.update().where(alert_log_t.c.id.in_(ids))
                             .values(status="pending", last_try_at=now))
        return self._log_rows(alert_log_t.c.id.in_(ids)) if ids else []

    def finish_alerts(self, ids: list[int], ok: bool, attempts: int, error: str | None = None) -> None:
        """Record the outcome of sending the rows ``ids`` (after ``attempts`` tries)."""
        if not ids:
            return
        now = self.now()
        values: dict[str, Any] = dict(status="sent" if ok else "failed", attempts=alert_log_t.c.attempts + attempts,
                                      error=None if ok else error, last_try_at=now)
        if ok:
            values["sent_at"] = now
        with self._write() as conn:
            conn.execute(alert_log_t.update().where(alert_log_t.c.id.in_([int(i) for i in ids])).values(**values))

    def logged_alert_keys(self, channel_id: int, keys: list[str]) -> set[str]:
        """Which of ``keys`` the channel's log holds (any status)."""
        if not keys:
            return set()
        with self._read() as conn:
            return {r.event_key for r in conn.execute(sa.select(alert_log_t.c.event_key).where(
                alert_log_t.c.channel_id == int(channel_id), alert_log_t.c.event_key.in_(list(keys))))}

    def _log_rows(self, *where, limit: int | None = None) -> list[AlertLogRow]:
        q = (sa.select(alert_log_t, alert_channels_t.c.name.label("channel_name"),
                       alert_channels_t.c.kind.label("channel_kind"))
             .join(alert_channels_t, alert_channels_t.c.id == alert_log_t.c.channel_id)
             .where(*where).order_by(alert_log_t.c.last_try_at.desc(), alert_log_t.c.id.desc()))
        if limit is not None:
            q = q.limit(limit)
        with self._read() as conn:
            return [AlertLogRow(r.id, r.channel_id, r.channel_name, r.channel_kind, r.event_key, r.kind,
                                json.loads(r.item_json), r.status, r.attempts, r.error, r.created_at, r.last_try_at,
                                r.sent_at) for r in conn.execute(q)]

    def alert_log(self, user_id: int | None, limit: int = 50) -> list[AlertLogRow]:
        """The user's most recent log rows (every channel of theirs), newest first."""
        return self._log_rows(_owner(alert_channels_t.c.user_id, user_id), limit=limit)
