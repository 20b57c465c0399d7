"""The tracker's data: who travelled where, when, whom they met, on what, and who says so."""

from visits.models.alerts import SavedSearch, Webhook, WebhookDelivery
from visits.models.identity import MergeDecision
from visits.models.people import Organization, OrganizationAlias, Person, PersonAlias, Position
from visits.models.places import City, Country
from visits.models.sources import Evidence, Feed, ImportRun, Report
from visits.models.timeline import (
    Change,
    Meeting,
    MeetingTopic,
    Participation,
    Stop,
    StopTopic,
    Topic,
    Trip,
)
from visits.models.vocabulary import MeetingStatus, ReportStatus, ReviewState, TripStatus

__all__ = [
    "Change",
    "City",
    "Country",
    "Evidence",
    "Feed",
    "ImportRun",
    "Meeting",
    "MeetingStatus",
    "MeetingTopic",
    "MergeDecision",
    "Organization",
    "OrganizationAlias",
    "Participation",
    "Person",
    "PersonAlias",
    "Position",
    "Report",
    "ReportStatus",
    "ReviewState",
    "SavedSearch",
    "Stop",
    "StopTopic",
    "Topic",
    "Trip",
    "TripStatus",
    "Webhook",
    "WebhookDelivery",
]
