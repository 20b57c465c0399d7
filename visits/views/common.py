"""What every page shares: the filter form's choices, links to the API formats, error pages."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from visits import selectors
from visits.models import Country, MeetingStatus, Stop, Topic, TripStatus
from visits.timeline.query import COUNTRY_ROLES, PERSON_ROLES, QueryError

#: API formats each page links to: (format, media type, label).
FORMATS = (
    ("json", "application/json", "JSON"),
    ("csv", "text/csv", "CSV"),
    ("atom", "application/atom+xml", "Atom"),
    ("ics", "text/calendar", "iCalendar"),
)
STATUSES = tuple(dict.fromkeys([*TripStatus.values, *MeetingStatus.values]))


def data_links(filters: QueryDict) -> list[dict[str, str]]:
    """The timeline API URL of ``filters`` in each format."""
    base = reverse("api:timeline")
    links = []
    for fmt, media_type, label in FORMATS:
        params = filters.copy()
        params["format"] = fmt
        links.append({"format": fmt, "type": media_type, "label": label, "href": f"{base}?{params.urlencode()}"})
    return links


def filter_choices() -> dict[str, Any]:
    """Choices of the filter form (two queries)."""
    visited = Stop.objects.filter(country=OuterRef("pk"))
    return {
        "countries": list(Country.objects.filter(Exists(visited)).order_by("name")),
        "topics": list(Topic.objects.order_by("name")),
        "statuses": STATUSES,
        "country_roles": COUNTRY_ROLES,
        "person_roles": PERSON_ROLES,
    }


#: Parameters the filter form has controls for; others in the URL ride along as hidden inputs.
FORM_FIELDS = ("q", "country", "country_role", "topic", "person", "organization", "role", "status", "start", "end")
SINGLE_SELECTS = ("country", "topic")


def form_state(query: QueryDict) -> dict[str, Any]:
    """The filter form's values for ``query``: what each control shows, and hidden inputs for the rest."""
    kept = selectors.shareable_query(query, drop=())
    for name in ("ordering", "page_size"):
        if query.get(name):
            kept[name] = query[name]
    selected = {name: query.getlist(name) for name in query}
    hidden: list[tuple[str, str]] = []
    for name in kept:
        values = kept.getlist(name)
        if name in SINGLE_SELECTS:
            selected[name] = values[:1]
            hidden.extend((name, v) for v in values[1:])
        elif name not in FORM_FIELDS:
            hidden.extend((name, v) for v in values)
    return {"query": query, "selected": selected, "hidden_params": hidden}


def error_messages(exc: ValidationError | QueryError | selectors.PageParameterError) -> list[tuple[str, str]]:
    """(parameter, message) pairs of a filter error, for the page that reports it."""
    detail = exc.errors if isinstance(exc, QueryError | selectors.PageParameterError) else exc.detail
    if not isinstance(detail, dict):
        return [("", str(m)) for m in (detail if isinstance(detail, list) else [detail])]
    pairs = []
    for name, messages in detail.items():
        for message in messages if isinstance(messages, list) else [messages]:
            pairs.append((str(name), str(message)))
    return pairs


def requested_language(request: HttpRequest) -> str | None:
    """The ``lang`` parameter when it names a language of the site."""
    lang = request.GET.get("lang")
    return lang if lang in dict(settings.LANGUAGES) else None


def render_page(
    request: HttpRequest,
    template: str,
    build: Callable[[], dict[str, Any]],
    *,
    fallback: Callable[[], dict[str, Any]] | None = None,
) -> HttpResponse:
    """Render ``template`` with ``build()``; bad parameters give the page with their errors (400).

    ``lang`` (a page-only parameter) switches the interface language for this response.
    """
    lang = requested_language(request)
    with translation.override(lang) if lang else nullcontext():
        try:
            context, status = build(), 200
        except (ValidationError, QueryError, selectors.PageParameterError) as exc:
            context = fallback() if fallback else {}
            context["errors"] = error_messages(exc)
            status = 400
        return render(request, template, context, status=status)


def page_title(*parts: str) -> str:
    return " · ".join([*[p for p in parts if p], _("Diplomatic visits")])
