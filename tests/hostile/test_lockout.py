"""Parallel password and share-link guessing: the limits hold however many attempts overlap.

Each attempt reserves its place under the limit in the database before the password
(or the share token) is checked, so that attempts arriving together — threads of one
server, or several server processes on one database — are checked at most ``limit``
times, and a right password checked among them clears only the failures that came
before it, never the ones that arrived in parallel. SQLite always, PostgreSQL when
reachable (fixtures from tests/test_store.py).
"""
from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from optimizer.store import auth
from optimizer.store.auth import RateLimited, ShareRefused, authenticate, create_share, create_user, open_share
from optimizer.store.database import Store, ThrottleTicket
from tests.test_store import clock, db, store  # noqa: F401 - fixtures

PW = "correct horse battery"
WRONG = "wrong password guess"
CHECK_SECONDS = 0.1  # how long a counted password check takes here: wide enough for every attempt to overlap


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch):
    monkeypatch.setattr(auth, "SCRYPT_N", 2 ** 10)
    monkeypatch.setattr(auth, "_DUMMY_HASH", None)


class CountingVerifier:
    """Stands in for :func:`optimizer.store.auth.verify_password`: counts the checks, and
    makes each one last :data:`CHECK_SECONDS` so that parallel attempts overlap."""

    def __init__(self) -> None:
        self.real = auth.verify_password
        self.calls: list[bool] = []
        self.lock = threading.Lock()

    def __call__(self, password: str, encoded: str) -> bool:
        time.sleep(CHECK_SECONDS)
        ok = self.real(password, encoded)
        with self.lock:
            self.calls.append(ok)
        return ok


def _attempt(store: Store, name: str, password: str, source: str) -> str:
    try:
        return "signed in" if authenticate(store, name, password, source=source) is not None else "refused"
    except RateLimited:
        return "locked"


