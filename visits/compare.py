"""Two (to four) officials or countries side by side: visits per year, counterparts in common, topics by share.

A *side* is ``person=<slug>`` or ``country=<code>``; ``to=<code>`` restricts every side to
one destination ("who visited Armenia more, Russia or France?": ``?country=RU&country=FR&to=AM``).

- a person: their trips (as traveller) and the meetings they took part in;
- a country without ``to``: the trips that visited it and the meetings held there;
- a country with ``to``: its officials' trips to ``to`` (traveller's country or post) and the
  meetings in ``to`` with a participant from it.

A *visit* is a stop of a trip (a tour of three countries is one trip, three visits).
Everything is read from the models, a fixed number of grouped queries per side.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext as _

from visits import titles
from visits.models import Country, Meeting, MeetingTopic, Participation, Person, Stop, StopTopic, Trip

MAX_SIDES = 4
COUNTERPARTS = 15
TOPICS = 15


class CompareError(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class Side:
    kind: str  # person | country
    key: str  # slug or code
    name: str
    obj: Any
    years: dict[int, dict[str, int]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    counterparts: list[dict[str, Any]] = field(default_factory=list)
    topics: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "name": self.name,
            "totals": self.totals,
            "years": [{"year": year, **counts} for year, counts in sorted(self.years.items())],
            "counterparts": [{k: v for k, v in c.items() if k != "person"} for c in self.counterparts],
            "topics": self.topics,
        }


def parse(query) -> tuple[list[Side], Country | None]:
    """The sides asked for, in the order of the parameters (people first), and the ``to`` country."""
    errors: dict[str, list[str]] = {}
    sides: list[Side] = []
    slugs = list(dict.fromkeys(v.strip() for v in query.getlist("person") if v.strip()))
    people = Person.objects.in_bulk(slugs, field_name="slug")
    for slug in slugs:
        if slug in people:
            sides.append(Side("person", slug, people[slug].name, people[slug]))
        else:
            errors.setdefault("person", []).append(_("No official with the slug “%(value)s”.") % {"value": slug})
    codes = list(dict.fromkeys(v.strip().upper() for v in query.getlist("country") if v.strip()))
    countries = Country.objects.in_bulk(codes)
    for code in codes:
        if code in countries:
            sides.append(Side("country", code, titles.country_name(countries[code]), countries[code]))
        else:
            errors.setdefault("country", []).append(_("No country with the code “%(value)s”.") % {"value": code})
    to = None
    if query.get("to"):
        to = Country.objects.filter(code=query["to"].strip().upper()).first()
        if to is None:
            errors["to"] = [_("No country with the code “%(value)s”.") % {"value": query["to"]}]
    if len(sides) > MAX_SIDES:
        errors.setdefault("person" if slugs else "country", []).append(
            _("At most %(n)d sides can be compared.") % {"n": MAX_SIDES}
        )
    if errors:
        raise CompareError(errors)
    return sides, to


def facts(side: Side, to: Country | None) -> tuple[QuerySet[Trip], QuerySet[Stop], QuerySet[Meeting]]:
    """The trips, visits (stops) and meetings that count for one side."""
    if side.kind == "person":
        trips = Trip.objects.filter(traveller=side.obj)
        took_part = Participation.objects.filter(meeting=OuterRef("pk"), person=side.obj)
        meetings = Meeting.objects.filter(Q(Exists(took_part)) | Q(trip__traveller=side.obj))
        stops = Stop.objects.filter(trip__traveller=side.obj)
        if to is not None:
            trips = trips.filter(Exists(Stop.objects.filter(trip=OuterRef("pk"), country=to)))
            stops = stops.filter(country=to)
            meetings = meetings.filter(country=to)
        return trips, stops, meetings
    if to is None:
        trips = Trip.objects.filter(Exists(Stop.objects.filter(trip=OuterRef("pk"), country=side.obj)))
        return trips, Stop.objects.filter(country=side.obj), Meeting.objects.filter(country=side.obj)
    by_them = Q(traveller__country=side.obj) | Q(position__country=side.obj)
    trips = Trip.objects.filter(by_them).filter(Exists(Stop.objects.filter(trip=OuterRef("pk"), country=to)))
    stops = Stop.objects.filter(country=to).filter(
        Q(trip__traveller__country=side.obj) | Q(trip__position__country=side.obj)
    )
    from_them = Participation.objects.filter(meeting=OuterRef("pk"), country=side.obj, is_host=False)
    meetings = Meeting.objects.filter(country=to).filter(Exists(from_them))
    return trips, stops, meetings


def _per_year(rows: QuerySet, date_expression) -> dict[int | None, int]:
    counted = rows.order_by().annotate(year=ExtractYear(date_expression)).values("year").annotate(n=Count("id"))
    return {row["year"]: row["n"] for row in counted}


def fill(side: Side, to: Country | None) -> Side:
    trips, stops, meetings = facts(side, to)
    measures = {
        "trips": _per_year(trips, "start_date"),
        "visits": _per_year(stops, Coalesce("start_date", "trip__start_date")),
        "meetings": _per_year(meetings, "start_date"),
    }
    years: dict[int, dict[str, int]] = {}
    for measure, counts in measures.items():
        for year, n in counts.items():
            if year is not None:
                years.setdefault(year, {"trips": 0, "visits": 0, "meetings": 0})[measure] = n
    side.years = years
    side.totals = {measure: sum(counts.values()) for measure, counts in measures.items()}
    side.totals["undated"] = sum(counts.get(None, 0) for counts in measures.values())
    side.counterparts = _counterparts(side, meetings)
    side.topics = _topics(meetings, stops)
    return side


def _counterparts(side: Side, meetings: QuerySet[Meeting]) -> list[dict[str, Any]]:
    """People met in the side's meetings (not the side's own person, nor, for a country, its own officials)."""
    rows = Participation.objects.filter(meeting__in=meetings.values("pk"))
    if side.kind == "person":
        rows = rows.exclude(person=side.obj)
    counted = list(rows.values("person_id").annotate(n=Count("meeting_id", distinct=True)).order_by("-n", "person_id"))
    people = Person.objects.in_bulk([row["person_id"] for row in counted])
    return [
        {"slug": people[row["person_id"]].slug, "name": people[row["person_id"]].name, "n": row["n"],
         "person": people[row["person_id"]]}
        for row in counted
        if row["person_id"] in people
    ]  # fmt: skip


def _topics(meetings: QuerySet[Meeting], stops: QuerySet[Stop]) -> list[dict[str, Any]]:
    """Topics of the side's meetings and visits, each with its share of all topic mentions."""
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    for rows in (
        MeetingTopic.objects.filter(meeting__in=meetings.values("pk")),
        StopTopic.objects.filter(stop__in=stops.values("pk")),
    ):
        for row in rows.order_by().values("topic__slug", "topic__name").annotate(n=Count("id")):
            counts[row["topic__slug"]] += row["n"]
            names[row["topic__slug"]] = row["topic__name"]
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], names[item[0]]))[:TOPICS]
    return [
        {"slug": slug, "name": names[slug], "n": n, "share": round(n / total, 4), "percent": round(100 * n / total)}
        for slug, n in ranked
    ]


