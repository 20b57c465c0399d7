"""Timeline entries: the JSON shape of trips and meetings that every API format renders.

Built as plain dicts (not DRF serializers) because list pages carry hundreds of nested
evidence rows; ``api.serializers`` documents the same shape for the OpenAPI schema.
Objects must come from ``Trip.objects.for_api()`` / ``Meeting.objects.for_api()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.urls import reverse

from visits.dates import format_partial
from visits.models import City, Country, Evidence, Meeting, Trip

Entry = dict[str, Any]


def absolute(request, path: str) -> str:
    """An absolute URL for ``path`` (relative when there is no request, e.g. in a task)."""
    return request.build_absolute_uri(path) if request is not None else path


def country_ref(country: Country | None) -> dict[str, str] | None:
    return {"code": country.code, "name": country.name} if country is not None else None


def person_ref(person) -> dict[str, Any] | None:
    return {"id": person.pk, "slug": person.slug, "name": person.name} if person is not None else None


def evidence_item(evidence: Evidence) -> Entry:
    report = evidence.report
    return {
        "report": {
            "id": report.pk,
            "url": report.url or report.canonical_url or report.submitted_url or None,
            "title": report.title,
            "publisher": report.publisher,
            "language": report.language,
            "published": report.published_date.isoformat() if report.published_date else None,
        },
        "quote": evidence.quote,
        "start": evidence.start,
        "end": evidence.end,
        "confidence": evidence.confidence,
        "review_state": evidence.review_state,
    }


def related(obj, name: str) -> list:
    """The prefetched rows of ``obj.<name>``, without the queryset clone ``.all()`` costs per call.

    Falls back to ``.all()`` (a query) when the relation was not prefetched.
    """
    cache = getattr(obj, "_prefetched_objects_cache", {})
    if name in cache:
        return list(cache[name])
    return list(getattr(obj, name).all())


def evidence_list(owner) -> list[Entry]:
    return [evidence_item(e) for e in related(owner, "evidence")]


def topic_item(link) -> Entry:
    return {"slug": link.topic.slug, "name": link.topic.name, "evidence": evidence_list(link)}


class Coordinates:
    """City coordinates for a page of entries, looked up in one query.

    A place is (country code, city name); its coordinates are those of the most
    populous city of that name (or alternate name) in that country.
    """

    def __init__(self, places: Iterable[tuple[str, str]]):
        wanted = {(code, name.strip()) for code, name in places if code and name and name.strip()}
        self._found: dict[tuple[str, str], tuple[float, float]] = {}
        if not wanted:
            return
        condition = Q()
        for code, name in wanted:
            condition |= Q(country_id=code, name__iexact=name)
        for city in (
            City.objects.filter(condition)
            .order_by("-population", "id")
            .only("country_id", "name", "latitude", "longitude")
        ):
            self._found.setdefault((city.country_id, city.name.lower()), (city.latitude, city.longitude))

    def of(self, country: Country | None, city: str | None) -> tuple[float | None, float | None]:
        if country is None:
            return None, None
        if city and (found := self._found.get((country.code, city.strip().lower()))):
            return found
        capital = country.capital
        if capital is not None:
            return capital.latitude, capital.longitude
        return None, None


def _dates(obj) -> Entry:
    return {
        "start": format_partial(obj.start_date, obj.precision),
        "end": format_partial(obj.end_date, obj.precision),
        "precision": obj.precision or None,
    }


def _first_city(cities) -> str | None:
    return cities[0] if cities and isinstance(cities[0], str) else None


def stop_item(stop, coordinates: Coordinates) -> Entry:
    latitude, longitude = coordinates.of(stop.country, _first_city(stop.cities))
    return {
        "id": stop.pk,
        "order": stop.order,
        "country": country_ref(stop.country),
        "cities": [str(city) for city in stop.cities or []],
        **_dates(stop),
        "status": stop.status or None,
        "latitude": latitude,
        "longitude": longitude,
        "topics": [topic_item(link) for link in related(stop, "topic_links")],
        "evidence": evidence_list(stop),
    }


def trip_entry(trip: Trip, request, coordinates: Coordinates) -> Entry:
    stops = [stop_item(stop, coordinates) for stop in related(trip, "stops")]
    topics: dict[str, Entry] = {}
    for stop in stops:
        for topic in stop["topics"]:
            merged = topics.setdefault(topic["slug"], {"slug": topic["slug"], "name": topic["name"], "evidence": []})
            merged["evidence"].extend(topic["evidence"])
    return {
        "type": "trip",
        "id": trip.pk,
        "url": absolute(request, reverse("api:trip-detail", args=[trip.pk])),
        "title": trip.title or str(trip),
        "status": trip.status,
        **_dates(trip),
        "traveller": person_ref(trip.traveller),
        "stops": stops,
        "topics": list(topics.values()),
        "flags": list(trip.flags or []),
        "evidence": evidence_list(trip),
        "created_at": trip.created_at.isoformat(),
        "updated_at": trip.updated_at.isoformat(),
    }


def participant_item(participation) -> Entry:
    return {
        "person": person_ref(participation.person),
        "title": participation.title,
        "country": country_ref(participation.country),
        "is_host": participation.is_host,
        "flags": list(participation.flags or []),
        "evidence": evidence_list(participation),
    }


def meeting_entry(meeting: Meeting, request, coordinates: Coordinates) -> Entry:
    latitude, longitude = coordinates.of(meeting.country, meeting.city)
    return {
        "type": "meeting",
        "id": meeting.pk,
        "url": absolute(request, reverse("api:meeting-detail", args=[meeting.pk])),
        "title": meeting.title or str(meeting),
        "status": meeting.status,
        **_dates(meeting),
        "kind": meeting.kind or None,
        "country": country_ref(meeting.country),
        "city": meeting.city,
        "latitude": latitude,
        "longitude": longitude,
        "trip": meeting.trip_id,
        "participants": [participant_item(p) for p in related(meeting, "participations")],
        "topics": [topic_item(link) for link in related(meeting, "topic_links")],
        "flags": list(meeting.flags or []),
        "evidence": evidence_list(meeting),
        "created_at": meeting.created_at.isoformat(),
        "updated_at": meeting.updated_at.isoformat(),
    }


def build_entries(objects: Iterable[Trip | Meeting], request) -> list[Entry]:
    """Entries for trips and meetings (already prefetched), in the order given."""
    objects = list(objects)
    places: list[tuple[str, str]] = []
    for obj in objects:
        if isinstance(obj, Trip):
            places.extend((s.country_id, _first_city(s.cities)) for s in related(obj, "stops") if _first_city(s.cities))
        elif obj.city:
            places.append((obj.country_id, obj.city))
    coordinates = Coordinates(places)
    return [
        trip_entry(obj, request, coordinates) if isinstance(obj, Trip) else meeting_entry(obj, request, coordinates)
        for obj in objects
    ]
