"""The store against real databases: SQLite always, PostgreSQL when a server is reachable.

PostgreSQL: ``OPTIMIZER_TEST_PG_URL`` (a SQLAlchemy URL of a database the tests may
create schemas in; CI sets it and the tests then must connect), else the server on
127.0.0.1:5432 with the CI's credentials (:data:`DEFAULT_PG_URL`) when one answers;
otherwise the PostgreSQL cases are skipped, saying why. Each test gets its own
schema, dropped afterwards.
"""
from __future__ import annotations

import functools
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import uuid
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from optimizer.model import dataset
from optimizer.errors import IngestError
from optimizer.reading.ingest import read_export
from optimizer.reading.schema import CATEGORY_COLUMNS, empty_table
from optimizer.store.database import (SCHEMA_VERSION, ConfirmationMismatch, Conflict, DbMappingStore, NotFound,
                             SchemaTooNew, Store, WorkspaceAuditStore, WorkspaceLexiconStore, create_engine,
                             database_url, metadata, migrate, schema_version, table_from_parquet,
                             table_to_parquet)
from optimizer.store.schema import versions
from tests.conftest import FIXTURES, ROOT, SAMPLE

DEFAULT_PG_URL = "postgresql+psycopg://optimizer:optimizer@127.0.0.1:5432/optimizer_test"
SAMPLE_FILES = [SAMPLE / "baidu_keyword_report.csv", SAMPLE / "baidu_plan_report.csv"]
BAD_FILE = FIXTURES / "bad_non_numeric.csv"

HEADER = "日期,账户,推广计划,推广单元,关键词,匹配模式,展现,点击,消费,转化\n"
DAY1 = ["2026-11-01,安心开锁,开锁-核心,上门开锁,上门开锁,精确匹配,100,10,50.00,2",
        "2026-11-01,安心开锁,开锁-核心,上门开锁,开锁师傅,短语匹配,80,8,40.00,1"]
DAY2 = ["2026-11-02,安心开锁,开锁-核心,上门开锁,上门开锁,精确匹配,90,9,45.00,1"]


def baidu(rows: list[str]) -> bytes:
    """A small Baidu keyword report (GBK, with the usual preamble)."""
    pre = "数据生成时间：2026-11-25 09:00\n数据生成条件：\n2. 时间单位：分日\n\n"
    return (pre + HEADER + "\n".join(rows) + "\n").encode("gbk")


def day_file(day: int, conversions: int = 1) -> bytes:
    return baidu([f"2026-11-{day:02d},安心开锁,开锁-核心,上门开锁,上门开锁,精确匹配,100,10,50.00,{conversions}",
                  f"2026-11-{day:02d},安心开锁,开锁-核心,上门开锁,开锁师傅,短语匹配,80,8,40.00,1"])


class Clock:
    """A settable clock for the store (timezone-aware UTC)."""

    def __init__(self) -> None:
        self.t = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **kw) -> None:
        self.t += timedelta(**kw)


# ---------------------------------------------------------------- backends

def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@functools.cache
def pg_server() -> tuple[str | None, str]:
    """(base URL, '') when PostgreSQL is usable, else (None, why not)."""
    url = os.environ.get("OPTIMIZER_TEST_PG_URL")
    explicit = bool(url)
    if not explicit:
        if not _port_open("127.0.0.1", 5432):
            return None, ("PostgreSQL tests skipped: no server answers on 127.0.0.1:5432 and "
                          "OPTIMIZER_TEST_PG_URL is not set (.ci/run starts one; see the README)")
        url = DEFAULT_PG_URL
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure
        why = f"cannot connect to {sa.engine.make_url(url).render_as_string(hide_password=True)}: {exc}"
        if explicit:
            return None, "FAIL " + why
        return None, f"PostgreSQL tests skipped: a server answers on 127.0.0.1:5432 but {why}"
    finally:
        engine.dispose()
    return url, ""


