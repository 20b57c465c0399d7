"""Write one report's extraction into the timeline, merging it with what other reports said.

Every fact written gets Evidence rows that carry the report's *claim* about it (status, dates, ...);
trips, stops, meetings and participations are then re-derived from all their claims (see
visits.services.matching and docs/MERGING.md), so the result does not depend on the order
in which reports are merged, and merging the same report twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from visits.models import (
    Country,
    Evidence,
    Meeting,
    MeetingTopic,
    Participation,
    Person,
    Report,
    Stop,
    StopTopic,
    Topic,
    Trip,
)
from visits.search import refresh_search_documents
from visits.services import identity, matching, refresh, writer
from visits.services.matching import Claim
from visits.services.merge_people import new_directory, resolve_or_create_person


@dataclass
class MergeResult:
    trips_created: int = 0
    trips_updated: int = 0
    meetings_created: int = 0
    meetings_updated: int = 0
    evidence_created: int = 0
    people_created: int = 0
    trips_merged: int = 0  # by identity resolution, after this report's claims were written
    trips_split: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Run:
    """What one merge knows and has touched so far."""

    report: Report
    language: str
    published: str | None
    result: MergeResult
    people: dict[str, Person | None] = field(default_factory=dict)
    trips: dict[int, Trip] = field(default_factory=dict)
    meetings: dict[int, Meeting] = field(default_factory=dict)
    created: set[tuple[str, int]] = field(default_factory=set)
    grown: set[tuple[str, int]] = field(default_factory=set)  # got new evidence, stops, participants or topics
    directory: object = None  # one name index per merge, not per person
    # While nothing of the report was stored before this run and no merge moved rows, the evidence this run
    # wrote is all the report's evidence: look it up here instead of asking the database for every span.
    fresh: bool = False
    written: dict[tuple, Evidence] = field(default_factory=dict)
    countries: dict[str, bool] = field(default_factory=dict)  # code -> known
    # New evidence of a fresh report waits here and is inserted in one statement before anything reads it.
    pending: list[Evidence] = field(default_factory=list)
    participations: dict[int, dict[int, Participation]] = field(default_factory=dict)  # meeting -> person -> row
    changes: writer.ChangeSet = field(default_factory=writer.ChangeSet)

    def skip(self, message: str) -> None:
        if message not in self.result.skipped:
            self.result.skipped.append(message)


@transaction.atomic
def merge_extraction(report: Report, extraction: dict) -> MergeResult:
    """Write one report's extraction into the timeline, idempotently, in one transaction."""
    meta = extraction.get("report") or {}
    run = _Run(
        report=report,
        language=report.language or meta.get("language") or "",
        published=_published(report, meta.get("published")),
        result=MergeResult(),
        directory=new_directory(),
        fresh=not Evidence.objects.filter(report=report).exists(),
    )
    for official in extraction.get("officials") or []:
        _person(run, official)
    for index, trip in enumerate(extraction.get("trips") or []):
        _merge_trip(run, index, trip)
    for index, meeting in enumerate(extraction.get("meetings") or []):
        _merge_meeting(run, index, meeting)
    _publish(run)
    _refresh(run)
    _publish(run)
    resolved = _resolve_identities(run)
    refresh_search_documents(trip_ids=set(run.trips) | resolved, meeting_ids=run.meetings)
    return run.result


def _publish(run: _Run) -> None:
    """Insert the waiting evidence and write the changes recorded so far to the feed (before anything that
    reads evidence, merges records or records changes of its own, so the feed keeps the order of events)."""
    if run.pending:
        Evidence.objects.bulk_create(run.pending)
        run.pending = []
    if run.changes:
        writer.write_changes(run.changes, search=False)
        run.changes = writer.ChangeSet()


def _resolve_identities(run: _Run) -> set[int]:
    """Regroup the touched travellers' trips in the touched countries: an undated report may now fit one."""
    touched: dict[int, set[str]] = {}
    for traveller_id, country in Trip.objects.filter(pk__in=run.trips).values_list("traveller_id", "stops__country_id"):
        touched.setdefault(traveller_id, set()).update([country] if country else [])
    result = identity.Resolution()
    for traveller_id, countries in sorted(touched.items()):
        result.add(identity.resolve_traveller(traveller_id, countries))
    run.result.trips_merged += result.merged
    run.result.trips_split += result.split
    return result.trips


