"""Identity resolution: one real trip is one record, whatever the order; undated reports are never guessed."""

from __future__ import annotations

import itertools

import pytest

from visits.models import Country, MergeDecision, Report, Trip
from visits.services import identity
from visits.services.merge import merge_extraction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ukraine(db):
    return Country.objects.get_or_create(code="UA", defaults={"name": "Ukraine"})[0]


RUTTE = {"name": "Mark Rutte", "role": "Secretary General", "organization": "NATO", "flags": []}


def report_of(published: str | None, stop: dict, status: str = "ongoing", start: str | None = None) -> dict:
    trip = {"traveller": RUTTE, "status": status, "stops": [stop], "evidence": []}
    if start:
        trip |= {"start": start, "end": start, "precision": "day"}
    return {"report": {"language": "en", "published": published}, "officials": [RUTTE], "trips": [trip], "meetings": []}


KYIV_OCT = report_of("2024-10-03", {"country": "UA", "city": "Kyiv"}, start="2024-10-03")
KYIV_MAR = report_of("2024-03-01", {"country": "UA", "city": "Kharkiv"}, start="2024-03-01")
UNDATED_NEAR_OCT = report_of("2024-10-05", {"country": "UA"})  # no date in the text; published two days later
UNDATED_NO_DATE = report_of(None, {"country": "UA"})  # neither a date nor a publication day


def merge_all(extractions: list[dict]) -> list[Report]:
    reports = []
    for n, extraction in enumerate(extractions):
        report = Report.objects.create(kind=Report.Kind.FILE, title=f"r{n}", language="en", text=f"report {n}")
        merge_extraction(report, extraction)
        reports.append(report)
    return reports


def grouping() -> set[frozenset[str]]:
    """Which reports each trip holds, by report title: the result that must not depend on order."""
    return {
        frozenset(trip.evidence.values_list("report__title", flat=True).distinct())
        for trip in Trip.objects.filter(traveller__name="Mark Rutte")
    }


def test_an_undated_report_joins_the_one_trip_its_date_fits():
    merge_all([KYIV_OCT, KYIV_MAR, UNDATED_NEAR_OCT])
    assert grouping() == {frozenset({"r0", "r2"}), frozenset({"r1"})}
    (kept,) = [t for t in Trip.objects.all() if t.evidence.filter(report__title="r2").exists()]
    assert identity.UNRESOLVED not in kept.flags


def test_an_undated_report_without_any_date_is_never_guessed():
    merge_all([KYIV_OCT, UNDATED_NO_DATE])
    assert grouping() == {frozenset({"r0"}), frozenset({"r1"})}
    alone = Trip.objects.get(evidence__report__title="r1")
    assert identity.UNRESOLVED in alone.flags


def test_a_report_dated_only_to_a_month_joins_the_one_trip_near_that_month():
    in_october = report_of("2024-10", {"country": "UA"})  # a page dated "2024-10", no day anywhere
    merge_all([KYIV_OCT, KYIV_MAR, in_october])
    assert grouping() == {frozenset({"r0", "r2"}), frozenset({"r1"})}


def test_a_month_that_two_trips_lie_near_places_nothing():
    in_april = report_of("2024-04", {"country": "UA"})
    late_march = report_of("2024-03-28", {"country": "UA", "city": "Odesa"}, start="2024-03-28")
    late_april = report_of("2024-04-30", {"country": "UA", "city": "Lviv"}, start="2024-04-30")
    merge_all([late_march, late_april, in_april])  # both within a week of April
    assert grouping() == {frozenset({"r0"}), frozenset({"r1"}), frozenset({"r2"})}
    assert identity.UNRESOLVED in Trip.objects.get(evidence__report__title="r2").flags


def test_a_bare_year_gives_way_to_the_day_the_report_was_fetched():
    import datetime as dt

    merge_all([KYIV_OCT])
    fetched = Report.objects.create(
        kind=Report.Kind.ARTICLE,
        title="fetched",
        url="https://news.example/rutte-kyiv",
        language="en",
        text="report",
        retrieved_at=dt.datetime(2024, 10, 5, 9, 0, tzinfo=dt.UTC),
    )
    merge_extraction(fetched, report_of("2024", {"country": "UA"}))
    assert grouping() == {frozenset({"r0", "fetched"})}


def test_a_month_reaches_only_a_week_beyond_itself():
    in_april = report_of("2024-04", {"country": "UA"})
    mid_march = report_of("2024-03-15", {"country": "UA", "city": "Odesa"}, start="2024-03-15")
    merge_all([mid_march, in_april])
    assert grouping() == {frozenset({"r0"}), frozenset({"r1"})}


