"""Trips with their ordered stops, meetings with their participants, and the topics discussed."""

from __future__ import annotations

import datetime as dt
import json
import time
from contextvars import ContextVar

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from visits.dates import Precision
from visits.models.vocabulary import Lockable, MeetingStatus, TripStatus, choices_check


class Topic(models.Model):
    """A node of the topic taxonomy; analysts may add and nest topics."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    description = models.TextField(blank=True)
    keywords = models.JSONField(default=dict, blank=True, help_text="cue words per language code")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def descendant_ids(self) -> list[int]:
        """This topic's id and those of all topics below it."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(Topic.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids


#: null start dates sort after every real date (the timeline's keyset order; see visits.timeline.pagination)
NULL_DATE = dt.date(9999, 12, 31)


def sort_date() -> models.Func:
    """The sort value of a trip or meeting in date order; indexed with ``id`` (``*_sort_key``)."""
    return Coalesce(models.F("start_date"), models.Value(NULL_DATE), output_field=models.DateField())


class DatedQuerySet(models.QuerySet):
    def in_period(self, start: dt.date | None = None, end: dt.date | None = None):
        """Facts whose (possibly imprecise) period overlaps [start, end]; see visits.dates."""
        qs = self
        if start is not None:
            qs = qs.filter(end_date__gte=start)
        if end is not None:
            qs = qs.filter(start_date__lte=end)
        return qs


#: set while the filters of a whole list (a CSV stream) are built: then each id set is hashed once
#: and every row in the other conditions' range tested against it (see FactQuerySet._ids)
WHOLE_LIST: ContextVar[bool] = ContextVar("whole_list", default=False)

#: rows a planner estimate is trusted for (and the size of a table, once known) for this long
_ESTIMATES_SECONDS = 300
_table_rows: dict[str, tuple[float, float]] = {}
_estimates: dict[tuple, tuple[float, float]] = {}  # (database, sql, params) -> (rows, when)


def _estimated_rows(queryset: models.QuerySet) -> float:
    """PostgreSQL's estimate of the rows of ``queryset`` (EXPLAIN: planned, not run).

    Planned on the raw DB-API connection: it reads no rows, so it is not one of the queries the
    tests pin; remembered for ``_ESTIMATES_SECONDS`` per statement (the planner's statistics change
    only with ANALYZE). Elsewhere than PostgreSQL the answer is 0 (the id-set form is then taken).
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    sql, params = queryset.query.sql_with_params()
    key = (connection.alias, sql, tuple(map(str, params)))
    found = _estimates.get(key)
    if found is not None and time.monotonic() - found[1] < _ESTIMATES_SECONDS:
        return found[0]
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    rows = float(plan[0]["Plan"]["Plan Rows"])
    if len(_estimates) > 4096:  # a bounded memo: forget everything rather than track ages
        _estimates.clear()
    _estimates[key] = (rows, time.monotonic())
    return rows


_spans: dict[str, tuple[int | None, float]] = {}


def _longest_span(model: type[models.Model]) -> int | None:
    """Days from start to end of the longest fact of ``model`` (None: unknown, or not PostgreSQL).

    Read on the raw connection and remembered for ``_ESTIMATES_SECONDS`` (as the estimates are); a
    fact written since that lasts longer would be missed by a period filter until then, so the
    answer carries a year of margin.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    found = _spans.get(model._meta.db_table)
    if found is None or time.monotonic() - found[1] > _ESTIMATES_SECONDS:
        connection.ensure_connection()
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.connection.cursor() as cursor:
            cursor.execute(f"SELECT max(end_date - start_date) FROM {table}")
            days = cursor.fetchone()[0]
        found = (None if days is None else int(days) + 366, time.monotonic())
        _spans[model._meta.db_table] = found
    return found[0]


