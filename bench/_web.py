"""Driving the app as a user does, for bench/pages.py and bench/share_load.py: a server
on a loopback port, headless Chromium, and a wait for "done".

"Done" (:data:`DONE_JS`): Streamlit is idle — the app element's
``data-test-script-state`` reads ``notRunning`` (the frontend sets it to
``rerunRequested`` the moment a widget changes) and no ``stStatusWidget`` (the
"running" indicator) is shown — AND every selector of the page's main content (a
plotly chart, a dataframe) is present. After a widget change, "done" also needs the
script state to have changed since the change was made (a MutationObserver set up
before it: a slider commits its value ~0.2 s after the key press, so without it the
old, idle page would count as done). Once done, the state must still be done
0.25 s later (not counted), so that a run that immediately asks for another is not
taken for the end.

Timings are wall-clock seconds seen from the Python side of Playwright (its polling
adds at most one animation frame).
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SETTLE = 0.25

DONE_JS = """([sels, needRan]) => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid=stStatusWidget]')) return false;
  if (needRan && !window.__benchRan) return false;
  return sels.every(s => document.querySelector(s) !== null);
}"""

WATCH_JS = """() => {
  window.__benchRan = false;
  const app = document.querySelector('[data-testid=stApp]');
  if (window.__benchObserver) window.__benchObserver.disconnect();
  window.__benchObserver = new MutationObserver(() => { window.__benchRan = true; });
  window.__benchObserver.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(cmd: list[str], env: dict[str, str], log_name: str):
    """Run a Streamlit server (``cmd`` without the port options) on a free loopback port,
    file watcher off, its output in bench/out/<log_name>.log; yields its base URL and
    the seconds it took to answer /_stcore/health."""
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = open(OUT / f"{log_name}.log", "ab")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*cmd, "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"server did not start; see {log.name}")
                time.sleep(0.1)
        yield url, time.perf_counter() - t0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def run_times_file(log_name: str) -> Path:
    """Where the app started as ``log_name`` writes each script run's seconds (ui.RUN_TIMES_ENV)."""
    return OUT / f"{log_name}-runs.jsonl"


def last_run_seconds(log_name: str) -> float | None:
    """The seconds of the newest script run the app ``log_name`` wrote (None: none yet)."""
    path = run_times_file(log_name)
    if not path.exists():
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    return json.loads(lines[-1])["seconds"] if lines else None


def app_server(data_dir: Path, log_name: str = "app"):
    """The app as ``make run`` starts it (serve.py), on the data folder ``data_dir``; each
    script run's seconds go to :func:`run_times_file`."""
    OUT.mkdir(parents=True, exist_ok=True)
    run_times_file(log_name).unlink(missing_ok=True)
    return server([sys.executable, "serve.py"],
                  {"OPTIMIZER_DATA_DIR": str(data_dir), "OPTIMIZER_RUN_TIMES": str(run_times_file(log_name))},
                  log_name)


def bare_server(report: Path, log_name: str = "bare"):
    """The bare page (bench/bare_page.py) on the Baidu keyword report ``report``."""
    return server([sys.executable, "-m", "streamlit", "run", "bench/bare_page.py"],
                  {"BENCH_FILE": str(report)}, log_name)


def wait_done(page, sels: list[str], t0: float, need_ran: bool = False, timeout: float = 300) -> float:
    """Seconds from ``t0`` until the page is done (see the module notes)."""
    deadline = t0 + timeout
    while True:
        left = max(1.0, deadline - time.perf_counter()) * 1000
        try:
            page.wait_for_function(DONE_JS, arg=[sels, need_ran], timeout=left)
        except Exception:
            page.screenshot(path=str(OUT / "timeout.png"), full_page=True)
            raise RuntimeError(f"not done after {timeout:.0f} s (waiting for {sels} on {page.url}); "
                               f"see {OUT / 'timeout.png'}") from None
        t = time.perf_counter() - t0
        time.sleep(SETTLE)
        if page.evaluate(DONE_JS, [sels, need_ran]):
            return t


def errors_shown(page) -> int:
    """Streamlit exceptions and error boxes on the page."""
    return page.locator("[data-testid=stException]").count()


def watch_runs(page) -> None:
    """Start noticing script runs (call right before changing a widget)."""
    page.evaluate(WATCH_JS)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
