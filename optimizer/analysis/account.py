"""The account model: one account's analyses, each computed once per data version.

An :class:`AccountModel` is one account of a workspace (or of files read by the command
line) at one *data version* — the upload ids its rows come from. Each method gives one
piece of the analysis, computed the first time anyone asks for it with these inputs
and kept (:class:`optimizer.analysis.results.Results`: this process's memory and the
workspace database):

- ``rows``: the account's combined daily facts (canonical table);
- ``detection``, ``own_edits``: which vertical its keywords speak of, and what the account
  itself says (generic business lines) — keyed also by the saved verticals;
- ``daily``, ``headline``, ``plans``, ``weekly``, ``period``: the Overview's and the client
  view's figures — keyed by the days chosen;
- ``keywords``, ``search_terms``, ``negatives``, ``held_negatives``, ``structure``: labels
  and what is made of them — keyed by the classifier;
- ``window``, ``evidence``, ``proposal``, ``cpc``, ``splits``, ``proposed``, ``plan_lines``:
  the bundles' — keyed by the classifier, the window and the bundle settings;
- ``bids``: bid recommendations for the keywords on manual CPC — keyed by the classifier,
  the window, the bid settings, the bundle map and the user's target CPAs;
- ``drift``, ``drift_table``: the cost-drift scan and its explained flags — keyed by the
  classifier (when lines are tested), the settings, the bundle map and the rules;
- ``landing``: the landing-page report — keyed by the classifier, the earlier rows, the
  audits and alpha;
- ``changes``: the change table of the bulk-edit files — keyed by the classifier, the
  actions, the bundle map and the bid recommendations.
- ``change_effects``: whether each logged change helped (:mod:`optimizer.actions.changelog`)
  — keyed by the change log's content (a new entry or a corrected day recomputes it).
- ``adcopy``: the ad copy against each unit's stage, look-alike copy and per-ad tests
  (:func:`optimizer.adcopy.analysis.analyse`) — keyed by the classifier.
- ``portfolio``: the account's row of the Today page (:mod:`optimizer.analysis.portfolio`)
  — keyed by the workspace's state, which names every other input.

The classifier enters by its fingerprint (:meth:`optimizer.keywords.stages.Classifier.fingerprint`:
vertical, saved vertical's revision, the account's own and the user's lexicon edits),
so a lexicon edit asks for new labels and everything made from them, while a drift
setting asks only for a new scan. Pages, the workbook, the client view and the
command line all go through here: the same inputs give the same object, so the same
number everywhere.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from optimizer.actions.bids import BidSettings, BidTargets, recommend_bids
from optimizer.analysis.results import Results
from optimizer.bundles.propose import (BundleSettings, cpc_keywords, membership, plan_evidence, plan_lines, propose,
                                       split_candidates, summarize, window)
from optimizer.bundles.targets import BundleSheet, RuleSet, bundle_sheet_for, current_bundles
from optimizer.drift.alerts import AlertReport, AlertSettings, flag_table, scan
from optimizer.keywords.lexicon import catalog
from optimizer.keywords.stages import (Classifier, Detection, account_evidence, keyword_performance, negative_conflicts,
                                       negative_keywords, structure_fixes)
from optimizer.keywords.trade import account_edits
from optimizer.model import dataset


def _day(value) -> str | None:
    """A day as a key (``2026-11-30``; None for None)."""
    return None if value is None else str(pd.Timestamp(value).date())


def frame_key(frame: pd.DataFrame | None) -> str | None:
    """A key of a frame's content (None for None): its rows' hashes, in order."""
    if frame is None:
        return None
    h = hashlib.sha256(repr(tuple(frame.columns)).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


def sheet_key(sheet: BundleSheet | None) -> str | None:
    """A key of a bundle map's content (None without one)."""
    if sheet is None:
        return None
    h = hashlib.sha256(repr(tuple(sheet.membership.items())).encode())
    h.update(sheet.info.to_json(date_format="iso").encode())
    return h.hexdigest()


def audits_key(audits: dict | None) -> tuple:
    """A key of kept page audits: each page with when it was audited."""
    return tuple(sorted((str(p), str(a.audited_at)) for p, a in (audits or {}).items()))


