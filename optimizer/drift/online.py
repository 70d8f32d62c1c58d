"""Cost drift as it arrives: a sequential change detector run day by day, with a
false-alarm budget the optimizer sets.

Takes the daily series of :func:`optimizer.drift.scan.daily_series`; gives, per
(entity, metric), the alarms the detector would have raised had it been run on the
morning after each day (:func:`alarms`), and the same result rows as
:func:`optimizer.drift.scan.detect` (:func:`detect`), so that the page, workbook and
command line read one table whatever the method.

Method: a windowed generalised likelihood ratio (GLR, Lai 1995)
-----------------------------------------------------------------
On day ``t`` (the last day whose data has arrived) and for every candidate change
day ``k`` of the last :data:`WINDOW` days (``k ≤ t``: a change seen for one day can
already be flagged), the days of the current regime before ``k`` are compared with
the days ``k … t``, and the comparison is put on the scale of a standard normal
(the signed root of a likelihood ratio, or a studentised difference):

* CVR — conversions ~ Binomial(clicks, p): the signed root of the binomial deviance
  of "one rate" against "a rate before ``k`` and another from ``k``", divided by the
  square root of the quasi-binomial dispersion ``phi`` (Pearson X² / (days − 1),
  at least 1) of the baseline days.
* CPC — cost is a compound sum of click prices (compound Poisson over a day: Poisson
  clicks, each at a random price), so given a day's clicks ``n_d`` its log CPC is
  about normal with variance ``tau² + sigma² / n_d`` (``sigma²``: the spread of
  single click prices averaged over the day's clicks; ``tau²``: the whole day's
  auction moving). Both are estimated by least squares of the baseline's squared
  residuals on ``[1, 1/n_d]``; the days are weighted by the inverse variance and
  the difference of weighted means is divided by its standard error; the t
  statistic (df = baseline days − 2) is mapped to the normal quantile with the
  same tail.
* CPA = CPC / CVR: ``(Δ log CPC − Δ log CVR) / sqrt(v_CPC + v_CVR)`` with the two
  variances above (Katz variance of the log rate ratio, times ``phi``).
* spend — weekday-adjusted log daily cost (weekday factors from the series' first
  ``baseline_days`` days, as the scan), equal weights, studentised by the baseline's
  standard deviation; tested from day ``baseline_days`` on.

The baseline of day ``t`` is the regime's days before the window (at least
``min_days``); it never holds a candidate change day, so the variance estimates are
not inflated by the change being looked for. The detector *alarms* on the first day
``t`` where ``max_k |z_tk| ≥ h``; the change day of the alarm is the maximising
``k``. It then restarts with that day as the start of a new regime (the old level
is no longer the reference) and can alarm again after ``min_days`` days of it.

The threshold ``h`` and the false-alarm budget
----------------------------------------------
``h`` is set by the expected number of false alarms per 1,000 series-weeks
(:data:`DEFAULT_FALSE_ALARMS`): the rate at which the detector raises an alarm on
a series that does not change. It is calibrated by simulation
(:func:`calibrate`): drift-free generated plans (:mod:`optimizer.quality.drift_quality`:
negative-binomial clicks, day-level and per-click price noise, beta-binomial
conversions) are run day by day and the alarms counted at each ``h``; the table
:data:`CALIBRATION` (h → false alarms per 1,000 series-weeks, every metric
together) is the result, cached in this file, and :func:`threshold` interpolates it
(log-linear). A test re-runs a smaller calibration and checks the table.

Each metric has its own ``h`` (:data:`CALIBRATION_BY_METRIC`): every metric is held to
the budget alone, so every series-week, whatever its metric, has the same expected
false alarms and the account's total is the budget as before. With one ``h`` for all,
CPA and spend (heavier tails: CPA adds CPC's and CVR's noise, spend moves with demand)
used most of the budget and CPC and CVR, at h 5.39, almost never alarmed falsely — and
were slow to alarm truly. At 0.15: h 4.71 (CPC), 4.87 (CVR), 5.33 (CPA), 5.25 (spend).

Default budget: the sample account is tested on 212 series (53 entities × 4
metrics: account, 3 business lines, 3 bundles, 8 plans, 38 keywords); an optimizer
with 30 such accounts watches 6,360 series, so about one false alarm a week across
them is 1,000 / 6,360 ≈ 0.157 per 1,000 series-weeks: the default is 0.15
(0.95 a week, about 4 a month).

Assumptions: the days of a regime are independent given its level (no trend, no
autocorrelation beyond the day-level noise modelled); a gradual change is flagged
somewhere in its ramp. The generated noise follows this model, so real accounts
will see somewhat more false alarms than the budget says.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri, stdtr, xlogy

from optimizer.drift import scan as drift

#: candidate change days looked at on each day (the last WINDOW days, today included)
WINDOW = 28
#: false alarms per 1,000 series-weeks, by default (module docstring: 30 accounts × 212 series)
DEFAULT_FALSE_ALARMS = 0.15
#: series of the sample account, and accounts per optimizer, behind the default
SERIES_PER_ACCOUNT, ACCOUNTS = 212, 30
#: the support interval of the change day: days within 1/32 of the best day's likelihood
SUPPORT_RATIO = drift.SUPPORT_RATIO

#: h → false alarms per 1,000 series-weeks on drift-free generated plans (:func:`calibrate`,
#: 2,000 plans × 120 days × metrics cpc, cvr, cpa, spend, seed 11: 123,143 series-weeks,
#: 16 alarms at the last h; CPA and spend contribute most of them)
CALIBRATION = (
    (4.000, 4.353), (4.125, 3.045), (4.250, 2.225), (4.375, 1.697), (4.500, 1.186), (4.625, 0.763),
    (4.750, 0.577), (4.875, 0.422), (5.000, 0.309), (5.125, 0.227), (5.250, 0.179), (5.375, 0.154),
    (5.500, 0.130),
)

#: per metric, h → its own false alarms per 1,000 series-weeks (:func:`calibrate`, two runs pooled:
#: 1,000 plans seed 11 and 500 plans seed 21, grid 4.0 … 5.5; 24,214 series-weeks each for CPC, CVR
#: and CPA, 19,714 for spend; points with at least 3 alarms, so the extrapolation to a small budget
#: runs along the steepest measured stretch and errs high). One ``h`` for every metric spends most of
#: the budget on CPA and spend (at h 5.39 CPC and CVR alarm almost never); holding each metric to the
#: budget alone keeps every series-week at the budget and lowers CVR's h from 5.39 to about 4.9.
CALIBRATION_BY_METRIC = {
    "cpc": ((4.000, 1.652), (4.250, 0.619), (4.500, 0.289)),
    "cvr": ((4.000, 3.304), (4.250, 1.115), (4.500, 0.496)),
    "cpa": ((4.000, 6.443), (4.250, 3.717), (4.500, 2.271), (4.750, 1.032), (5.000, 0.372), (5.250, 0.186)),
    "spend": ((4.000, 8.877), (4.250, 4.362), (4.500, 2.587), (4.750, 1.268), (5.000, 0.659), (5.250, 0.152)),
}

@dataclass(frozen=True)
class Alarm:
    """One alarm of one series: the day it was raised (``day``, index into the
    series), the change day it points at (``start``), its statistic (``z``, signed)."""

    day: int
    start: int
    z: float


def threshold(false_alarms: float = DEFAULT_FALSE_ALARMS, metric: str | None = None) -> float:
    """The ``h`` whose expected false alarms per 1,000 series-weeks is ``false_alarms``:
    of ``metric`` alone (:data:`CALIBRATION_BY_METRIC`: every metric held to the same
    rate, so every series-week of the account is), or of every metric sharing one ``h``
    (:data:`CALIBRATION`) when ``metric`` is None. Log-linear in between, extrapolated
    from the last two points."""
    if not false_alarms > 0:
        raise ValueError("the false-alarm budget must be above 0")
    table = CALIBRATION if metric is None else CALIBRATION_BY_METRIC[metric]
    h = np.array([a for a, _ in table], float)
    r = np.array([b for _, b in table], float)
    ok = r > 0
    h, lr = h[ok], np.log(r[ok])
    x = np.log(false_alarms)
    if x >= lr[0]:
        i = 0
    elif x <= lr[-1]:
        i = len(h) - 2
    else:
        i = int(np.searchsorted(-lr, -x)) - 1
    return float(h[i] + (x - lr[i]) * (h[i + 1] - h[i]) / (lr[i + 1] - lr[i]))


# ---------------------------------------------------------------------------------
# One series
# ---------------------------------------------------------------------------------
class _Series:
    """Prefix sums of one series for every statistic (index i: the sum of days < i)."""

    def __init__(self, clicks, cost, conv, weekday, baseline_days: int):
        self.n = len(clicks)
        c = np.asarray(clicks, float)
        cost = np.asarray(cost, float)
        x = np.asarray(conv, float)
        self.has_conv = bool(np.isfinite(x).all())
        x = np.nan_to_num(x)
        pos = (c > 0) & (cost > 0)
        y = np.where(pos, np.log(np.where(pos, cost, 1.0) / np.where(pos, c, 1.0)), 0.0)
        inv = np.where(pos, 1.0 / np.where(pos, c, 1.0), 0.0)
        self.c, self.x, self.cost, self.y, self.pos, self.inv = c, x, cost, y, pos, inv

        def cum(a):
            return np.r_[0.0, np.cumsum(a)]

        self.C, self.X, self.COST = cum(c), cum(x), cum(cost)
        self.D = cum(c > 0)                                        # days with clicks
        self.X2N = cum(np.where(c > 0, x ** 2 / np.where(c > 0, c, 1.0), 0.0))
        # CPC baseline moments
        self.P = cum(pos)
        self.Y, self.Y2, self.YI, self.Y2I = cum(y), cum(y * y), cum(y * inv), cum(y * y * inv)
        self.I, self.I2 = cum(inv), cum(inv * inv)
        # spend: weekday-adjusted log cost
        wd = np.asarray(weekday, int)
        base = min(baseline_days, self.n)
        f = drift._weekday_factors(cost, wd, base) if self.n else np.ones(7)
        adjusted = cost / f[wd] if self.n else cost
        self.spend_start = base
        s = np.log(adjusted + drift.SPEND_LOG_OFFSET * max(adjusted[:base].mean() if base else 0.0, 1e-9))
        self.s, self.S, self.S2 = s, cum(s), cum(s * s)
        self.adjusted, self.fd = adjusted, f[wd] if self.n else np.ones(0)


def _cvr_phi(s: _Series, lo, hi):
    """Quasi-binomial dispersion of days [lo, hi) (arrays), at least 1."""
    n = s.C[hi] - s.C[lo]
    x = s.X[hi] - s.X[lo]
    days = s.D[hi] - s.D[lo]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        pearson = (s.X2N[hi] - s.X2N[lo] - 2 * p * x + p * p * n) / (p * (1 - p))
        phi = pearson / (days - 1)
    return np.where(np.isfinite(phi) & (days > 1), np.maximum(phi, 1.0), 1.0)


def _cpc_components(s: _Series, lo, hi):
    """(tau², sigma²) of the daily log CPC over days [lo, hi) (arrays): least squares of
    the squared residuals from the mean on [1, 1/clicks], clipped at 0."""
    m = s.P[hi] - s.P[lo]
    with np.errstate(divide="ignore", invalid="ignore"):
        ybar = (s.Y[hi] - s.Y[lo]) / m
        r0 = s.Y2[hi] - s.Y2[lo] - 2 * ybar * (s.Y[hi] - s.Y[lo]) + ybar ** 2 * m
        r1 = (s.Y2I[hi] - s.Y2I[lo]) - 2 * ybar * (s.YI[hi] - s.YI[lo]) + ybar ** 2 * (s.I[hi] - s.I[lo])
        scale = m / (m - 1)
        r0, r1 = r0 * scale, r1 * scale
        s0, s1, s2 = m, s.I[hi] - s.I[lo], s.I2[hi] - s.I2[lo]
        det = s0 * s2 - s1 * s1
        tau2 = (r0 * s2 - r1 * s1) / det
        sig2 = (s0 * r1 - s1 * r0) / det
    only_tau = ~(sig2 > 0) | ~np.isfinite(det) | (det <= 0)
    tau2 = np.where(only_tau, r0 / np.where(m > 0, m, 1), tau2)
    sig2 = np.where(only_tau, 0.0, sig2)
    only_sig = ~only_tau & ~(tau2 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        sig2 = np.where(only_sig, r1 / s2, sig2)
    tau2 = np.where(only_sig, 0.0, tau2)
    return np.maximum(np.nan_to_num(tau2), 0.0), np.maximum(np.nan_to_num(sig2), 0.0), m


def _t2z(t, df):
    at = np.abs(t)
    small = np.where(at < 40, at, 0.0)
    dfc = np.where(df >= 1, df, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(at < 40, np.sign(t) * -ndtri(np.clip(stdtr(dfc, -small), 1e-300, 0.5)), np.sign(t) * 40)
    return np.where(np.isfinite(t) & (df >= 1), z, np.nan)


def _stats(s: _Series, metric: str, r: int, t: np.ndarray, k: np.ndarray, base_hi: np.ndarray,
           min_clicks: float, min_conversions: float) -> dict:
    """z of every (t, k) pair (arrays of one shape): regime start ``r``, before = [r, k),
    after = [k, t], variance / dispersion from the baseline [r, base_hi). Also the
    parts the result row needs (before, after, log ratio and its variance)."""
    t1 = t + 1
    n1, n2 = s.C[k] - s.C[r], s.C[t1] - s.C[k]
    x1, x2 = s.X[k] - s.X[r], s.X[t1] - s.X[k]
    out = {"n1": n1, "n2": n2, "x1": x1, "x2": x2}
    enough = (n1 >= min_clicks) & (n2 > 0)
    if metric in ("cvr", "cpa"):
        if not s.has_conv:
            return {**out, "z": np.full(t.shape, np.nan)}
        rate = np.where(n1 + n2 > 0, (x1 + x2) / np.where(n1 + n2 > 0, n1 + n2, 1), 0.0)
        enough &= (n1 * rate >= min_conversions) & (x1 + x2 > 0)
        phi = _cvr_phi(s, np.full(t.shape, r), base_hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            p1, p2 = x1 / n1, x2 / n2

            def ll(xx, nn):
                p = np.divide(xx, nn, out=np.zeros_like(xx, dtype=float), where=nn > 0)
                return xlogy(xx, p) + xlogy(nn - xx, 1 - p)

            dev = 2 * (ll(x1, n1) + ll(x2, n2) - ll(x1 + x2, n1 + n2))
            z_cvr = np.sign(p2 - p1) * np.sqrt(np.maximum(dev, 0.0) / phi)
            a1, a2 = np.where(x1 > 0, x1, 0.5), np.where(x2 > 0, x2, 0.5)
            lr_cvr = np.log(a2 / n2) - np.log(a1 / n1)
            v_cvr = phi * np.maximum(1 / a1 - 1 / n1 + 1 / a2 - 1 / n2, 0.0)
        out.update(p1=p1, p2=p2, lr_cvr=lr_cvr, v_cvr=v_cvr, phi=phi)
        if metric == "cvr":
            return {**out, "z": np.where(enough, z_cvr, np.nan), "lr": lr_cvr, "v": v_cvr}
    if metric in ("cpc", "cpa"):
        tau2, sig2, m = _cpc_components(s, np.full(t.shape, r), base_hi)
        # weighted sums over [r, k) and [k, t]: w = 1 / (tau² + sig² / n) depends on the
        # baseline only (one per distinct baseline end), so one prefix sum of w and w·y each
        ub, which = np.unique(base_hi.ravel(), return_inverse=True)
        tu, su = _cpc_components(s, np.full(len(ub), r), ub)[:2]
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(s.pos[None, :], 1.0 / (tu[:, None] + su[:, None] * s.inv[None, :]), 0.0)
        w = np.where(np.isfinite(w), w, 0.0)
        CW = np.concatenate([np.zeros((len(ub), 1)), np.cumsum(w, axis=1)], axis=1)
        CWY = np.concatenate([np.zeros((len(ub), 1)), np.cumsum(w * s.y[None, :], axis=1)], axis=1)
        u = which.reshape(t.shape)
        W1, W2 = CW[u, k] - CW[u, r], CW[u, t1] - CW[u, k]
        with np.errstate(divide="ignore", invalid="ignore"):
            m1, m2 = (CWY[u, k] - CWY[u, r]) / W1, (CWY[u, t1] - CWY[u, k]) / W2
            se = np.sqrt(1 / W1 + 1 / W2)
            tstat = (m2 - m1) / se
        df = m - 2
        ok_cpc = enough & (W1 > 0) & (W2 > 0) & (m >= 4) & (tau2 + sig2 > 0)
        out.update(d_cpc=m2 - m1, v_cpc=se ** 2)
        if metric == "cpc":
            return {**out, "z": np.where(ok_cpc, _t2z(tstat, df), np.nan), "lr": m2 - m1, "v": se ** 2}
        with np.errstate(divide="ignore", invalid="ignore"):
            v = out["v_cpc"] + out["v_cvr"]
            d = out["d_cpc"] - out["lr_cvr"]
            z = d / np.sqrt(v)
        # the CPC part is a t with the baseline's df: shrink z as _t2z does when CPC dominates
        return {**out, "z": np.where(ok_cpc & enough, z, np.nan), "lr": d, "v": v}
    # spend
    nd1, nd2 = (k - r).astype(float), (t1 - k).astype(float)
    sb = np.maximum(s.spend_start, r)
    valid = (t >= s.spend_start) & (k >= sb)
    bm = (base_hi - r).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mb = (s.S[base_hi] - s.S[r]) / bm
        var = (s.S2[base_hi] - s.S2[r] - bm * mb * mb) / (bm - 1)
        m1 = (s.S[k] - s.S[r]) / nd1
        m2 = (s.S[t1] - s.S[k]) / nd2
        se = np.sqrt(var * (1 / nd1 + 1 / nd2))
        tstat = (m2 - m1) / se
    ok = valid & (n1 >= min_clicks) & (nd1 > 0) & (var > 0) & (bm >= 3)
    return {**out, "z": np.where(ok, _t2z(tstat, bm - 1), np.nan), "lr": m2 - m1, "v": se ** 2}


def _alarms_one(s: _Series, metric: str, h: float, min_days: int, min_clicks: float, min_conversions: float,
                window: int = WINDOW, upto: int | None = None, paths: list | None = None) -> list[Alarm]:
    """The alarms of one series and metric, day by day (restart at each alarm's change day).
    ``paths``: when a list, each regime's daily max |z| (days, values) is appended (calibration)."""
    n = s.n if upto is None else min(upto, s.n)
    out: list[Alarm] = []
    r = 0
    j = np.arange(window)
    while True:
        first_t = r + min_days
        if first_t >= n:
            return out
        t = np.arange(first_t, n)[:, None]
        k = t - j[None, :]
        lo_k = r + min_days
        valid = k >= lo_k
        kk = np.where(valid, k, lo_k)
        base_hi = np.maximum(r + min_days, t - window + 1) + 0 * kk
        res = _stats(s, metric, r, t + 0 * kk, kk, base_hi, min_clicks, min_conversions)
        z = np.where(valid, res["z"], np.nan)
        az = np.where(np.isfinite(z), np.abs(z), -1.0)
        best = np.argmax(az, axis=1)
        top = az[np.arange(len(t)), best]
        if paths is not None:
            paths.append(top)
        hit = np.flatnonzero(top >= h)
        if not len(hit):
            return out
        i = int(hit[0])
        day, start = int(t[i, 0]), int(kk[i, best[i]])
        out.append(Alarm(day, start, float(z[i, best[i]])))
        r = start


def alarms(d: pd.DataFrame, metric: str, h: float | None = None, false_alarms: float = DEFAULT_FALSE_ALARMS,
           min_days: int = 7, baseline_days: int = 28, min_clicks: float = drift.MIN_CLICKS,
           min_conversions: float = drift.MIN_CONVERSIONS, upto: int | None = None) -> list[Alarm]:
    """The alarms the detector raises on one series ``d`` (one entity, sorted by date;
    columns of :data:`optimizer.drift.scan.SERIES_COLUMNS`) and ``metric``, had it been
    run each morning on the days so far (``upto``: only the first ``upto`` days arrived).
    ``h``: the threshold (default :func:`threshold` of ``false_alarms``)."""
    h = threshold(false_alarms, metric) if h is None else h
    s = _Series(d["clicks"].to_numpy(float), d["cost"].to_numpy(float), d["conversions"].to_numpy(float),
                pd.DatetimeIndex(d["date"]).day_of_week.to_numpy(), baseline_days)
    return _alarms_one(s, metric, h, min_days, min_clicks, min_conversions, upto=upto)


def _profile(s: _Series, metric: str, r: int, end: int, min_days: int, min_clicks: float,
             min_conversions: float, base_hi: int) -> tuple[np.ndarray, dict]:
    """z of every candidate change day k of the regime [r, end] (after = [k, end])."""
    k = np.arange(r + min_days, end + 1)
    t = np.full(len(k), end)
    res = _stats(s, metric, r, t, k, np.full(len(k), max(base_hi, r + min_days)), min_clicks, min_conversions)
    return k, res


def _row(s: _Series, metric: str, level: str, entity: str, dates: pd.DatetimeIndex, found: list[Alarm],
         h: float, min_days: int, min_clicks: float, min_conversions: float, window: int) -> dict:
    n = s.n
    row = drift._result(level, entity, metric, "too_little_data")
    row.update(start_low=pd.NaT, start_high=pd.NaT, alarm=pd.NaT, z=np.nan, alarms=len(found))
    if n < min_days + 1:
        row["note"] = f"{n} days; {min_days + 1} needed"
        return row
    if metric in ("cvr", "cpa") and not s.has_conv:
        row["note"] = "no conversions reported"
        return row
    if found:
        a = found[-1]
        r = found[-2].start if len(found) > 1 else 0
        k, res = _profile(s, metric, r, n - 1, min_days, min_clicks, min_conversions, a.start)
        z = res["z"]
        same = np.isfinite(z) & (np.sign(z) == np.sign(a.z))
        if same.any():
            z2 = np.where(same, z * z, -np.inf)
            i = int(np.argmax(z2))
            keep = k[z2 >= z2[i] - 2 * np.log(SUPPORT_RATIO)]
            row.update(start_low=dates[int(keep.min())], start_high=dates[int(keep.max())])
        else:
            i = int(np.flatnonzero(k == a.start)[0]) if (k == a.start).any() else 0
        status = "flag"
        row["alarm"] = dates[a.day]
    else:
        r = 0
        end = n - 1
        lo = max(r + min_days, end - window + 1)
        k, res = _profile(s, metric, r, end, min_days, min_clicks, min_conversions, lo)
        z = res["z"]
        win = k >= lo
        if not (np.isfinite(z) & win).any():
            c = s.C[n] - s.C[0]
            row["note"] = (f"{c:.0f} clicks; {drift._count(min_clicks)} needed before a change" if c < 2 * min_clicks
                           else "too little evidence before every candidate day")
            return row
        i = int(np.nanargmax(np.where(win & np.isfinite(z), np.abs(z), -1.0)))
        status = "no_change"
    kk = int(k[i])
    zz = float(res["z"][i])
    n1, n2, x1, x2 = (float(res[c][i]) for c in ("n1", "n2", "x1", "x2"))
    c1, c2 = s.COST[kk] - s.COST[r], s.COST[n] - s.COST[kk]
    lr, v = float(res["lr"][i]), float(res["v"][i])
    if metric == "cvr":
        before, after = x1 / n1 if n1 else np.nan, x2 / n2 if n2 else np.nan
        money = c2 * (1 - after / before) if before > 0 else np.nan
        note = f"quasi-binomial dispersion {float(res['phi'][i]):.2f}"
    elif metric == "cpc":
        before, after = c1 / n1, c2 / n2
        money = c2 - before * n2
        note = "click-weighted log CPC"
    elif metric == "cpa":
        before, after = (c1 / x1 if x1 > 0 else np.nan), (c2 / x2 if x2 > 0 else np.nan)
        money = c2 - (c1 / x1) * x2 if x1 > 0 else np.nan
        cvr_change = (x2 / n2) / (x1 / n1) - 1 if x1 > 0 and n2 > 0 else np.nan
        note = f"CPC {(c2 / n2) / (c1 / n1) - 1:+.0%}, CVR {cvr_change:+.0%}"
    else:
        before, after = s.adjusted[r:kk].mean(), s.adjusted[kk:].mean()
        money = c2 - before * s.fd[kk:].sum()
        note = "weekday-adjusted mean daily spend"
    ratio = after / before if before and np.isfinite(before) and before > 0 else np.nan
    if metric in ("cpc", "spend"):
        centre = np.log(ratio) if ratio > 0 else np.nan
    else:
        centre = lr
    lo_ci, hi_ci = np.exp(centre + np.array([-1, 1]) * h * np.sqrt(v)) - 1 if np.isfinite(v) else (np.nan, np.nan)
    row.update(status=status, start=dates[kk], before=before, after=after, change=ratio - 1, ci_low=lo_ci,
               ci_high=hi_ci, p_value=float(2 * ndtr(-abs(zz))) if np.isfinite(zz) else np.nan,
               money_at_stake=money, days_after=n - kk, note=note, z=zz)
    return row


#: the columns of :func:`detect`: the scan's, and ``alarm`` (the day the detector raised the
#: flag, seeing the days up to it), ``z`` (the statistic at the reported day), ``alarms`` (how
#: many times the series alarmed, restarting each time)
RESULT_COLUMNS = [*drift.RESULT_COLUMNS, "alarm", "z", "alarms"]


def detect(series: pd.DataFrame, metric: str | Sequence[str] | None = None, baseline_days: int = 28,
           min_days: int = 7, false_alarms: float = DEFAULT_FALSE_ALARMS, min_clicks: float = drift.MIN_CLICKS,
           min_conversions: float = drift.MIN_CONVERSIONS, h: float | None = None) -> pd.DataFrame:
    """One row per (level, entity) of ``series`` and metric, in the shape of
    :func:`optimizer.drift.scan.detect` plus ``alarm``, ``z`` and ``alarms`` (:data:`RESULT_COLUMNS`).

    ``flag``: the detector has alarmed on this series; the row describes its latest
    alarm — ``start`` the most likely change day of that regime (the profile over
    every day of it, up to today), ``start_low`` … ``start_high`` its 1/32 support
    interval, ``alarm`` the morning it was first raised, before / after the regime's
    levels on each side of ``start`` up to today, ci the change's interval at the
    multiplier ``h`` (it excludes 0 about when the series is flagged), p_value the
    per-look p of the z at ``start`` (not corrected: the budget does that), q_value
    empty. ``no_change``: the strongest candidate day of the last :data:`WINDOW` days.
    ``too_little_data``: no candidate day has ``min_days`` days and ``min_clicks``
    clicks (``min_conversions`` expected, CVR and CPA) before it. Evidence minimums
    hold on the *before* side only: the after side needs whatever the threshold asks.
    Sorted as the scan's: flags first, by money at stake.
    """
    metrics = drift.METRICS if metric is None else ((metric,) if isinstance(metric, str) else tuple(metric))
    bad = [m for m in metrics if m not in drift.METRICS]
    if bad:
        raise ValueError(f"unknown metric(s) {bad}; use {drift.METRICS}")
    if min_days < 1 or baseline_days < 1:
        raise ValueError("min_days and baseline_days must be positive")
    hs = {m: threshold(false_alarms, m) if h is None else float(h) for m in metrics}
    rows = []
    if not series.empty:
        for (level, entity), d in series.groupby(["level", "entity"], sort=False):
            d = d.sort_values("date")
            dates = pd.DatetimeIndex(d["date"])
            s = _Series(d["clicks"].to_numpy(float), d["cost"].to_numpy(float), d["conversions"].to_numpy(float),
                        dates.day_of_week.to_numpy(), baseline_days)
            for m in metrics:
                found = _alarms_one(s, m, hs[m], min_days, min_clicks, min_conversions)
                rows.append(_row(s, m, level, entity, dates, found, hs[m], min_days, min_clicks, min_conversions,
                                 WINDOW))
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in RESULT_COLUMNS})
    out = pd.DataFrame(rows)
    for c in RESULT_COLUMNS:
        if c not in out:
            out[c] = np.nan
    out = out[RESULT_COLUMNS]
    for c in ("start", "start_low", "start_high", "alarm"):
        out[c] = pd.to_datetime(out[c])
    order = out["status"].map({"flag": 0, "no_change": 1, "too_little_data": 2})
    return (out.assign(_o=order, _m=-out["money_at_stake"].abs().fillna(0))
            .sort_values(["_o", "_m"], kind="stable").drop(columns=["_o", "_m"]).reset_index(drop=True))


