"""Saved column mappings, and the inspect command line."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from optimizer.cli import main
from optimizer.errors import IngestError
from optimizer.reading.ingest import ColumnMapping, header_signature, preview, read_export
from optimizer.reading.mappings import MappingStore, saved_mapping_for
from tests.conftest import FIXTURES, ROOT, real

CUSTOM = FIXTURES / "generic_custom.csv"
FIELDS = {"date": "day", "campaign": "plan", "keyword": "word", "cost": "spend (RMB)",
          "conversions": "leads", "clicks": "clicks", "impressions": "views"}


def test_preview_suggests_what_it_can_and_the_mapping_reads_the_file():
    p = preview(CUSTOM)
    assert p.columns == ["day", "plan", "word", "spend (RMB)", "leads", "clicks", "views"]
    assert p.delimiter == ";" and p.header_row == 1
    assert p.suggested["date"] == "day" and p.suggested["clicks"] == "clicks"
    assert p.suggested["cost"] == "spend (RMB)"
    exp = read_export(CUSTOM, mapping=ColumnMapping(FIELDS, currency="CNY"))
    assert exp.info.cost == pytest.approx(1352.65) and exp.info.platform == "generic"


def test_a_mapping_missing_a_required_field_is_refused():
    with pytest.raises(IngestError) as caught:
        read_export(CUSTOM, mapping=ColumnMapping({"keyword": "word", "clicks": "clicks"}))
    assert caught.value.kind == "mapping" and "cost" in caught.value.message("en")
    with pytest.raises(IngestError) as caught:
        read_export(CUSTOM, mapping=ColumnMapping({**FIELDS, "cost": "no such column"}))
    assert "no such column" in caught.value.message("en")


def test_saved_mapping_is_found_again_by_header(tmp_path):
    store = MappingStore(tmp_path / "m.json")
    data = CUSTOM.read_bytes()
    assert saved_mapping_for(data, "x.csv", store) is None
    mapping = ColumnMapping(FIELDS, currency="CNY")
    store.save(header_signature(preview(data, "x.csv").columns), mapping)
    assert saved_mapping_for(data, "next_week.csv", store) == mapping
    assert MappingStore(tmp_path / "m.json").all() == {header_signature(preview(data).columns): mapping}


def test_damaged_store_says_so(tmp_path):
    (tmp_path / "m.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="damaged"):
        MappingStore(tmp_path / "m.json").get("x")


def test_inspect_json_has_the_documented_keys(capsys):
    code = main(["inspect", "--json", str(real("google_ads/towing-no-1__Search_terms_report.csv")),
                 str(FIXTURES / "baidu_keyword_daily_gbk.csv")])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 2
    for key in ("file", "platform", "report_type", "encoding", "rows", "skipped_rows", "date_start",
                "date_end", "impressions", "clicks", "cost", "conversions", "currency", "totals_check"):
        assert key in out[0], key
    assert out[1]["platform"] == "baidu" and out[1]["report_type"] == "keyword"
    assert out[1]["rows"] == 11 and out[1]["skipped_rows"] == 1 and out[1]["cost"] == 3258.95
    assert out[1]["totals_check"] == "ok" and out[1]["error"] is None


def test_inspect_exits_nonzero_with_the_specific_error(capsys):
    code = main(["inspect", str(FIXTURES / "bad_non_numeric.csv")])
    assert code == 1
    err = capsys.readouterr().err
    assert "row 11" in err and "点击" in err and "abc" in err
    code = main(["inspect", "--json", str(FIXTURES / "bad_empty.csv")])
    assert code == 1
    assert json.loads(capsys.readouterr().out)[0]["error"]["kind"] == "empty"


def test_inspect_refuses_files_over_the_size_limit(capsys):
    code = main(["inspect", "--max-file-mb", "0.001", str(FIXTURES / "google_keyword_utf8_daily.csv")])
    assert code == 1 and "over the upload limit" in capsys.readouterr().err


def test_module_entry_point_runs():
    out = subprocess.run([sys.executable, "-m", "optimizer", "inspect", str(FIXTURES / "msads_keyword_api.csv")],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "microsoft_ads" in out and "keyword" in out


def test_module_entry_point_runs_from_any_directory(tmp_path):
    # the project is installed into the venv (pyproject.toml, `pip install -e .` in the Makefile):
    # no need to be in the project folder, nor to set PYTHONPATH
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    for argv in (["--help"], ["inspect", str(FIXTURES / "msads_keyword_api.csv")]):
        proc = subprocess.run([sys.executable, "-m", "optimizer", *argv], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
    assert "microsoft_ads" in proc.stdout


def test_help_lists_every_command_users_included(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("    ") and line.split()}
    for command in ("inspect", "classify", "evaluate", "bundles", "drift", "landing", "analyze", "refresh", "users"):
        assert command in lines, command
    assert "accounts" in lines["users"]  # its one-line description, on its own line


def _missing(tmp_path):
    return str(tmp_path / "nope" / "file.csv")


@pytest.mark.parametrize("argv", [
    ["inspect", "{missing}"],
    ["classify", "{missing}"],
    ["evaluate", "--eval", "{missing}"],
    ["evaluate", "--truth", "{missing}"],
    ["bundles", "{missing}"],
    ["bundles", str(ROOT / "sample_data" / "baidu_plan_report.csv"), "--bundle-map", "{missing}"],
    ["drift", "{missing}"],
    ["drift", str(ROOT / "sample_data" / "baidu_plan_report.csv"), "--bundle-map", "{missing}"],
    ["drift", str(ROOT / "sample_data" / "baidu_plan_report.csv"), "--rules", "{missing}"],
    ["landing", "{missing}"],
    ["landing", str(FIXTURES / "baidu_keyword_daily_gbk.csv"), "--previous", "{missing}"],
    ["analyze", "{missing}"],
    ["analyze", str(FIXTURES / "baidu_keyword_daily_gbk.csv"), "--bundle-map", "{missing}"],
], ids=lambda argv: "-".join(a for a in argv if a.startswith(("-", "{")) or a.isalpha()))
@pytest.mark.parametrize("where", ["absolute", "relative"])
def test_a_missing_input_file_is_named_by_its_path_as_given(argv, where, tmp_path, monkeypatch, capsys):
    missing = _missing(tmp_path)
    if where == "relative":
        monkeypatch.chdir(tmp_path)
        missing = "nope/file.csv"
    assert main([a.replace("{missing}", missing) for a in argv]) == 1
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert err and missing in err[-1] and "Traceback" not in captured.err
    assert len(err) == (2 if argv[0] == "inspect" else 1)  # inspect: the file, then its error
    assert err[-1].count(missing) == 1  # said once, not again inside an errno text


def test_inspect_json_names_a_missing_file_by_its_path(tmp_path, capsys):
    missing = _missing(tmp_path)
    assert main(["inspect", "--json", missing]) == 1
    (out,) = json.loads(capsys.readouterr().out)
    assert out["file"] == out["error"]["file"] == missing and out["error"]["kind"] == "unreadable"
    assert missing in out["error"]["message"] and missing in out["error"]["message_zh"]
    with pytest.raises(IngestError) as caught:  # read_export itself, for the other callers
        read_export(missing)
    assert caught.value.file == missing


def test_classify_reads_lines_from_stdin_and_keeps_order():
    out = subprocess.run([sys.executable, "-m", "optimizer", "classify", "-", "--vertical", "locksmith"],
                         input="开锁公司电话\n学开锁\n开锁公司电话\n".encode("gbk"), cwd=ROOT,
                         capture_output=True, check=True).stdout.decode("utf-8").splitlines()
    assert out[0] == "keyword,vertical,business_line,stage,urgency,off_target,cues"
    assert [line.split(",")[:6] for line in out[1:]] == [
        ["开锁公司电话", "locksmith", "开锁", "phone", "0", "0"], ["学开锁", "locksmith", "开锁", "none", "0", "1"],
        ["开锁公司电话", "locksmith", "开锁", "phone", "0", "0"]]


def test_classify_an_export_as_json(capsys):
    assert main(["classify", str(FIXTURES / "baidu_search_terms_2017.csv"), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and set(rows[0]) == {"keyword", "vertical", "business_line", "stage", "urgency", "off_target", "cues"}
    assert rows[0]["vertical"] == "locksmith"


def test_classify_bad_input_exits_nonzero(capsys):
    assert main(["classify", str(FIXTURES / "bad_non_numeric.csv")]) == 1
    assert "row 11" in capsys.readouterr().err


def test_evaluate_prints_macro_f1(capsys):
    assert main(["evaluate"]) == 0
    out = capsys.readouterr().out
    assert out.count("macro-F1") >= 4 and "== stage" in out


def test_bundles_command_json(capsys):
    code = main(["bundles", str(ROOT / "sample_data" / "baidu_keyword_report.csv"),
                 str(ROOT / "sample_data" / "baidu_plan_report.csv"), "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    acct = out[0]
    assert (acct["platform"], acct["account"], acct["window_end"]) == ("baidu", "北京安心开锁", "2026-11-23")
    b = acct["bundles"][0]
    assert set(b) >= {"bundle", "business_lines", "plans", "conversions", "cpa", "cvr", "target_cpa", "reason"}
    assert sum(len(x["plans"]) for x in acct["bundles"]) == len(acct["plans"]) == 13


def test_bundles_command_with_a_bad_map_exits_nonzero(tmp_path, capsys):
    bad = tmp_path / "map.csv"
    bad.write_text("plan,bundle,target_cpa\n开锁-核心词,包1,abc\n", encoding="utf-8")
    assert main(["bundles", str(ROOT / "sample_data" / "baidu_plan_report.csv"), "--bundle-map", str(bad)]) == 1
    assert "row 2" in capsys.readouterr().err


@pytest.mark.parametrize("option", [["--window-days", "0"], ["--max-cpa-ratio", "0.5"], ["--min-conversions", "-1"]])
def test_bundles_rejects_impossible_settings(option):
    with pytest.raises(SystemExit) as caught:
        main(["bundles", str(ROOT / "sample_data" / "baidu_plan_report.csv"), *option])
    assert caught.value.code == 2


def _parsers():
    """Every parser of `python -m optimizer` (sub-commands included, `users` and its own)
    as (argv, parser)."""
    import argparse
    from optimizer.store import auth
    from optimizer.cli import build_parser

    def walk(argv, p):
        yield argv, p
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sp in action.choices.items():
                    if sp.add_help:
                        yield from walk(argv + [name], sp)

    yield from walk([], build_parser())
    captured = {}
    real_parse = argparse.ArgumentParser.parse_args

    def grab(self, *a, **k):
        captured.setdefault("p", self)
        raise SystemExit(0)
    argparse.ArgumentParser.parse_args = grab
    try:
        auth.main_users([])
    finally:
        argparse.ArgumentParser.parse_args = real_parse
    yield from walk(["users"], captured["p"])


def test_every_help_reads_cleanly_in_an_80_column_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    seen = 0
    for argv, p in _parsers():
        out = p.format_help()
        assert "%%" not in out, (argv, out)  # a literal % doubled where argparse does not format
        lines = out.splitlines()
        # each word of the texts is on one line: none cut in the middle (argparse cuts a long
        # unspaced list like 'keyword,language,…,urgency' wherever the line ends)
        texts = [p.description or "", p.epilog or ""] + [a.help % {"default": a.default} if a.help else ""
                                                         for a in p._actions]
        for word in " ".join(texts).replace("%%", "%").split():
            for part in word.split("-"):  # a line may end after a hyphen
                assert any(part in ln for ln in lines), (argv, word)
        # prose fits the terminal (usage lines and long option names may not)
        for ln in lines:
            if len(ln) > 80:
                assert ln.lstrip().startswith(("usage:", "[", "{", "--", "-h")) or ln.startswith("usage:"), (argv, ln)
        seen += 1
    assert seen == 21  # the main parser, its 11 commands (inspect … refresh), users and its 8
