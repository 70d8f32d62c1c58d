"""Cue lexicons: which words reveal a keyword's business line, decision stage, urgency
and off-target intent, per vertical and language.

The lexicons are data, one TOML file per vertical and language in
``optimizer/lexicons/`` (``locksmith.zh.toml`` …) plus the cues every vertical of a
language shares (``common.zh.toml``, ``common.en.toml``). A user's edits for one
account are an overlay (:class:`LexiconEdits`: cues and lines added or removed) kept
beside the account, so the bundled files stay as shipped.
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from .jsonfile import read_json, write_json

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"

VERTICALS = ("locksmith", "moving", "appliance_repair", "housekeeping", "plumbing")
#: the vertical of an account that fits none of :data:`VERTICALS`: shared stage cues, lines from
#: the account's own structure (:mod:`optimizer.trade`), only universal off-target cues
GENERIC = "generic"
ALL_VERTICALS = (*VERTICALS, GENERIC)
LANGUAGES = ("zh", "en")
#: Decision stages with a cue list, by precedence (highest first); "core" has no cue
#: (a keyword with none of these is core) and "none" marks off-target keywords.
STAGE_PRECEDENCE = ("phone", "price", "company", "consult")
STAGES = ("core", "phone", "company", "price", "consult", "none")
OFF_TARGET_KINDS = ("diy", "tools", "training", "jobs", "product")
#: Editable cue groups besides business lines (``line:<name>``), as keyed in LexiconEdits.
CUE_KINDS = (*(f"stage:{s}" for s in STAGE_PRECEDENCE), "urgency", *(f"off:{k}" for k in OFF_TARGET_KINDS))


@dataclass(frozen=True)
class Lexicon:
    """The cues of one vertical in one language.

    ``lines``: business line -> cues. ``main_line``: the line of a keyword naming
    none (None: such keywords are ``unknown``). ``stages``: stage -> cues for phone,
    price, company, consult. ``urgency``: cues. ``off_target``: kind -> cues.
    ``prefer``: (winner, loser) line pairs — when both are named the winner takes the
    keyword wherever it stands. ``whole_word``: Chinese cues of two or more
    characters that must also sit on word boundaries (every one-character cue must).
    """

    vertical: str
    language: str
    lines: dict[str, tuple[str, ...]]
    main_line: str | None
    stages: dict[str, tuple[str, ...]]
    urgency: tuple[str, ...]
    off_target: dict[str, tuple[str, ...]]
    prefer: tuple[tuple[str, str], ...] = ()
    whole_word: frozenset[str] = frozenset()

    def line_names(self) -> tuple[str, ...]:
        return tuple(self.lines)

    def cues(self, key: str) -> tuple[str, ...]:
        """The cues of a group: ``line:<name>``, ``stage:<stage>``, ``urgency``, ``off:<kind>``."""
        kind, _, name = key.partition(":")
        if kind == "line":
            return self.lines.get(name, ())
        if kind == "stage":
            return self.stages.get(name, ())
        if kind == "off":
            return self.off_target.get(name, ())
        if key == "urgency":
            return self.urgency
        raise KeyError(key)

    def with_edits(self, edits: "LexiconEdits") -> "Lexicon":
        """This lexicon with a user's additions and removals applied."""
        def apply(cues: tuple[str, ...], key: str) -> tuple[str, ...]:
            removed = set(edits.removed.get(key, ()))
            added = [c for c in edits.added.get(key, ()) if c not in cues]
            return tuple(c for c in cues if c not in removed) + tuple(added)

        lines = {name: apply(cues, f"line:{name}") for name, cues in self.lines.items()
                 if name not in edits.removed_lines}
        for name in edits.added_lines:
            lines.setdefault(name, apply((), f"line:{name}"))
        return replace(
            self, lines=lines,
            stages={s: apply(c, f"stage:{s}") for s, c in self.stages.items()},
            urgency=apply(self.urgency, "urgency"),
            off_target={k: apply(c, f"off:{k}") for k, c in self.off_target.items()},
            main_line=self.main_line if self.main_line in lines else None)


@dataclass(frozen=True)
class LexiconEdits:
    """A user's changes to a vertical's lexicons, for one account.

    Keys of ``added`` / ``removed``: ``line:<name>``, ``stage:<phone|price|company|consult>``,
    ``urgency``, ``off:<diy|tools|training|jobs|product>``; values: cue lists.
    ``added_lines`` / ``removed_lines``: business lines created or dropped.
    """

    added: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    added_lines: list[str] = field(default_factory=list)
    removed_lines: list[str] = field(default_factory=list)

    def add(self, key: str, cue: str) -> "LexiconEdits":
        cue = cue.strip()
        if not cue:
            return self
        added = {k: list(v) for k, v in self.added.items()}
        removed = {k: [c for c in v if not (k == key and c == cue)] for k, v in self.removed.items()}
        if cue not in added.setdefault(key, []):
            added[key].append(cue)
        lines = list(self.added_lines)
        if key.startswith("line:") and key[5:] not in lines:
            lines.append(key[5:])
        return LexiconEdits(added, removed, lines, [x for x in self.removed_lines if f"line:{x}" != key])

    def remove(self, key: str, cue: str) -> "LexiconEdits":
        added = {k: [c for c in v if not (k == key and c == cue)] for k, v in self.added.items()}
        removed = {k: list(v) for k, v in self.removed.items()}
        if cue not in removed.setdefault(key, []):
            removed[key].append(cue)
        return LexiconEdits(added, removed, list(self.added_lines), list(self.removed_lines))

    def drop_line(self, name: str) -> "LexiconEdits":
        return LexiconEdits(self.added, self.removed, [x for x in self.added_lines if x != name],
                            sorted(set(self.removed_lines) | {name}))

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "LexiconEdits":
        d = json.loads(text)
        return cls(d.get("added", {}), d.get("removed", {}), d.get("added_lines", []), d.get("removed_lines", []))


