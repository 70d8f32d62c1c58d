"""The same finding has the same number everywhere: on the page's tile, in its table,
in the workbook (and its CSV) and in the command line's JSON. Each headline figure is
computed two ways — the page (AppTest) against the workbook or ``--json`` — on the
bundled sample and on a second, generated account whose PC URLs of one plan point to
another line's page and one unit of which moved to another website."""
from __future__ import annotations

import dataclasses
import io
import json
from datetime import timedelta

import numpy as np
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import tests.apptest  # noqa: F401 - every run goes through app.py, as on the server

import ui
from optimizer import i18n
from optimizer.landing import report as landing_report
from optimizer.reading import schema
from optimizer.analysis.summary import analyze_account
from optimizer.outputs.analyze import analysis_json
from optimizer.cli import main
from optimizer.model.dataset import for_account, load_exports
from optimizer.outputs.sheet_text import st as sheet_st
from optimizer.keywords.stages import Classifier
from optimizer.store.database import Store
from optimizer.outputs.workbook import sheet_csvs, workbook_bytes
from sample_data import AccountConfig, generate_account, write_baidu_keyword_report
from tests.conftest import ROOT, SAMPLE


# ------------------------------------------------------------------ hand-made rows

def rows(records: list[dict], platform: str = "baidu") -> pd.DataFrame:
    """A hand-made keyword report: defaults for everything a record does not say."""
    base = {"platform": platform, "report_type": "keyword", "source_file": "hand.csv", "account": "A",
            "campaign": "C", "ad_group": "U", "match_type": "exact", "impressions": 10.0, "clicks": 2.0,
            "cost": 10.0, "conversions": 0.0}
    df = pd.DataFrame([{**base, **r} for r in records])
    df["date"] = pd.to_datetime(df["date"])
    df["period_start"] = df["period_end"] = df["date"]
    df["source_row"] = np.arange(2, len(df) + 2)
    return schema.conform(df)


def test_a_mismatch_on_the_pc_url_is_counted_on_a_row_of_the_page_table():
    # 换锁 keywords whose phones land on the 换锁 page but whose PC URL is the 开锁 page:
    # the clicks are counted on the mobile page, the mismatch is judged on the PC one
    recs = [{"keyword": kw, "date": "2026-11-01", "final_url": "https://www.a.cn/kaisuo.html",
             "mobile_final_url": "https://m.a.cn/huansuo.html"} for kw in ("换锁", "换锁芯", "换锁公司")]
    recs.append({"keyword": "开锁", "date": "2026-11-01", "final_url": "https://www.a.cn/kaisuo.html",
                 "mobile_final_url": "https://m.a.cn/kaisuo.html"})
    rep = landing_report.build(rows(recs), Classifier("locksmith"), currency="CNY")
    n = int(rep.match["match"].eq(False).sum())
    assert n == 3 and int(rep.mismatches["keywords"].sum()) == 3
    assert int(rep.pages["mismatched_keywords"].sum()) == 3
    assert rep.counts()["mismatched_keywords"] == 3
    p = rep.pages.set_index("page")
    assert p.loc["m.a.cn/huansuo.html", "status"] == "amber"
    assert "www.a.cn/kaisuo.html" in p.loc["m.a.cn/huansuo.html", "reasons_zh"]
    assert "www.a.cn/kaisuo.html" in p.loc["m.a.cn/huansuo.html", "reasons_en"]


def test_a_page_whose_keywords_moved_to_another_site_is_red():
    recs = []
    for day in ("2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"):
        moved = day >= "2026-11-03"
        for kw in ("换锁", "换锁芯"):
            recs.append({"keyword": kw, "date": day,
                         "final_url": "https://www.other-lock.com/hs.html" if moved else "https://www.a.cn/huansuo.html",
                         "mobile_final_url": "https://m.other-lock.com/hs.html" if moved else "https://m.a.cn/huansuo.html"})
        recs.append({"keyword": "开锁", "date": day, "final_url": "https://www.a.cn/kaisuo.html",
                     "mobile_final_url": "https://m.a.cn/kaisuo.html"})
    rep = landing_report.build(rows(recs), Classifier("locksmith"), currency="CNY")
    assert set(rep.drift["kind"]) == {"new_domain"}
    p = rep.pages.set_index("page")
    old = p.loc["m.a.cn/huansuo.html"]
    assert old["status"] == "red"
    assert "other-lock.com" in old["reasons_zh"] and "2 个关键词" in old["reasons_zh"]
    assert "other-lock.com" in old["reasons_en"] and "2 keywords" in old["reasons_en"]
    assert p.loc["m.other-lock.com/hs.html", "status"] == "red"
    assert p.loc["m.a.cn/kaisuo.html", "status"] == "grey"


