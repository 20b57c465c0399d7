"""One pass over a report: sentences, and in each its tokens, places, dates, people and cues."""

from __future__ import annotations

from dataclasses import dataclass, field

from visits.extraction.dates import DateMention
from visits.extraction.people import Mention, OrgMention, find_mentions, find_organizations
from visits.extraction.places import PlaceMention
from visits.extraction.sentences import Sentence, split_sentences
from visits.extraction.text import Match, Token, longest_nonoverlapping
from visits.extraction.toolkit import Toolkit


@dataclass
class Analysed:
    sentence: Sentence
    tokens: list[Token]
    places: list[PlaceMention] = field(default_factory=list)
    orgs: list[OrgMention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    travel: list[Match] = field(default_factory=list)
    stop_nouns: list[Match] = field(default_factory=list)
    status: list[Match] = field(default_factory=list)
    tense: list[Match] = field(default_factory=list)
    meetings: list[Match] = field(default_factory=list)
    host: list[Match] = field(default_factory=list)
    attend: list[Match] = field(default_factory=list)
    statements: list[Match] = field(default_factory=list)
    topics: list[Match] = field(default_factory=list)
    parenthesised: set[int] = field(default_factory=set)  # token indexes inside (...)

    @property
    def index(self) -> int:
        return self.sentence.index

    @property
    def paragraph(self) -> int:
        return self.sentence.paragraph

    def span_text(self, start: int, end: int) -> str:
        return " ".join(t.text for t in self.tokens[start:end])


def analyse(text: str, kit: Toolkit, *, skip_boilerplate: bool = True) -> list[Analysed]:
    sentences = split_sentences(text, kit.lexicon, kit.dates.month_forms)
    result = []
    for sentence in sentences:
        if skip_boilerplate and sentence.boilerplate:
            continue
        result.append(analyse_sentence(sentence, kit))
    return result


def analyse_sentence(sentence: Sentence, kit: Toolkit) -> Analysed:
    tokens = kit.tokenize(sentence.text, sentence.start)
    a = Analysed(sentence, tokens)
    a.places = kit.gazetteer.find(tokens)
    a.orgs = find_organizations(kit, tokens)
    org_tokens = {k for o in a.orgs for k in range(o.start, o.end)}
    a.places = [p for p in a.places if not any(k in org_tokens for k in range(p.start, p.end))]
    a.dates = kit.dates.find(tokens)
    a.mentions = find_mentions(kit, tokens, a.places, a.orgs, sentence.index, a.dates)
    a.travel = kit.travel.find(tokens, text=sentence.text, offset=sentence.start)
    a.stop_nouns = kit.stop_nouns.find(tokens, text=sentence.text, offset=sentence.start)
    a.status = longest_nonoverlapping(kit.status.find(tokens, text=sentence.text, offset=sentence.start))
    a.tense = longest_nonoverlapping(kit.tense.find(tokens, text=sentence.text, offset=sentence.start))
    a.meetings = longest_nonoverlapping(kit.meetings.find(tokens, text=sentence.text, offset=sentence.start))
    a.host = kit.host.find(tokens, text=sentence.text, offset=sentence.start)
    a.attend = kit.attend.find(tokens, text=sentence.text, offset=sentence.start)
    a.statements = kit.statements.find(tokens, text=sentence.text, offset=sentence.start)
    a.topics = longest_nonoverlapping(kit.topics.find(tokens, text=sentence.text, offset=sentence.start))
    depth = 0
    for token in tokens:
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth = max(0, depth - 1)
        elif depth:
            a.parenthesised.add(token.i)
    # a place inside a person's name or role span is no place of travel
    person_spans = {k for m in a.mentions for k in range(m.name_start, m.name_end) if m.name_start >= 0}
    a.places = [p for p in a.places if not any(k in person_spans for k in range(p.start, p.end))]
    return a
