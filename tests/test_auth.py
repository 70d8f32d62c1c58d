"""Sign-in, roles, sessions and share links: the security rules of issue 8, against
SQLite always and PostgreSQL when reachable (fixtures from tests/test_store.py)."""
from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from optimizer.store import auth
from optimizer.store.auth import (Access, PermissionDenied, RateLimited, ShareAccess, ShareRefused, authenticate, can,
                            create_share, create_user, end_session, hash_password, list_shares, main_users,
                            needs_rehash, open_share, resolve_share, revoke_share, session_user, start_session,
                            verify_password)
from optimizer.store.database import Conflict, Store, User, Workspace
from tests.test_store import clock, counts, day_file, db, store  # noqa: F401 - fixtures

PW = "correct horse battery"
REAL_N = auth.SCRYPT_N


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch):
    """Cheaper scrypt for speed; test_password_hashes_use_the_documented_parameters checks the real one."""
    monkeypatch.setattr(auth, "SCRYPT_N", 2 ** 10)
    monkeypatch.setattr(auth, "_DUMMY_HASH", None)


@pytest.fixture
def people(store):
    """An admin, two optimizers (each with a workspace) and an analyst."""
    admin = create_user(store, "admin", PW, "admin")
    wang = create_user(store, "Wang", PW, "optimizer")
    li = create_user(store, "li", PW, "optimizer")
    ana = create_user(store, "ana", PW, "analyst")
    a = Access(store, wang).create_workspace("北京安心开锁")
    b = Access(store, li).create_workspace("上海快捷搬家")
    Access(store, wang).upload(a.id, "d1.csv", day_file(1))
    Access(store, li).upload(b.id, "d2.csv", day_file(2))
    return dict(admin=admin, wang=wang, li=li, ana=ana, a=store.get_workspace(a.id), b=store.get_workspace(b.id))


# ---------------------------------------------------------------- passwords

def test_password_hashes_use_the_documented_parameters(monkeypatch):
    monkeypatch.setattr(auth, "SCRYPT_N", REAL_N)
    assert REAL_N >= 2 ** 14 and auth.SCRYPT_R == 8 and auth.SCRYPT_P == 1
    h = hash_password(PW)
    assert h.startswith(f"scrypt$n={REAL_N},r=8,p=1$") and PW not in h
    assert h != hash_password(PW)  # a fresh salt each time
    assert verify_password(PW, h) and not verify_password(PW + "x", h) and not verify_password("", h)
    _, params, salt, key = h.split("$")
    assert len(auth._unb64(salt)) == 16 and len(auth._unb64(key)) == 32
    assert not needs_rehash(h)
    weaker = h.replace(f"n={REAL_N}", "n=1024")
    assert needs_rehash(weaker) and not verify_password(PW, weaker)  # other parameters, other key
    for broken in ("", "plain", "scrypt$n=3,r=8,p=1$AAAA$AAAA", h[:-4], "bcrypt$" + h[7:]):
        assert not verify_password(PW, broken)


@pytest.fixture
def compared(monkeypatch) -> list:
    """The pairs given to hmac.compare_digest (the constant-time comparison) from now on."""
    seen = []
    real = auth.hmac.compare_digest

    def spy(a, b):
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    return seen


def test_verification_compares_in_constant_time(compared):
    assert not verify_password("wrong password", hash_password(PW))
    assert len(compared) == 1


def test_create_user_checks_name_password_and_role(store):
    with pytest.raises(ValueError, match="role"):
        create_user(store, "x", PW, "root")
    with pytest.raises(ValueError, match="at least"):
        create_user(store, "x", "short", "optimizer")
    for bad in ("", "a b", "x" * 65, "name;drop"):
        with pytest.raises(ValueError, match="username"):
            create_user(store, bad, PW, "optimizer")
    u = create_user(store, " 王Optimizer ", PW, "optimizer")
    assert u.username == "王optimizer"
    with pytest.raises(Conflict):
        create_user(store, "王OPTIMIZER", PW, "analyst")
    with store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT password_hash FROM users")).scalar()
    assert stored.startswith("scrypt$") and PW not in stored


# ---------------------------------------------------------------- sign-in

