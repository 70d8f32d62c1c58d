"""Sign-in, roles, sessions and share links, over :class:`optimizer.store.database.Store`.

Accounts
    Local accounts are created from the command line (:func:`main_users`, wired as
    ``python -m optimizer users add NAME --role admin``). Usernames are 1–64 letters,
    digits (any script) or ``. _ - @``, compared case-insensitively (stored lower
    case). Passwords have at least :data:`MIN_PASSWORD_LENGTH` characters and are
    stored as scrypt hashes (:func:`hash_password`: a random 16-byte salt per
    password, N=2**15, r=8, p=1, 32-byte key — about 0.1 s and 32 MiB per check —
    in the self-describing form ``scrypt$n=32768,r=8,p=1$<salt>$<key>``, so the
    parameters can be raised later: :func:`authenticate` re-hashes a password
    stored with weaker ones when its user next signs in). Verification compares
    with :func:`hmac.compare_digest`. An unknown username costs the same scrypt
    computation as a known one, so timing does not tell which names exist.

Roles (:func:`can`)
    ``admin``: everything, including managing users. ``optimizer``: creates
    workspaces and does everything (view, download, upload, delete, edit the
    lexicon and bundle maps, share) in the workspaces they created or were added to
    as a member (``users grant``). ``analyst``: views and downloads every workspace,
    changes nothing. A disabled user, a signed-out visitor (``None``) and an unknown
    principal can do nothing.

Sessions
    :func:`start_session` returns a random token (256 bits); only its SHA-256 is
    stored. :func:`session_user` gives the user while the session lasts: at most
    :data:`SESSION_TTL` (12 h) after sign-in and :data:`SESSION_IDLE` (2 h) after
    the last use; a new password or disabling the user ends all their sessions.

Session cookie (a sign-in kept across a browser refresh)
    Streamlit's pages cannot set cookies, so the server does it in a route of its
    own (``asgi.py``). After a password sign-in the page gets a one-time code
    (:func:`issue_cookie_code`: 256 random bits, valid :data:`COOKIE_CODE_TTL`, one
    use) and its browser posts the code to that route, which swaps it
    (:func:`redeem_cookie_code`) for the session token and sets it as an HttpOnly,
    SameSite=Strict cookie on Path=/ — :data:`SESSION_COOKIE_SECURE` (``__Host-``,
    Secure) when the page is on https, :data:`SESSION_COOKIE` on plain http, where
    browsers refuse Secure cookies. Only the code's SHA-256 is stored, and the token
    sealed with a key derived from the code (HMAC-SHA-512), so the database alone
    gives neither. The cookie is the same session: expiry, idle time, revocation,
    a new password and disabling the user end it as before.

Rate limits (:class:`Policy`)
    Wrong passwords: 5 within 15 minutes lock that username for 15 minutes, and 20
    within 15 minutes lock the source (the client's address) for 15 minutes. Wrong
    share tokens: 10 within 10 minutes lock the source for 15 minutes. While locked,
    even a right password or token is refused (:class:`RateLimited`, with the time
    the lock ends), so guessing cannot go on. An admin lifts a user's lock with
    ``users unlock NAME``. Locking a username lets anyone deny its owner sign-in
    for 15 minutes by guessing; the per-source lock limits how many names one
    address can do that to. With no known source address, all anonymous attempts
    share one counter. The limits hold however many attempts arrive at once (threads
    of one server, several servers on one database): a sign-in reserves its place
    under both counters in the database before its password is checked, so at most
    5 wrong passwords (20 from one source) are checked before the lock; an attempt
    that finds the rest of the limit held by attempts still being checked is
    refused unchecked and counts as a wrong one. A right password clears the
    username's failures counted before it began, never those made meanwhile. A
    share token is looked up under its source's counter, one at a time.

Share links
    :func:`create_share` makes a token of 256 random bits
    (``secrets.token_urlsafe(32)``), stores only its SHA-256 hex and returns the
    token once, to be put in the link (``?share=TOKEN``). :func:`open_share` hashes
    the token it is given, looks the hash up and compares it with
    :func:`hmac.compare_digest`; a link that is unknown, revoked or expired is
    refused (:class:`ShareRefused`, with the reason), and unknown tokens count
    toward the source's rate limit. The result, :class:`ShareAccess`, is a principal
    that can view (and, when the link allows it, download) its one workspace and
    nothing else. Pages resolve the token again on every run, so a revoked link
    stops working at once, and record when each link was last opened (to the
    minute).

Pages use :class:`Access` (a principal bound to the store), whose every method
checks :func:`can` before reading or writing, and which treats a workspace the
principal may not see exactly like one that does not exist.
"""
from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import os
import re
import secrets
import sys
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from collections.abc import Mapping
from typing import Any, TextIO

from optimizer.errors import InvalidInput, UserError
from optimizer.reading.ingest import ColumnMapping
from optimizer.model.dataset import account_keys, accounts as workspace_accounts, only_accounts
from optimizer.i18n import account_label
from optimizer.store.database import (BundleDecision, DbMappingStore, NotFound, ShareLink, Store, ThrottleKey, ThrottleTicket, Upload,
                    UploadResult, User, Workspace, WorkspaceAuditStore, WorkspaceLexiconStore, WorkspaceNote,
                    WorkspaceTable, sha256_hex)
from optimizer.store.engine import default_data_dir

ROLES = ("admin", "optimizer", "analyst")
#: What a principal may be allowed to do (see :func:`can`).
ACTIONS = ("view", "download", "upload", "delete", "edit_lexicon", "edit_bundles", "log_changes", "share",
           "create_workspace", "manage_users")
READ_ACTIONS = ("view", "download")

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

#: scrypt parameters for new hashes (cost N, block size r, parallelism p).
SCRYPT_N = 2 ** 15
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_SALT_BYTES = 16
SCRYPT_KEY_BYTES = 32

