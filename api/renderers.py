"""Output formats of the timeline API: CSV, GeoJSON, iCalendar, Atom and TimelineJS.

Every renderer here takes what the timeline views return: a list of entries, a
paginated dict whose ``results`` is that list, or one entry (detail views). An
entry is a trip or a meeting as the API serializers shape it (see the module
docstring of ``api.serializers``): ``type``, ``id``, ``url``, ``title``,
``status``, partial-ISO ``start``/``end`` with a ``precision``, the traveller
and stops of a trip, the participants and place of a meeting, topics, flags
and evidence (report URL and quote).

Errors. When the response is an error (HTTP status >= 400, or data that is
neither an entry nor a list of entries, such as a problem+json dict), these
renderers do not produce an empty spreadsheet, map, calendar or feed: they
render the error as JSON and switch the response's Content-Type to
``application/problem+json``, so a client asking ``?format=csv`` still reads
why its request failed.

Untrusted text. Titles, quotes, names and report URLs come from reports. They
are escaped wherever a format carries HTML (the Atom summary, the TimelineJS
text and headline), only http(s) URLs become links, and CSV cells that a
spreadsheet would read as a formula are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlparse, urlsplit, urlunsplit

from django.utils.feedgenerator import Atom1Feed, get_tag_uri
from django.utils.html import escape, format_html, format_html_join
from icalendar import Calendar, Event
from rest_framework.renderers import BaseRenderer

from visits.dates import period_bounds

Entry = dict[str, Any]

ENTRY_TYPES = ("trip", "meeting")
PROBLEM_MEDIA_TYPE = "application/problem+json"
FEED_TITLE = "Diplomatic visit timeline"
FALLBACK_TAG_DATE = dt.date(2024, 1, 1)


# --- Reading entries ------------------------------------------------------------------------


def is_entry(data: Any) -> bool:
    """True for one timeline entry (a trip or a meeting)."""
    return isinstance(data, dict) and data.get("type") in ENTRY_TYPES and "id" in data


def entries_of(data: Any) -> list[Entry] | None:
    """The entries in ``data`` (list, paginated dict or single entry), or None if it holds none."""
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    if is_entry(data):
        return [data]
    if isinstance(data, list) and all(is_entry(item) for item in data):
        return data
    return None


def _stops(entry: Entry) -> list[dict]:
    """A trip's stops in visit order (empty for meetings)."""
    return sorted(entry.get("stops") or [], key=lambda stop: stop.get("order") or 0)


def _unique(values: Iterable[str | None]) -> list[str]:
    """Non-empty values, first occurrence kept, order preserved."""
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


def _all_evidence(entry: Entry) -> list[dict]:
    """The evidence of the entry and of its stops, participants and topics."""
    found = list(entry.get("evidence") or [])
    parts = [*_stops(entry), *(entry.get("participants") or []), *(entry.get("topics") or [])]
    for stop in _stops(entry):
        parts.extend(stop.get("topics") or [])
    for part in parts:
        found.extend(part.get("evidence") or [])
    return found


def source_urls(entry: Entry) -> list[str]:
    """The URLs of the reports behind an entry, each once."""
    return _unique((ev.get("report") or {}).get("url") for ev in _all_evidence(entry))


def source_labels(entry: Entry) -> list[str]:
    """Each report behind an entry, once: its URL, or for a report without one (an uploaded file, a
    dataset record) its title, publisher and date, so that a CSV row always names its sources."""
    labels = []
    for ev in _all_evidence(entry):
        report = ev.get("report") or {}
        if report.get("url"):
            labels.append(report["url"])
            continue
        parts = [report.get("title"), report.get("publisher"), report.get("published") or report.get("published_date")]
        labels.append(", ".join(str(p) for p in parts if p) or f"report {report.get('id', '?')}")
    return _unique(labels)


