"""A Content Security Policy on every response.

The pages need nothing from elsewhere and carry no inline script or style, so the
policy allows the site's own origin only, and for style the exact CSS that the vendored
timeline library injects (by hash: ``visits.vendor``, written by deploy/vendor_vis_timeline.sh).
Embedded views (``/embed/``) may be framed by any site; every other page may be framed by
none (as X-Frame-Options DENY says).
Third-party pages the project serves but does not write (the API's Swagger UI and
ReDoc use inline script and style) get the same policy with inline code allowed.

Settings (all optional):

- ``CSP_EMBED_PREFIXES``: path prefixes that may be framed (default ``("/embed/",)``).
- ``CSP_RELAXED_PREFIXES``: path prefixes allowed inline code (default the API docs).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from visits.vendor import VIS_TIMELINE_STYLE_HASHES

HEADER = "Content-Security-Policy"
BASE_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    # the visual timeline's library injects its own CSS as <style> elements: those, by hash, only
    "style-src": " ".join(["'self'", *VIS_TIMELINE_STYLE_HASHES]),
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
RELAXED = {
    "style-src": "'self' 'unsafe-inline'",
    "script-src": "'self' 'unsafe-inline'",
    "worker-src": "'self' blob:",
}
DEFAULT_EMBED_PREFIXES = ("/embed/",)
DEFAULT_RELAXED_PREFIXES = ("/api/v1/docs/", "/api/v1/redoc/")


def policy_for(path: str) -> str:
    """The policy text for a request path."""
    policy = dict(BASE_POLICY)
    if path.startswith(tuple(getattr(settings, "CSP_RELAXED_PREFIXES", DEFAULT_RELAXED_PREFIXES))):
        policy.update(RELAXED)
    if path.startswith(tuple(getattr(settings, "CSP_EMBED_PREFIXES", DEFAULT_EMBED_PREFIXES))):
        policy["frame-ancestors"] = "*"
    return "; ".join(f"{name} {value}" for name, value in policy.items())


class ContentSecurityPolicyMiddleware:
    """Add ``Content-Security-Policy`` to each response that has none yet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = policy_for(request.path)
        return response
