"""Saving a vertical: an account's lexicon (its base, the lines its structure gives, the
user's edits) saved under a name becomes a vertical like the built-in ones — the same
TOML format, detected on other accounts of the trade, offered in the pickers and the CLI,
kept in the workspace database."""
from __future__ import annotations

import io
import tomllib
from dataclasses import replace

import pandas as pd
import pytest

from optimizer.keywords import lexicon
from optimizer.cli import main as cli_main
from optimizer.quality.evaluate import account_rows
from optimizer.keywords.lexicon import (GENERIC, LexiconEdits, LexiconFileError, VerticalCatalog, known_verticals, load,
                               use_catalog, vertical_name)
from optimizer.keywords.stages import account_evidence, classifier
from optimizer.keywords.trade import account_classifier
from optimizer.store.database import Conflict, Store
from optimizer.keywords.verticals import (VerticalNameError, catalog_from_store, main_verticals, save_from_classifier)
from tests.conftest import ROOT, SAMPLE, real

EVAL = ROOT / "tests" / "eval"


@pytest.fixture(scope="module")
def eval_accounts():
    return pd.read_csv(EVAL / "generic_accounts.csv")


@pytest.fixture(autouse=True)
def no_saved_verticals():
    """Each test starts with the built-in verticals only and leaves none behind."""
    token = use_catalog(VerticalCatalog())
    yield
    lexicon.reset_catalog(token)


def _edited_towing(acc):
    """The towing account as an optimizer leaves it: lines from its structure, a cue and a
    line of their own, a shared cue and an off-target cue taken out."""
    rows = account_rows(acc, "towing")
    edits = (LexiconEdits().add("line:Tow Truck", "wrecker").add("line:Flatbed", "flatbed")
             .remove("stage:consult", "can").remove("off:product", "free"))
    return rows, account_classifier(rows, "auto", {"en": edits})


def _other_towing_account() -> pd.DataFrame:
    """A second towing business (another city, other words), never seen when saving."""
    kws = ["towing vancouver", "tow truck near me", "24 hour towing", "cheap tow truck", "towing service burnaby",
           "heavy duty towing", "wrecker service", "tow truck phone number", "towing cost per km",
           "emergency tow near me", "roadside assistance vancouver", "jump start near me", "tow company surrey",
           "motorcycle towing", "long distance towing", "tow truck driver jobs"]
    return pd.DataFrame({"platform": "google_ads", "report_type": "keyword", "account": "Pacific Tow",
                         "campaign": "Search - Vancouver", "ad_group": "Ad group 1", "keyword": kws,
                         "search_term": None, "cost": 10.0, "clicks": 2.0, "conversions": 1.0,
                         "impressions": 20.0})


# ---------------------------------------------------------------- the file


def test_a_saved_account_lexicon_round_trips_and_loads_like_a_built_in_one(eval_accounts):
    rows, clf = _edited_towing(eval_accounts)
    assert clf.vertical == GENERIC
    saved = save_from_classifier(clf, "towing", "拖车", "Towing")
    for lang in ("zh", "en"):
        text = saved.text(lang)
        data = tomllib.loads(text)  # a TOML file in the built-in files' format
        assert data["vertical"] == "towing" and data["language"] == lang and "lines" in data
        assert load("towing", lang, saved) == replace(clf.lexicon(lang), vertical="towing")
    en = load("towing", "en", saved)
    # the account's campaigns' lines (Towing - Houston → Towing) and the optimizer's own two
    assert "tow" in en.lines["Towing"] and "Roadside Assistance" in en.lines
    assert en.lines["Tow Truck"] == ("wrecker",) and en.lines["Flatbed"] == ("flatbed",)
    assert "can" not in en.stages["consult"] and "free" not in en.off_target["product"]
    # the generic base's scope is kept: training stays off the off-target lists of a towing trade too
    assert not {"training", "classes", "course"} & set(en.off_target["training"])  # only "license course" …
    assert set(tomllib.loads(saved.text("en"))["without"]["off_target"]["training"]) >= {"training", "classes"}


def test_a_built_in_base_keeps_its_names_and_main_line_and_round_trips():
    clf = classifier("locksmith")
    saved = save_from_classifier(clf, "locksmith_uk", "英国开锁", "UK locksmith")
    for lang in ("zh", "en"):
        assert load("locksmith_uk", lang, saved) == replace(load("locksmith", lang), vertical="locksmith_uk")
    assert tomllib.loads(saved.text("en"))["names"]["开锁"] == "Lockout"
    assert tomllib.loads(saved.text("zh"))["main_line"] == "开锁"


