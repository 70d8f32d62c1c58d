"""Deleting uploads on the Upload page: nothing is deleted that the user did not tick,
deleting every file of a workspace asks for its name (as deleting the workspace does),
and before anything goes the page says what will be lost: files, rows, days,
accounts, and what is kept for an account that disappears."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import tests.apptest  # noqa: F401 - every run goes through app.py, as on the server

import ui
from optimizer.model import dataset
from optimizer.store.database import Store
from tests.conftest import FIXTURES, ROOT

BAIDU = FIXTURES / "baidu_keyword_daily_gbk.csv"      # 11 rows, one Baidu account
GOOGLE = FIXTURES / "google_keyword_utf8_daily.csv"   # another platform, another account


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(ui, "DATA_DIR", tmp_path)
    return tmp_path


def _table(at: AppTest):
    with Store.open(None, ui.DATA_DIR) as s:
        return s.workspace_table(at.session_state[ui.K_CTX].ws.id)


def _two_files() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/upload.py").run()
    files = [(p.name, p.read_bytes(), "text/csv") for p in (BAIDU, GOOGLE)]
    at.file_uploader(key="upload_files").set_value(files).run()
    at.run()
    assert not at.exception, at.exception
    assert len(_table(at).uploads) == 2
    return at


def test_nothing_is_deleted_until_files_are_ticked():
    at = _two_files()
    box = at.multiselect(key="upload_delete_pick")
    assert box.value == []
    assert at.button(key="upload_clear").disabled  # a browser cannot press it
    assert len(_table(at).uploads) == 2
    assert "不选 = 全部" not in (box.placeholder or "")


def test_ticking_one_file_shows_what_goes_and_deletes_only_it():
    at = _two_files()
    ids = {u.file_name: u.id for u in _table(at).uploads}
    before = _table(at).table
    at.multiselect(key="upload_delete_pick").set_value([ids[BAIDU.name]]).run()
    assert not at.exception, at.exception
    # what will be lost, from the data: rows, days, the account that disappears
    baidu = dataset.accounts(before).query("platform == 'baidu'").iloc[0]
    lost = "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])
    assert "1 个文件" in lost and f"{int(baidu['rows']):,} 行" in lost
    days = before.loc[before["platform"] == "baidu", "date"].dropna().dt.normalize().nunique()
    assert f"{days} 天" in lost
    assert baidu["account"] in lost and "整个账户" in lost
    assert not any(t.key == "upload_delete_name" for t in at.text_input)  # one file of two: no name asked
    assert not at.button(key="upload_clear").disabled
    at.button(key="upload_clear").click().run()
    assert not at.exception, at.exception
    assert [u.file_name for u in _table(at).uploads] == [GOOGLE.name]


def test_deleting_every_file_asks_for_the_workspace_name():
    at = _two_files()
    ws = at.session_state[ui.K_CTX].ws
    ids = [u.id for u in _table(at).uploads]
    at.multiselect(key="upload_delete_pick").set_value(ids).run()
    name = at.text_input(key="upload_delete_name")
    assert ws.name in name.label
    assert at.button(key="upload_clear").disabled
    at.text_input(key="upload_delete_name").input(ws.name + "x").run()
    assert at.button(key="upload_clear").disabled
    assert len(_table(at).uploads) == 2
    at.text_input(key="upload_delete_name").input(ws.name).run()
    assert not at.button(key="upload_clear").disabled
    at.button(key="upload_clear").click().run()
    assert not at.exception, at.exception
    assert len(_table(at).uploads) == 0


def test_a_file_without_daily_rows_is_said_to_have_no_days_not_0_days():
    total = ("数据生成时间：2026-11-15 09:12\n数据生成条件：\n1. 时间范围：20261001-20261114\n2. 时间单位：合计\n\n"
             "账户,推广计划,推广单元,关键词,搜索词,展现,点击,消费,转化\n"
             + "".join(f"北京快捷开锁,开锁-核心词,上门开锁,上门开锁,搜索词{i},{100 + i},{10 + i},{30 + i}.50,1\n"
                       for i in range(7))).encode("gbk")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/upload.py").run()
    files = [("search_terms_total.csv", total, "text/csv"), (GOOGLE.name, GOOGLE.read_bytes(), "text/csv")]
    at.file_uploader(key="upload_files").set_value(files).run()
    at.run()
    assert not at.exception, at.exception
    ids = {u.file_name: u.id for u in _table(at).uploads}
    at.multiselect(key="upload_delete_pick").set_value([ids["search_terms_total.csv"]]).run()
    assert not at.exception, at.exception
    lost = "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])
    assert "7 行" in lost and "0 天" not in lost and "没有按天" in lost, lost
