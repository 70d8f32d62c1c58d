"""Edge cases of reading: encodings that change past the first bytes, malformed lines,
totals-looking keywords, and the canonical schema holding for every readable fixture."""
from __future__ import annotations

import json

import numpy as np
import pytest

from optimizer.errors import IngestError
from optimizer.reading.ingest import ColumnMapping, Settings, preview, read_export
from optimizer.reading.schema import COLUMNS, schema
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


def test_a_report_with_a_header_and_no_data_rows_is_refused_not_stored_empty():
    head = ("Search keyword report\nAugust 27, 2026 - November 24, 2026\n"
            "Day\tKeyword\tMatch type\tCampaign\tAd group\tImpr.\tClicks\tCurrency code\tCost\tConversions\n")
    with pytest.raises(IngestError) as e:
        read_export(head.encode("utf-16"), "header_only.csv")
    assert e.value.kind == "no_rows"
    assert e.value.message("zh") == ("header_only.csv 只有表头，没有数据行。"
                                     "所选日期或筛选条件下没有数据：换个日期范围重新下载。")
    totals = head + "Total: account\t\t\t\t\t10\t1\t\t2.00\t0\n"
    with pytest.raises(IngestError) as e:
        read_export(totals.encode("utf-16"), "totals_only.csv")
    assert e.value.kind == "no_rows" and "only total rows" in e.value.message("en")


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


# ---------------------------------------------------------------- the streaming reader (1 MiB batches)

_BAIDU_HEADER = "日期,账户,推广计划,推广单元,关键词,展现,点击,消费,转化\n"


def _baidu_rows(n: int, start: int = 0) -> str:
    return "".join(f"2026-11-{1 + (i % 28):02d},安心开锁,计划{i % 7},单元{i % 5},开锁词{i},10,1,2.50,0\n"
                   for i in range(start, start + n))


def test_a_late_cell_with_symbols_is_read_after_plain_numbers_in_earlier_batches():
    # 40,000 plain rows (several 1 MiB batches) read as numbers first; the last row's
    # "¥1,234.50" makes the reader start again with the metrics as text
    text = _BAIDU_HEADER + _baidu_rows(40000) + "2026-11-28,安心开锁,计划新,单元1,换锁,10,1,\"￥1,234.50\",1\n"
    assert len(text.encode("gbk")) > 2 * 1024 * 1024
    exp = read_export(text.encode("gbk"), "late_symbols.csv")
    assert exp.info.rows == 40001
    assert exp.table["cost"].iloc[-1] == 1234.5
    assert exp.info.cost == pytest.approx(40000 * 2.5 + 1234.5)


def test_plans_first_seen_in_a_late_batch_are_counted_with_their_own_rows():
    # the plan column is read dictionary-encoded batch by batch: the codes of a later
    # batch must point at the same names as the earlier ones
    text = _BAIDU_HEADER + _baidu_rows(30000) + "".join(
        f"2026-11-28,安心开锁,晚到的计划,单元1,晚词{i},10,1,3.00,1\n" for i in range(500)) + _baidu_rows(100)
    table = read_export(text.encode("gbk"), "late_plan.csv").table
    per_plan = table.groupby("campaign", observed=True)["cost"].sum()
    assert per_plan["晚到的计划"] == pytest.approx(1500.0)
    assert per_plan["计划0"] == pytest.approx(2.5 * sum(1 for i in range(30000) if i % 7 == 0)
                                            + 2.5 * sum(1 for i in range(100) if i % 7 == 0))
    assert table["campaign"].nunique() == 8


@pytest.mark.parametrize("bad", ["inf", "-inf", "1e999", "12abc"])
def test_a_cell_arrow_would_call_a_number_is_a_bad_cell_with_its_row(bad):
    text = _BAIDU_HEADER + _baidu_rows(20000) + f"2026-11-28,安心开锁,计划1,单元1,换锁,10,1,{bad},1\n"
    with pytest.raises(IngestError) as caught:
        read_export(text.encode("gbk"), "bad_cell.csv")
    err = caught.value
    assert err.kind == "non_numeric" and err.row == 20002 and err.column == "消费" and str(err.value) == bad


def test_nan_in_a_late_metric_cell_is_a_null_as_everywhere_else():
    text = _BAIDU_HEADER + _baidu_rows(20000) + "2026-11-28,安心开锁,计划1,单元1,换锁,10,1,nan,1\n"
    exp = read_export(text.encode("gbk"), "nan.csv")
    assert exp.info.rows == 20001 and np.isnan(exp.table["cost"].iloc[-1])


