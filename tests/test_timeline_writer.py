"""The timeline writer: bulk imports (import_hsg, extract_remarks) show at once with the cache on, and feed /changes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from tests import api_factories as make
from tests.conftest import HSG_FIXTURES
from visits import cache as timeline_cache
from visits import titles
from visits.models import Change, Meeting, Trip
from visits.services import writer
from visits.services.writer import ChangeSet

API_PATHS = ("/api/v1/timeline", "/api/v1/trips", "/api/v1/meetings")


@pytest.fixture
def cache_on(settings):
    """The timeline cache as production runs it (TIMELINE_CACHE_SECONDS > 0), on a fresh local-memory cache."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "writer"}}
    settings.TIMELINE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def _get(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return response


def _warm(client) -> None:
    """Answer each API list once, so that the next identical read would come from the cache."""
    for path in API_PATHS:
        _get(client, path)
        assert _get(client, path)["X-Cache"] == "hit"


def _feed(client, since: dt.datetime) -> set[tuple[str, int, str]]:
    body = _get(client, f"/api/v1/changes?since={since.isoformat().replace('+00:00', 'Z')}&page_size=200").json()
    assert body["next"] is None
    return {(c["kind"], c["object_id"], c["action"]) for c in body["results"]}


def _import_hsg() -> None:
    call_command("import_hsg", str(HSG_FIXTURES), "--no-progress", stdout=io.StringIO())


# --------------------------------------------------------------------------- the change set


def test_a_change_set_keeps_one_row_per_fact_the_strongest_action():
    changes = ChangeSet()
    changes.created("trip", [1, 2])
    changes.updated("trip", [1, 3])  # created then updated in one write: still "created"
    changes.deleted("trip", [2])
    changes.merged("meeting", 7, into=8)
    assert changes.actions == {
        ("trip", 1): ("created", None),
        ("trip", 2): ("deleted", None),
        ("trip", 3): ("updated", None),
        ("meeting", 7): ("merged", 8),
    }
    assert changes.ids("trip") == [1, 3] and changes.ids("trip", alive=False) == [1, 2, 3]
    with pytest.raises(ValueError, match="trips and meetings"):
        changes.updated("stop", [4])


@pytest.mark.django_db(transaction=True)
def test_write_changes_inserts_the_feed_rows_and_bumps_the_version_on_commit(cache_on):
    from django.db import transaction

    trip = make.trip(title="Trip")
    version = timeline_cache.timeline_version()
    changes = ChangeSet()
    changes.updated("trip", [trip.pk])
    with transaction.atomic():
        rows = writer.write_changes(changes)
        assert timeline_cache.timeline_version() == version  # not before the rows are visible
    assert [(r.kind, r.object_id, r.action) for r in rows] == [("trip", trip.pk, "updated")]
    assert Change.objects.filter(kind="trip", object_id=trip.pk, action="updated").count() == 1
    assert timeline_cache.timeline_version() == version + 1
    writer.write_changes(ChangeSet())  # nothing written: cached pages stay valid
    assert timeline_cache.timeline_version() == version + 1


# --------------------------------------------------------------------------- import_hsg


@pytest.mark.django_db(transaction=True)
def test_import_hsg_shows_at_once_with_the_cache_on_and_feeds_the_changes(client, cache_on):
    since = timezone.now()
    _warm(client)
    _import_hsg()

    trips, meetings = list(Trip.objects.all()), list(Meeting.objects.all())
    assert len(trips) == 11 and len(meetings) == 3
    timeline = _get(client, "/api/v1/timeline")
    assert "X-Cache" not in timeline  # the cached empty answer went stale with the import
    shown = {(e["type"], e["id"]): e["title"] for e in timeline.json()["results"]}
    assert {("trip", t.pk): titles.trip_title(t) for t in trips}.items() <= shown.items()
    assert {("meeting", m.pk) for m in meetings} <= shown.keys()
    assert len(_get(client, "/api/v1/trips").json()["results"]) == 11
    assert len(_get(client, "/api/v1/meetings").json()["results"]) == 3
    page = _get(client, "/").content.decode()
    assert trips[0].traveller.name in page and titles.trip_title(trips[0]) in page

    expected = {("trip", t.pk, "created") for t in trips} | {("meeting", m.pk, "created") for m in meetings}
    assert _feed(client, since) == expected

    # a second run changes nothing: no feed rows, and the cached answers stay valid
    _warm(client)
    count = Change.objects.count()
    _import_hsg()
    assert Change.objects.count() == count
    assert _get(client, "/api/v1/timeline")["X-Cache"] == "hit"


@pytest.mark.django_db(transaction=True)
def test_an_edited_hsg_record_updates_its_trip_in_the_feed(client, cache_on, tmp_path):
    import shutil

    _import_hsg()
    root = tmp_path / "hsg"
    shutil.copytree(HSG_FIXTURES, root)
    path = root / "travels" / "secretary-travels" / "baker-james-addison.xml"
    text = path.read_text(encoding="utf-8")
    assert "Met with President Havel" in text
    path.write_text(text.replace("Met with President Havel", "Met with President Vaclav Havel"), encoding="utf-8")
    _warm(client)
    since = timezone.now()
    call_command("import_hsg", str(root), "--no-progress", stdout=io.StringIO())

    trip = Trip.objects.get(stops__remarks__contains="President Vaclav Havel")
    assert _feed(client, since) == {("trip", trip.pk, "updated")}
    assert "X-Cache" not in _get(client, "/api/v1/trips")
    found = _get(client, "/api/v1/trips?q=Vaclav").json()["results"]  # its search document was rebuilt
    assert [e["id"] for e in found] == [trip.pk]


# --------------------------------------------------------------------------- extract_remarks


@pytest.mark.django_db(transaction=True)
def test_extract_remarks_shows_at_once_with_the_cache_on_and_feeds_the_changes(client, cache_on):
    _import_hsg()
    before = set(Meeting.objects.values_list("pk", flat=True))
    _warm(client)
    since = timezone.now()
    call_command("extract_remarks", "--no-progress", stdout=io.StringIO())

    new = list(Meeting.objects.exclude(pk__in=before).select_related("trip"))
    assert len(new) >= 5  # "Met with ..." in most of the fixtures' remarks
    meetings = _get(client, "/api/v1/meetings?page_size=100")
    assert "X-Cache" not in meetings
    assert {m.pk for m in new} <= {e["id"] for e in meetings.json()["results"]}
    feed = _feed(client, since)
    assert {("meeting", m.pk, "created") for m in new} <= feed
    assert {("trip", m.trip_id, "updated") for m in new} <= feed  # each trip lists its new meetings
    assert {action for _, _, action in feed} <= {"created", "updated"}
    name = new[0].participations.exclude(person=new[0].trip.traveller).first().person.name
    assert new[0].pk in {e["id"] for e in _get(client, f"/api/v1/meetings?q={name.split()[-1]}").json()["results"]}

    # a second run writes nothing, so the cached answers stay valid
    _warm(client)
    count = Change.objects.count()
    call_command("extract_remarks", "--no-progress", stdout=io.StringIO())
    assert Change.objects.count() == count
    assert _get(client, "/api/v1/meetings")["X-Cache"] == "hit"
