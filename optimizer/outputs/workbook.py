"""The recommendations workbook (openpyxl) and the same sheets as CSV.

:func:`write_workbook` writes an :class:`optimizer.analysis.summary.Analysis` as one Excel
workbook: the summary first (what to do first, ranked by money at stake), then one
sheet per finding — keyword stages, the stage table, structure fixes, negative
keywords, proposed bundles and their plans, CPC keywords, split candidates, cost
drift with its explanation, bundles against target, compensation, landing pages,
URL changes and issues, and — when changes downloaded from the product were logged — the
change log with each change's effect (:data:`SHEETS` lists every sheet and column).

Spreadsheet craft: a bold, filled, wrapped header row, frozen, with an autofilter
over the table; money as numbers with the account's currency symbol
(``"¥"#,##0.00``), rates as numbers shown as percentages (``0.00%``), counts as
``#,##0``, days as real dates (``yyyy-mm-dd``); column widths from the content (a
CJK character counts as two); severity colours as direct fills (high red, medium
amber, low grey, saving green; landing pages' red / amber / green / grey); sheet
names, headers and texts in the user's language (:mod:`optimizer.outputs.sheet_text`,
code names from :mod:`optimizer.i18n`).

Every text cell goes through :func:`optimizer.outputs.report.neutralise` (a search term is
whatever a stranger typed: ``=HYPERLINK(…)`` must never run) and is written as a
string cell (so that text such as ``#N/A`` is not taken for an error value either);
characters XML cannot hold (control characters other than tab, newline and carriage
return) are removed.

:func:`sheet_frames` gives the sheets as DataFrames with translated headers and
values (what both writers write); :func:`sheet_csvs` the same as CSV bytes, UTF-8
with BOM, neutralised (:func:`optimizer.outputs.report.to_csv_bytes`), numbers written as the
workbook shows them (:func:`csv_decimals`): counts as integers, money to the cent,
rates to 4 decimals (as fractions), days of spend to 1.

The workbook is written in openpyxl's write-only (streaming) mode: memory stays
flat whatever the number of rows. Excel holds 1,048,576 rows a sheet; longer
tables are cut there, with a note on the summary sheet.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from optimizer.i18n import (AD_FINDING, BID_DECISION, BID_TARGET_SOURCE, BUNDLE_KIND, COMPENSATION_STATUS, CURRENCY_SYMBOL, DRIFT_STATUS, LEVEL, METRIC, PLATFORM,
                   SEVERITY, STAGE, TARGET_STATUS, URL_DRIFT_KIND, account_label, code_name, drift_note,
                   explain_cues, money)
from optimizer.keywords.lexicon import line_labels, vertical_name
from optimizer.outputs.report import neutralise, to_csv_bytes
from optimizer.outputs.sheet_text import SHEET_TEXT, st

if TYPE_CHECKING:
    from optimizer.analysis.summary import Analysis

EXCEL_MAX_ROWS = 1_048_576
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Col:
    """One column of a sheet: the frame's ``field``, its header key (``col.*`` of
    :mod:`optimizer.outputs.sheet_text`) and its kind:

    ``text`` as is; ``lang`` the ``<field>_<lang>`` column; ``line`` business lines (one
    or 、-joined) named in the language (开锁 is Lockout); ``entity`` a drift flag's
    entity as :func:`optimizer.drift.alerts.entity_label` names it; ``code`` a code shown by
    name (``table``: a code table of :mod:`optimizer.i18n`, or a ``sheet_text``
    prefix such as ``"issue."``); ``bool`` 是/否 · Yes/No; ``cues`` the cue string in
    words; ``note`` a drift note in words; ``money`` currency; ``int`` ``#,##0``;
    ``count`` ``#,##0`` or ``#,##0.00`` when some values are fractional; ``num``
    ``#,##0.00``; ``days`` (days of spend) ``#,##0.0``; ``ratio`` ``0.00``; ``pct`` ``0.00%``; ``p`` ``0.0000``; ``date``
    ``yyyy-mm-dd``; ``metric_value`` a drift value: percentage for CVR rows, else
    currency. ``fill``: the colours of the cell by code (see :data:`FILLS`).
    """

    field: str
    header: str
    kind: str = "text"
    table: object = None
    fill: str | None = None
    wrap: bool = False


#: fills by colour name: (background, font colour)
COLOURS = {"red": ("FFC7CE", "9C0006"), "amber": ("FFEB9C", "9C5700"), "grey": ("EDEDED", "595959"),
           "green": ("C6EFCE", "006100")}
#: colour of a code, per kind of coloured column
FILLS: dict[str, dict[str, str]] = {
    "severity": {"high": "red", "medium": "amber", "low": "grey", "saving": "green"},
    "landing": {"red": "red", "amber": "amber", "green": "green", "grey": "grey"},
    "target": {"over_target": "red", "within_target": "green", "learning": "grey"},
    "compensation": {"eligible": "green", "at_risk": "amber", "not_eligible": "grey"},
}

_S = "severity"
SHEETS: dict[str, list[Col]] = {
    "summary": [Col("rank", "col.rank", "int"), Col("severity", "col.severity", "code", SEVERITY, _S),
                Col("kind", "col.kind", "code", "kind."), Col("action", "col.action", "lang", wrap=True),
                Col("money_at_stake", "col.money_at_stake", "money"), Col("basis", "col.basis", "lang"),
                Col("count", "col.count", "int"), Col("sheet", "col.sheet", "code", "sheet.")],
    "keywords": [Col("keyword", "col.keyword"), Col("campaign", "col.campaign"), Col("ad_group", "col.ad_group"),
                 Col("business_line", "col.business_line", "line"), Col("stage", "col.stage", "code", STAGE),
                 Col("urgency", "col.urgency", "bool"), Col("off_target", "col.off_target", "bool"),
                 Col("cost", "col.cost", "money"), Col("clicks", "col.clicks", "count"),
                 Col("conversions", "col.conversions", "count"), Col("cvr", "col.cvr", "pct"),
                 Col("cpa", "col.cpa", "money"), Col("cues", "col.cues", "cues", wrap=True)],
    "stages": [Col("stage", "col.stage", "code", STAGE), Col("business_line", "col.business_line", "line"),
               Col("keywords", "col.keywords", "int"), Col("impressions", "col.impressions", "count"),
               Col("clicks", "col.clicks", "count"), Col("cost", "col.cost", "money"),
               Col("conversions", "col.conversions", "count"), Col("ctr", "col.ctr", "pct"),
               Col("cvr", "col.cvr", "pct"), Col("cvr_low", "col.cvr_low", "pct"),
               Col("cvr_high", "col.cvr_high", "pct"), Col("cpa", "col.cpa", "money"),
               Col("cost_share", "col.cost_share", "pct")],
    "structure": [Col("campaign", "col.campaign"), Col("ad_group", "col.ad_group"), Col("keyword", "col.keyword"),
                  Col("business_line", "col.business_line", "line"), Col("stage", "col.stage", "code", STAGE),
                  Col("unit_line", "col.unit_line", "line"), Col("unit_stage", "col.unit_stage", "code", STAGE),
                  Col("issue", "col.issue", "code", "issue."), Col("cost", "col.cost", "money"),
                  Col("conversions", "col.conversions", "count")],
    "negatives": [Col("search_term", "col.search_term"), Col("negative_match", "col.negative_match", "code", "neg."),
                  Col("cost", "col.cost", "money"), Col("clicks", "col.clicks", "count"),
                  Col("impressions", "col.impressions", "count"), Col("conversions", "col.conversions", "count"),
                  Col("reason", "col.reason", "cues", wrap=True), Col("keywords", "col.triggered_by", wrap=True),
                  Col("campaigns", "col.plans", wrap=True)],
    "bundles": [Col("bundle", "col.bundle"), Col("kind", "col.bundle_kind", "code", BUNDLE_KIND),
                Col("business_lines", "col.business_lines", "line"), Col("plans", "col.plans", wrap=True),
                Col("n_plans", "col.n_plans", "int"), Col("conversions", "col.conversions", "count"),
                Col("cost", "col.cost", "money"), Col("clicks", "col.clicks", "count"), Col("cvr", "col.cvr", "pct"),
                Col("cpa", "col.cpa", "money"), Col("target_cpa", "col.target_cpa", "money"),
                Col("cpa_ratio", "col.cpa_ratio", "ratio"), Col("cvr_ratio", "col.cvr_ratio", "ratio"),
                Col("conv_per_day", "col.conv_per_day", "num"),
                Col("meets_threshold", "col.meets_threshold", "bool"),
                Col("within_limits", "col.within_limits", "bool"),
                Col("rule_total_30", "col.rule_total_30", "bool"), Col("rule_total_20", "col.rule_total_20", "bool"),
                Col("rule_daily_10x3", "col.rule_daily_10x3", "bool"),
                Col("rule_daily_30x3", "col.rule_daily_30x3", "bool"),
                Col("reason", "col.reason", "lang", wrap=True)],
    "plans": [Col("campaign", "col.campaign"), Col("business_line", "col.business_line", "line"),
              Col("bundle", "col.bundle"), Col("bundle_kind", "col.bundle_kind", "code", BUNDLE_KIND),
              Col("cost", "col.cost", "money"), Col("clicks", "col.clicks", "count"),
              Col("conversions", "col.conversions", "count"), Col("days", "col.days", "int"),
              Col("conv_per_day", "col.conv_per_day", "num"), Col("cpc", "col.cpc", "money"),
              Col("cvr", "col.cvr", "pct"), Col("cvr_shrunk", "col.cvr_shrunk", "pct"),
              Col("cvr_low", "col.cvr_low", "pct"), Col("cvr_high", "col.cvr_high", "pct"),
              Col("cpa", "col.cpa", "money"), Col("cpa_shrunk", "col.cpa_shrunk", "money"),
              Col("cpa_low", "col.cpa_low", "money"), Col("cpa_high", "col.cpa_high", "money"),
              Col("thin", "col.thin", "bool")],
    "cpc_keywords": [Col("keyword", "col.keyword"), Col("campaign", "col.campaign"),
                     Col("business_line", "col.business_line", "line"), Col("stage", "col.stage", "code", STAGE),
                     Col("conversions", "col.conversions", "count"), Col("conv_share", "col.conv_share", "pct"),
                     Col("clicks", "col.clicks", "count"), Col("click_share", "col.click_share", "pct"),
                     Col("avg_position", "col.avg_position", "num"),
                     Col("impression_share", "col.impression_share", "pct"),
                     Col("reason", "col.reason", "lang", wrap=True)],
    "bids": [Col("campaign", "col.campaign"), Col("ad_group", "col.ad_group"), Col("keyword", "col.keyword"),
             Col("match_type", "col.match_type"), Col("line", "col.business_line", "line"),
             Col("decision", "col.decision", "code", BID_DECISION), Col("bid", "col.bid", "money"),
             Col("recommended_bid", "col.recommended_bid", "money"), Col("change_pct", "col.change_pct", "pct"),
             Col("money", "col.bid_money", "money"), Col("money_basis", "col.money_basis", "code", "basis."),
             Col("above_target", "col.above_target", "money"),
             Col("clicks", "col.clicks", "count"), Col("cost", "col.cost", "money"),
             Col("conversions", "col.conversions", "count"), Col("cvr_raw", "col.cvr", "pct"),
             Col("cvr_shrunk", "col.cvr_shrunk", "pct"), Col("target_cpa", "col.target_cpa", "money"),
             Col("target_source", "col.target_source", "code", BID_TARGET_SOURCE),
             Col("target_bid", "col.target_bid", "money"), Col("capped", "col.capped", "bool"),
             Col("reason", "col.reason", "lang", wrap=True)],
    "splits": [Col("bundle", "col.bundle"), Col("campaign", "col.campaign"), Col("split", "col.split", "bool"),
               Col("conversions", "col.conversions", "count"), Col("cpa", "col.cpa", "money"),
               Col("rest_cpa", "col.rest_cpa", "money"), Col("cvr", "col.cvr", "pct"),
               Col("rest_cvr", "col.rest_cvr", "pct"), Col("cpa_vs_rest", "col.cpa_vs_rest", "ratio"),
               Col("driver", "col.driver", "code", "driver."), Col("p_value", "col.p_value", "p"),
               Col("q_value", "col.q_value", "p"), Col("target_cpa", "col.target_cpa", "money"),
               Col("bundle_cpa", "col.bundle_cpa", "money"), Col("reason", "col.reason", "lang", wrap=True)],
    "drift": [Col("severity", "col.severity", "code", SEVERITY, _S),
              Col("status", "col.status", "code", DRIFT_STATUS), Col("headline", "col.headline", "lang", wrap=True),
              Col("level", "col.level", "code", LEVEL), Col("entity", "col.entity", "entity"),
              Col("metric", "col.metric", "code", METRIC), Col("start", "col.start", "date"),
              Col("start_low", "col.start_low", "date"), Col("start_high", "col.start_high", "date"),
              Col("alarm", "col.alarm", "date"), Col("before", "col.before", "metric_value"), Col("after", "col.after", "metric_value"),
              Col("change", "col.change", "pct"), Col("ci_low", "col.ci_low", "pct"),
              Col("ci_high", "col.ci_high", "pct"), Col("money_at_stake", "col.money_at_stake", "money"),
              Col("days_of_spend", "col.days_of_spend", "days"), Col("days_after", "col.days_after", "int"),
              Col("group", "col.group"), Col("folded_under", "col.folded_under"),
              Col("named_by", "col.named_by"), Col("explanation", "col.explanation", "lang", wrap=True),
              Col("cpa_before", "col.cpa_before", "money"), Col("cpa_after", "col.cpa_after", "money"),
              Col("cpc_change", "col.cpc_change", "pct"), Col("cvr_change", "col.cvr_change", "pct"),
              Col("share_cpc", "col.share_cpc", "pct"), Col("share_cvr", "col.share_cvr", "pct"),
              Col("mix_share", "col.mix_share", "pct"), Col("rate_share", "col.rate_share", "pct"),
              Col("money_mix", "col.money_mix", "money"), Col("money_rate", "col.money_rate", "money"),
              Col("top_contributor", "col.top_contributor"),
              Col("top_contributor_money", "col.top_contributor_money", "money"),
              Col("p_value", "col.p_value", "p"), Col("q_value", "col.q_value", "p"), Col("z", "col.z", "num"),
              Col("note", "col.reason", "note")],
    "targets": [Col("bundle", "col.bundle"), Col("status", "col.status", "code", TARGET_STATUS, "target"),
                Col("window_start", "col.window_start", "date"), Col("window_end", "col.window_end", "date"),
                Col("days", "col.days", "int"), Col("cost", "col.cost", "money"),
                Col("conversions", "col.conversions", "count"), Col("cpa", "col.cpa", "money"),
                Col("cpa_low", "col.cpa_low", "money"), Col("cpa_high", "col.cpa_high", "money"),
                Col("target_cpa", "col.target_cpa", "money"), Col("cpa_vs_target", "col.cpa_vs_target", "pct"),
                Col("threshold", "col.threshold", "money"), Col("excess_cost", "col.excess_cost", "money"),
                Col("sure", "col.sure", "bool")],
    "compensation": [Col("bundle", "col.bundle"),
                     Col("status", "col.status", "code", COMPENSATION_STATUS, "compensation"),
                     Col("rules", "col.rules"), Col("window_start", "col.window_start", "date"),
                     Col("window_end", "col.window_end", "date"), Col("days_observed", "col.days_observed", "int"),
                     Col("window_days", "col.window_days", "int"),
                     Col("window_complete", "col.window_complete", "bool"), Col("cost", "col.cost", "money"),
                     Col("conversions", "col.conversions", "count"), Col("cpa", "col.cpa", "money"),
                     Col("target_cpa", "col.target_cpa", "money"), Col("trigger_cpa", "col.trigger_cpa", "money"),
                     Col("over_cost", "col.over_cost", "bool"), Col("amount", "col.amount", "money"),
                     Col("reasons", "col.reasons", "lang", wrap=True)],
    "landing": [Col("page", "col.page"), Col("status", "col.status", "code", "landing.", "landing"),
                Col("reasons", "col.reasons", "lang", wrap=True), Col("n_keywords", "col.n_keywords", "int"),
                Col("cost", "col.cost", "money"), Col("clicks", "col.clicks", "count"),
                Col("conversions", "col.conversions", "count"), Col("cvr", "col.cvr", "pct"),
                Col("cpa", "col.cpa", "money"), Col("drop_change", "col.drop_change", "pct"),
                Col("drop_start", "col.drop_start", "date"), Col("drop_money", "col.drop_money", "money"),
                Col("mismatched_keywords", "col.mismatched_keywords", "int"),
                Col("url_findings", "col.url_findings", "int")],
    "url_changes": [Col("kind", "col.kind", "code", URL_DRIFT_KIND), Col("severity", "col.severity", "code", SEVERITY, _S),
                    Col("campaign", "col.campaign"), Col("ad_group", "col.ad_group"), Col("keyword", "col.keyword"),
                    Col("field", "col.field", "code", "field."), Col("old", "col.old", wrap=True),
                    Col("new", "col.new", wrap=True), Col("date", "col.date", "date"),
                    Col("detail", "col.detail", "lang", wrap=True)],
    "changes": [Col("applied_on", "col.applied_on", "date"), Col("action", "col.change_action", "lang"),
                Col("object", "col.object", wrap=True), Col("before", "col.value_old", wrap=True),
                Col("after", "col.value_new", wrap=True), Col("verdict", "col.verdict", "lang"),
                Col("effect", "col.effect", "lang", wrap=True), Col("metric", "col.metric", "lang"),
                Col("value_before", "col.before", "metric_value"), Col("value_after", "col.after", "metric_value"),
                Col("change", "col.change", "pct"), Col("ci_low", "col.ci_low", "pct"),
                Col("ci_high", "col.ci_high", "pct"), Col("p_value", "col.p_value", "p"),
                Col("days_compared", "col.days_compared", "int"), Col("money_30d", "col.money_30d", "money"),
                Col("reason", "col.reason", "lang", wrap=True)],
    "adcopy": [Col("code", "col.ad_finding", "code", AD_FINDING), Col("campaign", "col.campaign"),
               Col("ad_group", "col.ad_group"), Col("stage", "col.stage", "code", STAGE),
               Col("business_line", "col.business_line", "line"), Col("finding", "col.detail", "lang", wrap=True),
               Col("headline", "col.ad_headline", wrap=True), Col("similarity", "col.similarity", "num")],
    "index": [Col("folder", "col.folder"), Col("account", "col.account"),
              Col("platform", "col.platform", "code", PLATFORM), Col("currency", "col.currency"),
              Col("status", "col.status", "code", "status."), Col("rows", "col.rows", "int"),
              Col("spend", "col.spend", "money"), Col("top_action", "col.top_action", wrap=True),
              Col("money_at_stake", "col.money_at_stake", "money"), Col("actions", "col.actions", "int"),
              Col("path", "col.path"), Col("error", "col.error", wrap=True)],
}

_ROUND = {"money": 2, "num": 4, "days": 1, "ratio": 4, "pct": 6, "count": 4, "metric_value": 6, "p": 6}
_NUMERIC = {"money", "int", "count", "num", "days", "ratio", "pct", "p", "metric_value"}
_TEXT_KINDS = {"text", "lang", "line", "entity", "code", "bool", "cues", "note"}


def money_format(currency: str | None) -> str:
    """The Excel number format of money in ``currency``: ``"¥"#,##0.00`` (negatives
    ``-"¥"#,##0.00``); an unknown code is written after the number."""
    sym = CURRENCY_SYMBOL.get(currency or "", None)
    if sym:
        return f'"{sym}"#,##0.00;-"{sym}"#,##0.00'
    return f'#,##0.00" {currency}"' if currency else "#,##0.00"