# ------------------------------------------------------------------ the workbook's URL changes

@pytest.fixture(scope="module")
def sample_rows():
    return load_exports([SAMPLE / "baidu_keyword_report.csv"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_workbook_lists_every_url_finding(sample_rows, lang):
    a = analyze_account(sample_rows, "locksmith")
    rep = landing_report.build(sample_rows, Classifier("locksmith"), currency="CNY")
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(a, lang)), read_only=True)
    name = sheet_st("sheet.url_changes", lang)
    assert name in wb.sheetnames
    body = list(wb[name].iter_rows(values_only=True))
    header = list(body[0])
    assert header == [sheet_st(f"col.{c}", lang) for c in
                      ("kind", "severity", "campaign", "ad_group", "keyword", "field", "old", "new", "date",
                       "detail")]
    assert len(body) - 1 == len(rep.drift) == a.counts()["landing_url_findings"]
    kinds = {r[0] for r in body[1:]}
    assert i18n.code_name(i18n.URL_DRIFT_KIND, "url_changed", lang) in kinds
    assert {r[5] for r in body[1:]} <= {sheet_st("field.final_url", lang), sheet_st("field.mobile_final_url", lang),
                                        None}
    csv = sheet_csvs(a, lang)[name].decode("utf-8-sig").splitlines()
    assert len(csv) - 1 == len(rep.drift)


# ------------------------------------------------------------------ a second account

def _second_account(tmp_path):
    """A generated Baidu account (another seed and name): the PC URLs of the 换锁 core plan
    point to the 开锁 page (phones land on the 换锁 page), and one 修锁 unit moves to
    another website 10 days before the end."""
    acc = generate_account(AccountConfig(seed=77, language="zh", account="鑫安开锁服务", n_keywords=500,
                                         days=60))
    d = acc.daily.copy()
    for c in ("final_url", "mobile_final_url", "campaign", "ad_group"):
        d[c] = d[c].astype(str)
    core = d["campaign"] == "换锁-核心词"
    d.loc[core, "final_url"] = d.loc[core, "final_url"].str.replace(r"/[^/]*\.html$", "/kaisuo.html", regex=True)
    unit = d.loc[d["campaign"].str.startswith("修锁"), ["campaign", "ad_group"]].iloc[0]
    moved = (d["campaign"] == unit["campaign"]) & (d["ad_group"] == unit["ad_group"]) & \
        (d["date"] >= d["date"].max() - timedelta(days=10))
    for c in ("final_url", "mobile_final_url"):
        d.loc[moved, c] = d.loc[moved, c].str.replace("example-kaisuo.cn", "xin-an-lock.com", regex=False)
    path = tmp_path / "鑫安_关键词报告.csv"
    write_baidu_keyword_report(dataclasses.replace(acc, daily=d), path)
    return path


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(ui, "DATA_DIR", tmp_path / "db")
    (tmp_path / "db").mkdir()
    return tmp_path / "db"


def _start() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _metric(at: AppTest, label_key: str) -> str:
    label = i18n.t(label_key, "zh")
    return next(m.value for m in at.metric if m.label == label)


def _pick(at: AppTest, key: str, starts: str) -> None:
    box = at.selectbox(key=key)
    i = next(i for i, label in enumerate(box.options) if label.startswith(starts))
    box.set_value(i).run()
    assert not at.exception, at.exception


def _table(at: AppTest) -> pd.DataFrame:
    with Store.open(None, ui.DATA_DIR) as s:
        return s.workspace_table(at.session_state[ui.K_CTX].ws.id).table


