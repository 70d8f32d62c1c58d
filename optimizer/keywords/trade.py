"""What an account itself says it sells.

A lexicon knows a trade's words; an account knows its own business better. Two things
are read from an account's rows and applied as an overlay on its vertical's lexicon
(:class:`~optimizer.keywords.lexicon.LexiconEdits`, before the optimizer's own edits):

- **Off target is relative to the account.** An off-target cue that appears in the
  account's own campaign or ad-group names, or in one of its top converting keywords or
  search terms (:func:`top_converting`), names what
  the account sells: "training" is waste for a locksmith and the product of a CPR
  school; "classes" in a campaign called "CPR Classes - Austin" is not off target for it.
  Such cues are removed from the account's off-target lists.
- **Business lines of a trade without a lexicon** (the ``generic`` vertical) are the account's
  own campaigns, as an optimizer reads them (:func:`structure_lines`):

  * each campaign whose name says something is a line, named by the name's first
    informative part: parts are split at `` - ``, ``|``, ``_`` (and at ``-`` next to a
    Chinese character); parts made only of filler words (:data:`FILLER`: Search, Exact,
    计划 …) are dropped, and so is a later part that is a place — a Chinese place name
    (jieba tags it ``ns``: 北京, 朝阳) or a part whose words fewer than half of the
    campaign's keywords contain ("Driving Lessons - Leeds" → "Driving Lessons",
    "种植牙-北京" → "种植牙"); campaigns with the same name are one line (the same service
    in two cities);
  * a brand campaign (its name holds "brand" or 品牌) is a line of its own, named by
    that part ("Brand", 品牌词);
  * a line's cues are the words distinctive of its keywords: at least
    :data:`CUE_MIN_SHARE` of the account's keywords holding the word sit in that line's
    campaigns, and it is in two of them or in the line's name (stage, urgency and
    off-target words, filler and place words never); English words match singular and
    plural (termite, termites);
  * a keyword of such a campaign that names no line by its words gets its campaign's
    line (``plan_lines`` of the account's edits; its cues say ``plan:<campaign>``), so
    补牙 and 拔智齿 in plan 洗牙补牙 are 洗牙补牙, not ``unknown``.

  Structure lines need two campaigns with informative names besides the brand one.
  Otherwise, and for the keywords of campaigns whose names say nothing ("Campaign #1",
  "Group Keywords", "Control", 计划1), lines are the head words the keywords share: a
  word qualifies when at least :data:`LINE_MIN_SHARE` of those keywords (and
  :data:`LINE_MIN_KEYWORDS`) contain it and it is no stage, urgency or off-target cue nor
  a filler word; they are picked greedily by the spend of the keywords they cover, at
  most :data:`MAX_LINES`, each named by its word, or by its campaign or ad-group name
  when most of its keywords sit there and the name holds the word. Chinese keywords are
  cut into words by jieba. Keywords naming no line get ``unknown``.
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
#: a word is a cue of a campaign's line when at least this share of the keywords holding it
#: sit in that line's campaigns (:data:`NAME_CUE_MIN_SHARE` for a word of the line's own name
#: that no other line's name holds)
CUE_MIN_SHARE = 0.8
NAME_CUE_MIN_SHARE = 0.75
#: a later part of a campaign name is kept only when at least this share of the campaign's
#: keywords hold one of its words (else it is a place or a label: "- Leeds", "- Healthcare")
PART_MIN_SHARE = 0.5

#: words that never make or name a business line (structure fillers, match types, generic nouns)
FILLER = frozenset("""
a an and the of for in on at to with by from my me your our near best top local service services
campaign campaigns search group groups adgroup ad ads keyword keywords control test tests brand
branded generic general new old copy display pmax performance max dsa all other misc default
exact phrase broad bmm match type types rlsa remarketing mobile desktop tablet us usa uk ca
计划 单元 推广 通用 其他 测试 默认 关键词 品牌 服务 附近 专业 本地 新建 词组
""".split())
#: what makes a campaign a brand campaign
BRAND_WORDS = ("brand", "品牌")

_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_NAME_SEP = re.compile(r"\s+[-|/–—]\s+|\s*[_|]\s*|(?<=[\u4e00-\u9fff])\s*[-–—/]\s*|\s*[-–—/]\s*(?=[\u4e00-\u9fff])")


def _tokens(text: str, language: str) -> list[str]:
    if language == "en":
        return [w for w in _EN_WORD.findall(text.lower()) if len(w) > 1 and not w.isdigit()]
    import jieba
    jieba.setLogLevel(logging.WARNING)
    return [w for w in jieba.lcut(text, HMM=True) if len(w) >= 2 and re.search(r"[\u4e00-\u9fff]", w)]


def _stem(word: str) -> str:
    """An English word without its plural ending (termites → termite, bushes → bush); Chinese as it is."""
    if not word.isascii() or len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1]


def _words(text: str, language: str) -> set[str]:
    """The words of a text as lines compare them: tokens, English ones without plural."""
    return {_stem(w) for w in _tokens(text, language)}


def _cue_words(lex: Lexicon) -> set[str]:
    """Every word of the lexicon's stage and urgency cues and its one-word off-target cues
    (never a line; "mouse" of the off-target "mouse trap" may well be one)."""
    words: set[str] = set()
    for cues in (*lex.stages.values(), lex.urgency):
        for c in cues:
            words.update(_tokens(c, lex.language) if lex.language == "en" else [c.lower()])
    for cues in lex.off_target.values():
        words.update(c.lower() for c in cues if lex.language != "en" or " " not in c.strip())
    return words


def _is_cue_word(word: str, cue_words: set[str], language: str) -> bool:
    if language == "en":
        return word in cue_words
    # 多少 of 多少钱, 怎么办 holding 怎么: a Chinese word inside a cue or holding one is no line word
    return any(word in c or (len(c) >= 2 and c in word) for c in cue_words)


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


def _is_place(part: str, language: str) -> bool:
    """A Chinese place name (jieba's part of speech ``ns``: 北京, 朝阳区, 望京)."""
    if not re.search(r"[\u4e00-\u9fff]", part):
        return False
    import jieba.posseg
    words = [w for w in jieba.posseg.lcut(part) if w.word.strip()]
    return bool(words) and all(w.flag == "ns" for w in words)


def campaign_line(name: str, keywords: list[str], language: str, skip: frozenset[str] = frozenset()) -> str | None:
    """The business line a campaign's name gives (see the module docstring), or None when the
    name says nothing. ``keywords``: the campaign's keywords (to tell a place from a line)."""
    if not isinstance(name, str) or not name.strip():
        return None
    parts = [p.strip() for p in _NAME_SEP.split(name) if p and p.strip()]
    sep = "-" if language == "zh" else " - "
    brand = [p for p in parts if any(b in p.lower() for b in BRAND_WORDS)]
    if brand:
        return brand[0]
    informative = [p for p in parts if _words(p, language) - FILLER - skip]
    if not informative:
        return None
    kw_words = [_words(k, language) for k in keywords]
    kept = [informative[0]]
    for p in informative[1:]:
        if _is_place(p, language):
            continue
        mine = _words(p, language) - FILLER
        share = sum(1 for w in kw_words if w & mine) / len(kw_words) if kw_words else 0.0
        if share >= PART_MIN_SHARE:
            kept.append(p)
    return sep.join(kept)


#: English plurals no rule makes, and words that have none
_IRREGULAR = {"mouse": "mice", "louse": "lice", "tooth": "teeth", "foot": "feet", "child": "children",
              "person": "people", "man": "men", "woman": "women", "knife": "knives", "leaf": "leaves"}
_NO_PLURAL = ("ic", "al", "ed", "ing", "ly", "ful", "ous", "ive", "life", "ware", "ment")


def _cue_forms(word: str, seen: set[str]) -> list[str]:
    """The cue strings of a line word: its forms seen in the keywords and names, and for
    English its singular and plural (termite, termites; mouse, mice)."""
    forms = sorted(seen)
    if word.isascii() and word.isalpha():
        forms.append(word)
        if word in _IRREGULAR:
            forms.append(_IRREGULAR[word])
        elif len(word) >= 4 and not word.endswith((*_NO_PLURAL, "y")) and word not in _IRREGULAR.values():
            forms.append(word + ("es" if word.endswith(("s", "x", "ch", "sh", "z")) else "s"))
    return list(dict.fromkeys(forms))


def _structure(kw: pd.DataFrame, language: str, skip: set[str]) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Lines from the campaigns' names: (line -> cues, campaign -> line); empty when fewer
    than two campaigns besides a brand one have informative names."""
    texts_of = kw.groupby(kw["campaign"].astype(str), sort=False)["text"].agg(lambda s: list(dict.fromkeys(s)))
    plan_lines = {}
    skip = set(skip)
    for camp, texts in texts_of.items():
        line = campaign_line(camp, texts, language, frozenset(skip))
        if line:
            plan_lines[camp] = line
            if any(b in line.lower() for b in BRAND_WORDS):
                continue
            # the words of what the name leaves out (a city: "- Leeds", "-北京") name no line
            skip |= {w for p in _NAME_SEP.split(camp) if p and p.strip() not in line.split("-" if language == "zh"
                     else " - ") for w in _words(p, language)}
    brand = {l for c, l in plan_lines.items() if any(b in l.lower() for b in BRAND_WORDS)}
    if len(set(plan_lines.values()) - brand) < 2:
        return {}, {}
    names = list(dict.fromkeys(plan_lines.values()))
    # the words of every keyword, and in which lines' campaigns it sits
    holders: dict[str, Counter] = {}
    total: Counter = Counter()
    seen: dict[str, set[str]] = {}
    for text, camps in kw.groupby("text", sort=False)["campaign"]:
        raw = _tokens(text, language)
        words = {_stem(w) for w in raw}
        for w in raw:
            seen.setdefault(_stem(w), set()).add(w)
        lines_of = {plan_lines[str(c)] for c in camps if str(c) in plan_lines}
        for w in words:
            total[w] += 1
            for line in lines_of:
                holders.setdefault(line, Counter())[w] += 1
    name_words = {}
    for camp, line in plan_lines.items():
        raw = _tokens(line, language)
        for w in raw:
            seen.setdefault(_stem(w), set()).add(w)
        name_words.setdefault(line, set()).update(_stem(w) for w in raw)
    shared_names = Counter(w for ws in name_words.values() for w in ws)
    lines: dict[str, tuple[str, ...]] = {}
    for line in names:
        mine = holders.get(line, Counter())
        cues = []
        for w in sorted(set(mine) | name_words.get(line, set()), key=lambda w: (-mine.get(w, 0), w)):
            if w in FILLER or _is_cue_word(w, skip, language) or (language == "zh" and _is_place(w, language)):
                continue
            n, of = mine.get(w, 0), total.get(w, 0)
            own_name = w in name_words.get(line, set()) and shared_names[w] == 1
            if of == 0:
                ok = own_name
            else:
                ok = n / of >= (NAME_CUE_MIN_SHARE if own_name else CUE_MIN_SHARE) and (n >= 2 or own_name)
            if ok:
                cues += _cue_forms(w, seen.get(w, set()))
        lines[line] = tuple(dict.fromkeys(cues))
    return lines, plan_lines


def structure_lines(rows: pd.DataFrame, language: str) -> dict[str, tuple[str, ...]]:
    """Business lines of an account in generic mode: line name -> cues (see the module
    docstring). Empty when the account has no keywords of ``language``."""
    return structure(rows, language)[0]


def structure(rows: pd.DataFrame, language: str) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """(:func:`structure_lines`, campaign -> line for the campaigns that give a line)."""
    kw = _keyword_frame(rows)
    if kw.empty:
        return {}, {}
    kw = kw.loc[[language_of(t) == language for t in kw["text"]]]
    if kw.empty:
        return {}, {}
    lex = load(GENERIC, language)
    cue_words = _cue_words(lex)
    skip = cue_words | FILLER
    lines, plan_lines = _structure(kw, language, cue_words)
    rest = kw
    if plan_lines:  # head words only for the keywords of campaigns whose names say nothing
        rest = kw.loc[~kw["campaign"].astype(str).isin(plan_lines)]
        skip = skip | {w for cues in lines.values() for c in cues for w in _words(c, language)}
        # nor a word the keywords of two or more lines share (汽车 in a car-wash account's
        # 汽车贴膜 and 汽车镀晶): it names the trade, not a line, and as a cue it would pull
        # every line's keywords into one
        named = kw.loc[kw["campaign"].astype(str).isin(plan_lines)]
        where: dict[str, set[str]] = {}
        for text, camp in zip(named["text"], named["campaign"].astype(str)):
            for w in _tokens(text, language):
                where.setdefault(_stem(w), set()).add(plan_lines[camp])
        skip = skip | {w for w, in_lines in where.items() if len(in_lines) >= 2}
    if len(rest):
        for name, cues in _head_word_lines(rest, language, skip).items():
            lines.setdefault(name, cues)
    return lines, plan_lines


def _head_word_lines(kw: pd.DataFrame, language: str, skip: set[str]) -> dict[str, tuple[str, ...]]:
    """Lines named by the head words the keywords share (see the module docstring)."""
    texts = kw.groupby("text", sort=False).agg(cost=("cost", "sum")).reset_index()
    raw = {t: _tokens(t, language) for t in texts["text"]}
    toks = {t: {_stem(w) for w in ws} - skip for t, ws in raw.items()}
    seen: dict[str, set[str]] = {}
    for ws in raw.values():
        for w in ws:
            seen.setdefault(_stem(w), set()).add(w)
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
        cues = tuple(_cue_forms(w, seen.get(w, set()))) if language == "en" else (w,)
        lines[_line_name(w, mine, kw, language)] = cues
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
        informative = _words(top, language) - FILLER
        if count >= NAME_MIN_SHARE * len(names) and word in informative:
            return campaign_line(top, texts, language) or top.strip()
    return word


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
    texts.update(top_converting(rows, "search_term"))  # what converting searchers typed says it too
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
        added, new_lines, plans = {}, [], {}
        if vertical == GENERIC:
            lines, plans = structure(rows, language)
            for name, cues in lines.items():
                added[f"line:{name}"] = list(cues)
                new_lines.append(name)
        if removed or added:
            out[language] = LexiconEdits(added, removed, new_lines, [], plan_lines=plans)
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
