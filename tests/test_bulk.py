"""The change table (optimizer.actions.changes) and the bulk-edit files
(optimizer.actions.formats): every written change read back by the readers of
tests/bulk_readers.py (written from ../shared/formats.md, not from the writers), the Baidu
and Google files also by the product's own ingest; limits, rows a format cannot express,
formula starts, match-type labels, and the ``bulk`` command."""
from __future__ import annotations

import hashlib
import io
import math

import numpy as np
import pandas as pd
import pytest

from optimizer.actions import changes as ch
from optimizer.actions.formats import readme, target_for_platform, write_bulk
from optimizer.actions.formats.baidu import export_generation
from optimizer.analysis.account import AccountModel
from optimizer.bundles.targets import read_bundle_sheet
from optimizer.keywords.trade import account_classifier
from optimizer.model.dataset import accounts, for_account, load_exports
from optimizer.reading.ingest import ColumnMapping, read_export
from tests import bulk_readers as R
from tests.conftest import SAMPLE

BAIDU_FILES = [SAMPLE / "baidu_keyword_report.csv", SAMPLE / "baidu_search_term_report.csv"]
GOOGLE_FILES = [SAMPLE / "google_keyword_report.csv", SAMPLE / "google_search_terms_report.csv"]


def _account(files):
    table = load_exports([str(f) for f in files])
    a = accounts(table).iloc[0]
    rows = for_account(table, a["platform"], a["account"], a["currency"])
    model = AccountModel(None, f"{a['platform']}:{a['account']}:{a['currency']}", ("test",), lambda: rows)
    return model, account_classifier(rows), rows


@pytest.fixture(scope="module")
def baidu():
    model, clf, rows = _account(BAIDU_FILES)
    sheet = read_bundle_sheet((SAMPLE / "bundle_map.csv").read_bytes(), "bundle_map.csv")
    return model, clf, rows, ch.proposed_changes(model, clf, sheet=sheet)


@pytest.fixture(scope="module")
def google():
    model, clf, rows = _account(GOOGLE_FILES)
    return model, clf, rows, ch.proposed_changes(model, clf)


def change(**kw) -> dict:
    base = {"account": "baidu:测试:CNY", "platform": "baidu", "action": "pause", "level": "keyword",
            "campaign": "开锁-核心词", "ad_group": "核心词-通用", "keyword": "开锁", "match_type": "exact",
            "keyword_id": "", "field": "status", "before": "enabled", "after": "paused", "reason_zh": "理由",
            "reason_en": "why", "money": 1.0, "money_basis": "wasted"}
    base.update(kw)
    return base


def table(*rows: dict) -> pd.DataFrame:
    return ch._frame(list(rows))


# ---------------------------------------------------------------- the change table

def test_change_ids_are_the_contracts_sha1_and_columns_are_the_contract(baidu):
    *_, changes = baidu
    assert list(changes.columns) == ch.CHANGE_COLUMNS
    r = changes.iloc[0]
    key = "|".join(r[c] for c in ("account", "action", "level", "campaign", "ad_group", "keyword", "match_type",
                                  "field"))
    assert r["change_id"] == hashlib.sha1(key.encode()).hexdigest()[:16]
    assert changes["change_id"].is_unique
    assert set(changes["platform"]) == {"baidu"} and changes["account"].iloc[0] == "baidu:北京安心开锁:CNY"


def test_negatives_are_campaign_exact_and_add_up_to_the_negative_terms_cost(baidu):
    model, clf, rows, changes = baidu
    neg = changes.loc[changes["action"] == "negative"]
    assert len(neg) and set(neg["level"]) == {"campaign"} and set(neg["match_type"]) == {"exact"}
    assert (neg["ad_group"] == "").all() and (neg["before"] == "").all()
    negatives = model.negatives(clf)
    exact_terms = set(negatives.loc[negatives["negative_match"] == "exact", "search_term"])
    assert set(neg["keyword"]) == exact_terms
    # money: the terms' spend over the search-term days, scaled to 30 days (the sample has 30 days)
    cost = negatives.loc[negatives["negative_match"] == "exact", "cost"].sum()
    st_rows = rows.loc[rows["report_type"] == "search_term"]
    days = (st_rows["period_end"].max() - st_rows["period_start"].min()).days + 1
    assert neg["money"].sum() == pytest.approx(cost * 30 / days)
    assert (neg["money_basis"] == "wasted").all()


