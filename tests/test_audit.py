"""Landing-page audit (optimizer.landing.audit) against a local threaded HTTP server.

The server listens on 127.0.0.1 only. With ``allow_private=False`` even the first
request to it would be refused, so the SSRF tests let the first hop through with
``allowed_hosts=("localhost:PORT",)`` and check that a redirect to ``127.0.0.1``,
``169.254.169.254`` or an IPv4-mapped IPv6 loopback is still refused before any
connection is made; DNS answers are checked through ``settings.resolver`` and
``_resolve_checked`` directly (no connection, so no traffic leaves this machine).
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from optimizer.landing import audit as A
from optimizer.landing.audit import AuditSettings, audit_html, audit_urls, clean_url, compare, line_words_found

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
SLOW_S = 1.5
HUGE_BYTES = 1_500_000


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def gbk_page() -> bytes:
    text = page("good.html").decode("utf-8").replace('<meta charset="utf-8">', '<meta charset="gbk">')
    return text.encode("gbk")


def huge_page() -> bytes:
    head = page("good.html").split(b"</body>")[0]
    filler = b"<p>" + "开锁换锁指纹锁".encode() * 40 + b"</p>\n"
    return head + filler * (HUGE_BYTES // len(filler) + 1) + b"</body></html>"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
              headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (size cap)

    def _redirect(self, location: str, status: int = 302) -> None:
        self._send(status, b"", headers={"Location": location})

    def do_GET(self):  # noqa: N802 - http.server's name
        srv = self.server
        srv.log.append((self.headers.get("Host"), self.path, self.headers.get("User-Agent")))
        path = self.path.split("?", 1)[0]
        port = srv.server_address[1]
        if path.endswith(".html") and (PAGES / path.lstrip("/")).exists():
            return self._send(200, page(path.lstrip("/")))
        routes = {
            "/redirect-same": lambda: self._redirect("/good.html", 301),
            "/redirect-chain": lambda: self._redirect("/redirect-same", 302),
            "/redirect-cross": lambda: self._redirect(f"http://localhost:{port}/good.html"),
            "/redirect-404": lambda: self._redirect("/missing"),
            "/loop": lambda: self._redirect("/loop"),
            "/to-loopback": lambda: self._redirect(f"http://127.0.0.1:{port}/good.html"),
            "/to-metadata": lambda: self._redirect("http://169.254.169.254/latest/meta-data/"),
            "/to-mapped": lambda: self._redirect(f"http://[::ffff:127.0.0.1]:{port}/good.html"),
            "/to-file": lambda: self._redirect("file:///etc/passwd"),
            "/image.png": lambda: self._send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png"),
            "/no-type": lambda: self._send(200, b"%PDF-1.4\n" + b"\0" * 100, ""),
            "/gbk": lambda: self._send(200, gbk_page(), "text/html"),
            "/huge": lambda: self._send(200, huge_page()),
            "/echo": lambda: self._send(200, f"<html><head><title>{self.path}</title></head><body>"
                                             f"<p>echo</p></body></html>".encode()),
        }
        if path == "/slow":
            time.sleep(SLOW_S)
            return self._send(200, page("good.html"))
        if path in routes:
            return routes[path]()
        return self._send(404, b"<html><body>not found</body></html>")


@pytest.fixture(scope="module")
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.log = []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


def base(server, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{server.server_address[1]}"


LOCAL = AuditSettings(allow_private=True, timeout=5, use_browser="never")


def one(url: str, settings: AuditSettings = LOCAL) -> A.PageAudit:
    return audit_urls([url], settings)[0]


def codes(a: A.PageAudit) -> list[str]:
    return [f["code"] for f in a.findings]


# ----------------------------------------------------------------------------- clean_url

@pytest.mark.parametrize("given, expected", [
    # Baidu: placeholders, bd_vid, fragment dropped, other parameters kept in order
    ("https://m.example.com/kaisuo/?kw={keyword}&unit={unitid}&bd_vid=112233&src=baidu#top",
     "https://m.example.com/kaisuo/?src=baidu"),
    ("http://www.kaisuo.cn/a.html?k=%7Bkeyword%7D&p=1&bdclkid=xx&bd_bxst=yy", "http://www.kaisuo.cn/a.html?p=1"),
    ("www.kaisuo.cn/huansuo.html?city=北京&creative={creative}", "http://www.kaisuo.cn/huansuo.html?city=北京"),
    # Google / Microsoft
    ("https://www.locksmith.co.uk/emergency?utm_source=google&utm_medium=cpc&gclid=abc&gbraid=x&wbraid=y&ref=ads",
     "https://www.locksmith.co.uk/emergency?ref=ads"),
    ("https://Example.COM/{ignore}lockout?msclkid=123&{QueryString}", "https://example.com/lockout"),
    ("{lpurl}?utm_source=google&kw={keyword}", ""),
    ("https://example.com/p?q=abc{keyword}&a=", "https://example.com/p?q=abc&a="),
    ("  https://example.com/  ", "https://example.com/"),
])
def test_clean_url(given, expected):
    assert clean_url(given) == expected


# ----------------------------------------------------------------------------- addresses

@pytest.mark.parametrize("address, blocked", [
    ("127.0.0.1", True), ("10.1.2.3", True), ("172.16.5.4", True), ("192.168.1.1", True),
    ("169.254.169.254", True), ("100.64.0.1", True), ("0.0.0.0", True), ("224.0.0.1", True),
    ("192.0.0.8", True), ("::1", True), ("fe80::1", True), ("fd00::1", True), ("::", True),
    ("::ffff:127.0.0.1", True), ("::ffff:10.0.0.1", True), ("64:ff9b::a00:1", True), ("2002:7f00:1::1", True),
    ("8.8.8.8", False), ("::ffff:8.8.8.8", False), ("2606:4700:4700::1111", False), ("not-an-ip", True),
])
def test_is_blocked_ip(address, blocked):
    assert A.is_blocked_ip(address) is blocked


def test_dns_answers_are_checked_all_of_them():
    """ANY private answer refuses the host; nothing is connected to here."""
    def resolver(answers):
        return lambda host, port: answers
    s = AuditSettings(resolver=resolver(["93.184.216.34", "10.0.0.5"]))
    with pytest.raises(A._Refused) as err:
        A._resolve_checked("shop.example", 80, s)
    assert err.value.code == "blocked_address" and "10.0.0.5" in err.value.detail
    assert A._resolve_checked("shop.example", 80, AuditSettings(resolver=resolver(["93.184.216.34"]))) == [
        "93.184.216.34"]
    assert A._resolve_checked("shop.example", 80, AuditSettings(resolver=resolver(["10.0.0.5"]),
                                                                 allowed_hosts=("shop.example",))) == ["10.0.0.5"]


def test_first_request_to_loopback_refused_without_setting(server):
    before = len(server.log)
    a = one(base(server) + "/good.html", AuditSettings(use_browser="never"))
    assert a.error == "blocked_address" and a.status is None
    assert "blocked_address" in codes(a) and "内网" in a.findings[0]["zh"]
    assert len(server.log) == before  # never connected


def test_name_resolving_to_loopback_refused(server):
    port = server.server_address[1]
    fake = AuditSettings(use_browser="never", resolver=lambda host, p: ["127.0.0.1"])
    a = one(f"http://landing.example:{port}/good.html", fake)
    assert a.error == "blocked_address" and "landing.example → 127.0.0.1" in a.error_detail
    # allowed: the connection goes to the resolved (checked) address, the name stays in Host
    ok = one(f"http://landing.example:{port}/good.html", dataclass_replace(fake, allow_private=True))
    assert ok.error is None and ok.status == 200
    assert server.log[-1][0] == f"landing.example:{port}"


def dataclass_replace(settings, **kw):
    import dataclasses
    return dataclasses.replace(settings, **kw)


@pytest.mark.parametrize("route, code", [
    ("/to-loopback", "blocked_address"), ("/to-metadata", "blocked_address"),
    ("/to-mapped", "blocked_address"), ("/to-file", "blocked_scheme"),
])
def test_redirect_to_private_refused(server, route, code):
    port = server.server_address[1]
    s = AuditSettings(use_browser="never", timeout=5, allowed_hosts=(f"localhost:{port}",))
    before = len(server.log)
    a = one(base(server, "localhost") + route, s)
    assert a.error == code, a.error_detail
    if code == "blocked_address":  # the refused redirect target is named
        assert a.error_detail.startswith("http://") and ("127.0.0.1" in a.error_detail or "169.254" in a.error_detail)
    assert a.redirect_chain == [(base(server, "localhost") + route, 302)]
    assert len(server.log) == before + 1  # the redirect target was never requested


def test_host_limiter_paces_requests_to_one_host_across_threads(server):
    """The refresh audits every account's pages through one limiter: requests to a host
    (every hop counted, from any thread) are at least ``interval`` apart; other hosts
    do not wait for it."""
    port = server.server_address[1]
    limiter = A.HostLimiter(0.3)
    s = AuditSettings(use_browser="never", timeout=5, concurrency=4, allowed_hosts=(f"localhost:{port}",),
                      allow_private=True, limiter=limiter)
    times: list[float] = []
    original = limiter.wait

    def wait(host):
        waited = original(host)
        times.append(time.monotonic())
        return waited
    limiter.wait = wait
    urls = [base(server) + f"/echo?n={i}" for i in range(3)] + [base(server) + "/redirect-same"]
    t0 = time.monotonic()
    done = audit_urls(urls, s)
    assert all(a.ok for a in done), [a.error for a in done]
    assert len(times) == 5  # four pages, one of them two hops
    times.sort()  # each request in its own slot 0.3 s after the previous (a thread may wake a little late)
    assert times[-1] - times[0] >= 4 * 0.3 - 0.05 and min(b - a for a, b in zip(times, times[1:])) >= 0.2
    assert time.monotonic() - t0 >= 1.2
    other = A.HostLimiter(10.0)
    assert other.wait("a.example") == 0 and other.wait("b.example") == 0 and other.wait("A.EXAMPLE") > 9
    with pytest.raises(ValueError):
        A.HostLimiter(-1)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """The same handler over HTTPS, with a self-signed certificate for the name 'localhost'."""
    import shutil
    import ssl
    import subprocess
    if not shutil.which("openssl"):
        pytest.skip("openssl not installed")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.daemon_threads = True
    srv.log = []
    srv.handle_error = lambda *a: None  # failed handshakes are expected here
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield srv, str(cert)
    finally:
        srv.shutdown()
        srv.server_close()


def test_https_pinned_address_keeps_certificate_checks(tls_server):
    """The connection goes to the checked IP, yet TLS verifies the URL's host name."""
    srv, ca = tls_server
    port = srv.server_address[1]
    s = AuditSettings(use_browser="never", timeout=5, allowed_hosts=(f"localhost:{port}", f"127.0.0.1:{port}"),
                      ca_bundle=ca)
    ok = one(f"https://localhost:{port}/good.html", s)
    assert (ok.status, ok.error) == (200, None) and ok.tel_links
    # same server and certificate, but the name in the URL does not match the certificate
    assert one(f"https://127.0.0.1:{port}/good.html", s).error == "tls_error"
    # a certificate no trusted authority signed
    assert one(f"https://localhost:{port}/good.html", dataclass_replace(s, ca_bundle=None)).error == "tls_error"


