"""Parsing of the HSG XML files into checked records: one ``TravelRecord`` per ``<trip>`` (a country
stop), one ``VisitRecord`` per ``<visit>``, and the presidents' terms. A malformed file or an invalid
record is an ``HsgError`` naming the file, the record and the line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.text import slugify
from lxml import etree

from visits.dates import Precision, period_bounds
from visits.geo import HSG_COUNTRY_SLUGS
from visits.importers.hsg.names import clean

ROLE_TITLES = {"president": "President", "secretary": "Secretary of State"}


class HsgError(Exception):
    """A problem with one file or record: it names the file and, when known, the record."""

    def __init__(self, file: str, message: str, *, record: str | None = None, line: int | None = None) -> None:
        self.file, self.record, self.line, self.message = file, record, line, message
        where = file + (f", record {record}" if record else "") + (f", line {line}" if line else "")
        super().__init__(f"{where}: {message}")

    def as_problem(self) -> dict[str, Any]:
        return {"file": self.file, "record": self.record, "line": self.line, "error": self.message}


@dataclass
class TravelRecord:
    """One ``<trip>`` element: a country stop of a president or a secretary of state."""

    id: int
    role: str
    who: str
    name: str
    start: dt.date
    end: dt.date
    precision: str
    slug: str
    country: str
    country_text: str
    locale: str
    remarks: str
    file: str
    index: int
    duplicate_ids: list[int] = field(default_factory=list)

    @property
    def external_id(self) -> str:
        return f"hsg-travels:{self.id}"

    def content_key(self) -> tuple:
        """Everything but the id: records with equal keys are duplicates."""
        return (self.role, self.who, self.name, self.start, self.end, self.slug, self.country_text, self.locale,
                self.remarks)  # fmt: skip


@dataclass
class VisitRecord:
    """One ``<visit>`` element: a foreign leader's visit to the United States."""

    id: int
    start: dt.date
    end: dt.date
    precision: str
    visitor: str
    slug: str
    country: str
    country_text: str
    description: str
    file: str
    index: int

    @property
    def external_id(self) -> str:
        return f"hsg-visits:{self.id}"


def _text(element: etree._Element, tag: str) -> str:
    child = element.find(tag)
    return clean("".join(child.itertext())) if child is not None else ""


def parse_file(path: Path, root_tag: str, label: str) -> list[etree._Element]:
    """The record elements of one XML file; HsgError for an empty, malformed or foreign file."""
    if path.stat().st_size == 0 or not path.read_bytes().strip():
        raise HsgError(label, "empty file")
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError as exc:
        raise HsgError(label, f"malformed XML: {exc.msg}", line=exc.lineno) from None
    record_tag = {"trips": "trip", "visits": "visit"}[root_tag]
    if root.tag != root_tag:
        raise HsgError(label, f"expected a <{root_tag}> document, found <{root.tag}>")
    return list(root.iter(record_tag))


def _record_id(element: etree._Element, label: str) -> int:
    raw = _text(element, "id")
    if not raw.isdigit():
        raise HsgError(label, f"missing or invalid <id> {raw!r}", line=element.sourceline)
    return int(raw)


def _dates(element: etree._Element, label: str, record: str) -> tuple[dt.date, dt.date, str]:
    """Start, end and precision; an impossible or reversed date is an HsgError."""
    try:
        start, _, precision = period_bounds(_text(element, "start-date"))
        end_text = _text(element, "end-date")
        _, end, end_precision = period_bounds(end_text) if end_text else (None, start, precision)
    except ValueError as exc:
        raise HsgError(label, f"bad date: {exc}", record=record, line=element.sourceline) from None
    if end < start:
        raise HsgError(label, f"end date {end} before start date {start}", record=record, line=element.sourceline)
    widest = max((precision, end_precision), key=[Precision.DAY, Precision.MONTH, Precision.YEAR].index)
    return start, end, str(widest)


def _country(element: etree._Element, tag: str, label: str, record: str) -> tuple[str, str, str]:
    """(slug, ISO code, name as written); an unknown or missing slug is an HsgError."""
    node = element.find(tag)
    slug = (node.get("id") or "").strip() if node is not None else ""
    if not slug:
        raise HsgError(label, f"missing <{tag}> country slug", record=record, line=element.sourceline)
    code = HSG_COUNTRY_SLUGS.get(slug)
    if code is None:
        raise HsgError(label, f"unknown country slug {slug!r}", record=record, line=element.sourceline)
    return slug, code, _text(element, tag)


def parse_travel(element: etree._Element, label: str, index: int) -> TravelRecord:
    """A checked TravelRecord; HsgError naming file and record when a field is missing or wrong."""
    record_id = _record_id(element, label)
    role = _text(element, "role") or element.get("role", "")
    who = element.get("who") or slugify(_text(element, "name"))
    name = _text(element, "name")
    if role not in ROLE_TITLES or not name:
        raise HsgError(label, f"missing name or unknown role {role!r}", record=str(record_id), line=element.sourceline)
    start, end, precision = _dates(element, label, str(record_id))
    slug, code, country_text = _country(element, "country", label, str(record_id))
    return TravelRecord(
        id=record_id, role=role, who=who, name=name, start=start, end=end, precision=precision, slug=slug,
        country=code, country_text=country_text, locale=_text(element, "locale"),
        remarks=_text(element, "remarks"), file=label, index=index,
    )  # fmt: skip


def parse_visit(element: etree._Element, label: str, index: int) -> VisitRecord:
    """A checked VisitRecord; HsgError naming file and record when a field is missing or wrong."""
    record_id = _record_id(element, label)
    visitor = _text(element, "visitor")
    if not visitor:
        raise HsgError(label, "missing <visitor>", record=str(record_id), line=element.sourceline)
    start, end, precision = _dates(element, label, str(record_id))
    slug, code, country_text = _country(element, "from", label, str(record_id))
    return VisitRecord(
        id=record_id, start=start, end=end, precision=precision, visitor=visitor, slug=slug, country=code,
        country_text=country_text, description=_text(element, "description"), file=label, index=index,
    )  # fmt: skip


def parse_presidents(path: Path) -> list[dict[str, Any]]:
    """Presidential terms (n, who, start, end) from travels/presidents/presidents.xml (empty when absent)."""
    if not path.exists():
        return []
    terms = []
    for node in etree.parse(str(path)).getroot().iter("president"):
        try:
            took = dt.date.fromisoformat(_text(node, "took-office-date"))
            left_text = _text(node, "left-office-date")
            left = dt.date.fromisoformat(left_text) if left_text else None
        except ValueError:
            continue
        terms.append({"n": node.get("n"), "who": _text(node, "id"), "start": took, "end": left})
    return terms
