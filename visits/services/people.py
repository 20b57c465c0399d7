"""Services for officials: people, their aliases, organizations and positions.

Every write to Person/Position goes through here so that analyst-locked
fields (``Person.locked_fields``) are never overwritten by automated ingestion.
Name helpers (``normalize_name``, ``transliterate``, ``phonetic_key``) are
shared with :mod:`visits.services.directory`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from anyascii import anyascii
from django.db import connection, transaction
from django.db.models import Q
from django.utils.text import slugify

from visits.extraction.directory import sort_name
from visits.models import Country, Organization, OrganizationAlias, Person, PersonAlias, Position, ReviewState

_PUNCT_RE = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")
_APOSTROPHES = "'’ʼʹ`´"  # noqa: RUF001 - apostrophe look-alikes are the point here

# Spelling conventions that differ between English, French and German renderings of
# the same (mostly Slavic or Caucasian) name, reduced to one written form.
# Order matters: longer patterns first.
_PHONETIC_RULES: tuple[tuple[str, str], ...] = (
    ("tsch", "ch"),
    ("tch", "ch"),
    ("sch", "sh"),
    ("shch", "sh"),
    ("ch", "sh"),  # French "ch" = English "sh"; English "ch" collapses too (lossy, matching only)
    ("zh", "j"),
    ("kh", "h"),
    ("ph", "f"),
    ("ck", "k"),
    ("ou", "u"),
    ("w", "v"),
    ("y", "i"),
    ("j", "i"),
)
_DOUBLE_RE = re.compile(r"(.)\1+")


def strip_accents(text: str) -> str:
    """Remove combining marks (é → e, ü → u) but keep the script (Cyrillic stays Cyrillic)."""
    text = text.replace("й", "\x00").replace("Й", "\x01")  # a letter of its own, not и with a breve
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept).replace("\x00", "й").replace("\x01", "Й")


def normalize_name(text: str) -> str:
    """Case-folded, accent-free, punctuation-free, single-spaced: "Salomé  ZOURABICHVILI" → "salome zourabichvili"."""
    text = strip_accents(text or "").casefold()
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    text = _PUNCT_RE.sub(" ", text.replace("_", " "))
    return _SPACE_RE.sub(" ", text).strip()


def transliterate(text: str) -> str:
    """ASCII rendering of any script (anyascii tables): "Столтенберг" → "Stoltenberg"."""
    return anyascii(text or "")


def phonetic_key(text: str) -> str:
    """A lossy matching key that folds spelling conventions: Garibachvili/Garibaschwili → garibasvili-like key.

    Used only to compare names, never stored or shown.
    """
    words = normalize_name(transliterate(text)).split()
    return " ".join(_phonetic_word(word) for word in words)


def _phonetic_word(word: str) -> str:
    for old, new in _PHONETIC_RULES:
        word = word.replace(old, new)
    return _DOUBLE_RE.sub(r"\1", word)


def unique_slug(model: type, text: str, *, max_length: int = 120) -> str:
    """A slug for ``text`` (transliterated to ASCII) not yet used by ``model``: "lavrov", "lavrov-2", ..."""
    base = slugify(transliterate(text))[: max_length - 6].strip("-") or "item"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def country_for(code: str | None) -> Country | None:
    """The Country row for an ISO alpha-2 code; created with a pycountry name only if missing."""
    if not code:
        return None
    code = code.upper()
    country = Country.objects.filter(code=code).first()
    if country is not None:
        return country
    import pycountry

    record = pycountry.countries.get(alpha_2=code)
    country, _ = Country.objects.get_or_create(code=code, defaults={"name": record.name if record else code})
    return country


def _apply(obj, values: dict, *, locked: Iterable[str] = ()) -> list[str]:
    """Set the changed, unlocked ``values`` on ``obj``; return the names of fields changed."""
    changed = []
    for field, value in values.items():
        if field in locked or getattr(obj, field) == value:
            continue
        setattr(obj, field, value)
        changed.append(field)
    return changed


def alias_add(*, person: Person, name: str, language: str = "") -> bool:
    """Record another name of ``person``; returns True if it was new. The canonical name itself is skipped."""
    name = name.strip()
    if not name or (name == person.name and not language):
        return False
    _, created = PersonAlias.objects.get_or_create(person=person, name=name[:200], language=language or "")
    return created


@transaction.atomic
def person_get_or_create(
    *,
    name: str,
    language: str | None = None,
    country: str | None = None,
    aliases: Iterable[tuple[str, str] | str] = (),
    wikidata_id: str | None = None,
    review_state: str = ReviewState.UNREVIEWED,
) -> tuple[Person, bool]:
    """Find a person by Wikidata id, else by exact canonical name (and country); create one if absent.

    ``aliases`` are ``(name, language)`` pairs or bare names. Existing people get missing
    data filled in (country, wikidata_id) unless those fields are locked.
    """
    _lock_name(name)
    person = _find_existing(name=name, country=country, wikidata_id=wikidata_id)
    created = person is None
    if created:
        person = Person.objects.create(
            name=name,
            sort_name=sort_name(name, country),
            slug=unique_slug(Person, name),
            wikidata_id=wikidata_id or None,
            country=country_for(country),
            review_state=review_state,
        )
    changed = [] if created else person_update(person=person, country=country, wikidata_id=wikidata_id, fill_only=True)
    added = 0
    if language and person.name != name:
        added += alias_add(person=person, name=name, language=language)
    for alias in aliases:
        alias_name, alias_language = (alias, "") if isinstance(alias, str) else alias
        added += alias_add(person=person, name=alias_name, language=alias_language)
    person._changes = (changed, added)  # what this call changed on an existing person: (fields, aliases added)
    return person, created


def _lock_name(name: str) -> None:
    """Serialise the creation of one name until the transaction ends.

    Two workers merging reports about the same new official would otherwise both miss the
    person and both insert them; the second waits here and then finds the first one's row.
    """
    if not connection.in_atomic_block:
        return  # autocommit: each statement stands alone, and the unique slug still guards
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"person:{normalize_name(name)}"])


def _find_existing(*, name: str, country: str | None, wikidata_id: str | None) -> Person | None:
    if wikidata_id:
        person = Person.objects.filter(wikidata_id=wikidata_id).first()
        if person is not None:
            return person
    candidates = Person.objects.filter(name__iexact=name)
    if country:
        candidates = candidates.filter(Q(country_id=country.upper()) | Q(country__isnull=True))
    if wikidata_id:
        candidates = candidates.filter(wikidata_id__isnull=True)
    return candidates.order_by("pk").first()


def person_update(
    *,
    person: Person,
    name: str | None = None,
    country: str | None = None,
    wikidata_id: str | None = None,
    review_state: str | None = None,
    fill_only: bool = False,
) -> list[str]:
    """Update a person's fields, skipping locked ones; ``fill_only`` only sets empty fields. Returns changed fields."""
    values: dict = {}
    if name and not person.is_locked("name"):
        values.update(name=name, sort_name=sort_name(name, country or person.country_id))
    if country:
        values["country"] = country_for(country)
    if wikidata_id:
        values["wikidata_id"] = wikidata_id
    if review_state:
        values["review_state"] = review_state
    if fill_only:
        values = {field: value for field, value in values.items() if not getattr(person, field)}
    changed = _apply(person, values, locked=person.locked_fields)
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    return changed


