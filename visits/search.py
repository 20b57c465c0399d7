"""The stored full-text search documents of trips and meetings, and the query that searches them.

Each trip and meeting keeps a ``search_document`` (a tsvector with a GIN index) so that the API's
``q`` parameter is one index lookup instead of text search over joins on every request. The
document is rebuilt in SQL, one UPDATE per model, by :func:`refresh_search_documents`; the
services that write facts call it for what they touched (merge, HSG import, analyst corrections)
and ``manage.py rebuild_search`` rebuilds everything.

What a document holds, all with the ``simple`` configuration (exact words, any language):

* trip: its title; the traveller's name and aliases; each stop's country (name and its names in
  other languages), the place as written and the cities;
* meeting: its title, the kind as written, the city, the country (names); each participant's
  name and aliases;
* both: the quotes of every evidence row about the fact or one of its parts (stops, stop topics,
  participations, meeting topics), once with ``simple`` and once with the text search
  configuration of the quote's report language (``LANGUAGE_CONFIGS``), so "visites" finds
  "visite" in a French quote.

A query is parsed with ``websearch_to_tsquery`` in ``simple`` and in every configuration of
``LANGUAGE_CONFIGS``, the results joined with ``||`` (or): see :func:`search_query`. Core
PostgreSQL only, no extension.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction

# PostgreSQL's built-in text search configurations by report language code (ISO 639-1).
LANGUAGE_CONFIGS: dict[str, str] = {
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "hy": "armenian",
    "it": "italian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "tr": "turkish",
}


def search_query(text: str) -> SearchQuery:
    """``text`` (web search syntax) in ``simple`` or any language configuration, as one tsquery."""
    query = SearchQuery(text, search_type="websearch", config="simple")
    for config in dict.fromkeys(LANGUAGE_CONFIGS.values()):
        query |= SearchQuery(text, search_type="websearch", config=config)
    return query


# --- Building the documents ------------------------------------------------------------------

# The language configuration of the report of an evidence row ``ev`` (a primary key lookup).
_CONFIG_OF_REPORT = (
    "(SELECT CASE lower(split_part(replace(r.language, '_', '-'), '-', 1)) "
    + " ".join(f"WHEN '{code}' THEN '{config}'" for code, config in LANGUAGE_CONFIGS.items())
    + " ELSE 'simple' END FROM visits_report r WHERE r.id = ev.report_id)"
)
_CONFIGS = tuple(dict.fromkeys(LANGUAGE_CONFIGS.values()))

# The quotes about a fact, all of them and per language configuration: a lateral subquery over the
# evidence rows matching {owned} (conditions on ``ev`` that each use an index: ``= ANY(ARRAY(..))``
# rather than joins, so that the plan stays index lookups even before the statistics are fresh).
_QUOTES = (
    "LEFT JOIN LATERAL (SELECT string_agg(DISTINCT e.quote, ' ') AS all_quotes, "
    + ", ".join(f"string_agg(DISTINCT e.quote, ' ') FILTER (WHERE e.config = '{c}') AS q_{c}" for c in _CONFIGS)
    + f" FROM (SELECT ev.quote, {_CONFIG_OF_REPORT} AS config FROM visits_evidence ev WHERE {{owned}}"
    " OFFSET 0) e) q ON true"  # OFFSET 0: each row's configuration looked up once, not once per FILTER
)
_STEMMED = " || ".join(f"to_tsvector('{config}', coalesce(q.q_{config}, ''))" for config in _CONFIGS)


def _names_of_people(person: str) -> str:
    """The name and aliases of the person whose id is the SQL expression ``person``."""
    return (
        f"(SELECT concat_ws(' ', p.name, (SELECT string_agg(a.name, ' ') FROM visits_personalias a"
        f" WHERE a.person_id = p.id)) FROM visits_person p WHERE p.id = {person})"
    )


def _names_of_country(country: str) -> str:
    """The name and the names in other languages of the country whose code is the SQL expression ``country``."""
    return (
        "(SELECT concat_ws(' ', c.name, (SELECT string_agg(n.value, ' ') FROM jsonb_each_text("
        "CASE WHEN jsonb_typeof(c.names) = 'object' THEN c.names ELSE '{}'::jsonb END) n))"
        f" FROM visits_country c WHERE c.code = {country})"
    )


_CITIES = (
    "(SELECT string_agg(city, ' ') FROM jsonb_array_elements_text("
    "CASE WHEN jsonb_typeof(s.cities) = 'array' THEN s.cities ELSE '[]'::jsonb END) city)"
)

TRIP_SQL = f"""
UPDATE visits_trip AS t SET search_document = d.document
FROM (
    SELECT f.id, to_tsvector('simple', concat_ws(' ',
        f.title,
        {_names_of_people("f.traveller_id")},
        (SELECT string_agg(concat_ws(' ', {_names_of_country("s.country_id")}, s.locale, {_CITIES}), ' ')
           FROM visits_stop s WHERE s.trip_id = f.id),
        q.all_quotes
    )) || {_STEMMED} AS document
    FROM visits_trip f
    {
    _QUOTES.format(
        owned="ev.trip_id = f.id"
        " OR ev.stop_id = ANY(ARRAY(SELECT s.id FROM visits_stop s WHERE s.trip_id = f.id))"
        " OR ev.stop_topic_id = ANY(ARRAY(SELECT st.id FROM visits_stoptopic st"
        " JOIN visits_stop s ON s.id = st.stop_id WHERE s.trip_id = f.id))"
    )
}
    {{where}}
) AS d
WHERE t.id = d.id
"""

MEETING_SQL = f"""
UPDATE visits_meeting AS m SET search_document = d.document
FROM (
    SELECT f.id, to_tsvector('simple', concat_ws(' ',
        f.title,
        f.kind_as_written,
        f.city,
        {_names_of_country("f.country_id")},
        (SELECT string_agg({_names_of_people("pa.person_id")}, ' ')
           FROM visits_participation pa WHERE pa.meeting_id = f.id),
        q.all_quotes
    )) || {_STEMMED} AS document
    FROM visits_meeting f
    {
    _QUOTES.format(
        owned="ev.meeting_id = f.id"
        " OR ev.participation_id = ANY(ARRAY(SELECT pa.id FROM visits_participation pa WHERE pa.meeting_id = f.id))"
        " OR ev.meeting_topic_id = ANY(ARRAY(SELECT mt.id FROM visits_meetingtopic mt WHERE mt.meeting_id = f.id))"
    )
}
    {{where}}
) AS d
WHERE m.id = d.id
"""


def _update(sql: str, ids: list[int] | None) -> int:
    where = "" if ids is None else "WHERE f.id = ANY(%s)"
    # SET LOCAL needs a transaction; inside one (a merge) a savepoint around it would only add round trips.
    scope = contextlib.nullcontext() if connection.in_atomic_block else transaction.atomic()
    with scope, connection.cursor() as cursor:
        # Index lookups per row: compiling the expressions (JIT) would cost more than running them.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql.replace("{where}", where), [] if ids is None else [ids])
        return cursor.rowcount


def refresh_search_documents(
    *, trip_ids: Iterable[int] = (), meeting_ids: Iterable[int] = (), everything: bool = False
) -> tuple[int, int]:
    """Rebuild the search documents of these trips and meetings (of all of them with ``everything``).

    One UPDATE per model; ids of rows that no longer exist are ignored. Returns how many trips
    and meetings were updated.
    """
    trips = None if everything else sorted({int(pk) for pk in trip_ids})
    meetings = None if everything else sorted({int(pk) for pk in meeting_ids})
    updated_trips = _update(TRIP_SQL, trips) if trips is None or trips else 0
    updated_meetings = _update(MEETING_SQL, meetings) if meetings is None or meetings else 0
    return updated_trips, updated_meetings
