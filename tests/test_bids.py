"""Bid recommendations: hand-computed rows (shrinkage, the step cap, the platform's
limits, too little evidence, where the target comes from, position goals) and the
sample account's figures."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from optimizer.actions.bids import BID_COLUMNS, BidSettings, BidTargets, recommend_bids, tally
from optimizer.reading import schema

DAYS = 20


def table(keywords, platform="baidu"):
    """A keyword report of ``DAYS`` days: each keyword (campaign, ad_group, keyword, clicks,
    conversions, cost — totals over the days, spread evenly —, bid, and optional
    avg_position) on every day."""
    out = []
    for k in keywords:
        camp, unit, word, clicks, conv, cost, bid = k[:7]
        pos = k[7] if len(k) > 7 else np.nan
        for d in range(DAYS):
            out.append({"campaign": camp, "ad_group": unit, "keyword": word, "match_type": "exact",
                        "clicks": clicks / DAYS, "conversions": conv / DAYS, "cost": cost / DAYS,
                        "impressions": clicks / DAYS * 10, "bid": bid, "avg_position": pos,
                        "date": pd.Timestamp("2026-11-01") + pd.Timedelta(days=d)})
    d = pd.DataFrame(out)
    return schema.conform(d.assign(platform=platform, report_type="keyword", source_file="k.csv",
                                   source_row=np.arange(2, len(d) + 2), period_start=d["date"],
                                   period_end=d["date"], account="a", currency="CNY",
                                   keyword_id=[f"id-{w}" for w in d["keyword"]]))


def perf_of(rows, line_of):
    """Keyword performance with labels, by hand: each keyword's line from ``line_of``."""
    g = rows.groupby(["campaign", "ad_group", "keyword"], observed=True)[["clicks", "cost", "conversions"]].sum()
    g = g.reset_index()
    for c in ("campaign", "ad_group", "keyword"):
        g[c] = g[c].astype(str)
    g["business_line"] = g["keyword"].map(line_of)
    g["stage"] = "core"
    return g


def strength(x, n):
    """The beta prior's strength by the method of moments, written out."""
    x, n = np.asarray(x, float), np.asarray(n, float)
    m = x.sum() / n.sum()
    observed = np.sum(n * (x / n - m) ** 2) / n.sum()
    noise = m * (1 - m) * np.mean(1 / n)
    return m * (1 - m) / (observed - noise) - 1


def row(frame, keyword):
    return frame.set_index("keyword").loc[keyword]


def test_the_bid_meets_the_target_at_the_shrunk_rate_and_moves_one_step_at_most():
    # one plan in no bundle, one unit, two keywords: 100 and 50 conversions in 1,000 clicks each
    rows = table([("P", "U", "k1", 1000, 100, 8000, 10.0), ("P", "U", "k2", 1000, 50, 8000, 10.0)])
    perf = perf_of(rows, {"k1": "开锁", "k2": "开锁"})
    out = recommend_bids(rows, perf, targets=BidTargets.of(60), currency="CNY")
    assert list(out.columns) == BID_COLUMNS
    s = strength([100, 50], [1000, 1000])  # ≈ 123.86; the unit's own CVR is the line's: 0.075
    k1 = row(out, "k1")
    assert k1["cvr_shrunk"] == pytest.approx((100 + s * 0.075) / (1000 + s))   # 0.0972: pulled from 0.10
    assert k1["target_cpa"] == 60 and k1["target_source"] == "setting_account"
    assert k1["target_bid"] == pytest.approx(60 * (100 + s * 0.075) / (1000 + s))  # ≈ 5.83
    # 5.83 is more than 20 % below 10.00: the step stops at 8.00
    assert k1["recommended_bid"] == 8.00 and k1["capped"] and k1["decision"] == "lower"
    assert k1["change_pct"] == pytest.approx(-0.20)
    # the CPC paid (8,000 / 1,000 = 8.00) is not above the new bid: the auction's price stays, nothing saved
    assert k1["money"] == 0.0 and k1["money_basis"] == "bid_saving"
    assert "¥10.00 → ¥8.00" in k1["reason_zh"] and "实付 ¥8.00" in k1["reason_zh"] and "不计节省" in k1["reason_zh"]
    assert "¥10.00 → ¥8.00" in k1["reason_en"] and "no saving is counted" in k1["reason_en"]
    assert k1["keyword_id"] == "id-k1" and k1["account"] == "" and k1["bundles_from"] == "map"


