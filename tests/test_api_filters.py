"""Filters of trips, meetings and the timeline: every parameter, and 400s that name it."""

import pytest
from django.http import QueryDict
from rest_framework.exceptions import ValidationError

from api.filters import TIMELINE_PARAMETERS, MeetingFilterSet, TripFilterSet, filter_timeline
from tests import api_factories as fx
from visits.models import Evidence, Trip
from visits.search import refresh_search_documents

pytest_plugins = ["tests.api_factories"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    fx.country("AZ")
    mfa = fx.organization("Ministry for Europe and Foreign Affairs", slug="mfa-fr")
    alice = fx.person("Alice Martin", slug="alice-martin", code="FR", title="Foreign Minister", org=mfa)
    bob = fx.person("Bob Petrosyan", slug="bob-petrosyan", code="AM", title="President")
    host = fx.person("Giorgi Host", slug="giorgi-host", code="GE")
    french_host = fx.person("Jean Hôte", slug="jean-hote", code="FR")
    le_monde = fx.report(publisher="Le Monde", language="fr", title="Visite")
    t1 = fx.trip(
        alice, when="2024-03", stops=[("GE", ["Tbilisi"], ["energy-security"]), ("AM", ["Yerevan"], ["peace-process"])]
    )
    t2 = fx.trip(bob, when="2023-11-05", stops=[("FR", ["Paris"], ["trade-investment"])], rep=le_monde)
    t3 = fx.trip(alice, when="2024", stops=[("DE", ["Berlin"], [])], status="planned")
    m1 = fx.meeting(
        [(alice, False, "FR"), (host, True, "GE")], when="2024-03-12", code="GE", topics=["energy-security"], trip=t1
    )
    m2 = fx.meeting(
        [(bob, False, "AM"), (french_host, True, "FR")],
        when="2023-11-05",
        code="FR",
        city_name="Paris",
        topics=["climate"],
        rep=le_monde,
    )
    return {"alice": alice, "bob": bob, "t1": t1, "t2": t2, "t3": t3, "m1": m1, "m2": m2, "le_monde": le_monde}


def ids(response, kind=None):
    assert response.status_code == 200, response.content
    return {(e["type"], e["id"]) if kind is None else e["id"] for e in response.json()["results"]}


def test_date_overlap_with_imprecise_dates(api, world):
    w = world
    assert ids(api.get("/api/v1/trips?start=2024-03-15&end=2024-03-20"), "trip") == {w["t1"].pk, w["t3"].pk}
    assert ids(api.get("/api/v1/trips?start=2024-04"), "trip") == {w["t3"].pk}
    assert ids(api.get("/api/v1/trips?end=2023"), "trip") == {w["t2"].pk}
    assert ids(api.get("/api/v1/trips?start=2023-11-05&end=2023-11-05"), "trip") == {w["t2"].pk}
    assert ids(api.get("/api/v1/meetings?start=2024"), "meeting") == {w["m1"].pk}


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("start=2024-05&end=2024-04", "end"),
        ("start=2024-13", "start"),
        ("end=2024-02-30", "end"),
        ("start=yesterday", "start"),
        ("person=nobody", "person"),
        ("country=XX", "country"),
        ("topic=no-such-topic", "topic"),
        ("status=held", "status"),
        ("person_role=host", "person_role"),
        ("country_role=visiting", "country_role"),
        ("min_confidence=2", "min_confidence"),
        ("review=maybe", "review"),
        ("report=abc", "report"),
        ("updated_since=soon", "updated_since"),
        ("ordering=title", "ordering"),
        ("page_size=501", "page_size"),
        ("page_size=0", "page_size"),
        ("count=perhaps", "count"),
        ("cursor=notacursor", "cursor"),
        ("format=xml", "format"),
        ("colour=red", "colour"),
        ("q=" + "x" * 300, "q"),
    ],
)
def test_bad_values_are_400_naming_the_parameter(api, world, query, param):
    response = api.get(f"/api/v1/trips?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert param in body["errors"], body
    assert param in body["detail"]


def test_timeline_status_accepts_both_vocabularies(api, world):
    w = world
    assert ids(api.get("/api/v1/timeline?status=held")) == {("meeting", w["m1"].pk), ("meeting", w["m2"].pk)}
    assert ids(api.get("/api/v1/timeline?status=planned")) == {("trip", w["t3"].pk)}
    assert api.get("/api/v1/timeline?status=nonsense").status_code == 400


def test_topic_includes_subtopics(api, world):
    fx.topic("gas-pipelines", parent="energy-security")
    t4 = fx.trip(world["bob"], stops=[("AZ", ["Baku"], ["gas-pipelines"])])
    got = ids(api.get("/api/v1/trips?topic=energy-security"), "trip")
    assert got == {world["t1"].pk, t4.pk}
    assert ids(api.get("/api/v1/trips?topic=gas-pipelines"), "trip") == {t4.pk}
    assert ids(api.get("/api/v1/meetings?topic=energy-security"), "meeting") == {world["m1"].pk}


def test_country_roles(api, world):
    w = world
    assert ids(api.get("/api/v1/trips?country=FR&country_role=visited"), "trip") == {w["t2"].pk}
    assert ids(api.get("/api/v1/trips?country=FR&country_role=visitor"), "trip") == {w["t1"].pk, w["t3"].pk}
    assert ids(api.get("/api/v1/trips?country=FR"), "trip") == {w["t1"].pk, w["t2"].pk, w["t3"].pk}
    assert ids(api.get("/api/v1/meetings?country=AM&country_role=visitor"), "meeting") == {w["m2"].pk}
    assert ids(api.get("/api/v1/meetings?country=GE&country_role=host"), "meeting") == {w["m1"].pk}
    assert ids(api.get("/api/v1/meetings?country=fr&country_role=visited"), "meeting") == {w["m2"].pk}
    # repeatable: the South Caucasus
    got = ids(api.get("/api/v1/timeline?country=AM&country=AZ&country=GE&country_role=visited"))
    assert got == {("trip", w["t1"].pk), ("meeting", w["m1"].pk)}


def test_person_by_id_or_slug_and_role(api, world):
    w = world
    by_slug = ids(api.get("/api/v1/trips?person=alice-martin"), "trip")
    by_id = ids(api.get(f"/api/v1/trips?person={w['alice'].pk}"), "trip")
    assert by_slug == by_id == {w["t1"].pk, w["t3"].pk}
    both = ids(api.get(f"/api/v1/trips?person=alice-martin&person={w['bob'].pk}"), "trip")
    assert both == {w["t1"].pk, w["t2"].pk, w["t3"].pk}
    assert ids(api.get("/api/v1/meetings?person=alice-martin&person_role=participant"), "meeting") == {w["m1"].pk}
    assert ids(api.get("/api/v1/meetings?person=giorgi-host&person_role=traveller"), "meeting") == set()
    assert ids(api.get("/api/v1/trips?person=giorgi-host&person_role=participant"), "trip") == {w["t1"].pk}
    got = ids(api.get("/api/v1/timeline?person=alice-martin&person_role=traveller"))
    assert got == {("trip", w["t1"].pk), ("trip", w["t3"].pk), ("meeting", w["m1"].pk)}


def test_organization_and_role(api, world):
    w = world
    assert ids(api.get("/api/v1/trips?organization=mfa-fr"), "trip") == {w["t1"].pk, w["t3"].pk}
    assert ids(api.get("/api/v1/trips?role=president"), "trip") == {w["t2"].pk}
    assert ids(api.get("/api/v1/meetings?role=Minister"), "meeting") == {w["m1"].pk, w["m2"].pk}
    assert api.get("/api/v1/trips?organization=nope").json()["errors"]["organization"]


def test_evidence_filters(api, world):
    w = world
    assert ids(api.get(f"/api/v1/trips?report={w['le_monde'].pk}"), "trip") == {w["t2"].pk}
    assert ids(api.get("/api/v1/timeline?publisher=le%20monde")) == {("trip", w["t2"].pk), ("meeting", w["m2"].pk)}
    assert ids(api.get("/api/v1/meetings?language=fr"), "meeting") == {w["m2"].pk}
    Evidence.objects.filter(trip=w["t3"]).update(confidence=0.95, review_state="confirmed")
    Evidence.objects.exclude(trip=w["t3"]).update(confidence=0.4)
    assert ids(api.get("/api/v1/trips?min_confidence=0.9"), "trip") == {w["t3"].pk}
    assert ids(api.get("/api/v1/trips?review=confirmed"), "trip") == {w["t3"].pk}


def test_status_updated_since_and_ordering(api, world):
    w = world
    assert ids(api.get("/api/v1/trips?status=planned"), "trip") == {w["t3"].pk}
    assert ids(api.get("/api/v1/trips?status=planned&status=completed"), "trip") == {w["t1"].pk, w["t2"].pk, w["t3"].pk}
    assert ids(api.get("/api/v1/trips?updated_since=2999-01-01"), "trip") == set()
    Trip.objects.filter(pk=w["t2"].pk).update(updated_at="2001-01-01T00:00:00Z")
    assert w["t2"].pk not in ids(api.get("/api/v1/trips?updated_since=2020-01-01T00:00:00Z"), "trip")
    order = [e["id"] for e in api.get("/api/v1/trips?ordering=-date").json()["results"]]
    assert order == [w["t1"].pk, w["t3"].pk, w["t2"].pk]
    order = [e["id"] for e in api.get("/api/v1/trips?ordering=date").json()["results"]]
    assert order == [w["t2"].pk, w["t3"].pk, w["t1"].pk]


def test_full_text_search(api, world):
    w = world
    assert ids(api.get("/api/v1/trips?q=Tbilisi"), "trip") == {w["t1"].pk}
    assert ids(api.get("/api/v1/trips?q=Petrosyan"), "trip") == {w["t2"].pk}
    assert ids(api.get("/api/v1/meetings?q=Alice"), "meeting") == {w["m1"].pk}
    # evidence quotes, stemmed in the report's language: "pipelines" found by "pipeline"
    fx.evidence(w["t3"], fx.report(language="en"), quote="They discussed new gas pipelines")
    refresh_search_documents(trip_ids=[w["t3"].pk])
    assert ids(api.get("/api/v1/trips?q=pipeline"), "trip") == {w["t3"].pk}
    assert ids(api.get('/api/v1/trips?q="gas pipelines" -oil'), "trip") == {w["t3"].pk}
    # syntax that is not valid tsquery text is harmless
    for nasty in ["'); DROP TABLE visits_trip; --", "a & | ! ( :*", "\\", "%00"]:
        assert api.get("/api/v1/trips", {"q": nasty}).status_code in (200, 400)
    assert Trip.objects.count() == 3


def test_filter_timeline_function_and_filtersets(world):
    trips, meetings = filter_timeline(QueryDict("country=GE&country_role=visited&start=2024"))
    assert set(trips) == {world["t1"]} and set(meetings) == {world["m1"]}
    with pytest.raises(ValidationError) as excinfo:
        filter_timeline(QueryDict("start=2024&bogus=1"))
    assert "bogus" in excinfo.value.detail
    with pytest.raises(ValidationError) as excinfo:
        filter_timeline(QueryDict("start=2025&end=2024"))
    assert "end" in excinfo.value.detail
    assert {"person", "q", "cursor", "format", "count"} <= TIMELINE_PARAMETERS
    fs = TripFilterSet(QueryDict("person=bob-petrosyan"), queryset=Trip.objects.all())
    assert fs.is_valid() and set(fs.qs) == {world["t2"]}
    assert set(MeetingFilterSet.base_filters) == set(TripFilterSet.base_filters)


FILTERED = [
    "/api/v1/timeline?country=GE",
    "/api/v1/timeline?country=FR&country_role=visitor",
    "/api/v1/timeline?country=FR&country_role=host",
    "/api/v1/timeline?country=FR&country_role=visited",
    "/api/v1/timeline?person=alice-martin",
    "/api/v1/timeline?person=alice-martin&person_role=traveller",
    "/api/v1/timeline?organization=mfa-fr",
    "/api/v1/timeline?topic=energy-security&country=GE",
]


@pytest.mark.parametrize("url", FILTERED)
def test_each_plan_of_a_filter_selects_the_same_entries(api, world, monkeypatch, url):
    """A to-many filter is an id set (few candidates) or a per-row probe (many): both are the same filter."""
    from visits.models import timeline

    found = {}
    for plan, estimate in (("id set", 0.0), ("probe", 1e9)):
        monkeypatch.setattr(timeline, "_estimated_rows", lambda queryset, e=estimate: e)
        monkeypatch.setattr(timeline, "_rows_of", lambda model: 1.0)
        found[plan] = ids(api.get(url))
    csv = api.get(url + "&format=csv")  # a whole list: its filters as hashed id sets
    rows = b"".join(csv.streaming_content).decode().splitlines()[1:]
    assert found["id set"] == found["probe"], url
    assert len(rows) == len(found["probe"]) and found["probe"], url
