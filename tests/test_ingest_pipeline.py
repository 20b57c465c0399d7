"""The report pipeline: submitting, fetching, cleaning, duplicates, failures, retries, files, the command."""

from __future__ import annotations

import datetime as dt
import zlib
from io import StringIO

import pytest
from celery.exceptions import Retry
from django.core.management import CommandError, call_command

from tests import test_ingest_support as support
from tests.conftest import SEED_REPORT as SEED
from tests.conftest import read_seed
from tests.test_ingest_support import visit_page
from visits import tasks
from visits.ingestion.fetch import FetchError
from visits.models import Report, ReportStatus
from visits.services.ingestion import (
    process_report,
    requeue_stuck_reports,
    retry_report,
    submit_file,
    submit_url,
)

allow_local = support.allow_local  # shared fixture
site = support.site  # shared fixture
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_local")]
MB = 1024 * 1024


def test_same_url_submitted_twice_is_one_report(site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first, created = submit_url(url=site.url("/story/?utm_source=rss#top"), enqueue=True)
        again, created_again = submit_url(url=site.url("/story"), enqueue=True)
    assert created and not created_again and first.pk == again.pk
    assert first.status == ReportStatus.QUEUED and first.url == site.url("/story")
    assert len(callbacks) == 1 and first.task_id


def test_invalid_url_refused():
    with pytest.raises(ValueError, match="only http and https"):
        submit_url(url="ftp://example.com/x")
    assert not Report.objects.exists()


def test_pipeline_fetches_cleans_and_marks_ready_for_extraction(site):
    head = '<meta property="article:published_time" content="2024-03-18T09:00:00+04:00">'
    report, _ = submit_url(url=site.html("/story", visit_page(extra_head=head)), enqueue=False)
    report = process_report(report)
    assert (report.status, report.step, report.error) == (ReportStatus.DONE, Report.Step.MERGE, "")
    assert report.title == "Secretary General visits Georgia" and report.author == "Jane Reporter"
    assert report.language == "en" and report.published_date == dt.date(2024, 3, 18)
    assert report.text.startswith("The Secretary General of the alliance arrived in Tbilisi")
    assert "Copyright" not in report.text and "Tweet" not in report.text and "Home" not in report.text
    assert report.retrieved_at and report.content_hash and report.attempts == 1


def test_rerunning_a_processed_report_changes_nothing(site):
    report, _ = submit_url(url=site.html("/story", visit_page()), enqueue=False)
    process_report(report)
    before = Report.objects.values().get(pk=report.pk)
    process_report(Report.objects.get(pk=report.pk))
    tasks.fetch_report.apply(args=[report.pk])
    tasks.extract_report_task.apply(args=[report.pk])
    assert Report.objects.values().get(pk=report.pk) == before
    assert site.hits("/story") == 1


def test_same_article_under_two_urls_is_a_duplicate(site):
    first, _ = submit_url(url=site.html("/a", visit_page()), enqueue=False)
    second, _ = submit_url(url=site.html("/b", visit_page(title="Secretary General visits Georgia")), enqueue=False)
    process_report(first)
    second = process_report(second)
    assert second.status == ReportStatus.DUPLICATE and second.duplicate_of_id == first.pk
    assert second.content_hash is None and second.text == ""


def _garbage() -> bytes:
    return bytes(range(256)) * 40


def _bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b"".join(packer.compress(b"\0" * MB) for _ in range(40)) + packer.flush()


BAD_INPUTS = {
    "404": ({"status": 404, "body": b"gone"}, "fetch", "HTTP 404"),
    "non-html": ({"body": b"PNG", "headers": {"Content-Type": "image/png"}}, "fetch", "image/png"),
    "empty": ({"body": b"<html><body></body></html>", "headers": {"Content-Type": "text/html"}}, "clean", "empty"),
    "binary": ({"body": _garbage(), "headers": {"Content-Type": "text/html"}}, "clean", "not text"),
    "too-big": (
        {"body": lambda: (b"y" * MB for _ in range(50)), "headers": {"Content-Type": "text/html"}},
        "fetch",
        "exceeds the limit",
    ),
    "gzip-bomb": (
        {"body": _bomb(), "headers": {"Content-Type": "text/html", "Content-Encoding": "gzip"}},
        "fetch",
        "compression bomb",
    ),
    "timeout": ({"body": b"<p>late</p>", "delay": 1.5, "headers": {"Content-Type": "text/html"}}, "fetch", "timed out"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_fails_with_clear_error_and_nothing_written(site, settings, case):
    settings.INGEST_MAX_BYTES, settings.INGEST_TIMEOUT = 4 * MB, 0.5
    route, step, message = BAD_INPUTS[case]
    report, _ = submit_url(url=site.add("/bad", **route), enqueue=False)
    report = process_report(report)
    assert (report.status, report.step) == (ReportStatus.FAILED, step)
    assert message in report.error
    assert report.text == "" and report.content_hash is None and report.title == ""


def test_redirect_loop_fails(site):
    site.add("/x", status=302, headers={"Location": "/y"})
    site.add("/y", status=302, headers={"Location": "/x"})
    report = process_report(submit_url(url=site.url("/x"), enqueue=False)[0])
    assert report.status == ReportStatus.FAILED and "redirect loop" in report.error


@pytest.mark.parametrize("url", ["http://10.0.0.1/", "http://169.254.169.254/latest/", "http://127.0.0.1:9/"])
def test_private_address_fails_as_refused(url, settings):
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = []
    report = process_report(submit_url(url=url, enqueue=False)[0])
    assert report.status == ReportStatus.FAILED and "non-public address" in report.error


def test_localhost_fails_as_refused(site):
    report = process_report(submit_url(url=f"http://localhost:{site.port}/story", enqueue=False)[0])
    assert report.status == ReportStatus.FAILED and "'localhost' resolves to non-public" in report.error
    assert site.requests == []


def test_page_declared_utf8_with_latin1_bytes_is_decoded(site):
    page = visit_page(title="Le ministre a visité Tbilissi", lang="fr").replace("<p>", "<p>Déclaration: ")
    site.add(
        "/latin", body=page.encode("latin-1", errors="replace"), headers={"Content-Type": "text/html; charset=utf-8"}
    )
    report = process_report(submit_url(url=site.url("/latin"), enqueue=False)[0])
    assert report.status == ReportStatus.DONE, report.error
    assert report.title == "Le ministre a visité Tbilissi" and "Déclaration" in report.text


def test_temporary_error_in_a_task_leaves_report_queued_then_fails_after_retries(site, settings):
    site.add("/busy", status=503, body=b"busy")
    report, _ = submit_url(url=site.url("/busy"), enqueue=False)
    with pytest.raises(FetchError):
        process_report(report, raise_transient=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED and "will retry" in report.error
    with pytest.raises(Retry) as retried:  # the task asks Celery for a later attempt, with backoff
        tasks.fetch_report.apply(args=[report.pk])
    assert 0 <= retried.value.when <= tasks.fetch_report.retry_backoff
    assert Report.objects.get(pk=report.pk).status == ReportStatus.QUEUED
    tasks.fetch_report.apply(args=[report.pk], retries=tasks.fetch_report.max_retries)  # the last attempt
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "gave up after 5 retries" in report.error
    assert site.hits("/busy") == 3


def test_retry_report_after_failure(site, django_capture_on_commit_callbacks):
    report = process_report(submit_url(url=site.url("/later"), enqueue=False)[0])
    assert report.status == ReportStatus.FAILED
    site.html("/later", visit_page())
    with django_capture_on_commit_callbacks() as callbacks:
        retry_report(report)
    report.refresh_from_db()
    assert (report.status, report.step, report.error) == (ReportStatus.QUEUED, Report.Step.FETCH, "")
    assert len(callbacks) == 1
    assert process_report(report).status == ReportStatus.DONE


def test_requeue_stuck_reports(site, django_capture_on_commit_callbacks):
    report, _ = submit_url(url=site.url("/story"), enqueue=False)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FETCHING)
    assert requeue_stuck_reports(older_than_minutes=60) == 0
    with django_capture_on_commit_callbacks() as callbacks:
        assert requeue_stuck_reports(older_than_minutes=0) == 1
    assert len(callbacks) == 1 and Report.objects.get(pk=report.pk).task_id


def test_structured_log_lines(site, caplog):
    caplog.set_level("INFO", logger="visits.ingestion")
    report = process_report(submit_url(url=site.html("/story", visit_page()), enqueue=False)[0])
    lines = [r for r in caplog.records if r.name == "visits.ingestion"]
    assert lines and all(getattr(r, "report_id", None) == report.pk for r in lines)
    assert all(f"report_id={report.pk} feed_id=None" in r.getMessage() for r in lines)


# --- Extraction plug-in -----------------------------------------------------------------------


def test_extraction_and_merge_write_the_reports_facts(site, caucasus):
    paragraphs = [
        "Russian Foreign Minister Sergei Lavrov arrived in Yerevan on Monday for talks with his Armenian"
        " counterpart Ararat Mirzoyan."
    ]
    page = support.article_html("Lavrov in Yerevan", paragraphs)
    report = process_report(submit_url(url=site.html("/story", page), enqueue=False)[0])
    assert (report.status, report.step, report.reading) == (ReportStatus.DONE, Report.Step.MERGE, "full")
    assert report.evidence.exclude(stop=None).filter(stop__country_id="AM").exists()


def test_failed_merge_is_rolled_back(site, monkeypatch):
    from visits.services import merge

    def exploding_merge(report, extraction):  # fault injection: the merge dies half-way
        report.title = "half-written"
        report.save(update_fields=["title"])
        raise RuntimeError("merge exploded")

    monkeypatch.setattr(merge, "merge_extraction", exploding_merge)
    report = process_report(submit_url(url=site.html("/story", visit_page()), enqueue=False)[0])
    assert (report.status, report.step) == (ReportStatus.FAILED, Report.Step.MERGE)
    assert "merge exploded" in report.error and report.title != "half-written"


# --- Files and the command --------------------------------------------------------------------


@pytest.fixture
def seed_bytes() -> bytes:
    return read_seed()


def test_submit_seed_file(seed_bytes):
    report, created = submit_file(content=seed_bytes, filename=SEED.name, enqueue=False)
    assert created and report.kind == Report.Kind.FILE and report.status == ReportStatus.QUEUED
    assert report.author == "Alexandre Lemoine" and report.publisher == "Mondialisation.ca"
    assert report.published_date == dt.date(2024, 3, 19) and report.language == "fr"
    assert report.title.startswith("Pourquoi le secrétaire général")
    assert process_report(report).status == ReportStatus.DONE
    again, created_again = submit_file(content=seed_bytes, filename="copy.txt", enqueue=False)
    assert not created_again and again.pk == report.pk


def test_submit_file_refuses_empty_and_binary():
    with pytest.raises(ValueError, match="no article text"):
        submit_file(content=b"\n\n  \n", filename="empty.txt", enqueue=False)
    with pytest.raises(ValueError, match="not text"):
        submit_file(content=_garbage(), filename="blob.txt", enqueue=False)
    assert not Report.objects.exists()


def test_ingest_command_with_file_and_url(site, seed_bytes, tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes(seed_bytes)
    url = site.html("/story", visit_page())
    out = StringIO()
    call_command("ingest", str(path), url, "--publisher", "Mondialisation.ca", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if "status=" in line]
    assert len(lines) == 2 and all("status=done" in line for line in lines)
    assert "found: 1 trips" in out.getvalue()
    assert "new report" in lines[0] and url in lines[1]
    out = StringIO()
    call_command("ingest", url, stdout=out)
    assert "existing report" in out.getvalue()


def test_ingest_command_reports_failures(site):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 of 2"):
        call_command("ingest", site.url("/missing"), "ftp://nope/", stdout=out, stderr=err)
    assert "status=failed" in out.getvalue() and "HTTP 404" in out.getvalue()
    assert "refused: only http and https" in err.getvalue()
