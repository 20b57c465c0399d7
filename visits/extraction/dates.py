"""Dates in a report, resolved against its publication date with their precision.

Explicit dates ("19 mars 2024", "am 19. März", "18-20 March", "március 25-én") are found with
month names from CLDR (babel), the day looked for on the side of the month the language's CLDR date
pattern puts it (day-month or month-day; a year-first language may write the year before the
month), and built from their parts: a date without a year takes the year nearest the publication
date, forward for a future statement. Weekday names (CLDR), relative days and periods ("demain",
"next week"), and seasons come from the lexicons. A weekday is the most recent one for a past or
present statement and the next one for a future statement.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from visits.extraction import lexicons
from visits.extraction.places import EXTRA_LOCALES
from visits.extraction.text import Lemmatizer, PhraseMatcher, Token, norm

SEASON_MONTHS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "winter": (12, 2)}
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_DAY = re.compile(r"^([012]?\d|3[01])$")


@dataclass
class DateMention:
    start: int  # token index
    end: int
    kind: str  # "date", "month", "year", "weekday", "days", "period", "season"
    year: int | None = None
    month: int | None = None
    day: int | None = None
    day_end: int | None = None
    month_end: int | None = None
    offset: int = 0  # relative days / periods
    unit: str = ""  # "week", "month", "year" for periods
    weekday: int | None = None
    season: str = ""


@dataclass(frozen=True)
class DateValue:
    start: dt.date
    end: dt.date
    precision: str  # "day", "month", "year"

    def iso_start(self) -> str:
        return partial_iso(self.start, self.precision)

    def iso_end(self) -> str:
        return partial_iso(self.end, self.precision)


DATELINE_CHARS = 700  # a report's own date stands in its opening lines: dateline, byline, header
_FIGURES_YEAR = r"(?P<y>(?:19|20)\d\d)"
_NUMERIC_DATES = (  # (pattern, whether a first number over 12 means month-first)
    (re.compile(rf"(?<!\d){_FIGURES_YEAR}-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})(?!\d)"), False),
    (re.compile(rf"(?<![\d./-])(?P<d>\d{{1,2}})(?P<sep>[./-])(?P<m>\d{{1,2}})(?P=sep){_FIGURES_YEAR}(?!\d)"), True),
    (re.compile(rf"{_FIGURES_YEAR}\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*日"), False),
)


def numeric_dates(text: str) -> list[tuple[int, dt.date]]:
    """Dates written in figures (2024-07-25, 20.04.2023, 18/10/2023, 25-04-2022, 2023年4月13日) with their offsets.

    Day-first unless the first number cannot be a month's day order (10/18/2023 is month-first)."""
    found = []
    for pattern, swappable in _NUMERIC_DATES:
        for m in pattern.finditer(text):
            day, month = int(m.group("d")), int(m.group("m"))
            if swappable and month > 12 >= day:
                day, month = month, day
            try:
                found.append((m.start(), dt.date(int(m.group("y")), month, day)))
            except ValueError:
                continue  # 31.02.2024 is no date
    return sorted(found)


def partial_iso(date: dt.date | None, precision: str | None) -> str | None:
    if date is None:
        return None
    if precision == "year":
        return f"{date.year:04d}"
    if precision == "month":
        return f"{date.year:04d}-{date.month:02d}"
    return date.isoformat()


