"""Alerts (optimizer.notify): each channel gets the body its platform's robot API expects
(a local HTTP receiver, a local SMTP server), DingTalk's and Feishu's signatures, no
event twice, a failed send retried with backoff, recorded failed, shown, and sent by the
next run; the audit's SSRF guard refuses internal receivers unless allowed; secrets are
sealed and shown masked; the Alerts page; the migration from the previous schema; the
command line."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import urllib.parse
from datetime import datetime, timezone
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from optimizer.notify import channels, dispatch, messages
from optimizer.notify.messages import BadInput
from optimizer.notify.sealing import Sealer
from optimizer.store import auth
from optimizer.store.database import Store, migrate, schema_version
from optimizer.store.engine import create_engine, database_url

# 2026-11-25 10:30 in Beijing: after the default 09:00 digest time
NOW = datetime(2026, 11, 25, 2, 30, tzinfo=timezone.utc)
TS = 1_764_037_800.0  # the signing time given to the channels (seconds)
TOKEN = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"


class Clock:
    def __init__(self) -> None:
        self.t = NOW

    def __call__(self) -> datetime:
        return self.t


@pytest.fixture
def db(tmp_path):
    s = Store.open(None, tmp_path / "data", clock=Clock())
    ws = s.create_workspace("安心开锁")
    s.create_workspace("另一个客户")
    s.ws_id = ws.id
    yield s
    s.close()


@pytest.fixture
def sealer():
    return Sealer(Fernet.generate_key())


class Receiver:
    """A local HTTP server that records each POST and answers from a queue (default: 200, errcode 0)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, answer = outer.answers.pop(0) if outer.answers else (200, {"errcode": 0, "errmsg": "ok",
                                                                                    "code": 0, "msg": "success"})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def json(self, i: int) -> dict:
        return json.loads(self.requests[i]["body"])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def allowed(*hosts: str):
    return channels.guard_settings(environ={}, allowed_hosts=hosts)


def portfolio(db) -> pd.DataFrame:
    return pd.DataFrame([
        {"workspace_id": db.ws_id, "workspace": "安心开锁", "account": "北京安心开锁", "currency": "CNY",
         "last_day": "2026-11-24", "days_old": 1, "spend": 3400.0, "spend_prev": 3000.0, "cpa": 120.0,
         "cpa_prev": 100.0, "cpa_target": 100.0, "drift_events": 3, "bundles_over_target": 1, "red_pages": 2,
         "compensation_at_risk": 500.0, "money_at_stake": 12000.0},
        {"workspace_id": db.ws_id, "workspace": "安心开锁", "account": "上海安心开锁", "currency": "CNY",
         "money_at_stake": 800.0},
    ])


def events(db, extra: list[dict] | None = None) -> pd.DataFrame:
    base = [
        {"kind": "drift", "severity": "high", "workspace_id": db.ws_id, "workspace": "安心开锁",
         "account": "北京安心开锁", "level": "campaign", "entity": "开锁-电话词", "metric": "cpc",
         "start": "2026-10-20", "money_at_stake": 11170.0, "currency": "CNY",
         "headline_zh": "开锁-电话词（推广计划）：点击价格自 2026-10-20 起上升 39%，至今已多花 ¥11,170",
         "headline_en": "开锁-电话词 (campaign): CPC up 39% since 2026-10-20, ¥11,170 at stake so far"},
        {"kind": "drift", "severity": "medium", "workspace_id": db.ws_id, "workspace": "安心开锁",
         "account": "北京安心开锁", "level": "campaign", "entity": "换锁", "metric": "cvr", "start": "2026-11-01",
         "money_at_stake": 900.0, "headline_zh": "换锁：转化率下降", "headline_en": "换锁: CVR down"},
        {"kind": "landing", "severity": "red", "workspace_id": db.ws_id, "workspace": "安心开锁",
         "account": "北京安心开锁", "url": "https://m.anxin.cn/kaisuo", "reasons_zh": "没有电话按钮",
         "reasons_en": "no call button", "money_at_stake": 2300.0},
    ]
    return pd.DataFrame(base + (extra or []))


def send(db, sealer, settings, rows=None, ev=None, **kw):
    kw.setdefault("sleep", lambda s: None)
    return dispatch.send_alerts(db, dispatch.ALL, rows, ev, db.now(), settings=settings, sealer=sealer,
                                timestamp=lambda: TS, **kw)


