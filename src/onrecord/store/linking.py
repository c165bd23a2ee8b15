"""The story layer kept in the store: :func:`refresh_links` after every ingest, and ``onrecord link``.

The linker's state lives in two tables (migration 004): ``link_documents`` (one row per linked article:
the model signature it was linked under and its document state) and ``links`` (every copy, story,
statement and relay link). A refresh

1. rebuilds the :class:`~onrecord.linking.Linker` from those rows, leaving out articles re-analysed since
   they were linked (``link_documents.model`` differs from ``articles.model``) and every link touching
   them; articles removed from the store took their rows with them (``ON DELETE CASCADE``);
2. adds every stored article without a current link document, in date order (undated last, then by
   id), as :func:`onrecord.linking.link_all` would, so a corpus ingested in one run or in several (in
   date order) ends with the same links;
3. writes the documents and links of the articles it (re)linked, and brings the materialised tables
   (stories, statement groups, corpus sources and their summaries) up to date, rewriting only rows that
   changed (a new article can change the story id, the first appearance or the surname resolution of
   articles it never touched, so every row is compared).

The writing is one transaction: a refresh that fails or is interrupted leaves the previous links as they
were. Refreshes are serialised across processes: SQLite's write lock (``BEGIN IMMEDIATE``), and on
PostgreSQL a transaction-level advisory lock. The costly part, rebuilding the linker from its rows (about
a millisecond an article), runs before that lock, in a read snapshot, so that another ingest's batches do
not wait for it (on SQLite they would, and give up after the busy timeout). Under the lock the refresh
checks that the link state is still the one it loaded (else it loads it again, under the lock), links
what other ingests stored meanwhile, and writes.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from onrecord.store.base import StoreError
from onrecord.store.link_rows import (
    LINK_COLUMNS,
    LINK_SELECTS,
    MATERIALISED,
    link_rows,
    linker_state,
    materialise,
)
from onrecord.store.packing import pack_state, unpack_analysis

if TYPE_CHECKING:
    from onrecord.linking import Linker
    from onrecord.store.base import Database

LINK_LOCK = 2  # pg_advisory_xact_lock(LOCK_CLASS, LINK_LOCK): one refresh at a time per database
IN_CHUNK = 500  # ids per "IN (...)" list: under every SQLite build's parameter limit
ANALYSIS_CHUNK = 200  # analyses read (and held in memory) at a time while linking


@dataclass(slots=True)
class LinkRefresh:
    """What one refresh did, and what the corpus's story layer holds after it."""

    linked: int = 0  # articles added to the linker (new, re-analysed, or all of them on --rebuild)
    relinked: int = 0  # of those, articles linked before under another model signature
    rows_changed: int = 0  # materialised rows written or deleted
    articles: int = 0  # linked articles in the corpus
    stories: int = 0  # stories of two articles or more
    statement_groups: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.linked or self.relinked or self.rows_changed)

    def summary(self) -> str:
        again = f" ({self.relinked} re-analysed)" if self.relinked else ""
        return (
            f"linked {self.linked} article{'s' if self.linked != 1 else ''}{again}: "
            f"{self.stories} stor{'ies' if self.stories != 1 else 'y'} of 2+ articles, "
            f"{self.statement_groups} statement group{'s' if self.statement_groups != 1 else ''} "
            f"in {self.articles} linked articles ({self.seconds:.1f}s)"
        )


