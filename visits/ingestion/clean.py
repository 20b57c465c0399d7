"""From a fetched body or a file to clean article text and its metadata.

HTML goes through trafilatura (main text, title, author, site name) and htmldate
(publication date); plain text through the rules of ``visits.ingestion.boilerplate``:
lines before the body (title, byline, dateline, navigation) become metadata, and
link-only lines, "Label: ..." lines, share buttons and the trailing block of credits
and legal notices are dropped. Both outputs are NFC-normalised.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import charset_normalizer
import htmldate
import lxml.html
import trafilatura
from lxml.etree import ParserError

from visits.extraction.language import detect_language
from visits.ingestion import boilerplate as bp

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
SNIFF_BYTES = 4096
MAX_TITLE_CHARS = 300
MAX_TITLE_WORDS = 25
BODY_MIN_WORDS = 12
BODY_LONG_WORDS = 25
DATELINE_MAX_WORDS = 12
PUBLISHER_MAX_WORDS = 5
MAX_REPLACEMENT_RATIO = 0.01
CHAOS_TIE = 0.01
PREFERRED_ENCODINGS = ("utf_8", "cp1252", "latin_1")
PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "dc.date.issued",
    "dcterms.created",
    "pubdate",
)


class CleanError(ValueError):
    """A body that cannot be turned into text (undecodable)."""


@dataclass
class CleanDocument:
    text: str
    title: str | None
    author: str | None
    publisher: str | None
    published: dt.date | None
    published_at: dt.datetime | None
    language: str | None
    canonical_url: str | None


# --- Decoding -------------------------------------------------------------------------------


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def decode_bytes(body: bytes, *, declared: str | None = None, html: bool = False) -> str:
    """Decode with the declared charset, then a meta charset (HTML), then charset-normalizer.

    A declared charset the bytes do not fit is ignored. Raises ``CleanError`` when
    no encoding fits (binary data).
    """
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    candidates = [_codec(declared)]
    if html:
        match = META_CHARSET.search(body[:SNIFF_BYTES])
        candidates.append(_codec(match.group(1).decode("ascii", "ignore")) if match else None)
    for codec in filter(None, dict.fromkeys(candidates)):
        try:
            return body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    best = _detected(body)
    if best is None:
        raise CleanError("the body is not text in any encoding that could be detected (binary data?)")
    text = str(best)
    if text.count("\ufffd") > MAX_REPLACEMENT_RATIO * max(len(text), 1):
        raise CleanError("the body decodes only to garbled text")
    return text


def _detected(body: bytes) -> charset_normalizer.CharsetMatch | None:
    """charset-normalizer's guess; among equally clean guesses, the common Western web encodings win
    (HTML's own rule maps latin-1 labels to windows-1252, the usual mislabelled charset)."""
    matches = charset_normalizer.from_bytes(body)
    best = matches.best()
    if best is None:
        return None
    tied = [match for match in matches if match.chaos <= best.chaos + CHAOS_TIE]
    return next((match for match in tied if match.encoding in PREFERRED_ENCODINGS), best)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


# --- Plain text -----------------------------------------------------------------------------


@dataclass
class _Meta:
    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    published: dt.date | None = None


def _groups(text: str) -> list[list[str]]:
    """Paragraphs as lists of their non-empty lines (paragraphs are separated by blank lines)."""
    groups: list[list[str]] = [[]]
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if line:
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [group for group in groups if group]


def _is_boilerplate_line(line: str, cues: bp.Cues) -> bool:
    return (
        bp.is_link_only(line)
        or bp.is_label_line(line, cues)
        or bp.byline_author(line, cues) is not None
        or bp.is_share_line(line, cues)
        or bp.strip_markdown_links(line).lower().startswith(("©", "copyright"))
    )


def _kept_text(group: list[str], cues: bp.Cues) -> str:
    """The group's text without its boilerplate lines. In a block of several lines (text pasted or
    scraped without blank lines) a legal line goes alone: an article ending "(c) AFP" is kept."""
    block = len(group) > 1
    return " ".join(
        bp.strip_markdown_links(line)
        for line in group
        if not (_is_boilerplate_line(line, cues) or (block and bp.is_legal(line, cues)))
    ).strip()


def _is_body(group: list[str], cues: bp.Cues) -> bool:
    text = _kept_text(group, cues)
    words = bp.word_count(text)
    if bp.is_legal(text, cues):
        return False
    return words >= BODY_LONG_WORDS or (words >= BODY_MIN_WORDS and bp.ends_sentence(text))


def _header_line_meta(line: str, meta: _Meta, cues: bp.Cues, language: str | None) -> None:
    bare = bp.strip_markdown_links(line).strip()
    author = bp.byline_author(line, cues)
    if author:
        meta.author = meta.author or author
        return
    if bp.is_link_only(line) or bp.word_count(bare) > DATELINE_MAX_WORDS:
        return
    found = bp.find_text_date(bare, language)
    if found is None:
        return
    meta.published = meta.published or found[0]
    start, end = found[1]
    rest = (bare[:start] + " " + bare[end:]).strip(" ,;:|·-\u2013\u2014")
    if rest and not bp.is_label_line(line, cues) and bp.word_count(rest) <= PUBLISHER_MAX_WORDS:
        meta.publisher = meta.publisher or rest


def _title_of(group: list[str], cues: bp.Cues) -> str | None:
    if len(group) != 1 or _is_boilerplate_line(group[0], cues):
        return None
    line = bp.strip_markdown_links(group[0]).strip()
    if len(line) > MAX_TITLE_CHARS or bp.word_count(line) > MAX_TITLE_WORDS or line.endswith("."):
        return None
    return line


def _header(groups: list[list[str]], cues: bp.Cues, language: str | None) -> _Meta:
    meta = _Meta()
    if groups:
        meta.title = _title_of(groups[0], cues)
    for group in groups[1:] if meta.title else groups:
        for line in group:
            _header_line_meta(line, meta, cues, language)
    return meta


def _cut_trailer(paragraphs: list[str], cues: bp.Cues) -> list[str]:
    """Drop the block of credits, signatures and legal notices that ends many articles."""
    end = len(paragraphs)
    while end > 1 and bp.is_trailer(paragraphs[end - 1], cues):
        end -= 1
    return paragraphs[:end]


def _join_broken(paragraphs: list[str]) -> list[str]:
    """Rejoin a sentence split over two paragraphs (no final punctuation, next starts in lowercase)."""
    joined: list[str] = []
    for paragraph in paragraphs:
        if joined and not bp.ends_sentence(joined[-1]) and paragraph[:1].islower():
            joined[-1] = f"{joined[-1]} {paragraph}"
        else:
            joined.append(paragraph)
    return joined


def _body(groups: list[list[str]], cues: bp.Cues) -> str:
    paragraphs = [text for group in groups if (text := _kept_text(group, cues))]
    paragraphs = [p for p in _cut_trailer(paragraphs, cues) if not bp.is_legal(p, cues)]
    return "\n\n".join(_join_broken(paragraphs))


def clean_plain_text(text: str) -> CleanDocument:
    """Clean text and metadata from plain text (or markdown-ish text copied from a page)."""
    text = _normalize(text)
    groups = _groups(text)
    language_hint = detect_language(bp.strip_markdown_links(text))
    cues = bp.cues_for(language_hint)
    first = 1 if len(groups) > 1 and _title_of(groups[0], cues) else 0
    start = next((i for i in range(first, len(groups)) if _is_body(groups[i], cues)), None)
    if start is None:
        meta, body = _Meta(), _body(groups, cues)
    else:
        meta, body = _header(groups[:start], cues, language_hint), _body(groups[start:], cues)
    return CleanDocument(
        text=body,
        title=meta.title,
        author=meta.author,
        publisher=meta.publisher,
        published=meta.published,
        published_at=None,
        language=detect_language(body) or language_hint,
        canonical_url=None,
    )


# --- HTML -----------------------------------------------------------------------------------


def _tree(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.fromstring(html)
    except (ParserError, ValueError):
        return None


def _meta_content(tree: lxml.html.HtmlElement, names: tuple[str, ...]) -> str | None:
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").lower()
        if key in names and element.get("content"):
            return element.get("content").strip()
    for element in tree.iter("time"):
        if element.get("itemprop", "").lower() == "datepublished" and element.get("datetime"):
            return element.get("datetime").strip()
    return None


def _published_at(tree: lxml.html.HtmlElement | None) -> tuple[dt.date | None, dt.datetime | None]:
    """The printed date and, when a time with an offset is given, the UTC instant."""
    value = _meta_content(tree, PUBLISHED_META) if tree is not None else None
    if not value:
        return None, None
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None, None
    if stamp.tzinfo is None:
        return stamp.date(), None
    return stamp.date(), stamp.astimezone(dt.UTC)


def _canonical(tree: lxml.html.HtmlElement | None) -> str | None:
    if tree is None:
        return None
    for element in tree.iter("link"):
        if "canonical" in (element.get("rel") or "").lower().split() and element.get("href"):
            return element.get("href").strip()
    return _meta_content(tree, ("og:url",))


def _htmldate(html: str, url: str | None) -> dt.date | None:
    try:
        found = htmldate.find_date(html, original_date=True, extensive_search=False, url=url)
    except (ValueError, TypeError):
        return None
    return dt.date.fromisoformat(found) if found else None


def _html_text(text: str, title: str | None, cues: bp.Cues) -> tuple[str, str | None]:
    """Apply the line rules to trafilatura's text (without a repeated title); returns it and a byline's author."""
    lines = [line for line in text.split("\n") if line.strip()]
    if lines and title and lines[0].strip() == title.strip():
        lines = lines[1:]
    author = next((a for line in lines if (a := bp.byline_author(line, cues))), None)
    return _body([[line] for line in lines], cues), author


def clean_html(body: bytes | str, *, url: str | None = None, encoding: str | None = None) -> CleanDocument:
    """Main text and metadata of an HTML page; ``encoding`` is the charset the server declared."""
    html = _normalize(body if isinstance(body, str) else decode_bytes(body, declared=encoding, html=True))
    tree = _tree(html) if html.strip() else None
    extracted = None
    if tree is not None:
        extracted = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
        )
    raw_text = _normalize(extracted.text or "") if extracted is not None else ""
    language = detect_language(raw_text)
    title = (extracted.title or None) if extracted is not None else None
    text, byline = _html_text(raw_text, title, bp.cues_for(language))
    printed, instant = _published_at(tree)
    published = printed or (_htmldate(html, url) if tree is not None else None)
    return CleanDocument(
        text=text,
        title=title,
        author=(extracted.author or byline) if extracted is not None else None,
        publisher=(extracted.sitename or None) if extracted is not None else None,
        published=published,
        published_at=instant,
        language=language or _declared_language(tree),
        canonical_url=_canonical(tree),
    )


def _declared_language(tree: lxml.html.HtmlElement | None) -> str | None:
    lang = (tree.get("lang") or "") if tree is not None else ""
    return lang.split("-")[0].lower() or None
