"""The SQLite read side: every SELECT of the web app, the export and the ingest's skip check.

Functions take a :class:`Reader` (a connection plus the time limit) and plain values, and return
plain dicts and lists. SQLite specifics live here: FTS5 ``MATCH`` and its query syntax, the
``onrecord_words`` Python function registered on each connection, ``group_concat`` with a U+001F
separator, ``json_each`` for id lists. Figures (shares) are never computed in SQL: queries count
statements per source kind and :mod:`onrecord.figures` turns the counts into figures.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from onrecord.figures import (
    ANONYMOUS_KIND_VALUES,
    ON_RECORD_KIND_VALUES,
    SourcingFigures,
    figures_from_kind_counts,
)
from onrecord.store.base import TABLES, Page, QueryTimeout, StatementFilter, StoreError, search_terms
from onrecord.store.packing import unpack_analysis
from onrecord.store.rows import span_text_sql

ON_RECORD_SQL = ", ".join(f"'{k}'" for k in sorted(ON_RECORD_KIND_VALUES))
ANONYMOUS_SQL = ", ".join(f"'{k}'" for k in sorted(ANONYMOUS_KIND_VALUES))
_PROGRESS_STEPS = 1000  # SQLite VM instructions between two looks at the clock (Datasette uses the same)


class Deadline:
    """The progress handler of one connection: interrupts the running statement once ``at`` has passed."""

    def __init__(self) -> None:
        self.at: float | None = None

    def __call__(self) -> int:
        return 1 if self.at is not None and time.monotonic() > self.at else 0

    def install(self, conn: sqlite3.Connection) -> None:
        conn.set_progress_handler(self, _PROGRESS_STEPS)


class Reader:
    """A read connection with a time limit on every statement; errors become store errors naming the database."""

    def __init__(self, conn: sqlite3.Connection, deadline: Deadline, time_limit_s: float | None, label: str) -> None:
        self.conn = conn
        self.deadline = deadline
        self.time_limit_s = time_limit_s
        self.label = label

    def _start(self) -> None:
        self.deadline.at = None if self.time_limit_s is None else time.monotonic() + self.time_limit_s

    def _error(self, exc: sqlite3.Error) -> StoreError:
        if isinstance(exc, sqlite3.OperationalError) and str(exc) == "interrupted":
            return QueryTimeout(
                f"corpus database {self.label}: the query ran past the {self.time_limit_s:g} s time limit and was"
                " stopped; narrow it (fewer words, a filter, a date range) and try again"
            )
        return StoreError(f"corpus database {self.label}: {exc}")

    def all(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        self._start()
        try:
            return self.conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        finally:
            self.deadline.at = None

    def one(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Row | None:
        found = self.all(sql, args)
        return found[0] if found else None

    def chunks(self, sql: str, args: Sequence[Any] = (), size: int = 5000) -> Iterator[list[tuple[Any, ...]]]:
        """Rows in chunks; the time limit applies to each chunk (the first includes any sorting)."""
        try:
            self._start()
            cursor = self.conn.execute(sql, args)
            while True:
                self._start()
                chunk = cursor.fetchmany(size)
                self.deadline.at = None
                if not chunk:
                    return
                yield [tuple(row) for row in chunk]
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        finally:
            self.deadline.at = None


@functools.lru_cache(maxsize=256)
def _words_pattern(needle: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(needle.strip()), re.IGNORECASE)


def words_match(value: str | None, needle: str) -> bool:
    """Whether ``needle`` occurs in ``value`` starting at a word boundary, ignoring case.

    So an affiliation filter "US" finds "US executive" and "US government" but not "Russia",
    and "spokes" finds "spokesperson". Registered on each connection as ``onrecord_words``.
    """
    return value is not None and _words_pattern(needle).search(value) is not None


def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.create_function("onrecord_words", 2, words_match, deterministic=True)


def fts_query(text: str) -> str:
    """The FTS5 query of a search: each distinct term (:func:`search_terms`) quoted, so user input
    can never be FTS5 syntax that errors, and bounded in number and length."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in search_terms(text))


def _ids_param(ids: Sequence[str]) -> str:
    return json.dumps(list(ids))


# ---------------------------------------------------------------- ingest and tests


def stored_models(reader: Reader, article_ids: Sequence[str] | None) -> dict[str, str]:
    if article_ids is None:
        return {r[0]: r[1] for r in reader.all("SELECT id, model FROM articles")}
    rows = reader.all(
        "SELECT id, model FROM articles WHERE id IN (SELECT value FROM json_each(?))", [_ids_param(article_ids)]
    )
    return {r[0]: r[1] for r in rows}


def counts(reader: Reader) -> dict[str, int]:
    # A full-text index keeps no copy of its rows (migration 008), so count(*) on it would count the rows it
    # reads from; its _docsize table has one row per row actually indexed.
    return {
        table: reader.all(
            f"SELECT count(*) FROM {table}_docsize" if table.endswith("_fts") else f"SELECT count(*) FROM {table}"
        )[0][0]
        for table in TABLES
    }


