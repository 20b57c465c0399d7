"""Celery tasks of alerts (visits.alerts): dispatching a change of the timeline, delivering webhooks.

Registered when Django starts (``VisitsConfig.ready`` imports this module), in the web and the workers alike.
Default queue (``celery``), which every worker consumes.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from visits.tasks import _countdown, _load

WEBHOOK_POLICY = {
    "max_retries": 8,
    "retry_backoff": 30,  # 30 s, 1 min, 2 min ... up to an hour
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "soft_time_limit": 60,
    "time_limit": 90,
}


@shared_task(
    bind=True, name="visits.alert_tasks.alerts_dispatch_change", acks_late=True, autoretry_for=(OperationalError,)
)
def alerts_dispatch_change(self, change_id: int) -> int:
    """Create the deliveries of one change of the timeline and send a delivery task for each."""
    from visits import alerts
    from visits.models import Change

    change = _load(Change, change_id)
    if change is None:
        return 0
    deliveries = alerts.dispatch(change)
    for delivery in deliveries:
        alerts_deliver_webhook.delay(delivery.pk)
    return len(deliveries)


@shared_task(bind=True, name="visits.alert_tasks.alerts_deliver_webhook", acks_late=True, **WEBHOOK_POLICY)
def alerts_deliver_webhook(self, delivery_id: int) -> str | None:
    """POST one delivery; a receiver that is down or answers 5xx gets it later (exponential backoff)."""
    from visits import alerts
    from visits.models import WebhookDelivery

    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or not delivery.webhook.active:
        return None
    final = self.request.retries >= self.max_retries
    try:
        return alerts.deliver(delivery, final=final).status
    except alerts.DeliveryError as exc:
        raise self.retry(exc=exc, countdown=_countdown(self, self.request.retries)) from exc
