"""The closed vocabularies shared by models, API and extraction."""

from django.db import models


class TripStatus(models.TextChoices):
    PLANNED = "planned", "planned"  # announced, not begun
    ONGOING = "ongoing", "ongoing"
    COMPLETED = "completed", "completed"
    POSTPONED = "postponed", "postponed"
    CANCELLED = "cancelled", "cancelled"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "planned"
    HELD = "held", "held"
    POSTPONED = "postponed", "postponed"
    CANCELLED = "cancelled", "cancelled"


class ReviewState(models.TextChoices):
    UNREVIEWED = "unreviewed", "unreviewed"
    CONFIRMED = "confirmed", "confirmed"
    REJECTED = "rejected", "rejected"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    FETCHING = "fetching", "fetching"
    EXTRACTING = "extracting", "extracting"
    DONE = "done", "done"
    FAILED = "failed", "failed"
    DUPLICATE = "duplicate", "duplicate"


def choices_check(field: str, choices: type[models.TextChoices], name: str, *, null: bool = False):
    """A CHECK constraint that keeps a column inside its vocabulary."""
    condition = models.Q(**{f"{field}__in": choices.values})
    if null:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name)


class Lockable(models.Model):
    """Fields an analyst edited or confirmed: automated ingestion never overwrites them."""

    locked_fields = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True

    def is_locked(self, field: str) -> bool:
        return field in self.locked_fields

    def lock(self, *fields: str) -> None:
        self.locked_fields = sorted(set(self.locked_fields) | set(fields))
