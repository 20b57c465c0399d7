"""``/compare/``: officials or countries side by side, as a page, JSON (``?format=json``) and CSV (``?format=csv``)."""

from __future__ import annotations

import csv
import io

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from visits import compare as comparison
from visits.models import Country
from visits.views.common import page_title, render_page

#: What the bars count, by the ``measure`` parameter's value, with the word shown for it.
MEASURES = {"visits": gettext_lazy("visits"), "trips": gettext_lazy("trips"), "meetings": gettext_lazy("meetings")}


def _format_links(query: QueryDict) -> list[dict[str, str]]:
    links = []
    for fmt, media_type, label in (("json", "application/json", "JSON"), ("csv", "text/csv", "CSV")):
        params = query.copy()
        params["format"] = fmt
        links.append({"format": fmt, "type": media_type, "label": label, "href": f"?{params.urlencode()}"})
    return links


def compare(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "")
    if fmt in ("json", "csv"):
        try:
            result = comparison.compare(request.GET)
        except comparison.CompareError as exc:
            return JsonResponse({"errors": exc.errors}, status=400)
        if fmt == "json":
            return JsonResponse(comparison.as_json(result), json_dumps_params={"ensure_ascii": False})
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(comparison.CSV_HEADER)
        writer.writerows(comparison.as_rows(result))
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="comparison.csv"'
        return response

    query = request.GET.copy()
    query.pop("format", None)
    measure = request.GET.get("measure") if request.GET.get("measure") in MEASURES else "visits"

    def base() -> dict:
        return {
            "title": page_title(_("Compare")),
            "query": query,
            "measure": measure,
            "measure_label": MEASURES[measure],
            "measures": list(MEASURES.items()),
            "countries": list(Country.objects.filter(stops__isnull=False).distinct().order_by("name")),
            "hidden": [(k, v) for k in query for v in query.getlist(k) if k in ("person", "country", "to", "measure")],
            "format_links": _format_links(query),
            "compare_url": reverse("visits:compare"),
        }

    try:
        result = comparison.compare(request.GET)
    except comparison.CompareError as exc:
        context = base()
        context["errors"] = [(name, message) for name, messages in exc.errors.items() for message in messages]
        return render(request, "visits/compare.html", context, status=400)

    def build() -> dict:
        names = [side.name for side in result["sides"]]
        return {
            **base(),
            "title": page_title(" · ".join(names) or _("Compare")),
            **result,
            "lanes": comparison.lanes(result, measure),
        }

    return render_page(request, "visits/compare.html", build)
