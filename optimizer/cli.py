"""Command line for analysts and scripts: ``python -m optimizer COMMAND ...``.

``bids EXPORT... [--json] [--bundle-map CSV] [--target-cpa X] [--max-step 0.2] [--lang zh|en]``
recommends bids for the keywords on manual CPC (:func:`cmd_bids`).
``inspect FILE... [--json]`` reads each export and prints what was recognised;
``classify [FILE|-] [--vertical NAME|auto] [--format csv|json]`` labels keywords
(see :mod:`optimizer.keywords.stages`); ``evaluate`` scores the classifier; ``bundles
EXPORT... [--window-days N] [--min-conversions N] [--max-cpa-ratio R] [--json]``
proposes oCPC bundles (see :mod:`optimizer.bundles.propose`; JSON keys per account:
platform, account, currency, vertical, window_start, window_end, bundles [bundle,
kind, business_lines, plans, conversions, cost, cpa, cvr, target_cpa, cpa_ratio,
cvr_ratio, meets_threshold, within_limits, threshold_rules, reason, reason_zh],
plans, cpc_keywords, split_candidates). ``creatives EXPORT... [--json]`` checks ad copy
(see :mod:`optimizer.adcopy.analysis`; JSON keys per account: platform, account, currency,
vertical, ads, units, findings [code, campaign, ad_group, stage, business_line, ads, cue,
other_campaign, other_ad_group, similarity, message, message_zh], unit_tests, ad_list).
With ``--json`` it prints a list with one object per file; the keys below are
stable (new keys may be added, none renamed or removed):

- ``file``, ``platform`` (baidu | google_ads | microsoft_ads | generic),
  ``report_type`` (keyword | search_term | campaign | ad_group | ad | location | …),
  ``encoding``, ``delimiter``, ``sheet``, ``header_line`` (1-based), ``title``
- ``rows`` (data rows read), ``skipped_rows`` and ``skipped`` (reason -> count:
  blank, totals, footer, repeated_header, account_line)
- ``date_start``, ``date_end`` (ISO dates or null), ``daily`` (rows are days)
- ``accounts``, ``campaigns``, ``ad_groups``, ``keywords``, ``search_terms``
  (distinct counts, null when the report has no such column)
- ``impressions``, ``clicks``, ``cost``, ``conversions`` (sums, null when absent),
  ``currency``
- ``totals_check`` (ok | mismatch | absent) and ``totals`` (each totals row: label,
  matched, differences)
- ``columns`` (canonical field -> header in the file), ``unmapped``, ``notes``
- ``error``: null, or {kind, file, row, column, value, message, message_zh} when the
  file could not be read (then the other keys are absent).

Exit status: 0 when every file was read, 1 when any could not be, 2 on bad usage.

``users COMMAND ...`` manages the app's local accounts: it is handed to
:func:`optimizer.store.auth.main_users` before the other commands are parsed, and listed in
``--help`` with them; ``verticals list|show|delete`` likewise
(:func:`optimizer.keywords.verticals.main_verticals`). The verticals saved in the app's database
(``$OPTIMIZER_DATABASE_URL``, else ``optimizer.db`` in ``$OPTIMIZER_DATA_DIR`` or
``data/``, when it exists) are ``--vertical`` choices and detected like the built-in ones.
``alerts send [--dry-run] [--user NAME] [--portfolio FILE] [--events FILE]`` sends the
alerts and digests due now and retries the failed ones
(:func:`optimizer.notify.dispatch.main_alerts`), for cron.
"""
from __future__ import annotations

import argparse
import json
import sys

from pathlib import Path

import pandas as pd

from optimizer import memory
from optimizer.reading.decode import decode_text
from optimizer.errors import IngestError
from optimizer.quality.evaluate import predict, predict_generic, report, score, score_generic
from optimizer.reading.ingest import ReadInfo, Settings, read_export
from optimizer.keywords.lexicon import known_verticals, line_label, use_catalog
from optimizer.outputs.report import csv_bytes
from optimizer.bundles.propose import (THRESHOLD_RULES, BundleSettings, bundles_from_names, cpc_keywords, plan_evidence, propose,
                      read_bundle_map, split_candidates, summarize, window_performance)
from optimizer.model.dataset import accounts, for_account, load_exports
from optimizer.keywords.stages import (LABEL_COLUMNS, OUTPUT_COLUMNS, Classifier, account_evidence, classify,
                                       keyword_performance, vertical_evidence)
from optimizer.keywords.trade import account_classifier


def _human(info: ReadInfo) -> str:
    def n(v: float | None, money: bool = False) -> str:
        if v is None:
            return "-"
        return f"{v:,.2f}" if money else f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"

    skipped = ", ".join(f"{k} {v}" for k, v in info.skipped.items()) or "none"
    lines = [
        f"{info.file}",
        f"  platform      {info.platform}   report {info.report_type}",
        f"  encoding      {info.encoding or 'workbook'}" + (f"   delimiter {info.delimiter!r}" if info.delimiter else "")
        + (f"   sheet {info.sheet}" if info.sheet else "") + f"   header line {info.header_row}",
        f"  rows          {info.rows:,} read, {info.skipped_rows:,} skipped ({skipped})",
        f"  dates         {info.date_start or '-'} .. {info.date_end or '-'}" + ("  (daily)" if info.daily else ""),
        f"  accounts {n(info.accounts)}  plans {n(info.campaigns)}  units {n(info.ad_groups)}  "
        f"keywords {n(info.keywords)}  search terms {n(info.search_terms)}",
        f"  impressions {n(info.impressions)}  clicks {n(info.clicks)}  cost {n(info.cost, True)} "
        f"{info.currency or ''}  conversions {n(info.conversions)}",
        f"  totals check  {info.totals_check}" + _totals_line(info),
    ]
    lines += [f"  note          {note.en}" for note in info.notes]
    return "\n".join(lines)


def _totals_line(info: ReadInfo) -> str:
    matched = [t.label for t in info.totals if t.matched]
    if matched:
        others = len(info.totals) - len(matched)
        return (f"  (rows add up to {', '.join(dict.fromkeys(matched))}"
                + (f"; {others} other totals rows cover more than this report)" if others else ")"))
    return "".join(f"\n    {t.label}: " + ", ".join(f"{k} rows {a:,.2f} vs total {b:,.2f}"
                                                   for k, (a, b) in t.differences.items())
                   for t in info.totals)


def cmd_inspect(args: argparse.Namespace) -> int:
    settings = Settings(max_file_mb=args.max_file_mb)
    results: list[dict] = []
    failed = False
    for path in args.files:
        try:
            info = read_export(path, settings=settings).info
        except IngestError as exc:
            failed = True
            results.append({"file": exc.file, "error": exc.as_dict()})
            if not args.json:
                print(f"{exc.file}\n  error         {exc.message('en')}", file=sys.stderr)
            continue
        d = info.as_dict()
        d["error"] = None
        results.append(d)
        if not args.json:
            print(_human(info))
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
    return 1 if failed else 0


