"""Merging report extractions into the timeline: matching, precedence, order independence, locks, evidence."""

from __future__ import annotations

import copy
import datetime as dt
import itertools

import pytest
from django.db import transaction

from visits.models import (
    Change,
    Country,
    Evidence,
    Meeting,
    MeetingTopic,
    Participation,
    Person,
    PersonAlias,
    Report,
    ReviewState,
    Stop,
    StopTopic,
    Topic,
    Trip,
)
from visits.services.merge import MergeResult, merge_extraction

TOPIC_SLUGS = ("partnership", "membership-process", "defence-cooperation", "energy-security")
STOLTENBERG = {"name": "Jens Stoltenberg", "role": "Secretary General", "organization": "NATO", "flags": []}
GARIBASHVILI = {"name": "Irakli Garibashvili", "role": "Prime Minister", "country": "GE", "flags": []}
ZOURABICHVILI = {"name": "Salome Zourabichvili", "role": "President", "country": "GE", "flags": []}


def ev(quote: str, start: int) -> list[dict]:
    return [{"quote": quote, "start": start, "end": start + len(quote), "confidence": 0.9}]


def person(base: dict, as_written: str | None = None, **extra) -> dict:
    return {**base, "as_written": as_written or base["name"], **extra}


# Three reports of one NATO visit to the South Caucasus, published before, during and after it.
EXTRACTION_A = {  # English, announced a week ahead: month precision, planned
    "report": {"title": "A", "language": "en", "published": "2024-03-10"},
    "officials": [person(STOLTENBERG), person(GARIBASHVILI)],
    "trips": [
        {
            "traveller": person(STOLTENBERG),
            "start": "2024-03",
            "end": None,
            "precision": "month",
            "status": "planned",
            "stops": [{"country": "GE", "topics": ["partnership"]}, {"country": "AM"}],
            "evidence": ev("Stoltenberg will travel to Georgia and Armenia in March.", 0),
        }
    ],
    "meetings": [
        {
            "kind": "meeting",
            "date": "2024-03",
            "precision": "month",
            "country": "GE",
            "participants": [person(STOLTENBERG), person(GARIBASHVILI)],
            "status": "planned",
            "topics": ["membership-process"],
            "evidence": ev("He is to meet Prime Minister Garibashvili.", 60),
        }
    ],
}
EXTRACTION_B = {  # French, during the visit: day precision, ongoing, the meeting held
    "report": {"title": "B", "language": "fr", "published": "2024-03-18"},
    "officials": [person(STOLTENBERG), person(GARIBASHVILI, "Irakli Garibachvili")],
    "trips": [
        {
            "traveller": person(STOLTENBERG),
            "start": "2024-03-17",
            "end": "2024-03-19",
            "precision": "day",
            "status": "ongoing",
            "stops": [
                {"country": "GE", "city": "Tbilissi", "start": "2024-03-17", "end": "2024-03-18"},
                {"country": "AM", "city": "Erevan", "start": "2024-03-19", "end": "2024-03-19"},
            ],
            "evidence": ev("Jens Stoltenberg est arrivé dimanche à Tbilissi.", 0),
        }
    ],
    "meetings": [
        {
            "kind": "talks",
            "date": "2024-03-18",
            "precision": "day",
            "country": "GE",
            "city": "Tbilissi",
            "participants": [person(STOLTENBERG), person(GARIBASHVILI, "Irakli Garibachvili")],
            "status": "held",
            "topics": ["membership-process", "defence-cooperation"],
            "evidence": ev("Il s'est entretenu lundi avec Irakli Garibachvili.", 50),
        }
    ],
}
EXTRACTION_C = {  # German, after the visit: completed, one more country, a third participant
    "report": {"title": "C", "language": "de", "published": "2024-03-21"},
    "officials": [person(STOLTENBERG), person(GARIBASHVILI, "Irakli Garibaschwili"), person(ZOURABICHVILI)],
    "trips": [
        {
            "traveller": person(STOLTENBERG),
            "start": "2024-03-17",
            "end": "2024-03-20",
            "precision": "day",
            "status": "completed",
            "stops": [
                {"country": "GE", "start": "2024-03-17", "end": "2024-03-18"},
                {"country": "AM", "start": "2024-03-19", "end": "2024-03-19"},
                {"country": "AZ", "city": "Baku", "start": "2024-03-20", "end": "2024-03-20"},
            ],
            "evidence": ev("Stoltenberg beendete seine Reise am Mittwoch in Baku.", 0),
        }
    ],
    "meetings": [
        {
            "kind": "meeting",
            "date": "2024-03-18",
            "precision": "day",
            "country": "GE",
            "participants": [
                person(STOLTENBERG),
                person(GARIBASHVILI, "Irakli Garibaschwili"),
                person(ZOURABICHVILI),
            ],
            "status": "held",
            "topics": ["energy-security"],
            "evidence": ev("In Tiflis traf er Garibaschwili und Surabischwili.", 70),
        }
    ],
}


