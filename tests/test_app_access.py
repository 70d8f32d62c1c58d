"""Sign-in, roles, workspaces, share links and the client view, through the app (AppTest,
every run through app.py as on the server) against a real SQLite database."""
from __future__ import annotations

import re
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

import tests.apptest  # noqa: F401 - every run goes through app.py
import ui
from optimizer import i18n
from optimizer.store import auth
from optimizer.store.database import Store, sessions_t
from tests.apptest import app_test
from tests.conftest import FIXTURES, capture_downloads

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(ui, "DATA_DIR", tmp_path)
    return tmp_path


@pytest.fixture
def store(data_dir):
    with Store.open(None, data_dir) as s:
        ui.seed_sample(s)
        yield s


def sample(store: Store):
    return store.get_workspace(int(store.setting(ui.SAMPLE_SETTING)))


def other_workspace(store: Store, name="客户B", by=None):
    ws = store.create_workspace(name, by=by)
    p = FIXTURES / "baidu_keyword_daily_gbk.csv"
    store.add_upload(ws.id, p.name, p.read_bytes(), by)
    return ws


def texts(at) -> str:
    """Every text the run showed (titles, markdown, captions, alerts, metrics)."""
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error",
                                  "success") for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def sign_in(at, name: str, password: str = PASSWORD):
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    next(b for b in at.button if "登录" in b.label).click().run()
    assert not at.exception, at.exception
    return at


def open_app(**query):
    at = app_test()
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


# ------------------------------------------------------------------ local mode

def test_with_no_account_the_app_runs_in_local_mode_on_the_sample(store):
    at = open_app()
    assert any("本机模式" in w.value and "users add" in w.value for w in at.sidebar.warning)
    assert at.title[0].value == "账户概览"
    assert "示例账户" in texts(at)
    names = [sample(store).name]
    assert at.selectbox(key=ui.K_WS).options == names


# ------------------------------------------------------------------ sign-in

def test_once_a_user_exists_a_signed_out_visitor_reaches_only_the_sign_in_page(store):
    auth.create_user(store, "admin", PASSWORD, "admin")
    at = open_app()
    assert at.title[0].value == "登录"
    assert not at.metric and not at.dataframe and not at.get("file_uploader")
    for page in ("pages/overview.py", "pages/upload.py", "pages/workspaces.py", "pages/share.py",
                 "pages/client.py"):
        with pytest.raises(ValueError, match="Known pages: .*signin.py'\\]"):  # not in the navigation at all
            at.switch_page(page)
    # a made-up session token in session state gets nothing either
    at.session_state[ui.K_SESSION] = auth.new_token()
    at.run()
    assert at.title[0].value == "登录"


def test_wrong_password_is_refused_and_the_right_one_signs_in(store):
    auth.create_user(store, "wang", PASSWORD, "admin")
    at = sign_in(open_app(), "wang", "not the password")
    assert any("用户名或密码不对" in e.value for e in at.error)
    assert at.title[0].value == "登录"
    sign_in(at, "wang")
    assert at.title[0].value == "账户概览"
    assert any("wang" in c.value for c in at.sidebar.caption)


def test_five_wrong_passwords_lock_the_name_with_a_message(store):
    auth.create_user(store, "wang", PASSWORD, "optimizer")
    at = open_app()
    for _ in range(5):
        sign_in(at, "wang", "wrong password!")
    sign_in(at, "wang")  # even the right password, while locked
    assert any("错误次数太多" in e.value for e in at.error)
    assert at.title[0].value == "登录"


def test_an_expired_session_goes_back_to_sign_in(store):
    auth.create_user(store, "wang", PASSWORD, "analyst")
    at = sign_in(open_app(), "wang")
    assert at.title[0].value == "账户概览"
    with store.engine.begin() as conn:
        conn.execute(sa.update(sessions_t).values(expires_at=store.now() - timedelta(seconds=1)))
    at.run()
    assert at.title[0].value == "登录"
    assert any("登录已过期" in w.value for w in at.warning)


def test_signing_out_ends_the_session(store):
    auth.create_user(store, "wang", PASSWORD, "optimizer")
    at = sign_in(open_app(), "wang")
    token = at.session_state[ui.K_SESSION]
    at.sidebar.button(key="signout").click().run()
    assert at.title[0].value == "登录"
    assert auth.session_user(store, token) is None


