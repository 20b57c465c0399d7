"""Reads behind the web pages: the timeline read model's filters and querysets, shaped for templates.

Nothing here filters on its own: every page runs ``visits.timeline.query.filter_timeline`` on
its query parameters (minus the page-only ones) and pages through the result with
``visits.timeline.pagination.paginate``, as the API does, so a page and its JSON/CSV/Atom/iCalendar
twin always agree. Every function reads in a bounded number of queries whatever the page size.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear, TruncMonth
from django.http import QueryDict

from visits import titles
from visits.models import (
    Country,
    Meeting,
    MeetingTopic,
    Participation,
    Person,
    Position,
    Report,
    Stop,
    StopTopic,
    Topic,
    Trip,
)
from visits.models.timeline import WHOLE_LIST
from visits.timeline import pagination
from visits.timeline.entries import Coordinates
from visits.timeline.query import filter_timeline

#: Parameters of the pages that the API does not take; stripped before filtering.
PAGE_ONLY_PARAMETERS = frozenset({"theme", "accent", "page", "lang"})
#: Parameters that shape one response rather than select facts; left out of shared links.
SHAPE_PARAMETERS = frozenset({"cursor", "page_size", "count", "format"})
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
WARNING_FLAGS = ("conflicting-reports", "role-contradicts-known-position")
PROFILE_LIMIT = 200  # trips listed on a person or country page
MAP_POINTS = 300  # most visited cities drawn on the map
ACCENT = re.compile(r"^#?(?P<hex>[0-9a-fA-F]{6})$")


class PageParameterError(ValueError):
    """A page-only parameter (theme, accent, page, lang) with a bad value."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def filter_params(query: QueryDict) -> QueryDict:
    """``query`` without the page-only parameters: what ``filter_timeline`` accepts."""
    params = query.copy()
    for name in PAGE_ONLY_PARAMETERS:
        params.pop(name, None)
    return params


def shareable_query(query: QueryDict, *, drop: Iterable[str] = ()) -> QueryDict:
    """The filters of ``query`` as they belong in a shared link (no cursor, format, ...)."""
    params = query.copy()
    for name in {*SHAPE_PARAMETERS, *PAGE_ONLY_PARAMETERS, *drop}:
        params.pop(name, None)
    for name in list(params):
        values = [v for v in params.getlist(name) if v != ""]
        if values:
            params.setlist(name, values)
        else:
            params.pop(name)
    return params


def page_size(query: QueryDict, default: int = DEFAULT_PAGE_SIZE) -> int:
    """The page size asked for, bounded for pages (the API allows more)."""
    raw = query.get("page_size")
    if not raw:
        return default
    size = pagination.page_size_from(query)
    return min(size, MAX_PAGE_SIZE)


def accent_colour(value: str | None) -> str | None:
    """A validated ``rrggbb`` hex colour (no #) or None; raises PageParameterError when malformed."""
    if not value:
        return None
    match = ACCENT.match(value.strip())
    if not match:
        raise PageParameterError({"accent": ["Use a hex colour of six digits, e.g. 1a5fb4."]})
    return match.group("hex").lower()