SESSION_TTL = timedelta(hours=12)
SESSION_IDLE = timedelta(hours=2)
#: Sessions' and share links' "last seen / last opened" are written at most this often.
TOUCH_EVERY = timedelta(minutes=1)

#: How long the one-time code that turns a sign-in into a session cookie lasts.
COOKIE_CODE_TTL = timedelta(seconds=60)
#: The session cookie's name on plain http (e.g. http://localhost), and on https
#: (the ``__Host-`` prefix: the browser keeps it only when Secure, Path=/ and no Domain).
SESSION_COOKIE = "optimizer_session"
SESSION_COOKIE_SECURE = "__Host-optimizer_session"
#: The server's route that sets and clears the session cookie (asgi.py), under
#: Streamlit's server.baseUrlPath (:func:`cookie_route`).
COOKIE_ROUTE = "/session/cookie"

SHARE_DEFAULT_TTL = timedelta(days=7)
SHARE_MAX_TTL = timedelta(days=365)
TOKEN_BYTES = 32  # 256 bits


@dataclass(frozen=True)
class Policy:
    """``limit`` failures within ``window`` lock the key for ``lockout``."""

    scope: str
    limit: int
    window: timedelta
    lockout: timedelta


LOGIN_PER_USER = Policy("login_user", 5, timedelta(minutes=15), timedelta(minutes=15))
LOGIN_PER_SOURCE = Policy("login_source", 20, timedelta(minutes=15), timedelta(minutes=15))
SHARE_PER_SOURCE = Policy("share_source", 10, timedelta(minutes=10), timedelta(minutes=15))


class AuthError(Exception):
    """Base of the errors below."""


class PermissionDenied(AuthError, PermissionError):
    """The principal may not do this (or the workspace does not exist: not told apart)."""


class UnknownUser(UserError, NotFound):
    """No user has this name (``message(lang)`` names it)."""


class RateLimited(AuthError, PermissionError):
    """Too many failures: refused until ``until`` (even with the right secret)."""

    def __init__(self, until: datetime, what: str = "attempts") -> None:
        self.until = until
        super().__init__(f"too many failed {what}: try again after {until:%H:%M} UTC")

    def retry_after(self, now: datetime) -> int:
        """Seconds until the lock ends."""
        return max(0, int((self.until - now).total_seconds()) + 1)


class ShareRefused(AuthError, PermissionError):
    """A share link that cannot be opened. ``reason``: unknown, expired or revoked."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__({"unknown": "this link is not valid",
                          "expired": "this link has expired",
                          "revoked": "this link was revoked"}[reason])


# ====================================================================== passwords

def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii").rstrip("=")


def _unb64(s: str) -> bytes:
    return base64.b64decode(s + "=" * (-len(s) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen,
                          maxmem=256 * n * r * p + (1 << 20))


def hash_password(password: str) -> str:
    """The scrypt hash of ``password`` with a fresh random salt, as
    ``scrypt$n=…,r=…,p=…$<salt base64>$<key base64>``."""
    salt = secrets.token_bytes(SCRYPT_SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_KEY_BYTES)
    return f"scrypt$n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P}${_b64(salt)}${_b64(key)}"


_HASH_RE = re.compile(r"scrypt\$n=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)")


def _parse_hash(encoded: str) -> tuple[int, int, int, bytes, bytes] | None:
    m = _HASH_RE.fullmatch(encoded or "")
    if not m:
        return None
    n, r, p = (int(x) for x in m.group(1, 2, 3))
    if n < 2 or n & (n - 1) or n > 2 ** 20 or not 1 <= r <= 32 or not 1 <= p <= 16:
        return None
    salt, key = _unb64(m.group(4)), _unb64(m.group(5))
    if len(salt) < SCRYPT_SALT_BYTES or len(key) < SCRYPT_KEY_BYTES:  # damaged or too weak: no match
        return None
    return n, r, p, salt, key


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches the stored hash (constant-time comparison)."""
    parsed = _parse_hash(encoded)
    if parsed is None or len(password) > MAX_PASSWORD_LENGTH:
        return False
    n, r, p, salt, key = parsed
    return hmac.compare_digest(_scrypt(password, salt, n, r, p, len(key)), key)


def needs_rehash(encoded: str) -> bool:
    """Whether a stored hash uses weaker parameters than new hashes do."""
    parsed = _parse_hash(encoded)
    return parsed is None or (parsed[0], parsed[1], parsed[2]) < (SCRYPT_N, SCRYPT_R, SCRYPT_P)


_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None or not _DUMMY_HASH.startswith(f"scrypt$n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P}$"):
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


# ====================================================================== users

_USERNAME_RE = re.compile(r"[\w.@-]{1,64}")


def normalize_username(username: str) -> str:
    """The stored form of a username (NFKC, trimmed, lower case). ValueError when invalid."""
    name = unicodedata.normalize("NFKC", username or "").strip().lower()
    if not _USERNAME_RE.fullmatch(name):
        raise InvalidInput("bad_username")
    return name


def check_password_strength(password: str) -> None:
    """ValueError when a new password is too short, too long or blank."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise ValueError("a password cannot be only spaces")


#: Stored instead of a hash for accounts that sign in only through single sign-on.
NO_PASSWORD = "!sso-only"


def create_user(store: Store, username: str, password: str | None, role: str) -> User:
    """A new local account. ``password`` None: the account has no password and
    signs in only through single sign-on (:func:`sso_user`; its username is then
    the e-mail address the identity provider gives). ValueError for a bad name,
    password or role; :class:`optimizer.store.database.Conflict` when the name is taken."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    name = normalize_username(username)
    if password is None:
        return store.insert_user(name, NO_PASSWORD, role)
    check_password_strength(password)
    return store.insert_user(name, hash_password(password), role)


