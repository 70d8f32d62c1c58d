"""Parsing the cell values that ad-platform exports write.

Numbers arrive as ``1234``, ``"1,234"``, ``¥12.30``, ``US$1,234.56``, ``3.45%``,
``< 10%``, `` --`` (Google's "not applicable", with a leading space), ``--``, ``-``,
``/`` (Baidu Tongji) or an empty cell. Dates arrive as ``2026-11-01``,
``2026/11/1``, ``20261101``, ``Nov 1, 2026``, ``"Thu, 5 Feb 2026"``,
``11/1/2026`` (Microsoft, month first), Excel formula text ``="2026-11-01"``, or a
period ``2026-10-01至2026-10-31``.

Each parser exists twice: a scalar one (``parse_number``, ``parse_date``), which is
the specification and is property-tested, and a vectorised one over a pandas Series
(``to_number``, ``to_dates``) used on million-row files, tested to agree with the
scalar one.

Conventions
- A null token becomes NaN (not zero): "not applicable" is not "nothing".
- Percentages become fractions: ``3.45%`` → 0.0345. Google's impression-share
  buckets ``< 10%`` and ``> 90%`` become their bounds (0.10, 0.90).
- Thousands separators are commas; the decimal mark is a point (every platform
  here writes it so).
- A value that is none of these is an error: the vectorised parser returns the
  positions that failed so the caller can name the file, row, column and value.
"""
from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Cell texts that mean "no value".
NULL_TOKENS = frozenset({"", "--", "-", "/", "—", "n/a", "N/A", "NA", "null", "None", "nan", "NaN"})

_CURRENCY_PREFIXES = ("CN¥", "CNY", "RMB", "US$", "CA$", "A$", "HK$", "NT$", "¥", "￥", "$",
                      "€", "£", "₹")
_CURRENCY_CODES = {"CN¥": "CNY", "CNY": "CNY", "RMB": "CNY", "¥": "CNY", "￥": "CNY",
                   "US$": "USD", "$": "USD", "CA$": "CAD", "A$": "AUD", "HK$": "HKD",
                   "NT$": "TWD", "€": "EUR", "£": "GBP", "₹": "INR"}
