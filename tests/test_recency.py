"""Real combinations of uploads: the newer download wins whatever the upload order, files
that name no account are not merged into another advertiser's account, and two accounts'
rows mixed up in "one" account are refused rather than summed."""
from __future__ import annotations

import os

import pandas as pd
import pytest

from optimizer.model import dataset
from optimizer.model import recency
from optimizer.store.auth import Access, ShareAccess, create_share, open_share
from optimizer.cli import main as cli_main
from optimizer.reading.decode import read_preamble
from optimizer.errors import IngestError
from optimizer.reading.ingest import read_export
from optimizer.store.database import Store

HEADER = "日期,账户,推广计划,推广单元,关键词,关键词ID,匹配模式,展现,点击,消费,转化\n"


def baidu(generated: str, rows: list[str], period: str = "20261013-20261013") -> bytes:
    """A Baidu keyword-day report with its preamble (GBK)."""
    pre = (f"数据生成时间：{generated}\n数据生成条件：\n1. 时间范围：{period}\n2. 时间单位：分日\n"
           "3. 推广设备：移动设备，计算机\n\n")
    return (pre + HEADER + "\n".join(rows) + "\n").encode("gbk")


#: 10-13 downloaded early on 10-14: conversions of 10-13 still arriving; a day later they are in
EARLY = baidu("2026-10-14 08:05", ["2026-10-13,安心开锁,开锁-核心,上门开锁,上门开锁,1001,精确匹配,100,10,50.00,1",
                                   "2026-10-13,安心开锁,开锁-核心,上门开锁,开锁师傅,1002,短语匹配,80,8,40.00,0"])
LATE = baidu("2026-10-15 09:12", ["2026-10-13,安心开锁,开锁-核心,上门开锁,上门开锁,1001,精确匹配,100,10,48.50,3",
                                  "2026-10-13,安心开锁,开锁-核心,上门开锁,开锁师傅,1002,短语匹配,80,8,40.00,1"])


def combine(*files: tuple[str, bytes]) -> dataset.Combined:
    c = dataset.Combined()
    for name, data in files:
        c.add(read_export(data, name))
    return c


def test_the_preamble_says_when_the_file_was_generated():
    pre = read_preamble(["数据生成时间：2017-10-10 14:02,,,,,,", "1. 时间范围：20171009"])
    assert pre.generated is not None and f"{pre.generated:%Y-%m-%d %H:%M}" == "2017-10-10 14:02"
    info = read_export(LATE, "late.csv").info
    assert (info.generated_at, info.range_end) == ("2026-10-15T09:12", "2026-10-13")


@pytest.mark.parametrize("order", [("early", "late"), ("late", "early")])
def test_the_newer_download_wins_whatever_the_upload_order(order):
    files = {"early": ("kw_1014.csv", EARLY), "late": ("kw_1015.csv", LATE)}
    c = combine(*(files[k] for k in order))
    t = c.table.sort_values("keyword_id")
    assert t["conversions"].tolist() == [3.0, 1.0] and t["cost"].tolist() == [48.5, 40.0]
    assert (t["source_file"].astype(str) == "kw_1015.csv").all()
    second = c.reports[1]
    if order == ("late", "early"):
        # the older download uploaded second never replaces the newer rows, and says why
        assert second.replaced == 0 and second.kept_from == {"kw_1015.csv": 2}
        msg = " ".join(second.messages("zh"))
        assert "保留了 kw_1015.csv 的数据，没有用 kw_1014.csv 的" in msg
        assert "kw_1015.csv 生成于 10-15 09:12，kw_1014.csv 生成于 10-14 08:05" in msg
        assert "转化" in msg and "新数据" not in msg
        assert "kept, not kw_1014.csv's" in " ".join(second.messages("en"))
    else:
        assert second.replaced_from == {"kw_1014.csv": 2} and second.kept == 0
        assert "用了 kw_1015.csv 的数据" in " ".join(second.messages("zh"))


