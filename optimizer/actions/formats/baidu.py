"""Baidu (百度营销 / 推广客户端) keyword file and negative lists, from ``../shared/formats.md``
(no official page was found: everything here is B).

**Keyword file** — columns in this order: ``推广计划名称, 推广单元名称, 关键词名称, 匹配模式,
出价, 访问URL, 移动访问URL, 启用/暂停`` (the first three required; a blank cell is "no
change"). Written as .xlsx by default, GB18030 CSV as a choice (``file_format``). A pause
is ``启用/暂停`` = ``暂停``; a bid change ``出价`` (2 decimals); a URL fix ``访问URL`` or
``移动访问URL``.

**匹配模式** is written as the account's own export writes it. The product's reading keeps
the canonical match type, not the raw label, so the label is mapped back per export
generation (``generation``, see :func:`export_generation`): ``current`` — 精确匹配 / 短语匹配 /
智能匹配; ``legacy`` — 精确 / 广泛, and a phrase keyword's label left blank ("no change": the
legacy export had three phrase kinds, 短语-精确包含 / -同义包含 / -核心包含, and which one
a keyword has is not kept). A match type with no label in that generation is left blank too
(the keyword keeps its match type).

**Limits** (checked; a row over one is listed, not written): keyword ≤ 40 bytes, plan and unit
names ≤ 30 bytes (GBK bytes: a Chinese character counts 2), bid in (0, 999.99] 元, URLs ≤
1024 bytes.

**Negatives** are not keyword rows (no file column for them is documented): each plan and
unit has two lists, ``否定关键词`` (phrase) and ``精确否定关键词`` (exact), and setting a list
replaces it whole. So each list is written as a text file to paste: the existing words
(``existing``, when known) then the new ones, one per line. Each word ≤ 40 bytes; a list
holds at most ``list_limit`` words (200, formats.md's unit limit; assumed the same for a
plan's list): new words past it are listed as not writable (the most costly are kept, the
change table being most money first). Without ``existing`` the words already in the list are
unknown — the exports do not carry them — and the README says to add the new words at the
end of the list instead of replacing it.
"""
from __future__ import annotations

import io

import pandas as pd

from optimizer.actions.formats.common import (BulkFile, BulkResult, cell_problem, collect, delimited, refuse,
                                              safe_file_part, unwritable_frame, with_edit)
from optimizer.outputs.report import neutralise

COLUMNS = ["推广计划名称", "推广单元名称", "关键词名称", "匹配模式", "出价", "访问URL", "移动访问URL", "启用/暂停"]
LABELS = {"current": {"exact": "精确匹配", "phrase": "短语匹配", "smart": "智能匹配"},
          "legacy": {"exact": "精确", "broad": "广泛"}}
LIST_NAMES = {"phrase": "否定关键词", "exact": "精确否定关键词"}
FIELD_COLUMN = {"bid": "出价", "final_url": "访问URL", "mobile_final_url": "移动访问URL"}
KEYWORD_BYTES, NAME_BYTES, URL_BYTES, MAX_BID, LIST_LIMIT = 40, 30, 1024, 999.99, 200


def gbk_bytes(text: str) -> int:
    """Bytes of ``text`` as Baidu counts them (GBK: a Chinese character 2, ASCII 1)."""
    return len(str(text).encode("gb18030", errors="replace"))


def export_generation(rows: pd.DataFrame) -> str:
    """``legacy`` when the account's keyword rows hold a broad match (广泛: only the legacy
    exports have it), else ``current``."""
    if rows is None or rows.empty or "match_type" not in rows:
        return "current"
    k = rows.loc[(rows["report_type"] == "keyword").to_numpy(bool), "match_type"]
    return "legacy" if (k.astype(object) == "broad").any() else "current"


def plan_generations(rows: pd.DataFrame) -> dict[str, str]:
    """Each plan's export generation (:func:`export_generation` of its own keyword rows): an
    export may mix them — one plan still on 精确 / 广泛 / 短语, the others on 精确匹配 /
    短语匹配 / 智能匹配 — and each plan's rows get the labels its own rows carry. A legacy
    plan without any broad keyword reads as ``current`` (the labels themselves are not kept)."""
    if rows is None or rows.empty or "match_type" not in rows or "campaign" not in rows:
        return {}
    k = rows.loc[(rows["report_type"] == "keyword").to_numpy(bool), ["campaign", "match_type"]]
    broad = (k["match_type"].astype(object) == "broad").groupby(k["campaign"].astype(str)).any()
    return {c: ("legacy" if b else "current") for c, b in broad.items()}


def _limits(c) -> tuple[str, dict] | None:
    if gbk_bytes(c.campaign) > NAME_BYTES:
        return "name_bytes", {"name": c.campaign, "limit": NAME_BYTES}
    if c.ad_group and gbk_bytes(c.ad_group) > NAME_BYTES:
        return "name_bytes", {"name": c.ad_group, "limit": NAME_BYTES}
    if gbk_bytes(c.keyword) > KEYWORD_BYTES:
        return "keyword_bytes", {"limit": KEYWORD_BYTES}
    if c.field == "bid":
        try:
            bid = float(c.after)
        except ValueError:
            return "bid_range", {"max": f"{MAX_BID:.2f}"}
        if not 0 < bid <= MAX_BID:
            return "bid_range", {"max": f"{MAX_BID:.2f}"}
    if c.field in ("final_url", "mobile_final_url") and gbk_bytes(c.after) > URL_BYTES:
        return "url_bytes", {"limit": URL_BYTES}
    return None