# ---------------------------------------------------------------------- bodies and signatures

def test_dingtalk_signature_is_the_documented_hmac_sha256_of_timestamp_and_secret():
    secret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
    ts = 1_700_000_000_123
    # DingTalk's documented Python sample: string_to_sign = timestamp + "\n" + secret, HmacSHA256 keyed by the
    # secret, Base64, then URL-encoded into &timestamp=…&sign=…
    expected = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest())
    assert channels.dingtalk_sign(secret, ts) == expected.decode()
    msg = messages.compose("test", [{"key": "k", "md": "", "text": ""}], "zh")
    url, body, _ = channels.request_for("dingtalk", {"url": "https://oapi.dingtalk.com/robot/send?access_token=x",
                                                     "secret": secret}, msg, ts / 1000)
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert q["access_token"] == ["x"] and q["timestamp"] == [str(ts)] and q["sign"] == [expected.decode()]
    assert "%2B" in url or "%2F" in url or "%3D" in url  # the base64 is URL-encoded, not raw
    assert json.loads(body) == {"msgtype": "markdown", "markdown": {"title": "测试消息", "text": msg.markdown}}


def test_feishu_signature_keys_hmac_with_timestamp_and_secret_over_an_empty_message():
    expected = base64.b64encode(hmac.new(b"1700000000\nabc", b"", hashlib.sha256).digest()).decode()
    assert channels.feishu_sign("abc", 1_700_000_000) == expected


def test_each_channel_gets_the_body_its_robot_api_expects(db, sealer, receiver):
    for kind, path, secret in [("wecom", "/cgi-bin/webhook/send?key=" + TOKEN, ""),
                               ("dingtalk", "/robot/send?access_token=" + TOKEN, "SECding0123456789"),
                               ("feishu", "/open-apis/bot/v2/hook/" + TOKEN, "feishu-secret-0123"),
                               ("webhook", "/hook", "hook-secret-0123456")]:
        dispatch.add_channel(db, None, kind, kind, {"url": receiver.url(path), "secret": secret}, sealer)
    report = send(db, sealer, allowed("127.0.0.1"), portfolio(db), events(db))
    assert report.failed == 0 and report.sent == 8  # a digest and an alert on each channel
    by_path: dict[str, list[dict]] = {}
    for r in receiver.requests:
        by_path.setdefault(urllib.parse.urlsplit(r["path"]).path, []).append(r)

    digest, alert = (json.loads(r["body"]) for r in by_path["/cgi-bin/webhook/send"])
    assert digest["msgtype"] == "markdown" and set(digest["markdown"]) == {"content"}
    assert "今日待办 · 2026-11-25" in digest["markdown"]["content"]
    assert digest["markdown"]["content"].index("北京安心开锁") < digest["markdown"]["content"].index("上海安心开锁")
    assert "涉及金额 ¥12,000" in digest["markdown"]["content"] and "较上期 +13%" in digest["markdown"]["content"]
    text = alert["markdown"]["content"]
    assert "需要立即处理：2 件" in text and "点击价格自 2026-10-20 起上升 39%" in text and "没有电话按钮" in text
    assert "换锁" not in text  # medium severity: the digest's, not an immediate alert

    ding = by_path["/robot/send"][1]
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(ding["path"]).query)
    ms = int(TS * 1000)
    assert q["timestamp"] == [str(ms)] and q["sign"] == [channels.dingtalk_sign("SECding0123456789", ms)]
    body = json.loads(ding["body"])
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "需要立即处理：2 件"

    fei = json.loads(by_path[f"/open-apis/bot/v2/hook/{TOKEN}"][1]["body"])
    assert fei["msg_type"] == "interactive" and fei["timestamp"] == str(int(TS))
    assert fei["sign"] == channels.feishu_sign("feishu-secret-0123", int(TS))
    assert fei["card"]["header"]["template"] == "red"
    assert fei["card"]["elements"][0]["text"]["tag"] == "lark_md"

    hook = by_path["/hook"][1]
    sig = hmac.new(b"hook-secret-0123456", hook["body"], hashlib.sha256).hexdigest()
    assert hook["headers"]["X-Optimizer-Signature"] == "sha256=" + sig
    payload = json.loads(hook["body"])
    assert payload["kind"] == "alert" and [i["severity"] for i in payload["items"]] == ["high", "red"]


