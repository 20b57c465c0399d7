"""What the page of one trip shows, read from the models in a fixed number of queries.

Stops in visit order with their dates, places, meetings and topics; every fact with the
quotes that support it; the trip's status history (django-simple-history); where the
reports disagree, field by field and report by report (from ``Evidence.claim``); and why
each report was merged into the trip (``visits.services.matching``'s rules).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from visits import route, titles
from visits.models import (
    Change,
    Evidence,
    Meeting,
    MeetingTopic,
    Participation,
    Report,
    ReviewState,
    Stop,
    StopTopic,
    Trip,
)
from visits.services import matching

#: Claim fields that are bookkeeping, not statements about the fact.
NOT_COMPARED = frozenset({"fact", "published", "position", "flags"})


@dataclass
class Source:
    quote: str
    report: Report
    confidence: float
    review_state: str

    @property
    def url(self) -> str:
        return self.report.canonical_url or self.report.url or self.report.submitted_url or ""

    @property
    def title(self) -> str:
        return self.report.title or self.url

    @property
    def publisher(self) -> str:
        return self.report.publisher

    @property
    def date(self) -> dt.date | None:
        return self.report.published_date or (self.report.published_at.date() if self.report.published_at else None)


@dataclass
class Disagreement:
    fact: str  # what the field belongs to: "Trip", "Stop: Georgia", a meeting's title
    field: str
    values: list[tuple[str, list[Report]]] = field(default_factory=list)


def _evidence() -> Prefetch:
    rows = Evidence.objects.select_related("report").exclude(review_state=ReviewState.REJECTED).order_by("id")
    return Prefetch("evidence", queryset=rows)


def _sources(fact) -> list[Source]:
    seen, sources = set(), []
    for ev in fact.evidence.all():
        key = (ev.report_id, ev.quote)
        if key not in seen:
            seen.add(key)
            sources.append(Source(ev.quote, ev.report, ev.confidence, ev.review_state))
    return sources


def load(trip_id: int) -> Trip | None:
    topic_links = Prefetch(
        "topic_links", queryset=StopTopic.objects.select_related("topic").prefetch_related(_evidence()).order_by("id")
    )
    stops = Prefetch(
        "stops",
        queryset=Stop.objects.select_related("country__capital")
        .prefetch_related(_evidence(), topic_links)
        .order_by("order", "start_date", "id"),
    )
    participations = Prefetch(
        "participations",
        queryset=Participation.objects.select_related("person", "country", "organization")
        .prefetch_related(_evidence())
        .order_by("-is_host", "id"),
    )
    meeting_topics = Prefetch(
        "topic_links",
        queryset=MeetingTopic.objects.select_related("topic").prefetch_related(_evidence()).order_by("id"),
    )
    meetings = Prefetch(
        "meetings",
        queryset=Meeting.objects.select_related("country")
        .prefetch_related(_evidence(), participations, meeting_topics)
        .order_by("start_date", "id"),
    )
    return (
        Trip.objects.select_related("traveller", "position__organization", "position__country")
        .prefetch_related(_evidence(), stops, meetings)
        .filter(pk=trip_id)
        .first()
    )


def _decorate_meeting(meeting: Meeting) -> dict[str, Any]:
    people = list(meeting.participations.all())
    return {
        "obj": meeting,
        "title": titles.meeting_title(meeting, people),
        "people": [{"obj": p, "sources": _sources(p)} for p in people],
        "topics": [{"topic": link.topic, "sources": _sources(link)} for link in meeting.topic_links.all()],
        "sources": _sources(meeting),
    }


def _stops_with_meetings(trip: Trip) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each stop with its meetings (by the meeting's stop, else its country); meetings placed nowhere."""
    stops = list(trip.stops.all())
    by_stop: dict[int, list[dict]] = {stop.pk: [] for stop in stops}
    first_in_country: dict[str, int] = {}
    for stop in stops:
        first_in_country.setdefault(stop.country_id, stop.pk)
    elsewhere = []
    for meeting in trip.meetings.all():
        decorated = _decorate_meeting(meeting)
        target = meeting.stop_id if meeting.stop_id in by_stop else first_in_country.get(meeting.country_id)
        (by_stop[target] if target is not None else elsewhere).append(decorated)
    rows = [
        {
            "number": n,
            "obj": stop,
            "country_name": titles.country_name(stop.country),
            "topics": [{"topic": link.topic, "sources": _sources(link)} for link in stop.topic_links.all()],
            "sources": _sources(stop),
            "meetings": by_stop[stop.pk],
        }
        for n, stop in enumerate(stops, start=1)
    ]
    return rows, elsewhere


def status_history(trip: Trip) -> list[dict[str, Any]]:
    """Each change of the trip's status, oldest first: when, to what, and by whom (None: automated)."""
    rows = trip.history.select_related("history_user").order_by("history_date", "history_id")
    changes, last = [], None
    for row in rows.only("history_date", "status", "history_type", "history_user__username"):
        if row.status != last:
            changes.append(
                {
                    "at": row.history_date,
                    "status": row.status,
                    "from": last,
                    "user": row.history_user,
                    "new": last is None,
                }
            )
            last = row.status
    return changes