def readable_text_on(hex_colour: str) -> str:
    """Black or white, whichever contrasts more with ``hex_colour`` (WCAG relative luminance)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return "000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "ffffff"


# --- Timeline --------------------------------------------------------------------------------


@dataclass
class Source:
    """One piece of evidence as a reader sees it."""

    quote: str
    title: str
    publisher: str
    date: dt.date | None
    url: str | None


@dataclass
class Group:
    """A timeline item: a trip with its stops and matching meetings, or a meeting on its own."""

    kind: str  # trip | meeting
    obj: Any
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def date(self) -> dt.date | None:
        return self.obj.start_date


def _sources(*owners) -> list[Source]:
    """Evidence of ``owners`` (prefetched ``evidence``), one entry per quote and report."""
    seen: set[tuple[int, str]] = set()
    items: list[Source] = []
    for owner in owners:
        for evidence in owner.evidence.all():
            key = (evidence.report_id, evidence.quote)
            if key in seen:
                continue
            seen.add(key)
            report = evidence.report
            items.append(
                Source(
                    quote=evidence.quote,
                    title=report.title or report.url or "",
                    publisher=report.publisher,
                    date=report.published_date,
                    url=report.url or report.canonical_url or report.submitted_url or None,
                )
            )
    return items


def _warnings(*flag_lists: Iterable[str]) -> list[str]:
    found: list[str] = []
    for flags in flag_lists:
        for flag in flags or []:
            if flag in WARNING_FLAGS and flag not in found:
                found.append(flag)
    return found


def decorate_meeting(meeting: Meeting) -> Meeting:
    """Attach what the templates show: sources, topics, participants, warnings."""
    participations = list(meeting.participations.all())
    meeting.people = participations
    meeting.topic_list = [link.topic for link in meeting.topic_links.all()]
    meeting.sources = _sources(meeting, *participations, *meeting.topic_links.all())
    meeting.warnings = _warnings(meeting.flags, *(p.flags for p in participations))
    meeting.flagged_people = [p for p in participations if _warnings(p.flags)]
    # an untitled meeting's heading is written for people: "Aliyev and Stoltenberg: talks in Baku"
    meeting.heading = meeting.title or titles.meeting_title(meeting, participations)
    return meeting


def decorate_trip(trip: Trip) -> Trip:
    stops = list(trip.stops.all())
    topics: dict[int, Topic] = {}
    for stop in stops:
        for link in stop.topic_links.all():
            topics.setdefault(link.topic_id, link.topic)
    trip.stop_list = stops
    trip.heading = titles.trip_title(trip, stops)  # "Stoltenberg in Azerbaijan, Georgia and Armenia"
    trip.topic_list = list(topics.values())
    trip.sources = _sources(trip, *stops, *(link for stop in stops for link in stop.topic_links.all()))
    trip.warnings = _warnings(trip.flags)
    return trip


def meetings_for_page() -> QuerySet[Meeting]:
    return Meeting.objects.for_page().order_by("start_date", "id")


def trips_for_page(meetings: QuerySet[Meeting]) -> QuerySet[Trip]:
    """Trips with everything a page shows, and each trip's ``meetings`` restricted to ``meetings``."""
    return (
        Trip.objects.for_page()
        .select_related("position", "traveller__country")
        .prefetch_related(
            Prefetch("meetings", queryset=meetings.for_page().order_by("start_date", "id"), to_attr="page_meetings")
        )
    )


@dataclass
class TimelinePage:
    groups: list[Group]
    next: str | None
    previous: str | None


def timeline_groups(query: QueryDict, *, size: int | None = None, ordering: str = "-date") -> TimelinePage:
    """One page of the timeline for ``query`` (filters, cursor, page_size), grouped by trip.

    A trip appears when it matches or when one of its meetings does; it lists the matching
    meetings. Meetings outside any trip appear on their own. Raises the API's
    QueryError for bad filters and cursors.
    """
    params = filter_params(query)
    trips, meetings = filter_timeline(params)
    order = pagination.FACT_ORDERINGS.get(params.get("ordering") or ordering, pagination.FACT_ORDERINGS[ordering])()
    # Trips that match or hold a matching meeting: an id set or per-row probes, whichever is cheaper.
    groups_of_trips = Trip.objects.all()._ids((trips, "pk"), (meetings, "trip_id"))
    loose = meetings.filter(trip__isnull=True)

    def load_trips(ids: list[int]) -> dict[int, Group]:
        found = trips_for_page(meetings).in_bulk(ids)
        out = {}
        for pk, trip in found.items():
            decorate_trip(trip)
            out[pk] = Group("trip", trip, [decorate_meeting(m) for m in trip.page_meetings])
        return out

    def load_meetings(ids: list[int]) -> dict[int, Group]:
        found = Meeting.objects.for_page().in_bulk(ids)
        return {pk: Group("meeting", decorate_meeting(m)) for pk, m in found.items()}

    sources = [
        pagination.Source("meeting", 0, loose, load_meetings),
        pagination.Source("trip", 1, groups_of_trips, load_trips),
    ]
    paging = {k: v for k, v in params.items() if k in {"cursor"}}
    paging["page_size"] = str(size or page_size(query))
    page = pagination.paginate(sources, order, paging)
    return TimelinePage(page.objects, page.next, page.previous)


def timeline_facts(query: QueryDict) -> tuple[QuerySet[Trip], QuerySet[Meeting]]:
    """Every trip and meeting matching ``query``'s filters (for counts over all of them, not a page).

    Whole lists: their filters are built as id sets, hashed once (see ``FactQuerySet._ids``).
    """
    token = WHOLE_LIST.set(True)
    try:
        return filter_timeline(filter_params(query))
    finally:
        WHOLE_LIST.reset(token)


def filtered(query: QueryDict) -> tuple[QuerySet[Trip], QuerySet[Meeting]]:
    """The API's filtered trips and meetings for a page's query."""
    return filter_timeline(filter_params(query))


