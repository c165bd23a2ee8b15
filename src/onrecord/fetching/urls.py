"""Recognising, checking and normalising URLs: only http and https are ever fetched."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

import courlan

FETCHED_SCHEMES = frozenset({"http", "https"})
# Specs that look like URLs to a user; anything with "scheme://" counts too. Refused unless http(s),
# so `onrecord ingest file:///etc/passwd` says why instead of "no such file".
_URL_LIKE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|(?:data|javascript|mailto|file):)", re.IGNORECASE)
_URL_MAX_CHARS = 8192


class UrlProblem(ValueError):
    """A URL that will not be fetched; the message says why."""


def looks_like_url(spec: str) -> bool:
    return bool(_URL_LIKE.match(spec.strip()))


def checked_url(url: str, base: str | None = None) -> str:
    """``url`` (resolved against ``base``) made absolute and normalised, or :class:`UrlProblem`."""
    url = url.strip()
    if not url:
        raise UrlProblem("empty URL")
    if len(url) > _URL_MAX_CHARS:
        raise UrlProblem(f"URL longer than {_URL_MAX_CHARS} characters")
    if base is not None:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in FETCHED_SCHEMES:
        shown = f"{scheme!r}" if scheme else "none"
        raise UrlProblem(f"unsupported URL scheme {shown}: only http and https are fetched")
    if not parts.hostname:
        raise UrlProblem("URL has no host")
    if parts.username or parts.password:
        raise UrlProblem("URL carries credentials; refused rather than sent to the server")
    try:
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError:
        raise UrlProblem("URL has an invalid port") from None
    return normalise_url(url)


def normalise_url(url: str) -> str:
    """One spelling per page: lower-case scheme and host, default port dropped, dot segments resolved,
    tracking parameters dropped and the rest sorted (courlan), fragment dropped."""
    parts = urlsplit(url)
    path = parts.path or "/"
    resolved = posixpath.normpath(path)
    if path.endswith("/") and not resolved.endswith("/"):
        resolved += "/"
    resolved = "/" + resolved.lstrip("/")
    cleaned = urlunsplit((parts.scheme, parts.netloc, resolved, parts.query, ""))
    return courlan.normalize_url(cleaned)


def host_key(url: str) -> str:
    """The host a per-host limit applies to: host and port, lower-case."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default = 443 if parts.scheme == "https" else 80
    port = parts.port or default
    return host if port == default else f"{host}:{port}"


def registered_domain(url: str) -> str | None:
    """``news.bbc.co.uk`` -> ``bbc.co.uk``; an IP address or an unknown suffix gives the host itself."""
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return None
    return courlan.extract_domain(url, fast=True) or host


def same_site(first: str, second: str) -> bool:
    return registered_domain(first) == registered_domain(second)