class LinkSql:
    """The refresh's statements over one connection inside its transaction; ``?`` placeholders on both backends."""

    def __init__(self, conn: Any, *, postgres: bool) -> None:
        self.conn = conn
        self.postgres = postgres

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql  # the refresh's SQL has no literal '?' or '%'

    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(self._sql(sql), args).fetchall()  # both writers' rows are plain tuples

    def run(self, sql: str, args: Sequence[Any] = ()) -> None:
        self.conn.execute(self._sql(sql), args)

    def run_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        batch = list(rows)
        if not batch:
            return
        if self.postgres:
            with self.conn.cursor() as cursor:
                cursor.executemany(self._sql(sql), batch)
        else:
            self.conn.executemany(sql, batch)

    def rows_in(self, select: str, column: str, ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """``select WHERE column IN ids``, a chunk of ids per statement."""
        out: list[tuple[Any, ...]] = []
        for chunk in _chunks(ids, IN_CHUNK):
            out += self.rows(f"{select} WHERE {column} IN ({', '.join('?' * len(chunk))})", chunk)
        return out

    def delete_in(self, table: str, column: str, ids: Sequence[Any]) -> None:
        for chunk in _chunks(ids, IN_CHUNK):
            self.run(f"DELETE FROM {table} WHERE {column} IN ({', '.join('?' * len(chunk))})", chunk)


def _chunks(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# --- the backends' transactions (called by SQLiteDatabase/PostgresDatabase.link_session) ---------------


@contextmanager
def sqlite_session(conn: sqlite3.Connection, label: str, *, write: bool) -> Iterator[LinkSql]:
    """A transaction on SQLite's writer connection: ``BEGIN IMMEDIATE`` (the write lock) to write, else a
    deferred one, which reads one snapshot and holds no lock that writers wait for (WAL)."""
    try:
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    except sqlite3.Error as exc:
        raise StoreError(f"{label}: could not take the write lock to link articles: {exc}") from exc
    try:
        yield LinkSql(conn, postgres=False)
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise StoreError(f"{label}: linking failed, the previous links are kept: {exc}") from exc
        raise


@contextmanager
def postgres_session(conn: Any, label: str, psycopg: Any, *, write: bool) -> Iterator[LinkSql]:
    """A transaction on PostgreSQL's writer connection: holding the link advisory lock to write, else a
    read-only REPEATABLE READ one (one snapshot for all its reads)."""
    from onrecord.store.postgres_schema import LOCK_CLASS

    try:
        with conn.transaction():
            if write:
                conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, LINK_LOCK))
            else:
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield LinkSql(conn, postgres=True)
    except psycopg.Error as exc:
        raise StoreError(f"{label}: linking failed, the previous links are kept: {str(exc).strip()}") from exc


# --- the refresh ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Linking:
    """A linker being brought up to date, and what it holds against what the tables held when it was loaded."""

    linker: Linker
    stored: dict[str, str]  # link_documents as loaded: article id -> model
    stored_links: tuple[Any, ...]  # count and score sum of the links loaded: a cheap check that they are unchanged
    linked: dict[str, str]  # article id -> model, of every article the linker holds
    added: dict[str, str] = field(default_factory=dict)  # articles (re)linked by this refresh -> model
    # Summarise every corpus source again, not only those of the rows that changed: after a --rebuild, or
    # when an article was removed (its rows went with it, so which sources it counted for is unknown).
    resummarise: bool = False

    @property
    def touched(self) -> set[str]:
        """The articles whose link state this refresh changes: (re)linked, or linked before and gone now."""
        return set(self.added) | {article_id for article_id in self.stored if article_id not in self.linked}


def link_after_ingest(store: Database, report: Any) -> None:
    """The refresh at the end of an ingest run; a failure is put on the report (the articles stay stored)."""
    try:
        report.links = refresh_links(store)
    except StoreError as exc:
        report.link_error = str(exc)


def refresh_links(db: Database, *, rebuild: bool = False) -> LinkRefresh:
    """Link every stored article not yet linked under its current model; see the module docstring.

    ``rebuild`` drops all link state first and links the whole corpus again in date order (all of it
    under the lock).
    """
    started = time.perf_counter()
    work: _Linking | None = None
    plan: _Plan | None = None
    resummarise = rebuild
    if not rebuild:
        with db.link_session(write=False) as sql:
            unlinked, agree = _link_status(sql)
            if not unlinked and agree:
                refresh = _totals(sql)
                refresh.seconds = time.perf_counter() - started
                return refresh
            resummarise = not agree
            work = _load(sql, db.label)
            _catch_up(sql, db.label, work)
            plan = _plan(sql, work)  # the materialised rows and how the stored ones must change
    with db.link_session(write=True) as sql:
        if rebuild:
            sql.run("DELETE FROM links")
            sql.run("DELETE FROM link_documents")
        if work is None or _link_state(sql) != (work.stored, work.stored_links):
            work, plan = _load(sql, db.label), None  # a rebuild, or another refresh wrote meanwhile: again, locked
        if _catch_up(sql, db.label, work):  # other ingests stored or replaced articles since the snapshot
            plan = None
        _write_links(sql, work)
        if plan is None:
            plan = _plan(sql, work)
        _apply(sql, plan)
        _summarise(sql, None if resummarise else plan.source_ids)
    return LinkRefresh(
        linked=len(work.added),
        relinked=sum(1 for article_id in work.added if article_id in work.stored),
        rows_changed=plan.changed,
        articles=len(work.linker),
        stories=sum(1 for row in plan.rows["story_summaries"] if row[4] >= 2),
        statement_groups=len(plan.rows["statement_group_summaries"]),
        seconds=time.perf_counter() - started,
    )


