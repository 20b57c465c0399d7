"""Alerts: saved searches with an Atom feed, and webhooks POSTed to a real receiver on loopback."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import User

from tests import api_factories as f
from tracker.celery import app as celery_app
from visits import alerts
from visits.alert_tasks import alerts_deliver_webhook
from visits.models import Change, Report, SavedSearch, Trip, Webhook, WebhookDelivery
from visits.services import refresh, writer
from visits.services.merge import merge_extraction

pytestmark = pytest.mark.django_db


class Receiver:
    """A webhook receiver on 127.0.0.1: records each POST; answers the statuses queued, then 200."""

    def __init__(self, port: int = 0) -> None:
        self.posts: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.posts.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def payloads(self) -> list[dict]:
        return [json.loads(body) for _, body in self.posts]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def eager():
    """Run Celery tasks in-process (the delivery tasks and their retries)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def retries_in_process():
    """Eager ``apply`` runs each retry at once (no countdown); it must not raise the Retry it handles."""
    before = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = before


@pytest.fixture
def no_private(settings):
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = []
    return settings


def saved(query: str, url: str, **hook) -> Webhook:
    owner = User.objects.create_user(username=f"analyst{User.objects.count()}", password="x" * 16)
    search = SavedSearch.objects.create(owner=owner, name=f"Watching {query}", query=query)
    return Webhook.objects.create(saved_search=search, url=url, **hook)


