"""Where facts come from: reports (articles, files, dataset records), their evidence, and feeds."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from visits.models.vocabulary import ReportStatus, ReviewState, choices_check


class Feed(models.Model):
    """An RSS or Atom feed polled on a schedule; each new entry becomes a queued report."""

    url = models.URLField(max_length=2000, unique=True)
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=16, blank=True, help_text="hint for its reports' language")
    active = models.BooleanField(default=True)
    poll_interval_minutes = models.PositiveIntegerField(default=30)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=20, blank=True)  # ok | not-modified | failed
    last_error = models.TextField(blank=True)
    entries_seen = models.PositiveIntegerField(default=0)
    entries_new = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReportQuerySet(models.QuerySet):
    def failed(self):
        return self.filter(status=ReportStatus.FAILED)

    def stuck(self, older_than):
        """Reports left in a working state since before ``older_than`` (a lost task)."""
        working = [ReportStatus.QUEUED, ReportStatus.FETCHING, ReportStatus.EXTRACTING]
        return self.filter(status__in=working, updated_at__lt=older_than)


class ReportKind(models.TextChoices):
    ARTICLE = "article", "article"
    FILE = "file", "file"
    DATASET = "dataset", "dataset record"


class Report(models.Model):
    """A source: a news article, an uploaded file, or a record of a public dataset."""

    Kind = ReportKind

    class Step(models.TextChoices):
        FETCH = "fetch", "fetch"
        CLEAN = "clean", "clean"
        EXTRACT = "extract", "extract"
        MERGE = "merge", "merge"

    class Reading(models.TextChoices):
        FULL = "full", "full"  # the language has a cue file
        PARTIAL = "partial", "partial"  # no cue file: places, dates and known officials only

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ARTICLE)
    url = models.URLField(max_length=2000, null=True, blank=True, unique=True, help_text="normalised")
    submitted_url = models.URLField(max_length=2000, blank=True)
    canonical_url = models.URLField(max_length=2000, blank=True)
    external_id = models.CharField(max_length=80, null=True, blank=True, unique=True)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=16, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, help_text="UTC")
    published_date = models.DateField(
        null=True, blank=True, help_text="the date the report is dated, as printed (never converted from UTC)"
    )
    retrieved_at = models.DateTimeField(null=True, blank=True)
    text = models.TextField(blank=True, help_text="cleaned text; evidence offsets point into it")
    content_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    feed = models.ForeignKey(Feed, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    status = models.CharField(max_length=12, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    step = models.CharField(max_length=10, choices=Step.choices, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    reading = models.CharField(
        max_length=8, choices=Reading.choices, blank=True, help_text="how much of the language extraction reads"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            choices_check("status", ReportStatus, "report_status_valid"),
            choices_check("kind", ReportKind, "report_kind_valid"),
        ]
        indexes = [models.Index(fields=["status", "updated_at"]), models.Index(fields=["publisher"])]

    def __str__(self) -> str:
        return self.title or self.url or self.external_id or f"report {self.pk}"


def exactly_one_of(*fields: str) -> Q:
    """A condition true when exactly one of ``fields`` is set."""
    condition = Q()
    for chosen in fields:
        condition |= Q(**{f"{f}__isnull": f != chosen for f in fields})
    return condition


class Evidence(models.Model):
    """The span of a report's text that states one fact, with how sure we are and its review."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    trip = models.ForeignKey("Trip", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    stop = models.ForeignKey("Stop", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    meeting = models.ForeignKey("Meeting", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    participation = models.ForeignKey(
        "Participation", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    meeting_topic = models.ForeignKey(
        "MeetingTopic", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    stop_topic = models.ForeignKey(
        "StopTopic", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    quote = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    confidence = models.FloatField(default=1.0)
    review_state = models.CharField(max_length=12, choices=ReviewState.choices, default=ReviewState.UNREVIEWED)
    claim = models.JSONField(
        default=dict,
        blank=True,
        help_text="what the report says about the fact (status, dates, ...); merging derives the fact from these",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    FACT_FIELDS = ("trip", "stop", "meeting", "participation", "meeting_topic", "stop_topic")

    class Meta:
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=exactly_one_of("trip", "stop", "meeting", "participation", "meeting_topic", "stop_topic"),
                name="evidence_for_exactly_one_fact",
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="evidence_span_ordered"),
            models.CheckConstraint(condition=Q(confidence__gte=0, confidence__lte=1), name="evidence_confidence_0_1"),
            choices_check("review_state", ReviewState, "evidence_review_state_valid"),
        ]
        indexes = [models.Index(fields=["review_state"])]

    def __str__(self) -> str:
        return f"{self.report}: {self.quote[:60]}"

    @property
    def fact(self):
        for name in self.FACT_FIELDS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None


class ImportRun(models.Model):
    """One run of an importer, with what it did."""

    source = models.CharField(max_length=40)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict)
    problems = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} import of {self.started_at:%Y-%m-%d %H:%M}"
