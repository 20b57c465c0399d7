"""Meetings from the English remarks of the Office of the Historian's records (see docs/HSG_REMARKS.md).

``import_hsg`` loads each travel record as a Stop of a Trip and each visit of a foreign leader as a
Meeting; the record's remarks (travels) or description (visits) is a dataset Report. This module runs
the extraction engine over that text with the record as context (traveller, country, dates) instead of
a publication date, and writes what it finds:

* travel records: every meeting (talks, bilateral meetings, summits, ...) becomes a Meeting attached to
  the record's own stop and trip, with its participants, topics and evidence. The extracted *trip* is
  dropped: the record already is the stop.
* visit records: people and topics the description names are added to the existing visit meeting.

Why not ``merge_extraction``: given the extracted trip, the merge matches the HSG trip and then
re-derives it from its claims, but the importer's evidence carries no claim, so a tour of seven stops
would shrink to the one stop this record claims. Given only the meetings, the merge leaves the trip
alone but dates each meeting with the engine's coarse period (a four-day stop becomes "that month",
a stop across two months "that year") and attaches it to the traveller's earliest trip with a stop in
that country in that period, and to that trip's first stop in the country: wrong for shuttle diplomacy
(several tours, or several stops in one country, in one month). So meetings are written here, with
the same claims and evidence rows the merge writes (``visits.services.matching`` and ``refresh``
derive them), dated by the stop and attached to the stop the record names.

What one record changed (meetings created or updated, the trip they sit on) is handed to the timeline
writer (``visits.services.writer``) in the record's transaction: one bulk insert of feed rows, the
search documents of those trips and meetings, and the timeline cache made stale on commit.

Idempotent: a meeting is found again through this report's evidence (same kind, same people), and
evidence is unique per (fact, report, span), so a second run creates nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError, transaction
from django.db.models import Q

from visits.extraction import Context, extract_report
from visits.extraction.directory import name_key
from visits.models import (
    Country,
    Evidence,
    Meeting,
    MeetingTopic,
    Participation,
    Person,
    Report,
    Stop,
    Topic,
)
from visits.services import matching, queue, refresh
from visits.services.directory import DatabaseDirectory
from visits.services.matching import Claim
from visits.services.merge_people import resolve_or_create_person
from visits.services.writer import ChangeSet, write_changes

TRAVEL_PREFIX = "hsg-travels:"
VISIT_PREFIX = "hsg-visits:"
LANGUAGE = "en"


@dataclass
class RemarksResult:
    """What one record's text gave: what was found, then what was written."""

    record: str = ""  # "travel" or "visit"
    meetings: int = 0  # meetings found (travel: on the stop; visit: folded into the visit meeting)
    summits: int = 0
    participants: int = 0  # distinct people found besides the traveller (or the visitors)
    topics: int = 0
    people: set[int] = field(default_factory=set)  # ids of those people
    dropped: list[str] = field(default_factory=list)  # unknown names dropped: no title, or only an office
    meetings_created: int = 0
    participations_created: int = 0
    topics_created: int = 0
    people_created: int = 0
    evidence_created: int = 0
    skipped: list[str] = field(default_factory=list)


class RemarksDirectory(DatabaseDirectory):
    """A DatabaseDirectory that counts the people it learns (``resolve_or_create_person`` teaches it each
    one it creates) and caches the country codes."""

    def __init__(self) -> None:
        super().__init__()
        self.created = 0  # people created through this directory
        self._countries: set[str] | None = None
        self._country_names: set[str] | None = None

    @property
    def countries(self) -> set[str]:
        if self._countries is None:
            self._countries = set(Country.objects.values_list("code", flat=True))
        return self._countries

    @property
    def country_names(self) -> set[str]:
        """Country names as name keys ("jordan")."""
        if self._country_names is None:
            self._country_names = {name_key(n) for n in Country.objects.values_list("name", flat=True)}
        return self._country_names

    def learn(self, person: Person) -> None:
        """Index a person just created, and count it."""
        self.created += 1
        super().learn(person)


def hsg_reports():
    """The dataset reports of the HSG travel and visit records, by id."""
    prefix = Q(external_id__startswith=TRAVEL_PREFIX) | Q(external_id__startswith=VISIT_PREFIX)
    return Report.objects.filter(prefix, kind=Report.Kind.DATASET).order_by("pk")


