"""URL normalisation and content hashing."""

import pytest

from visits.ingestion.urls import content_hash, normalize_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM:443/News/Story/?b=2&a=1#comments", "https://example.com/News/Story?a=1&b=2"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/a/", "http://example.com:8080/a"),
        ("https://example.com/a?utm_source=x&utm_medium=y&fbclid=1&gclid=2&id=7", "https://example.com/a?id=7"),
        ("https://example.com/?utm_campaign=z", "https://example.com/"),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
    ],
)
def test_normalize_url(url, expected):
    assert normalize_url(url) == expected


def test_two_spellings_of_one_url_normalise_alike():
    a = normalize_url("https://www.example.com/world/visit/?utm_source=rss&page=1")
    b = normalize_url("https://WWW.example.com:443/world/visit?page=1#top")
    assert a == b


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "javascript:alert(1)", "/relative/path", "", "http://", "http://u:p@example.com/"]
)
def test_normalize_url_refuses_non_http(url):
    with pytest.raises(ValueError):
        normalize_url(url)


def test_content_hash_ignores_case_whitespace_and_composition():
    decomposed = "Le ministre a visite\u0301 Tbilissi.\n\n  Puis   Erevan."
    composed = "LE MINISTRE A VISITÉ TBILISSI. PUIS EREVAN."
    assert content_hash(decomposed) == content_hash(composed)
    assert content_hash("one text") != content_hash("another text")
    assert len(content_hash("x")) == 64