# ---------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------
def calibrate(n_series: int = 2000, seed: int = 11, metrics: Sequence[str] = drift.METRICS,
              grid: Sequence[float] = (3.5, 3.75, 4.0, 4.25, 4.5, 4.75, 5.0), min_days: int = 7,
              baseline_days: int = 28) -> pd.DataFrame:
    """False alarms per 1,000 series-weeks at each ``h`` of ``grid``, on ``n_series``
    drift-free generated plans (:func:`optimizer.quality.drift_quality.generate`), every
    metric of ``metrics``, run day by day with restarts (each alarm restarts the series
    at its change day, so the alarms at a lower ``h`` are counted with their own
    restarts). Columns metric (one row per metric and ``all``), h, alarms,
    series_weeks, per_1000."""
    from optimizer.quality import drift_quality as dq
    cfg = dq.SimConfig(drift_free_accounts=1.0)
    series, _ = dq.generate(n_series, seed, cfg)
    counts = {(m, h): 0 for m in metrics for h in grid}
    weeks = dict.fromkeys(metrics, 0.0)
    low = min(grid)
    for _, d in series.groupby("entity", sort=False):
        dates = pd.DatetimeIndex(d["date"])
        s = _Series(d["clicks"].to_numpy(float), d["cost"].to_numpy(float), d["conversions"].to_numpy(float),
                    dates.day_of_week.to_numpy(), baseline_days)
        for m in metrics:
            weeks[m] += (s.n - (baseline_days if m == "spend" else min_days)) / 7
            lowest = _alarms_one(s, m, low, min_days, drift.MIN_CLICKS, drift.MIN_CONVERSIONS)
            if not lowest:   # no alarm at the lowest h: none at a higher one
                continue
            for h in grid:
                counts[(m, h)] += len(lowest) if h == low else len(
                    _alarms_one(s, m, h, min_days, drift.MIN_CLICKS, drift.MIN_CONVERSIONS))
    rows = [{"metric": m, "h": h, "alarms": counts[(m, h)], "series_weeks": weeks[m]} for m in metrics for h in grid]
    rows += [{"metric": "all", "h": h, "alarms": sum(counts[(m, h)] for m in metrics),
              "series_weeks": sum(weeks.values())} for h in grid]
    out = pd.DataFrame(rows)
    out["per_1000"] = 1000 * out["alarms"] / out["series_weeks"]
    return out


__all__ = ["WINDOW", "DEFAULT_FALSE_ALARMS", "CALIBRATION", "Alarm", "threshold", "alarms", "detect", "calibrate",
           "RESULT_COLUMNS"]
