"""The one path from bytes, a file or a URL to a clean document: ingestion, the API preview and
``manage.py extract`` all read reports through it, so they see the same text."""

from __future__ import annotations

from pathlib import Path

from visits.ingestion.clean import CleanDocument, CleanError, clean_html, clean_plain_text, decode_bytes
from visits.ingestion.fetch import ARTICLE_TYPES, HTML_TYPES, FetchError, fetch_url

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
HTML_STARTS = (b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")


class DocumentError(CleanError):
    """A source that gives no readable text: unreachable, refused, undecodable or empty."""


def looks_like_html(body: bytes, filename: str = "") -> bool:
    if filename.lower().endswith(HTML_SUFFIXES):
        return True
    return body[:2048].lstrip().lower().startswith(HTML_STARTS)


def document_from_bytes(
    body: bytes,
    *,
    content_type: str | None = None,
    encoding: str | None = None,
    url: str | None = None,
    filename: str = "",
) -> CleanDocument:
    """Clean ``body`` as HTML (by its declared type, its name or its first bytes) or as plain text."""
    html = (content_type in HTML_TYPES) if content_type else looks_like_html(body, filename)
    try:
        if html:
            document = clean_html(body, url=url, encoding=encoding)
        else:
            document = clean_plain_text(decode_bytes(body, declared=encoding))
    except CleanError as exc:
        raise DocumentError(str(exc)) from exc
    if not document.text.strip():
        raise DocumentError("empty page: no article text found")
    return document


def read_document(path: Path | str) -> CleanDocument:
    path = Path(path)
    if not path.exists():
        raise DocumentError(f"no such file: {path}")
    if not path.is_file():
        raise DocumentError(f"not a file: {path}")
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return document_from_bytes(body, filename=path.name)


def fetch_document(url: str) -> CleanDocument:
    """GET ``url`` with the ingestion's safety checks (SSRF, size, redirects) and clean it."""
    try:
        fetched = fetch_url(url, accept=ARTICLE_TYPES)
    except FetchError as exc:
        raise DocumentError(str(exc)) from exc
    document = document_from_bytes(
        fetched.body, content_type=fetched.content_type, encoding=fetched.encoding, url=fetched.url
    )
    document.canonical_url = document.canonical_url or fetched.url
    return document
