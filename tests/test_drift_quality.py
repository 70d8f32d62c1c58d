"""Quality of cost-drift detection (optimizer.quality.drift_quality): the harness itself on
hand-made cases (matching, windows, oracle, delay replay, generator), then the issue's
targets (issue 6, point 7) on one generated set with a fixed seed.

Targets that the current detector misses are marked ``xfail(strict=True)`` with the
measured figure; ``bench/drift_quality.py`` prints the full picture (per stratum, with
the oracle's reference).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer.drift import scan as drift
from optimizer.quality import drift_quality as dq

DAY0 = pd.Timestamp("2026-06-01")
START = DAY0 + pd.Timedelta(days=80)


def truth_row(entity, driver="none", change=np.nan, shape="", start=pd.NaT, ramp_days=0, days_after=0,
              conv_per_day=10.0, account="a000"):
    return {"level": "campaign", "entity": entity, "account": account, "driver": driver, "change": change,
            "shape": shape, "start": pd.Timestamp(start) if start is not pd.NaT else pd.NaT,
            "ramp_days": ramp_days, "days_after": days_after, "conv_per_day": conv_per_day,
            "clicks_per_day": 100.0, "cvr": 0.1, "cpc": 8.0}


def flag(entity, metric, change, start, status="flag", p=1e-4):
    row = dict.fromkeys(drift.RESULT_COLUMNS, np.nan)
    row.update(level="campaign", entity=entity, metric=metric, status=status, start=pd.Timestamp(start),
               change=change, p_value=p, note="")
    return row


def truth_frame(*rows):
    t = pd.DataFrame(list(rows))[dq.TRUTH_COLUMNS]
    t["start"] = pd.to_datetime(t["start"])
    return t


def day(i):
    return START + pd.Timedelta(days=i)


# ---------------------------------------------------------------------------------
# The matcher
# ---------------------------------------------------------------------------------
@pytest.fixture
def hand_made():
    truth = truth_frame(
        truth_row("cpc_up", "cpc", 0.30, "abrupt", START, days_after=20),
        truth_row("cvr_down", "cvr", -0.30, "gradual", START, ramp_days=10, days_after=30),
        truth_row("late", "cpc", 0.40, "abrupt", START, days_after=20),
        truth_row("flat"),
    )
    results = pd.DataFrame([
        flag("cpc_up", "cpa", 0.28, day(1)),         # CPA flag on a CPC-driven rise: right
        flag("cpc_up", "cvr", -0.20, day(1)),        # CVR did not move: unrelated metric
        flag("cpc_up", "cpc", 0.30, day(0), status="no_change"),  # not a flag: ignored
        flag("cvr_down", "cpa", -0.25, day(2)),      # CVR fell, so CPA rose: wrong direction
        flag("cvr_down", "cvr", -0.30, day(13)),     # ramp ends on day 9; 9 + 3 = 12 < 13: too late
        flag("late", "cpc", 0.40, day(4)),           # abrupt: 4 days late
        flag("flat", "cpc", 0.10, day(-20)),         # nothing was planted
    ])
    return results, truth


def test_matcher_scores_each_kind_of_flag(hand_made):
    results, truth = hand_made
    f = dq.classify_flags(results, truth).set_index(["entity", "metric"])["verdict"]
    assert len(f) == 6
    assert f[("cpc_up", "cpa")] == "hit"
    assert f[("cpc_up", "cvr")] == "wrong_metric"
    assert f[("cvr_down", "cpa")] == "wrong_direction"
    assert f[("cvr_down", "cvr")] == "misdated"
    assert f[("late", "cpc")] == "misdated"
    assert f[("flat", "cpc")] == "drift_free"


def test_a_late_point_counts_when_the_reported_support_interval_holds_the_change(hand_made):
    results, truth = hand_made
    late = (results["entity"] == "late") & (results["metric"] == "cpc")
    results["start_low"] = results["start_high"] = pd.NaT
    results.loc[late, "start_low"] = day(-1)
    results.loc[late, "start_high"] = day(5)
    f = dq.classify_flags(results, truth).set_index(["entity", "metric"])["verdict"]
    assert f[("late", "cpc")] == "hit"
    results.loc[late, "start_low"] = day(1)   # the interval misses the planted day 0
    f = dq.classify_flags(results, truth).set_index(["entity", "metric"])["verdict"]
    assert f[("late", "cpc")] == "misdated"


def test_detection_needs_a_hit_and_precision_counts_every_other_flag(hand_made):
    results, truth = hand_made
    det = dq.detections(results, truth).set_index("entity")
    assert det.loc["cpc_up", "detected"] and det.loc["cpc_up", "found_metrics"] == "cpa"
    assert det.loc["cpc_up", "found_start"] == day(1)
    assert not det.loc["cvr_down", "detected"] and not det.loc["late", "detected"]
    assert not det.loc["flat", "detected"] and det.loc["flat", "n_flags"] == 1
    assert det.loc["cpc_up", "n_flags"] == 2
    flags = dq.classify_flags(results, truth)
    assert (flags["verdict"] == "hit").mean() == pytest.approx(1 / 6)


def test_window_edges_abrupt_and_gradual(hand_made):
    results, truth = hand_made
    ok = [flag("cvr_down", "cvr", -0.3, day(12)), flag("cvr_down", "cvr", -0.3, day(-3)),
          flag("late", "cpc", 0.4, day(3)), flag("late", "cpc", 0.4, day(-3))]
    bad = [flag("cvr_down", "cvr", -0.3, day(-4)), flag("late", "cpc", 0.4, day(-4))]
    v = dq.classify_flags(pd.DataFrame(ok + bad), truth)["verdict"].tolist()
    assert v == ["hit"] * 4 + ["misdated"] * 2
    # a wider tolerance accepts the 4-day-late abrupt flag of the fixture
    det = dq.detections(results, truth, tol_before=7, tol_after=7).set_index("entity")
    assert det.loc["late", "detected"]


def test_a_cvr_flag_in_the_right_direction_is_a_hit_for_a_rise_too():
    truth = truth_frame(truth_row("cvr_up", "cvr", 0.40, "abrupt", START, days_after=20))
    results = pd.DataFrame([flag("cvr_up", "cvr", 0.35, day(0)), flag("cvr_up", "cpa", -0.3, day(0)),
                            flag("cvr_up", "cpc", -0.3, day(0))])
    assert dq.classify_flags(results, truth)["verdict"].tolist() == ["hit", "hit", "wrong_metric"]


def test_flags_of_unknown_entities_are_an_error(hand_made):
    results, truth = hand_made
    with pytest.raises(KeyError):
        dq.classify_flags(results, truth.loc[truth["entity"] != "flat"])


# ---------------------------------------------------------------------------------
# Oracle, replay, generator
# ---------------------------------------------------------------------------------
def plain_series(clicks, cost, conversions, entity="p", account="a000"):
    clicks, cost, conversions = (np.asarray(a, float) for a in (clicks, cost, conversions))
    d = pd.DataFrame({"level": "campaign", "entity": entity,
                      "date": pd.date_range(DAY0, periods=len(clicks), freq="D"),
                      "clicks": clicks, "cost": cost, "conversions": conversions})
    d["cpc"] = d["cost"] / d["clicks"]
    d["cvr"] = d["conversions"] / d["clicks"]
    d["cpa"] = d["cost"] / d["conversions"].where(d["conversions"] > 0)
    d["platform"], d["account"], d["campaign"] = "baidu", account, entity
    return d[drift.SERIES_COLUMNS]


def test_oracle_of_the_issue_example_5_conversions_a_day_cvr_down_20_percent_for_7_days():
    # 28-day baseline at 5 conversions / 100 clicks a day, then 7 days at 4: z ≈ −1.1
    n, k = 35, 28
    clicks = np.full(n, 100.0)
    conv = np.where(np.arange(n) < k, 5.0, 4.0)
    s = plain_series(clicks, clicks * 8.0, conv)
    truth = truth_frame(truth_row("p", "cvr", -0.2, "abrupt", DAY0 + pd.Timedelta(days=k), days_after=7,
                                  conv_per_day=5))
    o = dq.oracle(s, truth).iloc[0]
    assert o["oracle_z"] == pytest.approx(-1.107, abs=0.01)
    assert not o["oracle_detected"]
    # the same shift, 10 times the volume: found
    s10 = plain_series(clicks * 10, clicks * 80.0, conv * 10)
    assert dq.oracle(s10, truth).iloc[0]["oracle_detected"]


def test_analytic_power_grid_agrees_with_the_issue_example():
    g = dq.cvr_power_grid(conv=(5,), shifts=(0.2,), after=(7,))
    r = g.iloc[0]
    assert r["z"] == pytest.approx(1.15, abs=0.02) and r["oracle"] == pytest.approx(0.21, abs=0.02)
    c = g.attrs["critical"]
    assert 1.96 < c["oracle"] + 0.01 < c["scan"] < c["scan_bh"]
    assert r["scan_bh"] < r["scan"] < r["oracle"]


def test_replay_finds_the_first_cut_at_which_the_change_is_flagged():
    # CPC +50 %, planted as gradual from day 80 with a 6-day ramp, but flat until day 85
    # (the ramp's last day). Cuts 3, 4, 5 hold no raised day; cut 6 holds one, and the
    # scan's latest candidate (3 days before the end, day 83, inside the ramp) already
    # makes it a clear rise: delay 6.
    rng = np.random.default_rng(0)
    n, k = 110, 80
    clicks = np.full(n, 200.0)
    cost = clicks * 8.0 * np.where(np.arange(n) >= k + 5, 1.5, 1.0) * np.exp(rng.normal(0, 0.02, n))
    s = plain_series(clicks, cost, np.full(n, 20.0))
    truth = truth_frame(truth_row("p", "cpc", 0.5, "gradual", DAY0 + pd.Timedelta(days=k), ramp_days=6,
                                  days_after=n - k))
    results = dq.detect_accounts(s).assign(level="campaign")
    assert dq.detections(results, truth)["detected"].all()
    delay = dq.replay_delays(s, truth, results, truth.index)
    assert delay.tolist() == [6.0]
    assert dq.oracle_delays(s, truth, truth.index).tolist()[0] == 6.0


def test_strong_abrupt_drifts_are_found_at_the_first_cut():
    cfg = dq.SimConfig(drift_free_accounts=0.0, drift_share=1.0, conv_range=(30, 40), shift_range=(0.5, 0.6),
                       gradual_share=0.0)
    q = dq.evaluate(8, seed=3, config=cfg)
    assert q.scored["detected"].all() and q.precision == 1.0
    assert (q.scored["delay"] == 3).all()


def test_generator_is_seeded_and_plants_what_its_truth_says():
    s1, t1 = dq.generate(48, seed=5)
    s2, t2 = dq.generate(48, seed=5)
    pd.testing.assert_frame_equal(s1, s2)
    pd.testing.assert_frame_equal(t1, t2)
    assert list(s1.columns) == drift.SERIES_COLUMNS and len(s1) == 48 * 120
    assert s1.groupby("entity").size().eq(120).all()
    assert set(t1["driver"]) <= {"cpc", "cvr", "none"} and (t1["driver"] == "none").any()
    d = t1.loc[t1["driver"] != "none"]
    assert d["days_after"].between(7, 45).all() and d["change"].abs().between(0.1, 0.6).all()
    assert (d["start"] == s1["date"].max() - pd.to_timedelta(d["days_after"] - 1, unit="D")).all()
    assert ((d["shape"] == "gradual") == (d["ramp_days"] > 0)).all()
    # drift-free accounts exist and hold no drift
    acc_drifts = t1.groupby("account")["driver"].agg(lambda x: (x != "none").sum())
    assert (acc_drifts == 0).any()
    # the planted change shows in the data: big plans, after vs before
    for r in d.loc[d["clicks_per_day"] > 150].itertuples():
        x = s1.loc[s1["entity"] == r.entity]
        after = x["date"] >= r.start + pd.Timedelta(days=int(r.ramp_days))
        before = x["date"] < r.start
        if after.sum() < 7:
            continue
        num = "cost" if r.driver == "cpc" else "conversions"
        ratio = (x.loc[after, num].sum() / x.loc[after, "clicks"].sum()) / (
            x.loc[before, num].sum() / x.loc[before, "clicks"].sum())
        assert ratio - 1 == pytest.approx(r.change, abs=0.12)


# ---------------------------------------------------------------------------------
# The issue's targets, on one generated set (fixed seed; about 20 s)
# ---------------------------------------------------------------------------------
SERIES, SEED = 640, 0


@pytest.fixture(scope="module")
def quality():
    return dq.evaluate(SERIES, seed=SEED, replay="target")


def test_recall_on_shifts_of_20_percent_lasting_7_days_on_plans_of_5_conversions_a_day(quality):
    t = quality.target()
    assert len(t) >= 100
    assert t["detected"].mean() >= 0.9


def test_precision(quality):
    assert quality.precision >= 0.9


def test_drift_free_accounts_raise_few_false_flags(quality):
    fa = quality.false_alarms(drift_free_accounts_only=True)
    assert fa["series"] >= 100
    assert fa["share_flagged"] <= 0.05


# Not targets of the issue: checks that the harness's reference is sound, and the part
# of the recall target that is statistically within reach.
def test_the_oracle_is_an_upper_reference_in_every_stratum(quality):
    tab = dq.recall_table(quality.scored)
    big = tab.loc[tab["n"] >= 30]
    assert (big["recall"] <= big["oracle_recall"] + 0.05).all(), big.to_string()


def test_recall_target_is_met_on_cpc_driven_drifts(quality):
    t = quality.target()
    assert t.loc[t["driver"] == "cpc", "detected"].mean() >= 0.9


# ---------------------------------------------------------------------------------
# Issue 19: the online detector against the oracle at the same false-alarm level
# (one generated set, fixed seed; about 30 s). bench/drift_quality.py prints the full
# figures on 1,000 series.
# ---------------------------------------------------------------------------------
ONLINE_SERIES, ONLINE_SEED = 400, 1


@pytest.fixture(scope="module")
def online_quality():
    return dq.evaluate_online(ONLINE_SERIES, seed=ONLINE_SEED)


def test_median_delay_is_within_a_day_of_the_oracles(online_quality):
    b = online_quality.both()
    assert len(b) >= 100
    assert b["excess"].median() <= 1
    x = b.loc[b["driver"] == "cpc"]
    assert len(x) >= 50 and x["excess"].median() <= 1


def test_median_delay_of_cvr_driven_shifts_is_within_a_day_of_the_oracles(online_quality):
    b = online_quality.both()
    x = b.loc[b["driver"] == "cvr"]
    assert len(x) >= 20 and x["excess"].median() <= 1


@pytest.mark.xfail(strict=True, reason="measured (bench, 1,000 series, each metric's own h at 0.15 false alarms "
                   "per 1,000 series-weeks: CPC 4.71, CVR 4.87): 0.925 of the 240 shifts the oracle sees within 7 "
                   "days are found by oracle + 2 (CPC 0.95 of 216, CVR 0.67 of 24; was 0.82 with one h of 5.39 for "
                   "every metric). The oracle needs |z| ≥ 4.25 on the one day it knows; the product ≥ 4.7–4.9 over "
                   "28 candidate days at the same level")
def test_every_shift_the_oracle_sees_within_7_days_is_found_by_oracle_plus_2(online_quality):
    e = online_quality.seen_early()
    assert len(e) >= 50
    assert e["found_in_time"].all(), e.loc[~e["found_in_time"], ["entity", "driver", "delay", "oracle_delay"]]


def test_false_alarms_are_within_the_budget(online_quality):
    q = online_quality
    assert q.series_weeks > 15_000   # 400 plans × 3 metrics × ~16 weeks, less the drifted weeks
    assert q.within_budget(), (q.false_alarm_count, q.false_alarms_per_1000)


def test_drift_free_accounts_stay_within_the_budget():
    q = dq.evaluate_online(160, seed=7, config=dq.SimConfig(drift_free_accounts=1.0))
    assert (q.truth["driver"] == "none").all()
    assert q.within_budget(), (q.false_alarm_count, q.false_alarms_per_1000)


def test_the_change_day_range_holds_the_true_day_for_90_percent_of_detected_shifts(online_quality):
    c = online_quality.range_coverage()
    assert len(c) >= 100
    assert c["covered"].mean() >= 0.9


def test_the_online_detector_reads_only_the_days_that_have_arrived():
    from optimizer.drift import online
    s, t = dq.generate(16, seed=4, config=dq.SimConfig(drift_free_accounts=0.0, drift_share=1.0,
                                                      conv_range=(10, 40)))
    h = 4.0
    for ent, d in s.groupby("entity"):
        for m in ("cpc", "cvr"):
            full = online.alarms(d, m, h=h)
            for a in full:
                cut = online.alarms(d.iloc[:a.day + 1], m, h=h)
                assert cut and cut[-1] == a        # raised on the same morning, the same day pointed at
                assert online.alarms(d, m, h=h, upto=a.day) == [x for x in full if x.day < a.day]


def test_the_calibration_table_agrees_with_a_fresh_simulation():
    from optimizer.drift import online
    c = online.calibrate(150, seed=99, grid=(4.0,))
    row = c.loc[c["metric"] == "all"].iloc[0]
    table = dict(online.CALIBRATION)[4.0]
    expected = table * row["series_weeks"] / 1000
    from scipy import stats
    assert stats.poisson.ppf(0.005, expected) <= row["alarms"] <= stats.poisson.ppf(0.995, expected)
    for m, table in online.CALIBRATION_BY_METRIC.items():   # each metric's own h, same run
        r = c.loc[c["metric"] == m].iloc[0]
        expected = dict(table)[4.0] * r["series_weeks"] / 1000
        assert stats.poisson.ppf(0.005, expected) <= r["alarms"] <= stats.poisson.ppf(0.995, expected), (m, r)


def test_the_default_budget_gives_30_accounts_about_one_false_alarm_a_week():
    from optimizer.drift import online
    per_week = online.DEFAULT_FALSE_ALARMS * online.SERIES_PER_ACCOUNT * online.ACCOUNTS / 1000
    assert 0.8 <= per_week <= 1.0
    assert online.threshold(online.DEFAULT_FALSE_ALARMS) > online.threshold(1.0)
    # each metric held to the budget alone: CVR and CPC, which alarm falsely least, get the lower h
    h = {m: online.threshold(online.DEFAULT_FALSE_ALARMS, m) for m in online.CALIBRATION_BY_METRIC}
    assert h["cvr"] < h["cpa"] and h["cpc"] < h["spend"] and h["cvr"] < online.threshold(online.DEFAULT_FALSE_ALARMS)


def test_the_scan_run_each_morning_reads_the_days_so_far_and_its_old_fdr_is_far_over_the_budget():
    """The scan + BH re-run each morning (how the product would use it): each day's row is
    the scan of the days up to it, BH per account; at the old default FDR 0.05 a drift-free
    account gets a new false flag far more often than the false-alarm budget allows (the
    bench measures ~8–12 per 1,000 series-weeks against the 0.15 budget), so the scan can
    only be compared with the online detector at a much smaller FDR."""
    from optimizer.drift import online
    cfg = dq.SimConfig(drift_free_accounts=1.0)
    s, t = dq.generate(24, seed=7, config=cfg)
    daily = dq.scan_daily(s)
    day = daily["day"].unique()[40]
    direct = drift.detect(s.loc[s["date"] <= day], list(dq.METRICS))
    direct = direct.loc[direct["p_value"].notna()].set_index(["entity", "metric"])["p_value"].sort_index()
    got = daily.loc[daily["day"] == day].set_index(["entity", "metric"])["p_value"].sort_index()
    assert got.index.equals(direct.index) and np.allclose(got, direct)
    flags = dq.scan_alarms(daily, 0.05)
    assert flags["onset"].sum() <= len(flags) and (flags["day"] >= daily["day"].min()).all()
    rate = dq.scan_false_alarms(daily, t, 0.05, cfg)
    assert rate > 10 * online.DEFAULT_FALSE_ALARMS, rate
