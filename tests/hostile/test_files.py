"""Hostile files (issue 15): damaged workbooks, decompression bombs, giant shapes,
formulas, long lines, mixed encodings and tricky file names each get a bounded,
specific answer — never a traceback — and one bad file never stops the others.

The files are generated on the fly by :mod:`tests.hostile.files`; the bombs are a few
MB that would inflate to gigabytes, and are read in a child process whose time and
peak memory are asserted."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from optimizer.cli import main
from optimizer.errors import IngestError
from optimizer.reading.ingest import Settings, preview, read_export
from optimizer.store.database import clean_file_name
from tests.conftest import ROOT
from tests.hostile import files as F

DAMAGED = {"stray_tag_in_workbook_xml": F.stray_tag_workbook, "truncated_sheet1_xml": F.truncated_sheet,
           "truncated_styles_xml": F.truncated_styles, "entity_bomb_in_sheet": F.entity_bomb_sheet,
           "entity_bomb_in_workbook_xml": F.entity_bomb_workbook}


def refused(data: bytes, name: str, settings: Settings = Settings()) -> IngestError:
    with pytest.raises(IngestError) as caught:
        read_export(data, name, settings=settings)
    return caught.value


# ------------------------------------------------------------------ 1. damaged workbooks

@pytest.mark.parametrize("case", DAMAGED)
def test_a_damaged_workbook_gets_the_damaged_file_message(case):
    data = DAMAGED[case]()
    for read in (read_export, preview):
        with pytest.raises(IngestError) as caught:
            read(data, "report.xlsx")
        err = caught.value
        assert err.kind == "corrupt", (case, err.kind)
        assert "report.xlsx" in err.message("zh") and "已损坏" in err.message("zh")
        assert "damaged" in err.message("en")


@pytest.mark.parametrize("case", DAMAGED)
def test_inspect_names_a_damaged_workbook_without_a_traceback(case, tmp_path, capsys):
    path = tmp_path / "report.xlsx"
    path.write_bytes(DAMAGED[case]())
    good = tmp_path / "good.csv"
    good.write_bytes(F.good_csv())
    code = main(["inspect", "--json", str(path), str(good)])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out[0]["error"]["kind"] == "corrupt" and out[1]["error"] is None and out[1]["rows"] == 3


def test_inspect_in_a_process_prints_no_traceback(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(F.stray_tag_workbook())
    run = subprocess.run([sys.executable, "-m", "optimizer", "inspect", str(path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and "damaged" in run.stderr


def test_the_counted_inflation_stops_a_member_whose_size_was_never_declared_honestly():
    from optimizer.reading.ingest import _guarded_zip, _OverLimit
    data = F.xml_bomb(50)
    with _guarded_zip(data, 1_000_000) as z:   # a budget far below what the sheet inflates to
        with pytest.raises(_OverLimit):
            z.read("xl/worksheets/sheet1.xml")


# ------------------------------------------------------------------ 2. bombs and giant shapes

CHILD = """
import json, resource, sys, time
sys.path.insert(0, ".")
from tests.hostile import files as F
from optimizer.errors import IngestError
from optimizer.reading.ingest import read_export
data = eval(sys.argv[1])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
try:
    read_export(data, sys.argv[2])
    kind, msg = None, ""
except IngestError as exc:
    kind, msg = exc.kind, exc.message("en") + "\\n" + exc.message("zh")
