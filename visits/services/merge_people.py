"""Who a person named in a report is: resolved through the directory, or created as the report says."""

from __future__ import annotations

from django.db import connection

from visits.models import Person, PersonAlias
from visits.services.directory import DatabaseDirectory
from visits.services.people import person_get_or_create

# One name index per process, rebuilt only when people or aliases changed in the database: loading it
# costs a few hundred milliseconds with the full directory, far more than merging a report.
_shared: tuple[tuple, DatabaseDirectory] | None = None


def _people_version() -> tuple:
    """What changes whenever a person or an alias is added or edited (one statement: it runs every merge)."""
    people, aliases = Person._meta.db_table, PersonAlias._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT count(*) FROM {people}), (SELECT max(updated_at) FROM {people}), "
            f"(SELECT count(*) FROM {aliases}), (SELECT max(id) FROM {aliases})"
        )
        return tuple(cursor.fetchone())


def new_directory() -> DatabaseDirectory:
    """The directory for one run of look-ups: the process's shared one while the people are unchanged."""
    global _shared
    version = _people_version()
    if _shared is None or _shared[0] != version:
        _shared = (version, DatabaseDirectory())
    return _shared[1]


def _learn(directory: DatabaseDirectory, person: Person) -> None:
    """Teach the directory a person just created, and keep it the process's shared one."""
    global _shared
    directory.learn(person)
    if _shared is not None and _shared[1] is directory:
        _shared = (_people_version(), directory)


def resolve_or_create_person(
    *, name: str, as_written: str, language: str, country: str | None, directory: DatabaseDirectory | None = None
) -> tuple[Person, bool]:
    """Find a person by name or alias, else create them unreviewed with the as-written name as an alias;
    returns (person, created).

    ``directory`` is a DatabaseDirectory to reuse across calls (one is made when none is given).
    """
    directory = directory or DatabaseDirectory()
    known = directory.find_person(name, language)
    if known is not None:
        return Person.objects.get(pk=known.id), False
    person, created = person_get_or_create(
        name=name, language=language, country=country, aliases=[(as_written, language)]
    )
    if created:  # the next look-up must know the new person
        _learn(directory, person)
    return person, created
