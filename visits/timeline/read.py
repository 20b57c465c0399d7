"""Pages of timeline entries: what the API's list and detail endpoints (and any other reader) call.

``kind`` is ``timeline`` (trips and meetings merged by date), ``trips`` or ``meetings``; ``params``
are the query parameters (filters, cursor, page_size, count, ordering). Bad parameters raise
:class:`visits.timeline.query.QueryError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from visits.models import Meeting, Trip
from visits.models.timeline import WHOLE_LIST
from visits.timeline import pagination as p
from visits.timeline import query as q
from visits.timeline.entries import Entry, build_entries, last_modified

KINDS = ("timeline", "trips", "meetings")
CSV_CHUNK = 500


def ordering(params: Mapping) -> p.Ordering:
    name = params.get("ordering") or "date"
    if name not in p.FACT_ORDERINGS:
        raise q.QueryError({"ordering": [f"Unknown ordering {name!r}; one of {', '.join(q.ORDERINGS)}."]})
    return p.FACT_ORDERINGS[name]()


def _keys(kind: str):
    """A source's loader that gives the ``(type, id)`` keys :func:`build_entries` loads, a page at a time."""
    return lambda ids: {pk: (kind, pk) for pk in ids}


def trip_source(queryset) -> p.Source:
    return p.Source("trip", 1, queryset, _keys("trip"))


def meeting_source(queryset) -> p.Source:
    return p.Source("meeting", 0, queryset, _keys("meeting"))


def sources(kind: str, params: Mapping) -> list[p.Source]:
    """The keyset sources of a list: its filtered trips and/or meetings."""
    if kind == "timeline":
        trips, meetings = q.filter_timeline(params)
        return [meeting_source(meetings), trip_source(trips)]
    if kind == "trips":
        return [trip_source(q.filter_trips(params))]
    if kind == "meetings":
        return [meeting_source(q.filter_meetings(params))]
    raise ValueError(f"unknown kind {kind!r}")


@dataclass
class EntryPage:
    entries: list[Entry]
    next: str | None  # cursors
    previous: str | None
    count: int | None
    last_modified: dt.datetime | None


def entry_page(kind: str, params: Mapping, request=None) -> EntryPage:
    """One page of entries of ``kind`` for ``params`` (``request`` makes the URLs absolute)."""
    order = ordering(params)
    page = p.paginate(sources(kind, params), order, params)
    entries = build_entries(page.objects, request)
    return EntryPage(
        entries=entries,
        next=page.next,
        previous=page.previous,
        count=page.count,
        last_modified=last_modified(entries),
    )


def check_list(kind: str, params: Mapping) -> tuple[list[p.Source], p.Ordering]:
    """Validate a whole-list request up front (so errors are answered before a stream starts)."""
    order = ordering(params)
    token = WHOLE_LIST.set(True)  # every row is read: filters as id sets (see FactQuerySet._ids)
    try:
        found = sources(kind, params)
    finally:
        WHOLE_LIST.reset(token)
    p.page_size_from(params)
    return found, order


def iterate_entries(kind: str, params: Mapping, request=None, *, checked=None) -> Iterator[Entry]:
    """Every entry of ``kind`` matching ``params``, in order, built one chunk at a time (for streams)."""
    found, order = checked or check_list(kind, params)
    chunk: list = []
    for key in p.iterate_all(found, order, params, chunk=CSV_CHUNK):
        chunk.append(key)
        if len(chunk) >= CSV_CHUNK:
            yield from build_entries(chunk, request)
            chunk = []
    yield from build_entries(chunk, request)


def entry(model: type[Trip] | type[Meeting], pk: int, request=None) -> tuple[Entry, dt.datetime] | None:
    """The entry of one trip or meeting and when it last changed, or None when there is none."""
    found = build_entries([("trip" if model is Trip else "meeting", pk)], request)
    if not found:
        return None
    return found[0], last_modified(found)
