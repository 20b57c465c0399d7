"""The extraction engine: from a report's text to officials, trips, meetings and topics.

``extract_report`` is pure: it reads the text (and asks the directory who is known) and
returns a dict valid against ``docs/extraction.schema.json``; it writes nothing. Every fact
carries its evidence: the sentence that states it, with exact character offsets.
"""

from __future__ import annotations

import datetime

from visits.extraction.directory import (
    Context,
    Directory,
    EmptyDirectory,
    KnownPerson,
    KnownPosition,
    MemoryDirectory,
)

__all__ = [
    "Context",
    "Directory",
    "EmptyDirectory",
    "KnownPerson",
    "KnownPosition",
    "MemoryDirectory",
    "extract_report",
    "supported_languages",
]

LEAD_SENTENCES = 3  # the headline and the first sentences say what a report's news is

TOPICS = (
    "energy-security",
    "membership-process",
    "partnership",
    "defence-cooperation",
    "peace-process",
    "trade-investment",
    "sanctions",
    "ukraine-war",
    "migration",
    "climate",
    "other",
)


def supported_languages() -> tuple[str, ...]:
    from visits.extraction import lexicons

    return lexicons.available_languages()


def extract_report(
    text: str,
    *,
    published: datetime.date | None = None,
    language: str | None = None,
    title: str | None = None,
    publisher: str | None = None,
    url: str | None = None,
    directory: Directory | None = None,
    context: Context | None = None,
) -> dict:
    """Return one report's extraction as a dict valid against extraction.schema.json. Pure: writes nothing.

    Without ``language``, the detected one; when detection cannot tell, each likely language with a cue
    file is tried and the reading that finds most is kept.
    """
    text = text or ""
    directory = directory if directory is not None else EmptyDirectory()
    if language:
        return _extract(text, language.lower(), published, title, publisher, url, directory, context)
    candidates = _candidate_languages(text)
    readings = [_extract(text, c, published, title, publisher, url, directory, context) for c in candidates]
    return max(readings, key=_facts)


def _without_the_call(kit, doc, meetings, published):
    """In a report about a phone or video call, the 'talks' its other sentences tell of are that call:
    a meeting of the call's people on the day of the report (or undated) is no meeting."""
    from visits.extraction import frames

    callers = {m.entity for a in doc if frames.remote(kit, a) for m in a.mentions if m.entity is not None}
    if not callers:
        return meetings

    def is_the_call(meeting) -> bool:
        same_day = meeting.date is None or (
            published is not None and meeting.date.start <= published <= meeting.date.end
        )
        return same_day and len(set(meeting.participants) & callers) >= 2

    return [m for m in meetings if not is_the_call(m)]


def _candidate_languages(text: str) -> list[str]:
    """The detected language; when it cannot be told apart, the likely ones with a cue file."""
    from visits.extraction.language import detect_language, language_candidates, reads

    detected = detect_language(text)
    if detected:
        return [detected]
    readable = [c for c in language_candidates(text) if reads(c)]
    return readable or ["en"]


def _facts(extraction: dict) -> tuple[int, int]:
    """How much a reading found: trips and meetings first, then officials."""
    return (len(extraction["trips"]) + len(extraction["meetings"]), len(extraction["officials"]))


def _extract(text, language, published, title, publisher, url, directory, context) -> dict:
    from visits.extraction import frames, output
    from visits.extraction.analysis import analyse
    from visits.extraction.entities import build_people
    from visits.extraction.meetings import MeetingBuilder, attach_topics, merge_encounters
    from visits.extraction.toolkit import toolkit
    from visits.extraction.trips import TripBuilder, finish_trips, is_background

    kit = toolkit(language)
    if context is not None:
        from visits.extraction.records import extract_record

        return extract_record(text, kit, context, directory, title=title, publisher=publisher, url=url)

    if published is None:
        published = _dateline(text, kit)
    doc = analyse(text, kit)
    people = build_people(kit, doc, directory, published)
    people.fill()
    builder = TripBuilder(kit, published)
    trips = builder.run(doc)
    meetings_builder = MeetingBuilder(kit, builder, published, trips)
    meetings = meetings_builder.run(doc)
    # a report that opens with a phone or video call has that call for news: earlier visits are context
    opens_with_call = any(frames.remote(kit, a) for a in doc[:LEAD_SENTENCES])
    went_home = any(kit.returns.find(a.tokens) for a in doc)
    trips = finish_trips(builder.trips.values(), published, call=opens_with_call, went_home=went_home)
    if trips or opens_with_call:  # the report's own news is a journey or a call: meetings long before are context
        meetings = [m for m in meetings if not is_background(m.date and m.date.end, published)]
    if opens_with_call:
        meetings = _without_the_call(kit, doc, meetings, published)
    attach_topics(kit, doc, meetings, trips, meetings_builder.by_paragraph)
    meetings = merge_encounters(meetings)
    people.check_roles()
    return {
        "report": output.report(title, language, published, publisher, url, reading=kit.reading),
        "officials": output.officials(people, trips, meetings),
        "trips": [output.trip(t) for t in trips],
        "meetings": [output.meeting(m) for m in meetings],
    }


def _dateline(text: str, kit) -> datetime.date | None:
    """Without a publication date: the first full date (with its year) in the report's opening lines,
    in figures ("18/10/2023", "2024-07-25") or in words ("29 luglio 2024", "April 20, 2023")."""
    from visits.extraction.dates import DATELINE_CHARS, numeric_dates
    from visits.extraction.sentences import split_sentences

    candidates = numeric_dates(text[:DATELINE_CHARS])
    for sentence in split_sentences(text[: 3 * DATELINE_CHARS], kit.lexicon, kit.dates.month_forms)[:12]:
        if sentence.start >= DATELINE_CHARS:
            break
        tokens = kit.tokenize(sentence.text, sentence.start)
        for mention in kit.dates.find(tokens):
            if mention.kind == "date" and mention.year and mention.day:
                if _in_background_clause(kit, tokens, mention.start):
                    continue  # "since the invasion began on 24 February 2022": not the report's day
                value = kit.dates.resolve(mention, None)
                if value:
                    candidates.append((tokens[mention.start].start, value.start))
                    break
    return min(candidates)[1] if candidates else None


_CLAUSE_MARKS = frozenset(",;:()-") | {"\u2014", "\u2013"}  # dashes: em, en


def _in_background_clause(kit, tokens, position: int) -> bool:
    """Whether a date stands in a clause opened by 'since', 'before' or 'after' (the lexicon's
    ``not_visit_date``): the words back to the clause's first punctuation mark."""
    for token in reversed(tokens[:position]):
        if not token.is_word and token.text in _CLAUSE_MARKS:
            return False
        if token.lower in kit.not_visit_date:
            return True
    return False
