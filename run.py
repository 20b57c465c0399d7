#!/usr/bin/env python3
"""Set up and run the tracker, or its tests, with nothing but Python 3.11+.

    python3 run.py          # web + API on http://127.0.0.1:8000, Celery worker and beat
    python3 run.py test     # the fast tests, in parallel (extra arguments go to pytest)
    python3 run.py test --all   # every test, the slow ones too (real workers, faults, browser)

It creates .venv, installs requirements.txt (again only when it changes), and
uses an embedded PostgreSQL in var/pgdata unless DATABASE_URL is set, and
kombu's filesystem broker in var/broker unless CELERY_BROKER_URL is set. A
server that was asked for is used or the command fails: it never falls back.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
import venv
from collections.abc import Callable
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


def timed(label: str, action: Callable[[], str], hint: str = "") -> None:
    """Run one set-up step and print one line: its label, its outcome, how long it took (and a hint)."""
    began = time.monotonic()
    outcome = action()
    say(f"{label}: {outcome} ({time.monotonic() - began:.1f} s)" + (f"; {hint}" if hint else ""))


# --- Environment -------------------------------------------------------------------------------


def ensure_virtualenv(requirement_files: list[Path]) -> None:
    """Create .venv and install the requirements when they changed since the last install."""
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py may be started by an older python3
        sys.exit("Python 3.11 or newer is needed.")
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in requirement_files)).hexdigest()
    stamp = VENV / f".installed-{'-'.join(p.stem for p in requirement_files)}"
    if VENV_PYTHON.exists() and stamp.exists() and stamp.read_text() == digest:
        return
    names = ", ".join(path.name for path in requirement_files)
    timed(f"python packages ({names}) in {VENV.name}", lambda: install_requirements(requirement_files, stamp, digest))


def install_requirements(requirement_files: list[Path], stamp: Path, digest: str) -> str:
    if not VENV_PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    command = [str(VENV_PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    for path in requirement_files:
        command += ["-r", str(path)]
    # pip's own notes (an extra a package no longer provides, say) are shown only when it fails.
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        sys.exit("pip could not install the requirements: see the messages above (are you offline?).")
    stamp.write_text(digest)
    return "installed"


def reexec_in_virtualenv() -> None:
    if Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:]])


def start_embedded_database():
    """Start (or join) the embedded PostgreSQL and point DATABASE_URL at it for child processes."""
    sys.path.insert(0, str(ROOT))
    from tracker.embedded import embedded_database_url

    def start() -> str:
        os.environ["DATABASE_URL"] = embedded_database_url(VAR / "pgdata")
        return f"embedded PostgreSQL in {VAR / 'pgdata'}, ready"

    timed("database", start, hint="set DATABASE_URL to use your own server")
    return os.environ["DATABASE_URL"]


def describe_services(*, embedded_database: bool) -> None:
    if not embedded_database:
        say("database: the server in DATABASE_URL")
    if os.environ.get("CELERY_BROKER_URL"):
        say("broker: CELERY_BROKER_URL")
    else:
        say(f"broker: filesystem queue in {VAR / 'broker'} (set CELERY_BROKER_URL for Redis or RabbitMQ)")
        for folder in ("queue", "processed", "control"):
            (VAR / "broker" / folder).mkdir(parents=True, exist_ok=True)


def manage(*args: str) -> str:
    """Run a manage.py command quietly; its output is shown only when it fails."""
    command = [str(VENV_PYTHON), str(ROOT / "manage.py"), *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        sys.exit(f"manage.py {' '.join(args)} failed (exit {result.returncode})")
    return result.stdout


def manage_relayed(*args: str) -> None:
    """Run a manage.py command whose own lines are meant for the user (setup_demo), prefixed like ours."""
    child = subprocess.Popen(
        [str(VENV_PYTHON), str(ROOT / "manage.py"), *args], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    for line in child.stdout or []:
        if line.strip():
            say(line.rstrip())
    if child.wait() != 0:
        sys.exit(f"manage.py {' '.join(args)} failed (exit {child.returncode})")


# Start-up lines of runserver that tell a user nothing run.py does not already say.
RUNSERVER_BANNER = re.compile(
    r"^(Performing system checks|System check identified no issues|Django version|Starting development server"
    r"|Quit the server with|WARNING: This is a development server|For more information on production servers"
    r"|\w+ \d{2}, \d{4} - \d{2}:\d{2}:\d{2}$|\s*$)"
)


def relay(name: str, child: subprocess.Popen) -> None:
    """Print a child's lines with its name, dropping runserver's start-up banner."""
    for line in child.stdout or []:
        if not RUNSERVER_BANNER.match(line):
            print(f"[{name}] {line.rstrip()}", flush=True)


# --- Commands ----------------------------------------------------------------------------------


def prepare_database() -> None:
    timed("database schema", lambda: "migrated" if "Applying" in manage("migrate", "--no-input") else "up to date")
    manage_relayed("setup_demo")


def serve() -> None:
    ensure_virtualenv(REQUIREMENTS)
    reexec_in_virtualenv()
    embedded = not os.environ.get("DATABASE_URL")
    if embedded:
        start_embedded_database()
    describe_services(embedded_database=embedded)
    # Locally the console shows warnings and errors (and runserver's request lines), not every INFO line.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    prepare_database()
    processes = {
        "web": [str(VENV_PYTHON), "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
        "worker": [
            str(VENV / "bin" / "celery"),
            "-A",
            "tracker",
            "--quiet",
            "worker",
            "-Q",
            "celery,fetch,extract,maintenance",
            "-c",
            "2",
            "-l",
            "WARNING",
            "-n",
            "worker@%h",
        ],
        "beat": [
            str(VENV / "bin" / "celery"),
            "-A",
            "tracker",
            "--quiet",
            "beat",
            "-l",
            "WARNING",
            "-s",
            str(VAR / "celerybeat-schedule"),
        ],
    }
    children = {
        name: subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for name, cmd in processes.items()
    }
    for name, child in children.items():
        threading.Thread(target=relay, args=(name, child), daemon=True).start()
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


def pytest_arguments(args: list[str]) -> list[str]:
    """The fast suite on every core by default; ``--all`` adds the slow tests (marker ``slow``).

    A ``-m`` or ``-n`` of the caller's wins; ``-p no:xdist`` (or one core) runs in one process.
    """
    everything = "--all" in args
    args = [arg for arg in args if arg != "--all"]
    extra: list[str] = []
    if not everything and not any(arg == "-m" or arg.startswith("-m") for arg in args):
        extra += ["-m", "not slow"]
    workers = min(os.cpu_count() or 1, 4)
    wants_one_process = "no:xdist" in args or any(arg in ("--version", "-h", "--help") for arg in args)
    if workers > 1 and not wants_one_process and not any(arg.startswith(("-n", "--numprocesses")) for arg in args):
        # loadfile keeps each module on one worker, so a module's heavy fixture is built once.
        extra += ["-n", str(workers), "--dist", "loadfile"]
    return [*extra, *args]


def test(pytest_args: list[str]) -> None:
    ensure_virtualenv(REQUIREMENTS + DEV_REQUIREMENTS)
    reexec_in_virtualenv()
    embedded = not os.environ.get("DATABASE_URL")
    if embedded:
        start_embedded_database()
    describe_services(embedded_database=embedded)
    code = subprocess.call([str(VENV_PYTHON), "-m", "pytest", *pytest_arguments(pytest_args)], cwd=ROOT)
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
