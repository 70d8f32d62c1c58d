"""The Today page's rows (optimizer.analysis.portfolio): figures by hand on a small
account, the same money as the account's summary, kept per data version and state,
read without an account's rows, only for the workspaces the user may see, and the page
(AppTest): sorted by money, each line a link to the account, filters."""
from __future__ import annotations

import math
import time
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pytest

import tests.apptest  # noqa: F401 - every run goes through app.py
import ui
from optimizer.analysis.account import AccountModel
from optimizer.analysis.portfolio import (Entry, PortfolioRow, _targets, days_old, filter_table, portfolio_row,
                                          portfolio_table, row_inputs, split_key, workspace_state)
from optimizer.analysis.results import Results
from optimizer.analysis.summary import analyze_account
from optimizer.bundles.targets import read_bundle_sheet
from optimizer.keywords.lexicon import LexiconEdits
from optimizer.keywords.trade import account_classifier
from optimizer.model.dataset import accounts, for_account, load_exports
from optimizer.store import auth
from optimizer.store.database import Store
from tests.apptest import app_test
from tests.conftest import SAMPLE

HEADER = ("日期,账户,推广计划,推广单元,关键词,关键词ID,匹配模式,出价,访问URL,移动访问URL,展现,点击,消费,点击率,"
          "平均点击价格,千次展现消费,转化,网页转化,商桥转化,电话转化,计算机质量度,移动质量度")
END = date(2026, 11, 24)


def small_report(account: str = "小店开锁", scale: float = 1.0) -> bytes:
    """16 days (11-09 … 11-24) of two keywords: 上门开锁 (开锁-核心词) costs 100 a day with
    2 conversions for 9 days, then 150 a day with 2; 换锁 (换锁-核心词) costs 50 with 1
    conversion every day. ``scale`` multiplies costs."""
    lines = [HEADER]
    for i in range(16):
        day = END - timedelta(days=15 - i)
        for plan, kw, kid, cost, conv in (("开锁-核心词", "上门开锁", 1001, 100 if i < 9 else 150, 2),
                                          ("换锁-核心词", "换锁多少钱", 1002, 50, 1)):
            cost = cost * scale
            lines.append(f"{day:%Y-%m-%d},{account},{plan},{kw},{kw},{kid},精确匹配,10.00,https://a.cn/k,"
                         f"https://m.a.cn/k,200,10,{cost:.2f},5.00%,{cost / 10:.2f},{cost * 5:.2f},{conv},0,0,{conv},8,8")
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


@pytest.fixture
def small(tmp_path) -> pd.DataFrame:
    p = tmp_path / "baidu_keyword_report.csv"
    p.write_bytes(small_report())
    table = load_exports([p])
    a = accounts(table).iloc[0]
    return for_account(table, a["platform"], a["account"], a["currency"])


def _model(rows, version=(1,)) -> AccountModel:
    return AccountModel(None, "baidu:小店开锁:CNY", version, lambda: rows, Results())


# ------------------------------------------------------------------ the row

def test_the_row_of_a_small_account_holds_the_figures_counted_by_hand(small):
    model = _model(small)
    clf = account_classifier(small, "auto")
    analysis = analyze_account(small, clf=clf, model=model)
    row = portfolio_row(analysis, model)
    assert (row.platform, row.account, row.currency) == ("baidu", "小店开锁", "CNY")
    assert row.last_day == pd.Timestamp("2026-11-24")
    assert (row.period_start, row.period_end) == (pd.Timestamp("2026-11-18"), pd.Timestamp("2026-11-24"))
    # 11-18 … 11-24: 7 × (150 + 50) spent, 7 × 3 conversions; the CPA leaves out Baidu's last day
    assert row.spend == pytest.approx(1400) and row.conversions == pytest.approx(21)
    assert row.cpa == pytest.approx(6 * 200 / (6 * 3))
    # 11-11 … 11-17: 7 × (100 + 50), 21 conversions, all days complete
    assert row.prev_spend == pytest.approx(1050) and row.prev_cpa == pytest.approx(50)
    assert days_old(row.last_day, date(2026, 12, 7)) == 13
    assert math.isnan(row.target_cpa)  # no bundle map, no bundles in the plan names
    assert row.compensation_at_risk == 0 and row.compensation_at_risk_count == 0


