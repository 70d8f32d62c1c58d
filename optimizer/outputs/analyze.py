"""``python -m optimizer analyze``: the whole analysis of export files or a folder of
accounts (:func:`optimizer.analysis.summary.analyze_account` for each account), as a
workbook, CSVs, JSON or a short text.

Command line (wired into :mod:`optimizer.cli` by :func:`add_analyze_parser`)::

    python -m optimizer analyze EXPORT... [--out report.xlsx] [--json]
    python -m optimizer analyze --batch FOLDER --out OUT_DIR

Exit status: 0 when done, 1 on bad input (one line on standard error, in ``--lang``:
file, row, column and what was expected), 2 on bad usage — among it an ``--out`` that
does not end in ``.xlsx`` or whose folder does not exist (checked before the analysis
runs, see :func:`output_problem`; no folder is created but the ``--csv-dir`` or batch
``--out`` folder itself). ``--json`` keys are listed in :func:`cmd_analyze`.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer import memory
from optimizer.analysis.summary import (DRIFT_COLUMNS, KEYWORD_COLUMNS, SUMMARY_COLUMNS, Analysis,
                                        AnalysisSettings, Progress, SEVERITY_ORDER, _day, analyze_account)
from optimizer.bundles.targets import read_bundle_sheet
from optimizer.errors import FOREIGN_TYPES, IngestError, UserError, os_reason
from optimizer.i18n import SEVERITY, account_label, code_name, money
from optimizer.keywords.lexicon import vertical_name
from optimizer.model.dataset import accounts, for_account, load_exports
from optimizer.reading.ingest import check_report
from optimizer.outputs.sheet_text import st

# ---------------------------------------------------------------- files and folders

def analyze_exports(paths: Sequence[str | Path], vertical: str = "auto",
                    settings: AnalysisSettings = AnalysisSettings(), bundle_map: str | Path | None = None,
                    progress: Progress | None = None, account: str | None = None) -> list[Analysis]:
    """Read export files (merged as the app does, :func:`optimizer.model.dataset.load_exports`:
    the newer download wins; ``account`` names the account of files that name none,
    else each such file is its own account unless its plans are an account's already
    read) and analyse every account in them,
    largest spend first. ``bundle_map``: a bundle map CSV (applies to every account).
    Raises :class:`~optimizer.errors.IngestError` for an unreadable export, ValueError
    for a bad bundle map, OSError for a missing file."""
    paths = [str(p) for p in paths]
    n = len(paths)
    if not n:
        raise AnalyzeError("no_exports")
    table = load_exports(paths, account, None if progress is None else lambda i, _n, label: progress(i, n * 2, label))
    sheet = read_bundle_sheet(Path(bundle_map).read_bytes(), str(bundle_map)) if bundle_map else None
    accts = accounts(table)
    out = []
    for k, (_, acct) in enumerate(accts.iterrows()):
        rows = table if len(accts) == 1 else for_account(table, acct["platform"], acct["account"], acct["currency"])

        def sub(done: float, total: float, label: str, k=k) -> None:
            if progress is not None:
                progress(n + n * (k + done / total) / len(accts), n * 2, label)

        out.append(analyze_account(rows, vertical, settings, sheet, sub, acct.to_dict()))
        del rows
    if progress is not None:
        progress(2 * n, 2 * n, "done")
    return out


EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls")
INDEX_COLUMNS = ["folder", "account", "platform", "currency", "status", "rows", "spend", "top_action",
                 "money_at_stake", "actions", "path", "error"]


def is_bundle_map(path: Path) -> bool:
    """A bundle map in a batch folder: a CSV named ``bundle_map*`` or ``*投放包*``."""
    name = path.name.lower()
    return path.suffix.lower() == ".csv" and (name.startswith("bundle_map") or "投放包" in path.name)


def folder_files(folder: Path) -> tuple[list[Path], Path | None]:
    """(export files, bundle map or None) of one account folder (not recursive, sorted)."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in EXPORT_SUFFIXES
                   and not p.name.startswith((".", "~$")))
    maps = [p for p in files if is_bundle_map(p)]
    return [p for p in files if p not in maps], (maps[0] if maps else None)


