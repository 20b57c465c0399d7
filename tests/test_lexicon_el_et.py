# ruff: noqa: RUF001  (Greek reports: Greek letters that look Latin are meant)
"""Greek and Estonian cue files (el.json, et.json) on short reports written for these tests.

The reports are our own words about plausible trips: an arrival in a capital with talks there, a
visit planned for next week, a phone call or video link (no trip, no meeting), a cancelled and a
postponed visit. Names stay as written, in the case the sentence puts them ("Κυριάκο Μητσοτάκη",
"Zelenskiga"): simplemma gives no nominative for them.
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


@pytest.mark.parametrize("language", ["el", "et"])
def test_cue_files_load_and_use_simplemma(language):
    lexicon = load(language)
    assert lexicon["language"] == language and lexicon["lemmatizer"] == "simplemma"


@pytest.mark.parametrize(
    ("language", "phrase", "code", "city"),
    [
        ("el", "στην Αθήνα", "GR", "Athens"),
        ("el", "της Αθήνας", "GR", "Athens"),
        ("el", "στο Κίεβο", "UA", "Kyiv"),
        ("el", "στη Μόσχα", "RU", "Moscow"),
        ("el", "της Μόσχας", "RU", "Moscow"),
        ("el", "στο Πεκίνο", "CN", "Beijing"),
        ("el", "του Πεκίνου", "CN", "Beijing"),
        ("el", "στην Ουάσιγκτον", "US", "Washington"),
        ("el", "στις Βρυξέλλες", "BE", "Brussels"),
        ("el", "των Βρυξελλών", "BE", "Brussels"),
        ("el", "στο Παρίσι", "FR", "Paris"),
        ("el", "στο Βερολίνο", "DE", "Berlin"),
        ("el", "στη Λευκωσία", "CY", "Nicosia"),
        ("el", "στις ΗΠΑ", "US", None),
        ("el", "στην Κύπρο", "CY", None),
        ("el", "της Γαλλίας", "FR", None),
        ("el", "στον Καναδά", "CA", None),
        ("et", "Kiievisse", "UA", "Kyiv"),
        ("et", "Kiievis", "UA", "Kyiv"),
        ("et", "Moskvasse", "RU", "Moscow"),
        ("et", "Pekingis", "CN", "Beijing"),
        ("et", "Brüsselis", "BE", "Brussels"),
        ("et", "Washingtoni", "US", "Washington"),
        ("et", "Ateenasse", "GR", "Athens"),
        ("et", "Pariisis", "FR", "Paris"),
        ("et", "Berliini", "DE", "Berlin"),
        ("et", "Varssavit", "PL", "Warsaw"),
        ("et", "Genfis", "CH", "Geneva"),
        ("et", "Ukrainasse", "UA", None),
        ("et", "Venemaale", "RU", None),
        ("et", "USA-sse", "US", None),
        ("et", "Ameerika Ühendriikides", "US", None),
        ("et", "Suurbritanniasse", "GB", None),
    ],
)
def test_inflected_places_are_found(language, phrase, code, city):
    kit = toolkit(language)
    tokens = kit.tokenize(phrase)
    (place,) = kit.gazetteer.find(tokens)
    assert (place.place.code, place.place.city) == (code, city)
    assert tokens[place.end - 1].end == len(phrase)  # the whole name, not a part of it


@pytest.mark.parametrize("phrase", ["στην Άγκυρα", "της Άγκυρας"])
def test_greek_ankara_is_found_in_turkey(phrase):
    """GeoNames has no Greek name for Ankara: the lexicon's form, tied to its English name, names the city."""
    kit = toolkit("el")
    (place,) = kit.gazetteer.find(kit.tokenize(phrase))
    assert (place.place.kind, place.place.code, place.place.city) == ("city", "TR", "Ankara")


@pytest.mark.parametrize(
    ("language", "phrase", "code"),
    [
        ("el", "Τούρκος", "TR"),
        ("el", "Τούρκο", "TR"),
        ("el", "Γερμανίδα", "DE"),
        ("el", "αμερικανικής", "US"),
        ("el", "τουρκική", "TR"),
        ("el", "ρωσικής", "RU"),
        ("et", "Saksa", "DE"),
        ("et", "Prantsuse", "FR"),
        ("et", "Briti", "GB"),
        ("et", "Inglise", "GB"),
        ("et", "Vene", "RU"),
    ],
)
def test_demonyms(language, phrase, code):
    kit = toolkit(language)
    (place,) = kit.gazetteer.find(kit.tokenize(phrase))
    assert (place.place.kind, place.place.code) == ("demonym", code)


@pytest.mark.parametrize(("language", "word"), [("el", "αραβικές"), ("et", "araabia"), ("et", "portugali")])
def test_no_wrong_demonym(language, word):
    kit = toolkit(language)
    found = kit.gazetteer.find(kit.tokenize(word))
    assert all(p.place.code not in {"EG", "BR"} for p in found)


