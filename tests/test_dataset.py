"""Combining uploads: duplicates skipped and reported, overlapping re-downloads replaced,
and account figures that never count the same spend twice."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from optimizer.model.dataset import (WeekComparison, accounts, between, campaign_totals, complete_cpl, daily_totals,
                               days_old, for_account, merge, partial_last_day, spend_rows, summary, week_comparison,
                               weekly_totals)
from optimizer.reading.ingest import read_export
from tests.conftest import real

HEADER = "日期,账户,推广计划,推广单元,关键词,匹配模式,展现,点击,消费,转化\n"


def baidu(name: str, rows: list[str]) -> bytes:
    pre = "数据生成时间：2026-11-25 09:00\n数据生成条件：\n2. 时间单位：分日\n\n"
    return (pre + HEADER + "\n".join(rows) + "\n").encode("gbk")


DAY1 = ["2026-11-01,安心开锁,开锁-核心,上门开锁,上门开锁,精确匹配,100,10,50.00,2",
        "2026-11-01,安心开锁,开锁-核心,上门开锁,开锁师傅,短语匹配,80,8,40.00,1"]
DAY2 = ["2026-11-02,安心开锁,开锁-核心,上门开锁,上门开锁,精确匹配,90,9,45.00,1"]


def test_same_file_twice_is_all_duplicates_named_by_source():
    a = read_export(baidu("a.csv", DAY1), "kw_1101.csv")
    merged, r1 = merge(None, a)
    assert (r1.added, r1.duplicates) == (2, 0)
    again = read_export(baidu("a.csv", DAY1), "kw_1101_again.csv")
    merged2, r2 = merge(merged, again)
    assert (r2.added, r2.duplicates, r2.replaced) == (0, 2, 0)
    assert r2.duplicates_from == {"kw_1101.csv": 2}
    assert "2 rows already loaded from kw_1101.csv were skipped." in r2.messages("en")
    assert len(merged2) == 2 and set(merged2["source_file"]) == {"kw_1101.csv"}


def test_overlapping_redownload_replaces_changed_rows_and_adds_new_days():
    merged, _ = merge(None, read_export(baidu("a", DAY1), "kw_1101.csv"))
    # re-download covering both days: day-1 conversions arrived late for one keyword
    later = [DAY1[0].replace(",2", ",3"), DAY1[1]] + DAY2
    merged, r = merge(merged, read_export(baidu("b", later), "kw_1101_1102.csv"))
    assert (r.added, r.duplicates, r.replaced) == (1, 1, 1)
    assert r.replaced_from == {"kw_1101.csv": 1}
    assert len(merged) == 3
    assert merged["conversions"].sum() == 3 + 1 + 1
    row = merged[(merged["keyword"] == "上门开锁") & (merged["date"] == "2026-11-01")]
    assert row["conversions"].tolist() == [3.0] and row["source_file"].tolist() == ["kw_1101_1102.csv"]


def test_exact_duplicate_lines_inside_one_file_are_dropped_and_counted():
    merged, r = merge(None, read_export(baidu("a", DAY1 + [DAY1[0]]), "dup.csv"))
    assert (r.added, r.duplicates_in_file) == (2, 1)
    assert "1 exact duplicate rows inside dup.csv were dropped." in r.messages("en")


def test_a_file_of_another_account_is_named_with_the_accounts_held():
    t, r = merge(None, read_export(baidu("a", DAY1), "a.csv"))
    assert r.account_warning("zh") is None                       # the first file: nothing to compare with
    t, r = merge(t, read_export(baidu("b", DAY2), "b.csv"))
    assert r.new_accounts == () and r.account_warning("en") is None   # the same account again
    other = [d.replace("安心开锁", "顺达搬家") for d in DAY2]
    t, r = merge(t, read_export(baidu("c", other), "c.csv"))
    assert r.new_accounts == (("baidu", "顺达搬家", "CNY"),)
    assert r.earlier_accounts == (("baidu", "安心开锁", "CNY"),)
    zh = r.account_warning("zh")
    assert "c.csv" in zh and "百度营销 · 顺达搬家 · CNY" in zh and "原有：百度营销 · 安心开锁 · CNY" in zh
    assert "Baidu · 顺达搬家 · CNY" in r.account_warning("en")
    assert not any("顺达搬家" in m for m in r.messages("zh"))   # the warning is apart from the merge notes
    google = ("Keyword,Campaign,Ad group,Currency code,Impr.,Clicks,Cost\nlocksmith,Core,Lockout,USD,10,1,2.00\n")
    _, r = merge(t, read_export(google.encode(), "g.csv"))
    assert "Google Ads · 未命名账户 · USD" in r.account_warning("zh")
    assert "Google Ads · unnamed account · USD" in r.account_warning("en")


def test_a_report_that_does_not_name_the_account_or_currency_is_not_another_account():
    # Google's hour-of-day, demographics and location reports have no currency column
    t = None
    warned = []
    for f in sorted(real("google_ads/londonclean").glob("*.csv")):
        t, r = merge(t, read_export(f))
        warned += [f.name] if r.account_warning("zh") else []
    assert warned == []
    # but a named account of another currency still is
    google = ("Keyword,Campaign,Ad group,Currency code,Impr.,Clicks,Cost\nlocksmith,Core,Lockout,GBP,10,1,2.00\n")
    _, r = merge(t, read_export(google.encode(), "g.csv"))
    assert r.new_accounts == (("google_ads", "", "GBP"),)


def test_merge_does_not_modify_its_inputs():
    first, _ = merge(None, read_export(baidu("a", DAY1), "a.csv"))
    before = first.copy()
    merge(first, read_export(baidu("b", DAY2), "b.csv"))
    pd.testing.assert_frame_equal(first, before)


def test_plan_report_and_keyword_report_are_not_summed_together():
    plan_csv = ("数据生成时间：2026-11-25\n\n日期,推广计划,账户,展现,点击,消费,网页转化,商桥转化,电话转化\n"
                "2026-11-01,开锁-核心,安心开锁,180,18,90.00,1,0,2\n").encode("gbk")
    t, _ = merge(None, read_export(baidu("k", DAY1), "kw.csv"))
    t, _ = merge(t, read_export(plan_csv, "plan.csv"))
    assert set(spend_rows(t)["report_type"]) == {"campaign"}
    s = summary(t)
    assert (s.cost, s.clicks, s.conversions) == (90.0, 18.0, 3.0)
    assert s.cpa == pytest.approx(30.0) and s.cvr == pytest.approx(3 / 18)


def test_daily_and_campaign_totals_hand_computed():
    t, _ = merge(None, read_export(baidu("k", DAY1 + DAY2), "kw.csv"))
    d = daily_totals(t)
    assert d["cost"].tolist() == [90.0, 45.0]
    assert d["partial"].tolist() == [False, True]  # Baidu's last day: conversions still arriving
    assert d["cpa"].tolist() == pytest.approx([30.0, 45.0])
    assert d["cpc"].tolist() == pytest.approx([5.0, 5.0])
    c = campaign_totals(t)
    assert c.loc[0, ["campaign", "cost", "conversions", "cpa", "share"]].tolist() == \
        ["开锁-核心", 135.0, 4.0, 33.75, 1.0]
    assert c.loc[0, "cvr"] == pytest.approx(4 / 27)


def test_accounts_between_and_partial_day():
    t, _ = merge(None, read_export(baidu("k", DAY1 + DAY2), "kw.csv"))
    a = accounts(t)
    assert a[["platform", "account", "currency", "cost"]].values.tolist() == [["baidu", "安心开锁", "CNY", 135.0]]
    assert a.loc[0, "label"] == "baidu · 安心开锁 · CNY"
    assert len(between(t, "2026-11-02", "2026-11-02")) == 1
    assert partial_last_day(t) == pd.Timestamp("2026-11-02")


def test_zero_conversions_give_no_cpa_rather_than_infinity():
    rows = ["2026-11-01,安心开锁,开锁-核心,上门开锁,上门开锁,精确匹配,100,10,50.00,0"]
    t, _ = merge(None, read_export(baidu("k", rows), "kw.csv"))
    assert summary(t).cpa is None
    assert daily_totals(t)["cpa"].isna().all()


def test_nameless_rows_belong_to_the_platforms_only_account():
    st_csv = ("数据生成时间：2026-11-25\n\n日期,推广计划,推广单元,关键词,搜索词,展现,点击,消费\n"
              "2026-11-01,开锁-核心,上门开锁,上门开锁,上门开锁电话,10,1,5.00\n").encode("gbk")
    t, _ = merge(None, read_export(st_csv, "st.csv"))          # no account column, loaded first
    t, _ = merge(t, read_export(baidu("k", DAY1), "kw.csv"))   # names 安心开锁
    a = accounts(t)
    assert a["account"].tolist() == ["安心开锁"] and a.loc[0, "rows"] == 3
    assert len(for_account(t, "baidu", "安心开锁")) == 3
    assert t["account"].isna().sum() == 1  # stored rows unchanged: attribution is read-time only


def test_undated_all_time_report_does_not_hide_daily_figures():
    daily = ("Time series\n\nDate,Clicks,Impressions,Cost\n\"Thu, 5 Feb 2026\",10,100,US$20.00\n"
             "\"Fri, 6 Feb 2026\",5,50,US$9.72\n").encode()
    all_time = ("Campaign report\nAll time\nCampaign,Clicks,Impr.,Currency code,Cost\nPMax,0,0,USD,0.00\n"
                "Total: Campaigns,0,0,USD,0.00\n").encode()
    t, _ = merge(None, read_export(daily, "Time_series.csv"))
    t, _ = merge(t, read_export(all_time, "Campaign_report.csv"))
    s = summary(t)
    assert (s.cost, s.clicks) == (29.72, 15.0)


def test_nameless_accounts_in_different_currencies_stay_apart():
    usd = ("Search keyword report\nAll time\nKeyword,Campaign,Impr.,Clicks,Currency code,Cost\n"
           "cleaner,A,10,2,USD,4.00\n").encode()
    cad = ("Search keyword report\nAll time\nKeyword,Campaign,Impr.,Clicks,Currency code,Cost\n"
           "towing,B,10,1,CAD,0.12\n").encode()
    t, _ = merge(None, read_export(usd, "usd.csv"))
    t, _ = merge(t, read_export(cad, "cad.csv"))
    a = accounts(t)
    assert sorted(a["currency"]) == ["CAD", "USD"] and len(a) == 2
    assert summary(for_account(t, "google_ads", "", "CAD")).cost == 0.12


def test_partial_day_is_the_accounts_not_the_ranges():
    t, _ = merge(None, read_export(baidu("k", DAY1 + DAY2), "kw.csv"))
    first_day = between(t, "2026-11-01", "2026-11-01")
    assert not daily_totals(first_day, partial_last_day(t))["partial"].any()


# ------------------------------------------------------------------ weeks for the client view

def _days(first: str, last: str, partial_last: bool = True) -> pd.DataFrame:
    """Daily totals as :func:`daily_totals` gives them: cost = day of month x 10,
    conversions 2 on even days and 1 on odd ones, the last day partial (Baidu) with 0."""
    dates = pd.date_range(first, last, freq="D")
    d = pd.DataFrame({"date": dates, "cost": [x.day * 10.0 for x in dates],
                      "clicks": [float(x.day) for x in dates],
                      "conversions": [2.0 if x.day % 2 == 0 else 1.0 for x in dates]})
    d["partial"] = partial_last & (d["date"] == d["date"].max())
    d.loc[d["partial"], "conversions"] = 0.0
    return d


def test_weekly_totals_mark_short_weeks_and_leave_the_incomplete_day_out_of_cost_per_lead():
    # Thu 11-05 .. Wed 11-18 (11-18: Baidu's last day, leads still arriving)
    w = weekly_totals(_days("2026-11-05", "2026-11-18"))
    assert [f"{x:%m-%d}" for x in w["week"]] == ["11-02", "11-09", "11-16"]
    assert [f"{x:%m-%d}" for x in w["start"]] == ["11-05", "11-09", "11-16"]
    assert [f"{x:%m-%d}" for x in w["end"]] == ["11-08", "11-15", "11-18"]
    assert w["days"].tolist() == [4, 7, 3]
    assert w["short"].tolist() == [True, False, False]     # the range starts on a Thursday
    assert w["to_date"].tolist() == [False, False, True]   # Mon-Wed so far
    assert w["cost"].tolist() == [260.0, 840.0, 510.0]      # (5+6+7+8)*10, (9+...+15)*10, (16+17+18)*10
    assert w["conversions"].tolist() == [6.0, 10.0, 3.0]   # 1+2+1+2; 1+2+1+2+1+2+1; 2+1+0
    assert w["incomplete_day"][:2].isna().all()
    assert w["incomplete_day"].iloc[2] == pd.Timestamp("2026-11-18")
    # cost per lead without 11-18: (160+170)/(2+1) = 110, not 510/3 = 170
    assert w["cpl"].tolist() == pytest.approx([260 / 6, 84.0, 110.0])


def test_days_old_only_when_the_data_is_older_than_a_weekend():
    d = _days("2026-11-16", "2026-11-18")  # ends on Wednesday 11-18
    assert days_old(d, date(2026, 11, 21)) is None        # 3 days: a download after a weekend
    assert days_old(d, date(2026, 11, 22)) == 4
    assert days_old(d, date(2026, 12, 5)) == 17
    assert days_old(d.iloc[0:0], date(2026, 12, 5)) is None


def test_complete_cpl_leaves_the_incomplete_day_out():
    # 11-16..11-18: cost 160 + 170 (+ 180 on the incomplete 11-18), conversions 2 + 1 (+ 0)
    cpl, left_out = complete_cpl(_days("2026-11-16", "2026-11-18"))
    assert cpl == pytest.approx(330 / 3) and left_out == pd.Timestamp("2026-11-18")
    cpl, left_out = complete_cpl(_days("2026-11-16", "2026-11-18", partial_last=False))
    assert cpl == pytest.approx((160 + 170 + 180) / 5) and left_out is None
    cpl, left_out = complete_cpl(_days("2026-11-16", "2026-11-18").iloc[0:0])
    assert cpl != cpl and left_out is None


def test_weekly_totals_of_whole_weeks_and_of_nothing():
    w = weekly_totals(_days("2026-11-02", "2026-11-15", partial_last=False))  # Mon .. Sun, Google: no late day
    assert w["days"].tolist() == [7, 7]
    assert not w["to_date"].any() and not w["short"].any() and w["incomplete_day"].isna().all()
    assert w["cpl"].tolist() == pytest.approx([350 / 11, 840 / 10])
    none = weekly_totals(_days("2026-11-02", "2026-11-15").iloc[0:0])
    assert none.empty and {"days", "to_date", "short", "cpl"} <= set(none.columns)


def test_week_comparison_compares_the_same_weekdays_without_the_incomplete_day():
    # last complete day Wed 11-18 (Thu 11-19 incomplete): Mon-Wed against last Mon-Wed
    c = week_comparison(_days("2026-11-02", "2026-11-19"))
    assert (c.start, c.end, c.days) == (pd.Timestamp("2026-11-16"), pd.Timestamp("2026-11-18"), 3)
    assert (c.prev_start, c.prev_end) == (pd.Timestamp("2026-11-09"), pd.Timestamp("2026-11-11"))
    assert (c.cost, c.conversions) == (510.0, 5.0)            # (16+17+18)*10; 2+1+2
    assert (c.prev_cost, c.prev_conversions) == (300.0, 4.0)  # (9+10+11)*10; 1+2+1
    assert c.cpl == pytest.approx(102.0) and c.prev_cpl == pytest.approx(75.0)
    assert c.left_out == pd.Timestamp("2026-11-19")
    assert WeekComparison.change(c.cost, c.prev_cost) == pytest.approx(0.7)
    assert WeekComparison.change(1.0, 0.0) is None and WeekComparison.change(None, 2.0) is None


def test_week_comparison_with_a_day_or_two_compares_the_last_whole_weeks():
    # last complete day Tue 11-17: two days say little, so week 11-09 against week 11-02
    c = week_comparison(_days("2026-11-02", "2026-11-18"))
    assert (c.start, c.end, c.days) == (pd.Timestamp("2026-11-09"), pd.Timestamp("2026-11-15"), 7)
    assert (c.prev_start, c.prev_end) == (pd.Timestamp("2026-11-02"), pd.Timestamp("2026-11-08"))
    assert (c.cost, c.prev_cost) == (840.0, 350.0)            # (9+...+15)*10; (2+...+8)*10
    assert (c.conversions, c.prev_conversions) == (10.0, 11.0)
    assert c.left_out is None  # 11-18 is not in the compared weeks
    # asked for as little as two days: Mon-Tue against last Mon-Tue, 11-18 left out
    c2 = week_comparison(_days("2026-11-02", "2026-11-18"), min_days=2)
    assert (c2.start, c2.end, c2.days, c2.cost, c2.prev_cost) == \
        (pd.Timestamp("2026-11-16"), pd.Timestamp("2026-11-17"), 2, 330.0, 190.0)
    assert c2.left_out == pd.Timestamp("2026-11-18")
    # Google (no incomplete day), last day Sun 11-15: whole week against whole week
    g = week_comparison(_days("2026-11-02", "2026-11-15", partial_last=False))
    assert (g.days, g.cost, g.prev_cost, g.left_out) == (7, 840.0, 350.0, None)


def test_week_comparison_needs_the_earlier_weeks_days():
    assert week_comparison(_days("2026-11-10", "2026-11-19")) is None  # 11-09 missing: last Mon-Wed is short
    assert week_comparison(_days("2026-11-19", "2026-11-19")) is None  # only the incomplete day
    assert week_comparison(_days("2026-11-02", "2026-11-19").iloc[0:0]) is None