def google(title_range: str, rows: list[str]) -> bytes:
    """A Google Ads keyword report as the report editor writes it (title and range lines), no account."""
    head = ("Search keyword report\n" + f'"{title_range}"\n'
            "Day,Keyword,Match type,Campaign,Ad group,Currency code,Impr.,Clicks,Cost,Conversions\n")
    return (head + "\n".join(rows) + "\n").encode("utf-8")


def g_row(day: str, kw: str, campaign: str, impr: int, clicks: int, cost: float, conv: float,
          currency: str = "USD") -> str:
    return f"{day},{kw},Exact match,{campaign},{campaign} - group,{currency},{impr},{clicks},{cost:.2f},{conv}"


def test_the_stated_range_decides_between_files_without_a_generation_time():
    a = google("October 1, 2026 - October 13, 2026", [g_row("2026-10-13", "locksmith", "Lock", 50, 5, 20.0, 0)])
    b = google("October 1, 2026 - October 14, 2026", [g_row("2026-10-13", "locksmith", "Lock", 50, 5, 19.0, 2)])
    for files in ([("a.csv", a), ("b.csv", b)], [("b.csv", b), ("a.csv", a)]):
        c = combine(*files)
        assert c.table["conversions"].tolist() == [2.0]
    assert c.reports[1].why == {"b.csv": "range_end"}
    assert "b.csv 的数据到 10-14，a.csv 只到 10-13" in " ".join(c.reports[1].messages("zh"))


def test_without_anything_stated_the_modification_time_then_the_upload_order_decides():
    old = recency.Freshness("x.csv", modified=pd.Timestamp("2026-10-14 08:00").to_pydatetime(), order=1)
    new = recency.Freshness("y.csv", modified=pd.Timestamp("2026-10-14 09:00").to_pydatetime(), order=0)
    assert recency.compare(new, old) == (True, "modified")
    assert recency.compare(recency.Freshness("p", order=2), recency.Freshness("q", order=1)) == (True, "order")


def test_the_command_line_reads_the_file_modification_time(tmp_path):
    # same rows, nothing stated: the file modified later wins though it is given first
    body = "Keyword,Match type,Campaign,Ad group,Impr.,Clicks,Cost,Conversions\n"
    newer, older = tmp_path / "newer.csv", tmp_path / "older.csv"
    newer.write_text(body + "locksmith,Exact match,Lock,G,50,5,19.00,2\n")
    older.write_text(body + "locksmith,Exact match,Lock,G,50,5,20.00,0\n")
    os.utime(older, (1_700_000_000, 1_700_000_000))
    os.utime(newer, (1_700_100_000, 1_700_100_000))
    t = dataset.load_exports([newer, older])
    assert t["conversions"].tolist() == [2.0]


# ---------------------------------------------------------------- advertisers stay apart

TOWING = google("October 1, 2026 - October 3, 2026",
                [g_row(f"2026-10-0{d}", "tow truck near me", "Towing - Search", 100, 10, 30.0, 1) for d in (1, 2, 3)])
FLORIST = google("October 1, 2026 - October 3, 2026",
                 [g_row(f"2026-10-0{d}", "flower delivery", "Florist - Brand", 80, 8, 12.0, 2) for d in (1, 2, 3)])
TOWING_TERMS = ("Search terms report\n\"October 1, 2026 - October 3, 2026\"\n"
                "Search term,Match type,Campaign,Ad group,Currency code,Impr.,Clicks,Cost,Conversions\n"
                "tow truck,Exact match,Towing - Search,Towing - Search - group,USD,40,4,12.00,1\n").encode()


def test_two_nameless_google_files_of_two_advertisers_are_two_accounts(tmp_path):
    (tmp_path / "towing.csv").write_bytes(TOWING)
    (tmp_path / "florist.csv").write_bytes(FLORIST)
    (tmp_path / "towing_terms.csv").write_bytes(TOWING_TERMS)
    t = dataset.load_exports([tmp_path / "towing.csv", tmp_path / "florist.csv", tmp_path / "towing_terms.csv"])
    acc = dataset.accounts(t).sort_values("account")
    # same platform and currency, no account named: still two advertisers (the florist named by its
    # file), and the search terms report joins the account whose campaigns it shares
    assert acc["account"].tolist() == ["", "florist"]
    assert acc["cost"].tolist() == [90.0, 36.0]
    towing = dataset.for_account(t, "google_ads", "", "USD")
    assert set(towing["source_file"].astype(str)) == {"towing.csv", "towing_terms.csv"}
    # --account names every nameless file's account
    t2 = dataset.load_exports([tmp_path / "towing.csv", tmp_path / "towing_terms.csv"], account="Ace Towing")
    assert dataset.accounts(t2)["account"].tolist() == ["Ace Towing"]


