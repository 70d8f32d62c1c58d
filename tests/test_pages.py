"""The pages, driven with Streamlit's AppTest: every page runs, the sample account is
labelled and its figures are right, uploads are summarised, bad files leave loaded
data untouched, unknown layouts can be mapped by hand and the mapping is reused."""
from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import tests.apptest  # noqa: F401 - every run goes through app.py, as on the server

import ui
from optimizer import i18n
from optimizer.model import dataset
from optimizer.bundles import targets
from optimizer.store.database import Store
from tests.conftest import FIXTURES, ROOT, SAMPLE, real

PAGES = ["pages/today.py", "pages/overview.py", "pages/keywords.py", "pages/bundles.py", "pages/bids.py",
         "pages/drift.py", "pages/landing.py", "pages/adcopy.py", "pages/changes.py", "pages/upload.py"]


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(ui, "DATA_DIR", tmp_path)
    return tmp_path


def table_of(at: AppTest):
    """The data of the workspace the session shows, read from the database."""
    with Store.open(None, ui.DATA_DIR) as s:
        return s.workspace_table(at.session_state[ui.K_CTX].ws.id).table


def start(page: str | None = None, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    if lang != "zh":
        at.radio(key="lang").set_value(lang).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(page):
    at = start(page)
    assert not at.exception
    assert at.title[0].value


_RAW_WORDS = {"None", "none", "nan", "NaN", "NaT", "unknown", "<NA>", "null"}


def _raw_cells(at: AppTest) -> list[str]:
    """Tables of the page showing a blank as Streamlit's "None" (no placeholder) or a
    cell holding a raw word (None, nan, unknown…) instead of the user's language."""
    found = []
    for d in at.dataframe:
        if d.proto.placeholder != "–":
            found.append(f"{d.key or list(d.value.columns)[:3]}: blanks shown as 'None'")
        for col in d.value.columns:
            values = d.value[col]
            if values.dtype == object or str(values.dtype) in ("string", "str", "category"):
                words = {str(v) for v in values if isinstance(v, str)} & _RAW_WORDS
                if words:
                    found.append(f"{d.key}/{col}: {sorted(words)}")
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_no_table_shows_none_nan_or_unknown(page, lang):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = lang  # opened straight in the language (see _english)
    at.switch_page(page).run()   # every tab of a page is drawn: all its tables are there
    if page == "pages/upload.py":
        _upload(at, FIXTURES / "baidu_keyword_daily_gbk.csv", FIXTURES / "google_campaign_excel.csv")
    assert not at.exception, at.exception
    assert at.dataframe
    assert not _raw_cells(at), _raw_cells(at)


@pytest.fixture
def downloads(monkeypatch):
    """The bytes behind a page's download buttons: AppTest keeps them in a media store
    that is gone once the run ends, so each store made is kept here."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import app_test as app_test_module
    stores = []

    class Kept(MemoryMediaFileStorage):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            stores.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Kept)

    def kept(button):
        name = button.proto.url.rsplit("/", 1)[-1]
        for store in reversed(stores):
            try:
                return store.get_file(name)
            except Exception:  # not in this run's store
                continue
        raise KeyError(button.key)

    def read(button) -> bytes:
        return bytes(kept(button).content)
    read.file_name = lambda button: kept(button).filename   # the name the browser saves it as
    return read


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", ["pages/keywords.py", "pages/bundles.py", "pages/drift.py"])
def test_every_csv_download_has_headers_in_the_language_and_rounded_numbers(page, lang, downloads):
    import re
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = lang
    at.switch_page(page).run()
    assert not at.exception, at.exception
    csvs = [b for b in at.download_button if b.proto.url.endswith(".csv")]
    assert csvs
    for b in csvs:
        frame = pd.read_csv(io.BytesIO(downloads(b)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert len(frame), b.key
        for h in frame.columns:
            assert not re.fullmatch(r"[a-z_0-9]+", h), (b.key, h)   # a code, not a header
            if lang == "en":
                assert not re.search(r"[\u4e00-\u9fff]", h), (b.key, h)
        long = [v for v in frame.to_numpy().ravel() if re.fullmatch(r"-?\d+\.\d{5,}", v)]
        assert not long, (b.key, long[:3])   # rates and changes to 4 decimals at most


def test_the_negative_keyword_csv_writes_cents_and_whole_counts_and_is_named_for_the_account(downloads):
    import re
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.switch_page("pages/keywords.py").run()
    assert not at.exception, at.exception
    button = at.download_button(key="kw_neg_download")
    frame = pd.read_csv(io.BytesIO(downloads(button)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(frame) and all(re.fullmatch(r"\d+\.\d\d", v) for v in frame["消费"]), frame["消费"].tolist()
    for col in ("点击", "展现", "转化"):
        assert all(re.fullmatch(r"\d+", v) for v in frame[col]), (col, frame[col].tolist())
    box = at.selectbox(key=next(s.key for s in at.selectbox if s.key and s.key.endswith("kw_account")))
    label = box.format_func(box.value)   # as the page shows the account
    assert downloads.file_name(button) == "negative_keywords_" + label.replace(" · ", "_") + ".csv"


def test_the_drift_csv_rounds_changes_to_4_decimals_and_days_to_1(downloads):
    import re
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.switch_page("pages/drift.py").run()
    assert not at.exception, at.exception
    button = next(b for b in at.download_button if b.proto.url.endswith(".csv"))
    frame = pd.read_csv(io.BytesIO(downloads(button)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(frame)
    assert all(re.fullmatch(r"-?\d+\.\d", v) for v in frame["相当于几天消费"] if v), frame["相当于几天消费"].tolist()
    for col in ("变化", "95% 区间下限", "95% 区间上限"):
        if col in frame.columns:
            assert all(re.fullmatch(r"-?\d+(\.\d{1,4})?", v) for v in frame[col] if v), (col, frame[col].tolist())


def _plan_report_spend() -> float:
    """Spend of the sample plan report, summed with the csv module (not the product's reader)."""
    text = (SAMPLE / "baidu_plan_report.csv").read_bytes().decode("gbk")
    lines = text.splitlines()
    start_at = next(i for i, ln in enumerate(lines) if ln.startswith("日期,"))
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[start_at:]))))
    return sum(float(r["消费"].replace(",", "")) for r in rows if r["日期"] != "合计")


def test_overview_shows_the_labelled_sample_with_right_spend():
    at = start()
    assert any("示例账户" in m.value for m in at.markdown)
    labels = at.selectbox(key="overview_account").options
    baidu = next(i for i, label in enumerate(labels) if label.startswith("百度营销 · "))
    at.selectbox(key="overview_account").set_value(baidu).run()
    spend = next(m for m in at.metric if m.label == "消费")
    assert spend.value == i18n.money(_plan_report_spend(), "CNY", 0)
    assert len(at.get("plotly_chart")) == 1
    # the line's axis has round ticks of its own (not ticks synced to the spend grid: 26.8, 53.6 ...)
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert fig["layout"]["yaxis2"]["tickmode"] == "auto" and not fig["layout"]["yaxis2"]["showgrid"]
    assert any("最后一天" in c.value for c in at.caption)  # Baidu's late conversions
    # rates shown with two decimals, rounded (the browser cuts a value down to the column's
    # step: 1328/14487 = 9.1668% must be sent as 0.0917, not read 9.16%)
    plans = _frame(at, "cvr")
    row = plans.loc[plans["campaign"] == "换锁-核心词"].iloc[0]
    assert row["cvr"] == 0.0917 and row["cvr"] == round(row["conversions"] / row["clicks"], 4)
    assert (plans["cvr"].dropna() == plans["cvr"].dropna().round(4)).all()
    cfg = json.loads(next(d for d in at.dataframe if "cvr" in d.value.columns).proto.columns)
    assert cfg["cvr"]["type_config"] == {"type": "number", "format": "percent", "step": 0.0001}


