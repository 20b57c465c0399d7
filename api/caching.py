"""HTTP caching of reads: ETag (a hash of the page), Last-Modified, 304 answers, Cache-Control."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.http import HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

CACHE_CONTROL = "public, max-age=60"


def conditional(request, response: HttpResponseBase, last_modified: dt.datetime | None = None) -> HttpResponseBase:
    """Add validators to a successful read and answer 304 when the client already has it.

    The ETag hashes the rendered body, so any change to what a client would see (a child
    row, a review state, a deletion) changes it; Last-Modified is the newest ``updated_at``
    among the objects shown.
    """
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.streaming:
        return response
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    etag = '"' + hashlib.blake2b(response.content, digest_size=16).hexdigest() + '"'
    response["ETag"] = etag
    timestamp = int(last_modified.timestamp()) if last_modified is not None else None
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    response["Cache-Control"] = CACHE_CONTROL
    answer = get_conditional_response(
        request._request if hasattr(request, "_request") else request,
        etag=etag,
        last_modified=timestamp,
        response=response,
    )
    if answer is not response and isinstance(answer, HttpResponse) and answer.status_code == 304:
        answer["Cache-Control"] = CACHE_CONTROL
        for header in ("Vary", "Access-Control-Allow-Origin"):
            if header in response:
                answer[header] = response[header]
    return answer
