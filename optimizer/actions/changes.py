"""The change table: every change the analysis proposes, one row each, in the columns the
bulk-edit writers (:mod:`optimizer.actions.formats`) and the change log read
(:data:`CHANGE_COLUMNS`, the shared contract of issue 18).

Four actions, each from what the analysis already finds — nothing is proposed here that
the pages do not show:

``negative`` — the negative keywords of :meth:`AccountModel.negatives
<optimizer.analysis.account.AccountModel.negatives>` whose ``negative_match`` is ``exact``.
**Level rule**: one *campaign-level exact* negative per plan the term spent money in. A
term is off target by what it says (培训, DIY, wholesale …), which is off target for the
whole plan, not for one unit, so the plan is the smallest level that stops it everywhere
it showed; exact (as the analysis proposes it), never broad, so that it blocks that search
and nothing the account sells. Money: the term's spend in that plan over the search-term
report's days, scaled to 30 days (``wasted``).

``pause`` — (a) the negatives whose ``negative_match`` is ``pause_keyword`` (the term is
one of the account's own keywords: a negative would fight the account's own bid) become
pauses of every enabled keyword with that text; (b) **keywords that only waste money**:
over the bundles' evidence window (30 days by default,
:func:`optimizer.bundles.propose.window`) a keyword with no conversion, at least
:attr:`ChangeSettings.min_clicks` clicks (20), spend of at least
:attr:`ChangeSettings.waste_cpa_multiple` (2) times its target CPA — the bundle map's
target of its plan's bundle, else its business line's CPA over the same window — and a
conversion rate surely below its line's: the upper end of its 95 % Wilson interval
(the interval of :func:`optimizer.keywords.stages.stage_table`, reused) is under the
line's CVR. A keyword with so few clicks that zero conversions is still likely at the
line's rate is kept. Money: its window spend scaled to 30 days (``wasted``).

``url`` — from the landing analysis (:func:`optimizer.landing.analysis.url_drift`):
``no_mobile_url`` (a Baidu keyword with a PC URL and no 移动访问URL) gets the mobile URL
the account's other keywords with the same PC page use most (by clicks; none known, no
change). ``url_changed`` / ``new_domain`` / ``url_removed`` moves the URL back when the
page it left converted and converts better than the page it now sends clicks to (CVR of
each page over the rows, :func:`optimizer.landing.analysis.page_performance`); money: the
keyword's clicks per 30 days × the CVR difference × the account's CPA (the cost of the
conversions the move loses, ``url_fix``), NaN when a page has no CVR.

``bid`` — the rows of a bid recommendation frame (``optimizer.actions.bids.recommend_bids``)
whose decision is ``raise`` or ``lower`` (:func:`bid_changes`).

A change to the same object and field is proposed once (the first action in
``actions`` order wins): a keyword paused is not also re-bid.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.bundles.propose import BundleSettings
from optimizer.keywords.stages import stage_table
from optimizer.outputs.sheet_text import st

#: the change table's columns (the contract of issue 18)
CHANGE_COLUMNS = ["change_id", "account", "platform", "action", "level", "campaign", "ad_group", "keyword",
                  "match_type", "keyword_id", "field", "before", "after", "reason_zh", "reason_en", "money",
                  "money_basis"]
ACTIONS = ("negatives", "pauses", "urls", "bids")
#: action option (the CLI's --actions) → the ``action`` code of its rows
ACTION_CODE = {"negatives": "negative", "pauses": "pause", "urls": "url", "bids": "bid"}
#: canonical platform of the rows → the change table's
PLATFORM = {"baidu": "baidu", "google_ads": "google", "microsoft_ads": "microsoft"}
_PAUSED = ("paused", "pause", "暂停", "已暂停")


@dataclass(frozen=True)
class ChangeSettings:
    """The rules' thresholds (see the module docstring). ``bundles``: the evidence window."""

    min_clicks: float = 20.0
    waste_cpa_multiple: float = 2.0
    alpha: float = 0.05
    bundles: BundleSettings = BundleSettings()