def test_a_cut_below_the_cpc_paid_saves_the_cost_above_target_it_removes():
    # as above, but k1 pays 9.50 a click: the new bid of 8.00 caps it
    rows = table([("P", "U", "k1", 1000, 100, 9500, 10.0), ("P", "U", "k2", 1000, 50, 8000, 10.0)])
    perf = perf_of(rows, {"k1": "开锁", "k2": "开锁"})
    k1 = row(recommend_bids(rows, perf, targets=BidTargets.of(60), currency="CNY"), "k1")
    s = strength([100, 50], [1000, 1000])
    cvr = (100 + s * 0.075) / (1000 + s)
    # 30 days = 1.5 × the 20 days: cost 14,250 for 1,500 clicks; at target 1,500 × cvr × 60 (≈ 8,752);
    # at 8.00 a click 12,000: what comes off, 2,250, is all above target
    at_target = 1500 * cvr * 60
    assert k1["recommended_bid"] == 8.00 and k1["decision"] == "lower"
    assert k1["money"] == pytest.approx((14250 - at_target) - (12000 - at_target)) == pytest.approx(2250.0)
    assert "¥2,250.00" in k1["reason_zh"] and "实付 ¥9.50" in k1["reason_zh"]
    assert "¥2,250.00" in k1["reason_en"] and "¥9.50" in k1["reason_en"]


def test_a_smaller_cut_saves_only_the_cost_above_target():
    # the target bid is 5 % .. 20 % below: the new bid is the target bid itself, not capped
    rows = table([("P", "U", "k", 1000, 100, 7000, 8.0), ("P", "U", "j", 1000, 100, 7000, 8.0)])
    perf = perf_of(rows, {"k": "开锁", "j": "开锁"})
    out = recommend_bids(rows, perf, targets=BidTargets.of(70))
    k = row(out, "k")
    # alike keywords: no spread beyond noise, the prior is the strongest (10,000), CVR = the line's 0.10
    assert k["cvr_shrunk"] == pytest.approx(0.10)
    assert k["target_bid"] == pytest.approx(7.0) and k["recommended_bid"] == 7.00 and not k["capped"]
    # cost 10,500 in 30 days equals 1,500 × 0.10 × 70 at target: nothing above target, nothing saved
    assert k["money"] == 0.0 and k["decision"] == "lower"
    assert "不计节省" in k["reason_zh"] and "no saving is counted" in k["reason_en"]


def test_a_raise_gains_the_extra_conversions_at_target_and_stops_at_the_platform_limit():
    rows = table([("P", "U", "a", 1000, 100, 8000, 900.0), ("P", "U", "b", 1000, 100, 8000, 999.99)])
    perf = perf_of(rows, {"a": "开锁", "b": "开锁"})
    out = recommend_bids(rows, perf, targets=BidTargets.of(None, {"开锁": 20000}))
    a, b = row(out, "a"), row(out, "b")
    assert a["target_source"] == "setting_line" and a["target_bid"] == pytest.approx(2000.0)
    # +20 % would be 1,080: Baidu takes bids up to 999.99
    assert a["recommended_bid"] == 999.99 and a["capped"] and a["decision"] == "raise"
    ratio = 999.99 / 900
    extra = 1500 * (ratio ** 0.3 - 1) * 0.10
    assert a["extra_conversions"] == pytest.approx(extra)
    assert a["money"] == pytest.approx(extra * 20000) and a["money_basis"] == "bid_gain"
    assert b["decision"] == "keep_at_limit" and b["recommended_bid"] == 999.99 and b["capped"]
    assert "¥999.99" in b["reason_zh"]
    # the same keywords on Google Ads: no upper limit, so the full step
    g = recommend_bids(table([("P", "U", "a", 1000, 100, 8000, 900.0), ("P", "U", "b", 1000, 100, 8000, 999.99)],
                             platform="google_ads"), perf, targets=BidTargets.of(None, {"开锁": 20000}))
    assert row(g, "a")["recommended_bid"] == 1080.00 and row(g, "b")["recommended_bid"] == 1199.98
    # a wider step is a setting
    wide = recommend_bids(rows, perf, targets=BidTargets.of(20000), settings=BidSettings(max_step=0.05))
    assert row(wide, "a")["recommended_bid"] == 945.00


