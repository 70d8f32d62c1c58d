"""Cost drift (optimizer.drift.scan): hand-made series with a known change, the building of
daily series from a canonical table, planted drifts of generated accounts, drift-free
accounts, Benjamini–Hochberg, and the CPA decomposition."""
from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from optimizer.drift import scan as drift
from optimizer.reading import schema
from sample_data.generator import AccountConfig, DriftSpec, generate_account

DAY0 = pd.Timestamp("2026-09-01")
END = AccountConfig().end_date


def series(clicks, cost, conversions, entity="p", level="campaign"):
    """A hand-made series in the shape of daily_series."""
    clicks, cost, conversions = (np.asarray(a, float) for a in (clicks, cost, conversions))
    d = pd.DataFrame({"level": level, "entity": entity,
                      "date": pd.date_range(DAY0, periods=len(clicks), freq="D"),
                      "clicks": clicks, "cost": cost, "conversions": conversions})
    d["cpc"] = d["cost"] / d["clicks"].where(d["clicks"] > 0)
    d["cvr"] = d["conversions"] / d["clicks"].where(d["clicks"] > 0)
    d["cpa"] = d["cost"] / d["conversions"].where(d["conversions"] > 0)
    return d


def row(result, metric, entity="p"):
    return result.loc[(result["metric"] == metric) & (result["entity"] == entity)].iloc[0]


def canonical(daily: pd.DataFrame, platform="baidu", report_type="keyword") -> pd.DataFrame:
    """A generator's keyword-day frame as a canonical table."""
    return schema.conform(daily.assign(
        platform=platform, report_type=report_type, source_file="gen.csv",
        source_row=np.arange(2, len(daily) + 2), period_start=daily["date"], period_end=daily["date"],
        keyword_id=daily["keyword_id"].astype(str) if "keyword_id" in daily else None))


# ---------------------------------------------------------------------------------
# Hand-made series
# ---------------------------------------------------------------------------------
def test_cvr_that_halves_is_found_on_its_day_with_the_right_sign():
    rng = np.random.default_rng(1)
    n, k = 60, 40
    clicks = np.full(n, 100)
    p = np.where(np.arange(n) < k, 0.10, 0.05)
    conv = rng.binomial(clicks, p)
    r = drift.detect(series(clicks, clicks * 5.0, conv), "cvr")
    x = row(r, "cvr")
    assert x["status"] == "flag"
    assert abs((x["start"] - (DAY0 + pd.Timedelta(days=k))).days) <= 1
    assert x["change"] < 0 and x["ci_low"] < -0.5 < x["ci_high"]
    assert x["before"] == pytest.approx(0.10, abs=0.02) and x["after"] == pytest.approx(0.05, abs=0.02)
    # money: the after cost × (1 − CVR1/CVR0)
    after = clicks[int((x["start"] - DAY0).days):] * 5.0
    assert x["money_at_stake"] == pytest.approx(after.sum() * (1 - x["after"] / x["before"]))


def test_flat_series_is_not_flagged_on_any_metric():
    rng = np.random.default_rng(2)
    n = 70
    clicks = rng.poisson(80, n)
    cost = clicks * 6.0 * np.exp(rng.normal(0, 0.05, n))
    conv = rng.binomial(clicks, 0.1)
    r = drift.detect(series(clicks, cost, conv))
    assert set(r["metric"]) == set(drift.METRICS)
    assert (r["status"] == "no_change").all()
    assert (r["p_value"] > 0.05).all()


def test_cpc_step_is_flagged_and_money_is_extra_cost_of_the_after_clicks():
    rng = np.random.default_rng(3)
    n, k = 50, 35
    clicks = rng.poisson(60, n)
    cpc = np.where(np.arange(n) < k, 4.0, 5.2) * np.exp(rng.normal(0, 0.03, n))
    r = drift.detect(series(clicks, clicks * cpc, rng.binomial(clicks, 0.1)), ["cpc", "cvr"])
    x = row(r, "cpc")
    assert x["status"] == "flag" and x["start"] == DAY0 + pd.Timedelta(days=k)
    assert x["change"] == pytest.approx(0.30, abs=0.03) and x["ci_low"] < 0.30 < x["ci_high"]
    assert x["money_at_stake"] == pytest.approx(
        (clicks[k:] * cpc[k:]).sum() - x["before"] * clicks[k:].sum())
    assert row(r, "cvr")["status"] == "no_change"


