"""Writing what the product recommends into files analysts open: CSV here; the Excel
workbook in :mod:`optimizer.outputs.workbook` (which neutralises its text cells with
:func:`neutralise` too); bulk-edit files in :mod:`optimizer.actions.formats`.

Every CSV the product writes goes through :func:`csv_bytes` (or :func:`to_csv_bytes`,
the same writer with Excel's settings), which neutralises every text cell
(:func:`neutralise`): a text a spreadsheet would run as a formula is prefixed with an
apostrophe (CSV/formula injection: a search term can be anything a stranger typed).
What the product reads back (a bundle map) goes through :func:`unneutralise`, which
removes exactly that apostrophe, so names survive the round trip.
CSV is UTF-8 with a byte-order mark so that Excel opens Chinese correctly. Numbers can
be written with a fixed number of decimals per column (``decimals`` of
:func:`to_csv_bytes`): counts as integers (``8627``, not the ``8627.0`` of a float
column that pandas made float because some value is missing), money to the cent.
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

#: what starts a formula: = + - @, their full-width (＝＋－＠) and small (﹦﹢﹣﹫) forms
FORMULA_STARTS = "=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b"
#: characters that show nothing and may hide a formula start behind them: controls
#: (tab, CR, LF …), spaces (no-break, ideographic …), format characters (zero-width
#: space/joiners U+200B–U+200F, bidi controls U+202A–U+202E and U+2066–U+2069,
#: U+2060–U+2064, the BOM U+FEFF, the soft hyphen …) and the blank fillers
_INVISIBLE_EXTRA = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")
_INVISIBLE_CATEGORIES = frozenset(("Cc", "Cf", "Zs", "Zl", "Zp"))


def _invisible(ch: str) -> bool:
    return ch in _INVISIBLE_EXTRA or unicodedata.category(ch) in _INVISIBLE_CATEGORIES


def is_formula(text: str) -> bool:
    """Whether a spreadsheet may run ``text`` as a formula: it starts with a tab, CR
    or LF, or with a :data:`FORMULA_STARTS` character — possibly behind invisible
    characters (``\\u200b=1+1``, ``\\u3000-1``)."""
    if text[:1] in ("\t", "\r", "\n"):
        return True
    for ch in text:
        if ch in FORMULA_STARTS:
            return True
        if not _invisible(ch):
            return False
    return False


def _protected(text: str) -> bool:
    return text.startswith("'") or is_formula(text)


def neutralise(value: object) -> object:
    """``'=HYPERLINK(…)`` for a text a spreadsheet would run; other values unchanged.

    The rule, reversible by :func:`unneutralise`: a text that :func:`is_formula` or
    that starts with an apostrophe gets one apostrophe in front (``-品牌词`` →
    ``'-品牌词``, ``'abc`` → ``''abc``); any other text, and any non-text, is
    returned as it is."""
    if isinstance(value, str) and _protected(value):
        return "'" + value
    return value


def unneutralise(value: object) -> object:
    """The inverse of :func:`neutralise`, for a file the product wrote and reads back:
    one leading apostrophe is removed only when what follows would have been
    protected (:func:`is_formula`, or an apostrophe again): ``'-品牌词`` → ``-品牌词``,
    ``''abc`` → ``'abc``; ``'abc`` (an apostrophe the writer never adds) stays
    ``'abc``. So ``unneutralise(neutralise(x)) == x`` for every text ``x``."""
    if isinstance(value, str) and value.startswith("'") and _protected(value[1:]):
        return value[1:]
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells are neutralised (numbers untouched)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, (pd.StringDtype, pd.CategoricalDtype)):
            out[col] = pd.Series([neutralise(v) for v in out[col].astype(object)], index=out.index, dtype=object)
    return out


#: decimals of one column: one number for every row, or one per row (None: as it is)
Decimals = int | Sequence[int | None]


