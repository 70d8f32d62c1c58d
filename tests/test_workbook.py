"""The recommendations workbook (optimizer.outputs.workbook): the sample account written and read
back with openpyxl — sheets, headers in Chinese and English, number formats, frozen
header, autofilter, colours, widths, values equal to the analysis — the CSV of every
sheet round-trips through pandas, and hostile text never becomes a formula."""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import replace

import numpy as np
import openpyxl
import pandas as pd
import pytest

from optimizer.outputs.analyze import analyze_exports
from optimizer.i18n import STAGE, account_label, code_name
from optimizer.outputs.report import neutralise
from optimizer.outputs.sheet_text import st
from optimizer.outputs.workbook import (COLOURS, SHEETS, csv_decimals, index_csv, money_format, sheet_csvs, sheet_frame,
                                sheets, text_width, workbook_bytes, write_index, write_workbook)
from tests.conftest import SAMPLE, real

FILES = [SAMPLE / "baidu_keyword_report.csv", SAMPLE / "baidu_search_term_report.csv",
         SAMPLE / "baidu_plan_report.csv"]
HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"]
MONEY = money_format("CNY")


@pytest.fixture(scope="module")
def analysis():
    return analyze_exports(FILES, bundle_map=SAMPLE / "bundle_map.csv")[0]


@pytest.fixture(scope="module")
def books(analysis, tmp_path_factory):
    out = {}
    for lang in ("zh", "en"):
        path = tmp_path_factory.mktemp("wb") / f"report_{lang}.xlsx"
        write_workbook(analysis, path, lang)
        out[lang] = openpyxl.load_workbook(path)
    return out


def _keys(analysis) -> list[str]:
    return [k for k in analysis.FRAMES if getattr(analysis, k) is not None]


def _header_row(ws) -> int:
    return int(ws.freeze_panes[1:]) - 1


def _table(ws) -> tuple[list[str], list[list]]:
    h = _header_row(ws)
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=h, max_row=ws.max_row)]
    return rows[0], rows[1:]


def test_sheets_are_named_in_the_users_language_summary_first(analysis, books):
    assert analysis.landing is not None  # optimizer.landing.analysis is importable now: its sheet is written
    for lang, wb in books.items():
        assert wb.sheetnames == [st(f"sheet.{k}", lang) for k in _keys(analysis)]
    assert books["zh"].sheetnames[:5] == ["摘要", "关键词阶段", "阶段表现", "结构调整", "否定关键词"]
    assert books["en"].sheetnames[:5] == ["Summary", "Keyword stages", "Stage table", "Structure fixes",
                                          "Negative keywords"]


def test_headers_follow_the_language_and_are_styled(analysis, books):
    for lang, wb in books.items():
        for key in _keys(analysis):
            ws = wb[st(f"sheet.{key}", lang)]
            header, _ = _table(ws)
            assert header == [st(c.header, lang) for c in SHEETS[key]], key
            assert len(set(header)) == len(header), key
            cell = ws.cell(_header_row(ws), 1)
            assert cell.font.bold and cell.fill.fgColor.rgb.endswith("DDEBF7") and cell.alignment.wrap_text
    zh, _ = _table(books["zh"]["关键词阶段"])
    en, _ = _table(books["en"]["Keyword stages"])
    assert zh[:5] == ["关键词", "推广计划", "推广单元", "业务点", "阶段"]
    assert en[:5] == ["Keyword", "Campaign", "Ad group", "Business line", "Stage"]


def test_header_is_frozen_and_filtered_over_the_whole_table(analysis, books):
    wb = books["zh"]
    for key in _keys(analysis):
        ws = wb[st(f"sheet.{key}", "zh")]
        h = _header_row(ws)
        assert ws.freeze_panes == ("A2" if key != "summary" else f"A{h + 1}")
        n = max(len(getattr(analysis, key)), 1)
        last = openpyxl.utils.get_column_letter(len(SHEETS[key]))
        assert ws.auto_filter.ref == f"A{h}:{last}{h + n}", key
    summary = wb["摘要"]
    assert summary["A1"].value == "优化建议：百度营销 · 北京安心开锁 · CNY" and summary["A1"].font.bold
    assert summary["A2"].value.startswith("开锁 · 2026-")  # the platform is in the title: not repeated