def extract_record_meetings(*, report: Report, directory: RemarksDirectory | None = None) -> RemarksResult:
    """Extract and write the meetings of one HSG record's remarks (travel) or description (visit).

    One transaction per record. ``directory`` may be shared across calls (its name index loads once).
    Raises ValueError for a report that is not an HSG travel or visit record.
    """
    directory = directory if directory is not None else RemarksDirectory()
    external_id = report.external_id or ""
    if external_id.startswith(TRAVEL_PREFIX):
        return _travel_meetings(report, directory)
    if external_id.startswith(VISIT_PREFIX):
        return _visit_participants(report, directory)
    raise ValueError(f"report {report.pk} is not an HSG travel or visit record ({external_id!r})")


# --- many records ---------------------------------------------------------------------------------------

#: Not a problem of one record: they stop the run (a task re-sends what is left, or retries).
STOPPERS = (SoftTimeLimitExceeded, OperationalError)


@dataclass
class RemarksTally:
    """What a run over many records found and wrote."""

    records: int = 0
    travel: int = 0
    visits: int = 0
    meetings: int = 0
    summits: int = 0
    participants: int = 0
    people: set[int] = field(default_factory=set)
    topics: int = 0
    without_meeting: int = 0
    dropped: int = 0
    meetings_created: int = 0
    participations_created: int = 0
    people_created: int = 0
    evidence_created: int = 0
    errors: list[dict] = field(default_factory=list)
    done: list[int] = field(default_factory=list)  # report ids processed (with or without error)

    def add(self, report_id: int, result: RemarksResult) -> None:
        self.records += 1
        self.travel += int(result.record == "travel")
        self.visits += int(result.record == "visit")
        self.without_meeting += int(result.meetings == 0)
        for name in ("meetings", "summits", "participants", "topics", "meetings_created", "people_created",
                     "participations_created", "evidence_created"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(result, name))
        self.people |= result.people
        self.dropped += len(result.dropped)
        self.done.append(report_id)

    def fail(self, report_id: int, error: Exception) -> None:
        self.records += 1
        self.errors.append({"report": report_id, "error": f"{type(error).__name__}: {error}"[:500]})
        self.done.append(report_id)

    def as_dict(self) -> dict:
        """The counts (JSON-able; errors capped at 20)."""
        counts = {k: v for k, v in vars(self).items() if isinstance(v, int)}
        return {**counts, "distinct_people": len(self.people), "errors": self.errors[:20]}

    def summary_lines(self) -> list[str]:
        return [
            f"records read: {self.records} ({self.travel} travel, {self.visits} visit)",
            f"meetings found: {self.meetings} (summits: {self.summits}); records with no meeting: "
            f"{self.without_meeting}",
            f"participants found: {self.participants} ({len(self.people)} distinct people); topics: {self.topics}; "
            f"unknown names dropped (untitled, or an office without a name): {self.dropped}",
            f"written: {self.meetings_created} meetings, {self.participations_created} participations, "
            f"{self.people_created} people, {self.evidence_created} evidence rows",
            f"errors: {len(self.errors)}",
        ]


def extract_remarks(
    *,
    report_ids: Iterable[int],
    directory: RemarksDirectory | None = None,
    tally: RemarksTally | None = None,
    progress: Callable[[int], None] | None = None,
) -> RemarksTally:
    """Run :func:`extract_record_meetings` over reports (by id, in order); one record's error is counted
    and the run goes on. A time limit or a lost database connection stops the run (see ``tally.done``)."""
    directory = directory if directory is not None else RemarksDirectory()
    tally = tally if tally is not None else RemarksTally()
    ids = list(report_ids)
    for offset in range(0, len(ids), 500):
        reports = Report.objects.in_bulk(ids[offset : offset + 500])
        for report_id in ids[offset : offset + 500]:
            _one(report_id, reports.get(report_id), directory, tally)
            if progress is not None:
                progress(1)
    return tally


#: Report ids per ``extract_remarks_batch`` task.
REMARKS_BATCH = 200


def send_remarks_batches(report_ids: list[int], *, batch_size: int = REMARKS_BATCH) -> int:
    """Send one ``extract_remarks_batch`` task per ``batch_size`` report ids; returns how many were sent."""
    batches = [report_ids[i : i + batch_size] for i in range(0, len(report_ids), batch_size)]
    for batch in batches:
        queue.send_task("extract_remarks_batch", batch)
    return len(batches)