def organization_get_or_create(
    *,
    name: str,
    abbreviation: str = "",
    kind: str = Organization.Kind.OTHER,
    country: str | None = None,
    aliases: Iterable[tuple[str, str] | str] = (),
    wikidata_id: str | None = None,
) -> Organization:
    """The organization called ``name`` (or with that Wikidata id), created if absent, with its aliases."""
    org = Organization.objects.filter(wikidata_id=wikidata_id).first() if wikidata_id else None
    if org is None:
        org = Organization.objects.filter(name__iexact=name, country_id=country.upper() if country else None).first()
    if org is None:
        org = Organization.objects.create(
            name=name,
            slug=unique_slug(Organization, f"{abbreviation or name} {country or ''}".strip()),
            abbreviation=abbreviation,
            kind=kind,
            country=country_for(country),
            wikidata_id=wikidata_id or None,
        )
    elif wikidata_id and not org.wikidata_id:
        org.wikidata_id = wikidata_id
        org.save(update_fields=["wikidata_id"])
    for alias in aliases:
        alias_name, language = (alias, "") if isinstance(alias, str) else alias
        OrganizationAlias.objects.get_or_create(organization=org, name=alias_name, language=language or "")
    return org


def position_upsert(
    *,
    person: Person,
    title: str,
    country: str | None = None,
    organization: Organization | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    source: str,
    external_id: str | None = None,
) -> tuple[Position, bool]:
    """Create or update a position, keyed by ``external_id`` if given, else by person/title/place/start.

    Returns ``(position, created)``. A person's locked ``positions`` field (or a locked
    ``positions.<external_id>``) protects existing positions from automated updates.
    """
    values = {
        "person": person,
        "title": title,
        "country": country_for(country),
        "organization": organization,
        "start_date": start_date,
        "end_date": end_date,
        "source": source,
    }
    position = _find_position(external_id=external_id, values=values)
    if position is None:
        return Position.objects.create(external_id=external_id, **values), True
    if _position_locked(person, position):
        return position, False
    changed = _apply(position, values)
    if changed:
        position.save(update_fields=changed)
    position._changed_fields = changed  # lets callers count updates without another query
    return position, False


def _find_position(*, external_id: str | None, values: dict) -> Position | None:
    if external_id:
        return Position.objects.filter(external_id=external_id).first()
    return Position.objects.filter(
        person=values["person"],
        title__iexact=values["title"],
        country=values["country"],
        organization=values["organization"],
        start_date=values["start_date"],
    ).first()


def _position_locked(person: Person, position: Position) -> bool:
    return person.is_locked("positions") or (
        bool(position.external_id) and person.is_locked(f"positions.{position.external_id}")
    )
