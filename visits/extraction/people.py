"""Mentions of officials in a sentence: role phrases, names, honorifics, organisations.

A mention is a name (as written, honorifics stripped) and/or a role (English title, with
the organisation or country the sentence ties it to: "le secrétaire général de l'Otan",
"the Georgian prime minister", "премьер-министр Грузии").

Scripts without capitals (Arabic, Chinese, Japanese, Hindi, Georgian) give no name by its
shape: there a name is the words a role phrase introduces ("رئيس الوزراء ...", "总理...", Japanese
"...首相" after the name), or a name the directory knows (:class:`KnownNames`, matched longest
first on word boundaries, on characters for Chinese and Japanese).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import regex

from visits.extraction.directory import KnownPerson
from visits.extraction.places import PlaceMention
from visits.extraction.text import UNSPACED, Token, longest_nonoverlapping, morph, uncased
from visits.extraction.toolkit import Toolkit


@dataclass
class Role:
    title: str
    organization: str | None = None
    country: str | None = None
    start: int = 0  # token span of the whole role phrase with its complements
    end: int = 0


@dataclass
class OrgMention:
    start: int
    end: int
    name: str  # canonical


@dataclass
class Mention:
    sentence: int
    start: int  # token span of the whole mention (role and name)
    end: int
    name: str | None = None  # as written, honorifics stripped
    normal: str | None = None  # nominative form for inflecting languages
    role: Role | None = None
    via: str = "bare"  # "role", "honorific", "bare", "surname"
    name_start: int = -1
    name_end: int = -1
    entity: object = None
    flags: list[str] = field(default_factory=list)
    doubtful_first: bool = False  # a sentence-initial first word that is also an ordinary word
    case: str | None = None  # grammatical case of the name, for languages analysed by pymorphy3
    known: KnownPerson | None = None  # the directory's person, when the name is one of its known names

    @property
    def single(self) -> bool:
        return self.name is not None and " " not in self.name.strip()


def find_organizations(kit: Toolkit, tokens: list[Token]) -> list[OrgMention]:
    found = []
    for m in longest_nonoverlapping(kit.organizations.find(tokens)):
        first = tokens[m.start]
        written = " ".join(t.lower for t in tokens[m.start : m.end])
        original = kit.org_case.get(written, "")
        if original[:1].isupper() and not first.is_cap:
            continue
        found.append(OrgMention(m.start, m.end, m.value))
    return found


#: Date words that are never part of a name ("Ieri Baerbock", "Today Stoltenberg", "Вчера Лавров"); a month
#: may be one ("Theresa May"), and a full date has figures, which no name has.
NOT_IN_NAMES = frozenset({"weekday", "days", "period", "season"})


def find_mentions(
    kit: Toolkit,
    tokens: list[Token],
    places: list[PlaceMention],
    orgs: list[OrgMention],
    sentence: int,
    dates: Iterable = (),
) -> list[Mention]:
    demonyms = {p.start: (p.end, p.place.code) for p in places if p.place.kind == "demonym"}
    place_at = {p.start: p for p in places}
    org_at = {o.start: o for o in orgs}
    slots = {
        "adj": demonyms,
        "org": {o.start: (o.end, o.name) for o in orgs},
        "place": {p.start: (p.end, p.place.code) for p in places if p.place.kind != "demonym"},
    }
    blocked = {k for p in places if p.place.kind != "demonym" for k in range(p.start, p.end)}
    blocked |= {k for o in orgs for k in range(o.start, o.end)}
    blocked |= {k for d in dates if d.kind in NOT_IN_NAMES for k in range(d.start, d.end)}
    roles = [m for m in longest_nonoverlapping(kit.roles.find(tokens, slots)) if _role_ok(tokens, m)]
    roles = longest_nonoverlapping(roles + _compound_roles(kit, tokens))
    mentions: list[Mention] = []
    taken: set[int] = set()
    for m in roles:
        title, organization, country = [*m.value, None, None][:3]
        role = Role(title, organization, country, m.start, m.end)
        if "adj" in m.slots:
            role.country = m.slots["adj"][2]
        if "org" in m.slots:
            role.organization = m.slots["org"][2]
        _complements(kit, tokens, role, demonyms, place_at, org_at)
        taken.update(range(role.start, role.end))
        mention = Mention(sentence, role.start, role.end, role=role, via="role")
        name = _name_at(kit, tokens, _skip_comma(tokens, role.end), blocked | taken)
        if not name and kit.caseless:
            name = _caseless_name(kit, tokens, role, blocked | taken)
        if name:
            mention.name_start, mention.name_end = name
            mention.end = name[1]
        else:
            before = _name_before(kit, tokens, role.start, blocked | taken)
            if before:
                mention.name_start, mention.name_end = before
                mention.start = before[0]
        if mention.name_start >= 0:
            taken.update(range(mention.name_start, mention.name_end))
            if mention.name_end <= role.start:
                mention.start = min(mention.start, mention.name_start)
        mentions.append(mention)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if i in taken or i in blocked:
            i += 1
            continue
        if token.lower.rstrip(".") in kit.honorifics and token.is_cap:
            j = i + 1 + int(i + 1 < len(tokens) and tokens[i + 1].text == ".")
            name = _name_at(kit, tokens, j, blocked | taken, allow_single=True)
            if name:
                mention = Mention(sentence, i, name[1], via="honorific", name_start=name[0], name_end=name[1])
                mentions.append(mention)
                taken.update(range(i, name[1]))
                i = name[1]
                continue
        name = _name_at(kit, tokens, i, blocked | taken, allow_single=True)
        if name:
            words = [t for t in tokens[name[0] : name[1]] if t.is_word]
            via = "bare" if len(words) > 1 else "surname"
            mention = Mention(sentence, name[0], name[1], via=via, name_start=name[0], name_end=name[1])
            opening = name[0] == 0 or (not tokens[name[0] - 1].is_word and tokens[name[0] - 1].text in "«\"“„'(")
            if via == "bare" and kit.is_common_word(words[0]) and kit.is_common_word(words[-1]):
                mention = None  # "Erster Besuch", "Treffen der Ostflanke": ordinary capitalised words
            elif via == "bare" and opening and kit.is_common_word(tokens[name[0]]):
                mention.doubtful_first = True
            if via == "surname" and opening and kit.is_common_word(tokens[name[0]]):
                mention = None
            if mention is not None:
                mentions.append(mention)
                taken.update(range(*name))
            i = name[1]
            continue
        i += 1
    for mention in mentions:
        if mention.name_start >= 0:
            span = tokens[mention.name_start : mention.name_end]
            mention.name = _join(span)
            if kit.lexicon.get("lemmatizer") == "pymorphy3":
                before = tokens[: mention.name_start]
                mention.case = _name_case(kit.lexicon.get("name_inflection", {}), before, span)
                mention.normal = _nominative(kit, span, before)
            else:
                mention.normal = mention.name
    mentions.sort(key=lambda m: m.start)
    return mentions


CLITIC_PREFIXES = {"ar": "وفبلك"}  # one-letter proclitics written onto a name: وأردوغان, بأردوغان, لأردوغان
_NAME_SEPARATORS = (
    "\u00b7\u30fb\u2022\u2027=\uff1d"  # between the parts of a transliterated name: 尼科尔·帕希尼扬, ニコル・パシニャン
)
_MAX_NAME_WORDS = 3


def _name_word(kit: Toolkit, token: Token, blocked: set[int]) -> bool:
    """A word of a caseless script that may be part of a name: not a cue, role, date or function word."""
    if token.i in blocked or not token.is_word or not uncased(token.text) or token.text.isdigit():
        return False
    if token.lower in kit.function_words or token.lower in kit.role_words or token.lemma in kit.role_words:
        return False
    if token.lower in kit.non_person_words or token.lemma in kit.non_person_words:
        return False
    if kit.is_common_word(token) or token.lower in kit.dates.weekdays or kit.dates.month_of(token):
        return False
    return token.lower.rstrip(".") not in kit.honorifics


def _caseless_name(kit: Toolkit, tokens: list[Token], role: Role, blocked: set[int]) -> tuple[int, int] | None:
    """The name a role phrase introduces in a script without capitals: the words right after it (up to
    three, or the pieces of one segmented word), or, in Japanese, the katakana name right before it."""
    if kit.lexicon.get("segmenter") == "janome":
        end = role.start
        start = end
        while start > 0 and _katakana(tokens[start - 1].text) and (start - 1) not in blocked:
            start -= 1
        return (start, end) if start < end else None
    i = _skip_comma(tokens, role.end)
    j = i
    limit = 4 if kit.segmenter else _MAX_NAME_WORDS
    while j < len(tokens) and j - i < limit and _name_word(kit, tokens[j], blocked):
        if kit.segmenter and j > i and tokens[j].start != tokens[j - 1].end:
            break
        j += 1
        if j < len(tokens) and tokens[j].text in _NAME_SEPARATORS and j + 1 < len(tokens):
            j += 1
    while j > i and not tokens[j - 1].is_word:
        j -= 1
    return (i, j) if j > i else None


def _katakana(text: str) -> bool:
    return bool(text) and all("\u30a0" <= c <= "\u30ff" for c in text)


class KnownNames:
    """The directory's names in one language as a matcher: full names and, where one person alone bears
    it, the last part of a name ('帕希尼扬', 'ფაშინიანი'). Longest match first, on word boundaries (one
    proclitic letter allowed before an Arabic name, a case ending after a Georgian or Armenian one);
    for Chinese and Japanese on characters, the name then covering the tokens it overlaps."""

    def __init__(self, names: Mapping[str, KnownPerson], language: str, inflection: dict | None = None):
        self.language = language
        self.unspaced = language in {"zh", "ja"}
        inflection = inflection or {}
        self.suffix = int(inflection.get("name_suffix_letters", 0))
        self.endings = tuple(inflection.get("nominative_endings", ()))
        forms: dict[str, set] = {}
        for name, person in names.items():
            for form in self._forms(name):
                forms.setdefault(form, set()).add(_person_key(person))
        people = {_person_key(p): p for p in names.values()}
        full = {self._clean(n) for n in names}
        self.table: dict[str, KnownPerson] = {}
        for form, keys in forms.items():
            if len(keys) == 1 and (form in full or len(form) >= (2 if self.unspaced else 3)):
                self.table[form] = people[next(iter(keys))]
        self._regex = None
        if self.table:
            alternatives = "|".join(re.escape(self._stem(f)) for f in sorted(self.table, key=len, reverse=True))
            if self.unspaced:
                pattern = f"(?P<name>{alternatives})"
            else:
                clitic = CLITIC_PREFIXES.get(language, "")
                letter = r"[\p{L}\p{M}\p{N}]"
                before = f"(?<!{letter})[{clitic}]?" if clitic else f"(?<!{letter})"
                after = f"{letter}{{0,{self.suffix}}}" if self.suffix else ""
                pattern = f"{before}(?P<name>{alternatives}){after}(?!{letter})"
            self._regex = regex.compile(pattern)

    def _clean(self, name: str) -> str:
        name = " ".join(name.split())
        if self.unspaced:
            for sep in _NAME_SEPARATORS:
                name = name.replace(sep, "・")
        return name

    def _forms(self, name: str) -> list[str]:
        name = self._clean(name)
        if not name or (self.unspaced and not UNSPACED.search(name)):
            return []
        forms = [name]
        if self.unspaced:
            parts = name.split("・")
            if len(parts) > 1:
                forms += [parts[-1], "".join(parts)]
        else:
            parts = name.split()
            if len(parts) > 1:
                forms.append(parts[-1])
        return forms

    def _stem(self, form: str) -> str:
        """The form with its nominative ending dropped where case endings replace it (ფაშინიანი -> ფაშინიან)."""
        if self.suffix:
            for ending in self.endings:
                if form.endswith(ending) and len(form) > len(ending) + 3:
                    return form[: -len(ending)]
        return form

    def _person(self, written: str) -> KnownPerson | None:
        hit = self.table.get(written)
        if hit is None:
            for form in self.table:
                if self._stem(form) == written:
                    return self.table[form]
        return hit

    def find(self, text: str, offset: int, tokens: list[Token]) -> list[tuple[int, int, str, KnownPerson, bool]]:
        """(token start, token end, name as the directory writes it, person, whether a case ending the
        directory does not write follows it) of every known name."""
        if self._regex is None:
            return []
        found = []
        variants = [(text, 0)]
        if self.unspaced:
            variants = [(re.sub(f"[{_NAME_SEPARATORS}]", "・", text), 0)]
        for haystack, _ in variants:
            for m in self._regex.finditer(haystack):
                person = self._person(m.group("name"))
                if person is None:
                    continue
                start, end = m.start() + offset, m.end() + offset
                covered = [t.i for t in tokens if t.start < end and t.end > start]
                if covered:
                    written = next(f for f in self.table if self._stem(f) == m.group("name") or f == m.group("name"))
                    inflected = haystack[m.start("name") : m.end()] not in self.table
                    found.append((covered[0], covered[-1] + 1, written, person, inflected))
        return found


def _person_key(person: KnownPerson):
    return person.id if person.id is not None else person.name


_KNOWN_MATCHERS: dict[tuple[str, int], tuple[Mapping, KnownNames]] = {}


def known_names(kit: Toolkit, directory) -> KnownNames | None:
    """The matcher over the directory's names in the kit's language (rebuilt when the directory hands
    back another mapping); None when the directory has no ``known_names``."""
    method = getattr(directory, "known_names", None)
    if method is None:
        return None
    try:
        names = method(kit.language)
    except Exception:  # a directory failing must not lose the report
        return None
    if not names:
        return None
    key = (kit.language, id(names))
    cached = _KNOWN_MATCHERS.get(key)
    if cached is None or cached[0] is not names:
        if len(_KNOWN_MATCHERS) > 32:
            _KNOWN_MATCHERS.clear()
        cached = _KNOWN_MATCHERS[key] = (names, KnownNames(names, kit.language, kit.lexicon.get("name_inflection")))
    return cached[1]


def add_known_names(kit: Toolkit, matcher: KnownNames, analysed) -> None:
    """Mark the directory's names in one analysed sentence: on a mention already there (a role without
    its name gets it), else as a new mention resolved to its person. Places inside a name are dropped."""
    tokens = analysed.tokens
    sentence = analysed.sentence
    hits = matcher.find(sentence.text, sentence.start, tokens)
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
    used: set[int] = set()
    for start, end, written, person, inflected in hits:
        if any(k in used for k in range(start, end)):
            continue
        if inflected and _word_of_its_own(kit, analysed, start, end):
            continue
        used.update(range(start, end))
        mention = _mention_for(analysed.mentions, start, end)
        if mention is None:
            mention = Mention(sentence.index, start, end, via="known")
            analysed.mentions.append(mention)
        # the directory's name replaces a guessed one ("ირაკლი კობახიძემ ნიკოლ" after a role: two people)
        mention.name_start, mention.name_end = start, end
        if mention.role is not None:
            mention.start, mention.end = min(mention.role.start, start), max(mention.role.end, end)
        else:
            mention.start, mention.end = start, end
        mention.name = mention.normal = written
        mention.known = person
        mention.doubtful_first = False
    if used:
        analysed.places = [p for p in analysed.places if not any(k in used for k in range(p.start, p.end))]
        analysed.mentions.sort(key=lambda m: m.start)


def _word_of_its_own(kit: Toolkit, analysed, start: int, end: int) -> bool:
    """Whether a name matched with a case ending is in fact a place or an ordinary word: the surname
    'Росси' with an ending is 'России' (Russia), not Mr Rossi."""
    if any(p.start < end and start < p.end for p in analysed.places):
        return True
    return end - start == 1 and kit.is_common_word(analysed.tokens[start])


def _mention_for(mentions: list[Mention], start: int, end: int) -> Mention | None:
    """The mention a known name belongs to: one whose name overlaps it, or a role right before or after."""
    for m in mentions:
        if m.known is None and m.name_start >= 0 and m.name_start < end and start < m.name_end:
            return m
    for m in mentions:
        if m.role is None or m.known is not None:
            continue
        if m.name_start < 0 and (m.role.end <= start <= m.role.end + 1 or end == m.role.start):
            return m
    return None


_ROMAN = re.compile(r"^(?:I{1,3}|IV|V|VI{1,3}|IX|X{1,3})$")


def _compound_roles(kit: Toolkit, tokens: list[Token]) -> list:
    """Compounds that end in a role: hyphenated ('US-Präsident', 'Nato-Chef', 'экс-президент') and
    closed ('Bundesaußenministerin', 'Vizeaußenminister'), so the role is not read as a first name."""
    from visits.extraction.text import Match

    found = []
    for token in tokens:
        if not token.is_word:
            continue
        if "-" not in token.text:
            value = _closed_compound_role(kit, token)
            if value is not None:
                found.append(Match(token.i, token.i + 1, value))
            continue
        head, _, last = token.text.rpartition("-")
        value = kit.single_roles.get(last.casefold()) or kit.single_roles.get(kit.lemmatizer(last)[0])
        if value is None:
            continue
        title, organization, country = [*value, None, None][:3]
        prefix = head.casefold()
        org = kit.org_by_name.get(prefix)
        if org:
            organization = org
        else:
            place = kit.gazetteer.index.get((prefix,)) or kit.gazetteer.demonyms.get((prefix,))
            if place is not None and place.code:
                country = place.code
            elif prefix not in kit.role_prefixes:
                continue
        found.append(Match(token.i, token.i + 1, (title, organization, country)))
    return found


CLOSED_ROLE_MIN = 7  # a role word at the end of a compound: "minister", "präsident", not "chef" or "king"
CLOSED_PREFIX_MIN = 3


def _closed_compound_role(kit: Toolkit, token: Token) -> tuple | None:
    """The longest role word a capitalised compound ends with ("Bundes|außenministerin")."""
    word = token.text.casefold()
    if not token.text[:1].isupper() or word in kit.single_roles:
        return None
    for cut in range(CLOSED_PREFIX_MIN, len(word) - CLOSED_ROLE_MIN + 1):
        value = kit.single_roles.get(word[cut:])
        if value is not None:
            return tuple([*value, None, None][:3])
    return None


def _role_ok(tokens: list[Token], m) -> bool:
    """Single-word roles written in lower case in the lexicon must not be part of a longer noun."""
    return tokens[m.start].is_word


def _complements(kit, tokens, role: Role, demonyms, place_at, org_at) -> None:
    """Extend a role with its demonym, organisation or country: before, after, or via 'of'."""
    # demonym or organisation just before ("Georgian Prime Minister", "NATO Secretary General")
    k = role.start - 1
    if k >= 0 and tokens[k].lower == "'s" and k - 1 >= 0:
        place = _place_ending_at(place_at, k)
        if place and role.country is None:
            role.country, role.start = place.place.code, place.start
            return
    for start, (end, code) in demonyms.items():
        if end == role.start and role.country is None:
            role.country, role.start = code, start
    before = _place_ending_at(place_at, role.start)
    if before is not None and before.place.kind == "country" and role.country is None:
        role.country, role.start = before.place.code, before.start
    for start, org in org_at.items():
        if org.end == role.start and role.organization is None:
            role.organization, role.start = org.name, start
    # after: demonym ("Premier ministre géorgien"), or link words then an organisation/country
    k = role.end
    if k < len(tokens) and k not in demonyms and role.country is None and not tokens[k].is_cap:
        guess = kit.gazetteer.guess_demonym(tokens[k])
        if guess:
            demonyms[k] = (k + 1, guess)
    if role.start > 0 and role.start - 1 not in demonyms and role.country is None:
        previous = tokens[role.start - 1]
        guess = kit.gazetteer.guess_demonym(previous) if previous.is_word and previous.i not in place_at else None
        if guess and (previous.is_cap or kit.lexicon.get("language") != "en"):
            role.country, role.start = guess, role.start - 1
    if k in demonyms and role.country is None:
        role.country, role.end = demonyms[k][1], demonyms[k][0]
        k = role.end
    j = k
    while j < len(tokens) and j - k < 4 and (tokens[j].lower in kit.role_links or tokens[j].lower in kit.articles):
        j += 1
    if j in org_at and role.organization is None and (j > k or not kit.role_links):
        role.organization, role.end = org_at[j].name, org_at[j].end
    elif (
        j in place_at and place_at[j].place.kind != "demonym" and role.country is None and (j > k or not kit.role_links)
    ):
        role.country, role.end = place_at[j].place.code, place_at[j].end
    if role.end < len(tokens) and role.end in demonyms and role.country is None:
        role.country, role.end = demonyms[role.end][1], demonyms[role.end][0]


def _place_ending_at(place_at, end):
    for place in place_at.values():
        if place.end == end and place.place.kind != "demonym":
            return place
    return None


def _skip_comma(tokens: list[Token], i: int) -> int:
    return i + 1 if i < len(tokens) and tokens[i].text in {",", "\u2014", "\u2013", ":"} else i


def _is_name_token(kit: Toolkit, token: Token, blocked: set[int]) -> bool:
    if token.i in blocked or not token.is_word or not token.is_cap or token.text.isdigit():
        return False
    if token.is_upper and not _ROMAN.match(token.text):
        return False  # "ЮАР", "NATO", "USA": abbreviations, not names
    if token.lower in kit.non_person_words or token.lemma in kit.non_person_words:
        return False
    if token.lower in kit.function_words or token.lower in kit.role_words or token.lemma in kit.role_words:
        return False
    return not (
        kit.dates.month_of(token) or token.lower in kit.dates.weekdays or token.lower.rstrip(".") in kit.honorifics
    )


def _name_at(kit, tokens, i, blocked, allow_single=True) -> tuple[int, int] | None:
    """A person's name starting at token i: capitalised words, initials and particles."""
    j = i
    words = 0
    while j < len(tokens) and words < 5:
        token = tokens[j]
        if _is_name_token(kit, token, blocked):
            words += 1
            j += 1
            if len(token.text) == 1 and j < len(tokens) and tokens[j].text == ".":
                j += 1  # an initial
            continue
        if (
            token.lower in kit.particles
            and words
            and j + 1 < len(tokens)
            and _particles_then_name(kit, tokens, j, blocked)
            and (token.lower not in kit.articles or tokens[j - 1].lower in kit.particles)  # "von der Leyen"
        ):
            j += 1
            continue
        break
    while j > i and not tokens[j - 1].is_word:
        j -= 1
    if words == 0 or (words == 1 and not allow_single):
        return None
    return (i, j)


