"""What alerts say: the daily digest (the portfolio's top rows by money at stake) and
one item per event (a drift flag, a red landing page), in the user's language, and the
key that identifies an event so that it is sent to a channel once.

Inputs
    Portfolio rows (:data:`PORTFOLIO_COLUMNS`): one row per workspace and account, as
    the portfolio page ("今日待办 / Today") computes them. ``workspace_id``,
    ``workspace``, ``account`` and ``money_at_stake`` are required; the others are
    written when present and not blank.
    Events (:data:`EVENT_COLUMNS`): ``kind`` (``drift`` | ``landing``), ``severity``
    (a drift flag's ``high`` / ``medium`` / ``low``; ``red`` for a red landing page),
    ``workspace_id``, ``workspace``, ``account``; a drift event's ``headline_zh`` /
    ``headline_en`` (:func:`optimizer.drift.alerts.flag_table`), ``level``, ``entity``,
    ``metric``, ``start``, ``money_at_stake``, ``currency``; a landing event's ``url``
    and ``reasons_zh`` / ``reasons_en`` (:mod:`optimizer.landing.report`'s pages);
    optionally ``key`` (the event's identity, when the caller has a better one).
    :func:`drift_events` and :func:`landing_events` make them from those tables.

Event keys (:func:`event_key`): the SHA-256 of the event's identity — a drift flag's
workspace, account, level, entity, metric and start day; a landing page's workspace,
account, URL and ``start`` (the day it turned red, when known). A flag whose money at
stake grows day after day is one event; a change that starts on another day is a new
one. The digest's key is the local day it is for.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from datetime import date

import pandas as pd

from optimizer import i18n

PORTFOLIO_REQUIRED = ("workspace_id", "workspace", "account", "money_at_stake")
PORTFOLIO_COLUMNS = PORTFOLIO_REQUIRED + (
    "currency", "last_day", "days_old", "spend", "spend_prev", "cpa", "cpa_prev", "cpa_target", "drift_events",
    "bundles_over_target", "red_pages", "compensation_at_risk")
EVENT_REQUIRED = ("kind", "severity", "workspace_id", "workspace", "account")
EVENT_COLUMNS = EVENT_REQUIRED + (
    "headline_zh", "headline_en", "level", "entity", "metric", "start", "money_at_stake", "currency", "url",
    "reasons_zh", "reasons_en", "key")
#: severities a user may have alerted at once (drift flags' and red landing pages)
IMMEDIATE = ("high", "medium", "low", "red")
#: rows the digest lists
DIGEST_TOP = 5
#: items one alert message lists (the others are counted)
ALERT_TOP = 10


class BadInput(ValueError):
    """A table given to the alerts lacks a column they need (the message names it)."""


def _need(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise BadInput(f"the {what} table lacks the column(s) {', '.join(missing)}")


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT or (
        not isinstance(v, (str, bytes)) and pd.api.types.is_scalar(v) and pd.isna(v))


def _get(row: pd.Series | dict, col: str):
    v = row.get(col) if hasattr(row, "get") else None
    return None if _blank(v) else v


def _t(key: str, lang: str, **kw) -> str:
    return i18n.t(key, lang, **kw)


def _change(now, before) -> str:
    if now is None or before is None or not before:
        return ""
    return f"{(float(now) - float(before)) / float(before):+.0%}"


def key_of(*parts) -> str:
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()


def _day(v) -> str:
    if v is None:
        return ""
    try:
        return pd.Timestamp(v).strftime("%Y-%m-%d")
    except (ValueError, TypeError):
        return str(v)


def event_key(row: pd.Series | dict) -> str:
    """The identity of an event (see the module's documentation), as 64 hex characters."""
    given = _get(row, "key")
    if given is not None:
        return key_of("given", given)
    if row["kind"] == "drift":
        return key_of("drift", row["workspace_id"], row["account"], _get(row, "level"), _get(row, "entity"),
                      _get(row, "metric"), _day(_get(row, "start")))
    return key_of(row["kind"], row["workspace_id"], row["account"], _get(row, "url"), _day(_get(row, "start")))


def _where(row, lang: str) -> str:
    return f"{row['workspace']} · {row['account']}" if str(row["workspace"]) != str(row["account"]) else \
        str(row["workspace"])


def event_item(row: pd.Series | dict, lang: str = "zh") -> dict:
    """One event as an item of an alert: key, kind, severity, where, and its line as
    ``md`` (markdown) and ``text``."""
    sev = str(row["severity"])
    label = i18n.code_name(i18n.SEVERITY, sev, lang) if sev in i18n.SEVERITY else \
        i18n.code_name(i18n.PAGE_STATUS, sev, lang)
    where = _where(row, lang)
    if row["kind"] == "drift":
        what = _get(row, f"headline_{lang}") or _get(row, "headline_zh") or _get(row, "entity") or ""
    else:
        reasons = _get(row, f"reasons_{lang}") or _get(row, "reasons_zh") or ""
        what = _t("alerts.msg.page_red", lang, url=_get(row, "url") or "", reasons=reasons)
    money = _get(row, "money_at_stake")
    return {"key": event_key(row), "kind": str(row["kind"]), "severity": sev, "workspace": str(row["workspace"]),
            "account": str(row["account"]), "money_at_stake": None if money is None else float(money),
            "md": f"**[{label}] {where}**\n{what}", "text": f"[{label}] {where}: {what}"}


def event_items(events: pd.DataFrame | None, lang: str = "zh", severities: Iterable[str] = ("high", "red")
                ) -> list[dict]:
    """The events of the chosen severities as items, most money at stake first (one
    item per event key)."""
    if events is None or len(events) == 0:
        return []
    _need(events, EVENT_REQUIRED, "events")
    chosen = events.loc[events["severity"].astype(str).isin(list(severities))]
    if "money_at_stake" in chosen.columns:
        chosen = chosen.assign(_m=pd.to_numeric(chosen["money_at_stake"], errors="coerce").fillna(-math.inf)) \
            .sort_values("_m", ascending=False, kind="stable").drop(columns="_m")
    items, seen = [], set()
    for _, row in chosen.iterrows():
        item = event_item(row, lang)
        if item["key"] not in seen:
            seen.add(item["key"])
            items.append(item)
    return items


def _digest_line(n: int, row: pd.Series, lang: str) -> str:
    cur = _get(row, "currency")
    parts = [_t("alerts.msg.at_stake", lang, money=i18n.money(float(row["money_at_stake"]), cur, 0))]
    last, old = _get(row, "last_day"), _get(row, "days_old")
    if last is not None:
        parts.append(_t("alerts.msg.fresh", lang, day=_day(last), n=int(old) if old is not None else "–"))
    spend = _get(row, "spend")
    if spend is not None:
        ch = _change(spend, _get(row, "spend_prev"))
        parts.append(_t("alerts.msg.spend", lang, money=i18n.money(float(spend), cur, 0))
                     + (_t("alerts.msg.vs_prev", lang, change=ch) if ch else ""))
    cpa = _get(row, "cpa")
    if cpa is not None:
        ch, target = _change(cpa, _get(row, "cpa_prev")), _get(row, "cpa_target")
        parts.append(_t("alerts.msg.cpa", lang, money=i18n.money(float(cpa), cur))
                     + (_t("alerts.msg.vs_prev", lang, change=ch) if ch else "")
                     + (_t("alerts.msg.vs_target", lang, money=i18n.money(float(target), cur)) if target else ""))
    for col in ("drift_events", "bundles_over_target", "red_pages"):
        v = _get(row, col)
        if v is not None and float(v) > 0:
            parts.append(_t(f"alerts.msg.{col}", lang, n=int(v)))
    comp = _get(row, "compensation_at_risk")
    if comp is not None and float(comp) > 0:
        parts.append(_t("alerts.msg.compensation_at_risk", lang, money=i18n.money(float(comp), cur, 0)))
    sep = "；" if lang == "zh" else "; "
    return f"{n}. **{_where(row, lang)}**：{sep.join(parts)}" if lang == "zh" else \
        f"{n}. **{_where(row, lang)}**: {sep.join(parts)}"


def digest_item(rows: pd.DataFrame | None, day: date, lang: str = "zh", top: int = DIGEST_TOP) -> dict | None:
    """The digest for ``day``: the ``top`` rows by money at stake (None when there is no row)."""
    if rows is None or len(rows) == 0:
        return None
    _need(rows, PORTFOLIO_REQUIRED, "portfolio")
    ranked = rows.assign(_m=pd.to_numeric(rows["money_at_stake"], errors="coerce").fillna(0.0)) \
        .sort_values("_m", ascending=False, kind="stable").drop(columns="_m")
    lines = [_digest_line(i + 1, r, lang) for i, (_, r) in enumerate(ranked.head(top).iterrows())]
    head = _t("alerts.msg.digest_head", lang, n=min(top, len(ranked)), total=len(ranked))
    md = head + "\n\n" + "\n".join(lines)
    text = md.replace("**", "")
    cols = [c for c in PORTFOLIO_COLUMNS if c in ranked.columns]
    shown = json.loads(ranked.head(top)[cols].to_json(orient="records", date_format="iso", force_ascii=False))
    return {"key": key_of("digest", day.isoformat()), "kind": "digest", "day": day.isoformat(), "md": md,
            "text": text, "rows": shown}


def compose(kind: str, items: list[dict], lang: str = "zh", day: date | None = None):
    """One message of ``kind`` (digest | alert | test) from its items."""
    from optimizer.notify.channels import Message
    footer = _t("alerts.msg.footer", lang)
    if kind == "digest":
        item = items[0]
        title = _t("alerts.msg.digest_title", lang, day=item.get("day") or (day.isoformat() if day else ""))
        return Message("digest", title, f"**{title}**\n\n{item['md']}\n\n{footer}",
                       f"{title}\n\n{item['text']}\n\n{footer}", items, lang, urgent=False)
    if kind == "test":
        title = _t("alerts.msg.test_title", lang)
        body = _t("alerts.msg.test_body", lang)
        return Message("test", title, f"**{title}**\n\n{body}", f"{title}\n\n{body}", items, lang)
    title = _t("alerts.msg.alert_title", lang, n=len(items))
    shown = items[:ALERT_TOP]
    more = len(items) - len(shown)
    md = "\n\n".join(i["md"] for i in shown)
    text = "\n\n".join(i["text"] for i in shown)
    if more:
        md += "\n\n" + _t("alerts.msg.more", lang, n=more)
        text += "\n\n" + _t("alerts.msg.more", lang, n=more)
    return Message("alert", title, f"**{title}**\n\n{md}\n\n{footer}", f"{title}\n\n{text}\n\n{footer}",
                   items, lang, urgent=True)


def drift_events(flags: pd.DataFrame, workspace_id: int, workspace: str, account: str,
                 currency: str | None = None) -> pd.DataFrame:
    """Events from a drift flag table (:func:`optimizer.drift.alerts.flag_table`): its
    ``flag`` rows (learning bundles' are not alerts), with the workspace and account."""
    if flags is None or len(flags) == 0:
        return pd.DataFrame(columns=list(EVENT_COLUMNS))
    f = flags.loc[flags["status"] == "flag"] if "status" in flags.columns else flags
    out = f.assign(kind="drift", workspace_id=workspace_id, workspace=workspace, account=account, currency=currency)
    return out[[c for c in EVENT_COLUMNS if c in out.columns]].reset_index(drop=True)


def landing_events(pages: pd.DataFrame, workspace_id: int, workspace: str, account: str) -> pd.DataFrame:
    """Events from a landing report's pages (:attr:`optimizer.landing.report.LandingReport.pages`):
    the red ones (severity ``red``), the page's spend as its money at stake."""
    if pages is None or len(pages) == 0:
        return pd.DataFrame(columns=list(EVENT_COLUMNS))
    red = pages.loc[pages["status"] == "red"]
    out = pd.DataFrame({"kind": "landing", "severity": "red", "workspace_id": workspace_id, "workspace": workspace,
                        "account": account, "url": red["url"].to_numpy(), "reasons_zh": red["reasons_zh"].to_numpy(),
                        "reasons_en": red["reasons_en"].to_numpy(),
                        "money_at_stake": pd.to_numeric(red["cost"], errors="coerce").to_numpy()})
    return out.reset_index(drop=True)
