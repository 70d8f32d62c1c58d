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


# ---------------------------------------------------------------- effects

def synthetic_rows(seed: int = 7, days: int = 60, change_day: str = "2026-10-31", cpc_factor: float = 0.5,
                   pause: str = "", term_stops: bool = True) -> pd.DataFrame:
    """A Google Ads account of one plan: keyword K ("locksmith near me") whose CPC is
    multiplied by ``cpc_factor`` from the day after ``change_day``, keyword K2
    ("emergency locksmith") unchanged, keyword K3 ("locksmith jobs") that never converts,
    the keyword ``pause`` without any row after the change, and an off-target search
    term that stops after it (``term_stops``); weekends 40 % busier, daily CPC noise,
    binomial conversions."""
    from optimizer.reading.schema import conform
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2026-10-01", periods=days)
    day = pd.Timestamp(change_day)
    rows = []
    base = dict(platform="google_ads", account="Acme", campaign="Lockout", ad_group="Emergency",
                match_type="exact", currency="USD")
    for kw, clicks, cpc, cvr in (("locksmith near me", 40, 5.0, 0.15), ("emergency locksmith", 30, 4.0, 0.12),
                                 ("locksmith jobs", 12, 3.0, 0.0)):
        for d in dates:
            if kw == pause and d > day:
                continue
            n = rng.poisson(clicks * (1.4 if d.day_of_week >= 5 else 1.0))
            f = cpc_factor if kw == "locksmith near me" and d > day else 1.0
            cost = round(float(n * cpc * f * rng.lognormal(0, 0.15)), 2) if n else 0.0
            rows.append(dict(base, report_type="keyword", keyword=kw, date=d, period_start=d, period_end=d,
                             clicks=float(n), impressions=float(n * 10), cost=cost,
                             conversions=float(rng.binomial(n, cvr))))
    for d in dates:
        n = 0 if term_stops and d > day else rng.poisson(6)
        rows.append(dict(base, report_type="search_term", keyword="locksmith near me",
                         search_term="locksmith training course", date=d, period_start=d, period_end=d,
                         clicks=float(n), impressions=float(n * 10), cost=float(n * 4.5), conversions=0.0))
    return conform(pd.DataFrame(rows))


def logged(entry: int, applied: str = "2026-10-31", **kw) -> dict:
    row = change(f"c{entry}", campaign="Lockout", ad_group="Emergency", keyword="locksmith near me",
                 before="5.00", after="4.00")
    row.update(id=entry, applied_on=date.fromisoformat(applied))
    row.update(kw)
    return row


def effects(*entries: dict, rows: pd.DataFrame | None = None):
    from optimizer.actions.changelog import change_effects
    return change_effects(pd.DataFrame(list(entries)), synthetic_rows() if rows is None else rows)


def test_a_bid_lowered_on_a_keyword_whose_cpc_then_halved_helped_and_its_interval_holds_the_halving():
    e = effects(logged(1))
    r = e.table.iloc[0]
    assert (r["verdict"], r["metric"], r["also_metric"], bool(r["thin"])) == ("helped", "cpa", "conversions", False)
    # the same weekdays on each side, four weeks each, the change day left out
    assert r["days_before"] == r["days_after"] == 28
    assert r["before_start"] == pd.Timestamp("2026-10-03") and r["after_end"] == pd.Timestamp("2026-11-28")
    assert r["ci_low"] < -0.5 < r["ci_high"] < 0  # the planted effect: CPC × 0.5 at the same CVR
    assert r["value_after"] < r["value_before"] and r["money_30d"] > 0
    days = e.days.loc[e.days["entry"] == 1]
    assert set(days["side"]) == {"before", "change", "after"}
    assert not days.loc[days["side"] == "change", "kept"].any()


def test_a_bid_lowered_on_a_keyword_without_an_effect_shows_no_clear_effect():
    r = effects(logged(1, keyword="emergency locksmith")).table.iloc[0]
    assert r["verdict"] == "no_clear_effect" and r["ci_low"] < 0 < r["ci_high"]
    assert np.isnan(r["money_30d"])  # no money for an effect that is not there