def sso_user(store: Store, claims: Mapping[str, Any] | None) -> User | None:
    """The local account of a person signed in through Streamlit's OIDC sign-in
    (``claims``: ``st.user.to_dict()``): the enabled user whose username is the
    token's ``email``, when the provider marks it verified (``email_verified``
    true, or absent). None otherwise: single sign-on proves who someone is; the
    role and the workspaces still come from the accounts kept here (``users
    add NAME@COMPANY --role … --sso``). Call it on every page run."""
    if not claims or not claims.get("is_logged_in", True):
        return None
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified", True) is not True:
        return None
    try:
        user = store.user_by_name(normalize_username(email))
    except ValueError:
        return None
    return None if user is None or user.disabled else user


def set_password(store: Store, username: str, password: str) -> User:
    """Change a user's password (ends their sessions)."""
    user = _user_named(store, username)
    check_password_strength(password)
    return store.update_user(user.id, password_hash=hash_password(password))


def set_role(store: Store, username: str, role: str) -> User:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    return store.update_user(_user_named(store, username).id, role=role)


def set_disabled(store: Store, username: str, disabled: bool) -> User:
    """Disable (ends their sessions) or enable a user. Users are never deleted, so
    that who uploaded what stays known."""
    return store.update_user(_user_named(store, username).id, disabled=disabled)


def unlock(store: Store, username: str) -> None:
    """Lift the wrong-password lock on a username."""
    store.throttle_clear(LOGIN_PER_USER.scope, normalize_username(username))


def _user_named(store: Store, username: str) -> User:
    user = store.user_by_name(normalize_username(username))
    if user is None:
        raise UnknownUser("no_user", name=(username or "").strip())
    return user


#: environment variable: how many reverse proxies in front of the app append to
#: X-Forwarded-For (0 by default: the header is ignored, since a visitor can write it)
TRUSTED_PROXIES_ENV = "OPTIMIZER_TRUSTED_PROXIES"
#: The address clients reach the app at, for share links (e.g. https://ads.example.com): see :func:`share_url`.
PUBLIC_URL_ENV = "OPTIMIZER_PUBLIC_URL"


def client_source(peer: str | None, forwarded_for: str | None, trusted_proxies: int = 0) -> str | None:
    """The visitor's address that rate limits count by.

    ``peer``: the address the connection came from; ``forwarded_for``: the
    X-Forwarded-For header; ``trusted_proxies``: how many proxies of the operator's
    own stand in front of the app. Behind one HTTPS proxy every visitor's peer is the
    proxy, so all would share one counter (and one stranger's wrong links would block
    every client's); each trusted proxy appends the address it received the request
    from, so the visitor is the entry ``trusted_proxies`` places from the right. With
    0 (the default) the header is ignored — anyone can write it — and the peer is used.
    None when nothing is known (then every such visitor shares the counter
    ``unknown``)."""
    if trusted_proxies > 0 and forwarded_for:
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies][:255]
    return peer or None


def trusted_proxies_setting(environ: Mapping[str, str] | None = None) -> int:
    """:data:`TRUSTED_PROXIES_ENV` as a count (0 when unset or not a whole number ≥ 0)."""
    raw = (environ if environ is not None else os.environ).get(TRUSTED_PROXIES_ENV, "").strip()
    return int(raw) if raw.isdigit() else 0


def share_url(token: str, page_url: str | None, public_url: str | None = None) -> tuple[str, str]:
    """The link to send a client, and where it works.

    The base is ``public_url`` (:data:`PUBLIC_URL_ENV`, the address clients reach the
    app at, e.g. ``https://ads.example.com``) when it is an http(s) address, else the
    address the share page was opened at (``page_url``, without the page's own path
    ``/share`` and the query). Second: ``public`` (send it), ``loopback`` (the host is
    this computer — localhost, 127.x, ::1, 0.0.0.0 —: the link only opens here),
    ``bad_setting`` (``public_url`` is no http(s) address: the page address was used)
    or ``unknown`` (no address known: the path alone)."""
    from ipaddress import ip_address
    from urllib.parse import urlsplit

    where = "public"
    setting = (public_url or "").strip()
    if setting and urlsplit(setting).scheme in ("http", "https") and urlsplit(setting).hostname:
        base = setting
    else:
        where = "bad_setting" if setting else "public"
        parts = urlsplit(page_url or "")
        path = parts.path.rstrip("/")
        if path.endswith("/share"):
            path = path[: -len("/share")]
        base = f"{parts.scheme}://{parts.netloc}{path}" if parts.scheme and parts.netloc else ""
    host = (urlsplit(base).hostname or "").lower()
    if not base:
        where = "unknown"
    elif where == "public":
        try:
            ip = ip_address(host)
            local = ip.is_loopback or ip.is_unspecified
        except ValueError:
            local = host == "localhost" or host.endswith(".localhost")
        where = "loopback" if local else "public"
    return f"{base.rstrip('/')}/?share={token}", where


def _source_key(source: str | None) -> str:
    return (source or "").strip()[:255] or "unknown"


def _limit(policy: Policy, key: str) -> ThrottleKey:
    """The counter of ``policy`` for ``key``; a sign-in's success clears its username's failures."""
    return ThrottleKey(policy.scope, key, policy.limit, policy.window, policy.lockout,
                       cleared_by_success=policy is LOGIN_PER_USER)


def _reserve(store: Store, keys: list[ThrottleKey], what: str) -> ThrottleTicket:
    """Reserve this attempt under its limits before its secret is checked (see
    :meth:`optimizer.store.database.Store.throttle_reserve`); :class:`RateLimited` when refused."""
    got = store.throttle_reserve(keys)
    if not isinstance(got, ThrottleTicket):
        raise RateLimited(got, what)
    return got


