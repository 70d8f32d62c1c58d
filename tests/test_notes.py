"""Notes (what the optimizer changed and why, shown in the client view) and app settings:
schema version 3, on SQLite and (when reachable) PostgreSQL."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa

from optimizer.store.database import SCHEMA_VERSION, NotFound, migrate, schema_version
from tests.test_store import clock, db, store  # noqa: F401 - fixtures


def test_a_version_2_database_gets_notes_and_settings_when_opened(db):
    engine = db.engine()
    assert migrate(engine, target=2) == 2
    now = db.clock()
    with engine.begin() as conn:  # a workspace as version 2 wrote it
        conn.execute(sa.text("INSERT INTO workspaces (name, created_at, revision) VALUES ('老客户', :t, 3)"),
                     {"t": now.replace(tzinfo=None)})
    assert not sa.inspect(engine).has_table("notes")
    engine.dispose()

    s = db.open()
    assert s.schema_version() == SCHEMA_VERSION >= 3
    ws = s.workspace_by_name("老客户")
    note = s.add_note(ws.id, date(2026, 11, 20), "暂停了询价词")
    assert s.get_workspace(ws.id).revision == 4
    assert [(n.note_date, n.text, n.author_name) for n in s.notes(ws.id)] == [(date(2026, 11, 20), "暂停了询价词", None)]
    assert note.id == s.notes(ws.id)[0].id
    with s.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT description FROM schema_version WHERE version = 3")).scalar() == \
            "notes, app settings"


def test_notes_are_dated_kept_per_workspace_exported_and_deleted_with_it(store):
    a, b = store.create_workspace("A"), store.create_workspace("B")
    store.add_note(a.id, date(2026, 11, 1), "first")
    store.add_note(a.id, date(2026, 11, 9), "second")
    assert [n.text for n in store.notes(a.id)] == ["second", "first"]  # newest first
    assert store.notes(b.id) == []
    with pytest.raises(ValueError):
        store.add_note(a.id, date(2026, 11, 9), "   ")
    with pytest.raises(NotFound):
        store.delete_note(b.id, store.notes(a.id)[0].id)  # not B's note
    z = zipfile.ZipFile(io.BytesIO(store.export_workspace_zip(a.id)))
    assert [n["text"] for n in json.loads(z.read("notes.json"))] == ["second", "first"]
    store.delete_note(a.id, store.notes(a.id)[0].id)
    assert [n.text for n in store.notes(a.id)] == ["first"]
    store.delete_workspace(a.id, "A")
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM notes")).scalar() == 0


def test_settings_are_set_once_by_claim(store):
    assert store.setting("k") is None
    assert store.claim_setting("k", "1") and not store.claim_setting("k", "2")
    assert store.setting("k") == "1"
    store.set_setting("k", "3")
    assert store.setting("k") == "3"


FLORIST = ("google_ads", "Rose Petal Florist", "USD")
TOWING = ("google_ads", "Fast Towing", "USD")


def test_a_version_6_database_gets_note_accounts_and_its_notes_stay_about_every_account(db):
    engine = db.engine()
    assert migrate(engine, target=6) == 6
    now = db.clock().replace(tzinfo=None)
    with engine.begin() as conn:  # a note as version 6 wrote it: about no account in particular
        conn.execute(sa.text("INSERT INTO workspaces (name, created_at, revision) VALUES ('老客户', :t, 0)"), {"t": now})
        wid = conn.execute(sa.text("SELECT id FROM workspaces WHERE name = '老客户'")).scalar()
        conn.execute(sa.text("INSERT INTO notes (workspace_id, note_date, text, created_at) "
                             "VALUES (:w, :d, '旧记录', :t)"), {"w": wid, "d": date(2026, 11, 1), "t": now})
    assert "account_json" not in {c["name"] for c in sa.inspect(engine).get_columns("notes")}
    engine.dispose()

    s = db.open()
    assert s.schema_version() == SCHEMA_VERSION >= 7
    [old] = s.notes(wid)
    assert old.text == "旧记录" and old.account is None  # about every account, as before
    s.add_note(wid, date(2026, 11, 9), "花店：加了否定词", account=FLORIST)
    assert [(n.text, n.account) for n in s.notes(wid)] == [("花店：加了否定词", FLORIST), ("旧记录", None)]
    with s.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT description FROM schema_version WHERE version = 7")).scalar() == \
            "the account a note is about"


def test_a_link_limited_to_accounts_sees_only_the_notes_about_them(store):
    from optimizer.store import auth
    ws = store.create_workspace("快捷开锁+拖车")
    store.add_note(ws.id, date(2026, 11, 1), "全部账户：统一调整了投放时段")
    store.add_note(ws.id, date(2026, 11, 2), "花店：加了否定词", account=FLORIST)
    store.add_note(ws.id, date(2026, 11, 3), "拖车：提高了出价", account=TOWING)
    assert {n.text for n in auth.notes_for(store.notes(ws.id), None)} == {
        "全部账户：统一调整了投放时段", "花店：加了否定词", "拖车：提高了出价"}
    assert [n.text for n in auth.notes_for(store.notes(ws.id), [FLORIST])] == ["花店：加了否定词"]

    def visitor(accounts):
        return auth.Access(store, auth.ShareAccess(1, ws.id, False, None, store.now(), accounts))

    assert [n.text for n in visitor((FLORIST,)).notes(ws.id)] == ["花店：加了否定词"]
    assert len(visitor(None).notes(ws.id)) == 3
    # a visitor cannot widen what the link shows
    assert [n.text for n in visitor((FLORIST,)).notes(ws.id, accounts=None)] == ["花店：加了否定词"]
    boss = auth.create_user(store, "boss", "correct horse battery", "admin")
    assert len(auth.Access(store, boss).notes(ws.id)) == 3
    assert [n.text for n in auth.Access(store, boss).notes(ws.id, accounts=[TOWING])] == ["拖车：提高了出价"]
    assert auth.link_title("快捷开锁+拖车", None, "zh") == "快捷开锁+拖车"
    assert auth.link_title("快捷开锁+拖车", [FLORIST], "zh") == "Google Ads · Rose Petal Florist · USD"
    assert "快捷开锁" not in auth.link_title("快捷开锁+拖车", [FLORIST, TOWING], "en")


def test_a_note_about_every_account_shows_in_a_link_that_shows_every_account(store):
    # a one-account workspace: its link is limited to its one account, and the notes written
    # before notes named an account still reach the client — until another account arrives
    from optimizer.store import auth
    from tests.test_store import day_file
    ws = store.create_workspace("安心开锁")
    store.add_upload(ws.id, "d1.csv", day_file(1))
    store.add_note(ws.id, date(2026, 11, 1), "旧记录")
    only = ("baidu", "安心开锁", "CNY")

    def visitor(accounts):
        return auth.Access(store, auth.ShareAccess(1, ws.id, False, None, store.now(), accounts))

    assert [n.text for n in visitor((only,)).notes(ws.id)] == ["旧记录"]
    store.add_upload(ws.id, "other.csv", day_file(2).decode("gbk").replace("安心开锁,", "别家开锁,").encode("gbk"))
    assert visitor((only,)).notes(ws.id) == []
    assert [n.text for n in visitor(None).notes(ws.id)] == ["旧记录"]
