"""Helpers shared by the per-language tests of the cue files (tests/test_lexicon_*.py)."""

from __future__ import annotations


def check_evidence(text: str, result: dict, *, required: bool = True) -> dict:
    """Every quote of every trip and meeting is the text at its offsets (and, when ``required``, each has one)."""
    for fact in result["trips"] + result["meetings"]:
        if required:
            assert fact["evidence"], fact
        for evidence in fact["evidence"]:
            assert text[evidence["start"] : evidence["end"]] == evidence["quote"]
    return result


def only_trip(result: dict) -> dict:
    assert len(result["trips"]) == 1, result["trips"]
    return result["trips"][0]


def official(result: dict, name: str) -> dict:
    found = [o for o in result["officials"] if o["name"] == name]
    assert found, [o["name"] for o in result["officials"]]
    return found[0]


def counterpart(meeting: dict, written: str) -> dict:
    """The participant after the traveller whose name, as written, contains ``written``."""
    found = [p for p in meeting["participants"][1:] if written in (p["as_written"] or "")]
    assert found, meeting["participants"]
    return found[0]


def found_place(language: str, phrase: str) -> tuple:
    """The one place the language's gazetteer finds in ``phrase``: (country code, city)."""
    from visits.extraction.toolkit import toolkit

    kit = toolkit(language)
    places = kit.gazetteer.find(kit.tokenize(phrase))
    assert len(places) == 1, places
    return places[0].place.code, places[0].place.city