# --- Greek -------------------------------------------------------------------------------------


def test_greek_arrival_in_ankara_with_talks():
    text = (
        "Ο πρωθυπουργός Κυριάκος Μητσοτάκης έφτασε τη Δευτέρα στην Άγκυρα. Στην τουρκική πρωτεύουσα είχε "
        "συνομιλίες με τον Τούρκο πρόεδρο Ρετζέπ Ταγίπ Ερντογάν για το μεταναστευτικό και την ενέργεια."
    )
    result = read(text, "el")
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Κυριάκος Μητσοτάκης" and trip["traveller"]["role"] == "Prime Minister"
    assert stops(trip) == [("TR", "ongoing")] and trip["stops"][0]["start"] == "2025-03-17"
    (meeting,) = result["meetings"]
    other = counterpart(meeting, "Ερντογάν")
    assert (other["role"], other["country"]) == ("President", "TR")
    assert meeting["country"] == "TR" and meeting["status"] == "held" and meeting["kind"] == "talks"
    assert meeting["date"] == "2025-03-17"
    assert {"migration", "energy-security"} <= set(meeting["topics"])


def test_greek_arrival_in_brussels_today():
    text = (
        "Ο πρόεδρος της Ουκρανίας Βολοντίμιρ Ζελένσκι έφτασε σήμερα στις Βρυξέλλες, όπου συναντήθηκε με "
        "την πρόεδρο της Ευρωπαϊκής Επιτροπής Ούρσουλα φον ντερ Λάιεν."
    )
    result = read(text, "el")
    trip = only_trip(result)
    assert trip["traveller"]["country"] == "UA"
    assert stops(trip) == [("BE", "ongoing")] and trip["stops"][0]["city"] == "Brussels"
    assert trip["stops"][0]["start"] == "2025-03-19"
    (meeting,) = result["meetings"]
    assert counterpart(meeting, "Λάιεν")["role"] == "President"
    official = next(o for o in result["officials"] if "Λάιεν" in o["name"])
    assert official["organization"] == "European Commission"


@pytest.mark.parametrize(
    "text",
    [
        "Ο πρόεδρος της Γαλλίας Εμανουέλ Μακρόν θα επισκεφθεί την επόμενη εβδομάδα την Αθήνα, όπου θα "
        "συναντηθεί με τον πρωθυπουργό Κυριάκο Μητσοτάκη.",
        "Ο Γάλλος πρόεδρος Εμανουέλ Μακρόν αναμένεται την επόμενη εβδομάδα στην Αθήνα, όπου θα έχει "
        "συνομιλίες με τον πρωθυπουργό Κυριάκο Μητσοτάκη.",
    ],
)
def test_greek_visit_planned_next_week(text):
    result = read(text, "el")
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Εμανουέλ Μακρόν" and trip["traveller"]["country"] == "FR"
    assert stops(trip) == [("GR", "planned")] and trip["stops"][0]["city"] == "Athens"
    assert (trip["stops"][0]["start"], trip["stops"][0]["end"]) == ("2025-03-24", "2025-03-30")
    (meeting,) = result["meetings"]
    assert meeting["status"] == "planned" and meeting["country"] == "GR"
    assert counterpart(meeting, "Μητσοτάκη")["role"] == "Prime Minister"


@pytest.mark.parametrize(
    "text",
    [
        "Ο υπουργός Εξωτερικών Γιώργος Γεραπετρίτης είχε τηλεφωνική επικοινωνία με τον Τούρκο ομόλογό του "
        "Χακάν Φιντάν.",
        "Ο πρωθυπουργός Κυριάκος Μητσοτάκης συνομίλησε μέσω τηλεδιάσκεψης με τον πρόεδρο της Ουκρανίας "
        "Βολοντίμιρ Ζελένσκι για την ειρηνευτική διαδικασία.",
    ],
)
def test_greek_remote_contact_is_no_trip_and_no_meeting(text):
    result = read(text, "el")
    assert result["trips"] == [] and result["meetings"] == []


def test_greek_counterpart_takes_the_demonym_not_the_caller():
    text = (
        "Ο υπουργός Εξωτερικών Γιώργος Γεραπετρίτης είχε τηλεφωνική επικοινωνία με τον Τούρκο ομόλογό του Χακάν Φιντάν."
    )
    officials = {o["name"]: o for o in read(text, "el")["officials"]}
    assert officials["Χακάν Φιντάν"]["country"] == "TR"
    assert officials["Γιώργος Γεραπετρίτης"]["country"] != "TR"


def test_greek_cancelled_visit():
    text = "Ο γενικός γραμματέας του ΝΑΤΟ Μαρκ Ρούτε ακύρωσε την προγραμματισμένη επίσκεψή του στο Κίεβο."
    result = read(text, "el")
    trip = only_trip(result)
    assert trip["traveller"]["organization"] == "NATO"
    assert stops(trip) == [("UA", "cancelled")] and trip["status"] == "cancelled"
    assert result["meetings"] == []


