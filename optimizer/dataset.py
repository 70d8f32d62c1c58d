"""Combining several uploads (days, accounts, report types) into one account dataset.

Optimizers download the same report again and again: yesterday's file, last week's,
a re-download after Baidu's late conversions came in. :func:`merge` adds one
:class:`~optimizer.ingest.Export` to what is already loaded and says exactly what
happened to every row:

- a row whose identity (report type, account, plan, unit, keyword, match type,
  search term, device, segment) and period are already loaded with the *same*
  figures is a duplicate: it is skipped, and the message names the file it was
  first loaded from ("412 rows already loaded from keyword_2026-11-01.csv were
  skipped");
- same identity and period but *different* figures means an overlapping
  re-download: the newer file wins (Baidu conversions arrive about a day late, so
  the later download is the more complete one), and the replaced rows are counted;
- anything else is added.

Exact duplicates inside one file are dropped too, and counted.

Different report types are kept side by side (a keyword report and a plan report
of the same days both hold the same spend): :func:`spend_rows` picks, per platform
and account, the one report type to sum for account totals so that nothing is
counted twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .ingest import Export, read_export
from .schema import ADDITIVE_METRICS, IDENTITY_COLUMNS, STR_DTYPE, concat, empty_table, text

_KEY = (*IDENTITY_COLUMNS, "period_start", "period_end")
_FIGURES = ("bid", "final_url", "mobile_final_url", *ADDITIVE_METRICS)


@dataclass(frozen=True)
class MergeReport:
    """What merging one file did. ``duplicates_from``: earlier file -> rows skipped."""

    file: str
    added: int
    duplicates: int
    duplicates_from: dict[str, int]
    replaced: int
    replaced_from: dict[str, int]
    duplicates_in_file: int
    #: (platform, account, currency) of the accounts this file brings that the table did
    #: not hold, and of those it held — when it held any (a second client's export
    #: uploaded into the wrong workspace shows here)
    new_accounts: tuple[tuple[str, str, str], ...] = ()
    earlier_accounts: tuple[tuple[str, str, str], ...] = ()

    def account_warning(self, lang: str = "zh") -> str | None:
        """A sentence when the file brings an account the table did not hold (None otherwise)."""
        if not self.new_accounts:
            return None
        from .i18n import account_label
        sep = "、" if lang == "zh" else ", "
        new = sep.join(account_label(*a, lang) for a in self.new_accounts)
        old = sep.join(account_label(*a, lang) for a in self.earlier_accounts)
        if lang == "zh":
            return (f"{self.file} 带来了这个工作区原来没有的账户：{new}（原有：{old}）。一个工作区应只放同一个客户的"
                    "账户；如果传错了工作区，可以在下面删除这个文件。")
        return (f"{self.file} brings an account this workspace did not hold: {new} (it held {old}). A workspace "
                "is meant for one client's accounts; if this file belongs to another client, delete it below.")

    def messages(self, lang: str = "zh") -> list[str]:
        """Plain sentences for the user about duplicates and replaced rows."""
        out = []
        for src, n in self.duplicates_from.items():
            out.append(f"{n} 行已从 {src} 载入过，已跳过。" if lang == "zh" else
                       f"{n} rows already loaded from {src} were skipped.")
        for src, n in self.replaced_from.items():
            out.append(f"{n} 行与 {src} 的日期重叠且数字不同，已用 {self.file} 的新数据替换。" if lang == "zh" else
                       f"{n} rows overlapping {src} had different figures and were replaced by "
                       f"the newer {self.file}.")
        if self.duplicates_in_file:
            out.append(f"{self.file} 内有 {self.duplicates_in_file} 行完全重复，已去重。" if lang == "zh" else
                       f"{self.duplicates_in_file} exact duplicate rows inside {self.file} were dropped.")
        return out


def _keys(df: pd.DataFrame) -> pd.Series:
    """One hashable key per row over the identity columns and the period."""
    return pd.util.hash_pandas_object(df[list(_KEY)], index=False)


def _figures(df: pd.DataFrame) -> pd.Series:
    return pd.util.hash_pandas_object(df[list(_FIGURES)], index=False)


def merge(existing: pd.DataFrame | None, new: Export) -> tuple[pd.DataFrame, MergeReport]:
    """Add ``new`` to ``existing`` (a canonical table, or None); return both merged and a report.

    Neither input is modified.
    """
    base = empty_table() if existing is None else existing
    incoming = new.table
    file = new.info.file

    in_keys = _keys(incoming)
    in_figs = _figures(incoming)
    dup_in_file = pd.DataFrame({"k": in_keys, "f": in_figs}).duplicated().to_numpy()
    incoming = incoming.loc[~dup_in_file]
    in_keys, in_figs = in_keys[~dup_in_file], in_figs[~dup_in_file]

    if base.empty:
        merged = incoming.reset_index(drop=True)
        return merged, MergeReport(file, len(incoming), 0, {}, 0, {}, int(dup_in_file.sum()))

    base_keys = _keys(base)
    base_figs = _figures(base)
    lookup = pd.DataFrame({"k": base_keys.to_numpy(), "f": base_figs.to_numpy(),
                           "src": base["source_file"].to_numpy(), "pos": np.arange(len(base))})
    lookup = lookup.drop_duplicates("k", keep="last").set_index("k")
    hit = lookup.reindex(in_keys.to_numpy())
    found = hit["pos"].notna().to_numpy()
    same = found & (hit["f"].to_numpy() == in_figs.to_numpy())
    replace = found & ~same

    dup_from = hit.loc[same, "src"].value_counts().to_dict()
    rep_from = hit.loc[replace, "src"].value_counts().to_dict()
    drop_pos = hit.loc[replace, "pos"].astype(int).to_numpy()
    keep_base = np.ones(len(base), bool)
    keep_base[drop_pos] = False
    # every older row with a replaced key goes, not only the last one looked up
    replaced_keys = set(in_keys.to_numpy()[replace])
    if replaced_keys:
        keep_base &= ~base_keys.isin(replaced_keys).to_numpy()
    merged = concat([base.loc[keep_base], incoming.loc[~same]])
    earlier = _account_set(base)
    brought = _new_accounts(_account_set(incoming), earlier)
    report = MergeReport(file, int((~found).sum()), int(same.sum()),
                         {str(k): int(v) for k, v in dup_from.items()}, int(replace.sum()),
                         {str(k): int(v) for k, v in rep_from.items()}, int(dup_in_file.sum()),
                         tuple(sorted(brought)), tuple(sorted(earlier)) if brought else ())
    return merged, report


def _account_set(table: pd.DataFrame) -> set[tuple[str, str, str]]:
    """The (platform, account, currency) of the table's rows, as attributed by
    :func:`_account_combos` (each distinct combination once)."""
    if table.empty:
        return set()
    _, combos = _account_combos(table)
    return {(str(p), str(a), str(c)) for p, a, c in combos[["platform", "account", "currency"]].itertuples(
        index=False, name=None)}


def _new_accounts(incoming: set[tuple[str, str, str]], earlier: set[tuple[str, str, str]]
                  ) -> set[tuple[str, str, str]]:
    """The (platform, account, currency) of ``incoming`` that match none of ``earlier``.
    A blank account or currency matches any: a report that does not name them (Google's
    hour-of-day or location reports have no currency column) is not another client's."""
    def same(a: tuple[str, str, str], b: tuple[str, str, str]) -> bool:
        return a[0] == b[0] and all(x == y or not x or not y for x, y in zip(a[1:], b[1:]))
    return {k for k in incoming if not any(same(k, e) for e in earlier)}