def _one(report_id: int, report: Report | None, directory: RemarksDirectory, tally: RemarksTally) -> None:
    if report is None:
        tally.fail(report_id, LookupError("no such report"))
        return
    try:
        tally.add(report_id, extract_record_meetings(report=report, directory=directory))
    except STOPPERS:
        raise
    except Exception as exc:  # one bad record must not stop a run over thousands; it is counted and listed
        tally.fail(report_id, exc)


# --- one record ------------------------------------------------------------------------------------------


@dataclass
class _Writer:
    """What writing one record's meetings needs and has done."""

    report: Report
    directory: RemarksDirectory
    traveller: Person
    result: RemarksResult
    on: dt.date | None = None  # the record's first day: whose post a title names
    people: dict[str, Person | None] = field(default_factory=dict)
    found: set[int] = field(default_factory=set)  # people found besides the traveller (or visitors)
    own: list[Evidence] | None = None  # this report's meeting evidence, loaded once
    changes: ChangeSet = field(default_factory=ChangeSet)  # for the timeline writer, once per record

    def skip(self, message: str) -> None:
        if message not in self.result.skipped:
            self.result.skipped.append(message)


def _extract(report: Report, context: Context, directory: RemarksDirectory) -> list[dict]:
    """The meetings the engine finds in the report's text, read with the record as context."""
    if not report.text.strip():
        return []
    extraction = extract_report(
        report.text,
        language=LANGUAGE,
        title=report.title or None,
        publisher=report.publisher or None,
        directory=directory,
        context=context,
    )
    return extraction.get("meetings") or []


@transaction.atomic
def _travel_meetings(report: Report, directory: RemarksDirectory) -> RemarksResult:
    result = RemarksResult(record="travel")
    stop = (
        Stop.objects.select_related("trip__traveller", "trip__position")
        .filter(evidence__report=report)
        .order_by("pk")
        .first()
    )
    if stop is None:
        result.skipped.append("no stop has this report as evidence")
        return result
    traveller = stop.trip.traveller
    context = Context(traveller=traveller.name, country=stop.country_id, start=stop.start_date, end=stop.end_date)
    writer = _Writer(report, directory, traveller, result, on=stop.start_date)
    created_before = directory.created
    for data in _extract(report, context, directory):
        people = _participants(writer, data)
        if people:
            _count(writer, data)
            _write_travel_meeting(writer, stop, data, people)
    write_changes(writer.changes)
    result.people, result.participants = writer.found, len(writer.found)
    result.people_created = directory.created - created_before
    return result


@transaction.atomic
def _visit_participants(report: Report, directory: RemarksDirectory) -> RemarksResult:
    result = RemarksResult(record="visit")
    meeting = Meeting.objects.filter(evidence__report=report, external_id__startswith=VISIT_PREFIX).first()
    participations = list(meeting.participations.select_related("person").order_by("pk")) if meeting else []
    visitors = [p for p in participations if "hsg" in p.flags] or participations
    if not visitors:
        result.skipped.append("no visit meeting with a visitor has this report as evidence")
        return result
    traveller = visitors[0].person
    country = meeting.country_id or "US"
    context = Context(traveller=traveller.name, country=country, start=meeting.start_date, end=meeting.end_date)
    writer = _Writer(report, directory, traveller, result, on=meeting.start_date)
    created_before = directory.created
    for data in _extract(report, context, directory):
        people = _participants(writer, data)
        if people:
            _count(writer, data)
            _add_to_visit(writer, meeting, {p.person_id for p in visitors}, data, people)
    write_changes(writer.changes)
    result.people, result.participants = writer.found, len(writer.found)
    result.people_created = directory.created - created_before
    return result


def _count(w: _Writer, data: dict) -> None:
    w.result.meetings += 1
    w.result.summits += int(data.get("kind") == Meeting.Kind.SUMMIT)


# --- travel records: meetings on the stop ----------------------------------------------------------------