def test_analyze_json_keeps_the_two_advertisers_apart(tmp_path, capsys):
    (tmp_path / "towing.csv").write_bytes(TOWING)
    (tmp_path / "florist.csv").write_bytes(FLORIST)
    rc = cli_main(["analyze", str(tmp_path / "towing.csv"), str(tmp_path / "florist.csv"), "--json", "--quiet",
                   "--lang", "en"])
    out = capsys.readouterr().out
    assert rc == 0
    import json
    got = json.loads(out)
    accounts = got["accounts"] if isinstance(got, dict) and "accounts" in got else got
    names = sorted(a["account"] for a in accounts)
    assert names == ["", "florist"]


def test_a_nameless_file_sharing_no_campaign_does_not_join_the_named_account():
    named = ("Keyword,Account,Campaign,Ad group,Match type,Currency code,Impr.,Clicks,Cost,Conversions\n"
             "tow truck near me,Ace Towing,Towing - Search,G,Exact match,USD,100,10,30.00,1\n").encode()
    c = combine(("named.csv", named), ("florist.csv", FLORIST))
    acc = dataset.accounts(c.table).sort_values("account")
    assert acc["account"].tolist() == ["", "Ace Towing"]  # the florist's rows stay apart (unnamed)
    c2 = combine(("named.csv", named), ("terms.csv", TOWING_TERMS))
    assert dataset.accounts(c2.table)["account"].tolist() == ["Ace Towing"]  # its own search terms join it


def test_account_choice_suggests_from_campaign_names():
    t = read_export(TOWING, "towing.csv").table
    choice = dataset.account_choice(t, read_export(TOWING_TERMS, "terms.csv").table, "terms.csv")
    assert choice.ask and choice.default == 0 and choice.options[0] == ("", 1.0)
    other = dataset.account_choice(t, read_export(FLORIST, "florist.csv").table, "florist.csv")
    assert other.default is None and other.new_name == "florist" and other.name() == "florist"
    assert dataset.account_choice(None, t, "towing.csv").ask is False


def test_the_same_keyword_id_with_another_keyword_is_a_mixup_and_refused():
    other = baidu("2026-10-15 10:00", ["2026-10-12,安心开锁,开锁-核心,上门开锁,换锁芯,1001,精确匹配,30,3,9.00,0"])
    with pytest.raises(IngestError) as e:
        combine(("kw_1015.csv", LATE), ("other.csv", other))
    assert e.value.kind == "mixup" and "上门开锁" in e.value.message("zh") and "换锁芯" in e.value.message("zh")
    assert "two different accounts" in e.value.message("en")


def _day_rows(day: str, impressions: list[int]) -> list[str]:
    return [f"{day},安心开锁,开锁-核心,单元{i},词{i},,精确匹配,{n},{n // 10},{n / 5:.2f},1"
            for i, n in enumerate(impressions)]


def test_figures_that_disagree_both_ways_are_a_mixup_a_growing_day_is_not():
    a = baidu("2026-10-14 08:00", _day_rows("2026-10-13", [100, 200, 300, 400, 500, 600]))
    b = baidu("2026-10-14 09:00", _day_rows("2026-10-13", [40, 420, 90, 800, 150, 1000]))
    with pytest.raises(IngestError) as e:
        combine(("a.csv", a), ("b.csv", b))
    assert e.value.kind == "mixup" and "a.csv" in e.value.message("zh")
    # the same day downloaded at noon and again at night: every figure grew — a re-download
    noon = baidu("2026-10-13 12:00", _day_rows("2026-10-13", [100, 200, 300, 400, 500, 600]))
    night = baidu("2026-10-13 23:00", _day_rows("2026-10-13", [180, 350, 520, 700, 900, 1100]))
    c = combine(("night.csv", night), ("noon.csv", noon))
    assert sorted(c.table["impressions"].tolist()) == [180, 350, 520, 700, 900, 1100]
    assert c.reports[1].kept_from == {"night.csv": 6}


