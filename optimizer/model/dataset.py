"""Combining several uploads (days, accounts, report types) into one account dataset.

Optimizers download the same report again and again: yesterday's file, last week's,
a re-download after Baidu's late conversions came in. :func:`merge` adds one
:class:`~optimizer.reading.ingest.Export` to what is already loaded and says exactly what
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

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.model import recency
from optimizer.errors import IngestError
from optimizer.reading.ingest import Export, read_export
from optimizer.model.recency import Freshness
from optimizer.reading.schema import ADDITIVE_METRICS, IDENTITY_COLUMNS, STR_DTYPE, as_category, concat, empty_table, text

_KEY = (*IDENTITY_COLUMNS, "period_start", "period_end")
_FIGURES = ("bid", "final_url", "mobile_final_url", *ADDITIVE_METRICS)


@dataclass(frozen=True)
class MergeReport:
    """What merging one file did. ``duplicates_from``: earlier file -> rows skipped;
    ``replaced_from``: earlier file -> its rows this file's newer figures replaced;
    ``kept_from``: earlier file -> rows of this file left out because that file's data
    is newer; ``why``: earlier file -> the :mod:`optimizer.model.recency` criterion that
    decided; ``freshness``: what decided it, for this file and each of those."""

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
    kept_from: dict[str, int] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)
    freshness: dict[str, Freshness] = field(default_factory=dict)
    #: (platform, account, currency) of the file's own rows, as the file alone attributes them
    accounts: tuple[tuple[str, str, str], ...] = ()

    @property
    def kept(self) -> int:
        return sum(self.kept_from.values())

    def account_warning(self, lang: str = "zh", where: str = "upload") -> str | None:
        """A sentence when the file brings an account the table did not hold (None
        otherwise). ``where``: the page it is shown on — ``upload`` (the file can be
        deleted below) or ``share`` (it is deleted on the Upload page; a link shows only
        the accounts chosen)."""
        if not self.new_accounts:
            return None
        from optimizer.i18n import account_label
        sep = "、" if lang == "zh" else ", "
        new = sep.join(account_label(*a, lang) for a in self.new_accounts)
        old = sep.join(account_label(*a, lang) for a in self.earlier_accounts)
        if lang == "zh":
            fix = ("可以在下面删除这个文件。" if where == "upload" else
                   "可以在“上传报告”页删除这个文件；分享链接只选这个客户的账户。")
            return (f"{self.file} 带来了这个工作区原来没有的账户：{new}（原有：{old}）。一个工作区应只放同一个客户的"
                    f"账户；如果传错了工作区，{fix}")
        fix = ("delete it below." if where == "upload" else
               "delete it on the Upload page, and choose only this client's accounts for a link.")
        return (f"{self.file} brings an account this workspace did not hold: {new} (it held {old}). A workspace "
                f"is meant for one client's accounts; if this file belongs to another client, {fix}")

    def _reason(self, newer: str, older: str, lang: str) -> str:
        crit = self.why.get(older if newer == self.file else newer, "order")
        f = self.freshness
        if newer in f and older in f:
            return recency.reason(f[newer], f[older], crit, lang)
        return recency.reason(Freshness(newer), Freshness(older), "order", lang)

    def messages(self, lang: str = "zh") -> list[str]:
        """Plain sentences for the user about duplicates, replaced and kept rows."""
        out = []
        for src, n in self.duplicates_from.items():
            out.append(f"{n} 行已从 {src} 载入过，已跳过。" if lang == "zh" else
                       f"{n} rows already loaded from {src} were skipped.")
        for src, n in self.replaced_from.items():
            why = self._reason(self.file, src, lang)
            out.append(f"{n} 行与 {src} 的日期重叠且数字不同，用了 {self.file} 的数据：{why}。" if lang == "zh" else
                       f"{n} rows overlapping {src} had different figures; {self.file}'s were used: {why}.")
        for src, n in self.kept_from.items():
            why = self._reason(src, self.file, lang)
            out.append(f"{n} 行与 {src} 的日期重叠且数字不同，保留了 {src} 的数据，没有用 {self.file} 的：{why}。"
                       if lang == "zh" else
                       f"{n} rows overlapping {src} had different figures; {src}'s were kept, not "
                       f"{self.file}'s: {why}.")
        if self.duplicates_in_file:
            out.append(f"{self.file} 内有 {self.duplicates_in_file} 行完全重复，已去重。" if lang == "zh" else
                       f"{self.duplicates_in_file} exact duplicate rows inside {self.file} were dropped.")
        return out


def _keys(df: pd.DataFrame) -> pd.Series:
    """One hashable key per row over the identity columns and the period."""
    return pd.util.hash_pandas_object(df[list(_KEY)], index=False)


def _figures(df: pd.DataFrame) -> pd.Series:
    return pd.util.hash_pandas_object(df[list(_FIGURES)], index=False)


#: two files of "one" account whose shared rows disagree like this are two accounts:
#: at least this many shared rows with impressions (clicks when a report has none) off
#: by more than :data:`MIXUP_ABS` and :data:`MIXUP_REL` of the larger, making at least
#: :data:`MIXUP_SHARE` of the rows the files share, and going both up and down (each
#: direction at least :data:`MIXUP_BOTH_WAYS` of them). A re-download of the same
#: account changes conversions and cost (late conversions, refunds) and, for a day
#: still running, raises impressions — all in one direction.
MIXUP_MIN_ROWS = 3
MIXUP_ABS = 5.0
MIXUP_REL = 0.10
MIXUP_SHARE = 0.30
MIXUP_BOTH_WAYS = 0.20


def _volume(df: pd.DataFrame) -> np.ndarray:
    v = df["impressions"].to_numpy(float)
    return np.where(np.isnan(v), df["clicks"].to_numpy(float), v)


def _figures_mixup(base_v: np.ndarray, new_v: np.ndarray, overlap: int) -> tuple[int, bool]:
    """(rows whose volume differs beyond the bounds, whether that looks like two accounts)."""
    ok = ~np.isnan(base_v) & ~np.isnan(new_v)
    a, b = base_v[ok], new_v[ok]
    diff = b - a
    off = np.abs(diff) > np.maximum(MIXUP_ABS, MIXUP_REL * np.maximum(np.abs(a), np.abs(b)))
    n = int(off.sum())
    if n < MIXUP_MIN_ROWS or n < MIXUP_SHARE * max(overlap, 1):
        return n, False
    up = float((diff[off] > 0).mean())
    return n, min(up, 1 - up) >= MIXUP_BOTH_WAYS


def _keyword_id_clash(base: pd.DataFrame, incoming: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``incoming`` whose keyword ID the table holds for another keyword text in
    the same (platform, account): (keyword_id, keyword, other, src) — a keyword ID names
    one keyword of one account, so two texts mean two accounts."""
    cols = ["platform", "account", "keyword_id", "keyword"]
    if incoming["keyword_id"].isna().all() or base["keyword_id"].isna().all():
        return pd.DataFrame(columns=["keyword_id", "keyword", "other", "src"])
    a = pd.DataFrame({c: text(incoming[c]) for c in cols}).loc[incoming["keyword_id"].notna().to_numpy(bool)]
    b = pd.DataFrame({c: text(base[c]) for c in cols}).assign(src=text(base["source_file"]))
    b = b.loc[base["keyword_id"].notna().to_numpy(bool)].drop_duplicates(cols)
    m = a.drop_duplicates(cols).merge(b, on=["platform", "account", "keyword_id"], suffixes=("", "_b"))
    m = m.loc[m["keyword"] != m["keyword_b"]]
    return m.rename(columns={"keyword_b": "other"})[["keyword_id", "keyword", "other", "src"]]


