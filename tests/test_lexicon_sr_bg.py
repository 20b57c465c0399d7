# ruff: noqa: RUF001  (Serbian and Bulgarian reports: Cyrillic letters that look Latin are meant)
"""Serbian and Bulgarian cue files (sr.json, bg.json) on short reports written for these tests.

Serbian news are written in Latin and in Cyrillic script: sr.json holds every cue in both, and each
Serbian report below is read in both scripts. The reports are our own words about plausible trips: an
arrival in a capital with talks there, a visit planned for next week, a phone call or video link (no
trip, no meeting), a cancelled and a postponed visit. Names stay as written (in the case the sentence
puts them): no lemmatizer gives their nominative.

Serbian has no lemmatizer, so the gazetteer only knows the inflected place names sr.json lists, and a
city's inflected form ("u Kijevu") gives its country, not the city (the cue file cannot tie an inflected
form to a GeoNames city). CLDR gives Serbian month and weekday names in Cyrillic only, so a Latin
"u ponedeljak" or "15. marta" is no date: the Latin reports below assert no day.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.lexicon_support import check_evidence, counterpart, only_trip
from visits.extraction import extract_report, supported_languages
from visits.extraction.lexicons import load
from visits.extraction.toolkit import toolkit

PUBLISHED = dt.date(2025, 3, 19)  # a Wednesday: Monday is 2025-03-17, next week 24-30 March


def read(text: str, language: str) -> dict:
    result = extract_report(text, published=PUBLISHED, language=language)
    assert result["report"]["reading"] == "full"
    return check_evidence(text, result)


def stops(trip: dict) -> list[tuple]:
    return [(s["country"], s["status"]) for s in trip["stops"]]


@pytest.mark.parametrize(("language", "lemmatizer"), [("sr", "none"), ("bg", "simplemma")])
def test_cue_files_load_as_full_languages(language, lemmatizer):
    lexicon = load(language)
    assert lexicon["language"] == language and lexicon["lemmatizer"] == lemmatizer
    assert language in supported_languages() and not lexicon.get("generic")


@pytest.mark.parametrize(
    ("language", "phrase", "code", "city"),
    [
        ("sr", "u Kijevu", "UA", None),  # inflected: the country only
        ("sr", "у Кијеву", "UA", None),
        ("sr", "u Moskvi", "RU", None),
        ("sr", "из Москве", "RU", None),
        ("sr", "do Pekinga", "CN", None),
        ("sr", "iz Brisela", "BE", None),
        ("sr", "у Вашингтону", "US", None),
        ("sr", "u Atini", "GR", None),
        ("sr", "у Анкари", "TR", None),
        ("sr", "u Parizu", "FR", None),
        ("sr", "у Берлину", "DE", None),
        ("sr", "Beograd", "RS", "Belgrade"),  # Latin nominatives GeoNames lists keep their city
        ("sr", "Kijev", "UA", "Kyiv"),
        ("sr", "Кијев", "UA", "Kyiv"),
        ("sr", "u Francuskoj", "FR", None),
        ("sr", "Немачке", "DE", None),
        ("sr", "SAD-a", "US", None),
        ("sr", "u Sjedinjenim Državama", "US", None),
        ("sr", "Велике Британије", "GB", None),
        ("sr", "Crne Gore", "ME", None),
        ("sr", "Bosne i Hercegovine", "BA", None),
        ("bg", "в Киев", "UA", "Kyiv"),
        ("bg", "в Москва", "RU", "Moscow"),
        ("bg", "в Пекин", "CN", "Beijing"),
        ("bg", "във Вашингтон", "US", "Washington"),
        ("bg", "в Брюксел", "BE", "Brussels"),
        ("bg", "в Атина", "GR", "Athens"),
        ("bg", "в Анкара", "TR", "Ankara"),
        ("bg", "в Париж", "FR", "Paris"),
        ("bg", "в Берлин", "DE", "Berlin"),
        ("bg", "в Рим", "IT", "Rome"),
        ("bg", "в САЩ", "US", None),
        ("bg", "във Великобритания", "GB", None),
        ("bg", "в Руската федерация", "RU", None),
    ],
)
def test_places_after_prepositions(language, phrase, code, city):
    kit = toolkit(language)
    tokens = kit.tokenize(phrase)
    (place,) = kit.gazetteer.find(tokens)
    assert (place.place.code, place.place.city) == (code, city)
    assert tokens[place.end - 1].end == len(phrase)  # the whole name, not a part of it


@pytest.mark.parametrize(
    ("language", "word", "code"),
    [
        ("sr", "ruskog", "RU"),
        ("sr", "руског", "RU"),
        ("sr", "srpske", "RS"),
        ("sr", "америчког", "US"),
        ("sr", "francuskim", "FR"),
        ("sr", "britanskoj", "GB"),
        ("bg", "американския", "US"),
        ("bg", "сръбския", "RS"),
        ("bg", "руската", "RU"),
        ("bg", "британския", "GB"),
    ],
)
def test_inflected_demonyms(language, word, code):
    kit = toolkit(language)
    (place,) = kit.gazetteer.find(kit.tokenize(word))
    assert (place.place.kind, place.place.code) == ("demonym", code)


@pytest.mark.parametrize(("language", "word"), [("sr", "arapskih"), ("sr", "арапских"), ("bg", "арабските")])
def test_no_demonym_for_a_language_of_many_countries(language, word):
    kit = toolkit(language)
    assert kit.gazetteer.find(kit.tokenize(word)) == []


def test_serbian_cyrillic_dates_with_case_endings():
    kit = toolkit("sr")
    found = kit.dates.find(kit.tokenize("15. марта, у јулу и у среду"))
    assert [(d.kind, d.month, d.day, d.weekday) for d in found] == [
        ("date", 3, 15, None),
        ("month", 7, None, None),
        ("weekday", None, None, 2),
    ]


# --- Serbian -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        (
            "Predsednik Francuske Emanuel Makron doputovao je u ponedeljak u Beograd. U Beogradu je "
            "razgovarao sa predsednikom Srbije Aleksandrom Vučićem o energetskoj bezbednosti.",
            "2025-03-17",  # weekday names in both alphabets (CLDR sr and sr_Latn)
        ),
        (
            "Председник Француске Емануел Макрон допутовао је у понедељак у Београд. У Београду је "
            "разговарао са председником Србије Александром Вучићем о енергетској безбедности.",
            "2025-03-17",
        ),
    ],
)
def test_serbian_arrival_in_belgrade_with_talks(text, day):
    result = read(text, "sr")
    trip = only_trip(result)
    assert trip["traveller"]["name"] in ("Emanuel Makron", "Емануел Макрон")
    assert (trip["traveller"]["role"], trip["traveller"]["country"]) == ("President", "FR")
    assert stops(trip) == [("RS", "ongoing")] and trip["stops"][0]["city"] == "Belgrade"
    assert trip["stops"][0]["start"] == day
    (meeting,) = result["meetings"]
    other = counterpart(meeting, "Vučićem" if "Vučić" in text else "Вучићем")
    assert (other["role"], other["country"]) == ("President", "RS")
    assert meeting["country"] == "RS" and meeting["status"] == "held" and meeting["kind"] == "talks"
    assert meeting["date"] == day
    assert "energy-security" in meeting["topics"]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (
            "Ministar spoljnih poslova Mađarske Peter Sijarto posetiće sledeće nedelje Beograd, gde će se "
            "sastati sa predsednikom Srbije Aleksandrom Vučićem.",
            "Vučićem",
        ),
        (
            "Министар спољних послова Мађарске Петер Сијарто следеће недеље ће посетити Београд, где "
            "планира састанак са председником Србије Александром Вучићем.",
            "Вучићем",
        ),
    ],
)
def test_serbian_visit_planned_next_week(text, written):
    result = read(text, "sr")
    trip = only_trip(result)
    traveller = trip["traveller"]
    assert (traveller["role"], traveller["country"]) == ("Minister of Foreign Affairs", "HU")
    assert stops(trip) == [("RS", "planned")] and trip["stops"][0]["city"] == "Belgrade"
    assert (trip["stops"][0]["start"], trip["stops"][0]["end"]) == ("2025-03-24", "2025-03-30")
    (meeting,) = result["meetings"]
    assert meeting["status"] == "planned" and meeting["country"] == "RS"
    assert counterpart(meeting, written)["role"] == "President"


@pytest.mark.parametrize(
    "text",
    [
        "Predsednik Srbije Aleksandar Vučić razgovarao je telefonom sa predsednikom Rusije Vladimirom Putinom.",
        "Председник Србије Александар Вучић обавио је телефонски разговор са председником Кине Си Ђинпингом.",
        "Premijer Srbije Đuro Macut i kancelar Nemačke Fridrih Merc razgovarali su putem video-veze o "
        "evropskim integracijama.",
    ],
)
def test_serbian_remote_contact_is_no_trip_and_no_meeting(text):
    result = read(text, "sr")
    assert result["trips"] == [] and result["meetings"] == []
    assert {o["role"] for o in result["officials"]} <= {"President", "Prime Minister", "Chancellor"}


@pytest.mark.parametrize(
    "text",
    [
        "Premijer Grčke Kirijakos Micotakis otkazao je planiranu posetu Beogradu.",
        "Премијер Грчке Кирјакос Мицотакис отказао је планирану посету Београду.",
    ],
)
def test_serbian_cancelled_visit(text):
    result = read(text, "sr")
    trip = only_trip(result)
    assert (trip["traveller"]["role"], trip["traveller"]["country"]) == ("Prime Minister", "GR")
    assert stops(trip) == [("RS", "cancelled")]
    assert trip["status"] == "cancelled" and result["meetings"] == []


@pytest.mark.parametrize(
    "text",
    [
        "Generalni sekretar NATO Mark Rute odložio je posetu Sarajevu za sledeći mesec.",
        "Генерални секретар НАТО Марк Руте одложио је посету Сарајеву за следећи месец.",
    ],
)
def test_serbian_postponed_visit_gets_next_month(text):
    trip = only_trip(read(text, "sr"))
    assert trip["traveller"]["organization"] == "NATO"
    assert stops(trip) == [("BA", "postponed")]
    assert trip["stops"][0]["start"] == "2025-04"


def test_serbian_phone_call_words_do_not_stop_a_later_visit():
    text = (
        "Predsednik Vučić je prošle nedelje razgovarao telefonom sa Makronom. Predsednik Francuske "
        "Emanuel Makron posetiće Srbiju u aprilu."
    )
    trip = only_trip(read(text, "sr"))
    assert trip["traveller"]["name"] == "Emanuel Makron" and stops(trip) == [("RS", "planned")]


# --- Bulgarian ---------------------------------------------------------------------------------


def test_bulgarian_arrival_in_sofia_with_talks():
    text = (
        "Президентът на Франция Еманюел Макрон пристигна в понеделник в София. В София той проведе "
        "разговори с президента Румен Радев за енергийната сигурност."
    )
    result = read(text, "bg")
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Еманюел Макрон"
    assert (trip["traveller"]["role"], trip["traveller"]["country"]) == ("President", "FR")
    assert stops(trip) == [("BG", "ongoing")]
    assert trip["stops"][0]["city"] == "Sofia" and trip["stops"][0]["start"] == "2025-03-17"
    (meeting,) = result["meetings"]
    assert counterpart(meeting, "Радев")["role"] == "President"
    assert meeting["country"] == "BG" and meeting["status"] == "held" and meeting["kind"] == "talks"
    assert meeting["date"] == "2025-03-17"
    assert "energy-security" in meeting["topics"]


@pytest.mark.parametrize(
    "text",
    [
        "Министър-председателят на Гърция Кириакос Мицотакис ще посети Скопие следващата седмица, където "
        "ще се срещне с премиера на Северна Македония Християн Мицкоски.",
        "Следващата седмица гръцкият премиер Кириакос Мицотакис ще бъде на посещение в Скопие, където се "
        "очаква среща с премиера на Северна Македония Християн Мицкоски.",
    ],
)
def test_bulgarian_visit_planned_next_week(text):
    result = read(text, "bg")
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Кириакос Мицотакис"
    assert (trip["traveller"]["role"], trip["traveller"]["country"]) == ("Prime Minister", "GR")
    assert stops(trip) == [("MK", "planned")] and trip["stops"][0]["city"] == "Skopje"
    assert (trip["stops"][0]["start"], trip["stops"][0]["end"]) == ("2025-03-24", "2025-03-30")
    (meeting,) = result["meetings"]
    assert meeting["status"] == "planned" and meeting["country"] == "MK"
    other = counterpart(meeting, "Мицкоски")
    assert (other["role"], other["country"]) == ("Prime Minister", "MK")


@pytest.mark.parametrize(
    "text",
    [
        "Президентът Румен Радев проведе телефонен разговор с президента на Украйна Володимир Зеленски.",
        "Премиерът Росен Желязков разговаря чрез видеовръзка с канцлера на Германия Фридрих Мерц.",
    ],
)
def test_bulgarian_remote_contact_is_no_trip_and_no_meeting(text):
    result = read(text, "bg")
    assert result["trips"] == [] and result["meetings"] == []
    assert {o["role"] for o in result["officials"]} <= {"President", "Prime Minister", "Chancellor"}


def test_bulgarian_cancelled_visit():
    text = "Министърът на външните работи на Германия Йохан Вадефул отмени планираното си посещение в Букурещ."
    result = read(text, "bg")
    trip = only_trip(result)
    assert (trip["traveller"]["role"], trip["traveller"]["country"]) == ("Minister of Foreign Affairs", "DE")
    assert stops(trip) == [("RO", "cancelled")] and trip["stops"][0]["city"] == "Bucharest"
    assert trip["status"] == "cancelled" and result["meetings"] == []


def test_bulgarian_postponed_visit_gets_next_month():
    text = "Посещението на генералния секретар на НАТО Марк Рюте в София беше отложено за следващия месец."
    trip = only_trip(read(text, "bg"))
    assert trip["traveller"]["organization"] == "NATO"
    assert stops(trip) == [("BG", "postponed")]
    assert trip["stops"][0]["start"] == "2025-04"


def test_bulgarian_departure_for_a_summit():
    text = "Премиерът Росен Желязков замина за Брюксел, където в четвъртък ще участва в срещата на върха на ЕС."
    result = read(text, "bg")
    trip = only_trip(result)
    assert stops(trip) == [("BE", "ongoing")] and trip["stops"][0]["city"] == "Brussels"
    (meeting,) = result["meetings"]
    assert meeting["kind"] == "summit" and meeting["country"] == "BE"
