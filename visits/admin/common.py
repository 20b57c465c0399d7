"""Admin building blocks shared by every area: edits lock fields, evidence links to its source."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from visits.models import Evidence


class LockingAdmin(SimpleHistoryAdmin):
    """An analyst's edit locks the edited fields against later automated ingestion."""

    def save_model(self, request, obj, form, change):
        if change and hasattr(obj, "lock"):
            obj.lock(*(name for name in form.changed_data if name != "locked_fields"))
        super().save_model(request, obj, form, change)


def source_link(evidence: Evidence) -> str:
    report = evidence.report
    admin_url = reverse("admin:visits_report_change", args=[report.pk])
    label = report.title or report.url or report.external_id or f"report {report.pk}"
    if report.url:
        return format_html(
            '<a href="{}">{}</a> (<a href="{}" rel="noopener">original</a>)', admin_url, label, report.url
        )
    return format_html('<a href="{}">{}</a>', admin_url, label)


class EvidenceInline(admin.TabularInline):
    """The sentences that state a fact, each with a link to its report."""

    model = Evidence
    extra = 0
    fields = ("source", "quote", "confidence", "review_state")
    readonly_fields = ("source", "quote", "confidence")
    show_change_link = True

    @admin.display(description="source")
    def source(self, evidence: Evidence) -> str:
        return source_link(evidence)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("report")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class YearFilter(admin.SimpleListFilter):
    """Filter dated facts by the year their period starts in."""

    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).dates("start_date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(start_date__year=int(self.value()))
        return queryset