def cookie(monkeypatch, jar: dict) -> None:
    """The cookies the browser sent when the page (re)connected (AppTest has no HTTP
    server: st.context.cookies is always empty there)."""
    monkeypatch.setattr(ui, "browser_cookies", lambda: dict(jar))


def test_after_a_refresh_the_session_cookie_signs_in_again(store, monkeypatch):
    user = auth.create_user(store, "wang", PASSWORD, "admin")
    token = auth.start_session(store, user)
    cookie(monkeypatch, {auth.SESSION_COOKIE: token})
    at = open_app()
    assert at.title[0].value == "账户概览"
    assert any("wang" in c.value for c in at.sidebar.caption)
    assert at.session_state[ui.K_SESSION] == token


def test_a_cookie_of_an_ended_session_or_a_disabled_user_signs_nobody_in(store, monkeypatch):
    user = auth.create_user(store, "wang", PASSWORD, "optimizer")
    token = auth.start_session(store, user)
    cookie(monkeypatch, {auth.SESSION_COOKIE: auth.new_token()})
    assert open_app().title[0].value == "登录"
    with store.engine.begin() as conn:
        conn.execute(sa.update(sessions_t).values(last_seen=store.now() - timedelta(hours=2, seconds=1)))
    cookie(monkeypatch, {auth.SESSION_COOKIE: token})
    at = open_app()
    assert at.title[0].value == "登录" and any("登录已过期" in w.value for w in at.warning)
    assert ui.K_SESSION not in at.session_state
    token = auth.start_session(store, user)
    auth.set_disabled(store, "wang", True)
    cookie(monkeypatch, {auth.SESSION_COOKIE: token})
    assert open_app().title[0].value == "登录"


def test_over_https_only_the_host_only_secure_cookie_counts(store, monkeypatch):
    token = auth.start_session(store, auth.create_user(store, "wang", PASSWORD, "admin"))
    for jar, title in (({auth.SESSION_COOKIE: token}, "登录"), ({auth.SESSION_COOKIE_SECURE: token}, "账户概览")):
        cookie(monkeypatch, jar)
        at = app_test()
        at.context["url"] = "https://ads.example.com/"
        at.run()
        assert at.title[0].value == title


def test_signing_in_hands_the_browser_a_one_time_code_for_the_cookie(store):
    auth.create_user(store, "wang", PASSWORD, "optimizer")
    at = sign_in(open_app(), "wang")
    token = at.session_state[ui.K_SESSION]
    scripts = [h for h in at.html if auth.COOKIE_ROUTE in h.proto.body]
    assert len(scripts) == 1 and scripts[0].proto.unsafe_allow_javascript
    body = scripts[0].proto.body
    assert token not in body
    code = re.search(r'body: "([A-Za-z0-9_-]+)"', body).group(1)
    assert auth.redeem_cookie_code(store, code)[0] == token
    at.run()  # handed over once: the next run does not repeat it
    assert not [h for h in at.html if auth.COOKIE_ROUTE in h.proto.body]


def test_signing_out_clears_the_cookie_and_ignores_the_one_sent_on_connecting(store, monkeypatch):
    token = auth.start_session(store, auth.create_user(store, "wang", PASSWORD, "optimizer"))
    cookie(monkeypatch, {auth.SESSION_COOKIE: token})  # stays in st.context until the page reloads
    at = open_app()
    at.sidebar.button(key="signout").click().run()
    assert at.title[0].value == "登录" and auth.session_user(store, token) is None
    assert not any("登录已过期" in w.value for w in at.warning)
    assert [h for h in at.html if auth.COOKIE_ROUTE in h.proto.body and "DELETE" in h.proto.body]
    at.run()
    assert at.title[0].value == "登录" and not any("登录已过期" in w.value for w in at.warning)


# ------------------------------------------------------------------ roles

def test_an_optimizer_sees_only_their_own_workspaces_even_when_tampering(store):
    wang = auth.create_user(store, "wang", PASSWORD, "optimizer")
    auth.create_user(store, "li", PASSWORD, "optimizer")
    mine = other_workspace(store, "王的客户", by=wang)
    theirs = other_workspace(store, "别人的客户")
    at = sign_in(open_app(), "wang")
    assert at.selectbox(key=ui.K_WS).options == ["王的客户"]
    assert at.session_state[ui.K_CTX].ws.id == mine.id
    # a workspace id from session state or the URL that is not theirs changes nothing
    for other in (theirs.id, sample(store).id, str(theirs.id), "1 OR 1=1", -1):
        at.query_params["ws"] = str(other)
        at.session_state[ui.K_WS_NEXT] = other
        at.run()
        assert not at.exception
        assert at.session_state[ui.K_CTX].ws.id == mine.id
        assert "别人的客户" not in texts(at) and "示例账户" not in texts(at)
    # li has none: told so, sees no data
    at2 = sign_in(open_app(), "li")
    assert any("还没有可以查看的工作区" in i.value for i in at2.info)
    assert not at2.metric


