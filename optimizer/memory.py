"""Give freed memory back to the system, so that a million-row analysis peaks near the
size of what it holds rather than the sum of what it ever touched.

Two allocators serve the analysis, and by default each keeps what is freed for its own
later use:

- **Arrow** (CSV reading, string columns) allocates from mimalloc, a pool separate
  from the one numpy and pandas use; what the CSV reader frees there cannot be reused
  by the pandas steps that follow. :func:`tune` makes Arrow allocate with the C
  library's ``malloc`` (``pyarrow.system_memory_pool``), the heap numpy uses too.
- **glibc's malloc** serves a block of at least ``M_MMAP_THRESHOLD`` bytes with its own
  ``mmap``, unmapped when freed — but after the first such block is freed it raises
  the threshold (up to 32 MiB on 64-bit), so that from then on the 8 MB columns of a
  million-row table come from the heap, where freed space is kept and fragments.
  Setting the threshold (``mallopt(M_MMAP_THRESHOLD, …)``, glibc's documented knob, also
  read from the ``MALLOC_MMAP_THRESHOLD_`` environment variable) fixes it and turns
  the raising off.

Measured with ``python -m bench.report`` on the 1,000,000-row keyword-day file (195 MiB):
peak +710 MiB without, about +560 MiB with, in the same time within noise. Elsewhere
than Linux with glibc only the Arrow part applies.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import platform

import pyarrow as pa

#: glibc's ``M_MMAP_THRESHOLD`` parameter number (malloc.h)
_M_MMAP_THRESHOLD = -3

#: blocks of this size or larger are mapped on their own and unmapped when freed
MMAP_THRESHOLD = 256 * 1024

_done: dict[str, bool] | None = None


def tune(mmap_threshold: int = MMAP_THRESHOLD) -> dict[str, bool]:
    """Set both allocators up to give freed memory back (see the module docstring).

    Idempotent; call it at the start of a process that will hold a large table (the
    command line, the app's server), before large allocations. Returns what took
    effect: ``{"arrow_system_pool": …, "glibc_mmap_threshold": …}``."""
    global _done
    if _done is not None:
        return dict(_done)
    arrow = False
    try:
        pa.set_memory_pool(pa.system_memory_pool())
        arrow = True
    except (AttributeError, pa.ArrowException):   # a build without the system pool: keep the default
        pass
    glibc = False
    if platform.system() == "Linux" and platform.libc_ver()[0] == "glibc":
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name or "libc.so.6")
            glibc = bool(libc.mallopt(_M_MMAP_THRESHOLD, int(mmap_threshold)))
        except (OSError, AttributeError):
            glibc = False
    _done = {"arrow_system_pool": arrow, "glibc_mmap_threshold": glibc}
    return dict(_done)
