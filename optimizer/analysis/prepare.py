"""Right after an upload: compute and keep each account's pieces in the background, so
that the first page anyone opens — an optimizer's or a client's — reads them.

:func:`prepare_account` computes, for one :class:`~optimizer.analysis.account.AccountModel`,
the pieces the pages ask for with their default settings, in the order the pages need
them; :class:`Jobs` runs one such preparation per workspace in a background thread and
says how far it is (the Upload page shows it). A preparation that fails is reported
(the pages then compute what they need themselves, and say what fails there).

The classifier and the settings here are built exactly as the pages build them
(:func:`classifier_for`, :func:`default_alert_settings`), so the pieces prepared are
the pieces the pages find; ``tests/test_account_model.py`` checks that a page opened
after a preparation computes nothing.
"""
from __future__ import annotations

import contextvars
import functools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

import pandas as pd

from optimizer.actions.bids import BidTargets
from optimizer.analysis.account import AccountModel
from optimizer.bundles.propose import BundleSettings
from optimizer.bundles.targets import BundleSheet, TargetSettings, current_bundles, default_tolerance
from optimizer.drift.alerts import AlertSettings
from optimizer.keywords.lexicon import LexiconEdits, vertical_in_use
from optimizer.keywords.stages import Classifier

log = logging.getLogger(__name__)

#: the steps of one account's preparation, in order (names of ``prep.*`` in i18n)
STEPS = ("rows", "detection", "keywords", "search_terms", "evidence", "drift", "landing", "portfolio")

#: the client view's period shown first (days), as pages/client.py opens
CLIENT_DAYS = 30


def classifier_for(model: AccountModel, saved_vertical: str | None, edits: dict[str, LexiconEdits]) -> Classifier:
    """The account's classifier as every page builds it: the vertical the user chose for
    it (``saved_vertical``, when it still exists) or the detected one
    (:func:`optimizer.keywords.lexicon.vertical_in_use`), what the account itself says,
    and the user's lexicon ``edits``."""
    vertical, _ = vertical_in_use(saved_vertical, model.detection().vertical)
    return Classifier(vertical, edits, model.own_edits(vertical))


def default_alert_settings(rules=None) -> AlertSettings:
    """The Cost drift page's settings before anyone changes one: the tests of
    :class:`~optimizer.drift.alerts.AlertSettings` and the over-target tolerance of the
    rule set in force today."""
    return AlertSettings(targets=TargetSettings(tolerance=float(default_tolerance(rules)[0])))


@dataclass(frozen=True)
class AccountInputs:
    """What one account's preparation needs besides its model: the vertical chosen for
    it and the lexicon edits (see :func:`classifier_for`), the decided bundle map, the
    bid targets kept, and a function giving the Landing pages page's defaults — (earlier rows or None, their
    key, latest audits, previous audits) — called in the background."""

    model: AccountModel
    #: (platform, account, currency), as the progress line names it
    account: tuple[str, str, str]
    saved_vertical: str | None
    edits: dict[str, LexiconEdits]
    sheet: BundleSheet | None
    currency: str | None
    #: the account's first and last day (the Overview page's range before anyone picks one), or None
    days: tuple | None
    landing_inputs: Callable[[], tuple[pd.DataFrame | None, object, dict, dict]]
    #: the target CPAs kept for the account's bids (the Bids page's defaults)
    bid_targets: BidTargets = BidTargets()
    #: the workspace's state (:func:`optimizer.analysis.portfolio.workspace_state`) read
    #: before these inputs: the account's Today row is kept under it; None: not made
    state: tuple | None = None