def _published(report: Report, stated: str | None) -> str | None:
    """The report's publication day: as printed, else from the UTC timestamp, else as the extraction says
    (a dateline; a month stays a month), else the day a feed or link brought it (an uploaded file's upload
    day says nothing)."""
    if report.published_date:
        return report.published_date.isoformat()
    if report.published_at:
        return report.published_at.date().isoformat()
    stated_period = _stated_publication(stated)
    if stated_period:
        return stated_period
    if report.kind == Report.Kind.ARTICLE and report.retrieved_at:
        return report.retrieved_at.date().isoformat()
    return None


def _stated_publication(stated: str | None) -> str | None:
    """The extraction's publication date as a day or a month (a page dated "2023-04": its first day would
    be a guess); a bare year or an unreadable value is no date."""
    try:
        low, _, precision = matching.period_bounds(stated) if stated else (None, None, None)
    except ValueError:
        return None
    if precision == "day":
        return low.isoformat()
    return low.isoformat()[:7] if precision == "month" else None


# --- people ----------------------------------------------------------------------------------------------


def _person(run: _Run, data: dict) -> Person | None:
    """The Person a person dict of the extraction stands for, created if unknown (memoised per run)."""
    name = (data.get("name") or "").strip()
    key = f"{data.get('id')}|{name}"
    if key not in run.people:
        person = Person.objects.filter(pk=data["id"]).first() if data.get("id") else None
        if person is None and name:
            person, created = resolve_or_create_person(
                name=name,
                as_written=data.get("as_written") or name,
                language=run.language,
                country=_country_code(run, data.get("country"), f"person {name}"),
                directory=run.directory,
            )
            run.result.people_created += int(created)
        run.people[key] = person
    return run.people[key]


def _country_code(run: _Run, code: str | None, where: str) -> str | None:
    """A country code known to the Country table, or None (recorded as skipped when the code is unknown)."""
    if not code:
        return None
    code = code.strip().upper()
    if code not in run.countries:
        run.countries[code] = Country.objects.filter(code=code).exists()
    if run.countries[code]:
        return code
    run.skip(f"unknown country {code} ({where})")
    return None


