"""sync_wikidata against a recorded SPARQL answer served from a local HTTP server."""

import datetime as dt
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from django.core.management import CommandError, call_command

from visits.models import Organization, Person, PersonAlias, Position
from visits.services.wikidata import USER_AGENT, office_title
from visits.starter import load_officials

pytestmark = pytest.mark.django_db
RECORDED = Path(__file__).parent / "data" / "wikidata"


class SparqlHandler(BaseHTTPRequestHandler):
    """Answers each query with the recorded file its ``#tracker:<name>`` marker names."""

    malformed = False
    seen: list  # (user agent, query) per request

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        query = parse_qs(body)["query"][0]
        self.seen.append((self.headers.get("User-Agent"), query))
        if self.malformed:
            return self._reply(200, "text/html", b"<html>Service temporarily unavailable</html>")
        marker = re.search(r"#tracker:(\w+)", query)
        self._reply(200, "application/sparql-results+json", (RECORDED / f"{marker[1]}.json").read_bytes())

    def _reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def sparql():
    handler = type("Handler", (SparqlHandler,), {"seen": [], "malformed": False})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_port}/sparql"
    server.shutdown()
    server.server_close()


def run(endpoint: str, *extra: str) -> str:
    out = StringIO()
    call_command("sync_wikidata", "--endpoint", endpoint, *extra, stdout=out)
    return out.getvalue()


def snapshot() -> tuple:
    return (
        sorted(Person.objects.values_list("name", "wikidata_id", "country_id")),
        sorted(PersonAlias.objects.values_list("person__name", "name", "language")),
        sorted(Position.objects.values_list("external_id", "title", "country_id", "start_date", "end_date")),
    )


def test_sync_upserts_people_positions_and_aliases(sparql):
    handler, url = sparql
    output = run(url)
    assert "people: 8 created" in output and "positions: 9 created" in output
    putin = Person.objects.get(wikidata_id="Q7747")
    assert putin.name == "Vladimir Putin" and putin.country_id == "RU"
    assert {("Владимир Путин", "ru"), ("Vladimir Poutine", "fr")} <= set(putin.aliases.values_list("name", "language"))
    current = Position.objects.get(external_id="wikidata:Q7747-2a7b5f6e-4f0e-4d5c-9a3e-6c1f0b8d2e11")
    assert (current.title, current.country_id, current.start_date, current.end_date, current.source) == (
        "President",
        "RU",
        dt.date(2012, 5, 7),
        None,
        "wikidata",
    )
    scholz = Position.objects.get(person__wikidata_id="Q61053")
    assert (scholz.title, scholz.end_date) == ("Chancellor", dt.date(2025, 5, 6))
    biden = Position.objects.filter(person__wikidata_id="Q6279")  # head of state and of government: one term
    assert [p.title for p in biden] == ["President"]
    guterres = Position.objects.get(person__wikidata_id="Q311440")
    assert guterres.title == "Secretary-General" and guterres.organization.abbreviation == "UN"
    assert Organization.objects.get(wikidata_id="Q1065").name == "United Nations"
    clinton = Position.objects.get(person__wikidata_id="Q6294")
    assert (clinton.title, clinton.country_id) == ("Secretary of State", "US")
    assert {agent for agent, _ in handler.seen} == {USER_AGENT}
    assert [re.search(r"#tracker:(\w+)", q)[1] for _, q in handler.seen] == [
        "heads",
        "organizations",
        "ministers",
        "names",
    ]


def test_sync_is_idempotent(sparql):
    _, url = sparql
    run(url)
    before = snapshot()
    output = run(url)
    assert snapshot() == before
    assert "people: 0 created, 0 updated, 8 unchanged" in output
    assert "positions: 0 created, 0 updated, 9 unchanged" in output


def test_sync_joins_the_starter_set_without_duplicates(sparql):
    _, url = sparql
    load_officials()
    people = Person.objects.count()
    output = run(url)
    assert Person.objects.get(name="Vladimir Putin").wikidata_id == "Q7747"
    assert Person.objects.get(name="António Guterres").wikidata_id == "Q311440"
    assert Person.objects.count() == people + 2  # Ban Ki-moon and Clinton are not in the starter set
    assert Person.objects.get(name="Angela Merkel").wikidata_id  # she is: the sync joined her record
    assert Position.objects.filter(person__name="Vladimir Putin", title="President").count() == 2
    assert "matched" in output


def test_dry_run_keeps_nothing(sparql):
    _, url = sparql
    output = run(url, "--dry-run")
    assert "dry run" in output and "people: 8 created" in output
    assert Person.objects.count() == 0 and Position.objects.count() == 0


def test_malformed_answer_is_a_clear_error(sparql):
    handler, url = sparql
    handler.malformed = True
    with pytest.raises(CommandError, match="did not answer SPARQL JSON"):
        run(url)
    assert Person.objects.count() == 0


def test_unreachable_endpoint_is_a_clear_error():
    with pytest.raises(CommandError, match="cannot reach"):
        run("http://127.0.0.1:9/sparql")


def test_recorded_answers_are_sparql_json():
    for path in RECORDED.glob("*.json"):
        document = json.loads(path.read_text())
        assert set(document) == {"head", "results"} and document["results"]["bindings"]


@pytest.mark.parametrize(
    ("label", "role", "title"),
    [
        ("Prime Minister of Georgia", "head_of_government", "Prime Minister"),
        ("President of the Government of Spain", "head_of_government", "Prime Minister"),
        ("Chancellor of Germany", "head_of_government", "Chancellor"),
        ("Federal President of Germany", "head_of_state", "President"),
        ("monarch of the United Kingdom", "head_of_state", "Monarch"),
        ("President of the French Republic", "head_of_state", "President"),
    ],
)
def test_office_title(label, role, title):
    assert office_title(label, role=role) == title