def test_too_little_evidence_or_no_bid_keeps_the_bid_and_says_why():
    rows = table([("P", "U", "few", 29, 3, 290, 10.0), ("P", "U", "many", 2000, 100, 16000, 10.0),
                  ("P", "U", "nobid", 2000, 100, 16000, np.nan), ("P", "U", "zero", 2000, 100, 16000, 0.0)])
    perf = perf_of(rows, {"few": "开锁", "many": "开锁", "nobid": "开锁", "zero": "开锁"})
    out = recommend_bids(rows, perf, targets=BidTargets.of(60))
    few = row(out, "few")
    assert few["decision"] == "keep_low_evidence" and few["evidence"] == "few_clicks"
    assert few["recommended_bid"] == 10.0 and math.isnan(few["money"])
    assert "29 次点击" in few["reason_zh"] and "30" in few["reason_en"]
    assert row(out, "nobid")["decision"] == "keep_no_bid"
    assert row(out, "zero")["decision"] == "keep_no_bid"   # Baidu's 0: the unit's bid
    assert row(out, "many")["decision"] == "lower"
    # an interval wider than the setting allows
    strict = recommend_bids(rows, perf, targets=BidTargets.of(60), settings=BidSettings(max_interval_ratio=1.05))
    assert row(strict, "many")["evidence"] == "wide_interval" and "区间" in row(strict, "many")["reason_zh"]
    # a line without conversions and no target set: nothing to aim at
    dry = table([("P", "U", "x", 500, 0, 4000, 10.0), ("P", "U", "y", 500, 0, 4000, 10.0)])
    none = recommend_bids(dry, perf_of(dry, {"x": "修锁", "y": "修锁"}))
    assert set(none["evidence"]) == {"no_target"} and none["target_source"].eq("").all()


def test_the_target_comes_from_the_map_then_the_line_then_the_account_then_the_lines_recent_cpa():
    rows = table([("B", "U", "rank", 1000, 100, 8000, 10.0), ("B", "U", "other", 1000, 100, 8000, 10.0),
                  ("L", "U", "l", 1000, 100, 8000, 10.0), ("A", "U", "acc", 1000, 100, 8000, 10.0),
                  ("R", "U", "r", 1000, 80, 9600, 10.0)])
    lines = pd.Series({"B": "开锁", "L": "换锁", "A": "修锁", "R": "配钥匙"})
    perf = perf_of(rows, {"rank": "开锁", "other": "开锁", "l": "换锁", "acc": "修锁", "r": "配钥匙"})
    cpc = pd.DataFrame({"keyword": ["rank"], "campaign": ["B"]})
    membership = pd.Series({"B": "包1"})
    out = recommend_bids(rows, perf, cpc=cpc, membership=membership, bundle_targets={"包1": 70.0}, lines=lines,
                         targets=BidTargets(None, (("换锁", 90.0),)))
    # a keyword of a bundled plan is on oCPC unless it is one of the rank-driven CPC keywords
    assert set(out["keyword"]) == {"rank", "l", "acc", "r"}
    src = out.set_index("keyword")
    assert (src.loc["rank", "target_source"], src.loc["rank", "target_cpa"]) == ("bundle_map", 70.0)
    assert src.loc["rank", "cpc_reason"] == "rank_keyword" and src.loc["l", "cpc_reason"] == "plan_not_in_bundle"
    assert (src.loc["l", "target_source"], src.loc["l", "target_cpa"]) == ("setting_line", 90.0)
    # no account setting: the line's own cost / conversions over the window, 9,600 / 80
    assert (src.loc["acc", "target_source"], src.loc["acc", "target_cpa"]) == ("line_recent", 80.0)
    assert (src.loc["r", "target_source"], src.loc["r", "target_cpa"]) == ("line_recent", 120.0)
    assert "包1" in src.loc["rank", "reason_zh"]
    with_account = recommend_bids(rows, perf, cpc=cpc, membership=membership, bundle_targets={"包1": 70.0},
                                  lines=lines, targets=BidTargets(55.0, (("换锁", 90.0),))).set_index("keyword")
    assert (with_account.loc["acc", "target_source"], with_account.loc["acc", "target_cpa"]) == ("setting_account", 55.0)
    assert with_account.loc["l", "target_source"] == "setting_line"


