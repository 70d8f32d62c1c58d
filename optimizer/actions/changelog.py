"""What changed and whether it helped: each logged change's figures before and after the
day it was applied, tested with the cost-drift statistics.

Takes the change log (:meth:`optimizer.store.changes.ChangesMixin.change_log`, or any
frame with the change table's columns and ``applied_on``) and an account's canonical
rows (:func:`optimizer.model.dataset.for_account`); gives :class:`ChangeEffects` — one
row per logged change (:data:`EFFECT_COLUMNS`), one row per group of changes applied
the same day (:data:`GROUP_COLUMNS`: what the client view and the workbook's summary
say in plain words), and the daily figures around each change for its chart.

What is compared (the object and the metric the change aimed at)
    ``bid`` — the keyword. A lowered bid aims at its cost per conversion (CPA); a raised
    one at its conversions per day. The other of the two is shown beside it.
    ``pause`` — the keyword's (or unit's / plan's) cost per day (the money saved), with
    the plan's conversions per day as a guard: a pause that cost the plan conversions hurt.
    ``negative`` — the negated term's cost per day in the search-term report (in its plan,
    or unit for a unit-level negative; exact negatives match the term, phrase negatives
    every term holding it), with the plan's (unit's) CPA as a guard. Without any
    search-term rows in the account the plan's (unit's) CPA is the aim.
    ``url`` — the keyword's (unit's, plan's) conversion rate, its conversions beside it.

Same-weekday baseline
    The applied day itself is left out (the change landed some time that day). The after
    window is the days with data from the day after, at most :data:`WEEKS` weeks; the
    before window the days with data in the :data:`WEEKS` weeks before. Then, weekday by
    weekday, as many days are kept on each side as both have (the ones nearest the
    change): both sides hold the same weekdays, so the weekly rhythm of local services
    (busy weekends, quiet Mondays) cannot pass for an effect. Days the export does not
    cover are not counted as zero; days it covers where the object had no rows are.
    Baidu's last day (its conversions still arriving) is left out, as everywhere.
    Fewer than :data:`MIN_DAYS_AFTER` (7: one of each weekday) days of data after the
    applied day is ``too_early``.

Statistics (those of :mod:`optimizer.drift.scan`, with the change day known, so no
scan correction: plain 95 % intervals)
    CVR — quasi-binomial: conversions ~ Binomial(clicks, p) per side, dispersion from the
    days' Pearson X²; interval the Katz log-ratio interval inflated by the dispersion
    (``scan._binomial_parts``). CPC — daily log CPC, weights ``1 / (tau² + sigma² /
    clicks)``, weighted two-sample t (``scan._cpc_weights``, ``scan._gauss_two_sample``).
    CPA — ``ln CPA ratio = ln CPC ratio − ln CVR ratio``, variances added (CPC and CVR taken
    as independent), as the scan's CPA test. Cost and conversions per day — the scan's
    spend test: two-sample t on ``log(value + 5 % of the mean)`` (no weekday factors: the
    windows already hold the same weekdays); interval ``after/before × exp(± t · se)``.
    Before / after are the sums (cost / clicks …) or the mean per day over the kept days.
    Days are taken as independent given the side; no trend inside a window; nothing
    else changed on that day (a bid lowered while the market's prices fell shows the
    market's fall too — the verdict says what happened after, not why).

Evidence (the scan's minimums)
    At least :data:`~optimizer.drift.scan.MIN_CLICKS` (30) clicks on each side for CPC,
    CVR and CPA and :data:`~optimizer.drift.scan.MIN_CONVERSIONS` (10) conversions
    expected on each side at the pooled rate for CVR, CPA and conversions; for cost per
    day 30 clicks before (after a pause or a negative there may rightly be none). A
    metric short of them is ``thin``: it is shown, but decides nothing.

Verdict
    ``helped`` when the aimed metric's 95 % interval lies wholly on the good side of no
    change (CPA, CPC and cost down; CVR and conversions up), ``hurt`` when wholly on
    the bad side — or, for a pause or a negative, when the guard is (the plan lost
    conversions; its CPA rose) —, else ``no_clear_effect`` (the interval holds 0, or the
    evidence is thin). When the after side is all zero (a paused keyword that no longer
    spends) the ratio's interval is undefined and the t test's p < 0.05 decides.
    ``no_data``: the object has no rows, or no clicks (cost for cost) before the change.
    ``confounded``: a change of another kind touched the same keyword — a keyword's bid and
    its URL, or a keyword and a plan negative of a search term that keyword brought — within
    the same before/after windows (applied less than :data:`WEEKS` weeks apart): the figures
    move for both, so neither is credited (``confounded_with``: the other change, as
    ``action:field``). Its figures are still shown; it is left out of its day's pooled line,
    which gets a line of its own with this verdict.
    Each change is tested on its own at 5 %: among many changes without effect about one
    in twenty shows one by chance (no false-discovery correction across the log).

Money (``money_30d``, only with a ``helped`` or ``hurt`` verdict): what the observed
change is worth per 30 days, positive = saved — cost aims: (before − after) cost per day × 30; a lowered bid: (CPA before − CPA
after) × conversions per day after × 30; NaN otherwise.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from optimizer.drift.scan import (MIN_CLICKS, MIN_CONVERSIONS, SPEND_LOG_OFFSET, _binomial_parts, _cpc_weights,
                                  _gauss_two_sample, _thin_side)
from optimizer.model.dataset import partial_last_day, spend_mask

#: days of data after the applied day needed for a verdict (one of each weekday)
MIN_DAYS_AFTER = 7
#: weeks on each side of the applied day at most
WEEKS = 4
#: the actions of a change, in the order the pages list them
ACTIONS_SHOWN = ("bid", "pause", "negative", "url")
VERDICTS = ("helped", "hurt", "no_clear_effect", "confounded", "too_early", "no_data")
METRICS = ("cpa", "cpc", "cvr", "cost", "conversions")
#: +1: up is good; -1: down is good
GOOD = {"cpa": -1, "cpc": -1, "cost": -1, "cvr": 1, "conversions": 1}
_Z = float(stats.norm.ppf(0.975))

#: the log's columns an effect row repeats
_LOG_KEEP = ["entry", "change_id", "action", "level", "campaign", "ad_group", "keyword", "match_type", "field",
             "before", "after", "reason_zh", "reason_en", "applied_on"]
_STATS = ["value_before", "value_after", "change", "ci_low", "ci_high", "p_value", "thin"]
EFFECT_COLUMNS = [*_LOG_KEEP, "verdict", "note", "metric", "object", *_STATS, "days_before", "days_after",
                  "before_start", "after_end", "also_metric", "also_object",
                  *[f"also_{c}" for c in _STATS], "money_30d", "confounded_with"]
GROUP_COLUMNS = ["applied_on", "action", "direction", "n", "entries", "verdict", "metric", *_STATS,
                 "days_before", "days_after", "money_30d", "confounded_with"]
DAY_COLUMNS = ["entry", "date", "clicks", "cost", "conversions", "side", "kept"]


@dataclass
class ChangeEffects:
    """``table``: one row per logged change (:data:`EFFECT_COLUMNS`); ``groups``: one row
    per (applied day, action, direction, metric) — pooled over the changes' objects —
    (:data:`GROUP_COLUMNS`); ``days``: the aimed object's days around each change
    (:data:`DAY_COLUMNS`; ``side`` before / change / after, ``kept`` in the comparison);
    ``end``: the last day of data compared (None without daily rows)."""

    table: pd.DataFrame
    groups: pd.DataFrame
    days: pd.DataFrame
    end: pd.Timestamp | None

    def counts(self) -> dict[str, int]:
        """How many changes got each verdict."""
        v = self.table["verdict"].value_counts() if len(self.table) else pd.Series(dtype=int)
        return {k: int(v.get(k, 0)) for k in VERDICTS}


# ---------------------------------------------------------------- the rows, once

class _Sources:
    """The account's daily rows summed per object and day, by source: ``keyword`` (the
    keyword report), ``unit`` (unit report, else keyword report), ``plan`` (the spend
    rows), ``term`` (the search-term report). Baidu's partial last day dropped."""

    KEYS = {"keyword": ["campaign", "ad_group", "keyword", "match_type", "keyword_id"],
            "unit": ["campaign", "ad_group"], "plan": ["campaign"],
            "term": ["campaign", "ad_group", "search_term"]}

    def __init__(self, rows: pd.DataFrame, as_of=None) -> None:
        dated = rows.loc[rows["date"].notna().to_numpy(bool)] if len(rows) else rows
        partial = partial_last_day(dated) if len(dated) else None
        if partial is not None:
            dated = dated.loc[~((dated["platform"].astype(str) == "baidu") & (dated["date"] == partial)).to_numpy()]
        if as_of is not None and len(dated):
            dated = dated.loc[dated["date"] <= pd.Timestamp(as_of)]
        self.end = dated["date"].max() if len(dated) else None
        rt = dated["report_type"].astype(str).to_numpy() if len(dated) else np.array([], dtype=object)
        unit_type = "ad_group" if (rt == "ad_group").any() else "keyword"
        masks = {"keyword": rt == "keyword", "unit": rt == unit_type,
                 "plan": spend_mask(dated) if len(dated) else np.zeros(0, bool), "term": rt == "search_term"}
        self.frames: dict[str, pd.DataFrame] = {}
        self.days: dict[str, pd.DatetimeIndex] = {}
        for name, mask in masks.items():
            keys = self.KEYS[name]
            part = dated.loc[mask, [*keys, "date", "clicks", "cost", "conversions"]]
            for k in keys:
                part[k] = part[k].astype(object).where(part[k].notna(), "").astype(str)
            self.days[name] = pd.DatetimeIndex(sorted(part["date"].unique()))
            self.frames[name] = part.groupby([*keys, "date"], sort=False, observed=True)[
                ["clicks", "cost", "conversions"]].sum(min_count=1).reset_index()
        self.has_conversions = bool(len(dated)) and dated["conversions"].notna().any()

    def select(self, source: str, change: pd.Series, term: str | None = None) -> pd.DataFrame:
        """The source's rows of the object ``change`` names (summed per day)."""
        f = self.frames[source]
        if f.empty:
            return f
        m = f["campaign"].to_numpy(object) == change["campaign"]
        ad_group = change["ad_group"]
        if source in ("keyword", "unit") or (source == "term" and change["level"] == "ad_group"):
            if ad_group:
                m &= f["ad_group"].to_numpy(object) == ad_group
        if source == "keyword":
            kid = change.get("keyword_id", "") or ""
            ids = f["keyword_id"].to_numpy(object)
            if kid and (m & (ids == kid)).any():
                m &= ids == kid
            else:
                m &= f["keyword"].to_numpy(object) == change["keyword"]
                base = np.array([t.removesuffix("_close") for t in f["match_type"].to_numpy(object)], dtype=object)
                mt = change.get("match_type", "") or ""
                if mt and (m & (base == mt)).any():
                    m &= base == mt
        if source == "term" and term is not None:
            terms = np.array([" ".join(t.casefold().split()) for t in f["search_term"].to_numpy(object)],
                             dtype=object)
            want = " ".join(term.casefold().split())
            if change.get("match_type") == "phrase":
                m &= np.array([want in t for t in terms], dtype=bool)
            else:
                m &= terms == want
        return f.loc[m].groupby("date")[["clicks", "cost", "conversions"]].sum(min_count=1)


