"""Read endpoints: shapes of entries, detail by id/slug/code, reference data."""

import datetime as dt

import pytest

from tests import api_factories as fx
from visits import titles
from visits.models import Meeting

pytest_plugins = ["tests.api_factories"]

pytestmark = pytest.mark.django_db


def test_trip_entry_shape(api):
    t = fx.trip(when="2024-03", stops=[("GE", ["Batumi"], ["energy-security"]), ("AM", [], [])])
    fx.city("GE", "Batumi", 41.64, 41.63)
    body = api.get("/api/v1/trips").json()
    assert body["next"] is None and body["previous"] is None
    (entry,) = body["results"]
    assert entry["type"] == "trip" and entry["id"] == t.pk
    assert entry["url"] == f"http://testserver/api/v1/trips/{t.pk}"
    assert entry["start"] == "2024-03" and entry["end"] == "2024-03" and entry["precision"] == "month"
    assert entry["traveller"] == {"id": t.traveller.pk, "slug": t.traveller.slug, "name": t.traveller.name}
    ge, am = entry["stops"]
    assert ge["country"] == {"code": "GE", "name": "Georgia"} and ge["cities"] == ["Batumi"]
    assert (ge["latitude"], ge["longitude"]) == (41.64, 41.63)
    assert (am["latitude"], am["longitude"]) == (40.18, 44.51)  # capital
    assert ge["topics"][0]["slug"] == "energy-security" and len(ge["topics"][0]["evidence"]) == 1
    assert entry["topics"][0]["slug"] == "energy-security"
    ev = entry["evidence"][0]
    assert set(ev) == {"report", "quote", "start", "end", "confidence", "review_state"}
    assert set(ev["report"]) == {"id", "url", "title", "publisher", "language", "published"}
    assert ev["report"]["published"] == "2024-03-01"


def test_meeting_entry_shape(api):
    trip = fx.trip(when="2024-03-10")
    host, guest = fx.person(code="GE"), fx.person(code="FR")
    m = fx.meeting([(host, True, "GE"), (guest, False, "FR")], when="2024-03-11", topics=["climate"], trip=trip)
    entry = api.get(f"/api/v1/meetings/{m.pk}").json()
    assert entry["type"] == "meeting" and entry["trip"] == trip.pk and entry["kind"] == "meeting"
    assert entry["country"] == {"code": "GE", "name": "Georgia"} and entry["city"] == "Tbilisi"
    assert (entry["latitude"], entry["longitude"]) == (41.72, 44.79)
    first = entry["participants"][0]
    assert first["person"]["id"] == host.pk and first["is_host"] is True and first["country"]["code"] == "GE"
    assert len(first["evidence"]) == 1 and first["flags"] == []
    assert entry["topics"][0]["slug"] == "climate" and entry["start"] == "2024-03-11" and entry["precision"] == "day"


def test_entry_numbers_and_times_are_written_as_python_writes_them(api):
    """Entries are assembled by PostgreSQL: whole floats stay floats (1.0, not 1), a city found
    whatever the case of its name, timestamps in ``isoformat()``'s form."""
    fx.city("AM", "Gyumri", 41.0, 44.0, population=100_000)
    m = fx.meeting(when="2024-03-11", code="AM", city_name=" gyumri ")
    fx.evidence(m, confidence=1.0)
    Meeting.objects.filter(pk=m.pk).update(title="", updated_at=dt.datetime(2024, 4, 1, 8, 30, tzinfo=dt.UTC))
    response = api.get(f"/api/v1/meetings/{m.pk}")
    body = response.content.decode()
    assert '"latitude":41.0,"longitude":44.0' in body and '"confidence":1.0' in body
    assert response.json()["updated_at"] == "2024-04-01T08:30:00+00:00"
    # an untitled meeting is named as its page names it: its kind and place, the stored spacing trimmed
    title = response.json()["title"]
    assert title == titles.meeting_title(m) and title.endswith(": meeting in gyumri")


def test_timeline_mixes_types_in_date_order(api):
    t = fx.trip(when="2024-03-10")
    m1 = fx.meeting(when="2024-03-10")
    m0 = fx.meeting(when="2024-01")
    undated = fx.meeting(when=None)
    got = [(e["type"], e["id"]) for e in api.get("/api/v1/timeline").json()["results"]]
    assert got == [("meeting", m0.pk), ("meeting", m1.pk), ("trip", t.pk), ("meeting", undated.pk)]


