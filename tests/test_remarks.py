"""Meetings from the remarks of HSG records: travel stops, visit meetings, idempotency, command, tasks."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from visits.models import (
    Change,
    Country,
    Evidence,
    Meeting,
    MeetingTopic,
    Participation,
    Person,
    Position,
    Report,
    Stop,
    Topic,
    Trip,
)
from visits.services.remarks import extract_record_meetings

pytestmark = pytest.mark.django_db

D = dt.date
G7_REMARK = "Met with Prime Minister Boris Johnson and Queen Elizabeth II. Attended the G7 Summit."


def _country(code: str, name: str) -> Country:
    return Country.objects.get_or_create(code=code, defaults={"name": name})[0]


def _report(external_id: str, text: str) -> Report:
    return Report.objects.create(
        kind=Report.Kind.DATASET, external_id=external_id, title=external_id, text=text, language="en",
        publisher="Office of the Historian, U.S. Department of State", status="done",
    )  # fmt: skip


def _evidence(report: Report, **fact) -> Evidence:
    """As the importer writes it: the whole text quoted, no claim."""
    return Evidence.objects.create(report=report, quote=report.text, start=0, end=len(report.text), **fact)


@pytest.fixture
def tour(db):
    """An HSG-like tour of three stops: GB (the G7 remark), FR ("Private visit."), GB again (Kensington)."""
    for code, name in (("GB", "United Kingdom"), ("FR", "France"), ("US", "United States")):
        _country(code, name)
    biden = Person.objects.create(name="Joseph R. Biden", slug="joseph-r-biden", country_id="US")
    position = Position.objects.create(person=biden, title="President", country_id="US", start_date=D(2021, 1, 20))
    trip = Trip.objects.create(
        traveller=biden, position=position, title="Joseph R. Biden in United Kingdom, France",
        status="completed", start_date=D(2021, 6, 10), end_date=D(2021, 6, 20), precision="day",
        external_id="hsg-tour:1",
    )  # fmt: skip
    rows = [
        (1, "GB", D(2021, 6, 10), D(2021, 6, 13), G7_REMARK),
        (2, "FR", D(2021, 6, 14), D(2021, 6, 16), "Private visit."),
        (3, "GB", D(2021, 6, 17), D(2021, 6, 20), "Met with Prime Minister Boris Johnson at Chequers."),
    ]
    stops, reports = {}, {}
    for order, code, start, end, text in rows:
        ext = f"hsg-travels:{order}"
        stops[order] = Stop.objects.create(
            trip=trip, order=order, country_id=code, start_date=start, end_date=end, precision="day",
            external_id=ext, remarks=text,
        )  # fmt: skip
        reports[order] = _report(ext, text)
        _evidence(reports[order], stop=stops[order])
        _evidence(reports[order], trip=trip)
    return {"trip": trip, "stops": stops, "reports": reports, "traveller": biden}


@pytest.fixture
def visit(tour):
    """An HSG-like visit meeting of a foreign leader to the United States."""
    _country("GR", "Greece")
    visitor = Person.objects.create(name="Kyriakos Mitsotakis", slug="kyriakos-mitsotakis", country_id="GR")
    meeting = Meeting.objects.create(
        kind="visit", kind_as_written="Official Working Visit", title="Prime Minister Kyriakos Mitsotakis (Greece)",
        status="held", country_id="US", start_date=D(2022, 5, 16), end_date=D(2022, 5, 17), precision="day",
        external_id="hsg-visits:10", flags=["visit-type:official-working"],
    )  # fmt: skip
    Participation.objects.create(
        meeting=meeting, person=visitor, title="Prime Minister", country_id="GR", flags=["hsg"]
    )
    # a second Biden: "President Biden" is then resolved by who was President on the day (Position)
    Person.objects.create(name="Hunter Biden", slug="hunter-biden", country_id="US")
    report = _report("hsg-visits:10", "Official Working Visit. Met with President Biden.")
    _evidence(report, meeting=meeting)
    return {"meeting": meeting, "report": report, "visitor": visitor}


def _people(meeting: Meeting) -> set[str]:
    return set(meeting.participations.values_list("person__name", flat=True))


def _trip_state(trip: Trip) -> tuple:
    trip.refresh_from_db()
    stops = tuple(trip.stops.order_by("pk").values_list("pk", "order", "country_id", "start_date", "end_date"))
    return trip.start_date, trip.end_date, trip.precision, trip.status, trip.title, stops


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Meeting, Participation, Evidence, Person, MeetingTopic, Change, Trip))


def test_g7_remark_gives_two_held_meetings_and_a_summit_on_the_stop(tour):
    johnson = Person.objects.create(name="Boris Johnson", slug="boris-johnson", country_id="GB")
    before = _trip_state(tour["trip"])
    stop = tour["stops"][1]

    result = extract_record_meetings(report=tour["reports"][1])

    assert (result.meetings, result.summits, result.participants) == (3, 1, 2)
    meetings = list(Meeting.objects.filter(stop=stop).order_by("pk"))
    assert [m.kind for m in meetings] == ["meeting", "meeting", "summit"]
    assert all(m.status == "held" and m.trip_id == tour["trip"].pk and m.country_id == "GB" for m in meetings)
    assert all((m.start_date, m.end_date, m.precision) == (D(2021, 6, 10), D(2021, 6, 13), "day") for m in meetings)
    assert [_people(m) for m in meetings] == [
        {"Joseph R. Biden", "Boris Johnson"},
        {"Joseph R. Biden", "Elizabeth II"},
        {"Joseph R. Biden"},
    ]
    # Boris Johnson was known (resolved, not duplicated); Elizabeth II was created, serving GB
    assert Person.objects.filter(name="Boris Johnson").count() == 1
    assert meetings[0].participations.get(person__name="Boris Johnson").person == johnson
    assert Person.objects.get(name="Elizabeth II").country_id == "GB"
    assert result.people_created == 1
    host = meetings[0].participations.get(person=johnson)
    assert (host.title, host.country_id, host.is_host) == ("Prime Minister", "GB", True)
    guest = meetings[0].participations.get(person=tour["traveller"])
    assert (guest.title, guest.is_host) == ("President", False)
    # every fact has this report's evidence, with a claim
    assert all(m.evidence.filter(report=tour["reports"][1]).exclude(claim={}).exists() for m in meetings)
    assert Evidence.objects.filter(participation=host, report=tour["reports"][1]).count() == 1
    # the HSG trip is untouched: dates, status, title, stops
    assert _trip_state(tour["trip"]) == before


def test_second_run_creates_nothing(tour):
    first = extract_record_meetings(report=tour["reports"][1])
    counts = _counts()
    second = extract_record_meetings(report=tour["reports"][1])
    assert first.meetings_created == 3
    assert (second.meetings, second.meetings_created, second.evidence_created, second.people_created) == (3, 0, 0, 0)
    assert _counts() == counts


def test_meeting_goes_on_the_stop_of_the_record_even_when_the_country_recurs(tour):
    result = extract_record_meetings(report=tour["reports"][3])
    meeting = Meeting.objects.get(evidence__report=tour["reports"][3])
    assert result.meetings == 1
    assert meeting.stop == tour["stops"][3]  # the second GB stop, not the first one
    assert (meeting.start_date, meeting.end_date) == (D(2021, 6, 17), D(2021, 6, 20))


def test_remark_without_meeting_gives_nothing(tour):
    counts = _counts()
    result = extract_record_meetings(report=tour["reports"][2])
    assert (result.record, result.meetings, result.participants, result.meetings_created) == ("travel", 0, 0, 0)
    assert _counts() == counts


def test_untitled_unknown_names_are_dropped(tour):
    report = tour["reports"][2]
    report.text = "Attended conference on Central American reconstruction at the Inter-American Development Bank."
    report.save()
    counts = _counts()
    result = extract_record_meetings(report=report)
    assert result.meetings == 0
    assert not Person.objects.filter(name__icontains="American").exists()
    assert _counts() == counts
    report.text = "Met with the Foreign Ministers of Egypt and Jordan."  # offices without a name
    report.save()
    result = extract_record_meetings(report=report)
    assert result.meetings == 0 and result.dropped
    assert not Person.objects.filter(name__icontains="Minister").exists()
    assert _counts() == counts
    # names the engine makes of bodies, events and countries
    _country("JO", "Jordan")
    for text in (
        "Met with the Foreign Ministers of the Gulf Cooperation Council.",
        "Attended a NATO Foreign Ministers Meeting.",
        "Met with the Kings of Belgium, Jordan, and Spain.",
    ):
        report.text = text
        report.save()
        assert extract_record_meetings(report=report).meetings == 0
    assert not Person.objects.filter(name__in=["Cooperation", "Meeting", "Jordan"]).exists()
    assert _counts() == counts


def test_topics_are_linked_with_evidence(tour):
    Topic.objects.get_or_create(slug="climate", defaults={"name": "Climate"})
    report = tour["reports"][3]
    report.text = "Discussed climate change with Prime Minister Boris Johnson."
    report.save()
    result = extract_record_meetings(report=report)
    link = MeetingTopic.objects.get(meeting__stop=tour["stops"][3], topic__slug="climate")
    assert result.topics == 1
    assert link.evidence.filter(report=report).exists()


def test_visit_description_adds_participants_to_the_visit(visit):
    meeting = visit["meeting"]
    before = Meeting.objects.filter(pk=meeting.pk).values().get()
    meetings_before = Meeting.objects.count()

    result = extract_record_meetings(report=visit["report"])

    assert (result.record, result.meetings, result.participants) == ("visit", 1, 1)
    assert _people(meeting) == {"Kyriakos Mitsotakis", "Joseph R. Biden"}
    biden = meeting.participations.get(person__name="Joseph R. Biden")
    assert (biden.title, biden.country_id, biden.is_host) == ("President", "US", True)
    assert biden.evidence.filter(report=visit["report"]).exclude(claim={}).exists()
    assert Meeting.objects.count() == meetings_before  # no new meeting
    after = Meeting.objects.filter(pk=meeting.pk).values().get()
    assert {k: after[k] for k in ("kind", "title", "start_date", "end_date", "status", "flags", "country_id")} == {
        k: before[k] for k in ("kind", "title", "start_date", "end_date", "status", "flags", "country_id")
    }
    assert not meeting.evidence.exclude(claim={}).exists()  # no claim on the visit itself
    counts = _counts()
    again = extract_record_meetings(report=visit["report"])
    assert (again.participants, again.participations_created, again.evidence_created) == (1, 0, 0)
    assert _counts() == counts


def test_a_report_that_is_not_an_hsg_record_is_refused(db):
    report = _report("other:1", "Met with President Macron.")
    with pytest.raises(ValueError, match="not an HSG"):
        extract_record_meetings(report=report)


def test_command_prints_the_counts(visit):
    out = io.StringIO()
    call_command("extract_remarks", stdout=out)
    text = out.getvalue()
    assert "records read: 4 (3 travel, 1 visit)" in text
    # G7 remark: 2 meetings + summit; Chequers: 1; visit: 1 (folded into the visit)
    assert "meetings found: 5 (summits: 1); records with no meeting: 1" in text
    assert "participants found: 4 (3 distinct people)" in text
    assert "errors: 0" in text
    assert Meeting.objects.filter(stop__isnull=False).count() == 4

    out = io.StringIO()
    call_command("extract_remarks", "--since-id", str(visit["report"].pk - 1), "--limit", "1", stdout=out)
    assert "records read: 1 (0 travel, 1 visit)" in out.getvalue()
    assert "written: 0 meetings, 0 participations, 0 people, 0 evidence rows" in out.getvalue()


def _capture_sent_tasks(monkeypatch) -> list[tuple[str, tuple]]:
    """Tasks the services send by name (``visits.services.queue``), instead of sending them."""
    from visits.services import queue

    sent: list[tuple[str, tuple]] = []
    monkeypatch.setattr(queue, "send_task", lambda name, *args, task_id=None: sent.append((name, args)))
    return sent


def test_batch_task_and_maintenance_task(tour, monkeypatch):
    from visits import tasks
    from visits.services.remarks import send_remarks_batches

    ids = [r.pk for r in tour["reports"].values()]
    summary = tasks.extract_remarks_batch.apply(args=[ids]).get()
    assert (summary["records"], summary["meetings"], summary["meetings_created"], summary["errors"]) == (3, 4, 4, [])

    sent = _capture_sent_tasks(monkeypatch)
    assert send_remarks_batches(ids, batch_size=2) == 2
    assert sent == [("extract_remarks_batch", (ids[:2],)), ("extract_remarks_batch", (ids[2:],))]
    sent.clear()
    assert tasks.maintenance_extract_all_remarks.apply().get() == 1  # all 3 ids fit in one batch of 200
    assert sent == [("extract_remarks_batch", (ids,))]


def test_command_async_sends_batches(tour, monkeypatch):
    sent = _capture_sent_tasks(monkeypatch)
    out = io.StringIO()
    call_command("extract_remarks", "--async", "--batch-size", "2", stdout=out)
    ids = sorted(r.pk for r in tour["reports"].values())
    assert sent == [("extract_remarks_batch", (ids[:2],)), ("extract_remarks_batch", (ids[2:],))]
    assert "Sent 2 extract_remarks_batch tasks (3 records" in out.getvalue()
    assert not Meeting.objects.exists()  # nothing extracted in the command itself
