"""Formula injection (issue 15, points 4 and 5).

Every CSV and XLSX the product writes is inert: a plan, unit, keyword or search term
that a spreadsheet would run (``=HYPERLINK(…)``, ``＝1+1``, ``\\u200b=1+1``, ``-品牌词``,
``@SUM(1)``) is written with a leading apostrophe — in the CLI's ``classify`` CSV, the
batch index and per-sheet CSVs of ``analyze``, the workbooks, the pages' downloads and
the bundle map. And every file the product writes and reads back (the bundle map,
downloaded or adopted) reads back the very names it was written from: the reader
removes exactly the apostrophe the writer added, and nothing more.
"""
from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as hs

from optimizer.outputs import report
from optimizer.bundles import targets
from optimizer.outputs.report import neutralise, to_csv_bytes, unneutralise
from optimizer.bundles.targets import read_bundle_sheet, write_bundle_sheet
from tests.conftest import ROOT

# ---------------------------------------------------------------- what a spreadsheet runs

#: characters that show nothing (or only move text) and may hide a formula start behind them
_INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e"
              "\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\x00-\x1f\x7f\u0085\u00a0\u1680\u2000-\u200a"
              "\u202f\u205f\u3000 ")
_LIVE = re.compile(f"[{_INVISIBLE}]*[=+\\-@\uff1d\uff0b\uff0d\uff20\ufe62\ufe63\ufe66\ufe6b]|[\t\r\n]")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?%?")


def live(field: str) -> bool:
    """Whether a spreadsheet may take this text cell for a formula (written by the test
    from the spreadsheet's side, independent of the product's own rule): a formula
    start (ASCII or full-width ＝＋－＠ and their small forms), possibly behind
    invisible characters, or a leading tab / CR / LF. A plain number (``-28.03``) is a
    number, not a formula."""
    return bool(_LIVE.match(field)) and not _NUMBER.fullmatch(field)


PLANTED = ['=HYPERLINK("http://x","y")', "＝1+1", "\u200b=1+1", "-品牌词", "@SUM(1)", "+开锁", "－换锁", "＋配钥匙",
           "＠修锁", "\u2066@SUM(1)", "\ufeff=1+1", "\u00ad-x", "\u202e=1+1", "\u2060+1", "\u200f@x", "\t=1+1",
           "\r=1+1", "\n=1+1", "\t", "=", "-", "﹦1+1", "\u3000=1+1", "\u200b\u200c\u200d-1"]


@pytest.mark.parametrize("text", PLANTED)
def test_a_formula_start_even_full_width_or_behind_invisible_characters_is_neutralised(text):
    assert live(text)
    assert neutralise(text) == "'" + text
    assert unneutralise(neutralise(text)) == text


@pytest.mark.parametrize("text", ["开锁", "a=b", "品牌-词", "1+1", "\u200b开锁", "开锁\u200b=1"])
def test_plain_text_is_left_as_it_is(text):
    assert neutralise(text) == text and unneutralise(text) == text


def test_an_apostrophe_start_is_protected_too_so_that_reading_back_is_exact():
    # "'abc" is a real name: written "''abc", read back "'abc" — never "abc"
    assert neutralise("'abc") == "''abc" and unneutralise("''abc") == "'abc"
    assert neutralise("'") == "''" and unneutralise("''") == "'"
    # a lone leading apostrophe before harmless text was not written by the writer: kept
    assert unneutralise("'abc") == "'abc" and unneutralise("'") == "'"
    assert neutralise(3) == 3 and unneutralise(3) == 3 and neutralise(None) is None


@given(hs.text())
@example("-品牌词")
@example("'-品牌词")
@example("'")
@example("\u200b=1+1")
def test_unneutralise_undoes_neutralise_for_any_text(text):
    assert unneutralise(neutralise(text)) == text
    assert not live(str(neutralise(text)))


# ---------------------------------------------------------------- one writer

_WRITERS = re.compile(r"\.to_csv\(|csv\.writer\(|csv\.DictWriter\(|\.to_excel\(")


