"""Analyses kept per data version: computed once, read by every page, the workbook,
the client view and the command line.

A result is named by its *scope* (workspace id, account key), its *piece* (``facts``,
``keywords``, ``drift`` …) and a *key*: the SHA-256 of the piece's inputs — the data
version (the workspace's upload ids), the classifier's fingerprint, the settings the
piece depends on — and of :data:`CODE_VERSION` (the package's own source and lexicon
files, so a new version of the product never reads an older one's result). Nothing is
looked up by "latest": a result is found only for exactly the inputs it was made
from, so a stale one is never shown; an upload, a lexicon edit, a new bundle map or
another setting simply asks for another key. A settings change recomputes only the
pieces whose key holds it.

:class:`Results` keeps them at two levels: this process's memory (least recently used
first out) and, when given a store, the workspace database (table ``results``:
:meth:`optimizer.store.database.Store.put_result`), which outlives a restart and is
shared by every server of a deployment. Two threads asking for the same missing key
compute it once: the second waits for the first.

Payloads are pickled with protocol 5 and read back by :class:`_Unpickler`, which
admits only classes of pandas, numpy, the standard library's date and container types
and this package, and pandas', numpy's and pyarrow's own reconstruction functions
(``_unpickle*``, ``_reconstruct``, ``_restore*``, ``_frombuffer``, ``_new_*``): a row of the results table cannot make
the server call anything else. A payload that cannot be read (damaged, or written by
other code) is computed afresh and replaced.
"""
from __future__ import annotations

import hashlib
import io
import logging
import pickle
import threading
import zlib
from collections import Counter, OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

_PACKAGE = Path(__file__).resolve().parents[1]


