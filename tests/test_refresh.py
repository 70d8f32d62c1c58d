"""The scheduled refresh (optimizer.refresh, ``python -m optimizer refresh``): only the
accounts whose data or settings changed are recomputed, the kept results are the same
whichever engine ran them (in this process, a local process pool, a Dask LocalCluster),
a failing account is reported without stopping the others, and the exit codes."""
from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from optimizer.analysis.account import AccountModel
from optimizer.analysis.prepare import account_inputs, prepare_account
from optimizer.analysis.results import Results
from optimizer.cli import main
from optimizer.model import dataset
from optimizer.refresh.run import MARK, StoreReader, Where, refresh
from optimizer.store.database import Store, bundles_t, results_t
from tests.test_store import clock, db  # noqa: F401 - fixtures


@pytest.fixture(scope="module")
def tiny_exports(tmp_path_factory) -> list[tuple[str, bytes]]:
    """Three tiny Baidu keyword reports of three accounts (the sample generator's)."""
    from sample_data.generator import AccountConfig, generate_account, write_baidu_keyword_report
    d = tmp_path_factory.mktemp("tiny")
    out = []
    for i in range(3):
        acc = generate_account(AccountConfig(seed=100 + i, language="zh", account=f"测试开锁{i}", days=50,
                                             n_keywords=150, end_date=date(2026, 11, 24)))
        path = d / f"kw{i}.csv"
        write_baidu_keyword_report(acc, path)
        out.append((path.name, path.read_bytes()))
    return out


def fill(store: Store, exports) -> None:
    """Two workspaces: one with two accounts, one with the third."""
    a, b = store.create_workspace("客户甲"), store.create_workspace("客户乙")
    store.add_upload(a.id, *exports[0], None)
    store.add_upload(a.id, *exports[1], None)
    store.add_upload(b.id, *exports[2], None)


def where(db) -> Where:
    return Where(db.url, str(db.data_dir))


def acct_rows(store: Store, workspace_id: int):
    return store.workspace_table(workspace_id).table


def kept(store: Store) -> dict:
    with store.engine.connect() as conn:
        return {(r.workspace_id, r.account, r.piece, r.key): bytes(r.payload)
                for r in conn.execute(sa.select(results_t))}


