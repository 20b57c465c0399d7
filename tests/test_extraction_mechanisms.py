# ruff: noqa: RUF001  (Cyrillic letters and apostrophes that look alike are meant)
"""Engine mechanisms that cue files rely on, each on short sentences written for these tests.

Each test names the mechanism it checks: a lexicon city tied to its English name, the scripts a
language's place names are read in, the letters norm() folds, metonyms after a destination, dates
built from their parts, sentence starts in any alphabet, and month or weekday names that are also
ordinary words.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from visits.extraction import extract_report, lexicons
from visits.extraction.places import Gazetteer, gazetteer
from visits.extraction.text import norm, tokenize


def run(text: str, language: str, published: str = "2024-03-20") -> dict:
    result = extract_report(text, published=dt.date.fromisoformat(published), language=language)
    for fact in result["trips"] + result["meetings"]:
        for evidence in fact["evidence"]:
            assert text[evidence["start"] : evidence["end"]] == evidence["quote"]
    return result


def places_in(g: Gazetteer, phrase: str) -> list[tuple]:
    return [(m.place.code, m.place.city, m.place.kind) for m in g.find(tokenize(phrase, g.lexicon, g.lemmatizer))]


def gazetteer_with(monkeypatch, language: str, **changes) -> Gazetteer:
    """A gazetteer built from the language's lexicon with some keys changed (the cached one is untouched)."""
    lexicon = copy.deepcopy(lexicons.load(language))
    lexicon.update(changes)
    monkeypatch.setattr(lexicons, "load", lambda lang: lexicon if lang == language else lexicons.load(lang))
    return Gazetteer(language)


# --- 1. a lexicon city tied to its English (GeoNames) name --------------------------------------


def test_a_lexicon_city_may_give_its_english_name(monkeypatch):
    g = gazetteer_with(monkeypatch, "it", cities={"Vindobonae": ["AT", "Vienna"], "Lutetiae": "FR"})
    assert places_in(g, "Vindobonae") == [("AT", "Vienna", "city")]
    assert "Vienna" in g.capitals  # the English name says whether it is a capital
    assert places_in(g, "Lutetiae") == [("FR", "Lutetiae", "city")]  # a plain code: the form as written


def test_the_schema_takes_a_code_or_a_code_and_a_name():
    base = copy.deepcopy(lexicons.load("en"))
    path = Path("en.json")
    lexicons.validate({**base, "cities": {"Kyiv": "UA", "Kyivu": ["UA", "Kyiv"]}}, path)
    for bad in ({"Kyivu": ["UA"]}, {"Kyivu": ["UA", "Kyiv", "x"]}, {"Kyivu": "UKR"}, {"Kyivu": ["Ukraine", "Kyiv"]}):
        with pytest.raises(lexicons.LexiconError):
            lexicons.validate({**base, "cities": bad}, path)


def test_a_cue_file_city_with_its_english_name_reaches_the_stop():
    trip = run("O primeiro-ministro António Costa visitou Madri na segunda-feira.", "pt")["trips"]
    assert [(s["country"], s["city"]) for s in trip[0]["stops"]] == [("ES", "Madrid")]


# --- 2. the scripts a language's place names are written in -------------------------------------


@pytest.mark.parametrize(
    ("language", "phrase", "code", "city"),
    [
        ("el", "Βερολίνο", "DE", "Berlin"),
        ("ka", "თბილისი", "GE", "Tbilisi"),
        ("hy", "Երևան", "AM", "Yerevan"),
        ("ar", "القاهرة", "EG", "Cairo"),
        ("he", "ירושלים", "IL", "Jerusalem"),
        ("hi", "दिल्ली", "IN", "Delhi"),
        ("zh", "北京", "CN", "Beijing"),
        ("ja", "東京", "JP", "Tokyo"),
        ("ru", "Москва", "RU", "Moscow"),
        ("sr", "Beograd", "RS", "Belgrade"),
        ("sr", "Београд", "RS", "Belgrade"),
        ("de", "Lissabon", "PT", "Lisbon"),
    ],
)
def test_city_names_are_read_in_the_languages_script(language, phrase, code, city):
    assert places_in(gazetteer(language), phrase) == [(code, city, "city")]


def test_a_latin_language_ignores_names_in_other_scripts():
    assert places_in(gazetteer("de"), "Москва") == []
    assert places_in(gazetteer("ru"), "Moskau") == []


def test_serbian_reads_latin_country_names_from_cldr(monkeypatch):
    g = gazetteer_with(monkeypatch, "sr", countries={})  # without the cue file's own country forms
    assert [p[0] for p in places_in(g, "Španija")] == ["ES"]  # CLDR sr_Latn
    assert [p[0] for p in places_in(g, "Шпанија")] == ["ES"]  # CLDR sr