def authenticate(store: Store, username: str, password: str, *, source: str | None = None) -> User | None:
    """The user when ``password`` is theirs and the account is enabled, else None.

    ``source``: the client's address (``st.context.ip_address``), for the
    per-source limit. Raises :class:`RateLimited` while the username or the source
    is locked (see the module's rate limits), without checking the password. The
    attempt reserves its place under both limits before the password is checked, so
    that attempts made at the same moment (threads, several servers) are checked at
    most as many times as the limits allow; a success clears the username's
    failures counted before it began, not those made meanwhile."""
    src = _source_key(source)
    try:
        name = normalize_username(username)
    except ValueError:
        name = None
    keys = [_limit(LOGIN_PER_SOURCE, src)] + ([_limit(LOGIN_PER_USER, name)] if name is not None else [])
    ticket = _reserve(store, keys, "sign-ins")
    ok = False
    try:
        creds = store.credentials(name) if name is not None else None
        if creds is None or _parse_hash(creds[1]) is None:  # unknown, or single sign-on only
            verify_password(password, _dummy_hash())  # same cost as a real check
        else:
            ok = verify_password(password, creds[1]) and not creds[0].disabled
    finally:
        store.throttle_settle(ticket, ok)  # an attempt that broke off counts as a failure
    if not ok:
        return None
    user, encoded = creds  # type: ignore[misc]
    if needs_rehash(encoded):
        store.update_user(user.id, password_hash=hash_password(password))
    return user


# ====================================================================== sessions

def new_token() -> str:
    """A random URL-safe token of 256 bits."""
    return secrets.token_urlsafe(TOKEN_BYTES)


_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{40,64}")


def token_hash(token: str) -> str:
    return sha256_hex(token)


def start_session(store: Store, user: User, *, ttl: timedelta = SESSION_TTL, source: str | None = None) -> str:
    """Sign ``user`` in: a new session token (only its hash is stored)."""
    if user.disabled:
        raise PermissionDenied("this account is disabled")
    token = new_token()
    store.insert_session(token_hash(token), user.id, store.now() + ttl, source=source)
    return token


def session_user(store: Store, token: str | None, *, idle: timedelta = SESSION_IDLE) -> User | None:
    """The signed-in user of a session token; None when the token is unknown, the
    session expired (absolute or idle) or was ended, or the user is disabled."""
    if not token or not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        return None
    h = token_hash(token)
    sess = store.session(h)
    if sess is None or not hmac.compare_digest(sess.token_hash, h):
        return None
    now = store.now()
    if now >= sess.expires_at or now - sess.last_seen >= idle or sess.user.disabled:
        if now >= sess.expires_at or sess.user.disabled:
            store.delete_session(h)
        return None
    if now - sess.last_seen >= TOUCH_EVERY:
        store.touch_session(h, now)
    return sess.user


def end_session(store: Store, token: str | None) -> None:
    """Sign out (the token stops working)."""
    if token and isinstance(token, str):
        store.delete_session(token_hash(token))


def cookie_route(base_path: str | None) -> str:
    """:data:`COOKIE_ROUTE` under a base path (Streamlit's server.baseUrlPath)."""
    base = (base_path or "").strip("/")
    return f"/{base}{COOKIE_ROUTE}" if base else COOKIE_ROUTE


def session_cookie_name(secure: bool) -> str:
    """The session cookie's name for a page on https (``secure``) or plain http."""
    return SESSION_COOKIE_SECURE if secure else SESSION_COOKIE


def _cookie_key(code: str, n: int) -> bytes:
    return hmac.new(code.encode("ascii"), b"optimizer session cookie", hashlib.sha512).digest()[:n]


def issue_cookie_code(store: Store, token: str | None) -> str | None:
    """A one-time code for the session cookie of a signed-in session (None when
    ``token`` is no valid session): :data:`COOKIE_CODE_TTL` to live, one use."""
    if session_user(store, token) is None:
        return None
    assert token is not None
    code = new_token()
    raw = token.encode("ascii")
    sealed = bytes(a ^ b for a, b in zip(raw, _cookie_key(code, len(raw)))).hex()
    store.insert_session_code(token_hash(code), token_hash(token), sealed, store.now() + COOKIE_CODE_TTL)
    return code


def redeem_cookie_code(store: Store, code: Any) -> tuple[str, datetime] | None:
    """The session token a one-time code stands for, and when its session ends (the
    cookie's lifetime); the code is used up. None when the code is made up, used,
    older than :data:`COOKIE_CODE_TTL`, or its session has ended since."""
    if not isinstance(code, str) or not _TOKEN_RE.fullmatch(code):
        return None
    taken = store.take_session_code(token_hash(code))
    if taken is None:
        return None
    th, sealed, expires_at = taken
    if store.now() >= expires_at:
        return None
    try:
        raw = bytes.fromhex(sealed)
        token = bytes(a ^ b for a, b in zip(raw, _cookie_key(code, len(raw)))).decode("ascii")
    except ValueError:
        return None
    if not hmac.compare_digest(token_hash(token), th) or session_user(store, token) is None:
        return None
    sess = store.session(th)
    return (token, sess.expires_at) if sess is not None else None


# ====================================================================== permissions

@dataclass(frozen=True)
class ShareAccess:
    """A visitor who opened a share link: may view (and download, when allowed) one workspace."""

    link_id: int
    workspace_id: int
    allow_download: bool
    label: str | None
    expires_at: datetime
    #: the (platform, account, currency) the link shows; None: every account
    accounts: tuple[tuple[str, str, str], ...] | None = None
    #: the link shows "what we changed and what it did" (the change log's effects)
    show_changes: bool = False


Principal = User | ShareAccess | None


