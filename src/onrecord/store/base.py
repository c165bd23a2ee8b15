"""The store interface: :class:`Database`, the one object that owns a corpus's connections and every query.

``web/`` and ``store/export.py`` call a :class:`Database` and never open connections or write SQL
themselves. The SQLite implementation is :class:`onrecord.store.sqlite.SQLiteDatabase`; a second
backend (PostgreSQL, issue 10) subclasses :class:`Database` and implements the abstract methods
below, keeping its dialect (full-text search, upserts, migrations) behind them. Datasette's
``Database`` is the model: one object per corpus, results as plain Python values, a time limit on
every read query.

The query specs (:class:`StatementFilter`), result pages (:class:`Page`) and errors here are
dialect-neutral; so is :func:`search_terms`, which bounds what a search may ask for before any
backend sees it.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from onrecord.model import ArticleAnalysis, InputFailure, SourceKind

T = TypeVar("T")
SOURCE_KINDS = tuple(k.value for k in SourceKind)
ANONYMITY_VALUES = ("named", "anonymous", "unattributed")
MAX_PAGE_SIZE = 500
# Search bounds. A query of thousands of repeated words made FTS5 work quadratically (13 s for 4,000
# repeats of one word); a real search names a few words or phrases.
MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 20
MAX_FILTER_CHARS = 200  # any other text filter (affiliation, role, outlet, source name)
DEFAULT_TIME_LIMIT_S = 5.0  # per read query; the web app's default
# Bounds on what one page may scan (issue 10: pages stay fast at 100k articles and beyond). A word search
# ranks at most RANKED_MATCHES matches (the most recently stored); lists count at most COUNT_CAP rows
# beyond what the aggregates hold, and say so (Page total_capped).
RANKED_MATCHES = 500
COUNT_CAP = 1000
EXPORT_TIME_LIMIT_S = 600.0  # per chunk of an export (a sort of millions of rows comes before the first)

# Tables of the corpus schema, as the row-level tests and `counts()` name them.
TABLES = (
    "outlets",
    "articles",
    "sources",
    "mentions",
    "attributions",
    "claims",
    "articles_fts",
    "statements_fts",
)
EXPORT_TABLES = (
    "articles",
    "attributions",
    "sources",
    "claims",
    # the story layer (migration 004, store/linking.py)
    "stories",
    "statement_groups",
    "corpus_sources",
)


class StoreError(Exception):
    """A corpus database that cannot be opened or used; the message names the database and the problem."""


class QueryError(StoreError, ValueError):
    """A query parameter that cannot be turned into a query; the message names it (the web answers 400)."""


class QueryTimeout(StoreError):
    """A read query stopped at the time limit; the message says so and what to do (the web answers 503)."""


def older_schema_refusal(label: str, version: int, latest: int, reason: object) -> StoreError:
    """Why a read-only opening refuses a database whose schema predates this onrecord, and what to run.

    A read-only opening migrates such a database when it may write it (``serve`` then works on it); when
    it may not (a read-only file or role), it refuses at once rather than answer every page with an error
    about a missing table.
    """
    why = str(reason).removeprefix(f"{label}: ")
    return StoreError(
        f"{label}: schema version {version} is older than this onrecord's ({latest}), and it could not be "
        f"migrated with the access this command has ({why}); migrate it once with `onrecord link --db "
        f"{label}` as a user (or role) allowed to write it and create tables, then run this command again"
    )


class WriteOutcome(StrEnum):
    ADDED = "added"
    REPLACED = "replaced"  # stored before under another model signature; child rows replaced
    UNCHANGED = "unchanged"  # stored before under the same signature; nothing written


@dataclass(frozen=True, slots=True)
class StatementFilter:
    """The filters shared by the articles list, the sources directory, a source's page and statement search."""

    q: str | None = None  # search words over statement content, source name and cue (titles and text for articles)
    anonymity: str | None = None  # "named" | "anonymous" | "unattributed"
    kind: str | None = None  # a SourceKind value
    affiliation: str | None = None  # matches at a word start, ignoring case
    role: str | None = None  # matches at a word start, ignoring case
    outlet: str | None = None  # exact outlet name
    date_from: str | None = None  # ISO date (YYYY, YYYY-MM or YYYY-MM-DD), inclusive, on articles.published
    date_to: str | None = None
    source: str | None = None  # exact source name (case-insensitive)

    def as_params(self) -> dict[str, str]:
        """The non-empty filters as query-string parameters (for links and JSON echoes)."""
        names = {"date_from": "from", "date_to": "to"}
        out = {}
        for key in self.__slots__:  # type: ignore[attr-defined]
            value = getattr(self, key)
            if value:
                out[names.get(key, key)] = value
        return out

    def check(self) -> None:
        """Refuse values no backend should be asked to run; the error names the parameter."""
        if self.anonymity is not None and self.anonymity not in ANONYMITY_VALUES:
            raise QueryError(f"parameter 'anonymity': {self.anonymity!r} is not one of {', '.join(ANONYMITY_VALUES)}")
        if self.kind is not None and self.kind not in SOURCE_KINDS:
            raise QueryError(f"parameter 'kind': {self.kind!r} is not one of {', '.join(SOURCE_KINDS)}")
        for name in ("affiliation", "role", "outlet", "source"):
            value = getattr(self, name)
            if value is not None and len(value) > MAX_FILTER_CHARS:
                raise QueryError(f"parameter {name!r}: {len(value):,} characters; at most {MAX_FILTER_CHARS} allowed")
        if self.q is not None and len(self.q) > MAX_QUERY_CHARS:
            raise QueryError(
                f"parameter 'q': {len(self.q):,} characters; a search may have at most {MAX_QUERY_CHARS} characters"
            )