def analysis_dict(reader: Reader, article_id: str) -> dict[str, Any] | None:
    row = reader.one("SELECT analysis, text FROM articles WHERE id = ?", [article_id])
    return None if row is None else unpack_analysis(row[0], row[1])


def is_corpus(reader: Reader) -> list[str]:
    """The onrecord tables missing from this database (empty: it is a corpus)."""
    tables = {r[0] for r in reader.all("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    return sorted({"articles", "sources", "attributions", "statements_fts"} - tables)


def schema_version(reader: Reader) -> int:
    return int(reader.all("PRAGMA user_version")[0][0])


# ---------------------------------------------------------------- filters


def _upper_bound(iso: str) -> str:
    """An upper bound of 2023-11 includes every day of November: compare against 2023-11-99."""
    return iso if len(iso) == 10 else iso + "-99"


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# The facet values (migration 006) of one field that a role or affiliation filter matches: (field, needle).
MATCHING_FACETS = "field = ? AND onrecord_words(value, ?)"
_MATCHING_VALUES = f"SELECT value FROM source_group_facets WHERE {MATCHING_FACETS}"


def _filter_sql(f: StatementFilter) -> tuple[list[str], list[Any]]:
    """WHERE clauses (over aliases at=attributions, s=sources, ar=articles, o=outlets) and their params."""
    where: list[str] = []
    args: list[Any] = []
    if f.anonymity == "named":
        where.append(f"s.kind IN ({ON_RECORD_SQL})")
    elif f.anonymity == "anonymous":
        where.append(f"s.kind IN ({ANONYMOUS_SQL})")
    elif f.anonymity == "unattributed":
        where.append("(s.kind IS NULL OR s.kind = 'unattributed')")
    if f.kind:
        where.append("s.kind = ?")
        args.append(f.kind)
    # Role and affiliation: the word match runs once per distinct value (the facets of migration 006 hold
    # every non-empty value), not once per source row a page walks past; the row test is then a lookup.
    if f.affiliation:
        where.append(f"s.affiliation IN ({_MATCHING_VALUES})")
        args += ["affiliation", f.affiliation]
    if f.role:
        where.append(f"s.role IN ({_MATCHING_VALUES})")
        args += ["role", f.role]
    if f.outlet:
        where.append("o.name = ?")
        args.append(f.outlet)
    if f.date_from:
        where.append("ar.published >= ?")
        args.append(f.date_from)
    if f.date_to:
        where.append("ar.published <= ?")
        args.append(_upper_bound(f.date_to))
    if f.source:
        where.append("lower(s.name) = lower(?)")  # ASCII case folding, as NOCASE; the sources_group index
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

STATEMENT_JOINS = """
    FROM attributions at
    JOIN articles ar ON ar.id = at.article_id
    LEFT JOIN outlets o ON o.id = ar.outlet_id
    LEFT JOIN sources s ON s.article_id = at.article_id AND s.id = at.source_id
    LEFT JOIN sources rs ON rs.article_id = at.article_id AND rs.id = at.relay_source_id
"""


def _statement_rows(reader: Reader, keys: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Full statement rows for (article id, attribution id) keys, in the keys' order."""
    if not keys:
        return []
    values = ", ".join("(?, ?, ?)" for _ in keys)
    # CROSS JOIN keeps the page's keys as the outer loop: one index lookup per key, no table scan.
    joins = STATEMENT_JOINS.replace(
        "FROM attributions at",
        "FROM page CROSS JOIN attributions at ON at.article_id = page.article_id AND at.id = page.attribution_id",
    )
    rows = reader.all(
        f"WITH page(article_id, attribution_id, position) AS (VALUES {values}) "
        f"SELECT {STATEMENT_COLUMNS} {joins} ORDER BY page.position",
        [part for i, key in enumerate(keys) for part in (*key, i)],
    )
    by_key = {(r["article_id"], r["attribution_id"]): dict(r) for r in rows}
    return [by_key[key] for key in keys if key in by_key]


def _count_beyond(reader: Reader, count_sql: str, args: list[Any], offset: int) -> int:
    """The total when a page came back empty: zero at offset 0, else it has to be counted."""
    return 0 if offset == 0 else reader.all(count_sql, args)[0][0]


def _directory_where(f: StatementFilter) -> tuple[list[str], list[Any]]:
    """The row filters of the sources directory (over s=sources, ar=articles, o=outlets) and their params."""
    where, args = _filter_sql(f)
    if f.q:
        where.append("lower(s.name) LIKE ? ESCAPE '\\'")
        args.append(_like_pattern(f.q))
    return where, args


DIRECTORY_ARTICLE_JOINS = "JOIN articles ar ON ar.id = s.article_id LEFT JOIN outlets o ON o.id = ar.outlet_id"


def source_directory_from_rows(reader: Reader, f: StatementFilter, limit: int, offset: int) -> Page:
    """The sources directory counted from the rows, for filters the aggregates do not hold (sqlite_pages.py)."""
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
    # Step 1: rank the groups and count them, touching articles only when a filter needs them.
    keys = reader.all(
        f"""SELECT lower(s.name), s.kind, count(at.id) AS statements, count(DISTINCT s.article_id) AS articles,
                   count(*) OVER () {base} {group}
            ORDER BY statements DESC, articles DESC, lower(s.name), s.kind LIMIT ? OFFSET ?""",
        [*args, limit, offset],
    )
    total = (
        keys[0][4] if keys else _count_beyond(reader, f"SELECT count(*) FROM (SELECT 1 {base} {group})", args, offset)
    )
    if not keys:
        return Page([], total, limit, offset)
    details = directory_details(reader, f, [(k[0], k[1]) for k in keys])
    rows = []
    for name_key, kind, statements, articles, _ in keys:
        row = details[(name_key, kind)]
        del row["articles"]  # counted with the statements in step 1
        rows.append({**row, "statements": statements, "articles": articles})
    return Page(rows, total, limit, offset)


def directory_details(
    reader: Reader, f: StatementFilter, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Step 2 of the filtered directory, for the (name_key, kind) groups of one page only: the name shown,
    roles, affiliations, outlets, first and last seen and articles, from the group's rows that pass ``f``.

    The name shown is max(): of "CLINTON" and "Clinton" it picks the mixed-case spelling. No attributions
    here: the filters are on sources, articles and outlets, and every aggregate is DISTINCT or min/max, so
    joining them only multiplied the rows to aggregate.
    """
    if not keys:
        return {}
    where, args = _directory_where(f)
    values = ", ".join("(?, ?)" for _ in keys)
    # The page's keys as the outer loop, each a seek of the sources_group index (an IN list of row
    # values was a scan of the whole index).
    details = reader.all(
        f"""WITH page(name_key, kind) AS (VALUES {values})
            SELECT lower(s.name) AS name_key, s.kind AS kind, max(s.name) AS name,
                   group_concat(DISTINCT s.role || char(31)) AS roles,
                   group_concat(DISTINCT s.affiliation || char(31)) AS affiliations,
                   group_concat(DISTINCT o.name || char(31)) AS outlets,
                   min(ar.published) AS first_seen, max(ar.published) AS last_seen,
                   count(DISTINCT s.article_id) AS articles
            FROM page CROSS JOIN sources s ON lower(s.name) = page.name_key AND s.kind = page.kind
            {DIRECTORY_ARTICLE_JOINS}
            {"WHERE " + " AND ".join(where) if where else ""} GROUP BY lower(s.name), s.kind""",
        [*(part for key in keys for part in key), *args],
    )
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for detail in details:
        row = dict(detail)
        found[(row.pop("name_key"), row["kind"])] = _split_lists(row)
    return found


def _split_lists(row: dict[str, Any]) -> dict[str, Any]:
    # Each value was concatenated with a trailing U+001F before group_concat joined them with ",",
    # so a comma inside a role ("spokesman, State Department") survives the split.
    for key in ("roles", "affiliations", "outlets"):
        joined = row.get(key) or ""
        row[key] = sorted({part.removeprefix(",") for part in joined.split("\x1f")} - {""})
    return row


def facet_values(reader: Reader) -> dict[str, list[str]]:
    outlets = [r[0] for r in reader.all("SELECT name FROM outlets ORDER BY name")]
    # From the source groups (migration 005), a few thousand rows, not every source row.
    kinds = [r[0] for r in reader.all("SELECT DISTINCT kind FROM source_groups WHERE articles > 0 ORDER BY kind")]
    return {"outlets": outlets, "kinds": kinds}


# ---------------------------------------------------------------- articles and figures


def article_figures(reader: Reader, article_ids: Sequence[str]) -> dict[str, SourcingFigures]:
    """:mod:`onrecord.figures` of each article, from its statements counted per source kind."""
    counts: dict[str, dict[str | None, int]] = defaultdict(dict)
    for article_id, kind, n in reader.all(
        """SELECT a.article_id, s.kind, count(*) FROM attributions a
           LEFT JOIN sources s ON s.article_id = a.article_id AND s.id = a.source_id
           WHERE a.article_id IN (SELECT value FROM json_each(?))
           GROUP BY a.article_id, s.kind""",
        [_ids_param(article_ids)],
    ):
        counts[article_id][kind] = n
    return {article_id: figures_from_kind_counts(counts.get(article_id, {})) for article_id in article_ids}


def get_article(reader: Reader, article_id: str) -> dict[str, Any] | None:
    row = reader.one(
        """SELECT ar.analysis, ar.text, o.name AS outlet, ar.ingested_at
           FROM articles ar LEFT JOIN outlets o ON o.id = ar.outlet_id WHERE ar.id = ?""",
        [article_id],
    )
    if row is None:
        return None
    analysis = unpack_analysis(row["analysis"], row["text"])
    if not analysis.get("outlet"):
        analysis["outlet"] = row["outlet"]
    analysis["ingested_at"] = row["ingested_at"]
    return analysis