def can(principal: Principal, action: str, workspace: Workspace | None = None) -> bool:
    """Whether ``principal`` may do ``action`` on ``workspace`` (None for the actions
    that concern no workspace: create_workspace, manage_users). See the module's
    roles. Unknown actions raise ValueError."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if principal is None:
        return False
    if isinstance(principal, ShareAccess):
        return (workspace is not None and workspace.id == principal.workspace_id
                and (action == "view" or (action == "download" and principal.allow_download)))
    if not isinstance(principal, User) or principal.disabled:
        return False
    if principal.role == "admin":
        return True
    if action == "manage_users":
        return False
    if action == "create_workspace":
        return principal.role == "optimizer"
    if workspace is None:
        return False
    if principal.role == "analyst":
        return action in READ_ACTIONS
    if principal.role == "optimizer":
        return workspace.created_by == principal.id or principal.id in workspace.member_ids
    return False


# ====================================================================== share links

def create_share(store: Store, user: User, workspace_id: int, *, expires_in: timedelta = SHARE_DEFAULT_TTL,
                 label: str | None = None, allow_download: bool = False,
                 accounts: Any = None, show_changes: bool = False) -> tuple[ShareLink, str]:
    """A read-only link to one workspace: (the stored link, the token). The token is
    shown once (put it in the URL); only its hash is kept. ``expires_in``: from a
    minute to :data:`SHARE_MAX_TTL`. ``label``: e.g. "for 王老板". ``accounts``: the
    (platform, account, currency) of the workspace's accounts the client may see — at
    least one; None for every account (the whole workspace). ``show_changes``: the client
    view shows what was changed and what it did (the change log; off by default)."""
    ws = _workspace_for(store, user, workspace_id, "share")
    if not timedelta(minutes=1) <= expires_in <= SHARE_MAX_TTL:
        raise ValueError("a share link expires between a minute and a year from now")
    if accounts is not None:
        accounts = tuple(dict.fromkeys(tuple(str(x) for x in a) for a in accounts))
        if not accounts:
            raise ValueError("a share link shows at least one account")
    token = new_token()
    link = store.insert_share_link(ws.id, token_hash(token), expires_at=store.now() + expires_in, label=label,
                                   by=user, allow_download=allow_download, accounts=accounts,
                                   show_changes=show_changes)
    return link, token


def list_shares(store: Store, user: User, workspace_id: int) -> list[ShareLink]:
    """The workspace's links (active, expired and revoked), newest first."""
    ws = _workspace_for(store, user, workspace_id, "share")
    return store.share_links(ws.id)


def revoke_share(store: Store, user: User, workspace_id: int, link_id: int) -> ShareLink:
    ws = _workspace_for(store, user, workspace_id, "share")
    return store.revoke_share_link(ws.id, int(link_id))


def open_share(store: Store, token: str | None, *, source: str | None = None) -> ShareAccess:
    """Open a share link: the access it grants. Raises :class:`RateLimited` while the
    source is locked (even for a good token) and :class:`ShareRefused` (unknown,
    expired, revoked) otherwise; unknown tokens count toward the source's limit.
    Records when the link was last opened."""
    src = _source_key(source)
    h = token_hash(token) if isinstance(token, str) and _TOKEN_RE.fullmatch(token) else None
    link = None

    def look_up(conn) -> bool:  # under the source's counter, so parallel openings are looked up one at a time
        nonlocal link
        link = store.share_link_by_hash(h, conn) if h is not None else None
        return link is not None and h is not None and hmac.compare_digest(link.token_hash, h)

    found, until = store.throttle_check([_limit(SHARE_PER_SOURCE, src)], look_up)
    if found is None:
        raise RateLimited(until, "link openings")
    if not found:
        if until is not None:
            raise RateLimited(until, "link openings")
        raise ShareRefused("unknown")
    now = store.now()
    state = link.state(now)
    if state != "active":
        raise ShareRefused(state)
    if link.last_opened_at is None or now - link.last_opened_at >= TOUCH_EVERY:
        store.touch_share_link(link.id, now)
    return ShareAccess(link.id, link.workspace_id, link.allow_download, link.label, link.expires_at,
                       link.accounts, link.show_changes)


def notes_for(notes: Any, accounts: Any, every: Any = None) -> list[WorkspaceNote]:
    """The notes a view of ``accounts`` (a share link's) shows: every note when None (the
    whole workspace); otherwise those about one of ``accounts``. A note about every
    account (or written before notes named one) is not shown to a client who sees only
    some of them: only when ``accounts`` holds all of ``every`` (the workspace's accounts
    now, e.g. the one account of a one-client workspace)."""
    if accounts is None:
        return list(notes)
    keep = {tuple(str(x) for x in a) for a in accounts}
    every = {tuple(str(x) for x in a) for a in every or ()}
    whole = bool(every) and every <= keep
    return [n for n in notes if (whole if n.account is None else tuple(n.account) in keep)]


def link_title(workspace_name: str, accounts: Any, lang: str = "zh") -> str:
    """The title of what a link shows: the workspace's name for a link to the whole
    workspace; the accounts' labels (:func:`~optimizer.i18n.account_label`) for a link
    limited to some — never the workspace's name, which may name the agency's other
    clients."""
    if accounts is None:
        return workspace_name
    return ("、" if lang == "zh" else ", ").join(account_label(*a, lang) for a in accounts)


def resolve_share(store: Store, token: str | None, *, source: str | None = None) -> ShareAccess | None:
    """:func:`open_share`, with None for a refused link (RateLimited still raises)."""
    try:
        return open_share(store, token, source=source)
    except ShareRefused:
        return None


# ====================================================================== access