def test_a_download_cut_off_mid_row_is_refused_with_its_last_line():
    # a download that stopped part-way: the last line has 7 of 9 fields, and the
    # last one cut (46.93 → 4); read as it is, the row would carry a wrong cost
    text = _BAIDU_HEADER + _baidu_rows(3000) + "2026-11-28,安心开锁,计划1,单元1,换锁,10,4"
    with pytest.raises(IngestError) as caught:
        read_export(text.encode("gbk"), "cut.csv")
    err = caught.value
    assert err.kind == "malformed" and err.row == 3002
    assert "7" in err.message("zh") and "9" in err.message("zh") and "最后一行" in err.message("zh")
    assert "cut off" in err.message("en")


def test_a_short_line_in_the_middle_is_refused_but_footers_and_totals_are_not():
    short = _BAIDU_HEADER + _baidu_rows(10) + "2026-11-28,安心开锁,计划1\n" + _baidu_rows(10)
    with pytest.raises(IngestError) as caught:
        read_export(short.encode("gbk"), "edited.csv")
    assert caught.value.kind == "malformed" and caught.value.row == 12
    assert "最后一行" not in caught.value.message("zh")
    footer = _BAIDU_HEADER + _baidu_rows(10) + "合计,--,--,--,--,100,10,25.00\n版权所有 2026 百度\n"
    exp = read_export(footer.encode("gbk"), "footer.csv")
    assert exp.info.rows == 10 and exp.info.skipped == {"totals": 1, "footer": 1}


def test_a_download_cut_off_after_a_line_s_first_field_gets_the_cut_off_message():
    # the download stopped right after the date of the last line: one field, no comma.
    # Read as it is, it would be a row of blanks counted as data
    for rows, tail in ((3, "2026-10-14"), (3000, "2026-10-14"), (3000, "2026-10-14\r\n")):
        text = _BAIDU_HEADER + _baidu_rows(rows) + tail
        with pytest.raises(IngestError) as caught:
            read_export(text.encode("gbk"), "cut.csv")
        err = caught.value
        assert err.kind == "malformed" and err.row == rows + 2, (rows, tail)
        assert "下载多半没有完成" in err.message("zh") and "cut off" in err.message("en")
        assert "1 个字段" in err.message("zh")


def _zip(names: dict[str, bytes]) -> bytes:
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, body in names.items():
            z.writestr(n, body)
    return buf.getvalue()


def _ole(stream_name: str) -> bytes:
    # the start of a compound file (its signature) and, further on, a directory entry
    # naming the stream in UTF-16: what tells a Word .doc from an Excel .xls
    return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + stream_name.encode("utf-16-le")
            + b"\x00" * 1024)