@pytest.fixture
def world(db):
    """The countries and topics the reports need, and the three reports."""
    for code, name in [("GE", "Georgia"), ("AM", "Armenia"), ("AZ", "Azerbaijan")]:
        Country.objects.get_or_create(code=code, defaults={"name": name})
    for slug in TOPIC_SLUGS:
        Topic.objects.get_or_create(slug=slug, defaults={"name": slug})
    reports = {}
    for key, extraction in {"A": EXTRACTION_A, "B": EXTRACTION_B, "C": EXTRACTION_C}.items():
        meta = extraction["report"]
        reports[key] = Report.objects.create(
            title=meta["title"],
            language=meta["language"],
            published_date=dt.date.fromisoformat(meta["published"]),
            external_id=f"test-{key}",
        )
    return reports


EXTRACTIONS = {"A": EXTRACTION_A, "B": EXTRACTION_B, "C": EXTRACTION_C}


def merge(world, *keys: str) -> list[MergeResult]:
    return [merge_extraction(world[key], copy.deepcopy(EXTRACTIONS[key])) for key in keys]


def quotes(**fact) -> list[str]:
    return sorted(Evidence.objects.filter(**fact).values_list("report__title", flat=True))


def dump() -> list[dict]:
    """The whole timeline without database ids: what must not depend on the order of merging."""
    trips = []
    for trip in Trip.objects.order_by("traveller__name", "start_date"):
        stops = [
            (
                s.order,
                s.country_id,
                str(s.start_date),
                str(s.end_date),
                s.precision,
                s.status,
                s.cities,
                sorted(s.topics.values_list("slug", flat=True)),
                quotes(stop=s),
            )
            for s in trip.stops.order_by("order")
        ]
        trips.append(
            {
                "traveller": trip.traveller.name,
                "status": trip.status,
                "dates": (str(trip.start_date), str(trip.end_date), trip.precision),
                "flags": trip.flags,
                "stops": stops,
                "evidence": quotes(trip=trip),
            }
        )
    meetings = []
    for m in Meeting.objects.order_by("start_date", "kind"):
        meetings.append(
            {
                "what": (m.kind, m.kind_as_written, m.status, str(m.start_date), str(m.end_date), m.precision),
                "where": (m.country_id, m.city, m.stop.country_id if m.stop else None),
                "trip": (m.trip.traveller.name, str(m.trip.start_date)) if m.trip else None,
                "flags": m.flags,
                "people": sorted(
                    (p.person.name, p.title, p.country_id, p.is_host, p.flags, quotes(participation=p))
                    for p in m.participations.all()
                ),
                "topics": sorted((t.topic.slug, quotes(meeting_topic=t)) for t in m.topic_links.all()),
                "evidence": quotes(meeting=m),
            }
        )
    return [trips, meetings, Evidence.objects.count()]


def test_first_report_creates_trip_stops_meeting_and_evidence(world):
    (result,) = merge(world, "A")
    assert (result.trips_created, result.meetings_created, result.trips_updated) == (1, 1, 0)
    trip = Trip.objects.get()
    assert trip.traveller.name == "Jens Stoltenberg"
    assert (trip.status, trip.start_date, trip.end_date, trip.precision) == (
        "planned",
        dt.date(2024, 3, 1),
        dt.date(2024, 3, 31),
        "month",
    )
    assert list(trip.stops.values_list("country_id", "order")) == [("GE", 0), ("AM", 1)]
    assert list(StopTopic.objects.values_list("stop__country_id", "topic__slug")) == [("GE", "partnership")]
    meeting = Meeting.objects.get()
    assert (meeting.status, meeting.trip, meeting.stop.country_id) == ("planned", trip, "GE")
    assert sorted(meeting.participations.values_list("person__name", "title")) == [
        ("Irakli Garibashvili", "Prime Minister"),
        ("Jens Stoltenberg", "Secretary General"),
    ]
    # trip, 2 stops, 1 stop topic, meeting, 2 participations, 1 meeting topic
    assert result.evidence_created == Evidence.objects.count() == 8
    evidence = Evidence.objects.get(trip=trip)
    assert (evidence.quote, evidence.start, evidence.confidence) == (
        "Stoltenberg will travel to Georgia and Armenia in March.",
        0,
        0.9,
    )
    assert result.people_created == 2
    assert result.skipped == []


