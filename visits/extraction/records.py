"""Dataset records: a traveller's stop (country, dates) with English remarks about it.

"Met with Prime Minister Boris Johnson and Queen Elizabeth II. Attended the G7 Summit."
gives one trip of one stop, a held meeting with each counterpart, and a summit; their
dates are the record's dates.
"""

from __future__ import annotations

import datetime as dt

from visits.extraction import output
from visits.extraction.analysis import analyse
from visits.extraction.dates import DateValue
from visits.extraction.directory import Context, Directory
from visits.extraction.entities import NATIONAL_ROLES, Entity, build_people
from visits.extraction.meetings import STANDALONE_KINDS, Meeting
from visits.extraction.people import Mention
from visits.extraction.toolkit import Toolkit
from visits.extraction.trips import Stop, Trip


def _period(context: Context) -> DateValue | None:
    start, end = context.start, context.end or context.start
    if start is None:
        return None
    if start == end:
        return DateValue(start, end, "day")
    if (start.year, start.month) == (end.year, end.month):
        return DateValue(start.replace(day=1), end, "month")
    if start.year == end.year:
        return DateValue(dt.date(start.year, 1, 1), dt.date(start.year, 12, 31), "year")
    return DateValue(start, start, "day")


def extract_record(
    text: str, kit: Toolkit, context: Context, directory: Directory, *, title=None, publisher=None, url=None
) -> dict:
    on = context.start
    doc = analyse(text, kit, skip_boilerplate=False)
    people = build_people(kit, doc, directory, on)
    traveller = None
    if context.traveller:
        lookup = Mention(-1, 0, 0, name=context.traveller, normal=context.traveller, via="role")
        known = people.find(context.traveller)
        traveller = next((e for e in people.entities if known and e.known == known), None)
        if traveller is None:
            traveller = Entity(
                name=known.name if known else context.traveller, as_written=context.traveller, known=known, bare=False
            )
            people.entities.insert(0, traveller)
        traveller.mentions.append(lookup)
    today = dt.date.today()
    upcoming = context.start is not None and context.start > today
    trips: list[Trip] = []
    stop = None
    if traveller is not None and context.country:
        stop = Stop(
            context.country,
            None,
            "planned" if upcoming else "completed",
            True,
            start=context.start,
            end=context.end or context.start,
            precision="day" if context.start else None,
        )
        trip = Trip(traveller, [stop])
        trip.evidence = [a for a in doc]
        trips.append(trip)
    status = "planned" if upcoming else "held"
    period = _period(context)
    meetings: list[Meeting] = []
    for a in doc:
        counterparts = []
        for m in a.mentions:
            entity = m.entity
            if entity is None or entity is traveller or entity in counterparts:
                continue
            counterparts.append(entity)
            if entity.country is None and entity.organization is None and entity.role in NATIONAL_ROLES:
                entity.country = context.country
        kinds = [m.value for m in a.meetings]
        new = []
        standalone = next((k for k in kinds if k in STANDALONE_KINDS), None)
        if standalone and (a.attend or not counterparts):
            new.append(
                Meeting(
                    [traveller] if traveller else [],
                    status,
                    standalone,
                    context.country,
                    None,
                    period,
                    a,
                    stop,
                    evidence=[a],
                )
            )
        if kinds and counterparts:
            kind = next((k for k in kinds if k not in STANDALONE_KINDS), kinds[0])
            for person in counterparts:
                participants = ([traveller] if traveller else []) + [person]
                new.append(Meeting(participants, status, kind, context.country, None, period, a, stop, evidence=[a]))
        slugs = []
        for m in a.topics:
            if m.value not in slugs:
                slugs.append(m.value)
        for meeting in new:
            meeting.topics.extend(slugs)
            meeting.confidence = 0.85
        if slugs and not new and stop is not None:
            stop.topics.extend(s for s in slugs if s not in stop.topics)
        meetings.extend(new)
    people.complete()
    for stop_ in (s for t in trips for s in t.stops):
        stop_.confidence = 0.9
    result = {
        "report": output.report(title, kit.language, None, publisher, url),
        "officials": output.officials(people, trips, meetings),
        "trips": [output.trip(t) for t in trips],
        "meetings": [output.meeting(m) for m in meetings],
    }
    for trip_dict in result["trips"]:  # the record's dates are exact, whatever the remarks say
        trip_dict["start"] = context.start.isoformat() if context.start else None
        trip_dict["end"] = (context.end or context.start).isoformat() if context.start else None
        trip_dict["precision"] = "day" if context.start else None
    return result
