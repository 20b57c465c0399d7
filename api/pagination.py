"""Keyset pages in the API: the domain's pagination (``visits.timeline.pagination``) and page links."""

from __future__ import annotations

from visits.timeline.pagination import (  # noqa: F401 - the API's names for the domain's pagination
    DEFAULT_PAGE_SIZE,
    FACT_ORDERINGS,
    MAX_PAGE_SIZE,
    NULL_DATE,
    Ordering,
    Page,
    Source,
    date_ordering,
    iterate_all,
    page_size_from,
    paginate,
    updated_ordering,
    wants_count,
)


def page_link(request, cursor: str | None) -> str | None:
    """The absolute URL of this request with ``cursor`` replaced."""
    if cursor is None:
        return None
    query = request.query_params.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
