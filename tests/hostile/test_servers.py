"""Slow servers: the landing-page audit's total deadline holds over the whole exchange.

A raw TCP server on 127.0.0.1 answers each request by path, dripping bytes: the status
line and headers, the body, each hop of a redirect chain, or nothing at all inside a TLS
handshake. Every drip is slower than the audit's total deadline (2 s here) but each gap
is shorter than the per-phase timeout, so only the total deadline can stop it. Each drip
is finite (it ends after ``DRIP_S`` whatever happens), so a fetch that ignored the
deadline would still return — late — and the test would fail in bounded time.

The audit refuses loopback addresses; the tests let exactly this server through with
``allowed_hosts=("127.0.0.1:PORT",)``.
"""
from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit, parse_qs

import pytest

from optimizer.landing.audit import AuditSettings, audit_urls

TOTAL_S = 2.0      # the audit's total deadline in these tests
PHASE_S = 5.0      # the per-phase timeout: longer than every gap below
SLACK_S = 0.6      # what the fetch may take beyond the deadline (thread start, closing)
DRIP_S = 7.0       # how long a drip lasts at most: well past the deadline

GOOD = (b"<!doctype html><html><head><title>t</title></head><body>"
        b"<a href='tel:4001234567'>call</a></body></html>")


def _drip(conn: socket.socket, data: bytes, gap: float, stop: threading.Event) -> bool:
    """Send ``data`` one byte every ``gap`` seconds (the rest at once after DRIP_S).
    False when the client went away."""
    start = time.monotonic()
    for i in range(len(data)):
        if stop.is_set():
            return False
        if time.monotonic() - start > DRIP_S:
            try:
                conn.sendall(data[i:])
            except OSError:
                return False
            return True
        try:
            conn.sendall(data[i:i + 1])
        except OSError:
            return False
        stop.wait(max(0.0, start + (i + 1) * gap - time.monotonic()))  # paced by the clock
    return True


def _response(status: str, body: bytes = b"", headers: dict | None = None) -> tuple[bytes, bytes]:
    head = f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
    for k, v in (headers or {}).items():
        head += f"{k}: {v}\r\n"
    return (head + "Connection: close\r\n\r\n").encode(), body


def _serve(conn: socket.socket, stop: threading.Event) -> None:
    with conn:
        conn.settimeout(DRIP_S + 5)
        raw = b""
        try:
            while b"\r\n\r\n" not in raw:
                got = conn.recv(4096)
                if not got:
                    return
                raw += got
        except OSError:
            return
        if not raw.startswith(b"GET "):  # a TLS ClientHello: say nothing, hold the handshake
            stop.wait(DRIP_S)
            return
        target = raw.split(b" ", 2)[1].decode()
        path, query = urlsplit(target).path, parse_qs(urlsplit(target).query)
        gap = float(query.get("gap", ["0.25"])[0])
        hop_s = float(query.get("hop_s", ["1.4"])[0])
        if path == "/drip-headers":  # the status line and headers, one byte at a time
            head, body = _response("200 OK", GOOD)
            if _drip(conn, head, gap, stop):
                conn.sendall(body)
        elif path == "/drip-body":  # headers at once, then the body one byte at a time
            head, body = _response("200 OK", GOOD)
            conn.sendall(head)
            _drip(conn, body, gap, stop)
        elif path.startswith("/hop/"):  # a redirect chain, each hop's headers dripped over hop_s
            n = int(path.rsplit("/", 1)[1])
            if n >= 5:
                head, body = _response("200 OK", GOOD)
            else:
                head, body = _response("302 Found", b"", {"Location": f"/hop/{n + 1}?hop_s={hop_s}"})
            if _drip(conn, head, hop_s / len(head), stop):
                conn.sendall(body)
        else:
            head, body = _response("200 OK", GOOD)
            conn.sendall(head + body)


