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


@cache
def available_languages() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in HERE.glob("*.json")))


@cache
def load(language: str) -> dict:
    path = HERE / f"{language}.json"
    if not path.exists():
        raise ValueError(f"no extraction lexicon for language {language!r} (have: {', '.join(available_languages())})")
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def topic_keywords() -> dict[str, dict[str, list[str]]]:
    """Topic cue phrases as the Topic model stores them: slug -> {language: [phrases]}."""
    result: dict[str, dict[str, list[str]]] = {}
    for language in available_languages():
        for slug, phrases in load(language).get("topics", {}).items():
            result.setdefault(slug, {})[language] = list(phrases)
    return result
