"""Sending: each user's preferences, their channels (added, changed, removed by their
owner only), :func:`send_alerts` — what the scheduled refresh calls after recomputing,
and ``python -m optimizer alerts send`` for cron — and the test message.

For each user with an enabled channel (or one user), :func:`send_alerts` keeps the
portfolio rows and events of the workspaces that user may view, then on each channel:

1. takes back the channel's failed rows of earlier runs (and rows a stopped run left
   ``pending`` for 15 minutes): they are sent again, never dropped;
2. claims each new event of a severity the user chose to be alerted at once, and the
   day's digest once the user's digest time has passed in their time zone — a key the
   channel's log holds already (sent, failed, or being sent by another run) is not
   claimed, so no event goes out twice;
3. sends one alert message (every alert item) and the digest, each tried up to
   ``attempts`` times with a pause doubling from ``backoff`` seconds between tries
   (failures that another try cannot mend — a blocked address, a refused sign-in, a
   secret that cannot be opened — are not tried again in the run);
4. records every row ``sent`` or ``failed`` with the number of tries and the error
   (a code and a detail, no secret), which the Alerts page shows.

``dry_run`` sends and records nothing: the report says what would go where.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from optimizer.errors import UserError
from optimizer.i18n import LANGS
from optimizer.notify import messages
from optimizer.notify.channels import SendFailed, check_channel, deliver, guard_settings
from optimizer.notify.sealing import Sealer, SecretUnreadable
from optimizer.store.engine import NotFound

ALL = "all"
DEFAULT_PREFS: dict[str, Any] = {"digest": True, "digest_time": "09:00", "timezone": "Asia/Shanghai",
                                 "immediate": ["high", "red"], "lang": "zh"}
ATTEMPTS = 3
BACKOFF = 1.0


# ====================================================================== preferences

def _check_prefs(prefs: dict) -> dict:
    out = {**DEFAULT_PREFS, **{k: v for k, v in prefs.items() if k in DEFAULT_PREFS}}
    try:
        hh, mm = (int(x) for x in str(out["digest_time"]).split(":"))
        dtime(hh, mm)
    except (ValueError, TypeError):
        raise UserError("alert_digest_time", value=str(out["digest_time"])) from None
    out["digest_time"] = f"{hh:02d}:{mm:02d}"
    try:
        ZoneInfo(str(out["timezone"]))
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError("alert_timezone", value=str(out["timezone"])) from None
    out["immediate"] = [s for s in messages.IMMEDIATE if s in set(out["immediate"] or [])]
    if out["lang"] not in LANGS:
        out["lang"] = "zh"
    out["digest"] = bool(out["digest"])
    return out


def prefs_of(db, user_id: int | None) -> dict:
    """The user's preferences (:data:`DEFAULT_PREFS` for what was never saved)."""
    saved = db.alert_prefs(user_id) or {}
    try:
        return _check_prefs(saved)
    except UserError:
        return dict(DEFAULT_PREFS)


def save_prefs(db, user_id: int | None, prefs: dict) -> dict:
    """Check and keep the user's preferences (digest on/off, ``HH:MM``, time zone,
    severities alerted at once, language); raises :class:`UserError`."""
    checked = _check_prefs(prefs)
    db.set_alert_prefs(user_id, checked)
    return checked


# ====================================================================== channels

def _own(db, owner_id: int | None, channel_id: int):
    ch = db.alert_channel(channel_id)
    if ch.user_id != owner_id:  # another user's channel is as good as none
        raise NotFound(f"no alert channel {channel_id}")
    return ch


def add_channel(db, owner_id: int | None, kind: str, name: str, fields: dict, sealer: Sealer | None = None):
    """A new channel of ``owner_id``'s (None: local mode) from what they typed
    (:func:`optimizer.notify.channels.check_channel`); its secrets sealed."""
    sealer = sealer or Sealer.for_store(db)
    name, config, secrets, hint = check_channel(kind, name, fields)
    return db.add_alert_channel(owner_id, kind, name, config, sealer.seal(secrets), json.dumps(hint, ensure_ascii=False))


