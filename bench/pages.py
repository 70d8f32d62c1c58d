"""Benchmark: each analysis page of the app in headless Chromium, against a bare Streamlit page.

For each dataset — the sample account (seeded by the app on its first start) and an
N-row Baidu keyword report made by sample_data's generator (default 300,000 rows),
uploaded on the Upload page through the browser into a workspace of its own — this
starts the bare page (bench/bare_page.py: the same Baidu keyword report read with
plain pandas, a chart and a table) and the app (serve.py, as ``make run``), and
measures in Chromium, for the Overview, Keywords, oCPC bundles, Cost drift and Landing
pages pages and the client view opened through a share link (made on the Share page):

- cold: the first page opened after the server started (a fresh server per page, a
  fresh browser context: nothing cached but the operating system's file cache);
- warm: the median of K reloads of that page (each reload is a new Streamlit session);
- rerun: the median of R changes of one widget of the page (below), from the click or
  key press until the page is done again.

"Done" is Streamlit idle and the page's main content shown (see bench/_web.py).
Targets (issue 17): warm ≤ 1.5 × the bare page's warm; cold ≤ 2 × the bare page's
cold; rerun ≤ the bare page's rerun + 1 s. Prints a table per dataset and writes the
figures to bench/out/pages-<dataset>.json; screenshots of each page's last state go
to bench/out/pages/.

Usage: python -m bench.pages [--rows N] [--reloads K] [--reruns R] [--datasets sample,big]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench import _web as web

PLOT = ".js-plotly-plot"
GRID = "[data-testid=stDataFrame]"
SAMPLE_REPORT = web.ROOT / "sample_data" / "baidu_keyword_report.csv"


def _click(sel: str, nth: Callable[[int], int]):
    return lambda page, i: page.locator(sel).nth(nth(i)).click()


def _step(key: str):
    """Step a number input up, then down, and so on."""
    return lambda page, i: page.locator(f".st-key-{key} [data-testid=stNumberInputStep{'Up' if i % 2 == 0 else 'Down'}]").click()


def _slide(key: str, first: str = "ArrowRight", back: str = "ArrowLeft"):
    """Move a slider one step with the keyboard, then back, and so on."""
    return lambda page, i: page.locator(f".st-key-{key} input[type=range]").press(first if i % 2 == 0 else back)


def _open_select(key: str):
    return lambda page, i: page.locator(f".st-key-{key} [aria-haspopup=listbox]").click()


def _pick_option(page, i: int) -> None:
    page.get_by_role("option").nth(1 if i % 2 == 0 else 0).click()


@dataclass(frozen=True)
class Spec:
    """A page: its address (after the server's base URL), what must be shown for it to be
    done, the widget changed for a rerun (``prepare`` untimed, ``act`` timed) and the
    widget's key (its expander, if closed, is opened first, untimed)."""

    name: str
    path: str
    content: tuple[str, ...]
    widget: str
    act: Callable
    prepare: Callable | None = None


def specs(ws: str | None, share: str) -> list[Spec]:
    q = f"?ws={ws}" if ws else ""
    return [
        Spec("Overview", f"/overview{q}", (PLOT, GRID), "overview_line",
             _click(".st-key-overview_line button", lambda i: 1 if i % 2 == 0 else 0)),
        Spec("Keywords", f"/keywords{q}", (PLOT, GRID), "kw_f_urg", _pick_option, _open_select("kw_f_urg")),
        Spec("Bundles", f"/bundles{q}", (PLOT, GRID), "bd_window", _step("bd_window")),
        Spec("Cost drift", f"/drift{q}", (GRID,), "dr_baseline", _step("dr_baseline")),
        Spec("Landing pages", f"/landing{q}", (GRID,), "lp_alpha", _slide("lp_alpha")),
        Spec("Client view", f"/?share={share}", (PLOT,), "client_period",
             _click(".st-key-client_period button", lambda i: 2 if i % 2 == 0 else 1)),
    ]


BARE = Spec("bare page", "/", (PLOT, GRID), "bare_days", _slide("bare_days", "ArrowLeft", "ArrowRight"))


def measure(browser, base: str, spec: Spec, reloads: int, reruns: int, shot: Path,
            server_log: str | None = None) -> dict:
    """Cold, warm and rerun seconds of one page on a server just started; with
    ``server_log`` (the app's, see bench/_web.run_times_file) also the server's script
    seconds of each warm reload."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(base + spec.path, wait_until="commit")
        cold = web.wait_done(page, list(spec.content), t0)
        warm, script = [], []
        for _ in range(reloads):
            t0 = time.perf_counter()
            page.reload(wait_until="commit")
            warm.append(web.wait_done(page, list(spec.content), t0))
            if server_log is not None:
                script.append(web.last_run_seconds(server_log))
        widget = page.locator(f".st-key-{spec.widget}")
        if not widget.is_visible():  # in a closed expander: open it (no rerun)
            page.get_by_test_id("stExpander").filter(has=widget).locator("summary").click()
            widget.wait_for(state="visible", timeout=10000)
        rerun, retried = [], 0
        for i in range(reruns):
            if spec.prepare is not None:
                spec.prepare(page, i)
            for _ in range(3):  # a change the page did not take up within 5 s (not seen so far) is made again
                web.watch_runs(page)
                t0 = time.perf_counter()
                spec.act(page, i)
                try:
                    page.wait_for_function("() => window.__benchRan", timeout=5000)
                    break
                except PlaywrightTimeout:
                    retried += 1
            rerun.append(web.wait_done(page, list(spec.content), t0, need_ran=True))
        errors = web.errors_shown(page)
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
    finally:
        ctx.close()
    script = [s for s in script if s is not None]
    return {"page": spec.name, "cold": cold, "warm": statistics.median(warm), "warm_all": warm,
            "script": statistics.median(script) if script else None, "script_all": script,
            "rerun": statistics.median(rerun), "rerun_all": rerun, "retried": retried,
            "errors": errors}


# ------------------------------------------------------------------ the data, as a user puts it in

def upload(browser, base: str, report: Path, name: str) -> tuple[str, float]:
    """Upload ``report`` on the Upload page (shown on the sample, so into a new workspace
    called ``name``): the new workspace's id and the seconds from choosing the file until
    the page showed what it read."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    try:
        page.goto(base + "/upload", wait_until="commit")
        web.wait_done(page, ["input[type=file]", ".st-key-upload_new_ws input"], time.perf_counter(), timeout=120)
        web.watch_runs(page)
        page.locator(".st-key-upload_new_ws input").fill(name)
        page.locator(".st-key-upload_new_ws input").press("Enter")
        web.wait_done(page, ["input[type=file]"], time.perf_counter(), need_ran=True, timeout=120)
        t0 = time.perf_counter()
        page.locator("input[type=file]").set_input_files(str(report))
        page.get_by_text("已识别的文件").wait_for(timeout=600_000)
        web.wait_done(page, [GRID], t0, timeout=600)
        seconds = time.perf_counter() - t0
        if web.errors_shown(page) or page.locator("[data-testid=stAlertContentError]").count():
            raise RuntimeError("the upload showed an error; see bench/out/upload.png")
        ws = parse_qs(urlsplit(page.url).query).get("ws", [None])[0]
        page.screenshot(path=str(web.OUT / "upload.png"), full_page=True)
        if ws is None:
            raise RuntimeError(f"no workspace in the address after the upload: {page.url}")
        return ws, seconds
    finally:
        ctx.close()


def share_link(browser, base: str, ws: str | None) -> str:
    """Make a share link on the Share page (every account of the workspace): its token."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    try:
        page.goto(base + "/share" + (f"?ws={ws}" if ws else ""), wait_until="commit")
        web.wait_done(page, ["[data-testid=stFormSubmitButton]"], time.perf_counter(), timeout=120)
        accounts = page.locator(".st-key-share_accounts input")
        if accounts.count():  # several accounts: the link shows all of them
            while True:
                accounts.click()
                options = page.get_by_role("option")
                try:
                    options.first.wait_for(timeout=2000)
                except Exception:
                    break
                if "No results" in options.first.inner_text():
                    break
                options.first.click()
            page.keyboard.press("Escape")
        web.watch_runs(page)
        page.get_by_test_id("stFormSubmitButton").first.locator("button").click()
        web.wait_done(page, ["[data-testid=stCode]"], time.perf_counter(), need_ran=True, timeout=120)
        text = page.get_by_test_id("stCode").first.inner_text()
        m = re.search(r"[?&]share=([A-Za-z0-9_\-]+)", text)
        if not m:
            raise RuntimeError(f"no share link on the Share page: {text!r}")
        return m.group(1)
    finally:
        ctx.close()


def big_report(rows: int) -> Path:
    from bench.ingest import ensure_file  # the generator's file, written once to bench/out/
    return ensure_file(rows)


# ------------------------------------------------------------------ the run

def run_dataset(browser, label: str, report: Path, data_dir: Path, reloads: int, reruns: int,
                upload_rows: bool) -> dict:
    print(f"\n== {label}: {report.name} ({report.stat().st_size / 2**20:.1f} MiB)", flush=True)
    with web.bare_server(report, f"bare-{label}") as (base, _):
        bare = measure(browser, base, BARE, reloads, reruns, web.OUT / "pages" / f"{label}-bare.png")
    print(f"   bare page done ({bare['cold']:.2f} s cold)", flush=True)
    ws, upload_s = None, None
    with web.app_server(data_dir, f"app-{label}") as (base, _):  # first start: seeds the sample
        if upload_rows:
            ws, upload_s = upload(browser, base, report, f"bench {label}")
            print(f"   uploaded through the browser in {upload_s:.1f} s (workspace {ws})", flush=True)
        token = share_link(browser, base, ws)
    rows = []
    for spec in specs(ws, token):
        with web.app_server(data_dir, f"app-{label}") as (base, _):
            r = measure(browser, base, spec, reloads, reruns,
                        web.OUT / "pages" / f"{label}-{spec.path.strip('/').split('?')[0] or 'client'}.png",
                        server_log=f"app-{label}")
        rows.append(r)
        print(f"   {spec.name} done ({r['cold']:.2f} s cold)", flush=True)
    return {"dataset": label, "file": report.name, "bare": bare, "pages": rows, "upload_seconds": upload_s,
            "reloads": reloads, "reruns": reruns}


def table(res: dict) -> str:
    bare = res["bare"]
    head = (f"{'page':<15}{'cold s':>8}{'warm s':>8}{'rerun s':>9}{'cold/bare':>10}{'warm/bare':>10}"
            f"{'rerun-bare':>11}  cold≤2×  warm≤1.5×  rerun≤+1s{'script s':>10}{'floor/bare':>11}")
    out = [f"{res['dataset']} ({res['file']}; warm = median of {res['reloads']} reloads, "
           f"rerun = median of {res['reruns']} changes)", head, "-" * len(head)]
    out.append(f"{'bare page':<15}{bare['cold']:>8.2f}{bare['warm']:>8.2f}{bare['rerun']:>9.2f}"
               f"{1:>10.2f}{1:>10.2f}{0:>+11.2f}")
    ok = {True: "pass", False: "FAIL"}
    for r in res["pages"]:
        cr, wr, rd = r["cold"] / bare["cold"], r["warm"] / bare["warm"], r["rerun"] - bare["rerun"]
        err = (f"  ({r['errors']} errors shown)" if r["errors"] else "") + \
            (f"  ({r['retried']} widget changes made again)" if r.get("retried") else "")
        out.append(f"{r['page']:<15}{r['cold']:>8.2f}{r['warm']:>8.2f}{r['rerun']:>9.2f}{cr:>10.2f}{wr:>10.2f}"
                   f"{rd:>+11.2f}  {ok[cr <= 2]:>7}  {ok[wr <= 1.5]:>9}  {ok[rd <= 1]:>9}"
                   + (f"{r['script']:>10.2f}{(r['warm'] - r['script']) / bare['warm']:>11.2f}"
                      if r.get("script") is not None else "") + err)
    out.append("script s: the server's part of a warm load (median; from the start of app.py to the end of the "
               "page).\nfloor/bare: (warm - script) / bare warm, a lower bound for ANY page drawing the same "
               "elements: with no computation at all it still waits for Streamlit and the browser to draw them.")
    if res["upload_seconds"] is not None:
        out.append(f"upload through the browser (file chosen → summary shown): {res['upload_seconds']:.1f} s")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=300_000, help="rows of the generated Baidu report (default 300,000)")
    ap.add_argument("--reloads", type=int, default=3, help="reloads per page for the warm median (default 3)")
    ap.add_argument("--reruns", type=int, default=3, help="widget changes per page for the rerun median (default 3)")
    ap.add_argument("--datasets", default="sample,big", help="sample, big or both (default sample,big)")
    args = ap.parse_args()
    chosen = [d.strip() for d in args.datasets.split(",") if d.strip()]
    from playwright.sync_api import sync_playwright
    t_all, load0 = time.perf_counter(), os.getloadavg()[0]
    results = []
    with sync_playwright() as p, tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        browser = web.launch(p)
        try:
            if "sample" in chosen:
                results.append(run_dataset(browser, "sample", SAMPLE_REPORT, Path(tmp) / "sample",
                                           args.reloads, args.reruns, upload_rows=False))
            if "big" in chosen:
                report = big_report(args.rows)
                results.append(run_dataset(browser, f"{args.rows // 1000}k", report, Path(tmp) / "big",
                                           args.reloads, args.reruns, upload_rows=True))
        finally:
            browser.close()
    print()
    for res in results:
        print(table(res) + "\n")
        (web.OUT / f"pages-{res['dataset']}.json").write_text(json.dumps(res, indent=1, ensure_ascii=False))
    print(f"total {time.perf_counter() - t_all:.0f} s; load average (1 min) {load0:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores (other work on the machine slows every figure)")


if __name__ == "__main__":
    main()