def _link_status(sql: LinkSql) -> tuple[int, bool]:
    """The articles not linked under their current model, and whether the materialised tables still describe
    the linked ones (a removed article, whose rows the cascade took, leaves story and group counts that no
    longer add up)."""
    [(unlinked, documents, stories, story_total, members, member_total)] = sql.rows(
        "SELECT (SELECT count(*) FROM articles a LEFT JOIN link_documents d ON d.article_id = a.id"
        "        WHERE d.article_id IS NULL OR d.model <> a.model),"
        " (SELECT count(*) FROM link_documents), (SELECT count(*) FROM stories),"
        " (SELECT coalesce(sum(article_count), 0) FROM story_summaries),"
        " (SELECT count(*) FROM statement_groups),"
        " (SELECT coalesce(sum(member_count), 0) FROM statement_group_summaries)"
    )
    return unlinked, documents == stories == story_total and members == member_total


def _totals(sql: LinkSql) -> LinkRefresh:
    [(articles, stories, groups)] = sql.rows(
        "SELECT (SELECT count(*) FROM stories), (SELECT count(*) FROM story_summaries WHERE article_count >= 2),"
        " (SELECT count(*) FROM statement_group_summaries)"
    )
    return LinkRefresh(articles=articles, stories=stories, statement_groups=groups)


def _link_state(sql: LinkSql) -> tuple[dict[str, str], tuple[Any, ...]]:
    """What says whether the link tables changed: each document's article and model, and the links' count
    and score sum (only a refresh writes them, and it always rewrites documents of the articles it links)."""
    documents = {article_id: model for article_id, model in sql.rows("SELECT article_id, model FROM link_documents")}
    [links] = sql.rows("SELECT count(*), coalesce(sum(score), 0) FROM links")
    return documents, tuple(links)


def _load(sql: LinkSql, label: str) -> _Linking:
    """The linker the link tables describe, without the documents of articles re-analysed or removed since."""
    from onrecord.linking import Linker

    current = {article_id: model for article_id, model in sql.rows("SELECT id, model FROM articles")}
    stored: dict[str, str] = {}
    documents: list[bytes] = []
    for article_id, model, state in sql.rows("SELECT article_id, model, state FROM link_documents"):
        stored[article_id] = model
        if current.get(article_id) == model:
            documents.append(state)
    linked = {article_id: model for article_id, model in stored.items() if current.get(article_id) == model}
    # Links whose two articles are both loaded: the linker must never hold a link to an article it does not know.
    links = {
        name: [row for row in sql.rows(select) if row[0] in linked and row[1] in linked]
        for name, select in LINK_SELECTS.items()
    }
    [stored_links] = sql.rows("SELECT count(*), coalesce(sum(score), 0) FROM links")
    try:
        linker = Linker.from_dict(linker_state(documents, links))
    except ValueError as exc:
        raise StoreError(
            f"{label}: the stored link state cannot be read ({exc}); run `onrecord link --rebuild`"
        ) from exc
    return _Linking(linker, stored, tuple(stored_links), linked)


def _catch_up(sql: LinkSql, label: str, work: _Linking) -> bool:
    """Take out of the linker what was re-analysed or removed, and add what is not linked, in date order;
    whether anything changed."""
    current = {row[0]: row[1:] for row in sql.rows("SELECT id, model, published FROM articles")}
    gone = [i for i, model in work.linked.items() if i not in current or current[i][0] != model]
    for article_id in gone:
        work.linker.remove(article_id)
        del work.linked[article_id]
        work.added.pop(article_id, None)
    todo = sorted((i for i in current if i not in work.linked), key=lambda i: _order_key(current[i][1], i))
    models = _add_in_order(sql, label, work.linker, todo)
    work.linked.update(models)
    work.added.update(models)
    return bool(gone or models)


def _order_key(published: str | None, article_id: str) -> tuple[bool, int, str]:
    from onrecord.linking.stories import UNDATED, day_of

    day = day_of(published)
    return (day == UNDATED, day, article_id)


def _write_links(sql: LinkSql, work: _Linking) -> None:
    """Write the documents and links of the articles whose link state changed."""
    linker = work.linker
    touched = sorted(work.touched)
    sql.delete_in("link_documents", "article_id", touched)
    sql.delete_in("links", "article_a", touched)
    sql.delete_in("links", "article_b", touched)
    added = work.added.items()
    sql.run_many(
        "INSERT INTO link_documents (article_id, model, state) VALUES (?, ?, ?)",
        [(article_id, model, pack_state(linker.document_state(article_id))) for article_id, model in added],
    )
    sql.run_many(f"INSERT INTO links ({LINK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", link_rows(linker, set(touched)))


