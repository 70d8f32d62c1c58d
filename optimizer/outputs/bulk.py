"""Bulk-edit files for the ad platforms' desktop editors — only where their import
format is documented in ``../shared/formats.md``.

Two actions of the analysis have a bulk form: **negative keywords** (the off-target
search terms, :func:`negative_keyword_actions`) and **bid changes**
(:func:`bid_change_actions`: the analysis proposes no keyword bids; its only
bid-like output is each proposed oCPC bundle's target CPA). Two editors would take
them: the Baidu desktop client (百度推广客户端) and Google Ads Editor.

What ``../shared/formats.md`` documents (read on 2026-11-25):

- **Baidu desktop client**: nothing about what it *imports*. The client's *export*
  layout is described in ``formats-observed.md`` §1.2 (line 1 a date range, line 2 a
  wide header, line 3 the account name; delimiter "not stated"), which says nothing
  about the columns, encoding or delimiter of an import, nor how a negative keyword
  or a bid change is written.
- **Google Ads Editor**: three rules of its CSV import — English headers, case and
  spaces in headers ignored, a blank field means "no change". Not the column names,
  not how a negative keyword is marked (which column, which values), not the
  encoding.

So no (editor, action) pair is documented enough to write a file an editor accepts.
Guessing would give a file the editor rejects, or worse imports wrongly (a negative
added as a keyword you pay for). :data:`FORMATS` holds one :class:`BulkFormat` per
pair saying what is known and what is missing; :func:`write_bulk` raises
:class:`FormatNotDocumented` for every undocumented one. When formats.md gains a
format, its entry gets ``columns`` and ``encoding`` and :func:`write_bulk` writes it
— through the same writer the tests exercise with a spec of their own: every text
cell neutralised (:func:`optimizer.outputs.report.csv_bytes`), a blank field for "no change".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from optimizer.outputs.report import csv_bytes

if TYPE_CHECKING:
    from optimizer.analysis.summary import Analysis

EDITORS = ("baidu_client", "google_ads_editor")
ACTIONS = ("negative_keywords", "bid_changes")
EDITOR_NAMES = {"baidu_client": ("百度推广客户端", "Baidu desktop client"),
                "google_ads_editor": ("Google Ads Editor", "Google Ads Editor")}
ACTION_NAMES = {"negative_keywords": ("否定关键词", "negative keywords"), "bid_changes": ("出价修改", "bid changes")}


@dataclass(frozen=True)
class BulkFormat:
    """An editor's import format for one action.

    ``columns``: (header as the editor expects it, field of the action rows); empty
    while undocumented. ``encoding`` / ``delimiter``: of the file. ``known_*``: what
    ../shared/formats.md says; ``missing_*``: what it does not (why no file is
    written). ``documented``: ``columns`` and ``encoding`` are both known."""

    editor: str
    action: str
    columns: tuple[tuple[str, str], ...] = ()
    encoding: str | None = None
    delimiter: str = ","
    known_zh: str = ""
    known_en: str = ""
    missing_zh: str = ""
    missing_en: str = ""

    @property
    def documented(self) -> bool:
        return bool(self.columns) and self.encoding is not None


_BAIDU_KNOWN = ("formats.md 只记录了客户端导出文件的版式（第 1 行日期范围、第 2 行表头、第 3 行账户名，分隔符未说明）。",
                "formats.md documents only the client's export layout (line 1 a date range, line 2 the header, "
                "line 3 the account name; delimiter not stated).")
_GOOGLE_KNOWN = ("formats.md 记录了 CSV 导入的三条规则：表头用英文、表头大小写和空格不计、空白字段表示不修改。",
                 "formats.md documents three rules of the CSV import: English headers, case and spaces in headers "
                 "ignored, a blank field means no change.")

FORMATS: dict[tuple[str, str], BulkFormat] = {
    ("baidu_client", "negative_keywords"): BulkFormat(
        "baidu_client", "negative_keywords", known_zh=_BAIDU_KNOWN[0], known_en=_BAIDU_KNOWN[1],
        missing_zh="未记录客户端导入否定关键词的列名、编码和分隔符，也未记录否定关键词如何标明（计划级或单元级、精确或短语否定）。",
        missing_en="The columns, encoding and delimiter the client imports are not documented, nor how a negative "
                   "keyword is marked (plan or unit level, exact or phrase negative)."),
    ("baidu_client", "bid_changes"): BulkFormat(
        "baidu_client", "bid_changes", known_zh=_BAIDU_KNOWN[0], known_en=_BAIDU_KNOWN[1],
        missing_zh="未记录客户端导入出价修改（关键词出价或 oCPC 目标转化成本）的列名、编码和分隔符。",
        missing_en="The columns, encoding and delimiter of a bid change (keyword bid or oCPC target CPA) import "
                   "are not documented."),
    ("google_ads_editor", "negative_keywords"): BulkFormat(
        "google_ads_editor", "negative_keywords", known_zh=_GOOGLE_KNOWN[0], known_en=_GOOGLE_KNOWN[1],
        missing_zh="未记录列名、否定关键词的标明方式（哪一列、取什么值）和文件编码。",
        missing_en="The column names, how a negative keyword is marked (which column, which values) and the "
                   "file encoding are not documented."),
    ("google_ads_editor", "bid_changes"): BulkFormat(
        "google_ads_editor", "bid_changes", known_zh=_GOOGLE_KNOWN[0], known_en=_GOOGLE_KNOWN[1],
        missing_zh="未记录列名（计划、广告组、关键词、匹配方式、出价或出价策略的目标 CPA）和文件编码。",
        missing_en="The column names (campaign, ad group, keyword, match type, max CPC or a bid strategy's "
                   "target CPA) and the file encoding are not documented."),
}


class FormatNotDocumented(ValueError):
    """No bulk file for (editor, action): its format is not documented in
    ../shared/formats.md. ``message(lang)`` says what is known and what is missing."""

    def __init__(self, fmt: BulkFormat) -> None:
        self.format = fmt
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        f = self.format
        zh = lang == "zh"
        editor = EDITOR_NAMES.get(f.editor, (f.editor, f.editor))[0 if zh else 1]
        action = ACTION_NAMES.get(f.action, (f.action, f.action))[0 if zh else 1]
        if zh:
            return f"无法生成{editor}的{action}批量文件：格式未在 ../shared/formats.md 中记录。{f.known_zh}{f.missing_zh}"
        return (f"No {editor} bulk file for {action}: the format is not documented in ../shared/formats.md. "
                f"{f.known_en} {f.missing_en}")


def coverage(lang: str = "zh") -> pd.DataFrame:
    """One row per (editor, action): editor, action, documented, known, missing."""
    i = 0 if lang == "zh" else 1
    return pd.DataFrame([{"editor": EDITOR_NAMES[f.editor][i], "action": ACTION_NAMES[f.action][i],
                          "documented": f.documented, "known": (f.known_zh, f.known_en)[i],
                          "missing": "" if f.documented else (f.missing_zh, f.missing_en)[i]}
                         for f in FORMATS.values()])


# ---------------------------------------------------------------- the actions

NEGATIVE_COLUMNS = ["campaign", "search_term", "match_type", "cost", "clicks", "conversions", "reason"]
BID_COLUMNS = ["level", "bundle", "campaign", "keyword", "match_type", "current_bid", "new_bid", "reason_zh",
               "reason_en"]


def negative_keyword_actions(analysis: Analysis) -> pd.DataFrame:
    """The negative keywords to add, one row per (plan, search term):
    :data:`NEGATIVE_COLUMNS` — match_type ``exact`` (the term itself is what wasted
    money; widen by hand), cost, clicks, conversions of the term in that plan,
    reason (the off-target cues). Most cost first."""
    per_plan = getattr(analysis, "negative_plans", None)
    if per_plan is None or per_plan.empty:
        return pd.DataFrame(columns=NEGATIVE_COLUMNS)
    out = per_plan.assign(match_type="exact")
    return out.sort_values(["cost", "clicks"], ascending=False, kind="stable", ignore_index=True)[NEGATIVE_COLUMNS]


def bid_change_actions(analysis: Analysis) -> pd.DataFrame:
    """Bid changes the analysis proposes: :data:`BID_COLUMNS`. It proposes no keyword
    bids, so these are the target CPAs of the proposed oCPC bundles that have enough
    data (level ``bundle``; one row per member plan, ``new_bid`` the target CPA,
    ``current_bid`` blank = unknown / no change). Keyword and match type are blank."""
    b = analysis.bundles
    if b is None or b.empty:
        return pd.DataFrame(columns=BID_COLUMNS)
    ready = b.loc[b["meets_threshold"].astype(bool) & b["target_cpa"].notna()]
    rows = []
    for _, r in ready.iterrows():
        for plan in str(r["plans"]).split("、"):
            rows.append({"level": "bundle", "bundle": r["bundle"], "campaign": plan, "keyword": None,
                         "match_type": None, "current_bid": np.nan, "new_bid": round(float(r["target_cpa"]), 2),
                         "reason_zh": r["reason_zh"], "reason_en": r["reason_en"]})
    return pd.DataFrame(rows, columns=BID_COLUMNS)


# ---------------------------------------------------------------- writing

def _cell(v: object) -> object:
    """A field as :func:`optimizer.outputs.report.csv_bytes` writes it: None (blank) for "no
    change" (None / NaN), whole numbers as integers, other numbers to 2 decimals,
    text as text (neutralised by the writer)."""
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, (bool, np.bool_)):
        return 1 if v else 0
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if not np.isfinite(f):
            return None
        return int(f) if f == int(f) else float(f"{f:.2f}")
    return str(v)


def write_bulk(rows: pd.DataFrame, editor: str, action: str, spec: BulkFormat | None = None) -> bytes:
    """The bulk file of ``rows`` (:func:`negative_keyword_actions` or
    :func:`bid_change_actions`) for ``editor`` in the format of ``spec`` (default:
    :data:`FORMATS`). Raises :class:`FormatNotDocumented` when the format is not
    documented, KeyError for an unknown (editor, action), ValueError when ``rows``
    lack a column the format needs."""
    fmt = spec if spec is not None else FORMATS[(editor, action)]
    if not fmt.documented:
        raise FormatNotDocumented(fmt)
    missing = [f for _, f in fmt.columns if f not in rows.columns]
    if missing:
        raise ValueError(f"the rows lack {', '.join(missing)} for the {editor} {action} format")
    frame = pd.DataFrame({h: pd.Series([_cell(v) for v in rows[f]], dtype=object) for h, f in fmt.columns})
    return csv_bytes(frame, sep=fmt.delimiter, encoding=fmt.encoding)


__all__ = ["ACTIONS", "BID_COLUMNS", "BulkFormat", "EDITORS", "FORMATS", "FormatNotDocumented", "NEGATIVE_COLUMNS",
           "bid_change_actions", "coverage", "negative_keyword_actions", "write_bulk"]