def test_no_planted_effect_on_many_accounts_rarely_reads_as_an_effect():
    """No effect planted (CPC unchanged): the 95 % intervals say 'helped' or 'hurt' about
    one time in twenty, not more."""
    verdicts = [effects(logged(1), rows=synthetic_rows(seed=s, cpc_factor=1.0)).table.iloc[0]["verdict"]
                for s in range(40)]
    assert sum(v != "no_clear_effect" for v in verdicts) <= 5


def test_too_early_and_no_data():
    e = effects(logged(1, applied="2026-11-25"), logged(2, keyword="nobody searches this"),
                logged(3, applied="2026-12-20"))
    assert e.table["verdict"].tolist() == ["too_early", "no_data", "too_early"]
    assert e.counts() == {"helped": 0, "hurt": 0, "no_clear_effect": 0, "confounded": 0, "too_early": 2,
                          "no_data": 1}


def test_a_negative_that_stopped_the_term_helped_and_a_pause_that_did_not_happen_did_not():
    neg = logged(1, action="negative", level="campaign", ad_group="", keyword="locksmith training course",
                 match_type="exact", field="negative", before="", after="locksmith training course")
    pause = logged(2, action="pause", keyword="emergency locksmith", field="status", before="enabled",
                   after="paused")
    t = effects(neg, pause).table
    assert t["verdict"].tolist() == ["helped", "no_clear_effect"]
    assert t.iloc[0]["metric"] == "cost" and t.iloc[0]["change"] == -1.0 and t.iloc[0]["also_metric"] == "cpa"
    assert t.iloc[0]["money_30d"] == pytest.approx(t.iloc[0]["value_before"] * 30)
    # a keyword that never converted really paused: its cost stopped, the plan kept its conversions
    waste = logged(3, action="pause", keyword="locksmith jobs", field="status", before="enabled", after="paused")
    paused = effects(waste, rows=synthetic_rows(pause="locksmith jobs", cpc_factor=1.0)).table.iloc[0]
    assert paused["verdict"] == "helped" and paused["value_after"] == 0 and paused["money_30d"] > 0
    # a keyword that brought conversions paused: the plan lost them, so the pause hurt
    lost = effects(pause, rows=synthetic_rows(pause="emergency locksmith", cpc_factor=1.0)).table.iloc[0]
    assert (lost["verdict"], lost["note"]) == ("hurt", "guard") and lost["also_ci_high"] < 0


def test_changes_of_one_day_are_pooled_in_one_plain_line():
    e = effects(logged(1), logged(2, keyword="emergency locksmith"))
    [g] = e.groups.itertuples()
    assert (g.action, g.direction, g.n, g.metric, g.verdict) == ("bid", "lower", 2, "cpa", "helped")
    assert g.entries == (1, 2) and g.ci_low < g.change < g.ci_high < 0


def test_the_account_model_keeps_the_effects_per_data_version_and_log(store):
    from optimizer.analysis.account import AccountModel
    from optimizer.analysis.results import Results
    ws = store.create_workspace("W")
    rows = synthetic_rows()
    results = Results(store)
    model = AccountModel(ws.id, "google_ads:Acme:USD", (1,), lambda: rows, results)
    log = pd.DataFrame([logged(1)])
    first = model.change_effects(log)
    assert model.change_effects(log) is first and results.computed["change_effects"] == 1
    moved = log.assign(applied_on=date(2026, 11, 25))  # the applied day corrected: computed again
    assert model.change_effects(moved).table.iloc[0]["verdict"] == "too_early"
    assert results.computed["change_effects"] == 2
    newer = AccountModel(ws.id, "google_ads:Acme:USD", (1, 2), lambda: rows, results)  # a new upload
    newer.change_effects(log)
    assert results.computed["change_effects"] == 3
    again = AccountModel(ws.id, "google_ads:Acme:USD", (1,), lambda: rows, Results(store))  # another server
    assert again.change_effects(log).table.equals(first.table)