def load_exports(paths) -> pd.DataFrame:
    """Read export files and merge them in order (see :func:`merge`) into one table.

    Raises the first :class:`~optimizer.errors.IngestError`; ValueError for no paths."""
    table = None
    for path in paths:
        table, _ = merge(table, read_export(path))
    if table is None:
        raise ValueError("no export files given")
    return table


#: Report types whose rows add up to an account's spend, most complete first.
SPEND_REPORT_ORDER = ("campaign", "ad_group", "keyword", "time", "account_structure", "keyword_list", "search_term")


def spend_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows to sum for account-level figures: per account (platform, account,
    currency), only one report type, so that a keyword report and a plan report of
    the same days are not added together. A report type with daily rows is preferred
    to an undated one (an "All time" campaign report does not hide a daily keyword
    report), then the first of :data:`SPEND_REPORT_ORDER`. Reports of other types
    (location, device, hour …) never count. (The rows of :func:`spend_mask`.)
    """
    if table.empty:
        return table
    return table.loc[spend_mask(table)]


def spend_mask(table: pd.DataFrame) -> np.ndarray:
    """Which rows of ``table`` :func:`spend_rows` keeps, as a boolean array.

    Decided once per distinct (platform, account, currency, report type) rather than
    row by row, so that a caller can take just the columns it needs of a million rows
    instead of copying the whole table."""
    n = len(table)
    if n == 0:
        return np.zeros(0, dtype=bool)
    rank = {t: i for i, t in enumerate(SPEND_REPORT_ORDER)}
    inv, combos = _account_combos(table, with_report_type=True)
    r = combos["report_type"].map(rank)
    eligible = r.notna().to_numpy(bool)
    if not eligible.any():
        return np.zeros(n, dtype=bool)
    has_date = np.zeros(len(combos), dtype=bool)
    has_date[np.unique(inv[table["date"].notna().to_numpy(bool)])] = True
    c = combos.loc[eligible]
    keys = [c["platform"], c["account"], c["currency"]]
    dated = pd.Series(has_date[eligible], index=c.index).groupby([*keys, c["report_type"]]).transform("any")
    score = r.loc[c.index].astype(float) + np.where(dated.to_numpy(bool), 0.0, 100.0)
    best = score.groupby(keys).transform("min")
    keep = np.zeros(len(combos), dtype=bool)
    keep[c.index.to_numpy()] = (score == best).to_numpy(bool)
    return keep[inv]


def _codes(s: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of a column (-1 for null) and how many distinct values."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy().astype(np.int64), len(s.cat.categories)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return codes.astype(np.int64), len(uniques)


def _account_combos(table: pd.DataFrame, with_report_type: bool = False) -> tuple[np.ndarray, pd.DataFrame]:
    """The distinct (platform, account, currency[, report type]) of ``table``'s rows.

    Returns (each row's combination as a position in the frame, the frame): the
    frame's platform, account and currency as attributed by
    :func:`_attributed_accounts` / :func:`_attributed_currency` (plain strings, ''
    for null), report_type as its text. Attribution looks only at distinct values,
    so a few combinations give what a million rows give."""
    cols = ["platform", "account", "currency"] + (["report_type"] if with_report_type else [])
    key = np.zeros(len(table), dtype=np.int64)
    for col in cols:
        codes, k = _codes(table[col])
        key = key * (k + 1) + (codes + 1)
    inv, uniq = pd.factorize(key)
    first = np.zeros(len(uniq), dtype=np.int64)
    first[inv[::-1]] = np.arange(len(inv) - 1, -1, -1)   # the first row of each combination
    sample = table.iloc[first]
    raw = pd.DataFrame({c: text(sample[c]).to_numpy(object) for c in cols})
    out = raw.assign(account=_attributed_accounts(raw).to_numpy(object),
                     currency=_attributed_currency(raw).to_numpy(object))
    return np.asarray(inv, dtype=np.intp), out


def _account_keys(table: pd.DataFrame) -> list[pd.Series]:
    """(platform, account, currency) of every row, as attributed at read time (worked
    out per distinct combination, see :func:`_account_combos`; the rows share their
    combination's strings)."""
    inv, combos = _account_combos(table)
    return [pd.Series(combos[c].to_numpy(object)[inv], index=table.index, dtype=object)
            for c in ("platform", "account", "currency")]


def _attributed_currency(table: pd.DataFrame) -> pd.Series:
    """Each row's currency, with rows that name none given their account's only
    currency (legacy AdWords downloads carry no currency column). Two Google
    downloads without account names but in different currencies are two accounts:
    money in different currencies is never added up."""
    cur = text(table["currency"])
    acct = text(table["platform"]) + "\x00" + _attributed_accounts(table)
    named = pd.DataFrame({"a": acct, "c": cur}).loc[cur != ""].drop_duplicates()
    single = named.groupby("a")["c"].agg(lambda s: s.iloc[0] if len(s) == 1 else None).dropna()
    fill = acct.map(single)
    return cur.where((cur != "") | fill.isna(), fill)


def daily_totals(table: pd.DataFrame, partial_day: pd.Timestamp | None = None) -> pd.DataFrame:
    """Spend, clicks, impressions, conversions and CPA per day over :func:`spend_rows`.

    Columns: date, impressions, clicks, cost, conversions, cpa (cost / conversions,
    NaN on days without conversions), cpc (cost / clicks), partial (True on a day
    whose conversions are still arriving, see :func:`partial_last_day`: its CPA is
    not comparable with the other days'). Rows without a day (aggregated reports)
    are left out. ``partial_day``: that day when ``table`` is a date range cut out of
    the account (the account's last day, not the range's); by default the last day
    of ``table`` itself.
    """
    rows = spend_rows(table)
    rows = rows.loc[rows["date"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=["date", "impressions", "clicks", "cost", "conversions", "cpa", "cpc",
                                     "partial"])
    g = rows.groupby("date")[["impressions", "clicks", "cost", "conversions"]].sum(min_count=1).reset_index()
    g["cpa"] = g["cost"] / g["conversions"].where(g["conversions"] > 0)
    g["cpc"] = g["cost"] / g["clicks"].where(g["clicks"] > 0)
    g["partial"] = g["date"] == (partial_day if partial_day is not None else partial_last_day(rows))
    return g


def campaign_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Per plan over :func:`spend_rows`: cost, share of the plans' cost, clicks,
    conversions, CPA, CVR; sorted by cost."""
    rows = spend_rows(table)
    rows = rows.loc[rows["campaign"].notna()]
    cols = ["platform", "account", "campaign", "impressions", "clicks", "cost", "share", "conversions",
            "cpa", "cvr"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    g = (rows.assign(platform=text(rows["platform"]), account=text(rows["account"]),
                     campaign=text(rows["campaign"]))
         .groupby(["platform", "account", "campaign"])[["impressions", "clicks", "cost", "conversions"]]
         .sum(min_count=1).reset_index())
    g["cpa"] = g["cost"] / g["conversions"].where(g["conversions"] > 0)
    g["cvr"] = g["conversions"] / g["clicks"].where(g["clicks"] > 0)
    total = g["cost"].sum()
    g["share"] = g["cost"] / total if total else float("nan")
    return g.sort_values("cost", ascending=False, ignore_index=True)[cols]


def _attributed_accounts(table: pd.DataFrame) -> pd.Series:
    """Each row's account, with nameless rows given their platform's account when the
    platform has exactly one named account (Baidu's search-term report and Google's
    report-editor downloads carry no account column, but belong to the one account
    the other reports name). Stored rows are not changed: this is read-time only."""
    acct = text(table["account"])
    platform = text(table["platform"])
    named = pd.DataFrame({"p": platform, "a": acct}).loc[acct != ""].drop_duplicates()
    single = named.groupby("p")["a"].agg(lambda s: s.iloc[0] if len(s) == 1 else None).dropna()
    fill = platform.map(single)
    return acct.where((acct != "") | fill.isna(), fill)


def accounts(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (platform, account) loaded: currency, first and last day, spend.

    Columns: platform, account ('' when no export names one), currency, date_start,
    date_end, cost, rows, label (``"baidu · 北京安心开锁 · CNY"``). Sorted by cost.
    Nameless rows count toward their platform's only named account (see
    :func:`for_account`).
    """
    cols = ["platform", "account", "currency", "date_start", "date_end", "cost", "rows", "label"]
    if table.empty:
        return pd.DataFrame(columns=cols)
    platform, account, currency = _account_keys(table)
    t = pd.DataFrame({"platform": platform, "account": account, "currency": currency,
                      "period_start": table["period_start"], "period_end": table["period_end"],
                      "cost": table["cost"]})
    spend = t.loc[spend_mask(table)]
    g = t.groupby(["platform", "account", "currency"]).agg(
        date_start=("period_start", "min"), date_end=("period_end", "max"), rows=("platform", "size"))
    g["cost"] = spend.groupby(["platform", "account", "currency"])["cost"].sum(min_count=1).reindex(g.index)
    g = g.reset_index()
    g = g.astype({c: STR_DTYPE for c in ("platform", "account", "currency")})
    g["label"] = [" · ".join(x for x in (p, a or "—", c) if x) for p, a, c in
                  zip(g["platform"], g["account"], g["currency"])]
    return g.sort_values("cost", ascending=False, na_position="last", ignore_index=True)[cols]


LOSS_COLUMNS = ["platform", "account", "currency", "rows", "rows_lost", "days", "days_lost", "first_lost",
                "last_lost", "cost_lost", "gone"]


def deletion_loss(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """What deleting uploads loses, per account of ``before`` (the workspace's data now)
    given ``after`` (its data without them, :meth:`optimizer.store.Store.table_without`).

    One row per account (:func:`accounts` of ``before``) that loses anything, columns
    :data:`LOSS_COLUMNS`: ``rows`` now and ``rows_lost``; ``days`` (distinct days with
    data now) and ``days_lost`` (days left with no data at all), ``first_lost`` /
    ``last_lost`` (the first and last of them, NaT when none); ``cost_lost`` (spend no
    longer counted; rows another file also holds stay); ``gone``: no row of the account
    is left. Largest loss first."""
    now = accounts(before)
    if now.empty:
        return pd.DataFrame(columns=LOSS_COLUMNS)
    recs = []
    for a in now.itertuples(index=False):
        rb = for_account(before, a.platform, a.account, a.currency)
        ra = for_account(after, a.platform, a.account, a.currency) if after is not None and len(after) else rb.iloc[:0]
        days_b = set(pd.to_datetime(rb["date"]).dropna().dt.normalize())
        days_a = set(pd.to_datetime(ra["date"]).dropna().dt.normalize())
        lost = sorted(days_b - days_a)
        cost_b = float(rb.loc[spend_mask(rb), "cost"].sum())
        cost_a = float(ra.loc[spend_mask(ra), "cost"].sum()) if len(ra) else 0.0
        if len(rb) == len(ra) and not lost and abs(cost_b - cost_a) < 0.005:
            continue
        recs.append({"platform": a.platform, "account": a.account, "currency": a.currency, "rows": len(rb),
                     "rows_lost": len(rb) - len(ra), "days": len(days_b), "days_lost": len(lost),
                     "first_lost": lost[0] if lost else pd.NaT, "last_lost": lost[-1] if lost else pd.NaT,
                     "cost_lost": cost_b - cost_a, "gone": len(ra) == 0})
    out = pd.DataFrame(recs, columns=LOSS_COLUMNS)
    return out.sort_values(["gone", "rows_lost"], ascending=False, ignore_index=True)


def for_account(table: pd.DataFrame, platform: str, account: str, currency: str | None = None) -> pd.DataFrame:
    """The rows of one account: (platform, account) and, when given, currency
    (:func:`accounts` lists them). Nameless rows of a platform with only this one
    named account belong to it; ``account`` '' selects nameless rows otherwise."""
    p, a, c = _account_keys(table)
    mask = (p == platform) & (a == account)
    if currency is not None:
        mask &= c == currency
    return table.loc[mask.to_numpy(bool)]


@dataclass(frozen=True)
class Summary:
    """Headline figures over a set of rows (:func:`spend_rows` of them).

    Ratios are None when their denominator is zero: CPA = cost / conversions,
    CVR = conversions / clicks, CPC = cost / clicks, CTR = clicks / impressions.
    """

    cost: float
    impressions: float
    clicks: float
    conversions: float
    cpa: float | None
    cvr: float | None
    cpc: float | None
    ctr: float | None
    date_start: pd.Timestamp | None
    date_end: pd.Timestamp | None


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def summary(table: pd.DataFrame) -> Summary:
    """Totals and ratios of the rows that count toward spend (see :func:`spend_rows`)."""
    rows = spend_rows(table)
    cost, impr, clicks, conv = (float(rows[c].sum()) if len(rows) else 0.0
                                for c in ("cost", "impressions", "clicks", "conversions"))
    start = rows["period_start"].min() if len(rows) else None
    end = rows["period_end"].max() if len(rows) else None
    return Summary(cost, impr, clicks, conv, _ratio(cost, conv), _ratio(conv, clicks),
                   _ratio(cost, clicks), _ratio(clicks, impr),
                   None if start is None or pd.isna(start) else start,
                   None if end is None or pd.isna(end) else end)


def between(table: pd.DataFrame, start: object, end: object) -> pd.DataFrame:
    """Rows whose period lies within [start, end] (inclusive days). Rows without a
    period (undated reports) are kept: they cannot be placed, and are not lost."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    undated = table["period_start"].isna()
    inside = (table["period_start"] >= s) & (table["period_end"] <= e)
    return table.loc[undated | inside]


#: days a report may lag today before a reader is told how old it is (Baidu's and
#: Google's reports are usually downloaded the next morning, a weekend adds two)
STALE_AFTER_DAYS = 3


def days_old(daily: pd.DataFrame, today: date, grace: int = STALE_AFTER_DAYS) -> int | None:
    """How many days before ``today`` the data of :func:`daily_totals` ends, when that is
    more than ``grace`` days (a reader would take the figures for current); None when
    it is recent or there is no day."""
    if daily.empty:
        return None
    age = (today - pd.Timestamp(daily["date"].max()).date()).days
    return age if age > grace else None


def partial_last_day(table: pd.DataFrame) -> pd.Timestamp | None:
    """The last day of Baidu daily rows, whose conversions are incomplete: Baidu
    reports conversions about one day late (../shared/formats.md, oCPC facts).
    None when there are no Baidu daily rows."""
    rows = table.loc[(table["platform"] == "baidu") & table["date"].notna()]
    return None if rows.empty else rows["date"].max()


def complete_cpl(daily: pd.DataFrame) -> tuple[float, pd.Timestamp | None]:
    """Cost per conversion over the days of :func:`daily_totals` whose conversions are
    complete, and the day left out (the ``partial`` day, Baidu's last; None when there
    is none). Counting that day's cost with only part of its conversions would raise
    the figure. NaN without conversions."""
    if daily.empty:
        return float("nan"), None
    partial = daily["partial"].astype(bool)
    whole = daily.loc[~partial]
    conv = whole["conversions"].sum(min_count=1)
    cpl = float(whole["cost"].sum() / conv) if conv == conv and conv > 0 else float("nan")
    return cpl, (daily.loc[partial, "date"].max() if partial.any() else None)


def weekly_totals(daily: pd.DataFrame) -> pd.DataFrame:
    """The days of :func:`daily_totals` summed per calendar week (Monday to Sunday),
    with what a reader needs not to mistake a short week for a bad one.

    A week is *partial* when the shown range covers only part of it: the range is
    ``daily``'s first to last day (a day without a row inside it counts as a day with
    no spend; a day outside it does not count). Columns:

    - ``week``: the Monday; ``start``, ``end``: the first and last day of the week
      inside the range; ``days``: how many days that is (1–7);
    - ``to_date``: the range's last week, ending before its Sunday (the week so far);
    - ``short``: any other partial week (the range starts mid-week);
    - ``cost``, ``clicks``, ``conversions``: sums over the week's days;
    - ``incomplete_day``: the day whose conversions are still arriving (the
      ``partial`` day of :func:`daily_totals`, Baidu's last day), NaT when the week
      has none;
    - ``cpl``: cost / conversions over the week's days *without* that incomplete day
      (its leads are still being counted), NaN without conversions.

    Sorted by week, oldest first.
    """
    cols = ["week", "start", "end", "days", "to_date", "short", "cost", "clicks", "conversions",
            "incomplete_day", "cpl"]
    if daily.empty:
        return pd.DataFrame(columns=cols)
    d = daily.assign(week=daily["date"].dt.to_period("W-SUN").dt.start_time)
    first, last = d["date"].min(), d["date"].max()
    whole = d.loc[~d["partial"].astype(bool)]
    g = d.groupby("week")[["cost", "clicks", "conversions"]].sum().reset_index()
    w = g.merge(whole.groupby("week")[["cost", "conversions"]].sum().add_prefix("whole_"), on="week", how="left")
    w["start"] = w["week"].where(w["week"] >= first, first)
    sunday = w["week"] + pd.Timedelta(days=6)
    w["end"] = sunday.where(sunday <= last, last)
    w["days"] = ((w["end"] - w["start"]).dt.days + 1).astype("int64")
    w["to_date"] = (w["days"] < 7) & (w["end"] == last) & (sunday > last)
    w["short"] = (w["days"] < 7) & ~w["to_date"]
    inc = d["date"].where(d["partial"].astype(bool)).groupby(d["week"]).max()  # NaT for weeks without
    w["incomplete_day"] = inc.reindex(w["week"]).to_numpy()
    w["cpl"] = w["whole_cost"] / w["whole_conversions"].where(w["whole_conversions"] > 0)
    return w.sort_values("week", ignore_index=True)[cols]


@dataclass(frozen=True)
class WeekComparison:
    """The latest week's complete days against the same weekdays one week earlier
    (:func:`week_comparison`). ``days`` is 7 for two whole weeks. ``left_out``: the
    incomplete day (Baidu's last) in the compared week that the comparison leaves
    out, or None. Ratios are None when their denominator is zero."""

    start: pd.Timestamp
    end: pd.Timestamp
    prev_start: pd.Timestamp
    prev_end: pd.Timestamp
    days: int
    cost: float
    conversions: float
    cpl: float | None
    prev_cost: float
    prev_conversions: float
    prev_cpl: float | None
    left_out: pd.Timestamp | None

    @staticmethod
    def change(now: float | None, before: float | None) -> float | None:
        """``now`` relative to ``before`` (0.25 for a quarter more); None when either
        is missing or ``before`` is zero."""
        if now is None or before is None or not before:
            return None
        return now / before - 1


def week_comparison(daily: pd.DataFrame, min_days: int = 3) -> WeekComparison | None:
    """Compare like with like: the latest week's days from its Monday to the last
    *complete* day of ``daily`` (the incomplete Baidu day is left out: its leads are
    still arriving) against the same weekdays of the week before. A week with
    Monday–Wednesday in it is compared with last Monday–Wednesday, never with a whole
    week; when the last complete day is a Sunday it is whole week against whole week.
    With fewer than ``min_days`` complete days in the latest week (a day or two say
    little), the last whole week is compared with the week before it instead.
    None when ``daily`` does not reach back to the earlier week's first day (the
    comparison would be short on one side) or has no complete day."""
    if daily.empty:
        return None
    partial = daily["partial"].astype(bool)
    complete = daily.loc[~partial]
    if complete.empty:
        return None
    end = complete["date"].max()
    if end.day_of_week + 1 < min_days:
        end = end - pd.Timedelta(days=end.day_of_week + 1)  # the Sunday before: the last whole week
    start = end - pd.Timedelta(days=end.day_of_week)
    prev_start, prev_end = start - pd.Timedelta(days=7), end - pd.Timedelta(days=7)
    if daily["date"].min() > prev_start:
        return None

    def sums(a: pd.Timestamp, b: pd.Timestamp) -> tuple[float, float]:
        r = complete.loc[(complete["date"] >= a) & (complete["date"] <= b)]
        return float(r["cost"].sum()), float(r["conversions"].sum())

    cost, conv = sums(start, end)
    prev_cost, prev_conv = sums(prev_start, prev_end)
    left = daily.loc[partial & (daily["date"] > end) & (daily["date"] <= start + pd.Timedelta(days=6)), "date"]
    return WeekComparison(start, end, prev_start, prev_end, int((end - start).days) + 1, cost, conv,
                          _ratio(cost, conv), prev_cost, prev_conv, _ratio(prev_cost, prev_conv),
                          left.max() if len(left) else None)
