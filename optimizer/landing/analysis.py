"""Landing-page drift: URL changes between and within uploads, keyword–page match, and
performance by landing page with CVR drops (issue 7, points 1–3).

Pure functions over canonical tables (:mod:`optimizer.reading.schema`); no Streamlit here.

Public API
----------
:func:`url_state`
    the latest final / mobile URL of every keyword, and the last change seen inside
    the rows (a daily report spanning the change).
:func:`url_drift`
    findings a client can read: URL changed, removed, moved to a new site, no mobile
    URL, plain http, tracking parameters dropped or changed, one unit's keywords
    scattered over many pages.
:func:`page_of`
    the page key used for grouping.
:func:`infer_page`, :func:`keyword_page_match`, :func:`mismatch_summary`
    each page's business line and stage (from its path, and its audit when there is
    one); keywords whose line differs from their page's.
:func:`page_performance`, :func:`page_series`, :func:`page_drops`
    clicks, conversions, CVR, CPA by landing page; daily series in
    :data:`optimizer.drift.scan.SERIES_COLUMNS` shape, tested by :func:`optimizer.drift.scan.detect`
    (the statistics are reused, not copied).

Pages and keys
--------------
A page key (:func:`page_of`) is the URL after :func:`optimizer.landing.audit.clean_url`
(ad-platform placeholders and tracking parameters removed, fragment dropped), without
its scheme, with the host lower-cased and its default port dropped, the path
percent-decoded and without a trailing ``/``, the remaining query parameters sorted:
``m.example-kaisuo.cn/huansuo.html``. ``http://`` and ``https://`` of one address are
one page (plain http is a finding of its own); ``www.`` and ``m.`` hosts are distinct
pages.

Which URL a click landed on. The keyword report names both URLs but, unless it is
split by device, not which one a click used. Local-service searches are mostly made
on phones, and a Baidu keyword with a 移动访问URL sends its mobile clicks there, so
``prefer="mobile"`` (the default everywhere) counts a keyword's rows on its mobile
URL when it has one and on its final (PC) URL otherwise; device-segmented rows
(``device`` = ``pc``) count on the final URL. ``prefer="final"`` uses the final URL
throughout. Google exports carry a final URL only.

URL changes and their dates
---------------------------
Within the rows (:func:`url_state`) a change is the start of the latest run of one
value of a field, by date. Between uploads (:func:`url_drift` with ``previous``) the
previous upload's latest value is compared with the current one's. A keyword that
has no row on the day of the change is seen on its new URL only later, so changes are
dated per unit: URL edits are made on a unit or a plan at a time, and when all of a
unit's keywords that made the same change (same field, same old and new URL) were
last seen on the old URL before any of them was seen on the new one, the change lies
between those two days for all of them. ``date`` is the first day seen on the new URL
(NaT for undated reports), ``date_low`` the day after the last day seen on the old
one: the change happened on a day in [date_low, date]; both equal when it is known to
the day.

Registrable domains (``new_domain``) come from the Public Suffix List shipped inside
the ``publicsuffixlist`` package (pinned; it never fetches anything at run time):
``www.a.cn`` → ``a.cn``, ``m.a.com.cn`` → ``a.com.cn``; an IP address is its own site.

Inferring a page's business line (:func:`infer_page`)
-----------------------------------------------------
From the URL: its path and query (the host is not used: a locksmith's domain names
its main line, ``example-kaisuo.cn``, on every page). Segments are read deepest first
(``/kaisuo/huansuo.html`` is a 换锁 page); within a segment:

- Chinese, also percent-encoded (``/%E6%8D%A2%E9%94%81.html`` → ``换锁``), is
  classified with the keyword :class:`~optimizer.keywords.stages.Classifier`;
- pinyin slugs are found from the vertical's own lexicon: every Chinese line and
  stage cue of two characters or more is turned into pinyin with pypinyin
  (``换锁芯`` → ``huansuoxin``, ``保险柜`` → ``baoxiangui``); runs of ASCII words
  that read as pinyin syllables (``huansuo``, ``huan-suo``) are scanned for those
  spellings, leftmost-longest, and the Chinese cues found are classified
  (``qichekaisuo`` → ``汽车开锁``, ``baoxianguikaisuo`` → ``保险柜开锁``,
  ``huansuo-jiage`` → 换锁 / price). Nothing is hard-coded per vertical; a user's
  lexicon edits apply;
- English words are classified with the English lexicon, also with plurals folded
  (``car-lockout``, ``smart-locks``, ``rekey``, ``safe-opening``).

A page naming no line is ``generic`` when each of its path segments is a home /
about / contact / index word (``/``, ``/index.html``, ``/about``, ``/lianxi``), else
``unknown``; neither counts as a mismatch.

With an audit (a :class:`~optimizer.landing.audit.PageAudit` or its dict), the title, headings
and text are classified piece by piece (title split at ``- _ | ,`` …, each heading,
each sentence) and each piece naming a line scores for it: a title piece 3 (its last
piece, usually the site name such as 北京安心开锁, 1), an h1 2, other headings 1, and
the sentences of the text together at most 3 (in proportion). The audit *names a line
clearly* when its best line has a score of at least 3 and at least 60 % of all lines'
scores; then the audit wins (``source="audit"``) — the page's content is what the
searcher reads, whatever its address says. Otherwise the path decides when it names a
line; a page whose audit names several lines without a clear winner and whose path
names none is ``generic`` (a page for every service).

Keyword–page match (:func:`keyword_page_match`): a keyword that names a line (its
classifier cues hold ``line:``; one that names none falls to the vertical's main line
and is not judged) is a mismatch when one of its landing pages (mobile and PC) is
inferred as another line. Measured on the bundled sample: Baidu (1,950 keywords) the
6 planted 换锁 → /kaisuo.html mismatches are all found and nothing else is flagged
(precision 1.00, recall 1.00); Google (395 keywords) the 6 planted 换锁 → /lockout
ones are found, plus "smart door lock installation", which the English lexicon
reads as 换锁 ("lock installation") rather than 指纹锁 (precision 0.86, recall 1.00).

Performance and CVR drops
-------------------------
:func:`page_performance` sums clicks, cost and conversions per (platform, account,
page); CVR and CPA leave out Baidu's partial last day (its conversions arrive about a
day late, :func:`optimizer.model.dataset.partial_last_day`). :func:`page_series` builds the
daily series (zero-filled from a page's first day to its account's last day, Baidu's
last day dropped, like :func:`optimizer.drift.scan.daily_series`) and :func:`page_drops`
tests them with :func:`optimizer.drift.scan.detect` unchanged: the change day, its support
interval, the change with its CI, scan-corrected p, Benjamini–Hochberg over the pages,
and the money at stake (for CVR: the cost since the change × (1 − CVR after / CVR
before), the extra cost of the conversions at the old rate).
"""
from __future__ import annotations

import ipaddress
import os
import re
import unicodedata
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import numpy as np
import pandas as pd

from optimizer.landing.audit import TRACKING_PARAMS, TRACKING_PREFIXES, PageAudit, clean_url
from optimizer.model.dataset import partial_last_day
from optimizer.drift import scan as drift
from optimizer.drift.scan import SERIES_COLUMNS, detect
from optimizer.keywords.lexicon import STAGE_PRECEDENCE, line_label
from optimizer.reading.schema import dense_key, group_sum, text_array, text_codes
from optimizer.keywords.stages import Classifier, label_keywords

__all__ = [
    "KEY", "URL_FIELDS", "DRIFT_COLUMNS", "KINDS", "SEVERITIES", "MATCH_COLUMNS",
    "url_state", "url_drift", "page_of", "site_of", "infer_page", "keyword_page_match",
    "mismatch_summary", "page_performance", "page_series", "page_drops",
]

#: a keyword's identity
KEY = ("platform", "account", "campaign", "ad_group", "keyword", "match_type")
URL_FIELDS = ("final_url", "mobile_final_url")
_PREV = {"final_url": "previous_final_url", "mobile_final_url": "previous_mobile_url"}
_CHANGED = {"final_url": "final_changed_on", "mobile_final_url": "mobile_changed_on"}
_PREV_LAST = {"final_url": "final_previous_last_day", "mobile_final_url": "mobile_previous_last_day"}
_FIELD_NAME = {"final_url": ("访问URL", "final URL"), "mobile_final_url": ("移动访问URL", "mobile URL")}

STATE_COLUMNS = [*KEY, "final_url", "mobile_final_url", "first_day", "last_day",
                 "previous_final_url", "previous_mobile_url", "changed_on",
                 "final_changed_on", "mobile_changed_on", "final_previous_last_day",
                 "mobile_previous_last_day", "impressions", "clicks", "cost", "conversions", "rows"]