def test_the_money_at_stake_is_the_summarys_first_line_as_the_workbook_shows_it():
    table = load_exports([SAMPLE / "baidu_keyword_report.csv", SAMPLE / "baidu_search_term_report.csv"])
    a = accounts(table).iloc[0]
    rows = for_account(table, a["platform"], a["account"], a["currency"])
    sheet = read_bundle_sheet((SAMPLE / "bundle_map.csv").read_bytes(), "bundle_map.csv")
    clf = account_classifier(rows, "auto")
    model = _model(rows)
    # as the Overview page builds the workbook
    analysis = analyze_account(model.rows(), sheet=sheet, clf=clf, model=model, account=a.to_dict())
    row = portfolio_row(analyze_account(model.rows(), sheet=sheet, clf=clf, model=model), model)
    top = analysis.summary.iloc[0]
    assert row.money_at_stake == pytest.approx(float(top["money_at_stake"]))
    assert row.money_at_stake > 0
    assert (row.top_action_zh, row.top_action_en, row.top_kind) == (top["action_zh"], top["action_en"], top["kind"])
    counts = analysis.counts()
    assert (row.drift_flags, row.over_target, row.landing_red) == (counts["drift_flags"], counts["over_target"],
                                                                  counts["landing_red"])
    risk = analysis.compensation.loc[analysis.compensation["status"] == "at_risk"]
    assert row.compensation_at_risk == pytest.approx(float(risk["amount"].sum()))
    assert row.compensation_at_risk_count == len(risk)
    assert row.over_target > 0 and not math.isnan(row.target_cpa)


def test_the_target_is_the_bundles_targets_weighted_by_conversions():
    t = pd.DataFrame({"bundle": ["A", "B", "C"], "status": ["over_target", "within_target", "learning"],
                      "cost": [800.0, 2400.0, 999.0], "conversions": [10.0, 30.0, 5.0],
                      "target_cpa": [60.0, 100.0, 10.0]})
    target, actual = _targets(t)
    assert target == pytest.approx((60 * 10 + 100 * 30) / 40) and actual == pytest.approx(3200 / 40)


def _row(account: str, money: float, last: str = "2026-12-06", platform: str = "baidu") -> PortfolioRow:
    return PortfolioRow(platform, account, "CNY", pd.Timestamp(last), None, None, 700.0, 7.0, 100.0, 350.0, 7.0, 50.0,
                        80.0, 100.0, 2, "high", 1, 0, 30.0, 1, money, "drift", f"处理 {account}", f"fix {account}", 3)


def test_the_table_sorts_by_money_and_counts_days_old_and_stale_data():
    entries = [Entry(1, "甲", "baidu:a:CNY", _row("a", 100.0)),
               Entry(1, "甲", "baidu:b:CNY", _row("b", float("nan"))),
               Entry(2, "乙", "google_ads:c:USD", _row("c", 900.0, "2026-12-01", "google_ads")),
               Entry(2, "乙", "baidu:d:e:CNY", None, "preparing")]
    t = portfolio_table(entries, pd.Timestamp("2026-12-07"))
    assert list(t["account"]) == ["c", "a", "b", "d:e"]
    assert list(t["status"]) == ["ready", "ready", "ready", "preparing"]
    assert list(t["days_old"])[:3] == [6, 1, 1] and list(t["stale"]) == [True, False, False, False]
    a = t.loc[t["account"] == "a"].iloc[0]
    assert a["spend_change"] == pytest.approx(1.0) and a["cpa_change"] == pytest.approx(1.0)
    assert a["cpa_vs_target"] == pytest.approx(0.25)
    assert list(filter_table(t, workspaces=[1])["account"]) == ["a", "b"]
    assert list(filter_table(t, platforms=["google_ads"])["account"]) == ["c"]
    assert list(filter_table(t, stale_only=True)["account"]) == ["c"]
    assert split_key("baidu:d:e:CNY") == ("baidu", "d:e", "CNY")


# ------------------------------------------------------------------ the store