# --- 3. letters written two ways are folded -------------------------------------------------------


def test_norm_folds_romanian_cedillas_and_the_modifier_apostrophe():
    assert norm("Şedinţa ŢĂRII") == norm("Ședința ȚĂRII") == "ședința țării"
    assert norm("обʼєднання") == norm("об’єднання") == "об'єднання"


def test_a_cue_written_once_matches_both_romanian_spellings():
    from visits.extraction.text import Lemmatizer, PhraseMatcher

    lexicon = lexicons.load("ro")
    lemmatizer = Lemmatizer("ro", "simplemma")
    matcher = PhraseMatcher([("=s-a întâlnit cu", "meet"), ("ţară", "country")], lexicon, lemmatizer)
    for text in ("Ea s-a întâlnit cu ministrul țării.", "Ea s-a întâlnit cu ministrul ţării."):
        found = {m.value for m in matcher.find(tokenize(text, lexicon, lemmatizer))}
        assert found == {"meet", "country"}, text
    assert lemmatizer("Franţei")[0] == lemmatizer("Franței")[0]  # the cedilla form is lemmatized too


def test_the_modifier_apostrophe_is_an_apostrophe_in_tokens():
    lexicon = lexicons.load("it")
    tokens = tokenize("dellʼEuropa", lexicon)
    assert [t.text for t in tokens] == ["dellʼ", "Europa"]


# --- 4. capitals joined by a conjunction after a destination are destinations ---------------------


def stops_of(result: dict) -> list[tuple]:
    return [(s["country"], s["city"]) for trip in result["trips"] for s in trip["stops"]]


def test_capitals_after_a_destination_preposition_are_destinations():
    result = run("Ministrul de externe Ion Popescu va merge la Atena și Ankara săptămâna viitoare.", "ro")
    assert stops_of(result) == [("GR", "Athens"), ("TR", "Ankara")]


def test_capitals_right_after_a_travel_cue_are_destinations():
    result = run("Il ministro degli Esteri Marco Rossi ha visitato Mosca e Vienna la settimana scorsa.", "it")
    assert stops_of(result) == [("RU", "Moscow"), ("AT", "Vienna")]


def test_capitals_joined_without_a_destination_are_still_governments():
    result = run("Washington and Moscow traded accusations on Monday, the minister John Smith said.", "en")
    assert result["trips"] == []
    text = "Secretary of State John Smith visited Kyiv as Washington and Moscow traded accusations."
    assert stops_of(run(text, "en")) == [("UA", "Kyiv")]


# --- 5. dates built from their parts, the day on the side the language puts it --------------------


def date_mentions(language: str, text: str) -> list[tuple]:
    from visits.extraction.toolkit import toolkit

    kit = toolkit(language)
    return [(m.kind, m.year, m.month, m.day, m.day_end) for m in kit.dates.find(kit.tokenize(text))]


def test_date_order_comes_from_the_cldr_pattern():
    from babel import Locale

    from visits.extraction.dates import date_order

    assert date_order(Locale.parse("hu")) == "yMd"
    assert date_order(Locale.parse("en")) == "Mdy"
    assert date_order(Locale.parse("fr")) == "dMy"


def test_a_month_first_language_reads_the_day_after_the_month():
    assert date_mentions("hu", "2023. március 25-én érkezett.") == [("date", 2023, 3, 25, None)]
    assert date_mentions("hu", "május 2-án") == [("date", None, 5, 2, None)]
    # numbers on both sides of the month: the language's order decides which is the day
    assert date_mentions("fr", "le 3 mars 12 ministres")[0] == ("date", None, 3, 3, None)
    assert date_mentions("hu", "15 diák március 3-án")[0] == ("date", None, 3, 3, None)


def test_a_date_without_its_year_takes_the_nearest_year_in_any_order():
    from visits.extraction.dates import DateMention, date_finder

    finder = date_finder("hu")
    base = dt.date(2024, 3, 20)
    mention = DateMention(0, 2, "date", month=3, day=25)
    assert finder.resolve(mention, base, future=True).start == dt.date(2024, 3, 25)
    assert finder.resolve(mention, base, future=False).start == dt.date(2024, 3, 25)  # within a month
    december = DateMention(0, 2, "date", month=12, day=28)
    assert finder.resolve(december, base, future=False).start == dt.date(2023, 12, 28)
    assert finder.resolve(december, base, future=True).start == dt.date(2024, 12, 28)


def test_a_hungarian_planned_visit_keeps_its_day_and_year():
    trip = run("Anna Kovács külügyminiszter április 8-án Bécsbe látogat.", "hu")["trips"][0]
    assert trip["stops"][0]["start"] == "2024-04-08"


