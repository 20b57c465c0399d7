"""The page of one trip: ``/trips/<id>/``."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from visits import trip_page
from visits.views.common import page_title, render_page


def trip(request: HttpRequest, pk: int) -> HttpResponse:
    """Stops in order on a route map, meetings, topics, sources, status history, disagreements and merging."""
    found = trip_page.load(pk)
    if found is None:
        raise Http404

    def build() -> dict:
        context = trip_page.trip_context(found)
        return {**context, "title": page_title(context["trip_title"])}

    return render_page(request, "visits/trip.html", build)
