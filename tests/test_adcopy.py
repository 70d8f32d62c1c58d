"""Ad copy: creative reports read as the platforms write them, message cues per language,
findings per unit against its stage, look-alike copy, and the sample's planted problems."""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from optimizer.adcopy.analysis import SIMILAR, _similar_text, analyse
from optimizer.adcopy.cues import load
from optimizer.errors import IngestError
from optimizer.keywords.stages import classifier, keyword_performance
from optimizer.reading.ingest import read_export
from optimizer.reading.schema import concat
from tests.conftest import FIXTURES, ROOT, SAMPLE

SAMPLE_FILES = {"zh": ("baidu_keyword_report.csv", "baidu_creative_report.csv"),
                "en": ("google_keyword_report.csv", "google_ad_report.csv")}


# ---------------------------------------------------------------- reading

def test_baidu_creative_report_keeps_wildcards_and_joins_descriptions():
    t = read_export(FIXTURES / "baidu_creative_daily_gbk.csv").table
    assert set(t["report_type"]) == {"ad"}
    assert t["ad_headline"].iloc[0] == "{开锁电话}24小时上门,师傅15分钟到"
    assert t["ad_description"].iloc[0] == "公安备案开锁公司,全市连锁,拨打电话师傅马上出发。\n收费透明,开锁30元起,不开不收费。"
    assert t["ad_description"].iloc[1] == "{关键词}就近派单,距您最近的师傅上门。"   # empty 创意描述2 left out
    assert t["keyword"].isna().all()


def test_google_ad_report_reads_responsive_and_expanded_ads():
    exp = read_export(FIXTURES / "google_ad_report.csv")
    t = exp.table
    assert exp.info.report_type == "ad" and exp.info.totals_check == "ok"
    assert t["ad_headline"].iloc[0].split("\n") == ["Call Now: Austin Locksmith", "{KeyWord:Locksmith Near Me}",
                                                     "Here in 15 Minutes", "Licensed & Insured"]
    assert t["ad_headline"].iloc[2].split("\n") == ["Rekey Your Locks Today", "Same-Day Rekey Service", "Austin, TX"]
    assert exp.info.columns["ad_headline"].startswith("Headline 1 + Headline 2")


def test_ad_report_without_copy_names_the_missing_columns():
    with pytest.raises(IngestError) as caught:
        read_export(FIXTURES / "bad_ad_report_no_copy.csv")
    assert caught.value.kind == "missing_column"
    for lang in ("zh", "en"):
        assert "Headline 1" in caught.value.message(lang) and "bad_ad_report_no_copy.csv" in caught.value.message(lang)


def test_search_term_report_with_ad_title_stays_a_search_term_report():
    """360's search-term report carries 创意标题 beside 关键词 and 搜索词: still search terms."""
    data = ("推广计划,推广组,创意标题,关键词,搜索词,展示次数,点击次数,总费用\n"
            "开锁,开锁电话,开锁电话24小时,开锁电话,附近开锁电话,100,5,20.00\n").encode("utf-8")
    assert read_export(data, "360.csv").info.report_type == "search_term"


# ---------------------------------------------------------------- cues

@pytest.mark.parametrize("language, text, groups", [
    ("zh", "{开锁电话}24小时上门,师傅15分钟到", {"phone", "speed", "insertion"}),
    ("zh", "开锁多少钱?明码标价,30元起", {"price"}),
    ("zh", "正规开锁公司,公安备案,十年老店", {"trust"}),
    ("zh", "【距您500m】师傅就近出发", {"speed"}),
    ("en", "Call Now: Austin Locksmith | Licensed & Insured", {"phone", "trust"}),
    ("en", "Lockout service from $49, 10% off", {"price", "offer"}),
    ("en", "Recall our team", set()),   # 'call' only as a whole word
])
def test_cues_per_language(language, text, groups):
    assert set(load(language).found(text)) == groups


# ---------------------------------------------------------------- the sample's planted problems

