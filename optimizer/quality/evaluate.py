"""Scoring the keyword classifier against labelled keywords.

``score(truth, predicted)`` compares four labels — ``stage``, ``business_line``,
``urgency``, ``off_target`` — and returns, for each, per-label precision, recall,
F1 and support, and the macro-F1 (the unweighted mean of the per-label F1 over the
labels present in the truth). Rows are matched by position.

Used by ``python -m optimizer evaluate`` on tests/eval/keywords_eval.csv (a set
written without seeing the lexicons) and on the sample account's planted truth.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

LABELS = ("stage", "business_line", "urgency", "off_target")


@dataclass(frozen=True)
class LabelScore:
    """Per-label precision/recall/F1/support (a DataFrame indexed by label) and macro-F1."""

    name: str
    table: pd.DataFrame
    macro_f1: float
    accuracy: float


def predict(labelled: pd.DataFrame) -> pd.DataFrame:
    """Classify each row's ``keyword`` with its own ``vertical``; rows in the input's order."""
    from optimizer.keywords.stages import Classifier

    parts = []
    for vertical, rows in labelled.groupby("vertical", sort=False):
        pred = Classifier(vertical).classify(rows["keyword"])
        pred.index = rows.index
        parts.append(pred)
    return pd.concat(parts).loc[labelled.index]


def score_label(name: str, truth: pd.Series, predicted: pd.Series) -> LabelScore:
    t = truth.astype(str).reset_index(drop=True)
    p = predicted.astype(str).reset_index(drop=True)
    rows = []
    for label in sorted(set(t)):
        tp = int(((p == label) & (t == label)).sum())
        fp = int(((p == label) & (t != label)).sum())
        fn = int(((p != label) & (t == label)).sum())
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        rows.append({"label": label, "precision": prec, "recall": rec, "f1": f1, "support": tp + fn})
    table = pd.DataFrame(rows).set_index("label")
    return LabelScore(name, table, float(table["f1"].mean()), float((t == p).mean()))


def score(truth: pd.DataFrame, predicted: pd.DataFrame) -> dict[str, LabelScore]:
    """Scores of every label in :data:`LABELS` (rows matched by position)."""
    return {name: score_label(name, truth[name], predicted[name]) for name in LABELS}


def report(scores: dict[str, LabelScore]) -> str:
    """A plain-text report: per label, then the macro-F1 line."""
    out = []
    for s in scores.values():
        out.append(f"== {s.name}: macro-F1 {s.macro_f1:.3f}, accuracy {s.accuracy:.3f}")
        t = s.table
        for label, r in t.iterrows():
            out.append(f"   {label:<12} P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}  n={int(r['support'])}")
    return "\n".join(out)


GENERIC_LABELS = ("stage", "urgency", "off_target")


def account_rows(accounts: pd.DataFrame, trade: str) -> pd.DataFrame:
    """One trade's account of ``tests/eval/generic_accounts.csv`` as the canonical rows of a
    keyword report (what an upload of its export would give)."""
    from optimizer.reading.schema import empty_table
    a = accounts.loc[accounts["trade"] == trade]
    base = empty_table()
    rows = pd.DataFrame({c: pd.Series([None] * len(a), dtype=object) for c in base.columns})
    rows["platform"], rows["report_type"] = "google_ads", "keyword"
    for c in ("account", "campaign", "ad_group", "keyword"):
        rows[c] = a[c].astype(str).to_numpy()
    for c in ("clicks", "conversions", "cost"):
        rows[c] = a[c].astype(float).to_numpy()
    return rows


def predict_generic(labelled: pd.DataFrame, accounts: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Classify each trade's keywords as the product would for an account of that trade:
    the vertical detected from the trade's account (``generic`` unless a built-in one
    fits) and what that account says (its campaign names, its top converters,
    :func:`optimizer.keywords.trade.account_classifier`). Returns (predictions in the input's
    order, trade -> vertical detected)."""
    from optimizer.keywords.trade import account_classifier
    parts, detected = [], {}
    for trade, rows in labelled.groupby("trade", sort=False):
        acct = account_rows(accounts, trade)
        clf = account_classifier(acct)
        detected[trade] = clf.vertical
        pred = clf.classify(rows["keyword"])
        pred.index = rows.index
        parts.append(pred)
    return pd.concat(parts).loc[labelled.index], detected


def score_generic(truth: pd.DataFrame, predicted: pd.DataFrame) -> dict[str, LabelScore]:
    """Scores of stage, urgency and off-target (the generic set labels no business line)."""
    return {name: score_label(name, truth[name], predicted[name]) for name in GENERIC_LABELS}