# ---------------------------------------------------------------- the store and share links

@pytest.fixture
def store(tmp_path):
    s = Store.open(None, tmp_path)
    yield s
    s.close()


def test_the_store_keeps_the_newer_rows_and_refuses_a_mixup_without_storing_it(store):
    ws = store.create_workspace("安心开锁")
    store.add_upload(ws.id, "kw_1015.csv", LATE)
    r = store.add_upload(ws.id, "kw_1014.csv", EARLY)
    assert r.report.kept_from == {"kw_1015.csv": 2}
    t = store.workspace_table(ws.id).table
    assert sorted(t["conversions"].tolist()) == [1.0, 3.0]
    store._forget(ws.id)  # rebuilt from the database: the same
    assert sorted(store.workspace_table(ws.id).table["conversions"].tolist()) == [1.0, 3.0]
    other = baidu("2026-10-15 10:00", ["2026-10-12,安心开锁,开锁-核心,上门开锁,换锁芯,1001,精确匹配,30,3,9.00,0"])
    with pytest.raises(IngestError):
        store.add_upload(ws.id, "other.csv", other)
    assert [u.file_name for u in store.list_uploads(ws.id)] == ["kw_1015.csv", "kw_1014.csv"]


def test_the_account_chosen_on_upload_is_kept_and_applied(store):
    ws = store.create_workspace("两个客户")
    store.add_upload(ws.id, "towing.csv", TOWING)
    store.add_upload(ws.id, "florist.csv", FLORIST, account="Bloom Florist")
    store._forget(ws.id)
    acc = dataset.accounts(store.workspace_table(ws.id).table).sort_values("account")
    assert acc["account"].tolist() == ["", "Bloom Florist"]
    assert store.list_uploads(ws.id)[1].account_name == "Bloom Florist"


def test_a_share_link_shows_only_the_accounts_chosen(store):
    from optimizer.store.auth import hash_password
    user = store.insert_user("wang", hash_password("correct horse battery"), "optimizer")
    ws = store.create_workspace("两个客户", by=user)
    store.add_upload(ws.id, "towing.csv", TOWING)
    store.add_upload(ws.id, "florist.csv", FLORIST, account="Bloom Florist")
    with pytest.raises(ValueError):
        create_share(store, user, ws.id, accounts=[])
    link, token = create_share(store, user, ws.id, accounts=[("google_ads", "Bloom Florist", "USD")])
    assert link.accounts == (("google_ads", "Bloom Florist", "USD"),)
    access = open_share(store, token)
    assert isinstance(access, ShareAccess) and access.accounts == link.accounts
    seen = Access(store, access).table(ws.id).table
    assert dataset.accounts(seen)["account"].tolist() == ["Bloom Florist"]
    assert set(seen["source_file"].astype(str)) == {"florist.csv"}
    # a link made without a choice (before accounts could be chosen) still shows the workspace
    _, token_all = create_share(store, user, ws.id)
    assert len(dataset.accounts(Access(store, open_share(store, token_all)).table(ws.id).table)) == 2


def test_files_with_the_same_name_are_told_apart():
    c = combine(("Search keyword report.csv", TOWING), ("Search keyword report.csv", FLORIST))
    assert [r.file for r in c.reports] == ["Search keyword report.csv", "Search keyword report (2).csv"]


