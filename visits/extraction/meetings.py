"""Meetings: who met whom, where, when, in what form, with which status.

A meeting needs a meeting cue (talks, rencontre, Treffen, встреча, reunión, ...) and
either a counterpart or a kind that stands alone (a summit, a conference). Its place is the
counterpart's country when the traveller stops there, else a place the sentence names,
else the stop the paragraph is about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from visits.extraction import frames
from visits.extraction.analysis import Analysed
from visits.extraction.dates import DateValue
from visits.extraction.entities import NATIONAL_ROLES, Entity
from visits.extraction.toolkit import Toolkit
from visits.extraction.trips import Stop, Trip, TripBuilder, add_stop, date_for

STANDALONE_KINDS = {"summit"}  # a summit is a meeting even without a named counterpart
MEETING_STATUS = {
    "planned": "planned",
    "ongoing": "held",
    "completed": "held",
    "postponed": "postponed",
    "cancelled": "cancelled",
    None: None,
}


@dataclass(eq=False)
class Meeting:
    participants: list[Entity]
    status: str
    kind: str | None
    country: str | None
    city: str | None
    date: DateValue | None
    sentence: Analysed
    stop: Stop | None = None
    topics: list[str] = field(default_factory=list)
    evidence: list[Analysed] = field(default_factory=list)
    confidence: float = 0.7


def paragraph_stops(doc: list[Analysed], trips: list[Trip]) -> dict[tuple[object, int], Stop]:
    """For each (traveller, paragraph): the stop the paragraph names first (country or city)."""
    result: dict[tuple[object, int], Stop] = {}
    for trip in trips:
        for a in doc:
            key = (trip.traveller, a.paragraph)
            if key in result:
                continue
            for place in a.places:
                if place.place.kind in ("country", "city") and place.start not in a.parenthesised:
                    stop = trip.stop_for(place.place.code)
                    if stop is not None:
                        result[key] = stop
                        break
    return result


def stop_day(stop: Stop | None) -> DateValue | None:
    """The one day a stop is dated to (a meeting there without a date of its own took place that day)."""
    if stop is None or stop.start is None or stop.precision != "day" or stop.weak_date:
        return None
    if stop.end is not None and stop.end != stop.start:
        return None
    return DateValue(stop.start, stop.start, "day")


class MeetingBuilder:
    def __init__(self, kit: Toolkit, builder: TripBuilder, base: dt.date | None, trips: list[Trip]):
        self.kit, self.builder, self.base = kit, builder, base
        self.trips = {t.traveller: t for t in trips}
        self.meetings: list[Meeting] = []
        self.focus = None
        self.by_paragraph: dict[tuple[object, int], Stop] = {}

    def run(self, doc: list[Analysed]) -> list[Meeting]:
        self.by_paragraph = paragraph_stops(doc, list(self.trips.values()))
        for a in doc:
            self.sentence(a)
        for meeting in self.meetings:
            if meeting.date is None:
                meeting.date = stop_day(meeting.stop)
        return self.meetings

    def _stop_in_paragraph(self, traveller, a: Analysed) -> Stop | None:
        return self.by_paragraph.get((traveller, a.paragraph))

    def sentence(self, a: Analysed) -> None:
        kit = self.kit
        named = [
            m
            for m in a.mentions
            if m.entity is not None
            and m.start not in a.parenthesised
            and getattr(m.entity, "usable", True)
            and not frames._after_complementizer(kit, a, m.start)
        ]
        subject = frames.subject_before(kit, a, len(a.tokens))
        if not a.meetings or frames.remote(kit, a):
            if subject is not None:
                self.focus = subject
            return
        entities = []
        for m in named:
            if m.entity not in entities:
                entities.append(m.entity)
        traveller = next((e for e in entities if e in self.trips), None)
        if traveller is None and self.focus in self.trips and frames.pronoun_subject(kit, a, a.meetings[0].start):
            traveller = self.focus  # "In Tiflis wird er den Ministerpräsidenten treffen"
        if traveller is None:
            traveller = frames.subject_before(kit, a, a.meetings[0].start)  # the one who meets, not the met
        if traveller is None and frames.pronoun_subject(kit, a, a.meetings[0].start):
            traveller = self.focus
        if traveller is None and self.focus in self.trips:
            traveller = self.focus
        if traveller is None and len(self.trips) == 1:
            traveller = next(iter(self.trips))
        kinds = [m.value for m in a.meetings]
        kind = next((k for k in kinds if k in STANDALONE_KINDS), kinds[0])
        others = [m for m in named if m.entity is not traveller and not frames.is_speaker(kit, a, m)]
        if traveller is None and len({m.entity for m in others}) >= 2:
            traveller = others[0].entity
            others = [m for m in others if m.entity is not traveller]
        if traveller is None:
            return
        self.focus = traveller
        groups = [others] if kind in STANDALONE_KINDS else self._groups(a, others)
        if not others and kind in STANDALONE_KINDS:
            groups = [[]]
        bounds = [g[0].start for g in groups if g] + [len(a.tokens)]
        for k, group in enumerate(groups):
            counterparts = []
            for m in group:
                if m.entity not in counterparts:
                    counterparts.append(m.entity)
            if not counterparts and kind not in STANDALONE_KINDS:
                continue
            start = group[0].start if group else a.meetings[0].start
            window = (bounds[k - 1] if k else 0, bounds[k + 1] if k + 1 < len(bounds) else len(a.tokens))
            self._meeting(a, traveller, counterparts, kind, start, window)

    def _groups(self, a: Analysed, mentions: list) -> list[list]:
        """Counterparts met apart: split at a place, a date, a new meeting cue or 'separately'."""
        groups: list[list] = []
        for m in mentions:
            if groups:
                gap = range(groups[-1][-1].end, m.start)
                split = (
                    any(p.start in gap for p in a.places if p.place.kind in ("country", "city"))
                    or any(d.start in gap for d in a.dates)
                    or any(c.start in gap for c in a.meetings)
                    or any(a.tokens[i].lower in self.kit.separately or a.tokens[i].text == ";" for i in gap)
                )
                if not split:
                    groups[-1].append(m)
                    continue
            groups.append([m])
        return groups

    def _meeting(self, a: Analysed, traveller, counterparts, kind, position: int, window) -> None:
        kit = self.kit
        trip = self.trips.get(traveller)
        country, city, stop = self._place(a, traveller, counterparts, trip, window)
        status = self._status(a, stop, position)
        if country and trip is None and self._abroad(traveller, country):
            trip = self.builder.trip_of(traveller)
            trip.inferred = True
            self.trips[traveller] = trip
        if stop is not None and city and stop.city is None and stop.country == country:
            stop.city = city
        if trip is not None and country and stop is None:
            stop_status = {"held": "completed", "planned": "planned"}.get(status, status)
            stop = add_stop(trip, country, city, stop_status, False, a, (a.index, position), None, 0.5)
        timing = "planned" if status in ("planned", "postponed", "cancelled") else None
        date = date_for(kit, a, position, timing, self.base)
        if date is None:
            date = stop_day(stop)
        elif date is not None and stop is not None and date.precision == "day":
            stop.dated(date)
        if country and trip is None and getattr(traveller, "country", None) == country:
            self._visitors(a, counterparts, country, city, status, date, position)
        for person in counterparts:
            if person.country is None and person.organization is None and person.role in NATIONAL_ROLES and country:
                person.country = country
        meeting = Meeting([traveller, *counterparts], status, kind, country, city, date, a, stop, evidence=[a])
        meeting.confidence = 0.8 if counterparts else 0.6
        self.meetings.append(meeting)

    def _visitors(self, a: Analysed, counterparts, country: str, city, status: str, date, position: int) -> None:
        """The host meets at home, in a place the sentence names: a counterpart from another country is
        the visitor there ("Putin and Xi held talks in the Kremlin": Xi's trip to Russia), and so is
        the head of an international organisation ("Putin met the UN Secretary-General in Moscow")."""
        stop_status = {"held": "completed", "planned": "planned"}.get(status, status)
        for person in counterparts:
            if person in self.trips or not self._abroad(person, country):
                continue
            trip = self.builder.trip_of(person)
            trip.inferred = True
            self.trips[person] = trip
            stop = add_stop(trip, country, city, stop_status, False, a, (a.index, position), None, 0.5)
            if date is not None and date.precision == "day":
                stop.dated(date)

    def _abroad(self, traveller, country: str) -> bool:
        home = getattr(traveller, "country", None)
        if getattr(traveller, "organization", None) and not home:
            return True
        return home is not None and home != country

    def _place(self, a: Analysed, traveller, counterparts, trip: Trip | None, window=(0, 10**6)):
        if trip is not None:
            for person in counterparts:
                stop = trip.stop_for(person.country) if person.country else None
                if stop is not None:
                    return stop.country, stop.city, stop
        for place in a.places:
            if not window[0] <= place.start < window[1]:
                continue
            if place.place.kind in ("country", "city") and not frames.is_metonym(self.kit, a, place):
                prev, _ = frames._prev_word(self.kit, a, place.start)
                if prev in self.kit.destination_preps:
                    stop = trip.stop_for(place.place.code, place.place.city) if trip else None
                    return place.place.code, place.place.city, stop
        if trip is not None:
            stop = self._stop_in_paragraph(traveller, a)
            if stop is not None:
                return stop.country, stop.city, stop
            if len(trip.stops) == 1:
                return trip.stops[0].country, trip.stops[0].city, trip.stops[0]
        return None, None, None

    def _status(self, a: Analysed, stop: Stop | None, position: int | None = None) -> str:
        position = a.meetings[0].start if position is None else position
        status, explicit = frames.status_at(self.kit, a, position)
        if status in ("cancelled", "postponed", "planned") and explicit:
            return status
        if stop is not None and stop.status in ("cancelled", "postponed"):
            return stop.status
        if status is None and stop is not None:
            return MEETING_STATUS[stop.status] or "held"
        if status == "ongoing" and stop is not None and stop.status == "planned":
            return "planned"
        return MEETING_STATUS.get(status) or "held"


def _same_encounter(a: Meeting, b: Meeting) -> bool:
    """The same people, the same place (or one of them unplaced), the same day (or one undated)."""
    if set(a.participants) != set(b.participants):
        return False
    if a.country and b.country and a.country != b.country:
        return False
    return a.date is None or b.date is None or (a.date.start, a.date.end) == (b.date.start, b.date.end)


def merge_encounters(meetings: list[Meeting]) -> list[Meeting]:
    """One meeting per encounter, however many sentences describe it; its status is what most of
    them say (the first one's on a tie), its place and date the ones any of them gives."""
    merged: list[Meeting] = []
    votes: dict[int, list[str]] = {}
    for meeting in meetings:
        same = next((m for m in merged if _same_encounter(m, meeting)), None)
        if same is None:
            merged.append(meeting)
            votes[id(meeting)] = [meeting.status]
            continue
        votes[id(same)].append(meeting.status)
        same.country, same.city = same.country or meeting.country, same.city or meeting.city
        same.date, same.stop = same.date or meeting.date, same.stop or meeting.stop
        same.kind = same.kind or meeting.kind
        same.confidence = max(same.confidence, meeting.confidence)
        _extend(same.topics, meeting.topics)
        same.evidence.extend(a for a in meeting.evidence if a not in same.evidence)
    for meeting in merged:
        statuses = votes[id(meeting)]
        meeting.status = max(dict.fromkeys(statuses), key=statuses.count)
    return merged


def attach_topics(
    kit: Toolkit, doc: list[Analysed], meetings: list[Meeting], trips: list[Trip], by_paragraph: dict
) -> None:
    """Topics go to the meeting they were discussed at: the meeting of the sentence, the meetings at a
    place the sentence names ("the talks in Baku"), the meeting the sentence goes on about; else to the
    stop the sentence or its paragraph is about, when no meeting took place there and the sentence
    speaks of talks ("talks on energy in Baku"): a subject merely named beside a visit was not
    discussed, as far as the report says."""
    for a in doc:
        slugs = []
        for m in a.topics:
            if m.value not in slugs and m.start not in a.parenthesised:
                slugs.append(m.value)
        if not slugs or not _about_travel(kit, a, trips):
            continue
        targets: list = [m for m in meetings if m.sentence is a]
        stops: list[Stop] = []
        if not targets:
            for place in a.places:
                if place.place.kind not in ("country", "city") or frames.is_metonym(kit, a, place):
                    continue
                for trip in trips:
                    stop = trip.stop_for(place.place.code, place.place.city if place.place.kind == "city" else None)
                    if stop is None:
                        continue
                    there = [
                        m
                        for m in meetings
                        if m.stop is stop
                        or (m.country == stop.country and m.participants and m.participants[0] is trip.traveller)
                    ]
                    if there:
                        targets.extend(m for m in there if m not in targets)
                    elif stop not in stops:
                        stops.append(stop)
        if not targets and not stops:
            targets = _meeting_for(kit, a, meetings)
        if not targets and not stops:
            for trip in trips:
                stop = by_paragraph.get((trip.traveller, a.paragraph))
                if stop is None:
                    continue
                there = [m for m in meetings if m.stop is stop and m.sentence.index <= a.index]
                if there:
                    targets.extend(m for m in there if m not in targets)
                elif stop not in stops:
                    stops.append(stop)
        if not targets and not stops:
            targets = _meetings_told_before(a, meetings)
        for meeting in targets:
            _extend(meeting.topics, slugs)
            if a not in meeting.evidence:
                meeting.evidence.append(a)
        for stop in stops if a.meetings else ():  # a stop's topic is one its talks were about
            _extend(stop.topics, slugs)
            if a not in stop.evidence:
                stop.evidence.append(a)


def _about_travel(kit: Toolkit, a: Analysed, trips: list[Trip]) -> bool:
    """Not someone else's statement about other things: a sentence whose only people are neither
    travellers nor participants and who make a statement is left out."""
    people = {m.entity for m in a.mentions if m.entity is not None}
    travellers = {t.traveller for t in trips}
    return not (people and not (people & travellers) and a.statements and not a.meetings)


def _meetings_told_before(a: Analysed, meetings: list[Meeting]) -> list[Meeting]:
    """'En las tres reuniones...', 'The talks will cover...': the meetings of the last paragraph that had any."""
    earlier = [m for m in meetings if m.sentence.index < a.index]
    if not a.meetings or not earlier:
        return []
    last = max(m.sentence.paragraph for m in earlier)
    previous = [m for m in earlier if m.sentence.paragraph == last]
    cue = a.tokens[a.meetings[0].start]
    inflected = cue.lemma != cue.lower  # "reuniones", "talks", "переговоры": all of them
    return previous if inflected else [previous[-1]]


def _meeting_for(kit: Toolkit, a: Analysed, meetings: list[Meeting]) -> list[Meeting]:
    same = [m for m in meetings if m.sentence.paragraph == a.paragraph]
    if not same:
        return []
    people = {m.entity for m in a.mentions if m.entity is not None}
    anaphoric = bool(a.tokens) and (a.tokens[0].lower in kit.pronouns or bool(a.meetings))
    related = [m for m in same if people & set(m.participants)]
    if not related and not anaphoric:
        return []
    pool = related or same
    before = [m for m in pool if m.sentence.index < a.index]
    if before:
        return [before[-1]]
    after = [m for m in pool if m.sentence.index > a.index]
    return [after[0]] if after else []


def _about_stop(kit: Toolkit, a: Analysed, trip: Trip, stop: Stop) -> bool:
    """A sentence is about a stop unless it is someone else's statement."""
    people = {m.entity for m in a.mentions if m.entity is not None}
    return not (people and trip.traveller not in people and a.statements)


def _extend(target: list[str], slugs: list[str]) -> None:
    for slug in slugs:
        if slug not in target:
            target.append(slug)
