"""Who a person named in a report is: resolved through the directory, or created as the report says."""

from __future__ import annotations

from django.utils.text import slugify

from visits.models import Person, PersonAlias


def new_directory():
    """A DatabaseDirectory (its name index loads once) or None where the directory service is absent."""
    try:
        from visits.services.directory import DatabaseDirectory
    except ImportError:
        return None
    return DatabaseDirectory()


def resolve_or_create_person(
    *, name: str, as_written: str, language: str, country: str | None, directory=None
) -> Person:
    """Find a person by name or alias, else create them unreviewed with the as-written name as an alias.

    Uses the directory and people services (``directory`` is a DatabaseDirectory to reuse across calls);
    the plain exact-name/alias lookup of ``_fallback_person`` stands in where they are not installed.
    """
    try:
        from visits.services.directory import DatabaseDirectory
        from visits.services.people import person_get_or_create
    except ImportError:
        return _fallback_person(name=name, as_written=as_written, language=language, country=country)
    directory = directory or DatabaseDirectory()
    known = directory.find_person(name, language)
    if known is not None:
        return Person.objects.get(pk=known.id)
    person, created = person_get_or_create(
        name=name, language=language, country=country, aliases=[(as_written, language)]
    )
    if created:
        directory.refresh()  # the name index must learn the new person before the next look-up
    return person


def _fallback_person(*, name: str, as_written: str, language: str, country: str | None) -> Person:
    """Exact name, then exact alias; else a new unreviewed person. Only used without the people services."""
    person = Person.objects.filter(name__iexact=name).order_by("pk").first()
    person = person or Person.objects.filter(aliases__name__iexact=name).order_by("pk").first()
    if person is None:
        base, n = slugify(name)[:100] or "person", 1
        slug = base
        while Person.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        person = Person.objects.create(name=name, slug=slug, country_id=country)
    PersonAlias.objects.get_or_create(person=person, name=as_written[:200], language=language)
    return person
