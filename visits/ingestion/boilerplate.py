"""Boilerplate lines of articles: navigation, bylines, share buttons, legal notices.

The cue words live in ``data/boilerplate.json``, one list per language, so that
adding a language or a cue is a data change. The rules here are general: a line
made only of markdown links, a "Label: ..." line whose label is a known cue, a
"By Name" line, a share button, a paragraph that reads as a legal notice.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("data") / "boilerplate.json"
ALWAYS = ("any", "en")

MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
LINK_SEPARATORS = re.compile(r"[\s,;|/·•\-\u2013\u2014>»«]+")
EMAIL_OR_URL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|https?://\S+|www\.\S+")
TERMINAL = tuple(".!?…:;»\"”'\u2019)]")
NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ][\w.'\u2019-]*$")
NAME_PARTICLES = frozenset(
    {"de", "da", "di", "van", "von", "der", "du", "le", "la", "et", "and", "&", "y", "bin", "al"}
)
MAX_BYLINE_WORDS = 8
SHORT_WORDS = 8


@dataclass(frozen=True)
class Cues:
    labels: frozenset[str]
    bylines: tuple[str, ...]
    legal: tuple[str, ...]
    share: frozenset[str]
    months: dict[str, int]


@lru_cache(maxsize=1)
def _data() -> dict[str, dict]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")}


@lru_cache(maxsize=32)
def cues_for(language: str | None) -> Cues:
    """The cues of ``language`` plus the universal and English ones; all languages when unknown."""
    data = _data()
    names = [*ALWAYS, language] if language in data else list(data)
    picked = [data[name] for name in dict.fromkeys(names)]
    return Cues(
        labels=frozenset(label for entry in picked for label in entry["labels"]),
        bylines=tuple(sorted({b for entry in picked for b in entry["bylines"]}, key=len, reverse=True)),
        legal=tuple(phrase for entry in picked for phrase in entry["legal"]),
        share=frozenset(item for entry in picked for item in entry["share"]),
        months={name: number for entry in picked for name, number in entry["months"].items()},
    )


def strip_markdown_links(line: str) -> str:
    """``[text](url)`` becomes ``text``."""
    return MARKDOWN_LINK.sub(lambda m: m.group(1), line)


def is_link_only(line: str) -> bool:
    """A line made only of markdown links and separators (menus, tag lists, source credits)."""
    if not MARKDOWN_LINK.search(line):
        return False
    return not LINK_SEPARATORS.sub("", MARKDOWN_LINK.sub("", line))


def _bare(line: str) -> str:
    return " ".join(strip_markdown_links(line).split()).strip()


def is_label_line(line: str, cues: Cues) -> bool:
    """``Région : Asie`` style lines: a known label, a colon, and whatever follows."""
    head, sep, _rest = _bare(line).replace("\uff1a", ":").partition(":")
    return bool(sep) and head.strip().lower() in cues.labels


def byline_author(line: str, cues: Cues) -> str | None:
    """The author named by a ``By Name`` line, or None when the line is not a byline."""
    bare = _bare(line)
    lowered = bare.lower()
    for cue in cues.bylines:
        if lowered.startswith(cue + " ") or lowered.startswith(cue + ":"):
            name = bare[len(cue) :].lstrip(" :").strip()
            return name if looks_like_name(name) else None
    return None


def looks_like_name(text: str) -> bool:
    """A few capitalised words (with particles), no sentence punctuation."""
    words = text.replace(",", " ").split()
    if not words or len(words) > MAX_BYLINE_WORDS or text.endswith((".", "!", "?")):
        return False
    return NAME_WORD.match(words[0]) is not None and all(
        NAME_WORD.match(w) or w.lower() in NAME_PARTICLES for w in words
    )


def is_share_line(line: str, cues: Cues) -> bool:
    """A button or menu item on a line of its own."""
    return _bare(line).strip(" |·•:-\u2013\u2014").lower() in cues.share


def is_legal(text: str, cues: Cues) -> bool:
    """A paragraph that reads as copyright, disclaimer or reproduction terms."""
    lowered = _bare(text).lower()
    return lowered.startswith(("©", "copyright")) or any(phrase in lowered for phrase in cues.legal)


def word_count(text: str) -> int:
    return len(_bare(text).split())


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(TERMINAL)


def is_trailer(text: str, cues: Cues) -> bool:
    """Whether a paragraph may belong to the block of credits and notices after an article."""
    bare = _bare(text)
    if not bare or is_link_only(text) or is_label_line(text, cues) or byline_author(text, cues):
        return True
    if is_legal(text, cues) or is_share_line(text, cues):
        return True
    if EMAIL_OR_URL.search(bare) and word_count(bare) <= 40:
        return True
    return word_count(bare) <= SHORT_WORDS and not ends_sentence(bare)


# --- Dates written in text ---------------------------------------------------------------------


def _month_pattern(cues: Cues) -> str:
    names = sorted(cues.months, key=len, reverse=True)
    return "|".join(re.escape(name) for name in names)


@lru_cache(maxsize=32)
def _date_patterns(language: str | None) -> list[tuple[re.Pattern[str], str]]:
    months = _month_pattern(cues_for(language))
    return [
        (re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"), "numeric"),
        (
            re.compile(rf"\b(?P<d>\d{{1,2}})(?:er|st|nd|rd|th|\.)?\s+(?P<mn>{months})\.?,?\s+(?P<y>\d{{4}})\b", re.I),
            "dmy",
        ),
        (re.compile(rf"\b(?P<mn>{months})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.I), "mdy"),
        (re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})\b"), "numeric"),
    ]


def find_text_date(text: str, language: str | None) -> tuple[dt.date, tuple[int, int]] | None:
    """The first full date written in ``text`` (ISO, "19 mars 2024", "March 19, 2024", 19.03.2024)."""
    months = cues_for(language).months
    for pattern, _kind in _date_patterns(language):
        for match in pattern.finditer(text):
            parts = match.groupdict()
            month = int(parts["m"]) if parts.get("m") else months.get(parts["mn"].lower().rstrip("."))
            try:
                return dt.date(int(parts["y"]), month or 0, int(parts["d"])), match.span()
            except (ValueError, TypeError):
                continue
    return None
