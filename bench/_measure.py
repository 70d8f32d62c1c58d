"""Run a piece of benchmark code in a fresh Python process and measure it.

The child resets the kernel's resident-set high-water mark after its imports (Linux
keeps that mark across fork+exec, so a parent that held gigabytes would otherwise
leave its peak in the child), runs the code, and reports seconds and the peak
resident memory above its post-import baseline, in MiB.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PRELUDE = '''
import json, sys, time

def _status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])  # kB

def _start():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the high-water mark to the current resident set (Linux >= 4.0)
    return _status("VmRSS"), time.perf_counter()

def _report(start, **extra):
    base, t0 = start
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "peak_mb": (_status("VmHWM") - base) / 1024, **extra}))
'''


def run(setup: str, body: str, *args: str) -> dict:
    """Run ``setup`` (imports, loading inputs: not measured), then ``body`` (measured),
    in a fresh process with ``sys.argv[1:] == args``. ``body`` sets a dict ``extra``
    whose items are added to the result."""
    code = _PRELUDE + textwrap.dedent(setup) + "\n_s = _start()\nextra = {}\n" + textwrap.dedent(body) \
        + "\n_report(_s, **extra)\n"
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])