#: finding kinds of :func:`url_drift` and their severity
KINDS = {
    "url_removed": "high", "new_domain": "high", "url_changed": "medium", "tracking_dropped": "medium",
    "no_mobile_url": "medium", "http": "medium", "tracking_changed": "low", "scattered_unit": "low",
}
SEVERITIES = ("high", "medium", "low")
DRIFT_COLUMNS = ["kind", "severity", *KEY, "field", "old", "new", "page", "date", "date_low", "cost", "clicks",
                 "conversions", "params", "pages", "detail_zh", "detail_en"]
#: a unit whose keywords land on more distinct pages than this is ``scattered_unit``
MAX_UNIT_PAGES = 3

#: tracking parameters whose value is set per click (or per visit): a new value is no change
CLICK_ID_PARAMS = frozenset({
    "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "gad_source", "gad_campaignid", "srsltid", "_ga", "_gl",
    "msclkid", "bd_vid", "bd_bxst", "bdclkid", "qhclickid", "fbclid", "ttclid", "twclid", "yclid", "igshid",
    "li_fat_id",
})
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%7B.*?%7D|__[A-Z0-9_]+__", re.I)


# =====================================================================================
# Pages and sites
# =====================================================================================
@lru_cache(maxsize=65536)
def page_of(url: str) -> str:
    """The page key of ``url`` (see the module docstring): cleaned, scheme-less,
    lower-cased host without default port, decoded path without trailing ``/``,
    sorted query; ``""`` for an empty URL or a bare placeholder.

    >>> page_of("HTTPS://WWW.A.cn/%E6%8D%A2%E9%94%81/?utm_source=bd&b=2&a=1#top")
    'www.a.cn/换锁?a=1&b=2'
    """
    if not isinstance(url, str):
        return ""
    cleaned = clean_url(url)
    if not cleaned:
        return ""
    parts = urlsplit(cleaned)
    host = parts.netloc
    if "@" in host:
        host = host.rsplit("@", 1)[1]
    host = host.lower()
    if parts.scheme == "http" and host.endswith(":80"):
        host = host[:-3]
    if parts.scheme == "https" and host.endswith(":443"):
        host = host[:-4]
    path = unquote(parts.path).rstrip("/")
    query = "&".join(sorted(q for q in parts.query.split("&") if q))
    return host + path + ("?" + query if query else "")


def _host(url: str) -> str:
    cleaned = clean_url(url) if isinstance(url, str) else ""
    if not cleaned:
        return ""
    host = urlsplit(cleaned).hostname or ""
    return host.lower().strip(".")


@lru_cache(maxsize=1)
def _psl():
    from publicsuffixlist import PublicSuffixList
    return PublicSuffixList()   # the list shipped in the package; no network


@lru_cache(maxsize=65536)
def site_of(url: str) -> str:
    """The registrable domain of a URL's host (Public Suffix List): ``www.a.cn`` and
    ``m.a.cn`` → ``a.cn``; an IP address is itself; ``""`` without a host."""
    host = _host(url)
    if not host:
        return ""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    return _psl().privatesuffix(host) or host


def _path_of_page(page: str) -> str:
    """``/kaisuo.html`` from ``www.a.cn/kaisuo.html`` (``/`` for a home page)."""
    i = page.find("/")
    return page[i:] if i >= 0 else "/"


