"""Recompute trips, stops, meetings and participations from the claims on their evidence.

Used by ingestion (visits.services.merge) and by the analyst services (visits.services.timeline)
after evidence was added, moved, confirmed or rejected. Locked fields are never written.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db.models import Q

from visits.models import Change, Evidence, Meeting, Organization, Participation, ReviewState, Stop, Trip
from visits.services import matching, writer
from visits.services.matching import Claim

DERIVED_FLAGS = {matching.CONFLICT_FLAG}


def claims_for(**fact) -> list[Claim]:
    """The distinct claims of the non-rejected evidence of one fact (e.g. ``trip=trip``), one per report and claim."""
    rows = Evidence.objects.filter(**fact).exclude(review_state=ReviewState.REJECTED).order_by("report_id", "id")
    seen: dict[tuple[int, str], Claim] = {}
    for report_id, claim in rows.values_list("report_id", "claim"):
        if claim:
            seen.setdefault((report_id, json.dumps(claim, sort_keys=True)), claim)
    return list(seen.values())


def _reported_flags(**fact) -> set[str]:
    """Every flag any evidence (rejected or not) ever claimed: these are ours to add or remove."""
    claims = Evidence.objects.filter(**fact).values_list("claim", flat=True)
    return {flag for claim in claims for flag in (claim or {}).get("flags", ())} | DERIVED_FLAGS


def _merge_flags(current: list[str], derived: set[str], managed: set[str]) -> list[str]:
    """Keep flags an analyst set by hand; replace the ones derived from reports."""
    return sorted((set(current) - managed) | derived)


def apply(instance, values: dict) -> list[str]:
    """Set changed, unlocked values on ``instance`` and save them; returns the fields changed."""
    changed = []
    for field, value in values.items():
        if instance.is_locked(field) or instance.is_locked(field.removesuffix("_id")):
            continue
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed.append(field)
    if changed:
        instance.save()
    return changed


def record(kind: str, object_id: int, action: str, merged_into: int | None = None) -> Change:
    """One row of the changes feed, through the timeline writer (which also makes the cache stale)."""
    return writer.record_change(kind, object_id, action, merged_into=merged_into)


def refresh_stop(stop: Stop) -> tuple[bool, dict]:
    """Derive a stop's status, dates and cities; returns (changed, derived values)."""
    claims = claims_for(stop=stop)
    if not claims:
        return False, {}
    derived = matching.derive_stop(claims)
    values = {k: v for k, v in derived.items() if k != "position"}
    return bool(apply(stop, values)), derived


def refresh_trip(trip: Trip) -> bool:
    """Derive a trip (and its stops and their order) from its evidence; True if anything changed."""
    stops = list(trip.stops.all())
    results = {stop.pk: refresh_stop(stop) for stop in stops}
    changed = any(result[0] for result in results.values())
    changed |= _order_stops(stops, {pk: result[1] for pk, result in results.items()})
    claims = claims_for(trip=trip)
    if not claims:
        return changed
    derived = matching.derive_trip(claims)
    if "start_date" not in derived:
        derived.update(_period_of_stops(stops))
    derived["flags"] = _merge_flags(trip.flags, derived["flags"], _reported_flags(trip=trip))
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


def refresh_participation(participation: Participation) -> bool:
    """Derive a participant's title, organization, country and flags."""
    claims = claims_for(participation=participation)
    if not claims:
        return False
    derived = matching.derive_participation(claims)
    name = derived.pop("organization_name", None)
    if name:
        derived["organization"] = organization_named(name)
    derived["flags"] = _merge_flags(participation.flags, derived["flags"], _reported_flags(participation=participation))
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
    """Derive a meeting and its participations from their evidence; True if anything changed."""
    changed = False
    claims = claims_for(meeting=meeting)
    if claims:
        derived = matching.derive_meeting(claims)
        derived["flags"] = _merge_flags(meeting.flags, derived["flags"], DERIVED_FLAGS)
        changed = bool(apply(meeting, derived))
    for participation in meeting.participations.select_related("meeting"):
        changed |= refresh_participation(participation)
    return attach_meeting(meeting) or changed


def attach_meeting(meeting: Meeting) -> bool:
    """Attach a meeting to the trip of a participating traveller covering it, and to that trip's stop there."""
    trip = _covering_trip(meeting)
    stop = None
    if trip is not None and meeting.country_id:
        stop = trip.stops.filter(country_id=meeting.country_id).first()
    return bool(apply(meeting, {"trip_id": trip.pk if trip else None, "stop_id": stop.pk if stop else None}))


def _covering_trip(meeting: Meeting) -> Trip | None:
    """The trip of a participant whose period holds the meeting (±1 day), or which shares a report with an
    undated meeting; with a stop in the meeting's country if it has one. Ties: earliest start, then name."""
    people = meeting.participations.values_list("person_id", flat=True)
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