# ----------------------------------------------------------------------------- HTTP outcomes

def test_good_page(server):
    a = one(base(server) + "/good.html")
    assert (a.status, a.error, a.cross_domain_redirect) == (200, None, False)
    assert a.redirect_chain == [(base(server) + "/good.html", 200)]
    assert a.title.startswith("北京开锁换锁")
    assert a.tel_links == ["4001234567", "13800000000"]
    assert a.tel_on_first_screen is True and a.first_screen_method == "heuristic"
    assert a.fixed_bottom_bar and a.bottom_bar_holds == ["tel", "chat"] and a.bottom_bar_method == "css"
    assert a.has_form and a.n_forms == 1 and a.has_chat and a.chat_vendors == ["53KF"]
    assert {"公安备案", "全市连锁", "24小时", "上门", "持证"} <= set(a.trust_signals)
    assert a.analytics == ["百度统计"]
    assert a.n_scripts == 3 and a.page_weight["external_scripts"] == 2 and a.page_weight["images"] == 1
    assert a.bytes == len(page("good.html")) and a.elapsed_ms >= 0
    assert ["h1", "开锁换锁 · 距您最近的师傅 15 分钟上门"] in a.headings
    assert "隐藏的电话" not in a.text  # display:none popup is not visible text
    assert a.findings == []
    assert server.log[-1][2] == A.MOBILE_UA


