"""Cost drift: find the day an entity's CPC, CVR, CPA or spend changed, and test it.

Optimizers of local-service accounts tolerate almost no cost swings; what they need
is "plan X's cost per conversion rose 38 % (95 % CI +20 % … +58 %) from 3 Nov, about
¥2,100 so far, mostly because its conversion rate fell". This module is the
statistical core of that: no page, no CLI.

Public API
----------
:func:`daily_series`
    long daily series per account, plan or top keyword (zero-filled, Baidu's partial
    last day dropped).
:func:`detect`
    one dated change point per (entity, metric), tested, with a confidence interval,
    the money at stake, and Benjamini–Hochberg q values over every series tested.
:func:`decompose`
    the CPA change split into its CPC part and its CVR part.

Statistical model and assumptions
---------------------------------
Days are the unit of time. Each series is modelled as *two* segments, before and
after one change day ``start`` (at most one change per series is reported: the
strongest one). Candidate change days leave at least ``min_days`` days before and at
least 3 days after (recent changes are worth seeing early).

CVR — conversions ~ Binomial(clicks, p_seg): every click converts independently
    with one probability per segment. The change day maximises the binomial
    likelihood of the two-segment fit (log-likelihood ratio scan, computed for every
    candidate from cumulative sums). Day-to-day variation beyond the binomial (the
    keyword mix of a plan changes from day to day) is allowed for by a
    quasi-binomial dispersion ``phi = max(1, Pearson X² / (days with clicks − 2))``
    of the two-segment fit. The test at the chosen day is the score test of two
    independent proportions (``statsmodels test_proportions_2indep(method="score")``),
    its z divided by ``sqrt(phi)``. The change is ``CVR_after / CVR_before − 1``, its
    95 % CI the log-ratio (Katz) interval, variance inflated by ``phi``, with 0.5
    added to a zero count.
CPC — the log of each day's CPC (cost / clicks) is normal with mean ``mu_seg`` and
    variance ``tau² + sigma² / clicks_d`` (a day of many clicks averages many click
    prices, ``sigma²``; but prices also move for the whole day, ``tau²``; both fitted
    from the squared residuals, the overall scale again by the t test). Chosen day: the weighted two-segment Gaussian likelihood
    (largest between-segment sum of squares). Test: weighted two-sample t on the
    days (df = days with clicks − 2). We do *not* treat cost in cents as a Poisson
    count: cents are not independent events, and such a test would be wildly
    overdispersed. Before / after are the segments' aggregate CPC (cost / clicks);
    the CI is ``after/before × exp(± 1.96 · se)`` with se the t-test's standard error
    of the difference of mean log CPC.
CPA — CPA = CPC / CVR, so ``ln(CPA1/CPA0) = ln(CPC1/CPC0) − ln(CVR1/CVR0)``: the change
    day maximises the sum of the CPC and CVR likelihood-ratio statistics (each scaled
    by its dispersion of the one-segment fit); the test is z = ln(CPA ratio) /
    sqrt(var_CPC + var_CVR) with the variances above (CPC and CVR taken as
    independent). The noisy daily CPA itself is never tested.
spend — daily cost has weekly seasonality. Weekday factors (mean cost of each weekday
    / mean cost, normalised to average 1) are estimated from the *baseline*, the
    first ``baseline_days`` days of the series (only when it spans ≥ 14 days;
    otherwise no adjustment), and every day is divided by its factor. Daily spend
    is heavy-tailed and its noise multiplicative (a plan's spend is often a few head
    keywords' clicks), so the test is on ``log(adjusted cost + 5 % of its mean)``
    (the offset keeps days without spend finite): normal with one mean per segment
    and a common variance (two-sample t). Before / after are the segments' mean
    adjusted daily spend; the CI is ``after/before × exp(± crit · se)`` with se that
    of the difference of mean logs.

Multiple change days were tried, so the p value of the chosen day is corrected for
the scan (:func:`_scan_pvalue`): the tail of the maximum of a standardised random
walk bridge over the candidate information fractions [t0, t1] (clicks for
CVR/CPC/CPA, days for spend), ``b φ(b) ∫ ν(b / sqrt(n t(1−t))) dt / (t(1−t))``
(Miller & Siegmund 1982 for the continuous scan, Siegmund's ν for the discrete
one), capped by Bonferroni over the candidates. Simulated 90-day null series agree
to within a few per cent (0.0457 vs 0.0451 at |z| = 3). Without this correction a
flat series would be flagged far more than ``alpha`` of the time. The 95 % CIs use
the matching critical value (about 3 instead of 1.96 for a 90-day series) so that a
CI excludes "no change" about when the corrected p is below 0.05; they are
conditional on the chosen day and not adjusted for Benjamini–Hochberg.

Evidence on each side
---------------------
A flag says "this moved, and by about this much". The strongest change day is
only tested when both sides of it hold enough to say so; otherwise the series is
``too_little_data`` (the note says what each side held), gets no p value and
takes no part in Benjamini–Hochberg:

* days: at least ``min_days`` (default 7) before and 3 after (the candidates);
* clicks: at least ``min_clicks`` (:data:`MIN_CLICKS`, 30) before *and* after,
  every metric. CPC, CVR and spend are means over clicks; below ~30 the normal
  approximation of a mean of skewed click prices fails (the usual n ≥ 30 rule,
  also the baseline's 30-click minimum), and most days have 0 or 1 click;
* conversions (CVR, CPA): at least ``min_conversions`` (:data:`MIN_CONVERSIONS`,
  10) *expected* before and after at the series' overall CVR,
  ``clicks_side × (conv_before + conv_after) / (clicks_before + clicks_after)`` —
  the expected counts of the 2 × 2 table the score test approximates. Cochran's
  rule asks for 5; 10 leaves room for the chosen day being the best of many
  splits, where the scan correction is least accurate at the edges. Expected,
  not observed: conversions that stop (0 after, on clicks that should have
  brought dozens) are still flagged, while a first week of 4 conversions on a
  keyword that converts at a tenth of that rate afterwards is not (under one
  conversion expected there). With 10 a side the ratio's 95 % interval is
  still about ×/÷ 2.4, so a smaller change cannot be told from noise anyway.
  Simulated flat 90-day series (tests at 5 %): CVR splits with under 2.5
  conversions expected on a side came out significant 7.9 % of the time, CPC
  splits with under 30 clicks on a side 7.9 % (5.8 % above), spend 6.7 %
  (4.6 % above).

Then the false discovery rate is controlled over *every* series of one
:func:`detect` call (all entities × metrics that were tested) with
Benjamini–Hochberg; ``status`` is ``flag`` when ``q ≤ alpha``.

Days are taken as independent given the segment (no autocorrelation, no trend within
a segment); a gradual change is located somewhere inside its ramp.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import ndtr, ndtri, stdtr, xlogy
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import test_proportions_2indep

from optimizer.model.dataset import partial_last_day, spend_mask
from optimizer.reading.schema import dense_key, group_sum, text_array, text_codes

LEVELS = ("account", "line", "bundle", "campaign", "keyword")
#: levels whose entities are groups of plans, given by a plan → group mapping
GROUP_LEVELS = ("line", "bundle")
METRICS = ("cpc", "cvr", "cpa", "spend")
STATUSES = ("flag", "no_change", "too_little_data")

#: keyword level: the top keywords covering this share of keyword-report cost …
KEYWORD_COST_SHARE = 0.80
#: … but at most this many.
MAX_KEYWORDS = 200
#: days after a change needed to test it
MIN_DAYS_AFTER = 3
#: clicks the baseline needs
MIN_BASELINE_CLICKS = 30
#: clicks needed on each side of a change, every metric (default of ``detect(min_clicks=)``)
MIN_CLICKS = 30
#: conversions expected on each side of a change at the series' overall CVR, CVR and CPA
#: (default of ``detect(min_conversions=)``)
MIN_CONVERSIONS = 10
#: spend is tested on log(weekday-adjusted cost + this × mean daily cost)
SPEND_LOG_OFFSET = 0.05
#: the baseline must span this many days for weekday factors
MIN_WEEKDAY_DAYS = 14

SERIES_COLUMNS = ["level", "entity", "date", "clicks", "cost", "conversions", "cpc", "cvr", "cpa",
                  "platform", "account", "campaign"]
_RAW_COLUMNS = ["level", "entity", "metric", "status", "start", "before", "after", "change", "ci_low",
                "ci_high", "p_value", "q_value", "money_at_stake", "days_after", "note"]
RESULT_COLUMNS = [*_RAW_COLUMNS, "start_low", "start_high"]



# ---------------------------------------------------------------------------------
# Daily series
# ---------------------------------------------------------------------------------
def daily_series(table: "pd.DataFrame | PlanDays", level: str, groups: Mapping[str, str] | pd.Series | None = None
                 ) -> pd.DataFrame:
    """Daily clicks, cost, conversions and their ratios per entity of ``level``.

    ``level``: ``account``, ``line`` (business line), ``bundle`` or ``campaign``
    (summed over :func:`optimizer.model.dataset.spend_rows`, so a plan report and a keyword
    report of the same days are not added together), or ``keyword`` (keyword-report
    rows only; just the top keywords by cost that together cover
    :data:`KEYWORD_COST_SHARE` of it, at most :data:`MAX_KEYWORDS`). ``line`` and
    ``bundle`` need ``groups``: plan name → business line / bundle name (plans not in
    it are left out of that level; e.g. :func:`optimizer.bundles.propose.plan_lines`, a
    bundle map, or a proposal's ``campaign → bundle``).

    Long format, sorted by entity then date; columns :data:`SERIES_COLUMNS`:
    level, entity (a display name unique within the level: the account name, the
    plan name, ``plan / keyword``; the account or unit and match type are added only
    where needed to tell entities apart), date, clicks, cost, conversions, cpc
    (cost / clicks), cvr (conversions / clicks), cpa (cost / conversions) — NaN
    where the denominator is 0 — then platform, account, campaign.

    Each entity runs from its first day with a row to its account's last day; days
    without rows inside that range are filled with 0 clicks, cost and conversions
    (conversions stay NaN for an entity whose report carries none). Undated
    (aggregated) rows are ignored. **Baidu's last day is dropped** (its conversions
    arrive about a day late, :func:`optimizer.model.dataset.partial_last_day`); the day
    dropped is in ``result.attrs["dropped_partial_day"]`` (None when none).

    ``table``: canonical rows, or :func:`plan_days` of them (every level but
    ``keyword``; the same series from far fewer rows when several levels are built).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    if level in GROUP_LEVELS and groups is None:
        raise ValueError(f"level {level!r} needs groups (plan → {level})")
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in SERIES_COLUMNS})
    empty.attrs["dropped_partial_day"] = None
    if isinstance(table, PlanDays):
        if level == "keyword":
            raise ValueError("the keyword level needs the rows, not plan_days() of them")
        coded = table
    elif table.empty:
        return empty
    else:
        coded = _coded_rows(table, level)
    empty.attrs["dropped_partial_day"] = coded.partial
    if coded.frame.empty:
        return empty
    frame, values, partial = coded.frame, dict(coded.values), coded.partial
    keys = {"account": ["platform", "account"], "campaign": ["platform", "account", "campaign"],
            "line": ["platform", "account", "group"], "bundle": ["platform", "account", "group"],
            "keyword": ["platform", "account", "campaign", "ad_group", "keyword", "match_type"]}[level]
    acct = frame.groupby(["platform", "account"])["date"].max()
    last_day = pd.Series(acct.to_numpy(), index=pd.MultiIndex.from_arrays(
        [values["platform"][acct.index.get_level_values(0)], values["account"][acct.index.get_level_values(1)]],
        names=["platform", "account"]))
    if level == "campaign":
        frame = frame.loc[(values["campaign"] != "")[frame["campaign"].to_numpy()]]
    if level in GROUP_LEVELS:
        mapping = pd.Series(groups, dtype=object) if not isinstance(groups, pd.Series) else groups
        mapping = mapping.dropna().astype(str)
        mapping = mapping.loc[mapping.str.strip() != ""]
        # each distinct plan's group once; rows carry the group's code
        plan_group = pd.Series(values["campaign"]).map(mapping)
        values["group"], group_codes = np.unique(plan_group.dropna().to_numpy(object), return_inverse=True)
        lut = np.full(len(plan_group), -1, dtype=np.int64)
        lut[plan_group.notna().to_numpy()] = group_codes
        frame["group"] = lut[frame["campaign"].to_numpy()]
        frame = frame.loc[frame["group"].to_numpy() >= 0]
    key_frame = None
    if level == "keyword":
        # the top keywords by cost first, so that only their rows are summed by day
        frame = frame.loc[(values["keyword"] != "")[frame["keyword"].to_numpy()]]
        if frame.empty:
            return empty
        # ordered as the keys' texts
        kid = np.unique(dense_key([frame[k].to_numpy() for k in keys]), return_inverse=True)[1]
        totals = np.bincount(kid, weights=np.nan_to_num(frame["cost"].to_numpy(float)))
        order = np.argsort(-totals, kind="stable")
        ranked = totals[order]
        share = np.cumsum(ranked) / ranked.sum() if ranked.sum() > 0 else np.ones(len(ranked))
        before = np.r_[0.0, share[:-1]]
        top = order[before < KEYWORD_COST_SHARE][:MAX_KEYWORDS]
        first = np.empty(len(totals), dtype=np.int64)
        first[kid[::-1]] = np.arange(len(kid) - 1, -1, -1)
        key_frame = frame.iloc[first[top]][keys].reset_index(drop=True)
        frame = frame.loc[np.isin(kid, top)]
        del kid
    daily = daily_sums(frame, keys)
    del frame
    if daily.empty:
        return empty

    def decode(df: pd.DataFrame) -> pd.DataFrame:
        return df.assign(**{k: values[k][df[k].to_numpy()] for k in keys})

    daily = decode(daily)
    key_frame = daily[keys].drop_duplicates() if key_frame is None else decode(key_frame)
    names = _entity_names(key_frame, level)
    out = series_from_rows(daily, keys, names, level, last_day,
                           campaign=(lambda key: key[2]) if level in ("campaign", "keyword") else None)
    out.attrs["dropped_partial_day"] = partial
    return out