def page_url(entry: Entry) -> str | None:
    """The web page a reader can open for an entry: its trip's page (a meeting's trip's), else the API URL."""
    url = entry.get("url")
    trip = entry.get("id") if entry.get("type") == "trip" else entry.get("trip")
    if not url or not trip:
        return url
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/trips/{int(trip)}/", "", ""))


def sources(entry: Entry) -> list[tuple[str, str]]:
    """(url, title) of each report behind an entry, each URL once."""
    titles: dict[str, str] = {}
    for ev in _all_evidence(entry):
        report = ev.get("report") or {}
        if report.get("url"):
            titles.setdefault(report["url"], report.get("title") or report.get("publisher") or report["url"])
    return list(titles.items())


def quotes(entry: Entry) -> list[str]:
    """The quoted spans of the reports behind an entry, each once."""
    return _unique(ev.get("quote") for ev in _all_evidence(entry))


def participant_names(entry: Entry) -> list[str]:
    return _unique((p.get("person") or {}).get("name") for p in entry.get("participants") or [])


def country_codes(entry: Entry) -> list[str]:
    """Trip: the stops' country codes in visit order; meeting: its country's code."""
    if entry["type"] == "trip":
        return [(stop.get("country") or {}).get("code") or "" for stop in _stops(entry)]
    return _unique([(entry.get("country") or {}).get("code")])


def city_names(entry: Entry) -> list[str]:
    if entry["type"] == "trip":
        return _unique(city for stop in _stops(entry) for city in stop.get("cities") or [])
    return _unique([entry.get("city")])


def topic_slugs(entry: Entry) -> list[str]:
    """The entry's topics, then those of its stops, each once."""
    topics = list(entry.get("topics") or [])
    for stop in _stops(entry):
        topics.extend(stop.get("topics") or [])
    return _unique(topic.get("slug") for topic in topics)


def places(entry: Entry) -> list[str]:
    """Human-readable places: "Paris, France" per stop, or the meeting's city and country."""
    if entry["type"] == "trip":
        return [_place(stop.get("cities") or [], stop.get("country")) for stop in _stops(entry)]
    place = _place([entry["city"]] if entry.get("city") else [], entry.get("country"))
    return [place] if place else []


def _place(cities: list[str], country: dict | None) -> str:
    name = (country or {}).get("name") or (country or {}).get("code") or ""
    return ", ".join([*cities, name]) if name else ", ".join(cities)


def headline(entry: Entry) -> str:
    """The entry's title, or a description built from its data when it has none."""
    if entry.get("title"):
        return entry["title"]
    who = (entry.get("traveller") or {}).get("name") or "; ".join(participant_names(entry))
    where = "; ".join(places(entry))
    return " — ".join(part for part in (who, where) if part) or f"{entry['type']} {entry['id']}"


def date_range(entry: Entry) -> tuple[dt.date, dt.date] | None:
    """First and last day the entry may cover (whole periods for imprecise dates), None if undated."""
    if not entry.get("start"):
        return None
    first, last, _ = period_bounds(entry["start"])
    if entry.get("end"):
        last = max(last, period_bounds(entry["end"])[1])
    return first, last


def date_text(entry: Entry) -> str:
    """ "2024-03-18", "2024-03 to 2024-04" or "date unknown": no more precise than known."""
    start, end = entry.get("start"), entry.get("end")
    if not start:
        return "date unknown"
    return f"{start} to {end}" if end and end != start else start


def parse_datetime(value: str | None) -> dt.datetime | None:
    """An aware datetime from the API's ISO 8601 text (naive values are taken as UTC)."""
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def is_http_url(url: str | None) -> bool:
    return bool(url) and urlparse(url).scheme in ("http", "https")


# --- Base renderer --------------------------------------------------------------------------


