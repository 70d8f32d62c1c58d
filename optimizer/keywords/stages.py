"""Which business line and decision stage a keyword or search term belongs to.

Optimizers split an account by business line (业务点: 开锁, 换锁, 指纹锁 …) and by the
searcher's decision stage, because the words reveal it and each stage deserves its
own ad copy (../shared/domain.md):

- core 核心词 — the service itself (开锁, 上门开锁, "locksmith"); a plain situation
  with no question (钥匙锁屋里了, "locked out of house") is core too;
- phone 电话词 — looking for a number (开锁电话, "locksmith phone number");
- company 公司词 — looking for a business (开锁公司, 开锁店, "locksmith shop");
- price 询价词 — comparing prices (开锁多少钱, "locksmith cost");
- consult 咨询词 — still asking (开锁需要什么证件, 指纹锁哪个牌子好, a how/why question);
- none — off target: DIY (教程, 视频, 自己, "how to pick a lock"), tools, training and
  jobs, products the service does not sell. These are negative-keyword candidates.

Precedence when several stage cues appear: phone > price > company > consult > core
(开锁公司电话 is phone). Urgency (附近, 24小时, 上门, 急, "near me", "emergency") is a
flag of its own, set even on off-target keywords.

Business line: the line named first wins (开锁换锁公司 → 开锁), the longer cue at the
same position (汽车开锁 over 开锁), except where the lexicon says one line wins over
another wherever it stands (指纹锁维修 → 指纹锁, not 修锁). A keyword naming no line
gets the vertical's main line (开锁, 居民搬家, 保洁, 管道疏通) or ``unknown``.

How words are found (Chinese has no spaces): every cue of the lexicon
(:mod:`optimizer.keywords.lexicon`) is found in one pass with an Aho-Corasick automaton
(pyahocorasick). A one-character cue (学, 店, 急, 吗) or one listed as ``whole_word``
counts only where jieba's segmentation — with the lexicon's words added to its
dictionary — puts a word boundary on both of its sides: 学开锁 segments as 学|开锁 and
is training, 北京大学附近开锁 keeps 北京大学 whole and is not. A stage or off-target cue
lying inside a longer matched cue does not count (公司搬家 is the office-moving line,
not a company word; 指纹锁会不会被破解 asks a question, 被破解, rather than seeking a bypass). English is matched on whole words after folding case and
punctuation. Each distinct keyword is classified once.
"""
from __future__ import annotations

import hashlib

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick
import numpy as np
import pandas as pd

from optimizer.keywords.lexicon import (ALL_VERTICALS, GENERIC, STAGE_PRECEDENCE, Lexicon, LexiconEdits, SavedVertical, catalog,
                      detectable_verticals, known_verticals, load, vertical_family)

#: Columns of :meth:`Classifier.classify` (and of ``python -m optimizer classify``).
OUTPUT_COLUMNS = ("keyword", "vertical", "business_line", "stage", "urgency", "off_target", "cues")
UNKNOWN_LINE = "unknown"

_CJK = re.compile(r"[\u3400-\u9fff]")
_MATCH_PUNCT = str.maketrans({"[": " ", "]": " ", '"': " ", "+": " "})
_RANK = {s: i for i, s in enumerate(reversed(STAGE_PRECEDENCE), start=1)}  # consult 1 … phone 4


def language_of(text: str) -> str:
    """``zh`` when the text holds a Chinese character, else ``en``."""
    return "zh" if _CJK.search(text) else "en"


def main_language(texts) -> str:
    """The language most of ``texts`` (an account's keywords) are in: ``zh`` on a tie or none."""
    langs = [language_of(str(t)) for t in texts]
    return "en" if langs.count("en") > langs.count("zh") else "zh"


def _fold_zh(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_MATCH_PUNCT).lower().replace(" ", "")


def _fold_en(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).lower().replace("'", "")
    return " " + " ".join(re.findall(r"[a-z0-9]+", t)) + " "


@dataclass(frozen=True)
class _Cue:
    kind: str      # "line", "stage", "urgency", "off"
    value: str     # line name, stage, "urgency", off-target kind
    text: str      # the cue as matched (folded)
    boundary: bool  # must sit on jieba word boundaries