def update_channel(db, owner_id: int | None, channel_id: int, name: str, fields: dict, enabled: bool = True,
                   sealer: Sealer | None = None):
    """Change one of the owner's channels; a secret left empty keeps the saved one (when
    it can still be read)."""
    sealer = sealer or Sealer.for_store(db)
    ch = _own(db, owner_id, channel_id)
    try:
        old = sealer.open(ch.sealed)
    except SecretUnreadable:
        old = {}
    name, config, secrets, hint = check_channel(ch.kind, name, fields, old)
    return db.update_alert_channel(ch.id, name=name, config=config, sealed=sealer.seal(secrets),
                                   hint=json.dumps(hint, ensure_ascii=False), enabled=bool(enabled))


def delete_channel(db, owner_id: int | None, channel_id: int) -> None:
    db.delete_alert_channel(_own(db, owner_id, channel_id).id)


def hint_of(channel) -> dict:
    """The channel's masked secrets (``{"url": "••••a1b2", "secret": "••••"}``)."""
    try:
        return json.loads(channel.hint)
    except ValueError:
        return {}


# ====================================================================== sending

@dataclass
class SendReport:
    """What a run did: one row per message (user, channel, kind, items, status —
    ``sent`` | ``failed`` | ``would_send`` —, tries, error)."""

    rows: list[dict] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(r["status"] == "sent" for r in self.rows)

    @property
    def failed(self) -> int:
        return sum(r["status"] == "failed" for r in self.rows)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["user", "channel", "kind", "items", "status", "tries", "error"])


def _try(ch, secrets: dict | None, msg, settings, attempts: int, backoff: float, sleep: Callable[[float], None],
         timestamp: Callable[[], float]) -> tuple[bool, int, str | None]:
    """(delivered, tries, error) of sending ``msg`` with bounded retries and backoff."""
    if secrets is None:
        return False, 1, SendFailed("secret_unreadable").as_text()
    pause, tries = backoff, 0
    while True:
        tries += 1
        try:
            deliver(ch.kind, ch.config, secrets, msg, settings, timestamp())
            return True, tries, None
        except SendFailed as exc:
            if not exc.retryable or tries >= attempts:
                return False, tries, exc.as_text()
        sleep(pause)
        pause *= 2


def _visible(db, owner_id: int | None) -> set[int] | None:
    """Ids of the workspaces the owner may view; None when the owner cannot receive
    alerts (a disabled or deleted user; local-mode channels once accounts exist)."""
    from optimizer.store.auth import Access
    if owner_id is None:
        if db.list_users():
            return None
        return {w.id for w in db.list_workspaces()}
    try:
        user = db.get_user(owner_id)
    except NotFound:
        return None
    if user.disabled:
        return None
    return {w.id for w in Access(db, user).workspaces()}


def _owners(db, user_or_all) -> list[int | None]:
    from optimizer.store.users import User
    if isinstance(user_or_all, str) and user_or_all == ALL:
        return db.alert_owners()
    if isinstance(user_or_all, User):
        return [user_or_all.id]
    return [None if user_or_all is None else int(user_or_all)]


def _only(frame: pd.DataFrame | None, ids: set[int]) -> pd.DataFrame | None:
    if frame is None or len(frame) == 0:
        return frame
    return frame.loc[pd.to_numeric(frame["workspace_id"], errors="coerce").isin(list(ids))]


