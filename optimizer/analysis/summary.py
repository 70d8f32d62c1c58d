"""The whole analysis of an account in one call: what to do first, ranked by money.

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
- landing pages (red ones): the money lost to a flagged conversion-rate drop;
- bids (two lines, :mod:`optimizer.actions.bids`): the expected 30-day saving of the
  bids to lower (cost above target removed) and the expected 30-day gain of the bids to
  raise (extra conversions at the target CPA), as the Bids page's tiles.

When changes downloaded from the product were logged for the account (``changes``,
:mod:`optimizer.actions.changelog`), each day's changes of one kind get a line "what
changed and whether it helped" (the client view's words and numbers; no money: what a
change saved is in the change log sheet), green when it helped, red when it hurt.

Structure fixes, the bundle proposal and CPC keywords carry no money (NaN) and come
after the others. The lines' money overlap (a plan's drift and its bundle's cost
above target are partly the same money): they rank, they do not add up. Severity
follows :mod:`optimizer.drift.alerts`: money in days of the account's mean daily spend,
``high`` ≥ 1 day, ``medium`` ≥ 0.25, else ``low``; ``info`` without money.
"""
from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.actions.bids import BidSettings, BidTargets, tally
from optimizer.analysis.account import AccountModel
from optimizer.bundles.propose import BundleSettings, bundles_from_names
from optimizer.bundles.propose import membership as bundle_membership
from optimizer.bundles.targets import BundleSheet, RuleSet, bundle_sheet_for
from optimizer.drift.alerts import DRIFT_COLUMNS, AlertSettings  # noqa: F401 - DRIFT_COLUMNS: the drift frame's
from optimizer.i18n import (COMPENSATION_STATUS, METRIC, account_label, change_effect_text, change_group_text,
                            code_name, money)
from optimizer.i18n import t as i18n_t
from optimizer.keywords.stages import Classifier, off_target_reasons, stage_table
from optimizer.keywords.trade import account_classifier
from optimizer.model.dataset import accounts
from optimizer.outputs.sheet_text import st
from optimizer.reading.schema import text

#: progress callback: (done, total, label)
Progress = Callable[[float, float, str], None]

KEYWORD_COLUMNS = ["keyword", "campaign", "ad_group", "business_line", "stage", "urgency", "off_target", "cost",
                   "clicks", "conversions", "cvr", "cpa", "cues"]
SUMMARY_COLUMNS = ["rank", "kind", "severity", "money_at_stake", "basis_zh", "basis_en", "count", "action_zh",
                   "action_en", "sheet", "entity"]
#: the landing table's columns kept in the workbook (of ``optimizer.landing.report.PAGE_COLUMNS``)
LANDING_COLUMNS = ["page", "status", "reasons_zh", "reasons_en", "n_keywords", "cost", "clicks", "conversions",
                   "cvr", "cpa", "drop_change", "drop_start", "drop_money", "mismatched_keywords", "url_findings"]
#: the URL findings' columns kept in the workbook's URL changes sheet (of ``optimizer.landing.analysis.DRIFT_COLUMNS``)
URL_CHANGE_COLUMNS = ["kind", "severity", "campaign", "ad_group", "keyword", "field", "old", "new", "date",
                      "detail_zh", "detail_en"]
#: order of the summary's kinds among lines of equal money (and of the lines without money)
KIND_ORDER = ("drift", "negatives", "target", "compensation", "split", "bids", "landing", "structure", "bundles", "cpc",
              "changes")
#: the change log sheet's columns (of :func:`change_frame`; ``*_zh`` / ``*_en`` for the texts)
CHANGE_COLUMNS = ["applied_on", "action_zh", "action_en", "object", "before", "after", "verdict", "verdict_zh",
                  "verdict_en", "effect_zh", "effect_en", "metric", "metric_zh", "metric_en", "value_before",
                  "value_after", "change", "ci_low", "ci_high", "p_value", "days_compared", "money_30d",
                  "reason_zh", "reason_en"]
SEVERITY_ORDER = ("high", "medium", "low", "saving", "info")