@pytest.fixture(scope="module", params=["zh", "en"])
def sample_report(request):
    kw, ads = SAMPLE_FILES[request.param]
    table = concat([read_export(SAMPLE / kw).table, read_export(SAMPLE / ads).table])
    clf = classifier("locksmith")
    rep = analyse(table, keyword_performance(table, clf), clf)
    account = str(table["account"].dropna().iloc[0]) if table["account"].notna().any() else None
    return request.param, rep


def _truth(language: str) -> list[dict]:
    truth = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))
    name = truth["accounts"][0 if language == "zh" else 1]["name"]
    return [p for p in truth["creative_problems"] if p["account"] == name]


def test_every_planted_copy_problem_is_found_and_nothing_else(sample_report):
    language, rep = sample_report
    planted = _truth(language)
    assert {p["code"] for p in planted} == {"phone_missing", "price_missing", "speed_missing", "line_missing",
                                            "lookalike"}

    def key(code, a, b, c=None, d=None):
        pair = tuple(sorted([(a, b), (c, d)])) if code == "lookalike" else ((a, b),)
        return code, pair
    want = {key(p["code"], p["campaign"], p["ad_group"], p.get("other_campaign"), p.get("other_ad_group"))
            for p in planted}
    got = {key(r["code"], r["campaign"], r["ad_group"], r["other_campaign"], r["other_ad_group"])
           for _, r in rep.findings.iterrows()}
    assert got == want   # every planted problem, and no false finding
    assert len(rep.findings) == len(planted)


def test_good_copy_of_different_stages_stays_well_below_the_lookalike_threshold(sample_report):
    from rapidfuzz import fuzz
    from rapidfuzz.process import cdist
    language, rep = sample_report
    ads, units = rep.ads, rep.units.set_index(["campaign", "ad_group"])
    planted = {(p["campaign"], p["ad_group"]) for p in _truth(language) if p["code"] == "lookalike"}
    keep = [(c, u) not in planted for c, u in zip(ads["campaign"], ads["ad_group"])]
    a = ads.loc[keep].reset_index(drop=True)
    label = [tuple(units.loc[(c, u), ["stage", "business_line"]]) for c, u in zip(a["campaign"], a["ad_group"])]
    sim = cdist([_similar_text(h, d) for h, d in zip(a["headline"], a["description"])],
                [_similar_text(h, d) for h, d in zip(a["headline"], a["description"])], scorer=fuzz.ratio)
    worst = max(sim[i, j] for i in range(len(a)) for j in range(i + 1, len(a)) if label[i] != label[j])
    assert worst < SIMILAR - 5, worst


def test_unit_tests_say_not_enough_data_honestly(sample_report):
    _, rep = sample_report
    u = rep.units
    assert set(u["ctr_verdict"]) <= {"winner", "no_difference", "not_enough_data", "single_ad"}
    thin = rep.ads.groupby(["campaign", "ad_group"])["clicks"].sum()
    for _, r in u.iterrows():
        if thin[(r["campaign"], r["ad_group"])] == 0:
            assert r["cvr_verdict"] == "not_enough_data"
    a = rep.ads.dropna(subset=["ctr"])
    assert ((a["ctr_low"] <= a["ctr"]) & (a["ctr"] <= a["ctr_high"])).all()


def test_creatives_command_prints_the_findings_as_json():
    out = subprocess.run([sys.executable, "-m", "optimizer", "creatives", str(SAMPLE / SAMPLE_FILES["en"][0]),
                          str(SAMPLE / SAMPLE_FILES["en"][1]), "--json"], capture_output=True, text=True, cwd=ROOT,
                         timeout=600)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert len(res) == 1 and res[0]["ads"] == 121   # 60 units × 2 ads + the planted near copy
    codes = sorted(f["code"] for f in res[0]["findings"])
    assert codes == ["line_missing", "lookalike", "phone_missing", "price_missing", "speed_missing"]
    assert all(f["message_zh"] and f["message"] for f in res[0]["findings"])


def test_creatives_command_without_an_ad_report_says_so():
    out = subprocess.run([sys.executable, "-m", "optimizer", "creatives", str(FIXTURES / "google_ad_group_report.csv")],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 1 and "ad report" in out.stderr
