"""The account model: each piece computed once per data version, kept, never stale."""
from __future__ import annotations

import os
from collections import Counter
import pickle
import threading
import time
import zlib

import pandas as pd
import pytest

from optimizer.analysis.account import AccountModel, frame_key
from optimizer.analysis.results import CODE_VERSION, Results, UnsafePayload, decode, encode, result_key
from optimizer.analysis.summary import analyze_account
from optimizer.drift.alerts import AlertSettings
from optimizer.keywords.lexicon import LexiconEdits
from optimizer.keywords.stages import Classifier, keyword_performance
from optimizer.model.dataset import accounts, for_account, load_exports
from tests.conftest import SAMPLE


class MemoryStore:
    """A results table in a dict (the database's is tested in tests/test_store.py)."""

    def __init__(self) -> None:
        self.rows: dict[tuple, bytes] = {}

    def result(self, ws, account, piece, key):
        return self.rows.get((ws, account, piece, key))

    def put_result(self, ws, account, piece, key, payload):
        self.rows.setdefault((ws, account, piece, key), payload)

    def drop_results(self, ws, account=None):
        gone = [k for k in self.rows if k[0] == ws and (account is None or k[1] == account)]
        for k in gone:
            del self.rows[k]
        return len(gone)


@pytest.fixture(scope="module")
def baidu() -> pd.DataFrame:
    table = load_exports([SAMPLE / "baidu_keyword_report.csv", SAMPLE / "baidu_search_term_report.csv"])
    a = accounts(table).iloc[0]
    return for_account(table, a["platform"], a["account"], a["currency"])


def model_of(rows, results, version=(1,)) -> AccountModel:
    return AccountModel(7, "baidu:北京安心开锁:CNY", version, lambda: rows, results)


def test_a_piece_is_computed_once_and_equal_to_computing_it_directly(baidu):
    res = Results()
    m = model_of(baidu, res)
    clf = Classifier("locksmith")
    first = m.keywords(clf)
    assert m.keywords(clf) is first
    assert res.counts["computed"] == 2  # the rows, then the labels
    pd.testing.assert_frame_equal(first, keyword_performance(baidu, clf))


def test_a_lexicon_edit_asks_for_new_labels_and_a_drift_setting_only_for_a_new_scan(baidu):
    res = Results()
    m = model_of(baidu, res)
    clf = Classifier("locksmith")
    m.keywords(clf)
    m.drift(clf)
    computed = res.counts["computed"]
    edited = Classifier("locksmith", {"zh": LexiconEdits(added={"stage:price": ["开锁"]})})
    assert edited.fingerprint != clf.fingerprint
    m.keywords(edited)
    assert res.counts["computed"] == computed + 1
    m.drift(clf, AlertSettings(alpha=0.10))
    assert res.counts["computed"] == computed + 2  # the scan only: labels and rows are kept
    m.keywords(clf)
    assert res.counts["computed"] == computed + 2