def test_number_formats_money_percent_counts_and_dates(books):
    ws = books["zh"]["关键词阶段"]
    header, rows = _table(ws)
    col = {h: i + 1 for i, h in enumerate(header)}
    r = 2
    assert ws.cell(r, col["消费"]).number_format == MONEY == '"¥"#,##0.00;-"¥"#,##0.00'
    assert ws.cell(r, col["转化成本"]).number_format == MONEY
    assert ws.cell(r, col["转化率"]).number_format == "0.00%"
    assert ws.cell(r, col["点击"]).number_format == "#,##0"
    assert isinstance(ws.cell(r, col["转化率"]).value, float) and 0 < ws.cell(r, col["转化率"]).value < 1
    drift = books["en"]["Cost drift"]
    header, _ = _table(drift)
    col = {h: i + 1 for i, h in enumerate(header)}
    since = drift.cell(2, col["Since"])
    assert isinstance(since.value, dt.datetime) and since.number_format == "yyyy-mm-dd"
    assert drift.cell(2, col["Change"]).number_format == "0.00%"
    assert drift.cell(2, col["Money at stake"]).number_format == MONEY
    for row in range(2, drift.max_row + 1):  # before/after: a rate for CVR flags, money for the others
        metric = drift.cell(row, col["Metric"]).value
        fmt = drift.cell(row, col["Before"]).number_format
        assert fmt == ("0.00%" if metric == "CVR" else MONEY)
    summary = books["zh"]["摘要"]
    h = _header_row(summary)
    assert summary.cell(h + 1, 5).number_format == MONEY and summary.cell(h + 1, 1).number_format == "#,##0"


def test_money_format_follows_the_currency(analysis):
    assert money_format("USD") == '"$"#,##0.00;-"$"#,##0.00'
    assert money_format("XYZ") == '#,##0.00" XYZ"'
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(analysis, "en", currency="USD")))
    assert wb["Keyword stages"]["H2"].number_format == '"$"#,##0.00;-"$"#,##0.00'


def test_values_equal_the_analysis(analysis, books):
    # keyword stages: every row, in order
    _, rows = _table(books["zh"]["关键词阶段"])
    k = analysis.keywords
    assert len(rows) == len(k)
    assert [r[0] for r in rows] == [neutralise(x) for x in k["keyword"]]
    assert [r[4] for r in rows] == [code_name(STAGE, s, "zh") for s in k["stage"]]
    assert [r[5] for r in rows] == ["是" if u else "否" for u in k["urgency"]]
    np.testing.assert_allclose([r[7] for r in rows], k["cost"].round(2), atol=1e-9)
    cvr = [np.nan if r[10] is None else r[10] for r in rows]
    np.testing.assert_allclose(cvr, k["cvr"].round(6), atol=1e-9, equal_nan=True)
    # summary: money and actions, ranked
    _, rows = _table(books["en"]["Summary"])
    s = analysis.summary
    assert [r[3] for r in rows] == s["action_en"].tolist()
    money = [np.nan if r[4] is None else r[4] for r in rows]
    np.testing.assert_allclose(money, s["money_at_stake"].round(2), atol=1e-9, equal_nan=True)
    assert [r[1] for r in rows][:1] == ["High"]
    # negatives
    _, rows = _table(books["zh"]["否定关键词"])
    assert [r[0] for r in rows] == [neutralise(x) for x in analysis.negatives["search_term"]]
    # an own keyword off target is to be paused, any other term negated exactly
    assert [r[1] for r in rows] == ["暂停该关键词（账户自己投放的词，不必加否定）" if c == "pause_keyword" else "精确否定"
                                    for c in analysis.negatives["negative_match"]]
    assert {r[1] for r in rows} == {"精确否定", "暂停该关键词（账户自己投放的词，不必加否定）"}
    np.testing.assert_allclose([r[2] for r in rows], analysis.negatives["cost"].round(2))
    # bundles: target CPA
    header, rows = _table(books["en"]["Proposed bundles"])
    i = header.index("Target CPA")
    np.testing.assert_allclose([r[i] for r in rows], analysis.bundles["target_cpa"].round(2))
    # drift: dates, money, headline in the language
    header, rows = _table(books["zh"]["成本异常"])
    d = analysis.drift
    assert [r[header.index("变化日")].date() for r in rows] == [pd.Timestamp(x).date() for x in d["start"]]
    np.testing.assert_allclose([r[header.index("涉及金额")] for r in rows], d["money_at_stake"].round(2))
    assert [r[header.index("结论")] for r in rows] == d["headline_zh"].tolist()
    assert any("开锁-电话词" in r[header.index("结论")] for r in rows)