def send_alerts(db, user_or_all, portfolio_rows: pd.DataFrame | None, events: pd.DataFrame | None,
                now: datetime, *, dry_run: bool = False, settings=None, sealer: Sealer | None = None,
                attempts: int = ATTEMPTS, backoff: float = BACKOFF, sleep: Callable[[float], None] = time.sleep,
                timestamp: Callable[[], float] = time.time) -> SendReport:
    """Send the digest and the immediate alerts due at ``now`` (timezone-aware) to the
    channels of ``user_or_all`` (:data:`ALL`, a User, a user id, or None for the
    local-mode user); see the module's documentation. ``portfolio_rows``:
    :data:`optimizer.notify.messages.PORTFOLIO_COLUMNS`; ``events``:
    :data:`optimizer.notify.messages.EVENT_COLUMNS` (either may be None or empty:
    failed sends are still retried). ``settings``: the SSRF guard's
    (:func:`optimizer.notify.channels.guard_settings` by default). A table lacking a
    needed column raises :class:`optimizer.notify.messages.BadInput` before anything
    is sent."""
    if now.tzinfo is None:
        raise ValueError("send_alerts needs a timezone-aware time")
    if portfolio_rows is not None and len(portfolio_rows):
        messages._need(portfolio_rows, messages.PORTFOLIO_REQUIRED, "portfolio")
    if events is not None and len(events):
        messages._need(events, messages.EVENT_REQUIRED, "events")
    settings = settings or guard_settings()
    sealer = sealer or Sealer.for_store(db)
    report = SendReport()
    for owner in _owners(db, user_or_all):
        ids = _visible(db, owner)
        channels = [c for c in db.alert_channels(owner) if c.enabled]
        if ids is None or not channels:
            continue
        who = "local" if owner is None else db.get_user(owner).username
        prefs = prefs_of(db, owner)
        lang = prefs["lang"]
        alert_items = messages.event_items(_only(events, ids), lang, prefs["immediate"])
        digest = None
        local = now.astimezone(ZoneInfo(prefs["timezone"]))
        hh, mm = (int(x) for x in prefs["digest_time"].split(":"))
        if prefs["digest"] and local.time() >= dtime(hh, mm):
            digest = messages.digest_item(_only(portfolio_rows, ids), local.date(), lang)
        for ch in channels:
            try:
                secrets = sealer.open(ch.sealed)
            except SecretUnreadable:
                secrets = None
            # kind -> list of (row id or None, item)
            batches: dict[str, list[tuple[int | None, dict]]] = {"digest": [], "alert": []}
            if dry_run:
                keys = [i["key"] for i in alert_items] + ([digest["key"]] if digest else [])
                logged = db.logged_alert_keys(ch.id, keys)
                batches["alert"] = [(None, i) for i in alert_items if i["key"] not in logged]
                if digest and digest["key"] not in logged:
                    batches["digest"] = [(None, digest)]
            else:
                for row in db.take_alert_retries(ch.id):
                    batches[row.kind].append((row.id, row.item))
                for item in alert_items:
                    rid = db.claim_alert(ch.id, item["key"], "alert", item)
                    if rid is not None:
                        batches["alert"].append((rid, item))
                if digest is not None:
                    rid = db.claim_alert(ch.id, digest["key"], "digest", digest)
                    if rid is not None:
                        batches["digest"].append((rid, digest))
            groups = [("digest", [b]) for b in batches["digest"]]
            if batches["alert"]:
                groups.append(("alert", batches["alert"]))
            for kind, batch in groups:
                items = [item for _, item in batch]
                row = {"user": who, "channel": ch.name, "kind": kind, "items": len(items), "tries": 0, "error": None}
                if dry_run:
                    report.rows.append({**row, "status": "would_send"})
                    continue
                msg = messages.compose(kind, items, lang)
                ok, tries, error = _try(ch, secrets, msg, settings, attempts, backoff, sleep, timestamp)
                db.finish_alerts([rid for rid, _ in batch], ok, tries, error)
                report.rows.append({**row, "status": "sent" if ok else "failed", "tries": tries, "error": error})
    return report


