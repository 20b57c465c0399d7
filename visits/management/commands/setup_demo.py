"""Prepare a fresh installation: places, known officials, the HSG records, the demo reports, an admin.

Each step is idempotent and cheap when already done, so `python3 run.py` calls it on every start.
A step that cannot be done (offline and no HSG data, say) is reported with what to do, and
the rest goes on: the tracker still starts.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from visits.models import City, Country, ImportRun

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
SEED_REPORT = settings.BASE_DIR.parent / "shared" / "data" / "seed" / "otan-caucase-du-sud-2024-03-19.fr.txt"


class Command(BaseCommand):
    help = "Load places, starter officials, HSG records and demo reports; create an admin on first run."

    def add_arguments(self, parser):
        parser.add_argument("--skip-hsg", action="store_true", help="do not import the HSG records")

    def handle(self, *args, skip_hsg: bool = False, **options):
        self.step("places", self.load_places, "load_places")
        self.step("known officials", self.load_starter, "load_starter")
        if not skip_hsg:
            self.step("Office of the Historian records", self.import_hsg, "import_hsg")
        self.step("demo reports", self.ingest_demo_reports, "ingest FILE")
        self.create_admin()

    def step(self, name: str, action, command: str) -> None:
        """One line per step: what it did and how long it took, or why not and the command to do it later."""
        began = time.monotonic()
        try:
            outcome = action()
        except (CommandError, ImportError, OSError) as exc:
            reason = str(exc).split(" (")[0].rstrip(".")  # the cause, without the library's nested details
            self.stderr.write(
                self.style.WARNING(f"{name}: not loaded ({reason}); later: .venv/bin/python manage.py {command}")
            )
            return
        self.stdout.write(f"{name}: {outcome} ({time.monotonic() - began:.1f} s)")

    def load_places(self) -> str:
        if Country.objects.exists() and City.objects.exists():
            return "already loaded"
        call_command("load_places", verbosity=0, stdout=io.StringIO())
        return f"{Country.objects.count()} countries, {City.objects.count()} cities"

    def load_starter(self) -> str:
        call_command("load_starter", verbosity=0, stdout=io.StringIO())
        return "up to date"

    def import_hsg(self) -> str:
        if ImportRun.objects.filter(source="hsg", finished_at__isnull=False).exists():
            return "already imported"
        call_command("import_hsg", "--no-progress", stdout=io.StringIO())
        return "imported"

    def ingest_demo_reports(self) -> str:
        from visits.services.ingestion import process_report, submit_file

        added = 0
        for entry in self.demo_reports():
            report, created = submit_file(
                content=entry["path"].read_bytes(),
                filename=entry["path"].name,
                published=dt.date.fromisoformat(entry["published"]),
                language=entry["language"],
                publisher=entry.get("publisher", ""),
                enqueue=False,
            )
            if created:
                added += int(process_report(report).status == "done")
        return f"{added} ingested" if added else "already ingested"

    def demo_reports(self) -> list[dict]:
        manifest = json.loads((DEMO_DIR / "reports.json").read_text(encoding="utf-8"))
        entries = [{**entry, "path": DEMO_DIR / entry["file"]} for entry in manifest]
        if SEED_REPORT.exists():  # the founding example, where this checkout has it beside it
            entries.append({"path": SEED_REPORT, "published": "2024-03-19", "language": "fr"})
        return entries

    def create_admin(self) -> None:
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            return
        password = secrets.token_urlsafe(15)
        users.objects.create_superuser(username="admin", email="", password=password)
        self.stdout.write(self.style.SUCCESS(f"Created the admin account: user 'admin', password '{password}'"))
        self.stdout.write("This password is shown once; change it at /admin/password_change/.")
