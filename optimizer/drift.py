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

Then the false discovery rate is controlled over *every* series of one
:func:`detect` call (all entities × metrics that were tested) with
Benjamini–Hochberg; ``status`` is ``flag`` when ``q ≤ alpha``.

Days are taken as independent given the segment (no autocorrelation, no trend within
a segment); a gradual change is located somewhere inside its ramp.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import xlogy
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import test_proportions_2indep

from .dataset import partial_last_day, spend_rows
from .schema import text

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
#: spend is tested on log(weekday-adjusted cost + this × mean daily cost)
SPEND_LOG_OFFSET = 0.05
#: the baseline must span this many days for weekday factors
MIN_WEEKDAY_DAYS = 14

SERIES_COLUMNS = ["level", "entity", "date", "clicks", "cost", "conversions", "cpc", "cvr", "cpa",
                  "platform", "account", "campaign"]
RESULT_COLUMNS = ["level", "entity", "metric", "status", "start", "before", "after", "change", "ci_low",
                  "ci_high", "p_value", "q_value", "money_at_stake", "days_after", "note"]



# ---------------------------------------------------------------------------------
# Daily series
# ---------------------------------------------------------------------------------
def daily_series(table: pd.DataFrame, level: str, groups: Mapping[str, str] | pd.Series | None = None
                 ) -> pd.DataFrame:
    """Daily clicks, cost, conversions and their ratios per entity of ``level``.

    ``level``: ``account``, ``line`` (business line), ``bundle`` or ``campaign``
    (summed over :func:`optimizer.dataset.spend_rows`, so a plan report and a keyword
    report of the same days are not added together), or ``keyword`` (keyword-report
    rows only; just the top keywords by cost that together cover
    :data:`KEYWORD_COST_SHARE` of it, at most :data:`MAX_KEYWORDS`). ``line`` and
    ``bundle`` need ``groups``: plan name → business line / bundle name (plans not in
    it are left out of that level; e.g. :func:`optimizer.bundles.plan_lines`, a
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
    arrive about a day late, :func:`optimizer.dataset.partial_last_day`); the day
    dropped is in ``result.attrs["dropped_partial_day"]`` (None when none).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    if level in GROUP_LEVELS and groups is None:
        raise ValueError(f"level {level!r} needs groups (plan → {level})")
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in SERIES_COLUMNS})
    empty.attrs["dropped_partial_day"] = None
    if table.empty:
        return empty
    if level == "keyword":
        rows = table.loc[(text(table["report_type"]) == "keyword").to_numpy(bool)]
    else:
        rows = spend_rows(table)
    rows = rows.loc[rows["date"].notna()]
    partial = partial_last_day(rows) if not rows.empty else None
    if partial is not None:
        rows = rows.loc[~((text(rows["platform"]) == "baidu") & (rows["date"] == partial)).to_numpy(bool)]
    if rows.empty:
        empty.attrs["dropped_partial_day"] = partial
        return empty

    platform, account = text(rows["platform"]), text(rows["account"])
    frame = pd.DataFrame({
        "platform": platform.to_numpy(object), "account": account.to_numpy(object),
        "campaign": text(rows["campaign"]).to_numpy(object),
        "ad_group": text(rows["ad_group"]).to_numpy(object),
        "keyword": text(rows["keyword"]).to_numpy(object),
        "match_type": text(rows["match_type"]).to_numpy(object),
        "date": rows["date"].to_numpy(), "clicks": rows["clicks"].to_numpy(float),
        "cost": rows["cost"].to_numpy(float), "conversions": rows["conversions"].to_numpy(float),
    })
    last_day = frame.groupby(["platform", "account"])["date"].max()
    keys = {"account": ["platform", "account"], "campaign": ["platform", "account", "campaign"],
            "line": ["platform", "account", "group"], "bundle": ["platform", "account", "group"],
            "keyword": ["platform", "account", "campaign", "ad_group", "keyword", "match_type"]}[level]
    if level == "campaign":
        frame = frame.loc[frame["campaign"] != ""]
    if level in GROUP_LEVELS:
        mapping = pd.Series(groups, dtype=object) if not isinstance(groups, pd.Series) else groups
        mapping = mapping.dropna().astype(str)
        mapping = mapping.loc[mapping.str.strip() != ""]
        frame = frame.assign(group=frame["campaign"].map(mapping))
        frame = frame.loc[frame["group"].notna()]
    if level == "keyword":
        frame = frame.loc[frame["keyword"] != ""]
        totals = frame.groupby(keys)["cost"].sum().sort_values(ascending=False, kind="stable")
        share = totals.cumsum() / totals.sum() if totals.sum() > 0 else totals * 0 + 1
        before = share.shift(fill_value=0.0)
        top = totals.index[(before < KEYWORD_COST_SHARE).to_numpy()][:MAX_KEYWORDS]
        frame = frame.set_index(keys).loc[top].reset_index()
    if frame.empty:
        return empty
    names = _entity_names(frame[keys].drop_duplicates(), level)

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
        d["campaign"] = key[2] if level in ("campaign", "keyword") else ""
        parts.append(d)
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "level", level)
    out["cpc"] = out["cost"] / out["clicks"].where(out["clicks"] > 0)
    out["cvr"] = out["conversions"] / out["clicks"].where(out["clicks"] > 0)
    out["cpa"] = out["cost"] / out["conversions"].where(out["conversions"] > 0)
    out = out.sort_values(["entity", "date"], kind="stable", ignore_index=True)[SERIES_COLUMNS]
    out.attrs["dropped_partial_day"] = partial
    return out


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
    if n_candidates <= 1:
        return float(stats.norm.isf(level / 2))
    return float(optimize.brentq(lambda b: _scan_pvalue(b, t0, t1, n_candidates, n_steps)[1] - level,
                                 stats.norm.isf(level / 2), 12.0))


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
    n1, n2 = _split(n, k)
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
    row = dict.fromkeys(RESULT_COLUMNS, np.nan)
    row.update(level=level, entity=entity, metric=metric, status=status, start=pd.NaT, note="")
    row.update(kw)
    return row


def _test_one(level: str, entity: str, d: pd.DataFrame, metric: str, baseline_days: int,
              min_days: int) -> dict:
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
    return _result(level, entity, metric, "no_change", start=dates[k], before=before, after=after,
                   change=change, ci_low=lo, ci_high=hi, p_value=p, money_at_stake=money,
                   days_after=n_days - k, note=note)


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
# Detect
# ---------------------------------------------------------------------------------
def detect(series: pd.DataFrame, metric: str | Sequence[str] | None = None, baseline_days: int = 28,
           min_days: int = 7, alpha: float = 0.05) -> pd.DataFrame:
    """One dated, tested change point per entity of ``series`` and metric.

    ``series``: the output of :func:`daily_series` (several levels may be stacked
    with ``pd.concat``; entities are told apart by (level, entity)). ``metric``: one
    of :data:`METRICS` (``cpc``, ``cvr``, ``cpa``, ``spend``), a list of them, or
    None for all four. ``baseline_days``: the first days of each series that form
    the baseline (weekday factors for spend; the 30-click minimum). ``min_days``:
    days needed before a change; 3 are needed after it.

    A series with fewer than ``min_days + 3`` days, or fewer than 30 clicks in the
    baseline, gets status ``too_little_data`` (and no p value); so do CVR/CPA
    series without conversion data. The others are tested (see the module
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
    days_after, note. Sorted: flags first, by money at stake.
    """
    metrics = METRICS if metric is None else ((metric,) if isinstance(metric, str) else tuple(metric))
    bad = [m for m in metrics if m not in METRICS]
    if bad:
        raise ValueError(f"unknown metric(s) {bad}; use {METRICS}")
    if min_days < 1 or baseline_days < 1:
        raise ValueError("min_days and baseline_days must be positive")
    rows = []
    if not series.empty:
        for (level, entity), d in series.groupby(["level", "entity"], sort=False):
            d = d.sort_values("date")
            for m in metrics:
                rows.append(_test_one(level, entity, d, m, baseline_days, min_days))
    out = pd.DataFrame(rows, columns=RESULT_COLUMNS) if rows else \
        pd.DataFrame({c: pd.Series(dtype="float64") for c in RESULT_COLUMNS})
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
    with np.errstate(divide="ignore", invalid="ignore"):
        l_cpc = float(np.log(cpc1 / cpc0))
        l_cvr = float(np.log(cvr1 / cvr0))
        l_cpa = float(np.log(cpa1 / cpa0))
    ok = np.isfinite(l_cpa) and abs(l_cpa) > 1e-12 and np.isfinite(l_cpc) and np.isfinite(l_cvr)
    return {"entity": entity, "start": start,
            "cpa_before": cpa0, "cpa_after": cpa1, "cpa_change": cpa1 / cpa0 - 1 if cpa0 else nan,
            "cpc_before": cpc0, "cpc_after": cpc1, "cpc_change": cpc1 / cpc0 - 1 if cpc0 else nan,
            "cvr_before": cvr0, "cvr_after": cvr1, "cvr_change": cvr1 / cvr0 - 1 if cvr0 else nan,
            "log_cpa": l_cpa, "log_cpc": l_cpc, "log_cvr": l_cvr,
            "share_cpc": l_cpc / l_cpa if ok else nan, "share_cvr": -l_cvr / l_cpa if ok else nan}