def change_id(account: str, action: str, level: str, campaign: str, ad_group: str, keyword: str,
              match_type: str, field: str) -> str:
    """First 16 hex of sha1 of ``account|action|level|campaign|ad_group|keyword|match_type|field``."""
    key = "|".join((account, action, level, campaign, ad_group, keyword, match_type, field))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def empty_changes() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in CHANGE_COLUMNS})
    out["money"] = out["money"].astype(float)
    return out


def _frame(records: list[dict]) -> pd.DataFrame:
    if not records:
        return empty_changes()
    out = pd.DataFrame(records)
    for c in CHANGE_COLUMNS:
        if c not in out.columns:
            out[c] = ""
    for c in CHANGE_COLUMNS:
        if c != "money":
            out[c] = out[c].fillna("").astype(str).astype(object)
    out["money"] = pd.to_numeric(out["money"], errors="coerce").astype(float)
    out["change_id"] = [change_id(*(r[k] for k in ("account", "action", "level", "campaign", "ad_group", "keyword",
                                                 "match_type", "field")))
                        for r in out.to_dict("records")]
    return out[CHANGE_COLUMNS].reset_index(drop=True)


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) or v is pd.NA else str(v)


def bid_text(v) -> str:
    """A bid as the change table writes it: ``3.20`` (2 decimals); "" when unknown."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return ""
    return "" if f != f else f"{f:.2f}"


def _scale(cost: float, days: int) -> float:
    return float(cost) * 30.0 / days if days and cost == cost else float("nan")


def _span_days(rows: pd.DataFrame) -> int:
    from optimizer.analysis.summary import _span_days as span   # the one rule of "days covered"
    return span(rows)


# ---------------------------------------------------------------- keywords as the export names them

def keyword_state(rows: pd.DataFrame) -> pd.DataFrame:
    """The latest state of every keyword of the keyword-report rows: campaign, ad_group,
    keyword, match_type, keyword_id, bid, status, deleted, final_url, mobile_final_url
    (the last dated row of each (campaign, ad_group, keyword, match_type); text columns
    as plain strings, "" when absent)."""
    cols = ["campaign", "ad_group", "keyword", "match_type", "keyword_id", "bid", "status", "deleted", "final_url",
            "mobile_final_url"]
    k = rows.loc[(rows["report_type"] == "keyword").to_numpy(bool) & rows["keyword"].notna().to_numpy(bool)]
    if k.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    k = k[[*cols, "date"]].sort_values("date", kind="stable", na_position="first")
    out = k.drop_duplicates(["campaign", "ad_group", "keyword", "match_type"], keep="last")[cols].copy()
    for c in cols:
        if c not in ("bid", "deleted"):
            out[c] = out[c].astype(object).map(_text)
    out["deleted"] = out["deleted"].fillna(False).astype(bool)
    return out.reset_index(drop=True)


def is_paused(status: str) -> bool:
    return str(status).strip().lower() in _PAUSED


def _identity(model, platform: str | None) -> tuple[str, str]:
    rows = model.rows()
    plat = platform or (str(rows["platform"].dropna().iloc[0]) if rows["platform"].notna().any() else "")
    return model.key, PLATFORM.get(plat, plat)


# ---------------------------------------------------------------- negatives and pauses

def negative_changes(model, clf, platform: str | None = None) -> pd.DataFrame:
    """Campaign-level exact negatives, one per (plan, term) the analysis negates (module docstring)."""
    from optimizer.analysis.summary import _negative_plans   # the per-plan split the workbook uses
    account, plat = _identity(model, platform)
    negatives = model.negatives(clf)
    if negatives.empty:
        return empty_changes()
    per_plan = _negative_plans(model.search_terms(clf), negatives)
    rows = model.rows()
    days = _span_days(rows.loc[(rows["report_type"] == "search_term").to_numpy(bool)])
    out = []
    for r in per_plan.sort_values(["cost", "clicks"], ascending=False, kind="stable").itertuples(index=False):
        cost = float(r.cost)
        p = {"term": r.search_term, "campaign": r.campaign, "days": days, "cost": f"{cost:,.2f}",
             "clicks": f"{float(r.clicks):,.0f}", "cues": r.reason}
        out.append({"account": account, "platform": plat, "action": "negative", "level": "campaign",
                    "campaign": r.campaign, "ad_group": "", "keyword": r.search_term, "match_type": "exact",
                    "keyword_id": "", "field": "negative", "before": "", "after": "exact",
                    "reason_zh": st("change.negative", "zh", **p), "reason_en": st("change.negative", "en", **p),
                    "money": _scale(cost, days), "money_basis": "wasted"})
    return _frame(out)


def _fold(text: str) -> str:
    from optimizer.keywords.stages import _fold_any   # the fold negative_keywords matches own keywords by
    return _fold_any(text)


def pause_changes(model, clf, platform: str | None = None, settings: ChangeSettings = ChangeSettings(),
                  targets: dict[str, float] | None = None, membership: pd.Series | None = None) -> pd.DataFrame:
    """Pauses: the account's own keywords the negatives say to pause, and the keywords that
    only waste money (module docstring). ``targets`` / ``membership``: the bundle map's
    bundle → target CPA and plan → bundle (None: the line's CPA is the target)."""
    account, plat = _identity(model, platform)
    state = keyword_state(model.rows())
    if state.empty:
        return empty_changes()
    live = state.loc[~state["deleted"] & ~state["status"].map(is_paused)]
    out: list[dict] = []
    seen: set[tuple] = set()

    def add(r, reason: str, money: float, **p) -> None:
        key = (r.campaign, r.ad_group, r.keyword, r.match_type)
        if key in seen:
            return
        seen.add(key)
        out.append({"account": account, "platform": plat, "action": "pause", "level": "keyword",
                    "campaign": r.campaign, "ad_group": r.ad_group, "keyword": r.keyword, "match_type": r.match_type,
                    "keyword_id": r.keyword_id, "field": "status", "before": "enabled", "after": "paused",
                    "reason_zh": st(f"change.{reason}", "zh", **p), "reason_en": st(f"change.{reason}", "en", **p),
                    "money": money, "money_basis": "wasted"})

    # (a) off-target terms that are the account's own keywords
    negatives = model.negatives(clf)
    if len(negatives) and "negative_match" in negatives.columns:
        to_pause = negatives.loc[negatives["negative_match"] == "pause_keyword"]
        if len(to_pause):
            rows = model.rows()
            days = _span_days(rows.loc[(rows["report_type"] == "search_term").to_numpy(bool)])
            by_fold = {_fold(t): r for t, r in zip(to_pause["search_term"].astype(str), to_pause.itertuples())}
            folded = live["keyword"].map(_fold)
            for r, f in zip(live.itertuples(index=False), folded):
                term = by_fold.get(f)
                if term is None:
                    continue
                cost = float(term.cost)
                add(r, "pause_own", _scale(cost, days), term=term.search_term, days=days, cost=f"{cost:,.2f}",
                    cues=term.reason)

    # (b) keywords that only waste money over the evidence window
    perf = model.window(clf, settings.bundles)
    if len(perf):
        win = model.window_rows(settings.bundles)
        days = _span_days(win)
        kw = stage_table(perf, settings.alpha, by=("campaign", "ad_group", "keyword"))
        line_of = perf.drop_duplicates(["campaign", "ad_group", "keyword"]).set_index(
            ["campaign", "ad_group", "keyword"])["business_line"]
        lines = stage_table(perf, settings.alpha, by=("business_line",)).set_index("business_line")
        kw["business_line"] = [line_of.get((c, a, k)) for c, a, k in zip(kw["campaign"], kw["ad_group"], kw["keyword"])]
        kw["line_cvr"] = kw["business_line"].map(lines["cvr"])
        kw["line_cpa"] = kw["business_line"].map(lines["cpa"])
        bundle_of = membership if membership is not None else pd.Series(dtype=object)
        tgt = [targets.get(bundle_of.get(c)) if targets and c in bundle_of.index else None for c in kw["campaign"]]
        kw["target"] = [t if t is not None and t == t else lc for t, lc in zip(tgt, kw["line_cpa"])]
        kw["target_from"] = ["map" if t is not None and t == t else "line" for t in tgt]
        waste = kw.loc[(kw["conversions"].fillna(0) == 0) & (kw["clicks"] >= settings.min_clicks)
                       & kw["target"].notna() & (kw["cost"] >= settings.waste_cpa_multiple * kw["target"])
                       & kw["cvr_high"].notna() & (kw["cvr_high"] < kw["line_cvr"])]
        if len(waste):
            idx = live.set_index(["campaign", "ad_group", "keyword"])
            for w in waste.sort_values("cost", ascending=False, kind="stable").itertuples(index=False):
                key = (w.campaign, w.ad_group, w.keyword)
                if key not in idx.index:
                    continue
                for r in live.loc[(live["campaign"] == w.campaign) & (live["ad_group"] == w.ad_group)
                                  & (live["keyword"] == w.keyword)].itertuples(index=False):
                    add(r, f"pause_waste_{w.target_from}", _scale(float(w.cost), days), days=days,
                        cost=f"{float(w.cost):,.2f}", clicks=f"{float(w.clicks):,.0f}",
                        target=f"{float(w.target):,.2f}", multiple=f"{settings.waste_cpa_multiple:g}",
                        high=f"{float(w.cvr_high):.1%}", line_cvr=f"{float(w.line_cvr):.1%}")
    return _frame(out)


# ---------------------------------------------------------------- landing URLs

def url_changes(model, clf, platform: str | None = None, report=None) -> pd.DataFrame:
    """URL fixes from the landing analysis (module docstring). ``report``: the account's
    :meth:`AccountModel.landing <optimizer.analysis.account.AccountModel.landing>` (default:
    against no earlier upload)."""
    from optimizer.landing.analysis import page_of
    account, plat = _identity(model, platform)
    rep = report if report is not None else model.landing(clf)
    drift = rep.drift
    if drift is None or drift.empty:
        return empty_changes()
    state = keyword_state(model.rows())
    if state.empty:
        return empty_changes()
    ids = {(r.campaign, r.ad_group, r.keyword, r.match_type): r for r in state.itertuples(index=False)}
    out: list[dict] = []

    def add(f, after: str, reason: str, money: float, basis: str, **p) -> None:
        r = ids.get((str(f.campaign), str(f.ad_group), str(f.keyword), str(f.match_type)))
        if r is None or r.deleted:
            return
        before = r.final_url if f.field == "final_url" else r.mobile_final_url
        if before == after and after:
            return
        out.append({"account": account, "platform": plat, "action": "url", "level": "keyword",
                    "campaign": r.campaign, "ad_group": r.ad_group, "keyword": r.keyword, "match_type": r.match_type,
                    "keyword_id": r.keyword_id, "field": f.field, "before": before, "after": after,
                    "reason_zh": st(f"change.{reason}", "zh", **p), "reason_en": st(f"change.{reason}", "en", **p),
                    "money": money, "money_basis": basis})

    # mobile URL paired with each PC page, by clicks
    pairs = state.loc[(state["final_url"] != "") & (state["mobile_final_url"] != "")]
    mobile_for: dict[str, str] = {}
    if len(pairs):
        rows = model.rows()
        k = rows.loc[(rows["report_type"] == "keyword").to_numpy(bool)]
        clicks = (k.groupby(["campaign", "ad_group", "keyword", "match_type"], observed=True, sort=False)["clicks"]
                  .sum().rename("clicks").reset_index())
        for c in ("campaign", "ad_group", "keyword", "match_type"):
            clicks[c] = clicks[c].astype(object).map(_text)
        p = pairs.merge(clicks, on=["campaign", "ad_group", "keyword", "match_type"], how="left")
        p["page"] = p["final_url"].map(page_of)
        best = (p.groupby(["page", "mobile_final_url"], sort=False)["clicks"].sum().reset_index()
                .sort_values(["page", "clicks", "mobile_final_url"], ascending=[True, False, True], kind="stable")
                .drop_duplicates("page"))
        mobile_for = dict(zip(best["page"], best["mobile_final_url"], strict=True))

    pages = rep.pages.set_index("page") if len(rep.pages) else pd.DataFrame(columns=["cvr", "conversions"])
    k_rows = model.rows()
    all_days = _span_days(k_rows.loc[(k_rows["report_type"] == "keyword").to_numpy(bool)])
    cpa = model.headline().cpa
    account_cpa = float(cpa) if cpa is not None else float("nan")
    moved_back: set[tuple] = set()
    undecided = []   # a change whose page has no figures of its own (a PC URL whose clicks count on the mobile page)
    for f in drift.itertuples(index=False):
        if f.kind == "no_mobile_url":
            r = ids.get((str(f.campaign), str(f.ad_group), str(f.keyword), str(f.match_type)))
            if r is None:
                continue
            after = mobile_for.get(page_of(r.final_url), "")
            if after:
                add(f, after, "url_mobile", float("nan"), "url_fix", pc=r.final_url, mobile=after)
            else:   # no page to propose: a change to make by hand (after "", set aside by hold_back)
                add(f, "", "url_mobile_manual", float("nan"), "url_fix", pc=r.final_url)
        elif f.kind in ("url_changed", "new_domain", "url_removed") and f.old:
            old_p, new_p = page_of(f.old), (page_of(f.new) if f.new else "")
            cvr_old = float(pages["cvr"].get(old_p, np.nan)) if old_p in pages.index else float("nan")
            conv_old = float(pages["conversions"].get(old_p, 0) or 0) if old_p in pages.index else 0.0
            cvr_new = float(pages["cvr"].get(new_p, np.nan)) if new_p in pages.index else (0.0 if not f.new else np.nan)
            if cvr_old != cvr_old or (f.new and cvr_new != cvr_new):
                undecided.append(f)
                continue
            if not (conv_old > 0 and cvr_old > cvr_new):
                continue
            clicks = float(f.clicks) if f.clicks == f.clicks else float("nan")
            money = (clicks * 30.0 / all_days * (cvr_old - cvr_new) * account_cpa) if all_days else float("nan")
            add(f, str(f.old), "url_back", money, "url_fix", old=f.old, new=f.new or "—",
                cvr_old=f"{cvr_old:.1%}", cvr_new=f"{cvr_new:.1%}")
            moved_back.add((f.campaign, f.ad_group, f.keyword, f.match_type, f.date))
    # the keyword's other URL, changed on the same day, goes back with it (its money is counted once, above)
    for f in undecided:
        if (f.campaign, f.ad_group, f.keyword, f.match_type, f.date) in moved_back:
            add(f, str(f.old), "url_back_with", float("nan"), "url_fix", old=f.old, new=f.new or "—")
    res = _frame(out)
    return res.drop_duplicates("change_id").reset_index(drop=True)


# ---------------------------------------------------------------- bids

#: the bid recommendation frame's columns this module reads (the contract's, of recommend_bids)
BID_INPUT_COLUMNS = ["account", "campaign", "ad_group", "keyword", "match_type", "keyword_id", "bid",
                     "recommended_bid", "decision", "reason_zh", "reason_en", "money", "money_basis"]


def bid_changes(recommendations: pd.DataFrame | None, platform: str | None = None) -> pd.DataFrame:
    """``bid`` changes from a bid recommendation frame (``optimizer.actions.bids.recommend_bids``,
    columns of the contract): its ``raise`` and ``lower`` rows, before = ``bid``, after =
    ``recommended_bid`` (2 decimals), the frame's reasons and money. ``platform``: the change
    table's platform code (default: from the frame's ``platform`` column, else from its
    account key ``platform:account:currency``). Raises ValueError naming the columns
    missing from the frame."""
    if recommendations is None or recommendations.empty:
        return empty_changes()
    missing = [c for c in BID_INPUT_COLUMNS if c not in recommendations.columns]
    if missing:
        raise ValueError(f"the bid recommendations lack the column(s) {', '.join(missing)}")
    act = recommendations.loc[recommendations["decision"].isin(["raise", "lower"])]
    out = []
    for r in act.itertuples(index=False):
        plat = platform or _text(getattr(r, "platform", "")) or str(r.account).split(":", 1)[0]
        out.append({"account": _text(r.account), "platform": PLATFORM.get(plat, plat), "action": "bid",
                    "level": "keyword", "campaign": _text(r.campaign), "ad_group": _text(r.ad_group),
                    "keyword": _text(r.keyword), "match_type": _text(r.match_type), "keyword_id": _text(r.keyword_id),
                    "field": "bid", "before": bid_text(r.bid), "after": bid_text(r.recommended_bid),
                    "reason_zh": _text(r.reason_zh), "reason_en": _text(r.reason_en), "money": r.money,
                    "money_basis": _text(r.money_basis)})
    return _frame(out)


# ---------------------------------------------------------------- the whole table

def proposed_changes(model, clf, actions: Sequence[str] = ACTIONS, platform: str | None = None,
                     settings: ChangeSettings = ChangeSettings(), sheet=None, landing_report=None,
                     bid_recommendations: pd.DataFrame | None = None) -> pd.DataFrame:
    """The account's change table (:data:`CHANGE_COLUMNS`): the ``actions`` asked for, in that
    order, each object and field once (the first action wins), most money first within
    each action, less the changes :func:`hold_back` sets aside (:func:`proposed_and_held`
    gives both). ``sheet``: the bundle map (its targets are the pauses' targets).
    ``bid_recommendations``: the frame of ``optimizer.actions.bids.recommend_bids`` for the
    ``bids`` action (None: no bid changes). Raises ValueError for an unknown action."""
    return proposed_and_held(model, clf, actions, platform, settings, sheet, landing_report, bid_recommendations)[0]


#: why a change is set aside (:func:`hold_back`): ``url_first`` — a bid change of a keyword
#: whose URL is being fixed; ``manual_mobile_url`` — a missing mobile URL with no page to propose
ASIDE_REASONS = ("url_first", "manual_mobile_url")


def hold_back(changes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the changes to write, the changes set aside: :data:`CHANGE_COLUMNS` and ``why``, one
    of :data:`ASIDE_REASONS`). A keyword with a URL fix keeps its bid: its conversion rate —
    which the bid recommendation is computed from — is distorted by the wrong page, and a
    bid cut and a page fix imported together cannot be told apart afterwards; the bid is
    changed at the next export (its reason, in both languages, says so). A URL change
    without a value (a missing mobile URL no keyword of the same page can lend) is work by
    hand, listed, never written."""
    aside_cols = [*CHANGE_COLUMNS, "why"]
    if changes.empty:
        return changes, pd.DataFrame(columns=aside_cols)
    obj = changes["campaign"] + "\x1f" + changes["ad_group"] + "\x1f" + changes["keyword"] + "\x1f" \
        + changes["match_type"]
    url = changes["action"] == "url"
    manual = url & (changes["after"] == "")
    fixing = set(obj[url & ~manual])
    held = (changes["action"] == "bid") & obj.isin(fixing)
    out = changes.loc[~(manual | held)].reset_index(drop=True)
    h = changes.loc[held].assign(why="url_first", reason_zh=st("change.held_url_first", "zh"),
                                 reason_en=st("change.held_url_first", "en"))
    m = changes.loc[manual].assign(why="manual_mobile_url")
    aside = pd.concat([x for x in (h, m) if len(x)], ignore_index=True) if len(h) or len(m) else \
        pd.DataFrame(columns=aside_cols)
    return out, aside[aside_cols].reset_index(drop=True)


def already_applied(changes: pd.DataFrame, log: pd.DataFrame | None, before=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the changes still to make, those already made): a change whose ``change_id`` and
    ``after`` are in the account's change log (:meth:`optimizer.store.changes.ChangesMixin.change_log`)
    with an applied day is made — proposing it again would count its money twice, as the
    analysis, over the report's days, still sees the spend from before it. ``before``: only
    entries applied before that day count (the Export changes page gives today: the files
    just downloaded stay on the page to download again). The made ones carry ``applied_on``
    (the latest day it was applied). ``log`` None or empty: none made."""
    if changes.empty or log is None or log.empty or "applied_on" not in log.columns:
        return changes, changes.iloc[:0].assign(applied_on=pd.Series(dtype=object))
    done = log.loc[log["applied_on"].notna()]
    if before is not None:
        done = done.loc[pd.to_datetime(done["applied_on"]) < pd.Timestamp(before)]
    last = (done.assign(_k=done["change_id"].astype(str) + "\x1f" + done["after"].fillna("").astype(str))
            .groupby("_k")["applied_on"].max())
    key = changes["change_id"] + "\x1f" + changes["after"]
    made = key.isin(last.index)
    return (changes.loc[~made].reset_index(drop=True),
            changes.loc[made].assign(applied_on=key[made].map(last).to_numpy()).reset_index(drop=True))


def proposed_and_held(model, clf, actions: Sequence[str] = ACTIONS, platform: str | None = None,
                      settings: ChangeSettings = ChangeSettings(), sheet=None, landing_report=None,
                      bid_recommendations: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(:func:`proposed_changes`, the changes :func:`hold_back` sets aside) — see there."""
    unknown = [a for a in actions if a not in ACTIONS]
    if unknown:
        raise ValueError(f"unknown action(s): {', '.join(unknown)}")
    parts = []
    for a in actions:
        if a == "negatives":
            parts.append(negative_changes(model, clf, platform))
        elif a == "pauses":
            parts.append(pause_changes(model, clf, platform, settings,
                                       sheet.targets if sheet is not None else None,
                                       sheet.membership if sheet is not None else None))
        elif a == "urls":
            parts.append(url_changes(model, clf, platform, landing_report))
        elif a == "bids":
            parts.append(bid_changes(bid_recommendations, platform))
    parts = [p for p in parts if len(p)]
    if not parts:
        return hold_back(empty_changes())
    out = pd.concat(parts, ignore_index=True)
    # one change per object and field: a keyword paused is not also re-bid
    obj = out["campaign"] + "\x1f" + out["ad_group"] + "\x1f" + out["keyword"] + "\x1f" + out["match_type"]
    statusish = out["action"].isin(["pause", "bid"])   # pausing and re-bidding one keyword: the pause wins
    key = obj + "\x1f" + out["field"].where(~statusish, "keyword")
    return hold_back(out.loc[~key.duplicated()].reset_index(drop=True))


def totals(changes: pd.DataFrame) -> pd.DataFrame:
    """Per action: changes; ``saving``, the NaN-free sum of the estimable money of every
    row but the bid raises; ``gain``, that of the bid raises (``money_basis`` =
    ``bid_gain``: extra conversions valued at the target CPA — more spend for more
    conversions, never a saving, so never added to it); and how many carry no estimate."""
    if changes.empty:
        return pd.DataFrame({"action": pd.Series(dtype=object), "changes": pd.Series(dtype=int),
                             "saving": pd.Series(dtype=float), "gain": pd.Series(dtype=float),
                             "unestimated": pd.Series(dtype=int)})
    gain = changes["money_basis"].astype(str).eq("bid_gain") if "money_basis" in changes.columns else \
        pd.Series(False, index=changes.index)
    money = pd.to_numeric(changes["money"], errors="coerce")
    c = changes.assign(_saving=money.where(~gain), _gain=money.where(gain))
    g = c.groupby("action", sort=False)
    return pd.DataFrame({"changes": g.size(), "saving": g["_saving"].sum(min_count=0).fillna(0.0),
                         "gain": g["_gain"].sum(min_count=0).fillna(0.0),
                         "unestimated": g["money"].apply(lambda s: int(s.isna().sum()))}).reset_index()


__all__ = ["ACTIONS", "ACTION_CODE", "ASIDE_REASONS", "BID_INPUT_COLUMNS", "CHANGE_COLUMNS", "PLATFORM",
           "ChangeSettings", "already_applied", "bid_changes", "bid_text", "change_id", "empty_changes", "hold_back",
           "is_paused", "keyword_state", "negative_changes", "pause_changes", "proposed_and_held", "proposed_changes",
           "totals", "url_changes"]
