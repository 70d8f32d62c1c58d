"""The user's mistakes the pages refuse (a workspace's name, a member's username, a
change note, a bundle map, a damaged record) are told in the interface's language,
never as the English text of an exception or the system's own text; and no page
shows an exception's text as it is."""
from __future__ import annotations

import re
from datetime import date

import pytest

import tests.apptest  # noqa: F401 - every run goes through app.py
import ui
from optimizer.store import auth
from optimizer.errors import InvalidInput
from optimizer.store.database import Store, audits_t
from tests.apptest import app_test
from tests.conftest import ROOT

PASSWORD = "correct horse battery"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(ui, "DATA_DIR", tmp_path)
    return tmp_path


@pytest.fixture
def store(data_dir):
    with Store.open(None, data_dir) as s:
        ui.seed_sample(s)
        yield s


@pytest.fixture(autouse=True)
def language_outside_a_run(request, monkeypatch):
    """AppTest formats a select box's value with the page's format_func after the run,
    where the session's language cannot be read (it would be Chinese): there, the
    test's language."""
    import streamlit as st
    lang = request.node.callspec.params.get("lang", "zh") if hasattr(request.node, "callspec") else "zh"
    monkeypatch.setattr(ui, "lang", lambda: st.session_state.get(ui.K_LANG, lang))


def open_page(page: str, lang: str):
    at = app_test()
    if lang != "zh":
        at.query_params["lang"] = lang  # opened in English, as a link with &lang=en does
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def errors(at) -> list[str]:
    return [e.value for e in at.error]


def assert_in_language(messages: list[str], lang: str, *, has: str, own: str = "") -> None:
    """One message, holding ``has``, in ``lang``: Chinese text and no English sentence
    in the Chinese UI; no Chinese in the English UI beyond the user's own text
    (``has``, and ``own``: what the user typed or uploaded)."""
    assert len(messages) == 1, messages
    text = messages[0]
    assert has in text, text
    if lang == "zh":
        assert CJK.search(text.replace(has, "")), text
        assert not re.search(r"\b(a|the|is|has|needs|named|already|exists|no|row|not)\b", text), text
    else:
        rest = text.replace(has, "")
        for word in sorted(set(re.findall(r"[\u4e00-\u9fff]+", own)), key=len, reverse=True):
            rest = rest.replace(word, "")
        assert not CJK.search(rest), text


# ------------------------------------------------------------------ workspaces

def _create(at, name: str):
    at.text_input(key="ws_new_name").input(name)
    next(b for b in at.button if b.label in ("新建工作区", "Create workspace")).click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang, name, has", [
    ("zh", "   ", "名称"), ("en", "   ", "name"),
    ("zh", "长" * 201, "200"), ("en", "x" * 201, "200"),
    ("zh", ui.SAMPLE_WORKSPACE, ui.SAMPLE_WORKSPACE), ("en", ui.SAMPLE_WORKSPACE, ui.SAMPLE_WORKSPACE),
])
def test_a_workspace_name_refused_is_told_in_the_language(store, lang, name, has):
    at = _create(open_page("pages/workspaces.py", lang), name)
    assert_in_language(errors(at), lang, has=has)
    assert [w.name for w in store.list_workspaces()] == [ui.SAMPLE_WORKSPACE]


@pytest.mark.parametrize("lang, who", [("zh", "nobody"), ("en", "nobody"), ("zh", "王 老板!"), ("en", "王 老板!")])
def test_granting_an_unknown_or_impossible_username_is_told_in_the_language(store, lang, who):
    auth.create_user(store, "boss", PASSWORD, "admin")
    at = app_test()
    if lang != "zh":
        at.query_params["lang"] = lang
    at.run()
    at.text_input(key="signin_name").input("boss")
    at.text_input(key="signin_password").input(PASSWORD)
    next(b for b in at.button if b.label in ("登录", "Sign in")).click().run()
    at.switch_page("pages/workspaces.py").run()
    at.text_input(key="ws_member_name").input(who)
    at.button(key="ws_member_add").click().run()
    assert not at.exception, at.exception
    assert_in_language(errors(at), lang, has="nobody" if who == "nobody" else "", own=who)
    ws = store.workspace_by_name(ui.SAMPLE_WORKSPACE)
    assert not store.get_workspace(ws.id).member_ids


# ------------------------------------------------------------------ change notes

@pytest.mark.parametrize("lang, text, has", [("zh", "  ", "记录"), ("en", "  ", "note"),
                                             ("zh", "改" * 4001, "4000"), ("en", "x" * 4001, "4000")])
