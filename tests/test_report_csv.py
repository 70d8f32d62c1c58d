"""CSV written for Excel: UTF-8 with BOM, and hostile text never runs as a formula."""
from __future__ import annotations

import io

import pandas as pd

from optimizer.report import neutralise, to_csv_bytes


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


def test_negative_keyword_sheet_is_readable():
    from optimizer.report import negative_keyword_sheet
    neg = pd.DataFrame({"search_term": ["=开锁培训", "怎么自己开锁"], "cost": [2605.1600000000003, 84.33999999999999],
                        "clicks": [294.0, 9.0], "impressions": [5513.0, 100.0], "conversions": [1.0, 0.0],
                        "reason": ["off-training:培训", "off-diy:自己"], "keywords": ["开锁", "开锁"],
                        "campaigns": ["开锁-核心词", "开锁-核心词"]})
    back = pd.read_csv(io.BytesIO(to_csv_bytes(negative_keyword_sheet(neg, "zh"))), encoding="utf-8-sig")
    assert list(back.columns)[:3] == ["搜索词", "否定匹配方式", "消费"]
    assert back["消费"].tolist() == [2605.16, 84.34] and back["点击"].tolist() == [294, 9]
    assert back["原因"].tolist()[0] == "无效·培训招聘「培训」" and back["搜索词"].tolist()[0] == "'=开锁培训"
