"""Generators of damaged, oversized and tricky upload files (issue 15).

Each function returns the bytes of one file, built on the fly with :mod:`zipfile` and
:mod:`zlib` (never read from disk), small enough to write in well under a second even
when the file would inflate to gigabytes. They are plain functions so that other
suites (pages, command line, benchmarks) can reuse them.

The workbooks are written part by part, not with openpyxl, so that each case can hold
exactly the XML it needs: a stray tag, a cut-off part, a DTD, a formula with or
without its cached value, a lying size in the zip's directory.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from xml.sax.saxutils import escape

#: the columns of a Google Ads keyword report, as the generated workbooks and CSVs use
HEADER = ("Day", "Keyword", "Match type", "Campaign", "Ad group", "Currency code", "Impr.", "Clicks", "Cost",
          "Conversions")


def keyword_rows(n: int = 3, account_of=None) -> list[tuple]:
    """``n`` rows of a Google keyword report (``account_of(i)``: an account name per row,
    for a file with an ``Account`` column)."""
    rows = []
    for i in range(n):
        row = (f"2026-10-{1 + i % 28:02d}", f"locksmith {i}", "Exact match", "Locksmith - Austin", "Near Me",
               "USD", 100 + i, 10, 25.5, 1)
        rows.append(row if account_of is None else (account_of(i),) + row)
    return rows


def good_csv(n: int = 3) -> bytes:
    lines = [",".join(HEADER)] + [",".join(str(v) for v in r) for r in keyword_rows(n)]
    return ("\n".join(lines) + "\n").encode("utf-8")


# ------------------------------------------------------------------ workbooks part by part

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '<Override PartName="/xl/styles.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
       '</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Report" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'styles" Target="styles.xml"/></Relationships>')
STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
          '</styleSheet>')
_SHEET_OPEN = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
_SHEET_CLOSE = '</sheetData></worksheet>'


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def cell_xml(ref: str, value) -> str:
    """One ``<c>``: a number, a string (inline), or ``("=FORMULA", cached)`` (cached None:
    a formula with no value, as a file written by a program that does not compute)."""
    if isinstance(value, tuple):
        formula, cached = value
        v = "" if cached is None else f"<v>{cached}</v>"
        return f'<c r="{ref}"><f>{escape(formula.lstrip("="))}</f>{v}</c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(rows: list[tuple]) -> str:
    out = [_SHEET_OPEN]
    for r, row in enumerate(rows, 1):
        out.append(f'<row r="{r}">' + "".join(cell_xml(f"{_col(c)}{r}", v) for c, v in enumerate(row)
                                              if v is not None) + "</row>")
    out.append(_SHEET_CLOSE)
    return "".join(out)


def workbook(rows: list[tuple] | None = None, *, parts: dict[str, bytes | str] | None = None) -> bytes:
    """An XLSX holding ``rows`` (default: a header and three keyword rows) on one sheet;
    ``parts`` replaces (or adds) parts by name."""
    rows = rows if rows is not None else [HEADER, *keyword_rows()]
    files = {"[Content_Types].xml": _CT, "_rels/.rels": _RELS, "xl/workbook.xml": WORKBOOK,
             "xl/_rels/workbook.xml.rels": _WB_RELS, "xl/styles.xml": STYLES,
             "xl/worksheets/sheet1.xml": sheet_xml(rows)}
    files.update(parts or {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text.encode("utf-8") if isinstance(text, str) else text)
    return buf.getvalue()


def good_xlsx(n: int = 3) -> bytes:
    return workbook([HEADER, *keyword_rows(n)])


# ------------------------------------------------------------------ damaged workbooks

def stray_tag_workbook() -> bytes:
    """``xl/workbook.xml`` with a closing tag that opens nothing."""
    return workbook(parts={"xl/workbook.xml": WORKBOOK.replace("</sheets>", "</sheets></stray>")})


def truncated_sheet() -> bytes:
    """``sheet1.xml`` cut off in the middle of its second row."""
    xml = sheet_xml([HEADER, *keyword_rows()])
    return workbook(parts={"xl/worksheets/sheet1.xml": xml[: xml.index("<row r=\"2\"") + 40]})


def truncated_styles() -> bytes:
    """``styles.xml`` cut off in the middle."""
    return workbook(parts={"xl/styles.xml": STYLES[: len(STYLES) // 2]})


_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                     for i in range(1, 10))
           + "]>")


def entity_bomb_sheet() -> bytes:
    """``sheet1.xml`` with a billion-laughs DTD and a cell that expands it (3 GB of text)."""
    xml = sheet_xml([HEADER, ("2026-10-01", "&lol9;", "Exact match", "P", "G", "USD", 1, 1, 1, 0)])
    xml = xml.replace("<worksheet", _LAUGHS + "<worksheet", 1).replace("&amp;lol9;", "&lol9;")
    return workbook(parts={"xl/worksheets/sheet1.xml": xml})


def entity_bomb_workbook() -> bytes:
    """``workbook.xml`` with a billion-laughs DTD expanded in a sheet's name."""
    xml = WORKBOOK.replace("<workbook", _LAUGHS + "<workbook", 1).replace('name="Report"', 'name="&lol9;"')
    return workbook(parts={"xl/workbook.xml": xml})


# ------------------------------------------------------------------ bombs and giant shapes

