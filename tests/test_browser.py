"""The pages in a real browser: Chromium driven by Playwright against a live server.

Needs /usr/bin/chromium (Debian's ``chromium`` package) and the ``playwright`` Python
package; never ``playwright install``. Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.test_web_pages import CSP_MIDDLEWARE, build_timeline

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in this thread; Django's ORM must still be allowed here.

    Set per test (not at import) so that it never leaks into other tests' subprocesses.
    """
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install -y chromium)"),
]


@pytest.fixture
def browser_page(live_server, settings, transactional_db):
    """A Chromium page that records console errors and uncaught exceptions."""
    added = CSP_MIDDLEWARE not in settings.MIDDLEWARE
    if added:  # until the lead puts it in settings.MIDDLEWARE
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, CSP_MIDDLEWARE]
        _reload_middleware(live_server)
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.on(
            "console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        )
        page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.problems = problems
        yield page
        context.close()
        browser.close()
    if added:
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != CSP_MIDDLEWARE]
        _reload_middleware(live_server)


def _reload_middleware(live_server) -> None:
    """The live server built its middleware chain at start; build it again from the settings."""
    app = live_server.thread.httpd.get_app()
    getattr(app, "application", app).load_middleware()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_reader_journey(browser_page, live_server):
    page = browser_page
    build_timeline()
    base = live_server.url

    # The timeline, with a CSP header and every entry.
    response = page.goto(f"{base}/")
    assert response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert page.locator("article.entry").count() >= 3
    # the charts come from /glance/ once the page is shown (glance.js), as SVG with a data table
    page.wait_for_selector("#glance svg rect.bar")
    assert page.locator("#glance figcaption", has_text="Trips per month").is_visible()

    # The visual timeline: a time axis, a lane per official, the trip as a bar, its stops beneath.
    page.wait_for_selector(".visual-timeline.vt-ready .vis-item.vt-trip")
    assert page.locator(".vt-axis .vis-time-axis .vis-text").count() > 2
    lanes = page.locator(".vt-axis .vis-labelset .vis-label").all_inner_texts()
    assert "Jens Stoltenberg" in lanes and "Jean Ministre" in lanes
    assert page.locator(".vt-axis .vis-item.vt-stop").count() >= 2
    assert page.locator(".vt-axis .vis-point.vt-meeting.vt-cancelled").count() == 1  # the summit, struck through
    assert page.locator(".vt-axis .vis-item.vt-trip.vt-planned").count() == 1  # the trade mission, dashed
    shot(page, "timeline")
    # clicking the tour opens its card, with its sources
    page.locator(".vt-axis .vis-item.vt-trip", has_text="Stoltenberg").first.click()
    card = page.locator(".vt-card")
    card.wait_for(state="visible")
    assert "South Caucasus tour" in card.inner_text()
    assert card.locator("blockquote", has_text="began a tour").is_visible()
    assert card.locator("a[href^='/trips/']").count() == 1
    # lanes per country: the tour's stops in Georgia's and Azerbaijan's lanes
    page.locator("input[name=vt-lanes][value=country]").check()
    labels = "[...document.querySelectorAll('.vt-axis .vis-label')]"
    page.wait_for_function(f"{labels}.some(l => l.innerText === 'Azerbaijan')")
    # the keyboard moves and zooms the axis
    ticks = page.locator(".vt-axis .vis-time-axis .vis-text")
    before = ticks.all_inner_texts()
    page.locator(".vt-axis").focus()
    for _ in range(4):
        page.keyboard.press("+")
    page.wait_for_timeout(200)
    assert ticks.all_inner_texts() != before
    shot(page, "timeline-lanes-by-country")

    # Filter by country and topic with the form (keyboard and mouse).
    page.select_option("#f-country", "GE")
    page.select_option("#f-topic", "membership-process")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "country=GE" in page.url and "topic=membership-process" in page.url
    assert page.get_by_role("heading", name=re.compile("South Caucasus tour")).is_visible()
    assert page.locator("text=Paris summit").count() == 0
    shot(page, "filtered")

    # Open an entry's sources.
    sources = page.locator("article[aria-labelledby^='meeting'] details.sources").first
    summary = sources.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert sources.get_attribute("open") is not None
    assert sources.locator("blockquote").first.is_visible()
    assert sources.locator("a[href='https://news.example/caucasus']").first.is_visible()
    # the disputed title is a warning with text
    assert page.locator(".warning", has_text="does not match a position").first.is_visible()
    shot(page, "sources")

    # Follow the shared URL from the share panel: the same view.
    page.locator("details.share summary").click()
    shared = page.locator("#share-link").input_value()
    assert "country=GE" in shared and "topic=membership-process" in shared
    page.goto(shared)
    assert page.locator("#f-country").input_value() == "GE"
    assert page.locator("#f-topic").input_value() == "membership-process"
    assert page.locator("text=Talks in Tbilisi").first.is_visible()

    # The embed snippet's page, framed by another origin-less page through embed.js.
    embed_url = re.search(r'src="([^"]+)"', page.locator("#share-iframe").input_value()).group(1)
    response = page.goto(embed_url)
    assert "frame-ancestors *" in response.headers["content-security-policy"]
    assert "x-frame-options" not in response.headers
    assert page.locator("body.embed").count() == 1
    assert page.locator("text=Talks in Tbilisi").first.is_visible()
    page.wait_for_timeout(300)  # the poller's first request
    shot(page, "embed")
    dark = page.goto(f"{base}/embed/?{urlencode({'country': 'GE', 'theme': 'dark', 'accent': '1a5fb4'})}")
    assert dark.status == 200
    header = page.locator(".embed-header")
    assert header.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(26, 95, 180)"
    shot(page, "embed-dark")

    # Switch language with the form.
    page.goto(f"{base}/?country=GE")
    page.select_option("#language-select", "fr")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", name="Chronologie des visites diplomatiques").is_visible()
    assert page.locator("time[datetime='2024-03']").first.inner_text() == "mars 2024"
    assert "country=GE" in page.url
    shot(page, "timeline-fr")

    # Narrow screens: no horizontal scrolling at 360 px.
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{base}/map/")
    assert page.locator("svg.world g.country").count() > 150
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    shot(page, "map-360")

    assert page.problems == [], "\n".join(sorted(set(page.problems)))


