"""The whole analysis of an account in one call, and ``python -m optimizer analyze``.

:func:`analyze_account` runs, for one account's rows, everything the pages show one
by one — keyword stages (:mod:`optimizer.keywords.stages`), negative keywords from the
search-term report, structure fixes, the oCPC bundle proposal, CPC keywords and split
candidates (:mod:`optimizer.bundles.propose`), cost-drift flags with their explanation,
bundles against their target and the over-cost compensation outlook
(:mod:`optimizer.drift.alerts`, :mod:`optimizer.bundles.targets`), and landing-page findings
(``optimizer.landing.report``, when that module is importable) — and returns an
:class:`Analysis`: a dataclass of DataFrames, plus a ``summary`` that says what to
do first, one line per action, ranked by the money at stake.

The money of a summary line (column ``money_at_stake``) is measured the way its
finding measures it, named in ``basis_zh`` / ``basis_en``:

- negative keywords: the cost of the off-target search terms over the search-term
  report's days (money wasted);
- cost drift: the flag's money at stake (the extra cost since the change,
  :func:`optimizer.drift.scan.detect`). One line per flagged plan (its largest flag);
  a bundle or business-line flag only when none of its plans is flagged; a keyword
  flag only when its plan is not flagged; the account flag only when nothing else
  is — the levels are views of the same money;
- over target: cost − target × conversions over the target window;
- compensation: the estimated amount, for bundles that look eligible or at risk;
- split candidates: (CPA − the rest of the bundle's CPA) × conversions over the
  evidence window, when the plan is the dearer one;
- landing pages (red ones): the money lost to a flagged conversion-rate drop.

Structure fixes, the bundle proposal and CPC keywords carry no money (NaN) and come
after the others. The lines' money overlap (a plan's drift and its bundle's cost
above target are partly the same money): they rank, they do not add up. Severity
follows :mod:`optimizer.drift.alerts`: money in days of the account's mean daily spend,
``high`` ≥ 1 day, ``medium`` ≥ 0.25, else ``low``; ``info`` without money.

Command line (wired into :mod:`optimizer.cli` by :func:`add_analyze_parser`)::

    python -m optimizer analyze EXPORT... [--out report.xlsx] [--json]
    python -m optimizer analyze --batch FOLDER --out OUT_DIR

Exit status: 0 when done, 1 on bad input (one line on standard error, in ``--lang``:
file, row, column and what was expected), 2 on bad usage — among it an ``--out`` that
does not end in ``.xlsx`` or whose folder does not exist (checked before the analysis
runs, see :func:`output_problem`; no folder is created but the ``--csv-dir`` or batch
``--out`` folder itself). ``--json`` keys are listed in :func:`cmd_analyze`.
"""
from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.drift.alerts import OTHER, AlertSettings, explain, flags, headline, scan
from optimizer.bundles.propose import (BundleSettings, bundles_from_names, cpc_keywords, plan_evidence, plan_lines, propose,
                      split_candidates, summarize, window_performance)
from optimizer.bundles.propose import membership as bundle_membership
from optimizer.model.dataset import accounts, for_account, load_exports
from optimizer import memory
from optimizer.errors import FOREIGN_TYPES, IngestError, UserError, os_reason
from optimizer.reading.ingest import check_report
from optimizer.i18n import COMPENSATION_STATUS, METRIC, SEVERITY, account_label, code_name, money
from optimizer.keywords.lexicon import vertical_name
from optimizer.outputs.sheet_text import st
from optimizer.keywords.stages import (Classifier, account_classifier, keyword_performance, negative_keywords, off_target_reasons,
                     stage_table, structure_fixes)
from optimizer.bundles.targets import BundleSheet, RuleSet, bundle_sheet_for, load_rules, read_bundle_sheet

#: progress callback: (done, total, label)
Progress = Callable[[float, float, str], None]

KEYWORD_COLUMNS = ["keyword", "campaign", "ad_group", "business_line", "stage", "urgency", "off_target", "cost",
                   "clicks", "conversions", "cvr", "cpa", "cues"]
SUMMARY_COLUMNS = ["rank", "kind", "severity", "money_at_stake", "basis_zh", "basis_en", "count", "action_zh",
                   "action_en", "sheet", "entity"]
DRIFT_COLUMNS = ["severity", "status", "level", "entity", "metric", "start", "start_low", "start_high", "before",
                 "after", "change", "ci_low", "ci_high", "money_at_stake", "days_of_spend", "days_after", "p_value",
                 "q_value", "group", "headline_zh", "headline_en", "cpa_before", "cpa_after", "cpc_change",
                 "cvr_change", "share_cpc", "share_cvr", "mix_share", "rate_share", "money_mix", "money_rate",
                 "top_contributor", "top_contributor_money", "explanation_zh", "explanation_en", "note"]
#: the landing table's columns kept in the workbook (of ``optimizer.landing.report.PAGE_COLUMNS``)
LANDING_COLUMNS = ["page", "status", "reasons_zh", "reasons_en", "n_keywords", "cost", "clicks", "conversions",
                   "cvr", "cpa", "drop_change", "drop_start", "drop_money", "mismatched_keywords", "url_findings"]
#: the URL findings' columns kept in the workbook's URL changes sheet (of ``optimizer.landing.analysis.DRIFT_COLUMNS``)
URL_CHANGE_COLUMNS = ["kind", "severity", "campaign", "ad_group", "keyword", "field", "old", "new", "date",
                      "detail_zh", "detail_en"]
#: order of the summary's kinds among lines of equal money (and of the lines without money)
KIND_ORDER = ("drift", "negatives", "target", "compensation", "split", "landing", "structure", "bundles", "cpc")
SEVERITY_ORDER = ("high", "medium", "low", "saving", "info")


@dataclass(frozen=True)
class AnalysisSettings:
    """Every setting of the whole analysis (defaults: those of the pages and commands).

    ``window_days``: evidence window of the bundle proposal, CPC keywords and split
    candidates. ``min_conversions``, ``max_cpa_ratio``, ``max_cvr_ratio``,
    ``max_target_cpa``: :class:`optimizer.bundles.propose.BundleSettings`. ``alerts``: the
    drift tests and severity thresholds. ``rules`` / ``rule_set``: over-cost
    compensation rule sets (None: ``optimizer/bundles/rules/overcost.toml``, the set in force
    on each window). ``max_explained``: flags explained (decomposition, mix/rate, top
    contributor), most money first; the others keep their headline. ``landing``:
    run the landing-page analysis when its module is available.
    """

    window_days: int = 30
    min_conversions: float = 30.0
    max_cpa_ratio: float = 1.3
    max_cvr_ratio: float = 1.5
    max_target_cpa: float | None = None
    alerts: AlertSettings = field(default_factory=AlertSettings)
    rules: dict[str, RuleSet] | None = None
    rule_set: str | None = None
    max_explained: int = 200
    landing: bool = True

    def bundle_settings(self) -> BundleSettings:
        return BundleSettings(window_days=self.window_days, min_conversions=self.min_conversions,
                              max_cpa_ratio=self.max_cpa_ratio, max_cvr_ratio=self.max_cvr_ratio,
                              max_target_cpa=self.max_target_cpa)


