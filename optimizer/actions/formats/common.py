"""What every bulk-edit writer shares: the result types, the checks every row passes
(names a spreadsheet would run, tabs and line breaks), the delimited-text writer (through
:func:`optimizer.outputs.report.csv_bytes`, the product's one CSV writer, which
neutralises every text cell) and the README.txt of a result."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from optimizer.outputs.report import csv_bytes, neutralise
from optimizer.outputs.sheet_text import st

TARGETS = ("google_editor", "google_web", "microsoft", "baidu")
#: the account's platform (change table code, or canonical) → its own target
_OWN_TARGET = {"baidu": "baidu", "google": "google_editor", "google_ads": "google_editor",
               "microsoft": "microsoft", "microsoft_ads": "microsoft"}
UNWRITABLE_COLUMNS = ["change_id", "action", "campaign", "ad_group", "keyword", "field", "before", "after", "why",
                      "reason_zh", "reason_en"]


#: each target → the platform whose accounts it edits (the change table's platform code)
TARGET_PLATFORM = {"google_editor": "google", "google_web": "google", "microsoft": "microsoft", "baidu": "baidu"}
_CODE = {"google_ads": "google", "microsoft_ads": "microsoft"}


def targets_for_platform(platform: str | None) -> tuple[str, ...]:
    """The targets an account of ``platform`` (change table code, or canonical) may be
    written for: only its own platform's importers. Another platform's file would not edit
    the account's objects but add new ones by name (Google Ads Editor and the Baidu keyword
    file add a row they cannot match), and the change log would measure on this account a
    change made in another one — so Google Ads → ``google_editor``, ``google_web``; Baidu →
    ``baidu``; Microsoft → ``microsoft`` (a Google account imported into Microsoft Advertising
    is another account, with its own export and Ids). Empty for an unknown platform."""
    code = _CODE.get(str(platform or ""), str(platform or ""))
    return tuple(t for t in TARGETS if TARGET_PLATFORM[t] == code)


def target_for_platform(platform: str | None) -> str:
    """The target an account's own platform imports (Google: Ads Editor); Google Ads Editor
    for an unknown one."""
    return _OWN_TARGET.get(str(platform or ""), "google_editor")


@dataclass(frozen=True)
class BulkFile:
    """One file to import or paste: ``name``, ``data`` (its bytes), ``rows`` (changes it
    carries), ``kind`` (``import``: a file the platform imports; ``paste``: a list to paste),
    ``what`` (a ``bulk.file.*`` key saying what it does), ``params`` (for that text),
    ``ids`` (the change ids the file carries)."""

    name: str
    data: bytes
    rows: int
    kind: str = "import"
    what: str = ""
    params: tuple = ()
    ids: tuple = ()


@dataclass
class BulkResult:
    """A writer's result: ``target``, ``files``, ``written`` (change ids in the files),
    ``unwritable`` (:data:`UNWRITABLE_COLUMNS`: the change, ``why`` — a ``bulk.why.*`` code —
    and the reason in both languages), ``notes`` (``bulk.note.*`` codes: what was assumed)."""

    target: str
    files: list[BulkFile] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    unwritable: pd.DataFrame = field(default_factory=lambda: unwritable_frame([]))
    notes: list[str] = field(default_factory=list)


def downloaded(changes: pd.DataFrame, result: BulkResult, file: BulkFile | None = None) -> pd.DataFrame:
    """The rows of ``changes`` a download holds: those written into ``file`` (one file of
    ``result``), or into any of ``result``'s files (``file`` None: the zip of them all).
    What the change log records on a download — never a change that no file carries."""
    ids = set(file.ids) if file is not None else set(result.written)
    return changes.loc[changes["change_id"].isin(ids).to_numpy(bool)].reset_index(drop=True)


def unwritable_frame(records: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(records, columns=UNWRITABLE_COLUMNS).astype(object)


def refuse(change, why: str, **params) -> dict:
    """The unwritable record of ``change`` (a row of the change table) for the reason ``why``."""
    return {"change_id": change.change_id, "action": change.action, "campaign": change.campaign,
            "ad_group": change.ad_group, "keyword": change.keyword, "field": change.field,
            "before": change.before, "after": change.after, "why": why,
            "reason_zh": st(f"bulk.why.{why}", "zh", **params), "reason_en": st(f"bulk.why.{why}", "en", **params)}


def cell_problem(values) -> str | None:
    """Why these texts cannot go into a cell as they are, or None: ``control`` (a tab or line
    break inside), ``formula`` (a spreadsheet would run it: neutralising it would change the
    name the platform matches by)."""
    for v in values:
        s = str(v)
        if any(ch in s for ch in "\t\r\n"):
            return "control"
        if neutralise(s) != s:
            return "formula"
    return None


def collect(changes: pd.DataFrame, row_for) -> tuple[list[dict], list[str], list[dict]]:
    """(file rows, change ids written, unwritable records) of ``changes``: ``row_for(change)``
    gives (row, None) or (None, why). The changes of one keyword (its final and mobile URL
    moved back together) make one row: a blank cell is "no change", so their cells merge
    (one entity per row, as formats.md asks)."""
    merged: dict[tuple, dict] = {}
    written, refused = [], []
    for c in changes.itertuples(index=False):
        row, why = row_for(c)
        if row is None:
            refused.append(refuse(c, why, match_type=c.match_type, field=c.field))
            continue
        problem = cell_problem(row.values())
        if problem:
            refused.append(refuse(c, problem))
            continue
        key = (c.action == "negative", c.level, c.campaign, c.ad_group, c.keyword, c.match_type) \
            if c.action != "negative" else (True, len(merged))
        if key in merged:
            merged[key].update({k: v for k, v in row.items() if v != ""})
        else:
            merged[key] = dict(row)
        written.append(c.change_id)
    return list(merged.values()), written, refused


def with_edit(row: dict, change, status: tuple[str, str], fields: dict[str, str]) -> tuple[dict | None, str | None]:
    """``row`` (a keyword row of a format) with ``change``'s edit in it: a pause as
    ``status`` (column, the format's word for paused) — the only status written — or the
    field's new value in its column of ``fields``; (None, why) for an edit the format
    does not take."""
    if change.field == "status":
        if change.after != "paused":
            return None, "status"
        row[status[0]] = status[1]
    elif change.field in fields:
        row[fields[change.field]] = change.after
    else:
        return None, "field"
    return row, None


def bare_keyword(keyword: str, match_type: str) -> str:
    """The keyword's text without the match-type punctuation a Google export wraps it in
    (``[locksmith near me]``, ``"local locksmith"``): Editor and the bulk files give the match
    type in its own column."""
    k = str(keyword).strip()
    if match_type == "exact" and len(k) > 1 and k.startswith("[") and k.endswith("]"):
        return k[1:-1].strip()
    if match_type == "phrase" and len(k) > 1 and k.startswith('"') and k.endswith('"'):
        return k[1:-1].strip()
    return k


def delimited(rows: list[dict], columns: list[str], sep: str, encoding: str) -> bytes:
    """``rows`` under ``columns`` as delimited text, every text cell neutralised
    (:func:`optimizer.outputs.report.csv_bytes`), CRLF line ends. ``encoding``:
    ``utf-16-bom`` (UTF-16LE with a byte-order mark), ``utf-8-sig``, ``utf-8``, ``gb18030``."""
    frame = pd.DataFrame(rows, columns=columns, dtype=object).fillna("")
    text = csv_bytes(frame, sep=sep, encoding="utf-8").decode("utf-8")
    if encoding == "utf-16-bom":
        return b"\xff\xfe" + text.encode("utf-16-le")
    return text.encode(encoding)


def safe_file_part(text: str) -> str:
    """A plan or unit name as part of a file name: no path separators or characters
    Windows refuses, at most 40 characters."""
    out = "".join("_" if ch in '\\/:*?"<>|\t\r\n' or ord(ch) < 32 else ch for ch in str(text)).strip(" .")
    return out[:40] or "_"


def zip_bytes(result: BulkResult, readme_text: str) -> bytes:
    """Every file of ``result`` and the README.txt (UTF-8 with a BOM) in one zip."""
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in result.files:
            z.writestr(f.name, f.data)
        z.writestr("README.txt", readme_text.encode("utf-8-sig"))
    return buf.getvalue()


# ---------------------------------------------------------------- README.txt

def readme(result: BulkResult, lang: str = "zh", account: str = "", generated: str = "",
           aside: pd.DataFrame | None = None) -> str:
    """The one-page README.txt of ``result`` in ``lang``: what each file does and how to
    import it, what was assumed, which rows could not be written (and why), and the changes
    ``aside`` (``optimizer.actions.changes.hold_back``: set aside, with ``why``)."""
    t = result.target
    lines = [st("bulk.readme.title", lang, target=st(f"bulk.target.{t}", lang)),
             st("bulk.readme.account", lang, account=account, generated=generated), ""]
    lines.append(st("bulk.readme.files", lang))
    if not result.files:
        lines.append("  " + st("bulk.readme.no_files", lang))
    for kind, how in (("import", f"bulk.how.{t}"), ("paste", "bulk.how.paste")):
        files = [f for f in result.files if f.kind == kind]
        if files:   # how to import once per kind, then each file and what it does
            lines.append("  " + st(how, lang))
        for f in files:
            lines.append(f"    {f.name}: " + st(f"bulk.file.{f.what}", lang, rows=f.rows, **dict(f.params)))
    lines.append("")
    lines.append(st("bulk.readme.assumed", lang))
    for code in dict.fromkeys(result.notes):
        lines.append("  - " + st(f"bulk.note.{code}", lang))
    lines.append("")
    u = result.unwritable
    lines.append(st("bulk.readme.unwritable", lang, n=len(u)))
    for r in u.itertuples(index=False):
        where = " / ".join(x for x in (r.campaign, r.ad_group, r.keyword) if x)
        change = f"{r.field}: {r.before or '—'} → {r.after or '—'}"
        lines.append(f"  - {where} · {change} · {r.reason_zh if lang == 'zh' else r.reason_en}")
    if aside is not None and len(aside):
        lines.append("")
        lines.append(st("bulk.readme.aside", lang, n=len(aside)))
        for r in aside.itertuples(index=False):
            where = " / ".join(x for x in (r.campaign, r.ad_group, r.keyword) if x)
            lines.append(f"  - {where} · {r.field}: {r.before or '—'} → {r.after or '?'} · "
                         + st(f"bulk.aside.{r.why}", lang))
    return "\r\n".join(lines) + "\r\n"
