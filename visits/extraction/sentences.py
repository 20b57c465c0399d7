"""Sentences with exact character offsets, and which of them are page furniture.

A report's text may still hold a site's navigation, byline and legal lines; those are
marked ``boilerplate`` and no fact is taken from them. A sentence broken across a blank
line (the next block starting in lower case) is kept whole: its quote then contains the
line break, as the text does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from visits.extraction.text import norm, uncased

# the full stops of Chinese and Japanese, Devanagari and Armenian: a sentence ends there, space or not
_FULL_STOPS = "\u3002\uff01\uff1f\u0964\u0589"
_TERMINAL = ".!?…" + _FULL_STOPS
_CLOSERS = "\"'\u00bb\u201d\u2019)]\u203a"  # quotes, guillemets and brackets that may close a sentence
_LINK = re.compile(r"\[[^\]]*\]\([^)]*\)")
_EMAIL_URL = re.compile(r"\S+@\S+\.\w+|https?://|www\.\w")
_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n\s*")
_STOP = re.compile(
    r"(?:[.!?…]+[" + re.escape(_CLOSERS) + r"]*(?=\s+(?P<next>\S)))"
    r"|(?:[" + _FULL_STOPS + r"]+[" + re.escape(_CLOSERS) + r"]*(?=\s*(?P<after>\S)))"
)
_OPENERS = "\"«“„'([\u00bf\u00a1\u2014\u2013-"  # quotes, brackets, Spanish ¿ ¡ and dashes may open a sentence


def _starts_sentence(char: str) -> bool:
    """A character a sentence may begin with: a capital of any alphabet (Č, Ђ, Ω, Ж), a letter of a
    script without capitals, a digit, an opening quote or bracket, a dash."""
    return char.isupper() or uncased(char) or char.isdigit() or char in _OPENERS


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    text: str
    paragraph: int
    boilerplate: bool = False
    heading: bool = False  # a line without final punctuation: title, dateline, caption


NOTICE_MAX_WORDS = 60  # a copyright or cookie notice is short; a long line that mentions one is news


def split_sentences(text: str, lexicon: dict, months: set[str] = frozenset()) -> list[Sentence]:
    abbreviations = {norm(a).rstrip(".") for a in lexicon.get("abbreviations", [])}
    abbreviations |= {norm(h).rstrip(".") for h in lexicon.get("honorifics", [])}
    blocks = _blocks(text)
    sentences: list[Sentence] = []
    for paragraph, (b_start, b_end) in enumerate(blocks):
        for start, end in _split_block(text, b_start, b_end, abbreviations, months):
            chunk = text[start:end]
            whole_line = (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end] == "\n")
            heading = whole_line and chunk.rstrip(_CLOSERS)[-1:] not in _TERMINAL
            sentences.append(Sentence(len(sentences), start, end, chunk, paragraph, heading=heading))
    _mark_boilerplate(sentences, text, lexicon)
    return sentences


def _blocks(text: str) -> list[tuple[int, int]]:
    """Paragraph spans; a block ending mid-sentence joins the next one if that starts in lower case."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in [*_BLOCK_SPLIT.finditer(text), None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        lead = len(chunk) - len(chunk.lstrip())
        s, e = pos + lead, pos + len(chunk.rstrip())
        if e > s:
            if spans and _continues(text, spans[-1], s):
                spans[-1] = (spans[-1][0], e)
            else:
                spans.append((s, e))
        pos = m.end() if m else len(text)
    return spans


def _continues(text: str, previous: tuple[int, int], start: int) -> bool:
    tail = text[previous[0] : previous[1]].rstrip(_CLOSERS)
    head = text[start]
    return bool(tail) and tail[-1] not in _TERMINAL + ":" and head.isalpha() and head.islower() and not uncased(head)


def _split_block(text, b_start, b_end, abbreviations, months):
    spans = []
    # single line breaks: a line without final punctuation followed by a capital starts anew
    lines, pos = [], b_start
    for m in re.finditer(r"\n", text[b_start:b_end]):
        cut = b_start + m.start()
        line = text[pos:cut].strip()
        following = text[cut + 1 : b_end].lstrip()
        starts = bool(following) and (following[0].isupper() or uncased(following[0]))
        if line and starts and line.rstrip(_CLOSERS)[-1:] not in _TERMINAL + ",;:":
            lines.append((pos, cut))
            pos = cut + 1
    lines.append((pos, b_end))
    for l_start, l_end in lines:
        s = l_start
        for m in _STOP.finditer(text[l_start:l_end]):
            if m.group("after") is None and not _starts_sentence(m.group("next")):
                continue
            cut = l_start + m.end()
            if text[l_start + m.start()] == "." and not _real_stop(text, s, l_start + m.start(), abbreviations, months):
                continue
            spans.append((s, cut))
            s = cut
        spans.append((s, l_end))
    result = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            result.append((s, e))
    return result


def _real_stop(text: str, s: int, dot: int, abbreviations: set[str], months: set[str]) -> bool:
    before = re.search(r"([\w-]+)$", text[s:dot])
    if not before:
        return True
    word = before.group(1)
    if norm(word) in abbreviations:
        return False
    if len(word) == 1 and word.isalpha():  # an initial: "J. Biden", "U.S."
        return False
    after = re.match(r"\s+([\w]+)", text[dot + 1 : dot + 40])
    return not (word.isdigit() and len(word) <= 2 and after and norm(after.group(1)) in months)


def _mark_boilerplate(sentences: list[Sentence], text: str, lexicon: dict) -> None:
    """Navigation, notices and bylines are judged line by line within a paragraph: scraped text
    often has no blank lines, and an article that ends "(c) AFP" is not a notice. A long line that
    merely contains a cue ("cookie", "newsletter") is article text."""
    cues = [norm(c) for c in lexicon.get("boilerplate", [])]
    byline = [norm(b) for b in lexicon.get("byline", [])]
    lines: dict[tuple[int, int], list[Sentence]] = {}
    for sentence in sentences:
        lines.setdefault((sentence.paragraph, text.count("\n", 0, sentence.start)), []).append(sentence)
    for group in lines.values():
        whole = " ".join(s.text for s in group)
        folded = norm(whole)
        linked = sum(len(m.group()) for m in _LINK.finditer(whole))
        notice = len(whole.split()) <= NOTICE_MAX_WORDS and (any(c in folded for c in cues) or "©" in whole)
        furniture = (
            notice
            or _EMAIL_URL.search(whole) is not None
            or linked > 0.3 * len(whole)
            or (len(group) == 1 and _is_byline(whole, byline))
        )
        for sentence in group:
            short_line = sentence.heading and len(sentence.text.split()) <= 8 and "?" not in sentence.text
            if furniture or (short_line and sentence.index > 0) or _LINK.search(sentence.text):
                sentence.boilerplate = True


def _is_byline(line: str, byline: list[str]) -> bool:
    words = _LINK.sub(lambda m: m.group()[1 : m.group().index("]")], line).split()
    return 0 < len(words) <= 6 and norm(words[0]).rstrip(":") in byline