def _read_keywords(source: str) -> tuple[pd.DataFrame | None, list[str]]:
    """What to classify: an export's table (and its distinct keywords, or search terms for a
    search-term report, in order of first appearance), or (None, the lines of a plain list;
    '-' for standard input)."""
    data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    if source != "-":
        try:
            table = load_exports([source])
        except IngestError as exc:
            if exc.kind not in ("unknown_format", "no_header", "empty"):
                raise
        else:
            field = "search_term" if table["search_term"].notna().any() else "keyword"
            return table, list(dict.fromkeys(table[field].dropna().astype(str)))
    text, _ = decode_text(data)
    return None, [line.strip() for line in text.splitlines() if line.strip()]


def _classify_export(table: pd.DataFrame, keywords: list[str], vertical: str) -> pd.DataFrame:
    """The labels of an export's keywords as the pages give them: per account, its classifier
    (:func:`optimizer.keywords.trade.account_classifier`: lines from its structure in generic
    mode, the off-target cues it sells not off target, a keyword naming no line its plan's
    line), one row per keyword (its first plan's labels), in ``keywords``' order."""
    field = "search_term" if table["search_term"].notna().any() else "keyword"
    parts = []
    for acct, rows, clf in _each_account(table, vertical):
        if vertical == "auto" and len(rows):  # what was detected, on what evidence (standard error)
            print(f"vertical: {clf.vertical} — {account_evidence(rows).reason('en')}"
                  + (f" ({_account(dict(acct))})" if acct["account"] else ""), file=sys.stderr)
        perf = keyword_performance(rows, clf, field)
        parts.append(perf.assign(vertical=clf.vertical).rename(columns={field: "_kw"})[
            ["_kw", "vertical", *LABEL_COLUMNS]])
        rest = pd.Series(rows[field].dropna().astype(str).unique(), dtype=object)
        rest = rest.loc[~rest.isin(perf[field])]
        if len(rest):  # a keyword list without figures: the labels of the words alone
            parts.append(clf.classify(rest).rename(columns={"keyword": "_kw"})[["_kw", "vertical", *LABEL_COLUMNS]])
    labels = pd.concat(parts, ignore_index=True).drop_duplicates("_kw").set_index("_kw")
    out = labels.reindex(keywords).reset_index(names="keyword")
    out["urgency"] = out["urgency"].astype("int8")
    out["off_target"] = out["off_target"].astype("int8")
    return out[list(OUTPUT_COLUMNS)]


