"""Property-based run of the OpenAPI schema against the app: no 500s, no response outside the schema.

Writes are exercised anonymously (they must answer 401 cleanly); reads get generated parameters.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests import api_factories as fx

pytest_plugins = ["tests.api_factories"]


from tracker.wsgi import application  # noqa: E402  (pytest-django has configured Django by now)

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Like Django's test client: the WSGI app must not close the test's database connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def sample_data(keep_test_connection, db, fresh_throttles, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/min", "user": "100000/min"})
    fx.trip(stops=[("GE", ["Tbilisi"], ["energy-security"])])
    fx.meeting(topics=["climate"])


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_schema(case):
    response = case.call()
    assert response.status_code < 500, response.text[:500]
    case.validate_response(response, checks=[response_schema_conformance])
