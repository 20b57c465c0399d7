"""Who a person named in a report is: resolved through the directory, or created as the report says."""

from __future__ import annotations

from visits.models import Person
from visits.services.directory import DatabaseDirectory
from visits.services.people import person_get_or_create


def new_directory() -> DatabaseDirectory:
    """A DatabaseDirectory to share across the look-ups of one run (its name index loads once)."""
    return DatabaseDirectory()


def resolve_or_create_person(
    *, name: str, as_written: str, language: str, country: str | None, directory: DatabaseDirectory | None = None
) -> Person:
    """Find a person by name or alias, else create them unreviewed with the as-written name as an alias.

    ``directory`` is a DatabaseDirectory to reuse across calls (one is made when none is given).
    """
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
