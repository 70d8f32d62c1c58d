"""The change log (what was downloaded from the product and when it was applied) and its
effects (whether each change helped): storage on SQLite and (when reachable)
PostgreSQL, the upgrade from revision 9, roles, the statistics against generated rows
with a planted change, the workbook's sheet and summary line, the client view's
section behind the share link's option."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from optimizer.store import auth
from optimizer.store.changes import LOG_COLUMNS, record_download
from optimizer.store.database import SCHEMA_VERSION, NotFound, migrate
from tests.test_store import clock, db, store  # noqa: F401 - fixtures

ACCOUNT = "baidu:安心开锁:CNY"


def change(change_id="c1", action="bid", level="keyword", campaign="开锁-核心", ad_group="上门开锁",
           keyword="上门开锁", match_type="exact", field="bid", before="4.00", after="3.20", money=120.0,
           basis="bid_saving") -> dict:
    return dict(change_id=change_id, account=ACCOUNT, platform="baidu", action=action, level=level,
                campaign=campaign, ad_group=ad_group, keyword=keyword, match_type=match_type, keyword_id="",
                field=field, before=before, after=after, reason_zh="出价高于目标", reason_en="bid above target",
                money=money, money_basis=basis)


def table(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


# ---------------------------------------------------------------- storage

def test_a_download_is_logged_once_per_day_and_read_back(store):
    ws = store.create_workspace("W")
    t = table(change("c1"), change("c2", action="pause", field="status", before="enabled", after="paused",
                                   money=float("nan"), basis=""))
    r = store.record_changes(ws.id, ACCOUNT, t, target="baidu", day=date(2026, 11, 3))
    assert (r.added, r.already) == (2, 0)
    again = store.record_changes(ws.id, ACCOUNT, t, target="baidu", day=date(2026, 11, 3))
    assert (again.added, again.already) == (0, 2)  # idempotent: the same change, the same download day
    later = store.record_changes(ws.id, ACCOUNT, t.iloc[:1], target="google_editor", day=date(2026, 11, 9))
    assert later.added == 1  # downloaded again another day: another entry
    log = store.change_log(ws.id, ACCOUNT)
    assert list(log.columns) == LOG_COLUMNS and len(log) == 3
    first = log.iloc[0]
    assert (first["change_id"], first["before"], first["after"], first["money"], first["target"]) == (
        "c1", "4.00", "3.20", 120.0, "baidu")
    assert first["applied_on"] == first["downloaded_on"] == date(2026, 11, 3)
    assert np.isnan(log.loc[log["change_id"] == "c2", "money"].iloc[0])
    assert store.change_log(ws.id, "google_ads:x:USD").empty


def test_the_applied_day_is_corrected_and_an_entry_deleted_only_in_its_workspace(store):
    a, b = store.create_workspace("A"), store.create_workspace("B")
    store.record_changes(a.id, ACCOUNT, table(change()), target="baidu", day=date(2026, 11, 3))
    entry = int(store.change_log(a.id).iloc[0]["id"])
    with pytest.raises(NotFound):
        store.set_applied_date(b.id, entry, date(2026, 11, 5))
    store.set_applied_date(a.id, entry, date(2026, 11, 5))
    log = store.change_log(a.id)
    assert log.iloc[0]["applied_on"] == date(2026, 11, 5) and log.iloc[0]["downloaded_on"] == date(2026, 11, 3)
    # a re-download the same day is still the same entry, its corrected day kept
    store.record_changes(a.id, ACCOUNT, table(change()), target="baidu", day=date(2026, 11, 3))
    assert store.change_log(a.id)["applied_on"].tolist() == [date(2026, 11, 5)]
    z = zipfile.ZipFile(io.BytesIO(store.export_workspace_zip(a.id)))
    assert [e["applied_on"] for e in json.loads(z.read("change_log.json"))] == ["2026-11-05"]
    with pytest.raises(NotFound):
        store.delete_change(b.id, entry)
    store.delete_change(a.id, entry)
    assert store.change_log(a.id).empty
    store.record_changes(a.id, ACCOUNT, table(change()), target="baidu", day=date(2026, 11, 3))
    store.delete_workspace(a.id, "A")
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM change_log")).scalar() == 0


def test_a_bad_change_table_is_refused_and_writes_nothing(store):
    ws = store.create_workspace("W")
    with pytest.raises(ValueError, match="row 2: action 'delete'"):
        store.record_changes(ws.id, ACCOUNT, table(change(), change("c2", action="delete")), target="baidu")
    with pytest.raises(ValueError, match="lacks the columns"):
        store.record_changes(ws.id, ACCOUNT, table(change()).drop(columns=["field"]), target="baidu")
    assert store.change_log(ws.id).empty


def test_only_those_who_may_edit_the_workspace_are_recorded(store):
    owner = auth.create_user(store, "wang", "correct horse battery", "optimizer")
    other = auth.create_user(store, "li", "correct horse battery", "optimizer")
    analyst = auth.create_user(store, "zhao", "correct horse battery", "analyst")
    admin = auth.create_user(store, "root", "correct horse battery", "admin")
    ws = store.create_workspace("W", by=owner)
    t = table(change())
    assert not record_download(store, ws, ACCOUNT, t, "baidu", analyst).allowed
    assert not record_download(store, ws, ACCOUNT, t, "baidu", other).allowed
    assert not record_download(store, ws, ACCOUNT, t, "baidu", None).allowed
    assert store.change_log(ws.id).empty
    r = record_download(store, ws, ACCOUNT, t, "baidu", owner, day=date(2026, 11, 3))
    assert r.allowed and r.added == 1
    assert store.change_log(ws.id).iloc[0]["downloaded_by_name"] == "wang"
    assert record_download(store, ws.id, ACCOUNT, t, "baidu", admin, day=date(2026, 11, 4)).added == 1
    # the same rules for correcting and deleting (what the Change log page checks)
    assert auth.can(owner, "log_changes", ws) and auth.can(admin, "log_changes", ws)
    assert not auth.can(analyst, "log_changes", ws) and not auth.can(other, "log_changes", ws)
    store.add_member(ws.id, other.id)
    assert auth.can(other, "log_changes", store.get_workspace(ws.id))


def test_a_share_link_shows_the_changes_only_when_asked(store):
    owner = auth.create_user(store, "wang", "correct horse battery", "optimizer")
    ws = store.create_workspace("W", by=owner)
    off, token_off = auth.create_share(store, owner, ws.id)
    on, token_on = auth.create_share(store, owner, ws.id, show_changes=True)
    assert not off.show_changes and on.show_changes
    assert not auth.open_share(store, token_off).show_changes
    assert auth.open_share(store, token_on).show_changes


def test_a_version_9_database_gets_the_change_log_and_its_links_show_no_changes(db):
    engine = db.engine()
    assert migrate(engine, target=9) == 9
    now = db.clock().replace(tzinfo=None)
    with engine.begin() as conn:  # a workspace and a share link as revision 9 wrote them
        conn.execute(sa.text("INSERT INTO workspaces (name, created_at, revision) VALUES ('老客户', :t, 1)"),
                     {"t": now})
        conn.execute(sa.text("INSERT INTO share_links (workspace_id, token_hash, created_at, expires_at, "
                             "allow_download) VALUES (1, :h, :t, :e, :f)"),
                     {"h": "a" * 64, "t": now, "e": now + timedelta(days=7), "f": False})
    assert not sa.inspect(engine).has_table("change_log")
    engine.dispose()
    s = db.open()
    assert s.schema_version() == SCHEMA_VERSION >= 10
    ws = s.workspace_by_name("老客户")
    [link] = s.share_links(ws.id)
    assert link.show_changes is False
    s.record_changes(ws.id, ACCOUNT, table(change()), target="baidu", day=date(2026, 11, 3))
    assert len(s.change_log(ws.id)) == 1
    with s.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT description FROM schema_version WHERE version = 10")).scalar() == \
            "change log"
