"""What the tracker holds, for the notice that tells a user with little data how to get more."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from visits.models import Feed, ImportRun, Meeting, Report, Trip

#: Below this many trips and meetings the data is a demo's, whatever was imported.
FEW = 100


@dataclass(frozen=True)
class Holdings:
    trips: int
    meetings: int
    reports: int
    feeds: int
    hsg_imported: bool

    @property
    def little(self) -> bool:
        return not self.hsg_imported or self.trips + self.meetings < FEW


def holdings() -> Holdings:
    """The counts in one query: the notice is on every unfiltered timeline page."""
    table = {model: model._meta.db_table for model in (Trip, Meeting, Report, Feed, ImportRun)}
    sql = (
        f"SELECT (SELECT count(*) FROM {table[Trip]}), (SELECT count(*) FROM {table[Meeting]}),"
        f" (SELECT count(*) FROM {table[Report]}), (SELECT count(*) FROM {table[Feed]}),"
        f" EXISTS (SELECT 1 FROM {table[ImportRun]} WHERE source = 'hsg' AND finished_at IS NOT NULL)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return Holdings(*cursor.fetchone())
