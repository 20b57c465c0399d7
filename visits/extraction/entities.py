"""From mentions to people: coreference within the report and resolution by the directory.

Full names are looked up in the directory as written (honorifics stripped; Russian names in
the nominative). A surname alone ("M. Stoltenberg", "Столтенберга") joins the person with
that surname; a role alone ("le secrétaire général") joins the person of the report holding
that role, else the directory's single holder, else stays an unnamed official when the
report ties it to a country or an organisation ("the Georgian prime minister").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from visits.extraction.analysis import Analysed
from visits.extraction.directory import Directory, KnownPerson, family_name_first, name_key
from visits.extraction.people import Mention, Role
from visits.extraction.toolkit import Toolkit

ROLE_CONTRADICTS = "role-contradicts-known-position"
LEADER = "@leader"  # a cue file's title for "leader": the head of a country, president or prime minister
NATIONAL_ROLES = {
    "President",
    "Prime Minister",
    "Vice President",
    "Chancellor",
    "Minister",
    "Minister of Foreign Affairs",
    "Minister of Defence",
    "Minister of Economy",
    "Minister of Energy",
    "Minister of the Interior",
    "Minister of Finance",
    "King",
    "Queen",
    "Emir",
    "Crown Prince",
    "Secretary of State",
    "Shah",
    "Sultan",
}


@dataclass(eq=False)
class Entity:
    name: str
    as_written: str | None = None
    known: KnownPerson | None = None
    role: str | None = None
    organization: str | None = None
    country: str | None = None
    flags: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    surnames: set[str] = field(default_factory=set)
    unnamed: bool = False
    bare: bool = True  # only ever mentioned by a bare, unresolved name
    role_from_report: bool = False
    usable: bool = True  # can be a traveller or participant (a bare name must look like a person's)

    @property
    def id(self) -> int | None:
        return self.known.id if self.known else None

    def take_role(self, role: Role) -> None:
        if role.title == LEADER:  # "the Chinese leader" names a country, not a title
            self.country = self.country or role.country
            return
        if self.role is None:
            self.role, self.role_from_report = role.title, True
        if role.title == self.role:
            self.organization = self.organization or role.organization
            self.country = self.country or role.country

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "as_written": self.as_written or self.name,
            "id": self.id,
            "role": self.role,
            "organization": self.organization,
            "country": self.country,
            "flags": list(self.flags),
        }


class People:
    def __init__(self, kit: Toolkit, directory: Directory, on: dt.date | None):
        self.kit, self.directory, self.on = kit, directory, on
        self.entities: list[Entity] = []
        self._lookups: dict[str, KnownPerson | None] = {}

    def find(self, name: str) -> KnownPerson | None:
        if name not in self._lookups:
            try:
                self._lookups[name] = self.directory.find_person(name, self.kit.language)
            except Exception:  # a directory failing must not lose the report
                self._lookups[name] = None
        return self._lookups[name]

    def positions(self, person: KnownPerson):
        try:
            return self.directory.positions_of(person, self.on)
        except Exception:
            return []

    def _entity_for_known(self, known: KnownPerson) -> Entity | None:
        for entity in self.entities:
            if entity.known and (
                (known.id is not None and entity.known.id == known.id)
                or name_key(entity.known.name) == name_key(known.name)
            ):
                return entity
        return None

    def _entity_for_name(self, key: str) -> Entity | None:
        for entity in self.entities:
            if not entity.unnamed and (name_key(entity.as_written or "") == key or name_key(entity.name) == key):
                return entity
        return None

    def _surname_keys(self, mention: Mention, analysed: Analysed) -> set[str]:
        tokens = analysed.tokens[mention.name_start : mention.name_end]
        words = [t for t in tokens if t.is_word and len(t.text) > 1]
        if not words:
            return set()
        last = words[-1]
        keys = {name_key(last.text), name_key(last.lemma)}
        if mention.normal:
            keys.add(name_key(mention.normal.split()[-1]))
        return keys

    def add_named(self, mention: Mention, analysed: Analysed) -> Entity:
        written = mention.name or ""
        lookup = mention.normal or written
        known = mention.known or self.find(lookup) or (self.find(written) if written != lookup else None)
        entity = self._entity_for_known(known) if known else self._entity_for_name(name_key(lookup))
        if entity is None:
            entity = Entity(name=known.name if known else lookup, as_written=written, known=known)
            self.entities.append(entity)
        entity.bare = entity.bare and mention.via == "bare" and known is None and mention.role is None
        if entity.bare:  # nobody knows it and no role or honorific introduces it: it must look like a name
            entity.usable = self.kit.plausible_person(analysed.tokens, mention.name_start, mention.name_end)
        else:
            entity.usable = True
        entity.mentions.append(mention)
        entity.surnames |= self._surname_keys(mention, analysed)
        if known and family_name_first(known.country) and len(known.name.split()) > 1:
            entity.surnames.add(name_key(known.name.split()[0]))  # "Xi" is Xi Jinping
        if mention.role:
            entity.take_role(mention.role)
        mention.entity = entity
        return entity

    def add_surname(self, mention: Mention, analysed: Analysed) -> Entity:
        if mention.known is not None:  # the directory's name: its person, not a namesake of the report
            return self.add_named(mention, analysed)
        keys = self._surname_keys(mention, analysed)
        for entity in reversed(self.entities):
            if not entity.unnamed and entity.surnames & keys:
                entity.mentions.append(mention)
                if mention.role:
                    entity.take_role(mention.role)
                entity.bare = False
                entity.usable = True
                mention.entity = entity
                return entity
        return self.add_named(mention, analysed)

    def link_surname(self, mention: Mention, analysed: Analysed) -> Entity | None:
        """A lone capitalised word is a person only if it is the surname of someone known."""
        keys = self._surname_keys(mention, analysed)
        for entity in reversed(self.entities):
            if not entity.unnamed and entity.surnames & keys:
                entity.mentions.append(mention)
                mention.entity = entity
                return entity
        known = mention.known or self.find(mention.normal or mention.name or "")
        if known is not None:
            return self.add_named(mention, analysed)
        return None

    def add_role_only(self, mention: Mention) -> Entity | None:
        role = mention.role
        entity = self._leader(role.country) if role.title == LEADER else self._for_role(role)
        if entity is None:
            return None
        entity.mentions.append(mention)
        entity.take_role(role)
        entity.bare = False
        entity.usable = True
        mention.entity = entity
        return entity

    def _for_role(self, role: Role) -> Entity | None:
        """Who a role without a name is: the report's protagonist of that role, else the directory's one
        holder of it that day, else an unnamed official of it."""
        candidates = [e for e in self.entities if not e.unnamed and _compatible(e, role)]
        if candidates:  # the report's protagonist: the most mentioned, the first met on a tie
            entity = max(candidates, key=lambda e: (len(e.mentions), -self.entities.index(e)))
        else:
            entity = None
            if (role.country or role.organization) and self.on:
                holders = self._holders(role)
                if len(holders) == 1:
                    known = holders[0].person
                    entity = self._entity_for_known(known) or Entity(name=known.name, as_written=None, known=known)
                    if entity not in self.entities:
                        self.entities.append(entity)
                else:
                    entity = next((e for e in self.entities if e.unnamed and _compatible(e, role)), None)
                    if entity is None:
                        entity = Entity(name=_unnamed_name(role), unnamed=True, flags=["unnamed"])
                        self.entities.append(entity)
        return entity

    def _leader(self, country: str | None) -> Entity | None:
        """'Le dirigeant chinois': the report's one named official of that country, else nobody (a leader
        may be a president or a prime minister: the directory cannot tell which is meant)."""
        candidates = [e for e in self.entities if not e.unnamed and country and _country_of(e) == country]
        return candidates[0] if len(candidates) == 1 else None

    def _holders(self, role: Role):
        try:
            return self.directory.holders(role.title, country=role.country, organization=role.organization, on=self.on)
        except Exception:
            return []

    # --- after the trips are known ------------------------------------------------------------
    def complete(self) -> None:
        """Fill what the report leaves out from the directory, then check roles against it."""
        self.fill()
        self.check_roles()

    def check_roles(self) -> None:
        for entity in self.entities:
            if entity.known:
                self._check_role(entity, self.positions(entity.known))

    def fill(self) -> None:
        """Fill what the report leaves out (role, organisation, country) from the directory."""
        for entity in self.entities:
            if not entity.known:
                continue
            positions = self.positions(entity.known)
            if entity.role is None and positions:
                entity.role = positions[0].title
            same_title = [p for p in positions if entity.role and p.title.casefold() == entity.role.casefold()]
            source = (
                same_title[0] if same_title else (positions[0] if positions and not entity.role_from_report else None)
            )
            if source:
                entity.organization = entity.organization or source.organization
                entity.country = entity.country or source.country
            if entity.role and not entity.organization and not entity.country and not same_title:
                entity.country = entity.known.country if entity.role in NATIONAL_ROLES else None

    def _check_role(self, entity: Entity, positions) -> None:
        if not (entity.role_from_report and entity.role and (entity.country or entity.organization) and self.on):
            return
        role = Role(entity.role, entity.organization, entity.country)
        holders = self._holders(role)
        if not holders:
            return
        person = entity.known
        if any(_same_person(h.person, person) for h in holders):
            return
        if any(p.title.casefold() == entity.role.casefold() for p in positions):
            return
        if ROLE_CONTRADICTS not in entity.flags:
            entity.flags.append(ROLE_CONTRADICTS)


def _country_of(entity: Entity) -> str | None:
    return entity.country or (entity.known.country if entity.known else None)


def _same_person(a: KnownPerson, b: KnownPerson) -> bool:
    if a.id is not None and b.id is not None:
        return a.id == b.id
    return name_key(a.name) == name_key(b.name)


def _compatible(entity: Entity, role: Role) -> bool:
    if role.organization and entity.organization == role.organization:
        return True  # "le chef de l'Alliance", "the EU's top diplomat"
    if entity.role != role.title:
        return False
    if role.organization and entity.organization and role.organization != entity.organization:
        return False
    return not (role.country and entity.country and role.country != entity.country)


def _unnamed_name(role: Role) -> str:
    where = role.organization or country_name(role.country)
    return f"{role.title} of {where}" if where else role.title


def country_name(code: str | None) -> str | None:
    if not code:
        return None
    from babel import Locale

    return Locale("en").territories.get(code, code)


def _settle_doubts(people: People, doc: list[Analysed]) -> None:
    """A sentence-initial name whose first word is an ordinary word ('Затем Столтенберг') loses that
    word unless the directory knows the full name or the report writes it elsewhere."""
    full_names = {name_key(m.name) for a in doc for m in a.mentions if m.name and not m.doubtful_first}
    for a in doc:
        for m in a.mentions:
            if not m.doubtful_first or name_key(m.name) in full_names or people.find(m.normal or m.name):
                continue
            m.name_start += 1
            m.start = max(m.start, m.name_start)
            span = a.tokens[m.name_start : m.name_end]
            from visits.extraction.people import _join, _nominative

            m.name = _join(span)
            if people.kit.lexicon.get("lemmatizer") == "pymorphy3":
                m.normal = _nominative(people.kit, span, a.tokens[: m.name_start])
            else:
                m.normal = m.name
            if " " not in m.name:
                m.via = "surname"


def _counterparts(doc: list[Analysed]) -> None:
    """'his Armenian counterpart': the title of the other official of the sentence."""
    for a in doc:
        for m in a.mentions:
            if m.role and m.role.title == "@counterpart":
                other = next(
                    (x.role for x in a.mentions if x is not m and x.role and x.role.title != "@counterpart"), None
                )
                if other is not None:
                    m.role.title = other.title
                    if not m.role.country and not m.role.organization:
                        m.role.organization = other.organization
                else:
                    m.role = None


def _known_names(kit: Toolkit, doc: list[Analysed], directory: Directory) -> None:
    """Scripts without capitals: the directory's names found in the text become resolved mentions."""
    if not (kit.caseless or kit.lexicon.get("name_inflection", {}).get("name_suffix_letters")):
        return  # Armenian has capitals, but its names take case endings the directory does not write
    from visits.extraction.people import add_known_names, known_names

    matcher = known_names(kit, directory)
    if matcher is None:
        return
    for a in doc:
        add_known_names(kit, matcher, a)


def build_people(kit: Toolkit, doc: list[Analysed], directory: Directory, on: dt.date | None) -> People:
    people = People(kit, directory, on)
    _known_names(kit, doc, directory)
    _settle_doubts(people, doc)
    _counterparts(doc)
    order = [(a, m) for a in doc for m in a.mentions]
    for a, m in order:  # full names first, so that a surname met earlier still finds its person
        if m.name and not m.single:
            people.add_named(m, a)
    for a, m in order:
        if m.name and m.single:
            if m.via == "surname" and m.role is None:
                people.link_surname(m, a)
            else:
                people.add_surname(m, a)
    for _, m in order:
        if m.name is None and m.role:
            people.add_role_only(m)
    return people