def _write_travel_meeting(w: _Writer, stop: Stop, data: dict, people: dict[int, tuple[Person, dict]]) -> None:
    """One extracted meeting, written on ``stop`` (found again on a re-run), with its people and topics."""
    w.found.update(pk for pk in people if pk != w.traveller.pk)
    claim = _meeting_claim(stop, data, sorted(people))
    meeting = _own_meeting(w, claim)
    own = meeting is not None
    meeting = meeting or _matching_meeting(claim)
    created = meeting is None
    if created:
        meeting = _create_meeting(w, claim, stop)
    spans = _spans(data)
    grown = _evidence(w, {"meeting": meeting}, claim, spans, fresh=created)
    for person, participant in people.values():
        participant_claim = _participant_claim(w, stop, person, participant)
        grown += _participation(w, meeting, person, participant_claim, spans)
    grown += _topics(w, meeting, data.get("topics"), spans)
    if created or (own and not grown):
        return
    if _derive(meeting, stop) or grown:
        w.changes.updated("meeting", [meeting.pk])
        w.changes.updated("trip", [stop.trip_id])  # the trip lists its meetings


def _meeting_claim(stop: Stop, data: dict, people: list[int]) -> Claim:
    """What this record says about the meeting: the engine's kind and status, the stop's place and dates."""
    period = matching.parse_period(
        stop.start_date.isoformat() if stop.start_date else None,
        stop.end_date.isoformat() if stop.end_date else None,
        stop.precision,
    )
    return {
        "fact": "meeting",
        "published": None,
        "status": data.get("status"),
        "kind": matching.normalize_kind(data.get("kind"), Meeting.Kind.values),
        "kind_as_written": (data.get("kind") or "")[:200],
        "country": stop.country_id,
        "city": (data.get("city") or "")[:200],
        "people": people,
        **period,
    }


def _create_meeting(w: _Writer, claim: Claim, stop: Stop) -> Meeting:
    """A new meeting with the fields its only claim gives (what re-deriving would give), on the stop."""
    values = matching.derive_meeting([claim])
    values["flags"] = sorted(values["flags"])
    values.setdefault("status", Meeting._meta.get_field("status").default)
    meeting = Meeting.objects.create(trip_id=stop.trip_id, stop=stop, **values)
    w.result.meetings_created += 1
    w.changes.created("meeting", [meeting.pk])
    w.changes.updated("trip", [stop.trip_id])  # the trip lists its meetings
    return meeting


def _own_meeting(w: _Writer, claim: Claim) -> Meeting | None:
    """The meeting this report already gave for the same kind and people (a re-run)."""
    if w.own is None:
        rows = Evidence.objects.filter(report=w.report, meeting__isnull=False).select_related("meeting")
        w.own = list(rows.order_by("pk"))
    for row in w.own:
        if row.claim.get("kind") == claim["kind"] and row.claim.get("people") == claim["people"]:
            return row.meeting
    return None


def _matching_meeting(claim: Claim) -> Meeting | None:
    """A meeting another report gave that the claim matches (same people, same days: see MERGING.md).

    Imported records (with an external id, e.g. the HSG visits) are never matched.
    """
    period = matching.bounds(claim)
    if period is None:
        return None
    candidates = (
        Meeting.objects.filter(participations__person_id__in=claim["people"], external_id__isnull=True)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=period[1], end_date__gte=period[0]))
        .distinct()
        .order_by("pk")
    )
    for meeting in candidates:
        claims = refresh.claims_for(meeting=meeting) or [_meeting_state(meeting)]
        if any(matching.meeting_claims_match(existing, claim) for existing in claims):
            return meeting
    return None


def _meeting_state(meeting: Meeting) -> Claim:
    """A meeting without claims (made by hand) stands in with its own fields."""
    state = {
        "people": sorted(meeting.participations.values_list("person_id", flat=True)),
        "country": meeting.country_id,
        "kind": meeting.kind,
    }
    if meeting.start_date:
        state.update(start=meeting.start_date.isoformat(), end=meeting.end_date.isoformat())
        state["precision"] = meeting.precision or "day"
    return state


def _derive(meeting: Meeting, stop: Stop) -> bool:
    """Re-derive a meeting from all its claims (as the merge does) and keep it on the record's stop."""
    derived = matching.derive_meeting(refresh.claims_for(meeting=meeting))
    derived["flags"] = sorted((set(meeting.flags) - refresh.DERIVED_FLAGS) | derived["flags"])
    changed = bool(refresh.apply(meeting, {**derived, "trip_id": stop.trip_id, "stop_id": stop.pk}))
    for participation in meeting.participations.select_related("meeting"):
        changed |= refresh.refresh_participation(participation)
    return changed


