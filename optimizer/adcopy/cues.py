"""Message cues of ad copy, per language, as data (``cues/<language>.toml``).

A cue group (``phone``, ``price``, ``trust``, ``speed``, ``offer``) holds words and
regular expressions; ``insertion`` (keyword insertion) is found by its syntax, a
wildcard in braces: Baidu ``{关键词}`` / ``{开锁电话}``, Google ``{KeyWord:Locksmith}``.
``[expect]`` says which groups a unit of each decision stage should carry (and
``urgent`` for a unit whose keywords show an immediate need).

Chinese cues match anywhere in the text (after NFKC and lower case); English cues match
whole words (a letter or digit on neither side), so ``call`` is not found in
``recall``.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: The cue groups, in the order tables show them.
GROUPS = ("phone", "price", "trust", "speed", "offer", "insertion")
_DIR = Path(__file__).resolve().parent / "cues"
_WILDCARD = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class CueLexicon:
    """One language's cues: group -> compiled patterns; stage (or ``urgent``) -> groups expected."""

    language: str
    patterns: dict[str, tuple[re.Pattern, ...]]
    expect: dict[str, tuple[str, ...]]

    def found(self, text: str) -> dict[str, str]:
        """Group -> the first cue text found in ``text`` (groups not found are left out)."""
        folded = fold(text)
        out: dict[str, str] = {}
        for group, pats in self.patterns.items():
            for p in pats:
                m = p.search(folded)
                if m:
                    out[group] = m.group(0).strip()
                    break
        m = _WILDCARD.search(text)
        if m:
            out["insertion"] = m.group(0)
        return out


def fold(text: str) -> str:
    """NFKC, lower case (full-width ``：`` and ``１５`` become ``:`` and ``15``)."""
    return unicodedata.normalize("NFKC", str(text)).lower()


@lru_cache(maxsize=4)
def load(language: str) -> CueLexicon:
    """The cue lexicon of ``zh`` or ``en`` (another language falls back to English)."""
    path = _DIR / f"{language if (_DIR / f'{language}.toml').exists() else 'en'}.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    zh = doc.get("language") == "zh"
    patterns: dict[str, tuple[re.Pattern, ...]] = {}
    for group in GROUPS:
        words = [fold(w) for w in doc.get("cues", {}).get(group, ())]
        words.sort(key=len, reverse=True)
        pats = [re.compile(re.escape(w) if zh else rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])") for w in words]
        pats += [re.compile(p) for p in doc.get("patterns", {}).get(group, ())]
        if pats:
            patterns[group] = tuple(pats)
    expect = {k: tuple(v) for k, v in doc.get("expect", {}).items()}
    return CueLexicon(doc.get("language", language), patterns, expect)