def test_an_analyst_reads_but_gets_no_upload_or_delete_controls(store):
    analyst = auth.create_user(store, "zhao", PASSWORD, "analyst")
    at = sign_in(open_app(), "zhao")
    assert at.title[0].value == "账户概览" and at.metric  # reads the sample
    at.switch_page("pages/upload.py").run()
    assert not at.get("file_uploader")
    assert any("只能查看和下载" in i.value for i in at.info)
    at.switch_page("pages/workspaces.py").run()
    assert not at.exception
    assert not any(b.key == "ws_delete" for b in at.button)
    assert not at.get("text_input")  # no create, no delete confirmation
    assert at.get("download_button")  # may export
    at.switch_page("pages/share.py").run()
    assert not at.get("file_uploader") and not any("生成链接" in b.label for b in at.button)
    access = auth.Access(store, analyst)
    ws = sample(store)
    p = FIXTURES / "baidu_keyword_daily_gbk.csv"
    with pytest.raises(auth.PermissionDenied):
        access.upload(ws.id, p.name, p.read_bytes())
    with pytest.raises(auth.PermissionDenied):
        access.delete_workspace(ws.id, ws.name)
    with pytest.raises(auth.PermissionDenied):
        access.delete_upload(ws.id, store.list_uploads(ws.id)[0].id)


# ------------------------------------------------------------------ share links

def _share(store, ws, **kw):
    admin = store.user_by_name("boss") or auth.create_user(store, "boss", PASSWORD, "admin")
    return auth.create_share(store, admin, ws.id, **kw)


def test_a_share_link_shows_its_workspace_alone_whatever_is_tampered(store):
    a = sample(store)
    b = other_workspace(store)
    _, token = _share(store, a, label="给王老板")
    at = open_app(share=token)
    assert at.title[0].value == a.name
    assert not at.get("file_uploader") and not at.sidebar.selectbox
    shown = texts(at)
    assert "花费" in shown and "线索" in shown and "每条线索成本" in shown
    # tampering with the URL and session state
    for tamper in ({"query": ("ws", str(b.id))}, {"state": (ui.K_WS, b.id)}, {"state": (ui.K_WS_NEXT, b.id)},
                   {"query": ("workspace", str(b.id))}, {"state": (ui.K_SESSION, auth.new_token())}):
        if "query" in tamper:
            at.query_params[tamper["query"][0]] = tamper["query"][1]
        else:
            at.session_state[tamper["state"][0]] = tamper["state"][1]
        at.run()
        assert not at.exception
        assert at.session_state[ui.K_CTX].ws.id == a.id
        assert at.title[0].value == a.name and b.name not in texts(at)
    # no other page exists for the visitor
    with pytest.raises(ValueError, match="Known pages: .*client.py'\\]"):
        at.switch_page("pages/upload.py")
    # the link for B shows B, never A
    _, token_b = _share(store, b)
    at_b = open_app(share=token_b)
    assert at_b.title[0].value == b.name and a.name not in texts(at_b)


def test_revoked_and_expired_links_are_refused_with_a_clear_message(store, monkeypatch):
    a = sample(store)
    link, token = _share(store, a)
    at = open_app(share=token)
    assert at.title[0].value == a.name
    store.revoke_share_link(a.id, link.id)
    at.run()  # an open page stops working at once
    assert at.title[0].value == "无法打开这个看板"
    assert any("已被撤销" in e.value for e in at.error) and not at.metric
    link2, token2 = _share(store, a, expires_in=timedelta(minutes=1))
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE share_links SET expires_at = :t WHERE id = :i"),
                     {"t": (store.now() - timedelta(seconds=1)).replace(tzinfo=None), "i": link2.id})
    at2 = open_app(share=token2)
    assert any("已过期" in e.value for e in at2.error) and not at2.metric


