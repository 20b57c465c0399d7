"""Services for people, organizations and positions, and the starter set loader."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from visits.models import Organization, Person, PersonAlias, Position
from visits.services.people import (
    normalize_name,
    organization_get_or_create,
    person_get_or_create,
    person_update,
    position_upsert,
    transliterate,
)

pytestmark = pytest.mark.django_db


def test_normalize_and_transliterate():
    assert normalize_name("  Salomé   ZOURABICHVILI ") == "salome zourabichvili"
    assert normalize_name("Jean-Noël Barrot") == "jean noel barrot"
    assert normalize_name("Сергей Лавров") == "сергей лавров"
    assert transliterate("Столтенберг") == "Stoltenberg"
    assert transliterate("Гарибашвили") == "Garibashvili"


def test_slugs_are_ascii_and_unique():
    first, created = person_get_or_create(name="Сергей Лавров")
    second, _ = person_get_or_create(name="Sergey Lavrov", country="RU")
    third, _ = person_get_or_create(name="Sergey Lavrov", country="US")  # a namesake serving elsewhere
    assert created
    assert first.slug == "sergey-lavrov"
    assert second.slug == "sergey-lavrov-2"
    assert third != second and third.slug == "sergey-lavrov-3"


def test_get_or_create_is_idempotent_and_adds_aliases():
    person, created = person_get_or_create(name="Nikol Pashinyan", country="AM", aliases=[("Пашинян", "ru")])
    again, created_again = person_get_or_create(
        name="Nikol Pashinyan", aliases=[("Пашинян", "ru"), ("Nikol Pachinian", "fr")]
    )
    assert created and not created_again and again == person
    assert sorted(person.aliases.values_list("name", "language")) == [("Nikol Pachinian", "fr"), ("Пашинян", "ru")]
    assert person.country_id == "AM" and person.sort_name == "Pashinyan, Nikol"


def test_wikidata_id_finds_the_person_whatever_the_name():
    person, _ = person_get_or_create(name="Jens Stoltenberg", wikidata_id="Q57286")
    same, created = person_get_or_create(name="Йенс Столтенберг", language="ru", wikidata_id="Q57286")
    assert same == person and not created
    assert PersonAlias.objects.filter(person=person, name="Йенс Столтенберг", language="ru").exists()


def test_locked_fields_are_never_overwritten():
    person, _ = person_get_or_create(name="Maria Zakharova")
    person.country_id = None
    person.lock("country", "name")
    person.save()
    changed = person_update(person=person, name="Mariya Zakharova", country="RU", wikidata_id="Q4294427")
    person.refresh_from_db()
    assert changed == ["wikidata_id"]
    assert person.name == "Maria Zakharova" and person.country_id is None
    person_get_or_create(name="Maria Zakharova", country="RU")
    person.refresh_from_db()
    assert person.country_id is None


def test_locked_positions_are_left_alone():
    person, _ = person_get_or_create(name="Mark Rutte", country="NL")
    position, created = position_upsert(
        person=person,
        title="Prime Minister",
        country="NL",
        start_date=dt.date(2010, 10, 14),
        end_date=dt.date(2024, 7, 2),
        source="analyst",
        external_id="x:rutte:1",
    )
    person.lock("positions")
    person.save()
    same, created_again = position_upsert(
        person=person,
        title="Prime Minister",
        country="NL",
        start_date=dt.date(2010, 10, 1),
        end_date=None,
        source="wikidata",
        external_id="x:rutte:1",
    )
    position.refresh_from_db()
    assert created and not created_again and same.pk == position.pk
    assert position.start_date == dt.date(2010, 10, 14) and position.source == "analyst"


def test_position_upsert_updates_by_external_id():
    person, _ = person_get_or_create(name="Irakli Kobakhidze", country="GE")
    position_upsert(person=person, title="Prime Minister", country="GE", source="wikidata", external_id="wd:1")
    position, created = position_upsert(
        person=person,
        title="Prime Minister",
        country="GE",
        start_date=dt.date(2024, 2, 8),
        source="wikidata",
        external_id="wd:1",
    )
    assert not created and position.start_date == dt.date(2024, 2, 8)
    assert Position.objects.count() == 1


def test_organization_get_or_create_with_aliases():
    nato = organization_get_or_create(
        name="North Atlantic Treaty Organization",
        abbreviation="NATO",
        kind="intergovernmental",
        aliases=[("OTAN", "fr"), ("НАТО", "ru")],  # noqa: RUF001
    )
    again = organization_get_or_create(name="North Atlantic Treaty Organization", aliases=[("OTAN", "fr")])
    assert again == nato and nato.slug == "nato" and nato.aliases.count() == 2


def test_load_starter_is_idempotent():
    out = StringIO()
    call_command("load_starter", stdout=out)
    counts = (
        Person.objects.count(),
        PersonAlias.objects.count(),
        Position.objects.count(),
        Organization.objects.count(),
    )
    assert "people: " in out.getvalue() and " 0 unchanged" in out.getvalue()
    assert Position.objects.filter(source="starter", external_id__startswith="starter:").count() == counts[2]
    assert Position.objects.filter(external_id="starter:irakli-garibashvili:2", end_date=dt.date(2024, 2, 8)).exists()

    again = StringIO()
    call_command("load_starter", stdout=again)
    assert (
        Person.objects.count(),
        PersonAlias.objects.count(),
        Position.objects.count(),
        Organization.objects.count(),
    ) == counts
    assert f"people: 0 created, 0 updated, {counts[0]} unchanged" in again.getvalue()
    assert f"positions: 0 created, 0 updated, {counts[2]} unchanged" in again.getvalue()


def test_a_name_written_family_name_first_sorts_and_titles_by_it():
    """Chinese, Korean and Vietnamese officials are named family name first, in the world's press too:
    Xi Jinping sorts under Xi and a trip of his is "Xi in Russia", not "Jinping in Russia"."""
    from tests import api_factories as fx
    from visits import titles

    xi, _ = person_get_or_create(name="Xi Jinping", country="CN")
    stoltenberg, _ = person_get_or_create(name="Jens Stoltenberg", country="NO")
    assert (xi.sort_name, stoltenberg.sort_name) == ("Xi, Jinping", "Stoltenberg, Jens")
    assert titles.trip_title(fx.trip(xi, stops=[("RU", ["Moscow"], [])])) == "Xi in Russia"
