"""Quality of cost-drift detection (:mod:`optimizer.drift.scan`), measured on planted drifts.

Issue 6 asks: on generated accounts with planted drifts (shift 10–60 %, CPC- or
CVR-driven, abrupt or gradual, small and large plans) and on drift-free accounts,
what are precision, recall, detection delay and false alarms per 1,000 series; and
does recall reach 0.9 for shifts ≥ 20 % that have lasted ≥ 7 days on plans with
≥ 5 conversions a day (precision ≥ 0.9, median delay ≤ 3 days, ≤ 5 % of drift-free
series flagged)? This module is the harness: pure functions, no page.

Generated data (:func:`generate`)
---------------------------------
Plan-level daily series (120 days), grouped into accounts of
:attr:`SimConfig.plans_per_account` plans; a share of the accounts is entirely
drift-free, and in the others each plan drifts with probability
:attr:`SimConfig.drift_share`. Per plan: conversions a day log-uniform in 1–40
(before the drift), CVR uniform 3–15 %, CPC uniform ¥5–15, so clicks a day =
conversions / CVR (7 … 1,300). Each day ``d``:

* clicks ~ Poisson(mean × weekday factor × demand_d), demand_d ~ Gamma with
  CV 0.15 (so clicks are negative binomial, weekends ~10 % above weekdays);
* cost = clicks × CPC × drift factor × price_d × average of the day's click prices:
  price_d ~ lognormal(0, 0.05) (the whole day's auction moves), each click's price
  lognormal with log-sd 0.45 around the plan CPC (its keyword mix); the average of
  ``clicks`` click prices is drawn as one lognormal with the matching variance;
  rounded to cents;
* conversions ~ Binomial(clicks, q_d), q_d ~ Beta with mean CVR × drift factor and
  CV 0.10 (a beta-binomial: mild day-to-day overdispersion from the keyword mix).

A drift multiplies CPC or CVR by ``1 + change`` from its start (``abrupt``) or
linearly over ``ramp_days`` (``gradual``: day ``start + i`` gets
``1 + change · min(1, (i + 1) / ramp_days)``, as in :class:`sample_data.generator.DriftSpec`).
|change| is uniform in 10–60 %, adverse (CPC up, CVR down) three times in four;
the drift has lasted 7–45 days by the series' end (``days_after``).

Matching (:func:`classify_flags`)
---------------------------------
Detection runs the way the product would: one :func:`optimizer.drift.scan.detect` call per
account (Benjamini–Hochberg over that account's series × metrics), metrics
CPC, CVR and CPA (spend is out of scope: the planted drifts move prices and
conversion rates, not budgets). Each ``flag`` row is one of

* ``hit`` — on a drifted plan, on the driver metric **or on CPA** (a CPA flag for a
  CPC-driven rise is exactly what an optimizer needs to hear), in the direction
  the drift moves that metric (CPA moves with CPC and against CVR), dated inside
  the tolerance window;
* ``drift_free`` — on a plan with no drift;
* ``wrong_metric`` — e.g. a CVR flag on a CPC-only drift (it would send the
  optimizer to the landing page when the bids moved);
* ``wrong_direction``;
* ``misdated`` — right metric and direction but dated outside the window (the
  optimizer would search the change log in the wrong week).

Precision = hits / flags (every non-hit is a false positive). A planted drift is
*detected* (recall) when at least one of its flags is a hit.

Tolerance window for the dated start: ``[start − 3, start + 3]`` days for an abrupt
drift and ``[start − 3, start + ramp_days − 1 + 3]`` for a gradual one. Three days
either way is what an optimizer matching a flag against a change log ("the week we
raised bids") would accept, and about the location error of the likelihood-ratio
scan for changes large enough to detect. A flag dated outside that window still
counts as correctly dated when the *support interval* it reports (``start_low`` …
``start_high``, :func:`optimizer.drift.scan.change_intervals`: the days the data cannot
tell apart from the chosen one) holds a day of the change: the product shows the
optimizer that range, so the right week is in front of them. A gradual drift has no single change day:
every day of its ramp is a day on which it changed, and the best single step
through a ramp lies inside it (near its middle once the ramp is over, towards its
end while it is in progress), so the whole ramp, plus the same 3 days, is accepted.

Delay (:func:`replay_delays`)
-----------------------------
The detected drift's series is cut so that it holds ``j`` days of the drift
(days before ``start + j``), for ``j`` = 3, 4, …, 14, then 21, 28, 35, 42 (3 is
the fewest the detector tests), and detected again; the delay is the first ``j``
at which it has a hit (the full series if no earlier cut has). A delay of 3 means:
flagged on the morning after the third day of the drift. Only the plan is re-run;
Benjamini–Hochberg uses its own p values at the cut together with the other
p values of its account's full-length call (the rest of the account is taken as
it is at the end; for drift-free neighbours, whose p values are uniform at any
cut, this is the same in distribution). Delays above 14 days are measured to
7-day resolution.

Oracle (:func:`oracle`)
-----------------------
The honesty reference: a test that *knows* the planted start and compares all days
before it with all days from it, at α = 0.05 two-sided, no scan, no multiplicity.
CVR-driven: the pooled two-proportion score test on the totals (it ignores the
mild overdispersion, so it is slightly generous). CPC-driven: the two-sample t
test on daily log CPC weighted with the true noise model
``1 / (0.05² + (e^{0.45²} − 1) / clicks)``. The oracle detects a drift when its
p ≤ 0.05 in the right direction. No detector that has to find the day can beat it
(except by luck), so where the oracle's recall is below a target, that target
cannot be met by any honest test. Example: 5 conversions a day, CVR −20 %, 7 days
after a long baseline: ln 0.8 / sqrt(1/500 + 1/28) ≈ −1.15, so the oracle finds
it about one time in five. :func:`cvr_power_grid` gives that power analytically
next to the power at the detector's own critical values (the scan-corrected one,
≈ 3.0 on 120 days, and ≈ 4.0 when a drift is the only discovery among an account's
24 tests).

What :class:`Quality` reports
-----------------------------
Precision (and, for comparison, the share of flags pointing at a real change
whatever their date, and both at a ±7-day tolerance); recall overall, per stratum
(driver, shift 10–20 / 20–40 / 40–60 %, abrupt / gradual, conversions a day < 5 /
5–15 / ≥ 15, days lasted 7–13 / 14–27 / ≥ 28) next to the recall without
Benjamini–Hochberg (scan-corrected p ≤ α) and the oracle's; why each missed drift
was missed (misdated, lost to BH, lost to the scan, missed by the oracle too);
delays (median, p90; the oracle's on the same drifts); false alarms per 1,000
drift-free series and the share of them with any flag, for drift-free accounts
(where BH over the account bounds the chance of any flag by α) and for every
drift-free plan (in accounts with drifts BH is more lenient, by design).

The generated noise follows the detector's own model closely (binomial conversions
with little overdispersion, day-level plus per-click price noise, one clean change),
so real accounts will do somewhat worse than these figures.
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from optimizer.drift import scan as drift

#: metrics tested
METRICS = ("cpc", "cvr", "cpa")
#: days a found start may lie before the planted start …
TOL_BEFORE = 3
#: … and after it (after the end of the ramp, for a gradual drift)
TOL_AFTER = 3
#: days of the drift at which the replay re-detects
REPLAY_CUTS = (*range(3, 15), 21, 28, 35, 42)
#: the issue's target stratum: |shift| ≥ 20 %, lasted ≥ 7 days, ≥ 5 conversions a day
TARGET_SHIFT, TARGET_DAYS, TARGET_CONV = 0.20, 7, 5.0
#: weekly seasonality, Monday first (weekends ~10 % above weekdays)
WEEKDAY_FACTORS = np.array([0.96, 0.95, 0.95, 0.97, 1.01, 1.09, 1.07])
WEEKDAY_FACTORS = WEEKDAY_FACTORS / WEEKDAY_FACTORS.mean()

#: strata of the recall table: column, bin edges, labels
STRATA = {
    "shift": ([0.0, 0.2, 0.4, np.inf], ["10–20 %", "20–40 %", "40–60 %"]),
    "conv_per_day": ([0.0, 5.0, 15.0, np.inf], ["<5 conv/day", "5–15 conv/day", "≥15 conv/day"]),
    "days_after": ([0, 14, 28, np.inf], ["lasted 7–13 d", "lasted 14–27 d", "lasted ≥28 d"]),
}

TRUTH_COLUMNS = ["level", "entity", "account", "driver", "change", "shape", "start", "ramp_days",
                 "days_after", "conv_per_day", "clicks_per_day", "cvr", "cpc"]


@dataclass(frozen=True)
class SimConfig:
    """Parameters of :func:`generate` (defaults: see the module docstring)."""

    days: int = 120
    end: pd.Timestamp = field(default_factory=lambda: pd.Timestamp("2026-10-31"))
    plans_per_account: int = 8
    drift_free_accounts: float = 0.25   # share of accounts without any drift
    drift_share: float = 0.75           # in the other accounts, share of plans that drift
    conv_range: tuple[float, float] = (1.0, 40.0)   # conversions a day, log-uniform
    cvr_range: tuple[float, float] = (0.03, 0.15)
    cpc_range: tuple[float, float] = (5.0, 15.0)
    shift_range: tuple[float, float] = (0.10, 0.60)  # |change|
    adverse_share: float = 0.75         # CPC up / CVR down
    gradual_share: float = 0.5
    ramp_range: tuple[int, int] = (5, 14)
    days_after_range: tuple[int, int] = (7, 45)
    demand_cv: float = 0.15             # day-level click demand (gamma)
    price_day_sd: float = 0.05          # day-level log price factor
    price_click_sd: float = 0.45        # log-sd of one click's price around the plan CPC
    cvr_day_cv: float = 0.10            # day-level CVR variation (beta)


# ---------------------------------------------------------------------------------
# Generator
# ---------------------------------------------------------------------------------
def generate(n_series: int, seed: int = 0, config: SimConfig | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n_series`` plan-level daily series with planted drifts (module docstring).

    Returns ``(series, truth)``: ``series`` in the shape of
    :func:`optimizer.drift.scan.daily_series` (columns :data:`optimizer.drift.scan.SERIES_COLUMNS`,
    level ``campaign``, entity ``"a012/p3"``, account ``"a012"``); ``truth`` one row per
    series, columns :data:`TRUTH_COLUMNS`: driver ``cpc``/``cvr``/``none``, change
    (relative change of the driver, NaN when none), shape ``abrupt``/``gradual``
    (``""`` when none), start (first day of the drift, NaT when none), ramp_days (0
    unless gradual), days_after (days of the drift in the series, 0 when none),
    conv_per_day / clicks_per_day / cvr / cpc before the drift.
    """
    cfg = config or SimConfig()
    rng = np.random.default_rng(seed)
    n, days = int(n_series), cfg.days
    dates = pd.date_range(end=cfg.end, periods=days, freq="D")
    account_idx = np.arange(n) // cfg.plans_per_account
    n_accounts = int(account_idx.max()) + 1 if n else 0
    free_account = rng.random(n_accounts) < cfg.drift_free_accounts
    drifts = ~free_account[account_idx] & (rng.random(n) < cfg.drift_share)
    driver = np.where(drifts, np.where(rng.random(n) < 0.5, "cpc", "cvr"), "none")

    lo, hi = np.log(cfg.conv_range)
    conv = np.exp(rng.uniform(lo, hi, n))
    cvr = rng.uniform(*cfg.cvr_range, n)
    cpc = rng.uniform(*cfg.cpc_range, n)
    clicks_mean = conv / cvr

    size = rng.uniform(*cfg.shift_range, n)
    adverse = rng.random(n) < cfg.adverse_share
    sign = np.where(driver == "cpc", 1.0, -1.0) * np.where(adverse, 1.0, -1.0)
    change = np.where(drifts, sign * size, np.nan)
    gradual = drifts & (rng.random(n) < cfg.gradual_share)
    ramp = np.where(gradual, rng.integers(cfg.ramp_range[0], cfg.ramp_range[1] + 1, n), 0)
    days_after = np.where(drifts, rng.integers(cfg.days_after_range[0], cfg.days_after_range[1] + 1, n), 0)
    k = days - days_after                                   # index of the first drift day

    # drift factors (series × days)
    since = np.arange(days)[None, :] - k[:, None]
    ramp_frac = np.where(gradual[:, None], np.minimum(1.0, (since + 1) / np.maximum(ramp, 1)[:, None]), 1.0)
    factor = np.where(drifts[:, None] & (since >= 0), 1.0 + np.nan_to_num(change)[:, None] * ramp_frac, 1.0)
    f_cpc = np.where((driver == "cpc")[:, None], factor, 1.0)
    f_cvr = np.where((driver == "cvr")[:, None], factor, 1.0)

    weekday = WEEKDAY_FACTORS[dates.day_of_week.to_numpy()][None, :]
    shape = 1.0 / cfg.demand_cv ** 2
    demand = rng.gamma(shape, 1.0 / shape, (n, days))
    clicks = rng.poisson(clicks_mean[:, None] * weekday * demand).astype(float)

    price_day = np.exp(rng.normal(0.0, cfg.price_day_sd, (n, days)))
    # mean of `clicks` lognormal(σ) prices of mean 1, drawn as one lognormal of matching variance
    v = np.log1p(np.expm1(cfg.price_click_sd ** 2) / np.maximum(clicks, 1.0))
    price_mix = np.exp(rng.normal(-v / 2, np.sqrt(v)))
    cost = np.round(clicks * cpc[:, None] * f_cpc * price_day * price_mix, 2)

    p = np.clip(cvr[:, None] * f_cvr, 1e-6, 0.9)
    kappa = np.maximum((1 - p) / (p * cfg.cvr_day_cv ** 2) - 1, 1.0)
    q = rng.beta(p * kappa, (1 - p) * kappa)
    conversions = rng.binomial(clicks.astype(np.int64), q).astype(float)

    entity = np.array([f"a{a:03d}/p{i % cfg.plans_per_account}" for i, a in enumerate(account_idx)], dtype=object)
    account = np.array([f"a{a:03d}" for a in account_idx], dtype=object)
    series = pd.DataFrame({
        "level": "campaign",
        "entity": np.repeat(entity, days),
        "date": np.tile(dates.to_numpy(), n),
        "clicks": clicks.ravel(), "cost": cost.ravel(), "conversions": conversions.ravel(),
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = series["clicks"].where(series["clicks"] > 0)
        series["cpc"] = series["cost"] / pos
        series["cvr"] = series["conversions"] / pos
        series["cpa"] = series["cost"] / series["conversions"].where(series["conversions"] > 0)
    series["platform"] = "baidu"
    series["account"] = np.repeat(account, days)
    series["campaign"] = series["entity"].str.split("/").str[1]
    series = series[drift.SERIES_COLUMNS]

    start = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    start[drifts] = dates[k[drifts]].to_numpy()
    truth = pd.DataFrame({
        "level": "campaign", "entity": entity, "account": account, "driver": driver, "change": change,
        "shape": np.where(drifts, np.where(gradual, "gradual", "abrupt"), ""), "start": start,
        "ramp_days": ramp, "days_after": days_after, "conv_per_day": conv,
        "clicks_per_day": clicks_mean, "cvr": cvr, "cpc": cpc,
    })[TRUTH_COLUMNS]
    truth.attrs["config"] = cfg
    return series, truth


# ---------------------------------------------------------------------------------
# Detection and matching
# ---------------------------------------------------------------------------------
def detect_accounts(series: pd.DataFrame, metrics: Sequence[str] = METRICS, alpha: float = 0.05) -> pd.DataFrame:
    """:func:`optimizer.drift.scan.detect` once per account (BH over that account's tests),
    concatenated; an ``account`` column is added."""
    parts = [drift.detect(d, list(metrics), alpha=alpha).assign(account=a)
             for a, d in series.groupby("account", sort=True)]
    if not parts:
        return pd.DataFrame(columns=[*drift.RESULT_COLUMNS, "account"])
    return pd.concat(parts, ignore_index=True)


def window(truth: pd.DataFrame, tol_before: int = TOL_BEFORE, tol_after: int = TOL_AFTER) -> tuple[pd.Series, pd.Series]:
    """(earliest, latest) accepted start per truth row: ``[start − tol_before, start +
    tol_after]``, the end moved to the last day of the ramp for a gradual drift."""
    start = pd.to_datetime(truth["start"])
    ramp_end = (truth["ramp_days"].clip(lower=1) - 1).where(truth["shape"] == "gradual", 0)
    lo = start - pd.to_timedelta(tol_before, unit="D")
    hi = start + pd.to_timedelta(ramp_end + tol_after, unit="D")
    return lo, hi


def _expected_sign(driver: pd.Series, change: pd.Series, metric: pd.Series) -> np.ndarray:
    """Sign in which the drift moves ``metric`` (0 when it does not move it)."""
    s = np.sign(change.to_numpy(float))
    drv, met = driver.to_numpy(object), metric.to_numpy(object)
    return np.where(met == drv, s, np.where(met == "cpa", np.where(drv == "cpc", s, -s), 0.0))


def classify_flags(results: pd.DataFrame, truth: pd.DataFrame, tol_before: int = TOL_BEFORE,
                   tol_after: int = TOL_AFTER) -> pd.DataFrame:
    """The ``flag`` rows of ``results`` with a ``verdict``: hit, drift_free, wrong_metric,
    wrong_direction or misdated (module docstring), the truth's ``driver``,
    ``true_change``, ``shape``, ``true_start``, ``ramp_days`` and ``start_error``
    (found − planted start, days). Matched on (level, entity)."""
    flags = results.loc[results["status"] == "flag"].copy()
    t = truth[["level", "entity", "driver", "change", "shape", "start", "ramp_days"]]
    lo, hi = window(truth, tol_before, tol_after)
    t = t.assign(_lo=lo.to_numpy(), _hi=hi.to_numpy()).rename(columns={"start": "true_start",
                                                                       "change": "true_change"})
    m = flags.merge(t, on=["level", "entity"], how="left", validate="many_to_one")
    if m["driver"].isna().any():
        raise KeyError(f"flags without truth: {sorted(m.loc[m['driver'].isna(), 'entity'].unique())[:5]}")
    expected = _expected_sign(m["driver"], m["true_change"], m["metric"])
    start = pd.to_datetime(m["start"])
    ramp_start = pd.to_datetime(m["true_start"])
    ramp_end = ramp_start + pd.to_timedelta((m["ramp_days"].clip(lower=1) - 1).where(m["shape"] == "gradual", 0),
                                            unit="D")
    # the reported support interval [start_low, start_high] holds a day of the change
    in_support = ((pd.to_datetime(m["start_low"]) <= ramp_end) & (pd.to_datetime(m["start_high"]) >= ramp_start))
    outside = ((start < m["_lo"]) | (start > m["_hi"])) & ~in_support.fillna(False)
    verdict = np.select(
        [m["driver"].eq("none").to_numpy(), expected == 0,
         np.sign(m["change"].to_numpy(float)) != expected,
         outside.to_numpy(bool)],
        ["drift_free", "wrong_metric", "wrong_direction", "misdated"], "hit")
    return m.drop(columns=["_lo", "_hi"]).assign(verdict=verdict,
                                                 start_error=(start - m["true_start"]).dt.days)


def detections(results: pd.DataFrame, truth: pd.DataFrame, tol_before: int = TOL_BEFORE,
               tol_after: int = TOL_AFTER) -> pd.DataFrame:
    """``truth`` with ``detected`` (some flag of the series is a hit), ``found_start``
    (the earliest hit's start), ``found_metrics`` (the hits' metrics, "cpc+cpa") and
    ``n_flags`` (flags of any verdict on the series)."""
    flags = classify_flags(results, truth, tol_before, tol_after)
    hits = flags.loc[flags["verdict"] == "hit"]
    g = hits.groupby(["level", "entity"])
    agg = pd.DataFrame({"found_start": g["start"].min(),
                        "found_metrics": g["metric"].agg(lambda s: "+".join(sorted(s)))})
    n_flags = flags.groupby(["level", "entity"]).size().rename("n_flags")
    out = truth.join(agg, on=["level", "entity"]).join(n_flags, on=["level", "entity"])
    out["n_flags"] = out["n_flags"].fillna(0).astype(int)
    out["detected"] = out["found_start"].notna() & out["driver"].ne("none")
    return out


# ---------------------------------------------------------------------------------
# Oracle
# ---------------------------------------------------------------------------------
def _oracle_one(d: pd.DataFrame, driver: str, start: pd.Timestamp, cfg: SimConfig) -> tuple[float, float]:
    """(z, two-sided p) of the oracle test of one series split at ``start``."""
    after = (d["date"] >= start).to_numpy()
    clicks = d["clicks"].to_numpy(float)
    if driver == "cvr":
        conv = d["conversions"].to_numpy(float)
        x1, x2 = conv[~after].sum(), conv[after].sum()
        n1, n2 = clicks[~after].sum(), clicks[after].sum()
        if n1 <= 0 or n2 <= 0:
            return float("nan"), float("nan")
        pool = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
        z = (x2 / n2 - x1 / n1) / se if se > 0 else 0.0
        return float(z), float(2 * stats.norm.sf(abs(z)))
    use = clicks > 0
    cost = d["cost"].to_numpy(float)
    y = np.log(np.maximum(cost[use], 0.01) / clicks[use])
    w = 1.0 / (cfg.price_day_sd ** 2 + np.expm1(cfg.price_click_sd ** 2) / clicks[use])
    a = after[use]
    w1, w2 = w[~a].sum(), w[a].sum()
    df = int(use.sum()) - 2
    if w1 <= 0 or w2 <= 0 or df < 1:
        return float("nan"), float("nan")
    m1, m2 = (w[~a] * y[~a]).sum() / w1, (w[a] * y[a]).sum() / w2
    s2 = ((w[~a] * (y[~a] - m1) ** 2).sum() + (w[a] * (y[a] - m2) ** 2).sum()) / df
    t = (m2 - m1) / np.sqrt(s2 * (1 / w1 + 1 / w2))
    p = float(2 * stats.t.sf(abs(t), df))
    return float(np.sign(t) * stats.norm.isf(p / 2)), p


def oracle(series: pd.DataFrame, truth: pd.DataFrame, alpha: float = 0.05,
           config: SimConfig | None = None) -> pd.DataFrame:
    """Per drifted truth row: ``oracle_z``, ``oracle_p`` and ``oracle_detected`` of the
    test that knows the start (module docstring). Indexed like ``truth``; NaN / False
    for drift-free rows."""
    cfg = config or truth.attrs.get("config") or SimConfig()
    by_entity = {key: d for key, d in series.groupby(["level", "entity"], sort=False)}
    z = np.full(len(truth), np.nan)
    p = np.full(len(truth), np.nan)
    for i, r in enumerate(truth.itertuples(index=False)):
        if r.driver != "none":
            z[i], p[i] = _oracle_one(by_entity[(r.level, r.entity)], r.driver, r.start, cfg)
    sign = np.sign(truth["change"].to_numpy(float))
    return pd.DataFrame({"oracle_z": z, "oracle_p": p,
                         "oracle_detected": (p <= alpha) & (np.sign(z) == sign)}, index=truth.index)


def oracle_delays(series: pd.DataFrame, truth: pd.DataFrame, rows: pd.Index, alpha: float = 0.05,
                  cuts: Sequence[int] = REPLAY_CUTS, config: SimConfig | None = None) -> pd.Series:
    """The oracle's delay on the truth rows ``rows``, cut as in :func:`replay_delays`:
    the first ``j`` at which the oracle detects the drift; the full series' days_after
    when only the full series is detected; NaN when not even that."""
    cfg = config or truth.attrs.get("config") or SimConfig()
    by_entity = {key: d for key, d in series.groupby(["level", "entity"], sort=False)}
    out = pd.Series(np.nan, index=rows, dtype=float)
    for idx in rows:
        r = truth.loc[idx]
        d = by_entity[(r["level"], r["entity"])]
        sign = np.sign(r["change"])
        for j in [*[c for c in cuts if c < r["days_after"]], int(r["days_after"])]:
            cut = d.loc[d["date"] < r["start"] + pd.Timedelta(days=j)]
            z, p = _oracle_one(cut, r["driver"], r["start"], cfg)
            if p <= alpha and np.sign(z) == sign:
                out[idx] = float(j)
                break
    return out


def scan_critical(days: int = 120, min_days: int = 7, alpha: float = 0.05) -> float:
    """The |z| the detector needs for a scan-corrected p of ``alpha`` on a series of
    ``days`` equal days (from :mod:`optimizer.drift.scan`'s own correction; 3.0 for 120 days)."""
    crit = getattr(drift, "_scan_critical", None)
    if crit is None:   # the detector's internals changed: the value measured on 2026 code
        return 3.02 if alpha == 0.05 else float(stats.norm.isf(alpha / 2))
    cand = days - drift.MIN_DAYS_AFTER - min_days + 1
    return float(crit(min_days / days, (days - drift.MIN_DAYS_AFTER) / days, cand, days, alpha))


def cvr_power_grid(conv: Sequence[float] = (5, 10, 20, 40), shifts: Sequence[float] = (0.2, 0.3, 0.4, 0.6),
                   after: Sequence[int] = (3, 7, 14, 28), days: int = 120, alpha: float = 0.05,
                   accounts_tests: int = 24) -> pd.DataFrame:
    """Analytic power against an abrupt CVR drop, per conversions a day (before),
    relative drop and days after, on a ``days``-day series (the rest before).

    Expected z = ln(1 − shift) / sqrt(1/x₀ + 1/x₁) with x₀, x₁ the expected conversions
    before and after (binomial, small CVR; the mild overdispersion of the generated
    data is ignored, so these are slightly optimistic). Power ≈ Φ(|z| − c) for a
    critical value c: ``oracle`` c = 1.96 (knows the day); ``scan`` c =
    :func:`scan_critical` (does not know the day, α = 0.05); ``scan_bh`` c for a
    scan-corrected p ≤ α / ``accounts_tests`` (Benjamini–Hochberg when the drift is
    the only discovery among an account's tests; 8 plans × 3 metrics = 24).
    """
    c_oracle = float(stats.norm.isf(alpha / 2))
    c_scan = scan_critical(days, alpha=alpha)
    c_bh = scan_critical(days, alpha=alpha / accounts_tests)
    rows = []
    for c in conv:
        for a in after:
            for sh in shifts:
                x0, x1 = c * (days - a), c * (1 - sh) * a
                z = abs(np.log(1 - sh)) / np.sqrt(1 / x0 + 1 / x1)
                rows.append({"conv_per_day": c, "days_after": a, "shift": sh, "z": z,
                             "oracle": stats.norm.cdf(z - c_oracle), "scan": stats.norm.cdf(z - c_scan),
                             "scan_bh": stats.norm.cdf(z - c_bh)})
    out = pd.DataFrame(rows)
    out.attrs.update(critical={"oracle": c_oracle, "scan": c_scan, "scan_bh": c_bh})
    return out


# ---------------------------------------------------------------------------------
# Delay
# ---------------------------------------------------------------------------------
def replay_delays(series: pd.DataFrame, truth: pd.DataFrame, results: pd.DataFrame, rows: pd.Index,
                  metrics: Sequence[str] = METRICS, alpha: float = 0.05,
                  cuts: Sequence[int] = REPLAY_CUTS) -> pd.Series:
    """Detection delay in days (module docstring) of the truth rows ``rows`` (detected
    drifts), as a Series indexed like them; NaN where the drift is not detected at
    full length either. ``results`` is the full-length :func:`detect_accounts` output
    (its other p values of the same account enter Benjamini–Hochberg)."""
    out = pd.Series(np.nan, index=rows, dtype=float)
    by_entity = {key: d for key, d in series.groupby(["level", "entity"], sort=False)}
    tested = results.loc[results["p_value"].notna()]
    full = detections(results, truth).loc[rows]
    for idx in rows:
        r = truth.loc[idx]
        if not full.at[idx, "detected"]:
            continue
        others = tested.loc[(tested["account"] == r["account"])
                            & ~((tested["level"] == r["level"]) & (tested["entity"] == r["entity"])),
                            "p_value"].to_numpy(float)
        d = by_entity[(r["level"], r["entity"])]
        one = truth.loc[[idx]]
        delay = float(r["days_after"])
        for j in cuts:
            if j >= r["days_after"]:
                break
            cut = d.loc[d["date"] < r["start"] + pd.Timedelta(days=j)]
            res = drift.detect(cut, list(metrics), alpha=alpha)
            ok = res["p_value"].notna().to_numpy()
            if not ok.any():
                continue
            q = multipletests(np.concatenate([res.loc[ok, "p_value"].to_numpy(float), others]),
                              alpha=alpha, method="fdr_bh")[1][:ok.sum()]
            res = res.loc[ok].assign(q_value=q, status=np.where(q <= alpha, "flag", "no_change"))
            if (classify_flags(res, one)["verdict"] == "hit").any():
                delay = float(j)
                break
        out[idx] = delay
    return out


# ---------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------
def in_target(truth: pd.DataFrame) -> pd.Series:
    """The issue's stratum: drifts with |shift| ≥ 20 %, lasted ≥ 7 days, ≥ 5 conversions a day."""
    return (truth["driver"].ne("none") & (truth["change"].abs() >= TARGET_SHIFT - 1e-12)
            & (truth["days_after"] >= TARGET_DAYS) & (truth["conv_per_day"] >= TARGET_CONV))


def strata(truth: pd.DataFrame) -> pd.DataFrame:
    """Stratum labels of the drifted truth rows: driver, shift, shape, conv_per_day, days_after."""
    t = truth.loc[truth["driver"] != "none"]
    out = pd.DataFrame({"driver": t["driver"], "shape": t["shape"]}, index=t.index)
    for col, (edges, labels) in STRATA.items():
        vals = t["change"].abs() if col == "shift" else t[col]
        out[col] = pd.cut(vals, edges, labels=labels, right=False).astype(str)
    return out


def recall_table(scored: pd.DataFrame) -> pd.DataFrame:
    """Recall per stratum of the drifted rows of ``scored`` (:func:`evaluate`'s):
    columns stratum, value, n, recall (ours), recall_nobh (ours without
    Benjamini–Hochberg), oracle_recall; first row "all", then the single strata,
    driver × conversions, driver × days lasted, and last the target stratum."""
    d = scored.loc[scored["driver"] != "none"]
    s = strata(d)
    rows = [("all", "", d)]
    for col in ["driver", "shape", "shift", "conv_per_day", "days_after"]:
        for value in sorted(s[col].unique(), key=_stratum_order):
            rows.append((col, value, d.loc[s[col] == value]))
    for col, name in (("conv_per_day", "driver × conv"), ("days_after", "driver × days")):
        for drv in ("cpc", "cvr"):
            for value in STRATA[col][1]:
                rows.append((name, f"{drv}, {value}", d.loc[(s["driver"] == drv) & (s[col] == value)]))
    tgt = d.loc[in_target(d)]
    ts = strata(tgt)
    rows.append(("target", "≥20 %, ≥7 d, ≥5 conv/day", tgt))
    for drv in ("cpc", "cvr"):
        rows.append(("target", f"… {drv}", tgt.loc[ts["driver"] == drv]))
        for value in STRATA["days_after"][1]:
            rows.append(("target", f"… {drv}, {value}", tgt.loc[(ts["driver"] == drv) & (ts["days_after"] == value)]))

    def mean(x, col):
        return float(x[col].mean()) if len(x) and col in x else float("nan")

    return pd.DataFrame([{"stratum": a, "value": b, "n": len(x), "recall": mean(x, "detected"),
                          "recall_nobh": mean(x, "detected_nobh"), "oracle_recall": mean(x, "oracle_detected")}
                         for a, b, x in rows])


def _stratum_order(label: str) -> tuple:
    for _, labels in STRATA.values():
        if label in labels:
            return (labels.index(label), label)
    return (0, label)


@dataclass
class Quality:
    """What :func:`evaluate` measured (see :func:`format_report` for the figures)."""

    series: pd.DataFrame
    truth: pd.DataFrame
    results: pd.DataFrame
    flags: pd.DataFrame       # classify_flags
    scored: pd.DataFrame      # detections + oracle + delay
    seconds: dict

    @property
    def precision(self) -> float:
        return float((self.flags["verdict"] == "hit").mean()) if len(self.flags) else float("nan")

    @property
    def alarm_precision(self) -> float:
        """Share of flags that point at a real change of that metric in that direction,
        whatever its date (misdated flags are not counted as false alarms here)."""
        v = self.flags["verdict"]
        return float(v.isin(["hit", "misdated"]).mean()) if len(v) else float("nan")

    @property
    def recall(self) -> float:
        return float(self.scored.loc[self.scored["driver"] != "none", "detected"].mean())

    def with_tolerance(self, tol_before: int, tol_after: int) -> dict:
        """Precision, recall and target-stratum recall had the dating tolerance been
        ``[−tol_before, +tol_after]`` days (beyond the ramp for gradual drifts)."""
        flags = classify_flags(self.results, self.truth, tol_before, tol_after)
        det = detections(self.results, self.truth, tol_before, tol_after)
        drifted = det["driver"] != "none"
        return {"precision": float((flags["verdict"] == "hit").mean()) if len(flags) else float("nan"),
                "recall": float(det.loc[drifted, "detected"].mean()),
                "target_recall": float(det.loc[in_target(det), "detected"].mean())}

    def miss_reasons(self, rows: pd.DataFrame | None = None) -> pd.Series:
        """Why each missed drift of ``rows`` (default: the target stratum) was missed:
        ``flagged, misdated`` (a flag on the right metric and direction, dated outside
        the window), ``lost to BH`` (a hit at scan-corrected p ≤ alpha, but q > alpha),
        ``lost to the scan`` (the oracle, knowing the day, detects it) or
        ``oracle misses too`` (no honest test of this size would have). Counts."""
        rows = self.target() if rows is None else rows
        missed = rows.loc[(rows["driver"] != "none") & ~rows["detected"]]
        misdated = set(self.flags.loc[self.flags["verdict"] == "misdated", "entity"])
        reason = np.select([missed["entity"].isin(misdated).to_numpy(), missed["detected_nobh"].to_numpy(bool),
                            missed["oracle_detected"].to_numpy(bool)],
                           ["flagged, misdated", "lost to BH", "lost to the scan"], "oracle misses too")
        order = ["flagged, misdated", "lost to BH", "lost to the scan", "oracle misses too"]
        return pd.Series(reason, dtype=object).value_counts().reindex(order, fill_value=0)

    def target(self) -> pd.DataFrame:
        return self.scored.loc[in_target(self.scored)]

    def false_alarms(self, drift_free_accounts_only: bool = False) -> dict:
        """Over drift-free series (only those of drift-free accounts, if asked): flags
        per 1,000 series and the share of series with any flag."""
        free = self.scored.loc[self.scored["driver"] == "none"]
        if drift_free_accounts_only:
            drifted = set(self.scored.loc[self.scored["driver"] != "none", "account"])
            free = free.loc[~free["account"].isin(drifted)]
        n = len(free)
        return {"series": n,
                "per_1000": 1000 * free["n_flags"].sum() / n if n else float("nan"),
                "share_flagged": float((free["n_flags"] > 0).mean()) if n else float("nan")}

    def delays(self, target_only: bool = False) -> pd.Series:
        d = self.target() if target_only else self.scored
        return d["delay"].dropna()


def evaluate(n_series: int = 1000, seed: int = 0, config: SimConfig | None = None,
             metrics: Sequence[str] = METRICS, alpha: float = 0.05, replay: str = "detected") -> Quality:
    """Generate, detect per account, score, run the oracle and the delay replays.

    ``replay``: ``detected`` (every detected drift), ``target`` (detected drifts of
    the target stratum only, cheaper) or ``none``. ``scored`` gets ``detected``,
    ``detected_nobh`` (a hit among the rows whose scan-corrected p ≤ alpha, i.e.
    without Benjamini–Hochberg: the price of BH), the oracle's columns, ``delay``
    and ``oracle_delay`` (on the replayed drifts).
    """
    sec = {}
    t0 = time.perf_counter()
    cfg = config or SimConfig()
    series, truth = generate(n_series, seed, cfg)
    sec["generate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    results = detect_accounts(series, metrics, alpha)
    sec["detect"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    flags = classify_flags(results, truth)
    nobh = results.assign(status=np.where(results["p_value"].to_numpy(float) <= alpha, "flag", "no_change"))
    scored = detections(results, truth).join(oracle(series, truth, alpha, cfg))
    scored["detected_nobh"] = detections(nobh, truth)["detected"]
    sec["score"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    scored["delay"] = np.nan
    scored["oracle_delay"] = np.nan
    if replay != "none":
        want = scored["detected"] & (in_target(scored) if replay == "target" else True)
        rows = scored.index[want.to_numpy(bool)]
        scored.loc[rows, "delay"] = replay_delays(series, truth, results, rows, metrics, alpha)
        scored.loc[rows, "oracle_delay"] = oracle_delays(series, truth, rows, alpha, config=cfg)
    sec["replay"] = time.perf_counter() - t0
    return Quality(series, truth, results, flags, scored, sec)


def _q(d: pd.Series, q: float) -> str:
    return f"{d.quantile(q):.0f}" if len(d) else "–"


def format_report(q: Quality) -> str:
    """The figures of ``q`` as text (what ``bench/drift_quality.py`` prints)."""
    s, lines = q.scored, []
    drifted = s.loc[s["driver"] != "none"]
    tgt = q.target()
    lines.append(f"series          {len(s):,}: {len(drifted):,} with a planted drift, {len(s) - len(drifted):,} "
                 f"drift-free; {s['account'].nunique()} accounts, one detect call (BH) per account; "
                 f"metrics {', '.join(METRICS)}")
    v = q.flags["verdict"].value_counts()
    lines.append(f"flags           {len(q.flags):,}: " + ", ".join(f"{k} {v.get(k, 0)}" for k in
                 ["hit", "drift_free", "wrong_metric", "wrong_direction", "misdated"]))
    lines.append(f"precision       {q.precision:.3f} (hits / flags; target ≥ 0.9); {q.alarm_precision:.3f} "
                 f"if misdated flags are not counted as false alarms")
    lines.append(f"recall          {q.recall:.3f} of all drifts (oracle {drifted['oracle_detected'].mean():.3f}); "
                 f"target stratum {tgt['detected'].mean():.3f} (n = {len(tgt)}; target ≥ 0.9), "
                 f"without BH {tgt['detected_nobh'].mean():.3f}, oracle {tgt['oracle_detected'].mean():.3f}")
    for name, d in (("target", q.delays(True)), ("all detected", q.delays())):
        if len(d) and (name == "target" or len(d) > len(q.delays(True))):
            o = s.loc[d.index, "oracle_delay"].dropna()
            lines.append(f"delay, {name:<8} median {d.median():.0f} d, p90 {_q(d, .9)} d, ≤ 3 d {(d <= 3).mean():.0%} "
                         f"(n = {len(d)})" + ("; target median ≤ 3" if name == "target" else "")
                         + f"; oracle on the same drifts median {o.median():.0f} d, p90 {_q(o, .9)} d")
    for name, rows in (("target", tgt), ("target cvr", tgt.loc[tgt["driver"] == "cvr"]), ("all", drifted)):
        m = q.miss_reasons(rows)
        lines.append(f"misses, {name:<10} {int(m.sum())} of {len(rows)}: " + ", ".join(f"{k} {v}" for k, v in m.items()))
    dated = q.flags.loc[q.flags["verdict"].isin(["hit", "misdated"])]
    ab = dated.loc[dated["shape"] == "abrupt", "start_error"].abs()
    gr = dated.loc[dated["shape"] == "gradual"]
    past_ramp = gr["start_error"] - (gr["ramp_days"] - 1)
    lines.append(f"dating          flags on the right metric and direction: abrupt |found − planted| ≤ 1 d "
                 f"{(ab <= 1).mean():.0%}, ≤ 3 d {(ab <= 3).mean():.0%}, ≤ 7 d {(ab <= 7).mean():.0%} (n = {len(ab)}); "
                 f"gradual within the ramp ± 3 d {((gr['start_error'] >= -3) & (past_ramp <= 3)).mean():.0%} "
                 f"(n = {len(gr)})")
    w = q.with_tolerance(7, 7)
    lines.append(f"tolerance ±7 d  precision {w['precision']:.3f}, recall {w['recall']:.3f}, target stratum "
                 f"{w['target_recall']:.3f} (for comparison; the figures above use −{TOL_BEFORE}/+{TOL_AFTER} d)")
    fa, fa_acc = q.false_alarms(), q.false_alarms(True)
    lines.append(f"false alarms    drift-free accounts: {fa_acc['per_1000']:.1f} flags per 1,000 series, "
                 f"{fa_acc['share_flagged']:.1%} of series flagged (n = {fa_acc['series']}; target ≤ 5 %)")
    lines.append(f"                all drift-free series: {fa['per_1000']:.1f} flags per 1,000 series, "
                 f"{fa['share_flagged']:.1%} flagged (n = {fa['series']}; BH is more lenient in accounts with drifts)")
    lines.append("")
    lines.append("recall by stratum: ours | ours without BH (scan-corrected p ≤ 0.05) | oracle that knows the day")
    tab = recall_table(s)
    lines.append(f"  {'stratum':<14} {'value':<26} {'n':>5} {'ours':>6} {'no BH':>6} {'oracle':>7}")
    for r in tab.itertuples(index=False):
        lines.append(f"  {r.stratum:<14} {r.value:<26} {r.n:>5} {r.recall:>6.2f} {r.recall_nobh:>6.2f} "
                     f"{r.oracle_recall:>7.2f}")
    replayed = s.loc[s["delay"].notna()]
    if len(replayed):
        lines.append("")
        lines.append("delay by stratum, days (replayed drifts): ours median / p90 | oracle median / p90")
        st = strata(replayed)
        for col in ["driver", "shape", "shift", "conv_per_day"]:
            for value in sorted(st[col].unique(), key=_stratum_order):
                d = replayed.loc[st[col] == value]
                lines.append(f"  {col:<14} {value:<26} {len(d):>5} {d['delay'].median():>6.0f} {_q(d['delay'], .9):>4}"
                             f" | {d['oracle_delay'].median():>4.0f} {_q(d['oracle_delay'].dropna(), .9):>4}")
    g = cvr_power_grid()
    c = g.attrs["critical"]
    lines.append("")
    lines.append(f"analytic power against an abrupt CVR drop, 120-day series: oracle (|z| > {c['oracle']:.2f}) / "
                 f"scan (> {c['scan']:.2f}) / scan + BH alone among 24 tests (> {c['scan_bh']:.2f})")
    shifts = sorted(g["shift"].unique())
    lines.append(f"  {'conv/day':>8} {'days after':>10}  " + "  ".join(f"{'−' + format(x, '.0%'):>14}" for x in shifts))
    for (cv, a), x in g.groupby(["conv_per_day", "days_after"], sort=True):
        cells = [f"{r.oracle:.2f}/{r.scan:.2f}/{r.scan_bh:.2f}" for r in x.sort_values("shift").itertuples()]
        lines.append(f"  {cv:>8.0f} {a:>10d}  " + "  ".join(f"{cell:>14}" for cell in cells))
    return "\n".join(lines)


__all__ = ["SimConfig", "generate", "detect_accounts", "window", "classify_flags", "detections", "oracle",
           "oracle_delays", "replay_delays", "scan_critical", "cvr_power_grid", "in_target", "strata", "recall_table", "evaluate", "format_report", "Quality",
           "METRICS", "TOL_BEFORE", "TOL_AFTER", "REPLAY_CUTS"]


# ---------------------------------------------------------------------------------
# Online detection against the oracle (issue 19)
# ---------------------------------------------------------------------------------
# The product sees one export a day. optimizer.drift.online runs its sequential
# detector as each day arrives (it is causal: the alarm of day t reads days ≤ t
# only), so the day it alarms is the product's first day, with no replay. The
# yardstick is an oracle that knows the series and the change day and looks once a
# day from the change on, with the *same* false-alarm rate per look as the product
# has per series-day (budget / 7,000 for a budget per 1,000 series-weeks): its first
# detecting day is what could be seen at all at that level.

def look_level(false_alarms: float) -> float:
    """The two-sided level of one daily look that has the budget's false alarms per
    series-day: ``false_alarms / 1,000 / 7``."""
    return float(false_alarms) / 7000.0


def oracle_first_days(series: pd.DataFrame, truth: pd.DataFrame, level: float,
                      config: SimConfig | None = None) -> pd.Series:
    """Per drifted truth row: the first day ``j`` (1 = the change day itself has
    arrived) on which the oracle test of :func:`_oracle_one` on the days up to
    ``start + j − 1`` has a two-sided p ≤ ``level`` in the right direction; NaN when
    it never does within the series."""
    cfg = config or truth.attrs.get("config") or SimConfig()
    by_entity = {key: d for key, d in series.groupby(["level", "entity"], sort=False)}
    out = pd.Series(np.nan, index=truth.index, dtype=float)
    for idx, r in truth.loc[truth["driver"] != "none"].iterrows():
        d = by_entity[(r["level"], r["entity"])]
        sign = np.sign(r["change"])
        for j in range(1, int(r["days_after"]) + 1):
            cut = d.loc[d["date"] < r["start"] + pd.Timedelta(days=j)]
            z, p = _oracle_one(cut, r["driver"], r["start"], cfg)
            if p <= level and np.sign(z) == sign:
                out[idx] = float(j)
                break
    return out


def online_alarms(series: pd.DataFrame, false_alarms: float, metrics: Sequence[str] = METRICS,
                  h: float | None = None) -> pd.DataFrame:
    """Every alarm of :func:`optimizer.drift.online.alarms` on every series and metric,
    run day by day: columns level, entity, metric, day (the date of the alarm's morning
    data), start (the change day it points at), z."""
    from optimizer.drift import online
    hs = {m: online.threshold(false_alarms, m) if h is None else h for m in metrics}
    rows = []
    for (level, entity), d in series.groupby(["level", "entity"], sort=False):
        d = d.sort_values("date")
        dates = pd.DatetimeIndex(d["date"])
        s = online._Series(d["clicks"].to_numpy(float), d["cost"].to_numpy(float),
                           d["conversions"].to_numpy(float), dates.day_of_week.to_numpy(), 28)
        for m in metrics:
            for a in online._alarms_one(s, m, hs[m], 7, drift.MIN_CLICKS, drift.MIN_CONVERSIONS):
                rows.append({"level": level, "entity": entity, "metric": m, "day": dates[a.day],
                             "start": dates[a.start], "z": a.z})
    return pd.DataFrame(rows, columns=["level", "entity", "metric", "day", "start", "z"])


@dataclass
class OnlineQuality:
    """What :func:`evaluate_online` measured: per drifted series its ``delay`` (days of
    the drift seen when the product first alarmed on it, right metric, direction and
    date) and ``oracle_delay`` (the oracle's at the same level); the final results
    (with their change-day ranges); false alarms."""

    truth: pd.DataFrame
    scored: pd.DataFrame
    results: pd.DataFrame
    alarms: pd.DataFrame
    false_alarms_budget: float
    false_alarm_count: int
    series_weeks: float
    seconds: dict

    @property
    def false_alarms_per_1000(self) -> float:
        return 1000 * self.false_alarm_count / self.series_weeks if self.series_weeks else float("nan")

    def within_budget(self, confidence: float = 0.95) -> bool:
        """The count of false alarms is consistent with the budget: not above the
        ``confidence`` quantile of a Poisson count at the budget's expected rate."""
        expected = self.false_alarms_budget * self.series_weeks / 1000
        return self.false_alarm_count <= stats.poisson.ppf(confidence, expected)

    def both(self) -> pd.DataFrame:
        """Drifted series that the oracle and the product both detected, with ``excess``."""
        s = self.scored
        b = s.loc[s["delay"].notna() & s["oracle_delay"].notna()].copy()
        b["excess"] = b["delay"] - b["oracle_delay"]
        return b

    def seen_early(self, days: int = 7, slack: int = 2) -> pd.DataFrame:
        """Shifts the oracle sees within ``days`` days that lasted long enough to judge
        (``days_after ≥ oracle delay + slack``), with ``found_in_time`` (delay ≤ oracle + slack)."""
        s = self.scored
        e = s.loc[(s["oracle_delay"] <= days) & (s["days_after"] >= s["oracle_delay"] + slack)].copy()
        e["found_in_time"] = e["delay"].notna() & (e["delay"] <= e["oracle_delay"] + slack)
        return e

    def range_coverage(self) -> pd.DataFrame:
        """Detected shifts with ``covered``: the change-day range of the final result
        (``start_low`` … ``start_high`` of the hit row) holds a day of the change (the
        planted day; any day of the ramp for a gradual shift)."""
        return self.scored.loc[self.scored["covered"].notna()]


def evaluate_online(n_series: int = 1000, seed: int = 0, false_alarms: float | None = None,
                    config: SimConfig | None = None, metrics: Sequence[str] = METRICS) -> OnlineQuality:
    """Generate (as :func:`evaluate`), run the online detector day by day on every series,
    and score it against the oracle at the same level (see the section comment)."""
    from optimizer.drift import online
    budget = online.DEFAULT_FALSE_ALARMS if false_alarms is None else float(false_alarms)
    cfg = config or SimConfig()
    sec = {}
    t0 = time.perf_counter()
    series, truth = generate(n_series, seed, cfg)
    sec["generate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    al = online_alarms(series, budget, metrics)
    results = online.detect(series, list(metrics), false_alarms=budget)
    sec["detect"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    oracle_delay = oracle_first_days(series, truth, look_level(budget), cfg)
    q = score_alarms(truth, al, results, oracle_delay, budget, cfg, metrics, sec)
    sec["score"] = time.perf_counter() - t0
    return q


def score_alarms(truth: pd.DataFrame, al: pd.DataFrame, results: pd.DataFrame, oracle_delay: pd.Series,
                 budget: float, config: SimConfig, metrics: Sequence[str] = METRICS,
                 seconds: dict | None = None) -> OnlineQuality:
    """Score the alarms ``al`` of any method run day by day (columns level, entity, metric,
    day, start, z: one row per alarm raised, or per day a flag is shown) against
    ``truth``: the product's delay is the first alarm day on or after the planted start
    on the right metric and direction pointing at a day of the tolerance window; false
    alarms are every alarm of a drift-free series and every alarm before the change of a
    drifted one, over the same series-weeks; the change-day range is judged on the
    ``flag`` rows of ``results`` (the last day's). ``oracle_delay``: :func:`oracle_first_days`."""
    cfg = config
    scored = truth.copy()
    # alarms on the drifted series: the first that is a hit gives the delay
    lo, hi = window(truth)
    key = truth.set_index(["level", "entity"]).index
    info = pd.DataFrame({"driver": truth["driver"].to_numpy(), "change": truth["change"].to_numpy(),
                         "start_true": truth["start"].to_numpy(), "lo": lo.to_numpy(), "hi": hi.to_numpy()},
                        index=key)
    a = al.join(info, on=["level", "entity"])
    expected = _expected_sign(a["driver"], a["change"], a["metric"])
    hit = (a["driver"].to_numpy() != "none") & (expected != 0) & (np.sign(a["z"].to_numpy(float)) == expected) \
        & (a["start"] >= a["lo"]).to_numpy(bool) & (a["start"] <= a["hi"]).to_numpy(bool) \
        & (a["day"] >= a["start_true"]).to_numpy(bool)
    first = a.loc[hit].groupby(["level", "entity"])["day"].min()
    fd = pd.Series([first.get(k, pd.NaT) for k in key], index=truth.index)
    scored["delay"] = (pd.to_datetime(fd) - truth["start"]).dt.days + 1.0
    scored["oracle_delay"] = oracle_delay
    a = a.loc[a["onset"]] if "onset" in a else a
    # false alarms: every alarm of a drift-free series, and on drifted ones every alarm before the change
    free = a["driver"].to_numpy() == "none"
    before = ~free & (a["day"] < a["start_true"]).to_numpy(bool)
    n_false = int(free.sum() + before.sum())
    days = cfg.days
    weeks_free = (truth["driver"] == "none").sum() * sum((days - (28 if m == "spend" else 7)) / 7 for m in metrics)
    pre = truth.loc[truth["driver"] != "none"]
    weeks_pre = sum(max(0, days - int(r.days_after) - (28 if m == "spend" else 7)) / 7
                    for r in pre.itertuples() for m in metrics)
    # change-day range of the final results: the hit rows
    fl = results.loc[results["status"] == "flag"]
    cls = classify_flags(fl, truth) if len(fl) else fl.assign(verdict=[])
    # every flag on the right metric and direction (hit or misdated): coverage is not judged
    # on the flags that count as hits because their range holds the day
    hits = cls.loc[cls["verdict"].isin(["hit", "misdated"])]
    if len(hits):
        ramp_end = hits["true_start"] + pd.to_timedelta((hits["ramp_days"].clip(lower=1) - 1)
                                                        .where(hits["shape"] == "gradual", 0), unit="D")
        cov = ((hits["start_low"] <= ramp_end) & (hits["start_high"] >= hits["true_start"]))
        width = (hits["start_high"] - hits["start_low"]).dt.days + 1
        c = pd.DataFrame({"level": hits["level"], "entity": hits["entity"], "covered": cov, "width": width})
        c = c.groupby(["level", "entity"]).agg(covered=("covered", "max"), width=("width", "min"))
        scored = scored.join(c, on=["level", "entity"])
    else:
        scored["covered"], scored["width"] = np.nan, np.nan
    return OnlineQuality(truth, scored, results, al, budget, n_false, float(weeks_free + weeks_pre), seconds or {})


# The scan (optimizer.drift.scan.detect + Benjamini–Hochberg per account) run the same
# way: each morning on the days so far. It re-tests the whole history every day, so a
# flag can come and go; an *alarm* is a flag that is shown today and was not yesterday
# (its onset), and the delay is the first day a hit is shown.

def scan_daily(series: pd.DataFrame, metrics: Sequence[str] = METRICS, first_day: int | None = None,
               min_days: int = 7) -> pd.DataFrame:
    """:func:`optimizer.drift.scan.detect` on the days up to each day of ``series`` (from
    the first day a change can be tested, ``min_days`` + 3, unless ``first_day``): one row
    per tested series, metric and day — level, entity, account, metric, day, start,
    start_low, start_high, change, p_value (scan-corrected, before Benjamini–Hochberg,
    which :func:`scan_alarms` applies per account at any level)."""
    dates = pd.DatetimeIndex(sorted(series["date"].unique()))
    first = (min_days + drift.MIN_DAYS_AFTER) if first_day is None else first_day
    account = series.drop_duplicates(["level", "entity"]).set_index(["level", "entity"])["account"]
    keep = ["level", "entity", "metric", "start", "start_low", "start_high", "change", "p_value"]
    parts = []
    for day in dates[first - 1:]:
        r = drift.detect(series.loc[series["date"] <= day], list(metrics), min_days=min_days)
        r = r.loc[r["p_value"].notna(), keep]
        parts.append(r.assign(day=day))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*keep, "day"])
    out["account"] = account.reindex(pd.MultiIndex.from_frame(out[["level", "entity"]])).to_numpy()
    return out


def scan_alarms(daily: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """The flags of :func:`scan_daily` at false discovery rate ``alpha`` (Benjamini–Hochberg
    over each account's tests of each day, as the product does): one row per series,
    metric and day a flag is shown — level, entity, metric, day, start, z (signed normal
    quantile of the p value), ``onset`` (not shown the day before: a new alarm)."""
    cols = ["level", "entity", "metric", "day", "start", "z", "onset"]
    if daily.empty:
        return pd.DataFrame(columns=cols)
    p = daily["p_value"].to_numpy(float)
    q = np.empty(len(daily))
    for _, idx in daily.groupby(["account", "day"], sort=False).indices.items():
        q[idx] = multipletests(p[idx], alpha=alpha, method="fdr_bh")[1]
    f = daily.loc[q <= alpha].copy()
    f["z"] = np.sign(f["change"].to_numpy(float)) * stats.norm.isf(f["p_value"].to_numpy(float) / 2)
    prev = f[["level", "entity", "metric", "day"]].assign(day=f["day"] + pd.Timedelta(days=1), _was=True)
    f = f.merge(prev, on=["level", "entity", "metric", "day"], how="left")
    f["onset"] = f["_was"].isna()
    return f[cols].reset_index(drop=True)


def scan_false_alarms(daily: pd.DataFrame, truth: pd.DataFrame, alpha: float, config: SimConfig | None = None,
                      metrics: Sequence[str] = METRICS) -> float:
    """False alarms per 1,000 series-weeks of the daily scan at ``alpha`` (as :func:`score_alarms`
    counts them: onsets on drift-free series and before the change of drifted ones)."""
    cfg = config or truth.attrs.get("config") or SimConfig()
    empty = pd.Series(np.nan, index=truth.index)
    q = score_alarms(truth, scan_alarms(daily, alpha), daily.iloc[:0].assign(status=[]), empty, 1.0, cfg, metrics)
    return q.false_alarms_per_1000


def scan_alpha_for(daily: pd.DataFrame, truth: pd.DataFrame, false_alarms: float, config: SimConfig | None = None,
                   metrics: Sequence[str] = METRICS, grid: Sequence[float] | None = None) -> float:
    """The largest ``alpha`` of ``grid`` (default 1e-6 … 0.1, 4 a decade) at which the daily
    scan's false alarms per 1,000 series-weeks are at most ``false_alarms``."""
    grid = np.sort(np.asarray(grid if grid is not None else 10.0 ** np.arange(-6, -0.99, 0.25)))[::-1]
    for a in grid:
        if scan_false_alarms(daily, truth, float(a), config, metrics) <= false_alarms:
            return float(a)
    return float(grid[-1])


def evaluate_scan_daily(n_series: int = 1000, seed: int = 0, alpha: float | None = None,
                        false_alarms: float | None = None, config: SimConfig | None = None,
                        metrics: Sequence[str] = METRICS, daily: pd.DataFrame | None = None,
                        oracle_delay: pd.Series | None = None) -> OnlineQuality:
    """The scan + Benjamini–Hochberg run each morning (:func:`scan_daily`), scored as the
    online detector is (:func:`score_alarms`). ``alpha``: its FDR level; when None, the
    level at which its measured false alarms per 1,000 series-weeks stay within
    ``false_alarms`` on this very set (:func:`scan_alpha_for`: the two methods compared at
    the same false-alarm rate; chosen in-sample, so it flatters the scan). The oracle
    looks at the level of ``false_alarms`` (:func:`look_level`), or of the measured rate
    when that is None. ``daily`` / ``oracle_delay``: reuse an earlier run on the same
    ``n_series`` and ``seed``. ``seconds['alpha']`` holds the level used."""
    from optimizer.drift import online
    cfg = config or SimConfig()
    sec = {}
    t0 = time.perf_counter()
    series, truth = generate(n_series, seed, cfg)
    if daily is None:
        daily = scan_daily(series, metrics)
    sec["detect"] = time.perf_counter() - t0
    if alpha is None:
        false_alarms = online.DEFAULT_FALSE_ALARMS if false_alarms is None else float(false_alarms)
        alpha = scan_alpha_for(daily, truth, false_alarms, cfg, metrics)
    al = scan_alarms(daily, alpha)
    rate = scan_false_alarms(daily, truth, alpha, cfg, metrics)
    level = false_alarms if false_alarms is not None else max(rate, 1e-3)
    last = daily.loc[daily["day"] == daily["day"].max()]
    lal = al.loc[al["day"] == daily["day"].max(), ["level", "entity", "metric"]].assign(status="flag")
    results = last.merge(lal, on=["level", "entity", "metric"], how="left").fillna({"status": "no_change"})
    if oracle_delay is None:
        oracle_delay = oracle_first_days(series, truth, look_level(level), cfg)
    q = score_alarms(truth, al, results, oracle_delay, float(level), cfg, metrics, sec)
    q.seconds.update(alpha=alpha, daily=daily)
    return q


def size_label(change: pd.Series) -> pd.Series:
    edges, labels = STRATA["shift"]
    return pd.cut(change.abs(), edges, labels=labels, right=False).astype(str)


def volume_label(conv: pd.Series) -> pd.Series:
    edges, labels = STRATA["conv_per_day"]
    return pd.cut(conv, edges, labels=labels, right=False).astype(str)


def excess_table(q: OnlineQuality) -> pd.DataFrame:
    """Delay − oracle delay by driver, size and volume (and all): n (drifts), oracle
    (share the oracle detects), found (share the product detects), both, median delay,
    median oracle delay, median and p90 excess, share within oracle + 2 of the shifts the
    oracle sees within 7 days, range coverage."""
    s = q.scored.loc[q.scored["driver"] != "none"].copy()
    s["excess"] = s["delay"] - s["oracle_delay"]
    s["size"], s["volume"] = size_label(s["change"]), volume_label(s["conv_per_day"])
    early = (s["oracle_delay"] <= 7) & (s["days_after"] >= s["oracle_delay"] + 2)
    s["in_time"] = np.where(early, s["delay"].notna() & (s["delay"] <= s["oracle_delay"] + 2), np.nan)
    rows = [("all", "", s)]
    for col in ("driver", "size", "volume"):
        for v in sorted(s[col].unique(), key=_stratum_order):
            rows.append((col, v, s.loc[s[col] == v]))
    for drv in ("cpc", "cvr"):
        for v in STRATA["conv_per_day"][1]:
            rows.append(("driver × volume", f"{drv}, {v}", s.loc[(s["driver"] == drv) & (s["volume"] == v)]))
    out = []
    for a, b, x in rows:
        both = x.loc[x["delay"].notna() & x["oracle_delay"].notna()]
        out.append({"stratum": a, "value": b, "n": len(x), "oracle": x["oracle_delay"].notna().mean() if len(x) else np.nan,
                    "found": x["delay"].notna().mean() if len(x) else np.nan, "both": len(both),
                    "delay": both["delay"].median(), "oracle_delay": both["oracle_delay"].median(),
                    "excess": both["excess"].median(), "excess_p90": both["excess"].quantile(0.9) if len(both) else np.nan,
                    "in_time": x["in_time"].mean(), "n_early": int(x["in_time"].notna().sum()),
                    "coverage": x["covered"].astype(float).mean() if x["covered"].notna().any() else np.nan})
    return pd.DataFrame(out)


def format_online(q: OnlineQuality, method: str | None = None) -> str:
    """The figures of a method run day by day (what ``bench/drift_quality.py`` prints):
    the online detector's, or ``method`` names another (the daily scan)."""
    from optimizer.drift import online
    lines = []
    s = q.scored
    drifted = s.loc[s["driver"] != "none"]
    b = q.both()
    e = q.seen_early()
    cov = q.range_coverage()
    level = look_level(q.false_alarms_budget)
    what = ("online detector (h " + ", ".join(f"{m} {online.threshold(q.false_alarms_budget, m):.2f}"
                                              for m in online.CALIBRATION_BY_METRIC) + ")" if method is None else method)
    lines.append(f"{what}, budget {q.false_alarms_budget:.3g} false alarms per 1,000 series-weeks "
                 f"(oracle looks at two-sided level {level:.2e}, |z| > {stats.norm.isf(level / 2):.2f})")
    lines.append(f"  drifts {len(drifted)}: found {drifted['delay'].notna().mean():.3f}, oracle "
                 f"{drifted['oracle_delay'].notna().mean():.3f}; both {len(b)}")
    lines.append(f"  excess delay (product − oracle, both found): median {b['excess'].median():.0f} d, "
                 f"mean {b['excess'].mean():.2f}, p90 {b['excess'].quantile(.9):.0f} d (target median ≤ 1)")
    lines.append(f"  seen by the oracle within 7 d: {len(e)}, found by oracle + 2: {e['found_in_time'].mean():.3f} "
                 f"({int((~e['found_in_time']).sum())} late or missed; target: all)")
    lines.append(f"  false alarms {q.false_alarm_count} in {q.series_weeks:,.0f} series-weeks = "
                 f"{q.false_alarms_per_1000:.3f} per 1,000 (budget {q.false_alarms_budget:g}; "
                 f"{'within' if q.within_budget() else 'OVER'} the budget at 95 %)")
    lines.append(f"  change-day range holds the true day: {cov['covered'].mean():.3f} of {len(cov)} detected shifts "
                 f"(median width {cov['width'].median():.0f} d; target ≥ 0.9)")
    lines.append("")
    lines.append("  by stratum: n, oracle finds, product finds, both | median delay product / oracle, excess median / p90"
                 " | within oracle + 2 (n) | range coverage")
    for r in excess_table(q).itertuples(index=False):
        lines.append(f"  {r.stratum:<16} {r.value:<24} {r.n:>4} {r.oracle:>5.2f} {r.found:>5.2f} {r.both:>4} | "
                     f"{r.delay:>4.0f} {r.oracle_delay:>4.0f} {r.excess:>4.0f} {r.excess_p90:>4.0f} | "
                     f"{r.in_time:>5.2f} ({r.n_early:>3}) | {r.coverage:>5.2f}")
    return "\n".join(lines)