@dataclass(frozen=True)
class AnalysisSettings:
    """Every setting of the whole analysis (defaults: those of the pages and commands).

    ``window_days``: evidence window of the bundle proposal, CPC keywords and split
    candidates. ``min_conversions``, ``max_cpa_ratio``, ``max_cvr_ratio``,
    ``max_target_cpa``: :class:`optimizer.bundles.propose.BundleSettings`. ``alerts``: the
    drift tests and severity thresholds. ``rules`` / ``rule_set``: over-cost
    compensation rule sets (None: ``optimizer/bundles/rules/overcost.toml``, the set in force
    on each window). ``bids`` / ``bid_targets``: the bid recommendations' settings and the
    target CPAs kept for the account (a step kept with them wins over ``bids``'s). ``max_explained``: flags explained (decomposition, mix/rate, top
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
    #: the bid recommendations' settings and the user's target CPAs (:mod:`optimizer.actions.bids`)
    bids: BidSettings = field(default_factory=BidSettings)
    bid_targets: BidTargets = field(default_factory=BidTargets)

    def bid_settings(self) -> BidSettings:
        """The bid settings the analysis bids with: ``bids`` with the step kept in
        ``bid_targets`` (:meth:`optimizer.actions.bids.BidTargets.bid_settings`), when one is."""
        return self.bid_targets.bid_settings(self.bids)

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
    (:func:`~optimizer.bundles.propose.propose`); ``cpc_keywords``; ``bids``
    (:data:`optimizer.actions.bids.BID_COLUMNS`, None without daily rows); ``splits``
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
    search_term, cost, clicks, conversions, reason).
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
    bids: pd.DataFrame | None = None
    #: the change log with each change's effect (:func:`change_frame`); None without logged changes
    changes: pd.DataFrame | None = None
    #: the change log's groups (:attr:`optimizer.actions.changelog.ChangeEffects.groups`)
    change_groups: pd.DataFrame | None = None
    #: the logged changes with an applied day (action, campaign, keyword, after), None without a change log
    applied_changes: pd.DataFrame | None = None
    #: the ad copy findings (:func:`adcopy_frame`), None when the account has no ad report
    adcopy: pd.DataFrame | None = None
    #: ads and units the ad copy check read (None without an ad report)
    adcopy_counts: dict | None = None

    #: frames in workbook order (summary first)
    FRAMES = ("summary", "keywords", "stages", "structure", "negatives", "bundles", "plans", "cpc_keywords", "bids",
              "splits", "drift", "targets", "compensation", "landing", "url_changes", "adcopy", "changes")

    def frames(self) -> dict[str, pd.DataFrame]:
        """The frames in workbook order; ``landing``, ``url_changes``, ``bids`` and ``adcopy`` left out
        when skipped (``adcopy``: the account has no ad report), ``changes`` without logged changes."""
        return {k: getattr(self, k) for k in self.FRAMES if getattr(self, k) is not None}

    def counts(self) -> dict[str, int | None]:
        """How many findings of each kind (the ``counts`` object of ``--json``)."""
        d, c = self.drift, self.compensation
        return {
            "keywords": len(self.keywords), "negative_keywords": len(self.negatives),
            "structure_fixes": len(self.structure), "bundles": len(self.bundles),
            "bundles_ready": int(self.bundles["meets_threshold"].sum()) if len(self.bundles) else 0,
            "plans": len(self.plans), "cpc_keywords": len(self.cpc_keywords),
            **{f"bids_{k}": (None if self.bids is None else tally(self.bids)[k])
               for k in ("raise", "lower", "keep", "position_goal")},
            "split_candidates": int(self.splits["split"].sum()) if len(self.splits) else 0,
            # one event, one flag: keyword flags folded under their plan's flag are not counted again
            "drift_flags": int(((d["status"] == "flag") & (d["folded_under"] == "")).sum()) if len(d) else 0,
            "drift_folded": int(((d["status"] == "flag") & (d["folded_under"] != "")).sum()) if len(d) else 0,
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
                    previous_audits: dict | None = None, model: AccountModel | None = None,
                    previous_key: object = None, changes=None) -> Analysis:
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
    of :func:`optimizer.model.dataset.accounts` when the caller has it. ``model``: the
    account's model (:class:`optimizer.analysis.account.AccountModel`) whose kept pieces
    — labels, window, evidence, drift scan, landing report — this analysis reads
    instead of computing them again (by default one of its own, over ``rows``);
    ``previous_key``: what names ``previous`` there (an upload id). ``changes``: the
    account's logged changes and their effects
    (:class:`optimizer.actions.changelog.ChangeEffects`, e.g. ``model.change_effects(log)``):
    a change log sheet and a summary line per day and kind of change.
    """
    step = _Steps(progress)
    ident = account if account is not None else _identity(rows)
    currency = ident.get("currency") or None
    notes: list[tuple[str, str, str]] = []

    def note(code: str, **params) -> None:
        notes.append((code, st(f"note.{code}", "zh", **params), st(f"note.{code}", "en", **params)))

    if model is None:
        model = AccountModel(None, "", ("rows",), lambda: rows)
    step("vertical")
    if clf is None:
        clf = account_classifier(rows, vertical)
    vertical = clf.vertical

    step("keywords")
    perf = model.keywords(clf)
    keywords = _keyword_frame(perf)
    stages = stage_table(perf)
    structure = model.structure(clf)

    step("search_terms")
    search = model.search_terms(clf)
    negatives = model.negatives(clf)
    negative_plans = _negative_plans(search, negatives)
    st_rows = rows.loc[(rows["report_type"] == "search_term").to_numpy(bool)]
    neg_days = _span_days(st_rows)
    del search, st_rows
    if neg_days == 0:
        note("no_search_terms")

    step("bundles")
    bs = settings.bundle_settings()
    ev = model.evidence(clf, bs)
    campaigns = pd.Series(sorted({str(c) for c in rows["campaign"].dropna().unique()}), dtype=object)
    names = bundles_from_names(campaigns)
    membership = sheet.membership if sheet is not None else names.dropna()
    has_bundles = len(membership) > 0
    if ev.empty:
        note("no_daily")
        plans = bundles = cpc = splits = pd.DataFrame()
        bids = None
        win_start = win_end = None
    else:
        plans, bundles = model.proposal(clf, bs)
        splits = model.splits(clf, bs, membership, sheet.targets if sheet is not None else {})
        cpc = model.cpc(clf, bs)
        bids = model.bids(clf, bs, settings.bid_settings(), sheet, settings.bid_targets, currency)  # the Bids page's
        if len(bids) and (bids["bundles_from"] == "none").all():
            note("bids_no_map")
        win_start, win_end = ev["window_start"].iloc[0], ev["window_end"].iloc[0]

    step("drift")
    proposed = bundle_membership(plans) if len(plans) else None
    acct_sheet, source = bundle_sheet_for(campaigns, sheet, proposed)
    if source != "map":
        note({"names": "bundles_from_names", "proposed": "bundles_proposed", "none": "no_bundle_map"}[source])
    rep = model.drift(clf, settings.alerts, acct_sheet, settings.rules, settings.rule_set)
    if rep.dropped_partial_day is not None:
        note("partial_day", day=str(pd.Timestamp(rep.dropped_partial_day).date()))

    step("explain")
    drift = model.drift_table(clf, settings.alerts, acct_sheet, settings.rules, settings.rule_set, currency,
                              settings.max_explained)
    n_flags = int(drift["status"].isin(["flag", "learning"]).sum()) if len(drift) else 0
    if n_flags > settings.max_explained:
        note("explained", n=settings.max_explained, total=n_flags)

    step("landing")
    landing = url_changes = landing_counts = None
    if settings.landing:
        landing, url_changes, landing_counts, problem = _landing(model, clf, currency, previous, audits,
                                                                 previous_audits, previous_key)
        if problem is not None:
            note(*problem[:1], detail=problem[1])

    step("summary")
    ad_report = model.adcopy(clf)
    adcopy = None if ad_report.empty else adcopy_frame(ad_report.findings)
    adcopy_counts = None if ad_report.empty else {
        "ads": len(ad_report.ads), "units": len(ad_report.units),
        "findings": int((ad_report.findings["code"] != "lookalike").sum()),
        "lookalike_pairs": int((ad_report.findings["code"] == "lookalike").sum())}
    daily_spend = rep.daily_spend
    if not (daily_spend and math.isfinite(daily_spend)):
        days = _span_days(rows)
        daily_spend = float(ident.get("cost") or 0.0) / days if days else float("nan")
    analysis = Analysis(
        platform=str(ident.get("platform") or ""), account=str(ident.get("account") or ""),
        currency=str(currency or ""), vertical=vertical, rows=_fact_rows(rows), spend=float(ident.get("cost") or 0.0),
        date_start=_ts(ident.get("date_start")), date_end=_ts(ident.get("date_end")),
        window_start=_ts(win_start), window_end=_ts(win_end), daily_spend=daily_spend,
        summary=pd.DataFrame(columns=SUMMARY_COLUMNS), keywords=keywords, stages=stages, structure=structure,
        negatives=negatives, bundles=bundles, plans=plans, cpc_keywords=cpc, splits=splits, drift=drift,
        targets=rep.targets, compensation=rep.compensation, landing=landing, notes=notes,
        negatives_days=neg_days, has_bundles=has_bundles, negative_plans=negative_plans,
        url_changes=url_changes, landing_counts=landing_counts, bids=bids,
        changes=None if changes is None or changes.table.empty else change_frame(changes.table),
        change_groups=None if changes is None or changes.table.empty else changes.groups,
        applied_changes=None if changes is None else _applied(changes.table),
        adcopy=adcopy, adcopy_counts=adcopy_counts)
    analysis.summary = build_summary(analysis, settings, rep)
    return analysis


