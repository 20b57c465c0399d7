"""Time to merge and resolve generated reports of generated trips: the ingestion side of the timeline.

    DJANGO_SETTINGS_MODULE=tracker.settings python -m bench.merge_generated [--reports 10000] [--trips 1000]
        [--seed 1] [--keep]

Each generated trip has a traveller (one of the known officials), one to three stops in countries of
the places table and a date; each of its reports is an extraction as the engine gives them: the trip
with all or some of its stops, dated to the day or undated with a publication date within a few days,
and a meeting with a counterpart. Reports are merged one by one in a random order (each in its own
transaction, as workers do), in a transaction rolled back at the end unless --keep. Prints reports/s
and records per generated trip (1.0 is right).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

import django


class _Rollback(Exception):
    pass


# Autovacuum keeps the planner's statistics of a live database current; here everything happens in one
# transaction (rolled back), which autovacuum never sees, so the benchmark analyses as the rows grow.
ANALYZE_EVERY = 250


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "visits_report",
            "visits_trip",
            "visits_stop",
            "visits_meeting",
            "visits_participation",
            "visits_evidence",
            "visits_change",
            "visits_mergedecision",
        ):
            cursor.execute(f"ANALYZE {table}")


def _trips(rng: random.Random, count: int, people: list, countries: list[str]) -> list[dict]:
    start = dt.date(2015, 1, 1)
    trips = []
    for n in range(count):
        person = people[n % len(people)]
        day = start + dt.timedelta(days=rng.randrange(3650))
        stops = rng.sample(countries, rng.randint(1, 3))
        trips.append({"id": n, "traveller": person, "day": day, "stops": stops})
    return trips


def _report(rng: random.Random, trip: dict, counterpart) -> dict:
    traveller = {"name": trip["traveller"].name, "flags": []}
    stops = trip["stops"] if rng.random() < 0.6 else rng.sample(trip["stops"], 1)
    day = trip["day"]
    dated = rng.random() < 0.7
    published = day + dt.timedelta(days=rng.randint(-3, 3))
    body = {"traveller": traveller, "status": "completed" if published > day else "planned", "evidence": []}
    body["stops"] = [{"country": code} for code in stops]
    if dated:
        body |= {"start": day.isoformat(), "end": day.isoformat(), "precision": "day"}
    meeting = {
        "kind": "talks",
        "country": stops[0],
        "participants": [traveller, {"name": counterpart.name, "flags": []}],
        "status": "held",
        "evidence": [],
    }
    if dated:
        meeting |= {"date": day.isoformat(), "precision": "day"}
    return {
        "report": {"language": "en", "published": published.isoformat()},
        "officials": [traveller],
        "trips": [body],
        "meetings": [meeting],
    }


def main() -> None:
    django.setup()
    from django.db import transaction

    from visits.models import Country, Person, Report, Trip
    from visits.services.merge import merge_extraction

    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=10000)
    parser.add_argument("--trips", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep what was merged (default: roll back)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    people = list(Person.objects.order_by("pk")[:200])
    countries = list(Country.objects.filter(code__regex=r"^[A-Z]{2}$").values_list("code", flat=True))
    if len(people) < 2 or not countries:
        print("needs places and officials: run manage.py load_places and load_starter first")
        return
    trips = _trips(rng, args.trips, people, countries)
    plan = [trips[i % len(trips)] for i in range(args.reports)]
    rng.shuffle(plan)
    before = set(Trip.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    try:
        with transaction.atomic():
            reports = {}
            for n, trip in enumerate(plan):
                report = Report.objects.create(kind=Report.Kind.FILE, language="en", text=f"generated report {n}")
                with transaction.atomic():
                    merge_extraction(report, _report(rng, trip, people[(trip["id"] + 7) % len(people)]))
                reports.setdefault(trip["id"], []).append(report.pk)
                if n % ANALYZE_EVERY == ANALYZE_EVERY - 1:
                    _analyze()
            seconds = time.perf_counter() - started
            records = []
            for report_ids in reports.values():
                held = set(Trip.objects.filter(evidence__report_id__in=report_ids).values_list("pk", flat=True))
                records.append(len(held - before))
            print(
                f"{args.reports} reports of {len(reports)} trips merged in {seconds:.0f} s "
                f"({args.reports / seconds:.1f} reports/s); records per trip: {sum(records) / len(records):.2f}, "
                f"exactly one: {sum(1 for r in records if r == 1)}/{len(records)}"
            )
            if not args.keep:
                raise _Rollback
    except _Rollback:
        pass


if __name__ == "__main__":
    main()