def test_terms_to_pause_become_pauses_of_the_keyword_never_negatives(baidu):
    model, clf, _, changes = baidu
    negatives = model.negatives(clf)
    pause_terms = set(negatives.loc[negatives["negative_match"] == "pause_keyword", "search_term"])
    neg = changes.loc[changes["action"] == "negative"]
    assert not (set(neg["keyword"]) & pause_terms)
    pauses = changes.loc[changes["action"] == "pause"]
    assert pause_terms <= set(pauses["keyword"])
    assert set(pauses["field"]) == {"status"} and set(pauses["after"]) == {"paused"}
    assert (pauses["keyword_id"] != "").all()   # Baidu's export gives keyword ids


def test_a_keyword_that_only_wastes_money_is_paused_and_one_that_might_convert_is_kept():
    days = pd.date_range("2026-10-01", periods=30)
    recs = []
    for d in days:
        # the line converts: 10 clicks a day, 1 conversion; "waste" 3 clicks a day, none; "thin" 1 click every 3 days
        recs.append(dict(keyword="开锁师傅", clicks=10.0, cost=80.0, conversions=1.0))
        recs.append(dict(keyword="开锁公司哪家好", clicks=3.0, cost=30.0, conversions=0.0))
        if d.day % 3 == 0:
            recs.append(dict(keyword="开锁电话多少", clicks=1.0, cost=30.0, conversions=0.0))
        for r in recs[-3:]:
            r.setdefault("date", d)
    frame = pd.DataFrame(recs)
    from optimizer.reading.schema import conform
    rows = conform(frame.assign(platform="baidu", report_type="keyword", account="测试", campaign="开锁-核心词",
                                ad_group="核心词-通用", match_type="exact", period_start=frame["date"],
                                period_end=frame["date"], currency="CNY", impressions=frame["clicks"] * 10,
                                keyword_id=frame["keyword"].map({"开锁师傅": "1", "开锁公司哪家好": "2",
                                                                 "开锁电话多少": "3"}),
                                source_file="k.csv", source_row=range(1, len(frame) + 1)))
    model = AccountModel(None, "baidu:测试:CNY", ("t",), lambda: rows)
    clf = account_classifier(rows, "locksmith")
    out = ch.pause_changes(model, clf)
    assert out["keyword"].tolist() == ["开锁公司哪家好"]   # 90 clicks, no conversion, 900 spent vs line CPA ~ 100
    r = out.iloc[0]
    assert r["keyword_id"] == "2" and r["money"] == pytest.approx(900.0)
    assert "95%" in r["reason_en"] and "95%" in r["reason_zh"]
    # fewer clicks than the rule asks: kept
    assert ch.pause_changes(model, clf, settings=ch.ChangeSettings(min_clicks=100)).empty


def test_url_fixes_move_back_to_the_page_that_converted_and_add_missing_mobile_urls(baidu):
    *_, changes = baidu
    urls = changes.loc[changes["action"] == "url"]
    back = urls.loc[urls["reason_en"].str.contains("move it back") & ~urls["reason_en"].str.contains("with")]
    assert len(back) and (back["after"].str.endswith("huansuo.html")).all()
    assert (back["before"].str.endswith("huansuo-v2.html")).all()
    assert (back["money"] >= 0).all() and back["money"].sum() > 0
    assert set(back["field"]) == {"mobile_final_url"}   # the pages' figures count phone clicks on mobile URLs
    with_it = urls.loc[urls["reason_en"].str.contains("move it back with")]
    assert set(with_it["field"]) == {"final_url"} and with_it["money"].isna().all()
    assert set(with_it["keyword"]) <= set(back["keyword"])
    mobile = urls.loc[(urls["field"] == "mobile_final_url") & (urls["before"] == "")]
    assert len(mobile) and mobile["after"].str.startswith("https://m.").all() and mobile["money"].isna().all()
    assert set(urls["money_basis"]) == {"url_fix"}


def test_bid_changes_take_raise_and_lower_rows_of_the_recommendations():
    rec = pd.DataFrame([
        {"account": "google_ads:A:USD", "campaign": "C", "ad_group": "G", "keyword": "[lock]", "match_type": "exact",
         "keyword_id": "", "line": "开锁", "stage": "core", "clicks": 50, "cost": 100.0, "conversions": 5,
         "cvr_raw": 0.1, "cvr_shrunk": 0.09, "target_cpa": 30.0, "target_source": "line_recent", "bid": 3.2,
         "recommended_bid": 3.84, "change_pct": 0.2, "decision": "raise", "capped": True, "reason_zh": "提价",
         "reason_en": "raise", "money": 12.5, "money_basis": "bid_gain"},
        {"account": "google_ads:A:USD", "campaign": "C", "ad_group": "G", "keyword": "lock", "match_type": "broad",
         "keyword_id": "", "line": "开锁", "stage": "core", "clicks": 3, "cost": 9.0, "conversions": 0,
         "cvr_raw": 0.0, "cvr_shrunk": 0.05, "target_cpa": 30.0, "target_source": "line_recent", "bid": 2.0,
         "recommended_bid": 2.0, "change_pct": 0.0, "decision": "keep_low_evidence", "capped": False,
         "reason_zh": "证据不足", "reason_en": "too little evidence", "money": np.nan, "money_basis": ""},
    ])
    out = ch.bid_changes(rec)
    assert len(out) == 1
    r = out.iloc[0]
    assert (r["action"], r["field"], r["before"], r["after"], r["platform"]) == ("bid", "bid", "3.20", "3.84", "google")
    assert r["money"] == 12.5 and r["money_basis"] == "bid_gain"
    with pytest.raises(ValueError, match="recommended_bid"):
        ch.bid_changes(rec.drop(columns=["recommended_bid"]))