def _xlsx(rows: list[dict]) -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "关键词"
    ws.append(COLUMNS)
    for r in rows:
        # every cell is text (a neutralised text never starts a formula; openpyxl would take "=…" for one),
        # but the bid, a number (2 decimals)
        ws.append([None if r.get(c, "") == "" else float(r[c]) if c == "出价" else neutralise(str(r[c]))
                   for c in COLUMNS])
        if r.get("出价", "") != "":
            ws.cell(ws.max_row, COLUMNS.index("出价") + 1).number_format = "0.00"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write(changes: pd.DataFrame, file_format: str = "xlsx", generation: str | dict[str, str] = "current",
          existing: dict[tuple[str, str, str], list[str]] | None = None, list_limit: int = LIST_LIMIT) -> BulkResult:
    """The Baidu files of ``changes``: the keyword file (``file_format`` ``xlsx`` or ``csv``:
    GB18030) and one paste list per (plan, unit, 否定关键词 / 精确否定关键词).
    ``generation``: the export generation whose 匹配模式 labels to write (:func:`export_generation`),
    or one per plan (:func:`plan_generations`; a plan not in it: ``current``).
    ``existing``: (plan, unit "" for the plan's list, ``exact``/``phrase``) → the words the list
    holds now."""
    if file_format not in ("xlsx", "csv"):
        raise ValueError("file_format must be xlsx or csv")
    per_plan = dict(generation) if isinstance(generation, dict) else {}
    default = "current" if isinstance(generation, dict) else generation
    if default not in LABELS or any(g not in LABELS for g in per_plan.values()):
        raise ValueError(f"generation must be one of {', '.join(LABELS)}")
    refused: list[dict] = []
    lists: dict[tuple[str, str, str], list] = {}
    edits = []
    for c in changes.itertuples(index=False):
        if c.action == "negative":
            if c.match_type not in LIST_NAMES:
                refused.append(refuse(c, "negative_match", match_type=c.match_type))
                continue
            problem = cell_problem([c.keyword])
            if problem:
                refused.append(refuse(c, problem))
                continue
            if gbk_bytes(c.keyword) > KEYWORD_BYTES:
                refused.append(refuse(c, "negative_bytes", limit=KEYWORD_BYTES))
                continue
            unit = "" if c.level == "campaign" else c.ad_group
            lists.setdefault((c.campaign, unit, c.match_type), []).append(c)
            continue
        limit = _limits(c)
        if limit is not None:
            refused.append(refuse(c, limit[0], **limit[1]))
            continue
        edits.append(c)

    def row_for(c) -> tuple[dict | None, str | None]:
        row = {"推广计划名称": c.campaign, "推广单元名称": c.ad_group, "关键词名称": c.keyword,
               "匹配模式": LABELS[per_plan.get(c.campaign, default)].get(c.match_type, "")}
        return with_edit(row, c, ("启用/暂停", "暂停"), FIELD_COLUMN)

    rows, written, more = collect(pd.DataFrame(edits, columns=changes.columns), row_for)
    refused += more
    files = []
    if rows:
        data = _xlsx(rows) if file_format == "xlsx" else delimited(rows, COLUMNS, ",", "gb18030")
        files.append(BulkFile(f"baidu_keywords.{file_format}", data, len(written), "import", "baidu_keywords",
                              ids=tuple(written)))
    over = False
    for (plan, unit, kind), items in lists.items():
        have = list((existing or {}).get((plan, unit, kind), []))
        words = list(dict.fromkeys(have))
        new = []
        for c in items:
            if c.keyword in words:
                written.append(c.change_id)   # already in the list: nothing to add
                continue
            if len(words) >= list_limit:
                refused.append(refuse(c, "list_full", limit=list_limit, list=LIST_NAMES[kind]))
                over = True
                continue
            words.append(c.keyword)
            new.append(c)
            written.append(c.change_id)
        if not new:
            continue
        name = "baidu_{}_{}{}.txt".format(LIST_NAMES[kind], safe_file_part(plan),
                                          f"_{safe_file_part(unit)}" if unit else "")
        text = "\r\n".join(str(neutralise(w)) for w in words) + "\r\n"
        files.append(BulkFile(name, text.encode("utf-8"), len(new), "paste",
                              "baidu_list_unit" if unit else "baidu_list_plan",
                              (("plan", plan), ("unit", unit), ("list", LIST_NAMES[kind]),
                               ("existing", len(have)), ("total", len(words))),
                              tuple(c.change_id for c in new)))
    used = {per_plan.get(c.campaign, default) for c in edits} or {default}
    notes = ["baidu_labels_" + (used.pop() if len(used) == 1 else "mixed"), "baidu_limits", "baidu_lists" if existing is None else "baidu_lists_known",
             "baidu_plan_limit", "no_removals"]
    if over:
        notes.append("baidu_list_full")
    return BulkResult("baidu", files, written, unwritable_frame(refused), notes)
