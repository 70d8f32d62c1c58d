"""Bundles against their targets (optimizer.bundles.targets): the bundle map, the dated rule
sets, learning periods, over-target cost and the over-cost compensation outlook,
on hand-made bundle series with hand-computed figures."""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from optimizer.bundles import targets
from optimizer.bundles.targets import (RuleSet, TargetSettings, against_target, compensation, learning_periods, load_rules,
                               read_bundle_sheet, rules_for)
from tests.conftest import SAMPLE

DAY0 = pd.Timestamp("2026-11-01")


def bundle_series(conversions, cost, bundle="包1", clicks=None) -> pd.DataFrame:
    """A bundle's daily series from DAY0 in the shape of drift.daily_series."""
    conversions = np.asarray(conversions, float)
    cost = np.broadcast_to(np.asarray(cost, float), conversions.shape)
    clicks = np.full(len(conversions), 100.0) if clicks is None else np.asarray(clicks, float)
    return pd.DataFrame({"level": "bundle", "entity": bundle,
                         "date": pd.date_range(DAY0, periods=len(conversions), freq="D"),
                         "clicks": clicks, "cost": cost, "conversions": conversions})


def info(bundle="包1", target=100.0, start=DAY0, end=pd.NaT, target_changes=0, targeting_changes=0,
         conversion_type_changed=False) -> pd.DataFrame:
    return pd.DataFrame([{"bundle": bundle, "target_cpa": target, "learning_start": pd.Timestamp(start),
                          "learning_end": pd.Timestamp(end), "target_changes": target_changes,
                          "targeting_changes": targeting_changes,
                          "conversion_type_changed": conversion_type_changed}])


# ---------------------------------------------------------------- the bundle map

def test_bundle_map_with_chinese_headers_in_gbk():
    text = ("推广计划,投放包,目标转化成本,学习期开始,目标修改次数,定向修改次数,转化类型变更\n"
            "开锁-核心词,包1,\"￥1,080.50\",2026/11/3,1,0,否\n"
            "开锁-电话词,包1,,,,,\n"
            "换锁,包2,90,,,,\n")
    sheet = read_bundle_sheet(text.encode("gbk"), "map.csv")
    assert sheet.membership.to_dict() == {"开锁-核心词": "包1", "开锁-电话词": "包1", "换锁": "包2"}
    i = sheet.info.set_index("bundle")
    assert i.loc["包1", "target_cpa"] == 1080.5 and i.loc["包1", "learning_start"] == pd.Timestamp("2026-11-03")
    assert i.loc["包1", "target_changes"] == 1 and not i.loc["包1", "conversion_type_changed"]
    assert pd.isna(i.loc["包2", "learning_start"]) and pd.isna(i.loc["包2", "target_changes"])
    assert sheet.targets == {"包1": 1080.5, "包2": 90.0}


def test_bundle_map_english_headers_utf16():
    text = "plan\tbundle\ttarget_cpa\tlearning_start\nCore\tB1\t60\t2026-11-05\n".replace("\t", ",")
    sheet = read_bundle_sheet(text.encode("utf-16"), "map.csv")
    assert sheet.targets == {"B1": 60.0}
    assert sheet.info["learning_start"].iloc[0] == pd.Timestamp("2026-11-05")


@pytest.mark.parametrize("body, where", [
    ("a,包1,八十\n", "row 2, column '目标转化成本': '八十' is not an amount"),
    ("a,包1,80,2026-13-45\n", "row 2, column '学习期开始': '2026-13-45' is not a date"),
    ("a,包1,80,2026-11-01,1.5\n", "row 2, column '目标修改次数': '1.5' is not a whole number"),
    ("a,包1,80\nb,包1,90\n", "row 3, column '目标转化成本': bundle '包1' already has 80 on an earlier row, here 90"),
    ("a,包1\na,包2\n", "row 3: plan 'a' is already in bundle '包1'"),
    ("a,包1,-5\n", "row 2, column '目标转化成本': '-5' is not an amount"),
])
def test_bundle_map_errors_name_row_and_column(body, where):
    head = "推广计划,投放包,目标转化成本,学习期开始,目标修改次数\n"
    with pytest.raises(ValueError) as exc:
        read_bundle_sheet((head + body).encode("utf-8"), "map.csv")
    assert str(exc.value).startswith("map.csv, ") and where in str(exc.value)


