"""The PostgreSQL read side: every SELECT of the web app, the export and the ingest's skip check.

The same queries and result shapes as :mod:`onrecord.store.sqlite_reads`, in PostgreSQL's dialect:
``tsvector @@ tsquery`` (one ``phraseto_tsquery`` per term of :func:`search_terms`, joined with
``&&``: every word or phrase must occur, as in the FTS5 query) ranked by ``ts_rank_cd``; ``~*`` with
a word-start pattern for the affiliation and role filters; ``array_agg(DISTINCT ...)`` for lists;
``= ANY(array)`` for id lists. Orderings spell out NULLS FIRST/LAST and ``COLLATE "C"`` so pages come
in SQLite's order. Figures are never computed in SQL (:mod:`onrecord.figures`).

Every reader connection runs with ``default_transaction_read_only`` on and ``statement_timeout`` at
the database's time limit; a statement cancelled by it raises :class:`QueryTimeout`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from onrecord.figures import (
    ANONYMOUS_KIND_VALUES,
    ON_RECORD_KIND_VALUES,
    SourcingFigures,
    figures_from_kind_counts,
)
from onrecord.store.base import TABLES, Page, QueryTimeout, StatementFilter, StoreError, search_terms
from onrecord.store.packing import unpack_analysis
from onrecord.store.rows import span_text_sql

if TYPE_CHECKING:
    import psycopg

    from onrecord.store.postgres import PostgresDatabase

ON_RECORD = sorted(ON_RECORD_KIND_VALUES)
ANONYMOUS = sorted(ANONYMOUS_KIND_VALUES)
EXPORT_CHUNK_ROWS = 5000  # rows per chunk of an export


class Reader:
    """One thread's read connection: read-only transactions, the time limit as ``statement_timeout``."""

    def __init__(self, conn: psycopg.Connection, database: PostgresDatabase, psycopg_module: Any) -> None:
        self.conn = conn
        self.database = database
        self.psycopg = psycopg_module
        self._applied_limit: float | bool | None = False  # False: nothing set yet
        self.run(lambda c: c.execute("SELECT set_config('default_transaction_read_only', 'on', false)"))
        # psycopg prepares a query run five times; PostgreSQL may then use one generic plan for every
        # value, and one plan cannot suit both a source cited 166,000 times and one cited 10 (at 100,000
        # articles a page went from 0.1 s to past the time limit). Plan each query for its values.
        self.run(lambda c: c.execute("SELECT set_config('plan_cache_mode', 'force_custom_plan', false)"))

    @property
    def label(self) -> str:
        return self.database.label

    def _apply_limit(self) -> None:
        limit = self.database.time_limit_s
        if limit != self._applied_limit:
            # 0 would mean "no limit" to PostgreSQL: the smallest limit it takes is 1 ms.
            ms = "0" if limit is None else str(max(1, math.ceil(limit * 1000)))
            self.conn.execute("SELECT set_config('statement_timeout', %s, false)", (ms,))
            self._applied_limit = limit

    def _error(self, exc: Exception) -> StoreError:
        if isinstance(exc, self.psycopg.errors.QueryCanceled):
            return QueryTimeout(
                f"corpus database {self.label}: the query ran past the {self.database.time_limit_s:g} s time limit"
                " and was stopped; narrow it (fewer words, a filter, a date range) and try again"
            )
        return StoreError(f"corpus database {self.label}: {str(exc).strip()}")

    def run(self, operation: Callable[[psycopg.Connection], Any]) -> Any:
        try:
            return operation(self.conn)
        except self.psycopg.Error as exc:
            raise self._error(exc) from exc

    def all(self, sql: str, args: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        from psycopg.rows import dict_row

        return self._fetch(sql, args, dict_row)

    def tuples(self, sql: str, args: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        from psycopg.rows import tuple_row

        return self._fetch(sql, args, tuple_row)

    def _fetch(self, sql: str, args: Any, row_factory: Any) -> list[Any]:
        try:
            self._apply_limit()
            with self.conn.cursor(row_factory=row_factory) as cursor:
                return cursor.execute(sql, args).fetchall()
        except self.psycopg.Error as exc:
            raise self._error(exc) from exc

    def one(self, sql: str, args: Sequence[Any] = ()) -> dict[str, Any] | None:
        found = self.all(sql, args)
        return found[0] if found else None

    @contextmanager
    def transaction(self, *, snapshot: bool = False) -> Iterator[None]:
        """A read-only transaction; ``snapshot``: REPEATABLE READ, every statement sees the same commits."""
        level = "ISOLATION LEVEL REPEATABLE READ " if snapshot else ""
        self.run(lambda c: c.execute(f"BEGIN {level}READ ONLY"))
        try:
            yield
        except BaseException:
            if not self.conn.closed:
                self.run(lambda c: c.execute("ROLLBACK"))
            raise
        self.run(lambda c: c.execute("COMMIT"))

    def chunks(self, sql: str, size: int = EXPORT_CHUNK_ROWS) -> Iterator[list[tuple[Any, ...]]]:
        """Rows in chunks through a server-side cursor; the time limit applies to each chunk's FETCH."""
        if self.conn.info.transaction_status == self.psycopg.pq.TransactionStatus.IDLE:
            with self.transaction(snapshot=True):
                yield from self.chunks(sql, size)
            return
        try:
            self._apply_limit()
            with self.conn.cursor(name="onrecord_export") as cursor:
                cursor.execute(sql)
                while chunk := cursor.fetchmany(size):
                    yield [tuple(row) for row in chunk]
        except self.psycopg.Error as exc:
            raise self._error(exc) from exc


def tsquery_sql(text: str) -> tuple[str, list[str]]:
    """SQL for the tsquery of a search and its parameters: every distinct term of :func:`search_terms`
    (bounded in number and length) must match, a quoted phrase as a phrase. User input is only ever a
    parameter of ``phraseto_tsquery``, which has no syntax that can fail."""
    terms = search_terms(text)
    return "(" + " && ".join("phraseto_tsquery('english', %s)" for _ in terms) + ")", terms


# ---------------------------------------------------------------- ingest, tests, opening


def missing_tables(reader: Reader) -> list[str]:
    found = reader.tuples(
        "SELECT name FROM unnest(%s::text[]) AS name WHERE to_regclass(name) IS NULL",
        [["articles", "sources", "attributions", "statements_fts"]],
    )
    return sorted(row[0] for row in found)


def stored_models(reader: Reader, article_ids: Sequence[str] | None) -> dict[str, str]:
    if article_ids is None:
        return dict(reader.tuples("SELECT id, model FROM articles"))
    return dict(reader.tuples("SELECT id, model FROM articles WHERE id = ANY(%s)", [list(article_ids)]))


def counts(reader: Reader) -> dict[str, int]:
    selects = " UNION ALL ".join(f"SELECT '{table}', count(*) FROM {table}" for table in TABLES)
    return dict(reader.tuples(selects))


def analysis_dict(reader: Reader, article_id: str) -> dict[str, Any] | None:
    row = reader.one("SELECT analysis, text FROM articles WHERE id = %s", [article_id])
    return None if row is None else unpack_analysis(row["analysis"], row["text"])


# ---------------------------------------------------------------- filters


def _upper_bound(iso: str) -> str:
    return iso if len(iso) == 10 else iso + "-99"


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def words_pattern(needle: str) -> str:
    r"""The regular expression of ``onrecord_words`` (sqlite_reads.words_match): ``needle`` at a word
    start, as ``(^|\W)needle``; ``re.escape`` only escapes punctuation, which PostgreSQL's ARE reads
    as the literal character too."""
    return r"(^|\W)" + re.escape(needle.strip())


_MATCHING_VALUES = "SELECT value FROM source_group_facets WHERE field = %s AND value ~* %s"


def _filter_sql(f: StatementFilter) -> tuple[list[str], list[Any]]:
    """WHERE clauses (over aliases s=sources, ar=articles, o=outlets) and their params."""
    where: list[str] = []
    args: list[Any] = []
    if f.anonymity == "named":
        where.append("s.kind = ANY(%s)")
        args.append(ON_RECORD)
    elif f.anonymity == "anonymous":
        where.append("s.kind = ANY(%s)")
        args.append(ANONYMOUS)
    elif f.anonymity == "unattributed":
        where.append("(s.kind IS NULL OR s.kind = 'unattributed')")
    if f.kind:
        where.append("s.kind = %s")
        args.append(f.kind)
    # An affiliation, as on SQLite: the word match runs once per distinct value (migration 006's facets hold
    # every non-empty one) and drives the index sources_affiliation, so a rare one is found through its few
    # source rows (at 100k articles: 80-120 ms before, 2-12 ms). The same for roles made PostgreSQL's
    # planner walk the corpus instead (150 -> 450 ms for the rarest), so a role is matched row by row.
    if f.affiliation:
        where.append(f"s.affiliation IN ({_MATCHING_VALUES})")
        args += ["affiliation", words_pattern(f.affiliation)]
    if f.role:
        where.append("s.role ~* %s")
        args.append(words_pattern(f.role))
    if f.outlet:
        where.append("o.name = %s")
        args.append(f.outlet)
    if f.date_from:
        where.append("ar.published >= %s")
        args.append(f.date_from)
    if f.date_to:
        where.append('ar.published <= %s COLLATE "C"')
        args.append(_upper_bound(f.date_to))
    if f.source:
        where.append("lower(s.name) = lower(%s)")
        args.append(f.source)
    return where, args


# ---------------------------------------------------------------- statements

STATEMENT_COLUMNS = f"""
    at.article_id, at.id AS attribution_id, at.kind AS attribution_kind, at.channel, at.source_id,
    {span_text_sql("source")} AS source_text, {span_text_sql("cue")} AS cue_text,
    {span_text_sql("content")} AS content_text, {span_text_sql("relay")} AS relay_text, at.confidence,
    s.name AS source_name, s.kind AS source_kind, s.role, s.affiliation, s.status, s.count,
    rs.name AS relay_name, ar.title, substr(ar.text, 1, 100) AS snippet, ar.published, o.name AS outlet
"""
_STATEMENT_REST = """
    JOIN articles ar ON ar.id = at.article_id
    LEFT JOIN outlets o ON o.id = ar.outlet_id
    LEFT JOIN sources s ON s.article_id = at.article_id AND s.id = at.source_id
    LEFT JOIN sources rs ON rs.article_id = at.article_id AND rs.id = at.relay_source_id
"""


def _statement_rows(reader: Reader, keys: list[tuple[str, str]]) -> list[dict[str, Any]]:
    if not keys:
        return []
    rows = reader.all(
        f"""SELECT {STATEMENT_COLUMNS}
            FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS page(article_id, attribution_id, position)
            JOIN attributions at ON at.article_id = page.article_id AND at.id = page.attribution_id
            {_STATEMENT_REST} ORDER BY page.position""",
        [[k[0] for k in keys], [k[1] for k in keys]],
    )
    by_key = {(r["article_id"], r["attribution_id"]): r for r in rows}
    return [by_key[key] for key in keys if key in by_key]


def _count_beyond(reader: Reader, count_sql: str, args: list[Any], offset: int) -> int:
    return 0 if offset == 0 else reader.tuples(count_sql, args)[0][0]


def _directory_where(f: StatementFilter) -> tuple[list[str], list[Any]]:
    """The row filters of the sources directory (over s=sources, ar=articles, o=outlets) and their params."""
    where, args = _filter_sql(f)
    if f.q:
        where.append("lower(s.name) LIKE %s")
        args.append(_like_pattern(f.q))
    return where, args


DIRECTORY_ARTICLE_JOINS = "JOIN articles ar ON ar.id = s.article_id LEFT JOIN outlets o ON o.id = ar.outlet_id"


def source_directory_from_rows(reader: Reader, f: StatementFilter, limit: int, offset: int) -> Page:
    """The sources directory counted from the rows, for filters the aggregates do not hold (postgres_pages.py)."""
    f.check()
    where, args = _directory_where(f)
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    needs_article = bool(f.outlet or f.date_from or f.date_to)
    base = f"""
        FROM sources s
        {DIRECTORY_ARTICLE_JOINS if needs_article else ""}
        LEFT JOIN attributions at ON at.article_id = s.article_id AND at.source_id = s.id
        {where_sql}
    """
    group = "GROUP BY lower(s.name), s.kind"
    keys = reader.tuples(
        f"""SELECT lower(s.name), s.kind, count(at.id) AS statements, count(DISTINCT s.article_id) AS articles,
                   count(*) OVER () {base} {group}
            ORDER BY statements DESC, articles DESC, lower(s.name) COLLATE "C", s.kind COLLATE "C"
            LIMIT %s OFFSET %s""",
        [*args, limit, offset],
    )
    total = (
        keys[0][4] if keys else _count_beyond(reader, f"SELECT count(*) FROM (SELECT 1 {base} {group}) g", args, offset)
    )
    if not keys:
        return Page([], total, limit, offset)
    details = directory_details(reader, f, [(k[0], k[1]) for k in keys])
    rows = []
    for name_key, kind, statements, articles, _ in keys:
        row = details[(name_key, kind)]
        del row["articles"]  # counted with the statements above
        rows.append({**row, "statements": statements, "articles": articles})
    return Page(rows, total, limit, offset)


def directory_details(
    reader: Reader, f: StatementFilter, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The filtered directory's lists for the (name_key, kind) groups of one page only: the name shown,
    roles, affiliations, outlets, first and last seen and articles, from the group's rows that pass ``f``.

    No attributions here (the filters are on sources, articles and outlets; the aggregates are DISTINCT
    or min/max): joining them only multiplied the rows to aggregate.
    """
    if not keys:
        return {}
    where, args = _directory_where(f)
    detail_where = [*where, "(lower(s.name), s.kind) IN (SELECT * FROM unnest(%s::text[], %s::text[]))"]
    details = reader.all(
        f"""SELECT lower(s.name) AS name_key, s.kind AS kind, max(s.name COLLATE "C") AS name,
                   array_agg(DISTINCT s.role) FILTER (WHERE s.role <> '') AS roles,
                   array_agg(DISTINCT s.affiliation) FILTER (WHERE s.affiliation <> '') AS affiliations,
                   array_agg(DISTINCT o.name) FILTER (WHERE o.name <> '') AS outlets,
                   min(ar.published COLLATE "C") AS first_seen, max(ar.published COLLATE "C") AS last_seen,
                   count(DISTINCT s.article_id) AS articles
            FROM sources s {DIRECTORY_ARTICLE_JOINS}
            WHERE {" AND ".join(detail_where)} GROUP BY lower(s.name), s.kind""",
        [*args, [k[0] for k in keys], [k[1] for k in keys]],
    )
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for row in details:
        for key in ("roles", "affiliations", "outlets"):
            row[key] = sorted(row[key] or [])
        found[(row.pop("name_key"), row["kind"])] = row
    return found


def facet_values(reader: Reader) -> dict[str, list[str]]:
    outlets = [r[0] for r in reader.tuples('SELECT name FROM outlets ORDER BY name COLLATE "C"')]
    # From the source groups (migration 005), a few thousand rows, not every source row.
    kinds = [r[0] for r in reader.tuples("SELECT DISTINCT kind FROM source_groups WHERE articles > 0 ORDER BY 1")]
    return {"outlets": outlets, "kinds": kinds}


# ---------------------------------------------------------------- articles and figures


def article_figures(reader: Reader, article_ids: Sequence[str]) -> dict[str, SourcingFigures]:
    counts: dict[str, dict[str | None, int]] = defaultdict(dict)
    for article_id, kind, n in reader.tuples(
        """SELECT a.article_id, s.kind, count(*) FROM attributions a
           LEFT JOIN sources s ON s.article_id = a.article_id AND s.id = a.source_id
           WHERE a.article_id = ANY(%s)
           GROUP BY a.article_id, s.kind""",
        [list(article_ids)],
    ):
        counts[article_id][kind] = n
    return {article_id: figures_from_kind_counts(counts.get(article_id, {})) for article_id in article_ids}


def get_article(reader: Reader, article_id: str) -> dict[str, Any] | None:
    row = reader.one(
        """SELECT ar.analysis, ar.text, o.name AS outlet, ar.ingested_at
           FROM articles ar LEFT JOIN outlets o ON o.id = ar.outlet_id WHERE ar.id = %s""",
        [article_id],
    )
    if row is None:
        return None
    analysis = unpack_analysis(row["analysis"], row["text"])
    if not analysis.get("outlet"):
        analysis["outlet"] = row["outlet"]
    analysis["ingested_at"] = row["ingested_at"]
    return analysis
