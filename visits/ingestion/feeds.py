"""Reading RSS 0.9x/1.0/2.0 and Atom feeds into entries (parsing only; polling is a service)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import feedparser


class FeedParseError(ValueError):
    """A body that is not a readable feed."""


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str
    published_at: dt.datetime | None
    guid: str


def _published(entry: feedparser.FeedParserDict) -> dt.datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC)


def _link(entry: feedparser.FeedParserDict) -> str:
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"].strip()
    return (entry.get("link") or "").strip()


def parse_feed(body: bytes, *, url: str | None = None) -> list[FeedEntry]:
    """The entries of a feed, in feed order; entries without a link are skipped.

    A feed that feedparser can only read loosely (``bozo``) is accepted when it
    still yields entries; without entries it is a ``FeedParseError``.
    """
    parsed = feedparser.parse(body, response_headers={"content-location": url} if url else None)
    if parsed.bozo and not parsed.entries:
        reason = parsed.get("bozo_exception") or "not a feed"
        raise FeedParseError(f"malformed feed: {reason}")
    if not parsed.get("version") and not parsed.entries:
        raise FeedParseError("not an RSS or Atom feed")
    entries = []
    for entry in parsed.entries:
        link = _link(entry)
        if link:
            entries.append(
                FeedEntry(link, (entry.get("title") or "").strip(), _published(entry), entry.get("id", link))
            )
    return entries
