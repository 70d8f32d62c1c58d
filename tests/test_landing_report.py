"""One row per landing page with a status (optimizer.landing.report) and
``python -m optimizer landing``: the sample's planted CVR drop makes its page red, the
planted mismatches make theirs amber, audits turn pages green or red, and a page that
changed since its last audit says so."""
from __future__ import annotations

import json

import pytest

from optimizer.landing import report as landing_report
from optimizer.landing.audit import AuditSettings, audit_html
from optimizer.cli import main
from optimizer.model.dataset import load_exports
from optimizer.keywords.stages import Classifier
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


def test_a_page_that_could_not_be_fetched_for_want_of_internet_is_not_checked_not_red(rows, clf):
    import socket

    def no_dns(host, port):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    from optimizer.landing.audit import audit_urls
    offline, = audit_urls(["https://" + XIUSUO], AuditSettings(use_browser="never", resolver=no_dns))
    p = landing_report.build(rows, clf, audits={XIUSUO: offline}).pages.set_index("page")
    assert p.loc[XIUSUO, "status"] == "grey" and not bool(p.loc[XIUSUO, "audited"])
    assert p.loc[XIUSUO, "reasons_zh"].startswith("无法检查") and "不存在" not in p.loc[XIUSUO, "reasons_zh"]
    assert p.loc[XIUSUO, "reasons_en"].startswith("Could not check")


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


# ----------------------------------------------------------------------------- business-line words on the page

def hand_rows(records: list[dict]):
    """A hand-made keyword report, one day per record unless it says otherwise."""
    import numpy as np
    import pandas as pd
    from optimizer.reading import schema
    base = {"platform": "baidu", "report_type": "keyword", "source_file": "hand.csv", "account": "A",
            "campaign": "C", "ad_group": "U", "match_type": "exact", "impressions": 100.0, "clicks": 10.0,
            "conversions": 1.0, "date": "2026-11-01", "currency": "CNY"}
    df = pd.DataFrame([{**base, **r} for r in records])
    df["date"] = pd.to_datetime(df["date"])
    df["period_start"] = df["period_end"] = df["date"]
    df["source_row"] = np.arange(2, len(df) + 2)
    return schema.conform(df)


HUANSUO_KWS = ["换锁", "换锁芯", "换门锁", "更换锁芯", "换锁多少钱", "换锁师傅", "换锁电话", "换锁公司", "换锁芯价格",
               "上门换锁", "附近换锁", "换锁芯电话"]
LP = "https://m.a.cn/huansuo.html"


def huansuo_rows(extra: list[dict] = ()):
    """12 换锁 keywords (¥3,400) on the 换锁 page, plus ``extra``."""
    costs = [300.0] * 10 + [200.0] * 2
    return hand_rows([{"keyword": k, "cost": c, "final_url": LP, "mobile_final_url": LP}
                      for k, c in zip(HUANSUO_KWS, costs)] + list(extra))


def hand_audit(text: str, title: str = "北京安心服务", **kw):
    """An audit made by hand: read fine, nothing else found (so only the line check can speak)."""
    from optimizer.landing.audit import PageAudit
    return PageAudit(url=LP, fetched_url=LP, title=title, headings=[["h1", title]], text=text,
                     first_screen_text=text[:50], tel_links=["4001234567"], tel_on_first_screen=True,
                     fixed_bottom_bar=True, fingerprint="hand", **kw)


def test_a_line_the_page_never_mentions_makes_it_amber(clf):
    page = landing_report.landing.page_of(LP)
    # the address says 换锁 (so the keywords fit by the match), the text never does
    silent = hand_audit("专业师傅，上门快，价格透明。")
    rep = landing_report.build(huansuo_rows(), clf, audits={page: silent}, currency="CNY")
    row = rep.pages.set_index("page").loc[page]
    assert row["status"] == "amber" and row["mismatched_keywords"] == 0
    assert row["reasons_zh"] == "页面没有提到“换锁”，但 12 个换锁关键词（花费 ¥3,400）落到这里"
    assert row["reasons_en"] == "The page never mentions Lock change, yet 12 Lock change keywords (¥3,400) land here"
    assert row["unmentioned_lines"] == [{"line": "换锁", "keywords": 12, "cost": 3400.0, "share": 1.0}]
    lines = rep.lines.set_index("business_line")
    assert not lines.loc["换锁", "mentioned"] and lines.loc["换锁", "words_found"] == []
    # any word of the line counts: its name, a Chinese cue (锁芯) or an English one (rekey)
    for text in ("C级锁芯现货，上门安装。", "We rekey and replace locks."):
        rep = landing_report.build(huansuo_rows(), clf, audits={page: hand_audit(text)}, currency="CNY")
        row = rep.pages.set_index("page").loc[page]
        assert row["status"] == "green" and row["unmentioned_lines"] == [], text
        assert rep.lines["mentioned"].tolist() == [True]
    # an audit that could not read the page judges nothing; no audit, nothing either
    broken = hand_audit("", error="http_error", status=404)
    broken.fingerprint = None
    assert landing_report.build(huansuo_rows(), clf, audits={page: broken}).lines.empty
    assert landing_report.build(huansuo_rows(), clf).pages["unmentioned_lines"].tolist() == [[]]


