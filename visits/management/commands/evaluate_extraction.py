"""Run the extraction engine over the labelled evaluation set and print its scores.

    python manage.py evaluate_extraction [--path tests/extraction_eval] [--language xx]
        [--format text|json] [--min-f1 FIELD=VALUE ...]
    python manage.py evaluate_extraction --real dev|test|all [--language xx] [--format text|json]

``--real`` scores the real-report corpus (labels in tests/extraction_real, texts in the local
cache that ``fetch_real_corpus`` builds); it skips cleanly, with exit status 0, when no text is cached.

With ``--min-f1`` the command fails (exit status 1) naming every field whose overall F1 is below
its floor, so CI can keep the scores from regressing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from visits.evaluation import (
    FIELDS,
    REAL_SPLITS,
    EvalCase,
    load_eval_set,
    load_real_corpus,
    remote_contacts_with_trips,
    score,
)


class _Rollback(Exception):
    """Raised to undo the trial merge of a cluster."""


def _parse_floor(value: str) -> tuple[str, float]:
    name, sep, number = value.partition("=")
    if not sep or name not in FIELDS:
        raise CommandError(f"--min-f1 expects FIELD=VALUE with FIELD one of {', '.join(FIELDS)}; got {value!r}")
    try:
        return name, float(number)
    except ValueError:
        raise CommandError(f"--min-f1 {value!r}: {number!r} is not a number") from None


def _database_ready() -> bool:
    """Whether the database answers and has the tracker's tables."""
    from django.db import connection

    try:
        connection.ensure_connection()
        return "visits_trip" in connection.introspection.table_names()
    except Exception:
        return False