def prepare_account(inputs: AccountInputs, step: Callable[[str], None] = lambda _: None) -> None:
    """Compute and keep the account's pieces with the pages' default settings.
    ``step(name)`` is called before each of :data:`STEPS`."""
    model = inputs.model
    step("rows")
    model.rows()
    days = inputs.days or (None, None)  # the Overview page's tiles, trend and plans
    model.headline(*days), model.daily(*days), model.plans(*days)
    shown = model.period(CLIENT_DAYS)  # the client view's
    model.headline(*shown) if shown is not None else model.headline()
    model.weekly(shown[0] if shown is not None else None)
    step("detection")
    clf = classifier_for(model, inputs.saved_vertical, inputs.edits)
    step("keywords")
    model.keywords(clf)
    model.structure(clf)
    step("search_terms")
    model.search_terms(clf)
    model.negatives(clf), model.held_negatives(clf)
    step("evidence")
    evidence = model.evidence(clf)
    if not evidence.empty:  # the oCPC bundles page's tables
        model.proposal(clf), model.cpc(clf)
        membership, targets = current_bundles(evidence["campaign"], inputs.sheet)
        if not membership.dropna().empty:
            model.splits(clf, BundleSettings(), membership, targets)
        model.bids(clf, BundleSettings(), inputs.bid_targets.bid_settings(), inputs.sheet, inputs.bid_targets,
                   inputs.currency)  # the Bids page's
    step("drift")
    sheet, _ = model.drift_sheet(clf, inputs.sheet)
    model.drift_table(clf, default_alert_settings(), sheet, None, None, inputs.currency)  # the scan, then its table
    from optimizer.drift.alerts import events
    first = events(model.drift(clf, default_alert_settings(), sheet, None, None), include_learning=True)
    if len(first):  # the flag the Cost drift page details first
        r = first.iloc[0]
        model.drift_detail(clf, default_alert_settings(), sheet, None, None, r["level"], r["entity"], r["metric"],
                           r["start"])
    step("landing")
    previous, previous_key, audits, previous_audits = inputs.landing_inputs()
    model.landing(clf, previous, audits, previous_audits, 0.05, inputs.currency, previous_key=previous_key)
    step("portfolio")
    if inputs.state is not None:  # the Today page's row: from the same analysis as the account's workbook
        from optimizer.analysis.portfolio import portfolio_row
        from optimizer.analysis.summary import AnalysisSettings, analyze_account

        def make():
            analysis = analyze_account(model.rows(), settings=AnalysisSettings(bid_targets=inputs.bid_targets),
                                       sheet=inputs.sheet, clf=clf, previous=previous, audits=audits,
                                       previous_audits=previous_audits, model=model, previous_key=previous_key)
            return portfolio_row(analysis, model)
        model.portfolio(inputs.state, make)


class WorkspaceReader(Protocol):
    """What :func:`account_inputs` reads of a workspace: a page's
    :class:`optimizer.store.auth.Access` (permissions checked), or the scheduled
    refresh's reader of the whole store (:class:`optimizer.refresh.run.StoreReader`)."""

    def uploads(self, workspace_id: int) -> list: ...

    def upload_table(self, workspace_id: int, upload_id: int) -> pd.DataFrame: ...

    def audit_store(self, workspace_id: int): ...

    def lexicon_store(self, workspace_id: int): ...

    def bid_targets(self, workspace_id: int, account_key: str): ...

    def bundle_decision(self, workspace_id: int, account_key: str): ...


def account_key(acct) -> str:
    """``platform:account:currency`` of a row of :func:`optimizer.model.dataset.accounts`:
    what lexicon edits, bundle maps, audits and kept results are filed under."""
    return f"{acct['platform']}:{acct['account']}:{acct['currency']}"


def landing_defaults(reader: WorkspaceReader, workspace_id: int, acct, pick=None
                     ) -> tuple[pd.DataFrame | None, object, dict, dict]:
    """What the Landing pages page checks an account against: (the rows of the earlier
    upload ``pick`` — by default :func:`optimizer.landing.report.default_previous` — or
    None, what names it for the account model — ``("upload", id)`` —, the latest page
    audits kept, the previous ones). Damaged kept audits count as none (the page says so
    and audits afresh)."""
    from optimizer.landing.report import default_previous, snapshot_uploads
    from optimizer.model import dataset
    snapshots = {u.id: u for u in snapshot_uploads(reader.uploads(workspace_id),
                                                   (acct["platform"], acct["account"], acct["currency"]))}
    if pick is None:
        default = default_previous(list(snapshots.values()))
        pick = default.id if default is not None else ""
    previous, previous_key = None, None
    if pick and pick in snapshots:
        table = reader.upload_table(workspace_id, pick)
        previous = dataset.for_account(table, acct["platform"], acct["account"], acct["currency"])
        previous = previous if len(previous) else None
        previous_key = ("upload", pick) if previous is not None else None
    store = reader.audit_store(workspace_id)
    try:
        return previous, previous_key, store.latest(account_key(acct)), store.previous(account_key(acct))
    except ValueError:  # a damaged store: the Landing pages page says so and audits afresh
        return previous, previous_key, {}, {}


