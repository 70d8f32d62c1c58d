"""Finding the text and the table inside an uploaded file.

Encoding (../shared/formats.md, "Decoding any upload"): detectors are unreliable on
short Chinese files, so a fixed cascade decides:

1. a byte-order mark: UTF-8-BOM, UTF-16 LE/BE;
2. NUL bytes in every other position without a BOM: UTF-16 LE/BE;
3. strict UTF-8;
4. GB18030 (a superset of GBK and GB2312; reported as ``gbk`` when the text is
   also valid GBK) — accepted only when the non-ASCII text it yields is mostly
   common Chinese (GB2312 level-1 hanzi and CJK punctuation), because GB18030
   decodes almost any bytes and turns a Latin-1 file into nonsense;
5. Windows-1252 (which also covers Latin-1 text).

An encoding is accepted when a header row of known column names appears in the
text it decodes; otherwise the first that decodes at all is used and the caller
decides (an unknown layout can still be mapped by hand).

Layout: the header is the line, among the first 60, holding the most known column
names (at least two), with the delimiter (TAB, comma or semicolon) that makes it so.
Everything above it is the preamble: Google's title and date-range lines, Baidu's
"数据生成时间 …" block, Microsoft's "Report Name: …" block.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field

from optimizer.reading.headers import known_count, normalize
from optimizer.reading.values import ValueParseError, parse_period

SNIFF_BYTES = 256 * 1024
HEADER_SEARCH_LINES = 60
DELIMITERS = ("\t", ",", ";")


@dataclass(frozen=True)
class TextLayout:
    """Where the table is in a text export.

    ``encoding`` is the Python codec used to read the file; ``encoding_label`` the
    name shown to the user (``gbk``, ``gb18030``, ``utf-8``, ``utf-8-sig``,
    ``utf-16-le``, ``utf-16-be``, ``cp1252``). ``header_index`` is the 0-based line of
    the header; ``preamble`` the lines above it, stripped of delimiters and quotes.
    ``header`` is None when no header of known names was found.
    """

    encoding: str
    encoding_label: str
    delimiter: str
    header_index: int
    header: list[str] | None
    preamble: list[str] = field(default_factory=list)
    first_lines: list[str] = field(default_factory=list)


def _trim_partial(head: bytes, codec: str) -> bytes:
    """Cut a byte prefix at a line end so a multi-byte character is never split."""
    if codec.startswith("utf-16"):
        return head[: len(head) - (len(head) % 2)]
    cut = head.rfind(b"\n")
    return head[: cut + 1] if cut > 0 else head


def _decode(head: bytes, codec: str) -> str | None:
    try:
        return _trim_partial(head, codec).decode(codec)
    except UnicodeDecodeError:
        return None


def _common_chinese_ratio(text: str) -> float:
    """Share of non-ASCII characters that are everyday Chinese (GB2312 level 1, punctuation)."""
    chars = [c for c in text if ord(c) > 127]
    if not chars:
        return 1.0
    common = 0
    for c in chars:
        try:
            b = c.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if len(b) == 2 and (0xB0 <= b[0] <= 0xD7 or 0xA1 <= b[0] <= 0xA9):
            common += 1
    return common / len(chars)


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > half * 0.3 and even_nuls < half * 0.05:
        return "utf-16-le"
    if even_nuls > half * 0.3 and odd_nuls < half * 0.05:
        return "utf-16-be"
    return None


def candidate_encodings(data: bytes) -> list[tuple[str, str]]:
    """(codec, label) pairs to try, in order, for these bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        return [("utf-8-sig", "utf-8-sig")]
    if data.startswith(b"\xff\xfe"):
        return [("utf-16", "utf-16-le")]
    if data.startswith(b"\xfe\xff"):
        return [("utf-16", "utf-16-be")]
    bomless = _utf16_without_bom(data[:SNIFF_BYTES])
    if bomless:
        return [(bomless, bomless)]
    return [("utf-8", "utf-8"), ("gb18030", "gb18030"), ("cp1252", "cp1252")]


def split_cells(line: str, delimiter: str) -> list[str]:
    """One line split as CSV with ``delimiter`` (quotes respected)."""
    try:
        return next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return line.split(delimiter)


def find_header(lines: list[str]) -> tuple[int, str, list[str]] | None:
    """(line index, delimiter, cells) of the likeliest header among the first lines."""
    best: tuple[int, int, str, list[str]] | None = None
    for i, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        if not line.strip():
            continue
        for d in DELIMITERS:
            if d not in line:
                continue
            cells = split_cells(line, d)
            if len(cells) < 2:
                continue
            score = known_count(cells)
            if score >= 2 and (best is None or score > best[0]):
                best = (score, i, d, cells)
    if best is None:
        return None
    return best[1], best[2], [c.strip() for c in best[3]]


def _clean_preamble(line: str) -> str:
    return line.strip().strip("\t,;").strip().strip('"').strip()


def sniff_text(data: bytes) -> TextLayout:
    """Decide encoding, delimiter and header line of a text export (see module doc).

    Raises UnicodeDecodeError when no candidate encoding decodes the start of the file.
    """
    head = data[:SNIFF_BYTES]
    first_ok: tuple[str, str, str] | None = None
    for codec, label in candidate_encodings(data):
        text = _decode(head, codec)
        if text is None:
            continue
        if codec == "gb18030":
            if _common_chinese_ratio(text) < 0.5:
                continue
            if _decode(head, "gbk") is not None:
                label = "gbk"
        if text.startswith("\ufeff"):
            text = text[1:]
        lines = text.splitlines()
        if first_ok is None:
            first_ok = (codec, label, text)
        found = find_header(lines)
        if found:
            idx, delim, cells = found
            return TextLayout(codec, label, delim, idx, cells,
                              [_clean_preamble(x) for x in lines[:idx]], lines[:12])
    if first_ok is None:
        raise UnicodeDecodeError("cascade", head[:1], 0, 1, "no candidate encoding decodes this file")
    codec, label, text = first_ok
    lines = text.splitlines()
    return TextLayout(codec, label, guess_delimiter(lines), 0, None, [], lines[:12])