def test_wrong_tokens_are_rate_limited(store):
    a = sample(store)
    _, token = _share(store, a)
    for _ in range(10):
        at = open_app(share=auth.new_token())
        assert any("无效" in e.value or "次数太多" in e.value for e in at.error)
    at = open_app(share=token)  # the source is locked: even a good link waits
    assert any("尝试次数太多" in e.value for e in at.error)
    assert not at.metric


def test_a_wrong_link_counts_once_however_often_its_page_reruns(store):
    """A client clicking around the refusal page (language switch, reruns) must not
    lock the address for every other link."""
    a = sample(store)
    _, token = _share(store, a)
    at = open_app(share=auth.new_token())
    for lang in ("en", "zh") * 6:
        at.radio(key="lang").set_value(lang).run()
        assert not at.exception
    assert any("not valid" in e.value or "无效" in e.value for e in at.error)
    assert not any("次数太多" in e.value or "Too many" in e.value for e in at.error)
    good = open_app(share=token)
    assert good.title[0].value == a.name and good.metric


def test_the_client_view_shows_spend_leads_cost_per_lead_and_notes(store):
    a = sample(store)
    store.add_note(a.id, date(2026, 11, 20), "暂停了询价词：花钱多、来电少。")
    _, token = _share(store, a)
    at = open_app(share=token)
    at.segmented_control(key="client_period").set_value("all").run()
    labels = {m.label: m.value for m in at.metric}
    assert set(labels) == {"花费", "线索", "每条线索成本"}
    assert labels["花费"].startswith("¥")
    assert len(at.get("plotly_chart")) == 1
    assert "暂停了询价词：花钱多、来电少。" in texts(at) and "2026-11-20" in texts(at)
    assert not at.get("download_button")  # not allowed by this link
    _, token_dl = _share(store, a, allow_download=True)
    at_dl = open_app(share=token_dl)
    assert len(at_dl.get("download_button")) == 1
    at_dl.radio(key="lang").set_value("en").run()
    assert {m.label for m in at_dl.metric} == {"Spend", "Leads", "Cost per lead"}


def test_the_client_view_marks_short_weeks_and_compares_like_with_like(store, monkeypatch):
    # the sample ends on Tuesday 11-24, Baidu's last day (its leads still arriving)
    files = capture_downloads(monkeypatch)
    _, token = _share(store, sample(store), allow_download=True)
    at = open_app(share=token)  # last 30 days: 10-26 (a Monday) to 11-24
    compare, weeks = (t.value for t in at.table)
    assert weeks.columns.tolist() == ["周（起）", "花费", "线索", "每条线索成本"]
    assert weeks.iloc[0].tolist() == ["11-23 起（已有 2 天） *", "¥15,299", "127", "¥102"]  # 8,474.28 / 83 on 11-23
    assert weeks.iloc[1:, 0].tolist() == ["11-16", "11-09", "11-02", "10-26"]
    assert "\\* 11-24 的线索可能还没统计完，这一周的每条线索成本没有算这一天。" in texts(at)
    # one complete day of this week says little: the last two whole weeks are compared
    assert "**最近一整周，对比前一周**" in texts(at)
    assert compare.columns.tolist() == [" ", "11-16–11-22", "11-09–11-15", "变化"]
    assert compare.iloc[:, 0].tolist() == ["花费", "线索", "每条线索成本"]
    # the daily CSV: UTF-8 with BOM, money to the cent, counts as integers
    data = files[at.get("download_button")[0].proto.url]
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "日期,花费,点击,线索,每条线索成本"
    assert lines[-1] == "2026-11-24,6824.56,748,44,155.10"  # not 6824.559999999999, 748.0, 44.0
    assert len(lines) == 1 + 30
    for line in lines[1:]:
        day, cost, clicks, leads, cpl = line.split(",")
        assert re.fullmatch(r"2026-\d\d-\d\d", day) and re.fullmatch(r"\d+\.\d\d", cost)
        assert re.fullmatch(r"\d+", clicks) and re.fullmatch(r"\d+", leads)
        assert re.fullmatch(r"(\d+\.\d\d)?", cpl)  # blank on a day without leads
    # the headline cost per lead is over the complete days, as the weeks are (11-24 left out)
    days = [line.split(",") for line in lines[1:-1]]
    whole = sum(float(d[1]) for d in days) / sum(int(d[3]) for d in days)
    assert {m.label: m.value for m in at.metric}["每条线索成本"] == i18n.money(whole, "CNY", 0)
    assert "每条线索成本没有算 11-24：这一天的线索还没统计完。" in texts(at)
    # the sample ends on 11-24: read later than a weekend after, the client is told how old it is
    age = (date.today() - date(2026, 11, 24)).days
    stale = f"数据只到 2026-11-24，是 {age} 天前的：最近的投放情况还没有更新到这里。"
    assert (stale in texts(at)) == (age > 3)
    at.segmented_control(key="client_period").set_value("7").run()  # 11-18 (a Wednesday) to 11-24
    assert at.table[1].value.iloc[:, 0].tolist() == ["11-23 起（已有 2 天） *", "11-18 起（仅 5 天）"]
    at.radio(key="lang").set_value("en").run()
    assert at.table[1].value.iloc[0, 0] == "11-23 · 2/7 days in the data *"
    assert at.table[0].value.columns.tolist()[-1] == "Change"


