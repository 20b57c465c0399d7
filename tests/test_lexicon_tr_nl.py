# ruff: noqa: RUF001  (Turkish text uses the dotless i)
"""Turkish and Dutch cue files (lexicons/tr.json, lexicons/nl.json) on short reports written for these tests.

Each report is our own wording of a typical news sentence: an arrival in a capital with a meeting, a
visit planned for next week, a phone call (no trip, no meeting), a cancelled or postponed visit.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.lexicon_support import check_evidence, official, only_trip
from visits.extraction import extract_report, supported_languages
from visits.extraction.lexicons import load

PUBLISHED = "2024-03-20"  # a Wednesday: "pazartesi"/"maandag" is 2024-03-18, next week is 25-31 March


def run(text: str, language: str) -> dict:
    result = extract_report(text, published=dt.date.fromisoformat(PUBLISHED), language=language)
    return check_evidence(text, result)


def stops(trip: dict) -> list[tuple]:
    return [(s["country"], s["city"], s["status"]) for s in trip["stops"]]


@pytest.mark.parametrize("language", ["tr", "nl"])
def test_cue_files_load_and_are_full_languages(language):
    lexicon = load(language)
    assert lexicon["language"] == language and lexicon["lemmatizer"] == "simplemma"
    assert language in supported_languages()
    assert not lexicon.get("generic")


# --- Turkish ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "code", "city"),
    [
        ("Atina'ya", "GR", "Athens"),
        ("Ankara'da", "TR", "Ankara"),
        ("Moskova'dan", "RU", "Moscow"),
        ("Tiflis'e", "GE", "Tbilisi"),
        ("Kiev'e", "UA", None),  # a form the lemmatizer misses, listed in the cue file (country only)
        ("İtalya'ya", "IT", None),
        ("ABD'ye", "US", None),
        ("Yunanistan'a", "GR", None),
    ],
)
def test_turkish_place_names_with_case_suffixes(phrase, code, city):
    from visits.extraction.toolkit import toolkit

    kit = toolkit("tr")
    tokens = kit.tokenize(phrase)
    assert [t.text for t in tokens] == [phrase]  # the apostrophe keeps the suffix on the name
    (found,) = kit.gazetteer.find(tokens)
    assert (found.place.code, found.place.city) == (code, city)


def test_turkish_arrival_in_a_capital_and_a_meeting_there():
    text = (
        "Gürcistan Başbakanı İrakli Kobahidze pazartesi günü Ankara'ya geldi. Kobahidze, Ankara'da "
        "Cumhurbaşkanı Recep Tayyip Erdoğan ile görüştü ve ticaret ile enerji konularını ele aldı."
    )
    result = run(text, "tr")
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "İrakli Kobahidze"
    assert (trip["traveller"]["role"], trip["traveller"]["country"]) == ("Prime Minister", "GE")
    assert stops(trip) == [("TR", "Ankara", "ongoing")]
    assert trip["stops"][0]["start"] == "2024-03-18"
    (meeting,) = result["meetings"]
    assert [p["name"] for p in meeting["participants"]] == ["İrakli Kobahidze", "Recep Tayyip Erdoğan"]
    assert (meeting["status"], meeting["kind"], meeting["country"]) == ("held", "talks", "TR")
    assert meeting["date"] == "2024-03-18"
    assert set(meeting["topics"]) == {"trade-investment", "energy-security"}
    assert official(result, "Recep Tayyip Erdoğan")["role"] == "President"


def test_turkish_visit_planned_for_next_week():
    text = "Azerbaycan Cumhurbaşkanı İlham Aliyev gelecek hafta Tiflis'e gidecek."
    result = run(text, "tr")
    trip = only_trip(result)
    assert trip["traveller"]["country"] == "AZ"
    assert stops(trip) == [("GE", "Tbilisi", "planned")]
    assert (trip["stops"][0]["start"], trip["stops"][0]["end"]) == ("2024-03-25", "2024-03-31")


def test_turkish_visit_with_accusative_and_future_suffix():
    text = "Dışişleri Bakanı Hakan Fidan, 25 Mart'ta Atina'yı ziyaret edecek."
    trip = only_trip(run(text, "tr"))
    assert trip["traveller"]["role"] == "Minister of Foreign Affairs"
    assert stops(trip) == [("GR", "Athens", "planned")]
    assert trip["stops"][0]["start"] == "2024-03-25"


def test_turkish_locative_meeting_abroad_then_onward_travel():
    text = (
        "Dışişleri Bakanı Hakan Fidan, dün Bakü'de Azerbaycan Cumhurbaşkanı İlham Aliyev ile görüştü. "
        "Fidan daha sonra Tiflis'e geçti."
    )
    result = run(text, "tr")
    trip = only_trip(result)
    # yesterday's stop is over; Tbilisi, where he went on to and which the report never says he left, is not
    assert [(s["country"], s["status"]) for s in trip["stops"]] == [("AZ", "completed"), ("GE", "ongoing")]
    assert trip["stops"][0]["start"] == "2024-03-19"
    (meeting,) = result["meetings"]
    assert meeting["country"] == "AZ" and meeting["date"] == "2024-03-19"


def test_turkish_phone_call_is_no_trip_and_no_meeting():
    text = "Fransa Cumhurbaşkanı Emmanuel Macron, Ukrayna Devlet Başkanı Volodimir Zelenski ile telefonda görüştü."
    result = run(text, "tr")
    assert result["trips"] == [] and result["meetings"] == []
    assert official(result, "Volodimir Zelenski")["country"] == "UA"
    assert official(result, "Emmanuel Macron")["country"] == "FR"


def test_turkish_cancelled_and_postponed_visits():
    cancelled = run("Rusya Devlet Başkanı Vladimir Putin'in Erivan ziyareti iptal edildi.", "tr")
    trip = only_trip(cancelled)
    assert stops(trip) == [("AM", "Yerevan", "cancelled")] and trip["status"] == "cancelled"
    postponed = run("İtalya Başbakanı Giorgia Meloni, Türkiye'ye yapacağı ziyareti erteledi.", "tr")
    trip = only_trip(postponed)
    assert trip["traveller"]["name"] == "Giorgia Meloni"
    assert stops(trip) == [("TR", None, "postponed")]


def test_turkish_bir_araya_geldi_carries_no_december_date():
    text = "Yunanistan Başbakanı Kiryakos Miçotakis, Cumhurbaşkanı Recep Tayyip Erdoğan ile bir araya geldi."
    (meeting,) = run(text, "tr")["meetings"]
    assert meeting["date"] is None


# --- Dutch ------------------------------------------------------------------------------------


def test_dutch_arrival_in_a_capital_with_talks():
    text = (
        "De Russische minister van Buitenlandse Zaken Sergej Lavrov is maandag aangekomen in Jerevan voor "
        "gesprekken met zijn Armeense ambtgenoot Ararat Mirzojan."
    )
    result = run(text, "nl")
    trip = only_trip(result)
    assert (trip["traveller"]["name"], trip["traveller"]["country"]) == ("Sergej Lavrov", "RU")
    assert trip["traveller"]["role"] == "Minister of Foreign Affairs"
    assert stops(trip) == [("AM", "Yerevan", "ongoing")]
    assert trip["stops"][0]["start"] == "2024-03-18"
    (meeting,) = result["meetings"]
    assert [p["name"] for p in meeting["participants"]] == ["Sergej Lavrov", "Ararat Mirzojan"]
    assert (meeting["status"], meeting["kind"], meeting["country"]) == ("held", "talks", "AM")
    assert official(result, "Ararat Mirzojan")["country"] == "AM"


def test_dutch_visit_planned_for_next_week():
    text = "Premier Mark Rutte brengt volgende week een bezoek aan Georgië."
    trip = only_trip(run(text, "nl"))
    assert trip["traveller"]["role"] == "Prime Minister"
    assert stops(trip) == [("GE", None, "planned")]
    assert (trip["stops"][0]["start"], trip["stops"][0]["end"]) == ("2024-03-25", "2024-03-31")


def test_dutch_completed_visit_with_a_meeting_and_topic():
    text = (
        "Bondskanselier Olaf Scholz bracht dinsdag een bezoek aan Kiev, waar hij president Volodymyr "
        "Zelensky ontmoette om over luchtverdediging te praten."
    )
    result = run(text, "nl")
    trip = only_trip(result)
    assert trip["traveller"]["country"] == "DE"
    assert stops(trip) == [("UA", "Kyiv", "completed")]
    assert trip["stops"][0]["start"] == "2024-03-19"
    (meeting,) = result["meetings"]
    assert meeting["country"] == "UA" and meeting["status"] == "held"
    assert "defence-cooperation" in meeting["topics"]


def test_dutch_phone_call_is_no_trip_and_no_meeting():
    text = "Minister-president Dick Schoof sprak telefonisch met de Oekraïense president Volodymyr Zelensky."
    result = run(text, "nl")
    assert result["trips"] == [] and result["meetings"] == []
    assert official(result, "Volodymyr Zelensky")["country"] == "UA"


def test_dutch_cancelled_and_postponed_visits():
    cancelled = run("Het geplande bezoek van de Franse president Emmanuel Macron aan Armenië is afgelast.", "nl")
    trip = only_trip(cancelled)
    assert trip["traveller"]["name"] == "Emmanuel Macron"
    assert stops(trip) == [("AM", None, "cancelled")] and trip["status"] == "cancelled"
    postponed = run("De Turkse president Recep Tayyip Erdogan heeft zijn reis naar Duitsland uitgesteld.", "nl")
    assert stops(only_trip(postponed)) == [("DE", None, "postponed")]