def test_no_tel_page(server):
    a = one(base(server) + "/no_tel.html")
    assert a.tel_links == [] and a.tel_on_first_screen is False
    assert codes(a)[:2] == ["no_tel", "no_bottom_bar"]
    no_tel = a.findings[0]
    assert no_tel["severity"] == "high" and "电话" in no_tel["zh"] and "tap-to-call" in no_tel["en"]
    assert a.has_form and "no_trust_signals" in codes(a)


def test_phone_only_at_the_bottom(server):
    a = one(base(server) + "/bottom_tel.html")
    assert a.tel_links == ["13912345678"] and a.tel_on_first_screen is False
    assert a.first_tel_y > 3 * LOCAL.first_screen_px
    f = next(f for f in a.findings if f["code"] == "tel_not_first_screen")
    assert "首屏没有电话按钮" in f["zh"] and "No call button on the first screen" in f["en"]


def test_same_domain_redirect_is_normal(server):
    a = one(base(server) + "/redirect-chain")
    assert [s for _u, s in a.redirect_chain] == [302, 301, 200]
    assert a.final_url == base(server) + "/good.html"
    assert a.error is None and not a.cross_domain_redirect and a.findings == []


def test_cross_domain_redirect(server):
    a = one(base(server) + "/redirect-cross")
    assert a.final_url == base(server, "localhost") + "/good.html" and a.status == 200
    assert a.cross_domain_redirect and codes(a) == ["cross_domain_redirect"]
    assert "127.0.0.1 → localhost" in a.findings[0]["en"]


