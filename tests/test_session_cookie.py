"""A local sign-in kept across a browser refresh: the one-time code a signed-in page
hands its browser, the server route that swaps it for an HttpOnly session cookie, and
the route that clears it (asgi.py). SQLite always, PostgreSQL when reachable.
(The pages reading the cookie: tests/test_app_access.py; a real browser refreshing:
tests/test_browser.py.)"""
from __future__ import annotations

import warnings
from http.cookies import SimpleCookie

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette

with warnings.catch_warnings():  # starlette 1.x would like the httpx fork; httpx does the job
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import asgi
from optimizer.store import auth
from optimizer.store.auth import create_user, end_session, session_user, start_session
from optimizer.store.database import metadata
from tests.test_store import clock, counts, db, store  # noqa: F401 - fixtures

PW = "correct horse battery"
SAME = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch):
    monkeypatch.setattr(auth, "SCRYPT_N", 2 ** 10)
    monkeypatch.setattr(auth, "_DUMMY_HASH", None)


@pytest.fixture
def signed_in(store):
    user = create_user(store, "wang", PW, "optimizer")
    return user, start_session(store, user)


# ---------------------------------------------------------------- the one-time code

def test_a_code_gives_the_session_token_once(store, signed_in):
    user, token = signed_in
    code = auth.issue_cookie_code(store, token)
    assert code and code != token
    got = auth.redeem_cookie_code(store, code)
    assert got is not None and got[0] == token and got[1] == store.session(auth.token_hash(token)).expires_at
    assert auth.redeem_cookie_code(store, code) is None  # single use
    assert session_user(store, token) == user  # the session itself goes on


def test_a_code_lasts_a_minute(store, signed_in, clock):
    _, token = signed_in
    code = auth.issue_cookie_code(store, token)
    clock.advance(seconds=61)
    assert auth.COOKIE_CODE_TTL.total_seconds() == 60
    assert auth.redeem_cookie_code(store, code) is None


def test_no_code_for_or_from_an_ended_session(store, signed_in):
    user, token = signed_in
    assert auth.issue_cookie_code(store, auth.new_token()) is None  # no such session
    code = auth.issue_cookie_code(store, token)
    end_session(store, token)
    assert auth.redeem_cookie_code(store, code) is None
    token = start_session(store, user)
    code = auth.issue_cookie_code(store, token)
    auth.set_disabled(store, "wang", True)
    assert auth.redeem_cookie_code(store, code) is None


def test_made_up_codes_are_refused(store, signed_in):
    _, token = signed_in
    code = auth.issue_cookie_code(store, token)
    flipped = code[:-1] + ("A" if code[-1] != "A" else "B")
    for bad in (None, "", flipped, code[:-1], code + "x", token, auth.token_hash(code), "x" * 10_000, 12345):
        assert auth.redeem_cookie_code(store, bad) is None
    assert auth.redeem_cookie_code(store, code) is not None  # the wrong ones did not use it up


def test_the_database_keeps_neither_the_code_nor_the_token(store, signed_in):
    _, token = signed_in
    code = auth.issue_cookie_code(store, token)
    with store.engine.connect() as conn:
        dump = repr([conn.execute(sa.select(t)).all() for t in metadata.sorted_tables])
    assert token not in dump and code not in dump
    assert auth.token_hash(code) in dump  # looked up by its hash
    assert counts(store)["session_codes"] == 1
    auth.redeem_cookie_code(store, code)
    assert counts(store)["session_codes"] == 0


# ---------------------------------------------------------------- the routes

def client(store, base_url="http://127.0.0.1:8501") -> TestClient:
    return TestClient(Starlette(routes=asgi.session_routes(lambda: store)), base_url=base_url)


def set_cookie(response) -> SimpleCookie:
    jar = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return jar


def test_the_route_swaps_a_code_for_an_httponly_strict_cookie(store, signed_in):
    _, token = signed_in
    c = client(store)
    r = c.post(asgi.COOKIE_PATH, content=auth.issue_cookie_code(store, token), headers=SAME)
    assert r.status_code == 204 and r.headers["cache-control"] == "no-store"
    morsel = set_cookie(r)[auth.SESSION_COOKIE]
    assert morsel.value == token
    assert morsel["httponly"] and morsel["samesite"].lower() == "strict" and morsel["path"] == "/"
    assert not morsel["secure"]  # plain http (a browser refuses Secure cookies there)
    assert int(morsel["max-age"]) == 12 * 3600  # as long as the session can last, no longer