@dataclass
class Analysis:
    """Everything found for one account. Frames (columns documented where made):

    ``summary`` (:data:`SUMMARY_COLUMNS`: rank, kind — a key of ``kind.*`` in
    :mod:`optimizer.outputs.sheet_text` —, severity, money_at_stake, basis_zh/en, count,
    action_zh/en, sheet — the key of the sheet with the detail —, entity);
    ``keywords`` (:data:`KEYWORD_COLUMNS`, all loaded days, by cost); ``stages``
    (:func:`optimizer.keywords.stages.stage_table`); ``structure``
    (:func:`~optimizer.keywords.stages.structure_fixes`); ``negatives``
    (:func:`~optimizer.keywords.stages.negative_keywords`, from the search-term report);
    ``bundles`` (:func:`optimizer.bundles.propose.summarize`) and ``plans``
    (:func:`~optimizer.bundles.propose.propose`); ``cpc_keywords``; ``splits``
    (:func:`~optimizer.bundles.propose.split_candidates`, against the bundle map or the
    bundles in plan names); ``drift`` (:data:`DRIFT_COLUMNS`: every flag, learning
    ones included, with its headline and explanation); ``targets`` and
    ``compensation`` (:mod:`optimizer.bundles.targets`; empty without bundles); ``landing``
    (:data:`LANDING_COLUMNS`, or None when skipped — see ``notes``) and
    ``url_changes`` (:data:`URL_CHANGE_COLUMNS`: every URL change and issue of
    :func:`optimizer.landing.analysis.url_drift`, as the Landing pages page lists them; None
    when skipped); ``landing_counts``: :meth:`optimizer.landing.report.LandingReport.counts`.

    ``notes``: (code, zh, en) of what was skipped or assumed. ``negatives_days``:
    days the search-term rows cover. ``has_bundles``: current bundles are known (map
    or plan names). ``negative_plans``: the negative keywords per plan (campaign,
    search_term, cost, clicks, conversions, reason), for :mod:`optimizer.outputs.bulk`.
    """

    platform: str
    account: str
    currency: str
    vertical: str
    rows: int
    spend: float
    date_start: pd.Timestamp | None
    date_end: pd.Timestamp | None
    window_start: pd.Timestamp | None
    window_end: pd.Timestamp | None
    daily_spend: float
    summary: pd.DataFrame
    keywords: pd.DataFrame
    stages: pd.DataFrame
    structure: pd.DataFrame
    negatives: pd.DataFrame
    bundles: pd.DataFrame
    plans: pd.DataFrame
    cpc_keywords: pd.DataFrame
    splits: pd.DataFrame
    drift: pd.DataFrame
    targets: pd.DataFrame
    compensation: pd.DataFrame
    landing: pd.DataFrame | None
    notes: list[tuple[str, str, str]] = field(default_factory=list)
    url_changes: pd.DataFrame | None = None
    landing_counts: dict | None = None
    negatives_days: int = 0
    has_bundles: bool = False
    negative_plans: pd.DataFrame | None = None

    #: frames in workbook order (summary first)
    FRAMES = ("summary", "keywords", "stages", "structure", "negatives", "bundles", "plans", "cpc_keywords",
              "splits", "drift", "targets", "compensation", "landing", "url_changes")

    def frames(self) -> dict[str, pd.DataFrame]:
        """The frames in workbook order; ``landing`` and ``url_changes`` left out when skipped."""
        return {k: getattr(self, k) for k in self.FRAMES if getattr(self, k) is not None}

    def counts(self) -> dict[str, int | None]:
        """How many findings of each kind (the ``counts`` object of ``--json``)."""
        d, c = self.drift, self.compensation
        return {
            "keywords": len(self.keywords), "negative_keywords": len(self.negatives),
            "structure_fixes": len(self.structure), "bundles": len(self.bundles),
            "bundles_ready": int(self.bundles["meets_threshold"].sum()) if len(self.bundles) else 0,
            "plans": len(self.plans), "cpc_keywords": len(self.cpc_keywords),
            "split_candidates": int(self.splits["split"].sum()) if len(self.splits) else 0,
            "drift_flags": int((d["status"] == "flag").sum()) if len(d) else 0,
            "drift_learning": int((d["status"] == "learning").sum()) if len(d) else 0,
            "over_target": int((self.targets["status"] == "over_target").sum()) if len(self.targets) else 0,
            "compensation": int(c["status"].isin(["eligible", "at_risk"]).sum()) if len(c) else 0,
            "landing_pages": None if self.landing is None else len(self.landing),
            "landing_red": None if self.landing is None else int((self.landing["status"] == "red").sum()),
            **{f"landing_{k}": None if self.landing_counts is None else self.landing_counts[k]
               for k in ("url_findings", "mismatched_keywords")},
        }

    def label(self, lang: str = "zh") -> str:
        """The account as the app names it (:func:`optimizer.i18n.account_label`):
        ``Google Ads · 未命名账户 · USD`` for an export that names no account."""
        return account_label(self.platform, self.account, self.currency, lang)


# ---------------------------------------------------------------- the analysis

class _Steps:
    STEPS = ("vertical", "keywords", "search_terms", "bundles", "drift", "explain", "landing", "summary")

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.i = 0

    def __call__(self, label: str) -> None:
        if self.progress is not None:
            self.progress(self.i, len(self.STEPS), label)
        self.i += 1


def _identity(rows: pd.DataFrame) -> dict:
    acc = accounts(rows)
    if acc.empty:
        return {"platform": "", "account": "", "currency": "", "date_start": None, "date_end": None, "cost": 0.0}
    return acc.iloc[0].to_dict()


def _ts(v) -> pd.Timestamp | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v)