def _lock_people(people: list[Person]) -> None:
    """Serialise concurrent merges about the same people (matching then creating must not race)."""
    ids = sorted({p.pk for p in people})
    list(Person.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


# --- evidence --------------------------------------------------------------------------------------------


def _spans(data: dict) -> list[dict]:
    """The evidence spans of a fact; a fact reported without a span still gets one empty span for its claim."""
    return data.get("evidence") or [{"quote": "", "start": 0, "end": 0}]


def _evidence(run: _Run, fact: dict, claim: Claim, spans: list[dict]) -> int:
    """One Evidence per (fact, report, span), created only if absent; returns how many were created."""
    created = 0
    for span in spans:
        start, end = int(span.get("start") or 0), int(span.get("end") or 0)
        key = (*((name, value.pk) for name, value in fact.items()), start, max(start, end))
        if run.fresh:
            existing = run.written.get(key)
        else:
            existing = Evidence.objects.filter(report=run.report, start=start, end=max(start, end), **fact).first()
        if existing is not None:
            if existing.claim != claim:  # a re-extraction of the same report says something else now
                existing.claim = claim
                if existing.pk is not None:  # else it is still waiting to be inserted
                    existing.save(update_fields=["claim"])
            continue
        confidence = min(max(float(span.get("confidence", 1.0)), 0.0), 1.0)
        evidence = Evidence(
            report=run.report,
            quote=span.get("quote") or "",
            start=start,
            end=max(start, end),
            confidence=confidence,
            claim=claim,
            **fact,
        )
        # A new row is its own record of what the report said: history starts with the first change to it
        # (an analyst's review, a move by a merge), which halves the rows ingestion writes.
        if run.fresh:
            run.pending.append(evidence)
        else:
            evidence.skip_history_when_saving = True
            evidence.save()
        run.written[key] = evidence
        created += 1
    run.result.evidence_created += created
    return created


def _period(run: _Run, data: dict, where: str, start: str = "start", end: str = "end") -> dict:
    try:
        return matching.parse_period(data.get(start), data.get(end), data.get("precision"))
    except ValueError as exc:
        run.skip(f"unreadable date ({where}): {exc}")
        return {}


# --- trips -----------------------------------------------------------------------------------------------


def _merge_trip(run: _Run, index: int, data: dict) -> None:
    where = f"trip {index + 1}"
    traveller = _person(run, data.get("traveller") or {})
    if traveller is None:
        run.skip(f"{where}: no traveller")
        return
    _lock_people([traveller])
    stops = []
    for position, stop in enumerate(data.get("stops") or []):
        code = _country_code(run, stop.get("country"), where)
        if code:
            stops.append((code, position, stop))
    claim = {
        "fact": "trip",
        "published": run.published,
        "status": data.get("status"),
        "countries": sorted({code for code, _, _ in stops}),
        "flags": sorted(set((data.get("traveller") or {}).get("flags") or [])),
        **_period(run, data, where),
    }
    if claim.get("start") and claim["status"] == "ongoing" and not data.get("end"):
        claim["open"] = True  # under way, its end unknown: matching.OPEN_STAY
    trip = _find_trip(run, traveller, claim)
    if trip is None:
        trip = Trip.objects.create(
            traveller=traveller, status=claim["status"] or Trip._meta.get_field("status").default
        )
        run.created.add(("trip", trip.pk))
        run.changes.created("trip", [trip.pk])
        run.result.trips_created += 1
    run.trips[trip.pk] = trip
    spans = _spans(data)
    grown = _evidence(run, {"trip": trip}, claim, spans)
    existing = list(trip.stops.order_by("pk")) if stops else []
    for code, position, stop_data in stops:
        grown += _merge_stop(run, trip, existing, code, position, stop_data, spans)
    if grown:
        run.grown.add(("trip", trip.pk))


def _find_trip(run: _Run, traveller: Person, claim: Claim) -> Trip | None:
    """This report's earlier trip with the same claim, else the trip(s) of the traveller a claim matches.

    Several matching trips mean this report bridges them: they are merged into the oldest (unless an
    analyst split them, marked by a lock on "stops").
    """
    again = _again(run, claim, traveller)
    if again is not None:
        return again.trip
    _publish(run)
    if matching.is_loose(claim):
        # an undated claim never bridges trips; it joins the one trip it fits, if there is exactly one
        placed = identity.only_fitting_trip(traveller.pk, claim)
        return Trip.objects.get(pk=placed) if placed else None
    window = _search_window(claim)
    candidates = Trip.objects.filter(traveller=traveller, stops__country_id__in=claim["countries"]).distinct()
    candidates = candidates.filter(Q(start_date__isnull=True) | Q(start_date__lte=window[1], end_date__gte=window[0]))
    candidates = list(candidates.order_by("pk"))
    evidence = refresh.FactEvidence(trip_id=[t.pk for t in candidates])
    matches = [t for t in candidates if _any_match(_dated_claims(t, evidence), claim, matching.trip_claims_match)]
    if not matches:
        return None
    keep, others = matches[0], matches[1:]
    if any(t.is_locked("stops") for t in matches):
        return min(matches, key=lambda t: (t.start_date or dt.date.max, t.pk))
    from visits.services.timeline import trip_merge

    if others:
        run.fresh = False  # the merge moves evidence rows between trips
    for other in others:
        run.trips.pop(other.pk, None)
        keep = trip_merge(keep=keep, other=other)
    return keep


def _again(run: _Run, claim: Claim, traveller: Person | None = None) -> Evidence | None:
    """Evidence of this report that already makes the same claim about a trip of ``traveller`` (about a
    meeting when no traveller is given): a fact stated twice, or a re-extraction."""
    if run.fresh:
        return next((e for e in run.written.values() if e.claim == claim and _about(e, traveller)), None)
    rows = Evidence.objects.filter(report=run.report, claim=claim)
    rows = rows.filter(trip__traveller=traveller) if traveller else rows.filter(meeting__isnull=False)
    return rows.order_by("pk").first()


def _about(evidence: Evidence, traveller: Person | None) -> bool:
    if traveller is None:
        return evidence.meeting_id is not None
    return evidence.trip is not None and evidence.trip.traveller_id == traveller.pk


def _any_match(claims: list[Claim], claim: Claim, predicate) -> bool:
    return any(predicate(existing, claim) for existing in claims)


def _dated_claims(trip: Trip, evidence: refresh.FactEvidence) -> list[Claim]:
    return [c for c in _claims_or_state(trip, evidence) if not matching.is_loose(c)]


def _claims_or_state(trip: Trip, evidence: refresh.FactEvidence) -> list[Claim]:
    """A trip's claims; for a trip without evidence (analyst-made, imported) its own fields stand in."""
    claims = evidence.claims("trip_id", trip.pk)
    if claims:
        return claims
    state = {"countries": list(trip.stops.values_list("country_id", flat=True))}
    if trip.start_date:
        state.update(
            start=trip.start_date.isoformat(), end=trip.end_date.isoformat(), precision=trip.precision or "day"
        )
    return [state]


def _merge_stop(
    run: _Run, trip: Trip, stops: list[Stop], code: str, position: int, data: dict, spans: list[dict]
) -> int:
    """Add or reuse the trip's stop in ``code`` (``stops``: the trip's stops so far, grown here) and record the
    report's claim about it; returns growth."""
    stop = next((s for s in stops if s.country_id == code), None)
    grown = 0
    if stop is None:
        stop = Stop.objects.create(trip=trip, country_id=code, order=len(stops))
        stops.append(stop)
        grown += 1
    claim = {
        "fact": "stop",
        "published": run.published,
        "status": data.get("status"),
        "city": data.get("city"),
        "position": position,
        **_period(run, data, f"stop {code}"),
    }
    grown += _evidence(run, {"stop": stop}, claim, spans)
    for topic in _topics(run, data.get("topics"), f"stop {code}"):
        link, created = StopTopic.objects.get_or_create(stop=stop, topic=topic)
        grown += int(created) + _evidence(
            run, {"stop_topic": link}, {"fact": "stop_topic", "published": run.published}, spans
        )
    return grown


def _topics(run: _Run, slugs: list[str] | None, where: str) -> list[Topic]:
    topics = []
    for slug in dict.fromkeys(slugs or []):
        topic = Topic.objects.filter(slug=slug).first()
        if topic is None:
            run.skip(f"unknown topic {slug} ({where})")
        else:
            topics.append(topic)
    return topics


# --- meetings --------------------------------------------------------------------------------------------


def _merge_meeting(run: _Run, index: int, data: dict) -> None:
    where = f"meeting {index + 1}"
    people: dict[int, tuple[Person, dict]] = {}
    for participant in data.get("participants") or []:
        person = _person(run, participant)
        if person is not None:
            people.setdefault(person.pk, (person, participant))
    if not people:
        run.skip(f"{where}: no participants")
        return
    _lock_people([person for person, _ in people.values()])
    claim = {
        "fact": "meeting",
        "published": run.published,
        "status": data.get("status"),
        "kind": matching.normalize_kind(data.get("kind"), Meeting.Kind.values),
        "kind_as_written": (data.get("kind") or "")[:200],
        "country": _country_code(run, data.get("country"), where),
        "city": (data.get("city") or "")[:200],
        "people": sorted(people),
        **_period(run, data, where, "date", "date"),
    }
    meeting = _find_meeting(run, claim)
    if meeting is None:
        meeting = Meeting.objects.create(
            kind=claim["kind"], status=claim["status"] or Meeting._meta.get_field("status").default
        )
        run.created.add(("meeting", meeting.pk))
        run.changes.created("meeting", [meeting.pk])
        run.result.meetings_created += 1
    run.meetings[meeting.pk] = meeting
    spans = _spans(data)
    grown = _evidence(run, {"meeting": meeting}, claim, spans)
    for person, participant in people.values():
        grown += _merge_participation(run, meeting, person, participant, spans, where)
    for topic in _topics(run, data.get("topics"), where):
        link, created = MeetingTopic.objects.get_or_create(meeting=meeting, topic=topic)
        topic_claim = {"fact": "meeting_topic", "published": run.published}
        grown += int(created) + _evidence(run, {"meeting_topic": link}, topic_claim, spans)
    if grown:
        run.grown.add(("meeting", meeting.pk))


def _merge_participation(run: _Run, meeting: Meeting, person: Person, data: dict, spans: list[dict], where: str) -> int:
    participation, created = _participation(run, meeting, person)
    claim = {
        "fact": "participation",
        "published": run.published,
        "role": (data.get("role") or "")[:200] or None,
        "organization": data.get("organization"),
        "country": _country_code(run, data.get("country"), where),
        "flags": sorted(set(data.get("flags") or [])),
    }
    return int(created) + _evidence(run, {"participation": participation}, claim, spans)


def _participation(run: _Run, meeting: Meeting, person: Person) -> tuple[Participation, bool]:
    """The meeting's participation of ``person``, created if absent (the meeting's rows read once per run; the
    people are locked, so no concurrent merge adds the same one)."""
    if meeting.pk not in run.participations:
        new = ("meeting", meeting.pk) in run.created
        rows = [] if new else meeting.participations.all()
        run.participations[meeting.pk] = {p.person_id: p for p in rows}
    known = run.participations[meeting.pk]
    if person.pk in known:
        return known[person.pk], False
    known[person.pk] = Participation.objects.create(meeting=meeting, person=person)
    return known[person.pk], True


def _find_meeting(run: _Run, claim: Claim) -> Meeting | None:
    """This report's earlier meeting with the same claim, else the meeting(s) the claim matches (merged)."""
    again = _again(run, claim)
    if again is not None:
        return again.meeting
    _publish(run)
    window = _search_window(claim)
    if window is None:
        return None
    candidates = Meeting.objects.filter(participations__person_id__in=claim["people"]).distinct().order_by("pk")
    candidates = candidates.filter(Q(start_date__isnull=True) | Q(start_date__lte=window[1], end_date__gte=window[0]))
    candidates = list(candidates)
    evidence = refresh.FactEvidence(meeting_id=[m.pk for m in candidates])
    matches = [m for m in candidates if _any_match(_meeting_claims(m, evidence), claim, matching.meeting_claims_match)]
    if not matches:
        return None
    if any(m.is_locked("participations") for m in matches):
        return min(matches, key=lambda m: (m.start_date or dt.date.max, m.pk))
    from visits.services.timeline import meeting_merge

    keep, others = matches[0], matches[1:]
    if others:
        run.fresh = False  # the merge moves evidence rows between meetings
        run.participations.clear()  # and participations
    for other in others:
        run.meetings.pop(other.pk, None)
        keep = meeting_merge(keep=keep, other=other)
    return keep


def _search_window(claim: Claim) -> tuple[dt.date, dt.date] | None:
    """Dates outside which no trip or meeting can match the claim (a cheap pre-filter before the real rule)."""
    period = matching.bounds(claim)
    if period is None:
        period = matching.published(claim)
        if period is None:
            return None
    return period[0] - 2 * matching.WINDOW, period[1] + 2 * matching.WINDOW


def _meeting_claims(meeting: Meeting, evidence: refresh.FactEvidence) -> list[Claim]:
    """A meeting's claims; for one without evidence its own fields stand in."""
    claims = evidence.claims("meeting_id", meeting.pk)
    if claims:
        return claims
    state = {
        "people": sorted(meeting.participations.values_list("person_id", flat=True)),
        "country": meeting.country_id,
        "kind": meeting.kind,
    }
    if meeting.start_date:
        state.update(
            start=meeting.start_date.isoformat(), end=meeting.end_date.isoformat(), precision=meeting.precision or "day"
        )
    return [state]


# --- deriving what was touched ---------------------------------------------------------------------------


def _refresh(run: _Run) -> None:
    """Re-derive every trip and meeting this report touched (and meetings a trip change may re-attach)."""
    near: dict[int, Meeting] = {}
    for trip in run.trips.values():
        trip.refresh_from_db()
        changed = refresh.refresh_trip(trip)
        if _updated(run, "trip", trip.pk, changed):
            run.result.trips_updated += 1
        near.update({m.pk: m for m in refresh.meetings_near(trip) if m.pk not in run.meetings})
    for meeting in run.meetings.values():
        meeting.refresh_from_db()
        if _updated(run, "meeting", meeting.pk, refresh.refresh_meeting(meeting)):
            run.result.meetings_updated += 1
    # A meeting this report said nothing about keeps what its claims give; only its trip may have moved.
    for meeting in near.values():
        if _updated(run, "meeting", meeting.pk, refresh.attach_meeting(meeting)):
            run.result.meetings_updated += 1


def _updated(run: _Run, kind: str, pk: int, changed: bool) -> bool:
    """Record an "updated" change for an existing record that changed or got new evidence."""
    if (kind, pk) in run.created or not (changed or (kind, pk) in run.grown):
        return False
    run.changes.updated(kind, [pk])
    return True
