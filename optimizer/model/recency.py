"""Which of two downloads of the same rows is the newer one.

Optimizers download the same days again: Baidu's conversions arrive about a day late,
and invalid-click refunds lower yesterday's cost later, so a re-download of the same
day holds better figures than the first download. When two files hold the same row
with different figures, the rows of the file whose *data* is newer are kept, whatever
order the files were uploaded in. What decides, in this order (the first criterion
both files carry and on which they differ):

1. ``generated_at`` — when the platform made the file (Baidu's preamble line
   ``数据生成时间：2026-10-14 09:12``);
2. ``range_end`` — the last day of the range the file says it covers (Baidu's
   ``时间范围``, Google's and Microsoft's title lines);
3. ``last_day`` — the last day of the file's own data rows;
4. ``modified`` — the file's modification time where the upload carries one (the
   command line reads it from the file; a browser upload does not pass it on);
5. ``order`` — the upload order: the later upload wins.

A criterion only one of the two files carries says nothing about the other, so the
comparison moves on to the next one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: the criteria of :func:`compare`, in the order they are tried
CRITERIA = ("generated_at", "range_end", "last_day", "modified", "order")


@dataclass(frozen=True)
class Freshness:
    """What one file says about how new its data is (see the module docstring)."""

    file: str
    generated_at: dt.datetime | None = None
    range_end: dt.date | None = None
    last_day: dt.date | None = None
    modified: dt.datetime | None = None
    order: int = 0

    @classmethod
    def of(cls, info, order: int = 0, modified: dt.datetime | None = None) -> "Freshness":
        """From a file's :class:`~optimizer.reading.ingest.ReadInfo` (its generation time,
        stated range and last data day), its place in the upload order and, when
        known, its modification time."""
        def day(text: str | None) -> dt.date | None:
            return dt.date.fromisoformat(text[:10]) if text else None
        gen = dt.datetime.fromisoformat(info.generated_at) if getattr(info, "generated_at", None) else None
        return cls(info.file, gen, day(getattr(info, "range_end", None)), day(info.date_end), modified, order)


def compare(a: Freshness, b: Freshness) -> tuple[bool, str]:
    """(whether ``a`` is newer than ``b``, the criterion that decided it)."""
    for crit in CRITERIA:
        x, y = getattr(a, crit), getattr(b, crit)
        if x is not None and y is not None and x != y:
            return x > y, crit
    return False, "order"


def _when(f: Freshness, crit: str) -> str:
    v = getattr(f, crit)
    if crit in ("generated_at", "modified"):
        return f"{v:%m-%d %H:%M}"
    if crit in ("range_end", "last_day"):
        return f"{v:%m-%d}"
    return str(v)


def reason(newer: Freshness, older: Freshness, crit: str, lang: str = "zh") -> str:
    """Why ``newer``'s rows were kept over ``older``'s, in a sentence fragment."""
    a, b = newer.file, older.file
    if crit == "generated_at":
        return (f"{a} 生成于 {_when(newer, crit)}，{b} 生成于 {_when(older, crit)}；较早生成的文件里这些天的转化"
                "和消费可能还不完整（转化晚到、无效点击退款）" if lang == "zh" else
                f"{a} was generated {_when(newer, crit)}, {b} {_when(older, crit)}; the earlier download may not "
                "yet hold these days' late conversions and refunds")
    if crit in ("range_end", "last_day"):
        return (f"{a} 的数据到 {_when(newer, crit)}，{b} 只到 {_when(older, crit)}，前者下载得更晚"
                if lang == "zh" else
                f"{a}'s data runs to {_when(newer, crit)}, {b}'s only to {_when(older, crit)}: the former was "
                "downloaded later")
    if crit == "modified":
        return (f"{a} 的修改时间 {_when(newer, crit)} 比 {b} 的 {_when(older, crit)} 晚" if lang == "zh" else
                f"{a} was modified {_when(newer, crit)}, later than {b} ({_when(older, crit)})")
    same = next((c for c in ("generated_at", "range_end") if getattr(newer, c) is not None
                 and getattr(newer, c) == getattr(older, c)), None)
    if same is not None:  # both say, and say the same: made at the same time
        what_zh, what_en = ("生成时间", "time") if same == "generated_at" else ("日期范围截止日", "range end")
        return (f"两个文件写明的{what_zh}相同（{_when(newer, same)}），按上传顺序，后上传的 {a} 为准" if lang == "zh"
                else f"both state the same {what_en} ({_when(newer, same)}), so the later upload, {a}, counts")
    return (f"两个文件都没有写明生成时间和日期范围，按上传顺序，后上传的 {a} 为准" if lang == "zh" else
            f"neither file states when it was made or its range, so the later upload, {a}, counts")