class DB:
    """One test database: ``open()`` gives a new Store on it (like a new server process)."""

    def __init__(self, backend: str, url: str | None, data_dir: Path, clock: Clock) -> None:
        self.backend, self.url, self.data_dir, self.clock = backend, url, data_dir, clock
        self.stores: list[Store] = []

    def open(self, **kw) -> Store:
        store = Store.open(self.url, self.data_dir, clock=self.clock, **kw)
        self.stores.append(store)
        return store

    def engine(self) -> sa.Engine:
        return create_engine(database_url(self.url, self.data_dir))

    def close(self) -> None:
        for s in self.stores:
            s.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path, clock, monkeypatch):
    monkeypatch.delenv("OPTIMIZER_DATABASE_URL", raising=False)
    if request.param == "sqlite":
        d = DB("sqlite", None, tmp_path / "data", clock)
        yield d
        d.close()
        return
    base, why = pg_server()
    if base is None:
        if why.startswith("FAIL "):
            pytest.fail(why[5:] + " (OPTIMIZER_TEST_PG_URL is set, so PostgreSQL must be reachable)")
        pytest.skip(why)
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    d = DB("postgresql", url.render_as_string(hide_password=False), tmp_path / "data", clock)
    try:
        yield d
    finally:
        d.close()
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def store(db) -> Store:
    return db.open()


def counts(store: Store) -> dict[str, int]:
    """Rows in every table."""
    with store.engine.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                for t in metadata.sorted_tables}


# ---------------------------------------------------------------- opening

def test_default_database_is_a_sqlite_file_in_the_data_folder_in_wal_mode(tmp_path, monkeypatch):
    monkeypatch.delenv("OPTIMIZER_DATABASE_URL", raising=False)
    with Store.open(None, tmp_path / "data") as store:
        assert (tmp_path / "data" / "optimizer.db").is_file()
        assert store.backend == "sqlite" and store.schema_version() == SCHEMA_VERSION
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_database_url_comes_from_the_argument_then_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTIMIZER_DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    assert database_url(None, tmp_path) == f"sqlite:///{tmp_path}/env.db"
    assert database_url("postgres://u:p@h/db", None) == "postgresql+psycopg://u:p@h/db"
    assert database_url("postgresql://u:p@h/db", None) == "postgresql+psycopg://u:p@h/db"
    monkeypatch.delenv("OPTIMIZER_DATABASE_URL")
    with pytest.raises(ValueError):
        database_url(None, None)
    with pytest.raises(ValueError, match="SQLite file"):
        create_engine("sqlite://")
    with Store.open(None, tmp_path) as s:
        assert s.describe().endswith(f"{tmp_path}/optimizer.db")


def test_describe_hides_the_password(db):
    store = db.open()
    assert "optimizer:optimizer@" not in store.describe()


# ---------------------------------------------------------------- parsed rows

def test_parsed_rows_round_trip_exactly_through_parquet():
    """Every readable fixture and sample file: the table read back is the table read."""
    n = 0
    for path in sorted(SAMPLE.glob("*.csv")) + sorted(FIXTURES.glob("*.*")):
        if path.name in ("bundle_map.csv", "expected.json", "README.md") or path.suffix == ".py":
            continue
        try:
            table = read_export(path).table
        except IngestError:
            continue
        back = table_from_parquet(table_to_parquet(table))
        pd.testing.assert_frame_equal(back, table, check_exact=True)
        for c in ("platform", "campaign", "device"):
            assert back[c].cat.categories.tolist() == table[c].cat.categories.tolist()
            assert back[c].cat.codes.dtype == table[c].cat.codes.dtype
        n += 1
    assert n >= 20


def test_a_table_without_rows_reads_back_with_the_schemas_dtypes():
    # pyarrow gives a categorical with no rows back as plain strings: a stored empty table
    # must not break every page of its workspace
    table = empty_table()
    back = table_from_parquet(table_to_parquet(table))
    assert back.dtypes.astype(str).to_dict() == table.dtypes.astype(str).to_dict()
    assert all(isinstance(back[c].dtype, pd.CategoricalDtype) for c in CATEGORY_COLUMNS)


# ---------------------------------------------------------------- uploads