def test_a_rank_driven_keyword_with_position_data_gets_a_position_goal():
    rows = table([("B", "U", "rank", 1000, 100, 8000, 10.0, 3.4), ("B", "U", "plain", 1000, 100, 8000, 10.0, 3.4)])
    perf = perf_of(rows, {"rank": "开锁", "plain": "开锁"})
    cpc = pd.DataFrame({"keyword": ["rank"], "campaign": ["B"]})
    out = recommend_bids(rows, perf, cpc=cpc, targets=BidTargets.of(60)).set_index("keyword")
    r = out.loc["rank"]
    assert r["decision"] == "position_goal" and r["recommended_bid"] == 10.0 and math.isnan(r["money"])
    assert r["avg_position"] == pytest.approx(3.4)
    assert "3.4" in r["reason_zh"] and "2.5" in r["reason_zh"] and "position 2.5" in r["reason_en"]
    assert out.loc["plain", "decision"] == "lower"   # a keyword on CPC that does not fight for rank
    # without rank data in the export: no position goal, a bid as any other
    flat = table([("B", "U", "rank", 1000, 100, 8000, 10.0), ("B", "U", "plain", 1000, 100, 8000, 10.0)])
    assert recommend_bids(flat, perf, cpc=cpc, targets=BidTargets.of(60)).set_index("keyword").loc[
        "rank", "decision"] == "lower"


def test_targets_round_trip_as_json_and_blank_figures_mean_not_set():
    t = BidTargets.of(80, {"开锁": 60, "换锁": 0, "修锁": float("nan")})
    assert t == BidTargets(80.0, (("开锁", 60.0),))
    assert BidTargets.from_json(t.to_json()) == t
    assert BidTargets.from_json(None) == BidTargets() == BidTargets.from_json("not json")


def test_tally_counts_and_adds_the_money():
    rows = table([("P", "U", "k1", 1000, 100, 8000, 10.0), ("P", "U", "k2", 1000, 50, 8000, 10.0),
                  ("P", "U", "few", 10, 1, 80, 10.0)])
    out = recommend_bids(rows, perf_of(rows, {"k1": "开锁", "k2": "开锁", "few": "开锁"}), targets=BidTargets.of(60))
    t = tally(out)
    assert (t["lower"], t["raise"], t["keep"]) == (2, 0, 1)
    assert t["saving"] == pytest.approx(round(out.loc[out["decision"] == "lower", "money"].sum(), 2))


# ---------------------------------------------------------------- the sample account

@pytest.fixture(scope="module")
def sample():
    from optimizer.analysis.account import AccountModel
    from optimizer.bundles.targets import read_bundle_sheet
    from optimizer.keywords.stages import Classifier
    from optimizer.model.dataset import accounts, for_account, load_exports
    from tests.conftest import SAMPLE
    t = load_exports([SAMPLE / "baidu_keyword_report.csv", SAMPLE / "baidu_search_term_report.csv",
                      SAMPLE / "baidu_plan_report.csv"])
    a = accounts(t).iloc[0]
    rows = for_account(t, a["platform"], a["account"], a["currency"])
    model = AccountModel(None, "baidu:北京安心开锁:CNY", (1,), lambda: rows)
    sheet = read_bundle_sheet((SAMPLE / "bundle_map.csv").read_bytes(), "bundle_map.csv")
    return model, Classifier("locksmith"), sheet


