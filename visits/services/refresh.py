"""Recompute trips, stops, meetings and participations from the claims on their evidence.

Used by ingestion (visits.services.merge) and by the analyst services (visits.services.timeline)
after evidence was added, moved, confirmed or rejected. Locked fields are never written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from django.db.models import Q

from visits.models import Change, Evidence, Meeting, Organization, Participation, ReviewState, Stop, Trip
from visits.services import matching, writer
from visits.services.matching import Claim

DERIVED_FLAGS = {matching.CONFLICT_FLAG}


def claims_for(**fact) -> list[Claim]:
    """The distinct claims of the non-rejected evidence of one fact (e.g. ``trip=trip``), one per report and claim."""
    rows = Evidence.objects.filter(**fact).exclude(review_state=ReviewState.REJECTED).order_by("report_id", "id")
    return _distinct(rows.values_list("report_id", "claim"))


def _distinct(rows: Iterable[tuple[int, Claim]]) -> list[Claim]:
    seen: dict[tuple[int, str], Claim] = {}
    for report_id, claim in rows:
        if claim:
            seen.setdefault((report_id, json.dumps(claim, sort_keys=True)), claim)
    return list(seen.values())


class FactEvidence:
    """The evidence of a trip or meeting and of its parts (stops, participations), read in one statement.

    ``FactEvidence(trip_id=[5], stop_id=[8, 9])``; then ``claims("stop_id", 8)`` is ``claims_for(stop=8)``
    and ``reported_flags("trip_id", 5)`` is every flag any of trip 5's evidence (rejected or not) ever
    claimed: those are ours to add or remove.
    """

    def __init__(self, **ids_by_field: Iterable[int]) -> None:
        fields = list(ids_by_field)
        wanted = Q()
        for name, ids in ids_by_field.items():
            if ids:
                wanted |= Q(**{f"{name}__in": list(ids)})
        self._rows: dict[tuple[str, int], list[tuple[int, Claim, str]]] = {}
        if not wanted:
            return
        rows = Evidence.objects.filter(wanted).order_by("report_id", "id")
        for *owners, report_id, claim, state in rows.values_list(*fields, "report_id", "claim", "review_state"):
            for name, owner in zip(fields, owners, strict=True):
                if owner is not None:
                    self._rows.setdefault((name, owner), []).append((report_id, claim, state))

    def claims(self, field: str, pk: int) -> list[Claim]:
        rows = self._rows.get((field, pk), ())
        return _distinct((report, claim) for report, claim, state in rows if state != ReviewState.REJECTED)

    def reported_flags(self, field: str, pk: int) -> set[str]:
        claims = (claim for _, claim, _ in self._rows.get((field, pk), ()))
        return {flag for claim in claims for flag in (claim or {}).get("flags", ())} | DERIVED_FLAGS


def _merge_flags(current: list[str], derived: set[str], managed: set[str]) -> list[str]:
    """Keep flags an analyst set by hand; replace the ones derived from reports."""
    return sorted((set(current) - managed) | derived)


def apply(instance, values: dict, *, save: bool = True) -> list[str]:
    """Set changed, unlocked values on ``instance`` and save them (unless not ``save``); returns the fields changed."""
    changed = []
    for field, value in values.items():
        if instance.is_locked(field) or instance.is_locked(field.removesuffix("_id")):
            continue
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed.append(field)
    if changed and save:
        instance.save()
    return changed


def record(kind: str, object_id: int, action: str, merged_into: int | None = None) -> Change:
    """One row of the changes feed, through the timeline writer (which also makes the cache stale)."""
    return writer.record_change(kind, object_id, action, merged_into=merged_into)


def refresh_stop(stop: Stop, evidence: FactEvidence) -> tuple[bool, dict]:
    """Derive a stop's status, dates and cities (``evidence``: its trip's); returns (changed, derived values)."""
    claims = evidence.claims("stop_id", stop.pk)
    if not claims:
        return False, {}
    derived = matching.derive_stop(claims)
    values = {k: v for k, v in derived.items() if k != "position"}
    return bool(apply(stop, values)), derived


def refresh_trip(trip: Trip) -> bool:
    """Derive a trip (and its stops and their order) from its evidence; True if anything changed."""
    stops = list(trip.stops.all())
    evidence = FactEvidence(trip_id=[trip.pk], stop_id=[stop.pk for stop in stops])
    results = {stop.pk: refresh_stop(stop, evidence) for stop in stops}
    changed = any(result[0] for result in results.values())
    changed |= _order_stops(stops, {pk: result[1] for pk, result in results.items()})
    claims = evidence.claims("trip_id", trip.pk)
    if not claims:
        return changed
    derived = matching.derive_trip(claims)
    if "start_date" not in derived:
        derived.update(_period_of_stops(stops))
    derived["flags"] = _merge_flags(trip.flags, derived["flags"], evidence.reported_flags("trip_id", trip.pk))
    return bool(apply(trip, derived)) or changed


def _order_stops(stops: list[Stop], derived: dict[int, dict]) -> bool:
    """Order stops by date where known, else by where the latest report lists them, then by country code."""

    def key(stop: Stop):
        return (stop.start_date or dt.date.max, derived.get(stop.pk, {}).get("position", 999), stop.country_id)

    changed = False
    for order, stop in enumerate(sorted(stops, key=key)):
        changed |= bool(apply(stop, {"order": order}))
    return changed


def _period_of_stops(stops: list[Stop]) -> dict:
    """A trip period covering its dated stops, as precise as the least precise of them."""
    dated = [s for s in stops if s.start_date and s.precision]
    if not dated:
        return {}
    return {
        "start_date": min(s.start_date for s in dated),
        "end_date": max(s.end_date for s in dated),
        "precision": min((s.precision for s in dated), key=matching.PRECISION_RANK.get),
    }


def refresh_participation(participation: Participation, evidence: FactEvidence | None = None) -> bool:
    """Derive a participant's title, organization, country and flags."""
    evidence = evidence or FactEvidence(participation_id=[participation.pk])
    claims = evidence.claims("participation_id", participation.pk)
    if not claims:
        return False
    derived = matching.derive_participation(claims)
    name = derived.pop("organization_name", None)
    if name:
        derived["organization"] = organization_named(name)
    reported = evidence.reported_flags("participation_id", participation.pk)
    derived["flags"] = _merge_flags(participation.flags, derived["flags"], reported)
    meeting = participation.meeting
    derived["is_host"] = bool(meeting.country_id) and derived.get("country_id", participation.country_id) == (
        meeting.country_id
    )
    return bool(apply(participation, derived))