def _rows_of(model: type[models.Model]) -> float:
    found = _table_rows.get(model._meta.db_table)
    if found is None or time.monotonic() - found[1] > _ESTIMATES_SECONDS:
        found = (_estimated_rows(model.objects.order_by().values("pk")), time.monotonic())
        _table_rows[model._meta.db_table] = found
    return found[0]


class Probe(models.Exists):
    """``EXISTS (... OFFSET 0)``: evaluated per row by an index probe, never hashed.

    PostgreSQL turns a plain EXISTS under OR into a hashed subplan, built in full before the first
    row whatever the LIMIT; an OFFSET keeps it a correlated probe, which is what a walk of the
    (sort date, id) index that stops after one page wants.
    """

    template = "EXISTS(%(subquery)s OFFSET 0)"


class FactQuerySet(DatedQuerySet):
    """What the timeline filters mean, shared by trips and meetings (see visits.timeline.query).

    Every to-many condition is an ``EXISTS`` subquery, so no filter needs ``DISTINCT`` and every
    filter composes with keyset pagination. Subclasses give the conditions that differ by model.
    """

    #: paths from Evidence to the id of this model, one per kind of fact evidence may support
    evidence_paths: tuple[str, ...] = ()

    def _ids(self, *parts: tuple[models.QuerySet, str] | Q):
        """Facts whose id is ``field`` of a row of one of the querysets ``parts`` ((queryset, field) pairs),
        or that meet a condition on their own columns (a ``Q`` part).

        Two plans, chosen by PostgreSQL's estimate of how many rows the parts hold: few, and the
        condition is ``id IN (part UNION ALL part ...)``, the candidates joined and sorted; many,
        and it is ``EXISTS (part) OR ...`` per fact, probed by index while the (sort date, id)
        index is walked, which stops after one page; a ``Q`` part is then tested on the row itself.
        (The planner cannot make that choice for a union: it guesses 200 distinct ids whatever the
        parts hold.)
        """
        own = self.model._default_manager
        queries = [
            own.filter(part).order_by().values("pk") if isinstance(part, Q) else part[0].order_by().values(part[1])
            for part in parts
        ]
        many = 0.0
        if not WHOLE_LIST.get() and (len(parts) > 1 or not isinstance(parts[0], Q)):
            many = sum(_estimated_rows(q) for q in queries)
        # Walking visits about page * rows / many facts at len(parts) cheap probes each; joining costs
        # ~many random reads, several times a probe: walk when many^2 > page * parts * rows / 10.
        if many * many > 5 * len(parts) * max(_rows_of(self.model), 1.0):
            condition = Q()
            for part in parts:
                if isinstance(part, Q):
                    condition |= part
                else:
                    queryset, field = part
                    condition |= Q(Probe(queryset.order_by().filter(**{field: models.OuterRef("pk")})))
            return self.filter(condition)
        if WHOLE_LIST.get():  # every row is read: hash each id set once, test each row against them
            condition = Q()
            for part, query in zip(parts, queries, strict=True):
                condition |= part if isinstance(part, Q) else Q(pk__in=query)
            return self.filter(condition)
        first, *rest = queries
        return self.filter(pk__in=first.union(*rest, all=True) if rest else first)

    def in_period(self, start: dt.date | None = None, end: dt.date | None = None):
        qs = super().in_period(start, end)
        span = _longest_span(self.model) if start is not None else None
        if span is not None:
            # Implied by end_date >= start (no fact lasts longer than the longest one): bounds the
            # walk of the (sort date, id) index from below, as ``end`` bounds it from above.
            qs = qs.alias(_period_from=sort_date()).filter(_period_from__gte=start - dt.timedelta(days=span))
        if end is not None:
            # Implied by start_date <= end (a null start fails both), and it bounds a scan of the
            # (sort date, id) index to the period instead of starting at the newest fact.
            qs = qs.alias(_period_sort=sort_date()).filter(_period_sort__lte=end)
        return qs

    def with_status(self, statuses: list[str]):
        return self.filter(status__in=statuses)

    def with_evidence(self, **lookups):
        """Facts supported (directly or through a child row) by one evidence row meeting ``lookups``."""
        from django.db.models.functions import Coalesce

        from visits.models.sources import Evidence

        owners = Evidence.objects.filter(**lookups).annotate(owner=Coalesce(*self.evidence_paths)).values("owner")
        return self.filter(pk__in=owners)

    def updated_since(self, moment: dt.datetime):
        return self.filter(updated_at__gte=moment)

    def matching(self, text: str):
        """Facts whose stored search document (see visits.search) matches ``text``: one GIN index lookup."""
        from visits.search import search_query

        return self.filter(search_document=search_query(text))