# ASCII digits only: Python's \d and float() would also take other scripts' digits.
_NUMBER_RE = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_THOUSANDS_RE = re.compile(r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$")


class ValueParseError(ValueError):
    """A cell that should hold a number or a date holds something else."""


def _strip_formula(text: str) -> str:
    """Remove Excel formula-text wrapping: ``="2026-07-18"`` → ``2026-07-18``."""
    if text.startswith('="') and text.endswith('"') and len(text) >= 3:
        return text[2:-1]
    return text


def currency_of(text: str) -> str | None:
    """The ISO currency a money string's prefix names (``US$3.38`` → ``USD``), else None."""
    t = text.strip()
    for p in _CURRENCY_PREFIXES:
        if t.startswith(p):
            return _CURRENCY_CODES[p]
    return None


def parse_number(value: object) -> float:
    """Parse one exported number; NaN for null tokens.

    >>> parse_number("1,234.50"), parse_number("¥12.30"), parse_number("3.45%")
    (1234.5, 12.3, 0.0345)
    >>> parse_number(" --")
    nan
    >>> parse_number("< 10%")
    0.1

    Raises ValueParseError for anything that is not a number.
    """
    if value is None:
        return math.nan
    if isinstance(value, bool):
        raise ValueParseError(f"not a number: {value!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = _strip_formula(str(value).strip())
    if text in NULL_TOKENS:
        return math.nan
    if text and text[0] in "<>":
        text = text[1:].strip()
    percent = text.endswith("%")
    if percent:
        text = text[:-1].strip()
    sign = ""
    if text and text[0] in "+-":
        sign, text = text[0], text[1:].strip()
    for p in _CURRENCY_PREFIXES:
        if text.startswith(p):
            text = text[len(p):].strip()
            break
    if text and text[0] in "+-" and not sign:
        sign, text = text[0], text[1:]
    if _THOUSANDS_RE.match(text):
        text = text.replace(",", "")
    if not _NUMBER_RE.match(text):
        raise ValueParseError(f"not a number: {value!r}")
    number = float(sign + text)
    if math.isinf(number):   # "1e999": digits, but no figure an export can hold
        raise ValueParseError(f"not a number: {value!r}")
    return number / 100.0 if percent else number


def to_number(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Vectorised :func:`parse_number` over a Series of cells.

    Returns ``(values, bad)``: float64 values (NaN for null tokens and failures) and
    the integer positions of the cells that are not numbers and not null tokens.
    Numeric Series pass through unchanged.
    """
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("float64"), np.array([], dtype=np.int64)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.astype("float64"), np.array([], dtype=np.int64)
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        try:  # plain numbers (most columns of most exports): one vectorised cast
            arr = pc.cast(pa.chunked_array(s.array._pa_array), pa.float64())
            # Arrow also reads "inf" and "1e999" as numbers; they are bad cells here
            if not pc.any(pc.is_inf(arr)).as_py():
                return (pd.Series(arr.to_numpy(zero_copy_only=False), index=s.index).astype("float64"),
                        np.array([], dtype=np.int64))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass  # separators, symbols, percents or bad cells: the general path below
    values = np.full(len(s), np.nan)
    obj = s.astype(object)
    isnum = obj.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).to_numpy(bool) \
        if s.dtype == object else np.zeros(len(s), bool)
    if isnum.any():
        values[isnum] = obj[isnum].astype("float64").to_numpy()
    text = s.astype("str").str.strip() if not isnum.all() else None
    if text is None:
        return pd.Series(values, index=s.index), np.array([], dtype=np.int64)
    textv = text.to_numpy(dtype=object)
    notnull = ~s.isna().to_numpy() & ~isnum
    is_token = text.isin(NULL_TOKENS).to_numpy()
    work = notnull & ~is_token
    if not work.any():
        return pd.Series(values, index=s.index), np.array([], dtype=np.int64)
    t = pd.Series(textv[work], dtype="str")
    t = t.str.replace(r'^="(.*)"$', r"\1", regex=True)
    t = t.str.replace(r"^[<>]\s*", "", regex=True)
    percent = t.str.endswith("%").to_numpy()
    t = t.str.rstrip("%").str.strip()
    # sign, then an optional currency prefix (also "-¥5" and "¥-5")
    t = t.str.replace(r"^([+-]?)\s*(?:CN¥|CNY|RMB|US\$|CA\$|A\$|HK\$|NT\$|[¥￥$€£₹])\s*", r"\1",
                      regex=True)
    has_comma = t.str.contains(",", regex=False).to_numpy()
    if has_comma.any():
        ok_thousands = t.str.fullmatch(_THOUSANDS_RE.pattern).to_numpy()
        t = t.where(~(has_comma & ok_thousands), t.str.replace(",", "", regex=False))
    ok = t.str.fullmatch(_NUMBER_RE.pattern).to_numpy(bool, copy=True)
    parsed = pd.to_numeric(t.where(ok), errors="coerce").to_numpy(dtype="float64")
    huge = np.isinf(parsed)   # "1e999": digits, but no figure an export can hold
    ok &= ~huge
    parsed = np.where(percent & ~huge, parsed / 100.0, np.where(huge, np.nan, parsed))
    values[np.flatnonzero(work)] = parsed
    bad = np.flatnonzero(work)[~ok]
    return pd.Series(values, index=s.index), bad


# ---------------------------------------------------------------------------- dates

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_MONTHS.update({"sept": 9})
_FULL_MONTHS = {dt.date(2000, i, 1).strftime("%B").lower(): i for i in range(1, 13)}
_MONTHS.update(_FULL_MONTHS)

_ISO_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MDY_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)?$", re.I)
_NAME_MDY_RE = re.compile(r"^(?:[A-Za-z]{3,9},?\s+)?([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$")
_NAME_DMY_RE = re.compile(r"^(?:[A-Za-z]{3,9},?\s+)?(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$")
_PERIOD_SPLIT_RE = re.compile(r"\s*(?:至|～|~|–| - | to )\s*")


def _make_date(y: int, m: int, d: int, raw: object) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError as exc:
        raise ValueParseError(f"not a date: {raw!r}") from exc


def parse_date(value: object, *, day_first: bool = False) -> dt.date | None:
    """Parse one exported date; None for null tokens.

    >>> parse_date("2026/11/1"), parse_date("20261101"), parse_date("Nov 1, 2026")
    (datetime.date(2026, 11, 1), datetime.date(2026, 11, 1), datetime.date(2026, 11, 1))
    >>> parse_date('="2026-07-18"')
    datetime.date(2026, 7, 18)

    ``11/1/2026`` is month first (Microsoft, Google en-US) unless ``day_first``.
    Raises ValueParseError for anything else.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, float) and math.isnan(value):
        return None
    text = _strip_formula(str(value).strip())
    if text in NULL_TOKENS:
        return None
    if m := _ISO_RE.match(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), value)
    if m := _COMPACT_RE.match(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), value)
    if m := _MDY_RE.match(text):
        a, b = int(m[1]), int(m[2])
        month, day = (b, a) if day_first else (a, b)
        return _make_date(int(m[3]), month, day, value)
    if m := _NAME_MDY_RE.match(text):
        month = _MONTHS.get(m[1].lower())
        if month:
            return _make_date(int(m[3]), month, int(m[2]), value)
    if m := _NAME_DMY_RE.match(text):
        month = _MONTHS.get(m[2].lower())
        if month:
            return _make_date(int(m[3]), month, int(m[1]), value)
    raise ValueParseError(f"not a date: {value!r}")


