"""The canonical account table every export is mapped onto.

Every reader in :mod:`optimizer.reading.ingest` returns rows in this one shape, whatever the
platform, report type, language or encoding of the file. Everything downstream
(stages, bundles, drift, landing pages, reports) trusts it and never looks at raw
export headers again.

One row is one line of the export (after title rows and totals rows are removed).
Columns that a given report does not carry are present and null, so that code can
always write ``df["cost"]`` without checking.

Columns (name: dtype — meaning)

identity
    platform: str — ``baidu``, ``google_ads``, ``microsoft_ads`` or ``generic``
    report_type: str — ``keyword``, ``search_term``, ``campaign``, ``ad_group``,
        ``ad``, ``location``, ``device``, ``time``, ``demographic``, ``network``,
        ``hour``, ``word``, ``keyword_list``, ``keyword_research``, ``other``
    source_file: str — the file name the row came from
    source_row: int64 — 1-based line (CSV) or row (spreadsheet) number in that file
    date: datetime64 — the day of a daily row; NaT when the row covers a period
    period_start, period_end: datetime64 — the days the row covers (both equal to
        ``date`` for daily rows; the report's range for aggregated rows; NaT when
        the export does not say)
    account, campaign, ad_group, keyword, keyword_id, search_term: str
        (``campaign`` is a Baidu 推广计划 / plan, ``ad_group`` a 推广单元 / unit)
    match_type: str — normalised: ``exact``, ``phrase``, ``broad``, ``smart``
        (Baidu 智能匹配), ``smart_core`` (智能匹配-核心词), ``exact_close``,
        ``phrase_close``, ``ai_max``, ``pmax``, ``auto`` (自动定向) or the raw text
        lower-cased when unknown
    device: str — ``pc``, ``mobile``, ``tablet``, ``tv``, ``other`` for
        device-segmented rows, else null
    status: str — keyword / campaign status text as exported
    deleted: bool — the object was deleted (Baidu ``[已删除]`` suffix, Google
        ``Removed``); the suffix is removed from the name
    final_url, mobile_final_url: str — landing pages (访问URL, 移动访问URL)
    currency: str — ISO code (CNY for Baidu unless stated)
    segment: str — any other segment value (location, hour, gender/age …) for
        generic report types, else null
    ad_headline: str — ad reports only (report type ``ad``: Baidu 创意报告 / creative
        list, Google Ads ad report): the ad's headlines as written, one per line
        (``\n``-joined): Baidu ``创意标题``; Google ``Headline 1`` … ``Headline 15``
        (expanded text ads 1–3, responsive search ads up to 15), empty ones left out.
        Wildcards are kept as text (Baidu ``{关键词}`` / ``{开锁电话}``, Google
        ``{KeyWord:Locksmith}``); null on every other report
    ad_description: str — likewise the descriptions: Baidu ``创意描述1``, ``创意描述2``;
        Google ``Description 1`` … ``Description 4`` (``Description`` for an expanded
        text ad's first line). An ad's landing pages are ``final_url`` /
        ``mobile_final_url`` (访问URL, 移动访问URL, Final URL), its status ``status``

metrics (float64, NaN when the report does not carry them or shows a placeholder)
    bid — max CPC (出价)
    impressions, clicks — counts
    cost — spend in ``currency``
    conversions — total conversions (转化 / 总转化量 / Conversions)
    conv_phone, conv_form, conv_chat — conversions by type where the export splits
        them (电话转化, 网页转化/表单, 商桥转化/咨询)
    avg_position — average position / rank where given
    impression_share — search impression share as a fraction 0–1; Google's
        ``< 10%`` is stored as its bound 0.10 and ``> 90%`` as 0.90
    quality_score — Google 1–10 / Baidu 质量度

Text columns that repeat a few values over many rows (platform, report type,
source file, account, plan, unit, match type, device, status, landing URLs, currency,
segment, ad copy — an ad repeats on every day of a daily creative report) are pandas categoricals with string categories: a million-row keyword-day
report names a few dozen plans and URLs, and storing each once keeps the table near
the size of the file (see bench/ingest). ``keyword``, ``keyword_id`` and
``search_term`` are strings (``str`` dtype, Arrow-backed). Combine tables with
:func:`concat`, which unifies categories, rather than ``pd.concat``, which would
turn categoricals with different categories into strings.

Metrics are float64 rather than nullable integers on purpose: Google writes
fractional conversions, and float columns keep million-row tables fast. Counts read
from a file are still exact (every integer below 2**53 is a float64).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

PLATFORMS = ("baidu", "google_ads", "microsoft_ads", "generic")

CATEGORY_COLUMNS = (
    "platform", "report_type", "source_file", "account", "campaign", "ad_group",
    "match_type", "device", "status", "final_url", "mobile_final_url", "currency", "segment",
    "ad_headline", "ad_description",
)
STRING_COLUMNS = ("keyword", "keyword_id", "search_term")
TEXT_COLUMNS = CATEGORY_COLUMNS + STRING_COLUMNS
DATE_COLUMNS = ("date", "period_start", "period_end")
METRIC_COLUMNS = (
    "bid", "impressions", "clicks", "cost", "conversions", "conv_phone",
    "conv_form", "conv_chat", "avg_position", "impression_share", "quality_score",
)
#: Metrics that are additive: they may be summed across rows and checked against
#: a totals row.
ADDITIVE_METRICS = ("impressions", "clicks", "cost", "conversions",
                    "conv_phone", "conv_form", "conv_chat")

COLUMNS: tuple[str, ...] = (
    "platform", "report_type", "source_file", "source_row",
    "date", "period_start", "period_end",
    "account", "campaign", "ad_group", "keyword", "keyword_id", "search_term",
    "match_type", "device", "status", "deleted", "final_url", "mobile_final_url",
    "currency", "segment", "ad_headline", "ad_description",
    *METRIC_COLUMNS,
)

#: The columns that identify what a row is about; two rows of the same report type
#: with the same identity and the same period describe the same thing.
IDENTITY_COLUMNS = (
    "platform", "report_type", "account", "campaign", "ad_group", "keyword",
    "match_type", "search_term", "device", "segment", "ad_headline", "ad_description",
)

STR_DTYPE = pd.StringDtype(na_value=np.nan)


EMPTY_CATEGORIES = pd.Index([], dtype=STR_DTYPE)


def as_category(s: pd.Series, index: pd.Index | None = None) -> pd.Series:
    """``s`` as a categorical with string categories (unchanged when it already is one)."""
    s = pd.Series(s, index=index) if index is not None else s
    if isinstance(s.dtype, pd.CategoricalDtype):
        if s.cat.categories.dtype == STR_DTYPE or len(s.cat.categories) == 0:
            return s
        return s.cat.rename_categories(s.cat.categories.astype(STR_DTYPE))
    return s.astype(STR_DTYPE).astype("category")


def concat(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack canonical tables, keeping categorical columns categorical (their
    categories are unified first; ``pd.concat`` alone would fall back to strings)."""
    tables = [t for t in tables if t is not None]
    if not tables:
        return empty_table()
    cats: dict[str, pd.Index] = {}
    for c in CATEGORY_COLUMNS:
        union = tables[0][c].cat.categories
        for t in tables[1:]:
            union = union.union(t[c].cat.categories)
        cats[c] = union
    aligned = [t.assign(**{c: t[c].cat.set_categories(cats[c]) for c in CATEGORY_COLUMNS}) for t in tables]
    return pd.concat(aligned, ignore_index=True)


