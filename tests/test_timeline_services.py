"""Analyst services: merging and splitting trips, merging meetings, reviewing evidence, editing facts."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from tests import test_merge
from tests.test_merge import EXTRACTION_B, EXTRACTION_C, merge
from visits.models import Change, Evidence, Meeting, Participation, Report, ReviewState, Stop, Trip
from visits.services.merge import merge_extraction
from visits.services.timeline import evidence_review, fact_update, meeting_merge, trip_merge, trip_split

world = test_merge.world  # the countries, topics and three reports of test_merge


def _report(title: str, published: dt.date) -> Report:
    return Report.objects.create(title=title, language="en", published_date=published, external_id=title)


def _separate_trips(world) -> tuple[Trip, Trip]:
    """Report B's trip and a trip to Azerbaijan and Georgia a week later: two trips."""
    merge(world, "B")
    baku = copy.deepcopy(EXTRACTION_C)
    baku["trips"][0]["stops"] = [{"country": "AZ"}, {"country": "GE"}]
    baku["trips"][0].update(start="2024-03-25", end="2024-03-26")  # a week after B's: a second trip
    baku["meetings"] = []
    merge_extraction(_report("baku", dt.date(2024, 3, 27)), baku)
    first, second = Trip.objects.order_by("start_date")
    return first, second


def test_trip_merge_moves_stops_meetings_and_evidence(world):
    keep, other = _separate_trips(world)
    evidence, other_pk = Evidence.objects.count(), other.pk
    merged = trip_merge(keep=keep, other=other)
    assert merged == keep and not Trip.objects.filter(pk=other_pk).exists()
    assert sorted(keep.stops.values_list("country_id", flat=True)) == ["AM", "AZ", "GE"]  # GE merged by country
    assert Stop.objects.filter(trip=keep, country_id="GE").get().evidence.count() == 2
    assert Evidence.objects.count() == evidence  # nothing lost
    assert sorted(Evidence.objects.filter(trip=keep).values_list("report__title", flat=True)) == ["B", "baku"]
    assert Meeting.objects.get().trip == keep
    assert Change.objects.filter(kind="trip", object_id=other_pk, action="merged", merged_into=keep.pk).exists()


def test_trip_merge_refuses_different_travellers(world):
    merge(world, "B")
    other = copy.deepcopy(EXTRACTION_B)
    other["trips"][0]["traveller"] = {"name": "Antony Blinken", "as_written": "Antony Blinken"}
    other["meetings"] = []
    merge_extraction(_report("blinken", dt.date(2024, 3, 18)), other)
    first, second = Trip.objects.order_by("pk")
    with pytest.raises(ValueError):
        trip_merge(keep=first, other=second)


def test_meeting_merge_unites_participants_topics_and_evidence(world):
    merge(world, "B")
    other = copy.deepcopy(EXTRACTION_C)
    other["trips"] = []
    other["meetings"][0]["participants"] = other["meetings"][0]["participants"][2:]  # only the President
    other["meetings"][0]["participants"].append({"name": "Jens Stoltenberg", "as_written": "Stoltenberg"})
    other["meetings"][0]["date"] = "2024-03-19"  # another day: another meeting
    merge_extraction(world["C"], other)
    keep, second = Meeting.objects.order_by("pk")
    meeting_merge(keep=keep, other=second)
    assert Meeting.objects.count() == 1
    assert sorted(keep.participations.values_list("person__name", flat=True)) == [
        "Irakli Garibashvili",
        "Jens Stoltenberg",
        "Salome Zourabichvili",
    ]
    stoltenberg = keep.participations.get(person__name="Jens Stoltenberg")
    assert sorted(stoltenberg.evidence.values_list("report__title", flat=True)) == ["B", "C"]
    assert sorted(keep.topics.values_list("slug", flat=True)) == [
        "defence-cooperation",
        "energy-security",
        "membership-process",
    ]
    assert "conflicting-reports" in keep.flags  # 18 and 19 March, both day-precise
    assert Change.objects.filter(kind="meeting", action="merged", merged_into=keep.pk).count() == 1


def test_trip_split_moves_stops_with_their_meetings_and_evidence(world):
    merge(world, "C")
    trip = Trip.objects.get()
    georgia = trip.stops.get(country_id="GE")
    new = trip_split(trip=trip, stops=[georgia])
    assert list(new.stops.values_list("country_id", flat=True)) == ["GE"]
    assert sorted(trip.stops.values_list("country_id", flat=True)) == ["AM", "AZ"]
    assert Meeting.objects.get().trip == new
    assert Meeting.objects.get().stop == georgia
    assert georgia.evidence.count() == 1
    # the trip-level evidence names both parts: each trip keeps a copy
    assert Evidence.objects.filter(trip=trip).count() == Evidence.objects.filter(trip=new).count() == 1
    assert "stops" in new.locked_fields and "stops" in Trip.objects.get(pk=trip.pk).locked_fields
    assert Change.objects.filter(kind="trip", object_id=new.pk, action="created").exists()
    merge(world, "C")  # ingestion does not merge them back
    assert Trip.objects.count() == 2


def test_trip_split_needs_stops_of_the_trip_and_leaves_one(world):
    merge(world, "B")
    trip = Trip.objects.get()
    with pytest.raises(ValueError):
        trip_split(trip=trip, stops=list(trip.stops.all()))
    with pytest.raises(ValueError):
        trip_split(trip=trip, stops=[])


def test_confirming_evidence_locks_what_it_supports(world):
    merge(world, "B")
    trip = Trip.objects.get()
    evidence_review(evidence=Evidence.objects.get(trip=trip), state=ReviewState.CONFIRMED)
    trip.refresh_from_db()
    assert set(trip.locked_fields) >= {"status", "start_date", "end_date", "precision"}
    merge(world, "C")  # a later report says completed, 17-20 March
    trip.refresh_from_db()
    assert (trip.status, trip.end_date) == ("ongoing", dt.date(2024, 3, 19))
    assert trip.stops.filter(country_id="AZ").exists()  # new facts still arrive


def test_rejecting_evidence_rederives_the_fact(world):
    merge(world, "A", "B")
    rejected = Evidence.objects.get(trip__isnull=False, report=world["B"])
    evidence_review(evidence=rejected, state=ReviewState.REJECTED)
    trip = Trip.objects.get()
    assert (trip.status, trip.precision) == ("planned", "month")
    assert Evidence.objects.filter(pk=rejected.pk, review_state=ReviewState.REJECTED).exists()
    with pytest.raises(ValueError):
        evidence_review(evidence=rejected, state="maybe")


def test_fact_update_sets_locks_and_records_a_change(world):
    merge(world, "A")
    trip = Trip.objects.get()
    fact_update(instance=trip, data={"status": "postponed", "title": "Caucasus tour"})
    participation = Participation.objects.get(person__name="Irakli Garibashvili")
    fact_update(instance=participation, data={"title": "Prime Minister of Georgia"})
    assert Change.objects.filter(kind="trip", object_id=trip.pk, action="updated").exists()
    merge(world, "B", "C")
    trip.refresh_from_db()
    participation.refresh_from_db()
    assert (trip.status, trip.title, trip.end_date) == ("postponed", "Caucasus tour", dt.date(2024, 3, 20))
    assert participation.title == "Prime Minister of Georgia"
    with pytest.raises(ValueError):
        fact_update(instance=trip, data={"no_such_field": 1})