def _mixup_error(file: str, src: str, kind: str, n: int, example: str, named: bool) -> IngestError:
    """``named``: whether the file names its account. Such a file cannot be given another
    account: the advice is another workspace, or checking it is this client's file; a
    file that names none ends with how to choose another account for it where the
    message is shown (upload page or ``--account``: the ``account`` hint)."""
    if kind == "keyword_id":
        zh = (f"有 {n} 个关键词ID在两个文件里对应不同的关键词（例如 {example}）。同一个关键词ID只属于一个账户的一个关键词。")
        en = (f"{n} keyword IDs stand for different keywords in the two files (e.g. {example}); a keyword ID "
              "belongs to one keyword of one account.")
    else:
        zh = (f"两个文件有 {n} 行是同一计划、单元、关键词和日期，展现（或点击）却相差很大，且有高有低，不像是同一账户的"
              f"重新下载（例如 {example}）。")
        en = (f"{n} rows are the same plan, unit, keyword and day in both files, yet their impressions (or clicks) "
              f"differ widely, some higher and some lower: not a re-download of one account (e.g. {example}).")
    if named:
        zh += "这个文件写明了它的账户：如果它是另一个客户的报告，请放进另一个工作区；否则请确认它确实是这个客户的文件。"
        en += (" The file names its account: if it is another client's report, put it in another workspace; "
               "otherwise check that it really is this client's file.")
    return IngestError("mixup", file, value=src, detail_zh=zh, detail_en=en, hint=None if named else "account")


