"""``manage.py load_starter``: load the hand-written starter set of officials (idempotent)."""

from django.core.management.base import BaseCommand

from visits.starter import OFFICIALS_PATH, load_officials


class Command(BaseCommand):
    help = "Load the starter set of officials, organizations and positions (safe to run again)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--path", default=str(OFFICIALS_PATH), help="starter JSON file")

    def handle(self, *args, **options) -> None:
        from pathlib import Path

        counts = load_officials(Path(options["path"]))
        for kind in ("people", "positions"):
            created, updated, unchanged = (
                counts[f"{kind}_{outcome}"] for outcome in ("created", "updated", "unchanged")
            )
            self.stdout.write(f"{kind}: {created} created, {updated} updated, {unchanged} unchanged")
