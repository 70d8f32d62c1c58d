"""What the pages share: language, the loaded data, cached reading, chart builders.

No business rule lives here: every decision about keywords, costs or files is made
in ``optimizer``; this module only keeps session state and draws.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from optimizer import i18n
from optimizer.store import auth
from optimizer.model import dataset
from optimizer.store.auth import Access, ShareAccess
from optimizer.errors import IngestError, UserError, unexpected
from optimizer.reading.ingest import ColumnMapping, Export, read_export
from optimizer.keywords.lexicon import (LexiconEdits, catalog, line_labels, use_catalog,
                                       vertical_in_use)
from optimizer.keywords.verticals import catalog_from_store
from optimizer.store.database import DATABASE_URL_ENV, Conflict, DbMappingStore, Store, StoreUnavailable, User, Workspace
from optimizer.analysis.account import AccountModel
from optimizer.analysis.portfolio import Entry, row_inputs, workspace_state
from optimizer.analysis.prepare import AccountInputs, Jobs, account_inputs, landing_defaults
from optimizer.analysis.results import Results
from optimizer.keywords.stages import Classifier
from optimizer.bundles.targets import BundleSheet, load_rules, read_bundle_sheet
from optimizer.reading.mappings import saved_mapping_for
from sample_data.generate import BUNDLE_MAP_FILE

_log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent
SAMPLE_DIR = ROOT / "sample_data"
DATA_DIR = Path(os.environ.get("OPTIMIZER_DATA_DIR", ROOT / "data"))

# session_state keys (shared by several pages)
K_LANG = "lang"

ACCENT = "#1f6feb"
WARN = "#d4380d"


def lang() -> str:
    return st.session_state.get(K_LANG, "zh")


def t(key: str, **params: object) -> str:
    return i18n.t(key, lang(), **params)


_NO_DEFAULT = object()
_RENDERED = "_wkey_rendered"  # widget base key -> the language's key it was last rendered under


def wkey_name(base: str) -> str:
    """The session key :func:`wkey` gives a widget in the current language (read-only)."""
    return base if lang() == "zh" else f"{base}_{lang()}"


def wkey(base: str, default: object = _NO_DEFAULT) -> str:
    """A widget key per language for widgets whose options are translated: the browser
    keeps a keyed widget's formatted options across reruns (a switch to English would
    still show 电话词), so a language switch needs a fresh widget. Chinese (the
    default) keeps the plain key.

    The fresh widget starts from the value the other language's widget had, so that an
    account choice or a filter survives the switch. The value is written again on every
    switch, even when the server still holds one for this key: the browser forgets the
    widgets it stops showing, and a value the server kept but did not send again would
    be shown as the widget's default while the page still applied it.

    ``default``: the widget's first value. Give it here, not to the widget (Streamlit
    warns when a widget has both a default and a value set through session state)."""
    key = wkey_name(base)
    rendered = st.session_state.setdefault(_RENDERED, {})
    switched = rendered.get(base, key) != key
    rendered[base] = key
    if switched or key not in st.session_state:
        other = next((k for k in (base, f"{base}_en") if k != key and k in st.session_state), None)
        if other is not None:
            st.session_state[key] = st.session_state[other]
        elif default is not _NO_DEFAULT:
            st.session_state[key] = default
        elif switched:
            st.session_state.pop(key, None)
    return key


def line(name: str) -> str:
    """A business line (or a 、-joined list of them) as the reader's language names it
    (开锁 is Lockout in English)."""
    return line_labels(name, lang())


#: Streamlit's own English words a Chinese reader meets, replaced or hidden by CSS on
#: the stable ``data-testid`` attributes of the installed Streamlit (1.67): the file
#: uploader's button ("Upload"), its size line ("200MB per file • CSV, …") and the
#: "Drag and drop files here" shown while dragging; the "Press Enter to submit form /
#: to apply" line under a text input (Enter still submits). See README, "Chinese
#: interface".
_ZH_CHROME = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{font-size: 0}}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: "选择文件"; font-size: 1rem}}
[data-testid="stFileUploaderDropzoneInstructions"] span {{font-size: 0}}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: "可把文件拖到这里 · 每个文件不超过 {limit} MB"; font-size: 0.875rem}}
[data-testid="stFileUploaderDropzone"] > input + div > span {{font-size: 0}}
[data-testid="stFileUploaderDropzone"] > input + div > span::after {{content: "松开鼠标即可上传"; font-size: 1rem}}
[data-testid="InputInstructions"] {{display: none}}
</style>"""


def streamlit_text() -> None:
    """In the Chinese interface, Streamlit's own English words replaced or hidden
    (:data:`_ZH_CHROME`); call once per run, after ``st.set_page_config``."""
    if lang() == "zh":
        st.html(_ZH_CHROME.format(limit=st.get_option("server.maxUploadSize")))


def select_all() -> bool | int:
    """``select_all`` of a multiselect: its "Select all" entry (English in every
    language, Streamlit has no label for it) is left out of the Chinese interface."""
    return False if lang() == "zh" else 1000


def list_text(text: str) -> str:
    """A 、-joined list (plan names of a bundle) as the reader's language joins one."""
    return text.replace("、", ", ") if isinstance(text, str) and lang() != "zh" else text