def _load(path: Path) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)


@lru_cache(maxsize=None)
def load(vertical: str, language: str) -> Lexicon:
    """The bundled lexicon of ``vertical`` in ``language`` (common cues merged in)."""
    if vertical not in ALL_VERTICALS:
        raise ValueError(f"unknown vertical {vertical!r}; known: {', '.join(ALL_VERTICALS)}")
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; known: {', '.join(LANGUAGES)}")
    common = _load(LEXICON_DIR / f"common.{language}.toml")
    own = _load(LEXICON_DIR / f"{vertical}.{language}.toml")
    extra = own.get("extra", {})
    stages = {s: tuple(common["stages"].get(s, ())) + tuple(extra.get("stages", {}).get(s, ()))
              for s in STAGE_PRECEDENCE}
    shared = common["off_target"]
    if vertical == GENERIC:  # only what is off target for any service
        scope = common.get("vertical_specific", {})
        drop_kinds, drop_cues = set(scope.get("kinds", ())), set(scope.get("cues", ()))
        shared = {k: [c for c in v if c not in drop_cues] for k, v in shared.items() if k not in drop_kinds}
    off = {k: tuple(shared.get(k, ())) + tuple(extra.get("off_target", {}).get(k, ()))
           for k in OFF_TARGET_KINDS}
    urgency = tuple(common["urgency"]["cues"]) + tuple(extra.get("urgency", {}).get("cues", ()))
    return Lexicon(
        vertical=vertical, language=language,
        lines={name: tuple(cues) for name, cues in own["lines"].items()},
        main_line=own.get("main_line"), stages=stages, urgency=urgency, off_target=off,
        prefer=tuple(tuple(p) for p in own.get("prefer", {}).get("pairs", ())),
        whole_word=frozenset(common.get("whole_word", ())) | frozenset(own.get("whole_word", ())))


#: the business line of a keyword that names none (:data:`optimizer.stages.UNKNOWN_LINE`)
#: as each language reads it: a code, never shown as it is
UNKNOWN_LINE_NAMES = {"unknown": {"zh": "未识别", "en": "Not recognised"}}


@lru_cache(maxsize=None)

def line_names(language: str) -> dict[str, str]:
    """What each bundled business line is called in ``language``: the ``[names]`` of the
    verticals' lexicons in that language (a line's identifier is its Chinese name, so
    Chinese needs no table but for :data:`UNKNOWN_LINE_NAMES`)."""
    out: dict[str, str] = {code: names["zh" if language == "zh" else "en"]
                           for code, names in UNKNOWN_LINE_NAMES.items()}
    if language == "zh":
        return out
    for vertical in VERTICALS:
        out.update(_load(LEXICON_DIR / f"{vertical}.{language}.toml").get("names", {}))
    return out


def line_label(name: str, language: str) -> str:
    """A business line as a reader of ``language`` reads it: ``开锁`` is ``Lockout`` in
    English. Lines of the user's own (lexicon edits) and unknown names stay as they are."""
    return line_names(language).get(name, name) if isinstance(name, str) else name


def line_labels(text: str, language: str, sep: str = "、") -> str:
    """:func:`line_label` of each line in a ``sep``-joined list (``开锁、换锁``), joined
    with ``sep`` in Chinese and ``, `` otherwise."""
    if not isinstance(text, str):
        return text
    return (sep if language == "zh" else ", ").join(line_label(n, language) for n in text.split(sep))


def file_of(vertical: str, language: str) -> Path:
    """Where the bundled lexicon file of a vertical and language is (for the docs and UI)."""
    return LEXICON_DIR / f"{vertical}.{language}.toml"


class AccountLexiconStore:
    """Per account: the vertical chosen by the user (None: detected) and lexicon edits
    per language, kept in one JSON file written atomically."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _load(self) -> dict:
        return read_json(self.path, "lexicon store")

    def _save(self, data: dict) -> None:
        write_json(self.path, data)

    def vertical(self, account: str) -> str | None:
        return self._load().get(account, {}).get("vertical")

    def set_vertical(self, account: str, vertical: str | None) -> None:
        data = self._load()
        data.setdefault(account, {})["vertical"] = vertical
        self._save(data)

    def edits(self, account: str) -> dict[str, LexiconEdits]:
        raw = self._load().get(account, {}).get("edits", {})
        return {lang: LexiconEdits.from_json(text) for lang, text in raw.items()}

    def set_edits(self, account: str, language: str, edits: LexiconEdits) -> None:
        data = self._load()
        data.setdefault(account, {}).setdefault("edits", {})[language] = edits.to_json()
        self._save(data)