def test_no_csv_is_written_outside_the_one_writer():
    """``optimizer.outputs.report`` is the only place that turns a table into CSV: a new
    download cannot forget to neutralise (sample_data writes simulated platform
    exports, which must stay raw, and is not the product)."""
    offenders = []
    for path in [ROOT / "app.py", ROOT / "ui.py", *sorted((ROOT / "pages").glob("*.py")),
                 *sorted((ROOT / "optimizer").rglob("*.py"))]:
        if path == ROOT / "optimizer" / "outputs" / "report.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _WRITERS.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, offenders


def test_the_writer_neutralises_every_text_cell_and_leaves_numbers():
    df = pd.DataFrame({"搜索词": PLANTED, "消费": [-1.5] * len(PLANTED)})
    for data in (to_csv_bytes(df), report.csv_bytes(df, encoding="utf-8", sep="\t")):
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter="\t" if b"\t-1.5" in data
                               else ","))
        assert [r[0] for r in rows[1:]] == ["'" + p for p in PLANTED]
        assert {r[1] for r in rows[1:]} == {"-1.5"}


def test_classify_csv_writes_no_live_keyword(tmp_path):
    src = tmp_path / "kw.txt"
    src.write_text("\n".join(["开锁公司电话", '=HYPERLINK("http://x","y")', "＝1+1", "\u200b=1+1", "-品牌词", "@SUM(1)"]),
                   encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "optimizer", "classify", str(src), "--vertical", "locksmith",
                          "--format", "csv"], cwd=ROOT, capture_output=True, check=True).stdout.decode("utf-8")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[0][0] == "keyword" and len(rows) == 7
    assert [r[0] for r in rows[1:]] == ["开锁公司电话", "'=HYPERLINK(\"http://x\",\"y\")", "'＝1+1", "'\u200b=1+1",
                                        "'-品牌词", "'@SUM(1)"]
    assert not [f for r in rows for f in r if live(f)]


# ---------------------------------------------------------------- the bundle map reads back

#: 13 plans, 9 of them starting with = + - @ (as in the issue), one with full-width
#: ＝, one genuinely named with a leading apostrophe, one plain
ZH_PLANS = ['=HYPERLINK("http://x","y")', "-品牌词", "+开锁-电话词", "@SUM(1)", "=1+1", "-换锁-核心词", "+换锁-询价",
            "@指纹锁", "=cmd|' /C calc'!A0", "＝1+1", "'abc", "＠修锁", "配钥匙"]
ZH_BUNDLES = ["=包1", "-包2", "@包3", "＋包4", "'包5", "包6"]


def test_a_written_bundle_map_reads_back_the_planted_plan_names():
    membership = pd.Series({p: ZH_BUNDLES[i % len(ZH_BUNDLES)] for i, p in enumerate(ZH_PLANS)})
    data = write_bundle_sheet(membership, {b: 50.0 + i for i, b in enumerate(ZH_BUNDLES)})
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert not [f for r in rows for f in r if live(f)]
    sheet = read_bundle_sheet(data, "map.csv")
    assert sheet.membership.to_dict() == membership.to_dict()
    assert sheet.targets == {b: 50.0 + i for i, b in enumerate(ZH_BUNDLES)}


def test_a_hand_made_map_keeps_what_the_writer_would_not_have_protected():
    text = "推广计划,投放包\n'abc,包1\n-品牌词,包1\n''-x,包2\n'=1+1,包2\n"
    sheet = read_bundle_sheet(text.encode("utf-8"), "map.csv")
    assert sheet.membership.to_dict() == {"'abc": "包1", "-品牌词": "包1", "'-x": "包2", "=1+1": "包2"}


#: plan and bundle names as the product holds them: read from an export, whose text
#: cells are trimmed of surrounding whitespace
_names = hs.text(hs.characters(exclude_categories=("Cs",)), min_size=1, max_size=12).map(str.strip).filter(bool)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.dictionaries(hs.one_of(hs.sampled_from(ZH_PLANS + PLANTED[:10]), _names),
                       hs.one_of(hs.sampled_from(ZH_BUNDLES), _names), min_size=1, max_size=8),
       hs.sampled_from(["zh", "en"]))
