"""Each supported format, read from a fixture file, gives exactly the expected result.

The fixtures and tests/fixtures/expected.json were written from the platforms'
documented formats (../shared/formats*.md) by someone who did not read the parser;
expected sums are computed from the rows the fixture script renders, not by parsing.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from optimizer.errors import IngestError
from optimizer.reading.ingest import ColumnMapping, read_export
from tests.conftest import FIXTURES

EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
GOOD = [e for e in EXPECTED if not e.get("error")]
BAD = [e for e in EXPECTED if e.get("error")]


def _read(e):
    mapping = e.get("mapping")  # header in the file -> canonical field
    if mapping:
        return read_export(FIXTURES / e["file"], mapping=ColumnMapping(
            fields={field: raw for raw, field in mapping.items()}, header_row=e["header_line"],
            report_type=e["report_type"], platform="generic", currency=e.get("mapping_currency")))
    return read_export(FIXTURES / e["file"])


@pytest.mark.parametrize("e", GOOD, ids=[e["file"] for e in GOOD])
def test_fixture_reads_exactly(e):
    exp = _read(e)
    info = exp.info
    assert info.platform == e["platform"]
    assert info.report_type == e["report_type"]
    enc = e["encoding"] if isinstance(e["encoding"], list) else [e["encoding"]]
    assert info.encoding in enc
    assert info.header_row == e["header_line"]
    assert info.rows == e["rows"]
    assert info.skipped.get("totals", 0) == e.get("totals_rows", 0)
    assert (info.date_start, info.date_end) == (e["date_start"], e["date_end"])
    for k in ("impressions", "clicks", "cost", "conversions"):
        if e.get(k) is None:
            assert getattr(info, k) is None, k
        else:
            assert getattr(info, k) == pytest.approx(e[k], abs=0.006), k
    if "currency" in e:
        assert info.currency == e["currency"]
    for k in ("accounts", "campaigns", "keywords"):
        if k in e:
            assert getattr(info, k) == e[k], k
    if "deleted" in e:
        assert int(exp.table["deleted"].sum()) == e["deleted"]
    if "totals_check" in e:
        assert info.totals_check == e["totals_check"]
    for c in e.get("checks", []):
        got = exp.table[c["column"]].iloc[c["row"]]
        want = c["value"]
        if c["column"] == "date":
            got = None if pd.isna(got) else got.date().isoformat()
        if isinstance(want, float) or (isinstance(want, int) and not isinstance(want, bool)):
            assert got == pytest.approx(want), c
        elif want is None:
            assert pd.isna(got), c
        else:
            assert (bool(got) if isinstance(want, bool) else got) == want, c
    for text in e.get("notes_mention", []):
        assert any(text in n.en or text in n.zh for n in info.notes), text


@pytest.mark.parametrize("e", BAD, ids=[e["file"] for e in BAD])
def test_bad_input_names_the_problem(e):
    with pytest.raises(IngestError) as caught:
        read_export(FIXTURES / e["file"])
    err = caught.value
    assert err.kind == e["error"]["kind"] or err.kind in e["error"].get("also_accept", [])
    for lang in ("en", "zh"):
        msg = err.message(lang)
        assert e["file"] in msg
    for text in e["error"].get("must_mention", []):
        assert text in err.message("en") or text in err.message("zh"), (text, err.message("en"))


def test_unknown_layout_is_not_guessed_without_a_mapping():
    with pytest.raises(IngestError) as caught:
        read_export(FIXTURES / "generic_custom.csv")
    assert caught.value.kind == "unknown_format" and caught.value.mappable
    assert "spend (RMB)" in caught.value.message("en")


def test_legacy_xls_workbook_reads_with_hidden_sheet_ignored():
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_xls", FIXTURES / "make_xls.py")
    make_xls = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_xls)
    info = read_export(FIXTURES / "baidu_plan_report.xls").info
    want = make_xls.EXPECTED
    assert (info.platform, info.report_type, info.encoding, info.sheet) == ("baidu", "campaign", None, "计划报告")
    assert info.rows == want["rows"]
    assert (info.impressions, info.clicks, info.conversions) == (want["impressions"], want["clicks"], want["conversions"])
    assert info.cost == pytest.approx(want["cost"])
    assert (info.date_start, info.date_end, info.daily) == ("2026-11-01", "2026-11-02", True)
    assert any("旧数据" in n.en for n in info.notes)