def test_script_snippet_inserts_the_iframe(browser_page, live_server, tmp_path):
    """embed.js on a journalist's page puts the embed there, sized to its content."""
    page = browser_page
    build_timeline()
    host_page = (
        "<!DOCTYPE html><html><body><h1>A newspaper</h1>"
        f'<script src="{live_server.url}/static/visits/js/embed.js" data-visit-timeline="country=GE" '
        'data-theme="dark" async></script></body></html>'
    )
    # A page the test serves itself, on the server's origin: Chromium's local network access rules
    # keep a page of any other (intercepted, hence "public") origin from loading a loopback server.
    # Framing by other origins is covered by the headers checked in test_reader_journey.
    newspaper = f"{live_server.url}/a-newspaper-article.html"
    page.route(newspaper, lambda route: route.fulfill(body=host_page, content_type="text/html"))
    page.goto(newspaper)
    frame_element = page.wait_for_selector("iframe")
    assert frame_element.get_attribute("src").startswith(f"{live_server.url}/embed/?country=GE")
    frame = frame_element.content_frame()
    frame.wait_for_selector("body.embed.theme-dark")
    assert frame.locator("text=Talks in Tbilisi").first.is_visible()
    shot(page, "script-snippet")
    assert page.problems == [], "\n".join(sorted(set(page.problems)))


def build_many_trips(n: int) -> None:
    """``n`` dated trips of 30 officials, each with a stop and a source (bulk-written)."""
    import datetime as dt

    from visits.models import Country, Evidence, Person, Report, Stop, Trip

    georgia = Country.objects.get_or_create(code="GE", defaults={"name": "Georgia"})[0]
    people = Person.objects.bulk_create(Person(name=f"Official {i}", slug=f"official-{i}") for i in range(30))
    report = Report.objects.create(url="https://news.example/many", title="Many trips", status="done")
    trips = Trip.objects.bulk_create(
        Trip(
            traveller=people[i % 30],
            title=f"Visit {i}",
            start_date=dt.date(2000, 1, 1) + dt.timedelta(days=7 * i),
            end_date=dt.date(2000, 1, 3) + dt.timedelta(days=7 * i),
            precision="day",
        )
        for i in range(n)
    )
    Stop.objects.bulk_create(
        Stop(trip=t, order=0, country=georgia, cities=["Tbilisi"], start_date=t.start_date, end_date=t.end_date,
             precision="day")
        for t in trips
    )  # fmt: skip
    Evidence.objects.bulk_create(Evidence(trip=t, report=report, quote=t.title, start=0, end=5) for t in trips)


