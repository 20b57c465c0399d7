"""Trips: a traveller and the stops of their journey, each with its status and dates.

All the sentences of a report that speak of one traveller's travel make one trip: the tour
of "Azerbaïdjan, Géorgie, Arménie" told over several sentences is one trip of three stops.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from visits.extraction import frames
from visits.extraction.analysis import Analysed
from visits.extraction.dates import DateValue
from visits.extraction.toolkit import Toolkit

STATUS_RANK = {"completed": 0, "ongoing": 1, None: 1, "planned": 2, "postponed": 2, "cancelled": 2}
PRECISION_RANK = {"day": 0, "month": 1, "year": 2}


@dataclass(eq=False)
class Stop:
    country: str
    city: str | None = None
    status: str | None = None
    explicit: bool = False
    start: dt.date | None = None
    end: dt.date | None = None
    precision: str | None = None
    order: tuple[int, int] = (0, 0)
    topics: list[str] = field(default_factory=list)
    evidence: list[Analysed] = field(default_factory=list)
    confidence: float = 0.6
    weak_date: bool = False  # a date shared by several places of one sentence ("from Sunday")

    def dated(self, value: DateValue | None, weak: bool = False) -> None:
        if value is None or (self.start is not None and (weak or not self.weak_date)):
            return
        self.start, self.precision, self.weak_date = value.start, value.precision, weak
        if self.status == "ongoing" and value.start == value.end:
            self.end = None
        else:
            self.end = value.end


@dataclass(eq=False)
class Trip:
    traveller: object  # Entity
    stops: list[Stop] = field(default_factory=list)
    evidence: list[Analysed] = field(default_factory=list)
    whole: str | None = None  # cancelled / postponed said of the trip as a whole
    inferred: bool = False  # known only from a meeting abroad

    def stop_for(self, country: str, city: str | None = None) -> Stop | None:
        """The stop in a country (in that city, or with no city yet); a new city makes a new stop."""
        same = [s for s in self.stops if s.country == country]
        if not same:
            return None
        if city:
            return next((s for s in same if s.city == city), None) or next((s for s in same if s.city is None), None)
        return same[-1]

    def add_evidence(self, a: Analysed) -> None:
        if a not in self.evidence:
            self.evidence.append(a)

    def ordered_stops(self) -> list[Stop]:
        far = dt.date.max
        return sorted(self.stops, key=lambda s: (STATUS_RANK[s.status], s.start or far, s.order))

    @property
    def status(self) -> str:
        statuses = [s.status for s in self.stops]
        if statuses and all(s == "cancelled" for s in statuses):
            return "cancelled"
        if statuses and all(s == "postponed" for s in statuses):
            return "postponed"
        active = {s for s in statuses if s not in ("cancelled", "postponed")}
        known = active - {None}
        if not known:
            return "completed" if None in active or not statuses else next(iter(statuses))
        if known == {"completed"}:
            return "completed"
        if known == {"planned"}:
            return "planned"
        return "ongoing"


def add_stop(
    trip: Trip,
    country: str,
    city: str | None,
    status: str | None,
    explicit: bool,
    a: Analysed,
    order: tuple[int, int],
    date: DateValue | None,
    confidence: float,
    weak: bool = False,
) -> Stop:
    stop = trip.stop_for(country, city)
    if stop is None:
        stop = Stop(country, city, status, explicit, order=order, confidence=confidence)
        trip.stops.append(stop)
    else:
        stop.city = stop.city or city
        stronger = status in ("cancelled", "postponed") or (explicit and not stop.explicit) or stop.status is None
        if stronger and status is not None:
            stop.status, stop.explicit = status, explicit or stop.explicit
        stop.confidence = max(stop.confidence, confidence)
    stop.dated(date, weak)
    if a not in stop.evidence:
        stop.evidence.append(a)
    trip.add_evidence(a)
    return stop


def _region(a: Analysed, position: int) -> int:
    cues = sorted(a.status, key=lambda m: m.start)
    region = 0 if cues else -1
    for k, cue in enumerate(cues):
        if cue.start <= position:
            region = k
    return region


FUTURE_STATUSES = {"planned", "postponed", "cancelled"}


def segment_of(kit: Toolkit, a: Analysed, position: int) -> int:
    """Which comma-, colon- or conjunction-delimited stretch of the sentence a token is in."""
    return sum(1 for t in a.tokens[:position] if t.text in {",", ";", ":", "—"} or t.lower in kit.conjunctions)


def date_mention_for(
    kit: Toolkit, a: Analysed, position: int, occupied: set[int] | None = None, span: tuple[int, int] | None = None
):
    """The date mention said of a place: in its own stretch of the sentence if there is one there,
    else the nearest one in the same stretch of status (not one standing by another place)."""
    usable = []
    for mention in a.dates:
        prev = a.tokens[mention.start - 1].lower if mention.start else ""
        if prev in kit.not_visit_date or mention.start in a.parenthesised:
            continue
        if any(0 <= mention.start - s.end <= 2 for s in a.statements):
            continue  # "the ministry said on Saturday": the date of the saying
        usable.append(mention)
    if not usable:
        return None
    first, last = span or (position, position)
    segments = set(range(segment_of(kit, a, first), segment_of(kit, a, last) + 1))
    own = [d for d in usable if segment_of(kit, a, d.start) in segments]
    if own:
        return min(own, key=lambda d: (abs(d.start - position), d.start < position))
    occupied = (occupied or set()) - segments
    same = [
        d for d in usable if _region(a, d.start) == _region(a, position) and segment_of(kit, a, d.start) not in occupied
    ]
    pick = same or (usable if len(usable) == 1 and not a.status and not occupied else [])
    if not pick:
        return None
    return min(pick, key=lambda d: (abs(d.start - position), d.start < position))


def date_for(kit: Toolkit, a: Analysed, position: int, status: str | None, base: dt.date | None) -> DateValue | None:
    mention = date_mention_for(kit, a, position)
    if mention is None:
        return None
    return kit.dates.resolve(mention, base, future=status in FUTURE_STATUSES)


class TripBuilder:
    def __init__(self, kit: Toolkit, base: dt.date | None):
        self.kit, self.base = kit, base
        self.trips: dict[object, Trip] = {}
        self.focus = None  # the person last spoken of as a subject

    def trip_of(self, entity) -> Trip:
        if entity not in self.trips:
            self.trips[entity] = Trip(entity)
        return self.trips[entity]

    def run(self, doc: list[Analysed]) -> list[Trip]:
        for a in doc:
            self.sentence(a)
        for trip in self.trips.values():
            if trip.whole:
                for stop in trip.stops:
                    if stop.status in (None, "planned"):
                        stop.status = trip.whole
        return [t for t in self.trips.values() if t.stops]

    def sentence(self, a: Analysed) -> None:
        kit = self.kit
        cues = sorted([m.start for m in a.travel] + [m.start for m in a.stop_nouns])
        subject = frames.subject_before(kit, a, len(a.tokens))
        if not cues and not a.host:
            if subject is not None:
                self.focus = subject
                self._presence(a, subject)
            return
        host = traveller = None
        if a.host:
            h = a.host[0]
            after = next((m.entity for m in a.mentions if m.start >= h.end and m.entity is not None), None)
            if frames.passive_before(kit, a, h.start):  # "where he was received by Putin"
                host = after
                traveller = frames.subject_before(kit, a, h.start) or (
                    self.focus if frames.pronoun_subject(kit, a, h.start) else None
                )
            else:
                host = frames.subject_before(kit, a, h.start)
                traveller = after
        by_agent = False
        companions = []
        if frames.remote(kit, a):
            return  # a phone call or a video link is no journey
        if traveller is None and cues:
            traveller = frames.possessor_before(kit, a, cues[0]) or frames.subject_before(
                kit, a, cues[0], exclude=(host,) if host else ()
            )
            if traveller is not None:
                companions = frames.coordinated(kit, a, traveller, cues[0])[1:]
            if traveller is None:
                for cue in a.travel:
                    traveller = frames.agent_after(kit, a, cue.end)
                    if traveller is not None:
                        by_agent = True
                        break
            if traveller is None and cues[0] and a.tokens[cues[0] - 1].lower in kit.possessives:
                # "Au lendemain de sa visite à Kiev, le président Joe Biden...": the sentence's subject
                traveller = frames.subject_before(kit, a, len(a.tokens)) or self.focus
            if traveller is None and frames.pronoun_subject(kit, a, cues[0]):
                traveller = self.focus
            if traveller is None and self.focus is not None and (a.status or a.stop_nouns):
                traveller = self.focus  # "L'Arménie sera le point final de la tournée"
            if traveller is None and len(self.trips) == 1 and (a.status or a.stop_nouns):
                traveller = next(iter(self.trips))
        if traveller is None:
            return
        self.focus = traveller
        for person in [traveller, *companions]:
            self._journey(a, person, host, by_agent)

    def _presence(self, a: Analysed, subject) -> None:
        """'Biden a prononcé mardi soir à Varsovie un discours': a foreign official placed, on a date, in a
        country not their own is there, though no travel word says so."""
        home = getattr(subject, "country", None)
        if not home or frames.remote(self.kit, a) or (a.statements and not a.meetings):
            return
        for place in a.places:
            if (
                place.place.kind not in ("country", "city")
                or place.place.code == home
                or place.start in a.parenthesised
            ):
                continue
            prev, _ = frames._prev_word(self.kit, a, place.start)
            dated = [d for d in a.dates if -1 <= d.start - place.end <= 3 or -1 <= place.start - d.end <= 3]
            if prev in self.kit.destination_preps and dated and not frames.is_metonym(self.kit, a, place):
                status = frames.verb_status(self.kit, a, place.start)
                trip = self.trip_of(subject)
                self._add(
                    trip, a, place.place.code, place.place.city, status, False, place.start, 0.5, mention=dated[0]
                )

    def _journey(self, a: Analysed, traveller, host, by_agent: bool) -> None:
        kit = self.kit
        trip = self.trip_of(traveller)
        dests = frames.destinations(kit, a)
        if by_agent and a.statements and not a.status:
            dests = []  # "in Moscow the tour was seen critically": a reaction, not a place of the tour
        if host is not None and not dests and getattr(host, "country", None):
            status, explicit = frames.status_at(kit, a, a.host[0].start)
            self._add(
                trip,
                a,
                host.country,
                None,
                status,
                explicit,
                a.host[0].start,
                0.5,
                mention=date_mention_for(kit, a, a.host[0].start),
            )
        cancel = frames.sentence_cancel(a)
        occupied = {segment_of(kit, a, d.place.start) for d in dests}
        for group in frames.chains(kit, a, dests):
            span = (group[0].place.start, group[-1].place.start)
            mention = date_mention_for(kit, a, group[0].place.start, occupied, span if len(group) > 1 else None)
            for k, d in enumerate(group):
                status = cancel or d.status
                self._add(
                    trip,
                    a,
                    d.place.place.code,
                    d.place.place.city,
                    status,
                    d.explicit or bool(cancel),
                    d.place.start,
                    0.8 if d.explicit else 0.6,
                    mention=mention if k == 0 else None,
                    weak=len(group) > 1,
                )
        if cancel and not dests:
            targets = [s for s in trip.stops if s.status in (None, "planned")]
            for stop in targets:
                stop.status, stop.explicit = cancel, True
                stop.evidence.append(a)
            if not targets:
                trip.whole = cancel
            trip.add_evidence(a)

    def _add(self, trip, a, country, city, status, explicit, position, confidence, weak=False, mention=None) -> None:
        if country in home_of(trip.traveller):
            return  # "Le président de la France Emmanuel Macron est arrivé": his own country is no stop
        existing = trip.stop_for(country, city)
        timing = status
        if existing is not None and existing.status in FUTURE_STATUSES and not explicit:
            timing = existing.status  # "On Monday he flies to Tbilisi" after "will travel to ... Georgia"
        if not explicit and status == "ongoing" and self._weekday_only(a):
            timing = "planned"
        date = None if mention is None else self.kit.dates.resolve(mention, self.base, future=timing in FUTURE_STATUSES)
        if existing is not None and existing.status in FUTURE_STATUSES and not explicit:
            status = existing.status
        add_stop(trip, country, city, status, explicit, a, (a.index, position), date, confidence, weak)

    @staticmethod
    def _weekday_only(a: Analysed) -> bool:
        """A present tense with a weekday ('On Monday he flies to Tbilisi') speaks of the coming days."""
        return any(d.kind == "weekday" for d in a.dates)


# Where organisations sit: their officials at home there make no trip.
ORGANIZATION_SEATS = {
    "NATO": "BE",
    "EU": "BE",
    "European Commission": "BE",
    "European Council": "BE",
    "OSCE": "AT",
    "IAEA": "AT",
    "OPEC": "AT",
    "UN": "US",
    "IMF": "US",
    "World Bank": "US",
    "WHO": "CH",
    "WTO": "CH",
    "CSTO": "RU",
    "EAEU": "RU",
    "CIS": "BY",
    "Council of Europe": "FR",
    "African Union": "ET",
    "ASEAN": "ID",
    "Arab League": "EG",
}


def home_of(traveller) -> set[str]:
    """The traveller's own country and their organisation's seat: being there is no trip."""
    home = {getattr(traveller, "country", None), ORGANIZATION_SEATS.get(getattr(traveller, "organization", None))}
    home.discard(None)
    return home


def still_there(trip: Trip, published: dt.date | None) -> None:
    """A report tells its news in the past tense ("arrived", "met") while the traveller is still there: the
    last stop that only the tense made completed, not dated before the report, is under way."""
    undated_past = [
        s
        for s in trip.stops
        if s.status == "completed" and not s.explicit and (s.start is None or s.start == published)
    ]
    if undated_past and all(s.status in ("completed", "cancelled", "postponed") for s in trip.stops):
        last = max(undated_past, key=lambda s: (s.start or dt.date.min, s.order))
        last.status = "ongoing"


def there_on_the_day(trip: Trip, published: dt.date | None) -> None:
    """The one stop under way that the report gives no date is where the traveller is on the report's
    day ("Stoltenberg is on an unannounced visit to Kyiv"): it holds that day, its end unknown."""
    undated = [s for s in trip.stops if s.status == "ongoing" and s.start is None]
    if published is not None and len(undated) == 1:
        undated[0].dated(DateValue(published, published, "day"))


def finish_trips(trips, published: dt.date | None, call: bool = False, went_home: bool = False) -> list[Trip]:
    """Drop stops at the traveller's home (own country, own organisation's seat) and, when the report
    has news of its own (a current stop, or ``call``: a call it opens with), stops of earlier journeys
    recalled for context; in a call report, also journeys over before its day (what the callers discussed).
    A stop the report places on its publication day, or tells of in the past tense only, is under way
    unless the report says the traveller went home (``went_home``)."""
    trips = list(trips)
    news = call or any(not is_background(s.end or s.start, published) for t in trips for s in t.stops)
    result = []
    for trip in trips:
        home = home_of(trip.traveller)
        trip.stops = [
            s
            for s in trip.stops
            if s.country not in home
            and not (news and is_background(s.end or s.start, published))
            and not (call and _over_before(s, published))
        ]
        if published is not None:
            for stop in trip.stops:
                if stop.status is None and stop.start is not None:
                    last = stop.end or stop.start
                    stop.status = (
                        "planned" if stop.start > published else "completed" if last < published else "ongoing"
                    )
                day = stop.end or stop.start
                if stop.status == "completed" and stop.precision == "day" and day == published:
                    stop.status = "ongoing"
        if not went_home:
            still_there(trip, published)
        there_on_the_day(trip, published)
        if trip.stops:
            result.extend(separate_journeys(trip))
    return result


def _over_before(stop, published: dt.date | None) -> bool:
    """A stop that ended before the report's day ("visited Ukraine last week"), or is told as done without
    a date."""
    last = stop.end or stop.start
    if last is not None and published is not None:
        return last < published
    return last is None and stop.status == "completed"


BACKGROUND_AGE = dt.timedelta(days=30)  # a stop or meeting this long before the report is context, not news


def is_background(last_day: dt.date | None, published: dt.date | None) -> bool:
    """An earlier visit or meeting recalled for context ("his first visit since 2019", "met in Bali in
    2022"): it ended a month or more before the report was published."""
    return last_day is not None and published is not None and last_day < published - BACKGROUND_AGE


JOURNEY_GAP = dt.timedelta(days=3)  # days between two countries' stops that make them separate journeys


def separate_journeys(trip: Trip) -> list[Trip]:
    """One traveller's journeys days apart are separate trips: Kyiv on the 2nd, Moscow on the 5th and
    Beijing on the 8th are three trips, a tour of Baku, Tbilisi and Yerevan on three following days is
    one. Only when every stop is dated to one day (an undated stop could be the link between them)."""
    stops = trip.stops
    single = [s.start is not None and s.precision == "day" and s.end in (None, s.start) for s in stops]
    if len(stops) < 2 or not all(single):  # a range ("next week") is no fixed day
        return [trip]
    ordered = sorted(stops, key=lambda s: (s.start, s.order))
    groups: list[list[Stop]] = [[ordered[0]]]
    for stop in ordered[1:]:
        last = groups[-1][-1]
        if stop.country != last.country and stop.start - (last.end or last.start) >= JOURNEY_GAP:
            groups.append([stop])
        else:
            groups[-1].append(stop)
    if len(groups) == 1:
        return [trip]
    result = []
    for group in groups:
        evidence = [a for a in trip.evidence if any(a in s.evidence for s in group)] or list(trip.evidence)
        result.append(Trip(trip.traveller, group, evidence, trip.whole, trip.inferred))
    return result
