"""The Office of the Historian importer: real records, tours, idempotency, bad input, download."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import io
import tarfile
import threading
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from tests.conftest import HSG_FIXTURES, hsg_datasets
from visits.importers.hsg import (
    TravelRecord,
    group_tours,
    import_hsg,
    merge_duplicates,
    split_locale,
    split_visitor,
    visit_type,
)
from visits.models import Evidence, ImportRun, Meeting, Person, Position, Report, Stop, Trip

# What each data set holds: the few real records of tests/data/hsg, or the whole published set.
EXPECTED = {
    "fixtures": {"travels_records": 20, "stops": 18, "visits": 3},
    "full": {"travels_records": 4271, "stops": 4269, "visits": 3264},
}


# --------------------------------------------------------------------------- pure rules


def test_split_locale():
    assert split_locale("Frankfurt, Bonn") == ["Frankfurt", "Bonn"]
    assert split_locale("Belfast, Hillsborough (Northern Ireland)") == ["Belfast", "Hillsborough"]
    assert split_locale("Washington, D.C.") == ["Washington, D.C."]
    assert split_locale("Tel Aviv and Jerusalem; Gaza") == ["Tel Aviv", "Jerusalem", "Gaza"]
    assert split_locale("") == []


def test_split_visitor():
    assert split_visitor("Prime Minister Kyriakos Mitsotakis") == [("Prime Minister", "Kyriakos Mitsotakis")]
    assert split_visitor("President Andrzej Duda and Prime Minister Donald Tusk") == [
        ("President", "Andrzej Duda"),
        ("Prime Minister", "Donald Tusk"),
    ]
    assert split_visitor("Premier and Prince Sihanouk") == [("Premier and Prince", "Sihanouk")]
    assert split_visitor("President Surangel Whipps, Jr") == [("President", "Surangel Whipps, Jr")]
    assert split_visitor("Prime MinisterHaidar al- Abadi") == [("Prime Minister", "Haidar al- Abadi")]
    assert split_visitor("Chairman of the Presidency Bakir Izetbegovic") == [
        ("Chairman of the Presidency", "Bakir Izetbegovic")
    ]
    assert split_visitor("Valdas Adamkus") == [("", "Valdas Adamkus")]


def test_visit_type():
    assert visit_type("Official Working Visit.") == ("official-working", "Official Working Visit")
    assert visit_type("Met with President Bush during a private visit.") == ("private", "private visit")
    assert visit_type("State Visit.")[0] == "state"
    assert visit_type("Attended the Nuclear Security Summit.") == ("event", "")
    assert visit_type("") == ("unspecified", "")


def _record(id_, start, end, country="AM", who="x", remarks="r") -> TravelRecord:
    return TravelRecord(
        id=id_, role="secretary", who=who, name="X", start=dt.date.fromisoformat(start),
        end=dt.date.fromisoformat(end), precision="day", slug=country.lower(), country=country,
        country_text=country, locale="", remarks=remarks, file="f.xml", index=id_,
    )  # fmt: skip


def test_tour_rule_joins_adjacent_and_overlapping_stops_only():
    records = [
        _record(1, "2012-06-04", "2012-06-05", "AM"),
        _record(2, "2012-06-05", "2012-06-06", "GE"),  # same day as the last end
        _record(3, "2012-06-07", "2012-06-07", "AZ"),  # next day
        _record(4, "2012-06-09", "2012-06-09", "TR"),  # a day's gap: new tour
        _record(5, "2012-06-01", "2012-06-30", "FR", who="y"),  # another person
    ]
    tours = group_tours(records)
    assert [[r.country for r in t] for t in tours] == [["AM", "GE", "AZ"], ["TR"], ["FR"]]


def test_merge_duplicates_keeps_the_lowest_id():
    a, b, c = (
        _record(9, "2021-03-15", "2021-03-17"),
        _record(4, "2021-03-15", "2021-03-17"),
        _record(5, "2021-03-15", "2021-03-17", remarks="other"),
    )
    kept, merged = merge_duplicates([a, b, c])
    assert [r.id for r in kept] == [4, 5] and [r.id for r in merged] == [9]
    assert b.duplicate_ids == [9]


# --------------------------------------------------------------------------- the real records


@pytest.fixture(scope="module", params=hsg_datasets())
def real_import(request, django_db_setup, django_db_blocker):
    """A real import run twice, in one transaction rolled back after the module."""
    root: Path = request.param
    with django_db_blocker.unblock(), transaction.atomic():
        began = time.monotonic()
        first = import_hsg(root, progress=False)
        first_seconds = time.monotonic() - began
        began = time.monotonic()
        second = import_hsg(root, progress=False)
        second_seconds = time.monotonic() - began
        expected = EXPECTED["fixtures" if root == HSG_FIXTURES else "full"]
        yield {"first": first, "second": second, "times": (first_seconds, second_seconds), "expected": expected}
        transaction.set_rollback(True)


real = pytest.mark.django_db


@real
def test_counts(real_import):
    first, expected = real_import["first"], real_import["expected"]
    assert first.problems == []
    assert first.figures["travels_records"] == expected["travels_records"]
    assert first.figures["merged_duplicates"] == 2  # ids 4019 and 4020 repeat 3992 and 3993
    assert Stop.objects.filter(external_id__startswith="hsg-travels:").count() == expected["stops"]
    visits = Meeting.objects.filter(external_id__startswith="hsg-visits:").count()
    assert first.figures["visits"] == visits == expected["visits"]
    reports = Report.objects.filter(kind="dataset", external_id__startswith="hsg-").count()
    assert reports == expected["travels_records"] + expected["visits"]
    assert Trip.objects.filter(external_id__startswith="hsg-tour:").count() == first.figures["tours"]
    assert not Trip.objects.filter(external_id__startswith="hsg-tour:", stops__isnull=True).exists()


@real
def test_second_run_changes_nothing_and_both_are_fast(real_import):
    second, stops = real_import["second"], real_import["expected"]["stops"]
    assert second.tally.total("created") == 0
    assert second.tally.total("updated") == 0
    assert second.tally.total("deleted") == 0
    assert second.tally.counts["stop"]["unchanged"] == stops
    first_seconds, second_seconds = real_import["times"]
    assert first_seconds < 120 and second_seconds < 60
    run = ImportRun.objects.get(pk=second.run.pk)
    assert run.source == "hsg" and run.finished_at and run.counts["stop"]["unchanged"] == stops


@real
def test_clinton_june_2012_tour(real_import):
    yerevan = Stop.objects.select_related("trip__traveller", "trip__position").get(external_id="hsg-travels:3234")
    trip = yerevan.trip
    stops = list(trip.stops.order_by("order"))
    codes = [s.country_id for s in stops]
    # The records chain without a gap from Copenhagen (31 May) to Istanbul (7 June): one tour.
    assert codes == ["DK", "NO", "SE", "AM", "GE", "AZ", "TR"]
    assert codes[3:6] == ["AM", "GE", "AZ"]
    assert [s.cities for s in stops[3:6]] == [["Yerevan"], ["Batumi"], ["Baku"]]
    assert trip.external_id == "hsg-tour:3231"
    assert trip.title.startswith("Hillary Rodham Clinton in Denmark, Norway, Sweden, Armenia, Georgia, Azerbaijan")
    assert (trip.start_date, trip.end_date) == (dt.date(2012, 5, 31), dt.date(2012, 6, 7))
    assert trip.status == "completed" and trip.precision == "day"
    assert trip.traveller.name == "Hillary Rodham Clinton" and trip.traveller.slug == "hillary-rodham-clinton"
    assert trip.position.title == "Secretary of State" and trip.position.country_id == "US"
    assert trip.evidence.count() == 7


@real
def test_stop_record_field_by_field(real_import):
    stop = Stop.objects.get(external_id="hsg-travels:3292")
    assert stop.country_id == "DE"
    assert (stop.start_date, stop.end_date, stop.precision) == (dt.date(1949, 11, 11), dt.date(1949, 11, 13), "day")
    assert stop.locale == "Frankfurt, Bonn" and stop.cities == ["Frankfurt", "Bonn"]
    assert stop.remarks == "Met with President Heuss and Chancellor Adenauer."
    report = Report.objects.get(external_id="hsg-travels:3292")
    assert report.kind == "dataset" and report.language == "en" and report.url is None
    assert report.publisher == "Office of the Historian, U.S. Department of State"
    assert report.text == stop.remarks
    assert report.canonical_url.endswith("/travels/secretary/acheson-dean-gooderham")
    evidence = Evidence.objects.get(report=report, stop=stop)
    assert (evidence.quote, evidence.start, evidence.end, evidence.confidence) == (
        report.text,
        0,
        len(report.text),
        1.0,
    )
    assert Evidence.objects.filter(report=report, trip=stop.trip).exists()


@real
def test_merged_duplicates_keep_both_ids(real_import):
    stop = Stop.objects.get(external_id="hsg-travels:3992")
    assert not Stop.objects.filter(external_id="hsg-travels:4019").exists()
    reports = set(stop.evidence.values_list("report__external_id", flat=True))
    assert reports == {"hsg-travels:3992", "hsg-travels:4019"}
    notes = ImportRun.objects.get(pk=real_import["first"].run.pk).problems
    assert any(n.get("record") == "4019" and "hsg-travels:3992" in n["note"] for n in notes)


@real
def test_presidents_terms_and_historical_countries(real_import):
    terms = Position.objects.filter(external_id__startswith="hsg-president:", person__name="Donald J. Trump")
    assert terms.count() == 2
    trip_2017 = Trip.objects.filter(traveller__name="Donald J. Trump", start_date__year=2017).first()
    assert trip_2017.position.start_date == dt.date(2017, 1, 20)
    assert Stop.objects.filter(country_id="CS").exists()
    assert Stop.objects.filter(country_id="YU").exists()
    assert Stop.objects.filter(country_id="DD").exists() or Meeting.objects.filter(participations__country_id="DD")
    assert Stop.objects.filter(country_id="XK").exists()
    assert Stop.objects.filter(country_id="PS").exists()


@real
def test_visit_field_by_field(real_import):
    meeting = Meeting.objects.get(external_id="hsg-visits:2991")
    assert (meeting.kind, meeting.status, meeting.country_id) == ("visit", "held", "US")
    assert (meeting.start_date, meeting.end_date) == (dt.date(2020, 1, 7), dt.date(2020, 1, 7))
    assert meeting.flags == ["visit-type:official-working"]
    assert meeting.kind_as_written == "Official Working Visit"
    assert meeting.title == "Prime Minister Kyriakos Mitsotakis (Greece): official working visit"
    (part,) = meeting.participations.select_related("person")
    assert (part.title, part.person.name, part.country_id) == ("Prime Minister", "Kyriakos Mitsotakis", "GR")
    assert meeting.evidence.get().quote == "Official Working Visit."
    pair = Meeting.objects.filter(participations__person__name="Donald Tusk").get(
        participations__person__name="Andrzej Duda"
    )
    assert sorted(pair.participations.values_list("title", flat=True)) == ["President", "Prime Minister"]


# --------------------------------------------------------------------------- small files


TRIP = """  <trip role="secretary" who="doe-jane">
    <id>{id}</id><role>secretary</role><name>Jane Doe</name>
    <start-date>{start}</start-date><end-date>{end}</end-date>
    <country id="{slug}">{slug}</country><locale>{locale}</locale><remarks>{remarks}</remarks>
  </trip>
