"""Dry run of the extraction engine on one report: prints what would be extracted, writes nothing.

python manage.py extract FILE_OR_URL [--published YYYY-MM-DD] [--language xx] [--format json|text]
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}


class Command(BaseCommand):
    help = "Extract officials, trips, meetings and topics from a report (file or URL) and print them; writes nothing."

    def add_arguments(self, parser):
        parser.add_argument("source", help="a file (plain text or HTML) or an http(s) URL")
        parser.add_argument(
            "--published", help="publication date, YYYY-MM-DD (dates in the text are resolved against it)"
        )
        parser.add_argument("--language", help="language code (en, fr, de, es, ru); detected when not given")
        parser.add_argument("--format", choices=["json", "text"], default="json")

    def handle(self, *args, **options):
        from visits.extraction import extract_report, supported_languages

        published = _parse_date(options.get("published"))
        language = options.get("language")
        if language:
            language = language.strip().lower()
            if language not in supported_languages():
                raise CommandError(f"unknown language {language!r}: supported are {', '.join(supported_languages())}")
        document = self._load(options["source"])
        result = extract_report(
            document["text"],
            published=published or document.get("published"),
            language=language or document.get("language"),
            title=document.get("title"),
            publisher=document.get("publisher"),
            url=document.get("url"),
            directory=self._directory(),
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(summary(result))

    # --- input ------------------------------------------------------------------------------
    def _load(self, source: str) -> dict:
        if source.startswith(("http://", "https://")):
            return self._fetch(source)
        path = Path(source)
        if not path.exists():
            raise CommandError(f"no such file: {source}")
        if not path.is_file():
            raise CommandError(f"not a file: {source}")
        raw = path.read_bytes()
        if path.suffix.lower() in HTML_SUFFIXES or _looks_like_html(raw):
            return self._clean_html(raw, url=None)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        return self._clean_text(text)

    def _fetch(self, url: str) -> dict:
        try:
            from visits.ingestion.fetch import fetch_url
        except ImportError as exc:
            raise CommandError(f"fetching URLs needs visits.ingestion.fetch, which is not available ({exc})") from exc
        try:
            result = fetch_url(url)
        except Exception as exc:
            raise CommandError(f"could not fetch {url}: {exc}") from exc
        content_type = (getattr(result, "content_type", "") or "").lower()
        body = result.body
        final_url = getattr(result, "url", None) or url
        if "html" in content_type or _looks_like_html(body):
            document = self._clean_html(body, url=final_url, encoding=getattr(result, "encoding", None))
        else:
            encoding = getattr(result, "encoding", None) or "utf-8"
            document = self._clean_text(body.decode(encoding, errors="replace"))
        document["url"] = final_url
        return document

    def _clean_text(self, text: str) -> dict:
        try:
            from visits.ingestion.clean import clean_plain_text
        except ImportError:
            self.stderr.write("visits.ingestion.clean is not available: extracting from the text as it is")
            return {"text": text}
        return _document(clean_plain_text(text))

    def _clean_html(self, body, *, url=None, encoding=None) -> dict:
        try:
            from visits.ingestion.clean import clean_html
        except ImportError:
            self.stderr.write("visits.ingestion.clean is not available: extracting from the HTML's text as it is")
            import lxml.html

            tree = lxml.html.fromstring(body)
            for bad in tree.xpath("//script|//style|//nav|//footer|//header"):
                bad.drop_tree()
            title = tree.findtext(".//title")
            return {
                "text": "\n\n".join(
                    p.text_content().strip() for p in tree.xpath("//h1|//p") if p.text_content().strip()
                ),
                "title": title.strip() if title else None,
            }
        return _document(clean_html(body, url=url, encoding=encoding))

    def _directory(self):
        try:
            from visits.services.directory import DatabaseDirectory
        except ImportError as exc:
            from visits.extraction import EmptyDirectory

            self.stderr.write(f"no database directory ({exc}): nobody is known, names stay as written")
            return EmptyDirectory()
        directory = DatabaseDirectory()
        try:
            directory.find_person("-")  # the database answers, or we say so and go on without it
        except Exception as exc:
            from visits.extraction import EmptyDirectory

            self.stderr.write(f"the database directory is unavailable ({exc}): names stay as written")
            return EmptyDirectory()
        return directory


def _document(clean) -> dict:
    return {
        "text": clean.text,
        "title": getattr(clean, "title", None),
        "author": getattr(clean, "author", None),
        "publisher": getattr(clean, "publisher", None),
        "published": getattr(clean, "published", None),
        "language": getattr(clean, "language", None),
    }


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"--published {value!r} is not a real date of the form YYYY-MM-DD") from None


def _looks_like_html(raw: bytes | str) -> bool:
    head = raw[:2048].lower() if isinstance(raw, bytes) else raw[:2048].lower().encode()
    return any(tag in head for tag in (b"<html", b"<!doctype html", b"<body", b"<p>", b"<div"))


def _person(p: dict) -> str:
    text = p["name"]
    if p.get("as_written") and p["as_written"] != p["name"]:
        text += f" (as written: {p['as_written']})"
    role = ", ".join(x for x in (p.get("role"), p.get("organization"), p.get("country")) if x)
    if role:
        text += f" — {role}"
    if p.get("flags"):
        text += f" [{', '.join(p['flags'])}]"
    return text


def _when(start, end=None) -> str:
    if start and end and end != start:
        return f"{start} to {end}"
    return start or (f"until {end}" if end else "date unknown")


def summary(result: dict) -> str:
    report = result["report"]
    lines = [
        f"Report: {report.get('title') or '(untitled)'} [{report.get('language')}]"
        f" published {report.get('published') or 'unknown'}"
    ]
    lines.append(f"\nOfficials ({len(result['officials'])}):")
    lines += [f"  - {_person(p)}" for p in result["officials"]] or ["  (none)"]
    lines.append(f"\nTrips ({len(result['trips'])}):")
    for trip in result["trips"]:
        lines.append(f"  * {_person(trip['traveller'])}: {trip['status']}, {_when(trip.get('start'), trip.get('end'))}")
        for n, stop in enumerate(trip["stops"], 1):
            place = stop["country"] + (f" ({stop['city']})" if stop.get("city") else "")
            topics = f" topics: {', '.join(stop['topics'])}" if stop.get("topics") else ""
            lines.append(
                f"      {n}. {place} — {stop.get('status') or 'status unknown'},"
                f" {_when(stop.get('start'), stop.get('end'))}{topics}"
            )
        for ev in trip["evidence"]:
            lines.append(f"      « {ev['quote']} » [{ev['start']}:{ev['end']}]")
    if not result["trips"]:
        lines.append("  (none)")
    lines.append(f"\nMeetings ({len(result['meetings'])}):")
    for meeting in result["meetings"]:
        who = "; ".join(_person(p) for p in meeting["participants"])
        where = meeting.get("country") or "place unknown"
        lines.append(
            f"  * {meeting.get('kind') or 'meeting'} ({meeting['status']}) in {where},"
            f" {_when(meeting.get('date'))}: {who}"
        )
        if meeting.get("topics"):
            lines.append(f"      topics: {', '.join(meeting['topics'])}")
        for ev in meeting["evidence"]:
            lines.append(f"      « {ev['quote']} » [{ev['start']}:{ev['end']}]")
    if not result["meetings"]:
        lines.append("  (none)")
    return "\n".join(lines)