class _Matcher:
    """All cues of one lexicon in one automaton, and the rules that resolve them."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self.zh = lex.language == "zh"
        fold = _fold_zh if self.zh else (lambda c: _fold_en(c))
        entries: list[tuple[str, str, str]] = []
        for name, cues in lex.lines.items():
            entries += [("line", name, c) for c in cues]
        for stage, cues in lex.stages.items():
            entries += [("stage", stage, c) for c in cues]
        entries += [("urgency", "urgency", c) for c in lex.urgency]
        for kind, cues in lex.off_target.items():
            entries += [("off", kind, c) for c in cues]
        self.automaton = ahocorasick.Automaton()
        by_key: dict[str, list[_Cue]] = {}
        for kind, value, cue in entries:
            key = fold(cue)
            if not key.strip():
                continue
            boundary = self.zh and (len(key) == 1 or cue in lex.whole_word)
            by_key.setdefault(key, []).append(_Cue(kind, value, key.strip(), boundary))
        for key, cues in by_key.items():
            self.automaton.add_word(key, (len(key), tuple(cues)))
        if by_key:
            self.automaton.make_automaton()
        self.prefer = {(w, l) for w, l in lex.prefer}
        self._jieba = None
        self._user_words = [fold(c) for _, _, c in entries if len(fold(c)) >= 2] if self.zh else []

    def _segmenter(self):
        if self._jieba is None:
            import jieba
            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            for w in self._user_words:
                tk.add_word(w, freq=100000)
            self._jieba = tk
        return self._jieba

    def _boundaries(self, text: str) -> set[int]:
        pos, out = 0, {0}
        for tok in self._segmenter().cut(text, HMM=False):
            pos += len(tok)
            out.add(pos)
        return out

    def classify(self, raw: str) -> tuple[str, str, int, int, str]:
        """(business_line, stage, urgency, off_target, cues) of one keyword."""
        text = _fold_zh(raw) if self.zh else _fold_en(raw)
        hits: list[tuple[int, int, _Cue]] = []
        bounds: set[int] | None = None
        if len(self.automaton):
            for end, (length, cues) in self.automaton.iter(text):
                start, stop = end - length + 1, end + 1
                for cue in cues:
                    if cue.boundary:
                        if bounds is None:
                            bounds = self._boundaries(text)
                        if start not in bounds or stop not in bounds:
                            continue
                    hits.append((start, stop, cue))
        # leftmost-longest: a cue lying inside a longer matched cue does not count
        # (公司 inside the line cue 公司搬家; 破解 inside the question 被破解)
        if len(hits) > 1:
            kept = []
            for hit in hits:
                s, e = hit[0], hit[1]
                for hs, he, _ in hits:
                    if hs <= s and e <= he and (he - hs) > (e - s):
                        break
                else:
                    kept.append(hit)
            hits = kept
        line_hits = [(s, e, c) for s, e, c in hits if c.kind == "line"]
        others = [(s, e, c) for s, e, c in hits if c.kind != "line"]
        line = self.lex.main_line or UNKNOWN_LINE
        chosen = None
        if line_hits:
            chosen = min(line_hits, key=lambda h: (h[0], -(h[1] - h[0])))
            line = chosen[2].value
            named = {c.value for _, _, c in line_hits}
            for winner, loser in self.prefer:
                if line == loser and winner in named:
                    line = winner
                    chosen = next(h for h in line_hits if h[2].value == winner)
        off = sorted({c.value for _, _, c in others if c.kind == "off"})
        urgent = any(c.kind == "urgency" for _, _, c in others)
        stage = "core"
        best = 0
        for _, _, c in others:
            if c.kind == "stage" and _RANK[c.value] > best:
                best, stage = _RANK[c.value], c.value
        if off:
            stage = "none"
        cue_text = []
        if chosen is not None:
            cue_text.append(f"line:{chosen[2].text}")
        cue_text += [f"{c.value}:{c.text}" for _, _, c in sorted(others, key=lambda h: h[0])
                     if c.kind == "stage"]
        cue_text += [f"urgency:{c.text}" for _, _, c in others if c.kind == "urgency"]
        cue_text += [f"off-{c.value}:{c.text}" for _, _, c in others if c.kind == "off"]
        return line, stage, int(urgent), int(bool(off)), "; ".join(dict.fromkeys(cue_text))


class Classifier:
    """Classifies keywords of one vertical, Chinese and English, with optional user edits.

    >>> c = Classifier("locksmith")
    >>> c.classify(["开锁公司电话", "学开锁", "北京大学附近开锁"])[["business_line", "stage", "off_target"]].values.tolist()
    [['开锁', 'phone', 0], ['开锁', 'none', 1], ['开锁', 'core', 0]]
    """

    def __init__(self, vertical: str, edits: dict[str, LexiconEdits] | None = None,
                 account: dict[str, LexiconEdits] | None = None, saved: SavedVertical | None = None) -> None:
        if vertical not in ALL_VERTICALS:  # a saved vertical: bound to its files as they are now
            saved = saved if saved is not None and saved.code == vertical else catalog().get(vertical)
            if saved is None:
                raise ValueError(f"unknown vertical {vertical!r}; known: {', '.join(known_verticals())}")
        self.vertical = vertical
        #: the saved vertical's definition (None for a built-in one)
        self.saved = saved if vertical not in ALL_VERTICALS else None
        self.edits = edits or {}
        #: what the account itself says (:func:`optimizer.keywords.trade.account_edits`: its own lines in
        #: generic mode, the off-target cues it sells); applied before the user's ``edits``
        self.account = account or {}
        self._matchers: dict[str, _Matcher] = {}
        self._memo: dict[str, tuple[str, str, int, int, str]] = {}
        self._fingerprint: str | None = None

    @property
    def fingerprint(self) -> str:
        """What decides this classifier's labels, as a key: the vertical, the saved
        vertical's revision, what the account says and the user's edits (the kept
        analyses made with it are found by it, :mod:`optimizer.analysis.account`)."""
        if self._fingerprint is None:
            def edits(d: dict) -> list:
                return [(lang, d[lang].to_json()) for lang in sorted(d)]
            text = repr((self.vertical, self.saved.revision if self.saved is not None else "",
                         edits(self.account), edits(self.edits)))
            self._fingerprint = hashlib.sha256(text.encode()).hexdigest()
        return self._fingerprint

    def lexicon(self, language: str) -> Lexicon:
        lex = load(self.vertical, language, self.saved)
        if language in self.account:
            lex = lex.with_edits(self.account[language])
        return lex.with_edits(self.edits[language]) if language in self.edits else lex

    def _matcher(self, language: str) -> _Matcher:
        if language not in self._matchers:
            self._matchers[language] = _Matcher(self.lexicon(language))
        return self._matchers[language]

    def plan_line(self, campaign: str, keyword: str) -> str | None:
        """The line a keyword of ``campaign`` that names none gets from its campaign (what
        the account's structure says: :attr:`LexiconEdits.plan_lines`), if that line is
        still one of the lexicon's (the user may have dropped it; a line the user renamed
        is given by its new name)."""
        language = language_of(keyword)
        own = self.account.get(language)
        line = own.plan_lines.get(campaign) if own is not None else None
        user = self.edits.get(language)
        if line is not None and user is not None:  # the user may have renamed it since
            line = user.renamed_lines.get(line, line)
        return line if line is not None and line in self._matcher(language).lex.lines else None

    #: Keywords remembered per classifier (labels are pure functions of the keyword and
    #: the lexicon, so a page rerun or a second table over the same keywords is a lookup).
    MEMO_SIZE = 500_000

    def classify_one(self, keyword: str) -> tuple[str, str, int, int, str]:
        hit = self._memo.get(keyword)
        if hit is None:
            hit = self._matcher(language_of(keyword)).classify(keyword)
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo.clear()
            self._memo[keyword] = hit
        return hit

    def classify(self, keywords) -> pd.DataFrame:
        """One row per input keyword, in input order, with :data:`OUTPUT_COLUMNS`.

        ``urgency`` and ``off_target`` are 0/1; ``cues`` lists what matched
        (``line:开锁; phone:电话; urgency:24小时``). Nulls become empty keywords.
        """
        s = keywords if isinstance(keywords, pd.Series) else pd.Series(list(keywords), dtype=object)
        s = s.reset_index(drop=True)
        codes, uniques = pd.factorize(s, use_na_sentinel=False)
        results = [self.classify_one(k if isinstance(k, str) else "") for k in uniques]
        cols = list(zip(*results)) if results else [(), (), (), (), ()]
        u = pd.DataFrame({"business_line": cols[0], "stage": cols[1], "urgency": cols[2],
                          "off_target": cols[3], "cues": cols[4]})
        out = u.iloc[codes].reset_index(drop=True) if len(s) else u.iloc[:0]
        out.insert(0, "vertical", self.vertical)
        out.insert(0, "keyword", s.fillna("").astype(str).to_numpy() if s.dtype == object else s.fillna("").to_numpy())
        out["urgency"] = out["urgency"].astype("int8")
        out["off_target"] = out["off_target"].astype("int8")
        return out[list(OUTPUT_COLUMNS)]


def classifier(vertical: str) -> Classifier:
    """A shared classifier of a vertical with its own lexicons (no edits): a bundled one,
    or a saved one as the current :func:`optimizer.keywords.lexicon.catalog` has it."""
    return _shared(vertical, None if vertical in ALL_VERTICALS else catalog().get(vertical))


@lru_cache(maxsize=16)
def _shared(vertical: str, saved: SavedVertical | None) -> Classifier:
    return Classifier(vertical, saved=saved)


#: a built-in (or saved) vertical is chosen only when at least this share of the account's distinct
#: keywords names one of its business lines, at least :data:`DETECT_MIN_KEYWORDS` of them,
#: and at least :data:`DETECT_MARGIN` times as many as any other vertical (a saved variant
#: of a built-in vertical is not weighed against it: the built-in one wins a tie); otherwise
#: the account is ``generic``. Measured: the sample's locksmith accounts name a line in 66–100 %
#: of their keywords, real towing, florist, telematics and health accounts in 0–6 %.
DETECT_MIN_SHARE = 0.25
DETECT_MIN_KEYWORDS = 3
DETECT_MARGIN = 2.0


@dataclass(frozen=True)
class Detection:
    """How :func:`vertical_evidence` chose: ``vertical`` (a built-in one or ``generic``),
    ``keywords`` (distinct keywords looked at), ``hits`` (vertical -> keywords naming one
    of its lines), ``share`` of the chosen (or best) vertical, and ``examples`` (up to 5
    keywords that named one of its lines)."""

    vertical: str
    keywords: int
    hits: dict[str, int]
    best: str
    share: float
    examples: tuple[str, ...]

    #: the strongest vertical of another family than ``best`` (what the margin is measured against)
    runner_up: str = ""

    def reason(self, lang: str = "zh") -> str:
        """One sentence: the evidence, or why no vertical fits."""
        pct = f"{self.share:.0%}"
        ex = "、".join(self.examples[:3]) if lang == "zh" else ", ".join(self.examples[:3])
        if self.vertical != GENERIC:
            return (f"{self.keywords} 个关键词中 {self.hits[self.best]} 个（{pct}）含有该行业的业务词，如 {ex}"
                    if lang == "zh" else
                    f"{self.hits[self.best]} of {self.keywords} keywords ({pct}) name one of its business "
                    f"lines, e.g. {ex}")
        head = ("没有匹配的行业词库：按通用规则分组，业务点取自账户结构" if lang == "zh" else
                "No built-in trade lexicon fits: keywords are grouped by the generic rules, business lines "
                "from the account's structure")
        n = self.hits.get(self.best, 0)
        if self.share >= DETECT_MIN_SHARE and n < DETECT_MIN_KEYWORDS:
            return head + (f"（最接近的行业只有 {n} 个关键词含有它的业务词，至少要 {DETECT_MIN_KEYWORDS} 个）" if lang == "zh"
                           else f" (only {n} keywords name a line of the closest trade; {DETECT_MIN_KEYWORDS} "
                                "are needed)")
        if self.share >= DETECT_MIN_SHARE and self.runner_up:
            from optimizer.keywords.lexicon import vertical_name
            a, b = vertical_name(self.best, lang), vertical_name(self.runner_up, lang)
            return head + (f"（{a}与{b}的业务词覆盖的关键词相差不到 {DETECT_MARGIN:g} 倍）" if lang == "zh" else
                           f" ({a} and {b} name lines of nearly as many keywords: less than "
                           f"{DETECT_MARGIN:g} times as many)")
        return head + (f"（最接近的行业只覆盖 {pct} 的关键词，至少要 {DETECT_MIN_SHARE:.0%}）" if lang == "zh" else
                       f" (the closest trade covers {pct} of the keywords; {DETECT_MIN_SHARE:.0%} are needed)")


def vertical_evidence(keywords, sample: int = 5000) -> Detection:
    """Which built-in or saved vertical the keywords belong to, with the evidence — or ``generic``
    when none is clearly supported (:data:`DETECT_MIN_SHARE`, :data:`DETECT_MARGIN`).
    Looks at up to ``sample`` distinct keywords."""
    uniq = pd.unique(pd.Series(keywords, dtype=object).dropna().astype(str))[:sample]
    hits: dict[str, int] = {}
    examples: dict[str, list[str]] = {}
    candidates = detectable_verticals()  # the built-in ones, then the saved ones (optimizer.keywords.verticals)
    for v in candidates:
        matchers = {lang: classifier(v)._matcher(lang) for lang in ("zh", "en")}
        n, ex = 0, []
        for k in uniq:
            m = matchers[language_of(k)]
            text = _fold_zh(k) if m.zh else _fold_en(k)
            if any(c.kind == "line" for _, (_, cues) in m.automaton.iter(text) for c in cues):
                n += 1
                if len(ex) < 5:
                    ex.append(k)
        hits[v], examples[v] = n, ex
    ranked = sorted(candidates, key=lambda v: (-hits[v], v != "locksmith"))
    best = ranked[0]
    second = next(v for v in ranked if vertical_family(v) != vertical_family(best))
    share = hits[best] / len(uniq) if len(uniq) else 0.0
    clear = (share >= DETECT_MIN_SHARE and hits[best] >= DETECT_MIN_KEYWORDS
             and hits[best] >= DETECT_MARGIN * hits[second])
    return Detection(best if clear else GENERIC, len(uniq), hits, best, share, tuple(examples[best]), second)


def detect_vertical(keywords, sample: int = 5000) -> str:
    """The vertical of :func:`vertical_evidence` (``generic`` when none fits clearly)."""
    return vertical_evidence(keywords, sample).vertical


def _account_keywords(rows: pd.DataFrame):
    cols = [rows[c] for c in ("keyword", "search_term") if c in rows.columns]
    return pd.concat(cols).dropna().unique() if cols else []


def account_vertical(rows: pd.DataFrame) -> str:
    """The vertical of one account's rows (:func:`detect_vertical`): from its keywords,
    then its search terms — the one detection of the pages, ``analyze`` and the other
    commands."""
    return detect_vertical(_account_keywords(rows))


def account_evidence(rows: pd.DataFrame) -> Detection:
    """:func:`vertical_evidence` over one account's keywords and search terms."""
    return vertical_evidence(_account_keywords(rows))


