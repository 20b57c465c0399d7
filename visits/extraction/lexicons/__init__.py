"""Per-language lexicons, one JSON file per language (``fr.json``, ``en.json``, ...).

A language is supported when its file is here: adding Italian means adding ``it.json`` (and
tests), not code. Each file holds cue phrases (see ``visits.extraction.text.PhraseMatcher``
for the phrase syntax), role titles, organisations, and the topic cues
(``topics``: slug -> phrases) that may be loaded into the Topic model's ``keywords``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCHEMA = HERE.parent / "lexicon.schema.json"


class LexiconError(ValueError):
    """A cue file that does not fit the lexicon schema: names the file and the key."""


@cache
def _validator():
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def validate(lexicon: dict, path: Path) -> None:
    """Raise LexiconError for the first way ``lexicon`` breaks the schema (a misspelt or missing key...)."""
    errors = sorted(_validator().iter_errors(lexicon), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    error = errors[0]
    where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise LexiconError(f"{path.name}: {where}: {error.message}{more}")


@cache
def available_languages() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in HERE.glob("*.json")))


@cache
def load(language: str) -> dict:
    """The language's lexicon; for a language without one, the generic lexicon (see ``generic``)."""
    path = HERE / f"{language}.json"
    if not path.exists():
        return generic(language)
    try:
        lexicon = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise LexiconError(f"{path.name}: not valid JSON: {exc}") from None
    validate(lexicon, path)
    if lexicon["language"] != language:
        raise LexiconError(f"{path.name}: language: {lexicon['language']!r} is not the file's language {language!r}")
    return lexicon


def generic(language: str) -> dict:
    """What the engine knows of a language it has no cues for: nothing but what data gives.

    Places come from CLDR in that language, months and weekdays from CLDR, officials from the
    directory; no travel, meeting or status cue is guessed. Organisations written as acronyms
    (NATO, EU, OSCE) are the same in most languages, so the English ones are kept.
    """
    english = load("en")
    return {
        "language": language,
        "generic": True,
        "lemmatizer": "simplemma",
        "organizations": {name: org for name, org in english.get("organizations", {}).items() if name.isupper()},
        "range_words": ["-", "\u2013", "\u2014"],
    }


def is_generic(language: str) -> bool:
    return bool(load(language).get("generic"))


def coverage() -> dict[str, dict[str, int]]:
    """Cues per key per language (entries of lists, or of the lists inside a key's object)."""
    keys = json.loads(SCHEMA.read_text(encoding="utf-8"))["properties"]
    table: dict[str, dict[str, int]] = {}
    for language in available_languages():
        lexicon = load(language)
        row = {}
        for key in keys:
            value = lexicon.get(key)
            if isinstance(value, dict) and value and all(isinstance(v, list) for v in value.values()):
                row[key] = sum(len(v) for v in value.values())
            elif isinstance(value, list | dict):
                row[key] = len(value)
        table[language] = row
    return table


def topic_keywords() -> dict[str, dict[str, list[str]]]:
    """Topic cue phrases as the Topic model stores them: slug -> {language: [phrases]}."""
    result: dict[str, dict[str, list[str]]] = {}
    for language in available_languages():
        for slug, phrases in load(language).get("topics", {}).items():
            result.setdefault(slug, {})[language] = list(phrases)
    return result