def test_every_sheet_holds_the_frame_cell_for_cell(analysis, books):
    for lang, wb in books.items():
        for s in sheets(analysis, lang):
            _, rows = _table(wb[s.name])
            assert len(rows) == len(s.frame), s.key
            for j, c in enumerate(s.cols):
                got = [r[j] for r in rows]
                want = s.frame.iloc[:, j].tolist()
                if c.kind == "date":
                    assert [g.date() if g else None for g in got] == \
                        [None if pd.isna(w) else w.date() for w in want], (s.key, c.field)
                elif c.kind in ("money", "int", "count", "num", "days", "ratio", "pct", "p", "metric_value"):
                    np.testing.assert_allclose([np.nan if g is None else g for g in got],
                                               np.array(want, dtype=float), rtol=1e-12, equal_nan=True,
                                               err_msg=f"{s.key}.{c.field}")
                else:
                    assert got == [neutralise(w) for w in want], (s.key, c.field)


def test_severity_colours(analysis, books):
    ws = books["zh"]["摘要"]
    h = _header_row(ws)
    for i, sev in enumerate(analysis.summary["severity"], start=h + 1):
        fill = ws.cell(i, 2).fill.fgColor.rgb
        expected = {"high": "red", "medium": "amber", "low": "grey", "saving": "green"}.get(sev)
        if expected:
            assert fill.endswith(COLOURS[expected][0]), (i, sev)
        else:
            assert ws.cell(i, 2).fill.fill_type is None
    drift = books["en"]["Cost drift"]
    assert drift["A2"].value == "High" and drift["A2"].fill.fgColor.rgb.endswith(COLOURS["red"][0])
    landing = books["zh"]["落地页"]
    statuses = analysis.landing["status"].tolist()
    assert "red" in statuses
    row = statuses.index("red") + 2
    assert landing.cell(row, 2).fill.fgColor.rgb.endswith(COLOURS["red"][0])


def test_widths_come_from_the_content_and_cjk_counts_double(books):
    assert text_width("开锁") == 4 and text_width("ab") == 2 and text_width("ＡＢ") == 4
    ws = books["zh"]["关键词阶段"]
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    assert widths["A"] > widths["F"]  # keywords are wider than 是/否
    assert all(6 <= w <= 60 for w in widths.values())
    summary = books["en"]["Summary"]
    assert summary.column_dimensions["D"].width >= 60  # the action, wrapped


def test_csv_of_every_sheet_round_trips(analysis):
    for lang in ("zh", "en"):
        csvs = sheet_csvs(analysis, lang)
        frames = {s.name: s for s in sheets(analysis, lang)}
        assert list(csvs) == list(frames)
        for name, data in csvs.items():
            assert data.startswith(b"\xef\xbb\xbf"), name
            back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
            s = frames[name]
            assert list(back.columns) == list(s.frame.columns)
            assert len(back) == len(s.frame)
            for j, c in enumerate(s.cols):
                got, want = back.iloc[:, j], s.frame.iloc[:, j]
                if c.kind == "date":
                    want = want.dt.strftime("%Y-%m-%d")
                    assert got.fillna("").tolist() == want.fillna("").tolist(), (name, c.field)
                elif c.kind in ("money", "int", "count", "num", "days", "ratio", "pct", "p", "metric_value"):
                    digits = csv_decimals(s).get(s.frame.columns[j])  # counts whole, money to the cent
                    if digits is not None:
                        per_row = [digits] * len(want) if isinstance(digits, int) else digits
                        # written to d decimals: within half a last place of the sheet's value (a tie
                        # such as 0.05255 may round either way in binary)
                        tol = np.array([0.0 if d is None else 0.5 * 10.0 ** -d + 1e-9 for d in per_row])
                        g, w = got.astype(float).to_numpy(), want.astype(float).to_numpy()
                        assert (np.isnan(g) == np.isnan(w)).all(), f"{name}.{c.field}"
                        ok = np.isnan(w) | (np.abs(g - w) <= tol + 1e-12 * np.abs(w))
                        assert ok.all(), (f"{name}.{c.field}", g[~ok][:3], w[~ok][:3])
                        continue
                    np.testing.assert_allclose(got.astype(float), want.astype(float), rtol=1e-12, equal_nan=True,
                                               err_msg=f"{name}.{c.field}")
                else:
                    exp = [None if w is None else neutralise(w) for w in want]
                    assert [None if isinstance(g, float) and g != g else str(g) for g in got] == \
                        [None if e is None or e == "" else e for e in exp], (name, c.field)