@pytest.fixture(scope="module")
def dripping():
    """(port, requests seen) of a server that drips; stopped (every connection released) at the end."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    seen: list[str] = []

    def accept_loop():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (socket.timeout, OSError):
                continue
            seen.append("conn")
            threading.Thread(target=_serve, args=(conn, stop), daemon=True).start()

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], seen
    finally:
        stop.set()
        thread.join(2)
        listener.close()


def settings(port: int, **kw) -> AuditSettings:
    base = dict(use_browser="never", timeout=PHASE_S, total_timeout=TOTAL_S,
                allowed_hosts=(f"127.0.0.1:{port}",))
    base.update(kw)
    return AuditSettings(**base)


def timed_audit(urls: list[str], s: AuditSettings):
    start = time.monotonic()
    audits = audit_urls(urls, s)
    return audits, time.monotonic() - start


def assert_timed_out(a, elapsed: float) -> None:
    assert elapsed < TOTAL_S + SLACK_S, f"the audit took {elapsed:.1f} s, the deadline is {TOTAL_S:g} s"
    assert a.error == "timeout", (a.error, a.error_detail)
    finding = a.findings[0]
    assert finding["code"] == "timeout" and finding["severity"] == "high"
    assert "2 s）" in finding["zh"] and "超时" in finding["zh"]
    assert "2 s)" in finding["en"] and "timed out" in finding["en"]


def test_a_server_dripping_its_headers_is_stopped_at_the_total_deadline(dripping):
    port, _ = dripping
    # one byte every 0.5 s: each read gets a byte long before the 5 s phase timeout
    (a,), elapsed = timed_audit([f"http://127.0.0.1:{port}/drip-headers?gap=0.5"], settings(port))
    assert_timed_out(a, elapsed)
    assert a.status is None and a.redirect_chain == []


def test_a_dripping_body_is_stopped_at_the_total_deadline(dripping):
    port, _ = dripping
    # a byte every 1.5 s: before, the deadline was only looked at between reads (stop at 3 s)
    (a,), elapsed = timed_audit([f"http://127.0.0.1:{port}/drip-body?gap=1.5"], settings(port))
    assert_timed_out(a, elapsed)
    assert a.status == 200


def test_a_redirect_chain_that_drips_is_stopped_at_the_total_deadline(dripping):
    port, _ = dripping
    # each hop's headers drip for 1.4 s: the second hop overruns the deadline (before: stopped after it, at 2.8 s)
    (a,), elapsed = timed_audit([f"http://127.0.0.1:{port}/hop/1?hop_s=1.4"], settings(port))
    assert_timed_out(a, elapsed)
    assert [s for _, s in a.redirect_chain] == [302]
    assert "/hop/2" in a.findings[0]["en"]  # the hop that was too slow is named


def test_a_tls_handshake_that_never_finishes_is_stopped_at_the_total_deadline(dripping):
    port, _ = dripping
    (a,), elapsed = timed_audit([f"https://127.0.0.1:{port}/"], settings(port))
    assert_timed_out(a, elapsed)


def test_the_phase_timeout_still_holds_within_the_total_deadline(dripping):
    """A server silent longer than the per-phase timeout is stopped by that timeout, which the message names."""
    port, _ = dripping
    (a,), elapsed = timed_audit([f"http://127.0.0.1:{port}/drip-headers?gap=3"],
                                settings(port, timeout=0.5, total_timeout=30))
    assert elapsed < 0.5 + SLACK_S
    assert a.error == "timeout" and "（0.5 s）" in a.findings[0]["zh"] and "(0.5 s)" in a.findings[0]["en"]


def test_many_dripping_pages_take_one_deadline_per_round_of_workers(dripping):
    port, _ = dripping
    urls = [f"http://127.0.0.1:{port}/drip-headers?gap=0.5&n={i}" for i in range(4)]
    audits, elapsed = timed_audit(urls, settings(port, concurrency=4))
    assert elapsed < TOTAL_S + SLACK_S
    assert [a.error for a in audits] == ["timeout"] * 4


def test_a_fast_page_on_the_same_server_is_unaffected(dripping):
    port, _ = dripping
    (a,), elapsed = timed_audit([f"http://127.0.0.1:{port}/fast"], settings(port))
    assert a.error is None and a.status == 200 and a.tel_links == ["4001234567"]
    assert elapsed < TOTAL_S
