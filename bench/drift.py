"""Benchmark: cost-drift detection on 10,000 daily series of 120 days, all four metrics.

Builds a long frame in the shape of :func:`optimizer.drift.scan.daily_series` in memory
(deterministic): local-service volumes — each series' mean clicks log-uniform in
5–300 a day with a weekly pattern (weekends busier or quieter, per series), CPC
¥5–15 with day-to-day price noise, CVR 3–15 %, conversions binomial — and about one
series in eight with a planted shift in its CPC (+30 %), CVR (−35 %) or volume
(+50 %) somewhere in its last 60 days. Measured in a fresh process: ``detect`` on
every series and metric (40,000 tests, Benjamini–Hochberg over all of them).
References in the same run, on the same frame: a pandas groupby-sum of clicks,
cost and conversions per series, and a bare numpy pass (sort by series and day,
reshape to series × days, cumulative sums of the three columns) — the least any
scan has to do. Target (issue): under 30 s on a 2-core CI machine.

``--per-series N`` also times the straightforward series-by-series path
(``_test_one`` per series and metric, the reference the fast path is tested
against) on the first N series, scaled to all of them.

Usage: python -m bench.drift [--series N] [--days D] [--per-series N]
"""
from __future__ import annotations

import argparse

from bench import _measure as measure

SETUP = """
import numpy as np, pandas as pd
from optimizer.drift import scan as drift
n_series, n_days, per_series = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(11)
dates = pd.date_range("2026-07-01", periods=n_days, freq="D")
weekday = dates.day_of_week.to_numpy()
lam = np.exp(rng.uniform(np.log(5), np.log(300), n_series))
weekend = rng.uniform(0.6, 1.5, n_series)                       # weekend / weekday volume
season = np.where(weekday[None, :] >= 5, weekend[:, None], 1.0)
cpc0, cvr0 = rng.uniform(5, 15, n_series), rng.uniform(0.03, 0.15, n_series)
kind = rng.choice(["none", "cpc", "cvr", "spend"], n_series, p=[0.88, 0.04, 0.04, 0.04])
shift_at = rng.integers(n_days - 60, n_days - 3, n_series)
after = np.arange(n_days)[None, :] >= shift_at[:, None]
volume = lam[:, None] * season * np.where(after & (kind == "spend")[:, None], 1.5, 1.0)
clicks = rng.poisson(volume * np.exp(rng.normal(0, 0.15, (n_series, n_days)))).astype(float)
cpc = cpc0[:, None] * np.exp(rng.normal(0, 0.06, (n_series, n_days))) \\
    * np.where(after & (kind == "cpc")[:, None], 1.3, 1.0)
cost = np.round(clicks * cpc, 2)
cvr = cvr0[:, None] * np.where(after & (kind == "cvr")[:, None], 0.65, 1.0)
conv = rng.binomial(clicks.astype(int), cvr).astype(float)
plans = np.array([f"计划{i:05d}" for i in range(n_series)], dtype=object)
accounts = np.array([f"账户{i // 500:02d}" for i in range(n_series)], dtype=object)
series = pd.DataFrame({"level": "campaign", "entity": np.repeat(plans, n_days), "date": np.tile(dates, n_series),
                       "clicks": clicks.ravel(), "cost": cost.ravel(), "conversions": conv.ravel()})
pos = series["clicks"].where(series["clicks"] > 0)
series["cpc"] = series["cost"] / pos
series["cvr"] = series["conversions"] / pos
series["cpa"] = series["cost"] / series["conversions"].where(series["conversions"] > 0)
series["platform"], series["account"], series["campaign"] = "baidu", np.repeat(accounts, n_days), series["entity"]
series = series[drift.SERIES_COLUMNS]
planted = int((kind != "none").sum())
"""

BODY = """
what = sys.argv[1]
if what == "groupby":
    g = series.groupby(["level", "entity"], sort=False)[["clicks", "cost", "conversions"]].sum()
    extra = {"series": len(g)}
elif what == "numpy":
    order = np.lexsort((series["date"].to_numpy(), series["entity"].to_numpy()))
    arrays = [series[c].to_numpy(float)[order].reshape(-1, n_days) for c in ("clicks", "cost", "conversions")]
    sums = [np.cumsum(a, axis=1) for a in arrays]
    extra = {"series": len(sums[0])}
elif what == "per_series":
    sub = series.iloc[:per_series * n_days]
    out = drift._finish(drift._results_one_by_one(sub, drift.METRICS, 28, 7), 0.05)
    extra = {"tests": len(out)}
else:
    out = drift.detect(series)
    tested = out.loc[out["status"] != "too_little_data"]
    flagged = out.loc[out["status"] == "flag"]
    extra = {"tests": len(out), "tested": len(tested), "flags": len(flagged),
             "flagged_series": int(flagged["entity"].nunique()), "planted": planted}
"""


def run(what: str, n_series: int, n_days: int, per_series: int = 0) -> dict:
    return measure.run(SETUP, BODY, what, str(n_series), str(n_days), str(per_series))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=120)
    ap.add_argument("--per-series", type=int, default=0, metavar="N",
                    help="also time the series-by-series reference path on N series")
    args = ap.parse_args()
    groupby = run("groupby", args.series, args.days)
    bare = run("numpy", args.series, args.days)
    ours = run("detect", args.series, args.days)
    print(f"data            {args.series:,} daily series x {args.days} days "
          f"({args.series * args.days:,} rows), {ours['planted']:,} with a planted shift")
    print(f"groupby-sum     {groupby['seconds']:6.2f} s   peak +{groupby['peak_mb']:7.1f} MiB   (reference: pandas)")
    print(f"numpy cumsums   {bare['seconds']:6.2f} s   peak +{bare['peak_mb']:7.1f} MiB   (reference: bare numpy)")
    print(f"detect          {ours['seconds']:6.2f} s   peak +{ours['peak_mb']:7.1f} MiB   "
          f"{ours['tests']:,} tests, {ours['tested']:,} tested, {ours['flags']:,} flags on "
          f"{ours['flagged_series']:,} series   (target < 30 s)")
    print(f"per test        {ours['seconds'] / ours['tests'] * 1e6:6.0f} us;  "
          f"{ours['seconds'] / groupby['seconds']:.1f} x the groupby-sum, {ours['seconds'] / bare['seconds']:.1f} x "
          f"the numpy pass")
    if args.per_series:
        ref = run("per_series", args.series, args.days, args.per_series)
        scaled = ref["seconds"] * args.series / args.per_series
        print(f"series by series {ref['seconds']:5.2f} s on {args.per_series:,} series, ~{scaled:.0f} s scaled to "
              f"{args.series:,} ({scaled / ours['seconds']:.0f} x detect)")


if __name__ == "__main__":
    main()