def test_reference_resources(api):
    org = fx.organization("Ministry of Foreign Affairs", slug="mfa", code="GE")
    p = fx.person("Nino Example", slug="nino-example", code="GE", title="Foreign Minister", org=org)
    body = api.get("/api/v1/people").json()
    (person,) = body["results"]
    assert person["positions"][0]["title"] == "Foreign Minister"
    assert person["positions"][0]["organization"] == {"id": org.pk, "slug": "mfa", "name": org.name}
    assert api.get("/api/v1/people?q=Nino").json()["results"][0]["id"] == p.pk
    assert api.get("/api/v1/people?q=Zurab").json()["results"] == []
    assert api.get("/api/v1/people?role=foreign%20minister&country=GE").json()["results"][0]["id"] == p.pk
    assert api.get("/api/v1/organizations/mfa").json()["id"] == org.pk
    assert api.get(f"/api/v1/organizations/{org.pk}").json()["slug"] == "mfa"
    child = fx.topic("gas-transit", parent="energy-security")
    parent = api.get("/api/v1/topics/energy-security").json()
    assert parent["children"] == ["gas-transit"]
    assert api.get(f"/api/v1/topics/{child.pk}").json()["parent"] == "energy-security"
    slugs = {t["slug"] for t in api.get("/api/v1/topics?parent=energy-security").json()["results"]}
    assert slugs == {"gas-transit"}
    countries = api.get("/api/v1/countries?page_size=500").json()["results"]
    assert {"code": "GE", "name": "Georgia"}.items() <= countries[0].items() or any(
        c["code"] == "GE" for c in countries
    )
    rep = fx.report(title="Minister visits Baku", publisher="Agency")
    assert api.get(f"/api/v1/reports/{rep.pk}").json()["publisher"] == "Agency"
    assert [r["id"] for r in api.get("/api/v1/reports?q=Baku").json()["results"]] == [rep.pk]


@pytest.mark.parametrize("fmt", ["geojson", "ics", "atom", "timelinejs"])
def test_timeline_formats(api, fmt):
    fx.trip(when="2024-03-10")
    fx.meeting(when="2024-03-11")
    response = api.get(f"/api/v1/timeline?format={fmt}")
    assert response.status_code == 200, response.content[:300]
    if fmt == "timelinejs":
        assert len(response.json()["events"]) == 2
    else:
        assert not response["Content-Type"].startswith("application/json")


def test_csv_streams_every_page(api):
    for day in range(1, 8):
        fx.trip(when=f"2024-02-{day:02d}", title=f"Trip number {day}", locked_fields=["title"])
    response = api.get("/api/v1/trips?format=csv&page_size=2")
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode()
    assert all(f"Trip number {day}" in text for day in range(1, 8))


def test_index_links_every_list(api):
    links = api.get("/api/v1/").json()["endpoints"]
    assert links["timeline"] == "http://testserver/api/v1/timeline"
    assert {"trip", "meeting", "person", "changes", "docs"} <= set(links)


def test_titles_are_written_for_people_in_the_language_asked_for(api):
    """An untitled trip is "who in where" and a meeting "who: what in where", as the pages title them,
    in the request's language; a title an analyst locked is kept as written."""
    chief = fx.person("Jens Stoltenberg", slug="jens-stoltenberg")
    host = fx.person("Ilham Aliyev", slug="ilham-aliyev", code="AZ")
    trip = fx.trip(chief, stops=[("AZ", ["Baku"], []), ("GE", ["Tbilisi"], []), ("AZ", [], [])])
    talks = fx.meeting([(host, True, "AZ"), (chief, False, None)], code="AZ", city_name="Baku", kind="talks")
    Meeting.objects.filter(pk=talks.pk).update(title="")  # as extraction writes meetings
    named = fx.trip(chief, title="Caucasus tour", locked_fields=["title"])
    assert api.get(f"/api/v1/trips/{trip.pk}").json()["title"] == "Stoltenberg in Azerbaijan and Georgia"
    assert api.get(f"/api/v1/meetings/{talks.pk}").json()["title"] == "Aliyev and Stoltenberg: talks in Baku"
    assert api.get(f"/api/v1/trips/{named.pk}").json()["title"] == "Caucasus tour"
    french = api.get(f"/api/v1/trips/{trip.pk}", HTTP_ACCEPT_LANGUAGE="fr").json()["title"]
    assert "Azerbaïdjan" in french and "Géorgie" in french