def _particles_then_name(kit, tokens, j, blocked) -> bool:
    """Particles ('von der', 'de la', 'bin') followed by a capitalised name word."""
    k = j
    while k < len(tokens) and k - j < 3 and tokens[k].lower in kit.particles:
        k += 1
    return k < len(tokens) and k > j and _is_name_token(kit, tokens[k], blocked)


def _name_before(kit, tokens, role_start, blocked) -> tuple[int, int] | None:
    """'Jens Stoltenberg, the NATO Secretary General': a name, a comma, maybe an article, the role."""
    k = role_start - 1
    while k >= 0 and tokens[k].lower in kit.articles:
        k -= 1
    if k < 1 or tokens[k].text != ",":
        return None
    end = k
    start = end
    while start - 1 >= 0 and (
        _is_name_token(kit, tokens[start - 1], blocked) or tokens[start - 1].lower in kit.particles
    ):
        start -= 1
    while start < end and tokens[start].lower in kit.particles:
        start += 1
    if end - start >= 2 or (end - start == 1 and start > 0):
        return (start, end)
    return None


def _join(tokens: list[Token]) -> str:
    out = ""
    for k, token in enumerate(tokens):
        if k and token.start > tokens[k - 1].end:
            out += " "
        out += token.text
    return out


_NAME_TAGS = {"Name", "Surn", "Patr"}


