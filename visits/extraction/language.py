"""The tracker's one language detector (lingua), over the languages reports come in.

Detection chooses among ``REPORT_LANGUAGES``: the languages the engine reads (one lexicon each) and
the others of the region it follows. A text too short or too close between two languages gets
``None`` from ``detect_language``; ``language_candidates`` then lists the likely ones, best first,
for the engine to try each and keep the best reading.
"""

from __future__ import annotations

from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from visits.extraction import lexicons

# The 22 languages of the timeline's sources, and Azerbaijani for the South Caucasus.
REPORT_LANGUAGES: tuple[str, ...] = (
    *("en", "fr", "de", "es", "ru", "it", "pt", "pl", "uk", "tr", "nl", "ro", "hu", "sr", "bg", "el"),
    *("et", "ka", "hy", "ar", "zh", "ja", "hi", "az"),
)
SAMPLE_CHARS = 4000
MIN_CHARS = 20
MIN_DISTANCE = 0.05  # lingua's relative distance under which two languages cannot be told apart
CANDIDATE_SHARE = 0.2  # a language this close to the best one's confidence is worth trying too


def is_language_code(code: str) -> bool:
    return hasattr(IsoCode639_1, code.upper()) and len(code) == 2


@cache
def _detector(languages: tuple[str, ...]) -> LanguageDetector:
    chosen = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in languages]
    return LanguageDetectorBuilder.from_languages(*chosen).with_minimum_relative_distance(MIN_DISTANCE).build()


def _sample(text: str) -> str:
    return " ".join(text.split())[:SAMPLE_CHARS]


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the text's language, or None when too short or unclear."""
    sample = _sample(text)
    if len(sample) < MIN_CHARS:
        return None
    language = _detector(REPORT_LANGUAGES).detect_language_of(sample)
    return language.iso_code_639_1.name.lower() if language is not None else None


def language_candidates(text: str, limit: int = 3) -> list[str]:
    """The likely languages of ``text``, best first; those with a lexicon before those without at equal odds."""
    sample = _sample(text)
    if len(sample) < MIN_CHARS:
        return []
    values = _detector(REPORT_LANGUAGES).compute_language_confidence_values(sample)
    if not values:
        return []
    best = values[0].value
    close = [v for v in values if v.value >= best * CANDIDATE_SHARE][:limit]
    return [v.language.iso_code_639_1.name.lower() for v in close]


def reads(language: str | None) -> bool:
    """Whether the engine has a lexicon (cue file) for ``language``."""
    return bool(language) and language in lexicons.available_languages()