class Command(BaseCommand):
    help = "Score the extraction engine against tests/extraction_eval (P/R/F1 per field and language)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", default="tests/extraction_eval", help="the evaluation set's folder")
        parser.add_argument("--language", help="only reports in this language (en, fr, de, es, ru)")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--min-f1",
            nargs="+",
            action="extend",
            default=[],
            metavar="FIELD=VALUE",
            help=f"fail when a field's overall F1 is below VALUE; fields: {', '.join(FIELDS)}",
        )
        parser.add_argument(
            "--real",
            choices=[*REAL_SPLITS, "all"],
            help="score the real-report corpus (tests/extraction_real) instead: its dev half, test half or both",
        )

    def handle(self, *args, **options) -> None:
        floors = dict(_parse_floor(v) for v in options["min_f1"])
        if options["real"]:
            cases = self._real_cases(options["real"], options["language"])
            if not cases:
                return
        else:
            cases = self._cases(options["path"], options["language"])
        database = _database_ready()
        directory = self._directory(database)
        predictions, errors = self._extract_all(cases, directory)
        result = score(predictions, {c.name: c.gold for c in cases}, {c.name: c.text for c in cases})
        merge = self._merge_check(cases, predictions, database)
        remote = remote_contacts_with_trips(cases, predictions)
        if options["format"] == "json":
            payload = {
                **result.as_dict(),
                "cases": len(cases),
                "errors": errors,
                "merge": merge,
                "remote_contacts_with_trips": remote,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            self._print_text(result, cases, errors, merge)
            remote_cases = sum(1 for c in cases if c.kind in ("phone-call", "video-call"))
            self.stdout.write(f"phone and video calls that yielded a trip: {len(remote)} of {remote_cases}")
            for name in remote:
                self.stdout.write(f"  {name}")
        failures = result.below(floors)
        if failures:
            raise CommandError("F1 below floor: " + "; ".join(failures))

    # --- steps ---------------------------------------------------------------------------------

    def _cases(self, path: str, language: str | None) -> list[EvalCase]:
        root = Path(path)
        if not root.is_absolute():
            root = Path(settings.BASE_DIR) / root
        try:
            cases = load_eval_set(root, language=language)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from None
        if not cases:
            raise CommandError(f"no reports under {root}" + (f" in language {language!r}" if language else ""))
        return cases

    def _real_cases(self, split: str, language: str | None) -> list[EvalCase]:
        """The cached cases of the real corpus; an empty list (and a message) when none is cached."""
        corpus = load_real_corpus(
            settings.REAL_CORPUS_LABELS,
            settings.REAL_CORPUS_CACHE,
            split=None if split == "all" else split,
            language=language,
        )
        if corpus.missing:
            self.stderr.write(
                f"{len(corpus.missing)} labelled reports have no cached text in {settings.REAL_CORPUS_CACHE}; "
                "run `python manage.py fetch_real_corpus` to rebuild the cache"
            )
        if corpus.differing:
            self.stderr.write(f"{len(corpus.differing)} cached texts differ from the labelled ones: {corpus.differing}")
        if not corpus.cases:
            self.stdout.write("real corpus: no cached texts, nothing scored (skipped)")
        return corpus.cases

    def _directory(self, database: bool) -> object:
        """The database directory when it can be used, else the empty one; say which on stderr."""
        if database:
            try:
                from visits.services.directory import DatabaseDirectory

                directory = DatabaseDirectory()
                self.stderr.write("directory: DatabaseDirectory (names resolved against the database)")
                return directory
            except Exception as exc:
                self.stderr.write(f"directory: DatabaseDirectory unavailable ({exc.__class__.__name__}: {exc})")
        from visits.extraction.directory import EmptyDirectory

        self.stderr.write("directory: EmptyDirectory (database unreachable or not migrated; names kept as written)")
        return EmptyDirectory()

    def _extract_all(self, cases: list[EvalCase], directory: object) -> tuple[dict[str, dict], dict[str, str]]:
        from visits.extraction import extract_report

        predictions, errors = {}, {}
        for case in cases:
            try:
                predictions[case.name] = extract_report(
                    case.text, published=case.published_for_engine, language=case.language, directory=directory
                )
            except Exception as exc:  # one failing report must not hide the scores of the others
                errors[case.name] = f"{exc.__class__.__name__}: {exc}"
                self.stderr.write(f"extraction failed for {case.name}: {errors[case.name]}")
        return predictions, errors

    def _merge_check(self, cases: list[EvalCase], predictions: dict[str, dict], database: bool) -> dict:
        """Distinct trips after merging each cluster (in a transaction that is rolled back)."""
        if not database:
            return {"skipped": "database unreachable or not migrated"}
        from visits.models import Country
        from visits.services.merge import merge_extraction

        if not Country.objects.exists():
            return {"skipped": "no countries in the database (run manage.py load_places)"}
        clusters: dict[str, list[EvalCase]] = defaultdict(list)
        for case in cases:
            if case.cluster:
                clusters[case.cluster].append(case)
        return {
            "clusters": [
                self._merge_cluster(name, members, predictions, merge_extraction)
                for name, members in sorted(clusters.items())
            ]
        }

    def _merge_cluster(self, name: str, members: list[EvalCase], predictions: dict, merge) -> dict:
        from visits.models import Evidence, Report, Trip

        real_trips = {trip for case in members for trip in case.real_trips}
        row = {"cluster": name, "reports": len(members), "real_trips": len(real_trips)}
        try:
            with transaction.atomic():
                before = set(Trip.objects.values_list("pk", flat=True))
                reports = []
                for case in sorted(members, key=lambda c: (str(c.published or ""), c.name)):
                    report = Report.objects.create(
                        kind=Report.Kind.FILE,
                        title=case.title[:500],
                        language=case.language,
                        published_date=case.published_for_engine,
                        text=case.text,
                    )
                    reports.append(report)
                    merge(
                        report,
                        predictions.get(case.name) or {"report": {}, "officials": [], "trips": [], "meetings": []},
                    )
                cited = Evidence.objects.filter(report__in=reports)
                touched = set(cited.exclude(trip=None).values_list("trip_id", flat=True))
                touched |= set(cited.exclude(stop=None).values_list("stop__trip_id", flat=True))
                touched |= set(Trip.objects.exclude(pk__in=before).values_list("pk", flat=True))
                row["merged_trips"] = len(touched)
                raise _Rollback
        except _Rollback:
            pass
        except Exception as exc:
            row["error"] = f"{exc.__class__.__name__}: {exc}"
        return row

    # --- output --------------------------------------------------------------------------------

    def _print_text(self, result, cases: list[EvalCase], errors: dict[str, str], merge: dict) -> None:
        self.stdout.write(f"{len(cases)} reports, {len(errors)} extraction errors\n")
        self.stdout.write(result.format_table())
        self.stdout.write("")
        if "skipped" in merge:
            self.stdout.write(f"merge check skipped: {merge['skipped']}")
            return
        self.stdout.write(f"{'cluster':<34}{'reports':>8}{'real trips':>12}{'merged trips':>14}")
        for row in merge["clusters"]:
            merged = row.get("merged_trips", "error: " + row.get("error", "?"))
            self.stdout.write(f"{row['cluster']:<34}{row['reports']:>8}{row['real_trips']:>12}{merged!s:>14}")