_FORMATS = {"int": "#,##0", "num": "#,##0.00", "days": "#,##0.0", "ratio": "0.00", "pct": "0.00%", "p": "0.0000",
            "date": "yyyy-mm-dd"}


# ---------------------------------------------------------------- display frames

@dataclass
class Sheet:
    """One sheet as written: ``key`` (of :data:`SHEETS`), ``name`` (in the language),
    ``frame`` (translated headers and values: text as shown, numbers as numbers,
    dates as Timestamps), ``cols`` (the :class:`Col` of each column), ``formats``
    (each column's number format, or None; a list of per-row formats for
    ``metric_value``), ``fills`` (per column: per-row colour names, or None),
    ``total`` (rows before any cut at Excel's limit)."""

    key: str
    name: str
    frame: pd.DataFrame
    cols: list[Col]
    formats: list
    fills: list
    total: int


def _text(v: object) -> object:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT:
        return None
    s = str(v)
    s = _ILLEGAL.sub("", s) if _ILLEGAL.search(s) else s
    return s or None


def _code(table, values: pd.Series, lang: str) -> pd.Series:
    def name(c):
        if c is None or (isinstance(c, float) and c != c) or c is pd.NA or c == "":
            return None
        if isinstance(table, str):
            key = f"{table}{c}"
            return st(key, lang) if key in SHEET_TEXT else str(c)
        if table is SEVERITY and c == "info":
            return st("severity.info", lang)
        return code_name(table, str(c), lang)
    return values.map(name)


