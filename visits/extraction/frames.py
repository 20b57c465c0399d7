"""Within one sentence: who travels, where to, with which status, and which places are metonyms.

Status comes from the lexicon's cue phrases (tense, aspect, modality): each cue governs the
stretch of the sentence up to the next cue, the first one also what precedes it ("L'Arménie
sera le point final"). Without a cue, the tense of the sentence decides (for Russian, the
verbs' morphology).
"""

from __future__ import annotations

from dataclasses import dataclass

from visits.extraction.analysis import Analysed
from visits.extraction.places import PlaceMention
from visits.extraction.text import is_possessive_ending
from visits.extraction.toolkit import Toolkit

TENSE_STATUS = {"future": "planned", "past": "completed", "present": "ongoing"}


@dataclass
class Destination:
    place: PlaceMention
    status: str | None
    explicit: bool  # the status came from a cue phrase, not from tense alone


def is_metonym(kit: Toolkit, a: Analysed, place: PlaceMention) -> bool:
    """A capital standing for its government: subject of a speech verb, or one of 'X and Y' capitals.

    Capitals joined by a conjunction are governments only when the list is not a destination: not
    introduced by a destination preposition ('la Atena și Ankara') nor just after a travel cue
    ('ha visitato Mosca e Vienna')."""
    if place.place.kind != "city" or not place.place.capital:
        return False
    tokens = a.tokens
    capitals = {p.start: p for p in a.places if p.place.kind == "city" and p.place.capital}
    by_end = {p.end: p for p in capitals.values()}
    k = place.end
    joined_after = k < len(tokens) and tokens[k].lower in kit.conjunctions and k + 1 in capitals
    before = place.start - 1
    joined_before = before >= 1 and tokens[before].lower in kit.conjunctions and before in by_end
    if (joined_after or joined_before) and not _introduced_as_destination(kit, a, _list_start(kit, a, place, by_end)):
        return True
    prev = tokens[place.start - 1].lower if place.start else ""
    if prev in kit.destination_preps or prev in kit.exclude_preps:
        return False
    return any(0 <= s.start - place.end <= 2 for s in a.statements)


METONYM_TRAVEL_GAP = 3  # words between a travel cue and the list of capitals it governs


def _list_start(kit: Toolkit, a: Analysed, place: PlaceMention, by_end: dict) -> PlaceMention:
    """The first capital of the list ('Atena, Sofia și Ankara') a capital belongs to."""
    first = place
    while first.start >= 2:
        link = a.tokens[first.start - 1]
        if not (link.text == "," or link.lower in kit.conjunctions) or first.start - 1 not in by_end:
            break
        first = by_end[first.start - 1]
    return first


def _introduced_as_destination(kit: Toolkit, a: Analysed, first: PlaceMention) -> bool:
    prev, _ = _prev_word(kit, a, first.start)
    if prev in kit.destination_preps:
        return True
    for cue in a.travel:
        if not 0 <= first.start - cue.end <= METONYM_TRAVEL_GAP:
            continue
        between = a.tokens[cue.end : first.start]  # words only, and no other place
        if all(t.is_word for t in between) and not any(cue.end <= p.start < first.start for p in a.places):
            return True
    return False


def verb_status(kit: Toolkit, a: Analysed, position: int) -> str | None:
    """Status from tense alone: the nearest tense cue (or, for Russian, verb) before the position."""
    if kit.morphology:
        verbs = [t for t in a.tokens if "VERB" in t.tag or "GRND" in t.tag]
        before = [t for t in verbs if t.i <= position] or verbs
        if before:
            tag = before[-1].tag
            for tense, status in (("futr", "planned"), ("past", "completed"), ("pres", "ongoing")):
                if tense in tag:
                    return status
            if "GRND" in tag and "perf" in tag:
                return "completed"
    cues = [m for m in a.tense if m.start <= position] or a.tense
    if not cues:
        return None
    return TENSE_STATUS.get(cues[-1].value)