def _as_id(value: Any) -> int | None:
    """An id given as an int or a string of digits (e.g. from the URL), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2 ** 63 else None
    if isinstance(value, str) and re.fullmatch(r"[1-9][0-9]{0,17}", value):
        return int(value)
    return None


def _workspace_for(store: Store, principal: Principal, workspace_id: Any, action: str) -> Workspace:
    """The workspace when ``principal`` may do ``action`` on it; PermissionDenied
    otherwise — also for ids that do not exist or are not numbers, so that probing
    ids tells nothing."""
    wid = _as_id(workspace_id)
    if wid is None:
        raise PermissionDenied("no such workspace")
    try:
        ws = store.get_workspace(wid)
    except NotFound:
        raise PermissionDenied("no such workspace") from None
    if not can(principal, action, ws):
        if can(principal, "view", ws):
            raise PermissionDenied(f"not allowed to {action.replace('_', ' ')} in this workspace")
        raise PermissionDenied("no such workspace")
    return ws


class Access:
    """What one principal (a signed-in :class:`~optimizer.store.database.User`, a
    :class:`ShareAccess`, or None) may do, bound to the store: every method checks
    :func:`can` and raises :class:`PermissionDenied` otherwise. Build one per page
    run from the session token or share token (never from a workspace id kept in
    session state or the URL alone): ``Access(store, session_user(store, token))``.
    """

    def __init__(self, store: Store, principal: Principal) -> None:
        self.store = store
        self.principal = principal

    @property
    def user(self) -> User | None:
        return self.principal if isinstance(self.principal, User) else None

    def can(self, action: str, workspace: Workspace | None = None) -> bool:
        return can(self.principal, action, workspace)

    def _require_user(self, action: str) -> User:
        if not can(self.principal, action, None) or self.user is None:
            raise PermissionDenied(f"not allowed to {action.replace('_', ' ')}")
        return self.user

    # workspaces
    def workspaces(self) -> list[Workspace]:
        """The workspaces this principal may view (a share visitor: its one workspace)."""
        if self.principal is None:
            return []
        return [w for w in self.store.list_workspaces() if can(self.principal, "view", w)]

    def workspace(self, workspace_id: Any, action: str = "view") -> Workspace:
        return _workspace_for(self.store, self.principal, workspace_id, action)

    def choose_workspace(self, requested: Any = None) -> Workspace | None:
        """The workspace a page shows. A share visitor always gets the link's
        workspace, whatever was requested (URL, session state); a user gets the
        requested one when they may view it, else their first one; None when
        there is none."""
        if isinstance(self.principal, ShareAccess):
            return self.workspace(self.principal.workspace_id)
        if requested is not None:
            try:
                return self.workspace(requested)
            except PermissionDenied:
                pass
        visible = self.workspaces()
        return visible[0] if visible else None

    def create_workspace(self, name: str, **kw: Any) -> Workspace:
        user = self._require_user("create_workspace")
        return self.store.create_workspace(name, by=user, **kw)

    def delete_workspace(self, workspace_id: Any, confirm_name: str) -> None:
        ws = self.workspace(workspace_id, "delete")
        self.store.delete_workspace(ws.id, confirm_name)

    def export_zip(self, workspace_id: Any) -> bytes:
        return self.store.export_workspace_zip(self.workspace(workspace_id, "download").id)

    def add_member(self, workspace_id: Any, username: str) -> None:
        """Give another user access (the workspace's optimizers and admins may)."""
        ws = self.workspace(workspace_id, "share")
        self.store.add_member(ws.id, _user_named(self.store, username).id, by=self.user)

    # data
    def view_accounts(self, accounts: Any = None) -> tuple[tuple[str, str, str], ...] | None:
        """The accounts this principal's view shows: a share visitor, its link's (it cannot
        widen them); a user, ``accounts`` (e.g. to preview a link; None: every account)."""
        if isinstance(self.principal, ShareAccess):
            return self.principal.accounts
        return None if accounts is None else tuple(tuple(str(x) for x in a) for a in accounts)

    def table(self, workspace_id: Any, accounts: Any = None) -> WorkspaceTable:
        """The workspace's data; a share visitor gets only the rows of the accounts the
        link shows (the others are not in the table at all); ``accounts``: see
        :meth:`view_accounts`."""
        wt = self.store.workspace_table(self.workspace(workspace_id, "view").id)
        scope = self.view_accounts(accounts)
        if scope is not None:
            wt = WorkspaceTable(only_accounts(wt.table, scope), (), ())
        return wt

    def notes(self, workspace_id: Any, accounts: Any = None, every: Any = None) -> list[WorkspaceNote]:
        """The workspace's notes this principal's view shows (:func:`notes_for` of
        :meth:`view_accounts`), newest first. ``every``: the workspace's accounts now
        (platform, account, currency), when the caller keeps them; by default read from
        its data."""
        ws = self.workspace(workspace_id, "view")
        scope = self.view_accounts(accounts)
        if scope is not None and every is None:
            every = account_keys(workspace_accounts(self.store.workspace_table(ws.id).table))
        return notes_for(self.store.notes(ws.id), scope, every)

    def data_version(self, workspace_id: Any) -> tuple[int, ...]:
        """The workspace's data version: its upload ids (uploads never change, so the
        same ids are the same rows). What the kept analyses are keyed by
        (:mod:`optimizer.analysis.account`); names nothing a share visitor may not see."""
        return self.store.upload_ids(self.workspace(workspace_id, "view").id)

    def data_versions(self) -> list[tuple[Workspace, tuple[int, ...]]]:
        """Every workspace this principal may view (:meth:`workspaces`) with its data
        version (:meth:`data_version`), in two queries whatever their number (the Today
        page lists them all)."""
        visible = self.workspaces()
        versions = self.store.upload_ids_of(w.id for w in visible)
        return [(w, versions.get(w.id, ())) for w in visible]

    def uploads(self, workspace_id: Any) -> list[Upload]:
        return self.store.list_uploads(self.workspace(workspace_id, "view").id)

    def upload_table(self, workspace_id: Any, upload_id: int) -> "pd.DataFrame":
        """The rows read from one of the workspace's uploads."""
        return self.store.upload_table(self.workspace(workspace_id, "view").id, int(upload_id))

    def upload(self, workspace_id: Any, name: str, data: bytes, *, mapping: ColumnMapping | None = None,
               export=None, account: str | None = None) -> UploadResult:
        ws = self.workspace(workspace_id, "upload")
        return self.store.add_upload(ws.id, name, data, self.user, mapping=mapping, export=export, account=account)

    def delete_upload(self, workspace_id: Any, upload_id: int) -> None:
        self.store.delete_upload(self.workspace(workspace_id, "delete").id, int(upload_id))

    def delete_uploads(self, workspace_id: Any, upload_ids: Any) -> None:
        self.store.delete_uploads(self.workspace(workspace_id, "delete").id, [int(i) for i in upload_ids])

    def table_without(self, workspace_id: Any, upload_ids: Any) -> "pd.DataFrame":
        """The workspace's data as deleting ``upload_ids`` would leave it (nothing changes)."""
        return self.store.table_without(self.workspace(workspace_id, "delete").id, [int(i) for i in upload_ids])

    def account_records(self, workspace_id: Any, account_key: str) -> list[str]:
        """What the workspace keeps for an account besides its rows (:meth:`Store.account_records`)."""
        return self.store.account_records(self.workspace(workspace_id, "view").id, account_key)

    def file(self, workspace_id: Any, upload_id: int) -> tuple[str, bytes]:
        """An uploaded file's (name, original bytes)."""
        return self.store.upload_file(self.workspace(workspace_id, "download").id, int(upload_id))

    # lexicon, bundle maps, audits, mappings
    def lexicon_store(self, workspace_id: Any) -> "GuardedLexiconStore":
        ws = self.workspace(workspace_id, "view")
        return GuardedLexiconStore(self.store, ws.id, self.user, can(self.principal, "edit_lexicon", ws))

    def bundle_decision(self, workspace_id: Any, account_key: str) -> BundleDecision | None:
        return self.store.bundle_decision(self.workspace(workspace_id, "view").id, account_key)

    def save_bundle_decision(self, workspace_id: Any, account_key: str, file_name: str, data: bytes, *,
                             proposal: Any = None) -> BundleDecision:
        ws = self.workspace(workspace_id, "edit_bundles")
        return self.store.save_bundle_decision(ws.id, account_key, file_name, data, proposal=proposal, by=self.user)

    def bid_targets(self, workspace_id: Any, account_key: str):
        """The target CPAs the account's bids aim at (:class:`optimizer.actions.bids.BidTargets`),
        kept in the app settings; none set gives empty targets."""
        from optimizer.actions.bids import BidTargets, targets_setting_key
        ws = self.workspace(workspace_id, "view")
        return BidTargets.from_json(self.store.setting(targets_setting_key(ws.id, account_key)))

    def save_bid_targets(self, workspace_id: Any, account_key: str, targets) -> None:
        """Keep the account's bid targets (needs the edit_bundles permission: targets are the
        bundle map's kind of decision)."""
        from optimizer.actions.bids import targets_setting_key
        ws = self.workspace(workspace_id, "edit_bundles")
        self.store.set_setting(targets_setting_key(ws.id, account_key), targets.to_json())

    def audit_store(self, workspace_id: Any) -> "GuardedAuditStore":
        """The workspace's landing-page audits: anyone who may view reads them;
        adding audits (the check fetches pages) needs the edit_lexicon permission."""
        ws = self.workspace(workspace_id, "view")
        return GuardedAuditStore(self.store, ws.id, can(self.principal, "edit_lexicon", ws))

    def mapping_store(self) -> DbMappingStore:
        self._require_user("create_workspace")
        return DbMappingStore(self.store, self.user)

    # saved verticals (shared by every workspace: see optimizer.keywords.verticals)
    def may_save_verticals(self) -> bool:
        """Saving a vertical needs the role that creates workspaces (optimizer, admin)."""
        return can(self.principal, "create_workspace", None) and self.user is not None

    def _own_vertical(self, code: str, user: User) -> None:
        from optimizer.keywords.verticals import VerticalNameError
        row = next((r for r in self.store.saved_verticals() if r.code == code), None)
        if row is not None and user.role != "admin" and row.saved_by != user.id:
            raise VerticalNameError("not_yours", code=code)

    def save_vertical(self, saved: Any, *, overwrite: bool = False) -> None:
        """Keep a :class:`~optimizer.keywords.lexicon.SavedVertical`; replacing one (``overwrite``)
        is for its author or an admin (:class:`~optimizer.keywords.verticals.VerticalNameError`
        ``not_yours``), a code taken without ``overwrite`` raises Conflict."""
        user = self._require_user("create_workspace")
        if overwrite:
            self._own_vertical(saved.code, user)
        self.store.save_vertical(saved.code, saved.name_zh, saved.name_en, saved.base, saved.zh, saved.en,
                                 by=user if user.id is not None else None, overwrite=overwrite)

    def delete_vertical(self, code: str) -> None:
        user = self._require_user("create_workspace")
        self._own_vertical(code, user)
        self.store.delete_vertical(code)

    # share links
    def create_share(self, workspace_id: Any, **kw: Any) -> tuple[ShareLink, str]:
        if self.user is None:
            raise PermissionDenied("not allowed to share")
        return create_share(self.store, self.user, self.workspace(workspace_id, "share").id, **kw)

    def shares(self, workspace_id: Any) -> list[ShareLink]:
        return self.store.share_links(self.workspace(workspace_id, "share").id)

    def revoke_share(self, workspace_id: Any, link_id: int) -> ShareLink:
        return self.store.revoke_share_link(self.workspace(workspace_id, "share").id, int(link_id))


class GuardedLexiconStore(WorkspaceLexiconStore):
    """A workspace's lexicon settings; writing needs the edit_lexicon permission."""

    def __init__(self, store: Store, workspace_id: int, by: User | None, writable: bool) -> None:
        super().__init__(store, workspace_id, by)
        self.writable = writable

    def _check(self) -> None:
        if not self.writable:
            raise PermissionDenied("not allowed to edit the lexicon of this workspace")

    def set_vertical(self, account: str, vertical: str | None) -> None:
        self._check()
        super().set_vertical(account, vertical)

    def set_edits(self, account: str, language: str, edits) -> None:
        self._check()
        super().set_edits(account, language, edits)


# ====================================================================== command line

def _read_password(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> str:
    if args.password_stdin:
        line = stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not (hasattr(stdin, "isatty") and stdin.isatty()):
        raise ValueError("no terminal to ask for the password: use --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise ValueError("the passwords do not match")
    return first


def main_users(argv: list[str] | None = None, *, store: Store | None = None, stdin: TextIO | None = None,
               stdout: TextIO | None = None) -> int:
    """``python -m optimizer users COMMAND``: manage local accounts.

    Commands: ``add NAME --role admin|optimizer|analyst [--password-stdin | --sso]``,
    ``list``, ``passwd NAME [--password-stdin]``, ``role NAME ROLE``,
    ``disable NAME``, ``enable NAME``, ``unlock NAME``, ``grant NAME WORKSPACE``
    (give a user a workspace, by name or id). The password is asked twice on the
    terminal, or read from the first line of standard input with
    ``--password-stdin``. The database: ``--database-url`` or
    ``$OPTIMIZER_DATABASE_URL``, else ``optimizer.db`` in ``--data-dir`` (default
    ``$OPTIMIZER_DATA_DIR`` or ``data/``). Exit status 0 on success, 1 on a refused
    request, 2 on bad usage.
    """
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    p = argparse.ArgumentParser(prog="python -m optimizer users", description="Manage local accounts.")
    p.add_argument("--database-url", default=None, help="SQLAlchemy URL (default: $OPTIMIZER_DATABASE_URL)")
    p.add_argument("--data-dir", default=None, help="folder of the SQLite database (default: data/)")
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("add", help="create an account")
    a.add_argument("name")
    a.add_argument("--role", choices=ROLES, required=True)
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    a.add_argument("--sso", action="store_true",
                   help="no password: the user signs in only through single sign-on (NAME is their e-mail)")
    sub.add_parser("list", help="list accounts")
    pw = sub.add_parser("passwd", help="set a new password (signs the user out everywhere)")
    pw.add_argument("name")
    pw.add_argument("--password-stdin", action="store_true")
    r = sub.add_parser("role", help="change a user's role")
    r.add_argument("name")
    r.add_argument("role", choices=ROLES)
    for cmd, text_ in (("disable", "disable an account (signs it out)"), ("enable", "enable an account"),
                       ("unlock", "lift the lock after wrong passwords")):
        sub.add_parser(cmd, help=text_).add_argument("name")
    g = sub.add_parser("grant", help="give a user access to a workspace")
    g.add_argument("name")
    g.add_argument("workspace", help="workspace name or id")
    try:
        args = p.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)

    own = store is None
    try:
        if own:
            store = Store.open(args.database_url, args.data_dir or default_data_dir())
        assert store is not None
        if args.command == "add":
            user = create_user(store, args.name, None if args.sso else _read_password(args, stdin, out), args.role)
            print(f"created {user.role} {user.username} in {store.describe()}", file=out)
        elif args.command == "list":
            for u in store.list_users():
                print(f"{u.username}\t{u.role}\t{'disabled' if u.disabled else 'active'}\t"
                      f"{u.created_at:%Y-%m-%d %H:%M}", file=out)
        elif args.command == "passwd":
            _user_named(store, args.name)
            set_password(store, args.name, _read_password(args, stdin, out))
            print(f"password changed for {normalize_username(args.name)}", file=out)
        elif args.command == "role":
            u = set_role(store, args.name, args.role)
            print(f"{u.username} is now {u.role}", file=out)
        elif args.command in ("disable", "enable"):
            u = set_disabled(store, args.name, args.command == "disable")
            print(f"{u.username} {'disabled' if u.disabled else 'enabled'}", file=out)
        elif args.command == "unlock":
            _user_named(store, args.name)
            unlock(store, args.name)
            print(f"{normalize_username(args.name)} unlocked", file=out)
        elif args.command == "grant":
            u = _user_named(store, args.name)
            ws = store.workspace_by_name(args.workspace)
            if ws is None and args.workspace.isdigit():
                ws = store.get_workspace(int(args.workspace))
            if ws is None:
                raise NotFound(f"no workspace {args.workspace!r}")
            store.add_member(ws.id, u.id)
            print(f"{u.username} can now work in {ws.name}", file=out)
        return 0
    except (ValueError, NotFound, AuthError) as exc:
        print(f"error: {exc}", file=sys.stderr if stdout is None else out)
        return 1
    except Exception as exc:  # e.g. Conflict, database unreachable
        from optimizer.store.database import StoreError
        if isinstance(exc, StoreError):
            print(f"error: {exc}", file=sys.stderr if stdout is None else out)
            return 1
        raise
    finally:
        if own and store is not None:
            store.close()


class GuardedAuditStore(WorkspaceAuditStore):
    """A workspace's audits; adding needs the edit_lexicon permission."""

    def __init__(self, store: Store, workspace_id: int, writable: bool) -> None:
        super().__init__(store, workspace_id)
        self.writable = writable

    def add(self, account: str, audits, key=None) -> None:
        if not self.writable:
            raise PermissionDenied("not allowed to audit pages of this workspace")
        super().add(account, audits, key)