def test_the_same_report_twice_changes_nothing(world):
    merge(world, "A", "B")
    before = (dump(), Change.objects.count(), Person.objects.count(), PersonAlias.objects.count())
    (again,) = merge(world, "B")
    assert again == MergeResult()
    assert (dump(), Change.objects.count(), Person.objects.count(), PersonAlias.objects.count()) == before


def test_a_second_report_in_another_language_updates_the_same_trip(world):
    merge(world, "A")
    (result,) = merge(world, "B")
    assert (result.trips_created, result.trips_updated, result.meetings_created, result.meetings_updated) == (
        0,
        1,
        0,
        1,
    )
    trip = Trip.objects.get()
    assert trip.status == "ongoing"  # moved forward
    assert (trip.start_date, trip.end_date, trip.precision) == (dt.date(2024, 3, 17), dt.date(2024, 3, 19), "day")
    georgia = trip.stops.get(country_id="GE")
    assert (georgia.start_date, georgia.end_date, georgia.cities) == (
        dt.date(2024, 3, 17),
        dt.date(2024, 3, 18),
        ["Tbilissi"],
    )
    assert quotes(trip=trip) == ["A", "B"]
    meeting = Meeting.objects.get()
    assert (meeting.status, meeting.start_date, meeting.precision, meeting.kind) == (
        "held",
        dt.date(2024, 3, 18),
        "day",
        "talks",
    )
    assert sorted(meeting.topics.values_list("slug", flat=True)) == ["defence-cooperation", "membership-process"]
    assert quotes(meeting_topic=MeetingTopic.objects.get(topic__slug="membership-process")) == ["A", "B"]


def test_a_third_report_adds_a_stop_and_a_participant(world):
    merge(world, "A", "B", "C")
    trip = Trip.objects.get()
    assert trip.status == "completed"
    assert list(trip.stops.values_list("country_id", "order")) == [("GE", 0), ("AM", 1), ("AZ", 2)]
    meeting = Meeting.objects.get()
    assert meeting.participations.count() == 3
    assert sorted(meeting.topics.values_list("slug", flat=True)) == [
        "defence-cooperation",
        "energy-security",
        "membership-process",
    ]
    host = meeting.participations.get(person__name="Irakli Garibashvili")
    assert host.is_host and not meeting.participations.get(person__name="Jens Stoltenberg").is_host


def test_any_order_of_three_reports_gives_the_same_timeline(world):
    dumps = []
    for order in itertools.permutations("ABC"):
        with transaction.atomic():
            merge(world, *order)
            dumps.append((order, dump()))
            transaction.set_rollback(True)
    first = dumps[0][1]
    assert first[0][0]["status"] == "completed" and len(first[0]) == 1 and len(first[1]) == 1
    assert first[1][0]["trip"] == ("Jens Stoltenberg", "2024-03-17") and first[1][0]["where"][2] == "GE"
    for order, timeline in dumps[1:]:
        assert timeline == first, f"order {order} differs"


def test_an_earlier_report_merged_later_does_not_move_status_back(world):
    merge(world, "C", "A")
    trip = Trip.objects.get()
    assert (trip.status, trip.precision) == ("completed", "day")
    assert Meeting.objects.get().status == "held"


def test_locked_fields_are_not_overwritten(world):
    merge(world, "A")
    trip = Trip.objects.get()
    trip.status = "postponed"
    trip.lock("status")
    trip.save()
    georgia = trip.stops.get(country_id="GE")
    georgia.start_date = georgia.end_date = dt.date(2024, 3, 16)
    georgia.precision = "day"
    georgia.lock("start_date", "end_date", "precision")
    georgia.save()
    meeting = Meeting.objects.get()
    meeting.lock("status")
    meeting.save()
    merge(world, "B")
    trip.refresh_from_db()
    georgia.refresh_from_db()
    meeting.refresh_from_db()
    assert trip.status == "postponed"
    assert trip.precision == "day"  # an unlocked field still moves
    assert (georgia.start_date, georgia.end_date, georgia.cities) == (
        dt.date(2024, 3, 16),
        dt.date(2024, 3, 16),
        ["Tbilissi"],
    )
    assert (meeting.status, meeting.start_date) == ("planned", dt.date(2024, 3, 18))


