"""SQL for the fetch state (migration 002): validators per URL and what each feed or sitemap listed.

Functions take the store's connection (autocommit mode); each write is its own short transaction,
so the state never runs ahead of what a crash can lose: a page's row says which article it gave,
and a re-run trusts the row only while that article is stored.

The fetcher never calls these with a connection: ``Database.fetch_state()`` returns them bound to
the database (:class:`FetchStateAccess` is that bound form), so another backend implements the same
operations behind its own ``fetch_state()``. The tables are described in docs/fetching.md.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class FetchedUrl:
    url: str
    etag: str | None
    last_modified: str | None
    article_id: str | None
    article_stored: bool
    fetched_at: str
    problem: str | None


@dataclass(frozen=True)
class ListedItem:
    item_url: str
    kind: str
    title: str | None
    published: str | None
    author: str | None
    listed_marker: str
    settled_marker: str | None


# (item_url, kind, title, published, author, marker): one item a feed or sitemap lists, in order.
ListingRow = tuple[str, str, str | None, str | None, str | None, str]


class FetchStateAccess(Protocol):
    """The fetch-state operations bound to one database: what ``Database.fetch_state()`` returns.

    Each is the function of this module of the same name without its connection argument. A
    backend's implementation must give the same answers (tests/test_fetch_*.py run them on SQLite).
    """

    def fetched_url(self, url: str) -> FetchedUrl | None: ...

    def record_fetch(
        self,
        url: str,
        *,
        etag: str | None,
        last_modified: str | None,
        fetched_at: str,
        article_id: str | None = None,
        problem: str | None = None,
    ) -> None: ...

    def touch_fetch(self, url: str, fetched_at: str) -> None: ...

    def listed_items(self, listing_url: str) -> list[ListedItem]: ...

    def record_listing(self, listing_url: str, items: Sequence[ListingRow]) -> None: ...

    def settle_items(self, settled: Iterable[tuple[str, str, str]]) -> None: ...

    def stored_article_ids(self, ids: Iterable[str]) -> set[str]: ...


def fetched_url(conn: sqlite3.Connection, url: str) -> FetchedUrl | None:
    row = conn.execute(
        "SELECT f.url, f.etag, f.last_modified, f.article_id, a.id IS NOT NULL, f.fetched_at, f.problem"
        " FROM fetched_urls f LEFT JOIN articles a ON a.id = f.article_id WHERE f.url = ?",
        (url,),
    ).fetchone()
    return None if row is None else FetchedUrl(*row[:4], bool(row[4]), *row[5:])


def record_fetch(
    conn: sqlite3.Connection,
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    fetched_at: str,
    article_id: str | None = None,
    problem: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO fetched_urls (url, etag, last_modified, article_id, fetched_at, problem) VALUES (?,?,?,?,?,?)"
        " ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,"
        " article_id = excluded.article_id, fetched_at = excluded.fetched_at, problem = excluded.problem",
        (url, etag, last_modified, article_id, fetched_at, problem),
    )


def touch_fetch(conn: sqlite3.Connection, url: str, fetched_at: str) -> None:
    """A 304: the validators and the article stand; only the time of the check moves."""
    conn.execute("UPDATE fetched_urls SET fetched_at = ? WHERE url = ?", (fetched_at, url))


def listed_items(conn: sqlite3.Connection, listing_url: str) -> list[ListedItem]:
    return [
        ListedItem(*row)
        for row in conn.execute(
            "SELECT item_url, kind, title, published, author, listed_marker, settled_marker FROM listed_items"
            " WHERE listing_url = ? ORDER BY position",
            (listing_url,),
        )
    ]


def record_listing(
    conn: sqlite3.Connection,
    listing_url: str,
    items: Sequence[ListingRow],
) -> None:
    """Replace what ``listing_url`` lists: (item_url, kind, title, published, author, marker) in order.

    An item listed before keeps its settled marker, so an unchanged item is not fetched again.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        settled = dict(
            conn.execute("SELECT item_url, settled_marker FROM listed_items WHERE listing_url = ?", (listing_url,))
        )
        conn.execute("DELETE FROM listed_items WHERE listing_url = ?", (listing_url,))
        conn.executemany(
            "INSERT OR IGNORE INTO listed_items (listing_url, item_url, position, kind, title, published, author,"
            " listed_marker, settled_marker) VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (listing_url, url, position, kind, title, published, author, marker, settled.get(url))
                for position, (url, kind, title, published, author, marker) in enumerate(items)
            ],
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def settle_items(conn: sqlite3.Connection, settled: Iterable[tuple[str, str, str]]) -> None:
    """Mark (listing_url, item_url, marker) as fetched at that marker."""
    conn.executemany(
        "UPDATE listed_items SET settled_marker = ? WHERE listing_url = ? AND item_url = ?",
        [(marker, listing, item) for listing, item, marker in settled],
    )


def stored_article_ids(conn: sqlite3.Connection, ids: Iterable[str]) -> set[str]:
    wanted = list(ids)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        placeholders = ",".join("?" * len(chunk))
        found.update(row[0] for row in conn.execute(f"SELECT id FROM articles WHERE id IN ({placeholders})", chunk))
    return found