def _name_case(inflection: dict, tokens_before: list[Token], span: list[Token]) -> str | None:
    """The grammatical case of a name (pymorphy3 languages): from a known first name, the preposition
    or the (animate) role noun before it, or the surname's own ending."""
    analyzer = morph()
    for token in span:
        parses = [p for p in analyzer.parse(token.text) if _NAME_TAGS & p.tag.grammemes and p.is_known]
        cases = [p.tag.case for p in parses]
        if cases and (len(set(cases)) == 1 or "nomn" not in cases):
            return cases[0]
    window = [t for t in tokens_before[-4:] if t.is_word]
    prepositions = inflection.get("preposition_cases", {})
    if window and window[-1].lower in prepositions and tokens_before and tokens_before[-1] is window[-1]:
        return prepositions[window[-1].lower]
    endings = inflection.get("suffixes", {})
    words = [t.lower for t in span if t.is_word and len(t.text) > 2]
    for case, rules in endings.items():  # every word with a long oblique ending of one case: "Жозепом Боррелем"
        long_endings = [rule[0] for rule in rules if len(rule[0]) >= 2]
        if words and len(words) > 1 and all(any(w.endswith(e) for e in long_endings) for w in words):
            return case
    for token in reversed(window):
        parses = [p for p in analyzer.parse(token.text) if {"NOUN", "anim"} <= p.tag.grammemes]
        if parses:
            cases = [p.tag.case for p in parses]
            return "nomn" if "nomn" in cases else cases[0]
    words = [t for t in span if t.is_word]
    if words:
        parses = [
            p
            for p in analyzer.parse(words[-1].text)
            if p.is_known and "NOUN" in p.tag.grammemes and ("anim" in p.tag.grammemes or "Surn" in p.tag.grammemes)
        ]  # pymorphy3's guesses for a word it does not know ("Цзиньпин") are no evidence of a case
        cases = [p.tag.case for p in parses]
        if cases and "nomn" not in cases:
            return cases[0]
    return "nomn"