def _hidden(path: Path) -> bool:
    """A file the system or Excel leaves beside the user's (``.DS_Store``, ``~$book.xlsx``)."""
    return path.name.startswith((".", "~$"))


def skip_reason(path: Path, lang: str = "zh", in_account_folder: bool = True) -> str | None:
    """Why batch mode does not read ``path``, in ``lang`` (None: it is read): a file
    beside the account folders, a file whose name is not an export's, or one that is
    no report at all (empty, cannot be opened, a PDF, image, office document or
    archive: :func:`optimizer.reading.ingest.check_report`). A file that looks like a report
    but cannot be read whole is not skipped: its account fails, named."""
    if not in_account_folder:
        return st("skip.not_in_folder", lang)
    if path.suffix.lower() not in EXPORT_SUFFIXES:
        return st("skip.not_export", lang)
    try:
        check_report(path)
    except IngestError as exc:
        if exc.kind == "not_a_report":
            what = next((zh if lang == "zh" else en) for zh, en in FOREIGN_TYPES.values()
                         if exc.detail_zh == zh)
            return st("skip.foreign", lang, what=what)
        if exc.kind == "empty":
            return st("skip.empty", lang)
        if exc.kind == "unreadable":
            return st("skip.unreadable", lang, reason=(exc.detail_zh if lang == "zh" else exc.detail_en).strip("（）()"))
    return None


def _safe_name(text: str) -> str:
    bad = '<>:"/\\|?*\x00'
    cleaned = "".join("_" if c in bad or ord(c) < 32 else c for c in text).strip(" .")
    return cleaned or "account"