def test_404_and_redirect_to_error(server):
    a = one(base(server) + "/missing-page")
    assert (a.status, a.error) == (404, "http_error") and a.fingerprint is None
    assert "404" in a.error_message("zh") and "404" in a.error_message("en")
    b = one(base(server) + "/redirect-404")
    assert b.error == "http_error" and [s for _u, s in b.redirect_chain] == [302, 404]
    assert "redirect-404 [302]" in b.findings[0]["en"]


def test_slow_page_times_out(server):
    t = time.monotonic()
    a = one(base(server) + "/slow", dataclass_replace(LOCAL, timeout=0.4))
    assert a.error == "timeout" and a.status is None
    assert time.monotonic() - t < SLOW_S


def test_slow_page_within_the_timeout_is_flagged(server):
    """The slow fixture (1.5 s) loads within the timeout: 'slow_page' above the threshold only."""
    a = one(base(server) + "/slow", dataclass_replace(LOCAL, slow_seconds=1.0))
    assert a.error is None and a.status == 200 and a.elapsed_ms >= SLOW_S * 1000
    slow = next(f for f in a.findings if f["code"] == "slow_page")
    assert slow["severity"] == "medium" and slow["limit"] == "1"
    assert slow["zh"].startswith(f"页面用了 {a.elapsed_ms / 1000:.1f} 秒才打开（超过 1 秒）")
    assert slow["en"].startswith(f"The page took {a.elapsed_ms / 1000:.1f} s to open (over 1 s)")
    # the default, 3 s (a phone user's patience, see AuditSettings), is not reached
    assert AuditSettings().slow_seconds == 3.0
    assert "slow_page" not in codes(one(base(server) + "/slow"))
    # an uploaded file has no load time
    assert "slow_page" not in codes(audit_html(page("good.html"), "good.html",
                                               AuditSettings(use_browser="never", slow_seconds=0.001)))


def test_settings_from_env_add_the_operators_hosts():
    s = AuditSettings.from_env({"OPTIMIZER_AUDIT_ALLOWED_HOSTS": " Staging.Local:8080 , lp.example ,"},
                               allowed_hosts=("x.example",), timeout=3)
    assert s.allowed_hosts == ("x.example", "staging.local:8080", "lp.example") and s.timeout == 3
    assert AuditSettings.from_env({}).allowed_hosts == ()


def test_huge_page_is_capped(server):
    a = one(base(server) + "/huge", dataclass_replace(LOCAL, max_bytes=200_000))
    assert a.error == "too_large" and a.truncated and a.bytes == 200_000
    assert "0.2 MB" in a.error_message("en") or "200 KB" in a.error_message("en")
    # the part read is still analysed: the header call button is there
    assert a.tel_on_first_screen is True and a.fingerprint is not None
    assert a.findings[0]["code"] == "too_large"


def test_redirect_loop(server):
    a = one(base(server) + "/loop", dataclass_replace(LOCAL, max_redirects=3))
    assert a.error == "too_many_redirects" and len(a.redirect_chain) == 4


def test_not_html(server):
    a = one(base(server) + "/image.png")
    assert a.error == "not_html" and a.status == 200 and "image/png" in a.error_detail


def test_gbk_page_decoded(server):
    a = one(base(server) + "/gbk")
    assert a.encoding == "gb18030" and a.title.startswith("北京开锁换锁")
    assert a.fingerprint == one(base(server) + "/good.html").fingerprint


def test_connection_refused_and_dns_failure():
    import socket
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    a = one(f"http://127.0.0.1:{port}/")
    assert a.error == "connection_failed"
    b = one("http://no-such-host.invalid/", dataclass_replace(LOCAL, resolver=_no_such_host))
    assert b.error == "dns_failed"
    assert one("{lpurl}").error == "bad_url"


def _no_such_host(host, port):
    """DNS that works, and knows no ``*.invalid``."""
    import socket
    if host.endswith(".invalid"):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return ["93.184.215.14"]