def organization_named(name: str) -> Organization | None:
    """An existing organization by name, abbreviation or alias (ingestion never invents organizations)."""
    found = Organization.objects.filter(Q(name__iexact=name) | Q(abbreviation__iexact=name)).order_by("pk").first()
    return found or Organization.objects.filter(aliases__name__iexact=name).order_by("pk").first()


def refresh_meeting(meeting: Meeting) -> bool:
    """Derive a meeting and its participations from their evidence, and attach it to its trip; True if
    anything changed. The meeting itself is saved once, whatever changed."""
    participations = list(meeting.participations.all())
    evidence = FactEvidence(meeting_id=[meeting.pk], participation_id=[p.pk for p in participations])
    changed = []
    claims = evidence.claims("meeting_id", meeting.pk)
    if claims:
        derived = matching.derive_meeting(claims)
        derived["flags"] = _merge_flags(meeting.flags, derived["flags"], DERIVED_FLAGS)
        changed += apply(meeting, derived, save=False)
    changed += apply(meeting, _attachment(meeting, [p.person_id for p in participations]), save=False)
    if changed:
        meeting.save()
    participations_changed = False
    for participation in participations:
        participation.meeting = meeting
        participations_changed |= refresh_participation(participation, evidence)
    return bool(changed) or participations_changed


def attach_meeting(meeting: Meeting) -> bool:
    """Attach a meeting to the trip of a participating traveller covering it, and to that trip's stop there."""
    people = list(meeting.participations.values_list("person_id", flat=True))
    return bool(apply(meeting, _attachment(meeting, people)))


def _attachment(meeting: Meeting, people: list[int]) -> dict:
    trip = _covering_trip(meeting, people)
    stop = None
    if trip is not None and meeting.country_id:
        stop = trip.stops.filter(country_id=meeting.country_id).first()
    return {"trip_id": trip.pk if trip else None, "stop_id": stop.pk if stop else None}


def _covering_trip(meeting: Meeting, people: list[int]) -> Trip | None:
    """The trip of a participant whose period holds the meeting (±1 day), or which shares a report with an
    undated meeting; with a stop in the meeting's country if it has one. Ties: earliest start, then name."""
    trips = Trip.objects.filter(traveller_id__in=people)
    if meeting.country_id:
        trips = trips.filter(stops__country_id=meeting.country_id)
    if meeting.start_date:
        one = dt.timedelta(days=1)
        trips = trips.filter(start_date__lte=meeting.end_date + one, end_date__gte=meeting.start_date - one)
    else:
        reports = Evidence.objects.filter(meeting=meeting).values("report_id")
        trips = trips.filter(evidence__report_id__in=reports)
    return trips.distinct().order_by("start_date", "traveller__name", "pk").first()


def meetings_near(trip: Trip):
    """Meetings a change of ``trip`` may attach or detach: its own and its traveller's around its period."""
    near = Q(trip=trip)
    if trip.start_date:
        one = dt.timedelta(days=1)
        near |= Q(start_date__lte=trip.end_date + one, end_date__gte=trip.start_date - one)
    near |= Q(start_date__isnull=True, evidence__report__evidence__trip=trip)
    return Meeting.objects.filter(near, participations__person_id=trip.traveller_id).distinct()
