"""The Italian and Portuguese cue files on short reports written for these tests.

Each language gets the same situations: an arrival in a capital with talks there, a visit
planned for next week with a meeting, a phone call (no journey, no meeting), a cancelled or
postponed visit and a completed one with its topic. Every output is checked against the
extraction schema and every evidence span against the text.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from tests.lexicon_support import check_evidence, official, only_trip
from visits.extraction import extract_report, lexicons, supported_languages

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATHS = [
    ROOT.parent / "shared" / "docs" / "extraction.schema.json",
    ROOT / "tests" / "extraction_eval" / "extraction.schema.json",
]


@pytest.fixture(scope="module")
def schema() -> dict:
    for path in SCHEMA_PATHS:
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    pytest.skip("extraction.schema.json not found")


def run(text: str, language: str, published: str, schema: dict) -> dict:
    result = extract_report(text, published=dt.date.fromisoformat(published), language=language)
    jsonschema.validate(result, schema)
    assert result["report"]["language"] == language
    return check_evidence(text, result)


def stops(trip: dict) -> list[tuple]:
    return [(s["country"], s["status"]) for s in trip["stops"]]


def names(meeting: dict) -> set[str]:
    return {p["name"] for p in meeting["participants"]}


# --- the cue files ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["it", "pt"])
def test_cue_file_is_a_full_language(language):
    assert language in supported_languages()
    lexicon = lexicons.load(language)  # validates against lexicon.schema.json
    assert lexicon["language"] == language and not lexicons.is_generic(language)
    assert set(lexicon["topics"]) == set(lexicons.load("es")["topics"])
    english_titles = {row[1] for lang in ("en", "fr", "es") for row in lexicons.load(lang)["roles"]}
    assert {row[1] for row in lexicon["roles"]} <= english_titles


# --- Italian ----------------------------------------------------------------------------------


def test_italian_arrival_in_a_capital_with_talks_and_a_next_stop(schema):
    text = (
        "Il ministro degli Esteri russo Sergej Lavrov è arrivato lunedì a Erevan per colloqui con il suo "
        "omologo armeno Ararat Mirzoyan. La prossima settimana si recherà a Baku."
    )
    result = run(text, "it", "2024-03-20", schema)
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Sergej Lavrov"
    assert trip["traveller"]["role"] == "Minister of Foreign Affairs"
    assert trip["traveller"]["country"] == "RU"
    assert stops(trip) == [("AM", "ongoing"), ("AZ", "planned")]
    yerevan, baku = trip["stops"]
    assert yerevan["city"] == "Yerevan" and yerevan["start"] == "2024-03-18"
    assert (baku["start"], baku["end"]) == ("2024-03-25", "2024-03-31")
    (meeting,) = result["meetings"]
    assert names(meeting) == {"Sergej Lavrov", "Ararat Mirzoyan"}
    assert meeting["status"] == "held" and meeting["country"] == "AM" and meeting["kind"] == "talks"
    assert official(result, "Ararat Mirzoyan")["country"] == "AM"


def test_italian_visit_planned_for_next_week_with_a_meeting(schema):
    text = (
        "La presidente del Consiglio Giorgia Meloni visiterà la Cina la prossima settimana. "
        "A Pechino incontrerà il presidente Xi Jinping."
    )
    result = run(text, "it", "2024-07-24", schema)
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Giorgia Meloni"
    assert trip["traveller"]["role"] == "Prime Minister"
    assert stops(trip) == [("CN", "planned")] and trip["status"] == "planned"
    assert trip["stops"][0]["city"] == "Beijing"
    assert (trip["stops"][0]["start"], trip["stops"][0]["end"]) == ("2024-07-29", "2024-08-04")
    (meeting,) = result["meetings"]
    assert names(meeting) == {"Giorgia Meloni", "Xi Jinping"}
    assert meeting["status"] == "planned" and meeting["country"] == "CN"
    assert official(result, "Xi Jinping")["country"] == "CN"


@pytest.mark.parametrize(
    "text",
    [
        "Il presidente francese Emmanuel Macron ha avuto ieri un lungo colloquio telefonico con il presidente "
        "ucraino Volodymyr Zelensky.",
        "Il presidente francese Emmanuel Macron si è collegato in videoconferenza con il presidente ucraino "
        "Volodymyr Zelensky per discutere degli aiuti militari.",
    ],
)
def test_italian_phone_call_or_video_link_is_no_trip_and_no_meeting(schema, text):
    result = run(text, "it", "2024-03-20", schema)
    assert result["trips"] == [] and result["meetings"] == []
    assert official(result, "Emmanuel Macron")["country"] == "FR"
    assert official(result, "Volodymyr Zelensky")["role"] == "President"


def test_italian_cancelled_visit(schema):
    text = (
        "Il cancelliere tedesco Olaf Scholz ha annullato la sua visita in Turchia, prevista per la prossima settimana."
    )
    result = run(text, "it", "2024-03-20", schema)
    trip = only_trip(result)
    assert trip["traveller"]["role"] == "Chancellor" and trip["traveller"]["country"] == "DE"
    assert stops(trip) == [("TR", "cancelled")] and trip["status"] == "cancelled"
    assert result["meetings"] == []


def test_italian_postponed_mission_and_a_bare_usa_after_the_title(schema):
    text = (
        "Il ministro degli Esteri Antonio Tajani ha rinviato la sua missione in India, ha annunciato la Farnesina. "
        "Il presidente Usa Joe Biden sarà invece in visita ufficiale in Polonia il 5 aprile."
    )
    result = run(text, "it", "2024-03-20", schema)
    by_name = {t["traveller"]["name"]: t for t in result["trips"]}
    assert set(by_name) == {"Antonio Tajani", "Joe Biden"}
    assert stops(by_name["Antonio Tajani"]) == [("IN", "postponed")]
    biden = by_name["Joe Biden"]
    assert biden["traveller"]["country"] == "US"  # "presidente Usa": the country of the title, no stop
    assert stops(biden) == [("PL", "planned")] and biden["stops"][0]["start"] == "2024-04-05"


def test_italian_completed_visit_with_the_topic_on_the_meeting(schema):
    text = (
        "Il segretario generale della Nato Jens Stoltenberg si è recato in Georgia martedì. A Tbilisi ha "
        "incontrato il primo ministro Irakli Kobakhidze e ha discusso di sicurezza energetica."
    )
    result = run(text, "it", "2024-03-21", schema)
    trip = only_trip(result)
    assert trip["traveller"]["organization"] == "NATO"
    assert trip["traveller"]["role"] == "Secretary General"
    assert stops(trip) == [("GE", "completed")] and trip["status"] == "completed"
    assert trip["stops"][0]["city"] == "Tbilisi" and trip["stops"][0]["start"] == "2024-03-19"
    (meeting,) = result["meetings"]
    assert names(meeting) == {"Jens Stoltenberg", "Irakli Kobakhidze"}
    assert meeting["status"] == "held" and meeting["topics"] == ["energy-security"]
    assert official(result, "Irakli Kobakhidze")["role"] == "Prime Minister"


def test_italian_elided_destination_and_a_range_of_days(schema):
    text = (
        "Il presidente ucraino Volodymyr Zelensky è arrivato all'Aia. Poi volerà negli Stati Uniti dal 25 al 27 marzo."
    )
    result = run(text, "it", "2024-03-20", schema)
    trip = only_trip(result)
    assert stops(trip) == [("NL", "ongoing"), ("US", "planned")]
    assert (trip["stops"][1]["start"], trip["stops"][1]["end"]) == ("2024-03-25", "2024-03-27")


# --- Portuguese -------------------------------------------------------------------------------


def test_portuguese_arrival_in_a_capital_with_a_meeting(schema):
    text = (
        "O ministro dos Negócios Estrangeiros russo, Serguei Lavrov, chegou na segunda-feira a Luanda, onde "
        "se reuniu com o seu homólogo angolano, Téte António."
    )
    result = run(text, "pt", "2024-03-20", schema)
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Serguei Lavrov"
    assert trip["traveller"]["role"] == "Minister of Foreign Affairs"
    assert trip["traveller"]["country"] == "RU"
    assert stops(trip) == [("AO", "ongoing")]
    assert trip["stops"][0]["city"] == "Luanda" and trip["stops"][0]["start"] == "2024-03-18"
    (meeting,) = result["meetings"]
    assert names(meeting) == {"Serguei Lavrov", "Téte António"}
    assert meeting["status"] == "held" and meeting["country"] == "AO"
    assert official(result, "Téte António")["country"] == "AO"


def test_portuguese_visit_planned_for_next_week_with_a_meeting(schema):
    text = (
        "O presidente Luiz Inácio Lula da Silva visitará a China na próxima semana. Em Pequim, vai "
        "reunir-se com o presidente Xi Jinping para discutir o comércio bilateral."
    )
    result = run(text, "pt", "2024-07-24", schema)
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Luiz Inácio Lula da Silva"
    assert stops(trip) == [("CN", "planned")] and trip["status"] == "planned"
    assert trip["stops"][0]["city"] == "Beijing"
    assert (trip["stops"][0]["start"], trip["stops"][0]["end"]) == ("2024-07-29", "2024-08-04")
    (meeting,) = result["meetings"]
    assert names(meeting) == {"Luiz Inácio Lula da Silva", "Xi Jinping"}
    assert meeting["status"] == "planned" and meeting["country"] == "CN"
    assert "trade-investment" in meeting["topics"]


@pytest.mark.parametrize(
    "text",
    [
        "O presidente chinês, Xi Jinping, teve ontem um longo telefonema com o presidente ucraniano, "
        "Volodymyr Zelensky.",
        "O presidente chinês, Xi Jinping, reuniu-se por videoconferência com o presidente ucraniano, "
        "Volodymyr Zelensky, para discutir um plano de paz.",
    ],
)
def test_portuguese_phone_call_or_video_link_is_no_trip_and_no_meeting(schema, text):
    result = run(text, "pt", "2024-03-20", schema)
    assert result["trips"] == [] and result["meetings"] == []
    assert official(result, "Xi Jinping")["country"] == "CN"
    assert official(result, "Volodymyr Zelensky")["country"] == "UA"


def test_portuguese_cancelled_trip_and_the_two_chancellors(schema):
    text = (
        "O chanceler alemão Olaf Scholz cancelou a sua viagem ao Brasil, prevista para a próxima semana, "
        "informou o chanceler Mauro Vieira."
    )
    result = run(text, "pt", "2024-03-20", schema)
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Olaf Scholz"
    assert trip["traveller"]["role"] == "Chancellor" and trip["traveller"]["country"] == "DE"
    assert stops(trip) == [("BR", "cancelled")] and trip["status"] == "cancelled"
    assert official(result, "Mauro Vieira")["role"] == "Minister of Foreign Affairs"  # the Brazilian usage


def test_portuguese_postponed_visit_to_a_city(schema):
    text = "A visita do primeiro-ministro espanhol, Pedro Sánchez, a Lisboa foi adiada para data a definir."
    result = run(text, "pt", "2024-03-20", schema)
    trip = only_trip(result)
    assert trip["traveller"]["role"] == "Prime Minister" and trip["traveller"]["country"] == "ES"
    assert stops(trip) == [("PT", "postponed")] and trip["stops"][0]["city"] == "Lisbon"


def test_portuguese_completed_visit_with_the_topic_on_the_meeting(schema):
    text = (
        "O secretário-geral da NATO, Jens Stoltenberg, visitou a Geórgia na terça-feira. Em Tbilisi, "
        "reuniu-se com o primeiro-ministro Irakli Kobakhidze para discutir a segurança energética."
    )
    result = run(text, "pt", "2024-03-21", schema)
    trip = only_trip(result)
    assert trip["traveller"]["organization"] == "NATO"
    assert stops(trip) == [("GE", "completed")] and trip["status"] == "completed"
    assert trip["stops"][0]["city"] == "Tbilisi" and trip["stops"][0]["start"] == "2024-03-19"
    (meeting,) = result["meetings"]
    assert names(meeting) == {"Jens Stoltenberg", "Irakli Kobakhidze"}
    assert meeting["status"] == "held" and meeting["topics"] == ["energy-security"]


@pytest.mark.parametrize(
    ("text", "code", "status"),
    [
        ("O ministro das Relações Exteriores, Mauro Vieira, vai viajar ao Irão de 25 a 27 de março.", "IR", "planned"),
        ("O presidente francês, Emmanuel Macron, adiou a sua deslocação a Moscovo.", "RU", "postponed"),
        ("O presidente francês, Emmanuel Macron, desembarcou em Moscou no sábado.", "RU", "ongoing"),
        ("O Presidente norte-americano, Joe Biden, esteve em Varsóvia no sábado.", "PL", "completed"),
    ],
)
def test_portuguese_forms_of_both_standards(schema, text, code, status):
    result = run(text, "pt", "2024-03-20", schema)
    trip = only_trip(result)
    assert stops(trip) == [(code, status)]
