"""The floor of the latency benchmark: the timeline page as hand-written SQL, psycopg and orjson.

It answers the same question as ``GET /api/v1/timeline?country=..&topic=..&start=..&end=..[&q=..]``
(trips and meetings merged, newest first, 50 a page, each with its stops or participants,
topics and evidence) with no ORM, no DRF and no renderer: one query for the page's keys,
then one query per kind of child row, dicts assembled by hand and encoded with orjson.
Served as a bare WSGI app (``gunicorn bench.floor:app``) so that it is measured over the
same HTTP path, with the same workers, as the tracker.
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import orjson
import psycopg
from psycopg.rows import dict_row

from visits.dates import format_partial, period_bounds

LANGUAGE_CONFIGS = {
    "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish", "fr": "french",
    "hu": "hungarian", "it": "italian", "nl": "dutch", "no": "norwegian", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sv": "swedish", "tr": "turkish", "hy": "armenian", "el": "greek",
}  # fmt: skip
#: the tracker's tsquery (visits.search.search_query): simple or any language configuration, OR'ed
SEARCH = (
    "("
    + " || ".join(
        f"websearch_to_tsquery('{config}'::regconfig, %(q)s)"
        for config in ("simple", *dict.fromkeys(LANGUAGE_CONFIGS.values()))
    )
    + ")"
)
# Each to-many condition is an EXISTS probe with OFFSET 0 (never a hashed subplan): the page is a
# walk of the (sort date, id) index that stops after one page. q is the stored, GIN-indexed document.
TRIP_CONDITIONS = {
    "start": "t.end_date >= %(start)s",
    "end": "t.start_date <= %(end)s AND COALESCE(t.start_date, '9999-12-31') <= %(end)s",
    "country": (
        "(EXISTS (SELECT 1 FROM visits_stop s WHERE s.trip_id = t.id AND s.country_id = ANY(%(country)s) OFFSET 0)"
        " OR EXISTS (SELECT 1 FROM visits_person p WHERE p.id = t.traveller_id AND p.country_id = ANY(%(country)s)"
        " OFFSET 0) OR EXISTS (SELECT 1 FROM visits_position po WHERE po.id = t.position_id"
        " AND po.country_id = ANY(%(country)s) OFFSET 0))"
    ),
    "topic": (
        "EXISTS (SELECT 1 FROM visits_stoptopic st JOIN visits_stop s ON s.id = st.stop_id"
        " WHERE s.trip_id = t.id AND st.topic_id = ANY(%(topic)s) OFFSET 0)"
    ),
    "q": f"t.search_document @@ {SEARCH}",
}
MEETING_CONDITIONS = {
    "start": "m.end_date >= %(start)s",
    "end": "m.start_date <= %(end)s AND COALESCE(m.start_date, '9999-12-31') <= %(end)s",
    "country": (
        "(m.country_id = ANY(%(country)s) OR EXISTS (SELECT 1 FROM visits_participation pa"
        " WHERE pa.meeting_id = m.id AND pa.country_id = ANY(%(country)s) OFFSET 0))"
    ),
    "topic": (
        "EXISTS (SELECT 1 FROM visits_meetingtopic mt WHERE mt.meeting_id = m.id AND mt.topic_id = ANY(%(topic)s)"
        " OFFSET 0)"
    ),
    "q": f"m.search_document @@ {SEARCH}",
}
TOPIC_IDS = (
    "WITH RECURSIVE tree AS (SELECT id FROM visits_topic WHERE slug = ANY(%s)"
    " UNION SELECT t.id FROM visits_topic t JOIN tree ON t.parent_id = tree.id) SELECT id FROM tree"
)


def page_sql(params: dict[str, Any], size: int, descending: bool = True) -> str:
    """Keys of the page: trips and meetings by (sort date, rank, id), merged and cut; one statement.

    Ranks as the tracker's keyset: meetings 0, trips 1 (ties on a date: meetings first, ascending).
    """
    way = "DESC" if descending else "ASC"
    used = [name for name in ("start", "end", "country", "topic", "q") if params.get(name) is not None]

    def branch(table: str, alias: str, rank: int, conditions: dict[str, str]) -> str:
        condition = " AND ".join(conditions[name] for name in used) or "TRUE"
        return (
            f"(SELECT {rank} AS rank, {alias}.id, COALESCE({alias}.start_date, '9999-12-31') AS sort"
            f" FROM {table} {alias} WHERE {condition} ORDER BY sort {way}, {alias}.id {way} LIMIT {size + 1})"
        )

    trips = branch("visits_trip", "t", 1, TRIP_CONDITIONS)
    meetings = branch("visits_meeting", "m", 0, MEETING_CONDITIONS)
    return f"{trips} UNION ALL {meetings} ORDER BY sort {way}, rank {way}, id {way} LIMIT {size + 1}"


DETAIL_SQL = {
    "trips": (
        "SELECT t.id, t.title, t.status, t.start_date, t.end_date, t.precision, t.flags, t.created_at, t.updated_at,"
        " p.id AS person_id, p.slug AS person_slug, p.name AS person_name"
        " FROM visits_trip t JOIN visits_person p ON p.id = t.traveller_id WHERE t.id = ANY(%s)"
    ),
    "stops": (
        "SELECT s.id, s.trip_id, s.order, s.country_id, c.name AS country_name, s.cities, s.start_date, s.end_date,"
        " s.precision, s.status, cap.latitude AS cap_lat, cap.longitude AS cap_lon FROM visits_stop s"
        " JOIN visits_country c ON c.code = s.country_id LEFT JOIN visits_city cap ON cap.id = c.capital_id"
        " WHERE s.trip_id = ANY(%s) ORDER BY s.order, s.start_date, s.id"
    ),
    "stop_topics": (
        "SELECT st.id, st.stop_id AS owner, tp.slug, tp.name FROM visits_stoptopic st"
        " JOIN visits_topic tp ON tp.id = st.topic_id WHERE st.stop_id = ANY(%s) ORDER BY st.id"
    ),
    "meetings": (
        "SELECT m.id, m.title, m.kind, m.status, m.start_date, m.end_date, m.precision, m.flags, m.city,"
        " m.country_id, c.name AS country_name, m.trip_id, m.created_at, m.updated_at, cap.latitude AS cap_lat,"
        " cap.longitude AS cap_lon FROM visits_meeting m LEFT JOIN visits_country c ON c.code = m.country_id"
        " LEFT JOIN visits_city cap ON cap.id = c.capital_id WHERE m.id = ANY(%s)"
    ),
    "participations": (
        "SELECT pa.id, pa.meeting_id, pa.title, pa.is_host, pa.flags, p.id AS person_id, p.slug AS person_slug,"
        " p.name AS person_name, pa.country_id, c.name AS country_name FROM visits_participation pa"
        " JOIN visits_person p ON p.id = pa.person_id LEFT JOIN visits_country c ON c.code = pa.country_id"
        " WHERE pa.meeting_id = ANY(%s) ORDER BY pa.is_host DESC, pa.id"
    ),
    "meeting_topics": (
        "SELECT mt.id, mt.meeting_id AS owner, tp.slug, tp.name FROM visits_meetingtopic mt"
        " JOIN visits_topic tp ON tp.id = mt.topic_id WHERE mt.meeting_id = ANY(%s) ORDER BY mt.id"
    ),
    "evidence": (
        "SELECT e.trip_id, e.stop_id, e.meeting_id, e.participation_id, e.meeting_topic_id, e.stop_topic_id,"
        " e.quote, e.start, e.end, e.confidence, e.review_state, r.id AS report_id,"
        " COALESCE(r.url, NULLIF(r.canonical_url, ''), NULLIF(r.submitted_url, '')) AS report_url, r.title,"
        " r.publisher, r.language, r.published_date FROM visits_evidence e JOIN visits_report r ON r.id = e.report_id"
        " WHERE e.trip_id = ANY(%(trip)s) OR e.stop_id = ANY(%(stop)s) OR e.meeting_id = ANY(%(meeting)s)"
        " OR e.participation_id = ANY(%(participation)s) OR e.meeting_topic_id = ANY(%(meeting_topic)s)"
        " OR e.stop_topic_id = ANY(%(stop_topic)s) ORDER BY e.id"
    ),
    "cities": (
        "SELECT DISTINCT ON (c.country_id, lower(c.name)) c.country_id, lower(c.name) AS name, c.latitude,"
        " c.longitude FROM visits_city c JOIN unnest(%s::text[], %s::text[]) AS w(code, name)"
        " ON c.country_id = w.code AND upper(c.name) = upper(w.name)"
        " ORDER BY c.country_id, lower(c.name), c.population DESC, c.id"
    ),
}


# --- Assembling entries ---------------------------------------------------------------------


def _dates(row: dict) -> dict:
    precision = row["precision"]
    return {
        "start": format_partial(row["start_date"], precision),
        "end": format_partial(row["end_date"], precision),
        "precision": precision or None,
    }


def _evidence(row: dict) -> dict:
    published = row["published_date"]
    report = {"id": row["report_id"], "url": row["report_url"], "title": row["title"], "publisher": row["publisher"],
              "language": row["language"], "published": published.isoformat() if published else None}  # fmt: skip
    return {"report": report, "quote": row["quote"], "start": row["start"], "end": row["end"],
            "confidence": row["confidence"], "review_state": row["review_state"]}  # fmt: skip


class Children:
    """Child rows of a page, grouped by owner id, fetched one query per kind."""

    def __init__(self, cursor: psycopg.Cursor, trip_ids: list[int], meeting_ids: list[int]) -> None:
        self.stops = self._group(cursor, "stops", trip_ids, "trip_id")
        stop_ids = [s["id"] for rows in self.stops.values() for s in rows]
        self.stop_topics = self._group(cursor, "stop_topics", stop_ids, "owner")
        self.participations = self._group(cursor, "participations", meeting_ids, "meeting_id")
        self.meeting_topics = self._group(cursor, "meeting_topics", meeting_ids, "owner")
        owners = {
            "trip": trip_ids,
            "stop": stop_ids,
            "meeting": meeting_ids,
            "participation": [p["id"] for rows in self.participations.values() for p in rows],
            "meeting_topic": [t["id"] for rows in self.meeting_topics.values() for t in rows],
            "stop_topic": [t["id"] for rows in self.stop_topics.values() for t in rows],
        }
        self.evidence: dict[tuple[str, int], list[dict]] = defaultdict(list)
        for row in cursor.execute(DETAIL_SQL["evidence"], owners).fetchall():
            owner = next(name for name in owners if row[f"{name}_id"] is not None)
            self.evidence[owner, row[f"{owner}_id"]].append(_evidence(row))

    @staticmethod
    def _group(cursor: psycopg.Cursor, kind: str, ids: list[int], key: str) -> dict[int, list[dict]]:
        grouped: dict[int, list[dict]] = defaultdict(list)
        for row in cursor.execute(DETAIL_SQL[kind], [ids]).fetchall():
            grouped[row[key]].append(row)
        return grouped

    def topics(self, kind: str, owner: int) -> list[dict]:
        rows = (self.stop_topics if kind == "stop_topic" else self.meeting_topics).get(owner, [])
        return [{"slug": r["slug"], "name": r["name"], "evidence": self.evidence[kind, r["id"]]} for r in rows]


def coordinates(cursor: psycopg.Cursor, places: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple]:
    places = sorted({(code, name.strip()) for code, name in places if code and name and name.strip()})
    if not places:
        return {}
    rows = cursor.execute(DETAIL_SQL["cities"], [[p[0] for p in places], [p[1] for p in places]]).fetchall()
    return {(r["country_id"], r["name"]): (r["latitude"], r["longitude"]) for r in rows}


def _where(found: dict, code: str | None, city: str | None, capital: tuple) -> tuple:
    if code is None:
        return None, None
    return found.get((code, (city or "").strip().lower())) or capital


def trip_entry(row: dict, children: Children, found: dict, base: str) -> dict:
    stops = []
    for s in children.stops.get(row["id"], []):
        lat, lon = _where(found, s["country_id"], s["cities"][0] if s["cities"] else None, (s["cap_lat"], s["cap_lon"]))
        country = {"code": s["country_id"], "name": s["country_name"]}
        stops.append({"id": s["id"], "order": s["order"], "country": country,
                      "cities": s["cities"], **_dates(s), "status": s["status"] or None, "latitude": lat,
                      "longitude": lon, "topics": children.topics("stop_topic", s["id"]),
                      "evidence": children.evidence["stop", s["id"]]})  # fmt: skip
    topics: dict[str, dict] = {}
    for stop in stops:
        for topic in stop["topics"]:
            merged = topics.setdefault(topic["slug"], {"slug": topic["slug"], "name": topic["name"], "evidence": []})
            merged["evidence"].extend(topic["evidence"])
    traveller = {"id": row["person_id"], "slug": row["person_slug"], "name": row["person_name"]}
    return {"type": "trip", "id": row["id"], "url": f"{base}/api/v1/trips/{row['id']}", "title": row["title"],
            "status": row["status"], **_dates(row), "traveller": traveller, "stops": stops,
            "topics": list(topics.values()), "flags": row["flags"], "evidence": children.evidence["trip", row["id"]],
            "created_at": row["created_at"], "updated_at": row["updated_at"]}  # fmt: skip


def meeting_entry(row: dict, children: Children, found: dict, base: str) -> dict:
    lat, lon = _where(found, row["country_id"], row["city"], (row["cap_lat"], row["cap_lon"]))
    country = {"code": row["country_id"], "name": row["country_name"]} if row["country_id"] else None
    participants = [
        {"person": {"id": p["person_id"], "slug": p["person_slug"], "name": p["person_name"]}, "title": p["title"],
         "country": {"code": p["country_id"], "name": p["country_name"]} if p["country_id"] else None,
         "is_host": p["is_host"], "flags": p["flags"], "evidence": children.evidence["participation", p["id"]]}
        for p in children.participations.get(row["id"], [])
    ]  # fmt: skip
    return {"type": "meeting", "id": row["id"], "url": f"{base}/api/v1/meetings/{row['id']}", "title": row["title"],
            "status": row["status"], **_dates(row), "kind": row["kind"] or None, "country": country,
            "city": row["city"], "latitude": lat, "longitude": lon, "trip": row["trip_id"],
            "participants": participants, "topics": children.topics("meeting_topic", row["id"]),
            "flags": row["flags"], "evidence": children.evidence["meeting", row["id"]],
            "created_at": row["created_at"], "updated_at": row["updated_at"]}  # fmt: skip


# --- The page -------------------------------------------------------------------------------


def query_params(raw: dict[str, list[str]], cursor: psycopg.Cursor) -> dict[str, Any]:
    """SQL parameters from the query string (the tracker's parameter names)."""
    params: dict[str, Any] = {}
    if raw.get("country"):
        params["country"] = [c.upper() for value in raw["country"] for c in value.split(",")]
    if raw.get("topic"):
        slugs = [s for value in raw["topic"] for s in value.split(",")]
        params["topic"] = [r["id"] for r in cursor.execute(TOPIC_IDS, [slugs]).fetchall()]
    if raw.get("start"):
        params["start"] = period_bounds(raw["start"][0])[0]
    if raw.get("end"):
        params["end"] = period_bounds(raw["end"][0])[1]
    if raw.get("q"):
        params["q"] = raw["q"][0]
    return params


def timeline_page(connection: psycopg.Connection, raw: dict[str, list[str]], base: str) -> dict:
    """The page as the API would give it: {"next", "previous", "results"}."""
    size = int((raw.get("page_size") or ["50"])[0])
    with connection.cursor(row_factory=dict_row) as cursor:
        params = query_params(raw, cursor)
        descending = (raw.get("ordering") or ["date"])[0] == "-date"
        keys = cursor.execute(page_sql(params, size, descending), params).fetchall()
        more, keys = len(keys) > size, keys[:size]
        trip_ids = [k["id"] for k in keys if k["rank"] == 1]
        meeting_ids = [k["id"] for k in keys if k["rank"] == 0]
        children = Children(cursor, trip_ids, meeting_ids)
        trips = {r["id"]: r for r in cursor.execute(DETAIL_SQL["trips"], [trip_ids]).fetchall()}
        meetings = {r["id"]: r for r in cursor.execute(DETAIL_SQL["meetings"], [meeting_ids]).fetchall()}
        places = [(s["country_id"], s["cities"][0]) for rows in children.stops.values() for s in rows if s["cities"]]
        places += [(m["country_id"], m["city"]) for m in meetings.values()]
        found = coordinates(cursor, places)
    results = [
        trip_entry(trips[k["id"]], children, found, base)
        if k["rank"] == 1
        else meeting_entry(meetings[k["id"]], children, found, base)
        for k in keys
    ]
    return {"next": "more" if more else None, "previous": None, "results": results}


_local = threading.local()


def _connection() -> psycopg.Connection:
    if getattr(_local, "connection", None) is None:
        _local.connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _local.connection


def app(environ: dict, start_response: Callable) -> list[bytes]:
    """WSGI: GET /api/v1/timeline?... answered by the hand-written SQL."""
    raw = parse_qs(environ.get("QUERY_STRING", ""))
    base = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '127.0.0.1')}"
    body = orjson.dumps(timeline_page(_connection(), raw, base))
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