def send_test(db, owner_id: int | None, channel_id: int, lang: str = "zh", *, settings=None,
              sealer: Sealer | None = None, timestamp: Callable[[], float] = time.time) -> tuple[bool, str | None]:
    """Send a test message on one of the owner's channels, once (no retry: the user
    sees the answer at once); it is logged, sent or failed, like any message.
    (delivered, error)."""
    ch = _own(db, owner_id, channel_id)
    sealer = sealer or Sealer.for_store(db)
    try:
        secrets = sealer.open(ch.sealed)
    except SecretUnreadable:
        secrets = None
    item = {"key": messages.key_of("test", db.now().isoformat(), time.monotonic_ns()), "kind": "test", "md": "",
            "text": ""}
    rid = db.claim_alert(ch.id, item["key"], "test", item)
    ok, tries, error = _try(ch, secrets, messages.compose("test", [item], lang), settings or guard_settings(), 1,
                            0, lambda s: None, timestamp)
    db.finish_alerts([rid] if rid is not None else [], ok, tries, error)
    return ok, error


# ====================================================================== command line

def _read_table(path: str | None) -> pd.DataFrame | None:
    if not path:
        return None
    p = Path(path)
    if p.suffix.lower() == ".json":
        return pd.DataFrame(json.loads(p.read_text(encoding="utf-8")))
    return pd.read_csv(p, encoding="utf-8-sig")


def main_alerts(argv: list[str] | None = None, *, stdout=None, sleep: Callable[[float], None] = time.sleep) -> int:
    """``python -m optimizer alerts send [--dry-run] [--user NAME] [--portfolio FILE]
    [--events FILE]``: send what is due now to every user's channels (or one user's),
    retrying the failed ones; one line per message. ``--portfolio`` / ``--events``:
    the rows and events as CSV or JSON (records) with the columns of
    :mod:`optimizer.notify.messages`; without them only failed sends are retried.
    Exit status 0, 1 when a message failed or an input was refused, 2 on bad usage."""
    from optimizer.store.database import Store, StoreError
    from optimizer.store.engine import default_data_dir
    out = stdout or sys.stdout
    p = argparse.ArgumentParser(prog="python -m optimizer alerts", description="Send alerts and digests.")
    p.add_argument("--database-url", default=None, help="SQLAlchemy URL (default: $OPTIMIZER_DATABASE_URL)")
    p.add_argument("--data-dir", default=None, help="folder of the SQLite database (default: data/)")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("send", help="send the digests and alerts due now, and retry the failed ones")
    s.add_argument("--dry-run", action="store_true", help="say what would be sent; send and record nothing")
    s.add_argument("--user", default=None, help="only this user's channels (default: every user's)")
    s.add_argument("--portfolio", default=None, help="portfolio rows, CSV or JSON")
    s.add_argument("--events", default=None, help="events (drift flags, red landing pages), CSV or JSON")
    try:
        args = p.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        rows, events = _read_table(args.portfolio), _read_table(args.events)
        with Store.open(args.database_url, Path(args.data_dir) if args.data_dir else default_data_dir()) as db:
            who: Any = ALL
            if args.user:
                user = db.user_by_name(args.user.strip().lower())
                if user is None:
                    raise NotFound(f"no user {args.user!r}")
                who = user
            if rows is None and events is None:
                print("no --portfolio or --events given: retrying failed sends only", file=out)
            report = send_alerts(db, who, rows, events, db.now(), dry_run=args.dry_run, sleep=sleep)
    except (OSError, ValueError, StoreError) as exc:
        print(f"error: {exc}", file=out if stdout is not None else sys.stderr)
        return 1
    for r in report.rows:
        line = f"{r['status']}\t{r['user']}\t{r['channel']}\t{r['kind']}\t{r['items']} item(s)"
        if r["error"]:
            line += f"\t{r['error']}"
        print(line, file=out)
    print(f"{report.sent} sent, {report.failed} failed" + (" (dry run)" if args.dry_run else ""), file=out)
    return 1 if report.failed else 0
