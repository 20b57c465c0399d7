"""The web pages, the embed and oEmbed, through Django's test client (no browser)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from visits.dates import period_bounds
from visits.models import (
    City,
    Country,
    Evidence,
    Meeting,
    MeetingTopic,
    Participation,
    Person,
    Position,
    Report,
    Stop,
    StopTopic,
    Topic,
    Trip,
)

HOSTILE = "<script>alert(1)</script>"

pytestmark = pytest.mark.django_db


def country(code: str, name: str) -> Country:
    return Country.objects.get_or_create(code=code, defaults={"name": name})[0]


def topic(slug: str, name: str) -> Topic:
    """A topic of the seeded taxonomy (made again when a transactional test flushed it)."""
    return Topic.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def dated(text: str) -> dict:
    first, last, precision = period_bounds(text)
    return {"start_date": first, "end_date": last, "precision": precision}


def cite(fact_field: str, fact, report: Report, quote: str) -> Evidence:
    return Evidence.objects.create(report=report, quote=quote, start=0, end=len(quote), **{fact_field: fact})


def build_timeline() -> dict:
    """A small timeline: a tour of the South Caucasus (month precision) with a meeting whose
    host's title is disputed, a planned trip known to the year, and a cancelled summit on its own."""
    ge, az, fr, us = (
        country("GE", "Georgia"),
        country("AZ", "Azerbaijan"),
        country("FR", "France"),
        country("US", "United States"),
    )
    City.objects.create(name="Tbilisi", country=ge, latitude=41.69, longitude=44.80, population=1_000_000)
    City.objects.create(name="Baku", country=az, latitude=40.41, longitude=49.87, population=2_000_000)
    chief = Person.objects.create(name="Jens Stoltenberg", slug="jens-stoltenberg")
    host = Person.objects.create(name="Irakli Kobakhidze", slug="irakli-kobakhidze", country=ge)
    Position.objects.create(person=host, title="Prime Minister", country=ge, start_date=dt.date(2024, 2, 8))
    minister = Person.objects.create(name="Jean Ministre", slug="jean-ministre", country=fr)
    membership, peace = topic("membership-process", "Membership process"), topic("peace-process", "Peace process")
    trade = topic("trade-investment", "Trade and investment")
    news = Report.objects.create(
        url="https://news.example/caucasus",
        title="NATO chief tours the South Caucasus",
        publisher="Example News",
        language="en",
        published_date=dt.date(2024, 3, 19),
        status="done",
    )
    hostile = Report.objects.create(
        url="https://evil.example/x",
        title=HOSTILE,
        publisher="<b>Evil</b>",
        language="en",
        status="failed",
        error="Traceback: <img src=x onerror=alert(2)>",
    )
    tour = Trip.objects.create(
        traveller=chief, title="South Caucasus tour", locked_fields=["title"], status="completed", **dated("2024-03")
    )  # an analyst's title; the planned trip's is an importer's, which pages do not show
    tbilisi = Stop.objects.create(trip=tour, order=0, country=ge, cities=["Tbilisi"], **dated("2024-03"))
    baku = Stop.objects.create(trip=tour, order=1, country=az, cities=["Baku"], **dated("2024-03"))
    cite("stop_topic", StopTopic.objects.create(stop=tbilisi, topic=membership), news, "Georgia's path to membership")
    StopTopic.objects.create(stop=baku, topic=peace)
    cite("trip", tour, news, "Stoltenberg began a tour of the South Caucasus in Tbilisi.")
    talks = Meeting.objects.create(
        kind="talks",
        title="Talks in Tbilisi",
        trip=tour,
        stop=tbilisi,
        country=ge,
        city="Tbilisi",
        status="held",
        **dated("2024-03-18"),
    )
    Participation.objects.create(meeting=talks, person=chief)
    disputed = Participation.objects.create(
        meeting=talks,
        person=host,
        title="President",
        country=ge,
        is_host=True,
        flags=["role-contradicts-known-position"],
    )
    cite("meeting", talks, news, "Stoltenberg met Prime Minister Kobakhidze in Tbilisi on 18 March.")
    cite("participation", disputed, hostile, "<img src=x onerror=alert(3)>")
    MeetingTopic.objects.create(meeting=talks, topic=membership)
    planned = Trip.objects.create(traveller=minister, title="Trade mission", status="planned", **dated("2025"))
    stop = Stop.objects.create(trip=planned, order=0, country=us, cities=["Washington"], **dated("2025"))
    StopTopic.objects.create(stop=stop, topic=trade)
    summit = Meeting.objects.create(
        kind="summit",
        title="Paris summit",
        country=fr,
        city="Paris",
        status="cancelled",
        flags=["conflicting-reports"],
        **dated("2024-06-10"),
    )
    cite("meeting", summit, news, "The summit in Paris was called off.")
    return {
        "tour": tour,
        "talks": talks,
        "planned": planned,
        "summit": summit,
        "chief": chief,
        "host": host,
        "hostile": hostile,
        "news": news,
    }