def _dated_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
            name=f"{prefix}_end_not_before_start",
        ),
        choices_check("precision", Precision, f"{prefix}_precision_valid", null=True),
    ]


class Dated(models.Model):
    """Start and end bounds with one precision (see visits.dates for the meaning)."""

    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    precision = models.CharField(max_length=5, choices=Precision.choices, null=True, blank=True)

    class Meta:
        abstract = True


class TripQuerySet(FactQuerySet):
    """Trips; each to-many filter is an id set or per-row probes, whichever is cheaper (``_ids``)."""

    evidence_paths = ("trip_id", "stop__trip_id", "stop_topic__stop__trip_id")

    def with_person(self, people: list[int], role: str = "either"):
        """Trips of ``people`` as traveller, as participant of one of its meetings, or either."""
        traveller = (Trip.objects.filter(traveller_id__in=people), "pk")
        participant = (Participation.objects.filter(person_id__in=people), "meeting__trip_id")
        if role == "traveller":
            return self.filter(traveller_id__in=people)
        if role == "participant":
            return self._ids(participant)
        return self._ids(traveller, participant)

    def with_organization(self, organizations: list[int]):
        from visits.models.people import Position

        held = Position.objects.filter(organization_id__in=organizations).order_by()
        return self._ids(
            Q(position__in=held.values("pk")),
            Q(traveller_id__in=held.values("person_id")),
        )

    def with_role(self, title: str):
        """The post held on the trip, or any post of that title held during it."""
        from visits.models.people import Position

        held = Position.objects.filter(person=models.OuterRef("traveller_id"), title__iexact=title).filter(
            Q(start_date__isnull=True) | Q(start_date__lte=models.OuterRef("end_date")),
            Q(end_date__isnull=True) | Q(end_date__gte=models.OuterRef("start_date")),
        )
        return self.filter(Q(position__title__iexact=title) | Q(models.Exists(held)))

    def with_country(self, codes: list[str], role: str | None = None):
        """Trips visiting ``codes`` (role visited or host), made from them (visitor), or either."""
        from visits.models.people import Person, Position

        visited = (Stop.objects.filter(country_id__in=codes), "trip_id")
        travellers = Person.objects.filter(country_id__in=codes).order_by().values("pk")
        positions = Position.objects.filter(country_id__in=codes).order_by().values("pk")
        visitor = (Q(traveller_id__in=travellers), Q(position_id__in=positions))
        if role in ("visited", "host"):
            return self._ids(visited)
        if role == "visitor":
            return self._ids(*visitor)
        return self._ids(visited, *visitor)

    def with_topic(self, topics: list[int]):
        """Trips with a stop on one of ``topics`` (ids: give the subtopics too)."""
        return self._ids((StopTopic.objects.filter(topic_id__in=topics), "stop__trip_id"))

    def for_timeline(self):
        return self.select_related("traveller", "position").prefetch_related("stops__country")

    def for_page(self):
        """With everything a page shows of a trip (see visits.timeline.entries.load_trips)."""
        from visits.timeline.entries import load_trips

        return load_trips(self)


