"""How extraction asks who is known: the Directory protocol and two DB-free implementations.

Person resolution (aliases, transliteration, fuzzy matching) is the directory's job. The
extractor hands it names as written (honorifics stripped) and uses what it returns. For
scripts without capitals, where a name cannot be told from the words around it, the
extractor also asks for every name the directory knows in the report's language
(``known_names``) and looks for them in the text. A database-backed implementation lives in
``visits.services.directory.DatabaseDirectory``.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class KnownPerson:
    id: int | None
    name: str  # canonical name
    country: str | None = None  # ISO alpha-2 of the country the person serves, if any


@dataclass(frozen=True)
class KnownPosition:
    person: KnownPerson
    title: str  # English title: "Prime Minister", "President", "Secretary General", ...
    country: str | None  # ISO alpha-2
    organization: str | None  # abbreviation or name, e.g. "NATO"
    start: datetime.date | None
    end: datetime.date | None

    def held_on(self, on: datetime.date | None) -> bool:
        if on is None:
            return True
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)


@runtime_checkable
class Directory(Protocol):
    def find_person(self, name: str, language: str | None = None) -> KnownPerson | None: ...

    def positions_of(self, person: KnownPerson, on: datetime.date | None = None) -> list[KnownPosition]: ...

    def holders(
        self, title: str, *, country: str | None = None, organization: str | None = None, on: datetime.date
    ) -> list[KnownPosition]: ...

    def known_names(self, language: str) -> Mapping[str, KnownPerson]:
        """Every name (alias) the directory knows written in ``language``, as written -> the person.
        The engine matches them as phrases; the mapping should be the same object while nothing
        changed, so that the engine can reuse the matcher it built from it."""
        ...


def name_key(name: str) -> str:
    """A comparison key for names: case, accents, punctuation and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    kept = kept.replace("\u0451", "\u0435").replace("\u0439", "\u0438")  # Cyrillic yo -> ie, short i -> i
    return " ".join("".join(c if c.isalnum() else " " for c in kept).split())


#: Countries whose officials' names the world's press, too, writes family name first ("Xi Jinping",
#: "Yoon Suk Yeol", "Pham Minh Chinh"); Japanese and Hungarian officials are usually given-name first.
FAMILY_NAME_FIRST = frozenset({"CN", "TW", "HK", "MO", "KP", "KR", "VN", "KH"})


def family_name_first(country: str | None) -> bool:
    return (country or "").upper() in FAMILY_NAME_FIRST


def sort_name(name: str, country: str | None = None) -> str:
    """ "Stoltenberg, Jens"; "Xi, Jinping" for a name written family name first."""
    parts = name.split()
    if len(parts) < 2:
        return name
    if family_name_first(country):
        return f"{parts[0]}, {' '.join(parts[1:])}"
    return f"{parts[-1]}, {' '.join(parts[:-1])}"


class EmptyDirectory:
    """Knows nobody: every name stays as written, no role is ever checked."""

    def find_person(self, name: str, language: str | None = None) -> KnownPerson | None:
        return None

    def positions_of(self, person: KnownPerson, on: datetime.date | None = None) -> list[KnownPosition]:
        return []

    def holders(
        self, title: str, *, country: str | None = None, organization: str | None = None, on: datetime.date
    ) -> list[KnownPosition]:
        return []

    def known_names(self, language: str) -> Mapping[str, KnownPerson]:
        return _NO_NAMES


_NO_NAMES: Mapping[str, KnownPerson] = {}


class MemoryDirectory:
    """A directory held in memory: positions plus aliases (alias -> person). For tests and DB-free use.

    Names match ignoring case, accents and punctuation; an alias given for a language matches
    for every language (aliases are spellings, not translations).
    """

    def __init__(
        self,
        positions: Iterable[KnownPosition] = (),
        aliases: dict[str, KnownPerson] | None = None,
        people: Iterable[KnownPerson] = (),
    ):
        self.positions = list(positions)
        self._by_key: dict[str, KnownPerson] = {}
        for person in [*people, *(p.person for p in self.positions)]:
            self._by_key.setdefault(name_key(person.name), person)
        self._names: dict[str, KnownPerson] = {}
        for person in [*people, *(p.person for p in self.positions)]:
            self._names.setdefault(person.name, person)
        for alias, person in (aliases or {}).items():
            self._by_key.setdefault(name_key(alias), person)
            self._names.setdefault(alias, person)

    def known_names(self, language: str) -> Mapping[str, KnownPerson]:
        """Every name and alias (aliases here carry no language: all of them, for every language)."""
        return self._names

    def find_person(self, name: str, language: str | None = None) -> KnownPerson | None:
        return self._by_key.get(name_key(name))

    def positions_of(self, person: KnownPerson, on: datetime.date | None = None) -> list[KnownPosition]:
        return [p for p in self.positions if _same(p.person, person) and p.held_on(on)]

    def holders(
        self, title: str, *, country: str | None = None, organization: str | None = None, on: datetime.date
    ) -> list[KnownPosition]:
        wanted = title.casefold()
        found = []
        for position in self.positions:
            if position.title.casefold() != wanted or not position.held_on(on):
                continue
            if country and (position.country or "").upper() != country.upper():
                continue
            if organization and name_key(position.organization or "") != name_key(organization):
                continue
            found.append(position)
        return found


def _same(a: KnownPerson, b: KnownPerson) -> bool:
    if a.id is not None and b.id is not None:
        return a.id == b.id
    return name_key(a.name) == name_key(b.name)


@dataclass(frozen=True)
class Context:
    """What a dataset record says around its remarks, in place of a publication date."""

    traveller: str | None = None  # name of the traveller the record is about
    country: str | None = None  # ISO alpha-2 of the stop
    start: datetime.date | None = None
    end: datetime.date | None = None
