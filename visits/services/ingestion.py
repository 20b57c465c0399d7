"""Ingestion services: submitting links, files and feed entries, and the report pipeline.

The pipeline is fetch → clean → extract → merge. Each step first checks the
report's status, so running it again for a report that went through changes
nothing; the database, not the broker, says what is left to do (see
``requeue_stuck_reports``). Tasks in ``visits.tasks`` are thin wrappers around
``fetch_step``, ``run_extraction_step``, ``poll_feed``, ``poll_due_feeds`` and
``requeue_stuck_reports``; ``process_report`` runs everything synchronously.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from visits.ingestion.clean import CleanDocument, CleanError
from visits.ingestion.documents import document_from_bytes
from visits.ingestion.feeds import FeedEntry, FeedParseError, parse_feed
from visits.ingestion.fetch import ARTICLE_TYPES, FEED_TYPES, FetchError, fetch_url, robots_allowed
from visits.ingestion.urls import content_hash, fetchable_url, normalize_url
from visits.models import Feed, Report, ReportStatus
from visits.services.queue import send_task

logger = logging.getLogger("visits.ingestion")

WORKING = (ReportStatus.QUEUED, ReportStatus.FETCHING, ReportStatus.EXTRACTING)
Step = Report.Step
MAX_URL_LENGTH = 2000
RESERVED_LOG_KEYS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def log_event(event: str, *, report: Report | None = None, feed: Feed | None = None, **fields: Any) -> None:
    """One structured log line: ``ingest.<event> report_id=.. feed_id=.. key=value ...``."""
    values = {
        "report_id": report.pk if report is not None else None,
        "feed_id": (feed.pk if feed is not None else (report.feed_id if report is not None else None)),
        **fields,
    }
    level = logging.WARNING if event.endswith(("failed", "retry")) else logging.INFO
    message = " ".join([f"ingest.{event}", *(f"{key}={value}" for key, value in values.items())])
    extra = {(f"ingest_{key}" if key in RESERVED_LOG_KEYS else key): value for key, value in values.items()}
    logger.log(level, message, extra={"event": f"ingest.{event}", **extra})


# --- Queueing -------------------------------------------------------------------------------


def needs_fetch(report: Report) -> bool:
    """A report whose text is still to be fetched from its URL."""
    return report.kind == Report.Kind.ARTICLE and not report.text and bool(report.url)


def _send(task_name: str, report_id: int, task_id: str) -> None:
    send_task(task_name, report_id, task_id=task_id)


def enqueue_report(report: Report) -> None:
    """Send the task for the report's next step once the transaction commits.

    A failed send (broker down) is logged and leaves the report in its working
    state; ``requeue_stuck_reports`` sends it again later.
    """
    task_name = "fetch_report" if needs_fetch(report) else "extract_report_task"
    task_id = str(uuid.uuid4())
    Report.objects.filter(pk=report.pk).update(task_id=task_id, updated_at=timezone.now())
    report.task_id = task_id
    transaction.on_commit(partial(_send, task_name, report.pk, task_id), robust=True)
    log_event("enqueued", report=report, task=task_name, task_id=task_id)


# --- Submitting -----------------------------------------------------------------------------


def submit_url(*, url: str, feed: Feed | None = None, language: str = "", enqueue: bool = True) -> tuple[Report, bool]:
    """A queued report for ``url``; the same normalised URL gives back the existing report.

    Raises ``ValueError`` for a URL that is not http(s) or is malformed.
    """
    normalized = normalize_url(url)
    target = fetchable_url(url)
    if len(target) > MAX_URL_LENGTH or len(normalized) > MAX_URL_LENGTH:
        raise ValueError(f"URL longer than {MAX_URL_LENGTH} characters")
    defaults = {
        "submitted_url": target,
        "feed": feed,
        "language": language or (feed.language if feed else ""),
        "kind": Report.Kind.ARTICLE,
        "status": ReportStatus.QUEUED,
        "step": Step.FETCH,
    }
    try:
        with transaction.atomic():
            report, created = Report.objects.get_or_create(url=normalized, defaults=defaults)
    except IntegrityError:
        report, created = Report.objects.get(url=normalized), False
    log_event("submitted" if created else "resubmitted", report=report, feed=feed, url=normalized)
    if created and enqueue:
        enqueue_report(report)
    return report, created


def _file_report(document: CleanDocument, **values: Any) -> Report:
    filename = values.pop("filename")
    return Report(
        kind=Report.Kind.FILE,
        title=(document.title or filename)[:500],
        author=(document.author or "")[:300],
        publisher=(values.pop("publisher") or document.publisher or "")[:200],
        language=values.pop("language") or document.language or "",
        published_date=values.pop("published") or document.published,
        published_at=document.published_at,
        canonical_url=_safe_url(document.canonical_url),
        retrieved_at=timezone.now(),
        **values,
    )


def submit_file(
    *,
    content: bytes,
    filename: str,
    url: str | None = None,
    published: dt.date | None = None,
    language: str = "",
    publisher: str = "",
    enqueue: bool = True,
) -> tuple[Report, bool]:
    """A report from an uploaded HTML or text file, cleaned now and queued for extraction.

    The same URL, or the same text without a URL, gives back the existing report;
    the same text under another URL becomes a ``duplicate`` report. Raises
    ``ValueError`` (``CleanError``) for a file that is too big, not text, or empty.
    """
    normalized = normalize_url(url) if url else None
    if normalized and (existing := Report.objects.filter(url=normalized).first()):
        return existing, False
    if len(content) > settings.INGEST_MAX_BYTES:
        raise ValueError(f"{filename}: file larger than the limit of {settings.INGEST_MAX_BYTES} bytes")
    try:
        document = document_from_bytes(content, filename=filename)
    except CleanError as exc:
        raise CleanError(f"{filename}: {exc}") from None
    digest = content_hash(document.text)
    original = Report.objects.filter(content_hash=digest).first()
    if original is not None and not normalized:
        return original, False
    values = {"filename": Path(filename).name, "url": normalized, "submitted_url": url or ""}
    values |= {"published": published, "language": language, "publisher": publisher}
    report = _file_report(document, **values)
    if original is not None:
        report.status, report.step, report.duplicate_of = ReportStatus.DUPLICATE, Step.CLEAN, original
    else:
        report.text, report.content_hash, report.status, report.step = document.text, digest, ReportStatus.QUEUED, ""
    report.save()
    log_event("file-submitted", report=report, filename=values["filename"], status=report.status)
    if enqueue and report.status == ReportStatus.QUEUED:
        enqueue_report(report)
    return report, True


# --- Pipeline steps -------------------------------------------------------------------------


def _set_state(report: Report, *, status: str, step: str, error: str = "", attempt: bool = False) -> Report:
    report.status, report.step, report.error = status, step, error
    fields = ["status", "step", "error", "updated_at"]
    if attempt:
        report.attempts = min(report.attempts + 1, 32767)
        fields.append("attempts")
    report.save(update_fields=fields)
    return report


def fail_report(report: Report, *, step: str, error: str) -> Report:
    """Record a failure: status failed, the step, and the reason (kept for analysts to retry)."""
    _set_state(report, status=ReportStatus.FAILED, step=step, error=error[:5000])
    log_event("failed", report=report, step=step, error=repr(error[:300]))
    return report


def note_retry(report: Report, *, step: str, error: str) -> Report:
    """A temporary failure: the report waits, queued, for the task's next attempt."""
    _set_state(report, status=ReportStatus.QUEUED, step=step, error=f"temporary failure, will retry: {error}")
    log_event("retry", report=report, step=step, error=repr(error[:300]))
    return report