def _yes_no(values: pd.Series, lang: str) -> pd.Series:
    yes, no = st("yes", lang), st("no", lang)

    def f(v):
        if v is None or v is pd.NA or (isinstance(v, float) and v != v):
            return None
        return yes if bool(v) else no
    return values.astype(object).map(f)


def _column(frame: pd.DataFrame, col: Col, lang: str) -> pd.Series:
    field = f"{col.field}_{lang}" if col.kind == "lang" else col.field
    n = len(frame)
    if field not in frame.columns:
        if col.kind == "code" and col.table == "neg.":  # constant: every negative is suggested as exact
            return pd.Series([st("neg.exact", lang)] * n, index=frame.index, dtype=object)
        return pd.Series([None] * n, index=frame.index, dtype=object)
    s = frame[field]
    k = col.kind
    if k in ("text", "lang"):
        return s.astype(object).map(_text)
    if k == "line":
        return s.astype(object).map(lambda v: _text(line_labels(v, lang)) if isinstance(v, str) else None)
    if k == "entity":
        from optimizer.drift.alerts import entity_label
        levels = frame["level"].astype(object) if "level" in frame.columns else pd.Series([None] * n, index=frame.index)
        return pd.Series([_text(entity_label(lv, e, lang)) if isinstance(e, str) else None
                          for lv, e in zip(levels, s.astype(object))], index=frame.index, dtype=object)
    if k == "code":
        return _code(col.table, s.astype(object), lang)
    if k == "bool":
        return _yes_no(s, lang)
    if k == "cues":
        return s.astype(object).map(lambda c: _text(explain_cues(c, lang)) if isinstance(c, str) and c else None)
    if k == "note":
        return s.astype(object).map(lambda c: _text(drift_note(c, lang)) if isinstance(c, str) and c else None)
    if k == "date":
        return pd.to_datetime(s, errors="coerce").dt.normalize()
    v = pd.to_numeric(s, errors="coerce").astype(float)
    v = v.where(np.isfinite(v))
    digits = _ROUND.get(k)
    return v.round(digits) if digits is not None else v