def text(s: pd.Series) -> pd.Series:
    """A text column (categorical or string) as plain strings, nulls as ''."""
    return s.astype(STR_DTYPE).fillna("")


def text_array(s: pd.Series, strip: bool = False) -> np.ndarray:
    """``text(s).to_numpy(object)`` (``.str.strip()`` first when ``strip``) without a
    Python string per row: each distinct value is converted once and the rows point
    at it (a categorical's categories, or the distinct values of a string column).
    Equal values, equal order: groupby, sort and comparisons give what they give on
    ``text(s)``; a million-row column costs its 8-byte pointers, not a million strings.
    """
    codes, values = text_codes(s, strip)
    return values[codes]


def text_codes(s: pd.Series, strip: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``text(s)`` (``.str.strip()`` first when ``strip``) as (codes, values): ``values``
    the distinct texts in ascending order (an object array, '' for null), ``codes``
    each row's position in it (int32). Rows compare and sort by their codes as their
    texts would, in 4 bytes a row."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        raw = s.cat.codes.to_numpy()
        values = pd.Series(s.cat.categories)
    else:
        raw, uniques = pd.factorize(s, use_na_sentinel=True)
        values = pd.Series(uniques)
    values = text(values)
    if strip:
        values = values.str.strip()
    values = np.append(values.to_numpy(object), np.array([""], dtype=object))   # code -1 (null) → ''
    distinct, remap = np.unique(values, return_inverse=True)   # sorted as Python sorts str
    return remap.astype(np.int32)[raw], distinct


def dense_key(codes: Sequence[np.ndarray]) -> np.ndarray:
    """One int64 per row, equal exactly when the rows' ``codes`` (arrays of
    non-negative integer codes, e.g. :func:`text_codes`) all are, and increasing with
    them in order, the first array most significant — so that sorting or grouping by
    it is sorting or grouping by all of them, at 8 bytes a row. When the next array
    would overflow, both sides are first renumbered densely (order kept)."""
    n = len(codes[0]) if len(codes) else 0
    key = np.zeros(n, dtype=np.int64)
    top = 1
    for c in codes:
        c = np.asarray(c).astype(np.int64, copy=False)
        size = int(c.max()) + 1 if len(c) else 1
        if top * size >= 2 ** 62:   # both renumbered 0..distinct-1, order kept: each fits in n values
            uniq, key = np.unique(key, return_inverse=True)
            key, top = key.astype(np.int64, copy=False), len(uniq)
            uniq, c = np.unique(c, return_inverse=True)
            c, size = c.astype(np.int64, copy=False), len(uniq)
        key = key * size + c
        top *= size
    return key


def group_sum(groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """``values`` summed per group (``groups``: codes 0..n-1, one per value) as a pandas
    sum with ``min_count=1``: NaN values are skipped, and a group whose values are all
    NaN sums to NaN."""
    has = np.bincount(groups, weights=~np.isnan(values), minlength=n) > 0
    return np.where(has, np.bincount(groups, weights=np.nan_to_num(values), minlength=n), np.nan)


def empty_table() -> pd.DataFrame:
    """A canonical table with no rows and every column in its dtype."""
    return conform(pd.DataFrame(index=pd.RangeIndex(0)))


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with exactly the canonical columns, in order, in their dtypes.

    Missing columns are added as nulls (``deleted`` as False); extra columns are
    dropped. Values are not parsed here: callers pass already-clean values.
    """
    n = len(df)
    out: dict[str, object] = {}
    for col in COLUMNS:
        if col in df.columns:
            s = df[col]
        else:
            s = None
        if col in CATEGORY_COLUMNS:
            out[col] = as_category(s, df.index) if s is not None else \
                pd.Series(pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), EMPTY_CATEGORIES),
                          index=df.index)
        elif col in STRING_COLUMNS:
            out[col] = (pd.Series(s, index=df.index).astype(STR_DTYPE) if s is not None
                        else pd.Series(pd.array(pa.nulls(n, type=pa.large_string()), dtype=STR_DTYPE),
                                       index=df.index))
        elif col in DATE_COLUMNS:
            out[col] = (pd.to_datetime(s) if s is not None
                        else pd.Series(pd.NaT, index=df.index)).astype("datetime64[ns]")
        elif col in METRIC_COLUMNS:
            out[col] = (s.astype("float64") if s is not None
                        else pd.Series(np.full(n, np.nan), index=df.index))
        elif col == "source_row":
            out[col] = (s.astype("int64") if s is not None
                        else pd.Series(np.zeros(n, dtype="int64"), index=df.index))
        elif col == "deleted":
            out[col] = (s.fillna(False).astype(bool) if s is not None
                        else pd.Series(np.zeros(n, dtype=bool), index=df.index))
    # copy=False: a dict of columns is otherwise copied whole (twice the memory of a
    # million-row table); copy-on-write keeps the inputs safe.
    return pd.DataFrame(out, index=df.index, copy=False).reset_index(drop=True)


def schema():
    """The pandera schema of the canonical table (imported lazily: pandera is slow to load)."""
    import pandera.pandas as pdr

    cols: dict[str, pdr.Column] = {}
    for c in STRING_COLUMNS:
        cols[c] = pdr.Column(STR_DTYPE, nullable=True)
    for c in CATEGORY_COLUMNS:
        cols[c] = pdr.Column("category", nullable=True)
    cols["platform"] = pdr.Column("category", pdr.Check.isin(PLATFORMS))
    cols["report_type"] = pdr.Column("category")
    cols["source_file"] = pdr.Column("category")
    cols["source_row"] = pdr.Column("int64", pdr.Check.ge(1))
    for c in DATE_COLUMNS:
        cols[c] = pdr.Column("datetime64[ns]", nullable=True)
    cols["deleted"] = pdr.Column(bool)
    for c in METRIC_COLUMNS:
        cols[c] = pdr.Column("float64", nullable=True)
    for c in ("impressions", "clicks", "cost", "conversions", "conv_phone",
              "conv_form", "conv_chat", "bid"):
        cols[c] = pdr.Column("float64", pdr.Check.ge(0), nullable=True)
    cols["impression_share"] = pdr.Column("float64", pdr.Check.in_range(0, 1), nullable=True)
    return pdr.DataFrameSchema({c: cols[c] for c in COLUMNS}, strict=True, ordered=True)