def test_only_changed_accounts_are_recomputed_and_the_pages_then_compute_nothing(db, tiny_exports):
    store = db.open()
    fill(store, tiny_exports)
    first = refresh(where(db), engine="inline", audit=False)
    assert [o.status for o in first.outcomes] == ["recomputed"] * 3 and all(o.computed > 10 for o in first.outcomes)
    second = refresh(where(db), engine="inline", audit=False)
    assert [o.status for o in second.outcomes] == ["up_to_date"] * 3
    assert all(o.computed == 0 for o in second.outcomes)
    # what the pages prepare after an upload is all kept: nothing left to compute
    ws = store.workspace_by_name("客户乙")
    results = Results(store)
    version = store.upload_ids(ws.id)
    acct = dataset.accounts(store.workspace_table(ws.id).table).iloc[0]
    model = AccountModel(ws.id, "baidu:测试开锁2:CNY", version, lambda: pytest.fail("rows read again"), results)
    prepare_account(account_inputs(StoreReader(store), ws.id, acct, model))
    assert results.counts["computed"] == 0, results.computed
    # a new upload to one workspace, a lexicon setting of one account: only those are recomputed
    a = store.workspace_by_name("客户甲")
    store.add_upload(a.id, "more.csv", tiny_exports[0][1].replace(b"2026-11-24", b"2026-11-25"), None)
    from optimizer.store.database import WorkspaceLexiconStore
    WorkspaceLexiconStore(store, ws.id).set_vertical("baidu:测试开锁2:CNY", "locksmith")  # the one detected
    third = refresh(where(db), engine="inline", audit=False)
    status = {o.account[1]: o.status for o in third.outcomes}
    # the workspace's data version changed for both its accounts; choosing the vertical that was
    # detected changes nothing the pages show, but the workspace's state (its revision) moved: the
    # account's Today row is made again under it — that row alone, the pieces it reads all kept
    assert status == {"测试开锁0": "recomputed", "测试开锁1": "recomputed", "测试开锁2": "recomputed"}
    third_2 = next(o for o in third.outcomes if o.account[1] == "测试开锁2")
    assert third_2.computed == 1, third_2
    from optimizer.analysis.portfolio import row_inputs, workspace_state
    from optimizer.keywords.lexicon import catalog
    state = workspace_state(store.get_workspace(ws.id).revision, catalog().revision)
    assert Results(store).kept("portfolio", {(ws.id, "baidu:测试开锁2:CNY"): row_inputs(version, state)})
    plan = str(acct_rows(store, ws.id)["campaign"].dropna().iloc[0])
    store.save_bundle_decision(ws.id, "baidu:测试开锁2:CNY", "bundle_map.csv", f"推广计划,投放包\n{plan},包1\n".encode())
    fourth = refresh(where(db), engine="inline", audit=False)
    status = {o.account[1]: o.status for o in fourth.outcomes}  # workspaces by name: 客户乙 first
    assert status == {"测试开锁0": "up_to_date", "测试开锁1": "up_to_date", "测试开锁2": "recomputed"}
    assert [o.workspace_name for o in fourth.outcomes] == ["客户乙", "客户甲", "客户甲"]
    assert 0 < fourth.outcomes[0].computed < first.outcomes[0].computed  # the drift scan again, not the labels
    assert [o.status for o in refresh(where(db), ["客户乙"], engine="inline", audit=False).outcomes] == ["up_to_date"]


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_the_kept_results_are_the_same_whichever_engine_runs_them(tmp_path, tiny_exports, engine, monkeypatch):
    """In this process, on a process pool of 2 and on a Dask LocalCluster of 2 (each task
    opening its own connection to the SQLite file): the same rows of the results table,
    byte for byte, and the same report."""
    monkeypatch.delenv("OPTIMIZER_DATABASE_URL", raising=False)
    runs = {}
    for how in ("inline", engine):
        here = Where(None, str(tmp_path / how))
        with Store.open(None, here.data_dir) as store:
            fill(store, tiny_exports)
            report = refresh(here, engine=how, workers=2, audit=False)
            runs[how] = (kept(store), [(o.workspace_name, o.account, o.status, o.computed, o.error)
                                       for o in report.outcomes])
        assert report.engine == how
        assert {k[2] for k in runs[how][0]} >= {"rows", "keywords", "drift_table", "landing", MARK}
    assert runs["inline"][1] == runs[engine][1]
    assert runs["inline"][0].keys() == runs[engine][0].keys()
    assert runs["inline"][0] == runs[engine][0]
    workers = {o.worker for o in report.outcomes}
    assert f"{__import__('socket').gethostname()}:{__import__('os').getpid()}" not in workers  # other processes


def test_a_failing_account_is_reported_and_the_others_are_refreshed(db, tiny_exports, capsys):
    store = db.open()
    fill(store, tiny_exports)
    a = store.workspace_by_name("客户甲")
    store.save_bundle_decision(a.id, "baidu:测试开锁1:CNY", "bundle_map.csv", "推广计划,投放包\n开锁-核心,包1\n".encode())
    with store.engine.begin() as conn:  # the kept bundle map damaged behind the app's back
        conn.execute(bundles_t.update().values(data=b"\x89PNG\r\n\x1a\n\x00\x00"))
    report = refresh(where(db), engine="local", workers=2, audit=False)
    by = {o.account[1]: o for o in report.outcomes}
    assert by["测试开锁1"].status == "failed" and "bundle_map.csv" in by["测试开锁1"].error[1]
    assert by["测试开锁0"].status == by["测试开锁2"].status == "recomputed"
    # the command: exit 1, the account named with why on stderr, the others counted
    rc = main(["refresh", "--engine", "inline", "--no-audit", "--lang", "en", "--data-dir", str(db.data_dir),
               *(["--database-url", db.url] if db.url else [])])
    out, err = capsys.readouterr()
    assert rc == 1
    assert "客户甲: Baidu · 测试开锁1 · CNY failed:" in err and "bundle_map.csv" in err
    assert "0 accounts recomputed, 2 up to date" in out and "1 failed" in out


