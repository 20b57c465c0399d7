#!/usr/bin/env python3
"""Set up and run the tracker, or its tests, with nothing but Python 3.11+.

    python3 run.py          # web + API on http://127.0.0.1:8000, Celery worker and beat
    python3 run.py test     # the whole test suite (extra arguments go to pytest)

It creates .venv, installs requirements.txt (again only when it changes), and
uses an embedded PostgreSQL in var/pgdata unless DATABASE_URL is set, and
kombu's filesystem broker in var/broker unless CELERY_BROKER_URL is set. A
server that was asked for is used or the command fails: it never falls back.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
VAR = Path(os.environ.get("TRACKER_VAR_DIR", ROOT / "var"))
REQUIREMENTS = [ROOT / "requirements.txt"]
DEV_REQUIREMENTS = [ROOT / "requirements-dev.txt"]
HOST = os.environ.get("TRACKER_HOST", "127.0.0.1")
PORT = os.environ.get("TRACKER_PORT", "8000")


def say(message: str) -> None:
    print(f"[run] {message}", flush=True)


# --- Environment -------------------------------------------------------------------------------


def ensure_virtualenv(requirement_files: list[Path]) -> None:
    """Create .venv and install the requirements when they changed since the last install."""
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py may be started by an older python3
        sys.exit("Python 3.11 or newer is needed.")
    if not VENV_PYTHON.exists():
        say(f"creating the virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in requirement_files)).hexdigest()
    stamp = VENV / f".installed-{'-'.join(p.stem for p in requirement_files)}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say("installing requirements (first run, or they changed)")
    command = [str(VENV_PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    for path in requirement_files:
        command += ["-r", str(path)]
    if subprocess.call(command) != 0:
        sys.exit("pip could not install the requirements: see the messages above (are you offline?).")
    stamp.write_text(digest)


def reexec_in_virtualenv() -> None:
    if Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:]])


def start_embedded_database():
    """Start (or join) the embedded PostgreSQL and point DATABASE_URL at it for child processes."""
    sys.path.insert(0, str(ROOT))
    from tracker.embedded import embedded_database_url

    url = embedded_database_url(VAR / "pgdata")
    os.environ["DATABASE_URL"] = url
    say(f"embedded PostgreSQL in {VAR / 'pgdata'} (set DATABASE_URL to use your own server)")
    return url


def describe_services(*, embedded_database: bool) -> None:
    if not embedded_database:
        say("database: the server in DATABASE_URL")
    if os.environ.get("CELERY_BROKER_URL"):
        say("broker: CELERY_BROKER_URL")
    else:
        say(f"broker: filesystem queue in {VAR / 'broker'} (set CELERY_BROKER_URL for Redis or RabbitMQ)")
        for folder in ("queue", "processed", "control"):
            (VAR / "broker" / folder).mkdir(parents=True, exist_ok=True)


def manage(*args: str, check: bool = True) -> int:
    code = subprocess.call([str(VENV_PYTHON), str(ROOT / "manage.py"), *args], cwd=ROOT)
    if check and code != 0:
        sys.exit(f"manage.py {' '.join(args)} failed (exit {code})")
    return code


# --- Commands ----------------------------------------------------------------------------------


def prepare_database() -> None:
    manage("migrate", "--no-input", "-v", "0")
    manage("setup_demo")


def serve() -> None:
    ensure_virtualenv(REQUIREMENTS)
    reexec_in_virtualenv()
    embedded = not os.environ.get("DATABASE_URL")
    if embedded:
        start_embedded_database()
    describe_services(embedded_database=embedded)
    prepare_database()
    processes = {
        "web": [str(VENV_PYTHON), "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
        "worker": [
            str(VENV / "bin" / "celery"),
            "-A",
            "tracker",
            "worker",
            "-Q",
            "celery,fetch,extract,maintenance",
            "-c",
            "2",
            "-l",
            "INFO",
            "-n",
            "worker@%h",
        ],
        "beat": [
            str(VENV / "bin" / "celery"),
            "-A",
            "tracker",
            "beat",
            "-l",
            "INFO",
            "-s",
            str(VAR / "celerybeat-schedule"),
        ],
    }
    children = {name: subprocess.Popen(cmd, cwd=ROOT) for name, cmd in processes.items()}
    say(f"the tracker is at http://{HOST}:{PORT}/  (admin: /admin/, API: /api/v1/, docs: /api/v1/docs/)")
    say("press Ctrl-C to stop")
    stop_requested = False

    def request_stop(signum, frame):
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        while not stop_requested:
            for name, child in children.items():
                if child.poll() is not None:
                    say(f"{name} exited with code {child.returncode}; stopping the others")
                    stop_requested = True
            time.sleep(0.5)
    finally:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for child in children.values():
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
        say("stopped" + (" (the embedded PostgreSQL stops with this process)" if embedded else ""))


def test(pytest_args: list[str]) -> None:
    ensure_virtualenv(REQUIREMENTS + DEV_REQUIREMENTS)
    reexec_in_virtualenv()
    embedded = not os.environ.get("DATABASE_URL")
    if embedded:
        start_embedded_database()
    describe_services(embedded_database=embedded)
    code = subprocess.call([str(VENV_PYTHON), "-m", "pytest", *pytest_args], cwd=ROOT)
    sys.exit(code)


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["test"]:
        test(args[1:])
    elif not args or args[:1] == ["serve"]:
        serve()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