def _participant_claim(w: _Writer, stop: Stop, person: Person, data: dict) -> Claim:
    """What the record says of a participant; the traveller's title is the post they held on the trip."""
    role = (data.get("role") or "")[:200] or None
    country = _country(w, data.get("country"))
    if person.pk == w.traveller.pk:
        position = stop.trip.position
        role = role or (position.title if position else None)
        country = country or (position.country_id if position else None)
    return _claim_of_participant(role, data.get("organization"), country, data.get("flags"))


def _claim_of_participant(role: str | None, organization: str | None, country: str | None, flags) -> Claim:
    return {
        "fact": "participation",
        "published": None,
        "role": role,
        "organization": organization,
        "country": country,
        "flags": sorted(set(flags or [])),
    }


# --- visit records: more participants and topics on the visit --------------------------------------------


def _add_to_visit(
    w: _Writer, meeting: Meeting, visitors: set[int], data: dict, people: dict[int, tuple[Person, dict]]
) -> None:
    """People (besides the visitors) and topics of one extracted meeting, added to the visit meeting.

    Only participations and topic links get evidence: a claim on the visit meeting itself would make
    re-deriving it follow this text alone (the importer's evidence carries no claim).
    """
    spans = _spans(data)
    grown = 0
    for person, participant in people.values():
        if person.pk in visitors:
            continue
        w.found.add(person.pk)
        role = (participant.get("role") or "")[:200] or None
        country = _country(w, participant.get("country"))
        claim = _claim_of_participant(role, participant.get("organization"), country, participant.get("flags"))
        if _participation(w, meeting, person, claim, spans):
            refresh.refresh_participation(meeting.participations.select_related("meeting").get(person=person))
            grown += 1
    grown += _topics(w, meeting, data.get("topics"), spans)
    if grown:
        w.changes.updated("meeting", [meeting.pk])


# --- shared writing --------------------------------------------------------------------------------------


def _participants(w: _Writer, data: dict) -> dict[int, tuple[Person, dict]]:
    """The people of an extracted meeting by id ({} when only unusable names were found).

    The traveller is the record's own traveller. An unknown name without a title is dropped ("Central
    American", "Tsunami Relief": the engine takes some capitalised phrases for people), and so is an
    office without a name ("Minister of Foreign Affairs of Egypt"); a meeting whose only counterparts
    were dropped is dropped with them.
    """
    people: dict[int, tuple[Person, dict]] = {}
    named = dropped = 0
    for participant in data.get("participants") or []:
        person = _person(w, participant)
        if person is None:
            dropped += 1
            continue
        named += int(person.pk != w.traveller.pk)
        people.setdefault(person.pk, (person, participant))
    if dropped and not named:
        return {}
    return people


def _person(w: _Writer, data: dict) -> Person | None:
    """The Person a participant stands for: the traveller, a known person, or a new unreviewed one."""
    name = (data.get("name") or "").strip()
    if data.get("id") == w.traveller.pk or (name and name_key(name) == name_key(w.traveller.name)):
        return w.traveller
    if _not_a_person(w, name) or (not data.get("id") and _unusable(name, data.get("role"))):
        if name and name not in w.result.dropped:
            w.result.dropped.append(name)
        return None
    key = f"{data.get('id')}|{name}"
    if key not in w.people:
        person = Person.objects.filter(pk=data["id"]).first() if data.get("id") else None
        person = person or _holder(w, name, data.get("role"), _country(w, data.get("country")))
        if person is None and name:
            person, _ = resolve_or_create_person(
                name=name,
                as_written=data.get("as_written") or name,
                language=LANGUAGE,
                country=_country(w, data.get("country")),
                directory=w.directory,
            )
        w.people[key] = person
    return w.people[key]


#: Words of events and bodies: a "person" named with one is a misread ("Ministerial Meeting", "Cooperation").
NOT_NAME_WORDS = frozenset(
    """meeting meetings ministerial ministers summit conference council cooperation commission assembly forum
    relief leaders development economic group union organization community communities democracies alliance
    session talks dialogue partnership""".split()  # noqa: SIM905
)


def _not_a_person(w: _Writer, name: str) -> bool:
    """A name made of event or body words, or a country's name ("Jordan" from "the Kings of ... Jordan")."""
    words = set(name_key(name).split())
    return bool(words & NOT_NAME_WORDS) or name_key(name) in w.directory.country_names