def classify(keywords, vertical: str = "auto", edits: dict[str, LexiconEdits] | None = None) -> pd.DataFrame:
    """Classify keywords (``vertical="auto"`` detects it from the keywords themselves)."""
    if vertical == "auto":
        vertical = detect_vertical(keywords)
    c = Classifier(vertical, edits) if edits else classifier(vertical)
    return c.classify(keywords)


__all__ = ["Classifier", "Detection", "OUTPUT_COLUMNS", "account_evidence",
           "account_vertical", "classify", "classifier", "detect_vertical", "language_of", "main_language", "vertical_evidence"]


# ---------------------------------------------------------------- performance by stage

LABEL_COLUMNS = ("business_line", "stage", "urgency", "off_target", "cues")
_SUMS = ["impressions", "clicks", "cost", "conversions"]


def label_keywords(clf: Classifier, texts: pd.Series, campaigns: pd.Series) -> pd.DataFrame:
    """:meth:`Classifier.classify` of ``texts``, a keyword that names no line given its
    campaign's line (what the account's structure says, :meth:`Classifier.plan_line`;
    its cues then start with ``plan:<campaign>``). Every table that labels an account's
    keywords — the keywords', the search terms', the landing pages' — labels them here,
    so a keyword has one line everywhere."""
    labels = clf.classify(texts)
    if any(e.plan_lines for e in clf.account.values()):  # a keyword naming no line: its plan's line
        unknown = np.flatnonzero((labels["business_line"] == UNKNOWN_LINE).to_numpy(bool))
        for i in unknown:
            line = clf.plan_line(str(campaigns.iat[i]), str(texts.iat[i]))
            if line is not None:
                labels.iat[i, labels.columns.get_loc("business_line")] = line
                cues = labels["cues"].iat[i]
                labels.iat[i, labels.columns.get_loc("cues")] = f"plan:{campaigns.iat[i]}" + (
                    f"; {cues}" if cues else "")
    return labels