# --- 6. a sentence may start with a capital of any alphabet ---------------------------------------


@pytest.mark.parametrize("first", ["Čeka", "Ćirilica", "Šef", "Žena", "Đak", "Ђак", "Јуче", "Љубав", "Ωραία", "Жена"])
def test_a_capital_of_any_alphabet_starts_a_sentence(first):
    from visits.extraction.sentences import split_sentences

    text = f"Prva rečenica je ovde. {first} je druga."
    assert [s.text for s in split_sentences(text, {})] == ["Prva rečenica je ovde.", f"{first} je druga."]


def test_a_lower_case_word_after_a_full_stop_starts_no_sentence():
    from visits.extraction.sentences import split_sentences

    assert len(split_sentences("Stigao je u 10 č. ujutru u Beograd.", {})) == 1
    assert len(split_sentences("Ήρθε στις 10 π.μ. χθες.", {})) == 1


# --- 7. month and weekday names that are also ordinary words -------------------------------------


def test_a_weekday_whose_lemma_is_another_word_matches_only_as_written():
    found = date_mentions("ro", "Ministrul va sosi luna viitoare.")
    assert [m[0] for m in found] == ["period"]  # "luna" is no Monday ("luni" lemmatized is "lună")
    assert [m[0] for m in date_mentions("ro", "Ministrul sosește luni.")] == ["weekday"]


def test_a_month_name_the_cue_file_uses_as_a_word_needs_a_number_beside_it():
    assert date_mentions("ro", "Nu va mai merge la Viena.") == []  # "mai": more
    assert date_mentions("ro", "Va merge la Viena pe 5 mai.") == [("date", None, 5, 5, None)]
    assert date_mentions("ro", "Va merge la Viena în mai 2025.") == [("month", 2025, 5, None, None)]


def test_where_cldr_capitalises_months_a_lower_case_word_is_no_month():
    assert date_mentions("en", "The minister may travel to Vienna.") == []
    assert date_mentions("en", "The minister will travel to Vienna in May.") == [("month", None, 5, None, None)]
    assert date_mentions("en", "Farmers march to Brussels.") == []


def test_a_romanian_trip_next_month_is_not_dated_to_a_monday():
    trip = run("Ministrul de externe Ion Popescu va vizita Viena luna viitoare.", "ro")["trips"][0]
    assert trip["stops"][0]["start"] == "2024-04"


def test_a_call_report_keeps_no_journey_that_was_over_before_it():
    text = (
        "President Anna Lindqvist spoke by phone on Tuesday with Prime Minister Tomas Berg. "
        "Berg visited Ukraine last week, where he held talks in Kyiv. "
        "The two leaders agreed to stay in touch."
    )
    result = run(text, "en", published="2024-08-27")
    assert [t for t in result["trips"] if any(s["country"] == "UA" for s in t["stops"])] == []


def test_a_visit_report_keeps_the_journey_it_tells_of():
    text = "Prime Minister Tomas Berg arrived in Kyiv on Friday for talks with the Ukrainian government."
    result = run(text, "en", published="2024-08-23")
    assert [s["country"] for t in result["trips"] for s in t["stops"]] == ["UA"]


# --- the report's own date, read from its opening lines when none is given -----------------------------


def undated(text: str, language: str) -> dict:
    return extract_report(text, published=None, language=language)


def test_a_byline_timestamp_with_dashes_gives_the_report_its_day():
    text = "Talks in Ankara\n12-05-2023 09:15\nThe minister arrived in Türkiye today for talks with his counterpart."
    assert undated(text, "en")["report"]["published"] == "2023-05-12"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "Jens Stoltenberg arrived in Kyiv on Thursday, his first visit since the war began on 24 February 2022.",
            "en",
        ),
        (
            "Jens Stoltenberg llegó a Kiev el jueves, su primera visita desde que empezó la guerra el 24 de febrero"
            " de 2022.",
            "es",
        ),
    ],
)
def test_a_date_in_a_since_clause_is_not_the_reports_day(text, language):
    result = undated(text, language)
    assert result["report"]["published"] is None
    assert [s.get("start") for t in result["trips"] for s in t["stops"]] == [None]


def test_the_owner_of_a_travel_noun_is_the_traveller_not_the_subject():
    # the sentence's subject is the host; "Biden's arrival" says whose journey it is
    result = run(
        "Prime Minister Benjamin Netanyahu embraced Joe Biden upon Biden's arrival in Tel Aviv on Wednesday.", "en"
    )
    assert [(t["traveller"]["name"], [s["country"] for s in t["stops"]]) for t in result["trips"]] == [
        ("Joe Biden", ["IL"])
    ]


