"""The sample-data generator: formats byte for byte, determinism, and the planted truth."""
from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sample_data import generate
from sample_data.generator import (
    BUSINESS_LINES,
    STAGES,
    AccountConfig,
    DriftSpec,
    GeneratedAccount,
    PlanSpec,
    big_baidu_config,
    generate_account,
    write_baidu_keyword_report,
    write_baidu_plan_report,
    write_baidu_search_term_report,
    write_google_keyword_report,
    write_google_search_terms_report,
    write_truth,
)

BUNDLE_DIR = Path(generate.__file__).resolve().parent
BAIDU_PREAMBLE = [
    "数据生成时间：2026-11-25 09:12",
    "数据生成条件：",
    "1. 时间范围：20260827-20261124",
    "2. 时间单位：分日",
    "3. 推广设备：移动设备，计算机",
    "4. 投放网络：全部",
    "",
]
BAIDU_KEYWORD_HEADER = ("日期,账户,推广计划,推广单元,关键词,关键词ID,匹配模式,出价,访问URL,移动访问URL,展现,点击,消费,"
                        "点击率,平均点击价格,转化,电话转化,网页转化,商桥转化")
BAIDU_TERM_HEADER = "日期,推广计划,推广单元,关键词,搜索词,当前单元的添加状态,展现,点击,消费,点击率,总转化量"
BAIDU_PLAN_HEADER = "日期,推广计划,账户,展现,点击,消费,点击率,平均点击价格,网页转化,商桥转化,电话转化"
GOOGLE_KEYWORD_HEADER = ("Day\tKeyword status\tKeyword\tMatch type\tCampaign\tAd group\tStatus\tFinal URL\tImpr.\t"
                         "Clicks\tCTR\tCurrency code\tAvg. CPC\tCost\tConversions\tConv. rate\tCost / conv.")
GOOGLE_TERMS_HEADER = ("Search term\tMatch type\tAdded/Excluded\tCampaign\tAd group\tKeyword\tClicks\tImpr.\tCTR\t"
                       "Currency code\tAvg. CPC\tCost\tConversions\tCost / conv.")
WRITERS = {
    "baidu_keyword_report.csv": write_baidu_keyword_report,
    "baidu_search_term_report.csv": write_baidu_search_term_report,
    "baidu_plan_report.csv": write_baidu_plan_report,
    "google_keyword_report.csv": write_google_keyword_report,
    "google_search_terms_report.csv": write_google_search_terms_report,
}


# ----------------------------------------------------------------------------- helpers
def read_baidu(path: Path) -> tuple[list[str], pd.DataFrame, pd.Series]:
    """(preamble lines, data rows, 合计 row) of a Baidu export, every cell as text."""
    text = path.read_bytes().decode("gbk")
    lines = text.split("\r\n")
    header_at = next(i for i, line in enumerate(lines) if line.startswith("日期,"))
    table = pd.read_csv(io.StringIO("\n".join(lines[header_at:])), dtype=str, keep_default_na=False)
    assert table.iloc[-1, 0] == "合计"
    return lines[:header_at], table.iloc[:-1], table.iloc[-1]


def read_google(path: Path) -> tuple[list[str], pd.DataFrame]:
    """(title and range lines, table incl. totals rows) of a Google "Excel CSV" export."""
    raw = path.read_bytes()
    assert raw[:2] == b"\xff\xfe"
    lines = raw[2:].decode("utf-16-le").split("\n")
    table = pd.read_csv(io.StringIO("\n".join(lines[2:])), sep="\t", dtype=str, keep_default_na=False)
    return lines[:2], table


def ints(col: pd.Series) -> np.ndarray:
    return col.str.replace(",", "", regex=False).astype("int64").to_numpy()


def cents(col: pd.Series) -> np.ndarray:
    return np.rint(col.str.replace(",", "", regex=False).astype(float).to_numpy() * 100).astype(np.int64)


def strip_match(keyword: str) -> str:
    return keyword[1:-1] if keyword[:1] in '["' else keyword


def write_all(zh: GeneratedAccount, en: GeneratedAccount, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, writer in WRITERS.items():
        writer(zh if name.startswith("baidu") else en, out / name)
    write_truth([zh, en], out / "truth.json")


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def fresh_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    generate.write_bundle(out)
    return out


@pytest.fixture(scope="module")
def accounts() -> dict[str, GeneratedAccount]:
    return generate.bundled_accounts()


@pytest.fixture(scope="module")
def zh(accounts: dict[str, GeneratedAccount]) -> GeneratedAccount:
    return accounts["zh"]


@pytest.fixture(scope="module")
def truth(fresh_bundle: Path) -> dict:
    return json.loads((fresh_bundle / "truth.json").read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- determinism
def test_same_config_gives_identical_bytes_for_every_file(tmp_path: Path) -> None:
    configs = (AccountConfig(seed=7, language="zh", n_keywords=300, days=60),
               AccountConfig(seed=8, language="en", n_keywords=150, days=60))
    for run in ("a", "b"):
        write_all(generate_account(configs[0]), generate_account(configs[1]), tmp_path / run)
    for name in [*WRITERS, "truth.json"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_different_seeds_give_different_accounts() -> None:
    a = generate_account(AccountConfig(seed=1, n_keywords=300, days=60))
    b = generate_account(AccountConfig(seed=2, n_keywords=300, days=60))
    assert not a.daily["clicks"].equals(b.daily["clicks"])


def test_bundled_files_equal_a_fresh_generation(fresh_bundle: Path) -> None:
    names = sorted(p.name for p in fresh_bundle.iterdir())
    assert names == sorted([*generate.FILES, generate.TRUTH_FILE, generate.BUNDLE_MAP_FILE])
    for name in names:
        bundled = BUNDLE_DIR / name
        assert bundled.exists(), f"{name} is not bundled: run python -m sample_data.generate"
        assert bundled.read_bytes() == (fresh_bundle / name).read_bytes(), \
            f"{name} differs from a fresh generation: run python -m sample_data.generate"


# ----------------------------------------------------------------------------- Baidu formats
def test_baidu_files_are_gbk_with_the_preamble(fresh_bundle: Path) -> None:
    preamble, rows, _ = read_baidu(fresh_bundle / "baidu_keyword_report.csv")
    assert preamble == BAIDU_PREAMBLE
    header = (fresh_bundle / "baidu_keyword_report.csv").read_bytes().decode("gbk").split("\r\n")[7]
    assert header == BAIDU_KEYWORD_HEADER
    assert set(rows["匹配模式"]) == {"精确匹配", "短语匹配", "智能匹配"}
    assert rows["日期"].str.fullmatch(r"2026-\d\d-\d\d").all()
    assert rows["消费"].str.fullmatch(r"\d+\.\d\d").all() and rows["平均点击价格"].str.fullmatch(r"\d+\.\d\d").all()
    assert rows["点击率"].str.fullmatch(r"\d+\.\d\d%").all()
    assert (ints(rows["展现"]) > 0).all()
    assert (rows["移动访问URL"] == "").sum() > 0

    preamble, rows, _ = read_baidu(fresh_bundle / "baidu_search_term_report.csv")
    assert preamble == [*BAIDU_PREAMBLE[:2], "1. 时间范围：20261026-20261124", *BAIDU_PREAMBLE[3:6],
                        "5. 投放物料：全部", ""]
    assert list(rows.columns) == BAIDU_TERM_HEADER.split(",")
    assert set(rows["当前单元的添加状态"]) == {"已添加", "未添加"}
    assert (ints(rows["点击"]) > 0).all()
    assert rows["日期"].min() == "2026-10-26" and rows["日期"].max() == "2026-11-24"

    preamble, rows, _ = read_baidu(fresh_bundle / "baidu_plan_report.csv")
    assert preamble == BAIDU_PREAMBLE
    assert list(rows.columns) == BAIDU_PLAN_HEADER.split(",")


def test_baidu_total_rows_equal_the_column_sums(fresh_bundle: Path) -> None:
    for name, text_cols in (("baidu_keyword_report.csv", 10), ("baidu_search_term_report.csv", 6),
                            ("baidu_plan_report.csv", 3)):
        _, rows, total = read_baidu(fresh_bundle / name)
        assert list(total.iloc[1:text_cols]) == ["--"] * (text_cols - 1), name
        for col in rows.columns[text_cols:]:
            if col in ("点击率", "平均点击价格"):
                continue
            if col == "消费":
                assert cents(rows[col]).sum() == cents(pd.Series([total[col]]))[0], name
            else:
                assert ints(rows[col]).sum() == int(total[col]), (name, col)
        impressions, clicks = ints(rows["展现"]).sum(), ints(rows["点击"]).sum()
        assert total["点击率"] == f"{clicks / impressions * 100:.2f}%"


def test_plan_report_equals_keyword_report_per_plan_and_day(fresh_bundle: Path) -> None:
    _, kw, _ = read_baidu(fresh_bundle / "baidu_keyword_report.csv")
    _, plan, _ = read_baidu(fresh_bundle / "baidu_plan_report.csv")
    metrics = {"展现": "展现", "点击": "点击", "网页转化": "网页转化", "商桥转化": "商桥转化", "电话转化": "电话转化"}
    kw_sums = pd.DataFrame({"日期": kw["日期"], "推广计划": kw["推广计划"], "消费": cents(kw["消费"]),
                            **{m: ints(kw[m]) for m in metrics}}).groupby(["日期", "推广计划"]).sum()
    plan_sums = pd.DataFrame({"日期": plan["日期"], "推广计划": plan["推广计划"], "消费": cents(plan["消费"]),
                              **{m: ints(plan[m]) for m in metrics}}).set_index(["日期", "推广计划"]).sort_index()
    pd.testing.assert_frame_equal(kw_sums.sort_index(), plan_sums, check_like=True)


def test_every_chinese_template_encodes_in_gbk() -> None:
    from sample_data.generator import _VOCABULARIES

    vocab = _VOCABULARIES[("locksmith", "zh")]
    texts = [t for stages in vocab.bases.values() for ts in stages.values() for t in ts]
    texts += [*vocab.areas, *vocab.unit_stage_names.values(), *vocab.unit_scope_names, vocab.account]
    "".join(texts).encode("gbk")


# ----------------------------------------------------------------------------- Google formats
def test_google_files_are_utf16_with_title_and_range(fresh_bundle: Path) -> None:
    for name, title, span, header in (
            ("google_keyword_report.csv", "Search keyword report", "August 27, 2026 - November 24, 2026",
             GOOGLE_KEYWORD_HEADER),
            ("google_search_terms_report.csv", "Search terms report", "October 26, 2026 - November 24, 2026",
             GOOGLE_TERMS_HEADER)):
        raw = (fresh_bundle / name).read_bytes()
        assert raw[:2] == b"\xff\xfe"
        lines = raw[2:].decode("utf-16-le").split("\n")
        assert lines[:3] == [title, span, header]
        assert lines[-1] == "" and "\r" not in raw[2:].decode("utf-16-le")


def test_google_keyword_report_layout(fresh_bundle: Path) -> None:
    text = (fresh_bundle / "google_keyword_report.csv").read_bytes()[2:].decode("utf-16-le")
    _, table = read_google(fresh_bundle / "google_keyword_report.csv")
    rows = table[~table["Keyword"].str.startswith("Total:")]
    match_of = {"Exact match": "[", "Phrase match": '"', "Broad match": ""}
    first = rows["Keyword"].str[:1].where(rows["Keyword"].str[:1].isin(['[', '"']), "")
    assert (first == rows["Match type"].map(match_of)).all()
    assert '\t"""' in text and "\t[" in text                 # phrase keywords CSV-escaped as Google does
    assert '\t"1,' in text                                  # thousands quoted
    big = ints(rows["Impr."]) >= 1000
    assert big.any()
    assert (rows["Keyword status"] == "Enabled").all() and (rows["Currency code"] == "USD").all()
    assert rows["Day"].str.fullmatch(r"2026-\d\d-\d\d").all()
    assert rows["CTR"].str.fullmatch(r"\d+\.\d\d%").all()
    zero_clicks = ints(rows["Clicks"]) == 0
    assert (rows.loc[zero_clicks, "Avg. CPC"] == "0").all()


def test_google_totals_equal_the_sums_of_the_rows(fresh_bundle: Path) -> None:
    _, table = read_google(fresh_bundle / "google_keyword_report.csv")
    is_total = table["Keyword"].str.startswith("Total:")
    rows, totals = table[~is_total], table[is_total].set_index("Keyword")
    assert list(totals.index) == ["Total: Filtered keywords", "Total: Account", "Total: Search"]
    assert (table.loc[is_total, "Day"] == "").all()
    assert totals.loc["Total: Filtered keywords", "Keyword status"] == " --"
    for label in totals.index:
        assert ints(pd.Series([totals.loc[label, "Impr."]]))[0] == ints(rows["Impr."]).sum()
        assert ints(pd.Series([totals.loc[label, "Clicks"]]))[0] == ints(rows["Clicks"]).sum()
        assert cents(pd.Series([totals.loc[label, "Cost"]]))[0] == cents(rows["Cost"]).sum()
        assert cents(pd.Series([totals.loc[label, "Conversions"]]))[0] == cents(rows["Conversions"]).sum()

    _, table = read_google(fresh_bundle / "google_search_terms_report.csv")
    is_total = table["Search term"].str.startswith("Total:")
    rows, totals = table[~is_total], table[is_total].set_index("Search term")
    assert list(totals.index) == ["Total: Search terms", "Total: Other search terms", "Total: Account",
                                  "Total: Search"]
    for col in ("Impr.", "Clicks"):
        listed = ints(totals[col])
        assert listed[0] == ints(rows[col]).sum() and listed[2] == listed[0] + listed[1]
    assert cents(pd.Series([totals.loc["Total: Search terms", "Cost"]]))[0] == cents(rows["Cost"]).sum()


# ----------------------------------------------------------------------------- labels
def test_every_reported_keyword_and_term_has_truth_labels_in_the_allowed_sets(fresh_bundle: Path,
                                                                              truth: dict) -> None:
    labels = {(k["account"], k["keyword"]): k for k in truth["keywords"]}
    terms = {(t["account"], t["search_term"]): t for t in truth["search_terms"]}
    for entry in [*labels.values(), *terms.values()]:
        assert entry["business_line"] in BUSINESS_LINES and entry["stage"] in STAGES
        assert entry["urgency"] in (0, 1) and entry["off_target"] == int(entry["stage"] == "none")
    zh_name, en_name = (a["name"] for a in truth["accounts"])
    _, rows, _ = read_baidu(fresh_bundle / "baidu_keyword_report.csv")
    assert all((zh_name, k) in labels for k in rows["关键词"].unique())
    _, rows, _ = read_baidu(fresh_bundle / "baidu_search_term_report.csv")
    assert all((zh_name, t) in terms for t in rows["搜索词"].unique())
    _, table = read_google(fresh_bundle / "google_keyword_report.csv")
    keywords = table.loc[~table["Keyword"].str.startswith("Total:"), "Keyword"].map(strip_match)
    assert all((en_name, k) in labels for k in keywords.unique())


def test_keyword_and_plan_counts(fresh_bundle: Path, truth: dict) -> None:
    zh_name, en_name = (a["name"] for a in truth["accounts"])
    zh_keywords = [k for k in truth["keywords"] if k["account"] == zh_name]
    assert 1900 <= len(zh_keywords) <= 2100
    _, rows, _ = read_baidu(fresh_bundle / "baidu_keyword_report.csv")
    assert rows["关键词"].nunique() >= 0.9 * len(zh_keywords)
    assert 8 <= rows["推广计划"].nunique() <= 15
    en_keywords = [k for k in truth["keywords"] if k["account"] == en_name]
    assert 350 <= len(en_keywords) <= 450
    _, table = read_google(fresh_bundle / "google_keyword_report.csv")
    assert 5 <= table.loc[~table["Keyword"].str.startswith("Total:"), "Campaign"].nunique() <= 8


@pytest.mark.parametrize("language", ["zh", "en"])
def test_label_shares(accounts: dict[str, GeneratedAccount], language: str) -> None:
    kw = accounts[language].keywords
    assert 0.05 <= kw["off_target"].mean() <= 0.08
    assert 0.10 <= kw["urgency"].mean() <= 0.15
    assert set(kw["stage"]) == set(STAGES)


def test_labels_follow_the_conventions_on_the_reference_examples(zh: GeneratedAccount,
                                                                  accounts: dict[str, GeneratedAccount]) -> None:
    labels = {r.keyword: (r.business_line, r.stage, r.urgency, r.off_target)
              for r in pd.concat([zh.keywords, accounts["en"].keywords]).itertuples()}
    expected = {
        "开锁": ("开锁", "core", 0, 0), "上门开锁": ("开锁", "core", 1, 0), "钥匙锁屋里了": ("开锁", "core", 0, 0),
        "开锁电话": ("开锁", "phone", 0, 0), "开锁公司电话": ("开锁", "phone", 0, 0),
        "开锁公司": ("开锁", "company", 0, 0), "开锁换锁公司": ("开锁", "company", 0, 0),
        "开锁多少钱": ("开锁", "price", 0, 0), "开锁公司收费标准": ("开锁", "price", 0, 0),
        "开锁需要什么证件": ("开锁", "consult", 0, 0), "防盗门锁芯怎么换": ("换锁", "consult", 0, 0),
        "指纹锁哪个牌子好": ("指纹锁", "consult", 0, 0), "指纹锁维修": ("指纹锁", "core", 0, 0),
        "汽车钥匙匹配": ("配钥匙", "core", 0, 0), "开锁培训": ("开锁", "none", 0, 1),
        "开锁工具": ("开锁", "none", 0, 1),
        "locksmith": ("开锁", "core", 0, 0), "locksmith phone number": ("开锁", "phone", 0, 0),
        "locksmith company": ("开锁", "company", 0, 0), "how much does a locksmith charge": ("开锁", "price", 0, 0),
        "do locksmiths need a license": ("开锁", "consult", 0, 0), "best smart lock brand": ("指纹锁", "consult", 0, 0),
        "locksmith near me": ("开锁", "core", 1, 0), "car key programming": ("配钥匙", "core", 0, 0),
    }
    for keyword, want in expected.items():
        assert labels.get(keyword) == want, keyword


def test_a_text_has_one_label_set_across_keywords_and_search_terms(truth: dict) -> None:
    seen: dict[tuple[str, str], tuple] = {}
    for entry in truth["keywords"] + truth["search_terms"]:
        text = entry.get("keyword", entry.get("search_term"))
        lab = (entry["business_line"], entry["stage"], entry["urgency"], entry["off_target"])
        assert seen.setdefault((entry["account"], text), lab) == lab, text


# ----------------------------------------------------------------------------- the planted truth
def test_truth_document_keys_and_structure(truth: dict) -> None:
    assert set(truth) == {"seed", "generated_by", "accounts", "keywords", "search_terms", "plan_groups",
                          "plan_targets", "drifts", "url_changes", "url_mismatches", "structure_faults",
                          "partial_last_day", "creative_problems"}
    assert [a["platform"] for a in truth["accounts"]] == ["baidu", "google_ads"]
    assert truth["partial_last_day"] == {truth["accounts"][0]["name"]: "2026-11-24", truth["accounts"][1]["name"]: None}
    assert set(truth["plan_groups"].values()) == set(truth["plan_targets"])
    for fault in truth["structure_faults"]:
        assert fault["stage"] == "price" and fault["unit_stage"] == "core"
    zh_name = truth["accounts"][0]["name"]
    assert sum(f["account"] == zh_name for f in truth["structure_faults"]) >= 3
    assert sum(m["account"] == zh_name for m in truth["url_mismatches"]) >= 3
    assert {d["account"] for d in truth["drifts"]} == {a["name"] for a in truth["accounts"]}


def test_plan_groups_share_cpa_and_cvr_and_are_recoverable(zh: GeneratedAccount, truth: dict) -> None:
    targets = {g: t for g, t in truth["plan_targets"].items() if t["account"] == zh.config.account}
    groups = pd.Series({c: g for c, g in truth["plan_groups"].items() if g in targets})
    assert len(targets) >= 4 and (groups.value_counts() >= 2).sum() >= 2
    for line in {t["business_line"] for t in targets.values()}:
        cpas = sorted(t["cpa"] for t in targets.values() if t["business_line"] == line)
        assert all(b >= 1.4 * a for a, b in pairwise(cpas)), line
    # Before any drift, each plan's realised CPA and CVR sit near its group's truth.
    first_drift = min(d.start for d in zh.config.drifts or ())
    before = zh.daily[zh.daily["date"] < pd.Timestamp(first_drift)]
    plan = before.groupby("campaign", observed=True)[["cost", "clicks", "conversions"]].sum()
    for campaign, row in plan.iterrows():
        target = targets[groups[campaign]]
        if row["conversions"] >= 100:
            assert row["cost"] / row["conversions"] == pytest.approx(target["cpa"], rel=0.2), campaign
            assert row["conversions"] / row["clicks"] == pytest.approx(target["cvr"], rel=0.2), campaign


def test_volumes_are_realistic(zh: GeneratedAccount) -> None:
    plan_days = zh.daily.groupby(["campaign", "date"], observed=True)[["cost", "clicks", "conversions"]].sum()
    per_plan = plan_days.groupby(level="campaign").mean()
    assert per_plan["cost"].between(200, 2000).all()
    assert (per_plan.loc[["开锁-核心词", "开锁-电话词", "换锁-核心词", "汽车开锁"], "conversions"] >= 5).all()
    cpc = per_plan["cost"] / per_plan["clicks"]
    assert cpc.between(3, 15).all()
    d = zh.daily
    assert (d["conversions"] == d["conv_phone"] + d["conv_form"] + d["conv_chat"]).all()
    assert d["conv_phone"].sum() > d["conv_form"].sum() > d["conv_chat"].sum()
    assert (d["clicks"] <= d["impressions"]).all() and (d["conversions"] <= d["clicks"]).all()
    weekday = d.groupby(d["date"].dt.day_of_week)["impressions"].sum()
    assert weekday[[5, 6]].mean() > 1.05 * weekday[[0, 1, 2, 3]].mean()


def _plan_ratio(daily: pd.DataFrame, campaign: str, start: date, num: str, den: str, days: int = 14,
                skip: int = 0) -> float:
    d = daily[daily["campaign"] == campaign]
    t0 = pd.Timestamp(start)
    after = d[(d["date"] >= t0 + pd.Timedelta(days=skip)) & (d["date"] < t0 + pd.Timedelta(days=skip + days))]
    before = d[(d["date"] < t0) & (d["date"] >= t0 - pd.Timedelta(days=days))]
    return (after[num].sum() / after[den].sum()) / (before[num].sum() / before[den].sum())


def test_planted_drifts_are_visible(zh: GeneratedAccount, accounts: dict[str, GeneratedAccount]) -> None:
    drifts = {(d.campaign, d.metric, d.shape): d for d in zh.config.drifts or ()}
    assert {(m, s) for _, m, s in drifts} == {("cpc", "abrupt"), ("cvr", "abrupt"), ("cpc", "gradual")}
    # 14 days after the start (after the ramp when gradual) against the 14 days before:
    # within 15 points of the planted change (+40% CPC → at least +25%).
    for (campaign, metric, shape), d in drifts.items():
        assert (zh.config.end_date - d.start).days < 45
        if metric == "cpc":
            ratio = _plan_ratio(zh.daily, campaign, d.start, "cost", "clicks",
                                skip=d.ramp_days if shape == "gradual" else 0)
            assert ratio >= 1 + d.change - 0.15, (campaign, ratio)
        else:
            # Conversions of the partial last day would exaggerate the drop: stop before it.
            daily = zh.daily[zh.daily["date"] < pd.Timestamp(zh.config.end_date)]
            ratio = _plan_ratio(daily, campaign, d.start, "conversions", "clicks", days=21)
            assert ratio <= 1 + d.change + 0.15, (campaign, ratio)
    steady = [p.campaign for p in zh.config.plans or () if p.campaign not in {c for c, _, _ in drifts}]
    start = min(d.start for d in drifts.values())
    for campaign in steady[:4]:
        assert 0.9 <= _plan_ratio(zh.daily, campaign, start, "cost", "clicks") <= 1.1, campaign
    en = accounts["en"]
    (d,) = en.config.drifts or ()
    assert _plan_ratio(en.daily, d.campaign, d.start, "cost", "clicks") >= 1 + d.change - 0.15


def test_the_last_day_is_partial_in_baidu_only(accounts: dict[str, GeneratedAccount]) -> None:
    for language, partial in (("zh", True), ("en", False)):
        d = accounts[language].daily
        by_day = d.groupby("date")[["conversions", "clicks"]].sum()
        cvr = by_day["conversions"] / by_day["clicks"]
        last, usual = cvr.iloc[-1], cvr.iloc[-15:-1].mean()
        assert (last < 0.75 * usual) if partial else (last > 0.75 * usual), language


def test_url_change_mismatch_and_missing_mobile_urls(zh: GeneratedAccount, truth: dict) -> None:
    change = next(c for c in truth["url_changes"] if c["account"] == zh.config.account)
    assert change["old_mobile_url"] == "https://m.example-kaisuo.cn/huansuo.html"
    assert change["new_mobile_url"] == "https://m.example-kaisuo.cn/huansuo-v2.html"
    unit = zh.daily[(zh.daily["campaign"] == change["campaign"]) & (zh.daily["ad_group"] == change["ad_group"])]
    on_new = unit["date"] >= pd.Timestamp(change["date"])
    assert set(unit.loc[~on_new, "final_url"]) == {change["old_url"]}
    assert set(unit.loc[on_new, "mobile_final_url"]) == {change["new_mobile_url"]}
    for m in (m for m in truth["url_mismatches"] if m["account"] == zh.config.account):
        assert m["business_line"] == "换锁" and m["url"].endswith("/kaisuo.html")
        assert set(zh.daily.loc[zh.daily["keyword"] == m["keyword"], "final_url"]) <= {m["url"]}
    urls = zh.keywords.drop_duplicates("business_line").set_index("business_line")
    assert urls.loc["开锁", "final_url"] == "https://www.example-kaisuo.cn/kaisuo.html"
    assert (zh.keywords["mobile_final_url"] == "").sum() >= 5


def test_search_terms_split_keyword_days_exactly(zh: GeneratedAccount) -> None:
    st = zh.search_terms
    assert st["date"].nunique() == 30
    per_keyword_day = st.groupby(["date", "keyword_id"])[["impressions", "clicks", "conversions"]].sum()
    assert st.groupby(["date", "keyword_id"])["search_term"].nunique().between(1, 4).all()
    d = zh.daily[(zh.daily["date"] >= st["date"].min()) & (zh.daily["clicks"] > 0)]
    expected = d.set_index(["date", "keyword_id"])[["impressions", "clicks", "conversions"]].sort_index()
    pd.testing.assert_frame_equal(per_keyword_day.sort_index(), expected)
    off, on = st[st["off_target"] == 1], st[st["off_target"] == 0]
    assert off["clicks"].sum() > 0.02 * st["clicks"].sum()
    assert off["conversions"].sum() / off["clicks"].sum() < 0.2 * on["conversions"].sum() / on["clicks"].sum()


# ----------------------------------------------------------------------------- configuration
@pytest.mark.parametrize("rows", [60_000, 200_000])
def test_big_baidu_config_gives_about_the_asked_rows(rows: int) -> None:
    assert len(generate_account(big_baidu_config(rows=rows)).daily) == pytest.approx(rows, rel=0.1)


def test_custom_drifts_and_plans_are_validated() -> None:
    end = date(2026, 11, 24)
    with pytest.raises(ValueError, match="unknown plan"):
        AccountConfig(drifts=(DriftSpec("nope", "cpc", end - timedelta(days=5), 0.2),)).resolved()
    with pytest.raises(ValueError, match="outside"):
        AccountConfig(drifts=(DriftSpec("开锁-核心词", "cpc", end + timedelta(days=1), 0.2),)).resolved()
    plans = AccountConfig().resolved().plans or ()
    clash = replace(plans[1], target_cpa=99)
    with pytest.raises(ValueError, match="share group"):
        AccountConfig(plans=(plans[0], clash, *plans[2:])).resolved()


def test_custom_gradual_cvr_drift_on_a_small_account() -> None:
    end = date(2026, 11, 24)
    plans = (PlanSpec("开锁-核心词", "开锁", ("core", "phone"), "A", 60, 0.14, 1500, 0.6),
             PlanSpec("换锁-核心词", "换锁", ("core", "price"), "B", 90, 0.10, 900, 0.4))
    drift = DriftSpec("开锁-核心词", "cvr", end - timedelta(days=20), -0.4, "gradual", 5)
    acc = generate_account(AccountConfig(seed=3, n_keywords=200, days=60, plans=plans, drifts=(drift,), volume_scale=1,
                                         url_changes=(), last_day_partial=False))
    assert acc.truth["drifts"][0]["shape"] == "gradual" and acc.truth["url_changes"] == []
    assert _plan_ratio(acc.daily, "开锁-核心词", drift.start, "conversions", "clicks", skip=5) < 0.8