def _together(jobs) -> list:
    """Run the callables at once (a barrier releases them together); their results in order."""
    barrier = threading.Barrier(len(jobs))
    out: list = [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        out[i] = job()

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


# ---------------------------------------------------------------- one server, threads

@pytest.mark.parametrize("right_at", [0, 11])
def test_twelve_parallel_guesses_check_at_most_five_passwords_and_leave_the_name_locked(
        store, monkeypatch, right_at):
    create_user(store, "wang", PW, "optimizer")
    verifier = CountingVerifier()
    monkeypatch.setattr(auth, "verify_password", verifier)
    passwords = [WRONG] * 12
    passwords[right_at] = PW
    outcomes = _together([lambda p=p, i=i: _attempt(store, "wang", p, f"198.51.100.{i}")
                          for i, p in enumerate(passwords)])

    # at most five wrong passwords checked (and the right one, which frees its place once checked)
    assert verifier.calls.count(False) <= auth.LOGIN_PER_USER.limit, outcomes
    assert len(verifier.calls) <= auth.LOGIN_PER_USER.limit + verifier.calls.count(True) <= 6
    assert all(o in ("refused", "locked") for i, o in enumerate(outcomes) if i != right_at)
    assert outcomes.count("refused") <= auth.LOGIN_PER_USER.limit
    # whether or not the right password was among the ones checked, the wrong ones keep the name locked
    with pytest.raises(RateLimited):
        authenticate(store, "wang", PW, source="203.0.113.77")


def test_a_success_does_not_erase_failures_that_arrive_while_it_is_checked(store, monkeypatch):
    create_user(store, "wang", PW, "optimizer")
    real = auth.verify_password
    inside, release = threading.Event(), threading.Event()

    def verifier(password, encoded):
        if password == PW:  # the owner's sign-in: hold it while the guesses arrive
            inside.set()
            assert release.wait(30)
        return real(password, encoded)

    monkeypatch.setattr(auth, "verify_password", verifier)
    owner: list = []
    t = threading.Thread(target=lambda: owner.append(_attempt(store, "wang", PW, "192.0.2.1")))
    t.start()
    assert inside.wait(30)
    guesses = [_attempt(store, "wang", WRONG, f"198.51.100.{i}") for i in range(4)]
    release.set()
    t.join(30)
    assert owner == ["signed in"] and guesses == ["refused"] * 4
    # the owner's success cleared nothing of the four guesses made meanwhile: one more locks the name
    assert _attempt(store, "wang", WRONG, "198.51.100.9") == "refused"
    with pytest.raises(RateLimited):
        authenticate(store, "wang", PW, source="192.0.2.1")


def test_a_success_still_clears_the_failures_before_it(store):
    create_user(store, "wang", PW, "optimizer")
    for _ in range(4):
        assert authenticate(store, "wang", WRONG) is None
    assert authenticate(store, "wang", PW) is not None
    for _ in range(4):
        assert authenticate(store, "wang", WRONG) is None
    assert authenticate(store, "wang", PW) is not None


def test_parallel_guesses_from_one_address_check_at_most_its_limit(store, monkeypatch):
    create_user(store, "wang", PW, "optimizer")
    verifier = CountingVerifier()
    monkeypatch.setattr(auth, "verify_password", verifier)
    limit = auth.LOGIN_PER_SOURCE.limit
    outcomes = _together([lambda i=i: _attempt(store, f"name{i}", WRONG, "203.0.113.9") for i in range(limit + 6)])
    assert len(verifier.calls) <= limit and not any(verifier.calls), outcomes
    assert outcomes.count("refused") <= limit
    with pytest.raises(RateLimited):
        authenticate(store, "wang", PW, source="203.0.113.9")  # the address is locked
    assert authenticate(store, "wang", PW, source="198.51.100.1") is not None  # the name is not


def test_a_reservation_left_by_a_crashed_server_ends_with_the_window(store, clock):
    create_user(store, "wang", PW, "optimizer")
    policy = auth.LOGIN_PER_USER
    for _ in range(policy.limit):  # five checks begun and never finished (the server was killed)
        assert isinstance(store.throttle_reserve([auth._limit(policy, "wang")]), ThrottleTicket)
    with pytest.raises(RateLimited):
        authenticate(store, "wang", PW)
    clock.advance(minutes=15, seconds=1)
    assert authenticate(store, "wang", PW) is not None


# ---------------------------------------------------------------- two server processes

def _server(url, data_dir, tag, passwords, barrier, results) -> None:
    """One server process: its own Store on the shared database, one thread per attempt."""
    auth.SCRYPT_N = 2 ** 10
    verifier = CountingVerifier()
    auth.verify_password = verifier
    store = Store.open(url, data_dir)
    out: list = [None] * len(passwords)

    def run(i, password):
        barrier.wait(60)
        out[i] = _attempt(store, "wang", password, f"198.51.{tag}.{i}")

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(passwords)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    store.close()
    results.put((verifier.calls, out))


def test_two_server_processes_share_one_limit(db):
    with Store.open(db.url, db.data_dir) as setup:  # the real clock, as the servers use
        create_user(setup, "wang", PW, "optimizer")
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(12)
    results = ctx.Queue()
    batches = [[PW] + [WRONG] * 5, [WRONG] * 6]
    procs = [ctx.Process(target=_server, args=(db.url, str(db.data_dir), n, b, barrier, results))
             for n, b in enumerate(batches)]
    for p in procs:
        p.start()
    got = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    checks = [ok for calls, _ in got for ok in calls]
    outcomes = [o for _, out in got for o in out]
    assert checks.count(False) <= auth.LOGIN_PER_USER.limit, got
    assert len(checks) <= auth.LOGIN_PER_USER.limit + checks.count(True) <= 6
    assert outcomes.count("signed in") <= 1 and outcomes.count("refused") <= auth.LOGIN_PER_USER.limit
    with Store.open(db.url, db.data_dir) as after, pytest.raises(RateLimited):
        authenticate(after, "wang", PW, source="203.0.113.77")


# ---------------------------------------------------------------- share links

def test_parallel_wrong_share_tokens_are_looked_up_at_most_the_limit(store, monkeypatch):
    owner = create_user(store, "wang", PW, "optimizer")
    ws = auth.Access(store, owner).create_workspace("北京安心开锁")
    _, token = create_share(store, owner, ws.id)
    looked_up: list[bool] = []
    lock = threading.Lock()
    real = store.share_link_by_hash

    def lookup(h, conn=None):
        time.sleep(0.05)
        link = real(h, conn)
        with lock:
            looked_up.append(link is not None)
        return link

    monkeypatch.setattr(store, "share_link_by_hash", lookup)
    limit = auth.SHARE_PER_SOURCE.limit
    tokens = [auth.new_token() for _ in range(limit + 5)] + [token]

    def opening(t):
        try:
            open_share(store, t, source="203.0.113.5")
            return "opened"
        except RateLimited:
            return "locked"
        except ShareRefused as exc:
            return exc.reason

    outcomes = _together([lambda t=t: opening(t) for t in tokens])
    # at most ten unknown tokens looked up (and the right one, which frees its place once looked up)
    assert looked_up.count(False) <= limit, outcomes
    assert len(looked_up) <= limit + looked_up.count(True) <= limit + 1
    assert outcomes.count("unknown") <= limit
    with pytest.raises(RateLimited):
        open_share(store, token, source="203.0.113.5")  # the address is locked, even for the right link
    assert open_share(store, token, source="198.51.100.2").workspace_id == ws.id
