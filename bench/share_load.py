"""Benchmark: 20 clients opening a share link at once, against the bare page opened at once.

Makes a share link on the Share page (through the browser, as an optimizer does) for the
sample account — or, with ``--rows N``, for an N-row Baidu account uploaded on the
Upload page — and starts the app afresh (serve.py, as ``make run``). One headless
Chromium opens the link first (the server's first page: imports, the workspace read;
what the browser sends on the page's websocket is recorded). Then one client on the
warm server, then C clients at the same moment (at most ``--concurrency`` in flight,
default all), each timed from its request to its first screen. The same is done, as
the reference, with the bare Streamlit page (bench/bare_page.py) on the same report.

Two kinds of client (``--client``):

- ``ws`` (default): each client opens its own Streamlit session on the server's
  websocket (/_stcore/stream) and sends the very message the browser sent (run the
  script at this address: ``?share=…``); its first screen is there when the server
  says the script finished and the page's content (the client view's plotly chart; the
  bare page's chart and table) was among the elements it sent. This is what the server
  does for each client, without 20 browsers' rendering on the server's 2 cores (a
  client renders on its own phone); the static files a first visit also downloads are
  left out.
- ``browser``: one browser context per client in one headless Chromium, timed until
  Streamlit is idle and the content is shown (bench/_web.py). On 2 cores the 20
  renderers, not the server, set the figures (the bare page too): kept to compare.

Prints median / p90 / max per side. Target (issue 17): the share link's median ≤ 3 s.

Usage: python -m bench.share_load [--clients 20] [--concurrency N] [--rows N] [--client ws|browser]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench import _web as web
from bench.pages import GRID, PLOT, SAMPLE_REPORT, big_report, share_link, upload

#: the page's content among the elements the server sends (Element's oneof names)
CLIENT_ELEMENTS, BARE_ELEMENTS = {"plotly_chart"}, {"plotly_chart", "dataframe"}


def first_visit(url: str, sels: list[str]) -> tuple[float, bytes]:
    """The server's first page, in Chromium: seconds until done, and the first message
    the page sent on its websocket (the request to run the script at ``url``)."""
    from playwright.sync_api import sync_playwright
    sent: list[bytes] = []
    with sync_playwright() as p:
        browser = web.launch(p)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.on("websocket", lambda ws: ws.on("framesent", lambda f: sent.append(
                f if isinstance(f, bytes) else f.encode())))
            t0 = time.perf_counter()
            page.goto(url, wait_until="commit")
            seconds = web.wait_done(page, sels, t0)
        finally:
            browser.close()
    from streamlit.proto.BackMsg_pb2 import BackMsg
    for frame in sent:
        msg = BackMsg()
        msg.ParseFromString(frame)
        if msg.WhichOneof("type") == "rerun_script":
            return seconds, frame
    raise RuntimeError("the page sent no request to run its script")


async def ws_client(base: str, frame: bytes, want: set[str]) -> tuple[float, bool]:
    """One client session over the websocket: seconds to the end of its first script run,
    and whether the content ``want`` was sent (and no exception)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect
    t0 = time.perf_counter()
    seen: set[str] = set()
    async with connect(base.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                       origin=base, max_size=None, compression=None, open_timeout=300) as ws:
        await ws.send(frame)
        async for data in ws:
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                seen.add(msg.delta.new_element.WhichOneof("type"))
            elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                ok = msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY and want <= seen \
                    and "exception" not in seen
                return time.perf_counter() - t0, ok
    raise RuntimeError("the server closed the websocket before the script finished")


async def browser_client(browser, url: str, sels: list[str], gate: asyncio.Semaphore, ready=None) -> tuple[float, bool]:
    ctx = await browser.new_context(viewport={"width": 390, "height": 844})  # a client on a phone
    try:
        page = await ctx.new_page()
        if ready is not None:
            await ready.wait()
        async with gate:
            t0 = time.perf_counter()
            await page.goto(url, wait_until="commit")
            while True:  # bench/_web.py's wait_done, awaited
                await page.wait_for_function(web.DONE_JS, arg=[sels, False], timeout=300_000)
                t = time.perf_counter() - t0
                await asyncio.sleep(web.SETTLE)
                if await page.evaluate(web.DONE_JS, [sels, False]):
                    break
        return t, await page.locator("[data-testid=stException]").count() == 0
    finally:
        await ctx.close()


