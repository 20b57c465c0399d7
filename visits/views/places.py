"""A country's page (incoming and outgoing visits, topics over time) and the world map."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from visits import selectors
from visits.models import Country
from visits.views import charts, worldmap
from visits.views.common import data_links, filter_choices, form_state, page_title, render_page


def country(request: HttpRequest, code: str) -> HttpResponse:
    """``/countries/<code>/`` (ISO 3166-1 alpha-2, any case)."""
    if len(code) != 2:
        raise Http404
    place = get_object_or_404(Country, code=code.upper())

    def build() -> dict:
        profile = selectors.country_profile(place)
        filters = QueryDict(mutable=True)
        filters["country"] = place.code
        return {
            "title": page_title(place.name),
            "country": place,
            **profile,
            "filters": filters,
            "data_links": data_links(filters),
            "per_month_chart": charts.columns(profile["per_month"]) if profile["per_month"] else None,
        }

    return render_page(request, "visits/country.html", build)


def world_map(request: HttpRequest) -> HttpResponse:
    """``/map/``: countries shaded by visits and cities as points, for the timeline's filters."""

    def base() -> dict:
        filters = selectors.shareable_query(request.GET)
        return {
            **filter_choices(),
            "title": page_title(_("Map")),
            "filters": filters,
            **form_state(request.GET),
            "data_links": data_links(filters),
        }

    def build() -> dict:
        trips, meetings = selectors.filtered(request.GET)
        data = selectors.map_data(trips, meetings)
        drawn = worldmap.world(data["per_country"], data["names"], data["points"], data["capitals"])
        ranking = sorted(data["per_country"].items(), key=lambda item: (-item[1], item[0]))
        return {
            **base(),
            "map": drawn,
            "ranking": [(code, data["names"].get(code, code), n) for code, n in ranking[:50]],
            "points": data["points"][:50],
        }

    return render_page(request, "visits/map.html", build, fallback=base)
