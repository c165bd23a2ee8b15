"""The fetch state kept through the store's Database (``db.fetch_state()``), not a connection of the fetcher's own."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from fetchsite import Site, article_page, robots, rss, story
from onrecord.fetching import FetchOptions, FetchSession, fetch_inputs
from onrecord.model import Article
from onrecord.store.base import Database
from onrecord.store.fetch_state import FetchStateAccess

OPTIONS = FetchOptions(per_host_interval=0.0, total_timeout=5.0, backoff=0.05)
DATE = "Tue, 05 Mar 2024 08:00:00 GMT"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def site():
    server = Site().start()
    server.serve("/robots.txt", robots(), "text/plain")
    for n in range(2):
        server.serve_cacheable(f"/news/{n}", article_page(f"Story {n}", story(n)))
    server.serve_cacheable(
        "/feed.xml", rss([(server.url(f"/news/{n}"), f"Listed {n}", DATE) for n in range(2)]), "application/rss+xml"
    )
    yield server
    server.stop()


def _fetch(urls: list[str], db: object) -> list:
    return fetch_inputs(urls, max_chars=200_000, session=FetchSession(OPTIONS, db=db), note=False)  # type: ignore[arg-type]


def test_the_state_is_written_and_read_through_the_database(site, tmp_path: Path) -> None:
    db_path = tmp_path / "corpus.db"
    items = _fetch([site.url("/feed.xml")], db_path)
    assert [a.url for a in items if isinstance(a, Article)] == [site.url("/news/0"), site.url("/news/1")]
    with Database.open(db_path) as db:
        state: FetchStateAccess = db.fetch_state()
        feed = state.fetched_url(site.url("/feed.xml"))
        assert feed is not None and feed.etag and feed.article_id is None and feed.problem is None
        page = state.fetched_url(site.url("/news/0"))
        assert page is not None and page.article_id == items[0].id
        assert not page.article_stored  # fetched, but nothing was ingested: a re-run must fetch it again
        assert [i.item_url for i in state.listed_items(site.url("/feed.xml"))] == [
            site.url("/news/0"),
            site.url("/news/1"),
        ]


def test_an_open_database_in_the_session_is_used_and_left_open(site, tmp_path: Path) -> None:
    with Database.open(tmp_path / "corpus.db") as db:
        _fetch([site.url("/news/0")], db)
        recorded = db.fetch_state().fetched_url(site.url("/news/0"))
        assert recorded is not None and recorded.etag
        assert db.counts()["articles"] == 0  # still open and usable after the fetch


def test_the_state_works_when_the_crawl_runs_on_a_worker_thread(site, tmp_path: Path) -> None:
    # Called from inside an event loop, the crawl runs on another thread (collect.run_async): the
    # state's connection must accept that, as the fetcher's own connection used to.
    db_path = tmp_path / "corpus.db"

    async def inside_a_loop() -> list:
        return _fetch([site.url("/feed.xml")], db_path)

    items = asyncio.run(inside_a_loop())
    assert len([a for a in items if isinstance(a, Article)]) == 2
    with Database.open(db_path) as db:
        assert db.fetch_state().fetched_url(site.url("/news/1")) is not None
    # A second run sends the feed's validators and is answered 304 (the state was really kept).
    before = len(site.requests_for("/feed.xml"))
    asyncio.run(inside_a_loop())
    assert site.requests_for("/feed.xml")[before].headers.get("if-none-match")


def test_only_the_store_opens_sqlite() -> None:
    offenders = []
    for folder in ("src", "bench"):
        for path in (REPO / folder).rglob("*.py"):
            if "store" in path.relative_to(REPO / folder).parts:
                continue
            if re.search(r"^\s*(import sqlite3|from sqlite3 import)", path.read_text(encoding="utf-8"), re.M):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []
