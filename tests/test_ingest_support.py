"""A local web site for ingestion tests (no test here): routes served by a threaded HTTP server.

Only remote sites are mocked, and only by serving them for real on 127.0.0.1.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import SEED_REPORT as SEED  # noqa: F401 - the seed, for the ingestion tests


@dataclass
class Route:
    status: int = 200
    body: bytes | Callable[[], Iterable[bytes]] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


class LocalSite:
    """Routes by path; records each request's path and headers; counts bytes sent per path."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.sent: dict[str, int] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes | str | Callable[[], Iterable[bytes]] = b"", **kwargs) -> str:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Route(body=body, **kwargs)
        return self.url(path)

    def html(self, path: str, html: str, **kwargs) -> str:
        headers = {"Content-Type": "text/html; charset=utf-8", **kwargs.pop("headers", {})}
        return self.add(path, html, headers=headers, **kwargs)

    def hits(self, path: str) -> int:
        return sum(1 for seen, _ in self.requests if seen == path)

    def _handler_class(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                site.requests.append((self.path, dict(self.headers)))
                route = site.routes.get(path) or Route(status=404, body=b"not found")
                if route.delay:
                    time.sleep(route.delay)
                if route.handler is not None:
                    route.handler(self)
                    return
                self._send(route, path)

            def _send(self, route: Route, path: str) -> None:
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if callable(route.body):
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self._stream(route.body(), path)
                    return
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def _stream(self, chunks: Iterable[bytes], path: str) -> None:
                self.close_connection = True
                try:
                    for chunk in chunks:
                        self.wfile.write(chunk)
                        site.sent[path] = site.sent.get(path, 0) + len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler


@pytest.fixture
def site() -> Iterator[LocalSite]:
    local = LocalSite()
    local.thread.start()
    yield local
    local.server.shutdown()
    local.server.server_close()


@pytest.fixture
def allow_local(settings):
    """Let the fetcher reach the local site (the SSRF rule would refuse 127.0.0.1)."""
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    return settings


def article_html(title: str, paragraphs: list[str], *, extra_head: str = "", lang: str = "en") -> str:
    """A news page with navigation, share buttons and a legal footer around the article."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>{extra_head}</head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/politics">Politics</a></li>
</ul></nav><header><a href="/">Daily Example</a></header>
<main><article><h1>{title}</h1><p class="byline">By Jane Reporter</p>{body}
<div class="share"><a href="#">Share</a> <a href="#">Tweet</a> <a href="#">Email</a></div></article></main>
<footer><p>Copyright © 2024 Daily Example. All rights reserved.</p><p><a href="/terms">Terms of use</a></p></footer>
</body></html>"""


VISIT_PARAGRAPHS = [
    "The Secretary General of the alliance arrived in Tbilisi on Monday for talks with the Prime Minister of Georgia,"
    " the second stop of a tour of the South Caucasus that began in Baku.",
    "During the meeting the two leaders discussed energy security, reforms of the defence sector and the country's"
    " path towards membership, according to a statement published after the talks.",
    "The Secretary General is expected to travel on to Yerevan on Tuesday, where he will meet the Prime Minister of"
    " Armenia before returning to Brussels at the end of the week.",
]


def visit_page(title: str = "Secretary General visits Georgia", **kwargs) -> str:
    return article_html(title, VISIT_PARAGRAPHS, **kwargs)
