"""Middleware for operations: clean answers when a resource fails, and an admin login throttle.

``ServiceErrorMiddleware``
    A view that hits ``OperationalError`` or ``InterfaceError`` (PostgreSQL restarting,
    a failover, a connection cut by a proxy) answers ``503 Service Unavailable`` with
    ``Retry-After`` instead of a 500 and a traceback: ``application/problem+json``
    under ``/api/``, a short HTML page elsewhere. Nothing else is needed to recover:
    ``CONN_HEALTH_CHECKS`` makes the next request open a fresh connection.
    A full disk (``ENOSPC``/``EDQUOT`` while an upload is spooled to a temporary file)
    answers ``507 Insufficient Storage`` the same way.

``AdminLoginThrottleMiddleware``
    Counts failed admin logins per client address in the cache (shared by every web
    process when ``CACHE_URL`` points at Redis). After ``ADMIN_LOGIN_MAX_FAILURES``
    failures within ``ADMIN_LOGIN_WINDOW_SECONDS``, login attempts from that address
    get ``429 Too Many Requests`` with ``Retry-After`` until the window ends; a
    successful login clears the count. Behind a proxy, set ``CLIENT_IP_HEADER`` (e.g.
    ``HTTP_X_REAL_IP``) to the header the proxy sets to the client's address.
"""

from __future__ import annotations

import errno
import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

logger = logging.getLogger("tracker.availability")

DATABASE_RETRY_AFTER = "5"
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
DATABASE_DOWN_HTML = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Temporarily unavailable</title></head>"
    "<body><h1>Temporarily unavailable</h1><p>The database cannot be reached just now. "
    "Please try again in a few seconds.</p></body></html>"
)


def error_response(request: HttpRequest, status: int, title: str, detail: str) -> HttpResponse:
    """A short error answer with ``Retry-After``: problem+json for the API, a plain page elsewhere."""
    headers = {"Retry-After": DATABASE_RETRY_AFTER, "Cache-Control": "no-store"}
    if request.path.startswith("/api/"):
        from api.problems import problem_response

        return problem_response(status, detail, headers=headers, title=title)
    page = DATABASE_DOWN_HTML.replace("Temporarily unavailable", title).replace(
        "The database cannot be reached just now. Please try again in a few seconds.", detail
    )
    response = HttpResponse(page, status=status, content_type="text/html; charset=utf-8")
    for name, value in headers.items():
        response[name] = value
    return response


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503: the database cannot be reached."""
    return error_response(
        request,
        503,
        "Temporarily unavailable",
        "The database cannot be reached just now. Please try again in a few seconds.",
    )


def discard_partial_uploads(request: HttpRequest) -> None:
    """Close (and so delete) the temporary files of an upload that failed half-way."""
    handlers = request.__dict__.get("_upload_handlers") or []
    files = list(getattr(request, "_files", {}).values()) if hasattr(request, "_files") else []
    for upload in [getattr(handler, "file", None) for handler in handlers] + files:
        if upload is not None and not getattr(upload, "closed", True):
            upload.close()


class ServiceErrorMiddleware:
    """Turn database connection errors into a 503, and a full disk into a 507, both with ``Retry-After``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Answer 503/507 for a lost database or a full disk; other errors go on to the 500 handler."""
        if isinstance(exception, OSError) and exception.errno in DISK_FULL_ERRNOS:
            discard_partial_uploads(request)
            logger.error(
                "disk full while handling a request: %s",
                exception,
                extra={"event": "disk.full", "path": request.path},
            )
            return error_response(
                request,
                507,
                "Insufficient storage",
                "The server has no room to store this just now; nothing was saved.",
            )
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning(
            "database unavailable: %s: %s",
            type(exception).__name__,
            str(exception).splitlines()[0] if str(exception) else "",
            extra={"event": "database.unavailable", "path": request.path},
        )
        return database_unavailable_response(request)


def client_address(request: HttpRequest) -> str:
    """The client's address: ``settings.CLIENT_IP_HEADER`` (set by a trusted proxy) or REMOTE_ADDR."""
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    if value:
        return value.split(",")[0].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


