"""Language detection restricted to the languages the tracker reads."""

from __future__ import annotations

from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

# ISO 639-1 codes the detector chooses among (a constant, not a setting: the cue lists follow it).
SUPPORTED_LANGUAGES: tuple[str, ...] = (
    "en",
    "fr",
    "de",
    "es",
    "ru",
    "it",
    "uk",
    "pl",
    "tr",
    "pt",
    "nl",
    "ar",
    "zh",
    "hy",
    "ka",
    "az",
)
SAMPLE_CHARS = 4000
MIN_CHARS = 20


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in SUPPORTED_LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).with_minimum_relative_distance(0.05).build()


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the text's language, or None when too short or unclear."""
    sample = " ".join(text.split())[:SAMPLE_CHARS]
    if len(sample) < MIN_CHARS:
        return None
    language = _detector().detect_language_of(sample)
    return language.iso_code_639_1.name.lower() if language is not None else None
