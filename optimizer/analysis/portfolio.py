"""The portfolio: one small row per account, for the morning triage across every
workspace (the Today page, ``pages/today.py``).

:func:`portfolio_row` takes an account's model (:class:`~optimizer.analysis.account.AccountModel`)
and its whole analysis (:class:`optimizer.analysis.summary.Analysis`, the one the
account's workbook is made of) and gives a :class:`PortfolioRow` of a few hundred
bytes. The background preparation (:func:`optimizer.analysis.prepare.prepare_account`)
keeps it as the model's ``portfolio`` piece (:meth:`AccountModel.portfolio`), keyed by
the data version and the workspace's *state* (:func:`workspace_state`), so that the
Today page reads one small row per account and never an account's rows.

The figures, each the same number another part of the app shows:

- ``last_day``: the account's last day with data (the Overview's range end); how old it
  is is counted at reading time (:func:`days_old`), not kept;
- ``spend`` / ``cpa`` / ``conversions``: the last :data:`PERIOD_DAYS` days with data —
  the client view's 7-day period (:meth:`AccountModel.period`, :meth:`AccountModel.headline`:
  the CPA leaves out Baidu's incomplete last day) — and ``prev_*`` the
  :data:`PERIOD_DAYS` calendar days before it;
- ``target_cpa`` and ``target_actual_cpa``: the targets of the bundles checked against
  their target (the Cost drift page's target table: status over or within target),
  weighted by their conversions, and those bundles' CPA over the same window;
- ``drift_flags``, ``over_target``, ``landing_red``: :meth:`Analysis.counts` (the
  workbook's and ``--json``'s counts); ``drift_severity``: the highest severity among
  the flags;
- ``compensation_at_risk``: the estimated compensation of the bundles whose claim is
  ``at_risk`` (:func:`optimizer.bundles.targets.compensation`), and how many;
- ``money_at_stake`` and ``top_action_*``: the summary's first line — the money and
  action the workbook's summary sheet and ``analyze --batch``'s index show first.

Amounts are in the account's currency, never converted.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.analysis.account import AccountModel
from optimizer.analysis.summary import Analysis

#: days of the period compared with the one before (the client view's shortest period)
PERIOD_DAYS = 7
#: an account's data is stale when its last day is this many days old or more (yesterday's
#: report not uploaded yet)
STALE_DAYS = 2
#: the order of severities, highest first
SEVERITIES = ("high", "medium", "low")

#: the columns of :func:`portfolio_table`
TABLE_COLUMNS = ["workspace_id", "workspace", "key", "platform", "account", "currency", "status", "last_day",
                 "days_old", "stale", "spend", "prev_spend", "spend_change", "cpa", "prev_cpa", "cpa_change",
                 "target_cpa", "cpa_vs_target", "drift_flags", "drift_severity", "over_target", "landing_red",
                 "compensation_at_risk", "compensation_at_risk_count", "money_at_stake", "top_action_zh",
                 "top_action_en"]
#: a row's ``status``: its figures are kept for the data shown (``ready``), are being
#: computed (``preparing``), or their preparation failed (``failed``)
STATUSES = ("ready", "preparing", "failed")


@dataclass(frozen=True)
class PortfolioRow:
    """One account's triage figures (see the module docstring). NaN where a figure does
    not exist (a CPA without conversions, no targets); ``landing_red`` None when the
    landing-page analysis was skipped."""

    platform: str
    account: str
    currency: str
    last_day: pd.Timestamp | None
    period_start: pd.Timestamp | None
    period_end: pd.Timestamp | None
    spend: float
    conversions: float
    cpa: float
    prev_spend: float
    prev_conversions: float
    prev_cpa: float
    target_cpa: float
    target_actual_cpa: float
    drift_flags: int
    drift_severity: str | None
    over_target: int
    landing_red: int | None
    compensation_at_risk: float
    compensation_at_risk_count: int
    money_at_stake: float
    top_kind: str
    top_action_zh: str
    top_action_en: str
    actions: int


def workspace_state(revision: int, catalog_revision: str) -> tuple:
    """What names, with the data version, every input of a workspace's portfolio rows:
    the workspace's revision (bumped by every write to it: an upload, a lexicon edit, a
    bundle map, a page audit) and the saved verticals' revision. A row kept under
    another state is not shown as current."""
    return ("state", int(revision), str(catalog_revision))


def row_inputs(version: tuple, state: tuple) -> tuple:
    """The inputs the ``portfolio`` piece is keyed by (as :meth:`AccountModel.portfolio`
    keys it): for a reader that has no model (:meth:`optimizer.analysis.results.Results.kept`)."""
    return (tuple(version), state)


def _nan(v) -> float:
    return float("nan") if v is None or pd.isna(v) else float(v)


def _targets(targets: pd.DataFrame) -> tuple[float, float]:
    """(conversion-weighted target CPA, the same bundles' CPA) of the bundles checked
    against their target, over the target window."""
    if targets is None or targets.empty:
        return math.nan, math.nan
    t = targets.loc[targets["status"].isin(["over_target", "within_target"])]
    conv = t["conversions"].astype(float)
    if t.empty or conv.sum() <= 0:
        return math.nan, math.nan
    target = float((t["target_cpa"].astype(float) * conv).sum() / conv.sum())
    return target, float(t["cost"].astype(float).sum() / conv.sum())


def portfolio_row(analysis: Analysis, model: AccountModel, days: int = PERIOD_DAYS) -> PortfolioRow:
    """The account's :class:`PortfolioRow` from its whole ``analysis``
    (:func:`optimizer.analysis.summary.analyze_account` over ``model``) and the model's
    kept daily figures."""
    period = model.period(days)
    if period is None:
        now = prev = None
    else:
        now = model.headline(*period)
        end = pd.Timestamp(period[1])
        prev = model.headline(end - pd.Timedelta(days=2 * days - 1), end - pd.Timedelta(days=days))
    counts = analysis.counts()
    d = analysis.drift
    flags = d.loc[d["status"] == "flag"] if len(d) else d
    severity = next((s for s in SEVERITIES if len(flags) and (flags["severity"] == s).any()), None)
    c = analysis.compensation
    risk = c.loc[c["status"] == "at_risk"] if len(c) else c
    target, actual = _targets(analysis.targets)
    top = analysis.summary.iloc[0] if len(analysis.summary) else None
    daily = model.daily()
    return PortfolioRow(
        platform=analysis.platform, account=analysis.account, currency=analysis.currency,
        last_day=None if daily.empty else pd.Timestamp(daily["date"].max()),
        period_start=None if period is None else pd.Timestamp(period[0]),
        period_end=None if period is None else pd.Timestamp(period[1]),
        spend=_nan(now.cost if now else None), conversions=_nan(now.conversions if now else None),
        cpa=_nan(now.cpa if now else None), prev_spend=_nan(prev.cost if prev else None),
        prev_conversions=_nan(prev.conversions if prev else None), prev_cpa=_nan(prev.cpa if prev else None),
        target_cpa=target, target_actual_cpa=actual,
        drift_flags=int(counts["drift_flags"]), drift_severity=severity, over_target=int(counts["over_target"]),
        landing_red=counts["landing_red"],
        compensation_at_risk=float(risk["amount"].astype(float).sum()) if len(risk) else 0.0,
        compensation_at_risk_count=int(len(risk)),
        money_at_stake=math.nan if top is None else _nan(top["money_at_stake"]),
        top_kind="" if top is None else str(top["kind"]),
        top_action_zh="" if top is None else str(top["action_zh"]),
        top_action_en="" if top is None else str(top["action_en"]),
        actions=int(len(analysis.summary)))


def days_old(last_day, today) -> int | None:
    """Whole days from the account's last data day to ``today`` (None without data)."""
    if last_day is None or pd.isna(last_day):
        return None
    return int((pd.Timestamp(today).normalize() - pd.Timestamp(last_day).normalize()).days)


def split_key(key: str) -> tuple[str, str, str]:
    """(platform, account, currency) of an account key ``platform:account:currency`` (an
    account name may hold a colon)."""
    platform, _, rest = key.partition(":")
    account, _, currency = rest.rpartition(":")
    return platform, account, currency


def _change(now: float, before: float) -> float:
    return now / before - 1 if now == now and before == before and before > 0 else math.nan


@dataclass(frozen=True)
class Entry:
    """One account of one workspace as the Today page lists it: its ``row`` (None when
    not kept for the data shown) and ``status`` (:data:`STATUSES`)."""

    workspace_id: int
    workspace: str
    key: str
    row: PortfolioRow | None
    status: str = "ready"


def portfolio_table(entries: Iterable[Entry], today) -> pd.DataFrame:
    """The Today page's table (:data:`TABLE_COLUMNS`), one line per entry: the rows'
    figures, ``days_old`` as of ``today``, ``stale`` (:data:`STALE_DAYS`), the period's
    changes against the previous one (``spend_change``, ``cpa_change``: fractions) and
    the CPA against target (``cpa_vs_target``: the target bundles' CPA / their target
    − 1). Sorted by money at stake, most first; lines without money after, then those
    being prepared; ties by workspace and account."""
    lines = []
    for e in entries:
        r = e.row
        platform, account, currency = split_key(e.key) if r is None else (r.platform, r.account, r.currency)
        line = {"workspace_id": e.workspace_id, "workspace": e.workspace, "key": e.key, "platform": platform,
                "account": account, "currency": currency, "status": e.status if r is None else "ready"}
        if r is not None:
            old = days_old(r.last_day, today)
            line.update(
                last_day=r.last_day, days_old=old, stale=old is not None and old >= STALE_DAYS,
                spend=r.spend, prev_spend=r.prev_spend, spend_change=_change(r.spend, r.prev_spend),
                cpa=r.cpa, prev_cpa=r.prev_cpa, cpa_change=_change(r.cpa, r.prev_cpa), target_cpa=r.target_cpa,
                cpa_vs_target=_change(r.target_actual_cpa, r.target_cpa), drift_flags=r.drift_flags,
                drift_severity=r.drift_severity, over_target=r.over_target, landing_red=r.landing_red,
                compensation_at_risk=r.compensation_at_risk,
                compensation_at_risk_count=r.compensation_at_risk_count, money_at_stake=r.money_at_stake,
                top_action_zh=r.top_action_zh, top_action_en=r.top_action_en)
        lines.append(line)
    out = pd.DataFrame(lines, columns=TABLE_COLUMNS)
    if out.empty:
        return out
    out["stale"] = out["stale"].fillna(False).astype(bool)
    for c in ("spend", "prev_spend", "spend_change", "cpa", "prev_cpa", "cpa_change", "target_cpa",
              "cpa_vs_target", "compensation_at_risk", "money_at_stake"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    for c in ("days_old", "drift_flags", "over_target", "landing_red", "compensation_at_risk_count"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("Int64")
    out["last_day"] = pd.to_datetime(out["last_day"])
    order = out.assign(_p=(out["status"] != "ready").astype(int), _m=-out["money_at_stake"].fillna(-np.inf))
    return (order.sort_values(["_p", "_m", "workspace", "account"], kind="stable")
            .drop(columns=["_p", "_m"]).reset_index(drop=True))


def filter_table(table: pd.DataFrame, workspaces: Iterable[int] | None = None,
                 platforms: Iterable[str] | None = None, stale_only: bool = False) -> pd.DataFrame:
    """The lines of :func:`portfolio_table` in ``workspaces`` (ids; None or empty: all),
    of ``platforms`` (codes; None or empty: all) and, with ``stale_only``, whose data is
    stale (not lines being prepared: their freshness is not known yet)."""
    keep = pd.Series(True, index=table.index)
    if workspaces:
        keep &= table["workspace_id"].isin(list(workspaces))
    if platforms:
        keep &= table["platform"].isin(list(platforms))
    if stale_only:
        keep &= table["stale"]
    return table.loc[keep].reset_index(drop=True)