class Trip(Lockable, Dated):
    """One journey of one official abroad, possibly a tour of several countries."""

    traveller = models.ForeignKey("Person", on_delete=models.PROTECT, related_name="trips")
    position = models.ForeignKey(
        "Position",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trips",
        help_text="the post the traveller held during the trip",
    )
    title = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=TripStatus.choices, default=TripStatus.COMPLETED)
    external_id = models.CharField(max_length=80, null=True, blank=True, unique=True)
    flags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    #: what ``q`` searches; rebuilt in SQL by visits.search.refresh_search_documents
    search_document = SearchVectorField(null=True, editable=False)
    history = HistoricalRecords(excluded_fields=["search_document"])

    objects = TripQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [*_dated_constraints("trip"), choices_check("status", TripStatus, "trip_status_valid")]
        indexes = [
            models.Index(fields=["start_date", "end_date"]),
            models.Index(fields=["traveller", "start_date"]),
            models.Index(fields=["status"]),
            GinIndex(fields=["search_document"], name="trip_search_document"),
            # The keyset order; the columns filters test ride along, so that a walk of the index tests
            # them without reading the table (an index-only scan) until the page is full.
            models.Index(
                sort_date(),
                models.F("id"),
                name="trip_sort_key",
                include=["start_date", "end_date", "status", "traveller", "position"],
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.traveller} trip {self.start_date or ''}"


class Stop(Lockable, Dated):
    """One country on a trip, in visit order, with the cities visited there."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="stops")
    order = models.PositiveSmallIntegerField(default=0)
    country = models.ForeignKey("Country", on_delete=models.PROTECT, related_name="stops")
    cities = models.JSONField(default=list, blank=True, help_text="city names in visit order")
    locale = models.CharField(max_length=300, blank=True, help_text="the place as the source wrote it")
    status = models.CharField(max_length=10, choices=TripStatus.choices, null=True, blank=True)
    external_id = models.CharField(max_length=80, null=True, blank=True, unique=True)
    remarks = models.TextField(blank=True)
    topics = models.ManyToManyField(Topic, through="StopTopic", related_name="stops", blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["trip", "order", "start_date"]
        constraints = [*_dated_constraints("stop"), choices_check("status", TripStatus, "stop_status_valid", null=True)]
        indexes = [
            models.Index(fields=["country", "start_date"]),
            models.Index(fields=["country", "trip"], name="stop_country_trip"),  # the country filter's trips
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {', '.join(self.cities)}".strip()


class StopTopic(models.Model):
    stop = models.ForeignKey(Stop, on_delete=models.CASCADE, related_name="topic_links")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="stop_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stop", "topic"], name="stop_topic_unique")]

    def __str__(self) -> str:
        return f"{self.topic} at {self.stop}"


class MeetingQuerySet(FactQuerySet):
    """Meetings; each to-many filter is an id set or per-row probes, whichever is cheaper (``_ids``)."""

    evidence_paths = ("meeting_id", "participation__meeting_id", "meeting_topic__meeting_id")

    def with_person(self, people: list[int], role: str = "either"):
        """Meetings with ``people`` as participant, as traveller of its trip, or either."""
        participant = (Participation.objects.filter(person_id__in=people), "meeting_id")
        trips = Trip.objects.filter(traveller_id__in=people).order_by().values("pk")
        if role == "traveller":
            return self.filter(trip_id__in=trips)
        if role == "participant":
            return self._ids(participant)
        return self._ids(participant, Q(trip_id__in=trips))

    def with_organization(self, organizations: list[int]):
        from visits.models.people import Position

        holders = Position.objects.filter(organization_id__in=organizations).order_by().values("person_id")
        return self._ids(
            (Participation.objects.filter(organization_id__in=organizations), "meeting_id"),
            (Participation.objects.filter(person_id__in=holders), "meeting_id"),
        )

    def with_role(self, title: str):
        return self.filter(
            models.Exists(Participation.objects.filter(meeting=models.OuterRef("pk"), title__iexact=title))
        )

    def with_country(self, codes: list[str], role: str | None = None):
        """Meetings in ``codes`` (visited), in or hosted by them (host), with visitors from them, or any."""

        def side(is_host: bool):
            return (Participation.objects.filter(is_host=is_host, country_id__in=codes), "meeting_id")

        if role == "visited":
            return self.filter(country_id__in=codes)
        place = Q(country_id__in=codes)
        if role == "host":
            return self._ids(place, side(True))
        if role == "visitor":
            return self._ids(side(False))
        return self._ids(place, (Participation.objects.filter(country_id__in=codes), "meeting_id"))

    def with_topic(self, topics: list[int]):
        """Meetings on one of ``topics`` (ids: give the subtopics too)."""
        return self._ids((MeetingTopic.objects.filter(topic_id__in=topics), "meeting_id"))

    def for_timeline(self):
        return self.select_related("country", "trip").prefetch_related("participations__person", "topics")

    def for_page(self):
        """With everything a page shows of a meeting (see visits.timeline.entries.load_meetings)."""
        from visits.timeline.entries import load_meetings

        return load_meetings(self)


class MeetingKind(models.TextChoices):
    MEETING = "meeting", "bilateral meeting"
    TALKS = "talks", "talks"
    PRESS_CONFERENCE = "press-conference", "press conference"
    SUMMIT = "summit", "summit"
    CEREMONY = "ceremony", "ceremony"
    VISIT = "visit", "visit"
    OTHER = "other", "other"


class Meeting(Lockable, Dated):
    """An engagement: talks, a bilateral meeting, a press conference, a summit, a ceremony."""

    Kind = MeetingKind

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MEETING)
    kind_as_written = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=300, blank=True)
    trip = models.ForeignKey(Trip, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings")
    stop = models.ForeignKey(Stop, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings")
    country = models.ForeignKey("Country", null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    city = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.HELD)
    topics = models.ManyToManyField(Topic, through="MeetingTopic", related_name="meetings", blank=True)
    external_id = models.CharField(max_length=80, null=True, blank=True, unique=True)
    flags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    #: what ``q`` searches; rebuilt in SQL by visits.search.refresh_search_documents
    search_document = SearchVectorField(null=True, editable=False)
    history = HistoricalRecords(excluded_fields=["search_document"])

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            *_dated_constraints("meeting"),
            choices_check("status", MeetingStatus, "meeting_status_valid"),
            choices_check("kind", MeetingKind, "meeting_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["start_date", "end_date"]),
            models.Index(fields=["country", "start_date"]),
            models.Index(fields=["status"]),
            GinIndex(fields=["search_document"], name="meeting_search_document"),
            models.Index(
                sort_date(),
                models.F("id"),
                name="meeting_sort_key",
                include=["start_date", "end_date", "status", "country", "trip"],
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.start_date or ''}"


class Participation(Lockable):
    """A person at a meeting, with the title they held there (as the report gives it)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey("Person", on_delete=models.PROTECT, related_name="participations")
    title = models.CharField(max_length=200, blank=True)
    organization = models.ForeignKey(
        "Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="participations"
    )
    country = models.ForeignKey(
        "Country", null=True, blank=True, on_delete=models.PROTECT, related_name="participations"
    )
    is_host = models.BooleanField(default=False)
    flags = models.JSONField(default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="participation_unique")]
        # the country filter's meetings, read from the index alone
        indexes = [models.Index(fields=["country", "meeting"], name="participation_country_meeting")]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting}"


class MeetingTopic(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="topic_links")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="meeting_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "topic"], name="meeting_topic_unique")]

    def __str__(self) -> str:
        return f"{self.topic} at {self.meeting}"


class ChangeAction(models.TextChoices):
    CREATED = "created", "created"
    UPDATED = "updated", "updated"
    MERGED = "merged", "merged"
    DELETED = "deleted", "deleted"


class Change(models.Model):
    """What changed in the published timeline, so that API clients can stay in sync."""

    Action = ChangeAction

    kind = models.CharField(max_length=10)  # trip | meeting
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    merged_into = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [choices_check("action", ChangeAction, "change_action_valid")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} {self.action}"
