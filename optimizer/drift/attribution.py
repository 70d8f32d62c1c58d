"""Why a figure moved: the change of an aggregate CPA, CPC, CVR or spend split into
*mix* (spend or clicks moving between the plans or keywords inside it) and *rate*
(the plans' or keywords' own figures changing), child by child, in money.

Public API: :func:`attribute`.

Method (a shift-share split with midpoint weights, so the parts add up exactly)
-------------------------------------------------------------------------------
Every aggregate here is a weighted mean of its children's figures:

* CPC  = Σ w_i · CPC_i, with w_i = the child's share of clicks;
* CVR  = Σ w_i · CVR_i, with w_i = the child's share of clicks;
* CPA  is not a weighted mean of the children's CPAs when a child has cost but no
  conversions, so it is handled through its inverse, the conversions per unit of
  money E = 1 / CPA = Σ s_i · E_i, with s_i = the child's share of cost and
  E_i = conversions_i / cost_i.

Between *before* (days before the change) and *after* (the change day on), with
Δ the after-minus-before difference and a bar the mean of the two periods,
``Δ aggregate = Σ_i Δw_i · x̄_i  +  Σ_i w̄_i · Δx_i`` exactly: the first sum is the
mix part, the second the rate part (the two-factor Shapley split). A child absent
from one period takes its figure from the other period (so it adds mix, no rate).

Money (the same definitions as ``optimizer.drift.scan.detect``'s money at stake, which
the parts add up to):

* CPA: extra cost = conversions after × (CPA1 − CPA0) = cost after × (−ΔE / E0);
  each child's part is cost after × (−ΔE_i / E0).
* CPC: extra cost = clicks after × ΔCPC; a child's part is clicks after × ΔCPC_i.
* CVR: extra cost of the after-period conversions at the old CVR = cost after ×
  (−ΔCVR / CVR0); a child's part is cost after × (−ΔCVR_i / CVR0).
* spend: the change of mean daily spend, Σ_i Δ(mean daily cost_i), times the days
  after; no mix (spend is a sum, not an average). The split into clicks and CPC is
  ``ln(S1/S0) = ln(clicks1/clicks0) + ln(CPC1/CPC0)`` on daily means.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

METRICS = ("cpa", "cpc", "cvr", "spend")
CHILD_COLUMNS = ["child", "cost_before", "cost_after", "clicks_before", "clicks_after", "conversions_before",
                 "conversions_after", "value_before", "value_after", "weight_before", "weight_after", "mix", "rate",
                 "money_mix", "money_rate", "money"]


def attribute(children: pd.DataFrame, start: object, metric: str) -> tuple[dict, pd.DataFrame]:
    """Split the change of ``metric`` at ``start`` over ``children``.

    ``children``: long daily frame with columns child, date, clicks, cost,
    conversions (the children must add up to the parent for the parts to add up to
    the parent's change). Returns (summary, per child):

    summary: metric, start, before, after (the aggregate), change (after / before −
    1), mix, rate (the parts of Δ aggregate, in the metric's unit — for CPA in
    conversions per unit of money, see the module docstring), mix_share,
    rate_share (of Δ; NaN when Δ is 0), money, money_mix, money_rate, and for
    spend share_clicks, share_cpc.

    per child: :data:`CHILD_COLUMNS` (value = the child's CPC / CVR / conversions per
    money / mean daily spend; weight its click / cost share), sorted by |money|,
    largest first.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    start = pd.Timestamp(start)
    d = children.assign(after=children["date"] >= start)
    n_days = d.groupby("after")["date"].nunique()
    days0, days1 = int(n_days.get(False, 0)), int(n_days.get(True, 0))
    g = d.groupby(["child", "after"])[["cost", "clicks", "conversions"]].sum(min_count=1).unstack("after")
    frame = pd.DataFrame(index=g.index)
    for col in ("cost", "clicks", "conversions"):
        for flag, suffix in ((False, "before"), (True, "after")):
            frame[f"{col}_{suffix}"] = g[col][flag] if (col, flag) in g.columns else np.nan
    frame = frame.fillna(0.0)
    c0, c1 = frame["cost_before"].to_numpy(float), frame["cost_after"].to_numpy(float)
    n0, n1 = frame["clicks_before"].to_numpy(float), frame["clicks_after"].to_numpy(float)
    v0, v1 = frame["conversions_before"].to_numpy(float), frame["conversions_after"].to_numpy(float)
    nan = math.nan
    summary: dict = {"metric": metric, "start": start}

    if metric == "spend":
        m0 = c0 / days0 if days0 else np.zeros_like(c0)
        m1 = c1 / days1 if days1 else np.zeros_like(c1)
        rate = m1 - m0
        mix = np.zeros_like(rate)
        w0 = c0 / c0.sum() if c0.sum() > 0 else np.zeros_like(c0)
        w1 = c1 / c1.sum() if c1.sum() > 0 else np.zeros_like(c1)
        x0, x1 = m0, m1
        money_mix, money_rate = mix * days1, rate * days1
        S0, S1 = m0.sum(), m1.sum()
        k0 = n0.sum() / days0 if days0 else nan
        k1 = n1.sum() / days1 if days1 else nan
        l_s = math.log(S1 / S0) if S0 > 0 and S1 > 0 else nan
        l_k = math.log(k1 / k0) if k0 and k1 and k0 > 0 and k1 > 0 else nan
        summary.update(before=S0, after=S1, share_clicks=l_k / l_s if l_s and np.isfinite(l_s) else nan)
        summary["share_cpc"] = 1 - summary["share_clicks"] if np.isfinite(summary["share_clicks"]) else nan
        scale = days1
    else:
        if metric == "cpa":
            w0, w1 = _shares(c0), _shares(c1)
            x0, x1 = _ratio(v0, c0), _ratio(v1, c1)
        else:
            w0, w1 = _shares(n0), _shares(n1)
            x0, x1 = (_ratio(c0, n0), _ratio(c1, n1)) if metric == "cpc" else (_ratio(v0, n0), _ratio(v1, n1))
        x0, x1 = np.where(np.isnan(x0), x1, x0), np.where(np.isnan(x1), x0, x1)
        x0, x1 = np.nan_to_num(x0), np.nan_to_num(x1)
        mix = (w1 - w0) * (x0 + x1) / 2
        rate = (w0 + w1) / 2 * (x1 - x0)
        A0, A1 = float((w0 * x0).sum()), float((w1 * x1).sum())
        if metric == "cpa":
            scale = -c1.sum() / A0 if A0 > 0 else nan
            summary.update(before=1 / A0 if A0 > 0 else nan, after=1 / A1 if A1 > 0 else nan)
        elif metric == "cpc":
            scale = n1.sum()
            summary.update(before=A0, after=A1)
        else:
            scale = -c1.sum() / A0 if A0 > 0 else nan
            summary.update(before=A0, after=A1)
        money_mix, money_rate = mix * scale, rate * scale
    total = float(mix.sum() + rate.sum())
    summary.update(change=summary["after"] / summary["before"] - 1 if summary["before"] else nan,
                   mix=float(mix.sum()), rate=float(rate.sum()),
                   mix_share=float(mix.sum()) / total if total else nan,
                   rate_share=float(rate.sum()) / total if total else nan,
                   money_mix=float(np.nansum(money_mix)), money_rate=float(np.nansum(money_rate)))
    summary["money"] = summary["money_mix"] + summary["money_rate"]
    out = frame.reset_index().assign(value_before=x0, value_after=x1, weight_before=w0, weight_after=w1, mix=mix,
                                     rate=rate, money_mix=money_mix, money_rate=money_rate)
    out["money"] = out["money_mix"] + out["money_rate"]
    out = out.assign(_m=-out["money"].abs()).sort_values("_m", kind="stable").drop(columns="_m")
    return summary, out[CHILD_COLUMNS].reset_index(drop=True)


def _shares(x: np.ndarray) -> np.ndarray:
    s = x.sum()
    return x / s if s > 0 else np.zeros_like(x)


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)