print(json.dumps({"kind": kind, "message": msg, "seconds": time.perf_counter() - t0, "size": len(data),
                  "peak_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024}))
"""


def measured(expr: str, name: str) -> dict:
    """Read the file ``expr`` makes in a fresh process: its error kind, message, seconds and
    the growth of its peak resident memory (MiB) while reading."""
    run = subprocess.run([sys.executable, "-c", CHILD, expr, name], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_a_decompression_bomb_is_refused_before_it_is_inflated():
    got = measured("F.xml_bomb(2100)", "bomb.xlsx")   # 2.1 GB of XML in a few MB
    assert got["kind"] == "over_limit", got
    assert "max_xml_mb" in got["message"] or "max_inflation" in got["message"]
    assert got["seconds"] < 10 and got["peak_mb"] < max(50, 3 * got["size"] / 2**20), got


def test_a_bomb_whose_zip_understates_its_size_is_stopped_while_inflating():
    got = measured("F.xml_bomb(2100, declare=1000)", "bomb.xlsx")
    assert got["kind"] in ("over_limit", "corrupt"), got
    assert got["seconds"] < 10 and got["peak_mb"] < max(50, 3 * got["size"] / 2**20), got


def test_a_workbook_claiming_the_last_cell_of_the_sheet_is_refused_by_columns():
    got = measured("F.wide_dimension_workbook()", "wide.xlsx")
    assert got["kind"] == "over_limit" and "max_columns" in got["message"], got
    assert got["seconds"] < 10 and got["peak_mb"] < 50, got


def test_a_csv_with_100000_empty_column_names_is_refused_at_its_header():
    got = measured("F.empty_columns_csv(100_000)", "wide.csv")
    assert got["kind"] == "over_limit" and "max_columns" in got["message"] and "100,010" in got["message"], got
    assert got["seconds"] < 10 and got["peak_mb"] < 3 * got["size"] / 2**20 + 20, got


def test_rows_over_the_limit_are_refused_while_reading():
    err = refused(F.good_csv(50), "many.csv", Settings(max_rows=20))
    assert err.kind == "over_limit" and "max_rows" in err.message("en") and "max_rows" in err.message("zh")
    err = refused(F.many_rows_workbook(50), "many.xlsx", Settings(max_rows=20))
    assert err.kind == "over_limit" and "max_rows" in err.message("en")
    assert read_export(F.good_csv(50), "many.csv", settings=Settings(max_rows=60)).info.rows == 50


def test_a_cell_over_the_length_limit_is_named():
    err = refused(F.long_cell_csv(100_000), "long.csv")
    assert err.kind == "over_limit" and "max_cell_chars" in err.message("en") and err.row == 2
    assert "100,000" in err.message("en") and len(err.message("en")) < 600
    rows = [F.HEADER, *F.keyword_rows()]
    rows[2] = rows[2][:1] + ("k" * 40_000,) + rows[2][2:]
    err = refused(F.workbook(rows), "long.xlsx")
    assert err.kind == "over_limit" and "B3" in err.message("en") and "max_cell_chars" in err.message("zh")


def test_an_upload_naming_too_many_accounts_is_refused():
    err = refused(F.many_accounts_csv(300), "mcc.csv")
    assert err.kind == "over_limit" and "max_accounts" in err.message("en") and "300" in err.message("en")
    assert read_export(F.many_accounts_csv(20), "mcc.csv").info.accounts == 20


def test_the_default_limits_let_the_largest_real_account_through():
    s = Settings()
    assert s.max_rows >= 1_048_576 and s.max_xml_mb >= 1024 and s.max_columns >= 200
    assert s.max_cell_chars >= 32_767 and s.max_accounts >= 100


# ------------------------------------------------------------------ 3. formulas

def test_a_formula_without_a_value_refuses_the_file_naming_the_cell():
    err = refused(F.formula_workbook(None), "formulas.xlsx")
    assert err.kind == "formula"
    for lang in ("zh", "en"):
        msg = err.message(lang)
        assert "Report" in msg and "I2" in msg and "SUM(100,200)" in msg, msg


def test_a_formula_with_a_cached_value_is_read_as_the_value_with_a_note():
    exp = read_export(F.formula_workbook(300), "formulas.xlsx")
    assert exp.table["cost"].tolist() == [300.0, 25.5, 25.5]
    notes = " ".join(n.en for n in exp.info.notes) + " ".join(n.zh for n in exp.info.notes)
    assert "I2" in notes and "SUM(100,200)" in notes and "公式" in notes


# ------------------------------------------------------------------ 4. messages

def test_a_100000_nul_file_gets_a_short_message():
    for name in ("nul.csv", "nul.xlsx", "nul.txt"):
        err = refused(F.nul_file(), name)
        assert len(err.message("zh")) < 300 and len(err.message("en")) < 300


def test_every_echoed_value_is_cut_to_80_characters():
    err = IngestError("non_numeric", "f.csv", row=3, column="c" * 500, value="\x00" * 100_000)
    for lang in ("zh", "en"):
        msg = err.message(lang)
        assert len(msg) < 400 and "…" in msg
    line = "Keyword," + "x" * 5000 + ",Clicks\nfoo,1,2\n"
    err = refused(line.encode(), "wide.csv")
    assert len(err.message("en")) < 800, err.message("en")


def test_a_header_line_over_256_kib_is_named_as_such():
    err = refused(F.long_header_csv(300), "long.csv")
    assert err.kind == "line_too_long", err.kind
    assert "256 KiB" in err.message("en") and "256 KiB" in err.message("zh")


def test_a_file_with_mixed_encodings_is_named_as_such():
    err = refused(F.mixed_encoding_csv(), "mixed.csv")
    assert err.kind == "mixed_encoding", err.message("en")
    assert "UTF-8" in err.message("en") and "GBK" in err.message("en") and "3,002" in err.message("en")
    assert "UTF-8" in err.message("zh") and "GBK" in err.message("zh")


def test_a_mixed_encoding_past_the_first_256_kib_is_not_read_as_mojibake():
    head = ("日期,关键词,推广计划,推广单元,展现,点击,消费\n"
            + "".join(f"2026-10-{1 + i % 28:02d},开锁{i},计划,单元,100,10,25.5\n" for i in range(8000))).encode()
    tail = "2026-10-01,换锁芯,计划,单元,100,10,25.5\n".encode("gbk")
    assert len(head) > 256 * 1024
    err = refused(head + tail, "mixed.csv")
    assert err.kind == "mixed_encoding" and "8,002" in err.message("en"), err.message("en")


@pytest.mark.parametrize("name", [F.RLO_NAME, "report\u2067.csv\u2069", "rep\u200bort\x1b[31m.csv",
                                  "\u202ereport.csv"])
def test_bidi_and_control_characters_in_file_names_are_not_shown(name):
    bidi = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e",
            "\u200f", "\u200b", "\x1b"}
    assert not bidi & set(clean_file_name(name))
    err = refused(F.nul_file(10), name)
    for lang in ("zh", "en"):
        assert not bidi & set(err.message(lang))
    assert "report" in err.message("en") or "rep" in err.message("en")


# ------------------------------------------------------------------ the Upload page: one bad file, the others stored

def test_the_upload_page_stores_the_good_file_beside_a_damaged_one_and_an_unexpected_failure(tmp_path,
                                                                                            monkeypatch):
    from streamlit.testing.v1 import AppTest

    import tests.apptest  # noqa: F401 - every run goes through app.py, as on the server
    import ui
    from optimizer.store.database import Store

    monkeypatch.setattr(ui, "DATA_DIR", tmp_path)
    real_read = ui.read_export

    def flaky(data, name, **kw):   # a reader bug on one file only
        if name == "boom.csv":
            raise RuntimeError("reader bug")
        return real_read(data, name, **kw)

    monkeypatch.setattr(ui, "read_export", flaky)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload_files").set_value([
        ("damaged.xlsx", F.stray_tag_workbook(), "application/octet-stream"),
        ("boom.csv", F.good_csv(4), "text/csv"),
        (F.RLO_NAME, F.good_csv(5), "text/csv")]).run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 2, errors
    assert "damaged.xlsx" in errors[0] and "已损坏" in errors[0]
    assert "boom.csv" in errors[1]
    assert "\u202e" not in "".join(m.value for m in [*at.error, *at.caption, *at.warning, *at.markdown])
    with Store.open(None, tmp_path) as s:
        table = s.workspace_table(at.session_state[ui.K_CTX].ws.id).table
    assert table["source_file"].unique().tolist() == ["reportvsc.exe"]   # the good file, stored
    assert len(table) == 5
    summary = next(d.value for d in at.dataframe if "totals" in d.value.columns)
    assert summary["file"].tolist() == ["reportvsc.exe"]


def test_a_100000_nul_file_given_as_a_bundle_map_gets_a_short_message():
    from optimizer.bundles.targets import read_bundle_sheet
    with pytest.raises(ValueError) as caught:
        read_bundle_sheet(F.nul_file(), "map.csv")
    assert len(str(caught.value)) < 400 and "map.csv" in str(caught.value)
