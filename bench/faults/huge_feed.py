"""Fault: a feed with 10,000 entries (and one that hangs), polled the way the poll_feed task does.

    .venv/bin/python bench/faults/huge_feed.py [--entries 10000]

Creates database ``faults_feed`` on the server of ``DATABASE_URL`` (default the local
PostgreSQL on 127.0.0.1:5432; dropped again at the end), serves the feeds on 127.0.0.1,
polls the hanging feed and then the huge one with ``visits.services.ingestion.poll_feed``
(task sends are counted, not sent), and prints a JSON summary: seconds per poll, entries
seen and queued, and whether the huge poll fits the ``poll_feed`` task's 120-s soft time limit.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
SOFT_TIME_LIMIT = 120


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))  # so that cleanup runs
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[0]
    subprocess.run(["psql", f"{server}/postgres", "-qc", "DROP DATABASE IF EXISTS faults_feed"], check=True)
    subprocess.run(["psql", f"{server}/postgres", "-qc", "CREATE DATABASE faults_feed"], check=True)
    os.environ.update(
        DATABASE_URL=f"{server}/faults_feed", DJANGO_SETTINGS_MODULE="tracker.settings", LOG_LEVEL="WARNING"
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from tests.test_ingest_support import LocalSite
    from visits.models import Feed, Report
    from visits.services import ingestion

    call_command("migrate", verbosity=0)
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    sent: list[int] = []
    ingestion._send = lambda name, report_id, task_id: sent.append(report_id)
    site = LocalSite()
    site.thread.start()
    base = site.url("")
    items = "".join(
        f"<item><title>Visit {i}</title><link>{base}/news/{i}</link><guid>{base}/news/{i}</guid></item>"
        for i in range(args.entries)
    )
    rss = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>{base}/</link>{items}</channel></rss>'
    )
    headers = {"Content-Type": "application/rss+xml"}
    summary: dict = {"entries": args.entries, "feed_bytes": len(rss)}
    try:
        hanging = Feed.objects.create(url=site.add("/hang.xml", rss[:500], headers=headers, delay=60), name="hang")
        started = time.monotonic()
        hanging = ingestion.poll_feed(feed=hanging)
        summary["hanging"] = {
            "seconds": round(time.monotonic() - started, 1),
            "outcome": hanging.last_outcome,
            "error": hanging.last_error[:120],
        }
        huge = Feed.objects.create(url=site.add("/huge.xml", rss, headers=headers), name="huge")
        started = time.monotonic()
        huge = ingestion.poll_feed(feed=huge)
        seconds = time.monotonic() - started
        summary["huge"] = {
            "seconds": round(seconds, 1),
            "outcome": huge.last_outcome,
            "seen": huge.entries_seen,
            "new": huge.entries_new,
            "reports": Report.objects.filter(feed=huge).count(),
            "tasks_sent": len(sent),
            "fits_soft_time_limit": seconds < SOFT_TIME_LIMIT,
        }
        started = time.monotonic()
        huge.etag = huge.last_modified = ""
        huge.save()
        again = ingestion.poll_feed(feed=huge)
        summary["huge_again"] = {"seconds": round(time.monotonic() - started, 1), "new": again.entries_new}
        print(json.dumps(summary, indent=1))
    finally:
        site.server.shutdown()
        from django.db import connections

        connections.close_all()
        subprocess.run(["psql", f"{server}/postgres", "-qc", "DROP DATABASE IF EXISTS faults_feed"], check=False)


if __name__ == "__main__":
    main()
