"""Titles written for people, in the active language.

- a trip: the traveller's surname and the countries in visit order,
  "Stoltenberg in Azerbaijan, Georgia and Armenia";
- a meeting: the participants' surnames (hosts first), what happened and where,
  "Aliyev and Stoltenberg: talks in Baku".

Country names come from the CLDR names stored on ``Country.names`` (else babel's CLDR
data, else the English name); lists are joined with CLDR's list patterns. A title an
analyst wrote (the ``title`` field locked) is kept as written.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence

import babel
from babel.lists import format_list
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext

#: The seeded topic taxonomy's names (visits/migrations/0002_seed_topics.py); topics analysts add keep
#: the name they were given.
TOPIC_NAMES = {
    "energy-security": gettext_lazy("Energy security"),
    "membership-process": gettext_lazy("Membership process"),
    "partnership": gettext_lazy("Partnership"),
    "defence-cooperation": gettext_lazy("Defence cooperation"),
    "peace-process": gettext_lazy("Peace process"),
    "trade-investment": gettext_lazy("Trade and investment"),
    "sanctions": gettext_lazy("Sanctions"),
    "ukraine-war": gettext_lazy("War in Ukraine"),
    "migration": gettext_lazy("Migration"),
    "climate": gettext_lazy("Climate"),
    "other": gettext_lazy("Other"),
}


def topic_name(topic) -> str:
    """A topic's name in the current language: a Topic, or a row with ``slug`` and ``name``."""
    if topic is None:
        return ""
    slug, name = (topic.get("slug"), topic.get("name")) if isinstance(topic, dict) else (topic.slug, topic.name)
    return str(TOPIC_NAMES.get(slug, name or slug or ""))


#: Locales whose list pattern is used for a language (CLDR's "en" has the serial comma).
_LIST_LOCALE = {"en": "en_GB"}
#: Lowercase words for a meeting kind inside a title ("talks in Baku").
_KIND_WORDS = {
    "meeting": lambda: pgettext("title", "meeting"),
    "talks": lambda: pgettext("title", "talks"),
    "press-conference": lambda: pgettext("title", "press conference"),
    "summit": lambda: pgettext("title", "summit"),
    "ceremony": lambda: pgettext("title", "ceremony"),
    "visit": lambda: pgettext("title", "visit"),
    "other": lambda: pgettext("title", "meeting"),
}
#: Words that belong to a surname when they stand before its last word ("von der Leyen").
_PARTICLES = {"von", "van", "der", "den", "de", "du", "des", "la", "le", "da", "di", "dos", "das", "del", "bin", "al"}
MAX_NAMED = 3  # people named in a meeting title before "and N others"


def _language(language: str | None = None) -> str:
    return (language or get_language() or "en").split("-")[0].lower()


@functools.cache
def _territories(language: str) -> dict[str, str]:
    try:
        return dict(babel.Locale.parse(language).territories)
    except (ValueError, babel.UnknownLocaleError):
        return {}


def country_name(country, language: str | None = None) -> str:
    """A country's name in ``language`` (default: the active one)."""
    if country is None:
        return ""
    lang = _language(language)
    names = getattr(country, "names", None) or {}
    return names.get(lang) or _territories(lang).get(country.code) or country.name


def country_name_by_code(code: str, name: str, language: str | None = None) -> str:
    """A country's name in ``language`` from its code (CLDR), else ``name`` as stored."""
    return _territories(_language(language)).get(code) or name


def join(items: Sequence[str], language: str | None = None) -> str:
    """'A, B and C' with the language's own pattern."""
    items = [item for item in items if item]
    if not items:
        return ""
    lang = _language(language)
    try:
        return format_list(list(items), locale=_LIST_LOCALE.get(lang, lang))
    except (ValueError, babel.UnknownLocaleError):
        return ", ".join(items)


def surname(person) -> str:
    """What a title calls someone: the family name ("Stoltenberg", "von der Leyen")."""
    if person is None:
        return ""
    return family_name(person.name, getattr(person, "sort_name", ""))


def family_name(name: str | None, sort_name: str | None = "") -> str:
    """The family name in ``name``: ``sort_name`` ("Stoltenberg, Jens") decides when set; otherwise
    the last word with the particles before it. Names whose family name comes first (Xi Jinping)
    need a ``sort_name``."""
    sort_name = (sort_name or "").strip()
    if sort_name:
        return sort_name.split(",")[0].strip()
    words = (name or "").split()
    if len(words) <= 1:
        return name or ""
    kept = [words[-1]]
    for word in reversed(words[1:-1]):
        if word.lower() not in _PARTICLES:
            break
        kept.insert(0, word)
    return " ".join(kept)


def analyst_title(obj) -> str | None:
    if obj.title and obj.is_locked("title"):
        return obj.title
    return None


def trip_title(trip, stops: Iterable | None = None, language: str | None = None) -> str:
    """ "Stoltenberg in Azerbaijan, Georgia and Armenia" (countries in visit order, each once)."""
    if kept := analyst_title(trip):
        return kept
    if stops is None:
        stops = sorted(trip.stops.all(), key=lambda s: (s.order, s.start_date or s.end_date or dt.date.max, s.pk))
    countries = list({stop.country_id: stop.country for stop in stops}.values())
    if not countries and trip.title:
        return trip.title
    return trip_heading(surname(trip.traveller), [country_name(c, language) for c in countries], language)


def trip_heading(who: str, places: Sequence[str], language: str | None = None) -> str:
    """ "Stoltenberg in Azerbaijan, Georgia and Armenia" from a surname and country names in visit order."""
    places = list(dict.fromkeys(place for place in places if place))
    if not places:
        return gettext("%(who)s: a trip") % {"who": who}
    return gettext("%(who)s in %(places)s") % {"who": who, "places": join(places, language)}


def meeting_title(meeting, participations: Iterable | None = None, language: str | None = None) -> str:
    """ "Aliyev and Stoltenberg: talks in Baku" (hosts first, then in the order recorded)."""
    if kept := analyst_title(meeting):
        return kept
    if participations is None:
        participations = meeting.participations.all()
    ordered = sorted(participations, key=lambda p: (not p.is_host, p.pk))
    where = meeting.city or (country_name(meeting.country, language) if meeting.country_id else "")
    return meeting_heading([surname(p.person) for p in ordered], meeting.kind, where, language)


def meeting_heading(names: Sequence[str], kind: str | None, where: str | None, language: str | None = None) -> str:
    """ "Aliyev and Stoltenberg: talks in Baku" from surnames (hosts first), the meeting's kind and place."""
    names = list(dict.fromkeys(name for name in names if name))
    if len(names) > MAX_NAMED:
        rest = len(names) - (MAX_NAMED - 1)
        names = [*names[: MAX_NAMED - 1], gettext("%(n)d others") % {"n": rest}]
    what = _KIND_WORDS.get(kind or "other", _KIND_WORDS["other"])()
    where = (where or "").strip()
    if where:
        what = gettext("%(what)s in %(place)s") % {"what": what, "place": where}
    if not names:
        return what[:1].upper() + what[1:]
    return gettext("%(people)s: %(what)s") % {"people": join(names, language), "what": what}