def status_at(kit: Toolkit, a: Analysed, position: int) -> tuple[str | None, bool]:
    """(status, explicit) governing a token position of the sentence."""
    cues = sorted(a.status, key=lambda m: m.start)
    governing = None
    for cue in cues:
        if cue.start <= position:
            governing = cue
    if governing is None and cues:
        governing = cues[0] if cues[0].start > position else None
    if governing is not None:
        return governing.value, True
    return verb_status(kit, a, position), False


def sentence_cancel(a: Analysed) -> str | None:
    for cue in a.status:
        if cue.value in ("cancelled", "postponed"):
            return cue.value
    return None


def _prev_word(kit: Toolkit, a: Analysed, start: int) -> tuple[str | None, int]:
    k = start - 1
    while k >= 0 and (a.tokens[k].lower in kit.articles and a.tokens[k].lower not in kit.destination_preps):
        k -= 1
    if k < 0:
        return None, k
    return a.tokens[k].lower, k


def destinations(kit: Toolkit, a: Analysed) -> list[Destination]:
    """Places of the sentence that are places travelled to, in order."""
    travel_positions = sorted({m.start for m in a.travel} | {m.end - 1 for m in a.travel})
    stop_nouns = [m.start for m in a.stop_nouns]
    anchors = travel_positions + stop_nouns + [m.start for m in a.status] + [m.start for m in a.meetings + a.host]
    homeward = [m.end for m in kit.returns.find(a.tokens)]
    chosen: list[PlaceMention] = []
    for place in a.places:
        if place.place.kind in ("demonym", "region") or not place.place.code:
            continue
        if place.start in a.parenthesised or is_metonym(kit, a, place):
            continue
        if any(0 <= place.start - end <= 2 for end in homeward):
            continue  # "returned to Washington": going home is no stop
        if place.end < len(a.tokens) and a.tokens[place.end].lower == "'s":
            continue
        prev, k = _prev_word(kit, a, place.start)
        if prev in kit.exclude_preps and prev not in kit.destination_preps:
            continue
        if prev in kit.destination_preps:
            dated = any(-1 <= d.start - place.end <= 2 or -1 <= place.start - d.end <= 2 for d in a.dates)
            near = any(abs(place.start - p) <= 8 for p in anchors)
            if near or dated or (chosen and _chained(kit, a, chosen[-1], place)):
                chosen.append(place)
            continue
        if prev is not None and a.tokens[k].lemma in kit.capital_words:
            before, _ = _prev_word(kit, a, k)
            if before in kit.destination_preps and place.place.kind == "country":
                capital = kit.gazetteer.capital_of.get(place.place.code)
                from visits.extraction.places import Place

                chosen.append(PlaceMention(place.start, place.end, Place(place.place.code, "city", capital, True), ""))
                continue
        if chosen and _chained(kit, a, chosen[-1], place):
            chosen.append(place)
            continue
        near_travel = any(0 < place.start - p <= 3 or 0 < p - place.end + 1 <= 3 for p in travel_positions)
        if near_travel or any(0 < s - place.end <= 4 for s in stop_nouns):
            chosen.append(place)
    result = []
    for place in chosen:
        status, explicit = status_at(kit, a, place.start)
        result.append(Destination(place, status, explicit))
    return result


def _chained(kit: Toolkit, a: Analysed, previous: PlaceMention, place: PlaceMention) -> bool:
    """'visited Azerbaijan, Georgia and Armenia': places joined by commas and conjunctions."""
    between = a.tokens[previous.end : place.start]
    if not between or len(between) > 4:
        return False
    return all(
        t.text == "," or t.lower in kit.conjunctions or t.lower in kit.articles or t.lower in kit.destination_preps
        for t in between
    )


def subject_before(kit: Toolkit, a: Analysed, position: int, exclude=()) -> object | None:
    """The entity of the first mention before a position that is not introduced by 'with'."""
    for mention in a.mentions:
        if mention.start >= position or mention.entity is None or mention.entity in exclude:
            continue
        if not getattr(mention.entity, "usable", True):
            continue
        if mention.start in a.parenthesised:
            continue
        prev, _ = _prev_word(kit, a, mention.start)
        if prev in kit.meeting_with or prev in kit.exclude_preps:
            continue
        if _after_complementizer(kit, a, mention.start) or is_speaker(kit, a, mention):
            continue
        if any(0 <= mention.start - m.end <= 2 for m in a.meetings + a.host):
            continue  # "où il avait rencontré Volodymyr Zelensky": the one met, not the one meeting
        if mention.case not in (None, "nomn"):
            continue  # "По приглашению Владимира Путина": a name not in the nominative is no subject
        return mention.entity
    return None


