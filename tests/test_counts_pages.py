"""The headline figures of the Overview, Keywords, oCPC bundles and Cost drift pages and
of the client view, each computed two ways: the page (AppTest, as the server runs it)
against the workbook the app offers (the Overview page's button) and the command line's
``--json`` (``analyze``, ``bundles``, ``drift``), on the bundled sample and on a second,
generated account (keyword, plan and search-term reports of another seed and name).
A figure that one day is computed differently in one place fails here."""
from __future__ import annotations

import contextlib
import io
import json
import re

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import tests.apptest  # noqa: F401 - every run goes through app.py, as on the server

import ui
from optimizer import i18n
from optimizer.cli import main
from optimizer.keywords.lexicon import LexiconEdits
from optimizer.outputs.sheet_text import st as sheet_st
from optimizer.store.database import Store, WorkspaceLexiconStore
from sample_data import (AccountConfig, generate_account, write_baidu_keyword_report, write_baidu_plan_report,
                         write_baidu_search_term_report)
from tests.conftest import ROOT, SAMPLE, capture_downloads

SAMPLE_FILES = [SAMPLE / f for f in ("baidu_keyword_report.csv", "baidu_plan_report.csv",
                                     "baidu_search_term_report.csv")]
SAMPLE_ACCOUNT = "北京安心开锁"
SECOND_ACCOUNT = "鑫安开锁服务"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(ui, "DATA_DIR", tmp_path / "db")
    (tmp_path / "db").mkdir()
    return tmp_path / "db"


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """The bytes behind every download button of the runs to come, by media URL."""
    return capture_downloads(monkeypatch)


def _second_account(folder) -> list:
    """A generated Baidu account of another seed and name, with its keyword, plan and
    search-term reports (the last day's conversions incomplete, as Baidu's are)."""
    acc = generate_account(AccountConfig(seed=91, language="zh", account=SECOND_ACCOUNT, n_keywords=400, days=70))
    paths = [folder / "鑫安_关键词报告.csv", folder / "鑫安_计划报告.csv", folder / "鑫安_搜索词报告.csv"]
    write_baidu_keyword_report(acc, paths[0])
    write_baidu_plan_report(acc, paths[1])
    write_baidu_search_term_report(acc, paths[2])
    return paths


# ------------------------------------------------------------------ driving the app

def _start() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, at.exception


def _open(at: AppTest, page: str, account_key: str | None, account: str) -> None:
    at.switch_page(page).run()
    _ok(at)
    if account_key is not None:
        box = at.selectbox(key=account_key)
        i = next(i for i, label in enumerate(box.options) if f" · {account} · " in label)
        if box.value != i:
            box.set_value(i).run()
            _ok(at)


def _metric(at: AppTest, key: str) -> str:
    label = i18n.t(key, "zh")
    return next(m.value for m in at.metric if m.label == label)


def _number(text: str) -> float:
    """A figure as the page shows it (``¥764,031``, ``1,950``, ``12.34%``) as a number."""
    return float(re.sub(r"[^0-9.\-]", "", text))


def _frame(at: AppTest, *columns: str) -> pd.DataFrame | None:
    """The page's table holding these columns, or None when the page shows none."""
    return next((d.value for d in at.dataframe if set(columns) <= set(d.value.columns)), None)


def _upload(at: AppTest, paths: list) -> None:
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload_files").set_value([(p.name, p.read_bytes(), "text/csv") for p in paths]).run()
    _ok(at)
    # the search-term report names no account: it belongs to the one whose plans it shares (the suggestion)
    for _ in range(len(paths)):
        asks = [b for b in at.button if str(b.key).startswith("FormSubmitter:upload_account_form_")]
        if not asks:
            break
        asks[0].click().run()
        _ok(at)
    assert not [b for b in at.button if str(b.key).startswith("FormSubmitter:upload_account_form_")]


def _workspace_id(at: AppTest) -> int:
    return at.session_state[ui.K_CTX].ws.id


def _app_workbook(at: AppTest, downloads: dict, account: str) -> openpyxl.Workbook:
    """The workbook the Overview page's button makes for ``account``."""
    _open(at, "pages/overview.py", "overview_account", account)
    downloads.clear()
    at.button(key="overview_report").click().run()
    _ok(at)
    url = at.get("download_button")[0].proto.url
    return openpyxl.load_workbook(io.BytesIO(downloads[url]), read_only=True)


