"""CSV written for Excel: UTF-8 with BOM, and hostile text never runs as a formula."""
from __future__ import annotations

import io

import pandas as pd

from optimizer.outputs.report import DAILY_FLOAT_FORMAT, neutralise, to_csv_bytes


def test_formula_like_text_is_neutralised_numbers_are_not():
    hostile = ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "开锁", "-"]
    df = pd.DataFrame({"search_term": hostile, "cost": [-1.5, 2, 3, 4, 5, 6, 7, 8]})
    data = to_csv_bytes(df)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    assert back["search_term"].tolist()[:6] == ["'" + h for h in hostile[:6]]
    assert back["search_term"].tolist()[6] == "开锁"
    assert back["cost"].tolist()[0] == -1.5
    assert neutralise(3) == 3 and neutralise("开锁") == "开锁"


def test_negative_keyword_csv_is_readable():
    from optimizer.outputs.workbook import frame_csv
    neg = pd.DataFrame({"search_term": ["=开锁培训", "怎么自己开锁"], "cost": [2605.1600000000003, 84.33999999999999],
                        "clicks": [294.0, 9.0], "impressions": [5513.0, 100.0], "conversions": [1.0, 0.0],
                        "reason": ["off-training:培训", "off-diy:自己"], "keywords": ["开锁", "开锁"],
                        "campaigns": ["开锁-核心词", "开锁-核心词"]})
    back = pd.read_csv(io.BytesIO(frame_csv("negatives", neg.assign(negative_match="exact"), "zh", "CNY")),
                       encoding="utf-8-sig")
    assert list(back.columns)[:3] == ["搜索词", "否定匹配方式", "消费"]
    assert back["消费"].tolist() == [2605.16, 84.34] and back["点击"].tolist() == [294, 9]
    assert back["原因"].tolist()[0] == "无效·培训「培训」" and back["搜索词"].tolist()[0] == "'=开锁培训"


def test_daily_sheet_rounds_money_and_writes_counts_as_integers():
    from optimizer.outputs.report import daily_sheet
    daily = pd.DataFrame({"date": pd.to_datetime(["2026-11-23", "2026-11-24", "2026-11-25"]),
                          "impressions": [22921.0, 17480.0, 10.0],
                          "clicks": [1011.0, 748.0, 0.0], "cost": [7586.570000000001, 6824.559999999999, 0.0],
                          "conversions": [83.0, 12.5, 0.0], "cpa": [91.40445783132531, 545.9648, float("nan")],
                          "cpc": [7.5, 9.1, float("nan")], "partial": [False, True, False]})
    names = {"date": "日期", "cost": "花费", "clicks": "点击", "conversions": "线索", "cpa": "每条线索成本"}
    data = to_csv_bytes(daily_sheet(daily, names), DAILY_FLOAT_FORMAT)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").split("\r\n") == [
        "日期,花费,点击,线索,每条线索成本",
        "2026-11-23,7586.57,1011,83.00,91.40",   # a fractional conversion count: every count with 2 decimals
        "2026-11-24,6824.56,748,12.50,545.96",
        "2026-11-25,0.00,0,0.00,",              # no conversions: no cost per lead
        ""]
    whole = daily.assign(conversions=[83.0, 12.0, 0.0])
    lines = to_csv_bytes(daily_sheet(whole, names), DAILY_FLOAT_FORMAT).decode("utf-8-sig").split("\r\n")
    assert lines[1:3] == ["2026-11-23,7586.57,1011,83,91.40", "2026-11-24,6824.56,748,12,545.96"]



def test_decimals_write_counts_as_integers_money_to_the_cent_and_keep_blanks():
    # pandas makes a count column with a blank float: 8627.0; the CSV must read 8627, the blank stay blank (not 0)
    df = pd.DataFrame({"点击": [8627.0, float("nan"), 816.0], "消费": [64184.1, float("nan"), -28.034],
                       "转化率": [0.094587, float("nan"), 0.5], "差额": [-0.004, 1.005, float("inf")]})
    assert to_csv_bytes(df).decode("utf-8-sig").split("\r\n")[1] == "8627.0,64184.1,0.094587,-0.004"  # floats as is
    data = to_csv_bytes(df, decimals={"点击": 0, "消费": 2, "差额": 2})
    assert data.decode("utf-8-sig").split("\r\n") == [
        "点击,消费,转化率,差额",
        "8627,64184.10,0.094587,0.00",   # -0.004 to the cent is 0.00, not -0.00
        ",,,1.00",                       # blanks stay blank; 1.005 is 1.00499… as a float
        "816,-28.03,0.5,",               # a negative amount is a number (not neutralised); infinity blank
        ""]
    # per-row decimals (a column of money and rates): None writes the row's number as it is
    rows = to_csv_bytes(pd.DataFrame({"before": [82.548129, 0.142935]}), decimals={"before": [2, None]})
    assert rows.decode("utf-8-sig").split("\r\n")[1:3] == ["82.55", "0.142935"]
