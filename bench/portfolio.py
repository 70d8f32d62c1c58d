"""Benchmark: the Today page (pages/today.py) with 200 accounts, in headless Chromium,
against the bare Streamlit page — the harness of bench/pages.py.

The data: ``--accounts`` (default 200) Baidu accounts made by sample_data's generator
(each its own seed, 46–60 days, 100–160 keywords: about 3,500 to 6,500 rows — small, so
that the preparation of all of them takes minutes, not an hour; the page reads one
small row per account whatever the account's size),
``--per-workspace`` (default 5) to a workspace, stored as uploads in a fresh data
folder (once: kept in bench/out/portfolio-data-<N>/ for the next runs). Their Today
rows are made by the real path: the app is started, the Today page opened, and the
background preparations it starts (optimizer.analysis.prepare, two at a time) are
waited for, until every account's row is kept.

Then, ``--rounds`` times: a fresh bare page server and a fresh app server; in each,
cold = the first page opened after the start (a fresh browser context) and warm = the
median of ``--reloads`` reloads. "Done" is Streamlit idle with the table shown
(bench/_web.py). The page is checked to show no line "being prepared" (every row read
from the store). Prints the medians over the rounds, the ratios to the bare page, and
the target: the Today page opens in under 2 s (issue 20). Writes bench/out/portfolio.json.

Usage: python -m bench.portfolio [--accounts N] [--per-workspace K] [--rounds R] [--reloads K]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from bench import _web as web
from bench.pages import BARE, GRID, SAMPLE_REPORT

PREPARING = "正在后台计算"
FAILED = "没能在后台算出"


def measure(browser, base: str, path: str, content: list[str], reloads: int, shot: Path) -> dict:
    """Cold (the first page after the server started, a fresh browser context) and warm
    (median of ``reloads`` reloads) seconds of one page; lines shown as being prepared."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(base + path, wait_until="commit")
        cold = web.wait_done(page, content, t0)
        warm = []
        for _ in range(reloads):
            t0 = time.perf_counter()
            page.reload(wait_until="commit")
            warm.append(web.wait_done(page, content, t0))
        preparing = page.get_by_text(PREPARING).count()
        errors = web.errors_shown(page)
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
    finally:
        ctx.close()
    return {"cold": cold, "warm": statistics.median(warm), "warm_all": warm, "preparing_shown": preparing,
            "errors": errors}


def make_data(folder: Path, n: int, per_ws: int) -> None:
    """``n`` generated accounts, ``per_ws`` to a workspace, uploaded into a store in ``folder``."""
    import tempfile

    from optimizer.store.database import Store
    from sample_data.generator import AccountConfig, generate_account, write_baidu_keyword_report
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with Store.open(None, folder) as s, tempfile.TemporaryDirectory() as tmp:
        ws = None
        for i in range(n):
            if i % per_ws == 0:
                ws = s.create_workspace(f"客户组 {i // per_ws + 1:03d}")
            cfg = AccountConfig(seed=1000 + i, language="zh", account=f"客户{i + 1:03d}开锁",
                                days=46 + (i * 7) % 15, n_keywords=100 + (i * 13) % 61)
            path = Path(tmp) / f"a{i}.csv"
            write_baidu_keyword_report(generate_account(cfg), path)
            s.add_upload(ws.id, f"客户{i + 1:03d}_关键词报告.csv", path.read_bytes())
            if (i + 1) % 20 == 0:
                print(f"   {i + 1} accounts generated and stored ({time.perf_counter() - t0:.0f} s)", flush=True)
    (folder / "complete").write_text(str(n))


def rows_kept(folder: Path) -> tuple[int, int]:
    """(accounts whose Today row is kept for their data and state now, accounts listed,
    workspaces with data): read as the page reads them."""
    from optimizer.analysis.portfolio import row_inputs, workspace_state
    from optimizer.analysis.results import Results
    from optimizer.keywords.verticals import catalog_from_store
    from optimizer.model import dataset
    from optimizer.store.database import Store
    with Store.open(None, folder) as s:
        res = Results(s)
        revision = catalog_from_store(s).revision
        shown = [(w, s.upload_ids(w.id)) for w in s.list_workspaces()]
        listed = res.kept("accounts", {(w.id, "*"): (v, None) for w, v in shown if v})
        wanted = {(w.id, ":".join(k)): row_inputs(v, workspace_state(w.revision, revision))
                  for w, v in shown if (w.id, "*") in listed for k in dataset.account_keys(listed[(w.id, "*")])}
        total = sum(len(dataset.account_keys(a)) for a in listed.values()) + sum(
            1 for w, v in shown if v and (w.id, "*") not in listed)
        return len(res.kept("portfolio", wanted)), total, sum(1 for _, v in shown if v)