def possessor_before(kit: Toolkit, a: Analysed, position: int) -> object | None:
    """The person whose journey a travel noun is: "upon Biden's arrival in Tel Aviv" (the mention right
    before the language's possessive ending)."""
    if position < 2 or not is_possessive_ending(a.tokens[position - 1].text, kit.lexicon.get("possessive")):
        return None
    owner = next((m for m in a.mentions if m.end == position - 1 and m.entity is not None), None)
    return owner.entity if owner is not None else None


def _after_complementizer(kit: Toolkit, a: Analysed, position: int) -> bool:
    return any(t.lower in kit.complementizers for t in a.tokens[:position])


def agent_after(kit: Toolkit, a: Analysed, position: int) -> object | None:
    """'la visite de Jens Stoltenberg', 'the visit by Blinken', 'визит Столтенберга'."""
    for mention in a.mentions:
        if mention.entity is None or mention.start < position or not getattr(mention.entity, "usable", True):
            continue
        between = a.tokens[position : mention.start]
        if len(between) <= 4 and all(
            t.lower in kit.role_links
            or t.lower in kit.articles
            or t.lower in ("by", "von", "par", "de", "del", "des", "of")
            or (not t.is_word and t.text != ",")
            for t in between
        ):
            return mention.entity
        return None
    return None


def pronoun_subject(kit: Toolkit, a: Analysed, position: int) -> bool:
    return any(t.lower in kit.pronouns for t in a.tokens[: max(position, 1)][:6])


def passive_before(kit: Toolkit, a: Analysed, position: int) -> bool:
    """A passive auxiliary just before a position ('was received', 'a été reçu', 'wurde empfangen')."""
    window = a.tokens[max(0, position - 2) : position]
    return any(t.lower in kit.passive_aux for t in window)


def is_speaker(kit: Toolkit, a: Analysed, mention) -> bool:
    """Someone quoted rather than met: 'X said', 'said X', 'according to X', 'по словам X'."""
    if any(0 <= s.start - mention.end <= 3 for s in a.statements):
        return True
    if (
        any(0 <= mention.start - s.end <= 2 for s in a.statements)
        and mention.start
        and a.tokens[mention.start - 1].text != ","
    ):
        return True
    sources = kit.according_to.find(a.tokens)
    return any(0 <= mention.start - s.end <= 4 for s in sources)


def chains(kit: Toolkit, a: Analysed, dests: list[Destination]) -> list[list[Destination]]:
    """Destinations listed together ('Azerbaijan, Georgia and Armenia') as one group each."""
    groups: list[list[Destination]] = []
    for d in dests:
        if groups and _chained(kit, a, groups[-1][-1].place, d.place):
            groups[-1].append(d)
        else:
            groups.append([d])
    return groups


def coordinated(kit: Toolkit, a: Analysed, first, position: int) -> list:
    """'Scholz, Macron et Draghi sont arrivés': the subjects listed with the first one, before a position."""
    result = [first]
    mentions = [m for m in a.mentions if m.entity is not None and m.start < position]
    anchor = next((m for m in mentions if m.entity is first), None)
    if anchor is None:
        return result
    last_end = anchor.end
    for m in mentions:
        if m.start < last_end or m.entity in result or not getattr(m.entity, "usable", True):
            continue
        between = a.tokens[last_end : m.start]
        if between and all(t.text == "," or t.lower in kit.conjunctions or t.lower in kit.articles for t in between):
            result.append(m.entity)
            last_end = m.end
        else:
            break
    return result


def remote(kit: Toolkit, a: Analysed) -> bool:
    """A phone call or video conference: no meeting, no journey."""
    return bool(kit.remote.find(a.tokens))
