"""Re-run identity resolution over the stored claims, after the rules changed: idempotent.

    python manage.py resolve_timeline [--since YYYY-MM-DD] [--batch N] [--queue]

Every traveller whose trips have evidence (only evidence added since the date, with --since) is
resolved again: trips are merged and split into the grouping their claims give, and each change is
explained in MergeDecision. With --queue the travellers are sent to the Celery worker in batches.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from visits.services import identity
from visits.services.queue import send_task


class Command(BaseCommand):
    help = "Re-run identity resolution (merging and splitting trips) over the stored reports' claims."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="only travellers with evidence added since this day, YYYY-MM-DD")
        parser.add_argument("--batch", type=int, default=200, help="travellers per Celery task (with --queue)")
        parser.add_argument("--queue", action="store_true", help="send batches to the worker instead of running here")

    def handle(self, *args, **options) -> None:
        since = _since(options["since"])
        travellers = identity.travellers_to_resolve(since)
        if options["queue"]:
            batch = max(1, options["batch"])
            for start in range(0, len(travellers), batch):
                send_task("maintenance_resolve_timeline", travellers[start : start + batch])
            self.stdout.write(f"sent {len(travellers)} travellers in batches of {batch} to the maintenance queue")
            return
        with tqdm(total=len(travellers), unit="traveller", disable=options["verbosity"] < 1) as bar:
            result, unchanged = identity.resolve_travellers(travellers, progress=bar.update)
        self.stdout.write(
            f"travellers: {len(travellers)}; trips merged: {result.merged}, split: {result.split}, "
            f"unresolved: {result.unresolved}; travellers unchanged: {unchanged}"
        )


def _since(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since {value!r} is not a date of the form YYYY-MM-DD") from None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
