"""Saved column mappings for layouts the product does not recognise.

When the user maps the columns of an unknown file by hand and saves the mapping, it
is stored under the file's header signature (:func:`optimizer.reading.ingest.header_signature`)
and applied automatically to the next file with the same header. Stored as one JSON
file, written atomically (a temporary file renamed over the old one), so a crash
never leaves a half-written store.
"""
from __future__ import annotations

import os
from pathlib import Path

from optimizer.reading.ingest import ColumnMapping
from optimizer.jsonfile import read_json, write_json


class MappingStore:
    """Column mappings by header signature, kept in a JSON file at ``path``."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    def _load(self) -> dict[str, str]:
        return read_json(self.path, "mapping store")

    def get(self, signature: str) -> ColumnMapping | None:
        """The mapping saved for this header signature, or None."""
        text = self._load().get(signature)
        return ColumnMapping.from_json(text) if text else None

    def save(self, signature: str, mapping: ColumnMapping) -> None:
        """Save (or replace) the mapping for this header signature."""
        data = self._load()
        data[signature] = mapping.to_json()
        write_json(self.path, data)

    def all(self) -> dict[str, ColumnMapping]:
        return {k: ColumnMapping.from_json(v) for k, v in self._load().items()}


def saved_mapping_for(data: bytes, name: str, store: MappingStore, *, settings=None) -> ColumnMapping | None:
    """The mapping saved for this file's header layout, or None.

    The header is looked for where each saved mapping says it is (its header row), so a
    mapping saved for a file with a title line above the header is found again.
    """
    from optimizer.reading.ingest import Settings, header_signature, preview

    settings = settings or Settings()
    saved = store.all()
    if not saved:
        return None
    for row in sorted({m.header_row for m in saved.values()}):
        try:
            cols = preview(data, name, header_row=row, settings=settings).columns
        except (IndexError, ValueError):
            continue
        mapping = saved.get(header_signature(cols))
        if mapping is not None and mapping.header_row == row:
            return mapping
    return None
