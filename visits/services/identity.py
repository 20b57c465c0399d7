"""Identity resolution: which of a traveller's trip claims are one real trip.

A *unit* is one report's claim about one trip (its trip-level Evidence rows). Units dated to a day or a
month are the same trip when their claims match (``matching.trip_claims_match``: a shared country and
overlapping or adjacent periods); the trips are the connected components of that relation, so the
grouping depends on the set of claims only, never on the order in which reports arrived. An undated
unit (no date, or only a year) is placed by its report's publication or retrieval date: it joins the one
trip that shares a country with it and lies within ``matching.WINDOW`` of that date; when it fits
several, or none, or its report has no date at all, it stays a trip of its own flagged ``unresolved``:
never guessed, and an undated unit never bridges two trips. Trips an analyst split or joined
(``"stops"`` locked) keep their claims: two of them are never merged.

``resolve_traveller`` applies the grouping to the stored trips (merging and splitting them) and says
why, in ``MergeDecision`` rows shown on the trip's page and in the admin. Ingestion runs it after every
report; ``manage.py resolve_timeline`` re-runs it over everything after the rules change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import transaction

from visits.models import Evidence, MergeDecision, ReviewState, Stop, Trip
from visits.services import matching, refresh
from visits.services.matching import Claim

UNRESOLVED = "unresolved"  # an undated report that fits several of the traveller's trips, or none


@dataclass(eq=False)
class Unit:
    report_id: int | None  # None: a trip without evidence (imported, analyst-made) stands in with its fields
    claim: Claim
    trip_id: int
    first_evidence: int  # the oldest evidence row: which claim was there first, for a stable tie-break

    @property
    def placed(self) -> bool:
        """Dated by the report itself (a day or a month), not only by when it was published."""
        return not matching.is_loose(self.claim)

    @property
    def countries(self) -> set[str]:
        return set(self.claim.get("countries", ()))


@dataclass
class Resolution:
    merged: int = 0
    split: int = 0
    unresolved: int = 0
    trips: set[int] = field(default_factory=set)

    def add(self, other: Resolution) -> None:
        self.merged += other.merged
        self.split += other.split
        self.unresolved += other.unresolved
        self.trips |= other.trips


# --- reading the traveller's claims ----------------------------------------------------------------------


def _units(trips: list[Trip]) -> list[Unit]:
    rows = (
        Evidence.objects.filter(trip__in=trips)
        .exclude(review_state=ReviewState.REJECTED)
        .order_by("id")
        .values_list("id", "report_id", "trip_id", "claim")
    )
    units: dict[tuple[int, int, str], Unit] = {}
    for pk, report_id, trip_id, claim in rows:
        if claim:
            key = (trip_id, report_id, json.dumps(claim, sort_keys=True))
            units.setdefault(key, Unit(report_id, claim, trip_id, pk))
    with_claims = {u.trip_id for u in units.values()}
    for trip in trips:
        if trip.pk not in with_claims:  # no evidence: the trip's own fields are its claim
            state = {"countries": list(trip.stops.values_list("country_id", flat=True))}
            if trip.start_date:
                state |= {"start": str(trip.start_date), "end": str(trip.end_date), "precision": trip.precision}
            units[(trip.pk, 0, "")] = Unit(None, state, trip.pk, 0)
    return list(units.values())


# --- grouping ----------------------------------------------------------------------------------------------


class _Groups:
    """Union-find over units; a group holds at most one locked trip (an analyst's decision stands)."""

    def __init__(self, units: list[Unit], locked: dict[int, Trip]):
        self.parent = {id(u): id(u) for u in units}
        self.locked = {id(u): {u.trip_id} if u.trip_id in locked else set() for u in units}

    def find(self, key: int) -> int:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def join(self, a: Unit, b: Unit) -> bool:
        ra, rb = self.find(id(a)), self.find(id(b))
        if ra == rb:
            return True
        if self.locked[ra] and self.locked[rb] and self.locked[ra] != self.locked[rb]:
            return False
        self.parent[rb] = ra
        self.locked[ra] |= self.locked[rb]
        return True


def target_groups(units: list[Unit], locked: dict[int, Trip]) -> tuple[list[list[Unit]], set[int]]:
    """The units grouped into real trips; and the ids of groups made only of units that could not be placed."""
    groups = _Groups(units, locked)
    for unit in units:  # an analyst's trip keeps all its claims together
        if unit.trip_id in locked:
            first = next(u for u in units if u.trip_id == unit.trip_id)
            groups.join(first, unit)
    placed = sorted((u for u in units if u.placed), key=lambda u: (u.first_evidence, u.trip_id))
    for i, unit in enumerate(placed):
        for other in placed[:i]:
            if matching.trip_claims_match(other.claim, unit.claim):
                groups.join(other, unit)
    loose = [u for u in units if not u.placed and u.trip_id not in locked]
    roots_of_placed = {groups.find(id(u)) for u in placed} | {groups.find(id(u)) for u in units if u.trip_id in locked}
    members: dict[int, list[Unit]] = {}
    for unit in units:
        root = groups.find(id(unit))
        if root in roots_of_placed:
            members.setdefault(root, []).append(unit)
    for unit in loose:
        fitting = [root for root, group in members.items() if _fits(unit, group)]
        if len(fitting) == 1:
            groups.join(members[fitting[0]][0], unit)
    by_root: dict[int, list[Unit]] = {}
    for unit in units:
        by_root.setdefault(groups.find(id(unit)), []).append(unit)
    unresolved = {id(members[0]) for root, members in by_root.items() if root not in roots_of_placed}
    return list(by_root.values()), unresolved


def _fits(loose: Unit, group: list[Unit]) -> bool:
    """An undated claim fits a trip when it shares a country with it and its report's date lies near it."""
    if not loose.countries & {c for u in group for c in u.countries}:
        return False
    return any(u.placed and matching.periods_match(u.claim, loose.claim, adjacent_days=1) for u in group)


def only_fitting_trip(traveller_id: int, claim: Claim) -> int | None:
    """The one stored trip an undated claim would join under the grouping rule, or None (none or several).

    Ingestion places an undated report there directly instead of making a trip that resolution then merges
    away; ``resolve_traveller`` still decides, so this is only a shortcut to the same result.
    """
    countries = set(claim.get("countries", ()))
    if not countries:
        return None
    trips = list(
        Trip.objects.filter(
            pk__in=Stop.objects.filter(trip__traveller_id=traveller_id, country_id__in=countries).values("trip_id")
        )
    )
    if not trips:
        return None
    loose = Unit(None, claim, 0, 0)
    by_trip: dict[int, list[Unit]] = {}
    for unit in _units(trips):
        by_trip.setdefault(unit.trip_id, []).append(unit)
    fitting = [trip_id for trip_id, units in by_trip.items() if _fits(loose, units)]
    return fitting[0] if len(fitting) == 1 else None


# --- applying the grouping ---------------------------------------------------------------------------------


@transaction.atomic
def resolve_traveller(traveller_id: int, countries: set[str] | None = None) -> Resolution:
    """Merge and split the traveller's trips (those in ``countries``, or all) into the grouping of their claims."""
    trips = Trip.objects.filter(traveller_id=traveller_id).order_by("pk")
    if countries:
        trips = trips.filter(pk__in=_trips_linked_to(traveller_id, set(countries)))
    trips = list(trips.select_for_update())
    if not trips:
        return Resolution()
    locked = {t.pk: t for t in trips if t.is_locked("stops")}
    units = _units(trips)
    groups, unresolved = target_groups(units, locked)
    result = Resolution()
    keepers = _keepers(groups, locked)
    for group, keeper in zip(groups, keepers, strict=True):
        for trip_id in sorted({u.trip_id for u in group} - {keeper}):
            moving = [u for u in group if u.trip_id == trip_id]
            if _whole_trip(trip_id, moving, units):
                _merge_into(keeper, trip_id, moving, result)
            else:
                _move_units(keeper, trip_id, moving, result)
    for group, keeper in zip(groups, keepers, strict=True):
        _flag_unresolved(keeper, id(group[0]) in unresolved, result)
    _drop_emptied(result)
    return result


def _trips_linked_to(traveller_id: int, countries: set[str]) -> set[int]:
    """The traveller's trips with a stop in ``countries``, and those sharing a country with them, and so on.

    Resolving only the trips of the touched countries would let an undated claim fit the one trip it sees
    while it also fits a trip of another of its countries: the grouping must see every trip a claim could
    join, or it depends on the order reports came in.
    """
    by_country: dict[str, set[int]] = {}
    countries_of: dict[int, set[str]] = {}
    for trip_id, country in Stop.objects.filter(trip__traveller_id=traveller_id).values_list("trip_id", "country_id"):
        by_country.setdefault(country, set()).add(trip_id)
        countries_of.setdefault(trip_id, set()).add(country)
    linked: set[int] = set()
    pending = set(countries)
    seen: set[str] = set()
    while pending:
        country = pending.pop()
        seen.add(country)
        for trip_id in by_country.get(country, ()):
            if trip_id not in linked:
                linked.add(trip_id)
                pending |= countries_of[trip_id] - seen
    return linked


def _drop_emptied(result: Resolution) -> None:
    """A trip all of whose claims moved elsewhere is gone (the changes feed says where they went)."""
    for trip in Trip.objects.filter(pk__in=result.trips):
        if trip.evidence.exists() or Evidence.objects.filter(stop__trip=trip).exists() or trip.is_locked("stops"):
            continue
        pk = trip.pk
        trip.delete()
        refresh.record("trip", pk, "deleted")
        result.trips.discard(pk)


def _keepers(groups: list[list[Unit]], locked: dict[int, Trip]) -> list[int]:
    """Which stored trip each group keeps: its locked trip, else the trip holding its oldest dated claim,
    unless an earlier group took that trip (then the group gets a new one)."""
    taken: set[int] = set()
    keepers = []
    for group in sorted(groups, key=lambda g: min(u.first_evidence for u in g)):
        own_locked = [u.trip_id for u in group if u.trip_id in locked]
        # a dated trip keeps its record and takes the undated reports in, not the other way round
        candidates = own_locked or [u.trip_id for u in sorted(group, key=lambda u: (not u.placed, u.first_evidence))]
        keeper = next((t for t in candidates if t not in taken), None)
        if keeper is None:
            keeper = _new_trip_like(group[0].trip_id)
        taken.add(keeper)
        keepers.append((id(group), keeper))
    order = dict(keepers)
    return [order[id(g)] for g in groups]


def _new_trip_like(trip_id: int) -> int:
    source = Trip.objects.get(pk=trip_id)
    trip = Trip.objects.create(traveller_id=source.traveller_id, status=source.status)
    refresh.record("trip", trip.pk, "created")
    return trip.pk


def _whole_trip(trip_id: int, moving: list[Unit], units: list[Unit]) -> bool:
    return len(moving) == sum(1 for u in units if u.trip_id == trip_id)


def _merge_into(keeper: int, trip_id: int, moving: list[Unit], result: Resolution) -> None:
    from visits.services.timeline import trip_merge

    keep, other = Trip.objects.get(pk=keeper), Trip.objects.get(pk=trip_id)
    _decide(keep, "merged", moving, f"trip {trip_id} merged: {_why(moving)}")
    trip_merge(keep=keep, other=other)
    result.merged += 1
    result.trips |= {keeper}


def _move_units(keeper: int, trip_id: int, moving: list[Unit], result: Resolution) -> None:
    """Move some reports' claims (trip and stop evidence) from one trip to another: the trip held two trips."""
    source, target = Trip.objects.get(pk=trip_id), Trip.objects.get(pk=keeper)
    reports = {u.report_id for u in moving}
    claims = [u.claim for u in moving]
    for evidence in Evidence.objects.filter(trip=source, report_id__in=reports):
        if evidence.claim in claims:
            evidence.trip = target
            evidence.save(update_fields=["trip"])
    remaining = set(Evidence.objects.filter(trip=source, report_id__in=reports).values_list("report_id", flat=True))
    for evidence in Evidence.objects.filter(stop__trip=source, report_id__in=reports - remaining).select_related(
        "stop"
    ):
        stop = target.stops.filter(country_id=evidence.stop.country_id).first()
        if stop is None:
            stop = Stop.objects.create(trip=target, country_id=evidence.stop.country_id, order=target.stops.count())
        evidence.stop = stop
        evidence.save(update_fields=["stop"])
    for stop in source.stops.all():
        if not stop.evidence.exists() and not stop.meetings.exists():
            stop.delete()
    _decide(target, "split", moving, f"moved from trip {trip_id}: {_why(moving)}")
    for trip in (source, target):
        refresh.refresh_trip(trip)
        refresh.record("trip", trip.pk, "updated")
    result.split += 1
    result.trips |= {keeper, trip_id}


def _why(units: list[Unit]) -> str:
    placed = [u for u in units if u.placed]
    if len(placed) < len(units):
        return "an undated report whose country and publication date fit only this trip of the traveller"
    return "same traveller, a shared country and overlapping or adjacent dates"


def _decide(trip: Trip, action: str, units: list[Unit], reason: str) -> None:
    rule = "undated-single-candidate" if any(not u.placed for u in units) else "traveller-country-period"
    MergeDecision.objects.create(
        trip=trip,
        action=action,
        rule=rule,
        reason=reason[:500],
        reports=sorted({u.report_id for u in units if u.report_id}),
    )


def _flag_unresolved(trip_id: int, unresolved: bool, result: Resolution) -> None:
    trip = Trip.objects.filter(pk=trip_id).first()
    if trip is None or trip.is_locked("flags"):
        return
    flags = set(trip.flags)
    wanted = flags | {UNRESOLVED} if unresolved else flags - {UNRESOLVED}
    if wanted != flags:
        trip.flags = sorted(wanted)
        trip.save(update_fields=["flags"])
        refresh.record("trip", trip.pk, "updated")
    result.unresolved += int(unresolved)


# --- analysts' decisions -----------------------------------------------------------------------------------


@transaction.atomic
def separate_reports(*, trip: Trip, report_ids: set[int], user=None) -> Trip:
    """Move what some reports say about ``trip`` to a new trip of the same traveller: a wrong merge undone.

    Both trips get "stops" locked, so no later ingestion or re-resolution joins them again.
    """
    units = [u for u in _units([trip]) if u.report_id in report_ids]
    if not units:
        raise ValueError("none of these reports has a claim about this trip")
    if len({u.report_id for u in _units([trip]) if u.report_id}) <= len({u.report_id for u in units}):
        raise ValueError("at least one report must stay on the trip")
    new = Trip.objects.create(traveller_id=trip.traveller_id, status=trip.status)
    refresh.record("trip", new.pk, "created")
    _move_units(new.pk, trip.pk, units, Resolution())
    for part in (trip, Trip.objects.get(pk=new.pk)):
        part.lock("stops")
        part.save(update_fields=["locked_fields"])
    MergeDecision.objects.create(
        trip=new,
        action=MergeDecision.Action.SEPARATED,
        rule="analyst",
        reason=f"split off trip {trip.pk} by an analyst",
        reports=sorted(report_ids),
        user=user,
    )
    return Trip.objects.get(pk=new.pk)


@transaction.atomic
def join_trips(*, keep: Trip, other: Trip, user=None) -> Trip:
    """An analyst's join of two records of one real trip; kept together ("stops" locked) from then on."""
    from visits.services.timeline import trip_merge

    reports = sorted(set(other.evidence.values_list("report_id", flat=True)))
    other_pk = other.pk
    keep = trip_merge(keep=keep, other=other, user=user)
    keep.lock("stops")
    keep.save(update_fields=["locked_fields"])
    MergeDecision.objects.create(
        trip=keep,
        action=MergeDecision.Action.JOINED,
        rule="analyst",
        reason=f"trip {other_pk} joined by an analyst",
        reports=reports,
        user=user,
    )
    return keep


# --- re-resolution -----------------------------------------------------------------------------------------


def travellers_to_resolve(since=None):
    """Ids of the travellers whose trips got evidence since ``since`` (all travellers with evidence when None)."""
    rows = Evidence.objects.exclude(trip=None)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    return sorted(set(rows.values_list("trip__traveller_id", flat=True)))


def resolve_travellers(traveller_ids, progress=None) -> tuple[Resolution, int]:
    """Re-run identity resolution for each traveller; returns the totals and how many were left unchanged."""
    total, unchanged = Resolution(), 0
    for traveller_id in traveller_ids:
        result = resolve_traveller(traveller_id)
        total.add(result)
        unchanged += int(not (result.merged or result.split))
        if progress is not None:
            progress(1)
    return total, unchanged
