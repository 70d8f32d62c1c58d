"""The bundled sample account loads through the product's own reader, and what the
reader returns equals what the generator planted (rows, money, conversions, dates,
keywords, and the landing-URL change)."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from optimizer.model.dataset import merge, summary
from optimizer.reading.ingest import read_export
from sample_data.generate import bundled_accounts
from tests.conftest import SAMPLE

TRUTH = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def accounts():
    return bundled_accounts()


@pytest.mark.parametrize("name,platform,rtype,encoding,lang", [
    ("baidu_keyword_report.csv", "baidu", "keyword", "gbk", "zh"),
    ("baidu_plan_report.csv", "baidu", "campaign", "gbk", "zh"),
    ("baidu_search_term_report.csv", "baidu", "search_term", "gbk", "zh"),
    ("google_keyword_report.csv", "google_ads", "keyword", "utf-16-le", "en"),
    ("google_search_terms_report.csv", "google_ads", "search_term", "utf-16-le", "en"),
])
def test_sample_files_load_as_their_platform_wrote_them(name, platform, rtype, encoding, lang, accounts):
    info = read_export(SAMPLE / name).info
    assert (info.platform, info.report_type, info.encoding) == (platform, rtype, encoding)
    assert info.totals_check == "ok"
    acc = accounts[lang]
    if rtype in ("keyword", "campaign"):
        daily = acc.daily
        assert info.cost == pytest.approx(daily["cost"].sum(), abs=0.01)
        assert info.clicks == daily["clicks"].sum() and info.conversions == daily["conversions"].sum()
        assert (info.date_start, info.date_end) == (acc.config.start_date.isoformat(), acc.config.end_date.isoformat())
    if rtype == "keyword":
        assert info.rows == len(acc.daily)
        assert info.keywords == acc.daily["keyword"].nunique()
    if platform == "baidu":
        assert info.currency == "CNY"


def test_keyword_and_plan_reports_agree_and_are_not_double_counted():
    table, _ = merge(None, read_export(SAMPLE / "baidu_keyword_report.csv"))
    kw_cost = summary(table).cost
    table, _ = merge(table, read_export(SAMPLE / "baidu_plan_report.csv"))
    assert summary(table).cost == pytest.approx(kw_cost, abs=0.01)


def test_planted_url_change_is_visible_in_the_loaded_rows():
    zh = TRUTH["accounts"][0]["name"]
    change = next(c for c in TRUTH["url_changes"] if c["account"] == zh)
    t = read_export(SAMPLE / "baidu_keyword_report.csv").table
    unit = t[(t["campaign"] == change["campaign"]) & (t["ad_group"] == change["ad_group"])]
    day = pd.Timestamp(change["date"])
    assert set(unit.loc[unit["date"] < day, "final_url"]) == {change["old_url"]}
    assert set(unit.loc[unit["date"] >= day, "final_url"]) == {change["new_url"]}