def test_over_https_the_cookie_is_secure_and_host_only(store, signed_in):
    _, token = signed_in
    c = client(store, "https://ads.example.com")
    r = c.post(asgi.COOKIE_PATH, content=auth.issue_cookie_code(store, token),
               headers={**SAME, "Origin": "https://ads.example.com"})
    assert r.status_code == 204
    jar = set_cookie(r)
    assert auth.SESSION_COOKIE not in jar
    morsel = jar[auth.SESSION_COOKIE_SECURE]
    assert auth.SESSION_COOKIE_SECURE.startswith("__Host-")
    assert morsel.value == token and morsel["secure"] and morsel["httponly"] and morsel["path"] == "/"
    assert not morsel["domain"]


def test_behind_an_https_proxy_the_browsers_origin_decides(store, signed_in):
    """A proxy that ends TLS talks plain http to the app: the page's own origin says https."""
    _, token = signed_in
    r = client(store).post(asgi.COOKIE_PATH, content=auth.issue_cookie_code(store, token),
                           headers={**SAME, "Origin": "https://ads.example.com"})
    assert r.status_code == 204 and set_cookie(r)[auth.SESSION_COOKIE_SECURE]["secure"]


def test_the_route_refuses_other_sites_used_codes_and_gets(store, signed_in):
    _, token = signed_in
    c = client(store)
    code = auth.issue_cookie_code(store, token)
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                    {"Origin": "https://evil.example"}, {}):
        r = c.post(asgi.COOKIE_PATH, content=code, headers=headers)
        assert r.status_code == 403 and not r.headers.get_list("set-cookie")
    # without Sec-Fetch-Site (an older browser), an Origin of this very host is accepted
    assert c.post(asgi.COOKIE_PATH, content=code, headers={"Origin": "http://127.0.0.1:8501"}).status_code == 204
    r = c.post(asgi.COOKIE_PATH, content=code, headers=SAME)  # used up
    assert r.status_code == 403 and not r.headers.get_list("set-cookie")
    assert c.get(asgi.COOKIE_PATH + "?code=" + code).status_code == 405  # never in a URL
    assert c.post(asgi.COOKIE_PATH, content="x" * 100_000, headers=SAME).status_code == 403


def test_signing_out_clears_the_cookie_and_ends_its_session(store, signed_in):
    _, token = signed_in
    c = client(store)
    c.cookies.set(auth.SESSION_COOKIE, token)
    assert c.delete(asgi.COOKIE_PATH, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert session_user(store, token) is not None
    r = c.delete(asgi.COOKIE_PATH, headers=SAME)
    assert r.status_code == 204
    jar = set_cookie(r)
    assert jar[auth.SESSION_COOKIE].value == "" and int(jar[auth.SESSION_COOKIE]["max-age"]) == 0
    assert jar[auth.SESSION_COOKIE_SECURE]["max-age"] in ("0", 0) and jar[auth.SESSION_COOKIE_SECURE]["secure"]
    assert session_user(store, token) is None


def test_the_route_lives_under_streamlits_base_path(store, signed_in):
    assert auth.cookie_route("") == auth.cookie_route(None) == "/session/cookie"
    assert auth.cookie_route("/ads/") == auth.cookie_route("ads") == "/ads/session/cookie"
    _, token = signed_in
    c = TestClient(Starlette(routes=asgi.session_routes(lambda: store, "ads")), base_url="http://127.0.0.1:8501")
    r = c.post("/ads/session/cookie", content=auth.issue_cookie_code(store, token), headers=SAME)
    assert r.status_code == 204 and set_cookie(r)[auth.SESSION_COOKIE]["path"] == "/"


def test_serve_py_runs_the_app_with_these_routes():
    """`make run` (serve.py → `streamlit run asgi.py`): Streamlit finds the st.App in
    asgi.py and serves app.py with the routes above."""
    from pathlib import Path

    from streamlit.web.server.app_discovery import discover_asgi_app
    root = Path(asgi.__file__).resolve().parent
    found = discover_asgi_app(root / "asgi.py")
    assert found.is_asgi_app and found.import_string == "asgi:app"
    assert asgi.app.script_path.resolve() == root / "app.py"
    assert [getattr(r, "path", None) for r in asgi.app._user_routes] == [asgi.COOKIE_PATH]
    assert '/ "asgi.py"' in (root / "serve.py").read_text(encoding="utf-8")
