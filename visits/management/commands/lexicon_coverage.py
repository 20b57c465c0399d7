"""Each language's cue file side by side: how many cues it has per key (0 or - stands out).

    python manage.py lexicon_coverage [--keys travel meetings remote ...]

Every cue file is validated against visits/extraction/lexicon.schema.json first; a file that
does not fit fails the command with the file and key named.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from visits.extraction import lexicons


class Command(BaseCommand):
    help = "Print the cues per key of every language's cue file, side by side."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--keys", nargs="+", help="only these keys")

    def handle(self, *args, **options) -> None:
        try:
            table = lexicons.coverage()
        except lexicons.LexiconError as exc:
            raise CommandError(str(exc)) from None
        languages = sorted(table)
        keys = options["keys"] or sorted({key for row in table.values() for key in row})
        self.stdout.write(f"{'key':<20}" + "".join(f"{lang:>6}" for lang in languages))
        for key in keys:
            cells = [table[lang].get(key) for lang in languages]
            self.stdout.write(f"{key:<20}" + "".join(f"{'-' if c is None else c:>6}" for c in cells))