def with_lines(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """``frame`` with its business-line columns ``cols`` named in the reader's language
    (in Chinese too: a keyword of no known line reads 未识别, not ``unknown``)."""
    names = {}
    for c in cols:
        if c in frame.columns:
            codes = frame[c].astype(object)
            labels = {v: line(v) for v in codes.dropna().unique()}
            names[c] = codes.map(labels)
    return frame.assign(**names) if names else frame


def name_of(table: dict, code: str | None) -> str:
    return i18n.code_name(table, code, lang())


# ------------------------------------------------------------------ store, sign-in, workspace

SAMPLE_WORKSPACE = "示例账户 / Sample account"
SAMPLE_SETTING = "sample_workspace_id"
K_WS = "workspace_id"          # the sidebar's workspace picker (validated on every run)
K_WS_NEXT = "_workspace_next"  # a workspace a page just created / chose: picked on the next run
K_SESSION = "session_token"
K_COOKIE_CODE = "_session_cookie_code"     # a one-time code the browser swaps for the session cookie
K_COOKIE_CLEAR = "_session_cookie_clear"   # signed out: the browser is to drop the cookie
K_COOKIE_IGNORE = "_session_cookie_ignore"  # the cookie sent on connecting, ended since (signed out)
K_SHARE = "share_token"
K_SHARE_UNKNOWN = "share_token_unknown"  # a token refused as unknown in this session (counted once)
K_CTX = "_run_context"

#: A person using the app before any account exists (single-user local mode): an
#: admin with no user row (what they write is recorded as by nobody).
LOCAL_USER = User(id=None, username="local", role="admin",  # type: ignore[arg-type]
                  created_at=datetime(2000, 1, 1, tzinfo=timezone.utc))


@functools.lru_cache(maxsize=1)
def _sample_exports() -> tuple[tuple[str, bytes, Export], ...]:
    """The bundled sample exports, read once per process: (name, bytes, export)."""
    from sample_data.generate import FILES
    out = []
    for name in FILES:
        path = SAMPLE_DIR / name
        if path.exists():
            data = path.read_bytes()
            out.append((name, data, read_export(data, name)))
    return tuple(out)


def seed_sample(s: Store) -> None:
    """Create the sample workspace from the bundled files the first time a database
    is opened (idempotent: an interrupted seeding is completed, never duplicated;
    once done, deleting the sample workspace is final)."""
    if s.setting(SAMPLE_SETTING) is not None:
        return
    exports = _sample_exports()
    if not exports:
        return
    ws = s.workspace_by_name(SAMPLE_WORKSPACE)
    if ws is None:
        try:
            ws = s.create_workspace(SAMPLE_WORKSPACE)
        except Conflict:
            ws = s.workspace_by_name(SAMPLE_WORKSPACE)
            if ws is None:
                return
    for name, data, exp in exports:
        s.add_upload(ws.id, name, data, None, export=exp)
    path = SAMPLE_DIR / BUNDLE_MAP_FILE
    if path.exists():
        sheet = read_bundle_sheet(path.read_bytes(), BUNDLE_MAP_FILE)
        table = s.workspace_table(ws.id).table
        for _, acct in dataset.accounts(table).iterrows():
            key = account_key(acct)
            rows = dataset.for_account(table, acct["platform"], acct["account"], acct["currency"])
            if (s.bundle_decision(ws.id, key) is None
                    and set(sheet.membership.index) <= set(rows["campaign"].dropna().unique())):
                s.save_bundle_decision(ws.id, key, BUNDLE_MAP_FILE, path.read_bytes())
    s.set_setting(SAMPLE_SETTING, str(ws.id))


@st.cache_resource(show_spinner=False)
def _open_store(data_dir: str, url: str | None) -> Store:
    s = Store.open(url, data_dir)
    seed_sample(s)
    return s


def store() -> Store:
    """The server's store (one per data folder / database URL, shared by every session)."""
    return _open_store(str(DATA_DIR), os.environ.get(DATABASE_URL_ENV) or None)


@st.cache_resource(show_spinner=False)
def _results(data_dir: str, url: str | None) -> Results:
    return Results(_open_store(data_dir, url))


def results() -> Results:
    """The server's kept analyses (:class:`optimizer.analysis.results.Results` over the
    store: shared by every session of this server, and by every server of the database)."""
    return _results(str(DATA_DIR), os.environ.get(DATABASE_URL_ENV) or None)


@dataclass
class RunContext:
    """Who is using the app in this run, what they may do and the workspace shown.
    Built by :func:`begin` on every run from the session or share token, never from
    a workspace id alone."""

    store: Store
    access: Access
    ws: Workspace | None
    local: bool = False                  # no account exists yet: single-user local mode
    share: ShareAccess | None = None     # a client who opened a share link
    refused: str | None = None           # why a share link / session was refused (a message)
    sample_id: int | None = None
    client: bool = False                 # came with a share token: only the client view
    #: workspace id → its data version, read once per run (:func:`data_version`)
    versions: dict = field(default_factory=dict)

    @property
    def principal(self):
        return self.access.principal

    @property
    def user(self) -> User | None:
        return self.access.user

    @property
    def signed_in(self) -> bool:
        return self.access.principal is not None

    def can(self, action: str, ws: Workspace | None = None) -> bool:
        return self.access.can(action, ws if ws is not None else self.ws)

    def is_sample(self, ws: Workspace | None = None) -> bool:
        ws = ws if ws is not None else self.ws
        return ws is not None and ws.id == self.sample_id


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file
        return False


def client_address() -> str | None:
    """The visitor's address for rate limits (:func:`optimizer.store.auth.client_source`:
    the connection's peer, or the X-Forwarded-For entry of the operator's trusted
    proxies when OPTIMIZER_TRUSTED_PROXIES is set); None on localhost and in tests."""
    try:
        ip = st.context.ip_address
        forwarded = st.context.headers.get("X-Forwarded-For")
    except Exception:
        return None
    peer = ip if isinstance(ip, str) and ip else None
    return auth.client_source(peer, forwarded, auth.trusted_proxies_setting())


def browser_cookies() -> dict[str, str]:
    """The cookies the browser sent when this page connected (a refresh sends them anew)."""
    try:
        return dict(st.context.cookies)
    except Exception:
        return {}


def page_on_https() -> bool:
    """Whether the browser shows this page on https (then only the ``__Host-`` cookie counts)."""
    try:
        url = st.context.url
    except Exception:
        return False
    return isinstance(url, str) and url.lower().startswith("https://")


def _cookie_token() -> str | None:
    """The session token in the session cookie the browser sent when this page
    connected (over https only the ``__Host-`` one counts)."""
    return browser_cookies().get(auth.session_cookie_name(page_on_https())) or None


def _forget_cookie() -> None:
    """Signed out (or the cookie's session ended): the cookie this page was opened
    with stays in ``st.context.cookies`` until the page reloads, so it is ignored
    from now on, and the browser is told to drop it."""
    st.session_state[K_COOKIE_IGNORE] = _cookie_token()
    st.session_state[K_COOKIE_CLEAR] = True


def session_cookie_script() -> None:
    """After a sign-in, the browser swaps the one-time code for the session cookie;
    after a sign-out it has the cookie cleared (asgi.py). Once each: the code is
    dropped from the page once handed over. Drawn at the end of the sidebar, where
    the empty element moves nothing."""
    code = st.session_state.pop(K_COOKIE_CODE, None)
    clear = st.session_state.pop(K_COOKIE_CLEAR, False)
    if not code and not clear:
        return
    request = (f"{{method: \"POST\", body: {json.dumps(code)}, credentials: \"same-origin\"}}" if code
               else "{method: \"DELETE\", credentials: \"same-origin\"}")
    route = auth.cookie_route(st.get_option("server.baseUrlPath"))
    st.sidebar.html(f"<script>fetch({json.dumps(route)}, {request});</script>", unsafe_allow_javascript=True)


def _share_message(reason: str) -> str:
    return t(f"share.refused_{reason}")


def _language_in_url() -> None:
    """Keep the language in the address (``?lang=en``), as the workspace is kept: a
    reload, a bookmark or a shared client link opens in the language last chosen."""
    asked = st.query_params.get(K_LANG)
    if K_LANG not in st.session_state and asked in ("zh", "en"):
        st.session_state[K_LANG] = asked
    if lang() == "en":
        st.query_params[K_LANG] = "en"
    elif K_LANG in st.query_params:
        del st.query_params[K_LANG]  # Chinese is the default: a plain address


def store_unavailable(exc: StoreUnavailable) -> None:
    """Say why the database cannot be used now (busy, disk full, read-only data folder …)
    in the user's language, and end this run: what was being done was not done."""
    st.error(exc.message(lang()), icon=":material/database:")
    st.stop()


#: bench/pages.py sets this to a file: each script run appends one JSON line, the page's
#: path and the seconds from :func:`begin` to the end of the page (the server's part of a
#: page load; what is left of the load is Streamlit's and the browser's)
RUN_TIMES_ENV = "OPTIMIZER_RUN_TIMES"
_run = threading.local()


def run_page(page) -> None:
    """Run the page chosen by the navigation; the database's operational failures during
    it (:class:`~optimizer.store.database.StoreUnavailable`) end as their message, for every page."""
    try:
        page.run()
    except StoreUnavailable as exc:
        store_unavailable(exc)
    finally:
        _log_run_time(page)


def _log_run_time(page) -> None:
    path, start = os.environ.get(RUN_TIMES_ENV), getattr(_run, "start", None)
    if path and start is not None:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"page": page.url_path, "seconds": time.perf_counter() - start}) + "\n")


def begin() -> RunContext:
    """Resolve the principal and the workspace for this run (see the module notes). When
    the database cannot be used (e.g. a read-only data folder) the run says why and stops."""
    _run.start = time.perf_counter()
    _language_in_url()
    try:
        return _begin()
    except StoreUnavailable as exc:
        store_unavailable(exc)
        raise  # not reached: st.stop() ends the run