def workbook_paths(out: Path, analyses: Sequence[Analysis]) -> list[Path]:
    """``out`` for one account; ``<stem>_<account><suffix>`` for each of several."""
    if len(analyses) <= 1:
        return [out]
    seen: dict[str, int] = {}
    paths = []
    for a in analyses:
        name = _safe_name(a.account or a.platform)
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name}_{seen[name]}"
        paths.append(out.with_name(f"{out.stem}_{name}{out.suffix or '.xlsx'}"))
    return paths


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class AnalyzeError(ValueError):
    """A problem with what ``analyze`` was given (no exports or no account rows, a
    batch folder that is none or holds no exports), in both languages like :class:`~optimizer.errors.IngestError`:
    ``key`` — ``error.<key>`` of :mod:`optimizer.outputs.sheet_text` — and its parameters;
    ``str(error)`` is the English text."""

    def __init__(self, key: str, **params: object) -> None:
        self.key, self.params = key, params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` (``zh`` or ``en``)."""
        return st(f"error.{self.key}", lang, **self.params)


def error_text(exc: BaseException, lang: str = "en", verb: str = "read") -> str:
    """The one-line reason for a failed input or output, in ``lang`` (IngestError: file,
    row, column, value; :class:`AnalyzeError`; a bundle map's
    :class:`~optimizer.errors.UserError`; OSError: ``cannot read FILE: reason`` —
    ``verb`` ``write`` for an output —, the reason in ``lang`` for the common ones,
    :func:`optimizer.errors.os_reason`)."""
    if isinstance(exc, IngestError):
        return _one_line(exc.message(lang))
    if isinstance(exc, (AnalyzeError, UserError)):  # UserError: a bundle map's row, column and value
        return _one_line(exc.message(lang))
    if isinstance(exc, OSError):
        name = getattr(exc, "filename", None)
        if name:
            key = "error.cannot_write" if verb == "write" else "error.cannot_read"
            return _one_line(st(key, lang, file=name, reason=os_reason(exc, lang)))
        return _one_line(str(exc))
    return _one_line(str(exc))


def output_problem(out: str | Path | None, csv_dir: str | Path | None = None, batch: bool = False,
                   lang: str = "en") -> str | None:
    """Why ``analyze`` cannot write where it was asked to, in one line in ``lang``, or
    None when it can (checked before the analysis runs).

    ``out`` — the workbook (``batch`` False): it must end in ``.xlsx`` (any case), not
    be a folder, and its folder must exist; with ``batch``, the output folder: it may
    be created, inside a folder that exists, and must not be a file. ``csv_dir``
    (without ``batch``): the same as a batch output folder. No deep path is ever
    created: a mistyped folder is named, not made."""
    def folder(option: str, path: Path) -> str | None:
        if path.exists() and not path.is_dir():
            return st("error.not_a_dir", lang, option=option, path=path)
        parent = path.parent
        if not path.exists() and not parent.is_dir():
            return st("error.no_parent", lang, option=option, path=path, parent=parent)
        return None

    if out is not None:
        path = Path(out)
        if batch:
            problem = folder("--out", path)
            if problem:
                return problem
        elif path.is_dir():
            return st("error.out_is_folder", lang, path=path)
        elif path.suffix.lower() != ".xlsx":
            return st("error.out_suffix", lang, path=path)
        elif path.parent.exists() and not path.parent.is_dir():
            return st("error.not_a_dir", lang, option="--out", path=path.parent)
        elif not path.parent.exists():
            return st("error.no_parent", lang, option="--out", path=path, parent=path.parent)
    if csv_dir is not None and not batch:
        return folder("--csv-dir", Path(csv_dir))
    return None


@dataclass(frozen=True)
class _BatchTask:
    """One account folder of a batch (picklable: it may run in another process)."""

    folder: Path
    sub: Path
    out_dir: Path
    lang: str
    vertical: str
    settings: AnalysisSettings
    csv: bool


def _base_row(sub: Path) -> dict:
    return {"folder": sub.name, "account": "", "platform": "", "currency": "", "rows": 0, "spend": np.nan,
            "top_action": "", "money_at_stake": np.nan, "actions": 0, "path": "", "error": ""}


def _batch_folder(task: _BatchTask, progress: Progress | None = None) -> list[dict]:
    """The index rows of one account folder (its skipped files, then its accounts or its
    error), its workbooks written."""
    from optimizer.outputs.workbook import write_workbook

    folder, sub, lang = task.folder, task.sub, task.lang
    rows: list[dict] = []
    base = _base_row(sub)
    try:
        files, bmap = folder_files(sub)
        reasons = {p: skip_reason(p, lang) for p in sorted(sub.iterdir())
                   if p.is_file() and not _hidden(p) and p != bmap}
        for p, reason in reasons.items():
            if reason is not None:
                rows.append(_skipped_row(folder, p, reason, sub.name, lang))
        files = [p for p in files if reasons.get(p) is None]
        if not files:
            raise AnalyzeError("folder_no_exports", folder=sub.name)
        analyses = analyze_exports(files, task.vertical, task.settings, bmap, progress)
        if not analyses:
            raise AnalyzeError("no_rows")
    except (IngestError, OSError, ValueError) as exc:
        rows.append({**base, "status": "error", "error": error_text(exc, lang)})
        return rows
    for a, path in zip(analyses, workbook_paths(task.out_dir / f"{_safe_name(sub.name)}.xlsx", analyses), strict=True):
        write_workbook(a, path, lang)
        if task.csv:
            _write_csvs(a, path.with_suffix(""), lang)
        top = a.summary.iloc[0] if len(a.summary) else None
        rows.append({**base, "account": a.account, "platform": a.platform, "currency": a.currency,
                     "status": "ok", "rows": a.rows, "spend": a.spend,
                     "top_action": "" if top is None else top[f"action_{lang}"],
                     "money_at_stake": np.nan if top is None else top["money_at_stake"],
                     "actions": len(a.summary), "path": str(path)})
    return rows


def _skipped_row(folder: Path, path: Path, reason: str, where: str, lang: str) -> dict:
    return {"folder": where, "account": "", "platform": "", "currency": "", "status": "skipped",
            "rows": 0, "spend": np.nan, "top_action": "", "money_at_stake": np.nan, "actions": 0,
            "path": "", "error": st("skip.file", lang, file=path.relative_to(folder).as_posix(), reason=reason)}


def analyze_folder(folder: str | Path, out_dir: str | Path, lang: str = "zh", vertical: str = "auto",
                   settings: AnalysisSettings = AnalysisSettings(), progress: Progress | None = None,
                   csv: bool = False, engine: str | None = None, workers: int | None = None,
                   scheduler: str | None = None) -> pd.DataFrame:
    """Batch mode: every sub-folder of ``folder`` is one account's exports (and
    optionally its bundle map, see :func:`is_bundle_map`). Writes one workbook per
    account into ``out_dir`` (``<folder>.xlsx``; ``<folder>_<account>.xlsx`` when a
    folder holds several accounts) and ``index.xlsx`` / ``index.csv``, and returns the
    index: :data:`INDEX_COLUMNS` — folder, account, platform, currency, status
    (``ok`` | ``error`` | ``skipped``), rows, spend, top_action (the summary's first line, in
    ``lang``), money_at_stake (that line's money), actions (summary lines), path
    (the workbook), error (one line, in ``lang``). A failed folder does not stop the
    others. Every file not read is named on a ``skipped`` row (its folder, and in
    ``error`` the file and why: :func:`skip_reason`); hidden files (``.DS_Store``,
    Excel's ``~$`` lock files) are passed over. ``csv``: also write each sheet as CSV into ``<out_dir>/<workbook stem>/``.
    ``engine``: None analyses the folders one after the other in this process; ``local``
    / ``dask`` / ``inline`` run one task per folder on :mod:`optimizer.refresh.engines`
    (``workers``, ``scheduler``) — the same index and workbooks, progress then counted
    in folders done.
    """
    from optimizer.outputs.workbook import index_csv, write_index

    folder, out_dir = Path(folder), Path(out_dir)
    if not folder.is_dir():
        raise AnalyzeError("not_a_folder", path=folder)
    out_dir.mkdir(exist_ok=True)  # the output folder itself, inside one that exists (see output_problem)
    subs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    rows: list[dict] = []

    def skipped(path: Path, reason: str, where: str) -> None:
        rows.append(_skipped_row(folder, path, reason, where, lang))

    for p in sorted(folder.iterdir()):
        if p.is_file() and not _hidden(p):
            skipped(p, skip_reason(p, lang, in_account_folder=False), folder.name)
    if engine is None:
        for i, sub in enumerate(subs):
            def prog(done: float, total: float, label: str, i=i, name=sub.name) -> None:
                if progress is not None:
                    progress(i + done / total, len(subs), f"{name}: {label}")
            rows += _batch_folder(_BatchTask(folder, sub, out_dir, lang, vertical, settings, csv), prog)
    else:  # one task per account folder on a process pool or a Dask cluster: the same rows, in the same order
        from optimizer.refresh.engines import run_tasks
        finished = [0]

        def done(i: int, _entry) -> None:
            finished[0] += 1
            if progress is not None:
                progress(finished[0], len(subs), subs[i].name)
        tasks = [_BatchTask(folder, sub, out_dir, lang, vertical, settings, csv) for sub in subs]
        for task, entry in zip(tasks, run_tasks(_batch_folder, tasks, engine, workers, scheduler, done), strict=True):
            if isinstance(entry, BaseException):  # the worker itself was lost: the folder failed, named
                entry = [{**_base_row(task.sub), "status": "error", "error": error_text(entry, lang)}]
            rows += entry
    index = pd.DataFrame(rows, columns=INDEX_COLUMNS)
    write_index(index, out_dir / "index.xlsx", lang)
    (out_dir / "index.csv").write_bytes(index_csv(index, lang))
    if progress is not None:
        progress(len(subs), max(len(subs), 1), "done")
    return index


def _write_csvs(a: Analysis, folder: Path, lang: str) -> list[Path]:
    from optimizer.outputs.workbook import sheet_csvs
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i, (name, data) in enumerate(sheet_csvs(a, lang).items(), start=1):
        p = folder / f"{i:02d}_{_safe_name(name)}.csv"
        p.write_bytes(data)
        written.append(p)
    return written


# ---------------------------------------------------------------- JSON

def _num(v, digits: int = 2):
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if not math.isfinite(f) else round(f, digits)


def analysis_json(a: Analysis, lang: str = "zh", workbook: str | None = None) -> dict:
    """The ``--json`` object of one account (keys documented in :func:`cmd_analyze`)."""
    return {
        "platform": a.platform, "account": a.account, "account_label": a.label(lang), "currency": a.currency,
        "vertical": a.vertical,
        "date_start": _day(a.date_start), "date_end": _day(a.date_end), "rows": a.rows, "spend": _num(a.spend),
        "window_start": _day(a.window_start), "window_end": _day(a.window_end), "workbook": workbook,
        "counts": a.counts(),
        "summary": [{"rank": int(r["rank"]), "kind": r["kind"], "severity": r["severity"],
                     "money_at_stake": _num(r["money_at_stake"]), "basis": r[f"basis_{lang}"],
                     "count": int(r["count"]), "action": r[f"action_{lang}"], "action_zh": r["action_zh"],
                     "action_en": r["action_en"], "sheet": r["sheet"], "entity": r["entity"]}
                    for _, r in a.summary.iterrows()],
        "notes": [{"code": c, "message": en, "message_zh": zh} for c, zh, en in a.notes],
        **({} if a.adcopy is None else {"adcopy": {
            **a.adcopy_counts,
            "items": [{"code": r["code"], "campaign": r["campaign"], "ad_group": r["ad_group"], "stage": r["stage"],
                       "business_line": r["business_line"], "similarity": _num(r["similarity"], 1),
                       "message": r[f"finding_{lang}"], "message_zh": r["finding_zh"], "message_en": r["finding_en"]}
                      for _, r in a.adcopy.iterrows()]}}),
    }


# ---------------------------------------------------------------- text (without --json)

def _severity_name(code: str, lang: str) -> str:
    return st("severity.info", lang) if code == "info" else code_name(SEVERITY, code, lang)


def summary_text(a: Analysis, lang: str = "zh", workbook: str | Path | None = None, top: int = 10) -> list[str]:
    """The lines ``analyze`` prints for one account without ``--json``, every one in
    ``lang``: the account (platform, account, currency, vertical, days, rows, and the
    workbook written), its first ``top`` actions (rank, severity, action, money) and
    its notes."""
    label = account_label(a.platform, a.account, a.currency, lang)
    head = st("cli.account", lang, label=label, vertical=vertical_name(a.vertical, lang),
              start=_day(a.date_start) or "-", end=_day(a.date_end) or "-", rows=f"{a.rows:,}")
    lines = [head + (f" → {workbook}" if workbook else "")]
    width = max(len(_severity_name(c, lang)) for c in SEVERITY_ORDER)
    for r in a.summary.head(top).itertuples():
        m = "" if r.money_at_stake != r.money_at_stake else f"  [{money(r.money_at_stake, a.currency, 0)}]"
        severity = _severity_name(r.severity, lang).ljust(width)
        lines.append(f"  {r.rank:>2}. [{severity}] {getattr(r, f'action_{lang}')}{m}")
    if len(a.summary) > top:
        lines.append(st("cli.more", lang, n=len(a.summary) - top))
    lines += [st("cli.note", lang, text=zh if lang == "zh" else en) for _, zh, en in a.notes]
    return lines


def batch_text(index: pd.DataFrame, out_dir: str | Path, lang: str = "zh") -> list[str]:
    """The lines ``analyze --batch`` prints without ``--json``, in ``lang``: one per
    account analysed (folder, the account as :func:`optimizer.i18n.account_label`
    names it, workbook, its first action), then each file skipped (:func:`skip_reason`),
    then the index."""
    lines = [st("cli.batch_account", lang, folder=r.folder, path=r.path,
                account=account_label(r.platform, r.account, r.currency, lang))
             + (st("cli.batch_first", lang, action=r.top_action) if r.top_action else "")
             for r in index.itertuples() if r.status == "ok"]
    lines += [r.error for r in index.itertuples() if r.status == "skipped"]
    return lines + [st("cli.batch_index", lang, path=Path(out_dir) / "index.xlsx")]


# ---------------------------------------------------------------- progress bar

class ProgressBar:
    """A one-line progress bar on standard error, drawn only on a terminal, and only
    once a run has lasted ``delay`` seconds (short runs stay quiet)."""

    def __init__(self, enabled: bool | None = None, stream=None, width: int = 30, delay: float = 0.5) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = (self.stream.isatty() if enabled is None else enabled)
        self.width, self.delay = width, delay
        self.t0 = time.monotonic()
        self.drawn = False

    def __call__(self, done: float, total: float, label: str) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.t0
        if elapsed < self.delay and not self.drawn:
            return
        frac = min(max(done / total if total else 1.0, 0.0), 1.0)
        fill = int(round(frac * self.width))
        line = f"\r[{'#' * fill}{'.' * (self.width - fill)}] {frac:4.0%} {elapsed:5.1f}s {label[:40]:<40}"
        self.stream.write(line)
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


# ---------------------------------------------------------------- command line

def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text}")
    return value


class _Paragraphs(argparse.HelpFormatter):
    """Help text wrapped to the terminal, paragraph by paragraph (a blank line apart)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n\n".join(super(_Paragraphs, self)._fill_text(part, width, indent) for part in text.split("\n\n"))


def add_analyze_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``analyze`` to the sub-commands of ``python -m optimizer``."""
    from optimizer.keywords.lexicon import known_verticals
    p = subparsers.add_parser(
        "analyze", help="run the whole analysis and write the recommendations workbook",
        formatter_class=_Paragraphs,
        description="Run every analysis of the product on the exports of an account — keyword stages, negative "
                    "keywords, structure fixes, oCPC bundles, CPC keywords, split candidates, cost drift, "
                    "targets and compensation, landing pages — and write one Excel workbook: a summary sheet "
                    "(what to do first, ranked by money at stake) and one sheet per finding.",
        epilog="Batch mode: --batch FOLDER analyses every sub-folder of FOLDER as one account (its export files, "
               "and a bundle map named bundle_map*.csv or *投放包*.csv) and writes one workbook per account plus "
               "index.xlsx and index.csv into the --out folder.\n\n"
               "Exit status: 0 done; 1 bad input (one line on stderr, in --lang: file, row, column and what was "
               "expected; in batch mode: any account failed, see the index); 2 bad usage (also: --out not ending "
               "in .xlsx, or in a folder that does not exist).")
    p.add_argument("exports", nargs="*", metavar="EXPORT",
                   help="export files of one or more accounts (CSV, TSV, TXT, XLSX, XLS); not with --batch")
    p.add_argument("--batch", metavar="FOLDER", default=None,
                   help="analyse every sub-folder of FOLDER as one account (needs --out, a folder)")
    p.add_argument("--out", metavar="PATH", default=None,
                   help="the workbook to write (must end in .xlsx, in a folder that exists); with several "
                        "accounts, one workbook each named <stem>_<account>.xlsx; with --batch the output folder "
                        "(created if missing, inside a folder that exists). Without --out nothing is written")
    p.add_argument("--csv-dir", metavar="DIR", default=None,
                   help="also write every sheet as CSV (UTF-8 with BOM) into DIR (created if missing, inside a "
                        "folder that exists; with --batch: next to each workbook)")
    p.add_argument("--json", action="store_true",
                   help="print the summary and counts as JSON (one object per account; with --batch the index)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh",
                   help="language of the workbook's sheet names, headers and texts, of the printed summary and "
                        "of the error messages (default zh)")
    p.add_argument("--vertical", default="auto", choices=["auto", *known_verticals()],
                   help="the advertiser's vertical (default: detected from the keywords and search terms, as the "
                        "app does)")
    p.add_argument("--bundle-map", metavar="CSV", default=None,
                   help="current bundles: plan, bundle[, target_cpa, learning_start, …] (default: bundles read "
                        "from plan names like 包1-开锁); not with --batch")
    p.add_argument("--window-days", type=_positive_int, default=30,
                   help="evidence window of the bundle proposal, CPC keywords and splits, in days (default 30)")
    p.add_argument("--engine", choices=["local", "dask", "inline"], default=None,
                   help="with --batch: analyse the account folders in parallel, one task per folder — local: a "
                        "process pool on this machine; dask: a Dask cluster (--scheduler, else a local cluster of "
                        "--workers processes). The index and workbooks are the same as without it")
    p.add_argument("--workers", type=_positive_int, default=None,
                   help="with --engine: worker processes (default: the cores available)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="with --engine dask: the scheduler to submit to, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no human-readable summary")
    p.add_argument("--account", metavar="[FILE=]NAME", action="append", default=None,
                   help="the account of files that name none (Google Ads UI downloads): NAME for all of them, "
                        "FILE=NAME for one (repeat for several); by default each such file is an account of its "
                        "own unless its campaigns are those of an account already read")
    p.set_defaults(func=cmd_analyze)
    return p


def _usage(message: str) -> int:
    print(f"python -m optimizer analyze: error: {message}", file=sys.stderr)
    return 2


def cmd_analyze(args: argparse.Namespace) -> int:
    """``python -m optimizer analyze``. Exit 0 done, 1 bad input (one line on
    stderr, in ``--lang``), 2 bad usage (also an ``--out`` / ``--csv-dir`` that
    :func:`output_problem` refuses, before anything is read).

    ``--json`` (stable keys; new keys may be added, none renamed): a list with one
    object per account — ``platform, account`` (as in the export: empty when it
    names none), ``account_label`` (for people, in ``--lang``: ``Google Ads ·
    未命名账户 · USD``, :func:`optimizer.i18n.account_label`), ``currency, vertical,
    date_start, date_end, rows, spend, window_start, window_end, workbook`` (path or null),
    ``counts`` {keywords, negative_keywords, structure_fixes, bundles,
    bundles_ready, plans, cpc_keywords, split_candidates, drift_flags (events: keyword
    flags folded under their plan's flag not counted), drift_folded, drift_learning, over_target, compensation, landing_pages, landing_red,
    landing_url_findings, landing_mismatched_keywords} (the landing counts null when
    that analysis was skipped; the same figures as the Landing pages page's tiles and
    ``landing --json``'s ``counts``), ``summary`` [{rank, kind
    (negatives | drift | target | compensation | split | landing | structure |
    bundles | cpc), severity (high | medium | low | saving | info),
    money_at_stake, basis, count, action, action_zh, action_en, sheet, entity}],
    ``notes`` [{code, message, message_zh}]. With ``--batch``: an object
    {``index`` (index.xlsx path), ``index_csv``, ``accounts``: [{folder, account,
    account_label (null for a failed folder), platform, currency, status, rows,
    spend, top_action, money_at_stake, actions, path, error}]}.
    """
    from optimizer.outputs.workbook import write_workbook

    lang = args.lang
    if args.batch:
        if args.exports:
            return _usage(st("usage.exports_and_batch", lang))
        if not args.out:
            return _usage(st("usage.batch_out", lang))
        if args.bundle_map:
            return _usage(st("usage.batch_map", lang))
    elif not args.exports:
        return _usage(st("usage.no_exports", lang))
    engine = getattr(args, "engine", None)
    if (engine or getattr(args, "workers", None)) and not args.batch:
        return _usage(st("usage.engine_batch", lang))
    if getattr(args, "scheduler", None) and engine != "dask":
        return _usage(st("usage.scheduler_dask", lang))
    problem = output_problem(args.out, args.csv_dir, bool(args.batch), lang)
    if problem:
        return _usage(problem)

    settings = AnalysisSettings(window_days=args.window_days)
    bar = ProgressBar(enabled=False if args.quiet else None)
    if args.batch:
        try:
            index = analyze_folder(args.batch, args.out, lang, args.vertical, settings, bar,
                                   csv=bool(args.csv_dir), engine=engine, workers=getattr(args, "workers", None),
                                   scheduler=getattr(args, "scheduler", None))
        except (OSError, ValueError) as exc:
            bar.close()
            print(f"error: {error_text(exc, lang, 'write' if isinstance(exc, OSError) else 'read')}",
                  file=sys.stderr)
            return 1
        bar.close()
        failed = index.loc[index["status"] == "error"]
        if args.json:
            json.dump({"index": str(Path(args.out) / "index.xlsx"), "index_csv": str(Path(args.out) / "index.csv"),
                       "accounts": [{**{k: (_num(v) if k in ("spend", "money_at_stake") else
                                            (int(v) if k in ("rows", "actions") else v))
                                        for k, v in r.items()},
                                     "account_label": (account_label(r["platform"], r["account"], r["currency"], lang)
                                                       if r["status"] == "ok" else None)}
                                    for r in index.to_dict("records")]},
                      sys.stdout, ensure_ascii=False, indent=1)
            print()
        elif not args.quiet:
            print("\n".join(batch_text(index, args.out, lang)))
        for r in failed.itertuples():
            print(f"error: {r.folder}: {r.error}", file=sys.stderr)
        return 1 if len(failed) else 0

    try:
        analyses = analyze_exports(args.exports, args.vertical, settings, args.bundle_map, bar, args.account)
    except (IngestError, OSError, ValueError) as exc:
        bar.close()
        print(f"error: {error_text(exc, lang)}", file=sys.stderr)
        return 1
    bar.close()
    if not analyses:
        print(f"error: {error_text(AnalyzeError('no_rows'), lang)}", file=sys.stderr)
        return 1
    paths: list[Path | None] = [None] * len(analyses)
    try:
        if args.out:  # its folder exists (output_problem): never created here
            paths = list(workbook_paths(Path(args.out), analyses))
            for a, path in zip(analyses, paths, strict=True):
                write_workbook(a, path, lang)
        if args.csv_dir:
            for a in analyses:
                sub = Path(args.csv_dir) if len(analyses) == 1 else Path(args.csv_dir) / _safe_name(a.account or a.platform)
                _write_csvs(a, sub, lang)
    except OSError as exc:
        print(f"error: {error_text(exc, lang, verb='write')}", file=sys.stderr)
        return 1
    if args.json:
        json.dump([analysis_json(a, lang, str(p) if p else None) for a, p in zip(analyses, paths, strict=True)],
                  sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif not args.quiet:
        for a, p in zip(analyses, paths, strict=True):
            print("\n".join(summary_text(a, lang, p)))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``analyze`` alone (``python -m optimizer.outputs.analyze``), until it is wired into
    :mod:`optimizer.cli`."""
    memory.tune()
    parser = argparse.ArgumentParser(prog="python -m optimizer")
    sub = parser.add_subparsers(dest="command", required=True)
    add_analyze_parser(sub)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["AnalyzeError", "INDEX_COLUMNS", "ProgressBar", "add_analyze_parser", "analysis_json", "analyze_exports",
           "analyze_folder", "batch_text", "cmd_analyze", "error_text", "output_problem", "summary_text"]
