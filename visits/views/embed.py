"""The embeddable timeline (``/embed/``), its accent stylesheet, and the oEmbed endpoint.

``/embed/`` takes the timeline's parameters plus ``theme`` (light or dark) and ``accent``
(a hex colour). It may be framed by any site; every other page may not.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import Resolver404, resolve, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET
from rest_framework.exceptions import ValidationError

from visits import selectors
from visits.models import Country, Person, Topic
from visits.timeline.query import QueryError
from visits.views.common import render_page

THEMES = ("light", "dark")
EMBED_PAGE_SIZE = 10
REFRESH_SECONDS = 120
DEFAULT_WIDTH, DEFAULT_HEIGHT = 600, 640
MIN_SIZE = 200


def embed_options(query: QueryDict) -> dict[str, Any]:
    """Validated theme and accent; raises PageParameterError on bad values."""
    theme = query.get("theme") or "light"
    if theme not in THEMES:
        raise selectors.PageParameterError({"theme": [_("Use light or dark.")]})
    accent = selectors.accent_colour(query.get("accent"))
    return {"theme": theme, "accent": accent}


@xframe_options_exempt
@require_GET
def embed(request: HttpRequest) -> HttpResponse:
    """The compact, newest-first timeline for other sites' pages."""
    query = request.GET

    def base() -> dict:
        return {"theme": "light", "accent": None, "filters": selectors.shareable_query(query)}

    def build() -> dict:
        options = embed_options(query)
        filters = selectors.shareable_query(query)
        page = selectors.timeline_groups(query, size=selectors.page_size(query, EMBED_PAGE_SIZE), ordering="-date")
        poll = filters.copy()
        poll["ordering"] = "-updated"
        poll["page_size"] = "1"
        publishers = sorted({s.publisher for g in page.groups for s in _sources(g) if s.publisher})
        full = reverse("visits:timeline") + (f"?{filters.urlencode()}" if filters else "")
        return {
            **options,
            "page": page,
            "filters": filters,
            "publishers": publishers,
            "full_url": request.build_absolute_uri(full),
            "poll_url": f"{reverse('api:timeline')}?{poll.urlencode()}",
            "refresh_seconds": REFRESH_SECONDS,
            "accent_css": f"{reverse('visits:embed-accent')}?{urlencode({'accent': options['accent']})}"
            if options["accent"]
            else None,
        }

    return render_page(request, "visits/embed.html", build, fallback=base)


def _sources(group: selectors.Group):
    yield from group.obj.sources
    for meeting in group.meetings:
        yield from meeting.sources


@require_GET
def embed_accent(request: HttpRequest) -> HttpResponse:
    """A stylesheet that paints the embed's accent (a CSS file, so no inline style is needed)."""
    try:
        accent = selectors.accent_colour(request.GET.get("accent"))
    except selectors.PageParameterError:
        accent = None
    if accent is None:
        return HttpResponse("/* no accent */\n", content_type="text/css", status=400)
    text = selectors.readable_text_on(accent)
    css = (
        f".embed {{ --accent: #{accent}; --on-accent: #{text}; }}\n"
        ".embed .embed-header { background: var(--accent); color: var(--on-accent); }\n"
        ".embed .embed-header a { color: var(--on-accent); }\n"
        ".embed .entry { border-left-color: var(--accent); }\n"
    )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- oEmbed ------------------------------------------------------------------------------


def timeline_filters_of(url: str, host: str) -> QueryDict:
    """The timeline filters a URL of this site shows; Http404 for other hosts or pages."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != host.lower():
        raise Http404("Not a URL of this site.")
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        raise Http404("Not a page of this site.") from None
    filters = selectors.shareable_query(QueryDict(parts.query))
    name = match.url_name if match.namespace == "visits" else None
    if name in ("timeline", "embed"):
        return filters
    fixed = {
        "person": ("person", Person, "slug"),
        "country": ("country", Country, "code"),
        "topic": ("topic", Topic, "slug"),
    }
    if name in fixed:
        param, model, key = fixed[name]
        value = next(iter(match.kwargs.values()))
        value = value.upper() if key == "code" else value
        if not model.objects.filter(**{key: value}).exists():
            raise Http404
        filters = QueryDict(mutable=True)
        filters[param] = value
        return filters
    raise Http404("Only timeline pages can be embedded.")


def _size(raw: str | None, default: int, name: str) -> int:
    if raw in (None, ""):
        return default
    if not raw.isdigit():
        raise ValidationError({name: ["A whole number of pixels."]})
    return max(MIN_SIZE, min(default, int(raw)))


@require_GET
def oembed(request: HttpRequest) -> HttpResponse:
    """oEmbed (https://oembed.com) for timeline URLs of this site: a "rich" iframe."""
    fmt = request.GET.get("format") or "json"
    if fmt != "json":
        return JsonResponse({"error": "Only format=json is implemented."}, status=501)
    url = request.GET.get("url")
    if not url:
        return JsonResponse({"error": "The url parameter is required."}, status=400)
    try:
        width = _size(request.GET.get("maxwidth"), DEFAULT_WIDTH, "maxwidth")
        height = _size(request.GET.get("maxheight"), DEFAULT_HEIGHT, "maxheight")
        filters = timeline_filters_of(url, request.get_host())
        selectors.filtered(filters)  # the filters must be valid
    except ValidationError as exc:
        if "maxwidth" in exc.detail or "maxheight" in exc.detail:
            return JsonResponse({"error": exc.detail}, status=400)
        raise Http404("Not a valid timeline URL.") from None
    except QueryError:
        raise Http404("Not a valid timeline URL.") from None
    src = request.build_absolute_uri(f"{reverse('visits:embed')}?{filters.urlencode()}")
    title = _("Diplomatic visits timeline")
    html = format_html(
        '<iframe src="{}" width="{}" height="{}" title="{}" loading="lazy" style="border:0;max-width:100%"></iframe>',
        src,
        width,
        height,
        title,
    )
    return JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "provider_name": _("Diplomatic visit tracker"),
            "provider_url": request.build_absolute_uri("/"),
            "title": title,
            "html": str(html),
            "width": width,
            "height": height,
            "cache_age": 3600,
        }
    )
