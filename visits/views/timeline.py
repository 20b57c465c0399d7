"""The timeline page at ``/``: the API's filters, one page of trips and meetings, share links."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from visits import selectors
from visits.views import charts
from visits.views.common import data_links, filter_choices, form_state, page_title, render_page


def share_context(request: HttpRequest, filters) -> dict[str, Any]:
    """Links and snippets of the "Share / embed" panel for the current filters."""
    query = filters.urlencode()
    page_url = request.build_absolute_uri(reverse("visits:timeline") + (f"?{query}" if query else ""))
    embed_query = filters.copy()
    embed_query["theme"] = "light"
    embed_url = request.build_absolute_uri(f"{reverse('visits:embed')}?{embed_query.urlencode()}")
    script_url = request.build_absolute_uri("/static/visits/js/embed.js")
    oembed = request.build_absolute_uri(reverse("visits:oembed")) + "?" + urlencode({"url": page_url, "format": "json"})
    save_url = None
    if query and request.user.has_perm("visits.add_savedsearch"):
        # the admin's form for a saved search (an Atom feed, webhooks), filled in with this view's filters
        save_url = reverse("admin:visits_savedsearch_add") + "?" + urlencode({"query": query, "owner": request.user.pk})
    return {
        "page_url": page_url,
        "save_url": save_url,
        "embed_url": embed_url,
        "script_url": script_url,
        "embed_query": query,
        "oembed_url": oembed,
    }


def timeline_context(request: HttpRequest) -> dict[str, Any]:
    """Everything the timeline page shows for ``request.GET``.

    Its charts count every matching fact (at the full size, hundreds of thousands of rows for one
    country), so they are not part of the page: ``glance_url`` gives them, fetched by the page's
    script or followed as a link.
    """
    query = request.GET
    page = selectors.timeline_groups(query)
    filters = selectors.shareable_query(query)
    return {
        **base_context(request),
        "page": page,
        "filters": filters,
        "data_links": data_links(filters),
        "share": share_context(request, filters),
        "glance_url": _with_filters("visits:glance", filters),
        "next_query": _cursor_query(query, page.next),
        "previous_query": _cursor_query(query, page.previous),
    }


def glance_context(request: HttpRequest) -> dict[str, Any]:
    """The charts of the timeline for ``request.GET``: trips per month, people met most."""
    trips, meetings = selectors.timeline_facts(request.GET)
    per_month = selectors.visits_per_month(trips)
    counterparts = selectors.top_counterparts(meetings)
    filters = selectors.shareable_query(request.GET)
    return {
        **base_context(request),
        "title": page_title(_("At a glance"), _("Timeline")),
        "timeline_url": _with_filters("visits:timeline", filters),
        "per_month_chart": charts.columns(per_month) if per_month else None,
        "counterparts_chart": charts.rows([(p.name, n) for p, n in counterparts]) if counterparts else None,
    }


def base_context(request: HttpRequest) -> dict[str, Any]:
    """What the page shows even when the filters are refused: the form, with the values given."""
    filters = selectors.shareable_query(request.GET)
    return {
        **filter_choices(),
        "title": page_title(_("Timeline")),
        "filters": filters,
        **form_state(request.GET),
        "data_links": data_links(filters),
    }


def _with_filters(view: str, filters) -> str:
    """The path of ``view`` with the shareable ``filters`` as its query string."""
    return reverse(view) + (f"?{filters.urlencode()}" if filters else "")


def _cursor_query(query, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    params = query.copy()
    params["cursor"] = cursor
    return params.urlencode()


def glance(request: HttpRequest) -> HttpResponse:
    """``/glance/``: the timeline's charts for the same filters (the timeline page loads them)."""
    return render_page(
        request, "visits/glance.html", lambda: glance_context(request), fallback=lambda: base_context(request)
    )


def timeline(request: HttpRequest) -> HttpResponse:
    """``/``: the filtered timeline, grouped by trip, one page at a time."""
    return render_page(
        request, "visits/timeline.html", lambda: timeline_context(request), fallback=lambda: base_context(request)
    )