"""
VISIT = """  <visit><id>{id}</id><start-date>{start}</start-date><end-date>{end}</end-date>
    <visitor>{visitor}</visitor><from id="{slug}">{slug}</from><description>{text}</description></visit>
"""


def _trips(*rows: dict) -> str:
    return "<trips>\n" + "".join(TRIP.format(**{"locale": "", "remarks": "", **r}) for r in rows) + "</trips>\n"


def _visits(*rows: dict) -> str:
    return "<visits>\n" + "".join(VISIT.format(**{"text": "Working visit.", **r}) for r in rows) + "</visits>\n"


def _write_small_set(root: Path) -> None:
    (root / "travels" / "secretary-travels").mkdir(parents=True)
    (root / "visits").mkdir()
    (root / "travels" / "secretary-travels" / "doe-jane.xml").write_text(
        _trips(
            {"id": 90001, "start": "2012-06-04", "end": "2012-06-05", "slug": "armenia", "locale": "Yerevan"},
            {"id": 90002, "start": "2012-06-05", "end": "2012-06-06", "slug": "georgia", "locale": "Batumi"},
            {"id": 90003, "start": "2012-06-06", "end": "2012-06-07", "slug": "atlantis", "locale": "Nowhere"},
            {"id": 90004, "start": "2012-06-07", "end": "2012-06-07", "slug": "azerbaijan", "locale": "Baku"},
        )
    )
    (root / "visits" / "2020.xml").write_text(
        _visits(
            {"id": 95001, "start": "2023-02-30", "end": "2023-02-30", "visitor": "King Nobody", "slug": "tonga"},
            {"id": 95002, "start": "2023-03-01", "end": "2023-03-02", "visitor": "King Tupou VI", "slug": "tonga"},
        )
    )


@pytest.mark.django_db
def test_bad_input_is_reported_and_the_rest_loads(tmp_path):
    _write_small_set(tmp_path)
    broken = tmp_path / "travels" / "secretary-travels"
    (broken / "broken.xml").write_text("<trips><trip><id>1</id></trips>")
    (broken / "empty.xml").write_text("")
    out = io.StringIO()
    call_command("import_hsg", str(tmp_path), "--no-progress", stdout=out)
    text = out.getvalue()
    assert "travels/secretary-travels/doe-jane.xml, record 90003" in text and "unknown country slug 'atlantis'" in text
    assert "visits/2020.xml, record 95001" in text and "2023-02-30" in text
    assert "travels/secretary-travels/broken.xml" in text and "malformed XML" in text
    assert "travels/secretary-travels/empty.xml: empty file" in text
    stops = Stop.objects.filter(external_id__in=["hsg-travels:90001", "hsg-travels:90002", "hsg-travels:90004"])
    assert stops.count() == 3
    assert not Stop.objects.filter(external_id="hsg-travels:90003").exists()
    trip = Trip.objects.get(external_id="hsg-tour:90001")
    assert list(trip.stops.order_by("order").values_list("country_id", flat=True)) == ["AM", "GE", "AZ"]
    assert trip.title == "Jane Doe in Armenia, Georgia, Azerbaijan"
    assert Meeting.objects.filter(external_id="hsg-visits:95002").exists()
    assert not Meeting.objects.filter(external_id="hsg-visits:95001").exists()
    run = ImportRun.objects.latest("started_at")
    problems = {(p["file"], p.get("record")) for p in run.problems if "error" in p}
    assert ("travels/secretary-travels/doe-jane.xml", "90003") in problems
    assert ("visits/2020.xml", "95001") in problems
    assert len(problems) == 4


@pytest.mark.django_db
def test_locked_fields_are_never_overwritten_and_reruns_are_idempotent(tmp_path):
    _write_small_set(tmp_path)
    import_hsg(tmp_path, progress=False)
    stop = Stop.objects.get(external_id="hsg-travels:90001")
    stop.cities = ["Yerevan", "Echmiadzin"]
    stop.remarks = "edited by an analyst"
    stop.lock("cities")
    stop.save()
    meeting = Meeting.objects.get(external_id="hsg-visits:95002")
    meeting.title = "Analyst's title"
    meeting.lock("title")
    meeting.save()
    again = import_hsg(tmp_path, progress=False)
    stop.refresh_from_db()
    meeting.refresh_from_db()
    assert stop.cities == ["Yerevan", "Echmiadzin"]  # locked: kept
    assert stop.remarks == ""  # not locked: restored from the record
    assert meeting.title == "Analyst's title"
    assert again.tally.counts["stop"]["updated"] == 1
    third = import_hsg(tmp_path, progress=False)
    assert third.tally.total("created") == third.tally.total("updated") == 0
    assert Person.objects.filter(name="Jane Doe").count() == 1


# --------------------------------------------------------------------------- download


def _tarball(root: Path, repo: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(root / repo, arcname=f"{repo}-main")
    return buffer.getvalue()


@pytest.fixture
def archive_server(tmp_path):
    """A local HTTP server serving <repo>/archive/refs/heads/main.tar.gz of a small data set."""
    data = tmp_path / "data"
    _write_small_set(data)
    served = tmp_path / "served"
    for repo in ("travels", "visits"):
        target = served / repo / "archive" / "refs" / "heads"
        target.mkdir(parents=True)
        (target / "main.tar.gz").write_bytes(_tarball(data, repo))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_download_when_no_local_copy(tmp_path, settings, archive_server):
    settings.HSG_DATA_DIR = tmp_path / "absent"
    settings.HSG_CACHE_DIR = tmp_path / "var" / "hsg"
    settings.HSG_DOWNLOAD_BASE = archive_server
    out = io.StringIO()
    call_command("import_hsg", "--no-progress", stdout=out)
    assert f"Downloading {archive_server}/travels/archive/refs/heads/main.tar.gz" in out.getvalue()
    assert (tmp_path / "var" / "hsg" / "travels" / "secretary-travels" / "doe-jane.xml").exists()
    assert Stop.objects.filter(external_id="hsg-travels:90002").exists()
    assert Meeting.objects.filter(external_id="hsg-visits:95002").exists()


@pytest.mark.django_db
def test_offline_download_fails_with_a_clear_error(tmp_path, settings):
    settings.HSG_DATA_DIR = tmp_path / "absent"
    settings.HSG_CACHE_DIR = tmp_path / "var" / "hsg"
    settings.HSG_DOWNLOAD_BASE = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.HSG_DOWNLOAD_TIMEOUT = 2
    with pytest.raises(CommandError, match="pass the path of a local copy"):
        call_command("import_hsg", "--no-progress", stdout=io.StringIO())