# =====================================================================================
# URL state
# =====================================================================================
def _keyword_rows(rows: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Keyword-report rows with a keyword (a table without report types counts whole);
    only ``columns`` of them when given (those present), so that a million-row table is
    not copied whole."""
    if rows is None or rows.empty:
        return rows.iloc[:0] if rows is not None else pd.DataFrame()
    rtype = text_array(rows["report_type"]) if "report_type" in rows else np.full(len(rows), "", dtype=object)
    kw = text_array(rows["keyword"])
    mask = ((rtype == "keyword") | (rtype == "")) & (kw != "")
    cols = list(rows.columns) if columns is None else [c for c in dict.fromkeys(columns) if c in rows.columns]
    if mask.all():  # the usual keyword report: a column selection, which copies nothing (copy-on-write)
        return rows[cols]
    return rows.loc[mask, cols]


def _empty_state() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in STATE_COLUMNS})
    for c in ("first_day", "last_day", "changed_on", *_CHANGED.values(), *_PREV_LAST.values()):
        out[c] = pd.Series(dtype="datetime64[ns]")
    for c in ("impressions", "clicks", "cost", "conversions"):
        out[c] = pd.Series(dtype="float64")
    out["rows"] = pd.Series(dtype="int64")
    return out


def url_state(rows: pd.DataFrame) -> pd.DataFrame:
    """The latest URLs of every keyword of the keyword-report rows.

    One row per keyword (:data:`KEY`: platform, account, campaign, ad_group,
    keyword, match_type; text, ``""`` for null) with columns :data:`STATE_COLUMNS`:
    ``final_url`` and ``mobile_final_url`` as on the keyword's latest row (``""``
    when empty), ``first_day`` / ``last_day`` seen; when a field changed inside the
    rows (a daily report spanning the change), ``previous_final_url`` /
    ``previous_mobile_url`` (the value before the latest run; ``""`` when it was
    empty, null when the field did not change), ``final_changed_on`` /
    ``mobile_changed_on`` (first day on the current value) and
    ``final_previous_last_day`` / ``mobile_previous_last_day`` (last day on the old
    one); ``changed_on`` is the earlier of the two change days. Totals over the rows:
    impressions, clicks, cost, conversions, rows. Rows are ordered by date (undated
    rows first), then as loaded.
    """
    kw = _keyword_rows(rows, [*KEY, "date", *URL_FIELDS, "impressions", "clicks", "cost", "conversions"])
    if kw.empty:
        return _empty_state()
    # text as codes into each column's sorted distinct values (equal codes, equal texts,
    # the same order), the keyword as one int64 over them (schema.dense_key), and the
    # rows put in order by one argsort: a million keyword-days cost a few arrays of
    # 8 bytes a row, not a sort of a wide frame
    values: dict[str, np.ndarray] = {}
    codes: dict[str, np.ndarray] = {}
    for k in (*KEY, *URL_FIELDS):
        codes[k], values[k] = text_codes(kw[k], strip=k in URL_FIELDS)
    key = dense_key([codes[k] for k in KEY])
    dates = pd.to_datetime(kw["date"]).to_numpy("datetime64[ns]")
    day = np.where(np.isnat(dates), np.iinfo(np.int64).min, dates.astype(np.int64))   # undated rows first
    order = np.lexsort((day, key))   # stable: equal keys and days keep the rows' order
    del day
    key = key[order]
    dates = dates[order]
    n = len(order)
    pos = np.arange(n)
    first = np.r_[True, key[1:] != key[:-1]]
    last = np.r_[key[1:] != key[:-1], True]
    gid = np.cumsum(first) - 1
    del key
    first_pos = np.maximum.accumulate(np.where(first, pos, 0))
    last_rows = np.flatnonzero(last)
    first_rows = np.flatnonzero(first)

    out = pd.DataFrame({k: values[k][codes[k][order[last_rows]]] for k in KEY})
    # days: the min / max of each run of sorted rows (NaT sorts first, so skip it)
    days = pd.Series(dates).groupby(gid, sort=True)
    out["first_day"] = days.min().to_numpy()
    out["last_day"] = days.max().to_numpy()
    del days
    for m in ("impressions", "clicks", "cost", "conversions"):
        out[m] = group_sum(gid, kw[m].to_numpy(float)[order], len(first_rows))
    out["rows"] = np.diff(np.r_[first_rows, n]).astype("int64")
    for f in URL_FIELDS:
        v = codes[f][order]
        new_run = first.copy()
        new_run[1:] |= v[1:] != v[:-1]
        run_start = np.maximum.accumulate(np.where(new_run, pos, 0))
        start = run_start[last_rows]
        changed = start > first_pos[last_rows]
        prev_at = np.where(changed, start - 1, 0)
        out[f] = values[f][v[last_rows]]
        out[_PREV[f]] = np.where(changed, values[f][v[prev_at]], None)
        out[_CHANGED[f]] = pd.Series(np.where(changed, dates[start], np.datetime64("NaT")),
                                     dtype="datetime64[ns]")
        out[_PREV_LAST[f]] = pd.Series(np.where(changed, dates[prev_at], np.datetime64("NaT")),
                                       dtype="datetime64[ns]")
    out["changed_on"] = out[list(_CHANGED.values())].min(axis=1)
    return out[STATE_COLUMNS]


def _as_state(x: pd.DataFrame) -> pd.DataFrame:
    """Canonical rows → :func:`url_state`; a state frame is taken as it is."""
    if "last_day" in x.columns and "report_type" not in x.columns:
        return x
    return url_state(x)


# =====================================================================================
# URL drift
# =====================================================================================
def _params(url: str) -> dict[str, str]:
    """Query parameters (name lower-cased → raw value) of a raw URL."""
    if not isinstance(url, str) or "?" not in url:
        return {}
    query = url.split("?", 1)[1].split("#", 1)[0]
    out: dict[str, str] = {}
    for pair in query.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        out.setdefault(unquote(name).strip().lower(), value)
    return out


def _only_placeholders(value: str) -> bool:
    return bool(_PLACEHOLDER.search(value)) and not _PLACEHOLDER.sub("", value).strip()


def _tracking(url: str) -> dict[str, str]:
    """The tracking parameters of a URL: :data:`optimizer.landing.audit.TRACKING_PARAMS`, names
    starting with :data:`optimizer.landing.audit.TRACKING_PREFIXES`, and any parameter whose
    value is only ad-platform placeholders (``kw={keyword}``)."""
    return {k: v for k, v in _params(url).items()
            if k in TRACKING_PARAMS or k.startswith(TRACKING_PREFIXES) or _only_placeholders(v)}


def _norm_value(v: str) -> str:
    return unquote(v).strip().lower()


def _tracking_diff(old: str, new: str) -> tuple[list[str], list[tuple[str, str, str]]]:
    """(parameters dropped, [(parameter, old value, new value)] changed) from old to new.
    Click-id parameters (:data:`CLICK_ID_PARAMS`) count when dropped, never as changed."""
    a, b = _tracking(old), _tracking(new)
    dropped = [k for k in a if k not in b]
    changed = [(k, a[k], b[k]) for k in a if k in b and k not in CLICK_ID_PARAMS
               and _norm_value(a[k]) != _norm_value(b[k])]
    return dropped, changed


def _d(ts) -> str:
    return "" if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d")


def _when(date, low) -> tuple[str, str]:
    """'于 2026-11-10' / 'on 2026-11-10', or a window, or since the previous upload."""
    if pd.isna(date):
        return "自上次上传以来 ", "since the previous upload"
    if pd.isna(low) or low >= date:
        return f"于 {_d(date)} ", f"on {_d(date)}"
    return f"在 {_d(low)} 至 {_d(date)} 之间 ", f"between {_d(low)} and {_d(date)}"


def _who(r: Mapping) -> tuple[str, str]:
    unit = " / ".join(x for x in (r.get("campaign", ""), r.get("ad_group", "")) if x)
    kw = r.get("keyword", "")
    if kw:
        return (f"关键词「{kw}」（{unit}）" if unit else f"关键词「{kw}」",
                f'Keyword "{kw}" ({unit})' if unit else f'Keyword "{kw}"')
    return f"单元「{unit}」", f'Ad group "{unit}"'


def _describe(kind: str, r: Mapping) -> tuple[str, str]:
    """(detail_zh, detail_en): plain sentences for the client."""
    who_zh, who_en = _who(r)
    f_zh, f_en = _FIELD_NAME.get(r.get("field", ""), ("URL", "URL"))
    old, new = r.get("old", ""), r.get("new", "")
    w_zh, w_en = _when(r.get("date"), r.get("date_low"))
    if kind == "url_changed":
        return (f"{who_zh}的{f_zh}{w_zh}由 {old} 改为 {new}。换页后请留意该页的转化率。",
                f"{who_en}: its {f_en} changed {w_en} from {old} to {new}. "
                f"Watch the new page's conversion rate.")
    if kind == "new_domain":
        return (f"{who_zh}的{f_zh}{w_zh}换到了另一个网站：由 {old}（{site_of(old)}）改为 {new}"
                f"（{site_of(new)}）。请确认这个网站是广告主自己的，并且装好了转化追踪。",
                f"{who_en}: its {f_en} moved to another website {w_en}: from {old} ({site_of(old)}) to "
                f"{new} ({site_of(new)}). Check that the site is the advertiser's own and tracks conversions.")
    if kind == "url_removed":
        extra_zh = ("手机上的点击将落到电脑版页面。" if r.get("field") == "mobile_final_url"
                    else "该关键词将使用创意的链接，可能落到不相关的页面。")
        extra_en = ("Mobile clicks will land on the desktop page." if r.get("field") == "mobile_final_url"
                    else "The keyword now uses its ad's URL, which may be a less relevant page.")
        return (f"{who_zh}的{f_zh}{w_zh}被清空了（原为 {old}）。{extra_zh}",
                f"{who_en}: its {f_en} was emptied {w_en} (was {old}). {extra_en}")
    if kind == "no_mobile_url":
        return (f"{who_zh}没有移动访问URL：手机上的点击会落到电脑版页面 {r.get('pc_url', '')}。",
                f"{who_en} has no mobile URL: clicks from phones land on the desktop page "
                f"{r.get('pc_url', '')}.")
    if kind == "http":
        return (f"{who_zh}的{f_zh} {new} 用的是 http 而不是 https：浏览器会提示“不安全”，"
                f"访客更容易离开。",
                f"{who_en}: its {f_en} {new} uses http, not https: browsers mark it \"not secure\" "
                f"and visitors leave sooner.")
    if kind == "tracking_dropped":
        names = r.get("params", "")
        names = names if isinstance(names, str) else ", ".join(names)
        return (f"{who_zh}的{f_zh}{w_zh}去掉了追踪参数 {names}（由 {old} 改为 {new}）：这些点击的来源"
                f"和转化可能无法再统计。",
                f"{who_en}: its {f_en} lost the tracking parameter(s) {names} {w_en} (from {old} to "
                f"{new}): the source and conversions of these clicks may no longer be counted.")
    if kind == "tracking_changed":
        ch = r.get("changes", [])
        zh = "；".join(f"{k} 由 {a} 改为 {b}" for k, a, b in ch)
        en = "; ".join(f"{k} from {a} to {b}" for k, a, b in ch)
        return (f"{who_zh}的{f_zh}{w_zh}改了追踪参数：{zh}。报表里的来源会归到新的值下。",
                f"{who_en}: its {f_en} changed tracking parameter(s) {w_en}: {en}. Reports will file "
                f"these clicks under the new value.")
    if kind == "scattered_unit":
        n, pages = r.get("n_pages", 0), r.get("pages", "")
        return (f"{who_zh}的关键词落到 {n} 个不同的页面（{pages}）：同一单元的创意只能承接一种需求，"
                f"建议按页面拆分单元，或统一落地页。",
                f"{who_en}: its keywords land on {n} different pages ({pages}). One ad group's ads "
                f"can match one need: split the ad group by page, or use one landing page.")
    raise ValueError(kind)


def _changes(cur: pd.DataFrame, prev: pd.DataFrame | None) -> pd.DataFrame:
    """Every (keyword, field) whose value changed: old, new, lo (last day seen on the
    old value), hi (first day seen on the new one)."""
    parts = []
    base_cols = [*KEY, "cost", "clicks", "conversions"]
    merged = cur
    if prev is not None and not prev.empty:
        p = prev[[*KEY, *URL_FIELDS, "last_day"]].rename(
            columns={"final_url": "_p_final_url", "mobile_final_url": "_p_mobile_final_url",
                     "last_day": "_p_last_day"})
        merged = cur.merge(p, on=list(KEY), how="left")
    for f in URL_FIELDS:
        new = merged[f].fillna("").astype(object)
        within = merged[_PREV[f]].notna()
        old = merged[_PREV[f]].where(within, None)
        lo = merged[_PREV_LAST[f]]
        hi = merged[_CHANGED[f]]
        if "_p_last_day" in merged:
            p_val = merged[f"_p_{f}"]
            in_prev = p_val.notna()
            p_val = p_val.fillna("").astype(object)
            # the previous upload's value wins as "old" unless it equals the new one
            use_prev = in_prev & (p_val != new)
            old = old.where(~use_prev, p_val)
            gap = use_prev & ~within
            lo = lo.where(~gap, merged["_p_last_day"])
            hi = hi.where(~gap, merged["first_day"])
            within = within | use_prev
        d = merged.loc[within.to_numpy(bool), base_cols].copy()
        d["field"] = f
        d["old"] = old[within].fillna("").astype(object).to_numpy()
        d["new"] = new[within].to_numpy()
        d["lo"] = pd.to_datetime(lo[within]).to_numpy()
        d["hi"] = pd.to_datetime(hi[within]).to_numpy()
        parts.append(d.loc[(d["old"] != d["new"]).to_numpy()])
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if out.empty:
        return out
    # date per unit: same unit, field, old and new URL → one edit
    grp = ["platform", "account", "campaign", "ad_group", "field", "old", "new"]
    g_lo = out.groupby(grp, sort=False)["lo"].transform("max")
    g_hi = out.groupby(grp, sort=False)["hi"].transform("min")
    consistent = g_hi.notna() & (g_lo.isna() | (g_lo < g_hi))
    out["date"] = g_hi.where(consistent, out["hi"])
    low = g_lo.where(consistent, out["lo"]) + pd.Timedelta(days=1)
    out["date_low"] = low.where(low.isna() | out["date"].isna() | (low <= out["date"]), out["date"])
    return out


def _finding(kind: str, r: Mapping, **kw) -> dict:
    rec = {c: r.get(c, "") for c in KEY}
    rec.update(kind=kind, severity=KINDS[kind], field=r.get("field", ""), old=r.get("old", ""),
               new=r.get("new", ""), date=r.get("date", pd.NaT), date_low=r.get("date_low", pd.NaT),
               cost=r.get("cost", np.nan), clicks=r.get("clicks", np.nan),
               conversions=r.get("conversions", np.nan), pages="",
               params=", ".join(r.get("params", []) or [k for k, _a, _b in r.get("changes", [])]))
    rec.update(kw)
    rec["page"] = page_of(rec["new"] or rec["old"] or r.get("pc_url", "") or "")
    rec["detail_zh"], rec["detail_en"] = _describe(kind, {**r, **rec, **kw})
    return {c: rec.get(c) for c in DRIFT_COLUMNS}


def _has_field(state: pd.DataFrame, field: str) -> pd.Series:
    """Per row: does its account carry any non-empty value of ``field`` (the export has the column)?"""
    filled = (state[field].fillna("") != "")
    return filled.groupby([state["platform"], state["account"]]).transform("any")


def _landing(final: pd.Series, mobile: pd.Series, prefer: str = "mobile",
             device: pd.Series | None = None) -> pd.Series:
    """The URL a keyword's clicks land on (see "Pages and keys" in the module docstring)."""
    if prefer not in ("mobile", "final"):
        raise ValueError(f"prefer must be 'mobile' or 'final', got {prefer!r}")
    final, mobile = final.fillna("").astype(object), mobile.fillna("").astype(object)
    if prefer == "final":
        return final
    use_mobile = mobile != ""
    if device is not None:
        use_mobile &= device.fillna("").astype(object) != "pc"
    return mobile.where(use_mobile, final)


def url_drift(current: pd.DataFrame, previous: pd.DataFrame | None = None,
              max_unit_pages: int = MAX_UNIT_PAGES) -> pd.DataFrame:
    """URL findings of the ``current`` upload, alone or against the ``previous`` one.

    Both are canonical tables (their keyword-report rows are used) or
    :func:`url_state` frames. One row per finding, columns :data:`DRIFT_COLUMNS`:
    kind, severity (high / medium / low), platform, account, campaign, ad_group,
    keyword, match_type, field (``final_url`` | ``mobile_final_url`` | ``""``), old,
    new, page (the page key the finding is about: the new URL's, else the old one's;
    for ``no_mobile_url`` the PC page the mobile clicks land on; ``""`` for
    ``scattered_unit``), date (first day seen on the new URL; NaT when unknown), date_low (the change
    happened on a day in [date_low, date], see the module docstring), cost, clicks,
    conversions (the keyword's, or the unit's, in ``current``), params (the tracking
    parameters dropped or changed), pages (scattered units: ``page (keywords); …``),
    detail_zh, detail_en. One finding per keyword, kind and field; sorted by
    severity, then cost (largest first).

    Kinds (:data:`KINDS`):

    - ``url_changed`` — the page (:func:`page_of`) of the final or mobile URL changed,
      within the rows of ``current`` or since ``previous`` (a keyword in ``previous``
      and missing from ``current`` is not a finding: keywords get deleted);
    - ``new_domain`` — the change goes to another registrable domain (instead of
      ``url_changed``: ``a.cn`` → ``b.com``; ``www.a.cn`` → ``m.a.cn`` is the same site);
    - ``url_removed`` — a URL present before is empty now (checked only for accounts
      whose current export carries that column at all);
    - ``tracking_dropped`` / ``tracking_changed`` — tracking parameters (utm_*,
      bd_vid …, or any parameter whose value is a placeholder) present in the old URL
      and gone from the new one / with another value (click ids and equal
      placeholders are no change); reported besides ``url_changed``, or alone when
      only the tracking changed;
    - ``no_mobile_url`` — a Baidu keyword with a final URL but no 移动访问URL, in an
      account whose export has mobile URLs (not repeated when ``url_removed`` says it);
    - ``http`` — a current URL starting with ``http://``;
    - ``scattered_unit`` — one unit whose keywords land on more than
      ``max_unit_pages`` distinct pages (counted on the final URLs and on the mobile
      URLs, the larger); keyword and field empty.

    A URL added where there was none is not a finding.
    """
    cur = _as_state(current)
    prev = _as_state(previous) if previous is not None else None
    out: list[dict] = []
    ch = _changes(cur, prev)
    removed_mobile: set[tuple] = set()
    if not ch.empty:
        has = {f: _has_field(cur, f) for f in URL_FIELDS}
        present = {f: set(map(tuple, cur.loc[has[f].to_numpy(bool), ["platform", "account"]].to_numpy()))
                   for f in URL_FIELDS}
        for r in ch.to_dict("records"):
            old, new = r["old"], r["new"]
            if not old:
                continue   # a URL added: an improvement
            if not new:
                if (r["platform"], r["account"]) in present[r["field"]]:
                    out.append(_finding("url_removed", r))
                    if r["field"] == "mobile_final_url":
                        removed_mobile.add(tuple(r[k] for k in KEY))
                continue
            s_old, s_new = site_of(old), site_of(new)
            if s_old and s_new and s_old != s_new:
                out.append(_finding("new_domain", r))
            elif page_of(old) != page_of(new):
                out.append(_finding("url_changed", r))
            dropped, changed = _tracking_diff(old, new)
            if dropped:
                out.append(_finding("tracking_dropped", {**r, "params": dropped}))
            if changed:
                out.append(_finding("tracking_changed", {**r, "changes": changed}))

    if not cur.empty:
        recs = cur.to_dict("records")
        has_mobile = _has_field(cur, "mobile_final_url").to_numpy(bool)
        for i, r in enumerate(recs):
            for f in URL_FIELDS:
                v = r[f] or ""
                if v.lower().startswith("http://"):
                    out.append(_finding("http", {**r, "field": f, "old": "", "new": v,
                                                 "date": pd.NaT, "date_low": pd.NaT}))
            if (r["platform"] == "baidu" and has_mobile[i] and (r["final_url"] or "")
                    and not (r["mobile_final_url"] or "")
                    and tuple(r[k] for k in KEY) not in removed_mobile):
                out.append(_finding("no_mobile_url", {**r, "field": "mobile_final_url", "old": "", "new": "",
                                                      "date": pd.NaT, "date_low": pd.NaT,
                                                      "pc_url": r["final_url"]}))
        out += _scattered(cur, max_unit_pages)

    res = pd.DataFrame(out, columns=DRIFT_COLUMNS)
    for c in ("date", "date_low"):
        res[c] = pd.to_datetime(res[c]).astype("datetime64[ns]")
    for c in ("cost", "clicks", "conversions"):
        res[c] = res[c].astype(float)
    order = res["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    res = (res.assign(_s=order, _c=-res["cost"].fillna(0.0))
           .sort_values(["_s", "_c", "kind", "campaign", "ad_group", "keyword", "field"], kind="stable")
           .drop(columns=["_s", "_c"]).reset_index(drop=True))
    return res


def _scattered(state: pd.DataFrame, max_pages: int) -> list[dict]:
    out = []
    unit = ["platform", "account", "campaign", "ad_group"]
    s = state.assign(_pf=state["final_url"].fillna("").map(page_of),
                     _pm=state["mobile_final_url"].fillna("").map(page_of))
    n_pages = pd.concat([s["_pf"].where(s["_pf"] != "").groupby([s[c] for c in unit]).nunique(),
                         s["_pm"].where(s["_pm"] != "").groupby([s[c] for c in unit]).nunique()], axis=1).max(axis=1)
    wide = set(n_pages.index[n_pages > max_pages])
    if not wide:
        return out
    s = s.loc[[k in wide for k in zip(*(s[c] for c in unit))]]
    for key, d in s.groupby(unit, sort=False):
        counts = {}
        for col in ("_pf", "_pm"):
            vc = d.loc[d[col] != "", col].value_counts()
            if len(vc) > len(counts):
                counts = vc
        if len(counts) <= max_pages:
            continue
        pages = "; ".join(f"{p} ({n})" for p, n in counts.items())
        r = dict(zip(unit, key))
        r.update(keyword="", match_type="", field="", old="", new="", date=pd.NaT, date_low=pd.NaT,
                 cost=float(d["cost"].sum()), clicks=float(d["clicks"].sum()),
                 conversions=float(d["conversions"].sum()), n_pages=len(counts))
        out.append(_finding("scattered_unit", r, pages=pages))
    return out