# ---------------------------------------------------------------- windows and tests

def _windows(days: pd.DatetimeIndex, applied: pd.Timestamp, end: pd.Timestamp
             ) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex, pd.DatetimeIndex, pd.DatetimeIndex]:
    """(kept before days, kept after days, all before days, all after days): the same
    weekdays on both sides, nearest the change first (see the module docstring)."""
    span = pd.Timedelta(days=7 * WEEKS)
    before = days[(days >= applied - span) & (days < applied)]
    after = days[(days > applied) & (days <= min(applied + span, end))]
    kb, ka = [], []
    for wd in range(7):
        b = sorted(before[before.day_of_week == wd], reverse=True)
        a = sorted(after[after.day_of_week == wd])
        m = min(len(a), len(b))
        kb += b[:m]
        ka += a[:m]
    return pd.DatetimeIndex(sorted(kb)), pd.DatetimeIndex(sorted(ka)), before, after


def _nan_stats() -> dict:
    return {"value_before": np.nan, "value_after": np.nan, "change": np.nan, "ci_low": np.nan, "ci_high": np.nan,
            "p_value": np.nan, "thin": True}


def _t_p(t: float, df: int) -> float:
    if df < 1 or t != t:
        return np.nan
    return float(2 * stats.t.sf(abs(t), df)) if np.isfinite(t) else 0.0


