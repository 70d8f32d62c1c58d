"""The bare page bench/pages.py measures the app against shows the report it is given:
the plans' spend without the report's totals row, and the days slider filters it."""
from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

REPORT = ROOT / "sample_data" / "baidu_keyword_report.csv"


def _plain(path) -> pd.DataFrame:
    frame = pd.read_csv(path, encoding="gb18030", skiprows=7)  # the sample's preamble is 7 lines
    return frame.loc[frame["日期"] != "合计"]


def test_bare_page_shows_the_reports_plans_and_the_slider_filters_them(monkeypatch):
    monkeypatch.setenv("BENCH_FILE", str(REPORT))
    at = AppTest.from_file(str(ROOT / "bench" / "bare_page.py"), default_timeout=60).run()
    assert not at.exception
    plans = at.dataframe[0].value
    rows = _plain(REPORT)
    assert len(plans) == rows["推广计划"].nunique()
    assert abs(plans["消费"].sum() - rows["消费"].sum()) < 0.01  # the totals row is not counted
    slider = at.slider(key="bare_days")
    slider.set_value(7).run()
    last = pd.to_datetime(rows["日期"])
    week = rows.loc[last > last.max() - pd.Timedelta(days=7)]
    assert abs(at.dataframe[0].value["消费"].sum() - week["消费"].sum()) < 0.01