# ---------------------------------------------------------------- round trips

def test_google_editor_file_is_utf16_tab_crlf_and_every_change_reads_back(google):
    *_, changes = google
    res = write_bulk(changes, "google_editor")
    [f] = res.files
    header, rows = R.read_google_editor(f.data)
    keys = changes["campaign"] + changes["ad_group"] + changes["keyword"] + changes["match_type"]
    n_rows = int((changes["action"] == "negative").sum() + keys[changes["action"] != "negative"].nunique())
    assert header == R.EDITOR_COLUMNS and len(rows) == n_rows and len(res.written) == len(changes) == f.rows
    by = {(r["Campaign"], r["Ad group"], r["Keyword"], r["Criterion Type"]): r for r in rows}
    for c in changes.itertuples():
        kw = c.keyword.strip('[]"') if c.match_type in ("exact", "phrase") else c.keyword
        if c.action == "negative":
            assert by[(c.campaign, "", kw, "Campaign Negative Exact")]
            continue
        r = by[(c.campaign, c.ad_group, kw, c.match_type.capitalize())]
        col = {"status": "Status", "bid": "Max CPC", "final_url": "Final URL", "mobile_final_url": "Final mobile URL"}
        assert r[col[c.field]] == ("Paused" if c.field == "status" else c.after)
    # blank = no change: a pause row sets nothing else
    pause = next(r for r in rows if r["Status"] == "Paused")
    assert pause["Max CPC"] == pause["Final URL"] == ""
    # the product's ingest reads it back, the columns named as an export's
    exp = read_export(f.data, "editor.csv", mapping=ColumnMapping(
        {"campaign": "Campaign", "ad_group": "Ad group", "keyword": "Keyword", "match_type": "Criterion Type",
         "status": "Status", "final_url": "Final URL"}, platform="google_ads", report_type="keyword_list"))
    assert len(exp.table) == len(rows)
    assert set(exp.table["campaign"].astype(str)) == {r["Campaign"] for r in rows}


def test_google_editor_utf8_is_a_choice(google):
    *_, changes = google
    [f] = write_bulk(changes, "google_editor", encoding="utf8_comma").files
    header, rows = R.read_google_editor(f.data, "utf8_comma")
    assert f.rows == len(changes) and 0 < len(rows) <= len(changes)


def test_google_web_file_reads_back_with_row_types_actions_and_levels(google):
    *_, changes = google
    res = write_bulk(changes, "google_web")
    [f] = res.files
    _, rows = R.read_google_web(f.data)
    assert f.rows == len(changes) and 0 < len(rows) <= len(changes)
    neg = [r for r in rows if r["Row Type"] == "Negative keyword"]
    assert len(neg) == (changes["action"] == "negative").sum()
    assert {(r["Action"], r["Level"], r["Type"]) for r in neg} == {("Add", "Campaign", "Exact match")}
    edits = [r for r in rows if r["Row Type"] == "Keyword"]
    assert {r["Action"] for r in edits} == {"Edit"} and all(r["Level"] == "" for r in edits)
    paused = changes.loc[changes["action"] == "pause"]
    assert sum(r["Keyword status"] == "Paused" for r in edits) == len(paused.drop_duplicates(["campaign", "ad_group",
                                                                                                 "keyword"]))
    exp = read_export(f.data, "web.csv", mapping=ColumnMapping(
        {"campaign": "Campaign", "ad_group": "Ad group", "keyword": "Keyword", "match_type": "Type",
         "final_url": "Final URL", "mobile_final_url": "Mobile final URL"}, platform="google_ads",
        report_type="keyword_list"))
    assert sorted(exp.table["keyword"].astype(str)) == sorted(r["Keyword"] for r in rows)
    assert set(exp.table["match_type"].astype(str)) <= {"exact", "phrase", "broad"}