def _daily_level(x: np.ndarray, k: int) -> dict:
    """The scan's spend test for a value per day (cost, conversions)."""
    before, after = float(x[:k].mean()), float(x[k:].mean())
    offset = SPEND_LOG_OFFSET * max(float(x.mean()), 1e-9)
    g = _gauss_two_sample(np.log(x + offset), np.ones(len(x)), k)
    crit = float(stats.t.ppf(0.975, g["df"])) if g["df"] > 0 else np.nan
    lo = hi = np.nan
    if before > 0 and after > 0 and np.isfinite(g["se"]):
        lo, hi = (after / before) * np.exp(np.array([-1, 1]) * crit * g["se"]) - 1
    change = after / before - 1 if before > 0 else np.nan
    return {"value_before": before, "value_after": after, "change": change, "ci_low": lo, "ci_high": hi,
            "p_value": _t_p(g["t"], g["df"])}


def _cpc_fit(clicks: np.ndarray, cost: np.ndarray, k: int) -> dict | None:
    positive = (clicks > 0) & (cost > 0)
    w = np.where(positive, clicks, 0.0)
    if w[:k].sum() <= 0 or w[k:].sum() <= 0:
        return None
    y = np.where(positive, np.log(np.where(positive, cost, 1.0) / np.where(positive, clicks, 1.0)), 0.0)
    return _gauss_two_sample(y, _cpc_weights(y, w, np.array([k])), k)