def fixed_decimals(values: pd.Series, decimals: Decimals) -> pd.Series:
    """``values`` as the text a CSV cell holds with ``decimals`` places: ``8627`` (0),
    ``64184.10`` (2); ``decimals`` may give one count per row, None writing that row's
    number as it is (``0.094587``). A blank (None, NaN, infinity, text that is not a
    number) stays blank — never 0 — and ``-0.00`` reads ``0.00``."""
    v = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    per_row = [decimals] * len(v) if isinstance(decimals, (int, np.integer)) else list(decimals)
    if len(per_row) != len(v):
        raise ValueError(f"{len(per_row)} decimals for {len(v)} values")
    out = [None if not math.isfinite(x) else repr(float(x)) if d is None else f"{round(x, d) + 0.0:.{d}f}"
           for x, d in zip(v, per_row, strict=True)]
    return pd.Series(out, index=values.index, dtype=object)


def csv_bytes(df: pd.DataFrame, float_format: str | None = None,
              decimals: Mapping[str, Decimals] | None = None, *, sep: str = ",",
              encoding: str = "utf-8-sig") -> bytes:
    """The one CSV writer of the product: ``df`` (headers included) with every text
    cell neutralised (:func:`neutralise`), numbers as numbers.
    ``float_format``: e.g. ``"%.2f"`` to write every float column with 2 decimals.
    ``decimals``: column -> decimals (:func:`fixed_decimals`), e.g. ``{"点击": 0, "消费": 2}``
    for counts as integers and money to the cent whatever the column's dtype; applied
    after the text is neutralised (a negative amount is a number, not a formula).
    ``sep``, ``encoding`` (``utf-8-sig``: UTF-8 with a byte-order mark, for Excel;
    ``utf-8`` without): the file's layout. Lines end in CRLF (RFC 4180), so that a
    field holding a CR or an LF is quoted and stays one field."""
    out = safe_frame(df)
    names = {c: neutralise(str(c)) for c in out.columns}
    out.columns = [names[c] for c in out.columns]
    for col, d in (decimals or {}).items():
        out[names[col]] = fixed_decimals(out[names[col]], d)
    return out.to_csv(index=False, sep=sep, lineterminator="\r\n", float_format=float_format).encode(encoding)


def to_csv_bytes(df: pd.DataFrame, float_format: str | None = None,
                 decimals: Mapping[str, Decimals] | None = None) -> bytes:
    """CSV for Excel (:func:`csv_bytes`): UTF-8 with BOM, CRLF, text neutralised."""
    return csv_bytes(df, float_format, decimals)


#: the float format of :func:`daily_sheet`'s CSV
DAILY_FLOAT_FORMAT = "%.2f"


def _count(values: pd.Series) -> pd.Series:
    """Counts as written to a file: integers (``1011``, not ``1011.0``) when every
    value is whole after rounding to 2 decimals, else rounded to 2 decimals (Google
    Ads conversions can be fractional); missing values stay missing (blank)."""
    v = pd.to_numeric(values, errors="coerce").astype(float).round(2)
    return v.astype("Int64") if (v.dropna() % 1 == 0).all() else v


def daily_sheet(daily: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """The daily totals of :func:`optimizer.model.dataset.daily_totals` as a client downloads
    them: columns date, cost, clicks, conversions, cpa; the date as ``YYYY-MM-DD``,
    money (cost, cpa) rounded to cents, clicks and conversions as integers (2 decimals
    when some conversions are fractional, see :func:`_count`), a missing figure or
    CPA (no conversions) left blank.
    ``names`` renames the columns (headers in the reader's language). Write it with
    :func:`to_csv_bytes` and :data:`DAILY_FLOAT_FORMAT` (every float is money or a
    fractional count: 2 decimals)."""
    out = pd.DataFrame({
        "date": pd.to_datetime(daily["date"]).dt.strftime("%Y-%m-%d").astype(object),
        "cost": daily["cost"].astype(float).round(2),
        "clicks": _count(daily["clicks"]),
        "conversions": _count(daily["conversions"]),
        "cpa": daily["cpa"].astype(float).round(2),
    })
    return out.rename(columns=names or {})
