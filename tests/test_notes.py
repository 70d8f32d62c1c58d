"""Notes (what the optimizer changed and why, shown in the client view) and app settings:
schema version 3, on SQLite and (when reachable) PostgreSQL."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa

from optimizer.store import SCHEMA_VERSION, NotFound, migrate, schema_version
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