def fetch_step(report: Report, *, raise_transient: bool = False, forward: bool = False) -> Report:
    """Fetch and clean a queued report; on success it moves on to ``extracting``.

    Permanent errors fail the report. A temporary one (network, 5xx) fails it too,
    unless ``raise_transient``: then the report is left queued and the
    ``FetchError`` is raised for the task to retry. With ``forward`` the extract
    task is sent afterwards.
    """
    if report.status not in WORKING or not needs_fetch(report):
        return report
    _set_state(report, status=ReportStatus.FETCHING, step=Step.FETCH, attempt=True)
    log_event("fetching", report=report, url=report.submitted_url or report.url, attempt=report.attempts)
    try:
        result = fetch_url(report.submitted_url or report.url, accept=ARTICLE_TYPES)
        document = document_from_bytes(
            result.body, content_type=result.content_type, encoding=result.encoding, url=result.url
        )
    except FetchError as exc:
        if raise_transient and not exc.permanent:
            note_retry(report, step=Step.FETCH, error=str(exc))
            raise
        return fail_report(report, step=Step.FETCH, error=str(exc))
    except CleanError as exc:
        return fail_report(report, step=Step.CLEAN, error=str(exc))
    report = store_document(report, document, final_url=result.url)
    if forward and report.status in WORKING:
        enqueue_report(report)
    return report


def _safe_url(url: str | None) -> str:
    try:
        return normalize_url(url)[:MAX_URL_LENGTH] if url else ""
    except ValueError:
        return ""


