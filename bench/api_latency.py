"""Latency of the timeline endpoint against hand-written SQL (the floor) and Datasette.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench13 .venv/bin/python -m bench.api_latency \
        [--baseline /tmp/checkout-of-an-earlier-commit] [--no-datasette]

The database is the full size of issue #13 (see docs/BENCHMARKS.md, "How to run": ``migrate``,
``load_places``, ``import_hsg``, ``bench.generate --meetings 1000000 --trips 200000``,
``rebuild_search``, ``VACUUM ANALYZE``; 8 minutes here on 2026-12-02).

Scenarios (``SCENARIOS``): ``/api/v1/timeline`` filtered by country, topic and a date range, 50 a
page, newest first, and the same with ``q`` (tracker, floor, Datasette); the unfiltered timeline and
``?country=GE`` (tracker, floor); ``?person=``, the trips, meetings by topic and by ``q``, the second
page by its cursor, the HTML page ``/?country=GE`` and a CSV stream (tracker). The timeline cache is
off (``TIMELINE_CACHE_SECONDS=0``). Targets, all on 127.0.0.1 with the same number of
workers and the same bounded client loop:

- tracker: gunicorn serving tracker.wsgi (or ``--tracker-url`` of a running server);
- floor: gunicorn serving bench.floor:app (hand-written SQL, psycopg, orjson);
- datasette: ``datasette serve`` on an SQLite export of the same rows, with a canned query;
- baseline (``--baseline DIR``): gunicorn serving the tracker of another checkout (an earlier
  commit) on the same database, for a before/after in one run.

Prints a Markdown table: median and 95th-percentile latency, requests per second (each the
median over ``--runs`` runs), and the tracker's ratios to the floor and to Datasette.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from bench import datasette_export

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
COUNTRIES = ("DE", "FR", "US")
BASE = {"topic": "energy-security", "start": "2010", "end": "2019", "page_size": "50", "ordering": "-date"}
TIMELINE, TRIPS, MEETINGS, PAGE = "/api/v1/timeline", "/api/v1/trips", "/api/v1/meetings", "/"


@dataclass(frozen=True)
class Scenario:
    """One benchmark page: its path and parameters; which targets can answer it."""

    path: str
    params: dict
    rotate_country: bool = False  # DE, FR, US in turn (the "filtered" pages)
    floor: bool = False  # bench.floor answers it (the timeline, filtered by country/topic/dates/q)
    datasette: bool = False
    second_page: bool = False  # follow the first page's next link, measure that
    csv: bool = False  # the whole stream; reported as entries per second


SCENARIOS = {
    "filtered": Scenario(TIMELINE, BASE, rotate_country=True, floor=True, datasette=True),
    "filtered + q": Scenario(TIMELINE, {**BASE, "q": "pipeline"}, rotate_country=True, floor=True, datasette=True),
    "timeline": Scenario(TIMELINE, {}, floor=True),
    "country": Scenario(TIMELINE, {"country": "GE"}, floor=True),
    "person": Scenario(TIMELINE, {"person": "john-forbes-kerry"}),
    "trips": Scenario(TRIPS, {}),
    "topic": Scenario(MEETINGS, {"topic": "energy-security"}),
    "q": Scenario(MEETINGS, {"q": "pipeline"}),
    "second page": Scenario(TIMELINE, {"country": "GE"}, second_page=True),
    "html": Scenario(PAGE, {"country": "GE"}),
    "csv": Scenario(TIMELINE, {"country": "FR", "start": "2019", "end": "2019", "format": "csv"}, csv=True),
}
TIMEOUT = 60.0


@dataclass
class Target:
    """A server to measure: how to turn the tracker's parameters into its request."""

    name: str
    url: str  # the server's base URL

    def supports(self, scenario: str) -> bool:
        known = {"tracker": True, "baseline": True, "floor": SCENARIOS[scenario].floor}
        return known.get(self.name, SCENARIOS[scenario].datasette)

    def request(self, scenario: str, params: dict[str, str]) -> tuple[str, dict[str, str]]:
        if self.name != "datasette":
            return self.url + SCENARIOS[scenario].path, params
        query = "timeline_q" if "q" in params else "timeline"
        start, end = params["start"] + "-01-01", params["end"] + "-12-31"
        values = {"country": params["country"], "topic": params["topic"], "start": start, "end": end}
        if "q" in params:
            values["q"] = params["q"]
        return f"{self.url}/{query}.json", {**values, "_shape": "array"}

    def ids(self, body: bytes) -> set[tuple[str, int]]:
        """(type, id) of the entries in a response, to check that targets agree."""
        data = json.loads(body)
        rows = data if isinstance(data, list) else data["results"]
        return {(row["type"], int(row["id"])) for row in rows}