def test_recent_change_needs_only_three_days_after_it():
    n = 40
    clicks = np.full(n, 200)
    cost = np.where(np.arange(n) < n - 3, 2.0, 3.0) * clicks
    x = row(drift.detect(series(clicks, cost, np.full(n, 20)), "cpc"), "cpc")
    assert x["start"] == DAY0 + pd.Timedelta(days=n - 3) and x["days_after"] == 3


def test_spend_weekday_pattern_is_not_a_change_but_a_level_step_is():
    rng = np.random.default_rng(4)
    n = 84
    weekday = pd.date_range(DAY0, periods=n, freq="D").day_of_week.to_numpy()
    seasonal = np.where(weekday >= 5, 1.6, 0.85)       # strong weekend peak
    noise = np.exp(rng.normal(0, 0.05, n))
    clicks = np.full(n, 100)
    flat = series(clicks, 500 * seasonal * noise, np.full(n, 10))
    assert row(drift.detect(flat, "spend"), "spend")["status"] == "no_change"
    step = series(clicks, 500 * seasonal * noise * np.where(np.arange(n) < 56, 1.0, 1.5), np.full(n, 10))
    x = row(drift.detect(step, "spend"), "spend")
    assert x["status"] == "flag" and abs((x["start"] - (DAY0 + pd.Timedelta(days=56))).days) <= 1
    assert x["change"] == pytest.approx(0.5, abs=0.08) and x["money_at_stake"] > 0


def test_cpa_is_tested_through_cvr_and_cpc():
    rng = np.random.default_rng(5)
    n, k = 60, 40
    clicks = rng.poisson(150, n)
    cost = clicks * 5.0 * np.exp(rng.normal(0, 0.03, n))
    conv = rng.binomial(clicks, np.where(np.arange(n) < k, 0.12, 0.07))
    x = row(drift.detect(series(clicks, cost, conv), "cpa"), "cpa")
    assert x["status"] == "flag" and abs((x["start"] - (DAY0 + pd.Timedelta(days=k))).days) <= 1
    assert x["change"] > 0.4 and "CVR" in x["note"]
    after = slice(int((x["start"] - DAY0).days), None)
    assert x["money_at_stake"] == pytest.approx((x["after"] - x["before"]) * conv[after].sum())


def test_too_little_data():
    few_days = series(np.full(9, 100), np.full(9, 500.0), np.full(9, 10))
    few_clicks = series(np.full(40, 1), np.full(40, 5.0), np.zeros(40))
    r = drift.detect(pd.concat([few_days.assign(entity="a"), few_clicks.assign(entity="b")]))
    assert (r["status"] == "too_little_data").all()
    assert r["p_value"].isna().all() and r["q_value"].isna().all()
    assert r["note"].str.len().gt(0).all()
    with pytest.raises(ValueError):
        drift.detect(few_days, "ctr")


def thin_start(n=90):
    """A keyword whose first week converted 4 times on 42 clicks, then about 0.8 %: the
    strongest CVR change leaves under one conversion expected before it."""
    clicks = np.full(n, 6.0)
    conv = np.zeros(n)
    conv[[0, 2, 3, 5]] = 1                     # 4 conversions in the first 7 days
    conv[[20, 45, 60, 80]] = 1                 # 4 in the other 83 days (498 clicks)
    return series(clicks, clicks * 5.0, conv, entity="开锁-北京-04 / 开锁师傅", level="keyword")