@pytest.mark.parametrize("code,zh,en,reason", [
    ("locksmith", "开锁2", "Locksmith 2", "code_builtin"),
    ("generic", "通用2", "Generic 2", "code_builtin"),
    ("auto", "自动", "Auto", "code_builtin"),
    ("Towing!", "拖车", "Towing", "code_format"),
    ("t", "拖车", "Towing", "code_format"),
    ("towing", "", "Towing", "name_missing"),
    ("towing", "拖车", "  ", "name_missing"),
    ("towing", "开锁", "Towing", "name_builtin"),
    ("towing", "拖车", "plumbing", "name_builtin"),
])
def test_a_name_that_is_not_a_code_or_clashes_with_a_built_in_vertical_is_refused(eval_accounts, code, zh, en,
                                                                                   reason):
    _, clf = _edited_towing(eval_accounts)
    with pytest.raises(VerticalNameError) as err:
        save_from_classifier(clf, code, zh, en)
    assert err.value.reason == reason
    assert err.value.message("zh") != err.value.message("en")


def test_a_damaged_saved_file_is_named_not_a_traceback(tmp_path, eval_accounts):
    import sqlalchemy as sa
    _, clf = _edited_towing(eval_accounts)
    good = save_from_classifier(clf, "towing", "拖车", "Towing")
    with Store.open(None, tmp_path) as s:
        for code in ("towing", "towing_ca", "tow_bad"):
            sv = save_from_classifier(clf, code, f"拖车{code}", f"Towing {code}")
            s.save_vertical(sv.code, sv.name_zh, sv.name_en, sv.base, sv.zh, sv.en)
        with pytest.raises(LexiconFileError):  # a damaged file is refused, and nothing changes
            s.save_vertical("towing", "拖车", "Towing", GENERIC, good.zh, good.en.replace("[lines]", "[lines\n", 1),
                            overwrite=True)
        with s.engine.begin() as conn:  # files damaged in the database (by hand, or an older product)
            for code, text in (("towing_ca", "[lines\n"), ("tow_bad", 'vertical = "tow_bad"\nlanguage = "en"\n'
                                                                     '[lines]\n"Broken" = 3\n')):
                conn.execute(sa.text("UPDATE saved_verticals SET lexicon_en = :t WHERE code = :c"),
                             {"t": text, "c": code})
        cat = catalog_from_store(s)
    assert cat.codes() == ("towing",) and cat.get("towing").name_en == "Towing towing"  # unchanged
    assert {(p.code, p.language) for p in cat.problems} == {("towing_ca", "en"), ("tow_bad", "en")}
    msg = next(p for p in cat.problems if p.code == "tow_bad")
    assert "tow_bad" in msg.message("zh") and "Broken" in msg.message("en") and "无法使用" in msg.message("zh")
    with pytest.raises(LexiconFileError):
        lexicon.parse_lexicon("vertical = 1", "x", "en")


# ---------------------------------------------------------------- detection


def test_another_account_of_the_trade_is_detected_as_the_saved_vertical(eval_accounts):
    _, clf = _edited_towing(eval_accounts)
    saved = save_from_classifier(clf, "towing", "拖车", "Towing")
    other = _other_towing_account()
    assert account_evidence(other).vertical == GENERIC  # before: no lexicon fits
    use_catalog(VerticalCatalog((saved,)))
    assert "towing" in known_verticals() and vertical_name("towing", "zh") == "拖车"
    ev = account_evidence(other)
    assert ev.vertical == "towing" and ev.share >= 0.5 and ev.hits["towing"] >= 8
    assert "towing" in ev.reason("en") or "tow" in ev.reason("en")
    out = account_classifier(other).classify(other["keyword"])
    assert set(out["vertical"]) == {"towing"}
    assert out.loc[out["keyword"] == "wrecker service", "business_line"].item() == "Tow Truck"
    assert out.loc[out["keyword"] == "tow truck driver jobs", "off_target"].item() == 1
    # other trades and the built-in verticals keep their detection
    for trade in eval_accounts["trade"].unique():
        if trade != "towing":
            assert account_evidence(account_rows(eval_accounts, trade)).vertical == GENERIC, trade
    from optimizer.model.dataset import load_exports
    assert account_evidence(load_exports([SAMPLE / "baidu_keyword_report.csv"])).vertical == "locksmith"


def test_a_real_towing_export_is_detected_as_the_saved_towing_vertical(eval_accounts):
    from optimizer.model.dataset import accounts, for_account, load_exports
    t = load_exports([real("google_ads/towing-no-1__Search_keyword_report.csv"),
                      real("google_ads/towing-no-1__Search_terms_report.csv")])
    a = accounts(t).iloc[0]
    rows = for_account(t, a["platform"], a["account"], a["currency"])
    _, clf = _edited_towing(eval_accounts)
    use_catalog(VerticalCatalog((save_from_classifier(clf, "towing", "拖车", "Towing"),)))
    assert account_evidence(rows).vertical == "towing"