def _value_text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def _disagreements_of(label: str, evidence: list[Evidence]) -> list[Disagreement]:
    """Fields on which the claims of different reports about one fact differ."""
    by_field: dict[str, dict[str, list[Report]]] = {}
    for ev in evidence:
        for name, value in (ev.claim or {}).items():
            if name in NOT_COMPARED or value in (None, "", []):
                continue
            key = json.dumps(value, sort_keys=True)
            reports = by_field.setdefault(name, {}).setdefault(key, [])
            if ev.report not in reports:
                reports.append(ev.report)
    found = []
    for name, values in by_field.items():
        reporters = {r.pk for reports in values.values() for r in reports}
        if len(values) > 1 and len(reporters) > 1:
            found.append(
                Disagreement(label, name, [(_value_text(json.loads(k)), reports) for k, reports in values.items()])
            )
    return found


def disagreements(trip: Trip, stops: list[dict], meetings: list[dict]) -> list[Disagreement]:
    found = _disagreements_of(_("Trip"), list(trip.evidence.all()))
    for stop in stops:
        label = _("Stop %(n)d: %(country)s") % {"n": stop["number"], "country": stop["country_name"]}
        found += _disagreements_of(label, list(stop["obj"].evidence.all()))
    for meeting in meetings:
        found += _disagreements_of(meeting["title"], list(meeting["obj"].evidence.all()))
        for person in meeting["people"]:
            found += _disagreements_of(
                f"{meeting['title']} · {person['obj'].person.name}", list(person["obj"].evidence.all())
            )
    return found


def _match_reason(claim: dict, earlier: list[dict], names: dict[str, str]) -> str:
    """Why ``claim`` was taken for the same trip as one of the ``earlier`` claims (the merging rules)."""
    for other in earlier:
        if not matching.trip_claims_match(other, claim):
            continue
        shared = sorted(set(other.get("countries", ())) & set(claim.get("countries", ())))
        places = titles.join([names.get(code, code) for code in shared])
        a, b = matching.bounds(other), matching.bounds(claim)
        if other == claim:
            return _("the same claim as an earlier report")
        if a and b and other.get("precision") != "year" and claim.get("precision") != "year":
            days = matching.gap(a, b)
            when = _("their dates overlap") if days <= 0 else _("their dates are adjacent")
        else:
            when = _("one report gives no precise date, and they were published within %(days)d days") % {
                "days": matching.WINDOW.days
            }
        return _("same traveller, both name %(places)s, and %(when)s") % {"places": places, "when": when}
    return _("attached by an analyst or by a merge of trips")


def merge_reasons(trip: Trip, stops: list[dict], meetings: list[dict]) -> dict[str, Any]:
    """Each report behind the trip, in the order it first gave evidence, with why it was merged in."""
    evidence: list[Evidence] = list(trip.evidence.all())
    for stop in stops:
        evidence += list(stop["obj"].evidence.all())
    for meeting in meetings:
        evidence += list(meeting["obj"].evidence.all())
    first_seen: dict[int, Evidence] = {}
    for ev in sorted(evidence, key=lambda e: e.pk):
        first_seen.setdefault(ev.report_id, ev)
    trip_claims: dict[int, list[dict]] = {}
    for ev in trip.evidence.all():
        if ev.claim:
            trip_claims.setdefault(ev.report_id, []).append(ev.claim)
    names = {stop["obj"].country_id: stop["country_name"] for stop in stops}
    rows, earlier = [], []
    for n, (report_id, ev) in enumerate(first_seen.items()):
        claims = trip_claims.get(report_id, [])
        if n == 0:
            reason = _("the first report of this trip")
        elif not claims:
            reason = _("it reports on a stop or a meeting of this trip")
        else:
            reason = _match_reason(claims[0], earlier, names)
        earlier += claims
        rows.append({"report": ev.report, "reason": reason, "claims": claims})
    merged = Change.objects.filter(kind="trip", action=Change.Action.MERGED, merged_into=trip.pk).order_by("at")
    return {"reports": rows, "merged_trips": list(merged)}


def trip_context(trip: Trip) -> dict[str, Any]:
    stops, elsewhere = _stops_with_meetings(trip)
    meetings = [m for stop in stops for m in stop["meetings"]] + elsewhere
    stop_objects = [stop["obj"] for stop in stops]
    return {
        "trip": trip,
        "trip_title": titles.trip_title(trip, stop_objects),
        "stops": stops,
        "other_meetings": elsewhere,
        "sources": _sources(trip),
        "history": status_history(trip),
        "disagreements": disagreements(trip, stops, meetings),
        "merging": merge_reasons(trip, stops, meetings),
        "route": route.route(stop_objects),
    }
