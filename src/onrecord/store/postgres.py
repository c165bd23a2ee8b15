"""The PostgreSQL implementation of :class:`onrecord.store.base.Database` (``--db postgresql://...``).

Needs the optional extra ``onrecord[postgres]`` (psycopg 3). Connections: one writer and one for
ingest claims (read-write opening only; the schema is migrated on open under an advisory lock), and
one reader per thread, each read in a read-only transaction with ``statement_timeout`` set to the
time limit. The URL's user may be a read-only role (``docs/store.md``): the web app and the export
only read. Dialect specifics: migrations in ``migrations/postgresql/`` (same numbers and meaning as
SQLite's), ``tsvector`` GIN indexes for search (an expression for articles, a column the writer fills
on attributions), ``INSERT ... ON CONFLICT`` for outlets and claims, row locks (``SELECT ... FOR UPDATE``)
when an article is replaced.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from onrecord.model import ArticleAnalysis, InputFailure
from onrecord.store import aggregates, postgres_export, postgres_pages, postgres_reads, rows, story_reads
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
from onrecord.store.db import url_label
from onrecord.store.postgres_schema import (
    NOW_TEXT,
    check_writable,
    load_postgres_migrations,
    migrate,
    refuse_newer,
    require_psycopg,
    schema_version,
)
from onrecord.store.sqlite_writes import CLAIM_LEASE_S, _owner_alive
from onrecord.store.story_reads import StoryReads

if TYPE_CHECKING:
    import psycopg

SCHEMES = ("postgresql", "postgres")
DEADLOCK_RETRIES = 3
_INSERT_SOURCE = (
    "INSERT INTO sources (article_id, id, name, kind, role, affiliation, country, seniority, status, count,"
    " anonymity_reason, canonical_actor) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
)
_INSERT_MENTION = 'INSERT INTO mentions (article_id, source_id, start, "end", text) VALUES (%s,%s,%s,%s,%s)'
_INSERT_ATTRIBUTION = (
    "INSERT INTO attributions (article_id, id, kind, channel, source_id, relay_source_id,"
    " source_start, source_end, cue_start, cue_end, content_start, content_end, relay_start, relay_end, confidence,"
    " search) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,"
    # The statement's search vector (migration 008), from what rows.statement_texts says it is found by.
    " to_tsvector('english', %s) || to_tsvector('english', %s) || to_tsvector('english', %s))"
)
_INSERT_CLAIM = (
    'INSERT INTO claims (article_id, id, type, start, "end", text, value, unit, qualifier, date, date_end,'
    " relative, attribution_id, source_id) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
)
_ARTICLE_COLUMNS = ("title", "author", "url", "outlet_id", "published", "language", "text", "model", "analysis")


def is_postgres_url(url: object) -> bool:
    return isinstance(url, str) and url.split("://", 1)[0].lower() in SCHEMES and "://" in url


class PostgresDatabase(StoryReads, Database):
    """A corpus in a PostgreSQL database. ``conn`` is the writer connection (None when opened read-only)."""

    def __init__(self, url: str, *, read_only: bool, time_limit_s: float | None) -> None:
        self.url = url
        self.label = url_label(url)
        self.read_only = read_only
        self.time_limit_s = time_limit_s
        self.conn: psycopg.Connection | None = None
        self._psycopg = require_psycopg(url)
        self._local = threading.local()
        self._readers: list[postgres_reads.Reader] = []
        self._lock = threading.Lock()
        self._claims_conn: psycopg.Connection | None = None
        self._claims_lock = threading.Lock()
        self._fetch_conn: psycopg.Connection | None = None
        self._outlet_ids: dict[str, int] = {}

    @classmethod
    def open_url(
        cls, url: str, *, read_only: bool = False, time_limit_s: float | None = DEFAULT_TIME_LIMIT_S
    ) -> PostgresDatabase:
        database = cls(url, read_only=read_only, time_limit_s=time_limit_s)
        if time_limit_s is not None and time_limit_s <= 0:
            raise StoreError(f"{database.label}: the query time limit must be positive, got {time_limit_s}")
        if read_only:
            database._check_readable()
            return database
        conn = database._connect()
        try:
            migrate(conn, label=database.label)
            check_writable(conn, database.label)
        except BaseException:
            conn.close()
            raise
        database.conn = conn
        return database

    def _connect(self) -> psycopg.Connection:
        try:
            return self._psycopg.connect(self.url, autocommit=True, application_name="onrecord")
        except self._psycopg.Error as exc:
            raise StoreError(f"corpus database {self.label}: cannot connect: {str(exc).strip()}") from exc

    def _check_readable(self) -> None:
        reader = self._reader()
        try:
            version = reader.run(schema_version)
            missing = postgres_reads.missing_tables(reader)
        except StoreError:
            self.close()
            raise
        if version is None or missing:
            self.close()
            names = ", ".join(missing) if missing else "onrecord_schema"
            raise StoreError(
                f"{self.label}: not an onrecord corpus (missing tables: {names}); "
                "create it with `onrecord ingest ... --db URL` as a user allowed to create tables"
            )
        latest = len(load_postgres_migrations())
        if version > latest:
            self.close()
            refuse_newer(version, latest, self.label)
        if version < latest:
            self.close()
            self._migrate_older_schema(version, latest)

    def _migrate_older_schema(self, version: int, latest: int) -> None:
        """Bring a database older than this onrecord up to date before reading it, through a connection of
        its own (closed again: the opening stays read-only), or refuse, saying what to run (a reader role
        may not create tables)."""
        try:
            conn = self._connect()
            try:
                migrate(conn, label=self.label)
            finally:
                conn.close()
        except StoreError as exc:
            raise older_schema_refusal(self.label, version, latest, exc) from exc

    def close(self) -> None:
        with self._lock:
            readers, self._readers = self._readers, []
        for reader in readers:
            reader.conn.close()
        self._local = threading.local()
        for name in ("_claims_conn", "_fetch_conn", "conn"):
            conn = getattr(self, name)
            if conn is not None:
                conn.close()
                setattr(self, name, None)

    # --- connections --------------------------------------------------------------------------

    def _reader(self) -> postgres_reads.Reader:
        reader = getattr(self._local, "reader", None)
        if reader is None or reader.conn.closed:
            reader = postgres_reads.Reader(self._connect(), self, self._psycopg)
            with self._lock:
                self._readers.append(reader)
            self._local.reader = reader
        return reader

    @contextmanager
    def _reading(self) -> Iterator[postgres_reads.Reader]:
        """This thread's reader; dropped after a connection failure so the next read connects afresh."""
        reader = self._reader()
        try:
            yield reader
        except StoreError:
            if reader.conn.closed or reader.conn.broken:
                self._local.reader = None
                with self._lock:
                    if reader in self._readers:
                        self._readers.remove(reader)
            raise

    def _writer(self) -> psycopg.Connection:
        if self.conn is None:
            raise StoreError(f"{self.label}: opened read-only; writing needs Database.open(url) without read_only")
        return self.conn

    # --- writes -------------------------------------------------------------------------------

    def write_batch(self, analyses: Iterable[ArticleAnalysis]) -> list[WriteOutcome | InputFailure]:
        conn = self._writer()
        batch = list(analyses)
        outlet_ids = self._outlets(conn, [a.article.outlet for a in batch])
        for attempt in range(DEADLOCK_RETRIES + 1):
            try:
                return self._write_batch_once(conn, batch, outlet_ids)
            except (self._psycopg.errors.DeadlockDetected, self._psycopg.errors.SerializationFailure):
                # Two jobs replacing the same articles in other orders: PostgreSQL broke the tie by
                # rolling this batch back whole; write it again.
                if attempt == DEADLOCK_RETRIES:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _write_batch_once(
        self, conn: psycopg.Connection, batch: list[ArticleAnalysis], outlet_ids: dict[str, int]
    ) -> list[WriteOutcome | InputFailure]:
        outcomes: list[WriteOutcome | InputFailure] = []
        # A batch is one transaction (Ctrl-C or a crash loses it whole); each article a savepoint.
        with conn.transaction():
            for analysis in batch:
                try:
                    with conn.transaction():
                        outcomes.append(_write_one(conn, analysis, outlet_ids))
                except (self._psycopg.errors.IntegrityError, self._psycopg.errors.DataError, rows.RecordError) as exc:
                    outcomes.append(InputFailure(analysis.article.origin, f"could not be stored: {exc}"))
                conn.execute("DELETE FROM ingest_claims WHERE article_id = %s", (analysis.article.id,))
        return outcomes

    def _outlets(self, conn: psycopg.Connection, names: Iterable[str | None]) -> dict[str, int]:
        """Outlet name -> id, inserting new ones, each in its own short transaction (outlets are only ever
        added, and committing them apart keeps two jobs adding the same outlets from deadlocking)."""
        for name in dict.fromkeys(filter(None, map(rows.clean_outlet, names))):
            if name not in self._outlet_ids:
                conn.execute("INSERT INTO outlets (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (name,))
                self._outlet_ids[name] = conn.execute("SELECT id FROM outlets WHERE name = %s", (name,)).fetchone()[0]
        return self._outlet_ids

    def rebuild_aggregates(self) -> None:
        """Recount migration 005's page aggregates from the rows (after a bulk load that bypassed the writer)."""
        conn = self._writer()
        with conn.transaction():
            aggregates.rebuild(_pg_execute(conn), "postgresql")

    def claim(self, article_ids: Sequence[str], signature: str, owner: str) -> Claims:
        with self._claims_lock:
            for attempt in range(DEADLOCK_RETRIES + 1):
                try:
                    return _claim(self._claims_connection(), article_ids, signature, owner)
                except (self._psycopg.errors.DeadlockDetected, self._psycopg.errors.SerializationFailure):
                    # Another job's batch was dropping its claims on rows this claim needs while it
                    # waited for ours: PostgreSQL rolled this claim back whole. Take it again.
                    if attempt == DEADLOCK_RETRIES:
                        raise
                    time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def release_claims(self, owner: str) -> None:
        with self._claims_lock:
            self._claims_connection().execute("DELETE FROM ingest_claims WHERE owner = %s", (owner,))

    def _claims_connection(self) -> psycopg.Connection:
        # Claims are taken on the worker pool's feeder thread while this thread may be inside a batch's
        # transaction on the writer: a connection of their own.
        self._writer()
        if self._claims_conn is None:
            self._claims_conn = self._connect()
        return self._claims_conn

    def fetch_state(self) -> Any:
        from onrecord.store.postgres_fetch_state import PostgresFetchState

        # A connection of its own, as on SQLite: the crawl may run on a worker thread, and its short
        # writes must never join a batch the writer has open.
        with self._claims_lock:
            self._writer()
            if self._fetch_conn is None:
                self._fetch_conn = self._connect()
            return PostgresFetchState(self._fetch_conn)

    def link_session(self, *, write: bool) -> AbstractContextManager[Any]:
        from onrecord.store.linking import postgres_session

        return postgres_session(self._writer(), self.label, self._psycopg, write=write)

    # --- reads --------------------------------------------------------------------------------

    def stored_models(self, article_ids: Sequence[str] | None = None) -> dict[str, str]:
        with self._reading() as reader:
            return postgres_reads.stored_models(reader, article_ids)

    def counts(self) -> dict[str, int]:
        with self._reading() as reader:
            return postgres_reads.counts(reader)

    def analysis_dict(self, article_id: str) -> dict[str, Any] | None:
        with self._reading() as reader:
            return postgres_reads.analysis_dict(reader, article_id)

    def overview(self) -> dict[str, Any]:
        with self._reading() as reader:
            return postgres_pages.overview(reader)

    def list_articles(self, f: StatementFilter, limit: int = 50, offset: int = 0, after: str | None = None) -> Page:
        with self._reading() as reader:
            return postgres_pages.list_articles(reader, f, limit, offset, after)

    def get_article(self, article_id: str) -> dict[str, Any] | None:
        with self._reading() as reader:
            return postgres_reads.get_article(reader, article_id)

    def source_directory(self, f: StatementFilter, limit: int = 100, offset: int = 0, after: str | None = None) -> Page:
        with self._reading() as reader:
            return postgres_pages.source_directory(reader, f, limit, offset, after)

    def search_statements(self, f: StatementFilter, limit: int = 50, offset: int = 0, after: str | None = None) -> Page:
        with self._reading() as reader:
            return postgres_pages.search_statements(reader, f, limit, offset, after)

    def facet_values(self) -> dict[str, list[str]]:
        with self._reading() as reader:
            return postgres_reads.facet_values(reader)

    @contextmanager
    def _story_reading(self) -> Iterator[story_reads.StoryReader]:
        # The story layer's reads (list_stories, get_story, ...) come from StoryReads, on this reader.
        with self._reading() as reader:
            yield story_reads.postgres_reader(reader)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        with self._reading() as reader, reader.transaction(snapshot=True):
            yield

    def export_chunks(self, table: str) -> Iterator[list[tuple[Any, ...]]]:
        if table not in EXPORT_TABLES:
            raise ValueError(f"export table {table!r}: expected one of {', '.join(EXPORT_TABLES)}")
        with self._reading() as reader:
            yield from postgres_export.export_chunks(reader, table)


def _write_one(conn: psycopg.Connection, analysis: ArticleAnalysis, outlet_ids: dict[str, int]) -> WriteOutcome:
    article = analysis.article
    outlet = rows.clean_outlet(article.outlet)
    values = rows.article_values(analysis, outlet_ids[outlet] if outlet else None)
    existing = conn.execute("SELECT model FROM articles WHERE id = %s FOR UPDATE", (article.id,)).fetchone()
    if existing is None:
        columns = ", ".join(values)
        placeholders = ", ".join(f"%({c})s" for c in values)
        inserted = conn.execute(
            f"INSERT INTO articles ({columns}) VALUES ({placeholders}) ON CONFLICT (id) DO NOTHING RETURNING id", values
        ).fetchone()
        if inserted is not None:
            _insert_children(conn, analysis)
            return WriteOutcome.ADDED
        # Another job stored it between the look and the insert (without a claim): it is there now.
        existing = conn.execute("SELECT model FROM articles WHERE id = %s FOR UPDATE", (article.id,)).fetchone()
    if existing[0] == analysis.model:
        return WriteOutcome.UNCHANGED
    aggregates.remove_article(_pg_execute(conn), article.id)  # before its rows change
    for table in ("claims", "attributions", "mentions", "sources"):
        conn.execute(f"DELETE FROM {table} WHERE article_id = %s", (article.id,))
    # origin stays where the article was first read from; the rest follows the newest reading.
    assignments = ", ".join(f"{c} = %({c})s" for c in (*_ARTICLE_COLUMNS, "n_words"))
    conn.execute(f"UPDATE articles SET {assignments}, ingested_at = {NOW_TEXT} WHERE id = %(id)s", values)
    _insert_children(conn, analysis)
    return WriteOutcome.REPLACED


def _insert_children(conn: psycopg.Connection, analysis: ArticleAnalysis) -> None:
    texts = rows.statement_texts(analysis)  # one per attribution, in order: its search vector's texts
    attributions = [(*row, *t[1:]) for row, t in zip(rows.attribution_rows(analysis), texts, strict=True)]
    with conn.cursor() as cursor:
        for sql, batch in (
            (_INSERT_SOURCE, rows.source_rows(analysis)),
            (_INSERT_MENTION, rows.mention_rows(analysis)),
            (_INSERT_ATTRIBUTION, attributions),
            (_INSERT_CLAIM, rows.claim_rows(analysis)),
        ):
            if batch:
                cursor.executemany(sql, batch)
    aggregates.add_article(_pg_execute(conn), analysis.article.id)


def _pg_execute(conn: psycopg.Connection) -> aggregates.Execute:
    return lambda sql, params: conn.execute(aggregates.for_postgres(sql), params)


def _claim(conn: psycopg.Connection, article_ids: Sequence[str], signature: str, owner: str) -> Claims:
    """Stored, held by another live ingest, or claimed now for ``owner``, in one transaction.

    The claim is an ``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` the old claim is this owner's, has
    lapsed or belongs to a process that is gone: PostgreSQL locks the conflicting row and evaluates the
    condition on its latest committed version, so of two jobs racing for one article exactly one gets
    it back from ``RETURNING``. Stored articles are looked up again *after* claiming, so an article
    written (and its claim dropped) by another job a moment ago is not analysed twice.
    """
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return Claims(frozenset(), frozenset(), frozenset())
    now = time.time()
    with conn.transaction():
        stored = _stored_with(conn, ids, signature)
        wanted = [i for i in ids if i not in stored]
        holders = conn.execute(
            "SELECT DISTINCT owner FROM ingest_claims WHERE article_id = ANY(%s) AND owner <> %s", (wanted, owner)
        ).fetchall()
        void = [holder for (holder,) in holders if not _owner_alive(holder)]
        mine = {
            row[0]
            for row in conn.execute(
                """INSERT INTO ingest_claims (article_id, signature, owner, expires)
                   SELECT id, %(signature)s, %(owner)s, %(expires)s FROM unnest(%(ids)s::text[]) AS id ORDER BY id
                   ON CONFLICT (article_id) DO UPDATE
                   SET signature = excluded.signature, owner = excluded.owner, expires = excluded.expires
                   WHERE ingest_claims.owner = excluded.owner OR ingest_claims.expires <= %(now)s
                         OR ingest_claims.owner = ANY(%(void)s)
                   RETURNING article_id""",
                {
                    "signature": signature,
                    "owner": owner,
                    "expires": now + CLAIM_LEASE_S,
                    "ids": wanted,
                    "now": now,
                    "void": void,
                },
            ).fetchall()
        }
        late = _stored_with(conn, sorted(mine), signature)
        if late:
            conn.execute("DELETE FROM ingest_claims WHERE article_id = ANY(%s) AND owner = %s", (sorted(late), owner))
    mine -= late
    stored |= late
    held = {i for i in wanted if i not in mine and i not in stored}
    return Claims(frozenset(stored), frozenset(held), frozenset(mine))


def _stored_with(conn: psycopg.Connection, ids: list[str], signature: str) -> set[str]:
    if not ids:
        return set()
    found = conn.execute("SELECT id FROM articles WHERE id = ANY(%s) AND model = %s", (ids, signature)).fetchall()
    return {row[0] for row in found}
