"""Mix versus rate (optimizer.drift.attribution): hand-computed two-plan cases, and the
property that the parts add up exactly to the aggregate change and to the money at
stake of optimizer.drift.scan.detect."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.drift import scan as drift
from optimizer.drift.attribution import attribute

DAY0 = pd.Timestamp("2026-10-01")


def kids(rows):
    """rows: (child, day offset, clicks, cost, conversions)."""
    d = pd.DataFrame(rows, columns=["child", "day", "clicks", "cost", "conversions"])
    d["date"] = DAY0 + pd.to_timedelta(d["day"], unit="D")
    return d.drop(columns="day")


START = DAY0 + pd.Timedelta(days=1)


def test_cpc_pure_mix_by_hand():
    # A: CPC 10, B: CPC 20, unchanged; clicks move from 50/50 to 20/80
    c = kids([("A", 0, 50, 500, 5), ("B", 0, 50, 1000, 5), ("A", 1, 20, 200, 2), ("B", 1, 80, 1600, 8)])
    s, per = attribute(c, START, "cpc")
    assert s["before"] == pytest.approx(15.0) and s["after"] == pytest.approx(18.0)
    assert s["rate"] == pytest.approx(0.0) and s["mix"] == pytest.approx(3.0) and s["mix_share"] == pytest.approx(1.0)
    # money = clicks after × ΔCPC = 100 × 3
    assert s["money"] == pytest.approx(300.0)
    # A's mix: (0.2 − 0.5) × 10 = −3 -> −300; B's: (0.8 − 0.5) × 20 = 6 -> +600
    assert per.set_index("child")["money"].to_dict() == pytest.approx({"A": -300.0, "B": 600.0})


def test_cpc_pure_rate_by_hand():
    c = kids([("A", 0, 50, 500, 5), ("B", 0, 50, 1000, 5), ("A", 1, 50, 700, 5), ("B", 1, 50, 1000, 5)])
    s, per = attribute(c, START, "cpc")
    assert s["mix"] == pytest.approx(0.0) and s["rate"] == pytest.approx(2.0)
    assert per.iloc[0]["child"] == "A" and per.iloc[0]["money"] == pytest.approx(200.0)


def test_cpa_with_a_child_without_conversions():
    # before: A cost 600 conv 10, B cost 400 conv 0 -> CPA 100; after: A 600/10, B 900/0 -> CPA 150
    c = kids([("A", 0, 60, 600, 10), ("B", 0, 40, 400, 0), ("A", 1, 60, 600, 10), ("B", 1, 90, 900, 0)])
    s, per = attribute(c, START, "cpa")
    assert s["before"] == pytest.approx(100.0) and s["after"] == pytest.approx(150.0)
    # money = conversions after × ΔCPA = 10 × 50 = 500 = cost after × (1 − E1/E0)
    assert s["money"] == pytest.approx(500.0)
    by = per.set_index("child")
    # B's E is 0 in both periods: it adds only through its cost share (mix); A only through mix too
    assert by["rate"].abs().max() == pytest.approx(0.0)
    assert by["money"].sum() == pytest.approx(500.0)


def test_spend_change_by_child_and_its_click_part():
    c = kids([("A", 0, 10, 100, 1), ("B", 0, 10, 100, 1), ("A", 1, 20, 200, 1), ("B", 1, 10, 100, 1)])
    s, per = attribute(c, START, "spend")
    assert s["before"] == 200 and s["after"] == 300 and s["money"] == pytest.approx(100.0)
    assert per.iloc[0]["child"] == "A" and per.iloc[0]["money"] == pytest.approx(100.0)
    assert s["share_clicks"] == pytest.approx(1.0) and s["share_cpc"] == pytest.approx(0.0, abs=1e-12)


def test_a_child_present_on_one_side_only_adds_mix():
    c = kids([("A", 0, 10, 100, 1), ("A", 1, 10, 100, 1), ("B", 1, 10, 300, 1)])
    s, per = attribute(c, START, "cpc")
    b = per.set_index("child").loc["B"]
    assert b["rate"] == 0 and b["mix"] == pytest.approx(0.5 * 30) and s["after"] == pytest.approx(20.0)


day_rows = st.lists(st.tuples(st.sampled_from("ABCD"), st.integers(0, 5), st.integers(1, 200),
                              st.floats(1, 5000), st.integers(0, 30)), min_size=4, max_size=30)


@settings(max_examples=150, deadline=None)
@given(rows=day_rows, metric=st.sampled_from(["cpa", "cpc", "cvr", "spend"]))
def test_parts_add_up_to_the_change_and_to_detects_money(rows, metric):
    c = kids(rows)
    c = c.groupby(["child", "date"], as_index=False)[["clicks", "cost", "conversions"]].sum()
    c["conversions"] = np.minimum(c["conversions"], c["clicks"])
    start = DAY0 + pd.Timedelta(days=3)
    pre, post = c.loc[c["date"] < start], c.loc[c["date"] >= start]
    if pre.empty or post.empty:
        return
    s, per = attribute(c, start, metric)
    assert per["money"].sum() == pytest.approx(s["money"], rel=1e-9, abs=1e-6)
    if metric == "spend":
        return
    # Δ aggregate = mix + rate exactly
    if metric == "cpa":
        e0 = pre["conversions"].sum() / pre["cost"].sum()
        e1 = post["conversions"].sum() / post["cost"].sum()
        assert s["mix"] + s["rate"] == pytest.approx(e1 - e0, abs=1e-12)
        if e0 > 0:  # detect's CPA money: conversions after × (CPA1 − CPA0) = cost after − CPA0 × conv after
            assert s["money"] == pytest.approx(post["cost"].sum() - post["conversions"].sum() / e0, rel=1e-9, abs=1e-6)
    else:
        col = "cost" if metric == "cpc" else "conversions"
        a0 = pre[col].sum() / pre["clicks"].sum()
        a1 = post[col].sum() / post["clicks"].sum()
        assert s["mix"] + s["rate"] == pytest.approx(a1 - a0, abs=1e-9)
        want = post["clicks"].sum() * (a1 - a0) if metric == "cpc" else \
            (post["cost"].sum() * (1 - a1 / a0) if a0 > 0 else np.nan)
        if np.isfinite(want):
            assert s["money"] == pytest.approx(want, rel=1e-9, abs=1e-6)


def test_account_flag_money_equals_the_sum_of_its_plans():
    """On the sample: an account-level flag's money at stake (drift.detect) is what the
    plans' contributions add up to."""
    from optimizer.drift import alerts
    from optimizer.model.dataset import load_exports
    from tests.conftest import SAMPLE
    table = load_exports([SAMPLE / "baidu_plan_report.csv"])
    rep = alerts.scan(table, alerts.AlertSettings(levels=("account", "campaign"), metrics=("cpa", "cpc")))
    acct = rep.results.loc[(rep.results["level"] == "account") & (rep.results["metric"] == "cpa")].iloc[0]
    ex = alerts.explain(rep, "account", acct["entity"], "cpa", acct["start"])
    assert ex.contributors["money"].sum() == pytest.approx(acct["money_at_stake"], rel=1e-9)
    assert ex.summary["after"] == pytest.approx(acct["after"], rel=1e-9)
    d = drift.decompose(rep.series, acct["entity"], acct["start"], level="account")
    assert ex.decomposition["cpa_part_cpc"] + ex.decomposition["cpa_part_cvr"] == \
        pytest.approx(d["cpa_after"] - d["cpa_before"])
