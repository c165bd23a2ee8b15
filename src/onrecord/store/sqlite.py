"""The SQLite implementation of :class:`onrecord.store.base.Database`.

Connections: one writer (read-write opening only; created and migrated under the write lock on open)
and one read-only connection per thread (``mode=ro`` plus ``PRAGMA query_only``), made on first use.
Starlette runs page handlers in a thread pool, so each worker thread reads on its own connection, as
Datasette does. Every read statement runs under a progress handler that stops it at the time limit
(:class:`onrecord.store.sqlite_reads.Reader`). A connection that failed (say, the file was replaced
while serving) is closed and made again on the next read.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from onrecord.model import ArticleAnalysis, InputFailure
from onrecord.store import sqlite_export, sqlite_pages, sqlite_reads, sqlite_search, sqlite_writes, story_reads
from onrecord.store.base import (
    DEFAULT_TIME_LIMIT_S,
    EXPORT_TABLES,
    Claims,
    Database,
    Page,
    StatementFilter,
    StoreError,
    WriteOutcome,
    older_schema_refusal,
)
from onrecord.store.db import connect, db_path_from_url, load_migrations, migrate
from onrecord.store.story_reads import StoryReads

EXPORT_CHUNK_ROWS = 5000


class SQLiteDatabase(StoryReads, Database):
    """A corpus in one SQLite file. ``conn`` is the writer connection (None when opened read-only)."""

    def __init__(self, path: Path, *, read_only: bool, time_limit_s: float | None) -> None:
        self.path = path
        self.label = str(path)
        self.read_only = read_only
        self.time_limit_s = time_limit_s
        self.conn: sqlite3.Connection | None = None
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._claims_conn: sqlite3.Connection | None = None
        self._claims_lock = threading.Lock()
        self._fetch_conn: sqlite3.Connection | None = None

    @classmethod
    def open_url(
        cls, url: str | Path | None, *, read_only: bool = False, time_limit_s: float | None = DEFAULT_TIME_LIMIT_S
    ) -> SQLiteDatabase:
        path = db_path_from_url(url).expanduser()
        if time_limit_s is not None and time_limit_s <= 0:
            raise StoreError(f"{path}: the query time limit must be positive, got {time_limit_s}")
        database = cls(path, read_only=read_only, time_limit_s=time_limit_s)
        if read_only:
            database._check_readable()
            return database
        conn = connect(path)
        try:
            migrate(conn, label=str(path))
        except BaseException:
            conn.close()
            raise
        database.conn = conn
        return database

    def _check_readable(self) -> None:
        if not self.path.is_file():
            raise StoreError(
                f"{self.path}: no such database file (build one with `onrecord ingest` or `onrecord demo`)"
            )
        reader = self._reader()
        try:
            missing = sqlite_reads.is_corpus(reader)
            version = sqlite_reads.schema_version(reader)
        except StoreError as exc:
            self.close()
            raise StoreError(f"{self.path}: not a SQLite database ({exc.__cause__ or exc})") from exc
        if missing:
            self.close()
            raise StoreError(f"{self.path}: not an onrecord corpus (missing tables: {', '.join(missing)})")
        latest = len(load_migrations())
        if version > latest:
            self.close()
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this onrecord knows ({latest}); upgrade onrecord"
            )
        if version < latest:
            self.close()
            self._migrate_older_schema(version, latest)

    def _migrate_older_schema(self, version: int, latest: int) -> None:
        """Bring a database older than this onrecord up to date before reading it, through a write
        connection of its own (closed again: the opening stays read-only), or refuse, saying what to run."""
        try:
            conn = connect(self.path)
            try:
                migrate(conn, label=str(self.path))
            finally:
                conn.close()
        except (StoreError, sqlite3.Error) as exc:
            raise older_schema_refusal(str(self.path), version, latest, exc) from exc

    def close(self) -> None:
        with self._lock:
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()
        self._local = threading.local()
        if self._claims_conn is not None:
            self._claims_conn.close()
            self._claims_conn = None
        if self._fetch_conn is not None:
            self._fetch_conn.close()
            self._fetch_conn = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    # --- connections --------------------------------------------------------------------------

    def _reader(self) -> sqlite_reads.Reader:
        reader = getattr(self._local, "reader", None)
        if reader is None:
            try:
                conn = connect(self.path, read_only=True, check_same_thread=False)
                conn.execute("PRAGMA query_only = ON")
            except sqlite3.Error as exc:
                raise StoreError(f"corpus database {self.label}: {exc}") from exc
            sqlite_reads.prepare_connection(conn)
            deadline = sqlite_reads.Deadline()
            deadline.install(conn)
            reader = sqlite_reads.Reader(conn, deadline, self.time_limit_s, self.label)
            with self._lock:
                self._readers.append(conn)
            self._local.reader = reader
        return reader

    @contextmanager
    def _reading(self) -> Iterator[sqlite_reads.Reader]:
        """This thread's reader; dropped after a database error so the next read connects afresh."""
        reader = self._reader()
        try:
            yield reader
        except StoreError:
            if not reader.conn.in_transaction:
                self._drop_reader(reader)
            raise

    def _drop_reader(self, reader: sqlite_reads.Reader) -> None:
        self._local.reader = None
        with self._lock:
            if reader.conn in self._readers:
                self._readers.remove(reader.conn)
        reader.conn.close()

    def _writer(self) -> sqlite3.Connection:
        if self.conn is None:
            raise StoreError(f"{self.label}: opened read-only; writing needs Database.open(url) without read_only")
        return self.conn

    # --- writes -------------------------------------------------------------------------------

    def write_batch(self, analyses: Iterable[ArticleAnalysis]) -> list[WriteOutcome | InputFailure]:
        return sqlite_writes.write_batch(self._writer(), analyses)

    def rebuild_aggregates(self) -> None:
        """Recount migration 005's page aggregates from the rows (after a bulk load that bypassed the writer)."""
        sqlite_writes.rebuild_aggregates(self._writer())

    def claim(self, article_ids: Sequence[str], signature: str, owner: str) -> Claims:
        with self._claims_lock:
            return sqlite_writes.claim(self._claims_connection(), article_ids, signature, owner)

    def release_claims(self, owner: str) -> None:
        with self._claims_lock:
            sqlite_writes.release_claims(self._claims_connection(), owner)

    def _claims_connection(self) -> sqlite3.Connection:
        # Claims are taken as the analyser pulls items, which with --jobs N happens on the worker pool's
        # feeder thread while this thread writes batches: a connection (and lock) of their own.
        self._writer()
        if self._claims_conn is None:
            self._claims_conn = connect(self.path, check_same_thread=False)
        return self._claims_conn

    def fetch_state(self) -> FetchState:
        # A connection of its own, as the claims have: the crawl may run on a worker thread (run_async
        # inside an event loop), and its short writes must never join a batch the writer has open.
        with self._claims_lock:
            self._writer()
            if self._fetch_conn is None:
                self._fetch_conn = connect(self.path, check_same_thread=False)
            return FetchState(self._fetch_conn)

    def link_session(self, *, write: bool) -> AbstractContextManager[Any]:
        from onrecord.store.linking import sqlite_session

        return sqlite_session(self._writer(), self.label, write=write)

    # --- reads --------------------------------------------------------------------------------

    def stored_models(self, article_ids: Sequence[str] | None = None) -> dict[str, str]:
        with self._reading() as reader:
            return sqlite_reads.stored_models(reader, article_ids)

    def counts(self) -> dict[str, int]:
        with self._reading() as reader:
            return sqlite_reads.counts(reader)

    def analysis_dict(self, article_id: str) -> dict[str, Any] | None:
        with self._reading() as reader:
            return sqlite_reads.analysis_dict(reader, article_id)

    def overview(self) -> dict[str, Any]:
        with self._reading() as reader:
            return sqlite_pages.overview(reader)

    def list_articles(self, f: StatementFilter, limit: int = 50, offset: int = 0, after: str | None = None) -> Page:
        with self._reading() as reader:
            return sqlite_pages.list_articles(reader, f, limit, offset, after)

    def get_article(self, article_id: str) -> dict[str, Any] | None:
        with self._reading() as reader:
            return sqlite_reads.get_article(reader, article_id)

    def source_directory(self, f: StatementFilter, limit: int = 100, offset: int = 0, after: str | None = None) -> Page:
        with self._reading() as reader:
            return sqlite_pages.source_directory(reader, f, limit, offset, after)

    def search_statements(self, f: StatementFilter, limit: int = 50, offset: int = 0, after: str | None = None) -> Page:
        with self._reading() as reader:
            return sqlite_search.search_statements(reader, f, limit, offset, after)

    def facet_values(self) -> dict[str, list[str]]:
        with self._reading() as reader:
            return sqlite_reads.facet_values(reader)

    @contextmanager
    def _story_reading(self) -> Iterator[story_reads.StoryReader]:
        # The story layer's reads (list_stories, get_story, ...) come from StoryReads, on this reader.
        with self._reading() as reader:
            yield story_reads.sqlite_reader(reader)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        with self._reading() as reader:
            reader.conn.execute("BEGIN")
            try:
                yield
            finally:
                reader.conn.execute("COMMIT")

    def export_chunks(self, table: str) -> Iterator[list[tuple[Any, ...]]]:
        if table not in EXPORT_TABLES:
            raise ValueError(f"export table {table!r}: expected one of {', '.join(EXPORT_TABLES)}")
        with self._reading() as reader:
            yield from sqlite_export.export_chunks(reader, table, EXPORT_CHUNK_ROWS)


class FetchState:
    """The fetch-state operations of :mod:`onrecord.store.fetch_state`, bound to the database's fetch-state connection.

    ``state.fetched_url(url)`` is ``fetch_state.fetched_url(conn, url)``, and so on for every public
    function there, so the fetcher needs no connection of its own.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __getattr__(self, name: str) -> Any:
        from onrecord.store import fetch_state

        operation = getattr(fetch_state, name, None)
        if name.startswith("_") or not callable(operation) or isinstance(operation, type):
            raise AttributeError(f"fetch state has no operation {name!r}")
        return functools.partial(operation, self._conn)