def test_an_undated_claim_sees_every_trip_it_could_join_whatever_the_order():
    """A claim in two countries that fits a trip in each stays apart, even when it came before one of them."""
    Country.objects.get_or_create(code="PL", defaults={"name": "Poland"})
    both = report_of("2024-10-04", {"country": "UA"})
    both["trips"][0]["stops"].append({"country": "PL"})
    kyiv = report_of("2024-10-03", {"country": "UA"}, start="2024-10-03")
    warsaw_later = report_of("2024-10-20", {"country": "PL"}, start="2024-10-20")
    results = set()
    for order in itertools.permutations([0, 1, 2]):
        Trip.objects.all().delete()
        Report.objects.all().delete()
        extractions = [[both, kyiv, warsaw_later][i] for i in order]
        reports = merge_all(extractions)
        names = {report.title: str(i) for report, i in zip(reports, order, strict=True)}
        results.add(frozenset(frozenset(names[t] for t in group) for group in grouping()))
    assert results == {frozenset({frozenset({"0"}), frozenset({"1"}), frozenset({"2"})})}


def test_hard_negatives_stay_apart_and_the_result_is_the_same_in_every_order():
    extractions = {"a": KYIV_OCT, "b": KYIV_MAR, "c": UNDATED_NEAR_OCT}
    results = set()
    for order in itertools.permutations("abc"):
        Trip.objects.all().delete()
        Report.objects.all().delete()
        reports = merge_all([extractions[key] for key in order])
        titles = {report.title: key for report, key in zip(reports, order, strict=True)}
        results.add(frozenset(frozenset(titles[t] for t in group) for group in grouping()))
    assert results == {frozenset({frozenset({"a", "c"}), frozenset({"b"})})}


def test_an_undated_report_that_fits_two_trips_stays_apart_and_is_flagged():
    second_october_visit = report_of("2024-10-20", {"country": "UA"}, start="2024-10-20")
    merge_all([KYIV_OCT, second_october_visit, report_of("2024-10-12", {"country": "UA"})])
    groups = grouping()
    assert frozenset({"r2"}) in groups and len(groups) == 3
    assert identity.UNRESOLVED in Trip.objects.get(evidence__report__title="r2").flags


def test_merges_are_explained_with_their_rule_and_reports():
    reports = merge_all([UNDATED_NEAR_OCT, KYIV_OCT])  # the undated one first: it is placed when the dated one comes
    assert grouping() == {frozenset({"r0", "r1"})}
    decision = MergeDecision.objects.get()
    assert decision.rule == "undated-single-candidate" and decision.action == "merged"
    assert decision.reports == [reports[0].pk] and "publication date" in decision.reason


def test_resolving_again_changes_nothing():
    merge_all([KYIV_OCT, KYIV_MAR, UNDATED_NEAR_OCT])
    before = grouping()
    person = Trip.objects.first().traveller_id
    result = identity.resolve_traveller(person)
    assert (result.merged, result.split) == (0, 0) and grouping() == before


def test_an_analysts_split_stays_split_when_the_reports_come_again(admin_client):
    from django.core.management import call_command

    wrong = report_of("2024-10-04", {"country": "UA"}, start="2024-10-04")  # the next day: merged with KYIV_OCT
    reports = merge_all([KYIV_OCT, wrong])
    (trip,) = Trip.objects.all()
    evidence = trip.evidence.filter(report=reports[1])
    response = admin_client.post(
        "/admin/visits/evidence/",
        {"action": "separate", "_selected_action": [str(pk) for pk in evidence.values_list("pk", flat=True)]},
    )
    assert response.status_code == 302
    assert grouping() == {frozenset({"r0"}), frozenset({"r1"})}
    for report, extraction in zip(reports, [KYIV_OCT, wrong], strict=True):
        merge_extraction(report, extraction)  # ingested again
    call_command("resolve_timeline", verbosity=0)
    assert grouping() == {frozenset({"r0"}), frozenset({"r1"})}
    assert MergeDecision.objects.filter(action="separated", rule="analyst").count() == 1


def test_resolve_timeline_reports_its_counts():
    from io import StringIO

    from django.core.management import call_command

    merge_all([KYIV_OCT, UNDATED_NO_DATE])
    out = StringIO()
    call_command("resolve_timeline", verbosity=0, stdout=out)
    assert "travellers: 1; trips merged: 0, split: 0, unresolved: 1; travellers unchanged: 1" in out.getvalue()