def test_the_share_threshold_is_a_parameter(clf):
    page = landing_report.landing.page_of(LP)
    # one 修锁 keyword (¥100, 2.9 % of the page's spend) and one naming no line (¥600, not judged)
    rows = huansuo_rows([{"keyword": "修锁", "cost": 100.0, "final_url": LP, "mobile_final_url": LP},
                         {"keyword": "北京师傅上门", "cost": 600.0, "final_url": LP, "mobile_final_url": LP}])
    audit = hand_audit("换锁芯，上门快。")
    rep = landing_report.build(rows, clf, audits={page: audit}, currency="CNY")
    row = rep.pages.set_index("page").loc[page]
    assert landing_report.LINE_MIN_SHARE == 0.2
    assert "修锁" not in row["reasons_zh"] and "1 个其他业务的关键词" in row["reasons_zh"]  # the mismatch only
    assert rep.lines["business_line"].tolist() == ["换锁"]  # 3,400 of 4,100: 83 %
    assert rep.lines["share"].iloc[0] == pytest.approx(3400 / 4100)
    rep = landing_report.build(rows, clf, audits={page: audit}, currency="CNY", line_min_share=0.02)
    row = rep.pages.set_index("page").loc[page]
    assert "页面没有提到“修锁”，但 1 个修锁关键词（花费 ¥100）落到这里" in row["reasons_zh"]
    assert "The page never mentions Lock repair, yet 1 Lock repair keyword (¥100) lands here" in row["reasons_en"]
    assert "1 keyword of another business line lands here" in row["reasons_en"]
    assert row["status"] == "amber"


def test_page_keywords_lists_every_keyword_of_a_page(rows, clf):
    rep = landing_report.build(rows, clf)
    kws = rep.keywords_of(HUANSUO)
    assert list(kws.columns) == landing_report.KEYWORD_COLUMNS
    assert kws["cost"].is_monotonic_decreasing and kws["keyword"].is_unique
    assert set(kws["business_line"]) == {"换锁"} and kws["clicks"].sum() > 0
    # the 11 keywords moved to huansuo-v2 on 11-10 are listed there now, but their days on
    # huansuo.html before the move still count in that page's totals
    moved = rep.keywords_of("m.example-kaisuo.cn/huansuo-v2.html")
    assert len(moved) == 11 and set(moved["campaign"]) == {"换锁-询价"}
    row = rep.pages.set_index("page").loc[HUANSUO]
    assert row["n_keywords"] == len(kws) + len(moved)
    assert rep.keywords["cost"].sum() == pytest.approx(rep.pages["cost"].sum())


# ----------------------------------------------------------------------------- command line

def split_sample(tmp_path, day: str = "2026-11-10"):
    """The sample keyword report as two downloads: the days before ``day``, and from ``day`` on."""
    import re
    raw = (SAMPLE / "baidu_keyword_report.csv").read_bytes().decode("gbk").splitlines()
    h = next(i for i, line in enumerate(raw) if line.startswith("日期,"))
    data = [line for line in raw[h + 1:] if re.match(r"\d{4}-\d\d-\d\d,", line)]
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    before.write_bytes("\n".join(raw[:h + 1] + [x for x in data if x[:10] < day]).encode("gbk"))
    after.write_bytes("\n".join(raw[:h + 1] + [x for x in data if x[:10] >= day]).encode("gbk"))
    return before, after