@dataclass(frozen=True)
class PlanDays:
    """Rows reduced to what :func:`daily_series` reads: platform, account and campaign as
    codes into ``values`` (:func:`optimizer.reading.schema.text_codes`; keyword, ad_group and
    match_type too for the keyword level), date, clicks, cost, conversions; and the
    Baidu partial day dropped (``partial``)."""

    frame: pd.DataFrame
    values: dict[str, np.ndarray]
    partial: pd.Timestamp | None


def _coded_rows(table: pd.DataFrame, level: str) -> PlanDays:
    """The dated rows :func:`daily_series` counts at ``level`` (spend rows; keyword-report
    rows for the keyword level), Baidu's partial last day left out, text as codes: a
    million rows as strings or as whole-table copies would cost several times the export."""
    keyed = ["platform", "account", "campaign"] + (["ad_group", "keyword", "match_type"] if level == "keyword" else [])
    mask = (text_array(table["report_type"]) == "keyword") if level == "keyword" else spend_mask(table)
    mask &= table["date"].notna().to_numpy(bool)
    partial = partial_last_day(table.loc[mask, ["platform", "date"]]) if mask.any() else None
    if partial is not None:
        mask &= ~((text_array(table["platform"]) == "baidu") & (table["date"] == partial).to_numpy(bool))
    values: dict[str, np.ndarray] = {}
    frame = pd.DataFrame(index=pd.RangeIndex(int(mask.sum())))
    for k in keyed:
        codes, values[k] = text_codes(table[k])
        frame[k] = codes[mask]
    frame["date"] = table["date"].to_numpy("datetime64[ns]")[mask]
    for m in ("clicks", "cost", "conversions"):
        frame[m] = table[m].to_numpy(float)[mask]
    return PlanDays(frame, values, partial)


def plan_days(table: pd.DataFrame) -> PlanDays:
    """The spend rows summed per plan and day (:func:`daily_sums`), for building the
    account, line, bundle and campaign series of one table from a few thousand rows
    instead of a million: ``daily_series(plan_days(t), level, …)`` equals
    ``daily_series(t, level, …)`` for every level but ``keyword``."""
    coded = _coded_rows(table, "campaign") if not table.empty else \
        PlanDays(pd.DataFrame(columns=["platform", "account", "campaign", "date", "clicks", "cost", "conversions"]),
                 {}, None)
    if coded.frame.empty:
        return coded
    return PlanDays(daily_sums(coded.frame, ["platform", "account", "campaign"]), coded.values, coded.partial)


