"""From URL inputs to articles: fetch each URL, follow feeds and sitemaps to their pages, extract them.

Two phases, so a watch can ingest a round in chunks: :meth:`Crawl.discover` fetches the given
URLs (pages become articles at once; feeds and sitemaps, index files followed, become a list of
pages to fetch), then :meth:`Crawl.fetch_pages` fetches those pages. With a corpus database, the
fetch state there makes repeats cheap: a page whose article is stored is asked for conditionally
(ETag / Last-Modified), and an item a feed lists unchanged is not asked for at all.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from onrecord.fetching.client import Fetcher, FetchError, HostSpacing, Response, describe
from onrecord.fetching.documents import DocumentProblem, Entry, Listing, Page, classify
from onrecord.fetching.options import FetchOptions, FetchSession, current_session
from onrecord.fetching.pages import article_from_page
from onrecord.fetching.urls import UrlProblem, checked_url
from onrecord.fetching.warc import WarcSaver
from onrecord.ingest.reader import InputProblem
from onrecord.model import Article, InputFailure
from onrecord.store.fetch_state import FetchStateAccess, ListedItem, ListingRow

if TYPE_CHECKING:
    from onrecord.store.base import Database

Item = Article | InputFailure
T = TypeVar("T")


@dataclass
class FetchStats:
    """What fetching cost and gave: one line of it ends every run and every watch round."""

    listings: int = 0  # feeds and sitemaps read
    pages: int = 0  # pages fetched in full (new or changed)
    not_modified: int = 0  # answered 304: unchanged, nothing transferred
    skipped: int = 0  # listed unchanged and stored: not asked for at all
    duplicates: int = 0  # the same URL listed twice: fetched once
    failed: int = 0
    requests: int = 0  # HTTP requests sent, robots.txt included

    def summary(self) -> str:
        return (
            f"fetched {self.pages} pages from {self.listings} feeds/sitemaps; {self.not_modified} unchanged (304), "
            f"{self.skipped} unchanged and not asked for, {self.duplicates} duplicates, {self.failed} failed; "
            f"{self.requests} requests"
        )


@dataclass(frozen=True)
class Work:
    """A page to fetch, and the listing that named it (None for a URL given directly)."""

    url: str
    listing: str | None = None
    entry: Entry | None = None
    marker: str = ""


@dataclass
class Discovery:
    items: list[Item] = field(default_factory=list)  # articles from page URLs, failures
    work: list[Work] = field(default_factory=list)  # pages the listings name, in order


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine from sync code, also when the caller is itself inside an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())  # type: ignore[arg-type]
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()  # type: ignore[arg-type]


class Crawl:
    """One run's fetching: its options, its fetch state (optional) and its WARC (optional).

    ``state`` is a corpus database's fetch state (``Database.fetch_state()``); without it every
    URL is fetched in full and nothing is remembered (``onrecord analyze``).
    """

    def __init__(
        self,
        options: FetchOptions,
        *,
        max_chars: int,
        state: FetchStateAccess | None = None,
        spacing: HostSpacing | None = None,
    ) -> None:
        self.options = options
        self.max_chars = max_chars
        self.state = state
        self.stats = FetchStats()
        self.spacing = spacing or HostSpacing()
        self.robots: dict = {}
        self.claimed: set[str] = set()
        self.warc = WarcSaver(options.save_warc) if options.save_warc else None

    def close(self) -> None:
        if self.warc is not None:
            self.warc.close()

    def _fetcher(self) -> Fetcher:
        return Fetcher(self.options, spacing=self.spacing, robots=self.robots)

    # --- phase 1: the given URLs --------------------------------------------------------------

    def discover(self, specs: Sequence[str]) -> Discovery:
        return run_async(lambda: self._discover(specs))

    async def _discover(self, specs: Sequence[str]) -> Discovery:
        found = Discovery()
        async with self._fetcher() as fetcher:
            try:
                parts = await asyncio.gather(*(self._guard_start(fetcher, url) for url in self._unique(specs, found)))
            finally:
                self.stats.requests += fetcher.requests
        for items, work in parts:
            found.items.extend(items)
            for unit in work:
                if unit.url in self.claimed:
                    self.stats.duplicates += 1
                    continue
                self.claimed.add(unit.url)
                found.work.append(unit)
        return found

    def _unique(self, specs: Sequence[str], found: Discovery) -> list[str]:
        unique: list[str] = []
        for spec in specs:
            try:
                url = checked_url(spec)
            except UrlProblem as exc:
                self._fail(found.items, spec, str(exc))
                continue
            if url in self.claimed:
                self.stats.duplicates += 1
                continue
            self.claimed.add(url)
            unique.append(url)
        return unique

    async def _guard_start(self, fetcher: Fetcher, url: str) -> tuple[list[Item], list[Work]]:
        try:
            return await self._start(fetcher, url)
        except Exception as exc:  # a defect must fail its URL, not the batch
            failed: list[Item] = []
            self._fail(failed, url, describe(exc))
            return failed, []

    async def _start(self, fetcher: Fetcher, url: str) -> tuple[list[Item], list[Work]]:
        items: list[Item] = []
        try:
            document = await self._document(fetcher, url)
        except (FetchError, DocumentProblem) as exc:
            self._fail(items, url, describe(exc) if isinstance(exc, FetchError) else str(exc))
            return items, []
        if document is None:
            return items, []  # a page unchanged since it was stored
        if isinstance(document, Page):
            items.append(await self._article(url, document.response, None))
            return items, []
        return items, await self._listing_work(fetcher, url, document, 0, items)

    async def _listing_work(
        self, fetcher: Fetcher, url: str, listing: Listing, depth: int, items: list[Item]
    ) -> list[Work]:
        self.stats.listings += 1
        work: list[Work] = []
        for entry in listing.entries[: self.options.max_items_per_source]:
            work.append(Work(entry.url, url, entry, entry.marker or ""))
        if listing.sitemaps and depth >= self.options.max_sitemap_depth:
            self._fail(
                items, url, f"sitemap index nested deeper than {self.options.max_sitemap_depth} levels; not followed"
            )
            return work
        children = listing.sitemaps[: self.options.max_items_per_source]
        results = await asyncio.gather(*(self._child(fetcher, child, url, depth + 1, items) for child in children))
        for child_work in results:
            work.extend(child_work)
        return work

    async def _child(self, fetcher: Fetcher, url: str, parent: str, depth: int, items: list[Item]) -> list[Work]:
        try:
            url = checked_url(url, base=parent)
        except UrlProblem as exc:
            self._fail(items, url, f"listed in sitemap index {parent}: {exc}")
            return []
        try:
            document = await self._document(fetcher, url)
        except (FetchError, DocumentProblem) as exc:
            self._fail(items, url, describe(exc) if isinstance(exc, FetchError) else str(exc))
            return []
        if not isinstance(document, Listing):
            self._fail(items, url, f"listed in sitemap index {parent} but is not a sitemap")
            return []
        return await self._listing_work(fetcher, url, document, depth, items)

    async def _document(self, fetcher: Fetcher, url: str) -> Page | Listing | None:
        """The page or listing at ``url``; a stored listing on a 304; None for a stored page on a 304."""
        known = self.state.fetched_url(url) if self.state is not None else None
        listed = self.state.listed_items(url) if known is not None and self.state is not None else []
        usable = known is not None and (known.article_stored or (known.article_id is None and known.problem is None))
        response = await fetcher.fetch(
            url, etag=known.etag if usable else None, last_modified=known.last_modified if usable else None
        )
        if response.not_modified:
            self._touch(url, response)
            if known is not None and known.article_stored:
                self.stats.not_modified += 1
                return None
            return _stored_listing(listed)
        self._save(response)
        document = classify(response)
        if isinstance(document, Listing):
            self._record_listing(url, response, document)
        return document

    # --- phase 2: the pages the listings name ---------------------------------------------------

    def fetch_pages(self, work: Sequence[Work]) -> list[Item]:
        return run_async(lambda: self._fetch_pages(work))

    async def _fetch_pages(self, work: Sequence[Work]) -> list[Item]:
        async with self._fetcher() as fetcher:
            try:
                results = await asyncio.gather(*(self._guard_page(fetcher, unit) for unit in work))
            finally:
                self.stats.requests += fetcher.requests
        return [item for item in results if item is not None]

    async def _guard_page(self, fetcher: Fetcher, unit: Work) -> Item | None:
        try:
            return await self._page(fetcher, unit)
        except Exception as exc:  # a defect must fail its page, not the batch
            self.stats.failed += 1
            return InputFailure(unit.url, describe(exc))

    async def _page(self, fetcher: Fetcher, unit: Work) -> Item | None:
        try:
            url = checked_url(unit.url, base=unit.listing)
        except UrlProblem as exc:
            self.stats.failed += 1
            return InputFailure(unit.url, f"listed in {unit.listing}: {exc}")
        known = self.state.fetched_url(url) if self.state is not None else None
        stored = known is not None and known.article_stored
        if stored and unit.listing is not None and self._settled_marker(unit, url) == unit.marker:
            self.stats.skipped += 1
            return None
        try:
            response = await fetcher.fetch(
                url, etag=known.etag if stored else None, last_modified=known.last_modified if stored else None
            )
            if response.not_modified:
                self._touch(url, response)
                self._settle(unit, url)
                self.stats.not_modified += 1
                return None
            self._save(response)
            if not isinstance(classify(response), Page):
                raise DocumentProblem(f"listed in {unit.listing} as a page, but it is a feed or a sitemap")
        except (FetchError, DocumentProblem) as exc:
            self.stats.failed += 1
            return InputFailure(url, describe(exc) if isinstance(exc, FetchError) else str(exc))
        item = await self._article(url, response, unit.entry)
        if isinstance(item, Article):
            self._settle(unit, url)
        return item

    async def _article(self, url: str, response: Response, entry: Entry | None) -> Item:
        self.stats.pages += 1
        try:
            # Extraction is CPU work: a thread keeps the other downloads moving meanwhile.
            article = await asyncio.to_thread(
                article_from_page,
                response.body,
                url=response.final_url,
                fetched_at=response.fetched_at,
                max_chars=self.max_chars,
                charset=response.charset,
                entry=entry,
            )
        except InputProblem as exc:
            self._record(url, response, problem=str(exc))
            self.stats.failed += 1
            return InputFailure(url, str(exc))
        self._record(url, response, article_id=article.id)
        return article

    # --- state and provenance -----------------------------------------------------------------

    def _fail(self, items: list[Item], origin: str, problem: str) -> None:
        self.stats.failed += 1
        items.append(InputFailure(origin, problem))

    def _save(self, response: Response) -> None:
        if self.warc is not None:
            self.warc.save(response)

    def _record(self, url: str, response: Response, article_id: str | None = None, problem: str | None = None) -> None:
        if self.state is not None:
            self.state.record_fetch(
                url,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                fetched_at=response.fetched_at,
                article_id=article_id,
                problem=problem,
            )

    def _touch(self, url: str, response: Response) -> None:
        if self.state is not None:
            self.state.touch_fetch(url, response.fetched_at)

    def _record_listing(self, url: str, response: Response, listing: Listing) -> None:
        if self.state is None:
            return
        self._record(url, response)
        rows: list[ListingRow] = []
        for entry in listing.entries[: self.options.max_items_per_source]:
            try:
                rows.append(
                    (
                        checked_url(entry.url, base=url),
                        "page",
                        entry.title,
                        entry.published,
                        entry.author,
                        entry.marker or "",
                    )
                )
            except UrlProblem:
                continue  # reported when the page is due
        for child in listing.sitemaps[: self.options.max_items_per_source]:
            try:
                rows.append((checked_url(child, base=url), "sitemap", None, None, None, ""))
            except UrlProblem:
                continue
        self.state.record_listing(url, rows)

    def _settled_marker(self, unit: Work, url: str) -> str | None:
        if self.state is None or unit.listing is None:
            return None
        for item in self.state.listed_items(unit.listing):
            if item.item_url == url:
                return item.settled_marker
        return None

    def _settle(self, unit: Work, url: str) -> None:
        if self.state is not None and unit.listing is not None:
            self.state.settle_items([(unit.listing, url, unit.marker)])


def _stored_listing(listed: Iterable[ListedItem]) -> Listing:
    """A listing rebuilt from the fetch state after a 304: the same items as last time."""
    listing = Listing("stored listing")
    for item in listed:
        if item.kind == "sitemap":
            listing.sitemaps.append(item.item_url)
        else:
            listing.entries.append(Entry(item.item_url, item.title, item.published, item.author, item.listed_marker))
    return listing


def fetch_inputs(
    specs: Sequence[str], *, max_chars: int, session: FetchSession | None = None, note: bool = True
) -> list[Item]:
    """Fetch URL inputs (pages, feeds, sitemaps) into articles and failures, one per page or URL.

    ``session`` (by default the one set with :func:`~onrecord.fetching.options.fetch_session`)
    supplies the options and the corpus whose fetch state is used. ``note`` prints the fetch
    summary on stderr.
    """
    session = session or current_session()
    with ExitStack() as stack:
        database = open_state_database(session.db)
        if database is not None and database is not session.db:
            stack.enter_context(database)  # opened here, so closed here; a Database passed in stays open
        crawl = Crawl(session.options, max_chars=max_chars, state=database.fetch_state() if database else None)
        stack.callback(crawl.close)
        found = crawl.discover(specs)
        items = found.items + crawl.fetch_pages(found.work)
    if note:
        print(crawl.stats.summary(), file=sys.stderr)
    return items


def open_state_database(db: Database | str | object | None) -> Database | None:
    """The corpus database that keeps the fetch state: ``db`` itself if already open, else opened read-write
    (created and migrated like any corpus); None when there is no corpus (``onrecord analyze``)."""
    from onrecord.store.base import Database

    if db is None or isinstance(db, Database):
        return db
    return Database.open(db)  # type: ignore[arg-type]
