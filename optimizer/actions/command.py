"""``python -m optimizer bulk``: the bulk-edit files of the changes the analysis proposes.

    python -m optimizer bulk EXPORT... --target {google_editor,google_web,microsoft,baidu} --out DIR
        [--actions negatives,bids,pauses,urls] [--bundle-map CSV] [--lang zh|en]

For each account of the exports: its change table (:func:`optimizer.actions.changes.proposed_changes`),
written by the target's writer (:mod:`optimizer.actions.formats`) into ``DIR`` (one sub-folder
per account when the exports hold several), with a README.txt in ``--lang`` saying what each
file does, how to import it, what was assumed and which changes could not be written.

Exit status: 0 done (changes that cannot be written are listed in README.txt, not an error);
1 bad input (one line on standard error, in ``--lang``: file, row, column); 2 bad usage (an
unknown action, an ``--out`` that is a file or inside a folder that does not exist — checked
before anything is read; the ``--out`` folder itself is created).

Only the accounts of the target's platform are written (a Baidu account's changes as a Google
Ads Editor file would add campaigns and keywords to a Google account, not edit any): the
others are listed as skipped, and when no account is of that platform nothing is written and
the exit status is 1.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd

from optimizer.actions.changes import ACTIONS, proposed_and_held, totals
from optimizer.actions.formats import TARGETS, readme, targets_for_platform, write_bulk
from optimizer.actions.formats.baidu import plan_generations
from optimizer.outputs.sheet_text import st

def bid_recommendations(model, clf, sheet=None, targets=None, currency=None) -> pd.DataFrame:
    """The bid recommendations the bulk files write: :meth:`AccountModel.bids
    <optimizer.analysis.account.AccountModel.bids>` over the oCPC bundles page's window,
    with the decided bundle map ``sheet`` and the user's kept ``targets`` (default: none
    kept) — the same frame the Bids page and the workbook show."""
    from optimizer.actions.bids import BidTargets
    from optimizer.bundles.propose import BundleSettings
    targets = targets or BidTargets()
    return model.bids(clf, BundleSettings(), targets.bid_settings(), sheet, targets, currency)


def file_settings(target: str, rows: pd.DataFrame) -> dict:
    """The writer's settings for an account's rows: Baidu's 匹配模式 labels follow each plan's
    export generation (:func:`optimizer.actions.formats.baidu.plan_generations`)."""
    return {"generation": plan_generations(rows)} if target == "baidu" else {}


def parse_actions(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(a.strip() for a in text.split(",") if a.strip()))
    bad = [a for a in names if a not in ACTIONS]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"unknown action(s) {', '.join(bad) or '(none)'}: choose from "
                                         f"{', '.join(ACTIONS)}")
    return names


def add_bulk_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "bulk", help="write bulk-edit files of the proposed changes for an ad platform's importer",
        description="Write the changes the analysis proposes — negative keywords, pauses of keywords that only "
                    "waste money, landing-URL fixes, bid changes — as bulk-edit files for Google Ads Editor, Google "
                    "Ads web bulk uploads, Microsoft Advertising Bulk or Baidu (keyword file and negative lists), "
                    "with a README.txt saying what each file does and how to import it.",
        epilog="Exit status: 0 done; 1 bad input (one line on stderr, in --lang); 2 bad usage.")
    p.add_argument("exports", nargs="+", metavar="EXPORT", help="export files (keyword and search-term reports)")
    p.add_argument("--target", required=True, choices=TARGETS, help="the importer to write for")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="folder for the files (created if missing, inside a folder that exists)")
    p.add_argument("--actions", type=parse_actions, default=ACTIONS, metavar="LIST",
                   help=f"comma-separated, of {','.join(ACTIONS)} (default all)")
    p.add_argument("--bundle-map", metavar="CSV", default=None,
                   help="bundles and their target CPAs (the pauses' target; default: the line's CPA)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of README.txt and messages")
    p.add_argument("--baidu-csv", action="store_true", help="Baidu keyword file as GB18030 CSV instead of .xlsx")
    p.add_argument("--editor-utf8", action="store_true",
                   help="Google Ads Editor file as UTF-8 comma CSV instead of UTF-16 tab-separated")
    p.add_argument("--account", metavar="[FILE=]NAME", action="append", default=None,
                   help="the account of files that name none (Google Ads UI downloads)")
    p.set_defaults(func=cmd_bulk)
    return p


def _usage(message: str) -> int:
    print(f"python -m optimizer bulk: error: {message}", file=sys.stderr)
    return 2


def cmd_bulk(args: argparse.Namespace) -> int:
    from optimizer.analysis.account import AccountModel
    from optimizer.bundles.targets import read_bundle_sheet
    from optimizer.errors import IngestError, UserError
    from optimizer.i18n import account_label, money
    from optimizer.keywords.trade import account_classifier
    from optimizer.model.dataset import accounts, for_account, load_exports
    from optimizer.outputs.analyze import _safe_name, error_text, output_problem

    lang = args.lang
    problem = output_problem(args.out, batch=True, lang=lang)
    if problem:
        return _usage(problem)
    try:
        table = load_exports(args.exports, args.account)
        sheet = read_bundle_sheet(Path(args.bundle_map).read_bytes(), args.bundle_map) if args.bundle_map else None
    except (IngestError, UserError, OSError, ValueError) as exc:
        print(f"error: {error_text(exc, lang)}", file=sys.stderr)
        return 1
    accts = accounts(table)
    if accts.empty:
        print(f"error: {st('error.no_rows', lang)}", file=sys.stderr)
        return 1
    settings = {"baidu": {"file_format": "csv"} if args.baidu_csv else {},
                "google_editor": {"encoding": "utf8_comma"} if args.editor_utf8 else {}}.get(args.target, {})
    out = Path(args.out)
    generated = datetime.now().strftime("%Y-%m-%d %H:%M")
    own = accts["platform"].map(lambda p: args.target in targets_for_platform(p))
    for _, acct in accts.loc[~own].iterrows():   # another platform's file would add objects, not edit them
        label = account_label(acct["platform"], acct["account"], acct["currency"], lang)
        print(st("bulk.cli.skipped", lang, account=label, target=st(f"bulk.target.{args.target}", lang)))
    if not own.any():
        print(f"error: {st('bulk.cli.no_account', lang, target=st(f'bulk.target.{args.target}', lang))}",
              file=sys.stderr)
        return 1
    accts = accts.loc[own]
    try:
        out.mkdir(exist_ok=True)
        for _, acct in accts.iterrows():
            rows = for_account(table, acct["platform"], acct["account"], acct["currency"])
            key = f"{acct['platform']}:{acct['account']}:{acct['currency']}"
            model = AccountModel(None, key, ("cli", tuple(args.exports)), lambda rows=rows: rows)
            clf = account_classifier(rows)
            bids = bid_recommendations(model, clf, sheet, None, acct["currency"] or None) if "bids" in args.actions else None
            changes, aside = proposed_and_held(model, clf, args.actions, sheet=sheet, bid_recommendations=bids)
            result = write_bulk(changes, args.target, **{**file_settings(args.target, rows), **settings})
            folder = out if len(accts) == 1 else out / _safe_name(acct["account"] or acct["platform"])
            folder.mkdir(exist_ok=True)
            for f in result.files:
                (folder / f.name).write_bytes(f.data)
            label = account_label(acct["platform"], acct["account"], acct["currency"], lang)
            (folder / "README.txt").write_bytes(readme(result, lang, label, generated, aside).encode("utf-8-sig"))
            tot = totals(changes)
            cur = acct["currency"] or None
            saving, gain = (float(tot[c].sum()) if len(tot) else 0.0 for c in ("saving", "gain"))
            print(st("bulk.cli.account", lang, account=label, n=len(changes), saving=money(saving, cur, 0)) +
                  (st("bulk.cli.gain", lang, gain=money(gain, cur, 0)) if gain > 0 else ""))
            if changes.empty:
                print("  " + st("bulk.cli.none", lang))
            for f in result.files:
                print("  " + st("bulk.cli.wrote", lang, path=folder / f.name, rows=f.rows))
            if len(result.unwritable):
                print("  " + st("bulk.cli.unwritable", lang, n=len(result.unwritable)))
            if len(aside):
                print("  " + st("bulk.cli.aside", lang, n=len(aside)))
    except OSError as exc:
        print(f"error: {error_text(exc, lang, verb='write')}", file=sys.stderr)
        return 1
    return 0


__all__ = ["add_bulk_parser", "bid_recommendations", "cmd_bulk", "file_settings",
           "parse_actions"]