def keyword_performance(table: pd.DataFrame, clf: Classifier, field: str = "keyword") -> pd.DataFrame:
    """Totals per keyword (``field="keyword"``, from keyword reports) or per search term
    (``field="search_term"``, from search-term reports), with their labels.

    Columns: campaign, ad_group, <field>, (keyword for search terms), impressions,
    clicks, cost, conversions, business_line, stage, urgency, off_target, cues.
    """
    rtype = "keyword" if field == "keyword" else "search_term"
    rows = table.loc[(table["report_type"] == rtype).to_numpy(bool) & table[field].notna().to_numpy(bool)]
    keys = ["campaign", "ad_group", field] + (["keyword"] if field == "search_term" else [])
    cols = keys + _SUMS + list(LABEL_COLUMNS)
    if rows.empty:
        return pd.DataFrame(columns=cols)
    g = rows.groupby(keys, sort=False, observed=True, dropna=False)[_SUMS].sum(min_count=1).reset_index()
    for k in keys:
        g[k] = g[k].astype("str").fillna("")
    labels = label_keywords(clf, g[field], g["campaign"])
    for c in LABEL_COLUMNS:
        g[c] = labels[c].to_numpy()
    return g[cols]


def filter_keywords(perf: pd.DataFrame, stages=None, lines=None, urgency: int | None = None,
                    off_target: int | None = None) -> pd.DataFrame:
    """The rows of :func:`keyword_performance` with the given stages and lines (None or
    empty: all) and urgency / off-target flag (None: either)."""
    keep = pd.Series(True, index=perf.index)
    if stages:
        keep &= perf["stage"].isin(list(stages))
    if lines:
        keep &= perf["business_line"].isin(list(lines))
    if urgency is not None:
        keep &= perf["urgency"] == urgency
    if off_target is not None:
        keep &= perf["off_target"] == off_target
    return perf.loc[keep]


