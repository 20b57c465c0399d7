"""Export the benchmark rows from PostgreSQL to SQLite for Datasette, and the equivalent page query.

The SQLite file holds the same trips, stops, meetings, participations, topics, evidence,
reports, people and countries, with an FTS5 index of each entry's searchable text (title,
places, people, quotes), the way a Datasette user would make ``q`` fast.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg

TABLES = {
    "trip": "SELECT id, traveller_id, title, status, start_date, end_date, precision, flags::text FROM visits_trip",
    "stop": 'SELECT id, trip_id, "order", country_id, cities::text, start_date, end_date, precision FROM visits_stop',
    "stop_topic": "SELECT id, stop_id, topic_id FROM visits_stoptopic",
    "meeting": (
        "SELECT id, kind, title, trip_id, country_id, city, status, start_date, end_date, precision, flags::text"
        " FROM visits_meeting"
    ),
    "participation": "SELECT id, meeting_id, person_id, title, country_id, is_host::int FROM visits_participation",
    "meeting_topic": "SELECT id, meeting_id, topic_id FROM visits_meetingtopic",
    "evidence": (
        "SELECT id, report_id, trip_id, stop_id, meeting_id, participation_id, meeting_topic_id, stop_topic_id,"
        " quote, confidence, review_state FROM visits_evidence"
    ),
    "report": "SELECT id, url, title, publisher, language, published_date FROM visits_report",
    "person": "SELECT id, slug, name, country_id FROM visits_person",
    "country": "SELECT code, name FROM visits_country",
    "topic": "SELECT id, slug, name FROM visits_topic",
}
INDEXES = [
    *(f"CREATE UNIQUE INDEX {t}_pk ON {t}({'code' if t == 'country' else 'id'})" for t in TABLES),
    "CREATE INDEX trip_date ON trip(start_date, end_date)",
    "CREATE INDEX stop_trip ON stop(trip_id)",
    "CREATE INDEX stop_country ON stop(country_id)",
    "CREATE INDEX stop_topic_stop ON stop_topic(stop_id)",
    "CREATE INDEX stop_topic_topic ON stop_topic(topic_id)",
    "CREATE INDEX meeting_date ON meeting(start_date, end_date)",
    "CREATE INDEX meeting_country ON meeting(country_id, start_date)",
    "CREATE INDEX participation_meeting ON participation(meeting_id)",
    "CREATE INDEX meeting_topic_meeting ON meeting_topic(meeting_id)",
    "CREATE INDEX meeting_topic_topic ON meeting_topic(topic_id)",
    # Partial: each evidence row has one owner, so most values are NULL and a full index looks unselective.
    *(
        f"CREATE INDEX evidence_{o} ON evidence({o}_id) WHERE {o}_id IS NOT NULL"
        for o in ("trip", "stop", "meeting", "participation", "meeting_topic", "stop_topic")
    ),
]
SEARCH_TEXT = {
    "trip": (
        "SELECT 'trip', t.id, t.title || ' ' || p.name || ' ' || coalesce((SELECT group_concat(c.name || ' '"
        " || s.cities, ' ') FROM stop s JOIN country c ON c.code = s.country_id WHERE s.trip_id = t.id), '')"
        " || ' ' || coalesce((SELECT group_concat(e.quote, ' ') FROM evidence e WHERE e.trip_id = t.id"
        " OR e.stop_id IN (SELECT id FROM stop WHERE trip_id = t.id)), '')"
        " FROM trip t JOIN person p ON p.id = t.traveller_id"
    ),
    "meeting": (
        "SELECT 'meeting', m.id, m.title || ' ' || m.city || ' ' || coalesce(c.name, '') || ' '"
        " || coalesce((SELECT group_concat(p.name, ' ') FROM participation pa JOIN person p ON p.id = pa.person_id"
        " WHERE pa.meeting_id = m.id), '') || ' ' || coalesce((SELECT group_concat(e.quote, ' ') FROM evidence e"
        " WHERE e.meeting_id = m.id OR e.participation_id IN (SELECT id FROM participation WHERE meeting_id = m.id)"
        " OR e.meeting_topic_id IN (SELECT id FROM meeting_topic WHERE meeting_id = m.id)), '')"
        " FROM meeting m LEFT JOIN country c ON c.code = m.country_id"
    ),
}


def export(database_url: str, path: Path) -> dict[str, int]:
    """Copy the tables into a new SQLite file at ``path``; returns rows per table."""
    path.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    target = sqlite3.connect(path)
    with psycopg.connect(database_url) as source:
        for table, query in TABLES.items():
            counts[table] = copy_table(source, target, table, query)
    for statement in INDEXES:
        target.execute(statement)
    target.execute("CREATE VIRTUAL TABLE entry_fts USING fts5(type UNINDEXED, id UNINDEXED, body)")
    for query in SEARCH_TEXT.values():
        target.execute(f"INSERT INTO entry_fts (type, id, body) {query}")
    target.commit()  # no ANALYZE: its statistics make SQLite scan evidence for owners without any rows
    target.close()
    return counts


def copy_table(source: psycopg.Connection, target: sqlite3.Connection, table: str, query: str) -> int:
    with source.cursor(name=f"export_{table}") as cursor:
        cursor.execute(query)
        columns = [d.name for d in cursor.description]
        target.execute(f"CREATE TABLE {table} ({', '.join(f'[{c}]' for c in columns)})")
        marks = ", ".join("?" for _ in columns)
        count = 0
        while rows := cursor.fetchmany(20000):
            target.executemany(f"INSERT INTO {table} VALUES ({marks})", [tuple(map(_plain, r)) for r in rows])
            count += len(rows)
    return count


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


# --- The page query (named parameters: country, topic, start, end, q) -------------------------

TRIP_WHERE = (
    "t.end_date >= :start AND t.start_date <= :end"
    " AND (EXISTS (SELECT 1 FROM stop s WHERE s.trip_id = t.id AND s.country_id = :country)"
    " OR EXISTS (SELECT 1 FROM person p WHERE p.id = t.traveller_id AND p.country_id = :country))"
    " AND t.id IN (SELECT s.trip_id FROM stop_topic st JOIN stop s ON s.id = st.stop_id JOIN topic tp"
    " ON tp.id = st.topic_id WHERE tp.slug = :topic)"
)
MEETING_WHERE = (
    "m.end_date >= :start AND m.start_date <= :end"
    " AND (m.country_id = :country OR EXISTS (SELECT 1 FROM participation pa WHERE pa.meeting_id = m.id"
    " AND pa.country_id = :country))"
    " AND m.id IN (SELECT mt.meeting_id FROM meeting_topic mt JOIN topic tp ON tp.id = mt.topic_id"
    " WHERE tp.slug = :topic)"
)
SEARCH = " AND {alias}.id IN (SELECT id FROM entry_fts WHERE entry_fts MATCH :q AND type = '{type}')"
EVIDENCE_JSON = (
    "(SELECT json_group_array(json_object('report', json_object('id', r.id, 'url', r.url, 'title', r.title,"
    " 'publisher', r.publisher, 'language', r.language, 'published', r.published_date), 'quote', e.quote,"
    " 'confidence', e.confidence, 'review_state', e.review_state)) FROM evidence e JOIN report r"
    " ON r.id = e.report_id WHERE e.{owner}_id = {key})"
)


def topics_json(link_table: str, owner_column: str, key: str, owner: str) -> str:
    evidence = EVIDENCE_JSON.format(owner=owner, key="l.id")
    return (
        f"(SELECT json_group_array(json_object('slug', tp.slug, 'name', tp.name, 'evidence', json({evidence})))"
        f" FROM {link_table} l JOIN topic tp ON tp.id = l.topic_id WHERE l.{owner_column} = {key})"
    )


TRIP_DETAIL = (
    "json_object('traveller', (SELECT json_object('id', p.id, 'slug', p.slug, 'name', p.name) FROM person p"
    " WHERE p.id = x.traveller_id), 'stops', (SELECT json_group_array(json_object('id', s.id, 'order', s.\"order\","
    " 'country', json_object('code', s.country_id, 'name', (SELECT name FROM country WHERE code = s.country_id)),"
    " 'cities', json(s.cities), 'start', s.start_date, 'end', s.end_date,"
    f" 'topics', json({topics_json('stop_topic', 'stop_id', 's.id', 'stop_topic')}),"
    f" 'evidence', json({EVIDENCE_JSON.format(owner='stop', key='s.id')}))) FROM stop s WHERE s.trip_id = x.id),"
    f" 'evidence', json({EVIDENCE_JSON.format(owner='trip', key='x.id')}))"
)
MEETING_DETAIL = (
    "json_object('country', json_object('code', x.country_id, 'name', (SELECT name FROM country"
    " WHERE code = x.country_id)), 'city', x.city, 'participants', (SELECT json_group_array(json_object("
    " 'person', json_object('id', p.id, 'slug', p.slug, 'name', p.name), 'title', pa.title, 'is_host', pa.is_host,"
    f" 'evidence', json({EVIDENCE_JSON.format(owner='participation', key='pa.id')})))"
    " FROM participation pa JOIN person p ON p.id = pa.person_id WHERE pa.meeting_id = x.id),"
    f" 'topics', json({topics_json('meeting_topic', 'meeting_id', 'x.id', 'meeting_topic')}),"
    f" 'evidence', json({EVIDENCE_JSON.format(owner='meeting', key='x.id')}))"
)


def page_sql(search: bool, size: int = 50) -> str:
    """One SQLite query: the page's trips and meetings, newest first, each with its nested detail as JSON."""
    trips = TRIP_WHERE + (SEARCH.format(alias="t", type="trip") if search else "")
    meetings = MEETING_WHERE + (SEARCH.format(alias="m", type="meeting") if search else "")
    keys = (
        f"SELECT * FROM (SELECT 0 AS rank, t.id, t.start_date AS sort FROM trip t WHERE {trips}"
        f" ORDER BY sort DESC, t.id DESC LIMIT {size + 1})"
        f" UNION ALL SELECT * FROM (SELECT 1 AS rank, m.id, m.start_date AS sort FROM meeting m WHERE {meetings}"
        f" ORDER BY sort DESC, m.id DESC LIMIT {size + 1})"
    )
    return (
        f"WITH page AS MATERIALIZED (SELECT * FROM ({keys}) ORDER BY sort DESC, rank DESC, id DESC LIMIT {size})"
        " SELECT 'trip' AS type, x.id AS id, x.title, x.status, x.start_date AS start, x.end_date AS \"end\","
        " x.precision,"
        f" {TRIP_DETAIL} AS detail, page.sort, page.rank FROM page JOIN trip x ON x.id = page.id WHERE page.rank = 0"
        " UNION ALL SELECT 'meeting', x.id, x.title, x.status, x.start_date, x.end_date, x.precision,"
        f" {MEETING_DETAIL}, page.sort, page.rank FROM page JOIN meeting x ON x.id = page.id WHERE page.rank = 1"
        " ORDER BY sort DESC, rank DESC, id DESC"
    )
