"""Loading checked HSG records into the timeline: persons, positions, trips, stops, meetings,
participations, dataset reports and their evidence, one transaction per file, compared before
writing (a second run changes nothing). What was written is handed to the timeline writer."""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from lxml import etree
from tqdm import tqdm

from visits.geo import HSG_COUNTRY_SLUGS, ensure_countries
from visits.importers import Synced, Tally, apply_values, bulk_create, bulk_update, sync_rows
from visits.importers.hsg.names import split_locale, split_visitor, visit_type
from visits.importers.hsg.parsing import (
    ROLE_TITLES,
    HsgError,
    TravelRecord,
    VisitRecord,
    parse_file,
    parse_presidents,
    parse_travel,
    parse_visit,
)
from visits.importers.hsg.tours import group_tours, merge_duplicates, trip_title
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
from visits.services.writer import ChangeSet, analyze, invalidate_timeline, write_changes

PUBLISHER = "Office of the Historian, U.S. Department of State"
SITE = "https://history.state.gov/departmenthistory"
SOURCE = "hsg"


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
        self.changes = ChangeSet()  # what the file being written changed, for the timeline writer

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
        analyze(Person, Position, Report, Trip, Stop, Meeting, Participation, Evidence)
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
        self.presidents = parse_presidents(self.root / "travels" / "presidents" / "presidents.xml")

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
        self.changes = ChangeSet()
        writes = self._writes()
        with transaction.atomic():
            if kind == "travels":
                self._write_travels(records)
            else:
                self._write_visits(records)
            # feed rows commit with the file's rows; search documents and the cache follow them
            self.figures["changes"] += len(write_changes(self.changes))
            if self._writes() != writes:  # people, positions, reports: bulk writes send no signal
                invalidate_timeline()

    def _writes(self) -> int:
        return sum(self.tally.total(outcome) for outcome in ("created", "updated", "deleted"))

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

    def _reports(self, items: list[tuple[str, str, str, str]]) -> Synced:
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

    def _evidence(self, wanted: list[tuple[Report, str, int]], reports: Synced) -> set[tuple[str, int]]:
        """Evidence quoting each report's whole text for (report, fact field, fact id); stale links removed.

        Returns the (fact, id) pairs whose sources changed: evidence added, changed or removed, or
        its report (title, text) rewritten.
        """
        report_ids = {r.pk for r, _, _ in wanted}
        rewritten = {r.pk for r in reports.updated}
        touched = {(fact, pk) for report, fact, pk in wanted if report.pk in rewritten}
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
                touched.add((fact, getattr(ev, f"{fact}_id")))
        new, changed = [], []
        for report, fact, pk in wanted:
            values = {"quote": report.text, "start": 0, "end": len(report.text), "confidence": 1.0}
            ev = existing.get((report.pk, fact, pk))
            if ev is None:
                new.append(Evidence(report=report, **{f"{fact}_id": pk}, **values))
                touched.add((fact, pk))
            elif any(getattr(ev, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(ev, k, v)
                changed.append(ev)
                touched.add((fact, pk))
        if stale:
            Evidence.objects.filter(pk__in=stale).delete()
        bulk_create(Evidence, new)
        bulk_update(Evidence, changed, ["quote", "start", "end", "confidence"])
        self.tally.add("evidence", "created", len(new))
        self.tally.add("evidence", "updated", len(changed))
        self.tally.add("evidence", "deleted", len(stale))
        self.tally.add("evidence", "unchanged", len(wanted) - len(new) - len(changed))
        return touched

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
        left = {old_trips[k] for k, s in stops.rows.items() if k in old_trips and old_trips[k] != s.trip_id}
        self._trips_written(trips, stops, left)
        self._drop_emptied_trips(left)
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
        self._sources_changed(self._evidence(evidence, reports), stops)

    def _trips_written(self, trips: Synced, stops: Synced, left: set[int]) -> None:
        """Feed: trips created or updated, and trips whose stops were written, added or taken away."""
        self.changes.created("trip", [t.pk for t in trips.created])
        self.changes.updated("trip", [t.pk for t in trips.updated])
        self.changes.updated("trip", {s.trip_id for s in stops.written()} | left)

    def _sources_changed(self, touched: set[tuple[str, int]], stops: Synced) -> None:
        """Feed: trips and meetings whose evidence changed (a stop's evidence is its trip's)."""
        trip_of_stop = {s.pk: s.trip_id for s in stops.rows.values()}
        stop_ids = {pk for fact, pk in touched if fact == "stop"}
        unknown = stop_ids - set(trip_of_stop)
        if unknown:  # stale evidence of a stop another file wrote
            trip_of_stop.update(Stop.objects.filter(pk__in=unknown).values_list("pk", "trip_id"))
        self.changes.updated("trip", {pk for fact, pk in touched if fact == "trip"})
        self.changes.updated("trip", {trip_of_stop[pk] for pk in stop_ids if pk in trip_of_stop})
        self.changes.updated("meeting", {pk for fact, pk in touched if fact == "meeting"})

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
        self.changes.deleted("trip", empty)

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
        self.changes.created("meeting", [m.pk for m in meetings.created])
        self.changes.updated("meeting", [m.pk for m in meetings.updated])
        self._participations(records, parsed, meetings, people)
        evidence = [(reports[r.external_id], "meeting", meetings[r.external_id].pk) for r in records]
        self._sources_changed(self._evidence(evidence, reports), Synced())
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
        meeting_ids = [m.pk for m in meetings.rows.values()]
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
        stale = [p for k, p in existing.items() if k not in seen and "hsg" in p.flags and not p.locked_fields]
        Participation.objects.filter(pk__in=[p.pk for p in stale]).delete()
        self.changes.updated("meeting", {p.meeting_id for p in [*new, *changed, *stale]})
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