def prepare(browser, folder: Path, timeout: float) -> float:
    """Open the Today page on a server over ``folder`` and wait until every row is kept,
    or until nothing is being prepared any more (a preparation that failed is shown as
    such on the page, and counted)."""
    t0 = time.perf_counter()
    with web.app_server(folder, "app-portfolio-prepare") as (base, _):
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        page.goto(base + "/today", wait_until="commit")
        web.wait_done(page, [GRID], time.perf_counter(), timeout=300)
        while True:
            kept, total, _ = rows_kept(folder)
            print(f"   {kept} of {total} rows kept ({time.perf_counter() - t0:.0f} s)", flush=True)
            if kept >= total:
                break
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"only {kept} of {total} rows kept after {timeout:.0f} s")
            if not page.get_by_text(PREPARING).count():  # nothing is being prepared: the rest failed (shown so)
                print(f"   {total - kept} rows could not be prepared: {page.get_by_text(FAILED).count()} warning shown",
                      flush=True)
                break
            time.sleep(15)
            page.reload(wait_until="commit")  # a page run starts what is still missing (a failed job is not retried)
            web.wait_done(page, [GRID], time.perf_counter(), timeout=300)
        ctx.close()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=200)
    ap.add_argument("--per-workspace", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3, help="fresh servers per page (default 3)")
    ap.add_argument("--reloads", type=int, default=5, help="reloads per round for the warm median (default 5)")
    ap.add_argument("--prepare-timeout", type=float, default=3600)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    folder = web.OUT / f"portfolio-data-{args.accounts}-{args.per_workspace}"
    t_all, load0 = time.perf_counter(), os.getloadavg()[0]
    if not (folder / "complete").exists():
        print(f"== generating {args.accounts} accounts into {folder}", flush=True)
        make_data(folder, args.accounts, args.per_workspace)
    out: dict = {"accounts": args.accounts, "per_workspace": args.per_workspace, "rounds": [], "prepare_s": None}
    with sync_playwright() as p:
        browser = web.launch(p)
        try:
            kept, total, _ = rows_kept(folder)
            if kept < total:
                print(f"== preparing through the app ({kept} of {total} rows kept)", flush=True)
                out["prepare_s"] = prepare(browser, folder, args.prepare_timeout)
            out["rows"] = rows_kept(folder)
            for r in range(args.rounds):
                with web.bare_server(SAMPLE_REPORT, "bare-portfolio") as (base, _):
                    bare = measure(browser, base, BARE.path, list(BARE.content), args.reloads,
                                   web.OUT / "pages" / "portfolio-bare.png")
                with web.app_server(folder, "app-portfolio") as (base, _):
                    today = measure(browser, base, "/today", [GRID], args.reloads,
                                    web.OUT / "pages" / "portfolio-today.png")
                out["rounds"].append({"bare": bare, "today": today})
                print(f"   round {r + 1}: bare {bare['cold']:.2f}/{bare['warm']:.2f} s, "
                      f"Today {today['cold']:.2f}/{today['warm']:.2f} s (cold/warm)", flush=True)
        finally:
            browser.close()
    med = {k: {m: statistics.median(r[k][m] for r in out["rounds"]) for m in ("cold", "warm")}
           for k in ("bare", "today")}
    out["median"] = med
    kept, total, n_ws = out["rows"]
    head = f"{'page':<12}{'cold s':>8}{'warm s':>8}{'cold/bare':>11}{'warm/bare':>11}  warm<2s  cold<2s"
    lines = [f"Today page, {total} accounts in {n_ws} workspaces (the sample's included; {kept} rows kept); "
             f"median of {args.rounds} fresh servers, warm = median of {args.reloads} reloads", head, "-" * len(head),
             f"{'bare page':<12}{med['bare']['cold']:>8.2f}{med['bare']['warm']:>8.2f}{1:>11.2f}{1:>11.2f}"]
    t = med["today"]
    ok = {True: "pass", False: "FAIL"}
    lines.append(f"{'Today':<12}{t['cold']:>8.2f}{t['warm']:>8.2f}{t['cold'] / med['bare']['cold']:>11.2f}"
                 f"{t['warm'] / med['bare']['warm']:>11.2f}  {ok[t['warm'] < 2]:>7}  {ok[t['cold'] < 2]:>7}")
    shown = [r["today"]["preparing_shown"] for r in out["rounds"]]
    errors = [r["today"]["errors"] for r in out["rounds"]]
    lines.append(f"lines shown as being prepared: {shown}; errors shown: {errors}")
    if out["prepare_s"] is not None:
        lines.append(f"background preparation of every account through the app: {out['prepare_s']:.0f} s")
    print("\n" + "\n".join(lines))
    (web.OUT / "portfolio.json").write_text(json.dumps(out, indent=1, ensure_ascii=False, default=str))
    print(f"total {time.perf_counter() - t_all:.0f} s; load average (1 min) {load0:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores (other work on the machine slows every figure)")


if __name__ == "__main__":
    main()
