"""The ingestion admin: report list with state, submitting a URL, uploading a file, retrying failures."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from visits.models import Feed, Report, ReportStatus

pytestmark = pytest.mark.django_db

TEXT = (
    "Visit to Ankara\n\nThe foreign minister arrived in Ankara on Tuesday for talks with his Turkish counterpart"
    " on trade, energy and the situation in the Black Sea region.\n"
)


def test_report_list_shows_state_and_submit_links(admin_client):
    Report.objects.create(url="https://example.com/a", status=ReportStatus.FAILED, step="fetch", error="HTTP 404")
    response = admin_client.get(reverse("admin:visits_report_changelist") + "?status=failed")
    assert response.status_code == 200
    content = response.content.decode()
    assert "HTTP 404" in content and "submit-url/" in content and "upload/" in content
    assert admin_client.get(reverse("admin:visits_feed_changelist")).status_code == 200


def test_submit_url_form(admin_client, django_capture_on_commit_callbacks):
    url = reverse("admin:visits_report_submit_url")
    assert admin_client.get(url).status_code == 200
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(url, {"url": "https://example.com/news/visit/?utm_source=x", "language": ""})
    report = Report.objects.get()
    assert response.status_code == 302 and report.url == "https://example.com/news/visit"
    assert len(callbacks) == 1
    response = admin_client.post(url, {"url": "ftp://example.com/x"})
    assert response.status_code == 200 and Report.objects.count() == 1


def test_upload_form(admin_client, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("ankara.txt", TEXT.encode(), content_type="text/plain")
    with django_capture_on_commit_callbacks():
        response = admin_client.post(reverse("admin:visits_report_upload"), {"file": upload, "publisher": "Example"})
    report = Report.objects.get()
    assert response.status_code == 302
    assert (report.kind, report.title, report.publisher) == ("file", "Visit to Ankara", "Example")


def test_retry_action(admin_client, django_capture_on_commit_callbacks):
    failed = Report.objects.create(url="https://example.com/a", status=ReportStatus.FAILED, step="fetch", error="x")
    done = Report.objects.create(url="https://example.com/b", status=ReportStatus.DONE)
    with django_capture_on_commit_callbacks() as callbacks:
        admin_client.post(
            reverse("admin:visits_report_changelist"),
            {"action": "retry", "_selected_action": [failed.pk, done.pk]},
        )
    failed.refresh_from_db()
    assert (failed.status, failed.error) == (ReportStatus.QUEUED, "") and len(callbacks) == 1
    assert Report.objects.get(pk=done.pk).status == ReportStatus.DONE


def test_feed_admin_poll_action_is_declared():
    from django.contrib import admin

    assert "poll_now" in admin.site._registry[Feed].actions