def stage_table(perf: pd.DataFrame, alpha: float = 0.05, by: tuple[str, ...] = ("stage", "business_line")
                ) -> pd.DataFrame:
    """Performance by decision stage × business line (or by the columns in ``by``).

    Columns: the ``by`` columns, keywords, impressions, clicks, cost, conversions,
    ctr, cvr, cvr_low, cvr_high, cpa, cost_share.

    CVR interval: Wilson score interval (statsmodels ``proportion_confint``) at level
    1 − ``alpha``, assuming each click converts independently with one probability
    per group. Platforms may count several conversions for one click; conversions
    are capped at clicks for the interval (the point CVR is not capped). Ratios are
    NaN where their denominator is zero; sums are NaN where the report gives no
    figure for any of the group's keywords (a report without conversions).
    """
    from statsmodels.stats.proportion import proportion_confint

    cols = [*by, "keywords", *_SUMS, "ctr", "cvr", "cvr_low", "cvr_high", "cpa", "cost_share"]
    if perf.empty:
        return pd.DataFrame(columns=cols)
    grouped = perf.groupby(list(by), sort=False)
    # a figure the report does not give stays blank (not 0 conversions, 0% CVR)
    g = grouped[list(_SUMS)].sum(min_count=1)
    g.insert(0, "keywords", grouped.size())
    g = g.reset_index()
    clicks = g["clicks"].where(g["clicks"] > 0)
    g["ctr"] = g["clicks"] / g["impressions"].where(g["impressions"] > 0)
    g["cvr"] = g["conversions"] / clicks
    ok = (g["clicks"] > 0) & g["conversions"].notna()
    low, high = proportion_confint(g.loc[ok, "conversions"].clip(upper=g.loc[ok, "clicks"]).round(),
                                   g.loc[ok, "clicks"], alpha=alpha, method="wilson")
    g["cvr_low"], g["cvr_high"] = float("nan"), float("nan")
    g.loc[ok, "cvr_low"], g.loc[ok, "cvr_high"] = low, high
    g["cpa"] = g["cost"] / g["conversions"].where(g["conversions"] > 0)
    total = g["cost"].sum()
    g["cost_share"] = g["cost"] / total if total else float("nan")
    order = {s: i for i, s in enumerate(("core", "phone", "company", "price", "consult", "none"))}
    sort = ["stage", "cost"] if "stage" in by else ["cost"]
    g = g.sort_values(sort, key=lambda s: s.map(order) if s.name == "stage" else -s)
    return g.reset_index(drop=True)[cols]