def _find_original(report: Report, digest: str, urls: list[str | None]) -> Report | None:
    """An earlier report with the same text, or with text at the page's final or canonical URL."""
    others = Report.objects.exclude(pk=report.pk).filter(content_hash__isnull=False)
    original = others.filter(content_hash=digest).first()
    if original is None:
        keys = {key for url in urls if (key := _safe_url(url)) and key != report.url}
        original = others.filter(url__in=keys).first() if keys else None
    return original


def _mark_duplicate(report: Report, original: Report, document: CleanDocument) -> Report:
    report.status, report.step, report.error = ReportStatus.DUPLICATE, Step.CLEAN, ""
    report.duplicate_of = original
    report.title = (document.title or report.title)[:500]
    report.retrieved_at = timezone.now()
    report.save(update_fields=["status", "step", "error", "duplicate_of", "title", "retrieved_at", "updated_at"])
    log_event("duplicate", report=report, duplicate_of=original.pk)
    return report


def _apply_document(report: Report, document: CleanDocument, digest: str) -> None:
    report.text, report.content_hash = document.text, digest
    report.title = (document.title or report.title)[:500]
    report.author = (document.author or report.author)[:300]
    report.publisher = (report.publisher or document.publisher or "")[:200]
    report.language = report.language or document.language or ""
    report.published_date = report.published_date or document.published
    report.published_at = document.published_at or report.published_at
    report.canonical_url = _safe_url(document.canonical_url)
    report.retrieved_at = timezone.now()
    report.status, report.step, report.error = ReportStatus.EXTRACTING, Step.EXTRACT, ""


def store_document(report: Report, document: CleanDocument, *, final_url: str | None = None) -> Report:
    """Save the cleaned text and metadata in one write, or mark the report a duplicate."""
    digest = content_hash(document.text)
    original = _find_original(report, digest, [final_url, document.canonical_url])
    if original is not None:
        return _mark_duplicate(report, original.duplicate_of or original, document)
    _apply_document(report, document, digest)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # the same text stored concurrently by another report
        report.refresh_from_db()
        original = Report.objects.exclude(pk=report.pk).get(content_hash=digest)
        return _mark_duplicate(report, original, document)
    log_event("cleaned", report=report, chars=len(report.text), language=report.language)
    return report


def run_extraction_step(report: Report) -> Report:
    """Extract the facts of a cleaned report and merge them into the timeline.

    Merging runs in one transaction, so a failure writes no partial facts.
    """
    from visits.extraction import extract_report
    from visits.services.directory import DatabaseDirectory
    from visits.services.merge import merge_extraction

    if report.status not in WORKING or needs_fetch(report):
        return report
    _set_state(report, status=ReportStatus.EXTRACTING, step=Step.EXTRACT, attempt=needs_attempt(report))
    try:
        extraction = extract_report(
            report.text,
            published=report.published_date,
            language=report.language,
            title=report.title,
            publisher=report.publisher,
            url=report.url,
            directory=DatabaseDirectory(),
        )
    except Exception as exc:  # an extractor bug must leave a visible failure, not a lost report
        return fail_report(report, step=Step.EXTRACT, error=f"{type(exc).__name__}: {exc}")
    found = extraction.get("report") or {}
    report.reading = found.get("reading") or Report.Reading.FULL
    report.language = report.language or found.get("language") or ""
    report.save(update_fields=["reading", "language", "updated_at"])
    return _merge(report, extraction, merge_extraction)


def needs_attempt(report: Report) -> bool:
    """Count an attempt for reports that never went through a fetch (files)."""
    return report.kind != Report.Kind.ARTICLE


def _merge(report: Report, extraction: dict, merge_extraction: Any) -> Report:
    try:
        with transaction.atomic():
            merge_extraction(report, extraction)
            _set_state(report, status=ReportStatus.DONE, step=Step.MERGE)
    except Exception as exc:  # rolled back: nothing of the merge is kept
        report.refresh_from_db()
        return fail_report(report, step=Step.MERGE, error=f"{type(exc).__name__}: {exc}")
    log_event("done", report=report)
    return report


def process_report(report: Report, *, raise_transient: bool = False) -> Report:
    """Run the whole pipeline synchronously; a report that already went through is returned as is."""
    report = fetch_step(report, raise_transient=raise_transient)
    return run_extraction_step(report)


def retry_report(report: Report) -> None:
    """Queue a failed report again from the step that failed (fetch when it has no text yet)."""
    if report.status != ReportStatus.FAILED:
        return
    step = Step.FETCH if needs_fetch(report) else Step.EXTRACT
    _set_state(report, status=ReportStatus.QUEUED, step=step)
    log_event("retried", report=report, step=step)
    enqueue_report(report)


