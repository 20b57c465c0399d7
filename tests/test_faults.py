"""Faults: a worker killed mid-extraction, a hanging feed, a full disk (10,000 entries: bench/faults/huge_feed.py).

Each fault must end cleanly (a recorded failure, a 5xx without a traceback) and
leave the rest working. Real servers only: Celery workers on Redis db 7, feeds
served on 127.0.0.1, a 64 KiB tmpfs as the upload spool directory.
"""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests import test_ingest_support as support
from tests.test_ingest_support import article_html, visit_page
from tests.workers import TEST_REDIS_URL, Worker, app_broker, flushed_broker, redis_client, wait_for
from visits.models import Evidence, Feed, Report, ReportStatus

pytestmark = [pytest.mark.slow]

BROKER_URL = TEST_REDIS_URL
site = support.site  # shared fixture: pages served on 127.0.0.1


@pytest.fixture
def broker() -> Iterator[None]:
    with flushed_broker(BROKER_URL):
        yield


def _status(report_id: int) -> str | None:
    return Report.objects.filter(pk=report_id).values_list("status", flat=True).first()


# --- a worker killed with SIGKILL mid-extraction -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_extraction_completes_after_restart_without_duplicates(broker, tmp_path, seed_text):
    from visits import tasks
    from visits.services.ingestion import submit_file

    log = tmp_path / "worker.log"
    worker = Worker(log, broker_url=BROKER_URL, name="slow", pool="prefork", env={"TRACKER_TEST_EXTRACT_DELAY": "60"})
    worker.wait_ready()
    report, created = submit_file(content=seed_text.encode("utf-8"), filename="seed.fr.txt")
    assert created and report.status == ReportStatus.QUEUED
    wait_for(lambda: _status(report.pk) == ReportStatus.EXTRACTING, timeout=60, what="extraction", logs=[log])
    time.sleep(1)  # inside extract_report now (it sleeps 60 s before extracting)
    worker.kill()
    assert _status(report.pk) == ReportStatus.EXTRACTING  # the row says what is left to do
    assert not Evidence.objects.filter(report=report).exists()  # nothing half-merged

    worker = Worker(log, broker_url=BROKER_URL, name="fresh", pool="prefork")
    worker.wait_ready()
    try:
        tasks.maintenance_requeue_stuck_reports.delay(older_than_minutes=0)  # what beat does every 10 minutes
        wait_for(lambda: _status(report.pk) == ReportStatus.DONE, timeout=90, what="the requeued report", logs=[log])
        report.refresh_from_db()
        assert report.attempts == 2, report.attempts  # the killed attempt and the one that finished
        evidence = Evidence.objects.filter(report=report).count()
        assert evidence > 0
        # The killed task's message is still unacknowledged and will come back: running it is harmless.
        tasks.extract_report_task.delay(report.pk)
        wait_for(lambda: worker.output().count("extract_report_task") >= 4, timeout=60, what="redelivery", logs=[log])
        assert Evidence.objects.filter(report=report).count() == evidence
    finally:
        worker.stop()


# --- feeds: one that hangs, one with 10,000 entries ----------------------------------------------


def _rss(base: str, count: int) -> str:
    items = "".join(
        f"<item><title>Visit {i}</title><link>{base}/news/{i}</link><guid>{base}/news/{i}</guid></item>"
        for i in range(count)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>{base}/</link>{items}</channel></rss>'
    )


@pytest.mark.django_db
def test_hanging_feed_fails_cleanly_and_other_feeds_are_polled(site, settings, monkeypatch):
    from visits.services import ingestion

    settings.INGEST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    settings.INGEST_TIMEOUT = 1.5
    monkeypatch.setattr(ingestion, "_send", lambda name, report_id, task_id: None)  # no broker here
    rss = {"Content-Type": "application/rss+xml"}
    hanging = Feed.objects.create(url=site.add("/hang.xml", _rss(site.url(""), 1), headers=rss, delay=20), name="hang")
    good = Feed.objects.create(url=site.add("/good.xml", _rss(site.url(""), 3), headers=rss), name="good")
    started = time.monotonic()
    ingestion.poll_feed(feed=hanging)
    elapsed = time.monotonic() - started
    ingestion.poll_feed(feed=good)
    hanging.refresh_from_db()
    good.refresh_from_db()
    assert elapsed < 10, elapsed  # bounded by the read timeout, not by the server
    assert hanging.last_outcome == "failed" and hanging.last_error
    assert (good.last_outcome, good.entries_new) == ("ok", 3)
    assert Report.objects.filter(feed=good).count() == 3 and not Report.objects.filter(feed=hanging).exists()


# --- a full disk while an upload is written ------------------------------------------------------