def merge(existing: pd.DataFrame | None, new: Export, *, fresh: Freshness | None = None,
          known: Mapping[str, Freshness] | None = None, check: bool = True) -> tuple[pd.DataFrame, MergeReport]:
    """Add ``new`` to ``existing`` (a canonical table, or None); return both merged and a report.

    ``fresh``: how new ``new``'s data is (default: from its info, uploaded last);
    ``known``: the same for the files already in ``existing``, by source file name (a
    file missing from it counts as uploaded earlier and stating nothing). Where both
    hold a row with different figures, the newer data wins (:func:`recency.compare`).

    Raises :class:`~optimizer.errors.IngestError` (kind ``mixup``) when ``new`` and a
    file already loaded look like two different accounts (see :data:`MIXUP_SHARE`, a
    keyword ID with two texts): nothing is merged; ``check=False`` skips that test (for
    files already checked when they were stored). Neither input is modified.
    """
    base = empty_table() if existing is None else existing
    incoming = new.table
    file = new.info.file
    fresh = fresh if fresh is not None else Freshness.of(new.info, order=1 << 62)
    known = known or {}

    in_keys = _keys(incoming)
    in_figs = _figures(incoming)
    dup_in_file = pd.DataFrame({"k": in_keys, "f": in_figs}).duplicated().to_numpy()
    incoming = incoming.loc[~dup_in_file]
    in_keys, in_figs = in_keys[~dup_in_file], in_figs[~dup_in_file]

    if base.empty:
        merged = incoming.reset_index(drop=True)
        return merged, MergeReport(file, len(incoming), 0, {}, 0, {}, int(dup_in_file.sum()),
                                   freshness={file: fresh}, accounts=tuple(sorted(_account_set(incoming))))

    clash = _keyword_id_clash(base, incoming) if check else ()
    if len(clash):
        r = clash.iloc[0]
        raise _mixup_error(file, str(r["src"]), "keyword_id", int(clash["keyword_id"].nunique()),
                           f"ID {r['keyword_id']}: “{r['keyword']}” / “{r['other']}”", bool(new.info.accounts))

    base_keys = _keys(base)
    base_figs = _figures(base)
    lookup = pd.DataFrame({"k": base_keys.to_numpy(), "f": base_figs.to_numpy(),
                           "src": base["source_file"].to_numpy(), "pos": np.arange(len(base))})
    lookup = lookup.drop_duplicates("k", keep="last").set_index("k")
    hit = lookup.reindex(in_keys.to_numpy())
    found = hit["pos"].notna().to_numpy()
    same = found & (hit["f"].to_numpy() == in_figs.to_numpy())
    differ = found & ~same
    src = hit["src"].astype(object).to_numpy()

    # per earlier file: which data is newer decides; rows that look like another account stop it all
    win = np.zeros(len(hit), dtype=bool)
    why: dict[str, str] = {}
    seen: dict[str, Freshness] = {file: fresh}
    pos = hit["pos"].to_numpy()
    base_v = _volume(base)
    new_v = _volume(incoming)
    for s in pd.unique(src[differ]):
        rows = differ & (src == s)
        n_off, mixed = _figures_mixup(base_v[pos[rows].astype(np.int64)], new_v[rows],
                                      int((found & (src == s)).sum()))
        if mixed and check:
            i = int(np.flatnonzero(rows)[0])
            r = incoming.iloc[i]
            example = " / ".join(str(x) for x in (r["campaign"], r["ad_group"], r["keyword"]) if x == x and x)
            day = r["period_start"]
            example += f" {day:%Y-%m-%d}" if day == day else ""
            raise _mixup_error(file, str(s), "figures", n_off, example.strip(), bool(new.info.accounts))
        other = known.get(str(s)) or Freshness(str(s), order=-1)
        newer, crit = recency.compare(fresh, other)
        why[str(s)] = crit
        seen[str(s)] = other
        if newer:
            win |= rows
    lose = differ & ~win

    dup_from = pd.Series(src[same]).value_counts().to_dict()
    rep_from = pd.Series(src[win]).value_counts().to_dict()
    kept_from = pd.Series(src[lose]).value_counts().to_dict()
    keep_base = np.ones(len(base), bool)
    keep_base[pos[win].astype(np.int64)] = False
    # every older row with a replaced key goes, not only the last one looked up
    replaced_keys = set(in_keys.to_numpy()[win])
    if replaced_keys:
        keep_base &= ~base_keys.isin(replaced_keys).to_numpy()
    merged = concat([base.loc[keep_base], incoming.loc[~(same | lose)]])
    earlier = _account_set(base)
    own = _account_set(incoming)
    brought = _new_accounts(own, earlier)
    report = MergeReport(file, int((~found).sum()), int(same.sum()),
                         {str(k): int(v) for k, v in dup_from.items()}, int(win.sum()),
                         {str(k): int(v) for k, v in rep_from.items()}, int(dup_in_file.sum()),
                         tuple(sorted(brought)), tuple(sorted(earlier)) if brought else (),
                         {str(k): int(v) for k, v in kept_from.items()}, why, seen, tuple(sorted(own)))
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


