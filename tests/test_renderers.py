"""The API's output formats, fed hand-written entries and parsed back with independent parsers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import feedparser
import pytest
from icalendar import Calendar
from lxml import etree
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from api.renderers import (
    CSV_COLUMNS,
    AtomRenderer,
    CSVRenderer,
    GeoJSONRenderer,
    ICalendarRenderer,
    TimelineJSRenderer,
    stream_csv,
)

HOSTILE = 'Talks <script>alert("x")</script> & "more"'
API = "http://testserver/api/v1"


def report(rid: int, url: str, title: str = "Report") -> dict:
    return {"id": rid, "url": url, "title": title, "publisher": "Wire", "language": "en", "published": "2024-03-18"}


def evidence(rid: int, url: str, quote: str, title: str = "Report") -> dict:
    return {
        "report": report(rid, url, title),
        "quote": quote,
        "start": 0,
        "end": len(quote),
        "confidence": 0.9,
        "review_state": "unreviewed",
    }


def person(pid: int, name: str) -> dict:
    return {"id": pid, "slug": name.lower().replace(" ", "-"), "name": name}


def stop(sid: int, order: int, code: str, name: str, cities: list[str], lat: float | None, lon: float | None) -> dict:
    return {
        "id": sid,
        "order": order,
        "country": {"code": code, "name": name},
        "cities": cities,
        "start": "2024-03-18",
        "end": "2024-03-19",
        "precision": "day",
        "status": None,
        "latitude": lat,
        "longitude": lon,
        "topics": [{"slug": "trade", "name": "Trade", "evidence": []}],
        "evidence": [evidence(3, "https://news.example/stop", "He then flew to Berlin.")],
    }


def trip(**overrides: Any) -> dict:
    """A two-country tour; stops listed out of order on purpose."""
    entry = {
        "type": "trip",
        "id": 1,
        "url": f"{API}/trips/1",
        "title": "Tour of Europe",
        "status": "completed",
        "start": "2024-03-18",
        "end": "2024-03-20",
        "precision": "day",
        "traveller": person(7, "Antony Blinken"),
        "stops": [
            stop(12, 2, "DE", "Germany", ["Berlin"], None, None),
            stop(11, 1, "FR", "France", ["Paris", "Lyon"], 48.8566, 2.3522),
        ],
        "topics": [{"slug": "security", "name": "Security", "evidence": []}],
        "flags": ["multi-country"],
        "evidence": [evidence(1, "https://news.example/a", "Blinken arrived in Paris on Monday.", "Arrival")],
        "created_at": "2024-03-10T08:00:00Z",
        "updated_at": "2024-03-21T09:30:00Z",
    }
    return {**entry, **overrides}


def meeting(**overrides: Any) -> dict:
    """A meeting dated only to a month, with a hostile title and a hostile report."""
    entry = {
        "type": "meeting",
        "id": 5,
        "url": f"{API}/meetings/5",
        "title": HOSTILE,
        "status": "held",
        "start": "2024-03",
        "end": "2024-03",
        "precision": "month",
        "traveller": None,
        "participants": [
            {
                "person": person(7, "Antony Blinken"),
                "title": "Secretary of State",
                "country": "US",
                "is_host": False,
                "flags": [],
                "evidence": [],
            },
            {
                "person": person(9, "Olaf <b>Scholz</b>"),
                "title": "Chancellor",
                "country": "DE",
                "is_host": True,
                "flags": [],
                "evidence": [],
            },
        ],
        "kind": "talks",
        "country": {"code": "DE", "name": "Germany"},
        "city": "Berlin",
        "latitude": 52.52,
        "longitude": 13.405,
        "trip": 1,
        "topics": [{"slug": "ukraine", "name": "Ukraine", "evidence": []}],
        "flags": [],
        "evidence": [
            evidence(2, "https://news.example/b?x=1&y=<2>", 'They said "<img src=x onerror=alert(1)>".', "<i>Bad</i>"),
            evidence(4, "javascript:alert(1)", "=cmd|' /C calc'!A0"),
        ],
        "created_at": "2024-03-25T08:00:00+00:00",
        "updated_at": "2024-04-01T12:00:00+00:00",
    }
    return {**entry, **overrides}


def undated_meeting() -> dict:
    """No date, no coordinates, no title."""
    return meeting(
        id=6, url=f"{API}/meetings/6", title="", start=None, end=None, precision=None, latitude=None, longitude=None
    )


def year_trip() -> dict:
    return trip(id=2, url=f"{API}/trips/2", title="Visit to Japan", start="2023", end="2023", precision="year",
                stops=[stop(21, 1, "JP", "Japan", ["Tokyo"], 35.68, 139.69)], evidence=[])  # fmt: skip


ENTRIES = [trip(), meeting(), undated_meeting(), year_trip()]


def render(renderer_class: type, data: Any) -> bytes:
    return renderer_class().render(data, renderer_class.media_type, {})


# --- CSV --------------------------------------------------------------------------------------


def csv_rows(data: Any) -> list[dict]:
    return list(csv.DictReader(io.StringIO(render(CSVRenderer, data).decode("utf-8"))))


def test_csv_header_and_one_row_per_entry():
    text = render(CSVRenderer, ENTRIES).decode("utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert tuple(header) == CSV_COLUMNS
    assert [(row["type"], row["id"]) for row in csv_rows(ENTRIES)] == [
        ("trip", "1"), ("meeting", "5"), ("meeting", "6"), ("trip", "2"),
    ]  # fmt: skip


def test_csv_trip_columns_follow_stop_order():
    row = csv_rows([trip()])[0]
    assert row["countries"] == "FR; DE"
    assert row["cities"] == "Paris; Lyon; Berlin"
    assert row["traveller"] == "Antony Blinken"
    assert row["topics"] == "security; trade"
    assert row["flags"] == "multi-country"
    assert row["sources"] == "https://news.example/a; https://news.example/stop"
    assert row["quotes"] == "Blinken arrived in Paris on Monday. | He then flew to Berlin."
    assert (row["start"], row["end"], row["precision"]) == ("2024-03-18", "2024-03-20", "day")
    assert row["updated_at"] == "2024-03-21T09:30:00Z"
    assert row["url"] == f"{API}/trips/1"


def test_csv_meeting_keeps_month_precision_and_title_verbatim():
    row = csv_rows([meeting()])[0]
    assert (row["start"], row["end"], row["precision"]) == ("2024-03", "2024-03", "month")
    assert row["title"] == HOSTILE
    assert row["participants"] == "Antony Blinken; Olaf <b>Scholz</b>"
    assert row["countries"] == "DE"
    assert row["cities"] == "Berlin"
    assert row["traveller"] == ""


def test_csv_neutralises_spreadsheet_formulas():
    row = csv_rows([meeting(title='=HYPERLINK("http://evil")')])[0]
    assert row["title"] == '\'=HYPERLINK("http://evil")'
    assert row["quotes"].startswith("They said")
    assert "| =cmd" in row["quotes"]  # only a cell's first character matters


def test_csv_paginated_and_detail_shapes():
    assert len(csv_rows({"count": 4, "next": None, "previous": None, "results": ENTRIES})) == 4
    assert [row["id"] for row in csv_rows(trip())] == ["1"]


def test_stream_csv_yields_header_then_lines_lazily():
    produced = []

    def entries():
        for entry in ENTRIES:
            produced.append(entry["id"])
            yield entry

    stream = stream_csv(entries())
    assert next(stream).rstrip("\r\n") == ",".join(CSV_COLUMNS)
    assert produced == []
    rest = list(stream)
    assert len(rest) == 1  # the lines together: a piece is written when 64 KB are ready, or at the end
    assert "".join(rest) == render(CSVRenderer, ENTRIES).decode("utf-8").split("\r\n", 1)[1]


def test_stream_csv_writes_pieces_of_the_size_set(monkeypatch):
    from api import renderers

    monkeypatch.setattr(renderers, "CSV_FLUSH_AT", 1)  # every line is a piece of its own
    pieces = list(stream_csv(iter(ENTRIES)))
    assert len(pieces) == 1 + len(ENTRIES) + 1 and pieces[-1] == ""


# --- GeoJSON ----------------------------------------------------------------------------------


def test_geojson_points_per_stop_and_meeting_skipping_missing_coordinates():
    collection = json.loads(render(GeoJSONRenderer, {"results": ENTRIES}))
    assert collection["type"] == "FeatureCollection"
    found = [
        (f["properties"]["type"], f["properties"]["id"], f["properties"]["country"]) for f in collection["features"]
    ]
    assert found == [
        ("trip", 1, "FR"),
        ("meeting", 5, "DE"),
        ("trip", 2, "JP"),
    ]  # Berlin stop and meeting 6 lack coordinates
    paris = collection["features"][0]
    assert paris["geometry"] == {"type": "Point", "coordinates": [2.3522, 48.8566]}  # longitude first
    assert paris["properties"]["city"] == "Paris, Lyon"
    assert paris["properties"]["url"] == f"{API}/trips/1"
    assert paris["properties"]["status"] == "completed"
    talks = collection["features"][1]["properties"]
    assert (talks["title"], talks["start"], talks["end"], talks["city"]) == (HOSTILE, "2024-03", "2024-03", "Berlin")


# --- iCalendar --------------------------------------------------------------------------------


def events_by_uid(data: Any) -> dict[str, Any]:
    calendar = Calendar.from_ical(render(ICalendarRenderer, data))
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_ics_all_day_events_with_exclusive_end():
    events = events_by_uid(ENTRIES)
    assert set(events) == {"trip-1@visit-tracker", "meeting-5@visit-tracker", "trip-2@visit-tracker"}
    tour = events["trip-1@visit-tracker"]
    assert tour.decoded("DTSTART") == dt.date(2024, 3, 18)
    assert tour.decoded("DTEND") == dt.date(2024, 3, 21)
    assert str(tour["SUMMARY"]) == "Tour of Europe"
    assert str(tour["LOCATION"]) == "Paris, Lyon, France; Berlin, Germany"
    assert tour.decoded("LAST-MODIFIED") == dt.datetime(2024, 3, 21, 9, 30, tzinfo=dt.UTC)
    assert "Status: completed" in str(tour["DESCRIPTION"])
    assert "https://news.example/stop" in str(tour["DESCRIPTION"])


def test_ics_imprecise_dates_cover_their_whole_period():
    events = events_by_uid(ENTRIES)
    talks = events["meeting-5@visit-tracker"]
    assert (talks.decoded("DTSTART"), talks.decoded("DTEND")) == (dt.date(2024, 3, 1), dt.date(2024, 4, 1))
    assert str(talks["SUMMARY"]) == HOSTILE
    assert "Participants: Antony Blinken; Olaf <b>Scholz</b>" in str(talks["DESCRIPTION"])
    assert str(talks["LOCATION"]) == "Berlin, Germany"
    japan = events["trip-2@visit-tracker"]
    assert (japan.decoded("DTSTART"), japan.decoded("DTEND")) == (dt.date(2023, 1, 1), dt.date(2024, 1, 1))
    assert str(events["trip-2@visit-tracker"]["STATUS"]) == "CONFIRMED"


def test_ics_status_maps_to_calendar_status():
    events = events_by_uid([trip(status="cancelled"), meeting(status="planned")])
    assert str(events["trip-1@visit-tracker"]["STATUS"]) == "CANCELLED"
    assert str(events["meeting-5@visit-tracker"]["STATUS"]) == "TENTATIVE"


# --- Atom -------------------------------------------------------------------------------------


def test_atom_is_a_valid_feed_with_escaped_summaries():
    body = render(AtomRenderer, ENTRIES)
    root = etree.fromstring(body)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:id", "a:title", "a:updated", "a:author/a:name"):
        assert root.find(required, ns) is not None, required
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert len(parsed.entries) == 4
    ids = [entry.id for entry in parsed.entries]
    assert ids[0] == "tag:testserver,2024-03-10:/api/v1/trips/1/"
    assert len(set(ids)) == 4 and all(i.startswith("tag:") for i in ids)
    talks = root.findall("a:entry", ns)[1]
    assert talks.findtext("a:title", namespaces=ns) == HOSTILE  # text construct: shown as text, never run
    # a reader opens the page of the trip the meeting belongs to, not the API's JSON
    assert talks.find("a:link", ns).get("href") == "http://testserver/trips/1/"
    assert root.findall("a:entry", ns)[0].find("a:link", ns).get("href") == "http://testserver/trips/1/"
    assert talks.findtext("a:updated", namespaces=ns).startswith("2024-04-01T12:00:00")
    summary = talks.findtext("a:summary", namespaces=ns)  # HTML, once XML-decoded
    assert "<script" not in summary and "<b>" not in summary and "<i>" not in summary
    assert "Olaf &lt;b&gt;Scholz&lt;/b&gt;" in summary
    assert "Status: held. Dates: 2024-03." in summary
    assert "Places: Berlin, Germany" in summary
    assert '<a href="https://news.example/b?x=1&amp;y=&lt;2&gt;">&lt;i&gt;Bad&lt;/i&gt;</a>' in summary
    assert 'href="javascript' not in summary and "javascript:alert(1)" in summary


# --- TimelineJS -------------------------------------------------------------------------------


def test_timelinejs_dates_carry_only_known_parts():
    document = json.loads(render(TimelineJSRenderer, ENTRIES))
    assert document["title"]["text"]["headline"]
    events = {event["unique_id"]: event for event in document["events"]}
    assert set(events) == {"trip-1", "meeting-5", "trip-2"}  # the undated meeting has no slide
    tour = events["trip-1"]
    assert tour["start_date"] == {"year": 2024, "month": 3, "day": 18, "display_date": "18 March 2024"}
    assert tour["end_date"] == {"year": 2024, "month": 3, "day": 20, "display_date": "20 March 2024"}
    assert events["meeting-5"]["start_date"] == {"year": 2024, "month": 3, "display_date": "March 2024"}
    assert "end_date" not in events["meeting-5"]
    assert events["trip-2"]["start_date"] == {"year": 2023, "display_date": "2023"}
    assert (tour["group"], events["meeting-5"]["group"]) == ("Antony Blinken", "Germany")


def test_timelinejs_html_is_escaped_and_links_only_http():
    document = json.loads(render(TimelineJSRenderer, [meeting()]))
    text = document["events"][0]["text"]
    assert text["headline"] == "Talks &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;more&quot;"
    html = text["text"]
    assert "<blockquote>They said &quot;&lt;img src=x onerror=alert(1)&gt;&quot;.</blockquote>" in html
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert '<a href="https://news.example/b?x=1&amp;y=&lt;2&gt;">&lt;i&gt;Bad&lt;/i&gt;</a>' in html
    assert 'href="javascript' not in html


# --- Errors and DRF integration ---------------------------------------------------------------

ALL = [CSVRenderer, GeoJSONRenderer, ICalendarRenderer, AtomRenderer, TimelineJSRenderer]


class Timeline(APIView):
    """A stand-in for the timeline view: entries, or a 404 problem."""

    renderer_classes = ALL
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        if request.query_params.get("missing"):
            raise NotFound("no such entry")
        if request.query_params.get("invalid"):  # an error a view returns itself, through the renderer
            return Response(PROBLEM, status=400)
        return Response({"count": len(ENTRIES), "next": None, "previous": None, "results": ENTRIES})


PROBLEM = {"type": "about:blank", "title": "Bad request", "status": 400, "detail": "bad date"}


def get(fmt: str, **params: str):
    request = APIRequestFactory().get("/api/v1/timeline", {"format": fmt, **params})
    response = Timeline.as_view()(request)
    if hasattr(response, "render"):
        response.render()
    return response


@pytest.mark.parametrize("renderer", ALL, ids=lambda r: r.format)
def test_raised_errors_answer_problem_json_whatever_the_format(renderer):
    response = get(renderer.format, missing="1")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert json.loads(response.content)["detail"] == "no such entry"


@pytest.mark.parametrize("renderer", ALL, ids=lambda r: r.format)
def test_returned_errors_are_rendered_as_problem_json_not_as_empty_output(renderer):
    response = get(renderer.format, invalid="1")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content) == PROBLEM


@pytest.mark.parametrize("renderer", ALL, ids=lambda r: r.format)
def test_problem_dict_is_not_taken_for_entries(renderer):
    assert json.loads(render(renderer, PROBLEM)) == PROBLEM


@pytest.mark.parametrize(
    ("renderer", "content_type"),
    [
        (CSVRenderer, "text/csv; charset=utf-8"),
        (GeoJSONRenderer, "application/geo+json; charset=utf-8"),
        (ICalendarRenderer, "text/calendar; charset=utf-8"),
        (AtomRenderer, "application/atom+xml; charset=utf-8"),
        (TimelineJSRenderer, "application/json; charset=utf-8"),
    ],
    ids=lambda v: getattr(v, "format", None) or v,
)
def test_format_parameter_selects_renderer(renderer, content_type):
    response = get(renderer.format)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    if renderer is AtomRenderer:  # the feed's own link is the request's URL
        feed = feedparser.parse(response.content)
        assert feed.feed.link == "http://testserver/api/v1/timeline?format=atom"
        assert len(feed.entries) == len(ENTRIES)
    else:
        assert response.content == render(renderer, {"results": ENTRIES})


def test_csv_names_sources_without_a_url_by_title_publisher_and_date():
    entry = meeting()
    entry["evidence"] = [evidence(9, None, "They met in Paris.", title="Uploaded report")]
    row = csv_rows([entry])[0]
    assert row["sources"].startswith("Uploaded report, Wire, 2024-03-18")


def test_ics_says_how_many_undated_items_it_left_out():
    calendar = Calendar.from_ical(render(ICalendarRenderer, ENTRIES))
    events = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert str(calendar["X-TRACKER-UNDATED-LEFT-OUT"]) == str(len(ENTRIES) - len(events))
    assert "trip-1@visit-tracker" in events
    tour = events_by_uid(ENTRIES)["trip-1@visit-tracker"]
    assert str(tour["URL"]) == "http://testserver/trips/1/"  # the page a reader can open
