"""Fetching remote documents safely.

Every hop of a request is resolved once, checked against the SSRF rule (only
public addresses, unless ``settings.INGEST_ALLOWED_PRIVATE_HOSTS`` names the
host), and then connected to *that* address, with the Host header and TLS SNI
set to the host name, so that DNS cannot answer differently between the check
and the connection. Redirects are followed by hand (at most
``settings.INGEST_MAX_REDIRECTS``), bodies are streamed up to a byte limit and
decompressed with a limit too (gzip bombs), connect and read timeouts apply, and
a whole-request deadline stops servers that drip bytes.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import certifi
import urllib3
from django.conf import settings
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import ProtocolError, ReadTimeoutError

from visits.ingestion.urls import DEFAULT_PORTS

HTML_TYPES: tuple[str, ...] = ("text/html", "application/xhtml+xml")
TEXT_TYPES: tuple[str, ...] = ("text/plain",)
ARTICLE_TYPES: tuple[str, ...] = HTML_TYPES + TEXT_TYPES
FEED_TYPES: tuple[str, ...] = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/x-rss+xml",
    "application/xml",
    "text/xml",
    "text/rss+xml",
    "text/plain",
)
ANY_TYPE = "*/*"

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_SIZE = 64 * 1024
CONNECT_TIMEOUT_CAP = 10.0


class FetchError(Exception):
    """A fetch that did not give a usable body; ``permanent`` says whether retrying may help."""

    def __init__(self, message: str, *, permanent: bool, status: int | None = None, url: str | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.status = status
        self.url = url


@dataclass
class FetchResult:
    url: str
    status: int
    content_type: str
    body: bytes
    encoding: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str
    port: int
    request_path: str

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


# --- SSRF ------------------------------------------------------------------------------------


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_unspecified)


def _private_allowed(host: str) -> bool:
    allowed = {h.strip().lower().strip("[]") for h in getattr(settings, "INGEST_ALLOWED_PRIVATE_HOSTS", [])}
    return host.lower() in allowed


def _resolve(host: str, port: int) -> list[str]:
    try:
        return [ipaddress.ip_address(host).compressed]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        permanent = exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME))
        raise FetchError(f"cannot resolve host {host!r}: {exc.strerror}", permanent=permanent) from exc
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    if not addresses:
        raise FetchError(f"host {host!r} has no address", permanent=True)
    return addresses


def resolve_checked(host: str, port: int) -> str:
    """The address to connect to for ``host``, refused when any of its addresses is not public.

    Raises a permanent ``FetchError`` before any connection is made.
    """
    addresses = _resolve(host, port)
    if _private_allowed(host):
        return addresses[0]
    for address in addresses:
        if not _is_public(ipaddress.ip_address(address)):
            raise FetchError(
                f"refused: host {host!r} resolves to non-public address {address} (loopback, private, "
                "link-local or reserved); list the host in INGEST_ALLOWED_PRIVATE_HOSTS to allow it",
                permanent=True,
            )
    return addresses[0]


# --- Request --------------------------------------------------------------------------------


def _target(url: str) -> _Target:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise FetchError(f"refused: only http and https URLs can be fetched, not {url!r}", permanent=True, url=url)
    try:
        host, port = parts.hostname, parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise FetchError(f"malformed URL {url!r}: {exc}", permanent=True, url=url) from exc
    if not host:
        raise FetchError(f"malformed URL {url!r}: no host", permanent=True, url=url)
    path = parts.path or "/"
    return _Target(url, scheme, host.lower(), port, f"{path}?{parts.query}" if parts.query else path)


def _timeout() -> urllib3.Timeout:
    read = float(settings.INGEST_TIMEOUT)
    return urllib3.Timeout(connect=min(read, CONNECT_TIMEOUT_CAP), read=read)


def _pool(target: _Target, address: str) -> urllib3.HTTPConnectionPool:
    """A one-connection pool to the checked address; TLS verifies the certificate for the host name."""
    common = {"port": target.port, "timeout": _timeout(), "retries": False, "maxsize": 1}
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            **common,
        )
    return urllib3.HTTPConnectionPool(address, **common)


def _headers(target: _Target, accept: Iterable[str], etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {
        "Host": target.host_header,
        "User-Agent": settings.INGEST_USER_AGENT,
        "Accept": ", ".join([*accept, "*/*;q=0.1"]),
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _open(target: _Target, headers: dict[str, str]) -> urllib3.BaseHTTPResponse:
    address = resolve_checked(target.host, target.port)
    pool = _pool(target, address)
    try:
        return pool.urlopen(
            "GET",
            target.request_path,
            headers=headers,
            redirect=False,
            retries=False,
            preload_content=False,
            decode_content=False,
            assert_same_host=False,
        )
    except urllib3.exceptions.SSLError as exc:
        raise FetchError(f"TLS error for {target.url}: {exc}", permanent=True, url=target.url) from exc
    except (urllib3.exceptions.TimeoutError, ReadTimeoutError) as exc:
        raise FetchError(f"timed out connecting to {target.url}", permanent=False, url=target.url) from exc
    except Urllib3HTTPError as exc:
        raise FetchError(f"network error for {target.url}: {exc}", permanent=False, url=target.url) from exc


def _status_error(status: int, url: str) -> FetchError:
    transient = status == 429 or status >= 500 or status == 408
    kind = "server error" if status >= 500 else "client error"
    return FetchError(f"HTTP {status} ({kind}) for {url}", permanent=not transient, status=status, url=url)


# --- Body -----------------------------------------------------------------------------------


def _content_type(header: str | None) -> tuple[str, str | None]:
    message = Message()
    message["content-type"] = header or ""
    mime = message.get_content_type() if header else ""
    charset = message.get_param("charset")
    return mime.lower(), (str(charset).strip().lower() if charset else None)


def _accepts(mime: str, accept: Iterable[str]) -> bool:
    return any(pattern in (ANY_TYPE, mime) for pattern in accept)


class _Decoder:
    """Decompresses gzip/deflate with a cap on the output size."""

    def __init__(self, encoding: str, limit: int, url: str):
        self.limit, self.url, self.size = limit, url, 0
        if encoding in ("", "identity"):
            self._z = None
        elif encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
        else:
            raise FetchError(f"unsupported content encoding {encoding!r} for {url}", permanent=True, url=url)

    def feed(self, chunk: bytes) -> bytes:
        if self._z is None:
            out = chunk
        else:
            try:
                out = self._z.decompress(chunk, self.limit - self.size + 1)
            except zlib.error as exc:
                raise FetchError(f"corrupt compressed body from {self.url}: {exc}", permanent=True) from exc
            if self._z.unconsumed_tail:
                out += b"x"  # more output pending: certainly over the limit
        self.size += len(out)
        if self.size > self.limit:
            what = "decompressed body" if self._z is not None else "body"
            raise FetchError(
                f"refused: {what} of {self.url} exceeds the limit of {self.limit} bytes"
                + (" (compression bomb?)" if self._z is not None else ""),
                permanent=True,
                url=self.url,
            )
        return out


def _read_body(response: urllib3.BaseHTTPResponse, url: str, limit: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchError(
            f"refused: {url} declares {declared} bytes, over the limit of {limit}", permanent=True, url=url
        )
    decoder = _Decoder(response.headers.get("Content-Encoding", "").strip().lower(), limit, url)
    deadline = time.monotonic() + 4 * float(settings.INGEST_TIMEOUT)
    parts: list[bytes] = []
    received = 0
    try:
        while chunk := response.read(CHUNK_SIZE, decode_content=False):
            received += len(chunk)
            if received > limit:
                raise FetchError(f"refused: body of {url} exceeds the limit of {limit} bytes", permanent=True, url=url)
            parts.append(decoder.feed(chunk))
            if time.monotonic() > deadline:
                raise FetchError(f"timed out reading {url} (too slow)", permanent=False, url=url)
    except ReadTimeoutError as exc:
        raise FetchError(f"timed out reading {url}", permanent=False, url=url) from exc
    except (ProtocolError, Urllib3HTTPError, OSError) as exc:
        raise FetchError(f"connection broken while reading {url}: {exc}", permanent=False, url=url) from exc
    return b"".join(parts)


# --- Public API -----------------------------------------------------------------------------


def fetch_url(
    url: str,
    *,
    accept: Iterable[str] = HTML_TYPES,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int | None = None,
) -> FetchResult:
    """GET ``url`` safely and return its body; raises ``FetchError`` (``.permanent`` tells retry or not).

    A ``304 Not Modified`` answer to a conditional request (``etag`` / ``last_modified``)
    is a result with ``not_modified=True`` and an empty body.
    """
    accept = tuple(accept)
    limit = int(max_bytes or settings.INGEST_MAX_BYTES)
    current, visited = url, []
    for _hop in range(int(settings.INGEST_MAX_REDIRECTS) + 1):
        target = _target(current)
        if target.url in visited:
            raise FetchError(f"redirect loop: {current} was already visited", permanent=True, url=url)
        visited.append(target.url)
        response = _open(target, _headers(target, accept, etag, last_modified))
        try:
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"redirect without Location from {current}", permanent=True, url=url)
                current = urljoin(current, location.strip())
                continue
            return _result(response, target.url, accept, limit)
        finally:
            response.release_conn()
            response.close()
    raise FetchError(
        f"too many redirects (more than {settings.INGEST_MAX_REDIRECTS}) from {url}", permanent=True, url=url
    )


def _result(response: urllib3.BaseHTTPResponse, url: str, accept: tuple[str, ...], limit: int) -> FetchResult:
    etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
    if response.status == 304:
        return FetchResult(url, 304, "", b"", None, etag, modified, True)
    if not 200 <= response.status < 300:
        raise _status_error(response.status, url)
    mime, charset = _content_type(response.headers.get("Content-Type"))
    if not _accepts(mime, accept):
        raise FetchError(
            f"refused: {url} is {mime or 'of no declared type'}, expected one of {', '.join(accept)}",
            permanent=True,
            status=response.status,
            url=url,
        )
    body = _read_body(response, url, limit)
    return FetchResult(url, response.status, mime, body, charset, etag, modified, False)


def robots_allowed(url: str) -> bool:
    """Whether the site's robots.txt lets our user agent fetch ``url``.

    A missing robots.txt (4xx) allows everything; an unreachable one (5xx,
    network) raises a transient ``FetchError`` so the caller tries later.
    """
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        result = fetch_url(robots_url, accept=(ANY_TYPE,), max_bytes=512 * 1024)
    except FetchError as exc:
        if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
            return True
        raise FetchError(f"robots.txt of {parts.netloc} unavailable: {exc}", permanent=False, url=url) from exc
    parser = RobotFileParser()
    parser.parse(result.body.decode("utf-8", errors="replace").splitlines())
    agent = settings.INGEST_USER_AGENT.split("/", 1)[0]
    return parser.can_fetch(agent, url)
