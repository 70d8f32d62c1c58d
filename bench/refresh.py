"""Benchmark: the scheduled refresh (``python -m optimizer refresh``) over many accounts.

Generates N Baidu accounts of mixed size with sample_data's generator (keyword
reports of 20,000–300,000 rows by default, sizes log-uniform, seeded; files kept in
bench/out/refresh/, git-ignored), uploads each into its own workspace of a SQLite
store once, then for each worker count copies that store (no results kept) and runs
:func:`optimizer.refresh.run.refresh` on the local process pool, without page audits
(they wait on the network and the per-host pacing, not on the cores). Reports:

- accounts per minute with 1 and 2 workers (wall clock of the whole run, pool start
  included) and the speed-up;
- peak resident memory per worker process (``ru_maxrss`` as each task ends: the
  worker's peak so far, so the largest account it ran);
- the results the run wrote (rows and MiB per account) and the store's own write
  rate — ``put_result`` of payloads of the run's mean size, one process — as the
  ceiling: accounts per minute cannot exceed what the store takes;
- the machine's load average before and after (the machine may be shared).

Targets (issue 20): speed-up ≥ 1.7 with 2 workers on 2 cores.

Usage: python -m bench.refresh [--accounts N] [--scale S] [--workers 1 2]
(``--scale 0.1`` makes accounts a tenth the size, for a quick run.)
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "out" / "refresh"
MIN_ROWS, MAX_ROWS = 20_000, 300_000


def sizes(n: int, scale: float, seed: int = 20) -> list[int]:
    """Row counts of the accounts: log-uniform between 20k and 300k (× ``scale``)."""
    rng = np.random.default_rng(seed)
    return [int(round(math.exp(x) * scale)) for x in rng.uniform(math.log(MIN_ROWS), math.log(MAX_ROWS), n)]


def config(i: int, rows: int):
    from sample_data.generator import AccountConfig, big_baidu_config
    name = f"客户{i:04d}开锁"
    if rows >= MIN_ROWS:
        return AccountConfig(**{**big_baidu_config(rows, seed=1000 + i).__dict__, "account": name})
    days = 50
    return AccountConfig(seed=1000 + i, language="zh", account=name, days=days,
                         n_keywords=max(100, round(rows / (days * 0.208))))


def ensure_files(n: int, scale: float) -> list[Path]:
    from sample_data.generator import generate_account, write_baidu_keyword_report
    OUT.mkdir(parents=True, exist_ok=True)
    paths = []
    t0 = time.perf_counter()
    for i, rows in enumerate(sizes(n, scale)):
        path = OUT / f"kw_{i:04d}_{rows}.csv"
        if not path.exists():
            write_baidu_keyword_report(generate_account(config(i, rows)), path)
        paths.append(path)
    print(f"files           {n} accounts ready in {time.perf_counter() - t0:.0f} s ({OUT})")
    return paths


def ensure_store(paths: list[Path], n: int, scale: float) -> Path:
    """A SQLite store with one workspace per account, uploaded once (no results)."""
    from optimizer.store.database import Store
    folder = OUT / f"store_{n}_{scale:g}"
    if (folder / "done").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    t0 = time.perf_counter()
    with Store.open(None, folder) as store:
        for i, path in enumerate(paths):
            ws = store.create_workspace(f"客户{i:04d}")
            store.add_upload(ws.id, path.name, path.read_bytes(), None)
    (folder / "done").write_text("")
    print(f"store           {n} workspaces uploaded in {time.perf_counter() - t0:.0f} s")
    return folder


def write_rate(folder: Path, payload_bytes: int, count: int = 200) -> dict:
    """``put_result`` of ``count`` payloads of ``payload_bytes`` into a copy of the store."""
    from optimizer.store.database import Store
    copy = OUT / "write_rate"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy)
    rng = np.random.default_rng(1)
    payload = rng.bytes(max(payload_bytes, 1))
    with Store.open(None, copy) as store:
        ws = store.list_workspaces()[0].id
        t0 = time.perf_counter()
        for i in range(count):
            store.put_result(ws, f"baidu:bench{i % 50}:CNY", f"piece{i // 50}", f"{i:064x}", payload)
        seconds = time.perf_counter() - t0
    shutil.rmtree(copy, ignore_errors=True)
    return {"writes_per_s": count / seconds, "mb_per_s": count * payload_bytes / seconds / 2 ** 20}


def run_once(folder: Path, workers: int) -> dict:
    import sqlalchemy as sa
    from optimizer.refresh.run import Where, refresh
    from optimizer.store.database import Store, results_t
    copy = OUT / f"run_{workers}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy)
    load_before = os.getloadavg()
    report = refresh(Where(None, str(copy)), engine="local", workers=workers, audit=False)
    load_after = os.getloadavg()
    with Store.open(None, copy) as store, store.engine.connect() as conn:
        rows, size = conn.execute(sa.select(sa.func.count(), sa.func.sum(sa.func.length(results_t.c.payload)))).one()
    peaks: dict[str, float] = {}
    for o in report.outcomes:
        peaks[o.worker] = max(peaks.get(o.worker, 0.0), o.peak_mb)
    failed = [(o.account, o.error) for o in report.outcomes if o.status == "failed"]
    again = refresh(Where(None, str(copy)), engine="local", workers=workers, audit=False)
    shutil.rmtree(copy, ignore_errors=True)
    n = len(report.outcomes)
    return {"workers": workers, "accounts": n, "seconds": report.seconds, "per_minute": n / report.seconds * 60,
            "task_seconds": sum(o.seconds for o in report.outcomes), "failed": failed,
            "peak_mb_per_worker": sorted(peaks.values(), reverse=True), "results_rows": rows,
            "results_mb": (size or 0) / 2 ** 20, "load_before": load_before, "load_after": load_after,
            "second_run_seconds": again.seconds,
            "second_run_up_to_date": len(again.by_status("up_to_date"))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=200)
    ap.add_argument("--scale", type=float, default=1.0, help="account size multiplier (default 1: 20k–300k rows)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    paths = ensure_files(args.accounts, args.scale)
    folder = ensure_store(paths, args.accounts, args.scale)
    rows = sizes(args.accounts, args.scale)
    print(f"accounts        {args.accounts}: {min(rows):,}–{max(rows):,} rows each, {sum(rows):,} in all "
          f"(cores {os.cpu_count()}, load {os.getloadavg()[0]:.2f})")
    runs = []
    for w in args.workers:
        r = run_once(folder, w)
        runs.append(r)
        print(f"workers {w}       {r['seconds']:.0f} s, {r['per_minute']:.1f} accounts/min; task time "
              f"{r['task_seconds']:.0f} s; peak per worker {', '.join(f'{p:.0f}' for p in r['peak_mb_per_worker'])} MiB; "
              f"load {r['load_before'][0]:.2f} → {r['load_after'][0]:.2f}; failed {len(r['failed'])}; "
              f"second run {r['second_run_seconds']:.1f} s ({r['second_run_up_to_date']} up to date)")
    base = runs[0]
    for r in runs[1:]:
        print(f"speed-up        {r['workers']} workers vs {base['workers']}: {r['per_minute'] / base['per_minute']:.2f}")
    mean_payload = int(base["results_mb"] * 2 ** 20 / max(base["results_rows"], 1))
    rate = write_rate(folder, mean_payload)
    per_account = base["results_rows"] / base["accounts"]
    ceiling = rate["writes_per_s"] / per_account * 60
    print(f"results         {per_account:.0f} rows, {base['results_mb'] / base['accounts']:.2f} MiB per account "
          f"(mean payload {mean_payload / 1024:.0f} KiB)")
    print(f"store writes    {rate['writes_per_s']:.0f} results/s, {rate['mb_per_s']:.0f} MiB/s (SQLite, one writer): "
          f"ceiling {ceiling:,.0f} accounts/min")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"refresh_{args.accounts}_{args.scale:g}.json").write_text(json.dumps(
        {"accounts": args.accounts, "scale": args.scale, "runs": runs, "write_rate": rate,
         "ceiling_accounts_per_min": ceiling}, indent=1, default=str))


if __name__ == "__main__":
    main()
