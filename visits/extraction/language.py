"""Which language a report is in, among those with a lexicon (lingua-language-detector)."""

from __future__ import annotations

from functools import cache

from visits.extraction import lexicons


@cache
def _detector(languages: tuple[str, ...]):
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in languages]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def detect_language(text: str, default: str = "en") -> str:
    supported = lexicons.available_languages()
    if not text.strip():
        return default
    language = _detector(supported).detect_language_of(text[:5000])
    if language is None:
        return default
    code = language.iso_code_639_1.name.lower()
    return code if code in supported else default