def test_a_change_resting_on_a_thin_side_is_too_little_data_not_a_flag():
    s = thin_start()
    loose = drift.detect(s, ["cvr", "cpa"], min_conversions=0, min_clicks=0)
    assert row(loose, "cvr", s["entity"][0])["status"] == "flag"     # what used to be shown
    r = drift.detect(s, ["cvr", "cpa"])
    for metric in ("cvr", "cpa"):
        x = row(r, metric, s["entity"][0])
        assert x["status"] == "too_little_data", x.to_dict()
        assert np.isnan(x["p_value"]) and pd.isna(x["start"])
        assert "conversions expected" in x["note"] and f"{drift.MIN_CONVERSIONS} needed" in x["note"]


def test_conversions_that_stop_are_still_flagged():
    # 10 % for 50 days, then none: few conversions after, but ~80 expected there at the series' rate
    n, k = 70, 50
    clicks = np.full(n, 40.0)
    conv = np.where(np.arange(n) < k, 4.0, 0.0)
    x = row(drift.detect(series(clicks, clicks * 5.0, conv), "cvr"), "cvr")
    assert x["status"] == "flag" and x["start"] == DAY0 + pd.Timedelta(days=k) and x["change"] == -1


def test_cpc_and_spend_need_clicks_on_both_sides():
    # 1 click every other day: 25 clicks before a CPC step on day 50, 10 after it
    n, k = 70, 50
    sparse = np.where(np.arange(n) % 2 == 0, 1.0, 0.0)
    cpc = np.where(np.arange(n) < k, 4.0, 8.0)
    s = series(sparse, sparse * cpc, np.zeros(n), entity="sparse")
    loose = drift.detect(s, ["cpc", "spend"], min_clicks=0, baseline_days=60)
    assert row(loose, "cpc", "sparse")["status"] == "flag"
    r = drift.detect(s, ["cpc", "spend"], baseline_days=60)
    for metric in ("cpc", "spend"):
        x = row(r, metric, "sparse")
        assert x["status"] == "too_little_data" and f"{drift.MIN_CLICKS} needed" in x["note"], x.to_dict()
    with pytest.raises(ValueError):
        drift.detect(s, min_clicks=-1)


def test_benjamini_hochberg_over_every_series_of_the_call():
    rng = np.random.default_rng(6)
    parts = []
    for i in range(12):
        clicks = rng.poisson(80, 60)
        cvr = np.where(np.arange(60) < 45, 0.1, 0.05 if i < 3 else 0.1)
        parts.append(series(clicks, clicks * 4.0 * np.exp(rng.normal(0, 0.05, 60)), rng.binomial(clicks, cvr),
                            entity=f"e{i}"))
    r = drift.detect(pd.concat(parts))
    tested = r.loc[r["p_value"].notna()]
    assert len(tested) == 48
    assert (tested["q_value"] >= tested["p_value"] - 1e-15).all()
    expected = multipletests(tested["p_value"], method="fdr_bh")[1]
    assert np.allclose(tested["q_value"], expected)
    assert ((tested["q_value"] <= 0.05) == (tested["status"] == "flag")).all()
    flagged = set(r.loc[(r["status"] == "flag") & (r["metric"] == "cvr"), "entity"])
    assert {"e0", "e1", "e2"} <= flagged


def test_decompose_shares_sum_to_one_and_a_pure_cpc_change_is_cpc():
    n, k = 40, 25
    clicks = np.full(n, 100.0)
    cost = clicks * np.where(np.arange(n) < k, 4.0, 5.0)
    s = series(clicks, cost, np.full(n, 10.0))
    d = drift.decompose(s, "p", DAY0 + pd.Timedelta(days=k))
    assert d["share_cpc"] == pytest.approx(1.0) and d["share_cvr"] == pytest.approx(0.0)
    assert d["cpa_change"] == pytest.approx(0.25) and d["cpc_change"] == pytest.approx(0.25)
    mixed = series(clicks, cost, np.where(np.arange(n) < k, 10.0, 9.0))
    m = drift.decompose(mixed, "p", DAY0 + pd.Timedelta(days=k))
    assert m["share_cpc"] + m["share_cvr"] == pytest.approx(1.0)
    assert m["log_cpa"] == pytest.approx(m["log_cpc"] - m["log_cvr"])
    assert 0 < m["share_cvr"] < m["share_cpc"] < 1


