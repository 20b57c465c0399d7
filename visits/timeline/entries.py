"""Timeline entries: the JSON shape of trips and meetings that every API format renders.

Built as plain dicts (not DRF serializers) because list pages carry hundreds of nested
evidence rows; ``visits.timeline.shape`` declares the same shape (the API's schema is made from it).
Objects should come from :func:`trips_for_api` / :func:`meetings_for_api`; ``for_api()`` of the
models is the same loader with whole rows (:func:`load_trips` / :func:`load_meetings`, ``whole=True``).

A page of 500 trips holds some 10,000 rows, so the loaders here keep Python's share small:
prefetches go to plain lists (``to_attr``: Django then builds no queryset per object), every
query loads only the columns an entry shows, and URLs are made from one template per page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet, Value
from django.db.models.functions import Upper
from django.urls import reverse

from visits.dates import format_partial
from visits.models import City, Country, Evidence, Meeting, MeetingTopic, Participation, Stop, StopTopic, Trip

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


# --- Loading ----------------------------------------------------------------------------------

#: prefix of the plain-list attributes the loaders below prefetch into (``api_stops``, ...)
PREFIX = "api_"
_REPORT_FIELDS = ("url", "canonical_url", "submitted_url", "title", "publisher", "language", "published_date")
_DATES = ("start_date", "end_date", "precision")
_COUNTRY = ("code", "name", "capital_id", "capital__id", "capital__latitude", "capital__longitude")


def _prefixed(prefix: str, names: Iterable[str]) -> list[str]:
    return [f"{prefix}__{name}" for name in names]


_EVIDENCE_OWNERS = tuple(f"{fact}_id" for fact in ("trip", "stop", "meeting", "participation", "meeting_topic",
                                                    "stop_topic"))  # fmt: skip


class _Load:
    """How rows are loaded: for entries (only the columns an entry shows, prefetched into plain
    lists) or whole (every column, in Django's prefetch cache: ``.all()`` works, as templates use)."""

    def __init__(self, whole: bool) -> None:
        self.whole = whole

    def only(self, queryset: QuerySet, *fields: str) -> QuerySet:
        return queryset if self.whole else queryset.only(*fields)

    def prefetch(self, lookup: str, queryset: QuerySet) -> Prefetch:
        return Prefetch(lookup, queryset=queryset, to_attr=None if self.whole else f"{PREFIX}{lookup}")

    def evidence(self, owner_field: str) -> Prefetch:
        """Evidence rows with what an entry shows of them and of their report, in a stable order."""
        owners = _EVIDENCE_OWNERS if self.whole else (owner_field,)
        rows = (
            Evidence.objects.select_related("report")
            .only(*owners, "report_id", "quote", "start", "end", "confidence", "review_state",
                  "report__id", *_prefixed("report", _REPORT_FIELDS))
            .order_by("id")
        )  # fmt: skip
        return self.prefetch("evidence", rows)

    def topic_links(self, model: type[StopTopic] | type[MeetingTopic], owner_field: str) -> Prefetch:
        rows = self.only(
            model.objects.select_related("topic"), owner_field, "topic_id", "topic__id", "topic__slug", "topic__name"
        )
        rows = rows.prefetch_related(
            self.evidence("stop_topic_id" if model is StopTopic else "meeting_topic_id")
        ).order_by("id")
        return self.prefetch("topic_links", rows)


def load_trips(trips: QuerySet[Trip], *, whole: bool = False) -> QuerySet[Trip]:
    """``trips`` with everything an entry shows, in a fixed number of queries whatever the page size.

    ``whole`` loads every column into Django's prefetch cache (for templates; ``Trip.objects.for_api()``).
    """
    load = _Load(whole)
    stops = load.only(
        Stop.objects.select_related("country__capital"),
        "trip_id", "order", "country_id", "cities", "status", *_DATES, *_prefixed("country", _COUNTRY),
    ).prefetch_related(load.evidence("stop_id"), load.topic_links(StopTopic, "stop_id")).order_by(
        "order", "start_date", "id"
    )  # fmt: skip
    trips = load.only(
        trips.select_related("traveller"),
        "title", "status", "flags", "created_at", "updated_at", "traveller_id", *_DATES,
        "traveller__id", "traveller__slug", "traveller__name",
    )  # fmt: skip
    return trips.prefetch_related(load.evidence("trip_id"), load.prefetch("stops", stops))


def load_meetings(meetings: QuerySet[Meeting], *, whole: bool = False) -> QuerySet[Meeting]:
    """``meetings`` with everything an entry shows, in a fixed number of queries whatever the page size.

    ``whole``: as for :func:`load_trips` (``Meeting.objects.for_api()``).
    """
    load = _Load(whole)
    participations = load.only(
        Participation.objects.select_related("person", "country"),
        "meeting_id", "person_id", "title", "country_id", "is_host", "flags",
        "person__id", "person__slug", "person__name", "country__code", "country__name",
    ).prefetch_related(load.evidence("participation_id")).order_by("-is_host", "id")  # fmt: skip
    meetings = load.only(
        meetings.select_related("country__capital"),
        "title", "status", "kind", "city", "trip_id", "flags", "created_at", "updated_at", "country_id",
        *_DATES, *_prefixed("country", _COUNTRY),
    )  # fmt: skip
    return meetings.prefetch_related(
        load.evidence("meeting_id"),
        load.prefetch("participations", participations),
        load.topic_links(MeetingTopic, "meeting_id"),
    )


def trips_for_api() -> QuerySet[Trip]:
    """All trips, loaded for entries (see :func:`load_trips`)."""
    return load_trips(Trip.objects.all())


def meetings_for_api() -> QuerySet[Meeting]:
    """All meetings, loaded for entries (see :func:`load_meetings`)."""
    return load_meetings(Meeting.objects.all())


def related(obj, name: str) -> list:
    """The prefetched rows of ``obj.<name>``, without the queryset clone ``.all()`` costs per call.

    Reads the plain list of the loaders above first, then Django's prefetch cache, and falls back
    to ``.all()`` (a query) when the relation was not prefetched.
    """
    rows = getattr(obj, PREFIX + name, None)
    if rows is not None:
        return rows
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
        # Cities of the wanted countries with one of the wanted names (case-insensitive, as iexact):
        # one hashed IN list each rather than an OR per place. A city of another wanted place's
        # country adds a key nobody asks for.
        names = [Upper(Value(name)) for name in sorted({name for _, name in wanted})]
        rows = (
            City.objects.annotate(upper_name=Upper("name"))
            .filter(country_id__in={code for code, _ in wanted}, upper_name__in=names)
            .order_by("-population", "id")
            .values_list("country_id", "name", "latitude", "longitude")
        )
        for code, name, latitude, longitude in rows:
            self._found.setdefault((code, name.lower()), (latitude, longitude))

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


def _head(kind: str, obj, url_template: tuple[str, str]) -> Entry:
    """What every timeline entry opens with, trip or meeting: its kind, id, page, title, status, dates."""
    return {
        "type": kind,
        "id": obj.pk,
        "url": Links.fill(url_template, obj.pk),
        "title": obj.title or str(obj),
        "status": obj.status,
        **_dates(obj),
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


class Links:
    """Absolute URLs of trips and meetings, made from one resolved template each (no reverse() per row)."""

    MARKER = 1234567890

    def __init__(self, request) -> None:
        self.trip = self._template(request, "api:trip-detail")
        self.meeting = self._template(request, "api:meeting-detail")

    def _template(self, request, name: str) -> tuple[str, str]:
        url = absolute(request, reverse(name, args=[self.MARKER]))
        head, _, tail = url.rpartition(str(self.MARKER))
        return head, tail

    @staticmethod
    def fill(template: tuple[str, str], pk: int) -> str:
        return f"{template[0]}{pk}{template[1]}"


def trip_entry(trip: Trip, request, coordinates: Coordinates, links: Links | None = None) -> Entry:
    stops = [stop_item(stop, coordinates) for stop in related(trip, "stops")]
    topics: dict[str, Entry] = {}
    for stop in stops:
        for topic in stop["topics"]:
            merged = topics.setdefault(topic["slug"], {"slug": topic["slug"], "name": topic["name"], "evidence": []})
            merged["evidence"].extend(topic["evidence"])
    return {
        **_head("trip", trip, (links or Links(request)).trip),
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


def meeting_entry(meeting: Meeting, request, coordinates: Coordinates, links: Links | None = None) -> Entry:
    latitude, longitude = coordinates.of(meeting.country, meeting.city)
    return {
        **_head("meeting", meeting, (links or Links(request)).meeting),
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
    coordinates, links = Coordinates(places), Links(request)
    return [
        trip_entry(obj, request, coordinates, links)
        if isinstance(obj, Trip)
        else meeting_entry(obj, request, coordinates, links)
        for obj in objects
    ]
