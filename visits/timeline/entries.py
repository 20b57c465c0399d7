"""Timeline entries: the JSON shape of trips and meetings that every API format renders.

Entries are assembled by PostgreSQL, one statement per kind for a whole page or stream chunk
(:func:`build_entries`), and parsed into plain dicts; ``api.serializers`` documents the same shape
(the API's schema is made from it) and ``tests/test_api_snapshot.py`` pins it byte for byte.
The web pages' templates read model instances instead: ``Trip.objects.for_page()`` /
``Meeting.objects.for_page()`` (:func:`load_trips` / :func:`load_meetings`) prefetch what they show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from django.db import connection
from django.db.models import Prefetch, QuerySet, Value
from django.db.models.functions import Upper
from django.urls import reverse

from visits import titles
from visits.models import City, Country, Evidence, Meeting, MeetingTopic, Participation, Stop, StopTopic, Trip

Entry = dict[str, Any]


def absolute(request, path: str) -> str:
    """An absolute URL for ``path`` (relative when there is no request, e.g. in a task)."""
    return request.build_absolute_uri(path) if request is not None else path


def evidence_item(evidence: Evidence) -> Entry:
    """One evidence row as entries show it (the API's evidence detail; the SQL below builds the same)."""
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


# --- Model instances for templates ----------------------------------------------------------

_EVIDENCE_OWNERS = tuple(f"{fact}_id" for fact in ("trip", "stop", "meeting", "participation", "meeting_topic",
                                                    "stop_topic"))  # fmt: skip


_REPORT_FIELDS = ("url", "canonical_url", "submitted_url", "title", "publisher", "language", "published_date")


def _evidence_prefetch() -> Prefetch:
    """Evidence rows with their report's heading (not its text, which can be large), oldest first."""
    rows = (
        Evidence.objects.select_related("report")
        .only(*_EVIDENCE_OWNERS, "report_id", "quote", "start", "end", "confidence", "review_state",
              "report__id", *(f"report__{name}" for name in _REPORT_FIELDS))
        .order_by("id")
    )  # fmt: skip
    return Prefetch("evidence", queryset=rows)


def _topic_links(model: type[StopTopic] | type[MeetingTopic]) -> Prefetch:
    rows = model.objects.select_related("topic").prefetch_related(_evidence_prefetch()).order_by("id")
    return Prefetch("topic_links", queryset=rows)


def load_trips(trips: QuerySet[Trip]) -> QuerySet[Trip]:
    """``trips`` with their traveller, stops, topics and evidence in Django's prefetch cache."""
    stops = (
        Stop.objects.select_related("country__capital")
        .prefetch_related(_evidence_prefetch(), _topic_links(StopTopic))
        .order_by("order", "start_date", "id")
    )
    return trips.select_related("traveller").prefetch_related(_evidence_prefetch(), Prefetch("stops", queryset=stops))


def load_meetings(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """``meetings`` with their place, participants, topics and evidence in Django's prefetch cache."""
    participations = (
        Participation.objects.select_related("person", "country")
        .prefetch_related(_evidence_prefetch())
        .order_by("-is_host", "id")
    )
    return meetings.select_related("country__capital").prefetch_related(
        _evidence_prefetch(), Prefetch("participations", queryset=participations), _topic_links(MeetingTopic)
    )


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


# --- Entries built in PostgreSQL ------------------------------------------------------------
#
# A page's entries are one statement per kind: PostgreSQL assembles each entry's JSON (its stops,
# participants, topics and every evidence row with its report) from index lookups, and Python only
# parses it and fills in what depends on the request (URLs). Building the same nested dicts from
# model instances cost several times the SQL itself (issue #13: CSV at 440-560 entries/s).
# ``json`` (not ``jsonb``) keeps the keys in the order written here, which is the order clients see.


def _partial(column: str, precision: str) -> str:
    """SQL of :func:`visits.dates.format_partial`: no more of a date than its precision knows."""
    return (
        f"CASE WHEN {column} IS NULL THEN NULL WHEN {precision} = 'year' THEN to_char({column}, 'YYYY') "
        f"WHEN {precision} = 'month' THEN to_char({column}, 'YYYY-MM') ELSE to_char({column}, 'YYYY-MM-DD') END"
    )


def _dates_sql(alias: str) -> str:
    return (
        f"'start', {_partial(alias + '.start_date', alias + '.precision')}, "
        f"'end', {_partial(alias + '.end_date', alias + '.precision')}, "
        f"'precision', NULLIF({alias}.precision, '')"
    )


def _float(column: str) -> str:
    """A float as Python writes it in JSON (``1.0``, not PostgreSQL's ``1``): ``json`` keeps the text."""
    return (
        f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} = trunc({column}) AND abs({column}) < 1e15 "
        f"THEN (trunc({column})::bigint::text || '.0')::json ELSE to_json({column}) END"
    )


def _timestamp(column: str) -> str:
    """An aware UTC timestamp as ``datetime.isoformat()`` writes it (microseconds only when not zero)."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        f"CASE WHEN date_trunc('second', {utc}) = {utc} THEN '' ELSE to_char({utc}, '.US') END || '+00:00'"
    )


def _country(alias: str) -> str:
    ref = f"json_build_object('code', {alias}.code, 'name', {alias}.name)"
    return f"CASE WHEN {alias}.code IS NULL THEN NULL ELSE {ref} END"


def _evidence(owner_column: str, owner: str) -> str:
    """The evidence of one fact, oldest first, each with what an entry shows of its report."""
    return f"""COALESCE((
        SELECT json_agg(json_build_object(
            'report', json_build_object(
                'id', r.id,
                'url', COALESCE(NULLIF(r.url, ''), NULLIF(r.canonical_url, ''), NULLIF(r.submitted_url, '')),
                'title', r.title, 'publisher', r.publisher, 'language', r.language,
                'published', to_char(r.published_date, 'YYYY-MM-DD')),
            'quote', e.quote, 'start', e.start, 'end', e."end", 'confidence', {_float("e.confidence")},
            'review_state', e.review_state) ORDER BY e.id)
        FROM visits_evidence e JOIN visits_report r ON r.id = e.report_id
        WHERE e.{owner_column} = {owner}), '[]'::json)"""


def _topics(link_table: str, owner_column: str, owner: str, evidence_column: str) -> str:
    return f"""COALESCE((
        SELECT json_agg(json_build_object('slug', tp.slug, 'name', tp.name,
                                          'evidence', {_evidence(evidence_column, "l.id")}) ORDER BY l.id)
        FROM {link_table} l JOIN visits_topic tp ON tp.id = l.topic_id
        WHERE l.{owner_column} = {owner}), '[]'::json)"""


def _place(alias: str, country: str, country_row: str, city: str) -> str:
    """Joins giving ``{alias}.latitude/longitude``: the most populous city named ``city`` in the
    country (case-insensitive), else the country's capital (as :class:`Coordinates` finds them)."""
    return f"""
        LEFT JOIN LATERAL (
            SELECT ci.latitude, ci.longitude FROM visits_city ci
            WHERE ci.country_id = {country} AND upper(ci.name) = upper(btrim({city}))
            ORDER BY ci.population DESC, ci.id LIMIT 1
        ) {alias}_city ON btrim({city}) <> ''
        LEFT JOIN visits_city {alias}_capital ON {alias}_capital.id = {country_row}.capital_id
        CROSS JOIN LATERAL (
            SELECT CASE WHEN {alias}_city.latitude IS NOT NULL THEN {alias}_city.latitude
                        ELSE {alias}_capital.latitude END AS latitude,
                   CASE WHEN {alias}_city.latitude IS NOT NULL THEN {alias}_city.longitude
                        ELSE {alias}_capital.longitude END AS longitude
        ) {alias}"""


_FIRST_CITY = "CASE WHEN jsonb_typeof(s.cities -> 0) = 'string' THEN s.cities ->> 0 END"

TRIP_ENTRIES = f"""
SELECT t.id, json_build_object(
    'type', 'trip', 'id', t.id, 'url', NULL,
    'title', CASE WHEN t.locked_fields @> '["title"]'::jsonb THEN NULLIF(t.title, '') END,
    'status', t.status, {_dates_sql("t")},
    'traveller', json_build_object('id', p.id, 'slug', p.slug, 'name', p.name),
    'stops', COALESCE((
        SELECT json_agg(json_build_object(
            'id', s.id, 'order', s."order", 'country', {_country("s_country")},
            'cities', COALESCE((SELECT json_agg(c #>> '{{}}') FROM jsonb_array_elements(
                CASE WHEN jsonb_typeof(s.cities) = 'array' THEN s.cities ELSE '[]'::jsonb END) c), '[]'::json),
            {_dates_sql("s")}, 'status', NULLIF(s.status, ''),
            'latitude', {_float("s_place.latitude")}, 'longitude', {_float("s_place.longitude")},
            'topics', {_topics("visits_stoptopic", "stop_id", "s.id", "stop_topic_id")},
            'evidence', {_evidence("stop_id", "s.id")}
        ) ORDER BY s."order", s.start_date, s.id)
        FROM visits_stop s
        LEFT JOIN visits_country s_country ON s_country.code = s.country_id
        {_place("s_place", "s.country_id", "s_country", _FIRST_CITY)}
        WHERE s.trip_id = t.id), '[]'::json),
    'topics', '[]'::json,
    'flags', COALESCE(t.flags, '[]'::jsonb)::json,
    'evidence', {_evidence("trip_id", "t.id")},
    'created_at', {_timestamp("t.created_at")}, 'updated_at', {_timestamp("t.updated_at")}
)::text, p.sort_name, t.title
FROM visits_trip t JOIN visits_person p ON p.id = t.traveller_id
WHERE t.id = ANY(%s)
"""

MEETING_ENTRIES = f"""
SELECT m.id, json_build_object(
    'type', 'meeting', 'id', m.id, 'url', NULL, 'title', NULLIF(m.title, ''), 'status', m.status,
    {_dates_sql("m")},
    'kind', NULLIF(m.kind, ''), 'country', {_country("m_country")}, 'city', m.city,
    'latitude', {_float("m_place.latitude")}, 'longitude', {_float("m_place.longitude")},
    'trip', m.trip_id,
    'participants', COALESCE((
        SELECT json_agg(json_build_object(
            'person', json_build_object('id', pe.id, 'slug', pe.slug, 'name', pe.name),
            'title', pa.title, 'country', {_country("pc")}, 'is_host', pa.is_host, '_sort_name', pe.sort_name,
            'flags', COALESCE(pa.flags, '[]'::jsonb)::json,
            'evidence', {_evidence("participation_id", "pa.id")}
        ) ORDER BY pa.is_host DESC, pa.id)
        FROM visits_participation pa JOIN visits_person pe ON pe.id = pa.person_id
        LEFT JOIN visits_country pc ON pc.code = pa.country_id
        WHERE pa.meeting_id = m.id), '[]'::json),
    'topics', {_topics("visits_meetingtopic", "meeting_id", "m.id", "meeting_topic_id")},
    'flags', COALESCE(m.flags, '[]'::jsonb)::json,
    'evidence', {_evidence("meeting_id", "m.id")},
    'created_at', {_timestamp("m.created_at")}, 'updated_at', {_timestamp("m.updated_at")}
)::text
FROM visits_meeting m
LEFT JOIN visits_country m_country ON m_country.code = m.country_id
{_place("m_place", "m.country_id", "m_country", "m.city")}
WHERE m.id = ANY(%s)
"""


def _trip_topics(entry: Entry) -> None:
    """A trip's topics: those of its stops, once each, with the evidence of every stop that names it."""
    topics: dict[str, Entry] = {}
    for stop in entry["stops"]:
        for topic in stop["topics"]:
            merged = topics.setdefault(topic["slug"], {"slug": topic["slug"], "name": topic["name"], "evidence": []})
            merged["evidence"].extend(topic["evidence"])
    entry["topics"] = list(topics.values())


def trip_entries(ids: Sequence[int]) -> dict[int, Entry]:
    """Entries of the trips ``ids`` by id (their ``url`` still to fill: :func:`build_entries`)."""
    with connection.cursor() as cursor:
        cursor.execute(TRIP_ENTRIES, [list(ids)])
        rows = cursor.fetchall()
    found = {}
    for pk, text, sort_name, stored_title in rows:
        entry = found[pk] = orjson.loads(text)
        _trip_topics(entry)
        if entry["title"] is None:  # an analyst's title is kept; any other is written for people
            entry["title"] = _trip_title(entry, sort_name, stored_title)
    return found


def _trip_title(entry: Entry, sort_name: str, stored_title: str) -> str:
    """ "Stoltenberg in Azerbaijan, Georgia and Armenia", as :func:`visits.titles.trip_title` writes it."""
    countries = [
        titles.country_name_by_code(stop["country"]["code"], stop["country"]["name"])
        for stop in entry["stops"]
        if stop["country"]
    ]
    if not countries and stored_title:
        return stored_title
    return titles.trip_heading(titles.family_name(entry["traveller"]["name"], sort_name), countries)


def meeting_entries(ids: Sequence[int]) -> dict[int, Entry]:
    """Entries of the meetings ``ids`` by id (their ``url`` still to fill: :func:`build_entries`)."""
    with connection.cursor() as cursor:
        cursor.execute(MEETING_ENTRIES, [list(ids)])
        rows = cursor.fetchall()
    found = {}
    for pk, text in rows:
        entry = found[pk] = orjson.loads(text)
        surnames = [
            titles.family_name(part["person"]["name"], part.pop("_sort_name")) for part in entry["participants"]
        ]
        if entry["title"] is None:  # as the pages write it: "Aliyev and Stoltenberg: talks in Baku"
            country = entry["country"]
            where = entry["city"] or (titles.country_name_by_code(country["code"], country["name"]) if country else "")
            entry["title"] = titles.meeting_heading(surnames, entry["kind"], where)
    return found


LOADERS = {"trip": trip_entries, "meeting": meeting_entries}


def build_entries(keys: Iterable[tuple[str, int]], request) -> list[Entry]:
    """Entries of ``(type, id)`` keys (``trip`` or ``meeting``) in the order given; ids not found are skipped."""
    keys = list(keys)
    loaded = {
        kind: loader([pk for k, pk in keys if k == kind]) if any(k == kind for k, _ in keys) else {}
        for kind, loader in LOADERS.items()
    }
    links = Links(request)
    entries = []
    for kind, pk in keys:
        entry = loaded[kind].get(pk)
        if entry is not None:
            entry["url"] = Links.fill(links.trip if kind == "trip" else links.meeting, pk)
            entries.append(entry)
    return entries


def last_modified(entries: Iterable[Entry]) -> dt.datetime | None:
    """When the latest of ``entries`` changed."""
    return max((dt.datetime.fromisoformat(e["updated_at"]) for e in entries), default=None)
