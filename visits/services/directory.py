"""The directory of known officials, as the extraction engine sees it.

:class:`DatabaseDirectory` implements ``visits.extraction.directory.Directory`` over
Person, PersonAlias, Position and Organization. Names are resolved in memory
against an index loaded once per instance (two queries), in stages:

1. exact (case-folded, accents stripped) on names and aliases;
2. transliterated and spelling-folded (Cyrillic → Latin, sh/ch/sch, ou/u, w/v, j/y/i);
3. fuzzy (rapidfuzz, token-based, high threshold) checking surname and given name.

A surname-only mention resolves only when exactly one known person carries that
surname; anything ambiguous stays unresolved (``None``).

:meth:`DatabaseDirectory.known_names` gives the aliases of one language for the engine's
phrase matcher (scripts without capitals): one query per language, cached per process and
reloaded when the aliases' count or highest id changes.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, Value
from django.db.models.functions import Lower, Replace
from rapidfuzz import fuzz, process

from visits.extraction.directory import KnownPerson, KnownPosition
from visits.models import Person, PersonAlias, Position
from visits.services.people import normalize_name, phonetic_key, transliterate

FULL_NAME_THRESHOLD = 88
SURNAME_THRESHOLD = 85
GIVEN_NAME_THRESHOLD = 75
SURNAME_ONLY_THRESHOLD = 90

# Titles that name the same post. Compared after case-folding and hyphen → space.
TITLE_SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset({"secretary general", "general secretary"}),
    frozenset(
        {
            "minister of foreign affairs",
            "minister for foreign affairs",
            "foreign minister",
            "foreign affairs minister",
            "federal minister for foreign affairs",
            "federal foreign minister",
            "minister for europe and foreign affairs",
            "minister of europe and foreign affairs",
            "foreign secretary",
            "secretary of state for foreign commonwealth and development affairs",
        }
    ),
    frozenset(
        {
            "minister of defence",
            "minister of defense",
            "minister for defence",
            "defence minister",
            "defense minister",
            "federal minister of defence",
            "defence secretary",
            "secretary of state for defence",
        }
    ),
    frozenset({"prime minister", "premier", "pm"}),
    frozenset({"chancellor", "federal chancellor"}),
    frozenset({"president", "head of state"}),
    frozenset(
        {
            "spokesperson",
            "spokeswoman",
            "spokesman",
            "press secretary",
            "director of the information and press department",
        }
    ),
)
# Country-specific names of the same post (the US Secretary of State is its foreign minister).
COUNTRY_TITLE_SYNONYMS: dict[str, tuple[frozenset[str], ...]] = {
    "US": (
        frozenset({"secretary of state", "minister of foreign affairs", "foreign minister"}),
        frozenset({"secretary of defense", "minister of defence", "defence minister", "defense minister"}),
    ),
}

# Courtesy titles the caller normally strips; removed defensively when they lead a mention.
_HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "mme", "mlle", "monsieur", "madame", "herr", "frau", "dr", "senor", "senora", "sr", "sra"}
    | {"г", "н", "жа", "господин", "госпожа"}  # noqa: RUF001 - Russian courtesy titles
)
_PARTICLES = frozenset({"de", "da", "di", "del", "der", "den", "van", "von", "la", "le", "du", "dos", "al", "el"})


def title_key(title: str) -> str:
    """Case-folded title with hyphens and punctuation as spaces: "Secretary-General" → "secretary general"."""
    return normalize_name(title.replace("-", " "))


def title_variants(title: str, country: str | None = None) -> set[str]:
    """All title keys that name the same post as ``title`` (for ``country``, if it has its own names)."""
    key = title_key(title)
    variants = {key}
    groups = TITLE_SYNONYMS + COUNTRY_TITLE_SYNONYMS.get((country or "").upper(), ())
    for group in groups:
        if key in group:
            variants |= group
    return variants


@dataclass
class _Variant:
    """One written form of one person's name, prepared for matching."""

    person_id: int
    key: str  # phonetic key
    words: list[str]


