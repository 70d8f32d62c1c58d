"""Operational failures of the database: locked, full, read-only. Each gives a message
in Chinese and English (:class:`optimizer.store.database.StoreUnavailable`), never a raw
``OperationalError`` or a traceback, and nothing half-written.

- *Locked*: another connection holds SQLite's write lock. A short hold is waited out;
  a lock answered at once is retried with backoff; a lock held past the store's busy
  timeout (``busy_timeout``, ``OPTIMIZER_DB_BUSY_TIMEOUT``) gives "数据库正忙，请稍后再试".
- *Disk full*: SQLite's own ``max_page_count`` makes it answer SQLITE_FULL for real
  ("database or disk is full"); a failing write and a folder that cannot be made
  (ENOSPC) are simulated too.
- *Read-only data folder*: a real read-only folder — a read-only bind mount in a private
  mount namespace when running as root (root ignores permissions), else a folder
  without write permission — opened by the store, the app and the command line in a
  child process. Skipped where neither can be made.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

import tests.apptest  # noqa: F401 - every run goes through app.py
import ui
from optimizer.store.database import SQLITE_FILE, Store, StoreUnavailable
from tests.apptest import app_test
from tests.conftest import FIXTURES, ROOT

BUSY_S = 0.5


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("OPTIMIZER_DATABASE_URL", raising=False)
    monkeypatch.setattr(ui, "DATA_DIR", tmp_path)
    return tmp_path


@pytest.fixture
def store(data_dir):
    with Store.open(None, data_dir, busy_timeout=BUSY_S) as s:
        yield s


class Lock:
    """SQLite's write lock on the database, held by another connection (another process
    would do the same) until released."""

    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


def kept(store: Store) -> tuple:
    """What is stored: workspaces (with their revision) and uploads."""
    with store.engine.connect() as conn:
        ws = conn.exec_driver_sql("SELECT id, name, revision FROM workspaces ORDER BY id").all()
        up = conn.exec_driver_sql("SELECT id, workspace_id, checksum FROM uploads ORDER BY id").all()
        rows = conn.exec_driver_sql("SELECT count(*) FROM upload_rows").scalar()
    return tuple(map(tuple, ws)), tuple(map(tuple, up)), rows


def fixture_bytes(name: str = "baidu_keyword_daily_gbk.csv") -> tuple[str, bytes]:
    return name, (FIXTURES / name).read_bytes()


def assert_busy_message(exc: StoreUnavailable) -> None:
    assert exc.code == "busy"
    assert exc.message("zh").startswith("数据库正忙，请稍后再试")
    assert "the database is busy" in exc.message("en").lower()
    assert "OperationalError" not in exc.message("en") and "locked" not in exc.message("en")


# ---------------------------------------------------------------- database locked

def test_a_short_lock_is_waited_out(store, data_dir):
    lock = Lock(data_dir / SQLITE_FILE)
    threading.Timer(BUSY_S / 3, lock.release).start()
    ws = store.create_workspace("客户A")
    assert store.get_workspace(ws.id).name == "客户A"


def test_a_lock_held_too_long_says_the_database_is_busy_and_writes_nothing(store, data_dir):
    ws = store.create_workspace("客户A")
    before = kept(store)
    lock = Lock(data_dir / SQLITE_FILE)
    try:
        start = time.monotonic()
        with pytest.raises(StoreUnavailable) as err:
            store.add_upload(ws.id, *fixture_bytes())
        assert time.monotonic() - start < BUSY_S * 3 + 1
        assert_busy_message(err.value)
        with pytest.raises(StoreUnavailable):
            store.create_workspace("客户B")
        assert kept(store) == before  # reading while locked still works, and nothing was written
    finally:
        lock.release()
    assert store.add_upload(ws.id, *fixture_bytes()).duplicate is False  # once free, it works


def test_a_lock_answered_at_once_is_retried_with_backoff(store, monkeypatch):
    """SQLite answers "database is locked" without waiting in some cases (the busy
    handler is not called): the store retries the transaction, with growing pauses."""
    real = SQLiteDialect_pysqlite.do_execute
    refused: list[float] = []

    def locked_twice(self, cursor, statement, parameters, context=None):
        if statement.startswith("BEGIN IMMEDIATE") and len(refused) < 2:
            refused.append(time.monotonic())
            raise sqlite3.OperationalError("database is locked")
        return real(self, cursor, statement, parameters, context)

    monkeypatch.setattr(SQLiteDialect_pysqlite, "do_execute", locked_twice)
    ws = store.create_workspace("客户A")
    assert len(refused) == 2 and [w.name for w in store.list_workspaces()] == ["客户A"] == [ws.name]
    assert refused[1] - refused[0] >= 0.05  # a pause between the attempts


def test_the_busy_timeout_is_a_setting(data_dir, monkeypatch):
    monkeypatch.setenv("OPTIMIZER_DB_BUSY_TIMEOUT", "1.5")
    with Store.open(None, data_dir) as s:
        assert s.busy_timeout == 1.5
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1500
    monkeypatch.setenv("OPTIMIZER_DB_BUSY_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="OPTIMIZER_DB_BUSY_TIMEOUT"):
        Store.open(None, data_dir)


# ---------------------------------------------------------------- disk full

def full_disk(store: Store) -> None:
    """From now on SQLite may not grow the database file by a single page: SQLITE_FULL."""
    with store.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    sa.event.listen(store.engine, "connect",
                    lambda dbapi_conn, _: dbapi_conn.execute(f"PRAGMA max_page_count={pages}"))
    store.engine.dispose()


def test_a_full_disk_during_an_upload_says_so_and_stores_nothing(store):
    ws = store.create_workspace("客户A")
    before = kept(store)
    full_disk(store)
    with pytest.raises(StoreUnavailable) as err:
        store.add_upload(ws.id, *fixture_bytes())
    assert err.value.code == "disk_full"
    assert "磁盘已满" in err.value.message("zh") and "disk is full" in err.value.message("en")
    assert "没有保存" in err.value.message("zh") and "nothing was saved" in err.value.message("en").lower()
    assert kept(store) == before
    assert store.workspace_table(ws.id).table.empty


@pytest.mark.parametrize("raised", [sqlite3.OperationalError("database or disk is full"),
                                    sqlite3.OperationalError("disk I/O error")])
def test_a_write_refused_by_the_disk_says_so(store, monkeypatch, raised):
    real = SQLiteDialect_pysqlite.do_execute

    def refuse_inserts(self, cursor, statement, parameters, context=None):
        if statement.lstrip().upper().startswith("INSERT"):
            raise raised
        return real(self, cursor, statement, parameters, context)

    before = kept(store)
    monkeypatch.setattr(SQLiteDialect_pysqlite, "do_execute", refuse_inserts)
    with pytest.raises(StoreUnavailable) as err:
        store.create_workspace("客户A")
    assert err.value.code == ("disk_full" if "full" in str(raised) else "io_error")
    assert "OperationalError" not in err.value.message("zh")
    monkeypatch.undo()
    assert kept(store) == before


def test_a_data_folder_that_cannot_be_made_on_a_full_disk(tmp_path, monkeypatch):
    monkeypatch.delenv("OPTIMIZER_DATABASE_URL", raising=False)

    def no_space(self, *a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "mkdir", no_space)
    with pytest.raises(StoreUnavailable) as err:
        Store.open(None, tmp_path / "new")
    assert err.value.code == "disk_full" and str(tmp_path / "new") in err.value.message("zh")


def test_an_error_that_is_not_operational_is_not_disguised(store, monkeypatch):
    """A bug (here: SQL the database does not know) still raises as itself."""
    with pytest.raises(sa.exc.OperationalError, match="no such table"):
        with store.engine.connect() as conn:
            conn.exec_driver_sql("SELECT * FROM no_such_table")


# ---------------------------------------------------------------- the app

def texts(at) -> str:
    parts = [e.value for kind in ("title", "markdown", "caption", "info", "warning", "error", "success")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def create_workspace_in_app(name: str):
    at = app_test()
    at.run()
    assert not at.exception, at.exception
    at.switch_page("pages/workspaces.py").run()
    at.text_input(key="ws_new_name").input(name)
    return at, next(b for b in at.button if "新建工作区" in b.label)


def test_the_app_says_the_database_is_busy(data_dir, monkeypatch):
    monkeypatch.setenv("OPTIMIZER_DB_BUSY_TIMEOUT", str(BUSY_S))
    at, go = create_workspace_in_app("北京安心开锁")
    lock = Lock(data_dir / SQLITE_FILE)
    try:
        go.click().run()
    finally:
        lock.release()
    assert not at.exception, at.exception
    assert any(e.value.startswith("数据库正忙，请稍后再试") for e in at.error), texts(at)
    with Store.open(None, data_dir) as s:
        assert s.workspace_by_name("北京安心开锁") is None


def test_the_app_says_the_disk_is_full(data_dir, monkeypatch):
    at, go = create_workspace_in_app("北京安心开锁")
    real = SQLiteDialect_pysqlite.do_execute

    def full(self, cursor, statement, parameters, context=None):
        if statement.lstrip().upper().startswith("INSERT"):
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, cursor, statement, parameters, context)

    monkeypatch.setattr(SQLiteDialect_pysqlite, "do_execute", full)
    go.click().run()
    monkeypatch.undo()
    assert not at.exception, at.exception
    assert any("磁盘已满" in e.value for e in at.error), texts(at)
    with Store.open(None, data_dir) as s:
        assert s.workspace_by_name("北京安心开锁") is None


# ---------------------------------------------------------------- read-only data folder

def _can(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture
def read_only(tmp_path):
    """(folder, run): ``run(code, env)`` runs Python code in a child process that sees
    ``folder`` read-only (its subfolders ``empty`` and ``withdb``, the latter holding a
    database made beforehand)."""
    folder = tmp_path / "ro"
    (folder / "empty").mkdir(parents=True)
    with Store.open(None, folder / "withdb"):
        pass
    if os.geteuid() != 0:
        for p in (folder / "withdb", folder / "empty", folder):
            p.chmod(0o555)
        prefix: list[str] = []
    else:
        script = f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" && exec "$@"'
        prefix = ["unshare", "-m", "sh", "-c", script, "sh"]
        if not shutil.which("unshare") or not _can(prefix + ["true"]):
            pytest.skip("cannot make a read-only folder here (root without mount namespaces)")

    def run(code: str, extra_env: dict | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, "PYTHONPATH": str(ROOT), **(extra_env or {})}
        env.pop("OPTIMIZER_DATABASE_URL", None)
        return subprocess.run(prefix + [sys.executable, "-c", code], capture_output=True, text=True,
                              cwd=ROOT, env=env, timeout=120)

    yield folder, run
    for p in (folder, folder / "empty", folder / "withdb"):
        p.chmod(0o755)


STORE_CODE = """
import json, sys
from optimizer.store.database import Store, StoreUnavailable
out = {}
for name in ("empty", "withdb", "missing"):
    try:
        Store.open(None, sys.argv[1] + "/" + name).close()
        out[name] = "opened"
    except StoreUnavailable as exc:
        out[name] = [exc.code, exc.message("zh"), exc.message("en")]
