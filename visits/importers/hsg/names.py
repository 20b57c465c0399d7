"""Text rules of the HSG records: whitespace, the cities of a ``locale``, the people of a ``visitor``
string and the visit type a description names. Pure functions, no database, no XML."""

from __future__ import annotations

import re


def clean(text: str | None) -> str:
    """Whitespace collapsed to single spaces."""
    return " ".join((text or "").split())


_DC = re.compile(r"^D\.?\s?C\.?$", re.IGNORECASE)
_BRACKETS = re.compile(r"\s*\([^)]*\)")


def _split_outside_brackets(text: str, separators: re.Pattern[str]) -> list[str]:
    parts, depth, start = [], 0, 0
    for match in re.finditer(r"[()]|" + separators.pattern, text):
        token = match.group(0)
        if token in "()" and len(token) == 1:
            depth += 1 if token == "(" else -1 if depth else 0
        elif depth == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


def split_locale(locale: str) -> list[str]:
    """City names of a ``locale`` in order: split on ',', ';' and ' and ' outside brackets.

    Bracketed qualifiers are dropped ('Halifax (Nova Scotia)' -> 'Halifax') and
    'Washington, D.C.' stays one city.
    """
    cities: list[str] = []
    for part in _split_outside_brackets(clean(locale), re.compile(r",|;|\s+and\s+|\s+&\s+")):
        part = part.strip()
        if _DC.match(part) and cities:
            cities[-1] = f"{cities[-1]}, D.C."
            continue
        name = _BRACKETS.sub("", part).strip(" .") if not part.startswith("(") else part.strip("() ")
        if name and name not in cities:
            cities.append(name)
    return cities


#: Words of an office in a visitor string; they are taken as the title, the rest as the name.
TITLE_WORDS = frozenset(
    """prime minister minster ministere president vice interim acting provisional king queen crown
    prince princess chancellor federal premier emperor empress shah sultan emir amir governor general
    brigadier lieutenant major colonel marshal field admiral secretary first chairman chairwoman taoiseach
    grand duke duchess regent pope chief head state presidency junta member deputy foreign elect
    designate transitional supreme leader""".split()  # noqa: SIM905
)
_CONNECTORS = {"of", "the"}
_TYPOS = [
    (re.compile(r"\bPrime\s+Min(?:ster|istere)\b"), "Prime Minister"),
    (re.compile(r"\bPrime\s+Minister(?=[A-Z])"), "Prime Minister "),
    (re.compile(r"\b(President|Chancellor)-\s+(elect|designate)\b", re.IGNORECASE), r"\1-\2"),
]
_PERSON_SPLIT = re.compile(r"\s+(?:and|&)\s+|,\s+(?=[A-Z][a-z]+\s)")


_LEADING_ONLY = frozenset({"shah", "amir", "emir", "sultan"})  # also names: titles only in first place


def _is_title_token(token: str, position: int = 0) -> bool:
    parts = [p for p in token.lower().strip(",.").split("-") if p]
    if position and parts and parts[0] in _LEADING_ONLY:
        return False
    return bool(parts) and all(p in TITLE_WORDS for p in parts)


def _connects(tokens: list[str], i: int) -> bool:
    """True when tokens[i] is 'of'/'the' inside a title ('Chairman of the Presidency')."""
    j = i
    while j < len(tokens) and tokens[j].lower() in _CONNECTORS:
        j += 1
    return i > 0 and j > i and j < len(tokens) - 1 and _is_title_token(tokens[j], j)


def split_title(text: str) -> tuple[str, str]:
    """'Prime Minister Kyriakos Mitsotakis' -> ('Prime Minister', 'Kyriakos Mitsotakis')."""
    tokens = text.split()
    i = 0
    while i < len(tokens) and (_is_title_token(tokens[i], i) or _connects(tokens, i)):
        i += 1
    return " ".join(tokens[:i]), " ".join(tokens[i:])


def split_visitor(visitor: str) -> list[tuple[str, str]]:
    """(title, name) per person named in a visitor string.

    'President Andrzej Duda and Prime Minister Donald Tusk' gives two people;
    a part with a title but no name lends its title to the next part
    ('Premier and Prince Sihanouk' -> one person titled 'Premier and Prince').
    """
    text = clean(visitor)
    for pattern, repl in _TYPOS:
        text = pattern.sub(repl, text)
    people: list[tuple[str, str]] = []
    pending: list[str] = []
    for part in _PERSON_SPLIT.split(text):
        if re.fullmatch(r"(Jr|Sr|[0-9]+(st|nd|rd|th)|I{1,3}|IV)\.?", part.strip()) and people:
            title, name = people.pop()
            people.append((title, f"{name}, {part.strip()}"))
            continue
        title, name = split_title(part)
        if not name:
            pending.append(title)
            continue
        people.append((" and ".join([*pending, title]) if title or pending else "", name))
        pending = []
    if pending and not people:
        people.append(("", " and ".join(pending)))
    return people


_VISIT_TYPE = re.compile(
    r"\b(official\s+state|state|official\s+working|official\s+select|offi?cial|private\s+working|"
    r"informal\s+working|working|private|informal|unofficial|pastoral|courtesy|good\s*will|social)\s+visit\b",
    re.IGNORECASE,
)
_VISIT_TYPE_SLUG = {
    "official state": "state",
    "official select": "official",
    "offical": "official",
    "official working": "official-working",
    "private working": "working",
    "informal working": "working",
    "good will": "goodwill",
}


def visit_type(description: str) -> tuple[str, str]:
    """(slug, words as written) of the first visit type a description names.

    Slugs: state, official, official-working, working, private, informal,
    unofficial, pastoral, courtesy, goodwill, social; 'event' when it names none
    but starts with 'Attended' (a summit, a funeral); else 'unspecified'.
    """
    match = _VISIT_TYPE.search(description)
    if match:
        words = " ".join(match.group(1).lower().split())
        return _VISIT_TYPE_SLUG.get(words, words.replace(" ", "-")), " ".join(match.group(0).split())
    if description.lower().startswith("attended"):
        return "event", ""
    return "unspecified", ""