def daily_sums(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Clicks and cost summed, conversions summed with ``min_count=1`` (NaN when every
    row of the day has none), per key and day: what ``frame.groupby([*keys, "date"])``
    gives, in columns ``[*keys, "date", "clicks", "cost", "conversions"]``, sorted by
    key then date.

    ``keys`` are non-negative integer code columns (e.g. :func:`optimizer.reading.schema.text_codes`);
    ``date`` has no NaT. Summed with ``np.bincount`` over one int64 per row, so a
    million rows cost a few arrays of 8 bytes a row rather than a groupby over
    several key columns. NaN clicks or cost count as 0, as in a pandas sum."""
    n = len(frame)
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in [*keys, "date", "clicks", "cost", "conversions"]})
    dates = frame["date"].to_numpy("datetime64[ns]")
    day = dates.astype("datetime64[D]").astype(np.int64)
    day -= day.min()
    span = int(day.max()) + 1
    gid = dense_key([frame[k].to_numpy() for k in keys])
    if int(gid.max()) >= 2 ** 62 // span:
        gid = np.unique(gid, return_inverse=True)[1].astype(np.int64)
    cell = gid * span + day
    del gid, day
    uniq, inv = np.unique(cell, return_inverse=True)
    del cell, uniq
    m = int(inv.max()) + 1
    first = np.empty(m, dtype=np.int64)
    first[inv[::-1]] = np.arange(n - 1, -1, -1)   # the first row of each (key, day)
    out = {k: frame[k].to_numpy()[first] for k in keys}
    out["date"] = dates[first]
    for c in ("clicks", "cost"):
        out[c] = np.bincount(inv, weights=np.nan_to_num(frame[c].to_numpy(float)), minlength=m)
    out["conversions"] = group_sum(inv, frame["conversions"].to_numpy(float), m)
    return pd.DataFrame(out)


def series_from_rows(frame: pd.DataFrame, keys: list[str], names: Mapping[tuple, str], level: str,
                     last_day: pd.Series | None = None, campaign=None) -> pd.DataFrame:
    """Daily series in :data:`SERIES_COLUMNS` shape from dated rows.

    ``frame``: rows with ``keys`` (the first two: platform, account), date, clicks,
    cost, conversions. Each key runs from its first dated row to its account's last
    day (``last_day``, indexed by (platform, account); default: the last date in
    ``frame``), the days between zero-filled (conversions stay NaN for a key whose
    rows carry none). ``names``: key tuple → entity name; ``campaign``: key tuple →
    the campaign column (default ""). Shared by :func:`daily_series` and the
    landing-page series (``optimizer.landing.analysis.page_series``).
    """
    if last_day is None:
        last_day = frame.groupby(["platform", "account"])["date"].max()
    g = frame.groupby([*keys, "date"], sort=True)
    daily = g[["clicks", "cost"]].sum().join(g["conversions"].sum(min_count=1)).reset_index()
    parts = []
    for key, d in daily.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        end = last_day.loc[(key[0], key[1])]
        days = pd.date_range(d["date"].min(), end, freq="D")
        has_conv = d["conversions"].notna().any()
        d = d.set_index("date")[["clicks", "cost", "conversions"]].reindex(days)
        d[["clicks", "cost"]] = d[["clicks", "cost"]].fillna(0.0)
        d["conversions"] = d["conversions"].fillna(0.0) if has_conv else np.nan
        d = d.rename_axis("date").reset_index()
        d.insert(0, "entity", names[key])
        d["platform"], d["account"] = key[0], key[1]
        d["campaign"] = campaign(key) if campaign else ""
        parts.append(d)
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "level", level)
    out["cpc"] = out["cost"] / out["clicks"].where(out["clicks"] > 0)
    out["cvr"] = out["conversions"] / out["clicks"].where(out["clicks"] > 0)
    out["cpa"] = out["cost"] / out["conversions"].where(out["conversions"] > 0)
    return out.sort_values(["entity", "date"], kind="stable", ignore_index=True)[SERIES_COLUMNS]


def _entity_names(keys: pd.DataFrame, level: str) -> dict[tuple, str]:
    """Short display names, unique within the level."""
    k = keys.reset_index(drop=True)
    n_accounts = len(k[["platform", "account"]].drop_duplicates())
    if level == "account":
        name = k["account"].where(k["account"] != "", k["platform"])
        if name.duplicated(keep=False).any():
            name = k["platform"] + " · " + name
    elif level in ("campaign", *GROUP_LEVELS):
        name = (k["campaign"] if level == "campaign" else k["group"]).astype(str)
        if n_accounts > 1:
            name = k["account"].where(k["account"] != "", k["platform"]) + " / " + name
    else:
        name = k["campaign"] + " / " + k["keyword"]
        dup = name.duplicated(keep=False)
        name = name.where(~dup, name + " [" + k["ad_group"] + ", " + k["match_type"] + "]")
        if n_accounts > 1:
            name = k["account"].where(k["account"] != "", k["platform"]) + " / " + name
        # still not unique (should not happen): number them
        dup = name.duplicated(keep="first")
        name = name.where(~dup, name + " #" + (k.groupby(name.to_numpy()).cumcount() + 1).astype(str))
    return {tuple(row): n for row, n in zip(k.itertuples(index=False, name=None), name, strict=True)}


# ---------------------------------------------------------------------------------
# Scan helpers (vectorised over every candidate change day)
# ---------------------------------------------------------------------------------
def _nu(x: np.ndarray) -> np.ndarray:
    """Siegmund's overshoot correction for a Gaussian random walk (discrete scan)."""
    x = np.maximum(x, 1e-9)
    h = x / 2
    return (2 / x) * (stats.norm.cdf(h) - 0.5) / (h * stats.norm.cdf(h) + stats.norm.pdf(h))


def _scan_pvalue(z: float, t0: float, t1: float, n_candidates: int, n_steps: int) -> tuple[float, float]:
    """(naive two-sided p at the chosen day, p corrected for scanning the candidates).

    ``P(max_t |Z(t)| > b) ≈ b φ(b) ∫_{t0}^{t1} ν(b / sqrt(n_steps t (1 − t))) dt / (t (1 − t))``
    (Siegmund 1985; without ν it is the continuous Miller–Siegmund 1982 bound, with
    ν it accounts for looking only at ``n_steps`` discrete days), capped by
    Bonferroni over the candidates. Checked by simulation of 90-day series with
    7 days before / 3 after (equal and unequal daily weights): 0.0457 approximated
    vs 0.0451 simulated at b = 3, 0.0099 vs 0.0097 at b = 3.5.
    """
    b = abs(float(z))
    if not np.isfinite(b):
        return float("nan"), float("nan")
    naive = float(2 * stats.norm.sf(b))
    p = min(1.0, naive * max(n_candidates, 1))
    t0, t1 = min(max(t0, 1e-9), 1 - 1e-9), min(max(t1, 1e-9), 1 - 1e-9)
    if b >= 1.5 and t1 > t0 and n_candidates > 1:
        u = np.linspace(np.log(t0 / (1 - t0)), np.log(t1 / (1 - t1)), 257)   # u = logit t, du = dt/(t(1-t))
        inv_tt = 2 + 2 * np.cosh(u)                                           # 1 / (t (1 - t))
        f = _nu(b * np.sqrt(inv_tt / max(n_steps, 1)))
        integral = float(((f[1:] + f[:-1]) / 2 * np.diff(u)).sum())
        p = min(p, b * stats.norm.pdf(b) * integral)
    return naive, min(1.0, max(p, naive))


def _scan_critical(t0: float, t1: float, n_candidates: int, n_steps: int, level: float = 0.05) -> float:
    """The |z| whose scan-corrected p (:func:`_scan_pvalue`) is ``level``: the
    multiplier of the confidence intervals, so that a CI excludes "no change" about
    when the corrected p is below 5 % (≈ 1.96 with one candidate day, ≈ 3 for 80)."""
    lo = float(stats.norm.isf(level / 2))
    if n_candidates <= 1:
        return lo

    def excess(b):
        return _scan_pvalue(b, t0, t1, n_candidates, n_steps)[1] - level

    # the corrected p is never below the naive one, so it is `level` at `lo` already
    # when the scan bound there is smaller (a few candidates close together, e.g. an
    # 11-day series): no root to bracket
    if excess(lo) <= 0:
        return lo
    return float(optimize.brentq(excess, lo, 12.0))


def _t_to_z(t: float, df: int) -> float:
    """The normal quantile with the same tail as a t statistic (keeps the scan correction normal)."""
    if not np.isfinite(t) or df < 1:
        return float("nan")
    return float(np.sign(t) * stats.norm.isf(stats.t.sf(abs(t), df))) if abs(t) < 40 else float(np.sign(t) * 40)


def _split(arr: np.ndarray, k: int) -> tuple[float, float]:
    """Sums before (days < k) and after (days ≥ k)."""
    return float(arr[:k].sum()), float(arr[k:].sum())


def _binomial_scan(x: np.ndarray, n: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """2 × log-likelihood ratio of a two-segment binomial over one rate, per candidate."""
    X, N = np.cumsum(x), np.cumsum(n)
    xt, nt = X[-1], N[-1]

    def ll(xx, nn):
        p = np.divide(xx, nn, out=np.zeros_like(xx, dtype=float), where=nn > 0)
        return xlogy(xx, p) + xlogy(nn - xx, 1 - p)

    x1, n1 = X[cand - 1], N[cand - 1]
    return 2 * (ll(x1, n1) + ll(xt - x1, nt - n1) - ll(np.array([xt]), np.array([nt]))[0])


def _gauss_scan(y: np.ndarray, w: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """Weighted between-segment sum of squares per candidate (the Gaussian LR numerator)."""
    W = np.cumsum(w)
    wt = W[-1]
    mu = (w * y).sum() / wt
    S = np.cumsum(w * (y - mu))
    w1, s1 = W[cand - 1], S[cand - 1]
    w2 = wt - w1
    with np.errstate(divide="ignore", invalid="ignore"):
        out = s1 ** 2 * wt / (w1 * w2)
    return np.where((w1 > 0) & (w2 > 0), out, 0.0)


def _gauss_two_sample(y: np.ndarray, w: np.ndarray, k: int) -> dict:
    """Weighted two-segment normal fit split at k: difference of means, its se, t, df."""
    use = w > 0
    w1, w2 = w[:k], w[k:]
    y1, y2 = y[:k], y[k:]
    W1, W2 = w1.sum(), w2.sum()
    m1, m2 = (w1 * y1).sum() / W1, (w2 * y2).sum() / W2
    rss = (w1 * (y1 - m1) ** 2).sum() + (w2 * (y2 - m2) ** 2).sum()
    df = int(use.sum()) - 2
    s2 = rss / df if df > 0 else float("nan")
    se = float(np.sqrt(s2 * (1 / W1 + 1 / W2)))
    diff = m2 - m1
    t = diff / se if se > 0 else (0.0 if diff == 0 else np.sign(diff) * np.inf)
    return {"m1": m1, "m2": m2, "diff": diff, "se": se, "t": t, "df": df, "s2": s2}


def _binomial_parts(x: np.ndarray, n: np.ndarray, k: int) -> dict:
    """Two-segment binomial fit split at k: rates, quasi-binomial dispersion, score z,
    and the log rate ratio with its (dispersion-inflated) variance."""
    x1, x2 = _split(x, k)
    n1, n2 = (np.float64(v) for v in _split(n, k))
    with np.errstate(divide="ignore", invalid="ignore"):
        # a segment without clicks (possible only at the CPA scan's fixed midpoint)
        # has rate NaN and adds nothing to X² (its fitted variances are not > 0)
        p1, p2 = x1 / n1, x2 / n2
    fitted = np.concatenate([n[:k] * p1, n[k:] * p2])
    var = fitted * (1 - np.concatenate([np.full(k, p1), np.full(len(n) - k, p2)]))
    ok = var > 0
    days = int((n > 0).sum())
    pearson = float((((x - fitted) ** 2)[ok] / var[ok]).sum())
    phi = max(1.0, pearson / (days - 2)) if days > 2 else 1.0
    if x1 + x2 == 0 or x1 + x2 == n1 + n2:
        z = 0.0
    else:
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # statsmodels also computes ratios of 0
            res = test_proportions_2indep(x2, n2, x1, n1, method="score", compare="diff",
                                          correction=False, return_results=True)
        z = float(res.statistic) / np.sqrt(phi)
    # Katz log ratio, 0.5 added to zero counts
    a1, a2 = (x1 or 0.5), (x2 or 0.5)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(a2 / n2) - np.log(a1 / n1)
        v = phi * (1 / a1 - 1 / n1 + 1 / a2 - 1 / n2)
    return {"x1": x1, "x2": x2, "n1": n1, "n2": n2, "p1": p1, "p2": p2, "phi": phi, "z": z,
            "log_ratio": log_ratio, "var": max(v, 0.0)}


def _weekday_factors(cost: np.ndarray, weekday: np.ndarray, baseline: int) -> np.ndarray:
    """Factor per weekday (Monday = 0) from the first ``baseline`` days: mean cost of the
    weekday / mean over weekdays; 1 everywhere when the baseline is short or empty."""
    if baseline < MIN_WEEKDAY_DAYS:
        return np.ones(7)
    c, wd = cost[:baseline], weekday[:baseline]
    means = np.array([c[wd == i].mean() if (wd == i).any() else np.nan for i in range(7)])
    if not np.isfinite(means).all() or means.mean() <= 0:
        return np.ones(7)
    f = means / means.mean()
    return np.clip(np.where(f > 0, f, 1.0), 0.25, 4.0)


# ---------------------------------------------------------------------------------
# One series, one metric
# ---------------------------------------------------------------------------------
def _result(level, entity, metric, status, **kw) -> dict:
    row = dict.fromkeys(_RAW_COLUMNS, np.nan)
    row.update(level=level, entity=entity, metric=metric, status=status, start=pd.NaT, note="")
    row.update(kw)
    return row


def _test_one(level: str, entity: str, d: pd.DataFrame, metric: str, baseline_days: int,
              min_days: int, min_clicks: float = MIN_CLICKS, min_conversions: float = MIN_CONVERSIONS) -> dict:
    """One series (``d``, sorted by date), one metric: the straightforward version of
    what :func:`detect` computes for all series at once (:func:`_test_batch`)."""
    dates = pd.DatetimeIndex(d["date"])
    clicks = d["clicks"].to_numpy(float)
    cost = d["cost"].to_numpy(float)
    conv = d["conversions"].to_numpy(float)
    n_days = len(d)
    baseline = min(baseline_days, n_days - MIN_DAYS_AFTER)
    if n_days < min_days + MIN_DAYS_AFTER:
        return _result(level, entity, metric, "too_little_data",
                       note=f"{n_days} days; {min_days + MIN_DAYS_AFTER} needed")
    if clicks[:baseline].sum() < MIN_BASELINE_CLICKS:
        return _result(level, entity, metric, "too_little_data",
                       note=f"{clicks[:baseline].sum():.0f} clicks in the baseline; {MIN_BASELINE_CLICKS} needed")
    if metric in ("cvr", "cpa") and not np.isfinite(conv).all():
        return _result(level, entity, metric, "too_little_data", note="no conversions reported")

    cand = np.arange(min_days, n_days - MIN_DAYS_AFTER + 1)  # k = first day after the change
    positive = (clicks > 0) & (cost > 0)
    w_cpc = np.where(positive, clicks, 0.0)
    y_cpc = np.where(positive, np.log(np.where(positive, cost, 1.0) / np.where(positive, clicks, 1.0)), 0.0)
    c_cum = np.cumsum(clicks)

    if metric == "spend":
        f = _weekday_factors(cost, dates.day_of_week.to_numpy(), baseline)
        fd = f[dates.day_of_week.to_numpy()]
        adjusted = cost / fd
        offset = SPEND_LOG_OFFSET * max(adjusted.mean(), 1e-9)
        y = np.log(adjusted + offset)
        w = np.ones(n_days)
        t0, t1 = cand[0] / n_days, cand[-1] / n_days
        steps = n_days
        crit = _scan_critical(t0, t1, len(cand), steps)
        k = int(cand[np.argmax(_gauss_scan(y, w, cand))])
        g = _gauss_two_sample(y, w, k)
        z = _t_to_z(g["t"], g["df"])
        naive, p = _scan_pvalue(z, t0, t1, len(cand), steps)
        before, after = adjusted[:k].mean(), adjusted[k:].mean()
        change = after / before - 1 if before > 0 else np.nan
        if before > 0 and after > 0:
            lo, hi = (after / before) * np.exp(np.array([-1, 1]) * crit * g["se"]) - 1
        else:
            lo = hi = np.nan
        money = cost[k:].sum() - before * fd[k:].sum()
        note = "weekday-adjusted mean daily spend" + ("" if baseline >= MIN_WEEKDAY_DAYS else
                                                       "; baseline too short for weekday factors")
    else:
        if c_cum[-1] <= 0:
            return _result(level, entity, metric, "too_little_data", note="no clicks")
        t_frac = c_cum[cand - 1] / c_cum[-1]
        ok = (c_cum[cand - 1] > 0) & (c_cum[cand - 1] < c_cum[-1])
        if metric in ("cpc", "cpa"):
            W = np.cumsum(w_cpc)
            ok &= (W[cand - 1] > 0) & (W[cand - 1] < W[-1])
        if not ok.any():
            return _result(level, entity, metric, "too_little_data", note="no clicks on one side of every day")
        cand, t_frac = cand[ok], t_frac[ok]
        if metric in ("cpc", "cpa"):
            w_cpc = _cpc_weights(y_cpc, w_cpc, cand)
        t0, t1 = float(t_frac[0]), float(t_frac[-1])
        steps = int((clicks > 0).sum())
        crit = _scan_critical(t0, t1, len(cand), steps)
        if metric == "cvr":
            lr = _binomial_scan(conv, clicks, cand)
            k = int(cand[np.argmax(lr)])
            b = _binomial_parts(conv, clicks, k)
            z = b["z"]
            before, after = b["p1"], b["p2"]
            change = after / before - 1 if before > 0 else np.nan
            lo, hi = np.exp(b["log_ratio"] + np.array([-1, 1]) * crit * np.sqrt(b["var"])) - 1
            cost_after = cost[k:].sum()
            money = cost_after * (1 - after / before) if before > 0 else np.nan
            note = f"quasi-binomial dispersion {b['phi']:.2f}"
        elif metric == "cpc":
            k = int(cand[np.argmax(_gauss_scan(y_cpc, w_cpc, cand))])
            g = _gauss_two_sample(y_cpc, w_cpc, k)
            z = _t_to_z(g["t"], g["df"])
            c1, c2 = _split(cost, k)
            n1, n2 = _split(clicks, k)
            before, after = c1 / n1, c2 / n2
            change = after / before - 1
            lo, hi = (after / before) * np.exp(np.array([-1, 1]) * crit * g["se"]) - 1
            money = c2 - before * n2
            note = "click-weighted log CPC"
        else:  # cpa
            if np.nansum(conv) == 0:
                return _result(level, entity, metric, "too_little_data", note="no conversions")
            s2_0 = _pooled_var(y_cpc, w_cpc)
            b0 = _binomial_parts(conv, clicks, n_days // 2)  # only for its dispersion scale
            lr = _binomial_scan(conv, clicks, cand) / max(b0["phi"], 1.0)
            lr = lr + (_gauss_scan(y_cpc, w_cpc, cand) / s2_0 if s2_0 > 0 else 0.0)
            k = int(cand[np.argmax(lr)])
            g = _gauss_two_sample(y_cpc, w_cpc, k)
            b = _binomial_parts(conv, clicks, k)
            c1, c2 = _split(cost, k)
            x1, x2 = b["x1"], b["x2"]
            before = c1 / x1 if x1 > 0 else np.nan
            after = c2 / x2 if x2 > 0 else np.nan
            log_ratio = np.log(c2 / (x2 or 0.5)) - np.log(c1 / (x1 or 0.5)) if c1 > 0 and c2 > 0 else np.nan
            se = np.sqrt(g["se"] ** 2 + b["var"])
            z = (g["diff"] - b["log_ratio"]) / se if se > 0 else np.nan
            change = np.exp(log_ratio) - 1
            lo, hi = np.exp(log_ratio + np.array([-1, 1]) * crit * se) - 1
            money = c2 - (c1 / x1) * x2 if x1 > 0 else np.nan
            cpc_change = (c2 / b["n2"]) / (c1 / b["n1"]) - 1
            cvr_change = b["p2"] / b["p1"] - 1 if b["p1"] > 0 else np.nan
            note = f"CPC {cpc_change:+.0%}, CVR {cvr_change:+.0%}"
        naive, p = _scan_pvalue(z, t0, t1, len(cand), steps)
    (n1, n2), (x1, x2) = _split(clicks, k), _split(conv, k)
    thin = _thin_side(metric, n1, n2, x1, x2, min_clicks, min_conversions)
    if thin:
        return _result(level, entity, metric, "too_little_data", note=thin)
    return _result(level, entity, metric, "no_change", start=dates[k], before=before, after=after,
                   change=change, ci_low=lo, ci_high=hi, p_value=p, money_at_stake=money,
                   days_after=n_days - k, note=note)


def _thin_side(metric: str, n1: float, n2: float, x1: float, x2: float, min_clicks: float,
               min_conversions: float) -> str:
    """Why the chosen change day leaves too little evidence on one side ("" when it
    does not): fewer than ``min_conversions`` conversions expected before or after it at
    the series' overall CVR (``n_side × (x1 + x2) / (n1 + n2)``; CVR and CPA), or fewer
    than ``min_clicks`` clicks before or after it (every metric)."""
    if metric in ("cvr", "cpa"):
        rate = (x1 + x2) / (n1 + n2) if n1 + n2 > 0 else 0.0
        e1, e2 = n1 * rate, n2 * rate
        if e1 < min_conversions or e2 < min_conversions:
            return (f"{e1:.1f} conversions expected before the change, {e2:.1f} after; "
                    f"{_count(min_conversions)} needed on each side")
    if n1 < min_clicks or n2 < min_clicks:
        return f"{n1:.0f} clicks before the change, {n2:.0f} after; {_count(min_clicks)} needed on each side"
    return ""


def _count(value: float) -> str:
    """A minimum as written in a note: ``30``, ``2.5``."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def _thin_sides(r: "_Rows", metric: str, rows: np.ndarray, clicks: np.ndarray, conv: np.ndarray, k: np.ndarray,
                min_clicks: float, min_conversions: float) -> None:
    """:func:`_thin_side` for the rows of one metric just tested (``clicks`` / ``conv``
    those rows', split at ``k``): those short of evidence back to too_little_data."""
    (n1, n2), (x1, x2) = _seg_sums(k, clicks, conv)
    short = (n1 < min_clicks) | (n2 < min_clicks)
    if metric in ("cvr", "cpa"):
        total = n1 + n2
        rate = np.where(total > 0, (x1 + x2) / np.where(total > 0, total, 1.0), 0.0)
        short |= (n1 * rate < min_conversions) | (n2 * rate < min_conversions)
    for i in np.flatnonzero(short):
        r.note[rows[i]] = _thin_side(metric, n1[i], n2[i], x1[i], x2[i], min_clicks, min_conversions)
    r.set(rows[short], status="too_little_data", k=-1)


def _cpc_weights(y: np.ndarray, clicks: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """Weights ``1 / (tau² + sigma² / clicks_d)`` for the daily log CPC.

    A day's log CPC varies by the click prices averaged (``sigma² / clicks``) and by
    day-level price movement shared by all its clicks (``tau²``, e.g. competitors'
    bids that day). Weighting by clicks alone would overstate the precision of busy
    days. Both are fitted by non-negative least squares of the squared residuals of
    the two-segment fit (split at the best click-weighted candidate) on
    ``[1, 1/clicks]``; the overall scale is then re-estimated by the t test anyway.
    Days without clicks keep weight 0.
    """
    use = clicks > 0
    if use.sum() < 4:
        return clicks
    k = int(cand[np.argmax(_gauss_scan(y, clicks, cand))])
    seg = np.arange(len(y)) >= k
    w1, w2 = clicks[~seg].sum(), clicks[seg].sum()
    m1 = (clicks[~seg] * y[~seg]).sum() / w1 if w1 > 0 else 0.0
    m2 = (clicks[seg] * y[seg]).sum() / w2 if w2 > 0 else 0.0
    r2 = ((y - np.where(seg, m2, m1)) ** 2)[use]
    inv_c = 1 / clicks[use]
    (tau2, sigma2), _ = optimize.nnls(np.column_stack([np.ones(use.sum()), inv_c]), r2)
    if tau2 <= 0 and sigma2 <= 0:
        return clicks
    if sigma2 <= 0:   # only day-level noise: equal weights
        return use.astype(float)
    out = np.zeros(len(y))
    out[use] = 1 / (tau2 / sigma2 + inv_c)
    return out


def _pooled_var(y: np.ndarray, w: np.ndarray) -> float:
    """Weighted residual variance of a one-segment fit (scales the CPC part of the CPA scan)."""
    W = w.sum()
    if W <= 0 or (w > 0).sum() < 2:
        return 0.0
    m = (w * y).sum() / W
    return float((w * (y - m) ** 2).sum() / ((w > 0).sum() - 1))


# ---------------------------------------------------------------------------------
# Every series at once
# ---------------------------------------------------------------------------------
# detect() does not loop over series: the series of one length are stacked into
# 2-D arrays (one row per series) and every step above runs on all rows at once.
# Each step is the per-series code written for rows, operation for operation, so
# that the numbers are the same to the last bit: sums over a whole row or over a
# row's days before / after its change day are taken on equally long slices (rows
# grouped by change day), never on zero-padded rows, because numpy's pairwise
# summation would then round differently; the two-weight NNLS of _cpc_weights is
# still scipy's, row by row; the scan-correction root is scipy's brentq algorithm
# run on all rows together. tests/test_drift.py checks this path against
# _test_one. (scipy.special gives the same values as scipy.stats's norm / t,
# which call it, without their per-call overhead.)

_SQRT_2PI = np.sqrt(2 * np.pi)
#: scipy.optimize.brentq's defaults
_XTOL, _RTOL, _MAXITER = 2e-12, 4 * np.finfo(float).eps, 100
#: keys / tests of the scan correction evaluated together (bounds the 257-point
#: quadrature's memory)
_KEY_CHUNK = 2048
#: series stacked together at most (bounds the memory of the S × days arrays)
_SERIES_CHUNK = 2048
#: the quadrature's points, as in _scan_pvalue
_N_QUAD = 257


class _Rows:
    """Per-row results of one metric for S series (too_little_data until set)."""

    def __init__(self, size: int):
        nan = np.full(size, np.nan)
        self.status = np.full(size, "too_little_data", dtype=object)
        self.note = np.full(size, "", dtype=object)
        self.k = np.full(size, -1)
        self.before, self.after, self.change, self.money = nan.copy(), nan.copy(), nan.copy(), nan.copy()
        self.z, self.t0, self.t1 = nan.copy(), nan.copy(), nan.copy()
        self.n_cand, self.steps = np.zeros(size, int), np.zeros(size, int)
        # CI: kind 1: a · exp(± crit · s) − 1; kind 2: exp(a ± crit · s) − 1; 0: none
        self.ci_kind, self.ci_a, self.ci_s = np.zeros(size, int), nan.copy(), nan.copy()
        # filled in by _finish_scan
        self.p, self.ci_low, self.ci_high = nan.copy(), nan.copy(), nan.copy()

    def set(self, rows, **values):
        for name, v in values.items():
            getattr(self, name)[rows] = v


def _split_by(k: np.ndarray):
    """(rows, k) for each distinct k, rows in increasing order."""
    if not len(k):
        return
    order = np.argsort(k, kind="stable")
    ks = k[order]
    cuts = np.flatnonzero(ks[1:] != ks[:-1]) + 1
    for rows in np.split(order, cuts):
        yield rows, int(k[rows[0]])


def _seg_sums(k: np.ndarray, *arrays: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per row, the sums of each array over days < k and days ≥ k (``_split``)."""
    out = [(np.empty(len(k)), np.empty(len(k))) for _ in arrays]
    for rows, kv in _split_by(k):
        for (before, after), arr in zip(out, arrays, strict=True):
            sub = arr[rows]
            before[rows] = sub[:, :kv].sum(axis=1)
            after[rows] = sub[:, kv:].sum(axis=1)
    return out


def _seg_means(k: np.ndarray, arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the means of arr over days < k and days ≥ k."""
    before, after = np.empty(len(k)), np.empty(len(k))
    for rows, kv in _split_by(k):
        sub = arr[rows]
        before[rows] = sub[:, :kv].mean(axis=1)
        after[rows] = sub[:, kv:].mean(axis=1)
    return before, after


def _masked_sums(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per row, ``values[mask].sum()`` (rows with as many selected days summed together)."""
    count = mask.sum(axis=1)
    out = np.empty(len(values))
    full = count == values.shape[1]
    out[full] = values[full].sum(axis=1)
    for rows, c in _split_by(count[~full]):
        rows = np.flatnonzero(~full)[rows]
        out[rows] = values[rows][mask[rows]].reshape(len(rows), c).sum(axis=1)
    return out


def _masked_argmax(stat: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Per row, the index of the first maximum of stat among the ok candidates
    (``np.argmax(stat[ok])`` mapped back; a NaN wins, as in np.argmax)."""
    return np.argmax(np.where(ok, stat, -np.inf), axis=1)


def _binomial_scans(x: np.ndarray, n: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """:func:`_binomial_scan` per row."""
    X, N = np.cumsum(x, axis=1), np.cumsum(n, axis=1)
    xt, nt = X[:, -1:], N[:, -1:]

    def ll(xx, nn):
        p = np.divide(xx, nn, out=np.zeros_like(xx, dtype=float), where=nn > 0)
        return xlogy(xx, p) + xlogy(nn - xx, 1 - p)

    x1, n1 = X[:, cand - 1], N[:, cand - 1]
    return 2 * (ll(x1, n1) + ll(xt - x1, nt - n1) - ll(xt, nt))


def _gauss_scans(y: np.ndarray, w: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """:func:`_gauss_scan` per row."""
    W = np.cumsum(w, axis=1)
    wt = W[:, -1:]
    mu = (w * y).sum(axis=1)[:, None] / wt
    S = np.cumsum(w * (y - mu), axis=1)
    w1, s1 = W[:, cand - 1], S[:, cand - 1]
    w2 = wt - w1
    out = s1 ** 2 * wt / (w1 * w2)
    return np.where((w1 > 0) & (w2 > 0), out, 0.0)


def _gauss_two_samples(y: np.ndarray, w: np.ndarray, k: np.ndarray) -> dict:
    """:func:`_gauss_two_sample` per row, row i split at k[i]."""
    seg = np.arange(y.shape[1]) >= k[:, None]
    df = (w > 0).sum(axis=1) - 2
    (W1, W2), (S1, S2) = _seg_sums(k, w, w * y)
    m1, m2 = S1 / W1, S2 / W2
    (r1, r2), = _seg_sums(k, w * (y - np.where(seg, m2[:, None], m1[:, None])) ** 2)
    rss = r1 + r2
    s2 = np.where(df > 0, rss / np.where(df > 0, df, 1), np.nan)
    se = np.sqrt(s2 * (1 / W1 + 1 / W2))
    diff = m2 - m1
    t = np.where(se > 0, diff / se, np.where(diff == 0, 0.0, np.sign(diff) * np.inf))
    return {"diff": diff, "se": se, "t": t, "df": df}


def _binomial_parts_many(x: np.ndarray, n: np.ndarray, k: np.ndarray) -> dict:
    """:func:`_binomial_parts` per row, row i split at k[i]; the score z is
    statsmodels' ``test_proportions_2indep(x2, n2, x1, n1, method="score",
    compare="diff", correction=False)`` written out (pooled rate under the null)."""
    (x1, x2), (n1, n2) = _seg_sums(k, x, n)
    p1, p2 = x1 / n1, x2 / n2
    rate = np.where(np.arange(n.shape[1]) >= k[:, None], p2[:, None], p1[:, None])
    fitted = n * rate
    var = fitted * (1 - rate)
    ok = var > 0
    days = (n > 0).sum(axis=1)
    pearson = _masked_sums(np.where(ok, (x - fitted) ** 2 / np.where(ok, var, 1.0), 0.0), ok)
    ratio = pearson / np.where(days > 2, days - 2, 1)
    phi = np.where(days > 2, np.where(ratio > 1.0, ratio, 1.0), 1.0)
    pooled = (x2 + x1) / (n2 + n1)
    score = (x2 / n2 - x1 / n1 - 0) / np.sqrt(pooled * (1 - pooled) / n2 + pooled * (1 - pooled) / n1)
    z = np.where((x1 + x2 == 0) | (x1 + x2 == n1 + n2), 0.0, score / np.sqrt(phi))
    a1, a2 = np.where(x1 == 0, 0.5, x1), np.where(x2 == 0, 0.5, x2)
    log_ratio = np.log(a2 / n2) - np.log(a1 / n1)
    v = phi * (1 / a1 - 1 / n1 + 1 / a2 - 1 / n2)
    return {"x1": x1, "x2": x2, "n1": n1, "n2": n2, "p1": p1, "p2": p2, "phi": phi, "z": z,
            "log_ratio": log_ratio, "var": np.where(0.0 > v, 0.0, v)}


def _t_to_zs(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    """:func:`_t_to_z` per row."""
    at = np.abs(t)
    small = np.where(at < 40, at, 0.0)
    z = np.where(at < 40, np.sign(t) * -ndtri(stdtr(np.where(df >= 1, df, 1), -small)), np.sign(t) * 40)
    return np.where(np.isfinite(t) & (df >= 1), z, np.nan)


def _cpc_weights_many(y: np.ndarray, clicks: np.ndarray, ok: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """:func:`_cpc_weights` per row (candidates ``cand[ok[i]]`` for row i)."""
    out = clicks.copy()
    use = clicks > 0
    rows = np.flatnonzero(use.sum(axis=1) >= 4)
    if not len(rows):
        return out
    y, clicks, use, ok = y[rows], clicks[rows], use[rows], ok[rows]
    k = cand[_masked_argmax(_gauss_scans(y, clicks, cand), ok)]
    (w1, w2), (s1, s2) = _seg_sums(k, clicks, clicks * y)
    m1 = np.where(w1 > 0, s1 / np.where(w1 > 0, w1, 1.0), 0.0)
    m2 = np.where(w2 > 0, s2 / np.where(w2 > 0, w2, 1.0), 0.0)
    r2 = (y - np.where(np.arange(y.shape[1]) >= k[:, None], m2[:, None], m1[:, None])) ** 2
    inv_c = 1 / np.where(use, clicks, 1.0)
    fit = np.empty((len(rows), 2))
    for i in range(len(rows)):
        u = use[i]
        design = np.ones((int(u.sum()), 2))
        design[:, 1] = inv_c[i, u]
        fit[i] = optimize.nnls(design, r2[i, u])[0]
    tau2, sigma2 = fit[:, 0], fit[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        mixed = np.where(use, 1 / ((tau2 / sigma2)[:, None] + inv_c), 0.0)
    new = np.where((sigma2 <= 0)[:, None], use.astype(float), mixed)
    keep = (tau2 <= 0) & (sigma2 <= 0)
    out[rows] = np.where(keep[:, None], clicks, new)
    return out


def _pooled_vars(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """:func:`_pooled_var` per row."""
    W = w.sum(axis=1)
    used = (w > 0).sum(axis=1)
    m = (w * y).sum(axis=1) / W
    v = (w * (y - m[:, None]) ** 2).sum(axis=1) / np.where(used > 1, used - 1, 1)
    return np.where((W <= 0) | (used < 2), 0.0, v)


def _weekday_factors_many(cost: np.ndarray, weekday: np.ndarray, baseline: int) -> np.ndarray:
    """:func:`_weekday_factors` per row (S × 7)."""
    f = np.ones((len(cost), 7))
    if baseline < MIN_WEEKDAY_DAYS or not len(cost):
        return f
    patterns, which = np.unique(weekday[:, :baseline], axis=0, return_inverse=True)
    for p, pattern in enumerate(patterns):
        rows = np.flatnonzero(which.reshape(-1) == p)
        c = cost[rows, :baseline]
        means = np.full((len(rows), 7), np.nan)
        for i in range(7):
            days = np.flatnonzero(pattern == i)
            if len(days):
                # (C order: numpy sums the rows of an F-ordered array in another order)
                means[:, i] = np.ascontiguousarray(c[:, days]).mean(axis=1)
        mean = means.mean(axis=1)
        good = np.isfinite(means).all(axis=1) & ~(mean <= 0)
        g = means[good] / mean[good, None]
        f[rows[good]] = np.clip(np.where(g > 0, g, 1.0), 0.25, 4.0)
    return f


def _test_batch(clicks: np.ndarray, cost: np.ndarray, conv: np.ndarray, weekday: np.ndarray,
                metrics: Sequence[str], baseline_days: int, min_days: int, min_clicks: float = MIN_CLICKS,
                min_conversions: float = MIN_CONVERSIONS) -> dict[str, _Rows]:
    """:func:`_test_one` for S series of n days each (S × n arrays), every metric;
    p values and confidence intervals are left to :func:`_finish_scan`."""
    S, n = clicks.shape
    res = {m: _Rows(S) for m in metrics}
    if n < min_days + MIN_DAYS_AFTER:
        for r in res.values():
            r.note[:] = f"{n} days; {min_days + MIN_DAYS_AFTER} needed"
        return res
    baseline = min(baseline_days, n - MIN_DAYS_AFTER)
    base_clicks = clicks[:, :baseline].sum(axis=1)
    few = base_clicks < MIN_BASELINE_CLICKS
    few_note = np.array([f"{c:.0f} clicks in the baseline; {MIN_BASELINE_CLICKS} needed" for c in base_clicks[few]],
                        dtype=object)
    for r in res.values():
        r.note[few] = few_note
    conv_ok = np.isfinite(conv).all(axis=1)
    cand = np.arange(min_days, n - MIN_DAYS_AFTER + 1)
    positive = (clicks > 0) & (cost > 0)
    w_cpc = np.where(positive, clicks, 0.0)
    y_cpc = np.where(positive, np.log(np.where(positive, cost, 1.0) / np.where(positive, clicks, 1.0)), 0.0)
    c_cum = np.cumsum(clicks, axis=1)
    W_cum = np.cumsum(w_cpc, axis=1)

    if "spend" in res:
        r, rows = res["spend"], np.flatnonzero(~few)
        fd = np.take_along_axis(_weekday_factors_many(cost[rows], weekday[rows], baseline), weekday[rows], axis=1)
        adjusted = cost[rows] / fd
        mean = adjusted.mean(axis=1)
        offset = SPEND_LOG_OFFSET * np.where(1e-9 > mean, 1e-9, mean)
        y = np.log(adjusted + offset[:, None])
        w = np.ones_like(y)
        k = cand[np.argmax(_gauss_scans(y, w, cand), axis=1)]
        g = _gauss_two_samples(y, w, k)
        before, after = _seg_means(k, adjusted)
        (_, cost_after), (_, fd_after) = _seg_sums(k, cost[rows], fd)
        ratio = after / before
        note = "weekday-adjusted mean daily spend" + ("" if baseline >= MIN_WEEKDAY_DAYS else
                                                       "; baseline too short for weekday factors")
        r.set(rows, status="no_change", note=note, k=k, before=before, after=after,
              change=np.where(before > 0, ratio - 1, np.nan), money=cost_after - before * fd_after,
              z=_t_to_zs(g["t"], g["df"]), t0=cand[0] / n, t1=cand[-1] / n, n_cand=len(cand), steps=n,
              ci_kind=np.where((before > 0) & (after > 0), 1, 0), ci_a=ratio, ci_s=g["se"])
        _thin_sides(r, "spend", rows, clicks[rows], conv[rows], k, min_clicks, min_conversions)

    click_metrics = [m for m in ("cvr", "cpc", "cpa") if m in res]
    if not click_metrics:
        return res
    alive = ~few
    total = c_cum[:, -1]
    no_clicks = alive & (total <= 0)
    cc = c_cum[:, cand - 1]
    t_frac = cc / total[:, None]
    ok_cvr = (cc > 0) & (cc < total[:, None])
    Wc = W_cum[:, cand - 1]
    ok_cpc = ok_cvr & (Wc > 0) & (Wc < W_cum[:, -1:])
    steps = (clicks > 0).sum(axis=1)
    weights = None
    for m in click_metrics:
        r = res[m]
        ok = ok_cvr if m == "cvr" else ok_cpc
        rows_m = alive & (conv_ok if m in ("cvr", "cpa") else True)
        if m in ("cvr", "cpa"):
            r.note[alive & ~conv_ok] = "no conversions reported"
        r.note[rows_m & no_clicks] = "no clicks"
        rows_m &= ~no_clicks
        one_side = rows_m & ~ok.any(axis=1)
        r.note[one_side] = "no clicks on one side of every day"
        rows_m &= ~one_side
        if m == "cpa":
            no_conv = rows_m & (np.nansum(conv, axis=1) == 0)
            r.note[no_conv] = "no conversions"
            rows_m &= ~no_conv
        rows = np.flatnonzero(rows_m)
        if not len(rows):
            continue
        okr = ok[rows]
        first = np.argmax(okr, axis=1)
        last = okr.shape[1] - 1 - np.argmax(okr[:, ::-1], axis=1)
        r.set(rows, status="no_change", t0=t_frac[rows, first], t1=t_frac[rows, last], n_cand=okr.sum(axis=1),
              steps=steps[rows])
        X, N, C = conv[rows], clicks[rows], cost[rows]
        if m in ("cpc", "cpa"):
            if weights is None:   # the same for CPC and CPA (same candidates): fit once
                need = np.flatnonzero(alive & ~no_clicks & ok_cpc.any(axis=1))
                weights = np.zeros_like(w_cpc)
                weights[need] = _cpc_weights_many(y_cpc[need], w_cpc[need], ok_cpc[need], cand)
            y, w = y_cpc[rows], weights[rows]
        if m == "cvr":
            k = cand[_masked_argmax(_binomial_scans(X, N, cand), okr)]
            b = _binomial_parts_many(X, N, k)
            (_, cost_after), = _seg_sums(k, C)
            before, after = b["p1"], b["p2"]
            ratio = after / before
            r.set(rows, k=k, z=b["z"], before=before, after=after, change=np.where(before > 0, ratio - 1, np.nan),
                  money=np.where(before > 0, cost_after * (1 - ratio), np.nan),
                  note=np.array([f"quasi-binomial dispersion {phi:.2f}" for phi in b["phi"]], dtype=object),
                  ci_kind=2, ci_a=b["log_ratio"], ci_s=np.sqrt(b["var"]))
        elif m == "cpc":
            k = cand[_masked_argmax(_gauss_scans(y, w, cand), okr)]
            g = _gauss_two_samples(y, w, k)
            (c1, c2), (n1, n2) = _seg_sums(k, C, N)
            before, after = c1 / n1, c2 / n2
            ratio = after / before
            r.set(rows, k=k, z=_t_to_zs(g["t"], g["df"]), before=before, after=after, change=ratio - 1,
                  money=c2 - before * n2, note="click-weighted log CPC", ci_kind=1, ci_a=ratio, ci_s=g["se"])
        else:  # cpa
            s2_0 = _pooled_vars(y, w)
            b0 = _binomial_parts_many(X, N, np.full(len(rows), n // 2))
            lr = _binomial_scans(X, N, cand) / np.where(1.0 > b0["phi"], 1.0, b0["phi"])[:, None]
            gs = _gauss_scans(y, w, cand) / np.where(s2_0 > 0, s2_0, 1.0)[:, None]
            lr = np.where((s2_0 > 0)[:, None], lr + gs, lr + 0.0)
            k = cand[_masked_argmax(lr, okr)]
            g = _gauss_two_samples(y, w, k)
            b = _binomial_parts_many(X, N, k)
            (c1, c2), = _seg_sums(k, C)
            x1, x2 = b["x1"], b["x2"]
            log_ratio = np.where((c1 > 0) & (c2 > 0),
                                 np.log(c2 / np.where(x2 == 0, 0.5, x2)) - np.log(c1 / np.where(x1 == 0, 0.5, x1)),
                                 np.nan)
            se = np.sqrt(g["se"] ** 2 + b["var"])
            cpc_change = (c2 / b["n2"]) / (c1 / b["n1"]) - 1
            cvr_change = np.where(b["p1"] > 0, b["p2"] / b["p1"] - 1, np.nan)
            r.set(rows, k=k, z=np.where(se > 0, (g["diff"] - b["log_ratio"]) / se, np.nan),
                  before=np.where(x1 > 0, c1 / x1, np.nan), after=np.where(x2 > 0, c2 / x2, np.nan),
                  change=np.exp(log_ratio) - 1, money=np.where(x1 > 0, c2 - (c1 / x1) * x2, np.nan),
                  note=np.array([f"CPC {a:+.0%}, CVR {b:+.0%}" for a, b in zip(cpc_change, cvr_change, strict=True)],
                                dtype=object),
                  ci_kind=2, ci_a=log_ratio, ci_s=se)
        _thin_sides(r, m, rows, N, X, k, min_clicks, min_conversions)
    return res


def _nu_many(x: np.ndarray) -> np.ndarray:
    """:func:`_nu` (scipy.special for scipy.stats)."""
    x = np.maximum(x, 1e-9)
    h = x / 2
    cdf = ndtr(h)
    return (2 / x) * (cdf - 0.5) / (h * cdf + np.exp(-h ** 2 / 2.0) / _SQRT_2PI)


class _ScanKeys:
    """The quadrature of :func:`_scan_pvalue` for many (t0, t1, n_candidates, n_steps)
    at once: everything that does not depend on z is computed once per key."""

    def __init__(self, t0: np.ndarray, t1: np.ndarray, n_candidates: np.ndarray, n_steps: np.ndarray):
        lo = np.where(1e-9 > t0, 1e-9, t0)                     # min(max(t0, 1e-9), 1 - 1e-9)
        lo = np.where(1 - 1e-9 < lo, 1 - 1e-9, lo)
        hi = np.where(1e-9 > t1, 1e-9, t1)
        hi = np.where(1 - 1e-9 < hi, 1 - 1e-9, hi)
        self.n_candidates = n_candidates
        self.quad = (hi > lo) & (n_candidates > 1)
        q = np.flatnonzero(self.quad)
        self.row = np.full(len(t0), -1)
        self.row[q] = np.arange(len(q))
        # np.linspace(logit lo, logit hi, 257) of each key, as numpy computes it
        start, stop = np.log(lo[q] / (1 - lo[q])), np.log(hi[q] / (1 - hi[q]))
        delta = stop - start
        step = delta / (_N_QUAD - 1)
        ramp = np.arange(_N_QUAD, dtype=float)
        u = np.where((step == 0)[:, None], (ramp / (_N_QUAD - 1))[None, :] * delta[:, None],
                     ramp[None, :] * step[:, None]) + start[:, None]
        u[:, -1] = stop
        self.root = np.sqrt((2 + 2 * np.cosh(u)) / np.maximum(n_steps[q], 1)[:, None].astype(float))
        self.du = np.diff(u, axis=1)

    def pvalues(self, z: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(naive, corrected) p of :func:`_scan_pvalue` for z[i] under key keys[i]."""
        b = np.abs(z)
        finite = np.isfinite(b)
        naive = 2 * ndtr(-b)
        bonferroni = naive * np.maximum(self.n_candidates[keys], 1)
        p = np.where(bonferroni < 1.0, bonferroni, 1.0)
        quad = finite & (b >= 1.5) & self.quad[keys]
        todo = np.flatnonzero(quad)
        for at in range(0, len(todo), _KEY_CHUNK):
            i = todo[at:at + _KEY_CHUNK]
            bi, q = b[i], self.row[keys[i]]
            f = _nu_many(bi[:, None] * self.root[q])
            integral = ((f[:, 1:] + f[:, :-1]) / 2 * self.du[q]).sum(axis=1)
            bound = bi * (np.exp(-bi ** 2 / 2.0) / _SQRT_2PI) * integral
            p[i] = np.where(bound < p[i], bound, p[i])
        p = np.where(naive > p, naive, p)
        p = np.where(p < 1.0, p, 1.0)
        return np.where(finite, naive, np.nan), np.where(finite, p, np.nan)

    def critical(self, level: float = 0.05) -> np.ndarray:
        """:func:`_scan_critical` of every key: scipy's brentq (Brent 1973, the
        variant of scipy/optimize/Zeros/brentq.c) run on all keys together."""
        lo = float(stats.norm.isf(level / 2))
        out = np.full(len(self.n_candidates), lo)
        todo = np.flatnonzero(self.n_candidates > 1)
        if not len(todo):
            return out

        def f(x, keys):
            return self.pvalues(x, keys)[1] - level

        xpre, xcur = np.full(len(todo), lo), np.full(len(todo), 12.0)
        fpre, fcur = f(xpre, todo), f(xcur, todo)
        done = fpre <= 0                      # root at lo (see _scan_critical)
        out[todo[done]] = lo
        active = ~done
        xblk, fblk = np.zeros(len(todo)), np.zeros(len(todo))
        spre, scur = np.zeros(len(todo)), np.zeros(len(todo))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for _ in range(_MAXITER):
                if not active.any():
                    break
                a = active
                bracket = a & (fpre * fcur < 0)
                xblk, fblk = np.where(bracket, xpre, xblk), np.where(bracket, fpre, fblk)
                spre = np.where(bracket, xcur - xpre, spre)
                scur = np.where(bracket, xcur - xpre, scur)
                swap = a & (np.abs(fblk) < np.abs(fcur))
                xpre, xcur, xblk = np.where(swap, xcur, xpre), np.where(swap, xblk, xcur), np.where(swap, xcur, xblk)
                fpre, fcur, fblk = np.where(swap, fcur, fpre), np.where(swap, fblk, fcur), np.where(swap, fcur, fblk)
                delta = (_XTOL + _RTOL * np.abs(xcur)) / 2
                sbis = (xblk - xcur) / 2
                conv = a & ((fcur == 0) | (np.abs(sbis) < delta))
                out[todo[conv]] = xcur[conv]
                active = a = a & ~conv
                if not a.any():
                    break
                dpre, dblk = (fpre - fcur) / (xpre - xcur), (fblk - fcur) / (xblk - xcur)
                stry = np.where(xpre == xblk, -fcur * (xcur - xpre) / (fcur - fpre),           # interpolate
                                -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre)))  # extrapolate
                limit = np.where(np.abs(spre) < 3 * np.abs(sbis) - delta, np.abs(spre), 3 * np.abs(sbis) - delta)
                good = (np.abs(spre) > delta) & (np.abs(fcur) < np.abs(fpre)) & (2 * np.abs(stry) < limit)
                spre, scur = np.where(a, np.where(good, scur, sbis), spre), np.where(a, np.where(good, stry, sbis), scur)
                xpre, fpre = np.where(a, xcur, xpre), np.where(a, fcur, fpre)
                step = np.where(np.abs(scur) > delta, scur, np.where(sbis > 0, delta, -delta))
                xcur = np.where(a, xcur + step, xcur)
                i = np.flatnonzero(a)
                fcur[i] = f(xcur[i], todo[i])
            else:
                if active.any():
                    raise RuntimeError("scan critical value: brentq did not converge")
        return out


def _finish_scan(res: list[_Rows], level: float = 0.05) -> None:
    """Scan-corrected p values and confidence intervals of every tested row, each
    distinct (t0, t1, n_candidates, n_steps) solved once."""
    parts = [(r, np.flatnonzero(r.status == "no_change")) for r in res]
    parts = [(r, rows) for r, rows in parts if len(rows)]
    if not parts:
        return
    key = np.concatenate([np.column_stack([r.t0[rows], r.t1[rows], r.n_cand[rows], r.steps[rows]])
                          for r, rows in parts])
    uniq, which = np.unique(key, axis=0, return_inverse=True)
    which = which.reshape(-1)
    z = np.concatenate([r.z[rows] for r, rows in parts])
    p, crit = np.empty(len(z)), np.empty(len(z))
    order = np.argsort(which, kind="stable")
    for begin in range(0, len(uniq), _KEY_CHUNK):
        end = min(begin + _KEY_CHUNK, len(uniq))
        u = uniq[begin:end]
        keys = _ScanKeys(u[:, 0], u[:, 1], u[:, 2].astype(int), u[:, 3].astype(int))
        c = keys.critical(level)
        i = order[np.searchsorted(which[order], begin):np.searchsorted(which[order], end)]
        p[i] = keys.pvalues(z[i], which[i] - begin)[1]
        crit[i] = c[which[i] - begin]
    at = 0
    for r, rows in parts:
        pr, cr = p[at:at + len(rows)], crit[at:at + len(rows)]
        at += len(rows)
        a, s, kind = r.ci_a[rows], r.ci_s[rows], r.ci_kind[rows]
        with np.errstate(over="ignore", invalid="ignore"):
            low = np.where(kind == 1, a * np.exp(-cr * s), np.exp(a + -cr * s)) - 1
            high = np.where(kind == 1, a * np.exp(cr * s), np.exp(a + cr * s)) - 1
        r.p[rows] = pr
        r.ci_low[rows] = np.where(kind > 0, low, np.nan)
        r.ci_high[rows] = np.where(kind > 0, high, np.nan)


def _results(series: pd.DataFrame, metrics: Sequence[str], baseline_days: int, min_days: int,
             min_clicks: float = MIN_CLICKS, min_conversions: float = MIN_CONVERSIONS) -> pd.DataFrame:
    """:func:`_test_one` of every (level, entity) of ``series`` and metric, in the order
    of a ``groupby(["level", "entity"], sort=False)`` loop, computed a length at a time."""
    if series.empty:
        return _empty_results()
    gid = series.groupby(["level", "entity"], sort=False).ngroup().to_numpy(dtype=float, na_value=np.nan)
    keep = np.flatnonzero(np.isfinite(gid))
    if not len(keep):
        return _empty_results()
    all_dates = pd.DatetimeIndex(series["date"])
    when = all_dates.asi8[keep].copy()
    when[all_dates.isna()[keep]] = np.iinfo(np.int64).max       # as sort_values: NaT last
    order = keep[np.lexsort((when, gid[keep]))]
    gid = gid[order].astype(int)
    dates = all_dates.take(order)
    weekday = np.asarray(dates.day_of_week)
    clicks, cost, conv = (series[c].to_numpy(float)[order] for c in ("clicks", "cost", "conversions"))
    first = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
    length = np.diff(np.r_[first, len(gid)])
    G, M = len(first), len(metrics)
    level = series["level"].take(order[first]).to_numpy(object)
    entity = series["entity"].take(order[first]).to_numpy(object)

    cols = {c: np.full(G * M, np.nan) for c in ("before", "after", "change", "money_at_stake")}
    status, note = np.empty(G * M, dtype=object), np.empty(G * M, dtype=object)
    start_at, days_after = np.full(G * M, -1), np.full(G * M, -1)
    batches = []
    for n in np.unique(length):
        for chunk in range(0, int((length == n).sum()), _SERIES_CHUNK):
            groups = np.flatnonzero(length == n)[chunk:chunk + _SERIES_CHUNK]
            at = first[groups][:, None] + np.arange(n)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                res = _test_batch(clicks[at], cost[at], conv[at], weekday[at], metrics, baseline_days, min_days,
                                  min_clicks, min_conversions)
            batches.append((groups, n, res))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        _finish_scan([r for _, _, res in batches for r in res.values()])
    extra = {c: np.full(G * M, np.nan) for c in ("ci_low", "ci_high", "p_value")}
    for groups, n, res in batches:
        for j, m in enumerate(metrics):
            r, at = res[m], groups * M + j
            status[at], note[at] = r.status, r.note
            tested = r.k >= 0
            start_at[at[tested]] = first[groups[tested]] + r.k[tested]
            days_after[at[tested]] = n - r.k[tested]
            for c, v in (("before", r.before), ("after", r.after), ("change", r.change),
                         ("money_at_stake", r.money)):
                cols[c][at] = np.where(tested, v, np.nan)
            extra["p_value"][at], extra["ci_low"][at], extra["ci_high"][at] = r.p, r.ci_low, r.ci_high
    tested = start_at >= 0
    start = np.array(dates.take(np.where(tested, start_at, 0)).astype(object))   # Timestamps, as _test_one's
    start[~tested] = pd.NaT
    out = {"level": list(np.repeat(level, M)), "entity": list(np.repeat(entity, M)), "metric": list(metrics) * G,
           "status": list(status), "start": list(start),
           "before": cols["before"], "after": cols["after"], "change": cols["change"],
           "ci_low": extra["ci_low"], "ci_high": extra["ci_high"], "p_value": extra["p_value"],
           "q_value": np.full(G * M, np.nan), "money_at_stake": cols["money_at_stake"],
           "days_after": days_after if tested.all() else np.where(tested, days_after, np.nan),
           "note": list(note)}
    return pd.DataFrame(out, columns=_RAW_COLUMNS)


# ---------------------------------------------------------------------------------
# Detect
# ---------------------------------------------------------------------------------
def detect(series: pd.DataFrame, metric: str | Sequence[str] | None = None, baseline_days: int = 28,
           min_days: int = 7, alpha: float = 0.05, min_clicks: float = MIN_CLICKS,
           min_conversions: float = MIN_CONVERSIONS) -> pd.DataFrame:
    """One dated, tested change point per entity of ``series`` and metric.

    ``series``: the output of :func:`daily_series` (several levels may be stacked
    with ``pd.concat``; entities are told apart by (level, entity)). ``metric``: one
    of :data:`METRICS` (``cpc``, ``cvr``, ``cpa``, ``spend``), a list of them, or
    None for all four. ``baseline_days``: the first days of each series that form
    the baseline (weekday factors for spend; the 30-click minimum). ``min_days``:
    days needed before a change; 3 are needed after it. ``min_clicks``: clicks needed
    on each side of the change day found (every metric); ``min_conversions``:
    conversions expected on each side of it at the series' overall CVR (CVR, CPA) —
    see "Evidence on each side" in the module docstring.

    A series with fewer than ``min_days + 3`` days, or fewer than 30 clicks in the
    baseline, gets status ``too_little_data`` (and no p value); so do CVR/CPA
    series without conversion data, and series whose strongest change day leaves
    less than ``min_clicks`` / ``min_conversions`` on one side (the note says how
    much there was). The others are tested (see the module
    docstring for the models), then Benjamini–Hochberg runs over every tested row
    of this call: ``flag`` when ``q_value ≤ alpha``, else ``no_change`` (the
    strongest candidate change is still reported for ``no_change`` rows).

    Columns :data:`RESULT_COLUMNS`: level, entity, metric, status, start (first day
    of the new level), before, after (segment values: CPC, CVR, CPA in money per
    click / fraction / money per conversion; spend in weekday-adjusted money a
    day), change (after / before − 1), ci_low, ci_high (95 % CI of change),
    p_value (corrected for the scan over change days), q_value (BH), money_at_stake
    (money since start: CPA ``(CPA1 − CPA0) × conversions after``; CPC ``(CPC1 −
    CPC0) × clicks after``; CVR ``cost after × (1 − CVR1/CVR0)``, the extra cost of
    the after conversions at the old CVR; spend: cost after − before level × the
    after days' weekday factors; negative when the change saves money),
    days_after, note, and for flags start_low, start_high: the likelihood support
    interval of the change day (:func:`change_intervals`). Sorted: flags first, by
    money at stake.

    All series of one length are tested together, as rows of 2-D arrays (see
    "Every series at once" below); the results are those of testing them one by
    one (``_results_one_by_one``).
    """
    metrics = METRICS if metric is None else ((metric,) if isinstance(metric, str) else tuple(metric))
    bad = [m for m in metrics if m not in METRICS]
    if bad:
        raise ValueError(f"unknown metric(s) {bad}; use {METRICS}")
    if min_days < 1 or baseline_days < 1:
        raise ValueError("min_days and baseline_days must be positive")
    if not (min_clicks >= 0 and min_conversions >= 0):
        raise ValueError("min_clicks and min_conversions must be 0 or more")
    out = _finish(_results(series, metrics, baseline_days, min_days, min_clicks, min_conversions), alpha)
    return change_intervals(series, out, baseline_days, min_days)


#: the support interval of a change day: the days whose two-segment fit has a likelihood
#: at least 1/32 of the best day's (Royall's 1/32 support interval). Simulated abrupt
#: changes (CVR −40 % at ~6 conversions a day, CPC +20 % at ~150 clicks a day) were
#: covered 96 % of the time when flagged; median widths 10 and 1 days.
SUPPORT_RATIO = 32.0


def change_intervals(series: pd.DataFrame, results: pd.DataFrame, baseline_days: int = 28, min_days: int = 7,
                     ratio: float = SUPPORT_RATIO) -> pd.DataFrame:
    """``results`` with ``start_low`` and ``start_high``: for each ``flag`` row, the
    first and last candidate day whose two-segment fit is supported at least
    ``1/ratio`` as well as the chosen day's — the likelihood support interval of the
    change day (NaT for rows not flagged).

    The profile is the scan statistic of :func:`detect` on the same scale as a
    deviance (2 × log-likelihood ratio): the binomial deviance divided by the
    quasi-binomial dispersion for CVR, the weighted between-segment sum of squares
    divided by the residual variance for CPC and spend, their sum for CPA. A day
    is in the set when ``stat_max − stat_day ≤ 2 ln(ratio)``; the interval is the
    hull of the set (it always holds the chosen day). A change day is not a regular
    parameter, so there is no exact coverage; see :data:`SUPPORT_RATIO` for the
    simulated one. Computed series by series, for the flags only.
    """
    out = results.copy()
    out["start_low"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    out["start_high"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    flagged = out.index[out["status"] == "flag"]
    if not len(flagged):
        return out
    groups = {k: d.sort_values("date") for k, d in series.groupby(["level", "entity"], sort=False)}
    for i in flagged:
        d = groups.get((out.at[i, "level"], out.at[i, "entity"]))
        if d is None:
            continue
        dates = pd.DatetimeIndex(d["date"])
        prof = _profile(d, out.at[i, "metric"], baseline_days, min_days)
        if prof is None:
            continue
        cand, stat = prof
        keep = cand[stat >= stat.max() - 2 * np.log(ratio)]
        out.at[i, "start_low"], out.at[i, "start_high"] = dates[keep.min()], dates[keep.max()]
    return out


def _profile(d: pd.DataFrame, metric: str, baseline_days: int, min_days: int
             ) -> tuple[np.ndarray, np.ndarray] | None:
    """(candidate days, 2 × log-likelihood ratio of each) for one series and metric, with
    the candidates, weights and scales of :func:`_test_one`."""
    clicks = d["clicks"].to_numpy(float)
    cost = d["cost"].to_numpy(float)
    conv = d["conversions"].to_numpy(float)
    n = len(d)
    cand = np.arange(min_days, n - MIN_DAYS_AFTER + 1)
    if not len(cand):
        return None
    positive = (clicks > 0) & (cost > 0)
    w_cpc = np.where(positive, clicks, 0.0)
    y_cpc = np.where(positive, np.log(np.where(positive, cost, 1.0) / np.where(positive, clicks, 1.0)), 0.0)
    if metric == "spend":
        baseline = min(baseline_days, n - MIN_DAYS_AFTER)
        wd = pd.DatetimeIndex(d["date"]).day_of_week.to_numpy()
        adjusted = cost / _weekday_factors(cost, wd, baseline)[wd]
        y = np.log(adjusted + SPEND_LOG_OFFSET * max(adjusted.mean(), 1e-9))
        w = np.ones(n)
        ss = _gauss_scan(y, w, cand)
        s2 = _gauss_two_sample(y, w, int(cand[np.argmax(ss)]))["s2"]
        return (cand, ss / s2) if s2 > 0 else None
    c_cum, W = np.cumsum(clicks), np.cumsum(w_cpc)
    ok = (c_cum[cand - 1] > 0) & (c_cum[cand - 1] < c_cum[-1])
    if metric in ("cpc", "cpa"):
        ok &= (W[cand - 1] > 0) & (W[cand - 1] < W[-1])
    cand = cand[ok]
    if not len(cand):
        return None
    if metric in ("cpc", "cpa"):
        w_cpc = _cpc_weights(y_cpc, w_cpc, cand)
    if metric == "cvr":
        lr = _binomial_scan(conv, clicks, cand)
        phi = _binomial_parts(conv, clicks, int(cand[np.argmax(lr)]))["phi"]
        return cand, lr / phi
    ss = _gauss_scan(y_cpc, w_cpc, cand)
    if metric == "cpc":
        s2 = _gauss_two_sample(y_cpc, w_cpc, int(cand[np.argmax(ss)]))["s2"]
        return (cand, ss / s2) if s2 > 0 else None
    s2_0 = _pooled_var(y_cpc, w_cpc)
    b0 = _binomial_parts(conv, clicks, n // 2)
    return cand, _binomial_scan(conv, clicks, cand) / max(b0["phi"], 1.0) + (ss / s2_0 if s2_0 > 0 else 0.0)


def _empty_results() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in _RAW_COLUMNS})


def _results_one_by_one(series: pd.DataFrame, metrics: Sequence[str], baseline_days: int,
                        min_days: int, min_clicks: float = MIN_CLICKS,
                        min_conversions: float = MIN_CONVERSIONS) -> pd.DataFrame:
    """The rows of :func:`_results` computed series by series with :func:`_test_one`:
    the straightforward (slow) reference that the batched path is tested against."""
    rows = []
    if not series.empty:
        for (level, entity), d in series.groupby(["level", "entity"], sort=False):
            d = d.sort_values("date")
            for m in metrics:
                rows.append(_test_one(level, entity, d, m, baseline_days, min_days, min_clicks, min_conversions))
    return pd.DataFrame(rows, columns=_RAW_COLUMNS) if rows else _empty_results()


def _finish(out: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Benjamini–Hochberg over the tested rows, flags, and the order of :func:`detect`."""
    out["start"] = pd.to_datetime(out["start"])
    tested = out["p_value"].notna().to_numpy()
    if tested.any():
        out.loc[tested, "q_value"] = multipletests(out.loc[tested, "p_value"].to_numpy(float), alpha=alpha,
                                                   method="fdr_bh")[1]
        flag = tested & (out["q_value"].to_numpy(float) <= alpha)
        out.loc[flag, "status"] = "flag"
    order = out["status"].map({"flag": 0, "no_change": 1, "too_little_data": 2})
    out = (out.assign(_o=order, _m=-out["money_at_stake"].abs().fillna(0))
           .sort_values(["_o", "_m"], kind="stable").drop(columns=["_o", "_m"]).reset_index(drop=True))
    return out


# ---------------------------------------------------------------------------------
# Decompose
# ---------------------------------------------------------------------------------
def decompose(series: pd.DataFrame, entity: str, start: object, level: str | None = None) -> dict:
    """Split one entity's CPA change at ``start`` into its CPC part and its CVR part.

    Before = days before ``start``, after = ``start`` and later, each summed
    (aggregate CPC = cost / clicks, CVR = conversions / clicks, CPA = cost /
    conversions). Because CPA = CPC / CVR exactly on these sums,
    ``ln(CPA1/CPA0) = ln(CPC1/CPC0) − ln(CVR1/CVR0)``; the shares are the two terms
    divided by ``ln(CPA1/CPA0)`` and always sum to 1. A share above 1 (and the other
    negative) means the parts pulled in opposite directions. Shares are NaN when
    CPA did not change (or a segment has no conversions).

    Returns: entity, start, cpa_before, cpa_after, cpa_change, cpc_before,
    cpc_after, cpc_change, cvr_before, cvr_after, cvr_change (relative changes),
    log_cpa, log_cpc, log_cvr (the terms above), share_cpc, share_cvr.
    ``level`` picks the level when ``series`` stacks several with the same entity.
    """
    d = series.loc[series["entity"] == entity]
    if level is not None:
        d = d.loc[d["level"] == level]
    elif d["level"].nunique() > 1:
        raise ValueError(f"{entity!r} is at several levels; pass level=")
    if d.empty:
        raise KeyError(f"no series for {entity!r}")
    start = pd.Timestamp(start)
    pre, post = d.loc[d["date"] < start], d.loc[d["date"] >= start]
    nan = float("nan")

    def agg(x):
        c, n, v = (float(x[col].sum()) for col in ("cost", "clicks", "conversions"))
        return (c / n if n > 0 else nan, v / n if n > 0 else nan, c / v if v > 0 else nan)

    cpc0, cvr0, cpa0 = agg(pre)
    cpc1, cvr1, cpa1 = agg(post)
    with np.errstate(divide="ignore", invalid="ignore"):  # numpy floats: a zero before gives inf, not an error
        l_cpc = float(np.log(np.float64(cpc1) / np.float64(cpc0)))
        l_cvr = float(np.log(np.float64(cvr1) / np.float64(cvr0)))
        l_cpa = float(np.log(np.float64(cpa1) / np.float64(cpa0)))
    ok = np.isfinite(l_cpa) and abs(l_cpa) > 1e-12 and np.isfinite(l_cpc) and np.isfinite(l_cvr)
    return {"entity": entity, "start": start,
            "cpa_before": cpa0, "cpa_after": cpa1, "cpa_change": cpa1 / cpa0 - 1 if cpa0 else nan,
            "cpc_before": cpc0, "cpc_after": cpc1, "cpc_change": cpc1 / cpc0 - 1 if cpc0 else nan,
            "cvr_before": cvr0, "cvr_after": cvr1, "cvr_change": cvr1 / cvr0 - 1 if cvr0 else nan,
            "log_cpa": l_cpa, "log_cpc": l_cpc, "log_cvr": l_cvr,
            "share_cpc": l_cpc / l_cpa if ok else nan, "share_cvr": -l_cvr / l_cpa if ok else nan}
