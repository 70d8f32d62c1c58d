"""Results kept per workspace, account, piece and key of the inputs (schema revision 9),
on SQLite and (when reachable) PostgreSQL."""
from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from optimizer.store.database import NotFound, migrate, schema_version
from tests.test_store import _run_together, clock, db, store  # noqa: F401 - fixtures

ACCOUNT = "baidu:安心开锁:CNY"
OTHER = "baidu:快捷拖车:CNY"


def key(n: int) -> str:
    return hashlib.sha256(f"inputs {n}".encode()).hexdigest()


def rows(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM results")).scalar()


def test_a_result_is_kept_and_read_back_by_its_key(store):
    ws = store.create_workspace("W")
    assert store.result(ws.id, ACCOUNT, "labels", key(1)) is None
    store.put_result(ws.id, ACCOUNT, "labels", key(1), b"\x00parquet\xff" * 1000)
    assert store.result(ws.id, ACCOUNT, "labels", key(1)) == b"\x00parquet\xff" * 1000
    # another key, piece, account or workspace is another result
    other = store.create_workspace("V")
    assert store.result(ws.id, ACCOUNT, "labels", key(2)) is None
    assert store.result(ws.id, ACCOUNT, "facts", key(1)) is None
    assert store.result(ws.id, OTHER, "labels", key(1)) is None
    assert store.result(other.id, ACCOUNT, "labels", key(1)) is None
    assert store.get_workspace(ws.id).revision == 0  # a result is not a change to the workspace


def test_a_result_reads_back_in_a_new_store(db):
    s1 = db.open()
    ws = s1.create_workspace("W")
    s1.put_result(ws.id, ACCOUNT, "labels", key(1), b"abc")
    assert db.open().result(ws.id, ACCOUNT, "labels", key(1)) == b"abc"


def test_putting_a_key_kept_already_leaves_it_as_it_is(store):
    ws = store.create_workspace("W")
    store.put_result(ws.id, ACCOUNT, "labels", key(1), b"first")
    store.put_result(ws.id, ACCOUNT, "labels", key(1), b"second")  # no error
    assert store.result(ws.id, ACCOUNT, "labels", key(1)) == b"first" and rows(store) == 1


def test_servers_putting_the_same_key_at_once_do_not_fail(db):
    stores = [db.open() for _ in range(4)]
    ws = stores[0].create_workspace("W")
    done = _run_together(*[lambda s=s: s.put_result(ws.id, ACCOUNT, "labels", key(7), b"same inputs, same result")
                           for s in stores])
    assert done == [None] * len(stores)  # none raised
    assert stores[0].result(ws.id, ACCOUNT, "labels", key(7)) == b"same inputs, same result"
    assert rows(stores[0]) == 1


def test_only_the_four_newest_keys_of_a_piece_are_kept(store):
    ws = store.create_workspace("W")
    for n in range(1, 7):
        store.put_result(ws.id, ACCOUNT, "labels", key(n), f"v{n}".encode())
    store.put_result(ws.id, ACCOUNT, "facts", key(1), b"facts")  # another piece: its own four
    store.put_result(ws.id, OTHER, "labels", key(1), b"other account")
    assert [store.result(ws.id, ACCOUNT, "labels", key(n)) for n in range(1, 7)] == [
        None, None, b"v3", b"v4", b"v5", b"v6"]
    assert store.result(ws.id, ACCOUNT, "facts", key(1)) == b"facts"
    assert store.result(ws.id, OTHER, "labels", key(1)) == b"other account"
    store.put_result(ws.id, ACCOUNT, "labels", key(4), b"again")  # kept already: nothing dropped
    assert store.result(ws.id, ACCOUNT, "labels", key(3)) == b"v3"


def test_drop_results_of_an_account_or_of_the_workspace(store):
    ws, other = store.create_workspace("W"), store.create_workspace("V")
    for acct in (ACCOUNT, OTHER):
        for piece in ("labels", "facts"):
            store.put_result(ws.id, acct, piece, key(1), b"x")
    store.put_result(other.id, ACCOUNT, "labels", key(1), b"y")
    assert store.drop_results(ws.id, ACCOUNT) == 2
    assert store.result(ws.id, ACCOUNT, "labels", key(1)) is None
    assert store.result(ws.id, OTHER, "labels", key(1)) == b"x"
    assert store.drop_results(ws.id) == 2 and store.drop_results(ws.id) == 0
    assert store.result(other.id, ACCOUNT, "labels", key(1)) == b"y"


def test_deleting_a_workspace_deletes_its_results(store):
    ws, other = store.create_workspace("W"), store.create_workspace("V")
    store.put_result(ws.id, ACCOUNT, "labels", key(1), b"x")
    store.put_result(other.id, ACCOUNT, "labels", key(1), b"y")
    store.delete_workspace(ws.id, "W")
    assert rows(store) == 1 and store.result(other.id, ACCOUNT, "labels", key(1)) == b"y"
    with pytest.raises(NotFound):  # a result computed for a workspace deleted meanwhile is not kept
        store.put_result(ws.id, ACCOUNT, "labels", key(2), b"late")
    assert rows(store) == 1


def test_a_result_needs_a_sha256_key_a_piece_and_an_account(store):
    ws = store.create_workspace("W")
    for bad in (dict(key="abc"), dict(key=key(1).upper()), dict(piece=""), dict(piece="p" * 65),
                dict(account=""), dict(account="a" * 401)):
        args = dict(account=ACCOUNT, piece="labels", key=key(1)) | bad
        with pytest.raises(ValueError):
            store.put_result(ws.id, args["account"], args["piece"], args["key"], b"x")
    assert rows(store) == 0


def test_a_version_8_database_gets_the_results_table(db):
    engine = db.engine()
    assert migrate(engine, target=8) == 8
    assert not sa.inspect(engine).has_table("results")
    engine.dispose()
    s = db.open()
    assert s.schema_version() >= 9
    ws = s.create_workspace("W")
    s.put_result(ws.id, ACCOUNT, "labels", key(1), b"x")
    with s.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT description FROM schema_version WHERE version = 9")).scalar() == "results"
    assert schema_version(s.engine) == s.schema_version()