def _begin() -> RunContext:
    s = store()
    # the verticals saved in the database (every server of the deployment reads the same ones):
    # offered and detected in this run like the built-in ones
    use_catalog(catalog_from_store(s))
    sample = s.setting(SAMPLE_SETTING)
    sample_id = int(sample) if sample and sample.isdigit() else None
    source = client_address()
    token = st.query_params.get("share") or st.session_state.get(K_SHARE)
    if token:
        st.session_state[K_SHARE] = token
        ctx: RunContext
        try:
            if token == st.session_state.get(K_SHARE_UNKNOWN):
                # refused as unknown earlier in this session: the next reruns (a click on
                # the refusal page) are not new attempts and must not count again
                raise auth.ShareRefused("unknown")
            share = auth.open_share(s, token, source=source)
        except auth.RateLimited as exc:
            until = exc.until.astimezone()
            ctx = RunContext(s, Access(s, None), None, refused=t("share.rate_limited", time=f"{until:%H:%M}"))
        except auth.ShareRefused as exc:
            if exc.reason == "unknown":
                st.session_state[K_SHARE_UNKNOWN] = token
            ctx = RunContext(s, Access(s, None), None, refused=_share_message(exc.reason))
        else:
            access = Access(s, share)
            ctx = RunContext(s, access, access.choose_workspace(), share=share, sample_id=sample_id)
        ctx.client = True  # whatever happened: the client view (or its refusal), nothing else
        st.session_state[K_CTX] = ctx
        return ctx
    refused = None
    if not s.list_users():
        principal = LOCAL_USER
        local = True
    else:
        local = False
        principal = None
        if oidc_configured() and getattr(st.user, "is_logged_in", False):
            principal = auth.sso_user(s, st.user.to_dict())
            if principal is None:
                refused = t("signin.sso_unknown", email=str(st.user.get("email", "")))
        if principal is None:
            tok = st.session_state.get(K_SESSION)
            from_cookie = not tok
            if from_cookie:  # a refresh or a new tab: the session cookie, if any
                tok = _cookie_token()
                if tok is not None and tok == st.session_state.get(K_COOKIE_IGNORE):
                    tok = None
            principal = auth.session_user(s, tok)
            if principal is None and tok:
                st.session_state.pop(K_SESSION, None)
                refused = t("signin.expired")
                if from_cookie:
                    _forget_cookie()
            elif principal is not None and from_cookie:
                st.session_state[K_SESSION] = tok
    access = Access(s, principal)
    ws = None
    if principal is not None:
        requested = st.session_state.pop(K_WS_NEXT, None) or st.session_state.get(K_WS) or st.query_params.get("ws")
        ws = access.choose_workspace(requested) if requested is not None else None
        if ws is None:
            visible = access.workspaces()
            ws = next((w for w in visible if w.id == sample_id), visible[0] if visible else None)
    ctx = RunContext(s, access, ws, local=local, refused=refused, sample_id=sample_id)
    st.session_state[K_CTX] = ctx
    return ctx


def sidebar(c: RunContext) -> None:
    """Below the language switch: the workspace picker, who is signed in, and in local
    mode how to turn sign-in on."""
    with st.sidebar:
        visible = c.access.workspaces()
        if visible and c.ws is not None:
            ids = [w.id for w in visible]
            names = {w.id: w.name for w in visible}
            st.session_state[K_WS] = c.ws.id  # the validated choice (whatever was in session state)
            st.selectbox(t("ws.picker"), ids, key=K_WS, format_func=lambda i: names.get(i, str(i)))
            if c.ws is not None and c.ws.id == c.sample_id:
                st.caption(":material/science: " + t("ws.sample_note"))
        if c.ws is not None:
            st.query_params["ws"] = str(c.ws.id)
        if c.local:
            st.warning(t("local.banner"), icon=":material/lock_open:")
        elif c.user is not None:
            st.caption(t("signin.as", name=c.user.username, role=t(f"role.{c.user.role}")))
            if st.button(t("signin.out"), key="signout", icon=":material/logout:"):
                auth.end_session(c.store, st.session_state.pop(K_SESSION, None))
                _forget_cookie()  # this browser's other tabs too: the cookie's session ends (asgi.py)
                st.session_state.pop(K_WS, None)
                st.query_params.clear()
                if oidc_configured() and getattr(st.user, "is_logged_in", False):
                    st.logout()
                st.rerun()
    session_cookie_script()  # signed in: the browser gets the session cookie


def add_note(ws: Workspace, day, text_: str, account=None):
    """A dated note in the workspace (needs the right to edit it); ``account``: the
    (platform, account, currency) it is about, None for every account."""
    c = ctx()
    w = c.access.workspace(ws.id, "edit_lexicon")
    return c.store.add_note(w.id, day, text_, by=c.user, account=account)


def delete_note(ws: Workspace, note_id: int) -> None:
    c = ctx()
    c.store.delete_note(c.access.workspace(ws.id, "edit_lexicon").id, int(note_id))


def change_log(ws: Workspace, account_key: str) -> pd.DataFrame:
    """The account's change log (:meth:`optimizer.store.changes.ChangesMixin.change_log`);
    anyone who may view the workspace reads it."""
    c = ctx()
    return c.store.change_log(c.access.workspace(ws.id, "view").id, account_key)


def change_effects(acct: pd.Series, model: AccountModel, ws: Workspace | None = None):
    """(the account's change log, its effects — an account-model piece kept per data
    version and log — or None without logged changes)."""
    log = change_log(ws or require_workspace(), account_key(acct))
    return log, (model.change_effects(log) if len(log) else None)


def set_change_date(ws: Workspace, entry_id: int, day) -> None:
    """Correct the day a logged change was applied (needs the right to edit the workspace)."""
    c = ctx()
    c.store.set_applied_date(c.access.workspace(ws.id, "log_changes").id, int(entry_id), day)


def delete_change(ws: Workspace, entry_id: int) -> None:
    c = ctx()
    c.store.delete_change(c.access.workspace(ws.id, "log_changes").id, int(entry_id))


def record_download(ws: Workspace, account_key_: str, changes: pd.DataFrame, target: str):
    """Log the changes this run's user downloads (:func:`optimizer.store.changes.record_download`:
    nothing for a role that changes nothing)."""
    from optimizer.store.changes import record_download as record
    c = ctx()
    return record(c.store, c.access.workspace(ws.id, "view"), account_key_, changes, target, c.user)


def ctx() -> RunContext:
    """This run's context (made by app.py before the page runs)."""
    c = st.session_state.get(K_CTX)
    if c is None:  # a page run on its own (should not happen: every request goes through app.py)
        c = begin()
    return c


def choose_next(ws_id: int) -> None:
    """Show this workspace from the next run on (e.g. one a page just created)."""
    st.session_state[K_WS_NEXT] = ws_id


def require_workspace() -> Workspace:
    """The workspace shown; without one, says how to get one and stops the page."""
    c = ctx()
    if c.ws is None:
        st.info(t("ws.none"), icon=":material/folder_off:")
        if c.can("create_workspace"):
            st.page_link("pages/workspaces.py", label=t("nav.workspaces"), icon=":material/folder_open:")
        st.stop()
    return c.ws


def mapping_store():
    """Saved column mappings (shared by every workspace): writable for those who may
    create workspaces, read-only for the others."""
    c = ctx()
    if c.can("create_workspace"):
        return c.access.mapping_store()
    return _ReadOnlyMappings(DbMappingStore(c.store))


class _ReadOnlyMappings:
    def __init__(self, inner: DbMappingStore) -> None:
        self.inner = inner

    def get(self, signature: str):
        return self.inner.get(signature)

    def all(self):
        return self.inner.all()

    def save(self, signature: str, mapping) -> None:
        raise auth.PermissionDenied("not allowed to save column mappings")


