"""End to end with a real Celery worker on the real broker (Redis, keys of our own) and the test database.

The worker runs as a subprocess with DATABASE_URL pointing at pytest-django's test
database; ``transactional_db`` commits the rows so that the worker sees them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests import test_ingest_support as support
from tests.test_ingest_support import visit_page
from tests.workers import TEST_REDIS_URL, Worker, flushed_broker
from visits import tasks
from visits.models import Feed, Report, ReportStatus
from visits.services.ingestion import submit_url

allow_local = support.allow_local  # shared fixture
site = support.site  # shared fixture
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("allow_local")]

BROKER_URL = TEST_REDIS_URL

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>{base}/</link>
<description>d</description>
<item><title>Secretary General visits Georgia</title><link>{base}/news/visit</link></item></channel></rss>"""


@pytest.fixture
def broker() -> Iterator[None]:
    """Point this process's Celery app at the test Redis, with its own keys emptied before and after."""
    with flushed_broker(BROKER_URL):
        yield


@pytest.fixture
def start_worker(transactional_db, broker, tmp_path) -> Iterator[Callable[..., Worker]]:
    workers: list[Worker] = []

    def start(pool: str = "solo") -> Worker:
        worker = Worker(tmp_path / "worker.log", broker_url=BROKER_URL, pool=pool)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(check: Callable[[], bool], *, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    pytest.fail(f"timed out waiting for {what}\n--- worker log ---\n{tail}")


def _status(report_id: int) -> str:
    return Report.objects.filter(pk=report_id).values_list("status", flat=True).first()


def test_feed_entry_becomes_a_done_report_through_the_worker(site, start_worker):
    site.html("/news/visit", visit_page())
    feed_url = site.add("/feed.xml", RSS.format(base=site.url("")), headers={"Content-Type": "application/rss+xml"})
    feed = Feed.objects.create(url=feed_url, name="local")
    worker = start_worker()
    tasks.poll_feed.delay(feed.pk)

    def report_done() -> bool:
        report = Report.objects.filter(feed=feed).first()
        return report is not None and report.status not in (ReportStatus.QUEUED, ReportStatus.FETCHING, "extracting")

    wait_for(report_done, timeout=90, what="the feed entry's report to finish", log=worker.log)
    report = Report.objects.get(feed=feed)
    assert report.status == ReportStatus.DONE, report.error
    assert report.url == site.url("/news/visit") and "Tbilisi" in report.text
    feed.refresh_from_db()
    assert (feed.last_outcome, feed.entries_new) == ("ok", 1)


def test_worker_killed_mid_fetch_loses_nothing(site, start_worker):
    """SIGKILL the whole worker while it fetches a slow page; after a restart the maintenance
    task re-enqueues the report (the broker message is still unacknowledged) and it completes."""
    site.html("/slow", visit_page(), delay=8)
    worker = start_worker(pool="prefork")
    report, _ = submit_url(url=site.url("/slow"))  # sent on commit (autocommit here)
    wait_for(lambda: _status(report.pk) == ReportStatus.FETCHING, timeout=90, what="the fetch", log=worker.log)
    worker.kill()
    assert _status(report.pk) == ReportStatus.FETCHING  # the row says what is left to do
    site.routes["/slow"].delay = 0
    worker = start_worker(pool="prefork")
    tasks.maintenance_requeue_stuck_reports.delay(older_than_minutes=0)
    wait_for(lambda: _status(report.pk) == ReportStatus.DONE, timeout=90, what="the requeued report", log=worker.log)
    report.refresh_from_db()
    assert report.attempts == 2 and "Tbilisi" in report.text