def names_account(table: pd.DataFrame) -> bool:
    """Whether a file's rows name their account (Google Ads UI downloads do not)."""
    return bool(table["account"].notna().any())


def with_account(export: Export, name: str) -> Export:
    """``export`` with ``name`` as the account of its rows that name none (the account
    the optimizer said the file belongs to)."""
    if not name:
        return export
    t = export.table.copy()
    acct = t["account"].astype(object).where(t["account"].notna(), name)
    t["account"] = as_category(acct.astype(STR_DTYPE))
    return Export(t, export.extra, export.info)


@dataclass(frozen=True)
class AccountChoice:
    """Which account a file that names none belongs to (:func:`account_choice`).

    ``options``: the accounts already loaded on the file's platform, as (account name,
    '' for the unnamed one; share of the file's plans that are that account's plans),
    best match first. ``default``: the position in ``options`` the file most likely
    belongs to, or None for a new account. ``new_name``: the name a new account gets
    unless the optimizer gives another (the file's name without its extension).
    ``ask``: whether the optimizer should be asked (there are accounts it could belong
    to); when False the file simply starts its platform's unnamed account."""

    options: tuple[tuple[str, float], ...]
    default: int | None
    new_name: str
    ask: bool

    def name(self) -> str | None:
        """The account to write into the file's rows by default: an option's name, the
        new name, or None to leave it unnamed (it then is, or joins, the unnamed account)."""
        if self.default is not None:
            return self.options[self.default][0] or None
        return self.new_name if self.ask else None


def account_choice(existing: pd.DataFrame | None, incoming: pd.DataFrame, file: str) -> AccountChoice | None:
    """For a file whose rows name no account (None when they name one): the accounts of
    ``existing`` on its platform and which one it most likely belongs to — the one whose
    plans make at least :data:`JOIN_MIN_SHARE` of the file's plans (a search-term
    report belongs to the account of the keyword report with the same plans); a file
    that shares no plans with any is a new account. A report that names no plan (hour
    of day, demographics) belongs to the platform's only account when there is one."""
    if names_account(incoming):
        return None
    stem = Path(file).stem or file
    platform = str(text(incoming["platform"]).iloc[0]) if len(incoming) else ""
    if existing is None or existing.empty:
        return AccountChoice((), None, stem, False)
    acc = accounts(existing)
    acc = acc.loc[acc["platform"] == platform]
    if acc.empty:
        return AccountChoice((), None, stem, False)
    plans = set(text(incoming["campaign"]).unique()) - {""}
    options = []
    for _, a in acc.iterrows():
        rows = for_account(existing, a["platform"], a["account"], a["currency"])
        theirs = set(text(rows["campaign"]).unique()) - {""}
        share = len(plans & theirs) / len(plans) if plans else 0.0
        options.append((str(a["account"]), share))
    options.sort(key=lambda o: -o[1])
    if plans:
        default = 0 if options[0][1] >= JOIN_MIN_SHARE else None
    else:
        default = 0 if len(options) == 1 else None
    return AccountChoice(tuple(options), default, stem, True)