def test_workspace_table_equals_merge_over_the_same_files_and_survives_a_restart(db, store):
    ws = store.create_workspace("北京安心开锁", platform="baidu", account="北京安心开锁", currency="CNY")
    results = [store.add_upload(ws.id, p.name, p.read_bytes(), None) for p in SAMPLE_FILES]
    assert [r.duplicate for r in results] == [False, False]
    combined = dataset.Combined()
    for p in SAMPLE_FILES:
        combined.add(read_export(p))
    expected_table, expected_reports = combined.table, combined.reports
    wt = store.workspace_table(ws.id)
    pd.testing.assert_frame_equal(wt.table, expected_table, check_exact=True)
    pd.testing.assert_frame_equal(wt.table, dataset.load_exports(SAMPLE_FILES), check_exact=True)
    assert list(wt.reports) == expected_reports == [r.report for r in results]
    assert [u.file_name for u in wt.uploads] == [p.name for p in SAMPLE_FILES]
    up = wt.uploads[0]
    assert up.checksum == __import__("hashlib").sha256(SAMPLE_FILES[0].read_bytes()).hexdigest()
    assert up.rows == len(read_export(SAMPLE_FILES[0]).table) and up.platform == "baidu"
    assert up.report_type == "keyword" and up.info == read_export(SAMPLE_FILES[0]).info
    assert store.upload_file(ws.id, up.id) == (SAMPLE_FILES[0].name, SAMPLE_FILES[0].read_bytes())
    # a restart (a new process on the same database) and a second server see the same
    other = db.open()
    pd.testing.assert_frame_equal(other.workspace_table(ws.id).table, expected_table, check_exact=True)
    assert other.get_workspace(ws.id).name == "北京安心开锁"


def test_overlapping_redownloads_merge_in_upload_order(store):
    ws = store.create_workspace("a")
    files = [("kw_1101.csv", baidu(DAY1)), ("kw_1101_1102.csv", baidu([DAY1[0].replace(",2", ",3"), DAY1[1]] + DAY2)),
             ("kw_1102.csv", baidu(DAY2))]
    results = [store.add_upload(ws.id, n, b) for n, b in files]
    combined = dataset.Combined()
    for n, b in files:
        combined.add(read_export(b, n))
    table, reports = combined.table, combined.reports
    wt = store.workspace_table(ws.id)
    pd.testing.assert_frame_equal(wt.table, table, check_exact=True)
    assert [r.report for r in results] == reports
    assert (reports[1].replaced, reports[2].duplicates) == (1, 1)
    # deleting the middle file rebuilds the table without it
    store.delete_upload(ws.id, results[1].upload.id)
    again = dataset.Combined()
    again.add(read_export(files[0][1], files[0][0]))
    again.add(read_export(files[2][1], files[2][0]))
    table2 = again.table
    pd.testing.assert_frame_equal(store.workspace_table(ws.id).table, table2, check_exact=True)
    with pytest.raises(NotFound):
        store.delete_upload(ws.id, results[1].upload.id)


def test_a_new_upload_merges_only_the_new_file_onto_the_cached_table(store, monkeypatch):
    ws = store.create_workspace("a")
    store.add_upload(ws.id, "d1.csv", day_file(1))
    store.workspace_table(ws.id)
    fetched: list[tuple[int, ...]] = []
    real = Store._upload_tables

    def spy(self, wid, ids):
        fetched.append(tuple(ids))
        return real(self, wid, ids)

    monkeypatch.setattr(Store, "_upload_tables", spy)
    store.add_upload(ws.id, "d2.csv", day_file(2))
    # the upload merged the new file onto the cached table before writing it (to check it):
    # that merge is kept, so no stored rows are read back at all
    assert fetched == []
    assert store.workspace_table(ws.id).table.shape[0] == 4 and fetched == []


def test_the_same_file_twice_is_recognised_and_nothing_is_duplicated(store):
    ws = store.create_workspace("a")
    data = SAMPLE_FILES[1].read_bytes()
    first = store.add_upload(ws.id, "plan.csv", data)
    before = counts(store)
    again = store.add_upload(ws.id, "plan (1).csv", data)
    assert again.duplicate and again.upload.id == first.upload.id and again.upload.file_name == "plan.csv"
    assert again.report is None
    after = counts(store)
    assert after == before
    assert len(store.workspace_table(ws.id).table) == first.upload.rows
    # another workspace may hold the same file
    other = store.create_workspace("b")
    assert not store.add_upload(other.id, "plan.csv", data).duplicate