class DateFinder:
    def __init__(self, language: str, lemmatizer: Lemmatizer):
        from babel import Locale

        self.language = language
        self.lexicon = lexicons.load(language)
        self.lemmatizer = lemmatizer
        locale = Locale.parse(language)
        self.months: dict[str, int] = {}
        self.weekdays: dict[str, int] = {}
        # abbreviated months ("sie", "Ara", "lis") are often ordinary words or their lemmas ("się",
        # "araya"), and so are some full names (Romanian "mai": more): they count only as written and
        # beside a number ("29 sie", "Ara 2023", "pe 5 mai")
        self.short_months: dict[str, int] = {}
        ordinary = _cue_words(self.lexicon)
        contexts = ("format", "stand-alone")
        scripts = [locale, *(Locale.parse(extra) for extra in EXTRA_LOCALES.get(language, ()))]  # sr: Latin too
        for number in range(1, 13):
            names = {script.months[c]["wide"][number] for script in scripts for c in contexts}
            forms = {norm(name).rstrip(".") for name in names}
            for form in sorted(forms):
                table = self.months if len(form) >= 3 and form not in ordinary else self.short_months
                table.setdefault(form, number)
            for lemma in sorted(self._name_lemmas(names, forms)):
                if len(lemma) >= 3 and lemma not in ordinary:
                    self.months.setdefault(lemma, number)
            for script in scripts:
                for context in contexts:
                    form = norm(script.months[context]["abbreviated"][number]).rstrip(".")
                    if len(form) >= 3:
                        self.short_months.setdefault(form, number)
        for number in range(7):
            names = {script.days[c]["wide"][number] for script in scripts for c in contexts}
            forms = {norm(name) for name in names}
            for form in sorted(forms | self._name_lemmas(names, forms)):
                self.weekdays.setdefault(form, number)
        # where CLDR writes month names with a capital (May, März), a lower-case word is none ("may")
        self.capital_months = all(locale.months["format"]["wide"][n][:1].isupper() for n in range(1, 13))
        order = date_order(locale)
        self.day_first = order.index("d") < order.index("M")
        self.year_first = order.index("y") < order.index("M")
        phrases = [(p, ("days", v)) for p, v in self.lexicon.get("relative_days", {}).items()]
        phrases += [(p, ("period", tuple(v))) for p, v in self.lexicon.get("relative_periods", {}).items()]
        phrases += [(p, ("season", v)) for p, v in self.lexicon.get("seasons", {}).items()]
        # a one-word cue whose lemma is another word ("été" -> "être") matches as written only
        phrases = [(p if " " in p or lemmatizer(p)[0] == norm(p) else "=" + p, v) for p, v in phrases]
        self.matcher = PhraseMatcher(phrases, self.lexicon, lemmatizer)
        self.next_words = {norm(w) for w in self.lexicon.get("next_words", [])}
        suffixes = "|".join(re.escape(norm(x)) for x in self.lexicon.get("ordinal_suffixes", []) if x != ".")
        self.day_pattern = re.compile(r"^([012]?\d|3[01])(?:" + suffixes + ")?$" if suffixes else _DAY.pattern)
        self.range_words = {norm(w) for w in self.lexicon.get("range_words", ["-"])}
        self.weekday_suffixes = {norm(w) for w in self.lexicon.get("weekday_suffixes", [])}
        self.last_words = {norm(w) for w in self.lexicon.get("last_words", [])}

    def _name_lemmas(self, names: set[str], forms: set[str]) -> set[str]:
        """The lemmas of a month's or day's names that are no other word of the language: "luni" (Monday)
        lemmatized is "lună" (month), "воскресенье" is "воскресение" (resurrection), Estonian "mai" is
        "ei" (no); a lemma that is a CLDR form of the same name, or a stem no dictionary knows ("сред"
        from a cue file's suffix rules), is kept."""
        from visits.extraction.text import known_word

        lemmas = set()
        for name in names:
            lemma = self.lemmatizer(name)[0]
            if lemma not in forms and not known_word(lemma, self.language):
                lemmas.add(lemma)
        return lemmas

    @property
    def month_forms(self) -> set[str]:
        """Every written form of a month, abbreviations included (an abbreviation's full stop ends no sentence)."""
        return set(self.months) | set(self.short_months)

    def _day(self, token: Token) -> int | None:
        """A day of the month as written, with the ordinal suffixes the lexicon lists: 19, 1er, 3rd."""
        m = self.day_pattern.match(token.lower)
        return int(m.group(1)) if m else None

    def month_of(self, token: Token, neighbours: list[Token] | None = None) -> int | None:
        if not token.is_word or token.text.isdigit():
            return None
        if self.capital_months and not token.is_cap:
            return None
        month = self.months.get(token.lower.rstrip(".")) or self.months.get(token.lemma)
        if month is None and neighbours and any(self._day(t) or _YEAR.match(t.text) for t in neighbours):
            month = self.short_months.get(token.lower.rstrip("."))
        return month

    def find(self, tokens: list[Token]) -> list[DateMention]:
        found: list[DateMention] = []
        used: set[int] = set()
        for i, token in enumerate(tokens):
            if i in used:
                continue
            month = self.month_of(token, [t for t in tokens[max(0, i - 2) : i + 2] if t is not token])
            if month:
                mention = self._around_month(tokens, i, month)
                found.append(mention)
                used.update(range(mention.start, mention.end))
        for i, token in enumerate(tokens):
            if i in used:
                continue
            weekday = self.weekdays.get(token.lower, self.weekdays.get(token.lemma))
            if weekday is None and self.weekday_suffixes and token.is_word:  # "Donnerstagmorgen"
                weekday = next(
                    (
                        n
                        for name, n in self.weekdays.items()
                        if token.lower.startswith(name) and token.lower[len(name) :] in self.weekday_suffixes
                    ),
                    None,
                )
            if weekday is not None and token.is_word:
                found.append(DateMention(i, i + 1, "weekday", weekday=weekday))
                used.add(i)
        for m in self.matcher.find(tokens):
            if any(k in used for k in range(m.start, m.end)):
                continue
            kind, value = m.value
            if kind == "days":
                found.append(DateMention(m.start, m.end, "days", offset=value))
            elif kind == "period":
                found.append(DateMention(m.start, m.end, "period", unit=value[0], offset=value[1]))
            else:
                found.append(self._season(tokens, m.start, m.end, value))
            used.update(range(found[-1].start, found[-1].end))
        for i, token in enumerate(tokens):
            if i not in used and _YEAR.match(token.text):
                found.append(DateMention(i, i + 1, "year", year=int(token.text)))
        found.sort(key=lambda d: d.start)
        return found

    def _around_month(self, tokens: list[Token], i: int, month: int) -> DateMention:
        start, end = i, i + 1
        day = day_end = year = month_end = None
        # the day on the side the language's date pattern puts it first: "19 mars", "March 19"
        sides = (self._day_before, self._day_after) if self.day_first else (self._day_after, self._day_before)
        for side in sides:
            found = side(tokens, i)
            if found is not None:
                day, day_end, edge = found
                start, end = (edge, end) if side == self._day_before else (start, edge)
                break
        # the year after: ", 2024", "de 2024", "2024 года"; or before in a year-first language: "2024. március"
        k = end
        while k < len(tokens) and tokens[k].lower in {",", "de", "del"}:
            k += 1
        if k < len(tokens) and _YEAR.match(tokens[k].text):
            year, end = int(tokens[k].text), k + 1
        elif self.year_first:
            j = start - 1
            if j >= 0 and tokens[j].text in {".", ","}:
                j -= 1
            if j >= 0 and _YEAR.match(tokens[j].text):
                year, start = int(tokens[j].text), j
        kind = "date" if day is not None else "month"
        return DateMention(start, end, kind, year=year, month=month, day=day, day_end=day_end, month_end=month_end)

    def _day_before(self, tokens: list[Token], i: int) -> tuple[int, int | None, int] | None:
        """(day, last day, first token) before a month: "19", "19.", "19 de", "du 18 au 20", "18-20"."""
        j = i - 1
        if j >= 0 and tokens[j].lower in {"de", "of"}:
            j -= 1
        if j >= 0 and tokens[j].text == ".":
            j -= 1
        if j < 0 or self._day(tokens[j]) is None:
            return None
        day, day_end, start = self._day(tokens[j]), None, j
        k = j - 1
        if k >= 0 and tokens[k].text == ".":
            k -= 1
        if k >= 1 and tokens[k].lower in self.range_words and self._day(tokens[k - 1]) is not None:
            day, day_end, start = self._day(tokens[k - 1]), day, k - 1
        return day, day_end, start

    def _day_after(self, tokens: list[Token], i: int) -> tuple[int, int | None, int] | None:
        """(day, last day, token after) after a month: "March 19", "March 19-20", "március 25-én"."""
        k = i + 1
        if k >= len(tokens) or self._day(tokens[k]) is None:
            return None
        day, day_end, end = self._day(tokens[k]), None, k + 1
        if end + 1 < len(tokens) and tokens[end].lower in self.range_words and self._day(tokens[end + 1]) is not None:
            day_end, end = self._day(tokens[end + 1]), end + 2
        return day, day_end, end

    def _season(self, tokens: list[Token], start: int, end: int, season: str) -> DateMention:
        mention = DateMention(start, end, "season", season=season)
        for k in range(end, min(end + 3, len(tokens))):
            if _YEAR.match(tokens[k].text):
                mention.year, mention.end = int(tokens[k].text), k + 1
                break
            if tokens[k].lower in self.next_words:
                mention.offset, mention.end = 1, k + 1
                break
        for k in range(max(0, start - 2), start):
            if tokens[k].lower in self.next_words or tokens[k].lemma in self.next_words:
                mention.offset = 1
            if tokens[k].lower in self.last_words or tokens[k].lemma in self.last_words:
                mention.offset = -1
        return mention

    # --- resolution --------------------------------------------------------------------------
    def resolve(self, mention: DateMention, base: dt.date | None, future: bool = False) -> DateValue | None:
        if mention.kind == "year":
            return DateValue(dt.date(mention.year, 1, 1), dt.date(mention.year, 12, 31), "year")
        if base is None and mention.year is None:
            return None
        if mention.kind == "date":
            return self._resolve_date(mention, base, future)
        if mention.kind == "month":
            year = mention.year or _nearest_year(base, mention.month, 1, future)
            return DateValue(dt.date(year, mention.month, 1), _month_end(year, mention.month), "month")
        if mention.kind == "weekday":
            delta = (mention.weekday - base.weekday()) % 7 if future else -((base.weekday() - mention.weekday) % 7)
            day = base + dt.timedelta(days=delta)
            return DateValue(day, day, "day")
        if mention.kind == "days":
            day = base + dt.timedelta(days=mention.offset)
            return DateValue(day, day, "day")
        if mention.kind == "period":
            return _period(base, mention.unit, mention.offset)
        if mention.kind == "season":
            year = mention.year
            if year is None:
                year = base.year + mention.offset
                first = SEASON_MONTHS[mention.season][0]
                if mention.offset == 0 and future and first < base.month - 2:
                    year += 1
            first, last = SEASON_MONTHS[mention.season]
            last_year = year + 1 if last < first else year
            return DateValue(dt.date(year, first, 1), _month_end(last_year, last), "month")
        return None

    def _resolve_date(self, mention: DateMention, base: dt.date | None, future: bool) -> DateValue | None:
        # built from its parts: a date without a year takes the one nearest the publication date
        year = mention.year if mention.year is not None else _nearest_year(base, mention.month, mention.day, future)
        try:
            first = dt.date(year, mention.month, mention.day)
            last = dt.date(year, mention.month, mention.day_end) if mention.day_end else first
        except ValueError:
            return None
        return DateValue(first, max(first, last), "day")