class TimelineRenderer(BaseRenderer):
    """Renders entries; renders errors and anything else as problem+json (see module docstring)."""

    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None):
        context = renderer_context or {}
        response = context.get("response")
        entries = entries_of(data)
        if entries is None or (response is not None and response.status_code >= 400):
            return self.render_error(data, response)
        return self.render_entries(entries, context)

    def render_error(self, data: Any, response: Any) -> bytes:
        """The error as JSON, with the response relabelled application/problem+json."""
        if response is not None:
            response["Content-Type"] = PROBLEM_MEDIA_TYPE
        if data is None:
            return b""
        return json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")

    def render_entries(self, entries: list[Entry], context: dict) -> bytes | str:
        raise NotImplementedError


# --- CSV ------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "type", "id", "title", "status", "start", "end", "precision", "traveller", "participants",
    "countries", "cities", "topics", "flags", "sources", "quotes", "url", "updated_at",
)  # fmt: skip
CSV_LIST_SEPARATOR = "; "
CSV_QUOTE_SEPARATOR = " | "
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell; text a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_row(entry: Entry) -> list[str]:
    """One entry as flat CSV cells, in CSV_COLUMNS order."""
    join = CSV_LIST_SEPARATOR.join
    values = {
        **{key: entry.get(key) for key in ("type", "id", "status", "start", "end", "precision", "url", "updated_at")},
        "title": headline(entry),
        "traveller": (entry.get("traveller") or {}).get("name"),
        "participants": join(participant_names(entry)),
        "countries": join(country_codes(entry)),
        "cities": join(city_names(entry)),
        "topics": join(topic_slugs(entry)),
        "flags": join(str(flag) for flag in entry.get("flags") or []),
        "sources": join(source_labels(entry)),
        "quotes": CSV_QUOTE_SEPARATOR.join(quotes(entry)),
    }
    return [_cell(values[column]) for column in CSV_COLUMNS]


CSV_FLUSH_AT = 64 * 1024  # characters per piece of a stream


def stream_csv(entries: Iterable[Entry]) -> Iterator[str]:
    """The CSV header, then one line per entry: for StreamingHttpResponse over all pages.

    The header goes out before any entry is read; then lines go out in pieces of about 64 KB, not
    one by one: a write (and a gzip flush) per line cost more than making the line.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for entry in entries:
        writer.writerow(csv_row(entry))
        if buffer.tell() >= CSV_FLUSH_AT:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class CSVRenderer(TimelineRenderer):
    """One row per trip or meeting, lists joined with "; " (quotes with " | ")."""

    media_type = "text/csv"
    format = "csv"

    def render_entries(self, entries: list[Entry], context: dict) -> bytes:
        return "".join(stream_csv(entries)).encode(self.charset)


# --- GeoJSON --------------------------------------------------------------------------------


def _point(entry: Entry, place: dict, extra: dict) -> dict | None:
    """A Point feature at ``place``'s coordinates, or None when it has none."""
    lat, lon = place.get("latitude"), place.get("longitude")
    if lat is None or lon is None:
        return None
    properties = {
        "type": entry["type"],
        "id": entry["id"],
        "title": headline(entry),
        "status": place.get("status") or entry.get("status"),
        "start": place.get("start") or entry.get("start"),
        "end": place.get("end") or entry.get("end"),
        "precision": place.get("precision") or entry.get("precision"),
        **extra,
        "url": entry.get("url"),
    }
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


def features(entry: Entry) -> list[dict]:
    """One feature per located trip stop, or one for a located meeting."""
    if entry["type"] == "meeting":
        country = entry.get("country") or {}
        extra = {"country": country.get("code"), "country_name": country.get("name"), "city": entry.get("city") or ""}
        found = [_point(entry, entry, extra)]
    else:
        found = [_point(entry, stop, _stop_properties(stop)) for stop in _stops(entry)]
    return [feature for feature in found if feature is not None]


def _stop_properties(stop: dict) -> dict:
    country = stop.get("country") or {}
    return {
        "stop_id": stop.get("id"),
        "order": stop.get("order"),
        "country": country.get("code"),
        "country_name": country.get("name"),
        "city": ", ".join(stop.get("cities") or []),
    }


