"""Pinned query counts: every list endpoint runs the same number of queries for 5 or 50 items."""

import pytest

from tests import api_factories as fx

pytest_plugins = ["tests.api_factories"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def many():
    """Eight trips and eight meetings, each with several stops/participants/topics, all with evidence."""
    fx.topic("gas", parent="energy-security")
    for code in ("AZ", "US", "DE", "FR"):
        fx.organization(code=code, parent=fx.organization(code=code))
    travellers = []
    for i in range(8):
        traveller = fx.person(title="Foreign Minister")
        travellers.append(traveller)
        fx.trip(
            traveller,
            when=f"2024-0{i % 9 + 1}",
            stops=[("GE", ["Tbilisi", "Batumi"], ["energy-security", "gas"]), ("AM", ["Yerevan"], ["peace-process"])],
        )
        fx.meeting(
            [(traveller, False, "FR"), (fx.person(), True, "GE"), (fx.person(), False, "DE")],
            when=f"2024-0{i % 9 + 1}-15",
            topics=["energy-security", "climate"],
        )
        fx.report()
    return travellers


# list endpoint -> queries (whatever the page size)
PINNED = {
    # keys, then the entries in one statement (built in PostgreSQL: visits.timeline.entries)
    "/api/v1/trips": 2,
    "/api/v1/meetings": 2,
    "/api/v1/timeline": 3,  # the keys of both kinds in one statement, then the entries of each kind
    "/api/v1/people": 4,  # keys, people, positions, aliases
    "/api/v1/organizations": 2,
    "/api/v1/countries": 2,
    "/api/v1/topics": 3,
    "/api/v1/reports": 2,
}


@pytest.mark.parametrize("url", sorted(PINNED))
@pytest.mark.parametrize("size", [5, 50])
def test_list_query_count_is_fixed(api, many, django_assert_num_queries, url, size):
    with django_assert_num_queries(PINNED[url]):
        response = api.get(url, {"page_size": size})
    assert response.status_code == 200
    assert len(response.json()["results"]) >= min(size, 5)


def test_filtered_timeline_query_count(api, many, django_assert_num_queries):
    # the lookups that validate parameters (person slug; topic and its subtree, level by level) are the only additions
    slugs = [person.slug for person in many[:3]]
    with django_assert_num_queries(PINNED["/api/v1/timeline"] + 4):
        response = api.get("/api/v1/timeline", {"topic": "energy-security", "person": slugs, "start": "2024"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 6