def measure(metric: str, clicks: np.ndarray, cost: np.ndarray, conv: np.ndarray, k: int) -> dict:
    """One metric of one object over the kept days (the first ``k`` before the change):
    value_before, value_after, change (relative), ci_low, ci_high (95 %), p_value, thin."""
    out = _nan_stats()
    n1, n2 = float(clicks[:k].sum()), float(clicks[k:].sum())
    needs_conv = metric in ("cvr", "cpa", "conversions")
    if needs_conv and not np.isfinite(conv).any():
        return out
    conv = np.nan_to_num(conv)
    x1, x2 = float(conv[:k].sum()), float(conv[k:].sum())
    if metric == "cost":
        if cost[:k].sum() <= 0:
            return out
        out.update(_daily_level(cost, k))
        out["thin"] = n1 < MIN_CLICKS
        return out
    if metric == "conversions":
        if n1 <= 0:
            return out
        out.update(_daily_level(conv, k))
    elif metric == "cvr":
        if n1 <= 0 or n2 <= 0:
            return out
        b = _binomial_parts(conv, clicks, k)
        lo, hi = np.exp(b["log_ratio"] + np.array([-1, 1]) * _Z * np.sqrt(b["var"])) - 1
        out.update(value_before=b["p1"], value_after=b["p2"], change=b["p2"] / b["p1"] - 1 if b["p1"] > 0 else np.nan,
                   ci_low=lo, ci_high=hi, p_value=float(2 * stats.norm.sf(abs(b["z"]))))
    elif metric == "cpc":
        g = _cpc_fit(clicks, cost, k)
        if g is None:
            return out
        before, after = cost[:k].sum() / n1, cost[k:].sum() / n2
        crit = float(stats.t.ppf(0.975, g["df"])) if g["df"] > 0 else np.nan
        lo, hi = (after / before) * np.exp(np.array([-1, 1]) * crit * g["se"]) - 1
        out.update(value_before=before, value_after=after, change=after / before - 1, ci_low=lo, ci_high=hi,
                   p_value=_t_p(g["t"], g["df"]))
    else:  # cpa
        g = _cpc_fit(clicks, cost, k)
        if g is None:
            return out
        b = _binomial_parts(conv, clicks, k)
        c1, c2 = float(cost[:k].sum()), float(cost[k:].sum())
        log_ratio = np.log(c2 / (x2 or 0.5)) - np.log(c1 / (x1 or 0.5))
        se = float(np.sqrt(g["se"] ** 2 + b["var"]))
        z = (g["diff"] - b["log_ratio"]) / se if se > 0 else np.nan
        lo, hi = np.exp(log_ratio + np.array([-1, 1]) * _Z * se) - 1
        out.update(value_before=c1 / x1 if x1 > 0 else np.nan, value_after=c2 / x2 if x2 > 0 else np.nan,
                   change=float(np.exp(log_ratio) - 1), ci_low=lo, ci_high=hi,
                   p_value=float(2 * stats.norm.sf(abs(z))) if z == z else np.nan)
    rule = "cpc" if metric == "cpc" else "cvr"
    out["thin"] = bool(_thin_side(rule, n1, n2, x1, x2, MIN_CLICKS, MIN_CONVERSIONS))
    return out


