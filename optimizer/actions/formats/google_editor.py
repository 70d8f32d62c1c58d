"""Google Ads Editor import file (Account > Import > From file), from ``../shared/formats.md``.

Columns ``Campaign, Ad group, Keyword, Criterion Type, Max CPC, Status, Final URL,
Final mobile URL`` (B); headers in English, the first row the header, a blank cell "no
change" (A). ``Criterion Type``: ``Broad`` / ``Phrase`` / ``Exact`` for keywords,
``Negative Exact`` / ``Negative Phrase`` with the ad group filled for ad-group negatives,
``Campaign Negative Exact`` / ``Campaign Negative Phrase`` with the ad group blank for
campaign negatives. ``Status`` ``Paused`` (``Removed`` is unverified: never written).
Keywords are matched by Campaign + Ad group + Keyword + Criterion Type (a row that matches
nothing is added), so the keyword is written without its match-type punctuation.

Encoding (uncertain, a setting): ``utf16_tab`` (default) — UTF-16LE with a BOM, TAB,
CRLF, what Editor itself exports and reads back (B, several writers); ``utf8_comma`` —
UTF-8 with a BOM, comma, CRLF (reports on it conflict: a choice, not the default).
"""
from __future__ import annotations

import pandas as pd

from optimizer.actions.formats.common import (BulkFile, BulkResult, bare_keyword, collect, delimited, unwritable_frame,
                                              with_edit)

COLUMNS = ["Campaign", "Ad group", "Keyword", "Criterion Type", "Max CPC", "Status", "Final URL", "Final mobile URL"]
ENCODINGS = {"utf16_tab": ("\t", "utf-16-bom"), "utf8_comma": (",", "utf-8-sig")}
KEYWORD_TYPES = {"exact": "Exact", "phrase": "Phrase", "broad": "Broad"}
NEGATIVE_TYPES = {"exact": "Exact", "phrase": "Phrase"}
FIELD_COLUMN = {"bid": "Max CPC", "final_url": "Final URL", "mobile_final_url": "Final mobile URL"}


def row_for(c) -> tuple[dict | None, str | None]:
    """(the file row of change ``c``, None) or (None, why it cannot be written)."""
    kw = bare_keyword(c.keyword, c.match_type)
    if c.action == "negative":
        if c.match_type not in NEGATIVE_TYPES:
            return None, "negative_match"
        kind = NEGATIVE_TYPES[c.match_type]
        crit = f"Campaign Negative {kind}" if c.level == "campaign" else f"Negative {kind}"
        return {"Campaign": c.campaign, "Ad group": "" if c.level == "campaign" else c.ad_group,
                "Keyword": kw, "Criterion Type": crit}, None
    if c.match_type not in KEYWORD_TYPES:
        return None, "match_type"
    row = {"Campaign": c.campaign, "Ad group": c.ad_group, "Keyword": kw, "Criterion Type": KEYWORD_TYPES[c.match_type]}
    return with_edit(row, c, ("Status", "Paused"), FIELD_COLUMN)


def write(changes: pd.DataFrame, encoding: str = "utf16_tab") -> BulkResult:
    """The Editor file of ``changes``. ``encoding``: ``utf16_tab`` (default) or ``utf8_comma``."""
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}")
    sep, enc = ENCODINGS[encoding]
    rows, written, refused = collect(changes, row_for)
    files = []
    if rows:
        files.append(BulkFile("google_ads_editor_import" + (".csv" if encoding == "utf16_tab" else "_utf8.csv"),
                              delimited(rows, COLUMNS, sep, enc), len(written), "import", "google_editor",
                              ids=tuple(written)))
    notes = ["editor_encoding" if encoding == "utf16_tab" else "editor_utf8", "editor_match", "no_removals"]
    return BulkResult("google_editor", files, written, unwritable_frame(refused), notes)
