"""Alerts: which saved searches a change of the timeline concerns, and telling their webhooks.

Flow: a row of the changes feed (``visits.models.Change``) is saved inside the transaction
that changed the timeline; once that transaction commits, ``dispatch_change`` (a Celery task)
finds the saved searches whose filter matches the changed entry (for a merge: the entry it
was merged into) and creates one ``WebhookDelivery`` per active webhook, at most one per
webhook and change (a unique constraint), then sends one delivery task each.

``deliver`` POSTs the JSON body with ``X-Tracker-Signature: sha256=<hex HMAC-SHA256 of the
body keyed with the webhook's secret>``. The address is checked as fetching checks it
(``visits.ingestion.fetch``): resolved once, refused unless public, unless the webhook has
``allow_private`` or the host is in ``settings.INGEST_ALLOWED_PRIVATE_HOSTS``, and then
connected to that very address; redirects are not followed. Transient failures (network,
timeouts, 408/429/5xx) are retried with exponential backoff by the task.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import parse_qs

import urllib3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from urllib3.exceptions import HTTPError as Urllib3HTTPError

from visits import titles
from visits.ingestion import fetch
from visits.ingestion.fetch import FetchError
from visits.models import Change, Meeting, SavedSearch, Trip, Webhook, WebhookDelivery

SIGNATURE_HEADER = "X-Tracker-Signature"
EVENTS = {"created": "new", "updated": "changed", "merged": "merged"}
#: Parameters that shape a response rather than select entries; ignored in a saved search.
SHAPE_PARAMETERS = frozenset({"cursor", "page_size", "count", "format", "ordering", "page", "lang", "theme", "accent"})
MAX_RESPONSE_BYTES = 64 * 1024


def filter_timeline(params):
    """The timeline's own filter."""
    from visits.timeline.query import filter_timeline as run

    return run(params)


def search_params(query: str) -> QueryDict:
    """A saved search's filter parameters, without the ones that only shape a response."""
    params = QueryDict(mutable=True)
    for name, values in parse_qs(query or "", keep_blank_values=False).items():
        if name not in SHAPE_PARAMETERS:
            params.setlist(name, values)
    return params


def validate_query(query: str) -> None:
    """Raises (the timeline filter's error) when ``query`` is not a valid timeline filter."""
    trips, _meetings = filter_timeline(search_params(query))
    trips.exists()


def matching_entries(search: SavedSearch, *, limit: int = 50) -> list[Trip | Meeting]:
    """The saved search's entries, most recently changed first (for its feed)."""
    trips, meetings = filter_timeline(search_params(search.query))
    trips = list(trips.select_related("traveller").prefetch_related("stops__country").order_by("-updated_at")[:limit])
    meetings = list(
        meetings.select_related("country", "trip")
        .prefetch_related("participations__person")
        .order_by("-updated_at")[:limit]
    )
    return sorted([*trips, *meetings], key=lambda e: e.updated_at, reverse=True)[:limit]


def matches(search: SavedSearch, kind: str, object_id: int) -> bool:
    try:
        trips, meetings = filter_timeline(search_params(search.query))
    except Exception:  # a saved search that no longer parses (a topic deleted) matches nothing
        return False
    return (trips if kind == "trip" else meetings).filter(pk=object_id).exists()


# --- Payload -------------------------------------------------------------------------------------


def entry_link(entry: Trip | Meeting) -> str:
    if isinstance(entry, Trip):
        return reverse("visits:trip", args=[entry.pk])
    if entry.trip_id:
        return reverse("visits:trip", args=[entry.trip_id]) + f"#meeting-{entry.pk}"
    return reverse("api:meeting-detail", args=[entry.pk])


def entry_title(entry: Trip | Meeting) -> str:
    return titles.trip_title(entry) if isinstance(entry, Trip) else titles.meeting_title(entry)


def entry_data(entry: Trip | Meeting) -> dict[str, Any]:
    common = {
        "id": entry.pk,
        "title": entry_title(entry),
        "status": entry.status,
        "start": entry.start_date.isoformat() if entry.start_date else None,
        "end": entry.end_date.isoformat() if entry.end_date else None,
        "precision": entry.precision,
        "url": _absolute(entry_link(entry)),
        "updated_at": entry.updated_at.isoformat(),
    }
    if isinstance(entry, Trip):
        stops = entry.stops.order_by("order", "start_date", "id")
        return {
            "type": "trip",
            **common,
            "traveller": {"slug": entry.traveller.slug, "name": entry.traveller.name},
            "stops": [{"country": s.country_id, "cities": s.cities} for s in stops],
        }
    people = entry.participations.select_related("person").order_by("-is_host", "id")
    return {
        "type": "meeting",
        **common,
        "kind": entry.kind,
        "country": entry.country_id,
        "city": entry.city,
        "trip": entry.trip_id,
        "participants": [{"slug": p.person.slug, "name": p.person.name, "is_host": p.is_host} for p in people],
    }


def _absolute(path: str) -> str:
    base = getattr(settings, "SITE_URL", "") or ""
    return f"{base.rstrip('/')}{path}" if base else path


def _load_entry(kind: str, object_id: int) -> Trip | Meeting | None:
    model = Trip if kind == "trip" else Meeting
    return model.objects.filter(pk=object_id).first()


