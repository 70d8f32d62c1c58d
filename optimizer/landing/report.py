"""Everything known about each landing page of one account, in one table with a status
colour: what the "Landing pages" page and ``python -m optimizer landing`` show.

It puts together :mod:`optimizer.landing.analysis` (URL drift, keyword–page match, performance
and CVR drops by page) and :mod:`optimizer.landing.audit` (what is on the page, and what
changed since the last audit).

Status of a page (the first rule that holds)
--------------------------------------------
``red`` — act now: the audit could not load it (error, 4xx/5xx, timeout, blocked),
    it has no tap-to-call link, it redirects to another site, its conversion rate
    fell (a flagged CVR drop costing money), its URL was removed from keywords, or
    keywords moved to it from another website or left it for another website
    (``new_domain``: both the old page and the new one are red, the old one saying
    how many keywords left, for which site, since when).
``amber`` — look at it: the call button is not on the first screen, no bar fixed at
    the bottom, keywords of another business line land on it, the page never mentions
    a business line whose keywords carry a real share of its spend (below), its URL
    changed, the page changed since the last audit, http instead of https, keywords
    without a mobile URL, a slow page, or any other finding of the audit.
``green`` — audited, and nothing above.
``grey`` — not audited yet, and nothing above from the data. An audit that could not
    check the page (this server had no internet: ``optimizer.landing.audit.UNCHECKED_ERRORS``)
    counts as none; its reason says "could not check" (无法检查).

The page's keywords (:func:`page_keywords`)
-------------------------------------------
Each keyword is listed on the page its latest URL sends it to (its mobile URL when it
has one, else its final URL, as :func:`optimizer.landing.analysis.keyword_page_match` judges
it), with its spend, clicks and conversions over the rows. The per-page totals of the
table (``cost``, ``n_keywords``) count each day's row on the URL of that day, so a
keyword moved to another page during the period adds to both pages' totals there but
is listed on its current page only.

Counts (:meth:`LandingReport.counts`)
-------------------------------------
The headline figures are one computation for the page's tiles, ``landing --json``
and the workbook: ``url_findings`` is the number of rows of :attr:`LandingReport.drift`
(the "URL changes" table, the workbook's URL changes sheet, ``url_drift`` of the
JSON); ``mismatched_keywords`` the number of mismatched keywords, each counted on
exactly one row of the table (:func:`mismatched_on_pages`): the page its clicks are
counted on, even when the mismatch is on its PC URL (a 换锁 keyword whose phones land
on the 换锁 page but whose 访问URL is the 开锁 page) — the row then says so.

Does the page speak of its keywords' business lines? (:func:`line_mentions`)
----------------------------------------------------------------------------
For each audited page that could be read, the keywords landing on it that name their
business line (a keyword naming none falls to the vertical's main line and is not
judged, as in the keyword–page match) are grouped by line. A line whose keywords
carry at least ``line_min_share`` (:data:`LINE_MIN_SHARE`, 20 %) of the spend of the
page's keywords must be mentioned: :func:`optimizer.landing.audit.line_words_found` looks in
the title, headings and visible text for the line's name and its cues in the
vertical's Chinese and English lexicons (the user's lexicon edits included), e.g.
换锁, 换锁芯, 锁芯, lock change, rekey. A line never mentioned makes the page amber:
'页面没有提到“换锁”，但 12 个换锁关键词（花费 ¥3,400）落到这里' / 'The page never
mentions 换锁, yet 12 换锁 keywords (¥3,400) land here'. Why 20 %: a line bringing a
fifth of a page's money is a search the page must answer (the searcher looks for the
service they typed on the first screen); smaller shares are stray keywords, which the
keyword–page mismatch list already names one by one. This complements the mismatch
check: it also catches a page whose address says 换锁 but whose text does not, and a
home page serving several lines.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.landing import analysis as landing
from optimizer.landing.audit import PageAudit, compare, line_words_found

STATUSES = ("red", "amber", "green", "grey")
#: audit finding codes that make a page red
RED_FINDINGS = {"no_tel", "cross_domain_redirect", "http_error", "timeout", "blocked_address", "dns_failed",
                "connection_failed", "tls_error", "too_many_redirects", "not_html", "empty", "bad_url",
                "blocked_scheme", "protocol_error"}
#: URL-drift kinds that make a page red (the others make it amber)
RED_DRIFT = {"url_removed", "new_domain"}
PAGE_COLUMNS = ["page", "url", "status", "reasons_zh", "reasons_en", "n_keywords", "cost", "clicks", "conversions", "cvr",
                "cpa", "cvr_weekly", "drop_change", "drop_start", "drop_money", "mismatched_keywords",
                "url_findings", "audited", "audit_error", "tel_first_screen", "bottom_bar", "page_changed",
                "unmentioned_lines"]
#: a business line whose keywords carry at least this share of a page's keyword spend
#: must be mentioned on the page (see "Does the page speak of …" above)
LINE_MIN_SHARE = 0.2
KEYWORD_COLUMNS = ["platform", "account", "page", "campaign", "ad_group", "keyword", "match_type",
                   "business_line", "line_named", "match", "match_page", "page_line", "final_page", "impressions",
                   "clicks", "cost", "conversions", "cvr"]
LINE_COLUMNS = ["page", "business_line", "keywords", "cost", "clicks", "share", "words_found", "mentioned"]


@dataclass
class LandingReport:
    """One account's landing pages. ``pages``: :data:`PAGE_COLUMNS`, worst first
    (``page`` the key of :func:`optimizer.landing.analysis.page_of`, ``url`` a full URL of it to fetch).
    ``drift``: :func:`optimizer.landing.analysis.url_drift`. ``match`` and ``mismatches``:
    :func:`optimizer.landing.analysis.keyword_page_match` and its summary. ``drops``:
    :func:`optimizer.landing.analysis.page_drops`. ``series``: the daily page series.
    ``audits``: the latest audit per page; ``changes``: per page, what changed since
    the audit before (:func:`optimizer.landing.audit.compare`). ``keywords``: every keyword
    with its page (:func:`page_keywords`); ``lines``: the business lines checked on the
    audited pages (:func:`line_mentions`)."""

    pages: pd.DataFrame
    drift: pd.DataFrame
    match: pd.DataFrame
    mismatches: pd.DataFrame
    drops: pd.DataFrame
    series: pd.DataFrame
    audits: dict[str, PageAudit] = field(default_factory=dict)
    changes: dict[str, list[dict]] = field(default_factory=dict)
    keywords: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=KEYWORD_COLUMNS))
    lines: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LINE_COLUMNS))

    def keywords_of(self, page: str) -> pd.DataFrame:
        """The keywords landing on ``page``, by spend (largest first)."""
        k = self.keywords
        return k.loc[k["page"] == page].reset_index(drop=True) if len(k) else k

    def mismatched_of(self, page: str) -> pd.DataFrame:
        """The mismatched keywords counted on ``page``'s row (see "Counts" in the module
        docstring), by spend: those whose own page or PC page is about another line."""
        m = mismatched_on_pages(self.keywords, self.pages["page"])
        return m.loc[m["page"] == page].reset_index(drop=True) if len(m) else m

    def counts(self) -> dict[str, int | float]:
        """The headline figures, one computation for the page's tiles, ``landing --json``
        and the workbook (``analyze --json``'s ``landing_*`` counts): ``pages`` (rows of
        the table), ``red`` (pages to act on now), ``url_findings`` (rows of the URL
        changes and issues, :attr:`drift`), ``mismatched_keywords`` (keywords whose page
        is about another line: the rows of :attr:`match` with ``match`` False, the sum of
        the table's ``mismatched_keywords`` and of :attr:`mismatches`' ``keywords``) and
        ``drop_money`` (money lost to flagged CVR drops, the table's ``drop_money`` summed)."""
        p = self.pages
        mis = int(self.match["match"].eq(False).sum()) if len(self.match) else 0
        return {"pages": len(p), "red": int((p["status"] == "red").sum()) if len(p) else 0,
                "url_findings": len(self.drift), "mismatched_keywords": mis,
                "drop_money": float(p["drop_money"].clip(lower=0).sum()) if len(p) else 0.0}


def build(rows: pd.DataFrame, clf, previous: pd.DataFrame | None = None, audits: dict[str, PageAudit] | None = None,
          previous_audits: dict[str, PageAudit] | None = None, alpha: float = 0.05,
          currency: str | None = None, line_min_share: float = LINE_MIN_SHARE) -> LandingReport:
    """The report for one account's rows (and optionally the previous upload's rows, and
    the latest / previous audits keyed by page, :func:`optimizer.landing.analysis.page_of`).
    ``line_min_share``: see :func:`line_mentions`."""
    audits = audits or {}
    previous_audits = previous_audits or {}
    # each of these is built once from the (possibly million) rows, and let go before the
    # next: the rows by page, then the keywords' URL state
    by_page = landing.page_rows(rows)
    perf = landing.page_performance(by_page)
    series = landing.page_series(by_page)
    del by_page
    drops = landing.page_drops(rows, alpha=alpha, series=series)
    state = landing.url_state(rows)
    drift_f = landing.url_drift(state, previous)
    match = landing.keyword_page_match(state, clf, audits)
    del state
    mism = landing.mismatch_summary(match)
    changes = {p: compare(previous_audits[p], a) for p, a in audits.items() if p in previous_audits}
    changes = {p: c for p, c in changes.items() if c}

    pages = perf.copy()
    pages["cvr_weekly"] = _weekly_cvr(series, pages["page"])
    flagged = drops.loc[(drops["status"] == "flag") & (drops["metric"] == "cvr")] if len(drops) else drops
    by_page = flagged.set_index("entity") if len(flagged) else pd.DataFrame()
    pages["drop_change"] = pages["page"].map(by_page["change"]) if len(by_page) else np.nan
    pages["drop_start"] = pages["page"].map(by_page["start"]) if len(by_page) else pd.NaT
    pages["drop_money"] = pages["page"].map(by_page["money_at_stake"]) if len(by_page) else np.nan
    keywords = page_keywords(match)
    mis = mismatched_on_pages(keywords, pages["page"])
    pages["mismatched_keywords"] = pages["page"].map(mis.groupby("page").size()).fillna(0).astype(int) \
        if len(mis) else 0
    elsewhere = {p: g.groupby("match_page", sort=False).size().to_dict()
                 for p, g in mis.loc[mis["match_page"] != mis["page"]].groupby("page", sort=False)} if len(mis) else {}
    d = drift_f
    moved_away = _moved_away(d)
    pages["url_findings"] = [(int((d["page"] == p).sum()) if len(d) else 0) + len(moved_away.get(p, ()))
                             for p in pages["page"]]
    pages["audited"] = pages["page"].isin([p for p, a in audits.items() if a.checked])
    pages["audit_error"] = [audits[p].error if p in audits else None for p in pages["page"]]
    pages["tel_first_screen"] = [audits[p].tel_on_first_screen if p in audits else None for p in pages["page"]]
    pages["bottom_bar"] = [audits[p].fixed_bottom_bar if p in audits else None for p in pages["page"]]
    pages["page_changed"] = pages["page"].isin(list(changes))
    lines = line_mentions(keywords, audits, clf, line_min_share)
    missing = lines.loc[~lines["mentioned"].astype(bool)] if len(lines) else lines
    by_page_lines = {p: [{"line": r.business_line, "keywords": int(r.keywords), "cost": float(r.cost),
                          "share": float(r.share)} for r in g.itertuples(index=False)]
                     for p, g in missing.groupby("page", sort=False)} if len(missing) else {}
    pages["unmentioned_lines"] = pd.Series([by_page_lines.get(p, []) for p in pages["page"]], index=pages.index,
                                           dtype=object)

    statuses, zh, en = [], [], []
    for r in pages.itertuples(index=False):
        s, rz, re_ = _status(r, audits.get(r.page), d.loc[d["page"] == r.page] if len(d) else d, currency,
                             elsewhere.get(r.page, {}), moved_away.get(r.page, pd.DataFrame()))
        statuses.append(s)
        zh.append("；".join(rz))
        en.append("; ".join(re_))
    pages["status"], pages["reasons_zh"], pages["reasons_en"] = statuses, zh, en
    order = pages["status"].map({s: i for i, s in enumerate(STATUSES)})
    pages = (pages.assign(_o=order, _c=-pages["cost"]).sort_values(["_o", "_c"], kind="stable")
             .drop(columns=["_o", "_c"]).reset_index(drop=True))
    return LandingReport(pages[PAGE_COLUMNS], drift_f, match, mism, drops, series, dict(audits), changes,
                         keywords, lines)


#: canonical columns that make an upload a snapshot of landing URLs
URL_COLUMNS = ("final_url", "mobile_final_url")


def snapshot_uploads(uploads: Sequence, account: tuple[str, str, str] | None = None) -> list:
    """The stored uploads (:class:`optimizer.store.database.Upload`) that record landing URLs —
    their file has a final or mobile URL column — newest first: the earlier snapshots
    an account's URLs can be compared with. ``account`` (platform, account, currency):
    only uploads that can hold it — of its platform, in its currency when the file names
    one, and filed under it when the optimizer chose the file's account on upload."""
    has_urls = [u for u in uploads if any(c in (u.info.columns or {}) for c in URL_COLUMNS)]
    if account is not None:
        platform, name, currency = (str(x or "") for x in account)
        has_urls = [u for u in has_urls if u.platform == platform
                    and (not currency or not u.info.currency or currency in u.info.currency.split(", "))
                    and (u.account_name is None or u.account_name == name)]
    return sorted(has_urls, key=lambda u: (u.uploaded_at, u.id), reverse=True)


def default_previous(snapshots: Sequence) -> object | None:
    """The snapshot to compare with by default: the one before the newest (the newest
    is in the data being checked), or None when there is only one."""
    return snapshots[1] if len(snapshots) > 1 else None


def page_keywords(match: pd.DataFrame) -> pd.DataFrame:
    """Every keyword with the page it lands on, from :func:`optimizer.landing.analysis.keyword_page_match`.

    Columns :data:`KEYWORD_COLUMNS`: platform, account, ``page`` (the page key of the
    keyword's latest mobile URL, else its final URL), campaign, ad_group, keyword,
    match_type, business_line, line_named, match (True / False / None, as in the
    match), impressions, clicks, cost, conversions over the rows, and ``cvr``
    (conversions / clicks, NaN without clicks). Keywords without a URL are left out.
    Sorted by page, then spend (largest first).
    """
    if match is None or match.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in KEYWORD_COLUMNS})
    mobile = match["mobile_final_url"].fillna("").astype(str).str.strip()
    final = match["final_url"].fillna("").astype(str).str.strip()
    url = mobile.where(mobile != "", final)
    codes, uniques = pd.factorize(url.to_numpy(object))
    keys = np.array([landing.page_of(u) for u in uniques], dtype=object)
    out = match[["platform", "account", "campaign", "ad_group", "keyword", "match_type", "business_line",
                 "line_named", "match", "impressions", "clicks", "cost", "conversions"]].copy()
    out.insert(2, "page", keys[codes] if len(uniques) else np.array([], dtype=object))
    out.insert(out.columns.get_loc("match") + 1, "match_page", match["url"].fillna("").astype(object))
    out.insert(out.columns.get_loc("match_page") + 1, "page_line", match["page_line"].astype(object))
    out.insert(out.columns.get_loc("page_line") + 1, "final_page",
               [landing.page_of(u) for u in final.to_numpy(object)])
    clicks = out["clicks"].astype(float)
    out["cvr"] = out["conversions"].astype(float) / clicks.where(clicks > 0)
    out = out.loc[out["page"] != ""]
    return (out.assign(_c=-out["cost"].astype(float).fillna(0)).sort_values(["page", "_c"], kind="stable")
            .drop(columns="_c").reset_index(drop=True)[KEYWORD_COLUMNS])


