"""Ad copy per unit: message cues against the unit's decision stage, look-alike copy,
and which ad wins.

Inputs: an account's canonical rows (its ``ad`` rows hold the copy; :mod:`optimizer.reading.schema`)
and its labelled keywords (:func:`optimizer.keywords.stages.keyword_performance`), and the
classifier whose lexicon names the business lines. Output: an :class:`AdCopyReport` of
three tables, codes and numbers only (the pages, the workbook and the command line word
them through :mod:`optimizer.i18n`):

- ``ads``: one row per ad (plan, unit, headline, description summed over the report's
  days) with its cues and CTR / CVR with 95 % Wilson intervals;
- ``units``: one row per unit that has ads: its stage and line (from its keywords), whether
  it is urgent, how many ads, and the CTR and CVR tests between its ads;
- ``findings``: one row per problem (:data:`FINDING_CODES`).

Rules (each a finding):

- a unit's stage (the most frequent stage of its on-target keywords; ties by the
  classifier's precedence phone > price > company > consult > core) expects cues
  (``[expect]`` of the cue lexicon: phone words → phone, price words → price, company words
  → trust); when *no* ad of the unit carries one: ``phone_missing`` / ``price_missing`` /
  ``trust_missing``;
- an urgent unit (at least :data:`URGENT_SHARE` of its keywords carry urgency: 附近, 24小时,
  上门, 急, "near me", "emergency") whose ads never say how fast: ``speed_missing``;
- a unit whose ads never name its business line (none of the line's lexicon words, e.g. 换锁 /
  锁芯 for 换锁): ``line_missing``;
- two ads in units of different stages or lines whose copy is nearly the same
  (:data:`SIMILAR` or more on rapidfuzz's ``fuzz.ratio``, the normalised Indel similarity of
  the characters, over headline + descriptions with punctuation, spaces and wildcard braces
  removed): ``lookalike``. Ads of the two scope twins of one stage and line (核心词-通用 /
  核心词-地域) may share copy and are not compared.

A unit whose keywords are not in the account's keyword report has no stage: it gets no
stage, urgency or line finding (its ``stage`` is ``""``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.adcopy.cues import GROUPS, CueLexicon, fold, load
from optimizer.keywords.lexicon import STAGE_PRECEDENCE
from optimizer.keywords.stages import UNKNOWN_LINE, Classifier, language_of
from optimizer.reading.schema import text

#: Similarity (0–100, rapidfuzz ``fuzz.ratio``) from which two ads count as the same copy.
#: Two ads that differ only by a place name, a number or a word or two out of a 40–60
#: character ad differ by under 15 % of their characters; the bundled sample's ads written
#: for different stages or lines from one template each stay at or below 77 (Chinese 69,
#: English 77: ``tests/test_adcopy.py`` checks), so 85 leaves room on both sides.
SIMILAR = 85.0
#: Share of a unit's keywords with an urgency cue from which the unit counts as urgent.
URGENT_SHARE = 0.25
#: Two-sided level of the tests between a unit's ads.
ALPHA = 0.05
#: Smallest expected count in every cell of a unit's contingency table for its test
#: (the chi-square approximation's usual rule); below it the verdict is ``not_enough_data``.
MIN_EXPECTED = 5.0

FINDING_CODES = ("phone_missing", "price_missing", "trust_missing", "speed_missing", "line_missing", "lookalike")
_MISSING = {"phone": "phone_missing", "price": "price_missing", "trust": "trust_missing", "speed": "speed_missing"}

AD_COLUMNS = ("campaign", "ad_group", "ad", "headline", "description", "final_url", "language",
              "impressions", "clicks", "cost", "conversions", "ctr", "ctr_low", "ctr_high",
              "cvr", "cvr_low", "cvr_high", "cues", *GROUPS)
UNIT_COLUMNS = ("campaign", "ad_group", "business_line", "stage", "urgent", "urgency_share", "keywords", "ads",
                "cues", "ctr_verdict", "ctr_p", "ctr_best", "cvr_verdict", "cvr_p", "cvr_best")
FINDING_COLUMNS = ("code", "campaign", "ad_group", "stage", "business_line", "ads", "cue",
                   "other_campaign", "other_ad_group", "other_stage", "other_business_line", "similarity",
                   "headline", "other_headline")
_SUMS = ("impressions", "clicks", "cost", "conversions")


@dataclass(frozen=True)
class AdCopyReport:
    """What :func:`analyse` found (see the module doc for the columns)."""

    ads: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=AD_COLUMNS))
    units: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=UNIT_COLUMNS))
    findings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FINDING_COLUMNS))

    @property
    def empty(self) -> bool:
        return self.ads.empty


# ---------------------------------------------------------------- ads

def ad_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The ``ad`` rows of a canonical table."""
    if rows is None or rows.empty:
        return pd.DataFrame(columns=rows.columns if rows is not None else [])
    return rows.loc[(text(rows["report_type"]) == "ad").to_numpy(bool) & rows["ad_headline"].notna().to_numpy(bool)]


