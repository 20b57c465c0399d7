"""Per-report differences between the engine and the labels of the real corpus's DEV half.

    DJANGO_SETTINGS_MODULE=tracker.settings python -m bench.real_errors [--language xx] [NAME ...]

Only the dev half: the test half's errors are never to be read (docs/EXTRACTION.md).
"""

from __future__ import annotations

import argparse
import json

import django


def _trip_line(trip: dict) -> str:
    stops = ", ".join(
        f"{s['country']}{'/' + s['city'] if s.get('city') else ''}:{s.get('start')}" for s in trip["stops"]
    )
    return f"{trip['traveller']['name']} [{trip['status']}] {stops}"


def _meeting_line(meeting: dict) -> str:
    names = ", ".join(p["name"] for p in meeting["participants"])
    topics = ",".join(meeting.get("topics") or [])
    return f"{meeting.get('date')} {meeting.get('country')} [{meeting['status']}] {names} {{{topics}}}"


def main() -> None:
    django.setup()
    from django.conf import settings

    from visits.evaluation import load_real_corpus, score_case
    from visits.extraction import extract_report
    from visits.services.directory import DatabaseDirectory

    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="*")
    parser.add_argument("--language")
    parser.add_argument("--only-wrong", action="store_true")
    args = parser.parse_args()
    corpus = load_real_corpus(
        settings.REAL_CORPUS_LABELS, settings.REAL_CORPUS_CACHE, split="dev", language=args.language
    )
    directory = DatabaseDirectory()
    for case in corpus.cases:
        if args.names and not any(n in case.name for n in args.names):
            continue
        predicted = extract_report(
            case.text, published=case.published_for_engine, language=case.language, directory=directory
        )
        counts = score_case(predicted, case.gold)
        wrong = any(c.fp or c.fn for k, c in counts.items() if k != "evidence")
        if args.only_wrong and not wrong:
            continue
        meta = case.meta
        print(f"=== {case.name} ({case.kind}, published {meta.get('published')} from {meta.get('published_from')})")
        print("  scores:", json.dumps({k: [c.tp, c.fp, c.fn] for k, c in counts.items() if not c.empty}))
        for label, extraction in (("gold", case.gold), ("pred", predicted)):
            for trip in extraction["trips"]:
                print(f"  {label} trip: {_trip_line(trip)}")
            for meeting in extraction["meetings"]:
                print(f"  {label} meet: {_meeting_line(meeting)}")


if __name__ == "__main__":
    main()