def test_one_account_name_for_two_advertisers_files_is_refused_name_each(tmp_path):
    (tmp_path / "tow.csv").write_bytes(TOWING)
    (tmp_path / "flo.csv").write_bytes(FLORIST)
    (tmp_path / "terms.csv").write_bytes(TOWING_TERMS)
    with pytest.raises(IngestError) as e:
        dataset.load_exports([tmp_path / "tow.csv", tmp_path / "flo.csv"], account=["Rapid Tow"])
    assert e.value.kind == "mixup" and "--account flo.csv=" in e.value.message("en")
    # one name for one advertiser's files (its search terms share its campaigns) is fine
    t = dataset.load_exports([tmp_path / "tow.csv", tmp_path / "terms.csv"], account=["Rapid Tow"])
    assert dataset.accounts(t)["account"].tolist() == ["Rapid Tow"]
    # FILE=NAME names each
    t = dataset.load_exports([tmp_path / "tow.csv", tmp_path / "flo.csv"],
                             account=["tow.csv=Rapid Tow", f"{tmp_path / 'flo.csv'}=Rose Petal"])
    assert sorted(dataset.accounts(t)["account"]) == ["Rapid Tow", "Rose Petal"]


def test_the_command_line_refuses_one_name_for_two_advertisers(tmp_path, capsys):
    (tmp_path / "tow.csv").write_bytes(TOWING)
    (tmp_path / "flo.csv").write_bytes(FLORIST)
    rc = cli_main(["analyze", str(tmp_path / "tow.csv"), str(tmp_path / "flo.csv"), "--account", "Rapid Tow",
                   "--json", "--quiet", "--lang", "en"])
    assert rc == 1 and "share no campaign" in capsys.readouterr().err


def _google_day(impressions: list[int]) -> bytes:
    head = ("Search keyword report\n\"Oct 13, 2026 - Oct 13, 2026\"\n"
            "Day,Keyword,Match type,Campaign,Ad group,Currency code,Impr.,Clicks,Cost,Conversions\n")
    return (head + "".join(f"2026-10-13,kw {i},Exact match,Towing,G{i},USD,{n},{n // 10},{n / 5:.2f},1\n"
                           for i, n in enumerate(impressions))).encode()


def test_the_mixup_advice_fits_whether_the_file_names_its_account_and_where_it_is_read():
    # a Baidu file names its account: no account can be chosen for it, on upload or with --account
    other = baidu("2026-10-15 10:00", ["2026-10-12,安心开锁,开锁-核心,上门开锁,换锁芯,1001,精确匹配,30,3,9.00,0"])
    with pytest.raises(IngestError) as e:
        combine(("kw_1015.csv", LATE), ("other.csv", other))
    for where in ("below", "elsewhere"):
        zh, en = e.value.message("zh", where), e.value.message("en", where)
        assert "选择另一个账户" not in zh and "--account" not in zh and "工作区" in zh and "写明" in zh, zh
        assert "choose another account" not in en and "another workspace" in en, en
    # a Google download names none: choose another account on upload, or --account on the command line
    a, b = _google_day([100, 200, 300, 400, 500, 600]), _google_day([40, 420, 90, 800, 150, 1000])
    with pytest.raises(IngestError) as e:
        combine(("a.csv", a), ("b.csv", b))
    assert e.value.kind == "mixup"
    assert "上传时为它选择另一个账户" in e.value.message("zh", "below")
    assert "--account" in e.value.message("zh") and "上传时" not in e.value.message("zh")
    assert "--account NAME" in str(e.value)   # the command line's text


@pytest.mark.parametrize("lang, said", [("zh", "写明的生成时间相同（10-14 08:05）"), ("en", "both state the same time (10-14 08:05)")])
def test_two_files_made_at_the_same_time_are_not_said_to_state_nothing(lang, said):
    import datetime as dt
    when = dt.datetime(2026, 10, 14, 8, 5)
    a = recency.Freshness("kw (2).csv", when, dt.date(2026, 10, 13), dt.date(2026, 10, 13), None, 1)
    b = recency.Freshness("kw.csv", when, dt.date(2026, 10, 13), dt.date(2026, 10, 13), None, 0)
    newer, crit = recency.compare(a, b)
    assert newer is True and crit == "order"  # the later upload
    text = recency.reason(a, b, crit, lang)
    assert said in text and "没有写明" not in text and "neither" not in text
    nothing = recency.reason(recency.Freshness("x.csv", order=1), recency.Freshness("y.csv"), "order", lang)
    assert ("没有写明" if lang == "zh" else "neither") in nothing