NEGATIVE_COLUMNS = ["search_term", "cost", "clicks", "impressions", "conversions", "reason", "keywords", "campaigns",
                    "negative_match"]
_TERM_COLUMNS = NEGATIVE_COLUMNS[:-1]


def off_target_reasons(cues: pd.Series) -> str:
    """The off-target cues (``off-<kind>:<cue>``) of several rows' ``cues``, each once."""
    return "; ".join(dict.fromkeys(c for x in cues for c in x.split("; ") if c.startswith("off-")))


def _off_target_terms(search_perf: pd.DataFrame) -> pd.DataFrame:
    off = search_perf.loc[search_perf["off_target"] == 1] if len(search_perf) else search_perf
    if off.empty:
        return pd.DataFrame(columns=_TERM_COLUMNS)
    g = off.groupby("search_term", sort=False).agg(
        cost=("cost", "sum"), clicks=("clicks", "sum"), impressions=("impressions", "sum"),
        conversions=("conversions", "sum"),
        reason=("cues", off_target_reasons),
        keywords=("keyword", lambda s: ", ".join(dict.fromkeys(s))),
        campaigns=("campaign", lambda s: ", ".join(dict.fromkeys(s)))).reset_index()
    return g.sort_values(["cost", "clicks"], ascending=False, ignore_index=True)[_TERM_COLUMNS]