def analyze_account(rows: pd.DataFrame, vertical: str = "auto", settings: AnalysisSettings = AnalysisSettings(),
                    sheet: BundleSheet | None = None, progress: Progress | None = None,
                    account: dict | None = None, *, clf: Classifier | None = None,
                    previous: pd.DataFrame | None = None, audits: dict | None = None,
                    previous_audits: dict | None = None) -> Analysis:
    """Run the whole analysis of one account's rows (a canonical table, e.g.
    :func:`optimizer.model.dataset.for_account`).

    ``vertical``: a vertical of :data:`optimizer.keywords.lexicon.VERTICALS` or ``auto``
    (detected as the pages detect it, :func:`optimizer.keywords.stages.account_vertical`).
    ``clf``: the classifier to label keywords with — the account's, with its lexicon
    edits, as the pages use it (its vertical then wins over ``vertical``); by default
    the vertical's own lexicon. ``sheet``: the bundle map
    (:func:`optimizer.bundles.targets.read_bundle_sheet`); without it, bundles are read from
    plan names (``包1-开锁``) when they follow that convention. ``previous``: the rows of
    an earlier upload of the account, whose URLs the landing analysis compares with;
    ``audits`` / ``previous_audits``: the latest and the previous page audits kept,
    by page (:func:`optimizer.landing.report.build`). ``progress``: called as
    ``progress(done, total, label)`` before each step. ``account``: the account's row
    of :func:`optimizer.model.dataset.accounts` when the caller has it.
    """
    step = _Steps(progress)
    ident = account if account is not None else _identity(rows)
    currency = ident.get("currency") or None
    notes: list[tuple[str, str, str]] = []

    def note(code: str, **params) -> None:
        notes.append((code, st(f"note.{code}", "zh", **params), st(f"note.{code}", "en", **params)))

    step("vertical")
    if clf is None:
        clf = account_classifier(rows, vertical)
    vertical = clf.vertical

    step("keywords")
    perf = keyword_performance(rows, clf)
    keywords = _keyword_frame(perf)
    stages = stage_table(perf)
    structure = structure_fixes(perf)

    step("search_terms")
    search = keyword_performance(rows, clf, "search_term")
    negatives = negative_keywords(search, perf)
    negative_plans = _negative_plans(search, negatives)
    st_rows = rows.loc[(rows["report_type"] == "search_term").to_numpy(bool)]
    neg_days = _span_days(st_rows)
    del search, st_rows
    if neg_days == 0:
        note("no_search_terms")

    step("bundles")
    bs = settings.bundle_settings()
    window_rows, wperf = window_performance(rows, clf, bs)
    ev = plan_evidence(rows, clf, bs, wperf)
    campaigns = pd.Series(sorted({str(c) for c in rows["campaign"].dropna().unique()}), dtype=object)
    names = bundles_from_names(campaigns)
    membership = sheet.membership if sheet is not None else names.dropna()
    has_bundles = len(membership) > 0
    if ev.empty:
        note("no_daily")
        plans = bundles = cpc = splits = pd.DataFrame()
        win_start = win_end = None
    else:
        plans = propose(ev, bs)
        bundles = summarize(plans, bs)
        splits = split_candidates(ev, membership, sheet.targets if sheet is not None else {},
                                  max_cpa_ratio=bs.max_cpa_ratio)
        cpc = cpc_keywords(wperf, window_rows)
        win_start, win_end = ev["window_start"].iloc[0], ev["window_end"].iloc[0]
    del window_rows, wperf

    step("drift")
    proposed = bundle_membership(plans) if len(plans) else None
    acct_sheet, source = bundle_sheet_for(campaigns, sheet, proposed)
    if source != "map":
        note({"names": "bundles_from_names", "proposed": "bundles_proposed", "none": "no_bundle_map"}[source])
    lines = plan_lines(rows, clf, perf) if "line" in settings.alerts.levels else None
    rep = scan(rows, settings.alerts, lines, acct_sheet, settings.rules or load_rules(), settings.rule_set)
    if rep.dropped_partial_day is not None:
        note("partial_day", day=str(pd.Timestamp(rep.dropped_partial_day).date()))

    step("explain")
    drift = _drift_frame(rep, currency, settings.max_explained)
    n_flags = int(drift["status"].isin(["flag", "learning"]).sum()) if len(drift) else 0
    if n_flags > settings.max_explained:
        note("explained", n=settings.max_explained, total=n_flags)

    step("landing")
    landing = url_changes = landing_counts = None
    if settings.landing:
        landing, url_changes, landing_counts, problem = _landing(rows, clf, currency, previous, audits,
                                                                 previous_audits)
        if problem is not None:
            note(*problem[:1], detail=problem[1])

    step("summary")
    daily_spend = rep.daily_spend
    if not (daily_spend and math.isfinite(daily_spend)):
        days = _span_days(rows)
        daily_spend = float(ident.get("cost") or 0.0) / days if days else float("nan")
    analysis = Analysis(
        platform=str(ident.get("platform") or ""), account=str(ident.get("account") or ""),
        currency=str(currency or ""), vertical=vertical, rows=len(rows), spend=float(ident.get("cost") or 0.0),
        date_start=_ts(ident.get("date_start")), date_end=_ts(ident.get("date_end")),
        window_start=_ts(win_start), window_end=_ts(win_end), daily_spend=daily_spend,
        summary=pd.DataFrame(columns=SUMMARY_COLUMNS), keywords=keywords, stages=stages, structure=structure,
        negatives=negatives, bundles=bundles, plans=plans, cpc_keywords=cpc, splits=splits, drift=drift,
        targets=rep.targets, compensation=rep.compensation, landing=landing, notes=notes,
        negatives_days=neg_days, has_bundles=has_bundles, negative_plans=negative_plans,
        url_changes=url_changes, landing_counts=landing_counts)
    analysis.summary = build_summary(analysis, settings, rep)
    return analysis


def _span_days(rows: pd.DataFrame) -> int:
    """Days covered by ``rows`` (first period start to last period end), 0 when none."""
    if rows.empty:
        return 0
    start, end = rows["period_start"].min(), rows["period_end"].max()
    if pd.isna(start) or pd.isna(end):
        return 0
    return int((end - start).days) + 1


def _negative_plans(search: pd.DataFrame, negatives: pd.DataFrame) -> pd.DataFrame:
    """The negative keywords (``negatives``: safe to negate) per plan: campaign,
    search_term, cost, clicks, conversions, reason (their off-target cues)."""
    cols = ["campaign", "search_term", "cost", "clicks", "conversions", "reason"]
    off = search.loc[(search["off_target"] == 1) & search["search_term"].isin(negatives["search_term"])] \
        if len(search) else search
    if off.empty:
        return pd.DataFrame(columns=cols)
    g = off.groupby(["campaign", "search_term"], sort=False).agg(
        cost=("cost", "sum"), clicks=("clicks", "sum"), conversions=("conversions", "sum"),
        reason=("cues", off_target_reasons)
    ).reset_index()
    return g[cols]


def _keyword_frame(perf: pd.DataFrame) -> pd.DataFrame:
    """Keyword stages: :data:`KEYWORD_COLUMNS`, most cost first."""
    if perf.empty:
        return pd.DataFrame(columns=KEYWORD_COLUMNS)
    k = perf[["keyword", "campaign", "ad_group", "business_line", "stage", "urgency", "off_target", "cost",
              "clicks", "conversions", "cues"]].copy()
    k["cvr"] = k["conversions"] / k["clicks"].where(k["clicks"] > 0)
    k["cpa"] = k["cost"] / k["conversions"].where(k["conversions"] > 0)
    k = k.sort_values(["cost", "clicks"], ascending=False, kind="stable", ignore_index=True)
    return k[KEYWORD_COLUMNS]


def _pct(v: float) -> str:
    return f"{v:+.0%}" if v == v else "–"


def _explanation(dec: dict, summary: dict | None, top: tuple[str, float] | None, currency: str | None
                 ) -> tuple[str, str]:
    zh, en = [], []
    if np.isfinite(dec.get("share_cpc", np.nan)):
        zh.append(f"点击价格 {_pct(dec['cpc_change'])}（占转化成本变化的 {dec['share_cpc']:.0%}），"
                  f"转化率 {_pct(dec['cvr_change'])}（{dec['share_cvr']:.0%}）")
        en.append(f"CPC {_pct(dec['cpc_change'])} ({dec['share_cpc']:.0%} of the CPA change), "
                  f"CVR {_pct(dec['cvr_change'])} ({dec['share_cvr']:.0%})")
    if summary is not None and np.isfinite(summary.get("mix_share", np.nan)):
        zh.append(f"结构 {summary['mix_share']:.0%} / 表现 {summary['rate_share']:.0%}")
        en.append(f"mix {summary['mix_share']:.0%} / rate {summary['rate_share']:.0%}")
    if top is not None:
        name_zh = "其他关键词" if top[0] == OTHER else top[0]
        name_en = "Other keywords" if top[0] == OTHER else top[0]
        zh.append(f"最大来源：{name_zh} {money(top[1], currency, 0)}")
        en.append(f"top: {name_en} {money(top[1], currency, 0)}")
    return "；".join(zh), "; ".join(en)


