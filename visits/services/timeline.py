"""Analyst services on the timeline: merge and split trips, merge meetings, review evidence, edit facts.

What an analyst sets is locked (``locked_fields``) so that ingestion never overwrites it; every
change is written to the changes feed (visits.models.Change). All services are transactional.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction

from visits.models import Evidence, Meeting, Participation, ReviewState, Stop, Trip
from visits.search import refresh_search_documents
from visits.services import refresh

# Which fields of a fact a claim key speaks for (claim key → model field), per kind of fact.
_SUPPORTED = {
    Trip: {"status": "status", "start": "start_date", "end": "end_date", "precision": "precision"},
    Stop: {"status": "status", "start": "start_date", "end": "end_date", "precision": "precision"},
    Meeting: {
        "status": "status",
        "start": "start_date",
        "end": "end_date",
        "precision": "precision",
        "country": "country",
        "city": "city",
        "kind": "kind",
    },
    Participation: {"role": "title", "country": "country"},
}


def _by(instance: models.Model, user) -> None:
    """Let django-simple-history record who made the change."""
    if user is not None:
        instance._history_user = user


def _move_evidence(rows, field: str, target: models.Model) -> None:
    """Point evidence at ``target``; a row duplicating one ``target`` already has (same report and span) goes."""
    for evidence in rows:
        twin = Evidence.objects.filter(
            report_id=evidence.report_id, start=evidence.start, end=evidence.end, **{field: target}
        )
        if twin.exists():
            evidence.delete()
        else:
            setattr(evidence, field, target)
            evidence.save(update_fields=[f"{field}"])


def _merge_children(children, *, parent: str, into: models.Model, key: str, evidence_field: str) -> None:
    """Move child rows (stop topics, participations, ...) to ``into``; a child ``into`` already has absorbs it."""
    for child in children:
        twin = type(child).objects.filter(**{parent: into, key: getattr(child, key)}).first()
        if twin is None:
            setattr(child, parent, into)
            child.save()
            continue
        _move_evidence(Evidence.objects.filter(**{evidence_field: child}), evidence_field, twin)
        if hasattr(twin, "flags"):
            twin.flags = sorted(set(twin.flags) | set(child.flags))
            twin.lock(*child.locked_fields)
            twin.save()
        child.delete()


def _stop_merge(*, into: Stop, other: Stop) -> None:
    _merge_children(other.topic_links.all(), parent="stop", into=into, key="topic", evidence_field="stop_topic")
    Meeting.objects.filter(stop=other).update(stop=into)
    _move_evidence(Evidence.objects.filter(stop=other), "stop", into)
    into.lock(*other.locked_fields)
    into.save(update_fields=["locked_fields"])
    other.delete()


def _absorb(keep: Trip | Meeting, other: Trip | Meeting) -> None:
    keep.flags = sorted(set(keep.flags) | set(other.flags))
    keep.lock(*other.locked_fields)
    keep.save(update_fields=["flags", "locked_fields"])


def _reattach(trip: Trip) -> None:
    for meeting in refresh.meetings_near(trip):
        refresh.attach_meeting(meeting)


@transaction.atomic
def trip_merge(*, keep: Trip, other: Trip, user=None) -> Trip:
    """Merge ``other`` into ``keep`` (same traveller): stops by country, meetings and evidence move; ``other`` goes."""
    if keep.pk == other.pk:
        return keep
    if keep.traveller_id != other.traveller_id:
        raise ValueError("only trips of the same traveller can be merged")
    for stop in other.stops.all():
        twin = keep.stops.filter(country_id=stop.country_id).first()
        if twin is None:
            stop.trip = keep
            stop.save(update_fields=["trip"])
        else:
            _stop_merge(into=twin, other=stop)
    Meeting.objects.filter(trip=other).update(trip=keep)
    _move_evidence(Evidence.objects.filter(trip=other), "trip", keep)
    _absorb(keep, other)
    other_pk = other.pk
    _by(other, user)
    other.delete()
    refresh.record("trip", other_pk, "merged", merged_into=keep.pk)
    _by(keep, user)
    refresh.refresh_trip(keep)
    _reattach(keep)
    refresh.record("trip", keep.pk, "updated")
    refresh_search_documents(trip_ids=[keep.pk])
    return keep


@transaction.atomic
def meeting_merge(*, keep: Meeting, other: Meeting, user=None) -> Meeting:
    """Merge ``other`` into ``keep``: participants, topics and evidence move; ``other`` goes."""
    if keep.pk == other.pk:
        return keep
    _merge_children(
        other.participations.all(), parent="meeting", into=keep, key="person", evidence_field="participation"
    )
    _merge_children(other.topic_links.all(), parent="meeting", into=keep, key="topic", evidence_field="meeting_topic")
    _move_evidence(Evidence.objects.filter(meeting=other), "meeting", keep)
    _absorb(keep, other)
    other_pk = other.pk
    _by(other, user)
    other.delete()
    refresh.record("meeting", other_pk, "merged", merged_into=keep.pk)
    _by(keep, user)
    refresh.refresh_meeting(keep)
    refresh.record("meeting", keep.pk, "updated")
    refresh_search_documents(meeting_ids=[keep.pk])
    return keep


@transaction.atomic
def trip_split(*, trip: Trip, stops: list[Stop], user=None) -> Trip:
    """Move ``stops`` (with their meetings and evidence) to a new trip of the same traveller.

    Trip-level evidence about only the moved countries moves; evidence about both parts is copied to both.
    Both trips get "stops" locked so that ingestion does not merge them back.
    """
    ids = {stop.pk for stop in stops}
    if not ids or Stop.objects.filter(pk__in=ids).exclude(trip=trip).exists():
        raise ValueError("give one or more stops of this trip")
    if len(ids) >= trip.stops.count():
        raise ValueError("at least one stop must stay on the trip")
    new = Trip(traveller=trip.traveller, position=trip.position, title=trip.title, status=trip.status)
    new.lock("stops")
    _by(new, user)
    new.save()
    moved = set(Stop.objects.filter(pk__in=ids).values_list("country_id", flat=True))
    Stop.objects.filter(pk__in=ids).update(trip=new)
    Meeting.objects.filter(stop_id__in=ids).update(trip=new)
    kept = set(trip.stops.values_list("country_id", flat=True))
    for evidence in Evidence.objects.filter(trip=trip):
        countries = set(evidence.claim.get("countries", ()))
        if not countries & moved:
            continue
        if countries & kept:
            evidence.pk = evidence.id = None  # a copy: the report supports both trips
        evidence.trip = new
        evidence.save()
    trip.lock("stops")
    _by(trip, user)
    trip.save(update_fields=["locked_fields"])
    for part in (trip, new):
        refresh.refresh_trip(part)
        _reattach(part)
    refresh.record("trip", new.pk, "created")
    refresh.record("trip", trip.pk, "updated")
    refresh_search_documents(trip_ids=[trip.pk, new.pk])
    return new


def _owner(fact: models.Model) -> tuple[str, models.Model]:
    """The trip or meeting whose published record a fact belongs to (for the changes feed)."""
    if isinstance(fact, Trip | Meeting):
        return ("trip" if isinstance(fact, Trip) else "meeting"), fact
    if isinstance(fact, Stop):
        return "trip", fact.trip
    if hasattr(fact, "stop"):  # a stop topic
        return "trip", fact.stop.trip
    return "meeting", fact.meeting  # a participation or a meeting topic


def _supported_fields(fact: models.Model, claim: dict) -> list[str]:
    """Fields of ``fact`` whose current value is what the claim says: these the evidence supports."""
    supported = []
    for key, name in _SUPPORTED.get(type(fact), {}).items():
        value = claim.get(key)
        if value in (None, ""):
            continue
        current = getattr(fact, f"{name}_id" if name == "country" else name)
        if str(current) == str(value):
            supported.append(name)
    return supported


@transaction.atomic
def evidence_review(*, evidence: Evidence, state: str, user=None) -> Evidence:
    """Confirm or reject evidence. Confirming locks the fact's fields it supports; rejected evidence is kept
    but no longer counts, so the fact is re-derived without it."""
    if state not in ReviewState.values:
        raise ValueError(f"unknown review state {state!r}")
    evidence.review_state = state
    _by(evidence, user)
    evidence.save(update_fields=["review_state"])
    fact = evidence.fact
    if state == ReviewState.CONFIRMED and hasattr(fact, "lock"):
        fact.lock(*_supported_fields(fact, evidence.claim))
        _by(fact, user)
        fact.save(update_fields=["locked_fields"])
    kind, owner = _owner(fact)
    owner.refresh_from_db()
    if kind == "trip":
        refresh.refresh_trip(owner)
        _reattach(owner)
    else:
        refresh.refresh_meeting(owner)
    refresh.record(kind, owner.pk, "updated")
    refresh_search_documents(**{f"{kind}_ids": [owner.pk]})
    return evidence


@transaction.atomic
def fact_update(*, instance: models.Model, data: dict, user=None) -> models.Model:
    """Set fields of a trip, stop, meeting or participation as an analyst says, and lock them."""
    for name, value in data.items():
        try:
            field = instance._meta.get_field(name.removesuffix("_id"))
        except FieldDoesNotExist:
            raise ValueError(f"{type(instance).__name__} has no field {name!r}") from None
        if field.primary_key or name == "locked_fields":
            raise ValueError(f"{name!r} cannot be edited")
        setattr(instance, name, value)
        instance.lock(field.name)
    _by(instance, user)
    instance.save()
    kind, owner = _owner(instance)
    if kind == "trip":
        _reattach(owner)
    refresh.record(kind, owner.pk, "updated")
    refresh_search_documents(**{f"{kind}_ids": [owner.pk]})
    return instance