# ------------------------------------------------------------------ data

@st.cache_data(show_spinner=False, max_entries=64)
def _read_cached(data: bytes, name: str, mapping_json: str | None) -> tuple[Export | None, IngestError | None]:
    try:
        mapping = ColumnMapping.from_json(mapping_json) if mapping_json else None
        return read_export(data, name, mapping=mapping), None
    except IngestError as exc:
        return None, exc


def read_upload_mapped(data: bytes, name: str, mapping: ColumnMapping | None = None
                       ) -> tuple[Export | None, IngestError | None, ColumnMapping | None, bool]:
    """Read uploaded bytes (cached by content): (export, error, the mapping it was read
    with, read with a saved mapping). A file of unknown layout is read with the
    mapping saved for its header, if any. Anything else that fails while reading is the
    file's ``unexpected`` error (logged with its traceback), never the page's."""
    try:
        exp, err = _read_cached(data, name, mapping.to_json() if mapping else None)
        if err is not None and err.mappable and mapping is None:
            saved = saved_mapping_for(data, name, mapping_store())
            if saved is not None:
                exp, err = _read_cached(data, name, saved.to_json())
                return exp, err, saved if err is None else None, err is None
    except Exception as exc:
        log_failure(name, exc)
        return None, unexpected(name, exc), None, False
    return exp, err, mapping if err is None else None, False


def log_failure(name: str, exc: BaseException) -> None:
    """Keep the traceback of a file's unexpected failure in the server's log."""
    _log.error("processing the upload %r failed", name, exc_info=exc)


def read_upload(data: bytes, name: str, mapping: ColumnMapping | None = None
                ) -> tuple[Export | None, IngestError | None, bool]:
    """Read uploaded bytes (cached by content): (export, error, read with a saved mapping)."""
    exp, err, _, used = read_upload_mapped(data, name, mapping)
    return exp, err, used


def upload_export(ws: Workspace, name: str, data: bytes, exp: Export, mapping: ColumnMapping | None = None,
                  account: str | None = None):
    """Store one read export in a workspace (one transaction): the UploadResult.
    ``account``: the account the file belongs to when its rows name none."""
    return ctx().access.upload(ws.id, name, data, mapping=mapping, export=exp, account=account)


def other_account_warnings(ws: Workspace, where: str = "upload") -> list[str]:
    """The warnings of the workspace's stored files that brought an account it did not
    hold before (a second client's export uploaded into it), in the reader's language,
    worded for the page ``where`` (see MergeReport.account_warning)."""
    reports = ctx().access.table(ws.id).reports
    return [w for w in (r.account_warning(lang(), where) for r in reports) if w]


def when(ts) -> str:
    """A stored time in the server's local time, to the minute."""
    return "–" if ts is None else f"{ts.astimezone():%Y-%m-%d %H:%M}"


def who(name: str | None) -> str:
    return name or t("ws.local_user")


#: characters Streamlit's markdown acts on: CommonMark and GFM syntax, raw HTML, entities,
#: $math$, :colour[…] and :icon: directives (Streamlit turns ':material/' into an icon before
#: parsing, so the slash is escaped too; every one may be escaped with a backslash)
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^/])")


def plain_text(text: str) -> str:
    """``text`` for ``st.markdown`` shown exactly as it was typed (a change note): no
    markdown, no HTML (shown as text, never run), each line break kept, leading spaces
    kept (as no-break spaces, not an indented code block)."""
    out = []
    for row in str(text).splitlines():
        body = row.lstrip(" ")
        out.append("\u00a0" * (len(row) - len(body)) + _MARKDOWN_ACTIVE.sub(r"\\\1", body))
    return "  \n".join(out)


def page_header(title_key: str, caption_key: str, is_sample: bool) -> None:
    """Title, one-line explanation and, on the sample account, a note saying so."""
    st.title(t(title_key))
    st.caption(t(caption_key))
    if is_sample:
        st.caption(":material/science: " + t("sample.banner"))


def data_version(ws: Workspace) -> tuple[int, ...]:
    """The workspace's data version (:meth:`optimizer.store.auth.Access.data_version`),
    read once per run."""
    c = ctx()
    if ws.id not in c.versions:
        c.versions[ws.id] = c.access.data_version(ws.id)
    return c.versions[ws.id]


def current_accounts(scope=None, ws: Workspace | None = None) -> tuple[pd.DataFrame, bool]:
    """(the chosen workspace's accounts — :func:`optimizer.model.dataset.accounts`, kept
    per data version — and True when it is the sample workspace). ``scope``: the
    accounts a share link shows (:meth:`optimizer.store.auth.Access.view_accounts`).
    ``ws``: another workspace than the chosen one. Without a workspace, says so and
    stops the page."""
    c = ctx()
    ws = ws or require_workspace()
    version = data_version(ws)
    accounts = results().get(ws.id, "*", "accounts", (version, scope),  # "*": the whole workspace
                             lambda: dataset.accounts(c.access.table(ws.id, accounts=scope).table))
    return accounts, c.is_sample(ws)


def workspace_account_keys(ws: Workspace) -> tuple[tuple[str, str, str], ...]:
    """Every account of the workspace as (platform, account, currency), whatever the
    view shows (what decides whether a note about every account is one a client's link
    shows, :func:`optimizer.store.auth.notes_for`), kept per data version."""
    c = ctx()
    c.access.workspace(ws.id, "view")
    # the whole workspace's accounts piece, which current_accounts() reads too: here from the
    # store itself, since a client's view of the table holds only its link's accounts
    accounts = results().get(ws.id, "*", "accounts", (data_version(ws), None),
                             lambda: dataset.accounts(c.store.workspace_table(ws.id).table))
    return dataset.account_keys(accounts)


def account_model(acct: pd.Series, ws: Workspace | None = None) -> AccountModel:
    """The model of an account of the chosen workspace (a row of :func:`current_accounts`):
    its pieces are computed once per data version and kept for every page, session and server."""
    c = ctx()
    ws = ws or require_workspace()
    version = data_version(ws)
    platform, account, currency = acct["platform"], acct["account"], acct["currency"]

    def load() -> pd.DataFrame:
        return dataset.for_account(c.access.table(ws.id).table, platform, account, currency)
    return AccountModel(ws.id, account_key(acct), version, load, results())


def pick_account(accounts: pd.DataFrame, key: str, container=None) -> tuple[pd.Series, AccountModel]:
    """A select box of the workspace's accounts (:func:`current_accounts`); returns (the
    account's summary row, its model). With no account loaded, says so and stops the page.
    The account in the address (``?account=platform:account:currency``, e.g. a link of
    the Today page) is chosen when the box is first shown, and the account chosen is
    kept there, as the workspace is."""
    if accounts.empty:
        st.info(t("overview.no_data"))
        st.stop()
    where = container or st
    keys = [account_key(accounts.iloc[i]) for i in range(len(accounts))]
    name = wkey_name(key)
    asked = st.query_params.get("account")
    if name not in st.session_state and asked in keys:
        st.session_state[name] = keys.index(asked)
    pick = where.selectbox(t("overview.account"), range(len(accounts)), key=wkey(key),
                           format_func=lambda i: account_label(accounts.iloc[i]))
    acct = accounts.iloc[pick]
    st.query_params["account"] = keys[pick]
    return acct, account_model(acct)


