"""The JSON of timeline pages, byte for byte, against a stored snapshot (guards refactoring of api.entries).

The data covers the shapes an entry can take: undated and imprecise facts, tours with several stops
and shared topics, cities with and without coordinates, countries without a capital, meetings
without a place, participants without a country, reports without a URL or a date, flags.

Regenerate the snapshot only for an intended change of the output:
``UPDATE_API_SNAPSHOT=1 pytest tests/test_api_snapshot.py``.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.db import connection

from tests import api_factories as fx
from visits.models import Country, Evidence, Meeting, Participation, Stop, Trip

pytest_plugins = ["tests.api_factories"]

SNAPSHOT = Path(__file__).parent / "data" / "api_timeline_page.json"
STAMP = dt.datetime(2024, 4, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)


def build_world() -> dict:
    """Facts with fixed names, slugs, URLs and timestamps (ids come from restarted sequences)."""
    fx.city("GE", "Batumi", 41.64, 41.63, population=150_000)
    fx.city("GE", "Batumi", 10.0, 10.0, population=5)  # a smaller namesake: not chosen
    Country.objects.create(code="XK", name="Kosovo")  # no capital
    alice = fx.person("Alice Martin", slug="alice-martin", code="FR", title="Foreign Minister")
    bob = fx.person("Bob Petrosyan", slug="bob-petrosyan", code="AM")
    nino = fx.person("Nino Beridze", slug="nino-beridze", code="GE")
    stateless = fx.person("Ann Nobody", slug="ann-nobody", code=None)
    le_monde = fx.report(
        url="https://lemonde.example/a", title="Visite à Tbilissi", publisher="Le Monde", language="fr"
    )
    undated = fx.report(url=None, canonical_url="https://wire.example/b", title="Wire", published_date=None)
    bare = fx.report(url=None, canonical_url="", submitted_url="", title="Upload", publisher="", language="")
    tour = fx.trip(
        alice,
        when="2024-03-10",
        until="2024-03-14",
        title="South Caucasus tour",
        rep=le_monde,
        stops=[
            ("GE", ["Batumi", "Tbilisi"], ["gas-transit"]),
            ("AM", ["Gyumri"], ["gas-transit", "border-talks"]),
            ("XK", [], []),
        ],
    )
    Trip.objects.filter(pk=tour.pk).update(flags=["disputed-dates"], locked_fields=["title"])  # an analyst's title
    Stop.objects.filter(trip=tour, country_id="AM").update(status="planned")
    fx.evidence(tour, undated, quote="Alice Martin will travel to the region", confidence=0.55)
    untitled = fx.trip(bob, when="2023", rep=bare, stops=[("FR", ["Paris"], [])], status="planned")
    Trip.objects.filter(pk=untitled.pk).update(title="")
    fx.trip(bob, when=None, title="Undated visit", rep=undated, stops=[("DE", [], [])], status="postponed")
    fx.trip(alice, when="2024-03", title="Month trip", rep=le_monde, stops=[("US", ["Washington"], [])])
    talks = fx.meeting(
        [(alice, False, "FR"), (nino, True, "GE"), (stateless, False, None)],
        when="2024-03-11",
        code="GE",
        city_name="Batumi",
        topics=["gas-transit", "river-water"],
        title="Talks in Batumi",
        rep=le_monde,
        trip=tour,
        kind="talks",
        kind_as_written="round of talks",
    )
    Participation.objects.filter(meeting=talks, person=stateless).update(flags=["unnamed"])
    summit = fx.meeting([(bob, False, "AM")], when=None, code=None, city_name="", rep=bare, status="planned")
    Meeting.objects.filter(pk=summit.pk).update(title="", kind="summit")
    fx.meeting([(nino, True, "GE")], when="2024", code="XK", city_name="Pristina", title="Pristina", rep=undated)
    Meeting.objects.update(created_at=STAMP, updated_at=STAMP)
    Trip.objects.update(created_at=STAMP, updated_at=STAMP)
    Evidence.objects.filter(confidence=1.0).update(confidence=0.875)
    return {"tour": tour, "talks": talks}


def restart_ids() -> None:
    """Ids shown in entries start at 1 (these tables are empty in the test's transaction)."""
    with connection.cursor() as cursor:
        for table in ("visits_trip", "visits_stop", "visits_meeting", "visits_person", "visits_report"):
            assert not cursor.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone(), table
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), 1, false)", [table])


@pytest.mark.django_db
def test_timeline_page_json_is_unchanged(api):
    restart_ids()
    world = build_world()
    pages = [
        api.get("/api/v1/timeline", {"page_size": 500}),
        api.get("/api/v1/timeline", {"page_size": 3, "ordering": "-date"}),
        api.get(f"/api/v1/trips/{world['tour'].pk}"),
        api.get(f"/api/v1/meetings/{world['talks'].pk}"),
    ]
    assert all(page.status_code == 200 for page in pages)
    body = b"\n".join(page.content for page in pages) + b"\n"
    assert len(pages[0].json()["results"]) == 7
    if os.environ.get("UPDATE_API_SNAPSHOT"):
        SNAPSHOT.write_bytes(body)
    if os.environ.get("API_SNAPSHOT_OUT"):
        Path(os.environ["API_SNAPSHOT_OUT"]).write_bytes(body)
    assert SNAPSHOT.exists(), f"no snapshot at {SNAPSHOT}: run with UPDATE_API_SNAPSHOT=1 once"
    assert body == SNAPSHOT.read_bytes()