# =====================================================================================
# Page → business line
# =====================================================================================
@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (with ü as both v and u), from pypinyin's table;
    syllables without a vowel (m, n, ng, hm …) are left out."""
    os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
    from pypinyin.constants import PINYIN_DICT
    out = set()
    for readings in PINYIN_DICT.values():
        for p in readings.split(","):
            s = unicodedata.normalize("NFD", p.strip())
            v = "".join(ch for ch in s.replace("u\u0308", "v") if not unicodedata.combining(ch))
            u = "".join(ch for ch in s if not unicodedata.combining(ch))
            for x in (v, u):
                if x.isascii() and x.isalpha() and re.search(r"[aeiouv]", x):
                    out.add(x.lower())
    return frozenset(out)


def _is_pinyin(token: str) -> bool:
    """Can ``token`` be cut into pinyin syllables?"""
    syl = _syllables()
    n = len(token)
    ok = [True] + [False] * n
    for i in range(n):
        if ok[i]:
            for j in range(i + 1, min(n, i + 6) + 1):
                if token[i:j] in syl:
                    ok[j] = True
    return ok[n]


@dataclass(frozen=True)
class _Slugs:
    """Pinyin spelling → Chinese cue, for one classifier's Chinese lexicon."""
    pinyin: dict[str, str]
    longest: int


_SLUGS: weakref.WeakKeyDictionary[Classifier, _Slugs] = weakref.WeakKeyDictionary()


def _slugs(clf: Classifier) -> _Slugs:
    got = _SLUGS.get(clf)
    if got is not None:
        return got
    os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")   # read once, at import: no private copy of its tables
    from pypinyin import lazy_pinyin
    lex = clf.lexicon("zh")
    table: dict[str, str] = {}
    # lines first: on a spelling shared by a line cue and a stage cue, the line wins
    groups = [*lex.lines.values(), *(lex.stages[s] for s in STAGE_PRECEDENCE)]
    for cues in groups:
        for cue in cues:
            if len(cue) < 2 or not re.search(r"[\u3400-\u9fff]", cue):
                continue
            syl = [s.lower() for s in lazy_pinyin(cue)]
            if len(syl) < 2 or not all(s.isascii() and s.isalnum() for s in syl):
                continue
            table.setdefault("".join(syl), cue)
    got = _Slugs(table, max((len(k) for k in table), default=0))
    _SLUGS[clf] = got
    return got


def _pinyin_cues(run: str, slugs: _Slugs) -> list[tuple[str, str]]:
    """[(spelling, Chinese cue)] found in a pinyin run, leftmost-longest."""
    out, i, n = [], 0, len(run)
    while i < n:
        for j in range(min(n, i + slugs.longest), i + 1, -1):
            cue = slugs.pinyin.get(run[i:j])
            if cue:
                out.append((run[i:j], cue))
                i = j
                break
        else:
            i += 1
    return out


def _names_line(cues: str) -> bool:
    return "line:" in cues


_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_EXT = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cgi|do|action)$", re.I)
#: path segments of home / about / contact / index pages (a page of these only is generic)
GENERIC_SEGMENTS = frozenset({
    "", "index", "default", "home", "homepage", "main", "start", "welcome", "about", "aboutus", "about-us",
    "about_us", "contact", "contactus", "contact-us", "contact_us", "lianxi", "lianxiwomen", "guanyu",
    "guanyuwomen", "jianjie", "shouye", "m", "wap", "mobile", "h5", "pc", "www", "web", "site", "lp",
    "landing", "zh", "zh-cn", "cn", "en", "services", "service", "fuwu", "our-services",
})


def _singular(tokens: list[str]) -> list[str]:
    return [t[:-1] if len(t) > 3 and t.endswith("s") and not t.endswith("ss") else t for t in tokens]


def _classify_segment(seg: str, clf: Classifier, slugs: _Slugs) -> tuple[str | None, str | None, list[str]]:
    """(line or None, stage or None, cues) of one path segment."""
    low = unicodedata.normalize("NFKC", seg).lower()
    zh_parts: list[str] = []
    cue_notes: list[str] = []
    tokens: list[str] = []
    run: list[str] = []

    def flush():
        if run:
            for spelled, cue in _pinyin_cues("".join(run), slugs):
                zh_parts.append(cue)
                cue_notes.append(f"pinyin:{spelled}={cue}")
            run.clear()

    for m in re.finditer(r"[\u3400-\u9fff]+|[a-z]+|[0-9]+", low):
        t = m.group(0)
        if _CJK_RUN.fullmatch(t):
            flush()
            zh_parts.append(t)
            cue_notes.append(f"path:{t}")
            continue
        tokens.append(t)
        if t.isalpha() and _is_pinyin(t):
            run.append(t)
        else:
            flush()
    flush()
    results = []
    if zh_parts:
        line, stage, _u, _o, cues = clf.classify_one("|".join(zh_parts))
        results.append((line if _names_line(cues) else None, stage, cues))
    if tokens:
        for toks in (tokens, _singular(tokens)):
            line, stage, _u, _o, cues = clf.classify_one(" ".join(toks))
            if _names_line(cues) or any(f"{s}:" in cues for s in STAGE_PRECEDENCE):
                results.append((line if _names_line(cues) else None, stage, cues))
                if _names_line(cues):
                    cue_notes.append(f"words:{' '.join(toks)}")
                    break
    line = next((r[0] for r in results if r[0]), None)
    stage = None
    for _l, st, cues in results:
        if (any(f"{s}:" in cues for s in STAGE_PRECEDENCE) and st in STAGE_PRECEDENCE
                and (stage is None or STAGE_PRECEDENCE.index(st) < STAGE_PRECEDENCE.index(stage))):
            stage = st
    notes = cue_notes + [c for _l, _s, cues in results for c in cues.split("; ") if c]
    return line, stage, list(dict.fromkeys(notes))


def _path_inference(url: str, clf: Classifier) -> dict:
    cleaned = clean_url(url) if isinstance(url, str) else ""
    parts = urlsplit(cleaned) if cleaned else urlsplit("")
    path = unquote(parts.path)
    segments = [s for s in path.split("/")]
    segments = [_EXT.sub("", s) for s in segments]
    query_values = [unquote(p.partition("=")[2]) for p in parts.query.split("&") if p]
    slugs = _slugs(clf)
    found = [(seg, *_classify_segment(seg, clf, slugs)) for seg in segments if seg]
    line = stage = None
    cues: list[str] = []
    for seg, l_, s_, c_ in reversed(found):          # deepest segment first
        if l_:
            line, cues = l_, c_
            stage = s_
            break
    if line is None:
        for v in query_values:
            l_, s_, c_ = _classify_segment(v, clf, slugs)
            if l_:
                line, stage, cues = l_, s_, c_
                break
    if stage is None:
        for _seg, _l, s_, c_ in reversed(found):
            if s_:
                stage = s_
                if line is None:
                    cues = c_
                break
    if line is not None and stage is None:
        stage = "core"
    generic = line is None and all(s.lower() in GENERIC_SEGMENTS for s in segments)
    return {"line": line, "stage": stage, "cues": cues, "generic": generic}


_TITLE_SPLIT = re.compile(r"\s*[-_|｜—–·:：,，、;；!！?？【】\[\]()（）<>《》]+\s*|\s{2,}")
_SENTENCE_SPLIT = re.compile(r"[。！？!?\n；;]+")
#: weights of an audit's parts: the title (shared among its pieces naming a line), an
#: h1, another heading, and all sentences of the text together
TITLE_WEIGHT, H1_WEIGHT, HEADING_WEIGHT, TEXT_WEIGHT = 3.0, 2.0, 1.0, 3.0
#: the audit names a line clearly when its best line scores at least this …
AUDIT_MIN_SCORE = 3.0
#: … and holds at least this share of all lines' scores
AUDIT_MIN_SHARE = 0.6
_MAX_SENTENCES = 400


def _site_names(audits: Iterable[PageAudit | dict]) -> dict[str, tuple[str, ...]]:
    """Site → the title pieces repeated over its audited pages (the site's name, such
    as 北京安心开锁): pieces found in the titles of at least two audited pages of the
    site and at least half of them."""
    titles: dict[str, list[set[str]]] = {}
    for a in audits:
        d = a.to_dict() if isinstance(a, PageAudit) else dict(a)
        site = site_of(d.get("final_url") or d.get("url") or "")
        pieces = {p.strip() for p in _TITLE_SPLIT.split(d.get("title") or "") if p and p.strip()}
        if site and pieces:
            titles.setdefault(site, []).append(pieces)
    out = {}
    for site, sets in titles.items():
        if len(sets) < 2:
            continue
        counts: dict[str, int] = {}
        for ps in sets:
            for p in ps:
                counts[p] = counts.get(p, 0) + 1
        names = tuple(sorted((p for p, n in counts.items() if n >= 2 and n >= len(sets) / 2), key=len,
                             reverse=True))
        if names:
            out[site] = names
    return out


