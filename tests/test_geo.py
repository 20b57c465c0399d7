"""The country/city registry: ISO countries with CLDR names, GeoNames cities, capitals, HSG slugs."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from lxml import etree

from tests.conftest import HSG_FIXTURES, hsg_datasets
from visits.geo import HSG_COUNTRY_SLUGS, capital_coordinates, ensure_countries, load_places
from visits.models import City, Country


@pytest.fixture(scope="module")
def places(django_db_setup, django_db_blocker):
    """load_places run twice in one transaction that is rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        first = load_places()
        second = load_places()
        yield first, second
        transaction.set_rollback(True)


@pytest.mark.slow
@pytest.mark.django_db
def test_load_places_counts_and_idempotency(places):
    first, second = places
    assert first["countries_created"] == Country.objects.count() == 255  # 249 ISO + XK + 5 historical
    assert first["cities_created"] > 30000
    assert first["capitals_set"] > 240
    assert second["countries_created"] == second["countries_updated"] == 0
    assert second["cities_created"] == second["cities_updated"] == 0
    assert second["cities_unchanged"] == City.objects.count()


@pytest.mark.slow
@pytest.mark.django_db
def test_countries_names_and_capitals(places):
    georgia = Country.objects.get(code="GE")
    assert georgia.name == "Georgia"
    assert georgia.names["fr"] == "Géorgie"
    assert georgia.names["ru"] == "Грузия"
    assert {"en", "de", "es", "uk", "pl", "ar", "zh", "ja", "tr", "ka", "hy"} <= set(georgia.names)
    armenia = Country.objects.select_related("capital").get(code="AM")
    assert armenia.capital.name == "Yerevan"
    assert armenia.capital.latitude == pytest.approx(40.18, abs=0.05)
    assert armenia.capital.longitude == pytest.approx(44.51, abs=0.05)
    assert capital_coordinates("am") == (armenia.capital.latitude, armenia.capital.longitude)
    assert Country.objects.get(code="XK").capital.name == "Pristina"
    batumi = City.objects.get(name="Batumi", country="GE")
    assert "Батуми" in batumi.alternate_names and len(batumi.alternate_names) <= 20


@pytest.mark.slow
@pytest.mark.django_db
def test_historical_states(places):
    soviet = Country.objects.select_related("capital").get(code="SU")
    assert soviet.historical and soviet.successor_codes[0] == "RU"
    assert soviet.capital.name == "Moscow"
    assert soviet.names["de"].startswith("UdSSR")
    expected = {"CS": "Prague", "YU": "Belgrade", "DD": "Berlin", "AN": "Willemstad"}
    for code, capital in expected.items():
        country = Country.objects.select_related("capital").get(code=code)
        assert country.historical and country.capital.name == capital
    assert Country.objects.get(code="CS").name == "Czechoslovakia"
    assert not Country.objects.get(code="PS").historical


@pytest.mark.django_db
def test_ensure_countries_is_cheap_and_idempotent():
    cities = City.objects.count()
    ensure_countries()
    assert Country.objects.count() == 255
    assert Country.objects.filter(code__in=["US", "XK", "SU", "DD"]).count() == 4
    assert ensure_countries() == 0
    assert City.objects.count() == cities


@pytest.mark.django_db
def test_capital_coordinates_without_cities_falls_back_to_geonames():
    ensure_countries()
    lat, lon = capital_coordinates("GE")
    assert lat == pytest.approx(41.69, abs=0.05) and lon == pytest.approx(44.83, abs=0.05)
    assert capital_coordinates("ZZ") is None


def test_hsg_slugs_examples():
    expected = {
        "united-kingdom": "GB", "korea-south": "KR", "korea-north": "KP", "czechoslovakia": "CS",
        "kosovo": "XK", "russia": "RU", "soviet-union": "SU", "yugoslavia": "YU",
        "german-democratic-republic": "DD", "netherlands-antilles": "AN", "palestinian-authority": "PS",
        "vatican-city": "VA", "holy-see": "VA", "burma": "MM", "cote-divoire": "CI", "cape-verde": "CV",
        "congo-kinshasa": "CD", "congo-republic": "CG", "antigua-barbuda": "AG", "turkey": "TR",
    }  # fmt: skip
    assert {slug: HSG_COUNTRY_SLUGS.get(slug) for slug in expected} == expected


@pytest.mark.parametrize("hsg", hsg_datasets())
def test_every_slug_of_the_data_is_mapped(hsg: Path):
    slugs = set()
    for path in [*hsg.glob("travels/*-travels/*.xml"), *hsg.glob("visits/*.xml")]:
        slugs |= {e.get("id") for e in etree.parse(str(path)).iter("country", "from")}
    assert len(slugs) > (10 if hsg == HSG_FIXTURES else 200)
    assert sorted(s for s in slugs if s not in HSG_COUNTRY_SLUGS) == []


@pytest.mark.django_db
def test_load_places_command_prints_counts(capsys):
    call_command("load_places", "--min-population", "5000000")
    out = capsys.readouterr().out
    assert "countries_created=" in out and "cities_unchanged=" in out and "capitals_set=" in out
    assert City.objects.filter(name="Moscow").exists()