def direction(s: dict | pd.Series, metric: str) -> int:
    """+1 when the metric clearly moved the good way, -1 the bad way, 0 when unclear
    (the interval holds no change, the evidence is thin, or nothing was measured)."""
    if s["thin"] or s["change"] != s["change"]:
        return 0
    lo, hi = s["ci_low"], s["ci_high"]
    if lo == lo and hi == hi:
        moved = 1 if lo > 0 else -1 if hi < 0 else 0
    else:  # the after side is all zero: the t test decides
        moved = int(np.sign(s["change"])) if s["p_value"] == s["p_value"] and s["p_value"] < 0.05 else 0
    return moved * GOOD[metric]


# ---------------------------------------------------------------- what each change aims at

def _number(v) -> float:
    try:
        return float(str(v).strip())
    except (TypeError, ValueError):
        return np.nan


def bid_direction(before, after) -> str:
    """``lower`` or ``raise`` (a bid change's), ``""`` when the values are not numbers."""
    b, a = _number(before), _number(after)
    if b != b or a != a or a == b:
        return ""
    return "lower" if a < b else "raise"


def _object_source(level: str) -> str:
    return {"keyword": "keyword", "ad_group": "unit", "campaign": "plan"}.get(level, "keyword")


def _plan(change: pd.Series, level_unit: bool = False) -> pd.Series:
    """The change's plan (or unit, ``level_unit``) as a change naming it."""
    c = change.copy()
    c["level"] = "ad_group" if level_unit else "campaign"
    if not level_unit:
        c["ad_group"] = ""
    return c


def plan(change: pd.Series, has_terms: bool) -> tuple[tuple[str, str, pd.Series, str | None], tuple | None]:
    """((aim metric, source, object, term), (also metric, source, object, term) or None)
    for one change (see the module docstring)."""
    action, level = change["action"], change["level"]
    src = _object_source(level)
    if action == "bid":
        aim = "conversions" if bid_direction(change["before"], change["after"]) == "raise" else "cpa"
        other = "cpa" if aim == "conversions" else "conversions"
        return (aim, "keyword", change, None), (other, "keyword", change, None)
    if action == "pause":
        return (("cost", src, change, None), ("conversions", "plan", _plan(change), None))
    if action == "negative":
        unit = level == "ad_group"
        guard = ("cpa", "unit" if unit else "plan", _plan(change, unit), None)
        if not has_terms:
            return guard, None
        term = change["keyword"] or change["after"]
        return ("cost", "term", change, term), guard
    return ("cvr", src, change, None), ("conversions", src, change, None)  # url


# ---------------------------------------------------------------- the effects

def _series(frame: pd.DataFrame, kept: pd.DatetimeIndex, has_conv: bool) -> tuple[np.ndarray, ...]:
    d = frame.reindex(kept)
    clicks = d["clicks"].fillna(0).to_numpy(float)
    cost = d["cost"].fillna(0).to_numpy(float)
    conv = d["conversions"].fillna(0).to_numpy(float) if has_conv else np.full(len(kept), np.nan)
    return clicks, cost, conv