@pytest.mark.parametrize("data, code, zh, en", [
    (bytes(range(256)) * 4, "bundle_map_encoding", "map.csv 不是文本 CSV 文件", "map.csv: not a text CSV file"),
    ("计划ID,包名\n1,2\n".encode(), "bundle_map_columns", "需要“推广计划”（plan）列和“投放包”（bundle）列；文件里的列是：计划ID, 包名",
     "needs a plan column (plan / 推广计划) and a bundle column (bundle / 投放包); found 计划ID, 包名"),
    ("推广计划,投放包\n开锁,包1\n开锁,包2\n".encode(), "bundle_map_plan_twice",
     "第 3 行：计划“开锁”已经在投放包“包1”里，这里又写在“包2”", "row 3: plan '开锁' is already in bundle '包1', here in '包2'"),
    ("推广计划,投放包,目标转化成本\n开锁,包1,八十\n".encode(), "bundle_map_not_amount",
     "第 2 行“目标转化成本”列的值“八十”不是金额", "row 2, column '目标转化成本': '八十' is not an amount"),
    ("推广计划,投放包,学习期开始\n开锁,包1,2026-13-45\n".encode(), "bundle_map_not_date",
     "第 2 行“学习期开始”列的值“2026-13-45”不是日期", "'2026-13-45' is not a date"),
    ("推广计划,投放包,目标修改次数\n开锁,包1,1.5\n".encode(), "bundle_map_not_count",
     "“1.5”不是次数", "'1.5' is not a whole number"),
    ("推广计划,投放包,转化类型变更\n开锁,包1,也许\n".encode(), "bundle_map_not_yes_no",
     "“也许”应是“是”或“否”", "'也许' is not 是/否 or yes/no"),
    ("推广计划,投放包,学习期开始\n开锁,包1,2026-11-03\n换锁,包1,11/5/2026\n".encode(), "bundle_map_two_values",
     "投放包“包1”在前面的行里是“2026-11-03”，这里是“11/5/2026”", "bundle '包1' already has 2026-11-03 on an earlier "
     "row, here 11/5/2026"),
    ("推广计划,投放包\n开锁,\"包1\n".encode() + b"x" * 200_000, "bundle_map_unreadable",
     "第 2 行无法按 CSV 读取", "row 2 cannot be read as CSV"),
])
def test_every_bundle_map_error_is_told_in_both_languages(data, code, zh, en):
    from optimizer.errors import UserError
    with pytest.raises(ValueError) as caught:
        read_bundle_sheet(data, "map.csv")
    err = caught.value
    assert isinstance(err, UserError) and err.code == code
    assert zh in err.message("zh") and "map.csv" in err.message("zh")
    assert en in err.message("en") and str(err) == err.message("en")
    assert not re.search(r"\b(row|column|is not|already|needs|found)\b", err.message("zh")), err.message("zh")


def test_a_written_bundle_map_reads_back_the_same():
    membership = pd.Series({"开锁-核心词": "B1", "开锁-电话词": "B1", "换锁-询价": "B2", "=HYPERLINK(x)": "B2",
                            "修锁": None})
    data = targets.write_bundle_sheet(membership, {"B1": 61.234, "B2": float("nan")})
    assert data.startswith("\ufeff推广计划,投放包,目标转化成本".encode("utf-8"))
    sheet = read_bundle_sheet(data, "map.csv")
    assert sheet.membership.to_dict() == {"开锁-核心词": "B1", "开锁-电话词": "B1", "换锁-询价": "B2",
                                          "=HYPERLINK(x)": "B2"}  # written formula-safe, read back as named;
    assert b"'=HYPERLINK(x)" in data                                  # unbundled plans left out
    assert sheet.targets == {"B1": 61.23}


def test_which_bundle_map_an_account_is_checked_by():
    given = read_bundle_sheet("推广计划,投放包\n开锁-核心词,包9\n".encode(), "m.csv")
    proposed = pd.Series({"开锁-核心词": "B1", "开锁-电话词": "B1", "换锁": "-"})
    assert targets.bundle_sheet_for(["包1-开锁", "x"], given, proposed) == (given, "map")
    sheet, src = targets.bundle_sheet_for(["包1-开锁", "包2-换锁", "x"], None, proposed)
    assert src == "names" and sheet.membership.to_dict() == {"包1-开锁": "包1", "包2-换锁": "包2"}
    sheet, src = targets.bundle_sheet_for(["开锁-核心词", "开锁-电话词", "换锁"], None, proposed)
    assert src == "proposed" and sheet.membership.to_dict() == {"开锁-核心词": "B1", "开锁-电话词": "B1"}
    assert sheet.targets == {}  # a proposal is watched as a group, never held to a target
    assert targets.bundle_sheet_for(["x"], None, None) == (None, "none")
    assert targets.bundle_sheet_for(["x"], None, pd.Series({"x": "-"})) == (None, "none")