_TERM = re.compile(r"\"[^\"]*\"|[\w'’-]+")


def search_terms(text: str) -> list[str]:
    """The distinct words and "quoted phrases" of a search, in order; bounded in length and number.

    Repeats are dropped ignoring case (a search engine's results do not change when a word is
    repeated, but its work can grow with every repeat). Raises :class:`QueryError` for a query
    over :data:`MAX_QUERY_CHARS` characters, with more than :data:`MAX_QUERY_TERMS` distinct terms,
    or with no words at all.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"parameter 'q': {len(text):,} characters; a search may have at most {MAX_QUERY_CHARS} characters"
        )
    terms: list[str] = []
    seen: set[str] = set()
    for match in _TERM.finditer(text):
        term = " ".join(match.group().strip('"').split())
        key = term.casefold()
        if term and key not in seen:
            seen.add(key)
            terms.append(term)
    if not terms:
        raise QueryError(f"parameter 'q': {text!r} holds no words to search for")
    if len(terms) > MAX_QUERY_TERMS:
        raise QueryError(
            f"parameter 'q': {len(terms)} different words or phrases; a search may have at most {MAX_QUERY_TERMS}"
        )
    return terms


@dataclass(slots=True)
class Page:
    """One page of rows plus what a client needs to fetch the next."""

    rows: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None

    def to_dict(self) -> dict[str, Any]:
        # next_after: the keyset cursor of the next page (store/keyset.py), None on the last or where a list
        # has none; total_capped: counting stopped at a bound (total is then "at least"); see docs/web.md.
        return {
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "next_offset": self.next_offset,
            "next_after": self.extra.get("next_after"),
            "total_capped": bool(self.extra.get("total_capped", False)),
            "rows": self.rows,
            **self.extra,
        }


@dataclass(frozen=True, slots=True)
class Claims:
    """What :meth:`Database.claim` found for a batch of article ids about to be analysed."""

    stored: frozenset[str]  # already stored under the signature: skip
    elsewhere: frozenset[str]  # claimed by another live ingest: leave to it, look again later
    mine: frozenset[str]  # claimed now by this ingest: analyse them


class Database(ABC):
    """A corpus database. Open with :meth:`open`; every read and write goes through its methods.

    ``time_limit_s`` bounds every read query; one that runs longer raises :class:`QueryTimeout`.
    A database opened ``read_only`` refuses writes at the connection level.
    """

    label: str  # names the database in messages (a file path, or a URL without its password)
    read_only: bool
    time_limit_s: float | None

    @staticmethod
    def open(
        url: str | Path | None = None, *, read_only: bool = False, time_limit_s: float | None = DEFAULT_TIME_LIMIT_S
    ) -> Database:
        """Open ``url``: ``sqlite:///path.db``, a plain path, None for ./onrecord.db, or
        ``postgresql://user:password@host:port/dbname`` (needs the extra ``onrecord[postgres]``).

        Read-write opening creates the schema if needed and applies pending migrations under the
        write lock (SQLite) or an advisory lock (PostgreSQL); read-only opening never creates, refuses
        a database that is not an onrecord corpus or whose schema is newer than this version knows, and
        migrates an older one first when it can write it (else refuses, saying what to run).
        """
        from onrecord.store.postgres import is_postgres_url

        if is_postgres_url(url):
            from onrecord.store.postgres import PostgresDatabase

            return PostgresDatabase.open_url(str(url), read_only=read_only, time_limit_s=time_limit_s)
        from onrecord.store.sqlite import SQLiteDatabase

        return SQLiteDatabase.open_url(url, read_only=read_only, time_limit_s=time_limit_s)

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writes (ingest) ---------------------------------------------------------------------

    @abstractmethod
    def write_batch(self, analyses: Iterable[ArticleAnalysis]) -> list[WriteOutcome | InputFailure]:
        """Write the analyses in one transaction; one outcome per analysis, in order.

        An analysis the database rejects becomes an :class:`InputFailure` and is rolled back alone.
        Writing an article also drops any ingest claim on it (see :meth:`claim`).
        """

    def write(self, analysis: ArticleAnalysis) -> WriteOutcome:
        outcome = self.write_batch([analysis])[0]
        if isinstance(outcome, InputFailure):
            raise StoreError(f"{self.label}: {outcome}")
        return outcome

    @abstractmethod
    def claim(self, article_ids: Sequence[str], signature: str, owner: str) -> Claims:
        """Atomically: which of ``article_ids`` are stored under ``signature``, which another live ingest
        has claimed, and claim the rest for ``owner`` (so two ingests on the same inputs analyse each once)."""

    @abstractmethod
    def release_claims(self, owner: str) -> None:
        """Drop every claim ``owner`` still holds (its run is over, stored or not)."""

    @abstractmethod
    def fetch_state(self) -> Any:
        """The fetcher's state (migration 002): an object with the operations of ``store/fetch_state.py``
        (``fetched_url(url)``, ``record_fetch(...)``, ``listed_items(listing_url)``, ...), bound to this database."""

    @abstractmethod
    def link_session(self, *, write: bool) -> AbstractContextManager[Any]:
        """A transaction of the story layer's refresh (``store/linking.py``) on the writer connection, yielding
        a :class:`onrecord.store.linking.LinkSql`: ``write`` serialised against other refreshes (SQLite's
        write lock, a PostgreSQL advisory lock), committed on success and rolled back on any error; else a
        read snapshot that makes nobody wait."""

    def refresh_links(self, *, rebuild: bool = False) -> Any:
        """Link the articles not yet linked under their current model (``store/linking.py``): a LinkRefresh."""
        from onrecord.store.linking import refresh_links

        return refresh_links(self, rebuild=rebuild)

    # --- reads for ingest and tests -----------------------------------------------------------

    @abstractmethod
    def stored_models(self, article_ids: Sequence[str] | None = None) -> dict[str, str]:
        """Article id -> model signature, of ``article_ids`` (or every stored article)."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Rows per table of :data:`TABLES`."""

    @abstractmethod
    def analysis_dict(self, article_id: str) -> dict[str, Any] | None:
        """The stored ``ArticleAnalysis.to_dict()`` of one article, or None if it is not stored."""

    # --- reads for the web app ----------------------------------------------------------------

    @abstractmethod
    def overview(self) -> dict[str, Any]:
        """Totals, articles by outlet (with :mod:`onrecord.figures` per outlet) and by month, overall figures."""

    @abstractmethod
    def list_articles(self, f: StatementFilter, limit: int = 50, offset: int = 0, after: str | None = None) -> Page:
        """Articles newest first with their figures; ``f.q`` searches titles and text. ``after``: the previous
        page's ``extra["next_after"]`` (keyset; ``offset`` is then ignored)."""

    @abstractmethod
    def get_article(self, article_id: str) -> dict[str, Any] | None:
        """The stored analysis with ``outlet`` and ``ingested_at`` filled in, or None."""

    @abstractmethod
    def source_directory(self, f: StatementFilter, limit: int = 100, offset: int = 0, after: str | None = None) -> Page:
        """Sources grouped across the corpus by (name, kind), most cited first; ``f.q`` matches names;
        ``after`` as in :meth:`list_articles`."""

    def source_profile(self, name: str, kind: str | None = None) -> dict[str, Any] | None:
        """One source's row of the directory (whole corpus), or None when no source has that name."""
        found = self.source_directory(StatementFilter(source=name, kind=kind), limit=1)
        return found.rows[0] if found.rows else None

    @abstractmethod
    def search_statements(self, f: StatementFilter, limit: int = 50, offset: int = 0, after: str | None = None) -> Page:
        """Attributed statements matching ``f``: best match first with ``f.q`` (among the
        :data:`RANKED_MATCHES` most recently stored matches), else newest article first (``after`` as in
        :meth:`list_articles`)."""

    @abstractmethod
    def facet_values(self) -> dict[str, list[str]]:
        """Values for the filter drop-downs: ``outlets`` and the source ``kinds`` present."""

    # --- reads of the story layer (migration 004; SQL shared by both backends in store/story_reads.py) ---
    # Plain JSON-ready values; every list bounded; each page read in one snapshot. Shapes: store/story_reads.py.

    @abstractmethod
    def list_stories(self, limit: int = 50, after: str | None = None) -> Page:
        """Stories of at least two articles, newest ``last_published`` first (undated last); keyset pages:
        ``after`` is the previous page's ``extra["next_after"]`` (opaque; a bad one raises QueryError)."""

    @abstractmethod
    def get_story(self, story_id: str) -> dict[str, Any] | None:
        """A story's summary, articles (date order, at most 500), statements ``by_day`` (named, anonymous,
        unattributed), statement groups with members (largest first, at most 200) and claims with numbers."""

    @abstractmethod
    def story_of_article(self, article_id: str) -> dict[str, Any] | None:
        """``{story_id, title, article_count}`` of the article's story; None when the article stands alone."""

    @abstractmethod
    def statement_links(self, article_id: str) -> dict[str, dict[str, Any]]:
        """Attribution id -> its statement group seen from this article: first and other reporters,
        corroboration; only attributions whose group has members in other articles."""

    @abstractmethod
    def get_corpus_source(self, corpus_source_id: str) -> dict[str, Any] | None:
        """A corpus source ("person:...", "org:...", "outlet:...", "local:..."): name, counts, outlets,
        statements by month and its newest statements (at most 200); None when no source has the id."""

    @abstractmethod
    def list_corpus_sources(self, limit: int = 50, kind: str | None = None) -> list[dict[str, Any]]:
        """Named corpus sources (never ``local:``) by statement count; ``kind``: person, org or outlet."""

    @abstractmethod
    def corpus_source_ids(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        """``{article_id, source_id, corpus_source_id}`` for the (article, source) pairs (at most 500) that
        have a named corpus source."""

    # --- reads for export ---------------------------------------------------------------------

    @abstractmethod
    def snapshot(self) -> AbstractContextManager[None]:
        """A read transaction: every read inside sees the same committed state (the export's files agree)."""

    @abstractmethod
    def export_chunks(self, table: str) -> Iterator[list[tuple[Any, ...]]]:
        """Rows of an export table of :data:`EXPORT_TABLES`, in chunks, in the column order of ``store/export.py``."""

    @abstractmethod
    def _writer(self) -> Any:
        """This database's write connection; a StoreError when it was opened read-only."""

    def execute_write_fn(self, fn: Callable[[Any], T]) -> T:
        """``fn(connection)`` with this database's own write connection, as Datasette's ``execute_write_fn``.

        The connection is a ``sqlite3.Connection`` in autocommit mode (``fn`` opens its own transactions) or
        a ``psycopg.Connection``. For bulk loads and benchmarks that must write SQL of one backend's dialect
        (``bench/`` grows synthetic corpora this way); the app and the CLI never need it.
        """
        return fn(self._writer())