def test_right_password_signs_in_and_wrong_or_unknown_does_not(store):
    create_user(store, "wang", PW, "optimizer")
    assert authenticate(store, "WANG", PW).username == "wang"
    assert authenticate(store, "wang", PW + "!") is None
    assert authenticate(store, "wang", "") is None
    assert authenticate(store, "nobody", PW) is None
    assert authenticate(store, "bad name!", PW) is None
    auth.set_disabled(store, "wang", True)
    assert authenticate(store, "wang", PW) is None


def test_unknown_usernames_cost_a_full_password_check(store, monkeypatch):
    create_user(store, "wang", PW, "optimizer")
    auth._dummy_hash()  # made once per process
    calls = []
    real = auth._scrypt
    monkeypatch.setattr(auth, "_scrypt", lambda *a: calls.append(a[2]) or real(*a))
    authenticate(store, "nobody", PW)
    authenticate(store, "wang", "wrong password")
    assert calls == [auth.SCRYPT_N, auth.SCRYPT_N]


def test_five_wrong_passwords_lock_the_username_for_fifteen_minutes(store, clock):
    create_user(store, "wang", PW, "optimizer")
    for _ in range(4):
        assert authenticate(store, "wang", "wrong password", source="10.0.0.1") is None
    clock.advance(minutes=1)
    assert authenticate(store, "wang", "wrong password", source="10.0.0.2") is None  # 5th: locks
    with pytest.raises(RateLimited) as err:
        authenticate(store, "wang", PW, source="10.0.0.3")  # even the right password, from anywhere
    assert err.value.retry_after(store.now()) == 15 * 60 + 1
    clock.advance(minutes=14)
    with pytest.raises(RateLimited):
        authenticate(store, "wang", PW)
    clock.advance(minutes=1, seconds=1)
    assert authenticate(store, "wang", PW).username == "wang"


def test_failures_outside_the_window_do_not_add_up_and_success_resets(store, clock):
    create_user(store, "wang", PW, "optimizer")
    for _ in range(4):
        authenticate(store, "wang", "wrong password")
    clock.advance(minutes=16)
    for _ in range(4):
        authenticate(store, "wang", "wrong password")
    assert authenticate(store, "wang", PW) is not None
    for _ in range(4):
        authenticate(store, "wang", "wrong password")
    assert authenticate(store, "wang", PW) is not None


def test_one_source_guessing_many_names_is_locked(store, clock):
    create_user(store, "wang", PW, "optimizer")
    for i in range(auth.LOGIN_PER_SOURCE.limit):
        authenticate(store, f"user{i}", "guess guess guess", source="203.0.113.9")
    with pytest.raises(RateLimited):
        authenticate(store, "wang", PW, source="203.0.113.9")
    assert authenticate(store, "wang", PW, source="198.51.100.1") is not None


def test_an_admin_can_unlock_a_user(store):
    create_user(store, "wang", PW, "optimizer")
    for _ in range(5):
        authenticate(store, "wang", "wrong password", source=f"s{_}")
    with pytest.raises(RateLimited):
        authenticate(store, "wang", PW)
    out = io.StringIO()
    assert main_users(["unlock", "wang"], store=store, stdout=out) == 0
    assert authenticate(store, "wang", PW) is not None


def test_a_weaker_stored_hash_is_upgraded_at_sign_in(store, monkeypatch):
    create_user(store, "wang", PW, "optimizer")
    monkeypatch.setattr(auth, "SCRYPT_N", 2 ** 11)
    assert authenticate(store, "wang", PW) is not None
    assert store.credentials("wang")[1].startswith("scrypt$n=2048,")


# ---------------------------------------------------------------- sessions

def test_sessions_expire_after_idle_time_and_at_their_end(store, clock):
    u = create_user(store, "wang", PW, "optimizer")
    token = start_session(store, u)
    assert len(token) >= 43 and session_user(store, token) == u
    clock.advance(hours=1, minutes=59)
    assert session_user(store, token) == u  # used: idle time starts again
    clock.advance(hours=2)
    assert session_user(store, token) is None  # idle for 2 h
    token = start_session(store, u)
    for _ in range(11):
        clock.advance(hours=1)
        assert session_user(store, token) == u
    clock.advance(hours=1)
    assert session_user(store, token) is None  # 12 h after sign-in, however active


