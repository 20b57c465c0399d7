"""Write endpoints: token roles (401/403), report submission (202/200/503), extraction, corrections.

Submission and extraction run the real ingestion service and extraction engine; only what is
outside the project is simulated: the news site (a local HTTP server) and the task queue (tasks
run eagerly, or the broker is unreachable).
"""

from collections.abc import Iterator

import pytest

from tests import api_factories as fx
from tests import test_ingest_support as support
from tests.test_ingest_support import article_html
from tracker.celery import app
from visits.models import Evidence, Meeting, Report, ReportStatus, Trip

pytest_plugins = ["tests.api_factories"]

pytestmark = pytest.mark.django_db

site = support.site  # a local news site (shared fixture)
allow_local = support.allow_local  # lets the fetcher reach 127.0.0.1

ARTICLE = article_html(
    "NATO chief visits Georgia",
    [
        "NATO Secretary General Jens Stoltenberg arrived in Tbilisi on Monday for an official visit to Georgia.",
        "He met Prime Minister Irakli Kobakhidze to discuss the country's path towards membership.",
    ],
    extra_head='<meta property="article:published_time" content="2024-03-18T09:00:00+04:00">',
)
FRENCH_REPORT = (
    "Le 18 mars 2024, le secrétaire général de l'OTAN, Jens Stoltenberg, est arrivé à Tbilissi pour une"
    " visite officielle en Géorgie. Il a rencontré le Premier ministre Irakli Kobakhidze."
)


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Run Celery tasks in this process when they are sent (the app read its settings at import)."""
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def broker_down(monkeypatch) -> Iterator[None]:
    """Point the Celery app at a broker nobody listens on (port 1), then restore it."""
    # Celery prefers the CELERY_BROKER_URL variable (set in CI) over its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    saved = app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager
    app.conf.broker_url, app.conf.broker_transport_options = "redis://127.0.0.1:1/0", {}
    app.conf.task_always_eager = False
    app._pool, app.amqp._producer_pool = None, None
    yield
    app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager = saved
    app._pool, app.amqp._producer_pool = None, None


def auth(api, role):
    _, key = fx.user_with_role(role)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_submit_report_roles_and_pipeline(api, site, allow_local, eager_tasks, django_capture_on_commit_callbacks):
    fx.country("GE")
    url = site.html("/news/visit", ARTICLE)
    body = {"url": url + "?utm_source=feed"}
    response = api.post("/api/v1/reports", body, format="json")
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    assert "Token" in response["WWW-Authenticate"]
    assert auth(api, "viewer").post("/api/v1/reports", body, format="json").status_code == 403
    assert not Report.objects.exists() and not site.requests

    with django_capture_on_commit_callbacks(execute=True):
        response = auth(api, "analyst").post("/api/v1/reports", body, format="json")
    assert response.status_code == 202, response.content
    data = response.json()
    assert data["status"] == "queued" and data["status_url"] == f"http://testserver/api/v1/reports/{data['id']}"
    assert response["Location"] == data["status_url"]
    # The task ran once the request committed: page fetched, cleaned, extracted and merged.
    report = Report.objects.get(pk=data["id"])
    assert report.url == url and len(site.requests) == 1
    assert report.status == ReportStatus.DONE, report.error
    assert report.title == "NATO chief visits Georgia" and report.text.startswith("NATO Secretary General")
    trip = Trip.objects.get(evidence__report=report)
    assert trip.traveller.name == "Jens Stoltenberg" and [s.country_id for s in trip.stops.all()] == ["GE"]
    status = api.get(data["status_url"]).json()
    assert status["id"] == report.pk and status["status"] == "done"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = api.post("/api/v1/reports", {"url": url}, format="json")  # the same normalised URL
    assert again.status_code == 200 and again.json()["id"] == report.pk and not callbacks
    assert len(site.requests) == 1 and Report.objects.count() == 1


def test_submit_report_queues_a_task_on_the_broker(api, django_capture_on_commit_callbacks, monkeypatch):
    """Without eager tasks the report waits, queued, with the id of the task sent to the broker."""
    sent = []
    monkeypatch.setattr(app.amqp, "send_task_message", lambda producer, name, message, **kw: sent.append(name))
    with django_capture_on_commit_callbacks(execute=True):
        response = auth(api, "analyst").post("/api/v1/reports", {"url": "https://news.example/a"}, format="json")
    assert response.status_code == 202, response.content
    report = Report.objects.get(pk=response.json()["id"])
    assert report.status == ReportStatus.QUEUED and report.task_id and sent == ["visits.tasks.fetch_report"]


def test_submit_report_broker_down_is_503_and_writes_nothing(api, broker_down):
    auth(api, "editor")
    response = api.post("/api/v1/reports", {"url": "https://news.example/x"}, format="json")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response["Content-Type"] == "application/problem+json" and response.json()["status"] == 503
    assert not Report.objects.exists()


def test_submit_report_bad_bodies(api, eager_tasks):
    auth(api, "editor")
    response = api.post("/api/v1/reports", {"url": "not a url"}, format="json")
    assert response.status_code == 400 and "url" in response.json()["errors"]
    response = api.post("/api/v1/reports", {"url": "ftp://files.example/x"}, format="json")
    assert response.status_code == 400 and "url" in response.json()["errors"]
    response = api.post("/api/v1/reports", "url=https://x.example", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    response = api.post("/api/v1/reports", "{not json", content_type="application/json")
    assert response.status_code == 400
    big = '{"url": "https://x.example/' + "a" * (6 * 1024 * 1024) + '"}'
    assert api.post("/api/v1/reports", big, content_type="application/json").status_code == 413
    assert not Report.objects.exists()


def test_extract_preview_runs_the_engine_and_saves_nothing(api):
    fx.country("GE")
    body = {"text": FRENCH_REPORT, "language": "fr", "published": "2024-03-18"}
    assert api.post("/api/v1/extract", body, format="json").status_code == 401
    assert auth(api, "viewer").post("/api/v1/extract", body, format="json").status_code == 403
    response = auth(api, "analyst").post("/api/v1/extract", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["report"]["language"] == "fr" and data["report"]["published"] == "2024-03-18"
    [trip] = data["trips"]
    assert trip["traveller"]["name"] == "Jens Stoltenberg" and trip["start"] == "2024-03-18"
    assert [stop["country"] for stop in trip["stops"]] == ["GE"] and trip["stops"][0]["city"] == "Tbilisi"
    quote = trip["evidence"][0]
    assert FRENCH_REPORT[quote["start"] : quote["end"]] == quote["quote"]
    assert {"Jens Stoltenberg", "Irakli Kobakhidze"} <= {o["name"] for o in data["officials"]}
    assert not Trip.objects.exists() and not Report.objects.exists()


def test_extract_preview_of_a_url_and_bad_bodies(api, site, allow_local):
    fx.country("GE")
    url = site.html("/news/visit", ARTICLE)
    auth(api, "analyst")
    response = api.post("/api/v1/extract", {"url": url}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["report"]["language"] == "en" and data["report"]["published"] == "2024-03-18"
    assert [(t["traveller"]["name"], [s["country"] for s in t["stops"]]) for t in data["trips"]] == [
        ("Jens Stoltenberg", ["GE"])
    ]
    missing = api.post("/api/v1/extract", {"url": site.url("/gone")}, format="json")
    assert missing.status_code == 400 and "url" in missing.json()["errors"]
    assert api.post("/api/v1/extract", {}, format="json").status_code == 400
    both = api.post("/api/v1/extract", {"text": "x", "url": url}, format="json")
    assert both.status_code == 400
    unread = api.post("/api/v1/extract", {"text": "בוקר טוב, ירושלים", "language": "he"}, format="json")
    assert unread.status_code == 200 and unread.json()["report"]["reading"] == "partial"
    assert not Report.objects.exists()


def test_patch_trip_needs_editor_and_keeps_history(api):
    trip = fx.trip(when="2024-03-10")
    assert (
        auth(api, "analyst").patch(f"/api/v1/trips/{trip.pk}", {"status": "cancelled"}, format="json").status_code
        == 403
    )
    user, key = fx.user_with_role("editor")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.patch(f"/api/v1/trips/{trip.pk}", {"status": "cancelled", "start": "2024-03"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled" and response.json()["precision"] == "month"
    trip.refresh_from_db()
    assert trip.status == "cancelled" and trip.history.first().history_user == user
    bad = api.patch(f"/api/v1/trips/{trip.pk}", {"status": "held"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()["errors"]
    bad = api.patch(f"/api/v1/trips/{trip.pk}", {"traveller": 1}, format="json")
    assert bad.status_code == 400 and "traveller" in bad.json()["errors"]
    assert api.patch("/api/v1/trips/999999", {"status": "cancelled"}, format="json").status_code == 404


def test_merge_split_and_review(api):
    auth(api, "admin")
    traveller = fx.person()
    keep = fx.trip(traveller, when="2024-03-10", stops=[("GE", ["Tbilisi"], []), ("AM", ["Yerevan"], [])])
    other = fx.trip(traveller, when="2024-03-10", stops=[("GE", ["Batumi"], [])])
    response = api.post(f"/api/v1/trips/{keep.pk}/merge", {"other": other.pk}, format="json")
    assert response.status_code == 200, response.content
    assert not Trip.objects.filter(pk=other.pk).exists()
    assert api.post(f"/api/v1/trips/{keep.pk}/merge", {"other": keep.pk}, format="json").status_code == 400
    assert api.post(f"/api/v1/trips/{keep.pk}/merge", {"other": "x"}, format="json").status_code == 400

    am_stop = keep.stops.get(country_id="AM")
    response = api.post(f"/api/v1/trips/{keep.pk}/split", {"stops": [am_stop.pk]}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["stops"][0]["country"]["code"] == "AM" and response.json()["id"] != keep.pk
    assert api.post(f"/api/v1/trips/{keep.pk}/split", {"stops": [999999]}, format="json").status_code == 400

    m1, m2 = fx.meeting(when="2024-03-11"), fx.meeting(when="2024-03-11")
    response = api.post(f"/api/v1/meetings/{m1.pk}/merge", {"other": m2.pk}, format="json")
    assert response.status_code == 200, response.content
    assert not Meeting.objects.filter(pk=m2.pk).exists()

    evidence = Evidence.objects.filter(meeting=m1).first()
    response = api.post(f"/api/v1/evidence/{evidence.pk}/review", {"state": "rejected"}, format="json")
    assert response.status_code == 200 and response.json()["review_state"] == "rejected"
    assert api.post(f"/api/v1/evidence/{evidence.pk}/review", {"state": "maybe"}, format="json").status_code == 400


def test_reads_stay_public_for_token_holders_and_anonymous(api):
    trip = fx.trip()
    assert api.get(f"/api/v1/trips/{trip.pk}").status_code == 200
    assert auth(api, "viewer").get(f"/api/v1/trips/{trip.pk}").status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert api.get("/api/v1/trips").status_code == 401