@dataclass(frozen=True)
class AccountContext:
    """What every analysis page needs about the chosen account: its key, currency,
    the vertical (detected, or the one the user saved) and the lexicon edits."""

    key: str
    currency: str | None
    symbol: str
    detected: str
    saved_vertical: str | None
    edits_json: str
    #: the detection's evidence (:class:`optimizer.keywords.stages.Detection`)
    evidence: object = None
    #: what the account itself says, per vertical chosen (:func:`optimizer.keywords.trade.account_edits`), as JSON
    account_json: str = "{}"
    #: a saved vertical chosen for the account that no longer exists (deleted): detected again
    missing_vertical: str | None = None

    @property
    def vertical(self) -> str:
        return self.saved_vertical or self.detected

    def classifier(self) -> "Classifier":
        saved = catalog().get(self.vertical)
        return classifier(self.vertical, self.edits_json, self.account_json, saved.revision if saved else "")


def _edits_json(edits: dict) -> str:
    return json.dumps({k: v.to_json() for k, v in sorted(edits.items())}, sort_keys=True)


def account_context(acct: pd.Series, model: AccountModel) -> AccountContext:
    key = account_key(acct)
    store = lexicon_store()
    evidence = model.detection()
    edits = store.edits(key)
    chosen = store.vertical(key)
    vertical, missing = vertical_in_use(chosen, evidence.vertical)  # a saved vertical may be deleted since
    saved = None if missing else chosen
    own = _edits_json(model.own_edits(vertical))
    currency = acct["currency"] or None
    return AccountContext(key, currency, i18n.CURRENCY_SYMBOL.get(currency or "", ""), evidence.vertical,
                          saved, _edits_json(edits), evidence, own, missing)


def bundle_sheet_input(acct_key: str, campaigns, is_sample: bool, key: str) -> tuple[BundleSheet | None, str]:
    """The account's bundle map: the one decided for it in the workspace (kept in the
    database, shared by the pages), with an uploader for those who may change it.
    Returns (sheet, a label of where it came from). A bad file gives a specific error
    and leaves the map in use unchanged."""
    c = ctx()
    ws = require_workspace()
    if c.can("edit_bundles", ws):
        upload = st.file_uploader(t("bd.map_upload"), type=["csv", "txt"], key=key, help=t("bd.map_help"))
        if upload is not None:
            data = upload.getvalue()
            current = c.access.bundle_decision(ws.id, acct_key)
            if current is None or current.data != data or current.file_name != upload.name:
                try:
                    c.access.save_bundle_decision(ws.id, acct_key, upload.name, data)
                except UserError as err:  # names the file, row and column
                    st.error(err.message(lang()), icon=":material/error:")
    decision = c.access.bundle_decision(ws.id, acct_key)
    if decision is None:
        return None, ""
    sheet = _bundle_sheet(decision.data, decision.file_name)
    if is_sample and decision.decided_by is None and decision.file_name == BUNDLE_MAP_FILE:
        return sheet, t("dr.map_sample")
    return sheet, decision.file_name


def bundle_map_actions(acct_key: str, data: bytes, proposal: object, key: str) -> None:
    """Download an assignment's bundle map (``data``: the CSV of
    :func:`optimizer.bundles.propose.assignment_map`) and, for those who may change it, keep it
    as the account's bundle map (with ``proposal``, JSON-able, for the record), which
    the Cost drift page then checks bundles and targets by."""
    c = ctx()
    ws = require_workspace()
    file_name = f"{'投放包对应表' if lang() == 'zh' else 'bundle_map'}_{datetime.now():%Y%m%d}.csv"
    cols = st.columns(2)
    cols[0].download_button(t("bd.map_download"), data, file_name=file_name, mime="text/csv",
                            key=f"{key}_download", icon=":material/download:", width="stretch")
    if not c.can("edit_bundles", ws):
        return
    if cols[1].button(t("bd.adopt"), key=f"{key}_adopt", icon=":material/check:", width="stretch",
                      help=t("bd.adopt_help")):
        c.access.save_bundle_decision(ws.id, acct_key, file_name, data, proposal=proposal)
        st.success(t("bd.adopted"), icon=":material/check_circle:")


def bid_targets(acct_key: str):
    """The target CPAs kept for an account's bids in the chosen workspace
    (:class:`optimizer.actions.bids.BidTargets`; empty when none were saved)."""
    return ctx().access.bid_targets(require_workspace().id, acct_key)


def may_save_bid_targets() -> bool:
    """Whether the user may keep bid targets for the chosen workspace (who may change its bundle maps)."""
    return ctx().can("edit_bundles", require_workspace())


def save_bid_targets(acct_key: str, targets) -> None:
    """Keep an account's bid targets in the chosen workspace."""
    ctx().access.save_bid_targets(require_workspace().id, acct_key, targets)


def decided_bundle_sheet(acct_key: str) -> BundleSheet | None:
    """The bundle map kept for an account in the chosen workspace, or None."""
    return _decided_sheet(ctx(), require_workspace(), acct_key)


def _decided_sheet(c: "RunContext", ws: Workspace, acct_key: str) -> BundleSheet | None:
    decision = c.access.bundle_decision(ws.id, acct_key)
    return None if decision is None else _bundle_sheet(decision.data, decision.file_name)


def landing_inputs(acct: pd.Series) -> tuple[pd.DataFrame | None, object, dict, dict]:
    """What the Landing pages page checks an account against, for the workbook to find
    what that page shows: (the rows of the earlier upload chosen there — by default
    :func:`optimizer.landing.report.default_previous` — or None, what names it for the
    account model — ``("upload", id)`` as the page names it —, the latest page audits
    kept, the previous ones). A background preparation takes the page's defaults
    (:func:`_landing_inputs` without ``pick``): it may run outside any session."""
    c = ctx()
    ws = require_workspace()
    pick = st.session_state.get(wkey_name("lp_previous_stored"), _DEFAULT)
    return _landing_inputs(c, ws, acct, pick)


_DEFAULT = object()


def _landing_inputs(c: "RunContext", ws: Workspace, acct: pd.Series, pick=_DEFAULT):
    return landing_defaults(c.access, ws.id, acct, None if pick is _DEFAULT else pick)


@st.cache_resource(show_spinner=False)
def jobs() -> Jobs:
    """The server's background preparations (:class:`optimizer.analysis.prepare.Jobs`)."""
    return Jobs()


def prepare_workspace(ws: Workspace):
    """Start computing the workspace's accounts' pieces in the background when its data
    or its state (:func:`optimizer.analysis.portfolio.workspace_state`: a lexicon edit, a
    bundle map, an audit) changed since they were last prepared on this server (after an
    upload or a deletion): what each page's first screen needs, with the pages'
    defaults, and each account's Today row. The accounts are listed in the background
    too (that reads the workspace's data); the inputs that need this session
    (permissions, lexicon settings) are read through its access.
    Returns the preparation's :class:`~optimizer.analysis.prepare.JobStatus`."""
    c = ctx()
    version = data_version(ws)
    fresh = c.access.workspace(ws.id)  # its revision now (``ws`` may be from before an upload of this run)
    state = portfolio_state(fresh)
    if not jobs().needed(ws.id, (version, state)):
        return jobs().status(ws.id)
    return jobs().start(ws.id, (version, state), functools.partial(_workspace_inputs, c, results(), fresh, version,
                                                                   state))


def _workspace_inputs(c: "RunContext", res: Results, ws: Workspace, version: tuple, state: tuple) -> list[AccountInputs]:
    """Every account of the workspace with what its preparation needs (no Streamlit call:
    runs in the background)."""
    # the whole workspace's accounts (the client view's notes are checked against them),
    # the piece current_accounts() reads
    accounts = res.get(ws.id, "*", "accounts", (version, None), lambda: dataset.accounts(c.access.table(ws.id).table))
    return [account_inputs(c.access, ws.id, acct, AccountModel(ws.id, account_key(acct), version,
                                                                functools.partial(_account_rows, c, ws.id, acct), res),
                           _bundle_sheet, state=state)
            for _, acct in accounts.iterrows()]