def test_decompose_of_an_entity_without_conversions_before_gives_no_share_instead_of_failing():
    # clicks but no conversion before the day: CVR before is 0, CPA before undefined — no shares, no error
    n, k = 40, 25
    clicks = np.full(n, 100.0)
    d = drift.decompose(series(clicks, clicks * 4.0, np.where(np.arange(n) < k, 0.0, 5.0)), "p",
                        DAY0 + pd.Timedelta(days=k))
    assert d["cvr_before"] == 0.0 and np.isnan(d["cpa_before"])
    assert np.isnan(d["share_cpc"]) and np.isnan(d["share_cvr"]) and np.isinf(d["log_cvr"])


# ---------------------------------------------------------------------------------
# daily_series on a canonical table
# ---------------------------------------------------------------------------------
def test_daily_series_zero_fills_drops_baidu_partial_day_and_prefers_plan_report():
    days = pd.to_datetime(["2026-11-01", "2026-11-02", "2026-11-04", "2026-11-05"])
    kw = pd.DataFrame({"date": days.repeat(2), "account": "A", "campaign": "P1", "ad_group": "U",
                       "keyword": ["开锁", "换锁"] * 4, "match_type": "exact",
                       "clicks": [10, 1] * 4, "cost": [50.0, 2.0] * 4, "conversions": [2, 0, 0, 0, 1, 0, 1, 0]})
    plan = kw.groupby(["date", "account", "campaign"], as_index=False)[["clicks", "cost", "conversions"]].sum()
    table = schema.concat([canonical(kw.assign(keyword_id="1")), canonical(plan, report_type="campaign")])
    acc = drift.daily_series(table, "account")
    assert acc.attrs["dropped_partial_day"] == pd.Timestamp("2026-11-05")
    assert list(acc["date"]) == list(pd.date_range("2026-11-01", "2026-11-04"))
    assert list(acc["clicks"]) == [11, 11, 0, 11]          # plan report only, 11-03 zero-filled
    assert list(acc.columns[:9]) == ["level", "entity", "date", "clicks", "cost", "conversions", "cpc", "cvr", "cpa"]
    assert np.isnan(acc["cpc"].iloc[2]) and np.isnan(acc["cpa"].iloc[2]) and acc["entity"].iloc[0] == "A"
    camp = drift.daily_series(table, "campaign")
    assert set(camp["entity"]) == {"P1"} and camp["cost"].sum() == pytest.approx(156.0)
    words = drift.daily_series(table, "keyword")
    assert set(words["entity"]) == {"P1 / 开锁"}              # 开锁 alone covers ≥ 80 % of the cost
    with pytest.raises(ValueError):
        drift.daily_series(table, "unit")


# ---------------------------------------------------------------------------------
# Generated accounts
# ---------------------------------------------------------------------------------
PLANTED = (DriftSpec("开锁-电话词", "cpc", END - timedelta(days=30), 0.40, "abrupt"),
           DriftSpec("换锁-核心词", "cvr", END - timedelta(days=20), -0.35, "abrupt"))


def all_levels(table):
    return pd.concat([drift.daily_series(table, lvl) for lvl in ("account", "campaign", "keyword")], ignore_index=True)


@pytest.fixture(scope="module")
def planted():
    # volume_scale 1: the default plan volumes with 600 keywords (the drifted plans
    # have ~15 conversions a day)
    acc = generate_account(AccountConfig(seed=7, n_keywords=600, volume_scale=1.0, drifts=PLANTED,
                                         url_changes=()))
    s = all_levels(canonical(acc.daily))
    return acc, s, drift.detect(s)