def requeue_stuck_reports(*, older_than_minutes: float | None = None, limit: int = 500) -> int:
    """Send again the tasks of reports left in a working state (a lost message or a killed worker).

    The threshold (``settings.INGEST_STUCK_AFTER_MINUTES``) is longer than any task's
    time limit plus retry delay, so a live task is never doubled.
    """
    minutes = settings.INGEST_STUCK_AFTER_MINUTES if older_than_minutes is None else older_than_minutes
    cutoff = timezone.now() - dt.timedelta(minutes=minutes)
    stuck = list(Report.objects.stuck(cutoff).order_by("updated_at")[:limit])
    for report in stuck:
        log_event("requeued", report=report, status=report.status, step=report.step)
        enqueue_report(report)
    return len(stuck)


# --- Feeds ----------------------------------------------------------------------------------


def _record_poll(feed: Feed, *, outcome: str, error: str = "", seen: int = 0, new: int = 0) -> Feed:
    feed.last_polled_at, feed.last_outcome, feed.last_error = timezone.now(), outcome, error[:5000]
    feed.entries_seen, feed.entries_new = seen, new
    feed.save(
        update_fields=[
            "last_polled_at",
            "last_outcome",
            "last_error",
            "entries_seen",
            "entries_new",
            "etag",
            "last_modified",
        ]
    )
    log_event(f"poll-{outcome}", feed=feed, seen=seen, new=new, error=repr(error[:300]) if error else "")
    return feed


def _submit_entry(feed: Feed, entry: FeedEntry) -> bool:
    try:
        report, created = submit_url(url=entry.url, feed=feed, enqueue=False)
    except ValueError as exc:
        log_event("entry-skipped", feed=feed, url=entry.url, reason=repr(str(exc)))
        return False
    if created:
        report.title = entry.title[:500]
        report.published_at = entry.published_at
        report.save(update_fields=["title", "published_at", "updated_at"])
        enqueue_report(report)
    return created


def poll_feed(*, feed: Feed) -> Feed:
    """Fetch a feed (conditional GET, robots.txt respected) and queue a report per new entry."""
    try:
        if not robots_allowed(feed.url):
            raise FetchError(f"refused by robots.txt: {feed.url}", permanent=True)
        result = fetch_url(
            feed.url, accept=FEED_TYPES, etag=feed.etag or None, last_modified=feed.last_modified or None
        )
        if result.not_modified:
            return _record_poll(feed, outcome="not-modified")
        entries = parse_feed(result.body, url=result.url)
    except (FetchError, FeedParseError) as exc:
        return _record_poll(feed, outcome="failed", error=str(exc))
    unseen = _unseen_entries(entries)
    batch = unseen[: settings.INGEST_FEED_MAX_NEW_PER_POLL]
    if len(batch) == len(unseen):
        # Only once every new entry is queued may the next poll be conditional: a feed cut
        # short keeps its old validators, so the next poll reads it again and takes the rest.
        feed.etag, feed.last_modified = (result.etag or "")[:500], (result.last_modified or "")[:100]
    with transaction.atomic():
        new = sum(_submit_entry(feed, entry) for entry in batch)
        return _record_poll(feed, outcome="ok", seen=len(entries), new=new)


def _unseen_entries(entries: list[FeedEntry]) -> list[FeedEntry]:
    """Entries whose URL no report has yet, found with one query instead of one per entry."""
    normalized: dict[str, FeedEntry] = {}
    for entry in entries:
        try:
            normalized.setdefault(normalize_url(entry.url), entry)
        except ValueError:
            normalized.setdefault(entry.url, entry)  # _submit_entry logs why it is skipped
    known = set(Report.objects.filter(url__in=list(normalized)).values_list("url", flat=True))
    return [entry for url, entry in normalized.items() if url not in known]


def due_feeds(*, now: dt.datetime | None = None) -> list[Feed]:
    """Active feeds never polled or whose polling interval has elapsed."""
    now = now or timezone.now()
    return [
        feed
        for feed in Feed.objects.filter(active=True).order_by("pk")
        if feed.last_polled_at is None or feed.last_polled_at + dt.timedelta(minutes=feed.poll_interval_minutes) <= now
    ]


def poll_due_feeds(*, now: dt.datetime | None = None) -> list[int]:
    """Send a ``poll_feed`` task for each due feed; returns their ids."""
    ids = [feed.pk for feed in due_feeds(now=now)]
    for feed_id in ids:
        transaction.on_commit(partial(send_task, "poll_feed", feed_id), robust=True)
    log_event("due-feeds", feeds=len(ids))
    return ids
