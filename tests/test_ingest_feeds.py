"""Feed polling against feeds served by a local web site."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import test_ingest_support as support
from visits.models import Feed, Report, ReportStatus
from visits.services.ingestion import due_feeds, poll_due_feeds, poll_feed

allow_local = support.allow_local  # shared fixture
site = support.site  # shared fixture
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_local")]

RSS2 = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example news</title><link>{base}/</link><description>news</description>
<item><title>Minister visits Baku</title><link>{base}/news/baku?utm_source=rss</link>
<pubDate>Mon, 18 Mar 2024 10:00:00 +0100</pubDate><guid>baku</guid></item>
<item><title>Minister visits Yerevan</title><link>{base}/news/yerevan</link><guid>yerevan</guid></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title><id>urn:feed</id>
<updated>2024-03-19T08:00:00Z</updated>
<entry><title>Talks in Tbilisi</title><id>urn:1</id><link rel="alternate" href="{base}/atom/tbilisi"/>
<updated>2024-03-19T08:00:00Z</updated></entry>
</feed>"""

RSS1 = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="{base}/rdf"><title>RDF news</title><link>{base}/</link><description>d</description>
<items><rdf:Seq><rdf:li resource="{base}/rdf/one"/><rdf:li resource="{base}/rdf/two"/></rdf:Seq></items></channel>
<item rdf:about="{base}/rdf/one"><title>One</title><link>{base}/rdf/one</link><dc:date>2024-03-19</dc:date></item>
<item rdf:about="{base}/rdf/two"><title>Two</title><link>{base}/rdf/two</link></item>
</rdf:RDF>"""

MALFORMED = "<html><body><p>This is not a feed at all <b>unclosed</body>"


def _feed(site, path: str, body: str, content_type: str = "application/rss+xml", **route) -> Feed:
    url = site.add(path, body.format(base=site.url("")), headers={"Content-Type": content_type}, **route)
    return Feed.objects.create(url=url, name=path)


def test_rss2_entries_become_queued_reports(site, django_capture_on_commit_callbacks):
    feed = _feed(site, "/rss.xml", RSS2)
    with django_capture_on_commit_callbacks() as callbacks:
        poll_feed(feed=feed)
    feed.refresh_from_db()
    assert (feed.last_outcome, feed.entries_seen, feed.entries_new, feed.last_error) == ("ok", 2, 2, "")
    assert feed.last_polled_at is not None
    reports = Report.objects.filter(feed=feed).order_by("pk")
    assert [r.url for r in reports] == [site.url("/news/baku"), site.url("/news/yerevan")]
    assert all(r.status == ReportStatus.QUEUED and r.task_id for r in reports)
    assert reports[0].title == "Minister visits Baku"
    assert reports[0].published_at == dt.datetime(2024, 3, 18, 9, 0, tzinfo=dt.UTC)
    assert len(callbacks) == 2


def test_atom_feed(site):
    feed = poll_feed(feed=_feed(site, "/atom.xml", ATOM, "application/atom+xml"))
    assert (feed.last_outcome, feed.entries_new) == ("ok", 1)
    assert Report.objects.get(feed=feed).url == site.url("/atom/tbilisi")


def test_rss1_feed(site):
    feed = poll_feed(feed=_feed(site, "/rdf.xml", RSS1, "application/rdf+xml"))
    assert (feed.last_outcome, feed.entries_seen, feed.entries_new) == ("ok", 2, 2)


def test_malformed_feed_fails_without_reports(site):
    feed = poll_feed(feed=_feed(site, "/bad.xml", MALFORMED, "application/xml"))
    assert feed.last_outcome == "failed" and "feed" in feed.last_error
    assert not Report.objects.exists()


def test_entry_seen_before_is_not_new(site):
    Report.objects.create(url=site.url("/news/yerevan"), status=ReportStatus.DONE)
    feed = poll_feed(feed=_feed(site, "/rss.xml", RSS2))
    assert (feed.entries_seen, feed.entries_new) == (2, 1)
    assert Report.objects.count() == 2


def test_conditional_get_answered_304(site):
    def handler(request):
        unchanged = request.headers.get("If-None-Match") == '"abc"'
        body = b"" if unchanged else RSS2.format(base=site.url("")).encode()
        request.send_response(304 if unchanged else 200)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("ETag", '"abc"')
        request.send_header("Last-Modified", "Tue, 19 Mar 2024 08:00:00 GMT")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    feed = Feed.objects.create(url=site.add("/cond.xml", handler=handler), name="cond")
    poll_feed(feed=feed)
    assert (feed.etag, feed.last_modified) == ('"abc"', "Tue, 19 Mar 2024 08:00:00 GMT")
    feed = poll_feed(feed=Feed.objects.get(pk=feed.pk))
    assert (feed.last_outcome, feed.entries_seen, feed.entries_new) == ("not-modified", 0, 0)
    request_headers = site.requests[-1][1]
    assert request_headers["If-None-Match"] == '"abc"'
    assert request_headers["If-Modified-Since"] == "Tue, 19 Mar 2024 08:00:00 GMT"
    assert Report.objects.count() == 2


def test_robots_txt_disallowing_the_feed(site):
    site.add("/robots.txt", "User-agent: *\nDisallow: /\n", headers={"Content-Type": "text/plain"})
    feed = poll_feed(feed=_feed(site, "/rss.xml", RSS2))
    assert feed.last_outcome == "failed" and "robots.txt" in feed.last_error
    assert site.hits("/rss.xml") == 0


def test_feed_on_private_address_refused(settings):
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = []
    feed = poll_feed(feed=Feed.objects.create(url="http://10.0.0.1/feed.xml", name="intranet"))
    assert feed.last_outcome == "failed" and "non-public address" in feed.last_error


def test_due_feeds_follow_their_interval(django_capture_on_commit_callbacks):
    now = timezone.now()
    never = Feed.objects.create(url="https://a.example/feed", name="a")
    recent = Feed.objects.create(url="https://b.example/feed", name="b", last_polled_at=now - dt.timedelta(minutes=5))
    old = Feed.objects.create(url="https://c.example/feed", name="c", last_polled_at=now - dt.timedelta(minutes=31))
    Feed.objects.create(url="https://d.example/feed", name="d", active=False)
    assert [f.pk for f in due_feeds(now=now)] == [never.pk, old.pk]
    with django_capture_on_commit_callbacks() as callbacks:
        assert poll_due_feeds(now=now) == [never.pk, old.pk]
    assert len(callbacks) == 2 and recent.pk not in poll_due_feeds(now=now)


def test_a_huge_feed_is_taken_over_several_polls_without_losing_entries(site, settings):
    settings.INGEST_FEED_MAX_NEW_PER_POLL = 5
    items = "".join(f"<item><title>Visit {n}</title><link>{{base}}/news/{n}</link></item>" for n in range(12))
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'
    feed = _feed(site, "/big.xml", body)

    news = [poll_feed(feed=feed).entries_new for _ in range(4)]

    assert news == [5, 5, 2, 0]
    assert Report.objects.filter(feed=feed).count() == 12
