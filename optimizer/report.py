"""Writing what the product recommends into files analysts open: CSV here; the Excel
workbook in :mod:`optimizer.workbook` (which neutralises its text cells with
:func:`neutralise` too); bulk-edit files in :mod:`optimizer.bulk`.

Every text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is prefixed with an apostrophe, so that a spreadsheet never runs a keyword as a
formula (CSV/formula injection: a search term can be anything a stranger typed).
CSV is UTF-8 with a byte-order mark so that Excel opens Chinese correctly. Numbers can
be written with a fixed number of decimals per column (``decimals`` of
:func:`to_csv_bytes`): counts as integers (``8627``, not the ``8627.0`` of a float
column that pandas made float because some value is missing), money to the cent.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """``'=HYPERLINK(…)`` for a text that a spreadsheet would run; other values unchanged."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells are neutralised (numbers untouched)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, (pd.StringDtype, pd.CategoricalDtype)):
            out[col] = out[col].astype(object).map(neutralise)
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


def to_csv_bytes(df: pd.DataFrame, float_format: str | None = None,
                 decimals: Mapping[str, Decimals] | None = None) -> bytes:
    """CSV for Excel: UTF-8 with BOM, formula-looking text neutralised.
    ``float_format``: e.g. ``"%.2f"`` to write every float column with 2 decimals.
    ``decimals``: column -> decimals (:func:`fixed_decimals`), e.g. ``{"点击": 0, "消费": 2}``
    for counts as integers and money to the cent whatever the column's dtype; applied
    after the text is neutralised (a negative amount is a number, not a formula)."""
    out = safe_frame(df)
    for col, d in (decimals or {}).items():
        out[col] = fixed_decimals(out[col], d)
    return out.to_csv(index=False, lineterminator="\r\n", float_format=float_format).encode("utf-8-sig")


#: the float format of :func:`daily_sheet`'s CSV
DAILY_FLOAT_FORMAT = "%.2f"


def _count(values: pd.Series) -> pd.Series:
    """Counts as written to a file: integers (``1011``, not ``1011.0``) when every
    value is whole after rounding to 2 decimals, else rounded to 2 decimals (Google
    Ads conversions can be fractional); missing values stay missing (blank)."""
    v = pd.to_numeric(values, errors="coerce").astype(float).round(2)
    return v.astype("Int64") if (v.dropna() % 1 == 0).all() else v


def daily_sheet(daily: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """The daily totals of :func:`optimizer.dataset.daily_totals` as a client downloads
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


def negative_keyword_sheet(neg: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The negative-keyword list as an analyst downloads it: headers in ``lang``, money
    rounded to cents, counts as integers, the reason in words, and a suggested
    negative match type (exact negative: the search term itself is what wasted money;
    widen it to phrase by hand only where every variant is off target).

    Bulk-upload layouts of the platforms' editors are not documented in
    ../shared/formats.md; this is a plain list for review, not an import file.
    """
    from .i18n import explain_cues

    zh = lang == "zh"
    return pd.DataFrame({
        ("搜索词" if zh else "Search term"): neg["search_term"],
        ("否定匹配方式" if zh else "Negative match type"): "精确否定" if zh else "Negative exact",
        ("消费" if zh else "Cost"): neg["cost"].round(2),
        ("点击" if zh else "Clicks"): neg["clicks"].fillna(0).round().astype("int64"),
        ("展现" if zh else "Impressions"): neg["impressions"].fillna(0).round().astype("int64"),
        ("转化" if zh else "Conversions"): neg["conversions"].fillna(0).round(2),
        ("原因" if zh else "Reason"): neg["reason"].map(lambda c: explain_cues(c, lang)),
        ("触发关键词" if zh else "Triggered by"): neg["keywords"],
        ("推广计划" if zh else "Plans"): neg["campaigns"],
    })
