"""Write endpoints: token roles (401/403), report submission (202/200/503), extraction, corrections."""

import sys
import types

import pytest
from kombu.exceptions import OperationalError

from tests import api_factories as fx
from visits.models import Evidence, Meeting, Report, Trip

pytest_plugins = ["tests.api_factories"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_ingestion(monkeypatch):
    """A stand-in for visits.services.ingestion.submit_url (another helper's module)."""
    calls = []

    def submit_url(*, url, enqueue):
        calls.append((url, enqueue))
        if "broker-down" in url:
            raise OperationalError("connection refused")
        return Report.objects.get_or_create(url=url, defaults={"submitted_url": url})

    module = types.ModuleType("visits.services.ingestion")
    module.submit_url = submit_url
    monkeypatch.setitem(sys.modules, "visits.services.ingestion", module)
    return calls


def auth(api, role):
    _, key = fx.user_with_role(role)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_submit_report_roles(api, fake_ingestion):
    body = {"url": "https://news.example/visit"}
    response = api.post("/api/v1/reports", body, format="json")
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    assert "Token" in response["WWW-Authenticate"]
    assert auth(api, "viewer").post("/api/v1/reports", body, format="json").status_code == 403
    response = auth(api, "analyst").post("/api/v1/reports", body, format="json")
    assert response.status_code == 202
    data = response.json()
    assert data["status"] == "queued" and data["status_url"] == f"http://testserver/api/v1/reports/{data['id']}"
    again = api.post("/api/v1/reports", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert fake_ingestion == [(body["url"], True), (body["url"], True)]
    assert api.get(data["status_url"]).json()["id"] == data["id"]


def test_submit_report_broker_down_and_bad_bodies(api, fake_ingestion):
    auth(api, "editor")
    response = api.post("/api/v1/reports", {"url": "https://broker-down.example/x"}, format="json")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    response = api.post("/api/v1/reports", {"url": "not a url"}, format="json")
    assert response.status_code == 400 and "url" in response.json()["errors"]
    response = api.post("/api/v1/reports", "url=https://x.example", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    response = api.post("/api/v1/reports", "{not json", content_type="application/json")
    assert response.status_code == 400
    big = '{"url": "https://x.example/' + "a" * (6 * 1024 * 1024) + '"}'
    assert api.post("/api/v1/reports", big, content_type="application/json").status_code == 413


def test_extract_preview(api, monkeypatch):
    import visits.extraction

    def extract_report(text, *, published, language, directory):
        return {"text": text, "language": language, "published": published}

    monkeypatch.setattr(visits.extraction, "extract_report", extract_report, raising=False)
    body = {"text": "The minister visited Tbilisi.", "language": "en", "published": "2024-03-01"}
    assert api.post("/api/v1/extract", body, format="json").status_code == 401
    response = auth(api, "analyst").post("/api/v1/extract", body, format="json")
    assert response.status_code == 200 and response.json() == {**body}
    assert api.post("/api/v1/extract", {}, format="json").status_code == 400


def test_extract_unavailable_is_503(api, monkeypatch):
    import visits.extraction

    monkeypatch.delattr(visits.extraction, "extract_report", raising=False)  # not written yet
    response = auth(api, "analyst").post("/api/v1/extract", {"text": "x"}, format="json")
    assert response.status_code == 503 and response.json()["status"] == 503


def test_patch_trip_needs_editor_and_keeps_history(api):
    trip = fx.trip(when="2024-03-10")
    assert (
        auth(api, "analyst").patch(f"/api/v1/trips/{trip.pk}", {"status": "cancelled"}, format="json").status_code
        == 403
    )
    user, key = fx.user_with_role("editor")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.patch(f"/api/v1/trips/{trip.pk}", {"status": "cancelled", "start": "2024-03"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled" and response.json()["precision"] == "month"
    trip.refresh_from_db()
    assert trip.status == "cancelled" and trip.history.first().history_user == user
    bad = api.patch(f"/api/v1/trips/{trip.pk}", {"status": "held"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()["errors"]
    bad = api.patch(f"/api/v1/trips/{trip.pk}", {"traveller": 1}, format="json")
    assert bad.status_code == 400 and "traveller" in bad.json()["errors"]
    assert api.patch("/api/v1/trips/999999", {"status": "cancelled"}, format="json").status_code == 404


def test_merge_split_and_review(api):
    auth(api, "admin")
    traveller = fx.person()
    keep = fx.trip(traveller, when="2024-03-10", stops=[("GE", ["Tbilisi"], []), ("AM", ["Yerevan"], [])])
    other = fx.trip(traveller, when="2024-03-10", stops=[("GE", ["Batumi"], [])])
    response = api.post(f"/api/v1/trips/{keep.pk}/merge", {"other": other.pk}, format="json")
    assert response.status_code == 200, response.content
    assert not Trip.objects.filter(pk=other.pk).exists()
    assert api.post(f"/api/v1/trips/{keep.pk}/merge", {"other": keep.pk}, format="json").status_code == 400
    assert api.post(f"/api/v1/trips/{keep.pk}/merge", {"other": "x"}, format="json").status_code == 400

    am_stop = keep.stops.get(country_id="AM")
    response = api.post(f"/api/v1/trips/{keep.pk}/split", {"stops": [am_stop.pk]}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["stops"][0]["country"]["code"] == "AM" and response.json()["id"] != keep.pk
    assert api.post(f"/api/v1/trips/{keep.pk}/split", {"stops": [999999]}, format="json").status_code == 400

    m1, m2 = fx.meeting(when="2024-03-11"), fx.meeting(when="2024-03-11")
    response = api.post(f"/api/v1/meetings/{m1.pk}/merge", {"other": m2.pk}, format="json")
    assert response.status_code == 200, response.content
    assert not Meeting.objects.filter(pk=m2.pk).exists()

    evidence = Evidence.objects.filter(meeting=m1).first()
    response = api.post(f"/api/v1/evidence/{evidence.pk}/review", {"state": "rejected"}, format="json")
    assert response.status_code == 200 and response.json()["review_state"] == "rejected"
    assert api.post(f"/api/v1/evidence/{evidence.pk}/review", {"state": "maybe"}, format="json").status_code == 400


def test_reads_stay_public_for_token_holders_and_anonymous(api):
    trip = fx.trip()
    assert api.get(f"/api/v1/trips/{trip.pk}").status_code == 200
    assert auth(api, "viewer").get(f"/api/v1/trips/{trip.pk}").status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert api.get("/api/v1/trips").status_code == 401
