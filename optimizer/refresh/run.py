"""One refresh run: which accounts, one task per account, the landing-page audits.

:func:`refresh` (the coordinator, one process) lists the workspaces' accounts
(:func:`workspace_accounts`, one task per workspace), runs :func:`refresh_account` for
each account on an :class:`~optimizer.refresh.engines.Engine`, audits the landing pages
of the accounts recomputed — every page of the run through one
:class:`~optimizer.landing.audit.HostLimiter`, so each site sees one request at a time
interval whichever account it belongs to; a page shared by accounts is fetched once —,
keeps the audits, and runs the audited accounts once more so that their landing report
holds the new audits.

An account is *up to date* when its refresh mark is kept: a result (piece
``refreshed``) whose key holds everything the preparation depends on — the data
version (the workspace's upload ids), the classifier's fingerprint (vertical chosen or
detected, saved verticals' revision, the account's own and the user's lexicon edits),
the decided bundle map, the earlier upload the landing report compares with, the kept
audits, and the code version (:func:`optimizer.analysis.results.result_key`). Any
change asks for another key: the account is prepared again
(:func:`optimizer.analysis.prepare.prepare_account`, which computes only the pieces not
kept yet) and marked.

A task opens its own store (one per worker process, kept for its next tasks) and its
own :class:`~optimizer.analysis.results.Results`, and writes only what is keyed by its
inputs: two workers, or two runs at once, write the same rows, which the store keeps
once (:meth:`optimizer.store.database.Store.put_result`).
"""
from __future__ import annotations

import dataclasses
import os
import resource
import socket
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from optimizer.analysis.account import AccountModel, audits_key, frame_key, sheet_key
from optimizer.analysis.prepare import account_inputs, account_key, classifier_for, prepare_account
from optimizer.analysis.results import Results, encode, result_key
from optimizer.model import dataset
from optimizer.refresh.engines import Engine
from optimizer.store.database import DATABASE_URL_ENV, NotFound, Store, WorkspaceAuditStore, WorkspaceLexiconStore

#: the piece that marks an account refreshed (see the module)
MARK = "refreshed"
#: the Landing pages page's default false discovery rate, which the preparation uses
ALPHA = 0.05