# ---------------------------------------------------------------- pages (AppTest, through app.py)

SAMPLE_KEY = "baidu:北京安心开锁:CNY"


@pytest.fixture
def app_store(tmp_path, monkeypatch):
    import ui
    from optimizer.store.database import Store
    monkeypatch.setattr(ui, "DATA_DIR", tmp_path)
    with Store.open(None, tmp_path) as s:
        ui.seed_sample(s)
        yield s


def _sample_log(s) -> int:
    """Two changes on the sample's Baidu account: a bid lowered on 11-10 (in the client's
    last 30 days) and one on 10-01 (before them)."""
    import ui
    ws = s.get_workspace(int(s.setting(ui.SAMPLE_SETTING)))
    kw = dict(campaign="换锁-核心词", ad_group="核心词-通用", keyword="换锁", match_type="phrase")
    s.record_changes(ws.id, SAMPLE_KEY, table(change("n1", before="6.00", after="5.00", **kw)), target="baidu",
                     day=date(2026, 11, 10))
    s.record_changes(ws.id, SAMPLE_KEY, table(change("o1", before="6.00", after="5.00", **kw)), target="baidu",
                     day=date(2026, 10, 1))
    return ws.id


def _texts(at) -> str:
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts).replace("\\", "")  # as read: plain_text's escapes dropped


def _open(**query):
    import tests.apptest  # noqa: F401 - every run goes through app.py
    from tests.apptest import app_test
    at = app_test()
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_client_view_shows_what_we_changed_only_when_the_link_says_so(app_store):
    wid = _sample_log(app_store)
    admin = auth.create_user(app_store, "root", "correct horse battery", "admin")
    _, off = auth.create_share(app_store, admin, wid)
    _, on = auth.create_share(app_store, admin, wid, show_changes=True)
    at = _open(share=off)
    assert "本月我们做了哪些改动，效果如何" not in _texts(at) and "降低了" not in _texts(at)
    at = _open(share=on)
    text = _texts(at)
    assert "本月我们做了哪些改动，效果如何" in text
    # the last 30 days (10-26 … 11-24): the change of 11-10, not the one of 10-01
    assert "11 月 10 日 降低了 1 个关键词的出价 →" in text and "10 月 1 日" not in text
    at.segmented_control(key="client_period").set_value("all").run()
    assert "10 月 1 日 降低了 1 个关键词的出价 →" in _texts(at)
    at.radio(key="lang").set_value("en").run()
    assert "What we changed this month and what it did" in _texts(at)
    assert "Nov 10 lowered the bid of 1 keyword(s) →" in _texts(at)


def test_the_client_line_is_the_number_the_page_and_the_workbook_show(app_store):
    import ui
    from optimizer import i18n
    from optimizer.analysis.account import AccountModel
    from optimizer.analysis.results import Results
    from optimizer.model import dataset
    wid = _sample_log(app_store)
    admin = auth.create_user(app_store, "root", "correct horse battery", "admin")
    _, on = auth.create_share(app_store, admin, wid, show_changes=True)
    at = _open(share=on)
    at.segmented_control(key="client_period").set_value("all").run()
    rows = dataset.for_account(app_store.workspace_table(wid).table, "baidu", "北京安心开锁", "CNY")
    eff = AccountModel(None, SAMPLE_KEY, ("x",), lambda: rows, Results()).change_effects(
        app_store.change_log(wid, SAMPLE_KEY))
    lines = [i18n.change_group_text(g, "zh") for _, g in eff.groups.iterrows()]
    assert len(lines) == 2 and all(line in _texts(at) for line in lines)
    assert ui  # the app's own model gave the same lines


def test_the_share_page_offers_the_option_off_by_default(app_store):
    at = _open()
    at.switch_page("pages/share.py").run()
    box = at.checkbox(key="share_show_changes")
    assert box.value is False and box.label == "显示我们做了哪些改动、效果如何"
    box.check()
    at.multiselect(key="share_accounts").set_value([("baidu", "北京安心开锁", "CNY")])
    next(b for b in at.button if b.label == "生成链接").click().run()
    assert not at.exception
    [link] = app_store.share_links(int(app_store.setting("sample_workspace_id")))
    assert link.show_changes