def rules_key(rules: dict[str, RuleSet] | None) -> str | None:
    """A key of over-cost rule sets (None: the bundled file, which is part of the code version)."""
    return None if rules is None else hashlib.sha256(repr(sorted(rules.items())).encode()).hexdigest()


@dataclass
class AccountModel:
    """One account at one data version. ``workspace``: its workspace id (None for files
    read by the command line: kept in memory only). ``key``: ``platform:account:currency``.
    ``version``: the data version (the workspace's upload ids, or the files read).
    ``load``: gives the account's rows when they are not kept yet."""

    workspace: int | None
    key: str
    version: tuple
    load: Callable[[], pd.DataFrame]
    results: Results = field(default_factory=Results)

    def _get(self, piece: str, inputs: tuple, compute: Callable[[], Any]) -> Any:
        return self.results.get(self.workspace, self.key, piece, (self.version, *inputs), compute)

    # ---------------------------------------------------------------- data and labels

    def rows(self) -> pd.DataFrame:
        """The account's combined daily facts (:func:`optimizer.model.dataset.for_account`)."""
        return self._get("rows", (), self.load)

    def detection(self) -> Detection:
        """:func:`optimizer.keywords.stages.account_evidence` of the account (against the
        built-in verticals and those saved now: the catalog's revision is in its key)."""
        return self._get("detection", (catalog().revision,), lambda: account_evidence(self.rows()))

    def own_edits(self, vertical: str) -> dict:
        """:func:`optimizer.keywords.trade.account_edits` for ``vertical``."""
        return self._get("own_edits", (vertical, catalog().revision), lambda: account_edits(self.rows(), vertical))

    def keywords(self, clf: Classifier) -> pd.DataFrame:
        """Keyword performance with labels (:func:`optimizer.keywords.stages.keyword_performance`)."""
        return self._get("keywords", (clf.fingerprint,), lambda: keyword_performance(self.rows(), clf))

    def search_terms(self, clf: Classifier) -> pd.DataFrame:
        """Search-term performance with labels."""
        return self._get("search_terms", (clf.fingerprint,),
                         lambda: keyword_performance(self.rows(), clf, "search_term"))

    def negatives(self, clf: Classifier) -> pd.DataFrame:
        """Negative-keyword candidates (:func:`optimizer.keywords.stages.negative_keywords`)."""
        return self._get("negatives", (clf.fingerprint,),
                         lambda: negative_keywords(self.search_terms(clf), self.keywords(clf)))

    def held_negatives(self, clf: Classifier) -> pd.DataFrame:
        """Off-target terms held back from the negatives (:func:`optimizer.keywords.stages.negative_conflicts`)."""
        return self._get("held_negatives", (clf.fingerprint,),
                         lambda: negative_conflicts(self.search_terms(clf), self.keywords(clf)))

    def structure(self, clf: Classifier) -> pd.DataFrame:
        """Keywords in the wrong unit (:func:`optimizer.keywords.stages.structure_fixes`)."""
        return self._get("structure", (clf.fingerprint,), lambda: structure_fixes(self.keywords(clf)))

    # ---------------------------------------------------------------- figures

    def partial_day(self) -> pd.Timestamp | None:
        """The account's incomplete last Baidu day (:func:`optimizer.model.dataset.partial_last_day`)."""
        return self._get("partial_day", (), lambda: dataset.partial_last_day(self.rows()))

    def _range(self, start, end) -> pd.DataFrame:
        rows = self.rows()
        return rows if start is None else dataset.between(rows, start, end)

    def daily(self, start=None, end=None) -> pd.DataFrame:
        """Totals per day (:func:`optimizer.model.dataset.daily_totals`) of the days from
        ``start`` to ``end`` (None: all), the account's incomplete day marked."""
        return self._get("daily", (_day(start), _day(end)),
                         lambda: dataset.daily_totals(self._range(start, end), self.partial_day()))

    def period(self, days: int | None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """(first, last) day of the account's last ``days`` days with data (the client
        view's periods); None for all days or an account without daily rows."""
        daily = self.daily()
        if days is None or daily.empty:
            return None
        last = daily["date"].max()
        return daily.loc[daily["date"] > last - pd.Timedelta(days=days), "date"].min(), last

    def weekly(self, start=None) -> pd.DataFrame:
        """The days from ``start`` (None: all) summed per week
        (:func:`optimizer.model.dataset.weekly_totals`): the client view's table."""
        def compute() -> pd.DataFrame:
            daily = self.daily()
            return dataset.weekly_totals(daily if start is None else daily.loc[daily["date"] >= pd.Timestamp(start)])
        return self._get("weekly", (_day(start),), compute)

    def headline(self, start=None, end=None) -> dataset.Headline:
        """The headline figures (:func:`optimizer.model.dataset.headline`) of the days from
        ``start`` to ``end`` (None: all): the Overview's tiles and the client view's."""
        return self._get("headline", (_day(start), _day(end)),
                         lambda: dataset.headline(self._range(start, end), self.partial_day()))

    def plans(self, start=None, end=None) -> pd.DataFrame:
        """Totals per plan (:func:`optimizer.model.dataset.campaign_totals`) over the days."""
        return self._get("plans", (_day(start), _day(end)), lambda: dataset.campaign_totals(self._range(start, end)))

    # ---------------------------------------------------------------- bundles

    def window_rows(self, settings: BundleSettings = BundleSettings()) -> pd.DataFrame:
        """The evidence window's rows (:func:`optimizer.bundles.propose.window`: a filter, not kept)."""
        return window(self.rows(), settings.window_days, settings.end)[0]

    def window(self, clf: Classifier, settings: BundleSettings = BundleSettings()) -> pd.DataFrame:
        """The evidence window's keyword performance (:func:`optimizer.bundles.propose.window_performance`)."""
        return self._get("window", (clf.fingerprint, settings.window_days, settings.end),
                         lambda: keyword_performance(self.window_rows(settings), clf))

    def evidence(self, clf: Classifier, settings: BundleSettings = BundleSettings()) -> pd.DataFrame:
        """Per-plan evidence (:func:`optimizer.bundles.propose.plan_evidence`)."""
        return self._get("evidence", (clf.fingerprint, settings.window_days, settings.end),
                         lambda: plan_evidence(self.rows(), clf, settings, self.window(clf, settings)))

    def proposal(self, clf: Classifier, settings: BundleSettings = BundleSettings()) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(plans assigned to bundles, one row per bundle): :func:`optimizer.bundles.propose.propose`
        and :func:`~optimizer.bundles.propose.summarize` of the evidence."""
        def compute():
            plans = propose(self.evidence(clf, settings), settings)
            return plans, summarize(plans, settings)
        return self._get("proposal", (clf.fingerprint, settings), compute)

    def cpc(self, clf: Classifier, settings: BundleSettings = BundleSettings()) -> pd.DataFrame:
        """Keywords that deserve their own CPC plan (:func:`optimizer.bundles.propose.cpc_keywords`)."""
        return self._get("cpc", (clf.fingerprint, settings.window_days, settings.end),
                         lambda: cpc_keywords(self.window(clf, settings), self.window_rows(settings)))

    def splits(self, clf: Classifier, settings: BundleSettings, membership: pd.Series,
               targets: dict[str, float]) -> pd.DataFrame:
        """Plans to split off their bundle (:func:`optimizer.bundles.propose.split_candidates`)
        against ``membership`` and ``targets`` (the bundle map, or the bundles in plan names)."""
        key = hashlib.sha256(repr((tuple(membership.items()), sorted(targets.items()))).encode()).hexdigest()
        return self._get("splits", (clf.fingerprint, settings.window_days, settings.end, settings.max_cpa_ratio, key),
                         lambda: split_candidates(self.evidence(clf, settings), membership, targets,
                                                  max_cpa_ratio=settings.max_cpa_ratio))

    def proposed(self, clf: Classifier) -> pd.Series:
        """Plan → bundle of the default proposal (:meth:`proposal`'s plans; empty without
        daily rows)."""
        if self.evidence(clf).empty:
            return pd.Series(dtype=object)
        return membership(self.proposal(clf)[0])

    def drift_sheet(self, clf: Classifier, sheet: BundleSheet | None = None) -> tuple[BundleSheet | None, str]:
        """The bundle map the drift scan checks by, and where it came from
        (:func:`optimizer.bundles.targets.bundle_sheet_for`): the decided ``sheet``, else
        the bundles in plan names, else the default proposal."""
        return bundle_sheet_for(self.campaigns(), sheet, None if sheet is not None else self.proposed(clf))

    def campaigns(self) -> list[str]:
        """The account's plans, by name (kept: read on every load of the Cost drift page)."""
        return self._get("campaigns", (), lambda: sorted({str(c) for c in self.rows()["campaign"].dropna().unique()}))

    def plan_lines(self, clf: Classifier) -> pd.Series:
        """Plan → business line (:func:`optimizer.bundles.propose.plan_lines`)."""
        return self._get("plan_lines", (clf.fingerprint,),
                         lambda: plan_lines(self.rows(), clf, self.keywords(clf)))

    def bids(self, clf: Classifier, settings: BundleSettings = BundleSettings(),
             bid_settings: BidSettings = BidSettings(), sheet: BundleSheet | None = None,
             targets: BidTargets = BidTargets(), currency: str | None = None) -> pd.DataFrame:
        """Bid recommendations (:func:`optimizer.actions.bids.recommend_bids`) for the keywords
        on manual CPC over the evidence window: the :meth:`cpc` keywords and every keyword of
        a plan in no bundle now (:func:`optimizer.bundles.targets.current_bundles` of
        ``sheet``: the decided bundle map, else the bundles in plan names — what the oCPC
        bundles page lists), at the map's targets, else the user's ``targets``, else each
        line's recent CPA."""
        def compute() -> pd.DataFrame:
            evidence = self.evidence(clf, settings)
            if evidence.empty:
                return recommend_bids(evidence.iloc[:0], evidence.iloc[:0], account=self.key)
            membership, bundle_targets = current_bundles(evidence["campaign"], sheet)
            source = "map" if sheet is not None else "names" if not membership.dropna().empty else "none"
            lines = evidence.set_index("campaign")["business_line"]
            return recommend_bids(self.window_rows(settings), self.window(clf, settings), all_rows=self.rows(),
                                  cpc=self.cpc(clf, settings), membership=membership, bundle_targets=bundle_targets,
                                  lines=lines, targets=targets, settings=bid_settings, account=self.key,
                                  bundles_from=source, currency=currency)
        return self._get("bids", (clf.fingerprint, settings.window_days, settings.end, bid_settings, sheet_key(sheet),
                                  targets, currency), compute)

    # ---------------------------------------------------------------- drift and landing

    def drift(self, clf: Classifier, settings: AlertSettings = AlertSettings(), sheet: BundleSheet | None = None,
              rules: dict[str, RuleSet] | None = None, rule_id: str | None = None) -> AlertReport:
        """The cost-drift scan (:func:`optimizer.drift.alerts.scan`) against ``sheet`` (the
        bundle map in use: the decided one, else the one from plan names or the proposal)."""
        lines_needed = "line" in settings.levels

        def compute() -> AlertReport:
            lines = self.plan_lines(clf) if lines_needed else None
            return scan(self.rows(), settings, lines, sheet, rules, rule_id)
        return self._get("drift", (clf.fingerprint if lines_needed else None, settings, sheet_key(sheet),
                                   rules_key(rules), rule_id), compute)

    def drift_table(self, clf: Classifier, settings: AlertSettings = AlertSettings(), sheet: BundleSheet | None = None,
                    rules: dict[str, RuleSet] | None = None, rule_id: str | None = None, currency: str | None = None,
                    max_explained: int = 200) -> pd.DataFrame:
        """Every flag of :meth:`drift` with its headline and explanation
        (:func:`optimizer.drift.alerts.flag_table`): the page's download, the workbook's sheet."""
        return self._get("drift_table", (clf.fingerprint, settings, sheet_key(sheet), rules_key(rules), rule_id,
                                         currency, max_explained),
                         lambda: flag_table(self.drift(clf, settings, sheet, rules, rule_id), currency, max_explained))

    def drift_detail(self, clf: Classifier, settings: AlertSettings, sheet: BundleSheet | None, rules,
                     rule_id: str | None, level: str, entity: str, metric: str, start) -> tuple:
        """(the flag's daily series, :func:`optimizer.drift.alerts.explain` of it): the Cost
        drift page's detail of one flag of :meth:`drift`, kept per flag."""
        from optimizer.drift.alerts import explain

        def compute() -> tuple:
            report = self.drift(clf, settings, sheet, rules, rule_id)
            s = report.series
            days = s.loc[(s["level"] == level) & (s["entity"] == entity)]
            return days, explain(report, level, entity, metric, start)
        return self._get("drift_detail", (clf.fingerprint, settings, sheet_key(sheet), rules_key(rules), rule_id,
                                          level, entity, metric, _day(start)), compute)

    def change_effects(self, log: pd.DataFrame, as_of=None):
        """Each logged change's effect (:func:`optimizer.actions.changelog.change_effects`)
        on the account's rows; ``log``: the account's change log (the store's
        :meth:`~optimizer.store.changes.ChangesMixin.change_log`)."""
        from optimizer.actions.changelog import change_effects, log_key
        return self._get("change_effects", (log_key(log), _day(as_of)),
                         lambda: change_effects(log, self.rows(), as_of))

    def landing(self, clf: Classifier, previous: pd.DataFrame | None = None, audits: dict | None = None,
                previous_audits: dict | None = None, alpha: float = 0.05, currency: str | None = None,
                previous_key: object = None):
        """The landing-page report (:func:`optimizer.landing.report.build`). ``previous_key``:
        what names ``previous`` (an upload id); by default its content."""
        from optimizer.landing.report import build
        prev = previous_key if previous_key is not None or previous is None else frame_key(previous)
        return self._get("landing", (clf.fingerprint, prev, audits_key(audits), audits_key(previous_audits),
                                     float(alpha), currency),
                         lambda: build(self.rows(), clf, previous, audits, previous_audits, float(alpha), currency))

    # ---------------------------------------------------------------- acting on it

    def changes(self, clf: Classifier, actions: tuple[str, ...], sheet: BundleSheet | None = None,
                bids: pd.DataFrame | None = None) -> pd.DataFrame:
        """The change table (:func:`optimizer.actions.changes.proposed_changes`) of ``actions``,
        the pauses' targets from ``sheet``, the bid changes from ``bids`` (a bid
        recommendation frame), the URL fixes from :meth:`landing` (against no earlier upload)."""
        return self.changes_and_held(clf, actions, sheet, bids)[0]

    def changes_and_held(self, clf: Classifier, actions: tuple[str, ...], sheet: BundleSheet | None = None,
                         bids: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(:meth:`changes`, the changes set aside: :func:`optimizer.actions.changes.hold_back`)."""
        from optimizer.actions.changes import proposed_and_held
        return self._get("changes", (clf.fingerprint, tuple(actions), sheet_key(sheet), frame_key(bids)),
                         lambda: proposed_and_held(self, clf, actions, sheet=sheet, bid_recommendations=bids))
    # ---------------------------------------------------------------- ad copy

    def adcopy(self, clf: Classifier):
        """The ad copy report (:func:`optimizer.adcopy.analysis.analyse`): each unit's ads
        against its stage and line, look-alike copy, per-ad CTR / CVR tests."""
        from optimizer.adcopy.analysis import analyse
        return self._get("adcopy", (clf.fingerprint,), lambda: analyse(self.rows(), self.keywords(clf), clf))
    # ---------------------------------------------------------------- the portfolio

    def portfolio(self, state: tuple, make: Callable[[], Any]):
        """The account's :class:`optimizer.analysis.portfolio.PortfolioRow`: ``make()`` once
        per data version and workspace ``state``
        (:func:`optimizer.analysis.portfolio.workspace_state`: the workspace's revision —
        bumped by any change of the lexicon, bundle map or audits ``make`` reads — and the
        saved verticals' revision). Keyed by the state rather than by ``make``'s inputs so
        that a reader without the account's data — the Today page — finds it:
        :func:`optimizer.analysis.portfolio.row_inputs`."""
        from optimizer.analysis.portfolio import row_inputs
        return self.results.get(self.workspace, self.key, "portfolio", row_inputs(self.version, state), make)