def test_any_plan_names_read_back_the_same(membership, lang):
    membership = {p.strip(): b.strip() for p, b in membership.items() if p.strip() and b.strip()}
    if not membership:
        return
    data = write_bundle_sheet(pd.Series(membership, dtype=object), lang=lang)
    assert read_bundle_sheet(data, "map.csv").membership.to_dict() == membership


# ---------------------------------------------------------------- a generated account, end to end

ZH_UNITS = ["-单元", "＋单元", "@单元"]
ZH_KEYWORDS = ['=HYPERLINK("http://x","y")', "-品牌词", "＝1+1"]
ZH_TERMS = ["@SUM(1)", "+开锁", "=2+5", "－开锁"]
EN_PLANS = ["\u200b=1+1", "\u2066@SUM(1)", "\ufeff-Lockout", "\u00ad+Call", "\u202e=evil", "＋Rekey", "Smart Locks",
            "'quoted"]
EN_UNITS = ["\u200b-unit", "\u2060=unit"]
EN_KEYWORDS = ["\u2060=1+1", "@SUM(1)"]
EN_TERMS = ["\u200b=1+1", "\u200f@SUM(1)", "-diy lock"]


def _rename(frame: pd.DataFrame, column: str, new: list[str]) -> tuple[pd.DataFrame, dict]:
    """``frame`` with the first distinct values of ``column`` renamed to ``new``."""
    old = list(pd.unique(frame[column].astype(str)))[: len(new)]
    mapping = dict(zip(old, new, strict=True))
    return frame.assign(**{column: frame[column].astype(str).map(lambda v: mapping.get(v, v))}), mapping


def _planted_account(language: str, plans: list[str], units: list[str], keywords: list[str], terms: list[str],
                     account: str):
    from sample_data.generator import AccountConfig, generate_account

    cfg = AccountConfig(seed=15, language=language, days=60, n_keywords=240 if language == "zh" else 160,
                        account=account).resolved()
    names = dict(zip([p.campaign for p in cfg.plans], plans, strict=False))
    cfg = replace(cfg, plans=tuple(replace(p, campaign=names.get(p.campaign, p.campaign)) for p in cfg.plans),
                  drifts=tuple(replace(d, campaign=names.get(d.campaign, d.campaign)) for d in cfg.drifts),
                  url_changes=tuple(replace(u, campaign=names.get(u.campaign, u.campaign)) for u in cfg.url_changes))
    acc = generate_account(cfg)
    daily, search = acc.daily, acc.search_terms
    daily, unit_map = _rename(daily, "ad_group", units)
    search = search.assign(ad_group=search["ad_group"].astype(str).map(lambda v: unit_map.get(v, v)))
    daily, kw_map = _rename(daily, "keyword", keywords)
    search = search.assign(keyword=search["keyword"].astype(str).map(lambda v: kw_map.get(v, v)))
    search, _ = _rename(search, "search_term", terms)
    return replace(acc, daily=daily, search_terms=search)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """Two generated accounts whose plans, units, keywords and search terms carry the
    planted names — a Baidu one (GBK: ASCII and full-width starts) and a Google Ads
    one (UTF-16: starts behind invisible characters) — written as their exports into
    a batch folder, the Baidu one with a bundle map of its hostile plans."""
    from sample_data.generator import (write_baidu_keyword_report, write_baidu_plan_report,
                                       write_baidu_search_term_report, write_google_keyword_report,
                                       write_google_search_terms_report)

    root = tmp_path_factory.mktemp("planted")
    zh = _planted_account("zh", ZH_PLANS, ZH_UNITS, ZH_KEYWORDS, ZH_TERMS, "=HYPERLINK(\"http://x\",\"账户\")")
    en = _planted_account("en", EN_PLANS, EN_UNITS, EN_KEYWORDS, EN_TERMS, "@Acme Locks")
    (root / "in" / "=zh").mkdir(parents=True)
    (root / "in" / "@en").mkdir(parents=True)
    write_baidu_keyword_report(zh, root / "in" / "=zh" / "keyword.csv")
    write_baidu_search_term_report(zh, root / "in" / "=zh" / "search_terms.csv")
    write_baidu_plan_report(zh, root / "in" / "=zh" / "plans.csv")
    write_google_keyword_report(en, root / "in" / "@en" / "keyword.csv")
    write_google_search_terms_report(en, root / "in" / "@en" / "search_terms.csv")
    membership = pd.Series({p: ZH_BUNDLES[i % len(ZH_BUNDLES)] for i, p in enumerate(ZH_PLANS)})
    (root / "in" / "=zh" / "bundle_map.csv").write_bytes(write_bundle_sheet(membership, {"=包1": 60.0}))
    return root, zh, en, membership