def test_another_data_version_is_another_result(baidu):
    res = Results()
    clf = Classifier("locksmith")
    a = model_of(baidu, res, (1,)).keywords(clf)
    b = model_of(baidu.iloc[: len(baidu) // 2], res, (1, 2)).keywords(clf)
    assert len(b) != len(a) or not b.equals(a)


def test_kept_results_outlive_the_process_memory(baidu):
    store = MemoryStore()
    clf = Classifier("locksmith")
    first = model_of(baidu, Results(store)).keywords(clf)
    fresh = Results(store)  # a restart, or a second server over the same database
    again = model_of(baidu, fresh).keywords(clf)
    assert fresh.counts == {"memory": 0, "stored": 1, "computed": 0}
    pd.testing.assert_frame_equal(again, first)


def test_two_threads_asking_for_the_same_missing_piece_compute_it_once():
    res = Results()
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.3)
        return pd.DataFrame({"x": [1]})

    out = []
    threads = [threading.Thread(target=lambda: out.append(res.get(1, "a", "p", (1,), slow))) for _ in range(5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(calls) == 1 and len(out) == 5 and all(o is out[0] for o in out)


def test_a_failed_computation_is_not_kept_and_the_next_asks_again():
    res = Results()

    def boom():
        raise RuntimeError("no")
    with pytest.raises(RuntimeError):
        res.get(1, "a", "p", (1,), boom)
    assert res.get(1, "a", "p", (1,), lambda: 5) == 5


def test_memory_keeps_the_most_recently_used():
    res = Results(memory_items=2)
    for i in range(3):
        res.get(None, "a", "p", (i,), lambda i=i: i)
    assert res.counts["computed"] == 3
    res.get(None, "a", "p", (2,), lambda: -1)
    res.get(None, "a", "p", (0,), lambda: -1)  # pushed out: computed again
    assert res.counts["computed"] == 4


def test_the_key_holds_the_code_version_and_the_inputs():
    assert result_key("p", (1,)) != result_key("p", (2,)) != result_key("q", (2,))
    assert len(CODE_VERSION) == 16


def test_a_payload_round_trips_frames_and_report_objects(baidu):
    rep = model_of(baidu, Results()).drift(Classifier("locksmith"))
    back = decode(encode(rep))
    pd.testing.assert_frame_equal(back.results, rep.results)
    assert back.daily_spend == rep.daily_spend


@pytest.mark.parametrize("target", [(os, "system"), (eval, None), (pickle, "loads")])
def test_a_payload_that_would_call_anything_else_is_refused(target):
    class Evil:
        def __reduce__(self):
            fn = target[0] if target[1] is None else getattr(*target)
            return fn, ("echo unsafe",)
    payload = zlib.compress(pickle.dumps(Evil(), protocol=5), 1)
    with pytest.raises(UnsafePayload):
        decode(payload)


def test_an_unreadable_kept_result_is_computed_again(baidu):
    store = MemoryStore()
    res = Results(store)
    res.get(1, "a", "p", (1,), lambda: 1)
    key = next(iter(store.rows))
    store.rows[key] = b"damaged"
    assert Results(store).get(1, "a", "p", (1,), lambda: 2) == 2
    assert decode(store.rows[key]) == 2  # replaced by the result made afresh


def test_the_whole_analysis_reads_the_pieces_the_pages_made(baidu):
    res = Results()
    m = model_of(baidu, res)
    clf = Classifier("locksmith")
    m.keywords(clf), m.search_terms(clf), m.evidence(clf)
    made = dict(res.computed)
    a = analyze_account(baidu, clf=clf, model=m)
    b = analyze_account(baidu, clf=clf)  # on its own, as the command line runs it
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.keywords, b.keywords)
    # labels, search terms and the evidence window were read, not made again
    assert all(res.computed[p] == made[p] == 1 for p in ("rows", "keywords", "search_terms", "window", "evidence"))
    assert {"drift", "drift_table", "proposal", "landing"} <= set(res.computed)


def test_frame_key_follows_the_content(baidu):
    assert frame_key(baidu) == frame_key(baidu.copy())
    assert frame_key(baidu) != frame_key(baidu.iloc[1:])
    assert frame_key(None) is None


# ---------------------------------------------------------------- through the pages

def _pages_test_setup(tmp_path, monkeypatch):
    import ui
    monkeypatch.setattr(ui, "DATA_DIR", tmp_path)
    return ui


def _stage(at, keyword: str) -> list[str]:
    kw = next(d.value for d in at.dataframe if "cues" in d.value.columns and "keyword" in d.value.columns)
    return kw.loc[kw["keyword"] == keyword, "stage"].tolist()


def _open(page: str, ws_id: int | None = None):
    from tests.apptest import app_test
    import ui
    at = app_test()
    if ws_id is not None:
        at.session_state[ui.K_WS_NEXT] = ws_id
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _workspace_with_sample(data_dir) -> tuple[int, str]:
    from optimizer.store.database import Store
    with Store.open(None, data_dir) as s:
        ws = s.create_workspace("安心开锁")
        for name in ("baidu_keyword_report.csv", "baidu_search_term_report.csv", "baidu_plan_report.csv"):
            s.add_upload(ws.id, name, (SAMPLE / name).read_bytes())
        return ws.id, "baidu:北京安心开锁:CNY"


def test_a_lexicon_edit_elsewhere_is_shown_on_reload_never_the_kept_labels(tmp_path, monkeypatch):
    ui = _pages_test_setup(tmp_path, monkeypatch)
    from optimizer.store.database import Store
    ws_id, key = _workspace_with_sample(tmp_path)
    first = _open("pages/keywords.py", ws_id)
    assert _stage(first, "换锁师傅") == ["核心词"]
    with Store.open(None, tmp_path) as s:  # another optimizer, on another server, edits the lexicon
        s.set_lexicon_settings(ws_id, key, language="zh", edits_json=LexiconEdits(added={"stage:phone": ["师傅"]}).to_json())
    first.run()  # the first optimizer reloads
    assert not first.exception, first.exception
    assert _stage(first, "换锁师傅") == ["电话词"]


def test_a_restart_reads_the_kept_pieces_instead_of_computing(tmp_path, monkeypatch):
    ui = _pages_test_setup(tmp_path, monkeypatch)
    ws_id, _ = _workspace_with_sample(tmp_path)
    _open("pages/keywords.py", ws_id)
    ui._results.clear()  # the server restarts: its memory is gone, the database stays
    _open("pages/keywords.py", ws_id)
    counts = ui.results().counts
    assert counts["computed"] == 0 and counts["stored"] >= 4, counts


def test_after_the_background_preparation_no_page_computes(tmp_path, monkeypatch):
    ui = _pages_test_setup(tmp_path, monkeypatch)
    ws_id, _ = _workspace_with_sample(tmp_path)
    _open("pages/upload.py", ws_id)  # the Upload page starts preparing the workspace's accounts
    deadline = time.time() + 120
    while not (status := ui.jobs().status(ws_id)).finished and time.time() < deadline:
        time.sleep(0.2)
    assert status.finished and status.error is None and status.done == status.total, status
    before, pieces = dict(ui.results().counts), dict(ui.results().computed)
    for page in ("pages/overview.py", "pages/keywords.py", "pages/bundles.py", "pages/bids.py", "pages/drift.py",
                 "pages/landing.py", "pages/client.py"):
        _open(page, ws_id)
    assert ui.results().counts["computed"] == before["computed"], (ui.results().computed - Counter(pieces))


def test_one_failing_account_does_not_stop_the_workspaces_other_accounts_from_being_prepared(baidu):
    from optimizer.analysis.prepare import AccountInputs, Jobs
    loaded = []

    def broken() -> pd.DataFrame:
        raise ValueError("damaged upload")

    def good() -> pd.DataFrame:
        loaded.append(1)
        return baidu

    res = Results()

    def inputs(key, load):
        return AccountInputs(model=AccountModel(None, key, ("v",), load, res), account=("baidu", key, "CNY"),
                             saved_vertical=None, edits={}, sheet=None, currency="CNY", days=None,
                             landing_inputs=lambda: (None, None, {}, {}))
    status = Jobs().start(1, ("v",), [inputs("bad", broken), inputs("good", good)])
    deadline = time.time() + 600
    while not status.finished and time.time() < deadline:
        time.sleep(0.2)
    assert status.finished and status.error == "ValueError: damaged upload"
    assert loaded and status.done == status.total  # the second account prepared; both counted