def _deflate_repeated(head: bytes, chunk: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of ``head + chunk * times + tail`` without ever holding or compressing
    the whole: after a full flush the compressor starts afresh, so every copy of ``chunk``
    compresses to the same bytes, which are repeated. Returns (data, crc32, size)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)
    body = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    end = comp.compress(tail) + comp.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    # the CRC is exact for up to 4096 copies only (computing it over gigabytes would
    # take longer than the test): a bomb is meant to be stopped before the CRC is read
    if times <= 4096:
        for _ in range(times):
            crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    return first + body * times + end, crc, len(head) + len(chunk) * times + len(tail)


def _raw_zip(members: list[tuple[str, bytes, int, int, int | None]]) -> bytes:
    """A zip of already-deflated members: (name, deflated data, crc, real size, size to
    declare — None: the real one)."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size, declared in members:
        declared = size if declared is None else declared
        offset = out.tell()
        nb = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data),
                              declared & 0xFFFFFFFF, len(nb), 0) + nb + data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data),
                                   declared & 0xFFFFFFFF, len(nb), 0, 0, 0, 0, 0, offset) + nb)
    start = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def _plain(name: str, text: str) -> tuple[str, bytes, int, int, None]:
    raw = text.encode()
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, comp.compress(raw) + comp.flush(), zlib.crc32(raw), len(raw), None


def xml_bomb(inflated_mb: int = 2100, *, declare: int | None = None) -> bytes:
    """A workbook whose ``sheet1.xml`` inflates to about ``inflated_mb`` MB of rows (about
    9 MB of zip for 2.1 GB, as in the issue). ``declare``: the size the zip's directory states for the sheet
    (a lie), instead of the real one."""
    chunk = ('<row><c t="inlineStr"><is><t>locksmith</t></is></c><c><v>1</v></c></row>' * 2000).encode()
    times = max(1, inflated_mb * 1_000_000 // len(chunk))
    head = (_SHEET_OPEN + "<row>" + "".join(cell_xml(f"{_col(i)}1", h) for i, h in enumerate(HEADER))
            + "</row>").encode()
    data, crc, size = _deflate_repeated(head, chunk, times, _SHEET_CLOSE.encode())
    members = [_plain("[Content_Types].xml", _CT), _plain("_rels/.rels", _RELS), _plain("xl/workbook.xml", WORKBOOK),
               _plain("xl/_rels/workbook.xml.rels", _WB_RELS), _plain("xl/styles.xml", STYLES),
               ("xl/worksheets/sheet1.xml", data, crc, size, declare)]
    return _raw_zip(members)


def wide_dimension_workbook() -> bytes:
    """A tiny workbook that claims (``<dimension>``) and uses the last cell of the sheet:
    XFD1048576, as if 1,048,576 rows × 16,384 columns were there."""
    xml = sheet_xml([HEADER, *keyword_rows()]).replace(
        "<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>').replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    return workbook(parts={"xl/worksheets/sheet1.xml": xml})


def many_rows_workbook(rows: int) -> bytes:
    """A workbook of ``rows`` keyword rows (for the row limit)."""
    return workbook([HEADER, *keyword_rows(rows)])


def formula_workbook(cached) -> bytes:
    """A keyword workbook whose second row's cost is ``=SUM(100,200)`` with the cached
    value ``cached`` (None: no value, as written by a program that does not compute)."""
    rows = [HEADER, *keyword_rows()]
    rows[1] = rows[1][:8] + (("=SUM(100,200)", cached),) + rows[1][9:]
    return workbook(rows)


def empty_columns_csv(n: int = 100_000) -> bytes:
    """A CSV whose header has ``n`` empty column names after the known ones (2.4 MB at 100,000)."""
    header = ",".join(HEADER) + "," * n
    body = "\n".join(",".join(str(v) for v in r) + "," * n for r in keyword_rows(10))
    return (header + "\n" + body + "\n").encode()


def long_header_csv(kib: int = 300) -> bytes:
    """A CSV whose first line is longer than ``kib`` KiB."""
    return (",".join(HEADER) + "," + "x" * (kib * 1024) + "\n" + "\n".join(
        ",".join(str(v) for v in r) for r in keyword_rows()) + "\n").encode()


def long_cell_csv(chars: int = 100_000) -> bytes:
    """A CSV whose first keyword is ``chars`` characters long."""
    rows = keyword_rows()
    rows[0] = rows[0][:1] + ("k" * chars,) + rows[0][2:]
    return (",".join(HEADER) + "\n" + "\n".join(",".join(str(v) for v in r) for r in rows) + "\n").encode()


def nul_file(n: int = 100_000) -> bytes:
    return b"\x00" * n


def mixed_encoding_csv() -> bytes:
    """A UTF-8 CSV whose later part was appended in GBK (two downloads pasted together)."""
    head = ("日期,关键词,推广计划,推广单元,展现,点击,消费\n"
            + "".join(f"2026-10-{1 + i % 28:02d},开锁{i},计划,单元,100,10,25.5\n" for i in range(3000))).encode("utf-8")
    tail = "".join(f"2026-10-{1 + i % 28:02d},换锁芯{i},计划,单元,100,10,25.5\n" for i in range(50)).encode("gbk")
    return head + tail


def many_accounts_csv(accounts: int = 10_000) -> bytes:
    """A Google keyword report with an ``Account`` column naming ``accounts`` accounts."""
    rows = keyword_rows(accounts, account_of=lambda i: f"Client {i}")
    return (",".join(("Account",) + HEADER) + "\n"
            + "\n".join(",".join(str(v) for v in r) for r in rows) + "\n").encode()


#: a name with a right-to-left override (U+202E): shown by a browser as "reportexe.csv"
RLO_NAME = "report\u202evsc.exe"
