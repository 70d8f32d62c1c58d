"""Where tasks run: one call of a module-level function per item, on this process
(``inline``), a local process pool (``local``) or a Dask distributed cluster (``dask``).

:func:`run_tasks` returns one entry per item, in the items' order, whatever the order
they finish in: the function's result, or the exception that stopped it (an item that
fails — or whose worker dies — never stops the others). The function and its items
must be picklable (a module-level function, dataclasses of plain values): a worker is
another process, possibly on another machine, and opens what it needs itself (e.g. its
own database connection).

``local`` uses :class:`concurrent.futures.ProcessPoolExecutor` with the ``spawn``
start method (a fresh interpreter per worker: nothing of the parent's threads, locks or
connections is inherited). ``dask`` submits one task per item to the scheduler at
``scheduler`` (``tcp://host:8786``), or to a :class:`distributed.LocalCluster` of
``workers`` single-threaded worker processes started for the run and stopped after it.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

ENGINES = ("inline", "local", "dask")


class WorkerLost(RuntimeError):
    """A task's worker stopped before giving a result (killed, out of memory, the
    cluster gone); the message says what the engine reported."""


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class Engine:
    """One pool (or cluster) for a whole run: ``with Engine("local", 2) as e:
    e.map(fn, items)`` — several :meth:`map` calls reuse the same workers (starting a
    pool or a LocalCluster costs seconds). ``workers``: processes (local) or
    LocalCluster workers (dask without ``scheduler``); default: the cores available."""

    def __init__(self, engine: str = "local", workers: int | None = None, scheduler: str | None = None) -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
        if scheduler and engine != "dask":
            raise ValueError("a scheduler address is for the dask engine")
        self.engine, self.scheduler = engine, scheduler
        self.workers = workers or default_workers()
        self._pool = self._client = self._cluster = None

    def __enter__(self) -> "Engine":
        if self.engine == "local":
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))
        elif self.engine == "dask":
            from distributed import Client, LocalCluster
            if self.scheduler:
                self._client = Client(self.scheduler, timeout="30s")
                self.workers = len(self._client.scheduler_info().get("workers", {}))  # the cluster's, not ours
            else:
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None)
                self._client = Client(self._cluster)
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._pool = self._client = self._cluster = None

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any],
            on_done: Callable[[int, Any], None] | None = None) -> list[Any]:
        """``[fn(item) or the exception it raised, for item in items]`` (see the module);
        ``on_done(index, entry)`` is called in this process as each item finishes."""
        items = list(items)
        out: list[Any] = [None] * len(items)

        def done(i: int, entry: Any) -> None:
            out[i] = entry
            if on_done is not None:
                on_done(i, entry)

        if not items:
            return out
        if self.engine == "inline":
            for i, item in enumerate(items):
                try:
                    entry = fn(item)
                except Exception as exc:  # noqa: BLE001 - reported per item
                    entry = exc
                done(i, entry)
        elif self.engine == "local":
            futures = {self._pool.submit(fn, item): i for i, item in enumerate(items)}
            for fut in as_completed(futures):
                exc = fut.exception()
                if exc is not None and type(exc).__name__ == "BrokenProcessPool":
                    exc = WorkerLost(f"worker process stopped: {exc}")
                done(futures[fut], exc if exc is not None else fut.result())
        else:
            from distributed import as_completed as dask_completed
            futures = self._client.map(fn, items, pure=False, retries=0)
            index = {f.key: i for i, f in enumerate(futures)}
            for fut in dask_completed(futures):
                if fut.status == "finished":
                    entry = fut.result()
                else:
                    entry = fut.exception()
                    if type(entry).__name__ == "KilledWorker":
                        entry = WorkerLost(f"dask worker lost: {entry}")
                done(index[fut.key], entry)
                fut.release()
        return out


def run_tasks(fn: Callable[[Any], Any], items: Sequence[Any], engine: str = "local", workers: int | None = None,
              scheduler: str | None = None, on_done: Callable[[int, Any], None] | None = None) -> list[Any]:
    """One :meth:`Engine.map` on an engine started for it and stopped after."""
    with Engine(engine, workers, scheduler) as e:
        return e.map(fn, items, on_done)