def log_key(log: pd.DataFrame) -> str:
    """A key of what a log's effects depend on (each entry's change and applied day):
    the :class:`~optimizer.analysis.account.AccountModel` piece is found by it, so a new
    entry, a removed one or a corrected day computes the effects again."""
    import hashlib
    import json
    f = _log_frame(log)
    cols = ["entry", "change_id", "action", "level", "campaign", "ad_group", "keyword", "match_type",
            "keyword_id", "field", "before", "after", "applied_on"]
    return hashlib.sha256(json.dumps(f[cols].astype(str).to_numpy().tolist(), ensure_ascii=False).encode()).hexdigest()


def _log_frame(log: pd.DataFrame) -> pd.DataFrame:
    log = log.reset_index(drop=True).copy()
    if "entry" not in log.columns:
        log["entry"] = log["id"] if "id" in log.columns else np.arange(len(log))
    if "applied_on" not in log.columns:
        log["applied_on"] = log["downloaded_on"]
    log["applied_on"] = pd.to_datetime(log["applied_on"]).dt.normalize()
    for c in _LOG_KEEP:
        if c not in log.columns:
            log[c] = ""
    for c in ("campaign", "ad_group", "keyword", "match_type", "keyword_id", "before", "after"):
        if c in log.columns:
            log[c] = log[c].astype(object).where(log[c].notna(), "").astype(str)
    if "keyword_id" not in log.columns:
        log["keyword_id"] = ""
    return log


def _compare(src: _Sources, aims: Sequence[tuple], applied: pd.Timestamp, end: pd.Timestamp | None):
    """(stats, kept before, kept after, all before, all after, daily frame) of the
    summed objects ``aims`` (metric, source, object, term), or (reason, …) when none."""
    metric, source = aims[0][0], aims[0][1]
    frames = [src.select(source, obj, term) for _, _, obj, term in aims]
    frame = pd.concat(frames).groupby(level=0).sum(min_count=1) if frames else pd.DataFrame()
    if end is None or frame.empty:
        return "no_data", None
    if (end - applied).days < MIN_DAYS_AFTER:
        return "too_early", frame
    kb, ka, ab, aa = _windows(src.days[source], applied, end)
    if not len(kb):
        return "no_data", frame
    kept = kb.append(ka)
    clicks, cost, conv = _series(frame, kept, src.has_conversions)
    s = measure(metric, clicks, cost, conv, len(kb))
    if s["value_before"] != s["value_before"] and s["change"] != s["change"]:
        return "no_data", frame
    s.update(days_before=len(kb), days_after=len(ka), before_start=kb.min(), after_end=ka.max())
    return s, frame


def _money(metric: str, s: dict, conv_after_per_day: float) -> float:
    if metric == "cost":
        return (s["value_before"] - s["value_after"]) * 30
    if metric == "cpa" and s["value_before"] == s["value_before"] and s["value_after"] == s["value_after"]:
        return (s["value_before"] - s["value_after"]) * conv_after_per_day * 30
    return np.nan


def _verdict(aim_metric: str, s: dict, guard: tuple[str, dict] | None) -> str:
    if guard is not None and isinstance(guard[1], dict) and direction(guard[1], guard[0]) < 0:
        return "hurt"
    d = direction(s, aim_metric)
    return "helped" if d > 0 else "hurt" if d < 0 else "no_clear_effect"


def _object_label(obj: pd.Series, source: str, term: str | None) -> str:
    if source == "term":
        return f"{obj['campaign']} / {term}"
    if source == "plan":
        return str(obj["campaign"])
    if source == "unit":
        return f"{obj['campaign']} / {obj['ad_group']}"
    return " / ".join(str(x) for x in (obj["campaign"], obj["ad_group"], obj["keyword"]) if x)


def _conv_per_day(src: _Sources, aim: tuple, applied, end) -> float:
    metric, source, obj, term = aim
    frame = src.select(source, obj, term)
    if end is None or frame.empty:
        return np.nan
    _, ka, _, _ = _windows(src.days[source], applied, end)
    if not len(ka):
        return np.nan
    return float(frame.reindex(ka)["conversions"].fillna(0).sum()) / len(ka)


