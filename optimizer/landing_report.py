"""Everything known about each landing page of one account, in one table with a status
colour: what the "Landing pages" page and ``python -m optimizer landing`` show.

It puts together :mod:`optimizer.landing` (URL drift, keyword–page match, performance
and CVR drops by page) and :mod:`optimizer.audit` (what is on the page, and what
changed since the last audit).

Status of a page (the first rule that holds)
--------------------------------------------
``red`` — act now: the audit could not load it (error, 4xx/5xx, timeout, blocked),
    it has no tap-to-call link, it redirects to another site, its conversion rate
    fell (a flagged CVR drop costing money), or its URL was removed from keywords.
``amber`` — look at it: the call button is not on the first screen, no bar fixed at
    the bottom, keywords of another business line land on it, its URL changed, the
    page changed since the last audit, http instead of https, keywords without a
    mobile URL, or any other finding of the audit.
``green`` — audited, and nothing above.
``grey`` — not audited yet, and nothing above from the data.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import landing
from .audit import PageAudit, compare

STATUSES = ("red", "amber", "green", "grey")
#: audit finding codes that make a page red
RED_FINDINGS = {"no_tel", "cross_domain_redirect", "http_error", "timeout", "blocked_address", "dns_failed",
                "connection_failed", "tls_error", "too_many_redirects", "not_html", "empty", "bad_url",
                "blocked_scheme", "protocol_error"}
#: URL-drift kinds that make a page red (the others make it amber)
RED_DRIFT = {"url_removed", "new_domain"}
PAGE_COLUMNS = ["page", "url", "status", "reasons_zh", "reasons_en", "n_keywords", "cost", "clicks", "conversions", "cvr",
                "cpa", "cvr_weekly", "drop_change", "drop_start", "drop_money", "mismatched_keywords",
                "url_findings", "audited", "audit_error", "tel_first_screen", "bottom_bar", "page_changed"]


@dataclass
class LandingReport:
    """One account's landing pages. ``pages``: :data:`PAGE_COLUMNS`, worst first
    (``page`` the key of :func:`optimizer.landing.page_of`, ``url`` a full URL of it to fetch).
    ``drift``: :func:`optimizer.landing.url_drift`. ``match`` and ``mismatches``:
    :func:`optimizer.landing.keyword_page_match` and its summary. ``drops``:
    :func:`optimizer.landing.page_drops`. ``series``: the daily page series.
    ``audits``: the latest audit per page; ``changes``: per page, what changed since
    the audit before (:func:`optimizer.audit.compare`)."""

    pages: pd.DataFrame
    drift: pd.DataFrame
    match: pd.DataFrame
    mismatches: pd.DataFrame
    drops: pd.DataFrame
    series: pd.DataFrame
    audits: dict[str, PageAudit] = field(default_factory=dict)
    changes: dict[str, list[dict]] = field(default_factory=dict)


def build(rows: pd.DataFrame, clf, previous: pd.DataFrame | None = None, audits: dict[str, PageAudit] | None = None,
          previous_audits: dict[str, PageAudit] | None = None, alpha: float = 0.05,
          currency: str | None = None) -> LandingReport:
    """The report for one account's rows (and optionally the previous upload's rows, and
    the latest / previous audits keyed by page, :func:`optimizer.landing.page_of`)."""
    audits = audits or {}
    previous_audits = previous_audits or {}
    drift_f = landing.url_drift(rows, previous)
    match = landing.keyword_page_match(rows, clf, audits)
    mism = landing.mismatch_summary(match)
    perf = landing.page_performance(rows)
    series = landing.page_series(rows)
    drops = landing.page_drops(rows, alpha=alpha)
    changes = {p: compare(previous_audits[p], a) for p, a in audits.items() if p in previous_audits}
    changes = {p: c for p, c in changes.items() if c}

    pages = perf.copy()
    pages["cvr_weekly"] = _weekly_cvr(series, pages["page"])
    flagged = drops.loc[(drops["status"] == "flag") & (drops["metric"] == "cvr")] if len(drops) else drops
    by_page = flagged.set_index("entity") if len(flagged) else pd.DataFrame()
    pages["drop_change"] = pages["page"].map(by_page["change"]) if len(by_page) else np.nan
    pages["drop_start"] = pages["page"].map(by_page["start"]) if len(by_page) else pd.NaT
    pages["drop_money"] = pages["page"].map(by_page["money_at_stake"]) if len(by_page) else np.nan
    mis = match.loc[match["match"].eq(False)] if len(match) else match
    pages["mismatched_keywords"] = pages["page"].map(mis.groupby("url").size()).fillna(0).astype(int) \
        if len(mis) else 0
    d = drift_f
    pages["url_findings"] = pages["page"].map(d.groupby("page").size()).fillna(0).astype(int) if len(d) else 0
    pages["audited"] = pages["page"].isin(list(audits))
    pages["audit_error"] = [audits[p].error if p in audits else None for p in pages["page"]]
    pages["tel_first_screen"] = [audits[p].tel_on_first_screen if p in audits else None for p in pages["page"]]
    pages["bottom_bar"] = [audits[p].fixed_bottom_bar if p in audits else None for p in pages["page"]]
    pages["page_changed"] = pages["page"].isin(list(changes))

    statuses, zh, en = [], [], []
    for r in pages.itertuples(index=False):
        s, rz, re_ = _status(r, audits.get(r.page), d.loc[d["page"] == r.page] if len(d) else d, currency)
        statuses.append(s)
        zh.append("；".join(rz))
        en.append("; ".join(re_))
    pages["status"], pages["reasons_zh"], pages["reasons_en"] = statuses, zh, en
    order = pages["status"].map({s: i for i, s in enumerate(STATUSES)})
    pages = (pages.assign(_o=order, _c=-pages["cost"]).sort_values(["_o", "_c"], kind="stable")
             .drop(columns=["_o", "_c"]).reset_index(drop=True))
    return LandingReport(pages[PAGE_COLUMNS], drift_f, match, mism, drops, series, dict(audits), changes)


def _status(r, audit: PageAudit | None, drift_rows: pd.DataFrame, currency: str | None = None
            ) -> tuple[str, list[str], list[str]]:
    from .i18n import money
    red: list[tuple[str, str]] = []
    amber: list[tuple[str, str]] = []
    if audit is not None:
        for f in audit.findings:
            (red if f["code"] in RED_FINDINGS else amber).append((f["zh"], f["en"]))
    if pd.notna(r.drop_change) and (r.drop_money or 0) > 0:
        amount = money(r.drop_money, currency, 0)
        red.append((f"转化率自 {pd.Timestamp(r.drop_start):%m-%d} 起下降 {abs(r.drop_change):.0%}，已多花 {amount}",
                    f"conversion rate down {abs(r.drop_change):.0%} since {pd.Timestamp(r.drop_start):%Y-%m-%d}, "
                    f"{amount} at stake"))
    for kind, group in (drift_rows.groupby("kind") if len(drift_rows) else []):
        n = len(group)
        (red if kind in RED_DRIFT else amber).append((f"{group['detail_zh'].iloc[0]}" + (f"（共 {n} 个关键词）" if n > 1 else ""),
                                                      f"{group['detail_en'].iloc[0]}" + (f" ({n} keywords)" if n > 1 else "")))
    if r.mismatched_keywords:
        amber.append((f"{r.mismatched_keywords} 个其他业务的关键词落到这个页面",
                      f"{r.mismatched_keywords} keywords of another business line land here"))
    if r.page_changed:
        amber.append(("页面自上次检查后有变化", "the page changed since the last audit"))
    reasons = red + amber
    if red:
        status = "red"
    elif amber:
        status = "amber"
    elif audit is not None:
        status = "green"
    else:
        status = "grey"
    if status == "grey":
        reasons = [("尚未检查页面", "not audited yet")]
    elif status == "green":
        reasons = [("检查通过", "all checks passed")]
    return status, [z for z, _ in reasons], [e for _, e in reasons]


def _weekly_cvr(series: pd.DataFrame, pages: pd.Series) -> list[list[float]]:
    """Each page's conversion rate per week (oldest first), for a sparkline."""
    if series.empty:
        return [[] for _ in pages]
    s = series.assign(week=series["date"].dt.to_period("W-SUN"))
    g = s.groupby(["entity", "week"])[["clicks", "conversions"]].sum()
    cvr = (g["conversions"] / g["clicks"].where(g["clicks"] > 0)).round(4)
    out = {e: [float(v) if np.isfinite(v) else None for v in grp.to_numpy()] for e, grp in cvr.groupby(level=0)}
    return [out.get(p, []) for p in pages]
