"""Load a file written by export_dataset into an empty database, keeping every id."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from visits.models import Trip


class Command(BaseCommand):
    help = "Import a JSON lines dataset written by export_dataset (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--into-non-empty", action="store_true", help="allow loading over existing trips")

    def handle(self, *args, path: str, into_non_empty: bool = False, **options):
        if not Path(path).is_file():
            raise CommandError(f"{path}: no such file")
        if Trip.objects.exists() and not into_non_empty:
            raise CommandError("the database already has trips; pass --into-non-empty to load over them")
        with transaction.atomic():
            call_command("loaddata", path, format="jsonl", verbosity=0)
        self._reset_sequences()
        self.stdout.write(f"imported {path}")

    def _reset_sequences(self) -> None:
        """loaddata keeps ids; the sequences must move past them for new rows."""
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import connection

        statements = connection.ops.sequence_reset_sql(no_style(), apps.get_app_config("visits").get_models())
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
