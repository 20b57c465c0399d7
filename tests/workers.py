"""Real Celery workers for tests (no test here): subprocesses on a real Redis broker and the test database.

Used by the scale-out and fault tests. A worker is started as
``python -m tests.workers worker ...`` so that test-only hooks can be switched on
by environment variables before the worker runs its first task:

- ``TRACKER_TEST_EXTRACT_DELAY``: seconds to sleep before each extraction (to be
  able to kill a worker *mid-extraction*);
- ``TRACKER_TEST_BROKER_PREFIX``: the Redis key prefix of this test process (see below).

Isolation: the workers get the very database this test process uses (never a default
server) and a Redis key prefix of its own, so two test runs (or xdist workers) on one
Redis never take each other's tasks. ``TRACKER_TEST_REDIS_URL`` picks the Redis.

Each worker runs in its own process group, so SIGKILL reaches its pool children.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

BASE_DIR = Path(__file__).resolve().parents[1]
PYTHON = BASE_DIR / ".venv" / "bin" / "python"
QUEUES = "fetch,extract,maintenance,celery"


def _test_redis_url() -> str:
    """The Redis the worker tests use: TRACKER_TEST_REDIS_URL, a Redis CELERY_BROKER_URL, else the local one."""
    broker = os.environ.get("CELERY_BROKER_URL", "")
    return os.environ.get("TRACKER_TEST_REDIS_URL") or (
        broker if broker.startswith("redis") else "redis://127.0.0.1:6379/0"
    )


TEST_REDIS_URL = _test_redis_url()
# Every key this process and its workers put in Redis starts with this (kombu's global_keyprefix).
BROKER_PREFIX = f"tracker-test-{os.getpid()}-{secrets.token_hex(3)}:"


def database_url(settings_dict: dict | None = None) -> str:
    """A DATABASE_URL for the database this process uses (pytest-django's test database)."""
    if settings_dict is None:
        from django.db import connection

        settings_dict = connection.settings_dict
    auth = quote(settings_dict["USER"] or "", safe="")
    if settings_dict.get("PASSWORD"):
        auth += ":" + quote(settings_dict["PASSWORD"], safe="")
    # Keep libpq's own view of the server: a socket directory (the embedded PostgreSQL) travels in
    # the query, as do the other OPTIONS; an empty host never becomes 127.0.0.1:5432.
    options = {key: str(value) for key, value in (settings_dict.get("OPTIONS") or {}).items()}
    host = settings_dict.get("HOST") or ""
    if host.startswith("/"):
        options["host"], host = host, ""
    netloc = f"{auth}@{host}" + (f":{settings_dict['PORT']}" if host and settings_dict.get("PORT") else "")
    query = f"?{urlencode(options)}" if options else ""
    return f"postgres://{netloc}/{quote(settings_dict['NAME'], safe='')}{query}"


def redis_client(url: str):
    """A Redis client for ``url``, or a pytest skip when Redis does not answer."""
    import pytest

    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {url}: {exc}")
    return client


@contextlib.contextmanager
def app_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app at ``url`` (tasks sent by the test go there), then back."""
    from tracker.celery import app

    saved = app.conf.broker_url, app.conf.broker_transport_options
    saved_variable = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url  # Celery prefers this variable (set in CI) over its conf
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"max_retries": 1, "global_keyprefix": BROKER_PREFIX}
    app._pool, app.amqp._producer_pool = None, None
    try:
        _fail_on_foreign_workers(app, url)
        yield
    finally:
        # Only drop the references: kombu's global producer pools may still hold these connections.
        app.conf.broker_url, app.conf.broker_transport_options = saved
        if saved_variable is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_variable
        app._pool, app.amqp._producer_pool = None, None


def _fail_on_foreign_workers(app, url: str) -> None:
    """Fail at once when workers not started by this test already consume ``url``.

    A worker left over from an aborted run (pytest killed before its teardown) keeps
    taking tasks from the shared broker database and fails them against its own,
    long dropped test database; the test then waits in vain for tasks it never gets.
    """
    import pytest

    replies = app.control.ping(timeout=1.0)
    if replies:
        names = sorted(name for reply in replies for name in reply)
        pytest.fail(
            f"Celery workers from elsewhere already consume {url}: {', '.join(names)}; stop them first"
            " (ps aux | grep 'tests.workers'), they take this test's tasks"
        )


def _die_with_parent() -> None:
    """In the worker subprocess: get SIGTERM when pytest dies, so no worker outlives an aborted run."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


def _drop_own_keys(client) -> None:
    """Delete this process's broker keys only: other runs may share the Redis database."""
    keys = list(client.scan_iter(match=f"{BROKER_PREFIX}*", count=500))
    if keys:
        client.delete(*keys)


@contextlib.contextmanager
def flushed_broker(url: str = TEST_REDIS_URL) -> Iterator[None]:
    """``app_broker(url)`` with this process's keys emptied before and after (skips when Redis is absent)."""
    client = redis_client(url)
    _drop_own_keys(client)
    try:
        with app_broker(url):
            yield
    finally:
        _drop_own_keys(client)


class Worker:
    """A ``celery worker`` subprocess; its output goes to ``log``."""

    def __init__(
        self,
        log: Path,
        *,
        broker_url: str,
        name: str = "worker",
        pool: str = "solo",
        concurrency: int = 1,
        queues: str = QUEUES,
        db_url: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.log, self.name = log, name
        environment = {
            **os.environ,
            "DATABASE_URL": db_url or database_url(),
            "CELERY_BROKER_URL": broker_url,
            "TRACKER_TEST_BROKER_PREFIX": BROKER_PREFIX,
            "INGEST_ALLOWED_PRIVATE_HOSTS": "127.0.0.1",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            **(env or {}),
        }
        command = [
            str(PYTHON), "-m", "tests.workers", "-A", "tracker", "worker", "-Q", queues, "-c", str(concurrency),
            f"--pool={pool}", "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-E", "-l", "INFO",
        ]  # fmt: skip
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, timeout: float = 60) -> None:
        """Until the worker says it is ready to consume (its log line ``ready.``)."""
        wait_for(lambda: " ready." in self.output(), timeout=timeout, what=f"{self.name} to start", logs=[self.log])

    def kill(self) -> None:
        """SIGKILL the whole process group, as the OOM killer or a lost machine would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL after 15 s."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(check: Callable[[], bool], *, timeout: float, what: str, logs: list[Path] | None = None) -> None:
    """Poll ``check`` every 0.3 s; fail the test with the tails of ``logs`` after ``timeout`` seconds."""
    import pytest

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    tails = "\n".join(
        f"--- {log.name} ---\n{log.read_text(errors='replace')[-3000:]}" for log in logs or [] if log.exists()
    )
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}\n{tails}")


# --- Test hooks, installed in the worker process ------------------------------------------------


def _install_hooks(**_: object) -> None:
    delay = float(os.environ.get("TRACKER_TEST_EXTRACT_DELAY", "0") or 0)
    if delay <= 0:
        return
    import visits.extraction as extraction

    original = extraction.extract_report

    def slow_extract_report(*args, **kwargs):
        time.sleep(delay)
        return original(*args, **kwargs)

    extraction.extract_report = slow_extract_report


def main() -> None:
    """``python -m tests.workers <celery arguments>``: the celery command with the test hooks."""
    from celery.__main__ import main as celery_main
    from celery.signals import worker_init

    from tracker.celery import app

    prefix = os.environ.get("TRACKER_TEST_BROKER_PREFIX")
    if prefix:  # the same keys as the test process that started us
        app.conf.broker_transport_options = {"global_keyprefix": prefix}
    worker_init.connect(_install_hooks, weak=False)
    sys.argv = ["celery", *sys.argv[1:]]
    celery_main()


if __name__ == "__main__":
    main()
