"""Sync officials and their terms from Wikidata's public SPARQL endpoint.

Three queries find position-held (P39) statements, with start/end qualifiers
(P580/P582), for the posts that matter:

* heads of state and government: the offices each sovereign state names with
  P1906 (office held by head of state) and P1313 (office held by head of government);
* foreign and defence ministers: offices that are subclasses (P279*) of minister of
  foreign affairs (Q7330070) or defence minister (Q2518691), with their country via P1001;
* heads of organizations (P2388) of NATO, the UN, the European Commission and the European Council.

A fourth query, batched, fetches the holders' labels and aliases in en, fr, de, es, ru.
People are upserted by Wikidata id, positions by ``wikidata:<statement id>``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import requests
from django.conf import settings
from django.db import transaction

from visits.models import Organization, Person, Position
from visits.services.people import organization_get_or_create, person_get_or_create, position_upsert

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
USER_AGENT = "diplomatic-visit-tracker/1.0 (officials sync; Django; python-requests)"
LANGUAGES = ("en", "fr", "de", "es", "ru")
TIMEOUT = (10, 120)  # connect, read (seconds); the service itself stops queries after 60 s
NAME_BATCH = 200
ENTITY = "http://www.wikidata.org/entity/"
STATEMENT = "http://www.wikidata.org/entity/statement/"


@dataclass(frozen=True)
class TrackedOrganization:
    name: str
    abbreviation: str
    head_title: str


ORGANIZATIONS: dict[str, TrackedOrganization] = {
    "Q7184": TrackedOrganization("North Atlantic Treaty Organization", "NATO", "Secretary General"),
    "Q1065": TrackedOrganization("United Nations", "UN", "Secretary-General"),
    "Q8880": TrackedOrganization("European Commission", "", "President"),
    "Q8886": TrackedOrganization("European Council", "", "President"),
}

_TERM = """
  ?person p:P39 ?statement .
  ?statement ps:P39 ?office .
  FILTER NOT EXISTS {{ ?statement wikibase:rank wikibase:DeprecatedRank }}
  OPTIONAL {{ ?statement pq:P580 ?start }}
  OPTIONAL {{ ?statement pq:P582 ?end }}
  FILTER(!BOUND(?end) || ?end >= "{since}T00:00:00Z"^^xsd:dateTime)
"""

HEADS_QUERY = (
    """#tracker:heads
SELECT ?statement ?person ?office ?officeLabel ?role ?country ?start ?end WHERE {{
  ?countryItem wdt:P31 wd:Q3624078 ; wdt:P297 ?country .
  {{ ?countryItem wdt:P1906 ?office . BIND("head_of_state" AS ?role) }}
  UNION
  {{ ?countryItem wdt:P1313 ?office . BIND("head_of_government" AS ?role) }}"""
    + _TERM
    + """  ?office rdfs:label ?officeLabel . FILTER(LANG(?officeLabel) = "en")
}}"""
)

MINISTERS_QUERY = (
    """#tracker:ministers
