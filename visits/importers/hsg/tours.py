"""Tours: duplicate travel records merged, a person's stops grouped into trips, and the trips' titles."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from visits.importers.hsg.parsing import TravelRecord

TOUR_GAP = dt.timedelta(days=1)


def merge_duplicates(records: list[TravelRecord]) -> tuple[list[TravelRecord], list[TravelRecord]]:
    """(kept, merged): of records equal apart from their id, the lowest id is kept and lists the others."""
    by_key: dict[tuple, TravelRecord] = {}
    merged = []
    for record in sorted(records, key=lambda r: r.id):
        kept = by_key.setdefault(record.content_key(), record)
        if kept is not record:
            kept.duplicate_ids.append(record.id)
            merged.append(record)
    kept_ids = {r.id for r in by_key.values()}
    return [r for r in records if r.id in kept_ids], merged


def group_tours(records: Iterable[TravelRecord]) -> list[list[TravelRecord]]:
    """Tours of one or more people's stops: a stop starting by the day after the tour's end joins it."""
    tours: list[list[TravelRecord]] = []
    by_person: dict[tuple[str, str], list[TravelRecord]] = defaultdict(list)
    for record in records:
        by_person[(record.role, record.who)].append(record)
    for stops in by_person.values():
        tour_end: dt.date | None = None
        for stop in sorted(stops, key=lambda r: (r.start, r.end, r.file, r.index)):
            if tour_end is None or stop.start > tour_end + TOUR_GAP:
                tours.append([])
                tour_end = stop.end
            tours[-1].append(stop)
            tour_end = max(tour_end, stop.end)
    return tours


def trip_title(name: str, country_names: list[str]) -> str:
    """'Hillary Rodham Clinton in Armenia, Georgia, Azerbaijan' (countries once each, in visit order)."""
    unique = list(dict.fromkeys(country_names))
    title = f"{name} in {', '.join(unique)}"
    if len(title) > 300:
        shown = []
        for n in unique:
            if len(f"{name} in {', '.join([*shown, n])} and {len(unique)} more") > 290:
                break
            shown.append(n)
        title = f"{name} in {', '.join(shown)} and {len(unique) - len(shown)} more"
    return title
