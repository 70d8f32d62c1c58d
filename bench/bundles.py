"""Benchmark: propose oCPC bundles for 2,000 plans and 200,000 keywords.

Builds a canonical account in memory (deterministic): a daily plan report of 2,000
plans over 30 days in 7 business lines, with true CPA groups, and a keyword report of
200,000 distinct keywords spread over the plans (dated inside the evidence window:
Baidu's partial last day is left out of it). Measured in a fresh process: plan
evidence (including classifying every keyword to find each plan's line and stage
mix), the proposal, the bundle summary and the CPC keyword candidates. Reference in
the same run: classifying the same 200,000 keywords alone (most of the work).
Target (issue 5): under 5 s.

Usage: python -m bench.bundles
"""
from __future__ import annotations

from pathlib import Path

from bench import _measure as measure
from bench.stages import keywords

OUT = Path(__file__).resolve().parent / "out"

SETUP = """
import numpy as np, pandas as pd
from optimizer.reading.schema import conform
from optimizer.keywords.stages import Classifier
from optimizer.bundles.propose import plan_evidence, propose, summarize, cpc_keywords, window_performance
words = open(sys.argv[2], encoding="utf-8").read().split("\\n")
rng = np.random.default_rng(5)
n_plans, days = 2000, 30
lines = ["开锁", "换锁", "修锁", "指纹锁", "汽车开锁", "保险柜开锁", "配钥匙"]
plans = [f"{lines[i % 7]}-计划{i:04d}" for i in range(n_plans)]
group_cpa = rng.choice([50, 80, 120, 180], n_plans)
dates = pd.date_range("2026-10-26", periods=days)
clicks = rng.poisson(40, (n_plans, days))
cvr = 8.0 / group_cpa
conv = rng.binomial(clicks, cvr[:, None])
cost = clicks * 8.0
plan_rows = pd.DataFrame({"platform": "baidu", "report_type": "campaign", "source_file": "plans.csv",
    "source_row": np.arange(n_plans * days) + 2, "account": "A", "campaign": np.repeat(plans, days),
    "date": np.tile(dates, n_plans), "period_start": np.tile(dates, n_plans), "period_end": np.tile(dates, n_plans),
    "clicks": clicks.ravel().astype(float), "conversions": conv.ravel().astype(float), "cost": cost.ravel().astype(float),
    "impressions": clicks.ravel() * 20.0, "currency": "CNY"})
kw_plan = rng.integers(0, n_plans, len(words))
kw_rows = pd.DataFrame({"platform": "baidu", "report_type": "keyword", "source_file": "kw.csv",
    "source_row": np.arange(len(words)) + 2, "account": "A", "campaign": np.array(plans)[kw_plan],
    "ad_group": "单元", "keyword": words, "date": dates[-2], "period_start": dates[-2], "period_end": dates[-2],
    "clicks": rng.poisson(3, len(words)).astype(float), "cost": 24.0, "conversions": rng.poisson(0.3, len(words)).astype(float),
    "impressions": 60.0, "currency": "CNY"})
from optimizer.reading.schema import concat
table = concat([conform(plan_rows), conform(kw_rows)])
clf = Classifier("locksmith")
clf.classify(["学开锁", "locksmith"])  # load jieba's dictionary before timing
"""

BODY = """
if sys.argv[1] == "classify":
    clf.classify(words)
    extra = {"plans": 0, "bundles": 0}
else:
    rows, perf = window_performance(table, clf)
    ev = plan_evidence(table, clf, perf=perf)
    prop = propose(ev)
    summary = summarize(prop)
    cpc = cpc_keywords(perf, rows)
    extra = {"plans": len(ev), "bundles": len(summary), "cpc": len(cpc)}
"""


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "keywords_200000.txt"
    if not path.exists():
        path.write_text("\n".join(keywords(200_000)), encoding="utf-8")
    ref = measure.run(SETUP, BODY, "classify", str(path))
    full = measure.run(SETUP, BODY, "bundles", str(path))
    print(f"account         {full['plans']:,} plans, 200,000 keywords, 30 days")
    print(f"classify only   {ref['seconds']:6.2f} s   (reference: labelling the keywords)")
    print(f"bundles         {full['seconds']:6.2f} s   peak +{full['peak_mb']:.0f} MiB   "
          f"{full['bundles']} bundles, {full['cpc']} CPC keywords   (target < 5 s)")


if __name__ == "__main__":
    main()