def mismatched_on_pages(keywords: pd.DataFrame, pages: pd.Series) -> pd.DataFrame:
    """The mismatched keywords of :func:`page_keywords` (``match`` False), each with the
    ``page`` of the table (``pages``) whose row counts it: its own page when the table
    has it, else the page judged (``match_page``), else its PC page — so that every
    mismatched keyword is counted on exactly one row (see "Counts" in the module
    docstring). ``match_page`` other than ``page``: the mismatch is on another URL of
    the keyword (its PC URL when its phones land on ``page``)."""
    if keywords is None or keywords.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in KEYWORD_COLUMNS})
    bad = keywords.loc[keywords["match"].eq(False).fillna(False).astype(bool)]
    if bad.empty:
        return bad.reset_index(drop=True)
    known = set(pages)
    own, judged, pc = (bad[c].astype(object).to_numpy() for c in ("page", "match_page", "final_page"))
    counted = [o if o in known else j if j in known else f if f in known else o for o, j, f in zip(own, judged, pc)]
    return bad.assign(page=counted).reset_index(drop=True)


def _moved_away(drift: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Page (the old URL's) → the ``new_domain`` findings of keywords that left it for
    another website."""
    if drift is None or drift.empty:
        return {}
    nd = drift.loc[drift["kind"] == "new_domain"]
    if nd.empty:
        return {}
    old = nd["old"].astype(object).map(landing.page_of)
    return {p: g for p, g in nd.assign(old_page=old).groupby("old_page", sort=False) if p}


def line_words(clf, line: str) -> tuple[str, ...]:
    """The words that name business ``line`` on a page: the line's name and its cues in
    the classifier's Chinese and English lexicons (with the user's edits)."""
    words = [line]
    for language in ("zh", "en"):
        words += list(clf.lexicon(language).lines.get(line, ()))
    return tuple(dict.fromkeys(w for w in words if w))


def line_mentions(keywords: pd.DataFrame, audits: dict[str, PageAudit] | None, clf,
                  min_share: float = LINE_MIN_SHARE) -> pd.DataFrame:
    """Per audited page (read successfully) and business line carrying at least
    ``min_share`` of the spend of the page's keywords (:func:`page_keywords`): is the
    line mentioned on the page?

    Columns :data:`LINE_COLUMNS`: page, business_line, keywords (count of the line's
    keywords landing there), cost, clicks, share (of the spend of all the page's
    keywords), words_found (:func:`optimizer.landing.audit.line_words_found` of
    :func:`line_words`), mentioned. Only keywords that name their line count (see the
    module docstring); a page whose keywords spent nothing is not judged.
    """
    recs = []
    if keywords is None or keywords.empty or not audits:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in LINE_COLUMNS})
    words_memo: dict[str, tuple[str, ...]] = {}
    for page, kw in keywords.groupby("page", sort=False):
        audit = audits.get(page)
        if audit is None or not audit.ok:
            continue
        total = float(kw["cost"].astype(float).sum())
        if not total > 0:
            continue
        named = kw.loc[kw["line_named"].astype(bool) & kw["business_line"].notna()]
        g = named.groupby("business_line", sort=False).agg(keywords=("keyword", "size"), cost=("cost", "sum"),
                                                          clicks=("clicks", "sum"))
        for line, r in g.sort_values("cost", ascending=False, kind="stable").iterrows():
            share = float(r["cost"]) / total
            if share < min_share:
                continue
            if line not in words_memo:
                words_memo[line] = line_words(clf, line)
            found = line_words_found(audit, words_memo[line])
            recs.append({"page": page, "business_line": line, "keywords": int(r["keywords"]),
                         "cost": float(r["cost"]), "clicks": float(r["clicks"]), "share": share,
                         "words_found": found, "mentioned": bool(found)})
    return pd.DataFrame(recs, columns=LINE_COLUMNS)


def line_reason(line: str, n: int, cost: float, currency: str | None = None) -> tuple[str, str]:
    """(zh, en): the page never mentions ``line`` although ``n`` of its keywords (``cost``) land on it."""
    from optimizer.i18n import money
    from optimizer.keywords.lexicon import line_label
    amount = money(cost, currency, 0)
    line_en = line_label(line, "en")
    return (f"页面没有提到“{line}”，但 {n} 个{line}关键词（花费 {amount}）落到这里",
            f"The page never mentions {line_en}, yet {n} {line_en} keyword{'s' if n != 1 else ''} ({amount}) "
            f"land{'' if n != 1 else 's'} here")


def _status(r, audit: PageAudit | None, drift_rows: pd.DataFrame, currency: str | None = None,
            elsewhere: dict[str, int] | None = None, moved_away: pd.DataFrame | None = None
            ) -> tuple[str, list[str], list[str]]:
    from optimizer.i18n import money
    red: list[tuple[str, str]] = []
    amber: list[tuple[str, str]] = []
    unchecked = None
    if audit is not None and not audit.checked:   # e.g. no internet here: it says nothing of the page
        unchecked = (audit.error_message("zh"), audit.error_message("en"))
        audit = None
    if audit is not None:
        for f in audit.findings:
            (red if f["code"] in RED_FINDINGS else amber).append((f["zh"], f["en"]))
    if pd.notna(r.drop_change) and (r.drop_money or 0) > 0:
        amount = money(r.drop_money, currency, 0)
        red.append((f"转化率自 {pd.Timestamp(r.drop_start):%m-%d} 起下降 {abs(r.drop_change):.0%}，已多花 {amount}",
                    f"conversion rate down {abs(r.drop_change):.0%} since {pd.Timestamp(r.drop_start):%Y-%m-%d}, "
                    f"{amount} at stake"))
    for kind, group in (drift_rows.groupby("kind") if len(drift_rows) else []):
        # keywords, not findings: a keyword whose desktop and mobile URL both moved is one keyword
        keys = [c for c in landing.KEY if c in group.columns]
        n = group[keys].drop_duplicates().shape[0] if keys else len(group)
        (red if kind in RED_DRIFT else amber).append((f"{group['detail_zh'].iloc[0]}" + (f"（共 {n} 个关键词）" if n > 1 else ""),
                                                      f"{group['detail_en'].iloc[0]}" + (f" ({n} keywords)" if n > 1 else "")))
    if moved_away is not None and len(moved_away):
        n = moved_away[list(landing.KEY)].drop_duplicates().shape[0]
        sites = "、".join(dict.fromkeys(landing.site_of(u) for u in moved_away["new"]))
        day = moved_away["date"].min()
        when_zh = f"自 {pd.Timestamp(day):%m-%d} 起" if pd.notna(day) else "自上次上传以来"
        when_en = f"since {pd.Timestamp(day):%Y-%m-%d}" if pd.notna(day) else "since the previous upload"
        red.append((f"{n} 个关键词{when_zh}从这个页面改投到另一个网站 {sites}",
                    f"{n} keyword{'s' if n != 1 else ''} moved from this page to another website, "
                    f"{sites.replace('、', ', ')}, {when_en}"))
    elsewhere = elsewhere or {}
    here = int(r.mismatched_keywords) - sum(elsewhere.values())
    if here > 0:
        amber.append((f"{here} 个其他业务的关键词落到这个页面",
                      f"{here} keyword{'s' if here != 1 else ''} of another "
                      f"business line land{'' if here != 1 else 's'} here"))
    for other, n in elsewhere.items():
        amber.append((f"{n} 个关键词的访问URL（电脑端）是其他业务的页面 {other}",
                      f"{n} keyword{'s' if n != 1 else ''} landing here ha{'ve' if n != 1 else 's'} a final "
                      f"(desktop) URL on a page of another business line, {other}"))
    for x in r.unmentioned_lines or []:
        amber.append(line_reason(x["line"], x["keywords"], x["cost"], currency))
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
        reasons = [unchecked or ("尚未检查页面", "not audited yet")]
    elif unchecked:   # why the page is not checked, after what the data says
        reasons.append(unchecked)
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
