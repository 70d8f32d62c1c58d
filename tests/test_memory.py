"""optimizer.memory: both allocators set up to give freed memory back, once per process."""
from __future__ import annotations

import json
import platform
import subprocess
import sys

from tests.conftest import ROOT

CHILD = """
import json, pyarrow as pa
from optimizer import memory
before = pa.default_memory_pool().backend_name
first = memory.tune()
again = memory.tune(mmap_threshold=1)
print(json.dumps({"before": before, "after": pa.default_memory_pool().backend_name, "first": first, "again": again}))
"""


def test_tune_moves_arrow_to_the_system_allocator_and_sets_glibc_once():
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    assert got["before"] != "system" and got["after"] == "system"
    assert got["first"]["arrow_system_pool"] is True
    glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert got["first"]["glibc_mmap_threshold"] is glibc
    assert got["again"] == got["first"]   # the second call changes nothing


def test_the_command_line_tunes_before_reading():
    # `python -m optimizer inspect` runs with the system pool (what bench/report measures)
    code = ("import pyarrow as pa, sys; from optimizer import cli; rc = cli.main(['inspect', sys.argv[1], '--json']);"
            "print(pa.default_memory_pool().backend_name)")
    sample = ROOT / "sample_data" / "baidu_plan_report.csv"
    out = subprocess.run([sys.executable, "-c", code, str(sample)], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "system"
