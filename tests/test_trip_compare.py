"""The page of one trip and the comparison page, through Django's test client (real database)."""

from __future__ import annotations

import csv
import io

import pytest

from tests import api_factories as f
from visits import titles
from visits.models import Evidence, Trip

pytestmark = pytest.mark.django_db


@pytest.fixture
def tour():
    """Stoltenberg's South Caucasus tour (Baku, Tbilisi, Yerevan), told by two reports that disagree on a date."""
    stoltenberg = f.person("Jens Stoltenberg", slug="jens-stoltenberg", code="NO")
    aliyev = f.person("Ilham Aliyev", slug="ilham-aliyev", code="AZ")
    first = f.report(title="NATO chief tours the Caucasus", publisher="Daily Example")
    second = f.report(title="Stoltenberg in Yerevan", publisher="Other Paper")
    trip = f.trip(
        stoltenberg,
        when="2024-03-17",
        until="2024-03-19",
        stops=[("AZ", ["Baku"], ["energy"]), ("GE", ["Tbilisi"], []), ("AM", ["Yerevan"], ["security"])],
        rep=first,
    )
    Evidence.objects.filter(trip=trip).update(
        claim={"fact": "trip", "status": "completed", "countries": ["AM", "AZ", "GE"], "start": "2024-03-17",
               "end": "2024-03-19", "precision": "day", "published": "2024-03-20"},
        quote="Stoltenberg began a tour of the South Caucasus in Baku",
    )  # fmt: skip
    f.evidence(
        trip,
        second,
        quote="the Secretary General arrived in Yerevan on Tuesday",
        claim={"fact": "trip", "status": "completed", "countries": ["AM"], "start": "2024-03-18",
               "end": "2024-03-20", "precision": "day", "published": "2024-03-21"},
    )  # fmt: skip
    baku = trip.stops.get(country_id="AZ")
    talks = f.meeting(
        [(aliyev, True, "AZ"), (stoltenberg, False, None)],
        when="2024-03-17",
        code="AZ",
        city_name="Baku",
        topics=["energy"],
        title="",
        rep=first,
        kind="talks",
        trip=trip,
        stop=baku,
    )
    Trip.objects.filter(pk=trip.pk).update(title="")
    trip.refresh_from_db()
    return {"trip": trip, "talks": talks, "stoltenberg": stoltenberg, "aliyev": aliyev, "first": first}


# --- Titles ---------------------------------------------------------------------------------------


def test_titles_are_written_for_people(tour):
    assert titles.trip_title(tour["trip"]) == "Stoltenberg in Azerbaijan, Georgia and Armenia"
    assert titles.meeting_title(tour["talks"]) == "Aliyev and Stoltenberg: talks in Baku"


def test_titles_follow_the_language(tour):
    from django.utils import translation

    with translation.override("fr"):
        title = titles.trip_title(tour["trip"])
    assert "Azerbaïdjan, Géorgie et Arménie" in title


def test_an_analysts_title_is_kept(tour):
    trip = tour["trip"]
    trip.title = "The Caucasus tour"
    trip.lock("title")
    assert titles.trip_title(trip) == "The Caucasus tour"


def test_surnames():
    class P:
        def __init__(self, name, sort_name=""):
            self.name, self.sort_name = name, sort_name

    assert titles.surname(P("Ursula von der Leyen")) == "von der Leyen"
    assert titles.surname(P("Xi Jinping", "Xi, Jinping")) == "Xi"


# --- The trip page ------------------------------------------------------------------------------


