"""Cost-drift alerts for one account: every level tested, flags ranked by the money at
stake, bundles against their targets, and an explanation for each flag.

This is what the "Cost drift" page and ``python -m optimizer drift`` show. It puts
together :mod:`optimizer.drift.scan` (dated, tested change points), :mod:`optimizer.bundles.targets`
(learning periods, target CPA, over-cost compensation) and
:mod:`optimizer.drift.attribution` (mix versus rate, child by child).

Public API: :class:`AlertSettings`, :func:`scan` → :class:`AlertReport`,
:func:`flags`, :func:`explain`.

Severity
--------
Flags are ranked by money at stake (``optimizer.drift.scan.detect``: the extra cost since
the change), never by p value alone. To read it across accounts of very different
size, it is also expressed in *days of spend*: money at stake divided by the
account's mean daily spend over the series. ``high`` ≥ ``high_days`` (default 1: the
change has already cost a full day of budget), ``medium`` ≥ ``medium_days`` (default
0.25), else ``low``; a change that saves money is ``saving``. Both thresholds are
settings.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.drift import online
from optimizer.drift import scan as drift
from optimizer.i18n import money
from optimizer.drift.attribution import attribute
from optimizer.bundles.targets import (BundleSheet, RuleSet, TargetSettings, against_target, compensation, learning_periods,
                      load_rules)

SEVERITIES = ("high", "medium", "low", "saving")
RESULT_EXTRA = ["severity", "days_of_spend", "group"]


@dataclass(frozen=True)
class AlertSettings:
    """What to test and how (see :func:`optimizer.drift.scan.detect` and the module doc)."""

    baseline_days: int = 28
    min_days: int = 7
    alpha: float = 0.05
    min_clicks: float = drift.MIN_CLICKS
    min_conversions: float = drift.MIN_CONVERSIONS
    levels: tuple[str, ...] = drift.LEVELS
    metrics: tuple[str, ...] = drift.METRICS
    high_days: float = 1.0
    medium_days: float = 0.25
    targets: TargetSettings = field(default_factory=TargetSettings)
    #: ``scan`` (default for now): one dated change per series over the whole history,
    #: Benjamini–Hochberg at ``alpha`` (:func:`optimizer.drift.scan.detect`); ``online``: the
    #: sequential detector run day by day with ``false_alarms`` per 1,000 series-weeks
    #: (:func:`optimizer.drift.online.detect`). Measured, online is the better default (README
    #: "Online against the scan"): at the same false-alarm rate it is closer to the oracle, and only
    #: its rate is a setting. It is not the default yet because the tests that pin the sample
    #: account's scan figures (dated 10-20, CPC +39 %) and the command line's evidence notes have
    #: not been moved to it.
    method: str = "scan"
    false_alarms: float = online.DEFAULT_FALSE_ALARMS


@dataclass
class AlertReport:
    """Everything :func:`scan` found for one account.

    ``series``: the daily series of every level tested (stacked; columns
    ``optimizer.drift.scan.SERIES_COLUMNS``). ``results``: one row per (level, entity,
    metric) — the columns of ``optimizer.drift.scan.detect`` plus severity, days_of_spend,
    group (the plan's bundle for plan and keyword rows) — with status ``learning``
    instead of ``flag`` for bundles still learning and their plans and keywords.
    ``learning``, ``targets``, ``compensation``: :mod:`optimizer.bundles.targets` tables
    (empty without a bundle map). ``daily_spend``: the account's mean daily spend.
    ``groups``: plan → business line and plan → bundle used.
    """

    series: pd.DataFrame
    results: pd.DataFrame
    learning: pd.DataFrame
    targets: pd.DataFrame
    compensation: pd.DataFrame
    daily_spend: float
    dropped_partial_day: pd.Timestamp | None
    lines: pd.Series
    bundles: pd.Series
    settings: AlertSettings


def scan(rows: pd.DataFrame, settings: AlertSettings = AlertSettings(), lines: pd.Series | None = None,
         sheet: BundleSheet | None = None, rules: dict[str, RuleSet] | None = None,
         rule_id: str | None = None) -> AlertReport:
    """Test one account's rows at every level of ``settings.levels``.

    The plan series are always built (they explain the account, line and bundle
    flags), and so are the bundle series when there is a ``sheet`` (targets and
    compensation), whether or not those levels are tested. ``daily_spend`` is the
    mean over days of the plans' summed cost.

    ``lines``: plan → business line (``optimizer.bundles.propose.plan_lines``); without it the
    line level is skipped. ``sheet``: the bundle map (``optimizer.bundles.targets``); without
    it the bundle level, targets and compensation are skipped. Benjamini–Hochberg
    runs over every series of every level together.
    """
    lines = lines if lines is not None else pd.Series(dtype=object)
    membership = sheet.membership if sheet is not None else pd.Series(dtype=object)
    parts = []
    partial = None
    # plans (the children of every explanation) and bundles (targets) are built even when not tested
    needed = [lv for lv in drift.LEVELS if lv in settings.levels or lv == "campaign"
              or (lv == "bundle" and sheet is not None)]
    by_plan = drift.plan_days(rows)   # the rows summed per plan and day once, for every level but keyword
    for level in needed:
        groups = {"line": lines, "bundle": membership}.get(level)
        if groups is not None and groups.dropna().empty:
            continue
        s = drift.daily_series(rows if level == "keyword" else by_plan, level, groups)
        partial = partial or s.attrs.get("dropped_partial_day")
        if len(s):
            parts.append(s)
    series = pd.concat(parts, ignore_index=True) if parts else drift.daily_series(rows.iloc[:0], "account")
    tested = series.loc[series["level"].isin(list(settings.levels))]
    if settings.method == "online":
        results = online.detect(tested, list(settings.metrics), settings.baseline_days, settings.min_days,
                                settings.false_alarms, min_clicks=settings.min_clicks,
                                min_conversions=settings.min_conversions)
    elif settings.method == "scan":
        results = drift.detect(tested, list(settings.metrics), settings.baseline_days, settings.min_days,
                               settings.alpha, min_clicks=settings.min_clicks, min_conversions=settings.min_conversions)
    else:
        raise ValueError(f"method must be 'scan' or 'online', got {settings.method!r}")
    if "alarm" not in results:   # the scan re-reads the whole history: no morning it was first raised
        results = results.assign(alarm=pd.NaT, z=np.nan)

    plans = series.loc[series["level"] == "campaign"] if len(series) else series
    daily_spend = float(plans.groupby("date")["cost"].sum().mean()) if len(plans) else float("nan")

    empty_learning = pd.DataFrame(columns=["bundle", "in_learning"])
    if sheet is not None and len(series) and (series["level"] == "bundle").any():
        bundle_series = series.loc[series["level"] == "bundle"]
        learning = learning_periods(bundle_series, sheet.info, settings.targets)
        targets = against_target(bundle_series, sheet.info, settings.targets, learning)
        currencies = rows["currency"].dropna().unique() if "currency" in rows.columns else []
        comp = compensation(bundle_series, sheet.info, rules or load_rules(), rule_id,
                            str(currencies[0]) if len(currencies) == 1 else None)
    else:
        learning, targets, comp = empty_learning, pd.DataFrame(), pd.DataFrame()

    results = fold(_mark(results, series, membership, learning, daily_spend, settings), series)
    return AlertReport(series, results, learning, targets, comp, daily_spend, partial, lines, membership, settings)


def _mark(results: pd.DataFrame, series: pd.DataFrame, membership: pd.Series, learning: pd.DataFrame,
          daily_spend: float, settings: AlertSettings) -> pd.DataFrame:
    """Add group, severity and days_of_spend; learning bundles' flags become ``learning``."""
    out = results.copy()
    camp = (series.drop_duplicates(["level", "entity"]).set_index(["level", "entity"])["campaign"]
            if len(series) else pd.Series(dtype=object))
    key = list(zip(out["level"], out["entity"], strict=True))
    campaign = pd.Series([camp.get(k, "") for k in key], index=out.index, dtype=object)
    bundle = campaign.map(membership).astype(object) if len(membership) else pd.Series(None, index=out.index,
                                                                                       dtype=object)
    out["group"] = np.where(out["level"] == "bundle", out["entity"], bundle.fillna("").to_numpy(object))
    learning_now = set(learning.loc[learning["in_learning"].astype(bool), "bundle"]) if len(learning) else set()
    is_learning = out["group"].isin(learning_now).to_numpy(bool) & (out["level"] != "account").to_numpy(bool) \
        & (out["level"] != "line").to_numpy(bool)
    out.loc[is_learning & (out["status"] == "flag").to_numpy(bool), "status"] = "learning"
    money = out["money_at_stake"].to_numpy(float)
    days = money / daily_spend if daily_spend and np.isfinite(daily_spend) and daily_spend > 0 else money * np.nan
    out["days_of_spend"] = days
    sev = np.where(money < 0, "saving",
                   np.where(days >= settings.high_days, "high",
                            np.where(days >= settings.medium_days, "medium", "low")))
    out["severity"] = np.where(out["status"].isin(["flag", "learning"]).to_numpy(bool), sev, "")
    order = out["status"].map({"flag": 0, "learning": 1, "no_change": 2, "too_little_data": 3}).fillna(4)
    return (out.assign(_o=order, _m=-out["money_at_stake"].fillna(-np.inf))
            .sort_values(["_o", "_m"], kind="stable").drop(columns=["_o", "_m"]).reset_index(drop=True))


def fold(results: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """One event, one flag: ``results`` with ``folded_under`` and ``named_by``.

    A keyword flag is *explained* by its plan's flag when both are flags (or
    learning) of the same metric, moving the same way, and the keyword's change day
    lies in the plan flag's change-day range (``start_low`` … ``start_high``, the
    start itself when there is none) or the plan's in the keyword's: the keyword
    row gets ``folded_under`` = the plan's entity and is shown under it, not as an
    event of its own. A plan flag that exactly one keyword flag folds under is
    ``named_by`` that keyword (the one keyword behind the plan's move). Empty
    strings elsewhere."""
    out = results.copy()
    out["folded_under"] = ""
    out["named_by"] = ""
    if out.empty or series.empty:
        return out
    live = out["status"].isin(["flag", "learning"]).to_numpy(bool)
    camp = series.drop_duplicates(["level", "entity"]).set_index(["level", "entity"])["campaign"].astype(str)
    kw = out.index[live & (out["level"] == "keyword").to_numpy(bool)]
    plans = out.loc[live & (out["level"] == "campaign").to_numpy(bool)]
    if not len(kw) or plans.empty:
        return out
    plan_of = {i: camp.get(("campaign", e), "") for i, e in zip(plans.index, plans["entity"], strict=True)}

    def span(r):
        lo, hi = r.get("start_low", pd.NaT), r.get("start_high", pd.NaT)
        return (r["start"], r["start"]) if pd.isna(lo) or pd.isna(hi) else (lo, hi)

    named: dict[int, list[str]] = {}
    for i in kw:
        k = out.loc[i]
        c = camp.get(("keyword", k["entity"]), "")
        klo, khi = span(k)
        for j, p in plans.iterrows():
            if plan_of[j] != c or p["metric"] != k["metric"] or np.sign(p["change"]) != np.sign(k["change"]):
                continue
            plo, phi = span(p)
            if plo <= k["start"] <= phi or klo <= p["start"] <= khi:
                out.at[i, "folded_under"] = p["entity"]
                named.setdefault(j, []).append(k["entity"])
                break
    for j, names in named.items():
        if len(names) == 1:
            out.at[j, "named_by"] = names[0]
    return out


def events(report: AlertReport, include_learning: bool = False) -> pd.DataFrame:
    """The flags that are events of their own (:func:`fold`: keyword flags explained by
    their plan's flag left out), most money at stake first."""
    f = flags(report, include_learning=include_learning)
    return f.loc[f["folded_under"] == ""].reset_index(drop=True) if "folded_under" in f else f


def folded(frame: pd.DataFrame, row: pd.Series | dict) -> pd.DataFrame:
    """The rows of ``frame`` (flags with ``folded_under``) folded under the plan flag ``row``:
    keyword flags of the same metric and direction whose ``folded_under`` is its plan."""
    if "folded_under" not in frame or row["level"] != "campaign" or frame.empty:
        return frame.iloc[:0]
    same = ((frame["folded_under"] == row["entity"]) & (frame["metric"] == row["metric"])
            & (np.sign(frame["change"].to_numpy(float)) == np.sign(float(row["change"]))))
    return frame.loc[same.to_numpy(bool)]


def folded_counts(frame: pd.DataFrame, rows: pd.DataFrame) -> list[int]:
    """How many rows of ``frame`` are folded under each row of ``rows`` (:func:`folded`,
    for every row at once: one grouping instead of one pass over ``frame`` per row)."""
    if "folded_under" not in frame or frame.empty or rows.empty:
        return [0] * len(rows)
    under = frame.loc[frame["folded_under"] != ""]
    n = under.groupby([under["folded_under"], under["metric"],
                       np.sign(under["change"].to_numpy(float))]).size().to_dict()
    return [int(n.get((e, m, np.sign(float(c))), 0)) if lv == "campaign" else 0
            for lv, e, m, c in zip(rows["level"], rows["entity"], rows["metric"], rows["change"])]


def false_alarms_a_week(false_alarms: float, n_series: int, accounts: int = 1) -> float:
    """False alarms expected a week at ``false_alarms`` per 1,000 series-weeks on ``n_series``
    series (× ``accounts`` such accounts)."""
    return float(false_alarms) * n_series * accounts / 1000


def flags(report: AlertReport, levels=None, metrics=None, include_learning: bool = False) -> pd.DataFrame:
    """The flags of a report, most money at stake first (cost increases before savings);
    optionally only some levels / metrics, and with the learning bundles' rows."""
    r = report.results
    keep = r["status"].isin(["flag", "learning"] if include_learning else ["flag"])
    if levels is not None:
        keep &= r["level"].isin(list(levels))
    if metrics is not None:
        keep &= r["metric"].isin(list(metrics))
    return r.loc[keep].reset_index(drop=True)


@dataclass
class Explanation:
    """Why one flag moved.

    ``decomposition``: ``optimizer.drift.scan.decompose`` (CPA change into CPC and CVR
    parts; ``cpa_part_cpc`` and ``cpa_part_cvr`` add the two parts in money per
    conversion, summing to cpa_after − cpa_before). ``summary`` and ``contributors``:
    ``optimizer.drift.attribution.attribute`` over the entity's plans (account, line,
    bundle) or keywords (plan; the keywords outside the top ones are one row,
    ``other``); None / empty for a keyword.
    """

    decomposition: dict
    summary: dict | None
    contributors: pd.DataFrame


OTHER = "__other__"


def explain(report: AlertReport, level: str, entity: str, metric: str, start: object) -> Explanation:
    """The decomposition and the top contributors of one flag (see :class:`Explanation`)."""
    series = report.series
    dec = drift.decompose(series, entity, start, level=level)
    delta = dec["cpa_after"] - dec["cpa_before"]
    dec["cpa_part_cpc"] = delta * dec["share_cpc"] if np.isfinite(dec["share_cpc"]) else np.nan
    dec["cpa_part_cvr"] = delta * dec["share_cvr"] if np.isfinite(dec["share_cvr"]) else np.nan
    children = _children(report, level, entity)
    if children.empty:
        return Explanation(dec, None, pd.DataFrame())
    summary, contrib = attribute(children, start, metric)
    return Explanation(dec, summary, contrib)


def _children(report: AlertReport, level: str, entity: str) -> pd.DataFrame:
    s = report.series
    cols = ["child", "date", "clicks", "cost", "conversions"]
    if level == "keyword":
        return pd.DataFrame(columns=cols)
    camps = s.loc[s["level"] == "campaign"]
    if level == "account":
        kids = camps
    elif level in ("line", "bundle"):
        mapping = report.lines if level == "line" else report.bundles
        kids = camps.loc[camps["campaign"].map(mapping) == entity]
    else:
        me = camps.loc[camps["entity"] == entity]
        if me.empty:
            return pd.DataFrame(columns=cols)
        kw = s.loc[(s["level"] == "keyword") & (s["campaign"] == me["campaign"].iloc[0])]
        kids = kw
        if len(kw):
            summed = kw.groupby("date")[["clicks", "cost", "conversions"]].sum()
            rest = me.set_index("date")[["clicks", "cost", "conversions"]].sub(summed, fill_value=0).clip(lower=0)
            rest = rest.reset_index().assign(entity=OTHER)
            kids = pd.concat([kw, rest], ignore_index=True)
        else:
            kids = kw
    if kids.empty:
        return pd.DataFrame(columns=cols)
    return kids.rename(columns={"entity": "child"})[cols].fillna({"conversions": 0.0})


def format_value(metric: str, value: float, currency: str | None) -> str:
    """A metric's value as shown: CVR as a percentage, the others as money."""
    from optimizer.i18n import money, percent
    return percent(value) if metric == "cvr" else money(value, currency)


def entity_label(level: str, entity: str, lang: str = "zh") -> str:
    """A flag's entity as a reader of ``lang`` reads it. Entities are identifiers (the
    series are found by them): a business line is named in the reader's language
    (``开锁`` reads ``Lockout``), and an account the export does not name, which the
    series call by its platform, reads ``Google Ads · 未命名账户``."""
    from optimizer.i18n import PLATFORM, account_label
    from optimizer.keywords.lexicon import line_label
    if not isinstance(entity, str):
        return entity
    if level == "account" and entity in PLATFORM:
        return account_label(entity, None, None, lang)
    if level == "line":
        head, sep, tail = entity.rpartition(" / ")
        return head + sep + line_label(tail, lang)
    return entity


def headline(row: pd.Series | dict, lang: str = "zh", currency: str | None = None) -> str:
    """One sentence for a flag: what moved, since when, how sure, and the money.

    ``开锁-电话词（推广计划）：点击价格自 2026-10-20 起上升 39%（95% 区间 +36% ~ +43%），至今已多花 ¥11,170``
    """
    from optimizer.i18n import LEVEL, METRIC, code_name, money
    metric, change = row["metric"], float(row["change"])
    start = pd.Timestamp(row["start"]).strftime("%Y-%m-%d")
    lo, hi = float(row["ci_low"]), float(row["ci_high"])
    at_stake = float(row["money_at_stake"])
    level, m = code_name(LEVEL, row["level"], lang), code_name(METRIC, metric, lang)
    amount = money(abs(at_stake), currency, 0)
    low, high = row.get("start_low", pd.NaT), row.get("start_high", pd.NaT)
    ranged = not (pd.isna(low) or pd.isna(high)) and low != high
    if lang == "zh":
        verb = "上升" if change >= 0 else "下降"
        ci = f"95% 区间 {lo:+.0%} ~ {hi:+.0%}" if np.isfinite(lo) and np.isfinite(hi) else "区间无法计算"
        cost = f"至今已多花 {amount}" if at_stake >= 0 else f"至今节省 {amount}"
        when = f"自 {start} 起" + (f"（变化日可能在 {low:%m-%d} ~ {high:%m-%d}）" if ranged else "")
        return f"{entity_label(row['level'], row['entity'], lang)}（{level}）：{m}{when}{verb} {abs(change):.0%}（{ci}），{cost}"
    verb = "up" if change >= 0 else "down"
    ci = f"95% CI {lo:+.0%} to {hi:+.0%}" if np.isfinite(lo) and np.isfinite(hi) else "no interval"
    cost = f"{amount} at stake so far" if at_stake >= 0 else f"{amount} saved so far"
    when = f"since {start}" + (f" (changed between {low:%m-%d} and {high:%m-%d})" if ranged else "")
    return (f"{entity_label(row['level'], row['entity'], lang)} ({level.lower()}): {m} {verb} {abs(change):.0%} {when} "
            f"({ci}), {cost}")


def waterfall_steps(ex: Explanation, metric: str, lang: str = "zh", top: int = 5
                    ) -> tuple[list[tuple[str, float, str]], str]:
    """The steps of the flag's waterfall: (label, value, ``absolute`` | ``relative``), and
    its kind (``cpa``: CPA before → CPC part → CVR part → CPA after, in money per
    conversion; ``spend``: mean daily spend before → each top contributor's change →
    the rest → after; ``""`` when neither can be computed, e.g. no conversions)."""
    zh = lang == "zh"
    d = ex.decomposition
    if metric != "spend" and np.isfinite(d.get("cpa_part_cpc", np.nan)):
        return ([("变化前转化成本" if zh else "CPA before", d["cpa_before"], "absolute"),
                 ("点击价格" if zh else "CPC", d["cpa_part_cpc"], "relative"),
                 ("转化率" if zh else "CVR", d["cpa_part_cvr"], "relative"),
                 ("变化后转化成本" if zh else "CPA after", d["cpa_after"], "absolute")], "cpa")
    if metric == "spend" and ex.summary is not None and np.isfinite(ex.summary.get("before", np.nan)):
        c = ex.contributors
        head, rest = c.head(top), c.iloc[top:]
        steps = [("变化前日均消费" if zh else "Daily spend before", ex.summary["before"], "absolute")]
        steps += [(_child_label(n, zh), float(v), "relative") for n, v in zip(head["child"], head["rate"], strict=True)]
        if len(rest):
            steps.append(("其余" if zh else "The rest", float(rest["rate"].sum()), "relative"))
        steps.append(("变化后日均消费" if zh else "Daily spend after", ex.summary["after"], "absolute"))
        return steps, "spend"
    return [], ""


def _child_label(name: str, zh: bool) -> str:
    if name == OTHER:
        return "其他关键词" if zh else "Other keywords"
    return name


def contributors_table(ex: Explanation, lang: str = "zh", top: int = 10) -> pd.DataFrame:
    """The top contributors of a flag for display: name, money, money_mix, money_rate,
    value_before, value_after (the child's own figure: CPC, CVR, CPA or mean daily
    spend — for CPA NaN where the child had no conversions), weight_before,
    weight_after (its click or cost share)."""
    if ex.contributors.empty:
        return pd.DataFrame(columns=["name", "money", "money_mix", "money_rate", "value_before", "value_after",
                                     "weight_before", "weight_after"])
    c = ex.contributors.head(top)
    v0, v1 = c["value_before"].to_numpy(float), c["value_after"].to_numpy(float)
    if ex.summary is not None and ex.summary["metric"] == "cpa":  # shown as CPA, not conversions per money
        with np.errstate(divide="ignore"):
            v0, v1 = np.where(v0 > 0, 1 / np.where(v0 > 0, v0, 1), np.nan), np.where(v1 > 0, 1 / np.where(v1 > 0, v1, 1), np.nan)
    return pd.DataFrame({"name": [_child_label(n, lang == "zh") for n in c["child"]], "money": c["money"],
                         "money_mix": c["money_mix"], "money_rate": c["money_rate"],
                         "value_before": v0, "value_after": v1,
                         "weight_before": c["weight_before"], "weight_after": c["weight_after"]})


def flag_target(row: pd.Series | dict, targets: dict[str, float]) -> float | None:
    """The target CPA to draw on a flag's chart: the bundle's, for a CPA flag of a
    bundle with a target; else None (a plan's CPA is not held to its bundle's target)."""
    if row["metric"] != "cpa" or row["level"] != "bundle":
        return None
    return targets.get(row["entity"])


def evidence(report: AlertReport) -> tuple[int, int]:
    """(series tested, series left untested for too little data) of a scan: what a
    "no change found" rests on. With nothing tested, no flag means nothing was judged."""
    r = report.results
    if r is None or r.empty:
        return 0, 0
    return int(r["p_value"].notna().sum()), int((r["status"] == "too_little_data").sum())


def bundles_in_learning(report: AlertReport) -> int:
    """How many bundles of the bundle map are still in their learning period on the
    series' last day (:func:`optimizer.bundles.targets.learning_periods`)."""
    lr = report.learning
    return int(lr["in_learning"].astype(bool).sum()) if len(lr) and "in_learning" in lr else 0


def plan_money_at_stake(report: AlertReport, severities=("high", "medium", "low")) -> float:
    """Money at stake over the flagged plans, without double counting: each plan counts
    once, with its largest flag (CPA, CPC, CVR or spend) of the given severities.
    Account, line, bundle and keyword flags are views of the same money and are left out."""
    r = report.results
    f = r.loc[(r["status"] == "flag") & (r["level"] == "campaign") & r["severity"].isin(list(severities))]
    if f.empty:
        return 0.0
    return float(f.groupby("entity")["money_at_stake"].max().clip(lower=0).sum())


# ---------------------------------------------------------------- the flags as a table

#: the columns of :func:`flag_table`
DRIFT_COLUMNS = ["severity", "status", "level", "entity", "metric", "start", "start_low", "start_high", "alarm",
                 "before", "after", "change", "ci_low", "ci_high", "money_at_stake", "days_of_spend", "days_after",
                 "p_value", "q_value", "z", "group", "folded_under", "named_by", "headline_zh", "headline_en",
                 "cpa_before", "cpa_after", "cpc_change",
                 "cvr_change", "share_cpc", "share_cvr", "mix_share", "rate_share", "money_mix", "money_rate",
                 "top_contributor", "top_contributor_money", "explanation_zh", "explanation_en", "note"]


def _pct(v: float) -> str:
    return f"{v:+.0%}" if v == v else "–"


def _explanation(dec: dict, summary: dict | None, top: tuple[str, float] | None, currency: str | None
                 ) -> tuple[str, str]:
    zh, en = [], []
    if np.isfinite(dec.get("share_cpc", np.nan)):
        zh.append(f"点击价格 {_pct(dec['cpc_change'])}（占转化成本变化的 {dec['share_cpc']:.0%}），"
                  f"转化率 {_pct(dec['cvr_change'])}（{dec['share_cvr']:.0%}）")
        en.append(f"CPC {_pct(dec['cpc_change'])} ({dec['share_cpc']:.0%} of the CPA change), "
                  f"CVR {_pct(dec['cvr_change'])} ({dec['share_cvr']:.0%})")
    if summary is not None and np.isfinite(summary.get("mix_share", np.nan)):
        zh.append(f"结构 {summary['mix_share']:.0%} / 表现 {summary['rate_share']:.0%}")
        en.append(f"mix {summary['mix_share']:.0%} / rate {summary['rate_share']:.0%}")
    if top is not None:
        name_zh = "其他关键词" if top[0] == OTHER else top[0]
        name_en = "Other keywords" if top[0] == OTHER else top[0]
        zh.append(f"最大来源：{name_zh} {money(top[1], currency, 0)}")
        en.append(f"top: {name_en} {money(top[1], currency, 0)}")
    return "；".join(zh), "; ".join(en)


def flag_table(rep: AlertReport, currency: str | None, max_explained: int = 200) -> pd.DataFrame:
    """Every flag (learning ones included) with headline and explanation columns
    (:data:`DRIFT_COLUMNS`): the Cost drift page's download and the workbook's drift sheet.
    ``max_explained``: flags explained (decomposition, mix/rate, top contributor), most
    money first; the others keep their headline."""
    f = flags(rep, include_learning=True)
    if f.empty:
        return pd.DataFrame(columns=DRIFT_COLUMNS)
    out = f.copy()
    out["headline_zh"] = [headline(r, "zh", currency) for _, r in f.iterrows()]
    out["headline_en"] = [headline(r, "en", currency) for _, r in f.iterrows()]
    extra = {c: [np.nan] * len(f) for c in ("cpa_before", "cpa_after", "cpc_change", "cvr_change", "share_cpc",
                                          "share_cvr", "mix_share", "rate_share", "money_mix", "money_rate",
                                          "top_contributor_money")}
    text = {c: [""] * len(f) for c in ("top_contributor", "explanation_zh", "explanation_en")}
    order = np.argsort(-f["money_at_stake"].fillna(-np.inf).to_numpy(float), kind="stable")[:max_explained]
    for i in order:
        r = f.iloc[i]
        ex = explain(rep, r["level"], r["entity"], r["metric"], r["start"])
        d = ex.decomposition
        for c in ("cpa_before", "cpa_after", "cpc_change", "cvr_change", "share_cpc", "share_cvr"):
            extra[c][i] = d.get(c, np.nan)
        top = None
        if ex.summary is not None:
            for c in ("mix_share", "rate_share", "money_mix", "money_rate"):
                extra[c][i] = ex.summary.get(c, np.nan)
            if len(ex.contributors):
                c0 = ex.contributors.iloc[0]
                top = (str(c0["child"]), float(c0["money"]))
                text["top_contributor"][i] = "其他关键词 / Other keywords" if top[0] == OTHER else top[0]
                extra["top_contributor_money"][i] = top[1]
        text["explanation_zh"][i], text["explanation_en"][i] = _explanation(d, ex.summary, top, currency)
    for c, v in {**extra, **text}.items():
        out[c] = v
    out["note"] = out["note"].fillna("")
    return out[DRIFT_COLUMNS].reset_index(drop=True)
