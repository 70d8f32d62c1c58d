"""Benchmark: quality of cost-drift detection on generated plans with planted drifts.

Generates plan-level daily series (120 days, accounts of 8 plans, a quarter of the
accounts drift-free; drifts of CPC or CVR, 10–60 %, abrupt or gradual, lasted 7–45
days, plans of 1–40 conversions a day), runs optimizer.drift.scan.detect once per account
(metrics CPC, CVR, CPA), matches the flags against the planted truth, replays the
detected drifts on truncated series for the detection delay, and compares with an
oracle test that knows the change day (see optimizer/quality/drift_quality.py for every
definition).

Prints precision, recall, median / p90 delay, false alarms per 1,000 drift-free
series and the share of them flagged, why the target stratum's misses were missed,
the recall per stratum (ours, ours without Benjamini–Hochberg, the oracle's), delay
per stratum, and the run time. Targets (issue 6, point 7), on drifts of ≥ 20 % that
have lasted ≥ 7 days on plans of ≥ 5 conversions a day: recall ≥ 0.9; precision
≥ 0.9; median delay ≤ 3 days; ≤ 5 % of the series of drift-free accounts flagged.

First, the online detector (optimizer/drift/online.py, issue 19): for every planted
shift the day it first alarms (run as each day arrives) against the first day an
oracle that knows the series and the change day detects it at the same false-alarm
level; delay − oracle delay by driver, size and volume; false alarms per 1,000
series-weeks against the budget; how often the change-day range holds the true day.

Then (--compare) the scan + Benjamini–Hochberg run the same way, each morning on the
days so far, at the FDR level whose measured false alarms per 1,000 series-weeks stay
within the same budget (and at its old default 0.05, next to the online detector at the
rate that gives): the two methods side by side against the same oracle. The daily scan
re-runs the scan about 110 times: a few minutes for 400 series.

Usage: python bench/drift_quality.py [--series N] [--seed S] [--replay detected|target|none]
       [--false-alarms B] [--compare] [--scan-alpha A]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.quality import drift_quality as dq  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=1000, help="plans to generate (default 1000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--replay", choices=["detected", "target", "none"], default="detected",
                    help="which detected drifts to replay for the delay (default: all)")
    ap.add_argument("--false-alarms", type=float, default=None,
                    help="online detector's budget, false alarms per 1,000 series-weeks (default: the product's)")
    ap.add_argument("--compare", action="store_true",
                    help="also run the scan + BH each morning and compare at the same false-alarm rate")
    ap.add_argument("--scan-alpha", type=float, default=None,
                    help="with --compare: the scan's FDR level (default: the level whose measured false alarms "
                         "stay within the budget on this very set, which flatters the scan)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    oq = dq.evaluate_online(args.series, seed=args.seed, false_alarms=args.false_alarms)
    print(f"online drift detection against the oracle at the same level, seed {args.seed}")
    print(dq.format_online(oq))
    print(f"run time        {time.perf_counter() - t0:.1f} s")
    print("")
    if args.compare:
        t0 = time.perf_counter()
        budget = oq.false_alarms_budget
        sq = dq.evaluate_scan_daily(args.series, seed=args.seed, alpha=args.scan_alpha, false_alarms=budget,
                                    oracle_delay=oq.scored["oracle_delay"])
        print(f"scan + BH run each morning at FDR {sq.seconds['alpha']:.2g} (measured "
              f"{sq.false_alarms_per_1000:.3f} false alarms per 1,000 series-weeks), against the same oracle")
        print(dq.format_online(sq, f"scan + BH each morning, FDR {sq.seconds['alpha']:.2g}"))
        old = dq.evaluate_scan_daily(args.series, seed=args.seed, alpha=0.05, daily=sq.seconds["daily"])
        rate = old.false_alarms_per_1000
        print("")
        print(f"at the scan's old default FDR 0.05: {rate:.2f} false alarms per 1,000 series-weeks "
              f"({rate / budget:.0f} × the budget); both methods at that rate:")
        print(dq.format_online(old, "scan + BH each morning, FDR 0.05"))
        print(dq.format_online(dq.evaluate_online(args.series, seed=args.seed, false_alarms=rate)))
        print(f"run time        {time.perf_counter() - t0:.1f} s")
        print("")
    t0 = time.perf_counter()
    q = dq.evaluate(args.series, seed=args.seed, replay=args.replay)
    total = time.perf_counter() - t0
    print(f"drift detection quality, seed {args.seed}")
    print(dq.format_report(q))
    s = q.seconds
    tested = int(q.results["p_value"].notna().sum())
    print("")
    print(f"run time        {total:.1f} s: generate {s['generate']:.1f} s, detect {s['detect']:.1f} s "
          f"({1000 * s['detect'] / max(tested, 1):.1f} ms per series × metric, {tested:,} tested), "
          f"score + oracle {s['score']:.1f} s, delay replay {s['replay']:.1f} s "
          f"({int(q.scored['delay'].notna().sum())} drifts)")


if __name__ == "__main__":
    main()