def test_signing_out_new_password_and_disabling_end_sessions(store):
    u = create_user(store, "wang", PW, "optimizer")
    t1, t2, t3 = (start_session(store, u) for _ in range(3))
    end_session(store, t1)
    assert session_user(store, t1) is None and session_user(store, t2) == u
    auth.set_password(store, "wang", PW + " new")
    assert session_user(store, t2) is None and session_user(store, t3) is None
    t4 = start_session(store, u)
    auth.set_disabled(store, "wang", True)
    assert session_user(store, t4) is None
    with pytest.raises(PermissionDenied):
        start_session(store, store.get_user(u.id))


def test_made_up_or_tampered_session_tokens_are_refused(store):
    u = create_user(store, "wang", PW, "optimizer")
    token = start_session(store, u)
    h = hashlib.sha256(token.encode()).hexdigest()
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (None, "", flipped, token[:-1], token + "x", h, " " + token, token.upper(), "x" * 10_000, 12345):
        assert session_user(store, bad) is None


# ---------------------------------------------------------------- roles

def test_roles_can():
    from datetime import datetime, timezone
    t = datetime(2026, 1, 1, tzinfo=timezone.utc)
    admin, opt, other, ana = (User(1, "a", "admin", t), User(2, "w", "optimizer", t), User(3, "l", "optimizer", t),
                              User(4, "n", "analyst", t))
    ws = Workspace(10, "A", None, None, None, 2, t, member_ids=frozenset({5}))
    member = User(5, "m", "optimizer", t)
    for action in auth.ACTIONS:
        assert can(admin, action, ws)
        assert not can(None, action, ws)
        assert not can(User(6, "x", "admin", t, disabled=True), action, ws)
        assert can(opt, action, ws) == (action != "manage_users")
        assert can(member, action, ws) == (action != "manage_users")
        assert can(other, action, ws) == (action == "create_workspace")
        assert can(ana, action, ws) == (action in ("view", "download"))
    assert can(opt, "create_workspace") and not can(ana, "create_workspace") and can(admin, "manage_users")
    share = ShareAccess(1, 10, False, None, t)
    assert [a for a in auth.ACTIONS if can(share, a, ws)] == ["view"]
    assert [a for a in auth.ACTIONS if can(ShareAccess(1, 10, True, None, t), a, ws)] == ["view", "download"]
    assert not can(share, "view", Workspace(11, "B", None, None, None, 2, t))
    with pytest.raises(ValueError):
        can(admin, "fly", ws)


def test_an_optimizer_sees_only_their_workspaces(store, people):
    wang, a, b = Access(store, people["wang"]), people["a"], people["b"]
    assert [w.name for w in wang.workspaces()] == ["北京安心开锁"]
    assert len(wang.table(a.id).table) == 2
    for ws_id in (b.id, str(b.id), f"{b.id} ", f"0{b.id}", -b.id, 9999, "1 OR 1=1", None, True, 1.0 * b.id):
        with pytest.raises(PermissionDenied, match="no such workspace"):
            wang.table(ws_id)
    for call in (lambda: wang.upload(b.id, "d3.csv", day_file(3)), lambda: wang.delete_workspace(b.id, b.name),
                 lambda: wang.export_zip(b.id), lambda: wang.create_share(b.id), lambda: wang.shares(b.id),
                 lambda: wang.file(b.id, 1), lambda: wang.uploads(b.id), lambda: wang.lexicon_store(b.id)):
        with pytest.raises(PermissionDenied):
            call()
    # the page's choice falls back to a workspace they may see
    assert wang.choose_workspace(b.id).id == a.id
    # given access, they can
    Access(store, people["li"]).add_member(b.id, "wang")
    assert {w.name for w in wang.workspaces()} == {"北京安心开锁", "上海快捷搬家"}
    assert len(wang.table(b.id).table) == 2
    # an admin sees everything
    assert len(Access(store, people["admin"]).workspaces()) == 2


