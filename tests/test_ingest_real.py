"""Every real export in ../shared/real-exports loads with the right platform, report
type, columns, row count and totals.

Expected figures come from the files themselves, not from the parser: row counts are
the file's line count less its title, date-range and header lines and its totals
rows (counted with grep), and sums are the file's own totals row (e.g.
``Total: Search terms``).
"""
from __future__ import annotations

import pytest

from optimizer.reading.ingest import read_export
from tests.conftest import real

CASES = [
    # file, platform, report_type, encoding, header line, rows, totals rows, start, end,
    # impressions, clicks, cost, conversions, currency
    ("google_ads/towing-no-1__Search_keyword_report.csv", "google_ads", "keyword", "utf-16-le", 3,
     17, 10, "2026-05-01", "2026-05-08", 14, 1, 0.12, 0, "CAD"),
    ("google_ads/towing-no-1__Search_terms_report.csv", "google_ads", "search_term", "utf-16-le", 3,
     18, 5, "2026-05-01", "2026-05-08", 21, 1, 0.12, 0, "CAD"),
    ("google_ads/test-git__AdWords_2016_Keyword_report_florist_cairns.csv", "google_ads", "keyword",
     "utf-16-le", 2, 7, 3, "2016-06-14", "2016-06-14", 45, 6, 3.94, 8, None),
    ("google_ads/KW08__Search_keyword_report_2020_device.csv", "google_ads", "keyword", "utf-8", 3,
     675, 34, "2020-08-08", "2020-08-14", 43665, 1643, 18950.07, 62, "USD"),
    ("google_ads/devopsfirst__Search_terms_report_INR.csv", "google_ads", "search_term", "utf-8", 3,
     554, 4, "2024-12-16", "2024-12-22", 2114, 237, 18859.19, 9, "INR"),
    ("google_ads/londonclean/Campaign_report.csv", "google_ads", "campaign", "utf-8", 3,
     1, 3, None, None, 0, 0, 0.0, 0, "USD"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0].split("/")[-1][:40] for c in CASES])
def test_report_editor_downloads_load_exactly(case):
    (rel, platform, rtype, enc, header, rows, totals, start, end, impr, clicks, cost, conv, cur) = case
    info = read_export(real(rel)).info
    assert (info.platform, info.report_type, info.encoding, info.header_row) == (platform, rtype, enc, header)
    assert info.rows == rows
    assert info.skipped == {"totals": totals}
    assert (info.date_start, info.date_end) == (start, end)
    assert info.impressions == impr and info.clicks == clicks
    assert info.cost == pytest.approx(cost, abs=0.011)
    assert info.conversions == pytest.approx(conv)
    assert info.currency == cur
    assert info.totals_check == "ok"


def test_account_total_includes_spend_outside_the_keyword_rows():
    # towing: keyword rows sum to $0.12 but Total: Account is $164.11 (Smart campaigns)
    info = read_export(real("google_ads/towing-no-1__Search_keyword_report.csv")).info
    account = next(t for t in info.totals if t.label == "Total: Account")
    assert not account.matched
    assert account.differences["cost"] == (0.12, 164.11)


def test_keyword_match_punctuation_is_kept():
    t = read_export(real("google_ads/KW08__Search_keyword_report_2020_device.csv")).table
    assert '"ELD"' in set(t["keyword"])
    assert any(k.startswith("+") for k in t["keyword"].dropna())
    assert set(t["device"].dropna()) <= {"pc", "mobile", "tablet", "tv", "other"}
    assert {"phrase", "exact", "broad"} >= set(t["match_type"].dropna())


def test_device_segmented_totals_are_checked_per_segment():
    info = read_export(real("google_ads/KW08__Search_keyword_report_2020_device.csv")).info
    per_device = {t.label: t.matched for t in info.totals if t.label.startswith("Total: Filtered keywords")}
    assert per_device == {"Total: Filtered keywords": True, "Total: Filtered keywords (Computers)": True,
                          "Total: Filtered keywords (Mobile phones)": True,
                          "Total: Filtered keywords (Tablets)": True}


def test_impression_share_buckets_become_bounds():
    t = read_export(real("google_ads/KW08__Search_keyword_report_2020_device.csv")).table
    share = t["impression_share"].dropna()
    assert share.between(0, 1).all()
    assert (share == 0.10).any()  # "< 10%"


CARDS = [
    # Overview-page card downloads: no title lines, US$ money
    ("Search_keywords_2026.02.05-2026.02.10_.csv", "keyword", 44, {"cost": 139.67, "clicks": 91}),
    ("Searches_Search_2026.02.05-2026.02.10_.csv", "search_term", 40, {"impressions": 64}),
    ("Time_series_2026.02.05-2026.02.10_.csv", "time", 6, {"clicks": 91, "cost": 139.67}),
    ("Devices_2026.02.05-2026.02.10_.csv", "device", 4, {"cost": 139.67, "impressions": 299}),
    ("Networks_2026.02.05-2026.02.10_.csv", "network", 2, {"cost": 139.67}),
    ("Locations_Geographic_Report_2026.02.05-2026.02.10_.csv", "location", 192, {"impressions": 108}),
    ("Day_hour_Day_Hour_2026.02.05-2026.02.10_.csv", "hour", 168, {"impressions": 299}),
    ("Demographics_Gender_Age_2026.02.05-2026.02.10_.csv", "demographic", 12, {"impressions": 49}),
    ("Searches_Word_2026.02.05-2026.02.10_.csv", "word", 30, {"impressions": 226}),
]


@pytest.mark.parametrize("name,rtype,rows,sums", CARDS, ids=[c[0][:24] for c in CARDS])
def test_overview_cards_load(name, rtype, rows, sums):
    exp = read_export(real(f"google_ads/londonclean/{name}"))
    assert exp.info.platform == "google_ads"
    assert exp.info.report_type == rtype
    assert exp.info.rows == rows
    for k, v in sums.items():
        assert getattr(exp.info, k) == pytest.approx(v)
    if exp.info.cost is not None:
        assert exp.info.currency == "USD"


def test_time_series_card_has_daily_dates():
    t = read_export(real("google_ads/londonclean/Time_series_2026.02.05-2026.02.10_.csv")).table
    assert t["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-02-05", "2026-02-06", "2026-02-07", "2026-02-08", "2026-02-09", "2026-02-10"]
    assert t["cost"].tolist() == [0.0, 50.0, 27.35, 28.52, 24.90, 8.90]


def test_hour_card_keeps_weekday_and_hour_as_segment():
    t = read_export(real("google_ads/londonclean/Day_hour_Day_Hour_2026.02.05-2026.02.10_.csv")).table
    assert t["segment"].iloc[0] == "Sunday / 00"
    assert t["date"].isna().all()


def test_semrush_keyword_list_loads_as_research():
    exp = read_export(real("keywords/localemergencylocksmith__semrush_locksmith-service-keywords-uk_2026-08-27.csv"))
    assert (exp.info.platform, exp.info.report_type, exp.info.rows) == ("generic", "keyword_research", 61)
    assert exp.table["keyword"].iloc[0] == "locksmith near me"
    assert "Volume" in exp.extra.columns and exp.extra["Volume"].iloc[0] == "40500"
    assert exp.info.currency == "USD"