def _drift_frame(rep, currency: str | None, max_explained: int) -> pd.DataFrame:
    """Every flag (learning ones included) with headline and explanation columns."""
    f = flags(rep, include_learning=True)
    if f.empty:
        return pd.DataFrame(columns=DRIFT_COLUMNS)
    out = f.copy()
    out["headline_zh"] = [headline(r, "zh", currency) for _, r in f.iterrows()]
    out["headline_en"] = [headline(r, "en", currency) for _, r in f.iterrows()]
    extra = {c: [np.nan] * len(f) for c in ("cpa_before", "cpa_after", "cpc_change", "cvr_change", "share_cpc",
                                          "share_cvr", "mix_share", "rate_share", "money_mix", "money_rate",
                                          "top_contributor_money")}
    text = {c: [""] * len(f) for c in ("top_contributor", "explanation_zh", "explanation_en")}
    order = np.argsort(-f["money_at_stake"].fillna(-np.inf).to_numpy(float), kind="stable")[:max_explained]
    for i in order:
        r = f.iloc[i]
        ex = explain(rep, r["level"], r["entity"], r["metric"], r["start"])
        d = ex.decomposition
        for c in ("cpa_before", "cpa_after", "cpc_change", "cvr_change", "share_cpc", "share_cvr"):
            extra[c][i] = d.get(c, np.nan)
        top = None
        if ex.summary is not None:
            for c in ("mix_share", "rate_share", "money_mix", "money_rate"):
                extra[c][i] = ex.summary.get(c, np.nan)
            if len(ex.contributors):
                c0 = ex.contributors.iloc[0]
                top = (str(c0["child"]), float(c0["money"]))
                text["top_contributor"][i] = "其他关键词 / Other keywords" if top[0] == OTHER else top[0]
                extra["top_contributor_money"][i] = top[1]
        text["explanation_zh"][i], text["explanation_en"][i] = _explanation(d, ex.summary, top, currency)
    for c, v in {**extra, **text}.items():
        out[c] = v
    out["note"] = out["note"].fillna("")
    return out[DRIFT_COLUMNS].reset_index(drop=True)


def drift_csv(rep, currency: str | None, lang: str = "zh",
              max_explained: int = AnalysisSettings.max_explained) -> bytes:
    """The Cost drift page's download: every flag of a :func:`optimizer.drift.scan.scan`
    report as the workbook's drift sheet writes it (:func:`optimizer.outputs.workbook.frame_csv`:
    headers, severities and metrics in ``lang``, money to the cent, rates rounded)."""
    from optimizer.outputs.workbook import frame_csv
    return frame_csv("drift", _drift_frame(rep, currency, max_explained), lang, currency)


def _landing(rows: pd.DataFrame, clf, currency: str | None = None, previous: pd.DataFrame | None = None,
             audits: dict | None = None, previous_audits: dict | None = None):
    """Landing-page findings from ``optimizer.landing.report`` (against the earlier
    upload's rows and with the audits kept, when given): (pages, URL changes, counts,
    None), or (None, None, None, (note code, detail)) when it cannot be imported or
    fails."""
    try:
        landing_report = importlib.import_module("optimizer.landing.report")
    except ImportError as exc:
        return None, None, None, ("landing_missing", str(exc))
    try:
        rep = landing_report.build(rows, clf, previous, audits, previous_audits, currency=currency)
    except Exception as exc:  # an optional section must not sink the whole workbook; said in the notes
        return None, None, None, ("landing_failed", f"{type(exc).__name__}: {exc}")
    pages, drift = rep.pages, rep.drift
    return (pages[[c for c in LANDING_COLUMNS if c in pages.columns]].reset_index(drop=True),
            drift[URL_CHANGE_COLUMNS].reset_index(drop=True), rep.counts(), None)


# ---------------------------------------------------------------- the summary

def _severity(value: float, daily_spend: float, alerts: AlertSettings) -> str:
    if value != value:
        return "info"
    if value < 0:
        return "saving"
    if not (daily_spend and math.isfinite(daily_spend) and daily_spend > 0):
        return "low"
    days = value / daily_spend
    return "high" if days >= alerts.high_days else "medium" if days >= alerts.medium_days else "low"


def _drift_lines(a: Analysis, rep) -> pd.DataFrame:
    """The drift flags worth a summary line (see the module docstring)."""
    d = a.drift
    if d.empty:
        return d
    f = d.loc[(d["status"] == "flag") & (d["money_at_stake"] > 0)]
    if f.empty:
        return f
    best = (f.sort_values("money_at_stake", ascending=False, kind="stable")
            .drop_duplicates(["level", "entity"]))
    plan = best.loc[best["level"] == "campaign"]
    flagged_plans = set(plan["entity"])
    keep = [plan]
    for level, mapping in (("bundle", rep.bundles), ("line", rep.lines)):
        g = best.loc[best["level"] == level]
        if len(g) and mapping is not None and len(mapping):
            plans_of = {e: set(mapping.index[mapping.astype(str) == e]) for e in g["entity"]}
            g = g.loc[[not (plans_of.get(e, set()) & flagged_plans) for e in g["entity"]]]
        keep.append(g)
    kw = best.loc[best["level"] == "keyword"]
    if len(kw):
        s = rep.series.loc[rep.series["level"] == "keyword", ["entity", "campaign"]].drop_duplicates("entity")
        camp = dict(zip(s["entity"], s["campaign"].astype(str), strict=True))
        kw = kw.loc[[camp.get(e) not in flagged_plans for e in kw["entity"]]]
        keep.append(kw)
    chosen = pd.concat([k for k in keep if len(k)], ignore_index=True) if any(len(k) for k in keep) else best.iloc[:0]
    if chosen.empty:
        chosen = best.loc[best["level"] == "account"].head(1)
    return chosen.sort_values("money_at_stake", ascending=False, kind="stable", ignore_index=True)


