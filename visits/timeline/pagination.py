"""Keyset (cursor) pagination over one model or a merge of several (the API and the pages alike).

A page is found by its key, never by an offset: ``(sort value, type rank, id)``. For trips
and meetings the sort value is the start date (null dates last), so a cursor stays valid
and pages neither skip nor repeat rows while new rows arrive. The timeline merges trips
and meetings: each source gives its next ``page_size + 1`` keys and the merged list is cut.
Cursors are opaque (base64 of a small JSON document) and carry the ordering they belong to.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, IntegerField, Q, QuerySet, Value

from visits.models.timeline import NULL_DATE, sort_date  # noqa: F401 - NULL_DATE: part of this module's names
from visits.timeline.query import QueryError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Ordering:
    """How a list is ordered: the sort expression, its value type and direction."""

    name: str
    expression: Any
    kind: str  # date | datetime | int | str
    descending: bool = False


def date_ordering(descending: bool = False) -> Ordering:
    return Ordering("-date" if descending else "date", sort_date(), "date", descending)


def updated_ordering(descending: bool = False) -> Ordering:
    return Ordering("-updated" if descending else "updated", F("updated_at"), "datetime", descending)


FACT_ORDERINGS: dict[str, Callable[[], Ordering]] = {
    "date": date_ordering,
    "-date": lambda: date_ordering(True),
    "updated": updated_ordering,
    "-updated": lambda: updated_ordering(True),
}


@dataclass(frozen=True)
class Source:
    """One model in a (possibly merged) list: its type name, rank in the key, rows and loader."""

    type: str
    rank: int
    queryset: QuerySet
    load: Callable[[list[int]], dict[int, Any]]


@dataclass
class Page:
    objects: list[Any]
    next: str | None
    previous: str | None
    count: int | None = None


def page_size_from(params) -> int:
    raw = params.get("page_size")
    if raw is None or raw == "":
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise QueryError({"page_size": [f"{raw!r} is not a whole number."]}) from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise QueryError({"page_size": [f"page_size must be between 1 and {MAX_PAGE_SIZE}."]})
    return size


def wants_count(params) -> bool:
    raw = params.get("count")
    if raw is None:
        return False
    value = raw.strip().lower()
    if value in {"true", "1", "yes"}:
        return True
    if value in {"false", "0", "no", ""}:
        return False
    raise QueryError({"count": [f"{raw!r} is not a boolean (use count=true)."]})


def _encode(ordering: Ordering, direction: str, key: tuple) -> str:
    value, rank, pk = key
    text = value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
    payload = json.dumps({"o": ordering.name, "d": direction, "k": [text, rank, pk]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _decode(ordering: Ordering, cursor: str) -> tuple[str, tuple]:
    invalid = QueryError({"cursor": ["Invalid cursor: use the next or previous link of a page as given."]})
    if len(cursor) > 500:
        raise invalid
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        direction = payload["d"]
        value, rank, pk = payload["k"]
        if payload["o"] != ordering.name:
            raise QueryError({"cursor": ["This cursor belongs to another ordering."]})
        if direction not in ("n", "p") or not isinstance(rank, int) or not isinstance(pk, int | str):
            raise invalid
        if ordering.kind == "date":
            value = dt.date.fromisoformat(value)
        elif ordering.kind == "datetime":
            value = dt.datetime.fromisoformat(value)
        elif ordering.kind == "int":
            value = int(value)
        elif not isinstance(value, str):
            raise invalid
        if isinstance(pk, int) and not -(2**63) <= pk < 2**63:
            raise invalid
    except QueryError:
        raise
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError, AttributeError):
        raise invalid from None
    return direction, (value, rank, pk)


def _beyond(source: Source, key: tuple, greater: bool) -> Q:
    """Rows of ``source`` whose key comes after (``greater``) or before ``key``."""
    value, rank, pk = key
    op = "gt" if greater else "lt"
    if source.rank == rank:
        # The first, redundant condition bounds the index scan on (sort value, id) to the rows beyond.
        return Q(**{f"_sort__{op}e": value}) & (Q(**{f"_sort__{op}": value}) | Q(_sort=value, **{f"pk__{op}": pk}))
    if (source.rank > rank) == greater:
        return Q(**{f"_sort__{op}e": value})
    return Q(**{f"_sort__{op}": value})


def paginate(sources: Sequence[Source], ordering: Ordering, params) -> Page:
    """The page of merged ``sources`` that the ``cursor``/``page_size`` parameters ask for."""
    size = page_size_from(params)
    count = sum(s.queryset.count() for s in sources) if wants_count(params) else None
    cursor = params.get("cursor")
    direction, key = _decode(ordering, cursor) if cursor else ("n", None)
    backwards = direction == "p"
    descending = ordering.descending != backwards  # the direction rows are read in
    branches = []
    for source in sources:
        qs = source.queryset.annotate(_sort=ordering.expression, _rank=Value(source.rank, IntegerField()))
        if key is not None:
            qs = qs.filter(_beyond(source, key, greater=not descending))
        order = ("-_sort", "-pk") if descending else ("_sort", "pk")
        branches.append(qs.order_by(*order).values_list("_sort", "_rank", "pk")[: size + 1])
    # One statement: PostgreSQL merges the sources' ordered index walks (Merge Append) and stops
    # them when the page is full, where a query per source would walk each to a full page.
    merged = branches[0]
    if len(branches) > 1:
        merged = branches[0].union(*branches[1:], all=True)
        merged = merged.order_by(*(f"-{f}" if descending else f for f in ("_sort", "_rank", "pk")))[: size + 1]
    rows = sorted(merged, reverse=descending)
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    first, last = (rows[0], rows[-1]) if rows else (None, None)
    if backwards:
        next_cursor = _encode(ordering, "n", last) if last else None
        previous_cursor = _encode(ordering, "p", first) if more and first else None
    else:
        next_cursor = _encode(ordering, "n", last) if more and last else None
        previous_cursor = _encode(ordering, "p", first) if key is not None and first else None
    if not rows and key is not None:
        # Stepped past the end (or before the start): offer the way back.
        previous_cursor = None if backwards else _encode(ordering, "p", key)
        next_cursor = _encode(ordering, "n", key) if backwards else None

    by_rank = {s.rank: s for s in sources}
    loaded: dict[int, dict] = {}
    for rank, source in by_rank.items():
        ids = [pk for _, r, pk in rows if r == rank]
        loaded[rank] = source.load(ids) if ids else {}
    objects = [loaded[rank][pk] for _, rank, pk in rows if pk in loaded[rank]]
    return Page(objects=objects, next=next_cursor, previous=previous_cursor, count=count)


def iterate_all(sources: Sequence[Source], ordering: Ordering, params=None, chunk: int = 200):
    """Every matching object, in order, loaded one chunk at a time (for streaming CSV).

    One key query per source for the whole list (its keys held: 2 values a row; merged), not one
    keyset page per chunk: without a LIMIT (and without a server-side cursor, which PostgreSQL plans
    for the first rows) it is planned as one pass, where a page per chunk would repeat the filter's
    work for every chunk.
    """
    import heapq

    def keys(source: Source):
        qs = source.queryset.annotate(_sort=ordering.expression)
        order = ("-_sort", "-pk") if ordering.descending else ("_sort", "pk")
        for value, pk in list(qs.order_by(*order).values_list("_sort", "pk")):
            yield value, source.rank, pk

    by_rank = {s.rank: s for s in sources}
    merged = heapq.merge(*(keys(s) for s in sources), reverse=ordering.descending)
    batch: list[tuple] = []
    while True:
        batch = [key for _, key in zip(range(chunk), merged, strict=False)]
        if not batch:
            return
        loaded = {}
        for rank, source in by_rank.items():
            ids = [pk for _, r, pk in batch if r == rank]
            loaded[rank] = source.load(ids) if ids else {}
        yield from (loaded[rank][pk] for _, rank, pk in batch if pk in loaded[rank])