def record(django_capture_on_commit_callbacks, *args, **kwargs) -> Change:
    """Write a row of the changes feed as the services do, and run what waits for the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        return refresh.record(*args, **kwargs)


def test_each_change_is_delivered_once_with_a_valid_signature(
    receiver, eager, no_private, django_capture_on_commit_callbacks
):
    hook = saved("country=AM", receiver.url, allow_private=True)
    armenia = f.trip(when="2024-03-18", stops=[("AM", ["Yerevan"], [])])
    france = f.trip(when="2024-03-18", stops=[("FR", ["Paris"], [])])
    created = record(django_capture_on_commit_callbacks, "trip", armenia.pk, "created")
    record(django_capture_on_commit_callbacks, "trip", france.pk, "created")  # matches no saved search
    updated = record(django_capture_on_commit_callbacks, "trip", armenia.pk, "updated")
    # the same change dispatched again (a task delivered twice) tells nobody twice
    assert alerts.dispatch(created) == []

    assert len(receiver.posts) == 2
    for headers, body in receiver.posts:
        assert headers["Content-Type"].startswith("application/json")
        assert alerts.verify(hook.secret, body, headers["X-Tracker-Signature"])
        assert not alerts.verify("another secret", body, headers["X-Tracker-Signature"])
    first, second = receiver.payloads()
    assert (first["event"], first["change"]["id"], first["entry"]["id"]) == ("trip.new", created.pk, armenia.pk)
    assert (second["event"], second["change"]["id"]) == ("trip.changed", updated.pk)
    assert first["entry"]["url"] == f"/trips/{armenia.pk}/"
    assert first["saved_search"]["query"] == "country=AM"
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("delivered", 1)}


def test_changes_written_in_bulk_are_delivered_too(receiver, eager, no_private, django_capture_on_commit_callbacks):
    """Importers and the report merge write the feed with one bulk insert, which sends no post_save."""
    saved("country=AM", receiver.url, allow_private=True)
    armenia = f.trip(when="2024-03-18", stops=[("AM", ["Yerevan"], [])])
    georgia = f.trip(when="2024-03-18", stops=[("GE", ["Tbilisi"], [])])
    changes = writer.ChangeSet()
    changes.created("trip", [armenia.pk, georgia.pk])
    with django_capture_on_commit_callbacks(execute=True):
        rows = writer.write_changes(changes)

    assert len(rows) == 2
    assert [(p["event"], p["entry"]["id"]) for p in receiver.payloads()] == [("trip.new", armenia.pk)]


def test_a_report_merged_into_the_timeline_is_delivered(
    receiver, eager, no_private, django_capture_on_commit_callbacks
):
    saved("country=AM", receiver.url, allow_private=True)
    f.country("AM")
    traveller = f.person("Jens Stoltenberg")
    report = Report.objects.create(kind=Report.Kind.FILE, language="en", text="a report")
    extraction = {
        "report": {"language": "en", "published": "2024-03-18"},
        "officials": [{"name": traveller.name}],
        "trips": [
            {
                "traveller": {"name": traveller.name},
                "stops": [{"country": "AM"}],
                "status": "completed",
                "start": "2024-03-18",
                "end": "2024-03-18",
                "precision": "day",
            }
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        merge_extraction(report, extraction)

    trip = Trip.objects.get(traveller=traveller)
    assert [(p["event"], p["entry"]["id"]) for p in receiver.payloads()] == [("trip.new", trip.pk)]


def test_a_merge_is_told_with_the_entry_it_went_into(receiver, eager, no_private, django_capture_on_commit_callbacks):
    saved("country=AM", receiver.url, allow_private=True)
    keep = f.trip(when="2024-03-18", stops=[("AM", ["Yerevan"], [])])
    record(django_capture_on_commit_callbacks, "trip", keep.pk + 1000, "merged", merged_into=keep.pk)
    (payload,) = receiver.payloads()
    assert payload["event"] == "trip.merged" and payload["entry"]["id"] == keep.pk


def test_a_receiver_that_is_down_gets_it_later(no_private, retries_in_process):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    hook = saved("", f"http://127.0.0.1:{port}/hook", allow_private=True)
    trip = f.trip(stops=[("AM", ["Yerevan"], [])])
    change = refresh.record("trip", trip.pk, "created")
    (delivery,) = alerts.dispatch(change)
    with pytest.raises(alerts.DeliveryError):
        alerts.deliver(delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("retrying", 1)
    assert "network error" in delivery.last_error

    late = Receiver(port)  # the receiver is back
    try:
        assert alerts_deliver_webhook.apply(args=[delivery.pk]).get() == "delivered"
    finally:
        late.stop()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 2, "")
    (headers, body) = late.posts[0]
    assert alerts.verify(hook.secret, body, headers["X-Tracker-Signature"])
    assert len(late.posts) == 1


def test_server_errors_are_retried_with_backoff_by_the_task(receiver, no_private, retries_in_process):
    saved("", receiver.url, allow_private=True)
    receiver.statuses = [503, 502]
    change = refresh.record("trip", f.trip().pk, "created")
    (delivery,) = alerts.dispatch(change)
    assert alerts_deliver_webhook.apply(args=[delivery.pk]).get() == "delivered"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert len(receiver.posts) == 3
    assert len({body for _, body in receiver.posts}) == 1  # the same signed body every time


def test_a_client_error_is_not_retried(receiver, no_private, retries_in_process):
    saved("", receiver.url, allow_private=True)
    receiver.statuses = [410]
    (delivery,) = alerts.dispatch(refresh.record("trip", f.trip().pk, "created"))
    assert alerts_deliver_webhook.apply(args=[delivery.pk]).get() == "failed"
    assert len(receiver.posts) == 1


def test_a_private_address_is_refused_unless_allowed(receiver, no_private):
    hook = saved("", receiver.url)
    (delivery,) = alerts.dispatch(refresh.record("trip", f.trip().pk, "created"))
    assert alerts.deliver(delivery).status == "refused"
    assert "non-public address 127.0.0.1" in delivery.last_error
    assert receiver.posts == []

    hook.allow_private = True  # allowed for this webhook
    hook.save()
    delivery.status = "pending"
    delivery.refresh_from_db(fields=["webhook"])
    assert alerts.deliver(delivery).status == "delivered"
    assert len(receiver.posts) == 1


def test_a_private_address_is_allowed_by_the_ingestion_setting(receiver, settings):
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    saved("", receiver.url)
    (delivery,) = alerts.dispatch(refresh.record("trip", f.trip().pk, "created"))
    assert alerts.deliver(delivery).status == "delivered"


def test_only_http_urls_are_posted_to(no_private):
    saved("", "ftp://example.org/hook", allow_private=True)
    (delivery,) = alerts.dispatch(refresh.record("trip", f.trip().pk, "created"))
    assert alerts.deliver(delivery).status == "refused"


def test_saved_search_has_an_atom_feed(client):
    armenia = f.trip(f.person("Jens Stoltenberg"), stops=[("AM", ["Yerevan"], [])])
    f.trip(f.person("Someone Else"), stops=[("FR", ["Paris"], [])])
    search = SavedSearch.objects.create(
        owner=User.objects.create_user("analyst", password="x" * 16), name="Armenia", query="country=AM"
    )
    response = client.get(f"/alerts/{search.feed_token}/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    xml = response.content.decode()
    assert "<title>Stoltenberg in Armenia</title>" in xml
    assert f"/trips/{armenia.pk}/" in xml
    assert "Paris" not in xml and "France" not in xml


def test_admin_shows_the_delivery_log(client, receiver, no_private):
    hook = saved("", receiver.url, allow_private=True)
    (delivery,) = alerts.dispatch(refresh.record("trip", f.trip().pk, "created"))
    alerts.deliver(delivery)
    client.force_login(User.objects.create_superuser("root", password="x" * 16))
    page = client.get(f"/admin/visits/webhook/{hook.pk}/change/").content.decode()
    assert "trip.new" in page and "delivered" in page
    assert client.get("/admin/visits/webhookdelivery/").status_code == 200
    assert client.get(f"/admin/visits/savedsearch/{hook.saved_search.pk}/change/").status_code == 200
