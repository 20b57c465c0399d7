"""Where every write of the timeline ends: the changes feed, the search documents and the timeline cache.

The report merge, the analyst services, the Office of the Historian importer and the remarks
extraction each decide *what* to write; what a write means for readers is done here, once:

* one ``Change`` row per trip or meeting created, updated, merged or deleted (the API's
  ``/changes`` feed), inserted in bulk;
* the search documents of those trips and meetings rebuilt (one UPDATE per model);
* the timeline cache made stale when the transaction commits (``visits.cache``). Model signals
  already do that for ``save()``; bulk writes (``bulk_create``, ``QuerySet.update``, raw SQL)
  send none, so without this an import stayed invisible until the cached pages expired.

The feed speaks of trips and meetings only: a stop, participation, topic link or evidence row
that changed is a change of its trip or meeting, and is recorded as that.

Bulk writers collect a :class:`ChangeSet` while they write and hand it to :func:`write_changes`
inside the same transaction; a service writing one row at a time may call :func:`record_change`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

from visits import alerts
from visits import cache as timeline_cache
from visits.models import Change
from visits.search import refresh_search_documents

ChangeAction = Change.Action

FEED_KINDS = ("trip", "meeting")
#: When one write does several things to a row, the feed keeps the strongest (a row created then
#: updated in the same write is "created"; one deleted is "deleted", whatever happened before).
_RANK = {ChangeAction.UPDATED: 0, ChangeAction.CREATED: 1, ChangeAction.MERGED: 2, ChangeAction.DELETED: 3}


@dataclass
class ChangeSet:
    """The trips and meetings one write touched: at most one feed row each."""

    actions: dict[tuple[str, int], tuple[str, int | None]] = field(default_factory=dict)

    def created(self, kind: str, ids: Iterable[int]) -> None:
        self._add(kind, ids, ChangeAction.CREATED)

    def updated(self, kind: str, ids: Iterable[int]) -> None:
        self._add(kind, ids, ChangeAction.UPDATED)

    def deleted(self, kind: str, ids: Iterable[int]) -> None:
        self._add(kind, ids, ChangeAction.DELETED)

    def merged(self, kind: str, object_id: int, into: int) -> None:
        self._add(kind, [object_id], ChangeAction.MERGED, merged_into=into)

    def ids(self, kind: str, *, alive: bool = True) -> list[int]:
        """Ids of ``kind`` in the set; with ``alive``, only those still in the database (not merged or deleted)."""
        gone = {ChangeAction.MERGED, ChangeAction.DELETED} if alive else set()
        return sorted(pk for (k, pk), (action, _) in self.actions.items() if k == kind and action not in gone)

    def update(self, other: ChangeSet) -> None:
        """Fold another set into this one (same precedence as adding its rows one by one)."""
        for (kind, pk), (action, into) in other.actions.items():
            self._add(kind, [pk], action, merged_into=into)

    def __len__(self) -> int:
        return len(self.actions)

    def _add(self, kind: str, ids: Iterable[int], action: str, *, merged_into: int | None = None) -> None:
        if kind not in FEED_KINDS:
            raise ValueError(f"the changes feed lists trips and meetings, not {kind!r}: record its trip or meeting")
        for pk in ids:
            current = self.actions.get((kind, pk))
            if current is None or _RANK[action] >= _RANK[current[0]]:
                self.actions[(kind, int(pk))] = (action, merged_into)


def write_changes(changes: ChangeSet, *, search: bool = True) -> list[Change]:
    """Publish what a write did: feed rows in one insert, search documents, cache stale on commit.

    Call it inside the write's transaction, so that the feed rows commit (or roll back) with the
    rows they describe. ``search=False`` when the caller rebuilds the search documents itself.
    """
    rows = [
        Change(kind=kind, object_id=pk, action=action, merged_into=into)
        for (kind, pk), (action, into) in sorted(changes.actions.items(), key=lambda item: item[0])
    ]
    if not rows:
        return rows  # nothing changed: the cached timeline is still right
    Change.objects.bulk_create(rows, batch_size=1000)
    alerts.changes_written(rows)  # bulk_create sends no post_save
    if search:
        refresh_search_documents(trip_ids=changes.ids("trip"), meeting_ids=changes.ids("meeting"))
    invalidate_timeline()
    return rows


def record_change(kind: str, object_id: int, action: str, *, merged_into: int | None = None) -> Change:
    """One row of the changes feed, for services that write one fact at a time (the cache goes stale on commit)."""
    if kind not in FEED_KINDS:
        raise ValueError(f"the changes feed lists trips and meetings, not {kind!r}")
    change = Change.objects.create(kind=kind, object_id=object_id, action=action, merged_into=merged_into)
    invalidate_timeline()
    return change


def invalidate_timeline() -> None:
    """Make every cached timeline read stale once the current transaction commits (at once outside one).

    One bump per transaction however often it is called (``visits.cache.schedule_bump``).
    """
    timeline_cache.schedule_bump()


def analyze(*models) -> None:
    """Refresh the planner's statistics of tables a bulk write just filled.

    Where autovacuum is off (or has not come round yet, or the rows are not committed), a plan made on
    the statistics of an empty table can take minutes for what an index answers in milliseconds.
    """
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
