"""The founding example: NATO's Secretary General in the South Caucasus (Mondialisation.ca, 19 March 2024).

The report is read from ../shared/data/seed/. It is given to the engine as the ingestion's
cleaner leaves it (navigation, byline and legal lines removed) and also raw, lines included:
the result must be the same and no fact may come from those lines.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import jsonschema
import pytest

from visits.extraction import EmptyDirectory, KnownPerson, KnownPosition, MemoryDirectory, extract_report

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "data" / "seed" / "otan-caucase-du-sud-2024-03-19.fr.txt"
SCHEMA_PATHS = [
    ROOT.parent / "shared" / "docs" / "extraction.schema.json",
    ROOT / "tests" / "extraction_eval" / "extraction.schema.json",
]
PUBLISHED = dt.date(2024, 3, 19)
D = dt.date

STOLTENBERG = KnownPerson(1, "Jens Stoltenberg", None)
ALIYEV = KnownPerson(2, "Ilham Aliyev", "AZ")
GARIBASHVILI = KnownPerson(3, "Irakli Garibashvili", "GE")
KOBAKHIDZE = KnownPerson(4, "Irakli Kobakhidze", "GE")
ZOURABICHVILI = KnownPerson(5, "Salome Zourabichvili", "GE")
ZAKHAROVA = KnownPerson(6, "Maria Zakharova", "RU")


def directory() -> MemoryDirectory:
    return MemoryDirectory(
        [
            KnownPosition(STOLTENBERG, "Secretary General", None, "NATO", D(2014, 10, 1), D(2024, 10, 1)),
            KnownPosition(ALIYEV, "President", "AZ", None, D(2003, 10, 31), None),
            KnownPosition(GARIBASHVILI, "Prime Minister", "GE", None, D(2021, 2, 22), D(2024, 2, 8)),
            KnownPosition(KOBAKHIDZE, "Prime Minister", "GE", None, D(2024, 2, 8), None),
            KnownPosition(ZOURABICHVILI, "President", "GE", None, D(2018, 12, 16), D(2024, 12, 29)),
            KnownPosition(
                ZAKHAROVA,
                "Director of the Information and Press Department",
                "RU",
                "Ministry of Foreign Affairs",
                D(2015, 8, 10),
                None,
            ),
        ],
        aliases={"Irakli Garibachvili": GARIBASHVILI, "Salomé Zourabichvili": ZOURABICHVILI},
    )


@pytest.fixture(scope="module")
def raw() -> str:
    if not SEED.exists():
        pytest.skip(f"the seed report is not at {SEED}")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cleaned(raw) -> str:
    try:
        from visits.ingestion.clean import clean_plain_text
    except ImportError:  # the cleaner's simple rule: drop link-only, byline and legal lines
        return _strip(raw)
    return clean_plain_text(raw).text


def _strip(raw: str) -> str:
    legal = re.compile(r"copyright|droit d'auteur|non-responsabilit|source originale|media@|^par |^articles par", re.I)
    paragraphs = [p for p in re.split(r"\n\s*\n", raw) if p.strip()]
    body = [p for p in paragraphs if "](" not in p and not legal.search(p.strip()) and len(p.split()) > 6]
    return "\n\n".join(body)


@pytest.fixture(scope="module")
def schema() -> dict:
    for path in SCHEMA_PATHS:
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    pytest.skip("extraction.schema.json not found")


def extract(text: str, known: bool) -> dict:
    return extract_report(
        text, published=PUBLISHED, language="fr", directory=directory() if known else EmptyDirectory()
    )


def by_name(people: list[dict], name: str) -> dict:
    found = [p for p in people if p["name"] == name]
    assert len(found) == 1, [p["name"] for p in people]
    return found[0]


def meeting_with(result: dict, name: str) -> dict:
    found = [m for m in result["meetings"] if name in [p["name"] for p in m["participants"]]]
    assert len(found) == 1, result["meetings"]
    return found[0]


@pytest.mark.parametrize("source", ["cleaned", "raw"])
def test_seed_with_a_directory(request, schema, source):
    text = request.getfixturevalue(source)
    result = extract(text, known=True)
    jsonschema.validate(result, schema)

    # one trip: Stoltenberg, Secretary General of NATO, AZ -> GE -> AM, under way
    (trip,) = result["trips"]
    traveller = trip["traveller"]
    assert (traveller["name"], traveller["id"], traveller["role"], traveller["organization"]) == (
        "Jens Stoltenberg",
        1,
        "Secretary General",
        "NATO",
    )
    assert trip["status"] == "ongoing"
    assert [(s["country"], s["status"]) for s in trip["stops"]] == [
        ("AZ", "completed"),
        ("GE", "ongoing"),
        ("AM", "planned"),
    ]
    georgia = trip["stops"][1]
    assert georgia["start"] == "2024-03-18"
    assert trip["precision"] == "day"
    assert "partnership" in trip["stops"][2]["topics"]  # Armenia's individual partnership plan

    # held talks with Aliyev in Azerbaijan: partnership and energy security
    aliyev = meeting_with(result, "Ilham Aliyev")
    assert (aliyev["status"], aliyev["country"]) == ("held", "AZ")
    assert {"partnership", "energy-security"} <= set(aliyev["topics"])
    person = by_name(aliyev["participants"], "Ilham Aliyev")
    assert (person["role"], person["country"], person["flags"]) == ("President", "AZ", [])

    # held talks with "Garibachvili" in Georgia, who was no longer prime minister that day
    garibashvili = meeting_with(result, "Irakli Garibashvili")
    assert (garibashvili["status"], garibashvili["country"]) == ("held", "GE")
    assert "membership-process" in garibashvili["topics"]
    for people in (garibashvili["participants"], result["officials"]):
        person = by_name(people, "Irakli Garibashvili")
        assert person["as_written"] == "Irakli Garibachvili"
        assert (person["role"], person["country"]) == ("Prime Minister", "GE")
        assert person["flags"] == ["role-contradicts-known-position"]

    # a planned meeting with President Zourabichvili in Georgia
    zourabichvili = meeting_with(result, "Salome Zourabichvili")
    assert (zourabichvili["status"], zourabichvili["country"]) == ("planned", "GE")
    person = by_name(zourabichvili["participants"], "Salome Zourabichvili")
    assert (person["role"], person["country"], person["as_written"]) == ("President", "GE", "Salomé Zourabichvili")

    # Zakharova speaks, travels nowhere; the author is no official
    zakharova = by_name(result["officials"], "Maria Zakharova")
    assert zakharova["role"] == "spokesperson of the Ministry of Foreign Affairs" and zakharova["country"] == "RU"
    assert all(t["traveller"]["name"] == "Jens Stoltenberg" for t in result["trips"])
    assert {o["name"] for o in result["officials"]} == {
        "Jens Stoltenberg",
        "Ilham Aliyev",
        "Irakli Garibashvili",
        "Salome Zourabichvili",
        "Maria Zakharova",
    }
    assert len(result["meetings"]) == 3
    assert all(p["flags"] == [] for p in result["officials"] if p["name"] != "Irakli Garibashvili")


@pytest.mark.parametrize("source", ["cleaned", "raw"])
def test_seed_without_a_directory(request, schema, source):
    text = request.getfixturevalue(source)
    result = extract(text, known=False)
    jsonschema.validate(result, schema)
    assert {o["name"] for o in result["officials"]} == {
        "Jens Stoltenberg",
        "Ilham Aliyev",
        "Irakli Garibachvili",
        "Salomé Zourabichvili",
        "Maria Zakharova",
    }
    assert all(o["flags"] == [] and o["id"] is None for o in result["officials"])
    (trip,) = result["trips"]
    assert [(s["country"], s["status"]) for s in trip["stops"]] == [
        ("AZ", "completed"),
        ("GE", "ongoing"),
        ("AM", "planned"),
    ]
    assert meeting_with(result, "Irakli Garibachvili")["participants"][1]["country"] == "GE"
    assert meeting_with(result, "Salomé Zourabichvili")["participants"][1]["country"] == "GE"
    assert meeting_with(result, "Ilham Aliyev")["participants"][1]["country"] == "AZ"


@pytest.mark.parametrize("source", ["cleaned", "raw"])
def test_seed_evidence_is_exact_and_never_from_furniture(request, source):
    text = request.getfixturevalue(source)
    result = extract(text, known=True)
    quotes = []
    for fact in result["trips"] + result["meetings"]:
        for evidence in fact["evidence"]:
            assert text[evidence["start"] : evidence["end"]] == evidence["quote"]
            quotes.append(evidence["quote"])
    assert quotes
    furniture = ("Lemoine", "Copyright", "Mondialisation.ca", "](#)", "Avis de non-responsabilit", "media@")
    assert not [q for q in quotes if any(f in q for f in furniture)]
    georgia = [e["quote"] for e in result["trips"][0]["evidence"]]
    assert any("est arrivé en Géorgie lundi" in q for q in georgia)
    assert "Alexandre Lemoine" not in {o["name"] for o in result["officials"]}


def test_seed_extraction_is_pure_and_repeatable(cleaned):
    first = extract(cleaned, known=True)
    second = extract(cleaned, known=True)
    assert first == second
    assert first["report"]["published"] == "2024-03-19" and first["report"]["language"] == "fr"


def test_seed_publication_date_and_language_are_found_when_not_given(raw):
    result = extract_report(raw)
    assert result["report"]["language"] == "fr"
    assert result["report"]["published"] == "2024-03-19"  # from the dateline "Mondialisation.ca, 19 mars 2024"
    (trip,) = result["trips"]
    assert trip["stops"][1]["start"] == "2024-03-18"