def _code_version() -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in _PACKAGE.rglob("*") if p.suffix in {".py", ".toml"}):
        h.update(str(path.relative_to(_PACKAGE)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


#: the product's own code and data, as they are in this process
CODE_VERSION = _code_version()


def result_key(piece: str, inputs: tuple) -> str:
    """The key of a piece made from ``inputs`` (values whose ``repr`` is stable: str,
    numbers, tuples, frozen dataclasses, timestamps)."""
    return hashlib.sha256(repr((CODE_VERSION, piece, inputs)).encode()).hexdigest()


# ------------------------------------------------------------------ payloads

_SAFE_BUILTINS = {"set", "frozenset", "slice", "complex", "range", "bytearray", "bytes", "dict", "list", "tuple",
                  "int", "float", "str", "bool", "object", "NoneType"}
_SAFE_MODULES = ("pandas", "numpy", "optimizer", "datetime", "collections", "decimal", "zoneinfo", "uuid",
                 "pytz", "dateutil", "pyarrow")
#: modules whose classes a payload may not name (only their reconstruction functions)
_FUNCTIONS_ONLY = ("pyarrow",)
_SAFE_FUNCTIONS = ("_unpickle", "__pyx_unpickle", "_reconstruct", "_restore", "_frombuffer", "_new_", "scalar",
                   "_make_", "type_for_alias", "py_buffer")
_UNSAFE_PARTS = (".io", ".testing", "computation", "f2py", "ctypeslib", "distutils", ".cli", ".store")


class UnsafePayload(pickle.UnpicklingError):
    """A kept result names something a result never holds."""


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins":
            if name in _SAFE_BUILTINS:
                return super().find_class(module, name)
            raise UnsafePayload(f"{module}.{name}")
        root = module.split(".")[0]
        if root not in _SAFE_MODULES or any(p in f".{module}" for p in _UNSAFE_PARTS):
            raise UnsafePayload(f"{module}.{name}")
        obj = super().find_class(module, name)
        if isinstance(obj, type) and root not in _FUNCTIONS_ONLY:
            return obj
        if root in ("pandas", "numpy", "pyarrow") and name.startswith(_SAFE_FUNCTIONS) and not isinstance(obj, type):
            return obj
        raise UnsafePayload(f"{module}.{name}")


def encode(value: Any) -> bytes:
    """A result as bytes (pickle protocol 5, zlib level 1)."""
    return zlib.compress(pickle.dumps(value, protocol=5), 1)


def decode(payload: bytes) -> Any:
    """A result read back; :class:`UnsafePayload` when it names anything a result never holds."""
    return _Unpickler(io.BytesIO(zlib.decompress(payload))).load()


# ------------------------------------------------------------------ the two levels

class ResultStore(Protocol):
    """Where results outlive the process (:class:`optimizer.store.database.Store`)."""

    def result(self, workspace_id: int, account: str, piece: str, key: str) -> bytes | None: ...

    def put_result(self, workspace_id: int, account: str, piece: str, key: str, payload: bytes) -> None: ...

    def results_of(self, piece: str, wanted: dict[tuple[int, str], str]) -> dict[tuple[int, str], bytes]: ...

    def drop_results(self, workspace_id: int, account: str | None = None) -> int: ...


class Results:
    """Results by (scope, piece, key): memory first, then ``store`` (optional).

    ``memory_items``: results kept in memory (a 300,000-row account's facts are one
    item). Thread-safe; one computation per missing key at a time."""

    def __init__(self, store: ResultStore | None = None, memory_items: int = 96) -> None:
        self.store = store
        self.memory_items = memory_items
        self._memory: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._running: dict[tuple, threading.Event] = {}
        #: how results were found, for the bench and the tests: memory / stored / computed
        self.counts = {"memory": 0, "stored": 0, "computed": 0}
        #: pieces computed, by name
        self.computed: Counter[str] = Counter()

    def _remember(self, name: tuple, value: Any) -> None:
        with self._lock:
            self._memory[name] = value
            self._memory.move_to_end(name)
            while len(self._memory) > self.memory_items:
                self._memory.popitem(last=False)

    def get(self, workspace: int | None, account: str, piece: str, inputs: tuple, compute: Callable[[], T]) -> T:
        """The piece made from ``inputs``: kept, else ``compute()``d and kept.
        ``workspace`` None (files read by the command line): memory only."""
        key = result_key(piece, inputs)
        name = (workspace, account, piece, key)
        while True:
            with self._lock:
                if name in self._memory:
                    self._memory.move_to_end(name)
                    self.counts["memory"] += 1
                    return self._memory[name]
                running = self._running.get(name)
                if running is None:
                    running = self._running[name] = threading.Event()
                    break
            running.wait()  # another thread computes it; then it is in memory (or it failed: try ourselves)
        try:
            value = self._load(name)
            if value is _MISSING:
                value = compute()
                self.counts["computed"] += 1
                self.computed[piece] += 1
                self._save(name, value)
            else:
                self.counts["stored"] += 1
            self._remember(name, value)
            return value
        finally:
            with self._lock:
                self._running.pop(name, None)
            running.set()

    def kept(self, piece: str, wanted: dict[tuple[int, str], tuple]) -> dict[tuple[int, str], Any]:
        """Only what is kept, never computed: (workspace, account) → the piece made from
        its ``wanted`` inputs, for those found in memory or in the store (one query for
        all the others). What a page listing many accounts reads without loading any.
        ``wanted``'s inputs are what the piece's computation would be keyed by (for an
        :class:`~optimizer.analysis.account.AccountModel` piece: the data version first)."""
        found: dict[tuple[int, str], Any] = {}
        keys = {scope: result_key(piece, inputs) for scope, inputs in wanted.items()}
        missing = {}
        with self._lock:
            for (workspace, account), key in keys.items():
                name = (workspace, account, piece, key)
                if name in self._memory:
                    self._memory.move_to_end(name)
                    self.counts["memory"] += 1
                    found[(workspace, account)] = self._memory[name]
                elif workspace is not None:
                    missing[(workspace, account)] = key
        if missing and self.store is not None:
            for scope, payload in self.store.results_of(piece, missing).items():
                try:
                    value = decode(payload)
                except Exception as exc:  # damaged or foreign: not shown; made afresh by the next computation
                    log.warning("kept result %s/%s of workspace %s unreadable (%s)", scope[1], piece, scope[0], exc)
                    continue
                self.counts["stored"] += 1
                found[scope] = value  # not put in memory: a list of many small pieces would push out the big ones
        return found

    def _load(self, name: tuple) -> Any:
        workspace, account, piece, key = name
        if self.store is None or workspace is None:
            return _MISSING
        payload = self.store.result(workspace, account, piece, key)
        if payload is None:
            return _MISSING
        try:
            return decode(payload)
        except Exception as exc:  # damaged or foreign: the account's kept results are dropped and made afresh
            log.warning("kept result %s/%s of workspace %s unreadable (%s): computed again",
                        account, piece, workspace, exc)
            try:
                self.store.drop_results(workspace, account)
            except Exception as drop_exc:  # noqa: BLE001 - a read-only database: computed, shown, not kept
                log.warning("could not drop the unreadable results: %s", drop_exc)
            return _MISSING

    def _save(self, name: tuple, value: Any) -> None:
        workspace, account, piece, key = name
        if self.store is None or workspace is None:
            return
        try:
            self.store.put_result(workspace, account, piece, key, encode(value))
        except Exception as exc:  # a full disk or a read-only database: shown from memory, kept later
            log.warning("could not keep result %s/%s of workspace %s: %s", account, piece, workspace, exc)

    def clear_memory(self) -> None:
        with self._lock:
            self._memory.clear()


_MISSING = object()
