"""Scale-out: two Celery workers on the real broker share one queue; every report is processed once.

Two worker processes (the test Redis, the test database) consume the same queues while
20 article URLs served on 127.0.0.1 are submitted. Checked: all 20 reports end
``done``, each page was fetched exactly once, both workers took part, and no
trip, meeting or evidence row exists twice; sending every extraction task a
second time (at-least-once delivery) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db.models import Count

from tests import test_ingest_support as support
from tests.test_ingest_support import article_html
from tests.workers import TEST_REDIS_URL, Worker, flushed_broker, wait_for
from visits.models import Country, Evidence, Meeting, Participation, Report, ReportStatus, Stop, Trip

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BROKER_URL = TEST_REDIS_URL
site = support.site  # shared fixture: pages served on 127.0.0.1
REPORTS = 20
PLACES = [
    ("Tbilisi", "Georgian", "Irakli Kobakhidze", "GE"), ("Yerevan", "Armenian", "Nikol Pashinyan", "AM"),
    ("Kyiv", "Ukrainian", "Denys Shmyhal", "UA"), ("Warsaw", "Polish", "Donald Tusk", "PL"),
    ("Athens", "Greek", "Kyriakos Mitsotakis", "GR"), ("Helsinki", "Finnish", "Petteri Orpo", "FI"),
    ("Oslo", "Norwegian", "Jonas Gahr Store", "NO"), ("Rome", "Italian", "Giorgia Meloni", "IT"),
    ("Madrid", "Spanish", "Pedro Sanchez", "ES"), ("Tallinn", "Estonian", "Kaja Kallas", "EE"),
]  # fmt: skip
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]


def visit_article(index: int) -> str:
    """Two differently worded reports for each of ten visits (so concurrent merges meet on one trip)."""
    city, adjective, host, _ = PLACES[index % 10]
    date = f"{10 + index % 10} {MONTHS[index % 10]} 2023"
    if index < 10:
        lead = (
            f"NATO Secretary General Jens Stoltenberg arrived in {city} on {date}"
            f" for talks with {adjective} Prime Minister {host}."
        )
        more = f"The two leaders met in {city} and discussed energy security and defence reforms."
    else:
        lead = (
            f"On {date} {adjective} Prime Minister {host} received NATO Secretary General Jens Stoltenberg in {city}."
        )
        more = f"Stoltenberg and {host} held talks in {city} on support for defence industry cooperation."
    return article_html(f"Stoltenberg in {city} ({index})", [lead, more, f"Scale-out test report {index}."])


@pytest.fixture
def broker() -> Iterator[None]:
    with flushed_broker(BROKER_URL):
        yield


@pytest.fixture
def workers(broker, tmp_path, settings) -> Iterator[Callable[..., Worker]]:
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    started: list[Worker] = []

    def start(name: str) -> Worker:
        worker = Worker(tmp_path / f"{name}.log", broker_url=BROKER_URL, name=name)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def known_people() -> None:
    """The directory as in production (starter officials, HSG): the people and their countries exist.

    Workers then lock existing people while they match trips and meetings (see
    ``visits.services.merge._lock_people``).
    """
    import pycountry

    from visits.services.people import person_get_or_create

    for _, _, host, code in PLACES:
        Country.objects.get_or_create(code=code, defaults={"name": pycountry.countries.get(alpha_2=code).name})
        person_get_or_create(name=host, country=code)
    person_get_or_create(name="Jens Stoltenberg")


def _duplicates(queryset, *fields: str) -> list[dict]:
    return list(queryset.values(*fields).annotate(n=Count("id")).filter(n__gt=1))


def _snapshot() -> dict[str, int]:
    models = {"trip": Trip, "stop": Stop, "meeting": Meeting, "participation": Participation, "evidence": Evidence}
    return {name: model.objects.count() for name, model in models.items()}


def test_two_workers_share_a_queue_and_process_each_report_once(site, workers):
    from visits import tasks
    from visits.services.ingestion import submit_url

    known_people()
    first, second = workers("alpha"), workers("beta")
    first.wait_ready()
    second.wait_ready()
    urls = [site.html(f"/news/{i}", visit_article(i)) for i in range(REPORTS)]
    reports = [submit_url(url=url)[0] for url in urls]
    ids = [report.pk for report in reports]
    logs = [first.log, second.log]

    def all_finished() -> bool:
        return not Report.objects.filter(pk__in=ids, status__in=["queued", "fetching", "extracting"]).exists()

    wait_for(all_finished, timeout=150, what="all reports to finish", logs=logs)
    errors = dict(Report.objects.filter(pk__in=ids).exclude(status=ReportStatus.DONE).values_list("pk", "error"))
    assert not errors, errors
    assert [site.hits(f"/news/{i}") for i in range(REPORTS)] == [1] * REPORTS  # each page fetched once
    assert set(Report.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {1}
    for worker in (first, second):  # both took part
        assert "visits.tasks.fetch_report" in worker.output() and "succeeded" in worker.output(), worker.name

    before = _snapshot()
    assert before["trip"] >= 1 and before["evidence"] >= REPORTS, before  # the reports produced facts
    assert _duplicates(Trip.objects, "traveller", "start_date", "end_date") == []
    assert _duplicates(Stop.objects, "trip", "country", "start_date") == []
    assert _duplicates(Meeting.objects, "title", "start_date", "country") == []
    evidence_fields = ("report", "trip", "stop", "meeting", "participation", "meeting_topic", "stop_topic", "start")
    assert _duplicates(Evidence.objects, *evidence_fields) == []

    # At-least-once delivery: the same extraction delivered again to either worker changes nothing.
    for report_id in ids:
        tasks.extract_report_task.delay(report_id)
    wait_for(
        lambda: sum(w.output().count("extract_report_task") for w in (first, second)) >= 4 * REPORTS,
        timeout=60,
        what="the repeated extraction tasks",
        logs=logs,
    )
    assert _snapshot() == before
    assert set(Report.objects.filter(pk__in=ids).values_list("status", flat=True)) == {ReportStatus.DONE}
