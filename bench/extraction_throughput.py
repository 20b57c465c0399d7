"""Throughput and peak memory of the extraction engine, against a baseline that only splits sentences
and tokenises + lemmatises (what any pipeline over the same text must pay).

    .venv/bin/python -m bench.extraction_throughput [--runs 5] [--hsg-limit 400]

Workloads: the seed report (fr), the whole evaluation set (65 reports, 5 languages), HSG
president-travels remarks as dataset records (``Context`` given), and ``real``: the real-report corpus
(213 reports, 23 languages; needs its local cache, see tests/extraction_real/README.md). Each (workload,
mode) runs in a fresh single process (so its max RSS is its own): warm-up once (lexicons, gazetteer,
lemmatiser models), then the median of ``--runs`` timed passes (time.perf_counter). EmptyDirectory: the
engine alone, no database. Prints a Markdown table: reports/s (one core) and peak RSS (ru_maxrss).

    .venv/bin/python -m bench.extraction_throughput --first-pass [--runs 3]

measures what a worker does with new reports: every language's toolkit loaded first (the memory of a
worker that reads all languages), then ONE pass over reports it has never seen, in a fresh process per
run (nothing of those texts is cached yet); the median of the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "data" / "seed" / "otan-caucase-du-sud-2024-03-19.fr.txt"
HSG = ROOT.parent / "shared" / "data" / "hsg" / "travels" / "president-travels"


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()


def _items(workload: str, hsg_limit: int) -> list[dict]:
    import datetime as dt

    if workload == "seed":
        return [{"text": SEED.read_text(encoding="utf-8"), "language": "fr", "published": dt.date(2024, 3, 19)}]
    if workload == "real":
        from django.conf import settings

        from visits.evaluation import load_real_corpus

        corpus = load_real_corpus(settings.REAL_CORPUS_LABELS, settings.REAL_CORPUS_CACHE)
        return [{"text": c.text, "language": c.language, "published": c.published_for_engine} for c in corpus.cases]
    if workload == "eval":
        from visits.evaluation import load_eval_set

        return [
            {"text": c.text, "language": c.language, "published": c.published}
            for c in load_eval_set(ROOT / "tests" / "extraction_eval")
        ]
    from visits.extraction import Context
    from visits.importers.hsg import parse_file, parse_travel

    items = []
    for path in sorted(HSG.glob("*.xml")):
        for i, element in enumerate(parse_file(path, "trips", path.name)):
            record = parse_travel(element, path.name, i)
            if record.remarks and record.country:
                context = Context(traveller=record.name, country=record.country, start=record.start, end=record.end)
                items.append({"text": record.remarks, "language": "en", "context": context})
            if len(items) >= hsg_limit:
                return items
    return items


def _one(workload: str, mode: str, runs: int, hsg_limit: int) -> dict:
    _setup()
    from visits.extraction import EmptyDirectory, extract_report
    from visits.extraction.sentences import split_sentences
    from visits.extraction.toolkit import toolkit

    items = _items(workload, hsg_limit)
    directory = EmptyDirectory()

    def engine(item: dict) -> None:
        extract_report(
            item["text"],
            published=item.get("published"),
            language=item["language"],
            directory=directory,
            context=item.get("context"),
        )

    def baseline(item: dict) -> None:
        kit = toolkit(item["language"])
        for sentence in split_sentences(item["text"], kit.lexicon, kit.dates.month_forms):
            kit.tokenize(sentence.text, sentence.start)

    step = engine if mode == "engine" else baseline
    for item in items:  # warm-up: lexicons, gazetteer, lemmatiser dictionaries
        step(item)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for item in items:
            step(item)
        times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    return {
        "workload": workload,
        "mode": mode,
        "reports": len(items),
        "median_s": median,
        "per_second": len(items) / median if median else None,
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # Linux: KiB
    }


def _first_pass(workload: str, hsg_limit: int) -> dict:
    """Load every language, then extract each report once: a worker meeting new reports."""
    _setup()
    from visits.extraction import EmptyDirectory, extract_report, supported_languages
    from visits.extraction.toolkit import toolkit

    t0 = time.perf_counter()
    for language in supported_languages():
        kit = toolkit(language)
        kit.tokenize("Warm up.")
    loaded = time.perf_counter() - t0
    loaded_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    items = _items(workload, hsg_limit)
    directory = EmptyDirectory()
    t0 = time.perf_counter()
    for item in items:
        extract_report(item["text"], published=item.get("published"), language=item["language"], directory=directory)
    seconds = time.perf_counter() - t0
    return {
        "workload": workload,
        "languages": len(supported_languages()),
        "reports": len(items),
        "load_s": loaded,
        "seconds": seconds,
        "per_second": len(items) / seconds if seconds else None,
        "rss_all_languages_mib": loaded_rss,
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _first_pass_runs(args) -> None:
    rows = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, "-m", "bench.extraction_throughput", "--first-pass-one", args.first_workload],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), file=sys.stderr)
    per_second = statistics.median(r["per_second"] for r in rows)
    rss = statistics.median(r["max_rss_mib"] for r in rows)
    loaded = statistics.median(r["rss_all_languages_mib"] for r in rows)
    header = "| workload | languages loaded | reports | first pass (rep/s, one core) | RSS, languages loaded (MiB) |"
    print(header + " peak RSS (MiB) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {rows[0]['workload']} | {rows[0]['languages']} | {rows[0]['reports']} | {per_second:.1f} "
        f"| {loaded:.0f} | {rss:.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--hsg-limit", type=int, default=400)
    parser.add_argument("--workloads", default="seed,eval,hsg")
    parser.add_argument("--one", nargs=2, metavar=("WORKLOAD", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--first-pass", action="store_true", help="all languages loaded, one pass over new reports")
    parser.add_argument("--first-workload", default="real", help="the workload of --first-pass (default: real)")
    parser.add_argument("--first-pass-one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_pass_one:
        print(json.dumps(_first_pass(args.first_pass_one, args.hsg_limit)))
        return
    if args.first_pass:
        _first_pass_runs(args)
        return
    if args.one:
        print(json.dumps(_one(args.one[0], args.one[1], args.runs, args.hsg_limit)))
        return
    rows = []
    for workload in args.workloads.split(","):
        for mode in ("baseline", "engine"):
            out = subprocess.run(
                [sys.executable, "-m", "bench.extraction_throughput", "--one", workload, mode,
                 "--runs", str(args.runs), "--hsg-limit", str(args.hsg_limit)],
                cwd=ROOT, capture_output=True, text=True, check=True,
            )  # fmt: skip
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(json.dumps(rows[-1]), file=sys.stderr)
    print(
        "| workload | reports | baseline: split + lemmatise (rep/s) | engine (rep/s) | baseline RSS (MiB) | engine RSS (MiB) |"  # noqa: E501
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for workload in args.workloads.split(","):
        base = next(r for r in rows if r["workload"] == workload and r["mode"] == "baseline")
        eng = next(r for r in rows if r["workload"] == workload and r["mode"] == "engine")
        print(
            f"| {workload} | {eng['reports']} | {base['per_second']:.1f} | {eng['per_second']:.1f} "
            f"| {base['max_rss_mib']:.0f} | {eng['max_rss_mib']:.0f} |"
        )


if __name__ == "__main__":
    main()
