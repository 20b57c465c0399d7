"""Time to merge and resolve generated reports of generated trips: the ingestion side of the timeline.

    DJANGO_SETTINGS_MODULE=tracker.settings python -m bench.merge_generated [--reports 10000] [--trips 1000]
        [--seed 1] [--keep] [--workers 2]

Each generated trip has a traveller (one of the known officials), one to three stops in countries of
the places table and a date; each of its reports is an extraction as the engine gives them: the trip
with all or some of its stops, dated to the day or undated with a publication date within a few days,
and a meeting with a counterpart. Reports are merged one by one in a random order (each in its own
transaction, as workers do), in a transaction rolled back at the end unless --keep. Prints reports/s
and records per generated trip (1.0 is right).

With ``--workers N`` (N > 1) the reports are merged by N processes at once, as N ingestion workers would
(each report its own committed transaction; concurrent merges about one traveller wait on each other's
lock). That needs commits, so it runs in a copy of the database (``CREATE DATABASE ... TEMPLATE``, which
wants no other session on it), dropped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import random
import sys
import time

import django


class _Rollback(Exception):
    pass


# Autovacuum keeps the planner's statistics of a live database current; here everything happens in one
# transaction (rolled back), which autovacuum never sees, so the benchmark analyses as the rows grow.
ANALYZE_EVERY = 250


def _analyze() -> None:
    from visits.models import Change, Evidence, Meeting, MergeDecision, Participation, Report, Stop, Trip
    from visits.services.writer import analyze

    analyze(Report, Trip, Stop, Meeting, Participation, Evidence, Change, MergeDecision)


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


def _setup(people_limit: int = 200) -> tuple[list, list[str]]:
    from visits.models import Country, Person

    people = list(Person.objects.order_by("pk")[:people_limit])
    countries = list(Country.objects.filter(code__regex=r"^[A-Z]{2}$").values_list("code", flat=True))
    return people, countries


def _merge_one(rng: random.Random, n: int, trip: dict, people: list) -> int:
    from django.db import transaction

    from visits.models import Report
    from visits.services.merge import merge_extraction

    with transaction.atomic():
        report = Report.objects.create(kind=Report.Kind.FILE, language="en", text=f"generated report {n}")
        merge_extraction(report, _report(rng, trip, people[(trip["id"] + 7) % len(people)]))
    return report.pk


def _records(reports: dict[int, list[int]], before: set[int]) -> list[int]:
    from visits.models import Trip

    records = []
    for report_ids in reports.values():
        held = set(Trip.objects.filter(evidence__report_id__in=report_ids).values_list("pk", flat=True))
        records.append(len(held - before))
    return records


def _print(count: int, seconds: float, records: list[int], workers: int) -> None:
    print(
        f"{count} reports of {len(records)} trips merged in {seconds:.0f} s by {workers} worker(s) "
        f"({count / seconds:.1f} reports/s); records per trip: {sum(records) / len(records):.2f}, "
        f"exactly one: {sum(1 for r in records if r == 1)}/{len(records)}"
    )


def main() -> None:
    django.setup()
    from django.db import transaction

    from visits.models import Report, Trip
    from visits.services.merge import merge_extraction

    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=10000)
    parser.add_argument("--trips", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep what was merged (default: roll back)")
    parser.add_argument("--workers", type=int, default=1, help="merge in this many processes at once")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    people, countries = _setup()
    if len(people) < 2 or not countries:
        print("needs places and officials: run manage.py load_places and load_starter first")
        return
    trips = _trips(rng, args.trips, people, countries)
    plan = [trips[i % len(trips)] for i in range(args.reports)]
    rng.shuffle(plan)
    if args.workers > 1:
        _parallel(args, plan)
        return
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
            _print(args.reports, time.perf_counter() - started, _records(reports, before), 1)
            if not args.keep:
                raise _Rollback
    except _Rollback:
        pass


# --- several workers, in a copy of the database -------------------------------------------------------------


def _parallel(args: argparse.Namespace, plan: list[dict]) -> None:
    from django.db import connection, connections

    source = connection.settings_dict["NAME"]
    copy = f"{source}_merge_bench"
    connections.close_all()
    try:
        _admin(f'DROP DATABASE IF EXISTS "{copy}"')
        _admin(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
    except Exception as exc:  # the template is in use, or no CREATEDB right: say so, no traceback
        print(f"cannot copy the database {source!r} for a parallel run: {exc}".strip())
        sys.exit(2)
    try:
        _use(copy)
        from visits.models import Trip

        before = set(Trip.objects.values_list("pk", flat=True))
        connections.close_all()
        # plain data for the worker processes (a model instance cannot be unpickled before django.setup())
        plain = [(n, trip | {"traveller": trip["traveller"].pk}) for n, trip in enumerate(plan)]
        shares = [plain[k :: args.workers] for k in range(args.workers)]
        context = multiprocessing.get_context("spawn")
        started = time.perf_counter()
        with context.Pool(args.workers) as pool:
            done = pool.starmap(_worker, [(copy, k, share, args.seed) for k, share in enumerate(shares)])
        seconds = time.perf_counter() - started
        reports: dict[int, list[int]] = {}
        for share in done:
            for trip_id, report_id in share:
                reports.setdefault(trip_id, []).append(report_id)
        _print(len(plan), seconds, _records(reports, before), args.workers)
    finally:
        connections.close_all()
        if not args.keep:
            _admin(f'DROP DATABASE IF EXISTS "{copy}"')


def _worker(database: str, index: int, share: list[tuple[int, dict]], seed: int) -> list[tuple[int, int]]:
    django.setup()
    _use(database)
    from visits.models import Person

    rng = random.Random(seed * 1000 + index)
    people = {p.pk: p for p in Person.objects.filter(pk__in={t["traveller"] for _, t in share})}
    people_list, _ = _setup()
    done = []
    for count, (n, trip) in enumerate(share):
        trip = trip | {"traveller": people[trip["traveller"]]}
        done.append((trip["id"], _merge_one(rng, n, trip, people_list)))
        if index == 0 and count % ANALYZE_EVERY == ANALYZE_EVERY - 1:
            _analyze()
    return done


def _use(database: str) -> None:
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = database


def _admin(sql: str) -> None:
    """CREATE/DROP DATABASE on the server, from the maintenance database (they cannot run in a transaction)."""
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql)


if __name__ == "__main__":
    main()
