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


def test_url_is_fetched_through_the_ingestion_path(settings):
    from tests.test_ingest_support import LocalSite, article_html

    settings.INGEST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    site = LocalSite()
    site.thread.start()
    try:
        url = site.html("/lavrov", article_html("Lavrov arrives in Yerevan", REPORT.split("\n\n")[1:]))
        out, _ = run(url, "--published", "2024-03-20", "--language", "en")
    finally:
        site.server.shutdown()
        site.server.server_close()
    assert site.hits("/lavrov") == 1
    result = json.loads(out)
    assert result["report"]["url"] == url
    assert result["trips"][0]["stops"][0]["country"] == "AM"


def test_writes_nothing(tmp_path, monkeypatch):
    from django.db.models import Model

    def refuse(*args, **kwargs):
        raise AssertionError("the dry run saved something")

    monkeypatch.setattr(Model, "save", refuse)
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    run(str(path), "--published", "2024-03-20")


def test_a_language_without_a_cue_file_is_read_partially(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("Сергей Лавров прибыл в Ереван.\n", encoding="utf-8")
    out, _ = run(str(path), "--language", "he", "--format", "text")
    assert "[he]" in out and "Trips (0)" in out and "Partial reading" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/report.txt"], "no such file"),
        (["{path}", "--published", "2024-02-30"], "not a real date"),
        (["{path}", "--published", "yesterday"], "not a real date"),
        (["{path}", "--language", "zz"], "not an ISO 639-1"),
        (["{path}", "--language", "english"], "not an ISO 639-1"),
    ],
)
def test_clear_errors(tmp_path, args, message):
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run(*[a.format(path=path) for a in args])
