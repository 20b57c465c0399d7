"""Fill a database with synthetic trips and meetings for the API benchmark, reproducibly and fast.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h8 \\
        .venv/bin/python -m bench.generate --seed 1 --meetings 100000 --trips 20000

Adds, on top of what the database already holds (ideally the real HSG data loaded
by ``manage.py import_hsg``): people, reports, trips with 1-3 stops, meetings
(40 % of them during a trip) with 2-3 participants, topics on stops and meetings,
and evidence quoting made-up report sentences. Rows are written with PostgreSQL
COPY (psycopg ``cursor.copy``) in one transaction; every column the code does not
set gets its model default, so the generator follows schema changes. The same
seed on the same starting database gives the same rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import django

BENCH_HOST = "bench.example"
FIRST_DAY = dt.date(1995, 1, 1)
DAYS = (dt.date(2025, 12, 31) - FIRST_DAY).days
NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)

# Used only when the database has no countries and load_places is unavailable: code, name, capital, lat, lon.
FALLBACK_PLACES = [
    ("US", "United States", "Washington", 38.9, -77.04), ("FR", "France", "Paris", 48.86, 2.35),
    ("DE", "Germany", "Berlin", 52.52, 13.4), ("GB", "United Kingdom", "London", 51.51, -0.13),
    ("RU", "Russia", "Moscow", 55.76, 37.62), ("CN", "China", "Beijing", 39.9, 116.4),
    ("JP", "Japan", "Tokyo", 35.68, 139.69), ("IN", "India", "New Delhi", 28.61, 77.21),
    ("BR", "Brazil", "Brasília", -15.79, -47.88), ("ZA", "South Africa", "Pretoria", -25.75, 28.19),
    ("GE", "Georgia", "Tbilisi", 41.72, 44.79), ("AM", "Armenia", "Yerevan", 40.18, 44.51),
    ("AZ", "Azerbaijan", "Baku", 40.41, 49.87), ("TR", "Türkiye", "Ankara", 39.93, 32.86),
    ("UA", "Ukraine", "Kyiv", 50.45, 30.52), ("PL", "Poland", "Warsaw", 52.23, 21.01),
    ("IT", "Italy", "Rome", 41.9, 12.5), ("ES", "Spain", "Madrid", 40.42, -3.7),
    ("EG", "Egypt", "Cairo", 30.04, 31.24), ("SA", "Saudi Arabia", "Riyadh", 24.71, 46.68),
    ("IL", "Israel", "Jerusalem", 31.77, 35.21), ("IR", "Iran", "Tehran", 35.69, 51.39),
    ("KR", "South Korea", "Seoul", 37.57, 126.98), ("AU", "Australia", "Canberra", -35.28, 149.13),
    ("CA", "Canada", "Ottawa", 45.42, -75.7), ("MX", "Mexico", "Mexico City", 19.43, -99.13),
    ("NG", "Nigeria", "Abuja", 9.08, 7.4), ("KE", "Kenya", "Nairobi", -1.29, 36.82),
    ("BE", "Belgium", "Brussels", 50.85, 4.35), ("KZ", "Kazakhstan", "Astana", 51.17, 71.45),
]  # fmt: skip

WORDS = [
    "talks", "cooperation", "pipeline", "summit", "agreement", "security", "energy", "grid", "visa", "border",
    "trade", "tariff", "investment", "ceasefire", "reconstruction", "sanctions", "accession", "partnership",
    "exercise", "frigate", "corridor", "railway", "port", "loan", "climate", "emissions", "refugees", "aid",
    "grain", "harbour", "memorandum", "treaty", "delegation", "parliament",
]  # fmt: skip
MAJOR = ("US", "FR", "DE", "GB", "RU", "CN", "JP", "IN", "TR", "UA", "GE", "BE")  # half of all places
KINDS = ["meeting", "talks", "press-conference", "summit", "ceremony", "visit", "other"]
LANGUAGES = ["en", "en", "en", "fr", "de", "ru", "es"]
PUBLISHERS = ["Wire One", "Daily Bulletin", "State Agency", "Ministry of Foreign Affairs", "Global Post"]
TITLES = ["President", "Prime Minister", "Minister of Foreign Affairs", "Minister of Defence", "Ambassador"]


# --- COPY with model defaults ---------------------------------------------------------------


class Table:
    """COPY rows into a model's table; columns not given take the model field's default."""

    def __init__(self, model: type) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.defaults = [self._default(f) for f in self.fields]
        self.json = [f.get_internal_type() == "JSONField" for f in self.fields]
        self.attnames = [f.attname for f in self.fields]

    @staticmethod
    def _default(f: Any) -> Any:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            return NOW
        return f.get_default()

    def row(self, values: dict[str, Any]) -> tuple:
        out = []
        for name, default, is_json in zip(self.attnames, self.defaults, self.json, strict=True):
            value = values.get(name, default)
            out.append(json.dumps(value) if is_json and value is not None else value)
        return tuple(out)

    def copy(self, cursor: Any, rows: Iterable[dict[str, Any]]) -> int:
        """Stream ``rows`` through COPY; returns how many were written."""
        columns = ", ".join(f'"{f.column}"' for f in self.fields)
        count = 0
        with cursor.copy(f'COPY "{self.model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for values in rows:
                copy.write_row(self.row(values))
                count += 1
        return count


def next_id(cursor: Any, model: type) -> int:
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')
    return cursor.fetchone()[0]


def reset_sequence(cursor: Any, model: type) -> None:
    table = model._meta.db_table
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))",
        [table],
    )


# --- The synthetic world --------------------------------------------------------------------


@dataclass
class World:
    """What the synthetic rows refer to: places, topics, people, reports, and id counters."""

    rng: random.Random
    countries: list[tuple[str, str]]  # (code, name)
    cities: dict[str, list[str]]  # code -> city names (most populous first)
    topics: list[int]
    people: list[tuple[int, str, str]] = field(default_factory=list)  # (id, name, country)
    reports: list[tuple[int, str]] = field(default_factory=list)  # (id, language)
    ids: dict[str, int] = field(default_factory=dict)

    def take(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind] - 1

    def period(self, days: int) -> tuple[dt.date, dt.date, str]:
        """A random period: a day range (80 %), a month (15 %) or a year (5 %)."""
        start = FIRST_DAY + dt.timedelta(days=self.rng.randrange(DAYS))
        roll = self.rng.random()
        if roll < 0.8:
            return start, start + dt.timedelta(days=days), "day"
        if roll < 0.95:
            first = start.replace(day=1)
            nxt = (first + dt.timedelta(days=32)).replace(day=1)
            return first, nxt - dt.timedelta(days=1), "month"
        return dt.date(start.year, 1, 1), dt.date(start.year, 12, 31), "year"

    def country(self) -> tuple[str, str]:
        """A country: one of MAJOR half of the time, so that filters by country fill pages."""
        major = [c for c in self.countries if c[0] in MAJOR]
        return self.rng.choice(major if major and self.rng.random() < 0.5 else self.countries)

    def city(self, code: str) -> str:
        names = self.cities.get(code) or [""]
        return names[min(int(self.rng.expovariate(0.7)), len(names) - 1)]

    def sentence(self, *names: str) -> str:
        words = " ".join(self.rng.sample(WORDS, 5))
        return f"{' and '.join(n for n in names if n)} held {words} talks, officials said."


def load_world(cursor: Any, rng: random.Random) -> World:
    cursor.execute("SELECT code, name FROM visits_country WHERE NOT historical ORDER BY code")
    countries = cursor.fetchall()
    cursor.execute(
        "SELECT country_id, name FROM ("
        " SELECT country_id, name, row_number() OVER (PARTITION BY country_id ORDER BY population DESC, id) AS n"
        " FROM visits_city) ranked WHERE n <= 5 ORDER BY country_id, n"
    )
    cities: dict[str, list[str]] = {}
    for code, name in cursor.fetchall():
        cities.setdefault(code, []).append(name)
    cursor.execute("SELECT id FROM visits_topic ORDER BY id")
    topics = [row[0] for row in cursor.fetchall()]
    countries = [c for c in countries if c[0] in cities] or countries
    return World(rng=rng, countries=countries, cities=cities, topics=topics)


def ensure_places(cursor: Any) -> None:
    """Countries and cities: load_places when available, else a small built-in list."""
    cursor.execute("SELECT count(*) FROM visits_country")
    if cursor.fetchone()[0]:
        return
    from django.core.management import call_command, get_commands

    if "load_places" in get_commands():
        call_command("load_places")
        return
    print("no countries and no load_places command: using the built-in list of 30 countries", file=sys.stderr)
    for code, name, capital, lat, lon in FALLBACK_PLACES:
        cursor.execute(
            "INSERT INTO visits_country (code, name, names, historical, successor_codes) "
            "VALUES (%s, %s, '{}', false, '[]') ON CONFLICT DO NOTHING",
            [code, name],
        )
        cursor.execute(
            "INSERT INTO visits_city (name, country_id, latitude, longitude, population, alternate_names) "
            "VALUES (%s, %s, %s, %s, 1000000, '[]')",
            [capital, code, lat, lon],
        )


# --- Row generators -------------------------------------------------------------------------


def gen_people(world: World, count: int, seed: int) -> Iterator[dict]:
    for n in range(count):
        pid = world.take("person")
        code = world.country()[0]
        name = f"{world.rng.choice(['Anna', 'Boris', 'Chen', 'Dana', 'Emil', 'Fatima', 'Giorgi', 'Hana'])} Bench{n}"
        world.people.append((pid, name, code))
        yield {"id": pid, "name": name, "sort_name": name, "slug": f"bench-{seed}-person-{n}", "country_id": code}


def gen_reports(world: World, count: int, seed: int) -> Iterator[dict]:
    for n in range(count):
        rid = world.take("report")
        language = world.rng.choice(LANGUAGES)
        world.reports.append((rid, language))
        day = FIRST_DAY + dt.timedelta(days=world.rng.randrange(DAYS))
        yield {
            "id": rid,
            "kind": "article",
            "url": f"https://{BENCH_HOST}/{seed}/report/{n}",
            "title": f"Report {n}: {' '.join(world.rng.sample(WORDS, 4))}",
            "publisher": world.rng.choice(PUBLISHERS),
            "language": language,
            "published_date": day,
            "published_at": dt.datetime.combine(day, dt.time(9), dt.UTC),
            "status": "done",
        }


def evidence_row(world: World, owner: str, owner_id: int, *names: str) -> dict:
    quote = world.sentence(*names)
    report_id = world.rng.choice(world.reports)[0]
    confidence = round(world.rng.uniform(0.5, 1.0), 2)
    return {"id": world.take("evidence"), "report_id": report_id, f"{owner}_id": owner_id, "quote": quote,
            "start": 0, "end": len(quote), "confidence": confidence}  # fmt: skip


@dataclass
class Batch:
    """Rows of one kind each, filled by the trip and meeting generators."""

    trips: list[dict] = field(default_factory=list)
    stops: list[dict] = field(default_factory=list)
    stop_topics: list[dict] = field(default_factory=list)
    meetings: list[dict] = field(default_factory=list)
    participations: list[dict] = field(default_factory=list)
    meeting_topics: list[dict] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)


def add_trip(world: World, batch: Batch) -> list[dict]:
    """One trip with 1-3 stops (topics and evidence included); returns its stops."""
    rng = world.rng
    traveller = rng.choice(world.people)
    start, end, precision = world.period(rng.randrange(1, 6))
    trip_id = world.take("trip")
    codes: dict[str, str] = {}
    wanted = rng.choice([1, 1, 1, 2, 3])
    while len(codes) < wanted:
        code, name = world.country()
        if code != traveller[2]:
            codes[code] = name
    status = rng.choices(["completed", "planned", "cancelled", "postponed"], [90, 5, 3, 2])[0]
    title = f"{traveller[1]} visits {', '.join(codes.values())}"
    batch.trips.append({"id": trip_id, "traveller_id": traveller[0], "title": title, "status": status,
                        "start_date": start, "end_date": end, "precision": precision})  # fmt: skip
    batch.evidence.append(evidence_row(world, "trip", trip_id, traveller[1]))
    stops = []
    for order, code in enumerate(codes, start=1):
        stop = {"id": world.take("stop"), "trip_id": trip_id, "order": order, "country_id": code,
                "cities": [world.city(code)], "start_date": start, "end_date": end, "precision": precision}  # fmt: skip
        stops.append(stop)
        batch.evidence.append(evidence_row(world, "stop", stop["id"], traveller[1], stop["cities"][0]))
        for topic in rng.sample(world.topics, rng.choice([0, 1, 1, 2])):
            batch.stop_topics.append({"id": world.take("stop_topic"), "stop_id": stop["id"], "topic_id": topic})
    batch.stops.extend(stops)
    return stops


def add_meeting(world: World, batch: Batch, stop: dict | None, traveller: tuple | None) -> None:
    """One meeting with 2-3 participants, 1-2 topics and evidence, during ``stop`` when given."""
    rng = world.rng
    if stop is not None:
        code, city = stop["country_id"], stop["cities"][0]
        start, end, precision = stop["start_date"], stop["start_date"], stop["precision"]
        if precision == "day":
            start = end = start + dt.timedelta(days=rng.randrange((stop["end_date"] - start).days + 1))
        else:
            end = stop["end_date"]
    else:
        code = world.country()[0]
        city = world.city(code)
        start, end, precision = world.period(0)
    meeting_id = world.take("meeting")
    people = rng.sample(world.people, 3)[: rng.choice([2, 2, 3])]
    if traveller is not None and traveller not in people:
        people[0] = traveller
    kind = rng.choice(KINDS)
    title = f"{kind.replace('-', ' ').capitalize()}: {' and '.join(p[1] for p in people)} in {city}"
    status = rng.choices(["held", "planned", "cancelled", "postponed"], [90, 5, 3, 2])[0]
    batch.meetings.append({
        "id": meeting_id, "kind": kind, "title": title, "trip_id": stop["trip_id"] if stop else None,
        "stop_id": stop["id"] if stop else None, "country_id": code, "city": city, "status": status,
        "start_date": start, "end_date": end, "precision": precision,
    })  # fmt: skip
    for n, person in enumerate(people):
        pid = world.take("participation")
        row = {"id": pid, "meeting_id": meeting_id, "person_id": person[0], "title": rng.choice(TITLES)}
        batch.participations.append({**row, "country_id": person[2], "is_host": n == 1})
    for _ in range(rng.choice([1, 1, 2])):
        batch.evidence.append(evidence_row(world, "meeting", meeting_id, *(p[1] for p in people), city))
    for topic in rng.sample(world.topics, rng.choice([1, 1, 2])):
        batch.meeting_topics.append({"id": world.take("meeting_topic"), "meeting_id": meeting_id, "topic_id": topic})


# --- Driver ---------------------------------------------------------------------------------


def setup_django() -> None:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    django.setup()


def note_hsg(cursor: Any) -> None:
    """Say whether the real HSG data is there (the synthetic rows go on top either way)."""
    cursor.execute("SELECT count(*) FROM visits_importrun WHERE source ILIKE %s", ["%hsg%"])
    if cursor.fetchone()[0]:
        cursor.execute("SELECT count(*) FROM visits_trip")
        print(f"HSG data present ({cursor.fetchone()[0]} trips before generation)")
    else:
        print("HSG data absent (run `manage.py import_hsg` first for it); generating synthetic rows only")


def generate(seed: int, meetings: int, trips: int, batch_size: int) -> dict[str, int]:
    """Write the synthetic rows; returns how many rows of each kind."""
    from django.db import connection, transaction

    from visits import models as m

    tables = {name: Table(model) for name, model in [
        ("people", m.Person), ("reports", m.Report), ("trips", m.Trip), ("stops", m.Stop),
        ("stop_topics", m.StopTopic), ("meetings", m.Meeting), ("participations", m.Participation),
        ("meeting_topics", m.MeetingTopic), ("evidence", m.Evidence),
    ]}  # fmt: skip
    counts = dict.fromkeys(tables, 0)
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        note_hsg(cursor)
        ensure_places(cursor)
        world = load_world(cursor, random.Random(seed))
        for table in tables.values():
            world.ids[table.model.__name__.lower()] = next_id(cursor, table.model)
        world.ids.update(stop_topic=world.ids["stoptopic"], meeting_topic=world.ids["meetingtopic"])
        counts["people"] = tables["people"].copy(cursor, gen_people(world, max(500, meetings // 100), seed))
        counts["reports"] = tables["reports"].copy(cursor, gen_reports(world, max(500, meetings // 2), seed))
        for done in range(0, trips, batch_size):
            upto = min(done + batch_size, trips)
            batch = make_batch(world, upto - done, meetings * upto // trips - meetings * done // trips)
            for name in counts.keys() - {"people", "reports"}:
                counts[name] += tables[name].copy(cursor, getattr(batch, name))
        for table in tables.values():
            reset_sequence(cursor, table.model)
    return counts


def make_batch(world: World, trips: int, meetings: int) -> Batch:
    """``trips`` trips and ``meetings`` meetings, 40 % of the meetings during those trips."""
    batch = Batch()
    trip_stops = [(add_trip(world, batch), batch.trips[-1]["traveller_id"]) for _ in range(trips)]
    travellers = {p[0]: p for p in world.people}
    for _ in range(meetings):
        if trip_stops and world.rng.random() < 0.4:
            stops, traveller_id = world.rng.choice(trip_stops)
            add_meeting(world, batch, world.rng.choice(stops), travellers[traveller_id])
        else:
            add_meeting(world, batch, None, None)
    return batch


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--meetings", type=int, default=10000, help="default 10000; full size 1000000")
    parser.add_argument("--trips", type=int, default=2000, help="default 2000; full size 200000")
    parser.add_argument("--batch", type=int, default=5000, help="trips per COPY batch (with their meetings)")
    args = parser.parse_args(argv)
    if args.trips < 1 or args.meetings < 0:
        parser.error("--trips must be at least 1 and --meetings at least 0")
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL to the benchmark database (never the development or test one)")
    setup_django()
    began = time.perf_counter()
    counts = generate(args.seed, args.meetings, args.trips, args.batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    took = time.perf_counter() - began
    print(", ".join(f"{name}: {n}" for name, n in counts.items()) + f" in {took:.1f} s")


if __name__ == "__main__":
    main()
