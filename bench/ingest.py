"""Benchmark: ingest a 1,000,000-row Baidu keyword-day report (GBK CSV).

Writes the file once (bench/out/, git-ignored) with sample_data's generator, then,
each in a fresh Python process so that peak memory is the process's own:

- ``bare``: pandas.read_csv of the same file (C engine, gb18030, skipping the
  preamble) with no cleaning at all — the reference;
- ``bare_pyarrow``: pyarrow.csv.read_csv of the same file, transcoding from gb18030;
- ``ingest``: optimizer.reading.ingest.read_export (sniffing, parsing, totals check,
  canonical table), after :func:`optimizer.memory.tune` as the command line and the
  app's server call it.

Prints time, peak memory above the process baseline (resident set after imports,
high-water mark reset there),
their ratios to the reference and to the file size. Targets (issue 3): ingest time
≤ 2 × bare pandas read; peak memory ≤ 3 × file size.

Usage: python -m bench.ingest [--rows N]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench import _measure as measure

OUT = Path(__file__).resolve().parent / "out"

SETUP = """
import pandas as pd, pyarrow.csv
from optimizer.reading.ingest import read_export
from optimizer.reading.decode import sniff_text
kind, path = sys.argv[1], sys.argv[2]
skip = sniff_text(open(path, "rb").read(256 * 1024)).header_index
"""

BODY = """
if kind == "bare":
    rows = len(pd.read_csv(path, encoding="gb18030", skiprows=skip))
elif kind == "bare_pyarrow":
    opts = pyarrow.csv.ReadOptions(encoding="gb18030", skip_rows=skip)
    rows = pyarrow.csv.read_csv(path, read_options=opts).num_rows
else:
    from optimizer import memory
    memory.tune()   # as the command line and the app's server do first (optimizer/memory.py)
    exp = read_export(path)
    rows = exp.info.rows
    assert exp.info.totals_check == "ok", exp.info.totals
extra = {"rows": rows}
"""


def ensure_file(rows: int) -> Path:
    path = OUT / f"baidu_keyword_{rows}.csv"
    if path.exists():
        return path
    from sample_data.generator import big_baidu_config, generate_account, write_baidu_keyword_report
    OUT.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    acc = generate_account(big_baidu_config(rows=rows))
    write_baidu_keyword_report(acc, path)
    print(f"wrote {path.name} in {time.perf_counter() - t0:.1f} s")
    return path


def run(kind: str, path: Path) -> dict:
    return measure.run(SETUP, BODY, kind, str(path))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    path = ensure_file(args.rows)
    size_mb = path.stat().st_size / 1024 / 1024
    bare = run("bare", path)
    arrow = run("bare_pyarrow", path)
    ours = run("ingest", path)
    print(f"file            {path.name}: {size_mb:.1f} MiB, {ours['rows']:,} data rows (GBK)")
    print(f"bare pandas     {bare['seconds']:6.2f} s   peak +{bare['peak_mb']:7.1f} MiB   (reference)")
    print(f"bare pyarrow    {arrow['seconds']:6.2f} s   peak +{arrow['peak_mb']:7.1f} MiB")
    print(f"optimizer       {ours['seconds']:6.2f} s   peak +{ours['peak_mb']:7.1f} MiB")
    print(f"time ratio      {ours['seconds'] / bare['seconds']:.2f} x bare pandas (target <= 2), "
          f"{ours['seconds'] / arrow['seconds']:.2f} x bare pyarrow")
    print(f"memory          {ours['peak_mb'] / size_mb:.2f} x file size (target <= 3)")


if __name__ == "__main__":
    main()