def test_command_exit_codes_and_json(db, tiny_exports, capsys):
    store = db.open()
    fill(store, tiny_exports)
    base = ["refresh", "--no-audit", "--data-dir", str(db.data_dir), *(["--database-url", db.url] if db.url else [])]
    assert main([*base, "--engine", "inline", "--workspace", "客户乙", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "客户乙: Baidu · 测试开锁2 · CNY recomputed" in out and out.strip().endswith("(inline, 1 workers)")
    assert main([*base, "--engine", "inline", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["recomputed"], data["up_to_date"], data["failed"]) == (2, 1, 0)
    assert {a["status"] for a in data["accounts"] if a["workspace_name"] == "客户乙"} == {"up_to_date"}
    assert main([*base, "--workspace", "没有这个"]) == 1
    assert "没有名称或编号为 没有这个 的工作区" in capsys.readouterr().err
    assert main([*base, "--scheduler", "tcp://127.0.0.1:1"]) == 2
    with pytest.raises(SystemExit) as info:
        main([*base, "--workers", "0"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["refresh", "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for opt in ("--workspace", "--engine", "--scheduler", "--workers", "--database-url", "--data-dir",
                "--no-audit", "--audit-interval", "--json", "Exit status"):
        assert opt in text, opt


def test_landing_pages_are_audited_once_paced_per_host_and_kept(tmp_path, tiny_exports, monkeypatch):
    """The accounts recomputed have their landing pages audited — a page fetched once
    however many accounts point to it, one request per host at the interval — the audits
    kept, the landing report made with them, and the next run finds everything up to date."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from optimizer.landing.audit import AuditSettings
    from optimizer.store.database import WorkspaceAuditStore

    hits: list[tuple[str, float]] = []

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            hits.append((self.path, time.monotonic()))
            body = "<html><body><h1>开锁</h1><a href='tel:4001234567'>电话</a></body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    monkeypatch.delenv("OPTIMIZER_DATABASE_URL", raising=False)
    here = Where(None, str(tmp_path / "data"))
    local = f"http://127.0.0.1:{port}".encode()
    exports = [(n, d.replace(b"https://www.example-kaisuo.cn", local).replace(b"https://m.example-kaisuo.cn", local))
               for n, d in tiny_exports[:2]]
    from optimizer.landing.audit import HostLimiter
    sent: list[float] = []

    class Recording(HostLimiter):  # when each request was let through, in the auditing threads
        def wait(self, host):
            waited = super().wait(host)
            sent.append(time.monotonic())
            return waited
    settings = AuditSettings(use_browser="never", timeout=5, allowed_hosts=(f"127.0.0.1:{port}",),
                             limiter=Recording(0.05))
    try:
        with Store.open(None, here.data_dir) as store:
            a, b = store.create_workspace("客户甲"), store.create_workspace("客户乙")
            store.add_upload(a.id, *exports[0], None)
            store.add_upload(b.id, *exports[1], None)
            report = refresh(here, engine="inline", audit_settings=settings)
            assert [o.status for o in report.outcomes] == ["recomputed", "recomputed"]
            assert all(o.audited > 0 and o.unchecked == 0 for o in report.outcomes)
            paths = [p for p, _ in hits]
            assert len(paths) == len(set(paths))  # the two accounts' shared pages fetched once
            times = sorted(sent)
            # one host: each request in its own slot 0.05 s after the previous one (the threads wake a
            # little after their slot, so the span is checked, with the first one's lateness allowed)
            assert len(times) == len(hits) >= 4 and times[-1] - times[0] >= (len(times) - 1) * 0.05 - 0.02
            for ws, o in ((b.id, report.outcomes[0]), (a.id, report.outcomes[1])):
                kept_audits = WorkspaceAuditStore(store, ws).latest(o.key)
                assert len(kept_audits) == o.audited and all(x.ok for x in kept_audits.values())
            # the landing report kept is the one made with the audits: a page now knows its audit
            pieces = [k for k in kept(store) if k[2] == "landing"]
            assert len(pieces) == 4  # per account: before the audits, and with them
            n = len(hits)
            again = refresh(here, engine="inline", audit_settings=settings)
            assert [o.status for o in again.outcomes] == ["up_to_date", "up_to_date"] and len(hits) == n
    finally:
        srv.shutdown()
        srv.server_close()