def test_the_english_user_gets_english_messages(db, sealer, receiver):
    dispatch.add_channel(db, None, "webhook", "hook", {"url": receiver.url("/h")}, sealer)
    dispatch.save_prefs(db, None, {"lang": "en", "immediate": ["high", "medium"]})
    send(db, sealer, allowed("127.0.0.1"), portfolio(db), events(db))
    digest, alert = receiver.json(0), receiver.json(1)
    assert digest["title"] == "Today's to-do · 2026-11-25" and "¥12,000 at stake" in digest["text"]
    assert alert["title"] == "To act on now: 2" and "CPC up 39%" in alert["text"] and "CVR down" in alert["text"]


def test_the_digest_waits_for_the_users_digest_time_in_their_time_zone(db, sealer, receiver):
    dispatch.add_channel(db, None, "webhook", "hook", {"url": receiver.url("/h")}, sealer)
    dispatch.save_prefs(db, None, {"digest_time": "11:00"})  # 10:30 in Beijing: not yet
    send(db, sealer, allowed("127.0.0.1"), portfolio(db), None)
    assert receiver.requests == []
    db._clock.t = NOW.replace(hour=3, minute=5)  # 11:05 in Beijing
    send(db, sealer, allowed("127.0.0.1"), portfolio(db), None)
    assert [receiver.json(i)["kind"] for i in range(len(receiver.requests))] == ["digest"]


def test_email_goes_out_through_smtp(db, sealer):
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.envelopes.append(envelope)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        dispatch.add_channel(db, None, "email", "邮箱", {
            "host": "127.0.0.1", "port": port, "security": "none", "sender": "alerts@agency.cn",
            "recipients": "wang@agency.cn, li@agency.cn"}, sealer)
        report = send(db, sealer, allowed(f"127.0.0.1:{port}"), portfolio(db), events(db))
    finally:
        controller.stop()
    assert report.sent == 2 and report.failed == 0
    digest = handler.envelopes[0]
    assert digest.mail_from == "alerts@agency.cn" and digest.rcpt_tos == ["wang@agency.cn", "li@agency.cn"]
    mail = message_from_bytes(digest.content, policy=policy.default)
    assert mail["Subject"] == "今日待办 · 2026-11-25"
    assert "北京安心开锁" in mail.get_content() and "**" not in mail.get_content()


# ---------------------------------------------------------------------- once, retries, failures

def test_no_event_is_sent_twice_to_a_channel(db, sealer, receiver):
    dispatch.add_channel(db, None, "wecom", "群", {"url": receiver.url("/w")}, sealer)
    send(db, sealer, allowed("127.0.0.1"), portfolio(db), events(db))
    assert len(receiver.requests) == 2
    send(db, sealer, allowed("127.0.0.1"), portfolio(db), events(db))  # the same day, the same events
    assert len(receiver.requests) == 2
    # the same flag with more money at stake is the same event; a change starting another day is a new one
    more = events(db, [{"kind": "drift", "severity": "high", "workspace_id": db.ws_id, "workspace": "安心开锁",
                        "account": "北京安心开锁", "level": "campaign", "entity": "开锁-电话词", "metric": "cpc",
                        "start": "2026-11-20", "money_at_stake": 3000.0, "headline_zh": "新的一次上涨"}])
    more.loc[0, "money_at_stake"] = 15000.0
    send(db, sealer, allowed("127.0.0.1"), portfolio(db), more)
    assert len(receiver.requests) == 3
    content = receiver.json(2)["markdown"]["content"]
    assert "新的一次上涨" in content and "需要立即处理：1 件" in content