class AdminLoginThrottleMiddleware:
    """429 for admin login attempts from an address after too many recent failures."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._login_path: str | None = None

    @property
    def login_path(self) -> str:
        if self._login_path is None:
            try:
                self._login_path = reverse("admin:login")
            except NoReverseMatch:
                self._login_path = ""
        return self._login_path

    @staticmethod
    def cache_key(address: str) -> str:
        digest = hashlib.sha256(address.encode("utf-8")).hexdigest()[:32]
        return f"tracker:admin-login-failures:{digest}"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or not self.login_path or request.path != self.login_path:
            return self.get_response(request)
        limit = int(getattr(settings, "ADMIN_LOGIN_MAX_FAILURES", 5))
        window = int(getattr(settings, "ADMIN_LOGIN_WINDOW_SECONDS", 900))
        key = self.cache_key(client_address(request))
        failures = cache.get(key, 0)
        if failures >= limit:
            logger.warning("admin login throttled", extra={"event": "admin.login-throttled", "failures": failures})
            response = HttpResponse(
                "Too many failed login attempts. Try again later.", status=429, content_type="text/plain"
            )
            response["Retry-After"] = str(window)
            return response
        response = self.get_response(request)
        if response.status_code == 200:  # the login form shown again: the credentials were wrong
            if not cache.add(key, 1, timeout=window):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.add(key, 1, timeout=window)
        elif response.status_code in (301, 302, 303) and getattr(
            getattr(request, "user", None), "is_authenticated", False
        ):
            cache.delete(key)
        return response


class TimelineCacheMiddleware:
    """Serve repeated anonymous reads of the timeline API from the shared cache.

    A GET or HEAD of a path in ``TIMELINE_CACHE_PATHS`` (default the timeline, trips and
    meetings lists) without credentials (no ``Authorization`` header, no session cookie)
    is answered from the cache when the same URL, ``Accept`` and ``Accept-Language``
    were answered with a 200 before *at the current timeline version*
    (``visits.cache``): any save or delete of a trip, meeting, evidence, ... bumps the
    version, so a cached answer is never older than the last change (and at most
    ``TIMELINE_CACHE_SECONDS`` old). Conditional requests (``If-None-Match``) still get
    304 from the stored ETag. Streamed answers (CSV) are cached up to
    ``TIMELINE_CACHE_MAX_BYTES``.

    It is on only when ``TIMELINE_CACHE_SECONDS`` > 0, which settings make the default
    when ``CACHE_URL`` names a cache shared by all processes (Redis).
    """

    HEADERS = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Content-Disposition", "Vary", "Link")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from visits import cache as timeline_cache

        self.get_response = get_response
        self.timeline_cache = timeline_cache
        self.seconds = int(getattr(settings, "TIMELINE_CACHE_SECONDS", 0))
        self.paths = tuple(
            getattr(settings, "TIMELINE_CACHE_PATHS", ("/api/v1/timeline", "/api/v1/trips", "/api/v1/meetings"))
        )
        self.max_bytes = int(getattr(settings, "TIMELINE_CACHE_MAX_BYTES", 5 * 1024 * 1024))
        if self.seconds > 0:
            timeline_cache.connect_signals()

    def cacheable(self, request: HttpRequest) -> bool:
        return (
            self.seconds > 0
            and request.method in ("GET", "HEAD")
            and request.path in self.paths
            and "HTTP_AUTHORIZATION" not in request.META
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.cacheable(request):
            return self.get_response(request)
        parts = (
            "response",
            request.get_full_path(),
            request.META.get("HTTP_ACCEPT", ""),
            request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
        )
        try:
            key = self.timeline_cache.cache_key(parts)
            stored = cache.get(key)
        except Exception as exc:  # the cache is down: serve from the database
            logger.warning("timeline cache unavailable: %s", exc)
            return self.get_response(request)
        if stored is not None:
            return self._answer(request, stored)
        response = self.get_response(request)
        if request.method != "GET" or response.status_code != 200 or response.has_header("Set-Cookie"):
            return response
        if response.streaming:
            body, response = self._drain(response)
            if body is None:
                return response
        else:
            body = response.content
        entry = {"status": 200, "headers": {h: response[h] for h in self.HEADERS if h in response}, "body": body}
        try:
            cache.set(key, entry, timeout=self.seconds)
        except Exception as exc:
            logger.warning("timeline cache unavailable: %s", exc)
        return response

    def _drain(self, response: HttpResponse) -> tuple[bytes | None, HttpResponse]:
        """Read a streamed answer up to the size limit: its bytes, or None and an equivalent stream."""
        from django.http import StreamingHttpResponse

        chunks: list[bytes] = []
        size = 0
        iterator = iter(response.streaming_content)
        for chunk in iterator:
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_bytes:

                def rest(head: list[bytes] = chunks, tail=iterator):
                    yield from head
                    yield from tail

                replacement = StreamingHttpResponse(rest(), status=response.status_code)
                for name, value in response.items():
                    replacement[name] = value
                return None, replacement
        if hasattr(response, "close"):
            response.close()
        body = b"".join(chunks)
        plain = HttpResponse(body, status=response.status_code)
        for name, value in response.items():
            plain[name] = value
        return body, plain

    def _answer(self, request: HttpRequest, stored: dict) -> HttpResponse:
        from django.utils.cache import get_conditional_response

        response = HttpResponse(stored["body"], status=stored["status"])
        for name, value in stored["headers"].items():
            response[name] = value
        response["X-Cache"] = "hit"
        etag = stored["headers"].get("ETag")
        answer = get_conditional_response(request, etag=etag, response=response) if etag else response
        return answer or response
