"""Bid recommendations for keywords on manual CPC.

Takes the evidence window's daily keyword rows (:func:`optimizer.bundles.propose.window`),
their labelled keyword performance, the keywords the oCPC bundles page names for
manual CPC (:func:`optimizer.bundles.propose.cpc_keywords`) and the bundles the account
runs now (:func:`optimizer.bundles.targets.current_bundles`); gives one row per
manual-CPC keyword with the bid that meets its target CPA, why, and the money it is
expected to save or gain (:func:`recommend_bids`, columns :data:`BID_COLUMNS`).

Which keywords. Those on manual CPC: every keyword of a plan that is in no bundle
now (the decided bundle map, else the bundles named in plan names, ``包1-开锁``), and
the rank-driven keywords the oCPC bundles page proposes to keep on CPC, whichever
plan they are in. Without a bundle map and without bundles in plan names, no plan is
known to be in a bundle and every plan is taken as manual CPC (column
``bundles_from`` = ``none`` says so on each row).

Target CPA (``target_source``): the bundle map's target of the keyword's plan's bundle
(``bundle_map``); else the user's setting for the plan's business line
(``setting_line``); else the user's setting for the account (``setting_account``);
else the line's CPA over the window (``line_recent``: cost / conversions of its
plans' keywords). A line without conversions and no setting has no target: its
keywords keep their bid and say why.

Conversion rate. The keyword's CVR is shrunk toward its unit's, and the unit's toward
its business line's, by the empirical-Bayes beta-binomial of the bundles' evidence
(:func:`optimizer.bundles.propose.fit_prior`, method of moments, fitted once across
the account's units and once across its keywords): shrunk CVR = (x + s·m) / (n + s)
with m the unit's shrunk CVR; its 90 % interval the Beta(x + s·m, n − x + s·(1 − m))
quantiles. Conversions are capped at clicks, as there.

The bid. Target bid = target CPA × shrunk CVR (the most a click may cost for the
keyword to convert at target). The recommendation moves from the current bid toward
it by at most ``max_step`` (±20 % a step by default, as practitioners advise), then
is kept inside the platform's bid limits (:data:`PLATFORM_LIMITS`) and rounded to
the cent toward the current bid; ``capped`` says the step or a limit bounded it. A
target bid within ``min_change`` (5 %) of the current bid keeps it
(``keep_on_target``). Too little evidence — fewer than ``min_clicks`` (30, the figure
under which a bundle plan is thin) clicks in the window, or a shrunk-CVR interval
whose high end is more than ``max_interval_ratio`` (3×) its low end — keeps the bid
(``keep_low_evidence``); so does a keyword the export gives no bid for (``0`` in a
Baidu export means "the unit's bid"): ``keep_no_bid``. A rank-driven keyword whose
rows carry average position or impression share gets a position goal instead
(``position_goal``: reach ``position_goal`` or ``share_goal``, raising at most one step
at a time, the target bid as its ceiling); without rank data it gets a bid as the
others do.

Money (column ``money``, 30 days; the window's figures scaled by 30 / window days):

- lowering (``bid_saving``): clicks are taken as unchanged, and the CPC paid as
  unchanged unless the new bid is below it (an auction never charges more than the
  bid; below the bid, the price is set by the other bidders): new CPC = min(CPC paid,
  new bid). The saving is the cost above target that the new bid removes:
  max(cost − T·ĉ, 0) − max(clicks·new CPC − T·ĉ, 0), with ĉ = clicks × shrunk CVR the
  expected conversions. A keyword already under target, or whose CPC paid is below
  the new bid, saves nothing by this measure even when its bid comes down (the lower
  bid caps what a rising auction price can cost). This is a floor: fewer clicks at a
  lower bid would cut spend further, and conversions with it.
- raising (``bid_gain``): clicks grow as (new/old)^e with the click elasticity
  ``click_elasticity`` e (0.3 by default, a conservative reading: a 20 % higher bid
  brings 5.6 % more clicks); the gain is the extra conversions (extra clicks ×
  shrunk CVR) valued at the target CPA.

Both are estimates under these stated assumptions, not measurements.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.stats import beta as beta_dist

from optimizer.bundles.propose import THIN_CLICKS, fit_prior
from optimizer.i18n import money as money_text
from optimizer.keywords.lexicon import line_label
from optimizer.keywords.stages import UNKNOWN_LINE

#: platform → (lowest bid, highest bid) in the account's currency. Baidu: (0, 999.99] 元
#: (../shared/formats.md, "Bulk-edit files"), to the cent so 0.01. Google Ads and Microsoft
#: Advertising: assumed 0.01 at least (the smallest amount of a cent currency); Microsoft's
#: keyword bid assumed at most 1,000.00; Google's upper bound is not documented: none.
PLATFORM_LIMITS: tuple[tuple[str, float, float], ...] = (
    ("baidu", 0.01, 999.99),
    ("google_ads", 0.01, math.inf),
    ("microsoft_ads", 0.01, 1000.0),
    ("generic", 0.01, math.inf),
)

DECISIONS = ("raise", "lower", "keep_low_evidence", "keep_no_bid", "keep_at_limit", "keep_on_target",
             "position_goal")
TARGET_SOURCES = ("bundle_map", "setting_line", "setting_account", "line_recent")

BID_COLUMNS = ["account", "platform", "campaign", "ad_group", "keyword", "match_type", "keyword_id", "line", "stage",
               "cpc_reason", "rank_driven", "bundles_from", "impressions", "clicks", "cost", "conversions", "cvr_raw",
               "cvr_unit", "cvr_shrunk", "cvr_low", "cvr_high", "avg_position", "impression_share", "target_cpa",
               "target_source", "line_cpa", "bundle", "target_bid", "bid", "recommended_bid", "change_pct", "decision",
               "capped", "evidence", "extra_conversions", "reason_zh", "reason_en", "money", "money_basis",
               "above_target"]


@dataclass(frozen=True)
class BidSettings:
    """Settings of the bid recommendations (defaults: see the module docstring).

    ``max_step``: largest move of a bid in one step, as a share of it. ``min_clicks``
    and ``max_interval_ratio``: the evidence a recommendation needs (clicks in the
    window; high / low end of the shrunk CVR's ``interval``). ``min_change``: a target
    bid this close to the current bid keeps it. ``click_elasticity``: extra clicks
    per extra bid, in relative terms, for the gain of a raise. ``position_goal`` /
    ``share_goal``: the rank a rank-driven keyword is given as its goal. ``limits``:
    per platform (code of :data:`optimizer.reading.schema.PLATFORMS`) the lowest and
    highest bid (:data:`PLATFORM_LIMITS`). ``days``: the period the money is given for."""

    max_step: float = 0.20
    min_clicks: float = float(THIN_CLICKS)
    max_interval_ratio: float = 3.0
    interval: float = 0.90
    min_change: float = 0.05
    click_elasticity: float = 0.3
    position_goal: float = 2.5
    share_goal: float = 0.5
    limits: tuple[tuple[str, float, float], ...] = PLATFORM_LIMITS
    days: int = 30

    def limit(self, platform: str | None) -> tuple[float, float]:
        """(lowest, highest) bid on ``platform`` (unknown platforms: 0.01, none)."""
        for code, low, high in self.limits:
            if code == platform:
                return low, high
        return 0.01, math.inf


@dataclass(frozen=True)
class BidTargets:
    """What the user keeps for an account's bids: the target CPAs — ``account`` (None:
    none set) and per business line (``lines``: (line, target) pairs, sorted) — and the
    step (``step``: the largest move a step, a share in (0, 1); None: the default of
    :class:`BidSettings`). Kept as JSON in the app's settings (:meth:`to_json`,
    :meth:`from_json`; JSON kept before the step was has none and reads as the default);
    every user of the kept targets bids with :meth:`bid_settings`."""

    account: float | None = None
    lines: tuple[tuple[str, float], ...] = field(default_factory=tuple)
    step: float | None = None

    @classmethod
    def of(cls, account: float | None = None, lines: dict[str, float] | None = None,
           step: float | None = None) -> BidTargets:
        """Targets from an account figure, a line → figure mapping and a step; a figure
        that is not a positive number (0, blank, NaN) means "not set", and so does a step
        outside (0, 1)."""
        def ok(v) -> bool:
            try:
                return v is not None and math.isfinite(float(v)) and float(v) > 0
            except (TypeError, ValueError):
                return False
        return cls(float(account) if ok(account) else None,
                   tuple(sorted((str(k), float(v)) for k, v in (lines or {}).items() if ok(v))),
                   float(step) if ok(step) and float(step) < 1 else None)

    def line(self, name: str) -> float | None:
        return dict(self.lines).get(name)

    def bid_settings(self, base: BidSettings | None = None) -> BidSettings:
        """``base`` (default :class:`BidSettings`) with the kept step, when one is kept."""
        base = base if base is not None else BidSettings()
        return base if self.step is None else replace(base, max_step=self.step)

    def to_json(self) -> str:
        return json.dumps({"account": self.account, "lines": dict(self.lines), "step": self.step},
                          ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> BidTargets:
        """Targets from :meth:`to_json`'s text (without ``step``: the default step);
        nothing set (None, or text that is not such JSON) gives no targets."""
        if not text:
            return cls()
        try:
            d = json.loads(text)
            return cls.of(d.get("account"), d.get("lines") or {}, d.get("step"))
        except (ValueError, AttributeError, TypeError):
            return cls()


def targets_setting_key(workspace: int | None, account: str) -> str:
    """The app-settings key under which an account's :class:`BidTargets` are kept."""
    return f"bids.targets:{workspace}:{account}"


