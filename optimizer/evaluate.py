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
    from .stages import Classifier

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
