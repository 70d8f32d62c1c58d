"""oCPC bundles against their targets: learning periods, over-target cost, and
over-cost compensation (超成本赔付).

What an optimizer keeps about each bundle lives in a small CSV, the *bundle map*
(:func:`read_bundle_sheet`): which plans are in which bundle, its target CPA, when its
learning period (formerly "stage 2") began, and how often target and targeting were
changed since. From that and the daily bundle series
(``optimizer.drift.scan.daily_series(table, "bundle", membership)``) this module says

* which bundles are still learning (:func:`learning_periods`) — their swings are
  expected, so drift flags on them are shown as learning, not as drift;
* which bundles run over target beyond a tolerance, and the money spent above
  target (:func:`against_target`);
* for bundles in their compensation window, whether they look eligible for Baidu's
  over-cost compensation, at risk, or not eligible, and the estimated amount
  (:func:`compensation`), by dated, configurable rule sets
  (``optimizer/bundles/rules/overcost.toml``, :func:`load_rules`).

Sources: ../shared/formats.md "oCPC facts" (Baidu's documented rules). The learning
period's end is not documented by Baidu; the default here is the bundle's entry
threshold (30 conversions since learning began, the same default as the bundle
proposal) and at least 3 days ("the first 3 days of learning should see few
changes"), both settings; a date in the bundle map overrides it.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

RULES_FILE = Path(__file__).resolve().parent / "rules" / "overcost.toml"
#: rule set used when no dated set covers a day
DEFAULT_RULES = "baidu_2022"

INFO_COLUMNS = ["bundle", "target_cpa", "learning_start", "learning_end", "target_changes", "targeting_changes",
                "conversion_type_changed"]
LEARNING_COLUMNS = ["bundle", "learning_start", "learning_end", "in_learning", "end_source",
                    "conversions_since_start"]
TARGET_COLUMNS = ["bundle", "status", "window_start", "window_end", "days", "cost", "conversions", "cpa",
                  "cpa_low", "cpa_high", "target_cpa", "cpa_vs_target", "threshold", "excess_cost", "sure"]
TARGET_STATUSES = ("over_target", "within_target", "learning", "no_data")
COMPENSATION_COLUMNS = ["bundle", "status", "rules", "window_start", "window_end", "days_observed", "window_days",
                        "window_complete", "cost", "conversions", "cpa", "target_cpa", "trigger_cpa", "over_cost",
                        "amount", "reasons_zh", "reasons_en"]
COMPENSATION_STATUSES = ("eligible", "at_risk", "not_eligible", "not_over_cost", "not_started")


# ---------------------------------------------------------------- rule sets

@dataclass(frozen=True)
class RuleSet:
    """One dated set of over-cost compensation rules (see ``rules/overcost.toml``)."""

    id: str
    name_zh: str
    name_en: str
    trigger: float
    window_days: int
    min_daily_average: float | None = None
    every_day_positive: bool = False
    min_total: float | None = None
    min_total_strict: bool = False
    max_target_changes: int = 2
    max_targeting_changes: int = 2
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source: str = ""

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en


def load_rules(path: str | Path | None = None) -> dict[str, RuleSet]:
    """The rule sets of a TOML file (default: the bundled ``rules/overcost.toml``).

    Raises ValueError naming the file, the set and the key that is wrong."""
    path = Path(path) if path else RULES_FILE
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path.name}: cannot read the rule sets ({exc})") from None
    known = {f.name for f in fields(RuleSet)} - {"id"}
    out = {}
    for rid, body in raw.items():
        if not isinstance(body, dict):
            raise ValueError(f"{path.name}: '{rid}' is not a [section] of rules")
        extra = set(body) - known
        if extra:
            raise ValueError(f"{path.name}, [{rid}]: unknown key(s) {', '.join(sorted(extra))}")
        for key in ("trigger", "window_days"):
            if key not in body:
                raise ValueError(f"{path.name}, [{rid}]: '{key}' is required")
        try:
            rs = RuleSet(id=rid, name_zh=str(body.get("name_zh", rid)), name_en=str(body.get("name_en", rid)),
                         trigger=float(body["trigger"]), window_days=int(body["window_days"]),
                         min_daily_average=_opt_float(body.get("min_daily_average")),
                         every_day_positive=bool(body.get("every_day_positive", False)),
                         min_total=_opt_float(body.get("min_total")),
                         min_total_strict=bool(body.get("min_total_strict", False)),
                         max_target_changes=int(body.get("max_target_changes", 2)),
                         max_targeting_changes=int(body.get("max_targeting_changes", 2)),
                         valid_from=body.get("valid_from"), valid_to=body.get("valid_to"),
                         source=str(body.get("source", "")))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path.name}, [{rid}]: {exc}") from None
        if not (0 <= rs.trigger < 10) or rs.window_days < 1:
            raise ValueError(f"{path.name}, [{rid}]: trigger must be a share (0.2 = 20%) and window_days ≥ 1")
        out[rid] = rs
    if not out:
        raise ValueError(f"{path.name}: no rule sets")
    return out


def _opt_float(v: object) -> float | None:
    return None if v is None else float(v)


def rules_for(day: object, rules: dict[str, RuleSet]) -> RuleSet:
    """The dated rule set in force on ``day``: among the sets with a validity date, the
    one whose [valid_from, valid_to] covers ``day``; else :data:`DEFAULT_RULES` (or the
    first set)."""
    d = pd.Timestamp(day).date() if day is not None and not pd.isna(day) else None
    if d is not None:
        for rs in rules.values():
            if rs.valid_from is None and rs.valid_to is None:
                continue
            if (rs.valid_from is None or rs.valid_from <= d) and (rs.valid_to is None or d <= rs.valid_to):
                return rs
    return rules.get(DEFAULT_RULES) or next(iter(rules.values()))


def default_tolerance(rules: dict[str, RuleSet] | None = None, day: object = None) -> tuple[float, str]:
    """(tolerance over target, where it comes from): the over-cost trigger of the rule
    set in force (20 % since 2022-10-11, ../shared/formats.md)."""
    rs = rules_for(day if day is not None else pd.Timestamp.today(), rules or load_rules())
    return rs.trigger, f"{rs.id}: {rs.source}"


# ---------------------------------------------------------------- the bundle map

@dataclass(frozen=True)
class BundleSheet:
    """A bundle map: ``membership`` plan → bundle; ``info`` one row per bundle with
    :data:`INFO_COLUMNS` (NaN / NaT where the map says nothing)."""

    membership: pd.Series
    info: pd.DataFrame

    @property
    def targets(self) -> dict[str, float]:
        t = self.info.dropna(subset=["target_cpa"])
        return dict(zip(t["bundle"], t["target_cpa"].astype(float), strict=True))


_COLUMN_NAMES = {
    "plan": ("plan", "campaign", "推广计划", "计划", "推广计划名称", "计划名称"),
    "bundle": ("bundle", "投放包", "ocpc投放包", "ocpc出价策略", "出价策略", "包"),
    "target_cpa": ("target_cpa", "目标转化成本", "target cpa", "目标成本"),
    "learning_start": ("learning_start", "学习期开始", "学习期开始日期", "进入二阶段", "二阶段开始", "进入二阶段日期"),
    "learning_end": ("learning_end", "学习期结束", "学习期结束日期"),
    "target_changes": ("target_changes", "目标修改次数", "出价修改次数", "目标成本修改次数"),
    "targeting_changes": ("targeting_changes", "定向修改次数"),
    "conversion_type_changed": ("conversion_type_changed", "转化类型变更", "转化类型已修改"),
}
_YES = {"1", "true", "yes", "y", "是", "有", "已修改", "变更"}
_NO = {"", "0", "false", "no", "n", "否", "无", "未修改", "-", "--"}


def read_bundle_sheet(data: bytes, name: str = "bundle map") -> BundleSheet:
    """Read a bundle map CSV (UTF-8, GBK or UTF-16; Chinese or English headers).

    Columns: plan (推广计划) and bundle (投放包 / oCPC投放包 / oCPC出价策略) are
    required; optional: target_cpa (目标转化成本), learning_start (学习期开始 /
    进入二阶段日期), learning_end (学习期结束), target_changes (目标修改次数),
    targeting_changes (定向修改次数), conversion_type_changed (转化类型变更: 是/否).
    Bundle-level values may be given on any of the bundle's rows; two rows giving
    different values for one bundle are an error. Raises
    :class:`optimizer.errors.InvalidInput` (a ValueError; ``message(lang)``) naming
    the file, the row and the column.

    Every field is read through :func:`optimizer.outputs.report.unneutralise`: the apostrophe
    that :func:`write_bundle_sheet` puts before a name a spreadsheet would run
    (``'-品牌词``) or before a name starting with an apostrophe (``''abc``) is removed —
    exactly one, and only there — so a written map reads back the names it was
    written from (``-品牌词``, ``'abc``); an apostrophe before any other text is kept.
    """
    from optimizer.reading.decode import decode_text
    from optimizer.errors import InvalidInput, clip
    from optimizer.reading.headers import normalize
    from optimizer.reading.values import ValueParseError, parse_date, parse_number

    try:
        text_, _ = decode_text(data)
    except UnicodeDecodeError:
        raise InvalidInput("bundle_map_encoding", file=name) from None
    reader = csv.DictReader(io.StringIO(text_))
    try:
        fieldnames = reader.fieldnames or []
        header = {normalize(f): f for f in fieldnames if f is not None}
        cols = {key: next((header[normalize(n)] for n in names if normalize(n) in header), None)
                for key, names in _COLUMN_NAMES.items()}
        if not cols["plan"] or not cols["bundle"]:
            raise InvalidInput("bundle_map_columns", file=name, found=clip(", ".join(f for f in fieldnames if f), 200) or "–")
        membership: dict[str, str] = {}
        info: dict[str, dict] = {}
        given: dict[tuple[str, str], str] = {}  # (bundle, column) -> the text an earlier row gave
        for i, row in enumerate(map(_unprotected, reader), start=2):
            plan = (row.get(cols["plan"]) or "").strip()
            bundle = (row.get(cols["bundle"]) or "").strip()
            if not plan or not bundle:
                continue
            if plan in membership and membership[plan] != bundle:
                raise InvalidInput("bundle_map_plan_twice", file=name, row=i, plan=plan, before=membership[plan],
                                   bundle=bundle)
            membership[plan] = bundle
            entry = info.setdefault(bundle, {})
            for key in INFO_COLUMNS[1:]:
                col = cols[key]
                raw = (row.get(col) or "").strip() if col else ""
                if not raw:
                    continue
                try:
                    if key == "target_cpa":
                        value = parse_number(raw)
                        if not math.isfinite(value) or value <= 0:
                            raise ValueParseError("not a positive amount")
                    elif key in ("learning_start", "learning_end"):
                        value = pd.Timestamp(parse_date(raw))
                    elif key in ("target_changes", "targeting_changes"):
                        value = parse_number(raw)
                        if not math.isfinite(value) or value < 0 or value != int(value):
                            raise ValueParseError("not a count")
                        value = int(value)
                    else:
                        low = raw.lower()
                        if low not in _YES | _NO:
                            raise ValueParseError("not yes/no (是/否)")
                        value = low in _YES
                except (ValueParseError, ValueError, TypeError):
                    code = {"target_cpa": "bundle_map_not_amount", "learning_start": "bundle_map_not_date",
                            "learning_end": "bundle_map_not_date", "target_changes": "bundle_map_not_count",
                            "targeting_changes": "bundle_map_not_count",
                            "conversion_type_changed": "bundle_map_not_yes_no"}[key]
                    raise InvalidInput(code, file=name, row=i, column=col, value=raw) from None
                if key in entry and entry[key] != value:
                    raise InvalidInput("bundle_map_two_values", file=name, row=i, column=col, bundle=bundle,
                                       before=given[bundle, key], value=raw)
                entry[key] = value
                given.setdefault((bundle, key), raw)
    except csv.Error:
        raise InvalidInput("bundle_map_unreadable", file=name, row=reader.line_num + 1) from None
    frame = pd.DataFrame([{"bundle": b, **v} for b, v in info.items()], columns=INFO_COLUMNS)
    frame["target_cpa"] = pd.to_numeric(frame["target_cpa"], errors="coerce").astype(float)
    for c in ("learning_start", "learning_end"):
        frame[c] = pd.to_datetime(frame[c])
    for c in ("target_changes", "targeting_changes"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("Int64")
    frame["conversion_type_changed"] = frame["conversion_type_changed"].astype("boolean")
    return BundleSheet(pd.Series(membership, dtype=object), frame)


def _unprotected(row: dict) -> dict:
    """A row of a bundle map with the writer's formula protection undone
    (:func:`optimizer.outputs.report.unneutralise`, field by field)."""
    from optimizer.outputs.report import unneutralise
    return {k: unneutralise(v) for k, v in row.items()}


#: the headers :func:`write_bundle_sheet` writes, per language (both read back)
BUNDLE_SHEET_HEADERS = {"zh": ("推广计划", "投放包", "目标转化成本"), "en": ("Plan", "Bundle", "Target CPA")}


def write_bundle_sheet(membership: pd.Series, targets: Mapping[str, float] | None = None,
                       lang: str = "zh") -> bytes:
    """A bundle map as the CSV :func:`read_bundle_sheet` reads back: columns
    ``推广计划, 投放包, 目标转化成本`` (``Plan, Bundle, Target CPA`` in English; target
    to the cent, blank where none), one row per bundled plan (plans mapped to null are
    left out), sorted by bundle then plan; UTF-8 with BOM and formula-safe text
    (:func:`optimizer.outputs.report.to_csv_bytes`: ``-品牌词`` is written ``'-品牌词``, ``'abc``
    ``''abc``, and :func:`read_bundle_sheet` reads back ``-品牌词`` and ``'abc``)."""
    from optimizer.outputs.report import to_csv_bytes

    plan, bundle, target = BUNDLE_SHEET_HEADERS["zh" if lang == "zh" else "en"]
    m = membership.dropna().astype(str)
    targets = targets or {}
    frame = pd.DataFrame({plan: m.index.astype(str), bundle: m.to_numpy()})
    frame = frame.sort_values([bundle, plan], kind="stable")
    frame[target] = [float(targets[b]) if b in targets and math.isfinite(targets[b]) else None
                     for b in frame[bundle]]
    return to_csv_bytes(frame, decimals={target: 2})


#: where the bundle map of an account comes from (:func:`bundle_sheet_for`)
SHEET_SOURCES = ("map", "names", "proposed", "none")


# ---------------------------------------------------------------- bundles named in plan names

_BUNDLE_NAME = re.compile(r"(?:oCPC)?(?:投放)?包\s*([0-9A-Za-z一二三四五六七八九十]+)", re.I)


def bundles_from_names(campaigns: pd.Series) -> pd.Series:
    """Bundle membership from a naming convention in plan names (``包1-开锁``,
    ``oCPC包2_换锁``, ``[投放包A]核心``): the bundle id per plan (indexed by plan), null
    where none."""
    names = pd.Series(list(campaigns), dtype=object)
    found = names.map(lambda c: (f"包{m[1]}" if (m := _BUNDLE_NAME.search(str(c))) else None))
    return pd.Series(found.to_numpy(), index=names.to_numpy(), dtype=object)


def bundle_sheet_for(campaigns: Sequence[str] | pd.Series, sheet: BundleSheet | None = None,
                     proposed: pd.Series | None = None) -> tuple[BundleSheet | None, str]:
    """The bundle map to check an account's bundles by, and where it came from
    (:data:`SHEET_SOURCES`), in this order:

    ``map``: ``sheet``, the map the optimizer uploaded or adopted (targets, learning
    dates and change counts as it says); ``names``: bundles named in the plan names
    (``包1-开锁``, :func:`optimizer.bundles.propose.bundles_from_names`), membership only;
    ``proposed``: the bundles :func:`optimizer.bundles.propose.propose` suggests (``proposed``:
    plan → bundle id, ``"-"`` or null for a plan left out), membership only — so that
    plans that would share a bundle are watched as one even before the account has
    bundles; no target, so nothing is checked against one; ``none``: no bundles."""

    if sheet is not None:
        return sheet, "map"
    names = bundles_from_names(pd.Series(sorted({str(c) for c in campaigns}), dtype=object))
    if names.notna().any():
        return sheet_from(names), "names"
    if proposed is not None:
        p = proposed.astype(object).where(proposed.astype(object) != "-")
        if p.notna().any():
            return sheet_from(p), "proposed"
    return None, "none"


def current_bundles(campaigns: pd.Series, sheet: BundleSheet | None = None) -> tuple[pd.Series, dict[str, float]]:
    """(plan → bundle, bundle → target CPA) of the bundles an account runs now: the
    decided ``sheet``'s, else those named in the plan names of ``campaigns`` (no targets)
    — what the oCPC bundles page lists and splits."""
    if sheet is not None:
        return sheet.membership, sheet.targets
    return bundles_from_names(campaigns), {}


def sheet_from(membership: pd.Series, targets: dict[str, float] | None = None) -> BundleSheet:
    """A bundle map from membership alone (e.g. bundles read from plan names, or a
    proposal), with optional targets."""
    bundles = sorted(set(membership.dropna().astype(str)))
    targets = targets or {}
    info = pd.DataFrame({"bundle": bundles, "target_cpa": [targets.get(b, np.nan) for b in bundles]})
    for c in INFO_COLUMNS[2:]:
        info[c] = pd.Series([pd.NA] * len(bundles), dtype=object)
    info["learning_start"] = pd.to_datetime(info["learning_start"])
    info["learning_end"] = pd.to_datetime(info["learning_end"])
    info["target_changes"] = info["target_changes"].astype("Int64")
    info["targeting_changes"] = info["targeting_changes"].astype("Int64")
    info["conversion_type_changed"] = info["conversion_type_changed"].astype("boolean")
    return BundleSheet(membership.dropna().astype(str), info[INFO_COLUMNS])


# ---------------------------------------------------------------- learning

@dataclass(frozen=True)
class TargetSettings:
    """User settings for target checks (all documented defaults).

    ``tolerance``: CPA over target beyond this share is flagged (default: the over-cost
    trigger, 20 %, ../shared/formats.md). ``window_days``: the recent days compared
    with the target. ``learning_conversions`` and ``min_learning_days``: a bundle
    leaves learning on the first day it has this many conversions since learning
    began and at least this many days have passed (Baidu does not document the end
    of learning; 30 is the bundle entry threshold default, 3 days "the first 3 days
    of learning"). ``confidence``: level of the CPA interval.
    """

    tolerance: float = 0.20
    window_days: int = 7
    learning_conversions: float = 30.0
    min_learning_days: int = 3
    confidence: float = 0.95


def _bundle_days(series: pd.DataFrame, bundle: str) -> pd.DataFrame:
    d = series.loc[series["entity"] == bundle, ["date", "clicks", "cost", "conversions"]]
    return d.sort_values("date").reset_index(drop=True)


def learning_periods(series: pd.DataFrame, info: pd.DataFrame, settings: TargetSettings = TargetSettings()
                     ) -> pd.DataFrame:
    """Each bundle's learning period, from ``info`` (:data:`INFO_COLUMNS`) and its daily
    series (``daily_series(..., "bundle", ...)``, entity = bundle name).

    Columns :data:`LEARNING_COLUMNS`: bundle, learning_start (NaT: unknown — the bundle
    is then taken as past learning), learning_end (the map's date; else the first day
    with ``learning_conversions`` conversions since the start and ``min_learning_days``
    days; NaT while still learning), in_learning (on the series' last day),
    end_source (``map``, ``threshold``, ``not_reached``, ``unknown``),
    conversions_since_start.
    """
    rows = []
    for r in info.itertuples(index=False):
        start = r.learning_start
        d = _bundle_days(series, r.bundle)
        last = d["date"].max() if len(d) else pd.NaT
        if pd.isna(start):
            rows.append([r.bundle, pd.NaT, pd.NaT, False, "unknown", np.nan])
            continue
        since = d.loc[d["date"] >= start]
        conv = float(since["conversions"].fillna(0).sum())
        if not pd.isna(r.learning_end):
            end, source = pd.Timestamp(r.learning_end), "map"
        else:
            cum = since["conversions"].fillna(0).cumsum().to_numpy()
            day_no = ((since["date"] - start).dt.days + 1).to_numpy()
            hit = np.flatnonzero((cum >= settings.learning_conversions) & (day_no >= settings.min_learning_days))
            end, source = (since["date"].iloc[hit[0]], "threshold") if len(hit) else (pd.NaT, "not_reached")
        in_learning = (not pd.isna(last)) and last >= start and (pd.isna(end) or last <= end)
        rows.append([r.bundle, pd.Timestamp(start), end, bool(in_learning), source, conv])
    out = pd.DataFrame(rows, columns=LEARNING_COLUMNS)
    out["learning_start"] = pd.to_datetime(out["learning_start"])
    out["learning_end"] = pd.to_datetime(out["learning_end"])
    return out


# ---------------------------------------------------------------- against target

def poisson_interval(count: float, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval of a Poisson mean given ``count`` events."""
    a = 1 - confidence
    lo = 0.0 if count <= 0 else stats.chi2.ppf(a / 2, 2 * count) / 2
    hi = stats.chi2.ppf(1 - a / 2, 2 * (count + 1)) / 2
    return float(lo), float(hi)


def against_target(series: pd.DataFrame, info: pd.DataFrame, settings: TargetSettings = TargetSettings(),
                   learning: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each bundle with a target CPA over the last ``settings.window_days`` days.

    CPA = cost / conversions over the window. ``threshold`` = target × (1 +
    tolerance); ``over_target`` when CPA > threshold (or cost without any
    conversion), ``within_target`` otherwise, ``learning`` while the bundle learns
    (not flagged), ``no_data`` without days in the window. ``excess_cost`` = cost −
    target × conversions: the money spent above target (negative: below).
    ``cpa_low``/``cpa_high``: the CPA interval with conversions taken as Poisson
    (exact Garwood interval on the count; cost taken as known); ``sure`` when even
    ``cpa_low`` is over the threshold. Columns :data:`TARGET_COLUMNS`, over-target
    bundles first by excess cost.
    """
    if learning is None:
        learning = learning_periods(series, info, settings)
    in_learning = dict(zip(learning["bundle"], learning["in_learning"], strict=True))
    rows = []
    for r in info.dropna(subset=["target_cpa"]).itertuples(index=False):
        d = _bundle_days(series, r.bundle)
        target = float(r.target_cpa)
        threshold = target * (1 + settings.tolerance)
        if d.empty:
            rows.append(dict(bundle=r.bundle, status="no_data", target_cpa=target, threshold=threshold))
            continue
        end = d["date"].max()
        start = end - pd.Timedelta(days=settings.window_days - 1)
        w = d.loc[d["date"] >= start]
        cost, conv = float(w["cost"].sum()), float(w["conversions"].fillna(0).sum())
        cpa = cost / conv if conv > 0 else (math.inf if cost > 0 else math.nan)
        lo_n, hi_n = poisson_interval(conv, settings.confidence)
        cpa_low = cost / hi_n if hi_n > 0 else math.nan
        cpa_high = cost / lo_n if lo_n > 0 else math.inf
        over = bool(cost > 0 and cpa > threshold)
        status = "learning" if in_learning.get(r.bundle) else ("over_target" if over else "within_target")
        rows.append(dict(bundle=r.bundle, status=status, window_start=start, window_end=end, days=int(len(w)),
                         cost=cost, conversions=conv, cpa=cpa, cpa_low=cpa_low, cpa_high=cpa_high, target_cpa=target,
                         cpa_vs_target=(cpa / target - 1) if math.isfinite(cpa) else math.inf if cost > 0 else math.nan,
                         threshold=threshold, excess_cost=cost - target * conv,
                         sure=bool(over and cpa_low > threshold)))
    out = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    order = out["status"].map({"over_target": 0, "within_target": 1, "learning": 2, "no_data": 3})
    return (out.assign(_o=order, _e=-out["excess_cost"].fillna(0)).sort_values(["_o", "_e"], kind="stable")
            .drop(columns=["_o", "_e"]).reset_index(drop=True))


# ---------------------------------------------------------------- compensation

def compensation(series: pd.DataFrame, info: pd.DataFrame, rules: dict[str, RuleSet] | None = None,
                 rule_id: str | None = None, currency: str | None = "CNY") -> pd.DataFrame:
    """Over-cost compensation outlook for each bundle with a target and a learning start.

    The window is the first ``window_days`` natural days from ``learning_start``
    (the start of learning, formerly stage 2); the rule set is ``rule_id`` or the
    dated set in force on that day (:func:`rules_for`). Over the window days in the
    data: cost, conversions, CPA; ``trigger_cpa`` = target × (1 + trigger);
    ``over_cost`` when CPA > trigger_cpa; ``amount`` = cost − target × conversions
    when over cost (Baidu's formula: actual cost − Σ target × conversions, with the
    map's one target), else 0.

    Status:

    * ``not_started`` — the window begins after the data ends;
    * ``not_eligible`` — a rule is broken for good: more target or targeting changes
      than allowed, conversion type changed, a day of the finished part of the
      window without conversions where every day must have one, or (window over)
      too few conversions;
    * ``at_risk`` — nothing broken yet but the claim could still fail: the changes
      are at the limit (one more would void it), the window is not over and the
      volume so far is short of the rule's pace, or the change counts are unknown;
    * ``eligible`` — window over, every rule met, and over cost: ``amount`` is the
      estimate;
    * ``not_over_cost`` — rules met (or still possible) but the CPA is within the
      trigger: nothing to claim (so far).

    ``reasons_zh`` / ``reasons_en`` say why, with money in ``currency`` (Baidu's rule:
    CNY unless told). Columns :data:`COMPENSATION_COLUMNS`.
    """
    from optimizer.i18n import money
    rules = rules or load_rules()
    rows = []
    for r in info.dropna(subset=["target_cpa"]).itertuples(index=False):
        if pd.isna(r.learning_start):
            continue
        start = pd.Timestamp(r.learning_start)
        rs = rules[rule_id] if rule_id else rules_for(start, rules)
        end = start + pd.Timedelta(days=rs.window_days - 1)
        target = float(r.target_cpa)
        trigger_cpa = target * (1 + rs.trigger)
        d = _bundle_days(series, r.bundle)
        last = d["date"].max() if len(d) else pd.NaT
        base = dict(bundle=r.bundle, rules=rs.id, window_start=start, window_end=end, window_days=rs.window_days,
                    target_cpa=target, trigger_cpa=trigger_cpa)
        if pd.isna(last) or last < start:
            rows.append(dict(base, status="not_started", days_observed=0, window_complete=False, cost=0.0,
                             conversions=0.0, cpa=math.nan, over_cost=False, amount=0.0,
                             reasons_zh="窗口尚未开始（数据止于窗口之前）",
                             reasons_en="the window has not begun in the data"))
            continue
        w = d.loc[(d["date"] >= start) & (d["date"] <= end)]
        complete = bool(last >= end)
        cost, conv = float(w["cost"].sum()), float(w["conversions"].fillna(0).sum())
        cpa = cost / conv if conv > 0 else (math.inf if cost > 0 else math.nan)
        over = bool(cost > 0 and cpa > trigger_cpa)
        broken, risk = [], []
        tc, gc = r.target_changes, r.targeting_changes
        for count, limit, zh, en in ((tc, rs.max_target_changes, "目标成本修改", "target CPA changes"),
                                     (gc, rs.max_targeting_changes, "定向修改", "targeting changes")):
            if pd.isna(count):
                risk.append((f"{zh}次数未填写（上限 {limit} 次）", f"{en} not given (limit {limit})"))
            elif count > limit:
                broken.append((f"{zh} {count} 次，超过上限 {limit} 次", f"{count} {en}, over the limit of {limit}"))
            elif count == limit and not complete:
                risk.append((f"{zh}已达上限 {limit} 次，再改一次即失去赔付资格",
                             f"{en} at the limit of {limit}: one more voids the claim"))
        if r.conversion_type_changed is True:
            broken.append(("转化类型或数据来源已修改", "conversion type or data source changed"))
        days_seen = int(len(w))
        if rs.every_day_positive and days_seen and (w["conversions"].fillna(0) <= 0).any():
            day = w.loc[w["conversions"].fillna(0) <= 0, "date"].iloc[0]
            broken.append((f"{day:%m-%d} 无转化（规则要求每天都有转化）",
                           f"no conversion on {day:%Y-%m-%d} (every day needs one)"))
        volume_ok, pace = _volume(rs, conv, days_seen)
        if not volume_ok:
            if complete:
                broken.append((f"转化量不足：{pace[0]}", f"too few conversions: {pace[1]}"))
            else:
                risk.append((f"转化量暂未达标：{pace[0]}", f"conversions short so far: {pace[1]}"))
        if not complete:
            risk.append((f"窗口进行中（已有 {days_seen}/{rs.window_days} 天）",
                         f"window still running ({days_seen} of {rs.window_days} days)"))
        if broken:
            status = "not_eligible"
        elif not over:
            status = "not_over_cost"
        elif risk:
            status = "at_risk"
        else:
            status = "eligible"
        amount = max(cost - target * conv, 0.0) if over and not broken else 0.0
        if over:
            over_note = (f"实际转化成本 {money(cpa, currency)} 超过目标 {money(target, currency)} 的 {1 + rs.trigger:.0%}",
                         f"actual CPA {money(cpa, currency)} is over {1 + rs.trigger:.0%} of the target "
                         f"{money(target, currency)}")
        else:
            over_note = (f"实际转化成本未超过目标的 {1 + rs.trigger:.0%}（{money(trigger_cpa, currency)}）",
                         f"actual CPA within {1 + rs.trigger:.0%} of target ({money(trigger_cpa, currency)})")
        notes = [*broken, *risk, over_note]
        rows.append(dict(base, status=status, days_observed=days_seen, window_complete=complete, cost=cost,
                         conversions=conv, cpa=cpa, over_cost=over, amount=amount,
                         reasons_zh="；".join(n[0] for n in notes), reasons_en="; ".join(n[1] for n in notes)))
    out = pd.DataFrame(rows, columns=COMPENSATION_COLUMNS)
    order = out["status"].map({s: i for i, s in enumerate(COMPENSATION_STATUSES)})
    return (out.assign(_o=order, _a=-out["amount"].fillna(0)).sort_values(["_o", "_a"], kind="stable")
            .drop(columns=["_o", "_a"]).reset_index(drop=True))


def _volume(rs: RuleSet, conv: float, days: int) -> tuple[bool, tuple[str, str]]:
    """Whether the conversions so far meet (or, for an average rule, keep pace with)
    the volume rule; and the rule in words."""
    if rs.min_daily_average is not None:
        avg = conv / days if days else 0.0
        ok = avg > rs.min_daily_average
        return ok, (f"日均 {avg:.1f} 次，需 > {rs.min_daily_average:g}",
                    f"{avg:.1f} a day on average, needs > {rs.min_daily_average:g}")
    if rs.min_total is not None:
        ok = conv > rs.min_total if rs.min_total_strict else conv >= rs.min_total
        op = ">" if rs.min_total_strict else "≥"
        return ok, (f"共 {conv:.0f} 次，需 {op} {rs.min_total:g}", f"{conv:.0f} in total, needs {op} {rs.min_total:g}")
    return True, ("", "")