FOREIGN = [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 20,
     "这是一个 PDF 文件，不是报告", "This is a PDF file, not a report"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200, "PNG 图片", "a PNG image, not a report"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200, "JPEG 图片", "a JPEG image, not a report"),
    (b"GIF89a\x01\x00\x01\x00" + b"\x00" * 200, "GIF 图片", "a GIF image, not a report"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 200, "WebP 图片", "a WebP image, not a report"),
    (_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
     "Word 文档", "a Word document, not a report"),
    (_zip({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p:presentation/>"}),
     "PowerPoint 演示文稿", "a PowerPoint presentation, not a report"),
    (_zip({"报告.csv": b"a,b\n1,2\n"}), "ZIP 压缩包", "a ZIP archive, not a report"),
    (_ole("WordDocument"), "Word 文档", "a Word document, not a report"),
]


@pytest.mark.parametrize("data,zh,en", FOREIGN, ids=["pdf", "png", "jpeg", "gif", "webp", "docx", "pptx", "zip",
                                                     "doc"])
def test_a_pdf_image_or_office_file_renamed_csv_is_named_for_what_it_is(data, zh, en):
    from optimizer.reading.ingest import preview
    for read in (read_export, preview):
        with pytest.raises(IngestError) as caught:
            read(data, "report.csv")
        err = caught.value
        assert err.kind == "not_a_report" and not err.mappable
        assert zh in err.message("zh") and "report.csv" in err.message("zh")
        assert en in err.message("en")


def test_a_real_workbook_named_csv_is_still_read_as_a_workbook():
    for name in ("baidu_keyword_list.xlsx", "baidu_plan_report.xls"):
        data = (FIXTURES / name).read_bytes()
        assert read_export(data, "renamed.csv").info.rows == read_export(data, name).info.rows


def test_a_utf16_google_export_cut_off_after_the_first_field_gets_the_cut_off_message():
    head = "Search keyword report\nAll time\nDay\tKeyword\tCampaign\tAd group\tImpr.\tClicks\tCost\tConversions\n"
    body = "".join(f"2026-10-{1 + i % 28:02d}\tlocksmith {i}\tPlan\tGroup\t10\t1\t2.50\t0\n" for i in range(2000))
    for codec in ("utf-16", "utf-16-be"):
        data = (head + body + "2026-10-14").encode(codec)
        if codec == "utf-16-be":
            data = b"\xfe\xff" + data
        with pytest.raises(IngestError) as caught:
            read_export(data, "cut.csv")
        assert caught.value.kind == "malformed" and "cut off" in caught.value.message("en"), codec


GOOGLE_TERMS = ("Search terms report\n\"Oct 16, 2026 - Nov 14, 2026\"\n"
                "Search term,Match type,Added/Excluded,Campaign,Ad group,Keyword,Currency code,Avg. CPM,Impr.,"
                "Interactions,Interaction rate,Avg. cost,Cost,Campaign type,Conv. rate,Conversions,Cost / conv.\n"
                "tow truck driver jobs,Broad match,None,Towing - Search,Tow Company,towing company,USD,333.33,600,"
                "40,6.67%,5.00,200.00,Search,0.00%,0.00,0.00\n"
                "emergency towing,Exact match,Added,Towing - Search,Emergency Towing,[emergency towing],USD,466.67,"
                "\"4,500\",300,6.67%,7.00,2100.00,Search,13.33%,40.00,52.50\n")


def test_a_search_terms_report_without_clicks_reads_interactions_as_clicks_and_says_so():
    exp = read_export(GOOGLE_TERMS.encode(), "Search terms report.csv")
    assert exp.info.columns["clicks"] == "Interactions"
    assert exp.table["clicks"].tolist() == [40, 300] and exp.info.clicks == 340
    assert any("Interactions" in n.en and "点击" in n.zh for n in exp.info.notes)


def test_a_report_with_clicks_keeps_clicks_and_leaves_interactions_alone():
    data = GOOGLE_TERMS.replace("Interactions,Interaction rate", "Interactions,Clicks") \
        .replace(",40,6.67%,", ",40,39,").replace(",300,6.67%,", ",300,299,")
    exp = read_export(data.encode(), "Search terms report.csv")
    assert exp.info.columns["clicks"] == "Clicks" and exp.info.clicks == 338
    assert not any("Interactions" in n.en for n in exp.info.notes)


BAIDU_LINES = ["2026-10-01,北京快捷开锁,开锁-核心词,上门开锁,开锁师傅,300101,智能匹配,7.00,"
               "https://www.bjkaisuo.com/kaisuo.html,https://m.bjkaisuo.com/kaisuo.html?kw={keywordid},313,24,136.17,"
               "7.67%,5.67,3,1,0,2",
               "2026-10-01,北京快捷开锁,开锁-核心词,附近开锁,附近开锁,300102,短语匹配,9.00,"
               "https://www.bjkaisuo.com/kaisuo.html,https://m.bjkaisuo.com/kaisuo.html?kw={keywordid},160,13,80.08,"
               "8.12%,6.16,1,0,0,1"]


def test_a_file_of_data_lines_without_a_header_is_told_apart_from_a_preamble_and_can_be_mapped():
    data = ("\n".join(BAIDU_LINES) + "\n").encode("gbk")
    with pytest.raises(IngestError) as caught:
        read_export(data, "noheader.csv")
    err = caught.value
    assert err.kind == "headerless" and err.mappable
    assert "说明行" not in err.message("zh") and "没有表头行" in err.message("zh")
    assert "2026-10-01" in err.message("zh") and "19" in err.message("en")
    p = preview(data, "noheader.csv")
    assert p.header_row == 0 and p.columns[:3] == ["#1", "#2", "#3"] and len(p.rows) == 2
    assert p.rows[0][0] == "2026-10-01"
    mapping = ColumnMapping({"date": "#1", "campaign": "#3", "ad_group": "#4", "keyword": "#5",
                             "impressions": "#11", "clicks": "#12", "cost": "#13", "conversions": "#16"},
                            header_row=0, currency="CNY")
    exp = read_export(data, "noheader.csv", mapping=mapping)
    assert exp.info.rows == 2 and exp.info.clicks == 37 and exp.info.cost == pytest.approx(216.25)
    assert exp.table["source_row"].tolist() == [1, 2]


def test_a_preamble_without_a_table_is_still_called_a_preamble():
    data = "数据生成时间：2026-11-15 09:12\n数据生成条件：\n1. 时间范围：20261001-20261114\n".encode("gbk")
    with pytest.raises(IngestError) as caught:
        read_export(data, "only_preamble.csv")
    assert caught.value.kind == "no_header" and "说明行" in caught.value.message("zh")
    assert not caught.value.mappable
