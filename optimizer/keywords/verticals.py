"""Saved verticals: an account's lexicon saved as a vertical of its own.

An optimizer who has an account's lexicon right — typically a ``generic`` account, whose
business lines come from its structure (:mod:`optimizer.keywords.trade`), plus their own edits —
saves it under a code (``towing``) and a name in each language (拖车 / Towing) and uses
it for the other clients of that trade. What is saved is the lexicon as the account uses
it, in both languages, materialised (:func:`save_from_classifier`): the base vertical's
cues, the lines and off-target exceptions the account gave, the user's edits — so it no
longer depends on that account. Each language is one file in the format of the bundled
ones (``optimizer/keywords/lexicons/*.toml``): ``[lines]``, ``main_line``, ``[names]``,
``[prefer]``, ``whole_word``, the cues added to the common ones (``[extra.*]``) and the
common ones left out (``[without.*]``, e.g. a generic base's trade-specific off-target
cues).

Where they live: the ``saved_verticals`` table of the workspace database
(:class:`optimizer.store.database.Store`), shared by every workspace and every server of a
deployment, kept across restarts; the command line reads the same database as
``users`` does (:func:`main_verticals`). Each run reads them once
(:func:`catalog_from_store`, checking every file: a damaged one is named in a
:class:`~optimizer.keywords.lexicon.LexiconFileError` and left out, never a traceback) and makes
them the run's :func:`optimizer.keywords.lexicon.catalog`: from then on they are offered with
the built-in verticals and detected like them (:func:`optimizer.keywords.stages.vertical_evidence`).

Names (:func:`check_names`): the code is 2–32 lower-case letters, digits or underscores,
starting with a letter, and not a built-in vertical's (nor ``auto``); both names are
given (40 characters at most) and are neither a built-in vertical's name nor another
saved vertical's. Saving a code that exists replaces it only when asked to
(``overwrite``), and only its author or an admin may replace or delete it
(:class:`optimizer.store.auth.Access`).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TextIO

from optimizer.keywords.lexicon import (ALL_VERTICALS, LEXICON_DIR, LexiconFileError, OFF_TARGET_KINDS, STAGE_PRECEDENCE, Lexicon,
                      SavedVertical, VerticalCatalog, _common, _load, catalog, parse_lexicon)

CODE = re.compile(r"[a-z][a-z0-9_]{1,31}")
MAX_NAME = 40
RESERVED = ("auto",)


class VerticalNameError(ValueError):
    """A code or name a saved vertical cannot have: ``reason`` is a key of the i18n
    table (``vert.<reason>``): code_format, code_builtin, name_missing, name_builtin,
    name_taken, not_yours."""

    def __init__(self, reason: str, **params: str) -> None:
        self.reason, self.params = reason, params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        from optimizer.i18n import t
        return t(f"vert.{self.reason}", lang, **self.params)


def check_names(code: str, name_zh: str, name_en: str, saved: VerticalCatalog | None = None) -> tuple[str, str, str]:
    """The code and names, trimmed, or :class:`VerticalNameError` (see the module)."""
    from optimizer.i18n import VERTICAL
    code, name_zh, name_en = (code or "").strip(), (name_zh or "").strip(), (name_en or "").strip()
    if code in ALL_VERTICALS or code in RESERVED:
        raise VerticalNameError("code_builtin", code=code)
    if not CODE.fullmatch(code):
        raise VerticalNameError("code_format", code=code)
    if not name_zh or not name_en or len(name_zh) > MAX_NAME or len(name_en) > MAX_NAME:
        raise VerticalNameError("name_missing")
    builtin = {n.casefold() for pair in VERTICAL.values() for n in pair} | {c.casefold() for c in ALL_VERTICALS}
    for name in (name_zh, name_en):
        if name.casefold() in builtin:
            raise VerticalNameError("name_builtin", name=name)
        for other in (saved.verticals if saved else ()):
            if other.code != code and name.casefold() in (other.name_zh.casefold(), other.name_en.casefold()):
                raise VerticalNameError("name_taken", name=name, other=other.code)
    return code, name_zh, name_en


def _q(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def _arr(items) -> str:
    return "[" + ", ".join(_q(c) for c in items) + "]"


def _split(effective: tuple[str, ...], common: list[str]) -> tuple[list[str], list[str]]:
    """(common cues left out, cues added) such that the common cues less those left out,
    followed by those added, are ``effective`` in its order (see lexicon._build)."""
    pos = {c: i for i, c in enumerate(common)}
    kept, last = 0, -1
    for c in effective:  # the longest head of effective that keeps the common cues' order
        if c in pos and pos[c] > last:
            kept, last = kept + 1, pos[c]
        else:
            break
    head = effective[:kept]
    return [c for c in common if c not in head], list(effective[kept:])


def lexicon_toml(lex: Lexicon, code: str, name: str, base: str, names: dict[str, str]) -> str:
    """``lex`` as a lexicon file of the vertical ``code`` (see the module): reading it back
    (:func:`optimizer.keywords.lexicon.parse_lexicon`) gives ``lex`` with ``vertical=code``."""
    common = _common(lex.language)
    out = [f"# Saved vertical {code} ({name}), made from the {base} lexicon of an account.",
           f"vertical = {_q(code)}", f"language = {_q(lex.language)}", f"name = {_q(name)}", f"base = {_q(base)}"]
    if lex.main_line is not None:
        out.append(f"main_line = {_q(lex.main_line)}")
    own_words = sorted(lex.whole_word - frozenset(common.get("whole_word", ())))
    if own_words:
        out.append(f"whole_word = {_arr(own_words)}")
    out += ["", "[names]"] + [f"{_q(k)} = {_q(v)}" for k, v in names.items() if k in lex.lines]
    out += ["", "[lines]"] + [f"{_q(k)} = {_arr(v)}" for k, v in lex.lines.items()]
    if lex.prefer:
        out += ["", "[prefer]", "pairs = [" + ", ".join(_arr(p) for p in lex.prefer) + "]"]
    groups = {"stages": [(s, lex.stages.get(s, ()), common["stages"].get(s, [])) for s in STAGE_PRECEDENCE],
              "urgency": [("cues", lex.urgency, common["urgency"]["cues"])],
              "off_target": [(k, lex.off_target.get(k, ()), common["off_target"].get(k, [])) for k in OFF_TARGET_KINDS]}
    parts: dict[str, dict[str, dict[str, list[str]]]] = {"extra": {}, "without": {}}
    for group, items in groups.items():
        for key, effective, base_cues in items:
            gone, added = _split(tuple(effective), list(base_cues))
            if added:
                parts["extra"].setdefault(group, {})[key] = added
            if gone:
                parts["without"].setdefault(group, {})[key] = gone
    for part in ("extra", "without"):
        for group, keys in parts[part].items():
            out += ["", f"[{part}.{group}]"] + [f"{k} = {_arr(v)}" for k, v in keys.items()]
    return "\n".join(out) + "\n"


def _line_names(vertical: str, language: str) -> dict[str, str]:
    if vertical in ALL_VERTICALS:
        return dict(_load(LEXICON_DIR / f"{vertical}.{language}.toml").get("names", {}))
    saved = catalog().get(vertical)
    if saved is None:
        return {}
    import tomllib
    return dict(tomllib.loads(saved.text(language)).get("names", {}))


def save_from_classifier(clf, code: str, name_zh: str, name_en: str,
                         saved: VerticalCatalog | None = None) -> SavedVertical:
    """The saved vertical ``code`` made from what ``clf`` (an account's
    :class:`optimizer.keywords.stages.Classifier`: its vertical, what the account says, the user's
    edits) uses, in both languages. Checks the names (:func:`check_names` against
    ``saved``, default the current catalog) and that each file reads back as the lexicon
    it was made from. Nothing is stored: :meth:`optimizer.store.database.Store.save_vertical` does."""
    code, name_zh, name_en = check_names(code, name_zh, name_en, catalog() if saved is None else saved)
    own = catalog().get(clf.vertical)
    base = own.base if own is not None else clf.vertical
    texts = {}
    for language in ("zh", "en"):
        lex = clf.lexicon(language)
        text = lexicon_toml(lex, code, name_zh if language == "zh" else name_en, base,
                            _line_names(clf.vertical, language))
        from dataclasses import replace
        if parse_lexicon(text, code, language) != replace(lex, vertical=code):  # a bug, not the user's input
            raise AssertionError(f"the {language} lexicon of {code} does not read back as saved")
        texts[language] = text
    return SavedVertical(code, name_zh, name_en, base, texts["zh"], texts["en"])


def catalog_from_store(store) -> VerticalCatalog:
    """The saved verticals of a store, each file checked: the usable ones, and a
    :class:`~optimizer.keywords.lexicon.LexiconFileError` for each damaged file (its vertical is
    left out)."""
    good, problems = [], []
    for row in store.saved_verticals():
        errors = []
        for language, text in (("zh", row.lexicon_zh), ("en", row.lexicon_en)):
            try:
                parse_lexicon(text, row.code, language)
            except LexiconFileError as exc:
                errors.append(exc)
        if errors:
            problems += errors
        else:
            good.append(SavedVertical(row.code, row.name_zh, row.name_en, row.base, row.lexicon_zh, row.lexicon_en))
    return VerticalCatalog(tuple(good), tuple(problems))


def open_catalog(database_url: str | None = None, data_dir=None, err: TextIO | None = None) -> VerticalCatalog:
    """The saved verticals for a command-line run: from ``database_url`` (default
    ``$OPTIMIZER_DATABASE_URL``) or the SQLite database in ``data_dir`` (default
    ``$OPTIMIZER_DATA_DIR`` or ``data/``) — when there is one: a machine without a
    database has none, and none is created. A damaged file or a database that cannot be
    opened is said on ``err`` (standard error), and the built-in verticals still work."""
    import os
    from optimizer.store.engine import default_data_dir
    from optimizer.store.database import DATABASE_URL_ENV, SQLITE_FILE, Store, StoreError
    err = err or sys.stderr
    url = database_url or os.environ.get(DATABASE_URL_ENV) or None
    from pathlib import Path
    folder = Path(data_dir) if data_dir else default_data_dir()
    if url is None and not (folder / SQLITE_FILE).exists():
        return VerticalCatalog()
    try:
        with Store.open(url, folder) as store:
            cat = catalog_from_store(store)
    except StoreError as exc:
        print(f"warning: saved verticals not read: {exc}", file=err)
        return VerticalCatalog()
    for problem in cat.problems:
        print(f"warning: {problem.message('en')}", file=err)
    return cat


def main_verticals(argv: list[str] | None = None, *, stdout: TextIO | None = None) -> int:
    """``python -m optimizer verticals COMMAND``: the saved verticals of the database
    ``users`` uses (``--database-url`` or ``$OPTIMIZER_DATABASE_URL``, else
    ``optimizer.db`` in ``--data-dir``, default ``$OPTIMIZER_DATA_DIR`` or ``data/``).

    ``list`` (code, Chinese name, English name, base, saved at; then any damaged file),
    ``show CODE [--language zh|en]`` (the lexicon file), ``delete CODE``. Saving is done
    on the Keywords page, from an account. Exit status 0, 1 on a refused request, 2 on
    bad usage."""
    from pathlib import Path

    from optimizer.store.engine import default_data_dir
    from optimizer.store.database import NotFound, Store, StoreError
    out = stdout or sys.stdout
    p = argparse.ArgumentParser(prog="python -m optimizer verticals", description="Saved verticals.")
    p.add_argument("--database-url", default=None, help="SQLAlchemy URL (default: $OPTIMIZER_DATABASE_URL)")
    p.add_argument("--data-dir", default=None, help="folder of the SQLite database (default: data/)")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the saved verticals")
    sh = sub.add_parser("show", help="print a saved vertical's lexicon file")
    sh.add_argument("code")
    sh.add_argument("--language", choices=("zh", "en"), default="zh")
    sub.add_parser("delete", help="delete a saved vertical").add_argument("code")
    try:
        args = p.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        with Store.open(args.database_url, Path(args.data_dir) if args.data_dir else default_data_dir()) as store:
            if args.command == "list":
                cat = catalog_from_store(store)
                rows = {r.code: r for r in store.saved_verticals()}
                for v in cat.verticals:
                    print(f"{v.code}\t{v.name_zh}\t{v.name_en}\t{v.base}\t{rows[v.code].saved_at:%Y-%m-%d %H:%M}",
                          file=out)
                for problem in cat.problems:
                    print(f"damaged: {problem.message('en')}", file=out)
            elif args.command == "show":
                row = next((r for r in store.saved_verticals() if r.code == args.code), None)
                if row is None:
                    raise NotFound(f"no saved vertical {args.code!r}")
                out.write(row.lexicon_zh if args.language == "zh" else row.lexicon_en)
            elif args.command == "delete":
                store.delete_vertical(args.code)
                print(f"deleted {args.code}", file=out)
        return 0
    except (NotFound, StoreError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr if stdout is None else out)
        return 1
