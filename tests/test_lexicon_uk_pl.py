# ruff: noqa: RUF001  (Ukrainian reports: Cyrillic letters that look Latin are meant)
"""Ukrainian and Polish cue files (uk.json, pl.json) on short reports written for these tests.

The reports are our own words about plausible trips: an arrival in a capital with talks there, a
visit planned for next week, a phone call (no trip, no meeting), a cancelled and a postponed visit.
Names stay as written (in the case the sentence puts them): simplemma gives no nominative for them.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.lexicon_support import check_evidence, counterpart, only_trip
from visits.extraction import extract_report
from visits.extraction.lexicons import load
from visits.extraction.toolkit import toolkit

PUBLISHED = dt.date(2025, 3, 19)  # a Wednesday


def read(text: str, language: str) -> dict:
    result = extract_report(text, published=PUBLISHED, language=language)
    assert result["report"]["reading"] == "full"
    return check_evidence(text, result, required=False)


def stops(trip: dict) -> list[tuple]:
    return [(s["country"], s["status"]) for s in trip["stops"]]


@pytest.mark.parametrize("language", ["uk", "pl"])
def test_cue_files_load_and_use_simplemma(language):
    lexicon = load(language)
    assert lexicon["language"] == language and lexicon["lemmatizer"] == "simplemma"


@pytest.mark.parametrize(
    ("language", "phrase", "code", "city"),
    [
        ("uk", "до Києва", "UA", "Kyiv"),
        ("uk", "у Варшаві", "PL", "Warsaw"),
        ("uk", "з Москви", "RU", "Moscow"),
        ("uk", "до Риму", "IT", "Rome"),
        ("uk", "до Сполучених Штатів", "US", None),
        ("uk", "до Об'єднаних Арабських Еміратів", "AE", None),
        ("pl", "w Kijowie", "UA", "Kyiv"),
        ("pl", "do Pekinu", "CN", "Beijing"),
        ("pl", "z Moskwy", "RU", "Moscow"),
        ("pl", "do Polski", "PL", None),
        ("pl", "do Niemiec", "DE", None),
        ("pl", "w Stanach Zjednoczonych", "US", None),
        ("pl", "do Wielkiej Brytanii", "GB", None),
    ],
)
def test_inflected_places_are_found(language, phrase, code, city):
    kit = toolkit(language)
    tokens = kit.tokenize(phrase)
    (place,) = kit.gazetteer.find(tokens)
    assert (place.place.code, place.place.city) == (code, city)
    assert tokens[place.end - 1].end == len(phrase)  # the whole name, not a part of it


@pytest.mark.parametrize(
    ("language", "phrase", "code"),
    [
        ("uk", "польського", "PL"),
        ("uk", "американська", "US"),
        ("uk", "португальського", "PT"),
        ("pl", "polskim", "PL"),
        ("pl", "amerykańskiej", "US"),
        ("pl", "brytyjskiego", "GB"),
    ],
)
def test_inflected_demonyms(language, phrase, code):
    kit = toolkit(language)
    (place,) = kit.gazetteer.find(kit.tokenize(phrase))
    assert (place.place.kind, place.place.code) == ("demonym", code)


@pytest.mark.parametrize("language", ["uk", "pl"])
def test_no_demonym_for_a_language_of_many_countries(language):
    kit = toolkit(language)
    word = {"uk": "арабських", "pl": "arabskich"}[language]
    assert kit.gazetteer.find(kit.tokenize(word)) == []


# --- Ukrainian ---------------------------------------------------------------------------------


def test_ukrainian_arrival_in_kyiv_with_talks():
    text = (
        "Прем'єр-міністр Польщі Дональд Туск у понеділок прибув до Києва. У Києві він провів переговори "
        "з президентом України Володимиром Зеленським про постачання зброї."
    )
    result = read(text, "uk")
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Дональд Туск"
    assert trip["traveller"]["role"] == "Prime Minister" and trip["traveller"]["country"] == "PL"
    assert stops(trip) == [("UA", "ongoing")]
    assert trip["stops"][0]["city"] == "Kyiv" and trip["stops"][0]["start"] == "2025-03-17"
    (meeting,) = result["meetings"]
    assert meeting["participants"][0]["name"] == "Дональд Туск"
    other = counterpart(meeting, "Зеленським")
    assert (other["role"], other["country"]) == ("President", "UA")
    assert meeting["country"] == "UA" and meeting["status"] == "held" and meeting["kind"] == "talks"
    assert meeting["date"] == "2025-03-17"
    assert "defence-cooperation" in meeting["topics"]


@pytest.mark.parametrize(
    "text",
    [
        "Президент Литви Гітанас Науседа наступного тижня відвідає Варшаву, де планує зустрітися "
        "з президентом Польщі Анджеєм Дудою.",
        "Наступного тижня президент Литви Гітанас Науседа здійснить візит до Варшави, де має намір "
        "зустрітися з президентом Польщі Анджеєм Дудою.",
    ],
)
def test_ukrainian_visit_planned_next_week(text):
    result = read(text, "uk")
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Гітанас Науседа" and trip["traveller"]["country"] == "LT"
    assert stops(trip) == [("PL", "planned")] and trip["stops"][0]["city"] == "Warsaw"
    assert (trip["stops"][0]["start"], trip["stops"][0]["end"]) == ("2025-03-24", "2025-03-30")
    (meeting,) = result["meetings"]
    assert meeting["status"] == "planned" and meeting["country"] == "PL"
    assert counterpart(meeting, "Дудою")["role"] == "President"


@pytest.mark.parametrize(
    "text",
    [
        "Міністр закордонних справ України Андрій Сибіга провів телефонну розмову з міністром "
        "закордонних справ Франції Жаном-Ноелем Барро.",
        "Президент України Володимир Зеленський у режимі відеоконференції обговорив з канцлером "
        "Німеччини Фрідріхом Мерцом ситуацію на фронті.",
    ],
)
def test_ukrainian_remote_contact_is_no_trip_and_no_meeting(text):
    result = read(text, "uk")
    assert result["trips"] == [] and result["meetings"] == []
    assert {o["role"] for o in result["officials"]} <= {"Minister of Foreign Affairs", "President", "Chancellor"}


def test_ukrainian_cancelled_visit():
    result = read("Канцлер Німеччини Фрідріх Мерц скасував запланований візит до Кишинева.", "uk")
    trip = only_trip(result)
    assert trip["traveller"]["role"] == "Chancellor" and trip["traveller"]["country"] == "DE"
    assert stops(trip) == [("MD", "cancelled")]
    assert trip["status"] == "cancelled" and result["meetings"] == []


def test_ukrainian_postponed_visit_gets_next_month():
    text = "Візит прем'єр-міністра Чехії Петра Фіали до Братислави перенесено на наступний місяць."
    trip = only_trip(read(text, "uk"))
    assert stops(trip) == [("SK", "postponed")]
    assert trip["stops"][0]["start"] == "2025-04"


# --- Polish ------------------------------------------------------------------------------------


def test_polish_arrival_in_warsaw_with_talks():
    text = (
        "Prezydent Francji Emmanuel Macron przybył w poniedziałek do Warszawy. W Warszawie przeprowadził "
        "rozmowy z premierem Donaldem Tuskiem o bezpieczeństwie energetycznym."
    )
    result = read(text, "pl")
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Emmanuel Macron" and trip["traveller"]["country"] == "FR"
    assert stops(trip) == [("PL", "ongoing")]
    assert trip["stops"][0]["city"] == "Warsaw" and trip["stops"][0]["start"] == "2025-03-17"
    (meeting,) = result["meetings"]
    assert counterpart(meeting, "Tuskiem")["role"] == "Prime Minister"
    assert meeting["country"] == "PL" and meeting["status"] == "held" and meeting["kind"] == "talks"
    assert meeting["date"] == "2025-03-17"
    assert "energy-security" in meeting["topics"]


@pytest.mark.parametrize(
    "text",
    [
        "Minister spraw zagranicznych Litwy Kęstutis Budrys w przyszłym tygodniu odwiedzi Kijów, gdzie ma "
        "rozmawiać z prezydentem Ukrainy Wołodymyrem Zełenskim.",
        "Minister spraw zagranicznych Litwy Kęstutis Budrys ma w przyszłym tygodniu odwiedzić Kijów, gdzie "
        "planuje rozmowy z prezydentem Ukrainy Wołodymyrem Zełenskim.",
    ],
)
def test_polish_visit_planned_next_week(text):
    result = read(text, "pl")
    trip = only_trip(result)
    assert trip["traveller"]["role"] == "Minister of Foreign Affairs" and trip["traveller"]["country"] == "LT"
    assert stops(trip) == [("UA", "planned")] and trip["stops"][0]["city"] == "Kyiv"
    assert (trip["stops"][0]["start"], trip["stops"][0]["end"]) == ("2025-03-24", "2025-03-30")
    (meeting,) = result["meetings"]
    assert meeting["status"] == "planned" and meeting["country"] == "UA"
    assert counterpart(meeting, "Zełenskim")["role"] == "President"


@pytest.mark.parametrize(
    "text",
    [
        "Premier Donald Tusk odbył rozmowę telefoniczną z kanclerzem Niemiec Friedrichem Merzem.",
        "Prezydent Polski Andrzej Duda rozmawiał w formie wideokonferencji z prezydentem Litwy "
        "Gitanasem Nausėdą o bezpieczeństwie regionu.",
    ],
)
def test_polish_remote_contact_is_no_trip_and_no_meeting(text):
    result = read(text, "pl")
    assert result["trips"] == [] and result["meetings"] == []


def test_polish_cancelled_visit():
    result = read("Sekretarz generalny NATO Mark Rutte odwołał zaplanowaną wizytę w Wilnie.", "pl")
    trip = only_trip(result)
    assert trip["traveller"]["organization"] == "NATO"
    assert stops(trip) == [("LT", "cancelled")] and trip["status"] == "cancelled"


def test_polish_postponed_visit_gets_next_month():
    text = "Wizyta prezydenta Czech Petra Pavla w Bratysławie została przełożona na przyszły miesiąc."
    trip = only_trip(read(text, "pl"))
    assert stops(trip) == [("SK", "postponed")]
    assert trip["stops"][0]["start"] == "2025-04"


def test_polish_reflexive_meeting_verb_is_no_month():
    text = (
        "Premier Danii Mette Frederiksen przyleciała we wtorek do Warszawy. Tego samego dnia spotkała się "
        "z prezydentem Polski Andrzejem Dudą."
    )
    result = read(text, "pl")
    assert stops(only_trip(result)) == [("PL", "ongoing")]
    (meeting,) = result["meetings"]
    assert counterpart(meeting, "Dudą")["country"] == "PL"
    assert meeting["date"] == "2025-03-18"