def _nominative(kit: Toolkit, tokens: list[Token], before: list[Token] | None = None) -> str:
    """A name in the nominative: known names inflected by pymorphy3, foreign ones by the endings the
    lexicon's ``name_inflection`` lists per case (oblique ending -> nominative ending)."""
    inflection = kit.lexicon.get("name_inflection", {})
    analyzer = morph()
    case = _name_case(inflection, before or [], tokens)
    suffixes = inflection.get("suffixes", {}).get(case, [])
    indeclinable = inflection.get("indeclinable_endings", "")
    parts = []
    for token in tokens:
        word = token.text
        if not token.is_word or len(word) < 3 or case in (None, "nomn") or not word[0].isalpha():
            parts.append(word)
            continue
        known = [p for p in analyzer.parse(word) if _NAME_TAGS & p.tag.grammemes and p.is_known and p.tag.case == case]
        inflected = known[0].inflect({"nomn"}) if known else None
        if inflected:
            parts.append(_capital(inflected.word))
            continue
        lower = word.lower()
        if lower[-1] in indeclinable and not any(lower.endswith(rule[0]) for rule in suffixes if len(rule[0]) > 1):
            parts.append(word)  # indeclinable: Кобахидзе, Гарибашвили
            continue
        for old, new, *after in suffixes:  # [ending, nominative ending, letters the stem must end with]
            stem = lower[: len(lower) - len(old)]
            if lower.endswith(old) and len(stem) >= 2 and (not after or not after[0] or stem[-1] in after[0]):
                parts.append(_capital(stem + new))
                break
        else:
            parts.append(word)
    return " ".join(parts)


def _capital(word: str) -> str:
    return "-".join(w[:1].upper() + w[1:] for w in word.split("-"))
