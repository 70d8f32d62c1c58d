"""Read-only share links (by their token's hash) and the rate-limit counters that
guard signing in and opening links (reserved before a secret is checked, settled after)."""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from optimizer.store.base import StoreBase
from optimizer.store.engine import NotFound
from optimizer.store.tables import shares_t, throttles_t
from optimizer.store.users import User, _user_id


@dataclass(frozen=True)
class ShareLink:
    """A read-only link to one workspace. Only the token's SHA-256 is stored."""

    id: int
    workspace_id: int
    token_hash: str
    label: str | None
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_opened_at: datetime | None
    allow_download: bool
    #: the accounts the link shows, as (platform, account, currency); None: every
    #: account of the workspace (links made before accounts could be chosen)
    accounts: tuple[tuple[str, str, str], ...] | None = None
    #: the client view shows "what we changed this month and what it did" (the change log)
    show_changes: bool = False

    def state(self, now: datetime) -> str:
        """``active``, ``revoked`` or ``expired`` at ``now``."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if now >= self.expires_at else "active"


@dataclass(frozen=True)
class ThrottleKey:
    """One rate-limit counter an attempt counts toward: ``limit`` failures within
    ``window`` lock (``scope``, ``key``) for ``lockout``. ``cleared_by_success``: a
    successful attempt clears the failures counted before it began."""

    scope: str
    key: str
    limit: int
    window: timedelta
    lockout: timedelta
    cleared_by_success: bool = False


@dataclass(frozen=True)
class ThrottleTicket:
    """An attempt reserved under its limits (:meth:`Store.throttle_reserve`), to be
    settled once its secret is checked (:meth:`Store.throttle_settle`). Per key: the
    window it was reserved in and the failures counted before it."""

    keys: tuple[ThrottleKey, ...]
    window_starts: tuple[datetime, ...]
    failures_before: tuple[int, ...]


class SharesMixin(StoreBase):
    """Share links and rate-limit counters."""

    @staticmethod
    def _share(r) -> ShareLink:
        accts = None if r.accounts_json is None else tuple(tuple(a) for a in json.loads(r.accounts_json))
        return ShareLink(r.id, r.workspace_id, r.token_hash, r.label, r.created_by, r.created_at, r.expires_at,
                         r.revoked_at, r.last_opened_at, bool(r.allow_download), accts, bool(r.show_changes))

    def insert_share_link(self, workspace_id: int, token_hash: str, *, expires_at: datetime,
                          label: str | None = None, by: User | int | None = None,
                          allow_download: bool = False,
                          accounts: Sequence[tuple[str, str, str]] | None = None,
                          show_changes: bool = False) -> ShareLink:
        """Store a share link by its token's hash (tokens are made in :mod:`optimizer.store.auth`).
        ``accounts``: the (platform, account, currency) it shows; None for all.
        ``show_changes``: the client view shows the change log's effects."""
        if not re.fullmatch(r"[0-9a-f]{64}", token_hash):
            raise ValueError("a share link is stored by the SHA-256 hex of its token, never the token")
        label = (label or "").strip()[:200] or None
        now = self.now()
        with self._write() as conn:
            self._bump(conn, workspace_id)
            lid = conn.execute(shares_t.insert().values(
                workspace_id=workspace_id, token_hash=token_hash, label=label, created_by=_user_id(by),
                created_at=now, expires_at=expires_at, allow_download=allow_download,
                show_changes=bool(show_changes),
                accounts_json=None if accounts is None else json.dumps([list(map(str, a)) for a in accounts],
                                                                       ensure_ascii=False))).inserted_primary_key[0]
            return self._share(conn.execute(sa.select(shares_t).where(shares_t.c.id == lid)).one())

    def share_links(self, workspace_id: int) -> list[ShareLink]:
        """The workspace's links, newest first (revoked and expired ones included)."""
        with self._read() as conn:
            return [self._share(r) for r in conn.execute(sa.select(shares_t).where(
                shares_t.c.workspace_id == workspace_id).order_by(shares_t.c.id.desc()))]

    def share_link_by_hash(self, token_hash: str, conn: Connection | None = None) -> ShareLink | None:
        """The link with this token hash; ``conn``: read it in that transaction."""
        if conn is None:
            with self._read() as conn:
                return self.share_link_by_hash(token_hash, conn)
        r = conn.execute(sa.select(shares_t).where(shares_t.c.token_hash == token_hash)).first()
        return None if r is None else self._share(r)

    def revoke_share_link(self, workspace_id: int, link_id: int) -> ShareLink:
        """Revoke a link of this workspace (at once, for every open page)."""
        with self._write() as conn:
            self._bump(conn, workspace_id)
            conn.execute(shares_t.update().where(shares_t.c.id == link_id, shares_t.c.workspace_id == workspace_id,
                                                 shares_t.c.revoked_at.is_(None)).values(revoked_at=self.now()))
            r = conn.execute(sa.select(shares_t).where(shares_t.c.id == link_id,
                                                       shares_t.c.workspace_id == workspace_id)).first()
        if r is None:
            raise NotFound(f"no share link {link_id} in workspace {workspace_id}")
        return self._share(r)

    def touch_share_link(self, link_id: int, when: datetime) -> None:
        with self._write() as conn:
            conn.execute(shares_t.update().where(shares_t.c.id == link_id).values(last_opened_at=when))

    def throttle_locked_until(self, scope: str, key: str) -> datetime | None:
        """When the lock on (scope, key) ends, or None when it is not locked now."""
        with self._read() as conn:
            row = conn.execute(sa.select(throttles_t.c.locked_until).where(
                throttles_t.c.scope == scope, throttles_t.c.key == key[:255])).first()
        if row is None or row.locked_until is None or row.locked_until <= self.now():
            return None
        return row.locked_until

    #: How long an attempt refused because the attempts being checked hold the rest of its limit is told to wait.
    THROTTLE_BUSY = timedelta(minutes=1)

    def _throttle_rows(self, conn: Connection, keys: Sequence[ThrottleKey], now: datetime) -> list[dict]:
        """The counters of ``keys``, locked for this transaction (SQLite: the write
        transaction's lock; PostgreSQL: the rows, in one order so two attempts never
        wait on each other crosswise), as dicts; a lock that has ended or a window that
        has passed starts the counter afresh (also forgetting the attempts reserved by
        a server that died while checking them)."""
        ins = self._insert()
        rows = []
        for k in keys:
            where = (throttles_t.c.scope == k.scope, throttles_t.c.key == k.key)
            row = conn.execute(sa.select(throttles_t).where(*where).with_for_update()).first()
            while row is None:  # another transaction may delete the row in between (an admin's unlock)
                conn.execute(ins(throttles_t).values(scope=k.scope, key=k.key, failures=0, pending=0, window_start=now,
                                                     locked_until=None).on_conflict_do_nothing())
                row = conn.execute(sa.select(throttles_t).where(*where).with_for_update()).first()
            r = dict(row._mapping)
            r["_loaded"] = tuple(row._mapping.values())
            lock = r["locked_until"]
            if (lock <= now) if lock is not None else (now - r["window_start"] >= k.window):
                r.update(failures=0, pending=0, window_start=now, locked_until=None)
            rows.append(r)
        return rows

    def _throttle_save(self, conn: Connection, rows: Sequence[dict]) -> None:
        for r in rows:
            if tuple(r[c.name] for c in throttles_t.columns) == r["_loaded"]:
                continue  # unchanged: nothing written
            conn.execute(throttles_t.update().where(throttles_t.c.scope == r["scope"], throttles_t.c.key == r["key"])
                         .values(failures=r["failures"], pending=r["pending"], window_start=r["window_start"],
                                 locked_until=r["locked_until"]))

    @staticmethod
    def _throttle_fail(r: dict, k: ThrottleKey, now: datetime) -> None:
        if r["failures"] == 0:
            r["window_start"] = now  # the window runs from the first failure
        r["failures"] += 1
        if r["failures"] >= k.limit and r["locked_until"] is None:
            r["locked_until"] = now + k.lockout

    def throttle_reserve(self, keys: Sequence[ThrottleKey]) -> ThrottleTicket | datetime:
        """Reserve one attempt under every counter of ``keys`` before its secret is
        checked, atomically (one transaction, the counters locked): a ticket to pass
        to :meth:`throttle_settle` once the secret is checked, or the time to wait
        until. Refused, counting nothing, while any counter is locked (the end of its
        lock); refused when a counter's failures and the attempts still being checked
        already reach its limit — then this attempt counts as a failure (its secret
        is never checked), which locks a counter it brings to the limit (the end of
        that lock, else :attr:`THROTTLE_BUSY` from now). So however many attempts
        arrive together, on one server or several, at most ``limit`` of them are
        checked before the lock."""
        keys = tuple(sorted((replace(k, key=k.key[:255]) for k in keys), key=lambda k: (k.scope, k.key)))
        now = self.now()
        with self._write() as conn:
            rows = self._throttle_rows(conn, keys, now)
            locked = [r["locked_until"] for r in rows if r["locked_until"] is not None]
            if locked:
                return max(locked)
            if any(r["failures"] + r["pending"] >= k.limit for r, k in zip(rows, keys)):
                for r, k in zip(rows, keys):
                    self._throttle_fail(r, k, now)
                self._throttle_save(conn, rows)
                locked = [r["locked_until"] for r in rows if r["locked_until"] is not None]
                return max(locked) if locked else now + self.THROTTLE_BUSY
            ticket = ThrottleTicket(keys, tuple(r["window_start"] for r in rows), tuple(r["failures"] for r in rows))
            for r in rows:
                r["pending"] += 1
            self._throttle_save(conn, rows)
            return ticket

    def throttle_check(self, keys: Sequence[ThrottleKey],
                       check: Callable[[Connection], bool]) -> tuple[bool | None, datetime | None]:
        """A quick check of a secret (``check``, given this transaction's connection:
        e.g. looking a token up) made under the counters' lock, in one transaction, so
        that attempts arriving together are checked one after another and at most
        ``limit`` failures are checked before the lock. Returns (None, the time to
        wait until) when refused as :meth:`throttle_reserve` refuses (here nothing is
        being checked in parallel, so only a lock refuses); else (what ``check``
        said, when the lock on any counter now ends or None). A failure is counted
        (and locks a counter it brings to its limit); a success changes nothing, so
        opening a good link writes nothing."""
        keys = tuple(sorted((replace(k, key=k.key[:255]) for k in keys), key=lambda k: (k.scope, k.key)))
        now = self.now()
        with self._write() as conn:
            rows = self._throttle_rows(conn, keys, now)
            locked = [r["locked_until"] for r in rows if r["locked_until"] is not None]
            if locked:
                return None, max(locked)
            ok = bool(check(conn))
            if not ok:
                for r, k in zip(rows, keys):
                    self._throttle_fail(r, k, now)
            self._throttle_save(conn, rows)
        locked = [r["locked_until"] for r in rows if r["locked_until"] is not None]
        return ok, max(locked) if locked else None

    def throttle_settle(self, ticket: ThrottleTicket, ok: bool) -> datetime | None:
        """The checked attempt of ``ticket``: a failure (``ok`` false) is counted, and
        the counters it brings to their limit are locked; a success clears, on the
        counters ``cleared_by_success``, the failures counted before it was reserved —
        not those that arrived while it was checked (and lifts a lock only when what
        remains is below the limit). Returns when the lock on any of the counters
        ends, or None when none is locked."""
        now = self.now()
        with self._write() as conn:
            rows = self._throttle_rows(conn, ticket.keys, now)
            for r, k, start, before in zip(rows, ticket.keys, ticket.window_starts, ticket.failures_before):
                r["pending"] = max(0, r["pending"] - 1)
                if not ok:
                    self._throttle_fail(r, k, now)
                elif k.cleared_by_success and r["window_start"] == start:
                    r["failures"] = max(0, r["failures"] - before)
                    if r["failures"] < k.limit:
                        r["locked_until"] = None
            self._throttle_save(conn, rows)
        locked = [r["locked_until"] for r in rows if r["locked_until"] is not None]
        return max(locked) if locked else None

    def throttle_clear(self, scope: str, key: str) -> None:
        with self._write() as conn:
            conn.execute(throttles_t.delete().where(throttles_t.c.scope == scope, throttles_t.c.key == key[:255]))
