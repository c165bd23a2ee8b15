"""The fetch state (migration 002) on PostgreSQL: the operations of :mod:`onrecord.store.fetch_state`
with the same arguments and results, over the writer connection (autocommit: each write is its own
short transaction, as on SQLite)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from onrecord.store.fetch_state import FetchedUrl, ListedItem

if TYPE_CHECKING:
    import psycopg


class PostgresFetchState:
    """``state.fetched_url(url)``, ``state.record_fetch(url, ...)`` and the rest, bound to one connection."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self._conn = conn

    def fetched_url(self, url: str) -> FetchedUrl | None:
        row = self._conn.execute(
            "SELECT f.url, f.etag, f.last_modified, f.article_id, a.id IS NOT NULL, f.fetched_at, f.problem"
            " FROM fetched_urls f LEFT JOIN articles a ON a.id = f.article_id WHERE f.url = %s",
            (url,),
        ).fetchone()
        return None if row is None else FetchedUrl(*row[:4], bool(row[4]), *row[5:])

    def record_fetch(
        self,
        url: str,
        *,
        etag: str | None,
        last_modified: str | None,
        fetched_at: str,
        article_id: str | None = None,
        problem: str | None = None,
    ) -> None:
        self._conn.execute(
            "INSERT INTO fetched_urls (url, etag, last_modified, article_id, fetched_at, problem)"
            " VALUES (%s,%s,%s,%s,%s,%s)"
            " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,"
            " article_id = excluded.article_id, fetched_at = excluded.fetched_at, problem = excluded.problem",
            (url, etag, last_modified, article_id, fetched_at, problem),
        )

    def touch_fetch(self, url: str, fetched_at: str) -> None:
        self._conn.execute("UPDATE fetched_urls SET fetched_at = %s WHERE url = %s", (fetched_at, url))

    def listed_items(self, listing_url: str) -> list[ListedItem]:
        found = self._conn.execute(
            "SELECT item_url, kind, title, published, author, listed_marker, settled_marker FROM listed_items"
            " WHERE listing_url = %s ORDER BY position",
            (listing_url,),
        ).fetchall()
        return [ListedItem(*row) for row in found]

    def record_listing(
        self, listing_url: str, items: Sequence[tuple[str, str, str | None, str | None, str | None, str]]
    ) -> None:
        """Replace what ``listing_url`` lists; an item listed before keeps its settled marker."""
        with self._conn.transaction():
            settled = dict(
                self._conn.execute(
                    "SELECT item_url, settled_marker FROM listed_items WHERE listing_url = %s FOR UPDATE",
                    (listing_url,),
                ).fetchall()
            )
            self._conn.execute("DELETE FROM listed_items WHERE listing_url = %s", (listing_url,))
            rows = [
                (listing_url, url, position, kind, title, published, author, marker, settled.get(url))
                for position, (url, kind, title, published, author, marker) in enumerate(items)
            ]
            if rows:
                with self._conn.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO listed_items (listing_url, item_url, position, kind, title, published, author,"
                        " listed_marker, settled_marker) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)"
                        " ON CONFLICT DO NOTHING",
                        rows,
                    )

    def settle_items(self, settled: Iterable[tuple[str, str, str]]) -> None:
        rows = [(marker, listing, item) for listing, item, marker in settled]
        if rows:
            with self._conn.cursor() as cursor:
                cursor.executemany(
                    "UPDATE listed_items SET settled_marker = %s WHERE listing_url = %s AND item_url = %s", rows
                )

    def stored_article_ids(self, ids: Iterable[str]) -> set[str]:
        found = self._conn.execute("SELECT id FROM articles WHERE id = ANY(%s)", (list(ids),)).fetchall()
        return {row[0] for row in found}