def sheet_frame(frame: pd.DataFrame, key: str, lang: str = "zh") -> pd.DataFrame:
    """``frame`` (a frame of an :class:`~optimizer.analysis.summary.Analysis`) as sheet ``key``
    shows it: the columns of :data:`SHEETS` with headers in ``lang``, codes named,
    yes/no in words, money rounded to cents, text not yet neutralised."""
    cols = SHEETS[key]
    frame = frame if frame is not None else pd.DataFrame()
    index = pd.RangeIndex(len(frame))
    data = {}
    for c in cols:
        v = _column(frame, c, lang)
        if c.kind in _TEXT_KINDS:  # object dtype with None for blanks (pandas would infer str with NaN)
            arr = v.to_numpy(object)
            data[st(c.header, lang)] = pd.Series(np.where(pd.isna(arr), None, arr), index=index, dtype=object)
        else:
            data[st(c.header, lang)] = pd.Series(v.to_numpy(), index=index)
    return pd.DataFrame(data, index=index)


def _formats(frame: pd.DataFrame, display: pd.DataFrame, cols: list[Col], currency: str | None) -> list:
    money_fmt = money_format(currency)
    out: list = []
    for c, name in zip(cols, display.columns, strict=True):
        if c.kind == "money":
            out.append(money_fmt)
        elif c.kind == "count":
            v = display[name].dropna().to_numpy(float)
            out.append("#,##0" if np.all(np.abs(v - np.round(v)) < 1e-9) else "#,##0.00")
        elif c.kind == "metric_value":
            metric = frame["metric"].astype(object).to_numpy() if "metric" in frame.columns else [None] * len(frame)
            out.append(["0.00%" if m == "cvr" else "#,##0.00" if m == "conversions" else money_fmt for m in metric])
        else:
            out.append(_FORMATS.get(c.kind))
    return out