@pytest.fixture
def timeline_data(db) -> dict:
    return build_timeline()


CSP_MIDDLEWARE = "visits.middleware.ContentSecurityPolicyMiddleware"


@pytest.fixture
def csp(settings):
    """The CSP middleware installed (the lead adds it to settings.MIDDLEWARE; until then, here)."""
    if CSP_MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, CSP_MIDDLEWARE]


# --- Every page answers ------------------------------------------------------------------

PAGES = [
    "/",
    "/map/",
    "/topics/",
    "/topics/membership-process/",
    "/people/jens-stoltenberg/",
    "/people/irakli-kobakhidze/",
    "/countries/GE/",
    "/countries/ge/",
    "/reports/",
    "/embed/",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_answer_with_data(client, timeline_data, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "url", ["/", "/map/", "/topics/", "/topics/climate/", "/reports/", "/embed/", "/countries/GE/"]
)
def test_pages_answer_without_data(client, url):
    country("GE", "Georgia")
    response = client.get(url)
    assert response.status_code == 200
    if url in ("/", "/embed/"):
        assert "No trip or meeting matches these filters." in response.content.decode()


@pytest.mark.parametrize("url", ["/people/nobody/", "/countries/ZZ/", "/countries/GEO/", "/topics/no-such-topic/"])
def test_unknown_things_are_404(client, url):
    assert client.get(url).status_code == 404


# --- The timeline ------------------------------------------------------------------------


def test_timeline_groups_trips_with_stops_and_meetings(client, timeline_data):
    html = client.get("/").content.decode()
    tour = html[html.index(f'id="trip-{timeline_data["tour"].pk}"') :]
    # stops in visit order, then the trip's meeting
    assert tour.index("Georgia") < tour.index("Azerbaijan") < tour.index("Talks in Tbilisi")
    # newest first: the planned 2025 trip, the June summit, the March tour
    assert html.index("Ministre in United States") < html.index("Paris summit") < html.index("South Caucasus tour")
    # a title an importer wrote is not shown: people read who went where
    assert "Trade mission" not in html


def test_statuses_are_told_by_label_and_icon(client, timeline_data):
    html = client.get("/").content.decode()
    for status, label in (("planned", "Planned"), ("cancelled", "Cancelled"), ("held", "Held")):
        assert re.search(
            rf'class="status status-{status}"><span class="status-icon" aria-hidden="true">.</span> {label}', html
        )


def test_imprecise_dates_are_shown_as_known(client, timeline_data):
    html = client.get("/").content.decode()
    assert '<time datetime="2024-03">March 2024</time>' in html
    assert '<time datetime="2025">2025</time>' in html
    assert '<time datetime="2024-03-18">March 18, 2024</time>' in html
    french = client.get("/?lang=fr").content.decode()
    assert '<time datetime="2024-03">mars 2024</time>' in french
    assert '<time datetime="2024-03-18">18 mars 2024</time>' in french


def test_sources_and_warnings(client, timeline_data):
    html = client.get("/").content.decode()
    assert '<details class="sources">' in html
    assert "Stoltenberg met Prime Minister Kobakhidze in Tbilisi on 18 March." in html
    link = '<a href="https://news.example/caucasus" rel="noopener noreferrer nofollow">'
    assert f"{link}NATO chief tours the South Caucasus</a>, Example News" in html
    assert '<time datetime="2024-03-19">' in html
    assert "Reports disagree about this entry." in html  # conflicting-reports on the summit
    assert "does not match a position this person is known to hold" in html  # the disputed title
    assert "⚠ disputed" in html
    assert '<a class="chip" href="/topics/membership-process/">' in html


def test_filters_in_the_url_are_applied(client, timeline_data):
    by_country = client.get("/?country=AZ").content.decode()
    assert "South Caucasus tour" in by_country
    assert "Paris summit" not in by_country and "Ministre in United States" not in by_country
    by_topic = client.get("/?topic=trade-investment").content.decode()
    assert "Ministre in United States" in by_topic and "South Caucasus tour" not in by_topic
    by_status = client.get("/?status=cancelled").content.decode()
    assert "Paris summit" in by_status and "Ministre in United States" not in by_status
    by_date = client.get("/?start=2024-06&end=2024").content.decode()
    assert "Paris summit" in by_date and "South Caucasus tour" not in by_date
    # the form shows the filters back
    assert '<option value="AZ" selected>' in by_country


def test_a_meeting_that_matches_brings_its_trip(client, timeline_data):
    html = client.get("/?person=irakli-kobakhidze&person_role=participant").content.decode()
    assert "South Caucasus tour" in html and "Talks in Tbilisi" in html
    assert "Paris summit" not in html
    # parameters without a control ride along in the form
    assert '<input type="hidden" name="person_role" value="participant">' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("country=ZZ", "Unknown country code"),
        ("topic=nonsense", "Unknown topic"),
        ("start=2024-13", "not a real date"),
        ("start=2025&end=2024", "end of the range comes before its start"),
        ("status=lost", "Unknown status"),
        ("bogus=1", "Unknown parameter"),
        ("cursor=garbage", "Invalid cursor"),
        ("page_size=0", "page_size must be between"),
    ],
)
def test_bad_filters_give_a_page_with_the_error(client, timeline_data, query, message):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and message in html
    assert '<form class="filters"' in html  # the reader can correct them


