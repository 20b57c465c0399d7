# ruff: noqa: RUF001
"""Known officials' names in the cases of Slavic languages, and the words those endings must not
swallow. Sentences written for these tests, in our own words."""

from __future__ import annotations

import datetime as dt

import pytest

from visits.extraction import KnownPerson, MemoryDirectory, extract_report

XI = KnownPerson(1, "Xi Jinping", "CN")
HERZOG = KnownPerson(2, "Isaac Herzog", "IL")
ROSSI = KnownPerson(3, "Agustín Rossi", "AR")
BLINKEN = KnownPerson(4, "Antony Blinken", "US")
DIRECTORY = MemoryDirectory(
    people=[XI, HERZOG, ROSSI, BLINKEN],
    aliases={
        "Си Цзиньпин": XI,
        "Агустин Росси": ROSSI,
        "Ісаак Герцог": HERZOG,
        "Ентоні Блінкен": BLINKEN,
        "Isaac Herzog": HERZOG,
        "Antony Blinken": BLINKEN,
    },
)


def read(text: str, language: str) -> dict:
    return extract_report(text, published=dt.date(2024, 5, 2), language=language, directory=DIRECTORY)


def test_a_foreign_name_pymorphy_does_not_know_is_a_subject_in_the_nominative():
    # pymorphy3 guesses a genitive plural for the unknown "Цзиньпин": a guess is no case
    result = read("Си Цзиньпин прибыл в Москву с государственным визитом.", "ru")
    assert [(t["traveller"]["name"], [s["country"] for s in t["stops"]]) for t in result["trips"]] == [
        ("Xi Jinping", ["RU"])
    ]


def test_a_surname_with_a_case_ending_is_the_known_person():
    result = read("Ентоні Блінкен прибув до Ізраїлю, де зустрівся з президентом Ісааком Герцогом.", "uk")
    names = {p["name"] for m in result["meetings"] for p in m["participants"]}
    assert names == {"Antony Blinken", "Isaac Herzog"}


def test_a_place_is_not_a_surname_with_a_case_ending():
    # "Росси" (a known surname) plus an ending spells "России": the country, not the person
    result = read("Министр иностранных дел России Сергей Лавров прибыл в Пекин.", "ru")
    assert "Agustín Rossi" not in {o["name"] for o in result["officials"]}
    assert [s["country"] for t in result["trips"] for s in t["stops"]] == ["CN"]


@pytest.mark.parametrize(("country", "code"), [("Мали", "ML"), ("Оман", "OM"), ("Чад", "TD"), ("Нигер", "NE")])
def test_russian_names_of_countries_that_are_also_words_are_places_when_capitalised(country, code):
    result = read(f"Сергей Лавров прилетел в {country}.", "ru")
    assert [s["country"] for t in result["trips"] for s in t["stops"]] == [code]


PUTIN = KnownPerson(5, "Vladimir Putin", "RU")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "Vladimir Putin et Xi Jinping ont parlé lundi. Le dirigeant chinois effectue en Russie sa première visite.",
            "fr",
        ),
        ("Vladimir Putin and Xi Jinping spoke on Monday. The Chinese leader arrived in Moscow on Monday.", "en"),
    ],
)
def test_the_leader_of_a_country_is_the_reports_one_official_of_that_country(text, language):
    known = MemoryDirectory(people=[XI, PUTIN])
    result = extract_report(text, published=dt.date(2023, 3, 21), language=language, directory=known)
    assert [(t["traveller"]["name"], [s["country"] for s in t["stops"]]) for t in result["trips"]] == [
        ("Xi Jinping", ["RU"])
    ]


def test_a_leader_with_no_named_official_of_that_country_is_nobody():
    result = extract_report(
        "The Chinese leader arrived in Moscow.", published=dt.date(2023, 3, 21), language="en", directory=DIRECTORY
    )
    assert result["trips"] == [] and result["officials"] == []