def test_the_change_log_page_lists_the_changes_with_their_verdicts_and_edits_the_day(app_store):
    wid = _sample_log(app_store)
    at = _open()
    at.switch_page("pages/changelog.py").run()
    assert not at.exception, at.exception
    text = _texts(at)
    assert "改动记录" in text and "11 月 10 日 降低了 1 个关键词的出价 →" in text
    shown = at.dataframe[0].value
    assert len(shown) == 2 and set(shown["action"]) == {"出价"}
    assert set(shown["change"]) == {"6.00 → 5.00"}
    assert len(at.get("plotly_chart")) == 1
    entry = next(s for s in at.selectbox if s.label == "看哪一项改动").value
    at.date_input(key=f"changes_day_{entry}").set_value(date(2026, 11, 12))
    at.button(key=f"changes_save_{entry}").click().run()
    assert not at.exception, at.exception
    log = app_store.change_log(wid, SAMPLE_KEY)
    assert date(2026, 11, 12) in set(log["applied_on"])
    at.button(key=f"changes_delete_{entry}").click().run()
    assert len(app_store.change_log(wid, SAMPLE_KEY)) == 1


# ---------------------------------------------------------------- workbook

def test_the_workbook_has_the_change_log_sheet_and_a_summary_line_when_changes_were_logged():
    import openpyxl
    from optimizer import i18n
    from optimizer.analysis.summary import AnalysisSettings, analyze_account
    from optimizer.outputs.workbook import workbook_bytes
    rows = synthetic_rows()
    settings = AnalysisSettings(landing=False)
    plain = analyze_account(rows, settings=settings)
    assert plain.changes is None and "changes" not in plain.frames()
    eff = effects(logged(1), logged(2, keyword="emergency locksmith", applied="2026-11-25"), rows=rows)
    a = analyze_account(rows, settings=settings, changes=eff)
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(a, "zh")))
    assert "改动记录" in wb.sheetnames
    sheet = [[c.value for c in r] for r in wb["改动记录"].iter_rows()]
    header, first = sheet[0], dict(zip(sheet[0], sheet[1]))
    assert header[:7] == ["生效日", "改动", "对象", "原值", "新值", "效果", "改动效果"]
    row = eff.table.iloc[0]
    assert first["效果"] == "有效" and first["改动效果"] == i18n.change_effect_text(row, "zh")
    assert first["变化"] == pytest.approx(round(row["change"], 6)) and first["变化前"] == pytest.approx(
        round(row["value_before"], 2), abs=0.01)
    assert dict(zip(sheet[0], sheet[2]))["效果"] == "还太早"
    summary = [c.value for r in wb["摘要"].iter_rows() for c in r if isinstance(c.value, str)]
    for _, g in eff.groups.iterrows():  # the client view's words, in the summary
        assert "改动效果：" + i18n.change_group_text(g, "zh") in summary
    en = openpyxl.load_workbook(io.BytesIO(workbook_bytes(a, "en")))
    assert "Change log" in en.sheetnames


def test_a_download_on_the_export_changes_page_is_logged_and_listed_on_the_change_log_page(app_store):
    # the whole way: the optimizer downloads the files of the changes they kept; the log holds exactly those
    at = _open()
    at.switch_page("pages/changes.py").run()
    assert not at.exception, at.exception
    preview = next(d.value for d in at.dataframe if "use" in d.value.columns)
    wid = int(app_store.setting("sample_workspace_id"))
    assert app_store.change_log(wid, SAMPLE_KEY).empty
    at.download_button(key="ch_zip").click().run()
    assert not at.exception, at.exception
    assert any("已记入改动记录" in s.value for s in at.success)
    log = app_store.change_log(wid, SAMPLE_KEY)
    assert len(log) == len(preview) and set(log["target"]) == {"baidu"}
    at.switch_page("pages/changelog.py").run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == len(preview)


