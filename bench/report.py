"""Benchmark: the whole analysis of a 1,000,000-row Baidu keyword-day account from the
command line, workbook included.

Uses bench/ingest's file (bench/out/baidu_keyword_1000000.csv, written once by
sample_data's generator through :func:`bench.ingest.ensure_file`). Each in a fresh
Python process (bench/_measure.py: peak resident memory above the process's
post-import baseline):

- ``ingest``: ``optimizer.reading.ingest.read_export`` of the file alone — the reference;
- ``analyze``: ``python -m optimizer analyze FILE --out report.xlsx --quiet`` run
  in-process through :func:`optimizer.outputs.analyze.main` after the imports, so that the
  figure is the analysis's own (reading, keyword stages, bundles, drift and its
  explanations, landing pages, summary, workbook).

Both start as the command does, with :func:`optimizer.memory.tune` (freed memory back
to the system). The jieba and pypinyin dictionaries, loaded during the analysis, count
in its figure (about 90 MiB, whatever the size of the export).

Also times the same command end to end as a subprocess (imports included).
Prints time, peak memory, the file size, memory / file size and time / the bare
ingest. Targets (issue 9): under 60 s; peak memory under 3 × the export's size.

Usage: python -m bench.report [--rows N] [--skip-subprocess]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import _measure as measure
from bench.ingest import ensure_file

SETUP = """
import pandas as pd, numpy as np, openpyxl, statsmodels.api, scipy.stats
from optimizer.outputs import analyze
from optimizer.drift import alerts
from optimizer.bundles import propose as bundles
from optimizer.drift import scan as drift
from optimizer.keywords import stages
from optimizer.bundles import targets
from optimizer.outputs import workbook
from optimizer.reading.ingest import read_export
try:
    from optimizer.landing import report as landing_report
except ImportError:
    pass
kind, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
"""

BODY = """
from optimizer import memory
if kind == "ingest":
    memory.tune()   # as the command does first (optimizer/memory.py), so both figures are taken alike
    extra = {"rows": read_export(path).info.rows}
else:
    rc = analyze.main(["analyze", path, "--out", out, "--quiet"])
    assert rc == 0, rc
    wb = openpyxl.load_workbook(out, read_only=True)
    # every section made it (a section that fails is skipped with a note, which would flatter the figures)
    assert len(wb.sheetnames) == len(workbook.SHEETS) - 1, wb.sheetnames   # all but the batch index
    extra = {"sheets": len(wb.sheetnames),
             "keyword_rows": sum(1 for _ in wb.worksheets[1].iter_rows(values_only=True)) - 1}
    wb.close()
"""


def run(kind: str, path: Path, out: Path) -> dict:
    return measure.run(SETUP, BODY, kind, str(path), str(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--skip-subprocess", action="store_true", help="do not time the end-to-end command")
    args = ap.parse_args()
    path = ensure_file(args.rows)
    size_mb = path.stat().st_size / 1024 / 1024
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.xlsx"
        ref = run("ingest", path, out)
        ours = run("analyze", path, out)
        book_mb = out.stat().st_size / 1024 / 1024
        wall = None
        if not args.skip_subprocess:
            out2 = Path(tmp) / "report2.xlsx"
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "optimizer.outputs.analyze", "analyze", str(path), "--out", str(out2),
                            "--quiet"], cwd=measure.ROOT, check=True)
            wall = time.perf_counter() - t0
    print(f"file            {path.name}: {size_mb:.1f} MiB, {ref['rows']:,} data rows (GBK)")
    print(f"bare ingest     {ref['seconds']:6.2f} s   peak +{ref['peak_mb']:7.1f} MiB   (reference: read_export)")
    print(f"analyze         {ours['seconds']:6.2f} s   peak +{ours['peak_mb']:7.1f} MiB   "
          f"{ours['sheets']} sheets, {ours['keyword_rows']:,} keyword rows, workbook {book_mb:.1f} MiB   "
          f"(target < 60 s)")
    if wall is not None:
        print(f"command         {wall:6.2f} s   end to end, imports included "
              f"(python -m optimizer.outputs.analyze analyze FILE --out …)")
    print(f"time ratio      {ours['seconds'] / ref['seconds']:.1f} x the bare ingest")
    print(f"memory          {ours['peak_mb'] / size_mb:.2f} x file size (target < 3)")


if __name__ == "__main__":
    main()