def build_summary(a: Analysis, settings: AnalysisSettings, rep) -> pd.DataFrame:
    """What to do first: one line per action (:data:`SUMMARY_COLUMNS`), ranked by money
    at stake, the lines without money last (see the module docstring)."""
    cur = a.currency or None
    lines: list[dict] = []

    def add(kind: str, value: float, basis: str, count: int, act: str, sheet: str, key: str = "",
            severity: str | None = None, basis_days: int | None = None, **params) -> None:
        bp = {"days": basis_days} if basis_days is not None else {}
        texts = {}
        for lang in ("zh", "en"):
            p = {k: (v[lang] if isinstance(v, dict) else v) for k, v in params.items()}
            texts[lang] = st(f"act.{act}", lang, **p)
        lines.append({"kind": kind, "severity": severity or _severity(value, a.daily_spend, settings.alerts),
                      "money_at_stake": value, "basis_zh": st(f"basis.{basis}", "zh", **bp),
                      "basis_en": st(f"basis.{basis}", "en", **bp), "count": count, "action_zh": texts["zh"],
                      "action_en": texts["en"], "sheet": sheet, "entity": key})

    def both(v: float, decimals: int = 0) -> str:
        return money(v, cur, decimals)

    if len(a.negatives):
        wasted = float(a.negatives["cost"].sum())
        add("negatives", wasted, "wasted", len(a.negatives), "negatives", "negatives", basis_days=a.negatives_days,
            n=len(a.negatives), days=a.negatives_days, money=both(wasted))
    for _, r in _drift_lines(a, rep).iterrows():
        start = pd.Timestamp(r["start"])
        add("drift", float(r["money_at_stake"]), "at_stake", 1, "drift", "drift", key=str(r["entity"]),
            severity=r["severity"] or None, entity=str(r["entity"]),
            metric={lang: code_name(METRIC, r["metric"], lang) for lang in ("zh", "en")},
            change=_pct(float(r["change"])), start=start.strftime("%m-%d"), money=both(float(r["money_at_stake"])))
    if len(a.targets):
        for _, r in a.targets.loc[a.targets["status"] == "over_target"].iterrows():
            excess = float(r["excess_cost"])
            days = int(r["days"]) if r["days"] == r["days"] else settings.alerts.targets.window_days
            add("target", excess, "above_target", 1, "target", "targets", key=str(r["bundle"]), basis_days=days,
                bundle=str(r["bundle"]), days=days, cpa=both(float(r["cpa"]), 2), target=both(float(r["target_cpa"]), 2),
                over=f"{float(r['cpa_vs_target']):.0%}", money=both(excess))
    if len(a.compensation):
        for _, r in a.compensation.loc[a.compensation["status"].isin(["eligible", "at_risk"])].iterrows():
            amount = float(r["amount"]) if r["amount"] == r["amount"] else float("nan")
            add("compensation", amount, "compensation", 1, "compensation", "compensation", key=str(r["bundle"]),
                bundle=str(r["bundle"]), money=both(amount),
                status={lang: code_name(COMPENSATION_STATUS, r["status"], lang) for lang in ("zh", "en")},
                reasons={"zh": str(r["reasons_zh"] or ""), "en": str(r["reasons_en"] or "")})
    if len(a.splits):
        for _, r in a.splits.loc[a.splits["split"].astype(bool)].iterrows():
            cpa, rest = float(r["cpa"]), float(r["rest_cpa"])
            value = (cpa - rest) * float(r["conversions"]) if cpa == cpa and rest == rest and cpa > rest else float("nan")
            add("split", value, "above_bundle" if value == value else "none", 1, "split", "splits",
                key=str(r["campaign"]), basis_days=settings.window_days, campaign=str(r["campaign"]),
                bundle=str(r["bundle"]), ratio=f"{float(r['cpa_vs_rest']):.2f}")
    if a.landing is not None and len(a.landing):
        for _, r in a.landing.loc[a.landing["status"] == "red"].iterrows():
            value = float(r["drop_money"]) if "drop_money" in r and r["drop_money"] == r["drop_money"] else float("nan")
            add("landing", value, "landing" if value == value else "none", 1, "landing", "landing",
                key=str(r["page"]), severity=None if value == value else "high", page=str(r["page"]),
                reasons={"zh": str(r.get("reasons_zh", "")), "en": str(r.get("reasons_en", ""))})
    if len(a.structure):
        add("structure", float("nan"), "none", len(a.structure), "structure", "structure", n=len(a.structure),
            money=both(float(a.structure["cost"].sum())))
    if len(a.bundles):
        ready, k = int(a.bundles["meets_threshold"].sum()), len(a.bundles)
        new = "bundles_new" + ("_all" if ready == k else "_none" if ready == 0 else "")
        add("bundles", float("nan"), "none", k, "bundles_compare" if a.has_bundles else new,
            "bundles", k=k, ready=ready, rest=k - ready)
    if len(a.cpc_keywords):
        add("cpc", float("nan"), "none", len(a.cpc_keywords), "cpc", "cpc_keywords", n=len(a.cpc_keywords))
    if not lines:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    out = pd.DataFrame(lines)
    kind = out["kind"].map({k: i for i, k in enumerate(KIND_ORDER)})
    out = (out.assign(_m=-out["money_at_stake"].fillna(-np.inf), _k=kind)
           .sort_values(["_m", "_k"], kind="stable").drop(columns=["_m", "_k"]).reset_index(drop=True))
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out[SUMMARY_COLUMNS]


# ---------------------------------------------------------------- files and folders

def analyze_exports(paths: Sequence[str | Path], vertical: str = "auto",
                    settings: AnalysisSettings = AnalysisSettings(), bundle_map: str | Path | None = None,
                    progress: Progress | None = None, account: str | None = None) -> list[Analysis]:
    """Read export files (merged as the app does, :func:`optimizer.model.dataset.load_exports`:
    the newer download wins; ``account`` names the account of files that name none,
    else each such file is its own account unless its plans are an account's already
    read) and analyse every account in them,
    largest spend first. ``bundle_map``: a bundle map CSV (applies to every account).
    Raises :class:`~optimizer.errors.IngestError` for an unreadable export, ValueError
    for a bad bundle map, OSError for a missing file."""
    paths = [str(p) for p in paths]
    n = len(paths)
    if not n:
        raise AnalyzeError("no_exports")
    table = load_exports(paths, account, None if progress is None else lambda i, _n, label: progress(i, n * 2, label))
    sheet = read_bundle_sheet(Path(bundle_map).read_bytes(), str(bundle_map)) if bundle_map else None
    accts = accounts(table)
    out = []
    for k, (_, acct) in enumerate(accts.iterrows()):
        rows = table if len(accts) == 1 else for_account(table, acct["platform"], acct["account"], acct["currency"])

        def sub(done: float, total: float, label: str, k=k) -> None:
            if progress is not None:
                progress(n + n * (k + done / total) / len(accts), n * 2, label)

        out.append(analyze_account(rows, vertical, settings, sheet, sub, acct.to_dict()))
        del rows
    if progress is not None:
        progress(2 * n, 2 * n, "done")
    return out


EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls")
INDEX_COLUMNS = ["folder", "account", "platform", "currency", "status", "rows", "spend", "top_action",
                 "money_at_stake", "actions", "path", "error"]


def is_bundle_map(path: Path) -> bool:
    """A bundle map in a batch folder: a CSV named ``bundle_map*`` or ``*投放包*``."""
    name = path.name.lower()
    return path.suffix.lower() == ".csv" and (name.startswith("bundle_map") or "投放包" in path.name)


def folder_files(folder: Path) -> tuple[list[Path], Path | None]:
    """(export files, bundle map or None) of one account folder (not recursive, sorted)."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in EXPORT_SUFFIXES
                   and not p.name.startswith((".", "~$")))
    maps = [p for p in files if is_bundle_map(p)]
    return [p for p in files if p not in maps], (maps[0] if maps else None)


def _hidden(path: Path) -> bool:
    """A file the system or Excel leaves beside the user's (``.DS_Store``, ``~$book.xlsx``)."""
    return path.name.startswith((".", "~$"))


def skip_reason(path: Path, lang: str = "zh", in_account_folder: bool = True) -> str | None:
    """Why batch mode does not read ``path``, in ``lang`` (None: it is read): a file
    beside the account folders, a file whose name is not an export's, or one that is
    no report at all (empty, cannot be opened, a PDF, image, office document or
    archive: :func:`optimizer.reading.ingest.check_report`). A file that looks like a report
    but cannot be read whole is not skipped: its account fails, named."""
    if not in_account_folder:
        return st("skip.not_in_folder", lang)
    if path.suffix.lower() not in EXPORT_SUFFIXES:
        return st("skip.not_export", lang)
    try:
        check_report(path)
    except IngestError as exc:
        if exc.kind == "not_a_report":
            what = next((zh if lang == "zh" else en) for zh, en in FOREIGN_TYPES.values()
                         if exc.detail_zh == zh)
            return st("skip.foreign", lang, what=what)
        if exc.kind == "empty":
            return st("skip.empty", lang)
        if exc.kind == "unreadable":
            return st("skip.unreadable", lang, reason=(exc.detail_zh if lang == "zh" else exc.detail_en).strip("（）()"))
    return None