def _landing_json(path) -> dict:
    import contextlib
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["landing", str(path), "--json"]) == 0
    return json.loads(out.getvalue())[0]


def _workbook_landing(rows_: pd.DataFrame) -> dict:
    """The landing figures as the workbook (made as the Overview page makes it) holds them."""
    a = analyze_account(rows_, "locksmith")
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(a, "zh")), read_only=True)
    table = list(wb[sheet_st("sheet.landing", "zh")].iter_rows(values_only=True))
    head, body = list(table[0]), table[1:]
    col = {h: i for i, h in enumerate(head)}
    changes = list(wb[sheet_st("sheet.url_changes", "zh")].iter_rows(values_only=True))
    return {
        "pages": len(body),
        "red": sum(1 for r in body if r[col[sheet_st("col.status", "zh")]] == sheet_st("landing.red", "zh")),
        "url_findings": len(changes) - 1,
        "mismatched_keywords": sum(int(r[col[sheet_st("col.mismatched_keywords", "zh")]] or 0) for r in body),
        "json": analysis_json(a)["counts"],
    }


def _check_landing(at: AppTest, rows_: pd.DataFrame, cli: dict) -> None:
    at.switch_page("pages/landing.py").run()
    assert not at.exception, at.exception
    shown = {k: int(_metric(at, f"lp.{k}").replace(",", "")) for k in ("pages", "red", "url_changes", "mismatched")}
    # the tables under the tiles
    drift_table = next((d.value for d in at.dataframe if {"old", "new"} <= set(d.value.columns)), pd.DataFrame())
    mismatch_table = next((d.value for d in at.dataframe if "examples" in d.value.columns), pd.DataFrame())
    assert shown["url_changes"] == len(drift_table)
    assert shown["mismatched"] == (int(mismatch_table["keywords"].sum()) if len(mismatch_table) else 0)
    # the command line
    assert shown["pages"] == len(cli["pages"])
    assert shown["red"] == sum(p["status"] == "red" for p in cli["pages"])
    assert shown["url_changes"] == len(cli["url_drift"]) == cli["counts"]["url_findings"]
    assert shown["mismatched"] == len(cli["mismatches"]) == cli["counts"]["mismatched_keywords"]
    assert shown["mismatched"] == sum(p["mismatched_keywords"] for p in cli["pages"])
    # the workbook and analyze --json
    book = _workbook_landing(rows_)
    assert (shown["pages"], shown["red"]) == (book["pages"], book["red"])
    assert shown["url_changes"] == book["url_findings"] == book["json"]["landing_url_findings"]
    assert shown["mismatched"] == book["mismatched_keywords"] == book["json"]["landing_mismatched_keywords"]
    assert (shown["pages"], shown["red"]) == (book["json"]["landing_pages"], book["json"]["landing_red"])
    money = _metric(at, "lp.drop_money")
    assert money == i18n.money(sum(max(p["cvr_drop"]["money_at_stake"] or 0, 0) for p in cli["pages"]
                                   if p["cvr_drop"]), "CNY", 0)


def test_landing_figures_agree_on_the_sample():
    at = _start()
    at.switch_page("pages/landing.py").run()
    _pick(at, "lp_account", "百度营销 · ")
    baidu = for_account(_table(at), "baidu", "北京安心开锁", "CNY")
    _check_landing(at, baidu, _landing_json(SAMPLE / "baidu_keyword_report.csv"))


def test_landing_figures_agree_on_a_second_account(tmp_path):
    path = _second_account(tmp_path)
    at = _start()
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload_files").set_value([(path.name, path.read_bytes(), "text/csv")]).run()
    assert not at.exception, at.exception
    at.switch_page("pages/landing.py").run()
    rows_ = for_account(_table(at), "baidu", "鑫安开锁服务", "CNY")
    cli = _landing_json(path)
    assert cli["counts"]["mismatched_keywords"] > 0
    assert any(d["kind"] == "new_domain" for d in cli["url_drift"])
    _check_landing(at, rows_, cli)