def test_planted_drifts_are_flagged_on_their_metric_near_their_start(planted):
    acc, s, r = planted
    plans = s.loc[s["level"] == "campaign"]
    assert len(acc.truth["drifts"]) == 2
    checked = 0
    for d in acc.truth["drifts"]:
        start = pd.Timestamp(d["start"])
        per_day = plans.loc[(plans["entity"] == d["campaign"]) & (plans["date"] < start), "conversions"].mean()
        if per_day < 5:
            continue
        checked += 1
        x = r.loc[(r["level"] == "campaign") & (r["entity"] == d["campaign"]) & (r["metric"] == d["metric"])].iloc[0]
        assert x["status"] == "flag", (d, x.to_dict())
        assert abs((x["start"] - start).days) <= 3
        assert np.sign(x["change"]) == np.sign(d["change"])
        assert x["ci_low"] < d["change"] < x["ci_high"]
        cpa = r.loc[(r["level"] == "campaign") & (r["entity"] == d["campaign"]) & (r["metric"] == "cpa")].iloc[0]
        assert cpa["status"] == "flag" and cpa["change"] > 0 and cpa["money_at_stake"] > 0
    assert checked == 2
    # plans without a drift: no CPC / CVR flags
    others = r.loc[(r["level"] == "campaign") & ~r["entity"].isin([d["campaign"] for d in acc.truth["drifts"]])]
    assert not (others["status"] == "flag").any()
    assert (r["q_value"].dropna() >= r["p_value"].dropna() - 1e-15).all()


def test_decomposition_of_planted_drifts(planted):
    _, s, _ = planted
    plans = s.loc[s["level"] == "campaign"]
    cpc = drift.decompose(plans, "开锁-电话词", PLANTED[0].start)
    assert cpc["share_cpc"] + cpc["share_cvr"] == pytest.approx(1.0)
    assert cpc["share_cpc"] > 0.7 and cpc["cpc_change"] == pytest.approx(0.40, abs=0.06)
    cvr = drift.decompose(plans, "换锁-核心词", PLANTED[1].start)
    assert cvr["share_cvr"] > 0.7 and cvr["cvr_change"] < -0.2


def test_drift_free_accounts_raise_few_flags():
    tested = flags = 0
    for seed in (11, 12, 13):
        acc = generate_account(AccountConfig(seed=seed, n_keywords=600, drifts=(), url_changes=()))
        r = drift.detect(all_levels(canonical(acc.daily)))
        t = r.loc[r["status"] != "too_little_data"]
        tested += len(t)
        flags += int((t["status"] == "flag").sum())
    assert tested >= 250
    assert flags <= 0.05 * tested