def test_a_file_that_cannot_be_read_raises_and_stores_nothing(store):
    ws = store.create_workspace("a")
    store.add_upload(ws.id, "d1.csv", day_file(1))
    before = counts(store)
    rev = store.get_workspace(ws.id).revision
    with pytest.raises(IngestError) as err:
        store.add_upload(ws.id, BAD_FILE.name, BAD_FILE.read_bytes())
    assert err.value.kind == "non_numeric"
    assert counts(store) == before and store.get_workspace(ws.id).revision == rev
    with pytest.raises(NotFound):
        store.add_upload(9999, "d1.csv", day_file(1))
    assert counts(store) == before


def test_deleting_several_files_is_one_transaction(store):
    ws = store.create_workspace("客户A")
    ids = [store.add_upload(ws.id, f"d{d}.csv", day_file(d)).upload.id for d in (1, 2, 3)]
    other = store.create_workspace("客户B")
    foreign = store.add_upload(other.id, "d9.csv", day_file(9)).upload.id
    before = counts(store)
    with pytest.raises(NotFound):  # one id is not this workspace's: nothing is deleted
        store.delete_uploads(ws.id, [ids[0], foreign])
    assert counts(store) == before and len(store.list_uploads(other.id)) == 1
    store.delete_uploads(ws.id, ids[:2])
    assert [u.file_name for u in store.list_uploads(ws.id)] == ["d3.csv"]
    assert set(store.workspace_table(ws.id).table["date"].dt.day) == {3}
    assert counts(store)["upload_rows"] == before["upload_rows"] - 2