def test_visual_timeline_with_1500_trips_draws_them_all(browser_page, live_server):
    """1,500 trips in view: all drawn, no error. The time to the first drawing is written to
    test-artifacts/timeline-1500.json (754 ms on the quiet 2-core VM, docs/WEB.md); the bound here is
    loose on purpose, since CI machines are shared: it catches a drawing that stops being responsive."""
    import json

    page = browser_page
    build_many_trips(1500)
    page.goto(f"{live_server.url}/")
    page.wait_for_selector(".visual-timeline.vt-ready .vis-item.vt-trip", timeout=20_000)
    drawn = int(page.locator(".visual-timeline").get_attribute("data-drawn-ms"))
    status = page.locator(".vt-status").inner_text()
    shot(page, "timeline-1500")
    (ARTIFACTS / "timeline-1500.json").write_text(json.dumps({"entries": 1500, "first_drawn_ms": drawn}))
    assert status.startswith("1500 "), status
    assert drawn < 5000, f"first drawn {drawn} ms after navigation"
    assert page.problems == [], "\n".join(sorted(set(page.problems)))


# --- Each page as a person looks at it, and axe-core's accessibility rules ------------------------

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


def axe_problems(page) -> list[str]:
    """Serious and critical violations axe-core finds on the page as it stands."""
    page.add_script_tag(path=str(AXE))  # the page's CSP is bypassed for this (see page_with_axe)
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def page_with_axe(browser_page):
    if not AXE.exists():
        pytest.skip("axe-core is not installed: npm ci (package.json)")
    return browser_page


def _timeline_axis(page) -> None:
    page.wait_for_selector(".visual-timeline.vt-ready .vt-axis .vis-item")
    assert page.locator(".vt-axis .vis-time-axis .vis-text.vis-major:not(.vis-measure)").count() >= 1


def _trip_route(page) -> None:
    assert page.locator("svg.route polyline.route-line").count() == 1
    assert page.locator("figure.route-map .map-controls button").count() == 3  # zoom in, out, whole map
    assert page.locator("svg.route g.route-stop").count() == 2
    page.locator("details.sources summary").first.click()
    assert page.locator("details.sources blockquote").first.is_visible()


def _compare_lanes(page) -> None:
    assert page.locator("svg.lanes-chart").count() == 1
    assert page.get_by_role("heading", name="Per year").is_visible()


def _map_countries(page) -> None:
    assert page.locator("svg.world g.country:not(.shade-0)").count() >= 2  # shaded by visits
    world = page.locator("figure.map svg.world")
    whole = world.get_attribute("viewBox")
    page.get_by_role("button", name="Zoom in").click()
    assert float(world.get_attribute("data-zoom")) > 1 and world.get_attribute("viewBox") != whole
    world.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("0")  # the whole map again
    assert [float(n) for n in world.get_attribute("viewBox").split()] == [float(n) for n in whole.split()]


def _translated_topic(page) -> None:
    _timeline_axis(page)
    assert page.get_by_role("heading", name="Processus d\u2019adhésion").is_visible()  # the topic's name in French


def _embed_entries(page) -> None:
    assert page.locator("body.embed").count() == 1
    assert page.locator("text=Talks in Tbilisi").first.is_visible()
    page.locator("details.sources summary").first.click()
    assert page.locator("a[href='https://news.example/caucasus']").first.is_visible()


PAGES_TO_LOOK_AT = {
    "timeline": ("/", _timeline_axis),
    "trip": ("/trips/{tour}/", _trip_route),
    "compare": ("/compare/?person=jens-stoltenberg&person=jean-ministre", _compare_lanes),
    "map": ("/map/", _map_countries),
    "person": ("/people/jens-stoltenberg/", _timeline_axis),
    "country": ("/countries/GE/", _timeline_axis),
    "topic": ("/topics/membership-process/?lang=fr", _translated_topic),
    "embed": ("/embed/?country=GE", _embed_entries),
}


@pytest.mark.parametrize("name", sorted(PAGES_TO_LOOK_AT))
def test_each_page_shows_what_it_is_for_and_passes_axe(page_with_axe, live_server, name):
    page = page_with_axe
    world = build_timeline()
    path, look = PAGES_TO_LOOK_AT[name]
    response = page.goto(live_server.url + path.format(tour=world["tour"].pk))
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    look(page)
    shot(page, f"page-{name}")
    assert page.problems == [], "\n".join(sorted(set(page.problems)))
    # axe runs last, in a page of its own that may load it (the site's CSP allows no injected script)
    context = page.context.browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        checked = context.new_page()
        checked.goto(live_server.url + path.format(tour=world["tour"].pk))
        checked.wait_for_load_state("networkidle")
        if name in ("timeline", "person", "country", "topic"):
            checked.wait_for_selector(".visual-timeline.vt-ready")
        assert axe_problems(checked) == []
    finally:
        context.close()