def change_effects(log: pd.DataFrame, rows: pd.DataFrame, as_of=None) -> ChangeEffects:
    """Each logged change's effect (see the module docstring). ``log``: the change log
    (the change table's columns and ``applied_on``; ``id`` names each entry when
    present); ``rows``: the account's canonical rows; ``as_of``: the last day to count
    (None: the last day of data). Returns :class:`ChangeEffects`."""
    log = _log_frame(log)
    src = _Sources(rows, as_of)
    end = src.end
    has_terms = not src.frames["term"].empty
    out, days = [], []
    plans: dict[int, tuple] = {}
    for _, ch in log.iterrows():
        applied = ch["applied_on"]
        aim, also = plan(ch, has_terms)
        plans[ch["entry"]] = (aim, also)
        row = {c: ch[c] for c in _LOG_KEEP}
        row.update(metric=aim[0], object=_object_label(aim[2], aim[1], aim[3]),
                   also_metric=also[0] if also else None,
                   also_object=_object_label(also[2], also[1], also[3]) if also else None,
                   days_before=0, days_after=0, before_start=pd.NaT, after_end=pd.NaT, money_30d=np.nan, note="")
        row.update(_nan_stats())
        row.update({f"also_{k}": v for k, v in _nan_stats().items()})
        s, frame = _compare(src, [aim], applied, end)
        if frame is not None and end is not None:
            span = pd.Timedelta(days=7 * WEEKS)
            around = src.days[aim[1]]
            around = around[(around >= applied - span) & (around <= min(applied + span, end))]
            kb, ka, _, _ = _windows(src.days[aim[1]], applied, end)
            kept = set(kb) | set(ka)
            d = frame.reindex(around)
            days.append(pd.DataFrame({
                "entry": ch["entry"], "date": around, "clicks": d["clicks"].fillna(0).to_numpy(float),
                "cost": d["cost"].fillna(0).to_numpy(float), "conversions": d["conversions"].to_numpy(float)
                if not src.has_conversions else d["conversions"].fillna(0).to_numpy(float),
                "side": np.where(around < applied, "before", np.where(around > applied, "after", "change")),
                "kept": [x in kept for x in around]}))
        if isinstance(s, str):
            row.update(verdict=s, note=s)
            out.append(row)
            continue
        row.update({k: s[k] for k in (*_STATS, "days_before", "days_after", "before_start", "after_end")})
        guard = None
        if also is not None:
            g, _ = _compare(src, [also], applied, end)
            if isinstance(g, dict):
                row.update({f"also_{k}": g[k] for k in _STATS})
                if ch["action"] in ("pause", "negative"):
                    guard = (also[0], g)
        row["verdict"] = _verdict(aim[0], s, guard)
        row["note"] = "guard" if guard is not None and direction(guard[1], guard[0]) < 0 else (
            "thin" if s["thin"] else "")
        if row["verdict"] in ("helped", "hurt"):  # money only for an effect that is there
            cpd = _conv_per_day(src, aim, applied, end) if aim[0] == "cpa" else np.nan
            row["money_30d"] = _money(aim[0], s, cpd)
        out.append(row)
    table = pd.DataFrame(out, columns=EFFECT_COLUMNS)
    table = _confound(table, rows)
    days_frame = pd.concat(days, ignore_index=True) if days else pd.DataFrame(columns=DAY_COLUMNS)
    return ChangeEffects(table, _groups(log, table, src, plans, end), days_frame[DAY_COLUMNS], end)


