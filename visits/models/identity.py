"""Why records of the timeline were merged or split: identity resolution's and analysts' decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from visits.models.vocabulary import choices_check


class MergeAction(models.TextChoices):
    MERGED = "merged", "merged"  # another trip's reports were found to be about this trip
    SPLIT = "split", "split"  # some reports' claims were moved to this trip from another one
    JOINED = "joined", "joined by an analyst"
    SEPARATED = "separated", "split by an analyst"


class MergeDecision(models.Model):
    """One merge or split of a trip: the rule that made it, in words, and the reports it moved."""

    Action = MergeAction

    trip = models.ForeignKey("Trip", on_delete=models.CASCADE, related_name="merge_decisions")
    action = models.CharField(max_length=10, choices=Action.choices)
    rule = models.CharField(max_length=40, help_text="traveller-country-period, undated-single-candidate, analyst")
    reason = models.CharField(max_length=500)
    reports = models.JSONField(default=list, blank=True, help_text="ids of the reports whose claims moved")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [choices_check("action", MergeAction, "merge_decision_action_valid")]

    def __str__(self) -> str:
        return f"trip {self.trip_id} {self.action}: {self.reason}"
