"""Cue lexicons: which words reveal a keyword's business line, decision stage, urgency
and off-target intent, per vertical and language.

The lexicons are data, one TOML file per vertical and language in
``optimizer/keywords/lexicons/`` (``locksmith.zh.toml`` …) plus the cues every vertical of a
language shares (``common.zh.toml``, ``common.en.toml``). A user's edits for one
account are an overlay (:class:`LexiconEdits`: cues and lines added or removed) kept
beside the account, so the bundled files stay as shipped.
"""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import asdict, dataclass, field, replace
from contextvars import ContextVar, Token
from functools import lru_cache
from pathlib import Path

from optimizer.jsonfile import read_json, write_json

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"

VERTICALS = ("locksmith", "moving", "appliance_repair", "housekeeping", "plumbing")
#: the vertical of an account that fits none of :data:`VERTICALS`: shared stage cues, lines from
#: the account's own structure (:mod:`optimizer.keywords.trade`), only universal off-target cues
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

        renamed = edits.renamed_lines
        lines = {}
        for name, cues in self.lines.items():  # a renamed line keeps its place and its cues
            now = renamed.get(name, name)
            if now not in edits.removed_lines:
                lines[now] = apply(cues, f"line:{now}")
        for name in edits.added_lines:
            lines.setdefault(name, apply((), f"line:{name}"))
        main = renamed.get(self.main_line, self.main_line)
        return replace(
            self, lines=lines,
            stages={s: apply(c, f"stage:{s}") for s, c in self.stages.items()},
            urgency=apply(self.urgency, "urgency"),
            off_target={k: apply(c, f"off:{k}") for k, c in self.off_target.items()},
            prefer=tuple((renamed.get(w, w), renamed.get(lo, lo)) for w, lo in self.prefer),
            main_line=main if main in lines else None)


@dataclass(frozen=True)
class LexiconEdits:
    """A user's changes to a vertical's lexicons, for one account.

    Keys of ``added`` / ``removed``: ``line:<name>``, ``stage:<phone|price|company|consult>``,
    ``urgency``, ``off:<diy|tools|training|jobs|product>``; values: cue lists.
    ``added_lines`` / ``removed_lines``: business lines created or dropped;
    ``renamed_lines``: a line's name -> its new name (its cues go with it).
    ``plan_lines``: campaign -> line, the line of a keyword of that campaign that names
    none (what an account's own structure says, :func:`optimizer.keywords.trade.account_edits`).
    """

    added: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    added_lines: list[str] = field(default_factory=list)
    removed_lines: list[str] = field(default_factory=list)
    renamed_lines: dict[str, str] = field(default_factory=dict)
    plan_lines: dict[str, str] = field(default_factory=dict)

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
        return LexiconEdits(added, removed, lines, [x for x in self.removed_lines if f"line:{x}" != key],
                            dict(self.renamed_lines), dict(self.plan_lines))

    def remove(self, key: str, cue: str) -> "LexiconEdits":
        added = {k: [c for c in v if not (k == key and c == cue)] for k, v in self.added.items()}
        removed = {k: list(v) for k, v in self.removed.items()}
        if cue not in removed.setdefault(key, []):
            removed[key].append(cue)
        return LexiconEdits(added, removed, list(self.added_lines), list(self.removed_lines), dict(self.renamed_lines),
                            dict(self.plan_lines))

    def drop_line(self, name: str) -> "LexiconEdits":
        return LexiconEdits(self.added, self.removed, [x for x in self.added_lines if x != name],
                            sorted(set(self.removed_lines) | {name}), dict(self.renamed_lines), dict(self.plan_lines))

    def rename_line(self, old: str, new: str) -> "LexiconEdits":
        """Line ``old`` called ``new`` from now on, with its cues (the lexicon's and the
        ones added to it), in its place. Renaming a renamed line renames the original."""
        new = new.strip()
        if not new or new == old:
            return self
        def move(table: dict[str, list[str]]) -> dict[str, list[str]]:
            out = {k: list(v) for k, v in table.items() if k != f"line:{old}"}
            if f"line:{old}" in table:
                out[f"line:{new}"] = [*out.get(f"line:{new}", []), *table[f"line:{old}"]]
            return out
        renamed = {k: (new if v == old else v) for k, v in self.renamed_lines.items()}
        if old not in self.renamed_lines.values():  # a line of the lexicon (or one the user added)
            renamed[old] = new
        lines = list(dict.fromkeys(new if x == old else x for x in self.added_lines))
        return LexiconEdits(move(self.added), move(self.removed), lines,
                            [x for x in self.removed_lines if x != new], renamed, dict(self.plan_lines))

    def to_json(self) -> str:
        d = asdict(self)
        if not d["plan_lines"]:  # a user's edits: as they were always written
            del d["plan_lines"]
        return json.dumps(d, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "LexiconEdits":
        d = json.loads(text)
        return cls(d.get("added", {}), d.get("removed", {}), d.get("added_lines", []), d.get("removed_lines", []),
                   d.get("renamed_lines", {}), d.get("plan_lines", {}))


def split_cues(text: str) -> list[str]:
    """The cues a user typed: separated by commas (, ，), 、, semicolons or line breaks;
    a cue of Latin words keeps its spaces ("rodent control" is one cue), while spaces
    separate Chinese cues, which never hold one ("灭鼠 白蚁" is two)."""
    out = []
    for part in re.split(r"[,，、;；\n]+", text or ""):
        part = " ".join(part.split())
        if not part:
            continue
        out += [part] if re.search(r"[A-Za-z0-9]", part) else part.split(" ")
    return out


def _load(path: Path) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)


