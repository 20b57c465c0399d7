"""Fixtures shared across the suite, and where the public data comes from.

``../shared`` (or ``TRACKER_SHARED_DIR``) holds the whole Office of the Historian data set and the
seed report. A user's clone has neither: then the HSG tests read the few real records in
``tests/data/hsg`` and only the seed report's own tests skip (that article may not be copied here).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TRACKER_SHARED_DIR") or ROOT.parent / "shared")
SEED_REPORT = SHARED / "data" / "seed" / "otan-caucase-du-sud-2024-03-19.fr.txt"
HSG_SHARED = SHARED / "data" / "hsg"
HSG_FIXTURES = Path(__file__).resolve().parent / "data" / "hsg"
HSG_FULL = HSG_SHARED if (HSG_SHARED / "travels").is_dir() else None


def pytest_report_header(config: pytest.Config) -> list[str]:
    data = f"the whole set in {HSG_FULL} and" if HSG_FULL else f"no {HSG_SHARED}: only"
    seed = "present" if SEED_REPORT.exists() else f"absent ({SEED_REPORT}): its tests skip"
    return [f"HSG records: {data} the fixtures in tests/data/hsg; seed report {seed}"]


def hsg_datasets() -> list:
    """Parameters for tests over HSG records: the fixtures always, the whole set (slow) when present."""
    sets = [pytest.param(HSG_FIXTURES, id="fixtures")]
    if HSG_FULL:
        sets.append(pytest.param(HSG_FULL, id="full", marks=pytest.mark.slow))
    return sets


def read_seed() -> bytes:
    """The founding example, read from the shared folder: it is a press article, never copied here."""
    if not SEED_REPORT.exists():
        pytest.skip(
            f"the seed report (a Mondialisation.ca article, not redistributable) is read from {SEED_REPORT}:"
            " put the project's shared folder beside the clone or set TRACKER_SHARED_DIR"
        )
    return SEED_REPORT.read_bytes()


@pytest.fixture
def seed_text() -> str:
    return read_seed().decode("utf-8")


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    marked = bool(marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)))
    return marked or bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


_SEEDED: dict[str, str] = {}


@pytest.fixture(scope="session", autouse=True)
def _seeded_rows(django_db_setup, django_db_blocker) -> None:
    """The rows the migrations seed (topics, roles...), as the fresh test database holds them."""
    from django.db import connection

    if not connection.settings_dict["NAME"].startswith("test_"):
        return  # no test in this session uses the database (pytest-django set none up): nothing to restore
    with django_db_blocker.unblock():
        _SEEDED["default"] = connection.creation.serialize_db_to_string()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """A transactional test ends by emptying every table; put the seeded rows back for the tests after it.

    Run serially, pytest-django runs such tests last; on an xdist worker other modules may follow them.
    """
    result = yield
    if nextitem is not None and _is_transactional(item) and "default" in _SEEDED:
        from django.core.management import call_command
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            # Empty again without post_migrate's fresh content types, then restore the seeded rows.
            call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(_SEEDED["default"])
            _reset_sequences(connection)
    return result


def _reset_sequences(connection) -> None:
    """The restored rows keep their ids: move each id sequence past them, or the next insert collides."""
    from django.apps import apps
    from django.core.management.color import no_style

    models = apps.get_models(include_auto_created=True)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


@pytest.fixture
def caucasus(db):
    """The countries of the founding example."""
    from visits.models import Country

    names = {"AZ": "Azerbaijan", "GE": "Georgia", "AM": "Armenia", "RU": "Russia", "US": "United States"}
    return {code: Country.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in names.items()}
