"""What an account itself says it sells.

A lexicon knows a trade's words; an account knows its own business better. Two things
are read from an account's rows and applied as an overlay on its vertical's lexicon
(:class:`~optimizer.keywords.lexicon.LexiconEdits`, before the optimizer's own edits):

- **Off target is relative to the account.** An off-target cue that appears in the
  account's own campaign or ad-group names, or in one of its top converting keywords
  (:func:`top_converting`), names what
  the account sells: "training" is waste for a locksmith and the product of a CPR
  school; "classes" in a campaign called "CPR Classes - Austin" is not off target for it.
  Such cues are removed from the account's off-target lists.
- **Business lines of a trade without a lexicon** (the ``generic`` vertical) come from the
  account's structure: the words its keywords share. A word qualifies as a line when at
  least :data:`LINE_MIN_SHARE` of the keywords (and :data:`LINE_MIN_KEYWORDS`) contain it
  and it is no stage, urgency or off-target cue nor a filler word; lines are picked
  greedily by the spend of the keywords they cover, at most :data:`MAX_LINES`, each
  named by its word, the word's own campaign or ad-group name when one names it ("CPR
  Classes" for the word "cpr" when its keywords sit in that campaign). Campaign names
  that say nothing ("Campaign #1", "Group Keywords", "Control") name nothing: the
  keywords' head words then name the lines. Chinese keywords are cut into words by
  jieba. Keywords naming no line get ``unknown``.
"""
from __future__ import annotations

import logging
import re
from collections import Counter

import pandas as pd

from optimizer.keywords.lexicon import GENERIC, LANGUAGES, Lexicon, LexiconEdits, load
from optimizer.keywords.stages import Classifier, account_vertical, language_of

#: a head word is a line when it appears in this share of the account's distinct
#: keywords (and in at least LINE_MIN_KEYWORDS of them)
LINE_MIN_SHARE = 0.05
LINE_MIN_KEYWORDS = 3
MAX_LINES = 8
#: a campaign or ad group names a line's word when this share of the line's keywords sit in
#: it and its name holds the word
NAME_MIN_SHARE = 0.5

#: words that never make or name a business line (structure fillers, match types, generic nouns)
FILLER = frozenset("""
a an and the of for in on at to with by from my me your our near best top local service services
campaign campaigns search group groups adgroup ad ads keyword keywords control test tests brand
branded generic general new old copy display pmax performance max dsa all other misc default
exact phrase broad bmm match type types rlsa remarketing mobile desktop tablet us usa uk ca
计划 单元 推广 通用 其他 测试 默认 关键词 品牌 服务 附近 专业 本地
""".split())

_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _tokens(text: str, language: str) -> list[str]:
    if language == "en":
        return [w for w in _EN_WORD.findall(text.lower()) if len(w) > 1 and not w.isdigit()]
    import jieba
    jieba.setLogLevel(logging.WARNING)
    return [w for w in jieba.lcut(text, HMM=True) if len(w) >= 2 and re.search(r"[\u4e00-\u9fff]", w)]


def _cue_words(lex: Lexicon) -> set[str]:
    """Every word of the lexicon's stage, urgency and off-target cues (never a line)."""
    words: set[str] = set()
    for cues in (*lex.stages.values(), lex.urgency, *lex.off_target.values()):
        for c in cues:
            words.update(_tokens(c, lex.language) if lex.language == "en" else [c.lower()])
    return words


