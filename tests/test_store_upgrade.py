"""Upgrading a database the product wrote before Alembic (schema version 8, the
``schema_version`` table) in place, on SQLite and (when reachable) PostgreSQL: it is
recognised, stamped at revision 0008 and upgraded to the current schema, and every
record in it — users and their passwords, a session, a workspace and its member, an
upload with its rows, lexicon settings, a bundle map, an audit, a share link, notes, a
saved vertical, an app setting — reads back as before.

The databases are dumps made by that release's code (``tests/fixtures/store_v8/make.py``
says how), not rebuilt by this code: what a server upgraded today actually holds."""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from optimizer.store import auth
from optimizer.store.database import SCHEMA_VERSION, metadata, migrate, schema_version
from optimizer.store.schema import versions
from tests.conftest import FIXTURES, SAMPLE
from tests.test_store import _schema_shape, clock, day_file, db  # noqa: F401 - fixtures

V8 = FIXTURES / "store_v8"
META = json.loads((V8 / "meta.json").read_text(encoding="utf-8"))
ACCOUNT = tuple(META["account"])
KEY = ":".join(ACCOUNT)


def load_v8(db) -> None:
    """The test database becomes the version-8 database of the dump."""
    if db.backend == "sqlite":
        import sqlite3
        db.data_dir.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(db.data_dir / "optimizer.db")
        con.executescript((V8 / "sqlite.sql").read_text(encoding="utf-8"))
        con.close()
        return
    url = sa.engine.make_url(db.url)
    schema = url.query["options"].split("search_path=")[1]
    sql = (V8 / "postgresql.sql").read_text(encoding="utf-8").replace("CREATE SCHEMA __SCHEMA__;", "")
    engine = sa.create_engine(url)
    raw = engine.raw_connection()
    try:
        raw.cursor().execute(sql.replace("__SCHEMA__", schema))
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def test_a_version_8_database_made_before_alembic_is_upgraded_in_place_and_keeps_its_data(db):
    load_v8(db)
    engine = db.engine()
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("alembic_version")
        before = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in sa.inspect(conn).get_table_names()}
    assert schema_version(engine) == 8  # recognised by its schema_version table
    engine.dispose()
    db.clock.t = datetime.fromisoformat(META["now"]) + timedelta(hours=1)

    store = db.open()
    assert store.schema_version() == SCHEMA_VERSION
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [
            f"{SCHEMA_VERSION:04d}"]
        # the old table goes on: older releases read it (and refuse a database newer than they are)
        assert conn.execute(sa.text("SELECT max(version) FROM schema_version")).scalar() == SCHEMA_VERSION
        for t, n in before.items():
            assert conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() == (
                n + len([v for v in versions() if v > 8]) if t == "schema_version" else n), t
    assert set(sa.inspect(store.engine).get_table_names()) == {t.name for t in metadata.sorted_tables} | {
        "alembic_version"}

    # users sign in with their passwords; the session goes on
    wang = auth.authenticate(store, "wang", META["passwords"]["wang"])
    assert wang is not None and wang.role == "optimizer"
    assert auth.authenticate(store, "admin", META["passwords"]["admin"]).role == "admin"
    assert auth.session_user(store, META["session_token"]) == wang
    # the workspace, its member, its upload and rows
    ws = store.get_workspace(META["workspace_id"])
    assert ws.name == "安心开锁" and ws.member_ids == {wang.id}
    [up] = store.list_uploads(ws.id)
    assert (up.id, up.checksum, up.rows, up.uploaded_by_name) == (
        META["upload_id"], META["upload_checksum"], 3, "wang")
    name, data = store.upload_file(ws.id, up.id)
    assert name == "百度关键词报告.csv" and hashlib.sha256(data).hexdigest() == up.checksum
    table = store.workspace_table(ws.id).table
    assert len(table) == 3 and table["cost"].sum() == 135.0
    # what the optimizer decided
    assert store.lexicon_settings(ws.id, KEY) == ("locksmith", {})
    decision = store.bundle_decision(ws.id, KEY)
    assert decision.data == (SAMPLE / "bundle_map.csv").read_bytes() and decision.proposal == [
        {"bundle": "包1", "plans": ["开锁-核心"]}]
    assert store.audits(ws.id, KEY) == {"https://m.a.cn/": [{"url": "https://m.a.cn/", "title": "开锁"}]}
    assert store.setting("sample_workspace") == str(ws.id)
    [saved] = store.saved_verticals()
    assert (saved.code, saved.name_zh, saved.base, saved.saved_by) == ("towing", "拖车", "generic", wang.id)
    # the share link opens for the client, on its account, with its notes
    share = auth.open_share(store, META["share_token"])
    assert (share.link_id, share.workspace_id, share.label, share.accounts) == (
        META["share_link_id"], ws.id, "给王老板", (ACCOUNT,))
    assert [(n.note_date, n.text, n.account) for n in store.notes(ws.id)] == [
        (date(2026, 11, 21), "全部账户：调整了时段", None), (date(2026, 11, 20), "暂停了询价词", ACCOUNT)]
    # and the upgraded database takes new records of every kind as a new one does
    assert not store.add_upload(ws.id, "d9.csv", day_file(9), wang).duplicate
    store.add_note(ws.id, date(2026, 11, 25), "升级后的记录", by=wang, account=ACCOUNT)
    assert store.get_workspace(ws.id).revision > ws.revision
    store.close()
    assert db.open().schema_version() == SCHEMA_VERSION  # opening it again changes nothing


def test_an_upgraded_version_8_database_has_the_declared_schema(db):
    """Tables, columns, types, keys and indexes of the dump upgraded are those the
    store declares (what a new database gets)."""
    engine = db.engine()
    metadata.create_all(engine)
    declared = _schema_shape(engine)
    metadata.drop_all(engine)
    engine.dispose()
    load_v8(db)
    engine = db.engine()
    assert migrate(engine) == SCHEMA_VERSION
    upgraded = _schema_shape(engine)
    engine.dispose()
    assert upgraded.pop("alembic_version")["columns"] == [("version_num", "VARCHAR", False)]
    assert upgraded == declared
