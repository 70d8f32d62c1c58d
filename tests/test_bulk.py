"""Bulk-edit files (optimizer.outputs.bulk): no editor format is documented in
../shared/formats.md, so none is written — every (editor, action) refuses with the
reason; the actions themselves are right; and the writer, exercised with a format of
the test's own, neutralises hostile keywords and leaves "no change" blank."""
from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from optimizer.outputs import bulk
from optimizer.outputs.analyze import AnalysisSettings, analyze_exports
from tests.conftest import SAMPLE

HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"]


@pytest.fixture(scope="module")
def analysis():
    files = [SAMPLE / "baidu_keyword_report.csv", SAMPLE / "baidu_search_term_report.csv"]
    return analyze_exports(files, settings=AnalysisSettings(landing=False))[0]


def test_every_editor_and_action_has_an_entry_saying_what_is_known():
    assert set(bulk.FORMATS) == {(e, a) for e in bulk.EDITORS for a in bulk.ACTIONS}
    cov = bulk.coverage("en")
    assert len(cov) == 4 and not cov["documented"].any()
    assert cov["missing"].str.contains("not documented").all()
    assert cov.loc[cov["editor"] == "Google Ads Editor", "known"].str.contains("blank field means no change").all()
    assert bulk.coverage("zh")["editor"].tolist()[0] == "百度推广客户端"


@pytest.mark.parametrize("editor", bulk.EDITORS)
@pytest.mark.parametrize("action", bulk.ACTIONS)
def test_undocumented_formats_are_refused_not_guessed(analysis, editor, action):
    rows = bulk.negative_keyword_actions(analysis) if action == "negative_keywords" else \
        bulk.bid_change_actions(analysis)
    with pytest.raises(bulk.FormatNotDocumented) as info:
        bulk.write_bulk(rows, editor, action)
    err = info.value
    assert "../shared/formats.md" in err.message("en") and "../shared/formats.md" in err.message("zh")
    assert "\n" not in str(err)
    assert err.format.editor == editor and err.format.action == action


def test_negative_keyword_actions_are_per_plan_and_add_up(analysis):
    rows = bulk.negative_keyword_actions(analysis)
    assert list(rows.columns) == bulk.NEGATIVE_COLUMNS
    # an own keyword off target is paused, not negated: the bulk file holds only the negatives
    negate = analysis.negatives.loc[analysis.negatives["negative_match"] == "exact"]
    assert 0 < len(negate) < len(analysis.negatives)
    assert len(rows) >= len(negate) and set(rows["match_type"]) == {"exact"}
    assert set(rows["search_term"]) == set(negate["search_term"])
    assert rows["cost"].sum() == pytest.approx(negate["cost"].sum())
    assert rows["reason"].str.startswith("off-").all()
    assert rows["cost"].is_monotonic_decreasing


def test_bid_change_actions_are_the_ready_bundles_target_cpa(analysis):
    rows = bulk.bid_change_actions(analysis)
    ready = analysis.bundles.loc[analysis.bundles["meets_threshold"]]
    assert list(rows.columns) == bulk.BID_COLUMNS
    assert len(rows) == sum(len(p.split("、")) for p in ready["plans"])
    first = rows.iloc[0]
    b = ready.set_index("bundle").loc[first["bundle"]]
    assert first["new_bid"] == pytest.approx(round(b["target_cpa"], 2))
    assert np.isnan(first["current_bid"]) and first["level"] == "bundle"


SPEC = bulk.BulkFormat("test_editor", "negative_keywords",
                       columns=(("Campaign", "campaign"), ("Keyword", "search_term"), ("Cost", "cost"),
                                ("Note", "reason")),
                       encoding="utf-8-sig", delimiter="\t")


def test_writer_neutralises_hostile_keywords_and_leaves_no_change_blank():
    rows = pd.DataFrame({"campaign": ["=开锁"] + ["开锁-核心词"] * (len(HOSTILE) - 1), "search_term": HOSTILE,
                         "cost": [1.5, 2.0, np.nan, 3.25, 0.1, 7.0], "reason": [None, "", "x", "y", "z", "-w"]})
    data = bulk.write_bulk(rows, "test_editor", "negative_keywords", SPEC)
    assert data.startswith(b"\xef\xbb\xbf")
    back = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter="\t"))
    assert back[0] == ["Campaign", "Keyword", "Cost", "Note"]
    body = back[1:]
    assert [r[1] for r in body] == ["'" + h for h in HOSTILE]
    assert body[0][0] == "'=开锁" and body[0][3] == "" and body[2][2] == ""  # blank = no change
    assert [r[2] for r in body] == ["1.5", "2", "", "3.25", "0.1", "7"]
    assert body[5][3] == "'-w"
    for r in body:
        for v in r:
            assert not v.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_writer_needs_the_formats_columns():
    with pytest.raises(ValueError, match="lack"):
        bulk.write_bulk(pd.DataFrame({"campaign": ["a"]}), "test_editor", "negative_keywords", SPEC)
    with pytest.raises(KeyError):
        bulk.write_bulk(pd.DataFrame(), "no_such_editor", "negative_keywords")
