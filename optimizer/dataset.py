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

import numpy as np
import pandas as pd

from .ingest import Export
from .schema import ADDITIVE_METRICS, IDENTITY_COLUMNS, empty_table

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

    def messages(self, lang: str = "zh") -> list[str]:
        """Plain sentences for the user."""
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
    merged = pd.concat([base.loc[keep_base], incoming.loc[~same]], ignore_index=True)
    report = MergeReport(file, int((~found).sum()), int(same.sum()),
                         {str(k): int(v) for k, v in dup_from.items()}, int(replace.sum()),
                         {str(k): int(v) for k, v in rep_from.items()}, int(dup_in_file.sum()))
    return merged, report


#: Report types whose rows add up to an account's spend, most complete first.
SPEND_REPORT_ORDER = ("campaign", "ad_group", "keyword", "account_structure", "keyword_list", "search_term")


def spend_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows to sum for account-level figures: per (platform, account), only the
    first report type of :data:`SPEND_REPORT_ORDER` present, so that a keyword
    report and a plan report of the same days are not added together.
    Reports of other types (location, device, hour …) never count.
    """
    if table.empty:
        return table
    rank = {t: i for i, t in enumerate(SPEND_REPORT_ORDER)}
    r = table["report_type"].map(rank)
    eligible = table.loc[r.notna()]
    if eligible.empty:
        return eligible
    acct = eligible["account"].fillna("")
    best = r.loc[eligible.index].groupby([eligible["platform"], acct]).transform("min")
    return eligible.loc[r.loc[eligible.index] == best]


def daily_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Spend, clicks, impressions, conversions and CPA per day over :func:`spend_rows`.

    Columns: date, impressions, clicks, cost, conversions, cpa (cost / conversions,
    NaN on days without conversions), cpc (cost / clicks). Rows without a day
    (aggregated reports) are left out.
    """
    rows = spend_rows(table)
    rows = rows.loc[rows["date"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=["date", "impressions", "clicks", "cost", "conversions", "cpa", "cpc"])
    g = rows.groupby("date")[["impressions", "clicks", "cost", "conversions"]].sum(min_count=1).reset_index()
    g["cpa"] = g["cost"] / g["conversions"].where(g["conversions"] > 0)
    g["cpc"] = g["cost"] / g["clicks"].where(g["clicks"] > 0)
    return g


def campaign_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Per plan over :func:`spend_rows`: cost, clicks, conversions, CPA, CVR, sorted by cost."""
    rows = spend_rows(table)
    rows = rows.loc[rows["campaign"].notna()]
    cols = ["platform", "account", "campaign", "impressions", "clicks", "cost", "conversions", "cpa", "cvr"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    g = (rows.assign(account=rows["account"].fillna(""))
         .groupby(["platform", "account", "campaign"])[["impressions", "clicks", "cost", "conversions"]]
         .sum(min_count=1).reset_index())
    g["cpa"] = g["cost"] / g["conversions"].where(g["conversions"] > 0)
    g["cvr"] = g["conversions"] / g["clicks"].where(g["clicks"] > 0)
    return g.sort_values("cost", ascending=False, ignore_index=True)[cols]
