"""oCPC bundles (投放包): which plans to bind together, at what target CPA, which
keywords to keep on manual CPC, and which existing bundles to split.

How optimizers build bundles (../shared/domain.md): from actual conversions, put
plans with similar conversion cost, similar conversion rate and the same business
line into one bundle, so that cost converges and the bundle can be tuned as one unit;
bind by plan so that a plan that drifts can later be split off (拆包).

Evidence (:func:`plan_evidence`). Per plan over a window (default the last 30 days
of data; Baidu's last day is left out because its conversions arrive a day late):
cost, clicks, conversions, CPC, CVR, CPA, conversions per day, business line (its
keywords' line by cost; the plan's name when it has no keyword rows) and stage mix.

Small samples. A plan with 40 clicks and 6 conversions had a lucky week more often
than not. Each plan's CVR is shrunk toward its business line's CVR by empirical
Bayes: conversions ~ Binomial(clicks, p), p ~ Beta(a, b) with the prior mean the
line's pooled CVR and the prior strength a + b fitted across the account's plans by
the method of moments (between-plan variance of CVR beyond binomial noise). The
shrunk CVR is the posterior mean (x + a) / (n + a + b); its 90 % interval the
Beta(x + a, n − x + b) quantiles. CPC is taken as known (its noise is small beside
CVR's), so shrunk CPA = CPC / shrunk CVR and its interval is CPC over the CVR
interval. A plan with fewer than 30 clicks or 3 conversions in the window is marked
``thin``: it is bundled, but the figures say how little is known.

Partition (:func:`propose`). Within each business line the plans are sorted by
shrunk CPA and cut into runs by dynamic programming, exact over all partitions into
contiguous runs — the partitions among which 1-D weighted least squares has its
optimum. A run is allowed when max/min shrunk CPA ≤ ``max_cpa_ratio`` (default 1.3)
and max/min shrunk CVR ≤ ``max_cvr_ratio`` (default 1.5). The DP minimises, in this
order: the number of runs below the conversion threshold (``min_conversions`` in the
window, default 30: the practitioners' reading of Baidu's oCPC entry rule,
../shared/formats.md — other readings are shown per bundle); the number of bundles
(bind what is alike: fewer, larger bundles learn faster); and the
conversion-weighted squared deviation of log shrunk CPA from the run's mean. Runs
still below the threshold are pooled across lines by the same DP (lines with close
CPA, said explicitly in the reason); what is still short is reported as not ready.
Each bundle's target CPA is its cost / conversions in the window, capped at the
advertiser's maximum acceptable CPA when one is given.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import beta as beta_dist

from optimizer.model.dataset import partial_last_day, spend_rows
from optimizer.keywords.lexicon import line_label, line_labels
from optimizer.reading.schema import text
from optimizer.keywords.stages import UNKNOWN_LINE, Classifier
from optimizer.bundles.targets import bundles_from_names, read_bundle_sheet, write_bundle_sheet

#: Readings of the oCPC data threshold (../shared/formats.md, "oCPC facts"): the
#: official rule names no number; practitioners quote these. Shown per bundle.
THRESHOLD_RULES = {
    "total_30": "≥ 30 conversions in the window (default)",
    "total_20": "≥ 20 conversions in total",
    "daily_10x3": "≥ 10 conversions a day for 3 days",
    "daily_30x3": "≥ 30 conversions a day for 3 days",
}
THIN_CLICKS = 30
THIN_CONVERSIONS = 3
_BELOW_PENALTY = 1e6


@dataclass(frozen=True)
class BundleSettings:
    """Thresholds of a proposal (all user-adjustable)."""

    window_days: int = 30
    end: pd.Timestamp | None = None  # last day of the window (default: the last complete day of data)
    min_conversions: float = 30.0
    max_cpa_ratio: float = 1.3
    max_cvr_ratio: float = 1.5
    max_target_cpa: float | None = None
    interval: float = 0.90


# ---------------------------------------------------------------- evidence

def window(table: pd.DataFrame, days: int, end=None) -> tuple[pd.DataFrame, pd.Timestamp | None, pd.Timestamp | None]:
    """Daily rows of the ``days`` days ending at ``end`` (default: the last complete day;
    Baidu's partial last day is left out). The start is never before the data's first
    day: a window that reaches past it is said as the days it holds."""
    daily = table.loc[table["date"].notna()]
    if daily.empty:
        return daily, None, None
    if end is None:
        end = daily["date"].max()
        if partial_last_day(daily) == end:
            end = end - pd.Timedelta(days=1)
    end = pd.Timestamp(end)
    start = max(end - pd.Timedelta(days=days - 1), pd.Timestamp(daily["date"].min()))
    return daily.loc[(daily["date"] >= start) & (daily["date"] <= end)], start, end


def fit_prior(conversions: np.ndarray, clicks: np.ndarray) -> float:
    """Prior strength a + b of a beta-binomial fitted by the method of moments.

    Between-plan variance of CVR = observed weighted variance − expected binomial
    variance; strength = m(1 − m) / variance − 1. Bounded to [2, 10,000] (no data or
    no excess variance gives the strong end: plans look alike)."""
    ok = clicks > 0
    x, n = conversions[ok].astype(float), clicks[ok].astype(float)
    if len(n) < 2 or n.sum() == 0:
        return 10_000.0
    m = x.sum() / n.sum()
    if m <= 0 or m >= 1:
        return 10_000.0
    p = x / n
    observed = float(np.sum(n * (p - m) ** 2) / n.sum())
    noise = m * (1 - m) * float(np.mean(1 / n))
    excess = observed - noise
    if excess <= 0:
        return 10_000.0
    return float(min(max(m * (1 - m) / excess - 1, 2.0), 10_000.0))


def window_performance(table: pd.DataFrame, clf: Classifier,
                       settings: BundleSettings = BundleSettings()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the rows of the evidence window, their keyword performance with labels): computed
    once and shared by :func:`plan_evidence` and :func:`cpc_keywords`."""
    from optimizer.keywords.stages import keyword_performance
    rows, _, _ = window(table, settings.window_days, settings.end)
    return rows, keyword_performance(rows, clf)


def plan_evidence(table: pd.DataFrame, clf: Classifier, settings: BundleSettings = BundleSettings(),
                  perf: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per plan over the window, with shrunk CVR and CPA and their intervals.

    ``perf``: the window's keyword performance (:func:`window_performance`), when the
    caller has it already.

    Columns: campaign, business_line, cost, clicks, impressions, conversions, days,
    conv_per_day, cpc, cvr, cpa, cvr_shrunk, cvr_low, cvr_high, cpa_shrunk, cpa_low,
    cpa_high, thin, stage_mix (stage -> share of cost), log_cpc and log_cpc_se (mean
    daily log CPC and its standard error), cpc_days, window_start, window_end.
    """
    rows, start, end = window(table, settings.window_days, settings.end)
    spend = spend_rows(rows)
    spend = spend.loc[spend["campaign"].notna()]
    cols = ["campaign", "business_line", "cost", "clicks", "impressions", "conversions", "days", "conv_per_day",
            "cpc", "cvr", "cpa", "cvr_shrunk", "cvr_low", "cvr_high", "cpa_shrunk", "cpa_low", "cpa_high", "thin",
            "stage_mix", "log_cpc", "log_cpc_se", "cpc_days", "window_start", "window_end"]
    if spend.empty:
        return pd.DataFrame(columns=cols)
    s = spend.assign(campaign=text(spend["campaign"]))
    g = s.groupby("campaign").agg(cost=("cost", "sum"), clicks=("clicks", "sum"), impressions=("impressions", "sum"),
                                  conversions=("conversions", "sum"), days=("date", "nunique")).reset_index()
    if perf is None:
        _, perf = window_performance(table, clf, settings)
    g["business_line"], g["stage_mix"] = _lines_and_mix(perf, g["campaign"], clf)
    g["conv_per_day"] = g["conversions"] / g["days"].clip(lower=1)
    g["cpc"] = g["cost"] / g["clicks"].where(g["clicks"] > 0)
    g["cvr"] = g["conversions"] / g["clicks"].where(g["clicks"] > 0)
    g["cpa"] = g["cost"] / g["conversions"].where(g["conversions"] > 0)
    strength = fit_prior(g["conversions"].to_numpy(), g["clicks"].to_numpy())
    line_cvr = g.groupby("business_line").apply(
        lambda d: d["conversions"].sum() / d["clicks"].sum() if d["clicks"].sum() else np.nan, include_groups=False)
    account_cvr = g["conversions"].sum() / g["clicks"].sum() if g["clicks"].sum() else np.nan
    prior_mean = g["business_line"].map(line_cvr).fillna(account_cvr).clip(1e-6, 1 - 1e-6)
    a, b = prior_mean * strength, (1 - prior_mean) * strength
    x = g["conversions"].clip(upper=g["clicks"])
    post_a, post_b = x + a, (g["clicks"] - x).clip(lower=0) + b
    tail = (1 - settings.interval) / 2
    g["cvr_shrunk"] = post_a / (post_a + post_b)
    g["cvr_low"] = beta_dist.ppf(tail, post_a, post_b)
    g["cvr_high"] = beta_dist.ppf(1 - tail, post_a, post_b)
    g["cpa_shrunk"] = g["cpc"] / g["cvr_shrunk"]
    g["cpa_low"] = g["cpc"] / g["cvr_high"]
    g["cpa_high"] = g["cpc"] / g["cvr_low"]
    g["thin"] = (g["clicks"] < THIN_CLICKS) | (g["conversions"] < THIN_CONVERSIONS)
    g = g.merge(_daily_log_cpc(s), on="campaign", how="left")
    g["window_start"], g["window_end"] = start, end
    return g.sort_values(["business_line", "cpa_shrunk"], ignore_index=True)[cols]


def _daily_log_cpc(spend: pd.DataFrame) -> pd.DataFrame:
    """Per plan: the click-weighted mean of daily log CPC over the window, its standard
    error from the day-to-day spread (days taken as independent), and the number of
    days with clicks. Used to test whether a plan's CPC differs from its bundle's."""
    d = spend.loc[spend["clicks"] > 0]
    day = d.groupby(["campaign", "date"], observed=True)[["cost", "clicks"]].sum().reset_index()
    day = day.loc[day["cost"] > 0]
    day["y"] = np.log(day["cost"] / day["clicks"])
    out = []
    for camp, g in day.groupby("campaign", sort=False):
        w = g["clicks"].to_numpy(float)
        y = g["y"].to_numpy()
        mean = float(np.average(y, weights=w))
        n = len(y)
        var = float(np.average((y - mean) ** 2, weights=w)) * n / (n - 1) if n > 1 else float("nan")
        out.append({"campaign": camp, "log_cpc": mean, "log_cpc_se": math.sqrt(var / n) if n > 1 else float("nan"),
                    "cpc_days": n})
    return pd.DataFrame(out, columns=["campaign", "log_cpc", "log_cpc_se", "cpc_days"])


def plan_lines(table: pd.DataFrame, clf: Classifier, perf: pd.DataFrame | None = None) -> pd.Series:
    """Each plan's business line over all of ``table`` (plan name → line code): the line
    of its keywords by cost, else the line its name reads as. ``perf``: the table's
    keyword performance (:func:`optimizer.keywords.stages.keyword_performance`) if already at hand."""
    from optimizer.keywords.stages import keyword_performance
    camps = text(spend_rows(table)["campaign"]) if len(table) else pd.Series(dtype=object)
    camps = pd.Series(sorted(set(camps) - {""}), dtype=object)
    if perf is None:
        perf = keyword_performance(table, clf)
    lines, _ = _lines_and_mix(perf, camps, clf)
    return pd.Series(lines, index=camps.to_numpy(), dtype=object)


def _lines_and_mix(perf: pd.DataFrame, campaigns: pd.Series, clf: Classifier) -> tuple[list, list]:
    """Each plan's business line (its keywords' line by cost, else its name's) and stage mix."""
    lines: dict[str, str] = {}
    mixes: dict[str, dict[str, float]] = {}
    paid = perf.loc[perf["cost"] > 0] if len(perf) else perf
    if len(paid):
        by_line = paid.groupby(["campaign", "business_line"], sort=False)["cost"].sum()
        top = by_line.sort_values(ascending=False, kind="stable").groupby(level=0, sort=False).head(1)
        lines = dict(top.index.tolist())
        by_stage = paid.groupby(["campaign", "stage"], sort=False)["cost"].sum()
        share = (by_stage / by_stage.groupby(level=0).transform("sum")).sort_values(ascending=False, kind="stable")
        for (camp, stage), v in share.items():
            mixes.setdefault(camp, {})[stage] = round(float(v), 3)
    return ([lines.get(c) or clf.classify_one(c)[0] for c in campaigns],
            [mixes.get(c, {}) for c in campaigns])


# ---------------------------------------------------------------- the partition

def _dp(cpa: np.ndarray, cvr: np.ndarray, conv: np.ndarray, settings: BundleSettings) -> list[tuple[int, int]]:
    """Optimal cut of plans (sorted by CPA) into contiguous runs [i, j); see module doc."""
    n = len(cpa)
    logc = np.log(cpa)
    w = np.maximum(conv, 0.5)  # every plan weighs something, even with no conversions
    w = w / w.sum()  # dispersion is at most (log R)^2 < 1: it only breaks ties between equal bundle counts
    cw = np.concatenate([[0.0], np.cumsum(w)])
    cwx = np.concatenate([[0.0], np.cumsum(w * logc)])
    cwxx = np.concatenate([[0.0], np.cumsum(w * logc * logc)])
    cconv = np.concatenate([[0.0], np.cumsum(conv)])
    best = np.full(n + 1, np.inf)
    best[0] = 0.0
    back = np.zeros(n + 1, dtype=int)
    for j in range(1, n + 1):
        # runs [i, j) allowed by the CPA limit: cpa[j-1] / cpa[i] <= R (cpa is sorted)
        lo = int(np.searchsorted(cpa, cpa[j - 1] / settings.max_cpa_ratio, side="left"))
        lo = min(lo, j - 1)
        # ... and by the CVR limit: running min/max of CVR from j-1 leftwards
        seg = cvr[lo:j][::-1]
        mins, maxs = np.minimum.accumulate(seg), np.maximum.accumulate(seg)
        ok = (mins > 0) & (maxs <= settings.max_cvr_ratio * mins)
        ok[0] = True  # a single plan is always allowed
        width = int(np.argmin(ok)) if not ok.all() else len(ok)  # longer runs only get wider
        i = np.arange(j - 1, j - 1 - width, -1)
        sw, sx, sxx = cw[j] - cw[i], cwx[j] - cwx[i], cwxx[j] - cwxx[i]
        sse = np.maximum(sxx - sx * sx / sw, 0.0)
        cost = best[i] + 1.0 + sse + np.where(cconv[j] - cconv[i] < settings.min_conversions, _BELOW_PENALTY, 0.0)
        k = int(np.argmin(cost))
        best[j], back[j] = cost[k], i[k]
    runs, j = [], n
    while j > 0:
        runs.append((back[j], j))
        j = back[j]
    return runs[::-1]


def _ratio(values: pd.Series) -> float:
    v = values[values > 0]
    return float(v.max() / v.min()) if len(v) else float("nan")


def propose(evidence: pd.DataFrame, settings: BundleSettings = BundleSettings()) -> pd.DataFrame:
    """Assign every plan to a proposed bundle. Returns ``evidence`` with columns
    bundle (``B1`` …, or ``-`` for plans without clicks), bundle_kind (``line``,
    ``mixed`` or ``not_ready``)."""
    ev = evidence.copy()
    ev["bundle"], ev["bundle_kind"] = "-", "none"
    usable = ev["clicks"] > 0
    runs: list[tuple[list[int], str]] = []
    short: list[list[int]] = []
    for _, d in ev.loc[usable].groupby("business_line", sort=True):
        d = d.sort_values("cpa_shrunk")
        for i, j in _dp(d["cpa_shrunk"].to_numpy(), d["cvr_shrunk"].to_numpy(), d["conversions"].to_numpy(), settings):
            idx = list(d.index[i:j])
            if ev.loc[idx, "conversions"].sum() >= settings.min_conversions:
                runs.append((idx, "line"))
            else:
                short.append(idx)
    if short:  # pool runs that are short of data across lines, by the same DP over their CPA
        def run_cpa(r: list[int]) -> float:
            conv = ev.loc[r, "conversions"].sum()
            return ev.loc[r, "cost"].sum() / conv if conv > 0 else ev.loc[r, "cpa_shrunk"].max()

        pooled = pd.DataFrame({
            "cpa": [run_cpa(r) for r in short],
            "cvr": [float(np.average(ev.loc[r, "cvr_shrunk"], weights=ev.loc[r, "clicks"])) for r in short],
            "conv": [ev.loc[r, "conversions"].sum() for r in short]}).sort_values("cpa")
        order = list(pooled.index)
        for i, j in _dp(pooled["cpa"].to_numpy(), pooled["cvr"].to_numpy(), pooled["conv"].to_numpy(), settings):
            idx = [p for k in order[i:j] for p in short[k]]
            enough = ev.loc[idx, "conversions"].sum() >= settings.min_conversions
            mixed = ev.loc[idx, "business_line"].nunique() > 1
            runs.append((idx, "mixed" if enough and mixed else ("line" if enough else "not_ready")))
    runs.sort(key=lambda r: (r[1] == "not_ready", -ev.loc[r[0], "conversions"].sum()))
    for k, (idx, kind) in enumerate(runs, start=1):
        ev.loc[idx, "bundle"] = f"B{k}"
        ev.loc[idx, "bundle_kind"] = kind
    return ev


def membership(assigned: pd.DataFrame) -> pd.Series:
    """Plan → bundle of an assignment (:func:`propose`'s, or one the user edited),
    indexed by plan; null for a plan left out (``"-"``)."""
    bundle = assigned["bundle"].astype(object)
    return pd.Series(bundle.where(bundle != "-").to_numpy(), index=assigned["campaign"].astype(str).to_numpy(),
                     dtype=object)


def proposed_membership(table: pd.DataFrame, clf: Classifier,
                        settings: BundleSettings = BundleSettings()) -> pd.Series:
    """Plan → the bundle id :func:`propose` suggests over the evidence window (``B1`` …,
    bundles not ready yet included; null for a plan left out), indexed by plan; empty
    when the table has no daily rows."""
    ev = plan_evidence(table, clf, settings)
    if ev.empty:
        return pd.Series(dtype=object)
    return membership(propose(ev, settings))


def assignment_map(assigned: pd.DataFrame, settings: BundleSettings = BundleSettings(), lang: str = "zh") -> bytes:
    """The bundle-map CSV of an assignment (:func:`propose`'s, or one the user edited):
    each bundled plan with its bundle and the bundle's target CPA from
    :func:`summarize`, written by :func:`optimizer.bundles.targets.write_bundle_sheet` (headers
    in ``lang``) — the file to keep as the account's bundle map once the bundles are
    set up.""" 

    summary = summarize(assigned, settings)
    targets = dict(zip(summary["bundle"], summary["target_cpa"].astype(float), strict=True)) if len(summary) else {}
    return write_bundle_sheet(membership(assigned), targets, lang)


def summarize(assigned: pd.DataFrame, settings: BundleSettings = BundleSettings()) -> pd.DataFrame:
    """One row per bundle of an assignment (proposed, or edited by the user).

    Columns: bundle, kind, business_lines, plans, n_plans, cost, clicks, conversions,
    cvr, cpa, cpa_ratio (max/min shrunk CPA), cvr_ratio, target_cpa, conv_per_day,
    within_limits, meets_threshold, rule_* (each reading of the oCPC threshold),
    reason_zh, reason_en.
    """
    rows = []
    for bundle, d in assigned.loc[assigned["bundle"] != "-"].groupby("bundle", sort=False):
        cost, clicks, conv = d["cost"].sum(), d["clicks"].sum(), d["conversions"].sum()
        days = max(int(d["days"].max()), 1)
        cpa = cost / conv if conv else float("nan")
        target = min(cpa, settings.max_target_cpa) if settings.max_target_cpa and conv else cpa
        cpa_ratio, cvr_ratio = _ratio(d["cpa_shrunk"]), _ratio(d["cvr_shrunk"])
        within = (len(d) == 1) or (cpa_ratio <= settings.max_cpa_ratio + 1e-9 and cvr_ratio <= settings.max_cvr_ratio + 1e-9)
        per_day = conv / days
        lines = sorted(d["business_line"].unique())
        kind = d["bundle_kind"].iloc[0] if "bundle_kind" in d else ("mixed" if len(lines) > 1 else "line")
        row = {"bundle": bundle, "kind": kind, "business_lines": "、".join(lines), "plans": "、".join(d["campaign"]),
               "n_plans": len(d), "cost": cost, "clicks": clicks, "conversions": conv,
               "cvr": conv / clicks if clicks else float("nan"), "cpa": cpa, "cpa_ratio": cpa_ratio,
               "cvr_ratio": cvr_ratio, "target_cpa": target, "conv_per_day": per_day, "within_limits": within,
               "meets_threshold": conv >= settings.min_conversions,
               "rule_total_30": conv >= 30, "rule_total_20": conv >= 20,
               "rule_daily_10x3": per_day >= 10, "rule_daily_30x3": per_day >= 30}
        row["reason_zh"], row["reason_en"] = _reason(row, settings)
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    number = out["bundle"].str.extract(r"(\d+)$")[0].astype(float)
    return out.assign(_n=number).sort_values(["_n", "bundle"], ignore_index=True).drop(columns="_n")


def _money(v: float) -> str:
    return "–" if v != v else f"{v:,.0f}"


def _reason(r: dict, s: BundleSettings) -> tuple[str, str]:
    n = r["n_plans"]
    lines, lines_en = line_labels(r["business_lines"], "zh"), line_labels(r["business_lines"], "en")  # never the code unknown
    spread_zh = f"转化成本相差 {r['cpa_ratio']:.2f} 倍" if n > 1 else "单个计划"
    spread_en = f"CPA within {r['cpa_ratio']:.2f}x" if n > 1 else "a single campaign"
    data_zh = f"近 {s.window_days} 天 {r['conversions']:.0f} 次转化"
    data_en = f"{r['conversions']:.0f} conversions in {s.window_days} days"
    if r["kind"] == "not_ready":
        return (f"{lines}：{data_zh}，不足 {s.min_conversions:.0f} 次，数据不够进入 oCPC，建议先用 CPC 积累转化。",
                f"{lines_en}: {data_en}, below {s.min_conversions:.0f}: not enough to learn; keep on CPC for now.")
    if r["kind"] == "mixed":
        return (f"{lines} 单独都达不到 {s.min_conversions:.0f} 次转化，因转化成本接近（{spread_zh}）合并为一个包，{data_zh}。",
                f"{lines_en} each fall short of {s.min_conversions:.0f} conversions; bound together as their CPA is "
                f"close ({spread_en}), {data_en}.")
    if n > 1:
        zh = f"{n} 个计划同属{lines}，{spread_zh}，{data_zh}，目标转化成本 {_money(r['target_cpa'])}。"
        en = f"{n} campaigns of {lines_en}, {spread_en}, {data_en}; target CPA {_money(r['target_cpa'])}."
    else:  # not "1 campaign(s) of X, a single campaign"
        zh = f"单个{lines}计划，{data_zh}，目标转化成本 {_money(r['target_cpa'])}。"
        en = f"A single {lines_en} campaign, {data_en}; target CPA {_money(r['target_cpa'])}."
    if r["target_cpa"] < r["cpa"] * 0.999:
        zh += (f"目标按可接受上限设置，低于实际转化成本 {_money(r['cpa'])}：起量会受限，"
               f"建议每天最多下调约 10%（百度建议）逐步靠近。")
        en += (f" Capped below the actual CPA of {_money(r['cpa'])}: volume will suffer; lower the target "
               "about 10% a day at most (Baidu's guidance).")
    if not r["within_limits"]:
        zh += f"注意：包内成本或转化率差异超出设定（{s.max_cpa_ratio:g} / {s.max_cvr_ratio:g} 倍）。"
        en += f" Note: the spread exceeds the limits ({s.max_cpa_ratio:g}x CPA / {s.max_cvr_ratio:g}x CVR)."
    return zh, en


# ---------------------------------------------------------------- keywords on CPC

def cpc_keywords(perf: pd.DataFrame, rows: pd.DataFrame, min_share: float = 0.10, weak_position: float = 2.5,
                 weak_share: float = 0.5, min_conversions: float = THIN_CONVERSIONS, per_line: int = 3) -> pd.DataFrame:
    """Key keywords that deserve their own plan on manual CPC (to fight for rank).

    Only on-target keywords that converted: at least ``min_conversions`` in the window
    (default 3, the figure under which a plan is ``thin``) — a keyword that did not
    convert has nothing to defend. A keyword qualifies when it carries at least
    ``min_share`` of its line's conversions, or of its line's core+phone clicks; a
    keyword of no recognised line is measured against its own campaign instead (a share
    of "the unrecognised keywords" means nothing). At most ``per_line`` keywords of a
    line (or campaign), the most converting first: a line's every keyword on a plan of
    its own would leave its bundle without data. A qualifying keyword is proposed when
    its rank is weak where the export says so (average position worse than
    ``weak_position``, or search impression share below ``weak_share``), or, where the
    export has no rank data, with a note to check its rank.

    Columns: keyword, campaign, business_line, stage, conversions, conv_share, clicks,
    click_share, avg_position, impression_share, reason_zh, reason_en.
    """
    cols = ["keyword", "campaign", "business_line", "stage", "conversions", "conv_share", "clicks", "click_share",
            "avg_position", "impression_share", "reason_zh", "reason_en"]
    on = perf.loc[perf["off_target"] == 0] if len(perf) else perf
    if on.empty:
        return pd.DataFrame(columns=cols)
    kw = on.groupby(["keyword", "campaign", "business_line", "stage"], as_index=False)[["conversions", "clicks"]].sum()
    # the whole a keyword's share is of: its line, or its campaign when its line is not recognised
    unknown_line = kw["business_line"] == UNKNOWN_LINE
    whole = kw["business_line"].where(~unknown_line, "\x00" + kw["campaign"])
    line_conv = kw.groupby(whole)["conversions"].transform("sum")
    cp = kw["stage"].isin(["core", "phone"])
    line_cp_clicks = kw["clicks"].where(cp, 0).groupby(whole).transform("sum")
    kw["conv_share"] = kw["conversions"] / line_conv.where(line_conv > 0)
    kw["click_share"] = (kw["clicks"] / line_cp_clicks.where(line_cp_clicks > 0)).where(cp)
    rank = rows.loc[(rows["report_type"] == "keyword").to_numpy(bool)]
    if rank["avg_position"].notna().any() or rank["impression_share"].notna().any():
        pos = rank.groupby(rank["keyword"].astype("str"))[["avg_position", "impression_share"]].mean()
        kw = kw.join(pos, on="keyword")
    else:  # the export has no rank data (most Baidu keyword reports)
        kw["avg_position"] = kw["impression_share"] = float("nan")
    big = ((kw["conv_share"] >= min_share) | (kw["click_share"] >= min_share)) & (kw["conversions"] >= min_conversions)
    weak = (kw["avg_position"] > weak_position) | (kw["impression_share"] < weak_share)
    unknown = kw["avg_position"].isna() & kw["impression_share"].isna()
    pick = kw.loc[big & (weak | unknown)].assign(_whole=whole)
    pick = (pick.sort_values(["conversions", "clicks"], ascending=False, kind="stable")
            .groupby("_whole", sort=False).head(per_line).drop(columns="_whole"))
    zh, en = [], []
    for _, r in pick.iterrows():
        if r["business_line"] == UNKNOWN_LINE:
            of_zh, of_en = f"计划{r['campaign']}", f"campaign {r['campaign']}"
        else:
            of_zh, of_en = line_label(r["business_line"], "zh"), line_label(r["business_line"], "en")
        if r["conv_share"] >= min_share:  # the figure that qualified it, not always the conversions'
            why_zh, why_en = f"占{of_zh}转化的 {r['conv_share']:.0%}", f"{r['conv_share']:.0%} of {of_en} conversions"
        else:
            conv = f"{r['conv_share']:.0%}" if r["conv_share"] == r["conv_share"] else "–"
            why_zh = f"占{of_zh}核心词和电话词点击的 {r['click_share']:.0%}（转化占 {conv}）"
            why_en = f"{r['click_share']:.0%} of {of_en} core and phone clicks ({conv} of its conversions)"
        weak_zh, weak_en = [], []  # only the rank measures past their threshold
        if r["avg_position"] > weak_position:
            weak_zh.append(f"平均排名 {r['avg_position']:.1f}（差于 {weak_position:.1f}）")
            weak_en.append(f"avg. position {r['avg_position']:.1f}, worse than {weak_position:.1f}")
        if r["impression_share"] < weak_share:
            weak_zh.append(f"展现份额 {r['impression_share']:.0%}（低于 {weak_share:.0%}）")
            weak_en.append(f"impression share {r['impression_share']:.0%}, below {weak_share:.0%}")
        if weak_zh:
            zh.append(f"{why_zh}，但{'、'.join(weak_zh)}，排名偏弱：单独建 CPC 计划抢排名。")
            en.append(f"{why_en} but weak rank ({'; '.join(weak_en)}): own CPC campaign to win rank.")
        else:
            zh.append(f"{why_zh}；报告中没有排名数据，请核实排名，偏后则单独建 CPC 计划。")
            en.append(f"{why_en}; the export has no rank data — check its rank, and give it its own CPC "
                      "campaign if it is low.")
    pick["reason_zh"], pick["reason_en"] = zh, en
    return pick.sort_values("conversions", ascending=False, ignore_index=True, kind="stable")[cols]


# ---------------------------------------------------------------- existing bundles

def _cpc_pvalue(d: pd.DataFrame, camp: str, rest: pd.DataFrame) -> float:
    """Two-sided p of the plan's mean daily log CPC against the rest of its bundle
    (click-weighted mean of the others' means; normal approximation, days independent)."""
    if "log_cpc" not in d or not (d.loc[camp, "log_cpc_se"] > 0):
        return 1.0
    r = rest.loc[rest["log_cpc_se"] > 0]
    if r.empty:
        return 1.0
    w = r["clicks"].to_numpy(float)
    w = w / w.sum()
    rest_mean = float(np.sum(w * r["log_cpc"]))
    rest_se = float(np.sqrt(np.sum((w * r["log_cpc_se"]) ** 2)))
    z = (d.loc[camp, "log_cpc"] - rest_mean) / math.sqrt(d.loc[camp, "log_cpc_se"] ** 2 + rest_se ** 2)
    from scipy.stats import norm
    return float(2 * norm.sf(abs(z)))


def split_candidates(evidence: pd.DataFrame, membership: pd.Series, targets: dict[str, float] | None = None,
                     alpha: float = 0.05, max_cpa_ratio: float = 1.3) -> pd.DataFrame:
    """Plans whose CVR or CPA differs significantly from the rest of their bundle.

    ``membership``: bundle id per campaign (index = campaign). Within each bundle of
    two or more plans, CPA = CPC / CVR may differ through either part, so each plan
    is tested twice against the other plans: its CVR against their pooled CVR by a
    two-proportion z-test (statsmodels ``proportions_ztest``; clicks taken as
    independent trials), and its mean daily log CPC against theirs (normal
    approximation with the day-to-day standard errors; days taken as independent).
    The plan's p-value is the smaller of the two, Bonferroni-doubled; the p-values
    are corrected by Benjamini–Hochberg (false discovery rate ``alpha``). Stepwise: the most significant plan whose CPA
    is also off the others' by more than ``max_cpa_ratio`` is split off, and the
    remaining plans are tested again among themselves — so that one outlier does not
    make the plans that agree look different from "the rest". ``targets``: the
    bundles' target CPAs, when known.

    Columns: bundle, campaign, conversions, cpa, cvr, rest_cpa, rest_cvr, cpa_vs_rest,
    p_value, q_value, driver (``cvr`` or ``cpc``), target_cpa, bundle_cpa, split,
    reason_zh, reason_en.
    """
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.proportion import proportions_ztest

    cols = ["bundle", "campaign", "conversions", "cpa", "cvr", "rest_cpa", "rest_cvr", "cpa_vs_rest", "p_value",
            "q_value", "driver", "target_cpa", "bundle_cpa", "split", "reason_zh", "reason_en"]
    ev = evidence.set_index("campaign")
    m = membership.dropna()
    m = m[m.index.isin(ev.index)]

    def compare(d: pd.DataFrame, camp: str) -> dict:
        rest = d.drop(index=camp)
        x = np.array([min(d.loc[camp, "conversions"], d.loc[camp, "clicks"]),
                      min(rest["conversions"].sum(), rest["clicks"].sum())])
        n = np.array([d.loc[camp, "clicks"], rest["clicks"].sum()])
        p_cvr = float(proportions_ztest(x, n)[1]) if n.min() > 0 and 0 < x.sum() < n.sum() else 1.0
        p_cpc = _cpc_pvalue(d, camp, rest)
        p = min(1.0, 2 * min(p_cvr, p_cpc))  # either part of CPA may differ: Bonferroni over the two tests
        rest_cpa = rest["cost"].sum() / rest["conversions"].sum() if rest["conversions"].sum() else float("nan")
        cpa = d.loc[camp, "cpa"]
        return {"campaign": camp, "conversions": d.loc[camp, "conversions"], "cpa": cpa, "cvr": d.loc[camp, "cvr"],
                "rest_cpa": rest_cpa,
                "rest_cvr": rest["conversions"].sum() / rest["clicks"].sum() if rest["clicks"].sum() else np.nan,
                "cpa_vs_rest": cpa / rest_cpa if rest_cpa == rest_cpa and cpa == cpa else float("nan"), "p_value": p,
                "driver": "cvr" if p_cvr <= p_cpc else "cpc"}

    out = []
    for bundle, plans in m.groupby(m):
        members = list(plans.index)
        d_all = ev.loc[members]
        bundle_cpa = d_all["cost"].sum() / d_all["conversions"].sum() if d_all["conversions"].sum() else float("nan")
        extra = {"bundle": bundle, "target_cpa": (targets or {}).get(bundle, float("nan")), "bundle_cpa": bundle_cpa}
        core = members
        while len(core) >= 2:
            d = ev.loc[core]
            tests = pd.DataFrame([compare(d, c) for c in core])
            tests["q_value"] = multipletests(tests["p_value"], alpha=alpha, method="fdr_bh")[1]
            off = (tests["cpa_vs_rest"] > max_cpa_ratio) | (tests["cpa_vs_rest"] < 1 / max_cpa_ratio)
            candidates = tests.loc[(tests["q_value"] < alpha) & off].sort_values("p_value")
            if candidates.empty:
                out += [{**r, **extra, "split": False} for r in tests.to_dict("records")]
                break
            worst = candidates.iloc[0].to_dict()
            out.append({**worst, **extra, "split": True})
            core = [c for c in core if c != worst["campaign"]]
    if not out:
        return pd.DataFrame(columns=cols)
    res = pd.DataFrame(out)
    def why_zh(r) -> str:
        if not r.split:
            return f"与包内其余计划无显著差异（q={r.q_value:.2f}）。"
        part = (f"转化率 {r.cvr:.1%}，其余计划 {r.rest_cvr:.1%}" if r.driver == "cvr"
                else "点击价格与其余计划显著不同")
        return f"{part}（q={r.q_value:.3f}），转化成本是其余的 {r.cpa_vs_rest:.2f} 倍：建议拆出。"

    def why_en(r) -> str:
        if not r.split:
            return f"No significant difference from the rest (q={r.q_value:.2f})."
        part = (f"CVR {r.cvr:.1%} vs {r.rest_cvr:.1%} for the rest" if r.driver == "cvr"
                else "CPC significantly different from the rest's")
        return f"{part} (q={r.q_value:.3f}); CPA {r.cpa_vs_rest:.2f}x the rest: split it off."

    res["reason_zh"] = [why_zh(r) for r in res.itertuples()]
    res["reason_en"] = [why_en(r) for r in res.itertuples()]
    return res.sort_values(["split", "q_value"], ascending=[False, True], ignore_index=True)[cols]


def adjusted_rand_index(a, b) -> float:
    """Adjusted Rand index of two labelings of the same items (1 = identical partitions)."""
    ct = pd.crosstab(pd.Series(list(a)), pd.Series(list(b))).to_numpy()
    comb = lambda v: v * (v - 1) / 2  # noqa: E731
    index = comb(ct).sum()
    ra, rb, n = comb(ct.sum(axis=1)).sum(), comb(ct.sum(axis=0)).sum(), comb(ct.sum())
    expected = ra * rb / n if n else 0.0
    maximum = (ra + rb) / 2
    return 1.0 if maximum == expected else float((index - expected) / (maximum - expected))


__all__ = ["BundleSettings", "THRESHOLD_RULES", "adjusted_rand_index", "assignment_map", "bundles_from_names",
           "cpc_keywords", "fit_prior", "membership", "plan_evidence", "propose", "proposed_membership", "read_bundle_map",
           "split_candidates", "summarize", "window", "window_performance"]


def read_bundle_map(data: bytes, name: str = "bundle map") -> tuple[pd.Series, dict[str, float]]:
    """Current bundle membership from a small CSV the optimizer keeps: columns plan
    (推广计划 / campaign), bundle (投放包 / oCPC投放包 / oCPC出价策略) and optionally
    target_cpa (目标转化成本) and the learning / change columns of
    :func:`optimizer.bundles.targets.read_bundle_sheet`. Returns (bundle per plan, target CPA
    per bundle). Raises ValueError naming the missing column or the bad row."""
    sheet = read_bundle_sheet(data, name)
    return sheet.membership, sheet.targets


def existing_bundles(evidence: pd.DataFrame, membership: pd.Series, targets: dict[str, float] | None = None,
                     tolerance: float = 0.2) -> pd.DataFrame:
    """Each current bundle's actual figures over the window against its target CPA.

    Columns: bundle, plans, n_plans, cost, clicks, conversions, cpa, cvr, target_cpa,
    cpa_vs_target (actual / target − 1), over_target (beyond ``tolerance``, default
    20 %: Baidu's over-cost compensation rule, ../shared/formats.md).
    """
    cols = ["bundle", "plans", "n_plans", "cost", "clicks", "conversions", "cpa", "cvr", "target_cpa",
            "cpa_vs_target", "over_target"]
    m = membership.dropna()
    ev = evidence.loc[evidence["campaign"].isin(m.index)].assign(bundle=lambda d: d["campaign"].map(m))
    if ev.empty:
        return pd.DataFrame(columns=cols)
    g = ev.groupby("bundle", sort=True).agg(plans=("campaign", "、".join), n_plans=("campaign", "size"),
                                            cost=("cost", "sum"), clicks=("clicks", "sum"),
                                            conversions=("conversions", "sum")).reset_index()
    g["cpa"] = g["cost"] / g["conversions"].where(g["conversions"] > 0)
    g["cvr"] = g["conversions"] / g["clicks"].where(g["clicks"] > 0)
    g["target_cpa"] = g["bundle"].map(targets or {}).astype(float)
    g["cpa_vs_target"] = g["cpa"] / g["target_cpa"] - 1
    g["over_target"] = g["cpa_vs_target"] > tolerance
    return g[cols]
