"""Small factories for API tests: rows with several related rows each, so query counts mean something."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token

from visits.dates import period_bounds
from visits.models import (
    City,
    Country,
    Evidence,
    Meeting,
    MeetingTopic,
    Organization,
    Participation,
    Person,
    Position,
    Report,
    Stop,
    StopTopic,
    Topic,
    Trip,
)
from visits.search import refresh_search_documents

_seq = itertools.count(1)

COUNTRIES = {
    "AM": ("Armenia", ("Yerevan", 40.18, 44.51)),
    "AZ": ("Azerbaijan", ("Baku", 40.41, 49.87)),
    "GE": ("Georgia", ("Tbilisi", 41.72, 44.79)),
    "FR": ("France", ("Paris", 48.86, 2.35)),
    "DE": ("Germany", ("Berlin", 52.52, 13.40)),
    "US": ("United States", ("Washington", 38.9, -77.04)),
}


def country(code: str) -> Country:
    """A country (with its capital city) from the small table above."""
    name, (capital, lat, lon) = COUNTRIES.get(code, (code, (None, 0, 0)))
    obj, _ = Country.objects.get_or_create(code=code, defaults={"name": name})
    if capital and obj.capital_id is None:
        obj.capital = City.objects.create(name=capital, country=obj, latitude=lat, longitude=lon, population=1000)
        obj.save(update_fields=["capital"])
    return obj


def city(code: str, name: str, lat: float, lon: float, population: int = 10) -> City:
    return City.objects.create(name=name, country=country(code), latitude=lat, longitude=lon, population=population)


def organization(name: str = "", code: str | None = "FR", **extra) -> Organization:
    n = next(_seq)
    name = name or f"Ministry {n}"
    return Organization.objects.create(
        name=name, slug=extra.pop("slug", f"org-{n}"), country=country(code) if code else None, **extra
    )


def person(name: str = "", slug: str = "", code: str | None = "FR", title: str | None = None, org=None) -> Person:
    """A person; with ``title`` also a position held since 2000 (for ``org`` or their country)."""
    n = next(_seq)
    name = name or f"Official {n}"
    obj = Person.objects.create(name=name, slug=slug or f"official-{n}", country=country(code) if code else None)
    if title:
        Position.objects.create(
            person=obj, title=title, organization=org, country=obj.country, start_date=dt.date(2000, 1, 1)
        )
    return obj


def report(**fields) -> Report:
    n = next(_seq)
    defaults = {
        "url": f"https://news.example/{n}",
        "title": f"Report {n}",
        "publisher": "Example News",
        "language": "en",
        "published_date": dt.date(2024, 3, 1),
        "text": "",
    }
    defaults.update(fields)
    return Report.objects.create(**defaults)


def evidence(fact, rep: Report | None = None, quote: str = "said so", **fields) -> Evidence:
    """Evidence for ``fact`` (a Trip, Stop, Meeting, Participation, StopTopic or MeetingTopic)."""
    field = {
        Trip: "trip",
        Stop: "stop",
        Meeting: "meeting",
        Participation: "participation",
        StopTopic: "stop_topic",
        MeetingTopic: "meeting_topic",
    }[type(fact)]
    return Evidence.objects.create(
        report=rep or report(), quote=quote, start=0, end=len(quote), **{field: fact}, **fields
    )


def _dates(when: str | None, until: str | None = None) -> dict:
    if when is None:
        return {"start_date": None, "end_date": None, "precision": None}
    first, last, precision = period_bounds(when)
    if until:
        last = period_bounds(until)[1]
    return {"start_date": first, "end_date": last, "precision": precision}


def topic(slug: str, parent: str | None = None) -> Topic:
    existing = Topic.objects.filter(slug=slug).first()
    if existing:
        return existing
    return Topic.objects.create(
        slug=slug, name=slug.replace("-", " ").title(), parent=Topic.objects.get(slug=parent) if parent else None
    )


def trip(
    traveller: Person | None = None,
    when: str | None = "2024-03-10",
    until: str | None = None,
    stops: list[tuple[str, list[str], list[str]]] | None = None,
    title: str = "",
    rep: Report | None = None,
    status: str = "completed",
    **fields,
) -> Trip:
    """A trip with stops (country code, cities, topic slugs), and evidence on each level.

    Its search document is built, as the services that write facts do.
    """
    traveller = traveller or person()
    obj = Trip.objects.create(
        traveller=traveller, title=title or f"Trip {next(_seq)}", status=status, **_dates(when, until), **fields
    )
    evidence(obj, rep)
    for order, (code, cities, topics) in enumerate(stops if stops is not None else [("GE", ["Tbilisi"], [])]):
        stop = Stop.objects.create(trip=obj, order=order, country=country(code), cities=cities, **_dates(when, until))
        evidence(stop, rep)
        for slug in topics:
            link = StopTopic.objects.create(stop=stop, topic=topic(slug))
            evidence(link, rep)
    refresh_search_documents(trip_ids=[obj.pk])
    return obj


def meeting(
    people: list[tuple[Person, bool, str | None]] | None = None,
    when: str | None = "2024-03-11",
    code: str | None = "GE",
    city_name: str = "Tbilisi",
    topics: list[str] = (),
    title: str = "",
    rep: Report | None = None,
    status: str = "held",
    **fields,
) -> Meeting:
    """A meeting with participants (person, is_host, country code), topics, and evidence on each.

    Its search document is built, as the services that write facts do.
    """
    obj = Meeting.objects.create(
        title=title or f"Meeting {next(_seq)}",
        country=country(code) if code else None,
        city=city_name,
        status=status,
        **_dates(when),
        **fields,
    )
    evidence(obj, rep)
    for who, is_host, where in people if people is not None else [(person(), True, code), (person(), False, "FR")]:
        participation = Participation.objects.create(
            meeting=obj, person=who, is_host=is_host, country=country(where) if where else None, title="Minister"
        )
        evidence(participation, rep)
    for slug in topics:
        link = MeetingTopic.objects.create(meeting=obj, topic=topic(slug))
        evidence(link, rep)
    refresh_search_documents(meeting_ids=[obj.pk])
    return obj


def user_with_role(role: str | None, username: str = "") -> tuple[User, str]:
    """A user in the group ``role`` (or none) and their API token key."""
    user = User.objects.create_user(username=username or f"user{next(_seq)}", password="x" * 16)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user, Token.objects.create(user=user).key


# --- Fixtures (import them into a test module to use them) --------------------------------------

import pytest  # noqa: E402
from django.core.cache import cache  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402


@pytest.fixture(autouse=False)
def fresh_throttles():
    """Throttle counters live in the cache: start each test with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(fresh_throttles) -> APIClient:
    return APIClient()