@pytest.mark.parametrize("url", ["/map/?country=ZZ", "/embed/?theme=pink", "/embed/?accent=red", "/reports/?status=x"])
def test_bad_parameters_elsewhere_are_400(client, timeline_data, url):
    response = client.get(url)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


FORMAT_TYPES = (
    ("json", "application/json"),
    ("csv", "text/csv"),
    ("atom", "application/atom+xml"),
    ("ics", "text/calendar"),
)


def test_pages_link_their_data_formats(client, timeline_data):
    html = client.get("/?country=GE&cursor=").content.decode()
    for fmt, media_type in FORMAT_TYPES:
        assert f'<link rel="alternate" type="{media_type}" href="/api/v1/timeline?country=GE&amp;format={fmt}"' in html
        assert f'href="/api/v1/timeline?country=GE&amp;format={fmt}" type="{media_type}"' in html
    person = client.get("/people/jens-stoltenberg/").content.decode()
    assert 'href="/api/v1/timeline?person=jens-stoltenberg&amp;format=csv"' in person


def test_the_api_links_answer(client, timeline_data):
    for fmt in ("json", "csv", "atom", "ics"):
        assert client.get(f"/api/v1/timeline?country=GE&format={fmt}").status_code == 200


def test_pages_of_results_by_cursor(client, timeline_data):
    first = client.get("/?page_size=2").content.decode()
    assert first.count('<article class="entry trip') + first.count('<li>\n<article class="entry meeting') == 2
    next_link = re.search(r'<a rel="next" href="\?([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(f"/?{next_link}").content.decode()
    assert "South Caucasus tour" in second and "Ministre in United States" not in second
    assert 'rel="prev"' in second


# --- Escaping, CSP, framing -------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/embed/", "/reports/", "/people/irakli-kobakhidze/"])
def test_report_text_is_escaped(client, timeline_data, url):
    html = client.get(url).content.decode()
    assert HOSTILE not in html
    assert "<img src=x" not in html
    assert "<b>Evil</b>" not in html
    if url in ("/", "/embed/", "/reports/"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;img src=x" in html


def test_no_inline_script_or_style(client, timeline_data):
    for url in PAGES:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html and ' style="' not in html.replace('style="border:0"', ""), url


def test_csp_and_framing_headers(client, timeline_data, csp):
    page = client.get("/")
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page["X-Frame-Options"] == "DENY"
    embed = client.get("/embed/?country=GE")
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed
    assert client.get("/map/")["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in client.get("/reports/")["Content-Security-Policy"]


# --- Embed and oEmbed ---------------------------------------------------------------------


def test_embed_is_compact_themed_and_credits_sources(client, timeline_data):
    html = client.get("/embed/?country=GE&theme=dark&accent=%231A5FB4").content.decode()
    assert 'class="embed theme-dark"' in html
    assert 'href="/embed/accent.css?accent=1a5fb4"' in html
    assert "Example News" in html and "the diplomatic visit tracker" in html
    assert 'src="/static/visits/js/embed-frame.js"' in html
    assert 'data-poll-url="/api/v1/timeline?country=GE&amp;ordering=-updated&amp;page_size=1"' in html
    assert '<form class="filters"' not in html
    css = client.get("/embed/accent.css?accent=1a5fb4")
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
    assert "--accent: #1a5fb4; --on-accent: #ffffff;" in css.content.decode()
    assert "--on-accent: #000000" in client.get("/embed/accent.css?accent=ffee00").content.decode()
    assert client.get("/embed/accent.css?accent=url(x)").status_code == 400


def test_share_panel_snippets(client, timeline_data):
    html = client.get("/?country=GE&topic=membership-process").content.decode()
    assert "Share / embed" in html
    assert '&lt;iframe src="http://testserver/embed/?country=GE&amp;topic=membership-process&amp;theme=light"' in html
    assert 'data-visit-timeline="country=GE&amp;topic=membership-process"' in html
    assert 'type="application/json+oembed"' in html
    assert client.get("/static/visits/js/embed.js").status_code == 200


def test_an_analyst_can_save_the_search_they_look_at(client, timeline_data, django_user_model):
    assert "Save this search" not in client.get("/?country=GE").content.decode()  # a reader: no link
    analyst = django_user_model.objects.create_user("analyst", password="pw", is_staff=True, is_superuser=True)
    client.force_login(analyst)
    html = client.get("/?country=GE&topic=membership-process").content.decode()
    link = re.search(r'href="(/admin/visits/savedsearch/add/\?[^"]+)">Save this search', html).group(1)
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert 'value="country=GE&amp;topic=membership-process"' in form  # the filters, ready to save
    assert "Save this search" not in client.get("/").content.decode()  # no filters, nothing to save


def test_oembed(client, timeline_data):
    response = client.get("/oembed", {"url": "http://testserver/?country=GE", "format": "json", "maxwidth": "400"})
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "rich" and data["version"] == "1.0"
    assert data["width"] == 400
    assert 'src="http://testserver/embed/?country=GE"' in data["html"] and data["html"].startswith("<iframe")
    person = client.get("/oembed", {"url": "http://testserver/people/jens-stoltenberg/"}).json()
    assert "embed/?person=jens-stoltenberg" in person["html"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"url": "https://elsewhere.example/?country=GE"}, 404),
        ({"url": "http://testserver/reports/"}, 404),
        ({"url": "http://testserver/admin/"}, 404),
        ({"url": "http://testserver/?country=ZZ"}, 404),
        ({"url": "javascript:alert(1)"}, 404),
        ({"url": "http://testserver/", "format": "xml"}, 501),
        ({"url": "http://testserver/", "maxwidth": "wide"}, 400),
        ({}, 400),
    ],
)
def test_oembed_refusals(client, timeline_data, params, status):
    assert client.get("/oembed", params).status_code == status


