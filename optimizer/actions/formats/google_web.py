"""Google Ads web bulk upload (Tools > Bulk actions > Uploads), from ``../shared/formats.md``:
a different dialect from Editor's (the web screen rejects Editor files). UTF-8, comma.

Columns: ``Row Type`` (``Keyword``, ``Negative keyword``), ``Action`` (``Add``, ``Edit``;
``Remove`` is never written), ``Campaign``, ``Ad group``, ``Keyword``, ``Type``
(``Broad match``, ``Phrase match``, ``Exact match``), ``Level`` (``Campaign``, ``Ad group``:
negatives only), ``Keyword status`` (``Enabled``, ``Paused``; blank on negative rows),
``Default max. CPC``, ``Final URL``, ``Mobile final URL``, ``Keyword ID`` (B, several
templates). A negative is an ``Add``; a pause, bid or URL change an ``Edit`` of the keyword,
with its ``Keyword ID`` when the export gave one.

Uncertain, a setting: whether an Edit row without a Keyword ID is matched by names alone is
undocumented — ``edit_without_id`` True (default) writes it with the names; False lists it
as not writable. The file is UTF-8 without a byte-order mark (formats.md says UTF-8).
"""
from __future__ import annotations

import pandas as pd

from optimizer.actions.formats.common import (BulkFile, BulkResult, bare_keyword, collect, delimited, unwritable_frame,
                                              with_edit)

COLUMNS = ["Row Type", "Action", "Campaign", "Ad group", "Keyword", "Type", "Level", "Keyword status",
           "Default max. CPC", "Final URL", "Mobile final URL", "Keyword ID"]
TYPES = {"exact": "Exact match", "phrase": "Phrase match", "broad": "Broad match"}
FIELD_COLUMN = {"bid": "Default max. CPC", "final_url": "Final URL", "mobile_final_url": "Mobile final URL"}


def row_for(c, edit_without_id: bool = True) -> tuple[dict | None, str | None]:
    kw = bare_keyword(c.keyword, c.match_type)
    if c.action == "negative":
        if c.match_type not in ("exact", "phrase"):
            return None, "negative_match"
        return {"Row Type": "Negative keyword", "Action": "Add", "Campaign": c.campaign,
                "Ad group": "" if c.level == "campaign" else c.ad_group, "Keyword": kw, "Type": TYPES[c.match_type],
                "Level": "Campaign" if c.level == "campaign" else "Ad group"}, None
    if c.match_type not in TYPES:
        return None, "match_type"
    keyword_id = c.keyword_id if c.platform == "google" else ""   # another platform's id is no Google Keyword ID
    if not keyword_id and not edit_without_id:
        return None, "no_id_web"
    row = {"Row Type": "Keyword", "Action": "Edit", "Campaign": c.campaign, "Ad group": c.ad_group, "Keyword": kw,
           "Type": TYPES[c.match_type], "Keyword ID": keyword_id}
    return with_edit(row, c, ("Keyword status", "Paused"), FIELD_COLUMN)


def write(changes: pd.DataFrame, edit_without_id: bool = True) -> BulkResult:
    """The web bulk-upload file of ``changes`` (``edit_without_id``: see the module docstring)."""
    rows, written, refused = collect(changes, lambda c: row_for(c, edit_without_id))
    files = [BulkFile("google_ads_bulk_upload.csv", delimited(rows, COLUMNS, ",", "utf-8"), len(written), "import",
                      "google_web", ids=tuple(written))] if rows else []
    notes = ["web_id" if edit_without_id else "web_id_required", "web_utf8", "no_removals"]
    return BulkResult("google_web", files, written, unwritable_frame(refused), notes)
