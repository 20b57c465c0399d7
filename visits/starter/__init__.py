"""The hand-written starter set of officials (``officials.json``) and its idempotent loader."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from visits.models import Organization, Person, Position
from visits.services.people import (
    organization_get_or_create,
    person_get_or_create,
    position_upsert,
    transliterate,
)

OFFICIALS_PATH = Path(__file__).with_name("officials.json")


def read_officials(path: Path = OFFICIALS_PATH) -> dict:
    """The starter set as parsed JSON: ``{"organizations": [...], "people": [...]}``."""
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def load_officials(path: Path = OFFICIALS_PATH) -> Counter:
    """Load the starter set; running it again changes nothing. Returns counts per ``<kind>_<outcome>``."""
    data = read_officials(path)
    counts: Counter = Counter()
    organizations = {item["key"]: _load_organization(item) for item in data["organizations"]}
    for item in data["people"]:
        _load_person(item, organizations, counts)
    return counts


def _load_organization(item: dict) -> Organization:
    return organization_get_or_create(
        name=item["name"],
        abbreviation=item.get("abbreviation", ""),
        kind=item.get("kind", Organization.Kind.OTHER),
        country=item.get("country"),
        aliases=[tuple(alias) for alias in item.get("aliases", ())],
    )


def _load_person(item: dict, organizations: dict[str, Organization], counts: Counter) -> Person:
    person, created = person_get_or_create(
        name=item["name"],
        country=item.get("country"),
        aliases=[tuple(alias) for alias in item.get("aliases", ())],
    )
    fields_changed, aliases_added = person._changes
    if created:
        counts["people_created"] += 1
    elif fields_changed or aliases_added:
        counts["people_updated"] += 1
    else:
        counts["people_unchanged"] += 1
    slug = slugify(transliterate(item["name"]))
    for number, spec in enumerate(item.get("positions", ()), start=1):
        outcome = _load_position(person, spec, organizations, external_id=f"starter:{slug}:{number}")
        counts[f"positions_{outcome}"] += 1
    return person


def _load_position(person: Person, spec: dict, organizations: dict[str, Organization], *, external_id: str) -> str:
    """Upsert one position; returns "created", "updated" or "unchanged"."""
    org_key = spec.get("organization")
    position, created = position_upsert(
        person=person,
        title=spec["title"],
        country=spec.get("country"),
        organization=organizations[org_key] if org_key else None,
        start_date=_date(spec.get("start")),
        end_date=_date(spec.get("end")),
        source=Position.Source.STARTER,
        external_id=external_id,
    )
    if created:
        return "created"
    return "updated" if getattr(position, "_changed_fields", None) else "unchanged"


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