def test_a_failed_send_is_retried_with_backoff_recorded_and_sent_by_the_next_run(db, sealer, receiver):
    ch = dispatch.add_channel(db, None, "dingtalk", "钉钉群", {"url": receiver.url("/robot/send")}, sealer)
    receiver.answers = [(500, {})] * 3 + [(200, {"errcode": 310000, "errmsg": "sign not match"})] * 3
    pauses: list[float] = []
    report = send(db, sealer, allowed("127.0.0.1"), portfolio(db), events(db), sleep=pauses.append)
    assert report.failed == 2 and report.sent == 0
    assert pauses == [1.0, 2.0, 1.0, 2.0]  # 3 tries each, the pause doubling
    log = {r.kind: r for r in db.alert_log(None)}
    assert log["digest"].status == log["alert"].status == "failed"
    assert log["digest"].attempts == 3 and log["digest"].error == "http_status: HTTP 500"
    assert log["alert"].error == "rejected: 310000 sign not match"
    assert "加签" in channels.error_text(log["alert"].error, "zh")

    receiver.requests.clear()
    report = send(db, sealer, allowed("127.0.0.1"), None, None)  # no new input: the failed ones go out
    assert report.sent == 2 and len(receiver.requests) == 2
    rows = db.alert_log(None)  # one row per event key: the digest and the two alerted events
    assert [r.status for r in rows] == ["sent"] * 3 and [r.attempts for r in rows] == [4] * 3
    send(db, sealer, allowed("127.0.0.1"), portfolio(db), events(db))
    assert len(receiver.requests) == 2  # and never again
    assert ch.id == db.alert_log(None)[0].channel_id


def test_a_send_left_pending_by_a_stopped_run_is_sent_later(db, sealer, receiver):
    ch = dispatch.add_channel(db, None, "webhook", "hook", {"url": receiver.url("/h")}, sealer)
    item = messages.event_items(events(db), "zh")[0]
    db.claim_alert(ch.id, item["key"], "alert", item)  # claimed, then the run died
    page = messages.event_items(events(db), "zh")[1]
    send(db, sealer, allowed("127.0.0.1"), None, events(db))
    assert [i["key"] for i in receiver.json(0)["items"]] == [page["key"]]  # the claimed one: another run may be
    db._clock.t = NOW.replace(hour=3)                                       # sending it; 30 minutes on, it is due
    send(db, sealer, allowed("127.0.0.1"), None, events(db))
    assert len(receiver.requests) == 2 and [i["key"] for i in receiver.json(1)["items"]] == [item["key"]]


def test_a_table_without_a_needed_column_is_refused_before_anything_is_sent(db, sealer, receiver):
    dispatch.add_channel(db, None, "webhook", "hook", {"url": receiver.url("/h")}, sealer)
    with pytest.raises(BadInput, match="workspace_id"):
        send(db, sealer, allowed("127.0.0.1"), portfolio(db).drop(columns="workspace_id"), events(db))
    assert receiver.requests == [] and db.alert_log(None) == []


def test_a_user_is_alerted_only_about_workspaces_they_may_view(db, sealer, receiver):
    admin = auth.create_user(db, "boss", "a-long-password-1", "admin")
    wang = auth.create_user(db, "wang", "a-long-password-2", "optimizer")
    other = db.workspace_by_name("另一个客户")
    db.add_member(other.id, wang.id)
    dispatch.add_channel(db, wang.id, "webhook", "wang", {"url": receiver.url("/wang")}, sealer)
    dispatch.add_channel(db, admin.id, "webhook", "boss", {"url": receiver.url("/boss")}, sealer)
    dispatch.add_channel(db, None, "webhook", "local", {"url": receiver.url("/local")}, sealer)  # local mode's
    send(db, sealer, allowed("127.0.0.1"), portfolio(db), events(db))
    paths = [r["path"] for r in receiver.requests]
    assert paths.count("/boss") == 2 and "/wang" not in paths and "/local" not in paths


# ---------------------------------------------------------------------- SSRF

def test_internal_receivers_are_refused_unless_the_operator_allows_them(db, sealer, receiver):
    dispatch.add_channel(db, None, "wecom", "群", {"url": receiver.url("/w")}, sealer)
    dispatch.add_channel(db, None, "email", "邮箱", {"host": "127.0.0.1", "port": 2525, "security": "none",
                                                     "sender": "a@agency.cn", "recipients": "b@agency.cn"}, sealer)
    report = send(db, sealer, allowed(), portfolio(db), events(db))
    assert receiver.requests == [] and report.sent == 0 and report.failed == 4
    assert all(r["tries"] == 1 and r["error"].startswith("blocked_address: 127.0.0.1") for r in report.rows)
    assert "OPTIMIZER_ALERTS_ALLOWED_HOSTS" in channels.error_text(report.rows[0]["error"], "en")
    # a name that resolves to a link-local address (cloud metadata) is refused too
    meta = channels.guard_settings(environ={}, resolver=lambda host, port: ["169.254.169.254"])
    with pytest.raises(channels.SendFailed, match="blocked_address"):
        channels.deliver("webhook", {}, {"url": "http://metadata.example.com/x"},
                         messages.compose("test", [{"key": "k", "md": "", "text": ""}]), meta)
    # the operator's allow-list (environment) lets the internal receiver through, and the failed ones go
    env = {channels.ALLOWED_HOSTS_ENV: f"127.0.0.1:{receiver.port}"}
    report = send(db, sealer, channels.guard_settings(environ=env), None, None)
    assert len(receiver.requests) == 2 and report.rows[-1]["status"] == "failed"  # the SMTP host is still refused