def test_the_sample_bids_the_plans_outside_its_bundles_and_its_rank_keywords(sample):
    model, clf, sheet = sample
    out = model.bids(clf, sheet=sheet)
    assert model.bids(clf, sheet=sheet) is out  # one result, kept
    plans_outside = {"修锁", "换锁-询价", "配钥匙"}  # the bundle map binds the other ten plans
    assert plans_outside <= set(out["campaign"])
    inside = out.loc[~out["campaign"].isin(plans_outside)]
    assert set(inside["cpc_reason"]) == {"rank_keyword"} and set(inside["target_source"]) == {"bundle_map"}
    assert set(inside["keyword"]) <= set(model.cpc(clf)["keyword"])
    moved = out.loc[out["decision"].isin(["raise", "lower"])]
    assert len(moved) > 10
    # never more than 20 % a step, never outside Baidu's limits, money never negative
    assert (moved["recommended_bid"] / moved["bid"] - 1).abs().max() <= 0.20 + 1e-9
    assert moved["recommended_bid"].between(0.01, 999.99).all() and (moved["money"] >= 0).all()
    # the sample's bids sit 1.5–2.1× above the CPC paid: at target, they come down
    assert (moved["decision"] == "lower").mean() > 0.9
    # 开锁电话, the phone-word plan whose CPC was planted 40 % up, over its bundle's target of 60: lowered
    phone = out.loc[(out["keyword"] == "开锁电话") & (out["campaign"] == "开锁-电话词")].iloc[0]
    assert phone["decision"] == "lower" and phone["target_cpa"] == 60.0
    # ... but what it pays a click is below even the new bid: the auction sets that price, no saving is counted
    assert phone["cost"] / phone["clicks"] <= phone["recommended_bid"] and phone["money"] == 0.0
    assert "不计节省" in phone["reason_zh"]
    # without a map and without bundles in plan names, every plan is on manual CPC, and each row says so
    bare = model.bids(clf)
    assert set(bare["bundles_from"]) == {"none"} and len(bare) > len(out)


# ---------------------------------------------------------------- workbook and command line: the same numbers

SAMPLE_FILES = None


def _files():
    from tests.conftest import SAMPLE
    return [str(SAMPLE / "baidu_keyword_report.csv"), str(SAMPLE / "baidu_search_term_report.csv"),
            str(SAMPLE / "baidu_plan_report.csv")], str(SAMPLE / "bundle_map.csv")


@pytest.fixture(scope="module")
def analysis():
    from optimizer.outputs.analyze import analyze_exports
    files, bundle_map = _files()
    return analyze_exports(files, bundle_map=bundle_map)[0]


@pytest.fixture(scope="module")
def cli_json():
    import contextlib
    import io
    import json
    from optimizer.cli import main
    files, bundle_map = _files()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["bids", *files, "--bundle-map", bundle_map, "--json", "--lang", "en"]) == 0
    return json.loads(out.getvalue())


def test_the_workbook_has_a_bids_sheet_and_summary_lines_with_the_same_money(analysis):
    import io
    import openpyxl
    from optimizer.outputs.workbook import workbook_bytes
    t = tally(analysis.bids)
    assert t["lower"] > 10 and t["saving"] >= 0
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(analysis, "zh")))
    names = wb.sheetnames
    assert "出价建议" in names and names.index("出价建议") == names.index("CPC关键词") + 1
    ws = wb["出价建议"]
    header_row = int(ws.freeze_panes[1:]) - 1
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=header_row, max_row=ws.max_row)]
    head, body = rows[0], rows[1:]
    assert len(body) == len(analysis.bids)
    sheet = pd.DataFrame(body, columns=head)
    assert sheet["建议"].iloc[0] == "降价" and sheet["预计 30 天金额"].iloc[0] == round(analysis.bids["money"].iloc[0], 2)
    lowered = sheet.loc[sheet["建议"] == "降价", "预计 30 天金额"].sum()
    assert lowered == pytest.approx(t["saving"], abs=0.01)
    # the summary sheet's line: the same saving, pointing at the Bids sheet
    line = analysis.summary.loc[(analysis.summary["kind"] == "bids")].iloc[0]
    assert line["money_at_stake"] == t["saving"] and line["count"] == t["lower"] and line["sheet"] == "bids"
    assert f"{t['lower']} 个手动出价关键词降价" in line["action_zh"]
    summary = wb["摘要"]
    values = [c.value for r in summary.iter_rows() for c in r]
    assert any(isinstance(v, str) and "手动出价关键词降价" in v for v in values)
    assert t["saving"] in values
    assert analysis.counts()["bids_lower"] == t["lower"]


def test_the_command_line_gives_the_workbooks_numbers(analysis, cli_json):
    (res,) = cli_json
    assert res["bundles_from"] == "map" and res["counts"] == tally(analysis.bids)
    bids = analysis.bids
    assert len(res["bids"]) == len(bids)
    for item, (_, r) in zip(res["bids"], bids.iterrows(), strict=True):
        assert (item["campaign"], item["keyword"], item["decision"]) == (r["campaign"], r["keyword"], r["decision"])
        assert item["money"] == (None if r["money"] != r["money"] else round(r["money"], 2))
        assert item["recommended_bid"] == round(r["recommended_bid"], 2)
        assert item["reason"] == r["reason_en"]


