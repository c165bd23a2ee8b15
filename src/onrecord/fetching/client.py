"""Polite, defensive HTTP: robots.txt, per-host spacing, a global concurrency cap, retries, caps and timeouts.

Redirects are followed here, not by httpx, so each hop is checked (scheme, robots.txt, loops)
and counted. Every way a fetch can go wrong ends in :class:`FetchError` whose message names the
problem; the caller pairs it with the URL.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
import urllib.robotparser
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from onrecord.fetching.body import BodyProblem, CappedBody
from onrecord.fetching.options import FetchOptions
from onrecord.fetching.urls import UrlProblem, checked_url, host_key

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ROBOTS_MAX_BYTES = 512_000  # Google reads the first 500 KiB of a robots.txt
ROBOTS_AGENT = "onrecord"


class FetchError(Exception):
    """A URL that could not be fetched; ``problem`` is shown to the user next to the URL."""

    def __init__(self, problem: str, *, status: int | None = None, transient: bool = False) -> None:
        super().__init__(problem)
        self.problem = problem
        self.status = status
        self.transient = transient  # worth trying again later (a watch retries it next round)


@dataclass
class Response:
    url: str  # as asked for (normalised)
    final_url: str  # after redirects
    status: int
    headers: httpx.Headers
    body: bytes
    fetched_at: str  # ISO 8601 UTC, when the response arrived
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class HostSpacing:
    """At least ``interval`` seconds between the starts of two requests to one host; hosts run in parallel.

    Holds no asyncio objects, so one instance spans several event loops (a watch's rounds).
    """

    def __init__(self) -> None:
        self._next_slot: dict[str, float] = {}

    async def wait(self, host: str, interval: float) -> None:
        # Reserving a slot has no await in it, so on one event loop it is atomic without a lock.
        now = time.monotonic()
        slot = max(now, self._next_slot.get(host, now))
        self._next_slot[host] = slot + interval
        if slot > now:
            await asyncio.sleep(slot - now)


RobotsCache = dict[str, "urllib.robotparser.RobotFileParser | str | None"]


class Fetcher:
    """An async HTTP client with onrecord's manners; use as ``async with Fetcher(options) as fetcher``."""

    def __init__(
        self,
        options: FetchOptions,
        *,
        spacing: HostSpacing | None = None,
        robots: RobotsCache | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """``spacing`` and ``robots`` may be shared by successive fetchers so limits and rules carry over."""
        self.options = options
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._slots = asyncio.Semaphore(options.max_concurrency)
        self._spacing = spacing if spacing is not None else HostSpacing()
        self._robots: RobotsCache = robots if robots is not None else {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self.requests = 0  # sent, robots.txt included: what the run cost the servers

    async def __aenter__(self) -> Fetcher:
        o = self.options
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(connect=o.connect_timeout, read=o.read_timeout, write=o.read_timeout, pool=None),
            limits=httpx.Limits(max_connections=o.max_concurrency, max_keepalive_connections=o.max_concurrency),
            headers={"User-Agent": o.user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=self._transport,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    # --- the public call ---------------------------------------------------------------------

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET ``url`` following redirects; a 304 answer comes back as a response with ``not_modified``.

        Raises :class:`FetchError` for anything else that is not a 2xx page.
        """
        chain = [url]
        current = url
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        while True:
            await self._check_robots(current)
            response = await self._with_retries(current, conditional if current == url else {})
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {response.status} redirect without a Location", status=response.status)
                try:
                    target = checked_url(location, base=current)
                except UrlProblem as exc:
                    raise FetchError(f"redirected to {location[:200]!r}: {exc}", status=response.status) from None
                if target in chain:
                    raise FetchError("redirect loop: " + " -> ".join([*chain, target]), status=response.status)
                if len(chain) > self.options.max_redirects:
                    raise FetchError(
                        f"too many redirects (more than {self.options.max_redirects}): " + " -> ".join(chain),
                        status=response.status,
                    )
                chain.append(target)
                current = target
                continue
            if response.status == 304:
                return Response(url, current, 304, response.headers, b"", response.fetched_at, chain[1:])
            if response.status >= 400 or response.status < 200:
                reason = httpx.codes.get_reason_phrase(response.status) or "error"
                raise FetchError(
                    f"HTTP {response.status} {reason}",
                    status=response.status,
                    transient=response.status in RETRY_STATUSES,
                )
            response.url, response.redirects = url, chain[1:]
            return response

    # --- retries, spacing, limits -------------------------------------------------------------

    async def _with_retries(self, url: str, headers: dict[str, str]) -> Response:
        o = self.options
        for attempt in range(o.retries + 1):
            last_try = attempt == o.retries
            try:
                response = await self._spaced(url, headers)
            except FetchError as exc:
                if not exc.transient or last_try:
                    raise
                await asyncio.sleep(o.backoff * 2**attempt)
                continue
            if response.status not in RETRY_STATUSES or last_try:
                return response
            wait = o.backoff * 2**attempt
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            if retry_after is not None:
                if retry_after > o.max_retry_after:
                    raise FetchError(
                        f"HTTP {response.status}: the server asks to retry after {retry_after:g} s, "
                        f"longer than the {o.max_retry_after:g} s cap; given up",
                        status=response.status,
                        transient=True,
                    )
                wait = max(wait, retry_after)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable: the last try returns or raises")

    async def _spaced(self, url: str, headers: dict[str, str]) -> Response:
        host = host_key(url)
        await self._spacing.wait(host, self._interval(host))
        async with self._slots:
            return await self._once(url, headers)

    def _interval(self, host: str) -> float:
        interval = self.options.per_host_interval
        rules = self._robots.get(host)
        if isinstance(rules, urllib.robotparser.RobotFileParser):
            delay = rules.crawl_delay(ROBOTS_AGENT)
            if delay:
                interval = max(interval, min(float(delay), self.options.max_crawl_delay))
        return interval

    async def _once(self, url: str, headers: dict[str, str]) -> Response:
        o = self.options
        self.requests += 1
        try:
            return await asyncio.wait_for(self._get(url, headers), timeout=o.total_timeout)
        except TimeoutError:
            raise FetchError(f"timed out: no complete response within {o.total_timeout:g} s (total timeout)") from None
        except httpx.ConnectTimeout:
            raise FetchError(
                f"timed out connecting (connect timeout {o.connect_timeout:g} s)", transient=True
            ) from None
        except httpx.ReadTimeout:
            raise FetchError(f"timed out: the server sent nothing for {o.read_timeout:g} s (read timeout)") from None
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out ({type(exc).__name__})") from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise FetchError(
                f"network error: {type(exc).__name__}: {exc or 'connection failed'}", transient=True
            ) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"HTTP error: {type(exc).__name__}: {exc}") from None

    async def _get(self, url: str, headers: dict[str, str]) -> Response:
        assert self._client is not None, "use Fetcher as an async context manager"
        async with self._client.stream("GET", url, headers=headers) as reply:
            status = reply.status_code
            if status in REDIRECT_STATUSES or status == 304 or status >= 400 or status < 200:
                return Response(url, url, status, reply.headers, b"", utc_now())  # the body is not wanted
            declared = reply.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.options.max_bytes:
                raise FetchError(
                    f"too large: the server announces {int(declared):,} bytes, "
                    f"the response size cap is {self.options.max_bytes:,}"
                )
            try:
                body = CappedBody(reply.headers.get("content-encoding"), self.options.max_bytes, self.options.max_ratio)
                async for chunk in reply.aiter_raw():
                    body.feed(chunk)
                data = body.finish()
            except BodyProblem as exc:
                raise FetchError(str(exc)) from None
            return Response(url, url, status, reply.headers, data, utc_now())

    # --- robots.txt ---------------------------------------------------------------------------

    async def _check_robots(self, url: str) -> None:
        if not self.options.respect_robots:
            return
        host = host_key(url)
        lock = self._robots_locks.setdefault(host, asyncio.Lock())
        async with lock:  # one robots.txt request per host, however many pages wait for it
            if host not in self._robots:
                self._robots[host] = await self._load_robots(url)
        rules = self._robots[host]
        if isinstance(rules, str):
            raise FetchError(rules, transient=True)
        if rules is not None and not rules.can_fetch(ROBOTS_AGENT, url):
            raise FetchError("disallowed by the site's robots.txt; not fetched")

    async def _load_robots(self, url: str) -> urllib.robotparser.RobotFileParser | str | None:
        """The parsed rules; None to allow everything (no robots.txt); a message when the site must not be crawled."""
        robots_url = httpx.URL(url).copy_with(path="/robots.txt", query=None, fragment=None)
        current = str(robots_url)
        for _ in range(self.options.max_redirects + 1):
            try:
                response = await self._spaced(current, {})
            except FetchError as exc:
                if "too large" in exc.problem:
                    return None  # an oversized robots.txt is treated as none, as Google does past 500 KiB
                return f"robots.txt could not be read ({exc.problem}); the site is not crawled until it can"
            if response.status in REDIRECT_STATUSES and response.headers.get("location"):
                try:
                    current = checked_url(response.headers["location"], base=current)
                except UrlProblem:
                    return None
                continue
            if 400 <= response.status < 500:
                return None  # no robots.txt: everything is allowed
            if response.status >= 500:
                return f"robots.txt answered HTTP {response.status}; the site is not crawled until it answers"
            rules = urllib.robotparser.RobotFileParser()
            rules.parse(response.body[:ROBOTS_MAX_BYTES].decode("utf-8", "replace").splitlines())
            return rules
        return None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def describe(exc: BaseException) -> str:
    """A one-line problem for any exception escaping a fetch stage."""
    if isinstance(exc, FetchError):
        return exc.problem
    return f"unexpected error: {type(exc).__name__}: {exc}"


__all__: list[Any] = ["FetchError", "Fetcher", "Response", "parse_retry_after"]