def test_bundle_map_without_required_columns():
    with pytest.raises(ValueError, match="needs a plan column"):
        read_bundle_sheet("计划ID,包名\n1,2\n".encode(), "x.csv")
    with pytest.raises(ValueError, match="not a text CSV"):
        read_bundle_sheet(bytes(range(256)) * 4, "x.csv")


def test_the_sample_bundle_map_matches_the_sample_plans():
    sheet = read_bundle_sheet((SAMPLE / "bundle_map.csv").read_bytes(), "bundle_map.csv")
    assert len(sheet.info) == 5 and len(sheet.membership) == 10


# ---------------------------------------------------------------- rule sets

def test_bundled_rule_sets_are_dated_as_formats_md_says():
    rules = load_rules()
    assert set(rules) >= {"baidu_2022", "baidu_pre_2022", "baidu_low_threshold"}
    assert rules_for("2022-10-10", rules).id == "baidu_pre_2022" and rules_for("2022-10-10", rules).trigger == 0.30
    assert rules_for("2022-10-11", rules).id == "baidu_2022" and rules_for("2026-11-01", rules).trigger == 0.20
    low = rules["baidu_low_threshold"]
    assert low.window_days == 7 and low.min_total == 30
    assert targets.default_tolerance(rules)[0] == 0.20


