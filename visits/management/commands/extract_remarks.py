"""Meetings from the remarks of the Office of the Historian's records (see docs/HSG_REMARKS.md).

python manage.py extract_remarks [--limit N] [--since-id ID] [--async] [--batch-size N] [--no-progress]
"""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from visits.services.remarks import (
    RemarksDirectory,
    RemarksTally,
    extract_remarks,
    hsg_reports,
    send_remarks_batches,
)


class Command(BaseCommand):
    help = (
        "Extract meetings, participants and topics from the remarks/description of the HSG records "
        "(import_hsg) and write them on the records' stops and visit meetings. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, help="process at most N records")
        parser.add_argument("--since-id", type=int, help="only reports whose id is greater than ID (resume a run)")
        parser.add_argument(
            "--async", action="store_true", dest="run_async", help="send Celery tasks (extract queue) instead"
        )
        parser.add_argument("--batch-size", type=int, default=200, help="report ids per Celery task (default 200)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (none anyway without a TTY)")

    def handle(self, *args, limit=None, since_id=None, run_async=False, batch_size=200, no_progress=False, **options):
        if (limit is not None and limit < 1) or batch_size < 1:
            raise CommandError("--limit and --batch-size must be positive")
        ids = self._report_ids(limit, since_id)
        if not ids:
            self.stdout.write("No HSG records to read: run import_hsg first (or check --since-id).")
            return
        if run_async:
            self._send(ids, batch_size)
            return
        started = time.monotonic()
        bar = tqdm(total=len(ids), unit="record", disable=no_progress or not sys.stderr.isatty(), file=sys.stderr)
        with bar:
            tally = extract_remarks(report_ids=ids, directory=RemarksDirectory(), progress=bar.update)
        self._summary(tally, time.monotonic() - started)

    @staticmethod
    def _report_ids(limit: int | None, since_id: int | None) -> list[int]:
        reports = hsg_reports()
        if since_id is not None:
            reports = reports.filter(pk__gt=since_id)
        ids = reports.values_list("pk", flat=True)
        return list(ids[:limit] if limit else ids)

    def _send(self, ids: list[int], batch_size: int) -> None:
        batches = send_remarks_batches(ids, batch_size=batch_size)
        self.stdout.write(
            f"Sent {batches} extract_remarks_batch tasks ({len(ids)} records, last report id {ids[-1]}) "
            "to the extract queue."
        )

    def _summary(self, tally: RemarksTally, seconds: float) -> None:
        self.stdout.write(f"Remarks extracted in {seconds:.1f} s.")
        for line in tally.summary_lines():
            self.stdout.write(f"  {line}")
        for error in tally.errors[:20]:
            self.stdout.write(f"    report {error['report']}: {error['error']}")
        if tally.done:
            self.stdout.write(f"  last report id: {tally.done[-1]} (resume with --since-id)")
