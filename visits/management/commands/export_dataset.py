"""Write the whole dataset as JSON lines, one object per line, in an order that loads back."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

# Parents before children, so that import_dataset can load the file in one pass.
DATASET_MODELS = [
    "visits.Country",
    "visits.City",
    "visits.Organization",
    "visits.OrganizationAlias",
    "visits.Person",
    "visits.PersonAlias",
    "visits.Position",
    "visits.Topic",
    "visits.Feed",
    "visits.Report",
    "visits.Trip",
    "visits.Stop",
    "visits.StopTopic",
    "visits.Meeting",
    "visits.Participation",
    "visits.MeetingTopic",
    "visits.Evidence",
    "visits.Change",
]


class Command(BaseCommand):
    help = "Export people, positions, trips, meetings, reports and evidence as JSON lines (see import_dataset)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="file to write ('-' for standard output)")

    def handle(self, *args, path: str, **options):
        output = None if path == "-" else path
        call_command("dumpdata", *DATASET_MODELS, format="jsonl", output=output, verbosity=0)
        if output:
            self.stdout.write(f"exported to {output}")