def _confound(table: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Mark the changes whose effect cannot be told from another change's (``confounded``,
    see the module docstring): two changes of different kinds on one keyword — or a plan
    negative and a keyword whose search-term rows held the negated term — applied less than
    :data:`WEEKS` weeks apart. A verdict that had no figures (too early, no data) stays."""
    table = table.copy()
    table["confounded_with"] = ""
    if len(table) < 2:
        return table
    terms = rows.loc[(rows["report_type"] == "search_term").to_numpy(bool)] if len(rows) else rows
    brought: dict[tuple, set] = {}   # (plan, term) → the keywords whose rows held it
    if len(terms) and "search_term" in terms.columns:
        for c, k, t in zip(terms["campaign"].astype(str), terms["keyword"].astype(str),
                           terms["search_term"].astype(str)):
            brought.setdefault((c, t), set()).add(k)
    span = pd.Timedelta(days=7 * WEEKS)

    def touches(a, b) -> bool:
        if a["action"] == "negative" and b["action"] != "negative":
            return str(b["keyword"]) in brought.get((str(a["campaign"]), str(a["keyword"])), set())
        if a["action"] != "negative" and b["action"] != "negative":
            return (a["campaign"], a["ad_group"], a["keyword"]) == (b["campaign"], b["ad_group"], b["keyword"])
        return False

    recs = table.to_dict("records")
    for i, a in enumerate(recs):
        with_ = []
        for j, b in enumerate(recs):
            if i == j or a["action"] == b["action"] or abs(a["applied_on"] - b["applied_on"]) >= span:
                continue
            if touches(a, b) or touches(b, a):
                with_.append(f"{b['action']}:{b['field']}")
        if with_ and a["verdict"] in ("helped", "hurt", "no_clear_effect"):
            table.loc[i, ["verdict", "note", "confounded_with"]] = ["confounded", "confounded",
                                                                   ",".join(dict.fromkeys(with_))]
            table.loc[i, "money_30d"] = np.nan
    return table


def _groups(log: pd.DataFrame, table: pd.DataFrame, src: _Sources, plans: dict, end) -> pd.DataFrame:
    """The changes of one applied day, action, direction and metric, pooled (their
    objects' days summed) and tested as one."""
    if table.empty:
        return pd.DataFrame(columns=GROUP_COLUMNS)
    t = table.assign(direction=[bid_direction(b, a) if act == "bid" else ""
                                for act, b, a in zip(table["action"], table["before"], table["after"])])
    rows = []
    mixed = t["verdict"] == "confounded"   # a line of their own: their figures are not the change's
    for (applied, action, direc, metric), g in t.loc[mixed].groupby(["applied_on", "action", "direction", "metric"],
                                                                    sort=True):
        row = {"applied_on": applied, "action": action, "direction": direc, "n": len(g),
               "entries": tuple(g["entry"]), "metric": metric, "days_before": 0, "days_after": 0,
               "money_30d": np.nan, "verdict": "confounded",
               "confounded_with": ",".join(dict.fromkeys(",".join(g["confounded_with"]).split(",")))}
        row.update(_nan_stats())
        rows.append(row)
    for (applied, action, direc, metric), g in t.loc[~mixed].groupby(["applied_on", "action", "direction", "metric"],
                                                                     sort=True):
        entries = list(g["entry"])
        aims = list({(a[1], _object_label(a[2], a[1], a[3])): a for a in (plans[e][0] for e in entries)}.values())
        guards = [plans[e][1] for e in entries if plans[e][1] is not None and action in ("pause", "negative")]
        guards = list({(a[1], _object_label(a[2], a[1], a[3])): a for a in guards}.values())
        row = {"applied_on": applied, "action": action, "direction": direc, "n": len(entries),
               "entries": tuple(entries), "metric": metric, "days_before": 0, "days_after": 0, "money_30d": np.nan,
               "confounded_with": ""}
        row.update(_nan_stats())
        s, _ = _compare(src, aims, applied, end)
        if isinstance(s, str):
            row["verdict"] = s
        else:
            row.update({k: s[k] for k in (*_STATS, "days_before", "days_after")})
            guard = None
            if guards:
                gs, _ = _compare(src, guards, applied, end)
                if isinstance(gs, dict):
                    guard = (guards[0][0], gs)
            row["verdict"] = _verdict(metric, s, guard)
            if row["verdict"] in ("helped", "hurt"):
                cpd = (sum(np.nan_to_num(_conv_per_day(src, a, applied, end)) for a in aims) if metric == "cpa"
                       else np.nan)
                row["money_30d"] = _money(metric, s, cpd)
        rows.append(row)
    out = pd.DataFrame(rows, columns=GROUP_COLUMNS)
    return out.sort_values(["applied_on", "action", "direction", "metric"], kind="stable", ignore_index=True)
