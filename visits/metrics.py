"""Prometheus metrics of the domain: reports per status, queue lengths, extraction time.

The counts are read from the database and the broker when /metrics is scraped, so every web
process reports the same figures and nothing needs to be kept in step.
"""

from __future__ import annotations

import logging

from prometheus_client import Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

logger = logging.getLogger(__name__)

QUEUES = ("celery", "fetch", "extract", "maintenance")

EXTRACTION_SECONDS = Histogram(
    "tracker_extraction_seconds",
    "Time to extract and merge one report",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)


class TrackerCollector(Collector):
    def describe(self):
        # Named here so that registering does not run collect(), which queries the database.
        yield GaugeMetricFamily("tracker_reports", "Reports by ingestion status", labels=["status"])
        yield GaugeMetricFamily("tracker_queue_length", "Messages waiting in each Celery queue", labels=["queue"])

    def collect(self):
        yield self._reports_per_status()
        queues = self._queue_lengths()
        if queues is not None:
            yield queues

    def _reports_per_status(self) -> GaugeMetricFamily:
        from django.db.models import Count

        from visits.models import Report, ReportStatus

        family = GaugeMetricFamily("tracker_reports", "Reports by ingestion status", labels=["status"])
        counts = dict.fromkeys(ReportStatus.values, 0)
        try:
            counts.update(Report.objects.values_list("status").annotate(n=Count("id")).order_by())
        except Exception:  # a scrape during a database outage must still answer
            logger.warning("metrics: could not count reports", exc_info=True)
        for status, count in counts.items():
            family.add_metric([status], count)
        return family

    def _queue_lengths(self) -> GaugeMetricFamily | None:
        from tracker.celery import app

        family = GaugeMetricFamily("tracker_queue_length", "Messages waiting in each Celery queue", labels=["queue"])
        try:
            with app.connection_for_read() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
                channel = connection.default_channel
                for name in QUEUES:
                    family.add_metric([name], channel.queue_declare(queue=name, passive=True).message_count)
        except Exception:  # broker down or a queue not declared yet: leave the metric out
            return None
        return family


def register() -> None:
    if not getattr(register, "done", False):
        REGISTRY.register(TrackerCollector())
        register.done = True
