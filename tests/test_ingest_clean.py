"""Cleaning: plain-text boilerplate rules (with the seed article), HTML extraction, decoding."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import read_seed
from tests.test_ingest_support import visit_page
from visits.ingestion.clean import CleanError, clean_html, clean_plain_text, decode_bytes


@pytest.fixture(scope="module")
def seed() -> str:
    return read_seed().decode("utf-8")


def test_seed_metadata_recovered(seed):
    doc = clean_plain_text(seed)
    assert doc.title == seed.strip().splitlines()[0].strip()
    assert doc.author == "Alexandre Lemoine"
    assert doc.publisher == "Mondialisation.ca"
    assert doc.published == dt.date(2024, 3, 19)
    assert doc.language == "fr"


def test_seed_boilerplate_kept_out_of_text(seed):
    text = clean_plain_text(seed).text
    first_body_line = next(line for line in seed.splitlines() if line.startswith("Le secrétaire général"))
    assert text.startswith(first_body_line)
    for cue in ("Région", "Thème", "Par [", "](#)", "Copyright", "Avis de non-responsabilité", "Contact", "@"):
        assert cue not in text, cue
    assert doc_title_absent(seed, text)
    assert "qu'il ne quitte son poste" in text  # the sentence split over two paragraphs is rejoined
    assert text.rstrip().endswith(".")


def doc_title_absent(seed: str, text: str) -> bool:
    return seed.strip().splitlines()[0].strip() not in text


def test_general_rules_on_another_language():
    text = """Kanzler reist nach Warschau

Von Erika Musterfrau

Berlin, 12. März 2024

[Politik](/politik) | [Europa](/europa)
Thema: Außenpolitik

Der Bundeskanzler ist am Dienstag zu einem Besuch in Warschau eingetroffen, wo er mit dem
polnischen Ministerpräsidenten über die Unterstützung der Ukraine sprechen wird.

Beide Regierungen wollen außerdem die Zusammenarbeit bei der Energieversorgung und beim
Grenzschutz ausbauen, hieß es aus Regierungskreisen.

Teilen
© 2024 Beispielverlag. Alle Rechte vorbehalten.
Nachdruck nur mit Genehmigung des Verlags. Impressum und Datenschutz finden Sie auf unserer Webseite.
"""
    doc = clean_plain_text(text)
    assert (doc.title, doc.author, doc.published, doc.language) == (
        "Kanzler reist nach Warschau", "Erika Musterfrau", dt.date(2024, 3, 12), "de",
    )  # fmt: skip
    assert doc.text.startswith("Der Bundeskanzler") and doc.text.endswith("Regierungskreisen.")


def test_plain_text_without_header_keeps_everything():
    text = "The minister arrived in Ankara on Tuesday for two days of talks with his counterpart on trade."
    doc = clean_plain_text(text)
    assert doc.text == text and doc.title is None


def test_html_main_text_and_metadata():
    head = (
        '<meta property="article:published_time" content="2024-03-18T23:30:00+04:00">'
        '<link rel="canonical" href="https://news.example/world/visit">'
    )
    doc = clean_html(visit_page(extra_head=head).encode(), url="https://news.example/world/visit?utm_source=x")
    assert doc.title == "Secretary General visits Georgia" and doc.author == "Jane Reporter"
    assert doc.published == dt.date(2024, 3, 18)  # as printed, not converted from UTC
    assert doc.published_at == dt.datetime(2024, 3, 18, 19, 30, tzinfo=dt.UTC)
    assert doc.canonical_url == "https://news.example/world/visit" and doc.language == "en"
    assert doc.text.startswith("The Secretary General of the alliance arrived in Tbilisi")
    for noise in ("Home", "Politics", "Tweet", "Copyright", "All rights reserved", "By Jane"):
        assert noise not in doc.text


def test_html_text_is_nfc():
    decomposed = visit_page(title="Visite a\u0300 Tbilissi", lang="fr")
    assert clean_html(decomposed).title == "Visite à Tbilissi"


def test_decoding_order():
    text = "Le président a visité Erevan et Tbilissi la semaine dernière."
    assert decode_bytes(text.encode("cp1252"), declared="windows-1252") == text
    assert decode_bytes(f'<meta charset="iso-8859-1"><p>{text}</p>'.encode("latin-1"), html=True).endswith(
        f"{text}</p>"
    )
    assert text in decode_bytes(text.encode("latin-1"), declared="utf-8")  # declared charset does not fit
    with pytest.raises(CleanError):
        decode_bytes(bytes(range(256)) * 20)


def test_plain_text_without_blank_lines_ending_in_a_credit_is_kept():
    """A text pasted as one block of lines ends with the agency credit and an editors' note: the
    article is the text, not a legal notice (once the whole block was dropped: "empty page")."""
    body = (
        "The foreign minister arrived in Yerevan on Tuesday for two days of talks with her counterpart.\n"
        "She is expected to discuss the border process and trade before travelling on to Baku.\n"
        "Both sides called the meeting constructive. Copyright 2024 Example Agency. All rights reserved.\n"
    )
    text = clean_plain_text(body).text
    assert text.startswith("The foreign minister arrived in Yerevan")
    assert "travelling on to Baku" in text and "All rights reserved" not in text