async def burst_ws(base: str, frame: bytes, want: set[str], clients: int, concurrency: int) -> dict:
    single, ok1 = await ws_client(base, frame, want)
    gate = asyncio.Semaphore(concurrency)

    async def one():
        async with gate:
            return await ws_client(base, frame, want)

    t0 = time.perf_counter()
    res = await asyncio.gather(*(one() for _ in range(clients)))
    return _summary(single, ok1, res, time.perf_counter() - t0)


async def burst_browser(url: str, sels: list[str], clients: int, concurrency: int) -> dict:
    from playwright.async_api import async_playwright
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=web.CHROMIUM, args=web.FLAGS)
        try:
            one = asyncio.Semaphore(1)
            single, ok1 = await browser_client(browser, url, sels, one)
            gate, ready = asyncio.Semaphore(concurrency), asyncio.Event()
            tasks = [asyncio.create_task(browser_client(browser, url, sels, gate, ready)) for _ in range(clients)]
            await asyncio.sleep(2)  # the contexts are made before the clock starts
            t0 = time.perf_counter()
            ready.set()
            res = await asyncio.gather(*tasks)
            wall = time.perf_counter() - t0
        finally:
            await browser.close()
    return _summary(single, ok1, res, wall)


def _summary(single: float, ok1: bool, res: list[tuple[float, bool]], wall: float) -> dict:
    times = sorted(t for t, _ in res)
    return {"single": single, "times": times, "median": statistics.median(times),
            "p90": times[max(0, round(0.9 * len(times)) - 1)], "max": times[-1], "all_done": wall,
            "failed": sum(not ok for _, ok in res) + (not ok1)}


def measure(base: str, url: str, sels: list[str], want: set[str], kind: str, clients: int, conc: int) -> dict:
    first, frame = first_visit(url, sels)
    if kind == "ws":
        r = asyncio.run(burst_ws(base, frame, want, clients, conc))
    else:
        r = asyncio.run(burst_browser(url, sels, clients, conc))
    return {"first": first, **r}


def make_link(data_dir: Path, report: Path | None) -> str:
    """The share link's token (made through the browser; the report uploaded first if given)."""
    from playwright.sync_api import sync_playwright
    with web.app_server(data_dir, "share-setup") as (base, _), sync_playwright() as p:
        browser = web.launch(p)
        try:
            ws = upload(browser, base, report, "bench share")[0] if report is not None else None
            return share_link(browser, base, ws)
        finally:
            browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=0, help="at most this many in flight (default: all)")
    ap.add_argument("--rows", type=int, default=0, help="share an N-row generated Baidu account instead of the sample")
    ap.add_argument("--client", choices=["ws", "browser"], default="ws")
    args = ap.parse_args()
    conc = args.concurrency or args.clients
    load0 = os.getloadavg()[0]
    report = big_report(args.rows) if args.rows else None
    with tempfile.TemporaryDirectory(prefix="bench-share-") as tmp:
        token = make_link(Path(tmp), report)
        with web.app_server(Path(tmp), "share-app") as (base, _):
            app = measure(base, f"{base}/?share={token}", [PLOT], CLIENT_ELEMENTS, args.client, args.clients, conc)
    with web.bare_server(report or SAMPLE_REPORT, "share-bare") as (base, _):
        bare = measure(base, base + "/", [PLOT, GRID], BARE_ELEMENTS, args.client, args.clients, conc)
    label = f"{args.rows:,}-row account" if args.rows else "sample account"
    print(f"\n{args.clients} clients at once ({conc} in flight at most) on 127.0.0.1, {label}, "
          f"client: {args.client}")
    print(f"{'':<22}{'first':>7}{'single':>8}{'median':>8}{'p90':>7}{'max':>7}{'all done':>10}")
    for name, r in (("share link (client)", app), ("bare page", bare)):
        bad = f"  ({r['failed']} without their content or with an error)" if r["failed"] else ""
        print(f"{name:<22}{r['first']:>7.2f}{r['single']:>8.2f}{r['median']:>8.2f}{r['p90']:>7.2f}{r['max']:>7.2f}"
              f"{r['all_done']:>10.2f}{bad}")
    print(f"target: share link median ≤ 3 s: {'pass' if app['median'] <= 3 else 'FAIL'} ({app['median']:.2f} s)")
    print("(first: the server's first page, in Chromium; single: one client on the warm server; "
          "then all clients at once)")
    print(f"load average (1 min) {load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores")
    web.OUT.mkdir(parents=True, exist_ok=True)
    (web.OUT / f"share_load-{args.client}.json").write_text(json.dumps(
        {"dataset": label, "client": args.client, "clients": args.clients, "concurrency": conc,
         "app": app, "bare": bare}, indent=1))


if __name__ == "__main__":
    main()