# ---------------------------------------------------------------------- secrets

def test_webhook_urls_and_passwords_are_sealed_in_the_database_and_shown_masked(db, sealer, receiver):
    url = receiver.url("/cgi-bin/webhook/send?key=" + TOKEN)
    ch = dispatch.add_channel(db, None, "wecom", "群", {"url": url}, sealer)
    mail = dispatch.add_channel(db, None, "email", "邮箱", {"host": "smtp.agency.cn", "port": 465, "security": "ssl",
                                                            "username": "a", "password": "pw-0123456789xyz",
                                                            "sender": "a@agency.cn", "recipients": "b@agency.cn"},
                                sealer)
    with db.engine.connect() as conn:
        raw = json.dumps([list(r) for r in conn.execute(sa.text("SELECT * FROM alert_channels")).all()], default=str)
    assert TOKEN not in raw and "pw-0123456789xyz" not in raw and TOKEN[-4:] in raw
    assert dispatch.hint_of(ch) == {"url": "••••" + TOKEN[-4:]}
    assert dispatch.hint_of(mail) == {"password": "••••9xyz"}
    # editing without typing the secret keeps it; the other fields change
    dispatch.update_channel(db, None, ch.id, "运营群", {"url": ""}, True, sealer)
    assert sealer.open(db.alert_channel(ch.id).sealed)["url"] == url
    # a key lost or changed: the channel says so, the send is recorded failed, nothing raises
    report = send(db, Sealer(Fernet.generate_key()), allowed("127.0.0.1"), portfolio(db), None)
    assert {r["error"] for r in report.rows} == {"secret_unreadable"}
    # another user's channel is as good as none
    with pytest.raises(LookupError):
        dispatch.delete_channel(db, 12345, ch.id)


def test_the_key_file_is_made_once_and_readable_by_its_owner_only(tmp_path):
    from optimizer.notify.sealing import KEY_ENV, load_key
    key = load_key(tmp_path, environ={})
    assert load_key(tmp_path, environ={}) == key
    assert (tmp_path / "alerts.key").stat().st_mode & 0o077 == 0
    other = Fernet.generate_key()
    assert load_key(tmp_path, environ={KEY_ENV: other.decode()}) == other
    with pytest.raises(ValueError, match=KEY_ENV):
        load_key(tmp_path, environ={KEY_ENV: "not a key"})


def test_what_a_user_types_is_checked_with_a_message_naming_the_field():
    from optimizer.errors import UserError
    with pytest.raises(UserError) as e:
        channels.check_channel("wecom", "群", {"url": "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1"})
    assert "https://" in e.value.message("zh")
    with pytest.raises(UserError) as e:
        channels.check_channel("email", "邮箱", {"host": "smtp.qq.com", "sender": "a@qq.com", "recipients": "b@"})
    assert "“b@”" in e.value.message("zh")
    with pytest.raises(UserError):
        channels.check_channel("dingtalk", " ", {"url": "https://oapi.dingtalk.com/robot/send?access_token=1"})


# ---------------------------------------------------------------------- storage

def test_a_database_at_the_previous_schema_is_upgraded_and_takes_channels(tmp_path, sealer):
    engine = create_engine(database_url(None, tmp_path))
    assert migrate(engine, target=9) == 9
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO users (username, password_hash, role, created_at, password_changed_at, "
                             "disabled) VALUES ('wang', 'x', 'optimizer', '2026-11-01', '2026-11-01', 0)"))
        assert not sa.inspect(conn).has_table("alert_channels")
    engine.dispose()
    db = Store.open(None, tmp_path, clock=Clock())
    assert schema_version(db.engine) == 11
    wang = db.user_by_name("wang")
    ch = dispatch.add_channel(db, wang.id, "webhook", "hook", {"url": "https://hooks.agency.cn/x"}, sealer)
    assert [c.id for c in db.alert_channels(wang.id)] == [ch.id] and db.alert_owners() == [wang.id]
    db.close()