def _add_in_order(sql: LinkSql, label: str, linker: Linker, article_ids: list[str]) -> dict[str, str]:
    """Add the stored analyses of ``article_ids`` to the linker in that order; article id -> its model."""
    from onrecord.model import ArticleAnalysis, SchemaError

    models: dict[str, str] = {}
    for chunk in _chunks(article_ids, ANALYSIS_CHUNK):
        found = {row[0]: row for row in sql.rows_in("SELECT id, model, analysis, text FROM articles", "id", chunk)}
        for article_id in chunk:
            if article_id not in found:
                continue  # removed since the list was read (PostgreSQL: other writers do not wait for this lock)
            _, model, packed, text = found[article_id]
            try:
                analysis = ArticleAnalysis.from_dict(unpack_analysis(packed, text))
            except (SchemaError, ValueError) as exc:
                raise StoreError(f"{label}: article {article_id}: its stored analysis cannot be read: {exc}") from exc
            # The row's id is what every link table references (a record copied in with another id keeps
            # its old one in its stored analysis).
            analysis.article.id = article_id
            linker.add(analysis)
            models[article_id] = model
    return models


@dataclass(slots=True)
class _Plan:
    """The materialised tables' rows for a linker, and what must change in the stored ones to become them."""

    rows: dict[str, list[tuple[Any, ...]]]
    deletes: dict[str, list[Any]]  # table -> keys (first column) whose stored rows go
    inserts: dict[str, list[tuple[Any, ...]]]  # table -> rows written in their place
    changed: int  # rows deleted plus rows inserted
    source_ids: set[str]  # corpus sources whose summaries change: of rows that change or of touched articles


def _plan(sql: LinkSql, work: _Linking) -> _Plan:
    """Compare the linker's materialised rows with the stored ones, key (first column) by key: only the
    keys whose rows differ are rewritten."""
    plan = _Plan(materialise(work.linker), {}, {}, 0, set())
    for table, columns in MATERIALISED.items():
        wanted: dict[Any, set[tuple[Any, ...]]] = {}
        for row in plan.rows[table]:
            wanted.setdefault(row[0], set()).add(row)
        stored: dict[Any, set[tuple[Any, ...]]] = {}
        for row in sql.rows(f"SELECT {', '.join(columns)} FROM {table}"):
            stored.setdefault(row[0], set()).add(row)
        changed = [key for key in wanted.keys() | stored.keys() if wanted.get(key) != stored.get(key)]
        plan.deletes[table] = [key for key in changed if key in stored]
        plan.inserts[table] = [row for key in changed for row in wanted.get(key, ())]
        plan.changed += sum(len(stored.get(key, ())) for key in changed) + len(plan.inserts[table])
        if table == "corpus_sources":  # keyed by article: a touched article's statements may have changed
            for article_id in work.touched.union(changed):
                for row in (*stored.get(article_id, ()), *wanted.get(article_id, ())):
                    plan.source_ids.add(row[2])
    return plan


def _apply(sql: LinkSql, plan: _Plan) -> None:
    for table, columns in MATERIALISED.items():
        sql.delete_in(table, columns[0], plan.deletes[table])
        placeholders = ", ".join("?" * len(columns))
        sql.run_many(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", plan.inserts[table])


def _summarise(sql: LinkSql, source_ids: set[str] | None) -> None:
    """Rewrite the corpus_source_summaries rows of ``source_ids`` (None: of every corpus source), after
    corpus_sources and the articles' rows are as they will be committed."""
    from onrecord.store.corpus_source_reads import SUMMARY_COLUMNS, corpus_source_summary_rows

    if source_ids is None:
        sql.run("DELETE FROM corpus_source_summaries")
        ids = [
            row[0]
            for row in sql.rows(
                "SELECT DISTINCT corpus_source_id FROM corpus_sources WHERE substr(corpus_source_id, 1, 6) <> 'local:'"
            )
        ]
    else:
        ids = sorted(source_ids)
        sql.delete_in("corpus_source_summaries", "corpus_source_id", ids)
    placeholders = ", ".join("?" * len(SUMMARY_COLUMNS))
    sql.run_many(
        f"INSERT INTO corpus_source_summaries ({', '.join(SUMMARY_COLUMNS)}) VALUES ({placeholders})",
        corpus_source_summary_rows(sql.rows, ids),
    )