def test_a_variant_of_a_built_in_vertical_does_not_make_its_accounts_generic():
    from optimizer.model.dataset import load_exports
    saved = save_from_classifier(classifier("locksmith"), "locksmith_uk", "英国开锁", "UK locksmith")
    use_catalog(VerticalCatalog((saved,)))
    assert account_evidence(load_exports([SAMPLE / "baidu_keyword_report.csv"])).vertical == "locksmith"


# ---------------------------------------------------------------- store and CLI


def test_saved_verticals_live_in_the_database_overwrite_needs_consent_and_delete(tmp_path, eval_accounts):
    _, clf = _edited_towing(eval_accounts)
    sv = save_from_classifier(clf, "towing", "拖车", "Towing")
    with Store.open(None, tmp_path) as s:
        s.save_vertical(sv.code, sv.name_zh, sv.name_en, sv.base, sv.zh, sv.en)
        with pytest.raises(Conflict):
            s.save_vertical(sv.code, "拖车2", "Towing 2", sv.base, sv.zh, sv.en)
        s.save_vertical(sv.code, "拖车救援", "Towing & recovery", sv.base, sv.zh, sv.en, overwrite=True)
    with Store.open(None, tmp_path) as s:  # another server, or after a restart
        cat = catalog_from_store(s)
        assert cat.codes() == ("towing",) and cat.get("towing").name_en == "Towing & recovery"
        assert load("towing", "en", cat.get("towing")) == replace(clf.lexicon("en"), vertical="towing")
        s.delete_vertical("towing")
        assert catalog_from_store(s).codes() == ()


def test_the_cli_lists_shows_and_classifies_with_a_saved_vertical(tmp_path, monkeypatch, capsys, eval_accounts):
    monkeypatch.delenv("OPTIMIZER_DATABASE_URL", raising=False)
    monkeypatch.setenv("OPTIMIZER_DATA_DIR", str(tmp_path))
    _, clf = _edited_towing(eval_accounts)
    sv = save_from_classifier(clf, "towing", "拖车", "Towing")
    with Store.open(None, tmp_path) as s:
        s.save_vertical(sv.code, sv.name_zh, sv.name_en, sv.base, sv.zh, sv.en)
    out = io.StringIO()
    assert main_verticals(["list"], stdout=out) == 0
    assert "towing\t拖车\tTowing\tgeneric" in out.getvalue()
    out = io.StringIO()
    assert main_verticals(["show", "towing", "--language", "en"], stdout=out) == 0
    assert tomllib.loads(out.getvalue())["vertical"] == "towing"
    capsys.readouterr()
    assert cli_main(["verticals", "list"]) == 0
    assert "towing" in capsys.readouterr().out
    src = tmp_path / "kw.txt"
    src.write_text("wrecker service\ntow truck near me\n24 hour towing\ncheap tow truck\n", encoding="utf-8")
    assert cli_main(["classify", str(src), "--vertical", "towing"]) == 0
    got = capsys.readouterr().out
    assert "wrecker service,towing,Tow Truck" in got
    assert cli_main(["classify", str(src)]) == 0
    assert "vertical: towing" in capsys.readouterr().err
    assert main_verticals(["delete", "towing"], stdout=io.StringIO()) == 0
    with pytest.raises(SystemExit):  # no longer a choice
        cli_main(["classify", str(src), "--vertical", "towing"])


def test_only_optimizers_save_and_only_the_author_or_an_admin_replaces_or_deletes(tmp_path, eval_accounts):
    from optimizer.store.auth import Access, PermissionDenied, create_user
    _, clf = _edited_towing(eval_accounts)
    sv = save_from_classifier(clf, "towing", "拖车", "Towing")
    with Store.open(None, tmp_path) as s:
        wang = create_user(s, "wang", "a-long-password-1", "optimizer")
        li = create_user(s, "li", "a-long-password-2", "optimizer")
        boss = create_user(s, "boss", "a-long-password-3", "admin")
        zhao = create_user(s, "zhao", "a-long-password-4", "analyst")
        with pytest.raises(PermissionDenied):
            Access(s, zhao).save_vertical(sv)
        Access(s, wang).save_vertical(sv)
        with pytest.raises(Conflict):
            Access(s, li).save_vertical(sv)
        for act in (lambda a: a.save_vertical(sv, overwrite=True), lambda a: a.delete_vertical("towing")):
            with pytest.raises(VerticalNameError) as err:
                act(Access(s, li))
            assert err.value.reason == "not_yours"
        assert s.saved_verticals()[0].saved_by == wang.id
        Access(s, boss).save_vertical(sv, overwrite=True)
        Access(s, boss).delete_vertical("towing")
        assert s.saved_verticals() == []
