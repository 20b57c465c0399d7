"""What operators rely on: health probes, metrics, request ids, and a dataset that round-trips."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from visits.models import Evidence, Meeting, MeetingTopic, Participation, Person, Position, Report, Stop, Topic, Trip


def test_liveness(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.fixture
def broker_at(monkeypatch):
    """Point the Celery app at a broker of the test's choosing, so no other broker on the machine matters."""
    from tracker.celery import app

    saved = app.conf.broker_url, app.conf.broker_transport_options

    def point(url: str, options: dict | None = None) -> None:
        monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery reads it before its conf
        app.conf.broker_url, app.conf.broker_transport_options = url, options or {}
        app._pool = None

    yield point
    app.conf.broker_url, app.conf.broker_transport_options = saved
    app._pool = None


@pytest.mark.django_db
def test_readiness_checks_database_and_broker(client, broker_at, tmp_path):
    # A real filesystem broker of this test's own: a tracker or a Redis running beside changes nothing.
    folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    broker_at(
        "filesystem://",
        {"data_folder_in": str(folders["queue"]), "data_folder_out": str(folders["queue"]),
         "processed_folder": str(folders["processed"]), "control_folder": str(folders["control"])},
    )  # fmt: skip
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_readiness_reports_an_unreachable_broker(client, broker_at):
    broker_at("redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"]
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error")


@pytest.mark.django_db
def test_metrics_count_reports_per_status(client):
    Report.objects.create(title="a", status="failed", text="x")
    Report.objects.create(title="b", status="done", text="y", content_hash="b")
    text = client.get("/metrics").content.decode()
    assert 'tracker_reports{status="failed"} 1.0' in text
    assert 'tracker_reports{status="done"} 1.0' in text
    assert "django_http_requests_total_by_method_total" in text


def test_request_id_is_echoed_or_made(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    assert len(client.get("/healthz")["X-Request-ID"]) == 32


def test_json_log_lines_carry_extra_fields():
    import logging

    from tracker.logs import JSONFormatter

    record = logging.makeLogRecord({"msg": "fetched %s", "args": ("x",), "levelname": "INFO", "report_id": 7})
    line = json.loads(JSONFormatter().format(record))
    assert line["message"] == "fetched x"
    assert line["report_id"] == 7


@pytest.fixture
def small_dataset(caucasus):
    person = Person.objects.create(name="Jens Stoltenberg", slug="jens-stoltenberg")
    person.aliases.create(name="Йенс Столтенберг", language="ru")
    Position.objects.create(person=person, title="Secretary General", country=caucasus["AZ"])
    trip = Trip.objects.create(
        traveller=person,
        start_date=dt.date(2024, 3, 17),
        end_date=dt.date(2024, 3, 19),
        precision="day",
        status="ongoing",
        flags=["conflicting-reports"],
    )
    stop = Stop.objects.create(trip=trip, country=caucasus["GE"], cities=["Tbilisi"], order=1)
    meeting = Meeting.objects.create(
        trip=trip,
        stop=stop,
        country=caucasus["GE"],
        start_date=dt.date(2024, 3, 18),
        end_date=dt.date(2024, 3, 18),
        precision="day",
    )
    participation = Participation.objects.create(meeting=meeting, person=person, title="Secretary General")
    # get_or_create: a transactional test before this one may have flushed the seeded topics
    topic, _ = Topic.objects.get_or_create(slug="membership-process", defaults={"name": "Membership process"})
    link = MeetingTopic.objects.create(meeting=meeting, topic=topic)
    report = Report.objects.create(title="Réunion", text="Une phrase. Une autre.", content_hash="h1", language="fr")
    for fact in (
        {"trip": trip},
        {"stop": stop},
        {"meeting": meeting},
        {"participation": participation},
        {"meeting_topic": link},
    ):
        Evidence.objects.create(report=report, quote="Une phrase.", start=0, end=11, confidence=0.8, **fact)
    return trip


@pytest.mark.django_db(transaction=True)
def test_a_timestamp_under_a_millisecond_past_the_second_round_trips(small_dataset, tmp_path):
    """Django's own encoder wrote 12:00:00.000400 as "12:00:00.000Z" and, once imported, as "12:00:00Z"."""
    moment = dt.datetime(2024, 3, 18, 12, 0, 0, 400, tzinfo=dt.UTC)
    Meeting.objects.update(created_at=moment, updated_at=moment)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    call_command("export_dataset", str(first))
    assert '"created_at": "2024-03-18T12:00:00.000Z"' in first.read_text()
    for model in (Evidence, MeetingTopic, Participation, Meeting, Stop, Trip, Report, Position, Person):
        model.objects.all().delete()
    call_command("import_dataset", str(first), "--into-non-empty")
    call_command("export_dataset", str(second))
    assert first.read_text() == second.read_text()


@pytest.mark.django_db(transaction=True)
def test_dataset_export_import_round_trips_exactly(small_dataset, tmp_path):
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    call_command("export_dataset", str(first))
    for model in (Evidence, MeetingTopic, Participation, Meeting, Stop, Trip, Report, Position, Person):
        model.objects.all().delete()
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_dataset", str(tmp_path / "missing.jsonl"))
    call_command("import_dataset", str(first), "--into-non-empty")
    call_command("export_dataset", str(second))
    assert first.read_text() == second.read_text()
    assert Evidence.objects.count() == 5
    # new rows get fresh ids after the import
    assert Trip.objects.create(traveller=Person.objects.get()).pk > small_dataset.pk


@pytest.mark.django_db
def test_import_refuses_a_non_empty_database(small_dataset, tmp_path):
    path = tmp_path / "data.jsonl"
    call_command("export_dataset", str(path))
    with pytest.raises(CommandError, match="already has trips"):
        call_command("import_dataset", str(path))