def _applied(table: pd.DataFrame) -> pd.DataFrame:
    """The logged changes with an applied day (action, campaign, keyword, after) of a change
    log's effects table."""
    cols = ["action", "campaign", "keyword", "after"]
    if table is None or table.empty:
        return pd.DataFrame(columns=cols)
    t = table.loc[table["applied_on"].notna()] if "applied_on" in table.columns else table
    return t[cols].astype(str).reset_index(drop=True)


def _negative_lines(a: Analysis) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(negatives to add per plan, off-target terms that are the account's own keywords — to
    pause): what the summary's negatives lines count, the Export changes page's rows. With
    a change log (``a.applied_changes``), the negatives and pauses already applied are left
    out: the waste the analysis sees over the report's days is history for them."""
    from optimizer.keywords.stages import _fold_any
    neg = a.negative_plans if a.negative_plans is not None else pd.DataFrame(columns=["campaign", "search_term", "cost"])
    own = a.negatives.loc[a.negatives["negative_match"] == "pause_keyword"] \
        if "negative_match" in a.negatives.columns else a.negatives.iloc[:0]
    done = a.applied_changes
    if done is not None and len(done):
        negd = done.loc[done["action"] == "negative"]
        made = set(zip(negd["campaign"], negd["keyword"]))
        neg = neg.loc[[(str(c), str(t)) not in made for c, t in zip(neg["campaign"], neg["search_term"])]]
        paused = {_fold_any(k) for k in done.loc[done["action"] == "pause", "keyword"]}
        own = own.loc[[_fold_any(str(t)) not in paused for t in own["search_term"]]]
    return neg, own