def _account_rows(c: "RunContext", ws_id: int, acct) -> pd.DataFrame:
    return dataset.for_account(c.access.table(ws_id).table, acct["platform"], acct["account"], acct["currency"])


def portfolio_state(ws: Workspace) -> tuple:
    """The workspace's state its Today rows are kept under
    (:func:`optimizer.analysis.portfolio.workspace_state`)."""
    return workspace_state(ws.revision, catalog().revision)


def portfolio_entries(start: bool = True) -> list[Entry]:
    """One :class:`~optimizer.analysis.portfolio.Entry` per account of every workspace
    the user may view (:meth:`optimizer.store.auth.Access.data_versions`), read from the
    kept results only — a few queries whatever the number of accounts, never an
    account's rows. An account whose row is not kept for the data and state shown now
    is ``preparing`` (``failed`` when its workspace's preparation failed) and, with
    ``start``, its workspace's preparation is started in the background; a workspace
    whose account list is not kept yet is one ``preparing`` line (key ``*``).
    Workspaces without data are left out."""
    c = ctx()
    res = results()
    shown = [(ws, v) for ws, v in c.access.data_versions() if v]
    listed = res.kept("accounts", {(ws.id, "*"): (v, None) for ws, v in shown})
    states = {ws.id: portfolio_state(ws) for ws, _ in shown}
    wanted = {}
    for ws, v in shown:
        if (ws.id, "*") in listed:
            for key in map(":".join, dataset.account_keys(listed[(ws.id, "*")])):
                wanted[(ws.id, key)] = row_inputs(v, states[ws.id])
    rows = res.kept("portfolio", wanted)
    entries = []
    for ws, v in shown:
        keys = [k for (w, k) in wanted if w == ws.id] if (ws.id, "*") in listed else ["*"]
        missing = [k for k in keys if (ws.id, k) not in rows]
        status = jobs().status(ws.id)
        # prepared for this data and state, and still missing: said, not waited for
        failed = bool(missing) and status is not None and status.version == (v, states[ws.id]) and status.finished
        for k in keys:
            entries.append(Entry(ws.id, ws.name, k, rows.get((ws.id, k)), "failed" if failed else "preparing"))
        if missing and start and not failed and jobs().needed(ws.id, (v, states[ws.id])):
            jobs().start(ws.id, (v, states[ws.id]), functools.partial(_workspace_inputs, c, res, ws, v, states[ws.id]))
    return entries


def account_link(ws_id: int, key: str, page: str = "") -> str:
    """The address of an account's page with its workspace and account chosen (relative
    to the page showing it, so that it holds under a base URL path; in the reader's
    language): what :func:`begin` and :func:`pick_account` read. ``page``: its URL path;
    by default the Overview, the app's default page, whose address is the app's root
    (``/overview`` is not one)."""
    params = {"ws": str(ws_id), "account": key, **({K_LANG: "en"} if lang() == "en" else {})}
    return f"./{page}?{urlencode(params)}"


def preparation_progress(ws: Workspace) -> None:
    """The Upload page's line on the background preparation of ``ws``: a progress bar
    refreshed every second while it runs, then what it came to."""
    @st.fragment(run_every=1.0)
    def show() -> None:
        status = jobs().status(ws.id)
        if status is None:
            return
        if status.error:
            st.caption(":material/error: " + t("prep.failed", error=status.error))
        elif status.finished:
            st.caption(":material/check_circle: " + t("prep.done"))
        else:
            named = account_names([status.account] if status.account else [])
            st.progress(status.share, text=t("prep.running", account=named, step=t(f"prep.{status.step or 'rows'}")))
    show()


@st.cache_resource(show_spinner=False)
def overcost_rules() -> dict:
    """The bundled over-cost compensation rule sets (:func:`optimizer.bundles.targets.load_rules`)."""
    return load_rules()


@st.cache_data(show_spinner=False, max_entries=32)
def _bundle_sheet(data: bytes, name: str) -> BundleSheet:
    return read_bundle_sheet(data, name)


def lexicon_store():
    """The chosen workspace's lexicon settings (writing needs the edit_lexicon permission:
    ``.writable`` says whether it is allowed)."""
    c = ctx()
    return c.access.lexicon_store(require_workspace().id)


def account_key(acct: pd.Series) -> str:
    return f"{acct['platform']}:{acct['account']}:{acct['currency']}"


def account_label(row) -> str:
    """``百度营销 · 北京安心开锁 · CNY`` for a row of :func:`optimizer.model.dataset.accounts`."""
    return i18n.account_label(row["platform"], row["account"], row["currency"], lang())


def account_names(keys) -> str:
    """The names of (platform, account, currency) ``keys`` (e.g. a file's accounts), each
    once, joined as the reader's language joins a list; ``–`` for none."""
    names = dict.fromkeys(i18n.account_name(k[1], lang()) for k in keys)
    return ("、" if lang() == "zh" else ", ").join(names) or "–"


K_CHANGES_DOWNLOADED = "changes_downloaded"


def on_download(changes_frame: pd.DataFrame, target: str, not_written: int = 0) -> None:
    """Called when bulk-edit files are downloaded for ``target``: ``changes_frame`` holds
    the changes the download carries — the rows of the change table written into the file(s)
    (:func:`optimizer.actions.formats.downloaded`), never a ticked change no file holds —
    and ``not_written`` how many ticked changes it does not carry. The page says what was
    downloaded and when, and the changes go into the account's change log
    (:func:`record_download`: logged only for a role that may edit the workspace)."""
    ws, logged = ctx().ws, False
    if ws is not None and len(changes_frame):
        for account, part in changes_frame.groupby("account", sort=False):
            logged = record_download(ws, str(account), part, target).allowed or logged
    st.session_state[K_CHANGES_DOWNLOADED] = (len(changes_frame), target, datetime.now(), logged, int(not_written))


def download_name(prefix: str, row, ext: str) -> str:
    """A download's file name for an account, named as the app shows it:
    ``negative_keywords_Google Ads_未命名账户_USD.csv`` (characters a file name cannot
    hold replaced by ``_``)."""
    label = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", account_label(row).replace(" · ", "_"))
    return f"{prefix}_{label}.{ext}"


# ------------------------------------------------------------------ table columns

def percent_column(label: str, progress: bool = False, **kw):
    """A column of fractions shown as percentages with two decimals, like everything else
    the app writes (i18n.percent): Streamlit's own "percent" preset trims trailing zeros
    (13.9% beside 14.18%) unless the column's step says how precise it is.
    ``progress``: a bar from 0 to 100%."""
    if progress:
        return st.column_config.ProgressColumn(label, format="percent", min_value=0, max_value=1,
                                               step=_PERCENT_STEP, **kw)
    return st.column_config.NumberColumn(label, format="percent", step=_PERCENT_STEP, **kw)


_PERCENT_STEP = 0.0001  # 0.01 %: two decimals once shown as a percentage

#: Streamlit's own currency presets put the minus sign before the symbol (-¥7,385.40);
#: a printf format cannot ("¥-7,385.40"). CNY and JPY share the ¥ sign.
_CURRENCY_PRESET = {"CNY": "yen", "JPY": "yen", "USD": "dollar", "EUR": "euro"}


