"""The extraction as the schema says it (docs/extraction.schema.json): plain dicts and lists."""

from __future__ import annotations

import datetime as dt

from visits.extraction.analysis import Analysed
from visits.extraction.dates import partial_iso
from visits.extraction.entities import Entity, People
from visits.extraction.meetings import Meeting
from visits.extraction.trips import PRECISION_RANK, Trip


def evidence(sentences: list[Analysed], confidence: float) -> list[dict]:
    seen, result = set(), []
    for a in sorted(sentences, key=lambda s: s.index):
        if a.index in seen:
            continue
        seen.add(a.index)
        s = a.sentence
        result.append({"quote": s.text, "start": s.start, "end": s.end, "confidence": round(confidence, 2)})
    return result


def person(entity: Entity) -> dict:
    return entity.as_dict()


def officials(people: People, trips: list[Trip], meetings: list[Meeting]) -> list[dict]:
    involved = {t.traveller for t in trips} | {p for m in meetings for p in m.participants}
    chosen = []
    for entity in people.entities:
        if entity in involved or (not entity.bare and (entity.role or entity.known)):
            chosen.append(entity)
    return [person(e) for e in chosen]


def trip(t: Trip) -> dict:
    stops = t.ordered_stops()
    dated = [s for s in stops if s.start]
    start = min((s.start for s in dated), default=None)
    ends = [s.end for s in stops if s.end]
    end = max(ends) if ends and stops[-1].end else None
    precisions = [s.precision for s in dated if s.precision]
    precision = min(precisions, key=PRECISION_RANK.get) if precisions else None
    sentences = list(t.evidence)
    for s in stops:
        sentences.extend(s.evidence)
    confidence = max([s.confidence for s in stops] or [0.5]) * (0.7 if t.inferred else 1)
    return {
        "traveller": person(t.traveller),
        "start": partial_iso(start, precision),
        "end": partial_iso(end, precision),
        "precision": precision,
        "status": t.status,
        "stops": [
            {
                "country": s.country,
                "city": s.city,
                "start": partial_iso(s.start, s.precision),
                "end": partial_iso(s.end, s.precision),
                "status": s.status,
                "topics": list(s.topics),
            }
            for s in stops
        ],
        "evidence": evidence(sentences, confidence),
    }


def meeting(m: Meeting) -> dict:
    return {
        "kind": m.kind,
        "date": partial_iso(m.date.start, m.date.precision) if m.date else None,
        "precision": m.date.precision if m.date else None,
        "country": m.country,
        "city": m.city,
        "participants": [person(p) for p in m.participants],
        "status": m.status,
        "topics": list(m.topics),
        "evidence": evidence(m.evidence, m.confidence),
    }


def report(title, language, published: dt.date | None, publisher, url, reading: str = "full") -> dict:
    """The report's own fields; ``reading`` is ``partial`` for a language without a cue file."""
    return {
        "title": title,
        "language": language,
        "published": published.isoformat() if published else None,
        "publisher": publisher,
        "url": url,
        "reading": reading,
    }
