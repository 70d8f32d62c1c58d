"""Any local service, not only five: a built-in vertical is chosen only on clear evidence,
else the account is generic (stages from shared cues, lines from its own structure, only
universal off-target cues); what an account sells is never off target for it, and a
negative never blocks what converts."""
from __future__ import annotations

import pandas as pd
import pytest

from optimizer.quality import evaluate
from optimizer.cli import main as cli_main
from optimizer.model.dataset import accounts, for_account, load_exports
from optimizer.keywords.lexicon import GENERIC, load
from optimizer.keywords.trade import account_classifier
from optimizer.keywords.stages import (account_evidence, keyword_performance, negative_conflicts,
                              negative_keywords, vertical_evidence)
from optimizer.keywords.trade import account_edits, own_off_target, structure_lines, top_converting
from tests.conftest import ROOT, SAMPLE, real

EVAL = ROOT / "tests" / "eval"


@pytest.fixture(scope="module")
def generic_set():
    ev = pd.read_csv(EVAL / "generic_eval.csv", dtype=str, keep_default_na=False)
    acc = pd.read_csv(EVAL / "generic_accounts.csv")
    return ev, acc


def _account(files: list[str]) -> pd.DataFrame:
    t = load_exports([real(f"google_ads/{f}") for f in files])
    a = accounts(t).iloc[0]
    return for_account(t, a["platform"], a["account"], a["currency"])


@pytest.mark.parametrize("files", [
    ["towing-no-1__Search_keyword_report.csv", "towing-no-1__Search_terms_report.csv"],
    ["test-git__AdWords_2016_Keyword_report_florist_cairns.csv"],
    ["KW08__Search_keyword_report_2020_device.csv"],
    ["devopsfirst__Search_terms_report_INR.csv"],
])
def test_real_accounts_outside_the_five_verticals_are_generic(files):
    ev = account_evidence(_account(files))
    assert ev.vertical == GENERIC and ev.share < 0.1
    assert "没有匹配的行业词库" in ev.reason("zh") and "No built-in trade lexicon fits" in ev.reason("en")


def test_a_real_cleaning_company_is_housekeeping_and_the_sample_is_locksmith():
    clean = _account(["londonclean/Search_keywords_2026.02.05-2026.02.10_.csv"])
    assert account_evidence(clean).vertical == "housekeeping"
    t = load_exports([SAMPLE / "baidu_keyword_report.csv"])
    ev = account_evidence(t)
    assert ev.vertical == "locksmith" and ev.share > 0.9 and len(ev.examples) == 5


def test_no_keyword_naming_a_line_is_generic_not_locksmith():
    ev = vertical_evidence(["cpr training", "first aid course", "cpr classes near me", "bls certification"])
    assert ev.vertical == GENERIC and ev.hits["locksmith"] == 0


def test_generic_off_target_keeps_only_universal_cues():
    lex = load(GENERIC, "en")
    assert "training" not in lex.off_target["training"] and "classes" not in sum(lex.off_target.values(), ())
    assert "jobs" in lex.off_target["jobs"] and "wholesale" in lex.off_target["product"]
    assert "buy" not in lex.off_target["product"]
    # the built-in verticals keep their trade-specific cues
    assert "training" in load("locksmith", "en").off_target["training"]
    zh = load(GENERIC, "zh")
    assert "培训" not in sum(zh.off_target.values(), ()) and "招聘" in zh.off_target["jobs"]


def test_the_cpr_schools_product_is_never_off_target(generic_set):
    ev, acc = generic_set
    rows = evaluate.account_rows(acc, "cpr_training")
    clf = account_classifier(rows)
    assert clf.vertical == GENERIC
    got = clf.classify(["cpr training", "cpr classes near me", "first aid course", "cpr instructor jobs"])
    assert got["off_target"].tolist() == [0, 0, 0, 1]
    # the same account read with the locksmith lexicon: its best converter "cpr training" still
    # says training is what it sells
    assert account_classifier(rows, "locksmith").classify(["cpr training"])["off_target"].tolist() == [0]


def test_an_off_target_cue_in_the_accounts_own_names_is_not_off_target_for_it():
    rows = evaluate.account_rows(pd.DataFrame({
        "trade": ["x"] * 3, "account": ["A"] * 3, "campaign": ["Lock Training Academy"] * 3,
        "ad_group": ["Courses"] * 3, "keyword": ["lockout", "locked out", "car lockout"],
        "clicks": [10, 10, 10], "conversions": [1, 1, 1], "cost": [5, 5, 5]}), "x")
    assert own_off_target(rows, "locksmith", "en") == {"training": ["courses", "training"]}
    clf = account_classifier(rows, "locksmith")
    assert clf.classify(["locksmith training"])["off_target"].tolist() == [0]
    assert clf.classify(["locksmith jobs"])["off_target"].tolist() == [1]