def test_google_web_edit_rows_carry_the_keyword_id_and_may_require_it():
    c = table(change(platform="google", campaign="C", ad_group="G", keyword="[lock]", keyword_id="987"),
              change(platform="google", campaign="C", ad_group="G", keyword="key", match_type="broad"))
    _, rows = R.read_google_web(write_bulk(c, "google_web").files[0].data)
    assert [r["Keyword ID"] for r in rows] == ["987", ""] and rows[0]["Keyword"] == "lock"
    res = write_bulk(c, "google_web", edit_without_id=False)
    assert len(res.written) == 1 and res.unwritable["why"].tolist() == ["no_id_web"]


def test_microsoft_file_has_the_format_version_row_and_lists_updates_without_an_id(google):
    *_, changes = google
    res = write_bulk(changes, "microsoft")
    [f] = res.files
    header, rows = R.read_microsoft(f.data)
    assert header[0] == "Type"
    n_neg = int((changes["action"] == "negative").sum())
    # Google's export gives no keyword ids: every update is listed, none written
    assert len(rows) == n_neg and {r["Type"] for r in rows} == {"Campaign Negative Keyword"}
    assert len(res.unwritable) == len(changes) - n_neg and set(res.unwritable["why"]) == {"no_id_microsoft"}
    assert res.unwritable["reason_zh"].str.contains("Id").all()
    text = readme(res, "en", "acct", "today")
    assert f"Changes not written: {len(changes) - n_neg}" in text
    # with the Id a Microsoft export gives, the update is written
    c = table(change(platform="microsoft", keyword="lock", keyword_id="4711", field="bid", before="1.00", after="1.20",
                     action="bid"))
    assert write_bulk(c.assign(platform="baidu"), "microsoft").unwritable["why"].tolist() == ["no_id_microsoft"]
    _, rows = R.read_microsoft(write_bulk(c, "microsoft").files[0].data)
    assert rows == [{**{k: "" for k in header}, "Type": "Keyword", "Id": "4711", "Campaign": "开锁-核心词",
                     "Ad Group": "核心词-通用", "Keyword": "lock", "Match Type": "Exact", "Bid": "1.20"}]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_baidu_keyword_file_and_paste_lists_read_back(baidu, fmt):
    _, _, rows, changes = baidu
    res = write_bulk(changes, "baidu", file_format=fmt, generation=export_generation(rows))
    assert res.unwritable.empty and sorted(res.written) == sorted(changes["change_id"])
    kw_file = next(f for f in res.files if f.kind == "import")
    header, krows = (R.read_baidu_xlsx if fmt == "xlsx" else R.read_baidu_csv)(kw_file.data)
    edits = changes.loc[changes["action"] != "negative"]
    # one row per keyword: a keyword's final and mobile URL moved back together share it
    assert len(krows) == len(edits.drop_duplicates(["campaign", "ad_group", "keyword", "match_type"]))
    assert kw_file.rows == len(edits)
    by = {(r["推广计划名称"], r["推广单元名称"], r["关键词名称"]): r for r in krows}
    labels = {"exact": "精确匹配", "phrase": "短语匹配", "smart": "智能匹配"}
    for c in edits.itertuples():
        r = by[(c.campaign, c.ad_group, c.keyword)]
        assert r["匹配模式"] == labels[c.match_type]
        col = {"status": "启用/暂停", "bid": "出价", "final_url": "访问URL", "mobile_final_url": "移动访问URL"}[c.field]
        assert r[col] == ("暂停" if c.field == "status" else c.after)
    # the product's ingest reads the keyword file as Baidu's own keyword list
    exp = read_export(kw_file.data, kw_file.name)
    assert exp.info.platform == "baidu" and exp.info.report_type == "keyword_list" and len(exp.table) == len(krows)
    got = exp.table[["campaign", "ad_group", "keyword", "match_type"]].astype(str)
    want = edits[["campaign", "ad_group", "keyword", "match_type"]]
    assert sorted(map(tuple, got.to_numpy())) == sorted(set(map(tuple, want.to_numpy())))
    # negatives: one paste list per plan, never keyword rows
    lists = [f for f in res.files if f.kind == "paste"]
    neg = changes.loc[changes["action"] == "negative"]
    assert sum(f.rows for f in lists) == len(neg)
    words = {w for f in lists for w in R.read_paste_list(f.data)}
    assert words == set(neg["keyword"]) and not (words & {r["关键词名称"] for r in krows})
    assert all("精确否定关键词" in f.name for f in lists)