def _keyword_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Distinct keywords (search terms when there are none) with their campaign, ad group,
    cost and conversions."""
    for field, rtype in (("keyword", "keyword"), ("search_term", "search_term")):
        r = rows.loc[(rows["report_type"] == rtype).to_numpy(bool) & rows[field].notna().to_numpy(bool)]
        if len(r):
            f = pd.DataFrame({"text": r[field].astype(str).to_numpy(),
                              "campaign": r["campaign"].astype(object).to_numpy(),
                              "ad_group": r["ad_group"].astype(object).to_numpy(),
                              "cost": r["cost"].fillna(0).to_numpy(float),
                              "conversions": r["conversions"].fillna(0).to_numpy(float)})
            return f.groupby(["text", "campaign", "ad_group"], dropna=False, sort=False)[
                ["cost", "conversions"]].sum().reset_index()
    return pd.DataFrame(columns=["text", "campaign", "ad_group", "cost", "conversions"])


def structure_lines(rows: pd.DataFrame, language: str) -> dict[str, tuple[str, ...]]:
    """Business lines of an account in generic mode: line name -> cues (see the module
    docstring). Empty when the account has no keywords of ``language``."""
    kw = _keyword_frame(rows)
    if kw.empty:
        return {}
    kw = kw.loc[[language_of(t) == language for t in kw["text"]]]
    if kw.empty:
        return {}
    lex = load(GENERIC, language)
    skip = _cue_words(lex) | FILLER
    texts = kw.groupby("text", sort=False).agg(cost=("cost", "sum")).reset_index()
    toks = {t: set(_tokens(t, language)) - skip for t in texts["text"]}
    df = Counter(w for ws in toks.values() for w in ws)
    n = len(texts)
    floor = max(LINE_MIN_KEYWORDS, LINE_MIN_SHARE * n)
    candidates = {w for w, c in df.items() if c >= floor}
    weight = dict(zip(texts["text"], texts["cost"].clip(lower=0) + 1e-9))
    covered: set[str] = set()
    lines: dict[str, tuple[str, ...]] = {}
    while candidates and len(lines) < MAX_LINES:
        gain = {w: sum(weight[t] for t, ws in toks.items() if w in ws and t not in covered) for w in candidates}
        w = max(sorted(gain), key=gain.get)
        if gain[w] <= 0:
            break
        mine = [t for t, ws in toks.items() if w in ws and t not in covered]
        if len(mine) < LINE_MIN_KEYWORDS:
            candidates.discard(w)
            continue
        lines[_line_name(w, mine, kw, language)] = (w,)
        covered.update(mine)
        candidates.discard(w)
    return lines


def _line_name(word: str, texts: list[str], kw: pd.DataFrame, language: str) -> str:
    """The campaign or ad-group name that holds ``word`` and most of its keywords, else the word."""
    sub = kw.loc[kw["text"].isin(texts)]
    for level in ("campaign", "ad_group"):
        names = sub[level].dropna().astype(str)
        if names.empty:
            continue
        top, count = Counter(names).most_common(1)[0]
        informative = set(_tokens(top, language)) - FILLER
        if count >= NAME_MIN_SHARE * len(names) and word in informative:
            return _clean_name(top)
    return word


def _clean_name(name: str) -> str:
    """A campaign name as a line name: without its filler parts ("CPR Classes - Search - Austin"
    keeps "CPR Classes - Austin")."""
    parts = [p.strip() for p in re.split(r"\s[-|/–]\s|_|\|", name) if p.strip()]
    kept = [p for p in parts if set(_EN_WORD.findall(p.lower())) - FILLER or re.search(r"[\u4e00-\u9fff]", p)]
    return " - ".join(kept) or name.strip()


#: the converting keywords that say what an account sells: its top :data:`TOP_CONVERTING` by
#: conversions, each with at least :data:`MIN_OWN_CONVERSIONS` (one chance conversion of 开锁视频
#: does not make DIY videos the product)
TOP_CONVERTING = 20
MIN_OWN_CONVERSIONS = 2


def top_converting(rows: pd.DataFrame, field: str = "keyword") -> list[str]:
    """The account's top converting keywords (or search terms): :data:`TOP_CONVERTING` at
    most, by conversions summed over the rows, each with at least :data:`MIN_OWN_CONVERSIONS`."""
    r = rows.loc[(rows["report_type"] == field).to_numpy(bool) & rows[field].notna().to_numpy(bool)]
    if r.empty:
        return []
    conv = r.groupby(r[field].astype(str), sort=False)["conversions"].sum()
    conv = conv.loc[conv >= MIN_OWN_CONVERSIONS].sort_values(ascending=False, kind="stable")
    return conv.index[:TOP_CONVERTING].tolist()


def own_off_target(rows: pd.DataFrame, vertical: str, language: str) -> dict[str, list[str]]:
    """The off-target cues of ``vertical``'s lexicon that the account's own campaign and
    ad-group names or its converting keywords contain: kind -> cues (as the lexicon writes
    them), to be taken off its off-target lists."""
    texts = set()
    for col in ("campaign", "ad_group"):
        texts.update(str(x) for x in rows[col].dropna().unique())
    texts.update(top_converting(rows))
    texts = [t for t in texts if language_of(t) == language]
    if not texts:
        return {}
    labels = Classifier(vertical).classify(texts)
    found: dict[str, set[str]] = {}
    for cues in labels.loc[labels["off_target"] == 1, "cues"]:
        for part in cues.split("; "):
            if part.startswith("off-"):
                kind, _, cue = part[4:].partition(":")
                found.setdefault(kind, set()).add(cue)
    lex = load(vertical, language)
    fold = (lambda c: c.lower().replace(" ", "")) if language == "zh" else (
        lambda c: " ".join(_EN_WORD.findall(c.lower().replace("'", ""))))
    out = {}
    for kind, hits in found.items():
        folded = {fold(h) for h in hits}
        mine = [c for c in lex.off_target.get(kind, ()) if fold(c) in folded]
        if mine:
            out[kind] = mine
    return out


def account_edits(rows: pd.DataFrame, vertical: str) -> dict[str, LexiconEdits]:
    """The overlay of what the account says, per language (see the module docstring)."""
    out = {}
    for language in LANGUAGES:
        removed = {f"off:{k}": v for k, v in own_off_target(rows, vertical, language).items()}
        added, new_lines = {}, []
        if vertical == GENERIC:
            for name, cues in structure_lines(rows, language).items():
                added[f"line:{name}"] = list(cues)
                new_lines.append(name)
        if removed or added:
            out[language] = LexiconEdits(added, removed, new_lines, [])
    return out


def account_classifier(rows: pd.DataFrame, vertical: str = "auto",
                       edits: dict[str, LexiconEdits] | None = None) -> Classifier:
    """The classifier of one account: its vertical (detected when ``auto``), what the
    account itself says (:func:`optimizer.keywords.trade.account_edits`: business lines from its
    structure in generic mode; off-target cues it sells are not off target for it) and
    the user's ``edits`` on top."""
    if vertical == "auto":
        vertical = account_vertical(rows)
    return Classifier(vertical, edits, account_edits(rows, vertical))