@dataclass
class NameIndex:
    """In-memory lookup tables over every person's name and aliases."""

    people: dict[int, KnownPerson] = field(default_factory=dict)
    exact: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    phonetic: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    surnames: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    initials: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    variants: list[_Variant] = field(default_factory=list)
    variant_keys: list[str] = field(default_factory=list)
    surname_keys: list[str] = field(default_factory=list)

    @classmethod
    def load(cls) -> NameIndex:
        """Build the index with two queries: people, then aliases."""
        index = cls()
        for pk, name, country in Person.objects.values_list("id", "name", "country_id"):
            index.people[pk] = KnownPerson(id=pk, name=name, country=country)
            index.add(pk, name)
        for pk, name in PersonAlias.objects.values_list("person_id", "name"):
            index.add(pk, name)
        index.variant_keys = [variant.key for variant in index.variants]
        index.surname_keys = list(index.surnames)
        return index

    def add(self, person_id: int, name: str) -> None:
        """Register one written form of a person's name."""
        normalized = normalize_name(name)
        key = phonetic_key(name)
        if not key:
            return
        self.exact[normalized].add(person_id)
        self.phonetic[key].add(person_id)
        words = key.split()
        self.variants.append(_Variant(person_id, key, words))
        for start in range(1 if len(words) > 1 else 0, len(words)):
            if start < len(words) - 1 or words[start] not in _PARTICLES:
                self.surnames[" ".join(words[start:])].add(person_id)
        if len(words) > 1:
            ascii_words = normalize_name(transliterate(name)).split()
            self.initials[person_id].update(word[0] for word in ascii_words[:-1] if word)


# language -> ((alias count, highest alias id), {alias as written: person}); shared by every instance
_KNOWN_NAMES: dict[str, tuple[tuple[int, int], dict[str, KnownPerson]]] = {}
_KNOWN_NAMES_LOCK = threading.Lock()


def _alias_stamp() -> tuple[int, int]:
    """What changes when aliases are added or removed: their count and highest id (one cheap query)."""
    stamp = PersonAlias.objects.aggregate(count=Count("id"), last=Max("id"))
    return stamp["count"] or 0, stamp["last"] or 0


def known_names(language: str) -> dict[str, KnownPerson]:
    """The aliases written in ``language`` -> their person (one query; cached while the aliases stay)."""
    stamp = _alias_stamp()
    cached = _KNOWN_NAMES.get(language)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    names: dict[str, KnownPerson] = {}
    rows = PersonAlias.objects.filter(language=language).values_list(
        "name", "person_id", "person__name", "person__country_id"
    )
    people: dict[int, KnownPerson] = {}
    for name, pk, person_name, country in rows.order_by("person_id", "id"):
        person = people.setdefault(pk, KnownPerson(id=pk, name=person_name, country=country))
        names.setdefault(name.strip(), person)
    with _KNOWN_NAMES_LOCK:
        _KNOWN_NAMES[language] = (stamp, names)
    return names