def test_baidu_legacy_exports_get_legacy_labels_and_phrase_left_blank():
    rows = pd.DataFrame({"report_type": ["keyword"] * 2, "match_type": ["broad", "exact"]})
    assert export_generation(rows) == "legacy"
    assert export_generation(rows.assign(match_type=["exact", "smart"])) == "current"
    c = table(change(keyword="开锁", match_type="exact"), change(keyword="换锁", match_type="broad"),
              change(keyword="修锁", match_type="phrase"))
    _, krows = R.read_baidu_xlsx(write_bulk(c, "baidu", generation="legacy").files[0].data)
    assert [r["匹配模式"] for r in krows] == ["精确", "广泛", ""]
    _, krows = R.read_baidu_xlsx(write_bulk(c, "baidu").files[0].data)
    assert [r["匹配模式"] for r in krows] == ["精确匹配", "", "短语匹配"]


def test_baidu_limits_are_checked_and_rows_over_them_listed():
    c = table(change(keyword="开" * 21),                                    # 42 bytes
              change(campaign="计" * 16),                                   # 32 bytes
              change(action="bid", field="bid", before="10.00", after="1000.00", keyword="换锁"),
              change(action="url", field="final_url", before="", after="https://a.cn/" + "x" * 1020, keyword="修锁"),
              change(keyword="急开锁"))
    res = write_bulk(c, "baidu")
    assert res.unwritable["why"].tolist() == ["keyword_bytes", "name_bytes", "bid_range", "url_bytes"]
    _, krows = R.read_baidu_xlsx(res.files[0].data)
    assert [r["关键词名称"] for r in krows] == ["急开锁"]


def test_baidu_negative_lists_merge_existing_words_and_stop_at_200():
    existing = {("开锁-核心词", "", "exact"): [f"词{i}" for i in range(198)]}
    c = table(*[change(action="negative", level="campaign", ad_group="", keyword=f"新词{i}", field="negative",
                       before="", after="exact") for i in range(4)])
    res = write_bulk(c, "baidu", existing=existing)
    [f] = res.files
    words = R.read_paste_list(f.data)
    assert len(words) == 200 and words[:198] == existing[("开锁-核心词", "", "exact")]
    assert words[198:] == ["新词0", "新词1"] and f.rows == 2
    assert res.unwritable["why"].tolist() == ["list_full", "list_full"]
    assert "baidu_list_full" in res.notes
    long = table(change(action="negative", level="campaign", ad_group="", keyword="锁" * 21, field="negative",
                        before="", after="exact"))
    assert write_bulk(long, "baidu").unwritable["why"].tolist() == ["negative_bytes"]


HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1 lock", "-品牌词", "@SUM(A1)", "\uff1dcmd"]


@pytest.mark.parametrize("target", ["google_editor", "google_web", "microsoft", "baidu"])
def test_formula_starts_and_control_characters_are_never_written(target):
    rows = [change(action="negative", level="campaign", ad_group="", keyword=h, field="negative", before="",
                   after="exact", keyword_id="1") for h in HOSTILE]
    rows += [change(keyword="lock\tsmith", keyword_id="2"), change(campaign="=evil", keyword="k", keyword_id="3"),
             change(keyword="fine", keyword_id="4")]
    platform = {"microsoft": "microsoft", "baidu": "baidu"}.get(target, "google")
    res = write_bulk(table(*rows).assign(platform=platform), target)
    assert sorted(res.unwritable["why"]) == sorted(["formula"] * 6 + ["control"])
    for f in res.files:
        text = (f.data[2:].decode("utf-16-le") if f.data[:2] == b"\xff\xfe" else
                f.data.decode("utf-8-sig", errors="ignore") if not f.name.endswith(".xlsx") else "")
        for h in HOSTILE + ["=evil"]:
            assert h not in text
    if target == "baidu":
        _, krows = R.read_baidu_xlsx(res.files[0].data)
        assert [r["关键词名称"] for r in krows] == ["fine"]


def test_the_changes_of_one_keyword_make_one_row():
    c = table(change(action="url", field="final_url", before="https://a.cn/v2", after="https://a.cn/v1"),
              change(action="url", field="mobile_final_url", before="https://m.a.cn/v2", after="https://m.a.cn/v1"))
    _, krows = R.read_baidu_xlsx(write_bulk(c, "baidu").files[0].data)
    assert len(krows) == 1 and (krows[0]["访问URL"], krows[0]["移动访问URL"]) == ("https://a.cn/v1", "https://m.a.cn/v1")
    _, rows = R.read_google_editor(write_bulk(c, "google_editor").files[0].data)
    assert len(rows) == 1 and (rows[0]["Final URL"], rows[0]["Final mobile URL"]) == ("https://a.cn/v1",
                                                                                      "https://m.a.cn/v1")