def _cue_words(lexicon: dict) -> set[str]:
    """The words of the cue file's own phrases (travel, status, tense...): ordinary words of the language."""
    words: set[str] = set()

    def add(value) -> None:
        if isinstance(value, str):
            if not value.startswith("re:"):
                words.update(norm(w.rstrip("?*")) for w in value.lstrip("=").split() if w[:1] not in "{~")
        elif isinstance(value, list):
            for item in value:
                add(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                add(key)
                if isinstance(item, list | dict):
                    add(item)

    for key in (
        "travel", "meetings", "status", "tense", "remote", "statement_verbs", "destination_preps", "exclude_preps",
        "conjunctions", "negations", "articles", "complementizers", "according_to", "host", "attend", "next_words",
        "last_words", "subject_pronouns", "passive_aux", "possessives", "separately", "return_cues",
    ):  # fmt: skip
        add(lexicon.get(key, []))
    return words


def date_order(locale) -> str:
    """'dMy', 'Mdy', 'yMd': the order of day, month and year in the locale's long date pattern (CLDR)."""
    pattern = re.sub(r"'[^']*'", "", locale.date_formats["long"].pattern)
    order = ""
    for letter in pattern:
        field = {"L": "M"}.get(letter, letter)
        if field in "dMy" and field not in order:
            order += field
    return order if len(order) == 3 else "dMy"


def _nearest_year(base: dt.date, month: int, day: int, future: bool) -> int:
    try:
        candidate = dt.date(base.year, month, min(day, 28))
    except ValueError:
        return base.year
    if future and candidate < base - dt.timedelta(days=31):
        return base.year + 1
    if not future and candidate > base + dt.timedelta(days=31):
        return base.year - 1
    return base.year


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _period(base: dt.date, unit: str, offset: int) -> DateValue:
    if unit == "week":
        monday = base - dt.timedelta(days=base.weekday()) + dt.timedelta(weeks=offset)
        return DateValue(monday, monday + dt.timedelta(days=6), "day")
    if unit == "month":
        index = base.year * 12 + base.month - 1 + offset
        year, month = divmod(index, 12)
        return DateValue(dt.date(year, month + 1, 1), _month_end(year, month + 1), "month")
    year = base.year + offset
    return DateValue(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")


@cache
def date_finder(language: str) -> DateFinder:
    lexicon = lexicons.load(language)
    return DateFinder(
        language, Lemmatizer(language, lexicon.get("lemmatizer", "simplemma"), lexicon.get("lemma_rules"))
    )