def test_an_analyst_reads_and_downloads_but_cannot_upload_or_delete(store, people):
    ana = Access(store, people["ana"])
    a = people["a"]
    assert len(ana.workspaces()) == 2 and len(ana.table(a.id).table) == 2
    up = ana.uploads(a.id)[0]
    assert ana.file(a.id, up.id)[1] == day_file(1) and ana.export_zip(a.id)
    before = counts(store)
    for call in (lambda: ana.upload(a.id, "d3.csv", day_file(3)), lambda: ana.delete_upload(a.id, up.id),
                 lambda: ana.delete_workspace(a.id, a.name), lambda: ana.create_workspace("mine"),
                 lambda: ana.create_share(a.id), lambda: ana.revoke_share(a.id, 1),
                 lambda: ana.save_bundle_decision(a.id, "k", "m.csv", b"x"),
                 lambda: ana.lexicon_store(a.id).set_vertical("k", "locksmith"), lambda: ana.mapping_store(),
                 lambda: ana.add_member(a.id, "ana")):
        with pytest.raises(PermissionDenied):
            call()
    assert counts(store) == before
    assert ana.lexicon_store(a.id).vertical("k") is None  # reading is fine
    assert ana.audit_store(a.id).latest("k") == {}
    with pytest.raises(PermissionDenied):
        ana.audit_store(a.id).add("k", [])


def test_a_signed_out_visitor_reaches_nothing(store, people):
    nobody = Access(store, None)
    a = people["a"]
    assert nobody.workspaces() == [] and nobody.choose_workspace(a.id) is None
    for call in (lambda: nobody.table(a.id), lambda: nobody.uploads(a.id), lambda: nobody.file(a.id, 1),
                 lambda: nobody.export_zip(a.id), lambda: nobody.upload(a.id, "x.csv", day_file(3)),
                 lambda: nobody.create_workspace("x"), lambda: nobody.shares(a.id), lambda: nobody.workspace(a.id),
                 lambda: nobody.lexicon_store(a.id), lambda: nobody.bundle_decision(a.id, "k")):
        with pytest.raises(PermissionDenied):
            call()
    assert session_user(store, None) is None


def test_an_optimizer_can_upload_delete_and_edit_their_workspace(store, people):
    wang, a = Access(store, people["wang"]), people["a"]
    r = wang.upload(a.id, "d3.csv", day_file(3))
    assert r.upload.uploaded_by_name == "wang"
    wang.delete_upload(a.id, r.upload.id)
    lex = wang.lexicon_store(a.id)
    lex.set_vertical("baidu:安心开锁:CNY", "locksmith")
    assert store.lexicon_settings(a.id, "baidu:安心开锁:CNY")[0] == "locksmith"
    with pytest.raises(Exception, match="exact name"):
        wang.delete_workspace(a.id, "北京")
    wang.delete_workspace(a.id, "北京安心开锁")
    assert wang.workspaces() == []


# ---------------------------------------------------------------- share links

def test_share_links_can_be_created_listed_opened_revoked_and_expire(store, clock, people):
    wang, a = people["wang"], people["a"]
    link, token = create_share(store, wang, a.id, label="给王老板", expires_in=timedelta(days=3))
    assert len(token) >= 43 and link.label == "给王老板" and link.last_opened_at is None
    assert link.expires_at == store.now() + timedelta(days=3)
    clock.advance(hours=1)
    access = open_share(store, token, source="198.51.100.7")
    assert access.workspace_id == a.id and not access.allow_download
    assert list_shares(store, wang, a.id)[0].last_opened_at == store.now()
    viewer = Access(store, access)
    assert [w.id for w in viewer.workspaces()] == [a.id] and len(viewer.table(a.id).table) == 2
    with pytest.raises(PermissionDenied):
        viewer.export_zip(a.id)  # this link does not allow downloads
    # a second link, with downloads; listing shows both, newest first
    link2, token2 = create_share(store, wang, a.id, allow_download=True)
    assert [l.id for l in list_shares(store, wang, a.id)] == [link2.id, link.id]
    assert Access(store, open_share(store, token2)).export_zip(a.id)
    # revoked: refused at once
    revoke_share(store, wang, a.id, link.id)
    with pytest.raises(ShareRefused) as err:
        open_share(store, token)
    assert err.value.reason == "revoked" and resolve_share(store, token) is None
    assert list_shares(store, wang, a.id)[1].state(store.now()) == "revoked"
    # expired: refused
    clock.advance(days=7)
    with pytest.raises(ShareRefused) as err:
        open_share(store, token2)
    assert err.value.reason == "expired"
    with pytest.raises(ValueError):
        create_share(store, wang, a.id, expires_in=timedelta(days=400))
    # another optimizer cannot list, create or revoke links of this workspace
    for call in (lambda: list_shares(store, people["li"], a.id), lambda: create_share(store, people["li"], a.id),
                 lambda: revoke_share(store, people["li"], a.id, link2.id)):
        with pytest.raises(PermissionDenied):
            call()