def _audit_inference(audit: PageAudit | dict, clf: Classifier, site_names: Iterable[str] = ()) -> dict | None:
    a = audit.to_dict() if isinstance(audit, PageAudit) else dict(audit)
    if a.get("error") and not (a.get("title") or a.get("text")):
        return None
    names = [n for n in site_names if n]

    def strip(t: str) -> str:
        for n in names:
            t = t.replace(n, " ")
        return t.strip()

    title = strip(a.get("title") or "")
    headings = a.get("headings") or []
    body = a.get("text") or a.get("text_excerpt") or ""
    if not (title or headings or body):
        return None
    scores: dict[str, float] = {}
    stage_of: dict[str, tuple[float, str]] = {}
    cues: list[str] = []

    def add_group(text_: str, weight: float, where: str, split_title: bool = False) -> None:
        """Share ``weight`` among the line-naming pieces of ``text_`` (title pieces; the
        words of a Chinese piece listing several services, 开锁 换锁 修锁)."""
        pieces = [p.strip() for p in (_TITLE_SPLIT.split(text_) if split_title else [text_]) if p and p.strip()]
        subs = []
        for p in pieces:
            subs += p.split() if re.search(r"[\u3400-\u9fff]", p) else [p]
        named = []
        for sub in subs:
            line, stage, _u, _o, c = clf.classify_one(sub[:200])
            if _names_line(c):
                named.append((sub, line, stage))
        for sub, line, stage in named:
            w = weight / len(named)
            scores[line] = scores.get(line, 0.0) + w
            if w > stage_of.get(line, (0.0, ""))[0]:
                stage_of[line] = (w, stage)
            cues.append(f"{where}:{sub[:40]}→{line}")

    add_group(title, TITLE_WEIGHT, "title", split_title=True)
    for h in headings:
        tag, txt = (h[0], h[1]) if isinstance(h, (list, tuple)) and len(h) >= 2 else ("h2", str(h))
        tag = str(tag).lower()
        add_group(strip(str(txt)), H1_WEIGHT if tag == "h1" else HEADING_WEIGHT, tag)
    sentences = [strip(x) for x in _SENTENCE_SPLIT.split(body) if x.strip()][:_MAX_SENTENCES]
    text_hits: dict[str, int] = {}
    for x in sentences:
        line, _st, _u, _o, c = clf.classify_one(x[:200])
        if _names_line(c):
            text_hits[line] = text_hits.get(line, 0) + 1
    total_hits = sum(text_hits.values())
    for line, n in text_hits.items():
        scores[line] = scores.get(line, 0.0) + TEXT_WEIGHT * n / max(total_hits, 3)
    if text_hits:
        cues.append("text:" + ", ".join(f"{k}×{v}" for k, v in sorted(text_hits.items(), key=lambda x: -x[1])))
    if not scores:
        return {"line": None, "stage": None, "cues": cues, "share": None, "clear": False, "lines": {}}
    best = max(scores, key=lambda k: scores[k])
    share = scores[best] / sum(scores.values())
    clear = scores[best] >= AUDIT_MIN_SCORE and share >= AUDIT_MIN_SHARE
    return {"line": best if clear else None, "stage": stage_of.get(best, (0, None))[1] if clear else None,
            "cues": cues, "share": round(share, 3), "clear": clear,
            "lines": {k: round(v, 2) for k, v in scores.items()}}


def infer_page(url: str, clf: Classifier, audit: PageAudit | dict | None = None,
               site_names: Iterable[str] = ()) -> dict:
    """A landing page's business line and stage, from its URL and, when given, its audit.

    Returns a dict: ``url`` (as given), ``page`` (:func:`page_of`), ``business_line``
    (a line of ``clf``'s vertical, or None), ``stage`` (core / phone / price /
    company / consult, or None when nothing says), ``generic`` (True for a home,
    about, contact or all-services page: never a mismatch), ``cues`` (why, e.g.
    ``["pinyin:huansuo=换锁", "line:换锁"]``), ``source`` (``"path"`` or ``"audit"``:
    which one decided), ``path_line``, ``audit_line`` (the audit's best line when it
    names one clearly), ``audit_scores`` (line → score). How path and audit combine:
    see the module docstring (a clear audit wins; else the path; an audit naming
    several lines and a path naming none make a generic page). ``site_names``: the
    site's name as its titles write it (北京安心开锁), removed from the audit's text
    before it is read: a locksmith's name names the main line on every page
    (:func:`keyword_page_match` finds the names over the audits it is given).
    """
    p = _path_inference(url, clf)
    out = {"url": url, "page": page_of(url), "business_line": p["line"], "stage": p["stage"],
           "generic": bool(p["generic"]), "cues": list(p["cues"]), "source": "path",
           "path_line": p["line"], "audit_line": None, "audit_scores": {}}
    if audit is None:
        return out
    a = _audit_inference(audit, clf, site_names)
    if a is None:
        return out
    out["audit_scores"] = a["lines"]
    if a["clear"]:
        out.update(business_line=a["line"], stage=a["stage"] or p["stage"], generic=False,
                   cues=[*a["cues"], *p["cues"]], source="audit", audit_line=a["line"])
    elif p["line"] is None and a["lines"]:
        out.update(generic=True, cues=[*a["cues"], *p["cues"]], source="audit")
    return out


# =====================================================================================
# Keyword → page match
# =====================================================================================
MATCH_COLUMNS = [*KEY, "business_line", "stage", "line_named", "url", "final_url", "mobile_final_url",
                 "page_line", "page_stage", "page_source", "page_generic", "page_cues", "match",
                 "reason_zh", "reason_en", "impressions", "clicks", "cost", "conversions"]


def _audit_lookup(audits: Mapping[str, PageAudit | dict] | None) -> dict[str, PageAudit | dict]:
    out: dict[str, PageAudit | dict] = {}
    for k, a in (audits or {}).items():
        key = page_of(k)
        if key:
            out.setdefault(key, a)
    return out


def keyword_page_match(rows: pd.DataFrame, clf: Classifier,
                       audits: Mapping[str, PageAudit | dict] | None = None,
                       prefer: str = "mobile") -> pd.DataFrame:
    """One row per keyword (latest URLs, :func:`url_state`): does its landing page
    belong to its business line?

    Columns :data:`MATCH_COLUMNS`: the keyword key; ``business_line``, ``stage`` (the
    keyword's, by ``clf``), ``line_named`` (the keyword names its line; one that does
    not falls to the vertical's main line and is not judged); ``url`` (the page key
    judged: the first mismatching page, else the landing page, ``prefer`` as in
    :func:`page_performance`); ``final_url``, ``mobile_final_url`` (raw);
    ``page_line``, ``page_stage``, ``page_source``, ``page_generic``, ``page_cues``
    (:func:`infer_page` of ``url``); ``match`` (True, False, or None when the
    keyword names no line or no page names one: generic or unknown pages);
    ``reason_zh``, ``reason_en``; the keyword's impressions, clicks, cost,
    conversions. ``audits``: URL (any form; matched by :func:`page_of`) → audit.
    Both of a keyword's pages (mobile and PC) are checked: a mismatch on either
    counts. ``rows``: canonical rows, or their :func:`url_state` when the caller has it.
    """
    state = _as_state(rows)
    if state.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in MATCH_COLUMNS})
    labels = label_keywords(clf, state["keyword"], state["campaign"])
    by_page = _audit_lookup(audits)
    names = _site_names(by_page.values())
    memo: dict[str, dict] = {}

    def page_info(url: str) -> dict | None:
        key = page_of(url)
        if not key:
            return None
        if key not in memo:
            memo[key] = infer_page(url, clf, by_page.get(key), names.get(site_of(url), ()))
        return memo[key]

    landing = _landing(state["final_url"], state["mobile_final_url"], prefer).to_numpy(object)
    recs = []
    lab = list(zip(labels["business_line"].tolist(), labels["stage"].tolist(), labels["cues"].tolist()))
    for i, r in enumerate(state.to_dict("records")):
        kw_line, kw_stage, cues = lab[i]
        named = _names_line(cues)
        urls = [landing[i]] + [u for u in (r["mobile_final_url"], r["final_url"]) if u and u != landing[i]]
        infos = [(u, page_info(u)) for u in urls if u]
        infos = [(u, x) for u, x in infos if x is not None]
        judged = infos[0] if infos else (landing[i], None)
        match = None
        if named and infos:
            known = [(u, x) for u, x in infos if x["business_line"]]
            bad = [(u, x) for u, x in known if x["business_line"] != kw_line]
            if bad:
                match, judged = False, bad[0]
            elif known:
                match, judged = True, known[0]
        info = judged[1] or {}
        page = info.get("page", page_of(judged[0]) if judged[0] else "")
        zh, en = _match_reason(r["keyword"], kw_line, named, page, info, match)
        recs.append({**{k: r[k] for k in KEY}, "business_line": kw_line, "stage": kw_stage, "line_named": named,
                     "url": page, "final_url": r["final_url"], "mobile_final_url": r["mobile_final_url"],
                     "page_line": info.get("business_line"), "page_stage": info.get("stage"),
                     "page_source": info.get("source"), "page_generic": info.get("generic"),
                     "page_cues": "; ".join(info.get("cues", [])), "match": match,
                     "reason_zh": zh, "reason_en": en, "impressions": r["impressions"], "clicks": r["clicks"],
                     "cost": r["cost"], "conversions": r["conversions"]})
    out = pd.DataFrame(recs, columns=MATCH_COLUMNS)
    out["match"] = out["match"].astype(object)
    return out