def _conflicts(terms: pd.DataFrame, keyword_perf: pd.DataFrame | None) -> pd.Series:
    """Per off-target term: '' when it is safe to negate, else why not — ``converted`` (the
    term itself converted in the window) or ``blocks:<keyword>`` (a keyword of the account
    that converted contains it — its words in order — so negating the term would switch
    that keyword off)."""
    converting: list[str] = []
    if keyword_perf is not None and len(keyword_perf):
        conv = keyword_perf.groupby("keyword", sort=False)["conversions"].sum()
        converting = conv.loc[conv > 0].index.astype(str).tolist()
    # every converting keyword folded once, one per line: a term is looked for in one string
    folded = {"zh": [_fold_zh(k) for k in converting], "en": [_fold_en(k) for k in converting]}
    joined = {lang: "\n".join(v) for lang, v in folded.items()}
    starts = {lang: np.cumsum([0] + [len(x) + 1 for x in v]) for lang, v in folded.items()}
    out = []
    for term, conversions in zip(terms["search_term"], terms["conversions"]):
        if conversions == conversions and conversions > 0:
            out.append("converted")
            continue
        lang = language_of(str(term))
        needle = _fold_zh(str(term)) if lang == "zh" else _fold_en(str(term))
        pos = joined[lang].find(needle) if needle.strip() else -1
        if pos < 0:
            out.append("")
            continue
        i = int(np.searchsorted(starts[lang], pos, side="right")) - 1
        out.append(f"blocks:{converting[i]}")
    return pd.Series(out, index=terms.index, dtype=object)


