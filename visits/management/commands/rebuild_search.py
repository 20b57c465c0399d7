"""python manage.py rebuild_search: rebuild the full-text search documents of every trip and meeting."""

import time

from django.core.management.base import BaseCommand

from visits.search import refresh_search_documents


class Command(BaseCommand):
    help = (
        "Rebuild the stored search documents (what the API's q parameter searches) of all trips and "
        "meetings, e.g. after people's aliases or countries' names changed."
    )

    def handle(self, *args, **options) -> None:
        began = time.monotonic()
        trips, meetings = refresh_search_documents(everything=True)
        seconds = time.monotonic() - began
        self.stdout.write(f"Search documents rebuilt: {trips} trips, {meetings} meetings in {seconds:.1f} s.")