def test_cli_landing_previous_snapshot(tmp_path, capsys):
    before, after = split_sample(tmp_path)
    assert main(["landing", str(after), "--json"]) == 0
    alone = json.loads(capsys.readouterr().out)[0]
    assert alone["compared_with_previous"] is False
    assert not [d for d in alone["url_drift"] if d["kind"] == "url_changed"]  # the new upload only knows the new URL
    assert main(["landing", str(after), "--previous", str(before), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)[0]
    assert out["compared_with_previous"] is True
    changed = [d for d in out["url_drift"] if d["kind"] == "url_changed"]
    assert len(changed) == 22 and {d["field"] for d in changed} == {"final_url", "mobile_final_url"}
    assert all(d["campaign"] == "换锁-询价" and d["date"] == "2026-11-10" for d in changed)
    assert {(d["old"], d["new"]) for d in changed if d["field"] == "mobile_final_url"} == {
        ("https://m.example-kaisuo.cn/huansuo.html", "https://m.example-kaisuo.cn/huansuo-v2.html")}
    v2 = next(p for p in out["pages"] if p["page"] == "m.example-kaisuo.cn/huansuo-v2.html")
    assert v2["status"] == "amber" and v2["url_findings"] == 11  # the mobile URLs (the page clicks land on)
    # the text output says the same, and names the mismatched keywords
    assert main(["landing", str(after), "--previous", str(before)]) == 0
    text = capsys.readouterr().out
    assert "(against the previous export)" in text and "URL url_changed" in text
    assert "MISMATCH " in text and "→ m.example-kaisuo.cn/kaisuo.html: keyword line 换锁, page line 开锁" in text
    # an unreadable previous export: exit 1, one line on stderr
    assert main(["landing", str(after), "--previous", str(FIXTURES / "bad_non_numeric.csv")]) == 1
    assert capsys.readouterr().err.startswith("error: ")
    assert main(["landing", str(after), "--line-min-share", "1.5"]) == 2
    assert "--line-min-share" in capsys.readouterr().err


def test_cli_landing_prints_mismatches_and_cvr_drops(capsys):
    assert main(["landing", str(SAMPLE / "baidu_keyword_report.csv"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)[0]
    drop = next(d for d in out["cvr_drops"] if d["page"] == HUANSUO)
    assert drop["start"] == "2026-11-08" and drop["change"] == pytest.approx(-0.33, abs=0.01)
    assert drop["money_at_stake"] > 0 and drop["before"] > drop["after"] and len(drop["ci"]) == 2
    assert {"keyword", "campaign", "keyword_line", "page", "page_line", "reason", "reason_zh"} <= set(
        out["mismatches"][0])
    assert main(["landing", str(SAMPLE / "baidu_keyword_report.csv")]) == 0
    text = capsys.readouterr().out
    assert "1 CVR drops" in text
    assert f"CVR DROP {HUANSUO}: 8.6% → 5.8% (-33%) since 2026-11-08" in text
    assert text.count("MISMATCH ") == 6 and "keyword line 换锁, page line 开锁" in text


def test_the_earlier_snapshot_offered_is_one_of_the_accounts_own_uploads():
    from datetime import datetime, timezone
    from types import SimpleNamespace as NS

    from optimizer.landing.report import default_previous, snapshot_uploads

    def up(i, platform, currency, account_name=None, day=1):
        info = NS(columns={"final_url": "访问URL"}, currency=currency)
        return NS(id=i, platform=platform, info=info, account_name=account_name,
                  uploaded_at=datetime(2026, 12, day, tzinfo=timezone.utc))

    uploads = [up(1, "baidu", "CNY", day=1), up(2, "baidu", "CNY", day=2), up(3, "google_ads", "USD", day=3),
               up(4, "google_ads", "USD", "Rose Petal", day=4)]
    # the Baidu account is compared with its own earlier download, not the newest Google file
    baidu = snapshot_uploads(uploads, ("baidu", "北京快捷开锁", "CNY"))
    assert [u.id for u in baidu] == [2, 1] and default_previous(baidu).id == 1
    assert [u.id for u in snapshot_uploads(uploads, ("google_ads", "", "USD"))] == [3]
    assert [u.id for u in snapshot_uploads(uploads, ("google_ads", "Rose Petal", "USD"))] == [4, 3]


def test_a_move_to_another_domain_counts_keywords_not_url_findings(rows, clf):
    # every keyword of one unit moves to one page of another site, desktop and mobile URL alike:
    # two findings a keyword on that page
    moved = rows.copy()
    at = (moved["campaign"] == "开锁-核心词") & (moved["ad_group"] == "核心词-地域") & (moved["date"] >= "2026-11-01")
    for col in ("final_url", "mobile_final_url"):
        moved[col] = moved[col].astype(object)
        moved.loc[at & moved[col].notna(), col] = "https://www.other-lock.cn/kaisuo.html"
    rep = landing_report.build(moved, clf)
    keywords = rep.drift.loc[rep.drift["kind"] == "new_domain", ["campaign", "ad_group", "keyword"]].drop_duplicates()
    findings = int((rep.drift["kind"] == "new_domain").sum())
    assert 1 < len(keywords) < findings
    page = rep.pages.loc[rep.pages["reasons_zh"].str.contains("换到了另一个网站", na=False)].iloc[0]
    assert f"（共 {len(keywords)} 个关键词）" in page["reasons_zh"], page["reasons_zh"]
    assert f"({len(keywords)} keywords)" in page["reasons_en"]
    assert page["url_findings"] >= findings > len(keywords)   # findings are still counted as findings


def test_the_workbook_names_a_page_status_as_the_landing_page_does():
    from optimizer import i18n
    from optimizer.outputs import sheet_text
    for status, (zh, en) in i18n.PAGE_STATUS.items():
        assert sheet_text.st(f"landing.{status}", "zh") == zh.split(" ", 1)[1]
        assert sheet_text.st(f"landing.{status}", "en") == en.split(" ", 1)[1]