# --- Notices inside scraped text ---------------------------------------------------------------

SCRAPED_WITHOUT_BLANK_LINES = (
    "Die Ministerin Anna Beispiel ist am Dienstag zu einem Besuch in Georgien eingetroffen.\n"
    "In Tiflis traf sie den Regierungschef, um über Energie zu sprechen.\n"
    "Die Gespräche dauerten drei Stunden. © AFP\n"
    "Datenschutz | Impressum\n"
)


def test_a_notice_line_does_not_hide_the_article_it_ends():
    """Scraped pages often keep no blank lines: the article and its credit line are one paragraph.
    Only the notice's own line is furniture."""
    from visits.extraction.sentences import split_sentences

    sentences = split_sentences(SCRAPED_WITHOUT_BLANK_LINES, lexicons.load("de"))
    kept = [s.text for s in sentences if not s.boilerplate]
    assert kept[0].startswith("Die Ministerin") and len(kept) == 2
    assert all("Impressum" not in s and "AFP" not in s for s in kept)
    result = extract_report(SCRAPED_WITHOUT_BLANK_LINES, published=dt.date(2024, 3, 20), language="de")
    assert [stop["country"] for trip in result["trips"] for stop in trip["stops"]] == ["GE"]


def test_a_long_line_that_mentions_a_cue_word_is_news():
    from visits.extraction.sentences import split_sentences

    line = (
        "The minister said in Tbilisi that the new law on cookie banners and newsletter consent "
        + "would be discussed with European partners during the talks next week, " * 4
        + "officials confirmed."
    )
    (sentence,) = split_sentences(line, lexicons.load("en"))
    assert not sentence.boilerplate


def test_a_closed_compound_that_ends_in_a_role_is_the_role():
    """German writes roles as one word with their qualifier: the compound is a role, not a first name."""
    text = "Die Bundesaußenministerin Anna Beispiel ist am Donnerstag in Peking eingetroffen."
    result = extract_report(text, published=dt.date(2024, 4, 13), language="de")
    (trip,) = result["trips"]
    assert trip["traveller"]["name"] == "Anna Beispiel"
    (official,) = [o for o in result["officials"] if o["name"] == "Anna Beispiel"]
    assert official["role"] == "Minister of Foreign Affairs"


def test_a_stop_takes_a_topic_only_from_talks():
    """A subject named beside a visit was not discussed, as far as the report says; talks about it
    at the stop were, even with no counterpart named."""
    background = (
        "NATO Secretary General Jens Stoltenberg arrived in Baku on Monday. "
        "Azerbaijan supplies natural gas to Europe through a pipeline across Georgia."
    )
    talks = "NATO Secretary General Jens Stoltenberg arrived in Baku on Monday for talks on energy security."
    day = dt.date(2024, 3, 19)
    (stop,) = extract_report(background, published=day, language="en")["trips"][0]["stops"]
    assert stop["topics"] == []
    (stop,) = extract_report(talks, published=day, language="en")["trips"][0]["stops"]
    assert stop["topics"] == ["energy-security"]


def test_the_stop_under_way_holds_the_reports_day():
    """An arrival told without a date happens on the report's day; its end is not known."""
    text = "NATO Secretary General Jens Stoltenberg arrived in Kyiv on an unannounced visit."
    (stop,) = extract_report(text, published=dt.date(2023, 4, 20), language="en")["trips"][0]["stops"]
    assert (stop["status"], stop["start"], stop["end"]) == ("ongoing", "2023-04-20", None)
    (undated,) = extract_report(text, published=None, language="en")["trips"][0]["stops"]
    assert undated["start"] is None


def test_a_relative_day_is_no_first_name():
    """'Ieri Baerbock ha incontrato...': yesterday, Baerbock met; not a person called Ieri Baerbock."""
    from visits.extraction.directory import KnownPerson, KnownPosition, MemoryDirectory

    baerbock = KnownPerson(3, "Annalena Baerbock", "DE")
    directory = MemoryDirectory(
        [KnownPosition(baerbock, "Minister of Foreign Affairs", "DE", None, dt.date(2021, 12, 8), None)]
    )
    text = (
        "La ministra degli Esteri tedesca Annalena Baerbock è in Cina.\n"
        "- Ieri Baerbock ha incontrato il ministro degli Esteri cinese Qin Gang a Pechino."
    )
    result = extract_report(text, published=dt.date(2023, 4, 15), language="it", directory=directory)
    assert "Annalena Baerbock" in {o["name"] for o in result["officials"]}
    assert not any(o["name"].startswith("Ieri") for o in result["officials"])