# ---------------------------------------------------------------------------------
# The batched path of detect against the series-by-series reference
# ---------------------------------------------------------------------------------
def edge_series(seed: int = 0, n: int = 60) -> pd.DataFrame:
    """Series of many lengths and shapes, each a known edge case of the scan."""
    rng = np.random.default_rng(seed)
    parts = []
    for i in range(n):
        case = i % 15
        days = int(rng.choice([5, 9, 10, 11, 12, 20, 40, 90])) if case < 12 else int(rng.integers(10, 100))
        clicks = rng.poisson(float(rng.choice([2, 20, 80, 300])), days).astype(float)
        cpc = rng.uniform(3, 15) * np.exp(rng.normal(0, rng.choice([0.0, 0.05, 0.3]), days))
        cvr = np.full(days, rng.uniform(0.02, 0.2))
        k = int(rng.integers(1, days))
        cpc[k:] *= rng.choice([1.0, 1.4])
        cvr[k:] *= rng.choice([1.0, 0.5])
        conv = rng.binomial(clicks.astype(int), cvr).astype(float)
        cost = clicks * cpc
        half = slice(days // 2, None) if case == 7 else slice(None, days // 2)
        if case == 1:       # days without clicks
            off = rng.random(days) < 0.3
            clicks[off], cost[off], conv[off] = 0, 0, 0
        elif case == 2:     # no conversions at all
            conv[:] = 0
        elif case == 3:     # no conversion data
            conv[:] = np.nan
        elif case == 4:     # clicks that cost nothing
            cost[rng.random(days) < 0.2] = 0
        elif case == 5:     # every click converts
            conv = clicks.copy()
        elif case == 6:     # exactly constant CPC (ties everywhere in the CPC scan)
            cost = clicks * 5.0
        elif case in (7, 8):  # clicks only in the first / second half
            clicks[half], cost[half], conv[half] = 0, 0, 0
        elif case == 9:     # no spend
            cost[:] = 0
        elif case == 10:    # fractional conversions (Google Ads)
            conv = conv * 0.5 + rng.random(days) * (conv > 0)
        elif case == 11:    # one day missing from the dates (weekday pattern shifts)
            pass
        elif case == 12:    # no conversions, and no clicks in the first 10 days: every CVR
            clicks = rng.poisson(80, days).astype(float)   # candidate scores 0, and the
            clicks[:10] = 0                                # first ones are no candidates
            cost, conv = clicks * cpc, np.zeros(days)
        level = ("campaign", "keyword", "account")[i % 3]
        s = series(clicks, cost, conv, entity=f"e{i}", level=level)
        s["date"] += pd.Timedelta(days=int(rng.integers(0, 7)))
        if case == 11 and days > 2:
            s.loc[s.index >= days // 2, "date"] += pd.Timedelta(days=1)
        parts.append(s)
    return pd.concat(parts, ignore_index=True)


def assert_same_results(fast: pd.DataFrame, slow: pd.DataFrame):
    assert list(fast.columns) == list(slow.columns) == drift.RESULT_COLUMNS
    assert (fast.dtypes.astype(str) == slow.dtypes.astype(str)).all(), (fast.dtypes, slow.dtypes)
    for c in ("level", "entity", "metric", "status", "note"):
        assert fast[c].tolist() == slow[c].tolist(), c
    for c in ("start", "start_low", "start_high"):
        assert fast[c].equals(slow[c]), c
    for c in ("before", "after", "change", "ci_low", "ci_high", "p_value", "q_value", "money_at_stake", "days_after"):
        a, b = fast[c].to_numpy(float), slow[c].to_numpy(float)
        assert np.array_equal(np.isnan(a), np.isnan(b)), c
        assert np.allclose(a, b, rtol=1e-9, atol=0, equal_nan=True), (c, np.nanmax(np.abs(a - b)))


@pytest.mark.parametrize(("metrics", "baseline_days", "min_days"), [
    (drift.METRICS, 28, 7), (("cpa", "spend"), 60, 14), (("cvr", "cpc"), 10, 3)])
def test_batched_detect_equals_the_series_by_series_reference(monkeypatch, metrics, baseline_days, min_days):
    s = edge_series()
    s = s.sample(frac=1.0, random_state=3)     # rows in any order: grouped and sorted by detect
    # small chunks, so that a length's series are split over several batches
    monkeypatch.setattr(drift, "_SERIES_CHUNK", 3)
    monkeypatch.setattr(drift, "_KEY_CHUNK", 5)
    fast = drift.detect(s, list(metrics), baseline_days=baseline_days, min_days=min_days)
    slow = drift._finish(drift._results_one_by_one(s, list(metrics), baseline_days, min_days), 0.05)
    slow = drift.change_intervals(s, slow, baseline_days, min_days)
    assert_same_results(fast, slow)
    f = fast.loc[fast["status"] == "flag"]
    assert len(f) and (f["start_low"] <= f["start"]).all() and (f["start"] <= f["start_high"]).all()
    assert fast.loc[fast["status"] != "flag", "start_low"].isna().all()
    assert set(fast["status"]) == set(drift.STATUSES)
    assert fast["note"].str.contains("no clicks on one side").any()


def test_batched_scan_correction_equals_scipy_brentq():
    rng = np.random.default_rng(8)
    t0 = rng.uniform(0.01, 0.5, 40)
    t1 = np.minimum(t0 + rng.uniform(0, 0.5, 40), 0.99)
    n_cand, steps = rng.integers(1, 120, 40), rng.integers(1, 200, 40)
    keys = drift._ScanKeys(t0, t1, n_cand, steps)
    crit = keys.critical()
    z = rng.normal(0, 3, 40)
    naive, p = keys.pvalues(z, np.arange(40))
    for i in range(40):
        assert crit[i] == pytest.approx(drift._scan_critical(t0[i], t1[i], int(n_cand[i]), int(steps[i])),
                                        rel=1e-12)
        assert (naive[i], p[i]) == pytest.approx(drift._scan_pvalue(z[i], t0[i], t1[i], int(n_cand[i]),
                                                                    int(steps[i])), rel=1e-12)


def test_short_series_and_a_cpa_midpoint_without_clicks_are_tested():
    # 11 days: the scan bound is below 5 % already at 1.96 (critical value = 1.96);
    # clicks only in the first 15 of 40 days: the CPA scan's dispersion at day 20 has
    # an empty second segment. Both used to raise.
    short = series(np.full(11, 50), np.full(11, 250.0), np.full(11, 5), entity="short")
    clicks = np.where(np.arange(40) < 15, 50, 0)
    paused = series(clicks, clicks * 5.0 * np.exp(np.linspace(0, 0.2, 40)), clicks * 0.1, entity="paused")
    r = drift.detect(pd.concat([short, paused]))
    assert row(r, "spend", "short")["status"] != "too_little_data"
    x = row(r, "cpa", "paused")
    assert x["status"] != "too_little_data" and np.isfinite(x["p_value"])
    assert drift._scan_critical(7 / 11, 8 / 11, 2, 11) == pytest.approx(1.959963984540054)


def test_the_support_interval_of_a_sharp_change_is_narrow_and_of_a_ramp_wide():
    rng = np.random.default_rng(11)
    n, k = 70, 50
    clicks = rng.poisson(300, n).astype(float)
    sharp = np.where(np.arange(n) >= k, 12.0, 8.0) * rng.lognormal(0, 0.02, n)
    r = row(drift.detect(series(clicks, clicks * sharp, rng.binomial(clicks.astype(int), 0.1)), "cpc"), "cpc")
    assert r["status"] == "flag" and r["start_low"] == r["start"] == r["start_high"] == DAY0 + pd.Timedelta(days=k)
    # a CVR halving on ~6 conversions a day: dated less sharply, but the interval holds the day
    few = rng.poisson(60, n).astype(float)
    conv = rng.binomial(few.astype(int), np.where(np.arange(n) >= k, 0.05, 0.10))
    r = row(drift.detect(series(few, few * 8.0, conv), "cvr"), "cvr")
    assert r["status"] == "flag" and (r["start_high"] - r["start_low"]).days >= 2
    assert r["start_low"] <= DAY0 + pd.Timedelta(days=k) <= r["start_high"]


# ---------------------------------------------------------------- building series from a million rows

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402


@given(st.integers(1, 60).flatmap(lambda n: st.tuples(
    hnp.arrays(np.int32, n, elements=st.integers(0, 3)), hnp.arrays(np.int32, n, elements=st.integers(0, 2)),
    hnp.arrays(np.int64, n, elements=st.integers(0, 9)),
    hnp.arrays(np.float64, n, elements=st.one_of(st.just(np.nan), st.floats(0, 1000, allow_nan=False))),
    hnp.arrays(np.float64, n, elements=st.one_of(st.just(np.nan), st.floats(0, 50, allow_nan=False))))))
@settings(max_examples=150, deadline=None)
def test_daily_sums_is_a_groupby_sum_per_key_and_day(data):
    a, b, day, cost, conv = data
    frame = pd.DataFrame({"a": a, "b": b, "date": pd.Timestamp("2026-11-01") + pd.to_timedelta(day, "D"),
                          "clicks": np.ones(len(a)), "cost": cost, "conversions": conv})
    got = drift.daily_sums(frame, ["a", "b"])
    g = frame.groupby(["a", "b", "date"], sort=True)
    want = g[["clicks", "cost"]].sum().join(g["conversions"].sum(min_count=1)).reset_index()
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-9)


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2 ** 61), st.integers(0, 3)), min_size=1, max_size=40))
@settings(max_examples=150, deadline=None)
def test_dense_key_orders_and_tells_apart_as_the_codes_do(rows):
    cols = [np.array(c, dtype=np.int64) for c in zip(*rows)]
    key = schema.dense_key(cols)
    for i in range(len(rows)):
        for j in range(len(rows)):
            assert (key[i] == key[j]) == (rows[i] == rows[j])
            assert (key[i] < key[j]) == (rows[i] < rows[j])