def _fills(frame: pd.DataFrame, cols: list[Col]) -> list:
    out = []
    for c in cols:
        if c.fill and c.field in frame.columns:
            palette = FILLS[c.fill]
            out.append([palette.get(str(v)) for v in frame[c.field].astype(object)])
        else:
            out.append(None)
    return out


def sheets(analysis: Analysis, lang: str = "zh", currency: str | None = None) -> list[Sheet]:
    """Every sheet of the workbook of ``analysis``, in order (summary first; landing
    only when that analysis ran)."""
    currency = currency or analysis.currency or "CNY"
    out = []
    for key, frame in analysis.frames().items():
        if key == "negatives" and frame is not None and len(frame) and "negative_match" not in frame.columns:
            frame = frame.assign(negative_match="exact")
        out.append(_sheet(key, frame, lang, currency))
    return out


def _sheet(key: str, frame: pd.DataFrame | None, lang: str, currency: str | None) -> Sheet:
    frame = frame if frame is not None else pd.DataFrame()
    total = len(frame)
    if total > EXCEL_MAX_ROWS - 1:
        frame = frame.iloc[:EXCEL_MAX_ROWS - 1]
    cols = SHEETS[key]
    display = sheet_frame(frame, key, lang)
    return Sheet(key, st(f"sheet.{key}", lang), display, cols, _formats(frame, display, cols, currency),
                 _fills(frame, cols), total)


