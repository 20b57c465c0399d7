"""Trips with their ordered stops, meetings with their participants, and the topics discussed."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
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


class DatedQuerySet(models.QuerySet):
    def in_period(self, start: dt.date | None = None, end: dt.date | None = None):
        """Facts whose (possibly imprecise) period overlaps [start, end]; see visits.dates."""
        qs = self
        if start is not None:
            qs = qs.filter(end_date__gte=start)
        if end is not None:
            qs = qs.filter(start_date__lte=end)
        return qs


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


# What an API entry shows of evidence and its report (never the report's full text).
_EVIDENCE_API_FIELDS = (
    *(f"{fact}_id" for fact in ("trip", "stop", "meeting", "participation", "meeting_topic", "stop_topic")),
    "report_id", "quote", "start", "end", "confidence", "review_state",
    *(f"report__{name}" for name in ("url", "canonical_url", "submitted_url", "title", "publisher", "language",
                                     "published_date")),
)  # fmt: skip


def _evidence_prefetch(lookup: str = "evidence") -> models.Prefetch:
    """Evidence rows with their report, in a stable order (one query per level)."""
    from visits.models.sources import Evidence

    rows = Evidence.objects.select_related("report").only(*_EVIDENCE_API_FIELDS).order_by("id")
    return models.Prefetch(lookup, queryset=rows)


class TripQuerySet(DatedQuerySet):
    def for_timeline(self):
        return self.select_related("traveller", "position").prefetch_related("stops__country")

    def for_api(self):
        """Everything an API entry shows, in a fixed number of queries whatever the page size."""
        topic_links = models.Prefetch(
            "topic_links",
            queryset=StopTopic.objects.select_related("topic").prefetch_related(_evidence_prefetch()).order_by("id"),
        )
        stops = models.Prefetch(
            "stops",
            queryset=Stop.objects.select_related("country__capital")
            .prefetch_related(_evidence_prefetch(), topic_links)
            .order_by("order", "start_date", "id"),
        )
        return self.select_related("traveller").prefetch_related(_evidence_prefetch(), stops)


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
        indexes = [models.Index(fields=["country", "start_date"])]

    def __str__(self) -> str:
        return f"{self.country_id} {', '.join(self.cities)}".strip()


class StopTopic(models.Model):
    stop = models.ForeignKey(Stop, on_delete=models.CASCADE, related_name="topic_links")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="stop_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stop", "topic"], name="stop_topic_unique")]

    def __str__(self) -> str:
        return f"{self.topic} at {self.stop}"


class MeetingQuerySet(DatedQuerySet):
    def for_timeline(self):
        return self.select_related("country", "trip").prefetch_related("participations__person", "topics")

    def for_api(self):
        """Everything an API entry shows, in a fixed number of queries whatever the page size."""
        participations = models.Prefetch(
            "participations",
            queryset=Participation.objects.select_related("person", "country")
            .prefetch_related(_evidence_prefetch())
            .order_by("-is_host", "id"),
        )
        topic_links = models.Prefetch(
            "topic_links",
            queryset=MeetingTopic.objects.select_related("topic").prefetch_related(_evidence_prefetch()).order_by("id"),
        )
        return self.select_related("country__capital").prefetch_related(
            _evidence_prefetch(), participations, topic_links
        )


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