def test_sheet_frame_translates_codes(analysis):
    zh = sheet_frame(analysis.structure, "structure", "zh")
    en = sheet_frame(analysis.structure, "structure", "en")
    assert list(zh.columns)[:3] == ["推广计划", "推广单元", "关键词"]
    assert set(zh["问题"]) <= {"业务点不符", "阶段不符"} and set(en["Issue"]) <= {"line differs", "stage differs"}


def test_english_sheets_name_business_lines_and_flag_entities_in_english(analysis):
    cjk = r"[\u4e00-\u9fff]"
    for key, col in (("keywords", "Business line"), ("stages", "Business line"), ("plans", "Business line"),
                     ("bundles", "Business lines")):
        en = sheet_frame(getattr(analysis, key), key, "en")[col].dropna()
        assert len(en) and not en.str.contains(cjk).any() and "Lockout" in " ".join(en), key
    assert "开锁" in set(sheet_frame(analysis.keywords, "keywords", "zh")["业务点"])
    drift = sheet_frame(analysis.drift, "drift", "en")
    lines = drift.loc[drift["Level"] == "Business line", "Entity"]
    assert len(lines) and not lines.str.contains(cjk).any()


def _hostile(analysis):
    k = analysis.keywords.head(len(HOSTILE)).copy()
    k["keyword"] = HOSTILE
    k["campaign"] = HOSTILE
    neg = analysis.negatives.head(len(HOSTILE)).copy()
    neg["search_term"] = HOSTILE
    neg["keywords"] = HOSTILE
    summ = analysis.summary.head(len(HOSTILE)).copy()
    summ["action_zh"] = summ["action_en"] = HOSTILE
    return replace(analysis, keywords=k, negatives=neg, summary=summ, account="=cmd|' /C calc'!A0")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hostile_text_never_becomes_a_formula_in_the_workbook(analysis, lang):
    bad = _hostile(analysis)
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(bad, lang)))
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    assert c.data_type == "s", (ws.title, c.coordinate, c.value)
                    assert not c.value.startswith(("=", "+", "-", "@", "\t", "\r")), (ws.title, c.value)
                    seen.add(c.value)
    assert {"'" + h for h in HOSTILE} <= seen
    # the account name sits inside the title (not at the start of a cell): harmless as it is
    assert wb.worksheets[0]["A1"].value == st("title.workbook", lang,
                                              account=account_label("baidu", "=cmd|' /C calc'!A0", "CNY", lang))


def test_hostile_text_is_neutralised_in_every_csv(analysis):
    bad = _hostile(analysis)
    for name, data in sheet_csvs(bad, "zh").items():
        back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
        for col in back.columns:
            for v in back[col]:
                assert not v.startswith(("=", "+", "@", "\t", "\r")), (name, col, v)
                if v.startswith("-"):
                    float(v)  # only a negative number may start with a minus
    kw = pd.read_csv(io.BytesIO(sheet_csvs(bad, "zh")["关键词阶段"]), encoding="utf-8-sig", dtype=str,
                     keep_default_na=False)
    assert kw["关键词"].tolist() == ["'" + h for h in HOSTILE]


def test_error_codes_and_control_characters_stay_plain_text(analysis):
    k = analysis.keywords.head(3).copy()
    k["keyword"] = ["#N/A", "开锁\x00\x07电话", "#DIV/0!"]
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(replace(analysis, keywords=k), "zh")))
    ws = wb["关键词阶段"]
    assert [ws.cell(r, 1).value for r in (2, 3, 4)] == ["#N/A", "开锁电话", "#DIV/0!"]
    assert all(ws.cell(r, 1).data_type == "s" for r in (2, 3, 4))


def test_bad_language_and_bad_path_fail_cleanly(analysis, tmp_path):
    with pytest.raises(ValueError, match="lang"):
        write_workbook(analysis, tmp_path / "x.xlsx", "fr")
    with pytest.raises(OSError):
        write_workbook(analysis, tmp_path / "missing" / "x.xlsx")
    assert not list(tmp_path.rglob("*.part"))


# ---------------------------------------------------------------- numbers in the CSVs, account names

