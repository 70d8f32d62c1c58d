"""Edge cases of reading: encodings that change past the first bytes, malformed lines,
totals-looking keywords, and the canonical schema holding for every readable fixture."""
from __future__ import annotations

import json

import pytest

from optimizer.errors import IngestError
from optimizer.ingest import Settings, read_export
from optimizer.schema import COLUMNS, schema
from tests.conftest import FIXTURES

EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
READABLE = [e["file"] for e in EXPECTED if not e.get("error") and not e.get("mapping")]


@pytest.mark.parametrize("name", READABLE)
def test_every_readable_fixture_satisfies_the_canonical_schema(name):
    table = read_export(FIXTURES / name).table
    assert tuple(table.columns) == COLUMNS
    schema().validate(table, lazy=True)


def test_gbk_bytes_after_a_long_ascii_start_are_read_and_reported_as_gb18030():
    header = "TimePeriod,AccountName,CampaignName,AdGroupName,Keyword,Impressions,Clicks,Spend,Conversions\n"
    ascii_rows = "".join(f"2026-11-01,Acct,Plan A,Unit,kw{i},10,1,2.50,0\n" for i in range(12000))
    tail = "2026-11-02,Acct,开锁,上门,上门开锁,20,2,5.00,1\n"
    data = (header + ascii_rows).encode("ascii") + tail.encode("gbk")
    assert len(header + ascii_rows) > 256 * 1024  # the sniffer only sees ASCII
    exp = read_export(data, "late_gbk.csv")
    assert exp.info.encoding == "gb18030"
    assert exp.info.rows == 12001
    assert exp.table["keyword"].iloc[-1] == "上门开锁"
    assert exp.info.cost == pytest.approx(12000 * 2.5 + 5)


def test_a_line_with_too_many_fields_is_named():
    data = ("日期,推广计划,推广单元,关键词,展现,点击,消费\n"
            "2026-11-01,开锁,上门,上门开锁,10,1,2.5\n"
            "2026-11-01,开锁,上门,开锁,师傅,10,1,2.5\n").encode("gbk")
    with pytest.raises(IngestError) as caught:
        read_export(data, "edited.csv")
    assert caught.value.kind == "malformed" and caught.value.row == 3
    assert "8" in caught.value.message("en") and "7" in caught.value.message("en")


def test_keywords_that_merely_contain_total_are_data():
    data = ("Search keyword report\nAll time\nKeyword,Campaign,Ad group,Impr.,Clicks,Cost\n"
            "total lockout service,Core,Lockout,10,1,2.00\n"
            "Total: Account,,,10,1,2.00\n").encode("utf-8")
    exp = read_export(data, "t.csv")
    assert exp.info.rows == 1 and exp.table["keyword"].iloc[0] == "total lockout service"
    assert exp.info.totals_check == "ok"


def test_bytes_over_the_size_limit_are_refused():
    with pytest.raises(IngestError) as caught:
        read_export(b"x" * 2048, "big.csv", settings=Settings(max_file_mb=0.001))
    assert caught.value.kind == "too_large" and "big.csv" in caught.value.message("zh")


def test_excel_name_with_text_inside_is_called_corrupt():
    with pytest.raises(IngestError) as caught:
        read_export("日期,展现\n".encode("utf-8"), "report.xlsx")
    assert caught.value.kind == "corrupt"