def test_negatives_are_never_broad_and_smart_keywords_have_no_google_type():
    c = table(change(action="negative", level="campaign", ad_group="", keyword="x", match_type="broad",
                     field="negative", before="", after="broad"),
              change(keyword="y", match_type="smart"))
    for target in ("google_editor", "google_web", "microsoft", "baidu"):
        why = write_bulk(c, target).unwritable["why"].tolist()
        assert why[0] == "negative_match", target
    assert write_bulk(c, "google_editor").unwritable["why"].tolist() == ["negative_match", "match_type"]


def test_another_platforms_keyword_id_is_never_written_as_a_microsoft_or_google_id(baidu):
    *_, changes = baidu   # Baidu's export gives keyword ids
    edits = changes.loc[changes["action"] != "negative"]
    res = write_bulk(changes, "microsoft")
    assert set(res.unwritable.loc[res.unwritable["why"] != "match_type", "why"]) == {"no_id_microsoft"}
    assert len(res.written) == (changes["action"] == "negative").sum()
    _, rows = R.read_google_web(write_bulk(edits, "google_web").files[0].data)
    assert {r["Keyword ID"] for r in rows} == {""}


def test_targets_default_to_the_accounts_platform():
    assert target_for_platform("baidu") == "baidu" and target_for_platform("google_ads") == "google_editor"
    assert target_for_platform("microsoft") == "microsoft"


# ---------------------------------------------------------------- the command

def test_bulk_command_writes_files_and_readme_and_exits_by_the_rules(tmp_path, capsys):
    from optimizer.cli import main
    out = tmp_path / "out"
    args = ["bulk", *map(str, BAIDU_FILES), "--target", "baidu", "--out", str(out), "--lang", "en"]
    assert main(args) == 0
    names = sorted(p.name for p in out.iterdir())
    assert "README.txt" in names and "baidu_keywords.xlsx" in names
    text = (out / "README.txt").read_text(encoding="utf-8-sig")
    assert "Bulk-edit files: Baidu" in text and "Changes not written: 0" in text
    captured = capsys.readouterr()
    assert captured.err == ""
    # the bids the Bids page recommends (the same frame) are in the keyword file: 出价 filled on their rows
    from optimizer.actions.bids import tally
    from optimizer.outputs.analyze import analyze_exports
    bids = analyze_exports(list(map(str, BAIDU_FILES)))[0].bids
    lowered = tally(bids)["lower"]
    _, krows = R.read_baidu_xlsx((out / "baidu_keywords.xlsx").read_bytes())
    # less the bid cuts held back because the keyword's URL is being fixed (listed in the README)
    held = text.count("bid held: fix the page first")
    assert lowered > 0 and held > 0 and sum(1 for r in krows if r["出价"]) + held == lowered
    # another platform's target: the account is skipped, nothing written, exit 1
    assert main(["bulk", *map(str, GOOGLE_FILES), "--target", "microsoft", "--out", str(tmp_path / "ms"),
                 "--actions", "negatives,pauses", "--lang", "zh"]) == 1
    cap = capsys.readouterr()
    assert "跳过" in cap.out and "没有" in cap.err and not (tmp_path / "ms").exists()
    # bad usage: exit 2, nothing written
    with pytest.raises(SystemExit) as e:
        main(["bulk", str(BAIDU_FILES[0]), "--target", "baidu", "--out", str(tmp_path / "x"), "--actions", "bogus"])
    assert e.value.code == 2
    assert main(["bulk", str(BAIDU_FILES[0]), "--target", "baidu", "--out", str(tmp_path / "no" / "x")]) == 2
    assert not (tmp_path / "x").exists() and not (tmp_path / "no").exists()
    # bad input: exit 1 with the file named
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    assert main(["bulk", str(bad), "--target", "baidu", "--out", str(tmp_path / "y"), "--lang", "en"]) == 1
    assert "bad.csv" in capsys.readouterr().err


def test_readme_is_in_the_language_asked_and_names_the_menu_path(google):
    *_, changes = google
    res = write_bulk(changes, "google_editor")
    assert "Account > Import > From file" in readme(res, "en")
    zh = readme(res, "zh")
    assert "从文件导入" in zh and "UTF-16LE" in zh and "\r\n" in zh
    assert not math.isnan(ch.totals(changes)["saving"].sum())


# ---------------------------------------------------------------- what a download holds (trial 18)