# ------------------------------------------------------------------ workspaces, notes, persistence

def test_workspaces_are_created_shared_noted_and_deleted_with_their_name(store):
    at = open_app()
    at.switch_page("pages/workspaces.py").run()
    at.text_input(key="ws_new_name").input("北京安心开锁")
    next(b for b in at.button if "新建工作区" in b.label).click().run()
    assert not at.exception
    ws = store.workspace_by_name("北京安心开锁")
    assert ws is not None and at.session_state[ui.K_CTX].ws.id == ws.id
    # notes and a link on the share page
    at.switch_page("pages/share.py").run()
    at.text_area(key="note_text").input("加了否定词“免费”。")
    next(b for b in at.button if "添加记录" in b.label).click().run()
    assert [n.text for n in store.notes(ws.id)] == ["加了否定词“免费”。"]
    at.text_input(key="share_label").input("给王老板")
    next(b for b in at.button if "生成链接" in b.label).click().run()
    assert not at.exception
    link_text = at.code[0].value
    assert "/?share=" in link_text
    token = link_text.split("share=")[1]
    assert auth.open_share(store, token).workspace_id == ws.id
    assert [lk.label for lk in store.share_links(ws.id)] == ["给王老板"]
    at.button(key="share_revoke").click().run()
    assert store.share_links(ws.id)[0].revoked_at is not None
    # delete: the button waits for the exact name
    at.switch_page("pages/workspaces.py").run()
    assert at.button(key="ws_delete").disabled
    at.text_input(key=f"ws_delete_name_{ws.id}").input("北京安心开锁").run()
    at.button(key="ws_delete").click().run()
    assert not at.exception
    assert store.workspace_by_name("北京安心开锁") is None


def test_uploads_survive_a_refresh_and_a_server_restart(store, data_dir):
    at = open_app()
    at.switch_page("pages/upload.py").run()
    at.text_input(key="upload_new_ws").input("客户C")
    p = FIXTURES / "baidu_keyword_daily_gbk.csv"
    at.file_uploader(key="upload_files").set_value([(p.name, p.read_bytes(), "text/csv")]).run()
    assert not at.exception
    ws = store.workspace_by_name("客户C")
    assert [u.file_name for u in store.list_uploads(ws.id)] == [p.name]
    # a refresh: a new session, the workspace kept in the URL
    ui._open_store.clear()  # and a restart: the server's store is opened again
    again = open_app(ws=str(ws.id))
    assert again.session_state[ui.K_CTX].ws.id == ws.id
    assert again.selectbox(key="overview_account").options[0].startswith("百度营销")
    spend = next(m for m in again.metric if m.label == "消费")
    assert spend.value == "¥3,259"


def test_a_new_workspace_whose_name_is_taken_says_the_name_it_got(store):
    store.create_workspace("客户C")
    at = open_app()
    at.switch_page("pages/upload.py").run()
    at.text_input(key="upload_new_ws").input("客户C")
    p = FIXTURES / "baidu_keyword_daily_gbk.csv"
    at.file_uploader(key="upload_files").set_value([(p.name, p.read_bytes(), "text/csv")]).run()
    assert not at.exception, at.exception
    ws = store.workspace_by_name("客户C (2)")
    assert [u.file_name for u in store.list_uploads(ws.id)] == [p.name]
    assert store.list_uploads(store.workspace_by_name("客户C").id) == []
    said = texts(at)
    assert "已经有叫「客户C」的工作区" in said and "「客户C (2)」" in said, said


