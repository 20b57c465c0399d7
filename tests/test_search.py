"""The stored search documents of trips and meetings (visits.search) and the API's ``q`` filter over them."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from tests import api_factories as fx
from visits.extraction import extract_report
from visits.models import Country, Meeting, PersonAlias, Trip
from visits.search import refresh_search_documents, search_query
from visits.services.directory import DatabaseDirectory
from visits.services.merge import merge_extraction
from visits.services.timeline import fact_update, trip_merge

pytest_plugins = ["tests.api_factories"]

pytestmark = pytest.mark.django_db

FRENCH_QUOTE = "Le ministre est arrivé à Tbilissi pour une visite officielle de deux jours."


def ids(response, kind: str | None = None) -> set:
    assert response.status_code == 200, response.content
    return {(e["type"], e["id"]) if kind is None else e["id"] for e in response.json()["results"]}


@pytest.fixture
def world():
    """A Russian minister (alias in Cyrillic) touring Georgia, a French report, an unrelated meeting."""
    lavrov = fx.person("Sergey Lavrov", slug="sergey-lavrov", code="RU")
    PersonAlias.objects.create(person=lavrov, name="Сергей Лавров", language="ru")
    le_monde = fx.report(publisher="Le Monde", language="fr", title="Article")
    tour = fx.trip(lavrov, when="2024-03-10", stops=[("GE", ["Batumi", "Kutaisi"], [])], title="Tour")
    fx.evidence(tour, le_monde, quote=FRENCH_QUOTE)
    other = fx.trip(fx.person("Anna Berg", code="DE"), when="2024-05", stops=[("FR", ["Lyon"], [])], title="Lyon")
    talks = fx.meeting([(lavrov, False, "RU")], when="2024-03-11", code="GE", city_name="Batumi", title="Talks")
    unrelated = fx.meeting(when="2024-06-01", code="FR", city_name="Paris", title="Summit")
    refresh_search_documents(trip_ids=[tour.pk, other.pk], meeting_ids=[talks.pk])
    return {"tour": tour, "other": other, "talks": talks, "unrelated": unrelated}


def test_q_finds_alias_city_country_and_stemmed_quote(api, world):
    tour, talks = world["tour"].pk, world["talks"].pk
    # a name alias in Cyrillic, for the traveller and for a participant
    assert ids(api.get("/api/v1/trips", {"q": "Лавров"}), "trip") == {tour}
    assert ids(api.get("/api/v1/meetings", {"q": "Лавров"}), "meeting") == {talks}
    assert ids(api.get("/api/v1/timeline", {"q": "Сергей Лавров"})) == {("trip", tour), ("meeting", talks)}
    # a city of a stop (any of them), a meeting's city, a country's name and its name in French
    assert ids(api.get("/api/v1/trips", {"q": "Kutaisi"}), "trip") == {tour}
    assert ids(api.get("/api/v1/meetings", {"q": "batumi"}), "meeting") == {talks}
    assert ids(api.get("/api/v1/trips", {"q": "Georgia"}), "trip") == {tour}
    # a quote word, stemmed with the report's language (French): "visites" finds "visite"
    assert ids(api.get("/api/v1/trips", {"q": "visites officielles"}), "trip") == {tour}
    assert ids(api.get("/api/v1/trips", {"q": '"visite officielle"'}), "trip") == {tour}
    assert ids(api.get("/api/v1/trips", {"q": "visites -Tbilissi"}), "trip") == set()
    # unrelated words find nothing; the other trip is found by its own words
    for words in ("Ouagadougou", "Lavrov Lyon", "pipeline"):
        assert ids(api.get("/api/v1/timeline", {"q": words})) == set(), words
    assert ids(api.get("/api/v1/trips", {"q": "Berg"}), "trip") == {world["other"].pk}


def test_country_names_in_other_languages(api, world):
    Country.objects.filter(code="GE").update(names={"fr": "Géorgie", "ru": "Грузия"})
    assert ids(api.get("/api/v1/trips", {"q": "Грузия"}), "trip") == set()  # not refreshed yet
    refresh_search_documents(trip_ids=[world["tour"].pk])
    assert ids(api.get("/api/v1/trips", {"q": "Грузия"}), "trip") == {world["tour"].pk}
    assert ids(api.get("/api/v1/trips", {"q": "Géorgie"}), "trip") == {world["tour"].pk}


def test_document_is_one_indexed_column_and_query_spans_the_languages(world):
    tour = Trip.objects.get(pk=world["tour"].pk)
    lexemes = str(tour.search_document)
    # 'simple' keeps the words as written; French stems them
    assert "'visite'" in lexemes and "'visit'" in lexemes and "'лавров'" in lexemes and "'kutaisi'" in lexemes
    assert list(Trip.objects.filter(search_document=search_query("visites")).values_list("pk", flat=True)) == [tour.pk]
    # the factories build documents as the services do; rows written behind their back have none
    assert Meeting.objects.get(pk=world["unrelated"].pk).search_document is not None
    assert Trip.objects.create(traveller=tour.traveller, title="Bare").search_document is None


def test_refreshed_after_merge_of_an_extraction(api, caucasus):
    text = (
        "Le 18 mars 2024, le secrétaire général de l'OTAN, Jens Stoltenberg, est arrivé à Tbilissi pour une"
        " visite officielle en Géorgie. Il a rencontré le Premier ministre Irakli Kobakhidze."
    )
    report = fx.report(language="fr", published_date=dt.date(2024, 3, 18), text=text)
    extraction = extract_report(text, published=report.published_date, language="fr", directory=DatabaseDirectory())
    assert ids(api.get("/api/v1/timeline", {"q": "Stoltenberg"})) == set()
    merge_extraction(report, extraction)
    trip = Trip.objects.get(traveller__name="Jens Stoltenberg")
    meeting = Meeting.objects.get(participations__person__name="Irakli Kobakhidze")
    assert ids(api.get("/api/v1/timeline", {"q": "Stoltenberg"})) == {("trip", trip.pk), ("meeting", meeting.pk)}
    assert ids(api.get("/api/v1/trips", {"q": "visites"}), "trip") == {trip.pk}
    assert ids(api.get("/api/v1/meetings", {"q": "Kobakhidze"}), "meeting") == {meeting.pk}


def test_refreshed_after_analyst_edits(api, world):
    tour = world["tour"]
    editor, key = fx.user_with_role("editor")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.patch(f"/api/v1/trips/{tour.pk}", {"title": "Caucasus shuttle diplomacy"}, format="json")
    assert response.status_code == 200, response.content
    assert ids(api.get("/api/v1/trips", {"q": "shuttle"}), "trip") == {tour.pk}
    # the service itself, on a meeting
    fact_update(instance=Meeting.objects.get(pk=world["talks"].pk), data={"city": "Sukhumi"}, user=editor)
    assert ids(api.get("/api/v1/meetings", {"q": "Sukhumi"}), "meeting") == {world["talks"].pk}
    assert ids(api.get("/api/v1/meetings", {"q": "Batumi"}), "meeting") == set()
    # merging another trip brings its cities and quotes into the kept trip's document
    extra = fx.trip(tour.traveller, when="2024-03-10", stops=[("AM", ["Gyumri"], [])], title="Armenia leg")
    trip_merge(keep=tour, other=extra, user=editor)
    assert ids(api.get("/api/v1/trips", {"q": "Gyumri"}), "trip") == {tour.pk}


def test_rebuild_search_command(api, world):
    Trip.objects.update(search_document=None)
    Meeting.objects.update(search_document=None)
    assert ids(api.get("/api/v1/timeline", {"q": "Лавров"})) == set()
    out = StringIO()
    call_command("rebuild_search", stdout=out)
    assert "2 trips, 2 meetings" in out.getvalue()
    assert ids(api.get("/api/v1/timeline", {"q": "Лавров"})) == {
        ("trip", world["tour"].pk),
        ("meeting", world["talks"].pk),
    }