def _no_dns(host, port):
    """A server without internet whose resolver answers "no such name" for every name."""
    import socket
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def _dns_down(host, port):
    """A server whose DNS server cannot be reached: a temporary failure for every name."""
    import socket
    raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")


@pytest.mark.parametrize("resolver", [_no_dns, _dns_down])
def test_a_server_without_internet_could_not_check_the_page(resolver):
    a = one("https://www.example-kaisuo.cn/kaisuo.html", dataclass_replace(LOCAL, resolver=resolver))
    assert a.error == "no_network", (a.error, a.error_detail)
    assert not a.ok and not a.checked
    zh, en = a.error_message("zh"), a.error_message("en")
    assert zh.startswith("无法检查") and "不存在" not in zh and "Errno" not in zh
    assert en.startswith("Could not check") and "not exist" not in en
    assert [f["code"] for f in a.findings] == ["no_network"]


def test_a_name_that_does_not_exist_is_still_told_when_other_names_resolve():
    a = one("https://no-such-host.invalid/", dataclass_replace(LOCAL, resolver=_no_such_host))
    assert a.error == "dns_failed" and a.checked
    assert "不存在" in a.error_message("zh")


def test_a_name_that_does_not_exist_names_the_host_not_the_resolver_text():
    a = one("https://no-such-host.invalid/kaisuo.html", dataclass_replace(LOCAL, resolver=_no_such_host))
    zh, en = a.error_message("zh"), a.error_message("en")
    finding = next(f for f in a.findings if f["code"] == "dns_failed")
    for text in (zh, en, finding["zh"], finding["en"]):
        assert "no-such-host.invalid" in text and "Errno" not in text and "not known" not in text, text
    assert zh == "域名解析失败，这个域名可能不存在或已过期（no-such-host.invalid）。"
    # an audit kept before says the resolver's text after the host: shown without it
    old = dataclass_replace(a, error_detail="no-such-host.invalid: [Errno -2] Name or service not known")
    assert old.error_message("zh") == zh and old.error_message("en") == en


def test_a_page_of_no_content_type_is_of_an_unknown_type_in_the_language(server):
    a = one(base(server) + "/no-type")
    assert a.error == "not_html"
    finding = next(f for f in a.findings if f["code"] == "not_html")
    assert a.error_message("zh") == finding["zh"] == "这个网址返回的不是网页（未知类型）。"
    assert a.error_message("en") == finding["en"] == "This URL does not return a web page (unknown type)."
    old = dataclass_replace(a, error_detail="unknown")  # as audits kept before say it
    assert old.error_message("zh") == "这个网址返回的不是网页（未知类型）。"


