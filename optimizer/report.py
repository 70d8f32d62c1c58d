"""Writing what the product recommends into files analysts open (CSV now; the Excel
workbook follows).

Every text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is prefixed with an apostrophe, so that a spreadsheet never runs a keyword as a
formula (CSV/formula injection: a search term can be anything a stranger typed).
CSV is UTF-8 with a byte-order mark so that Excel opens Chinese correctly.
"""
from __future__ import annotations

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


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV for Excel: UTF-8 with BOM, formula-looking text neutralised."""
    return safe_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
