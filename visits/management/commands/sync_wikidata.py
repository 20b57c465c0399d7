"""``manage.py sync_wikidata``: upsert officials and their terms from Wikidata's SPARQL endpoint."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from visits.services.wikidata import WikidataError, endpoint_url, sync


class Command(BaseCommand):
    help = (
        "Fetch holders of heads of state/government, foreign and defence ministers and the heads of NATO, "
        "the UN, the European Commission and the European Council from Wikidata, and upsert them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--endpoint", help="SPARQL endpoint (default: WIKIDATA_SPARQL_URL or Wikidata's)")
        parser.add_argument("--dry-run", action="store_true", help="fetch and count, but keep nothing")
        parser.add_argument(
            "--since",
            type=dt.date.fromisoformat,
            default=dt.date(2000, 1, 1),
            help="only terms that ended on or after this date, or have not ended (default 2000-01-01)",
        )

    def handle(self, *args, **options) -> None:
        endpoint = endpoint_url(options["endpoint"])
        self.stdout.write(f"querying {endpoint}")
        try:
            counts = sync(endpoint=endpoint, since=options["since"], dry_run=options["dry_run"])
        except WikidataError as exc:
            raise CommandError(str(exc)) from exc
        prefix = "dry run, nothing kept: " if options["dry_run"] else ""
        self.stdout.write(f"{prefix}{counts['terms']} terms")
        for kind, outcomes in (
            ("people", ("created", "updated", "unchanged", "skipped")),
            ("positions", ("created", "updated", "unchanged", "matched", "skipped")),
        ):
            summary = ", ".join(f"{counts[f'{kind}_{outcome}']} {outcome}" for outcome in outcomes)
            self.stdout.write(f"{kind}: {summary}")
        self.stdout.write(f"aliases: {counts['aliases_added']} added")
