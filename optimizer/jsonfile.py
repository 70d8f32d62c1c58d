"""Small JSON files the product keeps beside the data (saved column mappings, per-account
lexicon edits): read with a clear message when damaged, written atomically (a temporary
file renamed over the old one), so a crash never leaves a half-written file."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def read_json(path: Path, what: str) -> dict:
    """The JSON object in ``path`` ({} when the file does not exist yet).

    Raises ValueError naming ``what`` (e.g. "mapping store") when it is damaged."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"the {what} {path} is damaged: {exc}") from exc


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` to ``path`` atomically (UTF-8, keys sorted)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1, sort_keys=True)
    os.replace(tmp, path)
