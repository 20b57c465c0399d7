"""python manage.py load_places [--min-population N]: countries, cities and capitals, offline."""

from django.core.management.base import BaseCommand, CommandParser

from visits.geo import load_places


class Command(BaseCommand):
    help = "Load ISO countries (names from CLDR), GeoNames cities and capitals; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--min-population", type=int, default=15000, help="smallest city to load (15000)")

    def handle(self, *args, min_population: int, **options) -> None:
        load_places(min_population=min_population, stdout=self.stdout)
