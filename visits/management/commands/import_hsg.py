"""python manage.py import_hsg [PATH]: the Office of the Historian's travel and visit records."""

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from visits.importers.hsg import HsgSourceError, import_hsg, resolve_source, summary_lines


class Command(BaseCommand):
    help = (
        "Import HSG travels (president and secretary of state stops, grouped into trips) and foreign leaders' "
        "visits (meetings). PATH: a directory holding travels/ and visits/; default ../shared/data/hsg, "
        "else a download of the public repositories into var/hsg/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="directory holding travels/ and visits/")
        parser.add_argument("--download", action="store_true", help="download the records even if a copy exists")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, path: str | None, download: bool, no_progress: bool, **options) -> None:
        try:
            root = resolve_source(path, download=download, stdout=self.stdout)
        except HsgSourceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Importing HSG records from {root}")
        progress = False if no_progress else sys.stderr.isatty()
        result = import_hsg(root, progress=progress, stdout=self.stdout)
        for line in summary_lines(result):
            self.stdout.write(line)