def test_rejected_evidence_does_not_count(world):
    merge(world, "A", "B")
    Evidence.objects.filter(report=world["B"], trip__isnull=False).update(review_state=ReviewState.REJECTED)
    merge(world, "B")  # the next merge touching the trip re-derives it
    trip = Trip.objects.get()
    assert (trip.status, trip.precision) == ("planned", "month")
    assert Evidence.objects.filter(trip=trip).count() == 2  # kept, not deleted


def test_unknown_country_and_topic_are_skipped_and_the_rest_stored(world):
    extraction = copy.deepcopy(EXTRACTION_C)
    extraction["trips"][0]["stops"].append({"country": "ZZ"})
    extraction["meetings"][0]["topics"].append("no-such-topic")
    result = merge_extraction(world["C"], extraction)
    assert any("ZZ" in message for message in result.skipped)
    assert any("no-such-topic" in message for message in result.skipped)
    assert sorted(Stop.objects.values_list("country_id", flat=True)) == ["AM", "AZ", "GE"]
    assert list(MeetingTopic.objects.values_list("topic__slug", flat=True)) == ["energy-security"]


def test_conflicting_reports_are_flagged(world):
    merge(world, "B")
    contrary = copy.deepcopy(EXTRACTION_B)
    contrary["meetings"][0]["status"] = "cancelled"
    contrary["meetings"][0]["evidence"] = ev("Die Gespräche wurden abgesagt.", 10)
    contrary["trips"][0]["start"] = contrary["trips"][0]["end"] = "2024-03-19"
    contrary["trips"][0]["stops"] = [{"country": "AM"}]
    report = Report.objects.create(title="D", language="de", published_date=dt.date(2024, 3, 18), external_id="d")
    merge_extraction(report, contrary)
    assert Meeting.objects.count() == 1
    assert "conflicting-reports" in Meeting.objects.get().flags
    assert "conflicting-reports" not in Trip.objects.get().flags  # 17-19 and 19 overlap: no conflict


def test_non_overlapping_day_dates_flag_the_trip(world):
    merge(world, "B")
    later = copy.deepcopy(EXTRACTION_B)
    later["trips"][0].update(start="2024-03-20", end="2024-03-20")  # adjacent: same trip, but dates disagree
    later["meetings"] = []
    report = Report.objects.create(title="E", language="en", published_date=dt.date(2024, 3, 20), external_id="e")
    merge_extraction(report, later)
    assert Trip.objects.get().flags == ["conflicting-reports"]


def test_role_flag_is_stored_on_participation_and_trip(world):
    extraction = copy.deepcopy(EXTRACTION_B)
    flagged = person(STOLTENBERG, flags=["role-contradicts-known-position"], role="Prime Minister")
    extraction["trips"][0]["traveller"] = flagged
    extraction["meetings"][0]["participants"][0] = flagged
    merge_extraction(world["B"], extraction)
    assert Trip.objects.get().flags == ["role-contradicts-known-position"]
    participation = Participation.objects.get(person__name="Jens Stoltenberg")
    assert (participation.flags, participation.title) == (["role-contradicts-known-position"], "Prime Minister")
    assert Participation.objects.get(person__name="Irakli Garibashvili").flags == []


def test_change_rows_tell_what_was_created_and_updated(world):
    merge(world, "A")
    trip, meeting = Trip.objects.get(), Meeting.objects.get()
    assert set(Change.objects.values_list("kind", "object_id", "action")) == {
        ("trip", trip.pk, "created"),
        ("meeting", meeting.pk, "created"),
    }
    merge(world, "B")
    assert set(Change.objects.filter(action="updated").values_list("kind", "object_id")) == {
        ("trip", trip.pk),
        ("meeting", meeting.pk),
    }
    count = Change.objects.count()
    merge(world, "A", "B")
    assert Change.objects.count() == count


def test_unknown_officials_are_created_unreviewed_with_the_written_name(world):
    merge(world, "B")
    garibashvili = Person.objects.get(name="Irakli Garibashvili")
    assert garibashvili.review_state == ReviewState.UNREVIEWED
    assert garibashvili.aliases.filter(name="Irakli Garibachvili", language="fr").exists()


