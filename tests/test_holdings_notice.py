"""A tracker with little data says what it holds and how to get more: on the timeline and the admin index."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from visits.models import Feed, ImportRun, Person, Trip
from visits.views.holdings import FEW

pytestmark = pytest.mark.django_db


def _trips(count: int) -> None:
    person = Person.objects.create(name="Jane Doe", slug="jane-doe")
    Trip.objects.bulk_create(
        Trip(traveller=person, start_date=dt.date(2020, 1, 1) + dt.timedelta(days=i), title=f"T{i}")
        for i in range(count)
    )


def test_empty_timeline_says_what_it_holds_and_how_to_get_more(client):
    Feed.objects.create(url="https://news.example/feed.xml", name="news")
    page = client.get("/").content.decode()
    assert "This tracker holds 0 trips and 0 meetings, from 0 reports." in page
    assert "manage.py import_hsg" in page and "7,535 public records" in page
    assert 'href="/admin/visits/feed/add/"' in page and "1 feed so far" in page
    assert 'href="/admin/visits/report/submit-url/"' in page and "manage.py ingest URL" in page


def test_no_import_advice_once_the_records_are_in_and_no_notice_with_enough_data(client):
    ImportRun.objects.create(source="hsg", finished_at=timezone.now())
    _trips(3)
    page = client.get("/").content.decode()
    assert "This tracker holds 3 trips" in page and "manage.py import_hsg" not in page
    Trip.objects.bulk_create(Trip(traveller=Person.objects.get(), start_date=dt.date(2021, 1, 1)) for _ in range(FEW))
    assert 'id="holdings"' not in client.get("/").content.decode()


def test_filtered_timeline_shows_no_notice(client):
    assert 'id="holdings"' not in client.get("/?country=GE").content.decode()


def test_admin_index_carries_the_notice(client):
    admin = get_user_model().objects.create_superuser("boss", "boss@example.org", "a-long-Passphrase-42")
    client.force_login(admin)
    page = client.get("/admin/").content.decode()
    assert "This tracker holds 0 trips and 0 meetings" in page and "manage.py import_hsg" in page
    assert "Site administration" in page  # the admin's own index is still there