def money_column(label: str, currency: str | None, decimals: int = 2, **kw):
    """A column of amounts that can be negative (a change, a contribution), written
    -¥7,385.40 as i18n.money writes it. Currencies without a Streamlit preset keep the
    symbol in front of the sign."""
    preset = _CURRENCY_PRESET.get(currency or "")
    if preset is None:
        sym = i18n.CURRENCY_SYMBOL.get(currency or "", "")
        return st.column_config.NumberColumn(label, format=f"{sym}%,.{decimals}f", **kw)
    return st.column_config.NumberColumn(label, format=preset, step=10.0 ** -decimals, **kw)


def for_display(frame: pd.DataFrame, column_config: dict) -> pd.DataFrame:
    """``frame`` with each column given a step (percent_column, money_column) rounded to
    it. Streamlit cuts a value down to the column's step (0.09167 would read 9.16%);
    rounded first, it reads 9.17% as i18n.percent writes it."""
    steps = {c: cfg["type_config"]["step"] for c, cfg in column_config.items()
             if c in frame.columns and isinstance(cfg, dict) and isinstance(cfg.get("type_config"), dict)
             and isinstance(cfg["type_config"].get("step"), (int, float))}
    if not steps:
        return frame
    return frame.assign(**{c: pd.to_numeric(frame[c], errors="coerce").round(max(0, round(-np.log10(step))))
                           for c, step in steps.items()})


#: what a table shows in a blank cell (a number that does not exist: a CPA without
#: conversions, a change without a baseline), as i18n writes it in text; Streamlit's
#: own default is the word "None"
BLANK = "–"


def dataframe(frame: pd.DataFrame, column_config: dict | None = None, **kw):
    """st.dataframe with rates and signed amounts shown as the rest of the app shows them
    (for_display), and a blank cell as :data:`BLANK`, not "None". Every table of the app
    is drawn through here."""
    column_config = column_config or {}
    kw.setdefault("placeholder", BLANK)
    return st.dataframe(for_display(frame, column_config), column_config=column_config, **kw)


def data_editor(frame: pd.DataFrame, column_config: dict | None = None, **kw):
    """st.data_editor showing its figures and blanks as :func:`dataframe` does."""
    column_config = column_config or {}
    kw.setdefault("placeholder", BLANK)
    return st.data_editor(for_display(frame, column_config), column_config=column_config, **kw)


# ------------------------------------------------------------------ charts

def _money_title(label: str, unit: str | None) -> str:
    """An axis title with its currency, ``消费 (¥)``; a report without a currency gives
    the bare label, not ``消费 ()``."""
    return f"{label} ({unit})" if unit else label


