"""Shared test helpers: where the real exports and the bundled sample live."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real-exports"
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = ROOT / "sample_data"


def real(rel: str) -> Path:
    """A real export under ../shared/real-exports (read in place, never copied)."""
    path = REAL / rel
    if not path.exists():
        pytest.skip(f"real export not available here: {path}")
    return path


def capture_downloads(monkeypatch) -> dict[str, bytes]:
    """The bytes behind every download button of the AppTest runs to come, by media URL
    (AppTest keeps them in a media store that is gone once the run ends)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def load(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        files[self.get_url(file_id)] = self.get_file(file_id).content
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load)
    return files