class DatabaseDirectory:
    """Known officials from the database; the name index is loaded once per instance."""

    def __init__(self) -> None:
        self._index: NameIndex | None = None
        self._known: dict[str, Mapping[str, KnownPerson]] = {}

    @property
    def index(self) -> NameIndex:
        if self._index is None:
            self._index = NameIndex.load()
        return self._index

    def learn(self, person: Person) -> None:
        """Teach the loaded name index a person just created (name and aliases) instead of reloading it:
        loading the whole directory's names costs far more than one merge."""
        if self._index is None:
            return
        index = self._index
        index.people[person.pk] = KnownPerson(id=person.pk, name=person.name, country=person.country_id)
        for name in [person.name, *person.aliases.values_list("name", flat=True)]:
            index.add(person.pk, name)
        index.variant_keys = [variant.key for variant in index.variants]
        index.surname_keys = list(index.surnames)
        self._known = {}

    def refresh(self) -> None:
        """Forget the loaded name index (after people were added)."""
        self._index = None
        self._known = {}

    def known_names(self, language: str) -> Mapping[str, KnownPerson]:
        """The aliases written in ``language`` -> their person, for the engine's phrase matcher.

        Checked against the database once per instance and language (the process-wide cache is
        reloaded when the aliases' count or highest id changed)."""
        if language not in self._known:
            self._known[language] = known_names(language)
        return self._known[language]

    # --- names ------------------------------------------------------------------------

    def find_person(self, name: str, language: str | None = None) -> KnownPerson | None:
        """The one known person ``name`` refers to, or None when unknown or ambiguous.

        ``language`` is accepted for the protocol; matching works across languages and scripts.
        """
        index = self.index
        normalized = _strip_honorifics(normalize_name(name))
        if not normalized:
            return None
        key = phonetic_key(normalized)
        words = [word for word in key.split() if len(word) > 1]
        initials = {word for word in normalize_name(transliterate(normalized)).split() if len(word) == 1}
        if len(words) == 1 or (key in index.surnames and not initials):
            return self._by_surname(" ".join(words), initials, exact=index.exact.get(normalized, set()))
        for table, probe in ((index.exact, normalized), (index.phonetic, key)):
            ids = table.get(probe)
            if ids:
                return _only(index, ids)
        return _only(index, _fuzzy_full_name(index, key, words))

    def _by_surname(self, surname: str, initials: set[str], *, exact: set[int]) -> KnownPerson | None:
        """Resolve a surname-only mention (with optional initials): only a unique bearer counts."""
        index = self.index
        ids = exact | index.surnames.get(surname, set()) | index.phonetic.get(surname, set())
        if not ids:
            matches = process.extract(
                surname, index.surname_keys, scorer=fuzz.ratio, score_cutoff=SURNAME_ONLY_THRESHOLD, limit=20
            )
            for match, _score, _ in matches:
                ids |= index.surnames[match]
        if initials:
            ids = {pk for pk in ids if initials <= index.initials.get(pk, set())}
        return _only(index, ids)

    # --- positions ----------------------------------------------------------------------

    def positions_of(self, person: KnownPerson, on: dt.date | None = None) -> list[KnownPosition]:
        """The positions ``person`` held (on ``on``, if given), earliest first."""
        if person.id is None:
            return []
        positions = Position.objects.filter(person_id=person.id)
        if on is not None:
            positions = positions.held_on(on)
        return [_known_position(position, person) for position in _with_relations(positions)]

    def holders(
        self, title: str, *, country: str | None = None, organization: str | None = None, on: dt.date
    ) -> list[KnownPosition]:
        """Who held ``title`` (or a synonym) on ``on``, for a country code and/or an organization."""
        positions = (
            Position.objects.held_on(on)
            .annotate(title_key=Replace(Lower("title"), Value("-"), Value(" ")))
            .filter(title_key__in=title_variants(title, country))
        )
        if country:
            code = country.upper()
            positions = positions.filter(Q(country_id=code) | Q(country__isnull=True, organization__country_id=code))
        if organization:
            matching = (
                Q(organization__abbreviation__iexact=organization)
                | Q(organization__name__iexact=organization)
                | Q(organization__aliases__name__iexact=organization)
            )
            positions = positions.filter(pk__in=Position.objects.filter(matching).values("pk"))
        return [_known_position(position) for position in _with_relations(positions)]


def _strip_honorifics(normalized: str) -> str:
    words = normalized.split()
    while len(words) > 1 and words[0] in _HONORIFICS:
        words = words[1:]
    if len(words) == 2 and words[0] == "m":  # French "M. Stoltenberg"
        words = words[1:]
    return " ".join(words)


def _only(index: NameIndex, ids: set[int]) -> KnownPerson | None:
    """The person when exactly one matched; None when none or several did (no guessing)."""
    return index.people[next(iter(ids))] if len(ids) == 1 else None


def _fuzzy_full_name(index: NameIndex, key: str, words: list[str]) -> set[int]:
    """People one of whose names is close to ``key`` as a whole, in surname and in given name."""
    found: set[int] = set()
    matches = process.extract(
        key, index.variant_keys, scorer=fuzz.token_sort_ratio, score_cutoff=FULL_NAME_THRESHOLD, limit=25
    )
    for _match, _score, position in matches:
        variant = index.variants[position]
        if len(variant.words) > 1 and _parts_agree(words, variant.words):
            found.add(variant.person_id)
    return found


def _parts_agree(mention: list[str], known: list[str]) -> bool:
    """The mention's surname matches the known surname, and another word matches the given name."""
    surname, given = known[-1], known[0]
    for i, word in enumerate(mention):
        if fuzz.ratio(word, surname) >= SURNAME_THRESHOLD:
            others = mention[:i] + mention[i + 1 :]
            return any(fuzz.ratio(other, given) >= GIVEN_NAME_THRESHOLD for other in others)
    return False


def _with_relations(positions):
    return positions.select_related("person", "organization").order_by("start_date", "pk")


def _known_position(position: Position, person: KnownPerson | None = None) -> KnownPosition:
    org = position.organization
    return KnownPosition(
        person=person
        or KnownPerson(id=position.person_id, name=position.person.name, country=position.person.country_id),
        title=position.title,
        country=position.country_id or (org.country_id if org else None),
        organization=(org.abbreviation or org.name) if org else None,
        start=position.start_date,
        end=position.end_date,
    )