def daily_chart(daily: pd.DataFrame, currency: str | None, line: str = "cpa") -> go.Figure:
    """Bars of daily spend with a line (CPA, conversions or clicks) on a second axis."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    sym = i18n.CURRENCY_SYMBOL.get(currency or "", "")
    fig.add_bar(x=daily["date"], y=daily["cost"], name=t("overview.cost"), marker_color="#9ec5fe",
                hovertemplate=f"%{{x|%Y-%m-%d}}<br>{t('overview.cost')} {sym}%{{y:,.2f}}<extra></extra>")
    label = {"cpa": t("overview.cpa"), "conversions": t("overview.conversions"),
             "clicks": t("overview.clicks")}[line]
    fmt = f"{sym}%{{y:,.2f}}" if line == "cpa" else "%{y:,.0f}"
    whole, partial = daily.loc[~daily["partial"]], daily.loc[daily["partial"]]
    fig.add_scatter(x=whole["date"], y=whole[line], name=label, mode="lines+markers",
                    line=dict(color=WARN if line == "cpa" else ACCENT, width=2), marker=dict(size=4),
                    connectgaps=False, secondary_y=True,
                    hovertemplate=f"%{{x|%Y-%m-%d}}<br>{label} {fmt}<extra></extra>")
    if len(partial):  # conversions still arriving: shown apart, not joined to the line
        fig.add_scatter(x=partial["date"], y=partial[line], name=t("overview.partial_short"), mode="markers",
                        marker=dict(size=9, color="white", line=dict(color="#8c8c8c", width=2)),
                        secondary_y=True,
                        hovertemplate=f"%{{x|%Y-%m-%d}}<br>{label} {fmt}<br>{t('overview.partial_short')}<extra></extra>")
    fig.update_layout(height=360, margin=dict(l=8, r=8, t=8, b=8), hovermode="x unified",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
                      plot_bgcolor="white", bargap=0.15)
    fig.update_yaxes(title_text=_money_title(t('overview.cost'), sym or currency), secondary_y=False,
                     gridcolor="#eef1f5", rangemode="tozero")
    fig.update_yaxes(title_text=label, secondary_y=True, showgrid=False, rangemode="tozero",
                     tickmode="auto", nticks=6)  # round values, not ticks synced to the spend grid
    fig.update_xaxes(gridcolor="#eef1f5", tickformat="%m-%d" if lang() == "zh" else "%b %d")
    return fig


def memo(key: tuple, compute):
    """Keep one computed result per key in this session (e.g. labels of an account's
    keywords for one lexicon), so that moving a filter does not recompute it."""
    c = st.session_state.get(K_CTX)
    if c is not None and c.ws is not None:  # results belong to one state of one workspace
        key = (c.ws.id, c.ws.revision, *key)
    key = (catalog().revision, *key)  # and to the saved verticals as they are now
    cache = st.session_state.setdefault("_memo", {})
    if key not in cache:
        if len(cache) > 16:
            cache.clear()
        cache[key] = compute()
    return cache[key]


@st.cache_resource(show_spinner=False, max_entries=16)
def classifier(vertical: str, edits_json: str, account_json: str = "{}", revision: str = "") -> "Classifier":
    """A classifier for a vertical with what the account says and its lexicon edits
    (shared across sessions; ``revision``: a saved vertical's, so a replaced one is not reused)."""
    def parse(text: str) -> dict:
        return {lang: LexiconEdits.from_json(t) for lang, t in json.loads(text).items()}
    return Classifier(vertical, parse(edits_json), parse(account_json))


def stage_chart(by_stage: pd.DataFrame, currency: str | None) -> go.Figure:
    """Bars of spend by stage with the cost per conversion as a line."""
    sym = i18n.CURRENCY_SYMBOL.get(currency or "", "")
    names = [name_of(i18n.STAGE, s) for s in by_stage["stage"]]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(x=names, y=by_stage["cost"], name=t("overview.cost"), marker_color="#9ec5fe",
                hovertemplate=f"%{{x}}<br>{t('overview.cost')} {sym}%{{y:,.2f}}<extra></extra>")
    fig.add_scatter(x=names, y=by_stage["cpa"], name=t("overview.cpa"), mode="lines+markers",
                    line=dict(color=WARN, width=2), secondary_y=True,
                    hovertemplate=f"%{{x}}<br>{t('overview.cpa')} {sym}%{{y:,.2f}}<extra></extra>")
    fig.update_layout(height=320, margin=dict(l=8, r=8, t=8, b=8), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    fig.update_yaxes(title_text=_money_title(t('overview.cost'), sym or currency), secondary_y=False,
                     gridcolor="#eef1f5", rangemode="tozero")
    fig.update_yaxes(title_text=t("overview.cpa"), secondary_y=True, showgrid=False, rangemode="tozero",
                     tickmode="auto", nticks=6)
    return fig


def drift_chart(days: pd.DataFrame, metric: str, start, before: float = float("nan"), after: float = float("nan"),
                currency: str | None = None, target: float | None = None, start_range=(None, None)) -> go.Figure:
    """One entity's daily metric with the change day (and the range of days it may be),
    the before / after levels and the target marked. ``days``: the entity's daily
    series (optimizer.drift.scan.daily_series). ``start`` None (no change detected): the
    daily values only, no change line, no levels."""
    sym = i18n.CURRENCY_SYMBOL.get(currency or "", "")
    col = "cost" if metric == "spend" else metric
    label = name_of(i18n.METRIC, metric)
    fmt = "%{y:.2%}" if metric == "cvr" else f"{sym}%{{y:,.2f}}"
    fig = go.Figure()
    fig.add_scatter(x=days["date"], y=days[col], mode="lines+markers", name=t("dr.daily"),
                    line=dict(color="#8fb3e8", width=1.5), marker=dict(size=4, color=ACCENT),
                    hovertemplate=f"%{{x|%Y-%m-%d}}<br>{label} {fmt}<extra></extra>")
    if start is not None and not pd.isna(start):
        _change_marks(fig, days, pd.Timestamp(start), before, after, start_range, fmt)
    if target is not None and np.isfinite(target):
        fig.add_hline(y=target, line=dict(color="#389e0d", dash="dash", width=1.5),
                      annotation_text=f"{t('dr.target')} {sym}{target:,.0f}", annotation_position="top left")
    fig.update_layout(height=340, margin=dict(l=8, r=8, t=24, b=8), plot_bgcolor="white", hovermode="x unified",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    fig.update_yaxes(gridcolor="#eef1f5", rangemode="tozero", tickformat=".0%" if metric == "cvr" else ",.0f",
                     tickprefix="" if metric == "cvr" else sym)
    fig.update_xaxes(gridcolor="#eef1f5", tickformat="%m-%d" if lang() == "zh" else "%b %d")
    return fig


def _change_marks(fig: go.Figure, days: pd.DataFrame, start: pd.Timestamp, before: float, after: float,
                  start_range, fmt: str) -> None:
    """The change day's line and label, the range of days it may be, the before / after levels."""
    first, last = days["date"].min(), days["date"].max()
    fig.add_scatter(x=[first, start - pd.Timedelta(hours=12)], y=[before, before], mode="lines",
                    name=t("dr.baseline"), line=dict(color="#595959", width=3),
                    hovertemplate=f"{t('dr.baseline')} {fmt}<extra></extra>")
    fig.add_scatter(x=[start - pd.Timedelta(hours=12), last], y=[after, after], mode="lines", name=t("dr.after"),
                    line=dict(color=WARN, width=3), hovertemplate=f"{t('dr.after')} {fmt}<extra></extra>")
    low, high = start_range
    if low is not None and high is not None and not pd.isna(low) and not pd.isna(high) and low != high:
        fig.add_vrect(x0=pd.Timestamp(low) - pd.Timedelta(hours=12), x1=pd.Timestamp(high) + pd.Timedelta(hours=12),
                      fillcolor=WARN, opacity=0.08, line_width=0)
    fig.add_vline(x=start - pd.Timedelta(hours=12), line=dict(color=WARN, dash="dot", width=1.5))
    fig.add_annotation(x=start, y=1, yref="paper", text=f"{t('dr.change_day')} {start:%m-%d}", showarrow=False,
                       xanchor="left", yanchor="top", font=dict(color=WARN, size=12))


def change_chart(days: pd.DataFrame, metric: str, applied, before: float, after: float,
                 currency: str | None = None, height: int = 260) -> go.Figure:
    """A logged change's metric per day around its applied day (``days``: its rows of
    :attr:`optimizer.actions.changelog.ChangeEffects.days`): filled dots the days compared,
    hollow ones the others, the applied day's line, the before / after levels."""
    sym = i18n.CURRENCY_SYMBOL.get(currency or "", "")
    d = days.sort_values("date")
    with np.errstate(divide="ignore", invalid="ignore"):
        y = {"cpa": d["cost"] / d["conversions"].where(d["conversions"] > 0),
             "cpc": d["cost"] / d["clicks"].where(d["clicks"] > 0),
             "cvr": d["conversions"] / d["clicks"].where(d["clicks"] > 0),
             "cost": d["cost"], "conversions": d["conversions"]}[metric]
    fmt = "%{y:.2%}" if metric == "cvr" else "%{y:,.1f}" if metric == "conversions" else f"{sym}%{{y:,.2f}}"
    label = t(f"changes.metric.{metric}")
    kept = d["kept"].to_numpy(bool)
    fig = go.Figure()
    fig.add_scatter(x=d["date"], y=y, mode="lines", line=dict(color="#c9d7ee", width=1), showlegend=False,
                    hoverinfo="skip", connectgaps=False)
    fig.add_scatter(x=d["date"][kept], y=y[kept], mode="markers", name=label, marker=dict(size=6, color=ACCENT),
                    hovertemplate=f"%{{x|%m-%d}}<br>{label} {fmt}<extra></extra>", showlegend=False)
    fig.add_scatter(x=d["date"][~kept], y=y[~kept], mode="markers", marker=dict(size=6, color="white",
                    line=dict(color=ACCENT, width=1)), hovertemplate=f"%{{x|%m-%d}}<br>{label} {fmt}<extra></extra>",
                    showlegend=False)
    day = pd.Timestamp(applied)
    if len(d):
        first, last = d["date"].min(), d["date"].max()
        for x0, x1, v, colour in ((first, day, before, "#595959"), (day, last, after, WARN)):
            if v == v:
                fig.add_scatter(x=[x0, x1], y=[v, v], mode="lines", line=dict(color=colour, width=2.5),
                                hoverinfo="skip", showlegend=False)
    fig.add_vline(x=day, line=dict(color=WARN, dash="dot", width=1.5))
    fig.update_layout(height=height, margin=dict(l=4, r=4, t=8, b=4), plot_bgcolor="white", hovermode="closest")
    fig.update_yaxes(gridcolor="#eef1f5", rangemode="tozero",
                     tickformat=".0%" if metric == "cvr" else ",.1f" if metric == "conversions" else ",.0f",
                     tickprefix="" if metric in ("cvr", "conversions") else sym)
    fig.update_xaxes(gridcolor="#eef1f5", tickformat="%m-%d" if lang() == "zh" else "%b %d")
    return fig


def waterfall_chart(steps: list[tuple[str, float, str]], currency: str | None, percent: bool = False) -> go.Figure:
    """A waterfall: ``steps`` of (label, value, kind) with kind ``absolute`` (a level,
    e.g. CPA before / after: drawn as a total) or ``relative`` (a part of the change)."""
    sym = "" if percent else i18n.CURRENCY_SYMBOL.get(currency or "", "")
    # plotly: "absolute" sets the level to the value; "total" draws the running sum (= the after level)
    measure = [("absolute" if i == 0 else "total") if k == "absolute" else "relative"
               for i, (_, _, k) in enumerate(steps)]
    values = [v for _, v, _ in steps]
    texts = [(f"{v:+.1%}" if percent else
              ("+" if v >= 0 and k == "relative" else "") + i18n.money(v, currency, 2))
             for _, v, k in steps]
    fig = go.Figure(go.Waterfall(x=[s[0] for s in steps], y=values, measure=measure, text=texts,
                                 textposition="outside", connector=dict(line=dict(color="#bfbfbf")),
                                 increasing=dict(marker=dict(color=WARN)), decreasing=dict(marker=dict(color="#389e0d")),
                                 totals=dict(marker=dict(color="#8fb3e8"))))
    fig.update_layout(height=320, margin=dict(l=8, r=8, t=16, b=8), plot_bgcolor="white", showlegend=False)
    fig.update_yaxes(gridcolor="#eef1f5", tickprefix=sym, tickformat=".0%" if percent else ",.0f")
    return fig