# ---------------------------------------------------------------------- command line

def test_the_command_line_dry_run_says_what_would_go_and_sends_nothing(tmp_path, receiver, monkeypatch):
    import io
    monkeypatch.setenv(channels.ALLOWED_HOSTS_ENV, "127.0.0.1")
    monkeypatch.delenv("OPTIMIZER_DATABASE_URL", raising=False)
    monkeypatch.delenv("OPTIMIZER_ALERTS_KEY", raising=False)
    with Store.open(None, tmp_path) as db:
        ws = db.create_workspace("安心开锁")
        dispatch.add_channel(db, None, "webhook", "hook", {"url": receiver.url("/h")})
        dispatch.save_prefs(db, None, {"digest_time": "00:00"})  # due whatever the time of the run
        db.ws_id = ws.id
        rows = portfolio(db)
    path = tmp_path / "portfolio.csv"
    rows.to_csv(path, index=False)
    out = io.StringIO()
    from optimizer.cli import main
    assert main(["alerts", "--data-dir", str(tmp_path), "send", "--dry-run", "--portfolio", str(path)]) == 0
    code = dispatch.main_alerts(["--data-dir", str(tmp_path), "send", "--dry-run", "--portfolio", str(path)],
                                stdout=out)
    assert code == 0 and receiver.requests == []
    assert "would_send\tlocal\thook\tdigest" in out.getvalue() and "0 sent, 0 failed (dry run)" in out.getvalue()
    out = io.StringIO()
    assert dispatch.main_alerts(["--data-dir", str(tmp_path), "send", "--portfolio", str(path)], stdout=out) == 0
    assert len(receiver.requests) == 1 and "1 sent, 0 failed" in out.getvalue()


# ---------------------------------------------------------------------- the page

def test_the_alerts_page_adds_a_channel_shows_its_secret_masked_and_the_failed_sends(tmp_path, monkeypatch,
                                                                                       receiver):
    import tests.apptest  # noqa: F401 - every run goes through app.py, as on the server
    import ui
    from streamlit.testing.v1 import AppTest
    from tests.conftest import ROOT
    monkeypatch.setattr(ui, "DATA_DIR", tmp_path)
    monkeypatch.delenv("OPTIMIZER_DATABASE_URL", raising=False)
    monkeypatch.delenv("OPTIMIZER_ALERTS_KEY", raising=False)
    monkeypatch.setenv(channels.ALLOWED_HOSTS_ENV, f"127.0.0.1:{receiver.port}")
    url = receiver.url("/cgi-bin/webhook/send?key=" + TOKEN)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/alerts.py").run()
    assert not at.exception and at.title[0].value == "提醒"
    at.selectbox(key="alerts_new_kind").set_value("wecom").run()
    at.text_input(key="alerts_new_wecom_name").input("运营群")
    at.text_input(key="alerts_new_wecom_url").input(url)
    at.button(key="alerts_add_go").click().run()
    assert not at.exception
    with Store.open(None, tmp_path) as s:
        [made] = s.alert_channels(None)
        assert made.name == "运营群" and TOKEN not in made.sealed
        ws = s.create_workspace("安心开锁")
        s.ws_id = ws.id
        receiver.answers = [(500, {})] * 3
        dispatch.send_alerts(s, None, None, events(s), NOW, sleep=lambda x: None)
    at.run()

    def shown() -> str:
        parts = [d.value.to_string() for d in at.dataframe]
        parts += [f"{w.value} {w.proto.placeholder}" for w in at.text_input]
        parts += [e.value for e in (*at.markdown, *at.caption, *at.warning, *at.info, *at.error, *at.success)]
        return "\n".join(str(p) for p in parts)

    from tests.test_pages import _raw_cells
    assert not _raw_cells(at)  # no None / nan in the tables
    page = shown()
    assert TOKEN not in page and "••••" + TOKEN[-4:] in page
    assert "❌ 失败（会重试）" in page and "接收端返回 HTTP 500" in page and "2 条发送失败" in page
    # a test message from the page reaches the robot; the secret is still never shown
    at.button(key="alerts_test").click().run()
    assert at.success and "测试消息已发送" in at.success[0].value
    assert json.loads(receiver.requests[-1]["body"])["markdown"]["content"].startswith("**测试消息**")
    assert TOKEN not in shown()
