"""Admin of ingestion: feeds, reports with their state, retrying failures, submitting links and files."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import path, reverse

from visits.models import Feed, Report, ReportStatus
from visits.services import ingestion, queue

SUBMIT_TEMPLATE = engines["django"].from_string(
    """{% extends "admin/base_site.html" %}
{% block content %}
<h1>{{ title }}</h1>
<form method="post" enctype="multipart/form-data">{% csrf_token %}
<table>{{ form.as_table }}</table>
<div class="submit-row"><input type="submit" class="default" value="{{ title }}"></div>
</form>
{% endblock %}"""
)
CHANGE_LIST_TEMPLATE = engines["django"].from_string(
    """{% extends "admin/change_list.html" %}
{% block object-tools-items %}
<li><a href="submit-url/" class="addlink">Submit URL</a></li>
<li><a href="upload/" class="addlink">Upload file</a></li>
{{ block.super }}
{% endblock %}"""
)


class SubmitUrlForm(forms.Form):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    language = forms.CharField(max_length=16, required=False, help_text="leave empty to detect it")


class UploadFileForm(forms.Form):
    file = forms.FileField(help_text="an HTML page or a plain-text article")
    url = forms.URLField(max_length=2000, required=False, assume_scheme="https", help_text="where it was published")
    published = forms.DateField(required=False, help_text="YYYY-MM-DD")
    language = forms.CharField(max_length=16, required=False)
    publisher = forms.CharField(max_length=200, required=False)


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "url",
        "language",
        "active",
        "poll_interval_minutes",
        "last_polled_at",
        "last_outcome",
        "entries_seen",
        "entries_new",
    ]
    list_filter = ["active", "last_outcome", "language"]
    search_fields = ["name", "url"]
    readonly_fields = [
        "etag",
        "last_modified",
        "last_polled_at",
        "last_outcome",
        "last_error",
        "entries_seen",
        "entries_new",
    ]
    actions = ["poll_now"]

    @admin.action(description="Poll the selected feeds now")
    def poll_now(self, request: HttpRequest, queryset) -> None:
        for feed in queryset:
            queue.send_task("poll_feed", feed.pk)
        self.message_user(request, f"{queryset.count()} feed(s) queued for polling.")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "kind",
        "status",
        "step",
        "short_error",
        "publisher",
        "language",
        "attempts",
        "updated_at",
    ]
    list_filter = ["status", "step", "kind", "language", "feed"]
    search_fields = ["title", "url", "submitted_url", "publisher", "error"]
    list_select_related = ["feed"]
    date_hierarchy = "created_at"
    raw_id_fields = ["duplicate_of", "feed"]
    readonly_fields = [
        "url",
        "submitted_url",
        "canonical_url",
        "content_hash",
        "status",
        "step",
        "error",
        "task_id",
        "attempts",
        "retrieved_at",
        "created_at",
        "updated_at",
        "duplicate_of",
    ]
    actions = ["retry"]
    change_list_template = CHANGE_LIST_TEMPLATE

    @admin.display(description="error")
    def short_error(self, report: Report) -> str:
        return report.error[:120]

    @admin.action(description="Retry the selected failed reports")
    def retry(self, request: HttpRequest, queryset) -> None:
        failed = list(queryset.filter(status=ReportStatus.FAILED))
        for report in failed:
            ingestion.retry_report(report)
        self.message_user(request, f"{len(failed)} failed report(s) queued again.")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("submit-url/", view(self.submit_url_view), name="visits_report_submit_url"),
            path("upload/", view(self.upload_view), name="visits_report_upload"),
            *super().get_urls(),
        ]

    def _render(self, request: HttpRequest, form: forms.Form, title: str) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "form": form, "title": title, "opts": self.model._meta}
        return TemplateResponse(request, SUBMIT_TEMPLATE, context)

    def _done(self, request: HttpRequest, report: Report, created: bool) -> HttpResponseRedirect:
        verb = "queued" if created else "already known"
        self.message_user(request, f"Report {report.pk} {verb} (status {report.status}).", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:visits_report_change", args=[report.pk]))

    def submit_url_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:visits_report_changelist"))
        form = SubmitUrlForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                report, created = ingestion.submit_url(
                    url=form.cleaned_data["url"], language=form.cleaned_data["language"]
                )
            except ValueError as exc:
                form.add_error("url", str(exc))
            else:
                return self._done(request, report, created)
        return self._render(request, form, "Submit URL")

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:visits_report_changelist"))
        form = UploadFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload, data = form.cleaned_data["file"], form.cleaned_data
            try:
                report, created = ingestion.submit_file(
                    content=upload.read(),
                    filename=upload.name,
                    url=data["url"] or None,
                    published=data["published"],
                    language=data["language"],
                    publisher=data["publisher"],
                )
            except ValueError as exc:
                form.add_error("file", str(exc))
            else:
                return self._done(request, report, created)
        return self._render(request, form, "Upload file")