def unique_name(name: str, taken) -> str:
    """``name``, or ``name (2)``, ``name (3)`` … when another loaded file has that name
    (Google names every keyword download the same), so that messages and the choice of
    the newer download can tell the files apart."""
    if name not in taken:
        return name
    stem, dot, ext = name.rpartition(".")
    base, tail = (stem, dot + ext) if dot and stem else (name, "")
    k = 2
    while f"{base} ({k}){tail}" in taken:
        k += 1
    return f"{base} ({k}){tail}"


def renamed(export: Export, name: str) -> Export:
    """``export`` as if its file were called ``name`` (rows' source_file, info.file)."""
    if name == export.info.file:
        return export
    t = export.table.copy()
    t["source_file"] = as_category(pd.Series(name, index=t.index, dtype=STR_DTYPE))
    return Export(t, export.extra, replace(export.info, file=name))


class Combined:
    """Files merged one by one (:func:`merge`) with what decides between them: each
    file's :class:`~optimizer.model.recency.Freshness` (its upload order, and its
    modification time when known), so that the newer download wins whatever the order.
    ``table``: the merged rows (None before the first file); ``reports``: one per file."""

    def __init__(self, table: pd.DataFrame | None = None, reports: Sequence[MergeReport] = ()) -> None:
        self.table = table
        self.reports = list(reports)

    @property
    def known(self) -> dict[str, Freshness]:
        return {r.file: r.freshness[r.file] for r in self.reports if r.file in r.freshness}

    def add(self, export: Export, *, modified: datetime | None = None, account: str | None = None,
            assign: bool = False, check: bool = True) -> MergeReport:
        """Merge one more file. ``account``: the account its rows belong to when they
        name none; ``assign``: choose that account as :func:`account_choice` suggests
        when ``account`` is not given (the command line's default). The file is renamed
        when another loaded file has its name (:func:`unique_name`). ``check``: refuse a
        file that looks like another advertiser's (see :func:`merge`)."""
        export = renamed(export, unique_name(export.info.file, {r.file for r in self.reports}))
        if account is None and assign:
            choice = account_choice(self.table, export.table, export.info.file)
            account = choice.name() if choice is not None else None
        if account:
            export = with_account(export, account)
        fresh = Freshness.of(export.info, order=len(self.reports), modified=modified)
        self.table, report = merge(self.table, export, fresh=fresh, known=self.known, check=check)
        self.reports.append(report)
        return report


def account_option(values) -> tuple[str | None, dict[str, str]]:
    """The command line's ``--account`` values: ``NAME`` (every file that names no
    account) or ``FILE=NAME`` (that file, by its name or path); the last of each wins.
    Returns (the name for every nameless file or None, file -> name)."""
    if values is None:
        return None, {}
    default, per_file = None, {}
    for v in [values] if isinstance(values, str) else values:
        file, sep, name = str(v).rpartition("=")
        if sep and file:
            per_file[file] = name.strip()
        else:
            default = str(v).strip() or None
    return default, per_file


def _name_clash(file: str, other: str, name: str) -> IngestError:
    zh = (f"两个文件都没有写明账户，也没有一个相同的推广计划，看起来是两个客户的报告，却都被 --account 记在“{name}”下。"
          f"请分别指定：--account {file}=名称 --account {other}=另一个名称。")
    en = (f"Neither file names its account and they share no campaign: they look like two advertisers' reports, "
          f"yet --account files both under “{name}”. Name each: --account {file}=NAME --account {other}=OTHER.")
    return IngestError("mixup", file, value=other, detail_zh=zh, detail_en=en)