# --- Other pages ---------------------------------------------------------------------------


def test_person_page(client, timeline_data):
    html = client.get("/people/irakli-kobakhidze/").content.decode()
    assert "Prime Minister" in html and "Positions held" in html
    assert '<a href="/people/jens-stoltenberg/">Jens Stoltenberg</a>' in html  # counterpart
    chief = client.get("/people/jens-stoltenberg/").content.decode()
    assert "Countries visited" in chief and '<a href="/countries/AZ/">Azerbaijan</a>' in chief
    assert '<rect class="bar"' in chief and "Data table" in chief


def test_country_page(client, timeline_data):
    html = client.get("/countries/GE/").content.decode()
    assert "Who came, and when" in html and "Jens Stoltenberg" in html
    assert "Membership process" in html and "<dt>2024</dt>" in html
    france = client.get("/countries/FR/").content.decode()
    assert "Jean Ministre" in france  # outgoing: the French minister's trip
    assert '<a href="/countries/US/">United States</a>' in france


def test_topic_page(client, timeline_data):
    html = client.get("/topics/membership-process/").content.decode()
    assert "1 meeting on this topic" in html
    assert '<a href="/countries/GE/">Georgia</a>' in html
    assert '<time datetime="2024-03">March 2024</time>' in html


def test_map_shades_countries_and_places_cities(client, timeline_data):
    from visits.views import worldmap

    Country.objects.filter(code="GE").update(capital=City.objects.get(name="Tbilisi"))
    brazil = country("BR", "Brazil")
    brazil.capital = City.objects.create(name="Brasília", country=brazil, latitude=-15.8, longitude=-47.9)
    brazil.save()
    html = client.get("/map/").content.decode()
    assert re.search(r'<g class="country shade-[1-5]" data-code="GE">', html)
    assert '<g class="country shade-0" data-code="BR">' in html
    assert '<circle class="city"' in html and "Tbilisi: 1 visit" in html
    assert '<circle class="capital"' in html and "Tbilisi (capital)" in html  # of a country visited
    assert "Brasília (capital)" not in html  # of a country not visited
    filtered = client.get("/map/?topic=trade-investment").content.decode()
    assert '<g class="country shade-0" data-code="GE">' in filtered
    # the fitted projection puts capitals inside their countries
    x, y = worldmap.project(41.69, 44.80)
    assert 1490 < x < 1560 and 300 < y < 345
    assert worldmap.shade(0, 10) == 0 and worldmap.shade(10, 10) == worldmap.SHADES