def bare_keyword(keyword: str) -> str:
    """A keyword without the match-type marks Google writes around it (``"locksmith"``
    phrase, ``[car lockout]`` exact, ``+broad`` modifier), for quoting it in a sentence."""
    text = keyword.strip()
    if len(text) >= 2 and (text[0], text[-1]) in (('"', '"'), ("[", "]")):
        text = text[1:-1].strip()
    return re.sub(r"(^|\s)\+(?=\S)", r"\1", text)


def _match_reason(keyword: str, line: str, named: bool, page: str, info: dict, match) -> tuple[str, str]:
    path = _path_of_page(page) if page else ""
    src_zh = "页面内容" if info.get("source") == "audit" else "网址"
    src_en = "its content" if info.get("source") == "audit" else "its address"
    if not page:
        return "没有落地页网址。", "No landing URL."
    keyword = bare_keyword(keyword)
    line_en = line_label(line, "en")
    if not named:
        return (f"关键词「{keyword}」没有点明业务，不作判断。",
                f'Keyword "{keyword}" names no business line; not judged.')
    if match is True:
        return (f"关键词「{keyword}」属于{line}，落地页 {path} 也是{line}页（依据{src_zh}）。",
                f'Keyword "{keyword}" is about {line_en} and so is its landing page {path} (from {src_en}).')
    if match is False:
        pl = info.get("business_line")
        pl_en = line_label(pl, "en")
        return (f"关键词「{keyword}」属于{line}，但落地页 {path} 是{pl}页（依据{src_zh}）："
                f"搜索{line}的人看到的是{pl}的内容，建议换成{line}页面。",
                f'Keyword "{keyword}" is about {line_en}, but its landing page {path} is a {pl_en} page '
                f"(from {src_en}): searchers for {line_en} land on {pl_en} content. Point it to a {line_en} page.")
    if info.get("generic"):
        return (f"落地页 {path} 是首页或综合页，不算错配；专门的{line}页面通常转化更好。",
                f"The landing page {path} is a home or all-services page: not a mismatch, though a "
                f"dedicated {line_en} page usually converts better.")
    return (f"无法从落地页 {path} 判断它属于哪个业务（可先做页面检查）。",
            f"Cannot tell which business line the landing page {path} is for (audit the page to know).")


def mismatch_summary(match_df: pd.DataFrame) -> pd.DataFrame:
    """The mismatches of :func:`keyword_page_match` by (keyword line → page).

    One row per (platform, account, business_line, page_line, url): keywords
    (count), clicks, cost, conversions, examples (up to three keywords by cost,
    ``、``-joined), label_zh / label_en (``换锁 关键词 → /kaisuo.html`` /
    ``换锁 keywords → /kaisuo.html``). Sorted by cost, largest first.
    """
    cols = ["platform", "account", "business_line", "page_line", "url", "keywords", "clicks", "cost",
            "conversions", "examples", "label_zh", "label_en"]
    bad = match_df.loc[match_df["match"].eq(False).fillna(False).astype(bool)] if len(match_df) else match_df
    if bad.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    rows = []
    for key, d in bad.groupby(["platform", "account", "business_line", "page_line", "url"], sort=False):
        d = d.sort_values("cost", ascending=False, na_position="last")
        path = _path_of_page(key[4])
        rows.append({"platform": key[0], "account": key[1], "business_line": key[2], "page_line": key[3],
                     "url": key[4], "keywords": len(d), "clicks": float(d["clicks"].sum()),
                     "cost": float(d["cost"].sum()), "conversions": float(d["conversions"].sum()),
                     "examples": "、".join(d["keyword"].head(3)),
                     "label_zh": f"{key[2]} 关键词 → {path}", "label_en": f"{key[2]} keywords → {path}"})
    return pd.DataFrame(rows, columns=cols).sort_values("cost", ascending=False, ignore_index=True)


# =====================================================================================
# Performance by page
# =====================================================================================
def _page_frame(rows: pd.DataFrame, prefer: str) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    """Keyword rows that have a URL, with their page key; and Baidu's partial last day.

    Platform, account, page and url are categoricals (their texts, a few bytes a row);
    campaign, ad_group, keyword and match_type are codes (:func:`optimizer.reading.schema.text_codes`:
    equal codes, equal texts): a million keyword-days cost about 60 MB, not a copy of
    the rows. The URL is chosen as :func:`_landing` does, on each distinct URL once."""
    kw = _keyword_rows(rows, [*KEY, "device", *URL_FIELDS, "date", "impressions", "clicks", "cost",
                              "conversions"])
    if kw.empty:
        return pd.DataFrame(columns=[*KEY, "page", "url", "date", "impressions", "clicks", "cost",
                                     "conversions"]), None
    if prefer not in ("mobile", "final"):
        raise ValueError(f"prefer must be 'mobile' or 'final', got {prefer!r}")
    f_codes, f_vals = text_codes(kw["final_url"], strip=True)
    m_codes, m_vals = text_codes(kw["mobile_final_url"], strip=True)
    if prefer == "mobile":
        use_mobile = m_vals[m_codes] != ""
        if "device" in kw:
            d_codes, d_vals = text_codes(kw["device"])
            use_mobile &= (d_vals != "pc")[d_codes]
    else:
        use_mobile = np.zeros(len(kw), bool)
    # one code space over both columns' distinct URLs, then each distinct URL's page key once
    urls, inverse = np.unique(np.concatenate([f_vals, m_vals]), return_inverse=True)
    url_codes = np.where(use_mobile, inverse[len(f_vals) + m_codes], inverse[f_codes]).astype(np.int32)
    pages, page_of_url = np.unique(np.array([page_of(u) for u in urls], dtype=object), return_inverse=True)
    page_codes = page_of_url[url_codes].astype(np.int32)
    keep = (pages != "")[page_codes]   # rows without a URL are left out, not copied out after

    def cat(codes: np.ndarray, values: np.ndarray) -> pd.Categorical:
        return pd.Categorical.from_codes(codes[keep], pd.Index(values, dtype=object))

    cols: dict[str, object] = {}
    for k in KEY:
        codes, values = text_codes(kw[k])
        cols[k] = cat(codes, values) if k in ("platform", "account") else codes[keep]
    cols["page"] = cat(page_codes, pages)
    cols["url"] = cat(url_codes, urls)
    cols["date"] = pd.to_datetime(kw["date"]).to_numpy("datetime64[ns]")[keep]
    for m in ("impressions", "clicks", "cost", "conversions"):
        cols[m] = kw[m].to_numpy(float)[keep]
    return pd.DataFrame(cols, copy=False), partial_last_day(kw)


@dataclass(frozen=True)
class PageRows:
    """Keyword rows keyed by landing page (:func:`page_rows`), built once and shared by
    :func:`page_performance`, :func:`page_series` and :func:`page_drops`."""

    frame: pd.DataFrame
    partial_day: pd.Timestamp | None
    prefer: str


def page_rows(rows: pd.DataFrame, prefer: str = "mobile") -> PageRows:
    """The canonical rows' keyword rows keyed by landing page (``prefer`` as in
    :func:`page_performance`), for passing to several of this module's page functions."""
    frame, pday = _page_frame(rows, prefer)
    return PageRows(frame, pday, prefer)


def _as_page_rows(rows: pd.DataFrame | PageRows, prefer: str) -> PageRows:
    if isinstance(rows, PageRows):
        if rows.prefer != prefer:
            raise ValueError(f"these page rows were built with prefer={rows.prefer!r}, not {prefer!r}")
        return rows
    return page_rows(rows, prefer)


