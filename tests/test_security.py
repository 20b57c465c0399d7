"""Security and availability of the HTTP surface (docs/SECURITY.md): what a client can and cannot get.

Database down → clean 503; admin login throttle; CSRF on forms; CORS for reads only;
no stack trace or secret in a 500; throttles not bypassed with X-Forwarded-For;
production settings pass ``check --deploy``; the timeline cache is invalidated on change.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from tests import api_factories as make

BASE_DIR = Path(__file__).resolve().parents[1]
PASSWORD = "a-long-Passphrase-42"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- database unavailable --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_database_down_gives_a_clean_503_and_recovers_without_restart(client):
    make.trip(title="Visible after recovery", locked_fields=["title"])
    saved = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = _closed_port()  # nothing listens: connection refused
    try:
        api = client.get("/api/v1/timeline")
        page = client.get("/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved
    assert api.status_code == 503 and api["Content-Type"] == "application/problem+json"
    assert api.json()["status"] == 503 and api["Retry-After"]
    assert page.status_code == 503 and page["Retry-After"]
    for response in (api, page):
        body = response.content.decode()
        assert "Traceback" not in body and "OperationalError" not in body and "127.0.0.1" not in body
    again = client.get("/api/v1/timeline")  # same process, next request: a fresh connection
    assert again.status_code == 200 and "Visible after recovery" in again.content.decode()


# --- admin login -----------------------------------------------------------------------------------


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("boss", "boss@example.org", PASSWORD)


def _login(client: Client, password: str, address: str = "192.0.2.10"):
    return client.post("/admin/login/?next=/admin/", {"username": "boss", "password": password}, REMOTE_ADDR=address)


def test_admin_login_is_throttled_after_repeated_failures(client, staff, settings):
    settings.ADMIN_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert _login(client, "wrong-password").status_code == 200  # the form again, with an error
    blocked = _login(client, PASSWORD)  # even the right password, until the window ends
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert _login(Client(), PASSWORD, address="192.0.2.99").status_code == 302  # another client is not blocked


def test_successful_login_clears_the_failure_count(client, staff, settings):
    settings.ADMIN_LOGIN_MAX_FAILURES = 3
    _login(client, "wrong-password")
    _login(client, "wrong-password")
    assert _login(client, PASSWORD).status_code == 302
    client.logout()
    _login(client, "wrong-password")
    _login(client, "wrong-password")
    assert _login(client, PASSWORD).status_code == 302  # 2 + 2 failures, never 3 in a row


def test_admin_login_needs_a_csrf_token(staff):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "boss", "password": PASSWORD})
    assert response.status_code == 403


def test_admin_refuses_non_staff_users(client, db):
    user = get_user_model().objects.create_user("reader", password=PASSWORD)
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_weak_passwords_are_refused(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1!", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("correct horse battery staple 7")


# --- CORS, errors, throttles -----------------------------------------------------------------------


def test_cors_allows_reads_only_and_only_on_the_api(client, db):
    origin = {"HTTP_ORIGIN": "https://elsewhere.example"}
    read = client.get("/api/v1/timeline", **origin)
    assert read["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/v1/reports", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST", **origin)
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")
    assert "Access-Control-Allow-Origin" not in client.get("/admin/login/", **origin)


def test_a_crash_shows_no_traceback_and_no_secret(client, db, monkeypatch, settings):
    from api import views

    def explode(self, request):
        raise RuntimeError(f"boom {settings.SECRET_KEY}")

    monkeypatch.setattr(views.TimelineView, "get", explode)
    client.raise_request_exception = False
    response = client.get("/api/v1/timeline")
    body = response.content.decode()
    assert response.status_code == 500 and response["Content-Type"] == "application/problem+json"
    assert "Traceback" not in body and "boom" not in body and settings.SECRET_KEY not in body
    assert not settings.DEBUG


def test_x_forwarded_for_does_not_reset_the_anonymous_throttle(client, db, monkeypatch, settings):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "100/min"})
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    codes = [client.get("/api/v1/countries", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


# --- production settings ---------------------------------------------------------------------------


def test_production_settings_pass_the_deploy_check():
    env = {
        **os.environ,
        "TRACKER_PRODUCTION": "1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "tracker.example.org",
    }
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.DATABASE_STATEMENT_TIMEOUT_MS)"
    )
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    values = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env={**env, "DJANGO_SETTINGS_MODULE": "tracker.settings"},
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout.split()  # fmt: skip
    assert values == ["False", "True", "True", "True", "True", "True", "25000"]


# --- timeline cache --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_cached_timeline_is_invalidated_by_a_change(client, settings):
    settings.TIMELINE_CACHE_SECONDS = 300
    make.trip(title="First trip")
    first = client.get("/api/v1/timeline")
    second = client.get("/api/v1/timeline")
    assert first.status_code == second.status_code == 200
    assert "X-Cache" not in first and second["X-Cache"] == "hit" and second.content == first.content
    etag = second["ETag"]
    assert client.get("/api/v1/timeline", HTTP_IF_NONE_MATCH=etag).status_code == 304
    make.trip(title="Second trip", when="2024-05-01", locked_fields=["title"])  # saves bump the version on commit
    third = client.get("/api/v1/timeline")
    assert "X-Cache" not in third and "Second trip" in third.content.decode()
    authorized = client.get("/api/v1/timeline", HTTP_AUTHORIZATION="Token nope")
    assert "X-Cache" not in authorized  # credentials: never from the shared cache
