"""Romanian and Hungarian cue files (lexicons/ro.json, lexicons/hu.json) on short reports written for these tests.

Each report is our own wording of a typical news sentence: an arrival in a capital with a meeting, a
visit planned for next week, a phone call (no trip, no meeting), a cancelled or postponed visit.
Romanian is tested in both spellings of ș/ț (comma below, as CLDR writes them, and the cedilla many
sites still use); Hungarian with the case suffixes place names take ("Kijevbe", "Pekingben").
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.lexicon_support import check_evidence, found_place, official, only_trip
from visits.extraction import extract_report, supported_languages
from visits.extraction.lexicons import load

PUBLISHED = "2024-03-20"  # a Wednesday: "luni"/"hétfőn" is 2024-03-18, next week is 25-31 March


def run(text: str, language: str) -> dict:
    result = extract_report(text, published=dt.date.fromisoformat(PUBLISHED), language=language)
    return check_evidence(text, result)


def stops(trip: dict) -> list[tuple]:
    return [(s["country"], s["city"], s["status"]) for s in trip["stops"]]


def names(meeting: dict) -> list[str]:
    return [p["name"] for p in meeting["participants"]]


@pytest.mark.parametrize("language", ["ro", "hu"])
def test_cue_files_load_and_are_full_languages(language):
    lexicon = load(language)
    assert lexicon["language"] == language and lexicon["lemmatizer"] == "simplemma"
    assert language in supported_languages()
    assert not lexicon.get("generic")


# --- Romanian ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "code", "city"),
    [
        ("la Kiev", "UA", "Kyiv"),
        ("Moscovei", "RU", "Moscow"),
        ("Beijingul", "CN", "Beijing"),
        ("la Bruxelles", "BE", "Brussels"),
        ("Atenei", "GR", "Athens"),
        ("Washingtonului", "US", "Washington"),
        ("Ankarei", "TR", "Ankara"),
        ("Parisul", "FR", "Paris"),
        ("Berlinului", "DE", "Berlin"),
        ("Chișinăul", "MD", "Chisinau"),
        ("Chişinău", "MD", "Chisinau"),  # cedilla
        ("Kievul", "UA", "Kyiv"),  # an articled form the lemmatizer misses: listed with its English name
        ("Bruxelles-ul", "BE", "Brussels"),
        ("Varşoviei", "PL", "Warsaw"),  # cedilla genitive, listed once with the comma
        ("Franţei", "FR", None),  # cedilla, CLDR has "Franța"
        ("Ucrainei", "UA", None),
        ("Statelor Unite", "US", None),
        ("Republicii Moldova", "MD", None),
    ],
)
def test_romanian_place_names_with_articles_and_both_spellings(phrase, code, city):
    assert found_place("ro", phrase) == (code, city)


ROMANIAN_ARRIVAL = (
    "Președintele Klaus Iohannis a sosit luni la Kiev, unde a avut convorbiri cu președintele ucrainean "
    "Volodimir Zelenski despre securitatea energetică și comerț."
)


def test_romanian_arrival_in_a_capital_and_talks_there():
    result = run(ROMANIAN_ARRIVAL, "ro")
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Klaus Iohannis" and trip["traveller"]["role"] == "President"
    assert stops(trip) == [("UA", "Kyiv", "ongoing")]
    assert trip["stops"][0]["start"] == "2024-03-18"
    (meeting,) = result["meetings"]
    assert names(meeting) == ["Klaus Iohannis", "Volodimir Zelenski"]
    assert (meeting["status"], meeting["kind"], meeting["country"]) == ("held", "talks", "UA")
    assert meeting["date"] == "2024-03-18"
    assert set(meeting["topics"]) == {"energy-security", "trade-investment"}
    zelenski = official(result, "Volodimir Zelenski")
    assert (zelenski["role"], zelenski["country"]) == ("President", "UA")


def test_romanian_cedilla_spelling_reads_the_same():
    text = ROMANIAN_ARRIVAL.translate(str.maketrans("șțȘȚ", "şţŞŢ")).replace("a avut convorbiri cu", "s-a întâlnit cu")
    assert "ş" in text and "ș" not in text
    result = run(text, "ro")
    trip = only_trip(result)
    assert trip["traveller"]["role"] == "President"
    assert stops(trip) == [("UA", "Kyiv", "ongoing")]
    (meeting,) = result["meetings"]
    assert "Volodimir Zelenski" in names(meeting) and meeting["kind"] == "meeting"
    assert set(meeting["topics"]) == {"energy-security", "trade-investment"}


def test_romanian_visit_planned_for_next_week():
    text = "Premierul Marcel Ciolacu va efectua săptămâna viitoare o vizită oficială la Beijing."
    trip = only_trip(run(text, "ro"))
    assert trip["traveller"]["name"] == "Marcel Ciolacu" and trip["traveller"]["role"] == "Prime Minister"
    assert stops(trip) == [("CN", "Beijing", "planned")]
    assert (trip["stops"][0]["start"], trip["stops"][0]["end"]) == ("2024-03-25", "2024-03-31")


def test_romanian_guest_expected_on_a_weekday_meets_her_counterpart():
    expected = run("Președinta Comisiei Europene, Ursula von der Leyen, este așteptată joi la Chișinău.", "ro")
    trip = only_trip(expected)
    assert trip["traveller"]["organization"] == "European Commission"
    assert stops(trip) == [("MD", "Chisinau", "planned")] and trip["stops"][0]["start"] == "2024-03-21"
    text = "Ministra de externe a Germaniei, Annalena Baerbock, s-a întâlnit ieri la București cu omologul său român."
    result = run(text, "ro")
    trip = only_trip(result)
    assert trip["traveller"]["country"] == "DE"
    assert stops(trip) == [("RO", "Bucharest", "completed")] and trip["stops"][0]["start"] == "2024-03-19"
    (meeting,) = result["meetings"]
    counterpart = meeting["participants"][1]
    assert (counterpart["role"], counterpart["country"]) == ("Minister of Foreign Affairs", "RO")


def test_romanian_phone_call_is_no_trip_and_no_meeting():
    text = (
        "Președintele francez Emmanuel Macron a avut o convorbire telefonică cu președintele Ucrainei, "
        "Volodimir Zelenski."
    )
    result = run(text, "ro")
    assert result["trips"] == [] and result["meetings"] == []
    assert official(result, "Emmanuel Macron")["country"] == "FR"
    assert official(result, "Volodimir Zelenski")["country"] == "UA"


def test_romanian_cancelled_and_postponed_visits():
    cancelled = run("Vizita premierului ungar Viktor Orbán la Bucureşti a fost anulată.", "ro")
    trip = only_trip(cancelled)
    assert trip["traveller"]["name"] == "Viktor Orbán" and trip["traveller"]["country"] == "HU"
    assert stops(trip) == [("RO", "Bucharest", "cancelled")] and trip["status"] == "cancelled"
    postponed = run("Cancelarul german Olaf Scholz şi-a amânat vizita la Chișinău.", "ro")
    trip = only_trip(postponed)
    assert (trip["traveller"]["role"], trip["traveller"]["country"]) == ("Chancellor", "DE")
    assert stops(trip) == [("MD", "Chisinau", "postponed")]


# --- Hungarian --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "code", "city"),
    [
        ("Kijevbe", "UA", "Kyiv"),
        ("Kijevben", "UA", "Kyiv"),
        ("Moszkvába", "RU", "Moscow"),
        ("Pekingben", "CN", "Beijing"),
        ("Brüsszelben", "BE", "Brussels"),
        ("Athénba", "GR", "Athens"),
        ("Washingtonba", "US", "Washington"),
        ("Ankarában", "TR", "Ankara"),
        ("Párizsba", "FR", "Paris"),
        ("Berlinben", "DE", "Berlin"),
        ("Moszkvát", "RU", "Moscow"),
        ("Ukrajnába", "UA", None),
        ("Oroszországba", "RU", None),
        ("Magyarországra", "HU", None),
        ("az Egyesült Államokba", "US", None),
        ("Nagy-Britanniába", "GB", None),
        ("Kisinyovba", "MD", None),  # a form the lemmatizer misses: listed, country only
        ("Bakuban", "AZ", None),
    ],
)
def test_hungarian_place_names_with_case_suffixes(phrase, code, city):
    assert found_place("hu", phrase) == (code, city)


def test_hungarian_arrival_in_a_capital_and_talks_there():
    text = (
        "A magyar miniszterelnök, Orbán Viktor hétfőn Kijevbe érkezett, ahol Volodimir Zelenszkij ukrán "
        "elnökkel tárgyalt az energiabiztonságról és a kereskedelemről."
    )
    result = run(text, "hu")
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Orbán Viktor"
    assert (trip["traveller"]["role"], trip["traveller"]["country"]) == ("Prime Minister", "HU")
    assert stops(trip) == [("UA", "Kyiv", "ongoing")]
    assert trip["stops"][0]["start"] == "2024-03-18"
    (meeting,) = result["meetings"]
    assert names(meeting)[0] == "Orbán Viktor" and "Volodimir Zelenszkij" in names(meeting)
    assert (meeting["status"], meeting["kind"], meeting["country"]) == ("held", "talks", "UA")
    assert meeting["date"] == "2024-03-18"
    assert set(meeting["topics"]) == {"energy-security", "trade-investment"}


def test_hungarian_visit_planned_for_next_week():
    text = "Szijjártó Péter külgazdasági és külügyminiszter jövő héten Pekingbe utazik."
    trip = only_trip(run(text, "hu"))
    assert trip["traveller"]["name"] == "Szijjártó Péter"
    assert stops(trip) == [("CN", "Beijing", "planned")]
    assert (trip["stops"][0]["start"], trip["stops"][0]["end"]) == ("2024-03-25", "2024-03-31")


def test_hungarian_present_tense_with_a_weekday_is_the_coming_day():
    text = "A török elnök, Recep Tayyip Erdoğan csütörtökön Budapestre érkezik."
    trip = only_trip(run(text, "hu"))
    assert trip["traveller"]["country"] == "TR"
    assert stops(trip) == [("HU", "Budapest", "planned")] and trip["stops"][0]["start"] == "2024-03-21"


def test_hungarian_inessive_place_of_talks_is_a_stop():
    text = "A NATO főtitkára, Mark Rutte tegnap Ankarában Recep Tayyip Erdoğan török elnökkel tárgyalt."
    result = run(text, "hu")
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Mark Rutte" and trip["traveller"]["organization"] == "NATO"
    assert stops(trip) == [("TR", "Ankara", "completed")] and trip["stops"][0]["start"] == "2024-03-19"
    (meeting,) = result["meetings"]
    assert "Recep Tayyip Erdoğan" in names(meeting)
    assert (meeting["country"], meeting["date"], meeting["kind"]) == ("TR", "2024-03-19", "talks")


def test_hungarian_phone_call_is_no_trip_and_no_meeting():
    text = "Emmanuel Macron francia elnök telefonon egyeztetett Volodimir Zelenszkij ukrán elnökkel."
    result = run(text, "hu")
    assert result["trips"] == [] and result["meetings"] == []


def test_hungarian_cancelled_and_postponed_visits():
    cancelled = run("Vlagyimir Putyin orosz elnök lemondta Jerevánba tervezett látogatását.", "hu")
    trip = only_trip(cancelled)
    assert trip["traveller"]["name"] == "Vlagyimir Putyin"
    assert stops(trip) == [("AM", "Yerevan", "cancelled")] and trip["status"] == "cancelled"
    postponed = run("Elhalasztották Giorgia Meloni olasz miniszterelnök Washingtonba tervezett útját.", "hu")
    trip = only_trip(postponed)
    assert trip["traveller"]["name"] == "Giorgia Meloni"
    assert stops(trip) == [("US", "Washington", "postponed")]


# --- what the engine cannot yet read in Hungarian (see the report to the engine owner) --------


def test_hungarian_month_day_date():
    trip = only_trip(run("Kaja Kallas uniós külügyi főképviselő március 25-én Athénba látogat.", "hu"))
    assert trip["stops"][0]["start"] == "2024-03-25"


@pytest.mark.xfail(strict=True, reason="people.py joins a title to a name before it only across a comma")
def test_hungarian_name_before_its_title():
    result = run("Orbán Viktor miniszterelnök hétfőn Kijevbe érkezett.", "hu")
    assert only_trip(result)["traveller"]["role"] == "Prime Minister"
