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
