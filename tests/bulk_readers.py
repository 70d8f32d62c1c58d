"""Readers of the bulk-edit files, written from ../shared/formats.md ("Bulk-edit (import)
files") and NOT from the writers in optimizer/actions/formats: each checks the file's
encoding and layout as formats.md states it, then gives the header and the rows as dicts.
A reader raises AssertionError when the file breaks a rule formats.md states."""
from __future__ import annotations

import csv
import io

EDITOR_COLUMNS = ["Campaign", "Ad group", "Keyword", "Criterion Type", "Max CPC", "Status", "Final URL",
                  "Final mobile URL"]
BAIDU_COLUMNS = ["推广计划名称", "推广单元名称", "关键词名称", "匹配模式", "出价", "访问URL", "移动访问URL", "启用/暂停"]


def _no_control_in_cells(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert "\t" not in cell and "\n" not in cell and "\r" not in cell, f"control character in {cell!r}"


def _records(table: list[list[str]]) -> tuple[list[str], list[dict]]:
    header = table[0]
    body = [r for r in table[1:] if any(c != "" for c in r)]
    for r in body:
        assert len(r) == len(header), f"row of {len(r)} cells under a header of {len(header)}: {r}"
    return header, [dict(zip(header, r, strict=True)) for r in body]


def read_google_editor(data: bytes, encoding: str = "utf16_tab") -> tuple[list[str], list[dict]]:
    """Google Ads Editor: UTF-16LE with a BOM, TAB-delimited, CRLF (or UTF-8 comma as the
    choice); headers in English, case and spaces ignored — returned as written."""
    if encoding == "utf16_tab":
        assert data[:2] == b"\xff\xfe", "no UTF-16LE byte-order mark"
        text = data[2:].decode("utf-16-le")
        sep = "\t"
    else:
        assert data[:3] == b"\xef\xbb\xbf"
        text, sep = data[3:].decode("utf-8"), ","
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", ""), "lines must end in CRLF"
    table = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    _no_control_in_cells(table)
    header, rows = _records(table)
    norm = [h.replace(" ", "").lower() for h in header]
    assert {c.replace(" ", "").lower() for c in ("Campaign", "Ad group", "Keyword", "Criterion Type")} <= set(norm)
    return header, rows


def read_google_web(data: bytes) -> tuple[list[str], list[dict]]:
    """Google Ads web bulk upload: UTF-8, comma; Row Type / Action / Type / Level columns."""
    text = data.decode("utf-8")
    assert not text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text, newline="")))
    _no_control_in_cells(table)
    header, rows = _records(table)
    assert {"Row Type", "Action", "Campaign", "Ad group", "Keyword", "Type"} <= set(header)
    for r in rows:
        assert r["Row Type"] in ("Keyword", "Negative keyword")
        assert r["Action"] in ("Add", "Edit")   # Remove is a valid value, never written by the product
        assert r["Type"] in ("Broad match", "Phrase match", "Exact match")
        if r["Row Type"] == "Negative keyword":
            assert r["Level"] in ("Campaign", "Ad group") and r.get("Keyword status", "") == ""
    return header, rows


def read_microsoft(data: bytes, sep: str = ",") -> tuple[list[str], list[dict]]:
    """Microsoft Advertising Bulk: UTF-8 with a BOM, ``Type`` first, a Format Version row
    (6.0 in Name) before every other row. Returns the rows after the Format Version row."""
    assert data[:3] == b"\xef\xbb\xbf", "UTF-8 must carry a BOM"
    table = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline=""), delimiter=sep))
    _no_control_in_cells(table)
    header, rows = _records(table)
    assert header[0] == "Type"
    assert rows and rows[0]["Type"] == "Format Version" and rows[0]["Name"] == "6.0"
    rest = rows[1:]
    for r in rest:
        assert r["Type"] in ("Keyword", "Campaign Negative Keyword", "Ad Group Negative Keyword")
        if r["Type"] != "Keyword":
            assert r["Status"] == "Active" and r["Match Type"] in ("Exact", "Phrase")
        else:
            assert r["Id"], "a keyword update without its Id"
    return header, rest


def read_baidu_xlsx(data: bytes) -> tuple[list[str], list[dict]]:
    """Baidu keyword file as .xlsx: the formats.md columns in that order, the first three filled."""
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(data), read_only=True).active
    table = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    return _baidu(table)


def read_baidu_csv(data: bytes) -> tuple[list[str], list[dict]]:
    """Baidu keyword file as GB18030 CSV."""
    table = list(csv.reader(io.StringIO(data.decode("gb18030"), newline="")))
    return _baidu(table)


def _baidu(table: list[list[str]]) -> tuple[list[str], list[dict]]:
    _no_control_in_cells(table)
    header, rows = _records(table)
    assert header == BAIDU_COLUMNS, header
    for r in rows:
        assert r["推广计划名称"] and r["推广单元名称"] and r["关键词名称"]
        assert r["匹配模式"] in ("", "精确匹配", "短语匹配", "智能匹配", "精确", "广泛")
        assert r["启用/暂停"] in ("", "启用", "暂停")
        assert len(r["关键词名称"].encode("gbk")) <= 40
        assert len(r["推广计划名称"].encode("gbk")) <= 30 and len(r["推广单元名称"].encode("gbk")) <= 30
        if r["出价"]:
            assert 0 < float(r["出价"]) <= 999.99
    return header, rows


def read_paste_list(data: bytes) -> list[str]:
    """A Baidu negative list to paste: one word per line, ≤ 200 words, each ≤ 40 bytes."""
    words = [w for w in data.decode("utf-8").split("\r\n") if w != ""]
    assert len(words) <= 200 and all(len(w.encode("gbk")) <= 40 for w in words)
    return words