def _build(common: dict, own: dict, vertical: str, language: str) -> Lexicon:
    """A lexicon from the common cues of its language and its own file: ``[lines]``,
    ``main_line``, ``[prefer]``, ``whole_word``, the cues it adds (``[extra.stages]``,
    ``[extra.urgency]``, ``[extra.off_target]``) and the common ones it leaves out
    (``[without.stages]``, ``[without.urgency]``, ``[without.off_target]``: a saved
    vertical's file, :mod:`optimizer.keywords.verticals`)."""
    extra, without = own.get("extra", {}), own.get("without", {})

    def merge(base, section: str, key: str) -> tuple[str, ...]:
        gone = set(without.get(section, {}).get(key, ()))
        return tuple(c for c in base if c not in gone) + tuple(extra.get(section, {}).get(key, ()))

    stages = {s: merge(common["stages"].get(s, ()), "stages", s) for s in STAGE_PRECEDENCE}
    shared = common["off_target"]
    if vertical == GENERIC:  # only what is off target for any service
        scope = common.get("vertical_specific", {})
        drop_kinds, drop_cues = set(scope.get("kinds", ())), set(scope.get("cues", ()))
        shared = {k: [c for c in v if c not in drop_cues] for k, v in shared.items() if k not in drop_kinds}
    off = {k: merge(shared.get(k, ()), "off_target", k) for k in OFF_TARGET_KINDS}
    urgency = merge(common["urgency"]["cues"], "urgency", "cues")
    return Lexicon(
        vertical=vertical, language=language,
        lines={name: tuple(cues) for name, cues in own["lines"].items()},
        main_line=own.get("main_line"), stages=stages, urgency=urgency, off_target=off,
        prefer=tuple(tuple(p) for p in own.get("prefer", {}).get("pairs", ())),
        whole_word=frozenset(common.get("whole_word", ())) | frozenset(own.get("whole_word", ())))


@lru_cache(maxsize=None)
def _common(language: str) -> dict:
    return _load(LEXICON_DIR / f"common.{language}.toml")


@lru_cache(maxsize=None)
def _builtin(vertical: str, language: str) -> Lexicon:
    return _build(_common(language), _load(LEXICON_DIR / f"{vertical}.{language}.toml"), vertical, language)