def sheet_frames(analysis: Analysis, lang: str = "zh") -> dict[str, pd.DataFrame]:
    """Sheet name (in ``lang``) → the sheet as a DataFrame (see :func:`sheet_frame`)."""
    return {s.name: s.frame for s in sheets(analysis, lang)}


def csv_decimals(s: Sheet) -> dict[str, int | list[int | None]]:
    """Header → decimals of the numeric columns of ``s``, as its number formats show
    them: ``int`` columns and ``count`` columns of whole numbers 0 (``8627``, not
    ``8627.0``), a ``count`` column holding a fraction (Google Ads conversions) 2,
    money and other numbers 2, days of spend 1, ratios 2, rates (shown ``0.00%``) 4
    as fractions (``0.4135`` for 41.35%), p-values 4; a ``metric_value`` column 2 on
    its money rows and 4 on its rate rows."""
    out: dict[str, int | list[int | None]] = {}
    for c, name, fmt in zip(s.cols, s.frame.columns, s.formats, strict=True):
        if c.kind == "int" or (c.kind == "count" and fmt == "#,##0"):
            out[name] = 0
        elif c.kind in _CSV_DECIMALS:
            out[name] = _CSV_DECIMALS[c.kind]
        elif c.kind == "metric_value":
            out[name] = [4 if f == "0.00%" else 2 for f in fmt]
    return out


#: decimals a sheet's CSV writes, by column kind (see :func:`csv_decimals`)
_CSV_DECIMALS = {"count": 2, "money": 2, "num": 2, "days": 1, "ratio": 2, "pct": 4, "p": 4}


def sheet_csv(s: Sheet) -> bytes:
    """One sheet as CSV: UTF-8 with BOM, CRLF, text neutralised
    (:func:`optimizer.outputs.report.to_csv_bytes`), dates ``YYYY-MM-DD``, counts and money as
    :func:`csv_decimals` says, a blank cell blank."""
    frame = s.frame.copy()
    for c, name in zip(s.cols, frame.columns, strict=True):
        if c.kind == "date":  # datetime, or object holding Timestamps / None (e.g. an all-empty column)
            days = pd.to_datetime(frame[name], errors="coerce")
            frame[name] = days.dt.strftime("%Y-%m-%d").astype(object).where(days.notna(), None)
    return to_csv_bytes(frame, decimals=csv_decimals(s))


def drift_csv(flag_table: pd.DataFrame, currency: str | None, lang: str = "zh") -> bytes:
    """The Cost drift page's download: every flag (:func:`optimizer.drift.alerts.flag_table`)
    as the workbook's drift sheet writes it (:func:`frame_csv`: headers, severities and
    metrics in ``lang``, money to the cent, rates rounded)."""
    return frame_csv("drift", flag_table, lang, currency)


def frame_csv(key: str, frame: pd.DataFrame, lang: str = "zh", currency: str | None = None) -> bytes:
    """A frame of an :class:`~optimizer.analysis.summary.Analysis` (a page's table of the same
    columns) as sheet ``key``'s CSV (:func:`sheet_csv`): the download buttons of the
    pages write what the workbook writes, headers in ``lang`` and numbers rounded."""
    return sheet_csv(_sheet(key, frame, lang, currency))


def sheet_csvs(analysis: Analysis, lang: str = "zh") -> dict[str, bytes]:
    """Sheet name (in ``lang``) → the sheet as CSV (:func:`sheet_csv`)."""
    return {s.name: sheet_csv(s) for s in sheets(analysis, lang)}


# ---------------------------------------------------------------- widths

