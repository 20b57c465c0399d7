"""Cursor pages (stable while rows arrive), totals on request, ETag/304, Cache-Control, the changes feed."""

import datetime as dt

import pytest
from django.utils import timezone

from tests import api_factories as fx
from visits.models import Change

pytest_plugins = ["tests.api_factories"]

pytestmark = pytest.mark.django_db


def walk(api, url):
    """Every entry, following next links; returns (keys, pages)."""
    keys, pages = [], 0
    while url:
        body = api.get(url).json()
        keys += [(e["type"], e["id"]) for e in body["results"]]
        url, pages = body["next"], pages + 1
    return keys, pages


def test_timeline_cursor_is_stable_while_rows_arrive(api):
    traveller = fx.person()
    for day in range(1, 8):
        fx.trip(traveller, when=f"2024-05-{day:02d}", stops=[])
        fx.meeting([], when=f"2024-05-{day:02d}")
    first = api.get("/api/v1/timeline?page_size=4").json()
    seen = [(e["type"], e["id"]) for e in first["results"]]
    assert [e["start"] for e in first["results"]] == ["2024-05-01", "2024-05-01", "2024-05-02", "2024-05-02"]
    assert [e["type"] for e in first["results"]][:2] == ["meeting", "trip"]  # (date, type, id)
    # rows inserted before and after the cursor position while a client pages
    fx.trip(traveller, when="2024-04-01", stops=[])
    late = fx.meeting([], when="2024-05-30")
    rest, _ = walk(api, first["next"])
    keys = seen + rest
    assert len(keys) == len(set(keys)) == 15  # nothing repeated, the earlier insert not reached
    assert keys[-1] == ("meeting", late.pk)


def test_previous_link_returns_the_same_page(api):
    for day in range(1, 10):
        fx.trip(when=f"2024-01-{day:02d}", stops=[])
    page1 = api.get("/api/v1/trips?page_size=3").json()
    page2 = api.get(page1["next"]).json()
    back = api.get(page2["previous"]).json()
    assert [e["id"] for e in back["results"]] == [e["id"] for e in page1["results"]]
    assert back["previous"] is None or api.get(back["previous"]).json()["results"] == []


def test_descending_and_null_dates(api):
    dated = [fx.trip(when=f"2024-02-0{d}", stops=[]) for d in (1, 2, 3)]
    undated = fx.trip(when=None, stops=[])
    keys, pages = walk(api, "/api/v1/trips?ordering=-date&page_size=2")
    assert pages == 2
    assert [k[1] for k in keys] == [undated.pk, dated[2].pk, dated[1].pk, dated[0].pk]
    keys, _ = walk(api, "/api/v1/trips?ordering=updated&page_size=1")
    assert len(keys) == 4


def test_count_only_on_request_and_page_size_bound(api):
    for _ in range(3):
        fx.trip(stops=[])
    assert "count" not in api.get("/api/v1/trips").json()
    assert api.get("/api/v1/trips?count=true&page_size=1").json()["count"] == 3
    assert api.get("/api/v1/timeline?count=true").json()["count"] == 3
    assert api.get("/api/v1/trips?page_size=500").status_code == 200
    assert api.get("/api/v1/trips?page_size=100000").status_code == 400


def test_cursor_of_other_ordering_is_refused(api):
    for _ in range(3):
        fx.trip(stops=[])
    nxt = api.get("/api/v1/trips?page_size=1").json()["next"]
    cursor = nxt.split("cursor=")[1].split("&")[0]
    response = api.get(f"/api/v1/trips?page_size=1&ordering=-updated&cursor={cursor}")
    assert response.status_code == 400 and "cursor" in response.json()["errors"]


def test_etag_last_modified_and_304(api):
    trip = fx.trip()
    response = api.get("/api/v1/timeline")
    assert response["Cache-Control"] == "public, max-age=60"
    etag, modified = response["ETag"], response["Last-Modified"]
    assert api.get("/api/v1/timeline", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api.get("/api/v1/timeline", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    detail = api.get(f"/api/v1/trips/{trip.pk}")
    assert api.get(f"/api/v1/trips/{trip.pk}", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304
    # a change to a child row (evidence review) changes the ETag
    trip.evidence.update(review_state="confirmed")
    again = api.get("/api/v1/timeline", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag


def test_changes_feed(api):
    old = Change.objects.create(kind="trip", object_id=1, action="created")
    Change.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=3))
    Change.objects.create(kind="trip", object_id=2, action="updated")
    Change.objects.create(kind="meeting", object_id=3, action="merged", merged_into=4)
    Change.objects.create(kind="meeting", object_id=5, action="deleted")
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    body = api.get("/api/v1/changes", {"since": since}).json()
    got = [(c["kind"], c["object_id"], c["action"], c["merged_into"]) for c in body["results"]]
    assert got == [("trip", 2, "updated", None), ("meeting", 3, "merged", 4), ("meeting", 5, "deleted", None)]
    assert len(api.get("/api/v1/changes", {"since": since, "kind": "meeting"}).json()["results"]) == 2
    page = api.get("/api/v1/changes", {"since": since, "page_size": 2}).json()
    assert len(page["results"]) == 2 and len(api.get(page["next"]).json()["results"]) == 1
    missing = api.get("/api/v1/changes")
    assert missing.status_code == 400 and "since" in missing.json()["errors"]
    assert api.get("/api/v1/changes?since=last-week").status_code == 400