def test_a_download_holds_only_the_changes_written_in_its_files():
    # a Microsoft export without Ids: its updates are not written, so a download neither holds nor logs them
    from optimizer.actions.formats import downloaded
    c = table(change(platform="microsoft", keyword="movers seattle", action="bid", field="bid", before="16.00",
                     after="12.80"),
              change(platform="microsoft", keyword="cheap movers"),
              change(platform="microsoft", action="negative", level="campaign", ad_group="", keyword="moving jobs",
                     field="negative", before="", after="exact"))
    res = write_bulk(c, "microsoft")
    assert len(res.unwritable) == 2 and len(res.files) == 1
    assert downloaded(c, res)["keyword"].tolist() == ["moving jobs"]
    assert downloaded(c, res, res.files[0])["keyword"].tolist() == ["moving jobs"]
    only_updates = c.iloc[:2]
    res = write_bulk(only_updates, "microsoft")
    assert res.files == [] and downloaded(only_updates, res).empty
    # Baidu: the keyword file carries the edits, each paste list its own words
    b = table(change(), change(action="negative", level="campaign", ad_group="", keyword="开锁培训", field="negative",
                               before="", after="exact"))
    res = write_bulk(b, "baidu")
    by_name = {f.name: downloaded(b, res, f)["keyword"].tolist() for f in res.files}
    assert by_name == {"baidu_keywords.xlsx": ["开锁"], "baidu_精确否定关键词_开锁-核心词.txt": ["开锁培训"]}


def test_only_the_accounts_own_platform_is_a_target_and_the_command_skips_the_others(tmp_path, capsys):
    from optimizer.actions.formats import targets_for_platform
    from optimizer.cli import main
    assert targets_for_platform("baidu") == ("baidu",)
    assert targets_for_platform("google_ads") == targets_for_platform("google") == ("google_editor", "google_web")
    assert targets_for_platform("microsoft_ads") == ("microsoft",)
    # a Baidu account as a Google Ads Editor file: skipped with the reason, nothing written, exit 1
    out = tmp_path / "g"
    assert main(["bulk", *map(str, BAIDU_FILES), "--target", "google_editor", "--out", str(out), "--lang", "en"]) == 1
    cap = capsys.readouterr()
    assert "skipped" in cap.out and "北京安心开锁" in cap.out and "nothing written" in cap.err
    assert not out.exists()
    # both accounts given: the one of the target's platform is written, the other listed as skipped, exit 0
    assert main(["bulk", *map(str, BAIDU_FILES), *map(str, GOOGLE_FILES), "--target", "baidu", "--out", str(out),
                 "--lang", "en", "--actions", "negatives"]) == 0
    cap = capsys.readouterr()
    assert "skipped" in cap.out and "Google" in cap.out.split("skipped")[0].splitlines()[-1]
    assert (out / "README.txt").exists() and not [p for p in out.iterdir() if p.is_dir()]


def test_a_keywords_bid_waits_while_its_url_is_fixed_and_a_missing_mobile_url_without_a_page_is_listed(baidu):
    model, clf, rows, changes = baidu
    c = table(change(action="url", field="final_url", before="http://a/index.html", after="http://a/matong.html",
                     money_basis="url_fix"),
              change(action="bid", field="bid", before="10.00", after="8.00", money_basis="bid_saving"),
              change(keyword="换锁", action="bid", field="bid", before="6.00", after="5.00", money_basis="bid_saving"),
              change(keyword="化粪池清理", action="url", field="mobile_final_url", before="", after="",
                     money=float("nan"), money_basis="url_fix"))
    kept, aside = ch.hold_back(c)
    assert kept["keyword"].tolist() == ["开锁", "换锁"] and kept["action"].tolist() == ["url", "bid"]
    assert aside["why"].tolist() == ["url_first", "manual_mobile_url"]
    assert "先修落地页" in aside["reason_zh"].iloc[0] and "Fix the page first" in aside["reason_en"].iloc[0]
    # the sample: no keyword with a URL fix keeps a bid change in the table
    urls = changes.loc[changes["action"] == "url"]
    obj = lambda f: set(zip(f["campaign"], f["ad_group"], f["keyword"], f["match_type"]))  # noqa: E731
    assert len(urls) and not obj(urls) & obj(changes.loc[changes["action"] == "bid"])
    assert (changes["after"] != "").all()
    _, held = ch.proposed_and_held(model, clf, sheet=read_bundle_sheet((SAMPLE / "bundle_map.csv").read_bytes(),
                                                                       "bundle_map.csv"))
    assert list(held.columns) == [*ch.CHANGE_COLUMNS, "why"]