def _fact_rows(rows: pd.DataFrame) -> int:
    """Rows of performance data: an ad report's rows are ad copy, counted by ``adcopy_counts``."""
    return int(len(rows) - (text(rows["report_type"]) == "ad").sum()) if len(rows) else 0


#: Columns of the workbook's ad copy sheet (:func:`adcopy_frame`).
ADCOPY_COLUMNS = ("code", "campaign", "ad_group", "stage", "business_line", "finding_zh", "finding_en",
                  "headline", "similarity")


def adcopy_frame(findings: pd.DataFrame) -> pd.DataFrame:
    """The ad copy findings (:func:`optimizer.adcopy.analysis.analyse`) with their sentence in
    both languages (:func:`optimizer.i18n.adcopy_finding`): the workbook's sheet and
    ``analyze --json``'s ``adcopy``."""
    from optimizer.i18n import adcopy_finding
    out = findings.copy()
    out["finding_zh"] = [adcopy_finding(r, "zh") for _, r in findings.iterrows()]
    out["finding_en"] = [adcopy_finding(r, "en") for _, r in findings.iterrows()]
    return out.reindex(columns=list(ADCOPY_COLUMNS))


def _span_days(rows: pd.DataFrame) -> int:
    """Days covered by ``rows`` (first period start to last period end), 0 when none."""
    if rows.empty:
        return 0
    start, end = rows["period_start"].min(), rows["period_end"].max()
    if pd.isna(start) or pd.isna(end):
        return 0
    return int((end - start).days) + 1


def _negative_plans(search: pd.DataFrame, negatives: pd.DataFrame) -> pd.DataFrame:
    """The negative keywords (``negatives``: safe to negate; not those to pause, the account's
    own keywords) per plan: campaign,
    search_term, cost, clicks, conversions, reason (their off-target cues)."""
    cols = ["campaign", "search_term", "cost", "clicks", "conversions", "reason"]
    negate = negatives.loc[negatives["negative_match"] != "pause_keyword", "search_term"] \
        if "negative_match" in negatives.columns else negatives["search_term"]
    off = search.loc[(search["off_target"] == 1) & search["search_term"].isin(negate)] \
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


