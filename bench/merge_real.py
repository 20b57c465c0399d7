"""How many records each real trip of the real-report corpus becomes, merged in three random orders.

    DJANGO_SETTINGS_MODULE=tracker.settings python -m bench.merge_real [--split dev|test|all] [--orders 3]
        [--gold] [--json FILE]

Every cached report of the corpus is extracted once, then merged into the timeline one by one, as feeds
bring them (publication date only where the page gives one: its day, or its month when the stored page is
dated only to a month and the text gives no date), in a random order; everything is rolled back
after each order. At the end, each labelled trip of each report is aligned with the timeline trip its
report's evidence points to (same traveller, a shared country), and per real trip we count the records:

- *exactly one*: real trips that became one record, of those that became any;
- *hard negatives merged*: records that hold two different real trips of the same traveller;
- *same in every order*: whether the grouping of (report, real trip) pairs is identical across orders.

``--gold`` merges the labels themselves instead of the engine's output: a check of the merging rules
alone (the labels' trips are right, so every miss is the merge's). ``--explain`` (dev half only: the test
half's errors are not read) prints, for each real trip that did not become one record, each report's
trip claim and the record it went to.
Needs a migrated database with places and officials (load_places, load_starter).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import defaultdict

import django


class _Rollback(Exception):
    pass


def _extractions(cases, gold: bool) -> dict[str, dict]:
    from visits.extraction import extract_report
    from visits.services.directory import DatabaseDirectory

    if gold:
        return {case.name: case.gold for case in cases}
    directory = DatabaseDirectory()
    return {
        case.name: extract_report(
            case.text, published=case.published_for_engine, language=case.language, directory=directory
        )
        for case in cases
    }


def _merge_in_order(cases, extractions: dict[str, dict], explain: bool = False) -> dict:
    """Merge every case in the given order; return real trip id -> timeline trip ids, and the records."""
    from django.db import transaction

    from visits.models import Report
    from visits.services.merge import merge_extraction

    outcome: dict = {}
    try:
        with transaction.atomic():
            reports = {}
            for case in cases:
                report = Report.objects.create(
                    kind=Report.Kind.FILE,
                    language=case.language,
                    published_date=case.published_for_engine,
                    text=case.text,
                )
                merge_extraction(report, _with_page_month(case, extractions[case.name]))
                reports[case.name] = report
            outcome = _records_of_real_trips(cases, reports)
            if explain:
                outcome["claims"] = _claims_by_report(reports)
            raise _Rollback
    except _Rollback:
        pass
    return outcome


def _with_page_month(case, extraction: dict) -> dict:
    """A page dated only to a month tells ingestion that month, where neither the page nor the text gives a day."""
    meta = extraction.get("report") or {}
    if case.published_for_engine or meta.get("published") or not case.page_month:
        return extraction
    return extraction | {"report": meta | {"published": case.page_month}}


def _records_of_real_trips(cases, reports) -> dict:
    from visits.evaluation import _align, _trip_affinity
    from visits.models import Trip

    records: dict[str, set[int]] = defaultdict(set)
    pairs: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for case in cases:
        gold_trips = case.gold.get("trips") or []
        ids = case.real_trips
        trip_ids = set(reports[case.name].evidence.exclude(trip=None).values_list("trip_id", flat=True))
        trip_ids |= set(reports[case.name].evidence.exclude(stop=None).values_list("stop__trip_id", flat=True))
        stored = [
            {
                "traveller": {"name": t.traveller.name},
                "stops": [{"country": c} for c in t.stops.values_list("country_id", flat=True)],
                "pk": t.pk,
            }
            for t in Trip.objects.filter(pk__in=trip_ids).select_related("traveller")
        ]
        for i, j in _align(gold_trips, stored, _trip_affinity):
            if i < len(ids):
                records[ids[i]].add(stored[j]["pk"])
                pairs[stored[j]["pk"]].add((case.name, ids[i]))
    return {"records": records, "pairs": pairs}


def _claims_by_report(reports) -> dict[str, list[tuple[int, dict]]]:
    from visits.models import Evidence

    claims: dict[str, list[tuple[int, dict]]] = {}
    for name, report in reports.items():
        rows = Evidence.objects.filter(report=report).exclude(trip=None).values_list("trip_id", "claim")
        claims[name] = sorted({(trip_id, json.dumps(claim, sort_keys=True)) for trip_id, claim in rows})
    return claims


def _explain(outcome: dict) -> None:
    """Per split real trip: which record each report's claim went to, and what the claim said."""
    records, pairs, claims = outcome["records"], outcome["pairs"], outcome["claims"]
    for real_trip in sorted(records):
        if len(records[real_trip]) < 2:
            continue
        print(f"{real_trip}: {len(records[real_trip])} records")
        for pk in sorted(records[real_trip]):
            for name, rid in sorted(pairs[pk]):
                if rid != real_trip:
                    continue
                for trip_id, claim in claims.get(name, []):
                    if trip_id == pk:
                        c = json.loads(claim)
                        when = f"{c.get('start')}..{c.get('end')} {c.get('precision')}" if c.get("start") else "undated"
                        print(
                            f"    record {pk}  {name:55} {when:32} published {c.get('published')} "
                            f"{','.join(c.get('countries', []))}"
                        )