def payload(change: Change, search: SavedSearch, entry: Trip | Meeting) -> dict[str, Any]:
    return {
        "event": f"{change.kind}.{EVENTS.get(change.action, change.action)}",
        "change": {
            "id": change.pk,
            "kind": change.kind,
            "object_id": change.object_id,
            "action": change.action,
            "merged_into": change.merged_into,
            "at": change.at.isoformat(),
        },
        "saved_search": {"id": search.pk, "name": search.name, "query": search.query},
        "entry": entry_data(entry),
    }


# --- Dispatch --------------------------------------------------------------------------------------


def on_change_saved(sender, instance: Change, created: bool, **kwargs) -> None:
    """post_save of Change: once the transaction commits, work out who to tell (in a task)."""
    if created:
        changes_written([instance])


def changes_written(changes: list[Change]) -> None:
    """Feed rows just written (one by one or in bulk, which sends no signal): dispatch each, after commit."""
    change_ids = [change.pk for change in changes if change.action in EVENTS]
    if not change_ids or not Webhook.objects.filter(active=True).exists():
        return

    def send() -> None:
        from visits.alert_tasks import alerts_dispatch_change

        for change_id in change_ids:
            alerts_dispatch_change.delay(change_id)

    transaction.on_commit(send)


def connect_signals() -> None:
    """Hook on the changes feed; also registers the alert tasks (web and workers both run this)."""
    from django.db.models.signals import post_save

    from visits import alert_tasks  # noqa: F401 - registers the tasks

    post_save.connect(on_change_saved, sender=Change, dispatch_uid="visits.alerts.on_change_saved")


def dispatch(change: Change) -> list[WebhookDelivery]:
    """One new delivery per active webhook whose saved search matches the change's entry (never two)."""
    if change.action not in EVENTS:
        return []
    object_id = change.merged_into if change.action == Change.Action.MERGED else change.object_id
    entry = _load_entry(change.kind, object_id) if object_id else None
    if entry is None:
        return []
    webhooks = Webhook.objects.filter(active=True).select_related("saved_search").order_by("id")
    verdicts: dict[int, bool] = {}
    created = []
    for webhook in webhooks:
        search = webhook.saved_search
        if search.pk not in verdicts:
            verdicts[search.pk] = matches(search, change.kind, object_id)
        if not verdicts[search.pk]:
            continue
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    webhook=webhook,
                    change=change,
                    event=f"{change.kind}.{EVENTS[change.action]}",
                    payload=payload(change, search, entry),
                )
        except IntegrityError:  # this change was dispatched to this webhook already
            continue
        created.append(delivery)
    return created


# --- Delivery --------------------------------------------------------------------------------------


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does: compare the header with its own signature, in constant time."""
    return hmac.compare_digest(sign(secret, body), header or "")


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool, status: int | None = None, refused: bool = False):
        super().__init__(message)
        self.permanent, self.status, self.refused = permanent, status, refused


def _address(webhook: Webhook, host: str, port: int) -> str:
    if webhook.allow_private:
        return fetch._resolve(host, port)[0]
    return fetch.resolve_checked(host, port)  # refuses non-public addresses unless INGEST_ALLOWED_PRIVATE_HOSTS


def post(webhook: Webhook, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body`` to the webhook's URL on a checked address; the HTTP status, or DeliveryError."""
    try:
        target = fetch._target(webhook.url)
        address = _address(webhook, target.host, target.port)
    except FetchError as exc:
        raise DeliveryError(str(exc), permanent=exc.permanent, refused=str(exc).startswith("refused")) from exc
    pool = fetch._pool(target, address)
    try:
        response = pool.urlopen(
            "POST",
            target.request_path,
            body=body,
            headers={"Host": target.host_header, **headers},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
    except urllib3.exceptions.SSLError as exc:
        raise DeliveryError(f"TLS error for {webhook.url}: {exc}", permanent=False) from exc
    except Urllib3HTTPError as exc:
        raise DeliveryError(f"network error for {webhook.url}: {exc}", permanent=False) from exc
    try:
        response.read(MAX_RESPONSE_BYTES)
    except (Urllib3HTTPError, OSError):
        pass
    finally:
        response.release_conn()
        pool.close()
    status = response.status
    if 200 <= status < 300:
        return status
    transient = status in (408, 429) or status >= 500
    raise DeliveryError(f"HTTP {status} from {webhook.url}", permanent=not transient, status=status)


def deliver(delivery: WebhookDelivery, *, final: bool = False) -> WebhookDelivery:
    """One attempt; records it. Raises DeliveryError when a transient failure is worth retrying (not ``final``)."""
    if delivery.status in (WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.REFUSED):
        return delivery
    webhook = delivery.webhook
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": settings.INGEST_USER_AGENT,
        SIGNATURE_HEADER: sign(webhook.secret, body),
        "X-Tracker-Event": delivery.event,
        "X-Tracker-Delivery": str(delivery.pk),
        "Connection": "close",
    }
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    try:
        delivery.response_status = post(webhook, body, headers)
    except DeliveryError as exc:
        delivery.last_error = str(exc)
        delivery.response_status = exc.status
        if exc.refused:
            delivery.status = WebhookDelivery.Status.REFUSED
        elif exc.permanent or final:
            delivery.status = WebhookDelivery.Status.FAILED
            if final and not exc.permanent:
                delivery.last_error += f" (gave up after {delivery.attempts} attempts)"
        else:
            delivery.status = WebhookDelivery.Status.RETRYING
        delivery.save()
        if delivery.status == WebhookDelivery.Status.RETRYING:
            raise
        return delivery
    delivery.status = WebhookDelivery.Status.DELIVERED
    delivery.delivered_at = timezone.now()
    delivery.last_error = ""
    delivery.save()
    return delivery