def _cells_of(path: Path) -> list[str]:
    """Every text field of a CSV or text cell of an XLSX the product wrote; an XLSX
    cell that is a formula is returned as ``FORMULA:<text>`` so that it fails."""
    if path.suffix == ".csv":
        return [f for r in csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")) for f in r]
    out = []
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("=") and c.data_type != "s"):
                    out.append(f"=FORMULA:{c.value}")
                elif isinstance(c.value, str):
                    out.append(c.value)
    return out


def _live_cells(path: Path) -> list[str]:
    return [f for f in _cells_of(path) if live(f)]


def test_every_file_of_a_batch_analysis_is_inert(planted):
    from optimizer.outputs.analyze import analyze_folder

    root, *_ = planted
    index = analyze_folder(root / "in", root / "out", lang="zh", csv=True)
    assert index["status"].tolist() == ["ok", "ok"], index["error"].tolist()
    files = sorted(p for p in (root / "out").rglob("*") if p.suffix in (".csv", ".xlsx"))
    assert len([p for p in files if p.suffix == ".xlsx"]) == 3 and len(files) > 20
    seen = {c for p in files for c in _cells_of(p)}
    # the planted names are there — protected
    for name in ZH_PLANS[:4] + ZH_KEYWORDS + ["@SUM(1)"] + EN_PLANS[:3]:
        assert "'" + name in seen, name
    assert {str(p.relative_to(root)): _live_cells(p) for p in files if _live_cells(p)} == {}


def test_the_batch_analysis_checks_every_planted_plan_against_its_bundle(planted):
    from optimizer.outputs.analyze import analyze_exports, folder_files

    root, zh, _, membership = planted
    files, bmap = folder_files(root / "in" / "=zh")
    (a,) = analyze_exports(files, "auto", bundle_map=bmap)
    # the map's plans are the account's plans: bundle =包1 is checked over its three plans' cost
    assert set(zh.plans["campaign"]) == set(membership.index)
    (t,) = a.targets.itertuples()
    assert t.bundle == "=包1"
    d = zh.daily
    plans = set(membership[membership == "=包1"].index)
    assert plans == {ZH_PLANS[0], ZH_PLANS[6], ZH_PLANS[12]}
    in_window = d["campaign"].astype(str).isin(plans) & d["date"].between(t.window_start, t.window_end)
    assert t.cost == pytest.approx(d.loc[in_window, "cost"].sum(), abs=0.005)


def test_classify_csv_of_a_planted_search_term_report_is_inert(planted):
    root, *_ = planted
    out = subprocess.run([sys.executable, "-m", "optimizer", "classify", str(root / "in" / "=zh" / "search_terms.csv"),
                          "--format", "csv"], cwd=ROOT, capture_output=True, check=True).stdout.decode("utf-8")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    terms = {r[0] for r in rows[1:]}
    assert {"'" + t for t in ZH_TERMS} <= terms
    assert not [f for r in rows for f in r if live(f)]


