"""Generic mode on exports no rule was written from (tests/fixtures/trial16: a US pest-control
account, a Beijing dental clinic, a Leeds driving school, as Google Ads and Baidu write them):
opening hours are not jobs, `classify` labels an export as the pages do, business lines are the
account's own campaigns, an advertiser's own keyword is paused rather than negated, and the
universal waste words are found."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from optimizer.cli import main as cli_main
from optimizer.keywords.lexicon import GENERIC
from optimizer.keywords.stages import Classifier, keyword_performance, negative_keywords, structure_fixes
from optimizer.keywords.trade import account_classifier, structure_lines
from optimizer.model.dataset import accounts, for_account, load_exports
from tests.conftest import FIXTURES

TRIAL = FIXTURES / "trial16"
PEST = [TRIAL / "pest_us_Search keyword report.csv", TRIAL / "pest_us_Search terms report.csv"]
DENTAL = [TRIAL / "dental_cn_关键词报告_20261101-20261130.csv", TRIAL / "dental_cn_搜索词报告_20261101-20261130.csv"]
DRIVING = [TRIAL / "driving_uk_Search keyword report.csv", TRIAL / "driving_uk_Search terms report.csv"]


def _rows(files) -> pd.DataFrame:
    t = load_exports(files)
    a = accounts(t).iloc[0]
    return for_account(t, a["platform"], a["account"], a["currency"])


@pytest.fixture(scope="module")
def pest():
    rows = _rows(PEST)
    clf = account_classifier(rows)
    return rows, clf, keyword_performance(rows, clf), keyword_performance(rows, clf, "search_term")


@pytest.fixture(scope="module")
def dental():
    rows = _rows(DENTAL)
    clf = account_classifier(rows)
    return rows, clf, keyword_performance(rows, clf), keyword_performance(rows, clf, "search_term")


@pytest.fixture(scope="module")
def driving():
    rows = _rows(DRIVING)
    clf = account_classifier(rows)
    return rows, clf, keyword_performance(rows, clf), keyword_performance(rows, clf, "search_term")


def _line(perf: pd.DataFrame, keyword: str) -> str:
    return perf.loc[perf["keyword"] == keyword, "business_line"].iloc[0]


# ---------------------------------------------------------------- 1: opening hours are not jobs

@pytest.mark.parametrize("vertical", [GENERIC, "locksmith", "housekeeping"])
def test_opening_hours_are_not_a_jobs_search(vertical):
    out = Classifier(vertical).classify(["瑞齿口腔工作时间", "附近牙科诊所工作时间", "牙科医院工作时间",
                                         "开锁公司工作时间", "营业时间", "how does a smart lock work"])
    assert out["off_target"].tolist() == [0] * 6, out[["keyword", "cues"]].to_string()
    # the jobs words themselves still are
    jobs = Classifier(vertical).classify(["牙医找工作", "保洁工作招聘", "开锁工作好找吗", "plumber jobs"])
    assert jobs["off_target"].tolist() == [1] * 4, jobs[["keyword", "cues"]].to_string()


def test_the_clinics_opening_hours_search_is_no_negative(dental):
    rows, clf, perf, search = dental
    neg = negative_keywords(search, perf)
    assert not {"瑞齿口腔工作时间", "附近牙科诊所工作时间"} & set(neg["search_term"])


# ---------------------------------------------------------------- 2: classify labels as the pages do

@pytest.mark.parametrize("files", [PEST[:1], DENTAL[:1]], ids=["pest", "dental"])
def test_classify_on_an_export_labels_as_the_pages_do(files, capsys):
    assert cli_main(["classify", str(files[0])]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"keyword": str})
    rows = _rows(files)
    perf = keyword_performance(rows, account_classifier(rows)).drop_duplicates("keyword")
    page = perf.set_index("keyword")
    cli = out.set_index("keyword")
    assert list(cli.index) == list(page.index)
    for col in ("business_line", "stage", "urgency", "off_target"):
        assert cli[col].tolist() == page[col].tolist(), col
    assert (cli["business_line"] != "unknown").mean() > 0.9


def test_classify_on_a_plain_list_still_works(tmp_path, capsys):
    f = tmp_path / "kw.txt"
    f.write_text("free termite inspection\npest control jobs\n", encoding="utf-8")
    assert cli_main(["classify", str(f)]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert out["keyword"].tolist() == ["free termite inspection", "pest control jobs"]
    assert out["off_target"].tolist() == [1, 1]  # no account to say "free" is what it sells


# ---------------------------------------------------------------- 3, 4: lines from the account's structure

def test_driving_school_lines_are_its_campaigns(driving):
    rows, clf, perf, _ = driving
    lines = structure_lines(rows, "en")
    assert {"Driving Lessons", "Intensive Courses", "Automatic Lessons", "Brand"} <= set(lines), lines
    assert not any("Leeds" in name for name in lines)
    assert _line(perf, "[intensive driving course]") == "Intensive Courses"
    assert _line(perf, "pass plus course") == "Intensive Courses"
    assert _line(perf, "[automatic driving lessons]") == "Automatic Lessons"
    assert _line(perf, "manual driving lessons") == "Automatic Lessons"
    assert _line(perf, "[roadready driving school]") == "Brand"
    assert _line(perf, "driving lessons near me") == "Driving Lessons"
    # each campaign is one line: no keyword of a campaign is told it sits in the wrong line
    fixes = structure_fixes(perf)
    assert (fixes["issue"] == "line").sum() == 0, fixes.loc[fixes["issue"] == "line"].to_string()


def test_pest_lines_are_its_campaigns_and_plurals_match(pest):
    rows, clf, perf, _ = pest
    lines = structure_lines(rows, "en")
    assert set(lines) == {"Termite Control", "Bed Bugs", "General Pest", "Rodent & Wildlife", "Mosquito"}, lines
    assert "exterminator" not in lines and "removal" not in lines
    assert lines["Bed Bugs"] != ("bed",)
    assert _line(perf, "signs of termites") == "Termite Control"
    assert _line(perf, "mouse exterminator") == "Rodent & Wildlife"
    assert _line(perf, "rodent control") == "Rodent & Wildlife"
    assert _line(perf, "cockroach exterminator") == "General Pest"
    assert _line(perf, "wildlife removal") == "Rodent & Wildlife"
    fixes = structure_fixes(perf)
    assert (fixes["issue"] == "line").sum() == 0, fixes.loc[fixes["issue"] == "line"].to_string()
    # a plural the keywords do not spell is matched too
    assert clf.classify(["termites near me", "bed bug"])["business_line"].tolist() == ["Termite Control", "Bed Bugs"]


def test_dental_lines_drop_the_city_and_keep_their_plans_keywords(dental):
    rows, clf, perf, _ = dental
    lines = structure_lines(rows, "zh")
    assert "种植牙" in lines and not any("北京" in name for name in lines), lines
    assert "洗牙补牙" in lines and "品牌词" in lines
    for kw in ("补牙", "拔智齿", "根管治疗费用", "牙疼急诊", "补牙多少钱"):
        assert _line(perf, kw) == "洗牙补牙", kw
    assert _line(perf, "瑞齿口腔") == "品牌词"
    assert (perf["business_line"] == "unknown").sum() == 0, perf.loc[perf["business_line"] == "unknown", "keyword"]


def test_uninformative_names_still_give_head_word_lines():
    rows = _rows(PEST[:1])
    rows = rows.assign(campaign="Campaign #1", ad_group="Group Keywords")
    lines = structure_lines(rows, "en")
    assert lines and all(" " not in n for n in lines)  # named by the words the keywords share


# ---------------------------------------------------------------- 14: own keywords are paused, not negated

def test_an_own_keyword_is_to_be_paused_not_negated(driving):
    rows, clf, perf, search = driving
    neg = negative_keywords(search, perf).set_index("search_term")
    assert neg.loc["free driving lesson", "negative_match"] == "pause_keyword"
    assert neg.loc["driving instructor jobs", "negative_match"] == "pause_keyword"
    assert neg.loc["driving lessons jobs", "negative_match"] == "exact"


# ---------------------------------------------------------------- 15: universal waste words

@pytest.mark.parametrize("keyword", ["牙科设备", "牙科诊所转让", "洗牙工具套装",
                                     "mouse traps", "rat poison", "bed bug spray", "pest control license course"])
def test_universal_waste_is_off_target_in_generic_mode(keyword):
    assert Classifier(GENERIC).classify([keyword])["off_target"].iloc[0] == 1, keyword


@pytest.mark.parametrize("keyword", ["种植牙", "洗牙多少钱", "牙科诊所", "pest control near me", "termite treatment",
                                     "mosquito yard spray", "driving lessons", "intensive driving course"])
def test_the_service_itself_stays_on_target(keyword):
    assert Classifier(GENERIC).classify([keyword])["off_target"].iloc[0] == 0, keyword


def test_a_search_terms_report_alone_says_what_the_account_sells(capsys):
    # 免费洗牙 converts as a search term: "free" is what this clinic sells, even without its keyword report
    assert cli_main(["classify", str(DENTAL[1])]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("keyword")
    assert out.loc["免费洗牙", "off_target"] == 0


def test_a_renamed_line_keeps_the_keywords_its_campaign_gave_it(driving):
    rows, clf, _, _ = driving
    from optimizer.keywords.lexicon import LexiconEdits
    renamed = Classifier(clf.vertical, {"en": LexiconEdits().rename_line("Automatic Lessons", "Automatic")}, clf.account)
    perf = keyword_performance(rows, renamed)
    assert _line(perf, "manual driving lessons") == "Automatic"  # no cue: its campaign's line, by its new name
    assert _line(perf, "[automatic driving lessons]") == "Automatic"


def test_the_landing_pages_label_a_keyword_as_the_keywords_page_does(dental):
    from optimizer.landing.analysis import keyword_page_match
    rows, clf, perf, _ = dental
    match = keyword_page_match(rows, clf)
    assert len(match)
    lines = dict(zip(perf["keyword"], perf["business_line"]))
    got = dict(zip(match["keyword"], match["line"] if "line" in match else match["business_line"]))
    differ = {k: (v, lines[k]) for k, v in got.items() if k in lines and v != lines[k]}
    assert not differ, differ
    assert any(lines[k] == "洗牙补牙" and "补牙" in k for k in got if k in lines)


def test_a_word_the_trade_shares_across_lines_is_no_line_of_its_own():
    """A car-wash account (another new user's Baidu export): 汽车 starts 汽车贴膜, 汽车镀晶 … in
    several plans; it names the trade, and as a line it pulled every plan's keywords into one."""
    rows = _rows([FIXTURES / "trial2" / "百度_关键词报告_沪驰汽车美容_20261102-20261129.csv"])
    lines = structure_lines(rows, "zh")
    assert "汽车" not in lines, lines
    perf = keyword_performance(rows, account_classifier(rows))
    assert _line(perf, "汽车贴膜") == "汽车贴膜"
    assert _line(perf, "汽车镀晶") == "镀晶镀膜"
