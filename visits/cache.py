"""Server-side caching of hot timeline reads, invalidated by a version number.

Every cache key built here embeds the current *timeline version*, a counter kept
in the cache itself (Redis when ``CACHE_URL`` is set, so shared by all web
processes and workers). Saving or deleting a trip, stop, meeting, participation,
piece of evidence, person, position, organization or topic bumps the counter once
the transaction commits, so every cached page built before the change is no
longer looked up and simply expires. Nothing has to know which keys to delete.

Use from a view::

    from visits import cache as timeline_cache

    body = timeline_cache.get_or_build(("timeline", request.GET.urlencode(), fmt), build_body)

Writes that bypass model signals (``QuerySet.update``, ``bulk_create``, raw SQL in
importers) call ``bump_timeline_version()`` themselves; ``TIMELINE_CACHE_SECONDS``
(default 300) bounds staleness in any case.

``connect_signals()`` is called from ``VisitsConfig.ready()``; it is idempotent.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)

T = TypeVar("T")
VERSION_KEY = "tracker:timeline-version"
KEY_PREFIX = "tracker:timeline"
#: models whose rows appear in timeline entries (by name in the visits app)
WATCHED_MODELS = (
    "Trip",
    "Stop",
    "Meeting",
    "Participation",
    "Evidence",
    "StopTopic",
    "MeetingTopic",
    "Person",
    "Position",
    "Organization",
    "Topic",
)
_MISSING = object()


def timeout() -> int:
    """Seconds a cached timeline entry lives at most (``TIMELINE_CACHE_SECONDS``)."""
    return int(getattr(settings, "TIMELINE_CACHE_SECONDS", 300))


def timeline_version() -> int:
    """The current version; starts at 1 (again after a cache flush, which also dropped the entries)."""
    value = cache.get(VERSION_KEY)
    if value is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        value = cache.get(VERSION_KEY, 1)
    return int(value)


def bump_timeline_version() -> int:
    """Make every cached timeline entry stale now; returns the new version."""
    try:
        return int(cache.incr(VERSION_KEY))
    except ValueError:  # no version yet (new or flushed cache)
        if cache.add(VERSION_KEY, 2, timeout=None):
            return 2
        return int(cache.incr(VERSION_KEY))


def cache_key(parts: Iterable[Any]) -> str:
    """A key for a request's distinguishing parts (path, sorted query, format, language ...)."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode("utf-8")).hexdigest()[:40]
    return f"{KEY_PREFIX}:v{timeline_version()}:{digest}"


def get_or_build(parts: Iterable[Any], build: Callable[[], T], *, seconds: int | None = None) -> T:
    """The cached value for ``parts`` at the current version, or ``build()`` stored under it.

    A cache that is down is not an error: the value is built and returned uncached.
    """
    try:
        key = cache_key(parts)
        value = cache.get(key, _MISSING)
    except Exception as exc:  # Redis away: serve from the database
        logger.warning("timeline cache unavailable: %s", exc)
        return build()
    if value is not _MISSING:
        return value  # type: ignore[return-value]
    value = build()
    try:
        cache.set(key, value, timeout=timeout() if seconds is None else seconds)
    except Exception as exc:
        logger.warning("timeline cache unavailable: %s", exc)
    return value


def _bump_after_commit() -> None:
    try:
        bump_timeline_version()
    except Exception as exc:  # the TTL still bounds staleness
        logger.warning("could not bump the timeline cache version: %s", exc)


def _already_scheduled() -> bool:
    """Whether this transaction already has a pending bump (one per transaction is enough)."""
    pending = getattr(connection, "run_on_commit", None) or []
    return any(len(item) > 1 and item[1] is _bump_after_commit for item in pending)


def schedule_bump(**_: Any) -> None:
    """Signal receiver: bump the version when the current transaction commits (now in autocommit)."""
    if connection.in_atomic_block and _already_scheduled():
        return
    transaction.on_commit(_bump_after_commit)


def connect_signals() -> None:
    """Connect ``schedule_bump`` to save/delete of the watched models (safe to call twice)."""
    from django.apps import apps

    for name in WATCHED_MODELS:
        try:
            model = apps.get_model("visits", name)
        except LookupError:
            continue
        post_save.connect(schedule_bump, sender=model, dispatch_uid=f"timeline-cache-save-{name}")
        post_delete.connect(schedule_bump, sender=model, dispatch_uid=f"timeline-cache-delete-{name}")