def text_width(text: str) -> int:
    """Display width: a CJK (East Asian wide or full-width) character counts 2."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _shown(v: object, kind: str, fmt) -> str:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
        return ""
    if kind in _NUMERIC:
        f = float(v)
        if (fmt if isinstance(fmt, str) else "").endswith("%") or kind == "pct":
            return f"{f * 100:.2f}%"
        if kind in ("int",) or fmt == "#,##0":
            return f"{f:,.0f}"
        if kind == "money" or kind == "metric_value":
            return f"¥{f:,.2f}"
        if kind == "days":
            return f"{f:,.1f}"
        return f"{f:,.2f}" if kind != "p" else f"{f:.4f}"
    if kind == "date":
        return "2026-01-01"
    return str(v)


def _widths(s: Sheet, sample: int = 2000) -> list[float]:
    out = []
    for j, (c, name) in enumerate(zip(s.cols, s.frame.columns, strict=True)):
        fmt = s.formats[j]
        values = s.frame[name].iloc[:sample]
        body = max((text_width(_shown(v, c.kind, fmt if isinstance(fmt, str) else None)) for v in values), default=0)
        head = max((text_width(w) for w in re.split(r"\s+", name)), default=0)
        cap = 60 if c.wrap else 45
        out.append(float(min(max(body, head, 6) + 2, cap)))
    return out


# ---------------------------------------------------------------- writing

_HEADER_FONT = Font(bold=True, color="1F3864")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="8EA9DB"))
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_TITLE_FONT = Font(bold=True, size=14)
_NOTE_FONT = Font(italic=True, color="595959")
_FILL_CACHE: dict[str, tuple[PatternFill, Font]] = {
    name: (PatternFill("solid", fgColor=bg), Font(color=fg, bold=name == "red")) for name, (bg, fg) in COLOURS.items()}


def _text_cell(ws, value: object, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=neutralise(_text(value)))
    if cell.value is not None:
        cell.data_type = "s"  # never a formula or an error value, whatever the text
    if font is not None:
        cell.font = font
    return cell


def _value(v: object, kind: str):
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if kind == "date":
        return None if pd.isna(v) else pd.Timestamp(v).date()
    if kind in _NUMERIC:
        f = float(v)
        if f != f:
            return None
        return int(round(f)) if kind == "int" else f
    return v


def _write_table(ws, s: Sheet, header_row: int) -> None:
    """Header at ``header_row`` (1-based), rows below, autofilter over the table (the
    sheet's rows before this one are already written; widths and the frozen pane,
    which a streaming sheet writes before its first row, are set by the caller)."""
    ncols = len(s.cols)
    header = []
    for name in s.frame.columns:
        cell = _text_cell(ws, name, _HEADER_FONT)
        cell.fill, cell.alignment, cell.border = _HEADER_FILL, _HEADER_ALIGN, _HEADER_BORDER
        header.append(cell)
    ws.append(header)
    columns = [s.frame[name].to_numpy(object) for name in s.frame.columns]
    kinds = [c.kind for c in s.cols]
    texty = [k in _TEXT_KINDS for k in kinds]
    for i in range(len(s.frame)):
        row = []
        for j in range(ncols):
            v = columns[j][i]
            if texty[j]:
                cell = _text_cell(ws, v)
                if s.cols[j].wrap:
                    cell.alignment = _WRAP
            else:
                cell = WriteOnlyCell(ws, value=_value(v, kinds[j]))
                fmt = s.formats[j]
                fmt = fmt[i] if isinstance(fmt, list) else fmt
                if fmt:
                    cell.number_format = fmt
            fills = s.fills[j]
            if fills is not None and fills[i] is not None:
                cell.fill, cell.font = _FILL_CACHE[fills[i]]
            row.append(cell)
        ws.append(row)
    last = get_column_letter(ncols)
    ws.auto_filter.ref = f"A{header_row}:{last}{header_row + max(len(s.frame), 1)}"


def _set_widths(ws, widths: list[float]) -> None:
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w


def _summary_heading(analysis: Analysis, lang: str, currency: str, notes: list[str]) -> list[tuple[str, Font]]:
    from optimizer.analysis.summary import _day
    facts = st("title.facts", lang, vertical=vertical_name(analysis.vertical, lang),
               start=_day(analysis.date_start) or "-", end=_day(analysis.date_end) or "-",
               spend=money(analysis.spend, currency, 0), rows=f"{analysis.rows:,}",
               generated=dt.date.today().isoformat())
    label = account_label(analysis.platform, analysis.account, analysis.currency, lang)
    lines = [(st("title.workbook", lang, account=label), _TITLE_FONT), (facts, Font(color="595959"))]
    lines += [(st("title.note", lang, text=n), _NOTE_FONT) for n in notes]
    lines.append((st("title.first", lang), Font(bold=True, size=12)))
    return lines


def _atomic_write(path: Path, write) -> None:
    """Write through ``<name>.part`` and rename: a failure leaves no half-written
    workbook, and a bad path fails before any sheet is streamed."""
    part = path.with_name(path.name + ".part")
    try:
        with open(part, "wb") as fh:
            write(fh)
        part.replace(path)
    finally:
        if part.exists():
            part.unlink()


#: the notes (codes of ``Analysis.notes``) that say why a sheet can be empty, first found first
_EMPTY_BECAUSE: dict[str, tuple[str, ...]] = {
    "negatives": ("no_search_terms",),
    **{k: ("no_daily",) for k in ("bundles", "plans", "cpc_keywords", "drift")},
    "splits": ("no_daily", "no_bundle_map"),
    **{k: ("no_daily", "no_bundle_map", "bundles_from_names", "bundles_proposed") for k in ("targets", "compensation")},
    "landing": ("landing_missing", "landing_failed"),
    "url_changes": ("landing_missing", "landing_failed"),
}
#: what an empty sheet says when no note explains it (the landing sheet lists every page
#: with its URL, so without rows the reports had no URL)
_EMPTY_OTHERWISE = {"landing": "note.no_urls"}


def empty_note(key: str, analysis: Analysis, lang: str = "zh") -> str:
    """What an empty sheet ``key`` says under its header: the analysis note that
    explains it (no search-term report, no daily rows, no bundle map …), else that
    nothing to act on was found."""
    said = {code: (zh, en) for code, zh, en in analysis.notes}
    for code in _EMPTY_BECAUSE.get(key, ()):
        if code in said:
            return said[code][0 if lang == "zh" else 1]
    return st(_EMPTY_OTHERWISE.get(key, "note.empty"), lang)


def write_workbook(analysis: Analysis, path_or_buffer: str | Path | io.IOBase, lang: str = "zh",
                   currency: str | None = None) -> None:
    """Write the recommendations workbook of ``analysis`` (see the module docstring).

    ``lang``: ``zh`` or ``en`` (sheet names, headers, texts). ``currency``: the money
    format's currency (default: the account's, else CNY). ``path_or_buffer``: a
    path or a writable binary file object (e.g. ``io.BytesIO`` for a download).

    The summary sheet holds a heading (the account as the app names it,
    :func:`optimizer.i18n.account_label` — platform, account or 未命名账户 / unnamed
    account, currency; vertical, dates, spend, rows; notes — what was skipped or
    assumed, and that the lines' money may overlap), then the action table, frozen
    under its header. Every other sheet is one table with its header on row 1; an
    empty one says why on row 2 (:func:`empty_note`).
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    if isinstance(path_or_buffer, (str, Path)):
        _atomic_write(Path(path_or_buffer), lambda fh: write_workbook(analysis, fh, lang, currency))
        return
    currency = currency or analysis.currency or "CNY"
    all_sheets = sheets(analysis, lang, currency)
    notes = [zh if lang == "zh" else en for _, zh, en in analysis.notes]
    for s in all_sheets:
        if s.total > len(s.frame):
            notes.append(st("note.truncated", lang, sheet=s.name, n=len(s.frame), total=s.total))
    if len(analysis.summary) > 1:
        notes.append(st("note.money", lang))
    wb = Workbook(write_only=True)
    for s in all_sheets:
        ws = wb.create_sheet(s.name)
        widths = _widths(s)
        if s.key == "summary":
            heading = _summary_heading(analysis, lang, currency, notes)
            widths[3] = max(widths[3], 60.0)  # the action column holds the heading's long lines too
            _set_widths(ws, widths)
            ws.freeze_panes = f"A{len(heading) + 3}"
            for text, font in heading:
                ws.append([_text_cell(ws, text, font)])
            ws.append([])
            _write_table(ws, s, len(heading) + 2)
        else:
            _set_widths(ws, widths)
            ws.freeze_panes = "A2"
            _write_table(ws, s, 1)
            if s.frame.empty:
                ws.append([_text_cell(ws, empty_note(s.key, analysis, lang), _NOTE_FONT)])
    wb.save(path_or_buffer)


def workbook_bytes(analysis: Analysis, lang: str = "zh", currency: str | None = None) -> bytes:
    """The workbook as bytes (for a download button)."""
    buf = io.BytesIO()
    write_workbook(analysis, buf, lang, currency)
    return buf.getvalue()


def _index_sheet(index: pd.DataFrame, lang: str) -> Sheet:
    """The batch index's sheet: an account analysed whose export names no account
    reads 未命名账户 / unnamed account (as :func:`optimizer.i18n.account_label` names
    it; its platform and currency have their own columns); money as ``#,##0.00``
    (the accounts' currencies may differ)."""
    if len(index) and "account" in index.columns and "status" in index.columns:
        unnamed = index["status"].eq("ok") & index["account"].fillna("").astype(str).eq("")
        if unnamed.any():
            index = index.copy()
            index.loc[unnamed, "account"] = account_label(None, None, None, lang)
    return _sheet("index", index, lang, None)


def index_frame(index: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The batch index (:data:`optimizer.outputs.analyze.INDEX_COLUMNS`) as its sheet shows it."""
    return _index_sheet(index, lang).frame


def index_csv(index: pd.DataFrame, lang: str = "zh") -> bytes:
    """The batch index as CSV (``index.csv``; :func:`sheet_csv`: rows and actions as
    integers, money to the cent)."""
    return sheet_csv(_index_sheet(index, lang))


def write_index(index: pd.DataFrame, path: str | Path | io.IOBase, lang: str = "zh") -> None:
    """Write the batch index as a one-sheet workbook (same header craft)."""
    if isinstance(path, (str, Path)):
        _atomic_write(Path(path), lambda fh: write_index(index, fh, lang))
        return
    s = _index_sheet(index, lang)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(s.name)
    _set_widths(ws, _widths(s))
    ws.freeze_panes = "A2"
    _write_table(ws, s, 1)
    wb.save(path)


__all__ = ["COLOURS", "Col", "EXCEL_MAX_ROWS", "FILLS", "SHEETS", "Sheet", "csv_decimals", "frame_csv", "index_csv",
           "index_frame", "money_format", "sheet_csv", "sheet_csvs", "sheet_frame", "sheet_frames", "sheets",
           "text_width", "workbook_bytes", "write_index", "write_workbook"]
