"""The pages where advertisers are kept apart: the Upload page asks which account a file
that names none belongs to, and the Share page lets the optimizer choose the accounts a
client's link shows (and says again when an export of another client is in the workspace)."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import tests.apptest  # noqa: F401 - every run goes through app.py, as on the server

import ui
from optimizer import dataset
from optimizer.store import Store
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