def _summary(all_ids: set[str], outcome: dict) -> dict:
    records, pairs = outcome["records"], outcome["pairs"]
    found = [rid for rid in all_ids if records.get(rid)]
    exact = [rid for rid in found if len(records[rid]) == 1]
    mixed = [sorted({rid for _, rid in members}) for members in pairs.values() if len({r for _, r in members}) > 1]
    return {
        "real_trips": len(all_ids),
        "found": len(found),
        "exactly_one": len(exact),
        "exactly_one_share_of_found": round(len(exact) / len(found), 3) if found else None,
        "records_per_found_trip": round(sum(len(records[r]) for r in found) / len(found), 2) if found else None,
        "records_merging_several_real_trips": len(mixed),
        "merged_real_trips": mixed,
    }


def _grouping(outcome: dict) -> frozenset:
    return frozenset(frozenset(members) for members in outcome["pairs"].values())


def main() -> None:
    django.setup()
    from django.conf import settings

    from visits.evaluation import load_real_corpus

    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=["dev", "test", "all"], default="all")
    parser.add_argument("--orders", type=int, default=3)
    parser.add_argument("--gold", action="store_true", help="merge the labels instead of the engine's output")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--explain", action="store_true", help="show the split real trips (dev half only)")
    args = parser.parse_args()
    if args.explain and args.split != "dev":
        parser.error("--explain shows errors: only for --split dev (the test half's errors are not read)")
    corpus = load_real_corpus(
        settings.REAL_CORPUS_LABELS, settings.REAL_CORPUS_CACHE, split=None if args.split == "all" else args.split
    )
    if not corpus.cases:
        print("real corpus: no cached texts (run manage.py fetch_real_corpus); nothing measured")
        return
    started = time.perf_counter()
    extractions = _extractions(corpus.cases, args.gold)
    extracted = time.perf_counter() - started
    all_ids = {rid for case in corpus.cases for rid in case.real_trips}
    runs, groupings = [], []
    for seed in range(1, args.orders + 1):
        order = list(corpus.cases)
        random.Random(seed).shuffle(order)
        started = time.perf_counter()
        outcome = _merge_in_order(order, extractions, explain=args.explain)
        summary = _summary(all_ids, outcome) | {"seed": seed, "seconds": round(time.perf_counter() - started, 1)}
        runs.append(summary)
        groupings.append(_grouping(outcome))
        if args.explain:
            _explain(outcome)
    result = {
        "split": args.split,
        "source": "labels" if args.gold else "engine",
        "reports": len(corpus.cases),
        "extraction_seconds": round(extracted, 1),
        "same_in_every_order": len(set(groupings)) == 1,
        "orders": runs,
    }
    for run in runs:
        print(
            f"order {run['seed']}: {run['exactly_one']}/{run['found']} real trips found are exactly one record "
            f"({run['exactly_one_share_of_found']}), {run['found']}/{run['real_trips']} found, "
            f"{run['records_per_found_trip']} records per trip, "
            f"{run['records_merging_several_real_trips']} records merging several real trips, {run['seconds']} s"
        )
        for mixed in run["merged_real_trips"]:
            print(f"    merged: {', '.join(mixed)}")
    print(f"same grouping in every order: {result['same_in_every_order']}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)


if __name__ == "__main__":
    main()