def test_an_unreachable_network_could_not_check_the_page(monkeypatch):
    import errno

    import httpcore

    def unreachable(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            raise OSError(errno.ENETUNREACH, "Network is unreachable")
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", unreachable)
    settings = dataclass_replace(LOCAL, resolver=lambda host, port: ["93.184.215.14"])
    assert one("https://www.example-kaisuo.cn/", settings).error == "no_network"


def test_tracking_stripped_duplicates_fetched_once_and_progress(server):
    b = base(server)
    urls = [f"{b}/echo?city=bj&utm_source=baidu&kw={{keyword}}&bd_vid=9",
            f"{b}/echo?city=bj&gclid=1", f"{b}/no_tel.html", f"{b}/echo?city=bj"]
    calls = []
    before = len(server.log)
    out = audit_urls(urls, LOCAL, progress=lambda done, total: calls.append((done, total)))
    assert [a.url for a in out] == urls
    assert out[0].fetched_url == f"{b}/echo?city=bj" and out[0].title == "/echo?city=bj"
    assert out[0].fingerprint == out[1].fingerprint == out[3].fingerprint
    assert sorted(p for _h, p, _ua in server.log[before:]) == ["/echo?city=bj", "/no_tel.html"]
    assert calls == [(0, 2), (1, 2), (2, 2)]


# ----------------------------------------------------------------------------- heuristics

def html_audit(html: str, **kw) -> A.PageAudit:
    return audit_html(html.encode(), "test.html", AuditSettings(use_browser="never", **kw))


def test_heuristic_first_screen_and_bars():
    tall = '<img src="x.jpg" width="390" height="900">'
    # a tel link after a tall banner is below the first screen
    assert html_audit(f'<body>{tall}<a href="tel:1">c</a></body>').tel_on_first_screen is False
    # ... unless it floats at the side (phone buttons "on the side")
    side = html_audit(f'<body>{tall}<div style="position:fixed;right:0;top:40%"><a href="tel:1">c</a></div></body>')
    assert side.tel_on_first_screen is True and side.side_tel and not side.fixed_bottom_bar
    # a bar fixed at the bottom counts as a bar, not as a first-screen button
    bar = html_audit(f'<body>{tall}<div style="position: fixed; bottom: 0"><a href="tel:1">c</a></div></body>')
    assert bar.fixed_bottom_bar and bar.bottom_bar_holds == ["tel"] and bar.tel_on_first_screen is False
    # found by its class name only (styled by an external stylesheet)
    named = html_audit('<body><p>x</p><div class="footer-fixed"><a href="#form">免费预约</a>'
                       '<a href="https://wa.me/123">WhatsApp</a></div></body>')
    assert named.fixed_bottom_bar and named.bottom_bar_method == "class-name"
    assert named.bottom_bar_holds == ["form", "chat"] and "bottom_bar_no_tel" in codes(named)
    # a desktop-only @media rule does not apply at phone width; display:none hides the bar
    desktop = html_audit('<style>@media (min-width: 1024px) { .b { position: fixed; bottom: 0 } }</style>'
                         '<body><div class="b"><a href="tel:1">c</a></div></body>')
    assert not desktop.fixed_bottom_bar
    hidden = html_audit('<style>.b{position:fixed;bottom:0} .b{display:none}</style>'
                        '<body><div class="b"><a href="tel:1">c</a></div></body>')
    assert not hidden.fixed_bottom_bar and hidden.tel_links == ["1"]
    # many paragraphs of text push the phone down
    text = "".join(f"<p>{'开锁' * 60}</p>" for _ in range(10))
    assert html_audit(f'<body>{text}<a href="tel:1">c</a></body>').tel_on_first_screen is False
    assert html_audit(f'<body><p>开锁</p><a href="tel:1">c</a>{text}</body>').tel_on_first_screen is True


def test_phone_written_but_not_clickable():
    a = html_audit('<html><head><title>开锁</title></head><body><p>开锁热线：139-1234-5678</p></body></html>')
    assert codes(a)[0] == "phone_not_clickable" and a.phones_in_text == ["13912345678"]
    assert "13912345678" in a.findings[0]["zh"]


def test_onclick_tel_and_chat_widgets():
    a = html_audit('<body><button onclick="location.href=\'tel:400-800-1234\'">拨打</button>'
                   '<script src="//p.qiao.baidu.com/im/index?siteid=1"></script>'
                   '<a href="weixin://dl/chat">微信</a></body>')
    assert a.tel_links == ["4008001234"] and a.chat_vendors == ["百度商桥/爱番番", "WeChat"]


def test_english_page_and_line_words():
    a = audit_html(page("english.html"), "english.html", AuditSettings(use_browser="never"))
    assert a.tel_links == ["+441132345678"] and a.tel_on_first_screen
    assert {"licensed", "insured", "24/7", "mobile locksmith", "no call-out fee"} <= set(a.trust_signals)
    assert a.chat_vendors == ["WhatsApp", "tawk.to"] and a.findings == []
    assert line_words_found(a, ["rekey", "Lock Change", "safe"]) == ["rekey", "Lock Change"]
    g = audit_html(page("good.html"), "good.html", AuditSettings(use_browser="never"))
    assert line_words_found(g, ["换锁", "锁芯", "指纹锁", "搬家"]) == ["换锁", "锁芯", "指纹锁"]
    assert line_words_found(g, ["换锁", "锁芯"], where="title") == ["换锁"]
    assert line_words_found(g.to_dict(), ["开锁"], where="first_screen") == ["开锁"]


def test_empty_upload():
    a = audit_html(b"  ", "empty.html")
    assert a.error == "empty" and a.findings[0]["code"] == "empty"


# ----------------------------------------------------------------------------- fingerprint and drift

def test_fingerprint_ignores_whitespace_and_compare_reports_changes():
    s = AuditSettings(use_browser="never")
    good = audit_html(page("good.html"), "good.html", s)
    again = audit_html(page("good_reformatted.html"), "good.html", s)
    assert good.fingerprint == again.fingerprint and compare(good, again) == []
    gone = audit_html(page("good_no_call.html"), "good.html", s)
    assert gone.fingerprint != good.fingerprint
    changes = {c["code"]: c for c in compare(good, gone)}
    assert {"fingerprint_changed", "tel_removed"} <= set(changes)
    assert changes["tel_removed"]["zh"] == "电话按钮被去掉了：4001234567、13800000000。"
    assert "Call button removed: 4001234567" in changes["tel_removed"]["en"]
    assert "tel_first_screen_lost" in changes and "bottom_bar_removed" not in changes
    assert changes["fingerprint_changed"]["parts"] == ["text", "structure"]
    assert changes["fingerprint_changed"]["zh"].startswith("页面内容有变化（文字、结构")


def test_header_button_removed_only():
    s = AuditSettings(use_browser="never")
    html = page("good.html").decode()
    good = audit_html(html, "good.html", s)
    no_header = html.replace('<a class="btn-call" href="tel:400-123-4567">一键拨打 400-123-4567</a>', "")
    b = audit_html(no_header, "good.html", s)
    assert sorted(b.tel_links) == sorted(good.tel_links) and b.tel_on_first_screen is False and b.fixed_bottom_bar
    assert [c["code"] for c in compare(good, b)] == ["fingerprint_changed", "tel_first_screen_lost"]
    no_bar = html.replace('<div class="call-bar">', '<div class="cta">')
    assert "bottom_bar_removed" in [c["code"] for c in compare(good, audit_html(no_bar, "good.html", s))]


def test_json_round_trip_and_compare_with_dicts(server):
    audits = audit_urls([base(server) + "/good.html", base(server) + "/redirect-same", base(server) + "/missing"],
                        LOCAL)
    text = A.to_json(audits)
    back = A.from_json(text)
    assert [a.to_dict() for a in back] == [a.to_dict() for a in audits]
    assert back[1].redirect_chain[0] == (base(server) + "/redirect-same", 301)
    assert compare(json.loads(text)[0], audits[0]) == []
    changes = [c["code"] for c in compare(back[0], back[2])]
    assert changes[:2] == ["status_changed", "error_changed"]
    rows = A.summary_rows(back, "en")
    assert rows[2]["error"].startswith("The page does not open") and rows[0]["tel"] == 2


# ----------------------------------------------------------------------------- browser

chromium = pytest.mark.skipif(not A.browser_available(), reason="Debian chromium or playwright not installed")


@chromium
def test_browser_first_screen(server):
    b = base(server)
    s = AuditSettings(allow_private=True, timeout=5, use_browser="always")
    before = len(server.log)
    good, bottom, english, no_tel = audit_urls(
        [f"{b}/good.html", f"{b}/bottom_tel.html", f"{b}/english.html", f"{b}/no_tel.html"], s)
    assert {a.first_screen_method for a in (good, bottom, english)} == {"browser"}
    assert good.tel_on_first_screen is True and good.first_tel_y < 100
    assert good.fixed_bottom_bar and good.bottom_bar_method == "browser" and good.bottom_bar_holds == ["tel", "chat"]
    assert bottom.tel_on_first_screen is False and bottom.first_tel_y > 3 * s.first_screen_px
    assert "tel_not_first_screen" in codes(bottom) and not bottom.fixed_bottom_bar
    assert english.tel_on_first_screen and english.fixed_bottom_bar
    assert no_tel.tel_on_first_screen is False and "no_tel" in codes(no_tel)
    # the browser fetched nothing: only the four pages were requested (no images, no scripts)
    assert sorted(p for _h, p, _ua in server.log[before:]) == [
        "/bottom_tel.html", "/english.html", "/good.html", "/no_tel.html"]
    # the fingerprint does not depend on how the first screen was judged
    assert good.fingerprint == one(f"{b}/good.html").fingerprint


def test_audit_store_keeps_the_last_audits_per_page(tmp_path):
    from optimizer.landing.audit import AuditStore, audit_html
    store = AuditStore(tmp_path / "audits.json")
    good = (PAGES / "good.html").read_bytes()
    no_call = (PAGES / "good_no_call.html").read_bytes()
    store.add("baidu:a:CNY", [audit_html(good, "https://m.a.cn/kaisuo.html", AuditSettings(use_browser="never"))])
    assert store.previous("baidu:a:CNY") == {}
    for _ in range(6):
        store.add("baidu:a:CNY", [audit_html(no_call, "https://m.a.cn/kaisuo.html", AuditSettings(use_browser="never"))])
    assert len(store.history("baidu:a:CNY", "https://m.a.cn/kaisuo.html")) == AuditStore.KEEP
    latest = store.latest("baidu:a:CNY")["https://m.a.cn/kaisuo.html"]
    assert latest.tel_links == [] and store.latest("other") == {}
    store.add("baidu:a:CNY", [audit_html(good, "https://m.a.cn/kaisuo.html", AuditSettings(use_browser="never"))])
    codes = {c["code"] for c in compare(store.previous("baidu:a:CNY")["https://m.a.cn/kaisuo.html"],
                                        store.latest("baidu:a:CNY")["https://m.a.cn/kaisuo.html"])}
    assert "tel_added" in codes
    (tmp_path / "audits.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(ValueError, match="audit store"):
        store.latest("baidu:a:CNY")


# ----------------------------------------------------------------------------- command line

def keyword_export(tmp_path, server) -> Path:
    """A small Baidu keyword report whose landing URLs are pages of the local server."""
    b = base(server, "localhost")
    pages = {"/good.html": ["开锁", "开锁电话", "上门开锁"],
             "/no_tel.html": ["修锁", "门锁维修", "锁坏了"],   # a 换锁 page: 修锁 never mentioned
             "/slow": ["急开锁"], "/missing": ["开锁公司"], "/to-loopback": ["开锁师傅"]}
    lines = ["日期,账户,推广计划,推广单元,关键词,匹配模式,访问URL,移动访问URL,展现,点击,消费,转化"]
    for day in ("2026-11-01", "2026-11-02"):
        for path, kws in pages.items():
            lines += [f"{day},本地测试,计划,单元{path},{k},精确匹配,{b}{path},{b}{path},100,10,100.00,1" for k in kws]
    f = tmp_path / "keywords.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f


def test_cli_landing_audit_honours_the_operator_setting(server, tmp_path, monkeypatch, capsys):
    from optimizer.cli import main
    port = server.server_address[1]
    export = keyword_export(tmp_path, server)
    args = ["landing", str(export), "--audit", "--browser", "never", "--timeout", "5", "--json"]
    # without the setting the local server is refused, as on the operator's server
    monkeypatch.delenv("OPTIMIZER_AUDIT_ALLOWED_HOSTS", raising=False)
    before = len(server.log)
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)[0]
    assert {a["error"] for a in out["audits"]} == {"blocked_address"} and len(server.log) == before
    assert all(p["status"] == "red" for p in out["pages"])
    # allowed through the documented setting: localhost:PORT only, a redirect to 127.0.0.1 is still refused
    monkeypatch.setenv("OPTIMIZER_AUDIT_ALLOWED_HOSTS", f"localhost:{port}")
    assert main(args + ["--slow-seconds", "1"]) == 0
    out = json.loads(capsys.readouterr().out)[0]
    assert {"platform", "account", "pages", "url_drift", "mismatches", "cvr_drops", "audits"} <= set(out)
    audits = {a["page"]: a for a in out["audits"]}
    pages = {p["page"]: p for p in out["pages"]}
    key = f"localhost:{port}"
    assert audits[key + "/good.html"]["error"] is None and audits[key + "/good.html"]["findings"] == []
    good = pages[key + "/good.html"]
    assert good["audited"] is True and good["audit_findings"] == [] and good["unmentioned_lines"] == []
    assert good["status"] == "amber" and "uses http, not https" in good["reasons"]  # the local server is http
    assert good["lines_checked"] == [{"line": "开锁", "keywords": 3, "cost": 600.0, "share": 1.0, "mentioned": True,
                                      "words_found": ["开锁"]}]
    assert audits[key + "/missing"]["error"] == "http_error" and pages[key + "/missing"]["status"] == "red"
    assert audits[key + "/to-loopback"]["error"] == "blocked_address"
    assert "slow_page" in [f["code"] for f in pages[key + "/slow"]["audit_findings"]]
    assert pages[key + "/slow"]["status"] == "amber"
    no_tel = pages[key + "/no_tel.html"]
    assert no_tel["status"] == "red" and "no_tel" in [f["code"] for f in no_tel["audit_findings"]]
    assert no_tel["unmentioned_lines"] == [{"line": "修锁", "keywords": 3, "cost": 600.0, "share": 1.0}]
    assert "页面没有提到“修锁”，但 3 个修锁关键词（花费 ¥600）落到这里" in no_tel["reasons_zh"]
    assert "The page never mentions Lock repair, yet 3 Lock repair keywords (¥600) land here" in no_tel["reasons"]
    assert {m["keyword"] for m in out["mismatches"]} == {"修锁", "门锁维修", "锁坏了"}
    # the text output lists the audit's findings per page
    assert main(args[:-1] + ["--slow-seconds", "1"]) == 0
    text = capsys.readouterr().out
    assert f"AUDIT {key}/good.html: no findings" in text
    assert "slow_page: The page took" in text and "blocked_address:" in text
    assert "line   修锁 (3 keywords, 100% of spend): NOT mentioned" in text
    assert f"MISMATCH 修锁 (计划) → {key}/no_tel.html: keyword line 修锁, page line 换锁" in text