SELECT ?statement ?person ?office ?role ?country ?start ?end WHERE {{
  {{ ?office wdt:P279* wd:Q7330070 . BIND("foreign_minister" AS ?role) }}
  UNION
  {{ ?office wdt:P279* wd:Q2518691 . BIND("defence_minister" AS ?role) }}
  ?office wdt:P1001 ?countryItem .
  ?countryItem wdt:P297 ?country ."""
    + _TERM
    + "}}"
)

ORGANIZATIONS_QUERY = (
    """#tracker:organizations
SELECT ?statement ?person ?office ?org ?start ?end WHERE {{
  VALUES ?org {{ {orgs} }}
  ?org wdt:P2388 ?office ."""
    + _TERM
    + "}}"
)

NAMES_QUERY = """#tracker:names
SELECT ?person ?name ?kind WHERE {{
  VALUES ?person {{ {people} }}
  {{ ?person rdfs:label ?name . BIND("label" AS ?kind) }}
  UNION
  {{ ?person skos:altLabel ?name . BIND("alias" AS ?kind) }}
  FILTER(LANG(?name) IN ({languages}))
}}"""


class WikidataError(Exception):
    """The endpoint could not be reached or gave no usable SPARQL JSON answer."""


@dataclass(frozen=True)
class Term:
    """One position-held statement, already mapped to the tracker's title and place."""

    statement: str
    person: str  # Q-id
    title: str
    country: str | None
    organization: str | None  # Q-id of a tracked organization
    start: dt.date | None
    end: dt.date | None


def endpoint_url(override: str | None = None) -> str:
    """The SPARQL endpoint: ``override``, else the WIKIDATA_SPARQL_URL setting or variable, else Wikidata's."""
    return (
        override
        or getattr(settings, "WIKIDATA_SPARQL_URL", None)
        or os.environ.get("WIKIDATA_SPARQL_URL")
        or DEFAULT_ENDPOINT
    )


def run_query(endpoint: str, query: str) -> list[dict]:
    """POST one SPARQL query; return its result bindings or raise WikidataError."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/sparql-results+json"}
    try:
        response = requests.post(endpoint, data={"query": query, "format": "json"}, headers=headers, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise WikidataError(f"cannot reach the SPARQL endpoint {endpoint}: {exc}") from exc
    if response.status_code != 200:
        raise WikidataError(f"the SPARQL endpoint {endpoint} answered HTTP {response.status_code}")
    try:
        bindings = response.json()["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as exc:
        raise WikidataError(f"the SPARQL endpoint {endpoint} did not answer SPARQL JSON results") from exc
    if not isinstance(bindings, list):
        raise WikidataError(f"the SPARQL endpoint {endpoint} answered malformed results")
    return bindings


def fetch_terms(endpoint: str, *, since: dt.date) -> list[Term]:
    """All terms of the tracked posts that ended on or after ``since`` (or have not ended)."""
    orgs = " ".join(f"wd:{qid}" for qid in ORGANIZATIONS)
    terms: dict[str, Term] = {}
    for query, mapper in (
        (HEADS_QUERY.format(since=since.isoformat()), _head_term),
        (ORGANIZATIONS_QUERY.format(since=since.isoformat(), orgs=orgs), _organization_term),
        (MINISTERS_QUERY.format(since=since.isoformat()), _minister_term),
    ):
        for row in run_query(endpoint, query):
            term = _term(row, mapper)
            if term is not None:
                terms.setdefault(term.statement, term)  # a US president is head of state and of government
    return list(terms.values())


def fetch_names(endpoint: str, qids: Iterable[str]) -> dict[str, list[tuple[str, str, str]]]:
    """Labels and aliases per person Q-id: ``[(kind, language, name)]`` with kind "label" or "alias"."""
    qids = sorted(set(qids))
    names: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    languages = ", ".join(f'"{language}"' for language in LANGUAGES)
    for start in range(0, len(qids), NAME_BATCH):
        people = " ".join(f"wd:{qid}" for qid in qids[start : start + NAME_BATCH])
        for row in run_query(endpoint, NAMES_QUERY.format(people=people, languages=languages)):
            qid, name = _qid(_value(row, "person")), row.get("name") or {}
            if qid and name.get("value"):
                names[qid].append((_value(row, "kind") or "alias", name.get("xml:lang", ""), name["value"]))
    return names


def canonical_name(names: list[tuple[str, str, str]]) -> str | None:
    """The English label, else the label in the first language of LANGUAGES that has one."""
    labels = {language: name for kind, language, name in names if kind == "label"}
    return next((labels[language] for language in LANGUAGES if language in labels), None)


@transaction.atomic
def sync(*, endpoint: str | None = None, since: dt.date = dt.date(2000, 1, 1), dry_run: bool = False) -> Counter:
    """Fetch and upsert people, aliases and positions; with ``dry_run`` nothing is kept. Returns counts."""
    url = endpoint_url(endpoint)
    terms = fetch_terms(url, since=since)
    names = fetch_names(url, {term.person for term in terms})
    counts: Counter = Counter(terms=len(terms))
    people: dict[str, Person | None] = {}
    orgs: dict[str, Organization] = {}
    for term in terms:
        if term.person not in people:
            people[term.person] = _upsert_person(term, names.get(term.person, []), counts)
        person = people[term.person]
        if person is None:
            counts["positions_skipped"] += 1
            continue
        org = _organization(term.organization, orgs) if term.organization else None
        counts[f"positions_{_upsert_position(person, term, org)}"] += 1
    if dry_run:
        transaction.set_rollback(True)
    return counts


def _upsert_person(term: Term, names: list[tuple[str, str, str]], counts: Counter) -> Person | None:
    name = canonical_name(names)
    if not name:
        counts["people_skipped"] += 1
        return None
    aliases = [(alias, language) for _kind, language, alias in names if alias != name or language != "en"]
    person, created = person_get_or_create(name=name, country=term.country, aliases=aliases, wikidata_id=term.person)
    fields, added = person._changes
    counts["aliases_added"] += added
    counts["people_created" if created else ("people_updated" if fields or added else "people_unchanged")] += 1
    return person


def _organization(qid: str, cache: dict[str, Organization]) -> Organization:
    if qid not in cache:
        tracked = ORGANIZATIONS[qid]
        cache[qid] = organization_get_or_create(
            name=tracked.name,
            abbreviation=tracked.abbreviation,
            kind=Organization.Kind.INTERGOVERNMENTAL,
            wikidata_id=qid,
        )
    return cache[qid]


def _upsert_position(person: Person, term: Term, org: Organization | None) -> str:
    """Upsert one term; "matched" when a hand-entered position already records it."""
    external_id = f"wikidata:{term.statement}"
    if not Position.objects.filter(external_id=external_id).exists() and _recorded_by_hand(person, term, org):
        return "matched"
    position, created = position_upsert(
        person=person,
        title=term.title,
        country=term.country,
        organization=org,
        start_date=term.start,
        end_date=term.end,
        source=Position.Source.WIKIDATA,
        external_id=external_id,
    )
    if created:
        return "created"
    return "updated" if getattr(position, "_changed_fields", None) else "unchanged"


def _recorded_by_hand(person: Person, term: Term, org: Organization | None) -> bool:
    same_place = {"organization": org} if org else {"country_id": term.country}
    return (
        person.positions.exclude(source=Position.Source.WIKIDATA)
        .filter(title__iexact=term.title, start_date=term.start, **same_place)
        .exists()
    )


# --- rows → terms ------------------------------------------------------------------------


def _term(row: dict, mapper) -> Term | None:
    statement = _value(row, "statement")
    person = _qid(_value(row, "person"))
    if not statement or not statement.startswith(STATEMENT) or not person:
        return None
    mapped = mapper(row)
    if mapped is None:
        return None
    title, country, organization = mapped
    start, end = _date(_value(row, "start")), _date(_value(row, "end"))
    if start and end and end < start:
        end = None
    return Term(statement[len(STATEMENT) :][:70], person, title, country, organization, start, end)


def _head_term(row: dict) -> tuple[str, str | None, None] | None:
    country = (_value(row, "country") or "").upper() or None
    role = _value(row, "role")
    return office_title(_value(row, "officeLabel") or "", role=role), country, None


def _minister_term(row: dict) -> tuple[str, str | None, None] | None:
    country = (_value(row, "country") or "").upper() or None
    foreign = _value(row, "role") == "foreign_minister"
    if country == "US":
        return ("Secretary of State" if foreign else "Secretary of Defense"), country, None
    return ("Minister of Foreign Affairs" if foreign else "Minister of Defence"), country, None


def _organization_term(row: dict) -> tuple[str, None, str] | None:
    qid = _qid(_value(row, "org"))
    if qid not in ORGANIZATIONS:
        return None
    return ORGANIZATIONS[qid].head_title, None, qid


_LEADING = re.compile(r"^(federal|first|the)\s+", re.IGNORECASE)


def office_title(label: str, *, role: str | None) -> str:
    """A short English title from an office's label: "Prime Minister of Georgia" → "Prime Minister"."""
    title = _LEADING.sub("", label.split(" of ")[0].strip())
    title = " ".join(word if word.isupper() else word.capitalize() for word in title.split())
    if role == "head_of_government" and (not title or title == "President" or "government" in label.lower()):
        return "Prime Minister" if title != "Chancellor" else title
    return title or ("Head of State" if role == "head_of_state" else "Head of Government")


def _value(row: dict, name: str) -> str | None:
    cell = row.get(name)
    return cell.get("value") if isinstance(cell, dict) else None


def _qid(uri: str | None) -> str | None:
    if uri and uri.startswith(ENTITY) and re.fullmatch(r"Q\d+", uri[len(ENTITY) :]):
        return uri[len(ENTITY) :]
    return None


def _date(value: str | None) -> dt.date | None:
    """The date of an xsd:dateTime literal ("2021-02-22T00:00:00Z"); None for BCE or unparsable values."""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value or "")
    if not match:
        return None
    try:
        return dt.date(int(match[1]), max(int(match[2]), 1), max(int(match[3]), 1))
    except ValueError:
        return None