def _holder(w: _Writer, name: str, role: str | None, country: str | None) -> Person | None:
    """The one holder of ``role`` in ``country`` on the record's day with that surname ("President Bush"
    in 1990: George H.W. Bush), from the Position table; None when there is not exactly one."""
    if not (role and country and w.on and name):
        return None
    surname = name_key(name).split()[-1:]
    holders = w.directory.holders(role, country=country, on=w.on)
    ids = {h.person.id for h in holders if name_key(h.person.name).split()[-1:] == surname}
    return Person.objects.filter(pk=ids.pop()).first() if len(ids) == 1 else None


def _unusable(name: str, role: str | None) -> bool:
    """An unknown name that is no usable person: untitled ("Tsunami Relief"), or only an office
    ("Minister of Foreign Affairs of Egypt"), which would become one fake person across decades."""
    if not role:
        return True
    return not name or name_key(name).startswith(name_key(role))


def _country(w: _Writer, code: str | None) -> str | None:
    code = (code or "").strip().upper()
    if code and code not in w.directory.countries:
        w.skip(f"unknown country {code}")
    return code if code in w.directory.countries else None


def _spans(data: dict) -> list[dict]:
    """The evidence spans of a fact; one empty span when the engine gave none (so the claim is kept)."""
    return data.get("evidence") or [{"quote": "", "start": 0, "end": 0}]


def _evidence(w: _Writer, fact: dict, claim: Claim, spans: list[dict], *, fresh: bool = False) -> int:
    """One Evidence per (fact, report, span), created if absent, else its claim updated; returns how many
    rows were created or changed. ``fresh``: the fact was just created, so it has no evidence yet."""
    grown = 0
    for span in spans:
        start = int(span.get("start") or 0)
        end = max(start, int(span.get("end") or 0))
        existing = None if fresh else Evidence.objects.filter(report=w.report, start=start, end=end, **fact).first()
        if existing is not None:
            if existing.claim != claim:
                existing.claim = claim
                existing.save(update_fields=["claim"])
                grown += 1
            continue
        confidence = min(max(float(span.get("confidence", 1.0)), 0.0), 1.0)
        Evidence.objects.create(
            report=w.report, quote=span.get("quote") or "", start=start, end=end, confidence=confidence,
            claim=claim, **fact,
        )  # fmt: skip
        w.result.evidence_created += 1
        grown += 1
    return grown


def _participation(w: _Writer, meeting: Meeting, person: Person, claim: Claim, spans: list[dict]) -> int:
    """The person's participation (created with what its claim gives if absent) with this record's evidence."""
    participation = Participation.objects.filter(meeting=meeting, person=person).first()
    created = participation is None
    if created:
        values = _participation_values(claim, meeting)
        participation = Participation.objects.create(meeting=meeting, person=person, **values)
        w.result.participations_created += 1
    return int(created) + _evidence(w, {"participation": participation}, claim, spans, fresh=created)


def _participation_values(claim: Claim, meeting: Meeting) -> dict:
    """The fields a participation's only claim gives (what ``refresh_participation`` would derive)."""
    derived = matching.derive_participation([claim])
    name = derived.pop("organization_name", None)
    country = derived.get("country_id")
    return {
        "title": derived.get("title") or "",
        "country_id": country,
        "organization": refresh.organization_named(name) if name else None,
        "flags": sorted(derived["flags"]),
        "is_host": bool(meeting.country_id) and country == meeting.country_id,
    }


def _topics(w: _Writer, meeting: Meeting, slugs: list[str] | None, spans: list[dict]) -> int:
    """Topic links of the meeting with this record's evidence; unknown slugs are listed as skipped."""
    grown = 0
    for slug in dict.fromkeys(slugs or []):
        topic = Topic.objects.filter(slug=slug).first()
        if topic is None:
            w.skip(f"unknown topic {slug}")
            continue
        link, created = MeetingTopic.objects.get_or_create(meeting=meeting, topic=topic)
        w.result.topics += 1
        w.result.topics_created += int(created)
        claim = {"fact": "meeting_topic", "published": None}
        grown += int(created) + _evidence(w, {"meeting_topic": link}, claim, spans, fresh=created)
    return grown