def change_frame(effects: pd.DataFrame) -> pd.DataFrame:
    """The change log sheet (:data:`CHANGE_COLUMNS`) of an effects table
    (:attr:`optimizer.actions.changelog.ChangeEffects.table`): the page's words and numbers."""
    rows = []
    for _, r in effects.iterrows():
        row = {"applied_on": r["applied_on"], "object": r["object"], "before": r["before"], "after": r["after"],
               "verdict": r["verdict"], "metric": r["metric"], "days_compared": r["days_after"],
               "reason_zh": r["reason_zh"], "reason_en": r["reason_en"]}
        for c in ("value_before", "value_after", "change", "ci_low", "ci_high", "p_value", "money_30d"):
            row[c] = r[c]
        for lang in ("zh", "en"):
            row[f"action_{lang}"] = i18n_t(f"changes.action.{r['action']}", lang)
            row[f"verdict_{lang}"] = i18n_t(f"changes.verdict.{r['verdict']}", lang)
            row[f"metric_{lang}"] = i18n_t(f"changes.metric.{r['metric']}", lang)
            row[f"effect_{lang}"] = change_effect_text(r, lang)
        rows.append(row)
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _pct(v: float) -> str:
    return f"{v:+.0%}" if v == v else "–"


def _landing(model: AccountModel, clf, currency: str | None = None, previous: pd.DataFrame | None = None,
             audits: dict | None = None, previous_audits: dict | None = None, previous_key: object = None):
    """Landing-page findings from ``optimizer.landing.report`` (against the earlier
    upload's rows and with the audits kept, when given): (pages, URL changes, counts,
    None), or (None, None, None, (note code, detail)) when it cannot be imported or
    fails."""
    try:
        importlib.import_module("optimizer.landing.report")
    except ImportError as exc:
        return None, None, None, ("landing_missing", str(exc))
    try:
        rep = model.landing(clf, previous, audits, previous_audits, currency=currency, previous_key=previous_key)
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
    if "folded_under" in f:   # one event, one line: keyword flags explained by their plan's flag are under it
        f = f.loc[f["folded_under"].fillna("") == ""]
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

    neg, own = _negative_lines(a)   # the negatives the Export changes page writes; own keywords are paused
    if len(neg):
        wasted = float(neg["cost"].sum())
        add("negatives", wasted, "wasted", len(neg), "negatives", "negatives", basis_days=a.negatives_days,
            n=len(neg), days=a.negatives_days, money=both(wasted))
    if len(own):
        wasted = float(own["cost"].sum())
        add("negatives", wasted, "wasted", len(own), "negatives_pause", "negatives", basis_days=a.negatives_days,
            n=len(own), days=a.negatives_days, money=both(wasted))
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
    if a.bids is not None and len(a.bids):
        t, step = tally(a.bids), f"{settings.bid_settings().max_step:.0%}"
        if t["lower"]:
            add("bids", t["saving"], "bid_saving", t["lower"], "bids_lower", "bids", n=t["lower"], step=step,
                money=both(t["saving"]), above=both(t["above_target"]))
        if t["raise"]:
            conv = float(a.bids.loc[a.bids["decision"] == "raise", "extra_conversions"].sum())
            add("bids", t["gain"], "bid_gain", t["raise"], "bids_raise", "bids", n=t["raise"], step=step,
                conv=f"{conv:.1f}", money=both(t["gain"]))
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
    if a.change_groups is not None:
        for _, g in a.change_groups.sort_values("applied_on", ascending=False, kind="stable").iterrows():
            add("changes", float("nan"), "none", int(g["n"]), "changes", "changes",
                severity={"helped": "saving", "hurt": "high"}.get(g["verdict"], "info"),
                text={lang: change_group_text(g, lang) for lang in ("zh", "en")})
    if not lines:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    out = pd.DataFrame(lines)
    kind = out["kind"].map({k: i for i, k in enumerate(KIND_ORDER)})
    out = (out.assign(_m=-out["money_at_stake"].fillna(-np.inf), _k=kind)
           .sort_values(["_m", "_k"], kind="stable").drop(columns=["_m", "_k"]).reset_index(drop=True))
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out[SUMMARY_COLUMNS]


def _day(v) -> str | None:
    return None if v is None or pd.isna(v) else str(pd.Timestamp(v).date())