class GeoJSONRenderer(TimelineRenderer):
    """A FeatureCollection (RFC 7946) of Point features: trip stops and meetings."""

    media_type = "application/geo+json"
    format = "geojson"

    def render_entries(self, entries: list[Entry], context: dict) -> bytes:
        collection = {"type": "FeatureCollection", "features": [f for entry in entries for f in features(entry)]}
        return json.dumps(collection, ensure_ascii=False).encode(self.charset)


# --- iCalendar ------------------------------------------------------------------------------

ICS_STATUS = {"planned": "TENTATIVE", "postponed": "TENTATIVE", "cancelled": "CANCELLED"}
ICS_PRODID = "-//visit-tracker//Diplomatic visit timeline//EN"


def ics_description(entry: Entry) -> str:
    """Plain text: status and dates, traveller or participants, sources."""
    lines = [f"Status: {entry.get('status') or 'unknown'}", f"Dates: {date_text(entry)}"]
    if entry.get("traveller"):
        lines.append(f"Traveller: {entry['traveller'].get('name')}")
    if participant_names(entry):
        lines.append("Participants: " + "; ".join(participant_names(entry)))
    lines.extend(["Sources:", *(f"- {url}" for url in source_urls(entry))] if source_urls(entry) else [])
    lines.append(f"Entry: {entry.get('url')}")
    return "\n".join(lines)


def vevent(entry: Entry, first: dt.date, last: dt.date) -> Event:
    """One all-day VEVENT covering [first, last] (DTEND is exclusive)."""
    event = Event()
    event.add("uid", f"{entry['type']}-{entry['id']}@visit-tracker")
    event.add("summary", headline(entry))
    event.add("dtstart", first)
    event.add("dtend", last + dt.timedelta(days=1))
    modified = parse_datetime(entry.get("updated_at"))
    event.add("dtstamp", modified or dt.datetime.now(dt.UTC))
    if modified:
        event.add("last-modified", modified)
    event.add("description", ics_description(entry))
    if places(entry):
        event.add("location", "; ".join(places(entry)))
    event.add("status", ICS_STATUS.get(entry.get("status") or "", "CONFIRMED"))
    if is_http_url(page_url(entry)):
        event.add("url", page_url(entry))
    return event


class ICalendarRenderer(TimelineRenderer):
    """A VCALENDAR with one all-day VEVENT per dated trip or meeting."""

    media_type = "text/calendar"
    format = "ics"

    def render_entries(self, entries: list[Entry], context: dict) -> bytes:
        calendar = Calendar()
        calendar.add("prodid", ICS_PRODID)
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", FEED_TITLE)
        undated = 0
        for entry in entries:
            bounds = date_range(entry)
            if bounds is not None:  # a month- or year-precise item is an all-day event over its period
                calendar.add_component(vevent(entry, *bounds))
            else:
                undated += 1
        # items without any date cannot be put in a calendar: the feed says how many it left out
        calendar.add("x-tracker-undated-left-out", str(undated))
        return calendar.to_ical()


# --- HTML summaries (Atom, TimelineJS) ------------------------------------------------------


def html_sources(entry: Entry) -> str:
    """Escaped links to the reports (non-http URLs are shown as text, never linked)."""
    items = [
        format_html('<a href="{}">{}</a>', url, title) if is_http_url(url) else escape(url)
        for url, title in sources(entry)
    ]
    return format_html("<p>Sources: {}</p>", format_html_join(", ", "{}", ((item,) for item in items))) if items else ""


def html_summary(entry: Entry, *, with_quotes: bool) -> str:
    """Status, dates, people and places, quotes and sources, all untrusted text escaped."""
    dates = date_text(entry)
    people = (entry.get("traveller") or {}).get("name") or "; ".join(participant_names(entry))
    parts = [format_html("<p>Status: {}. Dates: {}.</p>", entry.get("status") or "unknown", dates)]
    if people:
        parts.append(format_html("<p>{}</p>", people))
    if places(entry):
        parts.append(format_html("<p>Places: {}</p>", "; ".join(places(entry))))
    if with_quotes:
        parts.extend(format_html("<blockquote>{}</blockquote>", quote) for quote in quotes(entry))
    parts.append(html_sources(entry))
    return "".join(parts)