def test_language_switch_to_english():
    at = start(lang="en")
    assert at.title[0].value == "Account overview"
    assert any("sample account" in m.value for m in at.markdown)
    assert at.query_params["lang"] == "en"  # kept in the address: a reload stays in English


@pytest.mark.parametrize("asked,title", [("en", "Account overview"), ("zh", "账户概览")])
def test_the_language_in_the_address_opens_the_app_in_it(asked, title):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["lang"] = asked
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == title and at.radio(key="lang").value == asked
    assert ("lang" in at.query_params) == (asked == "en")  # Chinese, the default, keeps a plain address


def _upload(at: AppTest, *paths):
    files = [(p.name, p.read_bytes(), "text/csv") for p in paths]
    at.file_uploader(key="upload_files").set_value(files).run()
    assert not at.exception, at.exception


def test_upload_summarises_each_file_and_overview_switches_to_it():
    at = start("pages/upload.py")
    _upload(at, real("google_ads/towing-no-1__Search_keyword_report.csv"), FIXTURES / "baidu_keyword_daily_gbk.csv")
    summary = next(d.value for d in at.dataframe if "totals" in d.value.columns)
    assert summary["file"].tolist() == ["towing-no-1__Search_keyword_report.csv", "baidu_keyword_daily_gbk.csv"]
    assert summary["platform"].tolist() == ["Google Ads", "百度营销"]
    assert summary["report"].tolist() == ["关键词报告", "关键词报告"]
    assert summary["rows"].tolist() == [17, 11]
    assert summary["cost"].tolist() == ["CA$0.12", "¥3,258.95"]
    assert summary["totals"].tolist() == ["一致", "一致"]
    assert summary["accounts"].tolist() == ["–", "1"]  # the Google report names no account
    # the files went into a new workspace (the sample is a demonstration): the sidebar shows it at once
    ws = at.session_state[ui.K_CTX].ws
    assert ws.name != ui.SAMPLE_WORKSPACE and at.selectbox(key=ui.K_WS).value == ws.id
    assert not any("示例账户" in m.value for m in [*at.markdown, *at.caption, *at.info])
    at.switch_page("pages/overview.py").run()
    assert not any("示例账户" in m.value for m in at.markdown)
    assert [o.split(" · ")[0] for o in at.selectbox(key="overview_account").options] == ["百度营销", "Google Ads"]


def test_same_file_twice_reports_duplicates():
    at = start("pages/upload.py")
    p = FIXTURES / "baidu_keyword_daily_gbk.csv"
    at.file_uploader(key="upload_files").set_value([(p.name, p.read_bytes(), "text/csv"),
                                                    ("copy.csv", p.read_bytes(), "text/csv")]).run()
    # the same bytes again are recognised by their checksum and stored once
    assert any("copy.csv 与已上传的 baidu_keyword_daily_gbk.csv 内容完全相同" in c.value for c in at.caption)
    at.run()
    assert len(table_of(at)) == 11


def test_a_second_clients_file_in_the_same_workspace_is_flagged():
    at = start("pages/upload.py")
    _upload(at, FIXTURES / "baidu_keyword_daily_gbk.csv")
    at.run()
    _upload(at, real("google_ads/towing-no-1__Search_keyword_report.csv"))
    warnings = [w.value for w in at.warning if "towing-no-1" in w.value]
    assert len(warnings) == 1 and "原来没有的账户" in warnings[0] and "原有：百度营销" in warnings[0], warnings


def test_bad_file_gets_a_specific_error_and_loaded_data_is_unchanged():
    at = start("pages/upload.py")
    good = FIXTURES / "baidu_keyword_daily_gbk.csv"
    bad = FIXTURES / "bad_non_numeric.csv"
    _upload(at, good)
    at.run()
    before = table_of(at).copy()
    _upload(at, good, bad)
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    assert "bad_non_numeric.csv" in errors[0] and "第 11 行" in errors[0] and "点击" in errors[0] and "abc" in errors[0]
    assert table_of(at).equals(before)