def negative_keywords(search_perf: pd.DataFrame, keyword_perf: pd.DataFrame | None = None) -> pd.DataFrame:
    """Off-target search terms ranked by the money they cost: negative-keyword candidates.

    Columns: search_term, cost, clicks, impressions, conversions, reason (the
    off-target cues), keywords (that triggered it), campaigns, negative_match (``exact``:
    add the term as an exact negative; ``pause_keyword``: the term is one of the
    account's own keywords — a negative would only fight the advertiser's own bid, so
    the keyword itself is to be paused). Summed over plans and units. A term that converted in the window, or that would block a keyword of the
    account that converted (``keyword_perf``: :func:`keyword_performance` of the
    keywords), is never offered: :func:`negative_conflicts` lists those.
    """
    terms = _off_target_terms(search_perf)
    if terms.empty:
        return pd.DataFrame(columns=NEGATIVE_COLUMNS)
    out = terms.loc[(_conflicts(terms, keyword_perf) == "").to_numpy(bool)].reset_index(drop=True)
    own = set()
    for frame, col in ((keyword_perf, "keyword"), (search_perf, "keyword")):
        if frame is not None and col in frame.columns:
            own.update(_fold_any(k) for k in frame[col].dropna().astype(str).unique())
    out["negative_match"] = ["pause_keyword" if _fold_any(t) in own else "exact" for t in out["search_term"].astype(str)]
    return out[NEGATIVE_COLUMNS]


def _fold_any(text: str) -> str:
    return _fold_zh(text) if language_of(text) == "zh" else _fold_en(text)


def negative_conflicts(search_perf: pd.DataFrame, keyword_perf: pd.DataFrame | None = None) -> pd.DataFrame:
    """The off-target search terms held back from the negative list, and why: the columns
    of :func:`negative_keywords` plus ``conflict`` (``converted``) and ``blocked_keyword``
    (the converting keyword a negative would switch off)."""
    terms = _off_target_terms(search_perf)
    cols = [*_TERM_COLUMNS, "conflict", "blocked_keyword"]
    if terms.empty:
        return pd.DataFrame(columns=cols)
    why = _conflicts(terms, keyword_perf)
    out = terms.loc[(why != "").to_numpy(bool)].copy()
    w = why.loc[out.index]
    out["conflict"] = [x.split(":", 1)[0] for x in w]
    out["blocked_keyword"] = [x.split(":", 1)[1] if ":" in x else "" for x in w]
    return out.reset_index(drop=True)[cols]


def structure_fixes(perf: pd.DataFrame, min_keywords: int = 3, majority: float = 0.6) -> pd.DataFrame:
    """Keywords whose business line or stage differs from the rest of their unit.

    A unit (plan + unit) with at least ``min_keywords`` on-target keywords has a
    dominant line and a dominant stage when at least ``majority`` of them share it;
    a keyword that differs is listed (a price word living in a core-word unit).
    Off-target keywords are left to the negative-keyword list.

    Columns: campaign, ad_group, keyword, business_line, stage, unit_line,
    unit_stage, issue (``line`` or ``stage``), cost, conversions.
    """
    cols = ["campaign", "ad_group", "keyword", "business_line", "stage", "unit_line", "unit_stage", "issue",
            "cost", "conversions"]
    on = perf.loc[perf["off_target"] == 0] if len(perf) else perf
    if on.empty:
        return pd.DataFrame(columns=cols)
    out = []
    for (camp, unit), g in on.groupby(["campaign", "ad_group"], sort=False):
        if len(g) < min_keywords:
            continue
        for attr, issue in (("business_line", "line"), ("stage", "stage")):
            share = g[attr].value_counts(normalize=True)
            if share.iloc[0] < majority:
                continue
            dominant = share.index[0]
            odd = g.loc[g[attr] != dominant]
            for _, r in odd.iterrows():
                out.append({"campaign": camp, "ad_group": unit, "keyword": r["keyword"],
                            "business_line": r["business_line"], "stage": r["stage"],
                            "unit_line": g["business_line"].mode().iloc[0], "unit_stage": g["stage"].mode().iloc[0],
                            "issue": issue, "cost": r["cost"], "conversions": r["conversions"]})
    if not out:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(out).sort_values("cost", ascending=False, ignore_index=True)[cols]
