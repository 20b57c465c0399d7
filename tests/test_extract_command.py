"""`manage.py extract`: a dry run that prints what would be extracted and writes nothing."""

from __future__ import annotations

import datetime as dt
import json
import sys
import types
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from visits.extraction import KnownPerson, KnownPosition, MemoryDirectory

REPORT = (
    "Lavrov arrives in Yerevan\n\n"
    "Russian Foreign Minister Sergei Lavrov arrived in Yerevan on Monday for talks with his Armenian "
    "counterpart Ararat Mirzoyan. He will travel to Baku next week.\n"
)


@pytest.fixture(autouse=True)
def memory_directory(monkeypatch):
    """The command's database directory, replaced by one in memory (no database needed)."""
    lavrov = KnownPerson(11, "Sergey Lavrov", "RU")
    known = MemoryDirectory(
        [KnownPosition(lavrov, "Minister of Foreign Affairs", "RU", None, dt.date(2004, 3, 9), None)],
        aliases={"Sergei Lavrov": lavrov},
    )
    module = types.ModuleType("visits.services.directory")
    module.DatabaseDirectory = lambda: known
    monkeypatch.setitem(sys.modules, "visits.services.directory", module)
    return known


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("extract", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_output_of_a_text_file(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    out, _ = run(str(path), "--published", "2024-03-20", "--language", "en")
    result = json.loads(out)
    assert result["report"]["language"] == "en" and result["report"]["published"] == "2024-03-20"
    (trip,) = result["trips"]
    assert trip["traveller"]["name"] == "Sergey Lavrov" and trip["traveller"]["id"] == 11
    assert [s["country"] for s in trip["stops"]] == ["AM", "AZ"]
    assert out.startswith("{\n  ")  # indented


def test_json_keeps_non_ascii_text(tmp_path):
    path = tmp_path / "rapport.txt"
    path.write_text("Le ministre Sergueï Lavrov s'est rendu en Arménie lundi.", encoding="utf-8")
    out, _ = run(str(path), "--published", "2024-03-20", "--format", "json")
    assert "Sergueï" in out and "\\u" not in out
    assert json.loads(out)["report"]["language"] == "fr"


def test_text_summary(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    out, _ = run(str(path), "--published", "2024-03-20", "--format", "text")
    assert "Trips (1)" in out and "AM (Yerevan) — ongoing" in out
    assert "Meetings (1)" in out and "Ararat Mirzoyan" in out


def test_html_file(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Lavrov in Yerevan</title></head><body><nav>Home | World</nav>"
        "<article><h1>Lavrov in Yerevan</h1><p>Russian Foreign Minister Sergei Lavrov arrived in Yerevan on "
        "Monday for talks with his Armenian counterpart Ararat Mirzoyan.</p><p>He will travel to Baku next "
        "week, the ministry said.</p></article></body></html>",
        encoding="utf-8",
    )
    out, _ = run(str(path), "--published", "2024-03-20")
    result = json.loads(out)
    assert [s["country"] for s in result["trips"][0]["stops"]] == ["AM", "AZ"]


def test_url_is_fetched_with_the_ingestion_fetcher(monkeypatch):
    fetched = []

    def fetch_url(url):
        fetched.append(url)
        body = f"<html><body><p>{REPORT}</p></body></html>".encode()
        return types.SimpleNamespace(body=body, content_type="text/html", encoding="utf-8", url=url)

    module = types.ModuleType("visits.ingestion.fetch")
    module.fetch_url = fetch_url
    monkeypatch.setitem(sys.modules, "visits.ingestion.fetch", module)
    out, _ = run("https://example.org/lavrov", "--published", "2024-03-20", "--language", "en")
    assert fetched == ["https://example.org/lavrov"]
    result = json.loads(out)
    assert result["report"]["url"] == "https://example.org/lavrov"
    assert result["trips"][0]["stops"][0]["country"] == "AM"


def test_writes_nothing(tmp_path, monkeypatch):
    from django.db.models import Model

    def refuse(*args, **kwargs):
        raise AssertionError("the dry run saved something")

    monkeypatch.setattr(Model, "save", refuse)
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    run(str(path), "--published", "2024-03-20")


def test_falls_back_to_nobody_known_without_a_database_directory(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "visits.services.directory", None)  # import fails
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    out, err = run(str(path), "--published", "2024-03-20")
    assert "no database directory" in err
    assert json.loads(out)["trips"][0]["traveller"]["name"] == "Sergei Lavrov"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/report.txt"], "no such file"),
        (["{path}", "--published", "2024-02-30"], "not a real date"),
        (["{path}", "--published", "yesterday"], "not a real date"),
        (["{path}", "--language", "it"], "unknown language"),
    ],
)
def test_clear_errors(tmp_path, args, message):
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run(*[a.format(path=path) for a in args])