def test_an_adopted_bundle_map_is_kept_and_read_back_with_the_plan_names(planted, tmp_path):
    """The bundles page's map of the planted account (its download, and what "adopt"
    keeps in the store) reads back the account's own plan names."""
    from optimizer.bundles.propose import assignment_map, plan_evidence, propose, window_performance
    from optimizer.reading.ingest import read_export
    from optimizer.keywords.stages import Classifier
    from optimizer.store.database import Store

    root, *_ = planted
    table = read_export(root / "in" / "=zh" / "keyword.csv").table
    assert set(table["campaign"]) == set(ZH_PLANS)
    clf = Classifier("locksmith")
    _, perf = window_performance(table, clf)
    proposal = propose(plan_evidence(table, clf, perf=perf))
    data = assignment_map(proposal)
    bundled = set(proposal.loc[proposal["bundle"] != "-", "campaign"])
    assert bundled and not [f for r in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for f in r if live(f)]
    assert set(read_bundle_sheet(data, "map.csv").membership.index) == bundled
    with Store.open(None, tmp_path) as s:
        ws = s.create_workspace("w")
        s.save_bundle_decision(ws.id, "k", "投放包对应表.csv", data)
        kept = s.bundle_decision(ws.id, "k")
    assert set(read_bundle_sheet(kept.data, kept.file_name).membership.index) == bundled


# ---------------------------------------------------------------- the pages' downloads

@pytest.fixture
def page_downloads(monkeypatch, tmp_path):
    """The app on a data folder of its own, and the bytes behind its download buttons
    (AppTest keeps them in a media store that is gone once the run ends)."""
    import ui
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import app_test as app_test_module

    import tests.apptest  # noqa: F401 - every run goes through app.py, as on the server
    monkeypatch.setattr(ui, "DATA_DIR", tmp_path)
    stores = []

    class Kept(MemoryMediaFileStorage):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            stores.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Kept)

    def read(button) -> bytes:
        name = button.proto.url.rsplit("/", 1)[-1]
        for store in reversed(stores):
            try:
                return bytes(store.get_file(name).content)
            except Exception:  # not in this run's store
                continue
        raise KeyError(button.key)
    return read


def test_every_page_download_of_a_planted_account_is_inert_and_an_adopted_map_matches_its_plans(
        planted, page_downloads, tmp_path):
    import ui
    from streamlit.testing.v1 import AppTest

    from optimizer.store.database import Store

    root, *_ = planted
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload_files").set_value(
        [(p.name, p.read_bytes(), "text/csv") for p in sorted((root / "in" / "=zh").glob("*.csv"))
         if p.name != "bundle_map.csv"]).run()
    # the search-term report names no account: it goes to the account its plans are in
    next(b for b in at.button if b.label == ui.t("upload.account_go")).click().run()
    assert not at.exception, at.exception
    written: dict[str, bytes] = {}

    def collect(page: str) -> None:
        assert not at.exception, (page, at.exception)
        for b in at.download_button:
            written[f"{page}:{b.key}"] = page_downloads(b)

    for page in ("pages/keywords.py", "pages/bundles.py", "pages/drift.py"):
        at.switch_page(page).run()
        collect(page)
    # adopt the proposal: the kept map names the account's own plans
    at.switch_page("pages/bundles.py").run()
    at.button(key="bd_map_adopt").click().run()
    assert not at.exception, at.exception
    with Store.open(None, ui.DATA_DIR) as s:
        kept = s.bundle_decisions(at.session_state[ui.K_CTX].ws.id)[-1]
    plans = set(read_bundle_sheet(kept.data, kept.file_name).membership.index)
    assert plans and plans <= set(ZH_PLANS)
    assert {p for p in plans if p[:1] in "=+-@＝＠"}  # hostile plans among them, by their own names
    # the drift page's download and the overview's workbook, checked by the adopted map
    at.switch_page("pages/drift.py").run()
    collect("pages/drift.py#adopted")
    at.switch_page("pages/overview.py").run()
    at.button(key="overview_report").click().run()
    collect("pages/overview.py")
    assert {k.split(":")[1] for k in written} >= {"kw_neg_download", "bd_map_download", "dr_download",
                                                   "overview_report_download"}
    for key, data in written.items():
        path = tmp_path / ("x.xlsx" if data.startswith(b"PK") else "x.csv")
        path.write_bytes(data)
        assert _live_cells(path) == [], key
