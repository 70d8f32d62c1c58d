"""Reading one export into the canonical account table.

``read_export(path_or_bytes, name)`` accepts what optimizers download — Baidu
(百度营销 / 凤巢) keyword, search-term, plan, unit reports, the keyword list pasted
to XLSX and the desktop editor's account-structure export; Google Ads report-editor
downloads of any type (UTF-8 "CSV" or UTF-16 "Excel CSV"), the legacy AdWords
layout and the Overview-page cards; Microsoft Advertising reports (API CSV or UI
TSV) — as CSV, TSV, XLSX or XLS, and returns an :class:`Export`: the rows in the
canonical schema (:mod:`optimizer.reading.schema`), the columns it did not use, and a
:class:`ReadInfo` saying what was recognised, what was skipped and why, and
whether the file's own totals rows agree with its rows.

Any other table can be read with a :class:`ColumnMapping` the user chooses.

Nothing is half-read: any problem raises :class:`optimizer.errors.IngestError`
naming the file, row, column and value, and no partial table is returned.

Totals check: a totals row (``合计``, ``总计``, ``Total``, ``Total: …``,
``Total - …``) is compared with the sum of the rows (of its device segment, when it
names one) on impressions, clicks, cost and conversions; it matches when every
difference is within 0.01 or 0.1% of the total. Google's ``Total: Account`` also
counts spend of rows not in the report (other campaign types, removed keywords),
so the check is ``ok`` when at least one totals row matches, ``mismatch`` when
none does, and ``absent`` when the file has none.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from optimizer.reading import headers as H
from optimizer.reading.decode import (SNIFF_BYTES, Preamble, TextLayout, mixed_encoding, read_preamble, sniff_text,
                     split_cells)
from optimizer.errors import FOREIGN_TYPES, IngestError, clip, os_reason
from optimizer.reading.schema import (ADDITIVE_METRICS, CATEGORY_COLUMNS, METRIC_COLUMNS, STR_DTYPE, STRING_COLUMNS, conform,
                     text_codes)
from optimizer.reading.values import NULL_TOKENS, currency_of, to_number, to_periods

#: Default size limit for one file, in MiB (Streamlit's own default upload limit).
DEFAULT_MAX_FILE_MB = 200.0

_TOTAL_RE = re.compile(r"^\s*(total(\s*[:\-–].*)?|合计.*|总计.*|总点击次数)\s*$", re.I)
_FOOTER_RE = re.compile(r"^\s*(©|\(c\)|copyright|版权所有)", re.I)
_DELETED_SUFFIX = "[已删除]"

MATCH_TYPES = {
    "精确": "exact", "精确匹配": "exact", "短语": "phrase", "短语匹配": "phrase",
    "短语-精确包含": "phrase", "短语-同义包含": "phrase", "短语-核心包含": "phrase",
    "短语(精确包含)": "phrase", "短语(同义包含)": "phrase", "短语(核心包含)": "phrase",
    "广泛": "broad", "广泛匹配": "broad", "智能": "smart", "智能匹配": "smart",
    "智能匹配-核心词": "smart_core", "智能匹配核心词": "smart_core", "自动定向": "auto",
    "exact": "exact", "exact match": "exact", "phrase": "phrase", "phrase match": "phrase",
    "broad": "broad", "broad match": "broad", "exact match (close variant)": "exact_close",
    "phrase match (close variant)": "phrase_close", "ai max": "ai_max",
    "performance max": "pmax", "modified broad": "broad", "broad match modifier": "broad",
}
DEVICES = {
    "computers": "pc", "computer": "pc", "desktop": "pc", "计算机": "pc", "电脑": "pc", "pc": "pc",
    "mobile phones": "mobile", "mobile devices with full browsers": "mobile", "mobile": "mobile",
    "smartphone": "mobile", "移动": "mobile", "移动设备": "mobile", "手机": "mobile",
    "tablets": "tablet", "tablets with full browsers": "tablet", "tablet": "tablet",
    "平板": "tablet", "tv screens": "tv", "connected tv": "tv", "other": "other", "unknown": "other",
}
#: Columns of generic reports that describe the segment a row is about.
DIMENSION_HEADERS = ("location name", "location", "country/territory", "省", "市", "省级地区",
                     "城市", "市级地区", "start hour", "小时", "hour", "gender", "age range",
                     "network", "word", "ad", "asset", "most specific location target")
_CURRENCY_IN_HEADER = re.compile(r"\((USD|CNY|RMB|EUR|GBP|INR|CAD|AUD|元)\)", re.I)
_CURRENCY_ALIASES = {"RMB": "CNY", "元": "CNY"}


#: Canonical fields a user can map a column to by hand, in the order they are asked, by
#: group: what a row is about (identity), its figures (metrics), then the rest.
MAPPING_GROUPS = (("identity", ("date", "account", "campaign", "ad_group", "keyword", "match_type", "search_term")),
                  ("metrics", ("impressions", "clicks", "cost", "conversions")),
                  ("other", ("conv_phone", "conv_form", "conv_chat", "bid", "final_url", "mobile_final_url",
                             "currency")))
MAPPABLE_FIELDS = tuple(f for _, group in MAPPING_GROUPS for f in group)
#: Report types a hand mapping can declare.
MAPPABLE_REPORT_TYPES = ("keyword", "search_term", "campaign", "ad_group", "other")


def required_for_mapping(report_type: str) -> dict[str, tuple[str, ...]]:
    """The fields a hand mapping of ``report_type`` needs: field -> the other fields that
    can stand in for it (empty: the field itself is required; ``clicks`` ->
    ``("impressions",)``: one of the two is). Fields not named are optional."""
    return {f: tuple(g for g in group if g != f) for group in H.REQUIRED.get(report_type, ()) for f in group}

# ---------------------------------------------------------------- public types

@dataclass(frozen=True)
class Settings:
    """Ingestion settings: the limits on what one file may hold.

    Each limit is checked while the file is read — a workbook's parts as they are
    inflated, a text file's header before its rows and its rows batch by batch — so a
    file over a limit is refused early, with a message naming the limit and the setting
    (``over_limit``, or ``too_large`` for the file's size), and nothing is stored. The
    defaults let the largest real account through: a 1,000,000-row keyword-day report
    (195 MiB as CSV; the most rows an Excel sheet holds is 1,048,576).

    - ``max_file_mb``: largest file accepted (MiB).
    - ``max_xml_mb``: most XML a workbook (XLSX) may inflate to, all its parts together
      (MiB): checked on the sizes the zip declares, then counted while inflating (a
      declared size can lie). A full sheet of 1,048,576 rows × 30 columns is about 1.5 GiB.
    - ``max_inflation``: most XML per byte of the workbook file. Real workbooks inflate
      5–30×; a decompression bomb (9 MB → 2.1 GB: 233×) much more.
    - ``max_rows``: most rows of a table (lines of a text file, rows of a sheet).
    - ``max_columns``: most columns of a table (header cells of a text file, the last
      column used by a sheet's row). Real exports have up to about 60.
    - ``max_cell_chars``: most characters in one cell (Excel's own limit is 32,767).
    - ``max_accounts``: most accounts one file may name (each account is analysed on its
      own: an agency's export of all its clients fits, 10,000 do not).
    """

    max_file_mb: float = DEFAULT_MAX_FILE_MB
    max_xml_mb: float = 2048.0
    max_inflation: float = 100.0
    max_rows: int = 2_000_000
    max_columns: int = 1_000
    max_cell_chars: int = 32_767
    max_accounts: int = 200


@dataclass(frozen=True)
class TotalCheck:
    """One totals row compared with the rows: label, whether it matched, and per
    metric ``(sum of rows, total row)`` where they differ."""

    label: str
    matched: bool
    differences: dict[str, tuple[float, float]]


@dataclass(frozen=True)
class Note:
    """A remark on a file, in both languages."""

    zh: str
    en: str


@dataclass(frozen=True)
class ReadInfo:
    """What was recognised in one file. Dates are ISO strings or None."""

    file: str
    platform: str
    report_type: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int
    title: str | None
    rows: int
    skipped: dict[str, int]
    columns: dict[str, str]
    unmapped: tuple[str, ...]
    date_start: str | None
    date_end: str | None
    daily: bool
    accounts: int | None
    campaigns: int | None
    ad_groups: int | None
    keywords: int | None
    search_terms: int | None
    impressions: float | None
    clicks: float | None
    cost: float | None
    conversions: float | None
    currency: str | None
    totals_check: str
    totals: tuple[TotalCheck, ...]
    notes: tuple[Note, ...] = ()
    #: when the platform made the file (Baidu's 数据生成时间, ISO to the minute), and the
    #: last day of the range its preamble or title states (Baidu's 时间范围, Google's title
    #: lines): what decides which of two overlapping downloads is newer
    #: (:mod:`optimizer.model.recency`); None when the file does not say
    generated_at: str | None = None
    range_end: str | None = None

    @property
    def skipped_rows(self) -> int:
        return sum(self.skipped.values())

    def as_dict(self) -> dict[str, object]:
        """The stable JSON form (see README, ``inspect --json``)."""
        d = asdict(self)
        d["skipped_rows"] = self.skipped_rows
        d["header_line"] = d.pop("header_row")
        d["notes"] = [n.en for n in self.notes]
        d["notes_zh"] = [n.zh for n in self.notes]
        d["totals"] = [{"label": t.label, "matched": t.matched,
                        "differences": {k: list(v) for k, v in t.differences.items()}}
                       for t in self.totals]
        return d


@dataclass(frozen=True)
class Export:
    """One file read: ``table`` in the canonical schema, ``extra`` the unused columns
    as text (same row order), ``info`` what was recognised."""

    table: pd.DataFrame
    extra: pd.DataFrame
    info: ReadInfo


@dataclass(frozen=True)
class ColumnMapping:
    """A column mapping chosen by the user for a file the product does not recognise.

    ``fields``: canonical field -> header as in the file. ``header_row``: 1-based line
    (or sheet row) of the header; 0 for a text file without a header line, whose
    columns are then named ``#1``, ``#2``, … (:func:`headerless_names`). Saved as JSON and re-applied to files with the same
    header (see :func:`header_signature`).
    """

    fields: dict[str, str]
    header_row: int = 1
    report_type: str = "keyword"
    platform: str = "generic"
    currency: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "ColumnMapping":
        d = json.loads(text)
        return cls(fields=dict(d["fields"]), header_row=int(d.get("header_row", 1)),
                   report_type=d.get("report_type", "keyword"),
                   platform=d.get("platform", "generic"), currency=d.get("currency"))


@dataclass(frozen=True)
class Preview:
    """The first rows of a file the product does not recognise, for mapping by hand."""

    file: str
    encoding: str
    delimiter: str | None
    sheet: str | None
    header_row: int
    columns: list[str]
    rows: list[list[str]]
    suggested: dict[str, str]


def header_signature(columns: list[str]) -> str:
    """A stable key for a header layout, to find a saved mapping again."""
    return "|".join(H.normalize(c) for c in columns)


# ---------------------------------------------------------------- loading bytes

_NOT_BLANK = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf\xff\xfe]")


@dataclass(frozen=True)
class _Source:
    """An upload: its name, its first bytes, and either its path or all its bytes.

    A path is handed straight to the CSV reader, so a large file is never held in
    memory twice."""

    file: str
    head: bytes
    path: Path | None = None
    data: bytes | None = None

    def all_bytes(self) -> bytes:
        return self.data if self.data is not None else self.path.read_bytes()

    def stream(self):
        return self.path if self.path is not None else io.BytesIO(self.data)


def _load(source: str | os.PathLike | bytes, name: str | None, settings: Settings) -> _Source:
    limit = int(settings.max_file_mb * 1024 * 1024)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        file = name or "upload"
        if len(data) > limit:
            raise _too_large(file, len(data), settings)
        src = _Source(file, data[:SNIFF_BYTES], data=data)
        blank = not _NOT_BLANK.search(data)
    else:
        path = Path(source)
        file = name or path.name
        try:
            size = path.stat().st_size
            if size > limit:
                raise _too_large(file, size, settings)
            with path.open("rb") as fh:
                head = fh.read(SNIFF_BYTES)
        except OSError as exc:  # a file that cannot be opened is named by the path it was asked for
            raise IngestError("unreadable", name or os.fspath(source), detail_zh=f"（{os_reason(exc, 'zh')}）",
                              detail_en=f"({os_reason(exc, 'en')})") from exc
        src = _Source(file, head, path=path)
        blank = not _NOT_BLANK.search(head) and (size <= len(head) or not _NOT_BLANK.search(path.read_bytes()))
    if blank:
        raise IngestError("empty", file)
    return src


def _too_large(file: str, size: int, settings: Settings) -> IngestError:
    mb = size / 1024 / 1024
    return IngestError("too_large", file,
                       detail_zh=f"{mb:.1f} MB（上限 {settings.max_file_mb:g} MB）",
                       detail_en=f"{mb:.1f} MB (limit {settings.max_file_mb:g} MB)")


def _container(data: bytes) -> str:
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    return "text"


#: magic bytes at the start of a file -> what it is (:data:`optimizer.errors.FOREIGN_TYPES`)
_MAGIC = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"),
          (b"GIF87a", "gif"), (b"GIF89a", "gif"))


def foreign_type(src: "_Source") -> str | None:
    """What a file that is not a report at all is, by its content whatever its name:
    ``pdf``, ``png``, ``jpeg``, ``gif``, ``webp``, ``word``, ``powerpoint`` or ``zip``
    (an archive that is not a workbook); None for anything that may be a report. A
    zip or compound (OLE) file is a workbook when it holds one (``xl/workbook.xml``;
    a ``Workbook`` stream), so an Excel file named .csv is still read as a workbook;
    a zip that cannot be opened is left to the workbook reader (a workbook cut off)."""
    head = src.head
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    container = _container(head)
    if container == "xlsx":
        try:
            with zipfile.ZipFile(src.stream()) as z:
                names = z.namelist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return None
        if any(n.startswith("xl/") for n in names):
            return None
        if any(n.startswith("word/") for n in names):
            return "word"
        if any(n.startswith("ppt/") for n in names):
            return "powerpoint"
        return "zip"
    if container == "xls":
        data = src.all_bytes()
        if "Workbook".encode("utf-16-le") in data:  # the stream of a BIFF8 .xls (older ones: "Book")
            return None
        if "WordDocument".encode("utf-16-le") in data:
            return "word"
        if "PowerPoint Document".encode("utf-16-le") in data:
            return "powerpoint"
    return None


def _refuse_foreign(src: "_Source") -> None:
    """Raise ``not_a_report`` for a PDF, an image, an office document or an archive
    (:func:`foreign_type`), before it is read as a table with a missing header."""
    kind = foreign_type(src)
    if kind is not None:
        zh, en = FOREIGN_TYPES[kind]
        raise IngestError("not_a_report", src.file, detail_zh=zh, detail_en=en)


# ---------------------------------------------------------------- text files

def _dedupe(cells: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, c in enumerate(cells):
        c = c.strip() or f"column_{i + 1}"
        if c in seen:
            seen[c] += 1
            c = f"{c}.{seen[c]}"
        else:
            seen[c] = 0
        out.append(c)
    return out


def _metric_headers(cmap: H.ColumnMap) -> set[str]:
    cols = {raw for f, raw in cmap.fields.items() if f in METRIC_COLUMNS}
    for pc_header, mobile_header in cmap.split.values():
        cols.update((pc_header, mobile_header))
    return cols


#: Cell texts read as null by the fast reader, in every column (text columns also
#: treat ``--`` as null, see :func:`_text`).
_FAST_NULLS = ["", "--", " --", "-", " -", "/"]


def _read_csv_fast(src: "_Source", layout: TextLayout, names: list[str],
                   header_index: int, plain_text: set[str], numeric: set[str] = frozenset(),
                   settings: Settings = Settings()) -> pd.DataFrame | None:
    """Read with Arrow's multi-threaded CSV reader: the columns in ``numeric`` (the
    metrics) parsed straight to float64 when every cell of them is a plain number or
    a null token; the other columns as text — those in ``plain_text`` (metrics that
    are not plain numbers, keywords, search terms, IDs) as strings, the rest, which
    repeat few values (dates, plans, units, URLs), dictionary-encoded, so they arrive
    as categoricals that cost one copy of each distinct value. Printed ratios
    (:data:`optimizer.reading.headers.RATIOS`) are not read.

    Parsing numbers here keeps a million-row file's metrics at 8 bytes a cell instead
    of a string each that is parsed later. When a metric cell is anything else
    (``¥1,234.50``, ``3.45%``, ``abc``, ``nan``), the file is read again with the
    metrics as text, so that :func:`optimizer.reading.values.to_number` reads the symbols and
    names the row of a bad cell.

    A row with fewer fields than the header that is not a totals or footer line — the
    last line of a download that stopped part-way, or a hand-edited one — raises
    :class:`IngestError` naming its line: read as it is, it would be a row with its
    last figures missing or cut (a cost of 4.00 for 46.93), a silent half-result.

    Returns None (the caller then uses pandas' reader, which reports exact line
    numbers and keeps footers as rows to skip) when any other row has a different
    number of fields than the header — a footer, a line with too many fields — or
    when the codec fails. Blank lines come through as empty rows, so row i is still
    file line header + 2 + i.
    """
    odd: list[tuple[int, int, str]] = []

    def irregular(row) -> str:
        odd.append((row.expected_columns, row.actual_columns, row.text))
        return "skip"   # looked at once the file is read

    def attempt(as_numbers: set[str]) -> pd.DataFrame | None:
        odd.clear()
        frame = _stream_csv(src, options(as_numbers), as_numbers, settings, header_index + 2)
        if not odd:
            return frame
        del frame
        for expected, actual, text in odd:
            first = split_cells(text, layout.delimiter)[0].strip() if text else ""
            if _TOTAL_RE.match(first) or _FOOTER_RE.match(first) or actual >= expected:
                continue
            # one field alone is a cut-off only on the file's last line (a download that
            # stopped after a line's first field): elsewhere it may be a title or a note
            if actual >= 2 or (first and text.strip() == _last_line(src, layout)):
                raise _short_row(src, layout, header_index, text, actual, expected)
        return None   # footers, long lines: pandas' reader keeps them as rows to skip, or names them

    def options(as_numbers: set[str]) -> dict:
        def kind(n: str) -> pa.DataType:
            if n in as_numbers:
                return pa.float64()
            return pa.large_string() if n in plain_text else pa.dictionary(pa.int32(), pa.string())

        return dict(
            read_options=pacsv.ReadOptions(encoding=layout.encoding, skip_rows=header_index + 1,
                                           column_names=names, block_size=1 << 20),
            parse_options=pacsv.ParseOptions(delimiter=layout.delimiter, quote_char='"', double_quote=True,
                                             newlines_in_values=True, ignore_empty_lines=False,
                                             invalid_row_handler=irregular),
            convert_options=pacsv.ConvertOptions(
                column_types={n: kind(n) for n in names},
                include_columns=[n for n in names if not H.is_ratio(n)],
                null_values=_FAST_NULLS, strings_can_be_null=True, quoted_strings_can_be_null=True))

    numeric = {n for n in numeric if n in names and not H.is_ratio(n)}
    if numeric:
        try:
            return attempt(numeric)
        except (pa.ArrowInvalid, UnicodeDecodeError, LookupError):
            pass   # a metric cell that is not a plain number: read the metrics as text
    try:
        return attempt(set())
    except (pa.ArrowInvalid, UnicodeDecodeError, LookupError):
        return None


def _last_line(src: "_Source", layout: TextLayout) -> str:
    """The file's last non-blank line, stripped (read from its last 8 KiB)."""
    size = len(src.data) if src.data is not None else src.path.stat().st_size
    start = max(0, size - 8192)
    start -= start % 2   # a UTF-16 file is read from a character's first byte
    if src.data is not None:
        tail = src.data[start:]
    else:
        with src.path.open("rb") as fh:
            fh.seek(start)
            tail = fh.read()
    codec = layout.encoding_label if layout.encoding == "utf-16" and start else layout.encoding  # no BOM mid-file
    lines = [ln.strip() for ln in tail.decode(codec, errors="replace").lstrip("\ufeff").splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def _short_row(src: "_Source", layout: TextLayout, header_index: int, text: str, actual: int,
               expected: int) -> IngestError:
    """The error for a data line with too few fields, with its line number (found by
    reading the file's lines again: Arrow does not number the rows it hands over)."""
    line = last = None
    fh = src.path.open("rb") if src.path is not None else io.BytesIO(src.data)
    with fh, io.TextIOWrapper(fh, encoding=layout.encoding, errors="replace", newline="") as lines:
        for i, raw in enumerate(lines, 1):
            body = raw.rstrip("\r\n")
            if body.strip():
                last = i
            if line is None and i > header_index + 1 and body == text:
                line = i
    at_end = line is not None and line == last
    zh_end = "这是文件的最后一行：下载多半没有完成（文件被截断），请重新下载。" if at_end else \
        "文件可能被截断或被手工改过，请重新下载。"
    en_end = ("It is the file's last line: the download most likely stopped part-way (the file is cut off); "
              "download it again.") if at_end else "The file may be cut off or edited by hand; download it again."
    return IngestError("malformed", src.file, row=line, value=text[:80],
                       detail_zh=f"这一行只有 {actual} 个字段，而表头有 {expected} 列。{zh_end}",
                       detail_en=f"it has {actual} fields where the header has {expected}. {en_end}")


def _stream_csv(src: "_Source", options: dict, numeric: set[str], settings: Settings = Settings(),
                first_line: int = 2) -> pd.DataFrame:
    """Read the CSV batch by batch (1 MiB of text each), keeping of each batch only its
    final columns: numbers as Arrow float64, text as Arrow strings, repeated text as
    codes into one growing list of distinct values per column. So the reader's
    working buffers never exist for the whole file at once; the whole table is only
    assembled at the end. Raises ArrowInvalid as Arrow's reader does, and when a
    ``numeric`` column holds NaN or infinity (text such as "nan" that the export's
    own parser calls a bad cell). Each batch is checked against ``settings``' row and
    cell-length limits as it arrives (``first_line``: the file line of the first row)."""
    reader = pacsv.open_csv(src.stream(), **options)
    rows_before = 0
    schema = reader.schema
    coded = [f.name for f in schema if pa.types.is_dictionary(f.type)]
    chunks: dict[str, list] = {f.name: [] for f in schema}
    distinct: dict[str, dict[str, int]] = {c: {} for c in coded}
    for batch in reader:
        _check_batch(src.file, batch, schema, rows_before, first_line, settings)
        rows_before += batch.num_rows
        for name in numeric:
            if pc.any(pc.invert(pc.is_finite(batch.column(name)))).as_py():
                raise pa.ArrowInvalid(f"column {name}: NaN or infinity")
        for i, f in enumerate(schema):
            col = batch.column(i)
            if f.name in distinct:
                seen = distinct[f.name]
                lut = np.array([seen.setdefault(v, len(seen)) for v in col.dictionary.to_pylist()] + [-1],
                               dtype=np.int32)
                idx = pc.fill_null(col.indices, -1).to_numpy(zero_copy_only=False)
                chunks[f.name].append(lut[idx])   # index -1 (null) picks the trailing -1
            elif f.name in numeric:
                chunks[f.name].append(col.to_numpy(zero_copy_only=False))   # null → NaN
            else:
                chunks[f.name].append(pa.concat_arrays([col]))   # a tight copy, not a view of the block
        del batch
    columns: dict[str, object] = {}
    for f in schema:   # one column at a time, each list of pieces let go as soon as it is joined
        pieces = chunks.pop(f.name)
        if f.name in distinct:
            codes = np.concatenate(pieces) if pieces else np.zeros(0, np.int32)
            columns[f.name] = pd.Categorical.from_codes(codes, pd.Index(list(distinct[f.name]), dtype=STR_DTYPE))
        elif f.name in numeric:
            columns[f.name] = np.concatenate(pieces) if pieces else np.zeros(0, np.float64)
        else:
            columns[f.name] = pd.array(pa.chunked_array(pieces, type=f.type), dtype=STR_DTYPE)
        del pieces
    pa.default_memory_pool().release_unused()   # the reader's buffers, back to the system before the next step
    return pd.DataFrame(columns, copy=False)


def _rows_over(file: str, rows: int, settings: Settings) -> IngestError:
    return _over(file, f"有 {rows:,} 行以上", f"it has {rows:,} rows or more", "max_rows",
                 f"{settings.max_rows:,} 行", f"{settings.max_rows:,} rows")


def _cell_over(file: str, line: int, column: str, chars: int, settings: Settings) -> IngestError:
    return IngestError("over_limit", file, row=line, column=column,
                       detail_zh=f"第 {line:,} 行“{clip(column)}”列的单元格有 {chars:,} 个字符"
                                 f"（上限 {settings.max_cell_chars:,} 个字符，设置 max_cell_chars）。",
                       detail_en=f"row {line:,}, column '{clip(column)}' holds a cell of {chars:,} characters "
                                 f"(limit {settings.max_cell_chars:,} characters, setting max_cell_chars).")


def _check_batch(file: str, batch: pa.RecordBatch, schema: pa.Schema, rows_before: int, first_line: int,
                 settings: Settings) -> None:
    """Raise ``over_limit`` when this batch takes the table past ``max_rows``, or holds a
    cell longer than ``max_cell_chars`` (text columns; for dictionary-encoded ones, the
    distinct values are measured)."""
    if rows_before + batch.num_rows > settings.max_rows:
        raise _rows_over(file, rows_before + batch.num_rows, settings)
    limit = settings.max_cell_chars
    for i, f in enumerate(schema):
        col = batch.column(i)
        if pa.types.is_dictionary(f.type):
            lengths = pc.utf8_length(col.dictionary)
            if len(lengths) and pc.max(lengths).as_py() > limit:
                long_codes = np.flatnonzero(lengths.to_numpy(zero_copy_only=False) > limit)
                idx = pc.fill_null(col.indices, -1).to_numpy(zero_copy_only=False)
                at = int(np.flatnonzero(np.isin(idx, long_codes))[0])
                raise _cell_over(file, first_line + rows_before + at, f.name,
                                 len(col.dictionary[int(idx[at])].as_py()), settings)
        elif pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
            lengths = pc.utf8_length(col)
            top = pc.max(lengths).as_py()
            if top is not None and top > limit:
                at = int(np.flatnonzero(pc.fill_null(lengths, 0).to_numpy(zero_copy_only=False) > limit)[0])
                raise _cell_over(file, first_line + rows_before + at, f.name, int(lengths[at].as_py()), settings)


def _check_frame(file: str, frame: pd.DataFrame, first_line: int, settings: Settings) -> None:
    """:func:`_check_batch` for a table read whole by pandas (a text file's size already
    bounds what that reader holds)."""
    if len(frame) > settings.max_rows:
        raise _rows_over(file, len(frame), settings)
    for col in frame.columns:
        s = frame[col]
        if s.dtype != object and not isinstance(s.dtype, pd.StringDtype):
            continue
        lengths = s.str.len()
        top = lengths.max()
        if pd.notna(top) and top > settings.max_cell_chars:
            at = int(np.flatnonzero(lengths.fillna(0).to_numpy() > settings.max_cell_chars)[0])
            raise _cell_over(file, first_line + at, col, int(lengths.iloc[at]), settings)


def _mixed_error(file: str, found: tuple[int, int, str]) -> IngestError:
    utf8_line, other_line, other = found
    return IngestError("mixed_encoding", file,
                       detail_zh=f"第 {utf8_line:,} 行是 UTF-8，而第 {other_line:,} 行是 {other}。",
                       detail_en=f"line {utf8_line:,} is UTF-8, but line {other_line:,} is {other}.")


def _read_csv(src: "_Source", file: str, layout: TextLayout, names: list[str],
              header_index: int, cmap: H.ColumnMap, settings: Settings = Settings()) -> tuple[pd.DataFrame, str]:
    """The table below the header, and the label of the encoding that read it all
    (a file that looked like UTF-8 in its first bytes may turn out GB18030 later)."""
    metric_cols = _metric_headers(cmap)
    plain = metric_cols | {cmap.fields[f] for f in STRING_COLUMNS if f in cmap.fields}
    fast = _read_csv_fast(src, layout, names, header_index, plain, numeric=metric_cols, settings=settings)
    if fast is not None:
        return fast, layout.encoding_label
    null_tokens = sorted(NULL_TOKENS | {" --", " -"})
    dtypes = {n: "str" for n in names if n not in metric_cols}
    na_values = {n: (null_tokens if n in metric_cols else [""]) for n in names}
    encodings = [layout.encoding]
    if layout.encoding == "utf-8":
        encodings.append("gb18030")
    last_exc: Exception | None = None
    for enc in encodings:
        try:
            frame = pd.read_csv(
                src.stream(), encoding=enc, sep=layout.delimiter, header=None,
                names=names, skiprows=header_index + 1, index_col=False, dtype=dtypes,
                na_values=na_values, keep_default_na=False, thousands=",",
                skip_blank_lines=False, engine="c", quotechar='"', doublequote=True,
                encoding_errors="strict", low_memory=False)
            # printed ratios are dropped after reading: with usecols pandas would stop
            # rejecting rows that have too many fields
            frame = frame.drop(columns=[n for n in names if H.is_ratio(n)])
            _check_frame(file, frame, header_index + 2, settings)
            return frame, (layout.encoding_label if enc == layout.encoding else enc)
        except UnicodeDecodeError as exc:
            last_exc = exc
            if enc == "utf-8":   # UTF-8 up to a point: a part in another encoding pasted below?
                with src.stream() if src.path is None else src.path.open("rb") as fh:
                    found = mixed_encoding(fh)
                if found:
                    raise _mixed_error(file, found) from None
            continue
        except pd.errors.ParserError as exc:
            m = re.search(r"line (\d+), saw (\d+)", str(exc))
            line = int(m[1]) if m else None
            raise IngestError(
                "malformed", file, row=line,
                detail_zh=f"这一行有 {m[2] if m else '更多'} 个字段，而表头只有 {len(names)} 列（可能被 Excel 改动过，或有未加引号的分隔符）。",
                detail_en=f"it has {m[2] if m else 'more'} fields where the header has {len(names)} "
                          "(edited in Excel, or a delimiter inside an unquoted cell?).") from exc
    raise IngestError("encoding", file, detail_zh=f"读到中途解码失败：{clip(last_exc, 200)}",
                      detail_en=f"Decoding failed part-way through: {clip(last_exc, 200)}")


def _read_text(src: _Source, mapping: ColumnMapping | None, settings: Settings = Settings()) -> "_Raw":
    file = src.file
    _refuse_long_first_line(src)
    try:
        layout = sniff_text(src.head)
    except UnicodeDecodeError as exc:
        found = mixed_encoding(io.BytesIO(_trim_to_line(src.head)))
        if found:
            raise _mixed_error(file, found) from None
        raise _not_a_table(file) from exc
    if layout.encoding in ("gb18030", "cp1252"):   # decoded by a fallback: UTF-8 lines beside others?
        found = mixed_encoding(io.BytesIO(_trim_to_line(src.head)))
        if found:
            raise _mixed_error(file, found)
    if "\x00" in "".join(layout.first_lines) or _looks_binary(layout.first_lines):
        raise _not_a_table(file)
    if mapping is not None and mapping.header_row == 0:  # a file without a header line: columns #1, #2, …
        delim = layout.delimiter if layout.header is None else _best_delim(_first_nonblank(layout.first_lines))
        layout = TextLayout(layout.encoding, layout.encoding_label, delim, -1,
                            headerless_names(layout.first_lines, delim), [], layout.first_lines)
    elif mapping is not None:
        header_index = mapping.header_row - 1
        text_lines = layout.first_lines
        if header_index >= len(text_lines):
            raise IngestError("mapping", file, detail_zh=f"表头行 {mapping.header_row} 超出了文件范围。",
                              detail_en=f"header row {mapping.header_row} is past the start of the file.")
        delim = layout.delimiter if layout.header else _best_delim(text_lines[header_index])
        cells = [c.strip() for c in split_cells(text_lines[header_index], delim)]
        layout = TextLayout(layout.encoding, layout.encoding_label, delim, header_index, cells,
                            [x.strip() for x in text_lines[:header_index]], layout.first_lines)
    if layout.header is None:
        nonblank = [ln for ln in layout.first_lines if ln.strip()]
        if not nonblank:
            raise IngestError("empty", file)
        first = split_cells(nonblank[0], layout.delimiter)
        if looks_like_data(first):
            shown = ", ".join(c.strip() for c in first[:6])
            raise IngestError("headerless", file,
                              detail_zh=f"第一行已经是数据（{shown}, …，共 {len(first)} 列），文件里没有写列名的那一行。",
                              detail_en=f"Its first line is already data ({shown}, …, {len(first)} columns): "
                                        "the line naming the columns is missing.")
        if all(len([c for c in split_cells(ln, layout.delimiter) if c.strip()]) < 3 for ln in nonblank):
            raise IngestError("no_header", file,
                              detail_zh="文件只有说明行（如“数据生成时间”），没有数据表。请确认下载时选择了数据。",
                              detail_en="It holds only description lines (e.g. the report time), no table. "
                                        "Check that data was selected when downloading.")
        raise IngestError("unknown_format", file,
                          detail_zh=f"第一行的列是：{_names(first, 12)}，其中没有认识的列名。",
                          detail_en=f"Its first line has the columns {_names(first, 12)}, none of which "
                                    "is a known report column.")
    if len(layout.header) > settings.max_columns:
        raise _over(file, f"表头有 {len(layout.header):,} 列", f"its header has {len(layout.header):,} columns",
                    "max_columns", f"{settings.max_columns:,} 列", f"{settings.max_columns:,} columns")
    names = _dedupe(layout.header)
    cmap = _column_map(names, mapping)
    frame, encoding = _read_csv(src, file, layout, names, layout.header_index, cmap, settings)
    rows = np.arange(len(frame), dtype=np.int64) + layout.header_index + 2
    return _Raw(frame, rows, names, cmap, encoding, layout.delimiter, None,
                layout.header_index + 1, layout.preamble, ())


def _trim_to_line(head: bytes) -> bytes:
    """The whole lines of a file's first bytes (the last, cut-off line dropped)."""
    cut = head.rfind(b"\n")
    return head[: cut + 1] if cut > 0 else head


def _refuse_long_first_line(src: _Source) -> None:
    """Raise ``line_too_long`` when the file's first :data:`SNIFF_BYTES` hold no line break
    at all (while the file goes on): that first line is no report's header."""
    if len(src.head) < SNIFF_BYTES or re.search(rb"[\r\n]", src.head):
        return
    size = len(src.data) if src.data is not None else src.path.stat().st_size
    if size > len(src.head):
        raise IngestError("line_too_long", src.file,
                          detail_zh=f"文件有 {size / 1024 / 1024:,.1f} MiB，前 256 KiB 中没有一个换行。",
                          detail_en=f"The file is {size / 1024 / 1024:,.1f} MiB, with no line break in its first "
                                    "256 KiB.")


_DATA_CELL = re.compile(r"[+-]?[¥$€]?\d[\d,]*(\.\d+)?%?|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|https?://\S+")


def looks_like_data(cells: list[str]) -> bool:
    """Whether a line's cells are a data row rather than a header or a description line:
    at least three filled cells, two or more of them figures, dates or URLs (no
    report's header has those)."""
    filled = [c.strip() for c in cells if c.strip()]
    return len(filled) >= 3 and sum(bool(_DATA_CELL.fullmatch(c)) for c in filled) >= 2


def _first_nonblank(lines: list[str]) -> str:
    return next((ln for ln in lines if ln.strip()), "")


def headerless_names(lines: list[str], delim: str) -> list[str]:
    """The names given to the columns of a file without a header line: ``#1``, ``#2``, …
    (as many as its widest first line has)."""
    width = max((len(split_cells(ln, delim)) for ln in lines if ln.strip()), default=0)
    return [f"#{i + 1}" for i in range(width)]


def _not_a_table(file: str) -> IngestError:
    return IngestError("corrupt", file, detail_zh="内容是二进制数据，既不是文本表格（CSV/TSV）也不是 Excel 工作簿。",
                       detail_en="Its content is binary: neither a text table (CSV/TSV) nor an Excel workbook.")


def _best_delim(line: str) -> str:
    return max(("\t", ",", ";"), key=lambda d: len(split_cells(line, d)))


def _looks_binary(lines: list[str]) -> bool:
    text = "".join(lines)[:4000]
    if not text:
        return False
    bad = sum(1 for c in text if (ord(c) < 32 and c not in "\t\r\n") or 0x80 <= ord(c) < 0xA0)
    return bad / len(text) > 0.02


# ---------------------------------------------------------------- spreadsheets

def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


class _OverLimit(Exception):
    """Raised while a workbook's parts are inflated past the XML budget."""

    def __init__(self, used: int) -> None:
        super().__init__(used)
        self.used = used


class _Counted(io.RawIOBase):
    """One part of a workbook being inflated: every byte handed over is counted against
    the workbook's budget (raising :class:`_OverLimit` past it), and a part that
    declares a DTD (entity definitions: Excel never writes one) is refused."""

    def __init__(self, inner, guard: "_GuardedZip") -> None:
        super().__init__()
        self.inner = inner
        self.guard = guard
        self.seen = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(min(len(buffer), 1 << 20))
        n = len(data)
        buffer[:n] = data
        self.guard.count(n)
        if len(self.seen) < 65536:
            self.seen += data[:65536]
            if b"<!DOCTYPE" in self.seen or b"<!ENTITY" in self.seen:
                raise _DtdFound()
        return n

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            parts = []
            while True:
                chunk = self.read(1 << 20)
                if not chunk:
                    return b"".join(parts)
                parts.append(chunk)
        buf = bytearray(size)
        n = self.readinto(buf)
        return bytes(buf[:n])

    def close(self) -> None:
        self.inner.close()
        super().close()


class _DtdFound(Exception):
    """A workbook part declares a DTD."""


class _GuardedZip(zipfile.ZipFile):
    """A workbook's zip whose parts are counted as they are inflated (:class:`_Counted`)."""

    def __init__(self, data: bytes, budget: int) -> None:
        super().__init__(io.BytesIO(data))
        self.budget = budget
        self.used = 0

    def count(self, n: int) -> None:
        self.used += n
        if self.used > self.budget:
            raise _OverLimit(self.used)

    def open(self, name, mode="r", pwd=None, **kw):
        inner = super().open(name, mode, pwd, **kw)
        return _Counted(inner, self) if mode == "r" else inner


def _guarded_zip(data: bytes, budget: int) -> _GuardedZip:
    return _GuardedZip(data, budget)


def _over(file: str, zh: str, en: str, setting: str, limit_zh: str, limit_en: str | None = None) -> IngestError:
    """The ``over_limit`` error: what was found, the limit and the setting that sets it."""
    return IngestError("over_limit", file, detail_zh=f"{zh}（上限 {limit_zh}，设置 {setting}）。",
                       detail_en=f"{en} (limit {limit_en or limit_zh}, setting {setting}).")


def _xml_budget(size: int, settings: Settings) -> tuple[int, str]:
    """Bytes of XML a workbook of ``size`` bytes may inflate to, and the setting that decides it."""
    absolute = int(settings.max_xml_mb * 1024 * 1024)
    relative = int(settings.max_inflation * size)
    return (relative, "max_inflation") if relative < absolute else (absolute, "max_xml_mb")


def _xml_over(file: str, inflated: int, size: int, settings: Settings, declared: bool) -> IngestError:
    budget, setting = _xml_budget(size, settings)
    mb = inflated / 1024 / 1024
    ratio = inflated / max(size, 1)
    how_zh, how_en = ("按压缩包自己声明的大小，", "By the sizes its zip declares, t") if declared else ("解压时，", "T")
    limit = (f"{settings.max_inflation:g} 倍文件大小" if setting == "max_inflation"
             else f"{settings.max_xml_mb:g} MiB")
    limit_en = (f"{settings.max_inflation:g} × the file's size" if setting == "max_inflation"
                else f"{settings.max_xml_mb:g} MiB")
    return _over(file, f"{how_zh}这个 Excel 文件解压后的 XML 有 {mb:,.0f} MiB 以上（文件本身的 {ratio:,.0f} 倍），"
                       "像是“压缩炸弹”",
                 f"{how_en}his workbook inflates to {mb:,.0f} MiB or more of XML ({ratio:,.0f} × the file): "
                 "a decompression bomb?", setting, limit, limit_en)


_FORMULA_TAG = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}f"


@dataclass
class _Formulas:
    """Cells of one sheet that hold a formula: (cell, formula) of those without a
    computed value, and (cell, formula, value) of those with one."""

    missing: list[tuple[str, str]] = field(default_factory=list)
    cached: list[tuple[str, str, object]] = field(default_factory=list)
    missing_count: int = 0
    cached_count: int = 0


def _xlsx_rows(wb, ws, file: str, settings: Settings, formulas: _Formulas) -> list[tuple]:
    """The rows of one sheet of a read-only workbook, values only (formulas as their
    computed values), checked against the row, column and cell-length limits as each
    row is parsed. Gaps between row numbers are kept as empty rows; the sheet's own
    ``<dimension>`` (which can claim the whole sheet) is not used."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import WorkSheetParser

    class _Parser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if element.find(_FORMULA_TAG) is not None:
                formula = self.parse_formula(element)
                cell["formula"] = str(getattr(formula, "text", formula) or "=")
            return cell

    rows: list[tuple] = []
    max_cols, max_chars = settings.max_columns, settings.max_cell_chars
    with wb._archive.open(ws._worksheet_path) as src:
        parser = _Parser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                         date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        for number, cells in parser.parse():
            if number > settings.max_rows:
                raise _over(file, f"工作表“{clip(ws.title)}”有第 {number:,} 行", f"sheet '{clip(ws.title)}' has a "
                            f"row {number:,}", "max_rows", f"{settings.max_rows:,} 行", f"{settings.max_rows:,} rows")
            if not cells:
                continue
            width = max(c["column"] for c in cells)
            if width > max_cols:
                raise _over(file, f"工作表“{clip(ws.title)}”第 {number:,} 行用到了第 {width:,} 列",
                            f"sheet '{clip(ws.title)}', row {number:,} uses column {width:,}", "max_columns",
                            f"{max_cols:,} 列", f"{max_cols:,} columns")
            values = [None] * width
            for c in cells:
                v = c["value"]
                if isinstance(v, str) and len(v) > max_chars:
                    ref = f"{get_column_letter(c['column'])}{number}"
                    raise _over(file, f"工作表“{clip(ws.title)}”的单元格 {ref} 有 {len(v):,} 个字符",
                                f"sheet '{clip(ws.title)}', cell {ref} holds {len(v):,} characters",
                                "max_cell_chars", f"{max_chars:,} 个字符", f"{max_chars:,} characters")
                if "formula" in c:
                    ref = f"{get_column_letter(c['column'])}{number}"
                    if v is None:
                        formulas.missing_count += 1
                        if len(formulas.missing) < 10:
                            formulas.missing.append((ref, c["formula"]))
                    else:
                        formulas.cached_count += 1
                        if len(formulas.cached) < 3:
                            formulas.cached.append((ref, c["formula"], v))
                values[c["column"] - 1] = v
            if number > len(rows) + 1:
                rows.extend([()] * (number - len(rows) - 1))
            rows.append(tuple(values))
    return rows


def _sheet_tables(data: bytes, kind: str, file: str, settings: Settings = Settings()
                  ) -> tuple[list[tuple[str, list[tuple]]], list[str], dict[str, _Formulas]]:
    """Visible sheets with their rows (values), the names of hidden sheets, and the
    formulas of each visible sheet. Anything the workbook's parts do that a reader
    trips on (malformed XML, a part cut off, a DTD, a bad zip) is the ``corrupt``
    error; a workbook over a limit of ``settings`` is ``over_limit``."""
    hidden: list[str] = []
    sheets: list[tuple[str, list[tuple]]] = []
    formulas: dict[str, _Formulas] = {}
    if kind == "xlsx":
        try:
            return _xlsx_tables(data, file, settings)
        except IngestError:
            raise
        except _OverLimit as exc:
            raise _xml_over(file, exc.used, len(data), settings, declared=False) from None
        except _DtdFound:
            raise IngestError("corrupt", file, detail_zh="其中的 XML 声明了实体（DTD），Excel 从不这样写，已拒绝读取。",
                              detail_en="Its XML declares entities (a DTD), which Excel never writes: "
                                        "refused.") from None
        except (zipfile.BadZipFile, KeyError, EOFError, zipfile.LargeZipFile) as exc:
            raise IngestError("corrupt", file, detail_zh="Excel 文件不完整（可能下载中断）。请重新下载。",
                              detail_en="The workbook is incomplete (an interrupted download?). "
                                        "Download it again.") from exc
        except Exception as exc:  # malformed XML (lxml's XMLSyntaxError, expat's ParseError), bad values, …
            raise IngestError("corrupt", file, detail_zh=f"Excel 文件的内容已损坏（{clip(type(exc).__name__)}："
                                                         f"{clip(exc)}）。请重新下载。",
                              detail_en=f"The workbook's contents are damaged ({clip(type(exc).__name__)}: "
                                        f"{clip(exc)}). Download it again.") from exc
    else:
        import xlrd
        try:
            book = xlrd.open_workbook(file_contents=data)
        except Exception as exc:  # xlrd raises bare XLRDError/CompDocError/struct errors
            raise IngestError("corrupt", file, detail_zh="无法打开这个 .xls 文件。",
                              detail_en="This .xls workbook cannot be opened.") from exc
        for sh in book.sheets():
            if sh.visibility != 0:
                hidden.append(sh.name)
                continue
            if sh.nrows > settings.max_rows:
                raise _over(file, f"工作表“{clip(sh.name)}”有 {sh.nrows:,} 行", f"sheet '{clip(sh.name)}' has "
                            f"{sh.nrows:,} rows", "max_rows", f"{settings.max_rows:,} 行", f"{settings.max_rows:,} rows")
            if sh.ncols > settings.max_columns:
                raise _over(file, f"工作表“{clip(sh.name)}”有 {sh.ncols:,} 列", f"sheet '{clip(sh.name)}' has "
                            f"{sh.ncols:,} columns", "max_columns", f"{settings.max_columns:,} 列",
                            f"{settings.max_columns:,} columns")
            rows = []
            for r in range(sh.nrows):
                vals = []
                for c in sh.row(r):
                    if c.ctype == xlrd.XL_CELL_DATE:
                        vals.append(xlrd.xldate.xldate_as_datetime(c.value, book.datemode))
                    elif c.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        vals.append(None)
                    else:
                        if isinstance(c.value, str) and len(c.value) > settings.max_cell_chars:
                            raise _over(file, f"工作表“{clip(sh.name)}”第 {r + 1:,} 行有一个 {len(c.value):,} 个字符的单元格",
                                        f"sheet '{clip(sh.name)}', row {r + 1:,} has a cell of {len(c.value):,} "
                                        "characters", "max_cell_chars", f"{settings.max_cell_chars:,} 个字符",
                                        f"{settings.max_cell_chars:,} characters")
                        vals.append(c.value)
                rows.append(tuple(vals))
            sheets.append((sh.name, rows))
    return sheets, hidden, formulas


def _xlsx_tables(data: bytes, file: str, settings: Settings
                 ) -> tuple[list[tuple[str, list[tuple]]], list[str], dict[str, _Formulas]]:
    """:func:`_sheet_tables` of an XLSX: the zip's declared sizes are checked against the
    XML budget before anything is inflated, then every part is counted as it is."""
    from openpyxl.reader.excel import ExcelReader

    budget, _ = _xml_budget(len(data), settings)
    zf = _GuardedZip(data, budget)
    try:
        declared = sum(i.file_size for i in zf.infolist())
        if declared > budget:
            raise _xml_over(file, declared, len(data), settings, declared=True)
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        reader.archive.close()
        reader.archive = zf
        reader.valid_files = zf.namelist()
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # openpyxl's remarks on styles and extensions
            reader.read()
        wb = reader.wb
        hidden: list[str] = []
        sheets: list[tuple[str, list[tuple]]] = []
        formulas: dict[str, _Formulas] = {}
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                hidden.append(ws.title)
                continue
            if not hasattr(ws, "_worksheet_path"):   # a chart sheet: no cells
                continue
            found = formulas[ws.title] = _Formulas()
            sheets.append((ws.title, _xlsx_rows(wb, ws, file, settings, found)))
        return sheets, hidden, formulas
    finally:
        zf.close()




def _formula_list(found: "_Formulas", title: str, lang: str) -> str:
    cells = [f"{clip(title, 40)}!{ref} ={clip(f.lstrip('='), 60)}" for ref, f in found.missing]
    more = found.missing_count - len(cells)
    sep = "；" if lang == "zh" else "; "
    tail = (f"{sep}另有 {more} 个" if lang == "zh" else f"{sep}and {more} more") if more > 0 else ""
    return sep.join(cells) + tail


def _read_sheet(data: bytes, kind: str, file: str, mapping: ColumnMapping | None,
                settings: Settings = Settings()) -> "_Raw":
    sheets, hidden, formulas = _sheet_tables(data, kind, file, settings)
    candidates = []
    for title, rows in sheets:
        lines = [[_cell_text(v) for v in r] for r in rows[:60]]
        best = None
        for i, cells in enumerate(lines):
            score = H.known_count(cells)
            if score >= 2 and (best is None or score > best[0]):
                best = (score, i)
        if mapping is not None and mapping.header_row == 0:
            raise IngestError("mapping", file, detail_zh="Excel 工作表需要指定表头所在的行（从 1 起）。",
                              detail_en="an Excel sheet needs the row its header is on (from 1).")
        if mapping is not None and rows:
            best = (1, mapping.header_row - 1)
        if best is not None:
            candidates.append((title, rows, best[1]))
    notes: list[Note] = []
    if hidden:
        notes.append(Note(f"已忽略隐藏的工作表：{'、'.join(hidden)}。",
                          f"Hidden sheet(s) ignored: {', '.join(hidden)}."))
    if not candidates:
        if not any(rows for _, rows in sheets):
            raise IngestError("empty", file)
        title, rows = next((t, r) for t, r in sheets if r)
        first = [_cell_text(v) for v in rows[0]]
        raise IngestError("unknown_format", file,
                          detail_zh=f"工作表“{clip(title)}”第一行是：{_names([c for c in first if c], 12)}，其中没有认识的列名。",
                          detail_en=f"Sheet '{clip(title)}' starts with {_names([c for c in first if c], 12)}, "
                                    "none of which is a known report column.")
    title, rows, hidx = candidates[0]
    found = formulas.get(title)
    if found is not None and found.missing_count:
        raise IngestError("formula", file, detail_zh=f"{found.missing_count:,} 个单元格：{_formula_list(found, title, 'zh')}。",
                          detail_en=f"{found.missing_count:,} cell(s): {_formula_list(found, title, 'en')}.")
    if found is not None and found.cached_count:
        eg_zh = "；".join(f"{clip(title, 40)}!{r} ={clip(f.lstrip('='), 60)} → {clip(_cell_text(v), 40)}"
                         for r, f, v in found.cached)
        eg_en = "; ".join(f"{clip(title, 40)}!{r} ={clip(f.lstrip('='), 60)} → {clip(_cell_text(v), 40)}"
                          for r, f, v in found.cached)
        notes.append(Note(f"{found.cached_count:,} 个单元格是公式，读取的是 Excel 上次保存时算出的值（如 {eg_zh}）。"
                          "如果之后改过数据而没有在 Excel 中重新计算，这些值可能已过时。",
                          f"{found.cached_count:,} cell(s) hold formulas: the values Excel computed when the file "
                          f"was last saved were read (e.g. {eg_en}). If data changed since without recalculating "
                          "in Excel, they may be out of date."))
    if len(candidates) > 1:
        others = [c[0] for c in candidates[1:]]
        notes.append(Note(f"读取了工作表“{title}”；另有表格的工作表未读取：{'、'.join(others)}。请分别上传。",
                          f"Read sheet '{title}'; other sheet(s) with tables were not read: "
                          f"{', '.join(others)}. Upload them separately."))
    names = _dedupe([_cell_text(v) for v in rows[hidx]])
    body = [tuple(r) + (None,) * (len(names) - len(r)) if len(r) < len(names) else tuple(r[:len(names)])
            for r in rows[hidx + 1:]]
    frame = pd.DataFrame.from_records(body, columns=names) if body else pd.DataFrame(columns=names)
    frame = frame.astype(object).where(frame.notna(), None)
    frame = frame.drop(columns=[n for n in names if H.is_ratio(n)])  # recomputed, never read
    cmap = _column_map(names, mapping)
    for col in frame.columns:
        if col not in _metric_headers(cmap):
            frame[col] = frame[col].map(lambda v: None if v is None or v == "" else
                                        (v if isinstance(v, (dt.date, dt.datetime)) else _cell_text(v)))
    preamble = [" ".join(_cell_text(v) for v in r if v is not None).strip() for r in rows[:hidx]]
    row_numbers = np.arange(len(frame), dtype=np.int64) + hidx + 2
    return _Raw(frame, row_numbers, names, cmap, None, None, title,
                hidx + 1, preamble, tuple(notes))


# ---------------------------------------------------------------- building the table

@dataclass
class _Raw:
    frame: pd.DataFrame
    row_numbers: np.ndarray
    names: list[str]
    cmap: H.ColumnMap
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int
    preamble: list[str]
    notes: tuple[Note, ...] = field(default_factory=tuple)

    @property
    def columns(self) -> list[str]:
        """The columns actually read (``names`` is the whole header, printed ratios included)."""
        return list(self.frame.columns)


def _column_map(names: list[str], mapping: ColumnMapping | None) -> H.ColumnMap:
    if mapping is None:
        return H.map_columns(names)
    return H.ColumnMap(dict(mapping.fields), {},
                       tuple(n for n in names if n not in set(mapping.fields.values())))


def _recode(codes: np.ndarray, values: list[str | None], index: pd.Index, category: bool) -> pd.Series:
    """A text column whose row i is ``values[codes[i]]`` (null where codes[i] < 0), as a
    categorical (equal values merged into one category) or as strings."""
    if not category:
        return _take_str(values, codes, index)
    vcodes, cats = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    vcodes = np.append(vcodes, -1)  # code -1 (a null cell) picks the trailing -1
    return pd.Series(pd.Categorical.from_codes(vcodes[codes], pd.Index(cats, dtype=STR_DTYPE)), index=index)


def _per_distinct(s: pd.Series, func, category: bool) -> pd.Series:
    """Apply ``func`` (Series -> Series of the same length) to the distinct values of ``s``
    only, and broadcast the result back. Exports repeat few distinct dates, plans and
    units over many rows, so text work is done once per value, not once per row, and
    no per-row Python objects are made."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    done = func(pd.Series(np.asarray(uniques, dtype=object), dtype=object)) if len(uniques) \
        else pd.Series([], dtype=object)
    return _recode(codes, [v if isinstance(v, str) else None for v in done], s.index, category)


def _take_str(values: list[str | None], codes: np.ndarray, index: pd.Index) -> pd.Series:
    """A string column whose row i is ``values[codes[i]]`` (null where codes[i] < 0)."""
    dictionary = pa.array(values, type=pa.large_string())
    taken = dictionary.take(pa.array(codes, mask=codes < 0)) if len(values) else \
        pa.nulls(len(codes), type=pa.large_string())
    return pd.Series(pd.array(taken, dtype=STR_DTYPE), index=index)


def _const(value: str | None, index: pd.Index) -> pd.Series:
    """A categorical column holding one value on every row (one byte a row)."""
    codes = np.zeros(len(index), dtype=np.int8) if value is not None else np.full(len(index), -1, np.int8)
    cats = pd.Index([value] if value is not None else [], dtype=STR_DTYPE)
    return pd.Series(pd.Categorical.from_codes(codes, cats), index=index)


def _clean_text(u: pd.Series) -> pd.Series:
    t = u.map(lambda v: v if isinstance(v, str) else _cell_text(v)).str.strip()
    t = t.str.replace(r'^="(.*)"$', r"\1", regex=True)
    return t.mask(t.isin(["", "nan", "--"]))


def _text(s: pd.Series, category: bool = True) -> pd.Series:
    """Strip cells, unwrap ``="…"``, empty and ``--`` → null; as a categorical (default)
    or as strings.

    Categorical input (CSV columns read dictionary-encoded) is cleaned on its
    categories; Arrow-backed strings with vectorised Arrow kernels; anything else
    (spreadsheet cells hold numbers and dates too) once per distinct value."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cleaned = _clean_text(pd.Series(np.asarray(s.cat.categories, dtype=object), dtype=object))
        values = [v if isinstance(v, str) else None for v in cleaned]
        return _recode(s.cat.codes.to_numpy(), values, s.index, category)
    arr = _arrow_strings(s)
    if arr is None:
        return _per_distinct(s, _clean_text, category)
    if pc.any(pc.match_substring_regex(arr, r'^\s|\s$|^="|^(--|nan)?$')).as_py():
        arr = pc.utf8_trim_whitespace(arr)
        arr = pc.replace_substring_regex(arr, r'^="(.*)"$', r"\1")
        arr = pc.if_else(pc.is_in(arr, pa.array(["", "--", "nan"], type=arr.type)),
                         pa.nulls(len(arr), type=arr.type), arr)
    out = pd.Series(pd.array(arr, dtype=STR_DTYPE), index=s.index)
    return out.astype("category") if category else out


def _arrow_strings(s: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow string data behind ``s``, or None when ``s`` is not Arrow-backed text."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        return pa.chunked_array(s.array._pa_array)
    return None


def _matches(s: pd.Series, pattern: re.Pattern) -> np.ndarray:
    """Boolean mask of cells whose stripped text matches ``pattern`` (tested once per distinct value)."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    hit = np.array([bool(pattern.match(str(v).strip())) for v in uniques] + [False], dtype=bool)
    return hit[codes]  # code -1 (null) picks the trailing False


def _normalise_codes(s: pd.Series, table: dict[str, str]) -> pd.Series:
    """Map a text column's values through ``table`` (after :func:`headers.normalize`);
    unknown values are kept, normalised."""
    return _per_distinct(s, lambda u: u.map(lambda v: table.get(H.normalize(v), H.normalize(v))), True)


def _row_kinds(raw: _Raw, report_type: str) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Boolean masks (data rows, totals rows) and counts of skipped rows by reason."""
    f = raw.frame
    n = len(f)
    if n == 0:
        return np.zeros(0, bool), np.zeros(0, bool), {}
    text_cols = [c for c in raw.columns[:4] if c not in _metric_headers(raw.cmap)]
    if "keyword" in raw.cmap.fields and raw.cmap.fields["keyword"] not in text_cols:
        text_cols.append(raw.cmap.fields["keyword"])
    totals = np.zeros(n, bool)
    footer = np.zeros(n, bool)
    for c in text_cols:
        totals = totals | _matches(f[c], _TOTAL_RE)
        footer = footer | _matches(f[c], _FOOTER_RE)
    blank = f.isna().all(axis=1).to_numpy(dtype=bool, copy=True)  # readers turn empty cells into NaN
    first = raw.columns[0]
    repeated = _matches(f[first], re.compile(re.escape(first) + r"$"))
    account_line = np.zeros(n, bool)
    if report_type == "account_structure" and n:
        others_empty = f.iloc[:, 1:].isna().all(axis=1).to_numpy()
        account_line = others_empty & f.iloc[:, 0].notna().to_numpy()
    footer &= ~totals
    skip = blank | totals | footer | repeated | account_line
    reasons = {"blank": int(blank.sum()), "totals": int((totals & ~blank).sum()),
               "footer": int((footer & ~blank).sum()), "repeated_header": int((repeated & ~blank).sum()),
               "account_line": int((account_line & ~blank & ~totals).sum())}
    return ~skip, totals & ~blank, {k: v for k, v in reasons.items() if v}


def _metric(raw: _Raw, frame: pd.DataFrame, rows: np.ndarray, field_: str, file: str) -> pd.Series | None:
    """Parse one canonical metric from its column (or the sum of its device split)."""
    cols: list[str]
    if field_ in raw.cmap.fields:
        cols = [raw.cmap.fields[field_]]
    elif field_ in raw.cmap.split:
        cols = list(raw.cmap.split[field_])
    else:
        return None
    total = None
    for col in cols:
        values, bad = to_number(frame[col])
        if len(bad):
            i = int(bad[0])
            more = len(bad) - 1
            raise IngestError(
                "non_numeric", file, row=int(rows[i]), column=col, value=frame[col].iloc[i],
                detail_zh="应为数字（如 1234、1,234.50、¥12.30、3.45%、--）。" + (f"另有 {more} 个类似的值。" if more else ""),
                detail_en="Expected a number (e.g. 1234, 1,234.50, ¥12.30, 3.45%, --)."
                          + (f" {more} more such value(s)." if more else ""))
        total = values if total is None else total.add(values, fill_value=0)
    return total


def _currency(raw: _Raw, frame: pd.DataFrame, platform: str, default: str | None) -> pd.Series | str | None:
    if "currency" in raw.cmap.fields:
        return _text(frame[raw.cmap.fields["currency"]], category=False).str.upper()
    money_cols = [raw.cmap.fields[f] for f in ("cost", "bid") if f in raw.cmap.fields]
    for col in money_cols:
        sample = frame[col].head(200).dropna().astype("str")
        for v in sample:
            code = currency_of(v)
            if code:
                return code
        m = _CURRENCY_IN_HEADER.search(col)
        if m:
            code = m[1].upper()
            return _CURRENCY_ALIASES.get(code, code)
    for col in raw.names:
        m = _CURRENCY_IN_HEADER.search(col)
        if m:
            code = m[1].upper()
            return _CURRENCY_ALIASES.get(code, code)
    if default:
        return default
    return "CNY" if platform == "baidu" else None


def _names(cells, limit: int = 30) -> str:
    """Cells (column names, first-line values) listed in a message: each clipped, at most
    ``limit`` of them, with how many more there are."""
    cells = list(cells)
    shown = ", ".join(clip(c, 40) for c in cells[:limit])
    return shown + (f", … (+{len(cells) - limit:,})" if len(cells) > limit else "")


def _build(raw: _Raw, file: str, mapping: ColumnMapping | None, settings: Settings = Settings()) -> Export:
    pre: Preamble = read_preamble(raw.preamble)
    if mapping is not None:
        platform, report_type = mapping.platform, mapping.report_type
        absent = [c for c in mapping.fields.values() if c not in raw.names]
        missing = H.missing_fields(report_type, raw.cmap)
        if absent or missing:
            from optimizer.i18n import REPORT_TYPE, TEXT, code_name
            zh = [f"文件中没有列“{clip(c)}”" for c in absent] + \
                 [f"{code_name(REPORT_TYPE, report_type)}需要指定“{TEXT.get(f'field.{m}', (m, m))[0]}”列" for m in missing]
            en = [f"the file has no column '{clip(c)}'" for c in absent] + \
                 [f"a {code_name(REPORT_TYPE, report_type, 'en').lower()} needs a column for "
                  f"'{TEXT.get(f'field.{m}', (m, m))[1].lower()}'" for m in missing]
            raise IngestError("mapping", file, detail_zh="；".join(zh) + "。", detail_en="; ".join(en) + ".")
    else:
        sample = [str(v) for v in raw.frame.head(5).to_numpy().ravel() if isinstance(v, str)]
        platform = H.detect_platform(raw.names, raw.preamble, sample)
        report_type = H.detect_report_type(raw.cmap, raw.names, pre.title)
        unknown = [c for c in raw.names if not H.is_known(c) and not c.startswith("column_")]
        if platform == "generic" and unknown:
            known = [c for c in raw.names if H.is_known(c)]
            raise IngestError(
                "unknown_format", file,
                detail_zh=f"认识的列：{_names(known) or '无'}；不认识的列：{_names(unknown)}。"
                          "为免只读一半，没有自动读取。",
                detail_en=f"Known columns: {_names(known) or 'none'}; unknown: {_names(unknown)}. "
                          "It was not read automatically, so that nothing is half-read.")
        missing = H.missing_fields(report_type, raw.cmap)
        if missing:
            field_ = missing[0]
            near = H.nearest_names(field_, list(raw.cmap.unmapped))
            names = "、".join(H.known_names(field_)[:4])
            names_en = ", ".join(H.known_names(field_)[:4])
            from optimizer.i18n import REPORT_TYPE, TEXT, code_name
            field_zh = TEXT.get(f"field.{field_}", (field_, field_))[0]
            raise IngestError(
                "missing_column", file, column=field_,
                detail_zh=f"这是{code_name(REPORT_TYPE, report_type)}，需要“{field_zh}”列（列名如 {names}）。"
                          f"文件中的列：{_names(raw.names)}。"
                          + (f"最接近的是：{_names(near)}。" if near else ""),
                detail_en=f"A {report_type} report needs a column named {names_en}. "
                          f"Columns found: {_names(raw.names)}."
                          + (f" Nearest: {_names(near)}." if near else ""))
    keep, totals_mask, skipped = _row_kinds(raw, report_type)
    frame = raw.frame
    kept = int(keep.sum())
    if kept == 0:  # nothing to store: said, not kept as an upload that adds nothing
        only_totals = bool(len(frame))
        raise IngestError(
            "no_rows", file,
            detail_zh="只有合计行。" if only_totals else "所选日期或筛选条件下没有数据：换个日期范围重新下载。",
            detail_en="It holds only total rows." if only_totals else
            "The chosen dates or filters had no data: download it again with another date range.")
    if keep[:kept].all():  # skipped rows only at the end (totals, footer): a zero-copy slice
        data = frame.iloc[:kept]
    else:
        data = frame.loc[keep].reset_index(drop=True)
    rows = raw.row_numbers[keep]
    out: dict[str, object] = {}
    fields = raw.cmap.fields
    n = len(data)
    notes = list(raw.notes)
    if mapping is None and H.interactions_as_clicks(raw.cmap):
        notes.append(Note(f"文件没有“Clicks”列：点击取自“{fields['clicks']}”（互动次数；搜索广告的互动就是点击）。",
                          f"The file has no Clicks column: clicks are read from '{fields['clicks']}' "
                          "(for search ads an interaction is a click)."))

    for f_ in ("account", "campaign", "ad_group", "keyword", "keyword_id", "search_term",
               "status", "final_url", "mobile_final_url"):
        if f_ in fields:
            out[f_] = _text(data[fields[f_]], category=f_ in CATEGORY_COLUMNS)
    if report_type == "ad":
        out.update(_ad_text(raw, data, file))
    if "keyword_id" in out:  # Microsoft writes IDs as [82945799304067] to keep Excel off them
        out["keyword_id"] = out["keyword_id"].str.replace(r"^\[(\d+)\]$", r"\1", regex=True)
    deleted = np.zeros(n, bool)
    for f_ in ("campaign", "ad_group", "keyword"):
        if f_ in out:
            s = out[f_]
            flag = s.str.endswith(_DELETED_SUFFIX).fillna(False).to_numpy(bool)
            if flag.any():
                deleted = deleted | flag
                out[f_] = _per_distinct(s, lambda u: u.str.removesuffix(_DELETED_SUFFIX).str.rstrip(),
                                        f_ in CATEGORY_COLUMNS)
    if "status" in out:
        deleted = deleted | out["status"].str.lower().isin(["removed", "deleted", "已删除"]).to_numpy(bool)
    out["deleted"] = deleted
    if "account" in out:
        accounts = out["account"].nunique(dropna=True)
        if accounts > settings.max_accounts:
            raise _over(file, f"其中有 {accounts:,} 个账户", f"it names {accounts:,} accounts", "max_accounts",
                        f"{settings.max_accounts:,} 个", f"{settings.max_accounts:,}")
    if pre.account and "account" not in out:
        out["account"] = _const(pre.account, data.index)
    if report_type == "account_structure" and "account" in fields:
        lines = frame.loc[~keep & ~totals_mask]
        first_col = lines.iloc[:, 0].dropna()
        if len(first_col) and out["account"].isna().all():
            out["account"] = _const(str(first_col.iloc[0]).strip(), data.index)
    if "match_type" in fields:
        out["match_type"] = _normalise_codes(_text(data[fields["match_type"]]), MATCH_TYPES)
    if "device" in fields:
        out["device"] = _normalise_codes(_text(data[fields["device"]]), DEVICES)
    elif len(pre.devices) == 1:
        out["device"] = _const(pre.devices[0], data.index)

    for f_ in METRIC_COLUMNS:
        s = _metric(raw, data, rows, f_, file)
        if s is not None:
            out[f_] = s
    if "conversions" not in out:
        parts = [out[c] for c in ("conv_phone", "conv_form", "conv_chat") if c in out]
        if parts:
            total = parts[0]
            for p in parts[1:]:
                total = total.add(p, fill_value=0)
            out["conversions"] = total
    if "impression_share" in out:
        out["impression_share"] = out["impression_share"].clip(upper=1.0)

    # dates: a per-row date/period column, else the report's range from the preamble
    daily = False
    segment_parts: list[pd.Series] = []
    if "date" in fields:
        col = fields["date"]
        start, end, bad = to_periods(data[col])
        parsed_any = start.notna().any()
        if len(bad) and not parsed_any:
            segment_parts.append(_text(data[col], category=False))  # e.g. weekday names in an hour card
            start = end = pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
        elif len(bad):
            i = int(bad[0])
            raise IngestError("bad_date", file, row=int(rows[i]), column=col, value=data[col].iloc[i],
                              detail_zh="应为日期（如 2026-11-01、2026/11/1、20261101、Nov 1, 2026）或时段（2026-10-01至2026-10-31）。",
                              detail_en="Expected a date (e.g. 2026-11-01, 2026/11/1, 20261101, Nov 1, 2026) "
                                        "or a period (2026-10-01至2026-10-31).")
        out["period_start"], out["period_end"] = start, end
        same = (start == end) & start.notna()
        out["date"] = start.where(same)
        daily = bool(same.any())
    elif pre.period[0] is not None:
        out["period_start"] = pd.Series(pd.Timestamp(pre.period[0]), index=data.index)
        out["period_end"] = pd.Series(pd.Timestamp(pre.period[1] or pre.period[0]), index=data.index)

    unmapped_norm = {H.normalize(c): c for c in raw.cmap.unmapped}
    for dim in DIMENSION_HEADERS:
        if dim in unmapped_norm:
            segment_parts.append(_text(data[unmapped_norm[dim]], category=False))
    if segment_parts:
        seg = segment_parts[0]
        for p in segment_parts[1:]:
            seg = seg.str.cat(p, sep=" / ", na_rep="")
        out["segment"] = seg

    currency = _currency(raw, data, platform, mapping.currency if mapping else None)
    if currency is not None:
        out["currency"] = currency if isinstance(currency, pd.Series) else _const(currency, data.index)

    out["platform"] = _const(platform, data.index)
    out["report_type"] = _const(report_type, data.index)
    out["source_file"] = _const(file, data.index)
    out["source_row"] = rows
    table = pd.DataFrame({k: (v if isinstance(v, (pd.Series, np.ndarray)) else
                              pd.Series(v, index=data.index)) for k, v in out.items()},
                         index=data.index, copy=False)
    table = conform(table)
    extra = data[[c for c in raw.cmap.unmapped if c in data.columns]].reset_index(drop=True)

    checks = _totals_check(raw, frame.loc[totals_mask], table, file)
    status = "absent" if not checks else ("ok" if any(c.matched for c in checks) else "mismatch")
    if status == "mismatch":
        notes.append(Note("文件中的合计行与各行之和不一致，请确认下载是否完整。",
                          "The file's totals rows do not match the sum of its rows: check the download "
                          "is complete."))
    info = _info(raw, file, platform, report_type, table, skipped, daily, checks, status, notes)
    return Export(table, extra, info)


def _ad_text(raw: _Raw, data: pd.DataFrame, file: str) -> dict[str, pd.Series]:
    """An ad report's copy (:data:`headers.AD_TEXT`): each field's columns cleaned like
    any text cell and joined one per line, empty cells left out; wildcards such as
    ``{关键词}`` are kept as written. A report without a headline column is refused."""
    parts = H.ad_text_columns(raw.names)
    if "ad_headline" not in parts:
        raise IngestError(
            "missing_column", file, column="创意标题 / Headline 1",
            detail_zh=f"这是创意报告，需要创意标题列（创意标题，或 Headline 1 … Headline 15）。"
                      f"文件中的列：{_names(raw.names)}。",
            detail_en=f"An ad report needs its headlines (创意标题, or Headline 1 … Headline 15). "
                      f"Columns found: {_names(raw.names)}.")
    out: dict[str, pd.Series] = {}
    for field_, cols in parts.items():
        joined = None
        for col in cols:
            t = _text(data[col], category=False).astype(object)
            joined = t if joined is None else pd.Series(
                [a if not isinstance(b, str) else (b if not isinstance(a, str) else f"{a}\n{b}")
                 for a, b in zip(joined, t)], index=data.index, dtype=object)
        out[field_] = joined.astype(STR_DTYPE).astype("category")
        raw.cmap.fields[field_] = " + ".join(cols)
    return out


def _totals_check(raw: _Raw, totals: pd.DataFrame, table: pd.DataFrame, file: str) -> tuple[TotalCheck, ...]:
    if totals.empty:
        return ()
    checks = []
    label_cols = [c for c in raw.columns[:4] if c not in _metric_headers(raw.cmap)]
    if "keyword" in raw.cmap.fields:
        label_cols.append(raw.cmap.fields["keyword"])
    device_col = raw.cmap.fields.get("device")
    for _, row in totals.iterrows():
        label = next((str(row[c]).strip() for c in label_cols
                      if isinstance(row[c], str) and _TOTAL_RE.match(row[c].strip())), "Total")
        subset = table
        if device_col is not None and isinstance(row[device_col], str) and row[device_col].strip():
            dev = DEVICES.get(H.normalize(row[device_col]), H.normalize(row[device_col]))
            subset = table[table["device"] == dev]
            label = f"{label} ({row[device_col].strip()})"
        one = pd.DataFrame([row]).reset_index(drop=True)
        diffs: dict[str, tuple[float, float]] = {}
        compared = 0
        for f_ in ADDITIVE_METRICS:
            try:
                tv = _metric(raw, one, np.array([0]), f_, file)
            except IngestError:
                tv = None
            if tv is None or pd.isna(tv.iloc[0]):
                continue
            total = float(tv.iloc[0])
            got = float(subset[f_].sum())
            compared += 1
            if abs(got - total) > max(0.01, 0.001 * abs(total)):
                diffs[f_] = (round(got, 4), total)
        if compared:
            checks.append(TotalCheck(label, not diffs, diffs))
    return tuple(checks)


def _distinct(table: pd.DataFrame, col: str, raw: _Raw) -> int | None:
    if col not in raw.cmap.fields and not (col == "account" and table[col].notna().any()):
        return None
    return int(table[col].nunique(dropna=True))


def _distinct_units(table: pd.DataFrame, raw: _Raw) -> int | None:
    """Units (ad groups) are named within their plan: 核心词-通用 in two plans is two units."""
    if "ad_group" not in raw.cmap.fields:
        return None
    named = table["ad_group"].notna().to_numpy(bool)
    plan, _ = text_codes(table["campaign"])
    unit, _ = text_codes(table["ad_group"])
    pairs = plan[named].astype(np.int64) << 32 | unit[named].astype(np.int64)  # 4-byte codes, no strings
    return int(len(np.unique(pairs)))


def _sum(table: pd.DataFrame, col: str) -> float | None:
    s = table[col]
    return None if s.isna().all() else round(float(s.sum()), 2)


def _info(raw: _Raw, file: str, platform: str, report_type: str, table: pd.DataFrame,
          skipped: dict[str, int], daily: bool, checks: tuple[TotalCheck, ...], status: str,
          notes: list[Note]) -> ReadInfo:
    start = table["period_start"].min()
    end = table["period_end"].max()
    currencies = table["currency"].dropna().unique()
    pre = read_preamble(raw.preamble)
    stated_end = pre.period[1] or pre.period[0]
    return ReadInfo(
        file=file, platform=platform, report_type=report_type, encoding=raw.encoding,
        delimiter=raw.delimiter, sheet=raw.sheet, header_row=raw.header_row,
        title=pre.title, rows=len(table), skipped=skipped,
        columns=dict(raw.cmap.fields), unmapped=tuple(raw.cmap.unmapped),
        date_start=None if pd.isna(start) else start.date().isoformat(),
        date_end=None if pd.isna(end) else end.date().isoformat(), daily=daily,
        accounts=_distinct(table, "account", raw), campaigns=_distinct(table, "campaign", raw),
        ad_groups=_distinct_units(table, raw), keywords=_distinct(table, "keyword", raw),
        search_terms=_distinct(table, "search_term", raw),
        impressions=_sum(table, "impressions"), clicks=_sum(table, "clicks"),
        cost=_sum(table, "cost"), conversions=_sum(table, "conversions"),
        currency=", ".join(sorted(map(str, currencies))) or None,
        totals_check=status, totals=checks, notes=tuple(notes),
        generated_at=pre.generated.isoformat(timespec="minutes") if pre.generated else None,
        range_end=stated_end.isoformat() if stated_end else None)


# ---------------------------------------------------------------- entry points

def read_export(source: str | os.PathLike | bytes, name: str | None = None, *,
                mapping: ColumnMapping | None = None, settings: Settings = Settings()) -> Export:
    """Read one export file (path or bytes) into the canonical table.

    ``name`` is the file name shown in messages (defaults to the path's name; a path
    that cannot be opened is named as given). ``mapping`` reads a file the product
    does not recognise with the user's column mapping. Raises :class:`IngestError`
    for anything that cannot be read whole.
    """
    with _reader_errors(name or (source if not isinstance(source, (bytes, bytearray, memoryview)) else None)):
        src = _load(source, name, settings)
        _refuse_foreign(src)
        kind = _container(src.head)
        if kind == "text" and Path(src.file).suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            raise IngestError("corrupt", src.file, detail_zh="文件扩展名是 Excel，但内容不是 Excel 工作簿。",
                              detail_en="Its name says Excel, but its content is not an Excel workbook.")
        raw = _read_text(src, mapping, settings) if kind == "text" else \
            _read_sheet(src.all_bytes(), kind, src.file, mapping, settings)
        return _build(raw, src.file, mapping, settings)


@contextlib.contextmanager
def _reader_errors(name: object):
    """Turn anything a reader raises that is not an :class:`IngestError` into the
    ``corrupt`` error of the file (a damaged file the readers trip on), so no file can
    end in a traceback; running out of memory is ``over_limit``."""
    file = Path(os.fspath(name)).name if isinstance(name, (str, os.PathLike)) else "upload"
    try:
        yield
    except IngestError:
        raise
    except MemoryError:
        raise IngestError("over_limit", file, detail_zh="读取时内存不足（设置 max_file_mb 等限制可以调低）。",
                          detail_en="The memory ran out while reading it (lower limits such as max_file_mb "
                                    "would refuse it sooner).") from None
    except Exception as exc:
        raise IngestError("corrupt", file, detail_zh=f"读取时出错（{clip(type(exc).__name__)}：{clip(exc)}）。请重新下载。",
                          detail_en=f"Reading it failed ({clip(type(exc).__name__)}: {clip(exc)}). "
                                    "Download it again.") from exc


def check_report(source: str | os.PathLike | bytes, name: str | None = None, *,
                 settings: Settings = Settings()) -> None:
    """Raise the :class:`IngestError` that reading would raise before looking at any
    table, for a file that is no report at all: ``empty``, ``too_large``,
    ``unreadable`` (the system refused to open it) or ``not_a_report`` (a PDF, an
    image, an office document, an archive: :func:`foreign_type`). Reads the file's
    first bytes (all of it for a zip or compound file)."""
    with _reader_errors(name or (source if not isinstance(source, (bytes, bytearray, memoryview)) else None)):
        _refuse_foreign(_load(source, name, settings))


def preview(source: str | os.PathLike | bytes, name: str | None = None, *, header_row: int | None = None,
            settings: Settings = Settings(), max_rows: int = 8) -> Preview:
    """The first rows of a file, split into columns, for mapping its columns by hand.

    ``header_row`` (1-based) overrides the guess (the first non-empty line).
    """
    with _reader_errors(name or (source if not isinstance(source, (bytes, bytearray, memoryview)) else None)):
        src = _load(source, name, settings)
        _refuse_foreign(src)
        file = src.file
        kind = _container(src.head)
        if kind == "text":
            _refuse_long_first_line(src)
            try:
                layout = sniff_text(src.head)
            except UnicodeDecodeError as exc:
                raise _not_a_table(file) from exc
            lines = layout.first_lines
            if header_row is None and layout.header is None and \
                    looks_like_data(split_cells(_first_nonblank(lines), layout.delimiter)):
                header_row = 0   # no header line: the first line is data
            if header_row is None:
                header_row = (layout.header_index + 1) if layout.header else \
                    next((i + 1 for i, ln in enumerate(lines) if ln.strip()), 1)
            if header_row == 0:
                delim = layout.delimiter if layout.header is None else _best_delim(_first_nonblank(lines))
                cols = headerless_names(lines, delim)
            else:
                delim = layout.delimiter if layout.header else _best_delim(lines[header_row - 1])
                cols = [c.strip() for c in split_cells(lines[header_row - 1], delim)] if lines else []
            body = [split_cells(ln, delim) for ln in lines[header_row: header_row + max_rows] if ln.strip()]
            enc, sheet = layout.encoding_label, None
        else:
            sheets, _, _ = _sheet_tables(src.all_bytes(), kind, file, settings)
            sheet, rows = next(((t, r) for t, r in sheets if r), (None, []))
            if header_row is None:
                header_row = next((i + 1 for i, r in enumerate(rows) if any(v is not None for v in r)), 1)
            cols = [_cell_text(v) for v in rows[header_row - 1]] if rows else []
            body = [[_cell_text(v) for v in r] for r in rows[header_row: header_row + max_rows]]
            delim, enc = None, kind
        if len(cols) > settings.max_columns:
            raise _over(file, f"表头有 {len(cols):,} 列", f"its header has {len(cols):,} columns",
                        "max_columns", f"{settings.max_columns:,} 列", f"{settings.max_columns:,} columns")
        suggested = {f: c for f, c in H.map_columns(cols).fields.items() if f in MAPPABLE_FIELDS}
        for f_ in MAPPABLE_FIELDS:
            if f_ not in suggested:
                hit = [c for c in cols if c not in suggested.values() and any(
                    len(H.normalize(n)) > 2 and H.normalize(n) in H.normalize(c) for n in H.known_names(f_))]
                if len(hit) == 1:
                    suggested[f_] = hit[0]
        return Preview(file, enc, delim, sheet, header_row, cols, body, suggested)
