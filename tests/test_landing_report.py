"""One row per landing page with a status (optimizer.landing_report) and
``python -m optimizer landing``: the sample's planted CVR drop makes its page red, the
planted mismatches make theirs amber, audits turn pages green or red, and a page that
changed since its last audit says so."""
from __future__ import annotations

import json

import pytest

from optimizer import landing_report
from optimizer.audit import AuditSettings, audit_html
from optimizer.cli import main
from optimizer.dataset import load_exports
from optimizer.stages import Classifier
from tests.conftest import FIXTURES, SAMPLE

PAGES = FIXTURES / "pages"
NO_BROWSER = AuditSettings(use_browser="never")
HUANSUO = "m.example-kaisuo.cn/huansuo.html"
KAISUO = "m.example-kaisuo.cn/kaisuo.html"
XIUSUO = "m.example-kaisuo.cn/xiusuo.html"


@pytest.fixture(scope="module")
def rows():
    return load_exports([SAMPLE / "baidu_keyword_report.csv"])


@pytest.fixture(scope="module")
def clf():
    return Classifier("locksmith")


def test_the_sample_pages_without_audits(rows, clf):
    rep = landing_report.build(rows, clf, currency="CNY")
    p = rep.pages.set_index("page")
    assert p.loc[HUANSUO, "status"] == "red" and "转化率自 11-08 起下降 33%，已多花 ¥" in p.loc[HUANSUO, "reasons_zh"]
    assert p.loc[KAISUO, "status"] == "amber" and p.loc[KAISUO, "mismatched_keywords"] == 6
    assert p.loc[XIUSUO, "status"] == "grey"
    assert rep.pages["status"].iloc[0] == "red"  # worst first
    assert p.loc[KAISUO, "n_keywords"] > 900 and len(p.loc[KAISUO, "cvr_weekly"]) >= 12
    assert (rep.pages["cost"].sum() == pytest.approx(rows.loc[rows["report_type"].astype(str) == "keyword",
                                                               "cost"].sum()))


def test_audits_turn_pages_green_or_red_and_changes_are_noticed(rows, clf):
    # the fixture page is about 开锁; made about 修锁 it fits the 修锁 page's keywords
    xiusuo_html = (PAGES / "good.html").read_text(encoding="utf-8").replace("开锁", "修锁")
    good = audit_html(xiusuo_html.encode("utf-8"), "https://" + XIUSUO, NO_BROWSER)
    about_kaisuo = audit_html((PAGES / "good.html").read_bytes(), "https://" + XIUSUO, NO_BROWSER)
    no_tel = audit_html((PAGES / "no_tel.html").read_bytes(), "https://" + KAISUO, NO_BROWSER)
    no_call = audit_html((PAGES / "good_no_call.html").read_bytes(), "https://" + XIUSUO, NO_BROWSER)
    rep = landing_report.build(rows, clf, audits={XIUSUO: good, KAISUO: no_tel})
    p = rep.pages.set_index("page")
    assert p.loc[XIUSUO, "status"] == "green" and bool(p.loc[XIUSUO, "audited"])
    assert p.loc[KAISUO, "status"] == "red" and "电话" in p.loc[KAISUO, "reasons_zh"]
    # the same page reading as 开锁: its 修锁 keywords no longer fit
    p = landing_report.build(rows, clf, audits={XIUSUO: about_kaisuo}).pages.set_index("page")
    assert p.loc[XIUSUO, "status"] == "amber" and p.loc[XIUSUO, "mismatched_keywords"] > 50
    rep = landing_report.build(rows, clf, audits={XIUSUO: no_call}, previous_audits={XIUSUO: good})
    p = rep.pages.set_index("page")
    assert p.loc[XIUSUO, "status"] == "red" and bool(p.loc[XIUSUO, "page_changed"])
    assert "tel_removed" in {c["code"] for c in rep.changes[XIUSUO]}


def test_cli_landing_json(capsys):
    assert main(["landing", str(SAMPLE / "baidu_keyword_report.csv"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)[0]
    assert {"platform", "account", "currency", "vertical", "pages", "url_drift", "mismatches", "audits"} <= set(out)
    page = next(p for p in out["pages"] if p["page"] == HUANSUO)
    assert page["status"] == "red" and page["cvr_drop"]["start"] == "2026-11-08"
    assert {"page", "status", "reasons", "reasons_zh", "keywords", "cost", "clicks", "conversions", "cvr", "cpa",
            "cvr_drop", "mismatched_keywords", "url_findings", "audited"} <= set(page)
    changed = [d for d in out["url_drift"] if d["kind"] == "url_changed"]
    assert changed and all(d["campaign"] == "换锁-询价" and d["date"] == "2026-11-10" for d in changed)
    assert len(out["mismatches"]) == 6


def test_cli_landing_text_and_bad_input(capsys):
    assert main(["landing", str(SAMPLE / "baidu_keyword_report.csv")]) == 0
    assert "[red  ] m.example-kaisuo.cn/huansuo.html" in capsys.readouterr().out
    assert main(["landing", str(FIXTURES / "bad_non_numeric.csv")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "row" in err