@pytest.fixture
def full_disk(tmp_path) -> Iterator[Path]:
    """A 64 KiB tmpfs (needs root and mount; skipped otherwise)."""
    mount = tmp_path / "spool"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs: {result.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.django_db
def test_full_disk_on_upload_is_a_clean_507_and_small_uploads_still_work(client, settings, full_disk):
    settings.FILE_UPLOAD_TEMP_DIR = str(full_disk)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload is spooled to disk
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client.raise_request_exception = False
    admin = get_user_model().objects.create_superuser("ops", "ops@example.org", "a-long-Passphrase-42")
    client.force_login(admin)
    url = reverse("admin:visits_report_upload")
    paragraphs = [f"Paragraph {i}: the minister travelled to Tbilisi for talks. " * 10 for i in range(400)]
    big = article_html("Big report", paragraphs).encode("utf-8")
    assert len(big) > 200_000
    response = client.post(url, {"file": SimpleUploadedFile("big.html", big, content_type="text/html")})
    assert response.status_code == 507
    assert b"Traceback" not in response.content and b"No space" not in response.content
    assert response["Retry-After"]
    assert not Report.objects.exists()
    del response
    gc.collect()  # the failed request's spool file is freed with the request (an exception cycle)
    assert list(full_disk.iterdir()) == []  # no temporary file left behind

    small = visit_page().encode("utf-8")
    response = client.post(url, {"file": SimpleUploadedFile("small.html", small, content_type="text/html")})
    assert response.status_code == 302, response.content[:500]
    assert Report.objects.count() == 1


# --- the broker stopped for 30 s while reports are submitted -----------------------------------------


def _free_port() -> int:
    """A port nothing listens on now, so that two test runs never start their Redis on the same one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


OWN_REDIS_PORT = _free_port()
OUTAGE_SECONDS = float(os.environ.get("FAULT_BROKER_OUTAGE_SECONDS", 30))


def _redis_server(directory: Path) -> None:
    subprocess.run(
        ["redis-server", "--port", str(OWN_REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--daemonize", "yes", "--dir", str(directory), "--pidfile", str(directory / "redis.pid")],
        check=True, capture_output=True,
    )  # fmt: skip
    client = redis_client(f"redis://127.0.0.1:{OWN_REDIS_PORT}/0")
    wait_for(lambda: _ping(client), timeout=10, what="our Redis to start")


def _ping(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


def _redis_stop() -> None:
    subprocess.run(["redis-cli", "-p", str(OWN_REDIS_PORT), "shutdown", "nosave"], capture_output=True, check=False)


@pytest.fixture
def own_broker(tmp_path) -> Iterator[str]:
    """A Redis of our own on a free port (never the machine's shared one), stopped at the end."""
    if subprocess.run(["which", "redis-server"], capture_output=True).returncode != 0:
        pytest.skip("redis-server is not installed")
    _redis_stop()
    _redis_server(tmp_path)
    url = f"redis://127.0.0.1:{OWN_REDIS_PORT}/0"
    with app_broker(url):
        yield url
    _redis_stop()


@pytest.mark.django_db(transaction=True)
def test_broker_down_for_30_seconds_loses_no_report(own_broker, site, tmp_path, settings):
    from rest_framework.test import APIClient

    from tests import api_factories as make
    from visits.services.ingestion import requeue_stuck_reports

    settings.INGEST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    log = tmp_path / "worker.log"
    worker = Worker(log, broker_url=own_broker, name="patient")
    worker.wait_ready()
    from django.contrib.auth.models import Group

    Group.objects.get_or_create(name="analyst")  # a transactional test before may have flushed the roles
    _, token = make.user_with_role("analyst")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    pages = iter(range(1000))

    def submit() -> tuple[int, dict]:
        n = next(pages)
        url = site.html(f"/story/{n}", article_html(f"Story {n}", [f"Unique story number {n} about talks."]))
        response = api.post("/api/v1/reports", {"url": url}, format="json")
        return response.status_code, response.json()

    try:
        assert submit()[0] == 202
        _redis_stop()
        answers, reads, ready = [], [], []
        deadline = time.monotonic() + OUTAGE_SECONDS
        while time.monotonic() < deadline:
            answers.append(submit())
            reads.append(Client().get("/api/v1/timeline").status_code)
            ready.append(Client().get("/readyz").status_code)
            time.sleep(2)
        _redis_server(tmp_path)
        assert len(answers) >= 5 and set(reads) == {200} and set(ready) == {503}
        for code, body in answers:  # queued (sent later) or refused with Retry-After: never a 500
            assert code in (202, 503), (code, body)
        accepted = {body["id"] for code, body in answers if code == 202}
        print(f"broker outage: submissions {sorted(code for code, _ in answers)}, reads {len(reads)} x 200")
        # What beat's maintenance_requeue_stuck_reports does after INGEST_STUCK_AFTER_MINUTES:
        requeue_stuck_reports(older_than_minutes=0)
        working = ["queued", "fetching", "extracting"]
        wait_for(
            lambda: not Report.objects.filter(status__in=working).exists(), timeout=90, what="the backlog", logs=[log]
        )
        assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.DONE}
        assert accepted <= set(Report.objects.values_list("pk", flat=True))
        assert Report.objects.count() == 1 + len(accepted)
    finally:
        worker.stop()