def test_the_command_line_takes_a_target_and_a_step_and_refuses_bad_input(tmp_path, capsys):
    import json
    from optimizer.cli import main
    files, _ = _files()
    assert main(["bids", files[0], "--target-cpa", "40", "--max-step", "0.1", "--json"]) == 0
    (res,) = json.loads(capsys.readouterr().out)
    moved = [b for b in res["bids"] if b["decision"] in ("raise", "lower")]
    assert moved and all(abs(b["change_pct"]) <= 0.1 + 1e-6 for b in moved)
    # no map, no bundles in plan names: every plan is manual CPC, its keywords aim at the account's target
    assert res["bundles_from"] == "none"
    assert {b["target_source"] for b in res["bids"] if b["target_source"]} == {"setting_account"}
    bad = tmp_path / "map.csv"
    bad.write_text("名称,数值\nx,1\n", encoding="utf-8")
    assert main(["bids", files[0], "--bundle-map", str(bad), "--lang", "en"]) == 1
    assert capsys.readouterr().err.startswith("error: ")
    with pytest.raises(SystemExit) as exc:
        main(["bids", files[0], "--max-step", "2"])
    assert exc.value.code == 2
    assert main(["bids", files[0], "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "个手动出价关键词" in out and "降价" in out


# ---------------------------------------------------------------- trial 18: the reason's words, the overspend, the
# kept step, savings apart from gains, the line's target over its on-target keywords

def test_a_cut_whose_cpc_paid_stays_below_the_new_bid_says_so_and_shows_the_overspend():
    # keywords far above target (CPA ≈ 435 against 60) whose CPC paid (≈ 18) is below the new bid (20):
    # the money is 0 — the auction sets the price below the bid — and the reason must say "below", never "above"
    costs = [13908.12 + 0.37 * i for i in range(12)]
    rows = table([("P", "U", f"k{i}", 768, 32, c, 25.0) for i, c in enumerate(costs)]
                 + [("P", "U", "good", 1000, 100, 5000, 6.0)])
    perf = perf_of(rows, {**{f"k{i}": "开锁" for i in range(12)}, "good": "开锁"})
    out = recommend_bids(rows, perf, targets=BidTargets.of(60), currency="CNY")
    low = out.loc[out["keyword"].str.startswith("k")]
    assert (low["decision"] == "lower").all() and (low["recommended_bid"] == 20.0).all()
    for _, r in low.iterrows():
        paid = r["cost"] / r["clicks"]
        assert paid <= r["recommended_bid"]
        assert r["money"] == 0.0
        assert "高于新出价" not in r["reason_zh"] and "低于新出价" in r["reason_zh"]
        assert "is above the new bid" not in r["reason_en"] and "below the new bid" in r["reason_en"]
        # the keyword's overspend now, 30 days: cost − clicks × shrunk CVR × target
        over = 1.5 * (r["cost"] - r["clicks"] * r["cvr_shrunk"] * 60)
        assert r["above_target"] == pytest.approx(over) and over > 10000
        # several steps to the target bid; this one alone saves nothing yet
        steps = math.ceil(math.log(r["target_bid"] / 25.0) / math.log(0.8))
        assert f"约 {steps} 步" in r["reason_zh"] and f"about {steps} steps" in r["reason_en"]
        assert "超出目标" in r["reason_zh"] and i18n_money(r["above_target"]) in r["reason_zh"]
    # the overspend is counted in the tally, apart from the step's saving
    t = tally(out)
    assert t["above_target"] == pytest.approx(round(out.loc[out["decision"] == "lower", "above_target"].sum(), 2))
    # ... and the lowered keywords are ordered by it when no step saves money
    assert out.loc[out["decision"] == "lower", "above_target"].is_monotonic_decreasing


def i18n_money(v):
    from optimizer.i18n import money
    return money(v, "CNY")


def test_a_cut_below_the_cpc_paid_still_says_above_and_counts_its_saving():
    rows = table([("P", "U", "k1", 1000, 100, 9500, 10.0), ("P", "U", "k2", 1000, 50, 8000, 10.0)])
    k1 = row(recommend_bids(rows, perf_of(rows, {"k1": "开锁", "k2": "开锁"}), targets=BidTargets.of(60),
                            currency="CNY"), "k1")
    assert k1["money"] > 0 and "高于新出价" in k1["reason_zh"] and k1["above_target"] >= k1["money"]


def test_targets_keep_the_step_and_old_kept_json_still_reads():
    t = BidTargets.of(80, {"开锁": 60}, step=0.3)
    assert BidTargets.from_json(t.to_json()) == t and t.step == 0.3
    assert t.bid_settings().max_step == 0.3 and t.bid_settings(BidSettings(min_clicks=10)).min_clicks == 10
    old = BidTargets.from_json('{"account": 80.0, "lines": {"开锁": 60.0}}')  # kept before the step was
    assert old == BidTargets.of(80, {"开锁": 60}) and old.step is None and old.bid_settings() == BidSettings()
    assert BidTargets.of(None, step=0).step is None and BidTargets.of(None, step=2).step is None


def test_the_kept_step_reaches_the_export_and_the_workbook(sample):
    from optimizer.actions.command import bid_recommendations
    from optimizer.analysis.summary import AnalysisSettings, analyze_account
    model, clf, sheet = sample
    kept = BidTargets.of(40, step=0.3)
    bids = bid_recommendations(model, clf, sheet, kept, "CNY")
    moved = bids.loc[bids["decision"].isin(["raise", "lower"])]
    assert (moved["change_pct"].abs() > 0.2 + 1e-6).any() and (moved["change_pct"].abs() <= 0.3 + 1e-6).all()
    a = analyze_account(model.rows(), settings=AnalysisSettings(bid_targets=kept), sheet=sheet, clf=clf,
                        model=model)
    assert a.bids["recommended_bid"].tolist() == bids["recommended_bid"].tolist()
    line = a.summary.loc[a.summary["kind"] == "bids"].iloc[0]
    assert "30%" in line["action_zh"]


def test_tally_keeps_the_saving_apart_from_the_gain():
    rows = table([("P", "U", "k1", 1000, 100, 9500, 10.0), ("P", "U", "up", 1000, 200, 5000, 5.0),
                  ("P", "U", "k2", 1000, 50, 8000, 10.0)])
    out = recommend_bids(rows, perf_of(rows, {"k1": "开锁", "up": "开锁", "k2": "开锁"}), targets=BidTargets.of(60))
    t = tally(out)
    assert t["saving"] > 0 and t["gain"] > 0
    assert "money" not in t  # a gain is more spend for more conversions, not a saving: never one sum


def test_the_change_totals_give_saving_and_gain_apart():
    from optimizer.actions.changes import totals
    ch = pd.DataFrame({"action": ["bid", "bid", "pause", "negative"], "money": [100.0, 2000.0, 50.0, np.nan],
                       "money_basis": ["bid_saving", "bid_gain", "wasted", "wasted"]})
    t = totals(ch).set_index("action")
    assert t.loc["bid", "saving"] == 100.0 and t.loc["bid", "gain"] == 2000.0 and t.loc["bid", "changes"] == 2
    assert t.loc["pause", "saving"] == 50.0 and t.loc["pause", "gain"] == 0.0
    assert t.loc["negative", "unestimated"] == 1 and "money" not in t.columns


def test_the_lines_recent_cpa_leaves_out_its_off_target_keywords():
    rows = table([("R", "U", "r", 1000, 80, 9600, 10.0), ("R", "U", "r2", 1000, 80, 9600, 10.0),
                  ("X", "U", "tools", 500, 0, 4000, 10.0)])
    lines = pd.Series({"R": "配钥匙", "X": "配钥匙"})
    perf = perf_of(rows, {"r": "配钥匙", "r2": "配钥匙", "tools": "配钥匙"})
    perf["off_target"] = (perf["keyword"] == "tools").astype(int)
    out = recommend_bids(rows, perf, lines=lines).set_index("keyword")
    # 19,200 / 160 = 120, not (19,200 + 4,000) / 160 = 145
    assert out.loc["r", "target_source"] == "line_recent" and out.loc["r", "target_cpa"] == pytest.approx(120.0)
    assert out.loc["r", "line_cpa"] == pytest.approx(120.0)