def load_exports(paths, account=None, progress=None) -> pd.DataFrame:
    """Read export files and merge them (see :func:`merge`, :class:`Combined`) into one
    table: where two files hold the same rows, the newer download's (its generation
    time, stated range, last day, then the file's modification time) are kept. Files
    that name no account are given the account ``account`` names for them
    (:func:`account_option`: ``NAME`` for all, ``FILE=NAME`` for one), else the account
    whose plans they share, else one account per file (named by the file) — never merged
    into another advertiser's account because they share a currency. A ``NAME`` given
    for all that would put two nameless files sharing no campaign together is refused
    (an :class:`~optimizer.errors.IngestError` of kind ``mixup``): name each file.

    Raises the first :class:`~optimizer.errors.IngestError`; ValueError for no paths.
    ``progress(i, n, label)`` is called before each file."""
    default, per_file = account_option(account)
    combined = Combined()
    named_by_default: dict[str, str] = {}  # platform -> the first nameless file filed under the default name
    paths = list(paths)
    for i, path in enumerate(paths):
        if progress is not None:
            progress(i, len(paths), f"read {Path(str(path)).name}")
        exp = read_export(path)
        try:
            modified = datetime.fromtimestamp(os.stat(path).st_mtime) if not isinstance(path, bytes) else None
        except (OSError, TypeError, ValueError):
            modified = None
        name = per_file.get(str(path), per_file.get(Path(str(path)).name))
        if name is None and default and not names_account(exp.table):
            platform = str(text(exp.table["platform"]).iloc[0]) if len(exp.table) else ""
            first = named_by_default.get(platform)
            if first is not None:
                choice = account_choice(combined.table, exp.table, exp.info.file)
                share = dict(choice.options).get(default, 0.0) if choice is not None else 0.0
                has_plans = exp.table["campaign"].notna().any()
                if has_plans and share == 0.0:
                    raise _name_clash(exp.info.file, first, default)
            else:
                named_by_default[platform] = exp.info.file
            name = default
        combined.add(exp, modified=modified, account=name, assign=True)
    if combined.table is None:
        raise ValueError("no export files given")
    return combined.table


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
    inv = np.asarray(inv, dtype=np.intp)
    may = _may_join(table, inv, raw)
    out = raw.assign(account=_attributed_accounts(raw, may).to_numpy(object),
                     currency=_attributed_currency(raw, may).to_numpy(object))
    return inv, out


#: a file that names no account joins its platform's one named account only when at
#: least this share of its plans (campaigns) are that account's plans (or it names no plan)
JOIN_MIN_SHARE = 0.5


def _may_join(table: pd.DataFrame, inv: np.ndarray, raw: pd.DataFrame) -> np.ndarray:
    """For each combination of :func:`_account_combos`: whether its rows, when they name
    no account, may be given their platform's named account — only when their plans
    are mostly that account's plans (:data:`JOIN_MIN_SHARE`) or they name no plan.
    Two Google downloads that share neither account name nor plans are two advertisers,
    whatever their currency."""
    blank = (raw["account"] == "").to_numpy(bool)
    may = np.ones(len(raw), dtype=bool)
    if not blank.any() or blank.all():
        return may
    codes, k = _codes(table["campaign"])
    pairs = np.unique(inv.astype(np.int64) * (k + 1) + (codes + 1))
    combo, camp = pairs // (k + 1), pairs % (k + 1) - 1
    named_plans: dict[str, set[int]] = {}
    platform = raw["platform"].to_numpy(object)
    for i in np.flatnonzero(~blank):
        named_plans.setdefault(platform[i], set()).update(camp[(combo == i) & (camp >= 0)].tolist())
    for i in np.flatnonzero(blank):
        plans = camp[(combo == i) & (camp >= 0)]
        if len(plans):
            known = named_plans.get(platform[i], set())
            may[i] = np.isin(plans, list(known)).mean() >= JOIN_MIN_SHARE if known else True
    return may


def _account_keys(table: pd.DataFrame) -> list[pd.Series]:
    """(platform, account, currency) of every row, as attributed at read time (worked
    out per distinct combination, see :func:`_account_combos`; the rows share their
    combination's strings)."""
    inv, combos = _account_combos(table)
    return [pd.Series(combos[c].to_numpy(object)[inv], index=table.index, dtype=object)
            for c in ("platform", "account", "currency")]


def _attributed_currency(table: pd.DataFrame, may: np.ndarray | None = None) -> pd.Series:
    """Each row's currency, with rows that name none given their account's only
    currency (legacy AdWords downloads carry no currency column). Two Google
    downloads without account names but in different currencies are two accounts:
    money in different currencies is never added up."""
    cur = text(table["currency"])
    acct = text(table["platform"]) + "\x00" + _attributed_accounts(table, may)
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