def test_a_resolved_person_id_is_used(world):
    known = Person.objects.create(name="Jens Stoltenberg", slug="jens-stoltenberg-nato")
    extraction = copy.deepcopy(EXTRACTION_A)
    extraction["trips"][0]["traveller"] = person(STOLTENBERG, "Йенс Столтенберг", id=known.pk)
    merge_extraction(world["A"], extraction)
    assert Trip.objects.get().traveller == known


def test_a_trip_without_dates_matches_by_publication_date(world):
    merge(world, "B")
    undated = copy.deepcopy(EXTRACTION_A)
    undated["trips"][0].update(start=None, precision=None, status="completed")
    undated["meetings"] = []
    report = Report.objects.create(title="F", language="en", published_date=dt.date(2024, 3, 25), external_id="f")
    merge_extraction(report, undated)
    trip = Trip.objects.get()
    assert (trip.status, trip.start_date) == ("completed", dt.date(2024, 3, 17))
    far = Report.objects.create(title="G", language="en", published_date=dt.date(2024, 9, 1), external_id="g")
    merge_extraction(far, undated)
    assert Trip.objects.count() == 2  # months later: another trip


def test_another_trip_of_the_same_traveller_stays_separate(world):
    merge(world, "B")
    october = copy.deepcopy(EXTRACTION_B)
    october["trips"][0].update(start="2024-10-01", end="2024-10-02")
    october["trips"][0]["stops"] = [{"country": "GE"}]
    october["meetings"] = []
    report = Report.objects.create(title="H", language="en", published_date=dt.date(2024, 10, 2), external_id="h")
    result = merge_extraction(report, october)
    assert result.trips_created == 1 and Trip.objects.count() == 2


def test_a_report_bridging_two_trips_merges_them(world):
    merge(world, "B")
    later = copy.deepcopy(EXTRACTION_C)
    later["trips"][0].update(start="2024-03-21", end="2024-03-21")
    later["trips"][0]["stops"] = [{"country": "AZ"}]
    later["meetings"] = []
    report = Report.objects.create(title="I", language="en", published_date=dt.date(2024, 3, 22), external_id="i")
    merge_extraction(report, later)
    assert Trip.objects.count() == 2  # no shared country: separate
    merge(world, "C")  # GE, AM, AZ on 17-20: the same trip as both
    trip = Trip.objects.get()
    assert sorted(trip.stops.values_list("country_id", flat=True)) == ["AM", "AZ", "GE"]
    assert Change.objects.filter(kind="trip", action="merged", merged_into=trip.pk).count() == 1


def test_a_meeting_stated_twice_in_one_new_report_keeps_one_row_per_span_with_the_last_claim(world):
    """The evidence of a new report is inserted in one statement at the end; a second statement of the
    same fact in the same sentence updates the waiting row instead of adding one."""
    extraction = copy.deepcopy(EXTRACTION_B)
    again = copy.deepcopy(extraction["meetings"][0]) | {"status": "cancelled"}
    extraction["meetings"].append(again)
    result = merge_extraction(world["B"], extraction)

    meeting = Meeting.objects.get()
    assert result.meetings_created == 1
    assert Evidence.objects.filter(meeting=meeting).count() == 1
    assert Evidence.objects.get(meeting=meeting).claim["status"] == "cancelled"
    assert meeting.status == "cancelled"


def test_merging_a_new_report_takes_a_bounded_number_of_statements(world, django_assert_max_num_queries):
    """A pin on the work of one ingestion: 57 statements here (bench/merge_generated.py measures the time)."""
    merge(world, "A")
    with django_assert_max_num_queries(60):
        merge(world, "B")


def test_a_stay_under_way_joins_a_report_of_it_a_few_days_later(world):
    """'She is in Tbilisi' (under way, end unknown) on the 17th and again on the 20th is one stay;
    a report of the same place a fortnight later is another trip."""

    def under_way(day: str, key: str) -> MergeResult:
        told = copy.deepcopy(EXTRACTION_B)
        told["trips"][0].update(start=day, end=None, precision="day", status="ongoing")
        told["trips"][0]["stops"] = [{"country": "GE", "start": day, "end": None, "precision": "day"}]
        told["meetings"] = []
        report = Report.objects.create(
            title=key, language="en", published_date=dt.date.fromisoformat(day), external_id=key
        )
        return merge_extraction(report, told)

    under_way("2024-05-17", "first")
    assert under_way("2024-05-20", "still there").trips_created == 0
    assert Trip.objects.count() == 1
    assert under_way("2024-06-03", "back again").trips_created == 1
