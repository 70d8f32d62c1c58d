"""The change log: changes downloaded from the product, kept per workspace and account.

One row per change of the change table (``optimizer.actions.changes.CHANGE_COLUMNS``:
change_id, action, level, campaign, ad_group, keyword, match_type, keyword_id, field,
before, after, reason_zh, reason_en, money, money_basis) per account and *download day*,
with the target format it was written for, when and by whom it was downloaded, and
``applied_on``: the day the change is deemed applied in the ad platform — the download
day unless someone who may edit the workspace corrects it. Recording the same change
again on the same download day changes nothing (idempotent); the same change downloaded
on another day is another entry (it was applied again, or first applied then).

:func:`record_download` is what the Export changes page calls on a download: it checks
that the user may edit the workspace (an analyst's download is not recorded: analysts
change nothing). The store's own methods do not check permissions
(:class:`optimizer.store.auth.Access` and the pages do).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from optimizer.store.base import StoreBase
from optimizer.store.engine import NotFound
from optimizer.store.tables import change_log_t, users_t
from optimizer.store.users import User, _user_id

#: the change table's columns the log keeps (``optimizer.actions.changes.CHANGE_COLUMNS``
#: less account and platform, which the log's account key says)
LOGGED_COLUMNS = ("change_id", "action", "level", "campaign", "ad_group", "keyword", "match_type", "keyword_id",
                  "field", "before", "after", "reason_zh", "reason_en", "money", "money_basis")
#: the columns of :meth:`ChangesMixin.change_log`
LOG_COLUMNS = ["id", "account_key", *LOGGED_COLUMNS, "target", "downloaded_on", "downloaded_at", "downloaded_by",
               "downloaded_by_name", "applied_on"]
ACTIONS = ("negative", "bid", "pause", "url")
LEVELS = ("campaign", "ad_group", "keyword")
_TEXT = [c for c in LOGGED_COLUMNS if c != "money"]


def _clean(frame: pd.DataFrame) -> list[dict]:
    """The change table's rows as the log stores them; ValueError naming the row and
    column when a change cannot be logged (missing column, unknown action or level,
    no change id)."""
    missing = [c for c in LOGGED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"the change table lacks the columns {', '.join(missing)}")
    out = []
    for i, r in enumerate(frame[list(LOGGED_COLUMNS)].itertuples(index=False), start=1):
        row = r._asdict()
        for c in _TEXT:
            v = row[c]
            row[c] = "" if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else str(v)
        money = row["money"]
        try:
            money = float(money)
        except (TypeError, ValueError):
            money = float("nan")
        row["money"] = money if math.isfinite(money) else None
        if not row["change_id"]:
            raise ValueError(f"change row {i} has no change_id")
        if row["action"] not in ACTIONS:
            raise ValueError(f"change row {i}: action {row['action']!r} is not one of {', '.join(ACTIONS)}")
        if row["level"] not in LEVELS:
            raise ValueError(f"change row {i}: level {row['level']!r} is not one of {', '.join(LEVELS)}")
        out.append(row)
    return out


@dataclass(frozen=True)
class Recorded:
    """What :func:`record_download` did: entries ``added``, ``already`` logged (the same
    change downloaded the same day), and whether the user's download is recorded at all
    (``allowed``: False for a role that changes nothing)."""

    added: int
    already: int
    allowed: bool = True


class ChangesMixin(StoreBase):
    """A workspace's change log."""

    def record_changes(self, workspace_id: int, account_key: str, changes: pd.DataFrame, *, target: str,
                       by: User | int | None = None, day: date | None = None) -> Recorded:
        """Log the rows of ``changes`` (a change table) for the account, downloaded
        today (``day``: the download day, default the server's local date) in the
        ``target`` format. Idempotent: a change already logged for that download day is
        left as it is (its applied day too). One transaction."""
        if not isinstance(account_key, str) or not 0 < len(account_key) <= 400:
            raise ValueError("a change log entry's account is a non-empty key of at most 400 characters")
        target = str(target or "")[:32]
        rows = _clean(changes)
        now = self.now()
        day = day or now.astimezone().date()
        if isinstance(day, datetime) or not isinstance(day, date):
            raise ValueError("the download day is a date")
        added = 0
        with self._write() as conn:
            self._bump(conn, workspace_id)
            for row in dict((r["change_id"], r) for r in rows).values():  # a change once per download
                res = conn.execute(self._insert()(change_log_t).values(
                    workspace_id=workspace_id, account_key=account_key, target=target, downloaded_on=day,
                    downloaded_at=now, downloaded_by=_user_id(by), applied_on=day, **row,
                ).on_conflict_do_nothing().returning(change_log_t.c.id)).first()
                added += res is not None
        unique = len({r["change_id"] for r in rows})
        return Recorded(added, unique - added)

    def change_log(self, workspace_id: int, account_key: str | None = None) -> pd.DataFrame:
        """The workspace's log (one account's, or every account's): :data:`LOG_COLUMNS`,
        applied day then id order; dates as ``datetime.date``, money NaN when unknown."""
        q = (sa.select(change_log_t, users_t.c.username.label("downloaded_by_name"))
             .select_from(change_log_t.outerjoin(users_t, users_t.c.id == change_log_t.c.downloaded_by))
             .where(change_log_t.c.workspace_id == workspace_id)
             .order_by(change_log_t.c.applied_on, change_log_t.c.id))
        if account_key is not None:
            q = q.where(change_log_t.c.account_key == account_key)
        with self._read() as conn:
            rows = [dict(r._mapping) for r in conn.execute(q)]
        frame = pd.DataFrame(rows, columns=[*LOG_COLUMNS, "workspace_id"])[LOG_COLUMNS]
        frame["money"] = pd.to_numeric(frame["money"], errors="coerce").astype(float)
        return frame

    def set_applied_date(self, workspace_id: int, entry_id: int, applied_on: date) -> None:
        """Correct the day a logged change is deemed applied (NotFound when the entry is
        not this workspace's)."""
        if isinstance(applied_on, datetime) or not isinstance(applied_on, date):
            raise ValueError("the applied day is a date")
        with self._write() as conn:
            self._bump(conn, workspace_id)
            n = conn.execute(change_log_t.update().where(
                change_log_t.c.id == int(entry_id), change_log_t.c.workspace_id == workspace_id,
            ).values(applied_on=applied_on)).rowcount
            if n == 0:
                raise NotFound(f"no change log entry {entry_id} in workspace {workspace_id}")

    def delete_change(self, workspace_id: int, entry_id: int) -> None:
        """Remove an entry of the log (e.g. a file downloaded but never imported)."""
        with self._write() as conn:
            self._bump(conn, workspace_id)
            n = conn.execute(change_log_t.delete().where(change_log_t.c.id == int(entry_id),
                                                         change_log_t.c.workspace_id == workspace_id)).rowcount
            if n == 0:
                raise NotFound(f"no change log entry {entry_id} in workspace {workspace_id}")


def record_download(db: Any, workspace: Any, account_key: str, changes_frame: pd.DataFrame, target: str,
                    user: Any, *, day: date | None = None) -> Recorded:
    """Log the changes a user just downloaded (the Export changes page calls this on a
    download). ``db``: the :class:`~optimizer.store.database.Store`; ``workspace``: a
    :class:`~optimizer.store.database.Workspace` or its id; ``changes_frame``: the rows
    the user kept (ticked) of the change table; ``target``: the file's format
    (``google_editor``, ``google_web``, ``microsoft``, ``baidu``); ``user``: who
    downloaded (a User; the local single-user mode's user, who has no id, is logged
    without a name).

    Only a user who may edit the workspace (admin; optimizer who owns it or was
    granted it) is recorded; anyone else's download returns ``allowed=False`` and
    logs nothing. A bad change table raises ValueError before anything is written."""
    from optimizer.store import auth
    ws = db.get_workspace(workspace.id if hasattr(workspace, "id") else int(workspace))
    principal = user if user is not None and getattr(user, "id", None) is not None else None
    if not auth.can(user, "log_changes", ws):
        return Recorded(0, 0, allowed=False)
    return db.record_changes(ws.id, account_key, changes_frame, target=target, by=principal, day=day)
