"""An official's page: positions over time, trips, countries visited, counterparts, topics."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404

from visits import selectors
from visits.models import Person
from visits.views import charts
from visits.views.common import data_links, page_title, render_page


def person(request: HttpRequest, slug: str) -> HttpResponse:
    """``/people/<slug>/``."""
    official = get_object_or_404(Person.objects.select_related("country"), slug=slug)

    def build() -> dict:
        profile = selectors.person_profile(official)
        filters = QueryDict(mutable=True)
        filters["person"] = official.slug
        return {
            "title": page_title(official.name),
            "person": official,
            **profile,
            "filters": filters,
            "data_links": data_links(filters),
            "per_month_chart": charts.columns(profile["per_month"]) if profile["per_month"] else None,
            "counterparts_chart": charts.rows([(p.name, n) for p, n in profile["counterparts"]])
            if profile["counterparts"]
            else None,
        }

    return render_page(request, "visits/person.html", build)