def test_a_link_for_workspace_a_never_shows_b(store, people):
    a, b = people["a"], people["b"]
    _, token_a = create_share(store, people["wang"], a.id, allow_download=True)
    _, token_b = create_share(store, people["li"], b.id)
    viewer = Access(store, open_share(store, token_a))
    assert [w.id for w in viewer.workspaces()] == [a.id]
    # tampering with the workspace asked for (URL ?workspace=…, session state)
    for requested in (b.id, str(b.id), [b.id], {"id": b.id}, "b", None):
        assert viewer.choose_workspace(requested).id == a.id
    for call in (lambda: viewer.table(b.id), lambda: viewer.table(str(b.id)), lambda: viewer.uploads(b.id),
                 lambda: viewer.file(b.id, 2), lambda: viewer.export_zip(b.id), lambda: viewer.workspace(b.id),
                 lambda: viewer.bundle_decision(b.id, "k"), lambda: viewer.lexicon_store(b.id)):
        with pytest.raises(PermissionDenied):
            call()
    # nor can the visitor write anything, even in A
    for call in (lambda: viewer.upload(a.id, "x.csv", day_file(5)), lambda: viewer.delete_workspace(a.id, a.name),
                 lambda: viewer.delete_upload(a.id, 1), lambda: viewer.create_share(a.id),
                 lambda: viewer.revoke_share(a.id, 1), lambda: viewer.create_workspace("x"),
                 lambda: viewer.lexicon_store(a.id).set_vertical("k", "moving")):
        with pytest.raises(PermissionDenied):
            call()
    # an upload id of B asked through A's workspace is not found
    b_upload = store.list_uploads(b.id)[0].id
    with pytest.raises(Exception):
        viewer.file(a.id, b_upload)
    # a ShareAccess forged in session state for B is worthless without B's token:
    # pages rebuild the principal from the token on every run
    assert open_share(store, token_a).workspace_id == a.id
    assert open_share(store, token_b).workspace_id == b.id


def test_tampered_share_tokens_are_refused(store, people):
    _, token = create_share(store, people["wang"], people["a"].id)
    h = hashlib.sha256(token.encode()).hexdigest()
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for i, bad in enumerate((flipped, token[:-1], token + "A", token.upper(), h, " " + token, "", None,
                             token[:20], "../" + token)):
        with pytest.raises(ShareRefused):
            open_share(store, bad, source=f"192.0.2.{i}")
    assert open_share(store, token).workspace_id == people["a"].id


def test_opening_a_share_link_compares_its_hash_in_constant_time(store, people, compared):
    _, token = create_share(store, people["wang"], people["a"].id)
    compared.clear()
    assert open_share(store, token).workspace_id == people["a"].id
    h = hashlib.sha256(token.encode()).hexdigest()
    assert compared == [(h, h)]


def test_the_rate_limit_source_trusts_forwarded_for_only_behind_the_operators_proxies():
    # no trusted proxy: the header is the visitor's to write, so it is ignored
    assert auth.client_source("10.0.0.2", "203.0.113.9", 0) == "10.0.0.2"
    # one proxy (nginx in front): it appended the address it saw, the last entry
    assert auth.client_source("10.0.0.2", "198.51.100.1, 203.0.113.9", 1) == "203.0.113.9"
    # two proxies (CDN, then nginx): the visitor is second from the right; what the visitor wrote is left of it
    assert auth.client_source("10.0.0.2", "1.2.3.4, 203.0.113.9, 10.0.0.7", 2) == "203.0.113.9"
    # fewer entries than trusted proxies: the header is not what the proxies write, fall back to the peer
    assert auth.client_source("10.0.0.2", "203.0.113.9", 2) == "10.0.0.2"
    assert auth.client_source(None, None, 1) is None and auth.client_source("", "", 0) is None
    assert auth.trusted_proxies_setting({auth.TRUSTED_PROXIES_ENV: "1"}) == 1
    assert auth.trusted_proxies_setting({auth.TRUSTED_PROXIES_ENV: "one"}) == 0
    assert auth.trusted_proxies_setting({}) == 0


