"""``manage.py ingest URL_OR_PATH...``: bring in reports synchronously and say what happened."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from visits.models import Report
from visits.services.ingestion import process_report, submit_file, submit_url


class Command(BaseCommand):
    help = "Fetch URLs or read HTML/text files, clean them and run extraction now (no Celery needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("items", nargs="+", help="http(s) URLs or paths of .html/.txt files")
        parser.add_argument("--url", help="for a file: the address it was published at")
        parser.add_argument("--published", type=dt.date.fromisoformat, help="for a file: its date, YYYY-MM-DD")
        parser.add_argument("--language", default="", help="language code, when known (else detected)")
        parser.add_argument("--publisher", default="", help="for a file: who published it")

    def handle(self, *args, **options) -> None:
        failures = 0
        for item in options["items"]:
            try:
                report, created = self._submit(item, options)
            except (ValueError, OSError) as exc:
                self.stderr.write(self.style.ERROR(f"{item}: refused: {exc}"))
                failures += 1
                continue
            report = process_report(report)  # finished reports are returned unchanged
            failures += report.status == "failed"
            self._print(item, report, created)
        if failures:
            raise CommandError(f"{failures} of {len(options['items'])} item(s) failed")

    def _submit(self, item: str, options: dict) -> tuple[Report, bool]:
        if "://" in item:
            return submit_url(url=item, language=options["language"], enqueue=False)
        path = Path(item)
        return submit_file(
            content=path.read_bytes(),
            filename=path.name,
            url=options["url"],
            published=options["published"],
            language=options["language"],
            publisher=options["publisher"],
            enqueue=False,
        )

    def _print(self, item: str, report: Report, created: bool) -> None:
        verb = "new" if created else "existing"
        line = f"{item}: {verb} report {report.pk} status={report.status} step={report.step or '-'}"
        if report.duplicate_of_id:
            line += f" duplicate_of={report.duplicate_of_id}"
        if report.title:
            line += f" title={report.title[:80]!r}"
        if report.error:
            line += f" error={report.error!r}"
        style = self.style.ERROR if report.status == "failed" else self.style.SUCCESS
        self.stdout.write(style(line))
        if report.status == "done":
            self.stdout.write("  " + found_in(report))


def found_in(report: Report) -> str:
    """What the timeline holds from this report: trips, stops, meetings and people, with the trips named."""
    from visits.models import Participation, Trip

    cited = report.evidence.all()
    trip_ids = set(cited.exclude(trip=None).values_list("trip_id", flat=True))
    trip_ids |= set(cited.exclude(stop=None).values_list("stop__trip_id", flat=True))
    stops = cited.exclude(stop=None).values("stop_id").distinct().count()
    meetings = cited.exclude(meeting=None).values("meeting_id").distinct().count()
    people = (
        Participation.objects.filter(evidence__report=report).values("person_id").distinct().count()
        + Trip.objects.filter(pk__in=trip_ids).exclude(traveller=None).values("traveller_id").distinct().count()
    )
    line = f"found: {len(trip_ids)} trips, {stops} stops, {meetings} meetings, {people} people"
    if report.reading == Report.Reading.PARTIAL:
        line += f" (partial reading: no cue file for {report.language or 'this language'})"
    trips = Trip.objects.filter(pk__in=trip_ids).select_related("traveller").order_by("pk")[:5]
    named = "; ".join(f"trip {t.pk}: {t}" for t in trips)
    return line + (f"; {named}" if named else "")
