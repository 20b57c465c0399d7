"""Errors as problem+json, hostile input, 404s, CORS on reads, throttling, the schema and its viewers."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from tests import api_factories as fx

pytest_plugins = ["tests.api_factories"]

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS and body["status"] == status and body["detail"]
    return body


def test_problem_shape_for_400_and_404(api):
    body = assert_problem(api.get("/api/v1/timeline?start=2024-02-31&pagesize=5"), 400)
    assert set(body["errors"]) == {"pagesize"}  # unknown parameters are reported first
    body = assert_problem(api.get("/api/v1/timeline?start=2024-02-31"), 400)
    assert "start" in body["errors"] and "2024-02-31" in body["detail"]
    assert_problem(api.get("/api/v1/people/no-such-person"), 404)
    assert_problem(api.get("/api/v1/trips/123456789"), 404)
    assert_problem(api.get("/api/v1/countries/ZZ"), 404)
    assert_problem(api.get("/api/v1/no-such-endpoint"), 404)
    assert_problem(api.delete("/api/v1/timeline"), 405)


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2024-01-01' OR '1'='1"},
        {"person": "1; DROP TABLE visits_person"},
        {"country": "<script>"},
        {"report": "99999999999999999999999"},
        {"cursor": "eyJvIjoiZGF0ZSIsImQiOiJuIiwiayI6WyIyMDI0LTAxLTAxIiwxLDFlMzAwXX0"},
        {"cursor": "!!!"},
        {"page_size": "-1"},
        {"page_size": "1e9"},
        {"min_confidence": "NaN"},
        {"updated_since": "2024-13-45T99:00"},
        {"person": ["a"] * 60},
        {"q": "a\x00b"},
    ],
)
def test_hostile_parameters_are_400_never_500(api, query):
    assert_problem(api.get("/api/v1/timeline", query), 400)


def test_json_whatever_the_accept_header(api):
    response = api.get("/api/v1/timeline", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    head = api.head("/api/v1/timeline")
    assert head.status_code == 200 and head["ETag"] and head.content == b""


def test_known_detail_lookups(api):
    person = fx.person(slug="ana-example")
    assert api.get(f"/api/v1/people/{person.pk}").json()["slug"] == "ana-example"
    assert api.get("/api/v1/people/ana-example").json()["id"] == person.pk
    assert api.get("/api/v1/countries/fr").json()["code"] == "FR"
    topic = api.get("/api/v1/topics/energy-security").json()
    assert topic["parent"] is None and isinstance(topic["children"], list)


def test_cors_headers_on_reads_only(api):
    response = api.get("/api/v1/timeline", HTTP_ORIGIN="https://newsroom.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = api.options(
        "/api/v1/trips", HTTP_ORIGIN="https://newsroom.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


def test_throttling_answers_429_with_retry_after(api, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})
    for _ in range(3):
        assert api.get("/api/v1/topics").status_code == 200
    body = assert_problem(api.get("/api/v1/topics"), 429)
    assert body["title"] == "Too many requests"
    response = api.get("/api/v1/topics")
    assert int(response["Retry-After"]) >= 1
    _, key = fx.user_with_role("viewer")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for _ in range(5):
        assert api.get("/api/v1/topics").status_code == 200  # a token has its own, higher budget
    assert api.get("/api/v1/topics").status_code == 429


def test_schema_and_viewers_are_served_locally(api):
    schema = api.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/timeline", "/api/v1/trips/{id}", "/api/v1/changes", "/api/v1/reports"} <= set(paths)
    for viewer in ("/api/v1/docs/", "/api/v1/redoc/"):
        page = api.get(viewer).content.decode()
        assert "cdn" not in page.lower() and "/static/drf_spectacular_sidecar/" in page


def test_server_errors_are_problems_on_api_paths_only(rf):
    from api.problems import handler500

    response = handler500(rf.get("/api/v1/timeline"))
    assert response.status_code == 500 and response["Content-Type"] == "application/problem+json"
    assert handler500(rf.get("/about")).status_code == 500
    assert handler500(rf.get("/about"))["Content-Type"].startswith("text/html")