def test_wrong_share_tokens_are_rate_limited_per_source(store, clock, people):
    _, token = create_share(store, people["wang"], people["a"].id)
    limit = auth.SHARE_PER_SOURCE.limit
    for i in range(limit - 1):
        with pytest.raises(ShareRefused):
            open_share(store, auth.new_token(), source="203.0.113.5")
    with pytest.raises(RateLimited):
        open_share(store, auth.new_token(), source="203.0.113.5")  # the limit-th wrong token locks
    with pytest.raises(RateLimited):
        open_share(store, token, source="203.0.113.5")  # even the right one, while locked
    with pytest.raises(RateLimited):
        resolve_share(store, token, source="203.0.113.5")
    assert open_share(store, token, source="198.51.100.2").workspace_id == people["a"].id
    clock.advance(minutes=15, seconds=1)
    assert open_share(store, token, source="203.0.113.5").workspace_id == people["a"].id


def test_tokens_are_random_and_only_their_hashes_are_stored(db, store, people):
    tokens = [create_share(store, people["wang"], people["a"].id)[1] for _ in range(3)]
    tokens.append(start_session(store, people["wang"]))
    assert len(set(tokens)) == 4 and all(len(t) >= 43 for t in tokens)  # 32 random bytes, base64
    with store.engine.connect() as conn:
        hashes = set(conn.execute(sa.text("SELECT token_hash FROM share_links")).scalars())
        hashes |= set(conn.execute(sa.text("SELECT token_hash FROM sessions")).scalars())
    assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    if db.backend == "sqlite":  # grep the database files for the tokens
        folder = db.data_dir
        raw = b"".join(p.read_bytes() for p in folder.iterdir() if p.name.startswith("optimizer.db"))
        assert raw and all(t.encode() not in raw for t in tokens)
        assert any(h.encode() in raw for h in hashes)
    else:
        with store.engine.connect() as conn:
            for table in ("share_links", "sessions", "users", "throttles"):
                dump = " ".join(map(str, conn.execute(sa.text(f"SELECT * FROM {table}")).all()))
                assert all(t not in dump for t in tokens)


# ---------------------------------------------------------------- command line

def test_users_command_line(tmp_path, monkeypatch):
    monkeypatch.delenv("OPTIMIZER_DATABASE_URL", raising=False)
    data = ["--data-dir", str(tmp_path)]

    def run(*argv, stdin=""):
        out = io.StringIO()
        code = main_users([*data, *argv], stdin=io.StringIO(stdin), stdout=out)
        return code, out.getvalue()

    assert run("add", "Admin", "--role", "admin", "--password-stdin", stdin=PW + "\n") == \
        (0, f"created admin admin in sqlite:///{tmp_path.resolve()}/optimizer.db\n")
    assert run("add", "wang", "--role", "optimizer", "--password-stdin", stdin=PW + "\n")[0] == 0
    code, out = run("add", "wang", "--role", "optimizer", "--password-stdin", stdin=PW + "\n")
    assert code == 1 and "already exists" in out
    code, out = run("add", "li", "--role", "optimizer", "--password-stdin", stdin="short\n")
    assert code == 1 and "at least" in out
    code, out = run("add", "li", "--role", "optimizer")  # no terminal to ask on
    assert code == 1 and "--password-stdin" in out
    assert run("add", "li", "--role", "boss", "--password-stdin", stdin=PW)[0] == 2
    code, out = run("list")
    assert code == 0 and [line.split("\t")[:3] for line in out.splitlines()] == \
        [["admin", "admin", "active"], ["wang", "optimizer", "active"]]
    assert run("passwd", "wang", "--password-stdin", stdin="another long password\n")[0] == 0
    assert run("role", "wang", "analyst") == (0, "wang is now analyst\n")
    assert run("disable", "wang") == (0, "wang disabled\n")
    assert run("enable", "wang") == (0, "wang enabled\n")
    assert run("passwd", "nobody", "--password-stdin", stdin=PW)[0] == 1
    with Store.open(None, tmp_path) as store:
        assert authenticate(store, "wang", "another long password").role == "analyst"
        ws = store.create_workspace("北京安心开锁")
    assert run("grant", "wang", "北京安心开锁") == (0, "wang can now work in 北京安心开锁\n")
    assert run("grant", "wang", "nope")[0] == 1
    with Store.open(None, tmp_path) as store:
        assert store.get_workspace(ws.id).member_ids == {store.user_by_name("wang").id}