def account_inputs(reader: WorkspaceReader, workspace_id: int, acct, model: AccountModel,
                   sheet_of: Callable[[bytes, str], BundleSheet] | None = None,
                   state: tuple | None = None) -> AccountInputs:
    """One account's :class:`AccountInputs` as the pages would set them, read through
    ``reader``: the vertical chosen and the lexicon edits of the account, its decided bundle
    map (read by ``sheet_of(data, file name)``, default
    :func:`optimizer.bundles.targets.read_bundle_sheet`), and the Landing pages page's
    defaults (:func:`landing_defaults`, read when the preparation gets there), the bid
    targets kept for it. ``acct``: a row of :func:`optimizer.model.dataset.accounts`;
    ``state``: the workspace's state its Today row is kept under (None: no row made)."""
    from optimizer.bundles.targets import read_bundle_sheet
    key = account_key(acct)
    lexicon = reader.lexicon_store(workspace_id)
    decision = reader.bundle_decision(workspace_id, key)
    sheet = None if decision is None else (sheet_of or read_bundle_sheet)(decision.data, decision.file_name)
    return AccountInputs(
        model=model, account=(acct["platform"], acct["account"], acct["currency"]),
        saved_vertical=lexicon.vertical(key), edits=lexicon.edits(key), sheet=sheet,
        currency=acct["currency"] or None,
        days=(acct["date_start"], acct["date_end"]) if pd.notna(acct["date_start"]) else None,
        landing_inputs=functools.partial(landing_defaults, reader, workspace_id, acct),
        bid_targets=reader.bid_targets(workspace_id, key), state=state)


@dataclass
class JobStatus:
    """How far a workspace's preparation is: ``done`` of ``total`` steps, the account and
    step under way, an ``error`` (type and message) if it failed, ``finished``."""

    total: int
    version: tuple = ()
    done: int = 0
    account: tuple = ()
    step: str = ""
    error: str | None = None
    finished: bool = False
    started: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def share(self) -> float:
        return 1.0 if self.total == 0 else min(self.done / self.total, 1.0)


class Jobs:
    """One background preparation per workspace at a time (a newer one, after another
    upload, replaces the status of the older, which finishes what it does). At most
    ``parallel`` preparations run at once (the others wait their turn): a page that
    starts many — the Today page after a new version of the product — does not start
    them all on the server's cores and memory together."""

    def __init__(self, parallel: int = 2) -> None:
        self._status: dict[int, JobStatus] = {}
        self._lock = threading.Lock()
        self._turns = threading.Semaphore(parallel)

    def status(self, workspace: int) -> JobStatus | None:
        with self._lock:
            return self._status.get(workspace)

    def needed(self, workspace: int, version: tuple) -> bool:
        """Whether the workspace's data at ``version`` has not been prepared (nor is being)."""
        status = self.status(workspace)
        return status is None or status.version != version

    def start(self, workspace: int, version: tuple,
              accounts: Sequence[AccountInputs] | Callable[[], Sequence[AccountInputs]]) -> JobStatus:
        """Prepare ``accounts`` (the workspace's at data ``version``; or a function giving
        them, called in the background: listing the accounts may read the workspace's
        data) in a background thread, which runs in this thread's context (the saved
        verticals of the run, :func:`optimizer.keywords.lexicon.catalog`)."""
        listed = None if callable(accounts) else list(accounts)
        status = JobStatus(total=len(listed) * len(STEPS) if listed is not None else 0, version=version)
        with self._lock:
            self._status[workspace] = status

        def run() -> None:
            try:
                with self._turns:
                    todo = listed if listed is not None else list(accounts())
                    status.total = len(todo) * len(STEPS)
                    for inputs in todo:
                        status.account = inputs.account
                        begun = status.done

                        def step(name: str) -> None:
                            if status.step:
                                status.done += 1
                            status.step = name
                        try:
                            prepare_account(inputs, step)
                        except Exception as exc:  # this account only: the others are still prepared
                            log.exception("preparing %s of workspace %s failed", inputs.account, workspace)
                            status.error = status.error or f"{type(exc).__name__}: {exc}"
                            status.done = begun + len(STEPS) - 1
                        status.done += 1
                        status.step = ""
            except Exception as exc:  # the pages compute what they need themselves, and say what fails
                log.exception("preparing workspace %s failed", workspace)
                status.error = f"{type(exc).__name__}: {exc}"
            finally:
                status.finished = True

        context = contextvars.copy_context()
        threading.Thread(target=context.run, args=(run,), name=f"prepare-{workspace}", daemon=True).start()
        return status