def test_changes_already_applied_are_not_proposed_again():
    c = table(change(), change(keyword="换锁"), change(keyword="修锁", action="bid", field="bid", before="5.00",
                                                     after="4.00"))
    log = c.assign(applied_on=[pd.Timestamp("2026-12-08").date(), None, pd.Timestamp("2026-11-01").date()])
    log.loc[2, "after"] = "4.50"   # another bid than the one proposed now: not the same change
    todo, made = ch.already_applied(c, log)
    assert todo["keyword"].tolist() == ["换锁", "修锁"] and made["keyword"].tolist() == ["开锁"]
    assert made["applied_on"].tolist() == [pd.Timestamp("2026-12-08").date()]
    todo, made = ch.already_applied(c, log, before=pd.Timestamp("2026-12-08").date())   # applied today: still offered
    assert len(todo) == 3 and made.empty
    assert len(ch.already_applied(c, None)[0]) == 3


def test_the_summarys_negatives_are_the_negatives_the_files_write_and_applied_ones_are_left_out(google):
    # the workbook summary counted the account's own keywords (to pause) as negatives to add
    from optimizer.actions.changelog import change_effects
    from optimizer.analysis.summary import AnalysisSettings, analyze_account
    model, clf, rows, changes = google
    settings = AnalysisSettings(landing=False)
    a = analyze_account(rows, settings=settings, clf=clf, model=model)
    neg = changes.loc[changes["action"] == "negative"]
    line = a.summary.loc[a.summary["action_en"].str.startswith("Add ")]
    assert line["count"].tolist() == [len(neg)] and line["action_en"].iloc[0].startswith(f"Add {len(neg)} negative")
    own = a.negatives.loc[a.negatives["negative_match"] == "pause_keyword"]
    assert len(own) and a.summary["action_zh"].str.startswith(f"暂停 {len(own)} 个与业务无关的自有关键词").any()
    assert line["money_at_stake"].iloc[0] == pytest.approx(
        float(a.negatives.loc[a.negatives["negative_match"] != "pause_keyword", "cost"].sum()))
    # with the change log: negatives applied are not counted again
    log = neg.iloc[:2].assign(id=[1, 2], applied_on=rows["date"].max().date())
    b = analyze_account(rows, settings=settings, clf=clf, model=model, changes=change_effects(log, rows))
    line = b.summary.loc[b.summary["action_en"].str.startswith("Add ")]
    assert line["count"].tolist() == [len(neg) - 2]


def test_a_mixed_baidu_export_gets_each_plans_own_labels_and_bids_as_numbers():
    from openpyxl import load_workbook

    from optimizer.actions.formats.baidu import plan_generations
    rows = pd.DataFrame({"report_type": ["keyword"] * 3, "campaign": ["化粪池清理", "化粪池清理", "管道疏通"],
                         "match_type": ["broad", "exact", "exact"]})
    gen = plan_generations(rows)
    assert gen == {"化粪池清理": "legacy", "管道疏通": "current"}
    c = table(change(campaign="化粪池清理", keyword="化粪池清理", match_type="exact"),
              change(campaign="管道疏通", keyword="管道疏通电话", match_type="exact", action="bid", field="bid",
                     before="25.00", after="20.00"),
              change(campaign="管道疏通", keyword="管道疏通", match_type="phrase"))
    res = write_bulk(c, "baidu", generation=gen)
    _, krows = R.read_baidu_xlsx(res.files[0].data)
    assert [r["匹配模式"] for r in krows] == ["精确", "精确匹配", "短语匹配"]
    assert "baidu_labels_mixed" in res.notes
    ws = load_workbook(io.BytesIO(res.files[0].data)).active
    bid = ws.cell(3, 5)
    assert ws.cell(1, 5).value == "出价" and bid.value == 20 and isinstance(bid.value, (int, float))
    assert bid.number_format == "0.00"


def test_the_readme_gives_a_menu_path_for_baidu_and_microsoft_and_the_no_id_reason_names_the_fix():
    c = table(change(platform="microsoft", action="bid", field="bid", before="1.00", after="1.20"),
              change(platform="microsoft", keyword_id="4711"))
    ms = write_bulk(c, "microsoft")
    for res in (ms, write_bulk(table(change()), "baidu")):
        for lang in ("zh", "en"):
            text = readme(res, lang)
            assert "formats.md" not in text
            assert ("未在平台上验证" if lang == "zh" else "not verified") in text
    assert "Bulk operations" in readme(ms, "en") and "导入" in readme(write_bulk(table(change()), "baidu"), "zh")
    why = ms.unwritable.iloc[0]
    assert "只有 Microsoft" not in why["reason_zh"] and "Keyword ID" in why["reason_zh"]
    assert "no Id column" in why["reason_en"]