def test_the_export_changes_page_leaves_out_changes_already_applied_and_says_so(app_store):
    # changes logged as applied on an earlier day are not proposed again; those downloaded today stay offered
    at = _open()
    at.switch_page("pages/changes.py").run()
    n = int(at.metric[0].value.split(" / ")[1].replace(",", ""))
    at.download_button(key="ch_zip").click().run()
    assert not at.exception, at.exception
    assert at.metric[0].value == f"{n:,} / {n:,}"   # today's download: still there to download again
    wid = int(app_store.setting("sample_workspace_id"))
    log = app_store.change_log(wid, SAMPLE_KEY)
    for entry in log["id"].iloc[:5]:
        app_store.set_applied_date(wid, int(entry), date(2026, 11, 20))
    at.switch_page("pages/changes.py").run()
    assert not at.exception, at.exception
    assert at.metric[0].value == f"{n - 5:,} / {n - 5:,}"
    assert any("5 条改动已记入改动记录并已生效（最近一次 11 月 20 日）" in i.value for i in at.info)
    assert any(e.label == "已做过的改动（5 条）" for e in at.expander)


def test_a_bid_and_a_url_change_on_one_keyword_in_the_same_weeks_are_confounded_not_credited():
    # the bid cut would take the credit for the URL fix's effect (trial 18): neither is credited
    from optimizer import i18n
    url = logged(2, action="url", field="final_url", before="https://a/index.html", after="https://a/lock.html",
                 applied="2026-11-02")
    e = effects(logged(1), url, logged(3, keyword="emergency locksmith"))
    t = e.table.set_index("entry")
    assert t.loc[1, "verdict"] == t.loc[2, "verdict"] == "confounded"
    assert t.loc[1, "confounded_with"] == "url:final_url" and t.loc[2, "confounded_with"] == "bid:bid"
    assert np.isnan(t.loc[1, "money_30d"]) and t.loc[3, "verdict"] == "no_clear_effect"
    assert i18n.change_effect_text(t.loc[1], "zh").startswith("同期还做了同一关键词的落地页修正")
    assert "landing URL" in i18n.change_effect_text(t.loc[1], "en")
    # the day's pooled bid line holds only the bid that is not mixed; the mixed one has its own line
    lines = [i18n.change_group_text(g, "zh") for _, g in e.groups.iterrows()]
    assert "10 月 31 日 降低了 1 个关键词的出价 → 同期还做了同一关键词的落地页修正，两项改动的效果混在一起，分不清是哪一项起的作用" in lines
    pooled = e.groups.loc[(e.groups["action"] == "bid") & (e.groups["verdict"] != "confounded")]
    assert pooled["entries"].tolist() == [(3,)]
    # far apart (more than the windows): each judged on its own
    far = effects(logged(1), logged(2, action="url", field="final_url", before="x", after="y", applied="2026-12-20"))
    assert far.table["verdict"].tolist()[0] == "helped"
    # a plan negative of a term the keyword brought confounds the keyword's bid
    neg = logged(4, action="negative", level="campaign", ad_group="", keyword="locksmith training course",
                 match_type="exact", field="negative", before="", after="exact")
    t = effects(logged(1), neg).table.set_index("entry")
    assert t.loc[1, "verdict"] == "confounded" and t.loc[1, "confounded_with"] == "negative:negative"


def test_a_changes_values_are_named_not_coded():
    # the change log page showed "enabled → paused" and "– → exact" in the Chinese UI
    from optimizer import i18n
    assert i18n.change_value_text("status", "enabled") + " → " + i18n.change_value_text("status", "paused") == \
        "启用 → 暂停"
    assert i18n.change_value_text("negative", "") + " → " + i18n.change_value_text("negative", "exact", "en") == \
        "– → Exact negative"
    assert i18n.change_value_text("bid", "5.00") == "5.00"
    assert i18n.change_field_text("negative", "exact") == "否定（精确）"