def guess_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first non-empty lines most consistently."""
    sample = [ln for ln in lines[:20] if ln.strip()]
    best, best_n = ",", 0
    for d in DELIMITERS:
        counts = [len(split_cells(ln, d)) for ln in sample]
        if counts and min(counts) > 1:
            n = sum(counts)
            if n > best_n:
                best, best_n = d, n
    return best


# ------------------------------------------------------------------ the preamble

@dataclass(frozen=True)
class Preamble:
    """What the lines above the header say.

    ``title``: Google's report title; ``period``: the report's date range;
    ``devices``: Baidu's 推广设备 line as canonical device codes; ``time_unit``:
    Baidu's 时间单位 (分日/合计/分时/分周/分月); ``account``: an account named there;
    ``generated``: when the platform made the file (Baidu's 数据生成时间, to the minute).
    """

    title: str | None = None
    period: tuple[dt.date | None, dt.date | None] = (None, None)
    devices: tuple[str, ...] = ()
    time_unit: str | None = None
    account: str | None = None
    generated: dt.datetime | None = None


_DEVICE_WORDS = {"计算机": "pc", "移动设备": "mobile", "移动": "mobile", "电脑": "pc"}


def _compact_range(text: str) -> tuple[dt.date | None, dt.date | None] | None:
    m = re.search(r"(\d{8})\s*(?:-|至|~)\s*(\d{8})", text)
    if m:
        a, b = parse_period(m[1]), parse_period(m[2])
        return a[0], b[0]
    try:
        a, b = parse_period(text)
        return (a, b) if a else None
    except ValueParseError:
        return None


def read_preamble(lines: list[str]) -> Preamble:
    """Interpret the preamble lines of any platform."""
    title = None
    period: tuple[dt.date | None, dt.date | None] = (None, None)
    devices: tuple[str, ...] = ()
    unit = None
    account = None
    generated = None
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        m = re.match(r"^(?:\d+\.\s*)?([^:：]+?)\s*[:：]\s*(.*)$", line)
        sep = m is not None
        key, rest = (m[1], m[2].strip()) if m else (line, "")
        nkey = normalize(key)
        if sep and nkey in ("时间范围", "report time", "时间", "日期范围"):
            rng = _compact_range(rest.replace(",", " - ", 1) if nkey == "report time" else rest)
            if rng:
                period = rng
        elif sep and nkey in ("数据生成时间", "生成时间"):
            generated = _timestamp(rest)
        elif sep and nkey == "时间单位":
            unit = rest
        elif sep and nkey == "推广设备":
            found = [code for word, code in _DEVICE_WORDS.items() if word in rest]
            devices = tuple(dict.fromkeys(found))
        elif sep and nkey in ("账户", "account", "账户名称"):
            account = rest or None
        elif sep and nkey == "report name":
            title = title or rest
        elif not sep and i == 0 and re.search(r"report\b", line, re.I):
            title = line
            m = re.search(r"\(([^)]*\d{4})\)\s*$", line)
            if m:
                rng = _compact_range(m[1])
                if rng:
                    period = rng
        elif not sep and period == (None, None):
            if line.lower() == "all time":
                continue
            rng = _compact_range(line)
            if rng:
                period = rng
    return Preamble(title, period, devices, unit, account, generated)


def _timestamp(text: str) -> dt.datetime | None:
    """``2017-10-10 14:02`` (or with seconds, slashes, 年月日) as a datetime; None when
    it is not one. The preamble's trailing commas (padding to the table's width) are
    ignored."""
    m = re.search(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                  r"(?:\s*[T ]?\s*(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?)?", text)
    if not m:
        return None
    try:
        return dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
    except ValueError:
        return None


def mixed_encoding(lines) -> tuple[int, int, str] | None:
    """``(a UTF-8 line, a line in another encoding, that encoding's label)`` when a text
    file mixes UTF-8 with GBK/GB18030 (two downloads pasted together, a file edited in
    two programs), else None. ``lines``: the file's lines as bytes (an open binary file).

    Each line holding non-ASCII bytes is tested on its own: GBK text is almost never
    valid UTF-8, so a file with lines of both kinds has both encodings in it. Lines are
    1-based; the scan stops at the first line of the second kind, or at a line that is
    neither UTF-8 nor GB18030 (then the file is not such a mix)."""
    utf8_line = other_line = None
    other = "GBK"
    for i, line in enumerate(lines, 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_line = utf8_line or i
        except UnicodeDecodeError:
            try:
                line.decode("gbk")
            except UnicodeDecodeError:
                try:
                    line.decode("gb18030")
                    other = "GB18030"
                except UnicodeDecodeError:
                    return None
            other_line = other_line or i
        if utf8_line and other_line:
            return utf8_line, other_line, other
    return None


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a whole text file by the same cascade (for plain keyword lists):
    ``(text, encoding label)``. Raises UnicodeDecodeError when nothing decodes it."""
    for codec, label in candidate_encodings(data):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if codec == "gb18030":
            if _common_chinese_ratio(text[:20000]) < 0.5:
                continue
            try:
                data.decode("gbk")
                label = "gbk"
            except UnicodeDecodeError:
                pass
        return text.lstrip("\ufeff"), label
    raise UnicodeDecodeError("cascade", data[:1], 0, 1, "no candidate encoding decodes this file")