def _attributed_accounts(table: pd.DataFrame, may: np.ndarray | None = None) -> pd.Series:
    """Each row's account, with nameless rows given their platform's account when the
    platform has exactly one named account (Baidu's search-term report and Google's
    report-editor downloads carry no account column, but belong to the one account
    the other reports name) and ``may`` (per row; default all) allows it — see
    :func:`_may_join`. Stored rows are not changed: this is read-time only."""
    acct = text(table["account"])
    platform = text(table["platform"])
    named = pd.DataFrame({"p": platform, "a": acct}).loc[acct != ""].drop_duplicates()
    single = named.groupby("p")["a"].agg(lambda s: s.iloc[0] if len(s) == 1 else None).dropna()
    fill = platform.map(single)
    if may is not None:
        fill = fill.where(pd.Series(may, index=fill.index))
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


def account_keys(accounts: pd.DataFrame) -> tuple[tuple[str, str, str], ...]:
    """(platform, account, currency) of each row of :func:`accounts`, as text."""
    return tuple(tuple(str(x) for x in k)
                 for k in accounts[["platform", "account", "currency"]].itertuples(index=False, name=None))


def deletion_loss(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """What deleting uploads loses, per account of ``before`` (the workspace's data now)
    given ``after`` (its data without them, :meth:`optimizer.store.database.Store.table_without`).

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


def file_accounts(table: pd.DataFrame) -> dict[str, tuple[tuple[str, str, str], ...]]:
    """The (platform, account, currency) each file's rows count toward, as
    :func:`accounts` lists them (the account chosen on upload for a file that names
    none, else the one it names), by the file's name in ``source_file``, in the order
    of the file's rows. A file none of whose rows is in ``table`` is not listed."""
    if table.empty:
        return {}
    inv, combos = _account_combos(table)
    codes, names = pd.factorize(table["source_file"].astype(object))
    keys = list(combos[["platform", "account", "currency"]].itertuples(index=False, name=None))
    out: dict[str, tuple[tuple[str, str, str], ...]] = {}
    for f, k in pd.DataFrame({"f": codes, "k": inv}).drop_duplicates().itertuples(index=False, name=None):
        if f >= 0:
            out[str(names[f])] = (*out.get(str(names[f]), ()), tuple(str(x) for x in keys[k]))
    return out


def only_accounts(table: pd.DataFrame, keep) -> pd.DataFrame:
    """The rows of ``table`` whose (platform, account, currency), as :func:`accounts`
    lists them, is one of ``keep`` (e.g. the accounts a share link shows)."""
    wanted = {tuple(str(x) for x in k) for k in keep}
    inv, combos = _account_combos(table)
    ok = np.array([(p, a, c) in wanted for p, a, c in
                   combos[["platform", "account", "currency"]].itertuples(index=False, name=None)], dtype=bool)
    return table.loc[ok[inv]] if len(table) else table


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


@dataclass(frozen=True)
class Headline:
    """The headline figures of an account over some days — one computation for the
    Overview page's tiles and the client view's: ``cost``, ``clicks``, ``conversions``
    summed over every row (:func:`summary`), and ``cpa`` (cost / conversions) and
    ``cvr`` (conversions / clicks) over the days whose conversions are complete:
    ``left_out`` is the day whose conversions are still arriving (Baidu's last,
    :func:`partial_last_day`) when it lies in the rows, else None. Ratios are None
    without a denominator."""

    cost: float
    clicks: float
    conversions: float
    cpa: float | None
    cvr: float | None
    left_out: pd.Timestamp | None


def headline(table: pd.DataFrame, partial_day: pd.Timestamp | None = None) -> Headline:
    """The :class:`Headline` of ``table`` (one account's rows, possibly a range cut out
    of them: ``partial_day`` is then the account's incomplete day, as for
    :func:`daily_totals`; by default the last Baidu day of ``table``)."""
    s = summary(table)
    daily = daily_totals(table, partial_day)
    partial = daily["partial"].astype(bool) if len(daily) else pd.Series(dtype=bool)
    if not partial.any():
        return Headline(s.cost, s.clicks, s.conversions, s.cpa, s.cvr, None)
    whole = daily.loc[~partial]
    cost, clicks, conv = (float(whole[c].sum()) for c in ("cost", "clicks", "conversions"))
    return Headline(s.cost, s.clicks, s.conversions, _ratio(cost, conv), _ratio(conv, clicks),
                    daily.loc[partial, "date"].max())


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