def test_reports_page_links_to_admin(client, timeline_data):
    html = client.get("/reports/").content.decode()
    hostile = timeline_data["hostile"]
    assert f'href="/admin/visits/report/{hostile.pk}/change/"' in html
    assert "Traceback: &lt;img src=x onerror=alert(2)&gt;" in html
    failed = client.get("/reports/?status=failed").content.decode()
    assert "NATO chief tours" not in failed


# --- Languages ----------------------------------------------------------------------------


def test_language_switcher(client, timeline_data):
    html = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in html and '<label for="language-select">' in html
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/?country=GE"})
    assert response.status_code == 302 and response["Location"] == "/?country=GE"
    french = client.get("/?country=GE").content.decode()
    assert '<html lang="fr">' in french
    assert "Chronologie des visites diplomatiques" in french
    assert "Filtres" in french and "Tenue" in french  # the status of the held talks


@pytest.mark.parametrize(
    "language, words",
    [
        ("de", ["Filter", "Beitrittsprozess", "Friedensprozess"]),
        ("es", ["Cronología", "Proceso de adhesión", "Proceso de paz"]),
        ("ru", ["Хронология", "Процесс вступления", "Мирный процесс"]),
        ("fr", ["Chronologie", "Processus d\u2019adhésion", "Processus de paix"]),
    ],
)
def test_interface_and_topic_names_in_each_language(client, timeline_data, language, words):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    timeline = client.get("/?country=GE").content.decode()
    assert f'<html lang="{language}">' in timeline
    for word in words:
        assert word in timeline
    topic_page = client.get("/topics/membership-process/").content.decode()
    assert f"<h1>{words[1]}</h1>" in topic_page
    assert "Membership process" not in topic_page


# --- Queries ------------------------------------------------------------------------------


MAX_TIMELINE_QUERIES = 30