def load(vertical: str, language: str, saved: "SavedVertical | None" = None) -> Lexicon:
    """The lexicon of ``vertical`` in ``language`` (common cues merged in): a bundled one,
    or a saved one — ``saved`` when given, else the one of that code in the current
    :func:`catalog`."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; known: {', '.join(LANGUAGES)}")
    if vertical in ALL_VERTICALS:
        return _builtin(vertical, language)
    saved = saved if saved is not None and saved.code == vertical else catalog().get(vertical)
    if saved is None:
        raise ValueError(f"unknown vertical {vertical!r}; known: {', '.join(known_verticals())}")
    return parse_lexicon(saved.text(language), vertical, language)


# ---------------------------------------------------------------- saved verticals

class LexiconFileError(ValueError):
    """A saved vertical's lexicon file that cannot be used: ``code``, ``language`` and
    what is wrong (``detail``, in English: a TOML parser's words, or which key)."""

    def __init__(self, code: str, language: str, detail: str) -> None:
        self.code, self.language, self.detail = code, language, detail
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        from optimizer.i18n import t
        return t("lex.file_damaged", lang, code=self.code, language=self.language, detail=self.detail)


def _cue_list(value, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(c, str) and c.strip() for c in value):
        raise ValueError(f"{where} must be a list of non-empty strings")
    return tuple(value)


@lru_cache(maxsize=64)
def parse_lexicon(text: str, code: str, language: str) -> Lexicon:
    """A saved vertical's lexicon file, checked and read like a bundled one
    (:func:`_build`). Raises :class:`LexiconFileError` naming the vertical, the
    language and what is wrong (bad TOML, another vertical's file, a key of the wrong
    type, a stage or off-target kind that does not exist …)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconFileError(code, language, f"not TOML: {exc}") from None
    try:
        if data.get("vertical") != code or data.get("language") != language:
            raise ValueError(f"the file is for vertical {data.get('vertical')!r}, language "
                             f"{data.get('language')!r}")
        lines = data.get("lines")
        if not isinstance(lines, dict):
            raise ValueError("[lines] is missing")
        for name, cues in lines.items():
            _cue_list(cues, f"line {name!r}")
        main = data.get("main_line")
        if main is not None and main not in lines:
            raise ValueError(f"main_line {main!r} is not one of the lines")
        names = data.get("names", {})
        if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
            raise ValueError("[names] must map lines to names")
        for pair in data.get("prefer", {}).get("pairs", []):
            if not (isinstance(pair, list) and len(pair) == 2 and all(p in lines for p in pair)):
                raise ValueError(f"prefer pair {pair!r} must name two lines")
        _cue_list(data.get("whole_word", []), "whole_word")
        keys = {"stages": STAGE_PRECEDENCE, "off_target": OFF_TARGET_KINDS, "urgency": ("cues",)}
        for part in ("extra", "without"):
            section = data.get(part, {})
            if not isinstance(section, dict):
                raise ValueError(f"[{part}] must be a table")
            for group, kinds in section.items():
                if group not in keys or not isinstance(kinds, dict):
                    raise ValueError(f"[{part}.{group}] is not a cue group (stages, urgency, off_target)")
                for kind, cues in kinds.items():
                    if kind not in keys[group]:
                        raise ValueError(f"{part}.{group}.{kind} is not one of {', '.join(keys[group])}")
                    _cue_list(cues, f"{part}.{group}.{kind}")
    except ValueError as exc:
        raise LexiconFileError(code, language, str(exc)) from None
    return _build(_common(language), data, code, language)


@dataclass(frozen=True)
class SavedVertical:
    """A vertical an optimizer saved (:mod:`optimizer.keywords.verticals`): its ``code`` (the
    identifier, like ``towing``), display names, the vertical it was made from
    (``base``: a built-in one or ``generic``) and its lexicon file per language."""

    code: str
    name_zh: str
    name_en: str
    base: str
    zh: str
    en: str

    def text(self, language: str) -> str:
        return self.zh if language == "zh" else self.en

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    @property
    def family(self) -> str:
        """The built-in vertical it varies (its base), or itself when made from ``generic``:
        detection does not weigh a vertical against a variant of it."""
        return self.base if self.base in VERTICALS else self.code

    @property
    def revision(self) -> str:
        import hashlib
        return hashlib.sha256("\0".join((self.code, self.name_zh, self.name_en, self.base, self.zh, self.en))
                              .encode()).hexdigest()[:16]


@dataclass(frozen=True)
class VerticalCatalog:
    """The saved verticals usable now (checked), and the ones that could not be read
    (``problems``: :class:`LexiconFileError`, shown by name, never used)."""

    verticals: tuple[SavedVertical, ...] = ()
    problems: tuple[LexiconFileError, ...] = ()

    def get(self, code: str) -> SavedVertical | None:
        return next((v for v in self.verticals if v.code == code), None)

    def codes(self) -> tuple[str, ...]:
        return tuple(v.code for v in self.verticals)

    @property
    def revision(self) -> str:
        return ",".join(v.revision for v in self.verticals)


_CATALOG: ContextVar[VerticalCatalog] = ContextVar("saved_verticals", default=VerticalCatalog())


def catalog() -> VerticalCatalog:
    """The saved verticals of the deployment, as this run (a page run, a CLI command) read
    them from the database (:func:`use_catalog`); none unless set."""
    return _CATALOG.get()


def use_catalog(value: VerticalCatalog) -> Token:
    """Make ``value`` the saved verticals of this run (the current thread's context);
    returns a token for :func:`reset_catalog`."""
    return _CATALOG.set(value)


def reset_catalog(token: Token) -> None:
    _CATALOG.reset(token)


def known_verticals() -> tuple[str, ...]:
    """Every vertical that can be chosen: the built-in ones, ``generic`` and the saved ones."""
    return (*ALL_VERTICALS, *catalog().codes())


def vertical_in_use(chosen: str | None, detected: str) -> tuple[str, str | None]:
    """(the vertical an account is classified by, the one chosen for it that no longer
    exists or None): the vertical the user chose for it while it is still known (a saved
    vertical may have been deleted since), else the ``detected`` one."""
    if chosen is not None and chosen not in known_verticals():
        return detected, chosen
    return chosen or detected, None


def detectable_verticals() -> tuple[str, ...]:
    """The verticals detection weighs (:func:`optimizer.keywords.stages.vertical_evidence`): the
    built-in ones with a lexicon of lines, then the saved ones."""
    return (*VERTICALS, *catalog().codes())


def vertical_family(code: str) -> str:
    saved = catalog().get(code)
    return saved.family if saved is not None else code


def vertical_name(code: str | None, lang: str = "zh") -> str:
    """A vertical as a reader of ``lang`` reads it: a built-in one's name
    (:data:`optimizer.i18n.VERTICAL`), a saved one's own name, else the code."""
    from optimizer.i18n import VERTICAL, code_name
    if code in VERTICAL or code is None:
        return code_name(VERTICAL, code, lang)
    saved = catalog().get(code)
    return saved.name(lang) if saved is not None else code


#: the business line of a keyword that names none (:data:`optimizer.keywords.stages.UNKNOWN_LINE`)
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
