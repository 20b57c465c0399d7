"""DatabaseDirectory over the starter set: names as reports write them, and who held what when."""

import datetime as dt

import pytest
from django.db import transaction

from visits.extraction.directory import Directory, KnownPerson
from visits.models import Person
from visits.services.directory import DatabaseDirectory, title_variants
from visits.services.people import person_get_or_create, phonetic_key, position_upsert
from visits.starter import load_officials

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def starter(django_db_setup, django_db_blocker):
    """The starter set, loaded once for this module inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_officials()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def directory(starter, db) -> DatabaseDirectory:
    return DatabaseDirectory()


def name_of(directory: DatabaseDirectory, mention: str, language: str | None = None) -> str | None:
    person = directory.find_person(mention, language)
    return person.name if person else None


def test_implements_the_extraction_protocol(directory):
    assert isinstance(directory, Directory)


def test_exact_name_ignores_case_and_accents(directory):
    person = directory.find_person("antonio GUTERRES")
    assert person == KnownPerson(
        id=Person.objects.get(name="António Guterres").pk, name="António Guterres", country="PT"
    )
    assert name_of(directory, "Salome Zourabichvili") == "Salome Zourabichvili"


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("Ираклий Гарибашвили", "Irakli Garibashvili"),  # alias in another script
        ("Сергей Лавров", "Sergey Lavrov"),
        ("Salomé Zourabichvili", "Salome Zourabichvili"),
        ("НАТО", None),  # noqa: RUF001 - an organization is nobody
    ],
)
def test_alias_in_another_script(directory, mention, expected):
    assert name_of(directory, mention, "ru") == expected


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("Йенс Столтенберг", "Jens Stoltenberg"),
        ("Столтенберг", "Jens Stoltenberg"),  # surname only, Cyrillic, no such alias
        ("Гарибашвили", "Irakli Garibashvili"),
        ("Irakli Garibachvili", "Irakli Garibashvili"),
        ("Irakli Garibaschwili", "Irakli Garibashvili"),
        ("Nikol Pachinian", "Nikol Pashinyan"),
        ("Nikol Paschinian", "Nikol Pashinyan"),  # no such alias: spelling folded
        ("Никол Пашинян", "Nikol Pashinyan"),
        ("Ilkham Aliyev", "Ilham Aliyev"),
        ("Mariya Zakharova", "Maria Zakharova"),
    ],
)
def test_transliteration_and_spelling_conventions(directory, mention, expected):
    assert name_of(directory, mention) == expected


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("Volodymyr Zelenskiy", "Volodymyr Zelenskyy"),
        ("Wolodimir Selenski", "Volodymyr Zelenskyy"),
        ("Salome Zurabichwili", "Salome Zourabichvili"),
        ("Jens Stoltenburg", "Jens Stoltenberg"),
        ("Anthony Blinken", "Antony Blinken"),
        ("Aliyev Ilham", "Ilham Aliyev"),  # surname first
        ("Jens Rutte", None),  # surname matches, given name does not
        ("Irakli Garibaldi", None),
    ],
)
def test_fuzzy_variants(directory, mention, expected):
    assert name_of(directory, mention) == expected


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("M. Stoltenberg", "Jens Stoltenberg"),
        ("Garibachvili", "Irakli Garibashvili"),
        ("Stoltenberg", "Jens Stoltenberg"),
        ("von der Leyen", "Ursula von der Leyen"),
        ("J. Stoltenberg", "Jens Stoltenberg"),
        ("K. Stoltenberg", None),  # the initial rules the only Stoltenberg out
        ("Irakli", None),  # a given name is not a surname
        ("Smith", None),
    ],
)
def test_surname_only_resolves_when_unique(directory, mention, expected):
    assert name_of(directory, mention) == expected


def test_surname_shared_by_two_people_stays_unresolved(directory):
    thorvald, _ = person_get_or_create(name="Thorvald Stoltenberg", country="NO")
    position_upsert(
        person=thorvald,
        title="Minister of Foreign Affairs",
        country="NO",
        start_date=dt.date(1990, 11, 3),
        end_date=dt.date(1993, 4, 2),
        source="starter",
    )
    fresh = DatabaseDirectory()
    assert fresh.find_person("Stoltenberg") is None
    assert fresh.find_person("M. Stoltenberg") is None
    assert fresh.find_person("Столтенберг") is None
    assert name_of(fresh, "Jens Stoltenberg") == "Jens Stoltenberg"
    assert name_of(fresh, "T. Stoltenberg") == "Thorvald Stoltenberg"


def test_holders_on_a_date(directory):
    on_2024 = directory.holders("Prime Minister", country="GE", on=dt.date(2024, 3, 18))
    on_2023 = directory.holders("prime minister", country="ge", on=dt.date(2023, 3, 18))
    assert [p.person.name for p in on_2024] == ["Irakli Kobakhidze"]
    assert [p.person.name for p in on_2023] == ["Irakli Garibashvili"]
    assert on_2023[0].start == dt.date(2021, 2, 22) and on_2023[0].end == dt.date(2024, 2, 8)


@pytest.mark.parametrize(
    ("title", "kwargs", "day", "expected"),
    [
        ("Secretary-General", {"organization": "NATO"}, dt.date(2023, 6, 1), "Jens Stoltenberg"),
        ("Secretary General", {"organization": "OTAN"}, dt.date(2024, 10, 2), "Mark Rutte"),
        ("secretary general", {"organization": "United Nations"}, dt.date(2024, 1, 1), "António Guterres"),
        ("Foreign Minister", {"country": "RU"}, dt.date(2022, 2, 1), "Sergey Lavrov"),
        ("Foreign Minister", {"country": "US"}, dt.date(2022, 2, 1), "Antony Blinken"),
        ("Foreign Secretary", {"country": "GB"}, dt.date(2024, 1, 1), "David Cameron"),
        ("President", {"organization": "Commission européenne"}, dt.date(2022, 1, 1), "Ursula von der Leyen"),
        ("spokeswoman", {"organization": "MFA of Russia"}, dt.date(2023, 1, 1), "Maria Zakharova"),
    ],
)
def test_holders_accepts_synonyms_and_organization_aliases(directory, title, kwargs, day, expected):
    assert [p.person.name for p in directory.holders(title, on=day, **kwargs)] == [expected]


def test_holders_of_an_organization_report_its_abbreviation(directory):
    (position,) = directory.holders("Secretary General", organization="nato", on=dt.date(2020, 1, 1))
    assert position.organization == "NATO"
    assert position.country is None


def test_positions_of(directory):
    rutte = directory.find_person("Mark Rutte")
    titles = [(p.title, p.country, p.organization) for p in directory.positions_of(rutte)]
    assert titles == [("Prime Minister", "NL", None), ("Secretary General", None, "NATO")]
    assert [p.title for p in directory.positions_of(rutte, on=dt.date(2024, 8, 1))] == []
    assert [p.organization for p in directory.positions_of(rutte, on=dt.date(2025, 1, 1))] == ["NATO"]
    assert directory.positions_of(KnownPerson(id=None, name="Nobody")) == []


def test_resolving_fifty_names_costs_two_queries(directory, django_assert_max_num_queries):
    names = [
        "Stoltenberg",
        "Ираклий Гарибашвили",
        "Nikol Pachinian",
        "Wolodymyr Selenskyj",
        "Smith",
        "Mariya Zakharova",
        "Anthony Blinken",
        "M. Rutte",
        "Irakli Kobakhidze",
        "Unknown Person",
    ] * 5
    fresh = DatabaseDirectory()
    with django_assert_max_num_queries(2):
        found = [fresh.find_person(name) for name in names]
    assert sum(person is not None for person in found) == 40


def test_title_variants_are_symmetric():
    assert "minister of foreign affairs" in title_variants("Foreign Minister")
    assert "secretary of state" in title_variants("Minister of Foreign Affairs", "US")
    assert "secretary of state" not in title_variants("Minister of Foreign Affairs", "GB")


def test_phonetic_key_folds_spelling_conventions():
    assert phonetic_key("Garibachvili") == phonetic_key("Garibaschwili") == phonetic_key("Гарибашвили")
    assert phonetic_key("Pachinian") == phonetic_key("Paschinjan") == phonetic_key("Пашинян")
