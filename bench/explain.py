"""Measure one page of the tracker in-process: every SQL statement with EXPLAIN ANALYZE, and the Python side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench13 \\
        .venv/bin/python -m bench.explain "/api/v1/timeline?country=GE" [--plans] [--profile]

Runs the request twice with Django's test client (the first warms caches), prints the total time,
the time of each statement of the second run, and with ``--plans`` the EXPLAIN (ANALYZE, BUFFERS)
of each statement; ``--profile`` adds the 25 most expensive functions of the Python side (cProfile).
The timeline cache is off (``TIMELINE_CACHE_SECONDS=0``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--plans", action="store_true", help="EXPLAIN ANALYZE every statement")
    parser.add_argument("--profile", action="store_true", help="cProfile of the request")
    parser.add_argument("--limit", type=int, default=40, help="plan lines per statement")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ.setdefault("TIMELINE_CACHE_SECONDS", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.get(args.url)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(args.url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        total = time.perf_counter() - started
    sql_time = sum(float(q["time"]) for q in queries.captured_queries)
    print(
        f"{args.url}: HTTP {response.status_code}, {len(body)} bytes, {total * 1000:.1f} ms, "
        f"{len(queries)} statements, {sql_time * 1000:.1f} ms in SQL (as Django timed it)"
    )
    for n, query in enumerate(queries.captured_queries, 1):
        sql = query["sql"]
        print(f"\n[{n}] {float(query['time']) * 1000:.1f} ms  {sql[:300]}{'...' if len(sql) > 300 else ''}")
        if args.plans and sql.lstrip("( \n").upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                lines = [row[0] for row in cursor.fetchall()]
            for line in lines[: args.limit]:
                print("    " + line)
            if len(lines) > args.limit:
                print(f"    ... {len(lines) - args.limit} more lines; {lines[-1].strip()}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        response = client.get(args.url)
        if response.streaming:
            b"".join(response.streaming_content)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue())
    sys.stdout.flush()


if __name__ == "__main__":
    main()