def test_plan_days_give_every_level_the_series_the_rows_give():
    # both sample accounts (Baidu with its partial last day, Google), a plan report
    # beside the keyword report (spend rows: one report type per account)
    from optimizer.model.dataset import load_exports
    from sample_data import generate
    root = generate.__file__.rsplit("/", 1)[0]
    table = load_exports([f"{root}/{n}" for n in ("baidu_keyword_report.csv", "baidu_plan_report.csv",
                                                  "google_keyword_report.csv")])
    by_plan = drift.plan_days(table)
    assert len(by_plan.frame) < len(table) / 5
    plans = sorted(set(table["campaign"].dropna().astype(str)))
    groups = pd.Series({p: f"g{i % 3}" for i, p in enumerate(plans)})
    for level, grp in (("account", None), ("campaign", None), ("line", groups), ("bundle", groups.iloc[::2])):
        want = drift.daily_series(table, level, grp)
        got = drift.daily_series(by_plan, level, grp)
        pd.testing.assert_frame_equal(got, want)
        assert got.attrs == want.attrs and want.attrs["dropped_partial_day"] is not None
    with pytest.raises(ValueError):
        drift.daily_series(by_plan, "keyword")


def test_a_keyword_flag_explained_by_its_plans_flag_is_folded_and_a_lone_keyword_names_the_plan():
    from optimizer.drift.alerts import fold
    day = pd.Timestamp("2026-10-20")
    s = pd.DataFrame({"level": ["campaign", "keyword", "keyword", "campaign"],
                      "entity": ["P", "P / a", "P / b", "Q"], "campaign": ["P", "P", "P", "Q"]})
    def r(level, entity, metric, change, start, lo=None, hi=None):
        return {"level": level, "entity": entity, "metric": metric, "status": "flag", "change": change,
                "start": day + pd.Timedelta(days=start),
                "start_low": day + pd.Timedelta(days=lo if lo is not None else start),
                "start_high": day + pd.Timedelta(days=hi if hi is not None else start)}
    res = pd.DataFrame([r("campaign", "P", "cpc", 0.3, 0, -1, 2), r("keyword", "P / a", "cpc", 0.35, 1),
                        r("keyword", "P / b", "cpc", -0.2, 1),      # the other way: its own event
                        r("keyword", "P / b", "cvr", -0.3, 0),      # no plan CVR flag: its own event
                        r("campaign", "Q", "cpc", 0.2, 0)])
    out = fold(res, s)
    assert out["folded_under"].tolist() == ["", "P", "", "", ""]
    assert out["named_by"].tolist() == ["P / a", "", "", "", ""]
    # the page's count per row (one grouping) is the number of rows folded under each
    from optimizer.drift.alerts import folded, folded_counts
    assert folded_counts(out, out) == [len(folded(out, row)) for _, row in out.iterrows()] == [1, 0, 0, 0, 0]
    # a keyword flag dated outside the plan flag's range is not the same event
    res.loc[1, ["start", "start_low", "start_high"]] = day + pd.Timedelta(days=9)
    assert fold(res, s)["folded_under"].tolist() == [""] * 5