def _safe_name(text: str) -> str:
    bad = '<>:"/\\|?*\x00'
    cleaned = "".join("_" if c in bad or ord(c) < 32 else c for c in text).strip(" .")
    return cleaned or "account"


def workbook_paths(out: Path, analyses: Sequence[Analysis]) -> list[Path]:
    """``out`` for one account; ``<stem>_<account><suffix>`` for each of several."""
    if len(analyses) <= 1:
        return [out]
    seen: dict[str, int] = {}
    paths = []
    for a in analyses:
        name = _safe_name(a.account or a.platform)
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name}_{seen[name]}"
        paths.append(out.with_name(f"{out.stem}_{name}{out.suffix or '.xlsx'}"))
    return paths


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class AnalyzeError(ValueError):
    """A problem with what ``analyze`` was given (no exports or no account rows, a
    batch folder that is none or holds no exports), in both languages like :class:`~optimizer.errors.IngestError`:
    ``key`` — ``error.<key>`` of :mod:`optimizer.outputs.sheet_text` — and its parameters;
    ``str(error)`` is the English text."""

    def __init__(self, key: str, **params: object) -> None:
        self.key, self.params = key, params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` (``zh`` or ``en``)."""
        return st(f"error.{self.key}", lang, **self.params)


def error_text(exc: BaseException, lang: str = "en", verb: str = "read") -> str:
    """The one-line reason for a failed input or output, in ``lang`` (IngestError: file,
    row, column, value; :class:`AnalyzeError`; a bundle map's
    :class:`~optimizer.errors.UserError`; OSError: ``cannot read FILE: reason`` —
    ``verb`` ``write`` for an output —, the reason in ``lang`` for the common ones,
    :func:`optimizer.errors.os_reason`)."""
    if isinstance(exc, IngestError):
        return _one_line(exc.message(lang))
    if isinstance(exc, (AnalyzeError, UserError)):  # UserError: a bundle map's row, column and value
        return _one_line(exc.message(lang))
    if isinstance(exc, OSError):
        name = getattr(exc, "filename", None)
        if name:
            key = "error.cannot_write" if verb == "write" else "error.cannot_read"
            return _one_line(st(key, lang, file=name, reason=os_reason(exc, lang)))
        return _one_line(str(exc))
    return _one_line(str(exc))


def output_problem(out: str | Path | None, csv_dir: str | Path | None = None, batch: bool = False,
                   lang: str = "en") -> str | None:
    """Why ``analyze`` cannot write where it was asked to, in one line in ``lang``, or
    None when it can (checked before the analysis runs).

    ``out`` — the workbook (``batch`` False): it must end in ``.xlsx`` (any case), not
    be a folder, and its folder must exist; with ``batch``, the output folder: it may
    be created, inside a folder that exists, and must not be a file. ``csv_dir``
    (without ``batch``): the same as a batch output folder. No deep path is ever
    created: a mistyped folder is named, not made."""
    def folder(option: str, path: Path) -> str | None:
        if path.exists() and not path.is_dir():
            return st("error.not_a_dir", lang, option=option, path=path)
        parent = path.parent
        if not path.exists() and not parent.is_dir():
            return st("error.no_parent", lang, option=option, path=path, parent=parent)
        return None

    if out is not None:
        path = Path(out)
        if batch:
            problem = folder("--out", path)
            if problem:
                return problem
        elif path.is_dir():
            return st("error.out_is_folder", lang, path=path)
        elif path.suffix.lower() != ".xlsx":
            return st("error.out_suffix", lang, path=path)
        elif path.parent.exists() and not path.parent.is_dir():
            return st("error.not_a_dir", lang, option="--out", path=path.parent)
        elif not path.parent.exists():
            return st("error.no_parent", lang, option="--out", path=path, parent=path.parent)
    if csv_dir is not None and not batch:
        return folder("--csv-dir", Path(csv_dir))
    return None


def analyze_folder(folder: str | Path, out_dir: str | Path, lang: str = "zh", vertical: str = "auto",
                   settings: AnalysisSettings = AnalysisSettings(), progress: Progress | None = None,
                   csv: bool = False) -> pd.DataFrame:
    """Batch mode: every sub-folder of ``folder`` is one account's exports (and
    optionally its bundle map, see :func:`is_bundle_map`). Writes one workbook per
    account into ``out_dir`` (``<folder>.xlsx``; ``<folder>_<account>.xlsx`` when a
    folder holds several accounts) and ``index.xlsx`` / ``index.csv``, and returns the
    index: :data:`INDEX_COLUMNS` — folder, account, platform, currency, status
    (``ok`` | ``error`` | ``skipped``), rows, spend, top_action (the summary's first line, in
    ``lang``), money_at_stake (that line's money), actions (summary lines), path
    (the workbook), error (one line, in ``lang``). A failed folder does not stop the
    others. Every file not read is named on a ``skipped`` row (its folder, and in
    ``error`` the file and why: :func:`skip_reason`); hidden files (``.DS_Store``,
    Excel's ``~$`` lock files) are passed over. ``csv``: also write each sheet as CSV into ``<out_dir>/<workbook stem>/``.
    """
    from optimizer.outputs.workbook import index_csv, write_index, write_workbook

    folder, out_dir = Path(folder), Path(out_dir)
    if not folder.is_dir():
        raise AnalyzeError("not_a_folder", path=folder)
    out_dir.mkdir(exist_ok=True)  # the output folder itself, inside one that exists (see output_problem)
    subs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    rows: list[dict] = []

    def skipped(path: Path, reason: str, where: str) -> None:
        rows.append({"folder": where, "account": "", "platform": "", "currency": "", "status": "skipped",
                     "rows": 0, "spend": np.nan, "top_action": "", "money_at_stake": np.nan, "actions": 0,
                     "path": "", "error": st("skip.file", lang, file=path.relative_to(folder).as_posix(),
                                             reason=reason)})

    for p in sorted(folder.iterdir()):
        if p.is_file() and not _hidden(p):
            skipped(p, skip_reason(p, lang, in_account_folder=False), folder.name)
    for i, sub in enumerate(subs):
        def prog(done: float, total: float, label: str, i=i, name=sub.name) -> None:
            if progress is not None:
                progress(i + done / total, len(subs), f"{name}: {label}")

        base = {"folder": sub.name, "account": "", "platform": "", "currency": "", "rows": 0, "spend": np.nan,
                "top_action": "", "money_at_stake": np.nan, "actions": 0, "path": "", "error": ""}
        try:
            files, bmap = folder_files(sub)
            reasons = {p: skip_reason(p, lang) for p in sorted(sub.iterdir())
                       if p.is_file() and not _hidden(p) and p != bmap}
            for p, reason in reasons.items():
                if reason is not None:
                    skipped(p, reason, sub.name)
            files = [p for p in files if reasons.get(p) is None]
            if not files:
                raise AnalyzeError("folder_no_exports", folder=sub.name)
            analyses = analyze_exports(files, vertical, settings, bmap, prog)
            if not analyses:
                raise AnalyzeError("no_rows")
        except (IngestError, OSError, ValueError) as exc:
            rows.append({**base, "status": "error", "error": error_text(exc, lang)})
            continue
        for a, path in zip(analyses, workbook_paths(out_dir / f"{_safe_name(sub.name)}.xlsx", analyses), strict=True):
            write_workbook(a, path, lang)
            if csv:
                _write_csvs(a, path.with_suffix(""), lang)
            top = a.summary.iloc[0] if len(a.summary) else None
            rows.append({**base, "account": a.account, "platform": a.platform, "currency": a.currency,
                         "status": "ok", "rows": a.rows, "spend": a.spend,
                         "top_action": "" if top is None else top[f"action_{lang}"],
                         "money_at_stake": np.nan if top is None else top["money_at_stake"],
                         "actions": len(a.summary), "path": str(path)})
    index = pd.DataFrame(rows, columns=INDEX_COLUMNS)
    write_index(index, out_dir / "index.xlsx", lang)
    (out_dir / "index.csv").write_bytes(index_csv(index, lang))
    if progress is not None:
        progress(len(subs), max(len(subs), 1), "done")
    return index


def _write_csvs(a: Analysis, folder: Path, lang: str) -> list[Path]:
    from optimizer.outputs.workbook import sheet_csvs
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i, (name, data) in enumerate(sheet_csvs(a, lang).items(), start=1):
        p = folder / f"{i:02d}_{_safe_name(name)}.csv"
        p.write_bytes(data)
        written.append(p)
    return written


# ---------------------------------------------------------------- JSON

def _num(v, digits: int = 2):
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if not math.isfinite(f) else round(f, digits)


def _day(v) -> str | None:
    return None if v is None or pd.isna(v) else str(pd.Timestamp(v).date())


def analysis_json(a: Analysis, lang: str = "zh", workbook: str | None = None) -> dict:
    """The ``--json`` object of one account (keys documented in :func:`cmd_analyze`)."""
    return {
        "platform": a.platform, "account": a.account, "account_label": a.label(lang), "currency": a.currency,
        "vertical": a.vertical,
        "date_start": _day(a.date_start), "date_end": _day(a.date_end), "rows": a.rows, "spend": _num(a.spend),
        "window_start": _day(a.window_start), "window_end": _day(a.window_end), "workbook": workbook,
        "counts": a.counts(),
        "summary": [{"rank": int(r["rank"]), "kind": r["kind"], "severity": r["severity"],
                     "money_at_stake": _num(r["money_at_stake"]), "basis": r[f"basis_{lang}"],
                     "count": int(r["count"]), "action": r[f"action_{lang}"], "action_zh": r["action_zh"],
                     "action_en": r["action_en"], "sheet": r["sheet"], "entity": r["entity"]}
                    for _, r in a.summary.iterrows()],
        "notes": [{"code": c, "message": en, "message_zh": zh} for c, zh, en in a.notes],
    }


# ---------------------------------------------------------------- text (without --json)

def _severity_name(code: str, lang: str) -> str:
    return st("severity.info", lang) if code == "info" else code_name(SEVERITY, code, lang)


def summary_text(a: Analysis, lang: str = "zh", workbook: str | Path | None = None, top: int = 10) -> list[str]:
    """The lines ``analyze`` prints for one account without ``--json``, every one in
    ``lang``: the account (platform, account, currency, vertical, days, rows, and the
    workbook written), its first ``top`` actions (rank, severity, action, money) and
    its notes."""
    label = account_label(a.platform, a.account, a.currency, lang)
    head = st("cli.account", lang, label=label, vertical=vertical_name(a.vertical, lang),
              start=_day(a.date_start) or "-", end=_day(a.date_end) or "-", rows=f"{a.rows:,}")
    lines = [head + (f" → {workbook}" if workbook else "")]
    width = max(len(_severity_name(c, lang)) for c in SEVERITY_ORDER)
    for r in a.summary.head(top).itertuples():
        m = "" if r.money_at_stake != r.money_at_stake else f"  [{money(r.money_at_stake, a.currency, 0)}]"
        severity = _severity_name(r.severity, lang).ljust(width)
        lines.append(f"  {r.rank:>2}. [{severity}] {getattr(r, f'action_{lang}')}{m}")
    if len(a.summary) > top:
        lines.append(st("cli.more", lang, n=len(a.summary) - top))
    lines += [st("cli.note", lang, text=zh if lang == "zh" else en) for _, zh, en in a.notes]
    return lines


def batch_text(index: pd.DataFrame, out_dir: str | Path, lang: str = "zh") -> list[str]:
    """The lines ``analyze --batch`` prints without ``--json``, in ``lang``: one per
    account analysed (folder, the account as :func:`optimizer.i18n.account_label`
    names it, workbook, its first action), then each file skipped (:func:`skip_reason`),
    then the index."""
    lines = [st("cli.batch_account", lang, folder=r.folder, path=r.path,
                account=account_label(r.platform, r.account, r.currency, lang))
             + (st("cli.batch_first", lang, action=r.top_action) if r.top_action else "")
             for r in index.itertuples() if r.status == "ok"]
    lines += [r.error for r in index.itertuples() if r.status == "skipped"]
    return lines + [st("cli.batch_index", lang, path=Path(out_dir) / "index.xlsx")]


# ---------------------------------------------------------------- progress bar

class ProgressBar:
    """A one-line progress bar on standard error, drawn only on a terminal, and only
    once a run has lasted ``delay`` seconds (short runs stay quiet)."""

    def __init__(self, enabled: bool | None = None, stream=None, width: int = 30, delay: float = 0.5) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = (self.stream.isatty() if enabled is None else enabled)
        self.width, self.delay = width, delay
        self.t0 = time.monotonic()
        self.drawn = False

    def __call__(self, done: float, total: float, label: str) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.t0
        if elapsed < self.delay and not self.drawn:
            return
        frac = min(max(done / total if total else 1.0, 0.0), 1.0)
        fill = int(round(frac * self.width))
        line = f"\r[{'#' * fill}{'.' * (self.width - fill)}] {frac:4.0%} {elapsed:5.1f}s {label[:40]:<40}"
        self.stream.write(line)
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


# ---------------------------------------------------------------- command line

def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text}")
    return value


class _Paragraphs(argparse.HelpFormatter):
    """Help text wrapped to the terminal, paragraph by paragraph (a blank line apart)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n\n".join(super(_Paragraphs, self)._fill_text(part, width, indent) for part in text.split("\n\n"))


def add_analyze_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``analyze`` to the sub-commands of ``python -m optimizer``."""
    from optimizer.keywords.lexicon import known_verticals
    p = subparsers.add_parser(
        "analyze", help="run the whole analysis and write the recommendations workbook",
        formatter_class=_Paragraphs,
        description="Run every analysis of the product on the exports of an account — keyword stages, negative "
                    "keywords, structure fixes, oCPC bundles, CPC keywords, split candidates, cost drift, "
                    "targets and compensation, landing pages — and write one Excel workbook: a summary sheet "
                    "(what to do first, ranked by money at stake) and one sheet per finding.",
        epilog="Batch mode: --batch FOLDER analyses every sub-folder of FOLDER as one account (its export files, "
               "and a bundle map named bundle_map*.csv or *投放包*.csv) and writes one workbook per account plus "
               "index.xlsx and index.csv into the --out folder.\n\n"
               "Exit status: 0 done; 1 bad input (one line on stderr, in --lang: file, row, column and what was "
               "expected; in batch mode: any account failed, see the index); 2 bad usage (also: --out not ending "
               "in .xlsx, or in a folder that does not exist).")
    p.add_argument("exports", nargs="*", metavar="EXPORT",
                   help="export files of one or more accounts (CSV, TSV, TXT, XLSX, XLS); not with --batch")
    p.add_argument("--batch", metavar="FOLDER", default=None,
                   help="analyse every sub-folder of FOLDER as one account (needs --out, a folder)")
    p.add_argument("--out", metavar="PATH", default=None,
                   help="the workbook to write (must end in .xlsx, in a folder that exists); with several "
                        "accounts, one workbook each named <stem>_<account>.xlsx; with --batch the output folder "
                        "(created if missing, inside a folder that exists). Without --out nothing is written")
    p.add_argument("--csv-dir", metavar="DIR", default=None,
                   help="also write every sheet as CSV (UTF-8 with BOM) into DIR (created if missing, inside a "
                        "folder that exists; with --batch: next to each workbook)")
    p.add_argument("--json", action="store_true",
                   help="print the summary and counts as JSON (one object per account; with --batch the index)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh",
                   help="language of the workbook's sheet names, headers and texts, of the printed summary and "
                        "of the error messages (default zh)")
    p.add_argument("--vertical", default="auto", choices=["auto", *known_verticals()],
                   help="the advertiser's vertical (default: detected from the keywords and search terms, as the "
                        "app does)")
    p.add_argument("--bundle-map", metavar="CSV", default=None,
                   help="current bundles: plan, bundle[, target_cpa, learning_start, …] (default: bundles read "
                        "from plan names like 包1-开锁); not with --batch")
    p.add_argument("--window-days", type=_positive_int, default=30,
                   help="evidence window of the bundle proposal, CPC keywords and splits, in days (default 30)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no human-readable summary")
    p.add_argument("--account", metavar="[FILE=]NAME", action="append", default=None,
                   help="the account of files that name none (Google Ads UI downloads): NAME for all of them, "
                        "FILE=NAME for one (repeat for several); by default each such file is an account of its "
                        "own unless its campaigns are those of an account already read")
    p.set_defaults(func=cmd_analyze)
    return p


def _usage(message: str) -> int:
    print(f"python -m optimizer analyze: error: {message}", file=sys.stderr)
    return 2


def cmd_analyze(args: argparse.Namespace) -> int:
    """``python -m optimizer analyze``. Exit 0 done, 1 bad input (one line on
    stderr, in ``--lang``), 2 bad usage (also an ``--out`` / ``--csv-dir`` that
    :func:`output_problem` refuses, before anything is read).

    ``--json`` (stable keys; new keys may be added, none renamed): a list with one
    object per account — ``platform, account`` (as in the export: empty when it
    names none), ``account_label`` (for people, in ``--lang``: ``Google Ads ·
    未命名账户 · USD``, :func:`optimizer.i18n.account_label`), ``currency, vertical,
    date_start, date_end, rows, spend, window_start, window_end, workbook`` (path or null),
    ``counts`` {keywords, negative_keywords, structure_fixes, bundles,
    bundles_ready, plans, cpc_keywords, split_candidates, drift_flags,
    drift_learning, over_target, compensation, landing_pages, landing_red,
    landing_url_findings, landing_mismatched_keywords} (the landing counts null when
    that analysis was skipped; the same figures as the Landing pages page's tiles and
    ``landing --json``'s ``counts``), ``summary`` [{rank, kind
    (negatives | drift | target | compensation | split | landing | structure |
    bundles | cpc), severity (high | medium | low | saving | info),
    money_at_stake, basis, count, action, action_zh, action_en, sheet, entity}],
    ``notes`` [{code, message, message_zh}]. With ``--batch``: an object
    {``index`` (index.xlsx path), ``index_csv``, ``accounts``: [{folder, account,
    account_label (null for a failed folder), platform, currency, status, rows,
    spend, top_action, money_at_stake, actions, path, error}]}.
    """
    from optimizer.outputs.workbook import write_workbook

    lang = args.lang
    if args.batch:
        if args.exports:
            return _usage(st("usage.exports_and_batch", lang))
        if not args.out:
            return _usage(st("usage.batch_out", lang))
        if args.bundle_map:
            return _usage(st("usage.batch_map", lang))
    elif not args.exports:
        return _usage(st("usage.no_exports", lang))
    problem = output_problem(args.out, args.csv_dir, bool(args.batch), lang)
    if problem:
        return _usage(problem)

    settings = AnalysisSettings(window_days=args.window_days)
    bar = ProgressBar(enabled=False if args.quiet else None)
    if args.batch:
        try:
            index = analyze_folder(args.batch, args.out, lang, args.vertical, settings, bar,
                                   csv=bool(args.csv_dir))
        except (OSError, ValueError) as exc:
            bar.close()
            print(f"error: {error_text(exc, lang, 'write' if isinstance(exc, OSError) else 'read')}",
                  file=sys.stderr)
            return 1
        bar.close()
        failed = index.loc[index["status"] == "error"]
        if args.json:
            json.dump({"index": str(Path(args.out) / "index.xlsx"), "index_csv": str(Path(args.out) / "index.csv"),
                       "accounts": [{**{k: (_num(v) if k in ("spend", "money_at_stake") else
                                            (int(v) if k in ("rows", "actions") else v))
                                        for k, v in r.items()},
                                     "account_label": (account_label(r["platform"], r["account"], r["currency"], lang)
                                                       if r["status"] == "ok" else None)}
                                    for r in index.to_dict("records")]},
                      sys.stdout, ensure_ascii=False, indent=1)
            print()
        elif not args.quiet:
            print("\n".join(batch_text(index, args.out, lang)))
        for r in failed.itertuples():
            print(f"error: {r.folder}: {r.error}", file=sys.stderr)
        return 1 if len(failed) else 0

    try:
        analyses = analyze_exports(args.exports, args.vertical, settings, args.bundle_map, bar, args.account)
    except (IngestError, OSError, ValueError) as exc:
        bar.close()
        print(f"error: {error_text(exc, lang)}", file=sys.stderr)
        return 1
    bar.close()
    if not analyses:
        print(f"error: {error_text(AnalyzeError('no_rows'), lang)}", file=sys.stderr)
        return 1
    paths: list[Path | None] = [None] * len(analyses)
    try:
        if args.out:  # its folder exists (output_problem): never created here
            paths = list(workbook_paths(Path(args.out), analyses))
            for a, path in zip(analyses, paths, strict=True):
                write_workbook(a, path, lang)
        if args.csv_dir:
            for a in analyses:
                sub = Path(args.csv_dir) if len(analyses) == 1 else Path(args.csv_dir) / _safe_name(a.account or a.platform)
                _write_csvs(a, sub, lang)
    except OSError as exc:
        print(f"error: {error_text(exc, lang, verb='write')}", file=sys.stderr)
        return 1
    if args.json:
        json.dump([analysis_json(a, lang, str(p) if p else None) for a, p in zip(analyses, paths, strict=True)],
                  sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif not args.quiet:
        for a, p in zip(analyses, paths, strict=True):
            print("\n".join(summary_text(a, lang, p)))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``analyze`` alone (``python -m optimizer.outputs.analyze``), until it is wired into
    :mod:`optimizer.cli`."""
    memory.tune()
    parser = argparse.ArgumentParser(prog="python -m optimizer")
    sub = parser.add_subparsers(dest="command", required=True)
    add_analyze_parser(sub)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["AnalyzeError", "Analysis", "AnalysisSettings", "DRIFT_COLUMNS", "INDEX_COLUMNS", "KEYWORD_COLUMNS",
           "LANDING_COLUMNS", "ProgressBar", "SUMMARY_COLUMNS", "add_analyze_parser", "analysis_json",
           "analyze_account", "analyze_exports", "analyze_folder", "batch_text", "build_summary", "cmd_analyze",
           "drift_csv",
           "error_text", "output_problem", "summary_text"]