class StoreReader:
    """:class:`optimizer.analysis.prepare.WorkspaceReader` over the whole store, for a
    run on the operator's behalf (no user: the command line has the database itself)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def uploads(self, workspace_id: int) -> list:
        return self.store.list_uploads(workspace_id)

    def upload_table(self, workspace_id: int, upload_id: int) -> pd.DataFrame:
        return self.store.upload_table(workspace_id, int(upload_id))

    def audit_store(self, workspace_id: int) -> WorkspaceAuditStore:
        return WorkspaceAuditStore(self.store, workspace_id)

    def lexicon_store(self, workspace_id: int) -> WorkspaceLexiconStore:
        return WorkspaceLexiconStore(self.store, workspace_id)

    def bundle_decision(self, workspace_id: int, account_key: str):
        return self.store.bundle_decision(workspace_id, account_key)

    def bid_targets(self, workspace_id: int, account_key: str):
        from optimizer.actions.bids import BidTargets, targets_setting_key
        return BidTargets.from_json(self.store.setting(targets_setting_key(workspace_id, account_key)))


@dataclass(frozen=True)
class Where:
    """The store a task opens: a database URL, else the SQLite file in ``data_dir``."""

    url: str | None = None
    data_dir: str | None = None


@dataclass(frozen=True)
class WorkspaceTask:
    where: Where
    workspace: int


@dataclass(frozen=True)
class AccountTask:
    where: Where
    workspace: int
    workspace_name: str
    #: (platform, account, currency)
    account: tuple[str, str, str]
    #: first pass: give the landing pages to audit instead of marking the account done
    audit: bool = True


@dataclass
class Outcome:
    """What became of one account. ``status``: ``recomputed``, ``up_to_date`` or
    ``failed`` (``error``: (Chinese, English) reason). ``computed``: pieces computed;
    ``seconds`` and ``peak_mb`` (the worker process's peak resident memory so far),
    ``worker`` (host:pid) for the bench; ``pages``: landing URLs to audit (first pass);
    ``audited`` / ``unchecked``: pages audited and kept / that could not be checked."""

    workspace: int
    workspace_name: str
    account: tuple[str, str, str]
    status: str
    error: tuple[str, str] | None = None
    computed: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    worker: str = ""
    pages: tuple[str, ...] = ()
    audited: int = 0
    unchecked: int = 0

    @property
    def key(self) -> str:
        return ":".join(self.account)


# ------------------------------------------------------------------ in a worker

_STORES: dict[tuple, Store] = {}


def worker_store(where: Where) -> Store:
    """This process's store for ``where`` (opened once per worker process: its own
    connections, never one inherited from another process; not migrated here — the
    coordinator did)."""
    key = (where.url, where.data_dir, os.getpid())
    store = _STORES.get(key)
    if store is None:
        store = _STORES[key] = Store.open(where.url, where.data_dir, upgrade=False)
    return store


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _reason(exc: BaseException) -> tuple[str, str]:
    if hasattr(exc, "message"):
        try:
            return " ".join(str(exc.message("zh")).split()), " ".join(str(exc.message("en")).split())
        except Exception:  # noqa: BLE001 - a message() with other parameters
            pass
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text, text


def _use_saved_verticals(store: Store) -> None:
    from optimizer.keywords.lexicon import use_catalog
    from optimizer.keywords.verticals import catalog_from_store
    use_catalog(catalog_from_store(store))


def _accounts(store: Store, results: Results, workspace: int) -> tuple[tuple, pd.DataFrame]:
    """(data version, the workspace's accounts piece — the one the pages read)."""
    version = store.upload_ids(workspace)
    accounts = results.get(workspace, "*", "accounts", (version, None),
                           lambda: dataset.accounts(store.workspace_table(workspace).table))
    return version, accounts


def workspace_accounts(task: WorkspaceTask) -> list[tuple[str, str, str]]:
    """The workspace's accounts (platform, account, currency), its accounts piece kept."""
    store = worker_store(task.where)
    _, accounts = _accounts(store, Results(store), task.workspace)
    return list(dataset.account_keys(accounts))


def refresh_account(task: AccountTask) -> Outcome:
    """Prepare one account unless its refresh mark is kept (see the module); never
    raises: a failure is an outcome with its reason."""
    t0 = time.perf_counter()
    out = Outcome(task.workspace, task.workspace_name, task.account, "failed",
                  worker=f"{socket.gethostname()}:{os.getpid()}")
    try:
        store = worker_store(task.where)
        _use_saved_verticals(store)
        results = Results(store, memory_items=64)  # this task's own: nothing kept in memory across tasks
        version, accounts = _accounts(store, results, task.workspace)
        platform, account, currency = task.account
        match = accounts.loc[(accounts["platform"] == platform) & (accounts["account"] == account)
                             & (accounts["currency"] == currency)]
        if match.empty:
            raise NotFound(f"account {':'.join(task.account)} is no longer in workspace {task.workspace}")
        acct = match.iloc[0]
        key = account_key(acct)

        def load() -> pd.DataFrame:
            return dataset.for_account(store.workspace_table(task.workspace).table, platform, account, currency)
        model = AccountModel(task.workspace, key, version, load, results)
        from optimizer.analysis.portfolio import workspace_state
        from optimizer.keywords.lexicon import catalog
        # the Today page's row is made too, under the workspace's state the page reads it by
        state = workspace_state(store.get_workspace(task.workspace).revision, catalog().revision)
        inputs = account_inputs(StoreReader(store), task.workspace, acct, model, state=state)
        landing = inputs.landing_inputs()  # read once: for the mark and for the preparation
        inputs = dataclasses.replace(inputs, landing_inputs=lambda: landing)
        previous, previous_key, audits, previous_audits = landing
        clf = classifier_for(model, inputs.saved_vertical, inputs.edits)
        mark = result_key(MARK, (version, clf.fingerprint, sheet_key(inputs.sheet),
                                 previous_key if previous_key is not None or previous is None else frame_key(previous),
                                 audits_key(audits), audits_key(previous_audits), inputs.currency,
                                 tuple(str(d) for d in inputs.days or ())))
        from optimizer.analysis.portfolio import row_inputs
        today_row = results.kept("portfolio", {(task.workspace, key): row_inputs(version, state)})
        if store.result(task.workspace, key, MARK, mark) is not None and today_row:
            out.status = "up_to_date"
        else:
            prepare_account(inputs)
            if task.audit:
                report = model.landing(clf, previous, audits, previous_audits, ALPHA, inputs.currency,
                                       previous_key=previous_key)  # kept by the preparation: read, not computed
                if not report.pages.empty:
                    out.pages = tuple(dict.fromkeys(report.pages["url"].dropna().astype(str)))
            if not out.pages:
                store.put_result(task.workspace, key, MARK, mark, encode({"version": version}))
            out.status = "recomputed"
        out.computed = results.counts["computed"]
    except Exception as exc:  # noqa: BLE001 - one account failing never stops the others
        out.status, out.error = "failed", _reason(exc)
    out.seconds = time.perf_counter() - t0
    out.peak_mb = _peak_mb()
    return out


# ------------------------------------------------------------------ the coordinator

class NoSuchWorkspace(LookupError):
    """A workspace asked for by name or id that the store does not hold."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)

    def message(self, lang: str = "zh") -> str:
        from optimizer.outputs.sheet_text import st
        return st("refresh.no_workspace", lang, name=self.name)


def pick_workspaces(store: Store, wanted: Sequence[str] | None) -> list:
    """The workspaces named (by name, or by id when no workspace has that name), in
    the order given; every workspace, by name, when ``wanted`` is empty."""
    every = store.list_workspaces()
    if not wanted:
        return every
    by_name, by_id = {w.name: w for w in every}, {str(w.id): w for w in every}
    out = []
    for name in wanted:
        ws = by_name.get(name) or by_id.get(str(name).strip())
        if ws is None:
            raise NoSuchWorkspace(name)
        if ws not in out:
            out.append(ws)
    return out


@dataclass
class Report:
    """A run's outcomes (one per account, in workspace then account order) and its
    timing: ``seconds`` (wall clock), ``audit_seconds`` (auditing pages)."""

    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    audit_seconds: float = 0.0
    engine: str = ""
    workers: int = 0

    def by_status(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    def as_json(self) -> dict:
        """Stable keys: engine, workers, seconds, recomputed, up_to_date, failed (counts),
        accounts [{workspace, workspace_name, platform, account, currency, status,
        error, error_zh, computed, audited, unchecked}]."""
        return {"engine": self.engine, "workers": self.workers, "seconds": round(self.seconds, 2),
                **{s: len(self.by_status(s)) for s in ("recomputed", "up_to_date", "failed")},
                "accounts": [{"workspace": o.workspace, "workspace_name": o.workspace_name,
                              "platform": o.account[0], "account": o.account[1], "currency": o.account[2],
                              "status": o.status, "error": o.error[1] if o.error else None,
                              "error_zh": o.error[0] if o.error else None, "computed": o.computed,
                              "audited": o.audited, "unchecked": o.unchecked} for o in self.outcomes]}


def refresh(where: Where, workspaces: Sequence[str] | None = None, engine: str = "local", workers: int | None = None,
            scheduler: str | None = None, audit: bool = True, audit_settings=None, audit_interval: float = 2.0,
            on_done: Callable[[Outcome], None] | None = None) -> Report:
    """Refresh every account of ``workspaces`` (names or ids; default every workspace)
    of the store at ``where`` on ``engine`` (see the module and
    :class:`~optimizer.refresh.engines.Engine`). ``audit``: audit the landing pages of
    the accounts recomputed, with ``audit_settings`` (default
    :meth:`~optimizer.landing.audit.AuditSettings.from_env`, as the Landing pages page)
    paced by one :class:`~optimizer.landing.audit.HostLimiter` of ``audit_interval``
    seconds per host. ``on_done(outcome)``: each account as it finishes its last pass.
    Raises :class:`NoSuchWorkspace`, and the store's errors when it cannot be opened."""
    t0 = time.perf_counter()
    # the workers open the database this process means, whatever their own environment says
    where = Where(where.url or os.environ.get(DATABASE_URL_ENV) or None, where.data_dir)
    with Store.open(where.url, where.data_dir) as store:  # migrated once here, before any worker opens it
        chosen = [(ws.id, ws.name) for ws in pick_workspaces(store, workspaces)]
    report = Report(engine=engine)
    with Engine(engine, workers, scheduler) as pool:
        report.workers = pool.workers if engine != "inline" else 1
        listed = pool.map(workspace_accounts, [WorkspaceTask(where, wid) for wid, _ in chosen])
        tasks, failed_ws = [], []
        for (wid, name), accts in zip(chosen, listed, strict=True):
            if isinstance(accts, BaseException):
                failed_ws.append(Outcome(wid, name, ("", "", ""), "failed", error=_reason(accts)))
                continue
            tasks += [AccountTask(where, wid, name, tuple(a), audit) for a in accts]
        for o in failed_ws:
            if on_done:
                on_done(o)

        def failed(task: AccountTask, o) -> Outcome:
            return o if isinstance(o, Outcome) else Outcome(task.workspace, task.workspace_name, task.account,
                                                            "failed", error=_reason(o))

        def first_done(i: int, o) -> None:
            o = failed(tasks[i], o)
            if on_done and not o.pages:
                on_done(o)
        first = [failed(t, o) for t, o in zip(tasks, pool.map(refresh_account, tasks, first_done), strict=True)]
        to_audit = [o for o in first if o.pages]
        if to_audit:
            a0 = time.perf_counter()
            _audit(where, to_audit, audit_settings, audit_interval)
            report.audit_seconds = time.perf_counter() - a0
            again = [dataclasses.replace(t, audit=False) for t, o in zip(tasks, first, strict=True) if o.pages]

            def second_done(i: int, o) -> None:
                if on_done:
                    on_done(_merge(to_audit[i], o))
            second = pool.map(refresh_account, again, second_done)
            merged = {id(a): _merge(a, b) for a, b in zip(to_audit, second, strict=True)}
            first = [merged.get(id(o), o) for o in first]
    report.outcomes = failed_ws + first
    report.seconds = time.perf_counter() - t0
    return report


def _merge(first: Outcome, second) -> Outcome:
    """An audited account's outcome: the second pass's status, both passes' work."""
    if isinstance(second, BaseException):
        return dataclasses.replace(first, status="failed", error=_reason(second), pages=())
    status = second.status if second.status == "failed" else "recomputed"
    return dataclasses.replace(first, status=status, error=second.error, computed=first.computed + second.computed,
                               seconds=first.seconds + second.seconds, peak_mb=max(first.peak_mb, second.peak_mb),
                               pages=())


def _audit(where: Where, outcomes: list[Outcome], settings, interval: float) -> None:
    """Audit every page of ``outcomes`` at once (one fetch per distinct page, paced per
    host) and keep, per account, the audits that could be checked."""
    from optimizer.landing.analysis import page_of
    from optimizer.landing.audit import AuditSettings, HostLimiter, audit_urls
    settings = settings or AuditSettings.from_env()
    settings = dataclasses.replace(settings, limiter=settings.limiter or HostLimiter(interval))
    urls = [u for o in outcomes for u in o.pages]
    done = iter(audit_urls(urls, settings))
    with Store.open(where.url, where.data_dir, upgrade=False) as store:
        for o in outcomes:
            audits = [next(done) for _ in o.pages]
            checked = [a for a in audits if a.checked]  # an audit without internet says nothing of the page
            o.audited, o.unchecked = len(checked), len(audits) - len(checked)
            if checked:
                WorkspaceAuditStore(store, o.workspace).add(o.key, checked, key=lambda a: page_of(a.url))