# ---------------------------------------------------------------- the recommendation

def _keyword_rows(rows: pd.DataFrame) -> pd.DataFrame:
    kw = rows.loc[(rows["report_type"] == "keyword").to_numpy(bool) & rows["keyword"].notna().to_numpy(bool)]
    if "deleted" in kw.columns:
        kw = kw.loc[~kw["deleted"].fillna(False).astype(bool).to_numpy()]
    return kw


_KEYS = ["campaign", "ad_group", "keyword", "match_type"]


def _text_keys(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for k in _KEYS:
        out[k] = out[k].astype("object").where(out[k].notna(), "").astype(str)
    return out


def _latest(kw: pd.DataFrame, column: str, valid) -> pd.Series:
    """The latest valid value of ``column`` per keyword (rows in date order; undated rows first)."""
    d = kw.loc[valid(kw[column]), _KEYS + ["date", column]]
    if d.empty:
        return pd.Series(dtype=object)
    d = d.sort_values("date", kind="stable", na_position="first")
    return d.groupby(_KEYS, sort=False)[column].last()


def _shrink(x: np.ndarray, n: np.ndarray, mean: np.ndarray, strength: float) -> np.ndarray:
    return (x + strength * mean) / (n + strength)


def recommend_bids(rows: pd.DataFrame, perf: pd.DataFrame, *, all_rows: pd.DataFrame | None = None,
                   cpc: pd.DataFrame | None = None, membership: pd.Series | None = None,
                   bundle_targets: dict[str, float] | None = None, lines: pd.Series | None = None,
                   targets: BidTargets = BidTargets(), settings: BidSettings = BidSettings(), account: str = "",
                   bundles_from: str = "map", currency: str | None = None) -> pd.DataFrame:
    """One row per manual-CPC keyword (campaign, ad group, keyword, match type) with its
    recommended bid (module docstring). Columns :data:`BID_COLUMNS`.

    ``rows``: the evidence window's daily rows (keyword-report rows are used);
    ``perf``: their keyword performance with labels
    (:func:`optimizer.keywords.stages.keyword_performance`, for each keyword's stage and
    line); ``all_rows``: every row of the account, for each keyword's latest bid and id
    (default ``rows``); ``cpc``: :func:`optimizer.bundles.propose.cpc_keywords` (keyword,
    campaign); ``membership`` / ``bundle_targets``: plan → bundle and bundle → target CPA
    of the bundles run now (:func:`optimizer.bundles.targets.current_bundles`);
    ``lines``: plan → business line (the bundles' evidence); ``targets``: the user's
    settings; ``account``: the account's key; ``bundles_from``: where ``membership``
    came from (``map``, ``names``, ``none``), copied to every row; ``currency``: of the
    money in the reasons (default: the rows')."""
    s = settings
    kw = _keyword_rows(rows)
    if kw.empty:
        return pd.DataFrame(columns=BID_COLUMNS)
    kw = _text_keys(kw)
    days = int((kw["date"].max() - kw["date"].min()).days) + 1 if kw["date"].notna().any() else 0
    scale = s.days / days if days else float("nan")
    agg = kw.groupby(_KEYS, sort=False, observed=True)[["impressions", "clicks", "cost", "conversions"]].sum()
    agg = agg.fillna(0.0)
    pos = kw.loc[kw["avg_position"].notna()].groupby(_KEYS, sort=False)["avg_position"].mean()
    share = kw.loc[kw["impression_share"].notna()].groupby(_KEYS, sort=False)["impression_share"].mean()
    g = agg.join(pos).join(share).reset_index()
    platform = str(kw["platform"].iloc[0]) if "platform" in kw.columns and len(kw) else ""
    if currency is None and kw["currency"].notna().any():
        currency = str(kw["currency"].dropna().iloc[0])

    every = _text_keys(_keyword_rows(all_rows if all_rows is not None else rows))
    bid = _latest(every, "bid", lambda v: v.notna())
    kid = _latest(every, "keyword_id", lambda v: v.notna() & (v.astype(str) != ""))
    idx = pd.MultiIndex.from_frame(g[_KEYS])
    g["bid"] = pd.to_numeric(bid.reindex(idx), errors="coerce").to_numpy(float) if len(bid) else np.nan
    g["bid"] = g["bid"].where(g["bid"] > 0)  # 0 in a Baidu export: the unit's bid, not the keyword's
    g["keyword_id"] = kid.reindex(idx).astype(object).to_numpy() if len(kid) else ""
    g["keyword_id"] = g["keyword_id"].where(pd.notna(g["keyword_id"]), "").astype(str)

    # labels: the keyword's stage and line (its plan's line first)
    lab = perf[["campaign", "ad_group", "keyword", "stage", "business_line"]].copy() if len(perf) else \
        pd.DataFrame(columns=["campaign", "ad_group", "keyword", "stage", "business_line"])
    for k in ("campaign", "ad_group", "keyword"):
        lab[k] = lab[k].astype(str)
    lab = lab.drop_duplicates(["campaign", "ad_group", "keyword"])
    g = g.merge(lab, on=["campaign", "ad_group", "keyword"], how="left")
    g["stage"] = g["stage"].fillna("none")
    plan_line = g["campaign"].map(lines) if lines is not None and len(lines) else pd.Series(np.nan, index=g.index)
    g["line"] = plan_line.where(plan_line.notna(), g["business_line"]).fillna(UNKNOWN_LINE).astype(str)

    # conversion rates: keyword -> unit -> line (empirical Bayes, as the bundles' evidence)
    x = np.minimum(g["conversions"].to_numpy(float), g["clicks"].to_numpy(float))
    n = g["clicks"].to_numpy(float)
    g["_x"] = x
    total_n = n.sum()
    account_cvr = x.sum() / total_n if total_n > 0 else 0.0
    line_t = g.groupby("line")[["_x", "clicks"]].sum()
    line_cvr = (line_t["_x"] / line_t["clicks"].where(line_t["clicks"] > 0)).fillna(account_cvr)
    unit_t = g.groupby(["campaign", "ad_group"], sort=False).agg(_x=("_x", "sum"), clicks=("clicks", "sum"),
                                                                 line=("line", "first"))
    unit_prior = unit_t["line"].map(line_cvr).fillna(account_cvr).clip(1e-6, 1 - 1e-6).to_numpy(float)
    unit_strength = fit_prior(unit_t["_x"].to_numpy(), unit_t["clicks"].to_numpy())
    unit_t["cvr_unit"] = _shrink(unit_t["_x"].to_numpy(float), unit_t["clicks"].to_numpy(float), unit_prior,
                                 unit_strength)
    g = g.join(unit_t[["cvr_unit"]], on=["campaign", "ad_group"])
    m = g["cvr_unit"].clip(1e-6, 1 - 1e-6).to_numpy(float)
    strength = fit_prior(x, n)
    a, b = x + strength * m, np.maximum(n - x, 0) + strength * (1 - m)
    tail = (1 - s.interval) / 2
    g["cvr_raw"] = g["conversions"] / g["clicks"].where(g["clicks"] > 0)
    g["cvr_shrunk"] = a / (a + b)
    g["cvr_low"] = beta_dist.ppf(tail, a, b)
    g["cvr_high"] = beta_dist.ppf(1 - tail, a, b)

    # which keywords are on manual CPC
    member = membership.dropna().astype(str) if membership is not None else pd.Series(dtype=object)
    g["bundle"] = g["campaign"].map(member).astype(object).where(lambda v: v.notna(), "")
    rank_keys = set()
    if cpc is not None and len(cpc):
        rank_keys = set(zip(cpc["keyword"].astype(str), cpc["campaign"].astype(str), strict=True))
    rank = pd.Series([(k, c) in rank_keys for k, c in zip(g["keyword"], g["campaign"], strict=True)], index=g.index)
    g["cpc_reason"] = np.where(g["bundle"] == "", "plan_not_in_bundle", "rank_keyword")
    g["rank_driven"] = rank.to_numpy()
    g = g.loc[(g["bundle"] == "") | g["rank_driven"]].reset_index(drop=True)
    if g.empty:
        return pd.DataFrame(columns=BID_COLUMNS)
    g.loc[g["rank_driven"], "cpc_reason"] = "rank_keyword"

    # target CPA
    g_all_line = _line_cpa(lines, perf)  # over all the line's keywords, not only the manual-CPC ones
    bt = bundle_targets or {}
    tgt, src = [], []
    for r in g.itertuples():
        t = bt.get(r.bundle) if r.bundle else None
        if t is not None and t == t and t > 0:
            tgt.append(float(t)), src.append("bundle_map")
        elif targets.line(r.line) is not None:
            tgt.append(float(targets.line(r.line))), src.append("setting_line")
        elif targets.account is not None:
            tgt.append(float(targets.account)), src.append("setting_account")
        elif (v := g_all_line.get(r.line, float("nan"))) == v:
            tgt.append(float(v)), src.append("line_recent")
        else:
            tgt.append(float("nan")), src.append("")
    g["target_cpa"], g["target_source"] = tgt, src
    g["line_cpa"] = g["line"].map(g_all_line).astype(float)
    g["target_bid"] = g["target_cpa"] * g["cvr_shrunk"]

    low, high = s.limit(platform)
    out = [_decide(r, s, low, high, scale) for r in g.itertuples()]
    for col in ("recommended_bid", "change_pct", "decision", "capped", "evidence", "extra_conversions", "money",
                "money_basis", "above_target"):
        g[col] = [o[col] for o in out]
    g["account"], g["platform"], g["bundles_from"] = account, platform, bundles_from
    zh, en = [], []
    for r in g.itertuples():
        z, e = _reason(r, s, low, high, currency, days)
        zh.append(z), en.append(e)
    g["reason_zh"], g["reason_en"] = zh, en
    order = g["decision"].map({d: i for i, d in enumerate(("lower", "raise", "position_goal", "keep_at_limit",
                                                             "keep_on_target", "keep_low_evidence", "keep_no_bid"))})
    # lowered keywords: the most overspend first (a far-over keyword whose first step saves
    # nothing yet is still the biggest problem), then the step's saving; raises by their gain
    over = g["above_target"].where(g["decision"] == "lower").fillna(-1.0)
    g = (g.assign(_o=order, _a=-over, _m=-g["money"].fillna(-1.0), _cost=-g["cost"])
         .sort_values(["_o", "_a", "_m", "_cost"], kind="stable").reset_index(drop=True))
    return g[BID_COLUMNS]


def _line_cpa(lines: pd.Series | None, perf: pd.DataFrame) -> dict[str, float]:
    """Each business line's CPA over the window: cost / conversions of the on-target
    keywords of its plans (a plan's line from ``lines``, else its keywords' line). The
    off-target keywords (``off_target`` = 1: tools, training, jobs …) are left out: their
    spend is waste the target should not absorb."""
    if perf is None or perf.empty:
        return {}
    if "off_target" in perf.columns:
        perf = perf.loc[pd.to_numeric(perf["off_target"], errors="coerce").fillna(0).to_numpy() == 0]
        if perf.empty:
            return {}
    p = perf[["campaign", "business_line", "cost", "conversions"]].copy()
    p["campaign"] = p["campaign"].astype(str)
    plan_line = p["campaign"].map(lines) if lines is not None and len(lines) else pd.Series(np.nan, index=p.index)
    p["line"] = plan_line.where(plan_line.notna(), p["business_line"]).fillna(UNKNOWN_LINE).astype(str)
    t = p.groupby("line")[["cost", "conversions"]].sum()
    cpa = t["cost"] / t["conversions"].where(t["conversions"] > 0)
    return {k: float(v) for k, v in cpa.items() if v == v}


def _cents_toward(value: float, current: float) -> float:
    """``value`` to the cent, rounded toward ``current`` (a capped move never passes its cap)."""
    cents = value * 100
    r = math.floor(cents + 1e-9) if value > current else math.ceil(cents - 1e-9)
    return r / 100


def _decide(r, s: BidSettings, low: float, high: float, scale: float) -> dict:
    out = {"recommended_bid": r.bid, "change_pct": 0.0 if r.bid == r.bid else float("nan"), "decision": "",
           "capped": False, "evidence": "", "extra_conversions": float("nan"), "money": float("nan"),
           "money_basis": "", "above_target": float("nan")}
    clicks30, cost30 = r.clicks * scale, r.cost * scale
    expected = clicks30 * r.cvr_shrunk * r.target_cpa  # the cost at target of the expected conversions
    if expected == expected:  # the keyword's cost above target now, 30 days
        out["above_target"] = round(max(cost30 - expected, 0.0), 2)
    wide = not (r.cvr_low > 0) or (r.cvr_high / r.cvr_low > s.max_interval_ratio)
    has_rank = (r.avg_position == r.avg_position) or (r.impression_share == r.impression_share)
    if not (r.bid == r.bid):
        out["decision"] = "keep_no_bid"
        return out
    if not (r.target_cpa == r.target_cpa):
        out.update(decision="keep_low_evidence", evidence="no_target")
        return out
    if r.clicks < s.min_clicks:
        out.update(decision="keep_low_evidence", evidence="few_clicks")
        return out
    if wide:
        out.update(decision="keep_low_evidence", evidence="wide_interval")
        return out
    if r.rank_driven and has_rank:
        out["decision"] = "position_goal"
        return out
    bid, want = float(r.bid), float(r.target_bid)
    if abs(want / bid - 1) < s.min_change:
        out["decision"] = "keep_on_target"
        return out
    stepped = min(max(want, bid * (1 - s.max_step)), bid * (1 + s.max_step))
    limited = min(max(stepped, low), high)
    rec = _cents_toward(limited, bid)
    capped = bool(abs(stepped - want) > 1e-9 or abs(limited - stepped) > 1e-9)
    if abs(rec - bid) < 0.005 or (want > bid and rec < bid) or (want < bid and rec > bid):
        out.update(decision="keep_at_limit", capped=True)
        return out
    ratio = rec / bid
    if rec > bid:
        extra = clicks30 * (ratio ** s.click_elasticity - 1) * r.cvr_shrunk
        value, basis = extra * r.target_cpa, "bid_gain"
    else:
        # the CPC paid is kept unless it is above the new bid: decided on the window's own
        # figures (those the reason quotes), so the words and the money cannot disagree
        value = 0.0
        if r.clicks > 0 and r.cost / r.clicks > rec:
            value = max(cost30 - expected, 0.0) - max(clicks30 * rec - expected, 0.0)
        value = round(max(value, 0.0), 2)
        extra, basis = 0.0, "bid_saving"
    out.update(recommended_bid=rec, change_pct=ratio - 1, decision="raise" if rec > bid else "lower",
               capped=capped, extra_conversions=extra, money=float(value), money_basis=basis)
    return out


# ---------------------------------------------------------------- reasons

_SOURCE = {
    "bundle_map": ("投放包“{bundle}”的目标", "the target of bundle {bundle}"),
    "setting_line": ("业务点目标（设置）", "the line's target (setting)"),
    "setting_account": ("账户目标（设置）", "the account's target (setting)"),
    "line_recent": ("业务点近 {days} 天实际转化成本", "the line's actual CPA over {days} days"),
}


def _reason(r, s: BidSettings, low: float, high: float, currency: str | None, days: int) -> tuple[str, str]:
    def m(v: float) -> str:
        return money_text(v, currency)

    step = f"{s.max_step:.0%}"
    if r.decision == "keep_no_bid":
        tail_zh = f"按目标可出价约 {m(r.target_bid)}。" if r.target_bid == r.target_bid else ""
        tail_en = f" At target it could bid about {m(r.target_bid)}." if r.target_bid == r.target_bid else ""
        return (f"报告里没有这个关键词自己的出价（或为 0 = 用单元出价），保持不变。{tail_zh}",
                f"The export gives no bid of the keyword's own (or 0 = the ad group's bid): kept.{tail_en}")
    if r.decision == "keep_low_evidence":
        if r.evidence == "no_target":
            name_zh, name_en = line_label(r.line, "zh"), line_label(r.line, "en")
            return (f"业务点“{name_zh}”近期没有转化，也没有设置目标转化成本：保持出价。请在页面上设置目标。",
                    f"Line {name_en} had no conversions and no target CPA is set: bid kept. Set a target on "
                    "the page.")
        if r.evidence == "few_clicks":
            return (f"近 {days} 天只有 {r.clicks:,.0f} 次点击（至少需要 {s.min_clicks:,.0f} 次）：证据太少，保持出价。",
                    f"Only {r.clicks:,.0f} clicks in {days} days ({s.min_clicks:,.0f} needed): too little "
                    "evidence, bid kept.")
        return (f"收缩后转化率的 {s.interval:.0%} 区间 {r.cvr_low:.1%}–{r.cvr_high:.1%} 太宽（高端超过低端的 "
                f"{s.max_interval_ratio:g} 倍）：证据太少，保持出价。",
                f"The shrunk CVR's {s.interval:.0%} interval {r.cvr_low:.1%}–{r.cvr_high:.1%} is too wide "
                f"(high end over {s.max_interval_ratio:g}× the low end): too little evidence, bid kept.")
    src_zh, src_en = _SOURCE[r.target_source]
    src_zh, src_en = src_zh.format(bundle=r.bundle, days=days), src_en.format(bundle=r.bundle, days=days)
    cvr_zh = (f"转化率 {r.cvr_shrunk:.2%}（自身 {r.conversions:,.0f}/{r.clicks:,.0f} 次点击，已向单元和业务点收缩）"
              f" × 目标转化成本 {m(r.target_cpa)}（{src_zh}）= 可出价 {m(r.target_bid)}")
    cvr_en = (f"CVR {r.cvr_shrunk:.2%} ({r.conversions:,.0f} in {r.clicks:,.0f} clicks, shrunk toward its ad group "
              f"and line) × target CPA {m(r.target_cpa)} ({src_en}) = a bid of {m(r.target_bid)}")
    if r.decision == "position_goal":
        now_zh, now_en = [], []
        if r.avg_position == r.avg_position:
            now_zh.append(f"平均排名 {r.avg_position:.1f}")
            now_en.append(f"avg. position {r.avg_position:.1f}")
        if r.impression_share == r.impression_share:
            now_zh.append(f"展现份额 {r.impression_share:.0%}")
            now_en.append(f"impression share {r.impression_share:.0%}")
        return (f"重点抢排名的关键词（{'、'.join(now_zh)}）：目标排名前 {s.position_goal:g} 或展现份额 ≥ {s.share_goal:.0%}。"
                f"每步提价不超过 {step}，出价不超过 {m(r.target_bid)}（{cvr_zh}）。",
                f"A rank-driven keyword ({'; '.join(now_en)}): aim for position {s.position_goal:g} or better or "
                f"impression share ≥ {s.share_goal:.0%}, raising at most {step} a step and never above "
                f"{m(r.target_bid)} ({cvr_en}).")
    if r.decision == "keep_on_target":
        return (f"{cvr_zh}，与当前出价 {m(r.bid)} 相差不到 {s.min_change:.0%}：保持。",
                f"{cvr_en}, within {s.min_change:.0%} of the current {m(r.bid)}: kept.")
    if r.decision == "keep_at_limit":
        limit = high if r.target_bid > r.bid else low
        return (f"{cvr_zh}；但当前出价 {m(r.bid)} 已到平台出价界限 {m(limit)}：保持。",
                f"{cvr_en}; but the current {m(r.bid)} is at the platform's limit of {m(limit)}: kept.")
    cap_zh = f"（每步最多 {step}）" if r.capped else ""
    cap_en = f" (at most {step} a step)" if r.capped else ""
    if r.decision == "raise":
        return (f"{cvr_zh}：出价 {m(r.bid)} → {m(r.recommended_bid)}{cap_zh}。按点击弹性 {s.click_elasticity:g} 估算，"
                f"每 {s.days} 天多 {r.extra_conversions:.1f} 次转化，按目标转化成本计价值 {m(r.money)}。",
                f"{cvr_en}: bid {m(r.bid)} → {m(r.recommended_bid)}{cap_en}. At a click elasticity of "
                f"{s.click_elasticity:g}, {r.extra_conversions:.1f} more conversions per {s.days} days, worth "
                f"{m(r.money)} at the target CPA.")
    paid = r.cost / r.clicks if r.clicks > 0 else 0.0
    over = r.above_target if r.above_target == r.above_target else 0.0
    over_zh = f"它现在每 {s.days} 天超出目标 {m(over)}。" if over > 0 else ""
    over_en = f" It spends {m(over)} above target per {s.days} days now." if over > 0 else ""
    steps_zh = steps_en = ""
    if r.capped and 0 < r.target_bid < r.recommended_bid and 0 < s.max_step < 1:
        n = math.ceil(math.log(r.target_bid / r.bid) / math.log(1 - s.max_step) - 1e-9)
        steps_zh = f"降到可出价 {m(r.target_bid)} 需要约 {n} 步（每步最多 {step}），"
        steps_en = f" Reaching the target bid of {m(r.target_bid)} takes about {n} steps of at most {step}."
    if paid > r.recommended_bid and r.money > 0:
        return (f"{cvr_zh}：出价 {m(r.bid)} → {m(r.recommended_bid)}{cap_zh}。每次点击实付 {m(paid)} 高于新出价；"
                f"假设点击量不变、实付降到新出价，每 {s.days} 天少花超出目标的 {m(r.money)}。{over_zh}",
                f"{cvr_en}: bid {m(r.bid)} → {m(r.recommended_bid)}{cap_en}. The CPC paid, {m(paid)}, is above the "
                f"new bid; with clicks unchanged and the CPC down to the new bid, {m(r.money)} less spent above target "
                f"per {s.days} days.{over_en}")
    if over > 0:
        return (f"{cvr_zh}：出价 {m(r.bid)} → {m(r.recommended_bid)}{cap_zh}。{steps_zh}每次点击实付 {m(paid)}，"
                f"已低于新出价 {m(r.recommended_bid)}：实付价由其他出价者决定，这一步本身还不省钱（不计节省）；"
                f"降价让点击价格上涨时花费不超过目标。{over_zh}",
                f"{cvr_en}: bid {m(r.bid)} → {m(r.recommended_bid)}{cap_en}.{steps_en} The CPC paid, {m(paid)}, is "
                f"already below the new bid of {m(r.recommended_bid)} (the other bidders set it), so this step alone "
                f"saves nothing yet and no saving is counted: the lower bid keeps a rising auction price from spending "
                f"above target.{over_en}")
    return (f"{cvr_zh}：出价 {m(r.bid)} → {m(r.recommended_bid)}{cap_zh}。它目前没有超出目标的花费，不计节省；"
            "降价是为了让出价不高于可出价。",
            f"{cvr_en}: bid {m(r.bid)} → {m(r.recommended_bid)}{cap_en}. It spends nothing above target now, so "
            "no saving is counted: the bid comes down to what the target allows.")


def line_targets(bids: pd.DataFrame, targets: BidTargets = BidTargets()) -> pd.DataFrame:
    """The business lines of the manual-CPC keywords, for setting their targets: line,
    keywords (how many), line_cpa (the line's CPA over the window), target (the user's
    setting for the line, NaN when none), in the order of most keywords first."""
    cols = ["line", "keywords", "line_cpa", "target"]
    if bids.empty:
        return pd.DataFrame(columns=cols)
    g = bids.groupby("line", sort=False).agg(keywords=("keyword", "size"), line_cpa=("line_cpa", "first"))
    g = g.reset_index().sort_values(["keywords", "line"], ascending=[False, True], kind="stable", ignore_index=True)
    g["target"] = [targets.line(x) if targets.line(x) is not None else float("nan") for x in g["line"]]
    return g[cols]


def tally(bids: pd.DataFrame) -> dict[str, float | int]:
    """The figures of the page's tiles, the workbook's summary lines and ``bids --json``:
    keywords to raise, lower and keep (every keep decision) and with a position goal;
    per 30 days the expected saving (lowering), the gain (raising: more conversions for
    more spend — never added to the saving) and ``above_target``, what the lowered
    keywords spend above target now (the overspend the cuts work off, step by step)."""
    d = bids["decision"] if len(bids) else pd.Series(dtype=object)
    mon = bids["money"] if len(bids) else pd.Series(dtype=float)
    saving = float(mon[d == "lower"].sum()) if len(bids) else 0.0
    gain = float(mon[d == "raise"].sum()) if len(bids) else 0.0
    over = float(bids.loc[d == "lower", "above_target"].sum()) if len(bids) else 0.0
    return {"keywords": int(len(bids)), "raise": int((d == "raise").sum()), "lower": int((d == "lower").sum()),
            "keep": int(d.str.startswith("keep").sum()) if len(bids) else 0,
            "position_goal": int((d == "position_goal").sum()), "saving": round(saving, 2), "gain": round(gain, 2),
            "above_target": round(over, 2)}


__all__ = ["BID_COLUMNS", "DECISIONS", "PLATFORM_LIMITS", "TARGET_SOURCES", "BidSettings", "BidTargets",
           "line_targets", "recommend_bids", "tally", "targets_setting_key"]
