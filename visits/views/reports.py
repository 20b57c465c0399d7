"""``/reports/``: ingested reports with their status and errors, for analysts to correct."""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from visits import selectors
from visits.models import ReportStatus
from visits.views.common import page_title, render_page

PER_PAGE = 50


def report_list(request: HttpRequest) -> HttpResponse:
    """Reports newest first, optionally of one status, 50 a page."""
    status = request.GET.get("status") or ""

    def base() -> dict:
        return {
            "title": page_title(_("Reports")),
            "statuses": ReportStatus.choices,
            "status": status,
            "counts": selectors.report_counts(),
        }

    def build() -> dict:
        if status and status not in ReportStatus.values:
            raise selectors.PageParameterError({"status": [_("Unknown status: %(status)s.") % {"status": status}]})
        reports = selectors.reports_for_page()
        if status:
            reports = reports.filter(status=status)
        paginator = Paginator(reports, PER_PAGE)
        try:
            page = paginator.page(request.GET.get("page") or 1)
        except (EmptyPage, PageNotAnInteger):
            raise selectors.PageParameterError({"page": [_("No such page.")]}) from None
        return {**base(), "page": page, "reports": page.object_list}

    return render_page(request, "visits/reports.html", build, fallback=base)