def _sheet(wb: openpyxl.Workbook, key: str) -> pd.DataFrame:
    """A finding's sheet (header on row 1) as a frame of its header names in Chinese;
    an empty sheet's note row is not a row."""
    body = list(wb[sheet_st(f"sheet.{key}", "zh")].iter_rows(values_only=True))
    head = list(body[0])
    rows = [list(r) + [None] * (len(head) - len(r)) for r in body[1:]]
    rows = [r for r in rows if any(v is not None for v in r[1:])]
    return pd.DataFrame(rows, columns=head)


def _col(key: str) -> str:
    return sheet_st(f"col.{key}", "zh")


def _cli(command: str, paths: list, *extra: str) -> list[dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([command, *map(str, paths), "--json", *extra]) == 0
    return json.loads(out.getvalue())


def _of(results: list[dict], account: str) -> dict:
    return next(r for r in results if r["account"] == account)


# ------------------------------------------------------------------ the two accounts

@pytest.fixture(params=["sample", "second"])
def account(request, tmp_path):
    """(app with the account loaded, its name, its export files, extra CLI options: the
    bundle map the workspace keeps for it)."""
    at = _start()
    if request.param == "sample":
        return at, SAMPLE_ACCOUNT, SAMPLE_FILES, ["--bundle-map", str(SAMPLE / "bundle_map.csv")]
    paths = _second_account(tmp_path)
    _upload(at, paths)
    return at, SECOND_ACCOUNT, paths, []


# ------------------------------------------------------------------ Overview and client view

def test_overview_and_client_view_figures_agree(account, downloads):
    at, name, paths, extra = account
    _open(at, "pages/overview.py", "overview_account", name)
    cost, clicks, conversions = (_number(_metric(at, f"overview.{k}")) for k in ("cost", "clicks", "conversions"))
    cpa, cvr = _metric(at, "overview.cpa"), _metric(at, "overview.cvr")
    # the workbook's heading and analyze --json: the account's spend
    cli = _of(_cli("analyze", paths, "--quiet", *extra), name)
    assert cost == round(cli["spend"])
    wb = _app_workbook(at, downloads, name)
    heading = next(wb[sheet_st("sheet.summary", "zh")].iter_rows(min_row=2, max_row=2, values_only=True))[0]
    assert i18n.money(cost, "CNY", 0) in heading
    # the client view over all its days: the same spend, leads and cost per lead
    at.switch_page("pages/client.py").run()
    _ok(at)
    box = next((b for b in at.selectbox if b.key == "client_account"), None)  # none with one account
    if box is not None:
        box.set_value(next(i for i, label in enumerate(box.options) if f" · {name} · " in label)).run()
    at.segmented_control(key="client_period").set_value("all").run()
    _ok(at)
    assert _number(_metric(at, "client.spend")) == cost
    assert _number(_metric(at, "client.leads")) == conversions
    cpl = _number(_metric(at, "client.cpl"))
    assert abs(cpl - _number(cpa)) <= 0.5, (cpl, cpa)   # the client view rounds to the yuan
    # and over its last 30 days, the Overview page given the same days
    at.segmented_control(key="client_period").set_value("30").run()
    _ok(at)
    days = next(d for d in (re.fullmatch(r"(\d{4}-\d{2}-\d{2}) 至 (\d{4}-\d{2}-\d{2})", c.value) for c in at.caption)
                if d).groups()
    spend30, leads30, cpl30 = (_number(_metric(at, f"client.{k}")) for k in ("spend", "leads", "cpl"))
    _open(at, "pages/overview.py", "overview_account", name)
    rng = next(d for d in at.date_input if d.label == i18n.t("overview.range", "zh"))
    rng.set_value((pd.Timestamp(days[0]).date(), pd.Timestamp(days[1]).date())).run()
    _ok(at)
    assert _number(_metric(at, "overview.cost")) == spend30
    assert _number(_metric(at, "overview.conversions")) == leads30
    assert abs(_number(_metric(at, "overview.cpa")) - cpl30) <= 0.5
    assert clicks > 0 and cvr


# ------------------------------------------------------------------ Keywords

def _stage_totals(frame: pd.DataFrame, keywords: str, cost: str, conversions: str) -> tuple:
    return (len(frame), int(frame[keywords].sum()), round(float(frame[cost].sum()), 2),
            round(float(frame[conversions].sum()), 2))


def test_keyword_figures_agree(account, downloads):
    at, name, paths, extra = account
    cli = _of(_cli("analyze", paths, "--quiet", *extra), name)["counts"]
    wb = _app_workbook(at, downloads, name)
    _open(at, "pages/keywords.py", "kw_account", name)
    stages = _frame(at, "stage", "business_line", "keywords", "cvr_ci")
    book = _sheet(wb, "stages")
    assert _stage_totals(stages, "keywords", "cost", "conversions") == \
        _stage_totals(book, _col("keywords"), _col("cost"), _col("conversions"))
    n = int(re.search(r"\d[\d,]*", next(s.value for s in at.subheader
                                         if s.value.startswith(i18n.t("kw.keywords", "zh", n=0)[:2]))).group()
            .replace(",", ""))
    assert n == len(_sheet(wb, "keywords")) == cli["keywords"]
    neg = _frame(at, "search_term", "reason")
    book_neg = _sheet(wb, "negatives")
    assert (0 if neg is None else len(neg)) == len(book_neg) == cli["negative_keywords"]
    if neg is not None:  # the money wasted the tab heads with, and the workbook's sheet
        assert i18n.money(neg["cost"].sum(), "CNY") in "".join(m.value for m in at.markdown)
        assert round(float(neg["cost"].sum()), 2) == round(float(book_neg[_col("cost")].astype(float).sum()), 2)
    fixes = _frame(at, "issue", "unit_line")
    assert (0 if fixes is None else len(fixes)) == len(_sheet(wb, "structure")) == cli["structure_fixes"]


def test_a_lexicon_edit_reaches_the_apps_workbook(downloads):
    at = _start()
    ws = _workspace_id(at)
    key = f"baidu:{SAMPLE_ACCOUNT}:CNY"
    with Store.open(None, ui.DATA_DIR) as s:  # the 汽车开锁 line loses its own name as a cue
        WorkspaceLexiconStore(s, ws).set_edits(key, "zh", LexiconEdits().remove("line:汽车开锁", "汽车开锁")
                                               .add("line:智能锁安装", "智能锁安装"))
    _open(at, "pages/keywords.py", "kw_account", SAMPLE_ACCOUNT)
    page = _frame(at, "stage", "business_line", "keywords", "cvr_ci")
    wb = _app_workbook(at, downloads, SAMPLE_ACCOUNT)
    book = _sheet(wb, "stages")
    assert "智能锁安装" in set(page["business_line"])
    assert sorted(zip(page["keywords"].astype(int), page["cost"].round(2))) == \
        sorted(zip(book[_col("keywords")].astype(int), book[_col("cost")].astype(float).round(2)))


# ------------------------------------------------------------------ oCPC bundles

def test_bundle_figures_agree(account, downloads):
    at, name, paths, extra = account
    cli = _of(_cli("bundles", paths, *extra), name)
    counts = _of(_cli("analyze", paths, "--quiet", *extra), name)["counts"]
    wb = _app_workbook(at, downloads, name)
    _open(at, "pages/bundles.py", "bd_account", name)
    summary = _frame(at, "bundle", "meets_threshold")
    assert len(summary) == len(cli["bundles"]) == counts["bundles"] == len(_sheet(wb, "bundles"))
    ready = int(summary["meets_threshold"].sum())
    assert ready == sum(b["meets_threshold"] for b in cli["bundles"]) == counts["bundles_ready"]
    assert sorted(summary["bundle"]) == sorted(b["bundle"] for b in cli["bundles"])
    assert [round(float(c), 2) for c in summary.sort_values("bundle")["target_cpa"]] == \
        [b["target_cpa"] for b in sorted(cli["bundles"], key=lambda b: b["bundle"])]
    plans = _frame(at, "campaign", "cpa_interval", "thin")
    assert len(plans) == len(cli["plans"]) == counts["plans"] == len(_sheet(wb, "plans"))
    cpc = _frame(at, "keyword", "conv_share")
    assert (0 if cpc is None else len(cpc)) == len(cli["cpc_keywords"]) == counts["cpc_keywords"] \
        == len(_sheet(wb, "cpc_keywords"))
    splits = _frame(at, "campaign", "rest_cpa", "split")
    n_split = 0 if splits is None else int(splits["split"].sum())
    assert n_split == sum(c["split"] for c in cli["split_candidates"]) == counts["split_candidates"]


# ------------------------------------------------------------------ Cost drift

def test_drift_figures_agree(account, downloads):
    at, name, paths, extra = account
    cli = _of(_cli("drift", paths, *extra), name)
    counts = _of(_cli("analyze", paths, "--quiet", *extra), name)["counts"]
    wb = _app_workbook(at, downloads, name)
    _open(at, "pages/drift.py", "dr_account", name)
    n_flags, n_high = int(_number(_metric(at, "dr.n_flags"))), int(_number(_metric(at, "dr.n_high")))
    money = _metric(at, "dr.money_plans")
    # one event, one flag: keyword flags folded under their plan's flag are not counted again
    flagged = [f for f in cli["flags"] if f["status"] == "flag" and not f["folded_under"]]
    assert n_flags == len(flagged) == counts["drift_flags"]
    assert counts["drift_folded"] == sum(f["status"] == "flag" and bool(f["folded_under"]) for f in cli["flags"])
    assert n_high == sum(f["severity"] == "high" for f in flagged)
    table = _frame(at, "severity", "entity", "money_at_stake", "q_value")
    assert (0 if table is None else len(table)) == sum(not f["folded_under"] for f in cli["flags"])
    assert (0 if table is None else int(table["folded"].sum())) == sum(bool(f["folded_under"]) for f in cli["flags"])
    book = _sheet(wb, "drift")
    status, severity = _col("status"), _col("severity")
    flag_name = i18n.code_name(i18n.DRIFT_STATUS, "flag", "zh")
    event = book[_col("folded_under")].isna()
    assert int(((book[status] == flag_name) & event).sum()) == n_flags
    assert int(((book[status] == flag_name) & event
                & (book[severity] == i18n.code_name(i18n.SEVERITY, "high", "zh"))).sum()) == n_high
    # money at stake in flagged plans: each plan once, with its largest flag
    plans: dict[str, float] = {}
    for f in flagged:
        if f["level"] == "campaign" and f["severity"] in ("high", "medium", "low"):
            plans[f["entity"]] = max(plans.get(f["entity"], 0.0), f["money_at_stake"] or 0.0)
    assert money == i18n.money(sum(max(v, 0.0) for v in plans.values()), "CNY", 0)
    learning_book = int((book[status] == i18n.code_name(i18n.DRIFT_STATUS, "learning", "zh")).sum())
    assert learning_book == counts["drift_learning"] == sum(f["status"] == "learning" for f in cli["flags"])


# ------------------------------------------------------------------ the vertical

def test_the_vertical_is_detected_the_same_way_by_the_pages_analyze_and_the_commands():
    """Keywords that name no line (a brand, a phone number) and search terms about moving:
    the pages detect the vertical from both, so analyze and the commands must too."""
    from optimizer.analysis.summary import analyze_account
    from optimizer.cli import _each_account
    from optimizer.keywords.stages import account_vertical
    from tests.test_counts import rows

    recs = [{"keyword": kw, "date": f"2026-11-0{d}"} for kw in ("安心师傅", "安心师傅电话", "安心服务热线")
            for d in (1, 2, 3)]
    recs += [{"report_type": "search_term", "keyword": "安心师傅", "search_term": term, "date": "2026-11-03"}
             for term in ("居民搬家", "公司搬家多少钱", "家庭搬家电话", "企业搬迁公司")]
    table = rows(recs)
    assert account_vertical(table) == "moving"            # what the Keywords page shows as detected
    assert analyze_account(table).vertical == "moving"     # the app's workbook and analyze --json
    assert [c.vertical for _, _, c in _each_account(table, "auto")] == ["moving"]   # bundles / drift / landing


def test_the_apps_workbook_compares_urls_with_the_earlier_upload_as_the_landing_page_does(tmp_path, downloads):
    """A re-download after one unit's pages moved: the Landing pages page compares it with
    the earlier upload; the workbook the app offers lists the same URL changes."""
    acc = generate_account(AccountConfig(seed=91, language="zh", account=SECOND_ACCOUNT, n_keywords=400, days=70))
    before, after = tmp_path / "鑫安_关键词报告_旧.csv", tmp_path / "鑫安_关键词报告_新.csv"
    write_baidu_keyword_report(acc, before)
    d = acc.daily.copy()
    for c in ("final_url", "mobile_final_url", "campaign", "ad_group"):
        d[c] = d[c].astype(str)
    unit = d[["campaign", "ad_group"]].iloc[0]
    moved = (d["campaign"] == unit["campaign"]) & (d["ad_group"] == unit["ad_group"])
    for c in ("final_url", "mobile_final_url"):
        d.loc[moved, c] = d.loc[moved, c].str.replace(".html", "-new.html", regex=False)
    import dataclasses
    write_baidu_keyword_report(dataclasses.replace(acc, daily=d), after)
    at = _start()
    _upload(at, [before])
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload_files").set_value([(after.name, after.read_bytes(), "text/csv")]).run()
    _ok(at)
    _open(at, "pages/landing.py", None, SECOND_ACCOUNT)
    shown = int(_number(_metric(at, "lp.url_changes")))
    wb = _app_workbook(at, downloads, SECOND_ACCOUNT)
    changes = _sheet(wb, "url_changes")
    assert shown == len(changes)
    assert (changes[_col("campaign")] == unit["campaign"]).any()