def test_kept_rows_are_read_in_one_go_and_never_computed(tmp_path):
    with Store.open(None, tmp_path) as s:
        ws = s.create_workspace("甲")
        res = Results(s)
        state = workspace_state(3, "r")
        AccountModel(ws.id, "baidu:a:CNY", (1,), lambda: 1 / 0, res).portfolio(state, lambda: _row("a", 5.0))
        fresh = Results(s)  # another server: nothing in memory
        found = fresh.kept("portfolio", {(ws.id, "baidu:a:CNY"): row_inputs((1,), state),
                                         (ws.id, "baidu:b:CNY"): row_inputs((1,), state)})
        assert list(found) == [(ws.id, "baidu:a:CNY")] and found[(ws.id, "baidu:a:CNY")].money_at_stake == 5.0
        # another data version or another state of the workspace: not found, not computed
        assert fresh.kept("portfolio", {(ws.id, "baidu:a:CNY"): row_inputs((1, 2), state)}) == {}
        assert fresh.kept("portfolio", {(ws.id, "baidu:a:CNY"): row_inputs((1,), workspace_state(4, "r"))}) == {}
        assert fresh.counts["computed"] == 0
        assert s.upload_ids_of([ws.id, 999]) == {ws.id: (), 999: ()}


# ------------------------------------------------------------------ through the app

@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(ui, "DATA_DIR", tmp_path)
    ui.jobs.clear()
    return tmp_path


def _workspace(s: Store, name: str, account: str, scale: float = 1.0, by=None):
    ws = s.create_workspace(name, by=by)
    s.add_upload(ws.id, f"{account}.csv", small_report(account, scale), by)
    return ws


def _open_today(data_dir, session=None, **query):
    at = app_test()
    for k, v in query.items():
        at.query_params[k] = v
    if session is not None:
        at.session_state[ui.K_SESSION] = session
    at.run()
    at.switch_page("pages/today.py").run()
    assert not at.exception, at.exception
    return at


def _wait_prepared(ws_ids, timeout=180):
    deadline = time.time() + timeout
    for w in ws_ids:
        while (status := ui.jobs().status(w)) is None or not status.finished:
            assert time.time() < deadline, f"workspace {w} not prepared"
            time.sleep(0.2)
        assert status.error is None, status.error


def _table(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "link" in d.value.columns)


def test_a_workspace_not_prepared_shows_being_prepared_then_its_rows_and_never_a_stale_row(data_dir):
    with Store.open(None, data_dir) as s:
        ws = _workspace(s, "小店", "小店开锁")
    at = _open_today(data_dir)
    t = _table(at)
    mine = t.loc[t["workspace"] == "小店"]
    assert list(mine["status"]) == ["计算中"] and mine["money"].isna().all()
    assert any("计算中" in i.value for i in at.info)
    _wait_prepared([ws.id])
    at.run()
    mine = _table(at).loc[lambda d: d["workspace"] == "小店"]
    assert list(mine["status"]) == ["已算好"] and mine["spend"].iloc[0] == pytest.approx(1400)
    with Store.open(None, data_dir) as s:  # another optimizer edits the account's lexicon: a new state
        s.set_lexicon_settings(ws.id, "baidu:小店开锁:CNY", language="zh",
                               edits_json=LexiconEdits(added={"stage:phone": ["开锁"]}).to_json())
    at.run()
    mine = _table(at).loc[lambda d: d["workspace"] == "小店"]
    assert list(mine["status"]) == ["计算中"] and mine["spend"].isna().all()  # the old row is not shown as current
    _wait_prepared([ws.id])
    at.run()
    assert list(_table(at).loc[lambda d: d["workspace"] == "小店", "status"]) == ["已算好"]


def _keep_rows(s: Store, ws, rows: dict[str, PortfolioRow]) -> None:
    """Keep a workspace's account list and Today rows as the preparation does."""
    version = s.upload_ids(ws.id)
    res = Results(s)
    res.get(ws.id, "*", "accounts", (version, None), lambda: accounts(s.workspace_table(ws.id).table))
    state = workspace_state(s.get_workspace(ws.id).revision, "")
    for key, row in rows.items():
        AccountModel(ws.id, key, version, lambda: 1 / 0, res).portfolio(state, lambda row=row: row)