def test_one_chance_conversion_does_not_make_a_diy_word_the_product():
    t = load_exports([SAMPLE / "baidu_keyword_report.csv"])
    assert "开锁器" not in top_converting(t) and "开锁服务" == top_converting(t)[0]
    assert own_off_target(t, "locksmith", "zh") == {}


def test_generic_lines_come_from_the_accounts_structure(generic_set):
    _, acc = generic_set
    cpr = structure_lines(evaluate.account_rows(acc, "cpr_training"), "en")
    assert cpr and any("cpr" in cues for cues in cpr.values())
    # uninformative names (计划1, 单元1, 默认单元): lines are the head words jieba finds in the keywords
    pest = structure_lines(evaluate.account_rows(acc, "pest_control"), "zh")
    assert list(pest) == ["灭蟑螂", "白蚁", "灭鼠"]
    edits = account_edits(evaluate.account_rows(acc, "cpr_training"), GENERIC)
    assert edits["en"].added_lines == list(cpr)


def test_off_target_precision_on_trades_outside_the_five(generic_set):
    ev, acc = generic_set
    assert ev["trade"].nunique() >= 6 and len(ev) >= 300
    pred, detected = evaluate.predict_generic(ev, acc)
    assert set(detected.values()) == {GENERIC}
    scores = evaluate.score_generic(ev, pred)
    assert scores["off_target"].table.loc["1", "precision"] >= 0.9
    assert scores["stage"].macro_f1 >= 0.8


def test_no_top_converting_keyword_is_ever_offered_as_a_negative(generic_set):
    _, acc = generic_set
    for trade in acc["trade"].unique():
        rows = evaluate.account_rows(acc, trade)
        clf = account_classifier(rows)
        perf = keyword_performance(rows, clf)
        # the account's keywords, typed as searches: the negative list never holds a top converter
        terms = perf.rename(columns={"keyword": "search_term"}).assign(keyword=perf["keyword"])
        neg = set(negative_keywords(terms, perf)["search_term"])
        top = acc.loc[acc["trade"] == trade].nlargest(20, "conversions")["keyword"]
        assert not neg & set(top), trade


def test_a_negative_that_would_block_a_converting_keyword_is_held_back_and_said_why():
    search = pd.DataFrame({"search_term": ["locksmith training", "lock picking video", "开锁视频", "开锁工具"],
                           "cost": [10.0, 5.0, 3.0, 2.0], "clicks": [2, 1, 1, 1], "impressions": [9, 9, 9, 9],
                           "conversions": [0.0, 1.0, 0.0, 0.0], "off_target": [1, 1, 1, 1],
                           "cues": ["off-training:training", "off-diy:video", "off-diy:视频", "off-tools:工具"],
                           "keyword": ["k"] * 4, "campaign": ["c"] * 4})
    kws = pd.DataFrame({"keyword": ["locksmith training course", "汽车开锁视频教学", "开锁"], "conversions": [3, 2, 0]})
    assert negative_keywords(search, kws)["search_term"].tolist() == ["开锁工具"]
    held = negative_conflicts(search, kws).set_index("search_term")
    assert held.loc["lock picking video", "conflict"] == "converted"
    assert held.loc["locksmith training", "blocked_keyword"] == "locksmith training course"
    assert held.loc["开锁视频", "blocked_keyword"] == "汽车开锁视频教学"


def test_classify_auto_reports_the_vertical_and_its_evidence(tmp_path, capsys):
    f = tmp_path / "kw.txt"
    f.write_text("cpr training\nfirst aid course\ncpr classes near me\n", encoding="utf-8")
    assert cli_main(["classify", str(f)]) == 0
    out = capsys.readouterr()
    assert "vertical: generic" in out.err and "No built-in trade lexicon fits" in out.err
    assert ",generic," in out.out


def test_evaluate_reports_the_trades_outside_the_five(capsys):
    assert cli_main(["evaluate", "--truth", ""]) == 0
    out = capsys.readouterr().out
    assert "generic_eval.csv: " in out and "trades outside the built-in verticals" in out
