"""Errors as RFC 9457 problem details (``application/problem+json``), for every API failure.

``exception_handler`` is DRF's handler; ``handler404``/``handler500`` answer Django's own
errors with a problem document on /api/ paths and defer to Django's pages elsewhere.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import orjson
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpResponse
from django.views import defaults
from rest_framework import exceptions, status

from visits.timeline.query import QueryError

logger = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://tracker.invalid/problems/"
CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Invalid request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Server error",
    503: "Service unavailable",
}
SLUGS = {
    400: "invalid-request",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    429: "throttled",
    500: "server-error",
    503: "unavailable",
}


def problem_response(
    status_code: int,
    detail: str,
    *,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    title: str | None = None,
) -> HttpResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + SLUGS.get(status_code, "error"),
        "title": title or TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = HttpResponse(orjson.dumps(body), status=status_code, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF error details as {parameter or field path: [messages]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in _flatten(value, name).items():
                out.setdefault(field, []).extend(messages)
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            for field, messages in _flatten(item, f"{prefix}[{index}]").items():
                out.setdefault(field, []).extend(messages)
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def _validation_detail(errors: dict[str, list[str]]) -> str:
    parts = [f"{name}: {' '.join(messages)}" for name, messages in errors.items()]
    return "; ".join(parts) or "The request is not valid."


def exception_handler(exc: Exception, context: dict) -> HttpResponse | None:
    """DRF exception handler that answers every error with problem+json."""
    if isinstance(exc, QueryError):  # bad timeline parameters, raised by the domain
        exc = exceptions.ValidationError(exc.errors)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        return problem_response(413, "The request body is larger than this API accepts.")
    elif isinstance(exc, SuspiciousOperation):
        return problem_response(400, "The request could not be understood.")

    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: let Django log it and answer with handler500

    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(max(1, math.ceil(exc.wait)))

    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        return problem_response(status.HTTP_400_BAD_REQUEST, _validation_detail(errors), errors=errors)
    if isinstance(exc, exceptions.ParseError):
        return problem_response(400, f"The request body could not be parsed: {exc.detail}", headers=headers)
    detail = exc.detail if isinstance(exc.detail, str) else _validation_detail(_flatten(exc.detail))
    return problem_response(exc.status_code, str(detail), headers=headers)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def handler404(request, exception=None):
    if _is_api(request):
        return problem_response(404, f"There is nothing at {request.path}. See /api/v1/docs/ for the endpoints.")
    return defaults.page_not_found(request, exception)


def handler500(request):
    if _is_api(request):
        return problem_response(500, "Something went wrong on our side; it has been logged.")
    return defaults.server_error(request)
