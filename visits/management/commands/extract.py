"""Dry run of the extraction engine on one report: prints what would be extracted, writes nothing.

python manage.py extract FILE_OR_URL [--published YYYY-MM-DD] [--language xx] [--format json|text]
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Extract officials, trips, meetings and topics from a report (file or URL) and print them; writes nothing."

    def add_arguments(self, parser):
        parser.add_argument("source", help="a file (plain text or HTML) or an http(s) URL")
        parser.add_argument(
            "--published", help="publication date, YYYY-MM-DD (dates in the text are resolved against it)"
        )
        parser.add_argument("--language", help="ISO 639-1 language code (en, fr, ka, ...); detected when not given")
        parser.add_argument("--format", choices=["json", "text"], default="json")

    def handle(self, *args, **options):
        from visits.extraction import extract_report
        from visits.extraction.language import is_language_code

        published = _parse_date(options.get("published"))
        language = options.get("language")
        if language:
            language = language.strip().lower()
            if not is_language_code(language):
                raise CommandError(f"--language {language!r} is not an ISO 639-1 language code (en, fr, ka, ...)")
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
        from visits.ingestion.documents import DocumentError, fetch_document, read_document

        try:
            if source.startswith(("http://", "https://")):
                return _document(fetch_document(source))
            return _document(read_document(source))
        except DocumentError as exc:
            raise CommandError(str(exc)) from None

    def _directory(self):
        from visits.services.directory import DatabaseDirectory

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
        "url": getattr(clean, "canonical_url", None),
    }


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"--published {value!r} is not a real date of the form YYYY-MM-DD") from None


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
    if report.get("reading") == "partial":
        lines.append(
            f"Partial reading: there is no cue file for {report.get('language')!r} yet, so only places, dates and"
            " known officials are read (no trips or meetings from travel or meeting words)."
        )
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