def test_two_uploads_to_one_workspace_at_once_lose_and_duplicate_nothing(store):
    ws = store.create_workspace("并发")
    access = auth.Access(store, auth.create_user(store, "wang", PASSWORD, "admin"))
    p = FIXTURES / "baidu_keyword_daily_gbk.csv"
    data = p.read_bytes()
    other = data.replace(b"2026", b"2025")  # another week's file: different checksum and dates
    barrier = threading.Barrier(4)
    errors = []

    def go(name, payload):
        try:
            barrier.wait()
            access.upload(ws.id, name, payload)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=go, args=a) for a in
               (("a.csv", data), ("b.csv", other), ("a_again.csv", data), ("b_again.csv", other))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    ups = store.list_uploads(ws.id)
    assert sorted(u.checksum for u in ups) == sorted({u.checksum for u in ups}) and len(ups) == 2
    assert len(store.workspace_table(ws.id).table) == 22


# ------------------------------------------------------------------ notes as typed

NOTE = ("**暂停**了 <b>询价词</b> <img src=x onerror=alert(1)>\n"
        "# 不是标题\n1. 不是列表\n出价 $5 → $4，:red[不是红字] :material/home: [链接](javascript:alert(1))\n"
        "    缩进_下划线_ ~~删除~~ &lt;")
#: what Streamlit's markdown acts on (CommonMark, GFM, math, colour and icon directives, entities)
_ACTIVE = set("\\`*_{}[]()#+-.!|<>~$:&=^/")


def _shown_as_typed(source: str, typed: str) -> None:
    """``source`` (given to st.markdown) shows ``typed`` character for character: every
    character markdown would act on is escaped, each line break is a hard break."""
    lines = source.split("  \n")
    assert len(lines) == len(typed.splitlines()), source
    for shown, line in zip(lines, typed.splitlines()):
        out, i = [], 0
        while i < len(shown):
            ch = shown[i]
            if ch == "\\":
                out.append(shown[i + 1])
                i += 2
                continue
            assert ch not in _ACTIVE, (ch, shown)
            out.append(" " if ch == "\u00a0" else ch)
            i += 1
        assert "".join(out) == line, (shown, line)


def test_a_note_shows_exactly_as_typed_to_the_client_and_on_the_share_page(store):
    # one behaviour everywhere: a note is plain text (no markdown, no HTML: nothing a note
    # says can restyle or script the client's page), with its line breaks
    a = sample(store)
    store.add_note(a.id, date(2026, 11, 20), NOTE)
    _, token = _share(store, a)
    at = open_app(share=token)
    client = [m.value for m in at.markdown if "询价词" in m.value]
    assert len(client) == 1, client
    _shown_as_typed(client[0], NOTE)
    at = sign_in(open_app(), "boss")
    at.switch_page("pages/share.py").run()
    assert not at.exception
    mine = [m.value for m in at.markdown if "询价词" in m.value]
    assert len(mine) == 1, mine
    _shown_as_typed(mine[0].split("\n\n", 1)[1], NOTE)


def _make_link(monkeypatch, public: str | None):
    if public is None:
        monkeypatch.delenv(auth.PUBLIC_URL_ENV, raising=False)
    else:
        monkeypatch.setenv(auth.PUBLIC_URL_ENV, public)
    at = app_test()
    at.context["url"] = "http://localhost:8501/share"
    at.run()
    at.switch_page("pages/share.py").run()
    pick = at.multiselect(key="share_accounts")  # the sample holds two accounts: the link shows those chosen
    pick.set_value(pick.options)
    next(b for b in at.button if "生成链接" in b.label).click().run()
    assert not at.exception, at.exception
    return at


def test_a_link_on_a_loopback_address_says_it_opens_only_on_this_computer(store, monkeypatch):
    at = _make_link(monkeypatch, None)
    assert at.code[0].value.startswith("http://localhost:8501/?share=")
    warned = [w.value for w in at.warning if "OPTIMIZER_PUBLIC_URL" in w.value]
    assert len(warned) == 1 and "只能在这台电脑上打开" in warned[0]
    # the operator's public address: the link to send, no warning
    at = _make_link(monkeypatch, "https://ads.example.com")
    assert at.code[0].value.startswith("https://ads.example.com/?share=")
    assert not [w for w in at.warning if "OPTIMIZER_PUBLIC_URL" in w.value]
    # a setting that is no address is named
    at = _make_link(monkeypatch, "ads.example.com")
    assert any("ads.example.com" in w.value and "不是网址" in w.value for w in at.warning)