def in_common(sides: list[Side]) -> list[dict[str, Any]]:
    """Counterparts every side met, with how often each side met them (most met overall first)."""
    if len(sides) < 2:
        return []
    met = [{c["slug"]: c for c in side.counterparts} for side in sides]
    own = {side.key for side in sides if side.kind == "person"}
    common = set.intersection(*(set(m) for m in met)) - own
    rows = [
        {
            "slug": slug,
            "name": met[0][slug]["name"],
            "counts": [m[slug]["n"] for m in met],
            "person": met[0][slug]["person"],
        }
        for slug in common
    ]
    return sorted(rows, key=lambda r: (-sum(r["counts"]), r["name"]))


def compare(query) -> dict[str, Any]:
    """The whole comparison: sides with their counts, the shared year axis, counterparts in common."""
    sides, to = parse(query)
    for side in sides:
        fill(side, to)
    common = in_common(sides)
    years = sorted({year for side in sides for year in side.years})
    if years:
        years = list(range(years[0], years[-1] + 1))
    for side in sides:
        side.counterparts = side.counterparts[:COUNTERPARTS]
    empty = {"trips": 0, "visits": 0, "meetings": 0}
    table = [(year, [side.years.get(year, empty) for side in sides]) for year in years]
    return {"sides": sides, "to": to, "years": years, "common": common, "table": table}


def lanes(result: dict[str, Any], measure: str = "visits", *, row: int = 22, lane_width: int = 260) -> dict:
    """Geometry of the lanes chart: one column per side, one row per year on a shared axis, bars by ``measure``."""
    sides, years = result["sides"], result["years"]
    highest = max((side.years.get(y, {}).get(measure, 0) for side in sides for y in years), default=0) or 1
    axis = 52
    columns = []
    for i, side in enumerate(sides):
        bars = []
        for j, year in enumerate(years):
            n = side.years.get(year, {}).get(measure, 0)
            bars.append(
                {"year": year, "n": n, "x": axis + i * lane_width, "y": j * row + 4,
                 "width": round((lane_width - 48) * n / highest, 1), "height": row - 8}
            )  # fmt: skip
        columns.append({"index": i, "name": side.name, "bars": bars, "label_x": axis + i * lane_width})
    return {
        "width": axis + lane_width * max(len(sides), 1),
        "height": row * max(len(years), 1) + 4,
        "axis": [{"year": year, "y": j * row + row - 7} for j, year in enumerate(years)],
        "lanes": columns,
        "measure": measure,
    }


def as_json(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "to": result["to"].code if result["to"] else None,
        "years": result["years"],
        "sides": [side.as_json() for side in result["sides"]],
        "counterparts_in_common": [{k: v for k, v in row.items() if k != "person"} for row in result["common"]],
    }


CSV_HEADER = ("side", "kind", "section", "key", "label", "measure", "value")


def as_rows(result: dict[str, Any]) -> list[tuple]:
    """The same view as CSV rows (long format): one value per row."""
    rows: list[tuple] = []
    for side in result["sides"]:
        who = (side.key, side.kind)
        for year in result["years"]:
            counts = side.years.get(year, {})
            for measure in ("trips", "visits", "meetings"):
                rows.append((*who, "year", year, year, measure, counts.get(measure, 0)))
        for measure, value in side.totals.items():
            rows.append((*who, "total", "", "", measure, value))
        for c in side.counterparts:
            rows.append((*who, "counterpart", c["slug"], c["name"], "meetings", c["n"]))
        for t in side.topics:
            rows.append((*who, "topic", t["slug"], t["name"], "mentions", t["n"]))
            rows.append((*who, "topic", t["slug"], t["name"], "share", t["share"]))
    for row in result["common"]:
        for side, n in zip(result["sides"], row["counts"], strict=True):
            rows.append((side.key, side.kind, "in-common", row["slug"], row["name"], "meetings", n))
    return rows