@dataclass
class Result:
    median_ms: float
    p95_ms: float
    rps: float
    entries_per_s: float | None = None


# --- Servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(command: list[str], url: str, env: dict[str, str]) -> Iterator[None]:
    """Run ``command`` until the block ends; wait (at most 60 s) for ``url`` to answer."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(url, process, log)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(url: str, process: subprocess.Popen | None = None, log=None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited early:\n{log.read().decode(errors='replace')[-3000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=5).status_code < 500:
                return
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def gunicorn(app: str, port: int, workers: int) -> list[str]:
    return [str(VENV_BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--timeout", "120", "--log-level", "warning"]  # fmt: skip


def datasette_command(path: Path, metadata: Path, port: int, threads: int) -> list[str]:
    settings = ["sql_time_limit_ms", "60000", "num_sql_threads", str(threads), "max_returned_rows", "1000"]
    pairs = [arg for i in range(0, len(settings), 2) for arg in ("--setting", settings[i], settings[i + 1])]
    return [str(VENV_BIN / "datasette"), "serve", "-i", str(path), "--metadata", str(metadata),
            "-h", "127.0.0.1", "-p", str(port), *pairs]  # fmt: skip


def write_metadata(path: Path, database: str) -> None:
    queries = {
        "timeline": {"sql": datasette_export.page_sql(search=False)},
        "timeline_q": {"sql": datasette_export.page_sql(search=True)},
    }
    path.write_text(json.dumps({"databases": {database: {"queries": queries}}}))


# --- Measuring ------------------------------------------------------------------------------


def params_for(scenario: str, n: int) -> dict[str, str]:
    found = SCENARIOS[scenario]
    country = {"country": COUNTRIES[n % len(COUNTRIES)]} if found.rotate_country else {}
    return {**found.params, **country}


def fetch(session: requests.Session, target: Target, scenario: str, params: dict[str, str]) -> tuple[float, bytes]:
    url, query = target.request(scenario, params)
    if SCENARIOS[scenario].second_page:  # the next link of the first page, as a client follows it
        first = session.get(url, params=query, timeout=TIMEOUT).json()
        url, query = first["next"], None
    began = time.perf_counter()
    response = session.get(url, params=query, timeout=TIMEOUT)
    took = time.perf_counter() - began
    if response.status_code != 200:
        raise RuntimeError(f"{target.name}: HTTP {response.status_code} for {response.url}: {response.text[:300]}")
    return took, response.content


def measure(target: Target, scenario: str, count: int, concurrency: int) -> Result:
    """``count`` requests from ``concurrency`` clients; latency percentiles and throughput."""
    if SCENARIOS[scenario].csv:  # a few whole streams, one at a time: entries per second
        count, concurrency = max(1, min(count, 3)), 1
    sessions = [requests.Session() for _ in range(concurrency)]
    for n in range(concurrency):  # warm-up: connections, caches, imports
        fetch(sessions[n], target, scenario, params_for(scenario, n))
    began = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        futures = [
            pool.submit(fetch, sessions[n % concurrency], target, scenario, params_for(scenario, n))
            for n in range(count)
        ]
        try:
            done = [f.result() for f in futures]
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)  # one failure (a time-out) ends the scenario
            raise
    wall = time.perf_counter() - began
    latencies = sorted(took for took, _ in done)
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    rate = None
    if SCENARIOS[scenario].csv:
        rows = sum(max(0, body.count(b"\n") - 1) for _, body in done)  # lines less the header (no newlines in cells)
        rate = rows / sum(latencies)
    return Result(statistics.median(latencies) * 1000, p95 * 1000, count / wall, rate)


def agreement(targets: list[Target], failed: dict[tuple[str, str], str]) -> list[str]:
    """Warnings when targets do not return the same entries; records targets that fail or time out."""
    notes = []
    for scenario in SCENARIOS:
        params = params_for(scenario, 0)
        found = {}
        for target in targets:
            if not target.supports(scenario):
                continue
            try:
                body = fetch(requests.Session(), target, scenario, params)[1]
                if scenario not in ("html", "csv"):
                    found[target.name] = target.ids(body)
            except (requests.RequestException, RuntimeError) as exc:
                failed[scenario, target.name] = type(exc).__name__
                notes.append(f"{scenario}: {target.name} failed ({exc}); not measured")
        reference = found.get(targets[0].name) or next(iter(found.values()), set())
        for name, ids in found.items():
            if ids != reference:
                notes.append(f"{scenario}: {name} returns {len(ids)} entries, {len(ids & reference)} in common "
                             f"with {targets[0].name} ({len(reference)})")  # fmt: skip
            elif name != targets[0].name:
                print(f"{scenario}: {name} returns the same {len(ids)} entries as {targets[0].name}", file=sys.stderr)
    return notes


def run_all(
    targets: list[Target], runs: int, count: int, concurrency: int, failed: dict[tuple[str, str], str]
) -> dict[tuple[str, str], Result]:
    results: dict[tuple[str, str], list[Result]] = {}
    for run in range(runs):
        for scenario in SCENARIOS:
            for target in targets:
                if (scenario, target.name) in failed or not target.supports(scenario):
                    continue
                try:
                    result = measure(target, scenario, count, concurrency)
                except (requests.RequestException, RuntimeError) as exc:  # e.g. a request over TIMEOUT
                    failed[scenario, target.name] = type(exc).__name__
                    print(f"run {run + 1} {scenario:14} {target.name:10} failed: {exc}", file=sys.stderr)
                    continue
                results.setdefault((scenario, target.name), []).append(result)
                print(f"run {run + 1} {scenario:14} {target.name:10} median {result.median_ms:8.1f} ms "
                      f"p95 {result.p95_ms:8.1f} ms {result.rps:7.1f} req/s", file=sys.stderr)  # fmt: skip
    merged = {}
    for key, rs in results.items():
        rates = [r.entries_per_s for r in rs if r.entries_per_s is not None]
        merged[key] = Result(
            *(statistics.median(getattr(r, f) for r in rs) for f in ("median_ms", "p95_ms", "rps")),
            statistics.median(rates) if rates else None,
        )
    return merged


def table(results: dict[tuple[str, str], Result], names: list[str], failed: dict[tuple[str, str], str]) -> str:
    lines = [
        "| scenario | target | median (ms) | p95 (ms) | req/s | median vs floor | median vs Datasette |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for scenario in SCENARIOS:
        floor, datasette = results.get((scenario, "floor")), results.get((scenario, "datasette"))
        for name in names:
            if (scenario, name) in failed:
                lines.append(f"| {scenario} | {name} | {failed[scenario, name]} (> {TIMEOUT:.0f} s?) | - | - | - | - |")
                continue
            if (scenario, name) not in results:
                continue
            r = results[scenario, name]
            vs_floor = f"{r.median_ms / floor.median_ms:.2f}x" if floor else "-"
            vs_ds = f"{r.median_ms / datasette.median_ms:.2f}x" if datasette else "-"
            rate = f" ({r.entries_per_s:,.0f} entries/s)" if r.entries_per_s is not None else ""
            cells = [scenario, name, f"{r.median_ms:.1f}{rate}", f"{r.p95_ms:.1f}", f"{r.rps:.1f}", vs_floor, vs_ds]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- Driver ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tracker-url", help="a running tracker's base URL (default: start gunicorn)")
    parser.add_argument(
        "--baseline", type=Path, help="a checkout of an earlier commit, measured beside the tracker (same database)"
    )
    parser.add_argument("--only", help="comma-separated scenarios to run (default all)")
    parser.add_argument("--requests", type=int, default=40, help="requests per target, scenario and run (40)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=2, help="client threads (2)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers (nproc)")
    parser.add_argument("--sqlite", type=Path, default=ROOT / "var" / "bench.sqlite3")
    parser.add_argument("--reuse-sqlite", action="store_true", help="keep an existing SQLite export")
    parser.add_argument("--no-datasette", action="store_true")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        parser.error("set DATABASE_URL to the benchmark database")
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        for name in list(SCENARIOS):
            if name not in wanted:
                del SCENARIOS[name]
    env = {**os.environ, "DJANGO_DEBUG": "0", "PYTHONPATH": str(ROOT), "TIMELINE_CACHE_SECONDS": "0"}
    with contextlib.ExitStack() as stack:
        targets = start_targets(args, env, stack)
        failed: dict[tuple[str, str], str] = {}
        for note in agreement(targets, failed):
            print("WARNING:", note, file=sys.stderr)
        results = run_all(targets, args.runs, args.requests, args.concurrency, failed)
    print(table(results, [t.name for t in targets], failed))


def start_targets(args: argparse.Namespace, env: dict[str, str], stack: contextlib.ExitStack) -> list[Target]:
    """Start the servers (loopback only) and return them, tracker first."""
    if args.tracker_url:
        tracker = Target("tracker", args.tracker_url.rstrip("/"))
        wait_for(tracker.url + TIMELINE, seconds=300)
    else:
        port = free_port()
        tracker = Target("tracker", f"http://127.0.0.1:{port}")
        command = gunicorn("tracker.wsgi:application", port, args.workers)
        stack.enter_context(server(command, tracker.url + TIMELINE, env))
    port = free_port()
    floor = Target("floor", f"http://127.0.0.1:{port}")
    stack.enter_context(server(gunicorn("bench.floor:app", port, args.workers), floor.url + TIMELINE, env))
    targets = [tracker, floor]
    if args.baseline:
        port = free_port()
        baseline = Target("baseline", f"http://127.0.0.1:{port}")
        command = [*gunicorn("tracker.wsgi:application", port, args.workers), "--chdir", str(args.baseline)]
        stack.enter_context(server(command, baseline.url + TIMELINE, {**env, "PYTHONPATH": str(args.baseline)}))
        targets.append(baseline)
    if not args.no_datasette:
        targets.append(start_datasette(args, env, stack))
    return targets


def start_datasette(args: argparse.Namespace, env: dict[str, str], stack: contextlib.ExitStack) -> Target:
    if not (args.reuse_sqlite and args.sqlite.exists()):
        args.sqlite.parent.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        counts = datasette_export.export(env["DATABASE_URL"], args.sqlite)
        print(f"SQLite export: {counts} in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    metadata = args.sqlite.with_suffix(".metadata.json")
    write_metadata(metadata, args.sqlite.stem)
    port = free_port()
    target = Target("datasette", f"http://127.0.0.1:{port}/{args.sqlite.stem}")
    command = datasette_command(args.sqlite, metadata, port, args.workers)
    stack.enter_context(server(command, f"http://127.0.0.1:{port}/-/versions.json", env))
    return target


if __name__ == "__main__":
    main()
