"""Load test: concurrent readers of the timeline API in all its formats (locust, headless).

Run with ``bench/load/run.sh`` (gunicorn with production settings on 127.0.0.1, the HSG
records in database ``bench_ops``), or by hand::

    .venv/bin/locust -f bench/load/locustfile.py --headless -u 200 -r 50 -t 60s \
        --host http://127.0.0.1:8800 --csv var/load/result

Each simulated reader is one client of a proxy: it sends ``X-Forwarded-Proto: https``
(the proxy terminated TLS) and its own ``X-Forwarded-For`` address, so the API's
per-client throttle (120 requests a minute for anonymous clients) applies per reader,
as in production behind nginx (``DJANGO_NUM_PROXIES=1``). A reader waits 1-2 s
between requests, as a person or a polling script would.
"""

from __future__ import annotations

import itertools
import os
import random

from locust import HttpUser, between, task

FORMATS = ["json", "csv", "geojson", "ics", "atom", "timelinejs"]
#: filter combinations seen from the pages: a country, a person, a period, a topic, a status.
#: Full-text search (``q``) is left out: on this data it runs for minutes (docs/BENCHMARKS.md "Load").
FILTERS = [
    {},
    {"country": "AM"},
    {"country": "FR", "start": "2000", "end": "2010"},
    {"person": "hillary-rodham-clinton"},
    {"person": "hillary-rodham-clinton", "country": "GE"},
    {"start": "2012-06", "end": "2012-06"},
    {"topic": "energy-security"},
    {"status": "completed", "country": "JP"},
]
#: CSV streams the whole filtered result: keep it to narrow filters, as the pages do
CSV_FILTERS = [f for f in FILTERS if f]
_addresses = itertools.count(1)


class TimelineReader(HttpUser):
    """One reader: mostly JSON pages of the timeline, the other formats now and then."""

    wait_time = between(1, 2)

    def on_start(self) -> None:
        number = next(_addresses)
        self.client.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": f"198.51.100.{number % 250 + 1}, 203.0.113.{number // 250 + 1}",
                "Accept-Encoding": "gzip",
            }
        )

    def _get(self, fmt: str, filters: dict[str, str], *, page_size: int | None = None) -> None:
        params = dict(filters)
        if fmt != "json":
            params["format"] = fmt
        if page_size and fmt != "csv":
            params["page_size"] = str(page_size)
        name = f"/api/v1/timeline [{fmt}]"
        with self.client.get("/api/v1/timeline", params=params, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
            elif not response.content:
                response.failure("empty body")

    @task(6)
    def json_page(self) -> None:
        self._get("json", random.choice(FILTERS), page_size=random.choice([None, 20, 50]))

    @task(1)
    def geojson(self) -> None:
        self._get("geojson", random.choice(FILTERS))

    @task(1)
    def ics(self) -> None:
        self._get("ics", random.choice(FILTERS))

    @task(1)
    def atom(self) -> None:
        self._get("atom", random.choice(FILTERS))

    @task(1)
    def timelinejs(self) -> None:
        self._get("timelinejs", random.choice(FILTERS))

    @task(0 if os.environ.get("LOAD_WITHOUT_CSV") else 1)
    def csv(self) -> None:
        """The whole filtered list (``LOAD_WITHOUT_CSV=1`` leaves these streams out of the mix)."""
        self._get("csv", random.choice(CSV_FILTERS))