def test_a_bad_rule_file_is_reported_with_its_section(tmp_path):
    bad = tmp_path / "rules.toml"
    bad.write_text("[mine]\ntrigger = 0.2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"rules.toml, \[mine\]: 'window_days' is required"):
        load_rules(bad)
    bad.write_text("[mine]\ntrigger = 0.2\nwindow_days = 3\nwindoww = 4\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown key"):
        load_rules(bad)
    bad.write_text("[mine\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot read"):
        load_rules(bad)


# ---------------------------------------------------------------- learning

def test_learning_ends_on_the_day_the_threshold_is_reached():
    s = bundle_series([5, 5, 5, 5, 5, 5, 5, 5], 500.0)
    out = learning_periods(s, info(start=DAY0 + pd.Timedelta(days=1)), TargetSettings(learning_conversions=20))
    # from 11-02: cumulative 5, 10, 15, 20 -> 20 reached on 11-05 (4th day, ≥ 3 days)
    assert out["learning_end"].iloc[0] == pd.Timestamp("2026-11-05")
    assert out["end_source"].iloc[0] == "threshold" and not out["in_learning"].iloc[0]


def test_still_learning_while_the_threshold_is_not_reached_and_min_days_hold():
    s = bundle_series([50, 50, 1, 1], 500.0)
    out = learning_periods(s, info(start=DAY0), TargetSettings(learning_conversions=30, min_learning_days=3))
    assert out["learning_end"].iloc[0] == pd.Timestamp("2026-11-03")  # 100 by day 2, but 3 days needed
    s = bundle_series([1, 1, 1, 1], 500.0)
    out = learning_periods(s, info(start=DAY0), TargetSettings(learning_conversions=30))
    assert bool(out["in_learning"].iloc[0]) and out["end_source"].iloc[0] == "not_reached"
    out = learning_periods(s, info(start=DAY0, end=DAY0 + pd.Timedelta(days=1)))
    assert not out["in_learning"].iloc[0] and out["end_source"].iloc[0] == "map"


# ---------------------------------------------------------------- against target

def test_over_target_with_the_excess_cost_and_an_exact_interval():
    # last 7 days: cost 7 × 200 = 1,400, conversions 7 × 1 = 7 -> CPA 200 vs target 100 × 1.2
    s = bundle_series([9] * 10 + [1] * 7, 200.0)
    out = against_target(s, info(start=pd.NaT), TargetSettings(tolerance=0.2, window_days=7)).iloc[0]
    assert out["status"] == "over_target" and out["days"] == 7
    assert out["cpa"] == pytest.approx(200.0) and out["threshold"] == pytest.approx(120.0)
    assert out["excess_cost"] == pytest.approx(1400 - 100 * 7)
    # Garwood: chi2(0.025, 14)/2 and chi2(0.975, 16)/2 around 7 events
    lo, hi = stats.chi2.ppf(0.025, 14) / 2, stats.chi2.ppf(0.975, 16) / 2
    assert out["cpa_low"] == pytest.approx(1400 / hi) and out["cpa_high"] == pytest.approx(1400 / lo)
    assert out["sure"] == (1400 / hi > 120)


def test_within_target_learning_and_no_conversions():
    s = bundle_series([10] * 7, 1100.0)  # CPA 110 ≤ 120
    assert against_target(s, info(start=pd.NaT))["status"].iloc[0] == "within_target"
    s = bundle_series([0] * 7, 300.0)  # spend without conversions: over, CPA infinite, all cost above target
    out = against_target(s, info(start=pd.NaT)).iloc[0]
    assert out["status"] == "over_target" and math.isinf(out["cpa"]) and out["excess_cost"] == pytest.approx(2100)
    s = bundle_series([1] * 7, 300.0)  # over, but still learning: shown as learning, not flagged
    out = against_target(s, info(start=DAY0), TargetSettings(learning_conversions=30)).iloc[0]
    assert out["status"] == "learning"


# ---------------------------------------------------------------- compensation

STANDARD = RuleSet(id="std", name_zh="std", name_en="std", trigger=0.2, window_days=3, min_daily_average=10,
                   every_day_positive=True)


def comp(s, inf, rules=None):
    rules = rules or {"std": STANDARD}
    return compensation(s, inf, rules, "std" if "std" in rules else None).iloc[0]


def test_eligible_with_the_amount_by_baidus_formula():
    # window 11-01..03: cost 3 × 2,000 = 6,000, conversions 12 + 11 + 13 = 36 -> CPA 166.7 > 120
    s = bundle_series([12, 11, 13, 20, 20], 2000.0)
    out = comp(s, info(target=100.0))
    assert out["status"] == "eligible" and out["window_complete"]
    assert out["amount"] == pytest.approx(6000 - 100 * 36)
    assert out["window_end"] == pd.Timestamp("2026-11-03")
    # the reason says which money: 6,000 / 36 = 166.67 against the target 100 (120%)
    assert "实际转化成本 ¥166.67 超过目标 ¥100.00 的 120%" in out["reasons_zh"]
    assert "actual CPA ¥166.67 is over 120% of the target ¥100.00" in out["reasons_en"]
    usd = compensation(s, info(target=100.0), {"std": STANDARD}, "std", currency="USD").iloc[0]
    assert "$166.67" in usd["reasons_en"] and "¥" not in usd["reasons_en"]


def test_not_eligible_for_a_day_without_conversions_or_too_many_changes():
    s = bundle_series([20, 0, 20, 5], 3000.0)
    out = comp(s, info())
    assert out["status"] == "not_eligible" and "11-02" in out["reasons_zh"] and out["amount"] == 0
    s = bundle_series([12, 11, 13, 20], 2000.0)
    out = comp(s, info(target_changes=3))
    assert out["status"] == "not_eligible" and "3 target CPA changes, over the limit of 2" in out["reasons_en"]
    out = comp(s, info(conversion_type_changed=True))
    assert out["status"] == "not_eligible"
    s = bundle_series([9, 9, 9, 9], 2000.0)  # average 9 is not > 10
    assert comp(s, info())["status"] == "not_eligible"


def test_at_risk_while_the_window_runs_and_changes_are_at_the_limit():
    s = bundle_series([12, 12], 2000.0)  # 2 of 3 days, over cost
    out = comp(s, info(target_changes=2))
    assert out["status"] == "at_risk" and not out["window_complete"]
    assert "one more voids the claim" in out["reasons_en"] and out["amount"] == pytest.approx(4000 - 2400)


def test_not_over_cost_and_not_started():
    s = bundle_series([12, 12, 12], 1300.0)  # CPA 108.3 ≤ 120
    assert comp(s, info())["status"] == "not_over_cost"
    s = bundle_series([12, 12, 12], 2000.0)
    out = comp(s, info(start=DAY0 + pd.Timedelta(days=10)))
    assert out["status"] == "not_started"


def test_the_rule_set_in_force_is_used_and_a_total_rule_counts_the_window():
    rules = load_rules()
    s = bundle_series([12, 11, 13, 20], 2000.0, clicks=[200] * 4)
    inf = info(start=DAY0)
    out = compensation(s, inf, rules).iloc[0]
    assert out["rules"] == "baidu_2022"
    low = compensation(s, inf, rules, "baidu_low_threshold").iloc[0]
    # 7-day window, 4 days seen, 56 conversions ≥ 30 but the window runs: at risk
    assert low["status"] == "at_risk" and low["window_days"] == 7 and low["conversions"] == 56