def test_an_upload_interrupted_inside_its_transaction_leaves_nothing(store, monkeypatch):
    ws = store.create_workspace("a")
    store.add_upload(ws.id, "d1.csv", day_file(1))
    before = counts(store)
    rev = store.get_workspace(ws.id).revision

    def boom(self, conn, upload_id, blob, n):
        # the upload's row is written and the revision bumped: fail before the rows
        assert conn.execute(sa.text("SELECT count(*) FROM uploads")).scalar() == before["uploads"] + 1
        raise RuntimeError("disk full")

    monkeypatch.setattr(Store, "_write_upload_rows", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        store.add_upload(ws.id, "d2.csv", day_file(2))
    monkeypatch.undo()
    assert counts(store) == before and store.get_workspace(ws.id).revision == rev
    assert [u.file_name for u in store.list_uploads(ws.id)] == ["d1.csv"]
    # and the same file can then be uploaded normally
    assert not store.add_upload(ws.id, "d2.csv", day_file(2)).duplicate


CRASH = r"""
import os, sys
from pathlib import Path
from optimizer.store.database import Store
def crash(self, conn, upload_id, blob, n):
    conn.execute(__import__("sqlalchemy").text("SELECT 1"))
    os._exit(3)          # the process dies inside the transaction, nothing is cleaned up
Store._write_upload_rows = crash
store = Store.open(None, Path(sys.argv[1]))
ws = store.workspace_by_name("a")
store.add_upload(ws.id, "big.csv", Path(sys.argv[2]).read_bytes())
"""


def test_a_server_killed_during_an_upload_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("OPTIMIZER_DATABASE_URL", raising=False)
    with Store.open(None, tmp_path) as store:
        ws = store.create_workspace("a")
        store.add_upload(ws.id, "d1.csv", day_file(1))
        before = counts(store)
    proc = subprocess.run([sys.executable, "-c", CRASH, str(tmp_path), str(SAMPLE_FILES[1])], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 3, proc.stderr
    with Store.open(None, tmp_path) as store:
        assert counts(store) == before
        assert [u.file_name for u in store.list_uploads(ws.id)] == ["d1.csv"]
        assert not store.add_upload(ws.id, "big.csv", SAMPLE_FILES[1].read_bytes()).duplicate


def _run_together(*jobs):
    """Run the jobs in threads released at the same moment; their results (or errors raised)."""
    barrier = threading.Barrier(len(jobs))
    out: list = [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        try:
            out[i] = job()
        except BaseException as exc:  # noqa: BLE001 - reported below
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for r in out:
        if isinstance(r, BaseException):
            raise r
    return out


def test_concurrent_uploads_of_different_files_lose_nothing_and_duplicate_nothing(db, store):
    ws = store.create_workspace("a")
    servers = [store, db.open(), db.open(), db.open()]
    files = [(f"d{d}.csv", day_file(d)) for d in (1, 2, 3, 4)]
    results = _run_together(*[lambda s=s, f=f: s.add_upload(ws.id, *f) for s, f in zip(servers, files)])
    assert not any(r.duplicate for r in results)
    uploads = store.list_uploads(ws.id)
    assert sorted(u.file_name for u in uploads) == [n for n, _ in files]
    by_name = dict(files)
    table = None
    for u in uploads:  # whatever order they landed in, the table is merge in that order
        table, _ = dataset.merge(table, read_export(by_name[u.file_name], u.file_name))
    pd.testing.assert_frame_equal(store.workspace_table(ws.id).table, table, check_exact=True)
    assert len(table) == 8
    assert counts(store)["upload_rows"] == 4 and store.get_workspace(ws.id).revision == 4


def test_concurrent_uploads_of_the_same_file_store_it_once(db, store):
    ws = store.create_workspace("a")
    data = SAMPLE_FILES[1].read_bytes()
    servers = [store, db.open(), db.open()]
    results = _run_together(*[lambda s=s, i=i: s.add_upload(ws.id, f"plan{i}.csv", data)
                              for i, s in enumerate(servers)])
    assert sorted(r.duplicate for r in results) == [False, True, True]
    assert len({r.upload.id for r in results}) == 1
    assert counts(store)["uploads"] == 1 and counts(store)["upload_rows"] == 1
    assert len(store.workspace_table(ws.id).table) == results[0].upload.rows


# ---------------------------------------------------------------- workspaces

def test_workspace_names_are_unique(store):
    store.create_workspace("北京安心开锁")
    with pytest.raises(Conflict):
        store.create_workspace("北京安心开锁")
    with pytest.raises(ValueError):
        store.create_workspace("  ")


@pytest.mark.parametrize("act, code, zh, en", [
    (lambda s, ws: s.create_workspace("  "), "workspace_name_empty", "工作区需要一个名称", "A workspace needs a name"),
    (lambda s, ws: s.create_workspace("长" * 201), "workspace_name_too_long", "工作区名称最多 200 个字符，这个有 201 个",
     "at most 200 characters; this one has 201"),
    (lambda s, ws: s.create_workspace("北京安心开锁"), "workspace_exists", "已经有一个叫「北京安心开锁」的工作区",
     "A workspace named “北京安心开锁” already exists"),
    (lambda s, ws: s.rename_workspace(ws.id, ""), "workspace_name_empty", "工作区需要一个名称", "needs a name"),
    (lambda s, ws: s.delete_workspace(ws.id, "北京安心"), "workspace_confirm", "请输入工作区的完整名称「北京安心开锁」",
     "Type the workspace's exact name (“北京安心开锁”)"),
    (lambda s, ws: s.add_note(ws.id, date(2026, 11, 3), " \n "), "note_empty", "调整记录是空的", "The note is empty"),
    (lambda s, ws: s.add_note(ws.id, date(2026, 11, 3), "改" * 4001), "note_too_long",
     "调整记录最多 4000 个字符，这条有 4001 个", "at most 4000 characters; this one has 4001"),
    (lambda s, ws: s.add_note(ws.id, "2026-11-03", "x"), "note_date", "日历日期", "calendar date"),
    (lambda s, ws: s.insert_user("wang", "h", "admin") and s.insert_user("wang", "h", "admin"), "user_exists", "已经有一个叫「wang」的用户",
     "A user named “wang” already exists"),
])
def test_what_the_store_refuses_is_told_in_both_languages(store, act, code, zh, en):
    from optimizer.errors import UserError
    ws = store.create_workspace("北京安心开锁")
    before = counts(store)
    with pytest.raises(UserError) as caught:
        act(store, ws)
    err = caught.value
    assert err.code == code and zh in err.message("zh") and en in err.message("en") and str(err) == err.message("en")
    assert not re.search(r"[A-Za-z]{3,}", err.message("zh").replace("wang", "")), err.message("zh")
    assert counts(store) == before or code == "user_exists"


def test_damaged_saved_audits_are_told_in_both_languages(store):
    from optimizer.errors import UserError
    ws = store.create_workspace("北京安心开锁")
    store.add_audits(ws.id, "baidu:a:CNY", [("https://m.a.cn/", {"url": "https://m.a.cn/"})])
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audits SET audit_json = '{not json'"))
    with pytest.raises(ValueError) as caught:  # a ValueError, as before
        WorkspaceAuditStore(store, ws.id).latest("baidu:a:CNY")
    err = caught.value
    assert isinstance(err, UserError) and err.code == "audits_damaged"
    assert err.message("zh").startswith("保存的落地页检查记录已损坏") and "Expecting" not in err.message("zh")
    assert err.message("en").startswith("The saved landing-page audits are damaged")


def test_deleting_a_workspace_needs_its_exact_name_and_removes_everything(store):
    keep = store.create_workspace("keep")
    store.add_upload(keep.id, "d1.csv", day_file(1))
    ws = store.create_workspace("北京安心开锁")
    store.add_upload(ws.id, "d1.csv", day_file(1))
    store.set_lexicon_settings(ws.id, "baidu:a:CNY", vertical="locksmith")
    store.save_bundle_decision(ws.id, "baidu:a:CNY", "bundle_map.csv", (SAMPLE / "bundle_map.csv").read_bytes())
    store.insert_share_link(ws.id, "a" * 64, expires_at=store.now() + timedelta(days=1))
    store.add_audits(ws.id, "baidu:a:CNY", [("https://m.a.cn/", {"url": "https://m.a.cn/"})])
    before = counts(store)
    for wrong in ("北京安心", "北京安心开锁 ", "keep", ""):
        with pytest.raises(ConfirmationMismatch):
            store.delete_workspace(ws.id, wrong)
    assert counts(store) == before
    store.delete_workspace(ws.id, "北京安心开锁")
    after = counts(store)
    assert after["workspaces"] == 1 and after["uploads"] == 1 and after["upload_rows"] == 1
    for t in ("lexicon_settings", "bundle_decisions", "share_links", "audits"):
        assert after[t] == 0
    with pytest.raises(NotFound):
        store.get_workspace(ws.id)
    with pytest.raises(NotFound):
        store.workspace_table(ws.id)
    assert len(store.workspace_table(keep.id).table) == 2


def test_export_zip_holds_the_original_files_and_a_manifest(store):
    ws = store.create_workspace("北京安心开锁")
    files = [(p.name, p.read_bytes()) for p in SAMPLE_FILES] + [("报告/../d1.csv", day_file(1))]
    for name, data in files:
        store.add_upload(ws.id, name, data)
    store.save_bundle_decision(ws.id, "baidu:a:CNY", "bundle_map.csv", (SAMPLE / "bundle_map.csv").read_bytes(),
                               proposal={"bundles": [{"bundle": "包1"}]})
    store.set_lexicon_settings(ws.id, "baidu:a:CNY", vertical="locksmith")
    z = zipfile.ZipFile(io.BytesIO(store.export_workspace_zip(ws.id)))
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["workspace"]["name"] == "北京安心开锁"
    assert [f["file_name"] for f in manifest["files"]] == [SAMPLE_FILES[0].name, SAMPLE_FILES[1].name, "d1.csv"]
    for entry, (_, data) in zip(manifest["files"], files):
        assert z.read(entry["path"]) == data
        assert entry["sha256"] == __import__("hashlib").sha256(data).hexdigest()
    assert all(".." not in n and not n.startswith("/") for n in z.namelist())
    assert z.read(manifest["bundle_maps"][0]["path"]) == (SAMPLE / "bundle_map.csv").read_bytes()
    assert manifest["bundle_maps"][0]["proposal"] == {"bundles": [{"bundle": "包1"}]}
    assert json.loads(z.read("lexicon.json"))["baidu:a:CNY"]["vertical"] == "locksmith"


# ---------------------------------------------------------------- lexicon, bundle maps, mappings, audits

def test_lexicon_edits_are_kept_per_workspace_and_account(db, store):
    from optimizer.keywords.lexicon import LexiconEdits

    a, b = store.create_workspace("a"), store.create_workspace("b")
    lex = WorkspaceLexiconStore(store, a.id)
    assert lex.vertical("baidu:x:CNY") is None and lex.edits("baidu:x:CNY") == {}
    edits = LexiconEdits().add("line:开锁", "开锁王")
    lex.set_vertical("baidu:x:CNY", "locksmith")
    lex.set_edits("baidu:x:CNY", "zh", edits)
    lex.set_edits("baidu:x:CNY", "en", LexiconEdits().add("urgency", "asap"))
    again = WorkspaceLexiconStore(db.open(), a.id)
    assert again.vertical("baidu:x:CNY") == "locksmith"
    assert again.edits("baidu:x:CNY")["zh"] == edits and set(again.edits("baidu:x:CNY")) == {"zh", "en"}
    lex.set_vertical("baidu:x:CNY", None)
    assert again.vertical("baidu:x:CNY") is None and again.edits("baidu:x:CNY")["zh"] == edits
    assert WorkspaceLexiconStore(store, b.id).edits("baidu:x:CNY") == {}


def test_bundle_decisions_keep_the_map_and_the_accepted_proposal(store):
    ws = store.create_workspace("a")
    data = (SAMPLE / "bundle_map.csv").read_bytes()
    assert store.bundle_decision(ws.id, "k") is None
    first = store.save_bundle_decision(ws.id, "k", "bundle_map.csv", data, proposal=[{"bundle": "包1", "plans": ["x"]}])
    second = store.save_bundle_decision(ws.id, "k", "bundle_map_v2.csv", data)
    assert store.bundle_decision(ws.id, "k") == second
    assert [d.id for d in store.bundle_decisions(ws.id)] == [first.id, second.id]
    assert store.bundle_decisions(ws.id, "k")[0].proposal == [{"bundle": "包1", "plans": ["x"]}]
    before = counts(store)
    with pytest.raises(ValueError):
        store.save_bundle_decision(ws.id, "k", "bad.csv", "a,b\n1,2\n".encode())
    assert counts(store) == before


def test_column_mappings_and_audits_adapters(store):
    from optimizer.landing.audit import PageAudit
    from optimizer.reading.ingest import ColumnMapping

    maps = DbMappingStore(store)
    m = ColumnMapping(fields={"keyword": "词", "cost": "花费"}, header_row=2)
    maps.save("sig1", m)
    maps.save("sig1", m)
    assert maps.get("sig1") == m and maps.get("nope") is None and maps.all() == {"sig1": m}
    ws = store.create_workspace("a")
    audits = WorkspaceAuditStore(store, ws.id)
    for i in range(7):
        audits.add("k", [PageAudit(url="https://m.a.cn/", title=f"t{i}")])
    hist = audits.history("k", "https://m.a.cn/")
    assert [a.title for a in hist] == ["t2", "t3", "t4", "t5", "t6"]
    assert audits.latest("k")["https://m.a.cn/"].title == "t6"
    assert audits.previous("k")["https://m.a.cn/"].title == "t5" and audits.latest("other") == {}


# ---------------------------------------------------------------- migrations

def _schema_shape(engine: sa.Engine) -> dict:
    insp = sa.inspect(engine)
    out = {}
    for t in sorted(insp.get_table_names()):
        out[t] = {
            "columns": sorted((c["name"], type(c["type"]).__name__, c["nullable"]) for c in insp.get_columns(t)),
            "pk": sorted(insp.get_pk_constraint(t)["constrained_columns"]),
            "fks": sorted((tuple(f["constrained_columns"]), f["referred_table"]) for f in insp.get_foreign_keys(t)),
            "unique": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(t))
            + sorted(tuple(i["column_names"]) for i in insp.get_indexes(t) if i.get("unique")),
            "indexes": sorted(tuple(i["column_names"]) for i in insp.get_indexes(t) if not i.get("unique")),
        }
    return out


def test_a_version_1_database_is_migrated_when_opened(db):
    engine = db.engine()
    assert migrate(engine, target=1) == 1 and schema_version(engine) == 1
    now = db.clock()
    with engine.begin() as conn:  # data as version 1 wrote it
        conn.execute(sa.text("INSERT INTO users (username, password_hash, role, created_at, password_changed_at, "
                             "disabled) VALUES ('wang', 'x', 'optimizer', :t, :t, :f)"),
                     {"t": now.replace(tzinfo=None), "f": False})
        conn.execute(sa.text("INSERT INTO workspaces (name, created_by, created_at) VALUES ('老客户', 1, :t)"),
                     {"t": now.replace(tzinfo=None)})
    assert not sa.inspect(engine).has_table("workspace_members")
    assert "revision" not in {c["name"] for c in sa.inspect(engine).get_columns("workspaces")}
    engine.dispose()

    store = db.open()
    assert store.schema_version() == SCHEMA_VERSION
    ws = store.workspace_by_name("老客户")
    assert ws is not None and ws.revision == 0 and ws.created_by == 1
    store.add_upload(ws.id, "d1.csv", day_file(1), 1)
    store.add_member(ws.id, 1)
    assert store.get_workspace(ws.id).revision == 2 and store.get_workspace(ws.id).member_ids == {1}
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT version, description FROM schema_version ORDER BY version")).all()
    assert [r[0] for r in rows] == list(versions())

    assert set(sa.inspect(store.engine).get_table_names()) == {t.name for t in metadata.sorted_tables} | {
        "alembic_version"}


def test_a_migrated_schema_equals_the_declared_one(db):
    """Tables, columns, types, keys and indexes: migrating from nothing through every
    version gives the schema the store's tables declare (``metadata.create_all``),
    so the migrations and the declared tables agree."""
    engine = db.engine()
    metadata.create_all(engine)
    declared = _schema_shape(engine)
    assert set(declared) == {t.name for t in metadata.sorted_tables}
    metadata.drop_all(engine)
    assert sa.inspect(engine).get_table_names() == []
    migrate(engine, target=1)
    migrate(engine)
    migrated = _schema_shape(engine)
    assert migrated.pop("alembic_version")["columns"] == [("version_num", "VARCHAR", False)]
    assert migrated == declared
    engine.dispose()


def test_a_database_newer_than_the_code_is_refused(db):
    store = db.open()
    with store.engine.begin() as conn:  # a revision a newer release applied
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(SchemaTooNew, match="schema version 99, newer than this code"):
        db.open()
    with store.engine.begin() as conn:  # one this code does not know at all
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'a1b2c3d4e5f6'"))
    with pytest.raises(SchemaTooNew):
        db.open()
    with store.engine.begin() as conn:  # the version older releases read: they refuse it, and so does this code
        conn.execute(sa.text(f"UPDATE alembic_version SET version_num = '{SCHEMA_VERSION:04d}'"))
        conn.execute(sa.text("INSERT INTO schema_version (version, description, applied_at) VALUES (99, 'future', :t)"),
                     {"t": db.clock().replace(tzinfo=None)})
    with pytest.raises(SchemaTooNew):
        db.open()


def test_two_servers_starting_at_once_migrate_once(db):
    stores = _run_together(db.open, db.open, db.open)
    assert all(s.schema_version() == SCHEMA_VERSION for s in stores)
    with stores[0].engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM schema_version")).scalar() == len(versions())


def test_each_upload_has_the_name_the_messages_use_and_its_account(store):
    # Google names every keyword download alike: the files are told apart as the merge
    # reports name them, with the account their rows count toward — also a file none of
    # whose rows is kept (every one was loaded already)
    from tests.test_recency import FLORIST, TOWING, g_row, google
    again = google("October 2, 2026 - October 3, 2026",
                   [g_row(f"2026-10-0{d}", "tow truck near me", "Towing - Search", 100, 10, 30.0, 1) for d in (2, 3)])
    ws = store.create_workspace("W")
    name = "Search keyword report.csv"
    ids = [store.add_upload(ws.id, name, data, None, account=acct).upload.id for data, acct in
           ((TOWING, "Fast Towing"), (FLORIST, "Rose Petal Florist"), (again, "Fast Towing"))]
    wt = store.workspace_table(ws.id)
    assert wt.report_for(ids[2]).added == 0
    assert [wt.file_names()[i] for i in ids] == [name, "Search keyword report (2).csv", "Search keyword report (3).csv"]
    assert [wt.file_accounts()[i] for i in ids] == [(("google_ads", "Fast Towing", "USD"),),
                                                     (("google_ads", "Rose Petal Florist", "USD"),),
                                                     (("google_ads", "Fast Towing", "USD"),)]
