"""The extraction engine on short reports in each language, and its parts one by one.

The reports here are written for these tests (about real trips, in our own words). Every
output is checked against the schema and every evidence span against the text.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from visits.extraction import (
    Context,
    EmptyDirectory,
    KnownPerson,
    KnownPosition,
    MemoryDirectory,
    extract_report,
    supported_languages,
)

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


def run(text: str, language: str, published: str, schema: dict, **kwargs) -> dict:
    result = extract_report(text, published=dt.date.fromisoformat(published), language=language, **kwargs)
    jsonschema.validate(result, schema)
    for fact in result["trips"] + result["meetings"]:
        assert fact["evidence"], fact
        for evidence in fact["evidence"]:
            assert text[evidence["start"] : evidence["end"]] == evidence["quote"]
            assert 0 <= evidence["confidence"] <= 1
    return result


def only_trip(result: dict) -> dict:
    assert len(result["trips"]) == 1, result["trips"]
    return result["trips"][0]


def stops(trip: dict) -> list[tuple]:
    return [(s["country"], s["status"]) for s in trip["stops"]]


def official(result: dict, name: str) -> dict:
    found = [o for o in result["officials"] if o["name"] == name]
    assert found, [o["name"] for o in result["officials"]]
    return found[0]


# --- English ----------------------------------------------------------------------------------


def test_english_arrival_in_a_city_gives_its_country_and_next_week_is_a_range(schema):
    text = (
        "Russian Foreign Minister Sergei Lavrov arrived in Yerevan on Monday for talks with his Armenian "
        "counterpart Ararat Mirzoyan. He will travel to Baku next week."
    )
    result = run(text, "en", "2024-03-20", schema)
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Sergei Lavrov"
    assert trip["traveller"]["role"] == "Minister of Foreign Affairs"
    assert trip["traveller"]["country"] == "RU"
    assert stops(trip) == [("AM", "ongoing"), ("AZ", "planned")]
    yerevan, baku = trip["stops"]
    assert yerevan["city"] == "Yerevan" and yerevan["start"] == "2024-03-18"
    assert (baku["start"], baku["end"]) == ("2024-03-25", "2024-03-31")
    assert trip["status"] == "ongoing"
    (meeting,) = result["meetings"]
    assert [p["name"] for p in meeting["participants"]] == ["Sergei Lavrov", "Ararat Mirzoyan"]
    assert meeting["status"] == "held" and meeting["country"] == "AM" and meeting["kind"] == "talks"
    assert official(result, "Ararat Mirzoyan")["country"] == "AM"


def test_english_completed_visit_with_topics_on_the_meeting(schema):
    text = (
        "German Chancellor Olaf Scholz visited Georgia last week. In Tbilisi, Scholz met Prime Minister "
        "Irakli Kobakhidze and discussed energy security and gas supplies."
    )
    result = run(text, "en", "2024-03-20", schema)
    trip = only_trip(result)
    assert stops(trip) == [("GE", "completed")] and trip["status"] == "completed"
    assert trip["stops"][0]["city"] == "Tbilisi"
    (meeting,) = result["meetings"]
    assert meeting["status"] == "held"
    assert meeting["topics"] == ["energy-security"]
    assert {p["name"] for p in meeting["participants"]} == {"Olaf Scholz", "Irakli Kobakhidze"}
    assert official(result, "Irakli Kobakhidze")["role"] == "Prime Minister"


def test_english_postponement_keeps_the_destination(schema):
    text = (
        "US Secretary of State Antony Blinken has postponed his visit to China, the State Department said on Saturday."
    )
    result = run(text, "en", "2023-02-05", schema)
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Antony Blinken"
    assert stops(trip) == [("CN", "postponed")] and trip["status"] == "postponed"
    assert trip["stops"][0]["start"] is None  # the Saturday is when it was said, not the visit


def test_english_metonyms_and_a_statement_make_no_trip(schema):
    text = (
        "Washington and Brussels are pressing Yerevan to leave the CSTO, Maria Zakharova, the Russian "
        "foreign ministry spokeswoman, said on Wednesday."
    )
    result = run(text, "en", "2024-03-20", schema)
    assert result["trips"] == [] and result["meetings"] == []
    zakharova = official(result, "Maria Zakharova")
    assert zakharova["role"] == "spokesperson of the Ministry of Foreign Affairs"
    assert zakharova["country"] == "RU"


# --- French -----------------------------------------------------------------------------------


def test_french_planned_visit_in_autumn_has_month_precision(schema):
    text = "Le président français Emmanuel Macron se rendra en Arménie à l'automne 2024, a annoncé l'Élysée."
    result = run(text, "fr", "2024-03-20", schema)
    trip = only_trip(result)
    assert trip["traveller"]["country"] == "FR"
    assert stops(trip) == [("AM", "planned")]
    assert (trip["stops"][0]["start"], trip["stops"][0]["end"], trip["precision"]) == ("2024-09", "2024-11", "month")


def test_french_elided_place_names_and_a_completed_tour(schema):
    text = (
        "Le ministre turc des Affaires étrangères, Hakan Fidan, a visité l'Azerbaïdjan puis s'est rendu "
        "en Arménie mardi. À Erevan, il a rencontré le Premier ministre Nikol Pachinian."
    )
    result = run(text, "fr", "2024-03-21", schema)
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Hakan Fidan"
    assert [s["country"] for s in trip["stops"]] == ["AZ", "AM"]
    assert {s["status"] for s in trip["stops"]} == {"completed"}
    assert trip["stops"][1]["start"] == "2024-03-19"
    (meeting,) = result["meetings"]
    assert meeting["country"] == "AM" and meeting["status"] == "held"
    assert official(result, "Nikol Pachinian")["country"] == "AM"


def test_french_cancellation(schema):
    text = (
        "Le chef de la diplomatie russe, Sergueï Lavrov, a annulé sa visite prévue la semaine prochaine "
        "en Géorgie, a indiqué son ministère."
    )
    result = run(text, "fr", "2024-03-20", schema)
    trip = only_trip(result)
    assert stops(trip) == [("GE", "cancelled")] and trip["status"] == "cancelled"


def test_french_statement_with_metonyms_yields_an_official_and_no_trip(schema):
    text = (
        "La porte-parole de la diplomatie russe, Maria Zakharova, a souligné que Paris et Berlin veulent punir Moscou."
    )
    result = run(text, "fr", "2024-03-20", schema)
    assert result["trips"] == [] and result["meetings"] == []
    assert official(result, "Maria Zakharova")["country"] == "RU"


# --- German -----------------------------------------------------------------------------------


def test_german_planned_visit_next_week_with_topics(schema):
    text = (
        "Bundeskanzler Olaf Scholz reist nächste Woche nach Georgien. In Tiflis wird er den georgischen "
        "Ministerpräsidenten Irakli Kobachidse treffen. Themen sind die Energiesicherheit und der "
        "EU-Beitritt Georgiens."
    )
    result = run(text, "de", "2024-03-20", schema)
    trip = only_trip(result)
    assert trip["traveller"]["country"] == "DE"
    assert stops(trip) == [("GE", "planned")]
    assert (trip["stops"][0]["start"], trip["stops"][0]["end"]) == ("2024-03-25", "2024-03-31")
    (meeting,) = result["meetings"]
    assert meeting["status"] == "planned" and meeting["country"] == "GE"
    assert set(meeting["topics"]) == {"energy-security", "membership-process"}
    assert official(result, "Irakli Kobachidse")["role"] == "Prime Minister"


def test_german_postponement_resolves_the_weekday_forward(schema):
    text = (
        "Der französische Präsident Emmanuel Macron hat seinen für Sonntag geplanten Staatsbesuch in "
        "Deutschland verschoben. Das teilte das Bundespräsidialamt am Samstag mit."
    )
    result = run(text, "de", "2023-07-01", schema)
    trip = only_trip(result)
    assert stops(trip) == [("DE", "postponed")]
    assert trip["stops"][0]["start"] == "2023-07-02"


def test_german_completed_visit_and_a_cancellation(schema):
    text = (
        "Außenministerin Annalena Baerbock besuchte am Montag Armenien. Ihre geplante Reise nach "
        "Aserbaidschan hat sie abgesagt."
    )
    result = run(text, "de", "2024-03-20", schema)
    trip = only_trip(result)
    assert dict(stops(trip)) == {"AM": "completed", "AZ": "cancelled"}
    assert trip["stops"][0]["start"] == "2024-03-18"


# --- Spanish ----------------------------------------------------------------------------------


def test_spanish_tour_completed_and_planned_stops(schema):
    text = (
        "El presidente del Gobierno, Pedro Sánchez, visitó Mauritania el martes, donde se reunió con el "
        "presidente Mohamed Ould Ghazouani para hablar de migración. Después viajará a Senegal."
    )
    result = run(text, "es", "2024-08-29", schema)
    trip = only_trip(result)
    assert stops(trip) == [("MR", "completed"), ("SN", "planned")] and trip["status"] == "ongoing"
    assert trip["stops"][0]["start"] == "2024-08-27"
    (meeting,) = result["meetings"]
    assert meeting["topics"] == ["migration"] and meeting["country"] == "MR"


def test_spanish_cancellation_of_a_city_visit(schema):
    text = "El canciller ruso, Serguéi Lavrov, canceló su viaje a Ereván previsto para la próxima semana."
    result = run(text, "es", "2024-03-20", schema)
    trip = only_trip(result)
    assert stops(trip) == [("AM", "cancelled")]
    assert trip["stops"][0]["city"] == "Yerevan"


def test_spanish_metonym_is_no_visit(schema):
    text = "Washington y Bruselas presionan a Caracas, afirmó el ministro de Asuntos Exteriores José Manuel Albares."
    result = run(text, "es", "2024-03-20", schema)
    assert result["trips"] == []
    assert official(result, "José Manuel Albares")["role"] == "Minister of Foreign Affairs"


# --- Russian ----------------------------------------------------------------------------------


def test_russian_inflected_names_and_places(schema):
    text = (
        "Генеральный секретарь НАТО Йенс Столтенберг прибыл в Грузию в понедельник. В Тбилиси он провёл "  # noqa: RUF001
        "переговоры с премьер-министром Грузии Ираклием Кобахидзе. Затем Столтенберг посетит Армению."  # noqa: RUF001
    )
    result = run(text, "ru", "2024-03-19", schema)
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Йенс Столтенберг"
    assert trip["traveller"]["organization"] == "NATO"
    assert stops(trip) == [("GE", "ongoing"), ("AM", "planned")]
    assert trip["stops"][0]["start"] == "2024-03-18"
    (meeting,) = result["meetings"]
    assert [p["name"] for p in meeting["participants"]] == ["Йенс Столтенберг", "Ираклий Кобахидзе"]
    assert meeting["participants"][1]["as_written"] == "Ираклием Кобахидзе"
    assert meeting["country"] == "GE"


def test_russian_cancellation_and_a_spokeswoman(schema):
    text = (
        "Министр иностранных дел России Сергей Лавров отменил визит в Ереван, сообщила официальный "
        "представитель МИД Мария Захарова."
    )
    result = run(text, "ru", "2024-03-19", schema)
    trip = only_trip(result)
    assert stops(trip) == [("AM", "cancelled")]
    assert official(result, "Мария Захарова")["role"] == "spokesperson of the Ministry of Foreign Affairs"


def test_russian_metonyms_make_no_trip(schema):
    text = "Вашингтон и Брюссель давят на Ереван, заявила официальный представитель МИД России Мария Захарова."
    result = run(text, "ru", "2024-03-19", schema)
    assert result["trips"] == [] and result["meetings"] == []


# --- reports without travel, records, directory ----------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "NATO Secretary General Jens Stoltenberg said on Tuesday that allies must send more air defence."),
        ("fr", "Le ministre des Affaires étrangères Stéphane Séjourné a déclaré que la France soutenait l'Arménie."),
        ("de", "Außenministerin Annalena Baerbock hat in einem Interview die Lage in Georgien kritisiert."),
        ("es", "El ministro José Manuel Albares habló por teléfono con su homólogo marroquí."),
        ("ru", "Министр иностранных дел Сергей Лавров заявил, что Россия готова к диалогу."),
    ],
)
def test_statements_without_travel_yield_officials_only(schema, language, text):
    result = run(text, language, "2024-03-20", schema)
    assert result["trips"] == [] and result["meetings"] == []
    assert result["officials"]


def test_dataset_record_with_context(schema):
    text = "Met with Prime Minister Boris Johnson and Queen Elizabeth II. Attended the G7 Summit."
    context = Context(traveller="Joseph R. Biden", country="GB", start=dt.date(2021, 6, 10), end=dt.date(2021, 6, 13))
    result = extract_report(text, language="en", context=context)
    jsonschema.validate(result, schema)
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Joseph R. Biden"
    assert trip["stops"] == [
        {"country": "GB", "city": None, "start": "2021-06-10", "end": "2021-06-13", "status": "completed", "topics": []}
    ]
    held = [m for m in result["meetings"] if m["kind"] != "summit"]
    assert [[p["name"] for p in m["participants"]] for m in held] == [
        ["Joseph R. Biden", "Boris Johnson"],
        ["Joseph R. Biden", "Elizabeth II"],
    ]
    assert all(m["status"] == "held" and m["country"] == "GB" for m in result["meetings"])
    (summit,) = [m for m in result["meetings"] if m["kind"] == "summit"]
    assert [p["name"] for p in summit["participants"]] == ["Joseph R. Biden"]
    assert summit["date"] == "2021-06" and summit["precision"] == "month"


def test_dataset_record_of_one_day_has_day_dates():
    context = Context(traveller="George W. Bush", country="GE", start=dt.date(2005, 5, 10), end=dt.date(2005, 5, 10))
    result = extract_report("Met with President Mikheil Saakashvili.", language="en", context=context)
    (meeting,) = result["meetings"]
    assert (meeting["date"], meeting["precision"]) == ("2005-05-10", "day")
    assert meeting["participants"][1]["country"] == "GE"


def test_directory_resolution_and_role_check():
    kobakhidze = KnownPerson(1, "Irakli Kobakhidze", "GE")
    garibashvili = KnownPerson(2, "Irakli Garibashvili", "GE")
    directory = MemoryDirectory(
        [
            KnownPosition(kobakhidze, "Prime Minister", "GE", None, dt.date(2024, 2, 8), None),
            KnownPosition(garibashvili, "Prime Minister", "GE", None, dt.date(2021, 2, 22), dt.date(2024, 2, 8)),
        ],
        aliases={"Irakli Garibachvili": garibashvili},
    )
    text = "Le Premier ministre géorgien Irakli Garibachvili a reçu lundi à Tbilissi le ministre Hakan Fidan."
    result = extract_report(text, published=dt.date(2024, 3, 19), language="fr", directory=directory)
    person = official(result, "Irakli Garibashvili")
    assert person["as_written"] == "Irakli Garibachvili" and person["id"] == 2
    assert person["flags"] == ["role-contradicts-known-position"]
    empty = extract_report(text, published=dt.date(2024, 3, 19), language="fr", directory=EmptyDirectory())
    assert official(empty, "Irakli Garibachvili")["flags"] == []


def test_role_only_mention_is_named_by_the_directory():
    kobakhidze = KnownPerson(7, "Irakli Kobakhidze", "GE")
    directory = MemoryDirectory([KnownPosition(kobakhidze, "Prime Minister", "GE", None, dt.date(2024, 2, 8), None)])
    text = "Antony Blinken met the Georgian prime minister in Tbilisi on Monday."
    result = extract_report(text, published=dt.date(2024, 3, 20), language="en", directory=directory)
    (meeting,) = result["meetings"]
    assert meeting["participants"][1]["name"] == "Irakli Kobakhidze"
    assert meeting["participants"][1]["id"] == 7
    unnamed = extract_report(text, published=dt.date(2024, 3, 20), language="en")
    person = unnamed["meetings"][0]["participants"][1]
    assert person["name"] == "Prime Minister of Georgia" and "unnamed" in person["flags"]


def test_memory_directory_matches_names_loosely():
    person = KnownPerson(1, "Salome Zourabichvili", "GE")
    directory = MemoryDirectory(
        [KnownPosition(person, "President", "GE", None, dt.date(2018, 12, 16), None)],
        aliases={"Саломе Зурабишвили": person},
    )
    assert directory.find_person("Salomé  ZOURABICHVILI") == person
    assert directory.find_person("Саломе Зурабишвили", "ru") == person
    assert directory.holders("president", country="GE", on=dt.date(2020, 1, 1))[0].person == person
    assert directory.holders("President", country="GE", on=dt.date(2010, 1, 1)) == []
    assert directory.positions_of(person, dt.date(2017, 1, 1)) == []


# --- parts ------------------------------------------------------------------------------------


def test_language_detection_and_unknown_language():
    assert extract_report("Der Bundeskanzler reist nach Georgien.")["report"]["language"] == "de"
    assert extract_report("Президент посетит Армению.")["report"]["language"] == "ru"
    hebrew = extract_report("ראש הממשלה הגיע לבריסל.", language="he")  # no cue file for Hebrew
    assert hebrew["report"]["reading"] == "partial" and hebrew["trips"] == []
    assert extract_report("Der Bundeskanzler reist nach Georgien.")["report"]["reading"] == "full"


def test_languages_are_the_lexicon_files():
    lexicon_dir = ROOT / "visits" / "extraction" / "lexicons"
    assert set(supported_languages()) == {p.stem for p in lexicon_dir.glob("*.json")}
    assert {"en", "fr", "de", "es", "ru"} <= set(supported_languages())


def test_topic_lexicons_cover_the_taxonomy():
    from visits.extraction import TOPICS
    from visits.extraction.lexicons import topic_keywords

    keywords = topic_keywords()
    assert set(keywords) <= set(TOPICS)
    for slug in set(TOPICS) - {"other"}:
        assert set(keywords[slug]) == set(supported_languages()), slug


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("fr", "Il est arrivé en Géorgie lundi.", ("2024-03-18", None, "day")),
        ("fr", "Il se rendra en Géorgie lundi.", ("2024-03-25", "2024-03-25", "day")),
        ("en", "He will travel to Georgia next week.", ("2024-03-25", "2024-03-31", "day")),
        ("de", "Er reist im Mai 2024 nach Georgien.", ("2024-05", "2024-05", "month")),
        ("es", "Viajará a Georgia el 25 de marzo.", ("2024-03-25", "2024-03-25", "day")),
        ("ru", "Он посетит Грузию 18–19 апреля.", ("2024-04-18", "2024-04-19", "day")),  # noqa: RUF001
        ("en", "He will visit Georgia in the autumn of 2024.", ("2024-09", "2024-11", "month")),
        ("fr", "Il a visité la Géorgie en 2023.", ("2023", "2023", "year")),
    ],
)
def test_stop_dates(language, text, expected):
    result = extract_report("Jens Stoltenberg. " + text, published=dt.date(2024, 3, 19), language=language)
    stop = result["trips"][0]["stops"][0]
    assert (stop["start"], stop["end"], result["trips"][0]["precision"]) == expected


@pytest.mark.parametrize(
    ("language", "phrase", "code"),
    [
        ("ru", "в Грузии", "GE"),
        ("de", "Georgiens", "GE"),
        ("fr", "d'Arménie", "AM"),
        ("fr", "en Arménie", "AM"),
        ("en", "in Yerevan", "AM"),
        ("ru", "в Ереване", "AM"),
        ("es", "en Ereván", "AM"),
        ("de", "in Eriwan", "AM"),
        ("fr", "à Bakou", "AZ"),
        ("en", "the Georgian", "GE"),
        ("ru", "грузинский", "GE"),
        ("fr", "géorgien", "GE"),
    ],
)
def test_places_in_every_form(language, phrase, code):
    from visits.extraction.toolkit import toolkit

    kit = toolkit(language)
    found = kit.gazetteer.find(kit.tokenize(phrase))
    assert [m.place.code for m in found] == [code]


def test_sentences_keep_exact_offsets_and_mark_furniture():
    from visits.extraction.sentences import split_sentences
    from visits.extraction.toolkit import toolkit

    kit = toolkit("fr")
    text = (
        "Titre de l'article\n\nPar [Jean Dupont](#)\n\nM. Stoltenberg est arrivé. Il repart le 19. mars.\n\n"
        "Une phrase coupée avant\n\nla fin du paragraphe.\n\nCopyright © Exemple, 2024"
    )
    sentences = split_sentences(text, kit.lexicon, set(kit.dates.months))
    for s in sentences:
        assert text[s.start : s.end] == s.text
    body = [s.text for s in sentences if not s.boilerplate]
    assert "M. Stoltenberg est arrivé." in body
    assert "Une phrase coupée avant\n\nla fin du paragraphe." in body
    assert not any("Copyright" in t or "Dupont" in t for t in body)


# --- improvements: meeting dates, topics, separate journeys, visitors hosted at home ---------------


def test_meeting_without_its_own_date_takes_the_day_of_its_stop(schema):
    text = (
        "Le ministre allemand des Affaires étrangères Peter Weber est arrivé lundi en Géorgie.\n\n"
        "Reçu par le Premier ministre Irakli Kobakhidzé, M. Weber a salué les réformes du pays."
    )
    result = run(text, "fr", "2025-04-16", schema)
    stop = only_trip(result)["stops"][0]
    assert (stop["country"], stop["start"]) == ("GE", "2025-04-14")
    meeting = next(m for m in result["meetings"] if any("Kobakh" in (p.get("name") or "") for p in m["participants"]))
    assert meeting["date"] == "2025-04-14"


def test_russian_integration_process_is_membership_and_the_meeting_is_dated(schema):
    text = (
        "Министр иностранных дел Франции Жан-Ноэль Барро в понедельник провёл переговоры в Тбилиси "
        "с премьер-министром Грузии Ираклием Кобахидзе о процессе интеграции страны в НАТО."  # noqa: RUF001
    )
    result = run(text, "ru", "2025-04-16", schema)
    (meeting,) = result["meetings"]
    assert meeting["date"] == "2025-04-14" and meeting["status"] == "held"
    assert "membership-process" in meeting["topics"]


@pytest.mark.parametrize(
    "language, text, slug",
    [
        (
            "en",
            "President Anna Berg met Prime Minister Jonas Holm in Oslo on Monday to discuss ammunition.",
            "defence-cooperation",
        ),
        (
            "de",
            "Kanzler Paul Lenz traf am Montag in Rom Ministerpräsident Marco Bini; es ging um Lieferketten.",
            "trade-investment",
        ),
        (
            "es",
            "El presidente Luis Mora se reunió el lunes en Rabat con el primer ministro Karim Alami para hablar de migrantes.",  # noqa: E501
            "migration",
        ),
    ],
)
def test_topic_cues_beyond_the_fixed_phrases(schema, language, text, slug):
    result = run(text, language, "2025-04-16", schema)
    topics = {t for m in result["meetings"] for t in m["topics"]} | {
        t for trip in result["trips"] for s in trip["stops"] for t in s["topics"]
    }
    assert slug in topics


def test_journeys_days_apart_are_separate_trips(schema):
    text = (
        "Prime Minister Lars Dahl of Norway visited Kyiv on 2 July 2024. "
        "He travelled to Moscow on 5 July 2024 and arrived in Beijing on 8 July 2024."
    )
    result = run(text, "en", "2024-07-08", schema)
    assert sorted(s["country"] for t in result["trips"] for s in t["stops"]) == ["CN", "RU", "UA"]
    assert len(result["trips"]) == 3


def test_a_tour_on_following_days_stays_one_trip(schema):
    text = (
        "Prime Minister Lars Dahl of Norway visited Baku on 17 March 2024. "
        "He arrived in Tbilisi on 18 March 2024. He travelled to Yerevan on 19 March 2024."
    )
    result = run(text, "en", "2024-03-20", schema)
    assert len(result["trips"]) == 1 and len(result["trips"][0]["stops"]) == 3


def test_a_visitor_hosted_at_home_gets_the_trip(schema):
    text = (
        "President of France Emmanuel Macron held talks in Paris on Tuesday with Indian Prime Minister Narendra Modi."
    )
    result = run(text, "en", "2025-04-16", schema)
    (trip,) = result["trips"]
    assert trip["traveller"]["name"] == "Narendra Modi"
    assert (trip["stops"][0]["country"], trip["stops"][0]["start"]) == ("FR", "2025-04-15")


def test_the_head_of_an_organisation_hosted_in_a_capital_gets_the_trip(schema):
    """An official of an international organisation has no home to be hosted in: met by a president
    in his capital, they are the visitor."""
    text = "President of Georgia Nino Example met UN Secretary-General Maria Sample in Tbilisi on Tuesday."
    result = run(text, "en", "2025-04-16", schema)
    (trip,) = result["trips"]
    assert trip["traveller"]["name"] == "Maria Sample"
    assert (trip["stops"][0]["country"], trip["stops"][0]["start"]) == ("GE", "2025-04-15")


def test_a_known_family_name_first_official_is_found_by_the_family_name(schema):
    """'Xi' alone is Xi Jinping, as 'Stoltenberg' alone is Jens Stoltenberg."""
    xi = KnownPerson(7, "Xi Jinping", "CN")
    directory = MemoryDirectory([KnownPosition(xi, "President", "CN", None, dt.date(2013, 3, 14), None)])
    text = (
        "President Xi arrived in Moscow on Monday for a state visit. "
        "On Tuesday Chinese President Xi Jinping met Prime Minister Mikhail Mishustin in Moscow."
    )
    result = extract_report(text, published=dt.date(2023, 3, 21), language="en", directory=directory)
    assert [trip["traveller"]["name"] for trip in result["trips"]] == ["Xi Jinping"]
    names = {p["name"] for meeting in result["meetings"] for p in meeting["participants"]}
    assert "Xi Jinping" in names and "Xi" not in names
