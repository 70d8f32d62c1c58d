"""Microsoft Advertising Bulk file, from the official schema as ``../shared/formats.md``
records it (A).

CSV (or TSV), UTF-8 with a byte-order mark; ``Type`` the first column; a ``Format Version``
row with ``6.0`` in ``Name`` before every other row; a blank cell is "no change".
``Campaign Negative Keyword`` / ``Ad Group Negative Keyword`` rows: ``Status`` ``Active``,
the ``Campaign`` (+ ``Ad Group``) name, ``Keyword``, ``Match Type`` ``Exact`` or ``Phrase``
(negatives are added, never updated). ``Keyword`` rows update ``Bid``, ``Status``
(``Paused``), ``Final Url`` or ``Mobile Final Url`` and need the keyword's ``Id``, which only a
Microsoft export gives: a change without it is listed as not writable, never written.

Assumed (formats.md names only ``Id`` for an update): the update row also carries the
campaign and ad group names and the match type, for the reader; ``Parent Id`` is left blank.
``delimiter``: ``,`` (default) or ``\\t``.
"""
from __future__ import annotations

import pandas as pd

from optimizer.actions.formats.common import (BulkFile, BulkResult, bare_keyword, collect, delimited, unwritable_frame,
                                              with_edit)

COLUMNS = ["Type", "Status", "Id", "Parent Id", "Campaign", "Ad Group", "Keyword", "Match Type", "Bid", "Final Url",
           "Mobile Final Url", "Name"]
MATCH = {"exact": "Exact", "phrase": "Phrase", "broad": "Broad"}
FIELD_COLUMN = {"bid": "Bid", "final_url": "Final Url", "mobile_final_url": "Mobile Final Url"}
FORMAT_VERSION = {"Type": "Format Version", "Name": "6.0"}


def row_for(c) -> tuple[dict | None, str | None]:
    kw = bare_keyword(c.keyword, c.match_type)
    if c.action == "negative":
        if c.match_type not in ("exact", "phrase"):
            return None, "negative_match"
        if c.level == "campaign":
            return {"Type": "Campaign Negative Keyword", "Status": "Active", "Campaign": c.campaign, "Keyword": kw,
                    "Match Type": MATCH[c.match_type]}, None
        return {"Type": "Ad Group Negative Keyword", "Status": "Active", "Campaign": c.campaign,
                "Ad Group": c.ad_group, "Keyword": kw, "Match Type": MATCH[c.match_type]}, None
    if not c.keyword_id or c.platform != "microsoft":   # another platform's keyword id is no Microsoft Id
        return None, "no_id_microsoft"
    if c.match_type not in MATCH:
        return None, "match_type"
    row = {"Type": "Keyword", "Id": c.keyword_id, "Campaign": c.campaign, "Ad Group": c.ad_group, "Keyword": kw,
           "Match Type": MATCH[c.match_type]}
    return with_edit(row, c, ("Status", "Paused"), FIELD_COLUMN)


def write(changes: pd.DataFrame, delimiter: str = ",") -> BulkResult:
    """The Bulk file of ``changes`` (``delimiter`` ``,`` or ``\\t``)."""
    if delimiter not in (",", "\t"):
        raise ValueError("delimiter must be ',' or a tab")
    rows, written, refused = collect(changes, row_for)
    files = []
    if rows:
        name = "microsoft_ads_bulk." + ("csv" if delimiter == "," else "tsv")
        files.append(BulkFile(name, delimited([FORMAT_VERSION, *rows], COLUMNS, delimiter, "utf-8-sig"), len(written),
                              "import", "microsoft", ids=tuple(written)))
    return BulkResult("microsoft", files, written, unwritable_frame(refused), ["ms_update_names", "no_removals"])
