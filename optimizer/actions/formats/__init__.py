"""Bulk-edit files: the change table (:mod:`optimizer.actions.changes`) written in each
platform's import dialect, as ``../shared/formats.md`` ("Bulk-edit (import) files")
documents it — one writer per target, never one dialect for another:

- ``google_editor`` (:mod:`.google_editor`): Google Ads Editor, Account > Import > From file;
- ``google_web`` (:mod:`.google_web`): Google Ads web bulk uploads, Tools > Bulk actions > Uploads;
- ``microsoft`` (:mod:`.microsoft`): Microsoft Advertising Bulk file;
- ``baidu`` (:mod:`.baidu`): the Baidu keyword file (.xlsx, or GB18030 CSV) and the negative
  lists to paste per plan/unit.

Each writer returns a :class:`BulkResult`: the files (name, bytes, rows written), the
change ids written, and the rows it cannot write (``unwritable``: the change with the
reason in both languages) — a row a format cannot express is listed, never written wrong.
Rules every writer keeps (:mod:`.common`): every text cell is neutralised
(:func:`optimizer.outputs.report.neutralise`); a row whose name a spreadsheet would read as
a formula is *not written* (neutralising it would rename the keyword or plan the platform
matches by, so the import would add a new object) but listed; a name holding a tab or a
line break is listed, never written; "no change" is a blank cell.

:func:`write_bulk` dispatches; :func:`readme` is the one-page README.txt of a result.
"""
from __future__ import annotations

from optimizer.actions.formats.common import (TARGET_PLATFORM, TARGETS, BulkFile, BulkResult, downloaded, readme,
                                              target_for_platform, targets_for_platform, unwritable_frame,
                                              zip_bytes)


def write_bulk(changes, target: str, **settings) -> BulkResult:
    """The files of ``changes`` (a change table) for ``target`` (one of :data:`TARGETS`);
    ``settings``: the writer's own (see each module). Raises ValueError for an unknown target."""
    if target == "google_editor":
        from optimizer.actions.formats.google_editor import write
    elif target == "google_web":
        from optimizer.actions.formats.google_web import write
    elif target == "microsoft":
        from optimizer.actions.formats.microsoft import write
    elif target == "baidu":
        from optimizer.actions.formats.baidu import write
    else:
        raise ValueError(f"unknown bulk target {target!r} (one of {', '.join(TARGETS)})")
    return write(changes, **settings)


__all__ = ["BulkFile", "BulkResult", "TARGETS", "TARGET_PLATFORM", "downloaded", "readme", "target_for_platform",
           "targets_for_platform", "unwritable_frame", "write_bulk", "zip_bytes"]
