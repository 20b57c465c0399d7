"""URL normalisation and content hashing: how the tracker tells that two reports are one."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that only track the reader; exact names (lowercase) and prefixes.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "mkt_tok",
        "ref_src",
        "ref_url",
        "cmpid",
        "ocid",
        "spm",
        "_hsenc",
        "_hsmi",
        "vero_id",
        "oly_anon_id",
        "oly_enc_id",
        "rb_clickid",
        "s_cid",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_")

_WHITESPACE = re.compile(r"\s+")


def is_tracking_param(name: str) -> bool:
    """True for a query parameter that identifies a campaign or a click, not a document."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _host(parts) -> str:
    try:
        host = parts.hostname
    except ValueError as exc:
        raise ValueError(f"malformed host in URL: {exc}") from exc
    if not host:
        raise ValueError("URL has no host")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as exc:
        raise ValueError(f"invalid international host name {host!r}") from exc
    return host.lower().rstrip(".")


def _port(parts, scheme: str) -> int | None:
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"invalid port in URL: {exc}") from exc
    return None if port in (None, DEFAULT_PORTS[scheme]) else port


def normalize_url(url: str) -> str:
    """The canonical form of an http(s) URL, used as a report's unique key.

    Lowercases scheme and host, drops the fragment, credentials are refused,
    default ports, tracking parameters and a trailing slash are removed, and the
    query is sorted. Raises ``ValueError`` for anything that is not an http(s) URL.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError("empty URL")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"only http and https URLs are accepted, not {scheme or 'a relative URL'!r}")
    if parts.username or parts.password:
        raise ValueError("URLs with credentials are not accepted")
    host = _host(parts)
    port = _port(parts, scheme)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = sorted(
        (key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(key)
    )
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def fetchable_url(url: str) -> str:
    """The URL to request: as submitted, without its fragment (servers may need the trailing slash)."""
    normalize_url(url)  # validates
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, ""))


def normalize_text_for_hash(text: str) -> str:
    """NFC, casefolded, whitespace collapsed: the form two copies of one article share."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


def content_hash(text: str) -> str:
    """sha256 (hex) of the normalised text."""
    return hashlib.sha256(normalize_text_for_hash(text).encode("utf-8")).hexdigest()
