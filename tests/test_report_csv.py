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