def test_a_change_note_refused_is_told_in_the_language(store, lang, text, has):
    # the sample holds two accounts, so the page first asks which one a note is about (said in the
    # language); the store's own refusals of the text are told in both languages in tests/test_store.py
    at = open_page("pages/share.py", lang)
    at.text_area(key="note_text").input(text)
    next(b for b in at.button if b.label in ("添加记录", "Add note")).click().run()
    assert not at.exception, at.exception
    assert_in_language(errors(at), lang, has="账户" if lang == "zh" else "account")
    assert store.notes(store.workspace_by_name(ui.SAMPLE_WORKSPACE).id) == []
    with pytest.raises(InvalidInput) as e:
        store.add_note(store.workspace_by_name(ui.SAMPLE_WORKSPACE).id, date.today(), text)
    assert has in e.value.message(lang)


# ------------------------------------------------------------------ bundle maps

# every error of a bundle map in both languages: tests/test_targets.py; here, that the pages show them
BAD_MAPS = [
    ("no_columns.csv", "计划ID,包名\n1,2\n".encode(), "no_columns.csv"),
    ("twice.csv", "推广计划,投放包\n开锁,包1\n开锁,包2\n".encode(), "包2"),
    ("amount.csv", "推广计划,投放包,目标转化成本\n开锁,包1,八十\n".encode(), "八十"),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page, key", [("pages/drift.py", "dr_map"), ("pages/bundles.py", "bd_map")])
@pytest.mark.parametrize("name, data, has", BAD_MAPS, ids=[m[0] for m in BAD_MAPS])
def test_a_bad_bundle_map_upload_is_told_in_the_language(store, page, key, lang, name, data, has):
    at = open_page(page, lang)
    before = _bundle_maps(store)
    at.file_uploader(key=key).set_value([(name, data, "text/csv")]).run()
    assert not at.exception, at.exception
    shown = [m for m in errors(at) if name in m]
    # the English text may quote the file and the Chinese headers and values it accepts
    assert_in_language(shown, lang, has=has, own=data.decode("utf-8", "replace") + " 推广计划 投放包 是 否")
    assert _bundle_maps(store) == before  # the map in use is unchanged


def _bundle_maps(store: Store) -> list:
    from optimizer.model import dataset
    ws = store.workspace_by_name(ui.SAMPLE_WORKSPACE)
    accts = dataset.accounts(store.workspace_table(ws.id).table)
    return [store.bundle_decision(ws.id, ui.account_key(a)) for _, a in accts.iterrows()]


# ------------------------------------------------------------------ a damaged record

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_damaged_page_audits_are_told_in_the_language_and_the_page_still_shows(store, lang):
    from optimizer.model import dataset
    ws = store.workspace_by_name(ui.SAMPLE_WORKSPACE)
    acct = dataset.accounts(store.workspace_table(ws.id).table).iloc[0]
    with store.engine.begin() as conn:
        conn.execute(audits_t.insert().values(workspace_id=ws.id, account_key=ui.account_key(acct),
                                              page="https://m.example.com/", audited_at=store.now(),
                                              audit_json="{not json"))
    at = open_page("pages/landing.py", lang)
    shown = errors(at)
    assert len(shown) == 1 and "Expecting" not in shown[0] and "char" not in shown[0], shown
    assert_in_language(shown, lang, has="")
    assert at.dataframe  # audited afresh: the pages are listed


# ------------------------------------------------------------------ the guard

_SHOWN_RAW = re.compile(r"str\(\s*(exc|err|e|error)\s*\)|\{(exc|err|e|error)(![rs])?\}|repr\(\s*(exc|err|e|error)\s*\)"
                        r"|\b(exc|err|error)\.args\b")


def test_no_page_shows_the_text_of_an_exception_as_it_is():
    """A page shows ``err.message(lang)`` of an error raised in optimizer/, never
    ``str(exc)``, ``f"{exc}"`` or ``repr(exc)``: that is English (or the system's own
    text) in the Chinese interface."""
    found = []
    for path in [*sorted((ROOT / "pages").glob("*.py")), ROOT / "ui.py", ROOT / "app.py"]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _SHOWN_RAW.search(line.split("#", 1)[0]):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


def test_the_guard_finds_what_it_looks_for():
    assert _SHOWN_RAW.search('st.error(str(exc), icon=":material/error:")')
    assert _SHOWN_RAW.search('st.warning(f"could not: {exc}")')
    assert _SHOWN_RAW.search("st.error(ui.t('x', error=repr(err)))")
    assert not _SHOWN_RAW.search("st.error(err.message(lang))")
