"""The data model's guarantees: constraints, positions in time, imprecise dates against ranges."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from visits.dates import Precision, format_partial, period_bounds
from visits.models import Evidence, Meeting, Person, Position, Report, Stop, Topic, Trip

D = dt.date


@pytest.fixture
def georgia_prime_ministers(caucasus):
    garibashvili = Person.objects.create(name="Irakli Garibashvili", slug="irakli-garibashvili")
    kobakhidze = Person.objects.create(name="Irakli Kobakhidze", slug="irakli-kobakhidze")
    Position.objects.create(
        person=garibashvili,
        title="Prime Minister",
        country=caucasus["GE"],
        start_date=D(2021, 2, 22),
        end_date=D(2024, 2, 8),
    )
    Position.objects.create(person=kobakhidze, title="Prime Minister", country=caucasus["GE"], start_date=D(2024, 2, 8))
    return garibashvili, kobakhidze


def test_who_was_prime_minister_of_georgia_on_a_date(georgia_prime_ministers):
    garibashvili, kobakhidze = georgia_prime_ministers
    on_18_march = Person.objects.holding("Prime Minister", country="GE", on=D(2024, 3, 18))
    assert list(on_18_march) == [kobakhidze]
    assert list(Person.objects.holding("prime minister", country="GE", on=D(2023, 3, 18))) == [garibashvili]


def test_positions_a_person_held(georgia_prime_ministers):
    garibashvili, _ = georgia_prime_ministers
    assert [p.title for p in garibashvili.positions.all()] == ["Prime Minister"]
    assert not garibashvili.positions_on(D(2024, 3, 18)).exists()


def test_position_needs_an_organization_or_a_country(db):
    person = Person.objects.create(name="Nobody", slug="nobody")
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.create(person=person, title="President")


@pytest.mark.parametrize("model", [Trip, Meeting])
def test_end_before_start_is_refused(caucasus, model):
    person = Person.objects.create(name="Jens Stoltenberg", slug="jens-stoltenberg")
    fields = {"traveller": person} if model is Trip else {}
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(start_date=D(2024, 3, 19), end_date=D(2024, 3, 17), **fields)


def test_status_outside_the_vocabulary_is_refused(caucasus):
    person = Person.objects.create(name="Jens Stoltenberg", slug="jens-stoltenberg")
    with pytest.raises(IntegrityError), transaction.atomic():
        Trip.objects.create(traveller=person, status="happened")


def test_external_ids_are_unique(caucasus):
    person = Person.objects.create(name="Jens Stoltenberg", slug="jens-stoltenberg")
    Trip.objects.create(traveller=person, external_id="hsg-tour:1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Trip.objects.create(traveller=person, external_id="hsg-tour:1")


def test_evidence_belongs_to_exactly_one_fact(caucasus):
    person = Person.objects.create(name="Jens Stoltenberg", slug="jens-stoltenberg")
    trip = Trip.objects.create(traveller=person)
    stop = Stop.objects.create(trip=trip, country=caucasus["GE"])
    report = Report.objects.create(title="r", text="x" * 20)
    Evidence.objects.create(report=report, trip=trip, quote="x", start=0, end=1)
    for facts in ({}, {"trip": trip, "stop": stop}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Evidence.objects.create(report=report, quote="x", start=0, end=1, **facts)


def test_seeded_topics_have_the_fixed_slugs(db):
    assert set(Topic.objects.values_list("slug", flat=True)) >= {
        "energy-security",
        "membership-process",
        "partnership",
        "defence-cooperation",
        "peace-process",
        "trade-investment",
        "sanctions",
        "ukraine-war",
        "migration",
        "climate",
        "other",
    }


@pytest.mark.parametrize(
    ("text", "first", "last", "precision"),
    [
        ("2024", D(2024, 1, 1), D(2024, 12, 31), Precision.YEAR),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), Precision.MONTH),
        ("2024-03-18", D(2024, 3, 18), D(2024, 3, 18), Precision.DAY),
    ],
)
def test_period_bounds(text, first, last, precision):
    assert period_bounds(text) == (first, last, precision)
    assert format_partial(first, precision) == text


@pytest.mark.parametrize("bad", ["2024-02-30", "2024-13", "24-03-01", "March 2024", ""])
def test_impossible_or_malformed_dates_are_refused(bad):
    with pytest.raises(ValueError, match="date"):
        period_bounds(bad)


def test_imprecise_dates_match_overlapping_ranges(caucasus):
    person = Person.objects.create(name="Jens Stoltenberg", slug="jens-stoltenberg")
    march = Trip.objects.create(
        traveller=person, start_date=D(2024, 3, 1), end_date=D(2024, 3, 31), precision=Precision.MONTH
    )
    day = Trip.objects.create(
        traveller=person, start_date=D(2024, 3, 18), end_date=D(2024, 3, 19), precision=Precision.DAY
    )
    undated = Trip.objects.create(traveller=person)

    assert set(Trip.objects.in_period(D(2024, 3, 15), D(2024, 3, 20))) == {march, day}
    assert set(Trip.objects.in_period(D(2024, 3, 1), D(2024, 3, 10))) == {march}
    assert set(Trip.objects.in_period(D(2024, 4, 1), None)) == set()
    assert undated not in Trip.objects.in_period(D(2000, 1, 1), D(2100, 1, 1))