def test_a_cut_off_download_is_refused_with_its_last_line_and_nothing_is_stored():
    at = start("pages/upload.py")
    good = FIXTURES / "baidu_keyword_daily_gbk.csv"
    _upload(at, good)
    at.run()
    before = table_of(at).copy()
    data = (SAMPLE / "baidu_keyword_report.csv").read_bytes()
    cut = data[: data.index(b"\n", len(data) // 3) + 60]   # 60 bytes into a line: the download stopped there
    at.file_uploader(key="upload_files").set_value([(good.name, good.read_bytes(), "text/csv"),
                                                    ("cut.csv", cut, "text/csv")]).run()
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "cut.csv" in errors[0] and "最后一行" in errors[0], errors
    line = cut.count(b"\n") + 1
    assert f"第 {line} 行" in errors[0]
    assert table_of(at).equals(before)


def _select(at: AppTest, prefix: str):
    return next(s for s in at.selectbox if s.key and s.key.startswith(prefix))


def test_unknown_layout_is_mapped_by_hand_and_the_mapping_is_reused(data_dir):
    at = start("pages/upload.py")
    _upload(at, FIXTURES / "generic_custom.csv")
    assert any("generic_custom.csv" in e.value for e in at.error)
    # the user is on the Upload page: the hint points at the form below, not at this page
    assert any("下面" in e.value and "上传报告" not in e.value for e in at.error), [e.value for e in at.error]
    assert _select(at, "upload_map_date_").value == "day"          # suggested
    assert _select(at, "upload_map_cost_").value == "spend (RMB)"  # suggested
    for field, column in {"campaign": "plan", "keyword": "word", "conversions": "leads",
                          "impressions": "views"}.items():
        _select(at, f"upload_map_{field}_").set_value(column)
    next(b for b in at.button if "按此映射读取" in b.label).click().run()
    assert not at.exception
    at.run()
    assert len(table_of(at)) == 8
    with Store.open(None, data_dir) as s:
        assert len(s.all_mapping_json()) == 1
    # a new session, next week's file with the same layout: read with the saved mapping
    at2 = start("pages/upload.py")
    _upload(at2, FIXTURES / "generic_custom.csv")
    assert not at2.error
    assert any("已按保存的列映射读取" in i.value for i in at2.info)
    at2.run()
    assert table_of(at2)["cost"].sum() == pytest.approx(1352.65)


def test_a_file_without_a_header_line_is_offered_the_mapping_and_read_by_column_position(data_dir):
    lines = "".join(f"2026-10-0{d},北京快捷开锁,开锁-核心词,上门开锁,开锁师傅,300101,智能匹配,7.00,"
                    f"https://www.bjkaisuo.com/kaisuo.html,{300 + d},2{d},13{d}.17,7.67%,5.67,{d},1,0,2\n"
                    for d in range(1, 6))
    at = start("pages/upload.py")
    at.file_uploader(key="upload_files").set_value([("noheader.csv", lines.encode("gbk"), "text/csv")]).run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "没有表头行" in errors[0] and "说明行" not in errors[0], errors
    assert "下面" in errors[0] and "上传报告页" not in errors[0], errors   # the form is right there
    row = next(n for n in at.number_input if n.key and n.key.startswith("upload_map_row_"))
    assert row.value == 0
    for field, column in {"date": "#1", "campaign": "#3", "ad_group": "#4", "keyword": "#5",
                          "impressions": "#10", "clicks": "#11", "cost": "#12", "conversions": "#15"}.items():
        _select(at, f"upload_map_{field}_").set_value(column)
    next(b for b in at.button if "按此映射读取" in b.label).click().run()
    assert not at.exception, at.exception
    at.run()
    table = table_of(at)
    assert len(table) == 5 and table["clicks"].sum() == 21 + 22 + 23 + 24 + 25
    with Store.open(None, data_dir) as s:   # a mapping by position is not saved for other files
        assert s.all_mapping_json() == {} or len(s.all_mapping_json()) == 0


def test_the_mapping_asks_for_fields_in_a_users_order_and_marks_the_required_ones():
    at = start("pages/upload.py")
    _upload(at, FIXTURES / "generic_custom.csv")
    boxes = [s for s in at.selectbox if s.key and s.key.startswith("upload_map_") and "_rt_" not in s.key]
    fid = boxes[0].key.rsplit("_", 1)[1]
    fields = [s.key[len("upload_map_"):-len(fid) - 1] for s in boxes]
    # what a row is about, then its figures, then the rest: in the order shown (row by row)
    assert fields == ["date", "account", "campaign", "ad_group", "keyword", "match_type", "search_term",
                      "impressions", "clicks", "cost", "conversions",
                      "conv_phone", "conv_form", "conv_chat", "bid", "final_url", "mobile_final_url", "currency"]
    label = {f: s.label for f, s in zip(fields, boxes)}
    assert "必填" in label["keyword"] and "必填" in label["cost"]         # a keyword report needs them
    assert "至少" in label["clicks"] and "展现" in label["clicks"]         # clicks or impressions
    assert "至少" in label["impressions"] and "点击" in label["impressions"]
    assert not any(m in label[f] for f in ("date", "search_term", "conversions") for m in ("必填", "至少"))
    # another report type, other required fields
    next(s for s in at.selectbox if s.key and "_rt_" in s.key).set_value("search_term").run()
    boxes = {s.key: s.label for s in at.selectbox if s.key}
    assert "必填" in boxes[f"upload_map_search_term_{fid}"] and "必填" not in boxes[f"upload_map_cost_{fid}"]
    assert "必填" not in boxes[f"upload_map_keyword_{fid}"]
    # applied without a required field: named in the user's words, not as codes
    next(s for s in at.selectbox if s.key and "_rt_" in s.key).set_value("keyword").run()
    next(b for b in at.button if "按此映射读取" in b.label).click().run()
    errors = [e.value for e in at.error if "需要" in e.value]
    assert errors and "“关键词”" in errors[-1] and "keyword" not in errors[-1], errors


def test_deleting_uploads_empties_the_workspace_and_keeps_the_sample():
    at = start("pages/upload.py")
    _upload(at, FIXTURES / "baidu_keyword_daily_gbk.csv")
    at.run()
    assert len(table_of(at)) == 11
    assert at.button(key="upload_clear").disabled  # nothing ticked: nothing to delete
    with Store.open(None, ui.DATA_DIR) as s:
        ids = [u.id for u in s.list_uploads(at.session_state[ui.K_CTX].ws.id)]
    at.multiselect(key="upload_delete_pick").set_value(ids).run()
    at.text_input(key="upload_delete_name").input(at.session_state[ui.K_CTX].ws.name).run()
    at.button(key="upload_clear").click().run()
    assert not at.exception
    assert len(table_of(at)) == 0
    at.switch_page("pages/overview.py").run()
    assert any("还没有数据" in i.value for i in at.info)
    # the sample workspace is still there, unchanged
    at.selectbox(key=ui.K_WS).set_value(at.session_state[ui.K_CTX].sample_id).run()
    assert any("示例账户" in m.value for m in at.markdown)


def _baidu(at: AppTest, key: str) -> None:
    labels = at.selectbox(key=key).options
    at.selectbox(key=key).set_value(next(i for i, x in enumerate(labels) if x.startswith("百度营销"))).run()


def test_keywords_page_shows_stages_negatives_and_fixes():
    at = start("pages/keywords.py")
    _baidu(at, "kw_account")
    tables = [d.value for d in at.dataframe]
    by_stage = next(t for t in tables if "cvr_ci" in t.columns)
    assert {"核心词", "电话词", "公司词", "询价词", "咨询词", "无效词"} <= set(by_stage["stage"])
    neg = next(t for t in tables if "reason" in t.columns)
    assert neg["cost"].is_monotonic_decreasing and len(neg) > 0
    fixes = next(t for t in tables if "unit_stage" in t.columns)
    assert "大钟寺开锁费用" in set(fixes["keyword"])
    assert any("下载否定关键词" in b.proto.label for b in at.get("download_button"))


def test_keyword_and_search_term_text_is_not_faded():
    # Streamlit draws a pinned column's text in its faint grey (the index's style): keywords
    # and search terms are what the optimizer reads first, so no table pins them
    at = start("pages/keywords.py")
    _baidu(at, "kw_account")
    shown = 0
    for d in at.dataframe:
        cfg = json.loads(d.proto.columns or "{}")
        for col in ("keyword", "search_term"):
            if col in d.value.columns:
                shown += 1
                assert not cfg.get(col, {}).get("pinned"), (col, cfg.get(col))
    assert shown >= 2


def test_keywords_filters_narrow_the_table():
    at = start("pages/keywords.py")
    _baidu(at, "kw_account")
    at.multiselect(key="kw_f_stage").set_value(["phone"]).run()
    by_stage = next(d.value for d in at.dataframe if "cvr_ci" in d.value.columns)
    assert set(by_stage["stage"]) == {"电话词"}
    # a language switch makes new widgets (the browser would keep the old labels) that
    # start from the old ones' values; tests/test_browser.py sees the labels change
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.multiselect(key="kw_f_stage_en").value == ["phone"]
    by_stage = next(d.value for d in at.dataframe if "cvr_ci" in d.value.columns)
    assert set(by_stage["stage"]) == {"Phone"}


def _language_switch_script():
    import streamlit as st

    import ui
    st.radio("lang", ["zh", "en"], key="lang")
    picked = st.multiselect("stage", ["phone", "core"], key=ui.wkey("f_stage"))
    shown = st.segmented_control("line", ["cpa", "clicks"], key=ui.wkey("line", default="cpa"))
    st.write(f"{picked}|{shown}")


def test_a_language_switch_sends_each_carried_value_to_the_browser_again():
    """Both languages' widgets share one value. On every switch the value is written again,
    so the browser is sent it (set_value) even when the server still held one for that key:
    the browser forgot the widget when it stopped showing it, and would otherwise show the
    widget's default while the page still filtered by the kept value."""
    at = AppTest.from_function(_language_switch_script).run()
    assert at.markdown[0].value == "[]|cpa"  # the default given to wkey
    at.multiselect(key="f_stage").set_value(["phone"]).run()
    at.segmented_control(key="line").set_value("clicks").run()
    at.radio(key="lang").set_value("en").run()
    assert at.markdown[0].value == "['phone']|clicks"
    assert at.multiselect(key="f_stage_en").proto.set_value
    at.radio(key="lang").set_value("zh").run()
    assert at.markdown[0].value == "['phone']|clicks"
    assert at.multiselect(key="f_stage").proto.set_value and at.segmented_control(key="line").proto.set_value
    at.run()  # a plain rerun leaves the browser's own value alone
    assert at.markdown[0].value == "['phone']|clicks" and not at.multiselect(key="f_stage").proto.set_value
    at.multiselect(key="f_stage").set_value([]).run()
    assert at.markdown[0].value == "[]|clicks"


def test_lexicon_edit_changes_results_and_is_kept(data_dir):
    at = start("pages/keywords.py")
    _baidu(at, "kw_account")
    kw = next(d.value for d in at.dataframe if "cues" in d.value.columns and "keyword" in d.value.columns)
    assert kw.loc[kw["keyword"] == "换锁师傅", "stage"].tolist() == ["核心词"]
    at.selectbox(key="kw_lex_group").set_value("stage:phone").run()
    text = next(t for t in at.text_input if t.key.startswith("kw_lex_add_zh_stage:phone"))
    text.set_value("师傅")
    next(b for b in at.button if "保存词库修改" in b.label).click().run()
    assert not at.exception
    kw = next(d.value for d in at.dataframe if "cues" in d.value.columns and "keyword" in d.value.columns)
    assert kw.loc[kw["keyword"] == "换锁师傅", "stage"].tolist() == ["电话词"]
    # 开锁师傅 is itself a business-line cue: a cue inside it does not count
    assert kw.loc[kw["keyword"] == "开锁师傅", "stage"].tolist() == ["核心词"]
    with Store.open(None, data_dir) as s:  # kept in the workspace, in the database
        ws = at.session_state[ui.K_CTX].ws
        assert s.lexicon_settings(ws.id, next(iter(s.all_lexicon_settings(ws.id))))[1]


def test_bundles_page_proposes_and_answers_what_if():
    at = start("pages/bundles.py")
    _baidu(at, "bd_account")
    summary = next(d.value for d in at.dataframe if "target_cpa" in d.value.columns)
    assert summary["bundle"].tolist()[0] == "B1" and "开锁-核心词" in summary["plans"].iloc[0]
    assert (summary["meets_threshold"]).all()
    assert len(at.get("plotly_chart")) == 1
    # loosen the CPA limit: plans of close CPA bind together, so fewer bundles
    at.number_input(key="bd_cpa_ratio").set_value(1.6).run()
    wider = next(d.value for d in at.dataframe if "target_cpa" in d.value.columns)
    assert len(wider) < len(summary)
    assert not at.exception


@pytest.mark.parametrize("lang,shrunk", [("zh", "收缩后转化成本"), ("en", "Shrunk CPA")])
def test_the_shrunk_cpa_is_labelled_as_such_and_the_chart_lists_bundles_in_order(lang, shrunk):
    at = _english("pages/bundles.py") if lang == "en" else start("pages/bundles.py")
    assert not at.exception, at.exception
    plain = i18n.TEXT["col.cpa"][0 if lang == "zh" else 1]
    tables = [(list(d.value.columns), json.loads(d.proto.columns)) for d in at.dataframe
              if "cpa_shrunk" in d.value.columns]
    assert len(tables) == 2   # the what-if editor and the campaigns table
    for cols, cfg in tables:
        assert cfg["cpa_shrunk"]["label"] == shrunk and cfg["cpa_shrunk"].get("help"), cfg["cpa_shrunk"]
        assert cfg["cpa_shrunk"]["label"] != plain
        if "cpa" in cols:
            assert cfg["cpa"]["label"] == plain
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [t["name"] for t in fig["data"]]
    assert len(names) > 2 and names == sorted(names, key=lambda b: int(b[1:])), names


def test_the_bundle_table_fits_a_laptop_screen_and_its_reasons_read_below_it():
    # at 1440 px the table scrolled sideways: thirteen columns, the longest a sentence. Now ten
    # short columns; the one-sentence reason of each bundle (with its kind) is listed under it
    at = start("pages/bundles.py")
    _baidu(at, "bd_account")
    table = next(d for d in at.dataframe if "target_cpa" in d.value.columns)
    assert len(table.value.columns) <= 10, list(table.value.columns)
    assert not {"reason_zh", "reason_en", "kind", "within_limits"} & set(table.value.columns)
    width = json.loads(table.proto.columns)["plans"].get("width")
    assert width in ("medium", "small") or isinstance(width, int)
    reasons = [m.value for m in at.markdown if m.value.startswith("- **B1**")]
    assert len(reasons) == 1
    for b in table.value["bundle"]:
        assert f"- **{b}** " in reasons[0]
    assert "同业务点" in reasons[0] and "开锁" in reasons[0]


def test_bundles_page_split_candidates_from_an_uploaded_map():
    at = start("pages/bundles.py")
    _baidu(at, "bd_account")
    mapping = "推广计划,投放包,目标转化成本\n开锁-核心词,包1,60\n开锁-公司词,包1,60\n开锁-询价,包1,60\n".encode("utf-8")
    at.file_uploader(key="bd_map").set_value(("bundles.csv", mapping, "text/csv")).run()
    splits = next(d.value for d in at.dataframe if "q_value" in d.value.columns)
    assert splits.loc[splits["split"], "campaign"].tolist() == ["开锁-询价"]
    current = next(d.value for d in at.dataframe if "cpa_vs_target" in d.value.columns)
    assert current["bundle"].tolist() == ["包1"] and bool(current["over_target"].iloc[0])


def test_a_proposal_kept_as_the_bundle_map_is_what_cost_drift_checks():
    at = start("pages/bundles.py")
    _baidu(at, "bd_account")
    summary = next(d.value for d in at.dataframe if "target_cpa" in d.value.columns)
    at.button(key="bd_map_adopt").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success)
    with Store.open(None, ui.DATA_DIR) as s:
        kept = s.bundle_decisions(at.session_state[ui.K_CTX].ws.id)[-1]
    sheet = targets.read_bundle_sheet(kept.data, kept.file_name)
    assert kept.file_name.startswith("投放包对应表_") and kept.proposal["edited"] is False
    # the map holds every proposed bundle with its plans and target CPA, to the cent
    for r in summary.itertuples():
        assert set(sheet.membership[sheet.membership == r.bundle].index) == set(r.plans.split("、"))
        assert sheet.targets[r.bundle] == pytest.approx(round(r.target_cpa, 2))
    # the Cost drift page now checks these bundles against those targets
    at.switch_page("pages/drift.py").run()
    _baidu(at, "dr_account")
    assert any(kept.file_name in c.value for c in at.caption)
    shown = _frame(at, "target_cpa")
    assert set(shown["bundle"]) == set(summary["bundle"])


def test_cost_drift_watches_the_proposed_bundles_of_an_account_without_a_map():
    at = start("pages/upload.py")
    _upload(at, SAMPLE / "google_keyword_report.csv")
    at.switch_page("pages/drift.py").run()
    assert not at.exception
    assert any("建议的分组" in c.value for c in at.caption)


def _frame(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _english(page: str) -> AppTest:
    """``page`` opened straight in English. One run only: AppTest formats a select box's
    value outside the script run (in Chinese, the default), so a second run after an
    English first run cannot match its options."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = "en"
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _money_value(text: str) -> float:
    return float(text.replace("¥", "").replace(",", ""))


def _bid_tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_bids_page_shows_the_recommendations_with_the_workbooks_numbers():
    from optimizer.actions.bids import tally
    at = start("pages/bids.py")
    _baidu(at, "bid_account")
    assert not at.exception, at.exception
    table = _frame(at, "recommended_bid")
    assert {"降价", "保持：证据不足"} <= set(table["decision"])
    assert table["reason_zh"].str.contains("可出价").any()
    # the tiles are the account model's figures: those the workbook's summary shows
    ctx = at.session_state[ui.K_CTX]
    with Store.open(None, ui.DATA_DIR) as s:
        sheet = targets.read_bundle_sheet(s.bundle_decision(ctx.ws.id, "baidu:北京安心开锁:CNY").data)
    from optimizer.model.dataset import accounts as accounts_of, for_account
    from optimizer.analysis.account import AccountModel
    from optimizer.keywords.stages import Classifier
    from optimizer.keywords.trade import account_edits
    t = table_of(at)
    a = accounts_of(t)
    a = a.loc[a["platform"] == "baidu"].iloc[0]
    rows = for_account(t, "baidu", a["account"], a["currency"])
    clf = Classifier("locksmith", {}, account_edits(rows, "locksmith"))
    expect = tally(AccountModel(None, "baidu:北京安心开锁:CNY", (0,), lambda: rows).bids(clf, sheet=sheet, currency="CNY"))
    tiles = _bid_tiles(at)
    assert tiles["降价"] == f"{expect['lower']:,}" and tiles["提价"] == f"{expect['raise']:,}"
    assert tiles["预计每 30 天少花"] == i18n.money(expect["saving"], "CNY", 0)
    assert tiles["降价词现在每 30 天超出目标"] == i18n.money(expect["above_target"], "CNY", 0)
    assert tiles["提价预计每 30 天增收"] == i18n.money(expect["gain"], "CNY", 0)
    assert len(table) == expect["keywords"]


def test_bids_page_what_if_changes_the_numbers_and_a_saved_target_is_kept(data_dir):
    at = start("pages/bids.py")
    _baidu(at, "bid_account")
    before = _bid_tiles(at)
    bids_before = _frame(at, "recommended_bid")
    # a tighter account target: the campaigns outside bundles aim lower, more money above target
    key = next(n.key for n in at.number_input if n.key.startswith("bid_account_target"))
    at.number_input(key=key).set_value(40.0).run()
    assert not at.exception, at.exception
    after = _bid_tiles(at)
    # the sample's CPC paid sits below even the lowered bids (no step saves yet): the overspend is what grows
    over = "降价词现在每 30 天超出目标"
    assert _money_value(after[over]) > _money_value(before[over])
    assert any("与已保存的目标相比" in c.value for c in at.caption)
    shown = _frame(at, "recommended_bid")
    assert (shown["target_source"] == "账户设置").any() and not bids_before["target_source"].eq("账户设置").any()
    # a smaller step: no bid moves more than 10 %
    at.number_input(key=next(n.key for n in at.number_input if n.key.startswith("bid_step"))).set_value(10).run()
    moved = _frame(at, "recommended_bid")
    moved = moved.loc[moved["decision"].isin(["提价", "降价"])]
    assert len(moved) and (moved["change_pct"].abs() <= 0.1 + 1e-6).all()
    # kept: the target is stored for the account and the page opens with it
    at.button(key="bid_save").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success)
    with Store.open(None, data_dir) as s:
        from optimizer.actions.bids import BidTargets, targets_setting_key
        ws = at.session_state[ui.K_CTX].ws
        assert BidTargets.from_json(s.setting(targets_setting_key(ws.id, "baidu:北京安心开锁:CNY"))).account == 40.0
    fresh = start("pages/bids.py")
    _baidu(fresh, "bid_account")
    assert (_frame(fresh, "recommended_bid")["target_source"] == "账户设置").any()


def test_bids_page_keeps_the_step_with_the_targets_and_the_export_uses_it(data_dir):
    at = start("pages/bids.py")
    _baidu(at, "bid_account")
    step_key = next(n.key for n in at.number_input if n.key.startswith("bid_step"))
    target_key = next(n.key for n in at.number_input if n.key.startswith("bid_account_target"))
    at.number_input(key=step_key).set_value(30).run()
    at.number_input(key=target_key).set_value(40.0).run()
    whatif = _frame(at, "recommended_bid")
    assert any("与已保存的目标相比" in c.value for c in at.caption)
    at.button(key="bid_save").click().run()
    assert not at.exception, at.exception
    # the message says what was kept, and the page no longer shows the what-if against the old targets
    saved = " ".join(s.value for s in at.success)
    assert "每步最多 30%" in saved and "¥40" in saved
    assert not any("与已保存的目标相比" in c.value for c in at.caption)
    assert _frame(at, "recommended_bid")["recommended_bid"].tolist() == whatif["recommended_bid"].tolist()
    with Store.open(None, data_dir) as s:
        from optimizer.actions.bids import BidTargets, targets_setting_key
        ws = at.session_state[ui.K_CTX].ws
        kept = BidTargets.from_json(s.setting(targets_setting_key(ws.id, "baidu:北京安心开锁:CNY")))
    assert kept.step == 0.3 and kept.account == 40.0
    # reopened: the page starts from the kept step
    fresh = start("pages/bids.py")
    _baidu(fresh, "bid_account")
    assert next(n.value for n in fresh.number_input if n.key.startswith("bid_step")) == 30
    assert _frame(fresh, "recommended_bid")["recommended_bid"].tolist() == whatif["recommended_bid"].tolist()
    # the Export changes page writes the same bids: moves of up to 30 %, more than the default 20 %
    ch = start("pages/changes.py")
    assert not ch.exception, ch.exception
    preview = next(d.value for d in ch.dataframe if "use" in d.value.columns)
    bid = preview.loc[preview["field"] == "出价"]
    ratio = bid["after"].astype(float) / bid["before"].astype(float) - 1
    assert len(bid) and ratio.abs().max() > 0.2 + 1e-6 and (ratio.abs() <= 0.3 + 0.001).all()
    shown = whatif.set_index(["campaign", "keyword"])
    moved = shown.loc[shown["decision"].isin(["提价", "降价"])]
    # every moved bid is written, but those of keywords whose landing URL is fixed in the same file (held back)
    fixed = set(preview.loc[preview["action"] == "链接修正", "keyword"])
    assert len(bid) == sum(k not in fixed for _, k in moved.index) and len(bid) < len(moved)


def test_drift_page_ranks_flags_and_explains_the_selected_one():
    at = start("pages/drift.py")
    _baidu(at, "dr_account")
    at.selectbox(key="dr_method").set_value("scan").run()   # the scan dates the planted change to the day
    assert not at.exception, at.exception
    flags = _frame(at, "money_at_stake")
    assert len(flags) > 5 and flags["money_at_stake"].is_monotonic_decreasing
    assert any("2026-11-24" in c.value and "已排除" in c.value for c in at.caption)  # partial day left out
    assert len(at.get("plotly_chart")) == 2  # the series and the waterfall
    first = next(m.value for m in at.markdown if m.value.startswith("**"))
    # pick the plan whose CPC was planted to rise 40 % on 10-20
    pick = flags.index[(flags["entity"] == "开锁-电话词") & (flags["metric"] == "点击价格")][0]
    at.session_state["dr_flags"] = {"selection": {"rows": [int(pick)], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    head = next(m.value for m in at.markdown if m.value.startswith("**"))
    assert head != first and "开锁-电话词（推广计划）：点击价格自 2026-10-20 起上升" in head
    contrib = _frame(at, "money_rate")
    assert "开锁电话" in " ".join(contrib["name"])
    # signed amounts: Streamlit's currency preset writes -¥7,385 (a printf format: ¥-7,385),
    # sent rounded to the yuan as the browser cuts to the step
    cfg = json.loads(next(d for d in at.dataframe if "money_rate" in d.value.columns).proto.columns)
    assert cfg["money_rate"]["type_config"] == {"type": "number", "format": "yen", "step": 1}
    assert (contrib["money_rate"] == contrib["money_rate"].round(0)).all()
    targets = _frame(at, "excess_cost")
    assert set(targets["bundle"]) == {"包1 开锁核心", "包2 开锁询价", "包3 换锁", "包4 指纹锁", "包5 汽车保险柜"}
    comp = _frame(at, "amount")
    assert comp.set_index("bundle").loc["包3 换锁", "status"] == "可能获赔"


def test_the_change_day_range_is_never_a_blank_cell():
    at = start("pages/drift.py")
    _baidu(at, "dr_account")
    flags = next(d.value for d in at.dataframe if "start_range" in d.value.columns)
    ranges = flags["start_range"].tolist()
    assert all(isinstance(r, str) and r.strip() for r in ranges), ranges
    one_day = flags.loc[~flags["start_range"].str.contains("~")]
    assert len(one_day)   # a change day the data pins down reads as that day
    assert (one_day["start_range"] == [f"{d:%m-%d}" for d in one_day["start"]]).all()


def test_drift_page_without_daily_rows_says_what_to_upload():
    at = start("pages/upload.py")
    _upload(at, real("google_ads/towing-no-1__Search_keyword_report.csv"))  # one undated keyword report
    at.switch_page("pages/drift.py").run()
    assert not at.exception, at.exception
    assert any("成本异常需要按日的数据" in i.value for i in at.info)
    assert not any("没有发现显著的成本变化" in x.value for x in at.success)


def test_drift_page_settings_and_a_bad_bundle_map_keep_the_map_in_use():
    at = start("pages/drift.py")
    _baidu(at, "dr_account")
    at.multiselect(key="dr_levels").set_value(["campaign"]).run()
    flags = _frame(at, "money_at_stake")
    assert set(flags["level"]) == {"推广计划"}
    bad = "推广计划,投放包,目标转化成本\n开锁-询价,包1,abc\n".encode("utf-8")
    at.file_uploader(key="dr_map").set_value(("bad.csv", bad, "text/csv")).run()
    assert not at.exception
    assert any("bad.csv 第 2 行“目标转化成本”列的值“abc”不是金额" in e.value for e in at.error)  # in Chinese
    assert any("示例对应表" in c.value for c in at.caption)  # the sample map is still in use
    assert len(_frame(at, "excess_cost")) == 5


def test_drift_page_says_what_a_flag_rests_on_and_takes_the_minimums():
    at = start("pages/drift.py")
    _baidu(at, "dr_account")
    at.selectbox(key="dr_method").set_value("scan").run()   # evidence on each side: the scan's promise
    assert any("前后各至少 30 次点击" in c.value and "10 次" in c.value for c in at.caption)
    at.number_input(key="dr_min_clicks").set_value(100000).run()
    assert not at.exception, at.exception
    assert any("前后各至少 100,000 次点击" in c.value for c in at.caption)
    # nothing reaches 100,000 clicks: too little data to judge, not an all-clear
    assert any("数据不足，无法判断成本是否变化" in x.value for x in at.warning)
    assert not any("没有发现显著的成本变化" in x.value for x in at.success)
    thin = _frame(at, "note")
    assert thin["note"].str.contains("每侧至少需要 100000 次").any()


def test_drift_page_in_english():
    at = _english("pages/drift.py")
    assert at.title[0].value == "Cost drift"
    head = next(m.value for m in at.markdown if m.value.startswith("**"))
    assert "since 2026-" in head and "at stake so far" in head


def test_business_lines_read_in_english_on_english_pages():
    at = _english("pages/keywords.py")
    by_line = _frame(at, "cvr_ci")
    assert "Lockout" in set(by_line["business_line"]) and "开锁" not in set(by_line["business_line"])
    assert "Lockout" in at.multiselect(key="kw_f_line_en").options
    at = _english("pages/bundles.py")
    bundles = _frame(at, "business_lines")
    assert bundles["business_lines"].str.contains("Lockout").any()
    assert not bundles["business_lines"].str.contains(r"[\u4e00-\u9fff]").any()
    assert not bundles["plans"].str.contains("、").any() and bundles["plans"].str.contains(", ").any()


def test_landing_page_lists_pages_worst_first_and_takes_an_uploaded_html(data_dir):
    at = start("pages/landing.py")
    _baidu(at, "lp_account")
    pages = _frame(at, "cvr_weekly")
    assert pages["page"].iloc[0] == "m.example-kaisuo.cn/huansuo.html" and pages["status"].iloc[0].endswith("需立即处理")
    assert not pages["audited"].any()
    assert any("转化率自 11-08 起下降 33%" in m.value for m in at.markdown)
    assert len(at.get("plotly_chart")) == 1
    # the chosen page's keywords, all of them (not only the mismatched), with spend, clicks, conversions;
    # the row per URL keeps its keyword count (it also counts the days of keywords moved away since)
    kws = _frame(at, "fits")
    assert {"keyword", "business_line", "cost", "clicks", "conversions", "cvr"} <= set(kws.columns)
    assert len(kws) == 318 and kws["cost"].is_monotonic_decreasing and kws["clicks"].sum() > 0
    assert set(kws["business_line"]) == {"换锁"} and set(kws["fits"]) <= {"✓", "✗", "–"}
    assert pages["n_keywords"].iloc[0] == 329
    assert any(c.value.startswith("落到这个页面的全部 318 个关键词") and
               c.value.endswith("上表的关键词数还包括报告期内到过这里、现已指向别的页面的 11 个") for c in at.caption)
    drift_table = _frame(at, "old")
    assert "链接已更改" in set(drift_table["kind"])
    # the page cannot be fetched here: upload its HTML instead
    html = (FIXTURES / "pages" / "no_tel.html").read_bytes()
    at.file_uploader(key="lp_html").set_value(("huansuo.html", html, "text/html")).run()
    at.selectbox(key="lp_html_page").set_value("m.example-kaisuo.cn/huansuo.html").run()
    at.button(key="lp_html_go").click().run()
    assert not at.exception, at.exception
    pages = _frame(at, "cvr_weekly")
    row = pages.loc[pages["page"] == "m.example-kaisuo.cn/huansuo.html"].iloc[0]
    assert bool(row["audited"]) and "电话" in row["reasons_zh"]
    # the audited page is checked for its keywords' line: the uploaded page speaks of 换锁
    assert any(m.value.startswith("- 换锁：318 个关键词") and "页面提到了 换锁" in m.value for m in at.markdown)
    with Store.open(None, data_dir) as s:  # kept in the workspace, in the database
        ws = at.session_state[ui.K_CTX].ws
        assert any(s.audits(ws.id, ui.account_key(a)) for _, a in dataset.accounts(table_of(at)).iterrows())


def test_landing_chart_draws_a_change_line_only_for_a_detected_change():
    at = start("pages/landing.py")
    _baidu(at, "lp_account")
    pages = _frame(at, "cvr_weekly")

    def chart():
        fig = json.loads(at.get("plotly_chart")[0].proto.spec)
        notes = [a.get("text", "") for a in fig["layout"].get("annotations", [])]
        return fig["layout"].get("shapes", []), notes, [d.get("name") for d in fig["data"]]
    shapes, notes, traces = chart()           # the first page's CVR dropped from 11-08
    assert shapes and any(n.startswith("变化日 11-08") for n in notes) and "变化后" in traces
    calm = int(np.flatnonzero(~pages["drop"].notna().to_numpy())[0])
    at.session_state["lp_pages"] = {"selection": {"rows": [calm], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    shapes, notes, traces = chart()
    assert shapes == [] and not any("变化日" in n for n in notes), (pages.iloc[calm].to_dict(), notes)
    assert traces == ["每日"]


def test_landing_audit_without_internet_says_could_not_check_and_keeps_nothing(data_dir, monkeypatch):
    import socket

    def no_dns(host, *args, **kwargs):   # a server without internet: no name resolves
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    at = start("pages/landing.py")
    _baidu(at, "lp_account")
    n = len(_frame(at, "cvr_weekly"))
    at.button(key="lp_audit").click().run()
    assert not at.exception, at.exception
    assert any(w.value.startswith(f"无法检查 {n} 个页面") for w in at.warning)
    assert not [t.value for t in at.toast if "已检查" in t.value]   # no "0 pages audited" beside it
    pages = _frame(at, "cvr_weekly")
    assert not pages["audited"].any() and not pages["reasons_zh"].str.contains("不存在").any()
    with Store.open(None, data_dir) as s:
        ws = at.session_state[ui.K_CTX].ws
        assert not any(s.audits(ws.id, ui.account_key(a)) for _, a in dataset.accounts(table_of(at)).iterrows())


def _summed_keyword_report(huansuo_url: str, cost: str) -> bytes:
    """A Baidu keyword report summed over November (GBK), one 换锁 keyword on ``huansuo_url``."""
    lines = ["数据生成时间：2026-12-01 09:00", "数据生成条件：", "1. 时间范围：20261101-20261130", "2. 时间单位：合计", "",
             "日期,账户,推广计划,推广单元,关键词,匹配模式,访问URL,移动访问URL,展现,点击,消费,转化",
             "2026-11-01至2026-11-30,安心开锁,开锁-核心词,上门开锁,上门开锁,精确匹配,https://www.a-kaisuo.cn/kaisuo,"
             "https://m.a-kaisuo.cn/kaisuo,2000,120,1800.00,15",
             f"2026-11-01至2026-11-30,安心开锁,换锁-询价,换锁价格,换锁多少钱,短语匹配,https://www.a-kaisuo.cn/huansuo,"
             f"{huansuo_url},900,40,{cost},4"]
    return "\n".join(lines).encode("gbk")


def test_landing_page_compares_urls_with_the_workspaces_earlier_upload():
    """A re-download of the same month replaces the earlier rows, so the table alone no
    longer knows the old URL: the page compares with the earlier upload kept in the
    workspace (chosen by default: the one before the newest)."""
    first = _summed_keyword_report("https://m.a-kaisuo.cn/huansuo", "520.00")
    later = _summed_keyword_report("https://m.a-kaisuo.cn/huansuo-new", "540.00")
    at = start("pages/upload.py")
    at.file_uploader(key="upload_files").set_value([("kw_1201.csv", first, "text/csv")]).run()
    at.file_uploader(key="upload_files").set_value([("kw_1201.csv", first, "text/csv"),
                                                    ("kw_1202.csv", later, "text/csv")]).run()
    assert not at.exception, at.exception
    at.switch_page("pages/landing.py").run()
    assert not at.exception, at.exception
    pick = at.selectbox(key="lp_previous_stored")
    assert pick.format_func(pick.value).startswith("kw_1201.csv")
    changed = _frame(at, "old")
    changed = changed.loc[changed["kind"] == "链接已更改"]
    assert changed["old"].tolist() == ["https://m.a-kaisuo.cn/huansuo"]
    assert changed["new"].tolist() == ["https://m.a-kaisuo.cn/huansuo-new"]
    # compared with nothing, the newest table alone does not see the change
    pick.select_index(0).run()
    assert not at.exception and at.selectbox(key="lp_previous_stored").value == ""
    again = [d.value for d in at.dataframe if "old" in d.value.columns]
    assert not again or "链接已更改" not in set(again[0]["kind"])


def test_landing_page_with_a_bad_previous_upload_says_which_file():
    at = start("pages/landing.py")
    _baidu(at, "lp_account")
    at.file_uploader(key="lp_previous").set_value([("old.csv", (FIXTURES / "bad_non_numeric.csv").read_bytes(),
                                                    "text/csv")]).run()
    assert not at.exception
    assert any("bad_non_numeric" in e.value or "old.csv" in e.value for e in at.error)
    assert len(_frame(at, "cvr_weekly")) == 14  # the current data still shown


def test_overview_builds_the_excel_report(monkeypatch):
    from optimizer.analysis import summary as analyze
    given = []
    real = analyze.analyze_account

    def spy(rows, vertical="auto", **kw):
        given.append(kw.get("sheet"))
        return real(rows, vertical, **kw)

    monkeypatch.setattr(analyze, "analyze_account", spy)
    at = start()
    _baidu(at, "overview_account")
    assert not at.get("download_button")
    at.button(key="overview_report").click().run()
    assert not at.exception, at.exception
    btn = at.get("download_button")
    assert len(btn) == 1 and btn[0].proto.url.endswith(".xlsx")
    # the report is built with the bundle map the workspace keeps (as the Cost drift page uses it)
    expected = targets.read_bundle_sheet((SAMPLE / "bundle_map.csv").read_bytes())
    assert len(given) == 1 and given[0] is not None
    assert given[0].membership.to_dict() == expected.membership.to_dict()


def test_waterfall_labels_put_the_sign_before_the_currency():
    fig = ui.waterfall_chart([("CPA 之前", 120.0, "absolute"), ("点击价格", -7385.4, "relative"),
                              ("转化率", 15.5, "relative"), ("CPA 之后", 130.0, "absolute")], "CNY")
    assert list(fig.data[0].text) == ["¥120.00", "-¥7,385.40", "+¥15.50", "¥130.00"]


def test_a_report_without_a_currency_gets_a_bare_spend_axis_title():
    daily = pd.DataFrame({"date": pd.date_range("2026-11-01", periods=3), "cost": [1.0, 2.0, 3.0],
                          "conversions": [1.0, 1.0, 1.0], "clicks": [5.0, 5.0, 5.0], "cpa": [1.0, 2.0, 3.0],
                          "partial": [False, False, False]})
    assert ui.daily_chart(daily, None).layout.yaxis.title.text == "消费"
    assert ui.daily_chart(daily, "USD").layout.yaxis.title.text == "消费 ($)"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_streamlit_s_own_english_words_are_replaced_or_hidden_in_chinese(lang):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = lang
    at.switch_page("pages/upload.py").run()
    assert not at.exception, at.exception
    css = " ".join(h.proto.body for h in at.get("html"))
    if lang == "zh":
        for testid in ("stFileUploaderDropzone", "stFileUploaderDropzoneInstructions", "InputInstructions"):
            assert f'[data-testid="{testid}"]' in css, testid
        assert "选择文件" in css and "每个文件不超过 200 MB" in css
    else:
        assert "选择文件" not in css
    # the uploader takes any file (Streamlit's own refusal is English): the reader names
    # a wrong one in the user's language
    assert not at.file_uploader(key="upload_files").proto.type
    _upload(at, FIXTURES / "baidu_keyword_daily_gbk.csv")
    at.file_uploader(key="upload_files").set_value([("合同.pdf", b"%PDF-1.7\n" + b"x" * 100, "application/pdf")]).run()
    errors = [e.value for e in at.error]
    want = "合同.pdf：这是一个 PDF 文件，不是报告" if lang == "zh" else "合同.pdf: This is a PDF file, not a report"
    assert any(want in e for e in errors), errors
    # multiselects: no English "Select all" in Chinese
    at.switch_page("pages/keywords.py").run()
    assert at.multiselect
    assert [m.proto.select_all for m in at.multiselect] == [0 if lang == "zh" else 1000] * len(at.multiselect)


def _towing_export() -> bytes:
    """The towing account of the evaluation set as a Google Ads keyword report."""
    acc = pd.read_csv(ROOT / "tests" / "eval" / "generic_accounts.csv")
    a = acc.loc[acc["trade"] == "towing"]
    lines = ["Search keyword report", '"October 1, 2026 - October 31, 2026"',
             "Keyword,Campaign,Ad group,Currency code,Impr.,Clicks,Cost,Conversions"]
    lines += [f"{k},{c},{g},USD,{n * 10},{n},{cost:.2f},{conv}"
              for k, c, g, n, cost, conv in zip(a["keyword"], a["campaign"], a["ad_group"], a["clicks"], a["cost"],
                                                 a["conversions"])]
    return ("\n".join(lines) + "\n").encode()


def test_a_generic_accounts_lexicon_is_saved_as_a_vertical_and_offered_in_the_picker(data_dir):
    at = start("pages/keywords.py")
    with Store.open(None, data_dir) as s:
        ws = s.create_workspace("拖车客户")
        s.add_upload(ws.id, "towing.csv", _towing_export(), account="Lone Star Towing")
    at.session_state[ui.K_WS_NEXT] = ws.id
    at.run()
    assert not at.exception, at.exception
    picker = next(s for s in at.selectbox if s.key.startswith("kw_vertical_"))
    assert "拖车" not in picker.options and picker.value == "auto"
    assert any("没有匹配的行业词库" in i.value for i in at.info)
    at.text_input(key="kw_save_code").set_value("locksmith")
    at.text_input(key="kw_save_name_zh").set_value("拖车")
    at.text_input(key="kw_save_name_en").set_value("Towing")
    next(b for b in at.button if "保存行业词库" in b.label).click().run()
    assert any("内置行业的代码" in e.value for e in at.error)  # a built-in code is refused, nothing saved
    at.text_input(key="kw_save_code").set_value("towing")
    next(b for b in at.button if "保存行业词库" in b.label).click().run()
    assert not at.exception, at.exception
    assert any("已保存行业词库“拖车”（towing）" in m.value for m in at.success)
    picker = next(s for s in at.selectbox if s.key.startswith("kw_vertical_"))
    assert picker.options[-1] == "拖车"
    assert picker.options[0] == "自动识别：拖车"  # the account it was saved from is now detected as it
    with Store.open(None, data_dir) as s:  # in the database, for every workspace and server
        assert [r.code for r in s.saved_verticals()] == ["towing"]
    # saving the same code again needs consent
    next(b for b in at.button if "保存行业词库" in b.label).click().run()
    assert any("已有代码为 towing" in w.value for w in at.warning)
    # choosing it: the account is classified by the saved vertical, with the lines it was saved with
    picker.set_value("towing").run()
    assert not at.exception, at.exception
    kw = next(d.value for d in at.dataframe if "cues" in d.value.columns and "keyword" in d.value.columns)
    # (lines are the account's campaigns, the city dropped: "Towing - Houston" is Towing)
    assert kw.loc[kw["keyword"] == "tow truck near me", "business_line"].tolist() == ["Towing"]
    # deleting it: the account is detected again
    at.checkbox(key="kw_delete_confirm").check().run()
    at.button(key="kw_delete_vertical").click().run()
    assert not at.exception, at.exception
    picker = next(s for s in at.selectbox if s.key.startswith("kw_vertical_"))
    assert "拖车" not in picker.options and picker.options[0] == "自动识别：通用（其他本地服务）"
    assert any("已不存在" in w.value for w in at.warning)  # the account had chosen it: detected again


TRIAL = FIXTURES / "trial16"


def _trial(at: AppTest, *names: str) -> None:
    """Upload files of the new-user trial (synthetic exports of trades outside the five)."""
    at.switch_page("pages/upload.py").run()
    _upload(at, *(TRIAL / n for n in names))


def _lexicon_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "cues" in d.value.columns and "keyword" in d.value.columns)


def test_the_lexicon_editor_opens_on_the_accounts_language_keeps_multi_word_cues_and_renames_a_line():
    # (in the Chinese UI: AppTest cannot rerun an English page that has select boxes)
    at = start("pages/upload.py")
    _upload(at, TRIAL / "pest_us_Search keyword report.csv")
    at.switch_page("pages/keywords.py").run()
    assert not at.exception, at.exception
    radio = next(r for r in at.radio if r.key.startswith("kw_lex_lang_"))
    assert radio.value == "en"   # an English account: the English word list, not generic.zh.toml
    group = at.selectbox(key="kw_lex_group")
    line = next(g for g in group.options if "Termite" in g)
    group.set_value("line:Termite Control").run()
    assert not at.exception, at.exception
    before = set(next(m for m in at.multiselect if m.key.startswith("kw_lex_kept_en_line:")).value)
    next(t for t in at.text_input if t.key.startswith("kw_lex_add_en_line:")).set_value("rodent control, wdi report")
    next(t for t in at.text_input if t.key.startswith("kw_lex_rename_en_line:")).set_value("Termites")
    next(b for b in at.button if "保存词库修改" in b.label).click().run()
    assert not at.exception, at.exception
    # the line is called Termites now, with every cue it had and the two typed ones whole
    assert at.selectbox(key="kw_lex_group").value == "line:Termites", line
    assert "line:Termite Control" not in at.selectbox(key="kw_lex_group").options
    cues = set(next(m for m in at.multiselect if m.key.startswith("kw_lex_kept_en_line:Termites")).value)
    assert before | {"rodent control", "wdi report"} == cues, cues ^ before
    assert "control" not in cues
    # said, after the save
    said = [s.value for s in at.success]
    assert any("改名为「Termites」" in s and "rodent control" in s for s in said), said
    kw = _lexicon_table(at)
    assert "Termites" in set(kw["business_line"]) and "Termite Control" not in set(kw["business_line"])



def test_export_changes_page_files_leave_out_an_unticked_change(monkeypatch):
    # the sample's Baidu account: its own platform's files by default; unticking a row leaves it out of the files
    import zipfile

    from tests import bulk_readers as R
    from tests.conftest import capture_downloads
    files = capture_downloads(monkeypatch)
    at = start("pages/changes.py")
    box = next(s for s in at.selectbox if s.key and s.key.startswith("ch_target_"))
    assert box.value == "baidu"
    n = int(at.metric[0].value.split(" / ")[1].replace(",", ""))
    assert n > 0 and at.metric[0].value == f"{n:,} / {n:,}"

    def keyword_rows() -> list[dict]:
        with zipfile.ZipFile(io.BytesIO(files[at.download_button(key="ch_zip").proto.url])) as z:
            assert "README.txt" in z.namelist()
            return R.read_baidu_xlsx(z.read("baidu_keywords.xlsx"))[1]

    before = keyword_rows()
    preview = next(d.value for d in at.dataframe if "use" in d.value.columns)   # the data editor
    assert preview["use"].all()
    # the first pause of the preview: untick it
    pos = int(np.flatnonzero((preview["action"] == "暂停").to_numpy())[0])
    keyword = preview["keyword"].iloc[pos]
    assert keyword in {r["关键词名称"] for r in before if r["启用/暂停"] == "暂停"}
    from optimizer.actions.changes import ACTIONS
    key = "ch_rows_" + box.key.removeprefix("ch_target_") + "_" + "_".join(ACTIONS)   # the page's editor
    at.session_state[key] = {"edited_rows": {pos: {"use": False}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    assert at.metric[0].value == f"{n - 1:,} / {n:,}"
    after = keyword_rows()
    assert keyword not in {r["关键词名称"] for r in after if r["启用/暂停"] == "暂停"}
    assert len(after) == len(before) - 1
    readme = at.download_button(key="ch_readme")
    assert "百度关键词文件" in files[readme.proto.url].decode("utf-8-sig")


def test_drift_page_online_shows_events_their_alarm_morning_and_what_a_flag_promises():
    at = start("pages/drift.py")
    _baidu(at, "dr_account")
    at.selectbox(key="dr_method").set_value("online").run()
    assert not at.exception, at.exception
    flags = _frame(at, "money_at_stake")
    assert "alarm" in flags.columns and flags["alarm"].notna().all()
    # the planted CPC rise of 开锁-电话词 on 10-20: its change-day range holds the day, raised after it
    plan = flags.loc[(flags["entity"] == "开锁-电话词") & (flags["metric"] == "点击价格")].iloc[0]
    lo, hi = plan["start_range"].split(" ~ ")[0], plan["start_range"].split(" ~ ")[-1]
    assert lo <= "10-20" <= hi, plan["start_range"]
    assert plan["alarm"] >= pd.Timestamp("2026-10-20").date()
    assert any("变化日前至少 7 天、30 次点击" in c.value and "变化后的天数和点击不设下限" in c.value for c in at.caption)
    # the promise in the optimizer's terms: the budget, and what it means for 30 accounts
    assert any("每 1,000 个序列周" in c.value and "0.15" in c.value and "30 个账户" in c.value for c in at.caption)
    at.number_input(key="dr_false_alarms").set_value(1.0).run()
    assert not at.exception, at.exception
    assert any("1.00" in c.value and "每 1,000 个序列周" in c.value for c in at.caption)
    # keyword flags explained by their plan's flag are under it, not events of their own
    events = _frame(at, "money_at_stake")
    assert "folded" in events.columns
    if (events["folded"] > 0).any():
        pick = int(events.index[events["folded"] > 0][0])
        at.session_state["dr_flags"] = {"selection": {"rows": [pick], "columns": [], "cells": []}}
        at.run()
        assert any("归入" in e.label for e in at.expander)
