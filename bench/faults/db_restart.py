"""Fault: PostgreSQL restarted during API reads and during ingestion (a server of our own).

    .venv/bin/python bench/faults/db_restart.py [--down SECONDS]

Starts a private PostgreSQL (initdb/pg_ctl from /usr/lib/postgresql/*/bin, run as the
``postgres`` user, port 5491, 127.0.0.1 only, data in a temporary folder), migrates a
database, then runs gunicorn (production settings, 2 processes, 127.0.0.1:8811) and a
Celery worker (Redis db 7) on it. Readers poll the timeline, a page and /readyz
throughout; four reports are submitted, their extraction slowed to 6 s so that they
are in flight when PostgreSQL is stopped (``pg_ctl stop -m fast``) for ``--down``
seconds and started again. Nothing is restarted but PostgreSQL.

Prints a JSON summary: answers by status during and after the outage, whether any
body carried a traceback, seconds until reads were 200 again, and the reports' final
statuses. Everything it started is stopped at the end; the machine's shared
PostgreSQL (5432) and Redis are never touched (Redis db 7 only is flushed).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
PORT_PG, PORT_WEB = 5491, 8811
BROKER = "redis://127.0.0.1:6379/7"


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"{name} not found under /usr/lib/postgresql")
    return found[-1]


def as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True)


class Postgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1:5491."""

    def __init__(self, base: Path) -> None:
        self.data, self.log = base / "data", base / "pg.log"
        self.socket_dir = base
        as_postgres(pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"-p {PORT_PG} -k {self.socket_dir} -c listen_addresses=127.0.0.1"
        as_postgres(pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        as_postgres(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


def get(url: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()
    except OSError as exc:
        return 0, type(exc).__name__, b""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--down", type=float, default=10.0, help="seconds PostgreSQL stays stopped")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))  # so that cleanup runs
    base = Path(tempfile.mkdtemp(prefix="tracker-db-fault-"))
    shutil.chown(base, "postgres")
    pg = Postgres(base)
    pg.start()
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(PORT_PG), "-U", "postgres", "-qc", "CREATE DATABASE faults"],
                   check=True)  # fmt: skip
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PORT_PG}/faults",
        "CELERY_BROKER_URL": BROKER,
        "TRACKER_PRODUCTION": "1",
        "DJANGO_SECRET_KEY": "fault-" + os.urandom(24).hex(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{PORT_WEB}",
        "GUNICORN_WORKERS": "2",
        "LOG_LEVEL": "WARNING",
        "API_THROTTLE_ANON": "100000/min",  # three tight readers from one address
        "TRACKER_VAR_DIR": str(base / "var"),
    }
    subprocess.run(["redis-cli", "-n", "7", "flushdb"], check=True, capture_output=True)
    subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    web_log = open(base / "web.log", "wb")  # noqa: SIM115 - open for the processes' lifetime
    worker_log_file = open(base / "worker.log", "wb")  # noqa: SIM115
    queues = "fetch,extract,maintenance,celery"
    processes = [
        subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "tracker.wsgi:application", "--config",
                          "deploy/gunicorn.conf.py", "--access-logfile", "/dev/null"], cwd=ROOT, env=env,
                         stdout=web_log, stderr=subprocess.STDOUT, start_new_session=True),
        subprocess.Popen([PY, "-m", "tests.workers", "-A", "tracker", "worker", "-Q", queues,
                          "-c", "1", "--pool=solo", "-l", "INFO", "--without-gossip", "--without-mingle", "-E"],
                         cwd=ROOT,
                         env={**env, "TRACKER_TEST_EXTRACT_DELAY": "6", "LOG_LEVEL": "INFO"},
                         stdout=worker_log_file, stderr=subprocess.STDOUT, start_new_session=True),
    ]  # fmt: skip
    web = f"http://127.0.0.1:{PORT_WEB}"
    results: dict[str, list[tuple[float, int, str, bool]]] = collections.defaultdict(list)
    stop = threading.Event()
    started = time.monotonic()

    def reader() -> None:
        while not stop.is_set():
            for name, path in (("api", "/api/v1/timeline"), ("page", "/"), ("readyz", "/readyz")):
                status, kind, body = get(web + path)
                results[name].append((time.monotonic() - started, status, kind, b"Traceback" in body))
            time.sleep(0.2)

    summary: dict = {}
    try:
        for _ in range(100):
            if get(web + "/healthz")[0] == 200:
                break
            time.sleep(0.3)
        threads = [threading.Thread(target=reader, daemon=True) for _ in range(3)]
        for thread in threads:
            thread.start()
        demo = sorted((ROOT / "visits" / "demo").glob("*.txt"))[:4]
        submit = (
            "from pathlib import Path; from visits.services.ingestion import submit_file\n"
            f"for p in {[str(p) for p in demo]!r}: print(submit_file(content=Path(p).read_bytes(), filename=p)[0].pk)"
        )
        subprocess.run([PY, "manage.py", "shell", "-c", submit], cwd=ROOT, env=env, check=True, capture_output=True)
        time.sleep(3)
        down_at = time.monotonic() - started
        pg.stop()
        time.sleep(args.down)
        pg.start()
        up_at = time.monotonic() - started
        time.sleep(15)
        requeue = "from visits.services.ingestion import requeue_stuck_reports as r; print(r(older_than_minutes=0))"
        subprocess.run([PY, "manage.py", "shell", "-c", requeue], cwd=ROOT, env=env, check=True, capture_output=True)
        statuses = "from visits.models import Report; print(dict(Report.objects.values_list('pk', 'status')))"
        final = ""
        for _ in range(20):
            final = subprocess.run([PY, "manage.py", "shell", "-c", statuses], cwd=ROOT, env=env,
                                   capture_output=True, text=True).stdout.strip()  # fmt: skip
            if final and not any(word in final for word in ("'queued'", "'fetching'", "'extracting'")):
                break
            time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        summary = {"down_seconds": args.down, "down_at": round(down_at, 1), "up_at": round(up_at, 1)}
        for name, rows in results.items():
            during = collections.Counter(s for t, s, _, _ in rows if down_at <= t <= up_at)
            after = [(t, s) for t, s, _, _ in rows if t > up_at]
            first_ok = next((t for t, s in after if s == 200), None)
            summary[name] = {
                "during": dict(during),
                "after": dict(collections.Counter(s for _, s in after)),
                "tracebacks": sum(1 for *_, tb in rows if tb),
                "content_types_503": sorted({k for _, s, k, _ in rows if s == 503}),
                "seconds_to_recover": round(first_ok - up_at, 1) if first_ok is not None else None,
            }
        summary["reports"] = final
        worker_log = (base / "worker.log").read_text(errors="replace")
        summary["worker_retries"] = worker_log.count("Retry in")
        summary["worker_json_lines_with_task_id"] = sum(
            1 for line in worker_log.splitlines() if line.startswith("{") and '"task_id"' in line
        )
        print(json.dumps(summary, indent=1))
    finally:
        stop.set()
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
        with contextlib.suppress(subprocess.CalledProcessError):
            pg.stop()
        subprocess.run(["redis-cli", "-n", "7", "flushdb"], capture_output=True)
        print(f"logs kept in {base}", file=sys.stderr)


if __name__ == "__main__":
    main()