def test_trip_page_shows_stops_in_order_with_meetings_and_quotes(client, tour):
    response = client.get(f"/trips/{tour['trip'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="trip-heading">Stoltenberg in Azerbaijan, Georgia and Armenia</h1>' in html
    stops = html[html.index('id="stops-heading"') :]
    assert stops.index("Baku") < stops.index("Tbilisi") < stops.index("Yerevan")
    assert "Aliyev and Stoltenberg: talks in Baku" in stops
    assert "Stoltenberg began a tour of the South Caucasus in Baku" in html
    assert f'href="{tour["first"].url}"' in html


def test_trip_page_draws_the_route(client, tour):
    html = client.get(f"/trips/{tour['trip'].pk}/").content.decode()
    svg = html[html.index('<svg class="world route"') : html.index("</svg>")]
    points = svg.split('<polyline class="route-line" points="')[1].split('"')[0].split()
    assert len(points) == 3  # Baku, Tbilisi, Yerevan
    xs = [float(p.split(",")[0]) for p in points]
    assert xs[0] > xs[1]  # Baku lies east of Tbilisi
    assert "1. Baku" in svg and "3. Yerevan" in svg
    assert 'data-code="AZ"' in svg and 'class="country visited"' in svg


def test_trip_page_shows_disagreements_history_and_merging(client, tour):
    trip = tour["trip"]
    trip.status = "planned"
    trip.save()
    trip.status = "completed"
    trip.save()
    html = client.get(f"/trips/{trip.pk}/").content.decode()
    disagreements = html[html.index('id="disagreements-heading"') : html.index('id="merging-heading"')]
    assert "<code>start</code>" in disagreements and "2024-03-17" in disagreements and "2024-03-18" in disagreements
    assert "Other Paper" in disagreements
    assert "<code>status</code>" not in disagreements  # both say completed
    history = html[html.index('id="history-heading"') : html.index('id="disagreements-heading"')]
    assert history.index("Planned") < history.rindex("Completed")
    merging = html[html.index('id="merging-heading"') :]
    assert "the first report of this trip" in merging
    assert "both name Armenia" in merging and "their dates overlap" in merging


def test_trip_page_unknown_is_404(client, db):
    assert client.get("/trips/999999/").status_code == 404


def test_timeline_cards_link_to_the_trip_page(client, tour):
    assert f'href="/trips/{tour["trip"].pk}/"' in client.get("/").content.decode()


# --- Comparison ---------------------------------------------------------------------------------


@pytest.fixture
def two_officials(tour):
    """Stoltenberg (2024 tour, 2023 trip to Armenia) and Lavrov (two trips to Armenia), both met Pashinyan."""
    stoltenberg = tour["stoltenberg"]
    lavrov = f.person("Sergey Lavrov", slug="sergey-lavrov", code="RU")
    pashinyan = f.person("Nikol Pashinyan", slug="nikol-pashinyan", code="AM")
    f.trip(stoltenberg, when="2023-05-02", stops=[("AM", ["Yerevan"], ["security"])])
    for when in ("2023-01-10", "2024-06-01"):
        trip = f.trip(lavrov, when=when, stops=[("AM", ["Yerevan"], ["energy"])])
        f.meeting([(pashinyan, True, "AM"), (lavrov, False, "RU")], when=when, code="AM", city_name="Yerevan",
                  trip=trip, topics=["energy"])  # fmt: skip
    f.meeting([(pashinyan, True, "AM"), (stoltenberg, False, None)], when="2023-05-02", code="AM",
              city_name="Yerevan", topics=["security"])  # fmt: skip
    return {"stoltenberg": stoltenberg, "lavrov": lavrov, "pashinyan": pashinyan}


def test_compare_two_officials_counts_per_year(client, two_officials):
    response = client.get("/compare/?person=jens-stoltenberg&person=sergey-lavrov&format=json")
    assert response.status_code == 200
    data = response.json()
    stoltenberg, lavrov = data["sides"]
    assert [s["key"] for s in data["sides"]] == ["jens-stoltenberg", "sergey-lavrov"]
    assert data["years"] == [2023, 2024]
    assert {y["year"]: (y["trips"], y["visits"]) for y in stoltenberg["years"]} == {2023: (1, 1), 2024: (1, 3)}
    assert {y["year"]: (y["trips"], y["visits"], y["meetings"]) for y in lavrov["years"]} == {
        2023: (1, 1, 1),
        2024: (1, 1, 1),
    }
    assert [c["slug"] for c in data["counterparts_in_common"]] == ["nikol-pashinyan"]
    assert data["counterparts_in_common"][0]["counts"] == [1, 2]
    assert lavrov["topics"] == [{"slug": "energy", "name": "Energy", "n": 4, "share": 1.0, "percent": 100}]


def test_compare_to_one_destination(client, two_officials):
    data = client.get("/compare/?person=jens-stoltenberg&person=sergey-lavrov&to=AM&format=json").json()
    assert [s["totals"]["trips"] for s in data["sides"]] == [2, 2]
    assert [s["totals"]["visits"] for s in data["sides"]] == [2, 2]


def test_compare_countries_as_visitors(client, two_officials):
    data = client.get("/compare/?country=RU&country=NO&to=AM&format=json").json()
    assert [(s["key"], s["totals"]["trips"]) for s in data["sides"]] == [("RU", 2), ("NO", 2)]


def test_compare_page_shows_lanes_and_common_counterparts(client, two_officials):
    html = client.get("/compare/?person=jens-stoltenberg&person=sergey-lavrov").content.decode()
    assert 'class="chart-svg lanes-chart"' in html
    assert html.count('class="lane-bars') == 2
    common = html[html.index('id="common-heading"') :]
    assert "Nikol Pashinyan" in common[: common.index("</table>")]
    table = html[html.index('class="data per-year"') :]
    assert '<th scope="row">2023</th><td>1</td><td>1</td><td>1</td><td>1</td><td>1</td><td>1</td>' in table
    assert "format=csv" in html and "format=json" in html


def test_compare_csv_is_the_same_view(client, two_officials):
    response = client.get("/compare/?person=jens-stoltenberg&person=sergey-lavrov&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    visits = {(r["side"], r["key"]): r["value"] for r in rows if r["section"] == "year" and r["measure"] == "visits"}
    assert visits[("jens-stoltenberg", "2024")] == "3" and visits[("sergey-lavrov", "2023")] == "1"
    common = [r for r in rows if r["section"] == "in-common"]
    assert {(r["side"], r["value"]) for r in common} == {("jens-stoltenberg", "1"), ("sergey-lavrov", "2")}


def test_compare_unknown_side_is_400(client, db):
    assert client.get("/compare/?person=nobody").status_code == 400
    assert client.get("/compare/?person=nobody&format=json").json()["errors"]["person"]


def test_person_and_country_pages_link_to_compare(client, two_officials):
    assert 'href="/compare/?person=sergey-lavrov"' in client.get("/people/sergey-lavrov/").content.decode()
    assert 'href="/compare/?country=AM"' in client.get("/countries/AM/").content.decode()
