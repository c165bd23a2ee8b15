"""One options object for every fetching stage, and the per-run fetch session the ingest hook reads."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from onrecord import __version__

if TYPE_CHECKING:
    from onrecord.store.base import Database

DEFAULT_CONTACT = "https://github.com/onrecord/onrecord"


@dataclass(frozen=True)
class FetchOptions:
    """How politely and how defensively to fetch; passed unchanged through every stage.

    Sizes are bytes, times seconds. ``contact`` goes into the user agent so that a site's
    operator can reach whoever runs the crawl (set it to your e-mail address or web page).
    """

    contact: str = DEFAULT_CONTACT
    per_host_interval: float = 1.0  # at least this long between two requests to one host
    max_concurrency: int = 8  # requests in flight, all hosts together
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # between two bytes of a response
    total_timeout: float = 60.0  # one request, start to last byte: a slow drip cannot hold a slot
    max_bytes: int = 10_000_000  # response body, decoded; also the cap on what is read off the wire
    max_ratio: float = 100.0  # decoded bytes per compressed byte, past the first MiB: a bomb guard
    max_redirects: int = 5
    retries: int = 2  # extra tries after a 429, a 5xx or a network error
    backoff: float = 1.0  # first wait between tries, doubled each time
    max_retry_after: float = 30.0  # a longer Retry-After gives up at once instead of hanging
    max_crawl_delay: float = 10.0  # a robots.txt Crawl-delay beyond this is capped
    respect_robots: bool = True
    max_sitemap_depth: int = 3  # sitemap index -> sitemap -> ... levels followed
    max_items_per_source: int = 1000  # entries taken from one feed or sitemap
    save_warc: Path | None = None  # folder to keep what was fetched in, as WARC
    user_agent_override: str | None = None

    @property
    def user_agent(self) -> str:
        if self.user_agent_override:
            return self.user_agent_override
        return f"onrecord/{__version__} (+{self.contact})"

    def with_changes(self, **changes: object) -> FetchOptions:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass
class FetchSession:
    """What a URL input needs beyond the options: the corpus whose fetch state makes re-runs cheap."""

    options: FetchOptions = field(default_factory=FetchOptions)
    # The corpus database: its URL or path, or an open ``onrecord.store.base.Database`` (used as is,
    # left open); None keeps no state (``analyze``).
    db: str | Path | Database | None = None


_session: contextvars.ContextVar[FetchSession | None] = contextvars.ContextVar("onrecord_fetch_session", default=None)


@contextlib.contextmanager
def fetch_session(session: FetchSession) -> Iterator[FetchSession]:
    """Make ``session`` the one URL inputs read by :func:`onrecord.ingest.read_inputs` use.

    A context variable rather than a parameter, so the readers between the command and the
    fetcher need not know about fetching at all.
    """
    token = _session.set(session)
    try:
        yield session
    finally:
        _session.reset(token)


def current_session() -> FetchSession:
    return _session.get() or FetchSession()