def test_python_dash_m_optimizer_users_still_reaches_the_users_command(tmp_path, monkeypatch, capsys):
    # `users` is listed in `python -m optimizer --help` and still handed whole to main_users
    from optimizer.cli import main
    monkeypatch.delenv("OPTIMIZER_DATABASE_URL", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(PW + "\n"))
    assert main(["users", "--data-dir", str(tmp_path), "add", "wang", "--role", "optimizer", "--password-stdin"]) == 0
    assert main(["users", "--data-dir", str(tmp_path), "list"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].split("\t")[:3] == ["wang", "optimizer", "active"]
    assert main(["users", "--help"]) == 0
    assert "python -m optimizer users" in capsys.readouterr().out


def test_the_password_is_asked_twice_on_a_terminal(tmp_path, monkeypatch):
    monkeypatch.delenv("OPTIMIZER_DATABASE_URL", raising=False)

    class Tty(io.StringIO):
        def isatty(self):
            return True

    answers = iter([PW, PW, PW, PW + "x"])
    monkeypatch.setattr(auth.getpass, "getpass", lambda prompt="": next(answers))
    out = io.StringIO()
    assert main_users(["--data-dir", str(tmp_path), "add", "wang", "--role", "optimizer"], stdin=Tty(),
                      stdout=out) == 0
    assert main_users(["--data-dir", str(tmp_path), "passwd", "wang"], stdin=Tty(), stdout=out) == 1
    assert "do not match" in out.getvalue()


# ---------------------------------------------------------------- single sign-on

def test_single_sign_on_maps_a_verified_email_to_a_local_account(store, tmp_path):
    assert main_users(["add", "Wang@Corp.cn", "--role", "optimizer", "--sso"], store=store,
                      stdout=io.StringIO()) == 0
    wang = store.user_by_name("wang@corp.cn")
    assert auth.sso_user(store, {"is_logged_in": True, "email": "WANG@corp.cn", "email_verified": True}) == wang
    assert auth.sso_user(store, {"is_logged_in": True, "email": "wang@corp.cn"}) == wang
    for claims in (None, {}, {"is_logged_in": False, "email": "wang@corp.cn"},
                   {"is_logged_in": True, "email": "wang@corp.cn", "email_verified": False},
                   {"is_logged_in": True, "email": "li@corp.cn", "email_verified": True},
                   {"is_logged_in": True, "name": "Wang"}):
        assert auth.sso_user(store, claims) is None
    # no password: local sign-in is impossible
    assert store.credentials("wang@corp.cn")[1] == auth.NO_PASSWORD
    assert authenticate(store, "wang@corp.cn", auth.NO_PASSWORD) is None
    assert authenticate(store, "wang@corp.cn", "") is None
    auth.set_disabled(store, "wang@corp.cn", True)
    assert auth.sso_user(store, {"is_logged_in": True, "email": "wang@corp.cn"}) is None


@pytest.mark.parametrize("page, public, link, where", [
    # the address the page was opened at: a client cannot open a loopback one
    ("http://localhost:8501/share?ws=3", None, "http://localhost:8501/?share=TOK", "loopback"),
    ("http://127.0.0.1:8501/share", None, "http://127.0.0.1:8501/?share=TOK", "loopback"),
    ("http://[::1]:8501/share", None, "http://[::1]:8501/?share=TOK", "loopback"),
    ("http://0.0.0.0:8501/share", None, "http://0.0.0.0:8501/?share=TOK", "loopback"),
    ("https://ads.example.com/tools/share?ws=2", None, "https://ads.example.com/tools/?share=TOK", "public"),
    # the operator's public address wins, whatever the page was opened at
    ("http://localhost:8501/share", "https://ads.example.com/", "https://ads.example.com/?share=TOK", "public"),
    ("http://localhost:8501/share", "https://ads.example.com/opt", "https://ads.example.com/opt/?share=TOK",
     "public"),
    # a setting that is no web address is named, not used
    ("http://localhost:8501/share", "ads.example.com", "http://localhost:8501/?share=TOK", "bad_setting"),
    # no address known at all (a test run): the path alone
    (None, None, "/?share=TOK", "unknown"),
])
def test_a_share_link_uses_the_public_address_and_says_when_it_only_works_here(page, public, link, where):
    assert auth.share_url("TOK", page, public) == (link, where)
