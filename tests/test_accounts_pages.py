"""The pages where advertisers are kept apart: the Upload page asks which account a file
that names none belongs to, and the Share page lets the optimizer choose the accounts a
client's link shows (and says again when an export of another client is in the workspace)."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import tests.apptest  # noqa: F401 - every run goes through app.py, as on the server

import ui
from optimizer.model import dataset
from optimizer.store.database import Store
from tests.conftest import ROOT
from tests.test_recency import FLORIST, TOWING, TOWING_TERMS


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(ui, "DATA_DIR", tmp_path)
    return tmp_path


def start(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, *files: tuple[str, bytes]) -> None:
    at.file_uploader(key="upload_files").set_value([(n, b, "text/csv") for n, b in files]).run()
    assert not at.exception, at.exception


def stored(at: AppTest):
    with Store.open(None, ui.DATA_DIR) as s:
        ws = at.session_state[ui.K_CTX].ws
        return s.workspace_table(ws.id), s.list_uploads(ws.id)


def test_upload_asks_which_account_a_nameless_file_belongs_to():
    at = start("pages/upload.py")
    upload(at, ("towing.csv", TOWING))  # the first Google file: nothing to ask
    assert not [r for r in at.radio if r.label == "这个文件属于"]
    upload(at, ("towing.csv", TOWING), ("florist.csv", FLORIST), ("terms.csv", TOWING_TERMS))
    asks = [r for r in at.radio if r.label == "这个文件属于"]
    assert len(asks) == 2  # the florist's keyword report and the towing search terms
    florist, terms = asks
    # no campaign in common: a new account, named by the file until the optimizer names it
    assert florist.value == len(florist.options) - 1 and "新账户" in florist.options[-1]
    # the search terms share every campaign with the towing account already stored
    assert terms.value == 0 and "100%" in terms.options[0]
    # nothing is stored until the optimizer answers
    assert [u.file_name for u in stored(at)[1]] == ["towing.csv"]
    name = next(t for t in at.text_input if t.label == "新账户的名称" and t.value == "florist")
    name.input("花好月圆鲜花")
    next(b for b in at.button if b.label == "保存这个文件" and florist.key.split("_")[-1] in (b.key or "")).click()
    at.run()
    assert not at.exception, at.exception
    wt, uploads = stored(at)
    assert [(u.file_name, u.account_name) for u in uploads] == [("towing.csv", None), ("florist.csv", "花好月圆鲜花")]
    assert sorted(dataset.accounts(wt.table)["account"]) == ["", "花好月圆鲜花"]
    assert any("记在账户“花好月圆鲜花”下" in c.value for c in at.caption)


def test_share_link_needs_the_accounts_chosen_when_the_workspace_holds_several():
    at = start("pages/upload.py")
    upload(at, ("towing.csv", TOWING))
    upload(at, ("towing.csv", TOWING), ("florist.csv", FLORIST))
    next(b for b in at.button if b.label == "保存这个文件").click()
    at.run()
    at.switch_page("pages/share.py").run()
    assert not at.exception, at.exception
    pick = at.multiselect(key="share_accounts")
    assert len(pick.options) == 2 and pick.value == []  # never all by default
    next(b for b in at.button if "生成链接" in b.label).click().run()
    assert any("至少选择一个" in e.value for e in at.error) and not at.code
    at.multiselect(key="share_accounts").select(next(o for o in pick.options if "florist" in o))
    next(b for b in at.button if "生成链接" in b.label).click().run()
    assert not at.exception, at.exception
    link = at.code[0].value
    token = link.split("share=")[1]
    # the client's view holds the florist's rows only
    client = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    client.query_params["share"] = token
    client.run()
    assert not client.exception, client.exception
    assert not client.selectbox  # one account: nothing to pick, and no other account's name anywhere
    text = " ".join(m.value for m in [*client.markdown, *client.caption, *client.title])
    assert "Towing" not in text
    table = client.session_state[ui.K_CTX].access.table(client.session_state[ui.K_CTX].ws.id).table
    assert set(table["source_file"].astype(str)) == {"florist.csv"}


def test_a_thin_account_is_told_too_little_data_not_all_clear():
    at = start("pages/upload.py")
    upload(at, ("florist.csv", FLORIST))  # three days of one keyword: no series can be tested
    at.switch_page("pages/drift.py").run()
    assert not at.exception, at.exception
    assert not any("没有发现显著的成本变化" in s.value for s in at.success)
    assert any("数据不足，无法判断成本是否变化" in w.value and "不是“一切正常”" in w.value for w in at.warning)


SAME = "Search keyword report.csv"  # Google names every keyword download so
FLORIST_LABEL = "Google Ads · Rose Petal Florist · USD"


def two_same_named_files() -> AppTest:
    """A towing export and a florist's, both called as Google calls them, the florist's
    saved as the new account "Rose Petal Florist", in one new workspace."""
    at = start("pages/upload.py")
    upload(at, (SAME, TOWING))
    upload(at, (SAME, FLORIST))
    next(t for t in at.text_input if t.label == "新账户的名称").input("Rose Petal Florist")
    next(b for b in at.button if b.label == "保存这个文件").click()
    at.run()
    assert not at.exception, at.exception
    assert [u.account_name for u in stored(at)[1]] == [None, "Rose Petal Florist"]
    return at


def test_same_named_files_are_told_apart_by_the_name_messages_use_and_their_account():
    at = two_same_named_files()
    summary, files = (d.value for d in at.dataframe)  # 已识别的文件, then the stored files
    assert list(summary["file"]) == [SAME, "Search keyword report (2).csv"]
    assert list(files["file"]) == [SAME, "Search keyword report (2).csv"]
    assert list(files["account"]) == ["未命名账户", "Rose Petal Florist"]
    assert any("Search keyword report (2).csv 记在账户“Rose Petal Florist”下" in c.value for c in at.caption)
    pick = at.multiselect(key="upload_delete_pick")
    assert len(set(pick.options)) == 2
    assert any("(2)" in o and "Rose Petal Florist" in o for o in pick.options)
    assert any("(2)" not in o and "未命名账户" in o for o in pick.options)


def test_after_deleting_files_the_message_says_how_many():
    at = two_same_named_files()
    ids = [u.id for u in stored(at)[1]]
    at.multiselect(key="upload_delete_pick").set_value(ids[1:]).run()
    at.button(key="upload_clear").click().run()
    assert not at.exception, at.exception
    assert len(stored(at)[1]) == 1
    toasts = [t.value for t in at.toast]
    assert any("1 个文件" in t for t in toasts), toasts


def _notes_form(at: AppTest, text: str, about: str | None) -> None:
    at.text_area(key="note_text").input(text)
    if about is not None:
        box = at.selectbox(key="note_account")
        box.select(next(o for o in box.options if about in o))
    next(b for b in at.button if "添加记录" in b.label).click().run()
    assert not at.exception, at.exception


def test_a_link_limited_to_an_account_is_titled_by_it_and_shows_only_its_notes():
    at = two_same_named_files()
    ws = at.session_state[ui.K_CTX].ws
    at.switch_page("pages/share.py").run()
    assert not at.exception, at.exception
    assert at.multiselect(key="share_accounts").proto.select_all == 0  # no English "Select all"
    # a note is about an account: none chosen by default, and one must be chosen
    assert at.selectbox(key="note_account").value is None
    _notes_form(at, "花店：加了否定词“免费”", None)
    assert any("哪个账户" in e.value for e in at.error)
    assert at.text_area(key="note_text").value == "花店：加了否定词“免费”"  # what was typed is kept
    with Store.open(None, ui.DATA_DIR) as s:
        assert s.notes(ws.id) == []
    _notes_form(at, "花店：加了否定词“免费”", "Rose Petal Florist")
    _notes_form(at, "拖车：提高了出价", "未命名账户")
    _notes_form(at, "统一调整了投放时段", "全部账户")
    with Store.open(None, ui.DATA_DIR) as s:
        about = {n.text: n.account for n in s.notes(ws.id)}
    assert about == {"花店：加了否定词“免费”": ("google_ads", "Rose Petal Florist", "USD"),
                     "拖车：提高了出价": ("google_ads", "", "USD"), "统一调整了投放时段": None}
    # the list says what each note is about
    listed = "\n".join(m.value for m in at.markdown)
    assert "Rose Petal Florist" in listed and "全部账户" in listed
    # a link for the florist
    at.multiselect(key="share_accounts").select(next(o for o in at.multiselect(key="share_accounts").options
                                                     if "Florist" in o))
    next(b for b in at.button if "生成链接" in b.label).click().run()
    token = at.code[0].value.split("share=")[1]
    client = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    client.query_params["share"] = token
    client.run()
    assert not client.exception, client.exception
    assert client.title[0].value == FLORIST_LABEL
    text = " ".join(m.value for m in [*client.markdown, *client.caption, *client.title, *client.subheader])
    assert ws.name not in text
    assert "花店" in text and "拖车" not in text and "统一调整" not in text
    # the optimizer previews what that link shows
    at.switch_page("pages/client.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == ws.name
    assert len([m for m in at.markdown if "拖车" in m.value or "花店" in m.value or "统一" in m.value]) == 3
    box = at.selectbox(key="client_preview_link")
    assert box.value is not None and "整个工作区" in box.format_func(box.value)  # chosen, not "Choose an option"
    box.select(next(o for o in box.options if "Florist" in o)).run()
    assert not at.exception, at.exception
    assert at.title[0].value == FLORIST_LABEL
    shown = " ".join(m.value for m in at.markdown)
    assert "花店" in shown and "拖车" not in shown and "统一调整" not in shown


def test_the_share_page_says_where_another_client_s_file_can_be_deleted():
    from tests.conftest import FIXTURES
    at = start("pages/upload.py")
    upload(at, *[(p.name, p.read_bytes()) for p in (FIXTURES / "baidu_keyword_daily_gbk.csv",
                                                  FIXTURES / "google_keyword_utf8_daily.csv")])
    assert any("在下面删除" in w.value for w in at.warning)  # on the Upload page, the delete is below
    at.switch_page("pages/share.py").run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning if "原来没有的账户" in w.value]
    assert warnings and all("在下面删除" not in w and "上传报告" in w for w in warnings), warnings