# --- Atom -----------------------------------------------------------------------------------


def _tag_uri(entry: Entry) -> str:
    """A stable tag: URI (RFC 4151) from the entry's URL and creation date."""
    created = parse_datetime(entry.get("created_at"))
    return get_tag_uri(entry["url"], created.date() if created else FALLBACK_TAG_DATE)


class AtomRenderer(TimelineRenderer):
    """An Atom 1.0 feed (RFC 4287), one entry per trip or meeting."""

    media_type = "application/atom+xml"
    format = "atom"

    def render_entries(self, entries: list[Entry], context: dict) -> bytes:
        feed = self.feed(context)
        for entry in entries:
            updated = parse_datetime(entry.get("updated_at")) or parse_datetime(entry.get("created_at"))
            feed.add_item(
                title=headline(entry),
                link=page_url(entry),
                description=html_summary(entry, with_quotes=False),
                unique_id=_tag_uri(entry),
                updateddate=updated or dt.datetime.now(dt.UTC),
                pubdate=parse_datetime(entry.get("created_at")),
                categories=topic_slugs(entry),
            )
        return feed.writeString(self.charset).encode(self.charset)

    def feed(self, context: dict) -> Atom1Feed:
        request = context.get("request")
        link = request.build_absolute_uri() if request is not None else "http://localhost/api/v1/timeline"
        return Atom1Feed(
            title=FEED_TITLE,
            link=link,
            description="Trips and meetings of officials, with their sources.",
            feed_url=link,
            author_name="Diplomatic visit tracker",
            language="en",
        )


# --- TimelineJS -----------------------------------------------------------------------------

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")  # fmt: skip


def timelinejs_date(value: str | None) -> dict | None:
    """A TimelineJS date object with only the parts the precision knows (year, month, day)."""
    if not value:
        return None
    first, _, precision = period_bounds(value)
    date: dict[str, Any] = {"year": first.year}
    if precision in ("month", "day"):
        date["month"] = first.month
        date["display_date"] = f"{MONTHS[first.month - 1]} {first.year}"
    if precision == "day":
        date["day"] = first.day
        date["display_date"] = f"{first.day} {MONTHS[first.month - 1]} {first.year}"
    if precision == "year":
        date["display_date"] = str(first.year)
    return date


def timelinejs_group(entry: Entry) -> str:
    """The row of the timeline (HTML-escaped): the traveller for trips, the country for meetings."""
    if entry["type"] == "trip":
        return str(escape((entry.get("traveller") or {}).get("name") or ""))
    country = entry.get("country") or {}
    return str(escape(country.get("name") or country.get("code") or ""))


def timelinejs_event(entry: Entry) -> dict:
    """One slide of a TimelineJS3 timeline."""
    event: dict[str, Any] = {
        "start_date": timelinejs_date(entry["start"]),
        "text": {"headline": str(escape(headline(entry))), "text": html_summary(entry, with_quotes=True)},
        "group": timelinejs_group(entry),
        "unique_id": f"{entry['type']}-{entry['id']}",
        "autolink": False,
    }
    if entry.get("end") and entry["end"] != entry["start"]:
        event["end_date"] = timelinejs_date(entry["end"])
    return event


class TimelineJSRenderer(TimelineRenderer):
    """Knight Lab's TimelineJS3 JSON: a title slide and one event per dated entry."""

    media_type = "application/json"
    format = "timelinejs"

    def render_entries(self, entries: list[Entry], context: dict) -> bytes:
        document = {
            "title": {"text": {"headline": FEED_TITLE, "text": "Trips and meetings of officials, with sources."}},
            "events": [timelinejs_event(entry) for entry in entries if entry.get("start")],
        }
        return json.dumps(document, ensure_ascii=False).encode(self.charset)