def parse_period(value: object, *, day_first: bool = False) -> tuple[dt.date | None, dt.date | None]:
    """Parse a date or a period (``2026-10-01至2026-10-31``, ``Aug 29, 2026 - Sep 27, 2026``).

    Returns ``(start, end)``; both equal for a single date, both None for a null.
    Hourly periods (``2026-06-26 00:00至01:00``) return that day twice.
    """
    if not isinstance(value, str):
        d = parse_date(value, day_first=day_first)
        return d, d
    text = _strip_formula(value.strip())
    parts = _PERIOD_SPLIT_RE.split(text, maxsplit=1)
    if len(parts) == 2 and parts[1]:
        start = parse_date(parts[0], day_first=day_first)
        if re.fullmatch(r"\d{1,2}:\d{2}", parts[1]):
            return start, start
        return start, parse_date(parts[1], day_first=day_first)
    d = parse_date(text, day_first=day_first)
    return d, d


def needs_day_first(values: pd.Series) -> bool:
    """True when slash dates in ``values`` only make sense day first (some ``13/…``)."""
    text = values.dropna().astype("str")
    m = text.str.extract(r"^(\d{1,2})/(\d{1,2})/\d{4}")
    if m.empty or m[0].isna().all():
        return False
    first = pd.to_numeric(m[0], errors="coerce")
    return bool((first > 12).any())


def to_periods(s: pd.Series) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Vectorised :func:`parse_period`: ``(start, end, bad_positions)``.

    Exports repeat few distinct dates over many rows, so each distinct text is
    parsed once and the results are broadcast.
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    day_first = needs_day_first(pd.Series(uniques, dtype=object))
    starts = np.empty(len(uniques), dtype="datetime64[ns]")
    ends = np.empty(len(uniques), dtype="datetime64[ns]")
    bad_u = np.zeros(len(uniques), dtype=bool)
    for i, u in enumerate(uniques):
        try:
            a, b = parse_period(u, day_first=day_first)
        except ValueParseError:
            a = b = None
            bad_u[i] = True
        starts[i] = np.datetime64(a, "ns") if a else np.datetime64("NaT")
        ends[i] = np.datetime64(b, "ns") if b else np.datetime64("NaT")
    valid = codes >= 0
    start = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")
    end = start.copy()
    start[valid] = starts[codes[valid]]
    end[valid] = ends[codes[valid]]
    bad = np.flatnonzero(valid & bad_u[np.where(valid, codes, 0)])
    return pd.Series(start, index=s.index), pd.Series(end, index=s.index), bad