def wilson(successes: np.ndarray, trials: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95 % Wilson score interval of ``successes / trials`` (NaN where trials is 0)."""
    from statsmodels.stats.proportion import proportion_confint
    s = np.asarray(successes, float)
    n = np.asarray(trials, float)
    low, high = np.full(len(s), np.nan), np.full(len(s), np.nan)
    ok = n > 0
    if ok.any():
        lo, hi = proportion_confint(np.minimum(s[ok], n[ok]), n[ok], alpha=ALPHA, method="wilson")
        rate = np.minimum(s[ok], n[ok]) / n[ok]
        low[ok], high[ok] = np.minimum(lo, rate), np.maximum(hi, rate)   # no rounding residue outside
    return low, high


def ads_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per ad (:data:`AD_COLUMNS`): the ad rows summed per plan, unit, headline and
    description; ``ad`` numbers the unit's ads 1, 2, … by impressions (most first);
    ``cues`` lists the groups found (``phone:电话; speed:上门``) and each group is a 0/1 column."""
    a = ad_rows(rows)
    if a.empty:
        return pd.DataFrame(columns=AD_COLUMNS)
    keys = ["campaign", "ad_group", "ad_headline", "ad_description"]
    frame = pd.DataFrame({k: text(a[k]).to_numpy() for k in keys})
    for c in _SUMS:
        frame[c] = a[c].to_numpy(float)
    frame["final_url"] = text(a["final_url"]).to_numpy()
    g = frame.groupby(keys, sort=True).agg(
        impressions=("impressions", lambda s: s.sum(min_count=1)), clicks=("clicks", lambda s: s.sum(min_count=1)),
        cost=("cost", lambda s: s.sum(min_count=1)), conversions=("conversions", lambda s: s.sum(min_count=1)),
        final_url=("final_url", "last")).reset_index()
    g = g.rename(columns={"ad_headline": "headline", "ad_description": "description"})
    g = g.sort_values(["campaign", "ad_group", "impressions", "headline", "description"],
                      ascending=[True, True, False, True, True], kind="stable").reset_index(drop=True)
    g["ad"] = g.groupby(["campaign", "ad_group"], sort=False).cumcount() + 1
    g["language"] = [language_of(f"{h} {d}") for h, d in zip(g["headline"], g["description"])]
    found = [load(lang).found(f"{h}\n{d}") for lang, h, d in zip(g["language"], g["headline"], g["description"])]
    g["cues"] = ["; ".join(f"{k}:{v}" for k, v in sorted(f.items(), key=lambda kv: GROUPS.index(kv[0])))
                 for f in found]
    for grp in GROUPS:
        g[grp] = np.array([int(grp in f) for f in found], dtype="int8")
    imp, clk, conv = (g[c].fillna(0).to_numpy(float) for c in ("impressions", "clicks", "conversions"))
    with np.errstate(divide="ignore", invalid="ignore"):
        g["ctr"] = np.where(imp > 0, clk / np.where(imp > 0, imp, 1), np.nan)
        g["cvr"] = np.where(clk > 0, conv / np.where(clk > 0, clk, 1), np.nan)
    g["ctr_low"], g["ctr_high"] = wilson(clk, imp)
    g["cvr_low"], g["cvr_high"] = wilson(conv, clk)
    return g[list(AD_COLUMNS)]


# ---------------------------------------------------------------- units

_PRECEDENCE = {s: i for i, s in enumerate(STAGE_PRECEDENCE)}


def _unit_labels(keywords: pd.DataFrame) -> pd.DataFrame:
    """Per (campaign, ad_group) of the labelled keywords: stage, business line, urgency share, keywords."""
    cols = ["campaign", "ad_group", "business_line", "stage", "urgency_share", "keywords"]
    if keywords is None or keywords.empty:
        return pd.DataFrame(columns=cols)
    k = keywords[["campaign", "ad_group", "keyword", "business_line", "stage", "urgency", "off_target"]].copy()
    k = k.drop_duplicates(["campaign", "ad_group", "keyword"])
    recs = []
    for (camp, unit), u in k.groupby(["campaign", "ad_group"], sort=True):
        on = u.loc[u["off_target"] == 0]
        on = on if len(on) else u
        counts = on["stage"].value_counts()
        top = counts.max()
        stage = min((s for s in counts.index if counts[s] == top), key=lambda s: _PRECEDENCE.get(s, 99))
        lines = on.loc[on["business_line"] != UNKNOWN_LINE, "business_line"].value_counts()
        line = str(lines.index[0]) if len(lines) else UNKNOWN_LINE
        recs.append({"campaign": camp, "ad_group": unit, "business_line": line, "stage": str(stage),
                     "urgency_share": float(u["urgency"].mean()), "keywords": int(len(u))})
    return pd.DataFrame(recs, columns=cols)


def _test(successes: np.ndarray, trials: np.ndarray) -> tuple[str, float, int]:
    """(verdict, p, best ad index) of the ads of one unit: ``single_ad``, ``not_enough_data``
    (an expected cell count under :data:`MIN_EXPECTED`, or no trials), ``winner`` (chi-square
    test of homogeneity p < :data:`ALPHA`; best = highest rate) or ``no_difference``."""
    if len(trials) < 2:
        return "single_ad", float("nan"), -1
    s, n = np.asarray(successes, float), np.asarray(trials, float)
    s = np.minimum(np.nan_to_num(s), np.nan_to_num(n))
    n = np.nan_to_num(n)
    if n.sum() <= 0 or s.sum() <= 0:
        return "not_enough_data", float("nan"), -1
    table = np.column_stack([s, n - s])
    keep = n > 0
    table = table[keep]
    if len(table) < 2:
        return "not_enough_data", float("nan"), -1
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    if (expected < MIN_EXPECTED).any():
        return "not_enough_data", float("nan"), -1
    from scipy.stats import chi2_contingency
    p = float(chi2_contingency(table, correction=False)[1])
    rate = np.where(n > 0, s / np.where(n > 0, n, 1), -1)
    best = int(np.argmax(rate))
    return ("winner" if p < ALPHA else "no_difference"), p, best


def _line_words(clf: Classifier, line: str, language: str) -> tuple[str, ...]:
    lex = clf.lexicon(language)
    words = tuple(lex.lines.get(line, ()))
    return words + ((line,) if language == "zh" else ())


def _names_line(text_: str, words: tuple[str, ...], language: str) -> bool:
    t = fold(text_)
    if language == "zh":
        t = t.replace(" ", "")
        return any(fold(w).replace(" ", "") in t for w in words)
    t = " " + " ".join(re.findall(r"[a-z0-9]+", t.replace("'", ""))) + " "
    return any(" " + " ".join(re.findall(r"[a-z0-9]+", fold(w))) + " " in t for w in words)


def _similar_text(headline: str, description: str) -> str:
    t = fold(f"{headline} {description}")
    t = re.sub(r"[{}]", "", t)
    t = re.sub(r"[\W_]+", " ", t).strip()
    return t.replace(" ", "") if language_of(t) == "zh" else t


def lookalike_pairs(ads: pd.DataFrame, units: pd.DataFrame, threshold: float = SIMILAR) -> pd.DataFrame:
    """Pairs of ads of units that differ in stage or business line with similarity ≥ ``threshold``:
    columns ``i``, ``j`` (rows of ``ads``, i < j) and ``similarity``."""
    from rapidfuzz import fuzz
    from rapidfuzz.process import cdist
    if ads.empty:
        return pd.DataFrame(columns=["i", "j", "similarity"])
    lab = units.set_index(["campaign", "ad_group"])[["stage", "business_line"]]
    key = list(zip(ads["campaign"], ads["ad_group"]))
    stage = np.array([lab.at[k, "stage"] if k in lab.index else "" for k in key], dtype=object)
    line = np.array([lab.at[k, "business_line"] if k in lab.index else "" for k in key], dtype=object)
    texts = [_similar_text(h, d) for h, d in zip(ads["headline"], ads["description"])]
    unit_id = pd.factorize(pd.Series([f"{c}\x00{u}" for c, u in key]))[0]
    recs = []
    step = 500
    for start in range(0, len(texts), step):
        block = cdist(texts[start:start + step], texts, scorer=fuzz.ratio, score_cutoff=threshold, dtype=np.float32)
        for bi, j in zip(*np.nonzero(block)):
            i = start + int(bi)
            j = int(j)
            if j <= i or unit_id[i] == unit_id[j] or not stage[i] or not stage[j]:
                continue
            if stage[i] == stage[j] and line[i] == line[j]:
                continue
            recs.append((i, j, round(float(block[bi, j]), 1)))
    return pd.DataFrame(recs, columns=["i", "j", "similarity"])


def analyse(rows: pd.DataFrame, keywords: pd.DataFrame, clf: Classifier,
            threshold: float = SIMILAR) -> AdCopyReport:
    """The account's ad copy against its units' stages (see the module doc)."""
    ads = ads_table(rows)
    if ads.empty:
        return AdCopyReport()
    labels = _unit_labels(keywords)
    per_unit = ads.groupby(["campaign", "ad_group"], sort=True)
    recs = []
    findings = []
    for (camp, unit), u in per_unit:
        lab = labels.loc[(labels["campaign"] == camp) & (labels["ad_group"] == unit)]
        stage = str(lab["stage"].iloc[0]) if len(lab) else ""
        line = str(lab["business_line"].iloc[0]) if len(lab) else ""
        share = float(lab["urgency_share"].iloc[0]) if len(lab) else float("nan")
        urgent = bool(len(lab) and share >= URGENT_SHARE)
        present = [g for g in GROUPS if u[g].any()]
        ctr = _test(u["clicks"].to_numpy(float), u["impressions"].to_numpy(float))
        cvr = _test(u["conversions"].to_numpy(float), u["clicks"].to_numpy(float))
        recs.append({"campaign": camp, "ad_group": unit, "business_line": line, "stage": stage, "urgent": urgent,
                     "urgency_share": share, "keywords": int(lab["keywords"].iloc[0]) if len(lab) else 0,
                     "ads": int(len(u)), "cues": ", ".join(present),
                     "ctr_verdict": ctr[0], "ctr_p": ctr[1], "ctr_best": int(u["ad"].iloc[ctr[2]]) if ctr[2] >= 0 else 0,
                     "cvr_verdict": cvr[0], "cvr_p": cvr[1], "cvr_best": int(u["ad"].iloc[cvr[2]]) if cvr[2] >= 0 else 0})
        if not stage:
            continue
        language = u["language"].iloc[0]
        lex: CueLexicon = load(language)
        base = {"campaign": camp, "ad_group": unit, "stage": stage, "business_line": line, "ads": int(len(u)),
                "headline": u["headline"].iloc[0]}
        wanted = list(lex.expect.get(stage, ())) + (list(lex.expect.get("urgent", ())) if urgent else [])
        for grp in dict.fromkeys(wanted):
            if grp not in present:
                findings.append({**base, "code": _MISSING.get(grp, f"{grp}_missing"), "cue": grp})
        if line and line != UNKNOWN_LINE:
            words = _line_words(clf, line, language)
            if words and not any(_names_line(f"{h}\n{d}", words, language)
                                 for h, d in zip(u["headline"], u["description"])):
                findings.append({**base, "code": "line_missing", "cue": ""})
    units = pd.DataFrame(recs, columns=UNIT_COLUMNS)
    for _, p in lookalike_pairs(ads, units, threshold).iterrows():
        a, b = ads.iloc[int(p["i"])], ads.iloc[int(p["j"])]
        ua = units.loc[(units["campaign"] == a["campaign"]) & (units["ad_group"] == a["ad_group"])].iloc[0]
        ub = units.loc[(units["campaign"] == b["campaign"]) & (units["ad_group"] == b["ad_group"])].iloc[0]
        findings.append({"code": "lookalike", "campaign": a["campaign"], "ad_group": a["ad_group"],
                         "stage": ua["stage"], "business_line": ua["business_line"], "ads": int(ua["ads"]), "cue": "",
                         "other_campaign": b["campaign"], "other_ad_group": b["ad_group"],
                         "other_stage": ub["stage"], "other_business_line": ub["business_line"],
                         "similarity": float(p["similarity"]), "headline": a["headline"],
                         "other_headline": b["headline"]})
    out = pd.DataFrame(findings, columns=FINDING_COLUMNS)
    if not out.empty:
        out["_o"] = out["code"].map({c: i for i, c in enumerate(FINDING_CODES)})
        out = out.sort_values(["_o", "campaign", "ad_group", "other_campaign", "other_ad_group"],
                              kind="stable").drop(columns="_o").reset_index(drop=True)
    return AdCopyReport(ads, units, out)