print(json.dumps(out))
"""


def test_the_store_says_the_data_folder_is_read_only(read_only):
    folder, run = read_only
    done = run(STORE_CODE.replace("sys.argv[1]", repr(str(folder))))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    for name in ("empty", "withdb", "missing"):
        code, zh, en = out[name]
        assert code == "read_only", out
        assert "只读" in zh and "read-only" in en and str(folder) in zh
        assert "OPTIMIZER_DATA_DIR" in zh and "OPTIMIZER_DATA_DIR" in en


def test_the_command_line_says_the_data_folder_is_read_only(read_only):
    folder, run = read_only
    code = ("import sys; from optimizer.cli import main; "
            f"sys.exit(main(['users', '--data-dir', {str(folder / 'withdb')!r}, 'list']))")
    done = run(code)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "OperationalError" not in done.stderr
    assert "read-only" in done.stderr and str(folder / "withdb") in done.stderr


APP_CODE = """
import json
import tests.apptest
from tests.apptest import app_test
out = {}
for lang in ("zh", "en"):
    at = app_test()
    if lang == "en":
        at.query_params["lang"] = "en"
    at.run()
    out[lang] = {"exception": [str(e.value) for e in at.exception],
                 "error": [e.value for e in at.error]}
print(json.dumps(out))
"""


def test_the_app_starts_and_says_the_data_folder_is_read_only(read_only):
    folder, run = read_only
    done = run(APP_CODE, {"OPTIMIZER_DATA_DIR": str(folder / "withdb")})
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["zh"]["exception"] == [] and out["en"]["exception"] == []
    zh, en = out["zh"]["error"], out["en"]["error"]
    assert len(zh) == 1 and "只读" in zh[0] and str(folder / "withdb") in zh[0]
    assert len(en) == 1 and "read-only" in en[0] and "OPTIMIZER_DATA_DIR" in en[0]