def build_many(n: int, start: int = 0) -> None:
    """``n`` trips and ``n`` loose meetings, each with stops, topics, people and evidence."""
    ge, fr = country("GE", "Georgia"), country("FR", "France")
    partnership = topic("partnership", "Partnership")
    report = Report.objects.get_or_create(url="https://news.example/many", defaults={"title": "Many"})[0]
    for i in range(start, start + n):
        who = Person.objects.create(name=f"Person {i}", slug=f"person-{i}")
        trip = Trip.objects.create(traveller=who, status="completed", **dated(f"2023-{i % 12 + 1:02d}"))
        cite("trip", trip, report, f"trip {i}")
        for order, place in enumerate((ge, fr)):
            stop = Stop.objects.create(trip=trip, order=order, country=place, cities=["Tbilisi"], **dated("2023"))
            cite("stop_topic", StopTopic.objects.create(stop=stop, topic=partnership), report, f"topic {i}")
        meeting = Meeting.objects.create(trip=trip, country=ge, status="held", **dated("2023-05-01"))
        part = Participation.objects.create(meeting=meeting, person=who, flags=["conflicting-reports"])
        cite("participation", part, report, f"met {i}")
        MeetingTopic.objects.create(meeting=meeting, topic=partnership)
        loose = Meeting.objects.create(country=fr, status="planned", **dated("2022"))
        Participation.objects.create(meeting=loose, person=who)
        cite("meeting", loose, report, f"loose {i}")


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url", ["/?page_size={n}&country=GE", "/embed/?page_size={n}", "/?page_size={n}&topic=partnership"]
)
def test_timeline_queries_do_not_grow_with_the_page(client, django_assert_max_num_queries, url):
    build_many(5)
    few = count_queries(client, url.format(n=10))  # 5 trips and 5 meetings on their own
    build_many(45, start=5)
    with django_assert_max_num_queries(MAX_TIMELINE_QUERIES):
        assert client.get(url.format(n=100)).status_code == 200  # 50 and 50
    assert count_queries(client, url.format(n=100)) == few


@pytest.mark.parametrize("url", ["/map/", "/people/person-1/", "/countries/GE/", "/topics/partnership/", "/reports/"])
def test_other_pages_queries_are_bounded(client, url):
    build_many(5)
    few = count_queries(client, url)
    build_many(20, start=5)
    for i in range(5, 25):
        Report.objects.create(url=f"https://news.example/r{i}", title=f"R{i}")
    assert count_queries(client, url) == few


def test_reports_page_says_which_reports_were_read_only_partly(client, timeline_data):
    from visits.models import Report

    Report.objects.create(kind=Report.Kind.FILE, title="Hebrew report", language="he", status="done", reading="partial")
    html = client.get("/reports/").content.decode()
    assert "Partly read: no cue file for “he” yet" in html


def test_timeline_page_leaves_its_charts_to_the_glance_page(client, timeline_data):
    page = client.get("/?country=GE").content.decode()
    assert 'data-glance-url="/glance/?country=GE"' in page and 'src="/static/visits/js/glance.js"' in page
    assert "<svg" not in page  # the counts over every matching fact are not computed for the page
    glance = client.get("/glance/?country=GE")
    assert glance.status_code == 200
    body = glance.content.decode()
    assert 'id="glance"' in body and 'id="per-month-title"' in body
    assert client.get("/glance/?start=2030-13").status_code == 400


def test_glance_months_form_an_axis_and_the_traveller_is_not_met(client, timeline_data):
    chief = timeline_data["chief"]
    Trip.objects.create(traveller=chief, title="Later visit", status="completed", **dated("2024-06"))
    body = client.get("/glance/").content.decode()
    table = body[body.index('id="per-month-title"') :]
    months = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", table)[:4]
    # March (the tour), April and May (none: shown as 0), June (the later visit)
    assert [n for _, n in months] == ["1", "0", "0", "1"], months
    met = body[body.index('id="counterparts-title"') :]
    assert "Irakli Kobakhidze" in met and "Jens Stoltenberg" not in met  # he travelled: he met, was not met


def test_a_card_says_the_meeting_kind_once(client, timeline_data):
    france = country("FR", "France")
    untitled = Meeting.objects.create(kind="summit", country=france, status="held", **dated("2024-07-01"))
    html = client.get("/?country=FR").content.decode()
    card = html[html.index(f'id="meeting-{untitled.pk}"') :]
    head = card[: card.index("</p>")]  # the heading and the line of facts under it
    assert head.lower().count("summit") == 1, head  # the heading says it; the line of facts does not repeat it
    assert ">Summit in France</h3>" in head  # written for people, not "summit 2024-07-01"
    titled = html[html.index(f'id="meeting-{timeline_data["summit"].pk}"') :]
    titled = titled[: titled.index("</p>")]
    assert titled.lower().count("summit") == 1, titled  # "Paris summit": no " · Summit" after it
    talks = client.get("/?country=GE").content.decode()
    assert "Talks in Tbilisi" in talks and "· Talks<" not in talks.replace("\n", "")