def test_the_page_lists_every_account_by_money_links_to_it_and_filters_without_loading_data(data_dir, monkeypatch):
    with Store.open(None, data_dir) as s:
        ui.seed_sample(s)
        sample = s.get_workspace(int(s.setting(ui.SAMPLE_SETTING)))
        a = _workspace(s, "甲客户", "甲开锁")
        b = _workspace(s, "乙客户", "乙开锁")
        _keep_rows(s, a, {"baidu:甲开锁:CNY": _row("甲开锁", 120.0, "2026-11-24")})
        yesterday = str((pd.Timestamp.now() - pd.Timedelta(days=1)).date())
        _keep_rows(s, b, {"baidu:乙开锁:CNY": _row("乙开锁", 800.0, yesterday)})
        keys = [":".join(k) for k in ui.dataset.account_keys(accounts(s.workspace_table(sample.id).table))]
        _keep_rows(s, sample, {k: _row(k.split(":")[1], 50.0, platform=k.split(":")[0]) for k in keys})
    at = app_test()
    at.run()  # the app opens on the Overview (which reads its account's data)
    loaded = []
    real, real_rows = Store.workspace_table, AccountModel.rows
    monkeypatch.setattr(Store, "workspace_table", lambda self, *a, **k: loaded.append(a) or real(self, *a, **k))
    monkeypatch.setattr(AccountModel, "rows", lambda self: pytest.fail("the Today page loaded an account's rows"))
    at.switch_page("pages/today.py").run()
    at.run()  # a second run too: nothing loaded either
    t = _table(at)
    assert loaded == [] and not at.exception
    assert list(t["money"]) == sorted(t["money"], reverse=True) and t["money"].iloc[0] == 800.0
    assert list(t["status"].unique()) == ["已算好"]
    link = urlsplit(t["link"].iloc[0])
    assert link.path == "./" and link.fragment == "百度营销 · 乙开锁 · CNY"
    assert parse_qs(link.query) == {"ws": [str(b.id)], "account": ["baidu:乙开锁:CNY"]}
    assert t["days_old"].iloc[0] == 1
    at.multiselect(key="today_ws").set_value([a.id]).run()
    assert list(_table(at)["workspace"]) == ["甲客户"]
    at.multiselect(key="today_ws").set_value([]).run()
    at.multiselect(key="today_platform").set_value(["google_ads"]).run()
    google = [k for k in keys if k.startswith("google_ads:")]
    assert google and len(_table(at)) == len(google) and all("Google" in x for x in _table(at)["link"])
    at.multiselect(key="today_platform").set_value([]).run()
    at.toggle(key="today_stale").set_value(True).run()
    assert "乙客户" not in set(_table(at)["workspace"])  # its data is from yesterday
    # a link opens the account's overview with its workspace and account chosen (the sample's second account)
    monkeypatch.setattr(Store, "workspace_table", real)
    monkeypatch.setattr(AccountModel, "rows", real_rows)
    ov = app_test()
    ov.query_params["ws"] = str(sample.id)
    ov.query_params["account"] = google[0]
    ov.run()
    assert not ov.exception, ov.exception
    assert ov.session_state[ui.K_CTX].ws.id == sample.id
    box = ov.selectbox(key="overview_account")
    assert keys.index(google[0]) > 0 and box.value == keys.index(google[0])
    assert ov.query_params["account"] == [google[0]] or ov.query_params["account"] == google[0]


def test_an_optimizer_sees_only_the_workspaces_they_are_a_member_of(data_dir):
    with Store.open(None, data_dir) as s:
        ui.seed_sample(s)
        admin = auth.create_user(s, "admin", "correct horse battery", "admin")
        wang = auth.create_user(s, "wang", "correct horse battery", "optimizer")
        mine = _workspace(s, "王的客户", "王开锁", by=wang)
        other = _workspace(s, "别人的客户", "别家开锁", by=admin)
        for ws, acct in ((mine, "王开锁"), (other, "别家开锁")):
            _keep_rows(s, ws, {f"baidu:{acct}:CNY": _row(acct, 10.0)})
        token = auth.start_session(s, wang)
    at = _open_today(data_dir, session=token)
    assert set(_table(at)["workspace"]) == {"王的客户"}
    with Store.open(None, data_dir) as s:
        s.add_member(other.id, wang.id, by=admin)
    at.run()
    assert set(_table(at)["workspace"]) == {"王的客户", "别人的客户"}