def _csv_text(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_csv_writes_counts_as_integers_and_money_to_the_cent(analysis):
    csvs = sheet_csvs(analysis, "zh")
    lines = csvs["关键词阶段"].decode("utf-8-sig").split("\r\n")
    # the sample's top keyword (hand-checked against the workbook: 8,627 clicks, 816 conversions, ¥64,184.16)
    assert lines[1].startswith("换锁,换锁-核心词,核心词-通用,换锁,核心词,否,否,64184.16,8627,816,0.0946,78.66,")
    integer, cents = re.compile(r"-?\d+"), re.compile(r"-?\d+\.\d\d")
    rate, tenth = re.compile(r"-?\d+\.\d{4}"), re.compile(r"-?\d+\.\d")
    for s in sheets(analysis, "zh"):
        back = _csv_text(csvs[s.name])
        for j, c in enumerate(s.cols):
            shown = [v for v in back.iloc[:, j] if v != ""]
            if c.kind == "int" or (c.kind == "count" and s.formats[j] == "#,##0"):
                assert all(integer.fullmatch(v) for v in shown), (s.name, c.field, shown[:5])
            elif c.kind in ("money", "count"):
                assert all(cents.fullmatch(v) for v in shown), (s.name, c.field, shown[:5])
            elif c.kind == "metric_value":  # money rows to the cent, CVR rows (rates) to 4 decimals
                money_rows = [f != "0.00%" for f in s.formats[j]]
                assert all(cents.fullmatch(v) for v, m in zip(back.iloc[:, j], money_rows, strict=True) if m and v)
                assert all(rate.fullmatch(v) for v, m in zip(back.iloc[:, j], money_rows, strict=True) if not m and v)
            elif c.kind == "pct":   # rates as the workbook shows them (0.00%): 4 decimals of the fraction
                assert all(rate.fullmatch(v) for v in shown), (s.name, c.field, shown[:5])
            elif c.kind == "days":
                assert all(tenth.fullmatch(v) for v in shown), (s.name, c.field, shown[:5])
    stages = _csv_text(csvs["阶段表现"])
    assert stages["关键词数"].iloc[0] == "111" and stages["展现"].iloc[0] == "375289"
    assert stages["点击率"].iloc[0] == "0.0377"  # 3.77%, as the workbook shows it
    summary = csvs["摘要"].decode("utf-8-sig").split("\r\n")
    # the negatives' rows (13 of the 54 off-target terms converted and are held back, so ¥5,171 not ¥11,456;
    # of the 41 left, 34 are the account's own keywords — paused, not negated — ¥4,980.50, and 7 negatives)
    rows = [line for line in summary if ",否定关键词," in line]
    assert any(re.fullmatch(r"\d+,中等,否定关键词,.*,4980\.50,近 30 天浪费,34,否定关键词", r) for r in rows), rows
    assert any(re.fullmatch(r"\d+,\w+,否定关键词,\"?添加 7 个否定关键词.*,190\.48,近 30 天浪费,7,否定关键词", r)
               for r in rows), rows


def test_a_blank_count_stays_blank_in_the_csv_and_the_workbook(analysis):
    k = analysis.keywords.head(3).copy()
    k["clicks"] = [8627.0, np.nan, 12.0]  # pandas keeps a count column with a blank as floats
    k["conversions"] = [816.0, 1.5, np.nan]  # a fractional count (Google Ads): 2 decimals
    bad = replace(analysis, keywords=k)
    back = _csv_text(sheet_csvs(bad, "zh")["关键词阶段"])
    assert back["点击"].tolist() == ["8627", "", "12"]
    assert back["转化"].tolist() == ["816.00", "1.50", ""]
    ws = openpyxl.load_workbook(io.BytesIO(workbook_bytes(bad, "zh")))["关键词阶段"]
    assert [ws.cell(r, 9).value for r in (2, 3, 4)] == [8627, None, 12] and ws.cell(2, 9).number_format == "#,##0"
    assert [ws.cell(r, 10).value for r in (2, 3, 4)] == [816, 1.5, None]
    assert ws.cell(2, 10).number_format == "#,##0.00"


def test_batch_index_csv_and_sheet_integers_money_and_unnamed_accounts(tmp_path):
    index = pd.DataFrame([
        {"folder": "a", "account": "北京安心开锁", "platform": "baidu", "currency": "CNY", "status": "ok",
         "rows": 41901, "spend": 1234567.891, "top_action": "x", "money_at_stake": 11455.75, "actions": 15,
         "path": "out/a.xlsx", "error": ""},
        {"folder": "b", "account": "", "platform": "", "currency": "", "status": "error", "rows": 0,
         "spend": np.nan, "top_action": "", "money_at_stake": np.nan, "actions": 0, "path": "",
         "error": "b：文件夹里没有报告文件（CSV、TSV、TXT、XLSX、XLS）"},
        {"folder": "g", "account": "", "platform": "google_ads", "currency": "USD", "status": "ok", "rows": 9719,
         "spend": 110056.0, "top_action": "y", "money_at_stake": np.nan, "actions": 3, "path": "out/g.xlsx",
         "error": ""}])
    lines = index_csv(index, "zh").decode("utf-8-sig").split("\r\n")
    assert lines[1:4] == [
        "a,北京安心开锁,百度营销,CNY,完成,41901,1234567.89,x,11455.75,15,out/a.xlsx,",
        "b,,,,失败,0,,,,0,,b：文件夹里没有报告文件（CSV、TSV、TXT、XLSX、XLS）",
        "g,未命名账户,Google Ads,USD,完成,9719,110056.00,y,,3,out/g.xlsx,"]
    assert index_csv(index, "en").decode("utf-8-sig").split("\r\n")[3].startswith("g,unnamed account,Google Ads,")
    write_index(index, tmp_path / "index.xlsx", "zh")
    ws = openpyxl.load_workbook(tmp_path / "index.xlsx").active
    assert [c.value for c in ws[4]][:7] == ["g", "未命名账户", "Google Ads", "USD", "完成", 9719, 110056.0]
    assert ws["F2"].value == 41901 and ws["F2"].number_format == "#,##0" and ws["G2"].number_format == "#,##0.00"
    assert index.loc[2, "account"] == ""  # the machine field (--json) is untouched


@pytest.mark.parametrize("lang, title", [("zh", "优化建议：Google Ads · 未命名账户 · USD"),
                                         ("en", "Recommendations: Google Ads · unnamed account · USD")])
def test_an_account_the_export_does_not_name_is_titled_as_the_app_names_it(lang, title):
    from optimizer.outputs.analyze import AnalysisSettings
    a = analyze_exports([SAMPLE / "google_keyword_report.csv"], settings=AnalysisSettings(landing=False))[0]
    assert (a.platform, a.account) == ("google_ads", "")  # this Google Ads download names no account
    ws = openpyxl.load_workbook(io.BytesIO(workbook_bytes(a, lang))).worksheets[0]
    assert ws["A1"].value == title


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_empty_sheet_says_why_under_its_header(tmp_path, lang):
    # one Google keyword report: no search terms, no days, no bundle map
    a = analyze_exports([real("google_ads/towing-no-1__Search_keyword_report.csv")])[0]
    path = tmp_path / "towing.xlsx"
    write_workbook(a, path, lang)
    wb = openpyxl.load_workbook(path)
    said = {code: (zh, en)[lang == "en"] for code, zh, en in a.notes}

    def row2(key):
        ws = wb[st(f"sheet.{key}", lang)]
        assert ws.max_row == 2 and ws.cell(2, 1).font.italic
        return ws.cell(2, 1).value

    assert row2("negatives") == said["no_search_terms"]
    assert row2("drift") == said["no_daily"]
    assert row2("compensation") == said["no_daily"]
    assert row2("landing") == st("note.no_urls", lang)  # the report has no final URL column
    # a sheet with rows has no such line
    kw = wb[st("sheet.keywords", lang)]
    assert kw.max_row == len(a.keywords) + 1


def test_an_empty_sheet_without_a_reason_says_nothing_was_found(analysis, tmp_path):
    path = tmp_path / "none.xlsx"
    write_workbook(replace(analysis, structure=analysis.structure.iloc[:0]), path, "zh")
    ws = openpyxl.load_workbook(path)[st("sheet.structure", "zh")]
    assert ws.max_row == 2 and ws.cell(2, 1).value == "（这一表是空的：没有发现需要处理的项目。）"


def test_the_drift_sheet_names_the_alarm_morning_and_the_folding_in_both_languages():
    from optimizer.outputs.workbook import SHEETS
    fields = [c.field for c in SHEETS["drift"]]
    assert {"alarm", "z", "folded_under", "named_by"} <= set(fields)
    for lang, want in (("zh", {"报警日", "归入计划", "由关键词引起"}), ("en", {"Alarm raised", "Folded under", "Named by"})):
        labels = {st(c.header, lang) for c in SHEETS["drift"]}
        assert want <= labels, (lang, want - labels)
