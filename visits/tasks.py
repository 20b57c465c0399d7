"""Celery tasks of ingestion: thin wrappers that load a row by id and call a service.

Names follow the routing prefixes of ``CELERY_TASK_ROUTES``: ``fetch_*`` and
``poll_*`` go to the ``fetch`` queue, ``extract_*`` to ``extract``,
``maintenance_*`` to ``maintenance``. Tasks are acknowledged late (settings), so
a worker killed mid-task leaves the message to be delivered again; and the
database stays the source of truth: ``maintenance_requeue_stuck_reports`` sends
again whatever a lost message left behind.

Scheduling: one periodic ``poll_due_feeds`` task every minute (``CELERY_BEAT_SCHEDULE``,
installed by django-celery-beat's database scheduler) rather than one PeriodicTask
per feed. Feeds are then edited in the admin like any row, with nothing to keep
in sync, and the interval check reads the same ``last_polled_at`` the admin shows.
"""

from __future__ import annotations

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.db import OperationalError

from visits.ingestion.fetch import FetchError
from visits.models import Feed, Report
from visits.services import ingestion

FETCH_POLICY = {
    "max_retries": 5,
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "soft_time_limit": 120,
    "time_limit": 150,
}


# Extraction fails the report on its own errors; only a lost database connection is worth a retry.
EXTRACT_POLICY = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "max_retries": 3,
    "retry_backoff": 10,
    "retry_backoff_max": 120,
    "retry_jitter": True,
}


def _countdown(task, retries: int) -> int:
    return get_exponential_backoff_interval(
        factor=task.retry_backoff, retries=retries, maximum=task.retry_backoff_max, full_jitter=task.retry_jitter
    )


def _load(model, pk: int):
    return model.objects.filter(pk=pk).first()


@shared_task(bind=True, name="visits.tasks.fetch_report", acks_late=True, **FETCH_POLICY)
def fetch_report(self, report_id: int) -> str | None:
    """Fetch and clean one report, then send its extract task; network errors and 5xx are retried."""
    report = _load(Report, report_id)
    if report is None:
        return None
    try:
        report = ingestion.fetch_step(report, raise_transient=True, forward=True)
    except FetchError as exc:
        if self.request.retries >= self.max_retries:
            ingestion.fail_report(
                report, step=Report.Step.FETCH, error=f"{exc} (gave up after {self.max_retries} retries)"
            )
            return report.status
        raise self.retry(exc=exc, countdown=_countdown(self, self.request.retries)) from exc
    return report.status


@shared_task(bind=True, name="visits.tasks.extract_report_task", **EXTRACT_POLICY, soft_time_limit=240, time_limit=300)
def extract_report_task(self, report_id: int) -> str | None:
    """Extract and merge one cleaned report (no retry for extraction errors: they fail the report)."""
    report = _load(Report, report_id)
    return ingestion.run_extraction_step(report).status if report is not None else None


@shared_task(
    bind=True, name="visits.tasks.poll_feed", acks_late=True, max_retries=0, soft_time_limit=120, time_limit=150
)
def poll_feed(self, feed_id: int) -> str | None:
    """Poll one feed; a failure is recorded on the feed and the next scheduled poll tries again."""
    feed = _load(Feed, feed_id)
    return ingestion.poll_feed(feed=feed).last_outcome if feed is not None else None


@shared_task(
    bind=True, name="visits.tasks.poll_due_feeds", acks_late=True, max_retries=0, soft_time_limit=50, time_limit=60
)
def poll_due_feeds(self) -> list[int]:
    """Every minute: send a ``poll_feed`` task for each feed whose interval has elapsed."""
    return ingestion.poll_due_feeds()


@shared_task(
    bind=True,
    name="visits.tasks.maintenance_requeue_stuck_reports",
    acks_late=True,
    max_retries=0,
    soft_time_limit=120,
    time_limit=150,
)
def maintenance_requeue_stuck_reports(self, older_than_minutes: float | None = None) -> int:
    """Send again the tasks of reports stuck in queued/fetching/extracting (lost messages, killed workers)."""
    return ingestion.requeue_stuck_reports(older_than_minutes=older_than_minutes)


# --- meetings from the remarks of the Office of the Historian's records (docs/HSG_REMARKS.md) ---------------


@shared_task(
    bind=True, name="visits.tasks.extract_remarks_batch", **EXTRACT_POLICY, soft_time_limit=540, time_limit=600
)
def extract_remarks_batch(self, report_ids: list[int]) -> dict:
    """Extract the meetings of a batch of HSG records; on the soft time limit, what is left is sent again."""
    from celery.exceptions import SoftTimeLimitExceeded

    from visits.services.remarks import RemarksTally, extract_remarks

    tally = RemarksTally()
    try:
        extract_remarks(report_ids=report_ids, tally=tally)
    except SoftTimeLimitExceeded:
        done = set(tally.done)
        rest = [pk for pk in report_ids if pk not in done]
        if rest:
            extract_remarks_batch.delay(rest)
    return tally.as_dict()


@shared_task(
    bind=True,
    name="visits.tasks.maintenance_extract_all_remarks",
    acks_late=True,
    max_retries=0,
    soft_time_limit=120,
    time_limit=150,
)
def maintenance_extract_all_remarks(self) -> int:
    """Send ``extract_remarks_batch`` tasks over every HSG record (~200 ids each); returns the batch count."""
    from visits.services.remarks import hsg_reports, send_remarks_batches

    return send_remarks_batches(list(hsg_reports().values_list("pk", flat=True)))


@shared_task(
    bind=True,
    name="visits.tasks.maintenance_resolve_timeline",
    acks_late=True,
    max_retries=3,
    soft_time_limit=540,
    time_limit=600,
)
def maintenance_resolve_timeline(self, traveller_ids: list[int]) -> dict:
    """Re-run identity resolution for a batch of travellers (idempotent: a redelivered batch changes nothing)."""
    from visits.services import identity

    result, unchanged = identity.resolve_travellers(traveller_ids)
    return {"merged": result.merged, "split": result.split, "unresolved": result.unresolved, "unchanged": unchanged}
