"""``python -m optimizer refresh``: recompute the accounts whose data or settings changed
(:func:`optimizer.refresh.run.refresh`) and say what came of each.

Command line (wired into :mod:`optimizer.cli` by :func:`add_refresh_parser`)::

    python -m optimizer refresh [--workspace NAME_OR_ID ...] [--engine local|dask|inline]
        [--scheduler ADDRESS] [--workers N] [--database-url URL] [--data-dir DIR]
        [--no-audit] [--audit-interval SECONDS] [--json] [--lang zh|en] [--quiet]

Prints one line per account recomputed (and its landing pages audited), one line per
account failed with why (standard error), then the summary: accounts recomputed, up to
date, failed. Exit status: 0 when no account failed, 1 when any did or the database,
a workspace asked for or the engine could not be used (one line on standard error, in
``--lang``), 2 on bad usage.
"""
from __future__ import annotations

import argparse
import json
import sys

from optimizer.outputs.analyze import _positive_int  # --workers as analyze --batch reads it
from optimizer.outputs.sheet_text import st


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {text}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {text}")
    return value


def add_refresh_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``refresh`` to the sub-commands of ``python -m optimizer``."""
    p = subparsers.add_parser(
        "refresh", help="recompute the accounts whose data or settings changed (for cron, a timer or Dask)",
        description="Recompute and keep, for every account whose data or settings changed since its last "
                    "refresh, what the pages show (the same preparation an upload starts), and audit its "
                    "landing pages (one request per site at a time interval). Accounts run in parallel: on a "
                    "local process pool, or one task per account on a Dask cluster.",
        epilog="Exit status: 0 no account failed; 1 an account failed (each named on stderr with why), or the "
               "database, a workspace or the engine could not be used; 2 bad usage.")
    p.add_argument("--workspace", action="append", default=None, metavar="NAME_OR_ID",
                   help="refresh this workspace (by name, or id; repeat for several; default: every workspace)")
    p.add_argument("--engine", choices=["local", "dask", "inline"], default="local",
                   help="local: a process pool on this machine (default); dask: one task per account on a Dask "
                        "cluster (--scheduler, else a local cluster of --workers processes); inline: in this process")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="the Dask scheduler to submit to, e.g. tcp://10.0.0.5:8786 (needs --engine dask)")
    p.add_argument("--workers", type=_positive_int, default=None,
                   help="worker processes (local, or the local Dask cluster; default: the cores available)")
    p.add_argument("--database-url", default=None,
                   help="SQLAlchemy URL of the store (default: $OPTIMIZER_DATABASE_URL, else optimizer.db in "
                        "--data-dir)")
    p.add_argument("--data-dir", default=None, help="folder of the SQLite database (default: $OPTIMIZER_DATA_DIR or data/)")
    p.add_argument("--no-audit", action="store_true", help="do not audit the landing pages")
    p.add_argument("--audit-interval", type=_seconds, default=2.0,
                   help="seconds between two requests to one site during the audits (default 2)")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON (see optimizer.refresh.run.Report)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the messages (default zh)")
    p.add_argument("--quiet", action="store_true", help="print only failures and the summary")
    p.set_defaults(func=cmd_refresh)
    return p


def _label(o, lang: str) -> str:
    from optimizer.i18n import account_label
    return account_label(*o.account, lang)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def cmd_refresh(args: argparse.Namespace) -> int:
    from optimizer.refresh.run import NoSuchWorkspace, Where, refresh
    from optimizer.store.engine import StoreError, StoreUnavailable, default_data_dir

    lang = args.lang
    if args.scheduler and args.engine != "dask":
        print("python -m optimizer refresh: error: --scheduler needs --engine dask", file=sys.stderr)
        return 2
    where = Where(args.database_url, str(args.data_dir or default_data_dir()))

    def show(o) -> None:
        if o.status == "failed":
            reason = o.error[0] if lang == "zh" else o.error[1]
            text = (st("refresh.workspace_failed", lang, workspace=o.workspace_name, reason=reason) if not any(o.account)
                    else st("refresh.failed", lang, workspace=o.workspace_name, account=_label(o, lang), reason=reason))
            print(text, file=sys.stderr, flush=True)
        elif o.status == "recomputed" and not (args.quiet or args.json):
            print(st("refresh.recomputed", lang, workspace=o.workspace_name, account=_label(o, lang),
                     pieces=o.computed, seconds=o.seconds), flush=True)
            if o.audited or o.unchecked:
                print(st("refresh.audited", lang, audited=o.audited, unchecked=o.unchecked), flush=True)

    try:
        report = refresh(where, args.workspace, args.engine, args.workers, args.scheduler, audit=not args.no_audit,
                         audit_interval=args.audit_interval, on_done=show)
    except NoSuchWorkspace as exc:
        print(f"error: {exc.message(lang)}", file=sys.stderr)
        return 1
    except StoreUnavailable as exc:
        print(f"error: {_one_line(st('refresh.store', lang, reason=exc.message(lang)))}", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"error: {_one_line(st('refresh.store', lang, reason=exc))}", file=sys.stderr)
        return 1
    except (OSError, TimeoutError) as exc:  # a Dask scheduler that does not answer, a pool that cannot start
        print(f"error: {_one_line(st('refresh.engine', lang, engine=args.engine, reason=exc))}", file=sys.stderr)
        return 1
    counts = {s: len(report.by_status(s)) for s in ("recomputed", "up_to_date", "failed")}
    if args.json:
        json.dump(report.as_json(), sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(st("refresh.summary", lang, **counts, seconds=report.seconds, engine=report.engine,
                 workers=report.workers))
    return 1 if counts["failed"] else 0


__all__ = ["add_refresh_parser", "cmd_refresh"]