def _text_keys(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` with the categorical ``columns`` as plain text (object) columns."""
    return frame.assign(**{c: frame[c].astype(object) for c in columns if c in frame.columns})


PERFORMANCE_COLUMNS = ["platform", "account", "page", "url", "impressions", "clicks", "cost", "conversions",
                       "cvr", "cpa", "cost_share", "n_keywords", "n_campaigns", "first_day", "last_day",
                       "partial_day"]


def page_performance(rows: pd.DataFrame | PageRows, prefer: str = "mobile") -> pd.DataFrame:
    """Performance per landing page (keyword-report rows).

    One row per (platform, account, page key), columns :data:`PERFORMANCE_COLUMNS`:
    ``url`` (the most-clicked raw URL of the page), impressions, clicks, cost,
    conversions (all rows), ``cvr`` = conversions / clicks and ``cpa`` = cost /
    conversions over the rows *without* Baidu's partial last day (``partial_day``,
    NaT when there is none), ``cost_share`` within the account, ``n_keywords``,
    ``n_campaigns``, ``first_day``, ``last_day``. ``prefer``: which URL a row's
    clicks are counted on (module docstring, "Pages and keys"). Rows without a URL
    are left out. Sorted by cost, largest first. ``rows``: canonical rows, or
    :func:`page_rows` of them.
    """
    pr = _as_page_rows(rows, prefer)
    frame, pday = pr.frame, pr.partial_day
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PERFORMANCE_COLUMNS})
    grp = ["platform", "account", "page"]
    # one int64 per row for (platform, account, page), and every figure summed over it
    # (schema.dense_key): a groupby over three keys of a million rows costs several
    # times more than over one
    gid = np.unique(dense_key([frame[c].cat.codes.to_numpy() for c in grp]), return_inverse=True)[1]
    n_pages = int(gid.max()) + 1
    first = np.empty(n_pages, dtype=np.int64)
    first[gid[::-1]] = np.arange(len(gid) - 1, -1, -1)   # each page's first row
    complete = np.ones(len(frame), dtype=bool)
    if pday is not None:
        complete = ~((frame["platform"] == "baidu").to_numpy(bool) & (frame["date"] == pday).to_numpy(bool))

    def total(values: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Sum per page with min_count=1 (NaN when no row of the page has a value)."""
        return group_sum(gid, values if rows is None else np.where(rows, values, np.nan), n_pages)

    def distinct(*columns: str) -> np.ndarray:
        """How many distinct values of ``columns`` each page has."""
        at = np.unique(dense_key([gid, *(frame[c].to_numpy() for c in columns)]), return_index=True)[1]
        return np.bincount(gid[at], minlength=n_pages)

    out = pd.DataFrame({c: frame[c].to_numpy()[first] for c in grp})
    for m in ("impressions", "clicks", "cost", "conversions"):
        out[m] = total(frame[m].to_numpy(float))
    done = {m: total(frame[m].to_numpy(float), complete) for m in ("clicks", "cost", "conversions")}
    out["cvr"] = done["conversions"] / np.where(done["clicks"] > 0, done["clicks"], np.nan)
    out["cpa"] = done["cost"] / np.where(done["conversions"] > 0, done["conversions"], np.nan)
    out["n_keywords"] = distinct("campaign", "ad_group", "keyword", "match_type")
    out["n_campaigns"] = distinct("campaign")
    days = pd.Series(frame["date"].to_numpy()).groupby(gid, sort=True)
    out["first_day"] = days.min().to_numpy()
    out["last_day"] = days.max().to_numpy()
    # the most-clicked raw URL of each page (the first seen on a tie)
    _, at, inv = np.unique(dense_key([gid, frame["url"].cat.codes.to_numpy()]), return_index=True,
                           return_inverse=True)
    clicks = np.bincount(inv, weights=np.nan_to_num(frame["clicks"].to_numpy(float)), minlength=len(at))
    pair_page = gid[at]
    best = np.lexsort((at, -clicks, pair_page))
    best = best[np.r_[True, pair_page[best][1:] != pair_page[best][:-1]]]
    out["url"] = frame["url"].to_numpy()[at[best]]
    acct_cost = out.groupby(["platform", "account"])["cost"].transform("sum")
    out["cost_share"] = out["cost"] / acct_cost.where(acct_cost > 0)
    out["partial_day"] = pday if pday is not None else pd.NaT
    out["partial_day"] = pd.to_datetime(out["partial_day"])
    out = _text_keys(out, ["platform", "account", "page", "url"])
    return out.sort_values("cost", ascending=False, ignore_index=True)[PERFORMANCE_COLUMNS]


def page_series(rows: pd.DataFrame | PageRows, prefer: str = "mobile") -> pd.DataFrame:
    """Daily clicks, cost, conversions, CPC, CVR, CPA per landing page, in
    :data:`optimizer.drift.scan.SERIES_COLUMNS` shape so that
    ``drift.detect(page_series(rows), ["cvr", "cpa"])`` works unchanged.

    level ``"page"``; entity the page key (``account / page`` when one page key
    serves several accounts); campaign ``""``. Built like
    :func:`optimizer.drift.scan.daily_series`: keyword-report rows, Baidu's partial last day
    dropped (``attrs["dropped_partial_day"]``), each page from its first day to its
    account's last day with the days between zero-filled (conversions stay NaN for a
    page whose report carries none), undated rows ignored. ``attrs["pages"]``: entity
    → page key. ``rows``: canonical rows, or :func:`page_rows` of them.
    """
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in SERIES_COLUMNS})
    empty.attrs["dropped_partial_day"] = None
    pr = _as_page_rows(rows, prefer)
    frame, pday = pr.frame, pr.partial_day
    keep = frame["date"].notna().to_numpy(bool, copy=True)
    if pday is not None:
        keep &= ~((frame["platform"] == "baidu").to_numpy(bool) & (frame["date"] == pday).to_numpy(bool))
    empty.attrs["dropped_partial_day"] = pday
    if not keep.any():
        return empty
    keys = ["platform", "account", "page"]
    # summed per page and day on the categoricals' codes (drift.daily_sums), then named
    coded = pd.DataFrame({**{k: frame[k].cat.codes.to_numpy()[keep] for k in keys},
                          **{c: frame[c].to_numpy()[keep] for c in ("date", "clicks", "cost", "conversions")}},
                         copy=False)
    daily = drift.daily_sums(coded, keys)
    del coded
    daily = daily.assign(**{k: frame[k].cat.categories.to_numpy(object)[daily[k].to_numpy()] for k in keys})
    pages = daily[keys].drop_duplicates()
    shared = pages.groupby("page")["account"].transform("size") > 1
    names = {tuple(k): (f"{k[1] or k[0]} / {k[2]}" if s else k[2])
             for k, s in zip(pages.itertuples(index=False, name=None), shared)}
    out = drift.series_from_rows(daily, keys, names, "page")
    out.attrs["dropped_partial_day"] = pday
    out.attrs["pages"] = {name: k[2] for k, name in names.items()}   # entity → page key
    return out


def page_drops(rows: pd.DataFrame | PageRows, alpha: float = 0.05, baseline_days: int = 28, min_days: int = 7,
               metrics: str | Sequence[str] = ("cvr",), prefer: str = "mobile",
               series: pd.DataFrame | None = None) -> pd.DataFrame:
    """CVR drops by landing page: :func:`optimizer.drift.scan.detect` of :func:`page_series`.

    The rows of ``detect`` (:data:`optimizer.drift.scan.RESULT_COLUMNS`: level, entity,
    metric, status, start, before, after, change, ci_low, ci_high, p_value, q_value,
    money_at_stake, days_after, note, start_low, start_high) plus ``page`` (the page
    key), ``platform``, ``account`` and ``drop`` (flagged and worse: CVR down, or CPA /
    CPC up). Sorted: flagged drops first, then the other flags, then the rest, each by
    money at stake (``detect``'s order otherwise). Benjamini–Hochberg runs over the
    pages and metrics of this call. ``series``: :func:`page_series` of ``rows`` when
    the caller has it already (``rows`` is then not read).
    """
    metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    series = page_series(rows, prefer) if series is None else series
    res = detect(series, list(metrics), baseline_days=baseline_days, min_days=min_days, alpha=alpha)
    ent = series.drop_duplicates("entity").set_index("entity") if len(series) else None
    pages = series.attrs.get("pages", {})
    res["page"] = res["entity"].map(lambda e: pages.get(e, e))
    res["platform"] = res["entity"].map(ent["platform"]) if ent is not None else pd.Series(dtype=object)
    res["account"] = res["entity"].map(ent["account"]) if ent is not None else pd.Series(dtype=object)
    worse = np.where(res["metric"] == "cvr", res["change"] < 0,
                     res["metric"].isin(["cpa", "cpc"]) & (res["change"] > 0))
    res["drop"] = (res["status"] == "flag").to_numpy(bool) & np.asarray(worse, bool)
    rank = np.where(res["drop"], 0, np.where(res["status"] == "flag", 1, 2))
    res = (res.assign(_r=rank, _i=np.arange(len(res))).sort_values(["_r", "_i"], kind="stable")
           .drop(columns=["_r", "_i"]).reset_index(drop=True))
    return res
