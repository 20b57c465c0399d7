"""Import the Office of the Historian's travel and visit records (history.state.gov).

Sources (``HistoryAtState/travels`` and ``HistoryAtState/visits``, CC0):

* ``travels/{president,secretary}-travels/*.xml``: one file per person, one
  ``<trip>`` element per *country stop*. Each record becomes a :class:`Stop`
  (``hsg-travels:<id>``). Records identical apart from their id (and their
  created/modified metadata) are merged into one stop named after the lowest id.
* Stops of one person are grouped into tours: sorted by (start, end, record
  order), a stop joins the current tour when it starts no later than the day
  after the tour's latest end date (``start <= tour_end + 1 day``: same day,
  next day, or overlapping). Each tour is a :class:`Trip`
  (``hsg-tour:<lowest record id of the tour>``).
* ``visits/*.xml``: each visit of a foreign leader to the United States becomes
  a :class:`Meeting` (kind ``visit``, ``hsg-visits:<id>``) with one
  :class:`Participation` per visitor named in ``visitor``.
* Every record is also a :class:`Report` (kind ``dataset``, same external id)
  whose text is the record's remarks or description, and that text is the
  :class:`Evidence` of the stop and trip (or meeting) it yields.

Files are parsed and checked first; a malformed file or an invalid record is
reported (file, record id, reason) and skipped while the rest is imported.
Each file is written in its own transaction, so nothing is ever half-written.
A second run compares before writing and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from lxml import etree
from tqdm import tqdm

from visits.dates import Precision, period_bounds
from visits.geo import HSG_COUNTRY_SLUGS, ensure_countries
from visits.importers import Tally, apply_values, bulk_create, bulk_update, sync_rows
from visits.models import (
    Country,
    Evidence,
    ImportRun,
    Meeting,
    MeetingStatus,
    Participation,
    Person,
    Position,
    Report,
    ReportStatus,
    Stop,
    Trip,
    TripStatus,
)
from visits.search import refresh_search_documents

PUBLISHER = "Office of the Historian, U.S. Department of State"
SITE = "https://history.state.gov/departmenthistory"
SOURCE = "hsg"
REPOSITORIES = ("travels", "visits")
ROLE_TITLES = {"president": "President", "secretary": "Secretary of State"}
TOUR_GAP = dt.timedelta(days=1)


class HsgError(Exception):
    """A problem with one file or record: it names the file and, when known, the record."""

    def __init__(self, file: str, message: str, *, record: str | None = None, line: int | None = None) -> None:
        self.file, self.record, self.line, self.message = file, record, line, message
        where = file + (f", record {record}" if record else "") + (f", line {line}" if line else "")
        super().__init__(f"{where}: {message}")

    def as_problem(self) -> dict[str, Any]:
        return {"file": self.file, "record": self.record, "line": self.line, "error": self.message}


class HsgSourceError(Exception):
    """The data could not be found or downloaded."""


# --------------------------------------------------------------------------- records


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


def clean(text: str | None) -> str:
    """Whitespace collapsed to single spaces."""
    return " ".join((text or "").split())


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


# --------------------------------------------------------------------------- text rules


_DC = re.compile(r"^D\.?\s?C\.?$", re.IGNORECASE)
_BRACKETS = re.compile(r"\s*\([^)]*\)")


def _split_outside_brackets(text: str, separators: re.Pattern[str]) -> list[str]:
    parts, depth, start = [], 0, 0
    for match in re.finditer(r"[()]|" + separators.pattern, text):
        token = match.group(0)
        if token in "()" and len(token) == 1:
            depth += 1 if token == "(" else -1 if depth else 0
        elif depth == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


def split_locale(locale: str) -> list[str]:
    """City names of a ``locale`` in order: split on ',', ';' and ' and ' outside brackets.

    Bracketed qualifiers are dropped ('Halifax (Nova Scotia)' -> 'Halifax') and
    'Washington, D.C.' stays one city.
    """
    cities: list[str] = []
    for part in _split_outside_brackets(clean(locale), re.compile(r",|;|\s+and\s+|\s+&\s+")):
        part = part.strip()
        if _DC.match(part) and cities:
            cities[-1] = f"{cities[-1]}, D.C."
            continue
        name = _BRACKETS.sub("", part).strip(" .") if not part.startswith("(") else part.strip("() ")
        if name and name not in cities:
            cities.append(name)
    return cities


#: Words of an office in a visitor string; they are taken as the title, the rest as the name.
TITLE_WORDS = frozenset(
    """prime minister minster ministere president vice interim acting provisional king queen crown
    prince princess chancellor federal premier emperor empress shah sultan emir amir governor general
    brigadier lieutenant major colonel marshal field admiral secretary first chairman chairwoman taoiseach
    grand duke duchess regent pope chief head state presidency junta member deputy foreign elect
    designate transitional supreme leader""".split()  # noqa: SIM905
)
_CONNECTORS = {"of", "the"}
_TYPOS = [
    (re.compile(r"\bPrime\s+Min(?:ster|istere)\b"), "Prime Minister"),
    (re.compile(r"\bPrime\s+Minister(?=[A-Z])"), "Prime Minister "),
    (re.compile(r"\b(President|Chancellor)-\s+(elect|designate)\b", re.IGNORECASE), r"\1-\2"),
]
_PERSON_SPLIT = re.compile(r"\s+(?:and|&)\s+|,\s+(?=[A-Z][a-z]+\s)")


_LEADING_ONLY = frozenset({"shah", "amir", "emir", "sultan"})  # also names: titles only in first place


def _is_title_token(token: str, position: int = 0) -> bool:
    parts = [p for p in token.lower().strip(",.").split("-") if p]
    if position and parts and parts[0] in _LEADING_ONLY:
        return False
    return bool(parts) and all(p in TITLE_WORDS for p in parts)


def _connects(tokens: list[str], i: int) -> bool:
    """True when tokens[i] is 'of'/'the' inside a title ('Chairman of the Presidency')."""
    j = i
    while j < len(tokens) and tokens[j].lower() in _CONNECTORS:
        j += 1
    return i > 0 and j > i and j < len(tokens) - 1 and _is_title_token(tokens[j], j)


def split_title(text: str) -> tuple[str, str]:
    """'Prime Minister Kyriakos Mitsotakis' -> ('Prime Minister', 'Kyriakos Mitsotakis')."""
    tokens = text.split()
    i = 0
    while i < len(tokens) and (_is_title_token(tokens[i], i) or _connects(tokens, i)):
        i += 1
    return " ".join(tokens[:i]), " ".join(tokens[i:])


def split_visitor(visitor: str) -> list[tuple[str, str]]:
    """(title, name) per person named in a visitor string.

    'President Andrzej Duda and Prime Minister Donald Tusk' gives two people;
    a part with a title but no name lends its title to the next part
    ('Premier and Prince Sihanouk' -> one person titled 'Premier and Prince').
    """
    text = clean(visitor)
    for pattern, repl in _TYPOS:
        text = pattern.sub(repl, text)
    people: list[tuple[str, str]] = []
    pending: list[str] = []
    for part in _PERSON_SPLIT.split(text):
        if re.fullmatch(r"(Jr|Sr|[0-9]+(st|nd|rd|th)|I{1,3}|IV)\.?", part.strip()) and people:
            title, name = people.pop()
            people.append((title, f"{name}, {part.strip()}"))
            continue
        title, name = split_title(part)
        if not name:
            pending.append(title)
            continue
        people.append((" and ".join([*pending, title]) if title or pending else "", name))
        pending = []
    if pending and not people:
        people.append(("", " and ".join(pending)))
    return people


_VISIT_TYPE = re.compile(
    r"\b(official\s+state|state|official\s+working|official\s+select|offi?cial|private\s+working|"
    r"informal\s+working|working|private|informal|unofficial|pastoral|courtesy|good\s*will|social)\s+visit\b",
    re.IGNORECASE,
)
_VISIT_TYPE_SLUG = {
    "official state": "state",
    "official select": "official",
    "offical": "official",
    "official working": "official-working",
    "private working": "working",
    "informal working": "working",
    "good will": "goodwill",
}


def visit_type(description: str) -> tuple[str, str]:
    """(slug, words as written) of the first visit type a description names.

    Slugs: state, official, official-working, working, private, informal,
    unofficial, pastoral, courtesy, goodwill, social; 'event' when it names none
    but starts with 'Attended' (a summit, a funeral); else 'unspecified'.
    """
    match = _VISIT_TYPE.search(description)
    if match:
        words = " ".join(match.group(1).lower().split())
        return _VISIT_TYPE_SLUG.get(words, words.replace(" ", "-")), " ".join(match.group(0).split())
    if description.lower().startswith("attended"):
        return "event", ""
    return "unspecified", ""


# --------------------------------------------------------------------------- tours


def merge_duplicates(records: list[TravelRecord]) -> tuple[list[TravelRecord], list[TravelRecord]]:
    """(kept, merged): of records equal apart from their id, the lowest id is kept and lists the others."""
    by_key: dict[tuple, TravelRecord] = {}
    merged = []
    for record in sorted(records, key=lambda r: r.id):
        kept = by_key.setdefault(record.content_key(), record)
        if kept is not record:
            kept.duplicate_ids.append(record.id)
            merged.append(record)
    kept_ids = {r.id for r in by_key.values()}
    return [r for r in records if r.id in kept_ids], merged


def group_tours(records: Iterable[TravelRecord]) -> list[list[TravelRecord]]:
    """Tours of one or more people's stops: a stop starting by the day after the tour's end joins it."""
    tours: list[list[TravelRecord]] = []
    by_person: dict[tuple[str, str], list[TravelRecord]] = defaultdict(list)
    for record in records:
        by_person[(record.role, record.who)].append(record)
    for stops in by_person.values():
        tour_end: dt.date | None = None
        for stop in sorted(stops, key=lambda r: (r.start, r.end, r.file, r.index)):
            if tour_end is None or stop.start > tour_end + TOUR_GAP:
                tours.append([])
                tour_end = stop.end
            tours[-1].append(stop)
            tour_end = max(tour_end, stop.end)
    return tours


def trip_title(name: str, country_names: list[str]) -> str:
    """'Hillary Rodham Clinton in Armenia, Georgia, Azerbaijan' (countries once each, in visit order)."""
    unique = list(dict.fromkeys(country_names))
    title = f"{name} in {', '.join(unique)}"
    if len(title) > 300:
        shown = []
        for n in unique:
            if len(f"{name} in {', '.join([*shown, n])} and {len(unique)} more") > 290:
                break
            shown.append(n)
        title = f"{name} in {', '.join(shown)} and {len(unique) - len(shown)} more"
    return title


# --------------------------------------------------------------------------- source


def _download(repo: str, target: Path, stdout: TextIO | None) -> None:
    """Fetch ``<HSG_DOWNLOAD_BASE>/<repo>/archive/refs/heads/main.tar.gz`` and unpack it as ``target``."""
    url = f"{settings.HSG_DOWNLOAD_BASE.rstrip('/')}/{repo}/archive/refs/heads/main.tar.gz"
    if stdout:
        stdout.write(f"Downloading {url} into {target}\n")
    try:
        response = requests.get(url, timeout=settings.HSG_DOWNLOAD_TIMEOUT, stream=True)
        response.raise_for_status()
    except requests.RequestException as exc:
        raise HsgSourceError(
            f"could not download {url} ({exc}). When offline, pass the path of a local copy: "
            "python manage.py import_hsg /path/to/hsg (a directory holding travels/ and visits/)"
        ) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        archive = Path(tmp) / "archive.tar.gz"
        with archive.open("wb") as out:
            for chunk in response.iter_content(1 << 16):
                out.write(chunk)
        with tarfile.open(archive) as tar:
            tar.extractall(Path(tmp) / "x", filter="data")
        (top,) = (Path(tmp) / "x").iterdir()
        if target.exists():
            shutil.rmtree(target)
        top.rename(target)


def _has_data(path: Path) -> bool:
    return any((path / repo).is_dir() for repo in REPOSITORIES)


def resolve_source(path: str | Path | None = None, *, download: bool = False, stdout: TextIO | None = None) -> Path:
    """The directory holding ``travels/`` and ``visits/``.

    ``path`` when given; else settings.HSG_DATA_DIR (../shared/data/hsg) when it
    exists; else an earlier download in settings.HSG_CACHE_DIR; else (or with
    ``download``) the main branches of the public repositories, downloaded there.
    """
    if path is not None:
        root = Path(path)
        if not root.is_dir() or not _has_data(root):
            raise HsgSourceError(f"{root} is not a directory holding travels/ or visits/")
        return root
    local, cache = Path(settings.HSG_DATA_DIR), Path(settings.HSG_CACHE_DIR)
    if not download and _has_data(local):
        return local
    if not download and all((cache / repo).is_dir() for repo in REPOSITORIES):
        if stdout:
            stdout.write(f"Using the records downloaded earlier into {cache}\n")
        return cache
    for repo in REPOSITORIES:
        _download(repo, cache / repo, stdout)
    return cache


# --------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    """What a run did: counts per model, skips, problems, notes and duration."""

    tally: Tally
    problems: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    seconds: float
    run: ImportRun | None = None
    figures: dict[str, int] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, Any]:
        return {**self.tally.as_dict(), "figures": self.figures}


class HsgImporter:
    """One import run over a directory of HSG records (see the module docstring)."""

    def __init__(self, root: Path, *, progress: bool | None = None, stdout: TextIO | None = None) -> None:
        self.root = Path(root)
        self.stdout = stdout
        self.progress = sys.stderr.isatty() if progress is None else progress
        self.tally = Tally()
        self.problems: list[dict[str, Any]] = []
        self.notes: list[dict[str, Any]] = []
        self.figures: Counter = Counter()
        self.people: dict[str, Person] = {}
        self.slugs: set[str] = set()
        self.country_names: dict[str, str] = {}
        self.seen_ids: set[str] = set()

    # -- driver

    def run(self) -> ImportResult:
        """Import every file; return the result (also saved as an ImportRun)."""
        began = time.monotonic()
        run = ImportRun.objects.create(source=SOURCE)
        self._prepare()
        files = self._files()
        bar = tqdm(files, desc="HSG", unit="file", file=sys.stderr, disable=not self.progress)
        for kind, path in bar:
            self._import_file(kind, path)
        refresh_search_documents(everything=True)
        result = ImportResult(self.tally, self.problems, self.notes, 0.0, figures=dict(self.figures))
        result.seconds = round(time.monotonic() - began, 2)
        run.counts = {**result.counts, "seconds": result.seconds}
        run.problems = self.problems + self.notes
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "problems", "finished_at"])
        result.run = run
        return result

    def _files(self) -> list[tuple[str, Path]]:
        travels = sorted((self.root / "travels").glob("*-travels/*.xml"))
        visits = sorted((self.root / "visits").glob("*.xml"))
        return [("travels", p) for p in travels] + [("visits", p) for p in visits]

    def _label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def _prepare(self) -> None:
        """Countries present (cheaply), their names, the people and slugs known so far."""
        if not Country.objects.filter(code__in=["US", *set(HSG_COUNTRY_SLUGS.values())]).count() >= len(
            {"US", *HSG_COUNTRY_SLUGS.values()}
        ):
            ensure_countries()
        self.country_names = dict(Country.objects.values_list("code", "name"))
        self.slugs = set(Person.objects.values_list("slug", flat=True))
        self.presidents = self._presidents()

    def _presidents(self) -> list[dict[str, Any]]:
        """Presidential terms from travels/presidents/presidents.xml (empty when the file is absent)."""
        path = self.root / "travels" / "presidents" / "presidents.xml"
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

    def _import_file(self, kind: str, path: Path) -> None:
        label = self._label(path)
        try:
            elements = parse_file(path, "trips" if kind == "travels" else "visits", label)
        except HsgError as exc:
            self._problem(exc)
            self.tally.skip("unreadable file")
            return
        records = self._parse_records(elements, label, parse_travel if kind == "travels" else parse_visit)
        self.figures[f"{kind}_records"] += len(records)
        with transaction.atomic():
            if kind == "travels":
                self._write_travels(records)
            else:
                self._write_visits(records)

    def _parse_records(self, elements: list[etree._Element], label: str, parse) -> list:
        records = []
        for index, element in enumerate(elements):
            try:
                record = parse(element, label, index)
            except HsgError as exc:
                self._problem(exc)
                self.tally.skip(exc.message.split(":")[0].split(" '")[0])
                continue
            if record.external_id in self.seen_ids:
                self._problem(HsgError(label, "id already used by another record", record=str(record.id)))
                self.tally.skip("duplicate id")
                continue
            self.seen_ids.add(record.external_id)
            records.append(record)
        return records

    def _problem(self, exc: HsgError) -> None:
        self.problems.append(exc.as_problem())
        if self.stdout:
            self.stdout.write(f"problem: {exc}\n")

    # -- shared writers

    def _persons(self, wanted: dict[str, str | None]) -> dict[str, Person]:
        """Person per name (get or create by exact name; new slugs made unique); ``wanted``: name -> country."""
        missing = [n for n in wanted if n not in self.people]
        for person in Person.objects.filter(name__in=missing).order_by("pk"):
            self.people.setdefault(person.name, person)
        new = []
        for name in missing:
            if name in self.people:
                continue
            person = Person(name=name, slug=self._unique_slug(name), country_id=wanted[name])
            self.people[name] = person
            new.append(person)
        bulk_create(Person, new)
        self.tally.add("person", "created", len(new))
        self.tally.add("person", "unchanged", len(wanted) - len(new))
        return {n: self.people[n] for n in wanted}

    def _unique_slug(self, name: str) -> str:
        base = (slugify(name) or "person")[:110]
        slug, n = base, 2
        while slug in self.slugs:
            slug, n = f"{base}-{n}", n + 1
        self.slugs.add(slug)
        return slug

    def _reports(self, items: list[tuple[str, str, str, str]]) -> dict[str, Report]:
        """Reports per (external id, title, text, listing page)."""
        wanted = {
            ext: {
                "kind": Report.Kind.DATASET,
                "title": title[:500],
                "publisher": PUBLISHER,
                "language": "en",
                "text": text,
                "canonical_url": page,
                "status": ReportStatus.DONE,
            }
            for ext, title, text, page in items
        }
        return sync_rows(Report, wanted, self.tally)

    def _evidence(self, wanted: list[tuple[Report, str, int]]) -> None:
        """Evidence quoting each report's whole text for (report, fact field, fact id); stale links removed."""
        report_ids = {r.pk for r, _, _ in wanted}
        existing = {}
        stale = []
        want_keys = {(r.pk, f, pk) for r, f, pk in wanted}
        for ev in Evidence.objects.filter(report_id__in=report_ids).filter(
            Q(trip__isnull=False) | Q(stop__isnull=False) | Q(meeting__isnull=False)
        ):
            fact = next(f for f in ("trip", "stop", "meeting") if getattr(ev, f"{f}_id"))
            key = (ev.report_id, fact, getattr(ev, f"{fact}_id"))
            if key in want_keys and key not in existing:
                existing[key] = ev
            elif ev.review_state == "unreviewed":
                stale.append(ev.pk)
        new, changed = [], []
        for report, fact, pk in wanted:
            values = {"quote": report.text, "start": 0, "end": len(report.text), "confidence": 1.0}
            ev = existing.get((report.pk, fact, pk))
            if ev is None:
                new.append(Evidence(report=report, **{f"{fact}_id": pk}, **values))
            elif any(getattr(ev, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(ev, k, v)
                changed.append(ev)
        if stale:
            Evidence.objects.filter(pk__in=stale).delete()
        bulk_create(Evidence, new)
        bulk_update(Evidence, changed, ["quote", "start", "end", "confidence"])
        self.tally.add("evidence", "created", len(new))
        self.tally.add("evidence", "updated", len(changed))
        self.tally.add("evidence", "deleted", len(stale))
        self.tally.add("evidence", "unchanged", len(wanted) - len(new) - len(changed))

    # -- travels

    def _write_travels(self, records: list[TravelRecord]) -> None:
        """Stops, tours, reports and evidence of one file's travel records."""
        if not records:
            return
        kept, merged = merge_duplicates(records)
        for dup in merged:
            into = next(f"hsg-travels:{k.id}" for k in kept if dup.id in k.duplicate_ids)
            self.notes.append({"file": dup.file, "record": str(dup.id), "note": f"duplicate of {into}: merged"})
        self.figures["merged_duplicates"] += len(merged)
        people = self._persons({r.name: "US" for r in kept})
        positions = self._positions(kept, people)
        reports = self._reports([self._travel_report(r) for r in records])
        tours = group_tours(kept)
        trips = sync_rows(Trip, {self._tour_id(t): self._trip_values(t, people, positions) for t in tours}, self.tally)
        stop_values = {}
        for tour in tours:
            trip = trips[self._tour_id(tour)]
            for order, record in enumerate(tour, start=1):
                stop_values[record.external_id] = self._stop_values(record, trip, order)
        old_trips = dict(Stop.objects.filter(external_id__in=list(stop_values)).values_list("external_id", "trip_id"))
        stops = sync_rows(Stop, stop_values, self.tally)
        self._drop_emptied_trips(
            {old_trips[k] for k, s in stops.items() if k in old_trips and old_trips[k] != s.trip_id}
        )
        self.figures["tours"] += len(tours)
        self.figures["stops"] += len(kept)
        evidence = []
        for tour in tours:
            trip = trips[self._tour_id(tour)]
            for record in tour:
                stop = stops[record.external_id]
                for rid in [record.id, *record.duplicate_ids]:
                    report = reports[f"hsg-travels:{rid}"]
                    evidence += [(report, "stop", stop.pk), (report, "trip", trip.pk)]
        self._evidence(evidence)

    @staticmethod
    def _tour_id(tour: list[TravelRecord]) -> str:
        return f"hsg-tour:{min(r.id for r in tour)}"

    def _travel_report(self, r: TravelRecord) -> tuple[str, str, str, str]:
        place = ", ".join(p for p in (r.country_text, r.locale) if p)
        dates = r.start.isoformat() if r.start == r.end else f"{r.start.isoformat()} to {r.end.isoformat()}"
        title = f"{r.name} ({ROLE_TITLES[r.role]}): {place}, {dates}"
        return r.external_id, title, r.remarks, f"{SITE}/travels/{r.role}/{r.who}"

    def _trip_values(self, tour: list[TravelRecord], people, positions) -> dict[str, Any]:
        first = tour[0]
        names = [self.country_names.get(r.country, r.country_text) for r in tour]
        return {
            "traveller_id": people[first.name].pk,
            "position_id": self._position_for(first, positions),
            "title": trip_title(first.name, names),
            "status": TripStatus.COMPLETED,
            "start_date": min(r.start for r in tour),
            "end_date": max(r.end for r in tour),
            "precision": max((r.precision for r in tour), key=["day", "month", "year"].index),
        }

    @staticmethod
    def _stop_values(record: TravelRecord, trip: Trip, order: int) -> dict[str, Any]:
        return {
            "trip_id": trip.pk,
            "order": order,
            "country_id": record.country,
            "cities": split_locale(record.locale),
            "locale": record.locale[:300],
            "remarks": record.remarks,
            "start_date": record.start,
            "end_date": record.end,
            "precision": record.precision,
        }

    def _drop_emptied_trips(self, trip_ids: set[int]) -> None:
        """Delete HSG trips left without stops after their stops moved to another tour (unless locked)."""
        if not trip_ids:
            return
        empty = Trip.objects.filter(pk__in=trip_ids, external_id__startswith="hsg-tour:", stops__isnull=True)
        empty = [t.pk for t in empty if not t.locked_fields]
        Trip.objects.filter(pk__in=empty).delete()
        self.tally.add("trip", "deleted", len(empty))

    # -- positions

    def _positions(self, records: list[TravelRecord], people: dict[str, Person]) -> list[tuple[dict, Position]]:
        """(term, Position) pairs of the travellers of ``records``.

        Presidents: their terms from presidents.xml (external id
        ``hsg-president:<n>``). Secretaries of State: the HSG travel data holds
        no terms, so the term is bounded by the person's first and last travel
        dates (``hsg-secretary:<who>``); a better source may replace it.
        """
        terms: list[dict[str, Any]] = []
        for (role, who), recs in self._by_person(records).items():
            person = people[recs[0].name]
            own = [t for t in self.presidents if t["who"] == who] if role == "president" else []
            if own:
                terms += [{**t, "role": role, "key": f"hsg-president:{t['n']}", "person": person} for t in own]
            else:
                start, end = min(r.start for r in recs), max(r.end for r in recs)
                terms.append({"who": who, "role": role, "key": f"hsg-{role}:{who}", "person": person,
                              "start": start, "end": end})  # fmt: skip
        wanted = {
            t["key"]: {"person_id": t["person"].pk, "title": ROLE_TITLES[t["role"]], "country_id": "US",
                       "start_date": t["start"], "end_date": t["end"], "source": Position.Source.HSG}
            for t in terms
        }  # fmt: skip
        rows = sync_rows(Position, wanted, self.tally)
        return [(t, rows[t["key"]]) for t in terms]

    @staticmethod
    def _by_person(records: Iterable[TravelRecord]) -> dict[tuple[str, str], list[TravelRecord]]:
        groups: dict[tuple[str, str], list[TravelRecord]] = defaultdict(list)
        for r in records:
            groups[(r.role, r.who)].append(r)
        return groups

    @staticmethod
    def _position_for(record: TravelRecord, positions: list[tuple[dict, Position]]) -> int | None:
        """The traveller's term that includes the trip's start, else the nearest one."""
        own = [(t, p) for t, p in positions if t["who"] == record.who and t["role"] == record.role]
        if not own:
            return None

        def distance(item: tuple[dict, Position]) -> int:
            t = item[0]
            if record.start < t["start"]:
                return (t["start"] - record.start).days
            if t["end"] and record.start > t["end"]:
                return (record.start - t["end"]).days
            return 0

        return min(reversed(own), key=distance)[1].pk

    # -- visits

    def _write_visits(self, records: list[VisitRecord]) -> None:
        """Meetings, participations, reports and evidence of one file's visits."""
        if not records:
            return
        parsed = {r.external_id: split_visitor(r.visitor) for r in records}
        wanted_people: dict[str, str | None] = {}
        for r in records:
            for _, name in parsed[r.external_id]:
                wanted_people.setdefault(name, r.country)
        people = self._persons(wanted_people)
        reports = self._reports([self._visit_report(r) for r in records])
        meetings = sync_rows(Meeting, {r.external_id: self._meeting_values(r) for r in records}, self.tally)
        self._participations(records, parsed, meetings, people)
        self._evidence([(reports[r.external_id], "meeting", meetings[r.external_id].pk) for r in records])
        self.figures["visits"] += len(records)

    def _visit_report(self, r: VisitRecord) -> tuple[str, str, str, str]:
        dates = r.start.isoformat() if r.start == r.end else f"{r.start.isoformat()} to {r.end.isoformat()}"
        title = f"{r.visitor} ({r.country_text}): visit to the United States, {dates}"
        return r.external_id, title, r.description, f"{SITE}/visits/{r.slug}"

    def _meeting_values(self, r: VisitRecord) -> dict[str, Any]:
        slug, as_written = visit_type(r.description)
        country = self.country_names.get(r.country, r.country_text)
        label = "visit" if slug in {"unspecified", "event"} else f"{slug.replace('-', ' ')} visit"
        return {
            "kind": Meeting.Kind.VISIT,
            "kind_as_written": as_written[:200],
            "title": f"{r.visitor} ({country}): {label}"[:300],
            "status": MeetingStatus.HELD,
            "country_id": "US",
            "start_date": r.start,
            "end_date": r.end,
            "precision": r.precision,
            "flags": [f"visit-type:{slug}"],
        }

    def _participations(self, records, parsed, meetings, people) -> None:
        """One participation per visitor, flagged ``hsg``.

        Existing ones are updated (locked fields kept); an ``hsg`` participation
        the record no longer names is deleted unless locked; others are left alone.
        """
        meeting_ids = [m.pk for m in meetings.values()]
        existing = {(p.meeting_id, p.person_id): p for p in Participation.objects.filter(meeting_id__in=meeting_ids)}
        new, changed, fields = [], [], set()
        seen: set[tuple[int, int]] = set()
        for r in records:
            meeting = meetings[r.external_id]
            for title, name in parsed[r.external_id]:
                key = (meeting.pk, people[name].pk)
                if key in seen:
                    continue
                seen.add(key)
                values = {"title": title[:200], "country_id": r.country, "is_host": False, "flags": ["hsg"]}
                if key not in existing:
                    new.append(Participation(meeting_id=key[0], person_id=key[1], **values))
                elif diff := apply_values(existing[key], values):
                    changed.append(existing[key])
                    fields |= diff
        stale = [p.pk for k, p in existing.items() if k not in seen and "hsg" in p.flags and not p.locked_fields]
        Participation.objects.filter(pk__in=stale).delete()
        bulk_create(Participation, new)
        bulk_update(Participation, changed, fields)
        self.tally.add("participation", "created", len(new))
        self.tally.add("participation", "updated", len(changed))
        self.tally.add("participation", "deleted", len(stale))
        self.tally.add("participation", "unchanged", len(seen) - len(new) - len(changed))


def import_hsg(root: Path, *, progress: bool | None = None, stdout: TextIO | None = None) -> ImportResult:
    """Import the HSG records under ``root`` (holding travels/ and visits/); see HsgImporter."""
    return HsgImporter(root, progress=progress, stdout=stdout).run()


def summary_lines(result: ImportResult) -> Iterator[str]:
    """Human-readable summary of a run."""
    f = result.figures
    yield (
        f"HSG import finished in {result.seconds:.1f} s: {f.get('travels_records', 0)} travel records "
        f"({f.get('merged_duplicates', 0)} duplicates merged) -> {f.get('stops', 0)} stops in "
        f"{f.get('tours', 0)} trips; {f.get('visits', 0)} visits -> meetings."
    )
    for label, counts in result.tally.as_dict().items():
        if counts:
            yield f"  {label}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
    yield f"  problems: {len(result.problems)}" + (f" (ImportRun {result.run.pk})" if result.run else "")
    for problem in result.problems[:20]:
        where = problem["file"] + (f", record {problem['record']}" if problem.get("record") else "")
        yield f"    {where}: {problem['error']}"
