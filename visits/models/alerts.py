"""Alerts: saved timeline searches, each with an Atom feed, and webhooks told of every matching change."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models

from visits.models.vocabulary import choices_check


def new_secret() -> str:
    return secrets.token_hex(32)


class SavedSearch(models.Model):
    """A timeline filter an analyst keeps (any parameters of the timeline, as a query string)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=200)
    query = models.CharField(
        max_length=2000, blank=True, help_text="the timeline's filter parameters, e.g. country=AM&topic=energy"
    )
    feed_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="the Atom feed's address")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["owner", "name"]
        verbose_name_plural = "saved searches"

    def __str__(self) -> str:
        return self.name


class Webhook(models.Model):
    """A URL told of new, changed and merged entries of a saved search (signed JSON POSTs)."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=2000)
    secret = models.CharField(max_length=128, default=new_secret, help_text="key of the HMAC-SHA256 signature")
    active = models.BooleanField(default=True)
    allow_private = models.BooleanField(
        default=False, help_text="may POST to a loopback, private or reserved address (an intranet receiver)"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["saved_search", "id"]

    def __str__(self) -> str:
        return f"{self.saved_search}: {self.url}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "pending"
    RETRYING = "retrying", "retrying"
    DELIVERED = "delivered", "delivered"
    FAILED = "failed", "failed"  # gave up, or the receiver refused it for good
    REFUSED = "refused", "refused"  # never sent: the address is not allowed


class WebhookDelivery(models.Model):
    """One change told to one webhook, with every attempt's outcome."""

    Status = DeliveryStatus

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    change = models.ForeignKey("Change", null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["webhook", "change"], name="webhook_delivery_once_per_change"),
            choices_check("status", DeliveryStatus, "webhook_delivery_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook.url} ({self.status})"