def test_greek_postponed_visit_gets_next_month():
    text = "Η επίσκεψη του προέδρου της Τσεχίας Πετρ Πάβελ στη Βαρσοβία αναβλήθηκε για τον επόμενο μήνα."
    trip = only_trip(read(text, "el"))
    assert trip["traveller"]["country"] == "CZ"
    assert stops(trip) == [("PL", "postponed")] and trip["stops"][0]["start"] == "2025-04"


# --- Estonian ----------------------------------------------------------------------------------


def test_estonian_arrival_in_kyiv_with_talks():
    text = (
        "Leedu president Gitanas Nausėda saabus esmaspäeval Kiievisse. Kiievis pidas ta kõnelusi Ukraina "
        "presidendi Volodõmõr Zelenskiga relvaabi üle."
    )
    result = read(text, "et")
    trip = only_trip(result)
    assert trip["traveller"]["name"] == "Gitanas Nausėda" and trip["traveller"]["country"] == "LT"
    assert stops(trip) == [("UA", "ongoing")]
    assert trip["stops"][0]["city"] == "Kyiv" and trip["stops"][0]["start"] == "2025-03-17"
    (meeting,) = result["meetings"]
    other = counterpart(meeting, "Zelenski")
    assert (other["role"], other["country"]) == ("President", "UA")
    assert meeting["country"] == "UA" and meeting["status"] == "held" and meeting["kind"] == "talks"
    assert meeting["date"] == "2025-03-17"
    assert "defence-cooperation" in meeting["topics"]


def test_estonian_arrival_in_brussels_today():
    text = (
        "Prantsuse president Emmanuel Macron saabus täna Brüsselisse, kus ta kohtus Euroopa Komisjoni "
        "presidendi Ursula von der Leyeniga."
    )
    result = read(text, "et")
    trip = only_trip(result)
    assert trip["traveller"]["country"] == "FR"
    assert stops(trip) == [("BE", "ongoing")] and trip["stops"][0]["city"] == "Brussels"
    (meeting,) = result["meetings"]
    assert meeting["status"] == "held" and meeting["country"] == "BE"
    assert counterpart(meeting, "Leyen")["role"] == "President"


@pytest.mark.parametrize(
    ("text", "code", "city", "host"),
    [
        (
            "Soome president Alexander Stubb külastab järgmisel nädalal Tallinna, kus ta kohtub Eesti "
            "peaministri Kristen Michaliga.",
            "EE",
            "Tallinn",
            "Michal",
        ),
        (
            "Saksa kantsler Friedrich Merz kavatseb järgmisel nädalal külastada Varssavit, kus ta kohtub Poola "
            "peaministri Donald Tuskiga.",
            "PL",
            "Warsaw",
            "Tusk",
        ),
    ],
)
def test_estonian_visit_planned_next_week(text, code, city, host):
    result = read(text, "et")
    trip = only_trip(result)
    assert stops(trip) == [(code, "planned")] and trip["stops"][0]["city"] == city
    assert (trip["stops"][0]["start"], trip["stops"][0]["end"]) == ("2025-03-24", "2025-03-30")
    (meeting,) = result["meetings"]
    assert meeting["status"] == "planned" and meeting["country"] == code
    other = counterpart(meeting, host)
    assert (other["role"], other["country"]) == ("Prime Minister", code)


@pytest.mark.parametrize(
    "text",
    [
        "Eesti välisminister Margus Tsahkna pidas telefonivestluse Prantsusmaa välisministri Jean-Noël Barrot'ga.",
        "Peaminister Kristen Michal arutas videosilla vahendusel Ukraina presidendi Volodõmõr Zelenskiga "
        "rahuprotsessi.",
    ],
)
def test_estonian_remote_contact_is_no_trip_and_no_meeting(text):
    result = read(text, "et")
    assert result["trips"] == [] and result["meetings"] == []


def test_estonian_cancelled_visit():
    result = read("NATO peasekretär Mark Rutte tühistas oma kavandatud visiidi Vilniusesse.", "et")
    trip = only_trip(result)
    assert trip["traveller"]["organization"] == "NATO"
    assert stops(trip) == [("LT", "cancelled")] and trip["status"] == "cancelled"
    assert result["meetings"] == []


def test_estonian_postponed_visit_gets_next_month():
    text = "Tšehhi presidendi Petr Paveli visiit Bratislavasse lükati edasi järgmisele kuule."
    trip = only_trip(read(text, "et"))
    assert trip["traveller"]["country"] == "CZ"
    assert stops(trip) == [("SK", "postponed")] and trip["stops"][0]["start"] == "2025-04"


def test_estonian_past_trip_yesterday():
    trip = only_trip(read("Läti peaminister Evika Siliņa sõitis eile Moskvasse.", "et"))
    assert stops(trip) == [("RU", "completed")] and trip["stops"][0]["city"] == "Moscow"
    assert trip["stops"][0]["start"] == "2025-03-18"
