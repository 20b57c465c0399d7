"""The safe fetcher against a local web site: limits, redirects, content types, SSRF."""

from __future__ import annotations

import socket
import zlib

import pytest

from tests import test_ingest_support as support
from tests.test_ingest_support import visit_page
from visits.ingestion.fetch import FEED_TYPES, FetchError, fetch_url, robots_allowed

allow_local = support.allow_local  # shared fixture
site = support.site  # shared fixture
pytestmark = pytest.mark.usefixtures("allow_local")

MB = 1024 * 1024


def test_fetches_html_with_charset_and_validators(site):
    url = site.html("/story", visit_page(), headers={"ETag": '"v1"', "Last-Modified": "Mon, 18 Mar 2024 10:00:00 GMT"})
    result = fetch_url(url)
    assert result.status == 200 and not result.not_modified
    assert result.content_type == "text/html" and result.encoding == "utf-8"
    assert b"Tbilisi" in result.body
    assert (result.etag, result.last_modified) == ('"v1"', "Mon, 18 Mar 2024 10:00:00 GMT")
    headers = site.requests[-1][1]
    assert headers["User-Agent"].startswith("visit-tracker/")
    assert headers["Host"] == f"127.0.0.1:{site.port}"


def test_conditional_get_gives_not_modified(site):
    def handler(request):
        status = 304 if request.headers.get("If-None-Match") == '"v1"' else 200
        request.send_response(status)
        request.send_header("Content-Length", "0")
        request.send_header("Content-Type", "application/rss+xml")
        request.end_headers()

    site.add("/feed", handler=handler)
    result = fetch_url(site.url("/feed"), accept=FEED_TYPES, etag='"v1"')
    assert result.not_modified and result.status == 304 and result.body == b""


def test_follows_redirects_and_reports_final_url(site):
    site.add("/old", status=301, headers={"Location": "/new"})
    site.html("/new", visit_page())
    assert fetch_url(site.url("/old")).url == site.url("/new")


def test_404_is_permanent(site):
    with pytest.raises(FetchError) as caught:
        fetch_url(site.url("/missing"))
    assert caught.value.permanent and caught.value.status == 404
    assert "HTTP 404" in str(caught.value)


def test_503_is_temporary(site):
    site.add("/busy", status=503, body=b"later")
    with pytest.raises(FetchError) as caught:
        fetch_url(site.url("/busy"))
    assert not caught.value.permanent


def test_timeout_is_temporary(site, settings):
    settings.INGEST_TIMEOUT = 0.5
    site.html("/slow", visit_page(), delay=2)
    with pytest.raises(FetchError) as caught:
        fetch_url(site.url("/slow"))
    assert not caught.value.permanent and "timed out" in str(caught.value)


def test_50_mb_stream_refused_at_limit_without_reading_it_all(site, settings):
    settings.INGEST_MAX_BYTES = 2 * MB
    site.add("/huge", body=lambda: (b"<p>" + b"x" * (MB - 3) for _ in range(50)), headers={"Content-Type": "text/html"})
    with pytest.raises(FetchError) as caught:
        fetch_url(site.url("/huge"))
    assert caught.value.permanent and "exceeds the limit" in str(caught.value)
    assert site.sent.get("/huge", 0) < 20 * MB


def test_declared_length_over_limit_refused_before_reading(site, settings):
    settings.INGEST_MAX_BYTES = MB

    def handler(request):
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.send_header("Content-Length", str(50 * MB))
        request.end_headers()
        request.wfile.write(b"<p>just the start</p>")

    site.add("/declared", handler=handler)
    with pytest.raises(FetchError, match="declares 52428800 bytes"):
        fetch_url(site.url("/declared"))


def _bomb(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * MB
    return b"".join(compressor.compress(chunk) for _ in range(size // MB)) + compressor.flush()


def test_gzip_bomb_refused(site, settings):
    settings.INGEST_MAX_BYTES = 2 * MB
    bomb = _bomb(200 * MB)
    assert len(bomb) < 2 * MB
    site.add("/bomb", body=bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    with pytest.raises(FetchError) as caught:
        fetch_url(site.url("/bomb"))
    assert caught.value.permanent and "decompressed body" in str(caught.value)


def test_gzip_body_is_decompressed(site):
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    packed = compressor.compress(visit_page().encode()) + compressor.flush()
    site.add("/gz", body=packed, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    assert b"Tbilisi" in fetch_url(site.url("/gz")).body


def test_redirect_loop_refused(site):
    site.add("/loop-a", status=302, headers={"Location": "/loop-b"})
    site.add("/loop-b", status=302, headers={"Location": "/loop-a"})
    with pytest.raises(FetchError, match="redirect loop") as caught:
        fetch_url(site.url("/loop-a"))
    assert caught.value.permanent


def test_too_many_redirects(site, settings):
    settings.INGEST_MAX_REDIRECTS = 2
    for hop in range(4):
        site.add(f"/hop{hop}", status=302, headers={"Location": f"/hop{hop + 1}"})
    with pytest.raises(FetchError, match="too many redirects"):
        fetch_url(site.url("/hop0"))


def test_non_html_content_type_refused(site):
    site.add("/file.pdf", body=b"%PDF-1.7 ...", headers={"Content-Type": "application/pdf"})
    with pytest.raises(FetchError, match="application/pdf") as caught:
        fetch_url(site.url("/file.pdf"))
    assert caught.value.permanent


@pytest.fixture
def no_connections(monkeypatch):
    """Fail the test if anything opens a socket connection: refusals must come first."""

    def refuse(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://192.168.1.1/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
    ],
)
def test_private_addresses_refused_before_connecting(url, no_connections):
    with pytest.raises(FetchError, match="non-public address") as caught:
        fetch_url(url)
    assert caught.value.permanent


def test_loopback_refused_unless_allowed(settings, site):
    url = site.html("/story", visit_page())
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = []
    with pytest.raises(FetchError, match=r"non-public address 127\.0\.0\.1"):
        fetch_url(url)
    assert site.requests == []


def test_hostname_resolving_to_loopback_refused(site):
    with pytest.raises(FetchError, match="'localhost' resolves to non-public address"):
        fetch_url(f"http://localhost:{site.port}/story")
    assert site.requests == []


def test_every_redirect_hop_is_checked(site):
    site.add("/to-metadata", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    site.add("/to-localhost", status=302, headers={"Location": f"http://localhost:{site.port}/story"})
    with pytest.raises(FetchError, match=r"169\.254\.169\.254"):
        fetch_url(site.url("/to-metadata"))
    with pytest.raises(FetchError, match="localhost"):
        fetch_url(site.url("/to-localhost"))
    assert [path for path, _ in site.requests] == ["/to-metadata", "/to-localhost"]


def test_non_http_scheme_refused(no_connections):
    with pytest.raises(FetchError, match="only http and https"):
        fetch_url("file:///etc/passwd")


def test_robots_txt(site):
    site.add("/robots.txt", "User-agent: visit-tracker\nDisallow: /private/\n", headers={"Content-Type": "text/plain"})
    assert robots_allowed(site.url("/feeds/news.xml"))
    assert not robots_allowed(site.url("/private/feed.xml"))


def test_missing_robots_txt_allows(site):
    assert robots_allowed(site.url("/feed.xml"))