# --- Charts ----------------------------------------------------------------------------------


def visits_per_month(trips: QuerySet[Trip], limit: int = 24) -> list[tuple[dt.date, int]]:
    """Trips per month of their start over the ``limit`` months up to the latest with any, oldest
    first, months without a trip included (as 0) so that the bars are a time axis."""
    rows = (
        trips.filter(start_date__isnull=False)
        .order_by()
        .annotate(month=TruncMonth("start_date"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("-month")[:limit]
    )
    counts = {row["month"]: row["n"] for row in rows}
    if not counts:
        return []
    months = [max(counts)]
    while len(months) < limit and months[-1] > min(counts):
        previous = months[-1] - dt.timedelta(days=1)
        months.append(previous.replace(day=1))
    return [(month, counts.get(month, 0)) for month in reversed(months)]


def top_counterparts(meetings: QuerySet[Meeting], *, exclude: int | None = None, limit: int = 10):
    """People met most often in ``meetings``: (person, number of meetings), most first.

    Met by ``exclude`` (a person's page) or, without it, by the travellers: the traveller of a
    meeting's trip is not someone met there, so their own participation is left out.
    """
    rows = Participation.objects.filter(meeting__in=meetings.values("pk"))
    if exclude is not None:
        rows = rows.exclude(person_id=exclude)
    else:
        rows = rows.exclude(meeting__trip__isnull=False, person_id=F("meeting__trip__traveller_id"))
    counted = (
        # one participation per (meeting, person) (participation_unique): counting rows counts meetings
        rows.values("person_id").annotate(n=Count("id")).order_by("-n", "person_id")[:limit]
    )
    counted = list(counted)
    people = Person.objects.in_bulk([row["person_id"] for row in counted])
    return [(people[row["person_id"]], row["n"]) for row in counted if row["person_id"] in people]


# --- People, countries, topics -----------------------------------------------------------


def _topic_counts(meeting_topics: QuerySet, stop_topics: QuerySet, *, by_year: bool = False) -> list[dict]:
    """Topics counted over meeting links and stop links (two grouped queries)."""
    counts: Counter[tuple] = Counter()
    names: dict[str, str] = {}
    for source, date_field in ((meeting_topics, "meeting__start_date"), (stop_topics, "stop__start_date")):
        fields = ["topic__slug", "topic__name"]
        rows = source.order_by()
        if by_year:
            rows = rows.annotate(year=ExtractYear(date_field))
            fields.append("year")
        for row in rows.values(*fields).annotate(n=Count("id")):
            names[row["topic__slug"]] = row["topic__name"]
            counts[(row["topic__slug"], row.get("year"))] += row["n"]
    return [
        {"slug": slug, "name": names[slug], "year": year, "n": n}
        for (slug, year), n in sorted(counts.items(), key=lambda item: (-item[1], names[item[0][0]]))
    ]


def person_profile(person: Person) -> dict[str, Any]:
    """Positions, trips, countries visited, counterparts and topics of one official."""
    trips = Trip.objects.filter(traveller=person)
    took_part = Participation.objects.filter(meeting=OuterRef("pk"), person=person)
    meetings = Meeting.objects.filter(Q(trip__traveller=person) | Q(Exists(took_part)))
    positions = (
        Position.objects.filter(person=person).select_related("organization", "country").order_by("start_date", "id")
    )
    countries = (
        Stop.objects.filter(trip__traveller=person)
        .values("country_id", "country__name")
        .annotate(n=Count("trip_id", distinct=True))
        .order_by("-n", "country__name")
    )
    topics = _topic_counts(
        MeetingTopic.objects.filter(meeting__in=meetings.values("pk")),
        StopTopic.objects.filter(stop__trip__traveller=person),
    )
    listed = (
        trips.select_related("position")
        .prefetch_related(Prefetch("stops", queryset=Stop.objects.select_related("country").order_by("order", "id")))
        .order_by("-start_date", "-id")
    )
    return {
        "positions": list(positions),
        "trips": list(listed[:PROFILE_LIMIT]),
        "trip_count": trips.count(),
        "countries": list(countries),
        "counterparts": top_counterparts(meetings, exclude=person.pk),
        "topics": topics[:20],
        "per_month": visits_per_month(trips),
    }


def country_profile(country: Country) -> dict[str, Any]:
    """Who came to ``country`` and when, where its officials went, and its topics over time."""
    came = Trip.objects.filter(Exists(Stop.objects.filter(trip=OuterRef("pk"), country=country)))
    incoming = came.select_related("traveller__country", "position").order_by("-start_date", "-id")
    went = Trip.objects.filter(Q(traveller__country=country) | Q(position__country=country))
    outgoing = (
        went.select_related("traveller", "position")
        .prefetch_related(Prefetch("stops", queryset=Stop.objects.select_related("country").order_by("order", "id")))
        .order_by("-start_date", "-id")
    )
    topics = _topic_counts(
        MeetingTopic.objects.filter(meeting__country=country),
        StopTopic.objects.filter(stop__country=country),
        by_year=True,
    )
    years: dict[int | None, list[dict]] = defaultdict(list)
    for row in topics:
        years[row["year"]].append(row)
    return {
        "incoming": list(incoming[:PROFILE_LIMIT]),
        "incoming_count": came.count(),
        "outgoing": list(outgoing[:PROFILE_LIMIT]),
        "outgoing_count": went.count(),
        "topics_by_year": sorted(years.items(), key=lambda item: (item[0] is None, -(item[0] or 0))),
        "counterparts": top_counterparts(Meeting.objects.filter(country=country)),
        "per_month": visits_per_month(came),
    }


def topic_profile(topic: Topic) -> dict[str, Any]:
    """Meetings on ``topic`` (and its subtopics) by country and month."""
    ids = topic.descendant_ids()
    meetings = Meeting.objects.filter(topic_links__topic_id__in=ids).distinct()
    rows = (
        Meeting.objects.filter(pk__in=meetings.values("pk"))
        .annotate(month=TruncMonth("start_date"))
        .values("country_id", "country__name", "month")
        .annotate(n=Count("id"))
        .order_by("country__name", "-month")
    )
    by_country: dict[tuple[str | None, str | None], list[tuple[dt.date | None, int]]] = defaultdict(list)
    for row in rows:
        by_country[(row["country_id"], row["country__name"])].append((row["month"], row["n"]))
    per_month = Counter()
    for months in by_country.values():
        for month, n in months:
            if month is not None:
                per_month[month] += n
    recent = sorted(per_month.items())[-24:]
    return {
        "by_country": sorted(by_country.items(), key=lambda item: -sum(n for _, n in item[1])),
        "meeting_count": meetings.count(),
        "per_month": recent,
        "subtopics": list(Topic.objects.filter(parent=topic).order_by("name")),
    }


# --- Map ---------------------------------------------------------------------------------


def map_data(trips: QuerySet[Trip], meetings: QuerySet[Meeting]) -> dict[str, Any]:
    """Visits per country and the cities visited, with coordinates, for filtered facts.

    A visit is a stop of a matching trip, or a matching meeting outside any trip.
    """
    per_country: Counter[str] = Counter()
    places: Counter[tuple[str, str]] = Counter()
    for code, cities in Stop.objects.filter(trip__in=trips.values("pk")).values_list("country_id", "cities"):
        per_country[code] += 1
        for city in cities or []:
            if isinstance(city, str) and city.strip():
                places[(code, city.strip())] += 1
    loose = meetings.filter(trip__isnull=True, country__isnull=False).values_list("country_id", "city")
    for code, city in loose:
        per_country[code] += 1
        if city and city.strip():
            places[(code, city.strip())] += 1
    shown = places.most_common(MAP_POINTS)
    coordinates = Coordinates(place for place, _ in shown)
    points = []
    for (code, name), n in shown:
        latitude, longitude = coordinates.of(SimpleNamespace(code=code, capital=None), name)
        if latitude is not None:
            points.append({"country": code, "name": name, "latitude": latitude, "longitude": longitude, "n": n})
    visited = Country.objects.filter(code__in=per_country)
    names = dict(visited.values_list("code", "name"))
    capitals = [
        {"country": code, "name": name, "latitude": latitude, "longitude": longitude}
        for code, name, latitude, longitude in visited.filter(capital__isnull=False).values_list(
            "code", "capital__name", "capital__latitude", "capital__longitude"
        )
    ]
    return {"per_country": per_country, "points": points, "names": names, "capitals": capitals}


# --- Reports -----------------------------------------------------------------------------


def reports_for_page() -> QuerySet[Report]:
    """Reports newest first, with how many pieces of evidence each gave."""
    return Report.objects.annotate(evidence_count=Count("evidence")).order_by("-created_at", "-id")


def report_counts() -> dict[str, int]:
    """How many reports are in each status."""
    return dict(Report.objects.order_by().values_list("status").annotate(n=Count("id")))