def cmd_classify(args: argparse.Namespace) -> int:
    try:
        table, keywords = _read_keywords(args.source)
    except IngestError as exc:
        print(f"error: {exc.message('en')}", file=sys.stderr)
        return 1
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.source}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return 1
    if table is not None and keywords:
        out = _classify_export(table, keywords, args.vertical)
    else:
        evidence = vertical_evidence(keywords) if args.vertical == "auto" else None
        vertical = evidence.vertical if evidence is not None else args.vertical
        if evidence is not None:  # what was detected, and on what evidence (standard error: the output stays data)
            print(f"vertical: {vertical} — {evidence.reason('en')}", file=sys.stderr)
        out = Classifier(vertical).classify(keywords)
    if args.format == "json":
        json.dump(out.to_dict(orient="records"), sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        sys.stdout.write(csv_bytes(out, encoding="utf-8").decode("utf-8"))  # formula-safe
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    try:
        ev = pd.read_csv(args.eval, dtype=str, keep_default_na=False)
        truth = json.loads(Path(args.truth).read_text(encoding="utf-8")) if args.truth else None
    except OSError as exc:
        return _input_error(exc)
    pred = predict(ev)
    print(f"# {args.eval}: {len(ev)} keywords")
    print(report(score(ev, pred)))
    if truth is not None:
        for kind in ("keywords", "search_terms"):
            rows = pd.DataFrame(truth[kind])
            text = rows["search_term"] if "search_term" in rows else rows["keyword"]
            pred = classify(text, "auto")
            print(f"# {args.truth} {kind}: {len(rows)}")
            print(report(score(rows, pred)))
    if args.generic:
        try:
            gen = pd.read_csv(args.generic, dtype=str, keep_default_na=False)
            gen_accounts = pd.read_csv(Path(args.generic).with_name("generic_accounts.csv"))
        except OSError as exc:
            return _input_error(exc)
        pred, detected = predict_generic(gen, gen_accounts)
        print(f"# {args.generic}: {len(gen)} keywords of {gen['trade'].nunique()} trades outside the built-in "
              "verticals, each classified as its trade's account (generic_accounts.csv) is")
        print("# vertical detected: " + ", ".join(f"{t} {v}" for t, v in detected.items()))
        print(report(score_generic(gen, pred)))
    return 0


def cmd_bundles(args: argparse.Namespace) -> int:
    try:
        table = load_exports(args.exports, args.account)
        membership, targets = (read_bundle_map(Path(args.bundle_map).read_bytes(), args.bundle_map)
                               if args.bundle_map else (None, {}))
    except (IngestError, OSError, ValueError) as exc:
        return _input_error(exc)
    settings = BundleSettings(window_days=args.window_days, min_conversions=args.min_conversions,
                              max_cpa_ratio=args.max_cpa_ratio, max_cvr_ratio=args.max_cvr_ratio,
                              max_target_cpa=args.max_target_cpa)
    results = []
    for acct, rows, clf in _each_account(table, args.vertical):
        vertical = clf.vertical
        window_rows, perf = window_performance(rows, clf, settings)
        ev = plan_evidence(rows, clf, settings, perf)
        if ev.empty:
            continue
        prop = propose(ev, settings)
        summary = summarize(prop, settings)
        current = membership if membership is not None else bundles_from_names(ev["campaign"])
        splits = split_candidates(ev, current, targets, max_cpa_ratio=settings.max_cpa_ratio)
        cpc = cpc_keywords(perf, window_rows)
        results.append({
            "platform": acct["platform"], "account": acct["account"], "currency": acct["currency"],
            "vertical": vertical,
            "window_start": str(ev["window_start"].iloc[0].date()), "window_end": str(ev["window_end"].iloc[0].date()),
            "bundles": [{
                "bundle": r["bundle"], "kind": r["kind"], "business_lines": r["business_lines"].split("、"),
                "plans": r["plans"].split("、"), "conversions": r["conversions"], "cost": round(r["cost"], 2),
                "cpa": _num(r["cpa"]), "cvr": _num(r["cvr"], 4), "target_cpa": _num(r["target_cpa"]),
                "cpa_ratio": _num(r["cpa_ratio"], 3), "cvr_ratio": _num(r["cvr_ratio"], 3),
                "meets_threshold": bool(r["meets_threshold"]), "within_limits": bool(r["within_limits"]),
                "threshold_rules": {k: bool(r[f"rule_{k}"]) for k in THRESHOLD_RULES},
                "reason": r["reason_en"], "reason_zh": r["reason_zh"]} for _, r in summary.iterrows()],
            "plans": [{"campaign": r["campaign"], "business_line": r["business_line"], "bundle": r["bundle"],
                       "conversions": r["conversions"], "clicks": r["clicks"], "cost": round(r["cost"], 2),
                       "cvr": _num(r["cvr"], 4), "cvr_shrunk": _num(r["cvr_shrunk"], 4),
                       "cpa": _num(r["cpa"]), "cpa_shrunk": _num(r["cpa_shrunk"]),
                       "cpa_interval": [_num(r["cpa_low"]), _num(r["cpa_high"])], "thin": bool(r["thin"])}
                      for _, r in prop.iterrows()],
            "cpc_keywords": [{"keyword": r["keyword"], "campaign": r["campaign"], "business_line": r["business_line"],
                              "stage": r["stage"], "conversions": r["conversions"], "conv_share": _num(r["conv_share"], 3),
                              "reason": r["reason_en"]} for _, r in cpc.iterrows()],
            "split_candidates": [{"bundle": r["bundle"], "campaign": r["campaign"], "cpa": _num(r["cpa"]),
                                  "rest_cpa": _num(r["rest_cpa"]), "q_value": _num(r["q_value"], 4),
                                  "split": bool(r["split"]), "reason": r["reason_en"]}
                                 for _, r in splits.iterrows()],
        })
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for res in results:
        print(f"{_account(res)} ({res['vertical']}), "
              f"{res['window_start']} .. {res['window_end']}")
        for b in res["bundles"]:
            lines = "/".join(line_label(x, "en") for x in b["business_lines"])  # unknown reads Not recognised
            print(f"  {b['bundle']:<4} {b['kind']:<9} {lines:<12} conv {b['conversions']:>6.0f}  "
                  f"CPA {b['cpa'] if b['cpa'] is not None else '-':>8}  target {b['target_cpa'] if b['target_cpa'] is not None else '-':>8}  "
                  f"{', '.join(b['plans'])}")
            print(f"       {b['reason']}")
        for k in res["cpc_keywords"]:
            print(f"  CPC  {k['keyword']} ({k['campaign']}): {k['reason']}")
        for c in res["split_candidates"]:
            if c["split"]:
                print(f"  SPLIT {c['bundle']} / {c['campaign']}: {c['reason']}")
    return 0


def cmd_bids(args: argparse.Namespace) -> int:
    """``bids``: bid recommendations for the keywords on manual CPC (:mod:`optimizer.actions.bids`),
    per account; the same figures as the Bids page and the workbook's Bids sheet.

    ``--json``: a list with one object per account — platform, account, account_label,
    currency, vertical, window_start, window_end, bundles_from (map | names | none),
    counts {keywords, raise, lower, keep, position_goal, saving, gain, above_target}, bids
    [{campaign, ad_group, keyword, match_type, keyword_id, line, stage, cpc_reason,
    clicks, cost, conversions, cvr_raw, cvr_shrunk, cvr_low, cvr_high, target_cpa,
    target_source, target_bid, bid, recommended_bid, change_pct, decision, capped,
    money, money_basis, above_target, reason (in --lang), reason_zh, reason_en}] — money to the cent
    and rates to 6 decimals, as the workbook writes them. Exit 0 done, 1 bad input (one
    line on standard error, in --lang), 2 bad usage."""
    from optimizer.actions.bids import BidSettings, BidTargets, tally
    from optimizer.analysis.account import AccountModel
    from optimizer.bundles.targets import read_bundle_sheet
    from optimizer.i18n import BID_DECISION, account_label, code_name, money
    from optimizer.outputs.analyze import error_text
    from optimizer.outputs.sheet_text import st

    lang = args.lang
    try:
        table = load_exports(args.exports, args.account)
        sheet = read_bundle_sheet(Path(args.bundle_map).read_bytes(), args.bundle_map) if args.bundle_map else None
    except (IngestError, OSError, ValueError) as exc:
        print(f"error: {error_text(exc, lang)}", file=sys.stderr)
        return 1
    settings = BundleSettings(window_days=args.window_days)
    bid_settings = BidSettings(max_step=args.max_step)
    targets = BidTargets.of(args.target_cpa)
    results = []
    for acct, rows, clf in _each_account(table, args.vertical):
        key = f"{acct['platform']}:{acct['account']}:{acct['currency']}"
        model = AccountModel(None, key, ("cli",), lambda rows=rows: rows)
        evidence = model.evidence(clf, settings)
        if evidence.empty:
            continue
        currency = acct["currency"] or None
        bids = model.bids(clf, settings, bid_settings, sheet, targets, currency)
        results.append({
            "platform": acct["platform"], "account": acct["account"],
            "account_label": account_label(acct["platform"], acct["account"], acct["currency"], lang),
            "currency": acct["currency"], "vertical": clf.vertical,
            "window_start": _day(evidence["window_start"].iloc[0]), "window_end": _day(evidence["window_end"].iloc[0]),
            "bundles_from": str(bids["bundles_from"].iloc[0]) if len(bids) else None,
            "counts": tally(bids),
            "bids": [{"campaign": r["campaign"], "ad_group": r["ad_group"], "keyword": r["keyword"],
                      "match_type": r["match_type"], "keyword_id": r["keyword_id"], "line": r["line"],
                      "stage": r["stage"], "cpc_reason": r["cpc_reason"], "clicks": _num(r["clicks"], 4),
                      "cost": _num(r["cost"]), "conversions": _num(r["conversions"], 4),
                      "cvr_raw": _num(r["cvr_raw"], 6), "cvr_shrunk": _num(r["cvr_shrunk"], 6),
                      "cvr_low": _num(r["cvr_low"], 6), "cvr_high": _num(r["cvr_high"], 6),
                      "target_cpa": _num(r["target_cpa"]), "target_source": r["target_source"] or None,
                      "target_bid": _num(r["target_bid"]), "bid": _num(r["bid"]),
                      "recommended_bid": _num(r["recommended_bid"]), "change_pct": _num(r["change_pct"], 6),
                      "decision": r["decision"], "capped": bool(r["capped"]), "money": _num(r["money"]),
                      "money_basis": r["money_basis"] or None, "above_target": _num(r["above_target"]),
                      "reason": r[f"reason_{lang}"],
                      "reason_zh": r["reason_zh"], "reason_en": r["reason_en"]} for _, r in bids.iterrows()],
        })
        results[-1]["_currency"] = currency
    if args.json:
        json.dump([{k: v for k, v in r.items() if k != "_currency"} for r in results], sys.stdout,
                  ensure_ascii=False, indent=1)
        print()
        return 0
    for res in results:
        c, cur = res["counts"], res["_currency"]
        print(st("cli.bids_account", lang, label=res["account_label"], n=c["keywords"], start=res["window_start"],
                 end=res["window_end"], up=c["raise"], down=c["lower"], keep=c["keep"], goal=c["position_goal"],
                 saving=money(c["saving"], cur), gain=money(c["gain"], cur), above=money(c["above_target"], cur)))
        for b in res["bids"]:
            if b["decision"] in ("raise", "lower", "position_goal"):
                print(st("cli.bids_row", lang, decision=code_name(BID_DECISION, b["decision"], lang),
                         campaign=b["campaign"], keyword=b["keyword"], bid=money(b["bid"], cur),
                         recommended=money(b["recommended_bid"], cur), money=money(b["money"], cur),
                         reason=b["reason"]))
        if res["bundles_from"] == "none":
            print(st("cli.note", lang, text=st("note.bids_no_map", lang)))
    return 0


def cmd_drift(args: argparse.Namespace) -> int:
    from optimizer.drift.alerts import AlertSettings, _child_label, entity_label, explain, flags, scan
    from optimizer.bundles.propose import plan_lines, proposed_membership
    from optimizer.bundles.targets import TargetSettings, bundle_sheet_for, default_tolerance, load_rules, read_bundle_sheet

    try:
        table = load_exports(args.exports, args.account)
        rules = load_rules(args.rules)
        if args.rule_set and args.rule_set not in rules:
            raise ValueError(f"--rule-set {args.rule_set}: not in the rule file (has {', '.join(rules)})")
        sheet = read_bundle_sheet(Path(args.bundle_map).read_bytes(), args.bundle_map) if args.bundle_map else None
    except (IngestError, OSError, ValueError) as exc:
        return _input_error(exc)
    tolerance = args.tolerance if args.tolerance is not None else default_tolerance(rules)[0]
    if not args.false_alarms > 0:
        print(f"error: --false-alarms must be above 0 (false alarms per 1,000 series-weeks), got {args.false_alarms}",
              file=sys.stderr)
        return 1
    settings = AlertSettings(baseline_days=args.baseline_days, min_days=args.min_days, alpha=args.alpha,
                             min_clicks=args.min_clicks, min_conversions=args.min_conversions,
                             levels=tuple(args.levels), metrics=tuple(args.metrics),
                             targets=TargetSettings(tolerance=tolerance, window_days=args.target_window_days),
                             method=args.method, false_alarms=args.false_alarms)
    results = []
    for acct, rows, clf in _each_account(table, args.vertical):
        vertical = clf.vertical
        lines = plan_lines(rows, clf) if "line" in settings.levels else None
        campaigns = rows["campaign"].dropna().astype(str).unique()
        proposed = None if sheet is not None else proposed_membership(rows, clf)
        acct_sheet, sheet_source = bundle_sheet_for(campaigns, sheet, proposed)
        rep = scan(rows, settings, lines, acct_sheet, rules, args.rule_set)
        out_flags = []
        for _, r in flags(rep, include_learning=True).iterrows():
            item = {"level": r["level"], "entity": r["entity"],
                    "entity_label": entity_label(r["level"], r["entity"], "en"),   # as the app names it
                    "metric": r["metric"], "status": r["status"],
                    "severity": r["severity"], "start": _day(r["start"]),
                    "start_range": [_day(r["start_low"]), _day(r["start_high"])], "alarm": _day(r["alarm"]),
                    "z": _num(r["z"], 3), "folded_under": r["folded_under"] or None,
                    "named_by": r["named_by"] or None, "before": _num(r["before"], 4),
                    "after": _num(r["after"], 4), "change": _num(r["change"], 4),
                    "ci": [_num(r["ci_low"], 4), _num(r["ci_high"], 4)], "p_value": _num(r["p_value"], 6),
                    "q_value": _num(r["q_value"], 6), "money_at_stake": _num(r["money_at_stake"]),
                    "days_of_spend": _num(r["days_of_spend"], 3), "days_after": int(r["days_after"]),
                    "bundle": r["group"] or None, "note": r["note"]}
            ex = explain(rep, r["level"], r["entity"], r["metric"], r["start"])
            d = ex.decomposition
            item["decomposition"] = {k: _num(d[k], 4) for k in (
                "cpa_before", "cpa_after", "cpc_change", "cvr_change", "share_cpc", "share_cvr",
                "cpa_part_cpc", "cpa_part_cvr")}
            if ex.summary is not None:
                m = ex.summary
                item["mix"] = {"mix_share": _num(m["mix_share"], 4), "rate_share": _num(m["rate_share"], 4),
                               "money_mix": _num(m["money_mix"]), "money_rate": _num(m["money_rate"])}
                item["top_contributors"] = [  # a plan's spend outside its tracked keywords: "Other keywords"
                    {"name": _child_label(c["child"], zh=False), "money": _num(c["money"]),
                     "money_mix": _num(c["money_mix"]), "money_rate": _num(c["money_rate"]),
                     "value_before": _num(c["value_before"], 6),
                     "value_after": _num(c["value_after"], 6)}
                    for _, c in ex.contributors.head(args.top).iterrows()]
            else:
                item["mix"], item["top_contributors"] = None, []
            out_flags.append(item)
        thin = rep.results.loc[rep.results["status"] == "too_little_data"]
        results.append({
            "platform": acct["platform"], "account": acct["account"], "currency": acct["currency"],
            "vertical": vertical, "dropped_partial_day": _day(rep.dropped_partial_day),
            "daily_spend": _num(rep.daily_spend), "bundles_from": sheet_source,
            "method": settings.method, "false_alarms": settings.false_alarms if settings.method == "online" else None,
            "series_tested": int(rep.results["p_value"].notna().sum()),
            "flags": out_flags,
            "too_little_data": [{"level": r["level"], "entity": r["entity"],
                                 "entity_label": entity_label(r["level"], r["entity"], "en"),
                                 "metric": r["metric"], "note": r["note"]}
                                for _, r in thin.iterrows()],
            "targets": [{"bundle": r["bundle"], "status": r["status"], "window_start": _day(r["window_start"]),
                         "window_end": _day(r["window_end"]), "cost": _num(r["cost"]),
                         "conversions": _num(r["conversions"]), "cpa": _num(r["cpa"]),
                         "cpa_interval": [_num(r["cpa_low"]), _num(r["cpa_high"])], "target_cpa": _num(r["target_cpa"]),
                         "threshold": _num(r["threshold"]), "excess_cost": _num(r["excess_cost"]),
                         "sure": bool(r["sure"]) if r["sure"] == r["sure"] else None}
                        for _, r in rep.targets.iterrows()],
            "compensation": [{"bundle": r["bundle"], "status": r["status"], "rules": r["rules"],
                              "window_start": _day(r["window_start"]), "window_end": _day(r["window_end"]),
                              "window_complete": bool(r["window_complete"]), "cost": _num(r["cost"]),
                              "conversions": _num(r["conversions"]), "cpa": _num(r["cpa"]),
                              "target_cpa": _num(r["target_cpa"]), "amount": _num(r["amount"]),
                              "reasons": r["reasons_en"], "reasons_zh": r["reasons_zh"]}
                             for _, r in rep.compensation.iterrows()],
        })
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for res in results:
        print(f"{_account(res)}: {res['series_tested']} series "
              f"tested, {len(res['flags'])} flagged" + (f" (partial day {res['dropped_partial_day']} left out)"
                                                       if res["dropped_partial_day"] else "")
              + f"; bundles from: {res['bundles_from']}")
        for f in res["flags"]:
            if f["folded_under"]:   # one event, one flag: shown under its plan's line
                continue
            ci = f["ci"]
            ci_text = f"95% CI {ci[0]:+.0%} … {ci[1]:+.0%}" if None not in ci else "CI -"
            print(f"  [{f['severity'] or '-':<6}] {f['level']:<8} {f['entity_label']}  {f['metric'].upper()} "
                  f"{f['change']:+.0%} since {f['start']} ({ci_text}), money at stake "
                  f"{f['money_at_stake']:,.2f}" + (f", alarm raised {f['alarm']}" if f["alarm"] else "")
                  + ("  LEARNING" if f["status"] == "learning" else ""))
            under = [g for g in res["flags"] if g["folded_under"] == f["entity"] and f["level"] == "campaign"
                     and g["metric"] == f["metric"] and (g["change"] or 0) * (f["change"] or 0) > 0]
            if under:
                print(f"           folded under it: {len(under)} keyword flag(s): "
                      + ", ".join(g["entity_label"] for g in under[:5]) + (" …" if len(under) > 5 else ""))
            d = f["decomposition"]
            if d["share_cpc"] is not None:
                print(f"           CPC {d['cpc_change']:+.0%} ({d['share_cpc']:.0%} of the CPA change), "
                      f"CVR {d['cvr_change']:+.0%} ({d['share_cvr']:.0%})")
            if f["mix"] and f["mix"]["mix_share"] is not None:
                top = ", ".join(f"{c['name']} {c['money']:,.0f}" for c in f["top_contributors"][:3])
                print(f"           mix {f['mix']['mix_share']:.0%} / rate {f['mix']['rate_share']:.0%}; top: {top}")
        for t in res["targets"]:
            if t["status"] == "over_target":
                print(f"  OVER TARGET {t['bundle']}: CPA {t['cpa']:,.2f} vs target {t['target_cpa']:,.2f} "
                      f"({t['window_start']} .. {t['window_end']}), {t['excess_cost']:,.2f} above target")
        for c in res["compensation"]:
            print(f"  COMPENSATION {c['bundle']}: {c['status']}, amount {c['amount']:,.2f} — {c['reasons']}")
    return 0


def cmd_landing(args: argparse.Namespace) -> int:
    from optimizer.landing.audit import AuditSettings, audit_urls
    from optimizer.landing.analysis import page_of
    from optimizer.landing.report import build

    if not 0 <= args.line_min_share <= 1 or args.slow_seconds <= 0 or args.timeout <= 0:
        print("error: --line-min-share must be between 0 and 1, --slow-seconds and --timeout positive",
              file=sys.stderr)
        return 2
    try:
        table = load_exports(args.exports, args.account)
        previous = load_exports(args.previous, args.account) if args.previous else None
    except (IngestError, OSError, ValueError) as exc:
        return _input_error(exc)
    # the operator's OPTIMIZER_AUDIT_ALLOWED_HOSTS applies here as in the app
    settings = AuditSettings.from_env(allow_private=args.allow_private, timeout=args.timeout,
                                      slow_seconds=args.slow_seconds, use_browser=args.browser)
    results = []
    for acct, rows, clf in _each_account(table, args.vertical):
        vertical = clf.vertical
        prev = for_account(previous, acct["platform"], acct["account"], acct["currency"]) \
            if previous is not None else None
        prev = prev if prev is not None and len(prev) else None
        currency = acct["currency"] or None
        audits = {}
        if args.audit:
            first = build(rows, clf, prev, currency=currency, line_min_share=args.line_min_share)
            urls = first.pages["url"].tolist()
            done = audit_urls(urls, settings, progress=_progress if sys.stderr.isatty() else None)
            audits = {page_of(a.url): a for a in done}
        rep = build(rows, clf, prev, audits, currency=currency, line_min_share=args.line_min_share)
        flagged = rep.drops.loc[(rep.drops["metric"] == "cvr") & rep.drops["drop"].astype(bool)] \
            if len(rep.drops) else rep.drops
        lines = rep.lines
        results.append({
            "platform": acct["platform"], "account": acct["account"], "currency": acct["currency"],
            "vertical": vertical, "compared_with_previous": prev is not None,
            "counts": {k: (_num(v) if isinstance(v, float) else v) for k, v in rep.counts().items()},
            "pages": [{"page": r["page"], "status": r["status"], "reasons": r["reasons_en"],
                       "reasons_zh": r["reasons_zh"], "keywords": int(r["n_keywords"]), "cost": _num(r["cost"]),
                       "clicks": _num(r["clicks"]), "conversions": _num(r["conversions"]), "cvr": _num(r["cvr"], 4),
                       "cpa": _num(r["cpa"]), "cvr_drop": None if pd.isna(r["drop_change"]) else {
                           "change": _num(r["drop_change"], 4), "start": _day(r["drop_start"]),
                           "money_at_stake": _num(r["drop_money"])},
                       "mismatched_keywords": int(r["mismatched_keywords"]), "url_findings": int(r["url_findings"]),
                       "audited": bool(r["audited"]), "url": r["url"],
                       "audit_findings": [{"code": f["code"], "severity": f["severity"], "zh": f["zh"],
                                           "en": f["en"]} for f in (audits[r["page"]].findings
                                                                    if r["page"] in audits else [])],
                       "lines_checked": [{"line": x["business_line"], "keywords": int(x["keywords"]),
                                          "cost": _num(x["cost"]), "share": _num(x["share"], 4),
                                          "mentioned": bool(x["mentioned"]), "words_found": list(x["words_found"])}
                                         for _, x in lines.loc[lines["page"] == r["page"]].iterrows()]
                       if len(lines) else [],
                       "unmentioned_lines": [{"line": x["line"], "keywords": x["keywords"], "cost": _num(x["cost"]),
                                              "share": _num(x["share"], 4)} for x in r["unmentioned_lines"]]}
                      for _, r in rep.pages.iterrows()],
            "url_drift": [{"kind": r["kind"], "severity": r["severity"], "campaign": r["campaign"],
                           "ad_group": r["ad_group"], "keyword": r["keyword"], "field": r["field"], "old": r["old"],
                           "new": r["new"], "date": _day(r["date"]), "detail": r["detail_en"],
                           "detail_zh": r["detail_zh"]} for _, r in rep.drift.iterrows()],
            "mismatches": [{"keyword": r["keyword"], "campaign": r["campaign"], "keyword_line": r["business_line"],
                            "page": r["url"], "page_line": r["page_line"], "reason": r["reason_en"],
                            "reason_zh": r["reason_zh"], "ad_group": r["ad_group"], "cost": _num(r["cost"])}
                           for _, r in rep.match.loc[rep.match["match"].eq(False)].iterrows()],
            "cvr_drops": [{"page": r["page"], "start": _day(r["start"]), "before": _num(r["before"], 4),
                           "after": _num(r["after"], 4), "change": _num(r["change"], 4),
                           "ci": [_num(r["ci_low"], 4), _num(r["ci_high"], 4)], "q_value": _num(r["q_value"], 4),
                           "money_at_stake": _num(r["money_at_stake"]), "days_after": _num(r["days_after"], 0)}
                          for _, r in flagged.iterrows()],
            "audits": [dict(a.to_dict(), page=p) for p, a in audits.items()],
        })
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
        return 0
    for res in results:
        print(f"{_account(res)}: {len(res['pages'])} pages, "
              f"{len(res['url_drift'])} URL findings"
              + (" (against the previous export)" if res["compared_with_previous"] else "")
              + f", {len(res['mismatches'])} mismatched keywords, {len(res['cvr_drops'])} CVR drops")
        for p in res["pages"]:
            print(f"  [{p['status']:<5}] {p['page']}  keywords {p['keywords']}  cost {p['cost']:,.2f}  "
                  f"CVR {p['cvr'] if p['cvr'] is not None else '-'}")
            if p["status"] in ("red", "amber"):
                print(f"          {p['reasons']}")
        for d in res["url_drift"][:50]:
            print(f"  URL {d['kind']:<16} {d['campaign']} / {d['ad_group']} / {d['keyword']}: {d['detail']}")
        if len(res["url_drift"]) > 50:
            print(f"  ... {len(res['url_drift']) - 50} more URL findings (--json lists them all)")
        for m in res["mismatches"]:
            print(f"  MISMATCH {m['keyword']} ({m['campaign']}) → {m['page']}: keyword line {m['keyword_line']}, "
                  f"page line {m['page_line']}")
        for d in res["cvr_drops"]:
            money = f"{d['money_at_stake']:,.2f}" if d["money_at_stake"] is not None else "-"
            print(f"  CVR DROP {d['page']}: {_pct(d['before'])} → {_pct(d['after'])} "
                  f"({_pct(d['change'], signed=True)}) since {d['start']}, {money} {res['currency'] or ''} at stake"
                  .rstrip())
        for p in res["pages"]:
            if not p["audited"]:
                continue
            print(f"  AUDIT {p['page']}: " + ("no findings" if not p["audit_findings"] else
                                              f"{len(p['audit_findings'])} findings"))
            for f in p["audit_findings"]:
                print(f"      {f['severity']:<6} {f['code']}: {f['en']}")
            for x in p["lines_checked"]:
                print(f"      line   {x['line']} ({x['keywords']} keywords, {x['share']:.0%} of spend): "
                      + (f"mentioned ({', '.join(x['words_found'][:3])})" if x["mentioned"] else "NOT mentioned"))
    return 0


def _pct(v, signed: bool = False) -> str:
    return "-" if v is None else (f"{v:+.0%}" if signed else f"{v:.1%}")


def _progress(done: int, total: int) -> None:
    print(f"\raudited {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)


def _day(v) -> str | None:
    return None if v is None or pd.isna(v) else str(pd.Timestamp(v).date())


def cmd_creatives(args: argparse.Namespace) -> int:
    """Ad copy per account (:meth:`optimizer.analysis.account.AccountModel.adcopy`): each unit's
    ads against its stage and line, look-alike copy, per-ad CTR / CVR tests."""
    from optimizer.analysis.account import AccountModel
    from optimizer.i18n import adcopy_finding
    try:
        table = load_exports(args.exports, args.account)
    except (IngestError, OSError, ValueError) as exc:
        return _input_error(exc)
    results = []
    for acct, rows, clf in _each_account(table, args.vertical):
        key = f"{acct['platform']}:{acct['account']}:{acct['currency']}"
        rep = AccountModel(None, key, ("cli", tuple(args.exports)), lambda rows=rows: rows).adcopy(clf)
        if rep.empty:
            continue
        f, u, a = rep.findings, rep.units, rep.ads
        results.append({
            "platform": acct["platform"], "account": acct["account"], "currency": acct["currency"],
            "vertical": clf.vertical, "ads": len(a), "units": len(u),
            "findings": [{"code": r["code"], "campaign": r["campaign"], "ad_group": r["ad_group"], "stage": r["stage"],
                          "business_line": r["business_line"], "ads": int(r["ads"]), "cue": r["cue"] or None,
                          "other_campaign": r["other_campaign"] if isinstance(r["other_campaign"], str) else None,
                          "other_ad_group": r["other_ad_group"] if isinstance(r["other_ad_group"], str) else None,
                          "similarity": _num(r["similarity"], 1), "message": adcopy_finding(r, "en"),
                          "message_zh": adcopy_finding(r, "zh")} for _, r in f.iterrows()],
            "unit_tests": [{"campaign": r["campaign"], "ad_group": r["ad_group"], "stage": r["stage"] or None,
                            "business_line": r["business_line"] or None, "urgent": bool(r["urgent"]),
                            "ads": int(r["ads"]), "cues": [c for c in r["cues"].split(", ") if c],
                            "ctr_verdict": r["ctr_verdict"], "ctr_p": _num(r["ctr_p"], 6),
                            "ctr_best_ad": int(r["ctr_best"]) or None, "cvr_verdict": r["cvr_verdict"],
                            "cvr_p": _num(r["cvr_p"], 6), "cvr_best_ad": int(r["cvr_best"]) or None}
                           for _, r in u.iterrows()],
            "ad_list": [{"campaign": r["campaign"], "ad_group": r["ad_group"], "ad": int(r["ad"]),
                         "headlines": r["headline"].split("\n"), "descriptions": [d for d in r["description"].split("\n") if d],
                         "cues": [c.split(":")[0] for c in r["cues"].split("; ") if c],
                         "impressions": _num(r["impressions"]), "clicks": _num(r["clicks"]),
                         "conversions": _num(r["conversions"]), "ctr": _num(r["ctr"], 4),
                         "ctr_low": _num(r["ctr_low"], 4), "ctr_high": _num(r["ctr_high"], 4),
                         "cvr": _num(r["cvr"], 4), "cvr_low": _num(r["cvr_low"], 4), "cvr_high": _num(r["cvr_high"], 4)}
                        for _, r in a.iterrows()],
        })
    if not results:
        print("error: no ad report among the files (a Baidu 创意报告 or a Google Ads Ad report is needed)",
              file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    for res in results:
        print(f"{_account(res)}: {res['ads']} ads in {res['units']} units, {len(res['findings'])} findings")
        for x in res["findings"]:
            print(f"  [{x['code']}] {x['campaign']} / {x['ad_group']}: {x['message']}")
    return 0


def _account(res: dict) -> str:
    """An account of a command's results as the app names it, for the English text:
    ``Google Ads · unnamed account · USD`` (:func:`optimizer.i18n.account_label`)."""
    from optimizer.i18n import account_label
    return account_label(res["platform"], res["account"], res["currency"], "en")


def _input_error(exc: Exception) -> int:
    """Print one line for an unreadable input (file, row, column for an export; the path
    of a file that cannot be opened) and return 1."""
    from optimizer.outputs.analyze import error_text
    print(f"error: {error_text(exc)}", file=sys.stderr)
    return 1


def _each_account(table: pd.DataFrame, vertical: str):
    """(account summary row, its rows, its classifier: of the given vertical, or detected as
    the pages detect it, with what the account itself says —
    :func:`optimizer.keywords.trade.account_classifier`)."""
    for _, acct in accounts(table).iterrows():
        rows = for_account(table, acct["platform"], acct["account"], acct["currency"])
        yield acct, rows, account_classifier(rows, vertical)


def _num(v, digits: int = 2):
    return None if v is None or v != v else round(float(v), digits)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text}")
    return value


def _ratio(text: str) -> float:
    value = float(text)
    if value <= 1:
        raise argparse.ArgumentTypeError(f"a max/min ratio must be above 1, not {text}")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {text}")
    return value


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive amount, not {text}")
    return value


def _share(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a share between 0 and 1 (0.2 = 20%), not {text}")
    return value


def _account_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--account", metavar="[FILE=]NAME", action="append", default=None,
                   help="the account of files that name none (Google Ads UI downloads): NAME for all of them, "
                        "FILE=NAME for one (repeat for several); by default each such file is an account of its "
                        "own unless its campaigns are those of an account already read")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m optimizer",
                                description="Paid-search account optimizer for local-service advertisers.")
    sub = p.add_subparsers(dest="command", required=True)
    ins = sub.add_parser("inspect", help="say what each export file is and what it holds",
                         description="Read each export and print what was recognised: platform, report "
                                     "type, encoding, rows read and skipped, dates, totals and the "
                                     "totals check. Exits 1 if any file cannot be read.")
    ins.add_argument("files", nargs="+", metavar="FILE", help="export files (CSV, TSV, XLSX, XLS)")
    ins.add_argument("--json", action="store_true", help="print a JSON list, one object per file")
    ins.add_argument("--max-file-mb", type=float, default=Settings().max_file_mb,
                     help="largest file accepted, in MiB (default %(default)s)")
    ins.set_defaults(func=cmd_inspect)

    cls = sub.add_parser("classify", help="label keywords by business line and decision stage",
                         description="Read one keyword or search term per line (or an export: its distinct "
                                     "keywords, or search terms for a search-term report) and write one row "
                                     "per keyword, in input order, with the columns keyword, vertical, "
                                     "business_line, stage (core|phone|company|price|consult|none), urgency "
                                     "(0|1), off_target (0|1), cues.")
    cls.add_argument("source", nargs="?", default="-", metavar="FILE", help="a keyword list or export; - for stdin")
    cls.add_argument("--vertical", default="auto", choices=["auto", *known_verticals()],
                     help="the advertiser's vertical (default: detected from the keywords)")
    cls.add_argument("--format", default="csv", choices=["csv", "json"], help="output format (default csv)")
    cls.set_defaults(func=cmd_classify)

    ev = sub.add_parser("evaluate", help="score the keyword classifier on a labelled set",
                        description="Print per-label precision, recall, F1 and macro-F1 for stage, business "
                                    "line, urgency and off-target.")
    ev.add_argument("--eval", default=str(Path(__file__).resolve().parents[1] / "tests" / "eval" / "keywords_eval.csv"),
                    help="labelled CSV with the columns keyword, language, vertical, business_line, stage, urgency, "
                         "off_target, …")
    ev.add_argument("--truth", default=str(Path(__file__).resolve().parents[1] / "sample_data" / "truth.json"),
                    help="also score the sample account's planted truth ('' to skip)")
    ev.add_argument("--generic", default=str(Path(__file__).resolve().parents[1] / "tests" / "eval" / "generic_eval.csv"),
                    help="also score keywords of trades outside the built-in verticals, with their accounts in "
                         "generic_accounts.csv beside it ('' to skip)")
    ev.set_defaults(func=cmd_evaluate)

    bd = sub.add_parser("bundles", help="propose oCPC bundles, CPC keywords and bundles to split",
                        description="Read exports (keyword and/or plan reports, daily) and print, per account, the "
                                    "proposed oCPC bundles (bundle id, business line, member plans, conversions, "
                                    "CPA, CVR, target CPA, reason), the keywords to keep on CPC and the split "
                                    "candidates of existing bundles (from plan names like 包1-开锁, or --bundle-map).")
    bd.add_argument("exports", nargs="+", metavar="EXPORT",
                    help="daily exports (keyword and/or plan reports: CSV, TSV, XLSX, XLS)")
    _account_option(bd)
    bd.add_argument("--window-days", type=_positive_int, default=30, help="evidence window in days (default 30)")
    bd.add_argument("--min-conversions", type=_non_negative, default=30.0,
                    help="conversions a bundle needs in the window to learn (default 30)")
    bd.add_argument("--max-cpa-ratio", type=_ratio, default=1.3, help="max/min shrunk CPA inside a bundle (default 1.3)")
    bd.add_argument("--max-cvr-ratio", type=_ratio, default=1.5, help="max/min shrunk CVR inside a bundle (default 1.5)")
    bd.add_argument("--max-target-cpa", type=_non_negative, default=None, help="cap on target CPAs (the advertiser's maximum)")
    bd.add_argument("--vertical", default="auto", choices=["auto", *known_verticals()],
                    help="the advertiser's vertical, for business lines (default: detected from the keywords)")
    bd.add_argument("--bundle-map", default=None, metavar="CSV",
                    help="current bundles: columns plan, bundle[, target_cpa]")
    bd.add_argument("--json", action="store_true", help="print a JSON list, one object per account")
    bd.set_defaults(func=cmd_bundles)

    bi = sub.add_parser("bids", help="bid recommendations for the keywords on manual CPC",
                        description="Read daily keyword exports and print, per account, the recommended bid of each "
                                    "keyword on manual CPC (every keyword of a plan in no bundle, and the rank-driven "
                                    "keywords the bundles page keeps on CPC): target CPA × the keyword's conversion "
                                    "rate shrunk toward its ad group and line, at most --max-step a step, inside the "
                                    "platform's bid limits, with the reason and the expected 30-day saving or gain. "
                                    "Exit status: 0 done, 1 bad input, 2 bad usage.")
    bi.add_argument("exports", nargs="+", metavar="EXPORT", help="daily keyword exports (CSV, TSV, XLSX, XLS)")
    _account_option(bi)
    bi.add_argument("--bundle-map", default=None, metavar="CSV",
                    help="current bundles: plan, bundle[, target_cpa] (default: bundles read from plan names like "
                         "包1-开锁; without either, every plan is taken as manual CPC)")
    bi.add_argument("--target-cpa", type=_positive, default=None,
                    help="the account's target CPA, for keywords whose bundle has no target in the map (default: "
                         "each business line's CPA over the window)")
    bi.add_argument("--max-step", type=_share, default=0.20, help="largest bid move in one step (default 0.2 = ±20%%)")
    bi.add_argument("--window-days", type=_positive_int, default=30, help="evidence window in days (default 30)")
    bi.add_argument("--vertical", default="auto", choices=["auto", *known_verticals()],
                    help="the advertiser's vertical, for business lines (default: detected from the keywords)")
    bi.add_argument("--lang", choices=["zh", "en"], default="zh",
                    help="language of the printed text, the reason field and error messages (default zh)")
    bi.add_argument("--json", action="store_true", help="print a JSON list, one object per account")
    bi.set_defaults(func=cmd_bids)

    from optimizer.drift.scan import LEVELS, METRICS, MIN_CLICKS, MIN_CONVERSIONS
    from optimizer.drift.alerts import AlertSettings
    from optimizer.drift.online import DEFAULT_FALSE_ALARMS
    dr = sub.add_parser("drift", help="flag cost drift: dated changes of CPC, CVR, CPA and spend",
                        description="Read daily exports and print, per account, the flags ranked by money at "
                                    "stake: level, entity, metric, change since the dated change point with its "
                                    "95% interval, money at stake, the CPC/CVR split, mix versus rate and the "
                                    "top contributing plans or keywords; then bundles over their target and the "
                                    "over-cost compensation outlook (with --bundle-map).")
    dr.add_argument("exports", nargs="+", metavar="EXPORT",
                    help="daily exports (keyword and/or plan reports: CSV, TSV, XLSX, XLS)")
    _account_option(dr)
    dr.add_argument("--baseline-days", type=_positive_int, default=28, help="baseline days (default 28)")
    dr.add_argument("--min-days", type=_positive_int, default=7, help="days needed before a change (default 7)")
    dr.add_argument("--method", choices=["online", "scan"], default=AlertSettings.method,
                    help="online: tested as each day arrives, a flag raised the morning the evidence crosses the "
                         "threshold, false alarms held to --false-alarms; scan: the whole history re-read for one "
                         f"change day per series, false discoveries held to --alpha (default {AlertSettings.method})")
    dr.add_argument("--false-alarms", type=float, default=DEFAULT_FALSE_ALARMS,
                    help="online: false alarms allowed per 1,000 series-weeks of unchanged series (default "
                         f"{DEFAULT_FALSE_ALARMS}: about one a week across 30 accounts of ~200 series)")
    dr.add_argument("--alpha", type=float, default=0.05, help="scan: false discovery rate (default 0.05)")
    dr.add_argument("--min-clicks", type=_non_negative, default=MIN_CLICKS,
                    help=f"clicks needed on each side of a change (default {MIN_CLICKS})")
    dr.add_argument("--min-conversions", type=_non_negative, default=MIN_CONVERSIONS,
                    help="conversions expected on each side of a CVR or CPA change at the series' overall "
                         f"conversion rate (default {MIN_CONVERSIONS})")
    dr.add_argument("--levels", nargs="+", choices=LEVELS, default=list(LEVELS), help="levels to test (default all)")
    dr.add_argument("--metrics", nargs="+", choices=METRICS, default=list(METRICS), help="metrics (default all)")
    dr.add_argument("--bundle-map", default=None, metavar="CSV",
                    help="bundles: plan, bundle[, target_cpa, learning_start, target_changes, targeting_changes, "
                         "conversion_type_changed] (default: the bundles named in the plan names, such as "
                         "包1-开锁; failing that, the bundles proposed as on the Bundles page, watched as groups "
                         "without a target; the JSON's bundles_from says which: map, names, proposed or none)")
    dr.add_argument("--tolerance", type=_non_negative, default=None,
                    help="CPA over target beyond this share is flagged (default: the over-cost trigger, 0.2)")
    dr.add_argument("--target-window-days", type=_positive_int, default=7,
                    help="recent days compared with the target (default 7)")
    dr.add_argument("--rules", default=None, metavar="TOML", help="over-cost compensation rule sets "
                                                                 "(default: optimizer/bundles/rules/overcost.toml)")
    dr.add_argument("--rule-set", default=None, help="use this rule set instead of the one in force on each window")
    dr.add_argument("--top", type=_positive_int, default=5, help="contributors listed per flag (default 5)")
    dr.add_argument("--vertical", default="auto", choices=["auto", *known_verticals()],
                    help="the advertiser's vertical, for business lines and proposed bundles "
                         "(default: detected from the keywords)")
    dr.add_argument("--json", action="store_true", help="print a JSON list, one object per account")
    dr.set_defaults(func=cmd_drift)

    lp = sub.add_parser("landing", help="landing pages: URL drift, keyword-page mismatches, CVR drops, page audit",
                        description="Read keyword reports with landing URLs and print, per account, one line per "
                                    "landing page with its status (red | amber | green | grey) and reasons, the URL "
                                    "changes and issues (against --previous exports when given), the keywords "
                                    "whose page is about another business line, the CVR drops, and with --audit the "
                                    "page audit (fetched as a phone would; private addresses refused unless the "
                                    "operator lists hosts in OPTIMIZER_AUDIT_ALLOWED_HOSTS).")
    lp.add_argument("exports", nargs="+", metavar="EXPORT")
    _account_option(lp)
    lp.add_argument("--previous", nargs="+", metavar="EXPORT", default=None,
                    help="an earlier download of the same account, to compare URLs")
    lp.add_argument("--audit", action="store_true", help="fetch and audit every landing page")
    lp.add_argument("--timeout", type=float, default=10.0, help="seconds per page fetch (default 10)")
    lp.add_argument("--allow-private", action="store_true",
                    help="allow fetching private and loopback addresses (testing only)")
    lp.add_argument("--slow-seconds", type=float, default=3.0,
                    help="a page whose HTML takes longer than this is slow (default 3, see optimizer.landing.audit)")
    lp.add_argument("--browser", default="auto", choices=["auto", "never", "always"],
                    help="judge the first screen in headless Chromium when available (default auto)")
    lp.add_argument("--line-min-share", type=float, default=0.2,
                    help="a business line with at least this share of a page's keyword spend must be "
                         "mentioned on the page (default 0.2)")
    lp.add_argument("--vertical", default="auto", choices=["auto", *known_verticals()])
    lp.add_argument("--json", action="store_true", help="print a JSON list, one object per account")
    lp.set_defaults(func=cmd_landing)
    cr = sub.add_parser("creatives", help="ad copy: each unit's ads against its decision stage, look-alike copy",
                        description="Read keyword reports and ad reports (Baidu 创意报告, Google Ads Ad report) and "
                                    "print, per account, the units whose ads lack what their stage's searchers look "
                                    "for (phone, price, proof, arrival time), name no business line, or repeat "
                                    "another stage's or line's copy; with --json also each unit's CTR / CVR tests "
                                    "and each ad with its cues and intervals.")
    cr.add_argument("exports", nargs="+", metavar="EXPORT")
    _account_option(cr)
    cr.add_argument("--vertical", default="auto", choices=["auto", *known_verticals()])
    cr.add_argument("--json", action="store_true", help="print a JSON list, one object per account")
    cr.set_defaults(func=cmd_creatives)
    from optimizer.outputs.analyze import add_analyze_parser
    add_analyze_parser(sub)
    from optimizer.actions.command import add_bulk_parser
    add_bulk_parser(sub)
    from optimizer.refresh.command import add_refresh_parser
    add_refresh_parser(sub)
    # listed for --help only: main() hands `users ...` to optimizer.store.auth.main_users before parsing
    sub.add_parser("users", add_help=False,
                   help="manage local sign-in accounts (add, list, passwd, …)")
    sub.add_parser("verticals", add_help=False,
                   help="list, show or delete the verticals saved on the Keywords page (see optimizer.keywords.verticals)")
    sub.add_parser("alerts", add_help=False,
                   help="send the alerts and digests due now, retry failed ones (see optimizer.notify.dispatch)")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    memory.tune()   # freed memory back to the system: a million-row export peaks near what it holds
    if argv[:1] == ["users"]:  # local accounts: python -m optimizer users add NAME --role admin
        from optimizer.store.auth import main_users
        return main_users(argv[1:])
    if argv[:1] == ["alerts"]:  # for cron: python -m optimizer alerts send [--dry-run]
        from optimizer.notify.dispatch import main_alerts
        return main_alerts(argv[1:])
    from optimizer.keywords.verticals import main_verticals, open_catalog
    if argv[:1] == ["verticals"]:
        return main_verticals(argv[1:])
    # the verticals saved in the app's database are --vertical choices and detected like the built-in ones
    use_catalog(open_catalog())
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into head & co.: stop quietly
        sys.stderr.close()
        return 0
