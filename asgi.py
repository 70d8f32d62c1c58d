"""The web application ``make run`` serves: Streamlit's app (app.py) and the route
that keeps a local sign-in across a browser refresh.

Streamlit's pages cannot set cookies (a page talks to the server over a websocket),
so this module adds an HTTP route of its own next to Streamlit's (``st.App``, served
by ``serve.py`` → ``streamlit run asgi.py``, which finds ``app`` below):

``POST {COOKIE_PATH}`` (body: a one-time code)
    After a password sign-in the page hands its browser a one-time code
    (:func:`optimizer.store.auth.issue_cookie_code`, one minute, one use) and a line of
    script posts it here. The route swaps it for the session token and answers
    with the session cookie: HttpOnly (no script can read it), SameSite=Strict,
    Path=/, Max-Age the rest of the session — named ``__Host-optimizer_session``
    and Secure when the page is on https, ``optimizer_session`` without Secure on
    plain http (browsers refuse Secure cookies from http://localhost or a LAN
    address). The code travels in the body, never in an address.
``DELETE {COOKIE_PATH}``
    Sign-out: ends the session the cookie names and clears both cookies.

Both answer only requests the app's own pages make (``Sec-Fetch-Site:
same-origin``, or, from a browser that does not send it, an ``Origin`` of this very
host): another site cannot sign a visitor in as someone else or out. Whether the
page is on https is read from the ``Origin`` the browser sends (behind a proxy that
ends TLS the app itself sees plain http), else from the request. On every run
:func:`ui.begin` reads the cookie from ``st.context.cookies`` (what the browser sent
when the page connected) and checks it as any session token.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from optimizer.store import auth
from optimizer.store.database import Store

#: The route's path (under Streamlit's server.baseUrlPath, as the page computes it too).
COOKIE_PATH = auth.COOKIE_ROUTE
_MAX_BODY = 256


def _same_origin(request: Request) -> bool:
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin")
    if not origin:
        return False
    return urlsplit(origin).netloc.lower() == (request.headers.get("host") or "").lower()


def _https(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return urlsplit(origin).scheme == "https"
    return request.url.scheme == "https"


def _refused() -> Response:
    return Response(status_code=403, headers={"Cache-Control": "no-store"})


def session_routes(get_store: Callable[[], Store], base_path: str = "") -> list[Route]:
    """The session-cookie route (see the module notes); ``get_store`` gives the store
    the pages use, ``base_path`` Streamlit's server.baseUrlPath."""
    path = auth.cookie_route(base_path)

    async def cookie(request: Request) -> Response:
        if not _same_origin(request):
            return _refused()
        secure = _https(request)
        if request.method == "DELETE":
            s = get_store()
            for name in (auth.SESSION_COOKIE, auth.SESSION_COOKIE_SECURE):
                token = request.cookies.get(name)
                if token:
                    await run_in_threadpool(auth.end_session, s, token)
            response = Response(status_code=204, headers={"Cache-Control": "no-store"})
            response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="strict")
            response.delete_cookie(auth.SESSION_COOKIE_SECURE, path="/", secure=True, httponly=True,
                                   samesite="strict")
            return response
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > _MAX_BODY:
                return _refused()
        try:
            code = body.decode("ascii").strip()
        except UnicodeDecodeError:
            return _refused()
        s = get_store()
        redeemed = await run_in_threadpool(auth.redeem_cookie_code, s, code)
        if redeemed is None:
            return _refused()
        token, ends = redeemed
        response = Response(status_code=204, headers={"Cache-Control": "no-store"})
        response.set_cookie(auth.session_cookie_name(secure), token,
                            max_age=max(0, int((ends - s.now()).total_seconds())),
                            path="/", secure=secure, httponly=True, samesite="strict")
        return response

    return [Route(path, cookie, methods=["POST", "DELETE"])]


def _pages_store() -> Store:
    """The store the pages use (one per process; ui is imported once the app runs)."""
    import ui
    return ui.store()


app = st.App(Path(__file__).resolve().parent / "app.py",
             routes=session_routes(_pages_store, st.get_option("server.baseUrlPath")))
