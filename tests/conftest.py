"""Fixtures shared across the suite."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED_REPORT = SHARED / "data" / "seed" / "otan-caucase-du-sud-2024-03-19.fr.txt"
HSG_DIR = SHARED / "data" / "hsg"


@pytest.fixture
def seed_text() -> str:
    """The founding example, read from ../shared (never copied into the project)."""
    if not SEED_REPORT.exists():
        pytest.skip(f"the seed report is not at {SEED_REPORT}")
    return SEED_REPORT.read_text(encoding="utf-8")


@pytest.fixture
def caucasus(db):
    """The countries of the founding example."""
    from visits.models import Country

    names = {"AZ": "Azerbaijan", "GE": "Georgia", "AM": "Armenia", "RU": "Russia", "US": "United States"}
    return {code: Country.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in names.items()}
